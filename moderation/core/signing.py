"""The HMAC-SHA256 signature both ways use: a CMS signs its intake and cms-status calls
with it, and the service signs its callbacks with it (one function checks both)."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Moderation-Signature"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Moderation-Signature`` value of ``body`` at ``timestamp``:
    ``t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"
