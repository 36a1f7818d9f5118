"""The moderator API: queue, cursor, decisions, bulk, claims, undo, stats, site walls."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient

from moderation.appkeys import STORE
from moderation.storage import keys
from tests.conftest import ALICE, BLOG_KEY, BOB, CAROL, NEWS_KEY, ROOT, auth, comment_body
from tests.support.faultkit import assert_indexes_consistent, wait_for
from tests.support.netpath import client_on_both_paths  # noqa: F401  (runs each test direct and fragmented)
from tests.support.redis_kinds import sync_redis

Client = TestClient[Any, Any]


async def _post(client: Client, n: int, *, prefix: str = "c", spammy: int = 0) -> list[str]:
    ids = []
    for i in range(n):
        content = (
            f"Buy cheap pills {i} at http://bit.ly/x{i} best price!!!"
            if i < spammy
            else f"I read the article about the budget, point {i} seems fair to me."
        )
        resp = await client.post(
            "/v1/comments",
            json=comment_body(id=f"{prefix}{i}", content=content),
            headers=auth(NEWS_KEY),
        )
        assert resp.status == 202
        ids.append((await resp.json())["id"])
    return ids


async def test_queue_lists_pending_most_suspicious_first(client: Client) -> None:
    await _post(client, 6, spammy=2)
    resp = await client.get("/v1/queue?site=news", headers=auth(ALICE))
    assert resp.status == 200
    body = await resp.json()
    scores = [i["spam_score"] for i in body["items"]]
    assert scores == sorted(scores, reverse=True)
    assert body["next_cursor"] is None
    item = body["items"][0]
    for field in (
        "id",
        "external_id",
        "site",
        "status",
        "spam_score",
        "reasons",
        "author_name",
        "author_email",
        "author_url",
        "author_ip",
        "content",
        "post_url",
        "created_at",
    ):
        assert field in item
    assert item["status"] == "pending" and item["site"] == "news"


async def test_cursor_pages_stay_correct_while_comments_come_and_go(client: Client) -> None:
    ids = await _post(client, 9)
    seen: list[str] = []
    cursor = None
    decided = False
    while True:
        url = "/v1/queue?site=news&order=oldest&limit=4" + (f"&cursor={cursor}" if cursor else "")
        body = await (await client.get(url, headers=auth(ALICE))).json()
        seen += [i["id"] for i in body["items"]]
        if not decided:
            # decide the last item seen (the cursor's own member) and add a newer comment
            last = seen[-1]
            r = await client.post(
                f"/v1/comments/{last}/decision", json={"decision": "approve"}, headers=auth(ALICE)
            )
            assert r.status == 200
            ids += await _post(client, 1, prefix="late")
            decided = True
        cursor = body["next_cursor"]
        if cursor is None:
            break
    # every comment once, in order, including the one added meanwhile.  Oldest first is
    # by creation ms, then by id among comments of the same ms; an id starts with its
    # creation ms in fixed-width hex, so that order is the ids' own sort order (not
    # always the order they were posted in: two can share a millisecond)
    assert seen == sorted(ids)


async def test_order_newest_and_oldest(client: Client) -> None:
    ids = sorted(await _post(client, 3))  # creation order (see the cursor test above)
    newest = await (
        await client.get("/v1/queue?site=news&order=newest", headers=auth(ALICE))
    ).json()
    oldest = await (
        await client.get("/v1/queue?site=news&order=oldest", headers=auth(ALICE))
    ).json()
    assert [i["id"] for i in newest["items"]] == ids[::-1]
    assert [i["id"] for i in oldest["items"]] == ids


async def test_bad_queue_parameters_answer_422_listing_each(client: Client) -> None:
    resp = await client.get(
        "/v1/queue?site=news&order=random&limit=9999&cursor=zzz", headers=auth(ALICE)
    )
    assert resp.status == 422
    fields = {e["field"] for e in (await resp.json(content_type=None))["errors"]}
    assert {"order", "limit"} <= fields


async def test_a_parameter_or_key_given_twice_is_refused_by_name(client: Client) -> None:
    """Issue 24: a query parameter twice was its first value, silently; a JSON key twice
    its last.  Each is 422 naming it, the same way as intake."""
    [cid] = await _post(client, 1)
    resp = await client.get("/v1/queue?site=news&status=pending&status=spam", headers=auth(ALICE))
    assert resp.status == 422
    errors = (await resp.json(content_type="application/problem+json"))["errors"]
    assert errors == [{"field": "status", "message": "is given more than once"}]
    resp = await client.get("/v1/stats?site=news&site=news", headers=auth(ALICE))
    assert resp.status == 422
    json_headers = {**auth(ALICE), "Content-Type": "application/json"}
    resp = await client.post(
        f"/v1/comments/{cid}/decision",
        data=b'{"decision": "approve", "decision": "spam"}',
        headers=json_headers,
    )
    assert resp.status == 422
    errors = (await resp.json(content_type="application/problem+json"))["errors"]
    assert errors == [{"field": "decision", "message": "is given more than once"}]
    body = f'{{"decisions": [{{"id": "{cid}", "decision": "spam", "decision": "approve"}}]}}'
    resp = await client.post("/v1/decisions", data=body.encode(), headers=json_headers)
    assert resp.status == 422
    errors = (await resp.json(content_type="application/problem+json"))["errors"]
    assert errors == [{"field": "decisions[0].decision", "message": "is given more than once"}]
    record = await (await client.get(f"/v1/comments/{cid}", headers=auth(ALICE))).json()
    assert record["status"] == "pending"


async def test_moderator_of_another_site_gets_404(client: Client) -> None:
    [cid] = await _post(client, 1)
    assert (await client.get("/v1/queue?site=news", headers=auth(CAROL))).status == 404
    assert (await client.get(f"/v1/comments/{cid}", headers=auth(CAROL))).status == 404
    resp = await client.post(
        f"/v1/comments/{cid}/decision", json={"decision": "spam"}, headers=auth(CAROL)
    )
    assert resp.status == 404
    assert (await client.get(f"/v1/comments/{cid}", headers=auth(BLOG_KEY))).status == 404
    assert (await client.get("/v1/queue?site=nosuch", headers=auth(ROOT))).status == 404
    assert (await client.get("/v1/stats?site=nosuch", headers=auth(ROOT))).status == 404


async def test_site_key_reads_its_comment_without_notes(client: Client) -> None:
    [cid] = await _post(client, 1)
    await client.post(
        f"/v1/comments/{cid}/decision",
        json={"decision": "reject", "note": "off-topic, internal remark"},
        headers=auth(ALICE),
    )
    site_view = await (await client.get(f"/v1/comments/{cid}", headers=auth(NEWS_KEY))).json()
    assert site_view["status"] == "rejected"
    assert "internal remark" not in str(site_view)
    mod_view = await (await client.get(f"/v1/comments/{cid}", headers=auth(ALICE))).json()
    assert mod_view["note"] == "off-topic, internal remark"
    actions = [e["action"] for e in mod_view["history"]]
    assert actions == ["created", "scored", "decided"]
    assert mod_view["history"][2]["actor"] == "alice"


async def test_site_key_cannot_use_moderator_endpoints(client: Client) -> None:
    [cid] = await _post(client, 1)
    assert (await client.get("/v1/queue?site=news", headers=auth(NEWS_KEY))).status == 401
    resp = await client.post(
        f"/v1/comments/{cid}/decision", json={"decision": "approve"}, headers=auth(NEWS_KEY)
    )
    assert resp.status == 401


async def test_two_moderators_deciding_at_once_one_wins(client: Client, redis_url: str) -> None:
    [cid] = await _post(client, 1)

    async def decide(token: str, decision: str) -> Any:
        return await client.post(
            f"/v1/comments/{cid}/decision", json={"decision": decision}, headers=auth(token)
        )

    a, b = await asyncio.gather(decide(ALICE, "approve"), decide(BOB, "spam"))
    statuses = sorted([a.status, b.status])
    assert statuses == [200, 409]
    loser = a if a.status == 409 else b
    problem = await loser.json(content_type=None)
    assert problem["decided_by"] in ("alice", "bob")
    assert problem["decided_by"] in problem["detail"]
    assert_indexes_consistent(redis_url)


async def test_decision_validation(client: Client) -> None:
    [cid] = await _post(client, 1)
    resp = await client.post(
        f"/v1/comments/{cid}/decision", json={"decision": "delete"}, headers=auth(ALICE)
    )
    assert resp.status == 422
    resp = await client.post(
        "/v1/comments/news_nosuch/decision", json={"decision": "spam"}, headers=auth(ALICE)
    )
    assert resp.status == 404


async def test_bulk_answers_each_item_on_its_own(client: Client, redis_url: str) -> None:
    ids = await _post(client, 3)
    await client.post(
        f"/v1/comments/{ids[0]}/decision", json={"decision": "approve"}, headers=auth(BOB)
    )
    resp = await client.post(
        "/v1/decisions",
        json={
            "decisions": [
                {"id": ids[0], "decision": "spam"},
                {"id": ids[1], "decision": "spam", "note": "link farm"},
                {"id": "news_missing", "decision": "spam"},
                {"id": ids[2], "decision": "explode"},
                {"id": "blog_abc", "decision": "spam"},
            ]
        },
        headers=auth(ALICE),
    )
    assert resp.status == 200
    results = (await resp.json())["results"]
    assert [r["status"] for r in results] == [409, 200, 404, 422, 404]
    assert results[1]["comment_status"] == "spam"
    assert_indexes_consistent(redis_url)


async def test_claims_hide_comments_from_other_moderators(client: Client) -> None:
    await _post(client, 5)
    a = await (
        await client.post(
            "/v1/queue/claim",
            json={"site": "news", "limit": 3, "lease_seconds": 60},
            headers=auth(ALICE),
        )
    ).json()
    b = await (
        await client.post(
            "/v1/queue/claim",
            json={"site": "news", "limit": 3, "lease_seconds": 60},
            headers=auth(BOB),
        )
    ).json()
    a_ids = {i["id"] for i in a["items"]}
    b_ids = {i["id"] for i in b["items"]}
    assert len(a_ids) == 3 and len(b_ids) == 2 and not a_ids & b_ids
    held = next(iter(a_ids))
    resp = await client.post(
        f"/v1/comments/{held}/decision", json={"decision": "spam"}, headers=auth(BOB)
    )
    assert resp.status == 409
    assert (await resp.json(content_type=None))["claimed_by"] == "alice"
    # releasing hands it to the next claimer
    assert (await client.post(f"/v1/comments/{held}/release", headers=auth(ALICE))).status == 200
    again = await (
        await client.post("/v1/queue/claim", json={"site": "news", "limit": 5}, headers=auth(BOB))
    ).json()
    assert held in {i["id"] for i in again["items"]}
    record = await (await client.get(f"/v1/comments/{held}", headers=auth(BOB))).json()
    assert record["claimed_by"] == "bob"  # the claim is the record's state...
    # ...not a line of the audit trail (issue 24)
    assert not {e["action"] for e in record["history"]} & {"claimed", "released"}


async def test_page_sessions_leave_the_history_as_it_was(client: Client, redis_url: str) -> None:
    """Issue 24: every page open and close added a claimed/released pair to each
    comment's history (17 entries after six sessions).  Six sessions of two moderators,
    one ending by its lease running out: the history is what it was, the claims are in
    the events stream, and the decision after them is the trail's next line."""
    [cid] = await _post(client, 1)
    before = await (await client.get(f"/v1/comments/{cid}", headers=auth(ALICE))).json()
    claim = {"site": "news", "limit": 5, "lease_seconds": 60}
    for session in range(6):
        token = ALICE if session % 2 == 0 else BOB
        resp = await client.post("/v1/queue/claim", json=claim, headers=auth(token))
        [item] = (await resp.json())["items"]
        lease = {"lease_until_ms": item["lease_until_ms"]}
        resp = await client.post(f"/v1/comments/{cid}/release", json=lease, headers=auth(token))
        assert (await resp.json())["released"] is True
    short = {**claim, "lease_seconds": 1}
    await client.post("/v1/queue/claim", json=short, headers=auth(ALICE))

    async def lease_over() -> bool:
        resp = await client.post("/v1/queue/claim", json=claim, headers=auth(BOB))
        return bool((await resp.json())["items"])

    await wait_for(lease_over, within=10)
    record = await (await client.get(f"/v1/comments/{cid}", headers=auth(BOB))).json()
    assert record["history"] == before["history"]
    assert record["claimed_by"] == "bob" and record["lease_until_ms"] > 0
    resp = await client.post(
        f"/v1/comments/{cid}/decision", json={"decision": "approve"}, headers=auth(BOB)
    )
    assert resp.status == 200
    record = await (await client.get(f"/v1/comments/{cid}", headers=auth(BOB))).json()
    assert record["history"][:-1] == before["history"]
    assert (record["history"][-1]["action"], record["history"][-1]["actor"]) == ("decided", "bob")
    with sync_redis(redis_url) as redis:
        types = [fields["type"] for _, fields in redis.xrange(keys.events("news"))]
    assert types.count("claimed") == 8 and types.count("released") == 6


async def test_expired_lease_returns_by_itself(client: Client) -> None:
    await _post(client, 1)
    first = await (
        await client.post(
            "/v1/queue/claim",
            json={"site": "news", "limit": 1, "lease_seconds": 1},
            headers=auth(ALICE),
        )
    ).json()
    assert len(first["items"]) == 1
    blocked = await (
        await client.post("/v1/queue/claim", json={"site": "news", "limit": 1}, headers=auth(BOB))
    ).json()
    assert blocked["items"] == []
    await asyncio.sleep(1.2)
    later = await (
        await client.post("/v1/queue/claim", json={"site": "news", "limit": 1}, headers=auth(BOB))
    ).json()
    assert [i["id"] for i in later["items"]] == [first["items"][0]["id"]]


async def test_undo_own_decision(client: Client, redis_url: str) -> None:
    [cid] = await _post(client, 1)
    await client.post(
        f"/v1/comments/{cid}/decision", json={"decision": "spam"}, headers=auth(ALICE)
    )
    assert (await client.post(f"/v1/comments/{cid}/undo", headers=auth(BOB))).status == 409
    resp = await client.post(f"/v1/comments/{cid}/undo", headers=auth(ALICE))
    assert resp.status == 200
    record = await (await client.get(f"/v1/comments/{cid}", headers=auth(ALICE))).json()
    assert record["status"] == "pending"
    assert [e["action"] for e in record["history"]] == ["created", "scored", "decided", "undone"]
    queue = await (await client.get("/v1/queue?site=news", headers=auth(ALICE))).json()
    assert [i["id"] for i in queue["items"]] == [cid]
    assert (await client.post(f"/v1/comments/{cid}/undo", headers=auth(ALICE))).status == 409
    # an undone decision no longer counts in the day's stats
    stats = await (await client.get("/v1/stats?site=news", headers=auth(ALICE))).json()
    assert "alice" not in stats["decisions_today"]
    assert_indexes_consistent(redis_url)


async def test_stats(client: Client) -> None:
    ids = await _post(client, 4)
    await client.post(
        f"/v1/comments/{ids[0]}/decision", json={"decision": "spam"}, headers=auth(ALICE)
    )
    await client.post(
        f"/v1/comments/{ids[1]}/decision", json={"decision": "approve"}, headers=auth(BOB)
    )
    resp = await client.get("/v1/stats?site=news", headers=auth(ALICE))
    body = await resp.json()
    assert body["site"] == "news"
    assert body["counts"] == {"pending": 2, "approved": 1, "spam": 1, "rejected": 0}
    assert body["oldest_pending_age_seconds"] >= 0
    assert body["decisions_today"] == {"alice": 1, "bob": 1}


async def test_status_filter_and_author_filter(client: Client) -> None:
    ids = await _post(client, 3)
    await client.post(
        f"/v1/comments/{ids[0]}/decision", json={"decision": "spam"}, headers=auth(ALICE)
    )
    spam = await (await client.get("/v1/queue?site=news&status=spam", headers=auth(ALICE))).json()
    assert [i["id"] for i in spam["items"]] == [ids[0]]
    other = comment_body(id="other-author", author_email="someone@example.org")
    await client.post("/v1/comments", json=other, headers=auth(NEWS_KEY))
    by_author = await (
        await client.get(
            "/v1/queue?site=news&author_email=someone@example.org", headers=auth(ALICE)
        )
    ).json()
    assert [i["external_id"] for i in by_author["items"]] == ["other-author"]


async def test_claims_honour_score_range_and_author(client: Client) -> None:
    ids = await _post(client, 6, spammy=2)
    spammy = await (
        await client.post(
            "/v1/queue/claim",
            json={"site": "news", "limit": 10, "min_score": 0.5, "order": "oldest"},
            headers=auth(ALICE),
        )
    ).json()
    assert {i["id"] for i in spammy["items"]} == set(ids[:2])
    assert all(i["spam_score"] >= 0.5 for i in spammy["items"])
    await client.post(
        "/v1/comments",
        json=comment_body(id="by-one", author_email="one@example.org"),
        headers=auth(NEWS_KEY),
    )
    mine = await (
        await client.post(
            "/v1/queue/claim",
            json={"site": "news", "limit": 10, "author_email": "one@example.org"},
            headers=auth(BOB),
        )
    ).json()
    assert [i["external_id"] for i in mine["items"]] == ["by-one"]
    bad = await client.post(
        "/v1/queue/claim", json={"site": "news", "min_score": 7}, headers=auth(BOB)
    )
    assert bad.status == 422


async def test_a_release_names_its_lease_so_a_renewal_stays(client: Client) -> None:
    [cid] = await _post(client, 1)
    first = await (
        await client.post("/v1/queue/claim", json={"site": "news", "limit": 1}, headers=auth(ALICE))
    ).json()
    old_lease = first["items"][0]["lease_until_ms"]
    assert old_lease > 0
    await asyncio.sleep(0.01)
    # the same moderator claims again (a reloaded page): a new lease
    again = await (
        await client.post("/v1/queue/claim", json={"site": "news", "limit": 1}, headers=auth(ALICE))
    ).json()
    assert again["items"][0]["lease_until_ms"] > old_lease
    # the old page's release, arriving late, names the old lease: the claim stays
    late = await client.post(
        f"/v1/comments/{cid}/release", json={"lease_until_ms": old_lease}, headers=auth(ALICE)
    )
    assert (await late.json()) == {"id": cid, "released": False}
    blocked = await (
        await client.post("/v1/queue/claim", json={"site": "news", "limit": 1}, headers=auth(BOB))
    ).json()
    assert blocked["items"] == []
    current = again["items"][0]["lease_until_ms"]
    done = await client.post(
        f"/v1/comments/{cid}/release", json={"lease_until_ms": current}, headers=auth(ALICE)
    )
    assert (await done.json())["released"] is True
    bad = await client.post(
        f"/v1/comments/{cid}/release", json={"lease_until_ms": "x"}, headers=auth(ALICE)
    )
    assert bad.status == 422


async def _claim(client: Client, token: str, limit: int, lease: float = 60) -> list[str]:
    resp = await client.post(
        "/v1/queue/claim",
        json={"site": "news", "limit": limit, "lease_seconds": lease, "order": "oldest"},
        headers=auth(token),
    )
    assert resp.status == 200
    return [i["id"] for i in (await resp.json())["items"]]


async def test_claiming_past_many_held_comments_keeps_holders_apart(
    client: Client, redis_url: str
) -> None:
    """Claim leaves out what others hold before the script reads a single comment (the
    claim-holders hint); the hint follows every claim, renewal, release, decision and
    expiry, and a moderator claiming again still renews their own claims."""
    ids = sorted(await _post(client, 10))  # oldest first, as in the cursor test above
    holders = client.app[STORE].redis
    alice = await _claim(client, ALICE, 6)
    assert alice == ids[:6]
    bob = await _claim(client, BOB, 10, lease=1)
    assert bob == ids[6:]  # the free ones only, in order
    assert await _claim(client, ALICE, 6) == alice  # a renewal, not six others
    hint = await holders.hgetall(keys.claim_holders("news"))
    assert hint == {**dict.fromkeys(alice, "alice"), **dict.fromkeys(bob, "bob")}
    await client.post(
        f"/v1/comments/{alice[0]}/decision", json={"decision": "spam"}, headers=auth(ALICE)
    )
    await client.post(f"/v1/comments/{alice[1]}/release", headers=auth(ALICE))
    await asyncio.sleep(1.2)  # bob's leases run out
    root = await _claim(client, ROOT, 10)
    assert root == [alice[1], *bob]  # released and expired come back; alice's others do not
    hint = await holders.hgetall(keys.claim_holders("news"))
    assert hint == {**dict.fromkeys(alice[2:], "alice"), **dict.fromkeys(root, "root")}
    assert_indexes_consistent(redis_url)


async def test_a_note_with_a_lone_surrogate_is_refused_not_a_500(client: Client) -> None:
    [cid] = await _post(client, 1)
    body = '{"decision": "spam", "note": "bad \\ud800 note"}'  # JSON can carry it; UTF-8 cannot
    resp = await client.post(
        f"/v1/comments/{cid}/decision",
        data=body,
        headers={**auth(ALICE), "Content-Type": "application/json"},
    )
    assert resp.status == 422
    problem = await resp.json(content_type=None)
    assert problem["errors"][0]["field"] == "note"
    record = await (await client.get(f"/v1/comments/{cid}", headers=auth(ALICE))).json()
    assert record["status"] == "pending"


async def test_every_failing_body_field_is_listed_and_bool_is_no_number(client: Client) -> None:
    [cid] = await _post(client, 1)
    resp = await client.post(
        "/v1/queue/claim",
        json={
            "site": "news",
            "limit": True,
            "lease_seconds": False,
            "order": "random",
            "min_score": "0.5",
            "max_score": 2,
            "author_email": "not-an-email",
        },
        headers=auth(ALICE),
    )
    assert resp.status == 422
    problem = await resp.json(content_type=None)
    assert [e["field"] for e in problem["errors"]] == [
        "limit",
        "lease_seconds",
        "order",
        "min_score",
        "max_score",
        "author_email",
    ]
    assert problem["detail"] == "6 fields failed validation."
    resp = await client.post(
        f"/v1/comments/{cid}/decision", json={"note": "x" * 2_001}, headers=auth(ALICE)
    )
    problem = await resp.json(content_type=None)
    assert {e["field"]: e["message"] for e in problem["errors"]} == {
        "decision": "is required",
        "note": "must be at most 2000 characters",
    }
    resp = await client.post(
        f"/v1/comments/{cid}/release", json={"lease_until_ms": True}, headers=auth(ALICE)
    )
    assert resp.status == 422
    assert (await resp.json(content_type=None))["errors"][0]["field"] == "lease_until_ms"
    # unknown members are ignored, as before: clients may send more than they must
    resp = await client.post(
        f"/v1/comments/{cid}/decision",
        json={"decision": "approve", "note": "  fine  ", "client": "moderate.js"},
        headers=auth(ALICE),
    )
    assert resp.status == 200
    record = await (await client.get(f"/v1/comments/{cid}", headers=auth(ALICE))).json()
    assert record["note"] == "fine"


async def test_bulk_item_errors_carry_their_index(client: Client) -> None:
    [cid] = await _post(client, 1)
    resp = await client.post(
        "/v1/decisions",
        json={
            "decisions": [
                "approve",
                {"id": cid, "decision": "spam", "note": 5},
                {"id": 7, "decision": "maybe"},
            ]
        },
        headers=auth(ALICE),
    )
    assert resp.status == 200
    results = (await resp.json())["results"]
    assert results[0] == {
        "id": None,
        "status": 422,
        "errors": [{"field": "decisions[0]", "message": "must be an object"}],
    }
    assert results[1]["id"] == cid and [e["field"] for e in results[1]["errors"]] == [
        "decisions[1].note"
    ]
    assert results[2]["id"] is None
    assert [e["field"] for e in results[2]["errors"]] == [
        "decisions[2].id",
        "decisions[2].decision",
    ]
    resp = await client.post("/v1/decisions", json={"decisions": [{}] * 501}, headers=auth(ALICE))
    assert resp.status == 422
    assert (await resp.json(content_type=None))["errors"] == [
        {"field": "decisions", "message": "must have at most 500 items"}
    ]


async def test_human_decisions_are_labels_and_an_undo_takes_its_label_back(
    client: Client,
) -> None:
    store = client.app[STORE]
    a, b, c = await _post(client, 3, prefix="lab")
    for cid, decision in ((a, "approve"), (b, "spam"), (c, "reject")):
        resp = await client.post(
            f"/v1/comments/{cid}/decision", json={"decision": decision}, headers=auth(ALICE)
        )
        assert resp.status == 200
    assert await store.label_counts("news") == {"ham": 1, "spam": 1, "new": 2}
    assert [(cid, spam) for cid, spam, _ in await store.labelled("news")] == [
        (a, False),
        (b, True),
    ]
    resp = await client.post(f"/v1/comments/{b}/undo", headers=auth(ALICE))
    assert resp.status == 200
    assert await store.label_counts("news") == {"ham": 1, "spam": 0, "new": 1}
    await store.take_new_labels("news", 1)
    assert (await store.label_counts("news"))["new"] == 0
    # automatic decisions are no labels
    assert len(await store.labelled("blog")) == 0
