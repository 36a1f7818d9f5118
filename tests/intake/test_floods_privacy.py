"""Site rules, flood control, repeats, and authors' personal data (erasure, retention)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from moderation.appkeys import STORE
from moderation.config import Config, RateLimit
from moderation.core.records import now_ms
from moderation.review.privacy import DAY_MS, apply_retention
from moderation.storage import keys
from tests.conftest import ALICE, BLOG_KEY, NEWS_KEY, ROOT, auth, comment_body
from tests.support.redis_kinds import is_cluster, sync_redis

Client = TestClient[Any, Any]


def _with_news(config: Config, **changes: Any) -> Config:
    sites = tuple(replace(s, **changes) if s.id == "news" else s for s in config.sites)
    return replace(config, sites=sites)


async def _post(client: Client, **fields: Any) -> Any:
    return await client.post("/v1/comments", json=comment_body(**fields), headers=auth(NEWS_KEY))


async def test_site_rate_limit_answers_429_and_spares_other_sites(
    make_client: Any, config: Config
) -> None:
    client: Client = await make_client(
        _with_news(config, rate_limit=RateLimit(per_minute=60, burst=3))
    )
    statuses = [(await _post(client, id=f"r{i}", content=f"comment {i}")).status for i in range(5)]
    assert statuses == [202, 202, 202, 429, 429]
    refused = await _post(client, id="r9", content="one more")
    assert refused.content_type == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 2
    # the blog site's intake is untouched by news's flood
    import json
    import time

    from moderation.core.signing import sign

    raw = json.dumps(comment_body(id="b1")).encode()
    headers = {
        **auth(BLOG_KEY),
        "Content-Type": "application/json",
        "X-Moderation-Signature": sign("blog-signing-secret-abcdef", int(time.time()), raw),
    }
    assert (await client.post("/v1/comments", data=raw, headers=headers)).status == 202
    metrics = await (await client.get("/metrics")).text()
    assert 'moderation_rate_limited_total{scope="site"} 3.0' in metrics


async def test_ip_rate_limit_isolates_one_sender(make_client: Any, config: Config) -> None:
    client: Client = await make_client(
        _with_news(config, ip_rate_limit=RateLimit(per_minute=6, burst=2))
    )
    flood = [
        await _post(client, id=f"f{i}", content=f"flood {i}", author_ip="198.51.100.7")
        for i in range(4)
    ]
    assert [r.status for r in flood] == [202, 202, 429, 429]
    detail = (await flood[-1].json(content_type=None))["detail"]
    assert "from this author IP" in detail and "ip_rate_limit" in detail  # not the site's
    calm = await _post(client, id="calm", content="a calm reader", author_ip="203.0.113.5")
    assert calm.status == 202
    metrics = await (await client.get("/metrics")).text()
    assert 'moderation_rate_limited_total{scope="ip"} 2.0' in metrics


async def test_repeats_are_flagged_and_can_be_auto_decided(
    make_client: Any, config: Config
) -> None:
    client: Client = await make_client(config)
    first = await (await _post(client, id="t1", content="Visit my page for FREE followers")).json()
    second = await (
        await _post(client, id="t2", content="  visit my page for free\u200b FOLLOWERS ")
    ).json()
    assert "repeats a recent comment" not in first["reasons"]
    assert second["reasons"][0] == "repeats a recent comment"
    assert second["status"] == "pending"

    auto: Client = await make_client(_with_news(config, auto_spam_duplicates=True))
    third = await (await _post(auto, id="t3", content="Visit my page for FREE followers")).json()
    assert third["status"] == "spam"
    record = await (await auto.get(f"/v1/comments/{third['id']}", headers=auth(ALICE))).json()
    assert record["rule"].startswith(f"repeat of {first['id']}")


async def test_allow_and_block_lists_decide_before_the_classifier(
    make_client: Any, config: Config
) -> None:
    client: Client = await make_client(
        _with_news(
            config,
            allow=("editor@example.com", "@staff.example.org"),
            block=("@spam.example", "198.51.100.9"),
        )
    )
    spammy = "BUY CHEAP PILLS http://bit.ly/x http://bit.ly/y casino bonus"
    ok = await (
        await _post(client, id="a1", author_email="editor@example.com", content=spammy)
    ).json()
    staff = await (await _post(client, id="a2", author_email="bo@staff.example.org")).json()
    blocked = await (await _post(client, id="b1", author_email="x@spam.example")).json()
    by_ip = await (await _post(client, id="b2", author_ip="198.51.100.9")).json()
    assert [ok["status"], staff["status"], blocked["status"], by_ip["status"]] == [
        "approved",
        "approved",
        "spam",
        "spam",
    ]
    record = await (await client.get(f"/v1/comments/{blocked['id']}", headers=auth(ALICE))).json()
    assert record["rule"] == "block list: @spam.example"
    assert record["history"][-1]["action"] == "auto-decided"


async def test_trusted_authors_are_auto_approved(make_client: Any, config: Config) -> None:
    client: Client = await make_client(_with_news(config, trust_approved_authors=True))
    first = await (await _post(client, id="u1", author_email="reg@example.com")).json()
    assert first["status"] == "pending"
    await client.post(
        f"/v1/comments/{first['id']}/decision", json={"decision": "approve"}, headers=auth(ALICE)
    )
    second = await (
        await _post(client, id="u2", author_email="REG@example.com", content="Me again, hello.")
    ).json()
    assert second["status"] == "approved"
    record = await (await client.get(f"/v1/comments/{second['id']}", headers=auth(ALICE))).json()
    assert any(
        e["action"] == "auto-decided" and e["rule"].startswith("trusted author")
        for e in record["history"]
    )
    stranger = await (await _post(client, id="u3", author_email="new@example.com")).json()
    assert stranger["status"] == "pending"


async def test_an_undone_approval_takes_the_trust_back(make_client: Any, config: Config) -> None:
    client: Client = await make_client(_with_news(config, trust_approved_authors=True))
    ids = []
    for n in (1, 2):  # both posted before either is approved: both wait for a human
        posted = await (
            await _post(client, id=f"t{n}", author_email="two@example.com", content=f"Hi {n}.")
        ).json()
        ids.append(posted["id"])
    for comment_id in ids:
        resp = await client.post(
            f"/v1/comments/{comment_id}/decision",
            json={"decision": "approve"},
            headers=auth(ALICE),
        )
        assert resp.status == 200
    # two approvals: undoing one leaves the author trusted, undoing both does not
    for n, comment_id in enumerate(ids):
        resp = await client.post(f"/v1/comments/{comment_id}/undo", headers=auth(ALICE))
        assert resp.status == 200
        later = await (
            await _post(
                client, id=f"t-after-{n}", author_email="two@example.com", content=f"Again {n}."
            )
        ).json()
        assert later["status"] == ("approved" if n == 0 else "pending")


def _all_values(url: str) -> str:
    """Every key name and stored value of the test Redis, as one string to search."""
    out = []
    with sync_redis(url) as r:
        for key in r.scan_iter("*"):
            out.append(key)
            kind = r.type(key)
            if kind == "hash":
                out += [f"{k}={v}" for k, v in r.hgetall(key).items()]
            elif kind == "zset":
                out += r.zrange(key, 0, -1)
            elif kind == "set":
                out += list(r.smembers(key))
            elif kind == "string":
                out.append(str(r.get(key)))
            elif kind == "stream":
                out += [str(fields) for _, fields in r.xrange(key)]
    return "\n".join(out)


async def test_erasure_removes_personal_data_everywhere(
    client: Client, config: Config, redis_url: str
) -> None:
    gone = await (
        await _post(
            client,
            id="e1",
            author_name="Erin Example",
            author_email="erin@example.com",
            author_url="https://erin.example.com/",
            author_ip="192.0.2.44",
            user_agent="ErinBrowser/1.0",
        )
    ).json()
    await client.post(
        f"/v1/comments/{gone['id']}/decision", json={"decision": "approve"}, headers=auth(ALICE)
    )
    kept = await (await _post(client, id="k1", author_email="kim@example.com")).json()

    refused = await client.post(
        "/v1/erasure", json={"author_email": "erin@example.com"}, headers=auth(ALICE)
    )
    assert refused.status == 403
    resp = await client.post(
        "/v1/erasure", json={"author_email": "Erin@Example.com"}, headers=auth(ROOT)
    )
    assert resp.status == 200
    assert (await resp.json())["erased"] == {"news": 1, "blog": 0}

    stored = _all_values(redis_url)
    for secret in (
        "Erin Example",
        "erin@example.com",
        "erin.example.com",
        "192.0.2.44",
        "ErinBrowser",
    ):
        assert secret not in stored
    assert "kim@example.com" in stored
    record = await (await client.get(f"/v1/comments/{gone['id']}", headers=auth(ALICE))).json()
    assert record["status"] == "approved" and record["author_email"] is None
    assert record["content"]  # the comment itself stays
    assert [e["action"] for e in record["history"]][-2:] == ["decided", "erased"]
    other = await (await client.get(f"/v1/comments/{kept['id']}", headers=auth(ALICE))).json()
    assert other["author_email"] == "kim@example.com"


def test_erasure_from_the_command_line(tmp_path: Path, redis_url: str) -> None:
    import asyncio

    from tests.conftest import CONFIG_TOML

    # store one comment through the real data layer, then erase it with the CLI
    with sync_redis(redis_url) as r:
        r.flushall()
    config_file = tmp_path / "moderation.toml"
    lines = [f'[redis]\nurl = "{redis_url}"\ncluster = {str(is_cluster(redis_url)).lower()}\n']
    for site in CONFIG_TOML["sites"]:
        lines.append(f'[[sites]]\nid = "{site["id"]}"\napi_key = "{site["api_key"]}"\n')
    lines.append(
        '[[moderators]]\nname = "root"\ntoken = "root-every-site-token-0123456"\nsites = ["*"]\n'
    )
    config_file.write_text("\n".join(lines))

    async def seed() -> None:
        from moderation.app import create_app
        from moderation.appkeys import MODEL
        from tests.support.clients import serving

        app = create_app(Config.load(config_file))
        async with serving(app) as c:
            for _ in range(600):
                if app[MODEL].ready:
                    break
                await asyncio.sleep(0.05)
            resp = await c.post(
                "/v1/comments",
                json=comment_body(author_email="cli@example.com"),
                headers=auth(NEWS_KEY),
            )
            assert resp.status == 202

    asyncio.run(seed())
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODERATION_")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "moderation",
            "erase",
            "--email",
            "cli@example.com",
            "--config",
            str(config_file),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "1 comment" in result.stdout
    assert "cli@example.com" not in _all_values(redis_url)
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "moderation",
            "erase",
            "--email",
            "nope",
            "--config",
            str(config_file),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


async def test_retention_erases_old_personal_data_and_purges_old_spam(
    make_client: Any, config: Config, redis_url: str
) -> None:
    configured = _with_news(config, erase_personal_data_after_days=30, purge_spam_after_days=15)
    client: Client = await make_client(configured)
    decided = await (await _post(client, id="old-ham", author_email="old@example.com")).json()
    spam = await (await _post(client, id="old-spam", author_email="spammer@example.com")).json()
    pending = await (await _post(client, id="waiting", author_email="wait@example.com")).json()
    await client.post(
        f"/v1/comments/{decided['id']}/decision", json={"decision": "approve"}, headers=auth(ALICE)
    )
    await client.post(
        f"/v1/comments/{spam['id']}/decision", json={"decision": "spam"}, headers=auth(ALICE)
    )
    store = client.app[STORE]
    # nothing is old enough yet
    assert await apply_retention(store, configured.sites, now_ms()) == {"erased": 0, "purged": 0}
    later = now_ms() + 31 * DAY_MS
    totals = await apply_retention(store, configured.sites, later)
    assert totals == {"erased": 2, "purged": 1}  # the spam's data went first, then the spam
    assert (await client.get(f"/v1/comments/{spam['id']}", headers=auth(ALICE))).status == 404
    ham = await (await client.get(f"/v1/comments/{decided['id']}", headers=auth(ALICE))).json()
    assert ham["status"] == "approved" and ham["author_email"] is None
    wait = await (await client.get(f"/v1/comments/{pending['id']}", headers=auth(ALICE))).json()
    assert wait["author_email"] == "wait@example.com"  # undecided comments keep theirs
    with sync_redis(redis_url) as r:
        assert r.hget(keys.external_ids("news"), "old-spam") is None
    stored = _all_values(redis_url)
    assert "old@example.com" not in stored and "spammer@example.com" not in stored


async def test_a_repeat_is_flagged_in_the_record_and_a_retry_is_not_a_repeat(
    client: Client,
) -> None:
    first = await (await _post(client, id="x1", content="Same words, twice over")).json()
    retry = await (await _post(client, id="x1", content="Same words, twice over")).json()
    assert retry == first  # the CMS's retry: the first answer, not a repeat
    second = await (await _post(client, id="x2", content="same WORDS,   twice over")).json()
    assert second["reasons"][0] == "repeats a recent comment"
    record = await (await client.get(f"/v1/comments/{second['id']}", headers=auth(ALICE))).json()
    assert record["reasons"] == second["reasons"]
    assert record["status"] == "pending" and record["rule"] is None
