"""A CMS's callback endpoint for the tests: a real aiohttp server on a free loopback port
that checks every signature with its own verifier (not the service's ``sign``), records
each delivery, and answers as a test scripts it (statuses, hangs, redirects)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from moderation.storage.redis_server import free_port


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """What a CMS would write from the README: parse t= and v1=, recompute, compare."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    if "t" not in parts or "v1" not in parts or abs(time.time() - int(parts["t"])) > tolerance:
        return False
    expected = hmac.new(
        secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


@dataclass
class Delivery:
    headers: dict[str, str]
    body: dict[str, Any]
    raw: bytes
    signed: bool
    answered: int  # the status the receiver answered (0: it hung)
    at: float

    @property
    def event_id(self) -> str:
        return self.headers["X-Moderation-Delivery"]

    @property
    def attempt(self) -> int:
        return int(self.headers["X-Moderation-Attempt"])


@dataclass
class Receiver:
    """``answer(delivery_number, delivery)`` picks each answer: a status, or ``"hang"``
    (no answer for ``hang_seconds``) or ``"redirect"`` (a 302 to /elsewhere)."""

    secret: str
    answer: Callable[[int, Delivery], int | str] = lambda n, d: 200
    hang_seconds: float = 30.0
    deliveries: list[Delivery] = field(default_factory=list)
    redirected_hits: int = 0
    port: int = 0
    _runner: web.AppRunner | None = None
    _arrived: asyncio.Condition | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def start(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self._hook)
        app.router.add_post("/elsewhere", self._elsewhere)
        self._arrived = asyncio.Condition()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        self.port = self.port or free_port()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _hook(self, request: web.Request) -> web.Response:
        raw = await request.read()
        delivery = Delivery(
            headers=dict(request.headers),
            body=json.loads(raw),
            raw=raw,
            signed=verify(self.secret, request.headers.get("X-Moderation-Signature", ""), raw),
            answered=0,
            at=time.monotonic(),
        )
        choice = self.answer(len(self.deliveries) + 1, delivery)
        if isinstance(choice, int):
            delivery.answered = choice
        elif choice == "redirect":
            delivery.answered = 302
        self.deliveries.append(delivery)
        assert self._arrived is not None
        async with self._arrived:
            self._arrived.notify_all()
        if choice == "hang":
            await asyncio.sleep(self.hang_seconds)
            return web.Response(status=200)
        if choice == "redirect":
            raise web.HTTPFound("/elsewhere")
        return web.Response(
            status=delivery.answered, text="ok" if delivery.answered < 300 else "no"
        )

    async def _elsewhere(self, request: web.Request) -> web.Response:
        self.redirected_hits += 1
        return web.Response(status=200)

    def delivered(self) -> list[Delivery]:
        """The deliveries answered 2xx, in arrival order."""
        return [d for d in self.deliveries if 200 <= d.answered < 300]

    async def wait_for(self, test: Callable[[Receiver], bool], within: float = 20.0) -> None:
        assert self._arrived is not None
        deadline = time.monotonic() + within
        async with self._arrived:
            while not test(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"receiver: condition not met in {within} s; got "
                        f"{[(d.body['type'], d.answered) for d in self.deliveries]}"
                    )
                try:
                    await asyncio.wait_for(self._arrived.wait(), timeout=min(left, 0.2))
                except TimeoutError:
                    pass
