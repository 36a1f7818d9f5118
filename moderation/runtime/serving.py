"""Running one service process: bind the port, serve the app until SIGTERM, and say in
one line why not when the port cannot be had.  Used by ``moderation serve`` and by each
worker of ``serve --workers N`` (moderation/workers.py), so neither imports the other."""

from __future__ import annotations

import errno
import gc
import logging
import socket
import sys
from typing import TYPE_CHECKING

from moderation.config import Config

if TYPE_CHECKING:  # the model's imports are heavy: load them only when serving
    from classifier import SpamModel

log = logging.getLogger("moderation")

# How long SIGTERM waits for requests in flight before the process exits.
SHUTDOWN_GRACE_SECONDS = 10.0


# The cyclic garbage collector's first generation runs every 700 container allocations
# by default: under intake load that is many times per batch, and each run walks every
# young object.  Intake allocates much and rarely makes cycles, so collecting 50x less
# often measured 6 % less CPU per request (bench/intake.py, four A/B pairs; RESULTS.md).
GC_GEN0_THRESHOLD = 50_000


def _tune_gc() -> None:
    """Collect less often, and never re-scan what start-up built (imports, config, the
    app): gc.freeze moves it out of the collector's sight."""
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GC_GEN0_THRESHOLD, gen1, gen2)


EXIT_CANNOT_LISTEN = 3  # also tells `serve --workers N` not to restart the worker


def cannot_listen(config: Config, reason: str) -> int:
    """Say in one line that the port cannot be had, and why; the exit status."""
    print(
        f"moderation: cannot listen on {config.host}:{config.port}: {reason} "
        "(set [server] host/port, --host/--port or MODERATION_PORT)",
        file=sys.stderr,
    )
    return EXIT_CANNOT_LISTEN


def _is_listen_error(exc: OSError) -> bool:
    """Binding the port failed: in use, not ours to take, or a host that does not exist.
    An error about a file (start-up also creates the data folder and Redis's files) is
    not one, whatever its errno."""
    if exc.filename is not None:
        return False
    return isinstance(exc, socket.gaierror) or exc.errno in (
        errno.EADDRINUSE,
        errno.EADDRNOTAVAIL,
        errno.EACCES,
    )


def run_single(
    config: Config,
    *,
    reuse_port: bool = False,
    model: SpamModel | None = None,
    parent_pid: int | None = None,
) -> int:
    from aiohttp import web

    from moderation.app import create_app

    def listening(message: str) -> None:
        # aiohttp calls this once the port is bound: only then is the service serving
        print(f"moderation: {message}", file=sys.stderr)
        log.info(
            "serving",
            extra={
                "url": f"http://{config.host}:{config.port}",
                "redis": "embedded" if config.redis.url is None else "external",
                "sites": [s.id for s in config.sites],
            },
        )

    _tune_gc()
    try:
        web.run_app(
            create_app(config, model=model, parent_pid=parent_pid),
            host=config.host,
            port=config.port,
            reuse_port=reuse_port or None,
            shutdown_timeout=SHUTDOWN_GRACE_SECONDS,
            access_log=None,
            print=listening,
        )
    except OSError as exc:
        if not _is_listen_error(exc):
            raise
        return cannot_listen(config, exc.strerror or str(exc))
    return 0
