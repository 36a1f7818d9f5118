"""Ops endpoints, request ids, and the Redis-down path with recovery."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import redis as redis_sync
from aiohttp.test_utils import TestClient

from moderation.config import Config
from moderation.storage.redis_server import RedisServer
from tests.conftest import ALICE, NEWS_KEY, auth, comment_body

Client = TestClient[Any, Any]


async def test_healthz(client: Client) -> None:
    resp = await client.get("/healthz")
    assert resp.status == 200
    assert (await resp.json())["status"] == "ok"


async def test_readyz_when_ready(client: Client) -> None:
    resp = await client.get("/readyz")
    body = await resp.json()
    assert resp.status == 200, body
    assert body["checks"]["redis"]["ok"] and body["checks"]["model"]["ok"]
    assert body["checks"]["model"]["version"]


async def test_request_id_is_echoed_or_generated(client: Client) -> None:
    resp = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert resp.headers["X-Request-ID"] == "abc-123"
    resp = await client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert resp.headers["X-Request-ID"] != "bad id with spaces"
    first = resp.headers["X-Request-ID"]
    assert len(first) == 32
    resp = await client.get("/healthz")
    assert len(resp.headers["X-Request-ID"]) == 32
    assert resp.headers["X-Request-ID"] != first  # a new id for each request


async def test_problem_json_for_unknown_route_and_method(client: Client) -> None:
    resp = await client.get("/v1/nope")
    assert resp.status == 404 and resp.content_type == "application/problem+json"
    resp = await client.delete("/v1/comments")
    assert resp.status == 405 and resp.content_type == "application/problem+json"
    assert "POST" in resp.headers.get("Allow", "")


async def test_metrics(client: Client) -> None:
    await client.post("/v1/comments", json=comment_body(), headers=auth(NEWS_KEY))
    await client.post("/v1/comments", json={"content": ""}, headers=auth(NEWS_KEY))
    resp = await client.get("/metrics")
    assert resp.status == 200
    assert resp.content_type == "text/plain"
    text = await resp.text()
    assert (
        'moderation_http_requests_total{method="POST",route="/v1/comments",status="202"} 1.0'
        in text
    )
    assert 'moderation_comments_total{outcome="pending"} 1.0' in text
    assert 'moderation_comments_total{outcome="invalid"} 1.0' in text
    assert 'moderation_pending_comments{site="news"} 1.0' in text
    assert "moderation_spam_score_bucket" in text
    assert "moderation_http_request_duration_seconds_bucket" in text
    assert "moderation_redis_errors_total" in text


async def _keys(url: str) -> set[bytes]:
    with redis_sync.Redis.from_url(url) as r:
        return set(r.keys("*"))


@pytest.mark.one_redis  # a redis-server of its own, or the embedded one
async def test_redis_down_answers_503_then_recovers(
    make_client: Any, config: Config, tmp_path: Path
) -> None:
    server = RedisServer(tmp_path / "own-redis", persistent=True, unix_socket=False)
    server.start()
    try:
        client: Client = await make_client(
            replace(config, redis=replace(config.redis, url=server.url))
        )
        ok = await client.post(
            "/v1/comments", json=comment_body(id="before"), headers=auth(NEWS_KEY)
        )
        assert ok.status == 202
        keys_before = await _keys(server.url)

        server.stop()
        started = asyncio.get_running_loop().time()
        resp = await client.post(
            "/v1/comments", json=comment_body(id="during"), headers=auth(NEWS_KEY)
        )
        elapsed = asyncio.get_running_loop().time() - started
        assert resp.status == 503
        assert resp.content_type == "application/problem+json"
        assert int(resp.headers["Retry-After"]) >= 1
        assert elapsed < 3  # bounded by the Redis timeout, never a hang
        ready = await client.get("/readyz")
        assert ready.status == 503
        assert (await ready.json())["failing"] == ["redis"]
        queue = await client.get("/v1/queue?site=news", headers=auth(ALICE))
        assert queue.status == 503

        server.start()  # same port, same data (AOF)
        assert await _keys(server.url) == keys_before  # nothing half-written
        for _ in range(50):
            if (await client.get("/readyz")).status == 200:
                break
            await asyncio.sleep(0.1)
        assert (await client.get("/readyz")).status == 200
        resp = await client.post(
            "/v1/comments", json=comment_body(id="during"), headers=auth(NEWS_KEY)
        )
        assert resp.status == 202
        listing = await (await client.get("/v1/queue?site=news", headers=auth(ALICE))).json()
        assert sorted(i["external_id"] for i in listing["items"]) == ["before", "during"]
    finally:
        server.stop()


@pytest.mark.one_redis  # a redis-server of its own, or the embedded one
async def test_embedded_redis_keeps_data_across_restarts(
    make_client: Any, config: Config, tmp_path: Path
) -> None:
    embedded = replace(config, redis=replace(config.redis, url=None), data_dir=tmp_path / "d")
    client: Client = await make_client(embedded)
    resp = await client.post("/v1/comments", json=comment_body(id="kept"), headers=auth(NEWS_KEY))
    assert resp.status == 202
    cid = (await resp.json())["id"]
    await client.close()  # stops the app and its redis-server (AOF flushed on SIGTERM)
    assert (tmp_path / "d" / "redis" / "appendonly.aof").exists() or any(
        (tmp_path / "d" / "redis").glob("appendonly*")
    )
    again: Client = await make_client(embedded)
    record = await again.get(f"/v1/comments/{cid}", headers=auth(NEWS_KEY))
    assert record.status == 200
    assert (await record.json())["external_id"] == "kept"


async def test_forwarded_proto_is_believed_only_when_configured(
    make_client: Any, config: Config
) -> None:
    from tests.conftest import ALICE as TOKEN

    headers = {"X-Forwarded-Proto": "https"}
    plain: Client = await make_client(config)
    resp = await plain.post(
        "/moderate/login", data={"token": TOKEN}, headers=headers, allow_redirects=False
    )
    assert "moderation_session" in resp.cookies and "__Host-moderation_session" not in resp.cookies

    behind_proxy: Client = await make_client(replace(config, trust_forwarded_proto=True))
    resp = await behind_proxy.post(
        "/moderate/login", data={"token": TOKEN}, headers=headers, allow_redirects=False
    )
    assert resp.status == 303
    morsel = resp.cookies["__Host-moderation_session"]
    assert morsel["secure"] is True


async def test_scripts_come_back_after_redis_forgets_them(client: Client, redis_url: str) -> None:
    first = await client.post("/v1/comments", json=comment_body(id="s1"), headers=auth(NEWS_KEY))
    assert first.status == 202
    with redis_sync.Redis.from_url(redis_url) as r:
        r.script_flush()  # what a Redis restart without the scripts looks like
    again = await client.post("/v1/comments", json=comment_body(id="s2"), headers=auth(NEWS_KEY))
    assert again.status == 202
    cid = (await first.json())["id"]
    with redis_sync.Redis.from_url(redis_url) as r:
        r.script_flush()
    decided = await client.post(
        f"/v1/comments/{cid}/decision", json={"decision": "approve"}, headers=auth(ALICE)
    )
    assert decided.status == 200


async def test_access_log_modes(
    make_client: Any, config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="moderation.web.http")
    quiet: Client = await make_client(config)  # default: errors only
    await quiet.post("/v1/comments", json=comment_body(id="q1"), headers=auth(NEWS_KEY))
    await quiet.post("/v1/comments", json={}, headers=auth(NEWS_KEY))
    logged = [r.__dict__.get("status") for r in caplog.records if r.getMessage() == "request"]
    assert logged == [422]
    caplog.clear()
    chatty: Client = await make_client(replace(config, access_log="all"))
    await chatty.post("/v1/comments", json=comment_body(id="q2"), headers=auth(NEWS_KEY))
    logged = [r.__dict__.get("status") for r in caplog.records if r.getMessage() == "request"]
    assert logged == [202]


def test_a_log_line_with_a_lone_surrogate_is_still_written() -> None:
    """stderr writes UTF-8: a lone surrogate in a log field would make the handler drop
    the whole line (and print a traceback holding it); the formatter escapes it instead."""
    from moderation.core.logs import JsonFormatter

    record = logging.LogRecord("moderation", logging.INFO, "", 0, "odd \ud800 text", None, None)
    record.__dict__["route"] = "/v1/\udcff"
    line = JsonFormatter().format(record)
    line.encode("utf-8")  # writable as it is
    assert json.loads(line)["msg"] == "odd \ud800 text"
    ok = logging.LogRecord("moderation", logging.INFO, "", 0, "Ça marche", None, None)
    assert "Ça marche" in JsonFormatter().format(ok)  # plain text stays readable
