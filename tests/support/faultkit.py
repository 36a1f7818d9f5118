"""Helpers for the fault and fuzz tests: the real ``moderation serve`` process, its own
Redis servers, a bounded load generator, a consistency check of one site's keys, and the
figures each test records for RELIABILITY.md.

Everything talks to 127.0.0.1 only, and every loop here is bounded in count and time.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from moderation.core.records import Status
from moderation.storage import keys
from moderation.storage.redis_server import RedisServer, free_port
from tests.conftest import ALICE, BLOG_KEY, BLOG_SIGNING, BOB, CAROL, NEWS_KEY, ROOT
from tests.support.redis_kinds import is_cluster, sync_redis

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "reliability"

# The sites and moderators of tests/conftest.py, as a TOML file for the real process.
CONFIG_TEMPLATE = """\
[redis]
{redis_url}timeout_seconds = {timeout}
retry_after_seconds = 2

[[sites]]
id = "news"
api_key = "{news_key}"

[[sites]]
id = "blog"
api_key = "{blog_key}"
signing_secret = "{blog_signing}"

[[moderators]]
name = "alice"
token = "{alice}"
sites = ["news"]

[[moderators]]
name = "bob"
token = "{bob}"
sites = ["news"]

[[moderators]]
name = "carol"
token = "{carol}"
sites = ["blog"]

[[moderators]]
name = "root"
token = "{root}"
sites = ["*"]
"""


def write_config(
    path: Path, *, redis_url: str | None, timeout: float = 1.0, ack_replicas: int = 0
) -> Path:
    """A config file for the test sites; no ``redis_url`` means the embedded Redis (a
    cluster node's URL, a Redis Cluster)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    redis_lines = f'url = "{redis_url}"\n' if redis_url else ""
    if is_cluster(redis_url):
        redis_lines += "cluster = true\n"
    if ack_replicas:
        redis_lines += f"ack_replicas = {ack_replicas}\n"
    path.write_text(
        CONFIG_TEMPLATE.format(
            redis_url=redis_lines,
            timeout=timeout,
            news_key=NEWS_KEY,
            blog_key=BLOG_KEY,
            blog_signing=BLOG_SIGNING,
            alice=ALICE,
            bob=BOB,
            carol=CAROL,
            root=ROOT,
        ),
        encoding="utf-8",
    )
    return path


def _command() -> list[str]:
    script = Path(sys.executable).parent / "moderation"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "moderation"]


class Service:
    """One real ``moderation serve`` process on a free loopback port.  Its stdout and
    stderr go to a log file (a pipe nobody reads could fill and stall the service)."""

    def __init__(
        self,
        workdir: Path,
        *,
        redis_url: str | None,
        timeout: float = 1.0,
        port: int | None = None,
        ack_replicas: int = 0,
    ) -> None:
        self.workdir = workdir
        self.data_dir = workdir / "data"
        self.config_path = write_config(
            workdir / "moderation.toml",
            redis_url=redis_url,
            timeout=timeout,
            ack_replicas=ack_replicas,
        )
        self.log_path = workdir / "service.log"
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MODERATION_")}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    *_command(),
                    "serve",
                    "--config",
                    str(self.config_path),
                    "--data-dir",
                    str(self.data_dir),
                    "--port",
                    str(self.port),
                    "--log-level",
                    "INFO",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env=env,
                cwd=self.workdir,
            )

    async def wait_ready(self, within: float = 60.0) -> float:
        """Wait for /readyz 200; returns the seconds it took."""
        started = time.monotonic()
        deadline = started + within
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                assert self.process is not None and self.process.poll() is None, self.log_tail()
                try:
                    async with session.get(
                        self.base + "/readyz", timeout=aiohttp.ClientTimeout(total=2)
                    ) as resp:
                        if resp.status == 200:
                            return time.monotonic() - started
                except (aiohttp.ClientError, TimeoutError):
                    pass
                await asyncio.sleep(0.05)
        raise AssertionError(f"service not ready within {within} s:\n{self.log_tail()}")

    def wait_ready_sync(self, within: float = 60.0) -> float:
        """``wait_ready`` for synchronous callers (module-scoped fixtures)."""
        started = time.monotonic()
        while time.monotonic() - started < within:
            assert self.process is not None and self.process.poll() is None, self.log_tail()
            try:
                with urllib.request.urlopen(self.base + "/readyz", timeout=2) as resp:
                    if resp.status == 200:
                        return time.monotonic() - started
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        raise AssertionError(f"service not ready within {within} s:\n{self.log_tail()}")

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: a crash, no draining."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def terminate(self, timeout: float = 30.0) -> int:
        """SIGTERM and wait; the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def stop(self) -> None:
        """Whatever state it is in, make sure the process is gone (test teardown)."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.terminate(15)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_text()[-chars:]

    def unavailable_causes(self) -> dict[str, int]:
        """How many requests it answered 503 for Redis trouble, by the error's type (as
        its log says), so a figure of 503s says what caused them."""
        causes: dict[str, int] = {}
        for line in self.log_text().splitlines():
            if '"redis unavailable"' in line:
                error = str(json.loads(line).get("error", "?"))
                causes[error] = causes.get(error, 0) + 1
        return causes


# ---------------------------------------------------------------------------------------
# Load


def comment(external_id: str, n: int = 0) -> dict[str, Any]:
    """A unique, valid comment; ``n`` varies the text so batches are not all alike."""
    return {
        "id": external_id,
        "author_name": f"Reader {n}",
        "author_email": f"reader{n}@example.com",
        "content": f"Comment number {n} about the council budget: the figures help, thanks.",
        "post_url": "https://news.example.com/2026/budget",
    }


@dataclass(slots=True)
class Outcome:
    """What one intake request got: an HTTP status, or a connection-level error."""

    external_id: str
    started: float  # monotonic
    elapsed: float
    status: int | None = None  # None: no HTTP answer at all
    error: str | None = None
    retry_after: str | None = None
    body: Any = None

    @property
    def acked(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass(slots=True)
class Load:
    """The outcomes of one stream of requests, in the order they finished, and the
    requests still waiting for an answer."""

    outcomes: list[Outcome] = field(default_factory=list)
    in_flight: dict[str, float] = field(default_factory=dict)  # external id -> started

    @property
    def acked(self) -> set[str]:
        return {o.external_id for o in self.outcomes if o.acked}

    def with_status(self, status: int) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def unanswered(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status is None]

    def statuses(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for o in self.outcomes:
            key = str(o.status) if o.status is not None else f"no answer ({o.error})"
            counts[key] = counts.get(key, 0) + 1
        return dict(sorted(counts.items()))

    def server_errors(self) -> list[Outcome]:
        """5xx other than the documented 503."""
        return [
            o for o in self.outcomes if o.status is not None and o.status >= 500 and o.status != 503
        ]


async def post_comment(
    session: aiohttp.ClientSession,
    base: str,
    body: dict[str, Any],
    *,
    key: str = NEWS_KEY,
    request_timeout: float = 10.0,
) -> Outcome:
    started = time.monotonic()
    outcome = Outcome(external_id=str(body.get("id")), started=started, elapsed=0.0)
    try:
        async with session.post(
            base + "/v1/comments",
            json=body,
            headers={"Authorization": f"Bearer {key}"},
            timeout=aiohttp.ClientTimeout(total=request_timeout),
        ) as resp:
            outcome.status = resp.status
            outcome.retry_after = resp.headers.get("Retry-After")
            raw = await resp.read()
            try:
                outcome.body = json.loads(raw)
            except ValueError:
                outcome.body = raw[:200].decode(errors="replace")
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        outcome.error = type(exc).__name__
    outcome.elapsed = time.monotonic() - started
    return outcome


async def stream(
    base: str,
    bodies: Iterable[dict[str, Any]],
    *,
    concurrency: int,
    load: Load | None = None,
    pace: float = 0.0,
    stop_after: float = 60.0,
    request_timeout: float = 10.0,
    on_outcome: Callable[[Outcome], Awaitable[None] | None] | None = None,
    stop: asyncio.Event | None = None,
) -> Load:
    """Send ``bodies`` with ``concurrency`` workers (one connection each); each worker
    sleeps ``pace`` seconds between requests so the stream is steady, not a burst.
    Bounded: stops taking new bodies after ``stop_after`` seconds, or once ``stop`` is
    set (requests under way are answered first)."""
    load = load if load is not None else Load()
    queue = iter(list(bodies))
    deadline = time.monotonic() + stop_after
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            for body in queue:
                if time.monotonic() > deadline or (stop is not None and stop.is_set()):
                    return
                load.in_flight[str(body["id"])] = time.monotonic()
                outcome = await post_comment(session, base, body, request_timeout=request_timeout)
                load.outcomes.append(outcome)
                load.in_flight.pop(outcome.external_id, None)
                if on_outcome is not None:
                    maybe = on_outcome(outcome)
                    if maybe is not None:
                        await maybe
                if pace:
                    await asyncio.sleep(pace)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return load


async def get_json(base: str, path: str, token: str | None = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as session:
        async with session.get(
            base + path, headers=headers, timeout=aiohttp.ClientTimeout(total=5)
        ) as resp:
            return resp.status, await resp.json(content_type=None)


async def wait_for(
    check: Callable[[], Awaitable[bool]], *, within: float, interval: float = 0.05
) -> float:
    """Poll ``check`` until it holds; the seconds it took.  AssertionError on timeout."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        if await check():
            return time.monotonic() - started
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {within} s")


async def readyz_status(base: str) -> int | None:
    """The /readyz status, or None if nothing answers."""
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(
                base + "/readyz", timeout=aiohttp.ClientTimeout(total=3)
            ) as resp:
                await resp.read()
                return resp.status
    except (aiohttp.ClientError, OSError, TimeoutError):
        return None


# ---------------------------------------------------------------------------------------
# Redis


def kill_redis(server: RedisServer) -> None:
    """SIGKILL a test's redis-server and close the pipe RedisServer.kill leaves open."""
    process = server.process
    server.kill()
    if process is not None and process.stderr is not None:
        process.stderr.close()


def pause_redis(redis_url: str, ms: int, mode: str = "ALL") -> None:
    """CLIENT PAUSE from a client of our own: Redis stops serving every other client
    for ``ms`` milliseconds (Redis 6.2+)."""
    with sync_redis(redis_url, decode_responses=False) as r:
        r.execute_command("CLIENT", "PAUSE", ms, mode)


async def api_external_ids(base: str, site: str = "news", token: str = ROOT) -> list[str]:
    """The external ids of every pending comment of ``site``, read through the moderator
    API page by page (bounded)."""
    found: list[str] = []
    cursor = ""
    for _ in range(100):
        path = f"/v1/queue?site={site}&order=oldest&limit=500"
        if cursor:
            path += f"&cursor={cursor}"
        status, page = await get_json(base, path, token)
        assert status == 200, page
        found.extend(item["external_id"] for item in page["items"])
        cursor = page["next_cursor"] or ""
        if not cursor:
            return found
    raise AssertionError("queue pages did not end")


def stored_external_ids(redis_url: str, site: str = "news") -> dict[str, str]:
    """External id -> comment id, from the site's external-id hash."""
    with sync_redis(redis_url) as r:
        return dict(r.hgetall(keys.external_ids(site)))


def comment_hashes(redis_url: str, site: str = "news") -> dict[str, dict[str, str]]:
    """Every comment hash of ``site``: comment id -> fields."""
    prefix = keys.comment(site, "")
    out: dict[str, dict[str, str]] = {}
    with sync_redis(redis_url) as r:
        names = [str(k) for k in r.scan_iter(match=keys.comment(site, "*"), count=1000)]
        with r.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.hgetall(name)
            values = pipe.execute()
    for name, value in zip(names, values, strict=True):
        out[name[len(prefix) :]] = value
    return out


def sites_in(redis_url: str) -> list[str]:
    """Every site that has a key in this Redis (read from the keys' ``{site}`` hash tag)."""
    found: set[str] = set()
    with sync_redis(redis_url) as r:
        for name in r.scan_iter(match=f"{keys.PREFIX}:{{*}}:*", count=1000):
            tag = str(name)[len(keys.PREFIX) + 2 :]
            site, sep, _ = tag.partition("}")
            if sep and site:
                found.add(site)
    return sorted(found)


def site_violations(redis_url: str, site: str) -> list[str]:
    """Every way one site's comment hashes and indexes disagree, one line each (empty if
    none).  Checked: each hash is complete and sits in exactly the status zset of its
    ``status``, and in the pending-by-score and pending-by-abuse zsets (with its own
    scores; keys.ABUSE_UNSCORED for no abuse score) if and only if it is pending; no
    status zset, pending-by-score, pending-by-abuse, decided or claims entry names a hash
    that is missing or has another status; claims (zset and holders hint) are of pending
    comments only; the external-id hash and the hashes' external ids map one to one."""
    hashes = comment_hashes(redis_url, site)
    with sync_redis(redis_url) as r:
        by_status = {
            status: dict(r.zrange(keys.by_status(site, status), 0, -1, withscores=True))
            for status in Status
        }
        by_score = dict(r.zrange(keys.pending_by_score(site), 0, -1, withscores=True))
        by_abuse = dict(r.zrange(keys.pending_by_abuse(site), 0, -1, withscores=True))
        decided = dict(r.zrange(keys.decided(site), 0, -1, withscores=True))
        claims = dict(r.zrange(keys.claims(site), 0, -1, withscores=True))
        holders: dict[str, str] = dict(r.hgetall(keys.claim_holders(site)))
        external: dict[str, str] = dict(r.hgetall(keys.external_ids(site)))
    problems: list[str] = []

    def bad(cid: str, what: str) -> None:
        problems.append(f"[{site}] {cid}: {what}")

    statuses = {s.value for s in Status}
    seen_external: dict[str, str] = {}
    for cid, fields in hashes.items():
        for name in ("data", "status", "spam_score", "created_ms", "history"):
            if name not in fields:
                bad(cid, f"hash lacks {name!r}")
        status = fields.get("status", "")
        if status not in statuses:
            bad(cid, f"status {status!r} is not a status")
        inside = [s.value for s in Status if cid in by_status[s]]
        if inside != [status]:
            bad(cid, f"status {status} but in the status zsets {inside}")
        if status == Status.PENDING:
            score = by_score.get(cid)
            if score is None:
                bad(cid, "pending but not in the pending-by-score zset")
            elif abs(score - float(fields.get("spam_score", "nan"))) > 1e-9:
                bad(cid, f"pending-by-score {score} != spam_score {fields.get('spam_score')}")
            abuse = by_abuse.get(cid)
            own = float(fields.get("abuse_score") or keys.ABUSE_UNSCORED)
            if abuse is None:
                bad(cid, "pending but not in the pending-by-abuse zset")
            elif abs(abuse - own) > 1e-9:
                bad(cid, f"pending-by-abuse {abuse} != abuse_score {fields.get('abuse_score')}")
            if cid in decided:
                bad(cid, "pending but in the decided zset")
        else:
            if cid in by_score:
                bad(cid, f"{status} but in the pending-by-score zset")
            if cid in by_abuse:
                bad(cid, f"{status} but in the pending-by-abuse zset")
            if fields.get("claimed_by"):
                bad(cid, f"{status} but claimed by {fields['claimed_by']!r}")
        try:
            data = json.loads(fields.get("data", ""))
        except ValueError:
            bad(cid, "data is not JSON")
            continue
        ext = data.get("external_id")
        if ext:
            if ext in seen_external:
                problems.append(
                    f"[{site}] external id {ext!r} stored twice: {seen_external[ext]}, {cid}"
                )
            seen_external[ext] = cid
            if external.get(ext) != cid:
                bad(cid, f"external id {ext!r} maps to {external.get(ext)!r}")
    indexes: list[tuple[str, Iterable[str], str | None]] = [
        *((f"{s.value} zset", by_status[s], None) for s in Status),  # status: checked above
        ("pending-by-score zset", by_score, None),  # checked above for existing hashes
        ("pending-by-abuse zset", by_abuse, None),
        ("decided zset", decided, None),
        ("claims zset", claims, Status.PENDING.value),
        ("claim-holders hash", holders, Status.PENDING.value),
    ]
    for name, members, wanted in indexes:
        for cid in members:
            if cid not in hashes:
                bad(cid, f"in the {name} without a hash")
            elif wanted is not None and hashes[cid].get("status") != wanted:
                bad(cid, f"in the {name} but {hashes[cid].get('status')}")
    for cid in holders:
        if cid not in claims:
            bad(cid, f"in the claim-holders hash ({holders[cid]}) without a claim")
    for ext, cid in external.items():
        if cid not in hashes:
            problems.append(f"[{site}] external id {ext!r} -> {cid} without a hash")
    return problems


def index_violations(redis_url: str, sites: Iterable[str] | None = None) -> list[str]:
    """:func:`site_violations` of ``sites`` (default: every site with a key), together."""
    return [
        line
        for site in (sites if sites is not None else sites_in(redis_url))
        for line in site_violations(redis_url, site)
    ]


def assert_indexes_consistent(redis_url: str, sites: Iterable[str] | None = None) -> None:
    """AssertionError listing every violation of :func:`index_violations`."""
    problems = index_violations(redis_url, sites)
    assert not problems, f"{len(problems)} index violations:\n" + "\n".join(problems)


def check_consistency(redis_url: str, site: str = "news") -> dict[str, int]:
    """Assert that one site's comment hashes and indexes agree (no half-written comment,
    no comment filed under two statuses: see :func:`site_violations`), listing every
    violation.  Returns counts for the figures."""
    assert_indexes_consistent(redis_url, [site])
    with sync_redis(redis_url) as r:
        sizes = [int(r.zcard(keys.by_status(site, status))) for status in Status]
        external = int(r.hlen(keys.external_ids(site)))
    return {
        "comments": len(comment_hashes(redis_url, site)),
        "external_ids": external,
        **{f"status_{s.value}": n for s, n in zip(Status, sizes, strict=True)},
    }


def record(name: str, figures: dict[str, Any]) -> Path:
    """Write the figures of one test to test-artifacts/reliability/<name>.json and print
    them (``pytest -s`` shows them)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    figures = {
        "test": name,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **figures,
    }
    path = ARTIFACTS / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"\nreliability figures {name}: {json.dumps(figures, sort_keys=True)}")
    return path


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# ---------------------------------------------------------------------------------------
# Decision callbacks


def _toml_value(value: Any) -> str:
    """A TOML literal for the few kinds a config option takes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML for {value!r}")


def amend_config(
    path: Path,
    *,
    sites: dict[str, dict[str, Any]] | None = None,
    moderators: dict[str, dict[str, Any]] | None = None,
) -> Path:
    """Add options to the ``[[sites]]`` and ``[[moderators]]`` tables of a file written by
    :func:`write_config` (a :class:`Service`'s ``config_path``): each table's options go
    right after its ``id = "..."`` or ``name = "..."`` line."""
    text = path.read_text(encoding="utf-8")
    tables = [("id", sites or {}), ("name", moderators or {})]
    for field_name, wanted in tables:
        for table, options in wanted.items():
            anchor = f"{field_name} = {json.dumps(table)}\n"
            assert text.count(anchor) == 1, f"no single {anchor!r} in {path}"
            lines = "".join(f"{k} = {_toml_value(v)}\n" for k, v in options.items())
            text = text.replace(anchor, anchor + lines)
    path.write_text(text, encoding="utf-8")
    return path


def callback_outbox(redis_url: str, site: str = "news") -> dict[str, int]:
    """How much is in one site's callback outbox: events kept, pending, due (or leased),
    dead, comments with a head event, and comments with later events queued."""
    with sync_redis(redis_url) as r:
        queues = sum(1 for _ in r.scan_iter(match=keys.callback_queue(site, "*"), count=1000))
        return {
            "events": int(r.hlen(keys.callback_events(site))),
            "pending": int(r.zcard(keys.callback_pending(site))),
            "due": int(r.zcard(keys.callback_due(site))),
            "dead": int(r.zcard(keys.callback_dead(site))),
            "heads": int(r.hlen(keys.callback_heads(site))),
            "queues": queues,
        }


def callback_records(redis_url: str, site: str = "news") -> dict[str, dict[str, Any]]:
    """Every event still in one site's outbox: event id -> its record."""
    with sync_redis(redis_url) as r:
        raw: dict[str, str] = dict(r.hgetall(keys.callback_events(site)))
    return {event_id: json.loads(value) for event_id, value in raw.items()}


def metric_value(text: str, name: str, **labels: str) -> float:
    """One sample of a Prometheus text exposition (0.0 if absent); ``labels`` must all
    match, in any order."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        head, _, value = line.rpartition(" ")
        inside = head[len(name) :].strip("{}")
        have = dict(part.split("=", 1) for part in inside.split(",") if "=" in part)
        if all(have.get(k) == json.dumps(v) for k, v in labels.items()):
            return float(value)
    return 0.0
