"""moderation.core.jsoncodec: orjson's speed, the standard library's answers."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moderation.core import jsoncodec

EDGE_CASES = [
    '{"id": 18446744073709551616}',  # past 64 bits: orjson alone would give a float
    '{"id": -9223372036854775809}',
    '{"n": NaN, "i": Infinity}',  # the standard library reads these; orjson refuses
    '{"s": "\\ud800"}',  # a lone surrogate
    '{"a": 1, "a": 2}',
    '{"t": "a phone number 0123456789012345678 in text"}',
    '[{"a": [1, {"b": 123456789012345678901234567890}]}, 2.5]',  # deep, beside a float
    '{"x": 1.2345678901234567890123, "y": 12345678901234567890.5}',  # long floats
    '{"big": 1e400, "small": -1e400}',  # the standard library gives infinities
    '{"f": 0.5, "t": "no long digits"}',
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_loads_answers_as_the_standard_library(text: str) -> None:
    expected = json.loads(text)
    got = jsoncodec.loads(text)
    assert repr(got) == repr(expected)  # repr: NaN != NaN, and 1 == 1.0 would hide a float
    assert repr(jsoncodec.loads(text.encode("utf-8", "surrogatepass"))) == repr(expected)


@pytest.mark.parametrize("text", ['{"a": ', "[1, 2", '{"a": 01}', "", "\ufeff{}"])
def test_loads_fails_as_the_standard_library(text: str) -> None:
    with pytest.raises(ValueError) as ours:
        jsoncodec.loads(text)
    with pytest.raises(ValueError) as theirs:
        json.loads(text)
    assert str(ours.value) == str(theirs.value)


# NaN and infinities are left out: orjson writes them as null (documented; the service
# never encodes one: scores are probabilities and the API range-checks its numbers).
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_dumps_round_trips_like_the_standard_library(value: object) -> None:
    text = jsoncodec.dumps(value)
    assert json.loads(text) == json.loads(
        json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    )
    assert jsoncodec.loads(text) == json.loads(text)
    assert jsoncodec.dumps_bytes(value) == text.encode("utf-8", "surrogatepass")


# ---------------------------------------------------------------------------------------
# Keys given twice (issue 24): the count that decides, and the names


@pytest.mark.parametrize(
    ("text", "repeated"),
    [
        ('{"a":1,"a":2}', ["a"]),
        ('{"a":1,"\\u0061":2}', ["a"]),  # the same key, escaped
        ('{"a" : 1 ,\n "a":2}', ["a"]),
        ('{"a":"x\\"y","b":{"c":1,"c":[{"d":1,"d":2}]}}', ["b.c", "b.c[0].d"]),
        ('{"a":"\\u0022\\u0022","a":1}', ["a"]),  # \u0022 quotes cannot hide a repeat
        ('{"a":"x\\\\","a":"y\\\\"}', ["a"]),
        ('{"k\\"q":1,"k\\"q":2}', ['k"q']),
        ('{"n":123456789012345678901234,"n":1}', ["n"]),  # past what orjson writes
        ('{"s":"\\ud800","s":1}', ["s"]),
        ('{"a":1,"a":2,"a":3}', ["a"]),
        ('{"a":"\\u0022","b":1}', []),
        ('{"a":"he said \\"hi\\": yes","b":"x\\\\"}', []),
        ('[{"a":1},{"a":2}]', []),
        ('{"a":{"a":{"a":1}}}', []),
        ("{}", []),
        ('"text"', []),
    ],
)
def test_repeated_keys_are_found_and_named(text: str, repeated: list[str]) -> None:
    raw = text.encode("utf-8", "surrogatepass")
    assert jsoncodec.repeated_keys(raw, jsoncodec.loads(raw)) == repeated


def _pairs_text(value: object, ascii_only: bool, spaced: bool) -> str:
    """JSON of ``value``, where a list of pairs is an object written with its repeats."""
    sep = ", " if spaced else ","
    colon = " : " if spaced else ":"
    if isinstance(value, tuple):  # an object: ("obj", [(key, value), ...])
        members = (
            json.dumps(k, ensure_ascii=ascii_only) + colon + _pairs_text(v, ascii_only, spaced)
            for k, v in value[1]
        )
        return "{" + sep.join(members) + "}"
    if isinstance(value, list):
        return "[" + sep.join(_pairs_text(v, ascii_only, spaced) for v in value) + "]"
    return json.dumps(value, ensure_ascii=ascii_only)


_keys = st.sampled_from(["a", "b", '"', "\\", "\u00e9", "x\u0022y", "\u200b", ""])
pairs_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='ab"\\:\u00e9\n{}', max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(st.just("obj"), st.lists(st.tuples(_keys, inner), max_size=4))
    ),
    max_leaves=12,
)


def _truth(value: object, path: str = "") -> list[str]:
    found: list[str] = []
    if isinstance(value, tuple):
        seen: set[str] = set()
        for key, item in value[1]:
            inner = f"{path}.{key}" if path else key
            if key in seen and inner not in found:
                found.append(inner)
            seen.add(key)
            found += [p for p in _truth(item, inner) if p not in found]
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += [p for p in _truth(item, f"{path}[{index}]") if p not in found]
    return found


@given(pairs_values, st.booleans(), st.booleans())
def test_repeated_keys_agree_with_the_members_as_written(
    value: object, ascii_only: bool, spaced: bool
) -> None:
    raw = _pairs_text(value, ascii_only, spaced).encode()
    assert jsoncodec.repeated_keys(raw, jsoncodec.loads(raw)) == _truth(value)
