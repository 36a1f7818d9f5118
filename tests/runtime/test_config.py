"""Configuration: exact keys, precedence, first run, errors that name the key, and the CLI."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from moderation.config import (
    Config,
    ConfigError,
    Overrides,
    resolve,
    sha256_hex,
)
from moderation.runtime import serving

GOOD = """
[redis]
url = "redis://127.0.0.1:6379/0"

[[sites]]
id = "news"
api_key = "0123456789abcdef-news"
signing_secret = "0123456789abcdef-sign"
auto_spam_above = 0.98
auto_approve_below = 0.02

[[sites]]
id = "blog-2"
api_key_sha256 = "{digest}"

[[moderators]]
name = "night-shift"
token = "0123456789abcdef-night"
sites = ["news"]

[[moderators]]
name = "chief"
token_sha256 = "{digest2}"
sites = ["*"]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "moderation.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _good(tmp_path: Path) -> Path:
    return _write(
        tmp_path,
        GOOD.format(
            digest=sha256_hex("blog-key-0123456789"), digest2=sha256_hex("chief-0123456789ab")
        ),
    )


def test_the_documented_keys_load(tmp_path: Path) -> None:
    config = Config.load(_good(tmp_path))
    news = config.site("news")
    assert news is not None
    assert news.api_key_sha256 == sha256_hex("0123456789abcdef-news")
    assert news.signing_secret == "0123456789abcdef-sign"
    assert news.auto_spam_above == 0.98 and news.auto_approve_below == 0.02
    blog = config.site("blog-2")
    assert blog is not None and blog.api_key_sha256 == sha256_hex("blog-key-0123456789")
    assert config.redis.url == "redis://127.0.0.1:6379/0"
    chief = config.moderators[1]
    assert chief.may_moderate("news") and chief.may_moderate("blog-2")
    assert not config.moderators[0].may_moderate("blog-2")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (
            "[[sites]]\nid='news'\napi_key='0123456789abcdefgh'\nsigning_secrt='x'\n",
            "signing_secrt",
        ),
        ("[[sites]]\napi_key='0123456789abcdefgh'\n", "id"),
        ("[[sites]]\nid='News!'\napi_key='0123456789abcdefgh'\n", "id"),
        ("[[sites]]\nid='news'\n", "api_key"),
        (
            "[[sites]]\nid='news'\napi_key='0123456789abcdefgh'\nauto_spam_above=2\n",
            "auto_spam_above",
        ),
        (
            "[[sites]]\nid='news'\napi_key='0123456789abcdefgh'\n[[moderators]]\nname='m'\ntoken='0123456789abcdefgh1'\nsites=['blog']\n",
            "sites",
        ),
        (
            "[reddis]\nurl='redis://x'\n[[sites]]\nid='news'\napi_key='0123456789abcdefgh'\n",
            "reddis",
        ),
        (
            "[redis]\nurl='http://x'\n[[sites]]\nid='news'\napi_key='0123456789abcdefgh'\n",
            "redis.url",
        ),
        ("this is = = not toml", "TOML"),
        (
            "[server]\naccess_log='some'\n[[sites]]\nid='news'\napi_key='0123456789abcdefgh'\n",
            "access_log",
        ),
    ],
)
def test_errors_name_the_key(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(ConfigError) as info:
        Config.load(_write(tmp_path, text))
    assert named in str(info.value)
    assert "\n" not in str(info.value)


def test_a_callback_url_that_does_not_parse_is_refused_with_the_usual_words(
    tmp_path: Path,
) -> None:
    text = (
        "[[sites]]\nid='news'\napi_key='0123456789abcdefgh'\n"
        "callback_url='http://['\ncallback_secret='0123456789abcdefgh'\n"
    )
    with pytest.raises(ConfigError) as info:
        Config.load(_write(tmp_path, text))
    assert "sites[news].callback_url: must be an http:// or https:// URL" in str(info.value)


def test_every_failing_key_is_named_on_one_line(tmp_path: Path) -> None:
    text = (
        "[server]\nport = 99999\naccess_log = 'some'\n"
        "[intake]\nbatch_max = true\n"
        "[[sites]]\nid = 'news'\napi_key = '0123456789abcdefgh'\nauto_spam_above = 2\n"
        "rate_limit = { per_minute = 60, bursts = 3 }\n"
    )
    with pytest.raises(ConfigError) as info:
        Config.load(_write(tmp_path, text))
    message = str(info.value)
    assert "\n" not in message
    for named in (
        "server.port: must be a port number 0-65535",
        "server.access_log: must be one of",
        "intake.batch_max: must be a whole number",
        "sites[news].auto_spam_above: must be at most 1",  # a site is named by its id
        "sites[news].rate_limit.bursts: unknown key (known here: burst, per_minute)",
    ):
        assert named in message


def test_defaults_and_values_as_written() -> None:
    config = Config.from_mapping(
        {
            "server": {"port": "9000", "body_timeout_seconds": 2},
            "intake": {"batch_max": 32.0},
            "sites": [{"id": "news", "api_key": "0123456789abcdefgh", "allow": [" A@B.org "]}],
        }
    )
    assert config.port == 9000 and config.body_timeout_seconds == 2.0
    assert config.intake.batch_max == 32 and config.intake.max_body_bytes == 64 * 1024
    assert config.keepalive_timeout_seconds == 15.0 and config.access_log == "errors"
    assert config.redis.timeout_seconds == 1.0 and config.redis.retry_after_seconds == 2
    assert config.sites[0].allow == ("a@b.org",) and config.sites[0].rate_limit is None
    assert config.moderators == () and config.model_path is None
    rated = Config.from_mapping(
        {
            "sites": [
                {"id": "news", "api_key": "0123456789abcdefgh", "rate_limit": {"per_minute": 6}}
            ]
        }
    )
    limit = rated.sites[0].rate_limit
    assert limit is not None and limit.burst == 6  # a minute's worth by default
    # secrets stay out of reprs (tracebacks, logs)
    signed = Config.from_mapping(
        {"sites": [{"id": "news", "api_key": "0123456789abcdefgh", "signing_secret": "s" * 20}]}
    )
    assert "s" * 20 not in repr(signed)


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ({"server": {"port": True}}, "server.port"),
        ({"server": {"host": ""}}, "server.host: must not be empty"),
        ({"redis": {"timeout_seconds": float("nan")}}, "redis.timeout_seconds: must be a finite"),
        ({"intake": {"check_deliverability": 1}}, "intake.check_deliverability: must be true"),
        ({"model": {"path": 3}}, "model.path"),
        ({"server": 3}, "server: must be a table"),
        ({"moderators": {}}, "moderators: must be an array of tables"),
    ],
)
def test_values_of_the_wrong_type_are_refused(raw: dict[str, object], named: str) -> None:
    site = {"id": "news", "api_key": "0123456789abcdefgh"}
    with pytest.raises(ConfigError, match=re.escape(named)):
        Config.from_mapping({"sites": [site], **raw})


def test_a_bad_environment_override_names_the_variable(tmp_path: Path) -> None:
    path = _good(tmp_path)
    for name, value in (("MODERATION_PORT", "80x"), ("MODERATION_REDIS_URL", "http://x")):
        with pytest.raises(ConfigError, match=f"^{name}: "):
            resolve(Overrides(), {"MODERATION_CONFIG": str(path), name: value})
    with pytest.raises(ConfigError, match=r"^host: must not be empty"):
        resolve(Overrides(config=path, host=""), {})


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    path = _good(tmp_path)
    env = {
        "MODERATION_CONFIG": str(path),
        "MODERATION_REDIS_URL": "redis://127.0.0.1:7000/1",
        "MODERATION_PORT": "9123",
        "MODERATION_DATA_DIR": str(tmp_path / "elsewhere"),
    }
    config, notice = resolve(Overrides(), env)
    assert notice is None
    assert config.redis.url == "redis://127.0.0.1:7000/1"
    assert config.port == 9123
    assert config.data_dir == tmp_path / "elsewhere"
    # the command line wins over the environment
    config, _ = resolve(Overrides(port=9999), env)
    assert config.port == 9999


def test_first_run_writes_a_config_with_fresh_secrets(tmp_path: Path) -> None:
    data = tmp_path / "data"
    config, notice = resolve(Overrides(data_dir=data), {})
    written = data / "moderation.toml"
    assert notice is not None and str(written) in notice
    assert written.exists()
    assert (written.stat().st_mode & 0o777) == 0o600
    assert [s.id for s in config.sites] == ["default"]
    assert len(config.moderators) == 1 and config.moderators[0].sites == ("*",)
    assert config.redis.url is None  # embedded Redis
    # a second run reads the same file and writes nothing
    again, notice2 = resolve(Overrides(data_dir=data), {})
    assert notice2 is None
    assert again.sites[0].api_key_sha256 == config.sites[0].api_key_sha256
    other, _ = resolve(Overrides(data_dir=tmp_path / "other"), {})
    assert other.sites[0].api_key_sha256 != config.sites[0].api_key_sha256


def _cli(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "moderation", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_cli_config_error_is_one_line(tmp_path: Path) -> None:
    bad = _write(tmp_path, "[[sites]]\nid='news'\napi_key='short'\n")
    result = _cli("serve", "--config", str(bad))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "api_key" in result.stderr and "Traceback" not in result.stderr
    missing = _cli("serve", "--config", str(tmp_path / "nope.toml"))
    assert missing.returncode == 2 and "not found" in missing.stderr


def test_cli_hash_secret() -> None:
    result = _cli("hash-secret", stdin="my-secret-value-0123\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == sha256_hex("my-secret-value-0123")


def test_a_site_key_can_be_rotated_without_a_gap(tmp_path: Path) -> None:
    from moderation.web.auth import Authenticator

    old, new = "old-site-key-0123456789", "new-site-key-0123456789"
    text = f"[[sites]]\nid = 'news'\napi_key = ['{new}']\napi_key_sha256 = ['{sha256_hex(old)}']\n"
    config = Config.load(_write(tmp_path, text))
    auth = Authenticator(config)
    assert auth.site_for_key(old) is auth.site_for_key(new) is config.sites[0]
    assert auth.site_for_key("another-key-0123456789") is None
    with pytest.raises(ConfigError, match="twice"):
        Config.load(_write(tmp_path, f"[[sites]]\nid = 'news'\napi_key = ['{new}', '{new}']\n"))


def test_cli_refuses_what_would_fail_later_with_one_line(tmp_path: Path) -> None:
    """Mistakes an operator makes on the first day: each is one line and a non-zero exit,
    never a traceback."""
    config = tmp_path / "moderation.toml"
    config.write_text('[[sites]]\nid = "news"\napi_key = "a-site-key-0123456789"\n')
    cases = [
        (("--port", "99999"), "0-65535"),
        (("--log-level", "loud"), "invalid choice"),
    ]
    for extra, expected in cases:
        result = _cli("serve", "--config", str(config), *extra)
        assert result.returncode == 2 and expected in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    missing_model = tmp_path / "with-model.toml"
    missing_model.write_text(config.read_text() + '[model]\npath = "nope.skops"\n')
    result = _cli("serve", "--config", str(missing_model), "--data-dir", str(tmp_path / "d"))
    assert result.returncode == 2 and "model.path: no such model file" in result.stderr
    assert "Traceback" not in result.stderr
    short = _cli("hash-secret", stdin="short\n")
    assert short.returncode == 2 and "at least 16 characters" in short.stderr
    assert short.stdout == ""


def test_cli_port_in_use_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "moderation.toml"
    config.write_text('[[sites]]\nid = "news"\napi_key = "a-site-key-0123456789"\n')
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for workers in ("1", "2"):  # with workers: refused at once, not restarted for ever
            result = _cli(
                "serve",
                *("--config", str(config), "--data-dir", str(tmp_path / "d")),
                *("--port", str(port), "--workers", workers),
            )
            assert result.returncode == serving.EXIT_CANNOT_LISTEN, result.stderr
            assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
            assert "Traceback" not in result.stderr


def test_the_cluster_and_its_replicas_come_from_the_environment_too(tmp_path: Path) -> None:
    path = _good(tmp_path)
    env = {
        "MODERATION_CONFIG": str(path),
        "MODERATION_REDIS_URL": "redis://10.0.0.7:7000",
        "MODERATION_REDIS_CLUSTER": "1",
        "MODERATION_REDIS_ACK_REPLICAS": "1",
    }
    config, _ = resolve(Overrides(), env)
    assert config.redis.cluster is True and config.redis.ack_replicas == 1
    assert config.redis.url == "redis://10.0.0.7:7000"
    plain, _ = resolve(Overrides(), {"MODERATION_CONFIG": str(path)})
    assert plain.redis.cluster is False and plain.redis.ack_replicas == 0  # the defaults
    for name, value in (
        ("MODERATION_REDIS_CLUSTER", "maybe"),
        ("MODERATION_REDIS_ACK_REPLICAS", "-1"),
    ):
        with pytest.raises(ConfigError, match=name):
            resolve(Overrides(), {**env, name: value})
