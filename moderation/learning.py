"""The learning loop: moderators' decisions become labelled examples, and a retrained
model replaces the one in use without a restart.

- ``moderation export-labels`` writes decided comments as JSONL that
  ``python -m classifier train --data`` reads (approved -> ham, spam -> spam; rejected
  comments are off-topic or abusive, not spam, so they are left out), and the labels a
  CMS gave through the Akismet API for comments not stored here.
- ``POST /v1/model/reload`` (admin moderators; web/admin.py) or SIGHUP loads the
  configured model file again, or the one named; the swap is atomic and a model that
  fails to load leaves the old one serving.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import IO

from classifier import ModelError
from moderation.model_holder import ModelHolder
from moderation.records import Status
from moderation.storage.store import Store

log = logging.getLogger("moderation.learning")

LABELS = {Status.APPROVED: "ham", Status.SPAM: "spam"}


async def export_labels(store: Store, site: str, out: IO[str]) -> dict[str, int]:
    """Write every approved and spam comment of ``site`` as a JSONL training example."""
    counts = {"ham": 0, "spam": 0}
    for status, label in LABELS.items():
        async for records in store.records_in(site, status):
            for record in records:
                data = record.data
                example = {
                    "content": data.get("content", ""),
                    "author_name": data.get("author_name") or "",
                    "author_email": data.get("author_email") or "",
                    "author_url": data.get("author_url") or "",
                    "post_url": data.get("post_url") or "",
                    "label": label,
                }
                out.write(json.dumps(example, ensure_ascii=False) + "\n")
                counts[label] += 1
    for given in await store.cms_labels(site):
        cms_label = str(given.get("label"))
        if cms_label not in counts:
            continue
        example = {
            "content": given.get("content") or "",
            "author_name": "",
            "author_email": "",
            "author_url": given.get("author_url") or "",
            "post_url": given.get("post_url") or "",
            "label": cms_label,
        }
        out.write(json.dumps(example, ensure_ascii=False) + "\n")
        counts[cms_label] += 1
    return counts


@asynccontextmanager
async def reload_on_sighup(holder: ModelHolder) -> AsyncIterator[None]:
    """While inside, SIGHUP reloads the model, as daemons reload their config; the
    workers' parent passes it on to each worker (the app's cleanup_ctx enters it)."""
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[None]] = set()

    async def reload() -> None:
        try:
            await holder.load()
        except ModelError:
            pass  # logged by the holder; the old model keeps serving

    def on_hup() -> None:
        task = loop.create_task(reload())
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    try:
        loop.add_signal_handler(signal.SIGHUP, on_hup)
        installed = True
    except (RuntimeError, NotImplementedError, ValueError):  # not the main thread (tests)
        installed = False
    try:
        yield
    finally:
        if installed:
            loop.remove_signal_handler(signal.SIGHUP)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
