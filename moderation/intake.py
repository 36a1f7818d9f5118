"""POST /v1/comments: the CMS's webhook.  Authenticate, check the signature, validate,
score, store, answer 202 — only once Redis has the comment."""

from __future__ import annotations

import re

from aiohttp import web

from moderation.appkeys import AUTH, BATCHER, CONFIG, METRICS, STORE
from moderation.auth import SIGNATURE_HEADER, verify_signature
from moderation.http import json_response, read_body
from moderation.problems import FieldError, Problem, invalid
from moderation.validation import check_content_type, parse_body, validate_comment

IDEMPOTENCY_KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")


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
    try:
        raw = parse_body(media, body)
        comment = validate_comment(raw, check_deliverability=config.intake.check_deliverability)
    except Problem as problem:
        if problem.status == 422:
            app[METRICS].comments.labels("invalid").inc()
        raise
    idempotency_key = request.headers.get("Idempotency-Key")
    if idempotency_key is not None and not IDEMPOTENCY_KEY_RE.match(idempotency_key):
        raise invalid([FieldError("Idempotency-Key", "1-255 printable ASCII characters")])

    accepted = await app[BATCHER].submit(site, comment, idempotency_key)
    metrics = app[METRICS]
    if accepted.stored.duplicate:
        metrics.comments.labels("duplicate").inc()
        record = await app[STORE].get(accepted.stored.id)
        if record is not None:
            return json_response(
                record.intake_answer(), status=202, headers={"Idempotent-Replayed": "true"}
            )
    metrics.comments.labels(accepted.stored.status.value).inc()
    metrics.spam_score.observe(accepted.spam_score)
    return json_response(
        {
            "id": accepted.stored.id,
            "status": accepted.stored.status.value,
            "spam_score": accepted.spam_score,
            "reasons": list(accepted.reasons),
        },
        status=202,
    )
