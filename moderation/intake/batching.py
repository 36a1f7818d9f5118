"""Intake in batches: concurrent requests are scored together in one classifier call and
their Redis writes go out in one pipeline.

scikit-learn's per-call overhead (~0.45 ms) dwarfs the per-comment cost (~16 µs at a
batch of 64), and a pipeline costs one round trip instead of one per comment.  When no
batch is in flight a request leaves at the next turn of the event loop (with whatever
arrived meanwhile); while one is, newcomers wait at most ``wait`` seconds for company;
a full batch leaves at once.  Each request is
answered only after Redis acknowledged its own write.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass, field, replace
from typing import Any, cast

from classifier import Comment, Score, SpamModel
from moderation.config import SiteConfig
from moderation.core import jsoncodec
from moderation.core.metrics import Metrics
from moderation.core.records import (
    TRUSTED_AUTHOR_RULE,
    Status,
    history_line,
    new_comment_id,
    now_ms,
)
from moderation.intake.rules import RuleList, abuse_holds, automatic_status, folded
from moderation.intake.site_rules import SiteRules
from moderation.intake.validation import CommentIn
from moderation.learning.model_holder import ModelHolder
from moderation.learning.site_models import SiteModels
from moderation.storage.store import NewComment, Store, Stored

log = logging.getLogger("moderation.web.intake")


class ModelNotReady(Exception):
    """No model is loaded yet (start-up) or loading failed."""


@dataclass(frozen=True, slots=True)
class Accepted:
    stored: Stored
    spam_score: float
    reasons: tuple[str, ...]
    spam: bool  # the model's verdict at its own threshold
    abuse_score: float | None  # None: the model has no abuse head
    abuse_reasons: tuple[str, ...]


@dataclass(slots=True)
class _Job:
    site: SiteConfig
    comment: CommentIn
    idempotency_key: str | None
    future: asyncio.Future[Accepted] = field(repr=False)
    # a comment no site rule decides is decided by the verdict, under this rule
    verdict_rule: str | None = None
    # that verdict when it is not the model's (an Akismet test trigger's; True: spam)
    verdict: bool | None = None


class IntakeBatcher:
    def __init__(
        self,
        model: ModelHolder,
        store: Store,
        metrics: Metrics,
        *,
        wait_seconds: float,
        max_batch: int,
    ) -> None:
        self.model = model
        self.store = store
        self.metrics = metrics
        self.wait_seconds = wait_seconds
        self.max_batch = max_batch
        self._jobs: list[_Job] = []
        self._timer: asyncio.Handle | None = None
        self._running: set[asyncio.Task[None]] = set()
        # per model (spam and abuse heads' versions): a score depends on the comment and
        # the model only
        self._caches: dict[tuple[str, str | None], dict[bytes, Score]] = {}
        self.site_models: SiteModels | None = None  # each site's own model (site_models.py)
        self.site_rules: SiteRules | None = None  # each site's rules from the API (site_rules.py)

    async def submit(
        self,
        site: SiteConfig,
        comment: CommentIn,
        idempotency_key: str | None,
        *,
        verdict_rule: str | None = None,
        verdict: bool | None = None,
    ) -> Accepted:
        """Score and store ``comment``; answers once Redis has it.  ``verdict_rule``: a
        comment no site rule decides is not queued but decided by the model's verdict
        (spam or approved), or by ``verdict`` when given, recorded as that rule."""
        if self.model.model is None:
            raise ModelNotReady(self.model.error or "the spam model is still loading")
        loop = asyncio.get_running_loop()
        job = _Job(site, comment, idempotency_key, loop.create_future(), verdict_rule, verdict)
        self._jobs.append(job)
        if len(self._jobs) >= self.max_batch:
            self._flush()
        elif self._timer is None:
            if self._running:
                # a batch is in flight: gather company for the next one, a moment at most
                self._timer = loop.call_later(self.wait_seconds, self._flush)
            else:
                # idle: go at the next turn of the loop, with whatever arrived meanwhile,
                # so a lone request is not delayed at all
                self._timer = loop.call_soon(self._flush)
        # Not shielded: if the handler is cancelled, so is this future, and the batch,
        # which only ever skips futures that are done, still stores the comment; a
        # shield would cost one more future and callback per request for the same.
        return await job.future

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        jobs, self._jobs = self._jobs, []
        if jobs:
            task = asyncio.get_running_loop().create_task(self._run(jobs))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _run(self, jobs: list[_Job]) -> None:
        error: BaseException | None = None
        try:
            models = self._models_of(jobs)
            scores = self._scores_by_model(jobs, models)
            self.metrics.batch_size.observe(len(jobs))
            at = now_ms()
            prepared = [
                self._prepare(job, score, at, model.version)
                for job, score, model in zip(jobs, scores, models, strict=True)
            ]
            results = await self.store.add_many(prepared)
            for job, score, result in zip(jobs, scores, results, strict=True):
                if job.future.done():
                    continue
                if isinstance(result, BaseException):
                    job.future.set_exception(result)
                    continue
                reasons = (*job.comment.notes, *score.reasons)
                if result.repeat_of is not None:
                    reasons = (REPEAT_REASON, *reasons[:3])
                job.future.set_result(
                    Accepted(
                        result,
                        score.probability,
                        reasons,
                        score.spam,
                        score.abuse,
                        score.abuse_reasons,
                    )
                )
        except BaseException as exc:
            error = exc
            if not isinstance(exc, Exception):
                raise
        finally:
            # Whatever happened, no request is left waiting: an unanswered future would
            # hang the CMS's request instead of telling it to retry.
            for job in jobs:
                if not job.future.done():
                    job.future.set_exception(error or RuntimeError("intake batch failed"))

    def _models_of(self, jobs: list[_Job]) -> list[SpamModel]:
        """The model each job's site is scored with: its own, else the default."""
        default = self.model.model
        if default is None:
            raise ModelNotReady("the spam model is not loaded")
        if self.site_models is None:
            return [default] * len(jobs)
        own = self.site_models.model_for
        return [own(job.site.id) or default for job in jobs]

    def _scores_by_model(self, jobs: list[_Job], models: list[SpamModel]) -> list[Score]:
        """One classifier call per model in the batch (nearly always one: most sites use
        the default model or their own, and a batch is usually one site's)."""
        first = models[0]
        if all(model is first for model in models):
            return self._scores(first, [for_classifier(j.comment) for j in jobs])
        scores: list[Score | None] = [None] * len(jobs)
        groups: dict[int, list[int]] = {}
        for i, model in enumerate(models):
            groups.setdefault(id(model), []).append(i)
        for indexes in groups.values():
            model = models[indexes[0]]
            got = self._scores(model, [for_classifier(jobs[i].comment) for i in indexes])
            for i, score in zip(indexes, got, strict=True):
                scores[i] = score
        return cast(list[Score], scores)

    def _scores(self, model: SpamModel, comments: list[Comment]) -> list[Score]:
        """Scores of a batch, each computed once per model: a spam run posts the same
        comment (text, name, email, links) again and again, and a score depends on
        nothing else, so repeats cost a dictionary lookup instead of the classifier."""
        # The abuse heads can be rebuilt without the spam weights changing: both versions.
        key = (model.version, model.abuse_version)
        cache = self._caches.get(key)
        if cache is None:  # a model not seen yet (a reload, a site's own): a cache of its own
            cache = self._caches[key] = {}
            while len(self._caches) > SCORE_CACHES:
                del self._caches[next(iter(self._caches))]
        # keyed by a digest, not the comment: 4,096 texts of up to 10,000 characters
        # would hold tens of MB; digests and scores hold well under one
        digests = [_score_key(c) for c in comments]
        scores: list[Score | None] = [cache.get(d) for d in digests]
        # each distinct comment scored once, also when a spam run's copies share a batch
        first_of: dict[bytes, int] = {}
        for i, score in enumerate(scores):
            if score is None:
                first_of.setdefault(digests[i], i)
        if first_of:
            fresh = model.score_batch([comments[i] for i in first_of.values()])
            for digest, score in zip(first_of, fresh, strict=True):
                cache[digest] = score
            scores = [
                cache[d] if score is None else score
                for d, score in zip(digests, scores, strict=True)
            ]
            while len(cache) > SCORE_CACHE_SIZE:  # oldest first: dicts keep insertion order
                del cache[next(iter(cache))]
        hits = len(comments) - len(first_of)
        if hits:
            self.metrics.score_cache_hits.inc(hits)
        # every comment has its score now; a gap would shift scores onto other comments
        if any(score is None for score in scores):
            raise RuntimeError("a comment of the batch was left without a score")
        return cast(list[Score], scores)

    def _prepare(self, job: _Job, score: Score, at: int, model_version: str) -> NewComment:
        site, comment = job.site, job.comment
        # the API's rules as this process has them now: one set, read once per comment
        listed = self.site_rules.match(site.id, comment) if self.site_rules else None
        status, rule = self._status(job, score, listed=listed)
        data: dict[str, Any] = {
            "external_id": comment.external_id,
            "author_name": comment.author_name,
            "author_email": comment.author_email,
            "content": comment.content,
            **comment.extras,
            "reasons": [*comment.notes, *score.reasons],
            "spam": score.spam,
            "model_version": model_version,
        }
        abuse = score.abuse
        if score.abuse_reasons:  # most comments have none: nothing stored (read as [])
            data["abuse_reasons"] = list(score.abuse_reasons)
        if rule:
            data["rule"] = rule
        # "created" and "scored" are separate entries so the audit trail reads the same
        # when a later model rescores a comment.
        opening = history_line("created", f"site:{site.id}", at, status=Status.PENDING.value)
        # history_line leaves out None: without an abuse head the line is what it was
        opening += "\n" + history_line(
            "scored",
            f"model:{model_version}",
            at,
            spam_score=round(score.probability, 4),
            reasons=list(score.reasons),
            abuse_score=None if abuse is None else round(abuse, 4),
            abuse_reasons=None if abuse is None else list(score.abuse_reasons),
        )
        history = opening
        if status != Status.PENDING:
            history += "\n" + history_line(
                "auto-decided", "auto", at, status=status.value, rule=rule
            )
        # hold_abuse_above: the intake script's trusted-author approval and a trusted
        # edit are automatic approvals too, so they are turned off for this comment
        hold = site.hold_abuse_above
        held = hold is not None and abuse is not None and abuse >= hold
        new = NewComment(
            site=site.id,
            id=new_comment_id(site.id, at),
            external_id=comment.external_id,
            idempotency_key=job.idempotency_key,
            request_fingerprint=request_fingerprint(comment) if job.idempotency_key else "",
            status=status,
            rule=rule or "",
            spam_score=score.probability,
            abuse_score=abuse,
            created_ms=at,
            data=data,
            history=history,
            author_email=comment.author_email,
            trust_approved_authors=site.trust_approved_authors and not held,
            # an edit is scored again but never rejected by a rule (as auto_spam_above
            # spares it too): an abusive one goes back to a human
            trust_edits=site.trust_edits_of_approved and not held and status != Status.REJECTED,
            trusted_history=(
                history_line(
                    "auto-decided",
                    "auto",
                    at,
                    status="approved",
                    rule=TRUSTED_AUTHOR_RULE,
                )
                if site.trust_approved_authors and not held
                else ""
            ),
        )
        if site.duplicate_window_seconds <= 0:
            return new
        # What a repeat would change is worked out here, with the id of the comment it
        # repeats left for the intake script to fill in: only Redis knows it.
        repeat_status, repeat_rule = self._status(
            job, score, repeat_of=REPEAT_PLACEHOLDER, listed=listed
        )
        changes = repeat_status != status
        return replace(
            new,
            text_fingerprint=text_fingerprint(comment.content),
            repeat_window_seconds=site.duplicate_window_seconds,
            repeat_status=repeat_status if changes else None,
            repeat_history=(
                opening
                + "\n"
                + history_line(
                    "auto-decided", "auto", at, status=repeat_status.value, rule=repeat_rule
                )
                if changes
                else ""
            ),
            repeat_rule=repeat_rule or "" if changes else "",
        )

    @staticmethod
    def _status(
        job: _Job,
        score: Score,
        *,
        repeat_of: str | None = None,
        listed: tuple[RuleList, str] | None = None,
    ) -> tuple[Status, str | None]:
        status, rule = automatic_status(
            job.site,
            job.comment,
            score.probability,
            abuse=score.abuse,
            repeat_of=repeat_of,
            listed=listed,
        )
        if status == Status.PENDING and job.verdict_rule is not None:
            spam = score.spam if job.verdict is None else job.verdict
            if spam:
                return Status.SPAM, job.verdict_rule
            if not abuse_holds(job.site, score.abuse):
                return Status.APPROVED, job.verdict_rule
        return status, rule

    async def close(self) -> None:
        """Send what is waiting and wait for every batch in flight (graceful shutdown)."""
        self._flush()
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)


SCORE_CACHE_SIZE = 4096  # comments whose score is kept per model (a few MB at most)
SCORE_CACHES = 16  # models whose scores are kept (the default and the busiest sites')
REPEAT_REASON = "repeats a recent comment"
REPEAT_PLACEHOLDER = "{repeat_of}"  # filled in by the intake script


def text_fingerprint(content: str) -> str:
    """A short digest of the text as a reader sees it: case, width variants, invisible
    characters and spacing do not make a repeat look new."""
    return hashlib.sha256(folded(content).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def request_fingerprint(comment: CommentIn) -> str:
    """A digest of what makes the comment this comment, as validated (its CMS id, author,
    text and where it was posted): a retry carries the same, a different comment under a
    reused Idempotency-Key does not.  Request details a CMS may rebuild on a retry (user
    agent, IP, submitted_at, referrer) are left out, so such a retry still replays."""
    fields = [
        comment.external_id,
        comment.author_name,
        comment.author_email,
        comment.content,
        comment.get("post_url"),
        comment.get("post_id"),
        comment.get("parent_id"),
    ]
    return hashlib.sha256(jsoncodec.dumps(fields).encode()).hexdigest()[:32]


def _score_key(comment: Comment) -> bytes:
    """Everything a score depends on, digested (fields joined by a character no field
    may contain: validation refuses control characters)."""
    joined = "\x00".join(
        (
            comment.content,
            comment.author_name,
            comment.author_email,
            comment.author_url,
            comment.post_url,
        )
    )
    return hashlib.blake2b(joined.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def for_classifier(comment: CommentIn) -> Comment:
    return Comment(
        content=comment.content,
        author_name=comment.author_name,
        author_email=comment.author_email,
        author_url=comment.get("author_url"),
        post_url=comment.get("post_url"),
    )
