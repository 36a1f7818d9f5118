"""Small helpers shared by the handlers: JSON answers, body reading, query parameters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from moderation import jsoncodec
from moderation.problems import FieldError, bad_request, invalid, too_large, unsupported_media


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    return web.Response(
        body=jsoncodec.dumps_bytes(body),
        status=status,
        content_type="application/json",
        headers=headers,
    )


async def read_body(request: web.Request, limit: int) -> bytes:
    """The raw body, refused with 413 past ``limit`` bytes without reading all of it."""
    if request.content_length is not None and request.content_length > limit:
        raise too_large(limit)
    body = await request.content.read(limit + 1)
    if len(body) > limit:
        raise too_large(limit)
    return body


async def read_json_object(request: web.Request, limit: int) -> dict[str, Any]:
    """A JSON object body (moderator API calls); 400/413/415/422 otherwise."""
    media = request.headers.get("Content-Type", "").partition(";")[0].strip().lower()
    if media != "application/json":
        raise unsupported_media(media, ("application/json",))
    body = await read_body(request, limit)
    try:
        value = jsoncodec.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise bad_request(f"body is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise invalid([FieldError("body", "must be a JSON object")])
    return value


def int_param(
    query: Mapping[str, str], name: str, default: int, lo: int, hi: int, errors: list[FieldError]
) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        errors.append(FieldError(name, "must be a whole number"))
        return default
    if not lo <= value <= hi:
        errors.append(FieldError(name, f"must be between {lo} and {hi}"))
        return default
    return value


def float_param(
    query: Mapping[str, str], name: str, lo: float, hi: float, errors: list[FieldError]
) -> float | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        errors.append(FieldError(name, "must be a number"))
        return None
    if not lo <= value <= hi:  # also refuses NaN
        errors.append(FieldError(name, f"must be between {lo} and {hi}"))
        return None
    return value
