"""The OpenAPI 3.1 document of every endpoint, generated (kept true by
tests/web/test_openapi.py).

The paths come from the route table: each route declares its operation beside its handler
(``routes.py``, ``apidoc.py``).  The schemas are generated from the models themselves: the
request bodies from the models that validate them (bodies.py,
validation.CommentSubmission), the query parameters from queries.py's, the answers from
answers.py.  What is written here is only what no route or model holds: the shared
parameters and headers, the security schemes, the callbacks a CMS receives, and the
document's own information.

Response schemas leave ``additionalProperties`` open on purpose: clients must ignore
members they do not know (RFC 9457 says so for problems), so the service may add fields
without breaking anyone.  The tests close them, so no undocumented field slips in.
"""

from __future__ import annotations

import functools

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from moderation import __version__
from moderation.config import DEFAULT_PORT
from moderation.core.signing import SIGNATURE_HEADER
from moderation.intake.validation import CommentSubmission
from moderation.storage.store import IDEMPOTENCY_TTL_SECONDS
from moderation.web.answers import ANSWERS
from moderation.web.apidoc import INTAKE_DEFAULTS, Json, Schema, duration, json_body
from moderation.web.bodies import (
    AnalyzeCommentRequest,
    BulkDecisionItem,
    BulkDecisionRequest,
    ClaimRequest,
    CmsStatusRequest,
    CommentClaimRequest,
    CoralPhaseRequest,
    DecisionRequest,
    ErasureRequest,
    ModelReloadRequest,
    RedeliverRequest,
    ReleaseRequest,
    RollbackRequest,
    RuleRequest,
    SuggestCommentScoreRequest,
)
from moderation.web.page_names import (
    COOKIE,
    CSRF_HEADER,
    LOGIN_PATH,
    SECURE_COOKIE,
    SESSION_PATH,
)
from moderation.web.routes import Route
from moderation.web.ui import MAX_TOKEN_FIELD

REQUESTS: tuple[type[BaseModel], ...] = (
    CommentSubmission,
    DecisionRequest,
    CmsStatusRequest,
    BulkDecisionRequest,
    BulkDecisionItem,  # a component of its own (pydantic 2.7 refers to it only so)
    ClaimRequest,
    CommentClaimRequest,
    ReleaseRequest,
    ErasureRequest,
    ModelReloadRequest,
    RedeliverRequest,
    RollbackRequest,
    RuleRequest,
    AnalyzeCommentRequest,
    SuggestCommentScoreRequest,
    CoralPhaseRequest,
)


def _schemas() -> Json:
    _, generated = models_json_schema(
        [(model, "validation") for model in (*REQUESTS, *ANSWERS)],
        ref_template="#/components/schemas/{model}",
        schema_generator=Schema,
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


_PARAMETERS: Json = {
    "CommentId": {
        "name": "id",
        "in": "path",
        "required": True,
        "description": "The service's comment id (as answered by intake).",
        "schema": {"type": "string", "maxLength": 120},
    },
    "RuleId": {
        "name": "id",
        "in": "path",
        "required": True,
        "description": "A rule's id (as GET /v1/rules lists it).",
        "schema": {"type": "string", "maxLength": 100},
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
            f"{duration(IDEMPOTENCY_TTL_SECONDS)} "
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
            f"the tolerance ({duration(INTAKE_DEFAULTS.signature_tolerance_seconds)} by "
            "default, [intake] signature_tolerance_seconds).  Several v1 entries are allowed, for "
            "secret rotation.  Missing, malformed, wrong or stale: 403."
        ),
        "schema": {"type": "string"},
        "example": "t=1767225600,v1="
        + "5257a869e7ecebeda32affa62cdca3fa"
        + "51cad7e77a0e56ff536d0ce8e108d8bd",
    },
}


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
                    "site rule's, on arrival; comment.undone: an undo; comment.edited: "
                    "the CMS re-sent the comment with another text or author URL, so it "
                    "was rescored and (status) is pending again, or still approved under "
                    "trust_edits_of_approved (previous_status: before the edit).  A 2xx "
                    "within "
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
                "requestBody": json_body("CallbackBody"),
                "responses": {"2XX": {"description": "Delivered."}},
            }
        }
    }


def _paths(routes: tuple[Route, ...]) -> Json:
    """Each route's operation, under its path and method, in the table's order."""
    paths: Json = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = route.operation
    return paths


@functools.cache
def openapi_document(routes: tuple[Route, ...]) -> Json:
    """The OpenAPI 3.1 document of the whole HTTP API (``routes``: ``web.table.ROUTES``),
    built once per table.

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
                "their tokens.  Every error is RFC 9457 problem+json (but on the "
                "compatible APIs, whose clients read their own forms: text on Akismet's "
                "paths, Google's error shape on Perspective's); unknown paths answer 404 "
                "and wrong methods 405 in the same form.  Every answer carries "
                "X-Request-ID."
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
            {
                "name": "perspective",
                "description": "The Perspective-compatible API (scoring only; errors in "
                "Google's shape).",
            },
            {"name": "coral", "description": "Coral's external moderation phase (scoring only)."},
            {"name": "page", "description": "The moderator web page."},
            {"name": "ops", "description": "Health, readiness, metrics, this document."},
        ],
        "paths": _paths(routes),
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
                "perspectiveKey": {
                    "type": "apiKey",
                    "in": "query",
                    "name": "key",
                    "description": "A site's `perspective_key`, as Perspective's clients "
                    "send their key.",
                },
                "perspectiveKeyHeader": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Goog-Api-Key",
                    "description": "The same key in the header Google's APIs also take.",
                },
                "coralSignature": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Coral-Signature",
                    "description": "`sha256=<hex HMAC-SHA256(coral_signing_secret, raw "
                    "body)>`, comma-separated when Coral signs with more than one secret "
                    "(a rotation); the secret that verifies names the site.",
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
