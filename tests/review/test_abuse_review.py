"""Abuse in review: a rejection's reason (kept in the record, its history and its labels),
the abuse labels beside the spam labels, and the queue in abuse order with exact cursors,
against real Redis (one server and a cluster) and the real default model."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from moderation.storage import keys
from tests.conftest import ALICE, BOB, NEWS_KEY, auth, comment_body
from tests.support.abuse import HOSTILE, POLITE
from tests.support.faultkit import assert_indexes_consistent
from tests.support.redis_kinds import sync_redis

Client = TestClient[Any, Any]
pytestmark = pytest.mark.both_kinds


async def _post(client: Client, external_id: str, content: str = POLITE) -> str:
    resp = await client.post(
        "/v1/comments", json=comment_body(id=external_id, content=content), headers=auth(NEWS_KEY)
    )
    assert resp.status == 202, await resp.text()
    return str((await resp.json())["id"])


async def _decide(client: Client, comment_id: str, token: str = ALICE, **body: Any) -> Any:
    return await client.post(f"/v1/comments/{comment_id}/decision", json=body, headers=auth(token))


def _labels(redis_url: str) -> dict[str, set[str]]:
    with sync_redis(redis_url) as r:
        return {
            name: set(r.zrange(keys.labels("news", name), 0, -1))
            for name in ("ham", "spam", "abuse", "not_abuse")
        }


def _new_labels(redis_url: str) -> int:
    with sync_redis(redis_url) as r:
        return int(r.get(keys.new_labels("news")) or 0)


async def test_reject_reasons_are_kept_and_abuse_is_labelled_beside_spam(
    client: Client, redis_url: str
) -> None:
    rude, fine, odd, junk = [
        await _post(client, f"l{i}", text)
        for i, text in enumerate([HOSTILE, POLITE, POLITE + " (about the weather)", POLITE + "!"])
    ]
    assert (await _decide(client, rude, decision="reject", reason="abuse")).status == 200
    assert (await _decide(client, fine, decision="approve")).status == 200
    assert (await _decide(client, odd, decision="reject", reason="off_topic")).status == 200
    assert (await _decide(client, junk, decision="spam")).status == 200
    assert _labels(redis_url) == {
        "ham": {fine},
        "spam": {junk},
        "abuse": {rude},
        "not_abuse": {fine},
    }
    # only spam labels count towards the site's (spam) retrain
    assert _new_labels(redis_url) == 2

    record = await (await client.get(f"/v1/comments/{rude}", headers=auth(ALICE))).json()
    assert (record["status"], record["decision_reason"]) == ("rejected", "abuse")
    assert record["history"][-1]["reason"] == "abuse"
    queue = await (
        await client.get("/v1/queue?site=news&status=rejected&order=oldest", headers=auth(ALICE))
    ).json()
    assert [(i["id"], i["decision_reason"]) for i in queue["items"]] == [
        (rude, "abuse"),
        (odd, "off_topic"),
    ]
    # the site's own key (a CMS polling) reads the reason too
    polled = await (await client.get(f"/v1/comments/{odd}", headers=auth(NEWS_KEY))).json()
    assert polled["decision_reason"] == "off_topic"

    # an undo takes the label and the reason back
    assert (await client.post(f"/v1/comments/{rude}/undo", headers=auth(ALICE))).status == 200
    record = await (await client.get(f"/v1/comments/{rude}", headers=auth(ALICE))).json()
    assert (record["status"], record["decision_reason"]) == ("pending", None)
    assert _labels(redis_url)["abuse"] == set()

    # an override: the approved comment was abuse after all
    resp = await _decide(client, fine, BOB, decision="reject", reason="abuse", override=True)
    assert resp.status == 200
    labels = _labels(redis_url)
    assert (labels["abuse"], labels["not_abuse"], labels["ham"]) == ({fine}, set(), set())
    assert _new_labels(redis_url) == 1  # its ham label went with it

    # the CMS's own decisions: approval is a not-abuse label, its rejection says no
    # reason, and a moderator's reason goes with the decision it explained
    for comment_id, status in ((rude, "approved"), (odd, "approved"), (junk, "rejected")):
        resp = await client.post(
            f"/v1/comments/{comment_id}/cms-status",
            json={"status": status},
            headers=auth(NEWS_KEY),
        )
        assert resp.status == 200, await resp.text()
    labels = _labels(redis_url)
    assert (labels["abuse"], labels["not_abuse"]) == ({fine}, {rude, odd})
    for comment_id, status in ((odd, "approved"), (junk, "rejected")):
        record = await (await client.get(f"/v1/comments/{comment_id}", headers=auth(ALICE))).json()
        assert (record["status"], record["decision_reason"]) == (status, None)
    assert_indexes_consistent(redis_url)


async def test_a_bad_reason_is_422_and_changes_nothing(client: Client, redis_url: str) -> None:
    comment = await _post(client, "bad")
    for body, message in (
        ({"decision": "reject", "reason": "rude"}, "must be one of"),
        ({"decision": "reject", "reason": 1}, "must be one of"),
        ({"decision": "approve", "reason": "abuse"}, "only a reject carries a reason"),
    ):
        resp = await _decide(client, comment, **body)
        assert resp.status == 422
        assert resp.content_type == "application/problem+json"
        problem = await resp.json()
        assert [e["field"] for e in problem["errors"]] == ["reason"]
        assert message in problem["errors"][0]["message"]
    record = await (await client.get(f"/v1/comments/{comment}", headers=auth(ALICE))).json()
    assert record["status"] == "pending"
    assert _labels(redis_url) == {"ham": set(), "spam": set(), "abuse": set(), "not_abuse": set()}


async def test_bulk_decisions_carry_reasons_item_by_item(client: Client, redis_url: str) -> None:
    one, two, three = [await _post(client, f"b{i}", f"{POLITE} {i}") for i in range(3)]
    resp = await client.post(
        "/v1/decisions",
        json={
            "decisions": [
                {"id": one, "decision": "reject", "reason": "abuse"},
                {"id": two, "decision": "spam", "reason": "abuse"},
                {"id": three, "decision": "reject", "reason": "other"},
            ]
        },
        headers=auth(ALICE),
    )
    assert resp.status == 200
    results = (await resp.json())["results"]
    assert [r["status"] for r in results] == [200, 422, 200]
    assert results[1]["errors"] == [
        {"field": "decisions[1].reason", "message": "only a reject carries a reason"}
    ]
    assert _labels(redis_url)["abuse"] == {one}
    record = await (await client.get(f"/v1/comments/{three}", headers=auth(ALICE))).json()
    assert record["decision_reason"] == "other"


async def test_the_abuse_order_pages_exactly_while_comments_come_and_go(
    client: Client, redis_url: str, abuse_head: None
) -> None:
    """order=abuse: most abusive first, a cursor that neither skips nor repeats while
    comments are decided and added between pages, and min_abuse on any order."""
    texts = [
        HOSTILE,
        POLITE,
        "What a stupid, idiotic article. The writer is a clown.",
        "I disagree with the second point, but the reporting is fair.",
        "Shut up, you moron. Nobody cares about your garbage opinion.",
        "Could you link the council minutes you quoted?",
    ]
    ids = [await _post(client, f"o{i}", text) for i, text in enumerate(texts)]
    full = await (
        await client.get("/v1/queue?site=news&order=abuse&limit=50", headers=auth(ALICE))
    ).json()
    order = [i["id"] for i in full["items"]]
    scores = [i["abuse_score"] for i in full["items"]]
    assert sorted(order) == sorted(ids)
    assert scores == sorted(scores, reverse=True)
    assert order[0] in (ids[0], ids[2], ids[4]) and order[-1] in (ids[1], ids[3], ids[5])

    first = await (
        await client.get("/v1/queue?site=news&order=abuse&limit=2", headers=auth(ALICE))
    ).json()
    assert [i["id"] for i in first["items"]] == order[:2]
    # between pages: the page's last comment is decided, and a new polite one arrives
    assert (await _decide(client, order[1], decision="reject", reason="abuse")).status == 200
    late = await _post(client, "o-late", POLITE + " Late, but thanks.")
    seen: list[str] = []
    cursor = first["next_cursor"]
    while cursor:
        page = await (
            await client.get(
                f"/v1/queue?site=news&order=abuse&limit=2&cursor={cursor}", headers=auth(ALICE)
            )
        ).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
    assert [i for i in seen if i != late] == order[2:]  # nothing skipped, nothing twice

    line = (scores[2] + scores[3]) / 2
    wanted = {i["id"] for i in full["items"][:3]} - {order[1]}
    for ordering in ("abuse", "oldest", "score"):
        got = await (
            await client.get(
                f"/v1/queue?site=news&order={ordering}&min_abuse={line:.6f}", headers=auth(ALICE)
            )
        ).json()
        assert {i["id"] for i in got["items"]} == wanted, ordering
        assert all(i["abuse_score"] >= line for i in got["items"])

    # claims follow the abuse order too
    claim = await client.post(
        "/v1/queue/claim", json={"site": "news", "order": "abuse", "limit": 2}, headers=auth(BOB)
    )
    assert [i["id"] for i in (await claim.json())["items"]] == [order[0], order[2]]
    assert_indexes_consistent(redis_url)


async def test_min_abuse_is_a_score_between_0_and_1(client: Client) -> None:
    for bad in ("1.5", "-0.1", "nan", "x"):
        resp = await client.get(f"/v1/queue?site=news&min_abuse={bad}", headers=auth(ALICE))
        assert resp.status == 422
        problem = await resp.json()
        assert [e["field"] for e in problem["errors"]] == ["min_abuse"]
    resp = await client.get("/v1/queue?site=news&order=loudest", headers=auth(ALICE))
    problem = await resp.json()
    assert problem["errors"] == [
        {"field": "order", "message": "must be one of: score, abuse, oldest, newest"}
    ]
