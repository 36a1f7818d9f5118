"""The OpenAPI 3.1 description of every endpoint (kept true by tests/test_openapi.py).

The schemas are generated from the models themselves: the request bodies from the
models that validate them (bodies.py, validation.CommentSubmission), the query
parameters from queries.py's, the answers from answers.py.  What is written here is
what no model holds: the paths and their operations, the other parameters, headers,
security and examples.  Limits in descriptions come
from the constants that enforce them.  The document is built once on first use; the
tests check that every registered route is described and that real answers of the
running app validate against it.

Response schemas leave ``additionalProperties`` open on purpose: clients must ignore
members they do not know (RFC 9457 says so for problems), so the service may add fields
without breaking anyone.  The tests close them, so no undocumented field slips in.
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from moderation import __version__
from moderation.config import DEFAULT_PORT, IntakeConfig
from moderation.core.signing import SIGNATURE_HEADER
from moderation.intake.validation import FORM_TYPE, JSON_TYPE, CommentSubmission
from moderation.storage.store import IDEMPOTENCY_TTL_SECONDS, UNDO_WINDOW_MS
from moderation.web.akismet import PARAMETERS as AKISMET_PARAMETERS
from moderation.web.akismet import THANKS as AKISMET_THANKS
from moderation.web.answers import ANSWERS
from moderation.web.bodies import (
    MAX_BULK,
    BulkDecisionItem,
    BulkDecisionRequest,
    ClaimRequest,
    CmsStatusRequest,
    DecisionRequest,
    ErasureRequest,
    ModelReloadRequest,
    RedeliverRequest,
    ReleaseRequest,
    RollbackRequest,
)
from moderation.web.problems import PROBLEM_JSON
from moderation.web.queries import CallbacksQuery, ModelQuery, QueueQuery, StatsQuery
from moderation.web.ui import (
    ASSET_PATH,
    ASSETS,
    COOKIE,
    CSRF_HEADER,
    LOGIN_PATH,
    LOGOUT_PATH,
    MAX_TOKEN_FIELD,
    PAGE_PATH,
    SECURE_COOKIE,
    SESSION_PATH,
)

Json = dict[str, Any]
Security = list[dict[str, list[str]]]

METRICS_TYPE = "text/plain"

# The security requirements an operation may list (any one of them suffices).  The
# moderator page's session cookie works wherever a moderator token does.
SITE: Security = [{"siteKey": []}]
MODERATOR: Security = [{"moderatorToken": []}, {"moderatorSession": []}]
SITE_OR_MODERATOR: Security = [{"siteKey": []}, *MODERATOR]
SESSION: Security = [{"moderatorSession": []}]
OPTIONAL_SESSION: Security = [{}, {"moderatorSession": []}]
PUBLIC: Security = []
HTML_TYPE = "text/html"


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


_INTAKE_DEFAULTS = IntakeConfig()


def _duration(seconds: int) -> str:
    """300 as '5 minutes', 86400 as '24 hours': a limit as a reader says it."""
    for unit, size in (("hours", 3600), ("minutes", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} seconds"


# ---------------------------------------------------------------------------------------
# Schemas: generated from the models that validate the bodies (bodies.py, validation.py)
# and from those that say what the answers hold (answers.py)

REQUESTS: tuple[type[BaseModel], ...] = (
    CommentSubmission,
    DecisionRequest,
    CmsStatusRequest,
    BulkDecisionRequest,
    BulkDecisionItem,  # a component of its own (pydantic 2.7 refers to it only so)
    ClaimRequest,
    ReleaseRequest,
    ErasureRequest,
    ModelReloadRequest,
    RedeliverRequest,
    RollbackRequest,
)


class _Schema(GenerateJsonSchema):
    """pydantic's JSON Schema as this document has it: no title on every member, and no
    ``default: null`` on a member that is simply left out."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def default_schema(self, schema: Any) -> Json:
        json_schema: Json = super().default_schema(schema)
        if "default" in json_schema and json_schema["default"] is None:
            del json_schema["default"]
        return json_schema


def _schemas() -> Json:
    _, generated = models_json_schema(
        [(model, "validation") for model in (*REQUESTS, *ANSWERS)],
        ref_template="#/components/schemas/{model}",
        schema_generator=_Schema,
    )
    schemas: Json = generated["$defs"]
    # The moderator page's forms, which ui.py reads itself
    schemas["LoginForm"] = {
        "type": "object",
        "required": ["token"],
        "properties": {
            "token": {
                "type": "string",
                "description": "A moderator token.",
                "maxLength": MAX_TOKEN_FIELD,
            }
        },
    }
    schemas["LogoutForm"] = {
        "type": "object",
        "properties": {
            "csrf": {
                "type": "string",
                "description": f"The session's CSRF token (or send {CSRF_HEADER}).",
            }
        },
    }
    return schemas


# ---------------------------------------------------------------------------------------
# Responses, parameters, headers


def _header(description: str, schema: Json, *, required: bool = True) -> Json:
    return {"description": description, "required": required, "schema": schema}


_TEXT: Json = {"type": "string"}
_HEADERS: Json = {
    "X-Request-ID": _header(
        "The request id: the one sent (if well-formed) or a new one.", _TEXT, required=False
    ),
    "Retry-After": _header("Seconds to wait before retrying.", {"type": "integer", "minimum": 0}),
    "WWW-Authenticate": _header("The bearer challenge.", _TEXT),
    "Location": _header("Where the browser goes next.", _TEXT),
    "Set-Cookie": _header(
        f"The session cookie ({COOKIE}, or {SECURE_COOKIE} over https): HttpOnly, "
        "SameSite=Strict; set on login, cleared on logout.",
        _TEXT,
    ),
    "Content-Security-Policy": _header(
        "Strict: scripts and styles from this origin only, no inline code.", _TEXT
    ),
    "Idempotent-Replayed": _header(
        "'true' when this answer is the stored first answer to a repeat.",
        {"type": "string", "enum": ["true"]},
        required=False,
    ),
}

_PROBLEM_TEXT = {
    400: "Malformed request: the body is not valid JSON, form or UTF-8.",
    401: "Missing or unknown credentials.",
    403: "Forbidden.",
    404: "No such resource, or one the caller may not see (never 403, so ids do not leak).",
    409: "Conflict.",
    413: "The body is larger than the limit.",
    415: "Unsupported Content-Type.",
    422: "Invalid fields: every failing field is listed in `errors`.",
    429: "A rate limit of the site is exhausted; retry after Retry-After seconds.",
    503: "Redis is unreachable (nothing was stored); retry after Retry-After seconds.",
    500: "An unexpected error; the request id finds it in the logs.",
}


# Why a moderator POST may answer 403: only a session cookie can get it, never a token.
CSRF_403 = {
    "s403": f"Sent with the page's session cookie, but from another origin or without the "
    f"session's {CSRF_HEADER} header.  (Bearer tokens never get this.)"
}


def _header_refs(*names: str) -> Json:
    return {name: {"$ref": f"#/components/headers/{name}"} for name in ("X-Request-ID", *names)}


def _json(schema: Json, description: str, *headers: str) -> Json:
    return {
        "description": description,
        "headers": _header_refs(*headers),
        "content": {JSON_TYPE: {"schema": schema}},
    }


def _problems(*statuses: int, **texts: str) -> Json:
    """Problem answers for ``statuses`` (plus 500, which any handler may give); ``texts``
    (``s403="..."``) says when this operation gives one."""
    answers: Json = {}
    for status in (*statuses, 500):
        headers = {
            401: ("WWW-Authenticate",),
            429: ("Retry-After",),
            503: ("Retry-After",),
        }.get(status, ())
        schema = _ref("ConflictProblem" if status == 409 else "Problem")
        answers[str(status)] = {
            "description": texts.get(f"s{status}", _PROBLEM_TEXT[status]),
            "headers": _header_refs(*headers),
            "content": {PROBLEM_JSON: {"schema": schema}},
        }
    return answers


def _json_body(schema_name: str, description: str | None = None) -> Json:
    body: Json = {"required": True, "content": {JSON_TYPE: {"schema": _ref(schema_name)}}}
    if description:
        body["description"] = description
    return body


def _param(name: str) -> Json:
    return {"$ref": f"#/components/parameters/{name}"}


_PARAMETERS: Json = {
    "CommentId": {
        "name": "id",
        "in": "path",
        "required": True,
        "description": "The service's comment id (as answered by intake).",
        "schema": {"type": "string", "maxLength": 120},
    },
    "CmsCommentId": {
        "name": "id",
        "in": "path",
        "required": True,
        "description": "The service's comment id (as answered by intake), or "
        "`ext:<the CMS's own comment id>` (the `id` it sent to intake).",
        "schema": {"type": "string", "maxLength": 220},
        "example": "ext:42",
    },
    "CsrfToken": {
        "name": CSRF_HEADER,
        "in": "header",
        "required": False,
        "description": (
            "Required with the moderator page's session cookie (the `csrf_token` of "
            f"GET {SESSION_PATH}); not used with a bearer token."
        ),
        "schema": {"type": "string"},
    },
    "RequestId": {
        "name": "X-Request-ID",
        "in": "header",
        "required": False,
        "description": "A request id to log and echo back (1-128 of A-Z a-z 0-9 . _ : -).",
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,128}$"},
    },
    "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": (
            "Makes a retry safe without a CMS `id`: the same site and key within "
            f"{_duration(IDEMPOTENCY_TTL_SECONDS)} "
            "answers the first answer again and stores nothing new."
        ),
        "schema": {"type": "string", "pattern": "^[!-~]{1,255}$"},
    },
    "Signature": {
        "name": SIGNATURE_HEADER,
        "in": "header",
        "required": False,
        "description": (
            "Required when the site has a `signing_secret`: "
            "`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.' + raw body)>`, within "
            f"the tolerance ({_duration(_INTAKE_DEFAULTS.signature_tolerance_seconds)} by "
            "default, [intake] signature_tolerance_seconds).  Several v1 entries are allowed, for "
            "secret rotation.  Missing, malformed, wrong or stale: 403."
        ),
        "schema": {"type": "string"},
        "example": "t=1767225600,v1="
        + "5257a869e7ecebeda32affa62cdca3fa"
        + "51cad7e77a0e56ff536d0ce8e108d8bd",
    },
}


def query_parameters(model: type[BaseModel]) -> list[Json]:
    """The query parameters of ``model`` (queries.py), one per field: its name, schema
    (inlined, without the ``null`` a query value cannot be), description and whether it
    is required, all from the model that checks them."""
    generated = model.model_json_schema(schema_generator=_Schema, mode="validation")
    definitions: Json = generated.get("$defs", {})
    required = set(generated.get("required", ()))
    parameters: list[Json] = []
    for name, member in generated["properties"].items():
        schema = dict(member)
        description = schema.pop("description")
        if "anyOf" in schema:
            [schema_of_value] = [s for s in schema.pop("anyOf") if s != {"type": "null"}]
            schema = {**schema_of_value, **schema}
        if "$ref" in schema:
            referred = definitions[schema.pop("$ref").rsplit("/", 1)[1]]
            schema = {**{k: v for k, v in referred.items() if k != "title"}, **schema}
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": name in required,
                "schema": schema,
                "description": description,
            }
        )
    return parameters


def _operation(
    operation_id: str,
    tag: str,
    summary: str,
    responses: Json,
    *,
    security: Security | None = None,
    parameters: list[Json] | None = None,
    body: Json | None = None,
    description: str | None = None,
) -> Json:
    op: Json = {"operationId": operation_id, "tags": [tag], "summary": summary}
    if description:
        op["description"] = description
    op["parameters"] = [*(parameters or []), _param("RequestId")]
    if body is not None:
        op["requestBody"] = body
    op["responses"] = responses
    op["security"] = security if security is not None else PUBLIC
    return op


# ---------------------------------------------------------------------------------------
# Paths


def _paths() -> Json:
    comment_id = [_param("CommentId")]
    moderator_json = (400, 401, 403, 404, 409, 413, 415, 422, 503)
    csrf = _param("CsrfToken")
    return {
        "/v1/comments": {
            "post": _operation(
                "submitComment",
                "intake",
                "Submit a comment for moderation (the CMS's webhook)",
                {
                    "202": _json(
                        _ref("IntakeAnswer"),
                        "Stored (or a repeat: the first answer again).",
                        "Idempotent-Replayed",
                    ),
                    **_problems(
                        400,
                        401,
                        403,
                        413,
                        415,
                        422,
                        429,
                        503,
                        s401="Missing or unknown site API key.",
                        s403="The site requires a signature and it is missing, "
                        "malformed, wrong or stale.",
                        s413="The body is over the intake limit "
                        f"({_INTAKE_DEFAULTS.max_body_bytes // 1024} KiB by default, "
                        "[intake] max_body_bytes).",
                        s415="Send application/json (UTF-8) or application/x-www-form-urlencoded.",
                        s422="Invalid fields (every one listed), or a malformed Idempotency-Key.",
                        s429="The site's, or this author IP's, token bucket is empty "
                        "(`rate_limit` / `ip_rate_limit`).",
                        s503="Redis is unreachable or the model is not loaded yet: "
                        "nothing was stored; retry after Retry-After seconds.",
                    ),
                },
                security=SITE,
                parameters=[_param("IdempotencyKey"), _param("Signature")],
                body={
                    "required": True,
                    "content": {
                        JSON_TYPE: {"schema": _ref("CommentSubmission")},
                        FORM_TYPE: {"schema": _ref("CommentSubmission")},
                    },
                },
                description=(
                    "Answers only once Redis has stored the comment, so a CMS may retry on "
                    "timeouts and 5xx: the same site and `id` (or Idempotency-Key) never "
                    "queues a second copy, also when two requests race."
                ),
            )
        },
        "/v1/comments/{id}": {
            "get": _operation(
                "getComment",
                "review",
                "Read one comment: fields, score, status and history",
                {
                    "200": _json(_ref("Comment"), "The comment."),
                    **_problems(401, 404, 503),
                },
                security=SITE_OR_MODERATOR,
                parameters=comment_id,
                description=(
                    "A site's key reads its own comments (how a CMS polls for the "
                    "decision), without moderators' notes; a moderator reads comments of "
                    "the sites they moderate.  Anything else is 404."
                ),
            )
        },
        "/v1/comments/{id}/decision": {
            "post": _operation(
                "decideComment",
                "review",
                "Approve, mark as spam or reject a pending comment",
                {
                    "200": _json(_ref("DecisionResult"), "Decided."),
                    **_problems(
                        *moderator_json,
                        s409="Already decided (the answer says by whom and how), or "
                        "claimed by another moderator.",
                        **CSRF_403,
                    ),
                },
                security=MODERATOR,
                parameters=[*comment_id, csrf],
                body=_json_body("DecisionRequest"),
                description="Atomic: of two moderators deciding at once, one gets 409.",
            )
        },
        "/v1/comments/{id}/cms-status": {
            "post": _operation(
                "setCmsStatus",
                "intake",
                "Record the CMS's own decision on a comment (an editor in the CMS decided)",
                {
                    "200": _json(_ref("CmsStatusResult"), "Recorded (or it had that status)."),
                    **_problems(
                        400,
                        401,
                        403,
                        404,
                        413,
                        415,
                        422,
                        503,
                        s401="Missing or unknown site API key.",
                        s403="The site requires a signature and it is missing, "
                        "malformed, wrong or stale.",
                        s404="No comment of this site has this id (or CMS id).",
                    ),
                },
                security=SITE,
                parameters=[_param("CmsCommentId"), _param("Signature")],
                body=_json_body("CmsStatusRequest"),
                description=(
                    "The CMS tells the service what its own editors did, so that the queue "
                    "follows the CMS: approved, spam, rejected (trashed or deleted) or "
                    "pending (held again, back in the queue). From any status to any "
                    "status: the later decision, on either side, wins. Recorded like a "
                    "moderator's decision (`decided_by: cms`, the CMS user as `cms_user` in "
                    "the history, a label for retraining, the events stream) and ends any "
                    "moderator's claim; no callback goes back to the CMS. Idempotent."
                ),
            )
        },
        "/v1/comments/{id}/release": {
            "post": _operation(
                "releaseComment",
                "review",
                "Give up one's claim on a comment",
                {
                    "200": _json(_ref("Released"), "Released (or it was not claimed)."),
                    **_problems(
                        401,
                        403,
                        404,
                        409,
                        413,
                        415,
                        422,
                        503,
                        s409="Claimed by another moderator.",
                        **CSRF_403,
                    ),
                },
                security=MODERATOR,
                parameters=[*comment_id, csrf],
                body={**_json_body("ReleaseRequest"), "required": False},
            )
        },
        "/v1/comments/{id}/undo": {
            "post": _operation(
                "undoDecision",
                "review",
                "Put one's own recent decision back to pending",
                {
                    "200": _json(_ref("Undone"), "Pending again."),
                    **_problems(
                        401,
                        403,
                        404,
                        409,
                        503,
                        s409="Not decided, decided by someone else, or decided more "
                        f"than {_duration(UNDO_WINDOW_MS // 1000)} ago.",
                        **CSRF_403,
                    ),
                },
                security=MODERATOR,
                parameters=[*comment_id, csrf],
            )
        },
        "/v1/decisions": {
            "post": _operation(
                "decideComments",
                "review",
                "Decide many comments at once, each on its own",
                {
                    "200": _json(
                        _ref("BulkDecisionResults"),
                        "One result per item, with the HTTP status that item alone would get.",
                    ),
                    **_problems(
                        400,
                        401,
                        403,
                        413,
                        415,
                        422,
                        503,
                        s422=f"`decisions` is missing, empty or longer than {MAX_BULK}.",
                        **CSRF_403,
                    ),
                },
                security=MODERATOR,
                parameters=[csrf],
                body=_json_body("BulkDecisionRequest"),
            )
        },
        "/v1/queue": {
            "get": _operation(
                "listQueue",
                "review",
                "List a site's review queue",
                {
                    "200": _json(_ref("QueuePage"), "One page of the queue."),
                    **_problems(
                        401,
                        404,
                        422,
                        503,
                        s404="The caller does not moderate this site.",
                        s422="A bad query parameter (every one listed), or a cursor "
                        "this service did not give out.",
                    ),
                },
                security=MODERATOR,
                parameters=query_parameters(QueueQuery),
            )
        },
        "/v1/queue/claim": {
            "post": _operation(
                "claimComments",
                "review",
                "Claim the next pending comments for a while",
                {
                    "200": _json(_ref("ClaimedItems"), "The comments now claimed by the caller."),
                    **_problems(
                        400,
                        401,
                        403,
                        404,
                        413,
                        415,
                        422,
                        503,
                        s404="The caller does not moderate this site.",
                        **CSRF_403,
                    ),
                },
                security=MODERATOR,
                parameters=[csrf],
                body=_json_body("ClaimRequest"),
                description=(
                    "While the lease lasts, other moderators' decisions on these comments "
                    "answer 409, so several moderators can work one queue."
                ),
            )
        },
        "/v1/stats": {
            "get": _operation(
                "getStats",
                "review",
                "Queue counts and today's decisions of a site",
                {
                    "200": _json(_ref("Stats"), "The site's numbers."),
                    **_problems(
                        401,
                        404,
                        422,
                        503,
                        s404="The caller does not moderate this site.",
                        s422="`site` is needed (the caller moderates several sites).",
                    ),
                },
                security=MODERATOR,
                parameters=query_parameters(StatsQuery),
            )
        },
        "/v1/model/reload": {
            "post": _operation(
                "reloadModel",
                "learning",
                "Swap in a retrained model without a restart (admins only)",
                {
                    "200": _json(_ref("ModelReloadResult"), "The new model is scoring."),
                    **_problems(
                        400,
                        401,
                        403,
                        413,
                        415,
                        422,
                        s403="The caller is not an admin moderator (`admin = true`), or a "
                        f"session cookie came without its {CSRF_HEADER} header.",
                        s422="The file is missing, corrupt, of an incompatible version or "
                        "holds untrusted types; the old model keeps serving.",
                    ),
                },
                security=MODERATOR,
                parameters=[csrf],
                body=_json_body("ModelReloadRequest"),
                description=(
                    "Loads the model with trusted types only and swaps it in atomically. "
                    "SIGHUP to the service does the same with the configured file."
                ),
            )
        },
        "/v1/erasure": {
            "post": _operation(
                "eraseAuthor",
                "privacy",
                "Erase an author's personal data (admins only)",
                {
                    "200": _json(_ref("ErasureResult"), "Erased."),
                    **_admin_post_problems(),
                },
                security=MODERATOR,
                parameters=[csrf],
                body=_json_body("ErasureRequest"),
                description=(
                    "Keeps each comment, its status and its history, and removes the "
                    "author's name, email, URL, IP, user agent and referrer from the "
                    "comments and from every index that names the author."
                ),
            )
        },
        "/v1/model": {
            "get": _operation(
                "getSiteModel",
                "learning",
                "The site's model: version, what it learnt from, how it did",
                {
                    "200": _json(_ref("SiteModel"), "The site's model."),
                    **_problems(401, 404, 422, 503, s404="The caller does not moderate this site."),
                },
                security=MODERATOR,
                parameters=query_parameters(ModelQuery),
            )
        },
        "/v1/model/rollback": {
            "post": _operation(
                "rollbackSiteModel",
                "learning",
                "Go back to a kept earlier version of the site's model (admins only)",
                {
                    "200": _json(_ref("RollbackResult"), "That version scores the site now."),
                    **_admin_post_problems(),
                },
                security=MODERATOR,
                parameters=[csrf],
                body=_json_body("RollbackRequest"),
                description=(
                    "Every worker and instance scores the site with it within seconds. "
                    "422 when the version is not kept."
                ),
            )
        },
        "/v1/callbacks": {
            "get": _operation(
                "listCallbacks",
                "callbacks",
                "A site's decision callbacks not yet delivered, or dead (admins only)",
                {
                    "200": _json(_ref("CallbackList"), "The deliveries."),
                    **_problems(
                        401,
                        403,
                        404,
                        422,
                        503,
                        s403="The caller is not an admin moderator (`admin = true`).",
                        s404="The caller does not moderate this site.",
                    ),
                },
                security=MODERATOR,
                parameters=query_parameters(CallbacksQuery),
            )
        },
        "/v1/callbacks/redeliver": {
            "post": _operation(
                "redeliverCallbacks",
                "callbacks",
                "Send dead callbacks again (admins only)",
                {
                    "200": _json(_ref("RedeliverResult"), "Queued again."),
                    **_admin_post_problems(),
                },
                security=MODERATOR,
                parameters=[csrf],
                body=_json_body("RedeliverRequest"),
                description=(
                    "Each event goes out again under its own event_id, with a new give-up "
                    "period; by default every dead event of the site."
                ),
            )
        },
        **_akismet_paths(),
        **_page_paths(),
        "/healthz": {
            "get": _operation(
                "healthz",
                "ops",
                "Liveness: the process answers (no I/O)",
                {"200": _json(_ref("Health"), "Alive."), **_problems()},
            )
        },
        "/readyz": {
            "get": _operation(
                "readyz",
                "ops",
                "Readiness: Redis answers and the model is loaded",
                {
                    "200": _json(_ref("Readiness"), "Ready: intake can succeed now."),
                    "503": _json(
                        _ref("Readiness"),
                        "Not ready; `failing` names the failing checks.",
                        "Retry-After",
                    ),
                    **_problems(),
                },
            )
        },
        "/metrics": {
            "get": _operation(
                "metrics",
                "ops",
                "Prometheus metrics",
                {
                    "200": {
                        "description": (
                            "The Prometheus text exposition format: requests by route and "
                            "status, latency, comments by outcome, spam scores, pending "
                            "queue depth per site, Redis errors."
                        ),
                        "headers": _header_refs(),
                        "content": {METRICS_TYPE: {"schema": {"type": "string"}}},
                    },
                    **_problems(),
                },
            )
        },
        "/openapi.json": {
            "get": _operation(
                "openapi",
                "ops",
                "This document",
                {
                    "200": _json({"type": "object"}, "The OpenAPI 3.1 document."),
                    **_problems(),
                },
            )
        },
    }


def _html(description: str, *headers: str) -> Json:
    return {
        "description": description,
        "headers": _header_refs("Content-Security-Policy", *headers),
        "content": {HTML_TYPE: {"schema": {"type": "string"}}},
    }


def _redirect(description: str) -> Json:
    return {
        "description": description,
        "headers": _header_refs("Location", "Set-Cookie", "Content-Security-Policy"),
    }


def _page_paths() -> Json:
    """The moderator web page: HTML and static files over the /v1 API, with a session
    cookie instead of a bearer token."""
    cross_site = "The request came from another origin (Origin or Sec-Fetch-Site)."
    form = {
        "content": {
            FORM_TYPE: {"schema": _ref("LoginForm")},
            "multipart/form-data": {"schema": _ref("LoginForm")},
        },
    }
    logout_form = {
        "required": False,
        "content": {
            FORM_TYPE: {"schema": _ref("LogoutForm")},
            "multipart/form-data": {"schema": _ref("LogoutForm")},
        },
    }
    return {
        PAGE_PATH: {
            "get": _operation(
                "moderatorPage",
                "page",
                "The moderator page: the review queue, or the login form",
                {
                    "200": _html(
                        "The queue page with a live session, else the login form.  Never cached."
                    ),
                    **_problems(503),
                },
                security=OPTIONAL_SESSION,
            )
        },
        LOGIN_PATH: {
            "post": _operation(
                "login",
                "page",
                "Exchange a moderator token for a session cookie",
                {
                    "303": _redirect(f"Logged in: the cookie is set; on to {PAGE_PATH}."),
                    "401": _html("Not a moderator token: the login form with an error."),
                    **_problems(
                        400,
                        403,
                        413,
                        503,
                        s400="The body is not a well-formed form.",
                        s403=cross_site,
                    ),
                },
                body={"required": True, **form},
            )
        },
        LOGOUT_PATH: {
            "post": _operation(
                "logout",
                "page",
                "End the session",
                {
                    "303": _redirect(f"Logged out: the cookie is cleared; on to {PAGE_PATH}."),
                    **_problems(
                        400,
                        403,
                        413,
                        503,
                        s400="The body is not a well-formed form.",
                        s403=cross_site + "  Or the session's CSRF token is missing or wrong.",
                    ),
                },
                security=OPTIONAL_SESSION,
                parameters=[_param("CsrfToken")],
                body=logout_form,
            )
        },
        SESSION_PATH: {
            "get": _operation(
                "getSession",
                "page",
                "Who is logged in, their sites, and the session's CSRF token",
                {
                    "200": _json(_ref("ModeratorSession"), "The session."),
                    **_problems(401, 503, s401=f"No session: log in at {PAGE_PATH}."),
                },
                security=SESSION,
            )
        },
        ASSET_PATH: {
            "get": _operation(
                "pageAsset",
                "page",
                "The page's script and style sheet",
                {
                    "200": {
                        "description": "The file (revalidated on every use).",
                        "headers": _header_refs("Content-Security-Policy"),
                        "content": {
                            ctype.partition(";")[0]: {"schema": {"type": "string"}}
                            for ctype in ASSETS.values()
                        },
                    },
                    **_problems(404, s404="No such file."),
                },
                parameters=[
                    {
                        "name": "name",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": sorted(ASSETS)},
                    }
                ],
            )
        },
    }


def _akismet_paths() -> Json:
    """The Akismet-compatible API (web/akismet.py): Akismet's paths, forms and texts."""

    def text(description: str, *examples: str) -> Json:
        schema: Json = {"type": "string"}
        if examples:
            schema["enum"] = list(examples)
        return {"description": description, "content": {"text/plain": {"schema": schema}}}

    def form(*required: str, names: tuple[str, ...] = AKISMET_PARAMETERS) -> Json:
        return {
            "required": True,
            "content": {
                FORM_TYPE: {
                    "schema": {
                        "type": "object",
                        "properties": {n: {"type": "string"} for n in names},
                        "required": list(required),
                        "additionalProperties": True,
                    }
                }
            },
        }

    failures = {
        status: text(what)
        for status, what in (
            ("400", "A body that is not a form."),
            ("408", "The body did not arrive in time."),
            ("413", "The body is larger than the limit."),
            ("429", "A rate limit of the site is exhausted (Retry-After)."),
            ("500", "A failure on our side."),
            ("503", "Redis or the model is unavailable; nothing was stored (Retry-After)."),
        )
    }
    key = (
        "The site's `akismet_key`: in `api_key` (form or query), or as the first label "
        "of the Host header (`<key>.rest.akismet.com`).  An unknown key answers `invalid`."
    )

    def operation(
        operation_id: str, summary: str, answer: Json, body: Json | None, description: str
    ) -> Json:
        op = _operation(
            operation_id,
            "akismet",
            summary,
            {"200": answer, **failures},
            body=body,
            description=f"{description}  {key}",
        )
        return op

    checked = text(
        "`true` (spam) or `false`; `invalid` for an unknown key; `Missing required field: "
        "<name>.` (with X-akismet-debug-help) without `blog` or `user_ip`.  "
        "X-akismet-guid names the stored comment; X-akismet-pro-tip: discard marks "
        "blatant spam (a site rule's)."
    )
    thanks = text("Always this, or `invalid` for an unknown key.", AKISMET_THANKS, "invalid")
    usage = {
        "description": "This month's comment-check calls; there is no limit.",
        "content": {
            JSON_TYPE: {
                "schema": {
                    "type": "object",
                    "required": ["limit", "usage", "percentage", "throttled"],
                    "properties": {
                        "limit": {"const": "none"},
                        "usage": {"type": "integer", "minimum": 0},
                        "percentage": {"type": "string"},
                        "throttled": {"type": "boolean"},
                    },
                }
            },
            "text/plain": {"schema": {"enum": ["invalid"]}},
        },
    }
    return {
        "/1.1/verify-key": {
            "post": operation(
                "akismetVerifyKey",
                "Akismet: is this key one of ours",
                text("`valid` or `invalid`.", "valid", "invalid"),
                form(names=("key", "api_key", "blog")),
                "The key is `key` (or `api_key`); `blog` is accepted and not checked.",
            )
        },
        "/1.1/comment-check": {
            "post": operation(
                "akismetCommentCheck",
                "Akismet: score, store and queue a comment",
                checked,
                form("blog", "user_ip"),
                "An intake: scored, stored and queued for a moderator (or decided at once "
                "with `akismet_queue = false`); `is_test=1` scores and stores nothing.",
            )
        },
        "/1.1/submit-spam": {
            "post": operation(
                "akismetSubmitSpam",
                "Akismet: the CMS says a comment is spam",
                thanks,
                form(),
                "The CMS's decision on the stored comment (by `guid`, else by text, author "
                "and IP), and a label for retraining.",
            )
        },
        "/1.1/submit-ham": {
            "post": operation(
                "akismetSubmitHam",
                "Akismet: the CMS says a comment is not spam",
                thanks,
                form(),
                "The CMS's decision on the stored comment (approved), and a label.",
            )
        },
        "/1.1/get-subscription": {
            "post": operation(
                "akismetGetSubscription",
                "Akismet: the key's subscription (always active)",
                {
                    "description": "WordPress's settings page keeps a typed key only when "
                    "this says `active`; `api_key` is the key presented.",
                    "content": {
                        JSON_TYPE: {
                            "schema": {
                                "type": "object",
                                "required": ["status", "api_key"],
                                "properties": {
                                    "status": {"const": "active"},
                                    "api_key": {"type": "string"},
                                    "account_type": {"type": "string"},
                                    "account_name": {"type": "string"},
                                    "next_billing_date": {"type": "null"},
                                    "limit_reached": {"type": "boolean"},
                                },
                            }
                        },
                        "text/plain": {"schema": {"enum": ["invalid"]}},
                    },
                },
                form(names=("key", "api_key", "blog")),
                "For WordPress's Akismet settings page.",
            )
        },
        "/1.1/get-stats": {
            "post": operation(
                "akismetGetStats",
                "Akismet: the numbers of the settings page",
                {
                    "description": "Spam stored, ham approved, and the CMS's corrections.",
                    "content": {
                        JSON_TYPE: {
                            "schema": {
                                "type": "object",
                                "required": ["spam", "missed_spam", "false_positives"],
                                "properties": {
                                    "spam": {"type": "integer", "minimum": 0},
                                    "ham": {"type": "integer", "minimum": 0},
                                    "missed_spam": {"type": "integer", "minimum": 0},
                                    "false_positives": {"type": "integer", "minimum": 0},
                                    "accuracy": {"type": "number"},
                                    "time_saved": {"type": "integer"},
                                    "breakdown": {"type": "object"},
                                },
                            }
                        },
                        "text/plain": {"schema": {"enum": ["invalid"]}},
                    },
                },
                form(names=("key", "api_key", "blog", "from")),
                "For WordPress's Akismet settings page; `from` is accepted and not used.",
            )
        },
        "/1.2/usage-limit": {
            method: operation(
                f"akismetUsageLimit{method.title()}",
                "Akismet: this month's calls",
                usage,
                form(names=("api_key",)) if method == "post" else None,
                "There is no limit here.",
            )
            for method in ("get", "post")
        },
        "/1.1/test": {
            "get": operation(
                "akismetTest",
                "Akismet: connectivity check",
                text("Always `connected`.", "connected"),
                None,
                "The WordPress plugin's check that it can reach the service.",
            )
        },
    }


def _admin_post_problems() -> Json:
    """The problems of an admin's POST about one site (erasure, redelivery)."""
    return _problems(
        400,
        401,
        403,
        404,
        413,
        415,
        422,
        503,
        s403="The caller is not an admin moderator (`admin = true`), or a "
        f"session cookie came without its {CSRF_HEADER} header.",
        s404="The caller does not moderate this site.",
    )


def _webhooks() -> Json:
    """What the service sends a CMS: the decision callbacks (delivery/callbacks.py)."""
    headers = {
        SIGNATURE_HEADER: "t=<unix seconds>,v1=<hex HMAC-SHA256(callback_secret, "
        "'<t>.' + raw body)>: the same scheme as intake's.",
        "X-Moderation-Event": "The event type (as `type`).",
        "X-Moderation-Delivery": "The event_id: the same on every attempt.",
        "X-Moderation-Attempt": "1 on the first attempt, then 2, 3, ...",
    }
    return {
        "decisionCallback": {
            "post": {
                "operationId": "decisionCallback",
                "tags": ["callbacks"],
                "summary": "A decision, POSTed to the site's callback_url",
                "description": (
                    "comment.decided: a moderator's decision; comment.auto_decided: a "
                    "site rule's, on arrival; comment.undone: an undo.  A 2xx within "
                    "callback_timeout_seconds delivers it; anything else (redirects "
                    "too, never followed) is retried with back-off until "
                    "callback_give_up_hours have passed.  Never carries the author's "
                    "email, IP or user agent."
                ),
                "parameters": [
                    {
                        "name": name,
                        "in": "header",
                        "required": True,
                        "description": text,
                        "schema": {"type": "string"},
                    }
                    for name, text in headers.items()
                ],
                "requestBody": _json_body("CallbackBody"),
                "responses": {"2XX": {"description": "Delivered."}},
            }
        }
    }


@functools.cache
def openapi_document() -> Json:
    """The OpenAPI 3.1 document of the whole HTTP API, built once.

    The same dict is returned on every call: treat it as read-only.
    """
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Comment moderation",
            "version": __version__,
            "summary": "Webhook intake, spam scoring and a review queue for comments.",
            "description": (
                "CMS sites post comments with their API key; moderators decide them with "
                "their tokens.  Every error is RFC 9457 problem+json; unknown paths "
                "answer 404 and wrong methods 405 in the same form.  Every answer "
                "carries X-Request-ID."
            ),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [
            {"url": "/", "description": "This service"},
            {"url": f"http://127.0.0.1:{DEFAULT_PORT}", "description": "A local default run"},
        ],
        "tags": [
            {"name": "intake", "description": "What a CMS sends."},
            {"name": "review", "description": "The moderator API (and a CMS polling)."},
            {"name": "privacy", "description": "Authors' personal data."},
            {"name": "callbacks", "description": "Decisions told back to the CMS."},
            {"name": "akismet", "description": "The Akismet-compatible API."},
            {"name": "page", "description": "The moderator web page."},
            {"name": "ops", "description": "Health, readiness, metrics, this document."},
        ],
        "paths": _paths(),
        "webhooks": _webhooks(),
        "components": {
            "schemas": _schemas(),
            "parameters": _PARAMETERS,
            "headers": _HEADERS,
            "securitySchemes": {
                "siteKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": (
                        "A site's API key (`api_key` or `api_key_sha256` in the config); "
                        "the key decides the site."
                    ),
                },
                "moderatorToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": (
                        "A moderator's token (`token` or `token_sha256`), scoped to "
                        "the moderator's sites."
                    ),
                },
                "moderatorSession": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": COOKIE,
                    "description": (
                        f"The moderator page's session (POST {LOGIN_PATH}); named "
                        f"{SECURE_COOKIE} over https.  Used only when no Authorization "
                        f"header is sent.  POSTs with it must come from this origin and "
                        f"carry the session's {CSRF_HEADER} header."
                    ),
                },
            },
        },
    }
