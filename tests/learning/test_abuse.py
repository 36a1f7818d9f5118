"""The abuse heads: the shipped file, their scores in the spam model's pass, reasons, and
their build.

Training on the real Civil Comments files (``../shared/datasets``) is tested when they are
there and skipped cleanly when not; everything else runs on the committed heads and on
small files written here.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest

from classifier import Comment, SpamModel, load_file
from classifier.abuse import (
    ATTRIBUTES,
    HEADS_FILE,
    AbuseHeads,
    features,
    head_scores,
    load_abuse_data,
    train_heads,
)
from classifier.cli import main
from classifier.datasets import SEED_CORPUS
from classifier.features import FUNCTION_WORDS
from classifier.types import ModelError

DATASETS = Path(__file__).resolve().parents[3] / "shared" / "datasets"
needs_datasets = pytest.mark.skipif(
    not (DATASETS / "civil-comments").is_dir(), reason="../shared/datasets is not here"
)

# Written for these tests: an attack on a person, and replies a news site wants to keep.
HOSTILE = [
    "You are a pathetic idiot and a liar, shut up you moron.",
    "What a stupid, ignorant fool. People like you are disgusting garbage.",
]
CIVIL = [
    "Thanks for the thoughtful article, I learned a lot about the council budget.",
    "I disagree with the mayor on this, but the reporting here is fair and careful.",
    "The bridge closure will add twenty minutes to my commute; any word on the detour?",
]


def test_the_shipped_heads_load_and_attach_to_the_default_model() -> None:
    heads = AbuseHeads.load(HEADS_FILE)
    assert heads.names[0] == "TOXICITY"
    assert set(heads.names) <= set(ATTRIBUTES)
    model = SpamModel.default()
    assert model.attribute_names == heads.names
    assert model.abuse_version == heads.version
    record = HEADS_FILE.with_suffix(".json").read_text(encoding="utf-8")
    assert heads.version in record and "civil-comments" in record


def test_abuse_is_scored_for_every_comment_and_ranks_attacks_above_civil_replies() -> None:
    scores = SpamModel.default().score_batch([Comment(content=t) for t in HOSTILE + CIVIL])
    abuse = [s.abuse for s in scores]
    assert all(a is not None and 0.0 <= a <= 1.0 for a in abuse)
    known = [a or 0.0 for a in abuse]
    hostile, civil = known[: len(HOSTILE)], known[len(HOSTILE) :]
    assert min(hostile) > 0.5 > max(civil)
    assert [name for name, _ in scores[0].attributes] == ["TOXICITY"]
    assert scores[0].attributes[0][1] == scores[0].abuse


def test_every_attribute_only_when_asked() -> None:
    model = SpamModel.default()
    scores = model.score_batch([Comment(content=HOSTILE[0])], attributes=True)
    assert [name for name, _ in scores[0].attributes] == list(model.attribute_names)
    assert dict(scores[0].attributes)["TOXICITY"] == scores[0].abuse
    # the same TOXICITY either way: the other heads are extra columns, not another pass
    assert model.score_batch([Comment(content=HOSTILE[0])])[0].abuse == pytest.approx(
        scores[0].abuse, abs=1e-12
    )


def test_the_fast_path_computes_what_the_pipeline_features_give() -> None:
    """score_batch (word tables, no feature rows) against the training path's arithmetic
    (the pipeline's featuriser, a sparse product) on every seed-corpus text."""
    model = SpamModel.default()
    heads = AbuseHeads.default()
    assert heads is not None
    texts = [c.content for c in load_file(SEED_CORPUS).comments][:400] + HOSTILE + CIVIL + [""]
    X, _, weights = features(texts)
    expected = head_scores(heads, X, weights)
    got = np.array(
        [
            [p for _, p in s.attributes]
            for s in model.score_batch([Comment(content=t) for t in texts], attributes=True)
        ]
    )
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


def test_abuse_reasons_name_the_hostile_words_never_function_words() -> None:
    scores = SpamModel.default().score_batch([Comment(content=t) for t in HOSTILE + CIVIL])
    for score in scores[: len(HOSTILE)]:
        assert score.abuse_reasons, score
        assert any(w in " ".join(score.abuse_reasons) for w in ("idiot", "moron", "stupid", "fool"))
    for score in scores[len(HOSTILE) :]:  # civil replies: no word named as abusive
        assert score.abuse_reasons == (), score
    for score in scores:
        for reason in score.abuse_reasons:
            assert reason.startswith(("word '", "phrase '"))
            words = reason.partition("'")[2][:-1].split()  # quoted; may hold "'"
            assert not all(w in FUNCTION_WORDS for w in words), reason


def test_a_learnt_site_model_keeps_the_heads() -> None:
    model = SpamModel.default()
    learnt = model.learn([Comment(content="buy cheap pills at example.test")], [True])
    assert learnt.attribute_names == model.attribute_names
    text = Comment(content=HOSTILE[0])
    assert learnt.score(text).abuse == pytest.approx(model.score(text).abuse, abs=1e-12)
    # and a model read back from its bytes (a site model from Redis) has them too
    again = SpamModel.from_bytes(learnt.to_bytes())
    assert again.score(text).abuse == pytest.approx(model.score(text).abuse, abs=1e-12)


def test_a_model_without_heads_gives_none() -> None:
    bare = SpamModel.default().with_abuse_heads(None)
    score = bare.score(Comment(content=HOSTILE[0]))
    assert score.abuse is None and score.abuse_reasons == () and score.attributes == ()
    assert bare.attribute_names == ()


def test_heads_files_hold_arrays_only(tmp_path: Path) -> None:
    bad = io.BytesIO()
    np.savez(bad, names=np.array([{"x": 1}], dtype=object))  # needs pickle to read
    with pytest.raises(ModelError, match="not an abuse heads file"):
        AbuseHeads.from_bytes(bad.getvalue())
    with pytest.raises(ModelError, match="not an abuse heads file"):
        AbuseHeads.from_bytes(b"not a zip")
    heads = AbuseHeads.default()
    assert heads is not None
    other = AbuseHeads(heads.names, heads.word_coef, heads.subword_coef, heads.intercept, "x")
    with pytest.raises(ModelError, match="another feature layout"):
        SpamModel.default().with_abuse_heads(other)
    # a round trip keeps the heads (float32 on disk: the version is of what is read back)
    path = tmp_path / "heads.npz"
    heads.save(path)
    assert AbuseHeads.load(path).version == heads.version


def _write_fixture(root: Path) -> None:
    """A small Civil-Comments-shaped folder: rated rows, toxic-spans rows; and a video's
    comments, which the abuse heads do not read."""
    news = root / "civil-comments"
    news.mkdir(parents=True)
    columns = ["text", "toxicity", "severe_toxicity", "obscene", "threat", "insult"]
    columns += ["identity_attack", "sexual_explicit"]
    with (news / "scored.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for i in range(40):
            w.writerow([f"You idiot number {i}, you stupid moron.", 0.9, 0, 0.6, 0.1, 0.9, 0, 0])
            w.writerow([f"Sensible point {i} about the school budget.", 0.0, 0, 0, 0, 0, 0, 0])
            w.writerow([f"Meh, point {i} is a bit silly.", 0.2, 0, 0, 0, 0.1, 0, 0])
    with (news / "spans.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["comment_id", "text", "raters", "raters_not_toxic", "raters_whole_post_toxic"])
        for i in range(20):
            w.writerow([i, f"Shut up, fool {i}.", 3, 0, 1])
    videos = root / "youtube-spam"
    videos.mkdir()
    with (videos / "Youtube09-Test.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["COMMENT_ID", "AUTHOR", "DATE", "CONTENT", "CLASS"])
        for i in range(15):
            w.writerow([f"c{i}", "a", "", f"love this song {i}", 0])
            w.writerow([f"s{i}", "b", "", f"check out my channel {i}", 1])


def test_build_abuse_writes_heads_and_is_reproducible(tmp_path: Path) -> None:
    _write_fixture(tmp_path / "data")
    data = load_abuse_data(tmp_path / "data")
    assert len(data.texts) == 40 * 3 + 20  # the videos are not abuse data
    out = tmp_path / "heads.npz"
    argv = ["build-abuse", "--data", str(tmp_path / "data"), "--out", str(out), "--no-evaluate"]
    assert main(argv) == 0
    first = AbuseHeads.load(out)
    assert main(argv) == 0
    assert AbuseHeads.load(out).version == first.version
    scores = (
        SpamModel.default()
        .with_abuse_heads(first)
        .score_batch(
            [Comment(content="you stupid moron"), Comment(content="a sensible budget point")]
        )
    )
    assert scores[0].abuse > scores[1].abuse  # type: ignore[operator]


def test_build_abuse_says_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["build-abuse", "--data", str(tmp_path), "--no-evaluate"])
    assert exit_info.value.code == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[-1].startswith("classifier: error:") and "civil-comments" in lines[-1]
    assert not any("Traceback" in line for line in lines)


@needs_datasets
def test_heads_from_the_real_data_rank_held_out_comments() -> None:
    """A held-out fold of the real news comments (by text hash), heads trained on the rest:
    far better than chance (the full figures are the bench's)."""
    from sklearn.metrics import roc_auc_score

    from classifier.abuse import _fold, evaluation_weights

    data = load_abuse_data(DATASETS)
    X, n_features, weights = features(data.texts)
    fold = np.asarray([_fold(t, 5) for t in data.texts])
    heads = train_heads(
        data, X, n_features, weights, np.flatnonzero(fold != 0), attributes=("TOXICITY",)
    )
    test = np.flatnonzero((fold == 0) & (evaluation_weights(data.stratum) > 0))
    proba = head_scores(heads, X[test], weights)[:, 0]
    w = evaluation_weights(data.stratum)[test]
    assert roc_auc_score(data.toxic[test], proba, sample_weight=w) > 0.8
