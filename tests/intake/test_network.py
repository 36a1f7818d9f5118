"""The service over a network path like the world's: bodies in several TCP segments with
pauses, chunked and compressed bodies, slow and half-sent requests.

Every case here was a lost or refused comment before bodies were read whole (see
RELIABILITY.md, "Over a real network")."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import itertools
import json
import logging
import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.appkeys import METRICS
from moderation.config import Config
from tests.conftest import ALICE, NEWS_KEY, MakeClient, auth, comment_body
from tests.support.faultkit import wait_for
from tests.support.netpath import (
    FragmentingProxy,
    RawAnswer,
    chunked,
    closed_within,
    read_answer,
    request_bytes,
    send_raw,
)

Client = TestClient[Any, Any]
_EXAMPLES = itertools.count()


@pytest.fixture
def net_config(config: Config) -> Config:
    """Short timeouts so the slow-client cases finish quickly."""
    return replace(config, body_timeout_seconds=1.5, keepalive_timeout_seconds=1.0)


@pytest.fixture
async def net_client(make_client: MakeClient, net_config: Config) -> Client:
    client: Client = await make_client(net_config)
    return client


@pytest.fixture
async def proxy(net_client: Client) -> AsyncIterator[FragmentingProxy]:
    server = net_client.server
    assert server.port is not None
    async with FragmentingProxy("127.0.0.1", server.port, pause=0.001) as running:
        yield running


def _port(client: Client) -> int:
    port = client.server.port
    assert port is not None
    return port


def _intake_head(body: bytes, media: str = "application/json") -> bytes:
    head, _ = request_bytes(
        "POST",
        "/v1/comments",
        {"Authorization": f"Bearer {NEWS_KEY}", "Content-Type": media},
        body,
    )
    return head


async def _stored(client: Client, comment_id: str) -> dict[str, Any]:
    resp = await client.get(f"/v1/comments/{comment_id}", headers=auth(ALICE))
    assert resp.status == 200
    record: dict[str, Any] = await resp.json()
    return record


def _long_content(n: int, tag: str = "") -> str:
    words = "the council's budget figures for the harbour look sound to me".split()
    text = " ".join(words[i % len(words)] for i in range(n // 5))
    return (tag + " " + text)[: n - 1] + "."


async def test_a_form_comment_in_two_writes_is_stored_whole(net_client: Client) -> None:
    content = _long_content(1200, "form")
    body = urllib.parse.urlencode(
        {
            "id": "form-split",
            "author_name": "Maria",
            "author_email": "maria@example.com",
            "content": content,
        }
    ).encode()
    head = _intake_head(body, "application/x-www-form-urlencoded")
    half = len(body) // 2
    answer = await send_raw(_port(net_client), [head + body[:half], body[half:]], 0.3)
    assert answer.status == 202, answer.body
    assert (await _stored(net_client, answer.json()["id"]))["content"] == content


@pytest.mark.parametrize("gap", [0.0002, 0.001])
async def test_a_3kb_json_comment_split_after_one_segment_is_stored(
    net_client: Client, gap: float
) -> None:
    """The 1,400-byte first segment, then the rest a fraction of a millisecond later:
    10 of 10 answered 400 "not valid JSON" before."""
    for attempt in range(10):
        content = _long_content(3000, f"try {attempt} gap {gap}")
        body = json.dumps(comment_body(id=f"split-{gap}-{attempt}", content=content)).encode()
        wire = _intake_head(body) + body
        answer = await send_raw(_port(net_client), [wire[:1400], wire[1400:]], gap)
        assert answer.status == 202, answer.body
        assert (await _stored(net_client, answer.json()["id"]))["content"] == content


async def test_intake_decision_bulk_and_login_through_a_fragmenting_path(
    net_client: Client, proxy: FragmentingProxy
) -> None:
    """aiohttp's own client, through a path that cuts every request into 1,400-byte
    segments with 1 ms between them: everything a CMS and a moderator do."""
    async with aiohttp.ClientSession(base_url=proxy.url) as http:
        ids = []
        for i in range(40):
            content = _long_content(2500, f"comment {i}")
            async with http.post(
                "/v1/comments",
                json=comment_body(id=f"px-{i}", content=content),
                headers=auth(NEWS_KEY),
            ) as resp:
                assert resp.status == 202, await resp.text()
                ids.append((await resp.json())["id"])
        note = "n" * 1900  # a long note, so the bulk body is ~300 KB
        async with http.post(
            f"/v1/comments/{ids[0]}/decision",
            json={"decision": "approve", "note": note},
            headers=auth(ALICE),
        ) as resp:
            assert resp.status == 200, await resp.text()
        bulk = {
            "decisions": [{"id": cid, "decision": "spam", "note": note} for cid in ids[1:]]
            + [{"id": f"news_missing{i}", "decision": "reject", "note": note} for i in range(110)]
        }
        assert len(json.dumps(bulk)) > 280_000
        async with http.post("/v1/decisions", json=bulk, headers=auth(ALICE)) as resp:
            assert resp.status == 200, await resp.text()
            results = (await resp.json())["results"]
        assert [r["status"] for r in results[: len(ids) - 1]] == [200] * (len(ids) - 1)
        async with http.post(
            "/moderate/login", data={"token": ALICE}, allow_redirects=False
        ) as resp:
            assert resp.status == 303, await resp.text()
    assert proxy.pieces_sent > 200
    for cid in ids[1:]:
        record = await _stored(net_client, cid)
        assert record["status"] == "spam" and record["note"] == note


async def _send_chunked(
    client: Client, path: str, token: str, body: bytes, size: int, pause: float
) -> RawAnswer:
    """POST ``body`` as JSON in chunks of ``size`` bytes, ``pause`` seconds apart."""
    head, _ = request_bytes(
        "POST",
        path,
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        chunked=True,
    )
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    return await send_raw(_port(client), [head, *chunked(parts)], pause)


async def test_chunked_bodies_with_pauses_meet_the_limits(net_client: Client) -> None:
    """100 KB chunked to intake (limit 64 KiB) and 2 MB to the claim endpoint (limit
    1 MiB), in chunks with pauses: 413 problem+json, not 202 or 200."""
    big = json.dumps(comment_body(content="x" * 100_000)).encode()
    answer = await _send_chunked(net_client, "/v1/comments", NEWS_KEY, big, 8192, 0.002)
    assert answer.status == 413
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["request_id"]

    claim = json.dumps({"site": "news", "limit": 5, "pad": "y" * 2_000_000}).encode()
    answer = await _send_chunked(net_client, "/v1/queue/claim", ALICE, claim, 65536, 0.002)
    assert answer.status == 413
    assert answer.json()["type"].endswith("too-large")


async def test_a_chunked_comment_in_small_pieces_is_stored_whole(net_client: Client) -> None:
    content = _long_content(4000, "chunked")
    body = json.dumps(comment_body(id="chunked-ok", content=content)).encode()
    answer = await _send_chunked(net_client, "/v1/comments", NEWS_KEY, body, 300, 0.003)
    assert answer.status == 202, answer.body
    assert (await _stored(net_client, answer.json()["id"]))["content"] == content


async def test_a_compressed_body_is_limited_by_its_decoded_size(net_client: Client) -> None:
    """A gzip body of a few KB that inflates past the 64 KiB limit is refused with 413;
    a small gzip comment is stored."""

    def gzip_head(body: bytes) -> bytes:
        head, _ = request_bytes(
            "POST",
            "/v1/comments",
            {
                "Authorization": f"Bearer {NEWS_KEY}",
                "Content-Type": "application/json",
                "Content-Encoding": "gzip",
            },
            body,
        )
        return head

    bomb = gzip.compress(json.dumps(comment_body(content="z" * 500_000)).encode())
    assert len(bomb) < 8_000
    answer = await send_raw(_port(net_client), [gzip_head(bomb), bomb])
    assert answer.status == 413

    content = _long_content(2000, "gzip")
    small = gzip.compress(json.dumps(comment_body(id="gz", content=content)).encode())
    answer = await send_raw(_port(net_client), [gzip_head(small), small[:100], small[100:]], 0.05)
    assert answer.status == 202, answer.body
    assert (await _stored(net_client, answer.json()["id"]))["content"] == content


async def test_a_trickled_body_is_read_whole_or_timed_out(net_client: Client) -> None:
    """A body trickled in 40-byte pieces: stored whole when it is all there within the
    body timeout (1.5 s here); 408 problem+json when it is not, not a 400 at the first
    byte."""
    content = "A slow link, but the whole comment arrives."
    body = json.dumps(comment_body(id="trickle", content=content)).encode()
    pieces = [_intake_head(body)] + [body[i : i + 40] for i in range(0, len(body), 40)]
    answer = await send_raw(_port(net_client), pieces, 0.05)
    assert answer.status == 202, answer.body
    assert (await _stored(net_client, answer.json()["id"]))["content"] == content

    slow = [_intake_head(body)] + [body[i : i + 10] for i in range(0, len(body), 10)]
    answer = await send_raw(_port(net_client), slow, 0.1)
    assert answer.status == 408
    problem = answer.json()
    assert problem["type"].endswith("request-timeout") and problem["request_id"]
    assert "body_timeout_seconds" in problem["detail"]


async def test_half_sent_headers_and_idle_connections_are_closed(net_client: Client) -> None:
    """A client that sends half a header block and stops, and one that connects and
    sends nothing, are cut off after the keep-alive timeout (1 s here), not held."""
    port = _port(net_client)
    half_reader, half_writer = await asyncio.open_connection("127.0.0.1", port)
    half_writer.write(b"POST /v1/comments HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")
    await half_writer.drain()
    idle_reader, idle_writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        half, idle = await asyncio.gather(
            closed_within(half_reader, 10), closed_within(idle_reader, 10)
        )
    finally:
        half_writer.close()
        idle_writer.close()
    assert half is not None and half < 5
    assert idle is not None and idle < 5


async def test_a_kept_alive_connection_serves_split_requests_in_turn(net_client: Client) -> None:
    """Two comments on one connection, each split mid-body: both stored whole (the end
    of one body is not taken for the start of the next request)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", _port(net_client))
    try:
        for i in range(2):
            content = _long_content(2000, f"kept alive {i}")
            body = json.dumps(comment_body(id=f"ka-{i}", content=content)).encode()
            wire = _intake_head(body) + body
            writer.write(wire[:1400])
            await writer.drain()
            await asyncio.sleep(0.01)
            writer.write(wire[1400:])
            await writer.drain()
            answer = await read_answer(reader)
            assert answer.status == 202, answer.body
            assert (await _stored(net_client, answer.json()["id"]))["content"] == content
    finally:
        writer.close()


async def test_parser_errors_do_not_log_the_query_string(
    net_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    """aiohttp's own parser refuses a request line over 8,190 bytes and a control byte in
    the URL; its log line used to hold the request line, query string and email."""
    email = "secret.author@example.org"
    port = _port(net_client)
    caplog.set_level(logging.DEBUG)
    long_query = f"/v1/queue?author_email={email}&pad={'p' * 9000}"
    answers = [
        await send_raw(port, [f"GET {long_query} HTTP/1.1\r\nHost: x\r\n\r\n".encode()]),
        await send_raw(
            port, [f"GET /v1/queue?author_email={email}\x01 HTTP/1.1\r\nHost: x\r\n\r\n".encode()]
        ),
    ]
    assert all(a.status == 400 for a in answers)
    logged = "\n".join(
        r.getMessage() + (str(r.exc_info[1]) if r.exc_info else "") + str(r.__dict__)
        for r in caplog.records
    )
    assert "refused a malformed HTTP request" in logged
    assert email not in logged and "author_email" not in logged


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
async def test_a_body_split_anywhere_is_stored_as_if_sent_whole(
    client: Client, data: st.DataObject
) -> None:
    """Property: a comment split at any byte (of the head or the body), with any pause up
    to 1 s, is stored exactly as the same comment sent in one write.  (The service's
    default timeouts: a pause this long inside the headers is a slow client, not a
    hostile one.)"""
    content = data.draw(
        st.text(
            alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=1500
        ).filter(lambda s: s.strip() != "")
    )
    form = data.draw(st.booleans())
    unique = next(_EXAMPLES)  # Redis is not emptied between examples: ids must differ

    def wire(external: str) -> tuple[bytes, bytes]:
        fields = comment_body(id=external, content=content)
        if form:
            body = urllib.parse.urlencode(fields).encode()
            return _intake_head(body, "application/x-www-form-urlencoded"), body
        body = json.dumps(fields).encode()
        return _intake_head(body), body

    head, body = wire(f"split-{unique}")
    whole_head, whole_body = wire(f"whole-{unique}")
    split = head + body
    cut = data.draw(st.integers(1, len(split) - 1))
    pause = data.draw(st.floats(0, 1.0))
    answer = await send_raw(_port(client), [split[:cut], split[cut:]], pause)
    assert answer.status == 202, answer.body
    whole = await send_raw(_port(client), [whole_head + whole_body])
    assert whole.status == 202, whole.body
    split_record = await _stored(client, answer.json()["id"])
    whole_record = await _stored(client, whole.json()["id"])
    assert split_record["content"] == whole_record["content"] == content.strip()
    assert split_record["author_email"] == whole_record["author_email"]


def _requests(client: Client, route: str) -> dict[str, float]:
    """moderation_http_requests_total of ``route`` by status."""
    counts: dict[str, float] = {}
    for family in client.app[METRICS].registry.collect():
        for sample in family.samples:
            if sample.name == "moderation_http_requests_total" and sample.labels["route"] == route:
                counts[sample.labels["status"]] = sample.value
    return counts


@pytest.mark.parametrize("cancelled", [False, True], ids=["run_app", "cancelled"])
@pytest.mark.parametrize("route", ["/v1/comments", "/v1/comments/{id}/release"])
async def test_a_client_that_hangs_up_mid_body_is_not_a_redis_alarm(
    make_client: MakeClient,
    net_config: Config,
    caplog: pytest.LogCaptureFixture,
    route: str,
    cancelled: bool,
) -> None:
    """A client that sends its head and half its body, then closes the socket (a browser
    leaving the page during the page's own logout /release did this), is logged as a
    client that went away: no 503 "redis unavailable", no count in
    moderation_redis_errors_total (it was both: aiohttp's "Connection lost" is the builtin
    ConnectionError, which the Redis-unavailable set held).  Served as ``web.run_app``
    serves (the handler meets ConnectionResetError reading the body) and as aiohttp's
    test server does (the handler is cancelled)."""
    net_client: Client = await make_client(net_config, handler_cancellation=cancelled)
    caplog.set_level(logging.INFO)
    if route == "/v1/comments":
        path, headers = route, {"Authorization": f"Bearer {NEWS_KEY}"}
        body = json.dumps(comment_body(id="hang-up", content=_long_content(3000))).encode()
    else:
        resp = await net_client.post(
            "/v1/comments", json=comment_body(id="hang-up-release"), headers=auth(NEWS_KEY)
        )
        assert resp.status == 202
        path = route.replace("{id}", (await resp.json())["id"])
        headers, body = auth(ALICE), json.dumps({"lease_until_ms": 1}).encode()
    # Expect: 100-continue: aiohttp answers "100 Continue" just before the middlewares
    # and the handler run, so the half body is sent while the handler is reading it
    head, _ = request_bytes(
        "POST",
        path,
        {**headers, "Content-Type": "application/json", "Expect": "100-continue"},
        body,
    )
    before = sum(_requests(net_client, route).values())
    reader, writer = await asyncio.open_connection("127.0.0.1", _port(net_client))
    try:
        writer.write(head)
        await writer.drain()
        async with asyncio.timeout(10):
            assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 100")
        writer.write(body[: len(body) // 2])
        await writer.drain()
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()

    async def answered() -> bool:  # the server sees the hang-up in its own time
        return sum(_requests(net_client, route).values()) > before

    await wait_for(answered, within=10, interval=0.01)
    registry = net_client.app[METRICS].registry
    assert not registry.get_sample_value("moderation_redis_errors_total")
    # 499, nginx's "client closed request": counted, but not as the service's error
    assert _requests(net_client, route).get("499") == 1
    assert not [
        r
        for r in caplog.records
        if r.name == "moderation.web.http" and r.levelno >= logging.WARNING
    ]
    messages = [r.getMessage() for r in caplog.records if r.name == "moderation.web.http"]
    assert "redis unavailable" not in messages and "unhandled error" not in messages
    assert "client disconnected" in messages
