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


class Transport:
    """Batches of commands to one Redis, over the pool of a redis-py client."""

    def __init__(self, redis: Redis) -> None:
        pool = redis.connection_pool
        encoder = pool.get_encoder()  # type: ignore[no-untyped-call]
        # pack() writes text as UTF-8 strictly, as redis-py's default encoder does; a
        # client set up to encode otherwise would see other bytes from us than from itself
        if encoder.encoding.lower().replace("_", "-") not in ("utf-8", "utf8") or (
            encoder.encoding_errors != "strict"
        ):
            raise ValueError(
                "the transport sends text as strict UTF-8; the Redis client encodes "
                f"with {encoder.encoding!r}, errors={encoder.encoding_errors!r}"
            )
        self._pool = pool

    async def send(self, tag: str, commands: Sequence[Command]) -> list[Reply]:
        """Run ``commands`` (keys of hash tag ``tag`` only) in one round trip; a reply
        per command, in order, each an error of its own if it failed."""
        return await self._round_trip(pack(commands), len(commands))

    async def send_groups(self, groups: Mapping[str, Sequence[Command]]) -> dict[str, list[Reply]]:
        """Run each hash tag's commands; the replies of each tag, as :meth:`send` gives
        them.  On one Redis every group goes out in the same write."""
        if len(groups) == 1:
            [(tag, commands)] = groups.items()
            return {tag: await self._round_trip(pack(commands), len(commands))}
        replies = await self._round_trip(
            pack(command for commands in groups.values() for command in commands),
            sum(len(commands) for commands in groups.values()),
        )
        out: dict[str, list[Reply]] = {}
        start = 0
        for tag, commands in groups.items():
            out[tag] = replies[start : start + len(commands)]
            start += len(commands)
        return out

    async def _round_trip(self, packed: bytes, count: int) -> list[Reply]:
        """Write ``packed`` (``count`` commands) on one pooled connection, read every reply.

        One deadline covers the whole batch, longer for a long one (a bulk of 500
        decisions), rather than redis-py's ``socket_timeout`` around each read: that
        costs a timer per reply, 2.6-3.9 µs per comment at intake's batch of 8 (a fifth
        of this whole round trip).  The reads themselves wait without a limit of their own
        (``timeout=math.inf``, which every redis-py in the supported range honours: 8.x
        skips the timer for it, earlier releases set one that never fires).
        """
        if not count:
            return []
        pool = self._pool
        conn = await pool.get_connection()  # type: ignore[no-untyped-call]
        try:
            # the pool has just checked the connection: no health PING of a round trip
            await conn.send_packed_command(packed, check_health=False)
            replies: list[Reply] = []
            read = conn.read_response
            deadline = None
            if conn.socket_timeout is not None:
                deadline = conn.socket_timeout * max(1, math.ceil(count / 100))
            try:
                async with asyncio.timeout(deadline):
                    for _ in range(count):
                        try:
                            replies.append(await read(timeout=math.inf))
                        except ResponseError as exc:
                            replies.append(exc)
            except TimeoutError as exc:
                raise RedisTimeoutError(f"Timeout reading {count} replies from Redis") from exc
        except BaseException:
            # replies may still be on their way: this connection must not be used again
            await conn.disconnect(nowait=True)
            raise
        finally:
            await pool.release(conn)
        return replies
