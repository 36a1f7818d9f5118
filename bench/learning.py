"""Per-site learning, end to end: the YouTube videos replayed through the running service.

The service (``moderation serve``: temporary data folder, its embedded Redis, a generated
config with one site per video, a moderator for them and ``[learning]
retrain_after_labels``) is started by this script and stopped at the end.  Each video of
the YouTube Spam Collection is a site; its comments are replayed in the fixed shuffled
order of ``bench/learning_offline.py`` (numpy ``default_rng(0)``), as the site would:

1. ``POST /v1/comments`` with the site's API key (the answer's ``spam_score`` and
   ``spam`` are what is measured);
2. ``POST /v1/comments/{id}/decision`` with the true label (approve = ham, spam) and the
   moderator's token: that is the site's label;
3. ``GET /v1/model?site=S``; when ``pending_labels`` has reached ``retrain_after_labels``
   the replay of that site waits until ``last_retrain`` is newer than before (at most
   ``--retrain-timeout`` seconds) before its next comment.  Moderators take minutes per
   50 decisions and a retrain seconds, so without the wait the replay would outrun the
   retrainer, as no real site does.  The retrains themselves are the service's own
   (its background retrainer, checking every few seconds).

Reported per site and averaged, over the second half of each stream: F1, ROC-AUC and
false positive rate of the intake answers, beside the shipped default model's on the same
comments (scored offline) and the ceiling (trained offline on the seed corpus plus the
site's whole first half, as ``bench/learning_offline.py`` does); the quality early on
(over the next 100 comments after 50, 100 and 200 decisions); each site's retrains
(swapped / kept) and the wall time.

The YouTube comments have no email address, which intake requires: every comment is
sent with the same one (``viewer@youtube.com``, a domain the seed corpus does not have).
The baselines are scored on the comments as intake validated them (trimmed, that email).

Usage::

    python bench/learning.py [--datasets DIR] [--json OUT.json] [--sequential]
                             [--retrain-after 50] [--retrain-timeout 60] [--keep-log FILE]

Exits 0 with a note when the datasets folder is absent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchlib import Children, clean_env, descendants, log
from learning_offline import (
    DEFAULT_DATASETS,
    EARLY,
    EARLY_WINDOW,
    SHUFFLE_SEED,
    TARGETS,
    _model_scores,
    quality_lines,
    scores,
)

from classifier import Comment, SpamModel, load_file
from classifier.site_learning import (
    DEFAULT_SETTINGS,
    fit_site_model,
    load_seed,
)
from classifier.site_learning import _Features as Features
from moderation.intake.batching import for_classifier
from moderation.intake.validation import validate_comment
from moderation.storage.redis_server import free_port

RETRAIN_AFTER = 50
RETRAIN_TIMEOUT = 60.0
EMAIL = "viewer@youtube.com"
MODERATOR = "replay"
FILES = "Youtube0[123]-*.csv"
RUN_BUDGET_SECONDS = 540.0  # the replays stop waiting for retrains after this

CONFIG_TEMPLATE = """\
[server]
host = "127.0.0.1"
port = {port}

[learning]
retrain_after_labels = {retrain_after}

{sites}
[[moderators]]
name = "{moderator}"
token = "{token}"
sites = [{site_list}]
"""


@dataclass(slots=True)
class Site:
    """One video as a site: its comments in replay order and what the replay saw."""

    name: str  # the file's stem
    id: str  # the site id
    api_key: str
    bodies: list[dict[str, Any]]
    comments: list[Comment]  # as the service scores them (validated, trimmed)
    labels: list[bool]
    proba: list[float] = field(default_factory=list)
    spam: list[bool] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    retrains: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    waited_seconds: float = 0.0
    seconds: float = 0.0
    final: dict[str, Any] = field(default_factory=dict)


def site_id(stem: str) -> str:
    """Youtube01-Psy -> youtube01-psy."""
    return "".join(c if c.isalnum() else "-" for c in stem.lower()).strip("-")[:63]


def load_sites(datasets: Path) -> list[Site]:
    files = sorted((datasets / "youtube-spam").glob(FILES))
    sites = []
    for path in files:
        data = load_file(path)
        order = np.random.default_rng(SHUFFLE_SEED).permutation(len(data)).tolist()
        sid = site_id(path.stem)
        bodies: list[dict[str, Any]] = []
        comments: list[Comment] = []
        for i in order:
            original = data.comments[i]
            body = {
                "id": f"{sid}-{i}",
                "author_name": original.author_name or "Anonymous",
                "author_email": EMAIL,
                "content": original.content,
            }
            bodies.append(body)
            # exactly what intake hands the classifier (raises if intake would refuse it)
            comments.append(for_classifier(validate_comment(body, check_deliverability=False)))
        sites.append(
            Site(
                name=path.stem,
                id=sid,
                api_key=secrets.token_urlsafe(24),
                bodies=bodies,
                comments=comments,
                labels=[data.labels[i] for i in order],
            )
        )
    return sites


# ---------------------------------------------------------------------------------------
# The service


def write_config(path: Path, port: int, sites: list[Site], token: str, retrain_after: int) -> None:
    tables = "".join(f'[[sites]]\nid = "{s.id}"\napi_key = "{s.api_key}"\n\n' for s in sites)
    path.write_text(
        CONFIG_TEMPLATE.format(
            port=port,
            retrain_after=retrain_after,
            sites=tables,
            moderator=MODERATOR,
            token=token,
            site_list=", ".join(json.dumps(s.id) for s in sites),
        ),
        encoding="utf-8",
    )


def _tail(path: Path, chars: int = 2000) -> str:
    return path.read_text(errors="replace")[-chars:]


async def wait_ready(base: str, children: Children, log_path: Path, within: float = 180) -> None:
    process = children.processes[-1]
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                tail = _tail(log_path)
                raise RuntimeError(f"service exited with {process.returncode} at start:\n{tail}")
            try:
                async with session.get(
                    base + "/readyz", timeout=aiohttp.ClientTimeout(total=2)
                ) as resp:
                    if resp.status == 200:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"service not ready within {within:.0f} s")


def redis_pids(service_pid: int) -> list[int]:
    out = []
    for pid in descendants(service_pid):
        try:
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        if comm.startswith("redis"):
            out.append(pid)
    return out


# ---------------------------------------------------------------------------------------
# The replay


class Api:
    def __init__(self, session: aiohttp.ClientSession, base: str, token: str) -> None:
        self.session = session
        self.base = base
        self.token = token

    async def call(
        self, method: str, path: str, key: str, body: dict[str, Any] | None = None
    ) -> tuple[int, Any]:
        async with self.session.request(
            method,
            self.base + path,
            json=body,
            headers={"Authorization": f"Bearer {key}"},
            timeout=aiohttp.ClientTimeout(total=30),
        ) as resp:
            return resp.status, await resp.json(content_type=None)

    async def model(self, site: str) -> dict[str, Any]:
        status, answer = await self.call("GET", f"/v1/model?site={site}", self.token)
        if status != 200:
            raise RuntimeError(f"GET /v1/model?site={site}: {status} {answer}")
        assert isinstance(answer, dict)
        return answer


def _at(model: dict[str, Any]) -> int:
    last = model.get("last_retrain") or {}
    return int(last.get("at_ms") or 0)


async def replay(
    api: Api, site: Site, retrain_after: int, wait_limit: float, budget_end: float
) -> None:
    started = time.monotonic()
    model = await api.model(site.id)
    seen_at = _at(model)
    version = model["version"]
    check_version_of: str | None = None  # the next comment's model_version must be this
    waiting_allowed = True
    n = len(site.bodies)
    for i, (body, label) in enumerate(zip(site.bodies, site.labels, strict=True)):
        status, answer = await api.call("POST", "/v1/comments", site.api_key, body)
        if status != 202:
            raise RuntimeError(f"[{site.id}] intake {status}: {answer}")
        site.proba.append(float(answer["spam_score"]))
        site.spam.append(bool(answer["spam"]))
        site.statuses[str(answer["status"])] += 1
        comment_id = str(answer["id"])
        if check_version_of is not None:
            got_status, stored = await api.call("GET", f"/v1/comments/{comment_id}", api.token)
            used = stored.get("model_version") if got_status == 200 else None
            if used != check_version_of:
                site.problems.append(
                    f"comment {i} (first after a retrain) scored by {used}, "
                    f"but /v1/model says {check_version_of}"
                )
            check_version_of = None
        decision = "spam" if label else "approve"
        status, answer = await api.call(
            "POST", f"/v1/comments/{comment_id}/decision", api.token, {"decision": decision}
        )
        if status != 200:
            site.problems.append(f"decision on comment {i}: {status} {answer}")
        model = await api.model(site.id)
        labels = model["labels"]
        if labels["ham"] + labels["spam"] != i + 1:
            site.problems.append(
                f"after {i + 1} decisions /v1/model counts {labels['ham']}+{labels['spam']} labels"
            )
        if i + 1 == n:
            break  # no next comment to hold back
        if model["pending_labels"] < retrain_after or not waiting_allowed:
            if _at(model) > seen_at:  # a retrain the replay did not wait for
                seen_at = _at(model)
                site.retrains.append({"after": i + 1, "waited": 0.0, **model["last_retrain"]})
                waiting_allowed = True
            continue
        pending = model["pending_labels"]
        wait_started = time.monotonic()
        deadline = min(wait_started + wait_limit, max(budget_end, wait_started + 1))
        while time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            model = await api.model(site.id)
            if _at(model) > seen_at:
                break
        waited = time.monotonic() - wait_started
        site.waited_seconds += waited
        if _at(model) <= seen_at:
            site.problems.append(
                f"after {i + 1} decisions ({pending} pending) no retrain within {waited:.0f} s"
            )
            site.retrains.append({"after": i + 1, "waited": waited, "outcome": "timeout"})
            waiting_allowed = False
            continue
        seen_at = _at(model)
        record = {"after": i + 1, "waited": round(waited, 2), **model["last_retrain"]}
        record["pending_before"] = pending
        record["pending_after"] = model["pending_labels"]
        # GET /v1/model once more: the answer that first showed the retrain may not be
        # one snapshot (its version read before the swap, its last_retrain after)
        again = await api.model(site.id)
        if again["version"] != model["version"] and _at(again) == seen_at:
            site.problems.append(
                f"after {i + 1} decisions GET /v1/model answered last_retrain "
                f"{record.get('outcome')} (at_ms {seen_at}) with version "
                f"{model['version']} (own={model['own']}); the next GET, same last_retrain, "
                f"says version {again['version']} (own={again['own']})"
            )
            record["stale_version"] = model["version"]
        model = again
        record["version"] = model["version"]
        candidate = (record.get("candidate") or {}).get("version")
        current = (record.get("current") or {}).get("version")
        if candidate is not None and candidate == current:
            record["candidate_is_current"] = True
        site.retrains.append(record)
        if model["pending_labels"] >= retrain_after:
            site.problems.append(
                f"after the retrain at {i + 1} decisions pending_labels is still "
                f"{model['pending_labels']}"
            )
        if record.get("outcome") == "swapped" and model["version"] == version:
            site.problems.append(f"retrain after {i + 1} swapped but the version did not change")
        if record.get("outcome") != "swapped" and model["version"] != version:
            site.problems.append(
                f"retrain after {i + 1} was {record.get('outcome')} but the version changed"
            )
        version = model["version"]
        check_version_of = version
    site.final = await api.model(site.id)
    site.seconds = time.monotonic() - started


async def run_replays(
    base: str, token: str, sites: list[Site], args: argparse.Namespace, budget_end: float
) -> None:
    connector = aiohttp.TCPConnector(limit=32)
    async with aiohttp.ClientSession(connector=connector) as session:
        api = Api(session, base, token)
        if args.sequential:
            for site in sites:
                await replay(api, site, args.retrain_after, args.retrain_timeout, budget_end)
        else:
            await asyncio.gather(
                *(
                    replay(api, s, args.retrain_after, args.retrain_timeout, budget_end)
                    for s in sites
                )
            )


async def fetch_metrics(base: str) -> str:
    async with aiohttp.ClientSession() as session:
        async with session.get(base + "/metrics", timeout=aiohttp.ClientTimeout(total=5)) as resp:
            return await resp.text()


def retrain_counters(text: str) -> dict[str, dict[str, float]]:
    """moderation_model_retrains_total{site,outcome} from /metrics."""
    out: dict[str, dict[str, float]] = {}
    for line in text.splitlines():
        if not line.startswith("moderation_model_retrains_total{"):
            continue
        head, _, value = line.rpartition(" ")
        inside = head[head.index("{") + 1 : -1]
        labels = dict(part.split("=", 1) for part in inside.split(",") if "=" in part)
        site = labels.get("site", "?").strip('"')
        outcome = labels.get("outcome", "?").strip('"')
        out.setdefault(site, {})[outcome] = float(value)
    return out


# ---------------------------------------------------------------------------------------
# Results


def evaluate(
    site: Site,
    default: SpamModel,
    seed: tuple[list[Comment], list[bool]],
    retrain_after: int,
) -> dict[str, Any]:
    n = len(site.proba)
    labels = site.labels[:n]
    half = len(site.labels) // 2
    second = slice(half, None)
    early = {
        str(k): scores(
            labels[k : k + EARLY_WINDOW],
            site.proba[k : k + EARLY_WINDOW],
            site.spam[k : k + EARLY_WINDOW],
        )
        for k in EARLY
        if k < n
    }
    settings = DEFAULT_SETTINGS
    seed_features = Features(seed[0], text_only=settings.seed_text_only_weight > 0)
    ceiling = fit_site_model(
        seed_features,
        np.asarray(seed[1], dtype=np.int64),
        Features(site.comments[:half], text_only=False),
        np.asarray(site.labels[:half], dtype=np.int64),
        settings,
    )
    first_block = min(retrain_after, n)
    offline_first = default.predict_proba(site.comments[:first_block]).tolist()
    gap = max(
        (abs(a - b) for a, b in zip(offline_first, site.proba[:first_block], strict=True)),
        default=0.0,
    )
    if gap > 1e-6:
        site.problems.append(
            f"before any retrain intake's spam_score differs from the default model's "
            f"offline score by up to {gap:.4f}"
        )
    outcomes = Counter(str(r.get("outcome")) for r in site.retrains)
    return {
        "site_id": site.id,
        "n": len(site.labels),
        "replayed": n,
        "statuses": dict(site.statuses),
        "second_half": scores(labels[second], site.proba[second], site.spam[second]),
        "default_model": _model_scores(default, site.comments[half:], site.labels[half:]),
        "ceiling": _model_scores(ceiling, site.comments[half:], site.labels[half:]),
        "early": early,
        "retrains": site.retrains,
        "retrain_outcomes": dict(outcomes),
        "final_model": site.final,
        "seconds": round(site.seconds, 2),
        "waited_for_retrains_seconds": round(site.waited_seconds, 2),
        "problems": site.problems,
        "first_block_max_score_gap_vs_default": gap,
    }


def _fmt(value: Any) -> str:
    return "   n/a" if value is None else f"{value:6.3f}"


def report(results: dict[str, Any]) -> str:
    p = results["protocol"]
    lines = [
        f"Replayed through the running service ({p['mode']}); after each decision that "
        f"brought pending_labels to >= {p['retrain_after_labels']} the site's next comment "
        f"waited for a newer last_retrain (timeout {p['retrain_timeout_seconds']:.0f} s).",
        "",
        *quality_lines(
            results,
            (("service", "second_half"), ("default", "default_model"), ("ceiling", "ceiling")),
            (("service", "service"), ("default", "default_model"), ("ceiling", "ceiling")),
            f"Early quality (service): over the next {EARLY_WINDOW} comments after k decisions",
            width=24,
        ),
    ]
    for k, m in results["mean_early"].items():
        lines.append(
            f"{'mean':<24}{k:>5}  {_fmt(m['f1'])}  {_fmt(m['roc_auc'])}"
            f"  {_fmt(m['false_positive_rate'])}"
        )
    lines += [
        "",
        "Retrains (after decisions: outcome, waited s, candidate/current held-out AUC)",
    ]
    for name, site in results["sites"].items():
        cells = []
        for r in site["retrains"]:
            cand = (r.get("candidate") or {}).get("roc_auc")
            cur = (r.get("current") or {}).get("roc_auc")
            cells.append(
                f"{r['after']}:{str(r.get('outcome'))[0]}/{r['waited']:.1f}s"
                f"({_fmt(cand).strip()}/{_fmt(cur).strip()})"
            )
        counts = site["retrain_outcomes"]
        summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"
        lines.append(f"{name:<24}{summary}")
        lines.append(f"{'':<24}" + " ".join(cells))
    lines += ["", f"{'site':<24}{'replay s':>9}{'waited s':>9}  final model"]
    for name, site in results["sites"].items():
        final = site["final_model"]
        lines.append(
            f"{name:<24}{site['seconds']:>9.1f}{site['waited_for_retrains_seconds']:>9.1f}  "
            f"{final.get('version')} own={final.get('own')} "
            f"labels={final.get('labels')} pending={final.get('pending_labels')}"
        )
    w = results["wall_seconds"]
    lines.append(
        f"\nwall time: {w['total']:.1f} s (service start {w['service_start']:.1f} s, "
        f"replay {w['replay']:.1f} s, offline baselines {w['baselines']:.1f} s)"
    )
    metrics = results.get("retrain_metrics") or {}
    if metrics:
        lines.append(
            "retrain counters (/metrics): "
            + "; ".join(
                f"{s}: " + ", ".join(f"{k} {v:g}" for k, v in sorted(o.items()))
                for s, o in sorted(metrics.items())
            )
        )
    same = [
        f"{n} after {r['after']}"
        for n, s in results["sites"].items()
        for r in s["retrains"]
        if r.get("candidate_is_current")
    ]
    if same:
        lines.append(
            "gate compared the model in use with itself (candidate version == current "
            "version): " + ", ".join(same)
        )
    problems = [f"[{n}] {p}" for n, s in results["sites"].items() for p in s["problems"]]
    lines.append("")
    lines.append("problems seen: " + ("none" if not problems else ""))
    lines += [f"  {p}" for p in problems]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> dict[str, Any] | None:
    sites = load_sites(args.datasets)
    if not sites:
        return None
    started = time.monotonic()
    token = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="bench-learning-") as tmp, Children() as children:
        workdir = Path(tmp)
        data_dir = workdir / "data"
        data_dir.mkdir()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        config = workdir / "moderation.toml"
        write_config(config, port, sites, token, args.retrain_after)
        moderation = Path(sys.executable).with_name("moderation")
        command = [str(moderation)] if moderation.exists() else [sys.executable, "-m", "moderation"]
        service_log = workdir / "service.log"
        log(f"starting the service with {len(sites)} sites ...")
        service = children.start(
            [
                *command,
                "serve",
                "--config",
                str(config),
                "--data-dir",
                str(data_dir),
                "--log-level",
                "INFO",
            ],
            log_path=service_log,
            env=clean_env(),
        )
        try:
            asyncio.run(wait_ready(base, children, service_log))
            children.orphans.extend(redis_pids(service.pid))
            ready = time.monotonic()
            log(
                f"service ready in {ready - started:.1f} s; replaying "
                f"{'one site after another' if args.sequential else 'the sites concurrently'}"
            )
            budget_end = ready + RUN_BUDGET_SECONDS
            asyncio.run(run_replays(base, token, sites, args, budget_end))
            replayed = time.monotonic()
            metrics = retrain_counters(asyncio.run(fetch_metrics(base)))
        except BaseException:
            log("the service's log, last lines:\n" + _tail(service_log))
            raise
        finally:
            if args.keep_log:
                shutil.copyfile(service_log, args.keep_log)
            children.stop_all()
        service_text = service_log.read_text(errors="replace")
    log("replay done; offline baselines ...")
    default = SpamModel.default()
    seed = load_seed()
    results_sites = {s.name: evaluate(s, default, seed, args.retrain_after) for s in sites}
    done = time.monotonic()
    errors = [
        line
        for line in service_text.splitlines()
        if '"level": "error"' in line or '"level": "critical"' in line or "Traceback" in line
    ]
    mean = {
        which: {
            key: statistics.fmean(float(site[src][key] or 0.0) for site in results_sites.values())
            for key in TARGETS
        }
        for which, src in (
            ("service", "second_half"),
            ("default_model", "default_model"),
            ("ceiling", "ceiling"),
        )
    }
    mean_early = {
        str(k): {
            key: statistics.fmean(
                float(site["early"][str(k)][key] or 0.0)
                for site in results_sites.values()
                if str(k) in site["early"]
            )
            for key in TARGETS
        }
        for k in EARLY
    }
    return {
        "protocol": {
            "shuffle_seed": SHUFFLE_SEED,
            "retrain_after_labels": args.retrain_after,
            "retrain_timeout_seconds": args.retrain_timeout,
            "mode": "one site after another" if args.sequential else "sites concurrently",
            "email_sent": EMAIL,
            "targets": TARGETS,
        },
        "default_model_version": default.version,
        "sites": results_sites,
        "mean": mean,
        "mean_early": mean_early,
        "retrain_metrics": metrics,
        "service_log_errors": errors[:50],
        "wall_seconds": {
            "total": done - started,
            "service_start": ready - started,
            "replay": replayed - ready,
            "baselines": done - replayed,
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS, metavar="DIR")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results here")
    parser.add_argument("--sequential", action="store_true", help="one site after another")
    parser.add_argument("--retrain-after", type=int, default=RETRAIN_AFTER, metavar="N")
    parser.add_argument("--retrain-timeout", type=float, default=RETRAIN_TIMEOUT, metavar="S")
    parser.add_argument("--keep-log", type=Path, metavar="FILE", help="copy the service log here")
    args = parser.parse_args()
    if not sorted((args.datasets / "youtube-spam").glob(FILES)):
        print(f"skipped: no YouTube Spam Collection under {args.datasets}/youtube-spam")
        return 0
    results = run(args)
    if results is None:
        print(f"skipped: no YouTube Spam Collection under {args.datasets}/youtube-spam")
        return 0
    print(report(results))
    if results["service_log_errors"]:
        print("\nservice log errors:")
        print("\n".join("  " + line[:300] for line in results["service_log_errors"][:10]))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
