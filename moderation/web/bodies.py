"""The moderator API's JSON bodies: one pydantic model per request body.

A handler turns the parsed JSON object into its model with ``parse``; a body that is not
one answers a single 422 listing every failing field in the request's own terms
(``lease_seconds``, ``decisions[3].note``).  Types are strict, as JSON's are: ``true`` is
not a number and ``"5"`` is not an integer.  Every string is checked as text (no lone
surrogate, no control character) before it is echoed, logged or made part of a key.
Fields a model does not know are ignored, so clients may send more than they must.

openapi.py documents these same models, so the API document cannot drift from them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SkipValidation,
    Strict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from moderation.core.fields import LONE_SURROGATE, describe, key_path
from moderation.core.records import Decision, RejectReason, Status
from moderation.core.text import blank_problem, odd_text
from moderation.intake.rules import RULE_VALUE_MAX, RuleKind, RuleList
from moderation.intake.validation import EMAIL_MAX, SITE_MAX, normalise_email
from moderation.storage.store import Order
from moderation.web.problems import FieldError, invalid

MAX_PAGE = 500  # comments per queue page or claim
MAX_BULK = 500  # decisions per bulk call
MAX_NOTE = 2_000
COMMENT_ID_MAX = 200
PATH_MAX = 4_096  # Linux's PATH_MAX
MAX_REDELIVER = 1_000  # event ids per redelivery call
EVENT_ID_MAX = 100
MAX_LEASE_SECONDS = 3_600
DEFAULT_LEASE_SECONDS = 300
DEFAULT_CLAIM = 10

Model = TypeVar("Model", bound=BaseModel)


def parse(model: type[Model], raw: Any, prefix: str = "") -> Model:
    """``raw`` as a ``model``, or a 422 naming every failing field (after ``prefix``)."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise invalid(field_errors(exc, prefix)) from exc


def field_errors(exc: ValidationError, prefix: str = "") -> list[FieldError]:
    """Each of pydantic's errors as the field at fault and what is wrong with it."""
    return [FieldError(key_path(e["loc"], prefix) or "body", describe(e)) for e in exc.errors()]


# ---------------------------------------------------------------------------------------
# Field types: the lengths are the fields' own (checked first, and documented), then the
# text itself is checked


def _text(*, allow_newlines: bool = False, blank: bool = True) -> AfterValidator:
    def check(value: str) -> str:
        problem = odd_text(value, allow_newlines=allow_newlines)
        if problem is None and not blank:
            problem = blank_problem(value)
        if problem is not None:
            raise PydanticCustomError("text", problem)
        return value

    return AfterValidator(check)


def _email(value: str) -> str:
    """An email as intake indexed it (normalised, lower-cased)."""
    errors: list[FieldError] = []
    email = normalise_email(value, errors)
    if errors:
        raise PydanticCustomError("email", errors[0].message)
    return email


def _described(description: str) -> Any:
    return Field(description=description)


Note = Annotated[
    str,
    Strict(),
    Field(max_length=MAX_NOTE, description="Why (kept in the audit trail)."),
    _text(allow_newlines=True),
    AfterValidator(lambda value: value.strip()),  # not str.strip: 2.7 passes it two
]
CommentId = Annotated[
    str,
    Strict(),
    Field(min_length=1, max_length=COMMENT_ID_MAX, description="The service's comment id."),
    _text(),
]
SiteId = Annotated[str, Strict(), Field(min_length=1, max_length=SITE_MAX), _text()]
Email = Annotated[
    str,
    Strict(),
    Field(min_length=1, max_length=EMAIL_MAX, json_schema_extra={"format": "email"}),
    AfterValidator(_email),
]
EventId = Annotated[
    str,
    Strict(),
    Field(min_length=1, max_length=EVENT_ID_MAX, description="A callback's event_id."),
    _text(blank=False),
]
Score = Annotated[float, Strict(), Field(ge=0, le=1)]
LeaseEnd = Annotated[int, Strict(), Field(ge=0)]
# The path goes into the answer, the log and open(): a lone surrogate cannot be a file
# name (nor encoded at all), and a NUL cuts one short.
ModelPath = Annotated[str, Strict(), Field(min_length=1, max_length=PATH_MAX), _text(blank=False)]
DecisionField = Annotated[
    Decision, Field(description="approve → approved, spam → spam, reject → rejected.")
]
_EMPTY_IS_NONE: Callable[[Any], Any] = lambda v: None if v == "" else v  # noqa: E731


class Body(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


# ---------------------------------------------------------------------------------------
# Request bodies


Override = Annotated[
    bool,
    Strict(),
    _described(
        "Re-decide a comment that is already decided (by anyone: a moderator, a site "
        "rule, the CMS), or that another moderator has claimed.  Without it both are 409, "
        "so two moderators never silently overwrite each other."
    ),
]
LeaseSeconds = Annotated[
    float,
    Strict(),
    Field(ge=1, le=MAX_LEASE_SECONDS),
    _described("How long the claim keeps others' decisions out."),
]


Reason = Annotated[
    RejectReason | None,
    _described(
        "With `reject` only: why.  `abuse` labels the comment abusive (for learning); "
        "spam, off_topic and other say what it was instead.  Kept in the record "
        "(`decision_reason`), its history and its callback."
    ),
]


def _reason_with_reject(reason: RejectReason | None, info: ValidationInfo) -> RejectReason | None:
    """A reason beside approve or spam is refused (under ``reason``), not dropped: the
    client meant something the decision cannot say.  (A bad decision is its own error.)"""
    decision = info.data.get("decision")
    if reason is not None and decision is not None and decision != Decision.REJECT:
        raise PydanticCustomError("reason", "only a reject carries a reason")
    return reason


class DecisionRequest(Body):
    decision: DecisionField
    note: Note | None = None
    override: Override = False
    reason: Reason = None

    _reason = field_validator("reason")(_reason_with_reject)


CMS_ACTOR_MAX = 200


class CmsStatusRequest(Body):
    """A CMS's own decision on a comment (``POST /v1/comments/{id}/cms-status``)."""

    status: Annotated[
        Status,
        Field(
            description="What the CMS made of the comment: approved (published), spam, "
            "rejected (trashed or deleted) or pending (held for moderation again)."
        ),
    ]
    actor: (
        Annotated[
            str,
            Strict(),
            Field(
                max_length=CMS_ACTOR_MAX,
                description="The CMS user who decided (kept in the history as cms_user).",
            ),
            _text(),
            AfterValidator(lambda value: value.strip()),
        ]
        | None
    ) = None


class BulkDecisionItem(Body):
    id: CommentId
    decision: DecisionField
    note: Note | None = None
    override: Override = False
    reason: Reason = None

    _reason = field_validator("reason")(_reason_with_reject)


class BulkDecisionRequest(Body):
    # Each item is validated on its own (as a BulkDecisionItem): a bad one is answered in
    # its own result, and the others are still decided.
    decisions: Annotated[
        list[SkipValidation[BulkDecisionItem]],
        Field(min_length=1, max_length=MAX_BULK, description="Each one is decided on its own."),
    ]


class ClaimRequest(Body):
    site: SiteId
    limit: Annotated[int, Strict(), Field(ge=1, le=MAX_PAGE)] = DEFAULT_CLAIM
    lease_seconds: LeaseSeconds = DEFAULT_LEASE_SECONDS
    order: Order = Order.SCORE
    min_score: Score | None = None
    max_score: Score | None = None
    author_email: Annotated[
        Email | None,
        BeforeValidator(_EMPTY_IS_NONE),
        _described("Only this author's pending comments."),
    ] = None


class CommentClaimRequest(Body):
    """Claim one comment (``POST /v1/comments/{id}/claim``)."""

    take: Annotated[
        bool,
        Strict(),
        _described(
            "Take the comment over from the moderator who holds it (admins only): their "
            "lease ends and the history records it.  Without it, a comment someone else "
            "holds is 409."
        ),
    ] = False
    lease_seconds: LeaseSeconds = DEFAULT_LEASE_SECONDS


class ReleaseRequest(Body):
    lease_until_ms: Annotated[
        LeaseEnd | None,
        _described(
            "The lease_until_ms the claim answered; without it, whichever lease the "
            "moderator holds is released."
        ),
    ] = None


class ErasureRequest(Body):
    author_email: Annotated[Email, _described("The author whose personal data goes.")]
    site: Annotated[
        SiteId | None, _described("Only this site; by default every site the caller moderates.")
    ] = None


class ModelReloadRequest(Body):
    path: Annotated[
        ModelPath | None, _described("A model file (.skops); by default the configured one.")
    ] = None


class RedeliverRequest(Body):
    site: SiteId
    event_ids: Annotated[
        list[EventId] | None,
        Field(min_length=1, max_length=MAX_REDELIVER),
        _described("Dead events to send again; by default every dead one of the site."),
    ] = None


class RollbackRequest(Body):
    site: SiteId
    version: Annotated[
        str,
        Strict(),
        Field(min_length=1, max_length=64),
        _text(blank=False),
        _described("A kept version of the site's model (GET /v1/model lists them)."),
    ]


class RuleRequest(Body):
    """A rule for a site's block, allow or trusted list (``POST /v1/rules``)."""

    site: SiteId
    list: Annotated[
        RuleList,
        _described(
            "block: marked spam at once; allow: approved at once; trusted: approved "
            "unless a spam rule (a repeat with auto_spam_duplicates, auto_spam_above) "
            "holds it."
        ),
    ]
    kind: Annotated[
        RuleKind,
        _described(
            "email: the author's email (normalised as intake does); email_domain: the "
            "email's domain or a subdomain of it; ip: the author's IP, an address or a "
            "CIDR (v4 or v6); link_domain: a link in the content, or the author_url, "
            "whose host is the domain or a subdomain; phrase: a case-insensitive "
            "substring of the content, spacing folded."
        ),
    ]
    value: Annotated[
        str,
        Strict(),
        Field(
            min_length=1,
            max_length=RULE_VALUE_MAX,
            description="Domains bare (spam.example; a leading @ is dropped).",
        ),
        _text(blank=False),
    ]
    note: Note | None = None


# ---------------------------------------------------------------------------------------
# The Perspective-compatible API (web/perspective.py): Google's own request messages,
# with Google's member names (camelCase, as its JSON has them; the proto's snake_case
# names are taken too, as Google's JSON parser takes them).  Unlike the moderator API's
# bodies, a member these messages do not have is refused, as Google refuses it.


def _optional(description: str) -> Any:
    return Field(default=None, description=description)


def _utf8(value: str) -> str:
    if odd_text(value, allow_newlines=True) == LONE_SURROGATE:
        raise PydanticCustomError("text", LONE_SURROGATE)
    return value


# Text Google's clients send: any string UTF-8 can carry (control characters included:
# a comment may hold a tab), never a lone surrogate, which cannot be echoed or scored.
GoogleText = Annotated[str, Strict(), AfterValidator(_utf8)]
GOOGLE_TOKEN_MAX = 1_000  # clientToken, sessionId, communityId: opaque, echoed or kept
GoogleToken = Annotated[GoogleText, Field(max_length=GOOGLE_TOKEN_MAX)]
GOOGLE_LANGUAGES_MAX = 20


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class GoogleMessage(BaseModel):
    """A message of Google's JSON: unknown members refused, snake_case names taken,
    types strict (``"true"`` is not a boolean)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    @model_validator(mode="before")
    @classmethod
    def _proto_names(cls, data: Any) -> Any:
        if isinstance(data, dict) and any("_" in k for k in data if isinstance(k, str)):
            return {
                (_camel(k) if isinstance(k, str) and _camel(k) in cls.model_fields else k): v
                for k, v in data.items()
            }
        return data


class TextEntry(GoogleMessage):
    """A body of text: the comment, or an entry of its context."""

    text: GoogleText | None = _optional("The text (UTF-8).")
    type: (
        Annotated[
            Literal["TEXT_TYPE_UNSPECIFIED", "PLAIN_TEXT", "HTML"],
            _described("HTML: its tags are left out of scoring (span offsets still count them)."),
        ]
        | None
    ) = None


class ArticleAndParentComment(GoogleMessage):
    article: TextEntry | None = None
    parentComment: TextEntry | None = None


class PerspectiveContext(GoogleMessage):
    """What the comment replies to; taken and not used (Perspective does not use it
    either)."""

    entries: list[TextEntry] | None = None
    articleAndParentComment: ArticleAndParentComment | None = None


class AttributeParameters(GoogleMessage):
    scoreType: GoogleText | None = _optional(
        "PROBABILITY (the default) is the only score type answered."
    )
    scoreThreshold: (
        Annotated[
            float,
            Field(ge=0, le=1, description="Scores below it are left out of the answer."),
        ]
        | None
    ) = None


Languages = Annotated[
    list[GoogleText],
    Field(
        max_length=GOOGLE_LANGUAGES_MAX,
        description="ISO 639 or BCP-47 codes; only English (en, en-*) is scored here.",
    ),
]


class AnalyzeCommentRequest(GoogleMessage):
    """``POST /v1alpha1/comments:analyze``: Perspective's AnalyzeCommentRequest."""

    comment: TextEntry | None = None
    context: PerspectiveContext | None = None
    requestedAttributes: dict[str, AttributeParameters] | None = _optional(
        "The attributes to score, each with its parameters ({} for the defaults)."
    )
    languages: Languages | None = None
    doNotStore: bool | None = _optional("Nothing is ever stored here; taken and not used.")
    spanAnnotations: bool | None = _optional(
        "Also score each sentence of the comment (`spanScores`)."
    )
    clientToken: GoogleToken | None = _optional("Echoed in the answer.")
    sessionId: GoogleToken | None = None
    communityId: GoogleToken | None = None


class PerspectiveScoreIn(GoogleMessage):
    value: Annotated[float, Field(ge=0, le=1)] | None = None
    type: GoogleText | None = None


class SpanScoreIn(GoogleMessage):
    begin: Annotated[int, Field(ge=0)] | None = None
    end: Annotated[int, Field(ge=0)] | None = None
    score: PerspectiveScoreIn | None = None


class AttributeScoresIn(GoogleMessage):
    summaryScore: PerspectiveScoreIn | None = None
    spanScores: list[SpanScoreIn] | None = None


class SuggestCommentScoreRequest(GoogleMessage):
    """``POST /v1alpha1/comments:suggestscore``: Perspective's SuggestCommentScoreRequest,
    a client's correction: kept as an abuse label of the site (from TOXICITY)."""

    comment: TextEntry | None = None
    context: PerspectiveContext | None = None
    attributeScores: dict[str, AttributeScoresIn] | None = _optional(
        "The scores the client says are right; TOXICITY's summary value at or above 0.5 "
        "is an abuse label, below it a not-abuse label."
    )
    languages: Languages | None = None
    clientToken: GoogleToken | None = _optional("Echoed in the answer.")
    sessionId: GoogleToken | None = None
    communityId: GoogleToken | None = None


# ---------------------------------------------------------------------------------------
# Coral's external moderation phase (web/coral.py): what Coral POSTs, as its
# server/EXTERNAL_MODERATION_PHASES.md describes it.  Members Coral may add later are
# ignored; the ones it always sends are required only where the verdict needs them.

CORAL_ID_MAX = 200


class CoralComment(Body):
    body: Annotated[
        GoogleText,
        _described("The comment's text, as HTML or stripped (the phase's format)."),
    ]
    parentID: Annotated[GoogleText, Field(max_length=CORAL_ID_MAX)] | None = None


class CoralAuthor(Body):
    id: Annotated[GoogleText, Field(max_length=CORAL_ID_MAX)] | None = None
    role: Annotated[GoogleText, Field(max_length=CORAL_ID_MAX)] | None = None


class CoralStory(Body):
    id: Annotated[GoogleText, Field(max_length=CORAL_ID_MAX)] | None = None
    url: Annotated[GoogleText, Field(max_length=PATH_MAX)] | None = None


class CoralSite(Body):
    id: Annotated[GoogleText, Field(max_length=CORAL_ID_MAX)] | None = None


class CoralPhaseRequest(Body):
    """``POST /coral/v1/phase``: Coral's ExternalModerationRequest."""

    action: Annotated[
        Literal["NEW", "EDIT"],
        _described("NEW: a comment being created; EDIT: one being edited (scored alike)."),
    ]
    comment: CoralComment
    author: CoralAuthor | None = None
    story: CoralStory | None = None
    site: CoralSite | None = None
    tenantID: Annotated[GoogleText, Field(max_length=CORAL_ID_MAX)] | None = None
    tenantDomain: Annotated[GoogleText, Field(max_length=CORAL_ID_MAX)] | None = None
