"""Moderator page sessions, kept in Redis.

A session id is 256 random bits that live only in the moderator's cookie.  Redis keeps the
session under the SHA-256 of that id, so a copy of the database (a backup, an RDB file, a
``MONITOR`` left running) holds nothing that can be replayed as a cookie.  Each session
carries its own CSRF token, the moderator's name, and the digest of the token the
moderator logged in with: rotating or removing a moderator's token in the config ends
every session it opened, without any sweep.

Sessions end after ``idle_seconds`` without use (the TTL is renewed on each use) and in any
case ``max_age_seconds`` after login.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from moderation.core.records import now_ms
from moderation.storage import keys
from moderation.storage.store import Store
from moderation.storage.transport import as_mapping

IDLE_SECONDS = 8 * 3600  # a working day without a request ends the session
MAX_AGE_SECONDS = 24 * 3600  # even an active session logs in again every day


@dataclass(frozen=True, slots=True)
class Session:
    moderator: str
    token_sha256: str  # of the moderator token used to log in
    csrf_token: str
    created_ms: int


def _key(session_id: str) -> str:
    return keys.session(hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest())


class SessionStore:
    """Create, read and end moderator sessions."""

    def __init__(
        self,
        store: Store,
        *,
        idle_seconds: int = IDLE_SECONDS,
        max_age_seconds: int = MAX_AGE_SECONDS,
    ) -> None:
        self.store = store
        self.idle_seconds = idle_seconds
        self.max_age_seconds = max_age_seconds

    async def create(self, moderator: str, token_sha256: str) -> tuple[str, Session]:
        """A new session: its id (for the cookie only) and what the server keeps."""
        session_id = secrets.token_urlsafe(32)
        session = Session(
            moderator=moderator,
            token_sha256=token_sha256,
            csrf_token=secrets.token_urlsafe(32),
            created_ms=now_ms(),
        )
        key = _key(session_id)
        # a session key has no hash tag: it is its own (one slot on a cluster)
        await self.store.atomically(
            key,
            (
                "HSET",
                key,
                "moderator",
                session.moderator,
                "token_sha256",
                session.token_sha256,
                "csrf",
                session.csrf_token,
                "created_ms",
                str(session.created_ms),
            ),
            ("EXPIRE", key, self.idle_seconds),
        )
        return session_id, session

    async def get(self, session_id: str) -> Session | None:
        """The live session behind ``session_id`` (renewing its idle TTL), or None."""
        if not session_id or len(session_id) > 128:
            return None
        key = _key(session_id)
        # One MULTI: read and renew together.  EXPIRE on a missing key does nothing, so a
        # logged-out session is never brought back.
        flat, _ = await self.store.atomically(
            key, ("HGETALL", key), ("EXPIRE", key, self.idle_seconds)
        )
        raw = as_mapping(flat)
        if not raw or "moderator" not in raw or "csrf" not in raw:
            return None
        session = Session(
            moderator=raw["moderator"],
            token_sha256=raw.get("token_sha256", ""),
            csrf_token=raw["csrf"],
            created_ms=int(raw.get("created_ms", "0") or 0),
        )
        if now_ms() - session.created_ms > self.max_age_seconds * 1000:
            await self.store.write(key, ("DEL", key))
            return None
        return session

    async def delete(self, session_id: str) -> None:
        if session_id and len(session_id) <= 128:
            key = _key(session_id)
            await self.store.write(key, ("DEL", key))
