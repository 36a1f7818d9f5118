"""Abuse scores for the pending comments stored before the service scored abuse.

A service upgraded to a version with abuse heads still has comments waiting that were
stored without an abuse score: ``order=abuse`` would list them last and ``min_abuse``
leave them out, so the most abusive comment of last week could wait behind every new
one.  At start, once the model is loaded, each process walks each site's pending
comments (oldest first, a slice at a time), scores the text of those without an abuse
score with the model's abuse heads and files the score (storage's ABUSE_FILL: only if the
comment is still pending, still unscored and its data unchanged, so a decision, an edit
or another worker's fill made meanwhile wins).  Several workers may walk at once; each
comment is filed once and the others find it scored.

The score only sorts and filters the queue: no site rule (``hold_abuse_above``,
``reject_abuse_above``) is applied to a comment that is already waiting for a moderator.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from classifier import SpamModel
from moderation.core import background, jsoncodec
from moderation.core.records import history_line, now_ms
from moderation.learning.examples import example_of
from moderation.learning.model_holder import ModelHolder
from moderation.storage.errors import REDIS_ERRORS
from moderation.storage.store import AbuseFill, Store

log = logging.getLogger("moderation.abuse_backfill")

CHUNK = 200  # pending comments looked at per round trip (and scored per batch)
# A decision made during a walk shifts the comments after it one rank down, so one may be
# skipped: walk again while a walk still finds some, a few times at most.
WALKS = 3
RETRY_SECONDS = 5.0  # Redis away: look again after this


async def fill_site(store: Store, site: str, model: SpamModel) -> int:
    """One walk of ``site``'s pending comments; returns how many abuse scores it filed."""
    filled = 0
    start = 0
    while True:
        ranks, unscored = await store.unscored_pending(site, start, CHUNK)
        if unscored:
            filled += await _fill(store, site, model, unscored)
        if ranks < CHUNK:
            return filled
        start += CHUNK


async def _fill(
    store: Store, site: str, model: SpamModel, unscored: Sequence[tuple[str, str]]
) -> int:
    rows: list[tuple[str, str, dict[str, Any]]] = []
    for comment_id, raw in unscored:
        try:
            data = jsoncodec.loads(raw)
        except ValueError:
            continue  # not JSON: nothing this walk can score (the record reader says why)
        if isinstance(data, dict):
            rows.append((comment_id, raw, data))
    if not rows:
        return 0
    # the scoring is CPU work: off the event loop, so requests are not held up meanwhile
    scores = await asyncio.to_thread(model.score_batch, [example_of(d) for _, _, d in rows])
    at = now_ms()
    actor = f"model:{model.abuse_version}"
    fills: list[AbuseFill] = []
    for (comment_id, raw, data), score in zip(rows, scores, strict=True):
        if score.abuse is None:
            continue
        if score.abuse_reasons:  # as intake stores them: only when there are some
            data = {**data, "abuse_reasons": list(score.abuse_reasons)}
        history = history_line(
            "scored",
            actor,
            at,
            abuse_score=round(score.abuse, 4),
            abuse_reasons=list(score.abuse_reasons),
        )
        fills.append(
            AbuseFill(
                comment_id,
                # a checksum of what was scored, not a secret: SHA-1 is what Lua's
                # redis.sha1hex computes on the other side
                hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest(),
                jsoncodec.dumps(data),
                score.abuse,
                history,
            )
        )
    # the chunk's fills in one round trip, each still a check-and-set of its own
    outcomes = await store.fill_abuse_many(site, fills)
    return outcomes.count("filled")


async def backfill(store: Store, sites: Sequence[str], holder: ModelHolder) -> dict[str, int]:
    """Walk every site until a walk files nothing (at most ``WALKS`` times); the number
    of scores filed per site.  Nothing to do when the model has no abuse heads."""
    model = holder.model
    if model is None or model.abuse_version is None:
        return {}
    done: dict[str, int] = {}
    for site in sites:
        total = 0
        for _ in range(WALKS):
            filled = await fill_site(store, site, model)
            total += filled
            if not filled:
                break
        done[site] = total
    return done


@asynccontextmanager
async def filling(
    store: Store, sites: Sequence[str], holder: ModelHolder
) -> AsyncIterator[asyncio.Event]:
    """Backfill in the background once, when the model has loaded (the app's cleanup_ctx
    enters it); Redis trouble is waited out and the walk started again.  The event it
    gives is set when the backfill has finished."""
    finished = asyncio.Event()

    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            if holder.model is None:
                # at once when the model is in use: before the first comments, as a
                # rule, since /readyz says ready at the same moment
                await background.first_of(holder.loaded, stop)
                continue
            try:
                done = await backfill(store, sites, holder)
            except REDIS_ERRORS as exc:
                log.warning("abuse backfill waits for Redis", extra={"error": str(exc)})
                await background.pause(stop, RETRY_SECONDS)
                continue
            if any(done.values()):
                log.info(
                    "abuse scores filed for pending comments stored without one",
                    extra={"filled": done},
                )
            finished.set()
            return

    async with background.running(run):
        yield finished
