"""Decision callbacks: every decision the CMS asked to hear of is POSTed to the site's
``callback_url``, signed as intake requests are, and retried until it is delivered or
its give-up period is over (then it is dead: kept, listed, counted, redeliverable).

The outbox is in Redis, written by the very script that makes the decision
(storage/scripts.py), so an acknowledged decision always has its event.  Every service
process runs a :class:`Deliverer`; a process claims due events for a lease, so two
processes never send one event at once, and an event whose sender died goes out again
when its lease ends (at least once, under the same ``event_id``).  Each site has a loop
and a bound on its deliveries in flight of its own, so a slow or dead CMS holds up
nobody else, and intake never waits for a callback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from moderation.config import SiteConfig
from moderation.core import background, jsoncodec
from moderation.core.metrics import Metrics
from moderation.core.records import iso_from_ms, now_ms
from moderation.core.signing import sign
from moderation.storage.errors import REDIS_ERRORS
from moderation.storage.store import Settled, Store

log = logging.getLogger("moderation.callbacks")

SIGNATURE_HEADER = "X-Moderation-Signature"
EVENT_HEADER = "X-Moderation-Event"
DELIVERY_HEADER = "X-Moderation-Delivery"
ATTEMPT_HEADER = "X-Moderation-Attempt"
USER_AGENT = "moderation-callbacks/1"

MAX_BACKOFF_SECONDS = 3600.0
IN_FLIGHT_PER_SITE = 8  # per process: a dead CMS ties up at most this many connections
POLL_SECONDS = 1.0  # how often a site's outbox is looked at when nothing wakes the loop
LEASE_MARGIN_SECONDS = 30.0  # a claim outlives the attempt's timeout by this much
UNANSWERED_KEPT = 16  # claims whose reply was lost, given back when Redis is back


def backoff_seconds(attempt: int, first: float) -> float:
    """The wait after failed attempt number ``attempt`` (1, 2, ...): ``first`` doubled
    each time, at most an hour, with jitter (the later half of it), so that retries of
    many events do not arrive at a recovering CMS at once."""
    ceiling = min(MAX_BACKOFF_SECONDS, first * 2.0 ** min(attempt - 1, 30))
    return ceiling * random.uniform(0.5, 1.0)


def body_of(site: str, record: dict[str, Any]) -> bytes:
    """The JSON a CMS receives, the same bytes on every attempt (the record is
    immutable but for its delivery state, which is not in the body)."""

    def text(name: str) -> str | None:
        value = record.get(name)
        return value if isinstance(value, str) and value != "" else None

    score = record.get("spam_score")
    # '' or absent: the model had no abuse head (or the event was queued before abuse
    # scores existed)
    abuse = record.get("abuse_score")
    comment = {
        "id": record["comment_id"],
        "external_id": text("external_id"),
        "post_id": text("post_id"),
        "status": record["status"],
        "previous_status": text("previous_status"),
        "spam_score": float(score) if score not in (None, "") else None,
        "abuse_score": float(abuse) if abuse not in (None, "") else None,
        "decision_reason": text("reason"),
        "decided_by": text("decided_by"),
        "rule": text("rule"),
        "note": text("note"),
    }
    return jsoncodec.dumps(
        {
            "event_id": record["event_id"],
            "type": record["type"],
            "site": site,
            "occurred_at": iso_from_ms(int(record["ms"])),
            "comment": comment,
        }
    ).encode()


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one POST came to: ``error`` is None when it was delivered."""

    error: str | None
    status: int | None = None


async def post_once(
    session: aiohttp.ClientSession, site: SiteConfig, record: dict[str, Any], attempt: int
) -> Attempt:
    """One signed POST of the event; a 2xx within the timeout delivers it, anything else
    (another status, a redirect, which is never followed, a timeout, no connection) is
    an error to retry."""
    assert site.callback_url is not None and site.callback_secret is not None
    body = body_of(site.id, record)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(site.callback_secret, int(time.time()), body),
        EVENT_HEADER: record["type"],
        DELIVERY_HEADER: record["event_id"],
        ATTEMPT_HEADER: str(attempt),
    }
    timeout = site.callback_timeout_seconds
    try:
        async with asyncio.timeout(timeout):
            async with session.post(
                site.callback_url, data=body, headers=headers, allow_redirects=False
            ) as response:
                status = response.status
                # the answer's body means nothing here; read a little so the
                # connection can be reused, never all of a hostile one
                await response.content.read(4096)
    except TimeoutError:
        return Attempt(f"no answer within {timeout:g} s")
    except aiohttp.ClientError as exc:
        return Attempt(f"{type(exc).__name__}: {_short(exc)}")
    except OSError as exc:
        return Attempt(f"{type(exc).__name__}: {exc.strerror or exc}")
    if 200 <= status < 300:
        return Attempt(None, status)
    if 300 <= status < 400:
        return Attempt(f"HTTP {status} (a redirect, which is not followed)", status)
    return Attempt(f"HTTP {status}", status)


def _short(exc: BaseException) -> str:
    return str(exc)[:200] or type(exc).__name__


class Deliverer:
    """Delivers the callbacks of every site with a ``callback_url``, from this process."""

    def __init__(self, store: Store, sites: Sequence[SiteConfig], metrics: Metrics) -> None:
        self.store = store
        self.sites = {s.id: s for s in sites if s.callback_url is not None}
        self.metrics = metrics
        self._wake = {site: asyncio.Event() for site in self.sites}
        self._in_flight: dict[str, set[asyncio.Task[None]]] = {site: set() for site in self.sites}
        self._redis_trouble = False
        self._stop = asyncio.Event()  # see moderation.core.background: set before cancelling

    def wake(self, site: str) -> None:
        """Something was queued for ``site``: look at once rather than at the next poll."""
        event = self._wake.get(site)
        if event is not None:
            event.set()

    @contextlib.asynccontextmanager
    async def running(self, session: aiohttp.ClientSession) -> AsyncIterator[None]:
        loops = [asyncio.create_task(self._site_loop(site, session)) for site in self.sites]
        try:
            yield
        finally:
            self._stop.set()
            for event in self._wake.values():
                event.set()
            for loop in loops:
                loop.cancel()
            await asyncio.gather(*loops, return_exceptions=True)
            # deliveries in flight may finish (a CMS answering now is not asked twice);
            # what is left is cancelled and goes out again when its lease ends
            flying = [t for tasks in self._in_flight.values() for t in tasks]
            if flying:
                _, late = await asyncio.wait(flying, timeout=2.0)
                for task in late:
                    task.cancel()
                await asyncio.gather(*flying, return_exceptions=True)

    async def _site_loop(self, site_id: str, session: aiohttp.ClientSession) -> None:
        site = self.sites[site_id]
        wake = self._wake[site_id]
        in_flight = self._in_flight[site_id]
        lease_ms = int((site.callback_timeout_seconds + LEASE_MARGIN_SECONDS) * 1000)
        unanswered: list[int] = []  # leases of claims whose reply never came
        while not self._stop.is_set():
            wake.clear()
            wait = POLL_SECONDS
            free = IN_FLIGHT_PER_SITE - len(in_flight)
            if free > 0:
                at = now_ms()
                try:
                    while unanswered:
                        await self.store.release_callbacks(site_id, unanswered[-1], at)
                        unanswered.pop()
                    claimed, next_due = await self.store.claim_callbacks(
                        site_id, at, at + lease_ms, free
                    )
                except REDIS_ERRORS as exc:
                    # the claim may have run before the connection went: its events
                    # would wait a whole lease unless given back when Redis is back
                    # (kept for the last few: an older one's events go out when its
                    # lease ends, as after a crash)
                    unanswered = [*unanswered[-(UNANSWERED_KEPT - 1) :], at + lease_ms]
                    self._trouble(exc)
                    await background.pause(self._stop, POLL_SECONDS)
                    continue
                except Exception:
                    # a bug must not end this site's deliveries for the process's life
                    log.exception("callback claim failed unexpectedly", extra={"site": site_id})
                    await background.pause(self._stop, POLL_SECONDS)
                    continue
                self._recovered()
                for event_id, record in claimed:
                    record["event_id"] = event_id
                    task = asyncio.create_task(self._deliver(site, session, record, at + lease_ms))
                    in_flight.add(task)
                    task.add_done_callback(self._finished(site_id, in_flight))
                if next_due is not None and len(in_flight) < IN_FLIGHT_PER_SITE:
                    wait = min(wait, max(0.0, (next_due - now_ms()) / 1000))
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await wake.wait()

    def _finished(
        self, site_id: str, in_flight: set[asyncio.Task[None]]
    ) -> Callable[[asyncio.Task[None]], None]:
        def done(task: asyncio.Task[None]) -> None:
            in_flight.discard(task)
            if not task.cancelled() and task.exception() is not None:
                log.error(
                    "callback delivery failed unexpectedly",
                    exc_info=task.exception(),
                    extra={"site": site_id},
                )
            self.wake(site_id)  # a slot is free, and the comment's next event may be due

        return done

    async def _deliver(
        self,
        site: SiteConfig,
        session: aiohttp.ClientSession,
        record: dict[str, Any],
        lease_until_ms: int,
    ) -> None:
        attempt = int(record["attempts"])  # counted when it was claimed
        result = await post_once(session, site, record, attempt)
        record = dict(record)
        event_id = record.pop("event_id")
        fields = {"site": site.id, "event_id": event_id, "attempt": attempt}
        if result.error is None:
            outcome, next_ms = Settled.DELIVERED, 0
            if record.get("failing"):
                log.info("callback delivered after failures", extra=fields)
        else:
            record["last_error"] = result.error
            queued_ms = int(record.get("queued_ms", record["ms"]))
            give_up_ms = queued_ms + int(site.callback_give_up_hours * 3600 * 1000)
            at = now_ms()
            if at >= give_up_ms:
                outcome, next_ms = Settled.DEAD, 0
                log.warning(
                    "callback dead: given up",
                    extra={**fields, "error": result.error, "status": result.status},
                )
            else:
                outcome = Settled.RETRY
                wait_ms = int(backoff_seconds(attempt, site.callback_retry_seconds) * 1000)
                next_ms = min(at + wait_ms, give_up_ms)
                if not record.get("failing"):
                    record["failing"] = True
                    log.warning(
                        "callback failing: will retry",
                        extra={**fields, "error": result.error, "status": result.status},
                    )
        settled = await self._settle(site.id, event_id, record, lease_until_ms, outcome, next_ms)
        if settled:
            label = "retried" if outcome == Settled.RETRY else outcome.value
            self.metrics.callback_deliveries.labels(site.id, label).inc()

    async def _settle(
        self,
        site_id: str,
        event_id: str,
        record: dict[str, Any],
        lease_until_ms: int,
        outcome: Settled,
        next_ms: int,
    ) -> bool:
        """Record the outcome.  Redis trouble is tried again until the lease ends (after
        that another process may send the event anyway): an outcome learnt during an
        outage is not thrown away, so a delivered event is not sent twice."""
        wait = 0.1
        while True:
            try:
                return await self.store.settle_callback(
                    site_id,
                    event_id,
                    record["comment_id"],
                    lease_until_ms,
                    outcome,
                    record,
                    next_ms,
                )
            except REDIS_ERRORS as exc:
                self._trouble(exc)
                if now_ms() + wait * 1000 >= lease_until_ms:
                    return False
                await asyncio.sleep(wait)
                wait = min(wait * 2, 1.0)

    def _trouble(self, exc: BaseException) -> None:
        if not self._redis_trouble:  # once per outage, not per poll
            self._redis_trouble = True
            log.warning("callbacks paused: Redis unavailable", extra={"error": _short(exc)})

    def _recovered(self) -> None:
        if self._redis_trouble:
            self._redis_trouble = False
            log.info("callbacks resumed: Redis is back")


@contextlib.asynccontextmanager
async def delivering(deliverer: Deliverer) -> AsyncIterator[None]:
    """Run ``deliverer`` (if any site has callbacks) for as long as the block runs."""
    if not deliverer.sites:
        yield
        return
    connector = aiohttp.TCPConnector(limit=IN_FLIGHT_PER_SITE * len(deliverer.sites) + 8)
    async with aiohttp.ClientSession(connector=connector) as session:
        async with deliverer.running(session):
            yield
