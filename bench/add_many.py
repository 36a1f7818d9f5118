"""Intake's store write alone: ``Store.add_many`` for new comments (the common case) and
for re-sent ones (retries and edits), against a private ``redis-server``.

Records are built by intake's own code (``bench/review_queue.py``'s ``Filler``); each
round stores ``--count`` comments in batches of ``--batch`` (the service's batches are a
few to 64), one batch at a time, and reports microseconds per comment (wall, Redis
included).  The median of ``--rounds`` rounds is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchlib import Children, log
from redis.asyncio import Redis
from review_queue import Filler

from moderation.storage.redis_server import RedisServer
from moderation.storage.store import Store


async def _round(store: Store, filler: Filler, start: int, count: int, batch: int) -> float:
    dummy: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    base_ms = int(time.time() * 1000)
    batches = [filler.batch(i, batch, base_ms, dummy) for i in range(start, start + count, batch)]
    began = time.perf_counter()
    for comments in batches:
        results = await store.add_many(comments)
        if any(isinstance(r, BaseException) for r in results):
            raise RuntimeError("a write failed")
    return (time.perf_counter() - began) / count * 1e6


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-add-many-") as tmp, Children():
        server = RedisServer(Path(tmp) / "redis", persistent=False)
        await asyncio.to_thread(server.start)
        try:
            redis = Redis.from_url(server.url, decode_responses=True)
            store = Store(redis)
            filler = Filler()
            await _round(store, filler, 10**8, 2000, args.batch)  # warm-up (and scripts)
            new, again = [], []
            for r in range(args.rounds):
                start = r * args.count
                new.append(await _round(store, filler, start, args.count, args.batch))
                # the same comments once more: every one a repeat of a known CMS id
                again.append(await _round(store, filler, start, args.count, args.batch))
            log(
                f"batch {args.batch}: new comments {statistics.median(new):.1f} µs/comment "
                f"(rounds {', '.join(f'{x:.1f}' for x in new)}); re-sent "
                f"{statistics.median(again):.1f} µs/comment"
            )
            await redis.aclose()
        finally:
            await asyncio.to_thread(server.stop)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
