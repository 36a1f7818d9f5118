"""Coral's external moderation phase: Coral (the comment platform of many newsrooms)
asks this service about every new or edited comment, and holds, rejects or flags it as
answered; Coral's own queue stays the queue, and nothing is stored here.

What Coral sends and takes is its ``server/EXTERNAL_MODERATION_PHASES.md``: a signed JSON
request (``X-Coral-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>``, several while
Coral rotates the secret), answered ``204`` when there is nothing to say, else ``200``
with the flags and the status.  Coral sends no key: the site is the one whose
``coral_signing_secret`` verifies the signature.  Coral skips a phase that has not
answered within its timeout (set in its admin), so this answers from memory alone: the
scores, and the site's rules as this process holds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from aiohttp import web

from classifier import Comment, Score
from moderation.appkeys import AUTH, CONFIG, METRICS, SCORER, SITE_RULES
from moderation.config import SiteConfig
from moderation.core.netaddr import url_problem
from moderation.core.text import is_blank
from moderation.intake.rules import RuleList
from moderation.intake.scoring import blank_markup, markup_links
from moderation.intake.validation import CommentIn
from moderation.web.answers import CoralAction, CoralPhaseAnswer
from moderation.web.apidoc import json_answer, json_body, operation, problems, ref
from moderation.web.bodies import CoralPhaseRequest, parse
from moderation.web.http import answer, json_object_of, read_body
from moderation.web.intake import check_rate_limits
from moderation.web.problems import forbidden
from moderation.web.routes import RouteTable

routes = RouteTable()

SIGNATURE_HEADER = "X-Coral-Signature"
# Coral's own default toxicity threshold (its Perspective integration's): a site that
# sets no hold_abuse_above is held where Coral would have held it
DEFAULT_HOLD_ABUSE = 0.8
Reason = Literal["COMMENT_DETECTED_TOXIC", "COMMENT_DETECTED_SPAM"]
PhaseStatus = Literal["SYSTEM_WITHHELD", "REJECTED"]
TOXIC: Reason = "COMMENT_DETECTED_TOXIC"
SPAM: Reason = "COMMENT_DETECTED_SPAM"
WITHHELD: PhaseStatus = "SYSTEM_WITHHELD"
REJECTED: PhaseStatus = "REJECTED"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the phase tells Coral: the flags, and the status (None: nothing to say)."""

    reasons: tuple[Reason, ...]
    status: PhaseStatus | None


def verdict(site: SiteConfig, score: Score, blocked: bool) -> Verdict:
    """The site's thresholds applied to ``score``; ``blocked``: a block rule of the site
    (a phrase, a link's domain) matches the comment.

    Abuse at or above ``hold_abuse_above`` (0.8 unset) is flagged toxic and withheld,
    at or above ``reject_abuse_above`` rejected; the spam verdict is flagged spam and
    withheld, a spam score at or above ``auto_spam_above`` rejected; a block rule
    rejects.  The strongest status wins; every flag that applies is sent."""
    reasons: list[Reason] = []
    rejected = blocked
    abuse = score.abuse
    if abuse is not None:
        hold = site.hold_abuse_above if site.hold_abuse_above is not None else DEFAULT_HOLD_ABUSE
        reject = site.reject_abuse_above
        if reject is not None and abuse >= reject:
            rejected = True
        if abuse >= hold or (reject is not None and abuse >= reject):
            reasons.append(TOXIC)
    spam_rejected = site.auto_spam_above is not None and score.probability >= site.auto_spam_above
    if score.spam or spam_rejected:
        reasons.append(SPAM)
    rejected = rejected or spam_rejected
    if rejected:
        return Verdict(tuple(reasons), REJECTED)
    return Verdict(tuple(reasons), WITHHELD if reasons else None)


@routes.post(
    "/coral/v1/phase",
    operation(
        "coralPhase",
        "coral",
        "Coral: the external moderation phase (nothing is stored)",
        {
            "200": json_answer(
                ref("CoralPhaseAnswer"),
                "Flags and a status for Coral: SYSTEM_WITHHELD (held for its moderators) "
                "or REJECTED.",
            ),
            "204": {"description": "Nothing to say: Coral goes on as if unasked."},
            **problems(
                400,
                403,
                413,
                422,
                429,
                503,
                s403=f"{SIGNATURE_HEADER} is missing, or no site's `coral_signing_secret` "
                "verifies it.",
                s422="Not Coral's request: `action` (NEW or EDIT) and `comment.body` are needed.",
            ),
        },
        security=[{"coralSignature": []}],
        body=json_body("CoralPhaseRequest"),
        description=(
            "Coral's ExternalModerationRequest, signed with the phase's secret (the "
            "site's `coral_signing_secret`).  Abuse at or above the site's "
            f"`hold_abuse_above` ({DEFAULT_HOLD_ABUSE} unset): FLAG "
            "COMMENT_DETECTED_TOXIC and SYSTEM_WITHHELD; at or above `reject_abuse_above`: "
            "REJECTED.  The spam verdict: FLAG COMMENT_DETECTED_SPAM and SYSTEM_WITHHELD; "
            "a spam score at or above `auto_spam_above`: REJECTED.  A block rule of the "
            "site (a phrase, a link's domain): REJECTED.  An HTML body's tags are left "
            "out of scoring."
        ),
    ),
)
async def post_phase(request: web.Request) -> web.Response:
    app = request.app
    body = await read_body(request, app[CONFIG].intake.max_body_bytes)
    site = app[AUTH].site_for_coral_signature(request.headers.get(SIGNATURE_HEADER), body)
    if site is None:
        raise forbidden(
            f"{SIGNATURE_HEADER} is missing or verifies with no site's coral_signing_secret."
        )
    phase = parse(CoralPhaseRequest, json_object_of(body))
    await check_rate_limits(app, site, "")
    text = blank_markup(phase.comment.body)
    if is_blank(text):
        return web.Response(status=204)
    story_url = phase.story.url if phase.story is not None and phase.story.url else ""
    if story_url and url_problem(story_url) is not None:
        story_url = ""  # a link the model would misread is no link
    [score] = await app[SCORER].score(site.id, [Comment(content=text, post_url=story_url)])
    app[METRICS].scored_only.labels("coral").inc()
    # the site's rules see the text and the links its markup held; Coral sends no email
    # nor IP, so only a phrase or a link's domain can match
    seen = "\n".join([text, *markup_links(phase.comment.body)])
    listed = app[SITE_RULES].match(
        site.id, CommentIn(author_name="", author_email="", content=seen)
    )
    said = verdict(site, score, listed is not None and listed[0] == RuleList.BLOCK)
    if said.status is None:
        return web.Response(status=204)
    return answer(
        CoralPhaseAnswer(
            actions=[CoralAction(actionType="FLAG", reason=r) for r in said.reasons],
            status=said.status,
        )
    )
