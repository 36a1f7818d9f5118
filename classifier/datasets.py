"""Labelled comment files: format detection and loaders.

Formats (detected from the content, not the file name):

* the YouTube Spam Collection CSV: ``COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS`` (1 = spam); the
  content carries a stray trailing U+FEFF and HTML entities, handled by the featuriser;
* the SMS Spam Collection: ``ham<TAB>text`` / ``spam<TAB>text`` lines, *no quoting* (a line
  may hold an unbalanced ``"``, so it is never read with the csv module);
* a generic CSV with a text column (text, content, comment, message, body) and a label
  column (label, class, spam, is_spam, category, target);
* JSONL comment objects (``content`` or ``text``, optional ``author_name``,
  ``author_email``, ``author_url``, ``post_url``) with a ``label`` of spam/ham, 1/0 or true/false.

Civil Comments files (news-site comments rated for toxicity, none of them spam) carry no
spam label at all, so they are not detected among the formats above: they are read with
:func:`load_ham_comments`, which the default model's build names explicitly.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from classifier.types import Comment, ModelError

# The labelled corpus the shipped default model is trained from (see data/SEED_CORPUS.md).
SEED_CORPUS = Path(__file__).with_name("data") / "seed_corpus.jsonl"
# The shipped default model (see ../MODEL.md and classifier.default_model, which builds it);
# its metadata record is beside it with a .json suffix.
DEFAULT_MODEL = SEED_CORPUS.with_name("default_model.skops")

TEXT_COLUMNS = ("content", "text", "comment", "message", "body", "sms", "v2")
LABEL_COLUMNS = ("label", "class", "spam", "is_spam", "category", "target", "tag", "v1")
_OPTIONAL_COLUMNS = {
    "author_name": ("author_name", "author", "name"),
    "author_email": ("author_email", "email"),
    "author_url": ("author_url", "url", "website"),
    "post_url": ("post_url", "permalink", "page_url"),
}
_SPAM = frozenset({"spam", "1", "true", "yes", "y", "t"})
_HAM = frozenset({"ham", "0", "false", "no", "n", "f", "not spam", "legit", "legitimate"})


class DatasetError(ModelError):
    """A dataset file that cannot be used (missing, unreadable, unknown format, empty...)."""


@dataclass(slots=True)
class Dataset:
    """Comments with their labels (True = spam), and where each came from."""

    comments: list[Comment] = field(default_factory=list)
    labels: list[bool] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # file name of each row

    def __len__(self) -> int:
        return len(self.comments)

    def extend(self, other: Dataset) -> None:
        self.comments.extend(other.comments)
        self.labels.extend(other.labels)
        self.sources.extend(other.sources)

    def label_counts(self) -> dict[str, int]:
        counts = Counter(self.labels)
        return {"spam": counts[True], "ham": counts[False]}

    def require_both_labels(self, what: str = "dataset") -> None:
        """Refuse an empty dataset or one with a single label: nothing can be learnt from it."""
        if not self.comments:
            raise DatasetError(f"{what} is empty: no labelled comments found")
        counts = self.label_counts()
        if counts["spam"] == 0 or counts["ham"] == 0:
            missing = "spam" if counts["spam"] == 0 else "ham"
            raise DatasetError(
                f"{what} has only one label ({counts['spam']} spam, {counts['ham']} ham): "
                f"at least one {missing} example is needed"
            )


def parse_label(value: Any, where: str) -> bool:
    """spam/ham, 1/0, true/false (any case) -> True for spam."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _SPAM:
        return True
    if text in _HAM:
        return False
    raise DatasetError(f"{where}: label {str(value)[:40]!r} is not spam/ham, 1/0 or true/false")


def detect_format(text: str) -> str:
    """Name the format of a file's content: youtube, sms, csv or jsonl."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    if first.lstrip().startswith("{"):
        return "jsonl"
    head = first.split("\t", 1)[0].strip().lower()
    if "\t" in first and head in ("ham", "spam"):
        return "sms"
    if "," in first or ";" in first:
        header = {c.strip().strip('"').strip().lower() for c in _sniff_row(first)}
        if {"content", "class"} <= header and ("comment_id" in header or "author" in header):
            return "youtube"
        if header & set(TEXT_COLUMNS) and header & set(LABEL_COLUMNS):
            return "csv"
    raise DatasetError(
        "unknown format: expected YouTube CSV, SMS (label<TAB>text), "
        "CSV with text and label columns, or JSONL with a label"
    )


def _sniff_row(line: str) -> list[str]:
    delimiter = ";" if line.count(";") > line.count(",") else ","
    return next(csv.reader([line], delimiter=delimiter), [])


def read_bytes(path: Path, what: str, error: type[ModelError]) -> bytes:
    """The bytes of a file, or ``error`` with a one-line message naming ``what`` it should
    be ("file", "model file")."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: no such {what}") from None
    except IsADirectoryError:
        raise error(f"{path}: is a directory, not a {what}") from None
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror or exc}") from None


def read_text(path: str | os.PathLike[str]) -> str:
    """Read a dataset file as UTF-8 (a file-level BOM is dropped), with one-line errors."""
    p = Path(path)
    raw = read_bytes(p, "file", DatasetError)
    if raw[:2] == b"PK" or b"\x00" in raw[:4096]:
        raise DatasetError(f"{p}: binary file, not a text dataset")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older SMS collection copies are Latin-1; everything else must be UTF-8.
        return raw.decode("latin-1")


def load_file(path: str | os.PathLike[str]) -> Dataset:
    """Load one labelled file, detecting its format."""
    text = read_text(path)
    name = Path(path).name
    if not text.strip():
        raise DatasetError(f"{path}: empty file: no labelled comments found")
    try:
        fmt = detect_format(text)
    except DatasetError as exc:
        raise DatasetError(f"{path}: {exc}") from None
    loader = {"youtube": _load_youtube, "sms": _load_sms, "csv": _load_csv, "jsonl": _load_jsonl}
    data = loader[fmt](text, str(path))
    data.sources = [name] * len(data.comments)
    if not data.comments:
        raise DatasetError(f"{path}: no labelled comments found")
    return data


def load_ham_comments(path: str | os.PathLike[str]) -> Dataset:
    """Load a CSV of real comments that are all legitimate (ham), such as the Civil Comments
    files: the ``text`` column, every row labelled ham.

    Whatever else the file rates (toxicity, insult...) is not a spam label and is ignored
    here.  Rows whose text is blank are skipped.
    """
    text = read_text(path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    text_key = _pick(list(reader.fieldnames or []), ("text", "comment_text", "content"))
    if text_key is None:
        raise DatasetError(f"{path}: expected a CSV with a text column")
    data = Dataset()
    try:
        for row in reader:
            content = row.get(text_key) or ""
            if content.strip():
                data.comments.append(Comment(content=content))
                data.labels.append(False)
    except csv.Error as exc:
        raise DatasetError(f"{path}: malformed CSV: {exc}") from None
    if not data.comments:
        raise DatasetError(f"{path}: no comments found")
    data.sources = [Path(path).name] * len(data.comments)
    return data


def load_files(paths: Iterable[str | os.PathLike[str]]) -> Dataset:
    """Load and concatenate several labelled files."""
    out = Dataset()
    for path in paths:
        out.extend(load_file(path))
    return out


def _load_youtube(text: str, where: str) -> Dataset:
    data = Dataset()
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = {(f or "").strip().lower(): f for f in reader.fieldnames or []}
    content_key, class_key = fields["content"], fields["class"]
    author_key = fields.get("author")
    for lineno, row in enumerate(reader, start=2):
        content = row.get(content_key)
        label = row.get(class_key)
        if content is None or label is None:
            raise DatasetError(f"{where}:{lineno}: row has too few columns")
        # The stray U+FEFF at the end of almost every CONTENT is an export artefact.
        content = content.replace("\ufeff", "")
        author = (row.get(author_key) or "") if author_key else ""
        data.comments.append(Comment(content=content, author_name=author.replace("\ufeff", "")))
        data.labels.append(parse_label(label, f"{where}:{lineno}"))
    return data


def _load_sms(text: str, where: str) -> Dataset:
    data = Dataset()
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        label, sep, message = line.partition("\t")
        if not sep:
            raise DatasetError(f"{where}:{lineno}: expected label<TAB>text")
        data.comments.append(Comment(content=message))
        data.labels.append(parse_label(label, f"{where}:{lineno}"))
    return data


def _pick(columns: Sequence[str], wanted: Sequence[str]) -> str | None:
    lowered = {c.strip().lower(): c for c in columns}
    for name in wanted:
        if name in lowered:
            return lowered[name]
    return None


def _load_csv(text: str, where: str) -> Dataset:
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = list(reader.fieldnames or [])
    text_key = _pick(columns, TEXT_COLUMNS)
    label_key = _pick(columns, LABEL_COLUMNS)
    if text_key is None or label_key is None:  # detect_format checked; keeps mypy honest
        raise DatasetError(f"{where}: CSV needs a text column and a label column")
    optional = {key: _pick(columns, names) for key, names in _OPTIONAL_COLUMNS.items()}
    data = Dataset()
    try:
        for lineno, row in enumerate(reader, start=2):
            content, label = row.get(text_key), row.get(label_key)
            if content is None or label is None:
                raise DatasetError(f"{where}:{lineno}: row has too few columns")
            extra = {k: (row.get(c) or "") for k, c in optional.items() if c is not None}
            data.comments.append(Comment(content=content, **extra))
            data.labels.append(parse_label(label, f"{where}:{lineno}"))
    except csv.Error as exc:
        raise DatasetError(f"{where}: malformed CSV: {exc}") from None
    return data


def _load_jsonl(text: str, where: str) -> Dataset:
    data = Dataset()
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{where}:{lineno}: invalid JSON: {exc.msg}") from None
        if not isinstance(obj, dict):
            raise DatasetError(f"{where}:{lineno}: expected a JSON object")
        if "label" not in obj:
            raise DatasetError(f"{where}:{lineno}: object has no 'label'")
        data.comments.append(comment_from_json(obj, f"{where}:{lineno}"))
        data.labels.append(parse_label(obj["label"], f"{where}:{lineno}"))
    return data


def comment_from_json(obj: dict[str, Any], where: str) -> Comment:
    """Build a :class:`Comment` from a JSON object (``content`` or ``text``)."""
    content = obj.get("content", obj.get("text"))
    if not isinstance(content, str):
        raise DatasetError(f"{where}: 'content' must be a string")
    fields: dict[str, str] = {}
    for key in ("author_name", "author_email", "author_url", "post_url"):
        value = obj.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise DatasetError(f"{where}: {key!r} must be a string")
        fields[key] = value
    return Comment(content=content, **fields)
