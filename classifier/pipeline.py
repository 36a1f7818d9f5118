"""The scikit-learn pipeline: comments -> analysis -> three hashed blocks -> logistic
regression by SGD.

``build_pipeline()`` is the one definition of the classifier's maths.  SpamModel's batch
scorer reads every number it needs (block sizes, weights, coefficients) from a fitted
pipeline through :func:`feature_spec`, and tests check its probabilities against this
pipeline's ``predict_proba``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import FeatureUnion, Pipeline

from classifier.features import (
    CommentAnalyser,
    OccurrenceScaler,
    meta_tokens,
    subword_tokens,
    word_tokens,
)
from classifier.types import Comment, ModelError

# Logistic loss gives calibrated-enough probabilities and per-feature contributions
# (coef x value) that read as reasons.  SGD rather than LogisticRegression because
# `partial_fit` is what lets moderators' decisions update a model in milliseconds.
EPOCHS = 30
ALPHA = 1e-4

# Columns of each block, chosen so that no block's tokens share columns more often than all
# features did when they shared one space of 2**18 (17% of the seed corpus's distinct
# tokens then; now words 12%, sub-word n-grams 11%, meta 3%).  The meta block is large for
# its few thousand names because its features are strong: a collision there moves scores.
WORD_FEATURES = 2**17
SUBWORD_FEATURES = 2**18
META_FEATURES = 2**15
# The weight of each block.  Words and sub-words are each scaled to unit length per row, so
# a long comment does not outweigh a short one; meta features (links, author, structure)
# keep a fixed weight whatever the length.
WEIGHTS = {"words": 1.0, "subwords": 0.5, "meta": 0.5}
BLOCKS = tuple(WEIGHTS)


def _hashing(analyzer: object, n_features: int, **options: object) -> HashingVectorizer:
    # Stateless hashing (no vocabulary) is what lets SpamModel.learn use `partial_fit`: a
    # word first seen in a moderator's decision gets a weight like any other.
    return HashingVectorizer(
        analyzer=analyzer, n_features=n_features, alternate_sign=False, **options
    )


def build_pipeline() -> Pipeline:
    """The unfitted estimator: ``analyse`` (CommentAnalyser), ``features`` (a FeatureUnion
    of three HashingVectorizers over the analysis) and ``clf`` (SGDClassifier).

    * ``words``: words, word pairs and prefixes (:func:`classifier.features.word_tokens`),
      present or not (binary), each row L2-normalised;
    * ``subwords``: character 3-5-grams of each word, counted, each row scaled by
      ``1 / sqrt(its number of n-grams)`` (:class:`classifier.features.OccurrenceScaler`);
    * ``meta``: links, author fields, structure and phrase groups, present or not.
    """
    features = FeatureUnion(
        [
            ("words", _hashing(word_tokens, WORD_FEATURES, binary=True, norm="l2")),
            (
                "subwords",
                Pipeline(
                    [
                        ("hash", _hashing(subword_tokens, SUBWORD_FEATURES, norm=None)),
                        ("scale", OccurrenceScaler()),
                    ]
                ),
            ),
            ("meta", _hashing(meta_tokens, META_FEATURES, norm=None)),
        ],
        transformer_weights=dict(WEIGHTS),
    )
    return Pipeline(
        [
            ("analyse", CommentAnalyser()),
            ("features", features),
            (
                "clf",
                SGDClassifier(
                    loss="log_loss",
                    penalty="l2",
                    alpha=ALPHA,
                    max_iter=EPOCHS,
                    tol=None,  # a fixed number of epochs: deterministic and quick
                    average=True,  # averaged SGD: stable weights, close to the exact optimum
                    random_state=0,
                ),
            ),
        ]
    )


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """What the batch scorer needs to know of a fitted pipeline, read from the pipeline."""

    phrase_groups: bool
    n_features: dict[str, int]  # columns of each block, in the union's order (BLOCKS)
    weights: dict[str, float]
    classifier: SGDClassifier

    def offset(self, block: str) -> int:
        """The first column of ``block`` in the union's output."""
        return sum(self.n_features[name] for name in BLOCKS[: BLOCKS.index(block)])


def feature_spec(pipeline: object) -> FeatureSpec:
    """Check that ``pipeline`` has the shape of :func:`build_pipeline` and is fitted.

    Raises ModelError for anything else (a file holding another kind of object, or one
    whose parts were changed).
    """
    if not isinstance(pipeline, Pipeline):
        raise ModelError(f"not a classifier model (holds a {type(pipeline).__name__})")
    steps = dict(pipeline.steps)
    analyser, union, clf = steps.get("analyse"), steps.get("features"), steps.get("clf")
    if (
        [name for name, _ in pipeline.steps] != ["analyse", "features", "clf"]
        or not isinstance(analyser, CommentAnalyser)
        or not isinstance(union, FeatureUnion)
        or not isinstance(clf, SGDClassifier)
    ):
        raise ModelError("not a classifier model (unexpected pipeline steps)")
    blocks = dict(union.transformer_list)
    reference = dict(build_pipeline().named_steps["features"].transformer_list)
    weights = union.transformer_weights or {}
    if (
        list(blocks) != list(BLOCKS)
        or set(weights) != set(BLOCKS)
        or any(_settings(blocks[name]) != _settings(reference[name]) for name in BLOCKS)
    ):
        raise ModelError("not a classifier model (unexpected feature blocks)")
    spec = FeatureSpec(
        phrase_groups=bool(analyser.phrase_groups),
        n_features={name: int(_hasher(blocks[name]).n_features) for name in BLOCKS},
        weights={name: float(weights[name]) for name in BLOCKS},
        classifier=clf,
    )
    coef = getattr(clf, "coef_", None)
    if coef is None:
        raise ModelError("model is not fitted")
    classes = getattr(clf, "classes_", None)
    if classes is None or list(np.asarray(classes).tolist()) != [0, 1]:
        raise ModelError("not a spam model (classes are not 0=ham, 1=spam)")
    if np.shape(coef) != (1, sum(spec.n_features.values())):
        raise ModelError("corrupt model (weights do not match the feature space)")
    return spec


def _settings(block: object) -> dict[str, object]:
    """A block's type and parameters, apart from its size (what the batch scorer assumes)."""
    if not isinstance(block, BaseEstimator):
        return {"type": type(block)}
    # Nested estimators by their type; the lists of (name, estimator) steps are covered
    # by their names' own entries.
    params = {
        key: type(value) if isinstance(value, BaseEstimator) else value
        for key, value in block.get_params(deep=True).items()
        if not key.endswith("n_features") and not isinstance(value, list)
    }
    return {"type": type(block), **params}


def _hasher(block: object) -> HashingVectorizer:
    hasher = block.named_steps["hash"] if isinstance(block, Pipeline) else block
    assert isinstance(hasher, HashingVectorizer)  # checked by _settings
    return hasher


def balanced_weights(labels: Sequence[bool]) -> np.ndarray:
    """Per-sample weights that give both classes the same total weight."""
    y = np.asarray(labels, dtype=bool)
    n_spam = int(y.sum())
    n_ham = int(y.size - n_spam)
    weights = np.empty(y.size, dtype=np.float64)
    weights[y] = y.size / (2.0 * max(n_spam, 1))
    weights[~y] = y.size / (2.0 * max(n_ham, 1))
    return weights


def fit_pipeline(
    comments: Sequence[Comment], labels: Sequence[bool], *, text_only_weight: float = 0.0
) -> Pipeline:
    """Build and fit the pipeline (deterministic for the same input).

    ``text_only_weight`` > 0 adds a copy of every example without its meta features (links,
    author, structure), with that relative weight.  When links and author fields separate
    the training data almost perfectly (as in a written corpus), the model would otherwise
    leave the words near zero and miss spam that arrives without a link.
    """
    pipeline = build_pipeline()
    analyses = pipeline.named_steps["analyse"].fit_transform(comments)
    features = pipeline.named_steps["features"]
    X = features.fit_transform(analyses)
    y = np.asarray(labels, dtype=np.int64)
    weights = balanced_weights(labels)
    if text_only_weight > 0:
        X_text = features.transform([analysis.text_only() for analysis in analyses])
        X = sp.vstack([X, X_text], format="csr")
        y = np.concatenate([y, y])
        weights = np.concatenate([weights, text_only_weight * weights])
    pipeline.named_steps["clf"].fit(X, y, sample_weight=weights)
    return pipeline
