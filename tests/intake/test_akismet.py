"""The Akismet-compatible API, through the real `akismet` client from PyPI (sync and
async; it hard-codes Akismet's host, so an httpx transport of the test's own sends its
requests to the service) and through raw requests shaped as WordPress's plugin and
Discourse send them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import akismet
import httpx
import pytest
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.appkeys import STORE
from moderation.config import Config, ConfigError
from moderation.intake.akismet_form import FINGERPRINT_FIELDS, PARAMETERS
from moderation.web.akismet import THANKS
from tests.conftest import ALICE, CONFIG_TOML, NEWS_KEY, auth
from tests.support.receiver import Receiver

Client = TestClient[Any, Any]
KEY = "n3wsk3y0abcd"  # the news site's akismet_key
BLOG_URL = "https://news.example.com/"
SPAM_TEXT = "Buy cheap viagra pills online at http://bit.ly/cheap-pills best price!!! casino"
HAM_TEXT = "Thanks for the clear write-up on the council budget; the figures help a lot."


def akismet_config(config: Config, **options: Any) -> Config:
    raw = json.loads(json.dumps(CONFIG_TOML))
    raw["sites"][0].update(akismet_key=KEY, **options)
    return replace(config, sites=Config.from_mapping(raw).sites)


@pytest.fixture
async def service(make_client: Any, config: Config) -> Client:
    client: Client = await make_client(akismet_config(config))
    return client


class ToService(httpx.HTTPTransport):
    """Sends what the client addresses to rest.akismet.com to the test's service, with
    the Host header the client set."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self.port)
        return super().handle_request(request)


class ToServiceAsync(httpx.AsyncHTTPTransport):
    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self.port)
        return await super().handle_async_request(request)


@contextlib.asynccontextmanager
async def async_client(service: Client, key: str = KEY) -> AsyncIterator[akismet.AsyncClient]:
    port = service.server.port
    assert port is not None
    async with httpx.AsyncClient(transport=ToServiceAsync(port)) as http:
        yield akismet.AsyncClient(config=akismet.Config(key=key, url=BLOG_URL), http_client=http)


async def _queue(service: Client) -> list[dict[str, Any]]:
    resp = await service.get("/v1/queue?site=news&order=oldest", headers=auth(ALICE))
    assert resp.status == 200
    items: list[dict[str, Any]] = (await resp.json())["items"]
    return items


async def _comment(service: Client, comment_id: str) -> dict[str, Any]:
    resp = await service.get(f"/v1/comments/{comment_id}", headers=auth(ALICE))
    assert resp.status == 200
    body: dict[str, Any] = await resp.json()
    return body


# ---------------------------------------------------------------------------------------
# The real client


async def test_the_sync_client_validates_checks_submits_and_reads_usage(service: Client) -> None:
    port = service.server.port
    assert port is not None

    def session() -> dict[str, Any]:
        with httpx.Client(transport=ToService(port)) as http:
            return calls(
                akismet.SyncClient.validated_client(
                    config=akismet.Config(key=KEY, url=BLOG_URL), http_client=http
                )
            )

    def calls(client: akismet.SyncClient) -> dict[str, Any]:
        ham = client.comment_check(
            user_ip="203.0.113.5",
            comment_content=HAM_TEXT,
            comment_type="comment",
            comment_author="Maria Lopez",
            comment_author_email="maria@example.com",
            permalink="https://news.example.com/2026/budget",
        )
        spam = client.comment_check(
            user_ip="198.51.100.7",
            comment_content=SPAM_TEXT,
            comment_author="Pills Shop",
            comment_author_email="deals@pills.example",
            comment_author_url="http://bit.ly/cheap-pills",
        )
        submitted = client.submit_spam(  # Akismet asks for the same fields as the check
            user_ip="203.0.113.5",
            comment_content=HAM_TEXT,
            comment_author="Maria Lopez",
            comment_author_email="maria@example.com",
            permalink="https://news.example.com/2026/budget",
        )
        usage = client.usage_limit()
        return {"ham": ham, "spam": spam, "submitted": submitted, "usage": usage}

    got = await asyncio.to_thread(session)
    assert got["ham"] == akismet.CheckResponse.HAM
    assert got["spam"] == akismet.CheckResponse.SPAM
    assert got["submitted"] is True
    assert got["usage"] == {"limit": "none", "usage": 2, "percentage": "0.00", "throttled": False}
    # both comments were stored and queued for a moderator; the submit-spam decided the
    # first one as the CMS's own decision
    resp = await service.get("/v1/queue?site=news&status=spam", headers=auth(ALICE))
    [decided] = (await resp.json())["items"]
    assert decided["content"] == HAM_TEXT and decided["decided_by"] == "cms"
    [pending] = await _queue(service)
    assert pending["content"] == SPAM_TEXT
    full = await _comment(service, decided["id"])
    assert [h["action"] for h in full["history"]][-1] == "decided"
    assert full["history"][-1]["actor"] == "cms"
    assert full["author_ip"] == "203.0.113.5" and full["post_url"].endswith("/budget")


async def test_the_async_client_gets_the_same_answers(service: Client) -> None:
    async with async_client(service) as client:
        assert await client.verify_key() is True
        ham = await client.comment_check(user_ip="203.0.113.9", comment_content=HAM_TEXT)
        assert ham == akismet.CheckResponse.HAM
        assert await client.submit_ham(user_ip="203.0.113.9", comment_content=HAM_TEXT)
        usage = await client.usage_limit()
    [item] = (
        await (await service.get("/v1/queue?site=news&status=approved", headers=auth(ALICE))).json()
    )["items"]
    assert item["decided_by"] == "cms"
    assert usage["usage"] == 1


async def test_an_unknown_key_is_invalid_to_the_client(service: Client) -> None:
    port = service.server.port
    assert port is not None

    def validate() -> None:
        with httpx.Client(transport=ToService(port)) as http:
            akismet.SyncClient.validated_client(
                config=akismet.Config(key="wrongkey0000", url=BLOG_URL), http_client=http
            )

    with pytest.raises(akismet.ConfigurationError):
        await asyncio.to_thread(validate)
    async with async_client(service, key="wrongkey0000") as client:
        with pytest.raises(akismet.APIKeyError):
            await client.comment_check(user_ip="203.0.113.9", comment_content=HAM_TEXT)


async def test_a_block_listed_comment_is_discard(make_client: Any, config: Config) -> None:
    service: Client = await make_client(akismet_config(config, block=["@spam.example"]))
    async with async_client(service) as client:
        verdict = await client.comment_check(
            user_ip="198.51.100.1",
            comment_content=HAM_TEXT,
            comment_author_email="bot@spam.example",
        )
    assert verdict == akismet.CheckResponse.DISCARD
    assert await _queue(service) == []  # decided by the rule, not queued


async def test_with_akismet_queue_false_the_verdict_decides_at_once(
    make_client: Any, config: Config
) -> None:
    service: Client = await make_client(akismet_config(config, akismet_queue=False))
    async with async_client(service) as client:
        assert await client.comment_check(user_ip="203.0.113.5", comment_content=HAM_TEXT) == 0
        assert await client.comment_check(user_ip="198.51.100.7", comment_content=SPAM_TEXT) == 1
    assert await _queue(service) == []
    for status, text in (("approved", HAM_TEXT), ("spam", SPAM_TEXT)):
        resp = await service.get(f"/v1/queue?site=news&status={status}", headers=auth(ALICE))
        [item] = (await resp.json())["items"]
        assert item["content"] == text and item["rule"] == "akismet"


# Akismet's documented test triggers (the akismet package's pytest plugin offers them as
# the fixtures akismet_spam_author and akismet_ham_role)
SPAM_AUTHOR = "akismet-guaranteed-spam"
SPAM_EMAIL = "akismet-guaranteed-spam@example.com"
HAM_ROLE = "administrator"


async def _usage(service: Client) -> int:
    resp = await service.get(f"/1.2/usage-limit?api_key={KEY}")
    usage: int = (await resp.json())["usage"]
    return usage


@pytest.mark.parametrize("is_test", [False, True], ids=["real", "is_test"])
async def test_the_documented_test_triggers_answer_as_akismet(
    service: Client, is_test: bool
) -> None:
    """comment_author=akismet-guaranteed-spam or that email is spam whatever the text;
    user_role=administrator is ham whatever the text; with or without is_test=1.  A call
    without is_test is a real one: stored, queued and counted like any other."""
    extra: dict[str, Any] = {"is_test": True} if is_test else {}
    async with async_client(service) as client:
        by_author = await client.comment_check(
            user_ip="203.0.113.5", comment_content=HAM_TEXT, comment_author=SPAM_AUTHOR, **extra
        )
        by_email = await client.comment_check(
            user_ip="203.0.113.6",
            comment_content=HAM_TEXT,
            comment_author="Maria",
            comment_author_email=SPAM_EMAIL,
            **extra,
        )
        admin = await client.comment_check(
            user_ip="198.51.100.7", comment_content=SPAM_TEXT, user_role=HAM_ROLE, **extra
        )
    assert by_author == akismet.CheckResponse.SPAM
    assert by_email == akismet.CheckResponse.SPAM
    assert admin == akismet.CheckResponse.HAM
    if is_test:
        assert await _queue(service) == [] and await _usage(service) == 0
    else:
        assert len(await _queue(service)) == 3 and await _usage(service) == 3


async def test_with_akismet_queue_false_a_trigger_decides_as_it_answers(
    make_client: Any, config: Config
) -> None:
    service: Client = await make_client(akismet_config(config, akismet_queue=False))
    async with async_client(service) as client:
        verdict = await client.comment_check(
            user_ip="203.0.113.5", comment_content=HAM_TEXT, comment_author=SPAM_AUTHOR
        )
    assert verdict == akismet.CheckResponse.SPAM
    resp = await service.get("/v1/queue?site=news&status=spam", headers=auth(ALICE))
    [item] = (await resp.json())["items"]
    assert item["content"] == HAM_TEXT and item["rule"] == "akismet"


async def test_the_ham_role_wins_over_the_spam_author(service: Client) -> None:
    """Akismet: user_role=administrator "will always return false"."""
    fields = _wordpress_fields(
        comment_author=SPAM_AUTHOR, comment_content=SPAM_TEXT, user_role=HAM_ROLE, is_test="1"
    )
    resp = await _check(service, _form(api_key=KEY, **fields))
    assert await resp.text() == "false"


async def test_is_test_neither_trains_nor_counts(service: Client) -> None:
    """is_test=1: a comment-check stores nothing and is not in the month's usage; a
    submit-spam / submit-ham changes no comment and keeps no label."""
    stored = await _check(service, _form(api_key=KEY, **_wordpress_fields()))
    guid = stored.headers["X-akismet-guid"]
    assert await _usage(service) == 1
    async with async_client(service) as client:
        verdict = await client.comment_check(
            user_ip="203.0.113.9", comment_content=SPAM_TEXT, is_test=True
        )
        assert verdict in (akismet.CheckResponse.SPAM, akismet.CheckResponse.HAM)
        # the stored comment, found by its fields (or by its guid, below): not decided
        wordpress = _wordpress_fields()
        assert await client.submit_spam(
            is_test=True,
            **{name: wordpress[name] for name in FINGERPRINT_FIELDS},
        )
        # a comment never seen: no label of the CMS's
        assert await client.submit_ham(
            user_ip="203.0.113.9", comment_content="Never seen here.", is_test=True
        )
    for fields in (_wordpress_fields(guid=guid), _wordpress_fields(comment_content="Other.")):
        for path in ("/1.1/submit-spam", "/1.1/submit-ham"):
            resp = await service.post(
                path, data=_form(api_key=KEY, is_test="true", **fields), headers=FORM
            )
            assert await resp.text() == THANKS
    assert (await _comment(service, guid))["status"] == "pending"
    assert await service.app[STORE].cms_labels("news") == []
    assert await _usage(service) == 1
    assert [item["id"] for item in await _queue(service)] == [guid]


# ---------------------------------------------------------------------------------------
# Raw requests, as plugins send them


def _form(**fields: Any) -> bytes:
    return urllib.parse.urlencode(fields, doseq=True).encode()


FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}


async def _check(service: Client, body: bytes, *, host: str | None = None, query: str = "") -> Any:
    headers = dict(FORM)
    if host:
        headers["Host"] = host
    return await service.post(f"/1.1/comment-check{query}", data=body, headers=headers)


def _wordpress_fields(**overrides: Any) -> dict[str, Any]:
    """What WordPress's Akismet plugin sends for a comment: Akismet's fields and many of
    its own (the comment form's POST_* fields, the server's HTTP_* headers)."""
    fields: dict[str, Any] = {
        "blog": "http://wp.example/",
        "blog_lang": "en_US",
        "blog_charset": "UTF-8",
        "user_ip": "203.0.113.44",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
        "referrer": "http://wp.example/hello-world/",
        "permalink": "http://wp.example/hello-world/",
        "comment_type": "comment",
        "comment_author": "Ann Reader",
        "comment_author_email": "ann@example.org",
        "comment_author_url": "",
        "comment_content": HAM_TEXT,
        "comment_date_gmt": "2026-12-01 10:00:00",
        "comment_post_modified_gmt": "2026-11-30 09:00:00",
        "comment_parent": "0",
        "comment_context[]": ["budget", "council"],
        "user_role": "",
        "POST_comment_post_ID": "1",
        "POST_akismet_comment_nonce": "ab12cd34ef",
        "HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9",
        "REMOTE_ADDR": "203.0.113.44",
        "ak_hp": "",
        "honeypot_field_name": "ak_hp",
    }
    fields.update(overrides)
    return fields


async def test_wordpress_shaped_requests_with_the_key_in_the_host_or_the_query(
    service: Client,
) -> None:
    # the key only in the Host header, as WordPress sends it
    resp = await _check(service, _form(**_wordpress_fields()), host=f"{KEY}.rest.akismet.com")
    assert resp.status == 200
    assert await resp.text() == "false"
    assert resp.headers["Content-Type"].startswith("text/plain")
    guid = resp.headers["X-akismet-guid"]
    assert guid.startswith("news_")
    stored = await _comment(service, guid)
    assert stored["status"] == "pending"
    assert stored["author_email"] == "ann@example.org"
    assert stored["post_url"] == "http://wp.example/hello-world/"
    # api_key in the query string, another comment
    body = _form(**_wordpress_fields(comment_content="Second comment on the same post."))
    resp = await _check(service, body, query=f"?api_key={KEY}")
    assert await resp.text() == "false"
    assert resp.headers["X-akismet-guid"] != guid
    # Discourse: the key as a subdomain of its own Akismet host setting
    body = _form(**_wordpress_fields(comment_content="A forum post from Discourse."))
    resp = await _check(service, body, host=f"{KEY}.akismet.discourse.example")
    assert await resp.text() == "false"
    assert len(await _queue(service)) == 3


async def test_a_repeated_akismet_field_is_the_first_one_as_akismet_reads_it(
    service: Client,
) -> None:
    """Akismet's forms keep Akismet's (PHP's) reading, not /v1's 422: a field given twice
    is its first value (the body's over the query's), and comment_context[] is a list."""
    body = _form(api_key=KEY, **_wordpress_fields()) + b"&comment_content=Second+text"
    resp = await _check(service, body, query="?comment_content=From+the+query")
    assert resp.status == 200 and await resp.text() == "false"
    assert (await _comment(service, resp.headers["X-akismet-guid"]))["content"] == HAM_TEXT


async def test_a_retried_comment_check_stores_one_comment(service: Client) -> None:
    body = _form(api_key=KEY, **_wordpress_fields())
    first = await _check(service, body)
    again = await _check(service, body)
    assert await first.text() == await again.text() == "false"
    assert first.headers["X-akismet-guid"] == again.headers["X-akismet-guid"]
    assert len(await _queue(service)) == 1


async def test_missing_required_fields_are_answered_as_akismet_does(service: Client) -> None:
    for missing in ("user_ip", "blog"):
        fields = _wordpress_fields()
        del fields[missing]
        resp = await _check(service, _form(api_key=KEY, **fields))
        assert resp.status == 200
        assert await resp.text() == f"Missing required field: {missing}."
        assert missing in resp.headers["X-akismet-debug-help"]
    resp = await _check(service, _form(**_wordpress_fields()))  # no key anywhere
    assert await resp.text() == "invalid"
    assert "X-akismet-debug-help" in resp.headers
    assert await _queue(service) == []


async def test_a_url_that_does_not_parse_is_dropped_not_a_500(service: Client) -> None:
    """A URL the standard library cannot split ("http://[", a host that NFKC would
    change) is dropped like any other URL that is not http(s): the comment is kept."""
    fields = _wordpress_fields(
        comment_author_url="http://[", permalink="http://\u2100/", comment_content=HAM_TEXT
    )
    resp = await _check(service, _form(api_key=KEY, **fields))
    assert resp.status == 200, await resp.text()
    assert await resp.text() == "false"
    stored = await _comment(service, resp.headers["X-akismet-guid"])
    assert stored["author_url"] is None and stored["post_url"] is None


async def test_no_name_and_a_malformed_email_are_reasons_never_a_422(service: Client) -> None:
    fields = _wordpress_fields(comment_author="", comment_author_email="not-an-email@")
    resp = await _check(service, _form(api_key=KEY, **fields))
    assert resp.status == 200
    assert await resp.text() in ("true", "false")
    stored = await _comment(service, resp.headers["X-akismet-guid"])
    assert "malformed author email" in stored["reasons"]
    assert stored["author_name"] == ""


async def test_a_filled_honeypot_is_spam(service: Client) -> None:
    fields = _wordpress_fields(ak_hp="i am a bot")
    resp = await _check(service, _form(api_key=KEY, **fields))
    assert await resp.text() == "true"
    stored = await _comment(service, resp.headers["X-akismet-guid"])
    assert "filled in the honeypot field" in stored["reasons"]


async def test_is_test_scores_and_stores_nothing(service: Client) -> None:
    resp = await _check(service, _form(api_key=KEY, is_test="1", **_wordpress_fields()))
    assert await resp.text() == "false"
    assert "X-akismet-guid" not in resp.headers
    assert await _queue(service) == []


async def test_submit_spam_finds_the_comment_by_guid_and_ham_labels_an_unknown_one(
    service: Client,
) -> None:
    resp = await _check(service, _form(api_key=KEY, **_wordpress_fields()))
    guid = resp.headers["X-akismet-guid"]
    # the CMS edited the content since, but sends the guid back
    fields = _wordpress_fields(comment_content="edited text", guid=guid)
    resp = await service.post("/1.1/submit-spam", data=_form(api_key=KEY, **fields), headers=FORM)
    assert await resp.text() == "Thanks for making the web a better place."
    assert (await _comment(service, guid))["status"] == "spam"
    # a comment this service never saw: a label of the CMS's, kept for retraining
    fields = _wordpress_fields(comment_content="Never checked here, but it is fine.")
    resp = await service.post("/1.1/submit-ham", data=_form(api_key=KEY, **fields), headers=FORM)
    assert await resp.text() == "Thanks for making the web a better place."
    labels = await service.app[STORE].cms_labels("news")
    assert [(lbl["label"], lbl["content"]) for lbl in labels] == [
        ("ham", "Never checked here, but it is fine.")
    ]
    assert "ann@example.org" not in json.dumps(labels) and "203.0.113.44" not in json.dumps(labels)


async def test_verify_key_usage_limit_and_test(service: Client) -> None:
    resp = await service.post("/1.1/verify-key", data=_form(key=KEY, blog=BLOG_URL), headers=FORM)
    assert await resp.text() == "valid"
    resp = await service.post(
        "/1.1/verify-key", data=_form(key="zzzzzzzzzzzz", blog=BLOG_URL), headers=FORM
    )
    assert await resp.text() == "invalid"
    resp = await service.get(f"/1.2/usage-limit?api_key={KEY}")
    assert await resp.json() == {
        "limit": "none",
        "usage": 0,
        "percentage": "0.00",
        "throttled": False,
    }
    resp = await service.get("/1.1/test")
    assert resp.status == 200 and await resp.text() == "connected"


async def test_failures_on_akismet_paths_are_text(service: Client) -> None:
    resp = await service.post(
        "/1.1/comment-check", data=b"x" * (70 * 1024), headers={**FORM, "Host": f"{KEY}.x.y"}
    )
    assert resp.status == 413
    assert resp.headers["Content-Type"].startswith("text/plain")
    assert "X-akismet-debug-help" in resp.headers
    resp = await service.get("/1.1/comment-check")
    assert resp.status == 405 and resp.headers["Content-Type"].startswith("text/plain")


async def test_a_cms_decision_is_not_sent_back_to_the_cms(make_client: Any, config: Config) -> None:
    """submit-spam is the CMS's own decision: recorded (actor cms), but no callback goes
    back to the CMS that made it (no echo); a moderator's decision still does."""
    receiver = await Receiver("news-callback-secret-0123456789").start()
    try:
        service: Client = await make_client(
            akismet_config(
                config,
                callback_url=receiver.url,
                callback_secret=receiver.secret,
                callback_retry_seconds=0.05,
            )
        )
        resp = await _check(service, _form(api_key=KEY, **_wordpress_fields()))
        guid = resp.headers["X-akismet-guid"]
        resp = await service.post(
            "/1.1/submit-spam", data=_form(api_key=KEY, **_wordpress_fields()), headers=FORM
        )
        assert await resp.text() == "Thanks for making the web a better place."
        record = await service.get(f"/v1/comments/{guid}", headers=auth(ALICE))
        assert (await record.json())["decided_by"] == "cms"
        # a moderator's decision on another comment is delivered; the CMS's never is
        resp = await _check(
            service, _form(api_key=KEY, **_wordpress_fields(comment_content="Second one."))
        )
        other = resp.headers["X-akismet-guid"]
        resp = await service.post(
            f"/v1/comments/{other}/decision", json={"decision": "approve"}, headers=auth(ALICE)
        )
        assert resp.status == 200
        await receiver.wait_for(lambda r: len(r.delivered()) == 1)
        assert [d.body["comment"]["id"] for d in receiver.delivered()] == [other]
    finally:
        await receiver.stop()


async def test_the_same_text_on_two_posts_is_two_comments(service: Client) -> None:
    """A reader who posts the same words under two articles made two comments: each is
    stored and decided on its own (the digest includes the permalink)."""
    first = await _check(service, _form(api_key=KEY, **_wordpress_fields()))
    second = await _check(
        service,
        _form(api_key=KEY, **_wordpress_fields(permalink="http://wp.example/another-post/")),
    )
    assert first.headers["X-akismet-guid"] != second.headers["X-akismet-guid"]
    again = await _check(service, _form(api_key=KEY, **_wordpress_fields()))  # a retry
    assert again.headers["X-akismet-guid"] == first.headers["X-akismet-guid"]


def test_akismet_key_config() -> None:
    raw = json.loads(json.dumps(CONFIG_TOML))
    for bad in ("short", "UPPERCASE123", "abcdefghijklm", 123456789012):
        raw["sites"][0]["akismet_key"] = bad
        with pytest.raises(ConfigError, match="akismet_key: must be exactly 12 characters"):
            Config.from_mapping(raw)
    raw["sites"][0]["akismet_key"] = KEY
    raw["sites"][1]["akismet_key"] = KEY
    with pytest.raises(ConfigError, match="two sites share one Akismet key"):
        Config.from_mapping(raw)
    del raw["sites"][1]["akismet_key"]
    site = Config.from_mapping(raw).sites[0]
    assert KEY not in repr(site) and site.akismet_queue is True
    # the intake key is not an Akismet key, nor the other way round
    assert NEWS_KEY != KEY


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    values=st.dictionaries(
        st.sampled_from([*PARAMETERS, "POST_x", "HTTP_Y", "ak_hp", "guid"]),
        st.text(max_size=60) | st.sampled_from(["", "1", "utf-16", "\x00", "😀", "a@b"]),
        max_size=12,
    ),
    path=st.sampled_from(["comment-check", "submit-spam", "submit-ham", "verify-key"]),
)
async def test_any_text_in_any_parameter_is_answered_never_a_500(
    service: Client, values: dict[str, str], path: str
) -> None:
    fields = {**values, "api_key": KEY, "key": KEY}
    resp = await service.post(
        f"/1.1/{path}",
        data=urllib.parse.urlencode(fields, errors="surrogatepass").encode(),
        headers=FORM,
    )
    assert resp.status == 200, await resp.text()
    text = await resp.text()
    assert text in ("true", "false", "valid", THANKS) or text.startswith(
        "Missing required field"
    ), text


async def test_the_readmes_python_snippet_reaches_the_service(service: Client) -> None:
    import re
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("## Replacing Akismet", 1)[1].split("\n## ", 1)[0]
    [code] = re.findall(r"```python\n(.*?)```", section, re.S)
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # our own README's snippet
    namespace["SERVICE"] = httpx.URL(f"http://127.0.0.1:{service.server.port}")
    verdict = await asyncio.to_thread(namespace["check"], KEY, "203.0.113.3", HAM_TEXT)
    assert verdict == akismet.CheckResponse.HAM
    assert len(await _queue(service)) == 1


async def test_export_labels_includes_the_cms_labels(service: Client) -> None:
    import io

    from moderation.learning.labels import export_labels

    fields = _wordpress_fields(comment_content="Cheap pills, never checked here")
    resp = await service.post("/1.1/submit-spam", data=_form(api_key=KEY, **fields), headers=FORM)
    assert resp.status == 200
    out = io.StringIO()
    counts = await export_labels(service.app[STORE], "news", out)
    assert counts == {"ham": 0, "spam": 1}
    [line] = out.getvalue().splitlines()
    assert json.loads(line)["content"] == "Cheap pills, never checked here"


async def test_get_subscription_and_get_stats_for_wordpress_settings_page(
    service: Client,
) -> None:
    resp = await service.post(
        "/1.1/get-subscription", data=_form(key=KEY, blog=BLOG_URL), headers=FORM
    )
    answer = await resp.json()
    assert answer["status"] == "active" and answer["api_key"] == KEY
    resp = await service.post("/1.1/get-subscription", data=_form(key="zzzzzzzzzzzz"), headers=FORM)
    assert await resp.text() == "invalid"
    # a ham verdict the CMS corrects to spam is missed spam
    resp = await _check(service, _form(api_key=KEY, **_wordpress_fields()))
    assert await resp.text() == "false"
    resp = await service.post(
        "/1.1/submit-spam", data=_form(api_key=KEY, **_wordpress_fields()), headers=FORM
    )
    assert resp.status == 200
    resp = await service.post(
        "/1.1/get-stats", data=_form(key=KEY, **{"from": "all"}), headers=FORM
    )
    stats = await resp.json()
    assert stats["spam"] == 1 and stats["missed_spam"] == 1 and stats["false_positives"] == 0
    assert stats["accuracy"] == 0.0


def test_a_first_run_akismet_key_can_be_typed_into_wordpress() -> None:
    from moderation.config import AKISMET_KEY_RE, new_akismet_key

    for _ in range(50):
        key = new_akismet_key()
        assert AKISMET_KEY_RE.fullmatch(key) and all(c in "0123456789abcdef" for c in key)


async def test_rate_limits_apply_to_comment_check_and_answer_as_text(
    make_client: Any, config: Config
) -> None:
    service: Client = await make_client(
        akismet_config(config, ip_rate_limit={"per_minute": 1, "burst": 1})
    )
    first = await _check(service, _form(api_key=KEY, **_wordpress_fields()))
    assert first.status == 200
    body = _form(api_key=KEY, **_wordpress_fields(comment_content="A second one, too soon."))
    second = await _check(service, body)
    assert second.status == 429
    assert second.headers["Content-Type"].startswith("text/plain")
    assert int(second.headers["Retry-After"]) >= 1
    assert "X-akismet-debug-help" in second.headers
    assert len(await _queue(service)) == 1


async def test_a_comment_check_in_many_segments_with_pauses_is_one_comment(
    service: Client,
) -> None:
    """As a remote WordPress sends it: the key in the Host only, the form split across
    TCP segments with pauses, then sent again (a retry) and twice at once."""
    from tests.support.netpath import request_bytes, send_raw

    port = service.server.port
    assert port is not None
    body = _form(**_wordpress_fields(comment_content="Split over the wire " + "é" * 300))
    head, _ = request_bytes(
        "POST", "/1.1/comment-check", {"Content-Type": FORM["Content-Type"]}, body
    )
    head = head.replace(b"Host: 127.0.0.1", f"Host: {KEY}.rest.akismet.com".encode())
    wire = head + body
    pieces = [wire[i : i + 97] for i in range(0, len(wire), 97)]
    first = await send_raw(port, pieces, 0.01)
    assert first.status == 200 and first.body == b"false", first.body
    again, twin = await asyncio.gather(send_raw(port, pieces, 0.005), send_raw(port, [wire]))
    guids = {a.headers.get("x-akismet-guid") for a in (first, again, twin)}  # lower-cased
    assert len(guids) == 1 and None not in guids
    [stored] = await _queue(service)
    assert stored["content"] == "Split over the wire " + "é" * 300
