"""The values the classifier takes and gives: plain frozen dataclasses, no scikit-learn."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Comment:
    """One comment as the classifier sees it: the text and everything known about its author."""

    content: str
    author_name: str = ""
    author_email: str = ""
    author_url: str = ""
    post_url: str = ""


@dataclass(frozen=True, slots=True)
class Score:
    """The verdict on one comment."""

    probability: float  # spam probability in [0, 1]
    reasons: tuple[str, ...]  # what pushed the score towards spam, strongest first
    spam: bool  # probability >= the model's threshold
    # Abuse (toxicity) probability in [0, 1] from the model's abuse head, scored in the same
    # featurisation pass; None for a model without one (a file saved before it existed).
    abuse: float | None = None
    abuse_reasons: tuple[str, ...] = ()  # the words or phrases that carry the abuse score
    # Perspective-style attributes the head provides, each a probability:
    # (("TOXICITY", p), ("INSULT", q), ...); TOXICITY's is ``abuse``.
    attributes: tuple[tuple[str, float], ...] = ()


class ModelError(Exception):
    """A refusal to load, save or train a model, or to read a dataset; the message is one line."""


# The scores `evaluate` reports, in the order `python -m classifier evaluate --json` prints them.
METRIC_KEYS = (
    "n",
    "accuracy",
    "precision",
    "recall",
    "f1",
    "mcc",
    "roc_auc",
    "false_positive_rate",
)
