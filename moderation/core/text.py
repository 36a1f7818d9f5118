"""Text a client sent, checked before it goes anywhere: every layer (intake, the store's
keys, the web layer's headers and problem details) asks these same questions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from moderation.core.fields import LONE_SURROGATE, BadBody, FieldError


def is_utf8(text: str) -> bool:
    """False for text JSON can carry but UTF-8 cannot ("\\ud800" escapes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# -- text a client sent, before it goes anywhere --------------------------------------
#
# A value is echoed into a problem detail, written to a log line or made part of a Redis
# key only once it is known to be text: a lone surrogate (JSON's "\ud800", or a header
# byte that is not UTF-8, which aiohttp decodes with surrogateescape) cannot be encoded
# at all, and a control character has no business in an id, an email or a header.  The
# messages below never quote the value.

CONTROL_CHARACTERS = "must not contain control characters"
HEADER_NOT_TEXT = "must be UTF-8 text (it holds a byte that is not)"


def text_problem(value: str, *, limit: int, allow_newlines: bool = False) -> str | None:
    """Why ``value`` is not acceptable text (too long, a lone surrogate, a control
    character), or None.  The length comes first: it is the cheapest check."""
    if len(value) > limit:
        return f"must be at most {limit} characters"
    return odd_text(value, allow_newlines=allow_newlines)


def odd_text(value: str, *, allow_newlines: bool = False) -> str | None:
    """Why ``value``, of any length, is not text (a lone surrogate, a control
    character), or None."""
    if not is_utf8(value):
        return LONE_SURROGATE
    if _has_control(value, allow_newlines=allow_newlines):
        return CONTROL_CHARACTERS
    return None


def text_field(
    value: Any,
    name: str,
    errors: list[FieldError],
    *,
    limit: int,
    required: bool = False,
    allow_newlines: bool = False,
) -> str | None:
    """``value`` if it is a string of acceptable text; otherwise None, with the reason
    added to ``errors`` under ``name`` (a missing or empty value only if ``required``)."""
    if value is None or value == "":
        if required:
            errors.append(FieldError(name, "is required"))
        return None
    if not isinstance(value, str):
        errors.append(FieldError(name, "must be a string"))
        return None
    problem = text_problem(value, limit=limit, allow_newlines=allow_newlines)
    if problem is not None:
        errors.append(FieldError(name, problem))
        return None
    return value


def header_text(headers: Mapping[str, str], name: str, *, limit: int = 2_048) -> str | None:
    """The request header ``name`` once it is known to be text (None if absent); BadBody
    naming the header (a 400) otherwise."""
    value = headers.get(name)
    if value is None:
        return None
    problem = text_problem(value, limit=limit)
    if problem is not None:
        message = HEADER_NOT_TEXT if problem == LONE_SURROGATE else problem
        raise BadBody(f"The {name} header {message}.", field=name)
    return value


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_NEWLINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _has_control(value: str, *, allow_newlines: bool) -> bool:
    pattern = _CONTROL_BUT_NEWLINES if allow_newlines else _CONTROL
    return pattern.search(value) is not None
