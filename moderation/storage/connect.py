"""The Redis client the service and its offline commands talk through: one Redis or a
Redis Cluster (``[redis] cluster``), both set up to fail fast."""

from __future__ import annotations

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from moderation.config import RedisConfig

# Either client: the store uses only what both offer, and its own transport for the rest.
Client = Redis | RedisCluster

# A cluster call may follow a MOVED or ASK, or read the slot map again after a node
# failed, twice; then it fails (503) rather than keep a request waiting.
CLUSTER_RETRIES = 2


def open_client(config: RedisConfig, url: str, timeout: float | None = None) -> Client:
    """A client for ``url`` (the configured one, or the embedded server's)."""
    timeout = config.timeout_seconds if timeout is None else timeout
    if config.cluster:
        return RedisCluster.from_url(
            url,
            decode_responses=True,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), CLUSTER_RETRIES),
        )
    return Redis.from_url(
        url,
        decode_responses=True,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        # No silent retries: a request must learn within the timeout that Redis is away
        # and answer 503, so the CMS retries; the pool reconnects by itself afterwards.
        # The asyncio Retry (redis.asyncio.retry), not the synchronous one: redis-py 8.2
        # warns on an asyncio client given redis.retry.Retry.
        retry=Retry(NoBackoff(), 0),
    )
