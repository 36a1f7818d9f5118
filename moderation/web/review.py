"""The moderator API: the review queue, single and bulk decisions, claims, undo, stats,
and reading one comment (also open to the site's own key, for polling)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from moderation.appkeys import AUTH, METRICS, STORE
from moderation.config import ModeratorConfig
from moderation.core.records import (
    CommentRecord,
    Decision,
    Status,
    iso_from_ms,
    now_ms,
    site_of,
    utc_day,
)
from moderation.storage.store import UNDO_WINDOW_MS, CursorError, Outcome, OutcomeKind
from moderation.web.access import moderated_site
from moderation.web.answers import (
    Author,
    BulkDecisionResults,
    ClaimedItems,
    ClaimResult,
    Comment,
    DecisionResult,
    QueuePage,
    Released,
    Stats,
    Undone,
)
from moderation.web.apidoc import (
    COMMENT_ID,
    CSRF,
    CSRF_403,
    MODERATOR,
    MODERATOR_JSON,
    SITE_OR_MODERATOR,
    duration,
    json_answer,
    json_body,
    operation,
    problems,
    query_parameters,
    ref,
)
from moderation.web.auth import ModeratorCaller, SiteCaller
from moderation.web.bodies import (
    MAX_BULK,
    BulkDecisionItem,
    BulkDecisionRequest,
    ClaimRequest,
    CommentClaimRequest,
    DecisionRequest,
    ReleaseRequest,
    field_errors,
    parse,
)
from moderation.web.http import answer, read_json_object
from moderation.web.problems import FieldError, conflict, forbidden, invalid, not_found
from moderation.web.queries import AuthorQuery, QueueQuery, StatsQuery, query_values
from moderation.web.routes import RouteTable

routes = RouteTable()

JSON_LIMIT = 1024 * 1024


def _site(
    moderator: ModeratorConfig,
    query: QueueQuery | StatsQuery | AuthorQuery | None,
    raw: Mapping[str, str],
    errors: list[FieldError],
) -> str:
    """The site the query names (its model checked it, and listed it in ``errors`` if it
    is bad), else the moderator's one site, else "" with the error listed first."""
    if raw.get("site"):
        return query.site if query is not None and query.site is not None else ""
    if len(moderator.sites) == 1 and moderator.sites[0] != "*":
        return moderator.sites[0]
    errors.insert(0, FieldError("site", "is required (you moderate several sites)"))
    return ""


@routes.get(
    "/v1/queue",
    operation(
        "listQueue",
        "review",
        "List a site's review queue",
        {
            "200": json_answer(ref("QueuePage"), "One page of the queue."),
            **problems(
                401,
                404,
                422,
                503,
                s404="The caller does not moderate this site.",
                s422="A bad query parameter (every one listed), or a cursor "
                "this service did not give out.",
            ),
        },
        security=MODERATOR,
        parameters=query_parameters(QueueQuery),
    ),
)
async def get_queue(request: web.Request) -> web.Response:
    moderator = await request.app[AUTH].moderator(request)
    query, errors = query_values(QueueQuery, request.query)
    site = _site(moderator, query, request.query, errors)
    if query is None or errors:
        raise invalid(errors)
    moderated_site(request, moderator, site)
    try:
        page = await request.app[STORE].page(
            site,
            status=query.status,
            order=query.order,
            limit=query.limit,
            cursor=query.cursor,
            min_score=query.min_score,
            max_score=query.max_score,
            author_email=query.author_email,
            post_id=query.post_id,
            post_url=query.post_url,
            author_name=query.author_name,
            q=query.q,
        )
    except CursorError as exc:
        raise invalid([FieldError("cursor", str(exc))]) from exc
    at = now_ms()
    return answer(
        QueuePage.model_validate(
            {"items": [r.queue_item(at) for r in page.records], "next_cursor": page.next_cursor}
        )
    )


@routes.get(
    "/v1/authors",
    operation(
        "getAuthor",
        "review",
        "One author of a site: comments by status, first and last seen, recent comments",
        {
            "200": json_answer(ref("Author"), "The author."),
            **problems(
                401,
                404,
                422,
                503,
                s404="The caller does not moderate this site, or the site holds no "
                "comment by this author (never seen, or erased).",
                s422="A bad query parameter (every one listed), or a cursor "
                "this service did not give out.",
            ),
        },
        security=MODERATOR,
        parameters=query_parameters(AuthorQuery),
        description=(
            "The author is named by email, normalised as intake normalises it, so any "
            "spelling of the same address finds them.  Counts are exact; the comments "
            "are paged, newest first, with the same exact cursors as the queue."
        ),
    ),
)
async def get_author(request: web.Request) -> web.Response:
    moderator = await request.app[AUTH].moderator(request)
    query, errors = query_values(AuthorQuery, request.query)
    site = _site(moderator, query, request.query, errors)
    if query is None or errors:
        raise invalid(errors)
    moderated_site(request, moderator, site)
    try:
        author = await request.app[STORE].author(
            site, query.email, limit=query.limit, cursor=query.cursor
        )
    except CursorError as exc:
        raise invalid([FieldError("cursor", str(exc))]) from exc
    if author is None:
        raise not_found("This site holds no comment by this author.")
    at = now_ms()
    return answer(
        Author.model_validate(
            {
                "site": site,
                "email": query.email,
                "counts": author.counts,
                "first_seen": iso_from_ms(author.first_ms),
                "last_seen": iso_from_ms(author.last_ms),
                "comments": [r.queue_item(at) for r in author.page.records],
                "next_cursor": author.page.next_cursor,
            }
        )
    )


async def _readable_record(request: web.Request) -> tuple[CommentRecord, bool]:
    """The comment at the path, and whether the caller is a moderator; 404 for anyone
    who may not read it, so ids of other sites reveal nothing."""
    caller = await request.app[AUTH].caller(request)
    comment_id = request.match_info["id"]
    site = site_of(comment_id)
    if site is None:
        raise not_found("No such comment.")
    if isinstance(caller, SiteCaller) and caller.site.id != site:
        raise not_found("No such comment.")
    if isinstance(caller, ModeratorCaller) and not caller.moderator.may_moderate(site):
        raise not_found("No such comment.")
    record = await request.app[STORE].get(comment_id)
    if record is None:
        raise not_found("No such comment.")
    return record, isinstance(caller, ModeratorCaller)


@routes.get(
    "/v1/comments/{id}",
    operation(
        "getComment",
        "review",
        "Read one comment: fields, score, status and history",
        {
            "200": json_answer(ref("Comment"), "The comment."),
            **problems(401, 404, 503),
        },
        security=SITE_OR_MODERATOR,
        parameters=COMMENT_ID,
        description=(
            "A site's key reads its own comments (how a CMS polls for the "
            "decision), without moderators' notes; a moderator reads comments of "
            "the sites they moderate.  Anything else is 404."
        ),
    ),
)
async def get_comment(request: web.Request) -> web.Response:
    record, is_moderator = await _readable_record(request)
    return answer(Comment.model_validate(record.full(now_ms(), for_moderator=is_moderator)))


def _today() -> str:
    return utc_day(now_ms())


def _answer(comment_id: str, outcome: Outcome) -> tuple[int, dict[str, Any]]:
    """The HTTP status and body a decision's outcome gets."""
    if outcome.kind in (OutcomeKind.OK, OutcomeKind.SAME):  # SAME: an override of nothing
        return 200, {
            "id": comment_id,
            "status": outcome.status.value if outcome.status else None,
            "previous_status": outcome.previous.value if outcome.previous else None,
        }
    if outcome.kind == OutcomeKind.DECIDED:
        return 409, {
            "id": comment_id,
            "detail": f"Already decided ({outcome.status}) by {outcome.by}.",
            "current_status": outcome.status.value if outcome.status else None,
            "decided_by": outcome.by,
        }
    if outcome.kind == OutcomeKind.CLAIMED:
        return 409, {
            "id": comment_id,
            "detail": f"Claimed by {outcome.by}.",
            "claimed_by": outcome.by,
        }
    return 404, {"id": comment_id, "detail": "No such comment."}


def _may_decide(moderator: ModeratorConfig, comment_id: str) -> bool:
    """Whether ``moderator`` moderates the site a comment id names.  Not
    ``access.moderated_site`` on purpose: a comment the caller may not touch is answered
    "No such comment." (as a missing one is), and in a bulk decision only that item."""
    site = site_of(comment_id)
    return site is not None and moderator.may_moderate(site)


@routes.post(
    "/v1/comments/{id}/decision",
    operation(
        "decideComment",
        "review",
        "Approve, mark as spam or reject a comment, or change its decision",
        {
            "200": json_answer(ref("DecisionResult"), "Decided."),
            **problems(
                *MODERATOR_JSON,
                s409="Already decided (the answer says by whom and how), or "
                "claimed by another moderator; never with `override`.",
                **CSRF_403,
            ),
        },
        security=MODERATOR,
        parameters=[*COMMENT_ID, CSRF],
        body=json_body("DecisionRequest"),
        description=(
            "Atomic: of two moderators deciding a pending comment at once, one gets 409.  "
            'With `"override": true` any decision is changed (a moderator\'s, a site '
            "rule's, the CMS's) and a pending comment another moderator has claimed is "
            "decided (their claim ends): the history keeps both steps (`override`, `was`), "
            "and the label, the trusted-author count and the `comment.decided` callback "
            "(with `previous_status`) follow the new status.  An override to the status the "
            "comment has changes nothing (200, `previous_status` the same)."
        ),
    ),
)
async def post_decision(request: web.Request) -> web.Response:
    moderator, comment_id = await _moderator_and_comment(request)
    body = parse(DecisionRequest, await read_json_object(request, JSON_LIMIT))
    outcome = await request.app[STORE].decide(
        comment_id, moderator.name, body.decision, body.note or "", override=body.override
    )
    status, result = _answer(comment_id, outcome)
    if status == 404:
        raise not_found(result["detail"])
    if status == 409:
        extra = {k: v for k, v in result.items() if k not in ("detail",)}
        raise conflict(result["detail"], **extra)
    if outcome.kind == OutcomeKind.OK:
        request.app[METRICS].decisions.labels(result["status"]).inc()
    return answer(DecisionResult.model_validate(result))


@routes.post(
    "/v1/decisions",
    operation(
        "decideComments",
        "review",
        "Decide many comments at once, each on its own",
        {
            "200": json_answer(
                ref("BulkDecisionResults"),
                "One result per item, with the HTTP status that item alone would get.",
            ),
            **problems(
                400,
                401,
                403,
                413,
                415,
                422,
                503,
                s422=f"`decisions` is missing, empty or longer than {MAX_BULK}.",
                **CSRF_403,
            ),
        },
        security=MODERATOR,
        parameters=[CSRF],
        body=json_body("BulkDecisionRequest"),
        description=(
            'An item with `"override": true` changes a decision as `decideComment` does; '
            "the others answer 409 for a decided or claimed comment, as it does."
        ),
    ),
)
async def post_bulk_decisions(request: web.Request) -> web.Response:
    moderator = await request.app[AUTH].moderator(request)
    body = parse(BulkDecisionRequest, await read_json_object(request, JSON_LIMIT))
    items: list[Any] = body.decisions  # as sent: each is checked on its own below
    results: list[dict[str, Any] | None] = [None] * len(items)
    wanted: list[tuple[int, tuple[str, Decision, str]]] = []
    overrides: list[bool] = []
    for index, raw in enumerate(items):
        try:
            item = BulkDecisionItem.model_validate(raw)
        except ValidationError as exc:
            prefix = f"decisions[{index}]"
            errors = field_errors(exc, prefix)
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            if any(e.field == f"{prefix}.id" for e in errors):
                raw_id = None
            results[index] = {
                "id": raw_id,  # None unless it is text that can be answered
                "status": 422,
                "errors": [e.as_dict() for e in errors],
            }
            continue
        if not _may_decide(moderator, item.id):
            results[index] = {"id": item.id, "status": 404, "detail": "No such comment."}
        else:
            wanted.append((index, (item.id, item.decision, item.note or "")))
            overrides.append(item.override)
    outcomes = await request.app[STORE].decide_many(
        [item for _, item in wanted], moderator.name, override=overrides
    )
    for (index, (comment_id, _, _)), outcome in zip(wanted, outcomes, strict=True):
        status, result = _answer(comment_id, outcome)
        if outcome.kind == OutcomeKind.OK:
            request.app[METRICS].decisions.labels(result["status"]).inc()
        if status == 200:
            # "status" is the HTTP status this item alone would get; the comment's new
            # status is "comment_status".
            result["comment_status"] = result.pop("status")
        results[index] = {**result, "status": status}
    return answer(BulkDecisionResults.model_validate({"results": results}))


@routes.post(
    "/v1/queue/claim",
    operation(
        "claimComments",
        "review",
        "Claim the next pending comments for a while",
        {
            "200": json_answer(ref("ClaimedItems"), "The comments now claimed by the caller."),
            **problems(
                400,
                401,
                403,
                404,
                413,
                415,
                422,
                503,
                s404="The caller does not moderate this site.",
                **CSRF_403,
            ),
        },
        security=MODERATOR,
        parameters=[CSRF],
        body=json_body("ClaimRequest"),
        description=(
            "While the lease lasts, other moderators' decisions on these comments "
            "answer 409, so several moderators can work one queue."
        ),
    ),
)
async def post_claim(request: web.Request) -> web.Response:
    moderator = await request.app[AUTH].moderator(request)
    body = parse(ClaimRequest, await read_json_object(request, JSON_LIMIT))
    moderated_site(request, moderator, body.site)
    records = await request.app[STORE].claim(
        body.site,
        moderator.name,
        limit=body.limit,
        lease_seconds=float(body.lease_seconds),
        order=body.order,
        min_score=body.min_score,
        max_score=body.max_score,
        author_email=body.author_email,
    )
    at = now_ms()
    return answer(ClaimedItems.model_validate({"items": [r.queue_item(at) for r in records]}))


async def _moderator_and_comment(request: web.Request) -> tuple[ModeratorConfig, str]:
    """The calling moderator and the comment id at the path; 404 unless they moderate
    its site."""
    moderator = await request.app[AUTH].moderator(request)
    comment_id = request.match_info["id"]
    if not _may_decide(moderator, comment_id):
        raise not_found("No such comment.")
    return moderator, comment_id


@routes.post(
    "/v1/comments/{id}/release",
    operation(
        "releaseComment",
        "review",
        "Give up one's claim on a comment",
        {
            "200": json_answer(ref("Released"), "Released (or it was not claimed)."),
            **problems(
                401,
                403,
                404,
                409,
                413,
                415,
                422,
                503,
                s409="Claimed by another moderator.",
                **CSRF_403,
            ),
        },
        security=MODERATOR,
        parameters=[*COMMENT_ID, CSRF],
        body={**json_body("ReleaseRequest"), "required": False},
    ),
)
async def post_release(request: web.Request) -> web.Response:
    moderator, comment_id = await _moderator_and_comment(request)
    body = ReleaseRequest()
    if request.can_read_body:
        body = parse(ReleaseRequest, await read_json_object(request, JSON_LIMIT))
    lease = body.lease_until_ms
    outcome = await request.app[STORE].release(comment_id, moderator.name, lease)
    if outcome.kind == OutcomeKind.MISSING:
        raise not_found("No such comment.")
    if outcome.kind == OutcomeKind.NOT_YOURS:
        raise conflict(f"Claimed by {outcome.by}, not by you.", claimed_by=outcome.by)
    return answer(Released(id=comment_id, released=outcome.kind == OutcomeKind.OK))


@routes.post(
    "/v1/comments/{id}/claim",
    operation(
        "claimComment",
        "review",
        "Claim one comment, or take it over from another moderator (admins)",
        {
            "200": json_answer(ref("ClaimResult"), "The caller holds the comment now."),
            **problems(
                *MODERATOR_JSON,
                s403="`take` by a moderator without admin = true.  " + CSRF_403["s403"],
                s409="Claimed by another moderator (without `take`), or already decided.",
            ),
        },
        security=MODERATOR,
        parameters=[*COMMENT_ID, CSRF],
        body={**json_body("CommentClaimRequest"), "required": False},
        description=(
            "Claims a pending comment for `lease_seconds` (claiming one's own again renews "
            'it).  With `"take": true` an admin moderator of the site takes a comment '
            "another moderator holds: their lease ends at once (their decisions and "
            "releases then answer 409) and the history gets one `taken_over` entry naming "
            "them (`from`).  Plain claims stay out of the history."
        ),
    ),
)
async def post_comment_claim(request: web.Request) -> web.Response:
    moderator, comment_id = await _moderator_and_comment(request)
    body = CommentClaimRequest()
    if request.can_read_body:
        body = parse(CommentClaimRequest, await read_json_object(request, JSON_LIMIT))
    if body.take and not moderator.admin:
        raise forbidden("Taking over a claim needs a moderator with admin = true.")
    outcome = await request.app[STORE].claim_one(
        comment_id, moderator.name, lease_seconds=float(body.lease_seconds), take=body.take
    )
    if outcome.kind == OutcomeKind.MISSING:
        raise not_found("No such comment.")
    if outcome.kind == OutcomeKind.DECIDED:
        raise conflict(
            f"Already decided ({outcome.status}) by {outcome.by}; only pending comments "
            "are claimed.",
            current_status=outcome.status.value if outcome.status else None,
            decided_by=outcome.by,
        )
    if outcome.kind == OutcomeKind.CLAIMED:
        raise conflict(
            f"Claimed by {outcome.by}.",
            claimed_by=outcome.by,
            lease_until_ms=outcome.lease_until_ms,
        )
    result: dict[str, Any] = {
        "id": comment_id,
        "claimed_by": moderator.name,
        "lease_until_ms": outcome.lease_until_ms,
    }
    if outcome.kind == OutcomeKind.TAKEN:
        result["taken_from"] = outcome.by
    return answer(ClaimResult.model_validate(result))


@routes.post(
    "/v1/comments/{id}/undo",
    operation(
        "undoDecision",
        "review",
        "Put one's own recent decision back to pending",
        {
            "200": json_answer(ref("Undone"), "Pending again."),
            **problems(
                401,
                403,
                404,
                409,
                503,
                s409="Not decided, decided by someone else, or decided more "
                f"than {duration(UNDO_WINDOW_MS // 1000)} ago.",
                **CSRF_403,
            ),
        },
        security=MODERATOR,
        parameters=[*COMMENT_ID, CSRF],
    ),
)
async def post_undo(request: web.Request) -> web.Response:
    moderator, comment_id = await _moderator_and_comment(request)
    outcome = await request.app[STORE].undo(comment_id, moderator.name)
    if outcome.kind == OutcomeKind.MISSING:
        raise not_found("No such comment.")
    if outcome.kind == OutcomeKind.PENDING:
        raise conflict("The comment is not decided; nothing to undo.")
    if outcome.kind == OutcomeKind.NOT_YOURS:
        raise conflict(
            f"The last decision was made by {outcome.by}; only they can undo it.",
            decided_by=outcome.by,
        )
    if outcome.kind == OutcomeKind.TOO_LATE:
        raise conflict(f"Decisions can be undone for {UNDO_WINDOW_MS // 60_000} minutes only.")
    return answer(Undone(id=comment_id, status=Status.PENDING))


@routes.get(
    "/v1/stats",
    operation(
        "getStats",
        "review",
        "Queue counts and today's decisions of a site",
        {
            "200": json_answer(ref("Stats"), "The site's numbers."),
            **problems(
                401,
                404,
                422,
                503,
                s404="The caller does not moderate this site.",
                s422="`site` is needed (the caller moderates several sites).",
            ),
        },
        security=MODERATOR,
        parameters=query_parameters(StatsQuery),
    ),
)
async def get_stats(request: web.Request) -> web.Response:
    moderator = await request.app[AUTH].moderator(request)
    stats_query, errors = query_values(StatsQuery, request.query)
    site = _site(moderator, stats_query, request.query, errors)
    if errors:
        raise invalid(errors)
    moderated_site(request, moderator, site)
    store = request.app[STORE]
    counts = await store.counts(site)
    oldest = await store.oldest_pending_ms(site)
    decisions = await store.decisions_on(site, _today())
    return answer(
        Stats.model_validate(
            {
                "site": site,
                "counts": counts,
                "oldest_pending_age_seconds": (
                    round((now_ms() - oldest) / 1000, 3) if oldest else None
                ),
                "decisions_today": decisions,
            }
        )
    )
