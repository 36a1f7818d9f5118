"""The learning loop: moderators' decisions become labelled examples, and a retrained
model replaces the one in use without a restart.

- ``moderation export-labels`` writes decided comments as JSONL that
  ``python -m classifier train --data`` reads (approved -> ham, spam -> spam; rejected
  comments are off-topic or abusive, not spam, so they are left out).
- ``POST /v1/model/reload`` (admin moderators) or SIGHUP loads the configured model file
  again, or the one named; the swap is atomic and a model that fails to load leaves the
  old one serving.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO

from aiohttp import web

from classifier import ModelError
from moderation.appkeys import AUTH, MODEL
from moderation.records import Status
from moderation.storage.store import Store
from moderation.web.bodies import ModelReloadRequest, parse
from moderation.web.http import json_response, read_json_object
from moderation.web.problems import FieldError, forbidden, invalid

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
    return counts


async def post_model_reload(request: web.Request) -> web.Response:
    """Load the configured model file again, or ``{"path": ...}``; 422 keeps the old."""
    moderator = await request.app[AUTH].moderator(request)
    if not moderator.admin:
        raise forbidden("Reloading the model needs a moderator with admin = true.")
    raw = await read_json_object(request, 16 * 1024) if request.can_read_body else {}
    path_raw = parse(ModelReloadRequest, raw).path
    holder = request.app[MODEL]
    if holder.parent_pid is not None and path_raw:
        # the other workers could not be told which file: they reload the configured one
        raise invalid(
            [
                FieldError(
                    "path",
                    "with several workers, replace the configured model file and reload "
                    "without a path, so that every worker loads the same model",
                )
            ]
        )
    try:
        model = await holder.reload(Path(path_raw) if path_raw else None)
    except ModelError as exc:
        current = holder.model.version if holder.model else None
        raise invalid([FieldError("path", f"{exc} (still serving model {current})")]) from exc
    return json_response({"version": model.version, "path": str(holder.source or "default")})


async def sighup_ctx(app: web.Application) -> AsyncIterator[None]:
    """SIGHUP reloads the model, as daemons reload their config; the workers' parent
    passes it on to each worker."""
    loop = asyncio.get_running_loop()
    holder = app[MODEL]
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
