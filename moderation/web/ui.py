"""The moderator web page at ``/moderate``: login, the review queue, logout.

Why plain static files and the JSON API rather than server-rendered templates:

* The page is one more client of the same ``/v1`` moderator API that scripts use (queue,
  claims, decisions, bulk, undo, stats).  There is one authorisation path, one set of
  409/404 answers, and nothing the page can do that the API does not allow.
* Comment text, names, emails and urls are attacker-controlled.  They reach the browser
  only as JSON and are put on the page only as DOM text nodes (``textContent``, ``<mark>``
  elements built one by one), never as HTML.  No server-side template ever sees them, so
  there is no second escaping context to get wrong, and the strict CSP below
  (``script-src 'self'``, no inline script or style) holds without nonces.
* No build step and no extra dependency (aiohttp-jinja2, a bundler): three files under
  ``moderation/static`` that ship as package data.  The page needs a script anyway for
  polling, claims and the keyboard, so templates would only have moved the rendering.

Sessions (``moderation.storage.sessions``): logging in with a moderator token creates a session in
Redis and an HttpOnly, SameSite=Strict cookie (Secure and ``__Host-`` prefixed over
https).  The session also carries a CSRF token that the page reads from
``GET /moderate/session`` and sends as ``X-CSRF-Token`` on every POST; ``PageSessions`` is
the ``SessionResolver`` that lets ``/v1`` accept the cookie instead of a bearer token.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from aiohttp import web
from aiohttp.http_exceptions import BadHttpMessage
from aiohttp.web_request import FileField
from multidict import MultiDictProxy

from moderation.appkeys import AUTH, CONFIG, SESSIONS, STORE
from moderation.config import ModeratorConfig
from moderation.core.text import header_text, text_problem
from moderation.intake.validation import FORM_TYPE
from moderation.storage.sessions import Session, SessionStore
from moderation.web.access import moderated_sites
from moderation.web.answers import ModeratorSession
from moderation.web.apidoc import (
    OPTIONAL_SESSION,
    SESSION,
    header_refs,
    html_answer,
    json_answer,
    operation,
    param,
    problems,
    redirect_answer,
    ref,
)
from moderation.web.http import answer
from moderation.web.page_names import (
    ASSET_PATH,
    COOKIE,
    CSRF_HEADER,
    LOGIN_PATH,
    LOGOUT_PATH,
    PAGE_PATH,
    SECURE_COOKIE,
    SESSION_PATH,
)
from moderation.web.problems import bad_request, body_timeout, forbidden, unauthorized
from moderation.web.routes import RouteTable

routes = RouteTable()
_CROSS_SITE = "The request came from another origin (Origin or Sec-Fetch-Site)."
_LOGIN_FORM = {
    "content": {
        FORM_TYPE: {"schema": ref("LoginForm")},
        "multipart/form-data": {"schema": ref("LoginForm")},
    },
}
_LOGOUT_FORM = {
    "required": False,
    "content": {
        FORM_TYPE: {"schema": ref("LogoutForm")},
        "multipart/form-data": {"schema": ref("LogoutForm")},
    },
}

STATIC_DIR = Path(__file__).parent / "static"

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_TOKEN_FIELD = 1024
MAX_ORIGIN = 2_048

# The only files the page serves: an allowlist, not a directory listing.
ASSETS = {
    "moderate.js": "text/javascript; charset=utf-8",
    "moderate.css": "text/css; charset=utf-8",
}

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

LOGIN_ERROR_MARKER = b"<!--login-error-->"
LOGIN_ERROR_HTML = (
    b'<p class="error" role="alert" id="login-error">'
    b"That token is not a moderator token. Check it and try again.</p>"
)


def setup_ui(app: web.Application) -> None:
    """Give ``app`` the moderator page's session resolver and security headers (its routes
    are in the route table)."""
    app[AUTH].sessions = PageSessions()
    app.cleanup_ctx.append(sessions_ctx)
    app.on_response_prepare.append(_security_headers)


async def sessions_ctx(app: web.Application) -> AsyncIterator[None]:
    """The session store, on the Redis client that ``redis_ctx`` opened before it."""
    app[SESSIONS] = SessionStore(app[STORE])
    yield


# -- sessions -------------------------------------------------------------------------


def cookie_name(request: web.Request) -> str:
    return SECURE_COOKIE if request.secure else COOKIE


def same_origin(request: web.Request) -> bool:
    """Whether a browser says this request comes from our own pages.  Requests without
    Origin or Sec-Fetch-Site (not from a browser) pass; the CSRF token still applies."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        # Every current browser sends it.  Trust it before Origin: with our
        # Referrer-Policy: no-referrer, browsers send "Origin: null" even on our own POSTs.
        return fetch_site in ("same-origin", "none")
    origin = header_text(request.headers, "Origin", limit=MAX_ORIGIN)
    if origin is None:
        return True
    if origin == "null":
        return False
    try:
        netloc = urlsplit(origin).netloc
    except ValueError:  # "http://[": no browser sends one
        raise bad_request(
            "The Origin header is not an origin (scheme://host[:port]).", field="Origin"
        ) from None
    # Compare hosts only: behind a TLS-terminating proxy our scheme reads as http.
    return netloc.lower() == request.host.lower()


def _tokens_match(presented: str, expected: str) -> bool:
    return hmac.compare_digest(presented.encode("utf-8", "surrogatepass"), expected.encode())


async def current_session(request: web.Request) -> tuple[Session, ModeratorConfig] | None:
    """The live session behind the request's cookie and its moderator, or None.  A
    session whose moderator was removed or whose token was rotated is over."""
    session_id = request.cookies.get(cookie_name(request))
    if not session_id:
        return None
    session = await request.app[SESSIONS].get(session_id)
    if session is None:
        return None
    for moderator in request.app[CONFIG].moderators:
        if moderator.name == session.moderator and _tokens_match(
            session.token_sha256, moderator.token_sha256
        ):
            return session, moderator
    return None


class PageSessions:
    """The ``SessionResolver`` of ``moderation.web.auth``: the page's cookie works on ``/v1``
    (consulted only when no Authorization header is sent).  Unsafe methods must come from
    our origin and carry the session's CSRF token, else 403."""

    async def moderator_for(self, request: web.Request) -> ModeratorConfig | None:
        found = await current_session(request)
        if found is None:
            return None
        session, moderator = found
        if request.method not in SAFE_METHODS:
            if not same_origin(request):
                raise forbidden("Cross-site request refused.")
            if not _tokens_match(request.headers.get(CSRF_HEADER, ""), session.csrf_token):
                raise forbidden(f"Missing or wrong CSRF token: send the {CSRF_HEADER} header.")
        return moderator


def _set_cookie(request: web.Request, response: web.StreamResponse, session_id: str) -> None:
    response.set_cookie(
        cookie_name(request),
        session_id,
        path="/",
        httponly=True,
        secure=request.secure,
        samesite="Strict",
        # No max_age: a browser-session cookie; Redis decides when the session ends.
    )


def _clear_cookie(request: web.Request, response: web.StreamResponse) -> None:
    response.del_cookie(
        cookie_name(request), path="/", secure=request.secure, httponly=True, samesite="Strict"
    )


# -- handlers -------------------------------------------------------------------------


async def _html(
    name: str, status: int = 200, *, login_error: bool = False, query: str = ""
) -> web.Response:
    body = await asyncio.to_thread((STATIC_DIR / name).read_bytes)
    if login_error:
        body = body.replace(LOGIN_ERROR_MARKER, LOGIN_ERROR_HTML)
    if query:  # the login form carries the page's options through to the page
        action = f'action="{LOGIN_PATH}'
        body = body.replace(f'{action}"'.encode(), f'{action}?{html.escape(query)}"'.encode())
    return web.Response(body=body, status=status, content_type="text/html", charset="utf-8")


# The page's own options, kept through the login so that the page opens once, as asked
# (a second load would claim a batch of the default size first).
PAGE_OPTIONS = ("site", "batch")


def _page_query(request: web.Request) -> str:
    """The page options of the request's query, re-encoded ('' if none)."""
    kept = [
        (k, v)
        for k, v in request.query.items()
        if k in PAGE_OPTIONS and text_problem(v, limit=64) is None
    ]
    return urlencode(kept)


@routes.get(
    PAGE_PATH,
    operation(
        "moderatorPage",
        "page",
        "The moderator page: the review queue, or the login form",
        {
            "200": html_answer(
                "The queue page with a live session, else the login form.  Never cached."
            ),
            **problems(503),
        },
        security=OPTIONAL_SESSION,
    ),
)
async def page(request: web.Request) -> web.Response:
    """The queue for a logged-in moderator; the login form (200) for anyone else."""
    found = await current_session(request)
    if found is not None:
        response = await _html("moderate.html")
    else:
        response = await _html("login.html", query=_page_query(request))
    response.headers["Vary"] = "Cookie"
    return response


async def _form(request: web.Request) -> MultiDictProxy[str | bytes | bytearray | FileField]:
    """The posted form; a body that is not a well-formed form is the client's error."""
    seconds = request.app[CONFIG].body_timeout_seconds
    try:
        # request.read() under the hood: the whole body, 413 past client_max_size
        async with asyncio.timeout(seconds):
            return await request.post()
    except TimeoutError as exc:
        raise body_timeout(seconds) from exc
    except (
        ValueError,
        LookupError,
        UnicodeDecodeError,
        AssertionError,
        BadHttpMessage,  # a part header that is not a header
    ) as exc:
        raise bad_request(f"The form body is malformed: {exc}") from exc


@routes.post(
    LOGIN_PATH,
    operation(
        "login",
        "page",
        "Exchange a moderator token for a session cookie",
        {
            "303": redirect_answer(f"Logged in: the cookie is set; on to {PAGE_PATH}."),
            "401": html_answer("Not a moderator token: the login form with an error."),
            **problems(
                400,
                403,
                413,
                503,
                s400="The body is not a well-formed form.",
                s403=_CROSS_SITE,
            ),
        },
        body={"required": True, **_LOGIN_FORM},
    ),
)
async def login(request: web.Request) -> web.Response:
    """Exchange a moderator token (form field ``token``) for a session cookie."""
    if not same_origin(request):
        raise forbidden("Cross-site login refused.")
    form = await _form(request)
    token = form.get("token")
    moderator = None
    if isinstance(token, str) and 0 < len(token.strip()) <= MAX_TOKEN_FIELD:
        moderator = request.app[AUTH].moderator_for_token(token.strip())
    if moderator is None:
        return await _html("login.html", 401, login_error=True, query=_page_query(request))
    store = request.app[SESSIONS]
    old = request.cookies.get(cookie_name(request))
    if old:  # never keep a session id that existed before login (session fixation)
        await store.delete(old)
    session_id, _ = await store.create(moderator.name, moderator.token_sha256)
    query = _page_query(request)
    location = f"{PAGE_PATH}?{query}" if query else PAGE_PATH
    response = web.Response(status=303, headers={"Location": location})
    _set_cookie(request, response, session_id)
    return response


@routes.post(
    LOGOUT_PATH,
    operation(
        "logout",
        "page",
        "End the session",
        {
            "303": redirect_answer(f"Logged out: the cookie is cleared; on to {PAGE_PATH}."),
            **problems(
                400,
                403,
                413,
                503,
                s400="The body is not a well-formed form.",
                s403=_CROSS_SITE + "  Or the session's CSRF token is missing or wrong.",
            ),
        },
        security=OPTIONAL_SESSION,
        parameters=[param("CsrfToken")],
        body=_LOGOUT_FORM,
    ),
)
async def logout(request: web.Request) -> web.Response:
    """End the session (CSRF token from the form field ``csrf`` or the header)."""
    if not same_origin(request):
        raise forbidden("Cross-site logout refused.")
    session_id = request.cookies.get(cookie_name(request), "")
    found = await current_session(request)
    if found is not None:
        form = await _form(request)
        presented = form.get("csrf")
        if not isinstance(presented, str):
            presented = request.headers.get(CSRF_HEADER, "")
        if not _tokens_match(presented, found[0].csrf_token):
            raise forbidden("Missing or wrong CSRF token.")
    if session_id:
        await request.app[SESSIONS].delete(session_id)
    response = web.Response(status=303, headers={"Location": PAGE_PATH})
    _clear_cookie(request, response)
    return response


@routes.get(
    SESSION_PATH,
    operation(
        "getSession",
        "page",
        "Who is logged in, their sites, and the session's CSRF token",
        {
            "200": json_answer(ref("ModeratorSession"), "The session."),
            **problems(401, 503, s401=f"No session: log in at {PAGE_PATH}."),
        },
        security=SESSION,
    ),
)
async def session_info(request: web.Request) -> web.Response:
    """Who is logged in, the sites they moderate, and the session's CSRF token.  Readable
    only by our own pages: no CORS headers, and the cookie is SameSite=Strict."""
    found = await current_session(request)
    if found is None:
        raise unauthorized("No session: log in at /moderate.")
    session, moderator = found
    sites = moderated_sites(request, moderator)
    return answer(
        ModeratorSession(
            moderator=moderator.name,
            sites=sites,
            admin=moderator.admin,
            csrf_token=session.csrf_token,
        )
    )


@routes.get(
    ASSET_PATH,
    operation(
        "pageAsset",
        "page",
        "The page's script and style sheet",
        {
            "200": {
                "description": "The file (revalidated on every use).",
                "headers": header_refs("Content-Security-Policy"),
                "content": {
                    ctype.partition(";")[0]: {"schema": {"type": "string"}}
                    for ctype in ASSETS.values()
                },
            },
            **problems(404, s404="No such file."),
        },
        parameters=[
            {
                "name": "name",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "enum": sorted(ASSETS)},
            }
        ],
    ),
)
async def asset(request: web.Request) -> web.Response:
    """The page's script or style sheet, whole, revalidated by its ETag.

    Not a ``web.FileResponse``: it answers a Range header it cannot parse (or one past
    the end) with a bare 416 of its own, outside the error middleware.  Ranges of a
    few-KiB file are of no use, and a server may ignore them (RFC 9110, 14.2)."""
    name = request.match_info["name"]
    content_type = ASSETS.get(name)
    if content_type is None:
        raise web.HTTPNotFound()
    body = await asyncio.to_thread((STATIC_DIR / name).read_bytes)
    etag = hashlib.sha256(body).hexdigest()[:32]
    headers = {"Content-Type": content_type, "Cache-Control": "no-cache"}
    wanted = request.if_none_match or ()
    if any(tag.value in (etag, "*") for tag in wanted):
        response = web.Response(status=304, headers=headers)
    else:
        response = web.Response(body=body, headers=headers)
    response.etag = etag
    return response


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Every answer under /moderate: strict CSP and friends; pages are never cached."""
    if request.path != PAGE_PATH and not request.path.startswith(PAGE_PATH + "/"):
        return
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    if not request.path.startswith("/moderate/static/"):
        response.headers["Cache-Control"] = "no-store"
