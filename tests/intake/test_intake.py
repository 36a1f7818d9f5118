"""POST /v1/comments: every status code of the intake contract."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from typing import Any

from aiohttp.test_utils import TestClient

from moderation.core.signing import sign
from tests.conftest import ALICE, BLOG_KEY, BLOG_SIGNING, NEWS_KEY, auth, comment_body
from tests.support.netpath import client_on_both_paths  # noqa: F401  (runs each test direct and fragmented)

Client = TestClient[Any, Any]


async def test_accepts_a_comment_and_scores_it(client: Client) -> None:
    resp = await client.post("/v1/comments", json=comment_body(), headers=auth(NEWS_KEY))
    assert resp.status == 202
    body = await resp.json()
    assert body["status"] == "pending"
    assert body["id"].startswith("news_")
    assert 0.0 <= body["spam_score"] <= 1.0
    assert isinstance(body["reasons"], list)


async def test_spam_scores_higher_than_ham(client: Client) -> None:
    spam = comment_body(
        id="s1",
        content="CHEAP V1AGRA!!! buy now at http://bit.ly/pills-cheap best price, click here",
        author_name="Cheap Pills Online",
    )
    ham = comment_body(id="h1")
    s = await (await client.post("/v1/comments", json=spam, headers=auth(NEWS_KEY))).json()
    h = await (await client.post("/v1/comments", json=ham, headers=auth(NEWS_KEY))).json()
    assert s["spam_score"] > 0.5 > h["spam_score"]
    assert s["reasons"]


async def test_form_encoded_round_trip(client: Client) -> None:
    form = comment_body(id="form-1", content="Ça marche très bien — merci !")
    resp = await client.post(
        "/v1/comments",
        data=urllib.parse.urlencode(form),
        headers={**auth(NEWS_KEY), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert resp.status == 202, await resp.text()
    created = await resp.json()
    got = await client.get(f"/v1/comments/{created['id']}", headers=auth(ALICE))
    record = await got.json()
    assert record["content"] == "Ça marche très bien — merci !"
    assert record["author_email"] == "maria@example.com"
    assert record["external_id"] == "form-1"


async def test_missing_and_unknown_key_answer_401(client: Client) -> None:
    for headers in ({}, auth("not-a-key"), {"Authorization": "Basic abc"}):
        resp = await client.post("/v1/comments", json=comment_body(), headers=headers)
        assert resp.status == 401
        assert resp.content_type == "application/problem+json"
        assert "Bearer" in resp.headers["WWW-Authenticate"]


async def test_malformed_json_answers_400(client: Client) -> None:
    resp = await client.post(
        "/v1/comments",
        data=b'{"author_name": "x", ',
        headers={**auth(NEWS_KEY), "Content-Type": "application/json"},
    )
    assert resp.status == 400
    problem = await resp.json(content_type="application/problem+json")
    assert problem["status"] == 400 and problem["title"]


async def test_invalid_utf8_answers_400(client: Client) -> None:
    resp = await client.post(
        "/v1/comments",
        data=b'{"content": "\xff\xfe"}',
        headers={**auth(NEWS_KEY), "Content-Type": "application/json"},
    )
    assert resp.status == 400


async def test_body_over_64_kib_answers_413(client: Client) -> None:
    big = comment_body(content="x" * (70 * 1024))
    resp = await client.post("/v1/comments", json=big, headers=auth(NEWS_KEY))
    assert resp.status == 413
    assert resp.content_type == "application/problem+json"


async def test_other_content_type_answers_415(client: Client) -> None:
    resp = await client.post(
        "/v1/comments",
        data=json.dumps(comment_body()),
        headers={**auth(NEWS_KEY), "Content-Type": "text/plain"},
    )
    assert resp.status == 415


async def test_every_failing_field_is_listed_in_one_422(client: Client) -> None:
    body = {
        "author_name": "   ",
        "author_email": "not-an-email",
        "content": "",
        "author_url": "javascript:alert(1)",
        "post_url": "ftp://example.com/x",
        "author_ip": "999.1.1.1",
    }
    resp = await client.post("/v1/comments", json=body, headers=auth(NEWS_KEY))
    assert resp.status == 422
    problem = await resp.json(content_type="application/problem+json")
    fields = {e["field"] for e in problem["errors"]}
    assert fields == {
        "author_name",
        "author_email",
        "content",
        "author_url",
        "post_url",
        "author_ip",
    }
    assert all(e["message"] for e in problem["errors"])


async def test_a_comment_of_zero_width_characters_is_blank(client: Client) -> None:
    """Issue 24: "\u200b\u200b" (zero-width spaces) was stored as a comment."""
    for blank in ("\u200b\u200b", "\u200c\u200d \u2060\ufeff\n"):
        body = comment_body(id="zw", content=blank, author_name=blank)
        resp = await client.post("/v1/comments", json=body, headers=auth(NEWS_KEY))
        assert resp.status == 422
        errors = (await resp.json(content_type="application/problem+json"))["errors"]
        assert {e["field"]: e["message"] for e in errors} == {
            "content": "must not be blank",
            "author_name": "must not be blank",
        }
        resp = await client.post(
            "/v1/comments",
            data=urllib.parse.urlencode(body),
            headers={**auth(NEWS_KEY), "Content-Type": "application/x-www-form-urlencoded"},
        )
        assert resp.status == 422


async def test_a_field_given_twice_is_refused_by_name_json_and_form(client: Client) -> None:
    """Issue 24: a JSON key twice was the last one's, a form field twice the first one's.
    Both are 422 naming the field; nothing is stored."""
    one = json.dumps(comment_body(id="twice"))[:-1]
    for text in (
        one + ', "content": "Another text entirely, sent second."}',
        one + ', "\\u0063ontent": "The same key, escaped."}',
        one + ', "extra": {"x": 1, "x": 2}}',
    ):
        resp = await client.post(
            "/v1/comments",
            data=text.encode(),
            headers={**auth(NEWS_KEY), "Content-Type": "application/json"},
        )
        assert resp.status == 422, text
        problem = await resp.json(content_type="application/problem+json")
        assert problem["errors"] == [
            {
                "field": "extra.x" if "extra" in text else "content",
                "message": "is given more than once",
            }
        ]
    form = urllib.parse.urlencode(comment_body(id="twice")) + "&content=Second+text"
    resp = await client.post(
        "/v1/comments",
        data=form,
        headers={**auth(NEWS_KEY), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert resp.status == 422
    problem = await resp.json(content_type="application/problem+json")
    assert problem["errors"] == [{"field": "content", "message": "is given more than once"}]
    resp = await client.get("/v1/queue?site=news", headers=auth(ALICE))
    assert (await resp.json())["items"] == []


async def test_name_and_content_limits(client: Client) -> None:
    body = comment_body(author_name="a" * 101, content="b" * 10_001)
    resp = await client.post("/v1/comments", json=body, headers=auth(NEWS_KEY))
    assert resp.status == 422
    fields = {e["field"] for e in (await resp.json(content_type=None))["errors"]}
    assert fields == {"author_name", "content"}
    body = comment_body(author_name="Bad\x07Name")
    resp = await client.post("/v1/comments", json=body, headers=auth(NEWS_KEY))
    assert resp.status == 422


async def test_email_is_normalised(client: Client) -> None:
    resp = await client.post(
        "/v1/comments",
        json=comment_body(author_email="  Maria.Lopez@EXAMPLE.com "),
        headers=auth(NEWS_KEY),
    )
    created = await resp.json()
    record = await (await client.get(f"/v1/comments/{created['id']}", headers=auth(ALICE))).json()
    assert record["author_email"] == "maria.lopez@example.com"
    site_view = await (
        await client.get(f"/v1/comments/{created['id']}", headers=auth(NEWS_KEY))
    ).json()
    assert site_view["author_email"] is None  # the site's own key never gets emails back


async def test_same_external_id_is_stored_once_and_answered_alike(client: Client) -> None:
    first = await client.post("/v1/comments", json=comment_body(id="dup"), headers=auth(NEWS_KEY))
    second = await client.post("/v1/comments", json=comment_body(id="dup"), headers=auth(NEWS_KEY))
    assert first.status == second.status == 202
    assert await first.json() == await second.json()
    assert second.headers.get("Idempotent-Replayed") == "true"


async def test_racing_identical_intakes_queue_one_copy(client: Client) -> None:
    async def post() -> dict[str, Any]:
        resp = await client.post(
            "/v1/comments", json=comment_body(id="race"), headers=auth(NEWS_KEY)
        )
        assert resp.status == 202
        result: dict[str, Any] = await resp.json()
        return result

    answers = await asyncio.gather(*(post() for _ in range(20)))
    assert len({a["id"] for a in answers}) == 1
    queue = await client.get("/v1/queue?site=news", headers=auth("alice-moderator-token-0123456"))
    items = (await queue.json())["items"]
    assert [i["external_id"] for i in items] == ["race"]


async def test_idempotency_key_header(client: Client) -> None:
    headers = {**auth(NEWS_KEY), "Idempotency-Key": "retry-42"}
    body = comment_body()
    del body["id"]
    first = await (await client.post("/v1/comments", json=body, headers=headers)).json()
    second = await (await client.post("/v1/comments", json=body, headers=headers)).json()
    assert first["id"] == second["id"]
    other = await (await client.post("/v1/comments", json=body, headers=auth(NEWS_KEY))).json()
    assert other["id"] != first["id"]
    # the same key for a different comment: a 422 naming the header, and nothing stored
    reused = await client.post(
        "/v1/comments", json={**body, "content": "A different comment"}, headers=headers
    )
    assert reused.status == 422
    problem = await reused.json(content_type=None)
    assert problem["errors"][0]["field"] == "Idempotency-Key"
    queue = await (await client.get("/v1/queue?site=news", headers=auth(ALICE))).json()
    assert "A different comment" not in [i["content"] for i in queue["items"]]
    # and the first comment's retry still replays, also when the CMS rebuilt the request
    # details (user agent, submitted_at) for the retry
    rebuilt = {**body, "user_agent": "Retry/2.0", "submitted_at": "2026-11-28T10:00:00Z"}
    again = await client.post("/v1/comments", json=rebuilt, headers=headers)
    assert again.status == 202 and (await again.json())["id"] == first["id"]
    assert again.headers["Idempotent-Replayed"] == "true"


def _signed(body: bytes, *, secret: str = BLOG_SIGNING, at: int | None = None) -> dict[str, str]:
    stamp = int(time.time()) if at is None else at
    return {
        **auth(BLOG_KEY),
        "Content-Type": "application/json",
        "X-Moderation-Signature": sign(secret, stamp, body),
    }


async def test_signed_site_accepts_a_good_signature(client: Client) -> None:
    raw = json.dumps(comment_body()).encode()
    resp = await client.post("/v1/comments", data=raw, headers=_signed(raw))
    assert resp.status == 202


async def test_signed_site_refuses_bad_signatures_with_403(client: Client) -> None:
    raw = json.dumps(comment_body()).encode()
    cases = [
        {**auth(BLOG_KEY), "Content-Type": "application/json"},  # missing
        {**_signed(raw), "X-Moderation-Signature": "garbage"},  # malformed
        _signed(raw, secret="another-secret-entirely"),  # wrong
        _signed(raw, at=int(time.time()) - 301),  # stale
        _signed(raw + b" "),  # body changed after signing
    ]
    for headers in cases:
        resp = await client.post("/v1/comments", data=raw, headers=headers)
        assert resp.status == 403, headers
        assert resp.content_type == "application/problem+json"


async def test_thresholds_decide_automatically(make_client: Any, config: Any) -> None:
    from dataclasses import replace

    sites = tuple(
        replace(s, auto_spam_above=0.9, auto_approve_below=0.2) if s.id == "news" else s
        for s in config.sites
    )
    client = await make_client(replace(config, sites=sites))
    spam = comment_body(
        id="auto-s",
        content="CHEAP V1AGRA!!! buy now http://bit.ly/pills best price casino bonus click here",
    )
    s = await (await client.post("/v1/comments", json=spam, headers=auth(NEWS_KEY))).json()
    h = await (
        await client.post("/v1/comments", json=comment_body(id="auto-h"), headers=auth(NEWS_KEY))
    ).json()
    assert s["status"] == "spam"
    assert h["status"] == "approved"
    record = await (await client.get(f"/v1/comments/{s['id']}", headers=auth(NEWS_KEY))).json()
    assert any(
        e["action"] == "auto-decided" and "auto_spam_above" in e["rule"] for e in record["history"]
    )


async def test_unknown_fields_are_ignored(client: Client) -> None:
    resp = await client.post(
        "/v1/comments", json=comment_body(wp_extra="x", rating=5), headers=auth(NEWS_KEY)
    )
    assert resp.status == 202


async def test_concurrent_intakes_are_scored_in_batches(client: Client) -> None:
    async def post(i: int) -> int:
        resp = await client.post(
            "/v1/comments",
            json=comment_body(id=f"batch-{i}", content=f"comment number {i} on the budget"),
            headers=auth(NEWS_KEY),
        )
        return resp.status

    statuses = await asyncio.gather(*(post(i) for i in range(40)))
    assert statuses == [202] * 40
    metrics = await (await client.get("/metrics")).text()
    values = {
        line.split()[0]: float(line.split()[1])
        for line in metrics.splitlines()
        if line.startswith("moderation_scoring_batch_size_")
    }
    assert values["moderation_scoring_batch_size_sum"] == 40
    assert values["moderation_scoring_batch_size_count"] < 40  # some requests shared a call


async def test_a_spam_run_is_scored_once(client: Client) -> None:
    """The same comment again (new CMS id, same text, author and links): the score comes
    from the cache, identical, and the cache hit is counted."""
    run = comment_body(content="Cheap followers at http://bit.ly/xyz", author_name="Bot")
    answers = []
    for i in range(3):
        resp = await client.post(
            "/v1/comments", json={**run, "id": f"run-{i}"}, headers=auth(NEWS_KEY)
        )
        assert resp.status == 202
        answers.append(await resp.json())
    assert len({a["id"] for a in answers}) == 3
    assert answers[1]["spam_score"] == answers[0]["spam_score"] == answers[2]["spam_score"]
    metrics = await (await client.get("/metrics")).text()
    assert "moderation_score_cache_hits_total 2.0" in metrics
    # copies arriving together (one batch) are scored once too
    burst = {**run, "content": "Cheap followers at http://bit.ly/other"}
    together = await asyncio.gather(
        *(
            client.post("/v1/comments", json={**burst, "id": f"burst-{i}"}, headers=auth(NEWS_KEY))
            for i in range(6)
        )
    )
    assert [r.status for r in together] == [202] * 6
    scores = {(await r.json())["spam_score"] for r in together}
    assert len(scores) == 1
    metrics = await (await client.get("/metrics")).text()
    assert "moderation_score_cache_hits_total 7.0" in metrics  # 2 before, 5 of these 6
