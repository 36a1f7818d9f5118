"""The moderator web page at /moderate (being built: see issue 4)."""

from __future__ import annotations

from aiohttp import web


def setup_ui(app: web.Application) -> None:
    """Add the moderator page's routes, static files and session resolver to ``app``."""
