"""The author view (GET /v1/authors) and the queue's search and filters (post, author
name, text), with their indexes kept by intake, erasure and retention (issue 24)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp.test_utils import TestClient

from moderation.storage import comments as comments_module
from moderation.storage import keys
from tests.conftest import ALICE, CAROL, NEWS_KEY, ROOT, auth, comment_body
from tests.support.faultkit import assert_indexes_consistent
from tests.support.redis_kinds import sync_redis

Client = TestClient[Any, Any]


async def _post(client: Client, cms_id: str, content: str, **fields: Any) -> str:
    resp = await client.post(
        "/v1/comments",
        json=comment_body(id=cms_id, content=content, **fields),
        headers=auth(NEWS_KEY),
    )
    assert resp.status == 202, await resp.text()
    return str((await resp.json())["id"])


async def _decide(client: Client, comment_id: str, decision: str) -> None:
    resp = await client.post(
        f"/v1/comments/{comment_id}/decision", json={"decision": decision}, headers=auth(ALICE)
    )
    assert resp.status == 200, await resp.text()


async def _get(client: Client, url: str, token: str = ALICE) -> tuple[int, Any]:
    resp = await client.get(url, headers=auth(token))
    return resp.status, await resp.json()


async def _ids(client: Client, url: str) -> list[str]:
    status, body = await _get(client, url)
    assert status == 200, body
    return [item["id"] for item in body["items"]]


# -- the author view ---------------------------------------------------------------------


async def test_author_view_counts_first_last_and_recent_comments(client: Client) -> None:
    first = await _post(client, "a1", "The first point about the budget is fair.")
    approved = await _post(
        client, "a2", "A second thought on the council's plan.", author_email="Maria@Example.com"
    )
    spam = await _post(client, "a3", "A third remark, on the schools this time.")
    rejected = await _post(client, "a4", "And a fourth, on the roads.")
    await _post(client, "o1", "Someone else entirely.", author_email="other@example.org")
    await _decide(client, approved, "approve")
    await _decide(client, spam, "spam")
    await _decide(client, rejected, "reject")

    status, body = await _get(client, "/v1/authors?site=news&email=MARIA@example.COM")
    assert status == 200, body
    assert body["site"] == "news" and body["email"] == "maria@example.com"
    assert body["counts"] == {"pending": 1, "approved": 1, "spam": 1, "rejected": 1}
    assert body["first_seen"].endswith("Z") and body["first_seen"] <= body["last_seen"]
    assert [c["id"] for c in body["comments"]] == [rejected, spam, approved, first]
    assert [c["status"] for c in body["comments"]] == ["rejected", "spam", "approved", "pending"]
    assert body["comments"][0]["author_email"] == "maria@example.com"
    assert body["next_cursor"] is None

    # paged, newest first, with the queue's cursors
    status, page = await _get(client, "/v1/authors?site=news&email=maria@example.com&limit=3")
    assert [c["id"] for c in page["comments"]] == [rejected, spam, approved]
    assert page["counts"] == body["counts"] and page["next_cursor"]
    status, rest = await _get(
        client,
        f"/v1/authors?site=news&email=maria@example.com&limit=3&cursor={page['next_cursor']}",
    )
    assert status == 200 and [c["id"] for c in rest["comments"]] == [first]
    assert rest["next_cursor"] is None


async def test_author_view_refuses_like_the_queue(client: Client) -> None:
    await _post(client, "a1", "A comment by Maria.")
    status, body = await _get(client, "/v1/authors?site=news&email=nobody@example.com")
    assert status == 404 and body["status"] == 404
    # a moderator of another site learns nothing: the same 404 as for an unknown site
    status, body = await _get(client, "/v1/authors?site=news&email=maria@example.com", CAROL)
    assert status == 404 and "news" in body["detail"]
    status, body = await _get(client, "/v1/authors?site=nosuch&email=maria@example.com", ROOT)
    assert status == 404
    status, body = await _get(client, "/v1/authors?site=news&email=not-an-email")
    assert status == 422 and [e["field"] for e in body["errors"]] == ["email"]
    status, body = await _get(client, "/v1/authors?site=news")
    assert status == 422 and [e["field"] for e in body["errors"]] == ["email"]
    status, body = await _get(client, "/v1/authors?site=news&email=maria@example.com&cursor=x")
    assert status == 422 and [e["field"] for e in body["errors"]] == ["cursor"]
    resp = await client.get("/v1/authors?site=news&email=maria@example.com")
    assert resp.status == 401
    # alice moderates news alone: the site may be left out
    status, body = await _get(client, "/v1/authors?email=maria@example.com")
    assert status == 200 and body["counts"]["pending"] == 1


# -- search and filters on the queue -------------------------------------------------------


async def test_queue_filters_by_post_author_name_and_text(client: Client) -> None:
    on_42 = await _post(client, "p1", "Potholes on Main Street again.", post_id=42)
    on_42_text = await _post(
        client, "p2", "The MAIN street survey was late.", post_id="42", author_name="Ana Ruiz"
    )
    on_7 = await _post(client, "p3", "Bus times changed on Main Street.", post_id="7")
    no_post = await _post(client, "p4", "Nothing about streets here.", author_name="maria lopez")
    decided = await _post(client, "p5", "Main street, decided already.", post_id="42")
    await _decide(client, decided, "approve")

    # sets: comments posted within one millisecond share a time, which the index orders
    # by id, not by when they were posted
    base = "/v1/queue?site=news&order=oldest"
    assert set(await _ids(client, f"{base}&post_id=42")) == {on_42, on_42_text}
    assert await _ids(client, f"{base}&post_id=4") == []
    assert set(await _ids(client, f"{base}&post_id=42&status=approved")) == {decided}
    # exact and case-insensitive: a part of the name is not the name
    assert set(await _ids(client, f"{base}&author_name=MARIA%20LOPEZ")) == {on_42, on_7, no_post}
    assert await _ids(client, f"{base}&author_name=Maria") == []
    assert set(await _ids(client, f"{base}&author_name=ana%20ruiz")) == {on_42_text}
    # a substring of the text, any case
    assert set(await _ids(client, f"{base}&q=main%20STREET")) == {on_42, on_42_text, on_7}
    assert set(await _ids(client, f"{base}&q=street&post_id=42")) == {on_42, on_42_text}
    assert set(await _ids(client, f"{base}&q=street&author_name=maria%20lopez&post_id=7")) == {on_7}
    assert set(await _ids(client, f"{base}&q=street&author_email=maria@example.com")) == {
        on_42,
        on_42_text,
        on_7,
        no_post,
    }
    # by score (the default order) too
    assert set(await _ids(client, "/v1/queue?site=news&q=street")) == {
        on_42,
        on_42_text,
        on_7,
        no_post,
    }
    assert await _ids(client, f"{base}&q=nowhere") == []

    status, body = await _get(client, f"{base}&q=%20%20&post_id=x%01y&author_name=" + "n" * 101)
    assert status == 422
    assert sorted(e["field"] for e in body["errors"]) == ["author_name", "post_id", "q"]


async def test_queue_filters_by_post_url(client: Client) -> None:
    """``post_url`` matches the URL a comment was posted with, exactly (no normalisation:
    a CMS sends one post's URL the same way each time), and combines with the others."""
    budget = "https://news.example.com/2026/budget"
    roads = "https://news.example.com/2026/roads?page=2#comments"
    on_budget = await _post(client, "u1", "The budget figures help.", post_url=budget)
    on_budget_named = await _post(
        client, "u2", "Budget again, by Ana.", post_url=budget, author_name="Ana Ruiz"
    )
    on_roads = await _post(client, "u3", "Roads need the budget.", post_url=roads, post_id="7")
    await _post(client, "u4", "On a post with a trailing slash.", post_url=budget + "/")
    decided = await _post(client, "u5", "Budget, decided already.", post_url=budget)
    await _decide(client, decided, "approve")

    base = "/v1/queue?site=news&order=oldest"
    assert set(await _ids(client, f"{base}&post_url={quote(budget, safe='')}")) == {
        on_budget,
        on_budget_named,
    }
    # query, fragment and all: the whole URL, percent-encoded in the query as any value
    assert await _ids(client, f"{base}&post_url={quote(roads, safe='')}") == [on_roads]
    # exact: a prefix of the URL or another case of its path is another post
    assert await _ids(client, f"{base}&post_url={quote(budget[:-1], safe='')}") == []
    assert await _ids(client, f"{base}&post_url={quote(budget.upper(), safe='')}") == []
    # combined with the status, the text, the name, the post id and the score order
    by_url = f"post_url={quote(budget, safe='')}"
    assert await _ids(client, f"{base}&{by_url}&status=approved") == [decided]
    assert await _ids(client, f"{base}&{by_url}&author_name=ana%20ruiz") == [on_budget_named]
    assert await _ids(client, f"{base}&{by_url}&q=AGAIN") == [on_budget_named]
    assert await _ids(client, f"{base}&post_url={quote(roads, safe='')}&post_id=7") == [on_roads]
    assert await _ids(client, f"{base}&post_url={quote(roads, safe='')}&post_id=8") == []
    assert set(await _ids(client, f"/v1/queue?site=news&{by_url}")) == {
        on_budget,
        on_budget_named,
    }
    # paged with the queue's cursors, each match once
    first = await _get(client, f"{base}&{by_url}&limit=1")
    assert first[0] == 200 and len(first[1]["items"]) == 1 and first[1]["next_cursor"]
    rest = await _ids(client, f"{base}&{by_url}&limit=1&cursor={first[1]['next_cursor']}")
    assert {first[1]["items"][0]["id"], *rest} == {on_budget, on_budget_named}

    # what no stored post URL can be is refused, each by name, with the other fields
    status, body = await _get(
        client, f"{base}&post_url=ftp://news.example.com/x&q=%20&post_id=x%01y"
    )
    assert status == 422
    assert sorted(e["field"] for e in body["errors"]) == ["post_id", "post_url", "q"]
    for bad in ("news.example.com/2026/budget", "https://", "https://a/b c", "https://a/\x01"):
        status, body = await _get(client, f"{base}&post_url={quote(bad, safe='')}")
        assert status == 422, bad
        assert [e["field"] for e in body["errors"]] == ["post_url"]
    too_long = "https://news.example.com/" + "p" * 2_000
    status, body = await _get(client, f"{base}&post_url={too_long}")
    assert status == 422 and [e["field"] for e in body["errors"]] == ["post_url"]


async def test_a_search_examines_a_bounded_number_of_comments_per_page(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sparse search answers short pages with cursors; following them finds every match
    once, in order, however far apart the matches are."""
    ids = [
        await _post(
            client,
            f"s{i}",
            f"Plain comment number {i}." + (" A NEEDLE." if i in (2, 10, 11) else ""),
        )
        for i in range(12)
    ]
    match = {ids[2], ids[10], ids[11]}
    monkeypatch.setattr(comments_module, "SCAN_MAX", 4)
    monkeypatch.setattr(comments_module, "SCAN_CHUNK", 2)
    found: list[str] = []
    pages = 0
    cursor = None
    while True:
        url = "/v1/queue?site=news&order=oldest&limit=2&q=needle" + (
            f"&cursor={cursor}" if cursor else ""
        )
        status, body = await _get(client, url)
        assert status == 200
        assert len(body["items"]) <= 2
        found += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert found == [i for i in ids if i in match]
    assert pages >= 3  # 12 comments, 4 examined a page


async def test_filtered_cursors_stay_exact_while_comments_come_and_go(
    client: Client, redis_url: str
) -> None:
    """Page through one post's pending comments, two at a time, while comments of the post
    arrive and others are decided: each comment pending all along is listed exactly once,
    in order, and none that was decided before its page is listed."""
    before = [
        await _post(client, f"c{i}", f"On the post, comment {i}.", post_id="9") for i in range(9)
    ]
    seen: list[str] = []
    decided_unseen: set[str] = set()
    cursor = None
    turn = 0
    while True:
        url = "/v1/queue?site=news&order=oldest&limit=2&post_id=9&q=comment" + (
            f"&cursor={cursor}" if cursor else ""
        )
        status, body = await _get(client, url)
        assert status == 200
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None or turn > 40:
            break
        # between pages, at once: a new comment on the post, the cursor's own comment
        # decided (the cursor's member leaves the queue), and one not yet listed decided
        unseen = [i for i in before if i not in seen and i not in decided_unseen]
        work = [
            _post(client, f"new{turn}", f"On the post, new comment {turn}.", post_id="9"),
            _decide(client, seen[-1], "approve"),
        ]
        if unseen and turn % 2:
            decided_unseen.add(unseen[-1])
            work.append(_decide(client, unseen[-1], "spam"))
        await asyncio.gather(*work)
        turn += 1
    assert cursor is None
    assert len(seen) == len(set(seen)), "a comment was listed twice"
    assert not decided_unseen & set(seen), "a comment decided before its page was listed"
    # every comment pending all along, once (in the index's order: by time, and by id
    # within a millisecond, so not always the order they were posted in)
    assert sorted(i for i in seen if i in before) == sorted(
        i for i in before if i not in decided_unseen
    )
    assert sum(1 for i in seen if i not in before) == turn  # every new one, once
    assert_indexes_consistent(redis_url, ["news"])


# -- the indexes and personal data -------------------------------------------------------


def _members(redis_url: str, key: str) -> set[str]:
    with sync_redis(redis_url) as r:
        return {m.decode() if isinstance(m, bytes) else m for m in r.zrange(key, 0, -1)}


async def test_erasure_removes_the_author_from_the_view_and_the_filters(
    client: Client, redis_url: str
) -> None:
    gone = [
        await _post(client, "e1", "First by Erin.", author_name="Erin Example", post_id="5"),
        await _post(client, "e2", "Second by Erin.", author_name="ERIN example"),
    ]
    kept = await _post(
        client, "k1", "By Kim.", author_name="Kim", author_email="kim@example.com", post_id="5"
    )
    await _decide(client, gone[0], "approve")
    email = "maria@example.com"
    assert set(await _ids(client, "/v1/queue?site=news&author_name=erin%20example")) == {gone[1]}
    assert _members(redis_url, keys.by_author("news", email)) == set(gone)

    resp = await client.post("/v1/erasure", json={"author_email": email}, headers=auth(ROOT))
    assert resp.status == 200 and (await resp.json())["erased"]["news"] == 2

    status, body = await _get(client, f"/v1/authors?site=news&email={email}")
    assert status == 404
    assert await _ids(client, "/v1/queue?site=news&author_name=Erin%20Example") == []
    with sync_redis(redis_url) as r:
        assert not r.exists(keys.by_author("news", email))
    # the post filter still finds the comments on it (a post names no one)
    assert set(await _ids(client, "/v1/queue?site=news&post_id=5&status=approved")) == {gone[0]}
    assert await _ids(client, "/v1/queue?site=news&author_name=kim") == [kept]
    status, body = await _get(client, "/v1/authors?site=news&email=kim@example.com")
    assert status == 200 and body["counts"]["pending"] == 1
