"""Held-out quality of the abuse heads (``classifier/abuse.py``) on real news comments.

Civil Comments' rated files, its toxic-spans file and the YouTube videos' legitimate
comments, one row per distinct text, cut into five folds by a hash of the normalised text
(no text on both sides).  Each fold is scored by heads trained on the other four; the
figures are over the rated rows, weighted to the natural mix of a news site's comments
(8 % toxic, 70 % rated clean by every rater, 22 % in between: the files over-sample toxic
and borderline comments).  The toxic-spans rows train but are not scored: they were
chosen as clearly toxic, which would flatter the ranking.  The 200-row binary sample (at
about the natural rate) is reported on its own; with 21 toxic rows its ROC-AUC moves by
about 0.05 from one model to the next.

Usage::

    .venv/bin/python bench/abuse_quality.py [--datasets DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifier.abuse import evaluate_heads, features, load_abuse_data  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", default=str(ROOT.parent / "shared" / "datasets"))
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    if not (Path(args.datasets) / "civil-comments").is_dir():
        print(f"no civil-comments/ in {args.datasets}", file=sys.stderr)
        return 1
    started = time.monotonic()
    data = load_abuse_data(args.datasets)
    X, n_features, weights = features(data.texts)
    result = evaluate_heads(data, X, n_features, weights)
    result["seconds"] = round(time.monotonic() - started, 1)
    print("| attribute | positives | ROC-AUC (natural mix) | Brier |")
    print("| --- | ---: | ---: | ---: |")
    for name, entry in result.items():
        if isinstance(entry, dict):
            print(
                f"| {name} | {entry['positives']} | {entry['roc_auc_natural']:.3f} | "
                f"{entry['brier_natural']:.3f} |"
            )
    tox = result["TOXICITY"]
    print("\nTOXICITY reliability (natural mix): bin, rows, mean score -> share toxic")
    for row in tox["reliability"]:
        print(f"  {row['bin']}: {row['rows']} at {row['mean_score']} -> {row['share_toxic']}")
    if "roc_auc_binary_sample" in tox:
        print(f"binary sample (200 rows, 21 toxic) ROC-AUC {tox['roc_auc_binary_sample']:.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
