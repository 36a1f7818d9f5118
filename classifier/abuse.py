"""The abuse heads: toxicity (and a few of its kinds) scored from the spam model's own
featurisation pass.

Each head is a linear model over the spam pipeline's **word and sub-word columns** (the
same hashed columns, the same per-block scaling), so :meth:`SpamModel.score_batch` scores
abuse in the pass that scores spam: the words are split, normalised and looked up once,
and a head costs one more gather and sum over the columns already found (~2 us a
comment).  The meta block (links, author, shouting) is left out: it carried nothing for
abuse in the held-out runs, and the training data has no author or link fields.

Why this model (held-out figures in ``bench/RESULTS.md``, the choices in
``classifier/MODEL.md``):

* **Labels.**  Civil Comments' raters give each comment the fraction of them who found it
  toxic (and insulting, obscene, threatening, an identity attack); a comment is toxic at
  0.5 or more, the competition's convention, and the figures are of that.  Training
  keeps what the raters said below it: a comment that a fraction t < 0.5 of them found
  toxic is a positive of weight t and a negative of weight 1 - t (its raters' votes),
  while one at 0.5 or more is a positive.  (The fraction as a regression target ranked
  worse.)  The toxic-spans file holds comments most raters found toxic: extra TOXICITY
  positives, at 0.3 of a rated toxic comment's weight (they are 80 % of the positives,
  chosen differently, and outweighed the rated rows).  The YouTube videos' comments are
  not used: as negatives they lowered the held-out ranking (0.914 without, 0.908 with).
* **NB-weighted logistic regression** (NB-SVM): each column is scaled by its log-count
  ratio between toxic and clean comments (counted with the training weights: the natural
  mix, the raters' votes) before the regression, which then learns how much to trust
  each word's ratio.  The sub-word block's ratios are scaled up 4 times, so the same
  penalty shrinks them less: spellings ("shitty", "s**t", "idiots") carry further than
  whole words on few rows.  The ratio folds into the weights, so the head stays one
  coefficient vector.
* **The natural rate.**  The scored files over-sample toxic and borderline comments
  (700 per kind); on a news site about 8 % of comments are toxic, 70 % rated fully clean
  and the rest in between.  Training and calibration weight the rows back to that mix,
  so a probability means what it says on a real comment section.
* **Calibration.**  A sigmoid (Platt) fitted on inner-fold scores maps the log-odds to
  frequencies; it is an affine map of the log-odds, folded into the weights.

The heads are shipped beside the default model (``data/abuse_heads.npz``, read with
``allow_pickle=False``: arrays only, no code) and attach to any spam model with the same
feature layout: a site's own learnt spam model keeps the shipped abuse heads.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

from classifier.datasets import read_bytes
from classifier.pipeline import SUBWORD_FEATURES, WEIGHTS, WORD_FEATURES, build_pipeline
from classifier.types import Comment, ModelError

HEADS_FILE = Path(__file__).with_name("data") / "abuse_heads.npz"
HEADS_RECORD = HEADS_FILE.with_suffix(".json")

# Perspective's attribute names -> the Civil Comments column that rates them.  TOXICITY is
# the abuse score itself and comes first.  SEVERE_TOXICITY and SEXUALLY_EXPLICIT are not
# offered: the shared files hold 8 severely toxic comments, and sexual content is not what
# a news site's moderators remove as abuse.
ATTRIBUTES: dict[str, str] = {
    "TOXICITY": "toxicity",
    "INSULT": "insult",
    "PROFANITY": "obscene",
    "THREAT": "threat",
    "IDENTITY_ATTACK": "identity_attack",
}
TOXIC_AT = 0.5
# Civil Comments' natural mix (the 1.8 M rated comments): ~8 % toxic, ~70 % rated 0 by
# every rater, the rest in between.  The scored samples are drawn per kind instead.
NATURAL = {"toxic": 0.08, "clean": 0.70, "borderline": 0.22}
NEWS_FOLDER = "civil-comments"
FOLDS = 5
INNER_FOLDS = 3
# A head needs this many comments of each class in its training rows, or is not offered.
MIN_EXAMPLES = 20
# The regression's inverse regularisation, from the held-out runs (1.5, 3, 6: within 0.001;
# per head 1, 3, 10: within 0.007, so one for all).
C = 3.0
# A toxic-spans row's weight against a rated toxic row's (held out: 1 -> 0.917, 0.5 ->
# 0.919, 0.3 -> 0.920).
SPANS_WEIGHT = 0.3
# The sub-word block's NB ratios are multiplied by this before the regression (so its
# penalty is 1/16 of the words'), held out 1: 0.896, 2: 0.906, 4: 0.908, 8: 0.899.
SUBWORD_SCALE = 4.0
# The NB ratio's smoothing, in rows (held out 0.5 .. 4: within 0.001).
NB_ALPHA = 1.0


def layout_of(spec_n_features: dict[str, int], spec_weights: dict[str, float]) -> str:
    """The feature layout a head was trained on: it attaches only to a model that has it."""
    return (
        f"words={spec_n_features['words']}x{spec_weights['words']};"
        f"subwords={spec_n_features['subwords']}x{spec_weights['subwords']}"
    )


@dataclass(frozen=True, slots=True)
class AbuseHeads:
    """Calibrated linear heads over the word and sub-word blocks; TOXICITY first.

    ``word_coef`` is (word columns, heads), ``subword_coef`` (sub-word columns, heads), both
    already multiplied by their block's weight and the calibration's slope; ``intercept``
    (heads,) likewise; so a head's probability is ``expit(x @ coef + intercept)``.
    """

    names: tuple[str, ...]
    word_coef: np.ndarray
    subword_coef: np.ndarray
    intercept: np.ndarray
    layout: str
    metadata: dict[str, Any] = field(default_factory=dict)

    # The hash of the weights, computed once: hashing 8 MB costs ~10 ms, and intake asks
    # for the version with every batch (its score cache is per model version).
    version: str = field(init=False, default="")

    def __post_init__(self) -> None:
        digest = hashlib.sha256(self.layout.encode())
        digest.update(json.dumps(self.names).encode())
        # of the weights as the file holds them (float32), so a built and a loaded copy agree
        for array in (self.word_coef, self.subword_coef):
            digest.update(np.ascontiguousarray(array, dtype=np.float32).tobytes())
        digest.update(np.ascontiguousarray(self.intercept, dtype=np.float64).tobytes())
        object.__setattr__(self, "version", digest.hexdigest()[:12])

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            names=np.asarray(self.names),
            layout=np.asarray(self.layout),
            word_coef=self.word_coef.astype(np.float32),
            subword_coef=self.subword_coef.astype(np.float32),
            intercept=self.intercept.astype(np.float64),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, payload: bytes, name: str = "abuse heads") -> AbuseHeads:
        try:
            # allow_pickle=False: arrays of numbers and strings only, never code
            with np.load(io.BytesIO(payload), allow_pickle=False) as arrays:
                names = tuple(str(n) for n in arrays["names"].tolist())
                layout = str(arrays["layout"])
                word = np.asarray(arrays["word_coef"], dtype=np.float64)
                sub = np.asarray(arrays["subword_coef"], dtype=np.float64)
                intercept = np.asarray(arrays["intercept"], dtype=np.float64)
        except (OSError, ValueError, KeyError, EOFError) as exc:
            raise ModelError(f"{name}: not an abuse heads file ({exc})") from None
        k = len(names)
        if (
            not names
            or names[0] != "TOXICITY"
            or word.ndim != 2
            or sub.ndim != 2
            or word.shape[1] != k
            or sub.shape[1] != k
            or intercept.shape != (k,)
        ):
            raise ModelError(f"{name}: abuse heads file has inconsistent shapes")
        return cls(names, word, sub, intercept, layout)

    def save(self, path: str | os.PathLike[str], record: dict[str, Any] | None = None) -> None:
        target = Path(path)
        target.write_bytes(self.to_bytes())
        meta = dict(record or self.metadata, version=self.version, attributes=list(self.names))
        target.with_suffix(".json").write_text(
            json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> AbuseHeads:
        source = Path(path)
        heads = cls.from_bytes(read_bytes(source, "abuse heads file", ModelError), str(source))
        record = source.with_suffix(".json")
        if record.is_file():
            try:
                heads.metadata.update(json.loads(record.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                pass  # the record is documentation; the arrays are the heads
        return heads

    @classmethod
    def default(cls) -> AbuseHeads | None:
        """The shipped heads (cached), or None when the file is not there."""
        with _DEFAULT_LOCK:
            global _DEFAULT, _DEFAULT_LOADED
            if not _DEFAULT_LOADED:
                _DEFAULT = cls.load(HEADS_FILE) if HEADS_FILE.is_file() else None
                _DEFAULT_LOADED = True
            return _DEFAULT


_DEFAULT: AbuseHeads | None = None
_DEFAULT_LOADED = False
_DEFAULT_LOCK = threading.Lock()


# -- training data ----------------------------------------------------------------------


def text_key(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\ufeff", "")).strip().lower()


def _fold(text: str, folds: int) -> int:
    return int(hashlib.sha256(text_key(text).encode()).hexdigest()[:8], 16) % folds


@dataclass(slots=True)
class AbuseData:
    """One row per distinct text.  ``rated``: the raters' fractions per column (NaN where
    a row has none: a toxic-spans or binary-sample row); ``toxic``: the TOXICITY label;
    ``stratum``: clean / borderline / toxic for rated rows, "spans" or "binary"."""

    texts: list[str]
    rated: dict[str, np.ndarray]
    toxic: np.ndarray
    stratum: np.ndarray
    files: list[dict[str, Any]]

    def label(self, attribute: str) -> tuple[np.ndarray, np.ndarray]:
        """(labels, rows that have a label) of one attribute's head."""
        if attribute == "TOXICITY":
            return self.toxic, np.ones(len(self.texts), dtype=bool)
        values = self.rated[ATTRIBUTES[attribute]]
        return np.nan_to_num(values) >= TOXIC_AT, ~np.isnan(values)

    def target(self, attribute: str) -> np.ndarray:
        """The training target of one attribute: 1 for a positive, else the raters'
        fraction where there is one (a row below the line is a positive of weight t and
        a negative of weight 1 - t), 0 for other negatives."""
        labels, _ = self.label(attribute)
        fraction = np.nan_to_num(self.rated[ATTRIBUTES[attribute]])
        return np.where(labels, 1.0, fraction)


def _rows(path: Path) -> list[dict[str, str]]:
    text = read_bytes(path, "dataset", ModelError).decode("utf-8-sig", errors="replace")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def load_abuse_data(data_dir: str | os.PathLike[str]) -> AbuseData:
    """Civil Comments' rated files, its toxic-spans file and its binary sample, one row per
    distinct text (fractions of a text rated twice averaged)."""
    root = Path(data_dir)
    news = sorted((root / NEWS_FOLDER).glob("*.csv"))
    if not news:
        raise ModelError(f"{root}: no Civil Comments files in {NEWS_FOLDER}/")
    columns = list(ATTRIBUTES.values())
    texts: dict[str, str] = {}
    rated: dict[str, list[dict[str, float]]] = {}
    spans: set[str] = set()
    binary: dict[str, bool] = {}
    files: list[dict[str, Any]] = []
    for path in news:
        rows = _rows(path)
        files.append(
            {
                "file": f"{path.parent.name}/{path.name}",
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "rows": len(rows),
            }
        )
        for row in rows:
            content = row.get("text") or ""
            key = text_key(content)
            if not key:
                continue
            if "toxicity" in row:
                rated.setdefault(key, []).append({c: float(row[c]) for c in columns})
            elif "raters" in row:
                spans.add(key)
            elif "label" in row:
                binary[key] = row["label"].strip().lower() == "toxic"
            else:
                continue  # a file of another shape: no label to learn from
            texts.setdefault(key, content)
    keys = sorted(texts)  # an order that does not depend on the files' order
    n = len(keys)
    values = {c: np.full(n, np.nan) for c in columns}
    toxic = np.zeros(n, dtype=bool)
    stratum = np.full(n, "binary", dtype=object)
    for i, key in enumerate(keys):
        if key in rated:
            for c in columns:
                values[c][i] = float(np.mean([r[c] for r in rated[key]]))
            tox = values["toxicity"][i]
            toxic[i] = tox >= TOXIC_AT
            stratum[i] = "toxic" if toxic[i] else ("clean" if tox == 0 else "borderline")
        elif key in spans:
            toxic[i], stratum[i] = True, "spans"
        else:
            toxic[i] = binary[key]
    return AbuseData([texts[k] for k in keys], values, toxic, stratum.astype(str), files)


def features(texts: Sequence[str]) -> tuple[sp.csr_matrix, dict[str, int], dict[str, float]]:
    """The spam pipeline's word and sub-word blocks of ``texts`` (the meta block dropped),
    as its fitted featuriser makes them (stateless: hashing), with the layout."""
    pipeline = build_pipeline()
    analyser, union = pipeline.named_steps["analyse"], pipeline.named_steps["features"]
    analyses = [a.text_only() for a in analyser.fit_transform([Comment(content=t) for t in texts])]
    X = sp.csr_matrix(union.fit_transform(analyses))
    n_features = {"words": WORD_FEATURES, "subwords": SUBWORD_FEATURES}
    weights = {"words": WEIGHTS["words"], "subwords": WEIGHTS["subwords"]}
    keep = n_features["words"] + n_features["subwords"]
    return X[:, :keep].tocsr(), n_features, weights


# -- training -----------------------------------------------------------------------------


def natural_weights(stratum: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Row weights: positives and negatives half the weight each (a toxic-spans positive
    :data:`SPANS_WEIGHT` of a rated one's); among negatives, clean and borderline rows in
    their natural proportion (binary-sample negatives count as clean)."""
    w = np.zeros(labels.size)
    pos = labels
    border = ~labels & (stratum == "borderline")
    clean = ~labels & ~border
    for mask, share in ((pos, 0.5), (clean, 0.5 * 0.70 / 0.92), (border, 0.5 * 0.22 / 0.92)):
        if mask.any():
            w[mask] = share / mask.sum()
    w[stratum == "spans"] *= SPANS_WEIGHT
    return np.asarray(w * labels.size / w.sum(), dtype=np.float64)


def evaluation_weights(stratum: np.ndarray) -> np.ndarray:
    """Weights that bring rated rows to the natural mix (0 for rows with no rating)."""
    w = np.zeros(stratum.size)
    for name, share in NATURAL.items():
        mask = stratum == name
        if mask.any():
            w[mask] = share / mask.sum()
    return w


def _fit_one(
    X: sp.csr_matrix, target: np.ndarray, w: np.ndarray, prior: float, n_words: int
) -> tuple[np.ndarray, float]:
    """NB-weighted logistic regression of ``target`` (in [0, 1]: each row a positive of
    weight w * t and a negative of weight w * (1 - t)); returns (coef over X's columns,
    intercept) at ``prior``'s base rate."""
    from sklearn.linear_model import LogisticRegression

    pos, neg = w * target, w * (1.0 - target)
    pos, neg = pos * 0.5 / pos.sum(), neg * 0.5 / neg.sum()  # the classes balanced
    present = X.copy()
    present.data[:] = 1.0
    rows = X.shape[0]
    p = NB_ALPHA + np.asarray(present.T @ pos).ravel() * rows
    q = NB_ALPHA + np.asarray(present.T @ neg).ravel() * rows
    ratio = np.log((p / p.sum()) / (q / q.sum()))
    ratio[n_words:] *= SUBWORD_SCALE
    scaled = X.multiply(ratio).tocsr()
    as_pos, as_neg = pos > 0, neg > 0
    stacked = sp.vstack([scaled[as_pos], scaled[as_neg]]).tocsr()
    y = np.r_[np.ones(int(as_pos.sum()), dtype=bool), np.zeros(int(as_neg.sum()), dtype=bool)]
    weight = np.r_[pos[as_pos], neg[as_neg]]
    clf = LogisticRegression(C=C, solver="liblinear", max_iter=3000)
    clf.fit(stacked, y, sample_weight=weight * weight.size / weight.sum())
    coef = clf.coef_.ravel() * ratio
    # The weighted training set is balanced: shift the intercept to the natural base rate.
    return coef, float(clf.intercept_[0]) + float(np.log(prior / (1.0 - prior)))


def _platt(z: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    fit = LogisticRegression(C=1e4).fit(z.reshape(-1, 1), y, sample_weight=w * len(w) / w.sum())
    return float(fit.coef_[0, 0]), float(fit.intercept_[0])


def fit_head(
    X: sp.csr_matrix, data: AbuseData, attribute: str, rows: np.ndarray, n_words: int
) -> tuple[np.ndarray, float]:
    """One calibrated head trained on ``rows``: (coef, intercept) of its log-odds."""
    labels, known = data.label(attribute)
    rows = rows[known[rows]]
    y, stratum, t = labels[rows], data.stratum[rows], data.target(attribute)[rows]
    prior = max(float(np.average(y, weights=evaluation_weights(stratum) + 1e-12)), 1e-3)
    prior = NATURAL["toxic"] if attribute == "TOXICITY" else prior
    # Platt on inner folds' scores, weighted to the natural mix where rows are rated.
    inner = np.asarray([_fold(data.texts[r], INNER_FOLDS) for r in rows])
    z = np.zeros(rows.size)
    for k in range(INNER_FOLDS):
        fit_rows, score_rows = inner != k, inner == k
        w = natural_weights(stratum[fit_rows], y[fit_rows])
        coef, b = _fit_one(X[rows[fit_rows]], t[fit_rows], w, prior, n_words)
        z[score_rows] = X[rows[score_rows]] @ coef + b
    ew = evaluation_weights(stratum)
    rated = ew > 0
    slope, shift = _platt(z[rated], y[rated], ew[rated])
    coef, b = _fit_one(X[rows], t, natural_weights(stratum, y), prior, n_words)
    return coef * slope, b * slope + shift


def train_heads(
    data: AbuseData,
    X: sp.csr_matrix,
    n_features: dict[str, int],
    weights: dict[str, float],
    rows: np.ndarray | None = None,
    attributes: Sequence[str] = tuple(ATTRIBUTES),
) -> AbuseHeads:
    """Heads for ``attributes`` trained on ``rows`` (all by default).  ``X`` comes from
    :func:`features` and already carries the blocks' weights."""
    rows = np.arange(len(data.texts)) if rows is None else rows
    coefs, intercepts, trained = [], [], []
    for attribute in attributes:
        labels, known = data.label(attribute)
        positives = int(labels[rows][known[rows]].sum())
        negatives = int((~labels[rows] & known[rows]).sum())
        if min(positives, negatives) < MIN_EXAMPLES:
            if attribute == "TOXICITY":
                raise ModelError(
                    f"too few comments to train the abuse heads ({positives} toxic and "
                    f"{negatives} not; at least {MIN_EXAMPLES} of each are needed)"
                )
            continue  # an attribute the data cannot teach is not offered
        coef, b = fit_head(X, data, attribute, rows, n_features["words"])
        coefs.append(coef)
        intercepts.append(b)
        trained.append(attribute)
    attributes = trained
    matrix = np.stack(coefs, axis=1)
    n_words = n_features["words"]
    # X's columns already carry the block weights, so the scorer, which multiplies the
    # per-block scaling by these, must find them in the coefficients: fold them in.
    word = matrix[:n_words] * weights.get("words", 1.0)
    sub = matrix[n_words:] * weights.get("subwords", 1.0)
    # Rounded to float32 now, as the file stores them: built and loaded heads score alike.
    return AbuseHeads(
        tuple(attributes),
        word.astype(np.float32).astype(np.float64),
        sub.astype(np.float32).astype(np.float64),
        np.asarray(intercepts),
        layout_of(n_features, weights),
    )


def head_scores(heads: AbuseHeads, X: sp.csr_matrix, weights: dict[str, float]) -> np.ndarray:
    """Probabilities (rows, heads) of feature rows made by :func:`features` (the training
    path's arithmetic; the service's is :meth:`SpamModel.score_batch`)."""
    unweighted = np.vstack(
        (
            heads.word_coef / weights.get("words", 1.0),
            heads.subword_coef / weights.get("subwords", 1.0),
        )
    )
    return np.asarray(expit(np.asarray(X @ unweighted) + heads.intercept), dtype=np.float64)


def evaluate_heads(
    data: AbuseData, X: sp.csr_matrix, n_features: dict[str, int], weights: dict[str, float]
) -> dict[str, Any]:
    """Out-of-fold figures: each fold of the news comments (by a hash of the text: no text
    on both sides) scored by heads trained on the other folds."""
    from sklearn.metrics import brier_score_loss, roc_auc_score

    fold = np.asarray([_fold(t, FOLDS) for t in data.texts])
    n = len(data.texts)
    proba = {name: np.full(n, np.nan) for name in ATTRIBUTES}
    for k in range(FOLDS):
        heads = train_heads(data, X, n_features, weights, np.flatnonzero(fold != k))
        test = np.flatnonzero(fold == k)
        scores = head_scores(heads, X[test], weights)
        for j, name in enumerate(heads.names):
            proba[name][test] = scores[:, j]
    out: dict[str, Any] = {"protocol": f"{FOLDS} folds by a hash of the normalised text"}
    natural = evaluation_weights(data.stratum)
    rated = natural > 0
    for attribute in ATTRIBUTES:
        labels, _ = data.label(attribute)
        y, p, w = labels[rated], proba[attribute][rated], natural[rated]
        if np.isnan(p).any() or len(set(y.tolist())) < 2:
            continue  # a head some fold could not train: not offered, no figure
        entry: dict[str, Any] = {
            "positives": int(y.sum()),
            "roc_auc_natural": round(float(roc_auc_score(y, p, sample_weight=w)), 4),
            "brier_natural": round(float(brier_score_loss(y, p, sample_weight=w)), 4),
        }
        if attribute == "TOXICITY":
            entry["reliability"] = _reliability(y, p, w)
            binary = data.stratum == "binary"
            if binary.any() and len(set(data.toxic[binary].tolist())) == 2:
                entry["roc_auc_binary_sample"] = round(
                    float(roc_auc_score(data.toxic[binary], proba[attribute][binary])), 4
                )
        out[attribute] = entry
    return out


def _reliability(y: np.ndarray, p: np.ndarray, w: np.ndarray) -> list[dict[str, Any]]:
    edges = [0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0001]
    table = []
    for lo, hi in pairwise(edges):
        mask = (p >= lo) & (p < hi)
        if not mask.any():
            continue
        table.append(
            {
                "bin": f"{lo:.1f}-{min(hi, 1.0):.1f}",
                "rows": int(mask.sum()),
                "mean_score": round(float(np.average(p[mask], weights=w[mask])), 3),
                "share_toxic": round(float(np.average(y[mask], weights=w[mask])), 3),
            }
        )
    return table


def build_heads(data_dir: str | os.PathLike[str], *, evaluate: bool = True) -> AbuseHeads:
    """Train the shipped heads from ``data_dir`` (and measure them first, unless told not)."""
    data = load_abuse_data(data_dir)
    X, n_features, weights = features(data.texts)
    record: dict[str, Any] = {
        "what": "abuse heads over the spam model's word and sub-word columns (classifier/abuse.py)",
        "sources": data.files,
        "rows": {
            name: int((data.stratum == name).sum())
            for name in ("clean", "borderline", "toxic", "spans", "binary")
        },
        "training": {
            "C": C,
            "spans_weight": SPANS_WEIGHT,
            "subword_scale": SUBWORD_SCALE,
            "nb_alpha": NB_ALPHA,
            "labels": "fraction >= 0.5: positive; below: positive of weight t, negative 1 - t",
        },
        "natural_mix": NATURAL,
    }
    if evaluate:
        record["held_out"] = evaluate_heads(data, X, n_features, weights)
    heads = train_heads(data, X, n_features, weights)
    heads.metadata.update(record)
    return heads
