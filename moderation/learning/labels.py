"""Moderators' decisions as labelled examples: ``moderation export-labels`` writes
decided comments as JSONL that ``python -m classifier train --data`` reads (approved ->
ham, spam -> spam; rejected comments are off-topic or abusive, not spam, so they are left
out), and the labels a CMS gave through the Akismet API for comments not stored here.
"""

from __future__ import annotations

import logging
from typing import IO

from moderation.core.records import Status
from moderation.learning.examples import example_line, example_of
from moderation.storage.store import Store

log = logging.getLogger("moderation.learning")

LABELS = {Status.APPROVED: "ham", Status.SPAM: "spam"}


async def export_labels(store: Store, site: str, out: IO[str]) -> dict[str, int]:
    """Write every approved and spam comment of ``site`` as a JSONL training example."""
    counts = {"ham": 0, "spam": 0}
    for status, label in LABELS.items():
        async for records in store.records_in(site, status):
            for record in records:
                out.write(example_line(example_of(record.data), label))
                counts[label] += 1
    for given in await store.cms_labels(site):
        cms_label = str(given.get("label"))
        if cms_label not in counts:
            continue
        out.write(example_line(example_of(given), cms_label))
        counts[cms_label] += 1
    return counts
