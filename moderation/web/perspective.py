"""The Perspective-compatible API: tools written for Google's Perspective API (Coral's
toxicity check, moderation bots, research scripts) score comments with this service by
changing only their base URL and key.

The paths, the JSON messages and the errors are Perspective's v1alpha1
(``comments:analyze``, ``comments:suggestscore``), so a client needs no change but where
it sends its requests.  What the calls do here: analyze scores and stores nothing (the
caller keeps its own queue); suggestscore keeps the client's correction as an abuse label
of the site.  Both count in the site's rate limits as intake does.

Errors are answered in Google's shape, ``{"error": {"code", "message", "status"}}``, on
every path under ``/v1alpha1/`` (the middleware renders any problem there so): Google's
clients read ``error.message``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from classifier import Comment, Score
from moderation.appkeys import AUTH, CONFIG, METRICS, SCORER, STORE
from moderation.config import SiteConfig
from moderation.core import jsoncodec
from moderation.core.fields import describe
from moderation.core.records import now_ms
from moderation.core.text import is_blank
from moderation.intake.scoring import blank_markup, sentence_spans, utf16_offsets
from moderation.intake.validation import JSON_TYPE
from moderation.web.answers import (
    AnalyzeCommentResponse,
    AttributeScores,
    PerspectiveScore,
    SpanScore,
    SuggestCommentScoreResponse,
)
from moderation.web.apidoc import (
    Json,
    Security,
    header_refs,
    json_answer,
    json_body,
    operation,
    ref,
)
from moderation.web.bodies import (
    AnalyzeCommentRequest,
    AttributeScoresIn,
    SuggestCommentScoreRequest,
    TextEntry,
)
from moderation.web.http import answer, read_body
from moderation.web.intake import check_rate_limits
from moderation.web.problems import Problem, bad_request
from moderation.web.routes import RouteTable

routes = RouteTable()

KEY_HEADER = "X-Goog-Api-Key"  # Google's APIs take the key there too
KEY_INVALID = "API key not valid. Please pass a valid API key."
TEXT_MAX_BYTES = 20_480  # Perspective's own limit on comment.text
TOXICITY = "TOXICITY"
PROBABILITY: Literal["PROBABILITY"] = "PROBABILITY"
SCORE_TYPES = (None, PROBABILITY, "SCORE_TYPE_UNSPECIFIED")
LABEL_AT = 0.5  # a suggested TOXICITY at or above it is an abuse label
ENGLISH = "en"
# What may be quoted back in a message: the shapes of an attribute name, a language code
# and a member name (a client's value is echoed only once it is known to be one).
_ATTRIBUTE = re.compile(r"[A-Z][A-Z0-9_]{0,63}")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,4}")
_NAME = re.compile(r"[A-Za-z0-9_$.-]{1,64}")

Message = TypeVar("Message", bound=BaseModel)


# ---------------------------------------------------------------------------------------
# The request


def _site(request: web.Request) -> SiteConfig:
    """The site whose ``perspective_key`` the call presents (``?key=`` as Google's
    clients send it, or X-Goog-Api-Key); 400 as Google answers a bad key otherwise."""
    presented = request.query.get("key") or request.headers.get(KEY_HEADER, "")
    site = request.app[AUTH].site_for_perspective_key(presented.strip()) if presented else None
    if site is None:
        raise bad_request(KEY_INVALID)
    return site


def _shown(part: object) -> str:
    text = str(part)
    return text if _NAME.fullmatch(text) else "(a name)"


def _path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{_shown(part)}" if path else _shown(part)
    return path


def _said(exc: ValidationError) -> str:
    """pydantic's errors in the words of Google's JSON parser."""
    said: list[str] = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        if error["type"] == "extra_forbidden":
            where = f" at '{_path(loc[:-1])}'" if loc[:-1] else ""
            said.append(f'Unknown name "{_shown(loc[-1])}"{where}: Cannot find field.')
        else:
            said.append(f"Invalid value at '{_path(loc) or 'body'}': {describe(error)}.")
    return "Invalid JSON payload received. " + " ".join(said)


async def _message(request: web.Request, model: type[Message]) -> Message:
    """The body as ``model``; 400 with Google's words otherwise (an empty body is the
    empty message, as Google's parser takes it)."""
    body = await read_body(request, request.app[CONFIG].intake.max_body_bytes)
    if not body.strip():
        body = b"{}"
    try:
        raw = jsoncodec.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise bad_request("Invalid JSON payload received. The body is not JSON.") from exc
    if not isinstance(raw, dict):
        raise bad_request("Invalid JSON payload received. The body must be a JSON object.")
    try:
        repeated = jsoncodec.repeated_keys(body, raw)
    except jsoncodec.TooDeep as exc:
        raise bad_request("Invalid JSON payload received. Nested too deeply.") from exc
    if repeated:
        raise bad_request("Invalid JSON payload received. A member is given more than once.")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise bad_request(_said(exc)) from exc


def _text(comment: TextEntry | None) -> str:
    """The comment's text as it is scored (an HTML one with its tags blanked out, the
    same length, so that span offsets point into what was sent)."""
    text = comment.text if comment is not None else None
    if not text:
        raise bad_request("comment.text is required.")
    if is_blank(text):
        raise bad_request("comment.text must not be blank.")
    if len(text) > TEXT_MAX_BYTES // 4 and len(text.encode("utf-8")) > TEXT_MAX_BYTES:
        raise bad_request("Comment text was too many bytes.")
    assert comment is not None
    return blank_markup(text) if comment.type == "HTML" else text


def _languages(given: list[str] | None) -> list[str]:
    for code in given or ():
        if not _LANGUAGE.fullmatch(code):
            raise bad_request("Unable to parse a language code of `languages`.")
    return list(given or ())


def _english(languages: list[str], attribute: str) -> None:
    """Only English is scored: the model learned from English comments, and a score of
    another language would look like an answer without being one."""
    other = [c for c in languages if re.split("[-_]", c, maxsplit=1)[0].lower() != ENGLISH]
    if other:
        raise bad_request(
            f"Attribute {attribute} does not support request languages: {','.join(languages)}"
        )


def _values(score: Score) -> dict[str, float]:
    """The attributes the model scored: TOXICITY is the abuse head's score."""
    values = dict(score.attributes)
    if score.abuse is not None:
        values[TOXICITY] = score.abuse
    return values


def _unsupported(name: str, supported: Mapping[str, float]) -> Problem:
    scored = ", ".join(sorted(supported))
    offer = f"it scores {scored}" if scored else "the model in use has no abuse head"
    return bad_request(f"Attribute {name} is not supported by this service ({offer}).")


# ---------------------------------------------------------------------------------------
# The document


def _google_errors(**texts: str) -> Json:
    answers: Json = {}
    for status, default in (
        (
            "400",
            "An invalid argument: the key (`API key not valid. Please pass a valid API "
            "key.`), the body, an unsupported attribute or language; `error.message` says.",
        ),
        ("404", "No such method (a GET, say)."),
        ("429", "The site's rate limit is exhausted (Retry-After)."),
        ("500", "A failure on our side."),
        ("503", "Redis or the model is unavailable (Retry-After)."),
    ):
        headers = ("Retry-After",) if status in ("429", "503") else ()
        answers[status] = {
            "description": texts.get(f"s{status}", default),
            "headers": header_refs(*headers),
            "content": {JSON_TYPE: {"schema": ref("GoogleError")}},
        }
    return answers


_KEY: Security = [{"perspectiveKey": []}, {"perspectiveKeyHeader": []}]
_ABOUT = (
    "Google's Perspective API v1alpha1, so that its clients work by changing the base "
    "URL.  The key is the site's `perspective_key`, in `?key=` (or X-Goog-Api-Key).  "
    'Errors are Google\'s shape: `{"error": {"code", "message", "status"}}`.'
)


# ---------------------------------------------------------------------------------------
# Handlers


@routes.post(
    "/v1alpha1/comments:analyze",
    operation(
        "perspectiveAnalyze",
        "perspective",
        "Perspective: score a comment (nothing is stored)",
        {
            "200": json_answer(ref("AnalyzeCommentResponse"), "The requested attributes."),
            **_google_errors(),
        },
        security=_KEY,
        body=json_body("AnalyzeCommentRequest"),
        description=_ABOUT
        + "  Attributes: TOXICITY (the abuse score), and any other the model provides "
        "(a request for one it does not is a 400).  Languages: English only.  With "
        "`spanAnnotations`, each sentence is scored too.",
    ),
)
async def post_analyze(request: web.Request) -> web.Response:
    app = request.app
    site = _site(request)
    message = await _message(request, AnalyzeCommentRequest)
    text = _text(message.comment)
    requested = message.requestedAttributes or {}
    if not requested:
        raise bad_request("requestedAttributes must name at least one attribute.")
    for name, parameters in requested.items():
        _check_attribute_name(name)
        if parameters.scoreType not in SCORE_TYPES:
            raise bad_request(f"Attribute {name}: only the PROBABILITY score type is supported.")
    languages = _languages(message.languages)
    _english(languages, next(iter(requested)))
    await check_rate_limits(app, site, "")

    spans = sentence_spans(text) if message.spanAnnotations else []
    pieces = [Comment(content=text)]
    if len(spans) > 1:  # one sentence is the whole text: its score is the summary's
        pieces += [Comment(content=text[begin:end]) for begin, end in spans]
    scores = await app[SCORER].score(site.id, pieces)
    summary = _values(scores[0])
    for name in requested:
        if name not in summary:
            raise _unsupported(name, summary)
    app[METRICS].scored_only.labels("perspective").inc()

    offsets = utf16_offsets(text) if spans else None
    per_span = [_values(s) for s in scores[1:]] or [summary] * len(spans)
    attribute_scores: dict[str, AttributeScores] = {}
    for name, parameters in requested.items():
        value = summary[name]
        if parameters.scoreThreshold is not None and value < parameters.scoreThreshold:
            continue  # Perspective leaves out what is below the client's threshold
        result: dict[str, Any] = {"summaryScore": PerspectiveScore(value=value, type=PROBABILITY)}
        if message.spanAnnotations:
            result["spanScores"] = [
                SpanScore(
                    begin=offsets[begin] if offsets else begin,
                    end=offsets[end] if offsets else end,
                    score=PerspectiveScore(value=values[name], type=PROBABILITY),
                )
                for (begin, end), values in zip(spans, per_span, strict=True)
            ]
        attribute_scores[name] = AttributeScores(**result)
    answered: dict[str, Any] = {
        "attributeScores": attribute_scores,
        "languages": languages or [ENGLISH],
        "detectedLanguages": [ENGLISH],
    }
    if message.clientToken is not None:
        answered["clientToken"] = message.clientToken
    return answer(AnalyzeCommentResponse(**answered))


@routes.post(
    "/v1alpha1/comments:suggestscore",
    operation(
        "perspectiveSuggestScore",
        "perspective",
        "Perspective: a client's correction, kept as an abuse label",
        {
            "200": json_answer(
                ref("SuggestCommentScoreResponse"),
                "Kept: `{}`, or the request's clientToken.",
            ),
            **_google_errors(),
        },
        security=_KEY,
        body=json_body("SuggestCommentScoreRequest"),
        description=_ABOUT
        + "  attributeScores.TOXICITY.summaryScore.value at or above 0.5 is an abuse "
        "label of the site, below it a not-abuse label (kept with the text and every "
        "suggested summary score); a suggestion without TOXICITY is taken and not kept.",
    ),
)
async def post_suggest_score(request: web.Request) -> web.Response:
    app = request.app
    site = _site(request)
    message = await _message(request, SuggestCommentScoreRequest)
    text = _text(message.comment)
    suggested = message.attributeScores or {}
    if not suggested:
        raise bad_request("attributeScores must not be empty.")
    limit = len(text.encode("utf-16-le")) // 2
    for name, scores in suggested.items():
        _check_attribute_name(name)
        _check_suggested(name, scores, limit)
    _languages(message.languages)
    await check_rate_limits(app, site, "")

    toxicity = suggested.get(TOXICITY)
    value = toxicity.summaryScore.value if toxicity and toxicity.summaryScore else None
    if value is not None:
        label = "abuse" if value >= LABEL_AT else "not_abuse"
        await app[STORE].add_perspective_label(
            site.id,
            {
                "label": label,
                "source": "perspective",
                "ms": now_ms(),
                "content": text,
                "attributes": {
                    n: s.summaryScore.value
                    for n, s in suggested.items()
                    if s.summaryScore is not None
                },
                "community_id": message.communityId,
            },
        )
        app[METRICS].suggested_labels.labels(label).inc()
    if message.clientToken is not None:
        return answer(SuggestCommentScoreResponse(clientToken=message.clientToken))
    return answer(SuggestCommentScoreResponse())


def _check_attribute_name(name: str) -> None:
    if not _ATTRIBUTE.fullmatch(name):
        raise bad_request("Unknown attribute: a name of A-Z, 0-9 and _ is expected.")


def _check_suggested(name: str, scores: AttributeScoresIn, limit: int) -> None:
    """Perspective's rules for a suggestion: not empty, every score set, every span's
    begin and end set and within the text."""
    if scores.summaryScore is None and not scores.spanScores:
        raise bad_request(f"attributeScores.{name} must not be empty.")
    given = [scores.summaryScore] if scores.summaryScore is not None else []
    for span in scores.spanScores or ():
        if span.begin is None or span.end is None or not span.begin <= span.end <= limit:
            raise bad_request(
                f"attributeScores.{name}.spanScores: begin and end must be set, within "
                "the text (UTF-16 code units), begin first."
            )
        if span.score is None:
            raise bad_request(f"attributeScores.{name}.spanScores: every span needs a score.")
        given.append(span.score)
    for score in given:
        if score.value is None:
            raise bad_request(f"attributeScores.{name}: every score needs a value.")
        if score.type not in SCORE_TYPES:
            raise bad_request(f"attributeScores.{name}: only PROBABILITY scores are taken.")
