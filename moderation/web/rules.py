"""A site's rules from the API (admins only): ``GET /v1/rules``, ``POST /v1/rules``,
``DELETE /v1/rules/{id}``, and their audit, ``GET /v1/rules/audit``.

The rules live in Redis (storage/rules.py) and are applied by every instance from memory
(intake/site_rules.py): this instance recompiles the site before it answers a change, the
others within about a second (``REFRESH_SECONDS``).  The config's ``block`` and ``allow``
lists stay in force beside them and are listed first, with ``"id": null`` and
``"created_by": "config"``; they change only in the config file.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from moderation.appkeys import SITE_RULES, STORE
from moderation.config import SiteConfig
from moderation.core.records import iso_from_ms, now_ms
from moderation.core.text import text_problem
from moderation.intake.rules import RuleKind, RuleList, config_rule, normal_value
from moderation.storage.errors import REDIS_ERRORS
from moderation.storage.rules import new_rule_id
from moderation.storage.store import RULES_MAX
from moderation.web.access import moderated_site, require_admin
from moderation.web.answers import RuleAudit, RuleChange, SiteRule, SiteRules
from moderation.web.apidoc import (
    CSRF,
    MODERATOR,
    admin_post_problems,
    admin_read_problems,
    header_refs,
    json_answer,
    json_body,
    operation,
    param,
    problems,
    query_parameters,
    ref,
)
from moderation.web.bodies import RuleRequest, field_errors
from moderation.web.http import answer, read_json_object
from moderation.web.problems import FieldError, conflict, invalid, not_found
from moderation.web.queries import RulesAuditQuery, RulesQuery, query_values
from moderation.web.routes import RouteTable

routes = RouteTable()

log = logging.getLogger("moderation.rules")

CONFIG_NOTE = "from the site's config file (change it there)"


def _rule(record: dict[str, Any]) -> SiteRule:
    return SiteRule(
        id=record.get("id"),
        list=RuleList(record["list"]),
        kind=RuleKind(record["kind"]),
        value=str(record["value"]),
        note=record.get("note"),
        created_by=str(record.get("created_by", "")),
        created_at=record.get("created_at"),
    )


def _known(record: dict[str, Any]) -> bool:
    """A record this version can list (a newer version's kind is skipped, never a 500)."""
    return record.get("list") in set(RuleList) and record.get("kind") in set(RuleKind)


def config_rules(site: SiteConfig) -> list[SiteRule]:
    """The site's config lists as rules (id null)."""
    listed: list[SiteRule] = []
    for which, entries in ((RuleList.BLOCK, site.block), (RuleList.ALLOW, site.allow)):
        for entry in entries:
            kind, value = config_rule(entry)
            listed.append(
                SiteRule(
                    id=None,
                    list=which,
                    kind=kind,
                    value=value,
                    note=CONFIG_NOTE,
                    created_by="config",
                    created_at=None,
                )
            )
    return listed


async def in_force(request: web.Request, site: str) -> None:
    """Recompile the site here before answering, so the next comment this instance takes
    is decided by the change; if Redis fails just now, the refresh loop does it within
    about a second."""
    try:
        await request.app[SITE_RULES].refresh(site)
    except REDIS_ERRORS as exc:
        log.warning("rules not refreshed at once", extra={"site": site, "error": str(exc)})


@routes.get(
    "/v1/rules",
    operation(
        "listRules",
        "rules",
        "A site's block, allow and trusted lists (admins only)",
        {
            "200": json_answer(ref("SiteRules"), "The rules in force."),
            **admin_read_problems(),
        },
        security=MODERATOR,
        parameters=query_parameters(RulesQuery),
        description=(
            "The config file's `block` and `allow` entries first (`id` null, "
            "`created_by` `config`), then the rules added through the API, oldest first."
        ),
    ),
)
async def get_rules(request: web.Request) -> web.Response:
    """GET /v1/rules?site=S: the config's rules, then the API's."""
    moderator = await require_admin(request, "Listing rules")
    query, errors = query_values(RulesQuery, request.query)
    if query is None:
        raise invalid(errors)
    site = moderated_site(request, moderator, query.site)
    _, records = await request.app[STORE].rules_of(site.id)
    api_rules = [_rule(r) for r in records if _known(r)]
    return answer(SiteRules(site=site.id, rules=[*config_rules(site), *api_rules]))


@routes.post(
    "/v1/rules",
    operation(
        "addRule",
        "rules",
        "Add a rule to a site's block, allow or trusted list (admins only)",
        {
            "201": json_answer(ref("SiteRule"), "Added, and in force (see the description)."),
            "200": json_answer(
                ref("SiteRule"), "The same rule (list, kind, value) was there: that one."
            ),
            **admin_post_problems(),
            **problems(409, s409=f"The site has {RULES_MAX} rules, the most it may have."),
        },
        security=MODERATOR,
        parameters=[CSRF],
        body=json_body("RuleRequest"),
        description=(
            "In force on this instance for the next comment it takes, and on every other "
            "instance within about a second.  Audited (`GET /v1/rules/audit`)."
        ),
    ),
)
async def post_rule(request: web.Request) -> web.Response:
    """POST /v1/rules {"site", "list", "kind", "value", "note"?}."""
    moderator = await require_admin(request, "Changing rules")
    raw = await read_json_object(request, 16 * 1024)
    body: RuleRequest | None = None
    errors: list[FieldError] = []
    try:
        body = RuleRequest.model_validate(raw)
    except ValidationError as exc:
        errors = field_errors(exc)
    # the value's own checks depend on its kind: listed with the other fields' errors
    kind, value = raw.get("kind"), raw.get("value")
    if (
        isinstance(value, str)
        and kind in set(RuleKind)
        and not any(e.field == "value" for e in errors)
    ):
        try:
            value = normal_value(RuleKind(kind), value)
        except ValueError as exc:
            errors.append(FieldError("value", str(exc)))
    if errors or body is None:
        raise invalid(errors)
    site = moderated_site(request, moderator, body.site)
    rule = {
        "id": new_rule_id(),
        "list": body.list.value,
        "kind": body.kind.value,
        "value": value,
        "note": body.note or None,
        "created_by": moderator.name,
        "created_at": iso_from_ms(now_ms()),
    }
    added = await request.app[STORE].add_rule(site.id, rule)
    if added.full or added.rule is None:
        raise conflict(f"Site '{site.id}' has {RULES_MAX} rules, the most it may have.")
    await in_force(request, site.id)
    return answer(_rule(added.rule), status=201 if added.added else 200)


@routes.delete(
    "/v1/rules/{id}",
    operation(
        "deleteRule",
        "rules",
        "Remove a rule (admins only)",
        {
            "204": {"description": "Removed, and out of force.", "headers": header_refs()},
            **problems(
                401,
                403,
                404,
                422,
                503,
                s403="The caller is not an admin moderator (`admin = true`), or a "
                "session cookie came without its CSRF header.",
                s404="The caller does not moderate this site, or it has no such rule "
                "(a rule of the config file is removed there).",
            ),
        },
        security=MODERATOR,
        parameters=[param("RuleId"), *query_parameters(RulesQuery), CSRF],
        description="Audited; out of force as an added rule comes into force.",
    ),
)
async def delete_rule(request: web.Request) -> web.Response:
    """DELETE /v1/rules/{id}?site=S."""
    moderator = await require_admin(request, "Changing rules")
    query, errors = query_values(RulesQuery, request.query)
    if query is None:
        raise invalid(errors)
    site = moderated_site(request, moderator, query.site)
    rule_id = request.match_info["id"]
    if text_problem(rule_id, limit=100) is not None or not await request.app[STORE].delete_rule(
        site.id, rule_id, moderator.name, iso_from_ms(now_ms())
    ):
        raise not_found(f"No rule '{rule_id}' on site '{site.id}'.")
    await in_force(request, site.id)
    return web.Response(status=204)


@routes.get(
    "/v1/rules/audit",
    operation(
        "listRuleChanges",
        "rules",
        "Who added or removed which rule of a site, and when (admins only)",
        {
            "200": json_answer(ref("RuleAudit"), "The changes, newest first."),
            **admin_read_problems(),
        },
        security=MODERATOR,
        parameters=query_parameters(RulesAuditQuery),
    ),
)
async def get_rules_audit(request: web.Request) -> web.Response:
    """GET /v1/rules/audit?site=S&limit=N."""
    moderator = await require_admin(request, "Reading the rules' audit")
    query, errors = query_values(RulesAuditQuery, request.query)
    if query is None:
        raise invalid(errors)
    site = moderated_site(request, moderator, query.site)
    entries, total = await request.app[STORE].rules_audit(site.id, query.limit)
    changes = [
        RuleChange(action=e["action"], by=str(e["by"]), at=str(e["at"]), rule=_rule(e["rule"]))
        for e in entries
        if e.get("action") in ("added", "removed", "erased")
        and isinstance(e.get("rule"), dict)
        and _known(e["rule"])
    ]
    return answer(RuleAudit(site=site.id, total=total, changes=changes))
