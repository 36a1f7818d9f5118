"""The callback outbox: claiming due events, settling each attempt, listing and
redelivering, and the backlog's size."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from moderation.core import jsoncodec
from moderation.core.records import (
    now_ms,
)
from moderation.storage import keys
from moderation.storage.base import (
    CallbackState,
    Settled,
    StoreBase,
)
from moderation.storage.transport import (
    as_int,
    as_optional_texts,
    as_scored,
    as_scores,
    as_texts,
)


class OutboxStore(StoreBase):
    """The callback outbox: claiming due events, settling each attempt, listing and"""

    # -- decision callbacks ------------------------------------------------------------

    async def claim_callbacks(
        self, site: str, at_ms: int, lease_until_ms: int, limit: int
    ) -> tuple[list[tuple[str, dict[str, Any]]], int | None]:
        """Up to ``limit`` due events of ``site``, each now held until ``lease_until_ms``
        (no other process sends it meanwhile), and when the next event is due (None:
        none is queued)."""
        reply = await self._callback_claim(
            site=site,
            keys={
                "callback_due": keys.callback_due(site),
                "callback_events": keys.callback_events(site),
            },
            argv={"now_ms": at_ms, "lease_until_ms": lease_until_ms, "limit": limit},
        )
        next_due = int(float(reply[0])) if reply[0] else None
        claimed = [(reply[i], jsoncodec.loads(reply[i + 1])) for i in range(1, len(reply) - 1, 2)]
        return claimed, next_due

    async def release_callbacks(self, site: str, lease_until_ms: int, at_ms: int) -> int:
        """Make the events of a claim that ends at ``lease_until_ms`` due again at
        ``at_ms`` (the claimer never learnt what it claimed); how many there were."""
        released = await self._callback_release(
            site=site,
            keys={"callback_due": keys.callback_due(site)},
            argv={"lease_until_ms": lease_until_ms, "now_ms": at_ms},
        )
        return int(released)

    async def settle_callback(
        self,
        site: str,
        event_id: str,
        comment_id: str,
        lease_until_ms: int,
        outcome: Settled,
        record: Mapping[str, Any] | None = None,
        next_ms: int = 0,
    ) -> bool:
        """Record an attempt's outcome (``delivered``, ``retry`` at ``next_ms``, or
        ``dead``) with the event's new ``record``; False (and nothing changed) when the
        lease was no longer the caller's."""
        reply = await self._callback_settle(
            site=site,
            keys={
                "callback_due": keys.callback_due(site),
                "callback_events": keys.callback_events(site),
                "callback_pending": keys.callback_pending(site),
                "callback_dead": keys.callback_dead(site),
                "callback_heads": keys.callback_heads(site),
                "callback_queue": keys.callback_queue(site, comment_id),
            },
            argv={
                "event_id": event_id,
                "comment_id": comment_id,
                "lease_until_ms": lease_until_ms,
                "outcome": outcome,
                "record": jsoncodec.dumps(record) if record is not None else "",
                "next_ms": next_ms,
                "now_ms": now_ms(),
            },
        )
        return bool(reply == "ok")

    async def list_callbacks(
        self, site: str, state: CallbackState, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        """The ``state`` ("pending": oldest first, or "dead": latest first) deliveries of
        ``site``, at most ``limit``, each its record with ``next_attempt_ms`` (None for a
        dead one, and for one waiting behind an earlier event of its comment); and how
        many there are in all."""
        pending = state == CallbackState.PENDING
        index = keys.callback_pending(site) if pending else keys.callback_dead(site)
        ranked_reply, total_reply = await self.read(
            site,
            ("ZRANGE" if pending else "ZREVRANGE", index, 0, limit - 1, "WITHSCORES"),
            ("ZCARD", index),
        )
        ranked, total = as_scored(ranked_reply), as_int(total_reply)
        ids = [member for member, _ in ranked]
        if not ids:
            return [], total
        raw_reply, due_reply = await self.read(
            site,
            ("HMGET", keys.callback_events(site), *ids),
            ("ZMSCORE", keys.callback_due(site), *ids),
        )
        raw, due = as_optional_texts(raw_reply), as_scores(due_reply)
        listed = []
        for (event_id, score), record, due_ms in zip(ranked, raw, due, strict=True):
            if record is None:  # settled between the two reads
                continue
            entry: dict[str, Any] = jsoncodec.loads(record)
            entry["event_id"] = event_id
            entry["next_attempt_ms"] = int(due_ms) if due_ms is not None else None
            if not pending:
                entry["dead_ms"] = int(score)
            listed.append(entry)
        return listed, total

    async def callback_backlog(self, site: str) -> tuple[int, int | None]:
        """How many events of ``site`` wait for delivery, and when the oldest was queued."""
        count, first = await self.read(
            site,
            ("ZCARD", keys.callback_pending(site)),
            ("ZRANGE", keys.callback_pending(site), 0, 0, "WITHSCORES"),
        )
        oldest = as_scored(first)
        return as_int(count), int(oldest[0][1]) if oldest else None

    async def redeliver_callbacks(self, site: str, event_ids: Sequence[str] | None) -> list[str]:
        """Queue dead events of ``site`` again (all of them when ``event_ids`` is None),
        each with a new give-up period; answers the ids queued (others were not dead)."""
        dead_key = keys.callback_dead(site)
        ids: Sequence[str]
        if event_ids is None:
            [dead] = await self.read(site, ("ZRANGE", dead_key, 0, -1))
            ids = as_texts(dead)
        else:
            ids = event_ids
        queued: list[str] = []
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            [reply] = await self.read(site, ("HMGET", keys.callback_events(site), *chunk))
            raw = as_optional_texts(reply)
            found = [
                (event_id, jsoncodec.loads(record)["comment_id"])
                for event_id, record in zip(chunk, raw, strict=True)
                if record is not None
            ]
            if not found:
                continue
            queued += await self._callback_redeliver(
                site=site,
                keys={
                    "callback_dead": dead_key,
                    "callback_events": keys.callback_events(site),
                    "callback_pending": keys.callback_pending(site),
                    "callback_due": keys.callback_due(site),
                    "callback_heads": keys.callback_heads(site),
                },
                argv={"now_ms": now_ms()},
                keys_tail=[keys.callback_queue(site, comment) for _, comment in found],
                argv_tail=[part for pair in found for part in pair],
            )
        if queued:
            self._queued(site)
        return queued
