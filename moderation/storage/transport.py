"""The store's wire to Redis: a batch of commands in one write, their replies in one read.

The contract, each part tested in ``tests/storage/test_transport.py``:

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
- **Writes wait for replicas, reads do not.**  :meth:`Transport.send` (and
  ``send_groups``) end the batch in ``WAIT`` when ``ack_replicas`` asks for it;
  ``read`` (and ``read_groups``) send commands that write nothing, so nothing waits for a
  replica (a read must not answer 503 because a replica is late).  Replies are what
  redis-py's reader gives, before any of redis-py's per-command conversions: the
  ``as_...`` helpers below turn each kind into a typed value.

It relies on these redis-py APIs, the same from 8.0 to 8.2 (pyproject.toml allows 8.x;
`./run test-latest` meets each new release):
``ConnectionPool.get_connection()`` without arguments, ``ConnectionPool.release``,
``ConnectionPool.get_encoder``, ``Connection.send_packed_command(..., check_health=)``,
``Connection.read_response(timeout=math.inf)``, ``Connection.socket_timeout`` and
``Connection.disconnect(nowait=True)``.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

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


class Ack:
    """How many replicas must have a batch's writes before it counts as done."""

    __slots__ = ("replicas", "timeout_ms", "wait")

    def __init__(self, replicas: int, timeout_ms: int) -> None:
        self.replicas = replicas
        self.timeout_ms = timeout_ms
        self.wait: Command | None = ("WAIT", replicas, timeout_ms) if replicas else None


# What a read waits for: no replica (it wrote nothing).
NO_ACK = Ack(0, 0)


class _Encoder(Protocol):
    encoding: str
    encoding_errors: str


class _Pool(Protocol):
    """The part of redis-py's asyncio ``ConnectionPool`` this transport uses (its own
    methods carry no annotations: this says what they are)."""

    def get_encoder(self) -> _Encoder: ...

    async def get_connection(self) -> Any: ...

    async def release(self, connection: Any) -> None: ...


class Transport:
    """Batches of commands to one Redis, over the pool of a redis-py client.

    With ``ack_replicas`` N >= 1, every batch :meth:`send` sends ends in ``WAIT N
    <ack_timeout_ms>`` on the same connection (WAIT counts the replicas that have that
    connection's writes), and a batch fewer replicas confirmed raises
    :class:`NotReplicated`.  :meth:`read` never waits."""

    def __init__(self, redis: Redis, ack_replicas: int = 0, ack_timeout_ms: int = 1000) -> None:
        pool: _Pool = redis.connection_pool
        encoder = pool.get_encoder()
        _check_encoding(encoder.encoding, encoder.encoding_errors)
        self._pool = pool
        self._ack = Ack(ack_replicas, ack_timeout_ms)

    async def send(self, tag: str, commands: Sequence[Command]) -> list[Reply]:
        """Run ``commands`` (keys of hash tag ``tag`` only) in one round trip; a reply
        per command, in order, each an error of its own if it failed."""
        return await self._round_trip(commands, self._ack)

    async def read(self, tag: str, commands: Sequence[Command]) -> list[Reply]:
        """As :meth:`send`, for commands that write nothing: no ``WAIT`` after them."""
        return await self._round_trip(commands, NO_ACK)

    async def send_groups(self, groups: Mapping[str, Sequence[Command]]) -> dict[str, list[Reply]]:
        """Run each hash tag's commands; the replies of each tag, as :meth:`send` gives
        them.  On one Redis every group goes out in the same write."""
        if len(groups) == 1:
            [(tag, commands)] = groups.items()
            return {tag: await self._round_trip(commands, self._ack)}
        replies = await self._round_trip(
            [command for commands in groups.values() for command in commands], self._ack
        )
        return split_replies(groups, replies)

    async def read_groups(self, groups: Mapping[str, Sequence[Command]]) -> dict[str, list[Reply]]:
        """As :meth:`send_groups`, for commands that write nothing: no ``WAIT``."""
        replies = await self._round_trip(
            [command for commands in groups.values() for command in commands], NO_ACK
        )
        return split_replies(groups, replies)

    async def _round_trip(self, commands: Sequence[Command], ack: Ack) -> list[Reply]:
        if not commands:
            return []
        pool = self._pool
        conn = await pool.get_connection()
        try:
            return await exchange(conn, commands, ack)
        finally:
            await pool.release(conn)


# -- replies as typed values --------------------------------------------------------
# The transport gives what redis-py's reader gives (text, since the client decodes
# responses; ints; lists; None), not what redis-py's per-command callbacks would make of
# it.  Each helper takes one kind of reply and checks it is that kind, so the store's
# reads are typed without trusting an ``Any``.


class UnexpectedReply(TypeError):
    """A reply of another kind than its command gives (a client that does not decode
    responses to text, or a key of another type)."""


def _unexpected(kind: str, reply: Reply) -> UnexpectedReply:
    return UnexpectedReply(f"Redis answered {type(reply).__name__} where {kind} was expected")


def as_text(reply: Reply) -> str | None:
    """A GET or HGET reply: the text, or None (no such key or field)."""
    if reply is None or isinstance(reply, str):
        return reply
    raise _unexpected("text", reply)


def as_texts(reply: Reply) -> list[str]:
    """An LRANGE or ZRANGE (without scores) reply: texts."""
    if isinstance(reply, list) and all(isinstance(item, str) for item in reply):
        return reply
    raise _unexpected("a list of text", reply)


def as_optional_texts(reply: Reply) -> list[str | None]:
    """An HMGET reply: each field's text, or None where it is not set."""
    if isinstance(reply, list) and all(item is None or isinstance(item, str) for item in reply):
        return reply
    raise _unexpected("a list of text or nil", reply)


def as_int(reply: Reply) -> int:
    """An integer reply (ZCARD, INCR), or a GET of a counter (text; no key counts 0)."""
    if isinstance(reply, int) and not isinstance(reply, bool):
        return reply
    if reply is None:
        return 0
    if isinstance(reply, str):
        return int(reply)
    raise _unexpected("an integer", reply)


def as_score(reply: Reply) -> float | None:
    """A ZSCORE reply: the score, or None (no such member)."""
    if reply is None:
        return None
    if isinstance(reply, str | float | int) and not isinstance(reply, bool):
        return float(reply)  # RESP2 gives a score as text, RESP3 as a double
    raise _unexpected("a score", reply)


def as_scores(reply: Reply) -> list[float | None]:
    """A ZMSCORE reply: each member's score, or None where it is not in the set."""
    if isinstance(reply, list):
        return [as_score(item) for item in reply]
    raise _unexpected("a list of scores", reply)


def as_scored(reply: Reply) -> list[tuple[str, float]]:
    """A ZRANGE ... WITHSCORES reply: (member, score) pairs, in order.  RESP2 gives
    member, score, member, score, ...; RESP3 a pair per member."""
    if not isinstance(reply, list):
        raise _unexpected("members with scores", reply)
    if reply and isinstance(reply[0], list):
        pairs = [(member, score) for member, score in reply]
    else:
        pairs = list(zip(reply[::2], reply[1::2], strict=True))
    out: list[tuple[str, float]] = []
    for member, score in pairs:
        value = as_score(score)
        if not isinstance(member, str) or value is None:
            raise _unexpected("members with scores", reply)
        out.append((member, value))
    return out


def as_mapping(reply: Reply) -> dict[str, str]:
    """An HGETALL reply as a dict: redis-py's reader gives one already, some of its
    releases (and RESP2 without hiredis) a flat list of field, value, ..."""
    mapping = reply if isinstance(reply, dict) else None
    if mapping is None and isinstance(reply, list):
        mapping = dict(zip(reply[::2], reply[1::2], strict=True))
    if mapping is None or not all(
        isinstance(field, str) and isinstance(value, str) for field, value in mapping.items()
    ):
        raise _unexpected("a hash", reply)
    return mapping


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
