"""What a call to Redis raises when Redis is away, in two sets on purpose: the narrow one a
request answers with 503 (try again), and the broad one a background loop waits out.

Both live here, beside the transports that raise them, so that a new failure mode (a
cluster's new redirect, a transport's own error) is added once.
"""

from __future__ import annotations

import asyncio

import redis.exceptions

# Failures that mean "Redis cannot take this now": a request that meets one gets 503
# (the CMS should retry).  Any other Redis error (a script's error, WRONGTYPE) is a bug
# and answers 500.  Redis's own errors only: redis-py turns a socket's OSError into its
# ConnectionError, and the transport a read past its deadline into its TimeoutError.  The
# builtin ConnectionError is not here on purpose: in a handler it is the *client* hanging
# up (aiohttp's "Connection lost" while the body is read), which the error middleware
# logs as such (issue 24: it was answered 503 and counted as a Redis error).
REDIS_UNAVAILABLE: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.BusyLoadingError,
    redis.exceptions.ReadOnlyError,
    # a Redis Cluster mid-failover or mid-migration: no master for a slot yet, the
    # cluster says it is down, or redirects that did not settle in time
    redis.exceptions.ClusterError,
    redis.exceptions.RedisClusterException,
    redis.exceptions.TryAgainError,
    redis.exceptions.AskError,
    # a script refused again right after it was loaded: that Redis lost its scripts
    # once more (a restart, a failover) in between; the retry finds them
    redis.exceptions.NoScriptError,
    # asyncio's own timeout around a Redis call (the transport's deadline converts
    # it, this catches any that does not)
    asyncio.TimeoutError,
)

# Anything a call to Redis may raise, REDIS_UNAVAILABLE included (its builtin
# TimeoutError is an OSError, and so is a socket's own error): what a background loop (callbacks,
# retraining, site models, the health check) catches and tries again after.  Broader on
# purpose: a loop that ended on a Redis error would stop that work for the process's
# life, where a request can answer a bug as a 500 and the next request is new.
REDIS_ERRORS: tuple[type[BaseException], ...] = (
    redis.exceptions.RedisError,
    redis.exceptions.RedisClusterException,
    OSError,
)

__all__ = ["REDIS_ERRORS", "REDIS_UNAVAILABLE"]
