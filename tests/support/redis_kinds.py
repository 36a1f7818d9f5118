"""The two kinds of Redis the suite runs against, one redis-server or a Redis Cluster of
six (tests/conftest.py starts each), and a sync client for either, for the checks that
read Redis behind the service's back."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import redis
from redis.cluster import RedisCluster

# The URLs of the clusters this run started: a URL here names a cluster node.
CLUSTER_URLS: set[str] = set()


def is_cluster(url: str | None) -> bool:
    return url is not None and url in CLUSTER_URLS


def sync_redis(url: str, *, decode_responses: bool = True) -> Any:
    """A sync client of ``url``: cluster-aware when it names a cluster node (it follows
    MOVED, and SCAN, FLUSHALL and KEYS go to every master)."""
    if is_cluster(url):
        return RedisCluster.from_url(url, decode_responses=decode_responses)
    return redis.Redis.from_url(url, decode_responses=decode_responses)


def another_entry_point(url: str) -> str:
    """For a cluster node's URL, another master's (so two instances of a test enter the
    cluster at different nodes, as instances on different machines would); for one
    redis-server, ``url`` itself."""
    if not is_cluster(url):
        return url
    with RedisCluster.from_url(url) as client:
        others = [n for n in client.get_primaries() if n.port != urlsplit(url).port]
    other = f"redis://{others[0].host}:{others[0].port}"
    CLUSTER_URLS.add(other)
    return other
