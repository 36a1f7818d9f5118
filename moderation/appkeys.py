"""Every piece of app state, each under its own typed ``web.AppKey``."""

from __future__ import annotations

import asyncio

from aiohttp import web

from moderation.config import Config
from moderation.core.metrics import Metrics
from moderation.intake.batching import IntakeBatcher
from moderation.intake.scoring import Scorer
from moderation.intake.site_rules import SiteRules
from moderation.learning.model_holder import ModelHolder
from moderation.learning.retraining import Retrainer
from moderation.learning.site_models import SiteModels
from moderation.storage.redis_health import RedisHealth
from moderation.storage.sessions import SessionStore
from moderation.storage.store import Store
from moderation.web.auth import Authenticator
from moderation.web.routes import Route

CONFIG = web.AppKey("config", Config)
METRICS = web.AppKey("metrics", Metrics)
AUTH = web.AppKey("auth", Authenticator)
REDIS_HEALTH = web.AppKey("redis_health", RedisHealth)
STORE = web.AppKey("store", Store)
MODEL = web.AppKey("model", ModelHolder)
BATCHER = web.AppKey("batcher", IntakeBatcher)
SCORER = web.AppKey("scorer", Scorer)  # scoring only: the Perspective and Coral APIs
SITE_MODELS = web.AppKey("site_models", SiteModels)  # each site's own model
RETRAINER = web.AppKey("retrainer", Retrainer)
SITE_RULES = web.AppKey("site_rules", SiteRules)  # each site's rules from the API, compiled
# set when the start-up abuse backfill (moderation.intake.abuse_backfill) has finished
ABUSE_BACKFILLED = web.AppKey("abuse_backfilled", asyncio.Event)
SESSIONS = web.AppKey("sessions", SessionStore)  # the moderator page's sessions (moderation.web.ui)
# every route with its operation: what /openapi.json describes (moderation.web.table)
API_ROUTES: web.AppKey[tuple[Route, ...]] = web.AppKey("api_routes")
