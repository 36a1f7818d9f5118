"""The Akismet-compatible API: existing Akismet clients and plugins (WordPress's above
all) use the service as a self-hosted Akismet.

The paths, the form-encoded requests and the text answers are Akismet's
(https://akismet.com/developers/), so a client needs no change but where it sends its
requests.  What the calls do here: comment-check is an intake (scored, stored, queued
for a moderator unless a site rule decides it, or decided by the verdict at once with
``akismet_queue = false``); submit-spam and submit-ham are the CMS's own decision on the
comment comment-check stored, and a label for retraining either way.

Errors are answered as text too (the middleware renders problems on these paths as
``text/plain`` with an ``X-akismet-debug-help`` header): a client parses text.
"""

from __future__ import annotations

import time
from dataclasses import replace

from aiohttp import web

from moderation.appkeys import AUTH, BATCHER, CONFIG, METRICS, MODEL, STORE
from moderation.config import SiteConfig
from moderation.core.records import CommentRecord, Status, now_ms
from moderation.intake.akismet_form import (
    PARAMETERS,
    AkismetRequest,
    comment_of,
    external_id_of,
    is_test,
    parse_form,
    trigger_verdict,
)
from moderation.intake.batching import ModelNotReady, for_classifier
from moderation.intake.rules import automatic_status
from moderation.intake.validation import (
    FORM_TYPE,
    JSON_TYPE,
    CommentIn,
)
from moderation.storage.store import OutcomeKind
from moderation.web.apidoc import Json, operation
from moderation.web.http import read_body
from moderation.web.intake import check_rate_limits
from moderation.web.routes import RouteTable

routes = RouteTable()


THANKS = "Thanks for making the web a better place."
DEBUG_HEADER = "X-akismet-debug-help"
GUID_HEADER = "X-akismet-guid"
PRO_TIP_HEADER = "X-akismet-pro-tip"
VERDICT_RULE = "akismet"  # the rule of a comment decided by the verdict (akismet_queue)
HONEYPOT = "filled in the honeypot field"
REQUIRED = ("blog", "user_ip")  # what Akismet itself requires of comment-check


def _key_from_host(host: str) -> str:
    """``<key>.rest.akismet.com`` (or ``<key>.`` anything): the first label."""
    name = host.rsplit(":", 1)[0] if not host.startswith("[") else ""
    first, dot, _ = name.partition(".")
    return first.lower() if dot else ""


def presented_key(request: web.Request, form: AkismetRequest, *names: str) -> str:
    """The key the call presents: in the first of ``names`` given, else in the Host."""
    presented = next((form.get(n) for n in names if form.get(n)), "")
    return (presented or _key_from_host(request.host)).strip()


def site_of_request(request: web.Request, form: AkismetRequest, *names: str) -> SiteConfig | None:
    """The site whose akismet_key the call presents (in ``names``, else in the Host)."""
    presented = presented_key(request, form, *names)
    return request.app[AUTH].site_for_akismet_key(presented) if presented else None


def _plain(text: str, **headers: str) -> web.Response:
    return web.Response(text=text, content_type="text/plain", charset="utf-8", headers=headers)


def _invalid() -> web.Response:
    return _plain("invalid", **{DEBUG_HEADER: "The API key is not one this service knows."})


async def _form(request: web.Request) -> AkismetRequest:
    body = await read_body(request, request.app[CONFIG].intake.max_body_bytes)
    return parse_form(body, request.query)


# ---------------------------------------------------------------------------------------
# Handlers


# What the document says of the Akismet-compatible API: Akismet's paths, forms and texts.
def _text(description: str, *examples: str) -> Json:
    schema: Json = {"type": "string"}
    if examples:
        schema["enum"] = list(examples)
    return {"description": description, "content": {"text/plain": {"schema": schema}}}


def _form_body(*required: str, names: tuple[str, ...] = PARAMETERS) -> Json:
    return {
        "required": True,
        "content": {
            FORM_TYPE: {
                "schema": {
                    "type": "object",
                    "properties": {n: {"type": "string"} for n in names},
                    "required": list(required),
                    "additionalProperties": True,
                }
            }
        },
    }


_FAILURES = {
    status: _text(what)
    for status, what in (
        ("400", "A body that is not a form."),
        ("408", "The body did not arrive in time."),
        ("413", "The body is larger than the limit."),
        ("429", "A rate limit of the site is exhausted (Retry-After)."),
        ("500", "A failure on our side."),
        ("503", "Redis or the model is unavailable; nothing was stored (Retry-After)."),
    )
}
_KEY = (
    "The site's `akismet_key`: in `api_key` (form or query), or as the first label "
    "of the Host header (`<key>.rest.akismet.com`).  An unknown key answers `invalid`."
)


def _operation(
    operation_id: str, summary: str, answer: Json, body: Json | None, description: str
) -> Json:
    op = operation(
        operation_id,
        "akismet",
        summary,
        {"200": answer, **_FAILURES},
        body=body,
        description=f"{description}  {_KEY}",
    )
    return op


_CHECKED = _text(
    "`true` (spam) or `false`; `invalid` for an unknown key; `Missing required field: "
    "<name>.` (with X-akismet-debug-help) without `blog` or `user_ip`.  "
    "X-akismet-guid names the stored comment; X-akismet-pro-tip: discard marks "
    "blatant spam (a site rule's)."
)
_THANKS_ANSWER = _text("Always this, or `invalid` for an unknown key.", THANKS, "invalid")
_USAGE = {
    "description": "This month's comment-check calls; there is no limit.",
    "content": {
        JSON_TYPE: {
            "schema": {
                "type": "object",
                "required": ["limit", "usage", "percentage", "throttled"],
                "properties": {
                    "limit": {"const": "none"},
                    "usage": {"type": "integer", "minimum": 0},
                    "percentage": {"type": "string"},
                    "throttled": {"type": "boolean"},
                },
            }
        },
        "text/plain": {"schema": {"enum": ["invalid"]}},
    },
}


@routes.get(
    "/1.1/test",
    _operation(
        "akismetTest",
        "Akismet: connectivity check",
        _text("Always `connected`.", "connected"),
        None,
        "The WordPress plugin's check that it can reach the service.",
    ),
)
async def get_test(request: web.Request) -> web.Response:
    """GET /1.1/test: the WordPress plugin's connectivity check."""
    return _plain("connected")


@routes.post(
    "/1.1/verify-key",
    _operation(
        "akismetVerifyKey",
        "Akismet: is this key one of ours",
        _text("`valid` or `invalid`.", "valid", "invalid"),
        _form_body(names=("key", "api_key", "blog")),
        "The key is `key` (or `api_key`); `blog` is accepted and not checked.",
    ),
)
async def post_verify_key(request: web.Request) -> web.Response:
    form = await _form(request)
    site = site_of_request(request, form, "key", "api_key")
    return _plain("valid") if site is not None else _invalid()


@routes.get(
    "/1.2/usage-limit",
    _operation(
        "akismetUsageLimitGet",
        "Akismet: this month's calls",
        _USAGE,
        None,
        "There is no limit here.",
    ),
)
@routes.post(
    "/1.2/usage-limit",
    _operation(
        "akismetUsageLimitPost",
        "Akismet: this month's calls",
        _USAGE,
        _form_body(names=("api_key",)),
        "There is no limit here.",
    ),
)
async def usage_limit(request: web.Request) -> web.Response:
    form = await _form(request) if request.method == "POST" else parse_form(b"", request.query)
    site = site_of_request(request, form, "api_key", "key")
    if site is None:
        return _invalid()
    usage = await request.app[STORE].akismet_calls(site.id, _month())
    return web.json_response(
        {"limit": "none", "usage": usage, "percentage": "0.00", "throttled": False}
    )


@routes.post(
    "/1.1/get-subscription",
    _operation(
        "akismetGetSubscription",
        "Akismet: the key's subscription (always active)",
        {
            "description": "WordPress's settings page keeps a typed key only when "
            "this says `active`; `api_key` is the key presented.",
            "content": {
                JSON_TYPE: {
                    "schema": {
                        "type": "object",
                        "required": ["status", "api_key"],
                        "properties": {
                            "status": {"const": "active"},
                            "api_key": {"type": "string"},
                            "account_type": {"type": "string"},
                            "account_name": {"type": "string"},
                            "next_billing_date": {"type": "null"},
                            "limit_reached": {"type": "boolean"},
                        },
                    }
                },
                "text/plain": {"schema": {"enum": ["invalid"]}},
            },
        },
        _form_body(names=("key", "api_key", "blog")),
        "For WordPress's Akismet settings page.",
    ),
)
async def post_get_subscription(request: web.Request) -> web.Response:
    """POST /1.1/get-subscription: WordPress's settings page keeps a typed key only when
    this says the subscription is active (and saves the ``api_key`` it answers)."""
    form = await _form(request)
    site = site_of_request(request, form, "key", "api_key")
    if site is None:
        return _invalid()
    presented = presented_key(request, form, "key", "api_key")
    return web.json_response(
        {
            "status": "active",
            "account_type": "self-hosted",
            "account_name": f"site '{site.id}' of a self-hosted moderation service",
            "api_key": presented,
            "next_billing_date": None,
            "limit_reached": False,
        }
    )


@routes.post(
    "/1.1/get-stats",
    _operation(
        "akismetGetStats",
        "Akismet: the numbers of the settings page",
        {
            "description": "Spam stored, ham approved, and the CMS's corrections.",
            "content": {
                JSON_TYPE: {
                    "schema": {
                        "type": "object",
                        "required": ["spam", "missed_spam", "false_positives"],
                        "properties": {
                            "spam": {"type": "integer", "minimum": 0},
                            "ham": {"type": "integer", "minimum": 0},
                            "missed_spam": {"type": "integer", "minimum": 0},
                            "false_positives": {"type": "integer", "minimum": 0},
                            "accuracy": {"type": "number"},
                            "time_saved": {"type": "integer"},
                            "breakdown": {"type": "object"},
                        },
                    }
                },
                "text/plain": {"schema": {"enum": ["invalid"]}},
            },
        },
        _form_body(names=("key", "api_key", "blog", "from")),
        "For WordPress's Akismet settings page; `from` is accepted and not used.",
    ),
)
async def post_get_stats(request: web.Request) -> web.Response:
    """POST /1.1/get-stats: the numbers WordPress's settings page shows, from this
    service: spam stored, and the CMS's corrections (missed spam, false positives)."""
    form = await _form(request)
    site = site_of_request(request, form, "key", "api_key")
    if site is None:
        return _invalid()
    store = request.app[STORE]
    counts = await store.counts(site.id)
    corrections = await store.akismet_corrections(site.id)
    checked = sum(counts.values())
    missed, false_positives = corrections["missed_spam"], corrections["false_positives"]
    wrong = min(checked, missed + false_positives)
    return web.json_response(
        {
            "spam": counts.get("spam", 0),
            "ham": counts.get("approved", 0),
            "missed_spam": missed,
            "false_positives": false_positives,
            "accuracy": round(100 * (1 - wrong / checked), 2) if checked else 100.0,
            "time_saved": 0,
            "breakdown": {},
        }
    )


@routes.post(
    "/1.1/comment-check",
    _operation(
        "akismetCommentCheck",
        "Akismet: score, store and queue a comment",
        _CHECKED,
        _form_body("blog", "user_ip"),
        "An intake: scored, stored and queued for a moderator (or decided at once "
        "with `akismet_queue = false`); `is_test=1` scores and stores nothing and is "
        "not counted.  Akismet's test triggers: `comment_author=akismet-guaranteed-spam` "
        "or `comment_author_email=akismet-guaranteed-spam@example.com` answers `true`, "
        "`user_role=administrator` answers `false` (it wins over the other two).",
    ),
)
async def post_comment_check(request: web.Request) -> web.Response:
    app = request.app
    form = await _form(request)
    site = site_of_request(request, form, "api_key")
    if site is None:
        return _invalid()
    for name in REQUIRED:
        if not form.get(name).strip():
            return _plain(
                f"Missing required field: {name}.", **{DEBUG_HEADER: f'Empty "{name}" value'}
            )
    store = app[STORE]
    testing = is_test(form)
    if not testing:  # a test call is not this month's usage
        await store.count_akismet_call(site.id, _month())
    comment = comment_of(form)
    honeypot = bool(form.get("honeypot_field_name")) and bool(
        form.get(form.get("honeypot_field_name"))
    )
    if honeypot:
        comment = replace(comment, notes=(*comment.notes, HONEYPOT))
    # a test trigger forces the answer; without is_test the call is a real one, stored
    # and queued as any other (with akismet_queue = false, decided as answered)
    forced = trigger_verdict(form)
    if testing:
        return _test_verdict(request, site, comment, honeypot, forced)
    await check_rate_limits(app, site, comment.get("author_ip"))
    accepted = await app[BATCHER].submit(
        site,
        comment,
        None,
        verdict_rule=None if site.akismet_queue else VERDICT_RULE,
        verdict=forced,
    )
    metrics = app[METRICS]
    stored = accepted.stored
    status, spam, rule = stored.status, accepted.spam, None
    if stored.duplicate:  # a retried comment-check: the first one's verdict
        metrics.comments.labels("duplicate").inc()
        record = await store.get(stored.id)
        if record is not None:
            status, rule = record.status, record.data.get("rule")
            holder = app[MODEL].model
            threshold = holder.threshold if holder is not None else 0.5
            spam = record.status == Status.SPAM or record.spam_score >= threshold
    else:
        metrics.comments.labels(status.value).inc()
        metrics.spam_score.observe(accepted.spam_score)
        if accepted.abuse_score is not None:
            metrics.abuse_score.observe(accepted.abuse_score)
        record = await store.get(stored.id) if status != Status.PENDING else None
        rule = record.data.get("rule") if record is not None else None
    # Akismet's answer has two values: a comment rejected for abuse (reject_abuse_above)
    # must not be published, and "true" is the one that keeps it off the page
    if status in (Status.SPAM, Status.REJECTED):
        spam = True
    elif status == Status.APPROVED:
        spam = False
    spam = spam or honeypot
    headers = {GUID_HEADER: stored.id}
    if forced is not None:
        spam = forced
    elif status == Status.SPAM and rule and rule != VERDICT_RULE:
        headers[PRO_TIP_HEADER] = "discard"  # a site rule's: blatant, the CMS may drop it
    return _plain("true" if spam else "false", **headers)


def _test_verdict(
    request: web.Request,
    site: SiteConfig,
    comment: CommentIn,
    honeypot: bool,
    forced: bool | None,
) -> web.Response:
    """``is_test=1``: answered (a test trigger's verdict, else scored), stored nowhere."""
    if forced is not None:
        return _plain("true" if forced else "false")
    model = request.app[MODEL].model
    if model is None:
        raise ModelNotReady(request.app[MODEL].error or "the spam model is still loading")
    [score] = model.score_batch([for_classifier(comment)])
    status, rule = automatic_status(site, comment, score.probability, abuse=score.abuse)
    # as a real call answers: a rejection (reject_abuse_above) is "true", kept off the page
    blocked = status in (Status.SPAM, Status.REJECTED)
    spam = blocked or (status == Status.PENDING and score.spam) or honeypot
    headers = {PRO_TIP_HEADER: "discard"} if status == Status.SPAM and rule else {}
    return _plain("true" if spam else "false", **headers)


@routes.post(
    "/1.1/submit-spam",
    _operation(
        "akismetSubmitSpam",
        "Akismet: the CMS says a comment is spam",
        _THANKS_ANSWER,
        _form_body(),
        "The CMS's decision on the stored comment (by `guid`, else by text, author "
        "and IP), and a label for retraining; with `is_test=1`, neither.",
    ),
)
async def post_submit_spam(request: web.Request) -> web.Response:
    return await _submit(request, Status.SPAM)


@routes.post(
    "/1.1/submit-ham",
    _operation(
        "akismetSubmitHam",
        "Akismet: the CMS says a comment is not spam",
        _THANKS_ANSWER,
        _form_body(),
        "The CMS's decision on the stored comment (approved), and a label; with "
        "`is_test=1`, neither.",
    ),
)
async def post_submit_ham(request: web.Request) -> web.Response:
    return await _submit(request, Status.APPROVED)


async def _submit(request: web.Request, status: Status) -> web.Response:
    """The CMS says what a comment was: its decision on the comment comment-check
    stored, found by the guid it sends back or else by its text, author and IP; a
    label of its own when none is stored here."""
    form = await _form(request)
    site = site_of_request(request, form, "api_key")
    if site is None:
        return _invalid()
    if is_test(form):  # a test call: no decision, no label (nothing is trained on it)
        return _plain(THANKS)
    store = request.app[STORE]
    comment_id = None
    guid = form.get("guid").strip()
    if guid and guid.startswith(f"{site.id}_") and await store.get(guid) is not None:
        comment_id = guid
    if comment_id is None:
        external = external_id_of(form)
        comment_id = await store.id_for_external(site.id, external)
    if comment_id is not None:
        record = await store.get(comment_id)
        outcome = await store.cms_decide(comment_id, status)
        if outcome.kind != OutcomeKind.MISSING:
            if outcome.kind == OutcomeKind.OK:
                request.app[METRICS].cms_decisions.labels(status.value).inc()
            if record is not None and outcome.kind == OutcomeKind.OK:
                await _count_correction(request, site, record, status)
            return _plain(THANKS)
    comment = comment_of(form)
    await store.add_cms_label(
        site.id,
        {
            "label": "spam" if status == Status.SPAM else "ham",
            "source": "akismet",
            "ms": now_ms(),
            "content": comment.content,
            "author_url": comment.get("author_url") or None,
            "post_url": comment.get("post_url") or None,
        },
    )
    return _plain(THANKS)


async def _count_correction(
    request: web.Request, site: SiteConfig, record: CommentRecord, said: Status
) -> None:
    """A CMS saying otherwise than the verdict it got: missed spam or a false positive."""
    model = request.app[MODEL].model
    threshold = model.threshold if model is not None else 0.5
    verdict_spam = record.initial_status == Status.SPAM or (
        record.initial_status == Status.PENDING and record.spam_score >= threshold
    )
    if said == Status.SPAM and not verdict_spam:
        await request.app[STORE].count_akismet_correction(site.id, "missed_spam")
    elif said == Status.APPROVED and verdict_spam:
        await request.app[STORE].count_akismet_correction(site.id, "false_positives")


# ---------------------------------------------------------------------------------------
# From Akismet's parameters to a comment


def _month() -> str:
    return time.strftime("%Y-%m", time.gmtime())
