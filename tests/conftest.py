"""Shared fixtures: a real redis-server started by the tests, configs, app clients."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import redis as redis_sync
from aiohttp import web
from aiohttp.test_utils import TestClient

from moderation.app import create_app
from moderation.appkeys import MODEL
from moderation.config import Config
from moderation.storage.redis_server import RedisServer

NEWS_KEY = "news-site-api-key-0123456789"
BLOG_KEY = "blog-site-api-key-0123456789"
BLOG_SIGNING = "blog-signing-secret-abcdef"
ALICE = "alice-moderator-token-0123456"
BOB = "bob-moderator-token-01234567"
CAROL = "carol-blog-moderator-token-01"
ROOT = "root-every-site-token-0123456"

CONFIG_TOML: dict[str, Any] = {
    "sites": [
        {"id": "news", "api_key": NEWS_KEY},
        {"id": "blog", "api_key": BLOG_KEY, "signing_secret": BLOG_SIGNING},
    ],
    "moderators": [
        {"name": "alice", "token": ALICE, "sites": ["news"]},
        {"name": "bob", "token": BOB, "sites": ["news"]},
        {"name": "carol", "token": CAROL, "sites": ["blog"]},
        {"name": "root", "token": ROOT, "sites": ["*"], "admin": True},
    ],
}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def comment_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "cms-1",
        "author_name": "Maria Lopez",
        "author_email": "maria@example.com",
        "content": "Thanks for the clear write-up on the council budget. The figures help.",
        "post_url": "https://news.example.com/2026/budget",
    }
    body.update(overrides)
    return body


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One real redis-server for the whole run: a free port, no persistence."""
    server = RedisServer(tmp_path_factory.mktemp("redis"), persistent=False, unix_socket=False)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> Iterator[str]:
    """The test Redis, emptied before each test (only the server these tests started)."""
    if not redis_server.running:  # a fault test may have killed it
        redis_server.start()
    with redis_sync.Redis.from_url(redis_server.url) as client:
        client.flushall()
    yield redis_server.url


@pytest.fixture
def config(redis_url: str, tmp_path: Path) -> Config:
    base = Config.from_mapping(CONFIG_TOML)
    return replace(base, redis=replace(base.redis, url=redis_url), data_dir=tmp_path / "data")


MakeClient = Callable[..., Any]


@pytest.fixture
async def make_client(
    aiohttp_client: Callable[[web.Application], Any],
) -> AsyncIterator[Callable[[Config], Any]]:
    async def make(config: Config) -> TestClient[Any, Any]:
        app = create_app(config)
        client: TestClient[Any, Any] = await aiohttp_client(app)
        for _ in range(600):  # the model loads in the background; wait up to 30 s
            if app[MODEL].ready or app[MODEL].error:
                break
            await asyncio.sleep(0.05)
        return client

    yield make


@pytest.fixture
async def client(make_client: Callable[[Config], Any], config: Config) -> TestClient[Any, Any]:
    result: TestClient[Any, Any] = await make_client(config)
    return result


def pytest_report_header() -> str:
    from moderation.storage.redis_server import find_binary

    return f"redis-server: {find_binary()}"
