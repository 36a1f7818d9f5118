"""The scikit-learn pipeline: hashed, named comment features -> logistic regression by SGD."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import Pipeline

from classifier.features import CommentFeaturizer
from classifier.types import Comment

# Logistic loss gives calibrated-enough probabilities and per-feature contributions
# (coef x value) that read as reasons.  SGD rather than LogisticRegression because
# `partial_fit` is what lets moderators' decisions update a model in milliseconds.
EPOCHS = 30
ALPHA = 1e-4


def build_pipeline() -> Pipeline:
    """The unfitted estimator: ``features`` (CommentFeaturizer) then ``clf`` (SGDClassifier)."""
    return Pipeline(
        [
            ("features", CommentFeaturizer()),
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
    features = pipeline.named_steps["features"]
    X = features.transform(comments)
    y = np.asarray(labels, dtype=np.int64)
    weights = balanced_weights(labels)
    if text_only_weight > 0:
        X_text, _ = features.transform_named(comments, text_only=True)
        X = sp.vstack([X, X_text], format="csr")
        y = np.concatenate([y, y])
        weights = np.concatenate([weights, text_only_weight * weights])
    pipeline.named_steps["clf"].fit(X, y, sample_weight=weights)
    return pipeline
