"""Comments in and out: intake's atomic write (a batch in one round trip), reads of
records and pages, counts, and the flood buckets."""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator, Callable, Sequence

from moderation.core import jsoncodec
from moderation.core.records import (
    TRUSTED_AUTHOR_RULE,
    CallbackEvent,
    CommentRecord,
    Status,
    history_line,
    now_ms,
    site_of,
)
from moderation.storage import keys, scripts
from moderation.storage.base import (
    AUTHOR_CHUNK,
    IDEMPOTENCY_TTL_SECONDS,
    LISTED_FIELDS,
    SCAN_CHUNK,
    SCAN_MAX,
    AbuseFill,
    Author,
    NewComment,
    Order,
    Page,
    StoreBase,
    Stored,
    callback_keys,
    decode_cursor,
    encode_cursor,
    in_range,
    intake_site_keys,
    label_keys,
    new_event_id,
    status_indexes,
)
from moderation.storage.transport import (
    Arg,
    Command,
    as_int,
    as_mapping,
    as_optional_texts,
    as_scored,
    as_scores,
    as_text,
    as_texts,
)


class CommentStore(StoreBase):
    """Comments in and out: intake's atomic write (a batch in one round trip), reads of"""

    # -- intake ----------------------------------------------------------------------

    async def add_many(self, comments: Sequence[NewComment]) -> list[Stored | BaseException]:
        """Store a batch in one round trip; each comment gets its own result or exception,
        so one bad write never fails its neighbours."""
        command = scripts.INTAKE.command
        auto_callbacks = self._auto_callbacks
        by_site: dict[str, list[Command]] = {}
        for c in comments:
            site = c.site
            idempotency_key = c.idempotency_key
            call_keys: scripts.IntakeKeys = {
                **intake_site_keys(site),
                "idempotency": keys.idempotency_key(site, idempotency_key or ""),
                "comment": keys.comment(site, c.id),
                "author_index": keys.by_author(site, c.author_email),
                "recent_text": keys.recent_text(site, c.text_fingerprint),
            }
            argv: scripts.IntakeArgv = {
                "external_id": c.external_id or "",
                "idempotency_ttl": IDEMPOTENCY_TTL_SECONDS if idempotency_key else 0,
                "id": c.id,
                "status": c.status.value,
                "spam_score": repr(c.spam_score),
                "abuse_score": "" if c.abuse_score is None else repr(c.abuse_score),
                "created_ms": c.created_ms,
                "data": jsoncodec.dumps(c.data),
                "history": c.history,
                "author_email": c.author_email,
                "trust_approved_authors": "1" if c.trust_approved_authors else "0",
                "trusted_history": c.trusted_history,
                "events_maxlen": self.events_maxlen,
                "repeat_window": c.repeat_window_seconds if c.text_fingerprint else 0,
                "repeat_status": c.repeat_status.value if c.repeat_status else "",
                "repeat_history": c.repeat_history,
                "repeat_rule": c.repeat_rule,
                "request_fingerprint": c.request_fingerprint,
            }
            if site in auto_callbacks:
                call = scripts.INTAKE_CALLBACK.command(
                    {**call_keys, **callback_keys(site, c.id)},
                    {
                        **argv,
                        "rule": c.rule,
                        "trusted_rule": TRUSTED_AUTHOR_RULE,
                        "post_id": str(c.data.get("post_id") or ""),
                        "event_id": new_event_id(),
                    },
                )
            else:
                call = command(call_keys, argv)
            if site in by_site:
                by_site[site].append(call)
            else:
                by_site[site] = [call]
        replies = await self._intake.run(by_site)
        if len(replies) == 1:  # one site's comments: already in the callers' order
            [in_order] = replies.values()
        else:
            per_site = {site: iter(got) for site, got in replies.items()}
            in_order = [next(per_site[c.site]) for c in comments]
        results: list[Stored | BaseException] = []
        known: list[int] = []  # repeats of a known CMS id: retries, or edits
        for reply in in_order:
            if isinstance(reply, BaseException):
                results.append(reply)
            elif reply[0] == "dup" and len(reply) > 2:
                known.append(len(results))
                results.append(Stored(id=reply[1], status=Status.PENDING, duplicate=True))
            elif reply[0] in ("dup", "conflict"):
                results.append(
                    Stored(
                        id=reply[1],
                        status=Status.PENDING,
                        duplicate=True,
                        conflict=reply[0] == "conflict",
                    )
                )
            else:
                results.append(
                    Stored(
                        id=reply[1],
                        status=Status(reply[2]),
                        duplicate=False,
                        repeat_of=reply[3] or None,
                    )
                )
                if reply[2] != "pending" and site_of(reply[1]) in auto_callbacks:
                    self._queued(site_of(reply[1]) or "")
        if known:
            await self._edits(comments, known, results)
        return results

    async def _edits(
        self,
        comments: Sequence[NewComment],
        known: list[int],
        results: list[Stored | BaseException],
    ) -> None:
        """Run EDIT for the comments at ``known`` (INTAKE found their CMS id), in one
        round trip, and put what each came to in ``results``: a retry stays a duplicate,
        a changed text or author URL is an edit.  The comparison is EDIT's, in Redis."""
        at = now_ms()
        by_site: dict[str, list[Command]] = {}
        order: list[int] = []
        queued: set[int] = set()  # edits whose callback is queued, if they are edits
        for index in known:
            c, stored = comments[index], results[index]
            assert isinstance(stored, Stored)
            site = c.site
            callback, event_id = self._callback_argv(site, CallbackEvent.EDITED)
            data = c.data
            abuse_reasons = list(data.get("abuse_reasons") or [])
            call = scripts.EDIT.command(
                {
                    "comment": keys.comment(site, stored.id),
                    **status_indexes(site),
                    "claims": keys.claims(site),
                    "claim_holders": keys.claim_holders(site),
                    "events": keys.events(site),
                    "approved_authors": keys.approved_authors(site),
                    "decided_index": keys.decided(site),
                    **callback_keys(site, stored.id),
                    **label_keys(site),
                },
                {
                    "id": stored.id,
                    "content": str(data.get("content") or ""),
                    "author_url": str(data.get("author_url") or ""),
                    "spam_score": repr(c.spam_score),
                    "reasons": jsoncodec.dumps(list(data.get("reasons") or [])),
                    "abuse_score": "" if c.abuse_score is None else repr(c.abuse_score),
                    "abuse_reasons": (
                        "" if c.abuse_score is None else jsoncodec.dumps(abuse_reasons)
                    ),
                    "spam": "1" if data.get("spam") else "0",
                    "model_version": str(data.get("model_version") or ""),
                    "now_ms": at,
                    "history_line": history_line(
                        "edited",
                        "cms",
                        at,
                        spam_score=round(c.spam_score, 4),
                        abuse_score=None if c.abuse_score is None else round(c.abuse_score, 4),
                    ),
                    "trust_edits": "1" if c.trust_edits else "0",
                    "events_maxlen": self.events_maxlen,
                    "callback": callback,
                    "event_id": event_id,
                },
            )
            by_site.setdefault(site, []).append(call)
            order.append(index)
            if callback == "1":
                queued.add(index)
        replies = await self._edit.run(by_site)
        per_site = {site: iter(got) for site, got in replies.items()}
        for index in order:
            reply = next(per_site[comments[index].site])
            if isinstance(reply, BaseException):
                results[index] = reply
            elif reply[0] == "edited":
                stored = results[index]
                assert isinstance(stored, Stored)
                results[index] = Stored(
                    id=stored.id, status=Status(reply[1]), duplicate=False, edited=True
                )
                if index in queued:
                    self._queued(comments[index].site)
            # 'same' (a retry) and 'missing' (erased meanwhile) stay duplicates

    # -- reads -----------------------------------------------------------------------

    async def get(self, comment_id: str) -> CommentRecord | None:
        site = site_of(comment_id)
        if site is None:
            return None
        [reply] = await self.read(site, ("HGETALL", keys.comment(site, comment_id)))
        raw = as_mapping(reply)
        if not raw:
            return None
        return CommentRecord.from_hash(comment_id, site, raw)

    async def get_many(self, site: str, ids: Sequence[str]) -> list[CommentRecord]:
        """The records of ``ids`` in that order, skipping any that vanished meanwhile,
        without their history (it grows with every event, and lists do not show it)."""
        replies = await self.read(
            site, *[("HMGET", keys.comment(site, i), *LISTED_FIELDS) for i in ids]
        )
        rows = [as_optional_texts(reply) for reply in replies]
        return [
            CommentRecord.from_hash(
                comment_id,
                site,
                {f: v for f, v in zip(LISTED_FIELDS, row, strict=True) if v is not None},
            )
            for comment_id, row in zip(ids, rows, strict=True)
            if row[0] is not None
        ]

    async def records_in(self, site: str, status: Status) -> AsyncIterator[list[CommentRecord]]:
        """Every comment of ``site`` with ``status``, oldest first, a few hundred at a
        time (each page read once its turn comes, so the whole set is never in memory)."""
        index = keys.by_status(site, status)
        start = 0
        while True:
            [reply] = await self.read(site, ("ZRANGE", index, start, start + 499))
            ids = as_texts(reply)
            if not ids:
                return
            yield [r for r in await self.get_many(site, ids) if r.status == status]
            start += len(ids)

    async def page(
        self,
        site: str,
        *,
        status: Status | None = Status.PENDING,
        order: Order = Order.SCORE,
        limit: int = 50,
        cursor: str | None = None,
        min_score: float | None = None,
        max_score: float | None = None,
        min_abuse: float | None = None,
        author_email: str | None = None,
        post_id: str | None = None,
        post_url: str | None = None,
        author_name: str | None = None,
        q: str | None = None,
    ) -> Page:
        """One page of comments; costs O(log N + limit) however deep the cursor, and a
        filtered page examines at most ``SCAN_MAX`` comments (see below).

        The index read is the narrowest one the query names: the author's comments (by
        email; by time: ``order=score`` and ``order=abuse`` list them newest first), else
        the pending comments by spam score or by abuse score, else the status's by time.
        ``status`` None (every status) needs the author.  A post (by id or by URL), an
        author name and the text are checked on the records read (no index for them:
        intake writes nothing more than it did, see below)."""
        member, score = decode_cursor(cursor) if cursor else ("", "0")
        score_filtered = min_score is not None or max_score is not None
        score_range = ("-inf", "+inf")
        # what the index read applies by itself; the rest is checked on each record
        applied: set[str] = set()
        if author_email is not None:
            index, desc = keys.by_author(site, author_email), order != Order.OLDEST
            applied.add("author_email")
        elif status is None:
            raise ValueError("a page of every status needs an author")
        elif order == Order.SCORE and status == Status.PENDING:
            index, desc = keys.pending_by_score(site), True
            score_range = (
                repr(min_score) if min_score is not None else "-inf",
                repr(max_score) if max_score is not None else "+inf",
            )
            applied |= {"status", "score"}
        elif order == Order.ABUSE and status == Status.PENDING:
            index, desc = keys.pending_by_abuse(site), True
            # the unscored (keys.ABUSE_UNSCORED) sort last, and fall outside any min_abuse
            score_range = (repr(min_abuse) if min_abuse is not None else "-inf", "+inf")
            applied |= {"status", "abuse"}
        else:
            index, desc = keys.by_status(site, status), order != Order.OLDEST
            applied.add("status")
        matches = _matcher(
            status,
            min_score if "score" not in applied else None,
            max_score if "score" not in applied else None,
            min_abuse if "abuse" not in applied else None,
            author_email,
            author_name,
            post_id,
            post_url,
            q,
        )
        # Filters the index cannot apply (the status within an author's or a post's
        # comments, a score range in time order, a name, the text) are applied to the
        # records read, a chunk at a time, up to SCAN_MAX of them: a sparse filter answers
        # a short page with a cursor (after the last comment examined) rather than scan
        # the whole index, so a page costs the same at any queue size.
        wanted = {
            "status": status is not None,
            "score": score_filtered,
            "abuse": min_abuse is not None,
            "author_name": author_name is not None,
            "post_id": post_id is not None,
            "post_url": post_url is not None,
            "q": q is not None,
        }
        filtered = any(on and name not in applied for name, on in wanted.items())
        budget = max(SCAN_MAX, limit)
        records: list[CommentRecord] = []
        next_cursor: str | None = None
        scanned = 0
        while True:
            want = min(max(limit, SCAN_CHUNK), budget - scanned) if filtered else limit
            flat = await self._page(
                site=site,
                keys={"index": index},
                argv={
                    "descending": "1" if desc else "0",
                    "limit": want,
                    "cursor_member": member,
                    "cursor_score": score,
                    "min_score": score_range[0],
                    "max_score": score_range[1],
                },
            )
            pairs = list(zip(flat[::2], flat[1::2], strict=True))
            fetched = await self.get_many(site, [m for m, _ in pairs])
            by_id = {r.id: r for r in fetched}
            full = False
            for i, (m, s) in enumerate(pairs):
                member, score = m, s
                scanned += 1
                record = by_id.get(m)
                if record is not None and matches(record):
                    records.append(record)
                    if len(records) >= limit:
                        # the cursor is this record, not the chunk's end: none is skipped
                        full = i < len(pairs) - 1 or len(pairs) == want
                        break
            else:
                full = len(pairs) == want
            next_cursor = encode_cursor(member, score) if full else None
            if len(records) >= limit or not full or not filtered or scanned >= budget:
                break
        return Page(records=records, next_cursor=next_cursor)

    async def author(
        self, site: str, email: str, *, limit: int = 50, cursor: str | None = None
    ) -> Author | None:
        """What ``site`` holds of the author of ``email`` (normalised as intake does):
        their comments counted by status, when the first and the latest arrived, and a
        page of them, newest first.  None if the site holds no comment of theirs (never
        seen, or erased).

        The counts are exact: the author's ids are read in one round trip, then their
        statuses from the status indexes in one MULTI/EXEC (``ZMSCORE``, four commands
        whatever the count), so a decision made meanwhile is counted once, in one status.
        The cost grows with the author's comments (not the site's): ~1 µs each in Redis."""
        index = keys.by_author(site, email)
        [reply] = await self.read(site, ("ZRANGE", index, 0, -1, "WITHSCORES"))
        scored = as_scored(reply)
        if not scored:
            return None
        ids = [member for member, _ in scored]
        statuses = list(Status)
        counts = dict.fromkeys((s.value for s in statuses), 0)
        for start in range(0, len(ids), AUTHOR_CHUNK):
            chunk = ids[start : start + AUTHOR_CHUNK]
            replies = await self.snapshot(
                site, *[("ZMSCORE", keys.by_status(site, s), *chunk) for s in statuses]
            )
            for status, got in zip(statuses, replies, strict=True):
                counts[status.value] += sum(1 for v in as_scores(got) if v is not None)
        page = await self.page(
            site, status=None, order=Order.NEWEST, limit=limit, cursor=cursor, author_email=email
        )
        return Author(
            counts=counts,
            first_ms=int(scored[0][1]),
            last_ms=int(scored[-1][1]),
            page=page,
        )

    async def counts(self, site: str) -> dict[str, int]:
        values = await self.read(site, *[("ZCARD", keys.by_status(site, s)) for s in Status])
        return {status.value: as_int(v) for status, v in zip(Status, values, strict=True)}

    async def oldest_pending_ms(self, site: str) -> int | None:
        [reply] = await self.read(
            site, ("ZRANGE", keys.by_status(site, Status.PENDING), 0, 0, "WITHSCORES")
        )
        first = as_scored(reply)
        return int(first[0][1]) if first else None

    async def decisions_on(self, site: str, day: str) -> dict[str, int]:
        [reply] = await self.read(site, ("HGETALL", keys.decisions_per_day(site, day)))
        raw = as_mapping(reply)
        # an undone decision leaves a 0 behind: those moderators made none that day
        return {name: int(n) for name, n in raw.items() if int(n) > 0}

    # -- abuse scores of comments stored without one ----------------------------------

    async def unscored_pending(
        self, site: str, start: int, count: int
    ) -> tuple[int, list[tuple[str, str]]]:
        """The pending comments at ranks ``[start, start + count)`` of the pending index
        (oldest first) that have no abuse score, with their data: (how many ranks there
        were, [(id, data JSON)]).  Fewer ranks than ``count``: the end of the index."""
        reply = await self._abuse_unscored(
            site=site,
            keys={
                "pending_index": keys.by_status(site, Status.PENDING),
                "abuse_index": keys.pending_by_abuse(site),
            },
            argv={"start": start, "count": count},
        )
        ranks, ids = as_int(reply[0]), as_texts(reply[1])
        if not ids:
            return ranks, []
        datas = await self.read(site, *(("HGET", keys.comment(site, i), "data") for i in ids))
        return ranks, [
            (comment_id, data)
            for comment_id, data in zip(ids, map(as_text, datas), strict=True)
            if data is not None
        ]

    async def fill_abuse_many(self, site: str, fills: Sequence[AbuseFill]) -> list[str]:
        """File each fill's abuse score (and its data, which carries the reasons) for a
        pending comment stored without one, if it is still pending, unscored and its data's
        SHA-1 is the fill's ``data_sha1``; all in one round trip, each its own
        check-and-set.  The outcomes in order: "filled", "decided", "scored" or "changed"
        (a call's own error is raised)."""
        command = scripts.ABUSE_FILL.command
        abuse_index = keys.pending_by_abuse(site)
        calls = [
            command(
                {"comment": keys.comment(site, fill.comment_id), "abuse_index": abuse_index},
                {
                    "id": fill.comment_id,
                    "data_sha1": fill.data_sha1,
                    "data": fill.data,
                    "abuse_score": repr(fill.abuse_score),
                    "history_line": fill.history,
                },
            )
            for fill in fills
        ]
        replies = (await self._abuse_fill.run({site: calls}))[site] if calls else []
        for reply in replies:
            if isinstance(reply, BaseException):
                raise reply
        return [str(reply) for reply in replies]

    # -- floods and repeats ----------------------------------------------------------

    async def take_tokens(
        self, site: str, buckets: Sequence[tuple[str, float, int]]
    ) -> tuple[float, int]:
        """Take a token from each of ``site``'s (scope, refill per second, burst) buckets,
        all or none; a scope is "site" or "ip:<address>".  Answers (0, -1) when allowed,
        else the seconds until the emptiest bucket has a token again and that bucket's
        index in ``buckets``."""
        limits: list[Arg] = []
        for _, per_second, burst in buckets:
            limits += [per_second / 1000, burst]
        allowed, wait_ms, emptiest = await self._take_tokens(
            site=site,
            keys={},
            argv={"now_ms": now_ms()},
            keys_tail=[keys.rate_bucket(site, scope) for scope, _, _ in buckets],
            argv_tail=limits,
        )
        if int(allowed):
            return 0.0, -1
        return int(wait_ms) / 1000, int(emptiest) - 1


def _matcher(
    status: Status | None,
    min_score: float | None,
    max_score: float | None,
    min_abuse: float | None,
    author_email: str | None,
    author_name: str | None,
    post_id: str | None,
    post_url: str | None,
    q: str | None,
) -> Callable[[CommentRecord], bool]:
    """Whether a record read from an index belongs on the page: every filter is checked
    on the record itself, also the one its index applied (an index entry may outlive a
    change the record already shows, and a name's key is a digest)."""
    name = _folded(author_name) if author_name is not None else None
    text = q.casefold() if q is not None else None

    def matches(record: CommentRecord) -> bool:
        if status is not None and record.status != status:
            return False
        if (min_score is not None or max_score is not None) and not in_range(
            record.spam_score, min_score, max_score
        ):
            return False
        if min_abuse is not None and (record.abuse_score is None or record.abuse_score < min_abuse):
            return False
        data = record.data
        if author_email is not None and data.get("author_email") != author_email:
            return False
        if name is not None and _folded(str(data.get("author_name") or "")) != name:
            return False
        if post_id is not None and (
            data.get("post_id") is None or str(data.get("post_id")) != post_id
        ):
            return False
        if post_url is not None and data.get("post_url") != post_url:
            return False
        return text is None or text in str(data.get("content") or "").casefold()

    return matches


def _folded(name: str) -> str:
    """An author name as the name filter compares it: NFC, case-folded."""
    return unicodedata.normalize("NFC", name).casefold()
