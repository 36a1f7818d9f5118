"""A network path like the world's, for tests: requests cut into TCP segments with
pauses between them, as a CMS on another machine sends them.

Loopback clients write a request in one piece, so a server that reads only what has
arrived so far looks correct there and loses comments on a real network.  Two tools:

- ``FragmentingProxy``: a TCP proxy on 127.0.0.1 that forwards what a client sends in
  pieces of ``segment`` bytes, sleeping ``pause`` seconds between them (TCP_NODELAY, so
  each piece leaves as its own segment).  Any client (aiohttp's, a browser) goes through
  it unchanged.
- ``send_raw``: writes a request exactly as the test spells it, piece by piece with the
  pauses it gives, and reads the answer: for splits at a chosen byte, chunked bodies with
  pauses, and half-sent requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from yarl import URL

from moderation.config import Config

SEGMENT = 1_400  # about one Ethernet MTU's worth of TCP payload


def _nodelay(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


@dataclass
class FragmentingProxy:
    """Forward 127.0.0.1:<port> to ``target``; the client's bytes go in pieces."""

    target_host: str
    target_port: int
    segment: int = SEGMENT
    pause: float = 0.0005
    port: int = 0
    pieces_sent: int = 0
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> FragmentingProxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def __aenter__(self) -> FragmentingProxy:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            up_reader, up_writer = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            writer.close()
            self._tasks.discard(task)
            return
        _nodelay(up_writer)
        _nodelay(writer)
        try:
            await asyncio.gather(
                self._pump(reader, up_writer, fragment=True),
                self._pump(up_reader, writer, fragment=False),
            )
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            for w in (writer, up_writer):
                w.close()
            self._tasks.discard(task)

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, fragment: bool
    ) -> None:
        while data := await reader.read(65536):
            if not fragment:
                writer.write(data)
                await writer.drain()
                continue
            for start in range(0, len(data), self.segment):
                writer.write(data[start : start + self.segment])
                await writer.drain()
                self.pieces_sent += 1
                await asyncio.sleep(self.pause)
        with contextlib.suppress(OSError):
            if writer.can_write_eof():
                writer.write_eof()


@dataclass
class RawAnswer:
    status: int
    headers: dict[str, str]
    body: bytes
    closed: bool  # the server closed the connection after this answer

    def json(self) -> Any:
        return json.loads(self.body)


def request_bytes(
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes = b"",
    *,
    chunked: bool = False,
) -> tuple[bytes, bytes]:
    """The head and the body of a request, as bytes; a chunked body is framed here."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    else:
        lines.append(f"Content-Length: {len(body)}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head, body


def chunked(parts: Sequence[bytes]) -> list[bytes]:
    """Chunked-encoding frames for ``parts``, then the last (empty) chunk."""
    return [f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in parts if p] + [b"0\r\n\r\n"]


async def send_raw(
    port: int,
    pieces: Sequence[bytes],
    pauses: Sequence[float] | float = 0.0,
    *,
    within: float = 30.0,
) -> RawAnswer:
    """Write ``pieces`` one by one (each its own TCP segment), sleeping the pause before
    each piece after the first, then read one answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    _nodelay(writer)
    try:
        async with asyncio.timeout(within):
            for index, piece in enumerate(pieces):
                if index:
                    pause = pauses if isinstance(pauses, float | int) else pauses[index - 1]
                    if pause:
                        await asyncio.sleep(pause)
                writer.write(piece)
                await writer.drain()
            return await read_answer(reader)
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def read_answer(reader: asyncio.StreamReader) -> RawAnswer:
    """One HTTP/1.1 answer (Content-Length or chunked) from ``reader``."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ")[1])
    headers: dict[str, str] = {}
    for line in header_lines:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            body += await reader.readexactly(size)
            await reader.readexactly(2)
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    closed = headers.get("connection", "").lower() == "close"
    return RawAnswer(status, headers, body, closed)


async def closed_within(reader: asyncio.StreamReader, seconds: float) -> float | None:
    """Seconds until the server closed the connection (EOF), or None if it stayed open."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        async with asyncio.timeout(seconds):
            while await reader.read(65536):
                pass
    except TimeoutError:
        return None
    except OSError:
        pass
    return loop.time() - started


@pytest.fixture(name="client", params=["direct", "fragmented"])
async def client_on_both_paths(
    request: pytest.FixtureRequest, make_client: Any, config: Config
) -> AsyncIterator[TestClient[Any, Any]]:
    """The app's test client, once direct and once through a ``FragmentingProxy`` (every
    request cut into 1,400-byte segments, 0.5 ms apart).  A test module takes it in place
    of conftest's ``client`` by importing it: ``from tests.support.netpath import
    client_on_both_paths``; its tests then run both ways."""
    client: TestClient[Any, Any] = await make_client(config)
    if request.param == "direct":
        yield client
        return
    port = client.server.port
    assert port is not None
    async with FragmentingProxy("127.0.0.1", port) as proxy:
        direct = client.make_url

        def through_proxy(path: Any) -> URL:
            return direct(path).with_port(proxy.port)

        client.make_url = through_proxy  # type: ignore[method-assign]
        yield client
