"""retrain_site: a site's candidate swaps in only when it is no worse on the newest labels.

Synthetic sites built from small word lists (no YouTube data): a "site" whose spam is a
kind the seed corpus has never seen (fan-channel self-promotion), so a candidate trained on
its labels is clearly better than the default model there.
"""

from __future__ import annotations

import json
import random

import pytest

from classifier import Comment, SpamModel
from classifier.site_learning import (
    LearningSettings,
    RetrainResult,
    gate,
    load_seed,
    retrain_site,
)

Seed = tuple[list[Comment], list[bool]]

_HAM_WORDS = (
    "love this song so much the chorus is beautiful",
    "her voice is amazing and the video looks great",
    "this brings back memories of summer with my friends",
    "best music video of the year honestly",
    "the dancing in this is incredible",
    "i listen to this every morning before school",
    "who else is watching this in the winter",
    "the drummer deserves more credit",
)
_SPAM_WORDS = (
    "subscribe to my channel for daily vlogs",
    "please check out my new cover and subscribe",
    "sub to me and i will sub back promise",
    "visit my channel for free giftcards",
    "like and subscribe my channel i make beats",
    "check my playlist and follow me on instagram",
    "i need 1000 subscribers please help me",
    "free followers at my page subscribe now",
)


def _site(n: int, rng: random.Random) -> tuple[list[Comment], list[bool]]:
    comments: list[Comment] = []
    labels: list[bool] = []
    for _ in range(n):
        spam = rng.random() < 0.45
        words = rng.choice(_SPAM_WORDS if spam else _HAM_WORDS).split()
        rng.shuffle(words)
        extra = rng.choice(_SPAM_WORDS if spam else _HAM_WORDS).split()[: rng.randint(1, 4)]
        comments.append(
            Comment(content=" ".join(words + extra), author_name=f"user{rng.randint(1, 999)}")
        )
        labels.append(spam)
    return comments, labels


@pytest.fixture(scope="module")
def seed() -> Seed:
    comments, labels = load_seed()
    # A stratified sample keeps the tests fast; the method is the same.
    rng = random.Random(0)
    rows = sorted(rng.sample(range(len(comments)), 400))
    return [comments[i] for i in rows], [labels[i] for i in rows]


@pytest.fixture(scope="module")
def site() -> tuple[list[Comment], list[bool]]:
    return _site(150, random.Random(1))


@pytest.fixture(scope="module")
def default() -> SpamModel:
    return SpamModel.default()


def _retrain(
    seed: Seed,
    comments: list[Comment],
    labels: list[bool],
    current: SpamModel,
    **kwargs: object,
) -> RetrainResult:
    return retrain_site(None, seed[0], seed[1], comments, labels, current=current, **kwargs)  # type: ignore[arg-type]


def test_a_clearly_better_candidate_swaps_in(
    seed: Seed, site: tuple[list[Comment], list[bool]], default: SpamModel
) -> None:
    comments, labels = site
    result = _retrain(seed, comments, labels, default)
    assert result.swapped
    assert result.record["outcome"] == "swapped"
    assert result.model is not default
    assert result.record["candidate"]["roc_auc"] >= result.record["current"]["roc_auc"]
    # The final model was refitted on every label, the newest included.
    assert result.model.metadata["training_data"]["n_site"] == len(labels)
    assert result.record["model_version"] == result.model.version
    json.dumps(result.record)  # the record is JSON-serialisable
    fresh = _site(60, random.Random(7))
    # On fresh comments of the site, spam and ham lie further apart than under the default.
    assert _separation(result.model, *fresh) > _separation(default, *fresh)
    assert result.model.evaluate(*fresh)["f1"] >= default.evaluate(*fresh)["f1"]


def _separation(model: SpamModel, comments: list[Comment], labels: list[bool]) -> float:
    proba = model.predict_proba(comments)
    spam = [p for p, v in zip(proba.tolist(), labels, strict=True) if v]
    ham = [p for p, v in zip(proba.tolist(), labels, strict=True) if not v]
    return float(sum(spam) / len(spam) - sum(ham) / len(ham))


def test_a_poisoned_batch_is_refused_and_the_old_model_kept(
    seed: Seed, site: tuple[list[Comment], list[bool]], default: SpamModel
) -> None:
    comments, labels = site
    good = _retrain(seed, comments, labels, default).model
    # Moderators' (or an attacker's) labels flipped on the training part; the newest,
    # held-out labels are genuine, and the candidate learnt from the flipped ones loses.
    n_train = len(labels) - int(len(labels) * 0.2)
    poisoned = [not v for v in labels[:n_train]] + labels[n_train:]
    result = _retrain(seed, comments, poisoned, good)
    assert not result.swapped
    assert result.record["outcome"] == "kept"
    assert result.model is good
    assert "worse" in result.record["reason"]
    assert result.record["candidate"]["roc_auc"] < result.record["current"]["roc_auc"]


def test_retrain_is_deterministic(
    seed: Seed, site: tuple[list[Comment], list[bool]], default: SpamModel
) -> None:
    comments, labels = site
    first = _retrain(seed, comments[:100], labels[:100], default)
    second = _retrain(seed, comments[:100], labels[:100], default)
    assert first.model.version == second.model.version
    assert first.model.threshold == second.model.threshold
    strip = ("seconds",)
    a = {k: v for k, v in first.record.items() if k not in strip}
    b = {k: v for k, v in second.record.items() if k not in strip}
    assert a == b


def test_too_few_labels_are_skipped(seed: Seed, default: SpamModel) -> None:
    comments, labels = _site(10, random.Random(2))
    result = _retrain(seed, comments, labels, default)
    assert not result.swapped
    assert result.model is default
    assert result.record["outcome"] == "skipped"
    assert "too few labels" in result.record["reason"]


def test_one_class_in_training_labels_is_skipped(seed: Seed, default: SpamModel) -> None:
    comments, _ = _site(40, random.Random(3))
    result = _retrain(seed, comments, [False] * 40, default)
    assert result.record["outcome"] == "skipped"
    assert result.model is default


def test_one_class_holdout_falls_back_to_accuracy_and_fpr(
    seed: Seed, site: tuple[list[Comment], list[bool]], default: SpamModel
) -> None:
    comments, labels = site
    ham = [c for c, v in zip(comments, labels, strict=True) if not v]
    spam = [c for c, v in zip(comments, labels, strict=True) if v]
    # Mixed older labels, then only ham as the newest (held-out) labels.
    mixed = comments[:60]
    stream = mixed + ham[:20]
    stream_labels = labels[:60] + [False] * 20
    result = _retrain(seed, stream, stream_labels, default)
    assert result.record["auc_defined"] is False
    assert result.record["candidate"]["roc_auc"] is None
    assert "roc_auc undefined" in result.record["reason"]
    assert result.record["outcome"] in ("swapped", "kept")
    assert spam  # the synthetic site has both labels


def test_gate_rules() -> None:
    settings = LearningSettings()
    cur = {"roc_auc": 0.95, "false_positive_rate": 0.01, "accuracy": 0.9}
    assert gate({"roc_auc": 0.96, "false_positive_rate": 0.0, "accuracy": 0.9}, cur, settings)[0]
    # Within the AUC tolerance counts as no worse.
    assert gate({"roc_auc": 0.948, "false_positive_rate": 0.0, "accuracy": 0.9}, cur, settings)[0]
    assert not gate({"roc_auc": 0.90, "false_positive_rate": 0.0, "accuracy": 0.9}, cur, settings)[
        0
    ]
    # More false positives than both the current model and the 2% ceiling: refused.
    assert not gate({"roc_auc": 0.99, "false_positive_rate": 0.05, "accuracy": 0.9}, cur, settings)[
        0
    ]
    # Undefined AUC: accuracy and FPR decide.
    none = {"roc_auc": None, "false_positive_rate": 0.0, "accuracy": 0.8}
    assert not gate(none, {**cur, "roc_auc": None}, settings)[0]
    assert gate({**none, "accuracy": 0.95}, {**cur, "roc_auc": None}, settings)[0]


def test_mismatched_lengths_are_refused(seed: Seed, default: SpamModel) -> None:
    from classifier import ModelError

    with pytest.raises(ModelError, match="labels"):
        _retrain(seed, [Comment(content="hi")], [True, False], default)
