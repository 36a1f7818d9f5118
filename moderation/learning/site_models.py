"""Each site's own model: kept in Redis so that every worker and every instance scores a
site with the same version, refreshed from there within seconds of a swap.

A site without a model of its own (or with ``learning = false``) is scored by the
default model (``ModelHolder``).  A model read from Redis is loaded as a model file is:
skops with trusted types only; one that fails to load is refused, logged, and the model
in use stays.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from classifier import ModelError, SpamModel
from moderation.config import SiteConfig
from moderation.core import background
from moderation.storage.errors import REDIS_ERRORS
from moderation.storage.store import Store

log = logging.getLogger("moderation.learning")

REFRESH_SECONDS = 2.0  # how soon another process's swap reaches this one


class SiteModels:
    """The model each site is scored with, in this process."""

    def __init__(self, store: Store, sites: Sequence[SiteConfig]) -> None:
        self.store = store
        self.learning_sites = [s.id for s in sites if s.learning]
        self._models: dict[str, SpamModel] = {}
        self._refused: dict[str, str] = {}  # site -> the version that failed to load

    def model_for(self, site: str) -> SpamModel | None:
        """The site's own model (None: it is scored by the default model)."""
        return self._models.get(site)

    def version_of(self, site: str) -> str | None:
        model = self._models.get(site)
        return model.version if model is not None else None

    def use(self, site: str, model: SpamModel | None) -> None:
        """Score ``site`` with ``model`` from now on (None: the default model)."""
        if model is None:
            self._models.pop(site, None)
        else:
            self._models[site] = model

    async def refresh(self, site: str) -> None:
        """Load the site's current version from Redis if it is not the one in use."""
        wanted = await self.store.site_model_version(site)
        if wanted is None:
            self.use(site, None)
            return
        if wanted == self.version_of(site) or self._refused.get(site) == wanted:
            return
        payload = await self.store.site_model_bytes(site, wanted)
        if payload is None:
            return  # swapped and pruned meanwhile: the next refresh finds the newer one
        try:
            model = await asyncio.to_thread(SpamModel.from_bytes, payload, f"site {site} model")
        except ModelError as exc:
            self._refused[site] = wanted
            log.error(
                "site model refused; keeping the one in use",
                extra={"site": site, "version": wanted, "error": str(exc)},
            )
            return
        self._refused.pop(site, None)
        self.use(site, model)
        log.info("site model in use", extra={"site": site, "version": model.version})

    def refreshing(self) -> contextlib.AbstractAsyncContextManager[None]:
        """Follow the swaps in Redis for as long as the block runs."""
        return background.running(self._follow)

    async def _follow(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            for site in self.learning_sites:
                try:
                    await self.refresh(site)
                except REDIS_ERRORS:
                    pass  # Redis away: keep the models in use; /readyz tells
            await background.pause(stop, REFRESH_SECONDS)
