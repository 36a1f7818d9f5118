"""Service configuration: one frozen dataclass, built once at the edge.

The file is TOML.  Four environment variables override it and nothing else is read from
the environment: MODERATION_CONFIG, MODERATION_REDIS_URL, MODERATION_PORT and
MODERATION_DATA_DIR.  A config with an unknown key or a bad value is refused with a
message that names the key, because a silently ignored typo in a security setting (say
``signing_secrt``) is worse than a refusal to start.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

SITE_ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62})$")
SHA256_HEX_RE = re.compile(r"^[0-9a-f]{64}$")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_DATA_DIR = "data"
CONFIG_FILE_NAME = "moderation.toml"


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key at fault."""


Fail = Callable[[str], ConfigError]


def sha256_hex(secret: str) -> str:
    """The digest under which a secret is kept and compared."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class RedisConfig:
    url: str | None = None  # None: start an embedded redis-server in the data folder
    timeout_seconds: float = 1.0  # no Redis call may hold a request longer than this
    retry_after_seconds: int = 2  # what a 503 tells the CMS to wait


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A token bucket: `burst` requests at once, refilled at `per_minute`."""

    per_minute: float
    burst: int


@dataclass(frozen=True, slots=True)
class SiteConfig:
    id: str
    api_key_sha256: str
    # more keys accepted during a rotation: the CMS moves to the new key, then the old
    # one is removed from the config, with no moment when intake answers 401
    extra_api_key_sha256s: tuple[str, ...] = ()
    signing_secret: str | None = None
    auto_spam_above: float | None = None
    auto_approve_below: float | None = None
    trust_approved_authors: bool = False
    allow: tuple[str, ...] = ()  # emails, @domains and IPs approved before the classifier runs
    block: tuple[str, ...] = ()  # emails, @domains and IPs marked spam before the classifier runs
    rate_limit: RateLimit | None = None
    ip_rate_limit: RateLimit | None = None
    duplicate_window_seconds: int = 3600
    auto_spam_duplicates: bool = False
    erase_personal_data_after_days: int | None = None
    purge_spam_after_days: int | None = None


@dataclass(frozen=True, slots=True)
class ModeratorConfig:
    name: str
    token_sha256: str
    sites: tuple[str, ...]  # ("*",) means every site
    admin: bool = False  # may erase authors' personal data (on the sites above)

    def may_moderate(self, site: str) -> bool:
        return "*" in self.sites or site in self.sites


@dataclass(frozen=True, slots=True)
class IntakeConfig:
    batch_wait_ms: float = 1.0  # how long a request may wait for others to share a batch
    batch_max: int = 64  # scoring cost per comment flattens out around here
    max_body_bytes: int = 64 * 1024
    check_deliverability: bool = False  # needs DNS; off by default
    signature_tolerance_seconds: int = 300


@dataclass(frozen=True, slots=True)
class Config:
    sites: tuple[SiteConfig, ...]
    moderators: tuple[ModeratorConfig, ...]
    redis: RedisConfig = field(default_factory=RedisConfig)
    intake: IntakeConfig = field(default_factory=IntakeConfig)
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    model_path: Path | None = None  # None: the classifier's shipped default model
    # Behind a TLS-terminating proxy: believe its X-Forwarded-Proto (so that session
    # cookies are Secure).  Off by default: a client could otherwise claim https itself.
    trust_forwarded_proto: bool = False
    # Which requests get a log line: "all", "errors" (4xx, 5xx and slow ones) or "off".
    # A JSON line costs ~20-50 us, a tenth of an intake request: busy sites want "errors".
    access_log: str = "errors"
    # A request body must arrive whole within this (else 408): a client trickling bytes
    # cannot hold a handler, and a CMS on a slow link still has ample time for 64 KiB.
    body_timeout_seconds: float = 15.0
    # An idle connection, and one whose request headers have not all arrived, is closed
    # after this (aiohttp's keep-alive timer runs from the connection's start and from
    # each answer): a few hundred half-sent requests cannot exhaust the service.
    keepalive_timeout_seconds: float = 15.0
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


@dataclass(frozen=True, slots=True)
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
    redis_url = environ.get("MODERATION_REDIS_URL")
    if redis_url:
        changes["redis"] = replace(config.redis, url=_redis_url(redis_url, "MODERATION_REDIS_URL"))
    port = overrides.port
    if port is None and environ.get("MODERATION_PORT"):
        port = _port(environ["MODERATION_PORT"], "MODERATION_PORT")
    if port is not None:
        changes["port"] = port
    if overrides.host is not None:
        changes["host"] = overrides.host
    return replace(config, **changes), notice


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
# signing_secret = "..."             # then every intake must carry X-Moderation-Signature
# auto_spam_above = 0.98
# auto_approve_below = 0.02

[[moderators]]
name = "admin"
token = "{token}"
sites = ["*"]
admin = true                         # may erase an author's personal data
"""


def write_first_run_config(path: Path) -> str:
    """Write a config with one site and one moderator holding fresh random secrets.

    The file is created with mode 0600 because it holds secrets; the returned notice
    names the file but never prints the secrets themselves (logs are not for secrets).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    text = FIRST_RUN_TEMPLATE.format(
        api_key=secrets.token_urlsafe(32), token=secrets.token_urlsafe(32)
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

_TOP_KEYS = {"server", "redis", "intake", "model", "sites", "moderators"}
_SERVER_KEYS = {
    "host",
    "port",
    "data_dir",
    "trust_forwarded_proto",
    "access_log",
    "body_timeout_seconds",
    "keepalive_timeout_seconds",
}
ACCESS_LOG_MODES = ("all", "errors", "off")
_REDIS_KEYS = {"url", "timeout_seconds", "retry_after_seconds"}
_INTAKE_KEYS = {
    "batch_wait_ms",
    "batch_max",
    "max_body_bytes",
    "check_deliverability",
    "signature_tolerance_seconds",
}
_MODEL_KEYS = {"path"}
_SITE_KEYS = {
    "id",
    "api_key",
    "api_key_sha256",
    "signing_secret",
    "auto_spam_above",
    "auto_approve_below",
    "trust_approved_authors",
    "allow",
    "block",
    "rate_limit",
    "ip_rate_limit",
    "duplicate_window_seconds",
    "auto_spam_duplicates",
    "erase_personal_data_after_days",
    "purge_spam_after_days",
}
_RATE_KEYS = {"per_minute", "burst"}
_MODERATOR_KEYS = {"name", "token", "token_sha256", "sites", "admin"}


def _parse(raw: Mapping[str, Any], source: Path | None) -> Config:
    where = f"{source}: " if source else ""

    def fail(message: str) -> ConfigError:
        return ConfigError(where + message)

    _no_unknown(raw, _TOP_KEYS, "", fail)
    server = _table(raw, "server", fail)
    _no_unknown(server, _SERVER_KEYS, "server.", fail)
    redis_raw = _table(raw, "redis", fail)
    _no_unknown(redis_raw, _REDIS_KEYS, "redis.", fail)
    intake_raw = _table(raw, "intake", fail)
    _no_unknown(intake_raw, _INTAKE_KEYS, "intake.", fail)
    model_raw = _table(raw, "model", fail)
    _no_unknown(model_raw, _MODEL_KEYS, "model.", fail)

    url = _opt(redis_raw, "url", str, "redis.url", fail)
    redis = RedisConfig(
        url=_redis_url(url, "redis.url", fail) if url is not None else None,
        timeout_seconds=_number(redis_raw, "timeout_seconds", 1.0, "redis.", fail, lo=0.05),
        retry_after_seconds=int(
            _number(redis_raw, "retry_after_seconds", 2, "redis.", fail, lo=1, integer=True)
        ),
    )
    intake = IntakeConfig(
        batch_wait_ms=_number(intake_raw, "batch_wait_ms", 1.0, "intake.", fail, lo=0, hi=50),
        batch_max=int(
            _number(intake_raw, "batch_max", 64, "intake.", fail, lo=1, hi=4096, integer=True)
        ),
        max_body_bytes=int(
            _number(intake_raw, "max_body_bytes", 64 * 1024, "intake.", fail, lo=1024, integer=True)
        ),
        check_deliverability=_bool(intake_raw, "check_deliverability", False, "intake.", fail),
        signature_tolerance_seconds=int(
            _number(
                intake_raw, "signature_tolerance_seconds", 300, "intake.", fail, lo=1, integer=True
            )
        ),
    )

    sites_raw = raw.get("sites", [])
    if not isinstance(sites_raw, list) or not all(isinstance(s, dict) for s in sites_raw):
        raise fail("sites: must be an array of tables ([[sites]])")
    sites = tuple(_site(s, i, fail) for i, s in enumerate(sites_raw))
    if not sites:
        raise fail("sites: at least one [[sites]] entry is needed")
    seen: set[str] = set()
    for site in sites:
        if site.id in seen:
            raise fail(f"sites.id: site '{site.id}' is defined twice")
        seen.add(site.id)
    digests = [d for s in sites for d in (s.api_key_sha256, *s.extra_api_key_sha256s)]
    if len(set(digests)) != len(digests):
        raise fail("sites.api_key: two sites share one API key")

    mods_raw = raw.get("moderators", [])
    if not isinstance(mods_raw, list) or not all(isinstance(m, dict) for m in mods_raw):
        raise fail("moderators: must be an array of tables ([[moderators]])")
    moderators = tuple(_moderator(m, i, seen, fail) for i, m in enumerate(mods_raw))
    names = [m.name for m in moderators]
    if len(set(names)) != len(names):
        raise fail("moderators.name: two moderators share one name")
    tokens = [m.token_sha256 for m in moderators] + digests
    if len(set(tokens)) != len(tokens):
        raise fail("moderators.token: a token is used twice (or equals a site API key)")

    host = _opt(server, "host", str, "server.host", fail) or DEFAULT_HOST
    port_raw = server.get("port", DEFAULT_PORT)
    port = _port(port_raw, "server.port", fail)
    data_dir_raw = _opt(server, "data_dir", str, "server.data_dir", fail)
    model_path = _opt(model_raw, "path", str, "model.path", fail)
    return Config(
        sites=sites,
        moderators=moderators,
        redis=redis,
        intake=intake,
        host=host,
        port=port,
        data_dir=Path(data_dir_raw) if data_dir_raw else Path(DEFAULT_DATA_DIR),
        model_path=Path(model_path) if model_path else None,
        trust_forwarded_proto=_bool(server, "trust_forwarded_proto", False, "server.", fail),
        access_log=_choice(server, "access_log", "errors", ACCESS_LOG_MODES, "server.", fail),
        body_timeout_seconds=_number(
            server, "body_timeout_seconds", 15.0, "server.", fail, lo=0.1, hi=3600
        ),
        keepalive_timeout_seconds=_number(
            server, "keepalive_timeout_seconds", 15.0, "server.", fail, lo=0.1, hi=3600
        ),
        source=source,
    )


def _site(raw: Mapping[str, Any], index: int, fail: Fail) -> SiteConfig:
    prefix = f"sites[{index}]."
    _no_unknown(raw, _SITE_KEYS, prefix, fail)
    site_id = raw.get("id")
    if not isinstance(site_id, str) or not SITE_ID_RE.match(site_id):
        raise fail(
            f"{prefix}id: site id must be 1-63 characters of a-z, 0-9 and '-' (got {site_id!r})"
        )
    prefix = f"sites[{site_id}]."
    site_digests = _secret_digests(raw, "api_key", prefix, fail)
    digest = site_digests[0]
    signing = _opt(raw, "signing_secret", str, prefix + "signing_secret", fail)
    if signing is not None and len(signing) < 16:
        raise fail(f"{prefix}signing_secret: must be at least 16 characters")
    spam_above = _opt_prob(raw, "auto_spam_above", prefix, fail)
    approve_below = _opt_prob(raw, "auto_approve_below", prefix, fail)
    if spam_above is not None and approve_below is not None and approve_below >= spam_above:
        raise fail(f"{prefix}auto_approve_below: must be lower than auto_spam_above")
    purge = raw.get("purge_spam_after_days")
    erase = raw.get("erase_personal_data_after_days")
    return SiteConfig(
        id=site_id,
        api_key_sha256=digest,
        extra_api_key_sha256s=site_digests[1:],
        signing_secret=signing,
        auto_spam_above=spam_above,
        auto_approve_below=approve_below,
        trust_approved_authors=_bool(raw, "trust_approved_authors", False, prefix, fail),
        allow=_rule_list(raw, "allow", prefix, fail),
        block=_rule_list(raw, "block", prefix, fail),
        rate_limit=_rate(raw, "rate_limit", prefix, fail),
        ip_rate_limit=_rate(raw, "ip_rate_limit", prefix, fail),
        duplicate_window_seconds=int(
            _number(raw, "duplicate_window_seconds", 3600, prefix, fail, lo=0, integer=True)
        ),
        auto_spam_duplicates=_bool(raw, "auto_spam_duplicates", False, prefix, fail),
        erase_personal_data_after_days=(
            int(_number(raw, "erase_personal_data_after_days", 0, prefix, fail, lo=1, integer=True))
            if erase is not None
            else None
        ),
        purge_spam_after_days=(
            int(_number(raw, "purge_spam_after_days", 0, prefix, fail, lo=1, integer=True))
            if purge is not None
            else None
        ),
    )


def _moderator(
    raw: Mapping[str, Any], index: int, site_ids: set[str], fail: Fail
) -> ModeratorConfig:
    prefix = f"moderators[{index}]."
    _no_unknown(raw, _MODERATOR_KEYS, prefix, fail)
    name = raw.get("name")
    if not isinstance(name, str) or not re.match(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$", name):
        raise fail(f"{prefix}name: 1-64 characters of letters, digits, space, '.', '_', '-'")
    prefix = f"moderators[{name}]."
    digest = _secret_digest(raw, "token", prefix, fail)
    sites = raw.get("sites")
    if not isinstance(sites, list) or not sites or not all(isinstance(s, str) for s in sites):
        raise fail(f'{prefix}sites: a non-empty list of site ids, or ["*"]')
    for site in sites:
        if site != "*" and site not in site_ids:
            raise fail(f"{prefix}sites: unknown site '{site}'")
    return ModeratorConfig(
        name=name,
        token_sha256=digest,
        sites=tuple(sites),
        admin=_bool(raw, "admin", False, prefix, fail),
    )


def _secret_digests(raw: Mapping[str, Any], key: str, prefix: str, fail: Fail) -> tuple[str, ...]:
    """A site's API key digests: ``key`` and ``key_sha256`` may each be one value or a
    list, and may be given together while a key is being rotated."""
    digests: list[str] = []
    for name in (key, f"{key}_sha256"):
        value = raw.get(name)
        if value is None:
            continue
        values = value if isinstance(value, list) else [value]
        if not values:
            raise fail(f"{prefix}{name}: must not be an empty list")
        for item in values:
            digests.append(_secret_digest({name: item}, key, prefix, fail))
    if not digests:
        raise fail(f"{prefix}{key}: missing (or give {key}_sha256)")
    if len(set(digests)) != len(digests):
        raise fail(f"{prefix}{key}: the same key is listed twice")
    return tuple(digests)


def _secret_digest(raw: Mapping[str, Any], key: str, prefix: str, fail: Fail) -> str:
    plain = raw.get(key)
    hashed = raw.get(f"{key}_sha256")
    if plain is not None and hashed is not None:
        raise fail(f"{prefix}{key}: give {key} or {key}_sha256, not both")
    if plain is not None:
        if not isinstance(plain, str) or len(plain) < 16:
            raise fail(f"{prefix}{key}: must be a string of at least 16 characters")
        return sha256_hex(plain)
    if hashed is not None:
        if not isinstance(hashed, str) or not SHA256_HEX_RE.match(hashed.lower()):
            raise fail(f"{prefix}{key}_sha256: must be 64 hexadecimal digits")
        return hashed.lower()
    raise fail(f"{prefix}{key}: missing (or give {key}_sha256)")


def _rule_list(raw: Mapping[str, Any], key: str, prefix: str, fail: Fail) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise fail(f"{prefix}{key}: a list of emails, @domains or IP addresses")
    return tuple(v.strip().lower() for v in value)


def _rate(raw: Mapping[str, Any], key: str, prefix: str, fail: Fail) -> RateLimit | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise fail(f"{prefix}{key}: a table {{ per_minute = N, burst = N }}")
    _no_unknown(value, _RATE_KEYS, f"{prefix}{key}.", fail)
    per_minute = _number(value, "per_minute", None, f"{prefix}{key}.", fail, lo=0.001)
    burst = _number(
        value, "burst", max(1, int(per_minute)), f"{prefix}{key}.", fail, lo=1, integer=True
    )
    return RateLimit(per_minute=per_minute, burst=int(burst))


def _no_unknown(raw: Mapping[str, Any], allowed: set[str], prefix: str, fail: Fail) -> None:
    for key in raw:
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise fail(f"{prefix}{key}: unknown key (known here: {known})")


def _table(raw: Mapping[str, Any], key: str, fail: Fail) -> Mapping[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise fail(f"{key}: must be a table ([{key}])")
    return value


def _opt(raw: Mapping[str, Any], key: str, kind: type, name: str, fail: Fail) -> Any:
    value = raw.get(key)
    if value is not None and not isinstance(value, kind):
        raise fail(f"{name}: must be a {kind.__name__}")
    return value


def _choice(
    raw: Mapping[str, Any],
    key: str,
    default: str,
    choices: tuple[str, ...],
    prefix: str,
    fail: Fail,
) -> str:
    value = raw.get(key, default)
    if value not in choices:
        raise fail(f"{prefix}{key}: must be one of {', '.join(choices)}")
    return str(value)


def _bool(raw: Mapping[str, Any], key: str, default: bool, prefix: str, fail: Fail) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise fail(f"{prefix}{key}: must be true or false")
    return value


def _number(
    raw: Mapping[str, Any],
    key: str,
    default: float | None,
    prefix: str,
    fail: Fail,
    *,
    lo: float | None = None,
    hi: float | None = None,
    integer: bool = False,
) -> float:
    value = raw.get(key, default)
    if value is None:
        raise fail(f"{prefix}{key}: missing")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(f"{prefix}{key}: must be a number")
    if integer and not float(value).is_integer():
        raise fail(f"{prefix}{key}: must be a whole number")
    if lo is not None and value < lo:
        raise fail(f"{prefix}{key}: must be at least {lo}")
    if hi is not None and value > hi:
        raise fail(f"{prefix}{key}: must be at most {hi}")
    return float(value)


def _opt_prob(raw: Mapping[str, Any], key: str, prefix: str, fail: Fail) -> float | None:
    if raw.get(key) is None:
        return None
    return _number(raw, key, None, prefix, fail, lo=0.0, hi=1.0)


def _port(value: Any, name: str, fail: Fail = ConfigError) -> int:
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise fail(f"{name}: must be a port number (got {value!r})") from None
    if isinstance(value, bool) or not 0 <= port <= 65535:
        raise fail(f"{name}: must be a port number 0-65535 (got {value!r})")
    return port


def _redis_url(value: str, name: str, fail: Fail = ConfigError) -> str:
    if not value.startswith(("redis://", "rediss://", "unix://")):
        raise fail(f"{name}: must start with redis://, rediss:// or unix://")
    return value


def _env_path(environ: Mapping[str, str], name: str) -> Path | None:
    value = environ.get(name)
    return Path(value) if value else None
