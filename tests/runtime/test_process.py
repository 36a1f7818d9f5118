"""The real command: first run with the embedded Redis, serving, and SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from moderation.storage.redis_server import free_port


def _request(url: str, body: dict[str, Any] | None = None, token: str = "") -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    if data:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def _wait_ready(base: str, process: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        try:
            if _request(base + "/readyz")[0] == 200:
                return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.1)
    raise AssertionError("service did not become ready")


def _serve(data: Path, port: int, *extra: str) -> subprocess.Popen[str]:
    """``moderation serve`` on ``port`` with ``data`` as its data folder (and ``extra``
    arguments), with none of the MODERATION_ variables of this environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODERATION_")}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "moderation",
            "serve",
            "--data-dir",
            str(data),
            "--port",
            str(port),
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _stop(process: subprocess.Popen[str]) -> None:
    """Make sure a test's service is gone and its pipe closed, whatever happened."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
    if process.stderr:
        process.stderr.close()


def test_first_run_serves_with_embedded_redis_and_stops_on_sigterm(tmp_path: Path) -> None:
    data, port = tmp_path / "data", free_port()
    base = f"http://127.0.0.1:{port}"
    process = _serve(data, port)
    try:
        _wait_ready(base, process)
        config = tomllib.loads((data / "moderation.toml").read_text())
        key = config["sites"][0]["api_key"]
        token = config["moderators"][0]["token"]
        status, body = _request(
            base + "/v1/comments",
            {"id": "p1", "author_name": "Ann", "author_email": "ann@example.com", "content": "Hi!"},
            key,
        )
        assert status == 202, body
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
        assert process.stderr is not None
        stderr = process.stderr.read()
        process.stderr.close()
        assert "first run" in stderr and str(data / "moderation.toml") in stderr
        assert key not in stderr and token not in stderr  # secrets never printed
        assert "ann@example.com" not in stderr  # nor authors' emails

        # the comment survived the restart (AOF in the data folder)
        process = _serve(data, port)
        _wait_ready(base, process)
        status, queue = _request(base + "/v1/queue?site=default", token=token)
        assert status == 200
        assert [i["external_id"] for i in queue["items"]] == ["p1"]
    finally:
        _stop(process)
    # redis-server retitles itself "redis-server unixsocket:<dir>/redis.sock"
    leftover = subprocess.run(
        ["pgrep", "-f", "--", f"{(data / 'redis').resolve()}/"], capture_output=True, check=False
    )
    assert leftover.stdout == b""  # the embedded redis-server stopped with the service


def test_workers_share_one_port_aggregate_metrics_and_stop_together(tmp_path: Path) -> None:
    data, port = tmp_path / "data", free_port()
    base = f"http://127.0.0.1:{port}"
    process = _serve(data, port, "--workers", "2")
    try:
        _wait_ready(base, process)
        config = tomllib.loads((data / "moderation.toml").read_text())
        key = config["sites"][0]["api_key"]
        for i in range(40):
            # a fresh connection each time, so the kernel spreads them over both workers
            status, _ = _request(
                base + "/v1/comments",
                {
                    "id": f"w{i}",
                    "author_name": "Ann",
                    "author_email": "a@example.com",
                    "content": f"comment number {i}",
                },
                key,
            )
            assert status == 202
        metrics = urllib.request.urlopen(base + "/metrics", timeout=5).read().decode()
        line = 'moderation_comments_total{outcome="pending"}'
        # whichever worker answers the scrape reports every worker's count
        assert any(
            m.startswith(line) and float(m.split()[-1]) == 40.0 for m in metrics.splitlines()
        )
        pids = subprocess.run(
            ["pgrep", "-f", "multiprocessing.spawn"], capture_output=True, text=True, check=False
        ).stdout.split()
        assert len(pids) >= 2
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    finally:
        _stop(process)
    leftover = subprocess.run(
        ["pgrep", "-f", "--", f"{(data / 'redis').resolve()}/"], capture_output=True, check=False
    )
    assert leftover.stdout == b""


def test_a_model_reload_reaches_every_worker(tmp_path: Path) -> None:
    from classifier import Comment, train

    def tiny(path: Path, extra: str) -> str:
        comments = [
            Comment(content=f"buy cheap pills now http://bit.ly/x {extra}"),
            Comment(content="casino bonus click here http://win.example.top"),
            Comment(content="I agree with the article about the council"),
            Comment(content=f"Thanks for the report {extra}"),
        ]
        model = train(comments, [True, True, False, False], description=extra)
        model.save(path)
        return model.version

    model_file = tmp_path / "model.skops"
    first = tiny(model_file, "one")
    token = "admin-token-for-reload-0123"
    config = tmp_path / "moderation.toml"
    config.write_text(
        f'[model]\npath = "{model_file}"\n'
        '[[sites]]\nid = "news"\napi_key = "site-key-for-reload-0123"\n'
        f'[[moderators]]\nname = "boss"\ntoken = "{token}"\nsites = ["*"]\nadmin = true\n'
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = _serve(tmp_path / "data", port, "--config", str(config), "--workers", "2")
    try:
        _wait_ready(base, process)

        def versions() -> set[str]:
            seen = set()
            for _ in range(30):  # fresh connections land on both workers
                seen.add(_request(base + "/readyz")[1]["checks"]["model"]["version"])
            return seen

        assert versions() == {first}
        second = tiny(model_file, "two")
        status, body = _request(base + "/v1/model/reload", {"path": str(model_file)}, token)
        assert status == 422  # with several workers a path would reach one worker only
        status, body = _request(base + "/v1/model/reload", {}, token)
        assert status == 200, body
        deadline = time.monotonic() + 20
        while versions() != {second}:
            assert time.monotonic() < deadline, versions()
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    finally:
        _stop(process)
