"""The committed seed corpus is exactly what its generator makes of the fragments in seed/.

The shipped default model is trained from ``classifier/data/seed_corpus.jsonl`` and its
version is a hash of that file, so the file must only ever change by editing
``classifier/data/seed/*.toml`` and rerunning ``classifier/data/make_seed_corpus.py``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from classifier.data import make_seed_corpus as generator
from classifier.datasets import SEED_CORPUS

REPO = Path(__file__).resolve().parents[2]
REGENERATE = "python classifier/data/make_seed_corpus.py"


def first_difference(committed: bytes, made: bytes) -> str | None:
    """None if equal, else the first line where they differ, as both files have it."""
    if committed == made:
        return None
    old, new = committed.split(b"\n"), made.split(b"\n")
    n = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), None)
    n = min(len(old), len(new)) if n is None else n

    def show(lines: list[bytes]) -> str:
        return lines[n][:300].decode("utf-8", "replace") if n < len(lines) else "<no such line>"

    return f"line {n + 1}:\n  committed: {show(old)}\n  generated: {show(new)}"


def test_the_committed_corpus_is_what_the_generator_makes() -> None:
    assert generator.OUT_PATH == SEED_CORPUS
    rows = generator.make_corpus()
    generator.validate(rows)
    difference = first_difference(SEED_CORPUS.read_bytes(), generator.render(rows).encode())
    if difference:
        pytest.fail(
            f"seed_corpus.jsonl is not what make_seed_corpus.py makes, first at {difference}\n"
            f"Edit classifier/data/seed/*.toml, run `{REGENERATE}` and commit both files."
        )


def test_the_tables_in_seed_corpus_md_are_the_committed_corpus() -> None:
    rows = [json.loads(line) for line in SEED_CORPUS.read_text(encoding="utf-8").splitlines()]
    doc = (SEED_CORPUS.parent / "SEED_CORPUS.md").read_text(encoding="utf-8")
    assert generator.stats_table(rows) in doc, (
        f"SEED_CORPUS.md's tables are stale: paste what `{REGENERATE} --stats` prints"
    )


def test_a_difference_is_named_by_its_first_line() -> None:
    assert first_difference(b"a\nb\n", b"a\nb\n") is None
    assert first_difference(b"a\nb\nc\n", b"a\nB\nc\n") == (
        "line 2:\n  committed: b\n  generated: B"
    )
    assert first_difference(b"a\n", b"a\nb\n") == "line 2:\n  committed: \n  generated: b"
    assert first_difference(b"a", b"a\n") == "line 2:\n  committed: <no such line>\n  generated: "


def test_the_documented_check_command_passes() -> None:
    done = subprocess.run(
        [sys.executable, "classifier/data/make_seed_corpus.py", "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_a_pool_is_one_fragment_per_line() -> None:
    block = """
        First comment.
        # a note for editors, not a fragment

        Second one. || Its second paragraph.
    """
    assert generator.pool_lines(block) == [
        "First comment.",
        "Second one.\n\nIts second paragraph.",
    ]


def test_entries_in_the_wrong_place_are_named(tmp_path: Path) -> None:
    seed = tmp_path / "seed"
    shutil.copytree(generator.SEED_DIR, seed)
    # Appended at the end of the file, a key lands in the last [table] (last_names), where
    # it would silently be read as a language; a misspelt key would silently be ignored.
    with (seed / "people.toml").open("a", encoding="utf-8") as f:
        f.write('\nnicknames = ["Bob"]\n')
    ham = seed / "ham_languages.toml"
    ham.write_text(
        ham.read_text(encoding="utf-8").replace("[de]\nshort =", "[de]\nshrot =", 1)
        + "\n[fr.topic]\npolitics = '''\nUn commentaire.\n'''\n",
        encoding="utf-8",
    )
    with pytest.raises(generator.FragmentError) as raised:
        generator.load_fragments(seed)
    assert "ham_languages.toml: de.short is missing" in str(raised.value)

    ham.write_text(ham.read_text(encoding="utf-8").replace("shrot =", "short =", 1))
    with pytest.raises(generator.FragmentError) as raised:
        generator.load_fragments(seed)
    problems = str(raised.value).splitlines()
    assert "ham_languages.toml: fr.topic.politics is not used" in problems
    assert any(p.startswith("people.toml: last_names.nicknames: not a language") for p in problems)
