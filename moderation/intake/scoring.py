"""Scoring only: the model's scores of comments that are not stored (Perspective's
``comments:analyze``, Coral's moderation phase), and the text work those APIs need (markup
blanked out, a comment cut into sentences, UTF-16 offsets).

The platforms behind those APIs keep their own queue, so nothing here touches Redis.
Concurrent requests are scored together as intake scores them (``batching.py``): the
model's per-call overhead (~0.45 ms) dwarfs its per-comment cost, so the requests that
arrive within one turn of the event loop share one classifier call per model.  Like
intake's, the call runs on the loop: a batch of a few dozen comments costs about a
millisecond, less than a thread hand-off would add to every request.
"""

from __future__ import annotations

import asyncio
import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from classifier import Comment, Score, SpamModel
from moderation.core.metrics import Metrics
from moderation.core.text import is_blank
from moderation.intake.batching import ModelNotReady
from moderation.learning.model_holder import ModelHolder
from moderation.learning.site_models import SiteModels


@dataclass(slots=True)
class _Job:
    site: str
    comments: tuple[Comment, ...]
    future: asyncio.Future[list[Score]] = field(repr=False)


class Scorer:
    """Scores for comments that are not stored, by each site's model (its own, else the
    default), batched across concurrent requests."""

    def __init__(self, model: ModelHolder, metrics: Metrics) -> None:
        self.model = model
        self.metrics = metrics
        self.site_models: SiteModels | None = None  # each site's own model, when learning
        self._jobs: list[_Job] = []
        self._scheduled: asyncio.Handle | None = None

    async def score(self, site: str, comments: Sequence[Comment]) -> list[Score]:
        """One score per comment, in order, by ``site``'s model.  A model without an
        abuse head (a site's own model saved before the head existed) has its abuse
        fields filled from the default model's, so a site's abuse scores do not vanish
        when its spam model is retrained."""
        if self.model.model is None:
            raise ModelNotReady(self.model.error or "the model is still loading")
        loop = asyncio.get_running_loop()
        job = _Job(site, tuple(comments), loop.create_future())
        self._jobs.append(job)
        if self._scheduled is None:
            # the next turn of the loop: whatever arrives meanwhile shares the call
            self._scheduled = loop.call_soon(self._flush)
        return await job.future

    def _flush(self) -> None:
        self._scheduled = None
        jobs, self._jobs = self._jobs, []
        try:
            results = self._score_jobs(jobs)
        except Exception as exc:  # every waiting request is answered, never left hanging
            for job in jobs:
                if not job.future.done():
                    job.future.set_exception(exc)
            return
        for job, scores in zip(jobs, results, strict=True):
            if not job.future.done():  # a request whose client left was cancelled
                job.future.set_result(scores)

    def _score_jobs(self, jobs: list[_Job]) -> list[list[Score]]:
        default = self.model.model
        if default is None:
            raise ModelNotReady(self.model.error or "the model is not loaded")
        own = self.site_models.model_for if self.site_models is not None else None
        groups: dict[int, tuple[SpamModel, list[int]]] = {}
        for i, job in enumerate(jobs):
            model = (own(job.site) if own is not None else None) or default
            groups.setdefault(id(model), (model, []))[1].append(i)
        results: list[list[Score]] = [[] for _ in jobs]
        for model, indexes in groups.values():
            texts = [c for i in indexes for c in jobs[i].comments]
            if not texts:
                continue
            scores = model.score_batch(texts)
            self.metrics.batch_size.observe(len(texts))
            if model is not default and any(s.abuse is None for s in scores):
                scores = _with_abuse_of(default, texts, scores)
            start = 0
            for i in indexes:
                end = start + len(jobs[i].comments)
                results[i] = scores[start:end]
                start = end
        return results


def _with_abuse_of(default: SpamModel, texts: list[Comment], scores: list[Score]) -> list[Score]:
    """``scores`` with the abuse fields the default model gives where they are missing."""
    missing = [i for i, s in enumerate(scores) if s.abuse is None]
    fills = default.score_batch([texts[i] for i in missing])
    merged = list(scores)
    for i, fill in zip(missing, fills, strict=True):
        if fill.abuse is not None:
            merged[i] = replace(
                scores[i],
                abuse=fill.abuse,
                abuse_reasons=fill.abuse_reasons,
                attributes=fill.attributes,
            )
    return merged


# ---------------------------------------------------------------------------------------
# Text


# A tag (an opening, closing or self-closing element, a comment, a doctype): "<" followed
# by a letter, "/" or "!", so that "a < b" and "<3" stay text.
_TAG = re.compile(r"<!--.*?-->|<[A-Za-z/!][^<>]*>", re.DOTALL)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def blank_markup(text: str) -> str:
    """``text`` with its HTML tags blanked out as spaces and its character references
    (``&amp;``) as the character they name, padded with spaces: the same length, so that
    a character's index in the result is its index in ``text`` (span offsets answered to
    a client then point into what it sent)."""
    if "<" not in text and "&" not in text:
        return text
    blanked = _TAG.sub(lambda m: " " * len(m.group(0)), text)
    return _ENTITY.sub(_entity_padded, blanked)


def _entity_padded(match: re.Match[str]) -> str:
    reference = match.group(0)
    named = html.unescape(reference)
    if named == reference or len(named) > len(reference):
        return reference
    return named + " " * (len(reference) - len(named))


_HREF = re.compile(r"""<a\s[^<>]*?\bhref\s*=\s*["']([^"'<>]+)["']""", re.IGNORECASE)


def markup_links(text: str) -> list[str]:
    """The targets of the links of an HTML text (``<a href="...">``), which blanking the
    markup leaves out, and a site's link-domain rules must still see."""
    return [html.unescape(m.group(1)).strip() for m in _HREF.finditer(text)] if "<" in text else []


# A sentence: from a visible character to the first run of ., ! or ? (with closing
# quotes and brackets) that a space or the end follows, or to a line break, or to the end.
_SENTENCE = re.compile(
    r"\S.*?(?:[.!?\u2026\u3002\uff01\uff1f]+[\"'\u201d\u2019)\]]*(?=\s|$)|(?=\n)|$)",
    re.DOTALL,
)
MAX_SPANS = 50  # sentences scored per comment at most: a longer text is cut in 50 runs


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The sentences of ``text`` as (begin, end) indexes, end exclusive, each without the
    spaces around it; blank ones are left out.  More than :data:`MAX_SPANS` sentences are
    joined into that many runs of neighbouring sentences, so that the cost of a request
    stays bounded however long its text."""
    spans: list[tuple[int, int]] = []
    for match in _SENTENCE.finditer(text):
        begin, end = match.start(), match.start() + len(match.group(0).rstrip())
        if end > begin and not is_blank(text[begin:end]):
            spans.append((begin, end))
    if len(spans) <= MAX_SPANS:
        return spans
    size = math.ceil(len(spans) / MAX_SPANS)
    return [
        (spans[i][0], spans[min(i + size, len(spans)) - 1][1]) for i in range(0, len(spans), size)
    ]


def utf16_offsets(text: str) -> list[int] | None:
    """The UTF-16 offset of each index of ``text`` (and of its end), or None when the two
    are the same (no character beyond the Basic Multilingual Plane): Perspective's span
    offsets count UTF-16 code units, as JavaScript strings do, and an emoji is two."""
    if not text or text.isascii() or max(text) < "\U00010000":
        return None
    offsets = [0] * (len(text) + 1)
    at = 0
    for i, char in enumerate(text):
        offsets[i] = at
        at += 2 if char >= "\U00010000" else 1
    offsets[len(text)] = at
    return offsets
