"""From an Akismet call's form to a comment: the parameters as Akismet reads them (the
blog's charset, the body's value winning over the query's), the digest a comment-check's
comment is stored under, and the comment itself (name and email not required; text
cleaned rather than refused, as an Akismet client gets no 422).  No HTTP here: the web
layer's ``web/akismet.py`` answers the calls."""

from __future__ import annotations

import codecs
import hashlib
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from moderation.core import jsoncodec
from moderation.core.netaddr import normal_ip, url_problem
from moderation.core.text import is_blank
from moderation.intake.validation import (
    CONTENT_MAX,
    EMAIL_MAX,
    NAME_MAX,
    SHORT_MAX,
    URL_MAX,
    CommentIn,
)

MALFORMED_EMAIL = "malformed author email"

# the text a fingerprint of a comment-check is made of: submit-spam/ham sends the same
FINGERPRINT_FIELDS = (
    "comment_content",
    "comment_author",
    "comment_author_email",
    "user_ip",
    "permalink",
)

EXTERNAL_PREFIX = "akismet:"

# Akismet's documented test triggers ("Testing your integration"): this author name or
# email is always spam, this role always ham ("will always return false", so it wins
# over the other two); with or without is_test.
SPAM_AUTHOR = "akismet-guaranteed-spam"
SPAM_EMAIL = "akismet-guaranteed-spam@example.com"
HAM_ROLE = "administrator"

# Akismet's documented parameters; any other (WordPress adds POST_*, HTTP_*, nonces) is
# accepted and ignored.
PARAMETERS = (
    "api_key",
    "blog",
    "user_ip",
    "user_agent",
    "referrer",
    "permalink",
    "comment_type",
    "comment_author",
    "comment_author_email",
    "comment_author_url",
    "comment_content",
    "comment_date_gmt",
    "comment_post_modified_gmt",
    "comment_parent",
    "blog_lang",
    "blog_charset",
    "user_role",
    "is_test",
    "recheck_reason",
    "honeypot_field_name",
    "comment_context[]",
    "guid",
)


@dataclass(frozen=True, slots=True)
class AkismetRequest:
    """A call's parameters (form body and query string, the body's winning), the first
    value of each; ``context`` holds every ``comment_context[]``."""

    fields: Mapping[str, str]
    context: tuple[str, ...]

    def get(self, name: str) -> str:
        return self.fields.get(name, "")


_CHARSET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,39}")


def _charset(name: str) -> str:
    """The text encoding ``blog_charset`` names, or UTF-8 for anything else (a name
    Python does not know, a codec that is not one of text, such as rot13 or zlib, or one
    a form cannot be written in, such as UTF-16)."""
    if not _CHARSET_NAME.fullmatch(name):
        return "utf-8"
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return "utf-8"
    if not getattr(info, "_is_text_encoding", True):
        return "utf-8"
    try:  # a form is ASCII (UTF-16 is not), whatever its escapes decode to
        ascii_compatible = "a=b&c%20".encode(info.name) == b"a=b&c%20"
    except (UnicodeError, LookupError):
        ascii_compatible = False
    return info.name if ascii_compatible else "utf-8"


def parse_form(body: bytes, query: Mapping[str, str]) -> AkismetRequest:
    """The form as Akismet reads it: percent-decoded in the blog's charset (UTF-8 unless
    ``blog_charset`` names another), an unreadable byte replaced rather than refused."""
    ascii_view = body.decode("latin-1")
    pairs = urllib.parse.parse_qsl(ascii_view, keep_blank_values=True, encoding="latin-1")
    charset = _charset(next((v for k, v in pairs if k == "blog_charset"), ""))
    raw = body.decode(charset, errors="replace")
    pairs = urllib.parse.parse_qsl(raw, keep_blank_values=True, encoding=charset, errors="replace")
    fields: dict[str, str] = {}
    context: list[str] = []
    for name, value in pairs:
        if name in ("comment_context[]", "comment_context"):
            context.append(value)
        fields.setdefault(name, value)
    for name, value in query.items():
        fields.setdefault(name, value)
    return AkismetRequest(fields, tuple(context))


def is_test(form: AkismetRequest) -> bool:
    """``is_test=1`` (or ``true``, as some clients send a boolean): a test call, which
    answers but stores, counts and trains nothing."""
    return form.get("is_test").strip().lower() in ("1", "true")


def trigger_verdict(form: AkismetRequest) -> bool | None:
    """The verdict one of Akismet's test triggers forces (True: spam), or None."""
    if form.get("user_role").strip().lower() == HAM_ROLE:
        return False
    if (
        form.get("comment_author").strip().lower() == SPAM_AUTHOR
        or form.get("comment_author_email").strip().lower() == SPAM_EMAIL
    ):
        return True
    return None


def _clean(value: str, limit: int, *, newlines: bool = False) -> str:
    """Text as intake keeps it: control characters dropped (not refused: an Akismet
    client gets no 422), trimmed, cut to ``limit``; text that shows nothing (whitespace
    and zero-width characters only, which /v1/comments refuses as blank) is cleaned to
    nothing, as a name or content Akismet was not given."""
    kept = "".join(
        ch
        for ch in value
        if not (ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F) or (newlines and ch in "\n\r\t")
    )
    return "" if is_blank(kept) else kept.strip()[:limit]


def _url(value: str) -> str:
    """The URL, cleaned, if it is an http(s) one; else '' (dropped: no 422 here)."""
    value = _clean(value, URL_MAX)
    return "" if url_problem(value) is not None else value


def external_id_of(form: AkismetRequest) -> str:
    """The id a comment-check's comment is stored under: a digest of its text, author
    and IP, the fields submit-spam and submit-ham send again, so they find it."""
    parts = [form.get(name).strip() for name in FINGERPRINT_FIELDS]
    digest = hashlib.sha256(jsoncodec.dumps(parts).encode("utf-8", "replace")).hexdigest()
    return EXTERNAL_PREFIX + digest[:32]


def comment_of(form: AkismetRequest) -> CommentIn:
    """The comment an Akismet call describes.  Name and email are not required here; a
    malformed email is kept (as the model's feature) and said as a reason."""
    notes: tuple[str, ...] = ()
    email = _clean(form.get("comment_author_email"), EMAIL_MAX)
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            email, notes = email.lower(), (MALFORMED_EMAIL,)
    extras = {
        "author_url": _url(form.get("comment_author_url")),
        "post_url": _url(form.get("permalink")),
        "referrer": _url(form.get("referrer")),
        "user_agent": _clean(form.get("user_agent"), SHORT_MAX),
        "author_ip": normal_ip(form.get("user_ip")) or "",
        "submitted_at": _clean(form.get("comment_date_gmt"), 64),
        "lang": _clean(form.get("blog_lang").split(",")[0], 35),
        "parent_id": _clean(form.get("comment_parent"), 200),
        "comment_type": _clean(form.get("comment_type"), 64),
    }
    return CommentIn(
        author_name=_clean(form.get("comment_author"), NAME_MAX),
        author_email=email,
        content=_clean(form.get("comment_content"), CONTENT_MAX, newlines=True),
        external_id=external_id_of(form),
        extras={name: value for name, value in extras.items() if value},
        notes=notes,
    )
