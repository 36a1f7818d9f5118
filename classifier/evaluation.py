"""Scores of a model on labelled data, at the model's own decision threshold."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    matthews_corrcoef,
    precision_score,
    recall_score,
    roc_auc_score,
)

from classifier.types import METRIC_KEYS

__all__ = ["METRIC_KEYS", "metrics"]


def metrics(
    labels: Sequence[bool], probabilities: Sequence[float], threshold: float
) -> dict[str, float | int | None]:
    """Accuracy, precision/recall/F1 of the spam class, MCC, ROC-AUC and false positive rate.

    ROC-AUC is ``None`` when only one label is present (it is undefined then); the other
    scores are 0 rather than a warning when undefined (e.g. precision with no spam predicted).
    """
    y = np.asarray(labels, dtype=bool)
    p = np.asarray(probabilities, dtype=np.float64)
    pred = p >= threshold
    ham = ~y
    n_ham = int(ham.sum())
    fpr = float((pred & ham).sum() / n_ham) if n_ham else 0.0
    both = bool(y.any() and ham.any())
    mcc = float(matthews_corrcoef(y, pred)) if both and len(set(pred.tolist())) > 1 else 0.0
    return {
        "n": int(y.size),
        "accuracy": float(accuracy_score(y, pred)) if y.size else 0.0,
        "precision": float(precision_score(y, pred, zero_division=0)),
        "recall": float(recall_score(y, pred, zero_division=0)),
        "f1": float(f1_score(y, pred, zero_division=0)),
        "mcc": mcc,
        "roc_auc": float(roc_auc_score(y, p)) if both else None,
        "false_positive_rate": fpr,
    }
