"""The shipped default model: built from the seed corpus and real, licensed comments.

``python -m classifier build-default --data DIR`` calls :func:`build_default`, which reads

* the seed corpus (``classifier/data/seed_corpus.jsonl``: written spam and ham in many
  languages and spam kinds);
* ``DIR/youtube-spam/*.csv``: the YouTube Spam Collection (CC BY 4.0), one video a file;
* ``DIR/civil-comments/*.csv``: Civil Comments (CC0), real news-site comments, published
  as all ham; the few rows that are comment spam themselves, named by the hash of their
  text in ``classifier/data/civil_comments_spam.json`` (reviewed by hand, each with its
  reason), are labelled spam;

and writes the model file with its metadata record (sources and their SHA-256, counts,
weights, calibration, threshold and the measured quality).  The same inputs give the same
model and version hash: featurisation is stateless, SGD runs fixed epochs from a fixed
seed, folds come from the data, and the metadata holds no clock.

Why each step (figures in ``bench/RESULTS.md`` and ``classifier/MODEL.md``):

* **The news comments' own spam.**  A handful of Civil Comments rows are work-at-home or
  dating spam that the site let through.  Left as ham they teach the model that such spam
  is a reader's comment, and they are most of the news "false positives" that set the
  threshold.  Only hashes and reasons are committed (the data is never copied into the
  project); the figures with them counted as ham are reported beside.
* **Source weights.**  Civil Comments has ten times the rows of the other two together.
  Each source gets a fixed share of the total weight (:class:`Recipe`); inside the seed
  corpus and inside the videos both classes get half of their source's share; inside the
  news comments those with a link get a fixed part (they are where a reader's comment looks
  like spam).  Without
  that, the news comments' ham decides the intercept and the vocabulary alone.
* **Folds by source.**  The real data is cut into rotations: video *k* together with
  the Civil Comments fold *k* (texts assigned to a fold by a hash of their normalised
  text, so no text is ever on both sides).  Each rotation's held-out rows are scored by a
  model trained on all the rest: new traffic comes from a video or a site no training
  data came from.
* **Calibration.**  Source weights shift the logistic regression's probabilities.  A
  sigmoid (Platt) fitted on the out-of-fold scores maps them back to frequencies; being a
  monotone affine map of the log-odds it is folded into the weights themselves, so
  scoring costs exactly what it did and ``predict_proba`` stays the pipeline's.
* **Threshold.**  The lowest one that keeps the out-of-fold false positive rate at most
  ``news_target_fpr`` on the news comments' ham *and* at most ``video_target_fpr`` on the
  videos' ham taken together (never below 0.5): a reader's comment filed as spam is the
  costly error.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import sklearn
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss
from sklearn.pipeline import Pipeline

from classifier.datasets import DEFAULT_MODEL, SEED_CORPUS, Dataset, load_file, load_ham_comments
from classifier.evaluation import metrics
from classifier.features import normalise
from classifier.model import SpamModel
from classifier.pipeline import build_pipeline
from classifier.types import Comment, ModelError

# The shipped model's metadata record, beside the model file (both committed).
DEFAULT_RECORD = DEFAULT_MODEL.with_suffix(".json")
# Civil Comments rows that are comment spam: text hashes with the reason (see the file).
NEWS_SPAM = SEED_CORPUS.with_name("civil_comments_spam.json")

SEED, YOUTUBE, NEWS = "seed", "youtube", "news"
YOUTUBE_FOLDER = "youtube-spam"
NEWS_FOLDER = "civil-comments"
# Rotations of the real data; the news comments are hashed into as many folds.
N_FOLDS = 3


@dataclass(frozen=True, slots=True)
class Recipe:
    """How the default model is trained, calibrated and thresholded."""

    # Each source's share of the total training weight.  Equal shares: the seed corpus
    # covers languages and spam kinds the public data lacks, the videos real spam, the news
    # comments real, often rude, ham; none should drown the others.  (Leave-one-video-out
    # with news held out, bench/classifier_quality.py: giving the news comments twice the
    # share lowered news false positives a little and cost F1 on the videos.)
    source_weights: dict[str, float] = field(
        default_factory=lambda: {SEED: 1.0, YOUTUBE: 1.0, NEWS: 1.0}
    )
    # Text-only copies of the seed rows (see classifier.pipeline.fit_pipeline): its links
    # and author fields separate spam from ham too well for the words to count otherwise.
    seed_text_only_weight: float = 0.5
    # The news comments with a link (1.4 % of them) get this part of the news share.  They
    # are where a reader's comment looks like spam (a bare link to an article, a video, a
    # photo) and nearly all of the news comments that set the threshold; spread evenly, each
    # counted a twentieth of a video's spam comment and the link features were learnt from
    # spam alone.  (Rotations, with the video ceiling at 2 %, videos F1 / ROC-AUC / news
    # false positives: 0 -> 0.870 / 0.977 / 0.19 %; 0.03 -> 0.880 / 0.976 / 0.16 %; 0.04 ->
    # 0.875 / 0.975 / 0.14 %; 0.1 -> 0.877 / 0.973 / 0.13 %.  The videos' ROC-AUC falls as
    # it grows: most of their links are spam.  0.04 for the margin under the news ceiling.)
    news_link_share: float = 0.04
    # L2 strength: weaker than the pipeline's default (1e-4), as there are ten times the
    # rows of the seed corpus alone (higher ROC-AUC on the held-out videos at 3e-5).
    alpha: float = 3e-5
    # A reader's comment filed as spam is what a news site cannot accept: the ceiling is
    # 0.2 %.  (Held-out news, bench/classifier_quality.py: 0.1 % cost a third of the videos'
    # recall for 0.12 % measured; 0.3 % gained F1 but measured 0.18 %, too near the ceiling.
    # With the news comments' own spam labelled spam, 0.3 % gains ~1 F1 point and measures
    # 0.16 %: kept at 0.2 %, as the held-out rate runs close to the target.)
    news_target_fpr: float = 0.002
    # On the videos' ham, pooled (the issue's ceiling is 2 % on an unseen video).  Pooled,
    # not "on every video": inside a build each out-of-fold score comes from a model that
    # saw one video fewer than the model shipped, so its ham scores run high, and the
    # strictest video's two or three comments set the threshold (rotations: F1 0.835 ->
    # 0.862, FPR 0.18 % -> 0.75 %).  2 %, not 1.5 %, since the news comments with links have
    # their own share (above) and no longer set the threshold: rotations F1 0.861 -> 0.875,
    # held-out video false positives 1.5 % -> 1.7 % (1.7 % on the strictest video).
    video_target_fpr: float = 0.02
    min_threshold: float = 0.5


RECIPE = Recipe()


@dataclass(slots=True)
class Corpus:
    """Every training row with its source, rotation and the files it came from."""

    comments: list[Comment]
    labels: np.ndarray  # bool, True = spam
    sources: np.ndarray  # SEED, YOUTUBE or NEWS
    groups: np.ndarray  # "seed", the video's file stem, or "news<fold>"
    folds: np.ndarray  # rotation of a real row (0..N_FOLDS-1), -1 for the seed corpus
    files: list[dict[str, Any]]  # name, sha256, rows kept, spam, ham, licence
    relabelled: np.ndarray  # bool: a news row published as ham, labelled spam by NEWS_SPAM
    linked: np.ndarray  # bool: the text holds a link

    def mask(self, *, exclude_fold: int | None = None) -> np.ndarray:
        """Rows outside rotation ``exclude_fold`` (all rows for None)."""
        if exclude_fold is None:
            return np.ones(self.labels.size, dtype=bool)
        return np.asarray(self.folds != exclude_fold)


def text_key(text: str) -> str:
    """A comment's text as compared for duplicates: no U+FEFF, spaces collapsed, case-folded."""
    return " ".join(text.replace("\ufeff", "").split()).casefold()


def text_hash(text: str) -> str:
    """How ``civil_comments_spam.json`` names a row: the SHA-256 of its :func:`text_key`."""
    return hashlib.sha256(text_key(text).encode()).hexdigest()


def load_news_spam(path: Path = NEWS_SPAM) -> set[str]:
    """The text hashes of the news rows to label spam (every entry must give its reason)."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))["rows"]
        hashes = {str(row["sha256"]) for row in rows if row["reason"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{path}: not a list of text hashes with reasons ({exc})") from None
    if len(hashes) != len(rows):
        raise ModelError(f"{path}: every row needs a distinct sha256 and a reason")
    return hashes


def news_fold(text: str) -> int:
    """The rotation a news comment belongs to, from a hash of its normalised text (so two
    copies of one text always fall in the same fold)."""
    return int.from_bytes(hashlib.sha256(text_key(text).encode()).digest()[:8], "big") % N_FOLDS


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_corpus(
    data_dir: str | os.PathLike[str],
    seed: Path = SEED_CORPUS,
    news_spam: Path | None = NEWS_SPAM,
) -> Corpus:
    """Read the seed corpus and the datasets folder into one de-duplicated corpus.

    News rows named in ``news_spam`` are labelled spam (None: every news row ham, as
    published).

    Duplicate texts are dropped (the first occurrence is kept, the seed corpus first), since
    a repeated text would otherwise count several times and, split across rotations,
    inflate the scores.
    Videos are sorted by file name: video *k* is rotation *k*.
    """
    root = Path(data_dir)
    videos = sorted((root / YOUTUBE_FOLDER).glob("*.csv"))
    news = sorted((root / NEWS_FOLDER).glob("*.csv"))
    if len(videos) != N_FOLDS or not news:
        raise ModelError(
            f"{root}: expected {N_FOLDS} videos in {YOUTUBE_FOLDER}/ and the Civil Comments "
            f"files in {NEWS_FOLDER}/ (found {len(videos)} and {len(news)})"
        )
    comments: list[Comment] = []
    labels: list[bool] = []
    sources: list[str] = []
    groups: list[str] = []
    folds: list[int] = []
    files: list[dict[str, Any]] = []
    relabelled: list[bool] = []
    linked: list[bool] = []
    spam_hashes = load_news_spam(news_spam) if news_spam is not None else set()

    def add(data: Dataset, source: str, group: str, fold: int, keep: list[int]) -> None:
        for i in keep:
            comments.append(data.comments[i])
            linked.append(bool(normalise(data.comments[i].content)[1]))
            turned = source == NEWS and text_hash(data.comments[i].content) in spam_hashes
            relabelled.append(turned)
            labels.append(data.labels[i] or turned)
            sources.append(source)
            groups.append(group if source != NEWS else f"news{news_fold(data.comments[i].content)}")
            folds.append(fold if source != NEWS else news_fold(data.comments[i].content))

    def record(path: Path, data: Dataset, keep: list[int], licence: str) -> None:
        spam = sum(labels[len(labels) - len(keep) :])
        files.append(
            {
                "file": path.name,
                "sha256": _sha256(path),
                "rows": len(data),
                "kept": len(keep),
                "spam": spam,
                "ham": len(keep) - spam,
                "licence": licence,
            }
        )

    seed_data = load_file(seed)
    every = list(range(len(seed_data)))
    add(seed_data, SEED, SEED, -1, every)
    record(seed, seed_data, every, "the project's own (see classifier/data/SEED_CORPUS.md)")
    # One set for everything: a text already seen (in the seed corpus, which every model
    # trains on, or in another file) is dropped, so no text is on both sides of a rotation.
    seen = {text_key(comment.content) for comment in seed_data.comments}
    for fold, path in enumerate(videos):
        data = load_file(path)
        keep = _first_of_each_text(data.comments, seen)
        add(data, YOUTUBE, path.stem, fold, keep)
        record(path, data, keep, "CC BY 4.0 (YouTube Spam Collection, UCI)")
    for path in news:
        data = load_ham_comments(path)
        keep = _first_of_each_text(data.comments, seen)
        add(data, NEWS, NEWS, 0, keep)
        record(path, data, keep, "CC0 1.0 (Civil Comments)")
    return Corpus(
        comments=comments,
        labels=np.asarray(labels, dtype=bool),
        sources=np.asarray(sources),
        groups=np.asarray(groups),
        folds=np.asarray(folds, dtype=np.int64),
        files=files,
        relabelled=np.asarray(relabelled, dtype=bool),
        linked=np.asarray(linked, dtype=bool),
    )


def _first_of_each_text(comments: Sequence[Comment], seen: set[str]) -> list[int]:
    keep = []
    for i, comment in enumerate(comments):
        key = text_key(comment.content)
        if key and key not in seen:
            seen.add(key)
            keep.append(i)
    return keep


class Features:
    """The corpus's feature rows, computed once: the featuriser is stateless, so every fit
    of a build (rotations, calibration folds, the final model) shares them."""

    def __init__(self, corpus: Corpus) -> None:
        pipeline = build_pipeline()
        analyses = pipeline.named_steps["analyse"].fit_transform(corpus.comments)
        union = pipeline.named_steps["features"]
        self.X = sp.csr_matrix(union.fit_transform(analyses))
        seed_rows = np.flatnonzero(corpus.sources == SEED)
        self.seed_rows = seed_rows
        self.X_seed_text = sp.csr_matrix(
            union.transform([analyses[i].text_only() for i in seed_rows])
        )
        self.steps: list[tuple[str, Any]] = pipeline.steps[:2]


def source_weights(corpus: Corpus, rows: np.ndarray, recipe: Recipe) -> np.ndarray:
    """Per-row weights of ``rows``: each source's share, split evenly between its classes,
    spread evenly over its rows.  The news comments (nearly all ham) are split instead into
    those with a link, which get ``recipe.news_link_share`` of the news share, and the rest."""
    weights = np.zeros(rows.size)
    sources = corpus.sources[rows]
    labels = corpus.labels[rows]
    linked = corpus.linked[rows]
    for source, share in recipe.source_weights.items():
        in_source = sources == source
        if source == NEWS:
            link = recipe.news_link_share
            parts = [(in_source & linked, link), (in_source & ~linked, 1.0 - link)]
            if not parts[0][0].any() or link <= 0:
                parts = [(in_source, 1.0)]
        else:
            parts = [(in_source & labels, 0.5), (in_source & ~labels, 0.5)]
        for members, part in parts:
            if members.any():
                weights[members] = share * part / members.sum()
    return weights


def fit(features: Features, corpus: Corpus, train: np.ndarray, recipe: Recipe) -> Pipeline:
    """The pipeline fitted on the rows where ``train`` is true, with the recipe's weights
    (not calibrated: see :func:`calibrate`)."""
    rows = np.flatnonzero(train)
    weights = source_weights(corpus, rows, recipe)
    blocks = [features.X[rows]]
    ys = [corpus.labels[rows]]
    ws = [weights]
    seed_pos = np.flatnonzero(np.isin(features.seed_rows, rows))
    if recipe.seed_text_only_weight > 0 and seed_pos.size:
        blocks.append(features.X_seed_text[seed_pos])
        ys.append(corpus.labels[features.seed_rows[seed_pos]])
        seed_weights = source_weights(corpus, features.seed_rows[seed_pos], recipe)
        ws.append(recipe.seed_text_only_weight * seed_weights)
    X = sp.vstack(blocks, format="csr")
    y = np.concatenate(ys).astype(np.int64)
    w = np.concatenate(ws)
    # Mean weight 1 (what balanced weights give): SGD's step sizes assume it.
    w = w * (w.size / w.sum())
    pipeline = build_pipeline()
    # The fitted (stateless) analyser and feature union, copied: a model's pipeline is its own.
    pipeline.steps[:2] = copy.deepcopy(features.steps)
    pipeline.set_params(clf__alpha=recipe.alpha)
    pipeline.named_steps["clf"].fit(X, y, sample_weight=w)
    return pipeline


def log_odds(pipeline: Pipeline, X: sp.csr_matrix) -> np.ndarray:
    clf = pipeline.named_steps["clf"]
    return np.asarray(X @ clf.coef_[0] + clf.intercept_[0], dtype=np.float64)


def out_of_fold(
    features: Features, corpus: Corpus, train: np.ndarray, recipe: Recipe
) -> np.ndarray:
    """Log-odds of every real row in ``train``, each from a model trained on ``train``
    without that row's rotation (NaN for the seed corpus and rows outside ``train``)."""
    z = np.full(corpus.labels.size, np.nan)
    for fold in sorted(set(corpus.folds[train].tolist()) - {-1}):
        inner = train & (corpus.folds != fold)
        held = np.flatnonzero(train & (corpus.folds == fold))
        z[held] = log_odds(fit(features, corpus, inner, recipe), features.X[held])
    return z


@dataclass(frozen=True, slots=True)
class Calibration:
    """``p = expit(scale * z + shift)`` for a model's raw log-odds ``z``."""

    scale: float
    shift: float

    def apply(self, z: np.ndarray) -> np.ndarray:
        return np.asarray(expit(self.scale * z + self.shift), dtype=np.float64)


def calibrate(z: np.ndarray, corpus: Corpus, rows: np.ndarray, recipe: Recipe) -> Calibration:
    """A sigmoid fitted on out-of-fold log-odds of ``rows``, weighted like training (each
    source its share), so that the news comments' mass does not make every score small."""
    weights = source_weights(corpus, rows, recipe)
    model = LogisticRegression(C=1e6)  # an unpenalised 1-D fit: two numbers
    model.fit(z[rows].reshape(-1, 1), corpus.labels[rows], sample_weight=weights)
    return Calibration(scale=float(model.coef_[0, 0]), shift=float(model.intercept_[0]))


def calibrated_pipeline(pipeline: Pipeline, calibration: Calibration) -> Pipeline:
    """The pipeline with the sigmoid folded into its weights (the same maths, no extra step:
    ``scale * (w.x + b) + shift = (scale w).x + (scale b + shift)``)."""
    clf = pipeline.named_steps["clf"]
    clf.coef_ = clf.coef_ * calibration.scale
    clf.intercept_ = clf.intercept_ * calibration.scale + calibration.shift
    # Averaged SGD also keeps its running average and its last plain weights, uncalibrated
    # now and two thirds of the model file.  Nothing reads them: scoring uses coef_, and
    # SpamModel.learn switches averaging off, so partial_fit starts from coef_.
    for name in ("_average_coef", "_average_intercept", "_standard_coef", "_standard_intercept"):
        if hasattr(clf, name):
            setattr(clf, name, None)
    return pipeline


def lowest_threshold(ham: np.ndarray, target_fpr: float) -> float:
    """The lowest threshold that calls at most ``target_fpr`` of ``ham`` scores spam."""
    ham = np.sort(ham)
    allowed = int(np.floor(ham.size * target_fpr))
    return float(min(np.nextafter(ham[ham.size - 1 - allowed], 1.0), 1.0))


def choose_threshold(
    proba: np.ndarray, corpus: Corpus, rows: np.ndarray, recipe: Recipe
) -> dict[str, Any]:
    """The threshold rule of the module docstring, on calibrated out-of-fold probabilities."""
    per_group: dict[str, float] = {}
    ham = rows[~corpus.labels[rows]]
    video_ham = ham[corpus.sources[ham] == YOUTUBE]
    if video_ham.size:
        per_group[YOUTUBE] = lowest_threshold(proba[video_ham], recipe.video_target_fpr)
    news = ham[corpus.sources[ham] == NEWS]
    if news.size:
        per_group[NEWS] = lowest_threshold(proba[news], recipe.news_target_fpr)
    threshold = max(recipe.min_threshold, *per_group.values())
    return {
        "rule": "lowest threshold keeping out-of-fold false positives at most "
        f"{recipe.news_target_fpr:.1%} of the news comments' ham and "
        f"{recipe.video_target_fpr:.1%} of the videos' ham, at least {recipe.min_threshold}",
        "per_source": per_group,
        "threshold": threshold,
    }


@dataclass(slots=True)
class Built:
    """A calibrated, thresholded pipeline and how it was made."""

    pipeline: Pipeline
    threshold: float
    calibration: Calibration
    threshold_choice: dict[str, Any]
    out_of_fold: dict[str, Any]


def build(features: Features, corpus: Corpus, train: np.ndarray, recipe: Recipe) -> Built:
    """Train on ``train``; calibrate and threshold from rotations inside ``train`` only."""
    z = out_of_fold(features, corpus, train, recipe)
    real = np.flatnonzero(train & ~np.isnan(z))
    calibration = calibrate(z, corpus, real, recipe)
    proba = np.full(z.size, np.nan)
    proba[real] = calibration.apply(z[real])
    choice = choose_threshold(proba, corpus, real, recipe)
    pipeline = calibrated_pipeline(fit(features, corpus, train, recipe), calibration)
    report = {
        "brier": float(brier_score_loss(corpus.labels[real], proba[real])),
        "reliability": reliability(corpus.labels[real], proba[real]),
    }
    return Built(pipeline, choice["threshold"], calibration, choice, report)


# Reliability bins: coarse at the ends, where few real comments fall.
BINS = (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0)


def reliability(labels: np.ndarray, proba: np.ndarray) -> list[dict[str, Any]]:
    """Per bin of predicted probability: how many, their mean score, the share that is spam."""
    table = []
    y = np.asarray(labels, dtype=bool)
    for low, high in pairwise(BINS):
        inside = (proba >= low) & ((proba < high) if high < 1.0 else (proba <= high))
        n = int(inside.sum())
        table.append(
            {
                "bin": f"{low:.1f}-{high:.1f}",
                "n": n,
                "mean_score": round(float(proba[inside].mean()), 4) if n else None,
                "spam_share": round(float(y[inside].mean()), 4) if n else None,
            }
        )
    return table


def evaluate_rotations(features: Features, corpus: Corpus, recipe: Recipe) -> dict[str, Any]:
    """Leave one rotation out, each in turn: video *k* and news fold *k* held out, the
    model built (calibration and threshold included) from everything else."""
    videos: dict[str, Any] = {}
    held_proba = np.full(corpus.labels.size, np.nan)
    called_spam = np.zeros(corpus.labels.size, dtype=bool)
    for fold in range(N_FOLDS):
        built = build(features, corpus, corpus.mask(exclude_fold=fold), recipe)
        held = np.flatnonzero(corpus.folds == fold)
        proba = expit(log_odds(built.pipeline, features.X[held]))
        held_proba[held] = proba
        video = held[corpus.sources[held] == YOUTUBE]
        p_video = proba[corpus.sources[held] == YOUTUBE]
        called_spam[held] = proba >= built.threshold
        name = str(corpus.groups[video[0]])
        videos[name] = metrics(corpus.labels[video].tolist(), p_video.tolist(), built.threshold)
        videos[name]["threshold"] = built.threshold
    news = corpus.sources == NEWS
    news_ham = news & ~corpus.labels
    news_false_positives = int((called_spam & news_ham).sum())
    # With the reviewed spam rows counted as ham, as the dataset is published: each one
    # called spam is then a false positive too.
    as_published = int((called_spam & news & ~(corpus.labels & ~corpus.relabelled)).sum())
    real = np.flatnonzero(corpus.folds >= 0)
    video_rows = real[corpus.sources[real] == YOUTUBE]
    keys = ("f1", "roc_auc", "false_positive_rate", "precision", "recall")
    return {
        "method": "leave one rotation out: one video and one third of the news comments "
        "held out, the model (calibration and threshold included) built from the rest",
        "videos": videos,
        "videos_mean": {k: float(np.mean([v[k] for v in videos.values()])) for k in keys},
        "news": {
            "n": int(news_ham.sum()),
            "false_positives": news_false_positives,
            "false_positive_rate": news_false_positives / max(int(news_ham.sum()), 1),
            "spam": int((news & corpus.labels).sum()),
            "spam_caught": int((called_spam & news & corpus.labels).sum()),
            "as_published": {
                "n": int(news.sum()),
                "false_positives": as_published,
                "false_positive_rate": as_published / max(int(news.sum()), 1),
            },
        },
        "calibration": {
            "videos_brier": float(
                brier_score_loss(corpus.labels[video_rows], held_proba[video_rows])
            ),
            "reliability_videos": reliability(corpus.labels[video_rows], held_proba[video_rows]),
            "news_mean_score": float(np.mean(held_proba[news_ham])),
        },
    }


def build_default(
    data_dir: str | os.PathLike[str],
    *,
    recipe: Recipe = RECIPE,
    evaluate: bool = True,
    seed: Path = SEED_CORPUS,
) -> SpamModel:
    """Build the default model from the datasets folder (see the module docstring).

    Its metadata is the record written beside the model file.  ``evaluate`` adds the
    rotations' figures (three more builds).
    """
    corpus = load_corpus(data_dir, seed)
    features = Features(corpus)
    built = build(features, corpus, corpus.mask(), recipe)
    counts = {
        source: {
            "spam": int((corpus.labels & (corpus.sources == source)).sum()),
            "ham": int((~corpus.labels & (corpus.sources == source)).sum()),
        }
        for source in (SEED, YOUTUBE, NEWS)
    }
    recipe_record = asdict(recipe)
    metadata: dict[str, Any] = {
        "trained_at": "reproducible: python -m classifier build-default (no clock recorded)",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "training_data": {
            "description": "seed corpus + YouTube Spam Collection (3 videos) + Civil Comments",
            "sources": [entry["file"] for entry in corpus.files],
            "files": corpus.files,
            "n": int(corpus.labels.size),
            "labels": {
                "spam": int(corpus.labels.sum()),
                "ham": int((~corpus.labels).sum()),
            },
            "by_source": counts,
            "news_spam": {
                "file": NEWS_SPAM.name,
                "sha256": _sha256(NEWS_SPAM),
                "rows_labelled_spam": int(corpus.relabelled.sum()),
            },
        },
        "recipe": recipe_record,
        "calibration": {
            "method": "sigmoid on out-of-fold log-odds, folded into the weights",
            **asdict(built.calibration),
            **built.out_of_fold,
        },
        "threshold_choice": built.threshold_choice,
    }
    if evaluate:
        metadata["eval"] = evaluate_rotations(features, corpus, recipe)
    return SpamModel(built.pipeline, metadata, built.threshold)


def write_default(model: SpamModel, out: Path = DEFAULT_MODEL) -> None:
    """Write the model file and, beside it, its metadata record as JSON (for reading and
    reviewing in git without opening the archive)."""
    model.save(out)
    record = {"version": model.version, **model.metadata}
    out.with_suffix(".json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
