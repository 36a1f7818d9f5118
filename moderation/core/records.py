"""The comment record as stored and as answered, and its status vocabulary."""

from __future__ import annotations

import functools
import re
import secrets
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from moderation.core import jsoncodec


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SPAM = "spam"
    REJECTED = "rejected"


# Who a CMS's own decision is recorded as (cms-status, Akismet's submit-spam / -ham).
CMS_ACTOR = "cms"


class Decision(StrEnum):
    APPROVE = "approve"
    SPAM = "spam"
    REJECT = "reject"

    @property
    def status(self) -> Status:
        return _DECISION_STATUS[self]


class CallbackEvent(StrEnum):
    """What a decision callback tells the CMS (the X-Moderation-Event header)."""

    DECIDED = "comment.decided"  # a moderator's decision
    AUTO_DECIDED = "comment.auto_decided"  # a site rule's, on arrival
    UNDONE = "comment.undone"  # a moderator took their decision back
    EDITED = "comment.edited"  # the CMS re-sent the comment with another text or URL


class RejectReason(StrEnum):
    """Why a moderator rejected a comment.  ``abuse`` makes the rejection an abuse label
    (learning); the others say what the comment was instead, and label nothing."""

    ABUSE = "abuse"
    SPAM = "spam"  # spam the moderator chose to reject rather than mark (no spam label)
    OFF_TOPIC = "off_topic"
    OTHER = "other"


# The rule of a comment rejected on arrival because its abuse score reached the site's
# reject_abuse_above: one fixed word, so that a CMS or a query can tell it apart.
ABUSE_RULE = "abuse"

_DECISION_STATUS = {
    Decision.APPROVE: Status.APPROVED,
    Decision.SPAM: Status.SPAM,
    Decision.REJECT: Status.REJECTED,
}

# The rule of an approval because the author has an approved comment already
# (trust_approved_authors), which the intake script applies.
TRUSTED_AUTHOR_RULE = "trusted author: has an approved comment"

# The personal data of a comment: what erasure removes and what only moderators see.
PERSONAL_FIELDS = (
    "author_name",
    "author_email",
    "author_url",
    "author_ip",
    "user_agent",
    "referrer",  # the page the reader came from can carry their identifiers
)


def now_ms() -> int:
    return int(time.time() * 1000)


@functools.lru_cache(maxsize=256)
def iso_from_ms(ms: int) -> str:
    """ISO 8601 UTC with milliseconds.  Remembered: a batch stamps every comment, and
    every history line of it, with the same millisecond."""
    seconds, millis = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def utc_day(ms: int) -> str:
    """The UTC date of a time in ms, as the per-day decision counts name their days."""
    return time.strftime("%Y-%m-%d", time.gmtime(ms / 1000))


def new_comment_id(site: str, created_ms: int) -> str:
    """A comment id that names its site (so any id leads to its site's keys without a
    global index) and sorts by creation time; 64 random bits make it unguessable."""
    return f"{site}_{created_ms:012x}{secrets.token_hex(8)}"


# What a comment id can be: a site id (config.SITE_ID_RE), "_", and the rest of what
# new_comment_id makes, with some room.  Anything else is no comment of ours, and is
# never made into a Redis key: a "}" would move the key out of its site's hash tag, a
# lone surrogate cannot be sent at all.
_COMMENT_ID = re.compile(r"([a-z0-9][a-z0-9-]{0,62})_[A-Za-z0-9_.~-]{1,100}")


def site_of(comment_id: str) -> str | None:
    """The site a comment id names, or None if it is not a comment id at all."""
    if len(comment_id) > 120:
        return None
    match = _COMMENT_ID.fullmatch(comment_id)
    return match.group(1) if match else None


def history_line(action: str, actor: str, at_ms: int, **details: Any) -> str:
    entry: dict[str, Any] = {"action": action, "actor": actor, "at": iso_from_ms(at_ms)}
    entry.update({k: v for k, v in details.items() if v is not None})
    return jsoncodec.dumps(entry)


@dataclass(slots=True)
class CommentRecord:
    id: str
    site: str
    status: Status
    spam_score: float
    created_ms: int
    data: dict[str, Any]
    initial_status: Status
    decided_by: str = ""
    decided_ms: int = 0
    note: str = ""
    claimed_by: str = ""
    claim_until_ms: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    edited_ms: int = 0  # when the CMS last changed its text or URL (0: never)
    # None: the model that scored it has no abuse head (or it was stored before one)
    abuse_score: float | None = None
    decision_reason: str = ""  # a rejection's RejectReason ('' = none given)

    @classmethod
    def from_hash(cls, comment_id: str, site: str, raw: dict[str, str]) -> CommentRecord:
        history = []
        for line in raw.get("history", "").splitlines():
            if line:
                history.append(jsoncodec.loads(line))
        return cls(
            id=comment_id,
            site=site,
            status=Status(raw["status"]),
            initial_status=Status(raw.get("initial_status", raw["status"])),
            spam_score=float(raw.get("spam_score", "0")),
            created_ms=int(raw.get("created_ms", "0")),
            data=jsoncodec.loads(raw.get("data", "{}")),
            decided_by=raw.get("decided_by", ""),
            decided_ms=int(raw.get("decided_ms", "0") or 0),
            note=raw.get("note", ""),
            claimed_by=raw.get("claimed_by", ""),
            claim_until_ms=int(raw.get("claim_until_ms", "0") or 0),
            history=history,
            edited_ms=int(raw.get("edited_ms", "0") or 0),
            abuse_score=float(abuse) if (abuse := raw.get("abuse_score")) else None,
            decision_reason=raw.get("decision_reason", ""),
        )

    @property
    def reasons(self) -> list[str]:
        return list(self.data.get("reasons", []))

    @property
    def abuse_reasons(self) -> list[str]:
        # ``or ()``: Redis's cjson writes an empty array back as {} when a script
        # re-encodes the data (a repeat, an erasure)
        return list(self.data.get("abuse_reasons") or ())

    def claim_holder(self, at_ms: int) -> str | None:
        if self.claimed_by and self.claim_until_ms > at_ms:
            return self.claimed_by
        return None

    def intake_answer(self) -> dict[str, Any]:
        """The answer the CMS got when it last sent this comment's text: when it was
        first sent, or (``edited``) when its latest edit was (an edit stores the status
        it answered as ``initial_status``)."""
        return {
            "id": self.id,
            "status": self.initial_status.value,
            "spam_score": self.spam_score,
            "spam": bool(self.data.get("spam", False)),
            "reasons": self.reasons,
            "abuse_score": self.abuse_score,
            "abuse_reasons": self.abuse_reasons,
            "edited": self.edited_ms > 0,
        }

    def queue_item(self, at_ms: int) -> dict[str, Any]:
        """What a moderator sees in the queue (personal data included: moderators only)."""
        data = self.data
        item: dict[str, Any] = {
            "id": self.id,
            "external_id": data.get("external_id"),
            "site": self.site,
            "status": self.status.value,
            "spam_score": self.spam_score,
            "reasons": self.reasons,
            "abuse_score": self.abuse_score,
            "abuse_reasons": self.abuse_reasons,
            "rule": data.get("rule"),
            "author_name": data.get("author_name"),
            "author_email": data.get("author_email"),
            "author_url": data.get("author_url"),
            "author_ip": data.get("author_ip"),
            "content": data.get("content"),
            "post_url": data.get("post_url"),
            "post_id": data.get("post_id"),
            "created_at": iso_from_ms(self.created_ms),
            "claimed_by": self.claim_holder(at_ms),
            # the lease's identity: a release naming it leaves a later renewal alone
            "lease_until_ms": self.claim_until_ms if self.claim_holder(at_ms) else None,
            "decided_by": self.decided_by or None,
            "decided_at": iso_from_ms(self.decided_ms) if self.decided_ms else None,
            "decision_reason": self.decision_reason or None,
        }
        return item

    def full(self, at_ms: int, *, for_moderator: bool) -> dict[str, Any]:
        """The whole record.  A site's own key sees it without moderators' notes and
        without the author's email, IP and user agent: the CMS sent them and needs
        nothing back, and a poll result must never carry an email a public page could
        show ("your email address will not be published")."""
        record = self.queue_item(at_ms)
        for name in ("user_agent", "referrer", "submitted_at", "lang", "parent_id"):
            record[name] = self.data.get(name)
        record["model_version"] = self.data.get("model_version")
        record["spam"] = self.data.get("spam")
        if for_moderator:
            record["note"] = self.note or None
            record["history"] = self.history
        else:
            record.pop("claimed_by", None)
            record.pop("lease_until_ms", None)
            for name in ("author_email", "author_ip", "user_agent"):
                record[name] = None
            record["history"] = [
                {k: v for k, v in entry.items() if k != "note"} for entry in self.history
            ]
        return record
