"""The learning loop: decisions exported as labels, a new model swapped in live."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from classifier import Comment, train
from moderation.config import Config
from tests.conftest import ALICE, CONFIG_TOML, NEWS_KEY, ROOT, auth, comment_body

Client = TestClient[Any, Any]


def _tiny_model(path: Path) -> None:
    comments = [
        Comment(content="buy cheap pills now http://bit.ly/x"),
        Comment(content="casino bonus click here http://win.example.top"),
        Comment(content="I agree with the article about the council"),
        Comment(content="Thanks for the report, very informative"),
    ]
    train(comments, [True, True, False, False], description="tiny test model").save(path)


async def test_admin_reloads_a_model_and_a_bad_file_keeps_the_old(
    client: Client, tmp_path: Path
) -> None:
    before = (await (await client.get("/readyz")).json())["checks"]["model"]["version"]
    good = tmp_path / "tiny.skops"
    _tiny_model(good)
    assert (
        await client.post("/v1/model/reload", json={"path": str(good)}, headers=auth(ALICE))
    ).status == 403
    resp = await client.post("/v1/model/reload", json={"path": str(good)}, headers=auth(ROOT))
    assert resp.status == 200, await resp.text()
    after = (await resp.json())["version"]
    assert after != before
    assert (await (await client.get("/readyz")).json())["checks"]["model"]["version"] == after

    broken = tmp_path / "broken.skops"
    broken.write_bytes(b"PK\x03\x04 this is not a model")
    resp = await client.post("/v1/model/reload", json={"path": str(broken)}, headers=auth(ROOT))
    assert resp.status == 422
    problem = await resp.json(content_type=None)
    assert problem["errors"][0]["field"] == "path" and after in problem["errors"][0]["message"]
    # still scoring with the good model
    ok = await client.post("/v1/comments", json=comment_body(), headers=auth(NEWS_KEY))
    assert ok.status == 202
    record = await (
        await client.get(f"/v1/comments/{(await ok.json())['id']}", headers=auth(ALICE))
    ).json()
    assert record["model_version"] == after
    # a path is used once: a reload without one goes back to the configured model (here
    # the shipped default), as SIGHUP and a restart would
    resp = await client.post("/v1/model/reload", headers=auth(ROOT))
    assert resp.status == 200, await resp.text()
    assert await resp.json() == {"version": before, "path": "default"}


async def test_export_labels_from_the_command_line(
    client: Client, config: Config, tmp_path: Path
) -> None:
    ids = []
    for i, text in enumerate(["Great report, thank you", "BUY PILLS http://bit.ly/p", "meh"]):
        resp = await client.post(
            "/v1/comments", json=comment_body(id=f"l{i}", content=text), headers=auth(NEWS_KEY)
        )
        ids.append((await resp.json())["id"])
    for cid, decision in zip(ids, ["approve", "spam", "reject"], strict=True):
        resp = await client.post(
            f"/v1/comments/{cid}/decision", json={"decision": decision}, headers=auth(ALICE)
        )
        assert resp.status == 200
    out = tmp_path / "labels.jsonl"
    result = await _export_labels(config, tmp_path, out)
    assert result.returncode == 0, result.stderr
    assert "1 ham and 1 spam" in result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted((r["content"], r["label"]) for r in rows) == [
        ("BUY PILLS http://bit.ly/p", "spam"),
        ("Great report, thank you", "ham"),
    ]
    # the classifier's own command line trains from it
    model = tmp_path / "retrained.skops"
    trained = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "classifier", "train", "--data", str(out), "--out", str(model)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert trained.returncode == 0, trained.stderr
    assert model.exists()


async def test_export_abuse_labels_from_the_command_line(
    client: Client, config: Config, tmp_path: Path
) -> None:
    """Rejected for abuse -> abuse, approved -> not_abuse; other rejections, spam and
    undone decisions are no abuse label."""
    texts = [
        "You are a pathetic idiot. Shut up.",
        "Great report, thank you",
        "Off topic: who won the match?",
        "BUY PILLS http://bit.ly/p",
        "You clown, nobody asked you.",
    ]
    ids = []
    for i, text in enumerate(texts):
        resp = await client.post(
            "/v1/comments", json=comment_body(id=f"ab{i}", content=text), headers=auth(NEWS_KEY)
        )
        ids.append((await resp.json())["id"])
    bodies: list[dict[str, Any]] = [
        {"decision": "reject", "reason": "abuse"},
        {"decision": "approve"},
        {"decision": "reject", "reason": "off_topic"},
        {"decision": "spam"},
        {"decision": "reject", "reason": "abuse"},
    ]
    for cid, body in zip(ids, bodies, strict=True):
        resp = await client.post(f"/v1/comments/{cid}/decision", json=body, headers=auth(ALICE))
        assert resp.status == 200, await resp.text()
    assert (await client.post(f"/v1/comments/{ids[4]}/undo", headers=auth(ALICE))).status == 200
    out = tmp_path / "abuse.jsonl"
    result = await _export_labels(config, tmp_path, out, "--abuse")
    assert result.returncode == 0, result.stderr
    assert "1 abuse and 1 not abuse" in result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["content"], r["label"]) for r in rows] == [
        (texts[0], "abuse"),
        (texts[1], "not_abuse"),
    ]


async def _export_labels(
    config: Config, tmp_path: Path, out: Path, *options: str
) -> subprocess.CompletedProcess[str]:
    """``moderation export-labels --site news`` (and ``options``) in its own process,
    with a config file for the test's Redis, writing to ``out``."""
    config_file = tmp_path / "moderation.toml"
    site = CONFIG_TOML["sites"][0]
    config_file.write_text(
        f'[redis]\nurl = "{config.redis.url}"\n'
        f'[[sites]]\nid = "{site["id"]}"\napi_key = "{site["api_key"]}"\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODERATION_")}
    argv = [sys.executable, "-m", "moderation", "export-labels", *options, "--site", "news"]
    argv += ["--config", str(config_file), "--out", str(out)]
    return await asyncio.to_thread(
        subprocess.run, argv, capture_output=True, text=True, timeout=60, env=env, check=False
    )
