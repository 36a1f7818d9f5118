"""The admin moderators' endpoints: erasure on request (``POST /v1/erasure``), a model
reload (``POST /v1/model/reload``), and the decision callbacks' deliveries
(``GET /v1/callbacks``, ``POST /v1/callbacks/redeliver``).  The work itself is the
domain's and the store's: ``privacy.erase``
and ``ModelHolder.reload``; here are the request, the admin check and the answer."""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

from classifier import ModelError
from moderation.appkeys import MODEL, STORE
from moderation.core.records import iso_from_ms
from moderation.review.privacy import erase
from moderation.web.access import moderated_site, moderated_sites, require_admin
from moderation.web.answers import (
    CallbackDelivery,
    CallbackList,
    ErasureResult,
    ModelReloadResult,
    RedeliverResult,
)
from moderation.web.apidoc import (
    CSRF,
    MODERATOR,
    admin_post_problems,
    admin_read_problems,
    json_answer,
    json_body,
    operation,
    problems,
    query_parameters,
    ref,
)
from moderation.web.bodies import ErasureRequest, ModelReloadRequest, RedeliverRequest, parse
from moderation.web.http import answer, read_json_object
from moderation.web.page_names import CSRF_HEADER
from moderation.web.problems import FieldError, invalid
from moderation.web.queries import CallbacksQuery, query_values
from moderation.web.routes import RouteTable
from moderation.web.rules import in_force

routes = RouteTable()

# the logger the erasure line has always had, so that ops' filters still find it
privacy_log = logging.getLogger("moderation.privacy")


@routes.post(
    "/v1/erasure",
    operation(
        "eraseAuthor",
        "privacy",
        "Erase an author's personal data (admins only)",
        {
            "200": json_answer(ref("ErasureResult"), "Erased."),
            **admin_post_problems(),
        },
        security=MODERATOR,
        parameters=[CSRF],
        body=json_body("ErasureRequest"),
        description=(
            "Keeps each comment, its status and its history, and removes the "
            "author's name, email, URL, IP, user agent and referrer from the "
            "comments and from every index that names the author."
        ),
    ),
)
async def post_erasure(request: web.Request) -> web.Response:
    """POST /v1/erasure {"author_email", "site"?}: admins only, on their own sites."""
    moderator = await require_admin(request, "Erasure")
    body = parse(ErasureRequest, await read_json_object(request, 64 * 1024))
    if body.site is not None:
        sites = [moderated_site(request, moderator, body.site).id]
    else:
        sites = moderated_sites(request, moderator)
    erased = await erase(request.app[STORE], sites, body.author_email, moderator.name)
    for site in sites:
        if erased.rules[site]:
            # at once here, as after a rule's removal through the rules API; the
            # other instances follow the version within about a second
            await in_force(request, site)
    privacy_log.info(
        "erasure",
        extra={
            "moderator": moderator.name,
            "comments": sum(erased.comments.values()),
            "rules": sum(erased.rules.values()),
        },
    )
    return answer(ErasureResult(erased=erased.comments, rules_removed=erased.rules))


@routes.post(
    "/v1/model/reload",
    operation(
        "reloadModel",
        "learning",
        "Swap in a retrained model without a restart (admins only)",
        {
            "200": json_answer(ref("ModelReloadResult"), "The new model is scoring."),
            **problems(
                400,
                401,
                403,
                413,
                415,
                422,
                s403="The caller is not an admin moderator (`admin = true`), or a "
                f"session cookie came without its {CSRF_HEADER} header.",
                s422="The file is missing, corrupt, of an incompatible version or "
                "holds untrusted types; the old model keeps serving.",
            ),
        },
        security=MODERATOR,
        parameters=[CSRF],
        body=json_body("ModelReloadRequest"),
        description=(
            "Loads the model with trusted types only and swaps it in atomically. "
            "SIGHUP to the service does the same with the configured file."
        ),
    ),
)
async def post_model_reload(request: web.Request) -> web.Response:
    """Load the configured model file again, or ``{"path": ...}``; 422 keeps the old."""
    await require_admin(request, "Reloading the model")
    raw = await read_json_object(request, 16 * 1024) if request.can_read_body else {}
    path_raw = parse(ModelReloadRequest, raw).path
    holder = request.app[MODEL]
    if holder.parent_pid is not None and path_raw:
        # the other workers could not be told which file: they reload the configured one
        raise invalid(
            [
                FieldError(
                    "path",
                    "with several workers, replace the configured model file and reload "
                    "without a path, so that every worker loads the same model",
                )
            ]
        )
    try:
        model = await holder.reload(Path(path_raw) if path_raw else None)
    except ModelError as exc:
        current = holder.model.version if holder.model else None
        raise invalid([FieldError("path", f"{exc} (still serving model {current})")]) from exc
    return answer(ModelReloadResult(version=model.version, path=str(holder.source or "default")))


def _iso(ms: object) -> str | None:
    return iso_from_ms(int(str(ms))) if ms not in (None, "", 0, "0") else None


@routes.get(
    "/v1/callbacks",
    operation(
        "listCallbacks",
        "callbacks",
        "A site's decision callbacks not yet delivered, or dead (admins only)",
        {
            "200": json_answer(ref("CallbackList"), "The deliveries."),
            **admin_read_problems(),
        },
        security=MODERATOR,
        parameters=query_parameters(CallbacksQuery),
    ),
)
async def get_callbacks(request: web.Request) -> web.Response:
    """GET /v1/callbacks?site=S&state=pending|dead: the site's deliveries in that state."""
    moderator = await require_admin(request, "Listing callbacks")
    query, errors = query_values(CallbacksQuery, request.query)
    if query is None:
        raise invalid(errors)
    moderated_site(request, moderator, query.site)
    entries, total = await request.app[STORE].list_callbacks(query.site, query.state, query.limit)
    deliveries = [
        CallbackDelivery(
            event_id=e["event_id"],
            type=e["type"],
            comment_id=e["comment_id"],
            occurred_at=iso_from_ms(int(e["ms"])),
            attempts=int(e.get("attempts", 0)),
            last_error=e.get("last_error"),
            next_attempt_at=_iso(e.get("next_attempt_ms")),
            dead_at=_iso(e.get("dead_ms")),
        )
        for e in entries
    ]
    return answer(
        CallbackList(site=query.site, state=query.state, total=total, deliveries=deliveries)
    )


@routes.post(
    "/v1/callbacks/redeliver",
    operation(
        "redeliverCallbacks",
        "callbacks",
        "Send dead callbacks again (admins only)",
        {
            "200": json_answer(ref("RedeliverResult"), "Queued again."),
            **admin_post_problems(),
        },
        security=MODERATOR,
        parameters=[CSRF],
        body=json_body("RedeliverRequest"),
        description=(
            "Each event goes out again under its own event_id, with a new give-up "
            "period; by default every dead event of the site."
        ),
    ),
)
async def post_redeliver(request: web.Request) -> web.Response:
    """POST /v1/callbacks/redeliver {"site", "event_ids"?}: dead events go out again."""
    moderator = await require_admin(request, "Redelivering callbacks")
    body = parse(RedeliverRequest, await read_json_object(request, 256 * 1024))
    moderated_site(request, moderator, body.site)
    queued = await request.app[STORE].redeliver_callbacks(body.site, body.event_ids)
    asked = body.event_ids or []
    not_dead = [e for e in dict.fromkeys(asked) if e not in set(queued)]
    return answer(RedeliverResult(site=body.site, queued=queued, not_dead=not_dead))
