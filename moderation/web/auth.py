"""Who is calling: a site by its API key, a moderator by token or session, and the
optional HMAC signature a site may require on intake.

Every secret is compared as a SHA-256 digest with ``hmac.compare_digest`` against every
candidate, without stopping at the first match, so neither the time taken nor the order
of the config tells an attacker anything about which key came close.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from typing import Protocol, TypeVar

from aiohttp import web

from moderation.config import Config, ModeratorConfig, SiteConfig
from moderation.core.signing import SIGNATURE_HEADER, sign
from moderation.web.problems import Problem, forbidden, unauthorized


@dataclass(frozen=True, slots=True)
class SiteCaller:
    site: SiteConfig


@dataclass(frozen=True, slots=True)
class ModeratorCaller:
    moderator: ModeratorConfig

    @property
    def name(self) -> str:
        return self.moderator.name


Caller = SiteCaller | ModeratorCaller
T = TypeVar("T")


class SessionResolver(Protocol):
    """The moderator page's sessions (``moderation.web.ui``): the moderator behind a session
    cookie, or None.  Unsafe methods must also carry the session's CSRF token."""

    async def moderator_for(self, request: web.Request) -> ModeratorConfig | None: ...


class Authenticator:
    def __init__(self, config: Config) -> None:
        self._sites = [
            (bytes.fromhex(digest), s)
            for s in config.sites
            for digest in (s.api_key_sha256, *s.extra_api_key_sha256s)
        ]
        self._moderators = [(bytes.fromhex(m.token_sha256), m) for m in config.moderators]
        self._akismet_sites = [
            (bytes.fromhex(s.akismet_key_sha256), s)
            for s in config.sites
            if s.akismet_key_sha256 is not None
        ]
        self._perspective_sites = [
            (bytes.fromhex(s.perspective_key_sha256), s)
            for s in config.sites
            if s.perspective_key_sha256 is not None
        ]
        self._coral_sites = [
            (s.coral_signing_secret.encode("utf-8"), s)
            for s in config.sites
            if s.coral_signing_secret is not None
        ]
        self.sessions: SessionResolver | None = None  # set by the moderator page

    def site_for_key(self, presented: str) -> SiteConfig | None:
        return _match(presented, self._sites)

    def site_for_akismet_key(self, presented: str) -> SiteConfig | None:
        """The site of an Akismet client's key (``akismet_key``), compared as every
        secret is."""
        return _match(presented, self._akismet_sites)

    def site_for_perspective_key(self, presented: str) -> SiteConfig | None:
        """The site of a Perspective client's key (``perspective_key``), compared as
        every secret is."""
        return _match(presented, self._perspective_sites)

    def site_for_coral_signature(self, header: str | None, body: bytes) -> SiteConfig | None:
        """The site whose ``coral_signing_secret`` signed ``body``: Coral's
        ``X-Coral-Signature`` is ``sha256=<hex HMAC-SHA256(secret, raw body)>``, several
        of them comma-separated while Coral rotates the phase's secret.  Every candidate
        is compared with every site's signature, in constant time and without stopping
        at a match.  None when no signature verifies (or there is none)."""
        presented: list[bytes] = []
        for part in (header or "").split(","):
            scheme, _, value = part.strip().partition("=")
            # a value that is not a SHA-256 in hex cannot match: skipped, so that a valid
            # one beside it still counts
            if scheme.strip().lower() == "sha256" and _HEX_SHA256.fullmatch(value.strip()):
                presented.append(value.strip().lower().encode("ascii"))
        found: SiteConfig | None = None
        if not presented:
            return None
        for secret, site in self._coral_sites:
            expected = hmac.new(secret, body, hashlib.sha256).hexdigest().encode("ascii")
            for candidate in presented:
                if hmac.compare_digest(candidate, expected):
                    found = site
        return found

    def moderator_for_token(self, presented: str) -> ModeratorConfig | None:
        return _match(presented, self._moderators)

    async def caller(self, request: web.Request) -> Caller:
        """The site or moderator behind the request's bearer token (or the moderator
        behind a page session); 401 otherwise."""
        session_moderator = await self._session(request)
        if session_moderator is not None:
            return ModeratorCaller(session_moderator)
        token = bearer_token(request)
        site = self.site_for_key(token)
        moderator = self.moderator_for_token(token)
        if site is not None:
            return SiteCaller(site)
        if moderator is not None:
            return ModeratorCaller(moderator)
        raise unauthorized("Unknown API key or moderator token.")

    def site(self, request: web.Request) -> SiteConfig:
        site = self.site_for_key(bearer_token(request))
        if site is None:
            raise unauthorized("Unknown site API key.")
        return site

    async def moderator(self, request: web.Request) -> ModeratorConfig:
        session_moderator = await self._session(request)
        if session_moderator is not None:
            return session_moderator
        moderator = self.moderator_for_token(bearer_token(request))
        if moderator is None:
            raise unauthorized("Unknown moderator token.")
        return moderator

    async def _session(self, request: web.Request) -> ModeratorConfig | None:
        if self.sessions is None or "Authorization" in request.headers:
            return None
        return await self.sessions.moderator_for(request)


def _match(presented: str, candidates: list[tuple[bytes, T]]) -> T | None:
    digest = hashlib.sha256(presented.encode("utf-8", "surrogatepass")).digest()
    found: T | None = None
    for expected, value in candidates:
        if hmac.compare_digest(digest, expected):
            found = value
    return found


def bearer_token(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized()
    return token.strip()


_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_HEX_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


def verify_signature(
    site: SiteConfig, header: str | None, body: bytes, *, tolerance: int, now: float | None = None
) -> None:
    """Raise 403 unless ``header`` is a fresh, valid signature of ``body``."""
    if site.signing_secret is None:
        return
    if not header:
        raise forbidden(f"This site requires a signed request ({SIGNATURE_HEADER}).")
    timestamp: int | None = None
    candidates: list[bytes] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        value = value.strip()
        # ASCII only: str.isdigit() takes "²" (which int() refuses) and "١٢"; a header
        # byte that is not UTF-8 arrives as a lone surrogate, which cannot be encoded.
        # A v1 that is not a SHA-256 in hex cannot match: skip it, so that a valid one
        # beside it still counts.
        if key == "t" and _TIMESTAMP.fullmatch(value):
            timestamp = int(value)
        elif key == "v1" and _HEX_SHA256.fullmatch(value):
            candidates.append(value.lower().encode("ascii"))
    if timestamp is None or not candidates:
        raise forbidden(f"Malformed {SIGNATURE_HEADER}: expected 't=<unix seconds>,v1=<hex>'.")
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise forbidden(f"Stale signature: the timestamp is more than {tolerance} s from now.")
    expected = sign(site.signing_secret, timestamp, body).split("v1=", 1)[1]
    ok = False
    for candidate in candidates:  # several v1 entries allow secret rotation, as Stripe does
        if hmac.compare_digest(candidate, expected.encode()):
            ok = True
    if not ok:
        raise forbidden("Signature does not match the body.")


__all__ = ["Authenticator", "Caller", "ModeratorCaller", "Problem", "SiteCaller"]
