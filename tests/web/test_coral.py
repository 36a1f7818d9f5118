"""Coral's external moderation phase: Coral's signed request (as Coral writes it), the
site named by the secret that verifies, the site's thresholds around the model's real
scores, its block rules, and nothing stored."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import replace
from typing import Any

import pytest
import redis as redis_sync
from aiohttp.test_utils import TestClient

from classifier import Comment, Score
from moderation.appkeys import METRICS, MODEL
from moderation.config import Config, ConfigError
from moderation.intake.scoring import blank_markup
from moderation.web.coral import DEFAULT_HOLD_ABUSE
from tests.conftest import CONFIG_TOML, ROOT, auth
from tests.web.test_openapi import check

Client = TestClient[Any, Any]
PHASE = "/coral/v1/phase"
NEWS_SECRET = "ssc_news-coral-phase-secret-0123"
BLOG_SECRET = "ssc_blog-coral-phase-secret-4567"
STORY = "https://news.example.com/2026/budget"
SPAM_TEXT = "Buy cheap viagra pills online at http://bit.ly/cheap-pills best price!!! casino"
HAM_TEXT = "Thanks for the clear write-up on the council budget; the figures help a lot."
ABUSIVE = "You are a pathetic idiot and a disgusting liar. Shut up, moron."


def coral_config(config: Config, **news: Any) -> Config:
    raw = json.loads(json.dumps(CONFIG_TOML))
    raw["sites"][0].update(coral_signing_secret=NEWS_SECRET, **news)
    raw["sites"][1].update(coral_signing_secret=BLOG_SECRET)
    return replace(config, sites=Config.from_mapping(raw).sites)


def coral_body(text: str, action: str = "NEW") -> bytes:
    """A request as Coral sends it: ``JSON.stringify(request, null, 2)``."""
    request = {
        "action": action,
        "comment": {"body": text, "parentID": None},
        "author": {"id": "baf4e943-3594-4fcc-b2ba-3e8de7a76352", "role": "COMMENTER"},
        "story": {"id": "245b3856-b0a0-4d2f-a6bb-58c71f18d6a6", "url": STORY},
        "site": {"id": "a4bede88-2d2c-4424-bc18-4322a9e285a6"},
        "tenantID": "19ba5794-7eeb-4d46-a81b-c00c61672501",
        "tenantDomain": "localhost",
    }
    return json.dumps(request, indent=2).encode()


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def phase(client: Client, body: bytes, header: str | None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["X-Coral-Signature"] = header
    resp = await client.post(PHASE, data=body, headers=headers)
    if resp.status == 204:
        assert await resp.read() == b""
        return 204, None
    return resp.status, await resp.json()


async def ask(client: Client, text: str, secret: str = NEWS_SECRET) -> tuple[int, Any]:
    body = coral_body(text)
    return await phase(client, body, signature(secret, body))


def score(client: Client, text: str) -> Score:
    model = client.app[MODEL].model
    assert model is not None
    [got] = model.score_batch([Comment(content=blank_markup(text), post_url=STORY)])
    assert isinstance(got, Score)
    return got


def flags(answer: Any) -> set[str]:
    return {a["reason"] for a in answer["actions"] if a["actionType"] == "FLAG"}


@pytest.fixture
async def service(make_client: Any, config: Config) -> Client:
    client: Client = await make_client(coral_config(config))
    return client


# ---------------------------------------------------------------------------------------
# The signature


async def test_only_a_signature_one_of_the_sites_secrets_verifies_is_taken(
    service: Client,
) -> None:
    body = coral_body(HAM_TEXT)
    for header in (
        None,
        "",
        "sha256=",
        "sha256=zz",
        signature("a-secret-no-site-has-0123", body),
        signature(NEWS_SECRET, body + b" "),  # the signature of another body
        signature(NEWS_SECRET, body).replace("sha256=", "sha1="),
        "t=1,v1=" + signature(NEWS_SECRET, body)[7:],  # this service's own scheme
    ):
        status, answer = await phase(service, body, header)
        assert status == 403, header
        assert answer["status"] == 403 and "X-Coral-Signature" in answer["detail"]
    assert service.app[METRICS].scored_only.labels("coral")._value.get() == 0


async def test_several_signatures_while_coral_rotates_the_secret(service: Client) -> None:
    body = coral_body(HAM_TEXT)
    old = signature("the-old-secret-of-the-phase-01", body)
    for header in (
        f"{old},{signature(NEWS_SECRET, body)}",
        f"{signature(NEWS_SECRET, body)}, {old}",
        f"{signature(NEWS_SECRET, body).upper().replace('SHA256', 'sha256')}",
    ):
        status, _ = await phase(service, body, header)
        assert status in (200, 204), header


async def test_the_secret_that_verifies_names_the_site(service: Client) -> None:
    # the blog blocks a phrase; the news site does not
    resp = await service.post(
        "/v1/rules",
        json={"site": "blog", "list": "block", "kind": "phrase", "value": "council budget"},
        headers=auth(ROOT),
    )
    assert resp.status == 201, await resp.text()
    status, answer = await ask(service, HAM_TEXT, BLOG_SECRET)
    assert (status, answer) == (200, {"actions": [], "status": "REJECTED"})
    status, answer = await ask(service, HAM_TEXT, NEWS_SECRET)
    assert answer is None or answer["status"] != "REJECTED"


def test_coral_signing_secret_config() -> None:
    raw = json.loads(json.dumps(CONFIG_TOML))
    raw["sites"][0]["coral_signing_secret"] = "short"
    with pytest.raises(ConfigError, match="coral_signing_secret: must be a string of at least"):
        Config.from_mapping(raw)
    raw["sites"][0]["coral_signing_secret"] = raw["sites"][1]["coral_signing_secret"] = NEWS_SECRET
    with pytest.raises(ConfigError, match="two sites share one Coral signing secret"):
        Config.from_mapping(raw)
    del raw["sites"][1]["coral_signing_secret"]
    assert NEWS_SECRET not in repr(Config.from_mapping(raw).sites[0])


# ---------------------------------------------------------------------------------------
# The verdict, around the model's real scores


async def test_a_comment_with_nothing_to_say_is_204(service: Client) -> None:
    got = score(service, HAM_TEXT)
    assert not got.spam and (got.abuse is None or got.abuse < DEFAULT_HOLD_ABUSE)
    for action in ("NEW", "EDIT"):
        body = coral_body(HAM_TEXT, action)
        assert await phase(service, body, signature(NEWS_SECRET, body)) == (204, None)
    assert await ask(service, "<p> </p>") == (204, None)  # markup alone: nothing to score


async def test_the_spam_verdict_is_flagged_and_withheld(service: Client) -> None:
    got = score(service, SPAM_TEXT)
    assert got.spam  # the model's own verdict on a clear case
    status, answer = await ask(service, SPAM_TEXT)
    assert status == 200 and "COMMENT_DETECTED_SPAM" in flags(answer)
    assert answer["status"] == "SYSTEM_WITHHELD"
    assert all(a["actionType"] == "FLAG" for a in answer["actions"])


async def test_a_spam_score_at_the_sites_automatic_threshold_is_rejected(
    make_client: Any, config: Config
) -> None:
    probe: Client = await make_client(coral_config(config))
    spam = score(probe, SPAM_TEXT).probability
    at: Client = await make_client(coral_config(config, auto_spam_above=round(spam - 0.001, 4)))
    status, answer = await ask(at, SPAM_TEXT)
    assert status == 200 and answer["status"] == "REJECTED"
    assert "COMMENT_DETECTED_SPAM" in flags(answer)
    above: Client = await make_client(
        coral_config(config, auto_spam_above=min(1.0, round(spam + 0.001, 4)))
    )
    status, answer = await ask(above, SPAM_TEXT)
    assert answer["status"] == "SYSTEM_WITHHELD"


async def test_abuse_is_held_at_the_sites_hold_and_rejected_at_its_reject(
    make_client: Any, config: Config
) -> None:
    probe: Client = await make_client(coral_config(config))
    got = score(probe, ABUSIVE)
    if got.abuse is None:
        pytest.skip("the model in use has no abuse head")
    abuse = got.abuse
    status, answer = await ask(probe, ABUSIVE)  # Coral's own default hold: 0.8
    if abuse >= DEFAULT_HOLD_ABUSE:
        assert "COMMENT_DETECTED_TOXIC" in flags(answer)
    else:
        assert answer is None or "COMMENT_DETECTED_TOXIC" not in flags(answer)
    hold = round(max(0.0, abuse - 0.01), 4)
    held: Client = await make_client(coral_config(config, hold_abuse_above=hold))
    status, answer = await ask(held, ABUSIVE)
    assert status == 200 and "COMMENT_DETECTED_TOXIC" in flags(answer)
    assert answer["status"] == "SYSTEM_WITHHELD"  # no reject threshold, no rule
    rejecting: Client = await make_client(
        coral_config(config, hold_abuse_above=round(hold / 2, 4), reject_abuse_above=hold)
    )
    status, answer = await ask(rejecting, ABUSIVE)
    assert status == 200 and answer["status"] == "REJECTED"
    assert "COMMENT_DETECTED_TOXIC" in flags(answer)
    polite = score(rejecting, HAM_TEXT).abuse
    assert polite is not None and polite < abuse


async def test_a_block_rule_on_a_link_in_the_markup_rejects(service: Client) -> None:
    resp = await service.post(
        "/v1/rules",
        json={"site": "news", "list": "block", "kind": "link_domain", "value": "pills.example"},
        headers=auth(ROOT),
    )
    assert resp.status == 201
    html = '<p>Interesting take. <a href="https://www.pills.example/buy">More here</a></p>'
    status, answer = await ask(service, html)
    assert status == 200 and answer["status"] == "REJECTED"
    # the same words without the link are not
    status, answer = await ask(service, "<p>Interesting take. More here</p>")
    assert answer is None or answer["status"] != "REJECTED"


async def test_nothing_is_stored_and_bad_requests_are_4xx(service: Client, redis_url: str) -> None:
    with redis_sync.Redis.from_url(redis_url) as r:
        before = sorted(r.scan_iter("mod:{news}:*"))
    for text in (HAM_TEXT, SPAM_TEXT):
        status, _ = await ask(service, text)
        assert status in (200, 204)
    with redis_sync.Redis.from_url(redis_url) as r:
        assert sorted(r.scan_iter("mod:{news}:*")) == before
    assert service.app[METRICS].scored_only.labels("coral")._value.get() == 2
    for body, expected in (
        (b"{not json", 400),
        (b'{"action": "NEW"}', 422),
        (b'{"action": "DELETE", "comment": {"body": "x"}}', 422),
        (b'{"action": "NEW", "comment": {"body": 5}}', 422),
    ):
        status, answer = await phase(service, body, signature(NEWS_SECRET, body))
        assert status == expected and answer["status"] == expected


async def test_answers_match_the_document(service: Client) -> None:
    for text, header_secret in (
        (HAM_TEXT, NEWS_SECRET),
        (SPAM_TEXT, NEWS_SECRET),
        (HAM_TEXT, None),
    ):
        body = coral_body(text)
        headers = {"Content-Type": "application/json"}
        if header_secret is not None:
            headers["X-Coral-Signature"] = signature(header_secret, body)
        resp = await service.post(PHASE, data=body, headers=headers)
        assert resp.status in (200, 204, 403)
        await check(resp, PHASE)
