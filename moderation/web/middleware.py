"""The middlewares every request passes: request id, logging, metrics, security headers,
and the one place where errors become problem+json answers."""

from __future__ import annotations

import asyncio
import logging
import re
import time

from aiohttp import web
from aiohttp.typedefs import Handler

from moderation.appkeys import CONFIG, METRICS
from moderation.core.fields import InputError
from moderation.core.logs import new_request_id, request_id_var
from moderation.intake.batching import ModelNotReady
from moderation.storage.errors import REDIS_UNAVAILABLE
from moderation.web.problems import GOOGLE_PATHS, TEXT_PATHS, Problem, for_input, unavailable

log = logging.getLogger("moderation.web.http")
REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._:-]{1,128}")
SLOW_REQUEST_SECONDS = 1.0  # logged even when only errors are
# nginx's "client closed request": the status counted and logged for a request whose
# client hung up before its answer (never sent: there is no one to send it to)
CLIENT_CLOSED_REQUEST = 499


def _route(request: web.Request) -> str:
    info = request.match_info
    resource = info.route.resource if info.route is not None else None
    return resource.canonical if resource is not None else "unmatched"


@web.middleware
async def observe(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Request id in, request id out, one log line and metrics per request."""
    incoming = request.headers.get("X-Request-ID", "")
    # only an id of these characters is taken (and so logged and echoed); any other,
    # a non-UTF-8 byte included, is replaced
    request_id = incoming if REQUEST_ID_RE.fullmatch(incoming) else new_request_id()
    token = request_id_var.set(request_id)
    started = time.perf_counter()
    status = 500
    try:
        response = await _answer(request, handler, request_id)
        status = response.status
        response.headers["X-Request-ID"] = request_id
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
    except asyncio.CancelledError:
        # a server run with handler_cancellation cancels the handler of a client that
        # hung up; cancelled for any other reason (shutdown), it stays a 500
        if _client_gone(request):
            status = CLIENT_CLOSED_REQUEST
            _log_disconnect(request, "CancelledError")
        raise
    finally:
        elapsed = time.perf_counter() - started
        route = _route(request)
        request.app[METRICS].observe_request(route, request.method, status, elapsed)
        mode = request.app[CONFIG].access_log
        wanted = mode == "all" or (
            mode == "errors" and (status >= 400 or elapsed >= SLOW_REQUEST_SECONDS)
        )
        if wanted and route not in ("/metrics", "/healthz", "/readyz"):
            log.info(
                "request",
                extra={
                    "method": request.method,
                    "route": route,  # the route pattern: ids, but no query string
                    "status": status,
                    "ms": round(elapsed * 1000, 2),
                },
            )
        request_id_var.reset(token)


async def _answer(request: web.Request, handler: Handler, request_id: str) -> web.StreamResponse:
    config = request.app[CONFIG]
    # RFC 9457's "instance" is a URI reference: the path as sent, percent-encoded
    instance = request.rel_url.raw_path
    if config.trust_forwarded_proto:
        proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
        if proto in ("http", "https"):
            request = request.clone(scheme=proto)

    def answer(problem: Problem) -> web.Response:
        return _rendered(problem, request.path, instance, request_id)

    try:
        return await handler(request)
    except Problem as problem:
        return answer(problem)
    except InputError as exc:  # the domain refused the input: 400, 415 or 422
        return answer(for_input(exc))
    except ModelNotReady as exc:
        return answer(unavailable(f"The spam model is not ready: {exc}", 5))
    except REDIS_UNAVAILABLE as exc:
        request.app[METRICS].redis_errors.inc()
        log.warning("redis unavailable", extra={"error": type(exc).__name__})
        return answer(
            unavailable(
                "Storage is unavailable; nothing was stored. Retry later.",
                config.redis.retry_after_seconds,
            )
        )
    except ConnectionError as exc:
        # the builtin one (redis-py's is a RedisError): the client hung up, e.g.
        # aiohttp's "Connection lost" while the body was being read.  No Redis alarm,
        # no 503: nobody is there to read an answer.
        if not _client_gone(request):
            return answer(_internal_error(request))
        _log_disconnect(request, type(exc).__name__)
        return web.Response(status=CLIENT_CLOSED_REQUEST)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        http_problem = Problem(
            exc.status,
            exc.reason.lower().replace(" ", "-"),
            exc.reason,
            _http_detail(exc),
            headers={k: v for k, v in exc.headers.items() if k.lower() in ("allow",)},
        )
        return answer(http_problem)
    except Exception:
        return answer(_internal_error(request))


def _internal_error(request: web.Request) -> Problem:
    """The 500 for an error no one expected, logged with its traceback (call it in the
    ``except`` block)."""
    log.exception("unhandled error", extra={"route": _route(request)})
    return Problem(
        500,
        "internal",
        "Internal server error",
        "Something went wrong on our side; the request id identifies it in the logs.",
    )


def _client_gone(request: web.Request) -> bool:
    """Whether the request's client has closed its connection."""
    transport = request.transport
    return transport is None or transport.is_closing()


def _log_disconnect(request: web.Request, error: str) -> None:
    """One quiet line: a client that leaves mid-request is routine (a closed tab, a
    page's logout on unload), not the service's trouble."""
    log.info(
        "client disconnected",
        extra={"method": request.method, "route": _route(request), "error": error},
    )


def _rendered(problem: Problem, path: str, instance: str, request_id: str) -> web.Response:
    """The problem as problem+json, as text on the Akismet paths (their clients read
    text), or in Google's error shape on the Perspective paths; worked out only when there
    is a problem to answer."""
    if path.startswith(TEXT_PATHS):
        return problem.text_response()
    if path.startswith(GOOGLE_PATHS):
        return problem.google_response()
    return problem.response(instance, request_id)


def _http_detail(exc: web.HTTPException) -> str:
    if isinstance(exc, web.HTTPNotFound):
        return "No such endpoint."
    if isinstance(exc, web.HTTPMethodNotAllowed):
        return f"Allowed methods: {', '.join(sorted(exc.allowed_methods))}."
    if isinstance(exc, web.HTTPRequestEntityTooLarge):
        return "Request body too large."
    return exc.text or exc.reason
