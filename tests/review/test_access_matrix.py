"""Who may see what: every endpoint against every kind of credential.

Each cell is the exact status the contract promises, and no answer to a caller of one
site ever carries the other site's data.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from moderation.core.signing import sign
from tests.conftest import (
    ALICE,
    BLOG_KEY,
    BLOG_SIGNING,
    CAROL,
    NEWS_KEY,
    ROOT,
    auth,
    comment_body,
)

Client = TestClient[Any, Any]

# Kinds of credential, each a function of (stale session cookie) -> headers.
CREDENTIALS = [
    "none",
    "wrong",
    "other_site_key",
    "other_site_moderator",
    "this_site_key",
    "this_site_moderator",
    "logged_out_session",
]

# The news comment's endpoints: status per credential, in CREDENTIALS order.
# 401: not authenticated for this endpoint; 404: authenticated, but not this site's.
MATRIX: list[tuple[str, str, Any, list[int]]] = [
    ("GET", "/v1/comments/{id}", None, [401, 401, 404, 404, 200, 200, 401]),
    (
        "POST",
        "/v1/comments/{id}/decision",
        {"decision": "approve"},
        [401, 401, 401, 404, 401, 200, 401],
    ),
    ("POST", "/v1/comments/{id}/undo", None, [401, 401, 401, 404, 401, 200, 401]),
    ("POST", "/v1/comments/{id}/release", None, [401, 401, 401, 404, 401, 200, 401]),
    ("GET", "/v1/queue?site=news", None, [401, 401, 401, 404, 401, 200, 401]),
    ("GET", "/v1/stats?site=news", None, [401, 401, 401, 404, 401, 200, 401]),
    ("POST", "/v1/queue/claim", {"site": "news", "limit": 5}, [401, 401, 401, 404, 401, 200, 401]),
    (
        "POST",
        "/v1/decisions",
        {"decisions": [{"id": "{id}", "decision": "spam"}]},
        [401, 401, 401, 200, 401, 200, 401],
    ),
    (
        "POST",
        "/v1/erasure",
        {"author_email": "x@example.com", "site": "news"},
        [401, 401, 401, 403, 401, 403, 401],
    ),
    ("GET", "/v1/callbacks?site=news&state=dead", None, [401, 401, 401, 403, 401, 403, 401]),
    (
        "POST",
        "/v1/callbacks/redeliver",
        {"site": "news"},
        [401, 401, 401, 403, 401, 403, 401],
    ),
    ("GET", "/healthz", None, [200] * 7),
    ("GET", "/openapi.json", None, [200] * 7),
    ("GET", "/moderate", None, [200] * 7),
]


async def _session_cookie(client: Client, token: str) -> str:
    resp = await client.post("/moderate/login", data={"token": token}, allow_redirects=False)
    assert resp.status == 303
    morsel = resp.cookies.get("moderation_session")
    assert morsel is not None
    return morsel.value


async def _logged_out_cookie(client: Client) -> str:
    cookie = await _session_cookie(client, ALICE)
    info = await (await client.get("/moderate/session")).json()
    resp = await client.post(
        "/moderate/logout", headers={"X-CSRF-Token": info["csrf_token"]}, allow_redirects=False
    )
    assert resp.status == 303
    client.session.cookie_jar.clear()
    return cookie


def _headers(kind: str, stale_cookie: str) -> dict[str, str]:
    return {
        "none": {},
        "wrong": auth("definitely-not-a-known-key"),
        "other_site_key": auth(BLOG_KEY),
        "other_site_moderator": auth(CAROL),
        "this_site_key": auth(NEWS_KEY),
        "this_site_moderator": auth(ALICE),
        "logged_out_session": {"Cookie": f"moderation_session={stale_cookie}"},
    }[kind]


async def _seed(client: Client) -> tuple[str, str]:
    news = await client.post(
        "/v1/comments",
        json=comment_body(
            id="n1",
            content="News reader comment NEWS-SECRET-TEXT",
            author_email="newsreader@example.com",
        ),
        headers=auth(NEWS_KEY),
    )
    raw = json.dumps(
        comment_body(
            id="b1",
            content="Blog reader comment BLOG-SECRET-TEXT",
            author_email="blogreader@example.org",
        )
    ).encode()
    blog = await client.post(
        "/v1/comments",
        data=raw,
        headers={
            **auth(BLOG_KEY),
            "Content-Type": "application/json",
            "X-Moderation-Signature": sign(BLOG_SIGNING, int(time.time()), raw),
        },
    )
    assert news.status == blog.status == 202
    return (await news.json())["id"], (await blog.json())["id"]


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX]
)
async def test_matrix(
    client: Client,
    method: str,
    path: str,
    body: Any,
    expected: list[int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    stale = await _logged_out_cookie(client)
    news_id, blog_id = await _seed(client)
    for kind, want in zip(CREDENTIALS, expected, strict=True):
        # decide/undo need a decided comment of the right moderator: re-seed per credential
        if path.endswith("/undo") and kind == "this_site_moderator":
            await client.post(
                f"/v1/comments/{news_id}/decision", json={"decision": "spam"}, headers=auth(ALICE)
            )
        if path.endswith("/release") and kind == "this_site_moderator":
            await client.post(
                "/v1/queue/claim", json={"site": "news", "limit": 5}, headers=auth(ALICE)
            )
        url = path.replace("{id}", news_id)
        payload = (
            json.loads(json.dumps(body).replace("{id}", news_id)) if body is not None else None
        )
        resp = await client.request(method, url, json=payload, headers=_headers(kind, stale))
        text = await resp.text()
        assert resp.status == want, (kind, resp.status, text[:300])
        # never another site's data: news callers never see the blog comment
        assert "BLOG-SECRET-TEXT" not in text and "blogreader@example.org" not in text
        assert blog_id not in text
        if kind in (
            "other_site_key",
            "other_site_moderator",
            "none",
            "wrong",
            "logged_out_session",
        ):
            assert "NEWS-SECRET-TEXT" not in text and "newsreader@example.com" not in text
        if kind == "other_site_moderator" and path == "/v1/decisions":
            assert [r["status"] for r in json.loads(text)["results"]] == [404]
    _assert_no_secrets_in_logs(caplog)


async def test_intake_credentials(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    stale = await _logged_out_cookie(client)
    body = comment_body(id="intake-matrix")
    expected = {
        "none": 401,
        "wrong": 401,
        "other_site_key": 403,  # the blog requires a signature; unsigned is refused
        "other_site_moderator": 401,
        "this_site_key": 202,
        "this_site_moderator": 401,
        "logged_out_session": 401,
    }
    for kind, want in expected.items():
        resp = await client.post("/v1/comments", json=body, headers=_headers(kind, stale))
        assert resp.status == want, (kind, await resp.text())
    _assert_no_secrets_in_logs(caplog)


async def test_root_moderator_sees_both_and_erases(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    news_id, blog_id = await _seed(client)
    for cid in (news_id, blog_id):
        assert (await client.get(f"/v1/comments/{cid}", headers=auth(ROOT))).status == 200
    resp = await client.post(
        "/v1/erasure", json={"author_email": "newsreader@example.com"}, headers=auth(ROOT)
    )
    assert resp.status == 200
    _assert_no_secrets_in_logs(caplog)


SECRETS = [NEWS_KEY, BLOG_KEY, BLOG_SIGNING, ALICE, CAROL, ROOT]
EMAILS = ["newsreader@example.com", "blogreader@example.org", "maria@example.com", "x@example.com"]


def _assert_no_secrets_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    """No secret, session id or author email in any log line (message or extra fields)."""
    from moderation.core.logs import JsonFormatter

    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    assert lines, "expected the service to log its requests"
    for line in lines:
        for secret in SECRETS:
            assert secret not in line
        for email in EMAILS:
            assert email not in line
        assert "moderation_session=" not in line
