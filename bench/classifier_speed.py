"""Scoring cost per comment, reasons included, by batch size and memo state.

Uses the shipped default model.  Comments come from the seed corpus as they are (mean ~116
characters), or with ``--realistic`` are built like the service's intake traffic: seed
texts of one label joined to a length drawn log-uniformly from 50-1000 characters (mean
~320; 30 % spam), the first one's name, email, website and post URL, a unique token at the
end (as each CMS comment has something of its own), and 5 % of words with two letters
swapped (typos, names: words no memo has seen).

The featuriser and the model memoise per word, word pair, meta feature and author field,
so three memo states are measured:

* ``warm``: the same comments again (every look-up hits: the best case);
* ``unseen``: comments never scored before (new joins, tokens and typos) on warm memos:
  the service's steady state, where common words hit and new ones miss;
* ``cold``: every memo cleared before each run (a fresh process or a new model).

Each figure is this process's CPU time per comment (the machine is shared: CPU time is the
steadier measure), the median of ``--repeat`` runs of ``--comments`` comments.  With
``--compare DIR`` (a checkout of other code, e.g. ``git worktree add /tmp/base HEAD~3``),
this script and the same script run against DIR's ``classifier`` alternate, ``--rounds``
times each, in fresh processes, and the medians of both are printed side by side.

The shipped model scores its abuse heads (``classifier/abuse.py``) in the same pass.
``--no-abuse`` measures the model without them (``with_abuse_heads(None)``);
``--compare-abuse`` alternates the two within this code, as ``--compare`` does, so the
"after" column is the heads' own cost over the "before" one.

Usage::

    python bench/classifier_speed.py [--batch 1,8,16,64] [--realistic] [--comments 2048]
                                     [--repeat 5] [--data FILE] [--json OUT]
                                     [--compare DIR | --compare-abuse] [--rounds 3]
                                     [--no-abuse]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# --code DIR (used by --compare) imports the classifier from another checkout.
if "--code" in sys.argv:
    sys.path.insert(0, sys.argv[sys.argv.index("--code") + 1])
else:
    sys.path.insert(0, str(REPO))

from classifier import SEED_CORPUS, Comment, SpamModel, load_file  # noqa: E402

STATES = ("warm", "unseen", "cold")
MIN_CHARS, MAX_CHARS = 50, 1000
SPAM_SHARE = 0.3
TYPO_SHARE = 0.05


def realistic(corpus: list[Comment], labels: list[bool], n: int, seed: int) -> list[Comment]:
    """``n`` intake-like comments (see the module docstring), reproducible from ``seed``."""
    rng = random.Random(seed)
    pools: dict[bool, list[Comment]] = {True: [], False: []}
    for comment, spam in zip(corpus, labels, strict=True):
        pools[spam].append(comment)
    out = []
    for i in range(n):
        pool = pools[rng.random() < SPAM_SHARE]
        first = rng.choice(pool)
        target = int(MIN_CHARS * (MAX_CHARS / MIN_CHARS) ** rng.random())
        text = first.content.strip()
        while len(text) < target:
            text += " " + rng.choice(pool).content.strip()
        if len(text) > target:
            cut = text.rfind(" ", MIN_CHARS, target)
            text = text[: cut if cut > 0 else target]
        words = text.split(" ")
        for pos, word in enumerate(words):
            if len(word) > 3 and rng.random() < TYPO_SHARE:
                k = rng.randrange(len(word) - 1)
                words[pos] = word[:k] + word[k + 1] + word[k] + word[k + 2 :]
        text = " ".join(words) + f" #{seed:x}{i:x}"
        out.append(
            Comment(
                text,
                author_name=first.author_name,
                author_email=first.author_email,
                author_url=first.author_url,
                post_url=first.post_url or "https://example.org/news/1",
            )
        )
    return out


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """CPU µs per comment, median of the runs, per batch size and memo state."""
    from classifier import features

    model = SpamModel.default()
    if args.no_abuse:
        model = model.with_abuse_heads(None)
    data = load_file(args.data or SEED_CORPUS)
    n = args.comments
    seeds = iter(range(1, 1_000_000))

    def comments(seed: int) -> list[Comment]:
        if args.realistic:
            return realistic(data.comments, data.labels, n, seed)
        # Seed-corpus rows, from a different offset each time: "unseen" is then only
        # approximately unseen (the corpus has 1,560 rows), so it is reported as such.
        start = seed * 977
        return [data.comments[(start + i) % len(data.comments)] for i in range(n)]

    def cpu_per_comment(batch: list[Comment], size: int, clear: bool) -> float:
        if clear:
            features.clear_memos()
        started = time.process_time()
        for i in range(0, len(batch), size):
            model.score_batch(batch[i : i + size])
        return (time.process_time() - started) / len(batch) * 1e6

    fixed = comments(0)
    model.score_batch(fixed)  # warm the memos and lazy imports
    results: dict[str, dict[str, float]] = {}
    for size in args.batch:
        runs: dict[str, list[float]] = {state: [] for state in STATES}
        for _ in range(args.repeat):
            runs["warm"].append(cpu_per_comment(fixed, size, clear=False))
            runs["unseen"].append(cpu_per_comment(comments(next(seeds)), size, clear=False))
            runs["cold"].append(cpu_per_comment(fixed, size, clear=True))
            model.score_batch(fixed)  # warm again for the next round
        results[str(size)] = {state: statistics.median(v) for state, v in runs.items()}
    return {
        "model_version": model.version,
        # getattr: --compare may run this against code from before the abuse heads
        "abuse_version": getattr(model, "abuse_version", None),
        "data": "realistic (generated from " + data_name(args) + ")"
        if args.realistic
        else data_name(args),
        "mean_chars": sum(len(c.content) for c in fixed) / len(fixed),
        "comments": n,
        "repeat": args.repeat,
        "load_average_1min": os.getloadavg()[0],
        "cpu_us_per_comment": results,
    }


def data_name(args: argparse.Namespace) -> str:
    return str(args.data.name if args.data else SEED_CORPUS.name)


def compare(args: argparse.Namespace, argv: list[str]) -> dict[str, Any]:
    """Alternate "before" (DIR's code, or this model without abuse heads) and this code in
    fresh processes; the median of each."""
    script = str(Path(__file__).resolve())
    own = [a for a in argv if a not in ("--compare", str(args.compare), "--compare-abuse")]
    before = ["--no-abuse"] if args.compare_abuse else ["--code", str(args.compare)]
    if "--rounds" in own:
        i = own.index("--rounds")
        del own[i : i + 2]
    own = [a for a in own if a != "--json" and not a.endswith(".json")]
    runs: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    for _ in range(args.rounds):
        for label, extra in (("before", before), ("after", [])):
            out = subprocess.run(
                [sys.executable, script, *own, *extra, "--json-stdout"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            runs[label].append(json.loads(out))
    summary: dict[str, Any] = {
        "rounds": args.rounds,
        "first": runs["after"][0],
        "first_before": runs["before"][0],
        "load_average_1min": [r["load_average_1min"] for r in runs["after"] + runs["before"]],
        # each round's own medians, to show the spread behind the medians of rounds
        "rounds_cpu_us_per_comment": {
            label: [r["cpu_us_per_comment"] for r in results] for label, results in runs.items()
        },
    }
    for label, results in runs.items():
        summary[label] = {
            size: {
                state: statistics.median(r["cpu_us_per_comment"][size][state] for r in results)
                for state in STATES
            }
            for size in results[0]["cpu_us_per_comment"]
        }
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--batch",
        type=lambda s: [int(v) for v in s.split(",")],
        default=[1, 8, 16, 64],
        help="batch sizes, comma-separated (1,8,16,64)",
    )
    parser.add_argument("--realistic", action="store_true", help="intake-like ~320-char comments")
    parser.add_argument("--comments", type=int, default=2048)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data", type=Path, metavar="FILE", help="labelled file (seed corpus)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results here")
    parser.add_argument("--compare", type=Path, metavar="DIR", help="A/B against DIR's code")
    parser.add_argument(
        "--compare-abuse",
        action="store_true",
        help="A/B within this code: the model without abuse heads, then with them",
    )
    parser.add_argument("--rounds", type=int, default=3, help="A/B rounds with --compare")
    parser.add_argument("--no-abuse", action="store_true", help="score without the abuse heads")
    parser.add_argument("--code", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--json-stdout", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json_stdout:
        print(json.dumps(measure(args)))
        return 0
    if args.compare or args.compare_abuse:
        result = compare(args, sys.argv[1:])
        first, first_before = result["first"], result["first_before"]
        before = "without abuse heads" if args.compare_abuse else f"{args.compare}'s code"
        print(
            f"before: {before}, model {first_before['model_version']} (abuse heads "
            f"{first_before['abuse_version']}); after: this code, model "
            f"{first['model_version']} (abuse heads {first['abuse_version']})"
        )
        print(
            f"{first['comments']} comments, {first['data']} "
            f"(mean {first['mean_chars']:.0f} characters); CPU µs per comment, median of "
            f"{args.rounds} alternating rounds x {first['repeat']} runs; load (1 min) "
            f"{min(result['load_average_1min']):.2f}-{max(result['load_average_1min']):.2f} "
            f"on {os.cpu_count()} CPUs"
        )
        print(f"{'batch':>5}  " + "  ".join(f"{s + ' before → after':>24}" for s in STATES))
        for size in result["after"]:
            cells = [
                f"{result['before'][size][s]:8.1f} → {result['after'][size][s]:6.1f} "
                f"({result['after'][size][s] / result['before'][size][s]:4.0%})"
                for s in STATES
            ]
            print(f"{size:>5}  " + "  ".join(f"{c:>24}" for c in cells))
    else:
        result = measure(args)
        print(
            f"model {result['model_version']}, {result['comments']} comments, {result['data']} "
            f"(mean {result['mean_chars']:.0f} characters); CPU µs per comment, median of "
            f"{args.repeat} runs; load {result['load_average_1min']:.2f} on {os.cpu_count()} CPUs"
        )
        print(f"{'batch':>5}  " + "  ".join(f"{s:>8}" for s in STATES))
        for size, row in result["cpu_us_per_comment"].items():
            print(f"{size:>5}  " + "  ".join(f"{row[s]:8.1f}" for s in STATES))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
