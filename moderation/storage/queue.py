"""The review queue's state changes: claims and releases, moderators' decisions (one
or a bulk), undo, and a CMS's own decisions; each one atomic script."""

from __future__ import annotations

from collections.abc import Sequence

from moderation.core.records import (
    CMS_ACTOR,
    CallbackEvent,
    CommentRecord,
    Decision,
    RejectReason,
    Status,
    history_line,
    now_ms,
    site_of,
    utc_day,
)
from moderation.storage import keys, scripts
from moderation.storage.base import (
    DAY_MS,
    DECISIONS_DAY_TTL_SECONDS,
    UNDO_ATTEMPTS,
    UNDO_WINDOW_MS,
    Order,
    Outcome,
    OutcomeKind,
    callback_keys,
    decide_outcome,
    in_range,
    label_keys,
    status_indexes,
    undo_outcome,
)
from moderation.storage.comments import CommentStore
from moderation.storage.transport import Command, as_scores, as_text, as_texts


class QueueStore(CommentStore):
    """The review queue's state changes: claims and releases, moderators' decisions (one"""

    # -- moderation --------------------------------------------------------------------

    async def decide(
        self,
        comment_id: str,
        moderator: str,
        decision: Decision,
        note: str,
        *,
        override: bool = False,
        reason: RejectReason | None = None,
    ) -> Outcome:
        [outcome] = await self.decide_many(
            [(comment_id, decision, note)], moderator, override=[override], reasons=[reason]
        )
        return outcome

    async def decide_many(
        self,
        items: Sequence[tuple[str, Decision, str]],
        moderator: str,
        *,
        override: Sequence[bool] | None = None,
        reasons: Sequence[RejectReason | None] | None = None,
    ) -> list[Outcome]:
        """Decide each (id, decision, note) atomically on its own, all in one pipeline:
        a bulk of 500 costs one round trip, and one failing item never fails the rest.
        A decision counts on the UTC day of its own time (``decided_ms``), which is also
        the day an undo takes it back from.

        ``override`` (one flag per item, all false by default): re-decide that comment
        whatever its status and whoever decided it or holds its claim (``DECIDE``);
        without it a decided comment is ``decided`` and one another moderator holds is
        ``claimed``.  An override counts as a decision of its own on its day; the one
        it replaced still counts for whoever made it (an undo takes a decision back, an
        override does not).

        ``reasons`` (one per item, None by default): a rejection's reason, kept in the
        record, its history line and its callback; ``abuse`` labels the comment abusive.
        A reason given with another decision is the caller's mistake (ValueError)."""
        if override is not None and len(override) != len(items):
            raise ValueError("decide_many: one override flag per item")
        if reasons is not None and len(reasons) != len(items):
            raise ValueError("decide_many: one reason (or None) per item")
        at = now_ms()
        day = utc_day(at)
        outcomes: list[Outcome | None] = [None] * len(items)
        sent: dict[str, list[int]] = {}
        by_site: dict[str, list[Command]] = {}
        for index, (comment_id, decision, note) in enumerate(items):
            site = site_of(comment_id)
            if site is None:
                outcomes[index] = Outcome(OutcomeKind.MISSING)
                continue
            status = decision.status
            reason = reasons[index] if reasons is not None else None
            if reason is not None and decision != Decision.REJECT:
                raise ValueError("decide_many: only a rejection carries a reason")
            callback, event_id = self._callback_argv(site, CallbackEvent.DECIDED)
            by_site.setdefault(site, []).append(
                scripts.DECIDE.command(
                    {
                        "comment": keys.comment(site, comment_id),
                        **status_indexes(site),
                        "claims": keys.claims(site),
                        "events": keys.events(site),
                        "decisions_day": keys.decisions_per_day(site, day),
                        "approved_authors": keys.approved_authors(site),
                        "decided_index": keys.decided(site),
                        "claim_holders": keys.claim_holders(site),
                        **callback_keys(site, comment_id),
                        **label_keys(site),
                    },
                    {
                        "id": comment_id,
                        "moderator": moderator,
                        "new_status": status.value,
                        "now_ms": at,
                        "history_line": history_line(
                            "decided",
                            moderator,
                            at,
                            status=status.value,
                            reason=reason.value if reason else None,
                            note=note or None,
                        ),
                        "note": note,
                        "reason": reason.value if reason else "",
                        "decisions_day_ttl": DECISIONS_DAY_TTL_SECONDS,
                        "events_maxlen": self.events_maxlen,
                        "callback": callback,
                        "event_id": event_id,
                        "override": "1" if override is not None and override[index] else "0",
                    },
                )
            )
            sent.setdefault(site, []).append(index)
        replies = await self._decide.run(by_site)
        for got in replies.values():
            for reply in got:
                if isinstance(reply, BaseException):
                    raise reply  # Redis trouble: the middleware answers 503
        for site, indexes in sent.items():
            for index, reply in zip(indexes, replies[site], strict=True):
                outcomes[index] = decide_outcome(reply)
            if site in self.callbacks:
                self._queued(site)
        return [o if o is not None else Outcome(OutcomeKind.MISSING) for o in outcomes]

    async def undo(self, comment_id: str, moderator: str) -> Outcome:
        """Take back ``moderator``'s own latest decision (within the undo window).

        One script call reads the status and moves the id out of exactly the zset that
        status implies; nothing is read beforehand.  Only the decisions-per-day hash must
        be named in advance: the first guess is today's (an undoable decision is minutes
        old), and a decision made on another day (just before midnight UTC) is answered
        'stale' with its time, so the second call names that day's hash."""
        site = site_of(comment_id)
        if site is None:
            return Outcome(OutcomeKind.MISSING)
        at = now_ms()

        # the script picks the zset and the history line by the status it reads
        def undone(was: Status) -> str:
            return history_line("undone", moderator, at, status="pending", was=was.value)

        day_of = at
        callback, event_id = self._callback_argv(site, CallbackEvent.UNDONE)
        for _ in range(UNDO_ATTEMPTS):
            day_start = day_of - day_of % DAY_MS
            reply = await self._undo(
                site=site,
                keys={
                    "comment": keys.comment(site, comment_id),
                    **status_indexes(site),
                    "events": keys.events(site),
                    "decided_index": keys.decided(site),
                    "decisions_day": keys.decisions_per_day(site, utc_day(day_start)),
                    "approved_authors": keys.approved_authors(site),
                    **callback_keys(site, comment_id),
                    **label_keys(site),
                },
                argv={
                    "id": comment_id,
                    "moderator": moderator,
                    "now_ms": at,
                    "window_ms": UNDO_WINDOW_MS,
                    "day_start_ms": day_start,
                    "day_end_ms": day_start + DAY_MS,
                    "events_maxlen": self.events_maxlen,
                    "approved_undone": undone(Status.APPROVED),
                    "spam_undone": undone(Status.SPAM),
                    "rejected_undone": undone(Status.REJECTED),
                    "callback": callback,
                    "event_id": event_id,
                },
            )
            if reply[0] != "stale":
                if reply[0] == "ok" and callback == "1":
                    self._queued(site)
                return undo_outcome(reply)
            day_of = int(reply[1])
        # Each 'stale' means the comment was decided again, on yet another day, between
        # two calls a round trip apart: not a state a real queue reaches.
        raise RuntimeError(f"undo of {comment_id}: its decision changed day {UNDO_ATTEMPTS} times")

    async def claim(
        self,
        site: str,
        moderator: str,
        *,
        limit: int,
        lease_seconds: float,
        order: Order,
        min_score: float | None = None,
        max_score: float | None = None,
        author_email: str | None = None,
    ) -> list[CommentRecord]:
        """Hand ``moderator`` up to ``limit`` pending comments nobody else holds, in
        ``order``, optionally only those within a score range or by one author."""
        at = now_ms()
        claims_key, holders_key = keys.claims(site), keys.claim_holders(site)
        held = await self._claimed_by_others(
            site=site,
            keys={"claims": claims_key, "claim_holders": holders_key},
            argv={"moderator": moderator, "now_ms": at},
        )
        others: set[str] = set(held)
        # Read enough candidates to get past every comment others hold, leave those out
        # here (so the script reads only about as many comments as it hands out, however
        # many others hold), then let the script take the free ones atomically, checking
        # each comment itself; retry if other moderators won some meanwhile.
        claimed: list[str] = []
        offset = 0
        for _ in range(4):
            want = limit - len(claimed)
            span = want + len(others) + 8
            raw = await self._candidates(
                site, order, offset, span, min_score, max_score, author_email
            )
            if not raw:
                break
            free = [c for c in raw if c not in others] if others else raw
            candidates = await self._within(site, free, min_score, max_score, author_email)
            got: list[str] = []
            if candidates:
                got = await self._claim(
                    site=site,
                    keys={
                        "claims": claims_key,
                        "events": keys.events(site),
                        "claim_holders": holders_key,
                    },
                    argv={
                        "moderator": moderator,
                        "now_ms": at,
                        "lease_ms": int(lease_seconds * 1000),
                        "want": want,
                        "events_maxlen": self.events_maxlen,
                    },
                    keys_tail=[keys.comment(site, c) for c in candidates],
                    argv_tail=candidates,
                )
            claimed.extend(got)
            if len(claimed) >= limit or len(raw) < span:
                break
            offset += span
        return await self.get_many(site, claimed)

    async def claim_one(
        self, comment_id: str, moderator: str, *, lease_seconds: float, take: bool = False
    ) -> Outcome:
        """Claim one pending comment for ``lease_seconds`` (or renew one's own claim):
        ``ok`` with its ``lease_until_ms``; ``claimed`` (``by`` the holder, with their
        lease end) if another moderator holds it, unless ``take`` (the caller checked the
        moderator is an admin), which ends their lease and answers ``taken`` (``by`` the
        previous holder), recorded in the history; ``decided`` or ``missing`` otherwise."""
        site = site_of(comment_id)
        if site is None:
            return Outcome(OutcomeKind.MISSING)
        at = now_ms()
        reply = await self._claim_one(
            site=site,
            keys={
                "comment": keys.comment(site, comment_id),
                "claims": keys.claims(site),
                "claim_holders": keys.claim_holders(site),
                "events": keys.events(site),
            },
            argv={
                "id": comment_id,
                "moderator": moderator,
                "now_ms": at,
                "lease_ms": int(lease_seconds * 1000),
                "take": "1" if take else "0",
                "history_line": history_line("taken_over", moderator, at),
                "events_maxlen": self.events_maxlen,
            },
        )
        kind = reply[0]
        if kind == "ok":
            return Outcome(OutcomeKind.OK, by=moderator, lease_until_ms=int(reply[1]))
        if kind == "taken":
            return Outcome(OutcomeKind.TAKEN, by=reply[2], lease_until_ms=int(reply[1]))
        if kind == "claimed":
            return Outcome(OutcomeKind.CLAIMED, by=reply[1], lease_until_ms=int(reply[2]))
        if kind == "decided":
            return Outcome(OutcomeKind.DECIDED, status=Status(reply[1]), by=reply[2] or None)
        return Outcome(OutcomeKind.MISSING)

    async def _candidates(
        self,
        site: str,
        order: Order,
        offset: int,
        count: int,
        min_score: float | None,
        max_score: float | None,
        author_email: str | None,
    ) -> list[str]:
        """Ids in queue order from the index that serves ``order`` (and the filter)."""
        if author_email is not None:
            index, desc = keys.by_author(site, author_email), order != Order.OLDEST
        elif order == Order.SCORE:
            lo = repr(min_score) if min_score is not None else "-inf"
            hi = repr(max_score) if max_score is not None else "+inf"
            [reply] = await self.read(
                site,
                ("ZREVRANGEBYSCORE", keys.pending_by_score(site), hi, lo, "LIMIT", offset, count),
            )
            return as_texts(reply)
        elif order == Order.ABUSE:  # a spam score range, if any, is checked by _within
            index, desc = keys.pending_by_abuse(site), True
        else:
            index, desc = keys.by_status(site, Status.PENDING), order == Order.NEWEST
        command = "ZREVRANGE" if desc else "ZRANGE"
        [reply] = await self.read(site, (command, index, offset, offset + count - 1))
        return as_texts(reply)

    async def _within(
        self,
        site: str,
        ids: list[str],
        min_score: float | None,
        max_score: float | None,
        author_email: str | None,
    ) -> list[str]:
        """Drop ids that are not pending or outside the score range, when the index
        that produced them could not tell (time order, or an author's comments)."""
        if author_email is None and (min_score is None and max_score is None):
            return ids
        if not ids:  # ZMSCORE needs a member
            return []
        [reply] = await self.read(site, ("ZMSCORE", keys.pending_by_score(site), *ids))
        scores = as_scores(reply)
        return [
            i
            for i, score in zip(ids, scores, strict=True)
            if score is not None and in_range(float(score), min_score, max_score)
        ]

    async def release(
        self, comment_id: str, moderator: str, lease_until_ms: int | None = None
    ) -> Outcome:
        """Give a claim back; with ``lease_until_ms``, only that lease (not one the
        moderator took again since)."""
        site = site_of(comment_id)
        if site is None:
            return Outcome(OutcomeKind.MISSING)
        at = now_ms()
        reply = await self._release(
            site=site,
            keys={
                "comment": keys.comment(site, comment_id),
                "claims": keys.claims(site),
                "events": keys.events(site),
                "claim_holders": keys.claim_holders(site),
            },
            argv={
                "id": comment_id,
                "moderator": moderator,
                "now_ms": at,
                "events_maxlen": self.events_maxlen,
                "lease_until_ms": "" if lease_until_ms is None else str(lease_until_ms),
            },
        )
        if reply[0] == "not_yours":
            return Outcome(OutcomeKind.NOT_YOURS, by=reply[1])
        return Outcome(OutcomeKind(reply[0]))

    async def id_for_external(self, site: str, external_id: str) -> str | None:
        """Our id of the comment the CMS sent under ``external_id``, if it is stored."""
        [found] = await self.read(site, ("HGET", keys.external_ids(site), external_id))
        return as_text(found)

    async def cms_decide(
        self, comment_id: str, status: Status, cms_user: str | None = None
    ) -> Outcome:
        """The CMS's own decision (any status, ``pending`` included), from any status:
        ``ok`` with the status it had, ``same`` (nothing changed) or ``missing``.  It is
        recorded as decided by ``cms`` (the CMS's own user in the history as
        ``cms_user``), labels the comment like a moderator's decision, ends any claim and
        queues no callback: the CMS that made it must not get it back."""
        site = site_of(comment_id)
        if site is None:
            return Outcome(OutcomeKind.MISSING)
        at = now_ms()
        reply = await self._cms_decide(
            site=site,
            keys={
                "comment": keys.comment(site, comment_id),
                **status_indexes(site),
                "claims": keys.claims(site),
                "claim_holders": keys.claim_holders(site),
                "events": keys.events(site),
                "approved_authors": keys.approved_authors(site),
                "decided_index": keys.decided(site),
                **label_keys(site),
            },
            argv={
                "id": comment_id,
                "new_status": status.value,
                "now_ms": at,
                "history_line": history_line(
                    "decided", CMS_ACTOR, at, status=status.value, cms_user=cms_user or None
                ),
                "events_maxlen": self.events_maxlen,
            },
        )
        if reply[0] == "ok":
            return Outcome(OutcomeKind.OK, status=Status(reply[1]))
        if reply[0] == "same":
            return Outcome(OutcomeKind.SAME, status=Status(reply[1]))
        return Outcome(OutcomeKind.MISSING)
