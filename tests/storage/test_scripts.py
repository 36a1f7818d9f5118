"""The scripts' named interfaces (moderation/storage/scripts.py): each name reaches its script
at its own position, a call with a missing or extra name cannot be sent, and a body
that could let a position slip does not import.  Against a real redis-server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, TypedDict

import pytest
from redis.asyncio import Redis

from moderation.storage import scripts
from moderation.storage.scripts import Script, ScriptArgumentError


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


async def test_every_script_compiles_in_redis_under_its_sha(redis: Redis) -> None:
    for script in scripts.SCRIPTS:
        assert await redis.script_load(script.source) == script.sha, script.name


def test_no_body_reads_keys_or_argv_by_position() -> None:
    for script in scripts.SCRIPTS:
        prologue, body = script.source.split("\n\n", 1)
        assert prologue.startswith(f"-- {script.name}: KEYS and ARGV by name")
        assert "KEYS[" not in body and "ARGV[" not in body, script.name


class EchoKeys(TypedDict):
    first: str
    second: str


class EchoArgv(TypedDict):
    alpha: str
    beta: int


ECHO = Script(
    "ECHO",
    EchoKeys,
    EchoArgv,
    "return {first, second, alpha, beta, #more_keys, more_keys[2] or '', #more_args}",
    keys_tail="more_keys",
    argv_tail="more_args",
)


async def test_each_name_reaches_its_own_position(redis: Redis) -> None:
    # given in another order than declared: the names decide, not the order
    command = ECHO.command(
        {"second": "{s}:2", "first": "{s}:1"},
        {"beta": 7, "alpha": "a"},
        keys_tail=["{s}:3", "{s}:4"],
        argv_tail=["x"],
    )
    assert command == ("EVALSHA", ECHO.sha, 4, "{s}:1", "{s}:2", "{s}:3", "{s}:4", "a", 7, "x")
    reply = await redis.eval(ECHO.source, *command[2:])
    assert reply == ["{s}:1", "{s}:2", "a", "7", 2, "{s}:4", 1]


def test_the_real_scripts_take_their_names_in_declared_order() -> None:
    for script in scripts.SCRIPTS:
        keys = {name: f"key:{name}" for name in script.key_names}
        argv = {name: f"arg:{name}" for name in script.arg_names}
        command = script.command(keys, argv)  # type: ignore[arg-type]
        assert command[:3] == ("EVALSHA", script.sha, len(keys))
        assert command[3:] == (*keys.values(), *argv.values())


def test_a_missing_or_extra_name_raises_and_says_which() -> None:
    # mypy refuses these calls already; these dicts are typed Any to get past it
    two: Any = {"first": "k", "second": "k"}
    argv: Any = {"alpha": "a", "beta": 1}
    with pytest.raises(ScriptArgumentError, match=r"KEYS missing \['second'\]"):
        ECHO.command({"first": "k"}, argv)  # type: ignore[typeddict-item]
    with pytest.raises(ScriptArgumentError, match=r"ARGV not declared \['gamma'\]"):
        ECHO.command(two, {**argv, "gamma": 2})  # type: ignore[typeddict-item, typeddict-unknown-key]
    with pytest.raises(ScriptArgumentError, match=r"ARGV missing \['beta'\].*not declared"):
        ECHO.command(two, {"alpha": "a", "bet": 1})  # type: ignore[typeddict-item]
    with pytest.raises(ScriptArgumentError, match="no KEYS or ARGV past"):
        scripts.PAGE.command(
            {"index": "k"},
            {
                "descending": "1",
                "limit": 1,
                "cursor_member": "",
                "cursor_score": "0",
                "min_score": "-inf",
                "max_score": "+inf",
            },
            argv_tail=["one too many"],
        )


class OneKey(TypedDict):
    key: str


class OneArg(TypedDict):
    value: str


class Clash(TypedDict):
    key: str


class Keyword(TypedDict):
    end: str


@pytest.mark.parametrize(
    ("keys", "argv", "body", "problem"),
    [
        (OneKey, OneArg, "return redis.call('GET', KEYS[1]) .. value .. key", "by position"),
        (OneKey, OneArg, "return redis.call('GET', key)", "'value' is declared but"),
        (OneKey, OneArg, "-- value\nreturn redis.call('GET', key, 'value')", "'value' is declared"),
        (OneKey, OneArg, "local value = 1\nreturn {key, value}", "declares 'value' again"),
        (OneKey, OneArg, "local a, key = 1, 2\nreturn {key, value}", "declares 'key' again"),
        (OneKey, Clash, "return {key}", "'key' is declared twice"),
        (Keyword, OneArg, "return {value}", "'end' cannot be a Lua local"),
    ],
)
def test_a_body_that_could_let_a_position_slip_is_refused(
    keys: type[Any], argv: type[Any], body: str, problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        Script("BAD", keys, argv, body)
