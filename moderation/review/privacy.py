"""Authors' personal data: erasure on request (the API's web/admin.py and the command
line) and retention.

"Your email address will not be published" is a promise; keeping personal data only as
long as it is needed, and erasing it on request, is the rest of it (GDPR art. 17).
Erasure keeps each comment, its status and its history (whose actors are sites, models
and moderators, never authors) and removes name, email, url, IP, user agent and referrer
from the comment and from every index that names the author.  It also removes the rules
that name the author's email (a block, allow or trusted email rule, a phrase holding it),
and the email from the rules' audit trail: a rule is personal data too, and a hash of an
email would be found again by hashing guesses, so no trace of the address is kept.  An
admin with grounds to go on blocking the address adds the rule again, knowingly.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from moderation.config import SiteConfig
from moderation.core import background
from moderation.core.records import iso_from_ms, now_ms
from moderation.storage.store import Store

log = logging.getLogger("moderation.privacy")

DAY_MS = 24 * 3600 * 1000
RETENTION_INTERVAL_SECONDS = 600.0  # bounded work every 10 minutes, per worker


@dataclass(frozen=True, slots=True)
class Erased:
    """What an erasure changed, per site."""

    comments: dict[str, int]
    rules: dict[str, int]  # rules removed because they named the email


async def erase(store: Store, sites: list[str], email: str, actor: str) -> Erased:
    """Erase ``email``'s personal data on each of ``sites``: its comments' and its rules'.

    The rules go first: a block rule left behind by an erasure that failed halfway
    would keep the address in clear with nothing else to show for it, while comments
    left unerased are found again by the same request (each step is idempotent)."""
    rules: dict[str, int] = {}
    comments: dict[str, int] = {}
    for site in sites:
        rules[site] = await store.erase_rules_naming(site, email, actor, iso_from_ms(now_ms()))
        comments[site] = await store.erase_author(site, email, actor)
    return Erased(comments=comments, rules=rules)


async def apply_retention(
    store: Store, sites: tuple[SiteConfig, ...], at_ms: int
) -> dict[str, int]:
    """One bounded pass of every site's retention settings (at most 500 comments per rule
    and site); returns how many comments each rule touched."""
    totals = {"erased": 0, "purged": 0}
    for site in sites:
        if site.erase_personal_data_after_days is not None:
            cutoff = at_ms - site.erase_personal_data_after_days * DAY_MS
            totals["erased"] += await store.erase_decided_before(site.id, cutoff)
        if site.purge_spam_after_days is not None:
            cutoff = at_ms - site.purge_spam_after_days * DAY_MS
            totals["purged"] += await store.purge_spam_before(site.id, cutoff)
    return totals


@asynccontextmanager
async def retention(store: Store, sites: tuple[SiteConfig, ...]) -> AsyncIterator[None]:
    """Run retention in the background while inside, when any site configured it (the
    app's cleanup_ctx enters it)."""
    wanted = [s for s in sites if s.erase_personal_data_after_days or s.purge_spam_after_days]
    if not wanted:
        yield
        return

    async def loop(stop: asyncio.Event) -> None:
        await _retention_loop(store, sites, stop)

    async with background.running(loop):
        yield


async def _retention_loop(store: Store, sites: tuple[SiteConfig, ...], stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            totals = await apply_retention(store, sites, now_ms())
            if any(totals.values()):
                log.info("retention", extra=totals)
        except Exception as exc:  # Redis away: try again next round
            log.warning("retention pass failed", extra={"error": type(exc).__name__})
        await background.pause(stop, RETENTION_INTERVAL_SECONDS)
