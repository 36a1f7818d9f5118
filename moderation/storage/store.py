"""The Redis data layer: every read and atomic write of comments, queues and claims.

Nothing outside this module talks to Redis about comments, and nothing outside it builds
their key names.  Writes are the Lua scripts of ``moderation.storage.scripts``; reads are plain
commands.  Where several go together (a batch of comments, a page's records, a bulk of
decisions) they share one round trip through ``moderation.storage.transport``, grouped by site.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
import secrets
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypedDict

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import NoScriptError

from moderation.core import jsoncodec
from moderation.core.records import (
    CMS_ACTOR,
    PERSONAL_FIELDS,
    TRUSTED_AUTHOR_RULE,
    CallbackEvent,
    CommentRecord,
    Decision,
    Status,
    history_line,
    now_ms,
    site_of,
    utc_day,
)
from moderation.core.text import text_problem
from moderation.storage import keys, scripts
from moderation.storage.cluster_transport import ClusterTransport, check_replicas
from moderation.storage.scripts import A, K, Script
from moderation.storage.transport import Arg, Command, Reply, Transport, as_mapping

EVENTS_MAXLEN = 100_000  # per site; the stream feeds callbacks and retraining, not archives
IDEMPOTENCY_TTL_SECONDS = 24 * 3600  # as long as Stripe keeps idempotency keys
DECISIONS_DAY_TTL_SECONDS = 3 * 24 * 3600
UNDO_WINDOW_MS = 10 * 60 * 1000
UNDO_ATTEMPTS = 3  # a 'stale' answer is retried with the day it names (see Store.undo)
DAY_MS = 24 * 3600 * 1000  # a UTC day: Unix time has no leap seconds
CMS_LABELS_MAX = 100_000  # per site: labels for retraining, not an archive
MODELS_KEPT = 5  # versions of a site's model kept for a rollback
RETRAINS_KEPT = 50  # retrain comparisons kept per site


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


class Order(StrEnum):
    SCORE = "score"  # most suspicious first
    OLDEST = "oldest"
    NEWEST = "newest"


class CallbackState(StrEnum):
    PENDING = "pending"  # not delivered yet: due, being sent, or waiting to be retried
    DEAD = "dead"  # given up on; kept until redelivered


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
    rule: str = ""  # the site rule that set ``status`` ('' = none)


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

    kind: str  # ok | missing | decided | claimed | not_yours | too_late | pending | same
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


class _Bound(Generic[K, A]):
    """A script run through the store's transport: calls go out as ``EVALSHA``, and a
    Redis that answers NOSCRIPT (it restarted and lost its scripts) is sent the script
    again, then only the calls it refused (a refused call ran nothing, so sending it
    again is safe).  Not redis-py's ``Script``: on a pipeline, that one sends
    ``SCRIPT EXISTS`` before every batch, a second round trip (see RESULTS.md)."""

    __slots__ = ("_by_sha", "_transport", "script")

    def __init__(
        self,
        transport: Transport | ClusterTransport,
        script: Script[K, A],
        *variants: Script[Any, Any],
    ) -> None:
        self._transport = transport
        self.script = script
        # calls of a variant (INTAKE_CALLBACK beside INTAKE) share the round trip
        self._by_sha = {s.sha: s for s in (script, *variants)}

    async def __call__(
        self,
        *,
        site: str,
        keys: K,
        argv: A,
        keys_tail: Sequence[str] = (),
        argv_tail: Sequence[Arg] = (),
    ) -> Any:
        """One call; the script's error (or Redis trouble) is raised."""
        command = self.script.command(keys, argv, keys_tail=keys_tail, argv_tail=argv_tail)
        [reply] = (await self.run({site: [command]}))[site]
        if isinstance(reply, BaseException):
            raise reply
        return reply

    async def run(self, groups: Mapping[str, Sequence[Command]]) -> dict[str, list[Reply]]:
        """Calls of this script (from :meth:`Script.command`), grouped by site, in one
        round trip; each reply is the script's result or the error of that call alone."""
        replies = await self._transport.send_groups(groups)
        refused: dict[str, list[int]] = {}
        for site, got in replies.items():
            for i, reply in enumerate(got):
                if isinstance(reply, NoScriptError):
                    refused.setdefault(site, []).append(i)
        if refused:
            for site, indexes in refused.items():
                shas = dict.fromkeys(str(groups[site][i][1]) for i in indexes)
                loads: list[Command] = [
                    ("SCRIPT", "LOAD", self._by_sha[sha].source) for sha in shas
                ]
                await self._load(site, loads)
            again = await self._transport.send_groups(
                {site: [groups[site][i] for i in indexes] for site, indexes in refused.items()}
            )
            for site, indexes in refused.items():
                for i, reply in zip(indexes, again[site], strict=True):
                    replies[site][i] = reply
        return replies

    async def _load(self, site: str, loads: list[Command]) -> None:
        """Load scripts where the site's calls may run.  On a cluster that is every
        master: the refusal may have come from the target of a slot being migrated
        (reached through ``ASK``, and new to the script), not the slot's owner, and a
        replica promoted by a failover may never have been sent it."""
        if isinstance(self._transport, ClusterTransport):
            answers = await self._transport.on_each_master(*loads)
            replies = [reply for got in answers.values() for reply in got]
        else:
            replies = await self._transport.send(site, loads)
        for loaded in replies:
            if isinstance(loaded, BaseException):
                raise loaded


def new_event_id() -> str:
    """A callback's id: the X-Moderation-Delivery of every attempt, for the CMS to drop
    repeats by; 96 random bits, unique across sites and instances."""
    return f"evt_{secrets.token_hex(12)}"


class Store:
    """Comments, queues and claims of every site, in one Redis.

    ``callbacks``: each site's callback event types (a site without callbacks is left
    out): its decisions of those types are queued for delivery in the same atomic write.
    ``on_callback(site)`` is told when one was queued, so the deliverer need not wait for
    its next poll."""

    def __init__(
        self,
        redis: Redis | RedisCluster,
        *,
        callbacks: Mapping[str, frozenset[str]] | None = None,
        on_callback: Callable[[str], None] | None = None,
        ack_replicas: int = 0,
        ack_timeout_ms: int = 1000,
    ) -> None:
        self.redis = redis
        self.callbacks = dict(callbacks or {})
        self.on_callback = on_callback
        self._auto_callbacks = frozenset(
            site for site, events in self.callbacks.items() if CallbackEvent.AUTO_DECIDED in events
        )
        transport: Transport | ClusterTransport = (
            ClusterTransport(redis, ack_replicas, ack_timeout_ms)
            if isinstance(redis, RedisCluster)
            else Transport(redis, ack_replicas, ack_timeout_ms)
        )
        self._transport = transport
        self._ack_replicas = ack_replicas
        self._intake = _Bound(transport, scripts.INTAKE, scripts.INTAKE_CALLBACK)
        self._decide = _Bound(transport, scripts.DECIDE)
        self._cms_decide = _Bound(transport, scripts.CMS_DECIDE)
        self._undo = _Bound(transport, scripts.UNDO)
        self._page = _Bound(transport, scripts.PAGE)
        self._claim = _Bound(transport, scripts.CLAIM)
        self._release = _Bound(transport, scripts.RELEASE)
        self._claimed_by_others = _Bound(transport, scripts.CLAIMED_BY_OTHERS)
        self._take_tokens = _Bound(transport, scripts.TAKE_TOKENS)
        self._erase = _Bound(transport, scripts.ERASE)
        self._purge_spam = _Bound(transport, scripts.PURGE_SPAM)
        self._callback_claim = _Bound(transport, scripts.CALLBACK_CLAIM)
        self._callback_release = _Bound(transport, scripts.CALLBACK_RELEASE)
        self._callback_settle = _Bound(transport, scripts.CALLBACK_SETTLE)
        self._callback_redeliver = _Bound(transport, scripts.CALLBACK_REDELIVER)
        self._model_put = _Bound(transport, scripts.MODEL_PUT)
        self._model_rollback = _Bound(transport, scripts.MODEL_ROLLBACK)
        self._unlock = _Bound(transport, scripts.UNLOCK)

    async def check_ready(self) -> None:
        """Raise unless Redis can serve every site now: it answers, and has the
        replicas ``ack_replicas`` asks for; on a cluster, every master answers, says the
        cluster is ok, and every slot has a master."""
        if isinstance(self._transport, ClusterTransport):
            await self._transport.check_ready(self._ack_replicas)
            return
        [info] = await self._transport.send("", [("INFO", "replication")])
        if isinstance(info, BaseException):
            raise info
        check_replicas(info, self._ack_replicas, "redis")

    async def write(self, tag: str, *commands: Command) -> list[Reply]:
        """``commands`` (keys of hash tag ``tag`` only: a site's id, or a key without
        braces) in one round trip, on the node that holds them and replicated as
        ``[redis] ack_replicas`` asks before this returns; the first error is raised.
        Every write that answers 2xx goes through here or a script: a redis-py call
        cannot WAIT on the connection that wrote."""
        replies = await self._transport.send(tag, commands)
        for reply in replies:
            if isinstance(reply, BaseException):
                raise reply
        return replies

    async def atomically(self, tag: str, *commands: Command) -> list[Reply]:
        """``commands`` in one MULTI/EXEC (as :meth:`write`): their replies, all or none
        of the writes applied, and reads that see no other write in between."""
        replies = await self.write(tag, ("MULTI",), *commands, ("EXEC",))
        done: list[Reply] = replies[-1]
        for reply in done:
            if isinstance(reply, BaseException):
                raise reply
        return done

    def _callback_argv(self, site: str, event: str) -> tuple[str, str]:
        """The (callback, event_id) ARGV of a script that may queue ``event``."""
        if event in self.callbacks.get(site, ()):
            return "1", new_event_id()
        return "0", ""

    def _queued(self, site: str) -> None:
        if self.on_callback is not None:
            self.on_callback(site)

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
                **_intake_site_keys(site),
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
                "created_ms": c.created_ms,
                "data": jsoncodec.dumps(c.data),
                "history": c.history,
                "author_email": c.author_email,
                "trust_approved_authors": "1" if c.trust_approved_authors else "0",
                "trusted_history": c.trusted_history,
                "events_maxlen": EVENTS_MAXLEN,
                "repeat_window": c.repeat_window_seconds if c.text_fingerprint else 0,
                "repeat_status": c.repeat_status.value if c.repeat_status else "",
                "repeat_history": c.repeat_history,
                "repeat_rule": c.repeat_rule,
                "request_fingerprint": c.request_fingerprint,
            }
            if site in auto_callbacks:
                call = scripts.INTAKE_CALLBACK.command(
                    {**call_keys, **_callback_keys(site, c.id)},
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
        for reply in in_order:
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
                if reply[2] != "pending" and site_of(reply[1]) in auto_callbacks:
                    self._queued(site_of(reply[1]) or "")
        return results

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
        rows = await self._transport.send(
            site, [("HMGET", keys.comment(site, i), *LISTED_FIELDS) for i in ids]
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

    async def records_in(self, site: str, status: Status) -> AsyncIterator[list[CommentRecord]]:
        """Every comment of ``site`` with ``status``, oldest first, a few hundred at a
        time (each page read once its turn comes, so the whole set is never in memory)."""
        index = keys.by_status(site, status)
        start = 0
        while True:
            ids: list[str] = await self.redis.zrange(index, start, start + 499)  # type: ignore[assignment]
            if not ids:
                return
            yield [r for r in await self.get_many(site, ids) if r.status == status]
            start += len(ids)

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
                site=site,
                keys={"index": index},
                argv={
                    "descending": "1" if desc else "0",
                    "limit": limit,
                    "cursor_member": member,
                    "cursor_score": score,
                    "min_score": score_range[0],
                    "max_score": score_range[1],
                },
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
        sent: dict[str, list[int]] = {}
        by_site: dict[str, list[Command]] = {}
        for index, (comment_id, decision, note) in enumerate(items):
            site = site_of(comment_id)
            if site is None:
                outcomes[index] = Outcome("missing")
                continue
            status = decision.status
            callback, event_id = self._callback_argv(site, CallbackEvent.DECIDED)
            by_site.setdefault(site, []).append(
                scripts.DECIDE.command(
                    {
                        "comment": keys.comment(site, comment_id),
                        "pending_index": keys.by_status(site, Status.PENDING),
                        "score_index": keys.pending_by_score(site),
                        "new_status_index": keys.by_status(site, status),
                        "claims": keys.claims(site),
                        "events": keys.events(site),
                        "decisions_day": keys.decisions_per_day(site, day),
                        "approved_authors": keys.approved_authors(site),
                        "decided_index": keys.decided(site),
                        "claim_holders": keys.claim_holders(site),
                        **_callback_keys(site, comment_id),
                        **_label_keys(site),
                    },
                    {
                        "id": comment_id,
                        "moderator": moderator,
                        "new_status": status.value,
                        "now_ms": at,
                        "history_line": history_line(
                            "decided", moderator, at, status=status.value, note=note or None
                        ),
                        "note": note,
                        "decisions_day_ttl": DECISIONS_DAY_TTL_SECONDS,
                        "events_maxlen": EVENTS_MAXLEN,
                        "callback": callback,
                        "event_id": event_id,
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
                outcomes[index] = _decide_outcome(reply)
            if site in self.callbacks:
                self._queued(site)
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
                    **_status_indexes(site),
                    "events": keys.events(site),
                    "decided_index": keys.decided(site),
                    "decisions_day": keys.decisions_per_day(site, utc_day(day_start)),
                    "approved_authors": keys.approved_authors(site),
                    **_callback_keys(site, comment_id),
                    **_label_keys(site),
                },
                argv={
                    "id": comment_id,
                    "moderator": moderator,
                    "now_ms": at,
                    "window_ms": UNDO_WINDOW_MS,
                    "day_start_ms": day_start,
                    "day_end_ms": day_start + DAY_MS,
                    "events_maxlen": EVENTS_MAXLEN,
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
                        "events_maxlen": EVENTS_MAXLEN,
                        "history_line": history_line(
                            "claimed", moderator, at, lease_seconds=lease_seconds
                        ),
                    },
                    keys_tail=[keys.comment(site, c) for c in candidates],
                    argv_tail=candidates,
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
                "events_maxlen": EVENTS_MAXLEN,
                "history_line": history_line("released", moderator, at),
                "lease_until_ms": "" if lease_until_ms is None else str(lease_until_ms),
            },
        )
        if reply[0] == "not_yours":
            return Outcome("not_yours", by=reply[1])
        return Outcome(reply[0])

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

    # -- labels for learning ----------------------------------------------------------

    async def label_counts(self, site: str) -> dict[str, int]:
        """How many comments of ``site`` humans labelled ham and spam, and how many
        labels came since the last retrain (``new``)."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zcard(keys.labels(site, "ham"))
            pipe.zcard(keys.labels(site, "spam"))
            pipe.get(keys.new_labels(site))
            ham, spam, new = await pipe.execute()
        return {"ham": int(ham), "spam": int(spam), "new": int(new or 0)}

    async def labelled(self, site: str) -> list[tuple[str, bool, int]]:
        """Every labelled comment of ``site`` as (id, is spam, when), oldest first."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zrange(keys.labels(site, "ham"), 0, -1, withscores=True)
            pipe.zrange(keys.labels(site, "spam"), 0, -1, withscores=True)
            ham, spam = await pipe.execute()
        merged = [(cid, False, int(ms)) for cid, ms in ham]
        merged += [(cid, True, int(ms)) for cid, ms in spam]
        return sorted(merged, key=lambda item: (item[2], item[0]))

    async def take_new_labels(self, site: str, count: int) -> None:
        """``count`` of the new labels went into a retrain: they are new no more."""
        await self.write(site, ("DECRBY", keys.new_labels(site), count))

    # -- site models -------------------------------------------------------------------

    async def site_model_version(self, site: str) -> str | None:
        version: str | None = await self.redis.get(keys.model_current(site))  # type: ignore[assignment]
        return version

    async def site_model_bytes(self, site: str, version: str) -> bytes | None:
        """The model file of ``site``'s ``version``, or None if it is not kept."""
        encoded: str | None = await self.redis.hget(keys.model_blobs(site), version)  # type: ignore[assignment]
        if encoded is None:
            return None
        try:
            return base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            return b""  # not base64: SpamModel.from_bytes refuses it as no model file

    async def put_site_model(
        self, site: str, version: str, payload: bytes, record: Mapping[str, Any]
    ) -> list[str]:
        """Keep ``payload`` as ``site``'s ``version`` and use it from now on; the oldest
        beyond MODELS_KEPT go.  Answers the versions pruned."""
        pruned: list[str] = await self._model_put(
            site=site,
            keys=_model_keys(site),
            argv={
                "version": version,
                "blob": base64.b64encode(payload).decode("ascii"),
                "record": jsoncodec.dumps({**record, "version": version}),
                "keep": MODELS_KEPT,
                "retrain": jsoncodec.dumps({**record, "version": version, "at_ms": now_ms()}),
                "retrains_kept": RETRAINS_KEPT,
            },
        )
        return pruned

    async def rollback_site_model(self, site: str, version: str) -> bool:
        """Use the kept ``version`` again; False if it is not kept."""
        done = await self._model_rollback(
            site=site,
            keys={"current": keys.model_current(site), "blobs": keys.model_blobs(site)},
            argv={"version": version},
        )
        return bool(int(done))

    async def model_snapshot(self, site: str) -> dict[str, Any]:
        """Everything GET /v1/model says, read in one MULTI, so that a swap landing
        meanwhile is seen whole or not at all: the version in use, the records of the
        versions kept (newest first), the label counts and the latest retrain."""
        current, versions, flat_meta, ham, spam, new, latest = await self.atomically(
            site,
            ("GET", keys.model_current(site)),
            ("LRANGE", keys.model_versions(site), 0, -1),
            ("HGETALL", keys.model_meta(site)),
            ("ZCARD", keys.labels(site, "ham")),
            ("ZCARD", keys.labels(site, "spam")),
            ("GET", keys.new_labels(site)),
            ("LRANGE", keys.retrains(site), 0, 0),
        )
        meta = as_mapping(flat_meta)
        return {
            "current": current,
            "kept": [jsoncodec.loads(meta[v]) for v in versions if v in meta],
            "labels": {"ham": int(ham), "spam": int(spam), "new": int(new or 0)},
            "last_retrain": jsoncodec.loads(latest[0]) if latest else None,
        }

    async def site_models(self, site: str) -> tuple[str | None, list[dict[str, Any]]]:
        """The version in use and the record of each version kept, newest first."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.get(keys.model_current(site))
            pipe.lrange(keys.model_versions(site), 0, -1)
            pipe.hgetall(keys.model_meta(site))
            current, versions, meta = await pipe.execute()
        kept = [jsoncodec.loads(meta[v]) for v in versions if v in meta]
        return current, kept

    async def record_retrain(self, site: str, record: Mapping[str, Any]) -> None:
        """Every retrain's comparison, swapped or not (newest first, capped)."""
        await self.atomically(
            site,
            ("LPUSH", keys.retrains(site), jsoncodec.dumps({**record, "at_ms": now_ms()})),
            ("LTRIM", keys.retrains(site), 0, RETRAINS_KEPT - 1),
        )

    async def retrains(self, site: str) -> list[dict[str, Any]]:
        raw: list[str] = await self.redis.lrange(keys.retrains(site), 0, -1)  # type: ignore[assignment]
        return [jsoncodec.loads(line) for line in raw]

    async def lock_retrain(self, site: str, token: str, seconds: int) -> bool:
        """The site's retrain lock (one retrain per site across processes)."""
        [taken] = await self.write(
            site, ("SET", keys.retrain_lock(site), token, "NX", "EX", seconds)
        )
        return taken is not None

    async def unlock_retrain(self, site: str, token: str) -> None:
        """Release the lock if it is still ``token``'s (not one taken after it expired)."""
        await self._unlock(site=site, keys={"lock": keys.retrain_lock(site)}, argv={"token": token})

    # -- the Akismet-compatible API ----------------------------------------------------

    async def id_for_external(self, site: str, external_id: str) -> str | None:
        """Our id of the comment the CMS sent under ``external_id``, if it is stored."""
        found: str | None = await self.redis.hget(keys.external_ids(site), external_id)  # type: ignore[assignment]
        return found

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
            return Outcome("missing")
        at = now_ms()
        reply = await self._cms_decide(
            site=site,
            keys={
                "comment": keys.comment(site, comment_id),
                **_status_indexes(site),
                "claims": keys.claims(site),
                "claim_holders": keys.claim_holders(site),
                "events": keys.events(site),
                "approved_authors": keys.approved_authors(site),
                "decided_index": keys.decided(site),
                **_label_keys(site),
            },
            argv={
                "id": comment_id,
                "new_status": status.value,
                "now_ms": at,
                "history_line": history_line(
                    "decided", CMS_ACTOR, at, status=status.value, cms_user=cms_user or None
                ),
                "events_maxlen": EVENTS_MAXLEN,
            },
        )
        if reply[0] == "ok":
            return Outcome("ok", status=Status(reply[1]))
        if reply[0] == "same":
            return Outcome("same", status=Status(reply[1]))
        return Outcome("missing")

    async def add_cms_label(self, site: str, label: dict[str, Any]) -> None:
        """Keep a CMS's label of a comment not stored here (newest first, capped)."""
        await self.atomically(
            site,
            ("LPUSH", keys.cms_labels(site), jsoncodec.dumps(label)),
            ("LTRIM", keys.cms_labels(site), 0, CMS_LABELS_MAX - 1),
        )

    async def cms_labels(self, site: str) -> list[dict[str, Any]]:
        raw: list[str] = await self.redis.lrange(keys.cms_labels(site), 0, -1)  # type: ignore[assignment]
        return [jsoncodec.loads(line) for line in raw]

    async def count_akismet_call(self, site: str, month: str) -> int:
        """One more comment-check this month; answers the month's count."""
        key = keys.akismet_usage(site, month)
        count, _ = await self.atomically(site, ("INCR", key), ("EXPIRE", key, 40 * 24 * 3600))
        return int(count)

    async def count_akismet_correction(self, site: str, kind: str) -> None:
        """``missed_spam`` or ``false_positives``: a CMS said otherwise than the verdict."""
        await self.write(site, ("HINCRBY", keys.akismet_corrections(site), kind, 1))

    async def akismet_corrections(self, site: str) -> dict[str, int]:
        raw: dict[str, str] = await self.redis.hgetall(keys.akismet_corrections(site))  # type: ignore[assignment]
        return {kind: int(raw.get(kind, 0)) for kind in ("missed_spam", "false_positives")}

    async def akismet_calls(self, site: str, month: str) -> int:
        count = await self.redis.get(keys.akismet_usage(site, month))
        return int(count or 0)

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
        outcome: str,
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
        async with self.redis.pipeline(transaction=False) as pipe:
            if pending:
                pipe.zrange(index, 0, limit - 1, withscores=True)
            else:
                pipe.zrevrange(index, 0, limit - 1, withscores=True)
            pipe.zcard(index)
            ranked, total = await pipe.execute()
        ids = [member for member, _ in ranked]
        if not ids:
            return [], int(total)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hmget(keys.callback_events(site), ids)
            for event_id in ids:
                pipe.zscore(keys.callback_due(site), event_id)
            raw, *due = await pipe.execute()
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
        return listed, int(total)

    async def callback_backlog(self, site: str) -> tuple[int, int | None]:
        """How many events of ``site`` wait for delivery, and when the oldest was queued."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zcard(keys.callback_pending(site))
            pipe.zrange(keys.callback_pending(site), 0, 0, withscores=True)
            count, oldest = await pipe.execute()
        return int(count), int(oldest[0][1]) if oldest else None

    async def redeliver_callbacks(self, site: str, event_ids: Sequence[str] | None) -> list[str]:
        """Queue dead events of ``site`` again (all of them when ``event_ids`` is None),
        each with a new give-up period; answers the ids queued (others were not dead)."""
        dead_key = keys.callback_dead(site)
        ids: Sequence[str] = (
            event_ids if event_ids is not None else await self.redis.zrange(dead_key, 0, -1)  # type: ignore[assignment]
        )
        queued: list[str] = []
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            raw = await self.redis.hmget(keys.callback_events(site), chunk)
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

    # -- privacy -------------------------------------------------------------------------

    async def erase_comment(self, site: str, comment_id: str, actor: str) -> bool:
        at = now_ms()
        changed = await self._erase(
            site=site,
            keys={
                "comment": keys.comment(site, comment_id),
                "decided_index": keys.decided(site),
                "events": keys.events(site),
            },
            argv={
                "id": comment_id,
                "actor": actor,
                "now_ms": at,
                "history_line": history_line("erased", actor, at),
                "events_maxlen": EVENTS_MAXLEN,
            },
            argv_tail=PERSONAL_FIELDS,
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
            await self.write(site, ("ZREM", index, *ids))
        await self.write(site, ("HDEL", keys.approved_authors(site), email))
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
                    # trusting an author needs their email: retention ends that too
                    await self.write(
                        site,
                        ("ZREM", keys.by_author(site, email), comment_id),
                        ("HDEL", keys.approved_authors(site), email),
                    )
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
                await self.write(site, ("ZREM", keys.by_status(site, Status.SPAM), comment_id))
                continue
            data = record.data
            purged += await self._purge_spam(
                site=site,
                keys={
                    "comment": keys.comment(site, comment_id),
                    "spam_index": keys.by_status(site, Status.SPAM),
                    "external_ids": keys.external_ids(site),
                    "author_index": keys.by_author(site, str(data.get("author_email") or "")),
                    "decided_index": keys.decided(site),
                    "events": keys.events(site),
                },
                argv={
                    "id": comment_id,
                    "external_id": data.get("external_id") or "",
                    "now_ms": now_ms(),
                    "events_maxlen": EVENTS_MAXLEN,
                },
            )
        return purged


@functools.lru_cache(maxsize=4096)
def _intake_site_keys(site: str) -> _IntakeSiteKeys:
    """The INTAKE keys that are the same for every comment of ``site``, built once."""
    return {
        "external_ids": keys.external_ids(site),
        "pending_index": keys.by_status(site, Status.PENDING),
        "approved_index": keys.by_status(site, Status.APPROVED),
        "spam_index": keys.by_status(site, Status.SPAM),
        "score_index": keys.pending_by_score(site),
        "events": keys.events(site),
        "approved_authors": keys.approved_authors(site),
        "decided_index": keys.decided(site),
    }


class _StatusIndexes(TypedDict):
    pending_index: str
    approved_index: str
    spam_index: str
    rejected_index: str
    score_index: str


def _status_indexes(site: str) -> _StatusIndexes:
    """The zsets a comment is filed in by its status (and pending ones by score)."""
    return {
        "pending_index": keys.by_status(site, Status.PENDING),
        "approved_index": keys.by_status(site, Status.APPROVED),
        "spam_index": keys.by_status(site, Status.SPAM),
        "rejected_index": keys.by_status(site, Status.REJECTED),
        "score_index": keys.pending_by_score(site),
    }


class _LabelKeys(TypedDict):
    ham_labels: str
    spam_labels: str
    new_labels: str


def _label_keys(site: str) -> _LabelKeys:
    return {
        "ham_labels": keys.labels(site, "ham"),
        "spam_labels": keys.labels(site, "spam"),
        "new_labels": keys.new_labels(site),
    }


def _model_keys(site: str) -> scripts.ModelKeys:
    return {
        "current": keys.model_current(site),
        "versions": keys.model_versions(site),
        "meta": keys.model_meta(site),
        "blobs": keys.model_blobs(site),
        "retrains": keys.retrains(site),
    }


def _callback_keys(site: str, comment_id: str) -> scripts.CallbackKeys:
    return {
        "callback_events": keys.callback_events(site),
        "callback_pending": keys.callback_pending(site),
        "callback_due": keys.callback_due(site),
        "callback_heads": keys.callback_heads(site),
        "callback_queue": keys.callback_queue(site, comment_id),
    }


class _IntakeSiteKeys(TypedDict):
    external_ids: str
    pending_index: str
    approved_index: str
    spam_index: str
    score_index: str
    events: str
    approved_authors: str
    decided_index: str


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
