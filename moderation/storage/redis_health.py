"""Knowing whether Redis answers, and bringing the embedded one back when it dies."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from moderation.storage.errors import REDIS_ERRORS
from moderation.storage.redis_server import RedisServer, RedisServerError

log = logging.getLogger("moderation.redis")

CHECK_INTERVAL_SECONDS = 0.5


class RedisHealth:
    def __init__(
        self, check: Callable[[], Awaitable[None]], server: RedisServer | None, timeout: float
    ) -> None:
        self.check = check  # raises unless Redis can serve every site now
        self.server = server
        self.timeout = timeout
        self.restarts = 0
        self.last_error: str | None = None

    async def ping(self) -> str | None:
        """None if Redis can serve every site (checked within the timeout), else what
        went wrong."""
        try:
            async with asyncio.timeout(self.timeout):
                await self.check()
        except REDIS_ERRORS as exc:  # asyncio.timeout's TimeoutError is an OSError
            self.last_error = f"{type(exc).__name__}: {exc}"[:200]
            return self.last_error
        return None

    async def watch(self) -> None:
        """Restart the embedded redis-server on the same data whenever it exits."""
        assert self.server is not None
        while True:
            await asyncio.sleep(CHECK_INTERVAL_SECONDS)
            if self.server.running:
                continue
            log.error("embedded redis-server exited; restarting it on the same data")
            try:
                await asyncio.to_thread(self.server.start)
            except RedisServerError as exc:
                log.error("embedded redis-server restart failed", extra={"error": str(exc)})
                continue
            self.restarts += 1
            log.info("embedded redis-server restarted", extra={"restarts": self.restarts})
