"""Reading the config: pydantic-settings reads the TOML file and lays the environment over
it, the command line goes over both, and every error is said on one line naming the key
(or the variable) at fault.  A first run with no file writes one."""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass as plain_dataclass
from dataclasses import field, fields, replace
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError
from pydantic.dataclasses import dataclass
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from moderation.config.tables import (
    DEFAULT_DATA_DIR,
    SITE_KEEPS,
    IntakeConfig,
    LearningConfig,
    ModelConfig,
    ModeratorConfig,
    RateLimit,
    RedisConfig,
    ServerConfig,
    SiteConfig,
)
from moderation.config.values import MODERATOR_NAME_RE, SITE_ID_RE, TABLE, EnvText
from moderation.core.fields import describe

CONFIG_FILE_NAME = "moderation.toml"

# The variables that override the file (README, "Configuration"), each with the key it
# sets; the command line overrides them in turn.  MODERATION_CONFIG names the file.
ENVIRONMENT: dict[str, tuple[str, str]] = {
    "MODERATION_REDIS_URL": ("redis", "url"),
    "MODERATION_REDIS_CLUSTER": ("redis", "cluster"),
    "MODERATION_REDIS_ACK_REPLICAS": ("redis", "ack_replicas"),
    "MODERATION_PORT": ("server", "port"),
    "MODERATION_DATA_DIR": ("server", "data_dir"),
}


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key at fault."""


class _Settings(BaseSettings):
    """The configuration as pydantic-settings reads it: the file's tables, with the
    environment (``_Environment``) over them."""

    model_config = SettingsConfigDict(
        extra="forbid",
        frozen=True,
        # MODERATION_REDIS_ACK_REPLICAS sets [redis] ack_replicas: one split, at the first "_"
        env_prefix="MODERATION_",
        env_nested_delimiter="_",
        env_nested_max_split=1,
    )

    server: ServerConfig = Field(default_factory=ServerConfig)
    redis: RedisConfig = Field(default_factory=RedisConfig)
    intake: IntakeConfig = Field(default_factory=IntakeConfig)
    model: ModelConfig = Field(default_factory=ModelConfig)
    learning: LearningConfig = Field(default_factory=LearningConfig)
    sites: tuple[SiteConfig, ...] = ()
    moderators: tuple[ModeratorConfig, ...] = ()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return _SOURCES.get()  # not pydantic-settings' defaults, which read os.environ


# What the config being read is read from, first first (``_build`` sets it around one
# ``_Settings()``): pydantic-settings asks the class for its sources, not the call.
_SOURCES: ContextVar[tuple[PydanticBaseSettingsSource, ...]] = ContextVar("config_sources")


class _Environment(EnvSettingsSource):
    """The variables of ``ENVIRONMENT`` in ``environ`` (a mapping given, so that nothing
    reads os.environ behind the caller's back), and no other: no MODERATION_SITES.

    pydantic-settings nests each under its table and lays it over the file.  Two names
    are not its spelling of their keys (MODERATION_PORT and MODERATION_DATA_DIR set
    [server] keys), so each variable is given to it under its key's own spelling."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        super().__init__(_Settings)
        self.env_vars = {
            f"moderation_{table}_{key}": EnvText(environ[name])
            for name, (table, key) in ENVIRONMENT.items()
            if environ.get(name)
        }


@dataclass(frozen=True, slots=True, kw_only=True, config=TABLE)
class Config(ServerConfig):
    """The service's configuration: the [server] keys as attributes of their own, the
    other tables as attributes (``config.redis.url``, ``config.intake.batch_max``)."""

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
        return _build(InitSettingsSource(_Settings, dict(raw)), raw, source)

    @classmethod
    def load(cls, path: Path, environ: Mapping[str, str] | None = None) -> Config:
        """The config in the file at ``path``, with the variables of ``environ`` (none by
        default) over it."""
        try:
            with path.open("rb"):  # pydantic-settings skips a file it cannot find
                pass
            file = TomlConfigSettingsSource(_Settings, toml_file=path)
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read config file ({exc.strerror})") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
        return _build(file, file.toml_data, path, environ or {})


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
    data_dir = overrides.data_dir or _env_path(environ, "MODERATION_DATA_DIR")
    config_path = overrides.config or _env_path(environ, "MODERATION_CONFIG")
    notice = None
    if config_path is None:
        config_path = (data_dir or Path(DEFAULT_DATA_DIR)) / CONFIG_FILE_NAME
        if not config_path.exists():
            notice = write_first_run_config(config_path)
    elif not config_path.exists():
        raise ConfigError(f"{config_path}: config file not found")
    config = Config.load(config_path, environ)
    given: dict[str, Any] = {"host": overrides.host, "port": overrides.port}
    given["data_dir"] = overrides.data_dir
    try:
        return replace(config, **{k: v for k, v in given.items() if v is not None}), notice
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
# hold_abuse_above = 0.5             # abusive comments are never approved automatically
# reject_abuse_above = 0.95          # and the most abusive are rejected at once

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


def _keys(model: type, but: tuple[str, ...] = ()) -> frozenset[str]:
    return frozenset(f.name for f in fields(model)) - set(but)


# The keys each table takes, from its model (tests/runtime/test_deploy.py checks that the README
# documents every one).
_TOP_KEYS = frozenset(_Settings.model_fields)
_SERVER_KEYS = _keys(ServerConfig)
_REDIS_KEYS = _keys(RedisConfig)
_INTAKE_KEYS = _keys(IntakeConfig)
_MODEL_KEYS = _keys(ModelConfig)
_LEARNING_KEYS = _keys(LearningConfig)
_SITE_KEYS = _keys(SiteConfig, but=SITE_KEEPS)
_RATE_KEYS = _keys(RateLimit)
_MODERATOR_KEYS = _keys(ModeratorConfig)
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
_UNKNOWN = ("unexpected_keyword_argument", "extra_forbidden", "unknown_key")


def _build(
    file: PydanticBaseSettingsSource,
    raw: Mapping[str, Any],
    source: Path | None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    where = f"{source}: " if source else ""
    sources = (_Environment(environ), file) if environ else (file,)
    reading = _SOURCES.set(sources)
    try:
        read = _Settings()
    except ValidationError as exc:
        raise ConfigError(_said_all(exc, raw, where, environ or {})) from None
    finally:
        _SOURCES.reset(reading)
    problem = _cross_check(read.sites, read.moderators)
    if problem:
        raise ConfigError(where + problem)
    server = {f.name: getattr(read.server, f.name) for f in fields(ServerConfig)}
    return Config(
        **server,
        sites=read.sites,
        moderators=read.moderators,
        redis=read.redis,
        intake=read.intake,
        learning=read.learning,
        model_path=read.model.path,
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
    perspective = [s.perspective_key_sha256 for s in sites if s.perspective_key_sha256]
    if len(set(perspective)) != len(perspective):
        return "sites.perspective_key: two sites share one Perspective key"
    coral = [s.coral_signing_secret for s in sites if s.coral_signing_secret is not None]
    if len(set(coral)) != len(coral):
        # the secret that verifies Coral's signature names the site: it must be one site's
        return "sites.coral_signing_secret: two sites share one Coral signing secret"
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


def _said_all(
    exc: ValidationError, raw: Mapping[str, Any], where: str, environ: Mapping[str, str]
) -> str:
    """Every error on one line: those of the file after its name, each of the others
    after the variable(s) that set the key."""
    in_file, in_environment = [], []
    for error in exc.errors():
        loc = error["loc"]
        named = [
            name
            for name, key in ENVIRONMENT.items()
            if loc and environ.get(name) and key[: len(loc)] == loc
        ]
        if named:
            in_environment.append(f"{', '.join(named)}: {describe(error)}")
        else:
            in_file.append(_said(error, raw))
    said = [where + "; ".join(in_file)] if in_file else []
    return "; ".join(said + in_environment)


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
    if kind in _UNKNOWN:
        if kind == "unknown_key":  # refused by a table's own check, whose place is loc
            path, loc = f"{path}.{error['ctx']['key']}", (*loc, "")
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


def _env_path(environ: Mapping[str, str], name: str) -> Path | None:
    value = environ.get(name)
    return Path(value) if value else None
