"""What every part of the store shares: the types of its answers, the cursors, the
scripts bound to the transport, each site's key groups, and ``StoreBase``, which holds
the Redis client, the transport and the bound scripts.

Nothing outside ``moderation.storage`` talks to Redis about comments, and nothing outside
it builds their key names.  Writes are the Lua scripts of ``storage.scripts`` and
:meth:`StoreBase.write`; reads are plain commands sent by :meth:`StoreBase.read`.  All of
them go through ``storage.transport`` (one Redis or a cluster alike), never through
redis-py's own commands; where several go together (a batch of comments, a page's
records, a bulk of decisions) they share one round trip, grouped by site.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypedDict

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import NoScriptError

from moderation.core import jsoncodec
from moderation.core.records import (
    CallbackEvent,
    CommentRecord,
    Status,
)
from moderation.core.text import text_problem
from moderation.storage import keys, scripts
from moderation.storage.cluster_transport import ClusterTransport, check_replicas
from moderation.storage.scripts import A, K, Script
from moderation.storage.transport import Arg, Command, Reply, Transport, UnexpectedReply

EVENTS_MAXLEN = 100_000  # per site; the stream feeds callbacks and retraining, not archives
IDEMPOTENCY_TTL_SECONDS = 24 * 3600  # as long as Stripe keeps idempotency keys
DECISIONS_DAY_TTL_SECONDS = 3 * 24 * 3600
UNDO_WINDOW_MS = 10 * 60 * 1000
UNDO_ATTEMPTS = 3  # a 'stale' answer is retried with the day it names (see Store.undo)
DAY_MS = 24 * 3600 * 1000  # a UTC day: Unix time has no leap seconds
CMS_LABELS_MAX = 100_000  # per site: labels for retraining, not an archive
MODELS_KEPT = 5  # versions of a site's model kept for a rollback
RETRAINS_KEPT = 50  # retrain comparisons kept per site
# A filtered queue page (a text search, a status within an author's or a post's comments,
# a score range in time order) examines at most this many comments, read this many at a
# time, then answers what it found with a cursor: its cost does not grow with the queue.
SCAN_MAX = 1_000
SCAN_CHUNK = 200
AUTHOR_CHUNK = 5_000  # an author's ids per MULTI of status lookups (Store.author)


# The fields of a comment hash that a listing shows: all but the history.  "status"
# comes first: None there means the comment is gone.
LISTED_FIELDS = (
    "status",
    "data",
    "initial_status",
    "spam_score",
    "created_ms",
    "decided_by",
    "decided_ms",
    "note",
    "claimed_by",
    "claim_until_ms",
    "abuse_score",
    "decision_reason",
)


class Order(StrEnum):
    SCORE = "score"  # most suspicious first
    ABUSE = "abuse"  # most abusive first (comments without an abuse score last)
    OLDEST = "oldest"
    NEWEST = "newest"


class CallbackState(StrEnum):
    PENDING = "pending"  # not delivered yet: due, being sent, or waiting to be retried
    DEAD = "dead"  # given up on; kept until redelivered


@dataclass(frozen=True, slots=True)
class AbuseFill:
    """An abuse score for a pending comment stored without one (the abuse backfill): its
    data as scored (by SHA-1) and with the reasons added, and the "scored" history line."""

    comment_id: str
    data_sha1: str
    data: str
    abuse_score: float
    history: str


@dataclass(frozen=True, slots=True)
class NewComment:
    """A validated, scored comment ready to be stored."""

    site: str
    id: str
    external_id: str | None
    idempotency_key: str | None
    status: Status
    spam_score: float
    created_ms: int
    data: dict[str, Any]
    history: str
    author_email: str
    trust_approved_authors: bool
    trusted_history: str
    abuse_score: float | None = None  # None: the model has no abuse head
    # the repeat check: the text's fingerprint ('' = off) and how long it is remembered;
    # what a repeat changes (status, history, rule: with '{repeat_of}' for the earlier id)
    text_fingerprint: str = ""
    repeat_window_seconds: int = 0
    repeat_status: Status | None = None
    repeat_history: str = ""
    repeat_rule: str = ""
    # what the Idempotency-Key must keep meaning: a digest of the comment ('' = none)
    request_fingerprint: str = ""
    rule: str = ""  # the site rule that set ``status`` ('' = none)
    # if the CMS's id is known already and the text or author URL differ (an edit): an
    # approved comment stays approved ([[sites]] trust_edits_of_approved)
    trust_edits: bool = False


@dataclass(frozen=True, slots=True)
class Stored:
    """What intake learned from Redis: the id that holds the comment (ours, or the one
    stored first if this was a repeat) and its status."""

    id: str
    status: Status
    duplicate: bool
    repeat_of: str | None = None  # a recent comment of the site with the same text
    # the Idempotency-Key was first used for another comment: nothing was stored
    conflict: bool = False
    # the CMS re-sent a known comment with another text or author URL: rescored, and
    # ``status`` is where the edit put it (``duplicate`` is False)
    edited: bool = False


class Settled(StrEnum):
    """What one callback attempt came to, as the outbox records it."""

    DELIVERED = "delivered"
    RETRY = "retry"  # failed: tried again at its next time
    DEAD = "dead"  # failed past the give-up period: kept until redelivered


class OutcomeKind(StrEnum):
    """What a decision, an undo, a release or a CMS's decision came to."""

    OK = "ok"
    MISSING = "missing"  # no such comment
    DECIDED = "decided"  # already decided (by ``by``)
    CLAIMED = "claimed"  # claimed by another moderator (``by``)
    NOT_YOURS = "not_yours"  # an undo or release of someone else's
    TOO_LATE = "too_late"  # an undo past the window
    PENDING = "pending"  # an undo of a comment not decided
    SAME = "same"  # a CMS's decision (or an override) the comment already had
    KEPT = "kept"  # a release of a lease renewed since: the claim stays
    TAKEN = "taken"  # a claim taken over from another moderator (``by``)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of a decision, undo, claim release: ``ok`` or why not."""

    kind: OutcomeKind
    status: Status | None = None
    by: str | None = None
    previous: Status | None = None  # a decision's: the status the comment had before
    lease_until_ms: int | None = None  # a claim's: when its lease ends


@dataclass(frozen=True, slots=True)
class Page:
    records: list[CommentRecord]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class Author:
    """What a site holds of one author (by email): comments by status, when the first
    and the latest arrived (ms), and a page of the comments, newest first."""

    counts: dict[str, int]
    first_ms: int
    last_ms: int
    page: Page


class CursorError(ValueError):
    """The cursor is not one this service gave out."""


def encode_cursor(member: str, score: str) -> str:
    raw = jsoncodec.dumps([member, score]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# A score as Redis writes one (``%.17g``, so an exponent is possible, or ``inf``): the
# cursor's score goes back to Redis as a range bound, where "nan" or "1_0" (which
# float() takes) would be a Redis error.
_REDIS_SCORE = re.compile(r"[-+]?(?:inf|[0-9]{1,20}(?:\.[0-9]{0,20})?(?:[eE][-+]?[0-9]{1,3})?)")
CURSOR_MAX = 1_024


def decode_cursor(cursor: str) -> tuple[str, str]:
    """The (member, score) a cursor holds; CursorError unless it is one this service
    could have given out.  Its member goes into a Redis command, so it must be text."""
    if len(cursor) > CURSOR_MAX:
        raise CursorError("not a cursor from this service")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        member, score = jsoncodec.loads(raw)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise CursorError("not a cursor from this service") from exc
    if not isinstance(member, str) or not isinstance(score, str):
        raise CursorError("not a cursor from this service")
    if text_problem(member, limit=200) is not None or not _REDIS_SCORE.fullmatch(score):
        raise CursorError("not a cursor from this service")
    return member, score


class Bound(Generic[K, A]):
    """A script run through the store's transport: calls go out as ``EVALSHA``, and a
    Redis that answers NOSCRIPT (it restarted and lost its scripts) is sent the script
    again, then only the calls it refused (a refused call ran nothing, so sending it
    again is safe).  Not redis-py's ``Script``: on a pipeline, that one sends
    ``SCRIPT EXISTS`` before every batch, a second round trip (see RESULTS.md).

    ``reads``: the script changes nothing a caller is told about (it only reads, or
    undoes what it wrote before it returns), so its calls do not wait for replicas."""

    __slots__ = ("_by_sha", "_transport", "reads", "script")

    def __init__(
        self,
        transport: Transport | ClusterTransport,
        script: Script[K, A],
        *variants: Script[Any, Any],
        reads: bool = False,
    ) -> None:
        self._transport = transport
        self.script = script
        self.reads = reads
        # calls of a variant (INTAKE_CALLBACK beside INTAKE) share the round trip
        self._by_sha = {s.sha: s for s in (script, *variants)}

    async def __call__(
        self,
        *,
        site: str,
        keys: K,
        argv: A,
        keys_tail: Sequence[str] = (),
        argv_tail: Sequence[Arg] = (),
    ) -> Any:
        """One call; the script's error (or Redis trouble) is raised."""
        command = self.script.command(keys, argv, keys_tail=keys_tail, argv_tail=argv_tail)
        [reply] = (await self.run({site: [command]}))[site]
        if isinstance(reply, BaseException):
            raise reply
        return reply

    async def run(self, groups: Mapping[str, Sequence[Command]]) -> dict[str, list[Reply]]:
        """Calls of this script (from :meth:`Script.command`), grouped by site, in one
        round trip; each reply is the script's result or the error of that call alone."""
        transport = self._transport
        send = transport.read_groups if self.reads else transport.send_groups
        replies = await send(groups)
        refused: dict[str, list[int]] = {}
        for site, got in replies.items():
            for i, reply in enumerate(got):
                if isinstance(reply, NoScriptError):
                    refused.setdefault(site, []).append(i)
        if refused:
            for site, indexes in refused.items():
                shas = dict.fromkeys(str(groups[site][i][1]) for i in indexes)
                loads: list[Command] = [
                    ("SCRIPT", "LOAD", self._by_sha[sha].source) for sha in shas
                ]
                await self._load(site, loads)
            again = await send(
                {site: [groups[site][i] for i in indexes] for site, indexes in refused.items()}
            )
            for site, indexes in refused.items():
                for i, reply in zip(indexes, again[site], strict=True):
                    replies[site][i] = reply
        return replies

    async def _load(self, site: str, loads: list[Command]) -> None:
        """Load scripts where the site's calls may run.  On a cluster that is every
        master: the refusal may have come from the target of a slot being migrated
        (reached through ``ASK``, and new to the script), not the slot's owner, and a
        replica promoted by a failover may never have been sent it.  No replica is waited
        for: Redis does not pass SCRIPT LOAD on to replicas."""
        if isinstance(self._transport, ClusterTransport):
            answers = await self._transport.on_each_master(*loads)
            replies = [reply for got in answers.values() for reply in got]
        else:
            replies = await self._transport.read(site, loads)
        for loaded in replies:
            if isinstance(loaded, BaseException):
                raise loaded


def new_event_id() -> str:
    """A callback's id: the X-Moderation-Delivery of every attempt, for the CMS to drop
    repeats by; 96 random bits, unique across sites and instances."""
    return f"evt_{secrets.token_hex(12)}"


class StoreBase:
    """Comments, queues and claims of every site, in one Redis.

    ``callbacks``: each site's callback event types (a site without callbacks is left
    out): its decisions of those types are queued for delivery in the same atomic write.
    ``on_callback(site)`` is told when one was queued, so the deliverer need not wait for
    its next poll."""

    def __init__(
        self,
        redis: Redis | RedisCluster,
        *,
        callbacks: Mapping[str, frozenset[str]] | None = None,
        on_callback: Callable[[str], None] | None = None,
        ack_replicas: int = 0,
        ack_timeout_ms: int = 1000,
    ) -> None:
        self.redis = redis
        # the events stream's approximate cap (an attribute, so a test can shrink it)
        self.events_maxlen = EVENTS_MAXLEN
        self.callbacks = dict(callbacks or {})
        self.on_callback = on_callback
        self._auto_callbacks = frozenset(
            site for site, events in self.callbacks.items() if CallbackEvent.AUTO_DECIDED in events
        )
        transport: Transport | ClusterTransport = (
            ClusterTransport(redis, ack_replicas, ack_timeout_ms)
            if isinstance(redis, RedisCluster)
            else Transport(redis, ack_replicas, ack_timeout_ms)
        )
        self._transport = transport
        self._ack_replicas = ack_replicas
        self._intake = Bound(transport, scripts.INTAKE, scripts.INTAKE_CALLBACK)
        self._edit = Bound(transport, scripts.EDIT)
        self._decide = Bound(transport, scripts.DECIDE)
        self._cms_decide = Bound(transport, scripts.CMS_DECIDE)
        self._undo = Bound(transport, scripts.UNDO)
        self._page = Bound(transport, scripts.PAGE, reads=True)
        self._claim = Bound(transport, scripts.CLAIM)
        self._claim_one = Bound(transport, scripts.CLAIM_ONE)
        self._release = Bound(transport, scripts.RELEASE)
        self._claimed_by_others = Bound(transport, scripts.CLAIMED_BY_OTHERS, reads=True)
        self._take_tokens = Bound(transport, scripts.TAKE_TOKENS)
        self._erase = Bound(transport, scripts.ERASE)
        self._purge_spam = Bound(transport, scripts.PURGE_SPAM)
        self._callback_claim = Bound(transport, scripts.CALLBACK_CLAIM)
        self._callback_release = Bound(transport, scripts.CALLBACK_RELEASE)
        self._callback_settle = Bound(transport, scripts.CALLBACK_SETTLE)
        self._callback_redeliver = Bound(transport, scripts.CALLBACK_REDELIVER)
        self._model_put = Bound(transport, scripts.MODEL_PUT)
        self._model_rollback = Bound(transport, scripts.MODEL_ROLLBACK)
        self._unlock = Bound(transport, scripts.UNLOCK)
        self._rule_add = Bound(transport, scripts.RULE_ADD)
        self._rule_delete = Bound(transport, scripts.RULE_DELETE)
        self._rules_erase = Bound(transport, scripts.RULES_ERASE)
        self._abuse_unscored = Bound(transport, scripts.ABUSE_UNSCORED_PENDING, reads=True)
        self._abuse_fill = Bound(transport, scripts.ABUSE_FILL)

    async def check_ready(self) -> None:
        """Raise unless Redis can serve every site now: it answers, and has the
        replicas ``ack_replicas`` asks for; on a cluster, every master answers, says the
        cluster is ok, and every slot has a master."""
        if isinstance(self._transport, ClusterTransport):
            await self._transport.check_ready(self._ack_replicas)
            return
        [info] = await self.read("", ("INFO", "replication"))
        check_replicas(info, self._ack_replicas, "redis")

    async def read(self, tag: str, *commands: Command) -> list[Reply]:
        """``commands`` that write nothing (keys of hash tag ``tag`` only) in one round
        trip, on the node that holds them, without waiting for replicas; their replies
        (turned into values by the ``as_...`` helpers of ``storage.transport``); the
        first error is raised."""
        replies = await self._transport.read(tag, commands)
        for reply in replies:
            if isinstance(reply, BaseException):
                raise reply
        return replies

    async def snapshot(self, tag: str, *commands: Command) -> list[Reply]:
        """Reads in one MULTI/EXEC (as :meth:`read`): replies that see no write made
        between them."""
        replies = await self.read(tag, ("MULTI",), *commands, ("EXEC",))
        return _executed(replies[-1])

    async def write(self, tag: str, *commands: Command) -> list[Reply]:
        """``commands`` (keys of hash tag ``tag`` only: a site's id, or a key without
        braces) in one round trip, on the node that holds them and replicated as
        ``[redis] ack_replicas`` asks before this returns; the first error is raised.
        Every write that answers 2xx goes through here or a script: a redis-py call
        cannot WAIT on the connection that wrote."""
        replies = await self._transport.send(tag, commands)
        for reply in replies:
            if isinstance(reply, BaseException):
                raise reply
        return replies

    async def atomically(self, tag: str, *commands: Command) -> list[Reply]:
        """``commands`` in one MULTI/EXEC (as :meth:`write`): their replies, all or none
        of the writes applied, and reads that see no other write in between."""
        replies = await self.write(tag, ("MULTI",), *commands, ("EXEC",))
        return _executed(replies[-1])

    def _callback_argv(self, site: str, event: str) -> tuple[str, str]:
        """The (callback, event_id) ARGV of a script that may queue ``event``."""
        if event in self.callbacks.get(site, ()):
            return "1", new_event_id()
        return "0", ""

    def _queued(self, site: str) -> None:
        if self.on_callback is not None:
            self.on_callback(site)


def _executed(reply: Reply) -> list[Reply]:
    """An EXEC's replies; the first command's error raised."""
    if not isinstance(reply, list):
        raise UnexpectedReply(f"EXEC answered {type(reply).__name__}")
    for item in reply:
        if isinstance(item, BaseException):
            raise item
    return reply


@functools.lru_cache(maxsize=4096)
def intake_site_keys(site: str) -> IntakeSiteKeys:
    """The INTAKE keys that are the same for every comment of ``site``, built once."""
    return {
        "external_ids": keys.external_ids(site),
        "pending_index": keys.by_status(site, Status.PENDING),
        "approved_index": keys.by_status(site, Status.APPROVED),
        "spam_index": keys.by_status(site, Status.SPAM),
        "rejected_index": keys.by_status(site, Status.REJECTED),
        "score_index": keys.pending_by_score(site),
        "abuse_index": keys.pending_by_abuse(site),
        "events": keys.events(site),
        "approved_authors": keys.approved_authors(site),
        "decided_index": keys.decided(site),
    }


class StatusIndexes(TypedDict):
    pending_index: str
    approved_index: str
    spam_index: str
    rejected_index: str
    score_index: str
    abuse_index: str


def status_indexes(site: str) -> StatusIndexes:
    """The zsets a comment is filed in by its status (and pending ones by spam score and
    by abuse score)."""
    return {
        "pending_index": keys.by_status(site, Status.PENDING),
        "approved_index": keys.by_status(site, Status.APPROVED),
        "spam_index": keys.by_status(site, Status.SPAM),
        "rejected_index": keys.by_status(site, Status.REJECTED),
        "score_index": keys.pending_by_score(site),
        "abuse_index": keys.pending_by_abuse(site),
    }


class LabelKeys(TypedDict):
    ham_labels: str
    spam_labels: str
    new_labels: str
    abuse_labels: str
    not_abuse_labels: str


def label_keys(site: str) -> LabelKeys:
    return {
        "ham_labels": keys.labels(site, "ham"),
        "spam_labels": keys.labels(site, "spam"),
        "new_labels": keys.new_labels(site),
        "abuse_labels": keys.labels(site, "abuse"),
        "not_abuse_labels": keys.labels(site, "not_abuse"),
    }


def model_keys(site: str) -> scripts.ModelKeys:
    return {
        "current": keys.model_current(site),
        "versions": keys.model_versions(site),
        "meta": keys.model_meta(site),
        "blobs": keys.model_blobs(site),
        "retrains": keys.retrains(site),
    }


def callback_keys(site: str, comment_id: str) -> scripts.CallbackKeys:
    return {
        "callback_events": keys.callback_events(site),
        "callback_pending": keys.callback_pending(site),
        "callback_due": keys.callback_due(site),
        "callback_heads": keys.callback_heads(site),
        "callback_queue": keys.callback_queue(site, comment_id),
    }


class IntakeSiteKeys(TypedDict):
    external_ids: str
    pending_index: str
    approved_index: str
    spam_index: str
    rejected_index: str
    score_index: str
    abuse_index: str
    events: str
    approved_authors: str
    decided_index: str


def undo_outcome(reply: list[str]) -> Outcome:
    kind = reply[0]
    if kind == "ok":
        return Outcome(OutcomeKind.OK, status=Status.PENDING)
    if kind == "not_yours":
        return Outcome(OutcomeKind.NOT_YOURS, by=reply[1] or None)
    if kind == "too_late":
        return Outcome(OutcomeKind.TOO_LATE, status=Status(reply[1]))
    if kind == "pending":
        return Outcome(OutcomeKind.PENDING, status=Status.PENDING)
    return Outcome(OutcomeKind.MISSING)


def decide_outcome(reply: list[str]) -> Outcome:
    kind = reply[0]
    if kind == "ok":
        return Outcome(OutcomeKind.OK, status=Status(reply[1]), previous=Status(reply[2]))
    if kind == "same":  # an override to the status it had: nothing changed
        status = Status(reply[1])
        return Outcome(OutcomeKind.SAME, status=status, previous=status)
    if kind == "decided":
        return Outcome(OutcomeKind.DECIDED, status=Status(reply[1]), by=reply[2] or None)
    if kind == "claimed":
        return Outcome(OutcomeKind.CLAIMED, by=reply[1])
    return Outcome(OutcomeKind.MISSING)


def in_range(value: float, lo: float | None, hi: float | None) -> bool:
    return (lo is None or value >= lo) and (hi is None or value <= hi)
