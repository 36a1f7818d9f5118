"""Redis Cluster under faults, with real processes: a six-node cluster (three masters,
three replicas) and two ``moderation serve`` instances on it, a steady stream of
comments through both, and then a master SIGKILLed or a site's slot moved to another
master while the comments keep coming.

What must hold with ``ack_replicas = 1``: every comment answered 2xx is stored (the
replica that takes over has it); the outage is answered 503 with Retry-After, never a
500 and never a hang; both instances are ready again without a restart.  With the
default ``ack_replicas = 0`` the same fault is measured, not asserted: what it loses is
the cost of trusting the master alone.  Figures go to test-artifacts/reliability/
(RELIABILITY.md)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import aiohttp
import pytest

from moderation.storage.cluster_transport import tag_slot
from tests.conftest import ALICE, BOB, ROOT
from tests.support.faultkit import (
    Load,
    Service,
    comment,
    get_json,
    percentile,
    readyz_status,
    record,
    stored_external_ids,
    stream,
    wait_for,
)
from tests.support.local_cluster import LocalCluster, LocalClusterError
from tests.support.redis_kinds import CLUSTER_URLS, sync_redis

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

NEWS_SLOT = tag_slot("news")
ROUNDS = 5  # failovers with ack_replicas = 1 (the issue asks for at least five)
REDIS_TIMEOUT = 1.0
_ids = itertools.count()


@dataclass
class Deployment:
    cluster: LocalCluster
    safe: list[Service]  # ack_replicas = 1
    fast: list[Service]  # ack_replicas = 0


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp("cluster-faults")
    cluster = LocalCluster(root / "cluster")
    try:
        cluster.start()
    except LocalClusterError as exc:
        pytest.skip(f"cannot start a Redis Cluster here: {exc}")
    CLUSTER_URLS.add(cluster.url)
    # the two instances of a pair name different nodes: any node is an entry point
    urls = [f"redis://127.0.0.1:{node.port}" for node in cluster.nodes[:2]]
    CLUSTER_URLS.update(urls)
    services = {
        ack: [
            Service(root / f"svc-{ack}-{i}", redis_url=url, timeout=REDIS_TIMEOUT, ack_replicas=ack)
            for i, url in enumerate(urls)
        ]
        for ack in (1, 0)
    }
    try:
        for service in (*services[1], *services[0]):
            service.start()
        for service in (*services[1], *services[0]):
            service.wait_ready_sync(within=90)
        yield Deployment(cluster, services[1], services[0])
    finally:
        for service in (*services[1], *services[0]):
            service.stop()
        cluster.stop()


def _causes(services: Sequence[Service]) -> dict[str, int]:
    """Both instances' 503s by the Redis error behind them."""
    causes: dict[str, int] = {}
    for service in services:
        for error, count in service.unavailable_causes().items():
            causes[error] = causes.get(error, 0) + count
    return causes


def _bodies(label: str, count: int) -> list[dict[str, object]]:
    return [comment(f"{label}-{next(_ids)}", n) for n in range(count)]


async def _through_both(
    services: list[Service],
    bodies: list[dict[str, object]],
    load: Load,
    seconds: float,
    stop: asyncio.Event | None = None,
) -> None:
    """Post ``bodies`` for at most ``seconds`` (or until ``stop`` is set), half through
    each instance."""
    await asyncio.gather(
        *(
            stream(
                service.base,
                bodies[i :: len(services)],
                concurrency=6,
                load=load,
                pace=0.03,
                stop_after=seconds,
                request_timeout=15,
                stop=stop,
            )
            for i, service in enumerate(services)
        )
    )


async def _acked_at_least(load: Load, count: int) -> None:
    async def enough() -> bool:
        return len(load.acked) >= count

    await wait_for(enough, within=30, interval=0.01)


async def _all_ready(services: list[Service], within: float = 30) -> float:
    async def ready() -> bool:
        return all([await readyz_status(s.base) == 200 for s in services])

    return await wait_for(ready, within=within, interval=0.1)


async def _fail_over(
    deployment: Deployment, services: list[Service], label: str
) -> dict[str, object]:
    """Kill the master of the news site's slot under load, let its replica take over,
    bring the old master back (as the new master's replica).  Returns the figures."""
    cluster = deployment.cluster
    await _all_ready(services)
    load = Load()
    bodies = _bodies(label, 8000)  # more than the posting takes: the stream outlasts it
    # Posting goes on until 2 s after the old master is back (at most 30 s): how long the
    # restart takes depends on the machine's load (7-9 s seen), and intake must be seen
    # taking comments again after it.
    stop = asyncio.Event()
    posting = asyncio.create_task(_through_both(services, bodies, load, seconds=30, stop=stop))
    await _acked_at_least(load, 60)
    acked_before = len(load.acked)
    killed_at = time.monotonic()
    old = await asyncio.to_thread(cluster.kill_master_of_slot, NEWS_SLOT)
    new = await asyncio.to_thread(cluster.wait_for_failover, NEWS_SLOT, old)
    failover_s = time.monotonic() - killed_at
    await asyncio.to_thread(cluster.restart, old)  # as a supervisor would
    replica_back_s = time.monotonic() - killed_at
    await asyncio.sleep(2)
    stop.set()
    await posting
    recovered_at = time.monotonic()
    ready_s = await _all_ready(services)
    stored = await asyncio.to_thread(stored_external_ids, cluster.url)
    lost = sorted(load.acked - stored.keys())
    unavailable = load.with_status(503)
    acked_after_recovery = sum(
        1 for o in load.outcomes if o.acked and o.started > killed_at + replica_back_s
    )
    # what the CMS does next: every comment answered 503 is sent again, same id
    by_id = {str(b["id"]): b for b in bodies}
    retry = Load()
    await _through_both(services, [by_id[o.external_id] for o in unavailable], retry, 60)
    retried_s = time.monotonic() - recovered_at
    return {
        "load": load,
        "retry": retry,
        "lost": lost,
        "figures": {
            "posted": len(load.outcomes),
            "acked": len(load.acked),
            "acked_before_kill": acked_before,
            "acked_after_the_old_master_rejoined": acked_after_recovery,
            "retried_503s": len(retry.outcomes),
            "retried_503s_acked": len(retry.acked),
            "retried_503s_s": round(retried_s, 2),
            "lost_acked": len(lost),
            "answered_503": len(unavailable),
            "503_without_retry_after": sum(1 for o in unavailable if not o.retry_after),
            "server_errors_other_than_503": len(load.server_errors()),
            "no_answer": len(load.unanswered),
            "still_in_flight": len(load.in_flight),
            "statuses": load.statuses(),
            "p99_latency_s": round(percentile([o.elapsed for o in load.outcomes], 0.99), 3),
            "max_latency_s": round(max(o.elapsed for o in load.outcomes), 3),
            "failover_s": round(failover_s, 2),
            "old_master_back_as_replica_s": round(replica_back_s, 2),
            "ready_again_after_load_s": round(ready_s, 2),
            "killed_port": old.port,
            "new_master_port": new.port,
        },
    }


@pytest.mark.parametrize("round_", range(1, ROUNDS + 1))
async def test_a_master_killed_under_load_loses_no_acknowledged_comment(
    deployment: Deployment, round_: int
) -> None:
    result = await _fail_over(deployment, deployment.safe, f"safe{round_}")
    figures = result["figures"]
    assert isinstance(figures, dict)
    record(
        f"cluster_failover_ack1_round{round_}",
        {
            "faults": "SIGKILL of the master serving the news site's slot while comments "
            "are posted through two instances; its replica takes over; the old master is "
            "started again and rejoins as a replica",
            "ack_replicas": 1,
            **figures,
        },
    )
    assert result["lost"] == [], f"acknowledged comments lost: {result['lost']}"
    assert figures["server_errors_other_than_503"] == 0, figures["statuses"]
    assert figures["no_answer"] == 0 and figures["still_in_flight"] == 0, figures["statuses"]
    assert figures["503_without_retry_after"] == 0
    assert figures["acked_after_the_old_master_rejoined"] > 0  # intake came back under load
    # every comment the outage refused is taken on its retry, once
    assert figures["retried_503s_acked"] == figures["retried_503s"]
    retry = result["retry"]
    assert isinstance(retry, Load)
    stored = await asyncio.to_thread(stored_external_ids, deployment.cluster.url)
    assert retry.acked <= stored.keys()


async def test_what_the_default_ack_replicas_0_costs_on_a_failover(
    deployment: Deployment,
) -> None:
    result = await _fail_over(deployment, deployment.fast, "fast")
    figures = result["figures"]
    assert isinstance(figures, dict)
    record(
        "cluster_failover_ack0",
        {
            "faults": "as cluster_failover_ack1, with ack_replicas = 0 (the default): a "
            "write is acknowledged once the master has it, before its replica does",
            "ack_replicas": 0,
            **figures,
        },
    )
    # measured, not asserted: a loss here is the documented price of ack_replicas = 0;
    # but the outage is still 503s, never a 500 or a hang
    assert figures["server_errors_other_than_503"] == 0, figures["statuses"]
    assert figures["no_answer"] == 0 and figures["still_in_flight"] == 0, figures["statuses"]


async def test_a_sites_slot_moved_to_another_master_while_it_takes_comments(
    deployment: Deployment,
) -> None:
    cluster = deployment.cluster
    services = deployment.safe
    await _all_ready(services)
    load = Load()
    bodies = _bodies("moved", 900)
    posting = asyncio.create_task(_through_both(services, bodies, load, seconds=6))
    await _acked_at_least(load, 60)
    source = await asyncio.to_thread(cluster.node_for_slot, NEWS_SLOT)
    target = next(m for m in await asyncio.to_thread(cluster.masters) if m is not source)
    started = time.monotonic()
    await asyncio.to_thread(cluster.reshard, NEWS_SLOT, target)
    moved_s = time.monotonic() - started
    acked_at_move = len(load.acked)
    await posting
    assert (await asyncio.to_thread(cluster.node_for_slot, NEWS_SLOT)) is target
    stored = await asyncio.to_thread(stored_external_ids, cluster.url)
    lost = sorted(load.acked - stored.keys())
    # the moderators' counts (read through redis-py's own cluster client) have them all
    status, stats = await get_json(services[1].base, "/v1/stats?site=news", ROOT)
    figures = {
        "posted": len(load.outcomes),
        "acked": len(load.acked),
        "acked_when_the_move_ended": acked_at_move,
        "lost_acked": len(lost),
        "statuses": load.statuses(),
        "move_s": round(moved_s, 3),
        "max_latency_s": round(max(o.elapsed for o in load.outcomes), 3),
        "causes_of_503": _causes(services),
    }
    record("cluster_slot_moved", {"faults": "the news site's slot moved live", **figures})
    assert lost == []
    # no 500 and no hang.  A 503 with Retry-After is tolerated (once in CI, 6 of 900,
    # cause unrecorded then; causes_of_503 says now): the 1 s Redis timeout these
    # instances run with can be exceeded on a loaded machine; the CMS's retry takes them
    assert load.server_errors() == [] and load.unanswered == [], load.statuses()
    assert all(o.retry_after for o in load.with_status(503))
    by_id = {str(b["id"]): b for b in bodies}
    retry = Load()
    await _through_both(services, [by_id[o.external_id] for o in load.with_status(503)], retry, 30)
    assert len(retry.acked) == len(retry.outcomes)
    assert status == 200 and sum(stats["counts"].values()) == len(stored), stats


async def _work_the_queue(base: str, token: str, taken: list[str]) -> None:
    """A moderator at one instance: claim 8, decide them, claim again, until none is
    left; every id claimed goes into ``taken``."""
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as session:
        while True:
            async with session.post(
                base + "/v1/queue/claim",
                json={"site": "news", "limit": 8, "lease_seconds": 60, "order": "oldest"},
            ) as resp:
                assert resp.status == 200, await resp.text()
                ids = [item["id"] for item in (await resp.json())["items"]]
            if not ids:
                return
            taken.extend(ids)
            for comment_id in ids:
                async with session.post(
                    f"{base}/v1/comments/{comment_id}/decision", json={"decision": "approve"}
                ) as resp:
                    assert resp.status == 200, await resp.text()  # 409: someone else's


async def test_two_instances_on_the_cluster_are_one_queue_and_claims_never_overlap(
    deployment: Deployment,
) -> None:
    """A comment posted to either instance is in both instances' queue, and two
    moderators working it at once through different instances (each entering the
    cluster at its own node) never claim the same comment."""
    with sync_redis(deployment.cluster.url) as client:
        client.flushall()  # the failover rounds' comments are not this test's
    services = deployment.fast
    await _all_ready(services)
    load = Load()
    await _through_both(services, _bodies("queue", 120), load, seconds=30)
    assert len(load.acked) == 120, load.statuses()
    for service in services:
        status, stats = await get_json(service.base, "/v1/stats?site=news", ROOT)
        assert status == 200 and stats["counts"]["pending"] == 120, stats
    by_alice: list[str] = []
    by_bob: list[str] = []
    await asyncio.gather(
        _work_the_queue(services[0].base, ALICE, by_alice),
        _work_the_queue(services[1].base, BOB, by_bob),
    )
    assert not set(by_alice) & set(by_bob)
    assert len(by_alice) + len(by_bob) == len(set(by_alice) | set(by_bob)) == 120
    assert by_alice and by_bob  # both worked it
    for service in services:
        _, stats = await get_json(service.base, "/v1/stats?site=news", ROOT)
        assert stats["counts"]["pending"] == 0 and stats["counts"]["approved"] == 120, stats
