"""The Redis data layer: every read and atomic write of comments, queues and claims.

Nothing outside this module talks to Redis about comments.  Writes are the Lua scripts
of ``moderation.scripts``; reads are plain commands, pipelined where several go together.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import DataError, NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from moderation import jsoncodec, keys, scripts
from moderation.records import (
    PERSONAL_FIELDS,
    CommentRecord,
    Decision,
    Status,
    history_line,
    now_ms,
    site_of,
    utc_day,
)
from moderation.validation import text_problem

EVENTS_MAXLEN = 100_000  # per site; the stream feeds callbacks and retraining, not archives
IDEMPOTENCY_TTL_SECONDS = 24 * 3600  # as long as Stripe keeps idempotency keys
DECISIONS_DAY_TTL_SECONDS = 3 * 24 * 3600
UNDO_WINDOW_MS = 10 * 60 * 1000
UNDO_ATTEMPTS = 3  # a 'stale' answer is retried with the day it names (see Store.undo)
DAY_MS = 24 * 3600 * 1000  # a UTC day: Unix time has no leap seconds


# The fields of a comment hash that a listing shows: all but the history.  "status"
# comes first: None there means the comment is gone.
LISTED_FIELDS = (
    "status",
    "data",
    "initial_status",
    "spam_score",
    "created_ms",
    "decided_by",
    "decided_ms",
    "note",
    "claimed_by",
    "claim_until_ms",
)

# One script call: its KEYS and its ARGV.
Call = tuple[list[str], list[Any]]


class Order(StrEnum):
    SCORE = "score"  # most suspicious first
    OLDEST = "oldest"
    NEWEST = "newest"


@dataclass(frozen=True, slots=True)
class NewComment:
    """A validated, scored comment ready to be stored."""

    site: str
    id: str
    external_id: str | None
    idempotency_key: str | None
    status: Status
    spam_score: float
    created_ms: int
    data: dict[str, Any]
    history: str
    author_email: str
    trust_approved_authors: bool
    trusted_history: str
    # the repeat check: the text's fingerprint ('' = off) and how long it is remembered;
    # what a repeat changes (status, history, rule: with '{repeat_of}' for the earlier id)
    text_fingerprint: str = ""
    repeat_window_seconds: int = 0
    repeat_status: Status | None = None
    repeat_history: str = ""
    repeat_rule: str = ""
    # what the Idempotency-Key must keep meaning: a digest of the comment ('' = none)
    request_fingerprint: str = ""


@dataclass(frozen=True, slots=True)
class Stored:
    """What intake learned from Redis: the id that holds the comment (ours, or the one
    stored first if this was a repeat) and its status."""

    id: str
    status: Status
    duplicate: bool
    repeat_of: str | None = None  # a recent comment of the site with the same text
    # the Idempotency-Key was first used for another comment: nothing was stored
    conflict: bool = False


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of a decision, undo, claim release: ``ok`` or why not."""

    kind: str  # ok | missing | decided | claimed | not_yours | too_late | pending
    status: Status | None = None
    by: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    records: list[CommentRecord]
    next_cursor: str | None


class CursorError(ValueError):
    """The cursor is not one this service gave out."""


def encode_cursor(member: str, score: str) -> str:
    raw = json.dumps([member, score], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# A score as Redis writes one (``%.17g``, so an exponent is possible, or ``inf``): the
# cursor's score goes back to Redis as a range bound, where "nan" or "1_0" (which
# float() takes) would be a Redis error.
_REDIS_SCORE = re.compile(r"[-+]?(?:inf|[0-9]{1,20}(?:\.[0-9]{0,20})?(?:[eE][-+]?[0-9]{1,3})?)")
CURSOR_MAX = 1_024


def decode_cursor(cursor: str) -> tuple[str, str]:
    """The (member, score) a cursor holds; CursorError unless it is one this service
    could have given out.  Its member goes into a Redis command, so it must be text."""
    if len(cursor) > CURSOR_MAX:
        raise CursorError("not a cursor from this service")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        member, score = json.loads(raw)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise CursorError("not a cursor from this service") from exc
    if not isinstance(member, str) or not isinstance(score, str):
        raise CursorError("not a cursor from this service")
    if text_problem(member, limit=200) is not None or not _REDIS_SCORE.fullmatch(score):
        raise CursorError("not a cursor from this service")
    return member, score


def _pack(commands: Sequence[Sequence[Any]]) -> bytes:
    """Commands in the Redis protocol (RESP2 arrays of bulk strings), in one buffer."""
    out: list[bytes] = []
    put = out.append
    for command in commands:
        put(b"*%d\r\n" % len(command))
        _put_bulk(put, command)
    return b"".join(out)


def _put_bulk(put: Callable[[bytes], None], values: Iterable[Any]) -> None:
    """Each value as a RESP bulk string; text (nearly every argument) takes the short way."""
    for value in values:
        raw = value.encode() if value.__class__ is str else _encode(value)
        put(b"$%d\r\n%b\r\n" % (len(raw), raw))


def _encode(value: Any) -> bytes:
    """One argument as redis-py would send it: None and booleans are refused (a None
    sent as "None" would be stored without a word), floats by repr, text as UTF-8."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, int) and not isinstance(value, bool):
        return b"%d" % value
    if isinstance(value, float):
        return repr(value).encode()
    raise DataError(f"cannot send {type(value).__name__} to Redis: {value!r}")


def _pack_evalsha(sha: str, calls: Sequence[Call]) -> bytes:
    """:func:`_pack` for ``EVALSHA sha numkeys keys... args...`` calls, with the part they
    share encoded once (intake sends one per comment)."""
    out: list[bytes] = []
    put = out.append
    sha_bytes = sha.encode()
    for call_keys, call_args in calls:
        length = 3 + len(call_keys) + len(call_args)
        put(b"*%d\r\n$7\r\nEVALSHA\r\n$%d\r\n%b\r\n" % (length, len(sha_bytes), sha_bytes))
        put(b"$%d\r\n%d\r\n" % (len(str(len(call_keys))), len(call_keys)))
        _put_bulk(put, call_keys)
        _put_bulk(put, call_args)
    return b"".join(out)


class Store:
    """Comments, queues and claims of every site, in one Redis."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._intake = redis.register_script(scripts.INTAKE)
        self._decide = redis.register_script(scripts.DECIDE)
        self._undo = redis.register_script(scripts.UNDO)
        self._page = redis.register_script(scripts.PAGE)
        self._claim = redis.register_script(scripts.CLAIM)
        self._release = redis.register_script(scripts.RELEASE)
        self._claimed_by_others = redis.register_script(scripts.CLAIMED_BY_OTHERS)
        self._take_tokens = redis.register_script(scripts.TAKE_TOKENS)
        self._erase = redis.register_script(scripts.ERASE)
        self._purge_spam = redis.register_script(scripts.PURGE_SPAM)

    # -- intake ----------------------------------------------------------------------

    async def add_many(self, comments: Sequence[NewComment]) -> list[Stored | BaseException]:
        """Store a batch in one pipeline; each comment gets its own result or exception,
        so one bad write never fails its neighbours."""
        calls: list[Call] = []
        for c in comments:
            site = c.site
            calls.append(
                (
                    [
                        keys.external_ids(site),
                        keys.idempotency_key(site, c.idempotency_key or ""),
                        keys.comment(site, c.id),
                        keys.by_status(site, Status.PENDING),
                        keys.by_status(site, Status.APPROVED),
                        keys.by_status(site, Status.SPAM),
                        keys.pending_by_score(site),
                        keys.events(site),
                        keys.by_author(site, c.author_email),
                        keys.approved_authors(site),
                        keys.decided(site),
                        keys.recent_text(site, c.text_fingerprint),
                        keys.idempotency_fingerprint(site, c.idempotency_key or ""),
                    ],
                    [
                        c.external_id or "",
                        IDEMPOTENCY_TTL_SECONDS if c.idempotency_key else 0,
                        c.id,
                        c.status.value,
                        repr(c.spam_score),
                        c.created_ms,
                        jsoncodec.dumps(c.data),
                        c.history,
                        c.author_email,
                        "1" if c.trust_approved_authors else "0",
                        c.trusted_history,
                        EVENTS_MAXLEN,
                        c.repeat_window_seconds if c.text_fingerprint else 0,
                        c.repeat_status.value if c.repeat_status else "",
                        c.repeat_history,
                        c.repeat_rule,
                        c.request_fingerprint,
                    ],
                )
            )
        results: list[Stored | BaseException] = []
        for reply in await self._evalsha_many(self._intake, calls):
            if isinstance(reply, BaseException):
                results.append(reply)
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
        return results

    async def _evalsha_many(self, script: AsyncScript, calls: Sequence[Call]) -> list[Any]:
        """Run ``script`` once per (keys, args) call in one pipeline; each reply is the
        script's result or the exception of that call alone.

        redis-py's own pipelined scripts send SCRIPT EXISTS before every pipeline (a
        second round trip per batch, measured at ~60 % of the write's cost); here EVALSHA
        goes out alone, and only a Redis that lost its scripts (a restart) is sent them
        again, with just the calls it refused.  A refused call ran nothing, so re-sending
        it is safe.
        """
        replies = await self._pipeline_evalsha(script.sha, calls)
        refused = [i for i, reply in enumerate(replies) if isinstance(reply, NoScriptError)]
        if refused:
            await self.redis.script_load(script.script)
            again = await self._pipeline_evalsha(script.sha, [calls[i] for i in refused])
            for i, reply in zip(refused, again, strict=True):
                replies[i] = reply
        return replies

    async def _pipeline_evalsha(self, sha: str, calls: Sequence[Call]) -> list[Any]:
        return await self._round_trip(_pack_evalsha(sha, calls), len(calls))

    async def _round_trip(self, packed: bytes, count: int) -> list[Any]:
        """Send ``count`` packed commands in one write on one pooled connection and read
        every reply; a command's own error (NOSCRIPT, WRONGTYPE, ...) is its reply.

        Not redis-py's ``Pipeline``: on the intake path it cost ~44 µs of CPU per comment
        in batches of 8 (command objects, a per-argument encoder, a timeout context per
        reply), this ~20 µs (measured in-process against a real Redis); a page of 50
        comments, 50 ``HMGET``, likewise.  What stays redis-py's: the pool, the
        connection, its reply parser (hiredis) and its errors.
        """
        if not count:
            return []
        pool = self.redis.connection_pool
        conn = await pool.get_connection()  # type: ignore[no-untyped-call]
        try:
            await conn.send_packed_command(packed, check_health=False)
            replies: list[Any] = []
            # One deadline for the whole batch instead of a timeout context per reply,
            # longer for a long batch (a bulk of 500 decisions): a slow Redis that did
            # all the work must not turn into a 503 the client retries into 409s.
            deadline = None
            if conn.socket_timeout is not None:
                deadline = conn.socket_timeout * max(1, math.ceil(count / 100))
            async with asyncio.timeout(deadline):
                for _ in range(count):
                    try:
                        replies.append(await conn.read_response(timeout=math.inf))
                    except ResponseError as exc:
                        replies.append(exc)
        except TimeoutError as exc:
            await conn.disconnect(nowait=True)
            raise RedisTimeoutError("Timeout reading from Redis") from exc
        except BaseException:
            # a half-read connection must never go back to the pool in use
            await conn.disconnect(nowait=True)
            raise
        finally:
            await pool.release(conn)
        return replies

    # -- reads -----------------------------------------------------------------------

    async def get(self, comment_id: str) -> CommentRecord | None:
        site = site_of(comment_id)
        if site is None:
            return None
        raw: dict[str, str] = await self.redis.hgetall(keys.comment(site, comment_id))  # type: ignore[assignment]  # decode_responses=True
        if not raw:
            return None
        return CommentRecord.from_hash(comment_id, site, raw)

    async def get_many(self, site: str, ids: Sequence[str]) -> list[CommentRecord]:
        """The records of ``ids`` in that order, skipping any that vanished meanwhile,
        without their history (it grows with every event, and lists do not show it)."""
        if not ids:
            return []
        rows = await self._round_trip(
            _pack([("HMGET", keys.comment(site, i), *LISTED_FIELDS) for i in ids]), len(ids)
        )
        for row in rows:
            if isinstance(row, BaseException):
                raise row
        return [
            CommentRecord.from_hash(
                comment_id,
                site,
                {f: v for f, v in zip(LISTED_FIELDS, row, strict=True) if v is not None},
            )
            for comment_id, row in zip(ids, rows, strict=True)
            if row[0] is not None
        ]

    async def page(
        self,
        site: str,
        *,
        status: Status = Status.PENDING,
        order: Order = Order.SCORE,
        limit: int = 50,
        cursor: str | None = None,
        min_score: float | None = None,
        max_score: float | None = None,
        author_email: str | None = None,
    ) -> Page:
        """One page of comments; costs O(log N + limit) however deep the cursor."""
        member, score = decode_cursor(cursor) if cursor else ("", "0")
        score_filtered = min_score is not None or max_score is not None
        if author_email is not None:
            index, desc = keys.by_author(site, author_email), order != Order.OLDEST
            score_range = ("-inf", "+inf")
        elif order == Order.SCORE and status == Status.PENDING:
            index, desc = keys.pending_by_score(site), True
            score_range = (
                repr(min_score) if min_score is not None else "-inf",
                repr(max_score) if max_score is not None else "+inf",
            )
            score_filtered = False  # the index itself is the score
        else:
            index, desc = keys.by_status(site, status), order != Order.OLDEST
            score_range = ("-inf", "+inf")
        records: list[CommentRecord] = []
        next_cursor: str | None = None
        # Filters the index cannot apply (status within an author's comments, a score range
        # in time order) are applied to each fetched page; a few pages are read at most,
        # so a sparse filter answers a short page with a cursor rather than scanning all.
        for _ in range(5):
            flat = await self._page(
                keys=[index],
                args=["1" if desc else "0", limit, member, score, *score_range],
            )
            pairs = list(zip(flat[::2], flat[1::2], strict=True))
            fetched = await self.get_many(site, [m for m, _ in pairs])
            by_id = {r.id: r for r in fetched}
            for m, s in pairs:
                member, score = m, s
                record = by_id.get(m)
                if record is None or record.status != status:
                    continue
                if score_filtered and not _in_range(record.spam_score, min_score, max_score):
                    continue
                records.append(record)
            if len(pairs) < limit:
                next_cursor = None
                break
            next_cursor = encode_cursor(member, score)
            if len(records) >= limit or not (score_filtered or author_email):
                break
        return Page(records=records[:limit], next_cursor=next_cursor)

    async def counts(self, site: str) -> dict[str, int]:
        async with self.redis.pipeline(transaction=False) as pipe:
            for status in Status:
                pipe.zcard(keys.by_status(site, status))
            values = await pipe.execute()
        return {status.value: int(v) for status, v in zip(Status, values, strict=True)}

    async def oldest_pending_ms(self, site: str) -> int | None:
        first = await self.redis.zrange(keys.by_status(site, Status.PENDING), 0, 0, withscores=True)
        return int(first[0][1]) if first else None

    async def decisions_on(self, site: str, day: str) -> dict[str, int]:
        raw: dict[str, str] = await self.redis.hgetall(keys.decisions_per_day(site, day))  # type: ignore[assignment]
        # an undone decision leaves a 0 behind: those moderators made none that day
        return {name: int(n) for name, n in raw.items() if int(n) > 0}

    # -- moderation --------------------------------------------------------------------

    async def decide(
        self, comment_id: str, moderator: str, decision: Decision, note: str
    ) -> Outcome:
        [outcome] = await self.decide_many([(comment_id, decision, note)], moderator)
        return outcome

    async def decide_many(
        self, items: Sequence[tuple[str, Decision, str]], moderator: str
    ) -> list[Outcome]:
        """Decide each (id, decision, note) atomically on its own, all in one pipeline:
        a bulk of 500 costs one round trip, and one failing item never fails the rest.
        A decision counts on the UTC day of its own time (``decided_ms``), which is also
        the day an undo takes it back from."""
        at = now_ms()
        day = utc_day(at)
        outcomes: list[Outcome | None] = [None] * len(items)
        sent: list[int] = []
        calls: list[Call] = []
        for index, (comment_id, decision, note) in enumerate(items):
            site = site_of(comment_id)
            if site is None:
                outcomes[index] = Outcome("missing")
                continue
            status = decision.status
            calls.append(
                (
                    [
                        keys.comment(site, comment_id),
                        keys.by_status(site, Status.PENDING),
                        keys.pending_by_score(site),
                        keys.by_status(site, status),
                        keys.claims(site),
                        keys.events(site),
                        keys.decisions_per_day(site, day),
                        keys.approved_authors(site),
                        keys.decided(site),
                        keys.claim_holders(site),
                    ],
                    [
                        comment_id,
                        moderator,
                        status.value,
                        at,
                        history_line(
                            "decided", moderator, at, status=status.value, note=note or None
                        ),
                        note,
                        DECISIONS_DAY_TTL_SECONDS,
                        EVENTS_MAXLEN,
                    ],
                )
            )
            sent.append(index)
        replies = await self._evalsha_many(self._decide, calls)
        for reply in replies:
            if isinstance(reply, BaseException):
                raise reply  # Redis trouble: the middleware answers 503
        for index, reply in zip(sent, replies, strict=True):
            outcomes[index] = _decide_outcome(reply)
        return [o if o is not None else Outcome("missing") for o in outcomes]

    async def undo(self, comment_id: str, moderator: str) -> Outcome:
        """Take back ``moderator``'s own latest decision (within the undo window).

        One script call reads the status and moves the id out of exactly the zset that
        status implies; nothing is read beforehand.  Only the decisions-per-day hash must
        be named in advance: the first guess is today's (an undoable decision is minutes
        old), and a decision made on another day (just before midnight UTC) is answered
        'stale' with its time, so the second call names that day's hash."""
        site = site_of(comment_id)
        if site is None:
            return Outcome("missing")
        at = now_ms()
        # the script picks the zset and the history line by the status it reads
        decided = (Status.APPROVED, Status.SPAM, Status.REJECTED)
        status_zsets = [keys.by_status(site, s) for s in (Status.PENDING, *decided)]
        lines = [
            history_line("undone", moderator, at, status="pending", was=s.value) for s in decided
        ]
        day_of = at
        for _ in range(UNDO_ATTEMPTS):
            day_start = day_of - day_of % DAY_MS
            reply = await self._undo(
                keys=[
                    keys.comment(site, comment_id),
                    *status_zsets,
                    keys.pending_by_score(site),
                    keys.events(site),
                    keys.decided(site),
                    keys.decisions_per_day(site, utc_day(day_start)),
                ],
                args=[
                    comment_id,
                    moderator,
                    at,
                    UNDO_WINDOW_MS,
                    day_start,
                    day_start + DAY_MS,
                    EVENTS_MAXLEN,
                    *lines,
                ],
            )
            if reply[0] != "stale":
                return _undo_outcome(reply)
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
        unknown, held = await self._claimed_by_others(
            keys=[claims_key, holders_key], args=[moderator, at]
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
            span = want + len(others) + int(unknown) + 8
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
                    keys=[
                        claims_key,
                        keys.events(site),
                        holders_key,
                        *(keys.comment(site, c) for c in candidates),
                    ],
                    args=[
                        moderator,
                        at,
                        int(lease_seconds * 1000),
                        want,
                        EVENTS_MAXLEN,
                        history_line("claimed", moderator, at, lease_seconds=lease_seconds),
                        *candidates,
                    ],
                )
            claimed.extend(got)
            if len(claimed) >= limit or len(raw) < span:
                break
            offset += span
        return await self.get_many(site, claimed)

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
        lo = repr(min_score) if min_score is not None else "-inf"
        hi = repr(max_score) if max_score is not None else "+inf"
        result: list[str]
        if author_email is not None:
            index, desc = keys.by_author(site, author_email), order != Order.OLDEST
        elif order == Order.SCORE:
            result = await self.redis.zrevrangebyscore(  # type: ignore[assignment]
                keys.pending_by_score(site), hi, lo, start=offset, num=count
            )
            return result
        else:
            index, desc = keys.by_status(site, Status.PENDING), order == Order.NEWEST
        if desc:
            result = await self.redis.zrevrange(index, offset, offset + count - 1)  # type: ignore[assignment]
        else:
            result = await self.redis.zrange(index, offset, offset + count - 1)  # type: ignore[assignment]
        return result

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
        scores = await self.redis.zmscore(keys.pending_by_score(site), ids)
        return [
            i
            for i, score in zip(ids, scores, strict=True)
            if score is not None and _in_range(float(score), min_score, max_score)
        ]

    async def release(
        self, comment_id: str, moderator: str, lease_until_ms: int | None = None
    ) -> Outcome:
        """Give a claim back; with ``lease_until_ms``, only that lease (not one the
        moderator took again since)."""
        site = site_of(comment_id)
        if site is None:
            return Outcome("missing")
        at = now_ms()
        reply = await self._release(
            keys=[
                keys.comment(site, comment_id),
                keys.claims(site),
                keys.events(site),
                keys.claim_holders(site),
            ],
            args=[
                comment_id,
                moderator,
                at,
                EVENTS_MAXLEN,
                history_line("released", moderator, at),
                "" if lease_until_ms is None else str(lease_until_ms),
            ],
        )
        if reply[0] == "not_yours":
            return Outcome("not_yours", by=reply[1])
        return Outcome(reply[0])

    # -- floods and repeats ----------------------------------------------------------

    async def take_tokens(self, buckets: Sequence[tuple[str, float, int]]) -> tuple[float, int]:
        """Take a token from each (key, refill per second, burst) bucket, all or none.
        Answers (0, -1) when allowed, else the seconds until the emptiest bucket has a
        token again and that bucket's index in ``buckets``."""
        args: list[Any] = [now_ms()]
        for _, per_second, burst in buckets:
            args += [per_second / 1000, burst]
        allowed, wait_ms, emptiest = await self._take_tokens(
            keys=[k for k, _, _ in buckets], args=args
        )
        if int(allowed):
            return 0.0, -1
        return int(wait_ms) / 1000, int(emptiest) - 1

    # -- privacy -------------------------------------------------------------------------

    async def erase_comment(self, site: str, comment_id: str, actor: str) -> bool:
        at = now_ms()
        changed = await self._erase(
            keys=[keys.comment(site, comment_id), keys.decided(site), keys.events(site)],
            args=[
                comment_id,
                actor,
                at,
                history_line("erased", actor, at),
                EVENTS_MAXLEN,
                *PERSONAL_FIELDS,
            ],
        )
        return bool(changed)

    async def erase_author(self, site: str, email: str, actor: str) -> int:
        """Remove ``email``'s personal data from every comment of ``site`` and drop the
        indexes that name it.  Returns how many comments changed."""
        index = keys.by_author(site, email)
        changed = 0
        while True:
            ids: list[str] = await self.redis.zrange(index, 0, 499)  # type: ignore[assignment]
            if not ids:
                break
            for comment_id in ids:
                changed += await self.erase_comment(site, comment_id, actor)
            await self.redis.zrem(index, *ids)
        await self.redis.srem(keys.approved_authors(site), email)
        return changed

    async def erase_decided_before(self, site: str, before_ms: int, limit: int = 500) -> int:
        """Retention: erase personal data of comments decided before ``before_ms``."""
        ids: list[str] = await self.redis.zrangebyscore(  # type: ignore[assignment]
            keys.decided(site), "-inf", before_ms, start=0, num=limit
        )
        done = 0
        for comment_id in ids:
            record = await self.get(comment_id)
            if record is not None:
                email = record.data.get("author_email")
                if email:
                    await self.redis.zrem(keys.by_author(site, email), comment_id)
                    # trusting an author needs their email: retention ends that too
                    await self.redis.srem(keys.approved_authors(site), email)
            # ERASE takes it out of the decided zset too (even if the hash is gone)
            done += await self.erase_comment(site, comment_id, "retention")
        return done

    async def purge_spam_before(self, site: str, before_ms: int, limit: int = 500) -> int:
        """Retention: delete spam that arrived before ``before_ms``."""
        ids: list[str] = await self.redis.zrangebyscore(  # type: ignore[assignment]
            keys.by_status(site, Status.SPAM), "-inf", before_ms, start=0, num=limit
        )
        purged = 0
        for comment_id in ids:
            record = await self.get(comment_id)
            if record is None:
                await self.redis.zrem(keys.by_status(site, Status.SPAM), comment_id)
                continue
            purged += await self._purge_spam(
                keys=[
                    keys.comment(site, comment_id),
                    keys.by_status(site, Status.SPAM),
                    keys.external_ids(site),
                    keys.by_author(site, str(record.data.get("author_email") or "")),
                    keys.decided(site),
                    keys.events(site),
                ],
                args=[comment_id, record.data.get("external_id") or "", now_ms(), EVENTS_MAXLEN],
            )
        return purged


def _undo_outcome(reply: list[str]) -> Outcome:
    kind = reply[0]
    if kind == "ok":
        return Outcome("ok", status=Status.PENDING)
    if kind == "not_yours":
        return Outcome("not_yours", by=reply[1] or None)
    if kind == "too_late":
        return Outcome("too_late", status=Status(reply[1]))
    if kind == "pending":
        return Outcome("pending", status=Status.PENDING)
    return Outcome("missing")


def _decide_outcome(reply: list[str]) -> Outcome:
    kind = reply[0]
    if kind == "ok":
        return Outcome("ok", status=Status(reply[1]))
    if kind == "decided":
        return Outcome("decided", status=Status(reply[1]), by=reply[2] or None)
    if kind == "claimed":
        return Outcome("claimed", by=reply[1])
    return Outcome("missing")


def _in_range(value: float, lo: float | None, hi: float | None) -> bool:
    return (lo is None or value >= lo) and (hi is None or value <= hi)
