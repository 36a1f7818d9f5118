"""The CMS's own decisions (POST /v1/comments/{id}/cms-status), repeats as one record per
CMS id, and the CMS's ids in callbacks: what makes the service's queue and a CMS's one
queue (issue 22).  Runs on one Redis and on a Redis Cluster."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from aiohttp.test_utils import TestClient

from moderation.appkeys import STORE
from moderation.config import Config
from moderation.core.signing import sign
from moderation.storage import keys
from moderation.storage.store import CallbackState
from tests.conftest import (
    ALICE,
    BLOG_KEY,
    BLOG_SIGNING,
    CAROL,
    NEWS_KEY,
    auth,
    comment_body,
)
from tests.delivery.test_callbacks import SECRET, with_callbacks
from tests.support.faultkit import assert_indexes_consistent
from tests.support.receiver import Receiver

Client = TestClient[Any, Any]


async def _post(client: Client, cms_id: str, **fields: Any) -> dict[str, Any]:
    resp = await client.post(
        "/v1/comments", json=comment_body(id=cms_id, **fields), headers=auth(NEWS_KEY)
    )
    assert resp.status == 202, await resp.text()
    answer: dict[str, Any] = await resp.json()
    return answer


async def _cms_status(
    client: Client, ref: str, status: str, key: str = NEWS_KEY, **extra: Any
) -> tuple[int, dict[str, Any]]:
    resp = await client.post(
        f"/v1/comments/{ref}/cms-status", json={"status": status, **extra}, headers=auth(key)
    )
    body: dict[str, Any] = await resp.json()
    return resp.status, body


async def _record(client: Client, comment_id: str) -> dict[str, Any]:
    resp = await client.get(f"/v1/comments/{comment_id}", headers=auth(ALICE))
    assert resp.status == 200, await resp.text()
    body: dict[str, Any] = await resp.json()
    return body


async def _pending_ids(client: Client) -> list[str]:
    resp = await client.get("/v1/queue?site=news&status=pending", headers=auth(ALICE))
    assert resp.status == 200, await resp.text()
    return [item["id"] for item in (await resp.json())["items"]]


async def test_an_approval_in_the_cms_decides_the_comment_everywhere(
    client: Client, config: Config
) -> None:
    comment_id = (await _post(client, "wp-101", post_id=7))["id"]
    status, body = await _cms_status(client, comment_id, "approved", actor="editor-ann")
    assert status == 200
    assert body == {"id": comment_id, "status": "approved", "previous_status": "pending"}

    record = await _record(client, comment_id)
    assert record["status"] == "approved" and record["decided_by"] == "cms"
    last = record["history"][-1]
    assert last["action"] == "decided" and last["actor"] == "cms"
    assert last["status"] == "approved" and last["cms_user"] == "editor-ann"
    assert comment_id not in await _pending_ids(client)
    labels = await client.app[STORE].label_counts("news")
    assert labels["ham"] == 1 and labels["spam"] == 0
    assert config.redis.url is not None
    assert_indexes_consistent(config.redis.url, ["news"])


async def test_the_cms_id_names_the_comment_and_each_status_maps(client: Client) -> None:
    comment_id = (await _post(client, "wp-7"))["id"]
    status, body = await _cms_status(client, "ext:wp-7", "spam")
    assert (status, body["id"], body["previous_status"]) == (200, comment_id, "pending")
    assert (await client.app[STORE].label_counts("news"))["spam"] == 1

    status, body = await _cms_status(client, "ext:wp-7", "rejected")  # trashed in the CMS
    assert (status, body["status"], body["previous_status"]) == (200, "rejected", "spam")
    assert (await client.app[STORE].label_counts("news"))["spam"] == 0  # no label for reject

    # held again (restored, unapproved): back in the queue, the label taken back
    status, body = await _cms_status(client, "ext:wp-7", "pending")
    assert (status, body["previous_status"]) == (200, "rejected")
    record = await _record(client, comment_id)
    assert record["status"] == "pending" and not record.get("decided_by")
    assert comment_id in await _pending_ids(client)
    # ... and a moderator decides it as any pending comment
    resp = await client.post(
        f"/v1/comments/{comment_id}/decision", json={"decision": "approve"}, headers=auth(ALICE)
    )
    assert resp.status == 200, await resp.text()
    # the later decision on either side wins: the CMS may change the moderator's
    status, body = await _cms_status(client, comment_id, "spam")
    assert (status, body["previous_status"]) == (200, "approved")
    history = (await _record(client, comment_id))["history"]
    actors = [(h["action"], h["actor"], h.get("status")) for h in history]
    assert actors[-5:] == [
        ("decided", "cms", "spam"),
        ("decided", "cms", "rejected"),
        ("decided", "cms", "pending"),
        ("decided", "alice", "approved"),
        ("decided", "cms", "spam"),
    ]


async def test_the_same_status_again_changes_nothing(client: Client) -> None:
    comment_id = (await _post(client, "wp-8"))["id"]
    assert (await _cms_status(client, comment_id, "approved"))[0] == 200
    before = await _record(client, comment_id)
    status, body = await _cms_status(client, comment_id, "approved")
    assert status == 200
    assert body == {"id": comment_id, "status": "approved", "previous_status": "approved"}
    after = await _record(client, comment_id)
    assert after["history"] == before["history"] and after["decided_at"] == before["decided_at"]
    # pending on a pending comment is a no-op too
    other = (await _post(client, "wp-9", content="Another comment, about the roads budget."))["id"]
    status, body = await _cms_status(client, other, "pending")
    assert (status, body["previous_status"]) == (200, "pending")


async def test_a_cms_decision_ends_a_moderators_claim(client: Client) -> None:
    comment_id = (await _post(client, "wp-10"))["id"]
    resp = await client.post(
        "/v1/queue/claim", json={"site": "news", "limit": 5}, headers=auth(ALICE)
    )
    assert [i["id"] for i in (await resp.json())["items"]] == [comment_id]
    assert (await _cms_status(client, comment_id, "approved"))[0] == 200
    record = await _record(client, comment_id)
    assert not record.get("claimed_by")
    # the moderator's late decision meets the CMS's, and does not overwrite it silently
    resp = await client.post(
        f"/v1/comments/{comment_id}/decision", json={"decision": "spam"}, headers=auth(ALICE)
    )
    assert resp.status == 409
    assert (await resp.json())["decided_by"] == "cms"


async def test_unknown_and_foreign_comments_are_404(client: Client) -> None:
    news_id = (await _post(client, "wp-11"))["id"]
    for ref in ("ext:no-such-cms-id", "news_000000000000000000000000", "nonsense", "ext:"):
        status, body = await _cms_status(client, ref, "approved")
        assert status == 404, ref
        assert body["status"] == 404 and body["type"].endswith("not-found")
    # the blog's key never reaches a news comment, by either id
    for ref in (news_id, "ext:wp-11"):
        resp = await client.post(
            f"/v1/comments/{ref}/cms-status",
            data=json.dumps({"status": "approved"}),
            headers={
                **auth(BLOG_KEY),
                "Content-Type": "application/json",
                "X-Moderation-Signature": sign(
                    BLOG_SIGNING, int(time.time()), json.dumps({"status": "approved"}).encode()
                ),
            },
        )
        assert resp.status == 404, ref
    assert (await _record(client, news_id))["status"] == "pending"


async def test_bad_bodies_keys_and_signatures_get_clear_answers(client: Client) -> None:
    await _post(client, "wp-12")
    status, body = await _cms_status(client, "ext:wp-12", "published", actor="x" * 201)
    assert status == 422
    assert sorted(e["field"] for e in body["errors"]) == ["actor", "status"]
    resp = await client.post("/v1/comments/ext:wp-12/cms-status", json={})
    assert resp.status == 401
    resp = await client.post(
        "/v1/comments/ext:wp-12/cms-status", data="status=approved", headers=auth(NEWS_KEY)
    )
    assert resp.status == 415
    resp = await client.post(
        "/v1/comments/ext:wp-12/cms-status",
        data=b"{not json",
        headers={**auth(NEWS_KEY), "Content-Type": "application/json"},
    )
    assert resp.status == 400


async def test_a_signing_site_signs_its_cms_decisions(client: Client) -> None:
    raw = json.dumps(comment_body(id="blog-5")).encode()
    headers = {**auth(BLOG_KEY), "Content-Type": "application/json"}
    resp = await client.post(
        "/v1/comments",
        data=raw,
        headers={**headers, "X-Moderation-Signature": sign(BLOG_SIGNING, int(time.time()), raw)},
    )
    assert resp.status == 202, await resp.text()
    comment_id = (await resp.json())["id"]
    body = json.dumps({"status": "spam", "actor": "blog-editor"}).encode()
    resp = await client.post("/v1/comments/ext:blog-5/cms-status", data=body, headers=headers)
    assert resp.status == 403  # unsigned
    stale = sign(BLOG_SIGNING, int(time.time()) - 3600, body)
    resp = await client.post(
        "/v1/comments/ext:blog-5/cms-status",
        data=body,
        headers={**headers, "X-Moderation-Signature": stale},
    )
    assert resp.status == 403
    resp = await client.post(
        "/v1/comments/ext:blog-5/cms-status",
        data=body,
        headers={**headers, "X-Moderation-Signature": sign(BLOG_SIGNING, int(time.time()), body)},
    )
    assert resp.status == 200, await resp.text()
    record = await client.get(f"/v1/comments/{comment_id}", headers=auth(CAROL))
    assert (await record.json())["status"] == "spam"


async def test_no_echo_and_the_cms_ids_in_callbacks(make_client: Any, config: Config) -> None:
    receiver = await Receiver(SECRET).start()
    try:
        client: Client = await make_client(with_callbacks(config, receiver))
        by_cms = (await _post(client, "41", post_id=7))["id"]
        by_moderator = (
            await _post(client, "42", post_id="post-8", content="A second, different comment.")
        )["id"]
        no_ids = (await _post(client, "", content="A third comment, sent without any ids."))["id"]
        assert (await _cms_status(client, "ext:41", "approved"))[0] == 200
        for comment_id in (by_moderator, no_ids):
            resp = await client.post(
                f"/v1/comments/{comment_id}/decision",
                json={"decision": "approve"},
                headers=auth(ALICE),
            )
            assert resp.status == 200
        await receiver.wait_for(lambda r: len(r.delivered()) == 2)
        comments = {d.body["comment"]["id"]: d.body["comment"] for d in receiver.delivered()}
        assert by_cms not in comments  # the CMS's own decision is not sent back to it
        assert comments[by_moderator]["external_id"] == "42"
        assert comments[by_moderator]["post_id"] == "post-8"
        assert comments[no_ids]["external_id"] is None and comments[no_ids]["post_id"] is None
        # the moderator's undo carries them too
        resp = await client.post(f"/v1/comments/{by_moderator}/undo", headers=auth(ALICE))
        assert resp.status == 200
        await receiver.wait_for(lambda r: len(r.delivered()) == 3)
        undone = receiver.delivered()[-1].body
        assert undone["type"] == "comment.undone"
        assert (undone["comment"]["external_id"], undone["comment"]["post_id"]) == ("42", "post-8")
        # nothing for the CMS's decision waits in the outbox either: once the deliverer
        # has settled the undo (it does so after the receiver answered), it is empty
        store = client.app[STORE]
        deadline = time.monotonic() + 20
        while True:
            waiting, total = await store.list_callbacks("news", CallbackState.PENDING, 100)
            if total == 0 or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        assert (waiting, total) == ([], 0)
        assert by_cms not in [d.body["comment"]["id"] for d in receiver.delivered()]
    finally:
        await receiver.stop()


async def test_an_auto_decided_callback_carries_the_cms_ids(
    make_client: Any, config: Config
) -> None:
    receiver = await Receiver(SECRET).start()
    try:
        client: Client = await make_client(
            with_callbacks(config, receiver, block=["@blocked.example"])
        )
        answer = await _post(client, "77", post_id=9, author_email="x@blocked.example")
        assert answer["status"] == "spam"
        await receiver.wait_for(lambda r: len(r.delivered()) == 1)
        body = receiver.delivered()[0].body
        assert body["type"] == "comment.auto_decided"
        assert (body["comment"]["external_id"], body["comment"]["post_id"]) == ("77", "9")
    finally:
        await receiver.stop()


async def test_the_same_text_under_two_posts_is_two_records(client: Client) -> None:
    text = "I agree with the council on this one; the new cycle lanes are overdue."
    first = await _post(client, "501", post_id=1, content=text)
    second = await _post(client, "502", post_id=2, content=text)
    assert first["id"] != second["id"]
    # each is decided on its own
    assert (await _cms_status(client, "ext:501", "approved"))[0] == 200
    assert (await _record(client, second["id"]))["status"] == "pending"
    # the same CMS id again is the same record (a retry), whatever it says now
    again = await _post(client, "501", post_id=1, content=text)
    assert again["id"] == first["id"]


async def test_a_cms_decision_on_a_rules_approval_keeps_the_authors_trust(
    make_client: Any, config: Config
) -> None:
    """The trusted-author count holds human approvals only: the CMS moving a comment the
    trusted-author rule approved (decided_by auto) away from approved takes nothing back,
    so the author's earlier, human-approved comment still vouches for them."""
    from dataclasses import replace

    sites = tuple(
        replace(s, trust_approved_authors=True) if s.id == "news" else s for s in config.sites
    )
    client: Client = await make_client(replace(config, sites=sites))
    first = (await _post(client, "trust-1"))["id"]
    assert (await _cms_status(client, first, "approved"))[0] == 200  # a human approval (CMS)
    second = await _post(client, "trust-2", content="A second comment by the same author.")
    assert second["status"] == "approved"  # by the trusted-author rule
    assert (await _cms_status(client, second["id"], "spam"))[0] == 200
    third = await _post(client, "trust-3", content="A third comment, still trusted.")
    assert third["status"] == "approved"
    store = client.app[STORE]
    [count] = await store.read("news", ("HGET", keys.approved_authors("news"), "maria@example.com"))
    assert count == "1"
