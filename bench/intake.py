"""Intake throughput and latency of ``moderation serve`` against a bare aiohttp reference.

One run starts the service (``moderation serve`` with a temporary data folder, its
embedded Redis and a generated config with one site) and the reference
(``bench/reference_server.py``: parse the same JSON, answer 202), then drives both with
the same load generator, in alternation:

1. closed loop at fixed concurrency (``--connections``) for ``--duration`` seconds:
   requests/s, p50/p99/max latency, ratio service/reference;
2. open loop at a fixed arrival rate of half the service's peak (``--half-rate``):
   p99 latency measured from each request's scheduled send time, so a stalled server
   cannot hide its queueing (no coordinated omission).  wrk2 is not available and wrk
   cannot pace requests, so this phase always uses the Python client;
3. the loss check: every comment answered 202 must be in Redis (its hash exists) and the
   site's stored count (HLEN of the external-id hash) must equal the number of 202s
   (with wrk, requests still in flight when wrk stops may be stored without a 202
   reaching wrk; they are counted separately as ``stored_unacknowledged``).

Every comment has a unique CMS id; bodies are realistic (seed-corpus text, 30 % spam,
50-1000 characters, name, email, post URL, IP, user agent).  Closed-loop load comes from
``wrk`` (one thread, ``bench/wrk/intake.lua``) when it is on PATH, else from an asyncio
HTTP/1.1 client in this process (``--client python``); ``--client aiohttp`` uses aiohttp's
client instead (slower per request, so it saturates before the reference does).

All traffic goes to 127.0.0.1; every process started is stopped on exit, error, Ctrl-C
or SIGTERM.

Usage::

    python bench/intake.py [--duration 10] [--warmup 3] [--connections 64]
                           [--workers 1] [--repeat 3] [--client auto|wrk|python|aiohttp]
                           [--json] [--keep-logs DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchlib import (
    REPO,
    Children,
    clean_env,
    cpu_seconds,
    descendants,
    log,
    median,
    percentile,
    samples,
    wait_ready,
)
from profile_breakdown import breakdown, render

from moderation.storage import keys
from moderation.storage.redis_server import RedisServer, embedded_server, free_port
from tests.support.local_cluster import LocalCluster

SITE = "bench"
BODY_TEMPLATES = 512
ID_MARK = "\x00ID\x00"
ACK_ID_RE = re.compile(rb'"id":"([^"]+)"')
WRK_SCRIPT = REPO / "bench" / "wrk" / "intake.lua"

TARGET_RATIO = 0.5
TARGET_P99_MS = 10.0


# ---------------------------------------------------------------------------------------
# Request bodies


def body_templates(count: int = BODY_TEMPLATES) -> list[tuple[str, str, str]]:
    """JSON bodies split at the two places where each request's unique token goes: the
    CMS id, and the end of the content (" #<token>"), so that the service's repeat
    detector sees new texts, as it does on a normal day (a flood of one text is another
    path, not measured here)."""
    out = []
    mark = json.dumps(ID_MARK)[1:-1]
    for sample in samples(count):
        fields = sample.fields()
        fields["content"] += " #" + ID_MARK
        body = json.dumps({"id": ID_MARK, **fields}, ensure_ascii=False)
        parts = body.split(mark)
        assert len(parts) == 3
        assert not any("\t" in p or "\n" in p for p in parts)  # JSON escapes them
        out.append((parts[0], parts[1], parts[2]))
    return out


# ---------------------------------------------------------------------------------------
# Results


@dataclass(slots=True)
class Run:
    """One measurement of one target."""

    target: str  # service | reference
    client: str  # wrk | python | aiohttp | python-open
    seconds: float
    requests: int
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    socket_errors: int = 0
    acked: list[str] = field(default_factory=list, repr=False)
    rate: float | None = None  # the arrival rate asked for (open loop)
    send_lag_p99_ms: float = 0.0  # how late the open-loop client sent (client saturation)

    cpu_us_per_request: float = 0.0  # the server's CPU time per request
    redis_cpu_us_per_request: float = 0.0  # and Redis's (service only)

    def cpu(self, before: tuple[float, float], after: tuple[float, float]) -> None:
        if self.requests:
            self.cpu_us_per_request = (after[0] - before[0]) / self.requests * 1e6
            self.redis_cpu_us_per_request = (after[1] - before[1]) / self.requests * 1e6

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def non_2xx(self) -> int:
        return sum(n for code, n in self.statuses.items() if not 200 <= code < 300)

    def finish(self) -> Run:
        if self.latencies_ms:
            ordered = sorted(self.latencies_ms)
            self.p50_ms = percentile(ordered, 50)
            self.p99_ms = percentile(ordered, 99)
            self.max_ms = ordered[-1]
            self.latencies_ms = []
        return self

    def summary(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "client": self.client,
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 3),
            "p99_ms": round(self.p99_ms, 3),
            "max_ms": round(self.max_ms, 3),
            "requests": self.requests,
            "non_2xx": self.non_2xx,
            "socket_errors": self.socket_errors,
            "cpu_us_per_request": round(self.cpu_us_per_request, 1),
            "redis_cpu_us_per_request": round(self.redis_cpu_us_per_request, 1),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            **({"rate": round(self.rate, 1)} if self.rate is not None else {}),
            **(
                {"send_lag_p99_ms": round(self.send_lag_p99_ms, 3)} if self.rate is not None else {}
            ),
        }


# ---------------------------------------------------------------------------------------
# Load generators


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    port: int
    api_key: str

    def head(self, length: int) -> bytes:
        return (
            f"POST /v1/comments HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            f"Authorization: Bearer {self.api_key}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\n\r\n"
        ).encode()


class Requests:
    """Unique-id intake requests over the body templates."""

    def __init__(self, target: Target, templates: Sequence[tuple[str, str, str]], run: str) -> None:
        self.target = target
        self.templates = [tuple(p.encode() for p in parts) for parts in templates]
        self.run = run
        self.n = 0

    def next(self) -> bytes:
        self.n += 1
        before, middle, after = self.templates[(self.n * 7919) % len(self.templates)]
        token = f"{self.run}-{self.n}".encode()
        body = before + token + middle + token + after
        return self.target.head(len(body)) + body


class _Connection(asyncio.Protocol):
    """A keep-alive HTTP/1.1 client connection, one request at a time, minimal parsing
    (status line, Content-Length, body): far cheaper per request than a full client, so
    the generator leaves the server most of the CPU."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end])
        match = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
        length = int(match.group(1)) if match else 0
        total = end + 4 + length
        if len(self.buffer) < total:
            return
        status = int(head[9:12])
        body = bytes(self.buffer[end + 4 : total])
        del self.buffer[:total]
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result((status, body))

    def connection_lost(self, exc: Exception | None) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(ConnectionError("connection closed"))
        self.transport = None

    async def request(self, data: bytes) -> tuple[int, bytes]:
        if self.transport is None:
            raise ConnectionError("not connected")
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        return await self.waiter

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def _connect(port: int) -> _Connection:
    loop = asyncio.get_running_loop()
    _, protocol = await loop.create_connection(_Connection, "127.0.0.1", port)
    return protocol


def _record(run: Run, status: int, body: bytes, latency_ms: float) -> None:
    run.requests += 1
    run.statuses[status] += 1
    run.latencies_ms.append(latency_ms)
    if status == 202:
        match = ACK_ID_RE.search(body)
        run.acked.append(match.group(1).decode() if match else "?")


def _targets(targets: Target | Sequence[Target]) -> list[Target]:
    """One target, or several that share the load (the instances of one deployment,
    named alike): connection or request ``i`` goes to target ``i % len``."""
    out = [targets] if isinstance(targets, Target) else list(targets)
    if not out:
        raise ValueError("no target")
    return out


def _generators(
    targets: Sequence[Target], templates: Sequence[tuple[str, str, str]]
) -> list[Requests]:
    # a token of its own per target: two instances of one site must never see one CMS id
    return [Requests(t, templates, secrets.token_hex(4)) for t in targets]


async def closed_loop_python(
    targets: Target | Sequence[Target],
    templates: Sequence[tuple[str, str, str]],
    connections: int,
    seconds: float,
) -> Run:
    """``connections`` clients, each sending its next request when the last is answered;
    at the deadline every client finishes the request it has in flight, so each comment
    sent is either acknowledged or refused, none left in doubt.  With several targets the
    connections alternate between them."""
    ts = _targets(targets)
    gens = _generators(ts, templates)
    run = Run(ts[0].name, "python", seconds, 0)
    conns = [await _connect(ts[i % len(ts)].port) for i in range(connections)]
    clock = time.perf_counter
    started = clock()
    deadline = started + seconds

    async def client(conn: _Connection, gen: Requests) -> None:
        while clock() < deadline:
            data = gen.next()
            sent = clock()
            try:
                status, body = await conn.request(data)
            except ConnectionError:
                run.socket_errors += 1
                return
            _record(run, status, body, (clock() - sent) * 1000)

    try:
        await asyncio.gather(*(client(c, gens[i % len(gens)]) for i, c in enumerate(conns)))
    finally:
        for conn in conns:
            conn.close()
    run.seconds = clock() - started
    return run.finish()


async def closed_loop_aiohttp(
    targets: Target | Sequence[Target],
    templates: Sequence[tuple[str, str, str]],
    connections: int,
    seconds: float,
) -> Run:
    """The same closed loop through aiohttp's client (for comparison; costs the
    generator several times more CPU per request than the minimal client)."""
    import aiohttp

    ts = _targets(targets)
    gens = _generators(ts, templates)
    run = Run(ts[0].name, "aiohttp", seconds, 0)
    clock = time.perf_counter
    started = clock()
    deadline = started + seconds
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def client(k: int) -> None:
            gen = gens[k % len(gens)]
            url = f"http://127.0.0.1:{gen.target.port}/v1/comments"
            headers = {
                "Authorization": f"Bearer {gen.target.api_key}",
                "Content-Type": "application/json",
            }
            while clock() < deadline:
                data = gen.next()
                body = data[data.index(b"\r\n\r\n") + 4 :]
                sent = clock()
                try:
                    async with session.post(url, data=body, headers=headers) as resp:
                        answer = await resp.read()
                except aiohttp.ClientError:
                    run.socket_errors += 1
                    return
                _record(run, resp.status, answer, (clock() - sent) * 1000)

        await asyncio.gather(*(client(k) for k in range(connections)))
    run.seconds = clock() - started
    return run.finish()


async def open_loop_python(
    targets: Target | Sequence[Target],
    templates: Sequence[tuple[str, str, str]],
    rate: float,
    seconds: float,
    max_connections: int = 512,
) -> Run:
    """Requests at a fixed arrival rate, whatever the server does: request i is due at
    ``start + i / rate`` and its latency counts from then, so time spent waiting for a
    free connection (queueing) is part of it.  Connections are opened as needed (up to
    ``max_connections`` per target); with several targets, request i goes to target
    ``i % len``."""
    ts = _targets(targets)
    gens = _generators(ts, templates)
    run = Run(ts[0].name, "python-open", seconds, 0, rate=rate)
    loop = asyncio.get_running_loop()
    pools: list[list[_Connection]] = []
    for t in ts:
        pools.append([await _connect(t.port) for _ in range(16)])
    opened = [len(pool) for pool in pools]
    freed = [asyncio.Condition() for _ in ts]
    lags: list[float] = []
    tasks: set[asyncio.Task[None]] = set()

    async def one(due: float, k: int) -> None:
        idle, gen = pools[k], gens[k]
        if not idle and opened[k] < max_connections:
            opened[k] += 1
            idle.append(await _connect(gen.target.port))
        async with freed[k]:
            await freed[k].wait_for(lambda: bool(idle))
            conn = idle.pop()
        lags.append((loop.time() - due) * 1000)
        try:
            status, body = await conn.request(gen.next())
        except ConnectionError:
            run.socket_errors += 1
            return
        _record(run, status, body, (loop.time() - due) * 1000)
        idle.append(conn)
        async with freed[k]:
            freed[k].notify()

    started = loop.time()
    end = started + seconds
    i = 0
    while True:
        due = started + i / rate
        if due >= end:
            break
        now = loop.time()
        if due > now:
            await asyncio.sleep(due - now)
            continue
        task = loop.create_task(one(due, i % len(ts)))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        i += 1
    if tasks:
        await asyncio.gather(*tasks)
    run.seconds = loop.time() - started
    lags.sort()
    run.send_lag_p99_ms = percentile(lags, 99)
    for pool in pools:
        for conn in pool:
            conn.close()
    return run.finish()


def closed_loop_wrk(
    targets: Target | Sequence[Target],
    bodies_file: Path,
    connections: int,
    seconds: float,
    workdir: Path,
    children: Children,
) -> Run:
    """wrk, one thread (the machine has two cores: one for the server, one for the load),
    ``connections`` keep-alive connections, ``bench/wrk/intake.lua``.  With several
    targets, one wrk process per target at once, the connections split between them; the
    rate is their sum, and p50/p99/max the worst of the processes (percentiles of separate
    processes cannot be merged exactly)."""
    ts = _targets(targets)
    per_target = max(1, connections // len(ts))
    started: list[tuple[subprocess.Popen[bytes], Path, Path]] = []
    for target in ts:
        token = secrets.token_hex(4)
        out, log_path = workdir / f"wrk-{token}.txt", workdir / f"wrk-{token}.log"
        env = {
            **clean_env(),
            "BENCH_BODIES": str(bodies_file),
            "BENCH_RUN": secrets.token_hex(4),
            "BENCH_KEY": target.api_key,
            "BENCH_OUT": str(out),
        }
        args = [
            "wrk",
            "-t1",
            f"-c{per_target}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "5s",
            "-s",
            str(WRK_SCRIPT),
            f"http://127.0.0.1:{target.port}/v1/comments",
        ]
        started.append((children.start(args, log_path=log_path, env=env), out, log_path))
    run = Run(ts[0].name, "wrk", 0.0, 0)
    for process, out, log_path in started:
        try:
            process.wait(seconds + 60)
        finally:
            children.stop(process, grace=2)
            children.processes.remove(process)
        if process.returncode != 0 or not out.exists():
            tail = log_path.read_text(errors="replace")[-800:]
            raise RuntimeError(f"wrk failed (exit {process.returncode}): {tail}")
        values: dict[str, int] = {}
        for line in out.read_text().splitlines():
            kind, _, rest = line.partition(" ")
            if kind == "ack":
                run.acked.append(rest)
            elif kind == "status":
                code, n = rest.split()
                run.statuses[int(code)] += int(n)
            else:
                values[kind] = int(rest)
        out.unlink()
        run.requests += values["requests"]
        run.seconds = max(run.seconds, values["duration_us"] / 1e6)
        run.p50_ms = max(run.p50_ms, values["p50_us"] / 1000)
        run.p99_ms = max(run.p99_ms, values["p99_us"] / 1000)
        run.max_ms = max(run.max_ms, values["max_us"] / 1000)
        run.socket_errors += sum(values[k] for k in values if k.startswith("errors_"))
    return run


# ---------------------------------------------------------------------------------------
# The servers


CONFIG_TEMPLATE = """\
[server]
host = "127.0.0.1"
port = {port}

[intake]
batch_wait_ms = {batch_wait_ms}
batch_max = {batch_max}

{redis}
[[sites]]
id = "{site}"
api_key = "{api_key}"
"""


@dataclass(slots=True)
class Servers:
    service: Target
    reference: Target
    data_dir: Path
    redis_url: str
    service_pids: list[int]  # the service and its workers (not Redis)
    reference_pid: int
    redis_pid: int | None


def start_servers(args: argparse.Namespace, workdir: Path, children: Children) -> Servers:
    env = clean_env()
    api_key = secrets.token_urlsafe(32)
    data_dir = workdir / "data"
    data_dir.mkdir()
    service_port, reference_port = free_port(), free_port()
    config = workdir / "moderation.toml"
    config.write_text(
        CONFIG_TEMPLATE.format(
            port=service_port,
            site=SITE,
            api_key=api_key,
            batch_wait_ms=args.batch_wait_ms,
            batch_max=args.batch_max,
            redis="",
        )
    )
    service_log = workdir / "service.log"
    service = children.start(
        _serve_argv(args, config, data_dir),
        log_path=service_log,
        env=env,
    )
    reference_log = workdir / "reference.log"
    reference = children.start(
        [
            sys.executable,
            str(REPO / "bench" / "reference_server.py"),
            "--port",
            str(reference_port),
        ],
        log_path=reference_log,
        env=env,
    )
    wait_ready(reference_port, reference, reference_log, 30)
    wait_ready(service_port, service, service_log, 180)  # the default model trains at start
    redis_url = embedded_server(data_dir).url  # where the service's embedded Redis is
    redis_pid = _redis_pid(redis_url)
    if redis_pid:
        children.orphans.append(redis_pid)  # killed if it outlives the service
    service_pids = [service.pid] + [p for p in descendants(service.pid) if p != redis_pid]
    return Servers(
        service=Target("service", service_port, api_key),
        reference=Target("reference", reference_port, api_key),
        data_dir=data_dir,
        redis_url=redis_url,
        service_pids=service_pids,
        reference_pid=reference.pid,
        redis_pid=redis_pid,
    )


def _redis_pid(url: str) -> int | None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        return int(client.info("server")["process_id"])
    finally:
        client.close()


def loss_check(
    redis_url: str, acked: Sequence[str], site: str = SITE, cluster: bool = False
) -> dict[str, int]:
    """How many acknowledged comments Redis holds, and how many comments the site has.
    On a cluster through redis-py's cluster client, which asks each key's master (all of
    a site's keys share its hash tag, so one slot, so one master)."""
    import redis
    from redis.cluster import RedisCluster

    client: redis.Redis | RedisCluster = (
        RedisCluster.from_url(redis_url, decode_responses=True)
        if cluster
        else redis.Redis.from_url(redis_url, decode_responses=True)
    )
    try:
        found = 0
        for i in range(0, len(acked), 2000):
            pipe = client.pipeline(transaction=False)
            for comment_id in acked[i : i + 2000]:
                pipe.exists(keys.comment(site, comment_id))
            found += sum(int(x) for x in pipe.execute())
        stored = int(client.hlen(keys.external_ids(site)))
        pending = int(client.zcard(keys.by_status(site, "pending")))
    finally:
        client.close()
    return {
        "acknowledged": len(acked),
        "stored": stored,
        "acknowledged_stored": found,
        "lost": len(acked) - found,
        "stored_unacknowledged": stored - found,
        "pending_index": pending,
    }


def scoring_batches(port: int) -> dict[str, float]:
    """Mean scoring batch size from the service's own metrics, and how many comments
    were scored from its cache (0 here: every benchmark comment has a unique text)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
            text = resp.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return {}
    values: dict[str, float] = {}
    for line in text.splitlines():
        for name in (
            "moderation_scoring_batch_size_sum",
            "moderation_scoring_batch_size_count",
            "moderation_score_cache_hits_total",
        ):
            if line.startswith(name + " "):
                values[name] = values.get(name, 0.0) + float(line.split()[1])
    count = values.get("moderation_scoring_batch_size_count", 0.0)
    total = values.get("moderation_scoring_batch_size_sum", 0.0)
    return {
        "batches": count,
        "mean_batch": round(total / count, 2) if count else 0.0,
        "score_cache_hits": values.get("moderation_score_cache_hits_total", 0.0),
    }


# ---------------------------------------------------------------------------------------
# The benchmark


def start_profiler(
    pid: int, out: Path, seconds: float, children: Children
) -> subprocess.Popen[bytes]:
    """py-spy on ``pid`` (and its worker processes) for most of one measurement, in
    non-blocking mode so the profiler does not pause the server it measures."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        raise SystemExit("bench/intake.py: --profile needs py-spy (pip install py-spy)")
    out.parent.mkdir(parents=True, exist_ok=True)
    args = [spy, "record", "--pid", str(pid), "--subprocesses", "--nonblocking"]
    args += ["--rate", "250", "--duration", str(max(1, int(seconds) - 1))]
    args += ["--format", "raw", "-o", str(out)]
    return children.start(args, log_path=out.with_suffix(".log"), env=clean_env())


def choose_client(requested: str) -> str:
    if requested == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    if requested == "wrk" and not shutil.which("wrk"):
        raise SystemExit("bench/intake.py: --client wrk but wrk is not on PATH")
    return requested


def pin_load_side(args: argparse.Namespace) -> tuple[int, int] | None:
    """With one worker and two or more CPUs allowed, run the load side (this process,
    wrk, the Python client, the service's Redis) on one CPU and each server on another,
    as the issue describes the setup ("the load generator uses the other core").  Both
    servers get the same treatment, measured alternately; without pinning the scheduler
    moves the server onto the load's core whenever it wakes Redis or wrk, and the ratio
    then measures scheduling luck as much as code.  Returns (server CPU, load CPU): the
    first two CPUs this process may use (a cpuset or taskset is respected), preferring two
    that are not hyperthreads of one core."""
    allowed = sorted(os.sched_getaffinity(0))
    if args.no_pin or args.workers != 1 or len(allowed) < 2:
        return None
    server_cpu = allowed[0]
    core = _core_of(server_cpu)
    load_cpu = next((c for c in allowed[1:] if _core_of(c) != core), allowed[1])
    os.sched_setaffinity(0, {load_cpu})
    return server_cpu, load_cpu


def _core_of(cpu: int) -> str:
    """The physical core a CPU belongs to (its siblings list), or the CPU itself."""
    path = Path(f"/sys/devices/system/cpu/cpu{cpu}/topology/thread_siblings_list")
    try:
        return path.read_text().strip()
    except OSError:
        return str(cpu)


def pin_servers(servers: Servers, cpus: tuple[int, int]) -> None:
    """The servers (started pinned to the load's CPU) move to their own CPU; the
    embedded Redis, started by the service before this, stays with the load."""
    server_cpu, load_cpu = cpus
    for pid in [*servers.service_pids, servers.reference_pid]:
        for task in Path(f"/proc/{pid}/task").iterdir():  # every thread of the process
            with contextlib.suppress(ProcessLookupError, FileNotFoundError):
                os.sched_setaffinity(int(task.name), {server_cpu})
    log(f"pinned: servers on CPU {server_cpu}; load generator and Redis on CPU {load_cpu}")


def run_benchmark(args: argparse.Namespace) -> dict[str, Any]:
    client = choose_client(args.client)
    templates = body_templates()
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp, Children() as children:
        workdir = Path(tmp)
        bodies_file = workdir / "bodies.tsv"
        bodies_file.write_text(
            "".join("\t".join(parts) + "\n" for parts in templates), encoding="utf-8"
        )
        log(f"starting the service ({args.workers} worker(s)) and the reference ...")
        cpus = pin_load_side(args)  # before any child starts: they inherit it
        servers = start_servers(args, workdir, children)
        if cpus is not None:
            pin_servers(servers, cpus)
        targets = {"service": servers.service, "reference": servers.reference}
        acked: list[str] = []

        def cpu(name: str) -> tuple[float, float]:
            """CPU seconds so far of the server behind ``name``, and of Redis."""
            if name == "reference":
                return cpu_seconds([servers.reference_pid]), 0.0
            redis_cpu = cpu_seconds([servers.redis_pid]) if servers.redis_pid else 0.0
            return cpu_seconds(servers.service_pids), redis_cpu

        def closed(target: Target, seconds: float) -> Run:
            before = cpu(target.name)
            if client == "wrk":
                run = closed_loop_wrk(
                    target, bodies_file, args.connections, seconds, workdir, children
                )
            elif client == "aiohttp":
                run = asyncio.run(closed_loop_aiohttp(target, templates, args.connections, seconds))
            else:
                run = asyncio.run(closed_loop_python(target, templates, args.connections, seconds))
            if target.name == "service":
                acked.extend(run.acked)
            run.cpu(before, cpu(target.name))
            return run

        if args.warmup > 0:
            for name in ("reference", "service"):
                log(f"warm-up: {name}, {args.warmup:g} s")
                closed(targets[name], args.warmup)

        runs: dict[str, list[Run]] = {"service": [], "reference": []}
        for i in range(args.repeat):
            for name in ("reference", "service"):
                spy = None
                if args.profile and i == 0:
                    pid = servers.service_pids[0] if name == "service" else servers.reference_pid
                    spy = start_profiler(pid, args.profile / f"{name}.txt", args.duration, children)
                run = closed(targets[name], args.duration)
                if spy is not None:
                    spy.wait(30)
                    children.processes.remove(spy)
                runs[name].append(run)
                log(
                    f"[{i + 1}/{args.repeat}] {name:9} {client}: {run.rps:8.0f} req/s  "
                    f"p50 {run.p50_ms:6.2f} ms  p99 {run.p99_ms:6.2f} ms  "
                    f"max {run.max_ms:7.2f} ms  non-2xx {run.non_2xx}  "
                    f"cpu {run.cpu_us_per_request:.0f}+{run.redis_cpu_us_per_request:.0f} µs/req"
                )

        peak = median([r.rps for r in runs["service"]])
        rate = args.half_rate if args.half_rate else peak / 2
        open_runs: dict[str, list[Run]] = {"service": [], "reference": []}
        for i in range(args.repeat):
            for name in ("reference", "service"):
                run = asyncio.run(open_loop_python(targets[name], templates, rate, args.duration))
                if name == "service":
                    acked.extend(run.acked)
                open_runs[name].append(run)
                log(
                    f"[{i + 1}/{args.repeat}] {name:9} open loop at {rate:.0f}/s: "
                    f"{run.rps:8.0f} req/s  p50 {run.p50_ms:6.2f} ms  "
                    f"p99 {run.p99_ms:6.2f} ms  max {run.max_ms:7.2f} ms  "
                    f"client lag p99 {run.send_lag_p99_ms:.2f} ms  non-2xx {run.non_2xx}"
                )

        profiles: dict[str, dict[str, float]] = {}
        if args.profile:
            for name in ("reference", "service"):
                path = args.profile / f"{name}.txt"
                if path.exists():
                    log(render(path))
                    total, categories, _ = breakdown(path)
                    profiles[name] = {
                        k: round(100 * v / total, 1) for k, v in categories.most_common()
                    }
        batches = scoring_batches(servers.service.port)
        time.sleep(0.2)
        loss = loss_check(servers.redis_url, acked)
        if args.keep_logs:
            args.keep_logs.mkdir(parents=True, exist_ok=True)
            for name in ("service.log", "reference.log"):
                if (workdir / name).exists():
                    shutil.copy(workdir / name, args.keep_logs / name)
        log("stopping ...")
        children.stop_all()

    def med(values: list[float]) -> float:
        return round(median(values), 3)

    service_rps = med([r.rps for r in runs["service"]])
    reference_rps = med([r.rps for r in runs["reference"]])
    return {
        "date": time.strftime("%Y-%m-%d"),
        "client": client,
        "workers": args.workers,
        "pinned": cpus is not None,
        "connections": args.connections,
        "duration_s": args.duration,
        "repeat": args.repeat,
        "service_rps": round(service_rps, 1),
        "reference_rps": round(reference_rps, 1),
        "ratio": round(service_rps / reference_rps, 3) if reference_rps else 0.0,
        "ratios": [
            round(s.rps / r.rps, 3) for s, r in zip(runs["service"], runs["reference"], strict=True)
        ],
        "service_p50_ms": med([r.p50_ms for r in runs["service"]]),
        "service_p99_ms_at_peak": med([r.p99_ms for r in runs["service"]]),
        "service_max_ms_at_peak": med([r.max_ms for r in runs["service"]]),
        "service_cpu_us_per_request": med([r.cpu_us_per_request for r in runs["service"]]),
        "redis_cpu_us_per_request": med([r.redis_cpu_us_per_request for r in runs["service"]]),
        "reference_cpu_us_per_request": med([r.cpu_us_per_request for r in runs["reference"]]),
        "reference_p50_ms": med([r.p50_ms for r in runs["reference"]]),
        "reference_p99_ms": med([r.p99_ms for r in runs["reference"]]),
        "half_peak_rate": round(rate, 1),
        "p99_ms": med([r.p99_ms for r in open_runs["service"]]),
        "p50_ms_at_half_peak": med([r.p50_ms for r in open_runs["service"]]),
        "max_ms_at_half_peak": med([r.max_ms for r in open_runs["service"]]),
        "reference_p99_ms_at_half_peak": med([r.p99_ms for r in open_runs["reference"]]),
        "non_2xx": sum(r.non_2xx for r in runs["service"] + open_runs["service"]),
        "socket_errors": sum(r.socket_errors for r in runs["service"] + open_runs["service"]),
        **loss,
        **batches,
        **({"profile_percent": profiles} if profiles else {}),
        "targets": {
            "ratio": TARGET_RATIO,
            "p99_ms_at_half_peak": TARGET_P99_MS,
            "stored_equals_acknowledged": True,
        },
        "runs": [r.summary() for name in ("reference", "service") for r in runs[name]]
        + [r.summary() for name in ("reference", "service") for r in open_runs[name]],
    }


def report(result: dict[str, Any]) -> str:
    ok = "met"
    no = "NOT met"
    lines = [
        f"client {result['client']}, {result['connections']} connections, "
        f"{result['duration_s']:g} s per run, median of {result['repeat']}, "
        f"{result['workers']} worker(s)",
        f"reference : {result['reference_rps']:8.0f} req/s  p50 {result['reference_p50_ms']:.2f} ms"
        f"  p99 {result['reference_p99_ms']:.2f} ms",
        f"service   : {result['service_rps']:8.0f} req/s  p50 {result['service_p50_ms']:.2f} ms"
        f"  p99 {result['service_p99_ms_at_peak']:.2f} ms"
        f"  max {result['service_max_ms_at_peak']:.2f} ms",
        f"ratio     : {result['ratio']:.3f} (runs {result['ratios']}; target ≥ {TARGET_RATIO}: "
        f"{ok if result['ratio'] >= TARGET_RATIO else no})",
        f"half peak : {result['half_peak_rate']:.0f} req/s open loop: p50 "
        f"{result['p50_ms_at_half_peak']:.2f} ms  p99 {result['p99_ms']:.2f} ms  max "
        f"{result['max_ms_at_half_peak']:.2f} ms (target p99 ≤ {TARGET_P99_MS:g} ms: "
        f"{ok if result['p99_ms'] <= TARGET_P99_MS else no}; reference p99 "
        f"{result['reference_p99_ms_at_half_peak']:.2f} ms)",
        f"loss check: {result['acknowledged']} acknowledged, {result['stored']} stored, "
        f"{result['lost']} acknowledged but missing, {result['stored_unacknowledged']} stored "
        f"without a 202 reaching the client (in flight when the client stopped) -> "
        f"{ok if result['lost'] == 0 else 'LOST COMMENTS'}",
        f"cpu       : service {result['service_cpu_us_per_request']:.0f} µs/request (+ Redis "
        f"{result['redis_cpu_us_per_request']:.0f}), reference "
        f"{result['reference_cpu_us_per_request']:.0f} µs/request",
        f"errors    : {result['non_2xx']} non-2xx, {result['socket_errors']} socket errors; "
        f"mean scoring batch {result.get('mean_batch', 0)}, "
        f"scored from cache {result.get('score_cache_hits', 0):g}",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# --cluster: one Redis, the local cluster, two instances on it


@dataclass(slots=True)
class Deployment:
    """One configuration measured by ``--cluster``: one or more instances of the service
    on one Redis or on the cluster, each site of its own, so that each has its own loss
    check."""

    name: str
    description: str
    site: str
    redis_url: str
    cluster: bool
    targets: list[Target]
    pids: list[int]  # the instances (and their workers)
    redis_pids: list[int]  # the Redis behind them (shared by the cluster's deployments)
    acked: list[str] = field(default_factory=list, repr=False)


def _serve_argv(args: argparse.Namespace, config: Path, data_dir: Path) -> list[str]:
    """``moderation serve`` on ``config`` and ``data_dir``, with the run's options."""
    moderation = Path(sys.executable).with_name("moderation")
    command = [str(moderation)] if moderation.exists() else [sys.executable, "-m", "moderation"]
    return [
        *command,
        "serve",
        "--config",
        str(config),
        "--data-dir",
        str(data_dir),
        "--workers",
        str(args.workers),
        "--log-level",
        args.log_level,
    ]


def start_instance(
    args: argparse.Namespace,
    workdir: Path,
    children: Children,
    *,
    name: str,
    site: str,
    api_key: str,
    redis_section: str,
) -> tuple[subprocess.Popen[bytes], int, Path]:
    """Start one ``moderation serve`` (its own port, data folder and config); returns the
    process, its port and its log, without waiting for it (instances train the default
    model at start, so they start together and are waited for together)."""
    port = free_port()
    data_dir = workdir / f"data-{name}"
    data_dir.mkdir()
    config = workdir / f"{name}.toml"
    config.write_text(
        CONFIG_TEMPLATE.format(
            port=port,
            site=site,
            api_key=api_key,
            batch_wait_ms=args.batch_wait_ms,
            batch_max=args.batch_max,
            redis=redis_section,
        )
    )
    log_path = workdir / f"{name}.log"
    process = children.start(
        _serve_argv(args, config, data_dir),
        log_path=log_path,
        env=clean_env(),
    )
    return process, port, log_path


def _redis_section(url: str, cluster: bool, ack_replicas: int) -> str:
    lines = ["[redis]", f'url = "{url}"']
    if cluster:
        lines.append("cluster = true")
    if ack_replicas:
        lines.append(f"ack_replicas = {ack_replicas}")
    return "\n".join(lines) + "\n"


def machine_note() -> dict[str, Any]:
    """What the numbers were measured on: CPUs (all of them shared by the servers, the
    Redis processes and the load generator) and the load average."""
    return {
        "cpu_count": os.cpu_count(),
        "cpus_allowed": len(os.sched_getaffinity(0)),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def run_cluster_benchmark(args: argparse.Namespace) -> dict[str, Any]:
    """The ``--cluster`` run: reference, (a) one instance on one Redis, (b) one instance
    on the local cluster, (c) two instances on the cluster, (d) (b) with ``ack_replicas``,
    all measured alternately with the same load generator.

    No CPU pinning here: two instances pinned to one CPU would measure nothing, and six
    redis-server processes pinned beside the load generator would starve it.  The
    scheduler places everything on the machine's CPUs, the same way for every
    configuration."""
    client = choose_client(args.client)
    templates = body_templates()
    machine_before = machine_note()
    log(
        f"machine: {machine_before['cpu_count']} CPUs ({machine_before['cpus_allowed']} "
        f"allowed), load average {machine_before['load_average']}; the servers, every "
        "redis-server (1 + the cluster's 6) and the load generator share them"
    )
    with (
        tempfile.TemporaryDirectory(prefix="bench-intake-cluster-") as tmp,
        Children() as children,
        contextlib.ExitStack() as stack,
    ):
        workdir = Path(tmp)
        bodies_file = workdir / "bodies.tsv"
        bodies_file.write_text(
            "".join("\t".join(parts) + "\n" for parts in templates), encoding="utf-8"
        )
        # (a)'s Redis: the embedded server's settings (AOF, appendfsync always), but on TCP
        # loopback like the cluster's nodes, so (a) and (b) differ by the cluster alone.
        single = RedisServer(workdir / "redis", persistent=True, unix_socket=False)
        stack.callback(single.stop)
        log("starting one redis-server and a local cluster (3 masters + 3 replicas) ...")
        single.start()
        cluster = LocalCluster(workdir / "cluster")
        stack.callback(cluster.stop)
        cluster.start(timeout=60)
        # Registered last, so it runs first: the services stop before their Redis does.
        stack.callback(children.stop_all)
        assert single.process is not None
        single_pids = [single.process.pid]
        cluster_pids = [n.process.pid for n in cluster.nodes if n.process is not None]

        reference_port = free_port()
        reference_log = workdir / "reference.log"
        reference = children.start(
            [
                sys.executable,
                str(REPO / "bench" / "reference_server.py"),
                "--port",
                str(reference_port),
            ],
            log_path=reference_log,
            env=clean_env(),
        )
        plans: list[tuple[str, str, str, str, bool, int, int]] = [
            # name, description, site, url, cluster, ack_replicas, instances
            ("single", "1 instance, 1 Redis", "bench-single", single.url, False, 0, 1),
            ("cluster", "1 instance, cluster", "bench-cluster", cluster.url, True, 0, 1),
            ("cluster-x2", "2 instances, cluster", "bench-cluster-x2", cluster.url, True, 0, 2),
        ]
        if args.ack_replicas:
            plans.append(
                (
                    f"cluster-acks{args.ack_replicas}",
                    f"1 instance, cluster, ack_replicas = {args.ack_replicas}",
                    "bench-cluster-acks",
                    cluster.url,
                    True,
                    args.ack_replicas,
                    1,
                )
            )
        log(f"starting {sum(p[-1] for p in plans)} service instances and the reference ...")
        pending: list[tuple[Deployment, subprocess.Popen[bytes], int, Path]] = []
        deployments: dict[str, Deployment] = {}
        for name, description, site, url, on_cluster, acks, count in plans:
            api_key = secrets.token_urlsafe(32)
            deployment = Deployment(
                name,
                description,
                site,
                url,
                on_cluster,
                [],
                [],
                cluster_pids if on_cluster else single_pids,
            )
            for i in range(count):
                process, port, log_path = start_instance(
                    args,
                    workdir,
                    children,
                    name=f"{name}-{i + 1}",
                    site=site,
                    api_key=api_key,
                    redis_section=_redis_section(url, on_cluster, acks),
                )
                deployment.targets.append(Target(name, port, api_key))
                pending.append((deployment, process, port, log_path))
            deployments[name] = deployment
        wait_ready(reference_port, reference, reference_log, 30)
        for deployment, process, port, log_path in pending:
            wait_ready(port, process, log_path, 240)  # several train the default model at once
            deployment.pids += [process.pid, *descendants(process.pid)]
        reference_target = Target("reference", reference_port, "-")

        def closed(targets: list[Target], seconds: float) -> Run:
            if client == "wrk":
                return closed_loop_wrk(
                    targets, bodies_file, args.connections, seconds, workdir, children
                )
            if client == "aiohttp":
                return asyncio.run(
                    closed_loop_aiohttp(targets, templates, args.connections, seconds)
                )
            return asyncio.run(closed_loop_python(targets, templates, args.connections, seconds))

        def measure(name: str, run_once: Callable[[list[Target]], Run]) -> Run:
            if name == "reference":
                pids, redis_pids, targets = [reference.pid], [], [reference_target]
            else:
                d = deployments[name]
                pids, redis_pids, targets = d.pids, d.redis_pids, d.targets
            before = (cpu_seconds(pids), cpu_seconds(redis_pids))
            run = run_once(targets)
            run.cpu(before, (cpu_seconds(pids), cpu_seconds(redis_pids)))
            if name != "reference":
                deployments[name].acked.extend(run.acked)
            return run

        order = ["reference", *deployments]
        if args.warmup > 0:
            for name in order:
                log(f"warm-up: {name}, {args.warmup:g} s")
                measure(name, lambda ts: closed(ts, args.warmup))

        runs: dict[str, list[Run]] = {name: [] for name in order}
        for i in range(args.repeat):
            for name in order:
                run = measure(name, lambda ts: closed(ts, args.duration))
                runs[name].append(run)
                log(
                    f"[{i + 1}/{args.repeat}] {name:15} {client}: {run.rps:8.0f} req/s  "
                    f"p50 {run.p50_ms:6.2f} ms  p99 {run.p99_ms:6.2f} ms  "
                    f"max {run.max_ms:7.2f} ms  non-2xx {run.non_2xx}  "
                    f"cpu {run.cpu_us_per_request:.0f}+{run.redis_cpu_us_per_request:.0f} µs/req"
                )

        # One arrival rate for every configuration (half of (a)'s peak), so that their
        # tails are compared at the same load.
        rate = args.half_rate or median([r.rps for r in runs["single"]]) / 2
        open_runs: dict[str, list[Run]] = {name: [] for name in order}
        if not args.no_open_loop:
            for i in range(args.repeat):
                for name in order:
                    run = measure(
                        name,
                        lambda ts: asyncio.run(
                            open_loop_python(ts, templates, rate, args.duration)
                        ),
                    )
                    open_runs[name].append(run)
                    log(
                        f"[{i + 1}/{args.repeat}] {name:15} open loop at {rate:.0f}/s: "
                        f"{run.rps:8.0f} req/s  p50 {run.p50_ms:6.2f} ms  "
                        f"p99 {run.p99_ms:6.2f} ms  max {run.max_ms:7.2f} ms  "
                        f"client lag p99 {run.send_lag_p99_ms:.2f} ms  non-2xx {run.non_2xx}"
                    )

        time.sleep(0.2)
        losses = {
            name: loss_check(d.redis_url, d.acked, site=d.site, cluster=d.cluster)
            for name, d in deployments.items()
        }
        if args.keep_logs:
            args.keep_logs.mkdir(parents=True, exist_ok=True)
            for path in workdir.glob("*.log"):
                shutil.copy(path, args.keep_logs / path.name)
        log("stopping ...")

    def med(values: list[float]) -> float:
        return round(median(values), 3)

    rows: list[dict[str, Any]] = []
    for name in order:
        closed_runs, opened = runs[name], open_runs[name]
        d = deployments.get(name)
        rows.append(
            {
                "name": name,
                "description": d.description if d else "bare aiohttp reference",
                "instances": len(d.targets) if d else 1,
                "rps": round(median([r.rps for r in closed_runs]), 1),
                "p50_ms": med([r.p50_ms for r in closed_runs]),
                "p99_ms": med([r.p99_ms for r in closed_runs]),
                "max_ms": med([r.max_ms for r in closed_runs]),
                "cpu_us_per_request": med([r.cpu_us_per_request for r in closed_runs]),
                "redis_cpu_us_per_request": med([r.redis_cpu_us_per_request for r in closed_runs]),
                **(
                    {
                        "open_p50_ms": med([r.p50_ms for r in opened]),
                        "open_p99_ms": med([r.p99_ms for r in opened]),
                        "open_client_lag_p99_ms": med([r.send_lag_p99_ms for r in opened]),
                    }
                    if opened
                    else {}
                ),
                "non_2xx": sum(r.non_2xx for r in closed_runs + opened),
                "socket_errors": sum(r.socket_errors for r in closed_runs + opened),
                **(losses[name] if name in losses else {}),
            }
        )
    return {
        "mode": "cluster",
        "date": time.strftime("%Y-%m-%d"),
        "client": client,
        "workers": args.workers,
        "pinned": False,
        "connections": args.connections,
        "duration_s": args.duration,
        "repeat": args.repeat,
        "open_loop_rate": round(rate, 1) if not args.no_open_loop else None,
        "machine": machine_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "lost": sum(v["lost"] for v in losses.values()),
        "configurations": rows,
        "runs": [r.summary() for name in order for r in runs[name] + open_runs[name]],
    }


def report_cluster(result: dict[str, Any]) -> str:
    machine = result["machine"]
    rate = result["open_loop_rate"]
    lines = [
        f"client {result['client']}, {result['connections']} connections (split across the "
        f"instances of a configuration), {result['duration_s']:g} s per run, median of "
        f"{result['repeat']}, {result['workers']} worker(s) per instance, no CPU pinning",
        f"machine: os.cpu_count() = {machine['cpu_count']} ({machine['cpus_allowed']} allowed), "
        f"load average {machine['load_average']} before, {result['load_average_after']} after.",
        "The instances, the load generator and every redis-server share these CPUs: the "
        "cluster's six nodes (3 masters + 3 replicas, AOF appendfsync always) run on the "
        "same cores, so the cluster figures measure its overhead, not scale-out.",
        "",
        f"{'configuration':36} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
        + (f"{'open p99':>9} " if rate else "")
        + f"{'cpu µs/req':>12}  loss check",
    ]
    for row in result["configurations"]:
        loss = (
            f"{row['acknowledged']} acked, {row['lost']} lost, "
            f"{row['stored_unacknowledged']} stored unacked"
            if "lost" in row
            else "-"
        )
        lines.append(
            f"{row['name'] + ' (' + row['description'] + ')':36} {row['rps']:8.0f} "
            f"{row['p50_ms']:7.2f} {row['p99_ms']:7.2f} "
            + (f"{row.get('open_p99_ms', 0):9.2f} " if rate else "")
            + f"{row['cpu_us_per_request']:6.0f}+{row['redis_cpu_us_per_request']:<5.0f}  "
            f"{loss}"
            + (f"; {row['non_2xx']} non-2xx" if row["non_2xx"] else "")
            + (f"; {row['socket_errors']} socket errors" if row["socket_errors"] else "")
        )
    if rate:
        lines.append(
            f"open p99: open loop at {rate:.0f} req/s (half of 'single''s peak) for every "
            "configuration, latency from each request's scheduled send time"
        )
    lines.append(
        "cpu: the instances' CPU per request + their Redis's (for the cluster: all six "
        "nodes, replication included)"
    )
    lines.append(
        f"loss check -> {'met' if result['lost'] == 0 else 'LOST COMMENTS'} "
        "(on the cluster read through redis.cluster.RedisCluster)"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up seconds per server")
    parser.add_argument("--connections", type=int, default=64, help="closed-loop concurrency")
    parser.add_argument("--workers", type=int, default=1, help="service worker processes")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (median)")
    parser.add_argument(
        "--client",
        choices=("auto", "wrk", "python", "aiohttp"),
        default="auto",
        help="closed-loop load generator (auto: wrk if on PATH)",
    )
    parser.add_argument(
        "--half-rate",
        type=float,
        default=None,
        help="open-loop arrival rate (default: half the measured service peak)",
    )
    parser.add_argument("--batch-wait-ms", type=float, default=1.0, help="[intake] batch_wait_ms")
    parser.add_argument("--batch-max", type=int, default=64, help="[intake] batch_max")
    parser.add_argument("--log-level", default="INFO", help="the service's log level")
    parser.add_argument("--keep-logs", type=Path, help="copy the servers' logs here")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="py-spy both servers during the first measurement; raw profiles go to DIR",
    )
    parser.add_argument(
        "--no-pin",
        action="store_true",
        help="leave CPU placement to the scheduler (default with one worker: servers on "
        "CPU 0, load generator and Redis on CPU 1)",
    )
    parser.add_argument(
        "--cluster",
        action="store_true",
        help="also measure on a local Redis Cluster (3 masters + 3 replicas): one instance "
        "on one Redis, one on the cluster, two on the cluster, and --ack-replicas",
    )
    parser.add_argument(
        "--ack-replicas",
        type=int,
        default=1,
        help="with --cluster, also one instance with [redis] ack_replicas = N (0: skip)",
    )
    parser.add_argument(
        "--no-open-loop",
        action="store_true",
        help="with --cluster, skip the open-loop phase",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.connections < 1 or args.repeat < 1 or args.duration <= 0:
        parser.error("--connections, --repeat and --duration must be positive")
    if args.ack_replicas < 0:
        parser.error("--ack-replicas must be 0 or more")
    try:
        result = run_cluster_benchmark(args) if args.cluster else run_benchmark(args)
    except KeyboardInterrupt:
        log("interrupted; every process started was stopped")
        return 130
    if args.json:
        print(json.dumps(result))
    else:
        print(report_cluster(result) if args.cluster else report(result))
    return 0 if result["lost"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
