"""The store's wire to a Redis Cluster: each hash tag's commands to the node serving its
slot, one write per node, the nodes in parallel.

Everything :mod:`moderation.storage.transport` promises for one Redis holds per node
(the same packing, one deadline per batch, a reply per command, a connection closed on
trouble, ``WAIT`` for ``ack_replicas`` on the connection that wrote, and none after a
read).  On top:

- **Routing.**  A group's tag is a hash tag (a site's id; a key without braces is its
  own tag), so the group's slot is ``key_slot("{tag}")`` and its node the master redis-py's
  ``RedisCluster`` maps that slot to.  Groups of one node share its write.
- **Redirects.**  A command answered ``MOVED`` ran nowhere: the slot map is read again
  and the command sent to the new owner.  ``ASK`` (the slot is being migrated and the
  keys are already on the target) sends it to the target behind ``ASKING``; ``TRYAGAIN``
  (a multi-key call whose keys are split by a migration in progress) and
  ``CLUSTERDOWN`` (a failover in progress) are tried again after a short pause.  Only
  the redirected commands are sent again; the others' replies stand.  After
  :data:`REDIRECT_BUDGET_SECONDS` the redirect error is that command's reply (503).
- **Failover.**  A node that cannot be reached raises (the request answers 503 and the
  CMS retries, idempotently) and marks the slot map stale: the next batch reads it
  again first, so once a replica has taken over, batches go to it without a restart.

It relies on redis-py's ``RedisCluster.nodes_manager`` (``get_node_from_slot``,
``get_node``, ``initialize``, ``nodes_cache``) and ``ClusterNode.acquire_connection`` /
``release``, as its own pipeline does.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Mapping, Sequence
from typing import Any

from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.crc import key_slot
from redis.exceptions import (
    AskError,
    ClusterDownError,
    MovedError,
    RedisClusterException,
    TryAgainError,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from moderation.storage.transport import NO_ACK, Ack, Command, Reply, _check_encoding, exchange

# A slot being migrated refuses a multi-key call whose keys are split between its two
# nodes (TRYAGAIN) until the move ends: a site's intake waits through it (a move of one
# slot took 0.1-1.3 s under load here) rather than answer 503.
REDIRECT_BUDGET_SECONDS = 5.0
REDIRECTS = 200  # and at most this many rounds of MOVED/ASK/TRYAGAIN
RETRY_PAUSE_SECONDS = 0.005  # before a TRYAGAIN or CLUSTERDOWN is tried again (doubling)
MAX_RETRY_PAUSE_SECONDS = 0.1
REFRESH_AT_MOST_EVERY_SECONDS = 0.25  # a stampede of failing batches reads the map once
SLOTS = 16384

# A command to send: (its group's tag, its index in the group, the node to send it to
# behind ASKING, or None for the slot's master).
_Item = tuple[str, int, ClusterNode | None]


class ClusterUnavailable(RedisConnectionError):
    """The cluster cannot serve the call now (no node for its slot, or none reachable)."""


@functools.lru_cache(maxsize=4096)
def tag_slot(tag: str) -> int:
    """The cluster slot of hash tag ``tag``: where every key ``...{tag}...`` lives."""
    return int(key_slot(b"{" + tag.encode() + b"}"))


class ClusterTransport:
    """Batches of commands to a Redis Cluster, over the nodes of a redis-py
    ``RedisCluster`` client (behind the same methods as the one-Redis ``Transport``)."""

    def __init__(
        self, cluster: RedisCluster, ack_replicas: int = 0, ack_timeout_ms: int = 1000
    ) -> None:
        kwargs = cluster.get_connection_kwargs()
        _check_encoding(
            str(kwargs.get("encoding") or "utf-8"), str(kwargs.get("encoding_errors") or "strict")
        )
        self._cluster = cluster
        self._ack = Ack(ack_replicas, ack_timeout_ms)
        self._stale = True  # the client has not read the slot map yet
        self._client_initialised = False
        self._refreshed_at = 0.0
        self._refreshing = asyncio.Lock()

    async def send(self, tag: str, commands: Sequence[Command]) -> list[Reply]:
        """Run ``commands`` (keys of hash tag ``tag`` only) in one round trip to the
        node serving that tag; a reply per command, each an error of its own."""
        return (await self._run({tag: commands}, self._ack))[tag]

    async def read(self, tag: str, commands: Sequence[Command]) -> list[Reply]:
        """As :meth:`send`, for commands that write nothing: no ``WAIT`` after them."""
        return (await self._run({tag: commands}, NO_ACK))[tag]

    async def send_groups(self, groups: Mapping[str, Sequence[Command]]) -> dict[str, list[Reply]]:
        """Run each hash tag's commands, one write per node, the nodes in parallel."""
        return await self._run(groups, self._ack)

    async def read_groups(self, groups: Mapping[str, Sequence[Command]]) -> dict[str, list[Reply]]:
        """As :meth:`send_groups`, for commands that write nothing: no ``WAIT``."""
        return await self._run(groups, NO_ACK)

    async def _run(
        self, groups: Mapping[str, Sequence[Command]], ack: Ack
    ) -> dict[str, list[Reply]]:
        out: dict[str, list[Reply]] = {tag: [None] * len(cmds) for tag, cmds in groups.items()}
        items: list[_Item] = [
            (tag, i, None) for tag, cmds in groups.items() for i in range(len(cmds))
        ]
        pause = RETRY_PAUSE_SECONDS
        give_up = time.monotonic() + REDIRECT_BUDGET_SECONDS
        for _ in range(REDIRECTS):
            if not items:
                break
            if self._stale:
                await self.refresh()
            last = time.monotonic() >= give_up  # out of time: a redirect is the answer
            again: list[_Item] = []
            moved: MovedError | None = None
            waiting = False  # a TRYAGAIN or CLUSTERDOWN: only time helps
            for item, reply in await self._send_items(groups, items, ack):
                tag, index, _ = item
                out[tag][index] = reply
                if last:
                    continue
                if isinstance(reply, MovedError):  # (a subclass of AskError)
                    moved = reply
                    again.append((tag, index, None))
                elif isinstance(reply, AskError):
                    target = self._node(reply.host, reply.port)
                    again.append((tag, index, target))
                    waiting = waiting or target is None
                elif isinstance(reply, TryAgainError | ClusterDownError):
                    again.append((tag, index, None))
                    waiting = True
            items = again
            if moved is not None:
                await self.refresh(moved)
            if waiting:
                await asyncio.sleep(pause)
                pause = min(pause * 2, MAX_RETRY_PAUSE_SECONDS)
        return out

    async def _send_items(
        self, groups: Mapping[str, Sequence[Command]], items: list[_Item], ack: Ack
    ) -> list[tuple[_Item, Reply]]:
        by_node: dict[ClusterNode, list[_Item]] = {}
        for item in items:
            node = item[2] or self._master_of(item[0])
            by_node.setdefault(node, []).append(item)
        nodes = list(by_node)
        results = await asyncio.gather(
            *(self._node_trip(node, groups, by_node[node], ack) for node in nodes),
            return_exceptions=True,
        )
        paired: list[tuple[_Item, Reply]] = []
        for node, result in zip(nodes, results, strict=True):
            if isinstance(result, BaseException):
                if isinstance(result, RedisConnectionError | RedisTimeoutError | OSError):
                    self._stale = True  # the node may be gone: read the map again
                raise result
            paired.extend(zip(by_node[node], result, strict=True))
        return paired

    async def _node_trip(
        self,
        node: ClusterNode,
        groups: Mapping[str, Sequence[Command]],
        items: list[_Item],
        ack: Ack,
    ) -> list[Reply]:
        commands: list[Command] = []
        asking = [item[2] is not None for item in items]
        for (tag, index, _), ask in zip(items, asking, strict=True):
            if ask:
                commands.append(("ASKING",))
            commands.append(groups[tag][index])
        conn = node.acquire_connection()
        try:
            replies = await exchange(conn, commands, ack)
        finally:
            node.release(conn)
        if not any(asking):
            return replies
        out: list[Reply] = []
        position = 0
        for ask in asking:
            position += ask  # skip ASKING's OK
            out.append(replies[position])
            position += 1
        return out

    def _master_of(self, tag: str) -> ClusterNode:
        try:
            node: ClusterNode = self._cluster.nodes_manager.get_node_from_slot(tag_slot(tag))
        except (RedisClusterException, KeyError) as exc:  # no node serves the slot
            self._stale = True
            raise ClusterUnavailable(str(exc)) from exc
        return node

    def _node(self, host: str, port: int) -> ClusterNode | None:
        manager = self._cluster.nodes_manager
        node: ClusterNode | None = manager.get_node(host=host, port=port)
        if node is None:
            self._stale = True  # a node the map does not know yet
        return node

    async def refresh(self, moved: MovedError | None = None) -> None:
        """Read the slot map again: at most every few hundred ms however many batches
        ask, except after a ``MOVED`` the map does not show yet."""
        async with self._refreshing:
            if moved is not None:
                try:
                    owner = self._cluster.nodes_manager.get_node_from_slot(moved.slot_id)
                except (RedisClusterException, KeyError):
                    owner = None
                if owner is not None and owner.name == f"{moved.host}:{moved.port}":
                    return  # another batch has read the map since
            elif time.monotonic() - self._refreshed_at < REFRESH_AT_MOST_EVERY_SECONDS:
                return
            self._refreshed_at = time.monotonic()
            try:
                if self._client_initialised:
                    await self._cluster.nodes_manager.initialize()
                else:
                    # the client's own first read of the map: only a client initialised
                    # that way closes its nodes' connections in aclose()
                    await self._cluster.initialize()
                    self._client_initialised = True
            except RedisClusterException as exc:  # no node answered
                raise ClusterUnavailable(str(exc)) from exc
            self._stale = False

    async def check_ready(self, ack_replicas: int) -> None:
        """Raise unless the cluster can serve every slot now: each master answers and
        says the cluster is ok (and has ``ack_replicas`` replicas), and the slot map
        gives every slot a master."""
        answers = await self.on_each_master(("CLUSTER", "INFO"), ("INFO", "replication"))
        for name, (info, replication) in answers.items():
            for text in (info, replication):
                if isinstance(text, BaseException):
                    raise text
            if "cluster_state:ok" not in str(info):
                self._stale = True
                raise ClusterUnavailable(f"node {name} says the cluster is not ok")
            check_replicas(replication, ack_replicas, f"node {name}")
        slots = self._cluster.nodes_manager.slots_cache
        if len(slots) < SLOTS or not all(slots.get(slot) for slot in range(SLOTS)):
            self._stale = True
            raise ClusterUnavailable("some slots have no master")

    def masters(self) -> list[ClusterNode]:
        """The masters the slot map knows."""
        return [
            node
            for node in self._cluster.nodes_manager.nodes_cache.values()
            if node.server_type == "primary"
        ]

    async def on_each_master(self, *commands: Command) -> dict[str, list[Reply]]:
        """``commands`` on every master (one round trip each, in parallel): each node's
        name -> its replies."""
        if self._stale:
            await self.refresh()
        nodes = self.masters()
        results: list[Any] = await asyncio.gather(
            *(self._on_node(node, commands) for node in nodes), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                self._stale = True
                raise result
        return {node.name: replies for node, replies in zip(nodes, results, strict=True)}

    async def _on_node(self, node: ClusterNode, commands: Sequence[Command]) -> list[Reply]:
        conn = node.acquire_connection()
        try:
            return await exchange(conn, commands, NO_ACK)
        finally:
            node.release(conn)


def check_replicas(info: object, wanted: int, where: str) -> None:
    """Raise unless ``INFO replication``'s text shows at least ``wanted`` replicas
    connected: with fewer, every write would wait for WAIT's timeout and answer 503."""
    if wanted <= 0:
        return
    for line in str(info).splitlines():
        if line.startswith("connected_slaves:"):
            have = int(line.split(":", 1)[1])
            if have >= wanted:
                return
            raise ClusterUnavailable(
                f"{where} has {have} replicas connected; ack_replicas = {wanted}"
            )
    raise ClusterUnavailable(f"{where} does not say how many replicas it has")
