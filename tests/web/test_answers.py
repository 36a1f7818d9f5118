"""Handlers answer with the answer models (web/answers.py), serialised once: the two ways
http.py has of writing one agree, and a member the document marks as omissible is left
out unless it was given."""

from __future__ import annotations

import json

from moderation.core.records import Status
from moderation.web.answers import Check, Checks, IntakeAnswer, Readiness
from moderation.web.http import answer, answer_all_set


def test_the_intake_paths_fast_writer_says_what_pydantic_says() -> None:
    model = IntakeAnswer(
        id="news_01a251948c5e0a58c72c12a03321",
        status=Status.PENDING,
        spam_score=0.07430709727499907,
        spam=False,
        reasons=["word 'thanks'", "no link", "ünïcödé ✓"],
        abuse_score=0.912345678901,
        abuse_reasons=["word 'idiot'", "ünïcödé ✓"],
        edited=False,
    )
    fast = answer_all_set(model, status=202)
    slow = answer(model, status=202)
    assert fast.status == slow.status == 202
    assert fast.content_type == slow.content_type == "application/json"
    assert isinstance(fast.body, bytes) and isinstance(slow.body, bytes)
    assert json.loads(fast.body) == json.loads(slow.body)
    assert json.loads(fast.body)["status"] == "pending"


def test_an_omissible_member_is_left_out_unless_given() -> None:
    ready = Readiness(
        status="ready",
        checks=Checks(redis=Check(ok=True), model=Check(ok=True, version="3cfedb71501d")),
    )
    body = answer(ready).body
    assert isinstance(body, bytes)
    assert json.loads(body) == {
        "status": "ready",
        "checks": {"redis": {"ok": True}, "model": {"ok": True, "version": "3cfedb71501d"}},
    }
