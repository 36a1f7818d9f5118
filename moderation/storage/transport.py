"""The store's wire to Redis: a batch of commands in one write, their replies in one read.

The contract, each part tested in ``tests/test_transport.py``:

- **Bytes.**  :func:`pack` writes exactly the bytes redis-py's own
  ``Connection.pack_commands`` writes for the same commands (RESP2 arrays of bulk
  strings; text as UTF-8, strictly; ints and floats by ``repr``; a command name with a
  space split into words).  It takes less: ``str``, ``bytes``, ``int`` and ``float`` only;
  ``None``, booleans and everything else raise redis-py's ``DataError`` (a ``None`` sent as
  ``"None"`` would be stored without a word).  It is not redis-py's packer because
  that one measured 18.6 µs per intake command where this one takes 5.9 (thirty
  arguments, each joined onto a growing buffer): at intake's batch of 8 the whole round
  trip costs 14 µs of CPU per comment here, 28.5 through ``pack_commands`` and 35.6
  through redis-py's ``Pipeline`` (in-process against a real Redis, best of 7 runs).
- **One connection, one write.**  A batch goes out on one connection of the client's
  own pool, in one write, and its replies are read in order with redis-py's reply
  reader (hiredis where installed), all within one deadline: the client's
  ``socket_timeout``, once more per hundred commands.
- **Each command's own error is its reply.**  A ``ResponseError`` (``NOSCRIPT``,
  ``WRONGTYPE``, a script's error) takes that command's place in the replies; the
  other commands' replies are there as usual.
- **Trouble discards the connection.**  A timeout, a dropped connection or a
  cancellation while replies are outstanding closes that connection before it goes back
  to the pool, so no later batch can read another batch's replies.  A Redis that does
  not answer within the timeout raises redis-py's ``TimeoutError``, which the error
  middleware answers with 503 and Retry-After.
- **Grouped by hash tag.**  Every batch is given as groups of commands whose keys share
  one hash tag (one site's ``{site}``: see ``moderation.storage.keys``), so each group touches one
  cluster slot.  On one Redis all groups go out in one write; a transport for Redis
  Cluster sends each group to the node that serves its slot, behind the same methods.

It relies on these redis-py APIs, the same from 6.0 to 8.1 (the range pyproject.toml
allows, checked with each release's source and this module's tests):
``ConnectionPool.get_connection()`` without arguments, ``ConnectionPool.release``,
``ConnectionPool.get_encoder``, ``Connection.send_packed_command(..., check_health=)``,
``Connection.read_response(timeout=math.inf)``, ``Connection.socket_timeout`` and
``Connection.disconnect(nowait=True)``.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import DataError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

# One argument of a command, as this transport sends it.
Arg = str | bytes | int | float
# A command: its name, then its arguments.
Command = Sequence[Arg]
# A decoded reply, or the ResponseError that was that command's answer.
Reply = Any


def pack(commands: Iterable[Command]) -> bytes:
    """``commands`` in the Redis protocol, in one buffer: byte for byte what
    ``Connection.pack_commands`` gives for them."""
    out: list[bytes] = []
    put = out.append
    for command in commands:
        name = command[0]
        if isinstance(name, str) and name.isalpha():  # every name the service sends
            put(b"*%d\r\n" % len(command))
            _put_bulk(put, command)
            continue
        # as redis-py does: a name with spaces ("SCRIPT LOAD") goes as several words
        if isinstance(name, str):
            words = name.encode().split()
        elif isinstance(name, bytes):
            words = name.split() if b" " in name else [name]
        else:
            raise DataError(f"a command name is text, not {type(name).__name__}")
        put(b"*%d\r\n" % (len(words) + len(command) - 1))
        _put_bulk(put, words)
        _put_bulk(put, command[1:])
    return b"".join(out)


def _put_bulk(put: Callable[[bytes], None], values: Iterable[Arg]) -> None:
    """Each value as a RESP bulk string; text and plain ints (nearly every argument) take
    the short way."""
    for value in values:
        if value.__class__ is str:
            raw = value.encode()
        elif value.__class__ is int:
            raw = b"%d" % value  # what repr() gives, for a plain int
        else:
            raw = _encode(value)
        put(b"$%d\r\n%b\r\n" % (len(raw), raw))


def _encode(value: object) -> bytes:
    """One argument as redis-py's ``Encoder`` (UTF-8, strict) makes it, or DataError."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value).encode()
    raise DataError(f"cannot send {type(value).__name__} to Redis: {value!r}")


class NotReplicated(RedisTimeoutError):
    """``WAIT`` timed out before ``ack_replicas`` replicas had the write: it is on the
    master but not yet safe from the master's death, so it is not acknowledged (503;
    the client's retry is idempotent)."""


class Transport:
    """Batches of commands to one Redis, over the pool of a redis-py client.

    With ``ack_replicas`` N >= 1, every batch ends in ``WAIT N <ack_timeout_ms>`` on the
    same connection (WAIT counts the replicas that have that connection's writes), and
    a batch fewer replicas confirmed raises :class:`NotReplicated`."""

    def __init__(self, redis: Redis, ack_replicas: int = 0, ack_timeout_ms: int = 1000) -> None:
        pool = redis.connection_pool
        encoder = pool.get_encoder()  # type: ignore[no-untyped-call]
        _check_encoding(encoder.encoding, encoder.encoding_errors)
        self._pool = pool
        self._ack = Ack(ack_replicas, ack_timeout_ms)

    async def send(self, tag: str, commands: Sequence[Command]) -> list[Reply]:
        """Run ``commands`` (keys of hash tag ``tag`` only) in one round trip; a reply
        per command, in order, each an error of its own if it failed."""
        return await self._round_trip(commands)

    async def send_groups(self, groups: Mapping[str, Sequence[Command]]) -> dict[str, list[Reply]]:
        """Run each hash tag's commands; the replies of each tag, as :meth:`send` gives
        them.  On one Redis every group goes out in the same write."""
        if len(groups) == 1:
            [(tag, commands)] = groups.items()
            return {tag: await self._round_trip(commands)}
        replies = await self._round_trip(
            [command for commands in groups.values() for command in commands]
        )
        return split_replies(groups, replies)

    async def _round_trip(self, commands: Sequence[Command]) -> list[Reply]:
        if not commands:
            return []
        pool = self._pool
        conn = await pool.get_connection()  # type: ignore[no-untyped-call]
        try:
            return await exchange(conn, commands, self._ack)
        finally:
            await pool.release(conn)


class Ack:
    """How many replicas must have a batch's writes before it counts as done."""

    __slots__ = ("replicas", "timeout_ms", "wait")

    def __init__(self, replicas: int, timeout_ms: int) -> None:
        self.replicas = replicas
        self.timeout_ms = timeout_ms
        self.wait: Command | None = ("WAIT", replicas, timeout_ms) if replicas else None


def as_mapping(reply: Reply) -> dict[str, Any]:
    """An HGETALL reply as a dict: redis-py's reader gives one already, some of its
    releases (and RESP2 without hiredis) a flat list of field, value, ..."""
    if isinstance(reply, dict):
        return reply
    return dict(zip(reply[::2], reply[1::2], strict=True))


def split_replies(
    groups: Mapping[str, Sequence[Command]], replies: Sequence[Reply]
) -> dict[str, list[Reply]]:
    """The replies of commands sent as ``groups`` in order, back into their groups."""
    out: dict[str, list[Reply]] = {}
    start = 0
    for tag, commands in groups.items():
        out[tag] = list(replies[start : start + len(commands)])
        start += len(commands)
    return out


async def exchange(conn: Any, commands: Sequence[Command], ack: Ack) -> list[Reply]:
    """Write ``commands`` on ``conn`` (a redis-py asyncio ``Connection``) in one write
    and read every reply, then the WAIT's (when ``ack`` asks for replicas).

    One deadline covers the whole batch, longer for a long one (a bulk of 500
    decisions) and for the replicas' WAIT, rather than redis-py's ``socket_timeout``
    around each read: that costs a timer per reply, 2.6-3.9 µs per comment at intake's
    batch of 8 (a fifth of this whole round trip).  The reads themselves wait without a
    limit of their own (``timeout=math.inf``, which every redis-py in the supported
    range honours: 8.x skips the timer for it, earlier releases set one that never
    fires).  On any trouble the connection is closed before the caller releases it.
    """
    count = len(commands)
    packed = pack(commands) if ack.wait is None else pack([*commands, ack.wait])
    try:
        # the pool has just checked the connection: no health PING of a round trip
        await conn.send_packed_command(packed, check_health=False)
        replies: list[Reply] = []
        read = conn.read_response
        deadline = None
        if conn.socket_timeout is not None:
            deadline = conn.socket_timeout * max(1, math.ceil(count / 100))
            if ack.wait is not None:
                deadline += ack.timeout_ms / 1000
        try:
            async with asyncio.timeout(deadline):
                for _ in range(count):
                    try:
                        replies.append(await read(timeout=math.inf))
                    except ResponseError as exc:
                        replies.append(exc)
                acked: Reply = 0
                if ack.wait is not None:
                    try:
                        acked = await read(timeout=math.inf)
                    except ResponseError as exc:  # a replica refuses WAIT
                        acked = exc
        except TimeoutError as exc:
            raise RedisTimeoutError(f"Timeout reading {count} replies from Redis") from exc
    except BaseException:
        # replies may still be on their way: this connection must not be used again
        await conn.disconnect(nowait=True)
        raise
    if isinstance(acked, ResponseError):
        if all(isinstance(reply, ResponseError) for reply in replies):
            # nothing was written (a former master, now a replica, answered MOVED to
            # every command): each command's own error says where to go
            return replies
        raise NotReplicated(f"WAIT failed: {acked}")
    if ack.wait is not None and int(acked) < ack.replicas:
        raise NotReplicated(
            f"{acked} of {ack.replicas} replicas confirmed the write within {ack.timeout_ms} ms"
        )
    return replies


def _check_encoding(encoding: str, errors: str) -> None:
    # pack() writes text as UTF-8 strictly, as redis-py's default encoder does; a
    # client set up to encode otherwise would see other bytes from us than from itself
    if encoding.lower().replace("_", "-") not in ("utf-8", "utf8") or errors != "strict":
        raise ValueError(
            "the transport sends text as strict UTF-8; the Redis client encodes "
            f"with {encoding!r}, errors={errors!r}"
        )
