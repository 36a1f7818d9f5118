"""The local Redis Cluster the cluster tests and benchmarks stand on: six real
redis-server processes that serve keys on every master, keep a write acknowledged by
``WAIT 1`` through the SIGKILL of its master, take the old master back as a replica,
and move a chosen slot while a client keeps writing to it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.cluster import RedisCluster

from tests.support.local_cluster import (
    LocalCluster,
    LocalClusterError,
    find_cli,
    parse_cluster_nodes,
    slot_of,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[LocalCluster]:
    try:
        find_cli()
    except LocalClusterError as exc:
        pytest.skip(str(exc))
    local = LocalCluster(tmp_path / "cluster")
    try:
        local.start()
        yield local
    finally:
        local.stop()


def test_slot_of_follows_hash_tags() -> None:
    assert slot_of("foo") == 12182  # the value in the Redis Cluster specification
    assert slot_of("{user1000}.following") == slot_of("{user1000}.followers")
    assert slot_of("{}x") != slot_of("{}y")  # an empty tag is no tag


def test_parse_cluster_nodes_skips_migrations_in_flight() -> None:
    text = (
        "a1 127.0.0.1:30001@40001 myself,master - 0 0 1 connected 0-5460 [7->-b2]\n"
        "b2 127.0.0.1:30002@40002 slave,fail a1 0 0 1 disconnected\n"
    )
    master, replica = parse_cluster_nodes(text)
    assert (master.port, master.is_master, master.slots) == (30001, True, ((0, 5460),))
    assert master.serves(5460) and not master.serves(7000)
    assert (replica.master_id, replica.failing, replica.connected) == ("a1", True, False)


def test_every_master_serves_keys(cluster: LocalCluster) -> None:
    masters = cluster.masters()
    assert len(masters) == 3 and len(cluster.nodes) == 6
    assert all(len(cluster.replicas_of(m)) == 1 for m in masters)
    assert all(cluster.cluster_info(n)["cluster_state"] == "ok" for n in cluster.nodes)

    # One key per master: the first names whose slots land on each.
    views = [v for v in cluster.view(cluster.nodes[0]) if v.is_master]
    keys: dict[int, str] = {}
    for i in range(1000):
        owner = next(v for v in views if v.serves(slot_of(f"key-{i}")))
        keys.setdefault(owner.port, f"key-{i}")
    assert set(keys) == {m.port for m in masters}

    with RedisCluster.from_url(cluster.url, decode_responses=True) as client:
        for port, key in keys.items():
            assert client.set(key, f"on {port}")
        for port, key in keys.items():
            assert client.get(key) == f"on {port}"
    for master in masters:  # each key really lives on its own master
        with master.client() as direct:
            assert direct.get(keys[master.port]) == f"on {master.port}"
            assert direct.dbsize() == 1


def test_acknowledged_write_survives_master_crash(cluster: LocalCluster) -> None:
    key = "{failover}:comment"
    slot = slot_of(key)
    master = cluster.node_for_slot(slot)
    (replica,) = cluster.replicas_of(master)
    with master.client(single_connection=True) as direct:
        direct.set(key, "kept")
        assert direct.wait(1, 1000) == 1  # the replica has it: the write is acknowledged

    old = cluster.kill_master_of_slot(slot)
    assert old is master and not old.running
    started = time.monotonic()
    new = cluster.wait_for_failover(slot, old)
    assert new is replica and cluster.node_for_slot(slot) is new
    assert time.monotonic() - started < 15  # node timeout 1 s: an election in seconds
    with new.client() as direct:
        assert direct.get(key) == "kept"

    cluster.restart(old)
    assert old.running and cluster.replicas_of(new) == [old]
    assert old.replication()["master_link_status"] == "up"
    with RedisCluster.from_url(cluster.url, decode_responses=True) as client:
        assert client.get(key) == "kept"


def test_reshard_a_chosen_slot_while_a_client_writes(cluster: LocalCluster) -> None:
    tag = "{reshard}"
    slot = slot_of(tag)
    source = cluster.node_for_slot(slot)
    target = next(m for m in cluster.masters() if m is not source)
    written: list[str] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def write() -> None:
        # RedisCluster follows MOVED and ASK itself: the writer never learns of the move.
        try:
            with RedisCluster.from_url(cluster.url, decode_responses=True) as client:
                i = 0
                while not stop.is_set():
                    key = f"{tag}:{i}"
                    client.set(key, str(i))
                    written.append(key)  # only once acknowledged
                    i += 1
        except BaseException as exc:
            errors.append(exc)

    writer = threading.Thread(target=write, name="cluster-writer")
    writer.start()
    try:
        deadline = time.monotonic() + 10
        while len(written) < 300 and not errors and time.monotonic() < deadline:
            time.sleep(0.01)  # keys enough that they move in several MIGRATE batches
        before = len(written)
        cluster.reshard(slot, target)
        after_move = len(written)
        time.sleep(0.3)  # and writes go on, now straight to the target
    finally:
        stop.set()
        writer.join(10)
    assert not errors, errors
    # writes went on during the move (new keys sent by ASK to the target) and after it
    assert before >= 300 and before < after_move < len(written)

    assert cluster.node_for_slot(slot) is target
    with source.client() as direct:
        assert direct.execute_command("CLUSTER", "COUNTKEYSINSLOT", slot) == 0
    with target.client() as direct:
        assert direct.execute_command("CLUSTER", "COUNTKEYSINSLOT", slot) == len(written)
        values = direct.mget(written)
    assert values == [key.rsplit(":", 1)[1] for key in written]
    for node in cluster.live_nodes():  # every node, replicas too, sends clients there
        owners = [v.port for v in cluster.view(node) if v.is_master and v.serves(slot)]
        assert owners == [target.port]


def test_stop_is_idempotent_and_keeps_the_logs(tmp_path: Path) -> None:
    try:
        find_cli()
    except LocalClusterError as exc:
        pytest.skip(str(exc))
    with LocalCluster(tmp_path) as local:
        nodes = list(local.nodes)
    local.stop()
    assert not any(node.running for node in nodes)
    for node in nodes:
        assert (node.directory / "nodes.conf").exists()
        assert "Cluster state changed: ok" in (node.directory / "redis.log").read_text()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", nodes[0].port), timeout=1).close()
