"""The store on the transport, against a real redis-server: every command it sends names
keys of one site only, grouped under that site (so each group is one Redis Cluster
slot), a batch of several sites still goes out in one round trip and comes back in the
callers' order, and a Redis that lost its scripts is sent them again."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

import pytest
from redis.asyncio import Redis, RedisCluster

from moderation.core.records import (
    Decision,
    Status,
    history_line,
    new_comment_id,
    now_ms,
    utc_day,
)
from moderation.storage import scripts
from moderation.storage.cluster_transport import ClusterTransport
from moderation.storage.store import CallbackState, NewComment, Order, Store
from moderation.storage.transport import Command, NotReplicated, Reply, Transport
from tests.support.local_cluster import LocalCluster
from tests.support.redis_kinds import is_cluster, sync_redis


class Recorder:
    """Wraps a store's transport: keeps each (site, command) it is given."""

    def __init__(self, transport: Transport | ClusterTransport) -> None:
        self.sent: list[tuple[str, Command]] = []
        self.round_trips = 0
        send, send_groups = transport.send, transport.send_groups
        read, read_groups = transport.read, transport.read_groups

        async def recording_send(tag: str, commands: Sequence[Command]) -> list[Reply]:
            self.round_trips += 1
            self.sent += [(tag, c) for c in commands]
            return await send(tag, commands)

        async def recording_groups(
            groups: Mapping[str, Sequence[Command]],
        ) -> dict[str, list[Reply]]:
            self.round_trips += 1
            self.sent += [(tag, c) for tag, commands in groups.items() for c in commands]
            return await send_groups(groups)

        async def recording_read(tag: str, commands: Sequence[Command]) -> list[Reply]:
            self.round_trips += 1
            self.sent += [(tag, c) for c in commands]
            return await read(tag, commands)

        async def recording_read_groups(
            groups: Mapping[str, Sequence[Command]],
        ) -> dict[str, list[Reply]]:
            self.round_trips += 1
            self.sent += [(tag, c) for tag, commands in groups.items() for c in commands]
            return await read_groups(groups)

        transport.send = recording_send  # type: ignore[method-assign]
        transport.send_groups = recording_groups  # type: ignore[method-assign]
        transport.read = recording_read  # type: ignore[method-assign]
        transport.read_groups = recording_read_groups  # type: ignore[method-assign]


def _keys_of(command: Command) -> list[str]:
    name = command[0]
    if name == "EVALSHA":
        count = int(command[2])
        return [str(k) for k in command[3 : 3 + count]]
    if name in ("SCRIPT", "MULTI", "EXEC"):
        return []
    # every other command the store sends has one key, first (ZREM, HDEL, HMGET, ...)
    return [str(command[1])]


@pytest.fixture
async def store(redis_url: str) -> AsyncIterator[Store]:
    client = Redis.from_url(redis_url, decode_responses=True)
    yield Store(client)
    await client.aclose()


def _comment(site: str, n: int, **overrides: Any) -> NewComment:
    at = now_ms() + n  # one ms apart: time order is creation order
    email = f"author{n}@example.org"
    fields: dict[str, Any] = {
        "site": site,
        "id": new_comment_id(site, at),
        "external_id": f"{site}-ext-{n}",
        "idempotency_key": f"key-{n}",
        "status": Status.PENDING,
        "spam_score": 0.25 + n / 100,
        "created_ms": at,
        "data": {"content": f"comment {n}", "author_email": email, "reasons": []},
        "history": history_line("created", f"site:{site}", at, status="pending"),
        "author_email": email,
        "trust_approved_authors": True,
        "trusted_history": history_line("approved", "auto", at),
        "text_fingerprint": f"{n:032x}",
        "repeat_window_seconds": 60,
        "request_fingerprint": f"{n:032x}",
    }
    fields.update(overrides)
    return NewComment(**fields)


async def test_every_command_stays_in_its_sites_slot(store: Store) -> None:
    for script in scripts.SCRIPTS:  # loaded already, as on a Redis that kept them
        await store.redis.script_load(script.source)
    recorder = Recorder(store._transport)
    batch = [_comment("news", 1), _comment("blog", 2), _comment("news", 3)]
    stored = await store.add_many(batch)
    # one round trip for the whole batch, and each result is its own comment's
    assert recorder.round_trips == 1
    assert [s.id for s in stored if not isinstance(s, BaseException)] == [c.id for c in batch]
    again = await store.add_many([batch[1]])  # a retry: the same id, nothing new
    assert not isinstance(again[0], BaseException) and again[0].duplicate

    page = await store.page("news", order=Order.OLDEST)
    assert [r.id for r in page.records] == [batch[0].id, batch[2].id]
    claimed = await store.claim("news", "alice", limit=5, lease_seconds=60, order=Order.SCORE)
    assert {r.id for r in claimed} == {batch[0].id, batch[2].id}
    assert (await store.release(batch[2].id, "alice")).kind == "ok"
    outcomes = await store.decide_many(
        [(batch[0].id, Decision.SPAM, ""), (batch[1].id, Decision.APPROVE, "fine")], "alice"
    )
    assert [o.kind for o in outcomes] == ["ok", "ok"]
    assert (await store.undo(batch[1].id, "alice")).kind == "ok"
    assert await store.take_tokens("news", [("site", 10.0, 5), ("ip:192.0.2.1", 1.0, 2)]) == (
        0.0,
        -1,
    )
    assert await store.erase_comment("blog", batch[1].id, "test")
    assert await store.erase_author("news", "author3@example.org", "test") == 1
    labelled = [r.id async for page_ in store.records_in("news", Status.SPAM) for r in page_]
    assert labelled == [batch[0].id]
    assert await store.purge_spam_before("news", now_ms() + 60_000) == 1
    # the reads, too
    assert await store.id_for_external("news", "nobody") is None
    assert (await store.counts("news"))["spam"] == 0
    assert await store.oldest_pending_ms("news") == batch[2].created_ms
    assert await store.decisions_on("news", utc_day(now_ms())) == {"alice": 1}
    assert await store.label_counts("news") == {"ham": 0, "spam": 1, "new": 1}
    assert [spam for _, spam, _ in await store.labelled("news")] == [True]
    assert await store.site_models("news") == (None, [])
    assert (await store.model_snapshot("news"))["labels"]["spam"] == 1
    assert await store.retrains("news") == await store.cms_labels("news") == []
    assert await store.akismet_corrections("news") == {"missed_spam": 0, "false_positives": 0}
    assert await store.akismet_calls("news", "2025-01") == 0
    assert await store.list_callbacks("news", CallbackState.DEAD, 10) == ([], 0)
    assert await store.callback_backlog("news") == (0, None)
    assert await store.redeliver_callbacks("news", None) == []

    assert recorder.sent
    for site, command in recorder.sent:
        for key in _keys_of(command):
            assert key.startswith(f"mod:{{{site}}}:"), (site, command[:3], key)


async def test_scripts_lost_by_redis_are_sent_again(store: Store) -> None:
    recorder = Recorder(store._transport)
    await store.redis.script_flush()
    batch = [_comment("news", 1), _comment("blog", 2)]
    stored = await store.add_many(batch)
    assert all(not isinstance(s, BaseException) and not s.duplicate for s in stored)
    loads = [(site, c[:2]) for site, c in recorder.sent if c[0] == "SCRIPT"]
    assert loads == [("news", ("SCRIPT", "LOAD")), ("blog", ("SCRIPT", "LOAD"))]
    # the refused calls were sent once more, and only they
    assert [c[0] for _, c in recorder.sent].count("EVALSHA") == 4
    await store.redis.script_flush()
    assert (await store.decide(batch[0].id, "alice", Decision.APPROVE, "")).kind == "ok"


async def test_on_a_cluster_a_lost_script_is_loaded_on_every_master(
    redis_cluster: LocalCluster,
) -> None:
    """A NOSCRIPT on a cluster may come from a node the client's slot map does not show
    as the slot's owner: the target of a slot move, reached through ``ASK`` after it
    took the slot (a live move answered 11 of 900 comments 500 that way: the script was
    loaded on the source, and the target refused it again).  So the store loads it on
    every master, and a slot that moves next finds it already there."""
    with sync_redis(redis_cluster.url) as flushing:
        flushing.flushall()
    for master in redis_cluster.masters():
        master.command("SCRIPT", "FLUSH")
    client = RedisCluster.from_url(redis_cluster.url, decode_responses=True)
    try:
        store = Store(client)
        [stored] = await store.add_many([_comment("news", 1)])
        assert not isinstance(stored, BaseException) and not stored.duplicate
    finally:
        await client.aclose()
    for master in redis_cluster.masters():
        with master.client() as direct:
            assert direct.script_exists(scripts.INTAKE.sha) == [True], master


@pytest.mark.both_kinds
async def test_reads_do_not_wait_for_replicas(redis_url: str) -> None:
    """With ``ack_replicas`` one more than any master has, every write waits for a
    replica in vain (503), while reads, read-only scripts included, answer at once."""
    cluster = is_cluster(redis_url)
    client: Redis | RedisCluster = (
        RedisCluster.from_url(redis_url, decode_responses=True)
        if cluster
        else Redis.from_url(redis_url, decode_responses=True)
    )
    try:
        [stored] = await Store(client).add_many([_comment("news", 1)])
        assert not isinstance(stored, BaseException)
        waiting = Store(client, ack_replicas=2 if cluster else 1, ack_timeout_ms=50)
        record = await waiting.get(stored.id)
        assert record is not None and record.status == Status.PENDING
        assert [r.id for r in (await waiting.page("news")).records] == [stored.id]
        assert (await waiting.counts("news"))["pending"] == 1
        assert (await waiting.model_snapshot("news"))["current"] is None
        assert await waiting.id_for_external("news", "news-ext-1") == stored.id
        with pytest.raises(NotReplicated):
            await waiting.decide(stored.id, "alice", Decision.APPROVE, "")
    finally:
        await client.aclose()


async def test_a_filtered_claim_past_comments_others_hold(store: Store) -> None:
    """Every candidate held by someone else: nothing to check the scores of, nothing
    claimed (not a ZMSCORE without members)."""
    batch = [_comment("news", n) for n in range(3)]
    await store.add_many(batch)
    held = await store.claim("news", "alice", limit=10, lease_seconds=60, order=Order.OLDEST)
    assert len(held) == 3
    got = await store.claim(
        "news", "bob", limit=2, lease_seconds=60, order=Order.OLDEST, min_score=0.0
    )
    assert got == []
