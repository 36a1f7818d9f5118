"""The Perspective-compatible API: Google's request and answer shapes, Google's errors,
scoring only (nothing stored), suggestions kept as labels, and Google's own Node client
(``googleapis``' commentanalyzer v1alpha1) pointed at the service."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import replace
from typing import Any

import pytest
import redis as redis_sync
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from classifier import Comment, Score, SpamModel
from moderation.appkeys import METRICS, MODEL, STORE
from moderation.config import Config, ConfigError
from moderation.intake.scoring import (
    MAX_SPANS,
    blank_markup,
    markup_links,
    sentence_spans,
    utf16_offsets,
)
from moderation.web.perspective import KEY_INVALID, TEXT_MAX_BYTES
from tests.conftest import CONFIG_TOML
from tests.support import perspective_client
from tests.web.test_openapi import check

Client = TestClient[Any, Any]
KEY = "news-perspective-key-0123456789"
BLOG_KEY = "blog-perspective-key-0123456789"
ANALYZE = "/v1alpha1/comments:analyze"
SUGGEST = "/v1alpha1/comments:suggestscore"
ABUSIVE = "You are a pathetic idiot and a disgusting liar. Shut up, moron."
POLITE = "Thanks for the clear write-up on the council budget; the figures help a lot."


def perspective_config(config: Config, **options: Any) -> Config:
    raw = json.loads(json.dumps(CONFIG_TOML))
    raw["sites"][0].update(perspective_key=KEY, **options)
    raw["sites"][1].update(perspective_key=BLOG_KEY)
    return replace(config, sites=Config.from_mapping(raw).sites)


@pytest.fixture
async def service(make_client: Any, config: Config) -> Client:
    client: Client = await make_client(perspective_config(config))
    return client


def request(text: str = POLITE, **more: Any) -> dict[str, Any]:
    return {"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}}, **more}


async def google_error(resp: ClientResponse, code: int, status: str) -> str:
    """Assert that ``resp`` is Google's error shape with ``code`` and ``status``; its
    message."""
    assert resp.status == code, await resp.text()
    assert resp.content_type == "application/json"
    body = await resp.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "status"}
    assert body["error"]["code"] == code and body["error"]["status"] == status
    message: str = body["error"]["message"]
    return message


def model_of(client: Client) -> SpamModel:
    model: SpamModel | None = client.app[MODEL].model
    assert model is not None
    return model


def scores_of(client: Client, *texts: str) -> list[Score]:
    return model_of(client).score_batch([Comment(content=t) for t in texts])


def needs_abuse_head(client: Client) -> None:
    """Tests of scores need the model's abuse head (TOXICITY); the model without one
    answers every attribute with a 400, which the other tests check."""
    if scores_of(client, POLITE)[0].abuse is None:
        pytest.skip("the model in use has no abuse head: TOXICITY is not scored")


def keys_in(redis_url: str) -> int:
    with redis_sync.Redis.from_url(redis_url) as r:
        return sum(1 for _ in r.scan_iter("mod:{news}:*"))


# ---------------------------------------------------------------------------------------
# The key and Google's errors


async def test_a_missing_or_wrong_key_is_googles_400(service: Client) -> None:
    for path in (ANALYZE, SUGGEST):
        for query in (
            "",
            "?key=",
            "?key=not-a-key-of-any-site",
            "?key=news-site-api-key-0123456789",
        ):
            resp = await service.post(path + query, json=request())
            assert await google_error(resp, 400, "INVALID_ARGUMENT") == KEY_INVALID


async def test_the_key_may_come_in_googles_header(service: Client) -> None:
    resp = await service.post(ANALYZE, json=request(""), headers={"X-Goog-Api-Key": KEY})
    # past the key: the empty text is what is refused
    assert "comment.text" in await google_error(resp, 400, "INVALID_ARGUMENT")


async def test_a_site_without_a_perspective_key_has_no_perspective_api(
    make_client: Any, config: Config
) -> None:
    client: Client = await make_client(config)  # no site has a perspective_key
    resp = await client.post(f"{ANALYZE}?key={KEY}", json=request())
    assert await google_error(resp, 400, "INVALID_ARGUMENT") == KEY_INVALID


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b"{not json", "Invalid JSON payload received"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"comment": {"text": "hi"}, "comment": {"text": "ho"}}', "more than once"),
        (json.dumps(request(extra=1)).encode(), 'Unknown name "extra": Cannot find field.'),
        (
            json.dumps({"comment": {"text": "hi", "lang": "en"}}).encode(),
            "Unknown name \"lang\" at 'comment': Cannot find field.",
        ),
        (json.dumps({"comment": {"text": 5}}).encode(), "Invalid value at 'comment.text'"),
        (json.dumps(request(spanAnnotations="yes")).encode(), "'spanAnnotations'"),
        (json.dumps(request(doNotStore=1)).encode(), "'doNotStore'"),
        (b"", "comment.text is required"),
        (json.dumps({"requestedAttributes": {"TOXICITY": {}}}).encode(), "comment.text"),
        (json.dumps(request(" \u200b\n")).encode(), "must not be blank"),
        (json.dumps(request("x" * (TEXT_MAX_BYTES + 1))).encode(), "too many bytes"),
        (
            json.dumps(request("\u00e9" * (TEXT_MAX_BYTES // 2 + 1))).encode(),
            "too many bytes",
        ),
        (json.dumps({"comment": {"text": "hi"}}).encode(), "at least one attribute"),
        (json.dumps(request(requestedAttributes={})).encode(), "at least one attribute"),
        (
            json.dumps(request(requestedAttributes={"toxicity": {}})).encode(),
            "Unknown attribute",
        ),
        (
            json.dumps(request(requestedAttributes={"TOXICITY": {"scoreType": "RAW"}})).encode(),
            "only the PROBABILITY score type",
        ),
        (
            json.dumps(request(requestedAttributes={"TOXICITY": {"scoreThreshold": 2}})).encode(),
            "scoreThreshold",
        ),
        (
            json.dumps(request(languages=["de"])).encode(),
            "Attribute TOXICITY does not support request languages: de",
        ),
        (json.dumps(request(languages=["not a code"])).encode(), "language code"),
        (
            b'{"comment": {"text": "\\ud800"}, "requestedAttributes": {"TOXICITY": {}}}',
            "comment.text",
        ),
        (json.dumps(request(clientToken="t" * 1001)).encode(), "clientToken"),
    ],
)
async def test_a_bad_request_is_googles_400(service: Client, body: bytes, said: str) -> None:
    resp = await service.post(
        f"{ANALYZE}?key={KEY}", data=body, headers={"Content-Type": "application/json"}
    )
    message = await google_error(resp, 400, "INVALID_ARGUMENT")
    assert said in message
    assert "\ud800" not in message


async def test_other_failures_are_googles_shape_too(service: Client) -> None:
    resp = await service.get(f"{ANALYZE}?key={KEY}")  # Google's front end: not found
    assert await google_error(resp, 404, "NOT_FOUND") == "Method not found."
    resp = await service.post(f"/v1alpha1/comments:classify?key={KEY}", json=request())
    await google_error(resp, 404, "NOT_FOUND")
    big = json.dumps(request("word " * 20_000)).encode()  # over intake's 64 KiB body limit
    resp = await service.post(f"{ANALYZE}?key={KEY}", data=big)
    assert "limit" in await google_error(resp, 400, "INVALID_ARGUMENT")


async def test_an_attribute_the_model_does_not_score_is_a_400(service: Client) -> None:
    [score] = scores_of(service, POLITE)
    offered = {name for name, _ in score.attributes} | ({"TOXICITY"} if score.abuse else set())
    missing = "FLIRTATION"
    assert missing not in offered
    resp = await service.post(
        f"{ANALYZE}?key={KEY}", json=request(requestedAttributes={missing: {}})
    )
    message = await google_error(resp, 400, "INVALID_ARGUMENT")
    assert f"Attribute {missing} is not supported" in message
    if score.abuse is None:  # no abuse head: TOXICITY is not scored either
        resp = await service.post(f"{ANALYZE}?key={KEY}", json=request())
        assert "no abuse head" in await google_error(resp, 400, "INVALID_ARGUMENT")


async def test_the_sites_rate_limit_counts_and_answers_googles_429(
    make_client: Any, config: Config
) -> None:
    client: Client = await make_client(
        perspective_config(config, rate_limit={"per_minute": 1, "burst": 1})
    )
    suggestion = {
        "comment": {"text": POLITE},
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.1}}},
    }
    first = await client.post(f"{SUGGEST}?key={KEY}", json=suggestion)
    assert first.status == 200
    second = await client.post(f"{ANALYZE}?key={KEY}", json=request())
    assert "rate_limit" in await google_error(second, 429, "RESOURCE_EXHAUSTED")
    assert int(second.headers["Retry-After"]) >= 1
    # another site's budget is its own
    third = await client.post(f"{SUGGEST}?key={BLOG_KEY}", json=suggestion)
    assert third.status == 200


def test_perspective_key_config() -> None:
    raw = json.loads(json.dumps(CONFIG_TOML))
    raw["sites"][0]["perspective_key"] = "short"
    with pytest.raises(ConfigError, match="perspective_key: must be a string of at least 16"):
        Config.from_mapping(raw)
    raw["sites"][0]["perspective_key"] = raw["sites"][1]["perspective_key"] = KEY
    with pytest.raises(ConfigError, match="two sites share one Perspective key"):
        Config.from_mapping(raw)
    del raw["sites"][1]["perspective_key"]
    site = Config.from_mapping(raw).sites[0]
    assert site.perspective_key is None and site.perspective_key_sha256 is not None
    assert KEY not in repr(site)


# ---------------------------------------------------------------------------------------
# Scores


async def test_analyze_answers_perspectives_shape_with_the_models_score(
    service: Client, redis_url: str
) -> None:
    needs_abuse_head(service)
    polite, abusive = scores_of(service, POLITE, ABUSIVE)
    before = keys_in(redis_url)
    answers = []
    for text in (POLITE, ABUSIVE):
        resp = await service.post(
            f"{ANALYZE}?key={KEY}",
            json=request(text, doNotStore=True, clientToken="tok-1", sessionId="s"),
        )
        assert resp.status == 200 and resp.content_type == "application/json"
        answers.append(await resp.json())
    for body, score in zip(answers, (polite, abusive), strict=True):
        assert body == {
            "attributeScores": {
                "TOXICITY": {"summaryScore": {"value": score.abuse, "type": "PROBABILITY"}}
            },
            "languages": ["en"],
            "detectedLanguages": ["en"],
            "clientToken": "tok-1",
        }
    assert abusive.abuse is not None and polite.abuse is not None
    assert abusive.abuse > polite.abuse
    # scoring only: nothing of the comments is kept (rate limits of none configured)
    assert keys_in(redis_url) == before
    assert sum((await service.app[STORE].counts("news")).values()) == 0
    counted = service.app[METRICS].scored_only.labels("perspective")._value.get()
    assert counted == 2


async def test_every_attribute_the_model_offers_and_the_threshold(service: Client) -> None:
    needs_abuse_head(service)
    [score] = scores_of(service, ABUSIVE)
    offered = dict(score.attributes)
    assert score.abuse is not None
    offered["TOXICITY"] = score.abuse
    resp = await service.post(
        f"{ANALYZE}?key={KEY}",
        json=request(ABUSIVE, requestedAttributes={n: {} for n in offered}, languages=["en-GB"]),
    )
    body = await resp.json()
    assert {n: a["summaryScore"]["value"] for n, a in body["attributeScores"].items()} == offered
    assert body["languages"] == ["en-GB"]
    # a threshold above the score leaves the attribute out, one at it keeps it
    resp = await service.post(
        f"{ANALYZE}?key={KEY}",
        json=request(
            ABUSIVE,
            requested_attributes={
                "TOXICITY": {"scoreThreshold": score.abuse, "scoreType": "PROBABILITY"}
            },
        ),
    )
    assert set((await resp.json())["attributeScores"]) == {"TOXICITY"}
    above = min(1.0, score.abuse + 0.001)
    resp = await service.post(
        f"{ANALYZE}?key={KEY}",
        json=request(ABUSIVE, requestedAttributes={"TOXICITY": {"scoreThreshold": above}}),
    )
    assert (await resp.json())["attributeScores"] == {}


async def test_span_scores_are_sentences_in_utf16_offsets(service: Client) -> None:
    needs_abuse_head(service)
    text = "Thanks for the report 😀. You are a pathetic idiot!\nSee you at the meeting"
    resp = await service.post(f"{ANALYZE}?key={KEY}", json=request(text, spanAnnotations=True))
    body = await resp.json()
    spans = body["attributeScores"]["TOXICITY"]["spanScores"]
    units = text.encode("utf-16-le")
    pieces = [units[2 * s["begin"] : 2 * s["end"]].decode("utf-16-le") for s in spans]
    assert pieces == [
        "Thanks for the report 😀.",
        "You are a pathetic idiot!",
        "See you at the meeting",
    ]
    expected = scores_of(service, *pieces)
    assert [s["score"]["value"] for s in spans] == [e.abuse for e in expected]
    assert all(s["score"]["type"] == "PROBABILITY" for s in spans)
    summary = body["attributeScores"]["TOXICITY"]["summaryScore"]["value"]
    assert summary == scores_of(service, text)[0].abuse
    # one sentence: one span, the whole text's score
    resp = await service.post(
        f"{ANALYZE}?key={KEY}", json=request("  Just one sentence.  ", spanAnnotations=True)
    )
    [only] = (await resp.json())["attributeScores"]["TOXICITY"]["spanScores"]
    assert (only["begin"], only["end"]) == (2, 20)


async def test_html_is_scored_without_its_tags(service: Client) -> None:
    needs_abuse_head(service)
    html = "<p>You are a <b>pathetic</b> idiot.</p>"
    resp = await service.post(
        f"{ANALYZE}?key={KEY}",
        json={"comment": {"text": html, "type": "HTML"}, "requestedAttributes": {"TOXICITY": {}}},
    )
    value = (await resp.json())["attributeScores"]["TOXICITY"]["summaryScore"]["value"]
    assert value == scores_of(service, blank_markup(html))[0].abuse


async def test_concurrent_requests_share_a_classifier_call(service: Client) -> None:
    needs_abuse_head(service)
    batches = service.app[METRICS].batch_size
    calls_before = batches._sum.get(), sum(b.get() for b in batches._buckets)
    texts = [f"Comment number {i} on the budget story." for i in range(12)]
    answers = await asyncio.gather(
        *(service.post(f"{ANALYZE}?key={KEY}", json=request(t)) for t in texts)
    )
    assert all(a.status == 200 for a in answers)
    scored = batches._sum.get() - calls_before[0]
    calls = sum(b.get() for b in batches._buckets) - calls_before[1]
    assert scored == len(texts) and calls < len(texts)


# ---------------------------------------------------------------------------------------
# Suggestions


async def test_a_suggestion_is_kept_as_an_abuse_label(service: Client) -> None:
    store = service.app[STORE]
    resp = await service.post(
        f"{SUGGEST}?key={KEY}",
        json={
            "comment": {"text": ABUSIVE},
            "attributeScores": {
                "TOXICITY": {"summaryScore": {"value": 0.9, "type": "PROBABILITY"}},
                "INSULT": {"spanScores": [{"begin": 0, "end": 7, "score": {"value": 1}}]},
            },
            "languages": ["en"],
            "clientToken": "c-7",
            "communityId": "politics",
        },
    )
    assert resp.status == 200 and await resp.json() == {"clientToken": "c-7"}
    resp = await service.post(
        f"{SUGGEST}?key={KEY}",
        json={
            "comment": {"text": POLITE},
            "attribute_scores": {"TOXICITY": {"summary_score": {"value": 0.2}}},
        },
    )
    assert resp.status == 200 and await resp.json() == {}
    # without TOXICITY: taken, and no label (this service learns TOXICITY only)
    resp = await service.post(
        f"{SUGGEST}?key={KEY}",
        json={
            "comment": {"text": POLITE},
            "attributeScores": {"INSULT": {"summaryScore": {"value": 0}}},
        },
    )
    assert resp.status == 200
    labels = await store.perspective_labels("news")
    assert [(x["label"], x["content"]) for x in labels] == [
        ("not_abuse", POLITE),
        ("abuse", ABUSIVE),
    ]
    assert labels[1]["attributes"] == {"TOXICITY": 0.9}
    assert labels[1]["community_id"] == "politics" and labels[1]["source"] == "perspective"
    assert await store.perspective_labels("blog") == []
    assert await store.cms_labels("news") == []  # the spam labels are not crowded out


@pytest.mark.parametrize(
    ("scores", "said"),
    [
        ({}, "attributeScores must not be empty"),
        ({"TOXICITY": {}}, "attributeScores.TOXICITY must not be empty"),
        ({"TOXICITY": {"summaryScore": {}}}, "every score needs a value"),
        ({"TOXICITY": {"summaryScore": {"value": 1.5}}}, "summaryScore.value"),
        ({"TOXICITY": {"summaryScore": {"value": 0.5, "type": "RAW"}}}, "only PROBABILITY"),
        ({"TOXICITY": {"spanScores": [{"begin": 0, "score": {"value": 1}}]}}, "begin and end"),
        ({"TOXICITY": {"spanScores": [{"begin": 3, "end": 999, "score": {"value": 1}}]}}, "within"),
        ({"TOXICITY": {"spanScores": [{"begin": 0, "end": 2}]}}, "needs a score"),
        ({"Toxicity": {"summaryScore": {"value": 1}}}, "Unknown attribute"),
    ],
)
async def test_a_bad_suggestion_is_googles_400(
    service: Client, scores: dict[str, Any], said: str
) -> None:
    resp = await service.post(
        f"{SUGGEST}?key={KEY}", json={"comment": {"text": POLITE}, "attributeScores": scores}
    )
    assert said in await google_error(resp, 400, "INVALID_ARGUMENT")
    assert await service.app[STORE].perspective_labels("news") == []


# ---------------------------------------------------------------------------------------
# Google's own client


@pytest.fixture(scope="session")
def google_client() -> None:
    why = perspective_client.install()
    if why is not None:
        pytest.skip(why)


async def test_googles_client_reads_the_key_error(service: Client, google_client: None) -> None:
    root = str(service.make_url("/"))
    got = await perspective_client.call(root, "wrong-key", "analyze", request())
    assert got["ok"] is False and got["status"] == 400
    assert got["data"]["error"] == {
        "code": 400,
        "message": KEY_INVALID,
        "status": "INVALID_ARGUMENT",
    }
    assert got["message"] == KEY_INVALID  # what the client raises with


async def test_googles_client_suggests_a_score(service: Client, google_client: None) -> None:
    root = str(service.make_url("/"))
    body = {
        "comment": {"text": ABUSIVE},
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}},
        "clientToken": "from-node",
    }
    got = await perspective_client.call(root, KEY, "suggestscore", body)
    assert got == {"ok": True, "status": 200, "data": {"clientToken": "from-node"}}
    [label] = await service.app[STORE].perspective_labels("news")
    assert label["label"] == "abuse"


async def test_googles_client_analyzes(service: Client, google_client: None) -> None:
    needs_abuse_head(service)
    root = str(service.make_url("/"))
    body = request(ABUSIVE + " Another sentence here.", spanAnnotations=True, clientToken="n")
    got = await perspective_client.call(root, KEY, "analyze", body)
    direct = await service.post(f"{ANALYZE}?key={KEY}", json=body)
    assert got["ok"] is True and got["status"] == 200
    assert got["data"] == await direct.json()
    assert len(got["data"]["attributeScores"]["TOXICITY"]["spanScores"]) == 3
    got = await perspective_client.call(root, KEY, "analyze", request(languages=["fr"]))
    assert got["ok"] is False and got["status"] == 400
    assert "does not support request languages: fr" in got["data"]["error"]["message"]


# ---------------------------------------------------------------------------------------
# The text work


def test_sentences_and_their_offsets() -> None:
    text = '  First one. "Second!" Third?\n\nFourth line\u2026 fifth'
    assert [text[b:e] for b, e in sentence_spans(text)] == [
        "First one.",
        '"Second!"',
        "Third?",
        "Fourth line\u2026",
        "fifth",
    ]
    assert sentence_spans(" \n\u200b ") == []
    many = " ".join(f"Sentence {i}." for i in range(MAX_SPANS * 3 + 1))
    runs = sentence_spans(many)
    assert len(runs) <= MAX_SPANS and runs[0][0] == 0 and runs[-1][1] == len(many)
    assert utf16_offsets("plain ascii") is None and utf16_offsets("caf\u00e9") is None
    assert utf16_offsets("a😀b") == [0, 1, 3, 4]


def test_markup_is_blanked_to_the_same_length() -> None:
    html = '<p class="x">Fish &amp; chips &#128512; <a href="https://a.example/?q=1&amp;r=2">go</a></p>'
    blanked = blank_markup(html)
    assert len(blanked) == len(html)
    assert blanked.split() == ["Fish", "&", "chips", "😀", "go"]
    assert markup_links(html) == ["https://a.example/?q=1&r=2"]
    for text in ("a < b and c > d", "<3 you", "no markup", "AT&T; fine &unknown;"):
        assert blank_markup(text) == text


# ---------------------------------------------------------------------------------------
# The document and the logs


async def test_answers_match_the_document(service: Client) -> None:
    resp = await service.post(f"{ANALYZE}?key=wrong", json=request())
    await check(resp, ANALYZE)
    resp = await service.post(f"{ANALYZE}?key={KEY}", json=request(languages=["de"]))
    await check(resp, ANALYZE)
    suggestion = {
        "comment": {"text": POLITE},
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.1}}},
    }
    resp = await service.post(f"{SUGGEST}?key={KEY}", json={**suggestion, "clientToken": "d"})
    assert await check(resp, SUGGEST) == {"clientToken": "d"}
    resp = await service.post(f"{SUGGEST}?key={KEY}", json=suggestion)
    assert await check(resp, SUGGEST) == {}
    if scores_of(service, POLITE)[0].abuse is not None:
        resp = await service.post(
            f"{ANALYZE}?key={KEY}", json=request(ABUSIVE, spanAnnotations=True, clientToken="x")
        )
        body = await check(resp, ANALYZE)
        assert body["attributeScores"]["TOXICITY"]["spanScores"]


async def test_the_key_is_never_logged(
    make_client: Any, config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    # as the service serves (runtime/serving.py): its own access log, not aiohttp's
    client: Client = await make_client(
        replace(perspective_config(config), access_log="all"), access_log=None
    )
    with caplog.at_level(logging.DEBUG):
        for key in (KEY, "a-wrong-key-to-be-kept-out-of-logs"):
            await client.post(f"{ANALYZE}?key={key}", json=request(languages=["xx"]))
            await client.post(f"{SUGGEST}?key={key}", json={"comment": {}})
    logged = "\n".join(r.getMessage() + repr(r.__dict__) for r in caplog.records)
    assert "request" in logged  # the access log did write its lines
    assert KEY not in logged and "a-wrong-key-to-be-kept-out-of-logs" not in logged
