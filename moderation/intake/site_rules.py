"""Each site's rules from the API, compiled in this process and kept in step with Redis.

Intake never reads rules from Redis: it matches a comment against the compiled set this
process holds (``CompiledRules.match``, a few lookups).  The set follows Redis two ways:
every change to a site's rules bumps its version counter in the same atomic step, and

- a background loop reads every site's version (one GET per site, in one round trip per
  Redis node) each ``REFRESH_SECONDS`` and recompiles a site whose version moved, so a
  change made through another instance is in force here within about that long (plus
  one read of the site's rules);
- the instance that makes a change recompiles the site before it answers, so the next
  comment it takes is decided by the new rules.

Refreshes of one site run one at a time, so a slower, older read never replaces a newer
set.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from moderation.config import SiteConfig
from moderation.core import background
from moderation.intake.rules import NO_RULES, CompiledRules, RuleList
from moderation.intake.validation import CommentIn
from moderation.storage.errors import REDIS_ERRORS
from moderation.storage.store import Store

log = logging.getLogger("moderation.intake")

REFRESH_SECONDS = 1.0  # how soon another instance's rule change reaches this one


class SiteRules:
    """The API's rules of every site, as this process applies them."""

    def __init__(self, store: Store, sites: Sequence[SiteConfig]) -> None:
        self.store = store
        self.sites = [s.id for s in sites]
        self._compiled: dict[str, CompiledRules] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def rules_of(self, site: str) -> CompiledRules:
        return self._compiled.get(site, NO_RULES)

    def match(self, site: str, comment: CommentIn) -> tuple[RuleList, str] | None:
        """The list (and rule) of ``site``'s API rules that decides ``comment``, if any."""
        compiled = self._compiled.get(site)
        return compiled.match(comment) if compiled is not None else None

    async def refresh(self, site: str) -> CompiledRules:
        """Read and compile the site's rules now (after this process changed them)."""
        lock = self._locks.setdefault(site, asyncio.Lock())
        async with lock:
            version, records = await self.store.rules_of(site)
            held = self._compiled.get(site)
            if held is not None and held.version == version:
                return held
            compiled = CompiledRules(records, version)
            self._compiled[site] = compiled
            log.info(
                "site rules in force",
                extra={"site": site, "version": version, "rules": compiled.count},
            )
            return compiled

    async def refresh_changed(self) -> None:
        """Recompile the sites whose version in Redis is not the one held."""
        if not self.sites:
            return
        versions = await self.store.rules_versions(self.sites)
        for site, version in versions.items():
            held = self._compiled.get(site)
            if held is None or held.version != version:
                await self.refresh(site)

    def following(self) -> contextlib.AbstractAsyncContextManager[None]:
        """Follow the rule changes in Redis for as long as the block runs."""
        return background.running(self._follow)

    async def _follow(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.refresh_changed()
            except REDIS_ERRORS:
                pass  # Redis away: the rules in force stay; /readyz tells
            await background.pause(stop, REFRESH_SECONDS)
