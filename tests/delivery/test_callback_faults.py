"""Decision callbacks under faults, with real processes: ``moderation serve`` on a free
loopback port, a redis-server of the test's own with AOF, and a CMS endpoint that checks
every signature itself (tests/support/receiver.py).  The service is killed with SIGKILL, its Redis
is killed and restarted, two services share one outbox, and the CMS goes away and comes
back.  What must hold: every event of an acknowledged decision reaches the CMS, under the
``event_id`` it was queued with (at least once: none lost); where no fault can have cut a
delivery short, exactly once.  Each test records its figures in
test-artifacts/reliability/ (RELIABILITY.md, "Decision callbacks").
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from moderation.storage.redis_server import RedisServer
from tests.conftest import ALICE, BOB, ROOT
from tests.runtime.test_faults import own_redis_server  # noqa: F401  (each test's own Redis, AOF on)
from tests.support.faultkit import (
    Service,
    amend_config,
    callback_outbox,
    callback_records,
    check_consistency,
    comment,
    get_json,
    kill_redis,
    metric_value,
    record,
    stream,
    wait_for,
)
from tests.support.receiver import Delivery, Receiver
from tests.support.redis_kinds import another_entry_point, is_cluster

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]

SECRET = "news-callback-secret-0123456789"
LEASE_MARGIN = 30.0  # moderation/delivery/callbacks.py LEASE_MARGIN_SECONDS
CMS_DOWN_SECONDS = 4.0
EMPTY_OUTBOX = {"events": 0, "pending": 0, "due": 0, "dead": 0, "heads": 0, "queues": 0}


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    got = await Receiver(SECRET, hang_seconds=4.0).start()
    yield got
    await got.stop()


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Callable[..., Service]]:
    """Make ``moderation serve`` processes whose news site calls ``callback_url`` back,
    with ``root`` an admin (for the callbacks API); every one is stopped at teardown."""
    made: list[Service] = []

    def make(name: str, *, redis_url: str, callback_url: str, **options: Any) -> Service:
        service = Service(tmp_path / name, redis_url=redis_url)
        news = {
            "callback_url": callback_url,
            "callback_secret": SECRET,
            "callback_timeout_seconds": 5.0,
            "callback_retry_seconds": 0.2,
            **options,
        }
        amend_config(
            service.config_path, sites={"news": news}, moderators={"root": {"admin": True}}
        )
        made.append(service)
        return service

    yield make
    for service in made:
        service.stop()


async def _started(*services: Service) -> None:
    for service in services:
        service.start()
    await asyncio.gather(*(s.wait_ready() for s in services))


async def _comments(base: str, prefix: str, count: int, **fields: Any) -> list[str]:
    """Post ``count`` new comments; their comment ids, in order."""
    bodies = [{**comment(f"{prefix}-{i}", i), **fields} for i in range(count)]
    load = await stream(base, bodies, concurrency=8)
    assert len(load.acked) == count, load.statuses()
    by_external = {o.external_id: str(o.body["id"]) for o in load.outcomes}
    return [by_external[f"{prefix}-{i}"] for i in range(count)]


async def _bulk(base: str, ids: list[str], decision: str = "approve", token: str = ALICE) -> None:
    """Decide ``ids`` with bulk calls of 50; every item must be answered 200."""
    async with aiohttp.ClientSession() as session:
        for start in range(0, len(ids), 50):
            chunk = ids[start : start + 50]
            async with session.post(
                base + "/v1/decisions",
                json={"decisions": [{"id": i, "decision": decision} for i in chunk]},
                headers={"Authorization": f"Bearer {token}"},
                timeout=aiohttp.ClientTimeout(total=10),
            ) as resp:
                assert resp.status == 200, await resp.text()
                results = (await resp.json())["results"]
            assert [r["status"] for r in results] == [200] * len(chunk), results


async def _singles(
    base: str, ids: list[str], decision: str, token: str = BOB, path: str = "decision"
) -> None:
    """One ``POST /v1/comments/{id}/<path>`` per id, 8 at a time; each must be 200."""
    gate = asyncio.Semaphore(8)
    async with aiohttp.ClientSession() as session:

        async def one(comment_id: str) -> None:
            async with gate:
                async with session.post(
                    f"{base}/v1/comments/{comment_id}/{path}",
                    json={"decision": decision, "note": "fault test"}
                    if path == "decision"
                    else None,
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=aiohttp.ClientTimeout(total=10),
                ) as resp:
                    assert resp.status == 200, await resp.text()

        await asyncio.gather(*(one(i) for i in ids))


async def _listing(base: str, state: str) -> dict[str, Any]:
    status, body = await get_json(base, f"/v1/callbacks?site=news&state={state}", ROOT)
    assert status == 200, body
    answer: dict[str, Any] = body
    return answer


def _distinct_delivered(r: Receiver) -> set[str]:
    return {d.event_id for d in r.delivered()}


async def _outbox_empty(redis_url: str, within: float = 15.0) -> None:
    async def empty() -> bool:
        return await asyncio.to_thread(callback_outbox, redis_url) == EMPTY_OUTBOX

    await wait_for(empty, within=within, interval=0.1)


def _tally(r: Receiver) -> dict[str, Any]:
    """What the receiver saw: deliveries tried, distinct events delivered, and events
    delivered (answered 2xx) more than once."""
    counts = Counter(d.event_id for d in r.delivered())
    return {
        "deliveries_tried": len(r.deliveries),
        "deliveries_answered_2xx": len(r.delivered()),
        "distinct_events_delivered": len(counts),
        "events_delivered_twice_or_more": sum(1 for n in counts.values() if n > 1),
        "unsigned_or_bad_signature": sum(1 for d in r.deliveries if not d.signed),
    }


def _by_comment(deliveries: list[Delivery]) -> dict[str, list[str]]:
    """Comment id -> the types of its delivered events, in arrival order."""
    out: dict[str, list[str]] = {}
    for d in deliveries:
        out.setdefault(d.body["comment"]["id"], []).append(d.body["type"])
    return out


async def test_service_killed_while_an_event_waits_for_its_retry(
    redis_server: RedisServer, services: Callable[..., Service], receiver: Receiver
) -> None:
    healthy = False
    receiver.answer = lambda n, d: 200 if healthy else 500
    # first retry 2.5 to 5 s after a 500: long enough that the kill finds nothing in flight
    service = services(
        "svc", redis_url=redis_server.url, callback_url=receiver.url, callback_retry_seconds=5
    )
    await _started(service)
    ids = await _comments(service.base, "rk", 10)
    await _bulk(service.base, ids, "approve")
    await _singles(service.base, ids[:1], "", token=ALICE, path="undo")  # queued behind

    async def all_tried_once() -> bool:
        records = await asyncio.to_thread(callback_records, redis_server.url)
        return (
            len(receiver.deliveries) >= 10
            and sum(1 for r in records.values() if r.get("attempts") == 1 and r.get("last_error"))
            == 10
        )

    await wait_for(all_tried_once, within=15)
    service.kill()
    tried_before_kill = len(receiver.deliveries)
    assert tried_before_kill == 10, "an attempt was in flight at the kill"
    queued = await asyncio.to_thread(callback_records, redis_server.url)
    assert len(queued) == 11  # 10 decisions, 1 undo waiting for its decision
    assert receiver.delivered() == []

    healthy = True
    killed_at = time.monotonic()
    service.start()  # same config, same Redis, same port
    await service.wait_ready()
    await receiver.wait_for(lambda r: len(_distinct_delivered(r)) == 11, within=30)
    redelivered_after = time.monotonic() - killed_at
    await _outbox_empty(redis_server.url)

    delivered = receiver.delivered()
    assert _distinct_delivered(receiver) == set(queued)  # the same event ids, none lost
    assert len(delivered) == 11  # and none twice: nothing was in flight at the kill
    assert all(d.signed for d in receiver.deliveries)
    assert {d.body["comment"]["id"] for d in delivered} == set(ids)
    assert _by_comment(delivered)[ids[0]] == ["comment.decided", "comment.undone"]
    # the attempt count survived the crash: the retried ones say attempt 2
    assert sorted(d.attempt for d in delivered) == [1] + [2] * 10
    assert (await _listing(service.base, "dead"))["total"] == 0
    check_consistency(redis_server.url)

    record(
        "callbacks_service_killed_waiting",
        {
            "faults": "moderation serve SIGKILL while 10 events waited for their retry "
            "(each answered 500 once) and 1 undo waited behind its decision; restarted",
            "events": len(queued),
            **_tally(receiver),
            "tried_before_kill": tried_before_kill,
            "events_lost": len(set(queued) - _distinct_delivered(receiver)),
            "all_delivered_after_kill_s": round(redelivered_after, 2),
        },
    )


@pytest.mark.timeout(90)
async def test_service_killed_with_a_delivery_in_flight(
    redis_server: RedisServer, services: Callable[..., Service], receiver: Receiver
) -> None:
    # the CMS holds the first attempt open (4 s, longer than the 2 s timeout); the
    # service is killed while it waits, so the event stays leased to a dead process
    receiver.answer = lambda n, d: "hang" if n == 1 else 200
    service = services(
        "svc", redis_url=redis_server.url, callback_url=receiver.url, callback_timeout_seconds=2
    )
    await _started(service)
    [comment_id] = await _comments(service.base, "fl", 1)
    await _singles(service.base, [comment_id], "reject", token=ALICE)
    await receiver.wait_for(lambda r: len(r.deliveries) == 1, within=10)
    service.kill()
    killed_at = time.monotonic()
    [(event_id, held)] = (await asyncio.to_thread(callback_records, redis_server.url)).items()
    assert event_id == receiver.deliveries[0].event_id
    # claimed for attempt 1 (counted at the claim), never settled
    assert held.get("attempts") == 1 and "last_error" not in held, held

    service.start()
    await service.wait_ready()
    await receiver.wait_for(lambda r: len(r.delivered()) == 1, within=LEASE_MARGIN + 20)
    redelivered_after = time.monotonic() - killed_at
    await _outbox_empty(redis_server.url)

    first, second = receiver.deliveries
    assert second.event_id == event_id  # the same event, not a new one
    assert second.raw == first.raw  # byte for byte the same body
    assert [first.attempt, second.attempt] == [1, 2]  # the cut-short attempt counted
    assert all(d.signed for d in receiver.deliveries)
    assert len(receiver.delivered()) == 1
    assert (await _listing(service.base, "dead"))["total"] == 0
    check_consistency(redis_server.url)

    record(
        "callbacks_service_killed_in_flight",
        {
            "faults": "moderation serve SIGKILL while the CMS held the first attempt open "
            "(callback_timeout_seconds 2, lease 32 s); restarted at once",
            "events": 1,
            **_tally(receiver),
            "events_lost": 0 if event_id in _distinct_delivered(receiver) else 1,
            "attempt_headers": [d.attempt for d in receiver.deliveries],
            "redelivered_after_kill_s": round(redelivered_after, 2),
        },
    )


async def test_redis_killed_between_the_decision_and_its_delivery(
    redis_server: RedisServer, services: Callable[..., Service], receiver: Receiver
) -> None:
    healthy = False
    receiver.answer = lambda n, d: 200 if healthy else 500
    service = services("svc", redis_url=redis_server.url, callback_url=receiver.url)
    await _started(service)
    ids = await _comments(service.base, "rd", 30)
    await _bulk(service.base, ids, "spam")  # answered 200: the events are queued
    await asyncio.to_thread(kill_redis, redis_server)
    healthy = True  # deliveries from now on succeed, if their outcome can be recorded
    tried_at_kill = len(receiver.deliveries)
    await asyncio.sleep(1.5)
    tried_during_outage = len(receiver.deliveries) - tried_at_kill
    await asyncio.to_thread(redis_server.start)  # same port, same AOF

    await receiver.wait_for(lambda r: len(_distinct_delivered(r)) == 30, within=30)
    await _outbox_empty(redis_server.url)
    assert service.running  # recovered without a restart
    delivered = receiver.delivered()
    per_comment = _by_comment(delivered)
    assert set(per_comment) == set(ids)  # every decided comment's event arrived
    assert {d.body["type"] for d in delivered} == {"comment.decided"}
    # one event per comment: a repeat is the same event id again, never a new event
    events_of = {
        cid: {d.event_id for d in delivered if d.body["comment"]["id"] == cid} for cid in ids
    }
    assert all(len(e) == 1 for e in events_of.values()), events_of
    assert all(d.signed for d in receiver.deliveries)
    assert (await _listing(service.base, "dead"))["total"] == 0
    log = service.log_text()
    assert "callbacks paused: Redis unavailable" in log
    assert "callbacks resumed: Redis is back" in log
    check_consistency(redis_server.url)

    record(
        "callbacks_redis_killed",
        {
            "faults": "redis-server SIGKILL right after a bulk decision of 30 was answered "
            "200 (every first attempt answered 500), restarted on the same port and AOF "
            "1.5 s later",
            "events": 30,
            **_tally(receiver),
            "tried_before_kill": tried_at_kill,
            "tried_during_outage": tried_during_outage,
            "events_lost": len(set(ids) - set(per_comment)),
        },
    )


@pytest.mark.both_kinds
async def test_two_processes_deliver_every_event_exactly_once(
    redis_url: str, services: Callable[..., Service], receiver: Receiver
) -> None:
    """Two instances on one Redis, or on a cluster (each given a different node)."""
    options = {"block": ["@spam.example"]}
    one = services("one", redis_url=redis_url, callback_url=receiver.url, **options)
    two = services(
        "two", redis_url=another_entry_point(redis_url), callback_url=receiver.url, **options
    )
    await _started(one, two)
    ids_one = await _comments(one.base, "p1", 100)
    ids_two = await _comments(two.base, "p2", 100)
    # blocked on arrival: auto_decided events, queued by intake in both processes
    blocked = [
        *await _comments(one.base, "b1", 10, author_email="a@spam.example"),
        *await _comments(two.base, "b2", 10, author_email="b@spam.example"),
    ]
    # two's comments decided through one in bulk, one's through two one by one, at once
    await asyncio.gather(
        _bulk(one.base, ids_two, "approve", token=ALICE),
        _singles(two.base, ids_one, "reject", token=BOB),
    )
    total = len(ids_one) + len(ids_two) + len(blocked)
    await receiver.wait_for(lambda r: len(_distinct_delivered(r)) == total, within=30)
    await _outbox_empty(redis_url)
    await asyncio.sleep(1.5)  # longer than a poll: a late duplicate would be here now

    delivered = receiver.delivered()
    counts = Counter(d.event_id for d in receiver.deliveries)
    assert len(counts) == total and set(counts.values()) == {1}  # each exactly once
    assert len(delivered) == len(receiver.deliveries) == total
    assert all(d.signed for d in receiver.deliveries)
    per_comment = _by_comment(delivered)
    assert set(per_comment) == {*ids_one, *ids_two, *blocked}
    assert all(len(types) == 1 for types in per_comment.values())
    assert {per_comment[i][0] for i in blocked} == {"comment.auto_decided"}
    assert {per_comment[i][0] for i in ids_one + ids_two} == {"comment.decided"}
    by_process: dict[str, int] = {}
    for name, service in (("one", one), ("two", two)):
        async with aiohttp.ClientSession() as session:
            async with session.get(service.base + "/metrics") as resp:
                text = await resp.text()
        by_process[name] = int(
            metric_value(
                text, "moderation_callback_deliveries_total", outcome="delivered", site="news"
            )
        )
    assert sum(by_process.values()) == total
    check_consistency(redis_url)

    on = "a Redis Cluster" if is_cluster(redis_url) else "one Redis"
    record(
        "callbacks_two_processes" + ("_cluster" if is_cluster(redis_url) else ""),
        {
            "faults": f"none: two moderation serve processes on {on}, one healthy CMS",
            "events": total,
            "decisions": len(ids_one) + len(ids_two),
            "auto_decided_on_arrival": len(blocked),
            **_tally(receiver),
            "delivered_by_process": by_process,
            "events_lost": total - len(_distinct_delivered(receiver)),
            "duplicates_without_faults": len(delivered) - len(_distinct_delivered(receiver)),
        },
    )


async def test_a_cms_down_for_a_while_gets_everything_afterwards(
    redis_server: RedisServer, services: Callable[..., Service], receiver: Receiver
) -> None:
    service = services(
        "svc", redis_url=redis_server.url, callback_url=receiver.url, callback_retry_seconds=0.1
    )
    await _started(service)
    early = await _comments(service.base, "up", 10)
    await _bulk(service.base, early, "approve")
    await receiver.wait_for(lambda r: len(r.delivered()) == 10)
    await _outbox_empty(redis_server.url)  # nothing in flight when the CMS goes

    await receiver.stop()  # connection refused from now on
    went_down = time.monotonic()
    later = await _comments(service.base, "down", 40)
    await _bulk(service.base, later[:20], "approve")
    await _singles(service.base, later[20:], "reject")
    await _singles(service.base, later[:5], "", token=ALICE, path="undo")  # behind the first

    async def failed_twice() -> bool:
        records = await asyncio.to_thread(callback_records, redis_server.url)
        return sum(1 for r in records.values() if int(r.get("attempts", 0)) >= 2) >= 40

    await wait_for(failed_twice, within=20, interval=0.1)
    await asyncio.sleep(max(0.0, went_down + CMS_DOWN_SECONDS - time.monotonic()))
    records = await asyncio.to_thread(callback_records, redis_server.url)
    assert len(records) == 45  # 40 decisions and 5 undos: none delivered, none dropped
    tried = [r for r in records.values() if r.get("attempts")]
    assert len(tried) == 40  # each undo waits for its decision, untried
    attempts_while_down = sum(int(r["attempts"]) for r in tried)
    errors = Counter(str(r["last_error"]).split(":")[0] for r in tried)
    assert set(errors) == {"ClientConnectorError"}, errors  # refused, not anything else
    pending = await _listing(service.base, "pending")
    assert pending["total"] == 45
    assert (await _listing(service.base, "dead"))["total"] == 0
    down_for = time.monotonic() - went_down

    await receiver.start()  # back on the same port
    await receiver.wait_for(lambda r: len(_distinct_delivered(r)) == 55, within=30)
    await _outbox_empty(redis_server.url)
    await asyncio.sleep(0.5)

    delivered = receiver.delivered()
    assert _distinct_delivered(receiver) - {d.event_id for d in delivered[:10]} == set(records)
    assert len(delivered) == len(receiver.deliveries) == 55  # exactly once each
    assert all(d.signed for d in receiver.deliveries)
    per_comment = _by_comment(delivered)
    for comment_id in later[:5]:
        assert per_comment[comment_id] == ["comment.decided", "comment.undone"]
    assert (await _listing(service.base, "dead"))["total"] == 0
    check_consistency(redis_server.url)

    record(
        "callbacks_cms_down",
        {
            "faults": "the CMS stopped (connection refused) for 4 s, over the decisions of 40 "
            "comments and 5 undos, then back on the same port; callback_retry_seconds 0.1, "
            "give-up 24 h",
            "events": 55,
            "cms_down_s": round(down_for, 2),
            "attempts_refused_while_down": attempts_while_down,
            "errors_while_down": dict(errors),
            **_tally(receiver),
            "redelivered_attempt_headers": sorted(
                Counter(d.attempt for d in delivered[10:]).items()
            ),
            "dead": 0,
            "events_lost": 55 - len(_distinct_delivered(receiver)),
            "duplicates_without_faults": len(delivered) - len(_distinct_delivered(receiver)),
        },
    )
