"""One queue (issue 22): a real WordPress with the plugin of
integrations/wordpress/comment-moderation and a real ``moderation serve`` agree on every
comment, whichever side decides it.

Debian's WordPress 6.1 on PHP's built-in server, a MariaDB and the service of the test's
own, all on 127.0.0.1 and stopped when the module ends.  The news site of the service
has the WordPress site's callback_url, callback_secret and a signing_secret; WordPress
has the plugin's four constants.  Skipped unless php-cli, php-mysql, mariadb-server,
wordpress and wordpress-theme-twentytwentythree are installed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest

from tests.conftest import ALICE, NEWS_KEY, ROOT
from tests.support.faultkit import Service, amend_config
from tests.support.wordpress_site import (
    PLUGIN_DIR,
    Browser,
    Reply,
    WordPressSite,
    missing_requirements,
    page_forms,
    page_links,
)

pytestmark = [pytest.mark.wordpress, pytest.mark.slow]

SIGNING = "news-signing-secret-for-the-wordpress-test"
CALLBACK = "news-callback-secret-for-the-wordpress-test"
EVENTS_ROUTE = "/?rest_route=/comment-moderation/v1/events"  # plain permalinks
DECIDED_WITHIN = 5.0  # the "within 5 s"
TRUSTED = "@trusted-reader.example"  # the news site's allow rule
BLOCKED = "@blatant-spam.example"  # and its block rule

T = TypeVar("T")


@dataclass
class Setup:
    service: Service
    site: WordPressSite
    post_id: int
    permalink: str


@pytest.fixture(scope="module")
def wp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    reason = missing_requirements()
    if reason is not None:
        pytest.skip(reason)
    workdir = tmp_path_factory.mktemp("wordpress-plugin")
    service = Service(workdir / "service", redis_url=None)
    site = WordPressSite(
        workdir / "site",
        constants={
            "MODERATION_SITE_KEY": NEWS_KEY,
            "MODERATION_URL": service.base,
            "MODERATION_SIGNING_SECRET": SIGNING,
            "MODERATION_CALLBACK_SECRET": CALLBACK,
        },
    )
    amend_config(
        service.config_path,
        sites={
            "news": {
                "signing_secret": SIGNING,
                "callback_url": site.base + EVENTS_ROUTE,
                "callback_secret": CALLBACK,
                "callback_events": [
                    "comment.decided",
                    "comment.auto_decided",
                    "comment.undone",
                    "comment.edited",
                ],
                "callback_retry_seconds": 0.5,
                "allow": [TRUSTED],
                "block": [BLOCKED],
            }
        },
        moderators={"root": {"admin": True}},
    )
    try:
        service.start()
        site.start()
        service.wait_ready_sync()
        site.install()
        site.php_eval("update_option( 'permalink_structure', '' ); $result = array();")
        plugin = site.install_plugin()
        assert plugin["active"] is True and plugin["wp_version"].startswith("6.1")
        post_id, permalink = site.add_post("A post to comment on")
        yield Setup(service, site, post_id, permalink)
    except BaseException:
        print(site.logs(), "\n--- service.log\n", service.log_tail())
        raise
    finally:
        site.stop()
        service.stop()


# ---------------------------------------------------------------------------------------
# helpers


def _unique(text: str) -> str:
    """A comment text no other test posts (the service flags repeats)."""
    return f"{text} (ref {secrets.token_hex(3)})"


def _until(what: str, probe: Callable[[], T | None], within: float = 30.0) -> T:
    """Poll ``probe`` until it answers something other than None or False."""
    deadline = time.monotonic() + within
    while True:
        got = probe()
        if got is not None and got is not False:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {within} s")
        time.sleep(0.1)


def _call(
    service: Service,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    token: str = ALICE,
) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {token}"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(service.base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        text = err.read()
        return err.code, json.loads(text) if text else None


def _get(service: Service, path: str, token: str = ALICE) -> Any:
    status, body = _call(service, "GET", path, token=token)
    assert status == 200, (path, status, body)
    return body


def _queue(setup: Setup, status: str = "pending") -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = _get(
        setup.service, f"/v1/queue?site=news&status={status}&order=oldest&limit=500"
    )["items"]
    return items


def _record(setup: Setup, service_id: str) -> dict[str, Any]:
    record: dict[str, Any] = _get(setup.service, f"/v1/comments/{urllib.parse.quote(service_id)}")
    return record


def _decide(setup: Setup, service_id: str, decision: str) -> None:
    status, body = _call(
        setup.service, "POST", f"/v1/comments/{service_id}/decision", {"decision": decision}
    )
    assert status == 200, body


def _wp_status(site: WordPressSite, comment_id: str) -> str | None:
    rows = site.db.sql(
        f"SELECT comment_approved FROM wp_comments WHERE comment_ID = {int(comment_id)}",
        site.database,
    )
    return rows[0][0] if rows else None


def _wp_status_becomes(
    site: WordPressSite, comment_id: str, wanted: str, within: float = DECIDED_WITHIN
) -> None:
    _until(
        f"comment {comment_id} is {wanted!r} in WordPress (it is {_wp_status(site, comment_id)!r})",
        lambda: _wp_status(site, comment_id) == wanted,
        within,
    )


def _outbox(site: WordPressSite) -> list[dict[str, Any]]:
    got = site.php_eval("$result = array( 'items' => comment_moderation_outbox() );")
    items: list[dict[str, Any]] = got["items"]
    return items


def _set_status(site: WordPressSite, comment_id: str, status: str) -> None:
    """wp_set_comment_status(), as WP-CLI's ``wp comment approve`` and the REST API call it."""
    site.php_eval(f"wp_set_comment_status( {int(comment_id)}, '{status}' ); $result = array();")


def _flush(site: WordPressSite) -> None:
    """What WP-cron runs, its back-off ignored (the tests' WordPress has no cron)."""
    site.php_eval("do_action( 'comment_moderation_flush', true ); $result = array();")


def _post(
    setup: Setup,
    content: str,
    *,
    author: str = "Maria Lopez",
    email: str = "maria@example.com",
    permalink: str | None = None,
    browser: Browser | None = None,
) -> str:
    """A comment through the theme's comment form; its comment_ID."""
    site = setup.site
    browser = browser or Browser(site.base)
    target = permalink or setup.permalink
    fields = site.comment_form(browser, target)
    fields.update(comment=content)
    if "author" in fields:  # not there for a logged-in user
        fields.update(author=author, email=email, url="")
    reply = browser.request(
        "/wp-comments-post.php", fields, headers={"Referer": target, "Origin": site.base}
    )
    assert reply.status == 302, reply.text[-2000:]
    rows = site.db.sql(
        "SELECT comment_ID FROM wp_comments WHERE comment_content = '"
        + content.replace("\\", "\\\\").replace("'", "\\'")
        + "'",
        site.database,
    )
    assert len(rows) == 1, rows
    return rows[0][0]


def _service_id(setup: Setup, comment_id: str) -> str:
    """The service's id of a comment, as the plugin kept it."""
    return _until(
        f"comment {comment_id} has moderation_id",
        lambda: setup.site.comment_meta(comment_id).get("moderation_id"),
    )


def _pending_ids(setup: Setup) -> list[str]:
    return [item["id"] for item in _queue(setup)]


def _visible(setup: Setup, content: str, permalink: str | None = None) -> bool:
    page = Browser(setup.site.base).request(permalink or setup.permalink)
    assert page.status == 200, page.text[-2000:]
    return content in page.text


def _row_link(site: WordPressSite, browser: Browser, comment_id: str, action: str) -> str:
    """A row action's link on wp-admin's Comments screen, as its HTML has it."""
    for status in ("moderated", "all", "spam", "trash"):
        page = browser.request(f"/wp-admin/edit-comments.php?comment_status={status}")
        assert page.status == 200, page.text[-2000:]
        for link in page_links(page.text):
            if f"c={comment_id}&" in link and f"action={action}&" in link:
                return link if link.startswith("http") else site.base + "/wp-admin/" + link
    raise AssertionError(f"no {action} link for comment {comment_id}")


def _signed_event(
    comment_id: str,
    service_id: str,
    status: str,
    *,
    delivery: str | None = None,
    secret: str = CALLBACK,
    at: int | None = None,
    previous: str = "pending",
    event_type: str = "comment.decided",
) -> tuple[bytes, dict[str, str]]:
    """A callback as the service sends one."""
    event_id = delivery or "evt_" + secrets.token_hex(8)
    body = json.dumps(
        {
            "event_id": event_id,
            "type": event_type,
            "site": "news",
            "occurred_at": "2026-01-01T00:00:00Z",
            "comment": {
                "id": service_id,
                "external_id": comment_id,
                "post_id": None,
                "status": status,
                "previous_status": previous,
                "spam_score": 0.1,
                "decided_by": "alice",
                "rule": None,
                "note": None,
            },
        }
    ).encode()
    stamp = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "X-Moderation-Signature": f"t={stamp},v1={mac}",
        "X-Moderation-Event": event_type,
        "X-Moderation-Delivery": event_id,
        "X-Moderation-Attempt": "1",
    }
    return body, headers


def _deliver(setup: Setup, body: bytes, headers: dict[str, str]) -> Reply:
    return Browser(setup.site.base).request(EVENTS_ROUTE, headers=headers, raw=body)


# ---------------------------------------------------------------------------------------
# 1. intake


def test_a_readers_comment_is_held_in_wordpress_and_pending_in_the_queue(wp: Setup) -> None:
    text = _unique("The council's budget figures are clearer than last year's, thank you.")
    comment_id = _post(wp, text)
    assert _wp_status(wp.site, comment_id) == "0"
    assert not _visible(wp, text)
    service_id = _service_id(wp, comment_id)
    [item] = [item for item in _queue(wp) if item["id"] == service_id]
    assert item["external_id"] == comment_id
    assert item["post_id"] == str(wp.post_id)
    assert item["content"] == text and item["status"] == "pending"
    record = _record(wp, service_id)
    assert record["post_url"] == wp.permalink
    assert record["author_email"] == "maria@example.com"
    assert _outbox(wp.site) == []


def test_a_comment_through_the_rest_api_is_held_and_queued(wp: Setup) -> None:
    """A logged-in reader (a subscriber) comments through WordPress's REST API."""
    text = _unique("Posted through the REST API by a subscriber.")
    got = wp.site.php_eval(
        f"""
        $user = wp_insert_user( array(
            'user_login' => 'reader' . wp_rand(), 'user_pass' => wp_generate_password(),
            'user_email' => 'reader' . wp_rand() . '@example.com', 'role' => 'subscriber',
        ) );
        wp_set_current_user( $user );
        $request = new WP_REST_Request( 'POST', '/wp/v2/comments' );
        $request->set_body_params( array( 'post' => {wp.post_id}, 'content' => '{text}' ) );
        $response = rest_do_request( $request );
        $result = array( 'status' => $response->get_status(), 'data' => $response->get_data() );
        """
    )
    assert got["status"] == 201, got
    comment_id = str(got["data"]["id"])
    assert got["data"]["status"] == "hold"
    assert _wp_status(wp.site, comment_id) == "0"
    [item] = [item for item in _queue(wp) if item["external_id"] == comment_id]
    assert item["content"] == text and item["id"] == _service_id(wp, comment_id)


def test_a_site_rules_verdict_is_applied_at_once(wp: Setup) -> None:
    trusted = _unique("A reader the site trusts")
    approved = _post(wp, trusted, author="Trusted", email="someone" + TRUSTED)
    spam = _post(wp, _unique("Casino bonus, win big"), author="Bonus", email="win" + BLOCKED)
    # decided by the 202 answer, before the reader's request ended
    assert _wp_status(wp.site, approved) == "1" and _visible(wp, trusted)
    assert _wp_status(wp.site, spam) == "spam"
    for comment_id, status in ((approved, "approved"), (spam, "spam")):
        record = _record(wp, _service_id(wp, comment_id))
        assert (record["status"], record["decided_by"]) == (status, "auto")
    assert _outbox(wp.site) == []


# ---------------------------------------------------------------------------------------
# 2. decisions made in the service


def test_a_moderators_approval_makes_the_comment_visible(wp: Setup) -> None:
    text = _unique("A fair summary of the planning meeting; the map helped.")
    comment_id = _post(wp, text, author="Ken Adams", email="ken@example.com")
    service_id = _service_id(wp, comment_id)
    _decide(wp, service_id, "approve")
    _until("the approved comment is on the post's page", lambda: _visible(wp, text), DECIDED_WITHIN)
    assert _wp_status(wp.site, comment_id) == "1"
    # applied, not sent back: the service's record is the moderator's decision alone
    record = _record(wp, service_id)
    assert record["status"] == "approved" and record["decided_by"] == "alice"
    assert [h for h in record["history"] if "cms" in str(h.get("actor"))] == []
    assert _outbox(wp.site) == []

    # undo: held again, off the page
    status, body = _call(wp.service, "POST", f"/v1/comments/{service_id}/undo")
    assert status == 200, body
    _wp_status_becomes(wp.site, comment_id, "0")
    assert not _visible(wp, text)
    assert service_id in _pending_ids(wp)
    assert _outbox(wp.site) == []


def test_a_moderators_spam_and_reject_are_filed_so(wp: Setup) -> None:
    spam = _post(wp, _unique("Cheap watches at my shop, visit now"), author="Shop")
    rejected = _post(wp, _unique("You are all idiots and so is the mayor"), author="Troll")
    _decide(wp, _service_id(wp, spam), "spam")
    _decide(wp, _service_id(wp, rejected), "reject")
    _wp_status_becomes(wp.site, spam, "spam")
    _wp_status_becomes(wp.site, rejected, "trash")
    # undo brings each back to held, out of spam and out of the trash
    for comment_id in (spam, rejected):
        status, body = _call(wp.service, "POST", f"/v1/comments/{_service_id(wp, comment_id)}/undo")
        assert status == 200, body
        _wp_status_becomes(wp.site, comment_id, "0")
    assert _outbox(wp.site) == []


def test_a_returning_author_is_still_held_until_the_service_decides(wp: Setup) -> None:
    """WordPress's "comment author must have a previously approved comment" would let
    this author's second comment through; the plugin holds it for the service."""
    first = _post(
        wp, _unique("First comment from a regular"), author="Regular", email="reg@example.com"
    )
    _decide(wp, _service_id(wp, first), "approve")
    _wp_status_becomes(wp.site, first, "1")
    option = "$result = array( 'on' => get_option( 'comment_previously_approved' ) );"
    assert wp.site.php_eval(option) == {"on": "1"}
    second = _post(
        wp, _unique("Second comment from a regular"), author="Regular", email="reg@example.com"
    )
    assert _wp_status(wp.site, second) == "0"
    assert _service_id(wp, second) in _pending_ids(wp)


# ---------------------------------------------------------------------------------------
# 3. decisions made in WordPress


def test_approvals_in_wp_admin_reach_the_queue(wp: Setup) -> None:
    site = wp.site
    by_ajax = _post(wp, _unique("Approved through the AJAX link"), author="Ajax Reader")
    by_link = _post(wp, _unique("Approved through the plain link"), author="Link Reader")
    ids = {c: _service_id(wp, c) for c in (by_ajax, by_link)}
    admin = site.admin()

    # the Comments screen's "Approve" as its JavaScript sends it
    link = _row_link(site, admin, by_ajax, "approvecomment")
    nonce = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["_wpnonce"][0]
    reply = admin.request(
        "/wp-admin/admin-ajax.php",
        {
            "action": "dim-comment",
            "id": by_ajax,
            "new": "approved",
            "_ajax_nonce": nonce,
            "_url": site.base + "/wp-admin/edit-comments.php",
        },
        headers={"Referer": site.base + "/wp-admin/edit-comments.php"},
    )
    assert reply.status == 200 and "<wp_ajax>" in reply.text, reply.text[-2000:]
    # ... and the plain link, without JavaScript
    reply = admin.request(
        _row_link(site, admin, by_link, "approvecomment"),
        headers={"Referer": site.base + "/wp-admin/edit-comments.php"},
    )
    assert reply.status == 302, reply.text[-2000:]

    for comment_id, service_id in ids.items():
        assert _wp_status(site, comment_id) == "1"
        record = _record(wp, service_id)
        assert (record["status"], record["decided_by"]) == ("approved", "cms")
        assert service_id not in _pending_ids(wp)
    assert _outbox(site) == []


def test_a_bulk_move_to_trash_rejects_each_comment(wp: Setup) -> None:
    site = wp.site
    comments = [_post(wp, _unique(f"One of three to trash, number {n}")) for n in range(3)]
    ids = [_service_id(wp, c) for c in comments]
    admin = site.admin()
    page = admin.request("/wp-admin/edit-comments.php?comment_status=moderated")
    [fields] = [f for attrs, f in page_forms(page.text) if attrs.get("id") == "comments-form"]
    form: list[tuple[str, str]] = [
        (name, value)
        for name, value in fields.items()
        if name in ("_wpnonce", "_wp_http_referer", "comment_status")
    ]
    form += [("action", "trash")] + [("delete_comments[]", c) for c in comments]
    reply = admin.request(
        "/wp-admin/edit-comments.php?" + urllib.parse.urlencode(form),
        headers={"Referer": site.base + "/wp-admin/edit-comments.php"},
    )
    assert reply.status == 302 and "trashed=3" in reply.headers["Location"], reply.text[-2000:]
    for comment_id, service_id in zip(comments, ids, strict=True):
        assert _wp_status(site, comment_id) == "trash"
        record = _record(wp, service_id)
        assert (record["status"], record["decided_by"]) == ("rejected", "cms")
    pending = _pending_ids(wp)
    assert not set(ids) & set(pending)

    # "Restore" from the trash: held again, and pending again in the queue
    reply = admin.request(
        _row_link(site, admin, comments[0], "untrashcomment"),
        headers={"Referer": site.base + "/wp-admin/edit-comments.php"},
    )
    assert reply.status == 302, reply.text[-2000:]
    assert _wp_status(site, comments[0]) == "0"
    assert _record(wp, ids[0])["status"] == "pending"
    assert ids[0] in _pending_ids(wp)


def test_spam_unapprove_and_delete_in_wordpress_reach_the_queue(wp: Setup) -> None:
    site = wp.site
    admin = site.admin()
    spam = _post(wp, _unique("Marked as spam in wp-admin"), author="Spammy")
    spam_id = _service_id(wp, spam)
    reply = admin.request(
        _row_link(site, admin, spam, "spamcomment"),
        headers={"Referer": site.base + "/wp-admin/edit-comments.php"},
    )
    assert reply.status == 302 and _wp_status(site, spam) == "spam"
    assert _record(wp, spam_id)["status"] == "spam"
    # "Not Spam" returns it to where it was: held, pending
    reply = admin.request(
        _row_link(site, admin, spam, "unspamcomment"),
        headers={"Referer": site.base + "/wp-admin/edit-comments.php"},
    )
    assert reply.status == 302 and _wp_status(site, spam) == "0"
    assert _record(wp, spam_id)["status"] == "pending"

    # WP-CLI and the REST API go through the same functions: approve, unapprove, delete
    other = _post(wp, _unique("Approved, unapproved, then deleted by code"), author="Coded")
    other_id = _service_id(wp, other)
    _set_status(site, other, "approve")
    assert _record(wp, other_id)["status"] == "approved"
    _set_status(site, other, "hold")
    assert _record(wp, other_id)["status"] == "pending"
    site.php_eval(f"wp_delete_comment( {int(other)}, true ); $result = array();")
    assert _wp_status(site, other) is None
    record = _record(wp, other_id)
    assert (record["status"], record["decided_by"]) == ("rejected", "cms")
    assert _outbox(site) == []


def test_a_moderators_own_comment_is_not_held(wp: Setup) -> None:
    site = wp.site
    text = _unique("A note from the editor: the figures were corrected on Monday.")
    comment_id = _post(wp, text, browser=site.admin())
    assert _wp_status(site, comment_id) == "1"
    assert _visible(wp, text)
    service_id = _service_id(wp, comment_id)
    record = _until(
        "the editor's comment approved in the service",
        lambda: (r := _record(wp, service_id))["status"] == "approved" and r,
    )
    assert record["decided_by"] == "cms"
    assert service_id not in _pending_ids(wp)
    assert _outbox(site) == []


# ---------------------------------------------------------------------------------------
# 4. either side down


def test_a_decision_made_while_wordpress_is_down_is_applied_when_it_is_back(wp: Setup) -> None:
    text = _unique("Posted just before the site went down for maintenance.")
    comment_id = _post(wp, text, author="Patient Reader")
    service_id = _service_id(wp, comment_id)
    wp.site.stop_serving()
    try:
        _decide(wp, service_id, "approve")

        def failed_attempts() -> int | None:
            listing = _get(wp.service, "/v1/callbacks?site=news", token=ROOT)
            for delivery in listing["deliveries"]:
                if delivery["comment_id"] == service_id and delivery["attempts"] >= 2:
                    return int(delivery["attempts"])
            return None

        _until("the service retries the callback", failed_attempts)
        assert _wp_status(wp.site, comment_id) == "0"
    finally:
        wp.site.serve()
    _wp_status_becomes(wp.site, comment_id, "1", within=30)
    assert _visible(wp, text)
    assert _record(wp, service_id)["decided_by"] == "alice"
    assert _outbox(wp.site) == []


def test_a_comment_posted_while_the_service_is_down_reaches_it_once(wp: Setup) -> None:
    text = _unique("Posted while the moderation service was down.")
    wp.service.terminate()
    try:
        comment_id = _post(wp, text, author="Early Bird")
        assert _wp_status(wp.site, comment_id) == "0"
        [item] = _outbox(wp.site)
        assert (item["comment_id"], item["kind"], item["attempts"]) == (
            int(comment_id),
            "intake",
            1,
        )
        assert item["last_error"].startswith("no answer")
        assert item["next_attempt_at"] > time.time() + 10  # backing off (30 s)
        _flush(wp.site)  # still down: it stays
        assert [i["attempts"] for i in _outbox(wp.site)] == [2]
        assert "moderation_id" not in wp.site.comment_meta(comment_id)
    finally:
        wp.service.start()
        wp.service.wait_ready_sync()
    _flush(wp.site)
    _flush(wp.site)  # a second run sends nothing more
    assert _outbox(wp.site) == []
    assert _wp_status(wp.site, comment_id) == "0"
    service_id = _service_id(wp, comment_id)
    mine = [item for item in _queue(wp) if item["external_id"] == comment_id]
    assert [item["id"] for item in mine] == [service_id]


def test_a_wordpress_decision_made_while_the_service_is_down_is_sent_later(wp: Setup) -> None:
    comment_id = _post(wp, _unique("Approved in wp-admin while the service was down"))
    service_id = _service_id(wp, comment_id)
    wp.service.terminate()
    try:
        wp.site.php_eval(
            f"wp_set_comment_status( {int(comment_id)}, 'approve' ); $result = array();"
        )
        _set_status(wp.site, comment_id, "spam")
        assert [i["status"] for i in _outbox(wp.site)] == ["approved", "spam"]
    finally:
        wp.service.start()
        wp.service.wait_ready_sync()
    _flush(wp.site)
    assert _outbox(wp.site) == []
    record = _record(wp, service_id)
    assert (record["status"], record["decided_by"]) == ("spam", "cms")
    assert _wp_status(wp.site, comment_id) == "spam"


def test_an_invalid_comment_stays_held_and_is_not_retried(wp: Setup) -> None:
    """The service refuses a comment without an email (422): it stays held in
    WordPress with the reason, and leaves the outbox."""
    got = wp.site.php_eval(
        f"""
        $id = wp_insert_comment( array(
            'comment_post_ID' => {wp.post_id},
            'comment_author' => 'No Email',
            'comment_author_email' => '',
            'comment_content' => 'A comment with no email at all',
            'comment_approved' => 0,
        ) );
        $result = array( 'id' => $id );
        """
    )
    comment_id = str(got["id"])
    meta = wp.site.comment_meta(comment_id)
    assert meta["moderation_error"].startswith("intake: HTTP 422"), meta
    assert "author_email" in meta["moderation_error"]
    assert "moderation_id" not in meta
    assert _wp_status(wp.site, comment_id) == "0"
    assert _outbox(wp.site) == []


# ---------------------------------------------------------------------------------------
# 5. callbacks: signatures, repeats, no echo


def test_a_callback_without_a_good_fresh_signature_changes_nothing(wp: Setup) -> None:
    comment_id = _post(wp, _unique("A target for forged callbacks"), author="Target")
    service_id = _service_id(wp, comment_id)
    body, headers = _signed_event(comment_id, service_id, "approved")
    forged = [
        {k: v for k, v in headers.items() if k != "X-Moderation-Signature"},
        {**headers, "X-Moderation-Signature": headers["X-Moderation-Signature"][:-2] + "00"},
        _signed_event(comment_id, service_id, "approved", secret="not-the-secret")[1],
        # a replay: signed right, two hours ago
        _signed_event(comment_id, service_id, "approved", at=int(time.time()) - 7200)[1],
    ]
    for bad in forged:  # each for the same body
        reply = _deliver(wp, body, bad)
        assert reply.status == 401, (bad, reply.text)
    # a body changed after signing
    tampered = body.replace(b'"approved"', b'"spam"   ')
    assert _deliver(wp, tampered, headers).status == 401
    assert _wp_status(wp.site, comment_id) == "0"
    assert _outbox(wp.site) == []


def test_the_same_delivery_twice_is_applied_once(wp: Setup) -> None:
    comment_id = _post(wp, _unique("Delivered twice by a retrying service"), author="Twice")
    service_id = _service_id(wp, comment_id)
    body, headers = _signed_event(comment_id, service_id, "approved")
    first = _deliver(wp, body, headers)
    assert first.status == 200 and json.loads(first.text)["applied"] is True, first.text
    assert _wp_status(wp.site, comment_id) == "1"
    assert _outbox(wp.site) == []  # not sent back
    # an editor holds it again in WordPress; the same delivery again must not undo that
    _set_status(wp.site, comment_id, "hold")
    body, headers = _signed_event(
        comment_id, service_id, "approved", delivery=headers["X-Moderation-Delivery"]
    )
    again = _deliver(wp, body, headers)
    assert again.status == 200 and json.loads(again.text)["applied"] is False, again.text
    assert _wp_status(wp.site, comment_id) == "0"
    # X-Moderation-Delivery is not signed: a replay within the 300 s under another header
    # value is still the same (signed) event_id
    reply = _deliver(wp, body, {**headers, "X-Moderation-Delivery": "evt_" + secrets.token_hex(8)})
    assert reply.status == 200 and json.loads(reply.text)["applied"] is False, reply.text
    assert _wp_status(wp.site, comment_id) == "0"


def test_a_callback_older_than_an_editors_decision_does_not_undo_it(wp: Setup) -> None:
    """The service approved while its callback was still on its way (WordPress was
    down, a retry was waiting); meanwhile an editor trashed the comment in wp-admin,
    which reached the service as the later decision.  The late callback must not
    publish what the editor trashed: both sides stay at the editor's decision."""
    comment_id = _post(wp, _unique("Trashed by an editor before a late callback"), author="Late")
    service_id = _service_id(wp, comment_id)
    late_body, late_headers = _signed_event(comment_id, service_id, "approved")
    _set_status(wp.site, comment_id, "trash")
    assert _record(wp, service_id)["status"] == "rejected"
    reply = _deliver(wp, late_body, late_headers)
    assert reply.status == 200, reply.text
    assert json.loads(reply.text)["applied"] is False, reply.text
    assert _wp_status(wp.site, comment_id) == "trash"
    assert _record(wp, service_id)["status"] == "rejected"
    assert _outbox(wp.site) == []
    # a decision the service makes after the editor's (its previous_status is the
    # editor's) is applied as usual
    body, headers = _signed_event(comment_id, service_id, "pending", previous="rejected")
    reply = _deliver(wp, body, headers)
    assert reply.status == 200 and json.loads(reply.text)["applied"] is True, reply.text
    assert _wp_status(wp.site, comment_id) == "0"


def test_a_callback_waits_behind_a_wordpress_decision_not_yet_sent(wp: Setup) -> None:
    """While an editor's decision waits in the outbox (the service did not take it yet),
    a callback for the comment is not applied: the editor's decision reaches the
    service after it and is the later one there too."""
    comment_id = _post(wp, _unique("Held again by an editor, not sent yet"), author="Waiting")
    service_id = _service_id(wp, comment_id)
    # the editor's "Unapprove" of a moment ago, in its back-off after a 503
    wp.site.php_eval(
        f"""
        global $wpdb;
        $wpdb->insert( Comment_Moderation_Outbox::table(), array(
            'comment_id' => {int(comment_id)}, 'kind' => 'status',
            'payload' => wp_json_encode( array( 'status' => 'pending', 'actor' => 'admin',
                'service_id' => {json.dumps(service_id)} ) ),
            'attempts' => 1, 'next_attempt_at' => time() + 3600, 'locked_until' => 0,
            'last_error' => 'HTTP 503', 'created_at' => time(),
        ) );
        $result = array();
        """
    )
    body, headers = _signed_event(comment_id, service_id, "approved")
    reply = _deliver(wp, body, headers)
    assert reply.status == 200 and json.loads(reply.text)["applied"] is False, reply.text
    assert _wp_status(wp.site, comment_id) == "0"
    _flush(wp.site)
    assert _outbox(wp.site) == []
    record = _record(wp, service_id)
    assert record["status"] == "pending"


def test_an_event_for_a_comment_wordpress_does_not_have_is_answered_200(wp: Setup) -> None:
    body, headers = _signed_event("999999", "news_unknown", "approved")
    reply = _deliver(wp, body, headers)
    assert reply.status == 200 and json.loads(reply.text)["applied"] is False
    # nor is an event applied to a comment of another service id
    comment_id = _post(wp, _unique("Not the comment the event names"), author="Other")
    _service_id(wp, comment_id)
    body, headers = _signed_event(comment_id, "news_someone_else", "approved")
    reply = _deliver(wp, body, headers)
    assert reply.status == 200 and json.loads(reply.text)["applied"] is False
    assert _wp_status(wp.site, comment_id) == "0"


# ---------------------------------------------------------------------------------------
# 6. edits: the service's comment.edited applied, wp-admin's edits sent


def _signed_intake(setup: Setup, body: dict[str, Any]) -> tuple[int, Any]:
    """POST /v1/comments as a CMS of the news site (signed: the site has a secret)."""
    raw = json.dumps(body).encode()
    stamp = int(time.time())
    mac = hmac.new(SIGNING.encode(), f"{stamp}.".encode() + raw, hashlib.sha256).hexdigest()
    req = urllib.request.Request(
        setup.service.base + "/v1/comments",
        data=raw,
        method="POST",
        headers={
            "Authorization": f"Bearer {NEWS_KEY}",
            "Content-Type": "application/json",
            "X-Moderation-Signature": f"t={stamp},v1={mac}",
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def _deliveries(site: WordPressSite, comment_id: str) -> int:
    """How many callbacks the plugin has taken for the comment (applied or not)."""
    rows = site.db.sql(
        "SELECT COUNT(*) FROM wp_commentmeta WHERE meta_key = 'moderation_delivery'"
        f" AND comment_id = {int(comment_id)}",
        site.database,
    )
    return int(rows[0][0])


def _taken(setup: Setup, comment_id: str, count: int) -> None:
    _until(
        f"comment {comment_id} has taken {count} callback(s)",
        lambda: _deliveries(setup.site, comment_id) >= count,
        DECIDED_WITHIN,
    )


def _edited(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [h for h in record["history"] if h["action"] == "edited"]


def _admin_edit(
    site: WordPressSite, browser: Browser, comment_id: str, content: str, status: str | None = None
) -> None:
    """wp-admin's Edit Comment screen: change the text (and the status), Update."""
    page = browser.request(f"/wp-admin/comment.php?action=editcomment&c={int(comment_id)}")
    assert page.status == 200, page.text[-2000:]
    [fields] = [f for attrs, f in page_forms(page.text) if attrs.get("id") == "post"]
    fields["content"] = content
    fields["mm"] = fields["hidden_mm"]  # a <select>, which the form parser does not read
    if status is not None:
        fields["comment_status"] = status
    reply = browser.request(
        "/wp-admin/comment.php",
        fields,
        headers={"Referer": site.base + f"/wp-admin/comment.php?action=editcomment&c={comment_id}"},
    )
    assert reply.status == 302, reply.text[-2000:]


def test_an_edit_in_the_service_holds_the_approved_comment_in_wordpress(wp: Setup) -> None:
    """The CMS id re-sent to the service with another text (what an edit through any
    other client of the service looks like): the comment.edited callback holds the
    comment in WordPress, once, and nothing is sent back."""
    text = _unique("The library's new hours suit working parents.")
    comment_id = _post(wp, text, author="Edith Reader", email="edith@example.com")
    service_id = _service_id(wp, comment_id)
    _decide(wp, service_id, "approve")
    _wp_status_becomes(wp.site, comment_id, "1")
    _taken(wp, comment_id, 1)

    edited_text = _unique("The library's new hours suit working parents. Cheap pills here")
    status, answer = _signed_intake(
        wp,
        {
            "id": comment_id,
            "post_id": str(wp.post_id),
            "author_name": "Edith Reader",
            "author_email": "edith@example.com",
            "content": edited_text,
        },
    )
    assert status == 202, answer
    assert (answer["id"], answer["edited"], answer["status"]) == (service_id, True, "pending")
    _wp_status_becomes(wp.site, comment_id, "0")
    assert not _visible(wp, text)
    _taken(wp, comment_id, 2)
    record = _record(wp, service_id)
    assert record["status"] == "pending"
    [entry] = _edited(record)
    assert entry["actor"] == "cms" and entry["previous"]["content"] == text
    # applied, not sent back: the edit is the service's last word on the comment
    assert record["history"][-1]["action"] == "edited"
    assert _outbox(wp.site) == []

    # an editor approves the edited text in WordPress; then the edit's event comes
    # again (a retry of the service's), and an edit's event older than the approval
    # (a retry delayed while WordPress was down): neither holds it again
    _set_status(wp.site, comment_id, "approve")
    assert _record(wp, service_id)["status"] == "approved"
    [applied_id] = wp.site.db.sql(
        "SELECT meta_value FROM wp_commentmeta WHERE meta_key = 'moderation_delivery'"
        f" AND comment_id = {int(comment_id)} ORDER BY meta_id DESC LIMIT 1",
        wp.site.database,
    )[0]
    for delivery, reason in ((applied_id, "already applied"), (None, "after the edit stands")):
        body, headers = _signed_event(
            comment_id,
            service_id,
            "pending",
            delivery=delivery,
            previous="approved",
            event_type="comment.edited",
        )
        reply = _deliver(wp, body, headers)
        assert reply.status == 200, reply.text
        answer = json.loads(reply.text)
        assert answer["applied"] is False and reason in answer["reason"], answer
        assert _wp_status(wp.site, comment_id) == "1"
    assert _outbox(wp.site) == []


def test_an_edit_in_wp_admin_reaches_the_service_as_an_edit(wp: Setup) -> None:
    """An editor changes an approved comment's text on wp-admin's Edit screen: the
    service gets it as an edit of the same comment (rescored, pending, the old text in
    its history), the comment is held in WordPress by the end of that request, and the
    comment.edited callback that follows is no echo: no second edit, no decision."""
    site = wp.site
    text = _unique("The bridge repairs were finished on time, well done.")
    comment_id = _post(wp, text, author="Brian Reader", email="brian@example.com")
    service_id = _service_id(wp, comment_id)
    _decide(wp, service_id, "approve")
    _wp_status_becomes(site, comment_id, "1")
    _taken(wp, comment_id, 1)

    edited_text = _unique("The bridge repairs were finished on time; see my shop")
    _admin_edit(site, site.admin(), comment_id, edited_text)
    record = _record(wp, service_id)
    assert (record["id"], record["external_id"]) == (service_id, comment_id)
    assert record["content"] == edited_text and record["status"] == "pending"
    [entry] = _edited(record)
    assert entry["actor"] == "cms" and entry["previous"]["content"] == text
    assert _wp_status(site, comment_id) == "0"  # by the 202's "edited": true, at once
    assert not _visible(wp, edited_text)
    assert [i["id"] for i in _queue(wp) if i["external_id"] == comment_id] == [service_id]
    assert _outbox(site) == []

    _taken(wp, comment_id, 2)  # the comment.edited callback, taken
    assert _wp_status(site, comment_id) == "0"
    record = _record(wp, service_id)
    assert len(_edited(record)) == 1 and record["history"][-1]["action"] == "edited"
    assert _outbox(site) == []

    # the same text saved again is no edit; a name changed is none either
    _admin_edit(site, site.admin(), comment_id, edited_text)
    site.php_eval(
        f"wp_update_comment( array( 'comment_ID' => {int(comment_id)},"
        " 'comment_author' => 'Brian R.' ) ); $result = array();"
    )
    assert _outbox(site) == []
    assert len(_edited(_record(wp, service_id))) == 1


def test_an_editors_status_saved_with_the_edit_is_the_later_decision(wp: Setup) -> None:
    """Text and status changed in one save of the Edit screen: the edit goes first and
    the editor's approval after it, on both sides; the edit's callback, which arrives
    afterwards saying pending, does not hold what the editor approved."""
    site = wp.site
    text = _unique("Parking near the station is impossible after eight.")
    comment_id = _post(wp, text, author="Paula Reader", email="paula@example.com")
    service_id = _service_id(wp, comment_id)
    edited_text = _unique("Parking near the station is impossible after eight in the morning.")
    _admin_edit(site, site.admin(), comment_id, edited_text, status="1")
    assert _wp_status(site, comment_id) == "1"
    record = _record(wp, service_id)
    assert record["content"] == edited_text
    assert (record["status"], record["decided_by"]) == ("approved", "cms")
    actions = [h["action"] for h in record["history"]]
    assert actions.index("edited") < len(actions) - 1  # the decision came after it
    assert _outbox(site) == []

    _taken(wp, comment_id, 1)  # the comment.edited callback: taken, not applied
    assert _wp_status(site, comment_id) == "1"
    assert _visible(wp, edited_text)
    assert _record(wp, service_id)["status"] == "approved"


def test_an_edit_made_while_the_service_is_down_is_sent_later(wp: Setup) -> None:
    comment_id = _post(wp, _unique("Edited by code while the service was down"))
    service_id = _service_id(wp, comment_id)
    _set_status(wp.site, comment_id, "approve")
    assert _record(wp, service_id)["status"] == "approved"
    edited_text = _unique("Edited by code while the service was down, and changed")
    wp.service.terminate()
    try:
        wp.site.php_eval(
            f"wp_update_comment( array( 'comment_ID' => {int(comment_id)},"
            f" 'comment_content' => {json.dumps(edited_text)} ) ); $result = array();"
        )
        [row] = _outbox(wp.site)
        assert (row["comment_id"], row["kind"], row["attempts"]) == (int(comment_id), "intake", 1)
        assert _wp_status(wp.site, comment_id) == "1"  # the service has not seen it yet
    finally:
        wp.service.start()
        wp.service.wait_ready_sync()
    _flush(wp.site)
    assert _outbox(wp.site) == []
    record = _record(wp, service_id)
    assert record["content"] == edited_text and record["status"] == "pending"
    assert len(_edited(record)) == 1
    assert _wp_status(wp.site, comment_id) == "0"


# ---------------------------------------------------------------------------------------
# 7. repeats across posts


def test_the_same_text_under_two_posts_is_two_records(wp: Setup) -> None:
    other_post, other_permalink = wp.site.add_post("Another post")
    text = _unique("Great reporting, keep it up!")
    first = _post(wp, text, author="Same Reader", email="same@example.com")
    rows_before = len(wp.site.comments())
    second_browser = Browser(wp.site.base)
    fields = wp.site.comment_form(second_browser, other_permalink)
    fields.update(author="Same Reader", email="same@example.com", url="", comment=text)
    reply = second_browser.request(
        "/wp-comments-post.php",
        fields,
        headers={"Referer": other_permalink, "Origin": wp.site.base},
    )
    assert reply.status == 302, reply.text[-2000:]
    assert len(wp.site.comments()) == rows_before + 1
    [second] = [c["id"] for c in wp.site.comments() if c["content"] == text and c["id"] != first]
    first_id, second_id = _service_id(wp, first), _service_id(wp, second)
    assert first_id != second_id
    records = {sid: _record(wp, sid) for sid in (first_id, second_id)}
    assert records[first_id]["external_id"] == first
    assert records[second_id]["external_id"] == second
    assert records[second_id]["post_id"] == str(other_post)
    _decide(wp, first_id, "approve")
    _decide(wp, second_id, "spam")
    _wp_status_becomes(wp.site, first, "1")
    _wp_status_becomes(wp.site, second, "spam")
    assert _visible(wp, text) and not _visible(wp, text, other_permalink)


# ---------------------------------------------------------------------------------------
# the settings page


def test_the_settings_page_shows_the_service_and_the_outbox(wp: Setup) -> None:
    admin = wp.site.admin()
    page = admin.request("/wp-admin/options-general.php?page=comment-moderation")
    assert page.status == 200, page.text[-2000:]
    assert "answers" in page.text and "does not answer" not in page.text
    assert "comment-moderation-waiting" in page.text
    assert "comment-moderation/v1/events" in page.text
    for secret in (NEWS_KEY, SIGNING, CALLBACK):
        assert secret not in page.text
    assert "MODERATION_CALLBACK_SECRET" in page.text  # set in wp-config.php: no field
    # a reader is not let in
    reader = Browser(wp.site.base).request("/wp-admin/options-general.php?page=comment-moderation")
    assert reader.status == 302


def test_secrets_saved_on_the_settings_page_are_kept_as_typed(wp: Setup) -> None:
    """A secret with a backslash, a %xx sequence, a < and two spaces reaches the option
    unchanged (sanitize_text_field and a second wp_unslash used to mangle it, and the
    HMACs would then never match); an empty secret field keeps the saved one.  The
    test site's constants win over the option, so saving it changes nothing else."""
    admin = wp.site.admin()
    path = "/wp-admin/options-general.php?page=comment-moderation"
    page = admin.request(path)
    [fields] = [f for attrs, f in page_forms(page.text) if attrs.get("action") == "options.php"]
    option = "comment_moderation_settings"
    secret = "ab\\c%41d<e  f'g\"h"
    typed = {
        f"{option}[url]": " http://moderation.example:8080/ ",
        f"{option}[site_key]": secret,
        f"{option}[signing_secret]": "\tsigning-" + secret + " ",
        f"{option}[callback_secret]": secret[::-1],
    }
    saved = {
        "url": "http://moderation.example:8080/",
        "site_key": secret,
        "signing_secret": "signing-" + secret,
        "callback_secret": secret[::-1],
    }
    read = f"$result = array( 'saved' => get_option( '{option}' ) );"
    try:
        for form in (typed, {**typed, **{k: "" for k in typed if "secret" in k or "key" in k}}):
            reply = admin.request(
                "/wp-admin/options.php",
                {**fields, **form},
                headers={"Referer": wp.site.base + path},
            )
            assert reply.status == 302, reply.text[-2000:]
            assert wp.site.php_eval(read)["saved"] == saved
    finally:
        wp.site.php_eval(f"delete_option( '{option}' ); $result = array();")


def test_what_the_service_answers_decides_retry_or_refusal(wp: Setup) -> None:
    """A 404 or a redirect from a wrong service URL is retried (dropping the row would
    lose the comment for good); the service's problem+json 404 to a cms-status (no such
    comment) and a 422 are refusals."""
    got = wp.site.php_eval(
        """
        $client = 'Comment_Moderation_Client';
        $result = array(
            'wrong_path' => $client::post( '/v1/no-such-endpoint', array( 'id' => '1' ) ),
            'unknown' => $client::post( '/v1/comments/ext:987654321/cms-status',
                array( 'status' => 'approved' ) ),
            'invalid' => $client::post( '/v1/comments', array( 'id' => '987654322' ) ),
            'redirect' => $client::outcome( '/v1/comments', 301, false ),
            'plain_404_status' => $client::outcome( '/v1/comments/x/cms-status', 404, false ),
            'intake_404' => $client::outcome( '/v1/comments', 404, true ),
            'too_large' => $client::outcome( '/v1/comments', 413, true ),
        );
        """
    )
    assert got["wrong_path"]["outcome"] == "retry", got
    assert "check the service URL" in got["wrong_path"]["error"]
    assert (got["unknown"]["outcome"], got["unknown"]["code"]) == ("refused", 404), got
    assert (got["invalid"]["outcome"], got["invalid"]["code"]) == ("refused", 422), got
    assert got["redirect"] == got["plain_404_status"] == got["intake_404"] == "retry"
    assert got["too_large"] == "refused"


def test_uninstall_removes_the_plugins_table_options_and_bookkeeping(wp: Setup) -> None:
    """uninstall.php (run last: it empties what the other tests use; the table and
    the cron event are put back at the end)."""
    comment_id = _post(wp, _unique("Present when the plugin is deleted"), author="Last")
    service_id = _service_id(wp, comment_id)
    assert wp.site.comment_meta(comment_id).get("moderation_sync") == "1"
    uninstall = PLUGIN_DIR / "uninstall.php"
    got = wp.site.php_eval(
        f"""
        global $wpdb;
        define( 'WP_UNINSTALL_PLUGIN', 'comment-moderation/comment-moderation.php' );
        include {json.dumps(str(uninstall))};
        $table = Comment_Moderation_Outbox::table();
        $result = array(
            'table' => $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $table ) ),
            'version' => get_option( 'comment_moderation_db_version', null ),
            'cron' => wp_next_scheduled( 'comment_moderation_cron' ),
        );
        Comment_Moderation_Outbox::activate();
        """
    )
    assert got == {"table": None, "version": None, "cron": False}, got
    meta = wp.site.comment_meta(comment_id)
    assert meta == {"moderation_id": service_id}, meta
    assert _outbox(wp.site) == []
