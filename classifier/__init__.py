"""Comment spam classifier: score batches with reasons, train, evaluate, save safely.

No web or Redis code lives here; the service (``moderation``) uses this API::

    model = SpamModel.default()            # or SpamModel.load("model.skops")
    scores = model.score_batch([Comment("Buy cheap pills at bit.ly/x")])
    scores[0].probability, scores[0].spam, scores[0].reasons
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from classifier.datasets import SEED_CORPUS, Dataset, DatasetError, load_file, load_files
from classifier.types import Comment, ModelError, Score

if TYPE_CHECKING:
    from classifier.model import SpamModel, train, train_default
    from classifier.pipeline import build_pipeline

# scikit-learn and skops take over a second to import.  The names that need them are
# imported on first use, so `python -m classifier` answers a usage or data error at once and
# importing `Comment` does not pull in scikit-learn.
_LAZY = {
    "SpamModel": "classifier.model",
    "train": "classifier.model",
    "train_default": "classifier.model",
    "build_pipeline": "classifier.pipeline",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'classifier' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "SEED_CORPUS",
    "Comment",
    "Dataset",
    "DatasetError",
    "ModelError",
    "Score",
    "SpamModel",
    "build_pipeline",
    "load_file",
    "load_files",
    "train",
    "train_default",
]
