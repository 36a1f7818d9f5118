"""The moderator page in a real Chromium (Playwright), against a real running service.

The service runs in a thread with its own event loop (Playwright's sync API refuses to
run inside one), on a free loopback port, with the tests' real Redis.  Screenshots of the
queue at 375 and 1440 px go to ``test-artifacts/``.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    expect,
    sync_playwright,
)

from moderation.app import create_app
from moderation.appkeys import MODEL
from moderation.config import Config
from moderation.storage.redis_server import RedisServer
from tests.conftest import ALICE, BOB, CONFIG_TOML, NEWS_KEY, ROOT, comment_body
from tests.support.abuse import HOSTILE, POLITE

CHROMIUM = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="install Debian's chromium (apt-get install chromium) to run the browser tests",
    ),
]

expect.set_options(timeout=8_000)


class LiveServer:
    """The whole service on 127.0.0.1:<free port>, served from its own thread and loop."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.runner: web.AppRunner | None = None
        self.url = ""

    def start(self) -> None:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(60)

    async def _start(self) -> None:
        app = create_app(self.config)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = self.runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        for _ in range(600):  # the model loads in the background
            if app[MODEL].ready or app[MODEL].error:
                break
            await asyncio.sleep(0.05)

    def stop(self) -> None:
        if self.runner is not None:
            asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture(scope="module")
def live(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = Config.from_mapping(CONFIG_TOML)
    config = replace(
        base,
        redis=replace(base.redis, url=redis_server.url),
        data_dir=tmp_path_factory.mktemp("ui-data"),
    )
    server = LiveServer(config)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def service(live: str, redis_url: str) -> str:
    """The running service, with Redis emptied for this test."""
    return live


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class Watch:
    """What a page did that it must not: dialogs, CSP violations, script errors."""

    def __init__(self, page: Page) -> None:
        self.dialogs: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def assert_clean(self) -> None:
        assert self.dialogs == []
        assert self.page_errors == []
        assert [e for e in self.console_errors if "Content Security Policy" in e] == []


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    made: list[BrowserContext] = []
    yield made
    for c in made:
        c.close()


def new_page(
    browser: Browser, contexts: list[BrowserContext], width: int = 1280, height: int = 900
) -> tuple[Page, Watch]:
    context = browser.new_context(viewport={"width": width, "height": height})
    contexts.append(context)
    page = context.new_page()
    return page, Watch(page)


def post_comment(base: str, **fields: Any) -> str:
    body = json.dumps(comment_body(**fields)).encode()
    request = urllib.request.Request(
        f"{base}/v1/comments",
        data=body,
        headers={"Authorization": f"Bearer {NEWS_KEY}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.status == 202
        answer: dict[str, Any] = json.loads(resp.read())
    return str(answer["id"])


def get_comment(base: str, comment_id: str) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{base}/v1/comments/{comment_id}", headers={"Authorization": f"Bearer {ROOT}"}
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        record: dict[str, Any] = json.loads(resp.read())
    return record


def login(page: Page, base: str, token: str, query: str = "") -> None:
    page.goto(f"{base}/moderate{query}")
    expect(page.locator("#token")).to_be_focused()
    page.fill("#token", token)
    page.press("#token", "Enter")
    expect(page.locator("body.ready")).to_have_count(1)
    # the login keeps the page's options: the page opens once, with them (a second load
    # would first claim a batch of the default size, and a closing page's release of it
    # is only best effort)
    assert page.url == f"{base}/moderate{query}"


def card_ids(page: Page) -> list[str]:
    ids: list[str] = page.locator("article.card").evaluate_all("cs => cs.map(c => c.dataset.id)")
    return ids


HAM = [
    "Thanks for the clear write-up on the council budget. The figures help.",
    "I live near the new bridge and the traffic has been much better since it opened.",
    "Could you add a source for the school funding numbers in the third paragraph?",
    "Good interview. I wish the mayor had been asked about the bus routes as well.",
]
SPAM = [
    "CHEAP V1AGRA!!! buy now at http://bit.ly/pills-cheap best price, click here",
    "Best online casino bonus, free spins today, win real money fast",
    "Buy viagra cialis online without prescription, cheap pills discount pharmacy",
]


def test_login_keyboard_approve_and_spam(service: str, browser: Browser, contexts: Any) -> None:
    ids = [post_comment(service, id=f"k{i}", content=c) for i, c in enumerate(HAM[:3])]
    page, watch = new_page(browser, contexts)

    page.goto(f"{service}/moderate")
    page.fill("#token", "not-a-token")
    page.press("#token", "Enter")
    expect(page.locator("#login-error")).to_be_visible()

    login(page, service, ALICE)
    cards = page.locator("article.card")
    expect(cards).to_have_count(3)
    assert sorted(card_ids(page)) == sorted(ids)
    expect(page.locator("#who")).to_have_text("alice")
    expect(page.locator("[data-count=pending]")).to_have_text("3")

    # Keyboard only: Tab reaches the skip link first, and focus is always visible.
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0
    assert skip.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"

    page.keyboard.press("j")  # lands on the first comment
    first, second, third = card_ids(page)
    expect(cards.first).to_be_focused()
    assert cards.first.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    page.keyboard.press("j")
    expect(page.locator(f"[data-id='{second}']")).to_be_focused()
    page.keyboard.press("k")
    expect(page.locator(f"[data-id='{first}']")).to_be_focused()

    page.keyboard.press("a")
    expect(cards).to_have_count(2)
    expect(page.locator(f"[data-id='{second}']")).to_be_focused()  # focus moves on
    page.keyboard.press("s")
    expect(cards).to_have_count(1)
    assert get_comment(service, first)["status"] == "approved"
    assert get_comment(service, second)["status"] == "spam"
    assert get_comment(service, second)["decided_by"] == "alice"
    expect(page.locator("[data-count=spam]")).to_have_text("1")
    expect(page.locator(f"[data-id='{third}']")).to_be_focused()
    # the site's model and how many decisions it has to learn from (two labels so far)
    expect(page.locator("#model-info")).to_contain_text("2 decisions", timeout=10_000)

    page.keyboard.press("d")
    expect(cards).to_have_count(0)
    assert get_comment(service, third)["status"] == "rejected"

    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#help")).to_be_hidden()

    # A comment that arrives now shows up by itself.
    new_id = post_comment(service, id="k-new", content=HAM[3])
    expect(page.locator(f"[data-id='{new_id}']")).to_be_visible(timeout=10_000)

    page.click("#logout-form button")
    expect(page.locator("#token")).to_be_visible()
    page.goto(f"{service}/moderate")
    expect(page.locator("#token")).to_be_visible()  # the session is over
    watch.assert_clean()


def test_bulk_spam_of_a_selection_and_undo(service: str, browser: Browser, contexts: Any) -> None:
    ids = [
        post_comment(service, id=f"b{i}", content=c, author_email=f"reader{i}@example.com")
        for i, c in enumerate(HAM)
    ]
    page, watch = new_page(browser, contexts)
    login(page, service, ALICE)
    cards = page.locator("article.card")
    expect(cards).to_have_count(4)
    order = card_ids(page)

    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("#selected-count")).to_have_text("2 selected")
    chosen = {order[0], order[2]}
    for comment_id in chosen:
        expect(page.locator(f"[data-id='{comment_id}'] .pick")).to_be_checked()

    page.keyboard.press("Shift+S")
    expect(cards).to_have_count(2)
    assert set(card_ids(page)) == set(ids) - chosen
    for comment_id in chosen:
        assert get_comment(service, comment_id)["status"] == "spam"
    expect(page.locator("#selected-count")).to_have_text("0 selected")

    # The spam count opens the spam view: browsing, not claiming; decided by alice.
    page.click("[data-status=spam]")
    expect(page.locator("#mode")).to_contain_text("Browsing spam comments")
    expect(cards).to_have_count(2)
    assert set(card_ids(page)) == chosen
    expect(page.locator("article.card .status").first).to_have_text("spam")
    expect(page.locator("article.card .actions .undo")).to_have_count(2)
    page.click("[data-status=pending]")
    expect(page.locator("#mode")).to_contain_text("claimed for you")
    expect(cards).to_have_count(2)

    # Filtering by author email shows that author's comments only.
    remaining = sorted(set(ids) - chosen)
    email = get_comment(service, remaining[0])["author_email"]
    page.fill("#author-email", email)
    page.press("#author-email", "Enter")
    expect(page.locator("#mode")).to_contain_text("Browsing pending comments")
    expect(cards).to_have_count(1)
    assert card_ids(page) == [remaining[0]]
    page.click("#clear-filters")
    expect(cards).to_have_count(2)
    expect(page.locator("#mode")).to_contain_text("claimed for you")

    page.locator("#queue").focus()
    page.keyboard.press("z")  # undoes the whole bulk decision
    expect(cards).to_have_count(4)
    for comment_id in chosen:
        record = get_comment(service, comment_id)
        assert record["status"] == "pending"
        actions = [entry["action"] for entry in record["history"]]
        assert actions.index("undone") > actions.index("decided")

    # One more by keyboard, undone from the toast's button this time.
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(cards).to_have_count(3)
    page.click("#toast button")
    expect(cards).to_have_count(4)
    assert {get_comment(service, i)["status"] for i in ids} == {"pending"}
    watch.assert_clean()


def test_two_moderators_never_see_the_same_claimed_comment(
    service: str, browser: Browser, contexts: Any
) -> None:
    ids = [post_comment(service, id=f"t{i}", content=f"{HAM[i % 4]} ({i})") for i in range(6)]
    alice, watch_a = new_page(browser, contexts)
    bob, watch_b = new_page(browser, contexts)
    login(alice, service, ALICE, "?batch=3")
    expect(alice.locator("article.card")).to_have_count(3)
    login(bob, service, BOB, "?batch=3")
    expect(bob.locator("article.card")).to_have_count(3)

    seen_a, seen_b = set(card_ids(alice)), set(card_ids(bob))
    assert seen_a.isdisjoint(seen_b)
    assert seen_a | seen_b == set(ids)
    for comment_id in seen_a:
        assert get_comment(service, comment_id)["claimed_by"] == "alice"
    for comment_id in seen_b:
        assert get_comment(service, comment_id)["claimed_by"] == "bob"

    # Alice decides one; a poll later neither page shows the other's comments.
    alice.keyboard.press("j")
    alice.keyboard.press("a")
    expect(alice.locator("article.card")).to_have_count(2)
    alice.wait_for_timeout(4_500)
    assert set(card_ids(alice)).isdisjoint(card_ids(bob))
    assert set(card_ids(bob)) == seen_b
    watch_a.assert_clean()
    watch_b.assert_clean()


HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">\u202egnp.exe'
HOSTILE_URL = 'https://evil.example/?q="><svg/onload=window.__pwned=1>'
LONG_WORD = "W" * 9_000
HOSTILE_CONTENT = (
    '<script>window.__pwned=1</script> Read <a href="javascript:window.__pwned=1">this</a>'
    " or javascript:window.__pwned=1 <img src=x onerror=window.__pwned=1>"
    " \u202eevil reversed text\u202c done " + LONG_WORD
)


def test_hostile_content_is_inert_text(service: str, browser: Browser, contexts: Any) -> None:
    hostile = post_comment(
        service,
        id="evil",
        author_name=HOSTILE_NAME,
        author_url=HOSTILE_URL,
        content=HOSTILE_CONTENT,
        post_url="https://news.example.com/a?x=<script>alert(1)</script>",
    )
    post_comment(service, id="fine", content=HAM[0])
    for width in (1440, 375):
        page, watch = new_page(browser, contexts, width=width)
        login(page, service, ALICE)
        card = page.locator(f"[data-id='{hostile}']")
        expect(card).to_be_visible()
        expect(card.locator(".name")).to_have_text(HOSTILE_NAME)
        assert card.locator(".content").text_content() == HOSTILE_CONTENT
        expect(card.locator(".url")).to_have_text(HOSTILE_URL)
        # Only http(s) urls become links, and this one stays exactly as given.
        assert card.locator("a.url").get_attribute("href") == (
            "https://evil.example/?q=%22%3E%3Csvg/onload=window.__pwned=1%3E"
        )
        queue = page.locator("#queue")
        assert queue.locator("img, script, svg, iframe").count() == 0
        assert queue.locator("a[href^='javascript']").count() == 0
        assert page.evaluate("window.__pwned") is None
        # Direction overrides stay inside their own element; nothing overflows the page.
        assert card.locator(".name").evaluate("e => getComputedStyle(e).unicodeBidi") == "isolate"
        assert card.locator(".name").get_attribute("dir") == "auto"
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{overflow}px wider than the {width}px window"
        box = card.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        # Deciding it works like any other comment, and still nothing ran.
        if width == 375:
            card.focus()
            page.keyboard.press("s")
            expect(card).to_have_count(0)
        page.wait_for_timeout(300)
        assert page.evaluate("window.__pwned") is None
        watch.assert_clean()
    assert get_comment(service, hostile)["status"] == "spam"


def test_screenshots_at_375_and_1440(service: str, browser: Browser, contexts: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for i, text in enumerate(SPAM):
        post_comment(
            service,
            id=f"s{i}",
            content=text,
            author_name=["Cheap Pills Online", "Lucky Winner", "Pharma Deals"][i],
            author_email=f"promo{i}@mailinator.com",
            author_url=f"http://bit.ly/promo{i}",
            author_ip=f"203.0.113.{10 + i}",
        )
    for i, text in enumerate(HAM):
        post_comment(
            service,
            id=f"h{i}",
            content=text,
            author_name=["Maria Lopez", "Jan de Vries", "أحمد علي", "Chen Wei"][i],
            author_email=f"reader{i}@example.com",
            author_ip=f"198.51.100.{20 + i}",
        )
    post_comment(
        service,
        id="evil",
        author_name=HOSTILE_NAME,
        author_url=HOSTILE_URL,
        content=HOSTILE_CONTENT[:400] + " " + "W" * 600,
    )
    # a decided comment (its "Change to" buttons) and a rule (the rules panel), hostile
    decided = post_comment(service, id="d1", author_name=HOSTILE_NAME, content=HAM[0] + " ok")
    api_call(service, "POST", f"/v1/comments/{decided}/decision", BOB, {"decision": "spam"})
    rule = {"site": "news", "list": "block", "kind": "phrase", "value": HOSTILE_PHRASE}
    api_call(service, "POST", "/v1/rules", ROOT, {**rule, "note": HOSTILE_NOTE + LONG_WORD[:300]})
    for width, height in ((1440, 1000), (375, 812)):
        page, watch = new_page(browser, contexts, width=width, height=height)
        login(page, service, ROOT)
        expect(page.locator("article.card")).to_have_count(8)
        expect(page.locator("#site")).to_be_enabled()  # root moderates several sites
        page.keyboard.press("j")
        page.keyboard.press("j")
        page.keyboard.press("x")
        page.evaluate("window.scrollTo(0, 0)")
        expect(page.locator("article.card mark").first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / f"moderate-queue-{width}.png"))
        page.keyboard.press("?")
        page.screenshot(path=str(ARTIFACTS / f"moderate-help-{width}.png"))
        page.keyboard.press("Escape")
        # the rules panel (root is an admin): a field error shown, nothing wider than the window
        page.keyboard.press("r")
        expect(page.locator("#rules-list li.rule")).to_have_count(1)
        page.click("#rule-add")  # an empty value: its error beside the field
        expect(page.locator("#rule-value-error")).to_be_visible()
        no_overflow(page)
        page.screenshot(path=str(ARTIFACTS / f"moderate-rules-{width}.png"))
        page.keyboard.press("Escape")
        # a decided comment, and the question before its decision is changed
        page.click("#counts [data-status=spam]")
        card = page.locator(f"[data-id='{decided}']")
        expect(card.locator(".override")).to_have_count(2)
        no_overflow(page)
        page.screenshot(path=str(ARTIFACTS / f"moderate-decided-{width}.png"))
        card.locator(".override.approve").click()
        expect(page.locator("#confirm")).to_be_visible()
        # the name's U+202E ends with the name (PDI): the question after it reads forwards
        asked = page.locator("#confirm-text").text_content() or ""
        assert asked.endswith("\u2069” was marked spam by bob. Change it to approved?"), asked
        page.screenshot(path=str(ARTIFACTS / f"moderate-confirm-{width}.png"))
        page.keyboard.press("Escape")
        assert page.evaluate("window.__pwned") is None
        watch.assert_clean()
    assert get_comment(service, decided)["status"] == "spam"  # asked, and cancelled
    page, _ = new_page(browser, contexts, width=375, height=700)
    page.goto(f"{service}/moderate")
    page.screenshot(path=str(ARTIFACTS / "moderate-login-375.png"))


def test_author_view_and_search_from_the_page(
    service: str, browser: Browser, contexts: Any
) -> None:
    """A click on an author opens their comments (hostile text stays text), "approve all
    pending" decides them through the bulk API; the search box filters the queue."""
    email = "hostile@example.com"
    hostile = post_comment(
        service,
        id="ev1",
        author_name=HOSTILE_NAME,
        author_email=email,
        content=HOSTILE_CONTENT,
    )
    second = post_comment(
        service, id="ev2", author_name=HOSTILE_NAME, author_email=email, content=HAM[1]
    )
    other = post_comment(service, id="fine", content=HAM[0])
    page, watch = new_page(browser, contexts, width=375)
    login(page, service, ALICE)
    card = page.locator(f"[data-id='{hostile}']")
    expect(card).to_be_visible()
    card.locator(".author-open").click()
    view = page.locator("#author")
    expect(view).to_be_visible()
    expect(view.locator("#author-title .name")).to_have_text(HOSTILE_NAME)
    expect(view.locator("#author-comments li")).to_have_count(2)
    expect(view.locator(".status-pending b")).to_have_text("2")
    assert view.locator("img, script, svg, iframe").count() == 0
    assert page.evaluate("window.__pwned") is None
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    view.locator("#author-approve-all").click()
    expect(view.locator(".status-approved b")).to_have_text("2")
    for comment_id in (hostile, second):
        assert get_comment(service, comment_id)["status"] == "approved"
    assert get_comment(service, other)["status"] == "pending"
    page.keyboard.press("Escape")
    expect(view).to_be_hidden()

    # the search box: only the comments whose text matches
    if not page.locator("#search-q").is_visible():  # the filters fold on a phone
        page.locator("#filter-box summary").click()
    page.fill("#search-q", HAM[0][5:25].upper())
    page.press("#search-q", "Enter")
    expect(page.locator("article.card")).to_have_count(1)
    assert card_ids(page) == [other]
    assert page.evaluate("window.__pwned") is None
    watch.assert_clean()


def test_the_top_bar_says_its_model_whole_and_a_toast_leaves_with_its_view(
    service: str, browser: Browser, contexts: Any
) -> None:
    """At 1440 px the model's label is not cut off, "1 decision" is singular, and the
    toast of a decision goes when the moderator switches to another view."""
    post_comment(service, id="tb1", content=HAM[0])
    post_comment(service, id="tb2", content=HAM[1])
    page, watch = new_page(browser, contexts, width=1440, height=1000)
    login(page, service, ALICE)
    cards = page.locator("article.card")
    expect(cards).to_have_count(2)
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(cards).to_have_count(1)
    toast = page.locator("#toast")
    expect(toast).to_have_class(re.compile(r"\bshown\b"))
    # switching to the approved comments takes the toast down with its view
    page.click("#counts [data-status=approved]")
    expect(cards).to_have_count(1)
    expect(toast).not_to_have_class(re.compile(r"\bshown\b"))
    model = page.locator("#model-info")
    expect(model).to_contain_text("1 decision so far")
    expect(model).not_to_contain_text("1 decisions")
    whole = model.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert whole, model.text_content()
    watch.assert_clean()


def test_an_admin_blocks_an_author_from_the_author_view(
    service: str, browser: Browser, contexts: Any
) -> None:
    """ "Block author" puts the author's email on the site's block list (the rules API):
    their next comment is spam at once; a moderator who is not an admin is told no."""
    email = "pest@example.com"
    first = post_comment(service, id="b1", author_name="Pest", author_email=email)
    for token, blocked in ((ALICE, False), (ROOT, True)):
        page, watch = new_page(browser, contexts)
        login(page, service, token, "?site=news" if token == ROOT else "")
        card = page.locator(f"[data-id='{first}']")
        expect(card).to_be_visible()
        card.locator(".author-open").click()
        view = page.locator("#author")
        expect(view).to_be_visible()
        view.locator("#author-block").click()
        toast = page.locator("#toast")
        expect(toast).to_contain_text("Blocked" if blocked else "Not blocked")
        watch.assert_clean()
        page.close()
    second = post_comment(service, id="b2", author_name="Pest", author_email=email, content=HAM[2])
    assert get_comment(service, second)["status"] == "spam"
    request = urllib.request.Request(
        f"{service}/v1/rules?site=news", headers={"Authorization": f"Bearer {ROOT}"}
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        rules = json.loads(resp.read())["rules"]
    assert [(r["list"], r["kind"], r["value"]) for r in rules if r["created_by"] == "root"] == [
        ("block", "email", email)
    ]


def api_call(base: str, method: str, path: str, token: str, body: Any = None) -> Any:
    """A moderator's call to the API with their token (the page's cookie is not needed)."""
    request = urllib.request.Request(
        f"{base}{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method=method,
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        raw = resp.read()
    return json.loads(raw) if raw else None


def no_overflow(page: Page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than its window"


HOSTILE_NOTE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>\u202eton'
HOSTILE_PHRASE = "<svg/onload=window.__pwned=1> cheap pills"


def test_an_admin_adds_a_rule_on_the_page_and_removes_it(
    service: str, browser: Browser, contexts: Any
) -> None:
    """The rules panel: a wrong value is named next to its field; a domain rule decides
    the next comment of that domain; hostile values and notes stay text; removing the
    rule takes it out of force; the audit lists both steps."""
    page, watch = new_page(browser, contexts, width=375, height=812)
    login(page, service, ROOT, "?site=news")
    expect(page.locator("#rules-open")).to_be_visible()
    page.locator("#queue").focus()
    page.keyboard.press("r")  # the keyboard opens it, as the button does
    rules = page.locator("#rules")
    expect(rules).to_be_visible()
    expect(page.locator("#rules-title")).to_have_text("Rules of news")
    expect(rules.locator("#rules-list")).to_contain_text("No rules yet.")

    # a value the kind cannot take: the server's message beside the value field
    page.select_option("#rule-kind", "ip")
    page.fill("#rule-value", "not-an-address")
    page.click("#rule-add")
    expect(page.locator("#rule-value-error")).to_contain_text("IP address or a CIDR")
    expect(page.locator("#rule-value")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#rule-value")).to_be_focused()
    expect(page.locator("#rule-list-error")).to_be_hidden()

    page.select_option("#rule-kind", "email_domain")
    page.fill("#rule-value", "@Spam.Example")
    page.fill("#rule-note", HOSTILE_NOTE)
    page.press("#rule-value", "Enter")
    expect(page.locator("#rules-status")).to_contain_text("Added: block email_domain")
    expect(page.locator("#rule-value-error")).to_be_hidden()
    expect(page.locator("#rule-value")).not_to_have_attribute("aria-invalid", "true")
    page.select_option("#rule-kind", "phrase")
    page.fill("#rule-value", HOSTILE_PHRASE)
    page.click("#rule-add")
    expect(rules.locator("#rules-list li.rule")).to_have_count(2)
    domain_rule = rules.locator("#rules-list li.rule").nth(0)
    expect(domain_rule.locator(".rule-value")).to_have_text("spam.example")
    assert domain_rule.locator(".rule-note").text_content() == HOSTILE_NOTE
    assert (
        rules.locator("#rules-list li.rule").nth(1).locator(".rule-value").text_content()
        == HOSTILE_PHRASE
    )
    assert rules.locator("img, script, svg, iframe").count() == 0
    assert page.evaluate("window.__pwned") is None
    no_overflow(page)

    blocked = post_comment(service, id="r1", author_email="buyer@spam.example", content=HAM[0])
    record = get_comment(service, blocked)
    assert record["status"] == "spam"
    assert "spam.example" in record["rule"]  # decided by the rule, which says so
    phrased = post_comment(service, id="r2", content=f"{HAM[1]} {HOSTILE_PHRASE.upper()}")
    assert get_comment(service, phrased)["status"] == "spam"

    # the audit: who added what (text again)
    rules.locator("#rules-audit-box summary").click()
    audit = rules.locator("#rules-audit li")
    expect(audit).to_have_count(2)
    expect(audit.first).to_contain_text("added by root")
    assert page.evaluate("window.__pwned") is None

    domain_rule.locator(".rule-remove").click()
    expect(page.locator("#rules-status")).to_contain_text("Removed: block email_domain")
    expect(rules.locator("#rules-list li.rule")).to_have_count(1)
    expect(rules.locator("#rules-list .rule-remove")).to_be_focused()  # the next one
    expect(audit).to_have_count(3)
    expect(audit.first).to_contain_text("removed by root")
    later = post_comment(service, id="r3", author_email="buyer2@spam.example", content=HAM[2])
    assert get_comment(service, later)["status"] == "pending"
    listed = api_call(service, "GET", "/v1/rules?site=news", ROOT)["rules"]
    assert [(r["kind"], r["value"]) for r in listed] == [("phrase", HOSTILE_PHRASE)]

    page.keyboard.press("Escape")
    expect(rules).to_be_hidden()
    assert page.evaluate("window.__pwned") is None
    watch.assert_clean()


def test_a_moderator_who_is_not_an_admin_gets_no_rules_panel(
    service: str, browser: Browser, contexts: Any
) -> None:
    post_comment(service, id="na1", content=HAM[0])
    page, watch = new_page(browser, contexts)
    login(page, service, ALICE)
    expect(page.locator("article.card")).to_have_count(1)
    expect(page.locator("#rules-open")).to_be_hidden()
    page.locator("#queue").focus()
    page.keyboard.press("r")
    page.wait_for_timeout(300)  # nothing is to happen: give it the time to go wrong
    expect(page.locator("#rules")).to_be_hidden()
    # the rules API refuses them too (the page only spares them the 403)
    request = urllib.request.Request(
        f"{service}/v1/rules?site=news", headers={"Authorization": f"Bearer {ALICE}"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    refused.value.close()  # its socket, else a ResourceWarning later
    assert refused.value.code == 403
    watch.assert_clean()


def test_a_spam_decision_is_changed_to_approved_from_the_page(
    service: str, browser: Browser, contexts: Any
) -> None:
    """ "Change to approved" asks first (cancel changes nothing), then overrides; the
    answer's previous status is shown.  Without override a 409 still says why."""
    mistaken = post_comment(service, id="o1", author_email="ok@example.com", content=HAM[0])
    api_call(service, "POST", f"/v1/comments/{mistaken}/decision", BOB, {"decision": "spam"})
    raced = post_comment(service, id="o2", content=HAM[1])
    page, watch = new_page(browser, contexts, width=1440, height=1000)
    login(page, service, ALICE)
    cards = page.locator("article.card")
    expect(cards).to_have_count(1)  # the pending one, claimed for alice

    # Someone decides alice's comment behind her back: her decision is a 409, told as such.
    api_call(
        service,
        "POST",
        f"/v1/comments/{raced}/decision",
        ROOT,
        {"decision": "spam", "override": True},
    )
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(page.locator("#toast")).to_contain_text("Already decided (spam) by root")
    page.click("#counts [data-status=spam]")
    card = page.locator(f"[data-id='{mistaken}']")
    expect(card).to_be_visible()
    change = card.get_by_role("button", name=re.compile("^Change to approved"))
    expect(change).to_be_visible()
    expect(card.get_by_role("button", name=re.compile("^Change to rejected"))).to_be_visible()

    change.click()
    confirm = page.locator("#confirm")
    expect(confirm).to_be_visible()
    expect(page.locator("#confirm-text")).to_contain_text("marked spam by bob")
    expect(page.locator("#confirm-ok")).to_have_text("Change to approved")
    expect(page.locator("#confirm-cancel")).to_be_focused()  # Enter alone changes nothing
    page.keyboard.press("Enter")
    expect(confirm).to_be_hidden()
    assert get_comment(service, mistaken)["status"] == "spam"

    # From the keyboard this time: a on the decided comment asks the same question.
    card.focus()
    page.keyboard.press("a")
    expect(confirm).to_be_visible()
    page.click("#confirm-ok")
    expect(page.locator("#toast")).to_contain_text("Changed to approved (it was spam)")
    expect(card).to_have_count(0)  # no longer spam: gone from the spam view
    record = get_comment(service, mistaken)
    assert (record["status"], record["decided_by"]) == ("approved", "alice")
    assert any(e.get("action") == "decided" and e.get("override") for e in record["history"])
    raced_record = get_comment(service, raced)
    assert (raced_record["status"], raced_record["decided_by"]) == ("spam", "root")

    # The author view offers the same change, and asks too.
    page.click("#counts [data-status=approved]")
    expect(card).to_be_visible()
    card.locator(".author-open").click()
    view = page.locator("#author")
    expect(view).to_be_visible()
    view.get_by_role("button", name="Change to rejected").click()
    expect(confirm).to_be_visible()
    page.click("#confirm-ok")
    expect(page.locator("#author-status")).to_contain_text("Changed to rejected (it was approved)")
    expect(view.locator(".status-rejected b")).to_have_text("1")
    assert get_comment(service, mistaken)["status"] == "rejected"
    watch.assert_clean()


def test_an_admin_takes_over_a_comment_another_moderator_holds(
    service: str, browser: Browser, contexts: Any
) -> None:
    email = "held@example.com"
    held = post_comment(service, id="to1", author_email=email, content=HAM[0])
    bob, watch_b = new_page(browser, contexts)
    login(bob, service, BOB)
    expect(bob.locator(f"[data-id='{held}']")).to_be_visible()
    assert get_comment(service, held)["claimed_by"] == "bob"

    # Alice is no admin: a comment bob holds is hidden from her, with no way to take it.
    alice, watch_a = new_page(browser, contexts, width=375, height=812)
    login(alice, service, ALICE, "?site=news")
    alice.locator("#filter-box summary").click()
    alice.fill("#author-email", email)
    alice.press("#author-email", "Enter")
    expect(alice.locator("#mode")).to_contain_text("1 held by other moderators is hidden")
    expect(alice.locator("article.card")).to_have_count(0)
    expect(alice.locator("button.take")).to_have_count(0)

    root, watch_r = new_page(browser, contexts, width=375, height=812)
    login(root, service, ROOT, "?site=news")
    root.locator("#filter-box summary").click()
    root.fill("#author-email", email)
    root.press("#author-email", "Enter")
    card = root.locator(f"[data-id='{held}']")
    expect(card).to_be_visible()
    expect(card.locator(".held")).to_have_text("held by bob")
    expect(card.locator("button.approve")).to_be_disabled()
    no_overflow(root)
    card.get_by_role("button", name="Take over").click()
    expect(root.locator("#toast")).to_contain_text("Taken over from bob")
    record = get_comment(service, held)
    assert record["claimed_by"] == "root"
    assert [e["from"] for e in record["history"] if e["action"] == "taken_over"] == ["bob"]
    expect(card.locator(".held")).to_have_count(0)
    approve = card.locator("button.approve")
    expect(approve).to_be_enabled()
    expect(card).to_be_focused()
    root.keyboard.press("a")
    expect(card).to_have_count(0)
    record = get_comment(service, held)
    assert (record["status"], record["decided_by"]) == ("approved", "root")
    watch_a.assert_clean()
    watch_b.assert_clean()
    watch_r.assert_clean()


def test_a_bulk_rejection_carries_each_cards_reason(
    service: str, browser: Browser, contexts: Any
) -> None:
    """Reject selected (Shift+D) sends the reason chosen on each selected card, and none
    for a card whose picker says "no reason"."""
    ids = [
        post_comment(service, id=f"r{i}", content=c, author_email=f"rj{i}@example.com")
        for i, c in enumerate(HAM[:3])
    ]
    page, watch = new_page(browser, contexts)
    login(page, service, ALICE)
    cards = page.locator("article.card")
    expect(cards).to_have_count(3)
    order = card_ids(page)
    page.locator(f"[data-id='{order[0]}'] .reject-reason").select_option("abuse")
    page.locator(f"[data-id='{order[2]}'] .reject-reason").select_option("off_topic")
    page.locator("#queue").focus()
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("#selected-count")).to_have_text("2 selected")
    page.keyboard.press("Shift+D")
    expect(cards).to_have_count(1)
    first, second = get_comment(service, order[0]), get_comment(service, order[1])
    assert (first["status"], first["decision_reason"]) == ("rejected", "abuse")
    assert second["status"] == "rejected" and not second.get("decision_reason")
    assert get_comment(service, order[2])["status"] == "pending"  # not selected
    assert set(order) == set(ids)
    watch.assert_clean()


def test_the_abuse_bar_beside_the_spam_bar_at_375_and_1440(
    service: str, browser: Browser, contexts: Any
) -> None:
    """Each card shows two bars, spam and abuse (a dash for a model without an abuse
    head); the insult's abusive words are marked apart from the spam ones, inserted as
    text only, with hostile markup around them; a reject carries the reason chosen."""
    ARTIFACTS.mkdir(exist_ok=True)
    content = HOSTILE_CONTENT[:200] + " " + HOSTILE + " " + "<b>" * 50
    rude = post_comment(service, id="rude", author_name=HOSTILE_NAME, content=content)
    polite = post_comment(service, id="polite", content=POLITE)
    rude_record = get_comment(service, rude)
    abuse = rude_record["abuse_score"]
    for width, height in ((1440, 1000), (375, 812)):
        page, watch = new_page(browser, contexts, width=width, height=height)
        login(page, service, ALICE)
        card = page.locator(f"[data-id='{rude}']")
        expect(card).to_be_visible()
        assert card.locator(".content").text_content() == content
        spam_bar = card.locator(".score-spam meter")
        expect(spam_bar).to_have_count(1)
        pct = round(rude_record["spam_score"] * 100)
        assert spam_bar.get_attribute("aria-label") == f"Spam score {pct}%"
        if abuse is None:
            # the model has no abuse head: a dash where the bar would be, and no mark
            expect(card.locator(".score-abuse meter")).to_have_count(0)
            expect(card.locator(".score-abuse .score-text")).to_have_text("abuse \u2013")
            expect(card.locator("mark.abuse")).to_have_count(0)
        else:
            bar = card.locator(".score-abuse meter")
            assert bar.get_attribute("aria-label") == f"Abuse score {round(abuse * 100)}%"
            polite_bar = page.locator(f"[data-id='{polite}'] .score-abuse meter")
            assert float(bar.get_attribute("value") or 0) > float(
                polite_bar.get_attribute("value") or 1
            )
            # a polite remark's words are not painted as abuse (its score is low)
            expect(page.locator(f"[data-id='{polite}'] mark.abuse")).to_have_count(0)
            marked = card.locator("mark.abuse").all_text_contents()
            assert marked and all(m.casefold() in HOSTILE.casefold() for m in marked)
            expect(card.locator(".abuse-reasons li")).to_have_count(
                len(rude_record["abuse_reasons"])
            )
            # the two bars never overlap, and both stay inside the card
            spam_box = card.locator(".score-spam").bounding_box()
            abuse_box = card.locator(".score-abuse").bounding_box()
            assert spam_box is not None and abuse_box is not None
            apart_x = abuse_box["x"] >= spam_box["x"] + spam_box["width"]
            apart_y = abuse_box["y"] >= spam_box["y"] + spam_box["height"] - 1
            assert apart_x or apart_y, (spam_box, abuse_box)
            for b in (spam_box, abuse_box):
                assert b["x"] >= 0 and b["x"] + b["width"] <= width
        queue = page.locator("#queue")
        assert queue.locator("img, script, svg, iframe, b").count() == 0
        no_overflow(page)
        box = card.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        page.screenshot(path=str(ARTIFACTS / f"moderate-abuse-{width}.png"))
        if width == 375:
            # "Most abusive" lists scored comments first; a reject says why
            card.locator(".reject-reason").select_option("abuse")
            card.locator("button.reject").click()
            expect(card).to_have_count(0)
        assert page.evaluate("window.__pwned") is None
        watch.assert_clean()
    record = get_comment(service, rude)
    assert (record["status"], record["decision_reason"]) == ("rejected", "abuse")
    # the page shows the reason on the decided card
    page, watch = new_page(browser, contexts)
    login(page, service, ALICE)
    page.click("#counts [data-status=rejected]")
    expect(page.locator(f"[data-id='{rude}'] .decision-reason")).to_have_text("reason: abuse")
    watch.assert_clean()
