"""Decisions made before a human sees a comment: a site's block and allow lists, then its
score thresholds.  (Trusted authors are checked inside the intake script, atomically
with the write, since "has an approved comment" is Redis state.)"""

from __future__ import annotations

from moderation.config import SiteConfig
from moderation.core.records import Status
from moderation.intake.validation import CommentIn


def _matches(entry: str, email: str, ip: str) -> bool:
    if entry.startswith("@"):
        return email.endswith(entry)
    if "@" in entry:
        return email == entry
    return bool(ip) and ip == entry


def automatic_status(
    site: SiteConfig, comment: CommentIn, score: float, *, repeat_of: str | None = None
) -> tuple[Status, str | None]:
    """The status a comment gets on arrival and the rule that set it (None: no rule)."""
    email, ip = comment.author_email, comment.get("author_ip")
    for entry in site.block:
        if _matches(entry, email, ip):
            return Status.SPAM, f"block list: {entry}"
    for entry in site.allow:
        if _matches(entry, email, ip):
            return Status.APPROVED, f"allow list: {entry}"
    if repeat_of is not None and site.auto_spam_duplicates:
        return Status.SPAM, f"repeat of {repeat_of} (auto_spam_duplicates)"
    if site.auto_spam_above is not None and score >= site.auto_spam_above:
        return Status.SPAM, f"spam score {score:.3f} >= auto_spam_above {site.auto_spam_above}"
    if site.auto_approve_below is not None and score < site.auto_approve_below:
        return (
            Status.APPROVED,
            f"spam score {score:.3f} < auto_approve_below {site.auto_approve_below}",
        )
    return Status.PENDING, None
