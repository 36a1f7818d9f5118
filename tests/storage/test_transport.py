"""The transport's contract (moderation/storage/transport.py), against a real redis-server: the
bytes are redis-py's own, each command's error is its own reply, and a timeout, a dropped
connection or a cancellation never leaves a half-read connection in the pool.

The failures are made by a TCP relay between the client and the real server that can
hold back or cut Redis's replies; it also records what the client wrote.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import DataError, NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from moderation.storage.redis_server import RedisServer
from moderation.storage.transport import (
    Command,
    NotReplicated,
    Transport,
    UnexpectedReply,
    as_int,
    as_mapping,
    as_optional_texts,
    as_scored,
    as_scores,
    as_text,
    as_texts,
    pack,
)


def _redis_py_bytes(commands: list[Command]) -> bytes:
    """What redis-py itself would write for ``commands`` (a connection never connected)."""
    conn = Redis(decode_responses=True).connection_pool.make_connection()  # type: ignore[no-untyped-call]
    return b"".join(conn.pack_commands(commands))


class Small(enum.IntEnum):
    ONE = 1


_ARG = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"])),  # any text UTF-8 can carry
    st.binary(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([Small.ONE, "", b"", 0, -0.0, 1e300, "é" * 7000, b"\r\n" * 4000]),
)
_NAME = st.sampled_from(["GET", "HMGET", "EVALSHA", "SCRIPT LOAD", "CLIENT  SETNAME", b"GET"])
_COMMAND = st.builds(lambda name, args: (name, *args), _NAME, st.lists(_ARG, max_size=12))


@settings(max_examples=300, deadline=None)
@given(st.lists(_COMMAND, min_size=1, max_size=6))
def test_packed_bytes_are_redis_pys(commands: list[Command]) -> None:
    assert pack(commands) == _redis_py_bytes(commands)


def test_values_redis_py_refuses_are_refused() -> None:
    for value in (None, True, False, object(), [1], {"a": 1}):
        with pytest.raises(DataError):
            _redis_py_bytes([("SET", "k", value)])  # type: ignore[list-item]
        with pytest.raises(DataError):
            pack([("SET", "k", value)])  # type: ignore[list-item]
    # a lone surrogate is no UTF-8: refused before anything is written
    with pytest.raises(UnicodeEncodeError):
        _redis_py_bytes([("SET", "k", "\ud800")])
    with pytest.raises(UnicodeEncodeError):
        pack([("SET", "k", "\ud800")])
    # narrower than redis-py on purpose: mutable buffers could change while queued
    for buffer in (bytearray(b"x"), memoryview(b"x")):
        with pytest.raises(DataError):
            pack([("SET", "k", buffer)])  # type: ignore[list-item]


def test_a_client_that_encodes_otherwise_is_refused() -> None:
    with pytest.raises(ValueError, match="UTF-8"):
        Transport(Redis(encoding="latin-1"))
    with pytest.raises(ValueError, match="UTF-8"):
        Transport(Redis(encoding_errors="replace"))


@dataclass
class Relay:
    """127.0.0.1:<port> -> the real Redis.  Records what clients write; ``hold`` stops
    replies from reaching clients until released; ``cut_next`` passes only that many bytes
    of the next replies to arrive, then closes the client's connection."""

    target_port: int
    port: int = 0
    written: bytearray = field(default_factory=bytearray)
    hold: asyncio.Event = field(default_factory=asyncio.Event)
    cut_next: int | None = None
    connections: int = 0
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.hold.set()  # set = replies flow

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)

        async def upstream() -> None:
            while data := await reader.read(65536):
                self.written += data
                up_writer.write(data)
                await up_writer.drain()
            up_writer.close()

        async def downstream() -> None:
            while data := await up_reader.read(65536):
                await self.hold.wait()
                if self.cut_next is not None:
                    writer.write(data[: self.cut_next])
                    await writer.drain()
                    writer.close()
                    return
                writer.write(data)
                await writer.drain()
            writer.close()

        tasks = [asyncio.create_task(upstream()), asyncio.create_task(downstream())]
        self._tasks.update(tasks)
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._tasks.difference_update(tasks)
            for w in (writer, up_writer):
                w.close()
                with contextlib.suppress(Exception):
                    await w.wait_closed()


@pytest.fixture
async def relay(redis_url: str, redis_server: RedisServer) -> AsyncIterator[Relay]:
    r = Relay(target_port=redis_server.port)
    await r.start()
    yield r
    await r.close()


@pytest.fixture
async def redis(relay: Relay) -> AsyncIterator[Redis]:
    client = Redis(port=relay.port, decode_responses=True, socket_timeout=0.5)
    yield client
    await client.aclose()


MIXED: list[Command] = [
    ("SET", "{t}:a", "é 1"),
    ("LPUSH", "{t}:a", "x"),  # WRONGTYPE: an error of its own
    ("GET", "{t}:a"),
    ("EVALSHA", "0" * 40, 0),  # NOSCRIPT
    ("HMGET", "{t}:missing", "f", "g"),
    ("INCRBYFLOAT", "{t}:n", 0.5),
]


async def test_wire_bytes_and_replies(redis: Redis, relay: Relay) -> None:
    transport = Transport(redis)
    await transport.send("t", [("PING",)])  # the connection and its handshake
    relay.written.clear()
    replies = await transport.send("t", MIXED)
    assert replies[0] == "OK"
    assert isinstance(replies[1], ResponseError) and "WRONGTYPE" in str(replies[1])
    assert replies[2] == "é 1"
    assert isinstance(replies[3], NoScriptError)
    assert replies[4] == [None, None]
    assert replies[5] == "0.5"
    # what went over the wire is redis-py's packing, byte for byte, and it is what
    # redis-py's own pipeline writes for the same commands (on the same connection)
    ours = bytes(relay.written)
    assert ours == _redis_py_bytes(MIXED)
    await redis.delete("{t}:a", "{t}:n")
    relay.written.clear()
    async with redis.pipeline(transaction=False) as pipe:
        for command in MIXED:
            pipe.execute_command(*command)
        await pipe.execute(raise_on_error=False)
    assert bytes(relay.written) == ours


async def test_groups_keep_their_order_and_share_one_connection(redis: Redis, relay: Relay) -> None:
    transport = Transport(redis)
    got = await transport.send_groups(
        {
            "a": [("SET", "{a}:k", "1"), ("GET", "{a}:k")],
            "b": [("GET", "{b}:none")],
            "c": [("INCR", "{c}:n"), ("INCR", "{c}:n"), ("INCR", "{c}:n")],
        }
    )
    assert got == {"a": ["OK", "1"], "b": [None], "c": [1, 2, 3]}
    assert relay.connections == 1
    assert await transport.send("a", []) == []
    assert await transport.send_groups({}) == {}


async def test_a_timeout_is_redis_timeout_and_the_connection_is_not_reused(
    redis: Redis, relay: Relay
) -> None:
    transport = Transport(redis)
    assert await transport.send("t", [("SET", "{t}:k", "before")]) == ["OK"]
    relay.hold.clear()
    started = time.monotonic()
    with pytest.raises(RedisTimeoutError):
        await transport.send("t", [("GET", "{t}:k"), ("SET", "{t}:k", "lost?")])
    assert 0.4 < time.monotonic() - started < 2
    relay.hold.set()
    # a connection that still had replies on their way would now answer 'before'/'OK'
    # to the next batch; a fresh one answers this batch's own commands
    assert await transport.send("t", [("ECHO", "mine"), ("ECHO", "too")]) == ["mine", "too"]
    assert relay.connections == 2


async def test_a_long_batch_gets_a_longer_deadline(redis: Redis) -> None:
    transport = Transport(redis)
    # 1,000 commands, each slow enough that the batch takes longer than socket_timeout
    script = "local t = redis.call('TIME'); local s = t[1] * 1e6 + t[2]; " + (
        "repeat t = redis.call('TIME') until t[1] * 1e6 + t[2] - s >= 700"
    )
    replies = await transport.send("t", [("EVAL", script, 0)] * 1000)
    assert replies == [None] * 1000


async def test_cancelling_mid_read_discards_the_connection(redis: Redis, relay: Relay) -> None:
    transport = Transport(redis)
    relay.hold.clear()
    task = asyncio.create_task(transport.send("t", [("ECHO", "old")]))
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    relay.hold.set()
    assert await transport.send("t", [("ECHO", "new")]) == ["new"]


async def test_a_connection_cut_mid_reply_is_a_connection_error(redis: Redis, relay: Relay) -> None:
    transport = Transport(redis)
    await transport.send("t", [("PING",)])  # the connection and its handshake
    relay.cut_next = 50  # half of the first reply
    with pytest.raises(RedisConnectionError):
        await transport.send("t", [("ECHO", "x" * 100), ("ECHO", "y")])
    relay.cut_next = None
    assert await transport.send("t", [("ECHO", "z")]) == ["z"]


async def test_writes_wait_for_replicas_and_reads_do_not(redis: Redis, relay: Relay) -> None:
    # a lone redis-server has no replica: a write waits for one in vain
    transport = Transport(redis, ack_replicas=1, ack_timeout_ms=50)
    with pytest.raises(NotReplicated):
        await transport.send("t", [("SET", "{t}:k", "v")])
    assert b"WAIT" in bytes(relay.written)
    relay.written.clear()
    assert await transport.read("t", [("GET", "{t}:k")]) == ["v"]
    got = await transport.read_groups({"t": [("GET", "{t}:k")], "u": [("GET", "{u}:k")]})
    assert got == {"t": ["v"], "u": [None]}
    assert b"WAIT" not in bytes(relay.written)


async def test_replies_as_typed_values(redis: Redis) -> None:
    transport = Transport(redis)
    _, _, counter, card, fields, scores, missing = await transport.send(
        "t",
        [
            ("HSET", "{t}:h", "a", "1", "b", "é"),
            ("ZADD", "{t}:z", 1.5, "x", 1700000000000, "y"),
            ("INCRBY", "{t}:n", 7),
            ("ZCARD", "{t}:z"),
            ("HMGET", "{t}:h", "a", "none"),
            ("ZMSCORE", "{t}:z", "x", "none"),
            ("GET", "{t}:none"),
        ],
    )
    hgetall, zrange, get_counter, lrange = await transport.read(
        "t",
        [
            ("HGETALL", "{t}:h"),
            ("ZRANGE", "{t}:z", 0, -1, "WITHSCORES"),
            ("GET", "{t}:n"),
            ("LRANGE", "{t}:none", 0, -1),
        ],
    )
    assert as_mapping(hgetall) == {"a": "1", "b": "é"}
    assert as_scored(zrange) == [("x", 1.5), ("y", 1700000000000.0)]
    assert as_scored([["x", 1.5]]) == [("x", 1.5)]  # RESP3's shape
    assert as_int(get_counter) == as_int(counter) == 7 and as_int(card) == 2
    assert as_int(missing) == 0 and as_text(missing) is None
    assert as_optional_texts(fields) == ["1", None]
    assert as_scores(scores) == [1.5, None]
    assert as_texts(lrange) == []
    for bad, helper in [
        (b"bytes", as_text),
        ([b"x"], as_texts),
        ("1", as_mapping),
        (True, as_int),
        (["x", "not a score", "y"], as_scored),
    ]:
        with pytest.raises((UnexpectedReply, ValueError)):
            helper(bad)
