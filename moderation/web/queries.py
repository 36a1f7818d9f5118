"""The moderator API's query parameters: one pydantic model per endpoint's query.

A query is text, so the types here take text and say precisely what they take: a number
is plain decimal digits (Python's ``int()`` and ``float()`` also take ``"1_0"``,
``"nan"``, ``"infinity"``, ``" 5 "`` and digits of every script, ``"\\uff15"``), and
short (``int()`` of a 5,000-digit string is slow work for nothing); a choice is one of
its values; text is checked as text (no lone surrogate, no control character) before it
is echoed, logged or made part of a key.  An empty value (``?limit=``) is the default,
as if left out.  ``query_values`` answers every failing parameter at once.

openapi.py documents the parameters from these same models (``query_parameters``), so
the API document cannot drift from them.  What depends on the caller (the moderator's
one site when ``site`` is left out) is the handler's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationError,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from moderation.config import SITE_ID_RE
from moderation.core.netaddr import url_problem
from moderation.core.records import Status
from moderation.core.text import odd_text, repeated_fields, repeated_names
from moderation.intake.validation import ID_MAX, NAME_MAX, URL_MAX
from moderation.storage.store import CallbackState, Order
from moderation.web.bodies import MAX_PAGE, Email, SiteId, field_errors
from moderation.web.problems import FieldError

DEFAULT_PAGE = 50

Query = TypeVar("Query", bound=BaseModel)

_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,18}")
_DECIMAL_NUMBER = re.compile(r"-?(?:[0-9]{1,18}(?:\.[0-9]{0,18})?|\.[0-9]{1,18})")


@dataclass(frozen=True, slots=True)
class Number:
    """Annotated metadata: a number from ``lo`` to ``hi`` in plain decimal digits, whole
    or (``decimals``) with a fraction (``0.5``, ``.5``, ``1``; no exponent, no ``nan``).
    The bounds checked are the bounds documented."""

    lo: float
    hi: float
    decimals: bool = False

    def check(self, raw: Any) -> float:
        pattern, kind, message = (
            (_DECIMAL_NUMBER, "decimal_number", "must be a decimal number such as 0.5")
            if self.decimals
            else (_WHOLE_NUMBER, "whole_number", "must be a whole number in decimal digits")
        )
        if not isinstance(raw, str) or not pattern.fullmatch(raw):
            raise PydanticCustomError(kind, message)
        value = float(raw) if self.decimals else int(raw)
        if not self.lo <= value <= self.hi:
            raise PydanticCustomError("between", f"must be between {self.lo} and {self.hi}")
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.update(minimum=self.lo, maximum=self.hi)
        return json_schema


def _choice(enum: type[StrEnum]) -> BeforeValidator:
    """One of ``enum``'s values, refused in the words the API has always used."""
    values = {e.value for e in enum}
    message = "must be one of: " + ", ".join(e.value for e in enum)

    def check(raw: Any) -> Any:
        if raw not in values:
            raise PydanticCustomError("choice", message)
        return enum(raw)

    return BeforeValidator(check)


def _some_email(raw: Any) -> Any:
    if isinstance(raw, str) and not raw.strip():
        raise PydanticCustomError("email", "must be an email address")
    return raw


ScoreParam = Annotated[float, Number(0.0, 1.0, decimals=True)]
SEARCH_MAX = 200  # characters of a text search


def _query_text(raw: Any) -> Any:
    """Text checked as text (before it is echoed or made part of a key), trimmed as
    intake trims what it stores; blank is refused."""
    if not isinstance(raw, str):
        return raw
    problem = odd_text(raw)
    if problem is None and not raw.strip():
        problem = "must not be blank"
    if problem is not None:
        raise PydanticCustomError("text", problem)
    return raw.strip()


def _query_url(raw: Any) -> Any:
    """A post's URL, checked as intake checks the one it stores: no stored comment has
    any other kind, so anything else would only ever match nothing and is refused."""
    text = _query_text(raw)
    if isinstance(text, str):
        problem = url_problem(text)
        if problem is not None:
            raise PydanticCustomError("url", problem)
    return text


def _text_param(max_length: int, description: str) -> Any:
    return Field(max_length=max_length, description=description)


class QueryModel(BaseModel):
    # Parameters a model does not know are ignored, as they always were.
    model_config = ConfigDict(frozen=True, extra="ignore")


# Documented as the config's rule for a site id, which every site that exists follows;
# any other text is checked as text and answers 404 like any unknown site.  (SiteId's own
# 200 characters would let generated requests outgrow aiohttp's 8,190-byte request line.)
SiteParam = Annotated[
    SiteId | None,
    WithJsonSchema({"type": "string", "pattern": SITE_ID_RE.pattern}),
    Field(description="The site; may be left out by a moderator of exactly one site."),
]


class QueueQuery(QueryModel):
    """``GET /v1/queue``."""

    site: SiteParam = None
    order: Annotated[
        Order,
        _choice(Order),
        Field(description="score: most suspicious first; oldest or newest first."),
    ] = Order.SCORE
    status: Annotated[Status, _choice(Status), Field(description="Which comments to list.")] = (
        Status.PENDING
    )
    limit: Annotated[int, Number(1, MAX_PAGE), Field(description="Page size.")] = DEFAULT_PAGE
    cursor: Annotated[
        str | None,
        Field(
            description="Opaque: the previous page's next_cursor.  Stays correct while "
            "comments are added and decided."
        ),
    ] = None  # checked by the store, which gave it out
    min_score: Annotated[ScoreParam | None, Field(description="Lowest score.")] = None
    max_score: Annotated[ScoreParam | None, Field(description="Highest score.")] = None
    author_email: Annotated[
        Email | None,
        BeforeValidator(_some_email),
        Field(description="Only comments by this author (case-insensitive)."),
    ] = None
    post_id: Annotated[
        str | None,
        BeforeValidator(_query_text),
        _text_param(ID_MAX, "Only comments on this post (the CMS's post_id, exactly)."),
    ] = None
    post_url: Annotated[
        str | None,
        BeforeValidator(_query_url),
        WithJsonSchema({"type": "string", "format": "uri", "maxLength": URL_MAX}),
        _text_param(
            URL_MAX,
            "Only comments on the post at this URL (the CMS's post_url, exactly as it "
            "sent it: no normalisation, so http://a/p and http://a/p/ are two posts).",
        ),
    ] = None
    author_name: Annotated[
        str | None,
        BeforeValidator(_query_text),
        _text_param(NAME_MAX, "Only comments under this author name (exact, case-insensitive)."),
    ] = None
    q: Annotated[
        str | None,
        BeforeValidator(_query_text),
        _text_param(
            SEARCH_MAX,
            "Only comments whose text contains this (case-insensitive).  A search "
            "examines at most 1,000 comments per page: a short page with a next_cursor "
            "means more may follow.",
        ),
    ] = None


class AuthorQuery(QueryModel):
    """``GET /v1/authors``."""

    site: SiteParam = None
    email: Annotated[
        Email,
        BeforeValidator(_some_email),
        Field(description="The author's email (normalised as intake does: case-insensitive)."),
    ]
    limit: Annotated[
        int, Number(1, MAX_PAGE), Field(description="How many of their comments to list.")
    ] = DEFAULT_PAGE
    cursor: Annotated[
        str | None,
        Field(description="Opaque: the previous answer's next_cursor (older comments)."),
    ] = None


class StatsQuery(QueryModel):
    """``GET /v1/stats``."""

    site: SiteParam = None


class CallbacksQuery(QueryModel):
    """``GET /v1/callbacks``."""

    site: Annotated[
        SiteId,
        WithJsonSchema({"type": "string", "pattern": SITE_ID_RE.pattern}),
        Field(description="The site whose callbacks to list."),
    ]
    state: Annotated[
        CallbackState,
        _choice(CallbackState),
        Field(
            description="pending: not delivered yet (oldest first); dead: given up on "
            "(latest first)."
        ),
    ] = CallbackState.PENDING
    limit: Annotated[int, Number(1, MAX_PAGE), Field(description="How many to list.")] = (
        DEFAULT_PAGE
    )


class ModelQuery(QueryModel):
    """``GET /v1/model``."""

    site: Annotated[
        SiteId,
        WithJsonSchema({"type": "string", "pattern": SITE_ID_RE.pattern}),
        Field(description="The site whose model to describe."),
    ]


def query_values(
    model: type[Query], query: Mapping[str, str]
) -> tuple[Query | None, list[FieldError]]:
    """The query as a ``model``, or None and every failing parameter by name; a
    parameter given twice (``request.query`` is a multidict: its items are every one
    given) is one of them, as a key twice in a body is."""
    raw: dict[str, str] = {}
    pairs = list(query.items())
    for name, value in pairs:
        if value != "":
            raw.setdefault(name, value)
    repeated = repeated_fields(repeated_names(pairs))
    try:
        parsed = model.model_validate(raw)
    except ValidationError as exc:
        return None, repeated + field_errors(exc)
    return (None, repeated) if repeated else (parsed, [])


class RulesQuery(QueryModel):
    """``GET /v1/rules`` and ``DELETE /v1/rules/{id}``."""

    site: Annotated[
        SiteId,
        WithJsonSchema({"type": "string", "pattern": SITE_ID_RE.pattern}),
        Field(description="The site whose rules these are."),
    ]


class RulesAuditQuery(QueryModel):
    """``GET /v1/rules/audit``."""

    site: Annotated[
        SiteId,
        WithJsonSchema({"type": "string", "pattern": SITE_ID_RE.pattern}),
        Field(description="The site whose rule changes to list."),
    ]
    limit: Annotated[int, Number(1, MAX_PAGE), Field(description="How many to list.")] = (
        DEFAULT_PAGE
    )
