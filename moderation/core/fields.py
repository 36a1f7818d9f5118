"""What the config models, the API's body models and the intake's checks share: what a
field error is, the domain's errors for input it refuses, and how a pydantic error is said.

One wording for every boundary, so that ``sites[news].auto_spam_above: must be at most
1`` (the config loader) and ``decisions[3].note: must be at most 2000 characters`` (a
422) read alike.  No message quotes the value it refuses: a client's value may be a lone
surrogate or a control character, and an operator's may be a secret.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic_core import ErrorDetails

# JSON can carry "\ud800"; UTF-8 (a log line, a Redis key, an answer) cannot
LONE_SURROGATE = "contains invalid Unicode (a lone surrogate)"


@dataclass(frozen=True, slots=True)
class FieldError:
    """One field at fault and why (the message never quotes the value)."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


# Input the domain refuses.  They say what is wrong and nothing about HTTP: the web
# layer's error middleware answers each as a problem (web/problems.py, ``for_input``),
# the command line prints it.  Not ValueErrors: an ``except ValueError`` around other
# work (or a pydantic validator) must not swallow one on its way to the answer.


class InputError(Exception):
    """Input refused: a body that cannot be read, an unsupported kind, invalid fields."""


class BadBody(InputError):
    """Input that cannot be read at all (not UTF-8, not JSON, an unreadable header);
    ``field`` names the header or field when there is one."""

    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class UnsupportedMediaType(InputError):
    """A body of a media type (``got``, as sent) that is none of ``allowed``."""

    def __init__(self, got: str, allowed: tuple[str, ...]) -> None:
        super().__init__(f"unsupported media type; send one of: {', '.join(allowed)}")
        self.got = got
        self.allowed = allowed


class FieldsInvalid(InputError):
    """Every field that failed validation, each once."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = list(errors)


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
