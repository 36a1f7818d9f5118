"""Edited comments (issue 24): the CMS re-sends a comment (same site and CMS ``id``) with
another text or author URL.  It keeps its service id, is rescored, goes back to pending
(unless the site trusts edits of approved comments) with the old text in its history, its
label and its author's trust taken back, and the CMS hears ``comment.edited``; the same
text again is a replay.  On one Redis and on a cluster."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from moderation.appkeys import STORE
from moderation.config import Config
from moderation.storage import keys
from tests.conftest import ALICE, CONFIG_TOML, NEWS_KEY, ROOT, auth, comment_body
from tests.support.faultkit import assert_indexes_consistent
from tests.support.receiver import Receiver

pytestmark = pytest.mark.both_kinds

Client = TestClient[Any, Any]
SECRET = "news-callback-secret-0123456789"
AUTHOR = "maria@example.com"  # comment_body's author
HARMLESS = "Thanks for the clear write-up on the council budget. The figures help."
SPAMMY = "CHEAP V1AGRA!!! buy now at http://bit.ly/pills-cheap best price, click here"


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    got = await Receiver(SECRET).start()
    yield got
    await got.stop()


def _news_with(config: Config, **options: Any) -> Config:
    raw = json.loads(json.dumps(CONFIG_TOML))
    raw["sites"][0].update(options)
    return replace(config, sites=Config.from_mapping(raw).sites)


def _with_callbacks(config: Config, receiver: Receiver, **options: Any) -> Config:
    return _news_with(
        config,
        callback_url=receiver.url,
        callback_secret=SECRET,
        callback_retry_seconds=0.05,
        callback_timeout_seconds=2.0,
        **options,
    )


async def _send(
    client: Client, external_id: str = "cms-42", **fields: Any
) -> tuple[int, dict[str, str], dict[str, Any]]:
    resp = await client.post(
        "/v1/comments", json=comment_body(id=external_id, **fields), headers=auth(NEWS_KEY)
    )
    body: dict[str, Any] = await resp.json(content_type=None)
    return resp.status, dict(resp.headers), body


async def _record(client: Client, cid: str) -> dict[str, Any]:
    resp = await client.get(f"/v1/comments/{cid}", headers=auth(ROOT))
    assert resp.status == 200, await resp.text()
    body: dict[str, Any] = await resp.json()
    return body


async def _decide(client: Client, cid: str, decision: str) -> int:
    resp = await client.post(
        f"/v1/comments/{cid}/decision", json={"decision": decision}, headers=auth(ALICE)
    )
    return resp.status


async def _labels(client: Client) -> tuple[set[str], set[str]]:
    redis = client.app[STORE].redis
    ham = {str(m) for m in await redis.zrange(keys.labels("news", "ham"), 0, -1)}
    spam = {str(m) for m in await redis.zrange(keys.labels("news", "spam"), 0, -1)}
    return ham, spam


async def _approved_count(client: Client) -> int:
    raw = await client.app[STORE].redis.hget(keys.approved_authors("news"), AUTHOR)
    return int(raw or 0)


async def _pending_by_score(client: Client) -> dict[str, float]:
    redis = client.app[STORE].redis
    return {
        str(m): float(s)
        for m, s in await redis.zrange(keys.pending_by_score("news"), 0, -1, withscores=True)
    }


async def test_a_spammer_edits_a_link_into_an_approved_comment(
    make_client: Any, config: Config, receiver: Receiver, redis_url: str
) -> None:
    client = await make_client(_with_callbacks(config, receiver, trust_approved_authors=True))
    status, _, first = await _send(client, content=HARMLESS, post_id=314)
    assert status == 202 and first["status"] == "pending" and first["edited"] is False
    cid = first["id"]
    assert await _decide(client, cid, "approve") == 200
    assert await _labels(client) == ({cid}, set())
    assert await _approved_count(client) == 1
    await receiver.wait_for(lambda r: len(r.delivered()) == 1)

    status, headers, edit = await _send(
        client, content=SPAMMY, author_url="https://pills.example/buy", post_id=314
    )
    assert status == 202, edit
    assert "Idempotent-Replayed" not in headers
    assert edit["id"] == cid and edit["edited"] is True
    assert edit["status"] == "pending"
    assert edit["spam_score"] > first["spam_score"]
    assert edit["spam_score"] > 0.5 and edit["spam"] is True

    record = await _record(client, cid)
    assert record["status"] == "pending"
    assert record["content"] == SPAMMY
    assert record["author_url"] == "https://pills.example/buy"
    assert record["spam_score"] == edit["spam_score"]
    assert record["reasons"] == edit["reasons"]
    assert record["decided_by"] is None
    entry = record["history"][-1]
    assert entry["action"] == "edited" and entry["actor"] == "cms"
    assert entry["at"].endswith("Z")
    assert entry["previous"] == {"content": HARMLESS, "author_url": None}
    assert entry["status"] == "pending" and entry["was"] == "approved"
    # the label and the trust the approval gave are taken back, and it is back in the queue
    assert await _labels(client) == (set(), set())
    assert await _approved_count(client) == 0
    assert (await _pending_by_score(client))[cid] == pytest.approx(edit["spam_score"])
    queue = await client.get("/v1/queue?site=news", headers=auth(ALICE))
    assert [item["id"] for item in (await queue.json())["items"]] == [cid]
    events = await client.app[STORE].redis.xrange(keys.events("news"))
    assert [e[1]["type"] for e in events][-1] == "edited"

    await receiver.wait_for(lambda r: len(r.delivered()) == 2)
    delivery = receiver.delivered()[1]
    assert delivery.signed
    assert delivery.headers["X-Moderation-Event"] == "comment.edited"
    assert delivery.body["type"] == "comment.edited"
    assert delivery.body["comment"] == {
        "id": cid,
        "external_id": "cms-42",
        "post_id": "314",
        "status": "pending",
        "previous_status": "approved",
        "spam_score": edit["spam_score"],
        "abuse_score": edit["abuse_score"],
        "decision_reason": None,
        "decided_by": None,
        "rule": None,
        "note": None,
    }
    assert b"maria@example.com" not in delivery.raw

    # the edit sent again is a replay of the edit's answer; nothing changes
    status, headers, again = await _send(
        client, content=SPAMMY, author_url="https://pills.example/buy", post_id=314
    )
    assert status == 202 and headers.get("Idempotent-Replayed") == "true"
    assert again == edit
    assert len((await _record(client, cid))["history"]) == len(record["history"])
    assert_indexes_consistent(redis_url, ["news"])


async def test_a_site_that_trusts_edits_keeps_an_approved_comment_approved(
    make_client: Any, config: Config, redis_url: str
) -> None:
    client = await make_client(_news_with(config, trust_edits_of_approved=True))
    _, _, first = await _send(client, content=HARMLESS)
    cid = first["id"]
    assert await _decide(client, cid, "approve") == 200
    status, _, edit = await _send(client, content=SPAMMY)
    assert status == 202 and edit["edited"] is True and edit["id"] == cid
    assert edit["status"] == "approved"
    assert edit["spam_score"] > first["spam_score"]
    record = await _record(client, cid)
    assert record["status"] == "approved" and record["decided_by"] == "alice"
    assert record["content"] == SPAMMY and record["spam_score"] == edit["spam_score"]
    entry = record["history"][-1]
    assert entry["action"] == "edited" and entry["previous"]["content"] == HARMLESS
    assert entry["status"] == "approved"
    assert cid not in await _pending_by_score(client)
    # the approval stands (its author stays trusted); its label was of the old text
    assert await _approved_count(client) == 1
    assert await _labels(client) == (set(), set())
    # a pending comment is not trusted: its edit stays pending
    await _send(client, "cms-43", content=HARMLESS + " More.")
    status, _, edit = await _send(client, "cms-43", content=SPAMMY)
    assert status == 202 and edit["edited"] is True and edit["status"] == "pending"
    assert_indexes_consistent(redis_url, ["news"])


async def test_the_same_text_again_is_a_replay(client: Client) -> None:
    status, headers, first = await _send(client)
    assert status == 202 and "Idempotent-Replayed" not in headers
    # other request details (a CMS rebuilding them on a retry) are no edit
    status, headers, again = await _send(client, user_agent="Other/1.0", author_ip="192.0.2.9")
    assert status == 202 and headers["Idempotent-Replayed"] == "true"
    assert again == first and again["edited"] is False
    record = await _record(client, first["id"])
    assert [e["action"] for e in record["history"]] == ["created", "scored"]


async def test_an_edit_of_a_pending_comment_stays_pending_with_the_new_score(
    make_client: Any, config: Config, receiver: Receiver
) -> None:
    client = await make_client(_with_callbacks(config, receiver))
    _, _, first = await _send(client, content=HARMLESS, author_url="https://maria.example")
    cid = first["id"]
    # a moderator holds it: the edit ends the claim (they were reading the old text)
    claim = await client.post(f"/v1/comments/{cid}/claim", json={}, headers=auth(ALICE))
    assert claim.status == 200, await claim.text()
    status, _, edit = await _send(client, content=HARMLESS, author_url="https://pills.example")
    assert status == 202 and edit["edited"] is True and edit["status"] == "pending"
    record = await _record(client, cid)
    assert record["author_url"] == "https://pills.example"
    assert record.get("claimed_by") is None
    assert record["history"][-1]["previous"] == {
        "content": HARMLESS,
        "author_url": "https://maria.example",
    }
    assert (await _pending_by_score(client))[cid] == pytest.approx(edit["spam_score"])
    # the URL removed is an edit too
    _, _, removed = await _send(client, content=HARMLESS)
    assert removed["edited"] is True
    assert (await _record(client, cid))["author_url"] is None
    await receiver.wait_for(lambda r: len(r.delivered()) == 2)
    assert [d.body["comment"]["previous_status"] for d in receiver.delivered()] == [
        "pending",
        "pending",
    ]
    assert {d.body["type"] for d in receiver.delivered()} == {"comment.edited"}


async def test_edits_racing_decisions_leave_the_indexes_consistent(
    client: Client, redis_url: str
) -> None:
    for round_ in range(6):
        external_id = f"race-{round_}"
        resp = await client.post(
            "/v1/comments",
            json=comment_body(id=external_id, content=HARMLESS),
            headers=auth(NEWS_KEY),
        )
        cid = (await resp.json())["id"]
        if round_ % 2:
            assert await _decide(client, cid, "approve") == 200

        async def edit(external_id: str = external_id, n: int = round_) -> int:
            for _ in range(n % 3):
                await asyncio.sleep(0)
            resp = await client.post(
                "/v1/comments",
                json=comment_body(id=external_id, content=f"{SPAMMY} {n}"),
                headers=auth(NEWS_KEY),
            )
            return resp.status

        decision = client.post(
            f"/v1/comments/{cid}/decision",
            json={"decision": "spam", "override": True},
            headers=auth(ALICE),
        )
        edited, decided = await asyncio.gather(edit(), decision)
        assert edited == 202 and decided.status in (200, 409), await decided.text()
        record = await _record(client, cid)
        assert record["content"].startswith(SPAMMY)
        ham, spam = await _labels(client)
        # a spam decision after the edit is labelled; one before it was taken back
        assert (cid in spam) == (record["status"] == "spam")
        assert cid not in ham
    assert_indexes_consistent(redis_url, ["news"])


async def test_erasing_the_author_erases_the_url_an_edit_kept_in_the_history(
    client: Client,
) -> None:
    _, _, first = await _send(client, content=HARMLESS, author_url="https://maria.example")
    await _send(client, content=HARMLESS + " Edited.", author_url="https://maria.example/2")
    resp = await client.post("/v1/erasure", json={"author_email": AUTHOR}, headers=auth(ROOT))
    assert resp.status == 200, await resp.text()
    record = await _record(client, first["id"])
    assert record["author_url"] is None
    [edited] = [e for e in record["history"] if e["action"] == "edited"]
    assert edited["previous"] == {"content": HARMLESS, "author_url": None}
    assert "maria.example" not in json.dumps(record)
