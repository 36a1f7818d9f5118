"""Helpers shared by the intake and queue benchmarks: realistic comments, percentiles,
and child processes that are always cleaned up."""

from __future__ import annotations

import json
import math
import os
import random
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SEED_CORPUS = REPO / "classifier" / "data" / "seed_corpus.jsonl"

MIN_CHARS, MAX_CHARS = 50, 1000
SPAM_SHARE = 0.3  # a normal day has more ham than spam; spam runs come in bursts
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36"
)


@dataclass(frozen=True, slots=True)
class Sample:
    """One realistic comment (everything but the CMS's id)."""

    content: str
    author_name: str
    author_email: str
    post_url: str
    author_ip: str
    lang: str
    spam: bool

    def fields(self) -> dict[str, str]:
        return {
            "author_name": self.author_name,
            "author_email": self.author_email,
            "content": self.content,
            "post_url": self.post_url,
            "author_ip": self.author_ip,
            "user_agent": USER_AGENT,
            "lang": self.lang,
        }


def samples(count: int, seed: int = 5) -> list[Sample]:
    """``count`` comments built from the seed corpus: 30 % spam, lengths log-uniform in
    50-1000 characters (short ones are most common, as on real sites), several
    corpus comments of the same label joined to reach the longer lengths."""
    rng = random.Random(seed)
    rows = [json.loads(line) for line in SEED_CORPUS.read_text(encoding="utf-8").splitlines()]
    by_label: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
    for row in rows:
        by_label[row["label"] == "spam"].append(row)
    out: list[Sample] = []
    for _ in range(count):
        spam = rng.random() < SPAM_SHARE
        pool = by_label[spam]
        first = rng.choice(pool)
        target = int(MIN_CHARS * (MAX_CHARS / MIN_CHARS) ** rng.random())
        text = first["content"].strip()
        while len(text) < target:
            text += " " + rng.choice(pool)["content"].strip()
        if len(text) > target:
            cut = text.rfind(" ", MIN_CHARS, target)
            text = text[: cut if cut > 0 else target]
        out.append(
            Sample(
                content=text,
                author_name=first["author_name"] or "Anonymous",
                author_email=_deliverable_looking(first["author_email"], rng),
                post_url=first["post_url"] or "https://example.org/news/1",
                author_ip=f"203.0.113.{rng.randrange(1, 255)}",
                lang=first.get("lang") or "en",
                spam=spam,
            )
        )
    return out


def _deliverable_looking(email: str, rng: random.Random) -> str:
    """The corpus's email, or one on an ordinary domain where the corpus uses a reserved
    one (``.test``, ...) that intake rightly refuses: the benchmark measures accepted
    comments, and its non-2xx count must mean something went wrong."""
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(email, check_deliverability=False)
        return email
    except EmailNotValidError:
        local = email.partition("@")[0] or f"reader{rng.randrange(10**6)}"
        return f"{local}@mail.example.org"


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted sequence (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, math.ceil(q / 100 * len(sorted_values)) - 1))
    return sorted_values[rank]


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Children:
    """Child processes of a benchmark, stopped on exit, error, Ctrl-C or SIGTERM.

    Each child runs in a session of its own so that the benchmark decides how it stops
    (SIGTERM, so the service drains and stops its embedded Redis; SIGKILL after a grace
    period).  Extra pids (a grandchild such as the service's redis-server) are killed
    last if they outlived their parent.
    """

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen[bytes]] = []
        self.orphans: list[int] = []

    def __enter__(self) -> Children:
        # SIGTERM to the benchmark becomes SystemExit, so every `finally` runs.
        signal.signal(signal.SIGTERM, _exit_on_signal)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_all()

    def start(
        self, args: Sequence[str], *, log_path: Path, env: dict[str, str]
    ) -> subprocess.Popen[bytes]:
        with log_path.open("ab") as out:
            process = subprocess.Popen(
                list(args),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                env=env,
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    def stop(self, process: subprocess.Popen[bytes], grace: float = 20.0) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)

    def stop_all(self) -> None:
        while self.processes:
            self.stop(self.processes.pop())
        for pid in self.orphans:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            for _ in range(50):
                time.sleep(0.1)
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
            else:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.orphans.clear()


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time used so far by ``pids`` (Linux /proc; 0 where unreadable)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / ticks


def descendants(pid: int) -> list[int]:
    """Every living process below ``pid`` (Linux /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    out: list[int] = []
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def clean_env() -> dict[str, str]:
    """The environment for a child: ours without the service's own variables, so the
    benchmark's generated config is what runs."""
    return {k: v for k, v in os.environ.items() if not k.startswith("MODERATION_")}


def wait_ready(
    port: int, process: subprocess.Popen[bytes], log_path: Path, timeout: float = 180
) -> None:
    """Wait for a server started by a bench to answer /readyz with 200; its log's tail
    in the error if it exits first, or if it is not ready in ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-1500:]
            raise RuntimeError(f"server exited with {process.returncode} at start:\n{tail}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server on port {port} not ready within {timeout:.0f} s")
