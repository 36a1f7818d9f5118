"""``moderation serve --workers N``: N processes serving one port.

Each worker is a full service process bound with SO_REUSEPORT, so the kernel spreads
connections over them and no proxy process sits in the request path.  The parent owns
what must exist once: the embedded redis-server (if no Redis URL is configured) and the
metrics directory through which /metrics in any worker reports all of them
(prometheus-client's multiprocess mode).  SIGTERM or SIGINT to the parent is passed on to
every worker, each drains its requests in flight, then the parent stops Redis.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import signal
import socket
import time
from dataclasses import replace
from types import FrameType

from moderation.config import Config
from moderation.runtime.serving import EXIT_CANNOT_LISTEN, cannot_listen
from moderation.storage.redis_server import configured_or_embedded

log = logging.getLogger("moderation.workers")

RESTART_BACKOFF_SECONDS = 1.0


def _worker(config: Config, index: int) -> None:
    from classifier import ModelError, SpamModel
    from moderation.core.logs import setup_logging
    from moderation.runtime.serving import run_single

    setup_logging()
    logger = logging.getLogger("moderation")
    # Load the model before taking connections: with several workers on one port, a
    # worker still loading would answer 503 while /readyz (asked of another) says ready.
    try:
        path = config.model_path
        model = SpamModel.load(path) if path is not None else SpamModel.default()
    except ModelError as exc:
        logger.error("worker cannot load the model", extra={"error": str(exc)})
        raise SystemExit(2) from exc
    logger.info("worker started", extra={"worker": index, "pid": os.getpid()})
    raise SystemExit(run_single(config, reuse_port=True, model=model, parent_pid=os.getppid()))


def _can_listen(config: Config) -> str | None:
    """Bind the port once before starting workers (None if it can be had, else why not):
    a worker that cannot listen would otherwise be restarted for ever."""
    try:
        infos = socket.getaddrinfo(config.host, config.port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            probe.bind(address)
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def run_workers(config: Config, count: int) -> int:
    problem = _can_listen(config)
    if problem is not None:
        return cannot_listen(config, problem)
    metrics_dir = config.data_dir / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)  # stale files would double-count
    metrics_dir.mkdir(parents=True)
    # Read by prometheus-client when a worker first imports it; set before spawning.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir.resolve())

    # one embedded Redis for every worker: they are given its URL
    url, server = configured_or_embedded(config)
    config = replace(config, redis=replace(config.redis, url=url))

    ctx = multiprocessing.get_context("spawn")  # a clean interpreter per worker, no forked locks
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def reload_model(signum: int, frame: FrameType | None) -> None:
        for process in workers:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGHUP)

    signal.signal(signal.SIGHUP, reload_model)

    def spawn(index: int) -> multiprocessing.process.BaseProcess:
        process = ctx.Process(
            target=_worker, args=(config, index), name=f"moderation-worker-{index}"
        )
        process.start()
        return process

    exit_code = 0
    workers = [spawn(i) for i in range(count)]
    log.info("workers started", extra={"workers": count, "pids": [w.pid for w in workers]})
    try:
        while not stopping:
            time.sleep(0.2)
            for index, process in enumerate(workers):
                if not process.is_alive() and not stopping:
                    if process.exitcode == EXIT_CANNOT_LISTEN:
                        log.error("a worker cannot listen; stopping", extra={"worker": index})
                        exit_code = EXIT_CANNOT_LISTEN
                        stopping = True
                        break
                    log.error(
                        "worker exited; restarting it",
                        extra={"worker": index, "code": process.exitcode},
                    )
                    time.sleep(RESTART_BACKOFF_SECONDS)
                    workers[index] = spawn(index)
            if server is not None and not server.running and not stopping:
                log.error("embedded redis-server exited; restarting it on the same data")
                server.start()
    finally:
        for process in workers:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)  # each worker drains, then exits
        for process in workers:
            process.join(30)
            if process.is_alive():
                process.kill()
                process.join(5)
        if server is not None:
            server.stop()
        log.info("all workers stopped")
    return exit_code
