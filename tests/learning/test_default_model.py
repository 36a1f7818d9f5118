"""The shipped default model: its file and record, its build, calibration and reasons.

The build from the real datasets (``../shared/datasets``) is tested when they are there and
skipped cleanly when not; everything else runs on the committed model file and on small
files written here.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from scipy.special import expit

from classifier import Comment, SpamModel, load_file
from classifier.cli import main
from classifier.datasets import DEFAULT_MODEL, SEED_CORPUS, DatasetError, load_ham_comments
from classifier.default_model import (
    DEFAULT_RECORD,
    NEWS,
    NEWS_SPAM,
    SEED,
    YOUTUBE,
    Calibration,
    Corpus,
    Features,
    Recipe,
    build_default,
    calibrated_pipeline,
    fit,
    load_corpus,
    load_news_spam,
    log_odds,
    news_fold,
    source_weights,
    text_hash,
)
from classifier.features import FUNCTION_WORDS, normalise
from classifier.types import ModelError

REPO = Path(__file__).resolve().parents[2]
DATASETS = REPO.parent / "shared" / "datasets"
HAVE_DATASETS = (DATASETS / "youtube-spam").is_dir() and (DATASETS / "civil-comments").is_dir()
needs_datasets = pytest.mark.skipif(not HAVE_DATASETS, reason="../shared/datasets is absent")


def test_the_shipped_model_loads_from_its_file_with_its_record() -> None:
    model = SpamModel.default()
    assert model is SpamModel.default()  # loaded once per process
    assert SpamModel.load(DEFAULT_MODEL).version == model.version
    record = json.loads(DEFAULT_RECORD.read_text(encoding="utf-8"))
    assert record["version"] == model.version
    assert record["threshold"] == model.threshold
    files = record["training_data"]["files"]
    assert {entry["licence"].split(" (")[0] for entry in files} >= {"CC BY 4.0", "CC0 1.0"}
    assert all(len(entry["sha256"]) == 64 for entry in files)
    # The measured quality is in the record: the rotations' figures and calibration.
    assert set(record["eval"]["videos"]) == {
        "Youtube01-Psy",
        "Youtube02-KatyPerry",
        "Youtube03-LMFAO",
    }
    assert 0.0 <= record["eval"]["news"]["false_positive_rate"] <= 1.0
    assert record["calibration"]["reliability"]
    # The news rows labelled spam: the list it used, by checksum, and every row found.
    news_spam = record["training_data"]["news_spam"]
    assert news_spam["rows_labelled_spam"] == len(load_news_spam())
    assert len(news_spam["sha256"]) == 64


def test_the_shipped_model_tells_spam_from_rude_and_linking_readers() -> None:
    model = SpamModel.default()
    spam = model.score_batch(
        [
            Comment("Check out my channel and subscribe!! http://bit.ly/abc"),
            Comment("Earn $500 a day from home, click here www.easy-cash.example"),
        ]
    )
    readers = model.score_batch(
        [
            Comment("You are an idiot and your argument is garbage."),
            Comment("Read the actual ruling: https://www.example-news.com/2017/05/court-rules"),
            Comment("Thanks for the reporting, this is why I subscribe to the paper."),
        ]
    )
    assert all(score.spam for score in spam)
    assert not any(score.spam for score in readers)
    assert min(s.probability for s in spam) > max(s.probability for s in readers)


def test_function_words_are_never_reasons() -> None:
    model = SpamModel.default()
    comments = [*load_file(SEED_CORPUS).comments[:400]]
    comments += [
        Comment("you your and by you your and by the of to"),
        Comment("Subscribe to you and by your channel http://bit.ly/x"),
    ]
    shown_words = set()
    for score in model.score_batch(comments):
        for reason in score.reasons:
            if reason.startswith(("word '", "phrase '")):
                words = reason.partition("'")[2][:-1].split(" ")  # quoted; may hold "'"
                assert not all(word in FUNCTION_WORDS for word in words), reason
                shown_words.update(words)
    assert shown_words  # content words are still shown


def test_calibration_is_folded_into_the_weights() -> None:
    corpus = _small_corpus()
    features = Features(corpus)
    pipeline = fit(features, corpus, corpus.mask(), Recipe())
    z = log_odds(pipeline, features.X)
    calibration = Calibration(scale=0.7, shift=-1.3)
    calibrated = calibrated_pipeline(pipeline, calibration)
    expected = expit(0.7 * z - 1.3)
    assert np.allclose(calibrated.predict_proba(corpus.comments)[:, 1], expected, atol=1e-12)
    model = SpamModel(calibrated)
    scored = [s.probability for s in model.score_batch(corpus.comments)]
    assert np.allclose(scored, expected, atol=1e-9)


def test_source_weights_give_each_source_its_share() -> None:
    corpus = _small_corpus()
    rows = np.arange(corpus.labels.size)
    recipe = Recipe(source_weights={SEED: 1.0, YOUTUBE: 2.0, NEWS: 0.5})
    weights = source_weights(corpus, rows, recipe)
    for source, share in recipe.source_weights.items():
        assert weights[corpus.sources == source].sum() == pytest.approx(share)
    video = corpus.sources == YOUTUBE
    assert weights[video & corpus.labels].sum() == pytest.approx(1.0)  # half of 2.0


def test_news_comments_with_a_link_get_their_own_part_of_the_news_share() -> None:
    corpus = _small_corpus()
    corpus.comments[-1] = Comment("you are wrong: https://example.org/2017/05/the-council-vote")
    corpus.linked[-1] = True
    rows = np.arange(corpus.labels.size)
    weights = source_weights(corpus, rows, Recipe(news_link_share=0.25))
    news = corpus.sources == NEWS
    assert weights[news].sum() == pytest.approx(1.0)
    assert weights[news & corpus.linked].sum() == pytest.approx(0.25)
    # Without a linked news comment the share is the news comments' as a whole.
    corpus.linked[-1] = False
    weights = source_weights(corpus, rows, Recipe(news_link_share=0.25))
    assert weights[news].sum() == pytest.approx(1.0)
    assert np.allclose(weights[news], 0.5)


def test_a_news_text_falls_in_one_fold_however_it_is_spaced() -> None:
    assert news_fold("Good  point,\nwell made") == news_fold("good point, well made\ufeff")
    assert {news_fold(f"comment number {i}") for i in range(60)} == {0, 1, 2}


def test_ham_comments_are_read_from_a_text_column(tmp_path: Path) -> None:
    path = tmp_path / "news.csv"
    _write_csv(path, ["text", "toxicity"], [["Fair point.", "0.1"], ["  ", "0"], ["Idiot.", "0.9"]])
    data = load_ham_comments(path)
    assert [c.content for c in data.comments] == ["Fair point.", "Idiot."]
    assert data.labels == [False, False]
    no_text = tmp_path / "other.csv"
    _write_csv(no_text, ["body_x", "label"], [["a", "1"]])
    with pytest.raises(DatasetError, match="text column"):
        load_ham_comments(no_text)


def test_listed_news_rows_are_spam_and_only_they(tmp_path: Path) -> None:
    data = _small_datasets(tmp_path / "data")
    spam_text = "Start  working at home, $90 hourly: www.cash-jobs.example"
    rows = [["A fair point about the budget."], [spam_text]]
    _write_csv(data / "civil-comments" / "more.csv", ["text"], rows)
    listing = tmp_path / "spam.json"
    reason = "work-at-home spam"
    listing.write_text(json.dumps({"rows": [{"sha256": text_hash(spam_text), "reason": reason}]}))
    corpus = load_corpus(data, news_spam=listing)
    news = corpus.sources == NEWS
    spam_rows = np.flatnonzero(news & corpus.labels)
    assert [corpus.comments[i].content for i in spam_rows] == [spam_text]
    assert corpus.relabelled.tolist() == (news & corpus.labels).tolist()
    assert {f["file"]: f["spam"] for f in corpus.files}["more.csv"] == 1
    # As published (no list), every news row is ham.
    assert not load_corpus(data, news_spam=None).labels[news].any()


def test_the_news_spam_list_names_texts_by_hash_with_a_reason(tmp_path: Path) -> None:
    hashes = load_news_spam()
    assert hashes and all(len(h) == 64 and int(h, 16) >= 0 for h in hashes)
    # Texts are never in the project: the list holds hashes and reasons only.
    assert all(set(row) <= {"sha256", "file", "reason"} for row in _news_spam_rows())
    no_reason = tmp_path / "bad.json"
    no_reason.write_text(json.dumps({"rows": [{"sha256": "ab" * 32, "reason": ""}]}))
    with pytest.raises(ModelError, match="reason"):
        load_news_spam(no_reason)


def _news_spam_rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = json.loads(NEWS_SPAM.read_text(encoding="utf-8"))["rows"]
    return rows


def test_build_default_command_is_reproducible(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _small_datasets(tmp_path / "data")
    versions = []
    for name in ("one", "two"):
        out = tmp_path / f"{name}.skops"
        assert main(["build-default", "--data", str(data), "--out", str(out), "--no-evaluate"]) == 0
        model = SpamModel.load(out)
        record = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
        assert record["version"] == model.version
        versions.append(model.version)
    assert versions[0] == versions[1]
    assert "wrote" in capsys.readouterr().out


def test_build_default_refuses_a_folder_without_the_datasets(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["build-default", "--data", str(tmp_path), "--out", str(tmp_path / "m.skops")])
    assert exit_info.value.code == 1


@needs_datasets
def test_build_default_from_the_datasets_gives_the_shipped_model() -> None:
    rebuilt = build_default(DATASETS, evaluate=False)
    assert rebuilt.version == SpamModel.default().version


@needs_datasets
def test_every_listed_news_spam_row_is_in_the_datasets() -> None:
    corpus = load_corpus(DATASETS)
    assert int(corpus.relabelled.sum()) == len(load_news_spam())
    found = {entry["file"] for entry in corpus.files if entry["spam"] and "CC0" in entry["licence"]}
    assert found == {row["file"] for row in _news_spam_rows()}


@needs_datasets
def test_the_corpus_has_no_text_on_both_sides_of_a_rotation() -> None:
    corpus = load_corpus(DATASETS)
    keys: dict[str, int] = {}
    for comment, fold in zip(corpus.comments, corpus.folds.tolist(), strict=True):
        if fold < 0:
            continue
        key = " ".join(comment.content.replace("\ufeff", "").split()).casefold()
        if corpus_key_fold := keys.get(key):
            assert corpus_key_fold == fold
        keys.setdefault(key, fold)
    assert set(corpus.sources.tolist()) == {SEED, YOUTUBE, NEWS}


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


_SPAM = [
    "check out my channel please subscribe",
    "visit www.cheap-deals.example for free money",
    "sub4sub anyone? subscribe to my music",
    "earn cash from home http://bit.ly/job",
    "follow me on instagram for free followers",
    "click here to win an iphone giveaway",
]
_HAM = [
    "this song never gets old",
    "who is still listening in 2015",
    "the dance at the end is the best part",
    "love the chorus so much",
    "my sister showed me this video",
    "the video has so many views now",
]


def _small_datasets(root: Path) -> Path:
    """Three tiny 'videos' and a news file in the layout build-default reads."""
    videos = root / "youtube-spam"
    news = root / "civil-comments"
    videos.mkdir(parents=True)
    news.mkdir()
    for k, name in enumerate(("Youtube01-A", "Youtube02-B", "Youtube03-C")):
        rows = [
            [f"id{k}{i}", "someone", "2015-01-01T00:00:00", f"{text} {name}", str(label)]
            for label, texts in ((1, _SPAM), (0, _HAM))
            for i, text in enumerate(texts)
        ]
        _write_csv(
            videos / f"{name}.csv", ["COMMENT_ID", "AUTHOR", "DATE", "CONTENT", "CLASS"], rows
        )
    readers = [[f"Reader comment {i}: the council vote was wrong, you idiots."] for i in range(60)]
    _write_csv(news / "news.csv", ["text"], readers)
    return root


def _small_corpus() -> Corpus:
    comments = [Comment(t) for t in _SPAM + _HAM + _SPAM + _HAM + ["a fair point", "you are wrong"]]
    n = len(_SPAM) + len(_HAM)
    labels = [True] * len(_SPAM) + [False] * len(_HAM)
    return Corpus(
        comments=comments,
        labels=np.asarray(labels + labels + [False, False]),
        sources=np.asarray([SEED] * n + [YOUTUBE] * n + [NEWS, NEWS]),
        groups=np.asarray(["seed"] * n + ["video"] * n + ["news0", "news0"]),
        folds=np.asarray([-1] * n + [0] * n + [0, 0]),
        files=[],
        relabelled=np.zeros(2 * n + 2, dtype=bool),
        linked=np.asarray([bool(normalise(c.content)[1]) for c in comments]),
    )
