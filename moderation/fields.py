"""What the config models and the API's body models share: how a pydantic error is said.

One wording for every boundary, so that ``sites[news].auto_spam_above: must be at most
1`` (the config loader) and ``decisions[3].note: must be at most 2000 characters`` (a
422) read alike.  No message quotes the value it refuses: a client's value may be a lone
surrogate or a control character, and an operator's may be a secret.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic_core import ErrorDetails

# JSON can carry "\ud800"; UTF-8 (a log line, a Redis key, an answer) cannot
LONE_SURROGATE = "contains invalid Unicode (a lone surrogate)"

# The messages that depend on nothing but the kind of error.  Bounds come from the
# error's context (``ge``, ``max_length``, ...), which pydantic takes from the model.
_PLAIN = {
    "missing": "is required",
    "string_type": "must be a string",
    "string_unicode": LONE_SURROGATE,
    "bool_type": "must be true or false",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "finite_number": "must be a finite number",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dataclass_type": "must be an object",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "extra_forbidden": "is not a known field",
    "unexpected_keyword_argument": "is not a known field",
}
_BOUNDED = {
    "greater_than_equal": "must be at least {ge}",
    "greater_than": "must be more than {gt}",
    "less_than_equal": "must be at most {le}",
    "less_than": "must be less than {lt}",
    "string_too_long": "must be at most {max_length} characters",
    "too_long": "must have at most {max_length} items",
}


def describe(error: ErrorDetails, plain: Mapping[str, str] | None = None) -> str:
    """The message for one pydantic error; ``plain`` overrides the wording of some kinds
    (the config file says "table" where JSON says "object")."""
    kind = error["type"]
    if plain and kind in plain:
        return plain[kind]
    if kind in _PLAIN:
        return _PLAIN[kind]
    context = error.get("ctx", {})
    if kind in _BOUNDED:
        return _BOUNDED[kind].format(**{k: _number(v) for k, v in context.items()})
    if kind == "string_too_short":
        size = context.get("min_length", 1)
        return "must not be empty" if size == 1 else f"must be at least {size} characters"
    if kind == "too_short":
        size = context.get("min_length", 1)
        return "must not be empty" if size == 1 else f"must have at least {size} items"
    if kind in ("enum", "literal_error"):
        return f"must be one of {context.get('expected', '')}"
    # our own validators' PydanticCustomError, whose message is written for this, and
    # pydantic's own (none of which quotes the input)
    return error["msg"]


def _number(value: object) -> object:
    """1.0 as 1, so that a bound reads as it was written."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def key_path(loc: Sequence[int | str], prefix: str = "") -> str:
    """``("decisions", 3, "note")`` as ``decisions[3].note``, after ``prefix`` (say
    ``decisions[3]``)."""
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path
