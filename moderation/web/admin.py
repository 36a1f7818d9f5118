"""The admin moderators' endpoints: erasure on request (``POST /v1/erasure``) and a model
reload (``POST /v1/model/reload``).  The work itself is the domain's: ``privacy.erase``
and ``ModelHolder.reload``; here are the request, the admin check and the answer."""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

from classifier import ModelError
from moderation.appkeys import AUTH, CONFIG, MODEL, STORE
from moderation.privacy import erase
from moderation.web.bodies import ErasureRequest, ModelReloadRequest, parse
from moderation.web.http import json_response, read_json_object
from moderation.web.problems import FieldError, forbidden, invalid, not_found

# the logger the erasure line has always had, so that ops' filters still find it
privacy_log = logging.getLogger("moderation.privacy")


async def post_erasure(request: web.Request) -> web.Response:
    """POST /v1/erasure {"author_email", "site"?}: admins only, on their own sites."""
    moderator = await request.app[AUTH].moderator(request)
    if not moderator.admin:
        raise forbidden("Erasure needs a moderator with admin = true.")
    body = parse(ErasureRequest, await read_json_object(request, 64 * 1024))
    config = request.app[CONFIG]
    if body.site is not None:
        if not moderator.may_moderate(body.site) or config.site(body.site) is None:
            raise not_found(f"No site '{body.site}'.")
        sites = [body.site]
    else:
        sites = [s.id for s in config.sites if moderator.may_moderate(s.id)]
    counts = await erase(request.app[STORE], sites, body.author_email, moderator.name)
    privacy_log.info(
        "erasure", extra={"moderator": moderator.name, "comments": sum(counts.values())}
    )
    return json_response({"erased": counts})


async def post_model_reload(request: web.Request) -> web.Response:
    """Load the configured model file again, or ``{"path": ...}``; 422 keeps the old."""
    moderator = await request.app[AUTH].moderator(request)
    if not moderator.admin:
        raise forbidden("Reloading the model needs a moderator with admin = true.")
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
    return json_response({"version": model.version, "path": str(holder.source or "default")})
