"""Endpoints for operators: liveness, readiness, metrics and the API description."""

from __future__ import annotations

import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from moderation.appkeys import API_ROUTES, CONFIG, METRICS, MODEL, REDIS_HEALTH, STORE
from moderation.core.records import now_ms
from moderation.web.answers import Health, Readiness
from moderation.web.apidoc import (
    METRICS_TYPE,
    header_refs,
    json_answer,
    operation,
    problems,
    ref,
)
from moderation.web.http import answer, json_response
from moderation.web.openapi import openapi_document
from moderation.web.routes import RouteTable

routes = RouteTable()

log = logging.getLogger("moderation.web.ops")


@routes.get(
    "/healthz",
    operation(
        "healthz",
        "ops",
        "Liveness: the process answers (no I/O)",
        {"200": json_answer(ref("Health"), "Alive."), **problems()},
    ),
)
async def healthz(request: web.Request) -> web.Response:
    """Alive: the event loop answers.  No I/O, so a Redis outage never restarts us."""
    return answer(Health(status="ok"))


@routes.get(
    "/readyz",
    operation(
        "readyz",
        "ops",
        "Readiness: Redis answers and the model is loaded",
        {
            "200": json_answer(ref("Readiness"), "Ready: intake can succeed now."),
            "503": json_answer(
                ref("Readiness"),
                "Not ready; `failing` names the failing checks.",
                "Retry-After",
            ),
            **problems(),
        },
    ),
)
async def readyz(request: web.Request) -> web.Response:
    """Ready: Redis answers and a model is loaded, i.e. intake can succeed now."""
    app = request.app
    checks: dict[str, dict[str, object]] = {}
    redis_error = await app[REDIS_HEALTH].ping()
    checks["redis"] = {"ok": redis_error is None}
    if redis_error:
        checks["redis"]["error"] = redis_error
    model = app[MODEL]
    checks["model"] = {"ok": model.ready}
    if model.model is not None:
        checks["model"]["version"] = model.model.version
    elif model.error:
        checks["model"]["error"] = model.error
    else:
        checks["model"]["error"] = "still loading"
    ready = all(c["ok"] for c in checks.values())
    failing = [name for name, c in checks.items() if not c["ok"]]
    body: dict[str, object] = {"status": "ready" if ready else "not ready", "checks": checks}
    if failing:
        body["failing"] = failing
    headers = {} if ready else {"Retry-After": str(app[CONFIG].redis.retry_after_seconds)}
    return answer(Readiness.model_validate(body), status=200 if ready else 503, headers=headers)


@routes.get(
    "/metrics",
    operation(
        "metrics",
        "ops",
        "Prometheus metrics",
        {
            "200": {
                "description": (
                    "The Prometheus text exposition format: requests by route and "
                    "status, latency, comments by outcome, spam scores, pending "
                    "queue depth per site, Redis errors."
                ),
                "headers": header_refs(),
                "content": {METRICS_TYPE: {"schema": {"type": "string"}}},
            },
            **problems(),
        },
    ),
)
async def metrics(request: web.Request) -> web.Response:
    app = request.app
    registry = app[METRICS]
    # Queue depth is read at scrape time: it is Redis state, shared by every worker.
    try:
        for site in app[CONFIG].sites:
            counts = await app[STORE].counts(site.id)
            registry.pending.labels(site.id).set(counts["pending"])
            labels = await app[STORE].label_counts(site.id)
            registry.model_labels.labels(site.id).set(labels["ham"] + labels["spam"])
            if site.callback_url is not None:
                waiting, oldest_ms = await app[STORE].callback_backlog(site.id)
                age = max(0.0, (now_ms() - oldest_ms) / 1000) if oldest_ms else 0.0
                registry.callback_pending.labels(site.id).set(waiting)
                registry.callback_oldest_pending.labels(site.id).set(age)
    except Exception as exc:  # a scrape during an outage still shows the other metrics
        registry.redis_errors.inc()
        log.warning("metrics: queue depth unavailable", extra={"error": type(exc).__name__})
    return web.Response(body=registry.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})


@routes.get(
    "/openapi.json",
    operation(
        "openapi",
        "ops",
        "This document",
        {
            "200": json_answer({"type": "object"}, "The OpenAPI 3.1 document."),
            **problems(),
        },
    ),
)
async def openapi(request: web.Request) -> web.Response:
    return json_response(openapi_document(request.app[API_ROUTES]))
