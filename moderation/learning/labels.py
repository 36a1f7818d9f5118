"""Moderators' decisions as labelled examples: ``moderation export-labels`` writes
decided comments as JSONL that ``python -m classifier train --data`` reads (approved ->
ham, spam -> spam; rejected comments are off-topic or abusive, not spam, so they are left
out), and the labels a CMS gave through the Akismet API for comments not stored here.
``--abuse`` writes the abuse labels instead (rejected for abuse -> abuse, approved ->
not_abuse), for training an abuse head: not a file ``classifier train`` reads.
"""

from __future__ import annotations

import logging
from typing import IO

from moderation.core.records import Status
from moderation.learning.examples import example_line, example_of
from moderation.storage.store import Store

log = logging.getLogger("moderation.learning")

LABELS = {Status.APPROVED: "ham", Status.SPAM: "spam"}


ABUSE_EXPORT_CHUNK = 500  # records read per round trip


async def export_abuse_labels(store: Store, site: str, out: IO[str]) -> dict[str, int]:
    """Write every comment of ``site`` with an abuse label as a JSONL example labelled
    ``abuse`` or ``not_abuse``, oldest label first; a comment erased or purged since is
    left out."""
    counts = {"abuse": 0, "not_abuse": 0}
    labelled = await store.abuse_labelled(site)
    for start in range(0, len(labelled), ABUSE_EXPORT_CHUNK):
        chunk = labelled[start : start + ABUSE_EXPORT_CHUNK]
        records = {r.id: r for r in await store.get_many(site, [cid for cid, _, _ in chunk])}
        for comment_id, abusive, _ in chunk:
            record = records.get(comment_id)
            if record is None:
                continue
            label = "abuse" if abusive else "not_abuse"
            out.write(example_line(example_of(record.data), label))
            counts[label] += 1
    return counts


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
