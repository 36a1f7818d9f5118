"""Intake's CPU cost per comment in instructions, for before/after comparisons that the
shared machine's noise cannot blur.

The time benchmarks (``bench/intake.py``) measure requests per second, which moves by
10-20 % between runs on these shared cores; a change that costs 2 % cannot be seen there.
Instruction counts from ``valgrind --tool=callgrind`` are repeatable for the same code and
inputs, whatever else runs on the machine.  (``perf stat -e instructions`` would be
cheaper, but the counters are not available on these virtual machines.)

One run serves the app in this process (``create_app`` on an ephemeral port, a Redis
server started for the run) and posts ``--count`` comments one at a time over one
keep-alive connection, with realistic bodies (seed-corpus texts, 30 % spam).  Under
callgrind, start-up (imports, model load) is counted as well, so run it twice, with a
small and a large count, and take the difference::

    valgrind --tool=callgrind --callgrind-out-file=small.out \\
        python bench/intake_instructions.py --count 100
    valgrind --tool=callgrind --callgrind-out-file=large.out \\
        python bench/intake_instructions.py --count 600
    python bench/intake_instructions.py --compare small.out large.out 500

``--ab BEFORE_REPO AFTER_REPO`` does all of this for two checkouts (each with its own
``.venv``), in alternating order, and prints instructions per comment for each.  The
client is counted too (it is the same code on both sides, so it cancels out in a
comparison, not in the absolute figure).  Python's hash seed is fixed, so dict layouts
are the same from run to run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

CONFIG = """\
[redis]
url = "{url}"

[[sites]]
id = "news"
api_key = "{key}"

[[moderators]]
name = "root"
token = "{token}"
sites = ["*"]
"""
KEY = "bench-instructions-key-0123456789abcdef"


def _bodies(count: int, seed: int = 5, prefix: str = "c") -> list[bytes]:
    sys.path.insert(0, str(HERE))
    from benchlib import samples

    out = [sample.fields() for sample in samples(min(count, 400), seed=seed)]
    bodies = []
    for n in range(count):
        fields = dict(out[n % len(out)])
        fields["content"] = f"{fields['content']} #{n}"
        body = {"id": f"{prefix}{n}", **fields}
        bodies.append(json.dumps(body, ensure_ascii=False).encode())
    return bodies


def _request(body: bytes) -> bytes:
    head = (
        "POST /v1/comments HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {KEY}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _post_all(port: int, bodies: list[bytes], connections: int = 1) -> dict[int, int]:
    """Post every body, one at a time on each of ``connections`` keep-alive connections
    (several: the service scores what arrives together in one batch, as under load)."""
    statuses: dict[int, int] = {}

    async def one_connection(share: list[bytes]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for body in share:
            writer.write(_request(body))
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            match = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
            await reader.readexactly(int(match.group(1)) if match else 0)
            statuses[status] = statuses.get(status, 0) + 1
        writer.close()

    await asyncio.gather(*(one_connection(bodies[n::connections]) for n in range(connections)))
    return statuses


async def _serve_and_post(
    count: int, redis_url: str, workdir: Path, connections: int = 1
) -> dict[int, int]:
    from aiohttp import web

    from moderation.app import create_app
    from moderation.config import Config

    config_file = workdir / "moderation.toml"
    config_file.write_text(
        CONFIG.format(url=redis_url, key=KEY, token="bench-root-token-0123456789abcdef"),
        encoding="utf-8",
    )
    app = create_app(Config.load(config_file))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        # the model loads in the background: wait for readiness outside the count
        for _ in range(600):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = await reader.read()
            writer.close()
            if answer.startswith(b"HTTP/1.1 200"):
                break
            await asyncio.sleep(0.2)
        # Warm-up, not counted: as many other comments (other texts), so that the word
        # tables and memos are as warm as in a service that has run a while; the counted
        # comments are then new texts on warm tables, the service's steady state.
        await _post_all(port, _bodies(count, seed=17, prefix="warm"), connections)
        bodies = _bodies(count)
        _instrument("on")
        try:
            return await _post_all(port, bodies, connections)
        finally:
            _instrument("off")
    finally:
        await runner.cleanup()


def _instrument(state: str) -> None:
    """Under ``valgrind --tool=callgrind --instr-atstart=no`` (what ``measure`` runs),
    count only the posting: start-up (imports, the model's load) costs ten times more
    instructions than hundreds of comments, and runs several times faster uninstrumented."""
    if os.environ.get("INTAKE_INSTRUCTIONS_TOGGLE") == "1":
        subprocess.run(
            ["callgrind_control", "--instr=" + state, str(os.getpid())],
            check=True,
            stdout=subprocess.DEVNULL,
        )


def _start_redis(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
    )
    import time

    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.05)
    return server, f"redis://127.0.0.1:{port}/0"


def run_once(count: int, connections: int = 1) -> dict[int, int]:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        redis, url = _start_redis(workdir)
        try:
            return asyncio.run(_serve_and_post(count, url, workdir, connections))
        finally:
            redis.terminate()
            redis.wait()


def total_instructions(callgrind_out: Path) -> int:
    text = callgrind_out.read_text(errors="replace")
    match = re.search(r"^totals:\s*(\d+)", text, re.MULTILINE) or re.search(
        r"^summary:\s*(\d+)", text, re.MULTILINE
    )
    if match is None:
        raise SystemExit(f"{callgrind_out}: no totals line")
    return int(match.group(1))


def measure(repo: Path, count: int, out: Path, connections: int = 1) -> float:
    """Instructions per comment of ``repo``'s intake (its own ``.venv``), this script
    posting ``count`` comments under callgrind with only the posting instrumented."""
    python = repo / ".venv" / "bin" / "python"
    env = {
        **os.environ,
        "PYTHONHASHSEED": "0",
        "PYTHONPATH": str(repo),
        "INTAKE_INSTRUCTIONS_TOGGLE": "1",
    }
    subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}",
            str(python),
            str(Path(__file__).resolve()),
            "--count",
            str(count),
            "--connections",
            str(connections),
        ],
        cwd=repo,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return total_instructions(out) / count


def ab(before: Path, after: Path, count: int, rounds: int, connections: int = 1) -> dict[str, Any]:
    """Alternating order, so a drift of the machine (it does not move instruction
    counts, but page cache and CPU frequency move the wall time) favours neither."""
    results: dict[str, list[float]] = {"before": [], "after": []}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds):
            order = [("before", before), ("after", after)]
            if r % 2:
                order.reverse()
            for name, repo in order:
                per = measure(repo, count, Path(tmp) / f"{name}{r}.out", connections)
                results[name].append(per)
                print(f"round {r + 1} {name}: {per:,.0f} instructions per comment", flush=True)
    summary = {k: sorted(v)[len(v) // 2] for k, v in results.items()}
    summary["after/before"] = summary["after"] / summary["before"]
    return {"runs": results, "median": summary}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--ab", nargs=2, metavar=("BEFORE_REPO", "AFTER_REPO"))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--connections",
        type=int,
        default=1,
        help="concurrent connections (1: a batch per comment, the worst case per comment; "
        "16: batches as under load)",
    )
    args = parser.parse_args(argv)
    if args.ab:
        result = ab(Path(args.ab[0]), Path(args.ab[1]), args.count, args.rounds, args.connections)
        print(json.dumps(result["median"], indent=2))
        return 0
    statuses = run_once(args.count, args.connections)
    print(json.dumps(statuses), file=sys.stderr)
    return 0 if set(statuses) == {202} else 1


if __name__ == "__main__":
    raise SystemExit(main())
