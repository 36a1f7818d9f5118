"""Re-deciding at any time (``"override": true``) and an admin's take-over of a claim
(issue 24): what each changes atomically (status indexes, record, history, labels, the
trusted-author counts, the day's counts, the callback), what stays 409 without them, and
override racing plain decisions and undos on one Redis and on a cluster."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from moderation.appkeys import STORE
from moderation.config import Config
from moderation.core.records import Status, now_ms, utc_day
from moderation.storage import keys
from moderation.web.problems import PROBLEM_JSON
from tests.conftest import (
    ALICE,
    BOB,
    CAROL,
    CONFIG_TOML,
    NEWS_KEY,
    ROOT,
    auth,
    comment_body,
)
from tests.delivery.test_callbacks import with_callbacks
from tests.review.test_review import _post
from tests.review.test_status_race import _later
from tests.support.faultkit import assert_indexes_consistent
from tests.support.receiver import Receiver

pytestmark = pytest.mark.both_kinds

Client = TestClient[Any, Any]
AUTHOR = "maria@example.com"  # comment_body's author
CALLBACK_SECRET = "news-callback-secret-0123456789"


def _news_with(config: Config, **options: Any) -> Config:
    """``config`` with more options on the news site (its rules)."""
    raw = json.loads(json.dumps(CONFIG_TOML))
    raw["sites"][0].update(options)
    return replace(config, sites=Config.from_mapping(raw).sites)


async def _decide(
    client: Client, cid: str, decision: str, token: str = ALICE, **extra: Any
) -> ClientResponse:
    return await client.post(
        f"/v1/comments/{cid}/decision", json={"decision": decision, **extra}, headers=auth(token)
    )


async def _claim(client: Client, cid: str, token: str, **body: Any) -> ClientResponse:
    return await client.post(f"/v1/comments/{cid}/claim", json=body, headers=auth(token))


async def _record(client: Client, cid: str) -> dict[str, Any]:
    resp = await client.get(f"/v1/comments/{cid}", headers=auth(ROOT))
    assert resp.status == 200
    body: dict[str, Any] = await resp.json()
    return body


async def _problem(resp: ClientResponse, status: int) -> dict[str, Any]:
    assert resp.status == status, await resp.text()
    assert resp.content_type == PROBLEM_JSON
    body: dict[str, Any] = await resp.json(content_type=None)
    return body


async def _labels(client: Client, site: str = "news") -> tuple[set[str], set[str]]:
    """The comments labelled ham and spam."""
    redis = client.app[STORE].redis
    ham = {str(m) for m in await redis.zrange(keys.labels(site, "ham"), 0, -1)}
    spam = {str(m) for m in await redis.zrange(keys.labels(site, "spam"), 0, -1)}
    return ham, spam


async def _approved_count(client: Client, email: str = AUTHOR, site: str = "news") -> int:
    raw = await client.app[STORE].redis.hget(keys.approved_authors(site), email)
    return int(raw or 0)


async def test_override_changes_another_moderators_decision_and_everything_follows(
    client: Client, redis_url: str
) -> None:
    [cid] = await _post(client, 1, prefix="ovr-")
    assert (await _decide(client, cid, "approve", ALICE, note="fine")).status == 200
    assert await _approved_count(client) == 1
    assert await _labels(client) == ({cid}, set())

    # without override the 409 stays exactly as it was
    problem = await _problem(await _decide(client, cid, "spam", BOB), 409)
    assert problem["current_status"] == "approved" and problem["decided_by"] == "alice"
    assert (await _record(client, cid))["status"] == "approved"
    problem = await _problem(await _decide(client, cid, "spam", BOB, override=False), 409)

    resp = await _decide(client, cid, "spam", BOB, override=True, note="link in the signature")
    assert resp.status == 200, await resp.text()
    assert await resp.json() == {"id": cid, "status": "spam", "previous_status": "approved"}
    record = await _record(client, cid)
    assert record["status"] == "spam" and record["decided_by"] == "bob"
    assert record["note"] == "link in the signature"
    last = record["history"][-1]
    assert last["action"] == "decided" and last["actor"] == "bob"
    assert last["status"] == "spam" and last["override"] is True and last["was"] == "approved"
    assert [e["action"] for e in record["history"]].count("decided") == 2  # both steps kept
    assert await _labels(client) == (set(), {cid})
    assert await _approved_count(client) == 0  # untrusted: no approved comment left
    today = await client.app[STORE].decisions_on("news", utc_day(now_ms()))
    assert today == {"alice": 1, "bob": 1}
    assert_indexes_consistent(redis_url)

    # an override to the status it has: 200, nothing changed
    resp = await _decide(client, cid, "spam", ALICE, override=True)
    assert await resp.json() == {"id": cid, "status": "spam", "previous_status": "spam"}
    assert (await _record(client, cid))["history"] == record["history"]
    assert await client.app[STORE].decisions_on("news", utc_day(now_ms())) == today

    # back to approved: ham again, trusted again
    resp = await _decide(client, cid, "approve", ALICE, override=True)
    assert await resp.json() == {"id": cid, "status": "approved", "previous_status": "spam"}
    assert await _labels(client) == ({cid}, set())
    assert await _approved_count(client) == 1

    # undo within 10 minutes is as it was: the last decider's, back to pending
    assert (await client.post(f"/v1/comments/{cid}/undo", headers=auth(BOB))).status == 409
    assert (await client.post(f"/v1/comments/{cid}/undo", headers=auth(ALICE))).status == 200
    assert (await _record(client, cid))["status"] == "pending"
    assert await _labels(client) == (set(), set())
    assert await _approved_count(client) == 0
    # and an override of a pending comment is a plain decision (no "was")
    resp = await _decide(client, cid, "reject", BOB, override=True)
    assert await resp.json() == {"id": cid, "status": "rejected", "previous_status": "pending"}
    last = (await _record(client, cid))["history"][-1]
    assert "override" not in last and "was" not in last
    assert await _labels(client) == (set(), set())
    assert_indexes_consistent(redis_url)


async def test_override_of_a_site_rules_and_of_the_cms_decision(
    make_client: Any, config: Config, redis_url: str
) -> None:
    client = await make_client(_news_with(config, block=["@spam.example"]))
    resp = await client.post(
        "/v1/comments",
        json=comment_body(id="blocked-1", author_email="someone@spam.example"),
        headers=auth(NEWS_KEY),
    )
    blocked = (await resp.json())["id"]
    assert (await _record(client, blocked))["decided_by"] == "auto"
    problem = await _problem(await _decide(client, blocked, "approve"), 409)
    assert problem["decided_by"] == "auto"
    resp = await _decide(client, blocked, "approve", override=True)
    assert await resp.json() == {"id": blocked, "status": "approved", "previous_status": "spam"}
    history = (await _record(client, blocked))["history"]
    assert [e["action"] for e in history][-1] == "decided"
    assert history[-1]["was"] == "spam" and history[-1]["override"] is True
    assert await _approved_count(client, "someone@spam.example") == 1
    assert await _labels(client) == ({blocked}, set())

    # the CMS's own decision, then a moderator's override of it
    [cid] = await _post(client, 1, prefix="cms-ovr-")
    resp = await client.post(
        f"/v1/comments/{cid}/cms-status", json={"status": "rejected"}, headers=auth(NEWS_KEY)
    )
    assert resp.status == 200, await resp.text()
    problem = await _problem(await _decide(client, cid, "approve", BOB), 409)
    assert problem["decided_by"] == "cms"
    resp = await _decide(client, cid, "approve", BOB, override=True)
    assert await resp.json() == {"id": cid, "status": "approved", "previous_status": "rejected"}
    assert await _approved_count(client) == 1
    assert_indexes_consistent(redis_url)


async def test_overriding_a_rules_approval_leaves_human_approvals_counted(
    make_client: Any, config: Config, redis_url: str
) -> None:
    """A rule's approval never counted towards trusting its author, so replacing it must
    not take a person's approval of the same author back."""
    client = await make_client(_news_with(config, allow=[AUTHOR]))
    resp = await client.post(
        "/v1/comments", json=comment_body(id="allowed-1"), headers=auth(NEWS_KEY)
    )
    allowed = await resp.json()
    assert allowed["status"] == "approved"
    await client.app[STORE].redis.hset(keys.approved_authors("news"), AUTHOR, 1)  # a person's
    resp = await _decide(client, allowed["id"], "spam", override=True)
    assert await resp.json() == {
        "id": allowed["id"],
        "status": "spam",
        "previous_status": "approved",
    }
    assert await _approved_count(client) == 1
    assert_indexes_consistent(redis_url)


async def test_override_takes_a_pending_comment_another_moderator_holds(
    client: Client, redis_url: str
) -> None:
    [cid] = await _post(client, 1, prefix="held-")
    assert (await _claim(client, cid, BOB, lease_seconds=600)).status == 200
    problem = await _problem(await _decide(client, cid, "approve"), 409)
    assert problem["claimed_by"] == "bob"
    resp = await _decide(client, cid, "approve", override=True)
    assert await resp.json() == {"id": cid, "status": "approved", "previous_status": "pending"}
    record = await _record(client, cid)
    assert record["claimed_by"] is None or record["claimed_by"] == ""
    assert record["history"][-1]["took_claim_from"] == "bob"
    assert "was" not in record["history"][-1]
    assert_indexes_consistent(redis_url)


async def test_bulk_decisions_override_per_item(client: Client, redis_url: str) -> None:
    a, b, c = await _post(client, 3, prefix="bulk-ovr-")
    for cid in (a, b):
        assert (await _decide(client, cid, "approve", BOB)).status == 200
    resp = await client.post(
        "/v1/decisions",
        json={
            "decisions": [
                {"id": a, "decision": "spam", "override": True},
                {"id": b, "decision": "spam"},
                {"id": c, "decision": "reject", "override": True},
                {"id": a, "decision": "spam", "override": "yes"},
            ]
        },
        headers=auth(ALICE),
    )
    results = (await resp.json())["results"]
    assert [r["status"] for r in results] == [200, 409, 200, 422]
    assert results[0]["comment_status"] == "spam" and results[0]["previous_status"] == "approved"
    assert results[1]["decided_by"] == "bob"
    assert results[2]["previous_status"] == "pending"
    assert results[3]["errors"][0]["field"] == "decisions[3].override"
    assert (await _record(client, a))["status"] == "spam"
    assert (await _record(client, b))["status"] == "approved"
    assert_indexes_consistent(redis_url)


async def test_take_over_of_a_claim(client: Client, redis_url: str) -> None:
    cid, free = await _post(client, 2, prefix="take-")
    resp = await _claim(client, cid, BOB, lease_seconds=600)
    bob = await resp.json()
    assert resp.status == 200 and bob["id"] == cid and bob["claimed_by"] == "bob"
    assert bob["lease_until_ms"] > now_ms() + 500_000
    history_before = (await _record(client, cid))["history"]
    assert "claimed" not in [e["action"] for e in history_before]  # claims are not audit

    # without take, someone else's claim is 409; take by a non-admin is 403
    problem = await _problem(await _claim(client, cid, ALICE), 409)
    assert problem["claimed_by"] == "bob" and problem["lease_until_ms"] == bob["lease_until_ms"]
    problem = await _problem(await _claim(client, cid, ALICE, take=True), 403)
    assert "admin" in problem["detail"]
    assert (await _record(client, cid))["claimed_by"] == "bob"

    resp = await _claim(client, cid, ROOT, take=True, lease_seconds=120)
    assert resp.status == 200, await resp.text()
    root = await resp.json()
    assert root["claimed_by"] == "root" and root["taken_from"] == "bob"
    assert now_ms() + 100_000 < root["lease_until_ms"] <= now_ms() + 120_000
    record = await _record(client, cid)
    assert record["claimed_by"] == "root"
    assert len(record["history"]) == len(history_before) + 1
    entry = record["history"][-1]
    assert {entry["action"], entry["actor"], entry["from"]} == {"taken_over", "root", "bob"}

    # bob's lease has ended: his decision and release are someone else's claim now
    problem = await _problem(await _decide(client, cid, "approve", BOB), 409)
    assert problem["claimed_by"] == "root"
    resp = await client.post(
        f"/v1/comments/{cid}/release",
        json={"lease_until_ms": bob["lease_until_ms"]},
        headers=auth(BOB),
    )
    assert (await _problem(resp, 409))["claimed_by"] == "root"
    assert_indexes_consistent(redis_url)
    assert (await _decide(client, cid, "spam", ROOT)).status == 200

    # an unclaimed comment is simply claimed (take or not), with no history entry
    resp = await client.post(f"/v1/comments/{free}/claim", headers=auth(ALICE))
    assert resp.status == 200 and "taken_from" not in await resp.json()
    assert (await _claim(client, free, ALICE, lease_seconds=30)).status == 200  # renewal
    resp = await _claim(client, free, ROOT, take=True)
    assert (await resp.json())["taken_from"] == "alice"
    resp = await _claim(client, free, ROOT, take=True)  # its own: renewed, nothing taken
    assert resp.status == 200 and "taken_from" not in await resp.json()
    actions = [e["action"] for e in (await _record(client, free))["history"]]
    assert actions.count("taken_over") == 1 and "claimed" not in actions

    # a decided comment is no claim; a comment the caller may not see is 404
    problem = await _problem(await _claim(client, cid, ROOT, take=True), 409)
    assert problem["current_status"] == "spam"
    await _problem(await _claim(client, cid, CAROL, take=True), 404)
    await _problem(await _claim(client, "news_nosuch", ROOT, take=True), 404)
    for lease in (0, 3601, "60", True):
        problem = await _problem(await _claim(client, free, ROOT, lease_seconds=lease), 422)
        assert problem["errors"][0]["field"] == "lease_seconds"
    problem = await _problem(await _claim(client, free, ROOT, take="yes"), 422)
    assert problem["errors"][0]["field"] == "take"
    assert_indexes_consistent(redis_url)


async def test_an_override_is_called_back_with_the_status_it_replaced(
    make_client: Any, config: Config
) -> None:
    receiver = await Receiver(CALLBACK_SECRET).start()
    try:
        client = await make_client(with_callbacks(config, receiver))
        [cid] = await _post(client, 1, prefix="cb-ovr-")
        assert (await _decide(client, cid, "approve")).status == 200
        assert (await _decide(client, cid, "reject", BOB, override=True)).status == 200
        assert (await _decide(client, cid, "reject", BOB, override=True)).status == 200  # same
        await receiver.wait_for(lambda r: len(r.delivered()) == 2)
        await asyncio.sleep(0.3)  # nothing more comes: the same-status override sent none
        bodies = [d.body for d in receiver.delivered()]
        assert len(bodies) == 2
        assert [b["type"] for b in bodies] == ["comment.decided", "comment.decided"]
        assert [(b["comment"]["status"], b["comment"]["previous_status"]) for b in bodies] == [
            ("approved", "pending"),
            ("rejected", "approved"),
        ]
        assert bodies[1]["comment"]["decided_by"] == "bob"
    finally:
        await receiver.stop()


# -- race-freedom --------------------------------------------------------------------------

ROUNDS = 80
DECISIONS = ("approve", "spam", "reject")
STATUS_OF = {"approve": "approved", "spam": "spam", "reject": "rejected"}


def replay(record: dict[str, Any]) -> list[str]:
    """What is wrong with a record's history: each plain decision starts from pending,
    each override from the status it names (``was``), each undo from its ``was``; the
    last state and decider are the record's."""
    state: str | None = None
    by = ""
    problems = []
    for entry in record["history"]:
        action = entry["action"]
        if action == "created":
            state = entry["status"]
        elif action in ("decided", "auto-decided"):
            start = entry.get("was", Status.PENDING.value)
            if entry.get("override") and start == Status.PENDING.value:
                problems.append("an override names no decision it replaced")
            if state != start:
                problems.append(f"{action} {entry['status']} (was {start}) from {state}")
            state, by = entry["status"], entry["actor"]
        elif action == "undone":
            if state != entry["was"] or state == Status.PENDING.value:
                problems.append(f"undone (was={entry['was']}) from {state}")
            state, by = Status.PENDING.value, ""
    if state != record["status"]:
        problems.append(f"history ends {state}, record is {record['status']}")
    if (record["decided_by"] or "") != by:
        problems.append(f"decided_by {record['decided_by']!r}, history says {by!r}")
    return problems


async def test_override_racing_plain_decisions_and_undos_of_two_moderators(
    client: Client, redis_url: str
) -> None:
    """Alice decides while Bob overrides, many comments at once, then both override while
    Alice undoes: every comment ends in exactly one status index with a history that
    replays to it, its label and the author's approved count follow its final status,
    and the day's counts are the decisions the histories show (less those undone)."""
    started = now_ms()
    ids = await _post(client, ROUNDS, prefix="ovr-race-")
    answers: Counter[int] = Counter()
    firsts: Counter[int] = Counter()  # Alice's plain decision: 200 (then replaced) or 409

    async def one(n: int, cid: str) -> None:
        first = await asyncio.gather(
            _later(n % 5, _decide(client, cid, DECISIONS[n % 3], ALICE)),  # varied order
            _decide(client, cid, DECISIONS[(n + 1) % 3], BOB, override=True),
        )
        # Bob's override always lands; Alice's plain decision only if it came first
        assert first[1].status == 200, await first[1].text()
        firsts[first[0].status] += 1
        second = await asyncio.gather(
            _decide(client, cid, DECISIONS[(n + 2) % 3], ALICE, override=True),
            _decide(client, cid, DECISIONS[n % 3], BOB, override=True),
            client.post(f"/v1/comments/{cid}/undo", headers=auth(ALICE)),
            _decide(client, cid, DECISIONS[(n + 1) % 3], BOB),
        )
        for resp in (*first, *second):
            answers[resp.status] += 1
            assert resp.status in (200, 409), (resp.status, await resp.text())
            if resp.status == 409:
                assert resp.content_type == PROBLEM_JSON

    # all the comments at once, in groups so that the test client's pool is not the limit
    for start in range(0, ROUNDS, 20):
        await asyncio.gather(*(one(n, ids[n]) for n in range(start, min(ROUNDS, start + 20))))
    print("override race answers", dict(answers), "alice first:", dict(firsts))
    assert answers[200] >= 2 * ROUNDS and answers[409] > 0, answers

    assert_indexes_consistent(redis_url)
    records = {cid: await _record(client, cid) for cid in ids}
    wrong = {cid: p for cid, r in records.items() if (p := replay(r))}
    assert not wrong, f"{len(wrong)} histories disagree: {list(wrong.items())[:5]}"
    ham, spam = await _labels(client)
    assert ham == {c for c, r in records.items() if r["status"] == "approved"}
    assert spam == {c for c, r in records.items() if r["status"] == "spam"}
    approved = sum(r["status"] == "approved" for r in records.values())
    assert await _approved_count(client) == approved
    made: Counter[str] = Counter()
    for r in records.values():
        for entry in r["history"]:
            if entry["action"] == "decided":
                made[entry["actor"]] += 1
            elif entry["action"] == "undone":
                made[entry["actor"]] -= 1
    counted: Counter[str] = Counter()
    for day in sorted({utc_day(started), utc_day(now_ms())}):
        counted.update(await client.app[STORE].decisions_on("news", day))
    assert +counted == +made, (counted, made)
    stats = await (await client.get("/v1/stats?site=news", headers=auth(ROOT))).json()
    statuses = Counter(r["status"] for r in records.values())
    assert stats["counts"] == {s.value: statuses[s.value] for s in Status}
