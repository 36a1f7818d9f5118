"""Where the intake's CPU time goes: sum a py-spy profile (``--format raw``, collapsed
stacks) into categories of the request path.

Each sample goes to the innermost frame that names a step of the service (scoring,
validation, the Redis write, logging, ...); samples with none of those go to the
framework's own categories (aiohttp's HTTP handling, socket writes, the event loop).
So "logging" is time under ``Logger.*`` wherever it was called from, and "HTTP (aiohttp)"
is what a bare aiohttp handler also pays.

Usage::

    py-spy record --pid PID --duration 15 --rate 250 --nonblocking --format raw -o prof.txt
    python bench/profile_breakdown.py prof.txt [--top 25]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

# (category, substrings of a frame "function (file:line)").  Walking outwards from the
# innermost frame, the first frame that matches a STEPS pattern decides; only samples
# with no such frame fall back to FRAMEWORK.  So json.dumps under history_line counts as
# record building, and a socket write under redis-py as the Redis client.
STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("scoring: featurise", ("classifier/features.py",)),
    ("scoring: predict + reasons", ("classifier/",)),
    ("repeat check: text fingerprint", ("text_fingerprint",)),
    ("Redis client (redis-py: pack, send, parse; both pipelines)", ("redis/",)),
    (
        "Redis calls: script arguments, packing (store.py, transport.py, scripts.py)",
        ("add_many", "storage/store.py", "storage/transport.py", "storage/scripts.py"),
    ),
    ("record building (history lines, data JSON)", ("IntakeBatcher._prepare", "history_line")),
    ("rate limits", ("check_rate_limits", "take_tokens")),
    ("validation: email-validator", ("email_validator/",)),
    ("JSON body parse", ("parse_body",)),
    ("validation: other fields", ("validation.py",)),
    ("auth (SHA-256 + compare)", ("auth.py",)),
    ("logging (JSON log line per request)", ("logging/", "logs.py")),
    ("metrics (prometheus-client)", ("prometheus_client/",)),
    ("response JSON", ("json_response", "http.py")),
    ("batching (futures, timer)", ("batching.py",)),
    ("handler + middleware code", ("middleware.py", "intake.py", "uuid.py")),
    (
        "reference handler (json.loads, answer)",
        ("post_comment (reference_server.py", "post_comment (bench/reference_server.py"),
    ),
)
FRAMEWORK: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("socket writes (responses)", ("_SelectorSocketTransport.write", "writelines")),
    ("HTTP (aiohttp)", ("aiohttp/",)),
    ("event loop (asyncio)", ("asyncio/", "selectors.py")),
)


def categorise(stack: list[str]) -> str:
    for table in (STEPS, FRAMEWORK):
        for frame in reversed(stack):
            for name, patterns in table:
                if any(p in frame for p in patterns):
                    return name
    return "other"


def breakdown(path: Path) -> tuple[int, Counter[str], Counter[str]]:
    """(samples, samples per category, samples per innermost frame)."""
    total = 0
    categories: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        n = int(count)
        total += n
        categories[categorise(frames)] += n
        leaves[frames[-1]] += n
    return total, categories, leaves


def render(path: Path, top: int = 0) -> str:
    total, categories, leaves = breakdown(path)
    if not total:
        return f"{path}: no samples"
    lines = [f"{path.name}: {total} samples"]
    for name, n in categories.most_common():
        lines.append(f"  {100 * n / total:5.1f} %  {name}")
    if top:
        lines.append(f"  innermost frames (top {top}):")
        for frame, n in leaves.most_common(top):
            lines.append(f"  {100 * n / total:5.1f} %  {frame}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("profiles", type=Path, nargs="+", help="py-spy raw (collapsed) files")
    parser.add_argument("--top", type=int, default=0, help="also list the hottest frames")
    args = parser.parse_args()
    for path in args.profiles:
        print(render(path, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
