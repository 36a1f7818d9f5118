"""Text a client sent, checked before it goes anywhere: every layer (intake, the store's
keys, the web layer's headers and problem details) asks these same questions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
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
BLANK = "must not be blank"
REPEATED = "is given more than once"

# What shows nothing: whitespace (``\s``: Unicode's, NBSP included) and the invisible
# format characters a text of "nothing" is made of: soft hyphen, combining grapheme
# joiner, Arabic letter mark, Hangul fillers, Khmer inherent vowels, Mongolian
# separators and variation selectors, zero-width space / non-joiner / joiner, LRM/RLM,
# bidi embeddings, overrides and isolates, word joiner and invisible operators, Braille
# blank, BOM (zero-width no-break space), variation selectors, tag characters.  Blank
# only when *all* of a value is these: a ZWJ inside an emoji or a ZWNJ inside a Persian
# word is kept.  The inside of a regex character class, the same for Python's ``re``
# and for pydantic's Rust patterns (intake checks it there, at no measurable cost).
INVISIBLE_CLASS = (
    "\\s\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0"
    "\U000e0000-\U000e007f\U000e0100-\U000e01ef"
)
_BLANK = re.compile(f"[{INVISIBLE_CLASS}]*")


def is_blank(value: str) -> bool:
    """Whether ``value`` shows nothing: empty, whitespace, invisible characters only.
    The one rule of "blank" wherever a client's text must say something."""
    return _BLANK.fullmatch(value) is not None


def blank_problem(value: str) -> str | None:
    """:data:`BLANK` for a value that shows nothing, else None."""
    return BLANK if _BLANK.fullmatch(value) is not None else None


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


def repeated_fields(names: Iterable[str]) -> list[FieldError]:
    """A :data:`REPEATED` error for each name a client gave twice (a JSON key, a form
    field, a query parameter), named as given once it is known to be text; a name that is
    not (a control character, a lone surrogate, too long) is said as ``body``."""
    errors: list[FieldError] = []
    for name in names:
        field = name if text_problem(name, limit=200) is None else "body"
        if all(e.field != field for e in errors):
            errors.append(FieldError(field, REPEATED))
    return errors


def repeated_names(pairs: Iterable[tuple[str, object]]) -> list[str]:
    """The names that occur more than once among ``pairs``, in order of their repeat."""
    seen: set[str] = set()
    repeated: list[str] = []
    for name, _ in pairs:
        if name in seen:
            if name not in repeated:
                repeated.append(name)
        else:
            seen.add(name)
    return repeated


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
