"""Rules from the API (issue 24): stored in Redis, listed with the config's, audited,
applied at intake by every instance without a restart, and never racing intake."""

from __future__ import annotations

import asyncio
import copy
import functools
import ipaddress
import time
import timeit
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from moderation.config import Config
from moderation.intake.rules import CompiledRules, RuleKind, RuleList, normal_value
from moderation.intake.validation import CommentIn
from moderation.storage import keys
from tests.conftest import ALICE, CONFIG_TOML, NEWS_KEY, ROOT, auth, comment_body
from tests.support.redis_kinds import sync_redis

Client = TestClient[Any, Any]
EDNA = "edna-news-admin-token-01234567"


def _config(config: Config, **news: Any) -> Config:
    """The test config plus edna, an admin of news only, and ``news``'s changes."""
    toml = copy.deepcopy(CONFIG_TOML)
    toml["moderators"].append({"name": "edna", "token": EDNA, "sites": ["news"], "admin": True})
    for site in toml["sites"]:
        if site["id"] == "news":
            site.update(news)
    base = Config.from_mapping(toml)
    return replace(base, redis=config.redis, data_dir=config.data_dir)


async def _post(client: Client, **fields: Any) -> dict[str, Any]:
    response = await client.post(
        "/v1/comments", json=comment_body(**fields), headers=auth(NEWS_KEY)
    )
    assert response.status == 202, await response.text()
    result: dict[str, Any] = await response.json()
    return result


async def _add(client: Client, token: str = EDNA, **rule: Any) -> Any:
    return await client.post("/v1/rules", json={"site": "news", **rule}, headers=auth(token))


async def _record(client: Client, comment_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/comments/{comment_id}", headers=auth(ROOT))
    result: dict[str, Any] = await response.json()
    return result


async def test_rules_are_added_listed_removed_and_audited(make_client: Any, config: Config) -> None:
    client: Client = await make_client(_config(config, block=["@spam.example"]))
    response = await _add(client, list="block", kind="email_domain", value="@Bad.Example", note="x")
    assert response.status == 201
    rule = await response.json()
    assert rule["value"] == "bad.example" and rule["created_by"] == "edna"
    assert set(rule) == {"id", "list", "kind", "value", "note", "created_by", "created_at"}
    again = await _add(client, list="block", kind="email_domain", value="bad.example")
    assert again.status == 200 and (await again.json())["id"] == rule["id"]

    listing = await (await client.get("/v1/rules?site=news", headers=auth(EDNA))).json()
    assert listing["site"] == "news"
    assert listing["rules"][0] == {
        "id": None,
        "list": "block",
        "kind": "email_domain",
        "value": "spam.example",
        "note": "from the site's config file (change it there)",
        "created_by": "config",
        "created_at": None,
    }
    assert listing["rules"][1] == rule

    gone = await client.delete(f"/v1/rules/{rule['id']}?site=news", headers=auth(EDNA))
    assert gone.status == 204
    assert (
        await client.delete(f"/v1/rules/{rule['id']}?site=news", headers=auth(EDNA))
    ).status == 404
    listing = await (await client.get("/v1/rules?site=news", headers=auth(EDNA))).json()
    assert [r["id"] for r in listing["rules"]] == [None]

    audit = await (await client.get("/v1/rules/audit?site=news", headers=auth(EDNA))).json()
    assert audit["total"] == 2
    assert [(c["action"], c["by"], c["rule"]["id"]) for c in audit["changes"]] == [
        ("removed", "edna", rule["id"]),
        ("added", "edna", rule["id"]),
    ]
    assert audit["changes"][0]["rule"] == rule


async def test_erasure_removes_the_rules_naming_the_author_and_their_email_from_the_audit(
    make_client: Any, config: Config, redis_url: str
) -> None:
    """GDPR erasure reaches the rules: the email rules and phrases naming the author go,
    audited as 'erased' without the address, which leaves every audit line and note that
    held it; no hash of it is kept (one would be found again by hashing guesses).  Other
    rules stay, and the block is no longer applied."""
    client: Client = await make_client(_config(config))
    email = "maria@example.com"

    async def added(**rule: Any) -> dict[str, Any]:
        response = await _add(client, **rule)
        assert response.status == 201, await response.text()
        result: dict[str, Any] = await response.json()
        return result

    # a rule added and removed before: only the audit remembers it, in clear
    earlier = await added(list="allow", kind="email", value=email, note="a regular")
    assert (
        await client.delete(f"/v1/rules/{earlier['id']}?site=news", headers=auth(EDNA))
    ).status == 204
    block = await added(list="block", kind="email", value="Maria@Example.COM", note="her bot")
    phrase = await added(list="block", kind="phrase", value=f"write to {email} now")
    kept = [
        await added(list="trusted", kind="email", value="kim@example.com", note="kim"),
        await added(list="block", kind="email_domain", value="spam.example"),
        # a phrase of the same domain does not name her
        await added(list="block", kind="phrase", value="ana@example.com"),
    ]
    noted = await added(
        list="block", kind="ip", value="198.51.100.7", note=f"the IP {email.upper()} used"
    )
    assert (await _post(client, id="before", author_email=email))["status"] == "spam"

    response = await client.post(
        "/v1/erasure",
        json={"author_email": "MARIA@example.com", "site": "news"},
        headers=auth(EDNA),
    )
    assert response.status == 200, await response.text()
    assert await response.json() == {"erased": {"news": 1}, "rules_removed": {"news": 2}}

    listing = await (await client.get("/v1/rules?site=news", headers=auth(EDNA))).json()
    by_id = {r["id"]: r for r in listing["rules"]}
    assert set(by_id) == {r["id"] for r in kept} | {noted["id"]}
    assert all(by_id[r["id"]] == r for r in kept)
    assert by_id[noted["id"]] == {**noted, "note": "(erased)"}

    audit = await (await client.get("/v1/rules/audit?site=news", headers=auth(EDNA))).json()
    changes = [(c["action"], c["by"], c["rule"]["id"]) for c in audit["changes"]]
    # the two removals first (in the order the rules hash gives them), then the rest as
    # it was: every change kept, none lost
    assert sorted(changes[:2]) == sorted(
        [("erased", "edna", block["id"]), ("erased", "edna", phrase["id"])]
    )
    assert changes[2:] == [
        ("added", "edna", noted["id"]),
        *[("added", "edna", r["id"]) for r in reversed(kept)],
        ("added", "edna", phrase["id"]),
        ("added", "edna", block["id"]),
        ("removed", "edna", earlier["id"]),
        ("added", "edna", earlier["id"]),
    ]
    assert audit["total"] == len(changes)
    about_her = [
        c["rule"]
        for c in audit["changes"]
        if c["rule"]["id"] in {earlier["id"], block["id"], phrase["id"]}
    ]
    assert len(about_her) == 6  # added and removed, added and erased, twice
    for rule in about_her:
        assert rule["value"] == "(erased)"
        assert rule["note"] in ("(erased)", None)
        assert (rule["list"], rule["kind"]) in {
            ("allow", "email"),
            ("block", "email"),
            ("block", "phrase"),
        }
    # nothing of the site's rules holds the address any more, in any case
    with sync_redis(redis_url) as r:
        stored = [
            *r.hvals(keys.rules("news")),
            *r.hkeys(keys.rule_index("news")),
            *r.lrange(keys.rules_audit("news"), 0, -1),
        ]
    assert stored and not [line for line in stored if email in line.lower()]

    # the block is gone on this instance at once (the others follow the version)
    assert (await _post(client, id="after", author_email=email))["status"] == "pending"
    # an erasure again finds no rule: nothing removed, nothing audited
    again = await client.post(
        "/v1/erasure", json={"author_email": email, "site": "news"}, headers=auth(EDNA)
    )
    assert (await again.json())["rules_removed"] == {"news": 0}
    audit_again = await (await client.get("/v1/rules/audit?site=news", headers=auth(EDNA))).json()
    assert audit_again["total"] == audit["total"]


async def test_only_admins_of_the_site(make_client: Any, config: Config) -> None:
    client: Client = await make_client(_config(config))
    ok = {"list": "block", "kind": "ip", "value": "198.51.100.7"}
    assert (await _add(client, ALICE, **ok)).status == 403  # a moderator, not an admin
    assert (await client.get("/v1/rules?site=news", headers=auth(ALICE))).status == 403
    assert (await client.delete("/v1/rules/x?site=news", headers=auth(ALICE))).status == 403
    blog = await client.post("/v1/rules", json={**ok, "site": "blog"}, headers=auth(EDNA))
    assert blog.status == 404  # an admin, of another site
    assert (await client.get("/v1/rules?site=blog", headers=auth(EDNA))).status == 404
    assert (await client.get("/v1/rules/audit?site=blog", headers=auth(EDNA))).status == 404
    assert (await client.delete("/v1/rules/x?site=blog", headers=auth(EDNA))).status == 404
    assert (await client.post("/v1/rules", json=ok)).status == 401


async def test_bad_rules_list_every_field(make_client: Any, config: Config) -> None:
    client: Client = await make_client(_config(config))
    response = await client.post(
        "/v1/rules",
        json={"list": "nope", "kind": "ip", "value": "10.0.0.300", "note": 5},
        headers=auth(EDNA),
    )
    assert response.status == 422
    assert response.content_type == "application/problem+json"
    fields = {e["field"] for e in (await response.json())["errors"]}
    assert fields == {"site", "list", "value", "note"}
    for kind, value in [
        ("email", "not an email"),
        ("email_domain", "no_dot"),
        ("link_domain", "http://x.example/"),
        ("phrase", "\u200b "),
        ("ip", "10.0.0.0/33"),
    ]:
        bad = await _add(client, list="block", kind=kind, value=value)
        assert bad.status == 422, (kind, value)
        assert [e["field"] for e in (await bad.json())["errors"]] == ["value"]
    assert (await client.get("/v1/rules", headers=auth(EDNA))).status == 422


async def test_each_list_and_kind_at_intake(make_client: Any, config: Config) -> None:
    client: Client = await make_client(_config(config, auto_spam_duplicates=True))
    rules = [
        ("block", "email", "Spammer@Example.com"),
        ("block", "email_domain", "@junk.example"),
        ("block", "ip", "203.0.113.0/24"),
        ("block", "ip", "2001:db8::/32"),
        ("block", "link_domain", "pills.example"),
        ("block", "phrase", "Cheap   WATCHES"),
        ("allow", "email", "editor@example.com"),
        ("allow", "link_domain", "spam.pills.example"),  # block wins over allow
        ("trusted", "email_domain", "staff.example.org"),
    ]
    for which, kind, value in rules:
        assert (await _add(client, list=which, kind=kind, value=value)).status == 201
    cases = [
        ({"author_email": "spammer@example.com"}, "spam", "block list: email spammer@"),
        ({"author_email": "a@mail.junk.example"}, "spam", "block list: email_domain junk."),
        ({"author_ip": "203.0.113.77"}, "spam", "block list: ip 203.0.113.0/24"),
        ({"author_ip": "2001:db8::1"}, "spam", "block list: ip 2001:db8::/32"),
        (
            {"content": "See https://www.spam.pills.example/buy now, friends"},
            "spam",
            "block list: link_domain pills.example",
        ),
        ({"author_url": "http://pills.example"}, "spam", "block list: link_domain"),
        ({"content": "Get cheap\n watches here."}, "spam", "block list: phrase cheap watches"),
        ({"author_email": "editor@example.com"}, "approved", "allow list: email editor@"),
        ({"author_email": "bo@staff.example.org"}, "approved", "trusted list: email_domain"),
        ({"author_email": "someone@example.net", "author_ip": "198.51.100.1"}, "pending", None),
        ({"content": "pills.example is a word here, no link at all."}, "pending", None),
    ]
    for n, (fields, status, rule) in enumerate(cases):
        fields.setdefault("content", f"An ordinary remark number {n} about the budget.")
        got = await _post(client, id=f"k{n}", **fields)
        assert got["status"] == status, (fields, got)
        record = await _record(client, got["id"])
        if rule is None:
            assert "rule" not in record or record["rule"] is None
        else:
            assert record["rule"].startswith(rule), record["rule"]
            assert record["history"][-1]["action"] == "auto-decided"
    # a trusted author is still held by a spam rule: a repeat with auto_spam_duplicates
    text = "The same words twice, from a trusted author."
    first = await _post(client, id="t1", author_email="bo@staff.example.org", content=text)
    repeat = await _post(client, id="t2", author_email="bo@staff.example.org", content=text)
    assert (first["status"], repeat["status"]) == ("approved", "spam")


async def test_a_rule_added_on_one_instance_is_applied_by_another(
    make_client: Any, config: Config
) -> None:
    both = _config(config)
    one: Client = await make_client(both)
    other: Client = await make_client(both)
    assert (await _post(other, id="before", author_email="x@late.example"))["status"] == "pending"
    response = await _add(one, list="block", kind="email_domain", value="late.example")
    assert response.status == 201
    rule = await response.json()
    # the instance that added it: in force for the very next comment
    assert (await _post(one, id="one-1", author_email="y@late.example"))["status"] == "spam"
    started = time.monotonic()
    deadline = started + 10
    n = 0
    while True:
        n += 1
        got = await _post(other, id=f"other-{n}", author_email="z@late.example")
        if got["status"] == "spam":
            break
        assert time.monotonic() < deadline, "the other instance never applied the rule"
        await asyncio.sleep(0.05)
    lag = time.monotonic() - started
    assert lag < 3, lag  # REFRESH_SECONDS is 1
    gone = await one.delete(f"/v1/rules/{rule['id']}?site=news", headers=auth(EDNA))
    assert gone.status == 204
    assert (await _post(one, id="one-2", author_email="y@late.example"))["status"] == "pending"
    deadline = time.monotonic() + 10
    while True:
        n += 1
        got = await _post(other, id=f"other-{n}", author_email="z@late.example")
        if got["status"] == "pending":
            break
        assert time.monotonic() < deadline, "the other instance never dropped the rule"
        await asyncio.sleep(0.05)


async def test_rule_edits_race_intake(make_client: Any, config: Config) -> None:
    """Comments pour in while the same block rule is added and removed again and again:
    no 500, and each comment is decided by a rule set that was in force while it was
    taken: spam by that rule, or pending."""
    client: Client = await make_client(_config(config))
    stop = asyncio.Event()
    results: list[tuple[float, float, dict[str, Any]]] = []
    # (when it was sent, when it answered, "added"/"removed")
    changes: list[tuple[float, float, str]] = []

    async def post_many(worker: int) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            sent = time.monotonic()
            got = await _post(client, id=f"w{worker}-{n}", author_email=f"u{n}@race.example")
            results.append((sent, time.monotonic(), got))

    async def edit() -> None:
        for _ in range(15):
            started = time.monotonic()
            added = await _add(client, list="block", kind="email_domain", value="race.example")
            assert added.status == 201
            changes.append((started, time.monotonic(), "added"))
            rule_id = (await added.json())["id"]
            # long enough between changes for comments taken wholly inside one state,
            # also on a loaded machine (each comment's request must fit between two)
            await asyncio.sleep(0.05)
            started = time.monotonic()
            gone = await client.delete(f"/v1/rules/{rule_id}?site=news", headers=auth(EDNA))
            assert gone.status == 204
            changes.append((started, time.monotonic(), "removed"))
            await asyncio.sleep(0.05)
        stop.set()

    await asyncio.gather(edit(), *(post_many(w) for w in range(4)))
    assert len(results) > 30
    statuses = {got["status"] for _, _, got in results}
    assert statuses <= {"spam", "pending"} and statuses == {"spam", "pending"}

    def in_force(at: float) -> bool:
        state = False
        for _, answered, what in changes:
            if answered <= at:
                state = what == "added"
        return state

    checked = 0
    for sent, answered, got in results:
        # a change takes effect somewhere between its request and its answer: a comment
        # taken wholly outside every such window was decided by the rules then in force
        if any(start < answered and sent < end for start, end, _ in changes):
            continue
        checked += 1
        assert got["status"] == ("spam" if in_force(sent) else "pending"), (sent, got)
    assert checked > 0


# -- the compiled rules themselves ---------------------------------------------------------


def _comment(**fields: str) -> CommentIn:
    extras = {k: v for k, v in fields.items() if k in ("author_ip", "author_url")}
    return CommentIn(
        external_id=None,
        author_name="A",
        author_email=fields.get("author_email", "a@example.net"),
        content=fields.get("content", "Hello there."),
        extras=extras,
    )


def test_values_are_normalised() -> None:
    assert normal_value(RuleKind.EMAIL, " Bo@EXAMPLE.com ") == "bo@example.com"
    assert normal_value(RuleKind.EMAIL_DOMAIN, "@Spam.Example.") == "spam.example"
    assert normal_value(RuleKind.LINK_DOMAIN, "bücher.example") == "xn--bcher-kva.example"
    assert normal_value(RuleKind.IP, "10.1.2.3/8") == "10.0.0.0/8"
    assert normal_value(RuleKind.IP, "2001:DB8::1") == "2001:db8::1"
    assert normal_value(RuleKind.PHRASE, "  Buy\u200b  NOW ") == "buy now"
    for kind, value in [(RuleKind.IP, "x"), (RuleKind.EMAIL_DOMAIN, "a b.example")]:
        with pytest.raises(ValueError):
            normal_value(kind, value)


def _network(i: int) -> str:
    return str(ipaddress.ip_network(f"10.{i % 200}.{i // 200}.0/{16 + i % 9}", strict=False))


def _records(n: int, lists: tuple[RuleList, ...] = tuple(RuleList)) -> list[dict[str, Any]]:
    """``n`` rules of each kind on each of ``lists``."""
    records: list[dict[str, Any]] = []
    for which in lists:
        for i in range(n):
            for kind, value in [
                (RuleKind.EMAIL, f"{which}{i}@example.org"),
                (RuleKind.EMAIL_DOMAIN, f"{which}{i}.example.org"),
                (
                    RuleKind.IP,
                    str(
                        ipaddress.ip_network(
                            f"10.{i % 200}.{i // 200}.0/{16 + i % 9}", strict=False
                        )
                    ),
                ),
                (RuleKind.LINK_DOMAIN, f"{which}-links{i}.example"),
                (RuleKind.PHRASE, f"{which} phrase number {i}"),
            ]:
                records.append(
                    {"id": f"r{len(records)}", "list": which, "kind": kind, "value": value}
                )
    return records


def test_compiled_rules_match_and_cost() -> None:
    compiled = CompiledRules(_records(100), 1)
    assert compiled.count > 100 * 5 * 3 - 100  # a few CIDRs coincide
    hit = compiled.match(_comment(content="see http://block-links7.example/x"))
    assert hit is not None and hit[0] == RuleList.BLOCK
    hit = compiled.match(_comment(author_email="x@sub.allow3.example.org"))
    assert hit is not None and hit[0] == RuleList.ALLOW
    assert compiled.match(_comment(author_ip="192.0.2.1")) is None
    ordinary = _comment(
        content="A thoughtful reply about the council budget, with a link to "
        "https://news.example.com/2026/budget and some more words to make it the "
        "length of a usual comment, about three hundred characters, as most are. "
        "The figures in the second table do not add up, by the way.",
        author_ip="192.0.2.1",
        author_url="https://blog.example.net/me",
    )
    assert compiled.match(ordinary) is None
    runs = 2000
    for what, rules in [
        ("no rules", CompiledRules(())),
        ("100 rules of each kind, block list", CompiledRules(_records(100, (RuleList.BLOCK,)))),
        ("100 of each kind on each of the 3 lists", compiled),
    ]:
        assert rules.match(ordinary) is None
        best = min(timeit.repeat(functools.partial(rules.match, ordinary), number=runs, repeat=5))
        micros = best / runs * 1e6
        print(f"\nrule evaluation, {what}: {micros:.1f} µs per comment")
        assert micros < 300  # generous, for slow CI machines: see the README for figures
