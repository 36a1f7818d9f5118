"""Pending comments stored before the service scored abuse get their abuse score once it
runs (intake/abuse_backfill.py): the queue in abuse order lists them where they belong,
and a comment decided, edited or scored meanwhile is left as it is.  Against real Redis
(one server and a cluster) and the real default model."""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from moderation.appkeys import ABUSE_BACKFILLED, MODEL, STORE
from moderation.intake import abuse_backfill
from moderation.storage import keys
from moderation.storage.store import AbuseFill
from tests.conftest import ALICE, NEWS_KEY, auth, comment_body
from tests.support.abuse import HOSTILE, POLITE
from tests.support.faultkit import assert_indexes_consistent
from tests.support.redis_kinds import sync_redis

Client = TestClient[Any, Any]
pytestmark = [pytest.mark.both_kinds, pytest.mark.usefixtures("abuse_head")]


async def _post(client: Client, external_id: str, content: str) -> str:
    # the service's own backfill at start must be over before a test damages anything
    await asyncio.wait_for(client.app[ABUSE_BACKFILLED].wait(), 30)
    resp = await client.post(
        "/v1/comments", json=comment_body(id=external_id, content=content), headers=auth(NEWS_KEY)
    )
    assert resp.status == 202, await resp.text()
    return str((await resp.json())["id"])


def _as_stored_before_abuse(redis_url: str, comment_id: str, *, unscored_index: bool) -> None:
    """Make a comment look as a version without abuse scores stored it: no abuse score or
    reasons, and missing from the abuse index (or, as a model without an abuse head files
    it, at ABUSE_UNSCORED)."""
    with sync_redis(redis_url) as r:
        key = keys.comment("news", comment_id)
        data = json.loads(r.hget(key, "data"))
        data.pop("abuse_reasons", None)
        r.hset(key, mapping={"data": json.dumps(data), "abuse_score": ""})
        if unscored_index:
            r.zadd(keys.pending_by_abuse("news"), {comment_id: keys.ABUSE_UNSCORED})
        else:
            r.zrem(keys.pending_by_abuse("news"), comment_id)


async def _record(client: Client, comment_id: str) -> Any:
    return await (await client.get(f"/v1/comments/{comment_id}", headers=auth(ALICE))).json()


async def _abuse_order(client: Client) -> list[str]:
    resp = await client.get("/v1/queue?site=news&order=abuse&limit=50", headers=auth(ALICE))
    assert resp.status == 200, await resp.text()
    return [item["id"] for item in (await resp.json())["items"]]


async def test_old_pending_comments_get_their_abuse_score_and_reasons(
    client: Client, redis_url: str
) -> None:
    rude = await _post(client, "b1", HOSTILE)
    fine = await _post(client, "b2", POLITE)
    also_rude = await _post(client, "b3", "Shut up, you pathetic moron. " + POLITE)
    decided = await _post(client, "b4", HOSTILE + " Really.")
    before = {cid: await _record(client, cid) for cid in (rude, fine, also_rude, decided)}
    assert (
        await client.post(
            f"/v1/comments/{decided}/decision", json={"decision": "approve"}, headers=auth(ALICE)
        )
    ).status == 200
    for cid in (rude, fine, decided):
        _as_stored_before_abuse(redis_url, cid, unscored_index=False)
    _as_stored_before_abuse(redis_url, also_rude, unscored_index=True)
    stripped = await _record(client, rude)
    assert (stripped["abuse_score"], stripped["abuse_reasons"]) == (None, [])
    # the most abusive comment is no longer first in abuse order: it is not even listed
    assert rude not in await _abuse_order(client)

    store, holder = client.app[STORE], client.app[MODEL]
    assert await abuse_backfill.backfill(store, ["news"], holder) == {"news": 3}

    for cid in (rude, fine, also_rude):
        after = await _record(client, cid)
        # the same model scores the same text alike: the score intake gave it, back
        assert after["abuse_score"] == pytest.approx(before[cid]["abuse_score"])
        assert after["abuse_reasons"] == before[cid]["abuse_reasons"]
        assert after["spam_score"] == before[cid]["spam_score"]
        assert after["content"] == before[cid]["content"]
        line = after["history"][-1]
        assert (line["action"], line["actor"]) == ("scored", f"model:{holder.model.abuse_version}")
        assert line["abuse_score"] == pytest.approx(before[cid]["abuse_score"], abs=1e-4)
        assert "spam_score" not in line
    assert before[rude]["abuse_reasons"], "the insult's words are its reasons"
    order = await _abuse_order(client)
    assert order.index(rude) < order.index(fine) and order.index(also_rude) < order.index(fine)
    # a decided comment is not the backfill's: it keeps what it had
    assert (await _record(client, decided))["abuse_score"] is None
    assert_indexes_consistent(redis_url, ["news"])
    # a second run finds nothing to do
    assert await abuse_backfill.backfill(store, ["news"], holder) == {"news": 0}


async def test_a_fill_is_refused_when_the_comment_changed_meanwhile(
    client: Client, redis_url: str
) -> None:
    cid = await _post(client, "c1", HOSTILE)
    _as_stored_before_abuse(redis_url, cid, unscored_index=False)
    store = client.app[STORE]
    ranks, unscored = await store.unscored_pending("news", 0, 10)
    assert (ranks, [i for i, _ in unscored]) == (1, [cid])
    fill: dict[str, Any] = {
        "data": unscored[0][1],
        "abuse_score": 0.9,
        "history": json.dumps({"action": "scored"}),
    }
    # what was scored is not what Redis now holds (an edit landed meanwhile): refused
    changed = AbuseFill(cid, data_sha1="0" * 40, **fill)
    assert await store.fill_abuse_many("news", [changed]) == ["changed"]
    # decided meanwhile: refused, and the comment stays out of the abuse index
    assert (
        await client.post(
            f"/v1/comments/{cid}/decision", json={"decision": "spam"}, headers=auth(ALICE)
        )
    ).status == 200
    sha1 = hashlib.sha1(unscored[0][1].encode(), usedforsecurity=False).hexdigest()
    decided = AbuseFill(cid, data_sha1=sha1, **fill)
    assert await store.fill_abuse_many("news", [decided]) == ["decided"]
    assert_indexes_consistent(redis_url, ["news"])


async def test_the_service_fills_them_by_itself_once_the_model_is_loaded(
    client: Client, redis_url: str
) -> None:
    rude = await _post(client, "d1", HOSTILE)
    fine = await _post(client, "d2", POLITE)
    for cid in (rude, fine):
        _as_stored_before_abuse(redis_url, cid, unscored_index=False)
    # what the app's cleanup_ctx runs at start, entered here again after the damage
    async with abuse_backfill.filling(client.app[STORE], ["news"], client.app[MODEL]):
        for _ in range(200):
            if (await _record(client, rude))["abuse_score"] is not None:
                break
            await asyncio.sleep(0.05)
    assert (await _record(client, rude))["abuse_score"] > 0.5
    assert await _abuse_order(client) == [rude, fine]
    assert_indexes_consistent(redis_url, ["news"])
