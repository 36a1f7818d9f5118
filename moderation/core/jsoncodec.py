"""The service's one JSON codec (answers, problem bodies, Redis values, cursors, label
exports), through orjson with the standard library as the fallback; only log lines keep
their own format (``logs``).

Every accepted comment costs four to five JSON encodings (its data, two or three history
lines, the answer) and one decoding; the standard library spends ~2.5 µs on each small
object, orjson ~0.2 µs, which is ~13 µs a request (3 % of its CPU at the time of
writing).  orjson is stricter than the standard library in a few corners (lone
surrogates, NaN, integers past 64 bits); wherever it refuses, and for integers too long
for it, the standard library answers instead, so parsing and its error messages stay what
they were.  Encoding differs only where the service never goes: orjson writes NaN as
null, and it can encode a few types (datetime, UUID, dataclasses) the standard library
refuses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import orjson

_STDLIB_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def dumps(value: Any) -> str:
    """Compact JSON text, non-ASCII kept as is (as ``json.dumps(..., separators=(",",
    ":"), ensure_ascii=False)``)."""
    try:
        return orjson.dumps(value).decode("utf-8")
    except (TypeError, UnicodeError):
        return _STDLIB_COMPACT.encode(value)


def dumps_bytes(value: Any) -> bytes:
    """:func:`dumps` as UTF-8 bytes, for a response body."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return _STDLIB_COMPACT.encode(value).encode("utf-8")


# orjson reads an integer beyond 64 bits as a float, where the standard library keeps
# it exact.  Such a float can only come from a run of 19 or more digits in the text, so
# only a parsed value holding a float is looked at again: a search of the text for long
# digits costs ~20 us on a 1.4 KB comment (more than the parse itself, 20 times over),
# the walk of the parsed value for a float ~1 us, and comments hold strings, not floats.
_LONG_DIGITS = re.compile(r"\d{19}")
_LONG_DIGITS_BYTES = re.compile(rb"\d{19}")


def loads(text: str | bytes) -> Any:
    """Parse JSON with the standard library's semantics and errors (``ValueError``,
    ``RecursionError``)."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
    if _holds_float(value):
        long_digits = (
            _LONG_DIGITS.search(text) if isinstance(text, str) else _LONG_DIGITS_BYTES.search(text)
        )
        if long_digits is not None:
            return json.loads(text)
    return value


def _holds_float(value: Any) -> bool:
    """Whether a parsed JSON value has a float anywhere in it (without recursion: orjson
    parses deeper nesting than Python's stack allows)."""
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is float:
            return True
        if kind is dict:
            pending.extend(item.values())
        elif kind is list:
            pending.extend(item)
    return False


# -- keys given twice ------------------------------------------------------------------
#
# JSON parsers keep the last of a key given twice (orjson, the standard library) and
# cannot say it happened; a client's body with a key twice is ambiguous, and is refused
# (issue 24).  Reparsing every body with ``object_pairs_hook`` would cost ~5 us (six times
# orjson's whole parse), so a count decides first.  In valid JSON a ``"`` is a string's
# delimiter, an escaped ``\\"`` (which the parsed string holds as ``"``) or part of
# ``\\u0022``; so without ``\\u0022`` a body has exactly as many quotes as orjson's text
# of what it parsed to (two per string, keys included, plus one per quote inside), unless
# a key was given twice: the body then holds a key (and its value) that the parsed value
# lacks, and has more.  Only then (or with a ``\\u0022``) does the slow parse run, to
# name the keys.


def repeated_keys(raw: bytes, value: Any) -> list[str]:
    """The paths (``a``, ``a.b``, ``list[2].c``) of every key given more than once in
    the JSON ``raw`` that parsed to ``value``, in order; [] when none (nearly always,
    for the cost of counting the quotes of the body and of orjson's text of the value)."""
    try:
        same = raw.count(b'"') == orjson.dumps(value).count(b'"')
    except TypeError:  # what orjson cannot write (an integer past 64 bits)
        same = False
    if same and b"\\u0022" not in raw:
        return []
    found: list[str] = []
    try:
        for path in _repeated(json.loads(raw, object_pairs_hook=_Pairs), ""):
            if path not in found:
                found.append(path)
    except RecursionError as exc:
        # orjson takes nesting the standard library's parser (and this walk) cannot
        raise TooDeep("JSON nested too deeply") from exc
    return found


class TooDeep(ValueError):
    """A JSON value nested too deeply to look for repeated keys in: a bad request."""


class _Pairs(list[tuple[str, Any]]):
    """An object's members as given, repeats included (``object_pairs_hook``)."""


def _repeated(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, _Pairs):
        seen: set[str] = set()
        for key, item in value:
            inner = f"{path}.{key}" if path else key
            if key in seen:
                yield inner
            seen.add(key)
            yield from _repeated(item, inner)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _repeated(item, f"{path}[{index}]")
