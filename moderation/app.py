"""The application factory.  ``create_app`` wires state, resources, middlewares and
routes, and does no I/O: Redis, the model and background tasks start in ``cleanup_ctx``
on the loop that serves the app."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from classifier import SpamModel
from moderation.appkeys import (
    ABUSE_BACKFILLED,
    API_ROUTES,
    AUTH,
    BATCHER,
    CONFIG,
    METRICS,
    MODEL,
    REDIS_HEALTH,
    RETRAINER,
    SCORER,
    SITE_MODELS,
    SITE_RULES,
    STORE,
)
from moderation.config import Config
from moderation.core.logs import protocol_logger
from moderation.core.metrics import Metrics
from moderation.delivery.callbacks import Deliverer, delivering
from moderation.intake import abuse_backfill
from moderation.intake.batching import IntakeBatcher
from moderation.intake.scoring import Scorer
from moderation.intake.site_rules import SiteRules
from moderation.learning.model_holder import ModelHolder, reload_on_sighup
from moderation.learning.retraining import Retrainer
from moderation.learning.site_models import SiteModels
from moderation.review import privacy
from moderation.storage.connect import open_client
from moderation.storage.errors import REDIS_ERRORS
from moderation.storage.redis_health import RedisHealth
from moderation.storage.redis_server import configured_or_embedded
from moderation.storage.store import Store
from moderation.web.auth import Authenticator
from moderation.web.middleware import observe
from moderation.web.routes import add_routes
from moderation.web.table import ROUTES
from moderation.web.ui import setup_ui

# Bigger than any intake body (64 KiB by default) so that intake can answer its own 413
# as problem+json; bulk decisions of 500 items with notes fit.
CLIENT_MAX_SIZE = 2 * 1024 * 1024


async def _cancel(task: asyncio.Task[None] | None) -> None:
    if task is None:
        return
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass


async def redis_ctx(app: web.Application) -> AsyncIterator[None]:
    """The Redis client (and the embedded server when no URL is configured)."""
    config = app[CONFIG]
    url, server = await asyncio.to_thread(configured_or_embedded, config)
    timeout = config.redis.timeout_seconds
    client = open_client(config.redis, url)
    store = Store(
        client,
        callbacks={s.id: frozenset(s.callback_events) for s in config.sites if s.callback_url},
        ack_replicas=config.redis.ack_replicas,
        ack_timeout_ms=int(timeout * 1000),
    )
    app[STORE] = store
    health = RedisHealth(store.check_ready, server, timeout)
    app[REDIS_HEALTH] = health
    watchdog = asyncio.create_task(health.watch()) if server is not None else None
    try:
        yield
    finally:
        await _cancel(watchdog)
        await client.aclose()
        if server is not None:
            await asyncio.to_thread(server.stop)


async def model_ctx(app: web.Application) -> AsyncIterator[None]:
    """Load the model in the background: the port opens at once, /readyz tells when
    scoring can start."""
    holder = app[MODEL]
    task = asyncio.create_task(_load_model(holder)) if holder.model is None else None
    app[BATCHER] = IntakeBatcher(
        holder,
        app[STORE],
        app[METRICS],
        wait_seconds=app[CONFIG].intake.batch_wait_ms / 1000,
        max_batch=app[CONFIG].intake.batch_max,
    )
    app[SCORER] = Scorer(holder, app[METRICS])
    if app[CONFIG].learning.enabled:
        app[BATCHER].site_models = app[SITE_MODELS]
        app[SCORER].site_models = app[SITE_MODELS]
    app[BATCHER].site_rules = app[SITE_RULES]
    try:
        yield
    finally:
        await app[BATCHER].close()
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def rules_ctx(app: web.Application) -> AsyncIterator[None]:
    """Each site's rules from the API (intake/site_rules.py): read before the first
    comment is taken (unless Redis is away: then the loop reads them when it is back),
    then followed."""
    rules = SiteRules(app[STORE], app[CONFIG].sites)
    app[SITE_RULES] = rules
    with contextlib.suppress(*REDIS_ERRORS):
        await rules.refresh_changed()
    async with rules.following():
        yield


async def abuse_backfill_ctx(app: web.Application) -> AsyncIterator[None]:
    """Abuse scores for the pending comments stored without one (intake/abuse_backfill.py)."""
    sites = [site.id for site in app[CONFIG].sites]
    async with abuse_backfill.filling(app[STORE], sites, app[MODEL]) as finished:
        app[ABUSE_BACKFILLED] = finished
        yield


async def retention_ctx(app: web.Application) -> AsyncIterator[None]:
    """Retention in the background (privacy.py), on the store redis_ctx opened."""
    async with privacy.retention(app[STORE], app[CONFIG].sites):
        yield


async def callbacks_ctx(app: web.Application) -> AsyncIterator[None]:
    """Decision callbacks (delivery/callbacks.py), delivered from this process too."""
    store = app[STORE]
    deliverer = Deliverer(store, app[CONFIG].sites, app[METRICS])
    store.on_callback = deliverer.wake
    async with delivering(deliverer):
        yield
    store.on_callback = None


async def learning_ctx(app: web.Application) -> AsyncIterator[None]:
    """Each site's own model (site_models.py), and its retraining (retraining.py)."""
    config = app[CONFIG]
    models = SiteModels(app[STORE], config.sites if config.learning.enabled else ())
    app[SITE_MODELS] = models
    app[RETRAINER] = Retrainer(config, app[STORE], models, app[METRICS])
    async with models.refreshing(), app[RETRAINER].running():
        yield


async def sighup_ctx(app: web.Application) -> AsyncIterator[None]:
    """SIGHUP reloads the model (learning/model_holder.py)."""
    async with reload_on_sighup(app[MODEL]):
        yield


async def _load_model(holder: ModelHolder) -> None:
    try:
        await holder.load()
    except Exception:  # ModelHolder logged it and keeps the error for /readyz
        pass


def create_app(
    config: Config, *, model: SpamModel | None = None, parent_pid: int | None = None
) -> web.Application:
    """The service.  ``model``: one already loaded (workers load theirs before they
    take connections); by default the configured model loads in the background.
    ``parent_pid``: the workers' parent, when this is one of several workers."""
    app = web.Application(
        middlewares=[observe],
        client_max_size=CLIENT_MAX_SIZE,
        handler_args={
            # closes idle connections and ones whose headers stall (see config/tables.py)
            "keepalive_timeout": config.keepalive_timeout_seconds,
            "logger": protocol_logger(),
        },
    )
    app[CONFIG] = config
    app[METRICS] = Metrics()
    app[AUTH] = Authenticator(config)
    app[MODEL] = ModelHolder(config.model_path, model, parent_pid)
    app.cleanup_ctx.append(redis_ctx)
    app.cleanup_ctx.append(rules_ctx)
    app.cleanup_ctx.append(learning_ctx)
    app.cleanup_ctx.append(model_ctx)
    app.cleanup_ctx.append(abuse_backfill_ctx)
    app.cleanup_ctx.append(retention_ctx)
    app.cleanup_ctx.append(callbacks_ctx)
    app.cleanup_ctx.append(sighup_ctx)

    app[API_ROUTES] = ROUTES
    add_routes(app.router, ROUTES)
    setup_ui(app)
    return app
