"""Test clients of the app that are closed whatever happens.

pytest-aiohttp's ``aiohttp_client`` registers a client for closing only after its server
has started, and ``async with TestClient(...)`` closes only what entered: an app whose
start-up fails (a Redis that is down, a warning turned error) leaves its ClientSession
unclosed, and the ResourceWarning that follows fails the next, unrelated tests.  Here the
client is closed on the spot when its start fails, and at teardown otherwise.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer


class _Server(TestServer):
    """aiohttp's test server, with ``handler_cancellation`` as given: aiohttp's own
    always cancels a handler whose client hangs up, where ``web.run_app`` (the service)
    leaves it running, to meet ``ConnectionResetError`` on its next read."""

    def __init__(self, app: web.Application, *, handler_cancellation: bool) -> None:
        super().__init__(app)
        self.handler_cancellation = handler_cancellation

    async def _make_runner(self, **kwargs: Any) -> web.AppRunner:
        kwargs["handler_cancellation"] = self.handler_cancellation
        return web.AppRunner(self.app, **kwargs)


async def start_client(app: web.Application, **server_kwargs: Any) -> TestClient[Any, Any]:
    """A started client of ``app``; the caller closes it (``await client.close()``).
    ``server_kwargs`` go to the app's runner (``access_log=None``, ...);
    ``handler_cancellation=False`` serves as ``web.run_app`` does."""
    cancellation = server_kwargs.pop("handler_cancellation", None)
    server = (
        TestServer(app) if cancellation is None else _Server(app, handler_cancellation=cancellation)
    )
    client: TestClient[Any, Any] = TestClient(server)
    try:
        await server.start_server(**server_kwargs)
    except BaseException:
        await client.close()
        raise
    return client


@asynccontextmanager
async def serving(
    app: web.Application, **server_kwargs: Any
) -> AsyncIterator[TestClient[Any, Any]]:
    """``start_client`` as a context: closed on the way out, a failed test included."""
    client = await start_client(app, **server_kwargs)
    try:
        yield client
    finally:
        await client.close()
