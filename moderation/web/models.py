"""Each site's model: ``GET /v1/model?site=S`` (the site's moderators) says which version
scores the site and what it learnt from; ``POST /v1/model/rollback`` (admins) goes back
to a kept earlier version."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from moderation.appkeys import AUTH, CONFIG, MODEL, SITE_MODELS, STORE
from moderation.web.access import moderated_site, require_admin
from moderation.web.answers import RollbackResult, SiteModel
from moderation.web.apidoc import (
    CSRF,
    MODERATOR,
    admin_post_problems,
    json_answer,
    json_body,
    operation,
    problems,
    query_parameters,
    ref,
)
from moderation.web.bodies import RollbackRequest, parse
from moderation.web.http import answer, read_json_object
from moderation.web.problems import FieldError, invalid
from moderation.web.queries import ModelQuery, query_values
from moderation.web.routes import RouteTable

routes = RouteTable()


def _holdout(record: dict[str, Any]) -> dict[str, Any] | None:
    """The held-out scores a version won its place with (None for the default model)."""
    scores = record.get("candidate")
    if not isinstance(scores, dict):
        return None
    return {
        "roc_auc": scores.get("roc_auc"),
        "false_positive_rate": scores.get("false_positive_rate"),
        "n": record.get("n_holdout", scores.get("n")),
    }


def _version(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": record.get("version"),
        "trained_at": record.get("trained_at"),
        "labels": record.get("labels"),
        "holdout": _holdout(record),
    }


@routes.get(
    "/v1/model",
    operation(
        "getSiteModel",
        "learning",
        "The site's model: version, what it learnt from, how it did",
        {
            "200": json_answer(ref("SiteModel"), "The site's model."),
            **problems(401, 404, 422, 503, s404="The caller does not moderate this site."),
        },
        security=MODERATOR,
        parameters=query_parameters(ModelQuery),
    ),
)
async def get_model(request: web.Request) -> web.Response:
    moderator = await request.app[AUTH].moderator(request)
    query, errors = query_values(ModelQuery, request.query)
    if query is None:
        raise invalid(errors)
    site = query.site
    site_config = moderated_site(request, moderator, site)
    snapshot = await request.app[STORE].model_snapshot(site)
    current, kept, counts = snapshot["current"], snapshot["kept"], snapshot["labels"]
    in_use = next((r for r in kept if r.get("version") == current), None)
    default = request.app[MODEL].model
    body = {
        "site": site,
        "version": current or (default.version if default is not None else None),
        "own": current is not None,
        "trained_at": (in_use or {}).get("trained_at")
        or (default.metadata.get("trained_at") if default is not None else None),
        "labels": {"ham": counts["ham"], "spam": counts["spam"]},
        "holdout": _holdout(in_use) if in_use else None,
        "previous": [_version(r) for r in kept if r.get("version") != current],
        "pending_labels": counts["new"],
        "last_retrain": _last(snapshot["last_retrain"]) if snapshot["last_retrain"] else None,
        "learning": request.app[CONFIG].learning.enabled and site_config.learning,
    }
    return answer(SiteModel.model_validate(body))


def _last(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "outcome": record.get("outcome"),
        "version": record.get("version"),
        "reason": record.get("reason"),
        "candidate": record.get("candidate"),
        "current": record.get("current"),
        "at_ms": record.get("at_ms"),
    }


@routes.post(
    "/v1/model/rollback",
    operation(
        "rollbackSiteModel",
        "learning",
        "Go back to a kept earlier version of the site's model (admins only)",
        {
            "200": json_answer(ref("RollbackResult"), "That version scores the site now."),
            **admin_post_problems(),
        },
        security=MODERATOR,
        parameters=[CSRF],
        body=json_body("RollbackRequest"),
        description=(
            "Every worker and instance scores the site with it within seconds. "
            "422 when the version is not kept."
        ),
    ),
)
async def post_rollback(request: web.Request) -> web.Response:
    moderator = await require_admin(request, "A rollback")
    body = parse(RollbackRequest, await read_json_object(request, 16 * 1024))
    moderated_site(request, moderator, body.site)
    store = request.app[STORE]
    if not await store.rollback_site_model(body.site, body.version):
        raise invalid(
            [FieldError("version", f"is not a kept version of site '{body.site}''s model")]
        )
    await request.app[SITE_MODELS].refresh(body.site)
    return answer(RollbackResult(site=body.site, version=body.version))
