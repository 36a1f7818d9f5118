"""The request body models: every failing field at once, strict JSON types, odd text
refused, and paths as the client wrote them."""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest

from moderation.core.fields import (
    LONE_SURROGATE,
    BadBody,
    FieldError,
    FieldsInvalid,
    UnsupportedMediaType,
)
from moderation.core.records import Decision
from moderation.core.text import CONTROL_CHARACTERS
from moderation.intake.akismet_form import comment_of, parse_form
from moderation.intake.validation import validate_comment
from moderation.storage.store import Order
from moderation.web.bodies import (
    BulkDecisionItem,
    ClaimRequest,
    DecisionRequest,
    ErasureRequest,
    ModelReloadRequest,
    ReleaseRequest,
    parse,
)
from moderation.web.problems import (
    Problem,
    bad_request,
    for_input,
    invalid,
    unsupported_media,
)


def _errors(model: Any, raw: Any, prefix: str = "") -> dict[str, str]:
    with pytest.raises(Problem) as info:
        parse(model, raw, prefix)
    assert info.value.status == 422
    return {e.field: e.message for e in info.value.errors}


def test_a_valid_claim_gets_its_defaults_and_a_normalised_email() -> None:
    claim = parse(ClaimRequest, {"site": "news", "author_email": " Maria@Example.COM "})
    assert (claim.limit, claim.lease_seconds, claim.order) == (10, 300, Order.SCORE)
    assert claim.author_email == "maria@example.com"
    assert parse(ClaimRequest, {"site": "news", "author_email": ""}).author_email is None
    assert parse(ClaimRequest, {"site": "news", "lease_seconds": 2.5}).lease_seconds == 2.5


@pytest.mark.parametrize("bad", [True, "5", 5.0, None, [5]])
def test_a_whole_number_is_a_json_integer(bad: object) -> None:
    assert _errors(ClaimRequest, {"site": "news", "limit": bad}) == {
        "limit": "must be a whole number"
    }


@pytest.mark.parametrize("bad", [True, False, "0.5"])
def test_true_is_not_a_number(bad: object) -> None:
    assert _errors(ClaimRequest, {"site": "news", "min_score": bad, "lease_seconds": bad}) == {
        "lease_seconds": "must be a number",
        "min_score": "must be a number",
    }


def test_every_failing_field_at_once() -> None:
    assert _errors(
        ClaimRequest,
        {"limit": 0, "lease_seconds": 3601, "order": "x", "max_score": -1},
    ) == {
        "site": "is required",
        "limit": "must be at least 1",
        "lease_seconds": "must be at most 3600",
        "order": "must be one of 'score', 'abuse', 'oldest' or 'newest'",
        "max_score": "must be at least 0",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bad \ud800 note", LONE_SURROGATE),
        ("a\x1bb", CONTROL_CHARACTERS),
        ("a\x00b", CONTROL_CHARACTERS),
    ],
)
def test_odd_text_is_refused_without_being_quoted(text: str, message: str) -> None:
    assert _errors(DecisionRequest, {"decision": "spam", "note": text}) == {"note": message}
    assert _errors(ErasureRequest, {"author_email": "a@b.org", "site": text}) == {"site": message}
    assert _errors(ModelReloadRequest, {"path": text}) == {"path": message}
    errors = _errors(BulkDecisionItem, {"id": text, "decision": "spam"}, "decisions[3]")
    assert errors == {"decisions[3].id": message}


def test_a_note_keeps_newlines_and_is_trimmed() -> None:
    decided = parse(DecisionRequest, {"decision": "reject", "note": "  off topic\n\tsee FAQ "})
    assert decided.decision is Decision.REJECT and decided.note == "off topic\n\tsee FAQ"
    assert parse(DecisionRequest, {"decision": "approve"}).note is None


def test_paths_name_the_field_as_sent() -> None:
    assert _errors(BulkDecisionItem, [], "decisions[0]") == {"decisions[0]": "must be an object"}
    assert _errors(BulkDecisionItem, {"decision": 3, "note": 4}, "decisions[9]") == {
        "decisions[9].id": "is required",
        "decisions[9].decision": "must be one of 'approve', 'spam' or 'reject'",
        "decisions[9].note": "must be a string",
    }
    assert _errors(DecisionRequest, "approve") == {"body": "must be an object"}


def test_optional_bodies_and_their_limits() -> None:
    assert parse(ReleaseRequest, {}).lease_until_ms is None
    assert _errors(ReleaseRequest, {"lease_until_ms": -1}) == {
        "lease_until_ms": "must be at least 0"
    }
    assert parse(ModelReloadRequest, {}).path is None
    assert _errors(ModelReloadRequest, {"path": "   "}) == {"path": "must not be blank"}
    assert _errors(ModelReloadRequest, {"path": "x" * 4_097}) == {
        "path": "must be at most 4096 characters"
    }
    assert _errors(ErasureRequest, {"site": ""}) == {
        "author_email": "is required",
        "site": "must not be empty",  # not "every site": an erasure is never widened
    }


# ---------------------------------------------------------------------------------------
# The intake body (validation.CommentSubmission)


def _intake_errors(raw: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(FieldsInvalid) as info:
        validate_comment(raw, check_deliverability=False)
    return {e.field: e.message for e in info.value.errors}


GOOD = {"author_name": "Maria", "author_email": "Maria@Example.com", "content": " Hi.\n"}


def test_intake_normalises_what_it_keeps() -> None:
    comment = validate_comment(
        {
            **GOOD,
            "id": 12,
            "post_id": 7,
            "author_ip": "2001:DB8::1",
            "lang": "",
            "referrer": "   ",
            "unknown": "ignored",
        },
        check_deliverability=False,
    )
    assert (comment.author_email, comment.content, comment.external_id) == (
        "maria@example.com",
        "Hi.",
        "12",
    )
    assert comment.extras == {"post_id": "7", "author_ip": "2001:db8::1"}


def test_intake_lists_every_field_as_it_always_said_it() -> None:
    assert _intake_errors(
        {
            "author_name": " ",
            "content": "",
            "author_email": None,
            "id": True,
            "post_url": "ftp://x",
            "author_ip": "1.2.3",
            "submitted_at": "yesterday",
            "lang": "english!",
            "user_agent": "a\x00b",
        }
    ) == {
        "author_name": "must not be blank",
        "content": "is required",
        "author_email": "is required",
        "id": "must be a string",
        "post_url": "must be an http or https URL",
        "user_agent": CONTROL_CHARACTERS,
        "author_ip": "must be an IPv4 or IPv6 address",
        "submitted_at": "must be an ISO 8601 date-time",
        "lang": "must be a language tag such as 'en' or 'pt-BR'",
    }
    assert _intake_errors({**GOOD, "author_name": "x\ud800", "content": "a" * 10_001}) == {
        "author_name": LONE_SURROGATE,
        "content": "must be at most 10000 characters",
    }


def test_intake_text_is_text_not_a_number() -> None:
    # stricter than before: only the ids (id, post_id, parent_id) may be JSON integers
    assert _intake_errors({**GOOD, "author_name": 5, "parent_id": 2.5}) == {
        "author_name": "must be a string",
        "parent_id": "must be a string",
    }


def test_the_domain_s_input_errors_answer_as_the_web_s_problems() -> None:
    """validation.py says what is wrong without HTTP; the answers stay what they were."""
    errors = [FieldError("author_email", "is required")]
    pairs = [
        (BadBody("body is not valid JSON"), bad_request("body is not valid JSON")),
        (BadBody("bad header", field="Origin"), bad_request("bad header", field="Origin")),
        (
            UnsupportedMediaType("text/plain", ("application/json",)),
            unsupported_media("text/plain", ("application/json",)),
        ),
        (FieldsInvalid(errors), invalid(errors)),
    ]
    for error, problem in pairs:
        answer = for_input(error)
        assert answer.body("/v1/comments", "r") == problem.body("/v1/comments", "r")
        assert answer.headers == problem.headers


# Text that shows nothing: zero-width space, non-joiner, joiner, word joiner, BOM, soft
# hyphen, and these mixed with whitespace (issue 24: "\u200b\u200b" was a comment)
INVISIBLE = [
    "\u200b\u200b",
    "\u200c",
    "\u200d\u200d\u200d",
    "\u2060",
    "\ufeff",
    " \u200b \u00a0\u200c \u2060\u3000\ufeff ",
    "\u00ad\u200e\u200f",
]


@pytest.mark.parametrize("blank", INVISIBLE)
def test_intake_refuses_text_that_shows_nothing(blank: str) -> None:
    assert _intake_errors({**GOOD, "content": blank, "author_name": blank}) == {
        "author_name": "must not be blank",
        "content": "must not be blank",
    }


def test_content_of_invisible_characters_and_newlines_is_blank() -> None:
    content = "\u200b\n\u200d\t\u2060\r\n\ufeff"
    assert _intake_errors({**GOOD, "content": content}) == {"content": "must not be blank"}


def test_invisible_characters_inside_visible_text_are_kept() -> None:
    # a family emoji is three emoji joined by ZWJs; Persian uses ZWNJ inside words
    for text in (
        "\U0001f468\u200d\U0001f469\u200d\U0001f467",
        "\u200bHi",
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
    ):
        assert validate_comment({**GOOD, "content": text}, check_deliverability=False).content


@pytest.mark.parametrize("blank", INVISIBLE)
def test_other_bodies_say_blank_the_same_way(blank: str) -> None:
    assert _errors(ModelReloadRequest, {"path": blank}) == {"path": "must not be blank"}


@pytest.mark.parametrize("blank", INVISIBLE)
def test_an_akismet_comment_of_invisible_text_is_cleaned_to_empty(blank: str) -> None:
    """Akismet's clients get no 422: invisible text is cleaned away, as a control
    character is, and the comment is scored and stored with what is left."""
    form = parse_form(
        urllib.parse.urlencode({"comment_content": blank, "comment_author": blank}).encode(), {}
    )
    comment = comment_of(form)
    assert (comment.content, comment.author_name) == ("", "")
    visible = parse_form(urllib.parse.urlencode({"comment_content": "\u200bHi"}).encode(), {})
    assert comment_of(visible).content == "\u200bHi"


def test_a_body_nested_past_the_repeat_check_is_a_bad_request_not_a_500() -> None:
    """orjson parses deeper than the standard library's parser, which names repeated keys:
    a body between the two (found by the fuzz test: a 500) is a 400."""
    from moderation.core.fields import BadBody
    from moderation.intake.validation import parse_body

    depth = 1000
    body = ('{"a": ' + "[" * depth + "]" * depth + ', "a": 1}').encode()
    with pytest.raises(BadBody, match="nested too deeply"):
        parse_body("application/json", body)


def test_a_reject_carries_one_of_the_reasons_and_only_a_reject_does() -> None:
    body = parse(DecisionRequest, {"decision": "reject", "reason": "abuse"})
    assert (body.decision, body.reason) == (Decision.REJECT, "abuse")
    assert parse(DecisionRequest, {"decision": "reject"}).reason is None
    assert _errors(DecisionRequest, {"decision": "reject", "reason": "rude"}) == {
        "reason": "must be one of 'abuse', 'spam', 'off_topic' or 'other'"
    }
    assert _errors(DecisionRequest, {"decision": "approve", "reason": "abuse"}) == {
        "reason": "only a reject carries a reason"
    }
    # in a bulk item the path names the item
    assert _errors(
        BulkDecisionItem, {"id": "news_1", "decision": "spam", "reason": "spam"}, "decisions[2]"
    ) == {"decisions[2].reason": "only a reject carries a reason"}
