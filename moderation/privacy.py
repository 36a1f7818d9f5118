"""Authors' personal data: erasure on request (API and command line) and retention.

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

from aiohttp import web

from moderation.appkeys import AUTH, CONFIG, STORE
from moderation.config import Config, SiteConfig
from moderation.records import now_ms
from moderation.storage.store import Store
from moderation.web.bodies import ErasureRequest, parse
from moderation.web.http import json_response, read_json_object
from moderation.web.problems import forbidden, not_found

log = logging.getLogger("moderation.privacy")

DAY_MS = 24 * 3600 * 1000
RETENTION_INTERVAL_SECONDS = 600.0  # bounded work every 10 minutes, per worker


async def erase(store: Store, sites: list[str], email: str, actor: str) -> dict[str, int]:
    """Erase ``email``'s personal data on each of ``sites``; comments changed per site."""
    return {site: await store.erase_author(site, email, actor) for site in sites}


async def post_erasure(request: web.Request) -> web.Response:
    """POST /v1/erasure {"author_email", "site"?}: admins only, on their own sites."""
    moderator = await request.app[AUTH].moderator(request)
    if not moderator.admin:
        raise forbidden("Erasure needs a moderator with admin = true.")
    body = parse(ErasureRequest, await read_json_object(request, 64 * 1024))
    config = request.app[CONFIG]
    if body.site is not None:
        if not moderator.may_moderate(body.site) or config.site(body.site) is None:
            raise not_found(f"No site '{body.site}'.")
        sites = [body.site]
    else:
        sites = [s.id for s in config.sites if moderator.may_moderate(s.id)]
    counts = await erase(request.app[STORE], sites, body.author_email, moderator.name)
    log.info("erasure", extra={"moderator": moderator.name, "comments": sum(counts.values())})
    return json_response({"erased": counts})


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


async def retention_ctx(app: web.Application) -> AsyncIterator[None]:
    """Run retention in the background when any site configured it."""
    config: Config = app[CONFIG]
    wanted = [
        s for s in config.sites if s.erase_personal_data_after_days or s.purge_spam_after_days
    ]
    task = asyncio.create_task(_retention_loop(app)) if wanted else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def _retention_loop(app: web.Application) -> None:
    while True:
        try:
            totals = await apply_retention(app[STORE], app[CONFIG].sites, now_ms())
            if any(totals.values()):
                log.info("retention", extra=totals)
        except Exception as exc:  # Redis away: try again next round
            log.warning("retention pass failed", extra={"error": type(exc).__name__})
        await asyncio.sleep(RETENTION_INTERVAL_SECONDS)
