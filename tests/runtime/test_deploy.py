"""The deployment files: docker-compose.yml, the Dockerfile, .dockerignore and the example
config.  No Docker engine runs here, so these tests read the files and hold them to what
the service really does: the routes its health checks call exist, the environment it is
given is the environment it reads, and the example config loads."""

from __future__ import annotations

import dataclasses
import fnmatch
import hashlib
import io
import ipaddress
import json
import re
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from moderation import cli
from moderation.app import create_app
from moderation.config import Config, Overrides, resolve
from moderation.runtime import serving

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
EXAMPLE_CONFIG = ROOT / "deploy" / "moderation.example.toml"


def _compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _service(name: str) -> dict[str, Any]:
    service = _compose()["services"][name]
    assert isinstance(service, dict)
    return service


def _words(value: str | list[str]) -> list[str]:
    """A compose command or healthcheck test as a list of words."""
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):  # the ["KEY=value", ...] form
        return dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def _mounts(service: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(source, target, read_only) of each volume entry, short or long syntax."""
    mounts = []
    for entry in service.get("volumes", []):
        if isinstance(entry, str):
            source, target, *mode = entry.split(":")
            mounts.append((source, target, "ro" in (mode[0].split(",") if mode else [])))
        else:
            mounts.append((entry["source"], entry["target"], bool(entry.get("read_only"))))
    return mounts


def _seconds(duration: str | int) -> float:
    """A compose duration ("20s", "1m30s") in seconds."""
    if isinstance(duration, int):
        return float(duration)
    parts = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?", duration.strip())
    assert parts and duration.strip(), f"not a duration: {duration!r}"
    hours, minutes, seconds = (float(p) if p else 0.0 for p in parts.groups())
    return hours * 3600 + minutes * 60 + seconds


CLUSTER_VARIABLES = {"MODERATION_REDIS_CLUSTER", "MODERATION_REDIS_ACK_REPLICAS"}


def _variables_read() -> set[str]:
    """The MODERATION_* variables the config module reads, found in its source rather
    than listed here."""
    package = ROOT / "moderation" / "config"
    source = "".join(p.read_text(encoding="utf-8") for p in sorted(package.glob("*.py")))
    return set(re.findall(r'"(MODERATION_[A-Z_]+)"', source))


def _get_routes() -> set[str]:
    """The GET routes of the app built from the example config (no I/O: only the router
    is read)."""
    app = create_app(Config.load(EXAMPLE_CONFIG))
    return {r.resource.canonical for r in app.router.routes() if r.method == "GET" and r.resource}


def _url_path(words: list[str]) -> tuple[int, str]:
    """The (port, path) of the one http://127.0.0.1 URL in a health check command."""
    found = re.findall(r"http://127\.0\.0\.1:(\d+|%s)(/[\w./-]*)", " ".join(words))
    assert len(found) == 1, f"expected one local URL in {words}"
    port, path = found[0]
    return (8080 if port == "%s" else int(port)), path


# ---------------------------------------------------------------------------------------
# docker-compose.yml


def _default_services() -> set[str]:
    """The services `docker compose up` starts: those in no profile."""
    return {name for name, service in _compose()["services"].items() if not service.get("profiles")}


def test_compose_runs_the_service_and_redis() -> None:
    assert _default_services() == {"redis", "moderation"}
    profiles = {p for s in _compose()["services"].values() for p in s.get("profiles", [])}
    assert profiles == {"cluster"}


def test_redis_keeps_data_with_aof_in_a_named_volume() -> None:
    redis = _service("redis")
    assert str(redis["image"]).startswith("redis:7")
    command = " ".join(_words(redis["command"]))
    assert "--appendonly yes" in command
    assert "--appendfsync always" in command  # an acknowledged comment is on disk
    named = _compose().get("volumes") or {}
    data = [source for source, target, _ in _mounts(redis) if target == "/data"]
    assert data and data[0] in named, "/data must be a named volume declared under volumes:"
    assert "ports" not in redis, "Redis has no password here: keep it off the host's ports"


def test_redis_has_a_ping_healthcheck() -> None:
    test = _words(_service("redis")["healthcheck"]["test"])
    assert test[0] in ("CMD", "CMD-SHELL")
    assert "redis-cli" in " ".join(test) and "ping" in test[-1]


def test_moderation_waits_for_a_healthy_redis() -> None:
    depends = _service("moderation")["depends_on"]
    assert depends["redis"]["condition"] == "service_healthy"


def test_moderation_gets_only_environment_the_service_reads(tmp_path: Path) -> None:
    service = _service("moderation")
    env = _environment(service)
    read = _variables_read()
    # the two [redis] cluster variables are read once moderation/config/ has them (issue 15)
    assert read - CLUSTER_VARIABLES == {
        "MODERATION_CONFIG",
        "MODERATION_REDIS_URL",
        "MODERATION_PORT",
        "MODERATION_DATA_DIR",
    }
    assert set(env) <= read, f"variables the service never reads: {set(env) - read}"
    assert env["MODERATION_REDIS_URL"] == "redis://redis:6379/0"

    # MODERATION_CONFIG names a read-only bind mount of a file under ./deploy/.
    mounts = {target: (source, ro) for source, target, ro in _mounts(service)}
    assert env["MODERATION_CONFIG"] in mounts
    config_source, read_only = mounts[env["MODERATION_CONFIG"]]
    assert read_only and config_source.startswith("./deploy/")

    # And the service, given that environment, runs on that Redis with that file
    # (the example config standing in for the operator's copy).
    environ = {**env, "MODERATION_CONFIG": str(EXAMPLE_CONFIG)}
    config, notice = resolve(Overrides(data_dir=tmp_path), environ)
    assert notice is None
    assert config.redis.url == "redis://redis:6379/0"
    assert config.source == EXAMPLE_CONFIG


def test_moderation_is_published_restarted_and_drained() -> None:
    service = _service("moderation")
    assert service["build"] in (".", {"context": "."})
    # the host's loopback only: the proxy in front does TLS, /metrics stays private
    assert [str(p) for p in service["ports"]] == ["127.0.0.1:8080:8080"]
    assert service["restart"] == "unless-stopped"
    grace = _seconds(service["stop_grace_period"])
    assert grace >= 15 and grace > serving.SHUTDOWN_GRACE_SECONDS


def test_moderation_healthcheck_calls_readyz() -> None:
    test = _words(_service("moderation")["healthcheck"]["test"])
    assert test[0] in ("CMD", "CMD-SHELL")
    port, path = _url_path(test)
    assert path == "/readyz" and path in _get_routes()
    assert port == 8080


def test_docker_compose_config_accepts_the_file(tmp_path: Path) -> None:
    """Only where a Docker client with the compose plugin is installed (not required)."""
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no docker client")
    probe = subprocess.run(
        [docker, "compose", "version"], capture_output=True, text=True, timeout=30, check=False
    )
    if probe.returncode != 0:
        pytest.skip("docker client without the compose plugin")

    def resolved(*profile: str) -> dict[str, Any]:
        result = subprocess.run(
            [docker, "compose", "-f", str(COMPOSE), *profile, "config", "--format", "json"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=ROOT,
        )
        assert result.returncode == 0, result.stderr
        services: dict[str, Any] = json.loads(result.stdout)["services"]
        return services

    assert set(resolved()) == {"redis", "moderation"}
    # ... and with the cluster profile, every service, YAML merge keys resolved
    services = resolved("--profile", "cluster")
    assert set(services) == set(_compose()["services"])
    assert services["moderation-a"]["environment"]["MODERATION_REDIS_CLUSTER"] == "1"


# ---------------------------------------------------------------------------------------
# docker-compose.yml, profile `cluster`: Redis Cluster, two instances, a load balancer

HAPROXY_CONFIG = ROOT / "deploy" / "haproxy.cfg"
CLUSTER_INSTANCES = {"moderation-a", "moderation-b"}


def _cluster_services() -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in _compose()["services"].items()
        if "cluster" in service.get("profiles", [])
    }


def _nodes() -> dict[str, dict[str, Any]]:
    """The cluster's Redis nodes: the services whose redis-server runs in cluster mode."""
    return {
        name: service
        for name, service in _cluster_services().items()
        if "--cluster-enabled" in _words(service.get("command", []))
    }


def _option(words: list[str], name: str) -> str:
    """The value of a redis-server option given as `--name value`."""
    assert words.count(name) == 1, f"expected {name} once in {words}"
    return words[words.index(name) + 1]


def _node_address(service: dict[str, Any]) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(service["networks"]["redis-cluster"]["ipv4_address"])


def test_cluster_profile_holds_the_cluster_and_nothing_else() -> None:
    services = _cluster_services()
    assert set(services) == set(_nodes()) | {"redis-cluster-init", "moderation-lb"} | (
        CLUSTER_INSTANCES
    )
    for name, service in services.items():
        assert service["profiles"] == ["cluster"], name
        assert set(service["networks"]) == {"redis-cluster"}, name  # a list or a mapping
    # the default deployment neither depends on a cluster service nor shares its network
    for name in _default_services():
        service = _service(name)
        assert not set(service.get("depends_on", {})) & set(services), name
        assert "networks" not in service, name


def test_six_cluster_nodes_keep_data_with_aof_and_announce_their_names() -> None:
    nodes = _nodes()
    assert len(nodes) == 6
    named = _compose().get("volumes") or {}
    volumes = set()
    for name, node in nodes.items():
        assert str(node["image"]).split(":")[0] == "redis" and str(node["image"]).startswith(
            "redis:7"
        ), name
        words = _words(node["command"])
        assert words[0] == "redis-server"
        assert _option(words, "--cluster-enabled") == "yes"
        assert _option(words, "--appendonly") == "yes"
        assert _option(words, "--appendfsync") == "always"  # an acknowledged write is on disk
        assert _option(words, "--cluster-config-file") == "nodes.conf"  # kept in /data
        # clients are told names the other containers resolve, not container-local IPs
        assert _option(words, "--cluster-announce-hostname") == name
        assert _option(words, "--cluster-preferred-endpoint-type") == "hostname"
        data = [source for source, target, _ in _mounts(node) if target == "/data"]
        assert data and data[0] in named, f"{name}: /data must be a named volume"
        volumes.add(data[0])
        assert "ports" not in node, f"{name}: no password here, keep it off the host's ports"
        test = _words(node["healthcheck"]["test"])
        assert "redis-cli" in " ".join(test) and "ping" in test[-1]
        assert node["restart"] == "unless-stopped"
        assert _seconds(node["stop_grace_period"]) >= 10  # time to flush the AOF
    assert len(volumes) == 6, "each node has its own data volume"


def test_cluster_nodes_have_fixed_addresses_on_their_network() -> None:
    """nodes.conf names peers by IP: fixed ones keep a recreated cluster together."""
    network = _compose()["networks"]["redis-cluster"]
    subnet = ipaddress.IPv4Network(network["ipam"]["config"][0]["subnet"])
    addresses = [_node_address(node) for node in _nodes().values()]
    assert len(set(addresses)) == 6
    assert all(address in subnet for address in addresses)


def test_cluster_init_creates_the_cluster_once() -> None:
    init = _service("redis-cluster-init")
    assert str(init["image"]).startswith("redis:7")
    assert init.get("restart", "no") == "no"  # one shot
    assert {name: d["condition"] for name, d in init["depends_on"].items()} == dict.fromkeys(
        _nodes(), "service_healthy"
    )
    command = _words(init["command"])
    assert command[:2] == ["sh", "-c"]
    script = command[2]
    # compose would read a lone $ as its own variable: the shell's are written $$
    assert not re.search(r"(?<!\$)\$(?!\$)", script.replace("$$", ""))
    create_lines = [line for line in script.splitlines() if "--cluster create" in line]
    assert len(create_lines) == 1
    create = shlex.split(create_lines[0])
    assert create[:3] == ["redis-cli", "--cluster", "create"]
    assert _option(create, "--cluster-replicas") == "1"  # three masters, three replicas
    assert "--cluster-yes" in create
    # every node, by the fixed address CLUSTER MEET is sent to
    named = {a for a in create[3:] if not a.startswith("--") and ":" in a}
    assert named == {f"{_node_address(node)}:6379" for node in _nodes().values()}
    # idempotent: the create runs only if the cluster does not serve every slot already
    before = script[: script.index("--cluster create")]
    assert re.search(r"\bif\b.*cluster info.*cluster_slots_assigned:16384", before)
    assert "cluster_state:ok" in script[script.index("--cluster create") :]


def test_cluster_instances_are_built_like_the_service() -> None:
    single = _service("moderation")
    nodes = _nodes()
    for name in CLUSTER_INSTANCES:
        service = _service(name)
        assert service["build"] == single["build"] and service["image"] == single["image"]
        assert service["depends_on"] == {
            "redis-cluster-init": {"condition": "service_completed_successfully"}
        }
        assert "ports" not in service, f"{name}: reached through the load balancer only"
        assert service["restart"] == "unless-stopped" and service["init"] is True
        grace = _seconds(service["stop_grace_period"])
        assert grace >= 15 and grace > serving.SHUTDOWN_GRACE_SECONDS
        port, path = _url_path(_words(service["healthcheck"]["test"]))
        assert (port, path) == (8080, "/readyz") and path in _get_routes()

        env = _environment(service)
        assert env["MODERATION_REDIS_CLUSTER"] == "1"
        assert env["MODERATION_REDIS_ACK_REPLICAS"] == "1"
        url = re.fullmatch(r"redis://([\w-]+):6379", env["MODERATION_REDIS_URL"])
        assert url and url.group(1) in nodes, "the URL names one node of the cluster"
        mounts = {target: (source, ro) for source, target, ro in _mounts(service)}
        assert mounts[env["MODERATION_CONFIG"]] == (
            "./deploy/moderation.toml",
            True,
        )
    data = {
        source
        for name in CLUSTER_INSTANCES
        for source, target, _ in _mounts(_service(name))
        if target == "/var/lib/moderation"
    }
    assert len(data) == 2 and not data & {"moderation-data"}, "a data folder each"


def test_cluster_instances_get_environment_the_service_reads(tmp_path: Path) -> None:
    read = _variables_read()
    if not CLUSTER_VARIABLES <= read:
        pytest.skip("moderation/config/ does not read the [redis] cluster variables yet")
    for name in sorted(CLUSTER_INSTANCES):
        env = _environment(_service(name))
        assert set(env) <= read, f"{name}: variables the service never reads: {set(env) - read}"
        environ = {**env, "MODERATION_CONFIG": str(EXAMPLE_CONFIG)}
        config, notice = resolve(Overrides(data_dir=tmp_path), environ)
        assert notice is None
        redis = dataclasses.asdict(config.redis)
        assert redis["url"] == env["MODERATION_REDIS_URL"]
        assert redis["cluster"] is True and redis["ack_replicas"] == 1


def _haproxy() -> dict[str, list[list[str]]]:
    """deploy/haproxy.cfg as {"section name": [words of each line]}, comments dropped."""
    sections: dict[str, list[list[str]]] = {}
    current: list[list[str]] = []
    for raw in HAPROXY_CONFIG.read_text(encoding="utf-8").splitlines():
        words = raw.split("#", 1)[0].split()
        if not words:
            continue
        if not raw[0].isspace():
            current = sections.setdefault(" ".join(words), [])
        else:
            current.append(words)
    return sections


def test_load_balancer_is_published_on_loopback_only() -> None:
    lb = _service("moderation-lb")
    assert str(lb["image"]).startswith("haproxy:")
    assert set(lb["depends_on"]) == CLUSTER_INSTANCES
    mounts = {target: (source, ro) for source, target, ro in _mounts(lb)}
    assert mounts["/usr/local/etc/haproxy/haproxy.cfg"] == ("./deploy/haproxy.cfg", True)
    ports = [str(p) for p in lb["ports"]]
    assert len(ports) == 1 and ports[0].startswith("127.0.0.1:")
    host, container = ports[0].split(":")[1:]
    binds = [line for line in _haproxy()["frontend moderation"] if line[0] == "bind"]
    assert binds == [["bind", f":{container}"]]
    # `--profile cluster up` with no service named starts the default pair as well:
    # their host ports must not clash
    services = _compose()["services"].values()
    published = [str(p).rsplit(":", 1)[0] for s in services for p in s.get("ports", [])]
    assert len(published) == len(set(published)) and f"127.0.0.1:{host}" in published
    assert lb["restart"] == "unless-stopped"
    assert lb["stop_signal"] == "SIGUSR1"  # haproxy's soft stop: requests in flight finish


def test_load_balancer_sends_to_both_instances_while_ready() -> None:
    backend = _haproxy()["backend moderation"]
    servers = [line for line in backend if line[0] == "server"]
    assert {line[1] for line in servers} == CLUSTER_INSTANCES
    assert {line[2] for line in servers} == {f"{name}:8080" for name in CLUSTER_INSTANCES}
    assert all("check" in line for line in servers)
    assert ["option", "httpchk"] in backend
    send = next(line for line in backend if line[:2] == ["http-check", "send"])
    path = send[send.index("uri") + 1]
    assert path == "/readyz" and path in _get_routes()
    assert ["http-check", "expect", "status", "200"] in backend
    assert ["mode", "http"] in _haproxy()["defaults"]


def test_haproxy_accepts_its_config() -> None:
    """Only where haproxy is installed (not required)."""
    haproxy = shutil.which("haproxy")
    if haproxy is None:
        pytest.skip("no haproxy")
    result = subprocess.run(
        [haproxy, "-c", "-f", str(HAPROXY_CONFIG)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------------------------------------------------
# Dockerfile and .dockerignore


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        lines.append(pending + stripped)
        pending = ""
    assert not pending, "a continuation line runs off the end of the Dockerfile"
    result = []
    for line in lines:
        word, _, rest = line.partition(" ")
        result.append((word.upper(), rest.strip()))
    return result


def _final_stage() -> list[tuple[str, str]]:
    instructions = _instructions()
    last_from = max(i for i, (word, _) in enumerate(instructions) if word == "FROM")
    return instructions[last_from:]


def _one(stage: list[tuple[str, str]], word: str) -> str:
    found = [args for w, args in stage if w == word]
    assert len(found) == 1, f"expected one {word} in the final stage, found {len(found)}"
    return found[0]


def test_dockerfile_base_user_and_port() -> None:
    stage = _final_stage()
    assert stage[0][1].split()[0] == "python:3.11-slim"
    users = [args for w, args in stage if w == "USER"]
    assert users and users[-1] not in ("root", "0", "0:0")
    assert "8080" in _one(stage, "EXPOSE").split()
    installs = [args for w, args in _instructions() if w == "RUN" and "pip " in args]
    assert any(re.search(r"\bpip (install|wheel)\b.*", a) for a in installs)


def test_dockerfile_installs_the_locked_versions() -> None:
    """The image takes every dependency from the lock, hash-checked, like ./run serve."""
    installs = " ".join(args for w, args in _instructions() if w == "RUN" and "pip " in args)
    locked = r"pip wheel --require-hashes --no-deps .*-r requirements/service\.txt"
    assert re.search(locked, installs)
    assert "--no-build-isolation" in installs  # setuptools from the lock, not the day's


def test_dockerfile_runs_moderation_serve_on_all_interfaces() -> None:
    cmd = json.loads(_one(_final_stage(), "CMD"))  # exec form: SIGTERM reaches the service
    assert cmd[:2] == ["moderation", "serve"]
    assert cmd[cmd.index("--host") + 1] == "0.0.0.0"
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    assert scripts["moderation"] == "moderation.cli:main"
    args = cli._parser().parse_args(cmd[1:])  # the real parser accepts these arguments
    assert args.command == "serve" and args.host == "0.0.0.0"


def test_dockerfile_healthcheck_calls_a_real_route() -> None:
    healthcheck = _one(_final_stage(), "HEALTHCHECK")
    assert "urllib" in healthcheck  # python:3.11-slim has no curl
    command = json.loads(healthcheck[healthcheck.index("CMD") + 3 :].strip())
    assert command[0] == "python"
    port, path = _url_path(command)
    assert path == "/healthz" and path in _get_routes()
    assert port == 8080


def test_dockerfile_data_dir_is_a_volume() -> None:
    stage = _final_stage()
    env = " ".join(args for w, args in stage if w == "ENV")
    data_dir = re.search(r"MODERATION_DATA_DIR=(\S+)", env)
    assert data_dir, "the image should set MODERATION_DATA_DIR"
    volumes = json.loads(_one(stage, "VOLUME"))
    assert data_dir.group(1) in volumes


def _matches(pattern: str, path: str) -> bool:
    parts = path.split("/")
    if pattern.startswith("**/"):  # at any depth
        rest = pattern[3:]
        spans = ((i, j) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1))
        return any(fnmatch.fnmatchcase("/".join(parts[i:j]), rest) for i, j in spans)
    # A pattern that matches a directory covers everything under it.
    prefixes = ("/".join(parts[: i + 1]) for i in range(len(parts)))
    return any(fnmatch.fnmatchcase(prefix, pattern) for prefix in prefixes)


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule, simplified: the last pattern that matches decides."""
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        if _matches(pattern.removeprefix("!").strip("/"), path):
            ignored = not negate
    return ignored


def test_dockerignore_keeps_secrets_and_clutter_out() -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for path in (
        "deploy/moderation.toml",
        "data/moderation.toml",
        ".git/config",
        ".venv/bin/python",
        "tests/conftest.py",
        "moderation/__pycache__/app.cpython-311.pyc",
    ):
        assert _ignored(path, patterns), f"{path} would be sent to the Docker build"
    for path in (
        "pyproject.toml",
        "requirements/service.txt",
        "moderation/app.py",
        "classifier/data/seed_corpus.jsonl",
    ):
        assert not _ignored(path, patterns), f"{path} is needed by the image build"


# ---------------------------------------------------------------------------------------
# The example config


def test_example_config_loads() -> None:
    config = Config.load(EXAMPLE_CONFIG)
    assert config.sites and config.moderators
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    # Digests only: the example holds no usable secret.
    assert all("api_key" not in site for site in raw["sites"])
    assert all("api_key_sha256" in site for site in raw["sites"])
    assert all("token_sha256" in m and "token" not in m for m in raw["moderators"])
    assert "hash-secret" in text


def test_hash_secret_prints_the_digest_the_config_expects(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a-new-site-key-0123456789\n"))
    assert cli.main(["hash-secret"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == hashlib.sha256(b"a-new-site-key-0123456789").hexdigest()
    config = Config.from_mapping(
        {
            "sites": [{"id": "news", "api_key_sha256": printed}],
            "moderators": [],
        }
    )
    assert config.sites[0].api_key_sha256 == printed


def test_every_documented_config_key_is_one_the_loader_takes() -> None:
    """The README's config block and the example config, with every commented-out key
    switched on, load as they are: a key the docs show but the loader refuses (or a
    renamed one) fails here, not on an operator's first day."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Configuration", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    secrets = iter(f'"documented-secret-{i:02d}"' for i in range(100))
    documented = tomllib.loads(re.sub('"\\.\\.\\."', lambda _: next(secrets), block))
    config = Config.from_mapping(documented)
    assert config.sites[0].rate_limit is not None and config.moderators[0].name == "night-shift"
    # ... and every key the loader takes is in the README (a key may stand in a comment:
    # "api_key_sha256" and "token_sha256" are alternatives shown beside their plain forms)
    from moderation.config import loading as loader

    known = (
        loader._SERVER_KEYS
        | loader._REDIS_KEYS
        | loader._INTAKE_KEYS
        | loader._MODEL_KEYS
        | loader._LEARNING_KEYS
        | loader._SITE_KEYS
        | loader._MODERATOR_KEYS
    )
    assert sorted(k for k in known if not re.search(rf"\b{k}\b", block)) == []

    lines = []
    for line in EXAMPLE_CONFIG.read_text().splitlines():
        # "# key = value" and "# [table]" lines are optional; prose has neither
        if re.match(r"^# ?([a-z_]+ = |\[[a-z]+\]$)", line) and not line.startswith("# url"):
            line = line.lstrip("# ")
        lines.append(line)
    example = tomllib.loads("\n".join(lines))
    assert "ip_rate_limit" in example["sites"][0] and example["moderators"][1]["admin"] is True
    Config.from_mapping(example)
