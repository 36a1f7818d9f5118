"""The moderator page over HTTP: login, session cookie, CSRF, logout, security headers."""

from __future__ import annotations

import hashlib
import re
import ssl
from dataclasses import replace
from http.cookies import SimpleCookie
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, make_mocked_request

from moderation.config import Config, ModeratorConfig, sha256_hex
from moderation.storage import keys
from moderation.storage.connect import open_client
from moderation.storage.sessions import IDLE_SECONDS, SessionStore
from moderation.storage.store import Store
from moderation.web.page_names import COOKIE, SECURE_COOKIE
from moderation.web.ui import (
    CONTENT_SECURITY_POLICY,
    STATIC_DIR,
    _set_cookie,
    cookie_name,
)
from tests.conftest import ALICE, NEWS_KEY, ROOT, auth, comment_body
from tests.support.netpath import client_on_both_paths  # noqa: F401  (runs each test direct and fragmented)

Client = TestClient[Any, Any]
MakeClient = Any

EXPECTED_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


async def _login(client: Client, token: str = ALICE) -> tuple[str, str]:
    """Log in; the session id (from Set-Cookie) and the session's CSRF token."""
    resp = await client.post("/moderate/login", data={"token": token}, allow_redirects=False)
    assert resp.status == 303, await resp.text()
    cookie = SimpleCookie()
    cookie.load(resp.headers["Set-Cookie"])
    session_id = cookie[COOKIE].value
    info = await client.get("/moderate/session")
    assert info.status == 200
    body = await info.json()
    return session_id, body["csrf_token"]


async def _comment(client: Client, external_id: str = "c1") -> str:
    resp = await client.post(
        "/v1/comments", json=comment_body(id=external_id), headers=auth(NEWS_KEY)
    )
    assert resp.status == 202, await resp.text()
    comment_id: str = (await resp.json())["id"]
    return comment_id


def _assert_page_headers(resp: Any) -> None:
    assert resp.headers["Content-Security-Policy"] == EXPECTED_CSP
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "no-referrer"
    assert resp.headers["X-Frame-Options"] == "DENY"


def test_policy_is_the_documented_one() -> None:
    assert CONTENT_SECURITY_POLICY == EXPECTED_CSP


async def test_page_without_session_is_the_login_form(client: Client) -> None:
    resp = await client.get("/moderate")
    assert resp.status == 200
    assert resp.content_type == "text/html"
    _assert_page_headers(resp)
    assert resp.headers["Cache-Control"] == "no-store"
    html = await resp.text()
    assert 'action="/moderate/login"' in html
    assert 'name="token"' in html
    assert 'id="login-error"' not in html
    assert "Set-Cookie" not in resp.headers


@pytest.mark.parametrize("name", ["login.html", "moderate.html"])
def test_pages_have_no_inline_script_or_style(name: str) -> None:
    html = (STATIC_DIR / name).read_text(encoding="utf-8")
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, tag
    assert "<style" not in html
    assert not re.search(r"\sstyle\s*=", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert "javascript:" not in html


def test_script_never_writes_html() -> None:
    script = (STATIC_DIR / "moderate.js").read_text(encoding="utf-8")
    code = "\n".join(line for line in script.splitlines() if not line.strip().startswith("//"))
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in code, sink


async def test_assets_are_served_with_types_and_policy(client: Client) -> None:
    js = await client.get("/moderate/static/moderate.js")
    assert js.status == 200
    assert js.content_type == "text/javascript"
    _assert_page_headers(js)
    css = await client.get("/moderate/static/moderate.css")
    assert css.status == 200 and css.content_type == "text/css"
    for name in ("login.html", "../ui.py", "nope.js"):
        assert (await client.get(f"/moderate/static/{name}")).status == 404


async def test_bad_token_answers_401_with_the_form_and_no_cookie(client: Client) -> None:
    for data in ({"token": "not-a-token"}, {"token": ""}, {}, {"token": NEWS_KEY}):
        resp = await client.post("/moderate/login", data=data, allow_redirects=False)
        assert resp.status == 401
        _assert_page_headers(resp)
        html = await resp.text()
        assert 'id="login-error"' in html and 'name="token"' in html
        assert "Set-Cookie" not in resp.headers


async def test_login_sets_a_strict_http_only_cookie(client: Client, config: Config) -> None:
    resp = await client.post("/moderate/login", data={"token": ALICE}, allow_redirects=False)
    assert resp.status == 303
    assert resp.headers["Location"] == "/moderate"
    _assert_page_headers(resp)
    header = resp.headers["Set-Cookie"]
    cookie = SimpleCookie()
    cookie.load(header)
    morsel = cookie[COOKIE]
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Strict"
    assert morsel["path"] == "/"
    assert not morsel["secure"]  # plain http here; see the https test below
    assert not morsel["max-age"] and not morsel["expires"]  # ends with the browser
    session_id = morsel.value
    assert len(session_id) >= 40

    # Redis keeps the hash of the id, with a TTL; never the id itself.
    assert config.redis.url is not None
    r = open_client(config.redis, config.redis.url)
    try:
        digest = hashlib.sha256(session_id.encode()).hexdigest()
        key = keys.session(digest)
        stored = await r.hgetall(key)
        assert stored["moderator"] == "alice"
        assert 0 < await r.ttl(key) <= IDLE_SECONDS
        for name in await r.keys("*"):
            assert session_id not in name
            if await r.type(name) == "hash":
                assert session_id not in (await r.hvals(name))
    finally:
        await r.aclose()

    page = await client.get("/moderate")
    assert page.status == 200
    html = await page.text()
    assert "/moderate/static/moderate.js" in html and 'id="queue"' in html


def test_cookie_is_secure_and_host_prefixed_over_https() -> None:
    request = make_mocked_request(
        "POST", "/moderate/login", sslcontext=ssl.create_default_context()
    )
    assert request.secure
    assert cookie_name(request) == SECURE_COOKIE
    response = web.Response()
    _set_cookie(request, response, "abc")
    morsel = response.cookies[SECURE_COOKIE]
    assert morsel["secure"] is True
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Strict"
    assert morsel["path"] == "/"
    assert not morsel["domain"]


async def test_session_info_lists_the_moderators_sites(
    make_client: MakeClient, config: Config
) -> None:
    client = await make_client(config)
    await _login(client, ROOT)
    body = await (await client.get("/moderate/session")).json()
    assert body["moderator"] == "root"
    assert body["sites"] == ["news", "blog"]
    assert body["admin"] is True
    assert len(body["csrf_token"]) >= 40
    await _login(client, ALICE)  # a new login replaces the session
    body = await (await client.get("/moderate/session")).json()
    assert (body["moderator"], body["admin"]) == ("alice", False)


async def test_session_info_needs_a_session(client: Client) -> None:
    resp = await client.get("/moderate/session")
    assert resp.status == 401
    assert resp.content_type == "application/problem+json"


async def test_session_works_on_the_api_and_needs_csrf_to_change(client: Client) -> None:
    comment_id = await _comment(client)
    _, csrf = await _login(client)

    queue = await client.get("/v1/queue?site=news")
    assert queue.status == 200
    assert [i["id"] for i in (await queue.json())["items"]] == [comment_id]
    stats = await client.get("/v1/stats?site=news")
    assert stats.status == 200

    decision = {"decision": "approve"}
    path = f"/v1/comments/{comment_id}/decision"
    no_token = await client.post(path, json=decision)
    assert no_token.status == 403
    assert "CSRF" in (await no_token.json(content_type="application/problem+json"))["detail"]
    # one character changed (a random token may itself start with "x": 1 in 64)
    forged = ("y" if csrf.startswith("x") else "x") + csrf[1:]
    wrong = await client.post(path, json=decision, headers={"X-CSRF-Token": forged})
    assert wrong.status == 403
    cross_site = await client.post(
        path,
        json=decision,
        headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"},
    )
    assert cross_site.status == 403
    fetch_cross = await client.post(
        path, json=decision, headers={"X-CSRF-Token": csrf, "Sec-Fetch-Site": "cross-site"}
    )
    assert fetch_cross.status == 403
    assert (await (await client.get(f"/v1/comments/{comment_id}")).json())["status"] == "pending"

    origin = str(client.make_url("/").origin())  # the host the request goes to
    ok = await client.post(path, json=decision, headers={"X-CSRF-Token": csrf, "Origin": origin})
    assert ok.status == 200, await ok.text()
    record = await (await client.get(f"/v1/comments/{comment_id}")).json()
    assert record["status"] == "approved" and record["decided_by"] == "alice"

    undo = await client.post(f"/v1/comments/{comment_id}/undo", headers={"X-CSRF-Token": csrf})
    assert undo.status == 200
    claim = await client.post(
        "/v1/queue/claim",
        json={"site": "news", "limit": 5, "lease_seconds": 60},
        headers={"X-CSRF-Token": csrf},
    )
    assert claim.status == 200
    assert [i["claimed_by"] for i in (await claim.json())["items"]] == ["alice"]
    bulk = await client.post(
        "/v1/decisions",
        json={"decisions": [{"id": comment_id, "decision": "spam"}]},
        headers={"X-CSRF-Token": csrf},
    )
    assert bulk.status == 200
    assert (await bulk.json())["results"][0]["comment_status"] == "spam"


async def test_session_keeps_the_moderators_site_wall(client: Client) -> None:
    await _login(client)  # alice moderates news only
    resp = await client.get("/v1/queue?site=blog")
    assert resp.status == 404


async def test_bearer_token_still_wins_over_the_cookie(client: Client) -> None:
    await _login(client)
    resp = await client.get("/v1/queue?site=news", headers=auth("wrong-token"))
    assert resp.status == 401


async def test_cross_site_login_is_refused(client: Client) -> None:
    resp = await client.post(
        "/moderate/login",
        data={"token": ALICE},
        headers={"Origin": "https://evil.example"},
        allow_redirects=False,
    )
    assert resp.status == 403
    assert "Set-Cookie" not in resp.headers


async def test_logout_needs_csrf_and_ends_the_session(client: Client, config: Config) -> None:
    session_id, csrf = await _login(client)
    refused = await client.post("/moderate/logout", data={"csrf": "nope"}, allow_redirects=False)
    assert refused.status == 403
    assert (await client.get("/v1/queue?site=news")).status == 200

    resp = await client.post("/moderate/logout", data={"csrf": csrf}, allow_redirects=False)
    assert resp.status == 303
    assert resp.headers["Location"] == "/moderate"
    cleared = SimpleCookie()
    cleared.load(resp.headers["Set-Cookie"])
    assert cleared[COOKIE].value == ""

    assert config.redis.url is not None
    r = open_client(config.redis, config.redis.url)
    try:
        digest = hashlib.sha256(session_id.encode()).hexdigest()
        assert await r.exists(keys.session(digest)) == 0
    finally:
        await r.aclose()

    # The old cookie, replayed by hand, no longer opens anything.
    client.session.cookie_jar.clear()
    replay = {"Cookie": f"{COOKIE}={session_id}"}
    assert (await client.get("/v1/queue?site=news", headers=replay)).status == 401
    assert (await client.get("/moderate/session", headers=replay)).status == 401
    page = await client.get("/moderate", headers=replay)
    assert page.status == 200 and 'name="token"' in await page.text()
    posted = await client.post(
        "/v1/queue/claim",
        json={"site": "news", "limit": 1},
        headers={**replay, "X-CSRF-Token": csrf},
    )
    assert posted.status == 401


async def test_logout_by_header_works_for_scripts(client: Client) -> None:
    _, csrf = await _login(client)
    resp = await client.post(
        "/moderate/logout", headers={"X-CSRF-Token": csrf}, allow_redirects=False
    )
    assert resp.status == 303
    assert (await client.get("/moderate/session")).status == 401


async def test_a_new_login_replaces_the_old_session(client: Client) -> None:
    first, _ = await _login(client)
    second, _ = await _login(client)
    assert first != second
    client.session.cookie_jar.clear()
    old = {"Cookie": f"{COOKIE}={first}"}
    assert (await client.get("/moderate/session", headers=old)).status == 401
    new = {"Cookie": f"{COOKIE}={second}"}
    assert (await client.get("/moderate/session", headers=new)).status == 200


async def test_rotating_the_token_ends_its_sessions(
    make_client: MakeClient, config: Config
) -> None:
    client = await make_client(config)
    session_id, _ = await _login(client)
    rotated = tuple(
        replace(m, token_sha256=sha256_hex("a-brand-new-alice-token-123"))
        if m.name == "alice"
        else m
        for m in config.moderators
    )
    assert all(isinstance(m, ModeratorConfig) for m in rotated)
    other = await make_client(replace(config, moderators=rotated))
    cookie = {"Cookie": f"{COOKIE}={session_id}"}
    assert (await other.get("/moderate/session", headers=cookie)).status == 401


async def test_sessions_end_after_their_maximum_age(config: Config) -> None:
    assert config.redis.url is not None
    r = open_client(config.redis, config.redis.url)
    try:
        store = SessionStore(Store(r), idle_seconds=60, max_age_seconds=3600)
        session_id, session = await store.create("alice", "00" * 32)
        assert await store.get(session_id) == session
        key = keys.session(hashlib.sha256(session_id.encode()).hexdigest())
        await r.hset(key, "created_ms", str(session.created_ms - 3_601_000))
        assert await store.get(session_id) is None
        assert await r.exists(key) == 0
        assert await store.get("") is None
        assert await store.get("x" * 500) is None
    finally:
        await r.aclose()


async def test_login_keeps_the_pages_options_and_nothing_else(client: Client) -> None:
    form = await (await client.get("/moderate?batch=3&site=news&next=https://evil.example/")).text()
    assert 'action="/moderate/login?batch=3&amp;site=news"' in form
    resp = await client.post(
        "/moderate/login?batch=3&site=news&next=https://evil.example/",
        data={"token": ALICE},
        allow_redirects=False,
    )
    assert resp.status == 303
    assert resp.headers["Location"] == "/moderate?batch=3&site=news"
