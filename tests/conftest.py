"""Shared fixtures: a real redis-server started by the tests, configs, app clients."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import redis as redis_sync
from aiohttp.test_utils import TestClient

from classifier import Comment, SpamModel
from moderation.app import create_app
from moderation.appkeys import MODEL
from moderation.config import Config
from moderation.storage.redis_server import RedisServer
from tests.support.abuse import HOSTILE, LINE, POLITE
from tests.support.clients import start_client
from tests.support.local_cluster import LocalCluster, LocalClusterError
from tests.support.redis_kinds import CLUSTER_URLS, sync_redis

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


# The modules whose tests run twice: on one redis-server and on a Redis Cluster of six
# (three masters, three replicas), the same tests against both (issue 15).
ON_BOTH_KINDS = frozenset(
    {
        "test_intake",
        "test_review",
        "test_floods_privacy",
        "test_status_race",
        "test_callbacks",
        "test_ui",
        "test_ops",
        "test_site_models",
        "test_akismet",
        "test_site_learning",
        "test_cms_status",
        "test_authors",
        "test_rules",
    }
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rpartition(".")[2]
    marked = metafunc.definition.get_closest_marker("both_kinds") is not None
    alone = metafunc.definition.get_closest_marker("one_redis") is not None
    if (module in ON_BOTH_KINDS or marked) and not alone and "redis_url" in metafunc.fixturenames:
        metafunc.parametrize("redis_kind", ["redis", "cluster"], indirect=True)


@pytest.fixture
def redis_kind(request: pytest.FixtureRequest) -> str:
    """Which Redis the test runs on: one redis-server, or a Redis Cluster."""
    return str(getattr(request, "param", "redis"))


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One real redis-server for the whole run: a free port, no persistence."""
    server = RedisServer(tmp_path_factory.mktemp("redis"), persistent=False, unix_socket=False)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    """One real Redis Cluster for the whole run, started when a test first needs it.

    Its nodes keep their AOF (``appendfsync always``) in memory when the machine has a
    tmpfs.  Six nodes fsyncing every write to a disk shared with the rest of the suite
    (MariaDB, the other clusters) are the likeliest cause of the one 503 a racing test met
    in CI (a call past the 1 s Redis timeout; a status race's 200 rounds never met it
    here, on disk or on tmpfs, with or without three CPU hogs).  A SIGKILLed node still
    finds its AOF there on restart; the durability and failover tests start clusters of
    their own, on disk."""
    shm = Path("/dev/shm")
    in_memory = shm.is_dir() and os.access(shm, os.W_OK)
    directory = (
        Path(tempfile.mkdtemp(prefix="moderation-cluster-", dir=shm))
        if in_memory
        else tmp_path_factory.mktemp("cluster")
    )
    cluster = LocalCluster(directory)
    try:
        cluster.start()
    except LocalClusterError as exc:
        cluster.stop()
        pytest.skip(f"cannot start a Redis Cluster here: {exc}")
    CLUSTER_URLS.add(cluster.url)
    try:
        yield cluster
    finally:
        cluster.stop()
        if in_memory:
            shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def redis_url(redis_kind: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """The test Redis (or cluster), emptied before each test (only what these tests
    started)."""
    if redis_kind == "cluster":
        cluster: LocalCluster = request.getfixturevalue("redis_cluster")
        with sync_redis(cluster.url) as client:
            client.flushall()  # on every master
        yield cluster.url
        return
    redis_server: RedisServer = request.getfixturevalue("redis_server")
    if not redis_server.running:  # a fault test may have killed it
        redis_server.start()
    with redis_sync.Redis.from_url(redis_server.url) as client:
        client.flushall()
    yield redis_server.url


@pytest.fixture
def config(redis_url: str, redis_kind: str, tmp_path: Path) -> Config:
    base = Config.from_mapping(CONFIG_TOML)
    redis = replace(base.redis, url=redis_url, cluster=redis_kind == "cluster")
    return replace(base, redis=redis, data_dir=tmp_path / "data")


MakeClient = Callable[..., Any]


@pytest.fixture
async def make_client() -> AsyncIterator[Callable[..., Any]]:
    """Clients of apps built from a config, each closed at teardown (or at once, when
    its app fails to start), so one failed test leaves nothing open for the next."""
    clients: list[TestClient[Any, Any]] = []

    async def make(config: Config, **server_kwargs: Any) -> TestClient[Any, Any]:
        app = create_app(config)
        client = await start_client(app, **server_kwargs)
        clients.append(client)
        for _ in range(600):  # the model loads in the background; wait up to 30 s
            if app[MODEL].ready or app[MODEL].error:
                break
            await asyncio.sleep(0.05)
        return client

    try:
        yield make
    finally:
        for client in reversed(clients):
            await client.close()


@pytest.fixture
async def client(make_client: Callable[[Config], Any], config: Config) -> TestClient[Any, Any]:
    result: TestClient[Any, Any] = await make_client(config)
    return result


@pytest.fixture(scope="session")
def abuse_head() -> None:
    """Skip unless the shipped model has an abuse head that tells an insult from a
    polite remark (issue 26's model work lands it; until then every abuse score is
    null, which the tests without this fixture check)."""
    scores = SpamModel.default().score_batch([Comment(content=HOSTILE), Comment(content=POLITE)])
    hostile, polite = (s.abuse for s in scores)
    if hostile is None or polite is None:
        pytest.skip("the default model has no abuse head yet")
    assert hostile > LINE > polite, (hostile, polite)


def pytest_report_header() -> str:
    from moderation.storage.redis_server import find_binary

    return f"redis-server: {find_binary()}"
