"""A flood against one site, from one IP, next to a calm site: what each one gets.

Correctness is asserted (the flood gets 202 or 429, never a 5xx; the calm site gets
202 every time).  Latencies are recorded for RELIABILITY.md, never asserted: this
machine is shared and noisy.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from moderation.config import Config, RateLimit
from moderation.core.signing import sign
from tests.conftest import BLOG_KEY, BLOG_SIGNING, NEWS_KEY, auth, comment_body

Client = TestClient[Any, Any]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reliability"


async def _blog_latencies(client: Client, n: int, tag: str) -> tuple[list[float], Counter[int]]:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    for i in range(n):
        raw = json.dumps(
            comment_body(id=f"{tag}-{i}", content=f"calm blog comment {tag} {i}")
        ).encode()
        headers = {
            **auth(BLOG_KEY),
            "Content-Type": "application/json",
            "X-Moderation-Signature": sign(BLOG_SIGNING, int(time.time()), raw),
        }
        started = time.perf_counter()
        resp = await client.post("/v1/comments", data=raw, headers=headers)
        latencies.append((time.perf_counter() - started) * 1000)
        statuses[resp.status] += 1
        await resp.read()
    return latencies, statuses


async def test_a_flood_from_one_ip_spares_the_other_site(make_client: Any, config: Config) -> None:
    sites = tuple(
        replace(s, ip_rate_limit=RateLimit(per_minute=60, burst=5)) if s.id == "news" else s
        for s in config.sites
    )
    client: Client = await make_client(replace(config, sites=sites))
    baseline, base_statuses = await _blog_latencies(client, 100, "before")

    flood_statuses: Counter[int] = Counter()

    async def flood_worker(worker: int) -> None:
        for i in range(150):
            resp = await client.post(
                "/v1/comments",
                json=comment_body(
                    id=f"flood-{worker}-{i}",
                    content="BUY NOW http://bit.ly/x",
                    author_ip="198.51.100.66",
                ),
                headers=auth(NEWS_KEY),
            )
            flood_statuses[resp.status] += 1
            await resp.read()

    flood_started = time.monotonic()
    flood = asyncio.gather(*(flood_worker(w) for w in range(4)))
    during, during_statuses = await _blog_latencies(client, 100, "during")
    await flood
    flood_seconds = time.monotonic() - flood_started

    assert base_statuses == Counter({202: 100})
    assert during_statuses == Counter({202: 100})
    assert set(flood_statuses) <= {202, 429}
    # The burst, plus what refilled meanwhile (1 a second): a loaded machine floods slower.
    assert flood_statuses[202] <= 5 + int(flood_seconds) + 1
    figures = {
        "flood_requests": sum(flood_statuses.values()),
        "flood_202": flood_statuses[202],
        "flood_429": flood_statuses[429],
        "flood_5xx": sum(n for s, n in flood_statuses.items() if s >= 500),
        "calm_site_requests": 200,
        "calm_site_non_202": 0,
        "calm_p50_ms_before": round(statistics.median(baseline), 2),
        "calm_p50_ms_during": round(statistics.median(during), 2),
        "calm_max_ms_during": round(max(during), 2),
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "flood_isolation.json").write_text(json.dumps(figures, indent=2))
    print(figures)
