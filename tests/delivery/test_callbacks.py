"""Decision callbacks, against a real receiving server (tests/support/receiver.py) that checks
every signature with its own verifier: each event type, retries, timeouts, redirects,
order per comment, give-up and redelivery, the admin API, metrics and the logs."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import shutil
import subprocess
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from moderation.appkeys import STORE
from moderation.config import Config, ConfigError
from tests.conftest import ALICE, BOB, CAROL, CONFIG_TOML, NEWS_KEY, ROOT, auth, comment_body
from tests.support.faultkit import assert_indexes_consistent
from tests.support.receiver import Receiver

Client = TestClient[Any, Any]
SECRET = "news-callback-secret-0123456789"


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    got = await Receiver(SECRET).start()
    yield got
    await got.stop()


def with_callbacks(config: Config, receiver: Receiver, **options: Any) -> Config:
    """``config`` whose news site calls ``receiver`` back (fast retries for tests)."""
    raw = json.loads(json.dumps(CONFIG_TOML))
    news = raw["sites"][0]
    news.update(
        callback_url=receiver.url,
        callback_secret=SECRET,
        callback_retry_seconds=0.05,
        callback_timeout_seconds=2.0,
    )
    news.update(options)
    parsed = Config.from_mapping(raw)
    return replace(config, sites=parsed.sites)


async def _post(client: Client, external_id: str, **fields: Any) -> dict[str, Any]:
    resp = await client.post(
        "/v1/comments", json=comment_body(id=external_id, **fields), headers=auth(NEWS_KEY)
    )
    assert resp.status in (201, 202), await resp.text()
    answer: dict[str, Any] = await resp.json()
    return answer


async def _decide(client: Client, comment_id: str, decision: str, token: str = ALICE) -> None:
    resp = await client.post(
        f"/v1/comments/{comment_id}/decision",
        json={"decision": decision, "note": "checked by hand"},
        headers=auth(token),
    )
    assert resp.status == 200, await resp.text()


async def _listing(client: Client, state: str) -> dict[str, Any]:
    resp = await client.get(f"/v1/callbacks?site=news&state={state}", headers=auth(ROOT))
    assert resp.status == 200, await resp.text()
    body: dict[str, Any] = await resp.json()
    return body


async def _until(check: Callable[[], Any], within: float = 20.0) -> None:
    for _ in range(int(within / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def _settled(client: Client) -> bool:
    return bool((await _listing(client, "pending"))["total"] == 0)


async def test_a_decision_is_delivered_signed_with_the_contracts_body(
    make_client: Any, config: Config, receiver: Receiver
) -> None:
    client = await make_client(with_callbacks(config, receiver))
    comment = await _post(client, "cms-7", post_id=314)
    await _decide(client, comment["id"], "approve")
    await receiver.wait_for(lambda r: len(r.delivered()) == 1)
    [delivery] = receiver.deliveries
    assert delivery.signed
    assert delivery.headers["Content-Type"] == "application/json"
    assert delivery.headers["X-Moderation-Event"] == "comment.decided"
    assert delivery.headers["X-Moderation-Attempt"] == "1"
    body = delivery.body
    assert body["event_id"] == delivery.event_id
    assert set(body) == {"event_id", "type", "site", "occurred_at", "comment"}
    assert body["type"] == "comment.decided" and body["site"] == "news"
    assert body["occurred_at"].endswith("Z")
    assert body["comment"] == {
        "id": comment["id"],
        "external_id": "cms-7",
        "post_id": "314",  # as a string, as sent
        "status": "approved",
        "previous_status": "pending",
        "spam_score": comment["spam_score"],
        "abuse_score": comment["abuse_score"],
        "decision_reason": None,
        "decided_by": "alice",
        "rule": None,
        "note": "checked by hand",
    }
    # never the author's email, IP or user agent
    assert b"maria@example.com" not in delivery.raw and b"Maria" not in delivery.raw
    await _until(lambda: _settled(client))
    assert (await _listing(client, "dead"))["total"] == 0
    assert_indexes_consistent(config.redis.url or "")


async def test_an_automatic_decision_names_its_rule_and_no_moderator(
    make_client: Any, config: Config, receiver: Receiver
) -> None:
    client = await make_client(with_callbacks(config, receiver, block=["@spam.example"]))
    comment = await _post(client, "cms-blocked", author_email="x@spam.example")
    assert comment["status"] == "spam"
    await receiver.wait_for(lambda r: len(r.delivered()) == 1)
    body = receiver.deliveries[0].body
    assert body["type"] == "comment.auto_decided"
    assert body["comment"]["status"] == "spam"
    assert body["comment"]["decided_by"] is None
    assert body["comment"]["previous_status"] is None
    assert body["comment"]["rule"]
    assert receiver.deliveries[0].signed
    # a comment left for a human is no event: none is in the outbox (where intake would
    # have put it in the same atomic write), and nothing more arrives
    await _post(client, "cms-fine")
    assert (await _listing(client, "pending"))["total"] == 0
    assert len(receiver.deliveries) == 1


async def test_a_rejection_for_abuse_says_its_reason_and_the_abuse_score(
    make_client: Any, config: Config, receiver: Receiver
) -> None:
    client = await make_client(with_callbacks(config, receiver))
    comment = await _post(client, "cms-rude", content="You are a pathetic idiot. Shut up.")
    resp = await client.post(
        f"/v1/comments/{comment['id']}/decision",
        json={"decision": "reject", "reason": "abuse"},
        headers=auth(ALICE),
    )
    assert resp.status == 200, await resp.text()
    undo = await client.post(f"/v1/comments/{comment['id']}/undo", headers=auth(ALICE))
    assert undo.status == 200
    await receiver.wait_for(lambda r: len(r.delivered()) == 2)
    decided, undone = (d.body["comment"] for d in receiver.delivered())
    assert (decided["status"], decided["decision_reason"]) == ("rejected", "abuse")
    # the score the intake answer gave (null when the model has no abuse head)
    assert decided["abuse_score"] == comment["abuse_score"]
    assert (undone["status"], undone["decision_reason"]) == ("pending", None)
    assert undone["abuse_score"] == comment["abuse_score"]


async def test_an_undo_follows_its_decision_in_order_even_when_the_decision_is_retried(
    make_client: Any, config: Config, receiver: Receiver
) -> None:
    # the decision fails twice; its undo, made meanwhile, must wait for it
    receiver.answer = lambda n, d: 500 if d.body["type"] == "comment.decided" and n <= 2 else 200
    client = await make_client(with_callbacks(config, receiver))
    comment = await _post(client, "cms-undo")
    await _decide(client, comment["id"], "spam")
    resp = await client.post(f"/v1/comments/{comment['id']}/undo", headers=auth(ALICE))
    assert resp.status == 200
    await receiver.wait_for(lambda r: len(r.delivered()) == 2)
    types = [d.body["type"] for d in receiver.deliveries]
    assert types == ["comment.decided", "comment.decided", "comment.decided", "comment.undone"]
    undone = receiver.deliveries[-1].body
    assert undone["comment"]["status"] == "pending"
    assert undone["comment"]["previous_status"] == "spam"
    assert undone["comment"]["decided_by"] == "alice"
    # one event id per event, on every attempt; attempts count up
    decided = [d for d in receiver.deliveries if d.body["type"] == "comment.decided"]
    assert len({d.event_id for d in decided}) == 1
    assert [d.attempt for d in decided] == [1, 2, 3]
    assert all(d.signed for d in receiver.deliveries)


async def test_bulk_decisions_are_one_event_each(
    make_client: Any, config: Config, receiver: Receiver
) -> None:
    client = await make_client(with_callbacks(config, receiver))
    ids = [(await _post(client, f"bulk-{i}"))["id"] for i in range(5)]
    resp = await client.post(
        "/v1/decisions",
        json={"decisions": [{"id": i, "decision": "approve"} for i in ids]},
        headers=auth(BOB),
    )
    assert resp.status == 200
    await receiver.wait_for(lambda r: len(r.delivered()) == 5)
    assert sorted(d.body["comment"]["id"] for d in receiver.deliveries) == sorted(ids)
    assert {d.body["comment"]["decided_by"] for d in receiver.deliveries} == {"bob"}
    assert len({d.event_id for d in receiver.deliveries}) == 5


async def test_a_receiver_failing_three_times_gets_it_on_the_fourth(
    make_client: Any, config: Config, receiver: Receiver
) -> None:
    receiver.answer = lambda n, d: 500 if n <= 3 else 200
    client = await make_client(with_callbacks(config, receiver))
    comment = await _post(client, "cms-retry")
    await _decide(client, comment["id"], "approve")
    await receiver.wait_for(lambda r: len(r.delivered()) == 1)
    assert [d.answered for d in receiver.deliveries] == [500, 500, 500, 200]
    assert [d.attempt for d in receiver.deliveries] == [1, 2, 3, 4]
    assert len({d.event_id for d in receiver.deliveries}) == 1
    assert len({d.raw for d in receiver.deliveries}) == 1  # the same body every time
    await _until(lambda: _settled(client))
    metrics = await (await client.get("/metrics")).text()
    assert 'moderation_callback_deliveries_total{outcome="retried",site="news"} 3.0' in metrics
    assert 'moderation_callback_deliveries_total{outcome="delivered",site="news"} 1.0' in metrics
    assert 'moderation_callback_pending{site="news"} 0.0' in metrics


async def test_a_hanging_receiver_times_out_and_is_tried_again(
    make_client: Any, config: Config, receiver: Receiver
) -> None:
    receiver.answer = lambda n, d: "hang" if n == 1 else 200
    client = await make_client(with_callbacks(config, receiver, callback_timeout_seconds=0.5))
    comment = await _post(client, "cms-hang")
    await _decide(client, comment["id"], "reject")
    await receiver.wait_for(lambda r: len(r.delivered()) == 1, within=10)
    assert [d.attempt for d in receiver.deliveries] == [1, 2]
    gap = receiver.deliveries[1].at - receiver.deliveries[0].at
    assert gap >= 0.5  # the second came after the first's timeout, not while it hung


async def test_a_redirect_is_not_followed_but_retried(
    make_client: Any, config: Config, receiver: Receiver
) -> None:
    receiver.answer = lambda n, d: "redirect" if n <= 2 else 204
    client = await make_client(with_callbacks(config, receiver))
    comment = await _post(client, "cms-redirect")
    await _decide(client, comment["id"], "approve")
    await receiver.wait_for(lambda r: len(r.delivered()) == 1)
    assert receiver.redirected_hits == 0
    assert [d.answered for d in receiver.deliveries] == [302, 302, 204]


async def test_a_dead_event_is_kept_listed_counted_and_redelivered(
    make_client: Any, config: Config, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    healthy = False
    receiver.answer = lambda n, d: 200 if healthy else 503
    # give up after about a second
    client = await make_client(with_callbacks(config, receiver, callback_give_up_hours=1 / 3600))
    comment = await _post(client, "cms-dead")
    caplog.set_level(logging.INFO, logger="moderation.callbacks")
    await _decide(client, comment["id"], "spam")

    async def dead() -> bool:
        return bool((await _listing(client, "dead"))["total"] == 1)

    await _until(dead, within=15)
    listing = await _listing(client, "dead")
    [entry] = listing["deliveries"]
    assert entry["type"] == "comment.decided"
    assert entry["comment_id"] == comment["id"]
    assert entry["attempts"] == len(receiver.deliveries) >= 2
    assert entry["last_error"] == "HTTP 503"
    assert entry["next_attempt_at"] is None
    assert (await _listing(client, "pending"))["total"] == 0
    metrics = await (await client.get("/metrics")).text()
    assert 'moderation_callback_deliveries_total{outcome="dead",site="news"} 1.0' in metrics
    # logged once when it started failing and once when it died, not per attempt
    lines = [r for r in caplog.records if r.name == "moderation.callbacks"]
    assert [r.getMessage() for r in lines] == [
        "callback failing: will retry",
        "callback dead: given up",
    ]
    assert all(getattr(r, "event_id", None) == entry["event_id"] for r in lines)
    assert "checked by hand" not in caplog.text  # never the body

    healthy = True
    resp = await client.post("/v1/callbacks/redeliver", json={"site": "news"}, headers=auth(ROOT))
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["queued"] == [entry["event_id"]]
    await receiver.wait_for(lambda r: len(r.delivered()) == 1)
    assert receiver.delivered()[0].event_id == entry["event_id"]
    await _until(lambda: _settled(client))
    assert (await _listing(client, "dead"))["total"] == 0


async def test_only_the_configured_events_are_sent(
    make_client: Any, config: Config, receiver: Receiver
) -> None:
    client = await make_client(with_callbacks(config, receiver, callback_events=["comment.undone"]))
    comment = await _post(client, "cms-some")
    await _decide(client, comment["id"], "approve")
    resp = await client.post(f"/v1/comments/{comment['id']}/undo", headers=auth(ALICE))
    assert resp.status == 200
    await receiver.wait_for(lambda r: len(r.delivered()) == 1)
    # the decision was never queued (the outbox is empty once the undo is delivered)
    await _until(lambda: _settled(client))
    assert [d.body["type"] for d in receiver.deliveries] == ["comment.undone"]


async def test_a_site_without_callbacks_queues_nothing(client: Client) -> None:
    comment = await _post(client, "cms-quiet")
    await _decide(client, comment["id"], "approve")
    store = client.app[STORE]
    assert await store.redis.keys("mod:{news}:cb:*") == []


async def test_the_callbacks_api_is_for_admins_of_the_site(
    make_client: Any, config: Config, receiver: Receiver
) -> None:
    client = await make_client(with_callbacks(config, receiver))
    for token, status in ((ALICE, 403), (CAROL, 403), (NEWS_KEY, 401)):
        resp = await client.get("/v1/callbacks?site=news&state=dead", headers=auth(token))
        assert resp.status == status, (token, await resp.text())
        resp = await client.post(
            "/v1/callbacks/redeliver", json={"site": "news"}, headers=auth(token)
        )
        assert resp.status == status
    resp = await client.get("/v1/callbacks?site=nosuch&state=dead", headers=auth(ROOT))
    assert resp.status == 404
    resp = await client.get("/v1/callbacks?site=news&state=done", headers=auth(ROOT))
    assert resp.status == 422
    assert (await resp.json())["errors"][0]["field"] == "state"
    resp = await client.post(
        "/v1/callbacks/redeliver",
        json={"site": "news", "event_ids": "evt_1"},
        headers=auth(ROOT),
    )
    assert resp.status == 422


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"callback_url": "http://cms.example/hook"}, "callback_secret is required"),
        (
            {"callback_url": "ftp://cms.example/hook", "callback_secret": SECRET},
            "callback_url: must be an http:// or https:// URL",
        ),
        (
            {"callback_url": "http://cms.example/hook", "callback_secret": "short"},
            "callback_secret: must be a string of at least 16 characters",
        ),
        (
            {
                "callback_url": "http://cms.example/hook",
                "callback_secret": SECRET,
                "callback_events": ["comment.created"],
            },
            "callback_events: a non-empty list of",
        ),
        (
            {
                "callback_url": "http://cms.example/hook",
                "callback_secret": SECRET,
                "callback_timeout_seconds": 0,
            },
            "callback_timeout_seconds",
        ),
    ],
)
def test_callback_config_errors_name_the_key(options: dict[str, Any], message: str) -> None:
    raw = json.loads(json.dumps(CONFIG_TOML))
    raw["sites"][0].update(options)
    with pytest.raises(ConfigError, match="sites\\[news\\]") as caught:
        Config.from_mapping(raw)
    assert message in str(caught.value)


def test_callback_defaults() -> None:
    raw = json.loads(json.dumps(CONFIG_TOML))
    raw["sites"][0].update(callback_url="https://cms.example/hook", callback_secret=SECRET)
    site = Config.from_mapping(raw).sites[0]
    assert [e.value for e in site.callback_events] == [
        "comment.decided",
        "comment.auto_decided",
        "comment.undone",
        "comment.edited",  # a CMS showing an edited comment as approved must hold it
    ]
    assert site.callback_timeout_seconds == 10
    assert site.callback_give_up_hours == 24
    assert SECRET not in repr(site)


async def test_callback_answers_and_bodies_match_the_document(
    make_client: Any, config: Config, receiver: Receiver
) -> None:
    from jsonschema import Draft202012Validator

    from tests.web.test_openapi import DOC_URI, REGISTRY, check

    receiver.answer = lambda n, d: 500 if n == 1 else 200
    client = await make_client(with_callbacks(config, receiver, callback_retry_seconds=5))
    comment = await _post(client, "cms-doc")
    await _decide(client, comment["id"], "approve")
    await receiver.wait_for(lambda r: len(r.deliveries) == 1)

    async def failure_recorded() -> bool:  # the deliverer settles the attempt after it
        listed = (await _listing(client, "pending"))["deliveries"]
        return bool(listed and listed[0]["attempts"] == 1)

    await _until(failure_recorded)
    resp = await client.get("/v1/callbacks?site=news&state=pending", headers=auth(ROOT))
    listed = await check(resp, "/v1/callbacks")
    [entry] = listed["deliveries"]
    assert entry["attempts"] == 1 and entry["last_error"] == "HTTP 500"
    assert entry["next_attempt_at"] is not None
    resp = await client.get("/v1/callbacks?site=news&state=dead", headers=auth(ROOT))
    assert (await check(resp, "/v1/callbacks"))["deliveries"] == []
    resp = await client.post(
        "/v1/callbacks/redeliver",
        json={"site": "news", "event_ids": [entry["event_id"], "evt_unknown"]},
        headers=auth(ROOT),
    )
    answer = await check(resp, "/v1/callbacks/redeliver")
    assert answer == {"site": "news", "queued": [], "not_dead": [entry["event_id"], "evt_unknown"]}
    resp = await client.get("/v1/callbacks?site=news&state=later", headers=auth(ROOT))
    await check(resp, "/v1/callbacks")
    await receiver.wait_for(lambda r: len(r.delivered()) == 1)
    validator = Draft202012Validator(
        {"$ref": DOC_URI + "#/components/schemas/CallbackBody"},
        registry=REGISTRY,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    for delivery in receiver.deliveries:
        assert list(validator.iter_errors(delivery.body)) == []


def _readme_snippet(language: str) -> str:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("## Callbacks to your CMS", 1)[1].split("\n## ", 1)[0]
    [code] = re.findall(rf"```{language}\n(.*?)```", section, re.S)
    return str(code)


async def test_the_readmes_verifiers_accept_a_real_callback_and_refuse_a_forged_one(
    make_client: Any, config: Config, receiver: Receiver, tmp_path: Path
) -> None:
    client = await make_client(with_callbacks(config, receiver))
    comment = await _post(client, "cms-readme")
    await _decide(client, comment["id"], "approve")
    await receiver.wait_for(lambda r: len(r.delivered()) == 1)
    delivery = receiver.deliveries[0]
    header = delivery.headers["X-Moderation-Signature"]
    forged = delivery.raw.replace(b'"approved"', b'"rejected"')
    assert forged != delivery.raw

    namespace: dict[str, Any] = {}
    exec(_readme_snippet("python"), namespace)  # our own README's snippet
    assert namespace["verify"](SECRET, header, delivery.raw) is True
    assert namespace["verify"](SECRET, header, forged) is False
    assert namespace["verify"]("another-secret-0123456789", header, delivery.raw) is False

    php = shutil.which("php")
    if php is None:
        pytest.skip("php is not installed (CI installs php-cli): the PHP snippet is untested")
    script = tmp_path / "verify.php"
    body_file = tmp_path / "body"
    script.write_text(
        "<?php\n"
        + _readme_snippet("php")
        + "\n$body = file_get_contents($argv[3]);\n"
        + "echo moderation_verify($argv[1], $argv[2], $body) ? 'valid' : 'invalid';\n"
    )
    for body, expected in ((delivery.raw, "valid"), (forged, "invalid")):
        body_file.write_bytes(body)
        ran = await asyncio.to_thread(
            subprocess.run,
            [php, str(script), SECRET, header, str(body_file)],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        assert ran.stdout == expected, ran.stderr


async def test_events_the_streams_cap_trims_are_still_delivered(
    make_client: Any, config: Config, receiver: Receiver
) -> None:
    up = False
    receiver.answer = lambda n, d: 200 if up else 503
    client = await make_client(with_callbacks(config, receiver, callback_retry_seconds=0.5))
    client.app[STORE].events_maxlen = 1
    ids = [(await _post(client, f"trim-{i}"))["id"] for i in range(150)]
    resp = await client.post(
        "/v1/decisions",
        json={"decisions": [{"id": i, "decision": "approve"} for i in ids]},
        headers=auth(ALICE),
    )
    assert resp.status == 200
    redis = client.app[STORE].redis
    assert await redis.xlen("mod:{news}:events") < 150  # the stream kept only its tail
    up = True
    await receiver.wait_for(lambda r: len({d.event_id for d in r.delivered()}) == 150, within=60)
    assert sorted({d.body["comment"]["id"] for d in receiver.delivered()}) == sorted(ids)
    await _until(lambda: _settled(client), within=30)


async def test_a_hanging_cms_holds_up_neither_intake_nor_another_sites_callbacks(
    make_client: Any, config: Config, receiver: Receiver
) -> None:
    from tests.conftest import BLOG_KEY, BLOG_SIGNING

    receiver.answer = lambda n, d: "hang"  # news's CMS never answers
    blog_receiver = await Receiver("blog-callback-secret-0123456789").start()
    try:
        raw = json.loads(json.dumps(CONFIG_TOML))
        raw["sites"][0].update(
            callback_url=receiver.url, callback_secret=SECRET, callback_timeout_seconds=20
        )
        raw["sites"][1].update(callback_url=blog_receiver.url, callback_secret=blog_receiver.secret)
        client = await make_client(replace(config, sites=Config.from_mapping(raw).sites))
        news_ids = [(await _post(client, f"hung-{i}"))["id"] for i in range(20)]
        resp = await client.post(
            "/v1/decisions",
            json={"decisions": [{"id": i, "decision": "approve"} for i in news_ids]},
            headers=auth(ALICE),
        )
        assert resp.status == 200
        await receiver.wait_for(lambda r: len(r.deliveries) >= 8)  # its connections are full
        # intake goes on, and the blog's decision reaches the blog at once
        body = comment_body(id="blog-1")
        raw_body = json.dumps(body).encode()
        import time as clock

        from moderation.core.signing import sign

        resp = await client.post(
            "/v1/comments",
            data=raw_body,
            headers={
                **auth(BLOG_KEY),
                "Content-Type": "application/json",
                "X-Moderation-Signature": sign(BLOG_SIGNING, int(clock.time()), raw_body),
            },
        )
        assert resp.status == 202, await resp.text()
        blog_id = (await resp.json())["id"]
        await _decide(client, blog_id, "approve", token=CAROL)
        await blog_receiver.wait_for(lambda r: len(r.delivered()) == 1)
        # ... before any of news's attempts has even timed out
        assert all(d.answered == 0 for d in receiver.deliveries)
        assert len(receiver.deliveries) <= 8  # at most 8 in flight per site and process
    finally:
        await blog_receiver.stop()


async def test_a_redis_that_forgot_its_scripts_still_queues_automatic_decisions(
    make_client: Any, config: Config, receiver: Receiver
) -> None:
    # a site with auto_decided callbacks takes intake's variant script; after a Redis
    # restart (SCRIPT FLUSH here) both variants are loaded again by the batch that needs them
    raw = json.loads(json.dumps(CONFIG_TOML))
    raw["sites"][0].update(
        callback_url=receiver.url, callback_secret=SECRET, block=["@spam.example"]
    )
    client = await make_client(replace(config, sites=Config.from_mapping(raw).sites))
    redis = client.app[STORE].redis
    await redis.script_flush()
    spam = await _post(client, "flushed-1", author_email="x@spam.example")
    assert spam["status"] == "spam"
    await redis.script_flush()
    ham = await _post(client, "flushed-2")
    assert ham["status"] == "pending"
    await receiver.wait_for(lambda r: len(r.delivered()) == 1)
    assert receiver.deliveries[0].body["comment"]["id"] == spam["id"]


async def test_a_claim_whose_reply_is_lost_is_given_back_not_held_for_its_lease(
    make_client: Any, config: Config, receiver: Receiver
) -> None:
    # Redis ran the claim, then the connection went before its reply arrived (as when
    # redis-server is killed at that moment): the events are leased to nobody.  The
    # deliverer gives them back once Redis answers, so they go out at once, not a lease
    # (the timeout + 30 s) later.
    client = await make_client(with_callbacks(config, receiver))
    store = client.app[STORE]
    real_claim = store.claim_callbacks
    lost: list[str] = []

    async def claim_then_lose_the_reply(*args: Any) -> Any:
        claimed, next_due = await real_claim(*args)
        if claimed and not lost:
            lost.extend(event_id for event_id, _ in claimed)
            raise ConnectionError("connection closed by server")
        return claimed, next_due

    store.claim_callbacks = claim_then_lose_the_reply
    comment = await _post(client, "lost-reply-1")
    started = asyncio.get_running_loop().time()
    await _decide(client, comment["id"], "approve")
    await receiver.wait_for(lambda r: len(r.delivered()) == 1, within=10)
    assert lost == [receiver.deliveries[0].event_id]
    assert asyncio.get_running_loop().time() - started < 10  # well within the 32 s lease
    # its first attempt was the one whose claim was lost: this is attempt 2, counted
    assert receiver.deliveries[0].headers["X-Moderation-Attempt"] == "2"
    await _until(lambda: _settled(client))
    assert_indexes_consistent(config.redis.url or "")
