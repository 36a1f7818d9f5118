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
