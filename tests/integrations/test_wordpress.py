"""A real WordPress (Debian's 6.1 with its bundled Akismet plugin) using the service as
its Akismet: comments posted through WordPress's own comment form are checked and
queued by a real ``moderation serve``, WordPress files them as the verdict says, and an
administrator's Spam / Not Spam in wp-admin reaches the service as submit-spam and
submit-ham.  The must-use plugin of integrations/wordpress sends the Akismet plugin's
requests to the service.

Skipped unless php-cli, php-mysql, mariadb-server, wordpress and
wordpress-theme-twentytwentythree are installed.  Everything runs on 127.0.0.1: a
MariaDB, ``php -S`` and the service of the test's own, stopped when it ends.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import ALICE
from tests.support.faultkit import Service, amend_config
from tests.support.wordpress_site import MU_PLUGIN_FILE, WordPressSite, missing_requirements

pytestmark = [pytest.mark.wordpress, pytest.mark.slow]

# The news site's akismet_key: 12 of a-z0-9 as the service takes, and hex as well, since
# the Akismet plugin's settings page drops every other character from a key typed in.
KEY = "c0ffee5a1e42"
BLOCKED = "@blatant-spam.example"  # the news site's block rule: a blatant-spam verdict
HAM_TEXT = "Thanks for the clear write-up on the council budget; the figures help a lot."
SPAM_TEXT = "Buy cheap viagra pills online at http://bit.ly/cheap-pills best price!!! casino"


@dataclass
class Setup:
    service: Service
    site: WordPressSite
    post_id: int
    permalink: str
    info: dict[str, Any]


@pytest.fixture(scope="module")
def wordpress(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    reason = missing_requirements()
    if reason is not None:
        pytest.skip(reason)
    workdir = tmp_path_factory.mktemp("wordpress")
    service = Service(workdir / "service", redis_url=None)
    amend_config(service.config_path, sites={"news": {"akismet_key": KEY, "block": [BLOCKED]}})
    site = WordPressSite(workdir / "site", akismet_url=service.base, akismet_key=KEY)
    try:
        service.start()
        site.start()
        service.wait_ready_sync()
        status, text = _plain(service, "/1.1/test")
        assert (status, text) == (200, "connected"), "the service has no Akismet API"
        site.install()
        info = site.setup_akismet()
        yield Setup(service, site, int(info["post_id"]), str(info["permalink"]), info)
    except BaseException:
        print(site.logs(), "\n--- service.log\n", service.log_tail())
        raise
    finally:
        site.stop()
        service.stop()


def _plain(service: Service, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(service.base + path, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace")


def _api(service: Service, path: str) -> Any:
    req = urllib.request.Request(service.base + path, headers={"Authorization": f"Bearer {ALICE}"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def _service_comment(setup: Setup, guid: str) -> dict[str, Any]:
    body: dict[str, Any] = _api(setup.service, f"/v1/comments/{urllib.parse.quote(guid)}")
    return body


def _queued(setup: Setup) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = _api(setup.service, "/v1/queue?site=news&order=oldest")["items"]
    return items


def _wp_comment(setup: Setup, content: str) -> dict[str, str]:
    [found] = [c for c in setup.site.comments() if c["content"] == content]
    return found


def _history(meta: dict[str, str]) -> str:
    return meta.get("akismet_history", "")


def test_the_akismet_plugin_verifies_its_key_with_the_service(wordpress: Setup) -> None:
    info = wordpress.info
    assert info["wp_version"].startswith("6.1") and info["active"] is True
    assert "moderation-akismet.php" in info["mu_plugins"]
    # Akismet::verify_key went to the service (rest.akismet.com is not reachable here)
    assert info["key_status"] == "valid"
    wrong = wordpress.site.php_eval(
        "$result = array( 'status' => Akismet::verify_key( 'zzzzzzzzzzzz' ) );"
    )
    assert wrong == {"status": "invalid"}


def test_a_ham_comment_is_held_queued_and_reported_as_spam_by_the_admin(wordpress: Setup) -> None:
    site = wordpress.site
    reply, fields = site.post_comment(
        wordpress.permalink, author="Maria Lopez", email="maria@example.com", content=HAM_TEXT
    )
    # the form had the Akismet plugin's hidden fields, and WordPress took the comment
    assert {"comment_post_ID", "akismet_comment_nonce", "ak_js", "ak_hp_textarea"} <= set(fields)
    assert reply.status == 302, reply.text[-2000:]
    comment = _wp_comment(wordpress, HAM_TEXT)
    meta = site.comment_meta(comment["id"])
    assert meta["akismet_result"] == "false" and "check-ham" in _history(meta)
    assert comment["approved"] in ("0", "1")  # not spam: held for WordPress's moderation
    # the service stored it under the id its X-akismet-guid said, and queued it
    guid = meta["moderation_akismet_guid"]
    stored = _service_comment(wordpress, guid)
    assert stored["content"] == HAM_TEXT and stored["status"] == "pending"
    assert guid in [item["id"] for item in _queued(wordpress)]

    # the administrator clicks "Spam" under the comment in wp-admin
    admin = site.admin()
    done = site.moderate(admin, comment["id"], "spamcomment")
    assert done.status == 302 and "spammed=1" in done.headers["Location"]
    assert _wp_comment(wordpress, HAM_TEXT)["approved"] == "spam"
    meta = site.comment_meta(comment["id"])
    assert "report-spam" in _history(meta) and meta.get("akismet_user_result") == "true"
    # ... and the Akismet plugin's submit-spam decided it in the service
    stored = _service_comment(wordpress, guid)
    assert stored["status"] == "spam" and stored["decided_by"] == "cms"
    assert guid not in [item["id"] for item in _queued(wordpress)]


def test_a_spam_comment_is_filed_as_spam_and_the_admin_says_not_spam(wordpress: Setup) -> None:
    site = wordpress.site
    reply, _ = site.post_comment(
        wordpress.permalink,
        author="Pills Shop",
        email="deals@pills.example",
        url="http://bit.ly/cheap-pills",
        content=SPAM_TEXT,
    )
    assert reply.status == 302, reply.text[-2000:]
    comment = _wp_comment(wordpress, SPAM_TEXT)
    assert comment["approved"] == "spam"
    meta = site.comment_meta(comment["id"])
    assert meta["akismet_result"] == "true" and "check-spam" in _history(meta)
    guid = meta["moderation_akismet_guid"]
    stored = _service_comment(wordpress, guid)
    assert stored["content"] == SPAM_TEXT
    assert stored["status"] == "pending"  # queued for a moderator (akismet_queue = true)

    # the administrator clicks "Not Spam" on wp-admin's Spam screen
    admin = site.admin()
    done = site.moderate(admin, comment["id"], "unspamcomment")
    assert done.status == 302 and "unspammed=1" in done.headers["Location"]
    assert _wp_comment(wordpress, SPAM_TEXT)["approved"] in ("0", "1")
    meta = site.comment_meta(comment["id"])
    assert "report-ham" in _history(meta) and meta.get("akismet_user_result") == "false"
    stored = _service_comment(wordpress, guid)
    assert stored["status"] == "approved" and stored["decided_by"] == "cms"


def test_blatant_spam_is_discarded_when_the_site_says_so(wordpress: Setup) -> None:
    """A block rule's spam comes with ``X-akismet-pro-tip: discard``; with Akismet's
    "silently discard the worst spam" setting WordPress keeps no copy at all."""
    site = wordpress.site
    site.php_eval("update_option( 'akismet_strictness', '1' ); $result = array();")
    try:
        text = "Great post! Visit my casino for the best bonus."
        reply, _ = site.post_comment(
            wordpress.permalink, author="Bonus", email="win@blatant-spam.example", content=text
        )
        # the plugin sends the browser back where it came from, and stores nothing
        assert reply.status == 302 and reply.headers["Location"] == wordpress.permalink
        assert text not in [c["content"] for c in site.comments()]
        # the service kept it, as spam by the site's rule
        spam = _api(wordpress.service, "/v1/queue?site=news&status=spam")["items"]
        [kept] = [item for item in spam if item["content"] == text]
        assert kept["status"] == "spam"
    finally:
        site.php_eval("update_option( 'akismet_strictness', '0' ); $result = array();")


def test_the_must_use_plugin_is_the_one_in_integrations(wordpress: Setup) -> None:
    installed = wordpress.site.content / "mu-plugins" / "moderation-akismet.php"
    shipped = MU_PLUGIN_FILE
    assert installed.read_bytes() == shipped.read_bytes()


def test_the_must_use_plugin_redirects_every_akismet_address(wordpress: Setup) -> None:
    """Other Akismet clients address ``<key>.rest.akismet.com`` and carry the key only in
    the host name; Akismet's connectivity check addresses an IP with a Host header; any
    other host is left alone (here WP_HTTP_BLOCK_EXTERNAL refuses it)."""
    got = wordpress.site.php_eval(
        f"""
        $answer = function ( $r ) {{
            return is_wp_error( $r ) ? 'error: ' . $r->get_error_message()
                : wp_remote_retrieve_response_code( $r ) . ' ' . wp_remote_retrieve_body( $r );
        }};
        $result = array(
            'host_key' => $answer(
                wp_remote_get( 'https://{KEY}.rest.akismet.com/1.2/usage-limit' )
            ),
            'by_ip' => $answer( wp_remote_get(
                'http://192.0.2.10/1.1/test',
                array( 'headers' => array( 'Host' => 'rest.akismet.com' ) )
            ) ),
            'other' => $answer( wp_remote_get( 'https://example.com/1.1/test' ) ),
        );
        """
    )
    status, _, body = got["host_key"].partition(" ")
    assert status == "200" and json.loads(body)["limit"] == "none"
    assert got["by_ip"] == "200 connected"
    assert got["other"].startswith("error: ")


def test_the_admin_enters_the_key_on_the_akismet_settings_page(wordpress: Setup) -> None:
    # the plugin keeps a typed key only when POST /1.1/get-subscription answers JSON
    # with status 'active' (and saves the api_key it answers)
    site = wordpress.site
    site.php_eval("delete_option( 'wordpress_api_key' ); $result = array();")
    try:
        reply = site.enter_key(site.admin(), KEY)
        assert reply.status in (200, 302), reply.text[-2000:]
        saved = site.php_eval("$result = array( 'key' => get_option( 'wordpress_api_key' ) );")
        assert saved == {"key": KEY}
    finally:
        site.php_eval(f"update_option( 'wordpress_api_key', '{KEY}' ); $result = array();")
