"""What the HTTP API answers: one pydantic model per JSON answer, for the API document.

The handlers build their answers as plain dicts (the intake path cannot spare a model's
cost); these models say what those dicts hold, and openapi.py turns them into the
document's schemas.  tests/web/test_openapi.py checks real answers of the running app
against the document with every object closed, so a member the code answers but a model
does not name fails there, and so does one a model requires but the code leaves out.

Members that an answer may leave out are ``omitted()``: documented, never required.
Clients must ignore members they do not know (RFC 9457 says so for problems), so the
service may add fields without breaking anyone.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from moderation.core.records import CallbackEvent, RejectReason, Status
from moderation.intake.rules import RuleKind, RuleList
from moderation.storage.store import CallbackState
from moderation.web.page_names import CSRF_HEADER
from moderation.web.problems import TYPE_PREFIX

Count = Annotated[int, Field(ge=0)]
Score = Annotated[float, Field(ge=0, le=1)]
Decided = Literal[Status.APPROVED, Status.SPAM, Status.REJECTED]
_ABUSE_SCORE = (
    "The abuse (toxicity) probability from the model's abuse head, scored in the same "
    "pass as the spam score; null when the model that scored the comment has no abuse "
    "head."
)
_ABUSE_REASONS = (
    "The words or phrases that carry the abuse score, strongest first (empty when "
    "abuse_score is null)."
)
_DECISION_REASON = "A rejection's reason (abuse, spam, off_topic, other); null otherwise."


def about(description: str, **schema: Any) -> Any:
    """A member's description (and JSON Schema keywords such as ``format``)."""
    return Field(description=description, json_schema_extra=schema or None)


def omitted(description: str | None = None, **schema: Any) -> Any:
    """A member an answer may leave out (its documented default, None, is dropped)."""
    return Field(default=None, description=description, json_schema_extra=schema or None)


class Answer(BaseModel):
    # protected_namespaces: a comment's "model_version" is no pydantic method (pydantic
    # 2.7 warns of any member whose name starts with "model_")
    model_config = ConfigDict(frozen=True, protected_namespaces=())


# ---------------------------------------------------------------------------------------
# Problems (RFC 9457)


class FieldError(Answer):
    field: str = about(
        "The request field at fault: a body field, a query parameter, a header such as "
        "'Idempotency-Key', or a path such as 'decisions[3].decision'."
    )
    message: str = about("What is wrong with it.")


class Problem(Answer):
    """An RFC 9457 problem: every error this service answers."""

    type: str = about(
        "A URI naming the kind of problem; this service uses "
        f"'{TYPE_PREFIX}<slug>' (for example '{TYPE_PREFIX}validation').",
        format="uri",
    )
    title: str = about("A short summary of the kind of problem.")
    status: int = Field(ge=400, le=599)
    detail: str = omitted("What went wrong with this request, for a human.")
    instance: str = about("The path of the request that failed.", format="uri-reference")
    request_id: str = about(
        "The request id (also in the X-Request-ID header); the logs carry it too."
    )
    errors: list[FieldError] = omitted("Every field at fault, all at once (validation answers).")


class ConflictProblem(Problem):
    """A 409 problem, with who holds or decided the comment."""

    id: str = omitted("The comment in conflict.")
    current_status: Status | None = omitted()
    decided_by: str | None = omitted("Who decided it already.")
    claimed_by: str | None = omitted("Who holds its claim.")
    lease_until_ms: int = omitted("When that claim's lease ends (Unix ms).")


# ---------------------------------------------------------------------------------------
# Intake


class IntakeAnswer(Answer):
    id: str = about("The service's comment id: poll GET /v1/comments/{id}.")
    status: Literal[Status.PENDING, Status.APPROVED, Status.SPAM, Status.REJECTED] = about(
        "pending unless a site rule or threshold decided it on arrival (rejected: its "
        "abuse score reached reject_abuse_above; an edit: pending, or approved if it was "
        "and the site trusts edits of approved comments)."
    )
    spam_score: Score
    spam: bool = about("The scoring model's verdict at its own threshold.")
    reasons: list[str]
    abuse_score: Score | None = about(_ABUSE_SCORE)
    abuse_reasons: list[str] = about(_ABUSE_REASONS)
    edited: bool = Field(
        default=False,
        description=(
            "true: the CMS sent this comment (its `id`) before with another content or "
            "author_url, and this is the edit: same service id, the new score, and the "
            "status the edit put it in (pending, or approved under "
            "trust_edits_of_approved). A replay after an edit says true too."
        ),
    )


# ---------------------------------------------------------------------------------------
# Comments as moderators and sites read them


class _CommentFields(Answer):
    """The members shared by a queue item and a whole comment record."""

    id: str = about("The service's comment id: '<site>_<time><random>'.")
    external_id: str | None = about("The CMS's own comment id, as sent in `id`.")
    site: str = about("The site the comment belongs to.")
    status: Status = about("The comment's current status.")
    spam_score: Score
    reasons: list[str] = about("Why the classifier scored it so (most telling first).")
    abuse_score: Score | None = about(_ABUSE_SCORE)
    abuse_reasons: list[str] = about(_ABUSE_REASONS)
    rule: str | None = about(
        "The site rule that decided it on arrival, if any ('abuse': reject_abuse_above)."
    )
    author_name: str | None
    author_email: str | None = about(
        "Normalised by email-validator; shown to authorised callers only."
    )
    author_url: str | None
    author_ip: str | None
    content: str | None
    post_url: str | None
    post_id: str | None
    created_at: str = about("When the service stored it (UTC).", format="date-time")
    decided_by: str | None = about("The moderator who decided it, or 'auto' for a site rule.")
    decided_at: str | None = about("When it was decided (UTC).", format="date-time")
    decision_reason: RejectReason | None = about(_DECISION_REASON)


_CLAIMED_BY = "The moderator holding an unexpired claim on it."
_LEASE = (
    "When the claim ends (ms since the epoch); send it back with a release so that only "
    "this lease is released, not a later renewal."
)


class QueueItem(_CommentFields):
    """A comment as a moderator sees it in the queue."""

    claimed_by: str | None = about(_CLAIMED_BY)
    lease_until_ms: int | None = about(_LEASE)


class HistoryEntry(Answer):
    """One step of the audit trail.  Each action carries its own details, so more
    members may appear."""

    model_config = ConfigDict(extra="allow")

    action: str = about(
        "created, scored, auto-decided, decided, undone, erased, ... (claims are the "
        "record's claimed_by and lease, not history)"
    )
    actor: str = about("'site:<id>', 'model:<version>', 'auto' or a moderator's name.")
    at: str = about("When (UTC).", format="date-time")
    status: Status = omitted("The status this step set.")
    was: Status = omitted("The status an undo reverted.")
    spam_score: float = omitted()
    reasons: list[str] = omitted()
    abuse_score: float = omitted("Rounded to 4 places (scored, edited).")
    abuse_reasons: list[str] = omitted()
    reason: RejectReason = omitted("A rejection's reason (decided).")
    rule: str = omitted()
    lease_seconds: float = omitted()
    note: str = omitted("The moderator's note (moderators only).")


class Comment(_CommentFields):
    """The whole record.  A site's own key gets it without `claimed_by`, `note` and the
    history's notes."""

    claimed_by: str | None = omitted(_CLAIMED_BY)
    lease_until_ms: int | None = omitted(_LEASE)
    user_agent: str | None
    referrer: str | None
    submitted_at: str | None
    lang: str | None
    parent_id: str | None
    model_version: str | None = about("The classifier model that scored it.")
    spam: bool | None = about("That model's verdict at its own threshold.")
    note: str | None = omitted("The deciding moderator's note (moderators only).")
    history: list[HistoryEntry]


class QueuePage(Answer):
    items: list[QueueItem]
    next_cursor: str | None = about("Pass as `cursor` for the next page; null on the last page.")


class ClaimedItems(Answer):
    items: list[QueueItem]


# ---------------------------------------------------------------------------------------
# Decisions, claims, undo


class DecisionResult(Answer):
    id: str
    status: Decided = about("The comment's new status.")
    previous_status: Status = about(
        "Its status before: pending, or (an override) the decision it replaced; the same "
        "as status when an override changed nothing."
    )


class BulkDecisionResult(Answer):
    id: str | None = about("The comment, unless its id was not text that can be answered.")
    status: Literal[200, 404, 409, 422] = about("The HTTP status this item alone would get.")
    comment_status: Decided = omitted("The new status (200 only).")
    previous_status: Status = omitted("The status before (200 only).")
    detail: str = omitted()
    current_status: Status | None = omitted()
    decided_by: str | None = omitted()
    claimed_by: str | None = omitted()
    errors: list[FieldError] = omitted()


class BulkDecisionResults(Answer):
    results: list[BulkDecisionResult] = about("One result per decision, in order, each on its own.")


class Released(Answer):
    id: str
    released: bool = about(
        "false when the lease named was renewed since (another tab of the same moderator "
        "holds it now)."
    )


class ClaimResult(Answer):
    id: str
    claimed_by: str = about("The caller, who holds the comment now.")
    lease_until_ms: int = about("When the lease ends (Unix ms); name it to release it.")
    taken_from: str = omitted("The moderator whose claim was taken over (take only).")


class Undone(Answer):
    id: str
    status: Literal[Status.PENDING]


class CmsStatusResult(Answer):
    id: str = about("The service's comment id (also when the path named the CMS's own).")
    status: Status = about("The comment's status now: the one the CMS sent.")
    previous_status: Status = about("Its status before (the same when nothing changed).")


Counts = create_model(
    "Counts",
    __base__=Answer,
    **{status.value: (Count, ...) for status in Status},  # type: ignore[call-overload]
)


class Author(Answer):
    """An author of a site, by email: what they posted and what became of it."""

    site: str
    email: str = about("Normalised by email-validator, as intake stores it.")
    counts: Counts = about(  # type: ignore[valid-type]
        "Their comments the site holds, by status (exact)."
    )
    first_seen: str = about("When their first comment arrived (UTC).", format="date-time")
    last_seen: str = about("When their latest comment arrived (UTC).", format="date-time")
    comments: list[QueueItem] = about("Their comments, newest first, every status.")
    next_cursor: str | None = about("Pass as `cursor` for older comments; null when none are left.")


class Stats(Answer):
    site: str
    counts: Counts  # type: ignore[valid-type]
    oldest_pending_age_seconds: Annotated[float, Field(ge=0)] | None
    decisions_today: dict[str, Count] = about("Decisions made today (UTC), by moderator name.")


# ---------------------------------------------------------------------------------------
# Privacy, learning, the moderator page, ops


class ErasureResult(Answer):
    erased: dict[str, Count] = about("Comments erased, by site.")
    rules_removed: dict[str, Count] = about(
        "Rules removed because they named the author's email (an email rule, a phrase "
        "holding it), by site; the rules' audit keeps the removal, without the email."
    )


class ModelReloadResult(Answer):
    version: str = about("The model now scoring intake.")
    path: str = about("Its file, or `default` for the shipped model.")


class CallbackDelivery(Answer):
    event_id: str = about("The event (X-Moderation-Delivery of every attempt).")
    type: CallbackEvent
    comment_id: str
    occurred_at: str = about("When the decision was made.", format="date-time")
    attempts: Count = about("Attempts made so far.")
    last_error: str | None = about(
        "Why the last attempt failed ('HTTP 500', 'no answer within 10 s', ...)."
    )
    next_attempt_at: str | None = about(
        "When it goes out next: null when dead, and while it waits for an earlier "
        "event of its comment.",
        format="date-time",
    )
    dead_at: str | None = about("When it was given up on (dead ones).", format="date-time")


class CallbackList(Answer):
    site: str
    state: CallbackState
    total: Count = about("How many deliveries are in this state in all.")
    deliveries: list[CallbackDelivery] = about("At most `limit` of them.")


class RedeliverResult(Answer):
    site: str
    queued: list[str] = about("The event ids queued again (they were dead).")
    not_dead: list[str] = about("Event ids asked for that are not dead (or not known).")


class CallbackComment(Answer):
    id: str = about("The service's comment id.")
    external_id: str | None = about("The CMS's own id of the comment, if it sent one.")
    post_id: str | None = about("The CMS's id of the post it was made on, if it sent one.")
    status: Status = about(
        "The comment's status now (pending again after an undo, and after an edit unless "
        "the site trusts edits of approved comments)."
    )
    previous_status: Status | None = about(
        "Its status before (null for a comment decided as it arrived)."
    )
    spam_score: Score | None
    abuse_score: Score | None = about(_ABUSE_SCORE)
    decision_reason: RejectReason | None = about(
        "A moderator's rejection's reason (comment.decided); null otherwise."
    )
    decided_by: str | None = about("The moderator (null for a site rule's decision).")
    rule: str | None = about("The site rule that decided it (comment.auto_decided).")
    note: str | None = about("The moderator's note.")


class CallbackBody(Answer):
    """What the service POSTs to a site's callback_url."""

    event_id: str = about("Unique per event; the same on every attempt: drop repeats by it.")
    type: CallbackEvent
    site: str
    occurred_at: str = about("When the decision (or edit) was made.", format="date-time")
    comment: CallbackComment


class HoldoutScores(Answer):
    roc_auc: float | None = about("On the site's held-out labels (null: one class only).")
    false_positive_rate: float | None = about("At the model's own threshold.")
    n: Count | None = about("How many held-out labels.")


class LabelCounts(Answer):
    ham: Count
    spam: Count


class ModelVersion(Answer):
    version: str | None
    trained_at: str | None = about("When it was trained.", format="date-time")
    labels: LabelCounts | None = about("The site's labels when it was trained.")
    holdout: HoldoutScores | None


class Retrain(Answer):
    outcome: str | None = about("swapped, kept, skipped or failed.")
    version: str | None = about("The version it put in use (swapped).")
    reason: str | None
    candidate: dict[str, Any] | None = about("The new model's held-out scores.")
    current: dict[str, Any] | None = about("The model in use's, on the same labels.")
    at_ms: int | None = about("When, in ms since the epoch.")


class SiteModel(Answer):
    site: str
    version: str | None = about("The model scoring the site now (its own, or the default).")
    own: bool = about("True when the site has a model of its own (learnt from its labels).")
    trained_at: str | None = about("When that model was trained.", format="date-time")
    labels: LabelCounts = about("The site's labels: human decisions (approve: ham, spam).")
    holdout: HoldoutScores | None = about(
        "How the model in use did on the labels held out of its training (null: default)."
    )
    previous: list[ModelVersion] = about("Earlier versions kept, for a rollback.")
    pending_labels: Count = about("Labels since the last retrain.")
    last_retrain: Retrain | None = about("The latest retrain's comparison, swapped or not.")
    learning: bool = about("Whether the site learns ([learning] enabled and the site's own).")


class RollbackResult(Answer):
    site: str
    version: str = about("The version that scores the site now.")


class ModeratorSession(Answer):
    moderator: str = about("The logged-in moderator's name.")
    sites: list[str] = about("The sites they moderate.")
    admin: bool = about(
        "Whether they are an admin moderator (rules, take-over): the page shows those "
        "controls only then; the API checks it again on every call."
    )
    csrf_token: str = about(f"Send it as {CSRF_HEADER} on every POST made with the session cookie.")


class Health(Answer):
    status: Literal["ok"]


class Check(Answer):
    ok: bool
    error: str = omitted("Why the check fails.")
    version: str = omitted("The loaded model's version (model check).")


class Checks(Answer):
    redis: Check
    model: Check


class Readiness(Answer):
    status: Literal["ready", "not ready"]
    checks: Checks
    failing: list[Literal["redis", "model"]] = omitted("The checks that fail (absent when ready).")


class SiteRule(Answer):
    id: str | None = about("The rule's id (null: a rule of the site's config file).")
    list: RuleList
    kind: RuleKind
    value: str = about("As the rule compares it: normalised (emails, domains, IPs, phrases).")
    note: str | None
    created_by: str = about("The admin moderator who added it, or `config`.")
    created_at: str | None = about("When (null for a rule of the config).", format="date-time")


class SiteRules(Answer):
    site: str
    rules: list[SiteRule] = about(
        "The config's block and allow lists first (id null), then the API's, oldest first."
    )


class RuleChange(Answer):
    action: Literal["added", "removed", "erased"] = about(
        "erased: removed by an author's erasure, because it named their email; that "
        "change and every earlier one about the rule show `(erased)` where the email was."
    )
    by: str = about("The admin moderator who made the change.")
    at: str = about("When.", format="date-time")
    rule: SiteRule


class RuleAudit(Answer):
    site: str
    total: Count = about("How many changes are kept (the latest 10,000).")
    changes: list[RuleChange] = about("At most `limit` of them, newest first.")


# ---------------------------------------------------------------------------------------
# The Perspective-compatible API: Google's answer messages, with Google's member names


class PerspectiveScore(Answer):
    value: Score
    type: Literal["PROBABILITY"] = about("Always PROBABILITY: the only score type here.")


class SpanScore(Answer):
    begin: Count = about("Where the sentence begins, in UTF-16 code units of the text.")
    end: Count = about("Where it ends (exclusive), in UTF-16 code units.")
    score: PerspectiveScore


class AttributeScores(Answer):
    summaryScore: PerspectiveScore = about("The comment's score as a whole.")
    spanScores: list[SpanScore] = omitted(
        "With `spanAnnotations`: each sentence's score (a sentence ends at ., ! or ? "
        "followed by a space, or at a line break), in the order of the text."
    )


class AnalyzeCommentResponse(Answer):
    """Perspective's AnalyzeCommentResponse."""

    attributeScores: dict[str, AttributeScores] = about(
        "The requested attributes, each unless its score is below its scoreThreshold."
    )
    languages: list[str] = about("The languages scored: those requested, or `en`.")
    detectedLanguages: list[str] = about(
        "Always `en`: the service detects no language; it scores English."
    )
    clientToken: str = omitted("The request's clientToken, when it sent one.")


class SuggestCommentScoreResponse(Answer):
    """Perspective's SuggestCommentScoreResponse: empty unless the request had a
    clientToken."""

    clientToken: str = omitted("The request's clientToken, when it sent one.")


class GoogleErrorStatus(Answer):
    code: int = about("The HTTP status.")
    message: str = about("What went wrong, for a human.")
    status: Literal[
        "INVALID_ARGUMENT",
        "UNAUTHENTICATED",
        "PERMISSION_DENIED",
        "NOT_FOUND",
        "ABORTED",
        "DEADLINE_EXCEEDED",
        "RESOURCE_EXHAUSTED",
        "INTERNAL",
        "UNAVAILABLE",
    ] = about("Google's status name for the code.")


class GoogleError(Answer):
    """An error of the Perspective-compatible API, in the shape Google's APIs answer
    (its clients read `error.message` and `error.status`)."""

    error: GoogleErrorStatus


# ---------------------------------------------------------------------------------------
# Coral's external moderation phase


class CoralAction(Answer):
    actionType: Literal["FLAG"]
    reason: Literal["COMMENT_DETECTED_TOXIC", "COMMENT_DETECTED_SPAM"]


class CoralPhaseAnswer(Answer):
    """Coral's ExternalModerationResponse."""

    actions: list[CoralAction] = about("The flags Coral adds to the comment.")
    status: Literal["SYSTEM_WITHHELD", "REJECTED"] = about(
        "SYSTEM_WITHHELD: held for Coral's moderators; REJECTED: rejected at once."
    )


ANSWERS: tuple[type[BaseModel], ...] = (
    Problem,
    ConflictProblem,
    IntakeAnswer,
    QueueItem,
    Comment,
    QueuePage,
    ClaimedItems,
    DecisionResult,
    BulkDecisionResults,
    ClaimResult,
    Released,
    Undone,
    CmsStatusResult,
    Author,
    Stats,
    ErasureResult,
    ModelReloadResult,
    CallbackList,
    RedeliverResult,
    SiteModel,
    RollbackResult,
    CallbackBody,
    ModeratorSession,
    Health,
    Readiness,
    SiteRule,
    SiteRules,
    RuleChange,
    RuleAudit,
    AnalyzeCommentResponse,
    SuggestCommentScoreResponse,
    GoogleError,
    CoralPhaseAnswer,
)
