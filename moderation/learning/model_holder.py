"""The classifier model in use, loaded in the background and swapped atomically.

Loading (or training the shipped default) takes a moment of CPU, so it runs in a thread
after the port opens; /readyz says when intake can succeed.  A reload that fails keeps
the old model serving.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from classifier import ModelError, SpamModel

log = logging.getLogger("moderation.model")


class ModelHolder:
    def __init__(
        self, path: Path | None, model: SpamModel | None = None, parent_pid: int | None = None
    ) -> None:
        self.path = path  # the configured model file (None = the shipped default)
        self.model: SpamModel | None = model
        # where the model in use came from: a reload may name another file just once
        self.source: Path | None = path
        # Set in a worker of ``serve --workers N``: the parent that passes a reload on to
        # every worker (SIGHUP), so that all of them serve the same model.
        self.parent_pid = parent_pid
        self.error: str | None = None
        # set once a model is in use: start-up work that needs one waits on it
        self.loaded = asyncio.Event()
        if model is not None:
            self.loaded.set()
        self._lock = asyncio.Lock()

    @property
    def ready(self) -> bool:
        return self.model is not None

    def _read(self, path: Path | None) -> SpamModel:
        return SpamModel.load(path) if path is not None else SpamModel.default()

    async def load(self, path: Path | None = None) -> SpamModel:
        """Load ``path`` (or the configured model) and swap it in; on failure the model in
        use stays and ModelError is raised.  ``path`` is used this once: the next reload
        without one (API or SIGHUP), like a restart, loads the configured model again."""
        target = path if path is not None else self.path
        async with self._lock:
            try:
                model = await asyncio.to_thread(self._read, target)
            except ModelError as exc:
                self.error = str(exc)
                log.error("model load failed", extra={"path": str(target), "error": str(exc)})
                raise
            self.model, self.error, self.source = model, None, target
            self.loaded.set()
            log.info(
                "model loaded",
                extra={"path": str(target) if target else "default", "version": model.version},
            )
            return model

    async def reload(self, path: Path | None = None) -> SpamModel:
        """An operator's reload (the API): load as ``load`` does, then, in a worker of
        ``serve --workers N``, have the parent pass the reload on to every worker, so that
        all of them serve the same model."""
        model = await self.load(path)
        if self.parent_pid is not None:
            os.kill(self.parent_pid, signal.SIGHUP)
        return model


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
