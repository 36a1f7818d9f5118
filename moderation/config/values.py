"""What a config value may be, and what is said when it is not: the annotated types the
tables (``tables``) are made of, each check worded once."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BeforeValidator, ConfigDict, Field, Strict, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from moderation.core.netaddr import url_problem
from moderation.core.records import CallbackEvent

SITE_ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62})$")
MODERATOR_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$")
SHA256_HEX_RE = re.compile(r"^[0-9a-f]{64}$")
SECRET_MIN = 16  # characters of a plain api_key, token or signing_secret

AccessLog = Literal["all", "errors", "off"]
ACCESS_LOG_MODES: tuple[str, ...] = get_args(AccessLog)


def sha256_hex(secret: str) -> str:
    """The digest under which a secret is kept and compared."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------
# Value types.  TOML has real types, so a string is never taken for a number nor a number
# for a flag; but a whole float (64.0) has always been taken where an integer is asked.
# The environment has only text: there a switch or a count is read as its words say.


class EnvText(str):
    """A value from the environment (``_Environment`` marks them), not from the file."""


def fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("config", message)


def _must(test: Callable[[Any], object], message: str, then: Callable[[Any], Any] = str) -> Any:
    """A check of the value as written: ``message`` unless ``test`` passes, else
    ``then(value)``."""

    def check(value: Any) -> Any:
        if not test(value):
            raise fail(message)
        return then(value)

    return BeforeValidator(check)


def _from_text(kind: type) -> Any:
    """An environment variable's text read as pydantic's lax mode reads a ``kind`` (a
    switch: 1/0, true/false, yes/no, on/off; a count: digits).  What it cannot read is
    left for the strict check to refuse with the usual wording."""
    adapter: TypeAdapter[Any] = TypeAdapter(kind)

    def read(value: Any) -> Any:
        if isinstance(value, EnvText):
            try:
                return adapter.validate_python(str(value))
            except ValidationError:
                return str(value)
        return value

    return BeforeValidator(read)


def _texts(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)


def _whole_float(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _port_value(value: Any) -> Any:
    # the environment's MODERATION_PORT is text, and `port = "8080"` was always taken
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    value = _whole_float(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
        raise PydanticCustomError(
            "config", "must be a port number 0-65535 (got {got})", {"got": repr(value)}
        )
    return value


def _listed(value: Any) -> list[Any]:
    """One value or a list of them (``api_key``, ``api_key_sha256``)."""
    values = list(value) if isinstance(value, list | tuple) else [value]
    if not values:
        raise fail("must not be an empty list")
    return values


def is_digest(value: Any) -> bool:
    return isinstance(value, str) and SHA256_HEX_RE.match(value.lower()) is not None


def is_secret(value: Any) -> bool:
    return isinstance(value, str) and len(value) >= SECRET_MIN


def first_digest(value: Any) -> str:
    # a list whose every item is a digest was split by SiteConfig._as_written
    if not is_digest(value):
        _listed(value)
        raise fail("must be 64 hexadecimal digits (or a list of them)")
    return str(value).lower()


Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]
Whole = Annotated[int, Strict(), BeforeValidator(_whole_float), _from_text(int)]
Flag = Annotated[bool, Strict(), _from_text(bool)]
Probability = Annotated[Number, Field(ge=0.0, le=1.0)]
Port = Annotated[int, BeforeValidator(_port_value)]
RedisUrl = Annotated[
    str,
    _must(
        lambda v: isinstance(v, str) and v.startswith(("redis://", "rediss://", "unix://")),
        "must start with redis://, rediss:// or unix://",
    ),
]
FilePath = Annotated[
    Path, _must(lambda v: isinstance(v, str | Path) and v != "", "must be a non-empty path", Path)
]
SECRET = f"must be a string of at least {SECRET_MIN} characters"
Secret = Annotated[str, _must(is_secret, SECRET)]
Digest = Annotated[str, _must(is_digest, "must be 64 hexadecimal digits", str.lower)]
SiteId = Annotated[
    str,
    _must(
        lambda v: isinstance(v, str) and SITE_ID_RE.match(v),
        "a site id is 1-63 characters of a-z, 0-9 and '-'",
    ),
]
ModeratorName = Annotated[
    str,
    _must(
        lambda v: isinstance(v, str) and MODERATOR_NAME_RE.match(v),
        "1-64 characters of letters, digits, space, '.', '_', '-'",
    ),
]
Rules = Annotated[
    tuple[str, ...],
    _must(
        lambda v: _texts(v) and all(s.strip() for s in v),
        "a list of emails, @domains or IP addresses",
        lambda v: tuple(s.strip().lower() for s in v),
    ),
]
SiteList = Annotated[
    tuple[str, ...],
    _must(lambda v: _texts(v) and v, 'a non-empty list of site ids, or ["*"]', tuple),
]
# plain keys are kept only as their digests from here on
PlainKeys = Annotated[
    tuple[str, ...],
    _must(
        lambda v: all(is_secret(k) for k in _listed(v)),
        SECRET + " (or a list of them)",
        lambda v: tuple(sha256_hex(k) for k in _listed(v)),
    ),
]


CallbackUrl = Annotated[
    str,
    _must(
        lambda v: isinstance(v, str) and url_problem(v) is None,
        "must be an http:// or https:// URL",
    ),
]
AKISMET_KEY_RE = re.compile(r"[a-z0-9]{12}")
# WordPress's Akismet plugin refuses a key of another length before sending it.  Kept as
# its digest from here on, like every other secret.
AkismetKey = Annotated[
    str,
    _must(
        lambda v: isinstance(v, str) and AKISMET_KEY_RE.fullmatch(v) is not None,
        "must be exactly 12 characters of a-z and 0-9",
        sha256_hex,
    ),
]
ALL_CALLBACK_EVENTS = tuple(CallbackEvent)
CallbackEvents = Annotated[
    tuple[CallbackEvent, ...],
    _must(
        lambda v: _texts(v) and v and all(e in ALL_CALLBACK_EVENTS for e in v),
        "a non-empty list of " + ", ".join(f'"{e}"' for e in ALL_CALLBACK_EVENTS),
        lambda v: tuple(dict.fromkeys(CallbackEvent(e) for e in v)),
    ),
]

# Every table is a frozen dataclass (``dataclasses.replace`` works, and validates);
# unknown keys are refused.
TABLE = ConfigDict(extra="forbid")


def keep(table: object, **values: object) -> None:
    """Set what a table keeps of its secrets as written (their digests), once checked:
    the dataclass is frozen to everyone after its own validation."""
    for name, value in values.items():
        object.__setattr__(table, name, value)
