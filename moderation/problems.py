"""RFC 9457 problem details: every error the service answers, in one shape."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:moderation:problem:"


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class Problem(Exception):
    """An error answer.  Raise it from any handler; the error middleware renders it."""

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str | None = None,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self, instance: str, request_id: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": TYPE_PREFIX + self.slug,
            "title": self.title,
            "status": self.status,
        }
        if self.detail:
            body["detail"] = self.detail
        body["instance"] = instance
        if self.errors:
            body["errors"] = [e.as_dict() for e in self.errors]
        if request_id:
            body["request_id"] = request_id
        body.update(self.extra)
        return body

    def response(self, instance: str, request_id: str | None) -> web.Response:
        return web.Response(
            status=self.status,
            body=json.dumps(self.body(instance, request_id), ensure_ascii=False).encode(),
            content_type=PROBLEM_JSON,
            headers=self.headers,
        )


def bad_request(detail: str, field: str | None = None) -> Problem:
    errors = [FieldError(field, detail)] if field else None
    return Problem(400, "bad-request", "Malformed request", detail, errors=errors)


def unauthorized(detail: str = "Send 'Authorization: Bearer <key>'.") -> Problem:
    return Problem(
        401,
        "unauthorized",
        "Missing or unknown credentials",
        detail,
        headers={"WWW-Authenticate": 'Bearer realm="moderation"'},
    )


def forbidden(detail: str) -> Problem:
    return Problem(403, "forbidden", "Forbidden", detail)


def not_found(detail: str = "No such resource.") -> Problem:
    return Problem(404, "not-found", "Not found", detail)


def conflict(detail: str, **extra: Any) -> Problem:
    return Problem(409, "conflict", "Conflict", detail, extra=extra)


def too_large(limit: int) -> Problem:
    return Problem(413, "too-large", "Request body too large", f"The limit is {limit} bytes.")


def unsupported_media(got: str, allowed: tuple[str, ...]) -> Problem:
    return Problem(
        415,
        "unsupported-media-type",
        "Unsupported media type",
        f"Got {got or 'no Content-Type'}; send one of: {', '.join(allowed)}.",
    )


def invalid(errors: list[FieldError]) -> Problem:
    return Problem(
        422,
        "validation",
        "The request has invalid fields",
        f"{len(errors)} field{'s' if len(errors) != 1 else ''} failed validation.",
        errors=errors,
    )


def unavailable(detail: str, retry_after: int) -> Problem:
    return Problem(
        503,
        "unavailable",
        "Service unavailable",
        detail,
        headers={"Retry-After": str(retry_after)},
    )


def too_many(detail: str, retry_after: int) -> Problem:
    return Problem(
        429,
        "rate-limited",
        "Too many requests",
        detail,
        headers={"Retry-After": str(retry_after)},
    )
