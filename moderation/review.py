"""The moderator API: the review queue, single and bulk decisions, claims, undo, stats,
and reading one comment (also open to the site's own key, for polling)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from moderation.appkeys import AUTH, CONFIG, METRICS, STORE
from moderation.auth import ModeratorCaller, SiteCaller, require_site_access
from moderation.config import ModeratorConfig
from moderation.http import float_param, int_param, json_response, read_json_object
from moderation.problems import FieldError, conflict, invalid, not_found
from moderation.records import CommentRecord, Decision, Status, now_ms, site_of, utc_day
from moderation.store import CursorError, Order, Outcome
from moderation.validation import SITE_MAX, normalise_email, text_field

MAX_PAGE = 500
MAX_BULK = 500
MAX_NOTE = 2_000
JSON_LIMIT = 1024 * 1024
COMMENT_ID_MAX = 200


def _site_param(
    moderator: ModeratorConfig, query: dict[str, str] | Any, errors: list[FieldError]
) -> str:
    raw = query.get("site", "")
    if not raw:
        if len(moderator.sites) == 1 and moderator.sites[0] != "*":
            return moderator.sites[0]
        errors.append(FieldError("site", "is required (you moderate several sites)"))
        return ""
    return text_field(raw, "site", errors, limit=SITE_MAX) or ""


def _enum_param(
    query: Any, name: str, enum: type[Any], default: Any, errors: list[FieldError]
) -> Any:
    raw = query.get(name)
    if not raw:
        return default
    try:
        return enum(raw)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        errors.append(FieldError(name, f"must be one of: {allowed}"))
        return default


def _require_site(request: web.Request, moderator: ModeratorConfig, site: str) -> None:
    """404 unless ``site`` exists and the moderator moderates it (the same answer for
    both, so site ids do not leak)."""
    require_site_access(moderator, site)
    if request.app[CONFIG].site(site) is None:
        raise not_found(f"No site '{site}'.")


async def get_queue(request: web.Request) -> web.Response:
    moderator = await request.app[AUTH].moderator(request)
    query = request.query
    errors: list[FieldError] = []
    site = _site_param(moderator, query, errors)
    order = _enum_param(query, "order", Order, Order.SCORE, errors)
    status = _enum_param(query, "status", Status, Status.PENDING, errors)
    limit = int_param(query, "limit", 50, 1, MAX_PAGE, errors)
    min_score = float_param(query, "min_score", 0.0, 1.0, errors)
    max_score = float_param(query, "max_score", 0.0, 1.0, errors)
    email = _email_filter(query.get("author_email"), errors)
    if errors:
        raise invalid(errors)
    _require_site(request, moderator, site)
    try:
        page = await request.app[STORE].page(
            site,
            status=status,
            order=order,
            limit=limit,
            cursor=query.get("cursor") or None,
            min_score=min_score,
            max_score=max_score,
            author_email=email,
        )
    except CursorError as exc:
        raise invalid([FieldError("cursor", str(exc))]) from exc
    at = now_ms()
    return json_response(
        {"items": [r.queue_item(at) for r in page.records], "next_cursor": page.next_cursor}
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


async def get_comment(request: web.Request) -> web.Response:
    record, is_moderator = await _readable_record(request)
    return json_response(record.full(now_ms(), for_moderator=is_moderator))


def _parse_decision(
    raw: Any, errors: list[FieldError], prefix: str = ""
) -> tuple[Decision | None, str]:
    decision_raw = raw.get("decision") if isinstance(raw, dict) else None
    decision: Decision | None = None
    try:
        decision = Decision(str(decision_raw))
    except ValueError:
        errors.append(FieldError(f"{prefix}decision", "must be one of: approve, spam, reject"))
    note_raw = raw.get("note") if isinstance(raw, dict) else None
    note = text_field(note_raw, f"{prefix}note", errors, limit=MAX_NOTE, allow_newlines=True)
    return decision, (note or "").strip()


def _today() -> str:
    return utc_day(now_ms())


def _answer(comment_id: str, outcome: Outcome) -> tuple[int, dict[str, Any]]:
    """The HTTP status and body a decision's outcome gets."""
    if outcome.kind == "ok":
        return 200, {"id": comment_id, "status": outcome.status.value if outcome.status else None}
    if outcome.kind == "decided":
        return 409, {
            "id": comment_id,
            "detail": f"Already decided ({outcome.status}) by {outcome.by}.",
            "current_status": outcome.status.value if outcome.status else None,
            "decided_by": outcome.by,
        }
    if outcome.kind == "claimed":
        return 409, {
            "id": comment_id,
            "detail": f"Claimed by {outcome.by}.",
            "claimed_by": outcome.by,
        }
    return 404, {"id": comment_id, "detail": "No such comment."}


def _may_decide(moderator: ModeratorConfig, comment_id: str) -> bool:
    site = site_of(comment_id)
    return site is not None and moderator.may_moderate(site)


async def post_decision(request: web.Request) -> web.Response:
    moderator, comment_id = await _moderator_and_comment(request)
    body = await read_json_object(request, JSON_LIMIT)
    errors: list[FieldError] = []
    decision, note = _parse_decision(body, errors)
    if errors or decision is None:
        raise invalid(errors)
    outcome = await request.app[STORE].decide(comment_id, moderator.name, decision, note)
    status, result = _answer(comment_id, outcome)
    if status == 404:
        raise not_found(result["detail"])
    if status == 409:
        extra = {k: v for k, v in result.items() if k not in ("detail",)}
        raise conflict(result["detail"], **extra)
    request.app[METRICS].decisions.labels(result["status"]).inc()
    return json_response(result)


async def post_bulk_decisions(request: web.Request) -> web.Response:
    moderator = await request.app[AUTH].moderator(request)
    body = await read_json_object(request, JSON_LIMIT)
    items = body.get("decisions")
    if not isinstance(items, list) or not items:
        raise invalid([FieldError("decisions", "must be a non-empty list")])
    if len(items) > MAX_BULK:
        raise invalid([FieldError("decisions", f"at most {MAX_BULK} per call")])
    results: list[dict[str, Any] | None] = [None] * len(items)
    wanted: list[tuple[int, tuple[str, Decision, str]]] = []
    for index, item in enumerate(items):
        errors: list[FieldError] = []
        comment_id = text_field(
            item.get("id") if isinstance(item, dict) else None,
            f"decisions[{index}].id",
            errors,
            limit=COMMENT_ID_MAX,
            required=True,
        )
        decision, note = _parse_decision(item, errors, f"decisions[{index}].")
        if errors or decision is None or comment_id is None:
            results[index] = {
                "id": comment_id,  # None unless it is text that can be answered
                "status": 422,
                "errors": [e.as_dict() for e in errors],
            }
        elif not _may_decide(moderator, comment_id):
            results[index] = {"id": comment_id, "status": 404, "detail": "No such comment."}
        else:
            wanted.append((index, (comment_id, decision, note)))
    outcomes = await request.app[STORE].decide_many([item for _, item in wanted], moderator.name)
    for (index, (comment_id, _, _)), outcome in zip(wanted, outcomes, strict=True):
        status, result = _answer(comment_id, outcome)
        if status == 200:
            request.app[METRICS].decisions.labels(result["status"]).inc()
            # "status" is the HTTP status this item alone would get; the comment's new
            # status is "comment_status".
            result["comment_status"] = result.pop("status")
        results[index] = {**result, "status": status}
    return json_response({"results": results})


async def post_claim(request: web.Request) -> web.Response:
    moderator = await request.app[AUTH].moderator(request)
    body = await read_json_object(request, JSON_LIMIT)
    errors: list[FieldError] = []
    site = text_field(body.get("site"), "site", errors, limit=SITE_MAX, required=True)
    limit = body.get("limit", 10)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        errors.append(FieldError("limit", f"must be a whole number from 1 to {MAX_PAGE}"))
    lease = body.get("lease_seconds", 300)
    if isinstance(lease, bool) or not isinstance(lease, int | float) or not 1 <= lease <= 3600:
        errors.append(FieldError("lease_seconds", "must be a number from 1 to 3600"))
    order = _enum_param(body, "order", Order, Order.SCORE, errors)
    min_score = _score_field(body, "min_score", errors)
    max_score = _score_field(body, "max_score", errors)
    email = _email_filter(body.get("author_email"), errors)
    if errors or site is None:
        raise invalid(errors)
    _require_site(request, moderator, site)
    records = await request.app[STORE].claim(
        site,
        moderator.name,
        limit=int(limit),
        lease_seconds=float(lease),
        order=order,
        min_score=min_score,
        max_score=max_score,
        author_email=email,
    )
    at = now_ms()
    return json_response({"items": [r.queue_item(at) for r in records]})


async def _moderator_and_comment(request: web.Request) -> tuple[ModeratorConfig, str]:
    """The calling moderator and the comment id at the path; 404 unless they moderate
    its site."""
    moderator = await request.app[AUTH].moderator(request)
    comment_id = request.match_info["id"]
    if not _may_decide(moderator, comment_id):
        raise not_found("No such comment.")
    return moderator, comment_id


def _email_filter(value: Any, errors: list[FieldError]) -> str | None:
    """An author email to filter by, normalised as intake indexed it; None for none."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.strip():
        errors.append(FieldError("author_email", "must be an email address"))
        return None
    return normalise_email(value, errors) or None


def _score_field(body: dict[str, Any], name: str, errors: list[FieldError]) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        errors.append(FieldError(name, "must be a number from 0 to 1"))
        return None
    return float(value)


async def post_release(request: web.Request) -> web.Response:
    moderator, comment_id = await _moderator_and_comment(request)
    lease: int | None = None
    if request.can_read_body:
        body = await read_json_object(request, JSON_LIMIT)
        raw = body.get("lease_until_ms")
        if raw is not None:
            if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
                raise invalid(
                    [FieldError("lease_until_ms", "must be the lease_until_ms of a claim")]
                )
            lease = raw
    outcome = await request.app[STORE].release(comment_id, moderator.name, lease)
    if outcome.kind == "missing":
        raise not_found("No such comment.")
    if outcome.kind == "not_yours":
        raise conflict(f"Claimed by {outcome.by}, not by you.", claimed_by=outcome.by)
    return json_response({"id": comment_id, "released": outcome.kind == "ok"})


async def post_undo(request: web.Request) -> web.Response:
    moderator, comment_id = await _moderator_and_comment(request)
    outcome = await request.app[STORE].undo(comment_id, moderator.name)
    if outcome.kind == "missing":
        raise not_found("No such comment.")
    if outcome.kind == "pending":
        raise conflict("The comment is not decided; nothing to undo.")
    if outcome.kind == "not_yours":
        raise conflict(
            f"The last decision was made by {outcome.by}; only they can undo it.",
            decided_by=outcome.by,
        )
    if outcome.kind == "too_late":
        raise conflict("Decisions can be undone for 10 minutes only.")
    return json_response({"id": comment_id, "status": Status.PENDING.value})


async def get_stats(request: web.Request) -> web.Response:
    moderator = await request.app[AUTH].moderator(request)
    errors: list[FieldError] = []
    site = _site_param(moderator, request.query, errors)
    if errors:
        raise invalid(errors)
    _require_site(request, moderator, site)
    store = request.app[STORE]
    counts = await store.counts(site)
    oldest = await store.oldest_pending_ms(site)
    decisions = await store.decisions_on(site, _today())
    return json_response(
        {
            "site": site,
            "counts": counts,
            "oldest_pending_age_seconds": round((now_ms() - oldest) / 1000, 3) if oldest else None,
            "decisions_today": decisions,
        }
    )
