"""The config's tables: one frozen, typed model each, whose fields are the table's keys
and whose defaults are the defaults (``Config``, the whole, is in ``loading``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Field,
    Strict,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.dataclasses import dataclass
from pydantic_core import PydanticCustomError

from moderation.config.values import (
    ALL_CALLBACK_EVENTS,
    TABLE,
    AccessLog,
    AkismetKey,
    CallbackEvents,
    CallbackUrl,
    Digest,
    FilePath,
    Flag,
    ModeratorName,
    Number,
    PlainKeys,
    Port,
    Probability,
    RedisUrl,
    Rules,
    Secret,
    SiteId,
    SiteList,
    Whole,
    fail,
    first_digest,
    is_digest,
    keep,
    sha256_hex,
)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_DATA_DIR = "data"


@dataclass(frozen=True, slots=True, kw_only=True, config=TABLE)
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


@dataclass(frozen=True, slots=True, kw_only=True, config=TABLE)
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
            raise fail("cluster = true needs url naming a node of the cluster (redis://host:port)")
        return self


@dataclass(frozen=True, slots=True, kw_only=True, config=TABLE)
class IntakeConfig:
    """[intake]"""

    # how long a request may wait for others to share a batch
    batch_wait_ms: Number = Field(default=1.0, ge=0, le=50)
    batch_max: Whole = Field(default=64, ge=1, le=4096)  # the cost per comment flattens here
    max_body_bytes: Whole = Field(default=64 * 1024, ge=1024)
    check_deliverability: Flag = False  # needs DNS; off by default
    signature_tolerance_seconds: Whole = Field(default=300, ge=1)


@dataclass(frozen=True, slots=True, kw_only=True, config=TABLE)
class ModelConfig:
    """[model]"""

    path: FilePath | None = None  # None: the classifier's shipped model


@dataclass(frozen=True, slots=True, kw_only=True, config=TABLE)
class LearningConfig:
    """[learning]: each site's model learns from its own moderators' decisions."""

    enabled: Flag = True
    # a site's model is retrained after this many new labels (the first one too)
    retrain_after_labels: Whole = Field(default=50, ge=1)
    # the most recent labels held out of training to compare the new model with the old
    holdout_fraction: Number = Field(default=0.2, gt=0, lt=1)


@dataclass(frozen=True, slots=True, kw_only=True, config=TABLE)
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


@dataclass(frozen=True, slots=True, kw_only=True, config=TABLE)
class SiteConfig:
    """[[sites]].  Its API keys as written, ``api_key`` (plain) and ``api_key_sha256``,
    may each be one value or a list, and both be given while a key is being rotated; the
    site keeps them as digests only: the first in ``api_key_sha256``, the others in
    ``extra_api_key_sha256s``.  ``akismet_key`` is kept the same way, in
    ``akismet_key_sha256``, and ``perspective_key`` in ``perspective_key_sha256``.  Those
    are what the site keeps, not keys of the file."""

    id: SiteId
    api_key: PlainKeys | None = Field(default=None, repr=False)  # None once kept as digests
    api_key_sha256: Annotated[str, BeforeValidator(first_digest)] = ""  # "": set by _keys
    # more keys accepted during a rotation: the CMS moves to the new key, then the old
    # one is removed from the config, with no moment when intake answers 401
    extra_api_key_sha256s: tuple[Digest, ...] = ()
    akismet_key: AkismetKey | None = Field(default=None, repr=False)  # emptied once kept
    akismet_key_sha256: Digest | None = None  # the Akismet API's key (akismet_key)
    signing_secret: Secret | None = Field(default=None, repr=False)
    auto_spam_above: Probability | None = None
    auto_approve_below: Probability | None = None
    # On the abuse score (the model's abuse head; a model without one never triggers
    # them): at or above hold_abuse_above a comment is never approved automatically (an
    # allow rule, a trusted author, auto_approve_below, a trusted edit all leave it
    # pending); at or above reject_abuse_above it is rejected at once (rule "abuse").
    hold_abuse_above: Probability | None = None
    reject_abuse_above: Probability | None = None
    trust_approved_authors: Flag = False
    # an edit (the CMS re-sends a comment with another text or author URL) of an approved
    # comment keeps it approved instead of sending it back to the queue
    trust_edits_of_approved: Flag = False
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
    # The Perspective-compatible API (web/perspective.py) is on for a site with a
    # perspective_key, the `key` its clients send; kept as its digest, like the API key.
    perspective_key: Secret | None = Field(default=None, repr=False)  # emptied once kept
    perspective_key_sha256: Digest | None = None
    # Coral's external moderation phase (web/coral.py) is on for a site with the phase's
    # signing secret, as Coral's admin shows it: a signature this secret verifies names
    # the site (Coral sends no key).  Kept as written: an HMAC needs the secret itself.
    coral_signing_secret: Secret | None = Field(default=None, repr=False)

    @model_validator(mode="before")
    @classmethod
    def _as_written(cls, data: Any) -> Any:
        """A table of the file (a dict; the code's keyword arguments, as ``replace``
        passes them, are kept as they are): a list of digests in api_key_sha256 is the
        first key and the extra ones."""
        if not isinstance(data, dict):
            return data
        for name in SITE_KEEPS:
            if name in data:
                raise PydanticCustomError("unknown_key", "unknown key", {"key": name})
        listed = data.get("api_key_sha256")
        if isinstance(listed, list | tuple) and listed and all(map(is_digest, listed)):
            first, *extra = listed
            return {**data, "api_key_sha256": first, "extra_api_key_sha256s": extra}
        return data

    @field_validator("auto_approve_below")
    @classmethod
    def _below_spam(cls, value: float | None, info: ValidationInfo) -> float | None:
        spam_above = info.data.get("auto_spam_above")
        if value is not None and spam_above is not None and value >= spam_above:
            raise fail("must be lower than auto_spam_above")
        return value

    @field_validator("reject_abuse_above")
    @classmethod
    def _above_hold(cls, value: float | None, info: ValidationInfo) -> float | None:
        # at or below the hold, a rejection would leave the hold nothing to hold
        hold = info.data.get("hold_abuse_above")
        if value is not None and hold is not None and value <= hold:
            raise fail("must be higher than hold_abuse_above")
        return value

    @model_validator(mode="after")
    def _keys(self) -> SiteConfig:
        if self.callback_url is not None and self.callback_secret is None:
            raise fail("callback_secret is required with callback_url")
        given = (self.api_key_sha256,) if self.api_key_sha256 else ()
        digests = (*(self.api_key or ()), *given, *self.extra_api_key_sha256s)
        if not digests:
            raise fail("api_key is required (or give api_key_sha256)")
        if len(set(digests)) != len(digests):
            raise fail("the same API key is listed twice")
        keep(
            self,
            api_key=None,
            api_key_sha256=digests[0],
            extra_api_key_sha256s=digests[1:],
            akismet_key=None,
            akismet_key_sha256=self.akismet_key or self.akismet_key_sha256,
            perspective_key=None,
            perspective_key_sha256=(
                sha256_hex(self.perspective_key)
                if self.perspective_key is not None
                else self.perspective_key_sha256
            ),
        )
        return self


# What a site keeps of its keys, which the file cannot give
SITE_KEEPS = ("extra_api_key_sha256s", "akismet_key_sha256", "perspective_key_sha256")


@dataclass(frozen=True, slots=True, kw_only=True, config=TABLE)
class ModeratorConfig:
    """[[moderators]].  The token as written, ``token`` (plain) or ``token_sha256``, is
    kept as its digest only, in ``token_sha256``."""

    name: ModeratorName
    sites: SiteList  # ("*",): every site
    admin: Flag = False  # may erase authors' personal data and reload the model
    token: Secret | None = Field(default=None, repr=False)  # emptied once kept as digest
    token_sha256: Digest = ""  # "": set by _one_token

    @model_validator(mode="after")
    def _one_token(self) -> ModeratorConfig:
        if self.token is not None and self.token_sha256:
            raise fail("give token or token_sha256, not both")
        if self.token is None and not self.token_sha256:
            raise fail("token is required (or give token_sha256)")
        if self.token is not None:
            keep(self, token=None, token_sha256=sha256_hex(self.token))
        return self

    def may_moderate(self, site: str) -> bool:
        return "*" in self.sites or site in self.sites
