"""RFC 9457 problem details: every error the service answers, in one shape, and the HTTP
answer to each of the domain's input errors (``for_input``)."""

from __future__ import annotations

import logging
import re
from typing import Any

from aiohttp import web

from moderation.core import jsoncodec
from moderation.core.fields import BadBody, FieldsInvalid, InputError, UnsupportedMediaType

# the handlers build their 422s from the domain's FieldError: one kind of field error
from moderation.core.fields import FieldError as FieldError

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:moderation:problem:"
# Paths whose clients read text, not problem+json: the Akismet-compatible API.
TEXT_PATHS = ("/1.1/", "/1.2/")

# Paths whose clients read Google's error shape: the Perspective-compatible API.
GOOGLE_PATHS = ("/v1alpha1/",)
# Google's status name for each HTTP status its APIs answer (google.rpc.Code's mapping);
# a 405, 413, 415 or 422 of ours is answered as Google answers those (GOOGLE_REMAPPED).
GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
# Google's front end answers a method its API has not (a GET of comments:analyze) as an
# unknown URL, and a body it cannot take as an invalid argument
GOOGLE_REMAPPED = {405: (404, "Method not found.")}

log = logging.getLogger("moderation.web.problems")
_SURROGATE = re.compile("[\ud800-\udfff]")


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
        """The answer.  It cannot fail: it is made where a failure would leave aiohttp to
        answer a plain-text 500 without a request id."""
        return web.Response(
            status=self.status,
            body=self._encoded(instance, request_id),
            content_type=PROBLEM_JSON,
            headers=self.headers,
        )

    def text_response(self) -> web.Response:
        """The answer as text, for the paths of ``TEXT_PATHS``, whose
        clients read text: the detail, also in the ``X-akismet-debug-help`` header."""
        detail = _SURROGATE.sub("\ufffd", self.detail or self.title)
        header = detail.encode("ascii", "replace").decode("ascii")
        return web.Response(
            status=self.status,
            text=detail,
            content_type="text/plain",
            charset="utf-8",
            headers={**self.headers, "X-akismet-debug-help": header},
        )

    def google_response(self) -> web.Response:
        """The answer in Google's error shape, for the paths of ``GOOGLE_PATHS``:
        ``{"error": {"code", "message", "status"}}``, every field error in the message."""
        status, message = GOOGLE_REMAPPED.get(self.status, (self.status, self.detail or ""))
        if status not in GOOGLE_STATUS:
            status = 400
        message = message or self.title
        if self.errors:
            message += " " + "; ".join(f"{e.field}: {e.message}" for e in self.errors)
        # a lone surrogate here is a missing check at its source, answered as U+FFFD
        message = _SURROGATE.sub("\ufffd", message)
        body = {"error": {"code": status, "message": message, "status": GOOGLE_STATUS[status]}}
        headers = {k: v for k, v in self.headers.items() if k == "Retry-After"}
        return web.Response(
            status=status,
            body=jsoncodec.dumps_bytes(body),
            content_type="application/json",
            headers=headers,
        )

    def _encoded(self, instance: str, request_id: str | None) -> bytes:
        try:
            text = jsoncodec.dumps(self.body(instance, request_id))
        except (TypeError, ValueError):  # an extra that is not JSON: answer without extras
            log.warning("problem body not JSON-encodable", extra={"slug": self.slug})
            # what is left is text and numbers (the slug, title, detail, field errors)
            text = jsoncodec.dumps(
                {k: v for k, v in self.body(instance, request_id).items() if k not in self.extra}
            )
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            # A lone surrogate reached a detail: the check at its source is missing (a bug
            # to fix there; the value itself is never logged).  Answer it as U+FFFD.
            log.warning("problem detail held a lone surrogate", extra={"slug": self.slug})
            return _SURROGATE.sub("\ufffd", text).encode("utf-8")


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


def body_timeout(seconds: float) -> Problem:
    return Problem(
        408,
        "request-timeout",
        "Request body too slow",
        f"The whole body must arrive within {seconds:g} s ([server] body_timeout_seconds).",
        headers={"Connection": "close"},
    )


_SHOWABLE_MEDIA = re.compile(r"[\x20-\x7e]{1,200}")  # media types are ASCII tokens


def unsupported_media(got: str, allowed: tuple[str, ...]) -> Problem:
    """415 for the Content-Type ``got``, quoted only if it is short, printable ASCII (a
    header byte that is not UTF-8 reaches here as a lone surrogate)."""
    if not got:
        shown = "no Content-Type"
    elif _SHOWABLE_MEDIA.fullmatch(got):
        shown = got
    else:
        shown = "a Content-Type that is not printable ASCII"
    return Problem(
        415,
        "unsupported-media-type",
        "Unsupported media type",
        f"Got {shown}; send one of: {', '.join(allowed)}.",
        errors=[FieldError("Content-Type", f"must be one of: {', '.join(allowed)}")],
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
    return _retry_later(503, "unavailable", "Service unavailable", detail, retry_after)


def too_many(detail: str, retry_after: int) -> Problem:
    return _retry_later(429, "rate-limited", "Too many requests", detail, retry_after)


def _retry_later(status: int, slug: str, title: str, detail: str, retry_after: int) -> Problem:
    return Problem(status, slug, title, detail, headers={"Retry-After": str(retry_after)})


def for_input(error: InputError) -> Problem:
    """The answer to input the domain refused: 400, 415 or 422."""
    if isinstance(error, FieldsInvalid):
        return invalid(error.errors)
    if isinstance(error, UnsupportedMediaType):
        return unsupported_media(error.got, error.allowed)
    if isinstance(error, BadBody):
        return bad_request(error.detail, error.field)
    return bad_request(str(error))
