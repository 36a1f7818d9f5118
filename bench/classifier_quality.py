"""Default model quality on comments it never saw: unseen YouTube videos and news comments.

The real data (``DIR/youtube-spam``: three videos; ``DIR/civil-comments``: news comments,
all ham) is cut into three rotations: video *k* together with the news fold *k* (news
texts hashed into folds by their normalised text, so no text is on both sides; every text
appears once in the whole corpus).  For each rotation the default model is built exactly
as ``python -m classifier build-default`` builds the shipped one (source weights,
calibration and threshold from rotations *inside* the training data) from the seed corpus
and the other two rotations, then scored on the held-out video and news fold.

Side by side, on the same held-out rows:

* ``with real data``: the recipe of ``classifier/default_model.py``;
* ``seed only``: the model trained on the seed corpus alone (the default before), at its
  threshold 0.5 — none of the real data is in its training.

News comments: the few Civil Comments rows that are comment spam themselves
(``classifier/data/civil_comments_spam.json``, by text hash) count as spam; the rate with
them counted as ham, as the dataset is published, is reported beside.

Also: calibration on the held-out videos (Brier score, reliability table) and the news
comments' mean score.

Usage::

    python bench/classifier_quality.py [--datasets DIR] [--json OUT.json]

Exits 0 with a note when the datasets folder is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sklearn.metrics import brier_score_loss  # noqa: E402

from classifier.default_model import (  # noqa: E402
    NEWS,
    RECIPE,
    YOUTUBE,
    Features,
    evaluate_rotations,
    load_corpus,
    reliability,
)
from classifier.evaluation import metrics  # noqa: E402
from classifier.model import train_default  # noqa: E402

DEFAULT_DATASETS = REPO.parent / "shared" / "datasets"
# The goals on unseen data.
GOALS = {"f1": 0.93, "roc_auc": 0.98, "false_positive_rate": 0.02, "news_fpr": 0.002}
KEYS = ("f1", "roc_auc", "false_positive_rate", "precision", "recall")


def seed_only(corpus: Any) -> dict[str, Any]:
    """The seed-only model on the same held-out rows (it never trained on any of them)."""
    model = train_default()
    videos: dict[str, Any] = {}
    real = np.flatnonzero(corpus.folds >= 0)
    proba = np.full(corpus.labels.size, np.nan)
    proba[real] = model.predict_proba([corpus.comments[i] for i in real])
    for group in sorted(set(corpus.groups[corpus.sources == YOUTUBE].tolist())):
        rows = np.flatnonzero(corpus.groups == group)
        videos[group] = metrics(corpus.labels[rows].tolist(), proba[rows].tolist(), model.threshold)
    all_news = np.flatnonzero(corpus.sources == NEWS)
    news = all_news[~corpus.labels[all_news]]
    video_rows = np.flatnonzero(corpus.sources == YOUTUBE)
    false_positives = int((proba[news] >= model.threshold).sum())
    spam = all_news[corpus.labels[all_news]]
    as_published = false_positives + int((proba[spam] >= model.threshold).sum())
    return {
        "version": model.version,
        "threshold": model.threshold,
        "videos": videos,
        "videos_mean": {k: float(np.mean([v[k] for v in videos.values()])) for k in KEYS},
        "news": {
            "n": int(news.size),
            "false_positives": false_positives,
            "false_positive_rate": false_positives / news.size,
            "spam": int(spam.size),
            "spam_caught": int((proba[spam] >= model.threshold).sum()),
            "as_published": {
                "n": int(all_news.size),
                "false_positives": as_published,
                "false_positive_rate": as_published / all_news.size,
            },
        },
        "calibration": {
            "videos_brier": float(brier_score_loss(corpus.labels[video_rows], proba[video_rows])),
            "reliability_videos": reliability(corpus.labels[video_rows], proba[video_rows]),
            "news_mean_score": float(proba[news].mean()),
        },
    }


def run(datasets: Path) -> dict[str, Any] | None:
    if not (datasets / "youtube-spam").is_dir() or not (datasets / "civil-comments").is_dir():
        return None
    started = time.perf_counter()
    corpus = load_corpus(datasets)
    features = Features(corpus)
    with_real = evaluate_rotations(features, corpus, RECIPE)
    return {
        "goals": GOALS,
        "n": {
            "videos": int((corpus.sources == YOUTUBE).sum()),
            "news": int((corpus.sources == NEWS).sum()),
        },
        "with_real_data": with_real,
        "seed_only": seed_only(corpus),
        "seconds": time.perf_counter() - started,
    }


def report(results: dict[str, Any]) -> str:
    lines = [
        "Unseen video (leave one rotation out) and unseen news comments",
        f"{'model':<16}{'held out':<22}{'n':>6}{'F1':>8}{'AUC':>8}{'FPR':>8}{'recall':>8}",
    ]
    lines.append("-" * len(lines[-1]))
    for name, key in (("with real data", "with_real_data"), ("seed only", "seed_only")):
        res = results[key]
        for video, m in res["videos"].items():
            lines.append(
                f"{name:<16}{video:<22}{m['n']:>6}{m['f1']:>8.3f}{m['roc_auc']:>8.3f}"
                f"{m['false_positive_rate']:>8.2%}{m['recall']:>8.3f}"
            )
        mean = res["videos_mean"]
        lines.append(
            f"{name:<16}{'videos, mean':<22}{'':>6}{mean['f1']:>8.3f}{mean['roc_auc']:>8.3f}"
            f"{mean['false_positive_rate']:>8.2%}{mean['recall']:>8.3f}"
        )
        news = res["news"]
        lines.append(
            f"{name:<16}{'news comments':<22}{news['n']:>6}{'':>16}"
            f"{news['false_positive_rate']:>8.2%}   ({news['false_positives']} false positives)"
        )
        published = news["as_published"]
        lines.append(
            f"{name:<16}{'news, as published':<22}{published['n']:>6}{'':>16}"
            f"{published['false_positive_rate']:>8.2%}   ({published['false_positives']} false "
            f"positives; {news['spam_caught']} of the {news['spam']} spam rows counted as ham)"
        )
        cal = res["calibration"]
        lines.append(
            f"{name:<16}calibration: Brier on videos {cal['videos_brier']:.4f}, "
            f"news mean score {cal['news_mean_score']:.4f}"
        )
        table = ", ".join(
            f"{row['bin']}: {row['n']} at {row['mean_score']} -> {row['spam_share']}"
            for row in cal["reliability_videos"]
            if row["n"]
        )
        lines.append(f"{'':<16}reliability (bin: n at mean score -> spam share): {table}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS, metavar="DIR")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results here")
    args = parser.parse_args()
    results = run(args.datasets)
    if results is None:
        print(f"skipped: no youtube-spam/ and civil-comments/ under {args.datasets}")
        return 0
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
