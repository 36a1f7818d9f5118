"""Intake's write alone: ``Store.add_many`` per comment, in batches as the service sends.

Starts a private ``redis-server`` (no persistence), builds NewComment records with the
intake's own code (``review_queue.Filler``: validated, scored seed-corpus comments, each
with a ``post_id`` so that every index intake writes is written), and times
``Store.add_many`` over ``--rounds`` runs of ``--count`` comments in batches of
``--batch`` (one pipeline each, one at a time): wall time per comment, Redis round trip
included.  Prints each round and the median.  An A/B of two commits runs this same file
against each (copy it beside the older tree).

Usage::

    python bench/add_many.py [--count 4800] [--batch 16] [--rounds 7]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
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


async def run(args: argparse.Namespace) -> list[float]:
    filler = Filler()
    # every comment names its post (the samples do not), so the post index is written
    filler.comments = [
        dataclasses.replace(c, extras={**c.extras, "post_id": f"post-{i % 97}"})
        for i, c in enumerate(filler.comments)
    ]
    per_comment: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-add-") as tmp, Children():
        server = RedisServer(Path(tmp) / "redis", persistent=False)
        await asyncio.to_thread(server.start)
        try:
            redis = Redis.from_url(server.url, decode_responses=True)
            store = Store(redis)
            loop = asyncio.get_running_loop()
            dummy: asyncio.Future[Any] = loop.create_future()
            base_ms = int(time.time() * 1000)
            start = 0
            # a warm-up round loads the script and fills the connection pool
            for r in range(args.rounds + 1):
                batches = [
                    filler.batch(start + i, args.batch, base_ms, dummy)
                    for i in range(0, args.count, args.batch)
                ]
                start += args.count
                t = time.perf_counter()
                for batch in batches:
                    await store.add_many(batch)
                elapsed = time.perf_counter() - t
                if r:
                    per_comment.append(elapsed / args.count * 1e6)
                    log(f"  round {r}: {per_comment[-1]:.1f} µs per comment")
            dummy.cancel()
            await redis.aclose()
        finally:
            await asyncio.to_thread(server.stop)
    return per_comment


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=4800)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    rounds = asyncio.run(run(args))
    print(
        f"add_many: median {statistics.median(rounds):.1f} µs per comment "
        f"(batches of {args.batch}, {args.rounds} x {args.count})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
