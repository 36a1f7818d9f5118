"""Addresses a client gives: an author's IP and an http(s) URL, each checked (and the IP
normalised) in one place, so that intake's validation, the rate limit's key, the Akismet
form and the config agree on what is one.
"""

from __future__ import annotations

import ipaddress
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


def url_problem(value: str) -> str | None:
    """What keeps ``value`` from being an absolute http or https URL with a host name,
    written without control characters or spaces; None when it is one."""
    if any(ord(ch) < 32 for ch in value):
        return CONTROL_CHARACTERS
    try:
        parts = urllib.parse.urlsplit(value)
    except ValueError:  # "http://[", or a host that NFKC normalisation would change
        return "is not a valid URL"
    if parts.scheme not in ("http", "https"):  # urlsplit gives the scheme in lower case
        return "must be an http or https URL"
    if not parts.hostname:
        return "must have a host name"
    if any(ch.isspace() for ch in value):
        return "must not contain spaces"
    return None


__all__ = ["normal_ip", "url_problem"]
