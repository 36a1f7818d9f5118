"""moderation: a self-hosted comment moderation service (serve, erase, export-labels,
hash-secret)."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from moderation.config import Config, ConfigError, Overrides, resolve, sha256_hex
from moderation.core.logs import setup_logging
from moderation.runtime.serving import run_single

if TYPE_CHECKING:  # the model's imports are heavy: load them only when serving
    pass

log = logging.getLogger("moderation")

MIN_SECRET_CHARS = 16  # as the config requires of plain keys and tokens


T = TypeVar("T")


def _port_arg(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number 0-65535 (got {value})")
    return port


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="moderation", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--config", type=Path, help="TOML config file (env MODERATION_CONFIG)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=_port_arg, help="port (env MODERATION_PORT, default 8080)")
    serve.add_argument(
        "--data-dir", type=Path, help="data folder (env MODERATION_DATA_DIR, default ./data)"
    )
    serve.add_argument(
        "--workers", type=int, default=1, help="worker processes sharing the port (default 1)"
    )
    serve.add_argument(
        "--log-level",
        default="INFO",
        type=str.upper,
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="DEBUG, INFO (default), WARNING or ERROR",
    )
    erase = sub.add_parser(
        "erase", help="erase an author's personal data from stored comments (GDPR art. 17)"
    )
    erase.add_argument("--email", required=True, help="the author's email address")
    erase.add_argument("--site", help="only this site (default: every site)")
    erase.add_argument("--config", type=Path, help="TOML config file (env MODERATION_CONFIG)")
    erase.add_argument("--data-dir", type=Path, help="data folder (env MODERATION_DATA_DIR)")
    export = sub.add_parser(
        "export-labels",
        help="write approved and spam comments as JSONL for `python -m classifier train`",
    )
    export.add_argument("--site", required=True, help="the site whose decisions to export")
    export.add_argument("--out", type=Path, help="output file (default: stdout)")
    export.add_argument("--config", type=Path, help="TOML config file (env MODERATION_CONFIG)")
    export.add_argument("--data-dir", type=Path, help="data folder (env MODERATION_DATA_DIR)")
    sub.add_parser(
        "hash-secret",
        help="print the SHA-256 of a secret read from stdin, for api_key_sha256/token_sha256",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "hash-secret":
        secret = getpass.getpass("secret: ") if sys.stdin.isatty() else sys.stdin.readline()
        secret = secret.strip()
        if len(secret) < MIN_SECRET_CHARS:
            # the config refuses shorter plain keys; a digest of one would be accepted,
            # and an empty one would lock the site out without a word
            print(
                f"moderation: hash-secret: the secret must be at least {MIN_SECRET_CHARS} "
                f"characters (got {len(secret)}); make one with: python3 -c "
                "'import secrets; print(secrets.token_urlsafe(32))'",
                file=sys.stderr,
            )
            return 2
        print(sha256_hex(secret))
        return 0
    if args.command == "erase":
        return erase_command(args)
    if args.command == "export-labels":
        return export_command(args)
    return serve(args)


def _offline_config(args: argparse.Namespace) -> Config | None:
    """The config for a command that works on the data (not serving); None after
    printing the error."""
    try:
        config, _ = resolve(Overrides(config=args.config, data_dir=args.data_dir), os.environ)
    except ConfigError as exc:
        print(f"moderation: config error: {exc}", file=sys.stderr)
        return None
    return config


def _run_offline(
    what: str,
    work: Coroutine[Any, Any, T],
    explain: Callable[[Exception], tuple[str, int] | None] = lambda exc: None,
) -> T | int:
    """Run an offline command's work; on an error print one line (``explain``'s, or a
    generic one) and answer the exit status instead of a result."""
    import asyncio

    try:
        return asyncio.run(work)
    except Exception as exc:
        message, status = explain(exc) or (f"{what} failed: {type(exc).__name__}: {exc}", 1)
        print(f"moderation: {message}", file=sys.stderr)
        return status


def export_command(args: argparse.Namespace) -> int:
    from moderation.runtime.offline import run_export

    config = _offline_config(args)
    if config is None:
        return 2
    if config.site(args.site) is None:
        print(f"moderation: --site: no site '{args.site}' in the config", file=sys.stderr)
        return 2

    def explain(exc: Exception) -> tuple[str, int] | None:
        if isinstance(exc, OSError):
            return f"cannot write {args.out}: {exc.strerror}", 1
        return None

    counts = _run_offline("export", run_export(config, args.site, args.out), explain)
    if isinstance(counts, int):
        return counts
    print(f"exported {counts['ham']} ham and {counts['spam']} spam", file=sys.stderr)
    return 0


def erase_command(args: argparse.Namespace) -> int:
    """Erase from the command line, against the configured Redis or the embedded one
    (reused if the service is running, started for the occasion if not)."""
    from moderation.core.fields import FieldsInvalid
    from moderation.runtime.offline import run_erase

    config = _offline_config(args)
    if config is None:
        return 2

    def explain(exc: Exception) -> tuple[str, int] | None:
        return (str(exc), 2) if isinstance(exc, FieldsInvalid) else None

    erased = _run_offline("erase", run_erase(config, args.email, args.site), explain)
    if isinstance(erased, int):
        return erased
    total = sum(erased.comments.values())
    print(
        f"erased personal data from {total} comment(s): "
        + ", ".join(f"{site}={n}" for site, n in erased.comments.items())
    )
    rules = sum(erased.rules.values())
    if rules:
        print(
            f"removed {rules} rule(s) naming the email: "
            + ", ".join(f"{site}={n}" for site, n in erased.rules.items() if n)
        )
    return 0


def serve(args: argparse.Namespace) -> int:
    setup_logging(args.log_level.upper())
    overrides = Overrides(
        config=args.config, host=args.host, port=args.port, data_dir=args.data_dir
    )
    try:
        config, notice = resolve(overrides, os.environ)
    except ConfigError as exc:
        print(f"moderation: config error: {exc}", file=sys.stderr)
        return 2
    if notice:
        print(f"moderation: {notice}", file=sys.stderr)
    if args.workers < 1:
        print("moderation: --workers must be at least 1", file=sys.stderr)
        return 2
    if config.model_path is not None and not config.model_path.is_file():
        # refused now rather than serving 503 forever with a model that cannot load
        print(
            f"moderation: config error: model.path: no such model file: {config.model_path}",
            file=sys.stderr,
        )
        return 2
    config.data_dir.mkdir(parents=True, exist_ok=True)
    if args.workers > 1:
        from moderation.runtime.workers import run_workers

        return run_workers(config, args.workers)
    return run_single(config)
