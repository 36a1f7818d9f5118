"""Service configuration: one typed, frozen model per section, built once at the edge.

The file is TOML.  Each table has its model below, whose fields are its keys and whose
defaults are the defaults (``[server]`` is ``ServerConfig``, ``[[sites]]`` is
``SiteConfig``, ...): pydantic checks every value against them, and a key that no model
has is refused, because a silently ignored typo in a security setting (say
``signing_secrt``) is worse than a refusal to start.  Every failing key is named, on one
line (``sites[news].signing_secrt: unknown key (known here: ...)``).

Six environment variables override the file and nothing else is read from the
environment: MODERATION_CONFIG, MODERATION_REDIS_URL, MODERATION_REDIS_CLUSTER,
MODERATION_REDIS_ACK_REPLICAS, MODERATION_PORT and MODERATION_DATA_DIR.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass as plain_dataclass
from dataclasses import field, fields, replace
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.dataclasses import dataclass
from pydantic_core import PydanticCustomError

from moderation.core.fields import describe
from moderation.core.netaddr import url_problem
from moderation.core.records import CallbackEvent

SITE_ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62})$")
MODERATOR_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$")
SHA256_HEX_RE = re.compile(r"^[0-9a-f]{64}$")
SECRET_MIN = 16  # characters of a plain api_key, token or signing_secret

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_DATA_DIR = "data"
CONFIG_FILE_NAME = "moderation.toml"

AccessLog = Literal["all", "errors", "off"]
ACCESS_LOG_MODES: tuple[str, ...] = get_args(AccessLog)


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key at fault."""


def sha256_hex(secret: str) -> str:
    """The digest under which a secret is kept and compared."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------
# Value types.  TOML has real types, so a string is never taken for a number nor a number
# for a flag; but a whole float (64.0) has always been taken where an integer is asked.


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("config", message)


def _must(test: Callable[[Any], object], message: str, then: Callable[[Any], Any] = str) -> Any:
    """A check of the value as written: ``message`` unless ``test`` passes, else
    ``then(value)``."""

    def check(value: Any) -> Any:
        if not test(value):
            raise _fail(message)
        return then(value)

    return BeforeValidator(check)


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
        raise _fail("must not be an empty list")
    return values


def _is_digest(value: Any) -> bool:
    return isinstance(value, str) and SHA256_HEX_RE.match(value.lower()) is not None


def _is_secret(value: Any) -> bool:
    return isinstance(value, str) and len(value) >= SECRET_MIN


Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]
Whole = Annotated[int, Strict(), BeforeValidator(_whole_float)]
Flag = Annotated[bool, Strict()]
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
Secret = Annotated[str, _must(_is_secret, SECRET)]
Digest = Annotated[str, _must(_is_digest, "must be 64 hexadecimal digits", str.lower)]
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
        lambda v: all(_is_secret(k) for k in _listed(v)),
        SECRET + " (or a list of them)",
        lambda v: tuple(sha256_hex(k) for k in _listed(v)),
    ),
]
Digests = Annotated[
    tuple[str, ...],
    _must(
        lambda v: all(_is_digest(d) for d in _listed(v)),
        "must be 64 hexadecimal digits (or a list of them)",
        lambda v: tuple(d.lower() for d in _listed(v)),
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

# Every section is a frozen dataclass (``dataclasses.replace`` works, and validates);
# unknown keys are refused.
_TABLE = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------------------
# The sections


@dataclass(frozen=True, slots=True, kw_only=True, config=_TABLE)
class ServerConfig:
    """[server].  ``Config`` carries these keys as its own attributes (``config.port``)."""

    host: Annotated[str, Strict(), Field(min_length=1)] = DEFAULT_HOST
    port: Port = DEFAULT_PORT
    data_dir: FilePath = Path(DEFAULT_DATA_DIR)
    # Behind a TLS-terminating proxy: believe its X-Forwarded-Proto (so that session
    # cookies are Secure).  Off by default: a client could otherwise claim https itself.
    trust_forwarded_proto: Flag = False
    # Which requests get a log line: "all", "errors" (4xx, 5xx and slow ones) or "off".
    # A JSON line costs ~20-50 us, a tenth of an intake request: busy sites want "errors".
    access_log: AccessLog = "errors"
    # A request body must arrive whole within this (else 408): a client trickling bytes
    # cannot hold a handler, and a CMS on a slow link still has ample time for 64 KiB.
    body_timeout_seconds: Number = Field(default=15.0, ge=0.1, le=3600)
    # An idle connection, and one whose request headers have not all arrived, is closed
    # after this (aiohttp's keep-alive timer runs from the connection's start and from
    # each answer): a few hundred half-sent requests cannot exhaust the service.
    keepalive_timeout_seconds: Number = Field(default=15.0, ge=0.1, le=3600)


@dataclass(frozen=True, slots=True, kw_only=True, config=_TABLE)
class RedisConfig:
    """[redis]"""

    url: RedisUrl | None = None  # None: start an embedded redis-server in the data folder
    # no Redis call may hold a request longer than this
    timeout_seconds: Number = Field(default=1.0, ge=0.05)
    retry_after_seconds: Whole = Field(default=2, ge=1)  # what a 503 tells the CMS to wait
    # url names any node of a Redis Cluster; the client finds the others and follows
    # slot moves and failovers
    cluster: Flag = False
    # a 2xx write waits until this many replicas have it (WAIT): a master that dies
    # then loses no acknowledged comment; 0 trusts the master alone
    ack_replicas: Whole = Field(default=0, ge=0, le=16)

    @model_validator(mode="after")
    def _cluster_needs_a_node(self) -> RedisConfig:
        if self.cluster and (self.url is None or self.url.startswith("unix://")):
            raise _fail("cluster = true needs url naming a node of the cluster (redis://host:port)")
        return self


@dataclass(frozen=True, slots=True, kw_only=True, config=_TABLE)
class IntakeConfig:
    """[intake]"""

    # how long a request may wait for others to share a batch
    batch_wait_ms: Number = Field(default=1.0, ge=0, le=50)
    batch_max: Whole = Field(default=64, ge=1, le=4096)  # the cost per comment flattens here
    max_body_bytes: Whole = Field(default=64 * 1024, ge=1024)
    check_deliverability: Flag = False  # needs DNS; off by default
    signature_tolerance_seconds: Whole = Field(default=300, ge=1)


@dataclass(frozen=True, slots=True, kw_only=True, config=_TABLE)
class ModelConfig:
    """[model]"""

    path: FilePath | None = None  # None: the classifier's shipped model


@dataclass(frozen=True, slots=True, kw_only=True, config=_TABLE)
class LearningConfig:
    """[learning]: each site's model learns from its own moderators' decisions."""

    enabled: Flag = True
    # a site's model is retrained after this many new labels (the first one too)
    retrain_after_labels: Whole = Field(default=50, ge=1)
    # the most recent labels held out of training to compare the new model with the old
    holdout_fraction: Number = Field(default=0.2, gt=0, lt=1)


@dataclass(frozen=True, slots=True, kw_only=True, config=_TABLE)
class RateLimit:
    """A token bucket: `burst` requests at once, refilled at `per_minute`."""

    per_minute: Number = Field(ge=0.001)
    burst: Whole = Field(ge=1)

    @model_validator(mode="before")
    @classmethod
    def _default_burst(cls, data: Any) -> Any:
        # by default a burst of one minute's worth
        if isinstance(data, dict) and "burst" not in data:
            per_minute = data.get("per_minute")
            if isinstance(per_minute, int | float) and not isinstance(per_minute, bool):
                return {**data, "burst": max(1, int(per_minute))}
        return data


@dataclass(frozen=True, slots=True, kw_only=True, config=_TABLE)
class _SiteSettings:
    """[[sites]], but for the API keys (see ``SiteConfig`` and ``_SiteFile``)."""

    id: SiteId
    signing_secret: Secret | None = Field(default=None, repr=False)
    auto_spam_above: Probability | None = None
    auto_approve_below: Probability | None = None
    trust_approved_authors: Flag = False
    # emails, @domains and IPs approved (allow) or marked spam (block) before the
    # classifier runs
    allow: Rules = ()
    block: Rules = ()
    rate_limit: RateLimit | None = None
    ip_rate_limit: RateLimit | None = None
    duplicate_window_seconds: Whole = Field(default=3600, ge=0)
    auto_spam_duplicates: Flag = False
    erase_personal_data_after_days: Whole | None = Field(default=None, ge=1)
    purge_spam_after_days: Whole | None = Field(default=None, ge=1)
    # Decision callbacks (delivery/callbacks.py): each event is POSTed to callback_url, signed
    # with callback_secret, retried with back-off until callback_give_up_hours have
    # passed, then kept as dead.
    callback_url: CallbackUrl | None = None
    callback_secret: Secret | None = Field(default=None, repr=False)
    callback_events: CallbackEvents = ALL_CALLBACK_EVENTS
    callback_timeout_seconds: Number = Field(default=10.0, ge=0.1, le=300)
    callback_give_up_hours: Number = Field(default=24.0, gt=0, le=24 * 365)
    # the first retry comes within this; each later wait doubles, up to an hour
    callback_retry_seconds: Number = Field(default=5.0, ge=0.01, le=10)
    # The Akismet-compatible API (web/akismet.py) is on for a site with an akismet_key.
    # akismet_queue = false: its comments are decided by the verdict at once instead of
    # waiting for a moderator.
    akismet_queue: Flag = True
    learning: Flag = True  # false: this site keeps the default model ([learning])

    @field_validator("auto_approve_below")
    @classmethod
    def _below_spam(cls, value: float | None, info: ValidationInfo) -> float | None:
        spam_above = info.data.get("auto_spam_above")
        if value is not None and spam_above is not None and value >= spam_above:
            raise _fail("must be lower than auto_spam_above")
        return value

    @model_validator(mode="after")
    def _callback_secret_with_url(self) -> Any:
        if self.callback_url is not None and self.callback_secret is None:
            raise _fail("callback_secret is required with callback_url")
        return self


@dataclass(frozen=True, slots=True, kw_only=True, config=_TABLE)
class SiteConfig(_SiteSettings):
    """A site as the service uses it: its API keys as digests."""

    api_key_sha256: Digest
    # more keys accepted during a rotation: the CMS moves to the new key, then the old
    # one is removed from the config, with no moment when intake answers 401
    extra_api_key_sha256s: tuple[Digest, ...] = ()
    akismet_key_sha256: Digest | None = None  # the Akismet API's key (akismet_key)


@dataclass(frozen=True, slots=True, kw_only=True, config=_TABLE)
class _SiteFile(_SiteSettings):
    """A [[sites]] table as written: ``api_key`` and ``api_key_sha256`` may each be one
    value or a list, and may be given together while a key is being rotated."""

    api_key: PlainKeys = ()
    api_key_sha256: Digests = ()
    akismet_key: AkismetKey | None = Field(default=None, repr=False)  # kept as its digest

    @model_validator(mode="after")
    def _some_key(self) -> _SiteFile:
        digests = (*self.api_key, *self.api_key_sha256)
        if not digests:
            raise _fail("api_key is required (or give api_key_sha256)")
        if len(set(digests)) != len(digests):
            raise _fail("the same API key is listed twice")
        return self

    def site(self) -> SiteConfig:
        first, *extra = (*self.api_key, *self.api_key_sha256)
        settings = {f.name: getattr(self, f.name) for f in fields(_SiteSettings)}
        return SiteConfig(
            **settings,
            api_key_sha256=first,
            extra_api_key_sha256s=tuple(extra),
            akismet_key_sha256=self.akismet_key,
        )


@dataclass(frozen=True, slots=True, kw_only=True, config=_TABLE)
class _ModeratorSettings:
    """[[moderators]], but for the token (see ``ModeratorConfig`` and ``_ModeratorFile``)."""

    name: ModeratorName
    sites: SiteList  # ("*",): every site
    admin: Flag = False  # may erase authors' personal data and reload the model


@dataclass(frozen=True, slots=True, kw_only=True, config=_TABLE)
class ModeratorConfig(_ModeratorSettings):
    """A moderator as the service uses it: the token as its digest."""

    token_sha256: Digest

    def may_moderate(self, site: str) -> bool:
        return "*" in self.sites or site in self.sites


@dataclass(frozen=True, slots=True, kw_only=True, config=_TABLE)
class _ModeratorFile(_ModeratorSettings):
    """A [[moderators]] table as written: ``token`` or ``token_sha256``."""

    token: Secret | None = Field(default=None, repr=False)
    token_sha256: Digest | None = None

    @model_validator(mode="after")
    def _one_token(self) -> _ModeratorFile:
        if self.token is not None and self.token_sha256 is not None:
            raise _fail("give token or token_sha256, not both")
        if self.token is None and self.token_sha256 is None:
            raise _fail("token is required (or give token_sha256)")
        return self

    def moderator(self) -> ModeratorConfig:
        settings = {f.name: getattr(self, f.name) for f in fields(_ModeratorSettings)}
        digest = self.token_sha256 or sha256_hex(self.token or "")
        return ModeratorConfig(**settings, token_sha256=digest)


@dataclass(frozen=True, slots=True, kw_only=True, config=_TABLE)
class _ConfigFile:
    """The whole file as written."""

    server: ServerConfig = field(default_factory=ServerConfig)
    redis: RedisConfig = field(default_factory=RedisConfig)
    intake: IntakeConfig = field(default_factory=IntakeConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    learning: LearningConfig = field(default_factory=LearningConfig)
    sites: tuple[_SiteFile, ...] = ()
    moderators: tuple[_ModeratorFile, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True, config=_TABLE)
class Config(ServerConfig):
    """The service's configuration: the [server] keys as attributes of their own, the
    other sections as attributes (``config.redis.url``, ``config.intake.batch_max``)."""

    sites: tuple[SiteConfig, ...]
    moderators: tuple[ModeratorConfig, ...]
    redis: RedisConfig = field(default_factory=RedisConfig)
    intake: IntakeConfig = field(default_factory=IntakeConfig)
    learning: LearningConfig = field(default_factory=LearningConfig)
    model_path: Path | None = None  # None: the classifier's shipped default model
    source: Path | None = None  # the file this was read from, for messages

    def site(self, site_id: str) -> SiteConfig | None:
        for site in self.sites:
            if site.id == site_id:
                return site
        return None

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], *, source: Path | None = None) -> Config:
        """Build a config from parsed TOML, refusing anything unknown or malformed."""
        return _parse(raw, source)

    @classmethod
    def load(cls, path: Path) -> Config:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read config file ({exc.strerror})") from exc
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
        return _parse(raw, path)


# ---------------------------------------------------------------------------------------
# Building the config from file, command line and environment


@plain_dataclass(frozen=True, slots=True)
class Overrides:
    """What the command line asked for.  Precedence: command line, then environment,
    then the file, then the defaults."""

    config: Path | None = None
    host: str | None = None
    port: int | None = None
    data_dir: Path | None = None


def resolve(overrides: Overrides, environ: Mapping[str, str]) -> tuple[Config, str | None]:
    """The config to run with, and a message for the operator when a first-run config
    was written.  Raises ConfigError naming the key at fault."""
    env_data_dir = _env_path(environ, "MODERATION_DATA_DIR")
    data_dir = overrides.data_dir or env_data_dir
    config_path = overrides.config or _env_path(environ, "MODERATION_CONFIG")
    notice = None
    if config_path is None:
        config_path = (data_dir or Path(DEFAULT_DATA_DIR)) / CONFIG_FILE_NAME
        if not config_path.exists():
            notice = write_first_run_config(config_path)
    elif not config_path.exists():
        raise ConfigError(f"{config_path}: config file not found")
    config = Config.load(config_path)
    changes: dict[str, Any] = {}
    if data_dir is not None:
        changes["data_dir"] = data_dir
    redis_changes: dict[str, Any] = {}
    redis_url = environ.get("MODERATION_REDIS_URL")
    if redis_url:
        redis_changes["url"] = _env_value(_REDIS_URL, redis_url, "MODERATION_REDIS_URL")
    if environ.get("MODERATION_REDIS_CLUSTER"):
        redis_changes["cluster"] = _env_value(
            _SWITCH, environ["MODERATION_REDIS_CLUSTER"], "MODERATION_REDIS_CLUSTER"
        )
    if environ.get("MODERATION_REDIS_ACK_REPLICAS"):
        redis_changes["ack_replicas"] = _env_value(
            _ACK_REPLICAS, environ["MODERATION_REDIS_ACK_REPLICAS"], "MODERATION_REDIS_ACK_REPLICAS"
        )
    if redis_changes:
        current = {f.name: getattr(config.redis, f.name) for f in fields(RedisConfig)}
        names = ", ".join(f"MODERATION_REDIS_{name.upper()}" for name in redis_changes)
        changes["redis"] = _env_value(_REDIS, {**current, **redis_changes}, names)
    port = overrides.port
    if port is None and environ.get("MODERATION_PORT"):
        port = _env_value(_PORT, environ["MODERATION_PORT"], "MODERATION_PORT")
    if port is not None:
        changes["port"] = port
    if overrides.host is not None:
        changes["host"] = overrides.host
    try:
        return replace(config, **changes), notice
    except ValidationError as exc:  # an override the file would have refused
        raise ConfigError(
            "; ".join(f"{e['loc'][0]}: {describe(e)}" for e in exc.errors())
        ) from None


FIRST_RUN_TEMPLATE = """\
# Written by the first run of `moderation serve`.  Keep it secret: it holds API keys.
# Every key is documented in the README ("Configuration").

[server]
host = "127.0.0.1"
port = 8080

# [redis]
# url = "redis://127.0.0.1:6379/0"   # leave out: an embedded Redis keeps its data here

[[sites]]
id = "default"
api_key = "{api_key}"
akismet_key = "{akismet_key}"          # Akismet clients (README: "Replacing Akismet")
# signing_secret = "..."             # then every intake must carry X-Moderation-Signature
# auto_spam_above = 0.98
# auto_approve_below = 0.02

[[moderators]]
name = "admin"
token = "{token}"
sites = ["*"]
admin = true                         # may erase an author's personal data
"""


def new_akismet_key() -> str:
    """12 random hexadecimal digits (48 bits): of a-z and 0-9, as Akismet's keys are, and
    hexadecimal because WordPress's Akismet settings page strips every other character
    from a key typed in."""
    return secrets.token_hex(6)


def write_first_run_config(path: Path) -> str:
    """Write a config with one site and one moderator holding fresh random secrets.

    The file is created with mode 0600 because it holds secrets; the returned notice
    names the file but never prints the secrets themselves (logs are not for secrets).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    text = FIRST_RUN_TEMPLATE.format(
        api_key=secrets.token_urlsafe(32),
        token=secrets.token_urlsafe(32),
        akismet_key=new_akismet_key(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return (
        f"first run: wrote a new config to {path} with site 'default' and moderator "
        "'admin'; their secrets are in that file"
    )


# ---------------------------------------------------------------------------------------
# Parsing, with errors that name the key

_FILE = TypeAdapter(_ConfigFile)
_REDIS_URL = TypeAdapter(RedisUrl)
_REDIS = TypeAdapter(RedisConfig)
# an environment switch: 1/0, true/false, yes/no, on/off (as pydantic reads them)
_SWITCH = TypeAdapter(bool)
_ACK_REPLICAS = TypeAdapter(Annotated[int, Field(ge=0, le=16)])
_PORT = TypeAdapter(Port)


def _keys(model: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(model))


# The keys each table takes, from its model (tests/test_deploy.py checks that the README
# documents every one).
_TOP_KEYS = _keys(_ConfigFile)
_SERVER_KEYS = _keys(ServerConfig)
_REDIS_KEYS = _keys(RedisConfig)
_INTAKE_KEYS = _keys(IntakeConfig)
_MODEL_KEYS = _keys(ModelConfig)
_LEARNING_KEYS = _keys(LearningConfig)
_SITE_KEYS = _keys(_SiteFile)
_RATE_KEYS = _keys(RateLimit)
_MODERATOR_KEYS = _keys(_ModeratorFile)
_TABLES: dict[tuple[str, ...], frozenset[str]] = {
    (): _TOP_KEYS,
    ("server",): _SERVER_KEYS,
    ("redis",): _REDIS_KEYS,
    ("intake",): _INTAKE_KEYS,
    ("model",): _MODEL_KEYS,
    ("learning",): _LEARNING_KEYS,
    ("sites",): _SITE_KEYS,
    ("sites", "rate_limit"): _RATE_KEYS,
    ("sites", "ip_rate_limit"): _RATE_KEYS,
    ("moderators",): _MODERATOR_KEYS,
}
_ARRAYS = {"sites", "moderators"}
_CONFIG_WORDS = {"dataclass_type": "must be a table", "tuple_type": "must be an array"}


def _parse(raw: Mapping[str, Any], source: Path | None) -> Config:
    where = f"{source}: " if source else ""
    try:
        parsed = _FILE.validate_python(dict(raw))
    except ValidationError as exc:
        raise ConfigError(where + "; ".join(_said(e, raw) for e in exc.errors())) from None
    sites = tuple(s.site() for s in parsed.sites)
    moderators = tuple(m.moderator() for m in parsed.moderators)
    problem = _cross_check(sites, moderators)
    if problem:
        raise ConfigError(where + problem)
    server = {f.name: getattr(parsed.server, f.name) for f in fields(ServerConfig)}
    return Config(
        **server,
        sites=sites,
        moderators=moderators,
        redis=parsed.redis,
        intake=parsed.intake,
        learning=parsed.learning,
        model_path=parsed.model.path,
        source=source,
    )


def _cross_check(sites: tuple[SiteConfig, ...], moderators: tuple[ModeratorConfig, ...]) -> str:
    """What is wrong between tables (each table on its own is valid), or ''."""
    if not sites:
        return "sites: at least one [[sites]] entry is needed"
    ids = [s.id for s in sites]
    for site_id in ids:
        if ids.count(site_id) > 1:
            return f"sites.id: site '{site_id}' is defined twice"
    digests = [d for s in sites for d in (s.api_key_sha256, *s.extra_api_key_sha256s)]
    if len(set(digests)) != len(digests):
        return "sites.api_key: two sites share one API key"
    akismet = [s.akismet_key_sha256 for s in sites if s.akismet_key_sha256 is not None]
    if len(set(akismet)) != len(akismet):
        return "sites.akismet_key: two sites share one Akismet key"
    names = [m.name for m in moderators]
    if len(set(names)) != len(names):
        return "moderators.name: two moderators share one name"
    for moderator in moderators:
        for site in moderator.sites:
            if site != "*" and site not in ids:
                return f"moderators[{moderator.name}].sites: unknown site '{site}'"
    tokens = [m.token_sha256 for m in moderators] + digests
    if len(set(tokens)) != len(tokens):
        return "moderators.token: a token is used twice (or equals a site API key)"
    return ""


def _said(error: Any, raw: Mapping[str, Any]) -> str:
    """One error as ``sites[news].auto_spam_above: must be at most 1``: a site or a
    moderator is named by its id or name once that is valid, else by its position."""
    loc = error["loc"]
    path = ""
    table: Any = raw
    for part in loc:
        if isinstance(part, int):
            path += f"[{_entry_name(table, part) or part}]"
        else:
            path += f".{part}" if path else part
        table = _child(table, part)
    kind = error["type"]
    if kind == "unexpected_keyword_argument":
        known = _TABLES.get(tuple(p for p in loc[:-1] if isinstance(p, str)), frozenset())
        return f"{path}: unknown key (known here: {', '.join(sorted(known))})"
    if kind in ("tuple_type", "list_type") and len(loc) == 1 and loc[0] in _ARRAYS:
        return f"{path}: must be an array of tables ([[{loc[0]}]])"
    if kind == "dataclass_type" and len(loc) == 1:
        return f"{path}: must be a table ([{loc[0]}])"
    return f"{path}: {describe(error, _CONFIG_WORDS)}"


def _entry_name(table: Any, index: int) -> str | None:
    """``news`` for the site (or moderator) at ``index`` whose id (or name) is valid."""
    if not isinstance(table, list) or not 0 <= index < len(table):
        return None
    entry = table[index]
    if not isinstance(entry, dict):
        return None
    name = entry.get("id", entry.get("name"))
    if isinstance(name, str) and (SITE_ID_RE.match(name) or MODERATOR_NAME_RE.match(name)):
        return name
    return None


def _child(table: Any, part: str | int) -> Any:
    if isinstance(table, dict) and isinstance(part, str):
        return table.get(part)
    if isinstance(table, list) and isinstance(part, int) and 0 <= part < len(table):
        return table[part]
    return None


def _env_value(adapter: TypeAdapter[Any], value: object, name: str) -> Any:
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        raise ConfigError(f"{name}: {describe(exc.errors()[0])}") from None


def _env_path(environ: Mapping[str, str], name: str) -> Path | None:
    value = environ.get(name)
    return Path(value) if value else None
