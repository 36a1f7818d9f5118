"""The Redis data layer of comments, queues, claims, labels, models and callbacks: one
``Store`` made of a part per concern (``comments``, ``queue``, ``learning``, ``outbox``,
``erasure``, over ``base``).  Code outside storage imports it, and the types of its
answers, from here."""

from __future__ import annotations

from moderation.storage.base import (
    CMS_LABELS_MAX,
    CURSOR_MAX,
    DAY_MS,
    DECISIONS_DAY_TTL_SECONDS,
    EVENTS_MAXLEN,
    IDEMPOTENCY_TTL_SECONDS,
    LISTED_FIELDS,
    MODELS_KEPT,
    RETRAINS_KEPT,
    UNDO_ATTEMPTS,
    UNDO_WINDOW_MS,
    AbuseFill,
    Bound,
    CallbackState,
    CursorError,
    IntakeSiteKeys,
    LabelKeys,
    NewComment,
    Order,
    Outcome,
    OutcomeKind,
    Page,
    Settled,
    StatusIndexes,
    StoreBase,
    Stored,
    callback_keys,
    decide_outcome,
    decode_cursor,
    encode_cursor,
    in_range,
    intake_site_keys,
    label_keys,
    model_keys,
    new_event_id,
    status_indexes,
    undo_outcome,
)
from moderation.storage.erasure import ErasureStore
from moderation.storage.learning import LearningStore
from moderation.storage.outbox import OutboxStore
from moderation.storage.queue import QueueStore
from moderation.storage.rules import RULES_MAX, RuleAdded, RulesStore


class Store(QueueStore, ErasureStore, OutboxStore, LearningStore, RulesStore):
    """Comments, queues, claims, labels, models and callbacks of every site, in one Redis
    or one Redis Cluster.

    ``callbacks``: each site's callback event types (a site without callbacks is left
    out): its decisions of those types are queued for delivery in the same atomic write.
    ``on_callback(site)`` is told when one was queued, so the deliverer need not wait for
    its next poll."""


__all__ = [
    "CMS_LABELS_MAX",
    "CURSOR_MAX",
    "DAY_MS",
    "DECISIONS_DAY_TTL_SECONDS",
    "EVENTS_MAXLEN",
    "IDEMPOTENCY_TTL_SECONDS",
    "LISTED_FIELDS",
    "MODELS_KEPT",
    "RETRAINS_KEPT",
    "RULES_MAX",
    "UNDO_ATTEMPTS",
    "UNDO_WINDOW_MS",
    "AbuseFill",
    "Bound",
    "CallbackState",
    "CursorError",
    "IntakeSiteKeys",
    "LabelKeys",
    "NewComment",
    "Order",
    "Outcome",
    "OutcomeKind",
    "Page",
    "RuleAdded",
    "Settled",
    "StatusIndexes",
    "Store",
    "StoreBase",
    "Stored",
    "callback_keys",
    "decide_outcome",
    "decode_cursor",
    "encode_cursor",
    "in_range",
    "intake_site_keys",
    "label_keys",
    "model_keys",
    "new_event_id",
    "status_indexes",
    "undo_outcome",
]
