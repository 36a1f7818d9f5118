"""A real third-party Perspective client for the tests: Google's own Node client
(the npm ``googleapis`` package's ``commentanalyzer`` v1alpha1), installed from the npm
registry on first use into ``.cache/perspective-client`` of the checkout, and driven one
call at a time by ``perspective_client.js``.

``googleapis`` 50.0.0 is pinned: it is the last release that ships the commentanalyzer
client (Google dropped the API from its discovery list after it), and every Perspective
tool written for Node used it.  Without node or npm, or when the install fails, the
tests that need it are skipped with the reason.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CLIENT_DIR = ROOT / ".cache" / "perspective-client"
PACKAGE = "googleapis@50.0.0"
SCRIPT = Path(__file__).with_name("perspective_client.js")
INSTALL_SECONDS = 300


def install() -> str | None:
    """Install the client if it is not there; None when ready, else why it is not."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        return "node and npm are needed for the googleapis Perspective client"
    marker = CLIENT_DIR / "node_modules" / "googleapis" / "package.json"
    if marker.exists() and json.loads(marker.read_text()).get("version") == "50.0.0":
        return None
    CLIENT_DIR.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(CLIENT_DIR),
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                PACKAGE,
            ],
            capture_output=True,
            text=True,
            timeout=INSTALL_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"npm install {PACKAGE} took more than {INSTALL_SECONDS} s"
    if done.returncode != 0 or not marker.exists():
        return f"npm install {PACKAGE} failed: {done.stderr.strip()[-300:]}"
    return None


async def call(root: str, key: str, method: str, body: dict[str, Any]) -> dict[str, Any]:
    """One call of the client (``analyze`` or ``suggestscore``) against ``root``: what
    it made of the answer (``ok``, ``status``, ``data``, and ``message`` when it
    rejected it).  A subprocess of the loop, which keeps serving the app meanwhile."""
    job = json.dumps({"root": root, "key": key, "method": method, "body": body})
    process = await asyncio.create_subprocess_exec(
        "node",
        str(SCRIPT),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=CLIENT_DIR,
        env={"NODE_PATH": str(CLIENT_DIR / "node_modules"), "PATH": _path()},
    )
    async with asyncio.timeout(60):
        out, err = await process.communicate(job.encode())
    if process.returncode != 0:
        raise RuntimeError(f"the Perspective client failed: {err.decode()[-500:]}")
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return result


def _path() -> str:
    node = shutil.which("node")
    return str(Path(node).parent) if node else "/usr/bin"
