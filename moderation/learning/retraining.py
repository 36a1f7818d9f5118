"""Per-site retraining: when a site has ``[learning] retrain_after_labels`` new labels, a
candidate model is trained on the seed corpus and that site's labels, compared with the
model in use on the site's most recent labels (held out of its training), and swapped
in only if it is no worse (``classifier.site_learning``).  The comparison is recorded
either way.

The training runs in a worker process of its own, never on the event loop, so intake
never waits for it.  With several workers or instances on one Redis a lock in Redis
makes it run once per site; the new model reaches every process through Redis
(``site_models.SiteModels``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from classifier import Comment, ModelError, SpamModel
from moderation.config import Config
from moderation.core import background
from moderation.core.metrics import Metrics
from moderation.core.records import Status, now_ms
from moderation.learning.examples import example_of
from moderation.learning.site_models import SiteModels
from moderation.storage.errors import REDIS_ERRORS
from moderation.storage.store import Store

log = logging.getLogger("moderation.learning")

CHECK_SECONDS = 5.0  # how often each site's count of new labels is looked at
LOCK_SECONDS = 900  # a retrain that takes longer than this is presumed dead


class RetrainOutcome(StrEnum):
    """What a retrain came to (also the label of ``moderation_model_retrains_total``)."""

    SWAPPED = "swapped"  # the new model does at least as well: it scores the site now
    KEPT = "kept"  # it did worse on the held-out labels: the current one stays
    FAILED = "failed"
    SKIPPED = "skipped"  # another process holds the site's retrain lock


@dataclass(frozen=True, slots=True)
class Retrained:
    outcome: RetrainOutcome
    version: str | None
    record: dict[str, Any]


def _train(
    current_bytes: bytes | None,
    comments: list[Comment],
    labels: list[bool],
    holdout_fraction: float,
) -> tuple[bytes | None, bool, dict[str, Any]]:
    """In the worker process: the candidate's file bytes (when swapped) and the record."""
    from classifier.site_learning import load_seed, retrain_site

    current = (
        SpamModel.from_bytes(current_bytes, "current site model")
        if current_bytes is not None
        else SpamModel.default()
    )
    seed_comments, seed_labels = load_seed()
    result = retrain_site(
        None,
        seed_comments,
        seed_labels,
        comments,
        labels,
        holdout_fraction=holdout_fraction,
        current=current,
    )
    payload = result.model.to_bytes() if result.swapped else None
    return payload, result.swapped, result.record


class Retrainer:
    """Retrains the sites of this service as their labels come in."""

    def __init__(self, config: Config, store: Store, models: SiteModels, metrics: Metrics) -> None:
        self.config = config
        self.store = store
        self.models = models
        self.metrics = metrics
        self.sites = [s.id for s in config.sites if s.learning] if config.learning.enabled else []
        self._pool: ProcessPoolExecutor | None = None

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        if not self.sites:
            yield
            return
        try:
            async with background.running(self._loop):
                yield
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None

    def _worker(self) -> ProcessPoolExecutor:
        """The retrain's process, started at the first retrain (a service that never
        retrains starts none)."""
        if self._pool is None:
            import multiprocessing

            # spawn, not fork: the service's event loop and sockets stay out of it
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    async def _loop(self, stop: asyncio.Event) -> None:
        every = self.config.learning.retrain_after_labels
        while not stop.is_set():
            await background.pause(stop, CHECK_SECONDS)
            for site in self.sites:
                if stop.is_set():
                    break
                try:
                    counts = await self.store.label_counts(site)
                    if counts["new"] >= every:
                        await self.retrain(site)
                except REDIS_ERRORS:
                    pass  # Redis away: the next round tries again

    async def retrain(self, site: str) -> Retrained:
        """Retrain ``site`` now, unless another process is doing so."""
        token = secrets.token_hex(8)
        if not await self.store.lock_retrain(site, token, LOCK_SECONDS):
            return Retrained(
                RetrainOutcome.SKIPPED, None, {"reason": "another process is retraining"}
            )
        try:
            return await self._retrain(site)
        finally:
            await self.store.unlock_retrain(site, token)

    async def _retrain(self, site: str) -> Retrained:
        counts = await self.store.label_counts(site)
        labelled = await self.store.labelled(site)
        records = await self.store.get_many(site, [cid for cid, _, _ in labelled])
        by_id = {r.id: r for r in records}
        comments: list[Comment] = []
        labels: list[bool] = []
        for comment_id, spam, _ in labelled:
            stored = by_id.get(comment_id)
            if stored is None or stored.status not in (Status.APPROVED, Status.SPAM):
                continue
            comments.append(example_of(stored.data))
            labels.append(spam)
        current = self.models.version_of(site)
        current_bytes = (
            await self.store.site_model_bytes(site, current) if current is not None else None
        )
        loop = asyncio.get_running_loop()
        started = now_ms()
        try:
            payload, swapped, record = await loop.run_in_executor(
                self._worker(),
                _train,
                current_bytes,
                comments,
                labels,
                self.config.learning.holdout_fraction,
            )
        except (ModelError, ValueError, RuntimeError, OSError) as exc:
            self.metrics.model_retrains.labels(site, RetrainOutcome.FAILED).inc()
            log.error("retrain failed", extra={"site": site, "error": str(exc)[:300]})
            await self.store.record_retrain(
                site, {"outcome": RetrainOutcome.FAILED, "error": str(exc)[:300]}
            )
            return Retrained(RetrainOutcome.FAILED, None, {"error": str(exc)})
        record = {
            **record,
            "started_ms": started,
            "labels": {"ham": counts["ham"], "spam": counts["spam"]},
        }
        await self.store.take_new_labels(site, counts["new"])
        if not swapped or payload is None:
            self.metrics.model_retrains.labels(site, RetrainOutcome.KEPT).inc()
            await self.store.record_retrain(site, record)
            log.info("retrain kept the model in use", extra={"site": site})
            return Retrained(RetrainOutcome.KEPT, current, record)
        model = SpamModel.from_bytes(payload, f"site {site} model")
        await self.store.put_site_model(site, model.version, payload, record)
        self.models.use(site, model)
        self.metrics.model_retrains.labels(site, RetrainOutcome.SWAPPED).inc()
        log.info("site model swapped", extra={"site": site, "version": model.version})
        return Retrained(RetrainOutcome.SWAPPED, model.version, record)
