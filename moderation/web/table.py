"""The service's route table: every handler module's routes, in the order the app adds
them.  ``app.py`` adds them to the router, ``openapi.py`` describes them."""

from __future__ import annotations

from moderation.web import (
    admin,
    akismet,
    cms,
    coral,
    intake,
    models,
    ops,
    perspective,
    review,
    rules,
    ui,
)
from moderation.web.routes import Route

ROUTES: tuple[Route, ...] = (
    *intake.routes,
    *cms.routes,
    *review.routes,
    *admin.routes,
    *rules.routes,
    *models.routes,
    *akismet.routes,
    *perspective.routes,
    *coral.routes,
    *ops.routes,
    *ui.routes,
)
