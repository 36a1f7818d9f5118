"""Prometheus metrics of one app, in a registry of its own (several apps can live in one
test process), exported in the text format at /metrics.

With ``--workers N`` every process writes to PROMETHEUS_MULTIPROC_DIR and /metrics
aggregates them all (prometheus-client's multiprocess mode); the CLI sets that up.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

LATENCY_BUCKETS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
SCORE_BUCKETS = tuple(round(i / 20, 2) for i in range(1, 21))
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)


class Metrics:
    def __init__(self) -> None:
        self.multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
        # In multiprocess mode metrics live in the shared directory, not in a registry.
        self.registry = CollectorRegistry(auto_describe=True)
        registry = None if self.multiprocess else self.registry
        self.requests = Counter(
            "moderation_http_requests_total",
            "HTTP requests by route, method and status.",
            ["route", "method", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "moderation_http_request_duration_seconds",
            "Time to answer, by route.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.comments = Counter(
            "moderation_comments_total",
            "Comments taken in, by outcome (pending, approved, spam, edited, duplicate, invalid).",
            ["outcome"],
            registry=registry,
        )
        self.decisions = Counter(
            "moderation_decisions_total",
            "Moderator decisions by status.",
            ["status"],
            registry=registry,
        )
        self.cms_decisions = Counter(
            "moderation_cms_decisions_total",
            "A CMS's own decisions (cms-status, Akismet submit-spam / submit-ham) that "
            "changed a comment, by the status it was given.",
            ["status"],
            registry=registry,
        )
        self.spam_score = Histogram(
            "moderation_spam_score",
            "Spam probability of comments taken in.",
            buckets=SCORE_BUCKETS,
            registry=registry,
        )
        self.abuse_score = Histogram(
            "moderation_abuse_score",
            "Abuse probability of comments taken in (those a model with an abuse head scored).",
            buckets=SCORE_BUCKETS,
            registry=registry,
        )
        self.batch_size = Histogram(
            "moderation_scoring_batch_size",
            "Comments scored per classifier call.",
            buckets=BATCH_BUCKETS,
            registry=registry,
        )
        self.pending = Gauge(
            "moderation_pending_comments",
            "Comments waiting for a moderator, per site (read at scrape time).",
            ["site"],
            registry=registry,
            multiprocess_mode="mostrecent",
        )
        self.redis_errors = Counter(
            "moderation_redis_errors_total",
            "Redis calls that failed (connection refused, timeout, ...).",
            registry=registry,
        )
        self.score_cache_hits = Counter(
            "moderation_score_cache_hits_total",
            "Comments scored from the cache: the same comment (text, author, links) seen "
            "before by the same model, as in a spam run.",
            registry=registry,
        )
        self.scored_only = Counter(
            "moderation_scored_only_total",
            "Comments scored and not stored, by API: perspective (comments:analyze) or "
            "coral (the external moderation phase).",
            ["api"],
            registry=registry,
        )
        self.suggested_labels = Counter(
            "moderation_suggested_labels_total",
            "Labels a Perspective client suggested (comments:suggestscore), by label.",
            ["label"],
            registry=registry,
        )
        self.rate_limited = Counter(
            "moderation_rate_limited_total",
            "Intake requests refused by a rate limit, by scope.",
            ["scope"],
            registry=registry,
        )
        self.callback_deliveries = Counter(
            "moderation_callback_deliveries_total",
            "Callback attempts by outcome: delivered, retried (failed, will be tried "
            "again) or dead (failed, given up).",
            ["site", "outcome"],
            registry=registry,
        )
        self.callback_pending = Gauge(
            "moderation_callback_pending",
            "Callbacks not yet delivered nor dead, per site (read at scrape time).",
            ["site"],
            registry=registry,
            multiprocess_mode="mostrecent",
        )
        self.callback_oldest_pending = Gauge(
            "moderation_callback_oldest_pending_seconds",
            "Age of the oldest callback not yet delivered, per site (0: none waits).",
            ["site"],
            registry=registry,
            multiprocess_mode="mostrecent",
        )
        self.model_retrains = Counter(
            "moderation_model_retrains_total",
            "Retrains of a site's model by outcome: swapped (the new one is in use), kept "
            "(it did worse on the held-out labels) or failed.",
            ["site", "outcome"],
            registry=registry,
        )
        self.model_labels = Gauge(
            "moderation_model_labels",
            "Labels (human decisions: approved is ham, spam is spam) per site (read at "
            "scrape time).",
            ["site"],
            registry=registry,
            multiprocess_mode="mostrecent",
        )

        # children by labels: .labels() takes a lock and builds a key on every call
        self._request_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        children = self._request_children.get((route, method, status))
        if children is None:
            children = (
                self.requests.labels(route, method, str(status)),
                self.latency.labels(route),
            )
            self._request_children[(route, method, status)] = children
        children[0].inc()
        children[1].observe(seconds)

    def render(self) -> bytes:
        if self.multiprocess:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)
