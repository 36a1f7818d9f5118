"""Service configuration: one typed, frozen model per table, built once at the edge.

The file is TOML, read by pydantic-settings, which lays the ``MODERATION_*`` environment
over it; the command line goes over both.  Each table has its model (``tables``), whose
fields are its keys and whose defaults are the defaults (``[server]`` is
``ServerConfig``, ``[[sites]]`` is ``SiteConfig``, ...): pydantic checks every value
against them, and a key that no model has is refused, because a silently ignored typo in
a security setting (say ``signing_secrt``) is worse than a refusal to start.  Every
failing key is named, on one line (``sites[news].signing_secrt: unknown key (known here:
...)``), or the variable that set it (``MODERATION_PORT: must be a port number ...``).

Six environment variables are read and nothing else from the environment:
MODERATION_CONFIG (which file) and the five of ``loading.ENVIRONMENT``.

``values`` says what a value may be (and what is said when it is not), ``tables`` holds
the models, ``loading`` reads file, environment and command line into a ``Config``.  This
package may import only ``moderation.core``; everything else imports it from here.
"""

from moderation.config.loading import (
    CONFIG_FILE_NAME,
    ENVIRONMENT,
    Config,
    ConfigError,
    Overrides,
    new_akismet_key,
    resolve,
    write_first_run_config,
)
from moderation.config.tables import (
    DEFAULT_DATA_DIR,
    DEFAULT_HOST,
    DEFAULT_PORT,
    IntakeConfig,
    LearningConfig,
    ModelConfig,
    ModeratorConfig,
    RateLimit,
    RedisConfig,
    ServerConfig,
    SiteConfig,
)
from moderation.config.values import (
    AKISMET_KEY_RE,
    MODERATOR_NAME_RE,
    SECRET_MIN,
    SITE_ID_RE,
    sha256_hex,
)

__all__ = [
    "AKISMET_KEY_RE",
    "CONFIG_FILE_NAME",
    "DEFAULT_DATA_DIR",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "ENVIRONMENT",
    "MODERATOR_NAME_RE",
    "SECRET_MIN",
    "SITE_ID_RE",
    "Config",
    "ConfigError",
    "IntakeConfig",
    "LearningConfig",
    "ModelConfig",
    "ModeratorConfig",
    "Overrides",
    "RateLimit",
    "RedisConfig",
    "ServerConfig",
    "SiteConfig",
    "new_akismet_key",
    "resolve",
    "sha256_hex",
    "write_first_run_config",
]
