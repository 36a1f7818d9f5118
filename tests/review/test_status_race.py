"""Concurrent status changes of one comment: double undos, decisions racing decisions,
erasure and retention racing both.  No assertion on which racer wins: only that every
answer is a 200 or a clean 4xx problem, and that afterwards every index agrees with the
comment hashes (``tests/support/faultkit.py``, ``index_violations``), the stats agree with the
records, and each comment's history replays to its status."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Sequence
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from moderation.appkeys import STORE
from moderation.core.records import Decision, Status, now_ms, utc_day
from moderation.storage import keys
from moderation.storage import queue as store_module
from moderation.storage.store import DAY_MS, Store
from moderation.web.problems import PROBLEM_JSON
from tests.conftest import ALICE, BOB, NEWS_KEY, ROOT, auth, comment_body
from tests.review.test_review import _post
from tests.support.faultkit import assert_indexes_consistent, index_violations, record

Client = TestClient[Any, Any]

ROUNDS = 200
DECISIONS = ("approve", "spam", "reject")


async def _decide(client: Client, cid: str, decision: str, token: str = ALICE) -> ClientResponse:
    return await client.post(
        f"/v1/comments/{cid}/decision", json={"decision": decision}, headers=auth(token)
    )


async def _undo(client: Client, cid: str, token: str = ALICE) -> ClientResponse:
    return await client.post(f"/v1/comments/{cid}/undo", headers=auth(token))


async def _later(ticks: int, request: Awaitable[ClientResponse]) -> ClientResponse:
    """``request``, sent ``ticks`` event-loop turns later.  Racers sent at once reach the
    handlers within a few turns of each other, in an order that depends on timing;
    varying the offset over the rounds makes every interleaving turn up (among them the
    decision landing between one undo's read and the other's write)."""
    for _ in range(ticks):
        await asyncio.sleep(0)
    return await request


async def _assert_clean(responses: Sequence[ClientResponse], allowed: set[int]) -> Counter[int]:
    """Each answer is a 200 or an expected 4xx in problem+json form, never a 5xx."""
    seen: Counter[int] = Counter()
    for resp in responses:
        seen[resp.status] += 1
        assert resp.status in allowed, (resp.status, await resp.text())
        if resp.status != 200:
            assert resp.content_type == PROBLEM_JSON, resp.content_type
            await resp.json(content_type=None)
    return seen


async def _misfiled(store: Store, cid: str) -> bool:
    """Whether one comment sits in any status index but exactly the one of its status."""
    site = cid.partition("_")[0]
    async with store.redis.pipeline(transaction=False) as pipe:
        pipe.hget(keys.comment(site, cid), "status")
        for status in Status:
            pipe.zscore(keys.by_status(site, status), cid)
        pipe.zscore(keys.pending_by_score(site), cid)
        status, *scores = await pipe.execute()
    inside = [s.value for s, score in zip(Status, scores, strict=False) if score is not None]
    expected = [status] if status is not None else []
    return inside != expected or (scores[-1] is not None) != (status == Status.PENDING)


def history_problems(status: str, decided_by: str, history: list[dict[str, Any]]) -> list[str]:
    """Replay a record's history: each decision starts from pending, each undo from the
    status it names (``was``), and the last state and decider are the record's."""
    state: str | None = None
    by = ""
    problems = []
    for entry in history:
        action = entry["action"]
        if action == "created":
            state = entry["status"]
        elif action in ("decided", "auto-decided"):
            if state != Status.PENDING:
                problems.append(f"{action} {entry['status']} from {state}")
            state, by = entry["status"], entry["actor"]
        elif action == "undone":
            if state != entry["was"] or state == Status.PENDING:
                problems.append(f"undone (was={entry['was']}) from {state}")
            state, by = Status.PENDING.value, ""
    if state != status:
        problems.append(f"history ends {state}, record is {status}")
    if decided_by != by:
        problems.append(f"decided_by {decided_by!r}, history says {by!r}")
    return problems


async def _check_records(
    client: Client, ids: list[str], started_ms: int, *, purged_spam_by: str | None = None
) -> Counter[str]:
    """Every record's history replays to its status; the stats, the per-status listings
    and the per-day decision counts agree with the records.  Comments may have been
    purged only if ``purged_spam_by`` names whose spam decisions they were.  Returns the
    status counts."""
    store = client.app[STORE]
    records = {}
    purged = 0
    for cid in ids:
        resp = await client.get(f"/v1/comments/{cid}", headers=auth(ROOT))
        if resp.status == 404 and purged_spam_by is not None:  # retention deleted it
            purged += 1
            continue
        assert resp.status == 200
        records[cid] = await resp.json()
    wrong = {
        cid: p
        for cid, r in records.items()
        if (p := history_problems(r["status"], r["decided_by"] or "", r["history"]))
    }
    assert not wrong, f"{len(wrong)} histories disagree: {list(wrong.items())[:5]}"
    counts = Counter(r["status"] for r in records.values())
    stats = await (await client.get("/v1/stats?site=news", headers=auth(ROOT))).json()
    assert stats["counts"] == {s.value: counts[s.value] for s in Status}, stats
    for status in Status:
        listed: list[str] = []
        cursor = ""
        for _ in range(50):
            url = f"/v1/queue?site=news&status={status.value}&order=oldest&limit=100"
            page = await (
                await client.get(url + (f"&cursor={cursor}" if cursor else ""), headers=auth(ROOT))
            ).json()
            listed += [item["id"] for item in page["items"]]
            assert page["items"] or not page["next_cursor"], f"empty {status} page, cursor"
            cursor = page["next_cursor"] or ""
            if not cursor:
                break
        assert sorted(listed) == sorted(c for c, r in records.items() if r["status"] == status)
    # decisions made and not undone, per moderator, over the days the test ran on
    made = Counter(r["decided_by"] for r in records.values() if r["status"] != Status.PENDING.value)
    if purged_spam_by is not None:
        made[purged_spam_by] += purged  # a purge does not take back a decision
    counted: Counter[str] = Counter()
    for day in sorted({utc_day(started_ms), utc_day(now_ms())}):
        counted.update(await store.decisions_on("news", day))
    assert counted == made, (counted, made)
    return counts


async def test_double_undo_racing_a_decision_keeps_every_index_right(
    client: Client, redis_url: str
) -> None:
    """One moderator decides, then sends undo, undo and another decision at once (two
    tabs, a double key press), 200 rounds.  Each round's comment must end in exactly
    the index of its status, with a history that replays to it."""
    started_ms, started = now_ms(), time.monotonic()
    ids = await _post(client, ROUNDS, prefix="undo-race-")
    store = client.app[STORE]
    answers: Counter[int] = Counter()
    misfiled = bad_history = 0
    statuses: Counter[str] = Counter()
    patterns: Counter[str] = Counter()  # undo, undo, decision: "200,200,200" = all won
    for n, cid in enumerate(ids):
        first, then = DECISIONS[n % 3], DECISIONS[(n + 1) % 3]
        assert (await _decide(client, cid, first)).status == 200
        racers = await asyncio.gather(
            _undo(client, cid),
            _later(n // 6 % 6, _undo(client, cid)),
            _later(n % 6, _decide(client, cid, then)),
        )
        answers += await _assert_clean(racers, {200, 409})
        patterns[",".join(str(r.status) for r in racers)] += 1
        misfiled += await _misfiled(store, cid)
        found = await store.get(cid)
        assert found is not None
        statuses[found.status.value] += 1
        bad_history += bool(history_problems(found.status, found.decided_by, found.history))
    violations = index_violations(redis_url)
    stats = await (await client.get("/v1/stats?site=news", headers=auth(ROOT))).json()
    figures: dict[str, Any] = {
        "rounds": ROUNDS,
        "answers": {str(k): v for k, v in sorted(answers.items())},
        "answers_per_round": dict(sorted(patterns.items())),
        "rounds_misfiled": misfiled,
        "rounds_with_a_wrong_history": bad_history,
        "index_violations": len(violations),
        "stats_counts": stats["counts"],
        "record_statuses": dict(statuses),
        "seconds": round(time.monotonic() - started, 2),
    }
    record("double_undo", figures)
    assert not violations, f"{misfiled} of {ROUNDS} rounds misfiled:\n" + "\n".join(violations)
    assert misfiled == bad_history == 0
    assert await _check_records(client, ids, started_ms) == statuses


async def test_decisions_and_undos_of_two_moderators_racing(client: Client, redis_url: str) -> None:
    """Two moderators decide the same comments at once, each also undoing: whoever
    wins, exactly one decision stands at a time and every index follows it."""
    started_ms = now_ms()
    ids = await _post(client, 60, prefix="two-mods-")
    answers: Counter[int] = Counter()
    for n, cid in enumerate(ids):
        first = await asyncio.gather(
            _decide(client, cid, DECISIONS[n % 3], ALICE),
            _decide(client, cid, DECISIONS[(n + 1) % 3], BOB),
        )
        assert sorted(r.status for r in first) == [200, 409]
        answers += await _assert_clean(first, {200, 409})
        racers = await asyncio.gather(
            _undo(client, cid, ALICE),
            _undo(client, cid, BOB),
            _decide(client, cid, DECISIONS[(n + 2) % 3], BOB),
            _decide(client, cid, DECISIONS[n % 3], ALICE),
            _undo(client, cid, ALICE),
        )
        answers += await _assert_clean(racers, {200, 409})
    assert_indexes_consistent(redis_url)
    await _check_records(client, ids, started_ms)


async def test_erasure_and_retention_racing_decisions_and_undos(
    client: Client, redis_url: str
) -> None:
    """Erasure of an author and retention's erase and purge passes, at the same time as
    that author's comment is decided and undone: the comment keeps one status in one
    index (or, purged, none), and erased data stays erased."""
    started_ms = now_ms()
    store = client.app[STORE]
    ids = []
    for n in range(60):
        resp = await client.post(
            "/v1/comments",
            json=comment_body(
                id=f"erase-race-{n}",
                author_email=f"reader{n}@example.org",
                content=f"Point {n} of the budget article seems fair to me, thanks.",
            ),
            headers=auth(NEWS_KEY),
        )
        assert resp.status == 202
        ids.append((await resp.json())["id"])
    answers: Counter[int] = Counter()
    for n, cid in enumerate(ids):
        assert (await _decide(client, cid, "spam" if n % 2 else "approve")).status == 200

        async def erase(n: int = n) -> ClientResponse:
            return await client.post(
                "/v1/erasure",
                json={"author_email": f"reader{n}@example.org", "site": "news"},
                headers=auth(ROOT),
            )

        racers = await asyncio.gather(
            _undo(client, cid),
            erase(),
            _decide(client, cid, "reject"),
            store.purge_spam_before("news", now_ms() + 60_000),
            store.erase_decided_before("news", now_ms() + 60_000),
            _undo(client, cid),
        )
        answers += await _assert_clean(
            [r for r in racers if isinstance(r, ClientResponse)], {200, 404, 409}
        )
    assert_indexes_consistent(redis_url)
    await _check_records(client, ids, started_ms, purged_spam_by="alice")
    for cid in ids:
        body = await (await client.get(f"/v1/comments/{cid}", headers=auth(ROOT))).json()
        if "author_email" in body:  # not purged
            assert body["author_email"] is None and body["author_name"] is None, body


async def test_undo_just_after_midnight_takes_the_decision_back_from_its_own_day(
    client: Client, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Undo names the decisions-per-day hash before it knows the decision's time; its
    first guess (today) is wrong for a decision made before midnight UTC, and the
    script's 'stale' answer makes the second call name the right day."""
    [cid] = await _post(client, 1, prefix="midnight-")
    store = client.app[STORE]
    midnight = now_ms() // DAY_MS * DAY_MS
    monkeypatch.setattr(store_module, "now_ms", lambda: midnight - 60_000)
    assert (await store.decide(cid, "alice", Decision.SPAM, "")).kind == "ok"
    before, after = utc_day(midnight - 60_000), utc_day(midnight)
    assert await store.decisions_on("news", before) == {"alice": 1}
    monkeypatch.setattr(store_module, "now_ms", lambda: midnight + 60_000)
    sent: list[int] = []
    undo_script = store._undo

    async def counting(**kwargs: Any) -> Any:
        sent.append(1)
        return await undo_script(**kwargs)

    monkeypatch.setattr(store, "_undo", counting)
    outcome = await store.undo(cid, "alice")
    assert outcome.kind == "ok" and len(sent) == 2
    assert await store.decisions_on("news", before) == {}
    assert await store.decisions_on("news", after) == {}
    found = await store.get(cid)
    assert found is not None and found.status == Status.PENDING
    assert found.history[-1]["was"] == "spam"
    assert_indexes_consistent(redis_url)
