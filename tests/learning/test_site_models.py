"""Per-site learning in the service, against a real Redis: labels from decisions, a
retrain swapped in or gated out, the model in Redis reaching another service process,
one retrain per site across processes, a rollback, a corrupt model refused, and site
isolation."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from classifier import SpamModel
from moderation.appkeys import RETRAINER, SITE_MODELS, STORE
from moderation.config import Config, LearningConfig
from tests.conftest import ALICE, BLOG_KEY, BLOG_SIGNING, NEWS_KEY, ROOT, auth, comment_body

Client = TestClient[Any, Any]

HAM = [
    "The council should publish the budget figures for the library before the vote.",
    "I walked past the new bridge this morning and the cycle lane is already busy.",
    "Good interview, though I wish the reporter had asked about the school buses.",
    "My grandmother used to make this soup every winter; lovely to see the recipe.",
    "The match report misses the second half entirely, when the keeper saved twice.",
    "Thanks for explaining the tax change so clearly, the example table helped me.",
    "Is the museum open on the bank holiday? The article does not say.",
    "We had the same flooding on our street in 2019 and nobody fixed the drains.",
]
SPAM = [
    "Earn 5000 dollars a week from home, click http://bit.ly/{n} now, limited offer!!!",
    "CHEAP replica watches and bags, free shipping worldwide, visit www.replica{n}.biz",
    "Hot singles in your area want to meet you tonight, sign up at http://date{n}.xyz",
    "Crypto doubling guaranteed, send 1 BTC and get 2 back, whatsapp +44 7700 9000{n}",
    "Buy followers and likes cheap, instant delivery, http://followers{n}.shop",
    "Loans approved in minutes with no credit check, apply http://fastloan{n}.info",
]


def learning_config(config: Config, **learning: Any) -> Config:
    return replace(config, learning=LearningConfig(**{"retrain_after_labels": 20, **learning}))


async def _post(client: Client, external_id: str, text: str, *, key: str = NEWS_KEY) -> str:
    resp = await client.post(
        "/v1/comments",
        json=comment_body(id=external_id, content=text, author_email=f"{external_id}@example.org"),
        headers=auth(key),
    )
    assert resp.status == 202, await resp.text()
    comment_id: str = (await resp.json())["id"]
    return comment_id


async def _decide_stream(client: Client, n: int, *, flip: bool = False, prefix: str = "s") -> None:
    """``n`` comments posted and decided by their true label (or the opposite)."""
    rng = random.Random(n)
    for i in range(n):
        spam = i % 2 == 1
        text = rng.choice(SPAM).format(n=i) if spam else f"{rng.choice(HAM)} (reader {i})"
        comment_id = await _post(client, f"{prefix}{i}", text)
        decision = "spam" if spam != flip else "approve"
        resp = await client.post(
            f"/v1/comments/{comment_id}/decision",
            json={"decision": decision},
            headers=auth(ALICE),
        )
        assert resp.status == 200


async def _model(client: Client, site: str = "news", token: str = ALICE) -> dict[str, Any]:
    resp = await client.get(f"/v1/model?site={site}", headers=auth(token))
    assert resp.status == 200, await resp.text()
    body: dict[str, Any] = await resp.json()
    return body


@pytest.mark.timeout(180)
async def test_a_retrain_is_swapped_in_and_scores_only_its_site(
    make_client: Any, config: Config
) -> None:
    client: Client = await make_client(learning_config(config))
    before = await _model(client)
    assert before["own"] is False and before["labels"] == {"ham": 0, "spam": 0}
    await _decide_stream(client, 60)
    assert (await _model(client))["pending_labels"] == 60
    result = await client.app[RETRAINER].retrain("news")
    assert result.outcome == "swapped", result.record
    after = await _model(client)
    assert after["own"] is True and after["version"] == result.version
    assert after["pending_labels"] == 0
    assert after["labels"] == {"ham": 30, "spam": 30}
    assert after["holdout"]["n"] >= 10 and after["holdout"]["roc_auc"] is not None
    assert after["last_retrain"]["outcome"] == "swapped"
    # the news site's comments are scored by its own model from now on; the blog's not
    news_id = await _post(client, "after-1", HAM[0])
    resp = await client.get(f"/v1/comments/{news_id}", headers=auth(ALICE))
    assert (await resp.json())["model_version"] == result.version
    body = json.dumps(comment_body(id="blog-after")).encode()
    import time as clock

    from moderation.core.signing import sign

    resp = await client.post(
        "/v1/comments",
        data=body,
        headers={
            **auth(BLOG_KEY),
            "Content-Type": "application/json",
            "X-Moderation-Signature": sign(BLOG_SIGNING, int(clock.time()), body),
        },
    )
    blog_id = (await resp.json())["id"]
    resp = await client.get(f"/v1/comments/{blog_id}", headers=auth(ROOT))
    assert (await resp.json())["model_version"] == SpamModel.default().version
    metrics = await (await client.get("/metrics")).text()
    assert 'moderation_model_retrains_total{outcome="swapped",site="news"} 1.0' in metrics
    assert 'moderation_model_labels{site="news"} 60.0' in metrics


@pytest.mark.timeout(180)
async def test_a_poisoned_batch_of_labels_is_gated_out_and_recorded(
    make_client: Any, config: Config
) -> None:
    client: Client = await make_client(learning_config(config))
    # a batch of 48 labels the wrong way round, then 12 right ones: the newest (held
    # out of training) show the model trained on the poisoned batch to be worse
    await _decide_stream(client, 48, flip=True, prefix="bad")
    await _decide_stream(client, 12, prefix="good")
    result = await client.app[RETRAINER].retrain("news")
    assert result.outcome == "kept", result.record
    model = await _model(client)
    assert model["own"] is False  # the default model still scores the site
    assert model["last_retrain"]["outcome"] == "kept"
    assert model["pending_labels"] == 0
    metrics = await (await client.get("/metrics")).text()
    assert 'moderation_model_retrains_total{outcome="kept",site="news"} 1.0' in metrics


async def test_one_retrain_per_site_across_processes_and_a_swap_reaches_the_other(
    make_client: Any, config: Config
) -> None:
    first: Client = await make_client(learning_config(config))
    second: Client = await make_client(learning_config(config))
    store = first.app[STORE]
    assert await store.lock_retrain("news", "someone-else", 60)
    skipped = await second.app[RETRAINER].retrain("news")
    assert skipped.outcome == "skipped"
    await store.unlock_retrain("news", "someone-else")
    # a model put by one process is used by the other at its next refresh
    model = SpamModel.default()
    payload = model.to_bytes()
    await store.put_site_model("news", "v-test-1", payload, {"trained_at": "now"})
    await second.app[SITE_MODELS].refresh("news")
    assert second.app[SITE_MODELS].version_of("news") == model.version
    assert (await _model(second))["version"] == "v-test-1"


async def test_a_rollback_goes_back_to_a_kept_version(make_client: Any, config: Config) -> None:
    client: Client = await make_client(learning_config(config))
    store = client.app[STORE]
    payload = SpamModel.default().to_bytes()
    for version in ("v1", "v2"):
        await store.put_site_model("news", version, payload, {"trained_at": version})
    model = await _model(client)
    assert model["version"] == "v2" and [p["version"] for p in model["previous"]] == ["v1"]
    resp = await client.post(
        "/v1/model/rollback", json={"site": "news", "version": "v1"}, headers=auth(ALICE)
    )
    assert resp.status == 403  # admins only
    resp = await client.post(
        "/v1/model/rollback", json={"site": "news", "version": "v9"}, headers=auth(ROOT)
    )
    assert resp.status == 422
    resp = await client.post(
        "/v1/model/rollback", json={"site": "news", "version": "v1"}, headers=auth(ROOT)
    )
    assert resp.status == 200, await resp.text()
    assert (await _model(client))["version"] == "v1"
    # only the last few are kept
    for i in range(3, 10):
        await store.put_site_model("news", f"v{i}", payload, {})
    assert len((await store.site_models("news"))[1]) == 5


async def test_a_corrupt_model_in_redis_is_refused_and_the_old_one_kept(
    make_client: Any, config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    client: Client = await make_client(learning_config(config))
    store = client.app[STORE]
    models = client.app[SITE_MODELS]
    good = SpamModel.default()
    await store.put_site_model("news", "good", good.to_bytes(), {})
    await models.refresh("news")
    assert models.version_of("news") == good.version
    caplog.set_level(logging.ERROR, logger="moderation.learning")
    await store.put_site_model("news", "bad", b"PK\x03\x04 not really a model", {})
    await models.refresh("news")
    assert models.version_of("news") == good.version  # still the good one
    assert "site model refused" in caplog.text
    # and intake still scores with it
    comment_id = await _post(client, "after-corrupt", HAM[1])
    resp = await client.get(f"/v1/comments/{comment_id}", headers=auth(ALICE))
    assert (await resp.json())["model_version"] == good.version


async def test_the_model_api_is_for_the_sites_moderators(make_client: Any, config: Config) -> None:
    from tests.conftest import CAROL

    client: Client = await make_client(learning_config(config))
    resp = await client.get("/v1/model?site=news", headers=auth(CAROL))
    assert resp.status == 404
    resp = await client.get("/v1/model?site=news", headers=auth(NEWS_KEY))
    assert resp.status == 401
    resp = await client.get("/v1/model", headers=auth(ALICE))
    assert resp.status == 422


async def test_an_akismet_submission_is_a_label(make_client: Any, config: Config) -> None:
    raw_sites = [replace(s, akismet_key_sha256=None) for s in config.sites]
    from moderation.config import sha256_hex

    sites = (replace(raw_sites[0], akismet_key_sha256=sha256_hex("n3wsk3y0abcd")), *raw_sites[1:])
    client: Client = await make_client(replace(learning_config(config), sites=sites))
    form = {
        "api_key": "n3wsk3y0abcd",
        "blog": "http://x.example/",
        "user_ip": "203.0.113.9",
        "comment_content": SPAM[0].format(n=1),
    }
    resp = await client.post("/1.1/comment-check", data=form)
    assert resp.status == 200
    resp = await client.post("/1.1/submit-spam", data=form)
    assert resp.status == 200
    assert (await client.app[STORE].label_counts("news")) == {"ham": 0, "spam": 1, "new": 1}


async def test_the_loop_retrains_after_enough_labels(
    make_client: Any, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moderation.learning import retraining

    monkeypatch.setattr(retraining, "CHECK_SECONDS", 0.2)
    client: Client = await make_client(learning_config(config, retrain_after_labels=30))
    await _decide_stream(client, 30)
    for _ in range(600):
        if (await _model(client))["last_retrain"] is not None:
            break
        await asyncio.sleep(0.1)
    assert (await _model(client))["last_retrain"]["outcome"] in ("swapped", "kept")


async def test_learning_off_for_a_site_keeps_the_default(make_client: Any, config: Config) -> None:
    sites = (replace(config.sites[0], learning=False), *config.sites[1:])
    client: Client = await make_client(replace(learning_config(config), sites=sites))
    assert client.app[RETRAINER].sites == ["blog"]
    assert (await _model(client))["learning"] is False


async def test_the_model_answer_sees_a_swap_whole_or_not_at_all(
    make_client: Any, config: Config
) -> None:
    client: Client = await make_client(learning_config(config))
    store = client.app[STORE]
    payload = SpamModel.default().to_bytes()
    seen: list[tuple[str | None, str | None]] = []

    async def reader() -> None:
        for _ in range(200):
            answer = await _model(client)
            last = answer["last_retrain"]
            if last is not None:
                seen.append((answer["version"] if answer["own"] else None, last["version"]))
            await asyncio.sleep(0)

    async def writer() -> None:
        for i in range(20):
            await store.put_site_model("news", f"w{i}", payload, {"outcome": "swapped"})

    await asyncio.gather(reader(), writer())
    assert seen
    for version, swapped_in in seen:  # the retrain in the answer is the model in the answer
        assert version == swapped_in
