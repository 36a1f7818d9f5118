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
# it exact: text with a run of 19 or more digits (numbers, or digits inside a string,
# which is rare and merely slower) goes to the standard library.
_LONG_DIGITS = re.compile(r"\d{19}")
_LONG_DIGITS_BYTES = re.compile(rb"\d{19}")


def loads(text: str | bytes) -> Any:
    """Parse JSON with the standard library's semantics and errors (``ValueError``,
    ``RecursionError``)."""
    long_digits = (
        _LONG_DIGITS.search(text) if isinstance(text, str) else _LONG_DIGITS_BYTES.search(text)
    )
    if long_digits is None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)
