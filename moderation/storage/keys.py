"""Every Redis key name the service uses, and nothing else.

All keys of one site share the hash tag ``{site}`` so that each multi-key script touches
one cluster slot: the same code runs on Redis Cluster when one machine is outgrown.
Scripts never build key names themselves; they receive them through KEYS.
"""

from __future__ import annotations

import functools

PREFIX = "mod"

# A site's fixed key names are built once: intake needs eight of them per comment.
_per_site = functools.lru_cache(maxsize=4096)


def _site(site: str) -> str:
    return f"{PREFIX}:{{{site}}}"


def comment(site: str, comment_id: str) -> str:
    """HASH: one comment.  Fields: ``data`` (JSON of what the CMS sent, immutable except
    by erasure), ``status``, ``spam_score``, ``abuse_score`` ('' or absent: no abuse
    head scored it), ``created_ms``, ``decided_by``, ``decided_ms``, ``note``,
    ``decision_reason`` (a rejection's reason), ``claimed_by``, ``claim_until_ms``,
    ``history`` (JSON lines, append-only)."""
    return f"{_site(site)}:c:{comment_id}"


@_per_site
def external_ids(site: str) -> str:
    """HASH: the CMS's comment id -> our comment id.  Makes intake idempotent forever."""
    return f"{_site(site)}:ext"


def idempotency_key(site: str, key: str) -> str:
    """STRING with TTL: an ``Idempotency-Key`` header value -> "<our comment id>
    <digest of that comment>" (the digest may be empty), so that a retry replays the
    comment and reusing the key for another comment is refused."""
    return f"{_site(site)}:idem:{key}"


@_per_site
def by_status(site: str, status: str) -> str:
    """ZSET: comment ids of one status, scored by creation time in ms (oldest first)."""
    return f"{_site(site)}:st:{status}"


@_per_site
def pending_by_score(site: str) -> str:
    """ZSET: pending comment ids scored by spam probability (most suspicious last)."""
    return f"{_site(site)}:q:score"


@_per_site
def pending_by_abuse(site: str) -> str:
    """ZSET: pending comment ids scored by abuse probability (most abusive last); a
    comment without an abuse score is filed at ABUSE_UNSCORED, below every real one."""
    return f"{_site(site)}:q:abuse"


# The abuse index's score of a comment no abuse head scored: it sorts after every scored
# comment in ``order=abuse`` and falls outside any ``min_abuse`` (which is 0 or more).
ABUSE_UNSCORED = -1


@_per_site
def decided(site: str) -> str:
    """ZSET: decided comment ids that still hold personal data, scored by decision time
    in ms; retention erases the oldest and removes them from here."""
    return f"{_site(site)}:decided"


@_per_site
def claims(site: str) -> str:
    """ZSET: claimed comment ids scored by lease end in ms.  Expired entries are ignored by
    every reader and trimmed by the next claim, so no sweeper process is needed."""
    return f"{_site(site)}:claims"


@_per_site
def claim_holders(site: str) -> str:
    """HASH: claimed comment id -> the moderator holding it.  A hint for choosing claim
    candidates without reading every claimed comment; the comment hash stays the truth.
    Entries leave with their lease (trimmed with the claims zset), a release or a decision."""
    return f"{_site(site)}:claim-holders"


def by_author(site: str, email: str) -> str:
    """ZSET: comment ids by one (normalised) author email, scored by creation time."""
    return f"{_site(site)}:author:{email}"


@_per_site
def approved_authors(site: str) -> str:
    """HASH: normalised author email -> how many of their comments a human approved
    (an undo takes its approval back; an author at 0 is removed)."""
    return f"{_site(site)}:approved-authors"


@_per_site
def events(site: str) -> str:
    """STREAM: every change to the site's comments, oldest first, capped in length."""
    return f"{_site(site)}:events"


def decisions_per_day(site: str, day: str) -> str:
    """HASH with TTL: moderator name -> decisions made on ``day`` (UTC, YYYY-MM-DD)."""
    return f"{_site(site)}:decisions:{day}"


# -- decision callbacks: an outbox per site, written by the script of each decision ------


@_per_site
def callback_events(site: str) -> str:
    """HASH: event id -> the callback's JSON record (what happened, and its delivery
    state: attempts, last error, when it was queued).  Kept until delivered; a dead one
    stays until it is redelivered."""
    return f"{_site(site)}:cb:events"


@_per_site
def callback_pending(site: str) -> str:
    """ZSET: event ids not yet delivered nor dead, scored by the time they were queued."""
    return f"{_site(site)}:cb:pending"


@_per_site
def callback_due(site: str) -> str:
    """ZSET: the events a deliverer may send, scored by when (ms): the next attempt, or
    the end of the lease of the process sending it now.  Holds at most one event per
    comment (its oldest undelivered one), so a comment's events go out in order."""
    return f"{_site(site)}:cb:due"


@_per_site
def callback_dead(site: str) -> str:
    """ZSET: event ids that were given up on, scored by when."""
    return f"{_site(site)}:cb:dead"


@_per_site
def callback_heads(site: str) -> str:
    """HASH: comment id -> its event in ``callback_due`` (the one its later ones wait for)."""
    return f"{_site(site)}:cb:heads"


def callback_queue(site: str, comment_id: str) -> str:
    """LIST: a comment's later events, oldest first, waiting for the one in due."""
    return f"{_site(site)}:cb:q:{comment_id}"


# -- learning: the labels of each site ------------------------------------------------


def labels(site: str, label: str) -> str:
    """ZSET: comments a human (a moderator, or the CMS through the Akismet API) labelled
    ``label``, scored by when.  Spam labels: "ham" (approved), "spam"; a rejection is no
    spam label (off-topic or abusive is not spam).  Abuse labels: "abuse" (rejected with
    reason abuse), "not_abuse" (approved).  An undo, an edit or another decision takes
    the comment's labels back first.  Only "ham" and "spam" count in ``new_labels``."""
    return f"{_site(site)}:labels:{label}"


@_per_site
def new_labels(site: str) -> str:
    """STRING: labels given since the site's model was last retrained."""
    return f"{_site(site)}:labels:new"


# -- learning: each site's own model ----------------------------------------------------


@_per_site
def model_current(site: str) -> str:
    """STRING: the version of the site's own model in use (none: the default model)."""
    return f"{_site(site)}:model:current"


@_per_site
def model_versions(site: str) -> str:
    """LIST: the versions of the site's model kept (for a rollback), newest first."""
    return f"{_site(site)}:model:versions"


@_per_site
def model_meta(site: str) -> str:
    """HASH: version -> its record (JSON: when trained, labels, the held-out scores)."""
    return f"{_site(site)}:model:meta"


@_per_site
def model_blobs(site: str) -> str:
    """HASH: version -> the model file (skops, base64), loaded with trusted types only."""
    return f"{_site(site)}:model:blobs"


@_per_site
def retrains(site: str) -> str:
    """LIST: every retrain's comparison of new and old model (JSON), newest first."""
    return f"{_site(site)}:model:retrains"


@_per_site
def retrain_lock(site: str) -> str:
    """STRING with TTL: the process retraining the site (its token)."""
    return f"{_site(site)}:model:lock"


# -- rules from the API: each site's block, allow and trusted lists ------------------


@_per_site
def rules(site: str) -> str:
    """HASH: rule id -> the rule's JSON record (list, kind, value, note, created_by,
    created_at).  Added to the config's lists; every instance compiles them in memory."""
    return f"{_site(site)}:rules"


@_per_site
def rule_index(site: str) -> str:
    """HASH: "<list> <kind> <value>" -> rule id, so one rule is never stored twice."""
    return f"{_site(site)}:rules:index"


@_per_site
def rules_version(site: str) -> str:
    """STRING: a counter bumped in the same atomic step as every change to the site's
    rules; instances poll it (one GET) to know when to read the rules again."""
    return f"{_site(site)}:rules:version"


@_per_site
def rules_audit(site: str) -> str:
    """LIST: every change to the site's rules (JSON: action, rule, by, at), newest first,
    capped."""
    return f"{_site(site)}:rules:audit"


# -- the Akismet-compatible API --------------------------------------------------------


def akismet_usage(site: str, month: str) -> str:
    """STRING with TTL: comment-check calls of the site in ``month`` (YYYY-MM, UTC)."""
    return f"{_site(site)}:ak:usage:{month}"


@_per_site
def akismet_corrections(site: str) -> str:
    """HASH: how often a CMS said otherwise than the verdict: ``missed_spam`` (spam that
    was answered ham) and ``false_positives`` (ham answered spam)."""
    return f"{_site(site)}:ak:corrections"


@_per_site
def cms_labels(site: str) -> str:
    """LIST: labels a CMS gave for comments not stored here (Akismet's submit-spam and
    submit-ham without a match): JSON of the label and the text, newest first, capped.
    No email or IP: a label is for training, and erasure need not find it."""
    return f"{_site(site)}:cms-labels"


# -- the Perspective-compatible API ------------------------------------------------------


@_per_site
def perspective_labels(site: str) -> str:
    """LIST: abuse labels a Perspective client suggested (comments:suggestscore) for
    comments not stored here: JSON of the label ("abuse" or "not_abuse", from TOXICITY),
    the attribute values suggested and the text, newest first, capped.  Kept apart from
    ``cms_labels`` so that a busy Perspective tool cannot push a CMS's spam labels out."""
    return f"{_site(site)}:perspective-labels"


def recent_text(site: str, text_hash: str) -> str:
    """STRING with TTL: hash of a normalised comment text -> the first comment id seen."""
    return f"{_site(site)}:text:{text_hash}"


def rate_bucket(site: str, scope: str) -> str:
    """HASH with TTL: a token bucket (``tokens``, ``ts``) for ``scope`` (site or ip:...)."""
    return f"{_site(site)}:rate:{scope}"


def session(session_id_hash: str) -> str:
    """HASH with TTL: a moderator's web session (moderator name, CSRF token)."""
    return f"{PREFIX}:session:{session_id_hash}"
