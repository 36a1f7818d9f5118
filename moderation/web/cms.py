"""POST /v1/comments/{id}/cms-status: the CMS's own decisions (an editor approving,
trashing or holding a comment in wp-admin), so that the service's queue follows the CMS
as the CMS follows the queue through callbacks.

Authenticated like intake (the site's API key, and its intake signature when the site
has a ``signing_secret``).  The comment is named by the service's id or by the CMS's own,
as ``ext:<CMS id>``.  Nothing is sent back to the CMS (no echo)."""

from __future__ import annotations

from aiohttp import web

from moderation.appkeys import AUTH, CONFIG, METRICS, STORE
from moderation.config import SiteConfig
from moderation.core.records import site_of
from moderation.core.signing import SIGNATURE_HEADER
from moderation.core.text import odd_text
from moderation.intake.validation import ID_MAX
from moderation.storage.store import OutcomeKind
from moderation.web.answers import CmsStatusResult
from moderation.web.apidoc import (
    SITE,
    json_answer,
    json_body,
    operation,
    param,
    problems,
    ref,
)
from moderation.web.auth import verify_signature
from moderation.web.bodies import CmsStatusRequest, parse
from moderation.web.http import answer, check_json_media, json_object_of, read_body
from moderation.web.problems import not_found
from moderation.web.routes import RouteTable

routes = RouteTable()

BODY_LIMIT = 16 * 1024
EXTERNAL = "ext:"  # {id} = "ext:<the CMS's own comment id>"


async def comment_id_at_path(request: web.Request, site: SiteConfig) -> str:
    """The service's id of the comment the path names, on the caller's site; 404 for an
    id that is not the site's or not known (the same answer, so ids reveal nothing)."""
    raw = request.match_info["id"]
    if raw.startswith(EXTERNAL):
        external = raw[len(EXTERNAL) :].strip()
        if not external or len(external) > ID_MAX or odd_text(external) is not None:
            raise not_found("No such comment.")
        found = await request.app[STORE].id_for_external(site.id, external)
        if found is None:
            raise not_found("No comment with this CMS id.")
        return found
    if site_of(raw) != site.id:
        raise not_found("No such comment.")
    return raw


@routes.post(
    "/v1/comments/{id}/cms-status",
    operation(
        "setCmsStatus",
        "intake",
        "Record the CMS's own decision on a comment (an editor in the CMS decided)",
        {
            "200": json_answer(ref("CmsStatusResult"), "Recorded (or it had that status)."),
            **problems(
                400,
                401,
                403,
                404,
                413,
                415,
                422,
                503,
                s401="Missing or unknown site API key.",
                s403="The site requires a signature and it is missing, malformed, wrong or stale.",
                s404="No comment of this site has this id (or CMS id).",
            ),
        },
        security=SITE,
        parameters=[param("CmsCommentId"), param("Signature")],
        body=json_body("CmsStatusRequest"),
        description=(
            "The CMS tells the service what its own editors did, so that the queue "
            "follows the CMS: approved, spam, rejected (trashed or deleted) or "
            "pending (held again, back in the queue). From any status to any "
            "status: the later decision, on either side, wins. Recorded like a "
            "moderator's decision (`decided_by: cms`, the CMS user as `cms_user` in "
            "the history, a label for retraining, the events stream) and ends any "
            "moderator's claim; no callback goes back to the CMS. Idempotent."
        ),
    ),
)
async def post_cms_status(request: web.Request) -> web.Response:
    app = request.app
    config = app[CONFIG]
    site = app[AUTH].site(request)
    check_json_media(request)
    body = await read_body(request, BODY_LIMIT)
    verify_signature(
        site,
        request.headers.get(SIGNATURE_HEADER),
        body,
        tolerance=config.intake.signature_tolerance_seconds,
    )
    wanted = parse(CmsStatusRequest, json_object_of(body))
    comment_id = await comment_id_at_path(request, site)
    outcome = await app[STORE].cms_decide(comment_id, wanted.status, wanted.actor or None)
    if outcome.kind == OutcomeKind.MISSING or outcome.status is None:
        raise not_found("No such comment.")
    if outcome.kind == OutcomeKind.OK:
        app[METRICS].cms_decisions.labels(wanted.status.value).inc()
    # previous_status: the status it had, the same as "status" when nothing changed
    return answer(
        CmsStatusResult(id=comment_id, status=wanted.status, previous_status=outcome.status)
    )
