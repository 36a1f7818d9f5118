"""Turning an intake body into a validated comment, or into every reason it is not one."""

from __future__ import annotations

import functools
import ipaddress
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email

from moderation import jsoncodec
from moderation.fields import LONE_SURROGATE
from moderation.problems import FieldError, Problem, bad_request, invalid, unsupported_media

JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
INTAKE_TYPES = (JSON_TYPE, FORM_TYPE)

NAME_MAX = 100
CONTENT_MAX = 10_000
URL_MAX = 2_000
ID_MAX = 200
SHORT_MAX = 1_000
EMAIL_MAX = 320
# Site ids are at most 63 characters (config.SITE_ID_RE); a longer one asked for is
# simply no site of ours (404), but past this it is not worth a look.
SITE_MAX = 200
LANG_RE = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True, slots=True)
class CommentIn:
    """A comment as the CMS sent it, after validation and normalisation."""

    author_name: str
    author_email: str  # normalised by email-validator
    content: str
    external_id: str | None = None
    extras: dict[str, str] = field(default_factory=dict)  # optional fields that were given

    def get(self, name: str) -> str:
        return self.extras.get(name, "")


def parse_body(content_type: str, body: bytes) -> Mapping[str, Any]:
    """Decode a JSON or form body into a mapping; 400/415/422 otherwise."""
    if content_type == JSON_TYPE:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise bad_request(f"body is not valid UTF-8 (byte {exc.start})") from exc
        try:
            value = jsoncodec.loads(text)
        except RecursionError as exc:
            raise bad_request("JSON nested too deeply") from exc
        except ValueError as exc:
            raise bad_request(f"body is not valid JSON: {exc}") from exc
        if not isinstance(value, dict):
            raise invalid([FieldError("body", "must be a JSON object")])
        return value
    if content_type == FORM_TYPE:
        try:
            text = body.decode("ascii")
            pairs = urllib.parse.parse_qsl(
                text, keep_blank_values=True, strict_parsing=False, errors="strict"
            )
        except (UnicodeDecodeError, ValueError) as exc:
            raise bad_request("form body is not valid URL-encoded UTF-8") from exc
        form: dict[str, Any] = {}
        for key, val in pairs:
            form.setdefault(key, val)  # the first of repeated fields wins, as in PHP forms
        return form
    raise unsupported_media(content_type, INTAKE_TYPES)


def validate_comment(raw: Mapping[str, Any], *, check_deliverability: bool) -> CommentIn:
    """Validate every field at once; raise a 422 listing each failing field."""
    errors: list[FieldError] = []

    def text(name: str, *, required: bool, limit: int, allow_newlines: bool = False) -> str:
        value = raw.get(name)
        if value is None or value == "":
            if required:
                errors.append(FieldError(name, "is required"))
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int):
            errors.append(FieldError(name, "must be a string"))
            return ""
        value = str(value)
        if not is_utf8(value):
            errors.append(FieldError(name, LONE_SURROGATE))
            return ""
        value = value.strip()
        if required and not value:
            errors.append(FieldError(name, "must not be blank"))
            return ""
        if len(value) > limit:
            errors.append(FieldError(name, f"must be at most {limit} characters"))
            return ""
        if _has_control(value, allow_newlines=allow_newlines):
            errors.append(FieldError(name, "must not contain control characters"))
            return ""
        return value

    name = text("author_name", required=True, limit=NAME_MAX)
    content = text("content", required=True, limit=CONTENT_MAX, allow_newlines=True)
    email_raw = text("author_email", required=True, limit=EMAIL_MAX)
    email = ""
    if email_raw:
        checked = _checked_email(email_raw, check_deliverability)
        if isinstance(checked, EmailNotValidError):
            errors.append(FieldError("author_email", str(checked)))
        else:
            email = checked
    external_id = text("id", required=False, limit=ID_MAX) or None

    extras: dict[str, str] = {}
    for url_field in ("author_url", "post_url", "referrer"):
        value = text(url_field, required=False, limit=URL_MAX)
        if value:
            problem = _url_problem(value)
            if problem:
                errors.append(FieldError(url_field, problem))
            else:
                extras[url_field] = value
    for plain in ("post_id", "parent_id"):
        value = text(plain, required=False, limit=ID_MAX)
        if value:
            extras[plain] = value
    agent = text("user_agent", required=False, limit=SHORT_MAX)
    if agent:
        extras["user_agent"] = agent
    ip = text("author_ip", required=False, limit=64)
    if ip:
        try:
            extras["author_ip"] = str(ipaddress.ip_address(ip))
        except ValueError:
            errors.append(FieldError("author_ip", "must be an IPv4 or IPv6 address"))
    submitted = text("submitted_at", required=False, limit=64)
    if submitted:
        try:
            datetime.fromisoformat(submitted)
            extras["submitted_at"] = submitted
        except ValueError:
            errors.append(FieldError("submitted_at", "must be an ISO 8601 date-time"))
    lang = text("lang", required=False, limit=35)
    if lang:
        if LANG_RE.match(lang):
            extras["lang"] = lang
        else:
            errors.append(FieldError("lang", "must be a language tag such as 'en' or 'pt-BR'"))

    if errors:
        raise invalid(errors)
    return CommentIn(
        author_name=name,
        author_email=email,
        content=content,
        external_id=external_id,
        extras=extras,
    )


def is_utf8(text: str) -> bool:
    """False for text JSON can carry but UTF-8 cannot ("\\ud800" escapes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# -- text a client sent, before it goes anywhere --------------------------------------
#
# A value is echoed into a problem detail, written to a log line or made part of a Redis
# key only once it is known to be text: a lone surrogate (JSON's "\ud800", or a header
# byte that is not UTF-8, which aiohttp decodes with surrogateescape) cannot be encoded
# at all, and a control character has no business in an id, an email or a header.  The
# messages below never quote the value.

CONTROL_CHARACTERS = "must not contain control characters"
HEADER_NOT_TEXT = "must be UTF-8 text (it holds a byte that is not)"


def text_problem(value: str, *, limit: int, allow_newlines: bool = False) -> str | None:
    """Why ``value`` is not acceptable text (too long, a lone surrogate, a control
    character), or None.  The length comes first: it is the cheapest check."""
    if len(value) > limit:
        return f"must be at most {limit} characters"
    return odd_text(value, allow_newlines=allow_newlines)


def odd_text(value: str, *, allow_newlines: bool = False) -> str | None:
    """Why ``value``, of any length, is not text (a lone surrogate, a control
    character), or None."""
    if not is_utf8(value):
        return LONE_SURROGATE
    if _has_control(value, allow_newlines=allow_newlines):
        return CONTROL_CHARACTERS
    return None


def text_field(
    value: Any,
    name: str,
    errors: list[FieldError],
    *,
    limit: int,
    required: bool = False,
    allow_newlines: bool = False,
) -> str | None:
    """``value`` if it is a string of acceptable text; otherwise None, with the reason
    added to ``errors`` under ``name`` (a missing or empty value only if ``required``)."""
    if value is None or value == "":
        if required:
            errors.append(FieldError(name, "is required"))
        return None
    if not isinstance(value, str):
        errors.append(FieldError(name, "must be a string"))
        return None
    problem = text_problem(value, limit=limit, allow_newlines=allow_newlines)
    if problem is not None:
        errors.append(FieldError(name, problem))
        return None
    return value


def header_text(headers: Mapping[str, str], name: str, *, limit: int = 2_048) -> str | None:
    """The request header ``name`` once it is known to be text (None if absent); a 400
    naming the header otherwise."""
    value = headers.get(name)
    if value is None:
        return None
    problem = text_problem(value, limit=limit)
    if problem is not None:
        message = HEADER_NOT_TEXT if problem == LONE_SURROGATE else problem
        raise bad_request(f"The {name} header {message}.", field=name)
    return value


def normalise_email(value: Any, errors: list[FieldError], field: str = "author_email") -> str:
    """An email as intake stores it (syntax checked, normalised, lower-cased), so that
    lookups by email find what intake indexed."""
    if not isinstance(value, str) or not value.strip():
        errors.append(FieldError(field, "is required"))
        return ""
    problem = text_problem(value, limit=EMAIL_MAX)
    if problem is not None:  # checked first: email-validator quotes what it refuses
        errors.append(FieldError(field, problem))
        return ""
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        errors.append(FieldError(field, str(exc)))
        return ""


@functools.lru_cache(maxsize=16384)
def _checked_email(raw: str, check_deliverability: bool) -> str | EmailNotValidError:
    """email-validator's verdict, remembered: readers comment again and again, and the
    check (IDNA, syntax, optionally DNS) costs more than the rest of validation."""
    try:
        return validate_email(raw, check_deliverability=check_deliverability).normalized.lower()
    except EmailNotValidError as exc:
        return exc


# Unicode's control characters (category Cc) are exactly C0, DEL and C1; one regex scan
# is ~10x faster than asking unicodedata about every character.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_NEWLINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _has_control(value: str, *, allow_newlines: bool) -> bool:
    pattern = _CONTROL_BUT_NEWLINES if allow_newlines else _CONTROL
    return pattern.search(value) is not None


def _url_problem(value: str) -> str | None:
    try:
        parts = urllib.parse.urlsplit(value)
    except ValueError:
        return "is not a valid URL"
    if parts.scheme.lower() not in ("http", "https"):
        return "must be an http or https URL"
    if not parts.hostname:
        return "must have a host name"
    if any(ch.isspace() for ch in value):
        return "must not contain spaces"
    return None


def check_content_type(header: str) -> str:
    """The bare media type of a Content-Type header, lower-cased; a JSON body in another
    charset than UTF-8 is refused rather than guessed at."""
    media, _, params = header.partition(";")
    media = media.strip().lower()
    charset = ""
    for param in params.split(";"):
        k, _, v = param.partition("=")
        if k.strip().lower() == "charset":
            charset = v.strip().strip('"').lower()
    if media == JSON_TYPE and charset not in ("", "utf-8", "utf8"):
        raise unsupported_media(header, INTAKE_TYPES)
    return media


__all__ = ["CommentIn", "Problem", "check_content_type", "parse_body", "validate_comment"]
