"""`moderation erase`: erasure without the HTTP service."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from moderation.config import Config
from moderation.privacy import erase
from moderation.problems import FieldError
from moderation.redis_server import RedisServer
from moderation.store import Store
from moderation.validation import normalise_email


async def run_erase(config: Config, email_raw: str, site: str | None) -> dict[str, int]:
    errors: list[FieldError] = []
    email = normalise_email(email_raw, errors, "--email")
    if errors:
        raise ValueError(f"{errors[0].field}: {errors[0].message}")
    if site is not None and config.site(site) is None:
        raise ValueError(f"--site: no site '{site}' in the config")
    sites = [site] if site else [s.id for s in config.sites]
    server: RedisServer | None = None
    url = config.redis.url
    if url is None:
        server = RedisServer(config.data_dir / "redis", persistent=True)
        if server.ping():  # the service is running: share its Redis
            url, server = server.url, None
        else:
            await asyncio.to_thread(server.start)
            url = server.url
    client = Redis.from_url(url, decode_responses=True, socket_timeout=10)
    try:
        return await erase(Store(client), sites, email, "cli")
    finally:
        await client.aclose()
        if server is not None:
            await asyncio.to_thread(server.stop)
