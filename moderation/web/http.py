"""Small helpers shared by the handlers: JSON answers and body reading (query parameters
are queries.py's models)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestPayloadError
from pydantic import BaseModel

from moderation.appkeys import CONFIG
from moderation.core import jsoncodec
from moderation.core.text import repeated_fields
from moderation.web.problems import (
    FieldError,
    bad_request,
    body_timeout,
    invalid,
    too_large,
    unsupported_media,
)


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    return web.Response(
        body=jsoncodec.dumps_bytes(body),
        status=status,
        content_type="application/json",
        headers=headers,
    )


def answer(
    model: BaseModel, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """An answer model (answers.py) as its JSON body, serialised by pydantic: the members
    it was given, so a member the document marks as omissible stays out unless set."""
    return web.Response(
        body=model.model_dump_json(exclude_unset=True).encode(),
        status=status,
        content_type="application/json",
        headers=headers,
    )


def answer_all_set(
    model: BaseModel, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """:func:`answer` for a model whose members are all given, on the intake path: orjson
    of its fields is the same JSON in an eighth of pydantic's time (0.5 against 4 µs,
    measured; tests/web/test_answers.py checks the two agree)."""
    return json_response(model.__dict__, status, headers)


async def read_body(request: web.Request, limit: int) -> bytes:
    """The whole raw body, however it is framed (Content-Length, chunked, compressed) and
    however it arrives (in many segments, slowly): 413 past ``limit`` bytes, decoded,
    without reading the rest; 408 when it takes longer than ``[server]
    body_timeout_seconds``; 400 for a body whose framing is broken.

    Not ``request.content.read(n)``: that answers what has arrived so far, so a body in
    more than one TCP segment was cut short.  Not ``request.read()`` either: it knows
    only the app-wide ``client_max_size``, and each endpoint has its own limit."""
    if request.content_length is not None and request.content_length > limit:
        raise too_large(limit)
    seconds = request.app[CONFIG].body_timeout_seconds
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(seconds):
            while chunk := await request.content.readany():
                size += len(chunk)
                if size > limit:
                    raise too_large(limit)
                chunks.append(chunk)
    except TimeoutError as exc:
        raise body_timeout(seconds) from exc
    except RequestPayloadError as exc:
        # e.g. a broken chunk size or a corrupt gzip stream; never echo the bytes
        raise bad_request("The request body is malformed (its framing or encoding).") from exc
    return b"".join(chunks)


async def read_json_object(request: web.Request, limit: int) -> dict[str, Any]:
    """A JSON object body (moderator API calls); 400/413/415/422 otherwise."""
    check_json_media(request)
    return json_object_of(await read_body(request, limit))


def check_json_media(request: web.Request) -> None:
    """415 unless the body is declared ``application/json``."""
    media = request.headers.get("Content-Type", "").partition(";")[0].strip().lower()
    if media != "application/json":
        raise unsupported_media(media, ("application/json",))


def json_object_of(body: bytes) -> dict[str, Any]:
    """A raw body (already read, e.g. to check its signature) as a JSON object; 400 or
    422 otherwise (a key given twice, at any depth, is a 422 naming it, as at intake)."""
    try:
        value = jsoncodec.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise bad_request(f"body is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise invalid([FieldError("body", "must be a JSON object")])
    try:
        repeated = jsoncodec.repeated_keys(body, value)
    except jsoncodec.TooDeep as exc:
        raise bad_request("body is not valid JSON: nested too deeply") from exc
    if repeated:
        raise invalid(repeated_fields(repeated))
    return value
