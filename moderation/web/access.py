"""Who may do what, checked the same way by every moderator endpoint: the admin check
(403) and the site check (404), each written once, so their order and wording cannot drift
between handlers.

A handler calls them as FastAPI calls a dependency, at the point its contract puts the
check: ``require_admin`` first (its 403 comes before any 422 about the body or query),
``moderated_site`` once the site is read and valid.
"""

from __future__ import annotations

from aiohttp import web

from moderation.appkeys import AUTH, CONFIG
from moderation.config import ModeratorConfig, SiteConfig
from moderation.web.problems import forbidden, not_found


async def require_admin(request: web.Request, action: str) -> ModeratorConfig:
    """The calling moderator (401 without a known token or session) if an admin; 403
    "<action> needs a moderator with admin = true." otherwise."""
    moderator = await request.app[AUTH].moderator(request)
    if not moderator.admin:
        raise forbidden(f"{action} needs a moderator with admin = true.")
    return moderator


def moderated_site(request: web.Request, moderator: ModeratorConfig, site: str) -> SiteConfig:
    """The config of ``site`` if it exists and ``moderator`` moderates it; 404 "No site
    '<site>'." otherwise, the same answer for both, so site ids do not leak."""
    site_config = request.app[CONFIG].site(site)
    if not moderator.may_moderate(site) or site_config is None:
        raise not_found(f"No site '{site}'.")
    return site_config


def moderated_sites(request: web.Request, moderator: ModeratorConfig) -> list[str]:
    """The ids of the configured sites ``moderator`` moderates, in the config's order."""
    return [s.id for s in request.app[CONFIG].sites if moderator.may_moderate(s.id)]


__all__ = ["moderated_site", "moderated_sites", "require_admin"]
