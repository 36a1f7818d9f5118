"""Per-site learning across real service processes: two `moderation serve` on one Redis
(or on a Redis Cluster) retrain a site once, not once each, and both score it with the
same new version."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import ALICE, NEWS_KEY
from tests.learning.test_site_models import HAM, SPAM
from tests.runtime.test_faults import own_redis_server  # noqa: F401  (each test's own Redis, AOF on)
from tests.support.faultkit import Service, get_json, metric_value, wait_for
from tests.support.redis_kinds import another_entry_point

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


@pytest.fixture
def two_services(tmp_path: Path, redis_url: str) -> Iterator[tuple[Service, Service]]:
    """Two instances on one Redis, or on a cluster (each given a different node)."""
    made = []
    for name, url in (("one", redis_url), ("two", another_entry_point(redis_url))):
        service = Service(tmp_path / name, redis_url=url)
        with service.config_path.open("a", encoding="utf-8") as config:
            config.write("\n[learning]\nretrain_after_labels = 30\n")
        made.append(service)
    yield made[0], made[1]
    for service in made:
        service.stop()


async def _post_and_decide(base: str, session: aiohttp.ClientSession, i: int) -> None:
    spam = i % 2 == 1
    text = SPAM[i % len(SPAM)].format(n=i) if spam else f"{HAM[i % len(HAM)]} (reader {i})"
    body = {
        "id": f"lp-{i}",
        "author_name": "Reader",
        "author_email": f"reader{i}@example.org",
        "content": text,
    }
    async with session.post(
        base + "/v1/comments", json=body, headers={"Authorization": f"Bearer {NEWS_KEY}"}
    ) as resp:
        assert resp.status == 202, await resp.text()
        comment_id = (await resp.json())["id"]
    async with session.post(
        f"{base}/v1/comments/{comment_id}/decision",
        json={"decision": "spam" if spam else "approve"},
        headers={"Authorization": f"Bearer {ALICE}"},
    ) as resp:
        assert resp.status == 200, await resp.text()


@pytest.mark.both_kinds
async def test_two_processes_retrain_a_site_once_and_score_it_alike(
    two_services: tuple[Service, Service],
) -> None:
    one, two = two_services
    for service in (one, two):
        service.start()
    await asyncio.gather(one.wait_ready(), two.wait_ready())
    async with aiohttp.ClientSession() as session:
        for i in range(30):  # half through each process
            await _post_and_decide((one, two)[i % 2].base, session, i)

    async def retrained() -> bool:
        status, model = await get_json(one.base, "/v1/model?site=news", ALICE)
        return status == 200 and model["last_retrain"] is not None

    await wait_for(retrained, within=60, interval=0.5)
    _, model = await get_json(one.base, "/v1/model?site=news", ALICE)
    assert model["last_retrain"]["outcome"] in ("swapped", "kept"), model

    async def both_agree() -> bool:
        _, a = await get_json(one.base, "/v1/model?site=news", ALICE)
        _, b = await get_json(two.base, "/v1/model?site=news", ALICE)
        return bool(a["version"] == b["version"])

    await wait_for(both_agree, within=10, interval=0.2)
    # once per site, not once per process: the two processes' counters add up to one
    total = 0.0
    async with aiohttp.ClientSession() as session:
        for service in (one, two):
            async with session.get(service.base + "/metrics") as resp:
                text = await resp.text()
            for outcome in ("swapped", "kept"):
                total += metric_value(
                    text, "moderation_model_retrains_total", site="news", outcome=outcome
                )
    assert total == 1
    if model["last_retrain"]["outcome"] == "swapped":
        # a comment through the other process is scored by the new version within seconds
        async def scored_alike() -> bool:
            async with aiohttp.ClientSession() as session:
                body = {
                    "id": f"after-{asyncio.get_running_loop().time()}",
                    "author_name": "Reader",
                    "author_email": "late@example.org",
                    "content": HAM[0],
                }
                async with session.post(
                    two.base + "/v1/comments",
                    json=body,
                    headers={"Authorization": f"Bearer {NEWS_KEY}"},
                ) as resp:
                    comment_id = (await resp.json())["id"]
            _, record = await get_json(two.base, f"/v1/comments/{comment_id}", ALICE)
            return bool(record["model_version"] == model["version"])

        await wait_for(scored_alike, within=10, interval=0.5)
