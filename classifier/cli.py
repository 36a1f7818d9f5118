"""Command line: ``python -m classifier train|evaluate|score|info|build-default|build-abuse``.

Every failure prints exactly one line on stderr and exits non-zero (2 for usage errors,
1 for everything else); no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO, NoReturn, TextIO

from classifier.datasets import SEED_CORPUS, DatasetError, comment_from_json, load_file, load_files
from classifier.types import METRIC_KEYS, Comment, ModelError

if TYPE_CHECKING:
    from classifier.model import SpamModel

# Modules that import scikit-learn are imported inside the commands, after the arguments and
# data have been checked: a usage or data error is reported without a second of imports.

PROG = "classifier"
SCORE_BATCH = 64


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (argparse prints the whole usage first)."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see --help)\n")
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Train, evaluate and run the comment spam classifier.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p_train = sub.add_parser("train", help="train a model from labelled files")
    p_train.add_argument("--data", nargs="+", required=True, metavar="FILE")
    p_train.add_argument("--out", required=True, metavar="MODEL", help="model file to write")
    p_train.add_argument("--threshold", type=float, default=0.5, help="spam threshold (0.5)")
    p_train.add_argument(
        "--holdout",
        type=float,
        default=0.2,
        help="fraction held out to record evaluation scores in the metadata (0.2; 0 = none)",
    )
    p_train.add_argument(
        "--with-seed", action="store_true", help="also train on the shipped seed corpus"
    )
    p_train.add_argument(
        "--target-fpr",
        type=float,
        metavar="RATE",
        help="raise the threshold until the cross-validated false positive rate is at most "
        "RATE (leave-one-file-out when several files are given: then on every file's ham)",
    )

    p_eval = sub.add_parser("evaluate", help="score a model on labelled files")
    p_eval.add_argument("--model", metavar="MODEL", help="model file (default: shipped model)")
    p_eval.add_argument("--data", nargs="+", required=True, metavar="FILE")
    p_eval.add_argument("--json", action="store_true", help="print one JSON object")

    p_score = sub.add_parser("score", help="JSONL comments on stdin -> JSONL scores on stdout")
    p_score.add_argument("--model", metavar="MODEL", help="model file (default: shipped model)")

    p_info = sub.add_parser("info", help="print a model's metadata as JSON")
    p_info.add_argument("--model", metavar="MODEL", help="model file (default: shipped model)")

    p_build = sub.add_parser(
        "build-default",
        help="rebuild the shipped default model from the seed corpus and the datasets folder",
    )
    p_build.add_argument(
        "--data",
        required=True,
        metavar="DIR",
        help="folder holding youtube-spam/ and civil-comments/ (see classifier/MODEL.md)",
    )
    p_build.add_argument(
        "--out",
        metavar="MODEL",
        help="model file to write (default: the shipped one); its metadata record is "
        "written beside it as .json",
    )
    p_build.add_argument(
        "--no-evaluate",
        action="store_true",
        help="skip the leave-one-rotation-out figures in the metadata (three builds fewer)",
    )
    p_abuse = sub.add_parser(
        "build-abuse",
        help="rebuild the shipped abuse heads (TOXICITY, INSULT, ...) from Civil Comments",
    )
    p_abuse.add_argument(
        "--data",
        required=True,
        metavar="DIR",
        help="folder holding civil-comments/ (and youtube-spam/; see classifier/MODEL.md)",
    )
    p_abuse.add_argument(
        "--out",
        metavar="FILE",
        help="heads file to write (default: the shipped one); its record goes beside it as .json",
    )
    p_abuse.add_argument(
        "--no-evaluate",
        action="store_true",
        help="skip the held-out figures in the record (five builds fewer)",
    )
    return parser


def _load(path: str | None) -> SpamModel:
    from classifier.model import SpamModel

    return SpamModel.default() if path is None else SpamModel.load(path)


# Fewer examples of either label than this and `train` warns (see cmd_train).
SMALL_TRAINING_SET = 50


def cmd_train(args: argparse.Namespace, out: TextIO) -> int:
    if not 0.0 < args.threshold < 1.0:
        raise ModelError(f"--threshold must be between 0 and 1, got {args.threshold}")
    if not 0.0 <= args.holdout < 1.0:
        raise ModelError(f"--holdout must be in [0, 1), got {args.holdout}")
    if args.target_fpr is not None and not 0.0 <= args.target_fpr < 1.0:
        raise ModelError(f"--target-fpr must be in [0, 1), got {args.target_fpr}")
    data = load_files(args.data)
    if args.with_seed:
        data.extend(load_file(SEED_CORPUS))
    data.require_both_labels("training data")
    from classifier.model import train

    model = train(
        data.comments,
        data.labels,
        description="files: " + ", ".join(args.data) + (" + seed corpus" if args.with_seed else ""),
        sources=data.sources,
        threshold=args.threshold,
        holdout=args.holdout,
        target_fpr=args.target_fpr,
    )
    model.save(args.out)
    counts = data.label_counts()
    line = f"wrote {args.out}: version {model.version}, {counts['spam']} spam, {counts['ham']} ham"
    scores = model.metadata.get("eval", {})
    if "f1" in scores:
        line += f"; held-out F1 {scores['f1']:.3f}, ROC-AUC {scores['roc_auc'] or 0:.3f}"
    print(line, file=out)
    fewest = min(counts["spam"], counts["ham"])
    if fewest < SMALL_TRAINING_SET:
        # Written all the same (tests and experiments train on a handful), but a model
        # from so few examples must not reach a live site by accident.
        print(
            f"warning: only {fewest} examples of one label: a model this small will not "
            "generalise; label more comments, or add --with-seed to train on the shipped "
            "seed corpus as well",
            file=sys.stderr,
        )
    return 0


def cmd_evaluate(args: argparse.Namespace, out: TextIO) -> int:
    data = load_files(args.data)
    data.require_both_labels("evaluation data")
    model = _load(args.model)
    scores = model.evaluate(data.comments, data.labels)
    if args.json:
        print(json.dumps({key: scores[key] for key in METRIC_KEYS}), file=out)
        return 0
    print(f"model {model.version}, threshold {model.threshold}", file=out)
    for key in METRIC_KEYS:
        value = scores[key]
        shown = "n/a" if value is None else (str(value) if key == "n" else f"{value:.4f}")
        print(f"{key:>20}  {shown}", file=out)
    return 0


def _read_comments(stream: BinaryIO) -> Iterator[tuple[Comment | DatasetError, Any]]:
    """Each non-blank line as (comment, its id) or, when the line is not a comment,
    (the error, its id if it had one): one bad line does not stop the stream.  Read as
    bytes and decoded line by line, so a byte that is not UTF-8 spoils its line only,
    whatever the locale.  Blank lines are skipped (JSON Lines has none)."""
    for lineno, raw in enumerate(stream, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield DatasetError(f"stdin line {lineno}: not UTF-8 (byte {exc.start + 1})"), None
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield DatasetError(f"stdin line {lineno}: invalid JSON: {exc.msg}"), None
            continue
        if not isinstance(obj, dict):
            yield DatasetError(f"stdin line {lineno}: expected a JSON object"), None
            continue
        try:
            yield comment_from_json(obj, f"stdin line {lineno}"), obj.get("id")
        except DatasetError as exc:
            yield exc, obj.get("id")


def cmd_score(args: argparse.Namespace, out: TextIO, stdin: BinaryIO) -> int:
    """One output line per non-blank input line, in order: scores, or ``{"error": ...}``
    for a line that is not a comment (then the exit status is 1 and stderr says how
    many)."""
    model = _load(args.model)
    batch: list[tuple[Comment, Any]] = []
    errors: list[str] = []
    lines = 0

    def flush() -> None:
        scores = model.score_batch([c for c, _ in batch])
        for (_, ident), score in zip(batch, scores, strict=True):
            record: dict[str, Any] = {} if ident is None else {"id": ident}
            record.update(
                probability=round(score.probability, 6),
                spam=score.spam,
                reasons=list(score.reasons),
            )
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
        batch.clear()

    try:
        for item, ident in _read_comments(stdin):
            lines += 1
            if isinstance(item, DatasetError):
                flush()  # keep the output in input order
                errors.append(str(item))
                record = {} if ident is None else {"id": ident}
                out.write(json.dumps({**record, "error": str(item)}, ensure_ascii=False) + "\n")
                continue
            batch.append((item, ident))
            if len(batch) >= SCORE_BATCH:
                flush()
    finally:
        if batch:
            flush()  # what was read is answered, also when reading stops with an error
    if errors:
        sys.stderr.write(
            f"{PROG}: error: {len(errors)} of {lines} input lines could not be scored "
            f"(first: {errors[0]})\n"
        )
        return 1
    return 0


def cmd_info(args: argparse.Namespace, out: TextIO) -> int:
    model = _load(args.model)
    print(json.dumps({"version": model.version, **model.metadata}, indent=2), file=out)
    return 0


def cmd_build_default(args: argparse.Namespace, out: TextIO) -> int:
    from pathlib import Path

    from classifier.datasets import DEFAULT_MODEL
    from classifier.default_model import build_default, write_default

    target = Path(args.out) if args.out else DEFAULT_MODEL
    model = build_default(args.data, evaluate=not args.no_evaluate)
    write_default(model, target)
    counts = model.metadata["training_data"]["labels"]
    line = (
        f"wrote {target}: version {model.version}, threshold {model.threshold:.4f}, "
        f"{counts['spam']} spam, {counts['ham']} ham"
    )
    scores = model.metadata.get("eval")
    if scores:
        mean = scores["videos_mean"]
        line += (
            f"; unseen videos F1 {mean['f1']:.3f}, ROC-AUC {mean['roc_auc']:.3f}, "
            f"FPR {mean['false_positive_rate']:.2%}; unseen news FPR "
            f"{scores['news']['false_positive_rate']:.2%}"
        )
    print(line, file=out)
    return 0


def cmd_build_abuse(args: argparse.Namespace, out: TextIO) -> int:
    from pathlib import Path

    from classifier.abuse import HEADS_FILE, build_heads

    target = Path(args.out) if args.out else HEADS_FILE
    print("training the abuse heads (a few minutes with --evaluate)...", file=sys.stderr)
    heads = build_heads(args.data, evaluate=not args.no_evaluate)
    heads.save(target)
    line = f"wrote {target}: version {heads.version}, attributes {', '.join(heads.names)}"
    held_out = heads.metadata.get("held_out")
    if held_out:
        tox = held_out["TOXICITY"]
        line += (
            f"; held-out TOXICITY ROC-AUC {tox['roc_auc_natural']:.3f}, "
            f"Brier {tox['brier_natural']:.3f} (natural toxic rate)"
        )
    print(line, file=out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "train":
            return cmd_train(args, sys.stdout)
        if args.command == "evaluate":
            return cmd_evaluate(args, sys.stdout)
        if args.command == "score":
            return cmd_score(args, sys.stdout, sys.stdin.buffer)
        if args.command == "build-default":
            return cmd_build_default(args, sys.stdout)
        if args.command == "build-abuse":
            return cmd_build_abuse(args, sys.stdout)
        return cmd_info(args, sys.stdout)
    except ModelError as exc:
        _fail(str(exc))
    except BrokenPipeError:
        return 1
    except KeyboardInterrupt:
        _fail("interrupted")
    except Exception as exc:  # the promise is one line, never a traceback
        _fail(f"unexpected {type(exc).__name__}: {exc}")


def _fail(message: str) -> NoReturn:
    first = " ".join(message.split()) or "failed"
    sys.stderr.write(f"{PROG}: error: {first}\n")
    sys.exit(1)
