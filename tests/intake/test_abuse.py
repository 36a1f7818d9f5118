"""The abuse score through intake: the answer, the record and its history, and the site
rules on it (hold_abuse_above, reject_abuse_above), against real Redis and the real
default model.  Nothing here invents a score: where a test needs the abuse head, it
checks first that the model really scores the insult above the polite remark."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from classifier import Comment
from moderation.appkeys import MODEL
from moderation.config import Config, ConfigError
from tests.conftest import ALICE, NEWS_KEY, ROOT, auth, comment_body
from tests.support.abuse import HOSTILE, LINE, POLITE
from tests.support.faultkit import assert_indexes_consistent

Client = TestClient[Any, Any]


def _with(config: Config, **site: Any) -> Config:
    sites = tuple(replace(s, **site) if s.id == "news" else s for s in config.sites)
    return replace(config, sites=sites)


async def _post(client: Client, **fields: Any) -> dict[str, Any]:
    resp = await client.post("/v1/comments", json=comment_body(**fields), headers=auth(NEWS_KEY))
    assert resp.status == 202, await resp.text()
    answer: dict[str, Any] = await resp.json()
    return answer


async def _record(client: Client, comment_id: str, token: str = ALICE) -> dict[str, Any]:
    resp = await client.get(f"/v1/comments/{comment_id}", headers=auth(token))
    assert resp.status == 200
    record: dict[str, Any] = await resp.json()
    return record


async def test_an_insult_scores_above_a_polite_remark_everywhere_it_shows(
    client: Client, abuse_head: None
) -> None:
    hostile = await _post(client, id="a-hostile", content=HOSTILE, author_email="a@example.com")
    polite = await _post(client, id="a-polite", content=POLITE, author_email="a@example.com")
    assert hostile["abuse_score"] > LINE > polite["abuse_score"]
    assert hostile["abuse_reasons"], "the insult's abuse score names its words"
    assert all(isinstance(r, str) for r in hostile["abuse_reasons"])
    # the spam score is there as before, from the same pass
    assert 0 <= hostile["spam_score"] <= 1 and isinstance(hostile["reasons"], list)

    record = await _record(client, hostile["id"])
    assert record["abuse_score"] == hostile["abuse_score"]
    assert record["abuse_reasons"] == hostile["abuse_reasons"]
    assert record["decision_reason"] is None
    [scored] = [e for e in record["history"] if e["action"] == "scored"]
    assert scored["abuse_score"] == round(hostile["abuse_score"], 4)
    assert scored["abuse_reasons"] == hostile["abuse_reasons"]

    # the site's own key reads the same scores (no personal data is involved)
    assert (await _record(client, hostile["id"], NEWS_KEY))["abuse_score"] == record["abuse_score"]

    queue = await (await client.get("/v1/queue?site=news", headers=auth(ALICE))).json()
    by_id = {item["id"]: item for item in queue["items"]}
    assert by_id[hostile["id"]]["abuse_score"] == hostile["abuse_score"]
    assert by_id[hostile["id"]]["abuse_reasons"] == hostile["abuse_reasons"]
    author = await (
        await client.get("/v1/authors?site=news&email=a@example.com", headers=auth(ALICE))
    ).json()
    assert {c["id"]: c["abuse_score"] for c in author["comments"]} == {
        hostile["id"]: hostile["abuse_score"],
        polite["id"]: polite["abuse_score"],
    }

    # a retry replays the same answer, abuse score included
    again = await _post(client, id="a-hostile", content=HOSTILE, author_email="a@example.com")
    assert again == {**hostile, "edited": False}

    metrics = await (await client.get("/metrics")).text()
    count = next(
        line for line in metrics.splitlines() if line.startswith("moderation_abuse_score_count")
    )
    assert float(count.split()[-1]) == 2  # the replay is not taken in again


async def test_an_edit_is_scored_again_for_abuse(client: Client, abuse_head: None) -> None:
    first = await _post(client, id="a-edit", content=POLITE)
    edited = await _post(client, id="a-edit", content=HOSTILE)
    assert edited["edited"] is True and edited["id"] == first["id"]
    assert edited["abuse_score"] > LINE > first["abuse_score"]
    record = await _record(client, first["id"])
    assert (record["abuse_score"], record["abuse_reasons"]) == (
        edited["abuse_score"],
        edited["abuse_reasons"],
    )
    [entry] = [e for e in record["history"] if e["action"] == "edited"]
    assert entry["abuse_score"] == round(edited["abuse_score"], 4)
    queue = await (await client.get("/v1/queue?site=news&order=abuse", headers=auth(ALICE))).json()
    assert [(i["id"], i["abuse_score"]) for i in queue["items"]] == [
        (first["id"], edited["abuse_score"])
    ]


async def test_reject_abuse_above_rejects_at_once_under_rule_abuse(
    make_client: Any, config: Config, abuse_head: None
) -> None:
    client = await make_client(_with(config, reject_abuse_above=LINE))
    hostile = await _post(client, id="r-hostile", content=HOSTILE)
    polite = await _post(client, id="r-polite", content=POLITE)
    assert hostile["status"] == "rejected"
    assert polite["status"] == "pending"
    record = await _record(client, hostile["id"])
    assert (record["status"], record["rule"], record["decided_by"]) == ("rejected", "abuse", "auto")
    assert record["history"][-1] == {
        "action": "auto-decided",
        "actor": "auto",
        "at": record["history"][-1]["at"],
        "status": "rejected",
        "rule": "abuse",
    }
    stats = await (await client.get("/v1/stats?site=news", headers=auth(ALICE))).json()
    assert stats["counts"] == {"pending": 1, "approved": 0, "spam": 0, "rejected": 1}
    rejected = await (
        await client.get("/v1/queue?site=news&status=rejected", headers=auth(ALICE))
    ).json()
    assert [i["id"] for i in rejected["items"]] == [hostile["id"]]
    assert_indexes_consistent(config.redis.url or "")


async def test_hold_abuse_above_keeps_every_automatic_approval_away(
    make_client: Any, config: Config, abuse_head: None
) -> None:
    """An allow rule, auto_approve_below and a trusted author would each approve the
    insult; with hold_abuse_above it waits for a human, while the polite remark is
    approved as before."""
    held = _with(
        config,
        hold_abuse_above=LINE,
        allow=("friend@example.com",),
        trust_approved_authors=True,
    )
    client = await make_client(held)
    listed = await _post(client, id="h1", content=HOSTILE, author_email="friend@example.com")
    fine = await _post(client, id="h2", content=POLITE, author_email="friend@example.com")
    assert (listed["status"], fine["status"]) == ("pending", "approved")

    # a trusted author: one approved comment by a moderator, then an insult
    first = await _post(client, id="h3", content=POLITE, author_email="reader@example.com")
    resp = await client.post(
        f"/v1/comments/{first['id']}/decision", json={"decision": "approve"}, headers=auth(ALICE)
    )
    assert resp.status == 200
    trusted = await _post(client, id="h4", content=POLITE, author_email="reader@example.com")
    insult = await _post(client, id="h5", content=HOSTILE, author_email="reader@example.com")
    assert (trusted["status"], insult["status"]) == ("approved", "pending")
    record = await _record(client, insult["id"])
    assert record["rule"] is None and record["decided_by"] is None

    # auto_approve_below: every spam score below 1 would be approved
    client = await make_client(_with(config, hold_abuse_above=LINE, auto_approve_below=0.999))
    low = await _post(client, id="h6", content=HOSTILE)
    ok = await _post(client, id="h7", content=POLITE)
    assert (low["status"], ok["status"]) == ("pending", "approved")
    assert_indexes_consistent(config.redis.url or "")


async def test_a_trusted_edit_into_an_insult_goes_back_to_a_human(
    make_client: Any, config: Config, abuse_head: None
) -> None:
    client = await make_client(_with(config, hold_abuse_above=LINE, trust_edits_of_approved=True))
    first = await _post(client, id="te", content=POLITE)
    resp = await client.post(
        f"/v1/comments/{first['id']}/decision", json={"decision": "approve"}, headers=auth(ALICE)
    )
    assert resp.status == 200
    fixed = await _post(client, id="te", content=POLITE + " Updated with the source.")
    assert (fixed["edited"], fixed["status"]) == (True, "approved")  # trusted as before
    worse = await _post(client, id="te", content=HOSTILE)
    assert (worse["edited"], worse["status"]) == (True, "pending")


async def test_without_an_abuse_head_the_fields_are_null_and_no_rule_fires(
    make_client: Any, config: Config
) -> None:
    """A model without an abuse head (a site's file saved before there was one) gives
    null scores and empty reasons, files the comment last in order=abuse, and neither
    abuse rule fires, however low its threshold."""
    client = await make_client(
        _with(config, hold_abuse_above=0.0, reject_abuse_above=0.01, auto_approve_below=0.999)
    )
    holder = client.server.app[MODEL]
    assert holder.model is not None
    if holder.model.score_batch([Comment(content=HOSTILE)])[0].abuse is not None:
        # the shipped model has its abuse head: the same model without it (the
        # classifier's with_abuse_heads, looked up so that this file type-checks on
        # both sides of the head's arrival)
        drop = getattr(holder.model, "with_abuse_heads", None)
        assert drop is not None, "a model with an abuse head must be able to drop it"
        holder.model = drop(None)
    answer = await _post(client, id="n1", content=HOSTILE)
    assert (answer["abuse_score"], answer["abuse_reasons"]) == (None, [])
    assert answer["status"] == "approved"  # auto_approve_below, not held
    other = await _post(client, id="n2", content=HOSTILE + " Really.", author_email="x@e.org")
    record = await _record(client, answer["id"])
    assert (record["abuse_score"], record["abuse_reasons"]) == (None, [])
    assert not any("abuse_score" in e for e in record["history"])
    assert other["status"] == "approved"
    queue = await (await client.get("/v1/queue?site=news&order=abuse", headers=auth(ALICE))).json()
    assert queue["items"] == []  # approved; and nothing is missing from the index
    assert_indexes_consistent(config.redis.url or "")


async def test_order_abuse_lists_unscored_comments_last_and_min_abuse_leaves_them_out(
    client: Client,
) -> None:
    """Whatever the model: comments without an abuse score are still in the abuse order
    (after the scored ones, by id for ties); min_abuse=0 asks for a score, so it leaves
    them out."""
    ids = [(await _post(client, id=f"u{i}", content=f"{POLITE} ({i})"))["id"] for i in range(3)]
    got = await (await client.get("/v1/queue?site=news&order=abuse", headers=auth(ROOT))).json()
    assert sorted(i["id"] for i in got["items"]) == sorted(ids)
    scores = [i["abuse_score"] for i in got["items"]]
    scored = [s for s in scores if s is not None]
    assert scores == sorted(scored, reverse=True) + [None] * (len(scores) - len(scored))
    filtered = await (
        await client.get("/v1/queue?site=news&order=newest&min_abuse=0", headers=auth(ROOT))
    ).json()
    assert [i["id"] for i in filtered["items"]] == [
        i["id"]
        for i in sorted(got["items"], key=lambda i: i["created_at"], reverse=True)
        if i["abuse_score"] is not None
    ]


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ("hold_abuse_above = 1.5", "sites[news].hold_abuse_above: must be at most 1"),
        ("reject_abuse_above = -0.1", "sites[news].reject_abuse_above: must be at least 0"),
        (
            "hold_abuse_above = 0.9\nreject_abuse_above = 0.9",
            "sites[news].reject_abuse_above: must be higher than hold_abuse_above",
        ),
    ],
)
def test_the_abuse_thresholds_are_checked(tmp_path: Path, keys: str, message: str) -> None:
    path = tmp_path / "moderation.toml"
    path.write_text(f"[[sites]]\nid = 'news'\napi_key = '0123456789abcdefgh'\n{keys}\n")
    with pytest.raises(ConfigError) as info:
        Config.load(path)
    assert message in str(info.value)


def test_the_abuse_thresholds_are_off_by_default_and_read_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "moderation.toml"
    path.write_text(
        "[[sites]]\nid = 'news'\napi_key = '0123456789abcdefgh'\n"
        "[[sites]]\nid = 'blog'\napi_key = '0123456789abcdefgh-blog'\n"
        "hold_abuse_above = 0.6\nreject_abuse_above = 0.95\n"
    )
    config = Config.load(path)
    news, blog = config.site("news"), config.site("blog")
    assert news is not None and blog is not None
    assert (news.hold_abuse_above, news.reject_abuse_above) == (None, None)
    assert (blog.hold_abuse_above, blog.reject_abuse_above) == (0.6, 0.95)
