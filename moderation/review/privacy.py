"""Authors' personal data: erasure on request (the API's web/admin.py and the command
line) and retention.

"Your email address will not be published" is a promise; keeping personal data only as
long as it is needed, and erasing it on request, is the rest of it (GDPR art. 17).
Erasure keeps each comment, its status and its history (whose actors are sites, models
and moderators, never authors) and removes name, email, url, IP, user agent and referrer
from the comment and from every index that names the author.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from moderation.config import SiteConfig
from moderation.core import background
from moderation.core.records import now_ms
from moderation.storage.store import Store

log = logging.getLogger("moderation.privacy")

DAY_MS = 24 * 3600 * 1000
RETENTION_INTERVAL_SECONDS = 600.0  # bounded work every 10 minutes, per worker


async def erase(store: Store, sites: list[str], email: str, actor: str) -> dict[str, int]:
    """Erase ``email``'s personal data on each of ``sites``; comments changed per site."""
    return {site: await store.erase_author(site, email, actor) for site in sites}


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
