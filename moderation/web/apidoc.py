"""How a route says what the API document says of it: the helpers each handler module
uses to declare its operation beside its handler (``routes.py`` keeps them; ``openapi.py``
assembles the document from them), and what many operations share (security, problem
answers, the comment-id and CSRF parameters).

A problem answer's text says when this operation gives it; a status without a text gets
the generic one.  500 is added to every operation (any handler may give it).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema

from moderation.config import IntakeConfig
from moderation.intake.validation import JSON_TYPE
from moderation.web.page_names import CSRF_HEADER
from moderation.web.problems import PROBLEM_JSON

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


def ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


INTAKE_DEFAULTS = IntakeConfig()


def duration(seconds: int) -> str:
    """300 as '5 minutes', 86400 as '24 hours': a limit as a reader says it."""
    for unit, size in (("hours", 3600), ("minutes", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} seconds"


class Schema(GenerateJsonSchema):
    """pydantic's JSON Schema as this document has it: no title on every member, and no
    ``default: null`` on a member that is simply left out."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def default_schema(self, schema: Any) -> Json:
        json_schema: Json = super().default_schema(schema)
        if "default" in json_schema and json_schema["default"] is None:
            del json_schema["default"]
        return json_schema


# Why a moderator POST may answer 403: only a session cookie can get it, never a token.
CSRF_403 = {
    "s403": f"Sent with the page's session cookie, but from another origin or without the "
    f"session's {CSRF_HEADER} header.  (Bearer tokens never get this.)"
}


def header_refs(*names: str) -> Json:
    return {name: {"$ref": f"#/components/headers/{name}"} for name in ("X-Request-ID", *names)}


def json_answer(schema: Json, description: str, *headers: str) -> Json:
    return {
        "description": description,
        "headers": header_refs(*headers),
        "content": {JSON_TYPE: {"schema": schema}},
    }


PROBLEM_TEXT = {
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


def problems(*statuses: int, **texts: str) -> Json:
    """Problem answers for ``statuses`` (plus 500, which any handler may give); ``texts``
    (``s403="..."``) says when this operation gives one."""
    answers: Json = {}
    for status in (*statuses, 500):
        headers = {
            401: ("WWW-Authenticate",),
            429: ("Retry-After",),
            503: ("Retry-After",),
        }.get(status, ())
        schema = ref("ConflictProblem" if status == 409 else "Problem")
        answers[str(status)] = {
            "description": texts.get(f"s{status}", PROBLEM_TEXT[status]),
            "headers": header_refs(*headers),
            "content": {PROBLEM_JSON: {"schema": schema}},
        }
    return answers


def json_body(schema_name: str, description: str | None = None) -> Json:
    body: Json = {"required": True, "content": {JSON_TYPE: {"schema": ref(schema_name)}}}
    if description:
        body["description"] = description
    return body


def param(name: str) -> Json:
    return {"$ref": f"#/components/parameters/{name}"}


def query_parameters(model: type[BaseModel]) -> list[Json]:
    """The query parameters of ``model`` (queries.py), one per field: its name, schema
    (inlined, without the ``null`` a query value cannot be), description and whether it
    is required, all from the model that checks them."""
    generated = model.model_json_schema(schema_generator=Schema, mode="validation")
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


def operation(
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
    op["parameters"] = [*(parameters or []), param("RequestId")]
    if body is not None:
        op["requestBody"] = body
    op["responses"] = responses
    op["security"] = security if security is not None else PUBLIC
    return op


def html_answer(description: str, *headers: str) -> Json:
    return {
        "description": description,
        "headers": header_refs("Content-Security-Policy", *headers),
        "content": {HTML_TYPE: {"schema": {"type": "string"}}},
    }


def redirect_answer(description: str) -> Json:
    return {
        "description": description,
        "headers": header_refs("Location", "Set-Cookie", "Content-Security-Policy"),
    }


def admin_read_problems() -> Json:
    """The problems of an admin's GET about one site (callbacks, rules)."""
    return problems(
        401,
        403,
        404,
        422,
        503,
        s403="The caller is not an admin moderator (`admin = true`).",
        s404="The caller does not moderate this site.",
    )


def admin_post_problems() -> Json:
    """The problems of an admin's POST about one site (erasure, redelivery)."""
    return problems(
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


# What the moderator API's JSON POSTs about one comment share.
COMMENT_ID = [param("CommentId")]
CSRF = param("CsrfToken")
MODERATOR_JSON = (400, 401, 403, 404, 409, 413, 415, 422, 503)
