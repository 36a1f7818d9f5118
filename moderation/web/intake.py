"""POST /v1/comments: the CMS's webhook.  Authenticate, check the signature, validate,
score, store, answer 202 — only once Redis has the comment."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from moderation.appkeys import AUTH, BATCHER, CONFIG, METRICS, STORE
from moderation.config import SiteConfig
from moderation.core.fields import FieldError, FieldsInvalid
from moderation.core.netaddr import normal_ip
from moderation.core.signing import SIGNATURE_HEADER
from moderation.intake.validation import (
    FORM_TYPE,
    JSON_TYPE,
    check_content_type,
    parse_body,
    validate_comment,
)
from moderation.web.answers import IntakeAnswer
from moderation.web.apidoc import (
    INTAKE_DEFAULTS,
    SITE,
    json_answer,
    operation,
    param,
    problems,
    ref,
)
from moderation.web.auth import verify_signature
from moderation.web.http import answer_all_set, read_body
from moderation.web.problems import invalid, too_many
from moderation.web.routes import RouteTable

routes = RouteTable()

IDEMPOTENCY_KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")


async def check_rate_limits(app: web.Application, site: SiteConfig, ip: str) -> None:
    """429 when the site's bucket, or this author IP's bucket on the site, is empty.
    Buckets are per site, so a flood against one site never slows another's intake."""
    buckets: list[tuple[str, float, int]] = []
    scopes: list[str] = []
    if site.rate_limit is not None:
        scopes.append("site")
        limit = site.rate_limit
        buckets.append(("site", limit.per_minute / 60, limit.burst))
    if site.ip_rate_limit is not None and ip:
        scopes.append("ip")
        limit = site.ip_rate_limit
        buckets.append((f"ip:{ip}", limit.per_minute / 60, limit.burst))
    if not buckets:
        return
    wait, emptiest = await app[STORE].take_tokens(site.id, buckets)
    if wait > 0:
        scope = scopes[emptiest]
        app[METRICS].rate_limited.labels(scope).inc()
        who = (
            f"from this author IP on site '{site.id}' ([sites] ip_rate_limit)"
            if scope == "ip"
            else f"for site '{site.id}' ([sites] rate_limit)"
        )
        raise too_many(
            f"Too many comments {who}; retry in {math.ceil(wait)} s.",
            max(1, math.ceil(wait)),
        )


def _author_ip(raw: Mapping[str, Any]) -> str:
    """The author IP as the rate limit keys it, or '' (validation reports a bad one)."""
    value = raw.get("author_ip")
    return (normal_ip(value) or "") if isinstance(value, str) else ""


@routes.post(
    "/v1/comments",
    operation(
        "submitComment",
        "intake",
        "Submit a comment for moderation (the CMS's webhook)",
        {
            "202": json_answer(
                ref("IntakeAnswer"),
                "Stored; or an edit of a comment sent before (`edited`: true); or a "
                "repeat (Idempotent-Replayed: the answer to that text again).",
                "Idempotent-Replayed",
            ),
            **problems(
                400,
                401,
                403,
                413,
                415,
                422,
                429,
                503,
                s401="Missing or unknown site API key.",
                s403="The site requires a signature and it is missing, malformed, wrong or stale.",
                s413="The body is over the intake limit "
                f"({INTAKE_DEFAULTS.max_body_bytes // 1024} KiB by default, "
                "[intake] max_body_bytes).",
                s415="Send application/json (UTF-8) or application/x-www-form-urlencoded.",
                s422="Invalid fields (every one listed), or a malformed Idempotency-Key.",
                s429="The site's, or this author IP's, token bucket is empty "
                "(`rate_limit` / `ip_rate_limit`).",
                s503="Redis is unreachable or the model is not loaded yet: "
                "nothing was stored; retry after Retry-After seconds.",
            ),
        },
        security=SITE,
        parameters=[param("IdempotencyKey"), param("Signature")],
        body={
            "required": True,
            "content": {
                JSON_TYPE: {"schema": ref("CommentSubmission")},
                FORM_TYPE: {"schema": ref("CommentSubmission")},
            },
        },
        description=(
            "Answers only once Redis has stored the comment, so a CMS may retry on "
            "timeouts and 5xx: the same site and `id` (or Idempotency-Key) never "
            "queues a second copy, also when two requests race.\n\n"
            "**Edits.** The same site and `id` again with another `content` or "
            "`author_url` is an edit of that comment: it keeps its service `id`, is "
            "scored again, and goes back to `pending` for a moderator (a claim on it "
            "ends, and a decision's label is taken back), unless it was approved and "
            "the site sets `trust_edits_of_approved = true`: then it stays approved. "
            "The answer has `edited: true`, the new score and the status now; the "
            'comment\'s history gets `{"action": "edited", "actor": "cms", '
            '"at", "previous": {"content", "author_url"}}`, and a '
            "`comment.edited` callback is sent. The same text and URL again is a "
            "retry: the latest answer again, with `Idempotent-Replayed: true`, and "
            "nothing changes. Other fields re-sent with a changed value (name, post) "
            "are not an edit and are not stored. (The Akismet API has no comment ids: "
            "a changed text there is a new comment.)"
        ),
    ),
)
async def post_comment(request: web.Request) -> web.Response:
    app = request.app
    config = app[CONFIG]
    site = app[AUTH].site(request)
    body = await read_body(request, config.intake.max_body_bytes)
    verify_signature(
        site,
        request.headers.get(SIGNATURE_HEADER),
        body,
        tolerance=config.intake.signature_tolerance_seconds,
    )
    media = check_content_type(request.headers.get("Content-Type", ""))
    raw = parse_body(media, body)
    # Flood control comes before validation, the costly part, so that refusing a flood
    # costs as little as possible.
    await check_rate_limits(app, site, _author_ip(raw))
    try:
        comment = validate_comment(raw, check_deliverability=config.intake.check_deliverability)
    except FieldsInvalid:
        app[METRICS].comments.labels("invalid").inc()
        raise
    idempotency_key = request.headers.get("Idempotency-Key")
    if idempotency_key is not None and not IDEMPOTENCY_KEY_RE.match(idempotency_key):
        raise invalid([FieldError("Idempotency-Key", "1-255 printable ASCII characters")])

    accepted = await app[BATCHER].submit(site, comment, idempotency_key)
    metrics = app[METRICS]
    if accepted.stored.conflict:
        metrics.comments.labels("invalid").inc()
        # As Stripe and the IETF idempotency-key draft do: a reused key with another body
        # is a client bug, and answering the first comment's 202 would lose this one.
        raise invalid(
            [
                FieldError(
                    "Idempotency-Key",
                    "was already used for a different comment (within 24 h); "
                    "use a new key for a new comment",
                )
            ]
        )
    if accepted.stored.duplicate:
        metrics.comments.labels("duplicate").inc()
        record = await app[STORE].get(accepted.stored.id)
        if record is not None:
            return answer_all_set(
                IntakeAnswer.model_validate(record.intake_answer()),
                status=202,
                headers={"Idempotent-Replayed": "true"},
            )
    edited = accepted.stored.edited
    metrics.comments.labels("edited" if edited else accepted.stored.status.value).inc()
    metrics.spam_score.observe(accepted.spam_score)
    if accepted.abuse_score is not None:
        metrics.abuse_score.observe(accepted.abuse_score)
    return answer_all_set(
        IntakeAnswer(
            id=accepted.stored.id,
            status=accepted.stored.status,
            spam_score=accepted.spam_score,
            spam=accepted.spam,
            # tuples as they are: the model's list[str] takes them (and makes lists)
            # in its own validation, for less than a list() call each
            reasons=accepted.reasons,  # type: ignore[arg-type]
            abuse_score=accepted.abuse_score,
            abuse_reasons=accepted.abuse_reasons,  # type: ignore[arg-type]
            edited=edited,
        ),
        status=202,
    )
