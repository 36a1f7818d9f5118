"""Comment spam classifier: score batches with reasons, train, evaluate, save safely.

No web or Redis code lives here; the service (``moderation``) uses this API::

    model = SpamModel.default()            # or SpamModel.load("model.skops")
    scores = model.score_batch([Comment("Buy cheap pills at bit.ly/x")])
    scores[0].probability, scores[0].spam, scores[0].reasons
"""

from classifier.datasets import Dataset, DatasetError, load_file, load_files
from classifier.model import SEED_CORPUS, SpamModel, train, train_default
from classifier.pipeline import build_pipeline
from classifier.types import Comment, ModelError, Score

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
