"""`moderation erase` and `moderation export-labels`: work on the data without the HTTP
service, against the configured Redis or the embedded one (reused if the service is
running, started for the occasion if not)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from moderation.config import Config
from moderation.core.fields import FieldError, FieldsInvalid
from moderation.intake.validation import normalise_email
from moderation.learning.labels import export_labels
from moderation.review.privacy import Erased, erase
from moderation.storage.connect import open_client
from moderation.storage.redis_server import configured_or_embedded
from moderation.storage.store import Store


@asynccontextmanager
async def connected_store(config: Config) -> AsyncIterator[Store]:
    # a running service's embedded Redis is shared, not started twice on the same data
    url, server = await asyncio.to_thread(configured_or_embedded, config, share_running=True)
    client = open_client(config.redis, url, timeout=10)
    try:
        yield Store(
            client,
            ack_replicas=config.redis.ack_replicas,
            ack_timeout_ms=int(config.redis.timeout_seconds * 1000),
        )
    finally:
        await client.aclose()
        if server is not None:
            await asyncio.to_thread(server.stop)


async def run_erase(config: Config, email_raw: str, site: str | None) -> Erased:
    """Erase an author's personal data on ``site`` or every site; FieldsInvalid names the
    option at fault."""
    errors: list[FieldError] = []
    email = normalise_email(email_raw, errors, "--email")
    if errors:
        raise FieldsInvalid(errors)
    if site is not None and config.site(site) is None:
        raise FieldsInvalid([FieldError("--site", f"no site '{site}' in the config")])
    sites = [site] if site else [s.id for s in config.sites]
    async with connected_store(config) as store:
        return await erase(store, sites, email, "cli")


async def run_export(config: Config, site: str, out: Path | None) -> dict[str, int]:
    async with connected_store(config) as store:
        if out is None:
            return await export_labels(store, site, sys.stdout)
        tmp = out.with_name(out.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as handle:
            counts = await export_labels(store, site, handle)
        tmp.replace(out)
        return counts
