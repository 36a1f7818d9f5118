"""Addresses a client gives: an author's IP and an http(s) URL, each checked (and the IP
normalised) in one place, so that intake's validation, the rate limit's key, the Akismet
form and the config agree on what is one.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse

from moderation.core.text import CONTROL_CHARACTERS


def normal_ip(value: str) -> str | None:
    """``value`` (white space around it ignored) as ``ipaddress`` writes the address it
    is (IPv6 compressed and in lower case: one address, one text), or None unless it is
    an IPv4 or IPv6 address."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


# One C-level scan each, where a generator over the characters cost ~3 us a URL (two URLs
# a comment on intake's path).  Python's ``\s`` in a str pattern is what str.isspace
# calls space.
_CONTROL_RE = re.compile(r"[\x00-\x1f]")
_SPACE_RE = re.compile(r"\s")


def url_problem(value: str) -> str | None:
    """What keeps ``value`` from being an absolute http or https URL with a host name,
    written without control characters or spaces; None when it is one."""
    if _CONTROL_RE.search(value):
        return CONTROL_CHARACTERS
    try:
        parts = urllib.parse.urlsplit(value)
    except ValueError:  # "http://[", or a host that NFKC normalisation would change
        return "is not a valid URL"
    if parts.scheme not in ("http", "https"):  # urlsplit gives the scheme in lower case
        return "must be an http or https URL"
    if not parts.hostname:
        return "must have a host name"
    if _SPACE_RE.search(value):
        return "must not contain spaces"
    return None


__all__ = ["normal_ip", "url_problem"]
