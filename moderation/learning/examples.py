"""A stored comment as a training example: the fields the classifier learns from, taken
the same way for a retrain and for the labels' export.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from classifier import Comment
from moderation.core import jsoncodec


def example_of(data: Mapping[str, Any]) -> Comment:
    """The classifier's view of a stored comment's data (or of a label a CMS gave for a
    comment not stored here, which has no author name or email): each field as stored,
    '' where it is missing or empty."""
    return Comment(
        content=data.get("content") or "",
        author_name=data.get("author_name") or "",
        author_email=data.get("author_email") or "",
        author_url=data.get("author_url") or "",
        post_url=data.get("post_url") or "",
    )


def example_line(example: Comment, label: str) -> str:
    """One JSONL line of a labelled example, as ``python -m classifier train --data``
    reads it: the comment's fields, then ``label`` ("ham" or "spam"; "abuse" or
    "not_abuse" in an abuse export)."""
    return jsoncodec.dumps({**dataclasses.asdict(example), "label": label}) + "\n"


__all__ = ["example_line", "example_of"]
