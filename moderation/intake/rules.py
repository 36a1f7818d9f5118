"""Decisions made before a human sees a comment: a site's block and allow lists (from its
config, then from the API), repeats and score thresholds, then its trusted list.  (Trusted
authors by an approved comment are checked inside the intake script, atomically with the
write, since "has an approved comment" is Redis state.)

The API's rules (``GET/POST/DELETE /v1/rules``) are compiled here into lookups, so that
each comment costs a few dictionary lookups per kind, whatever the number of rules:
emails, email domains and link domains by their host and its parents, IPs and CIDRs by one
masked lookup per prefix length in use, phrases by substring search of the folded text.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import unicodedata
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from moderation.config import SiteConfig
from moderation.core.records import ABUSE_RULE, Status
from moderation.core.text import odd_text
from moderation.intake.validation import CommentIn, normalise_email

RULE_VALUE_MAX = 200  # characters of a rule's value as given


class RuleList(StrEnum):
    BLOCK = "block"  # marked spam at once
    ALLOW = "allow"  # approved at once
    TRUSTED = "trusted"  # approved unless a spam rule (repeat, auto_spam_above) holds it


class RuleKind(StrEnum):
    EMAIL = "email"
    EMAIL_DOMAIN = "email_domain"
    IP = "ip"  # an address or a CIDR, IPv4 or IPv6
    LINK_DOMAIN = "link_domain"
    PHRASE = "phrase"


# ---------------------------------------------------------------------------------------
# One text per value: rules and comments are folded the same way


# a regex, not str.translate: translate looks every character up in a dict (~6 µs on a
# 320-character comment), the regex scans in C and usually finds nothing
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def folded(text: str) -> str:
    """``text`` as a reader sees it: width variants, invisible characters, case and
    spacing folded (the repeat check's fingerprint and phrase rules use this)."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).casefold()
    return " ".join(text.split())


_DOMAIN_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")


@functools.lru_cache(maxsize=8192)
def normal_domain(value: str) -> str | None:
    """A host name as rules compare them: lower case, IDNA (punycode) for non-ASCII
    names, no trailing dot; None unless it is a domain name of two labels or more (or
    one, for hosts: ``localhost`` may be linked but is never a rule's value)."""
    host = value.strip().lower().rstrip(".")
    if not host or len(host) > 253:
        return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if all(_DOMAIN_LABEL.fullmatch(label) for label in host.split(".")):
        return host
    return None


def _parents(host: str) -> list[str]:
    """``a.b.example`` → ``a.b.example``, ``b.example``, ``example``."""
    parts = host.split(".")
    return [".".join(parts[i:]) for i in range(len(parts))]


def normal_value(kind: RuleKind, value: str) -> str:
    """``value`` as the rule keeps and compares it; ValueError saying what is wrong."""
    problem = odd_text(value)
    if problem is not None:
        raise ValueError(problem)
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    if len(value) > RULE_VALUE_MAX:
        raise ValueError(f"must be at most {RULE_VALUE_MAX} characters")
    if kind == RuleKind.EMAIL:
        errors: list[Any] = []
        email = normalise_email(value, errors, "value")
        if errors:
            raise ValueError(errors[0].message)
        return email
    if kind in (RuleKind.EMAIL_DOMAIN, RuleKind.LINK_DOMAIN):
        domain = normal_domain(value.removeprefix("@"))
        if domain is None or "." not in domain:
            raise ValueError("must be a domain name such as spam.example (a leading @ is allowed)")
        return domain
    if kind == RuleKind.IP:
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ValueError("must be an IP address or a CIDR such as 198.51.100.0/24") from None
        if network.prefixlen == network.max_prefixlen:
            return str(network.network_address)
        return str(network)
    phrase = folded(value)
    if not phrase:
        raise ValueError("must have visible characters")
    return phrase


# ---------------------------------------------------------------------------------------
# Compiled rules


def label_of(rule: Mapping[str, Any]) -> str:
    """What a comment's record and history say decided it (``rule``)."""
    return f"{rule['list']} list: {rule['kind']} {rule['value']} ({rule['id']})"


@dataclass(slots=True)
class _Lookups:
    """One list's rules, by kind."""

    emails: dict[str, str] = field(default_factory=dict)
    email_domains: dict[str, str] = field(default_factory=dict)
    link_domains: dict[str, str] = field(default_factory=dict)
    # (IP version, prefix length) -> network address >> host bits -> label
    networks: dict[tuple[int, int], dict[int, str]] = field(default_factory=dict)
    phrases: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Seen:
    """What rules look at in one comment, each worked out at most once."""

    email: str
    email_domains: tuple[str, ...]
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None
    link_domains: tuple[str, ...]
    text: str


# a link in the text: a URL's host, or a www. name written without a scheme (the
# letters spelled out in both cases: IGNORECASE and \b made the scan twice as slow)
_LINK = re.compile(r"(?:[hH][tT][tT][pP][sS]?://|[wW][wW][wW]\.)([^\s/?#<>\"'\\)\]]+)")


def link_hosts(content: str, author_url: str) -> set[str]:
    """The hosts of the links in ``content`` and of ``author_url``, as normal domains."""
    hosts: set[str] = set()
    for match in _LINK.finditer(content):
        whole = match.group(0)
        raw = match.group(1).rpartition("@")[2].partition(":")[0]
        if whole[:4].lower() == "www.":
            raw = "www." + raw
        host = normal_domain(raw)
        if host is not None:
            hosts.add(host)
    if author_url:
        host = _url_host(author_url)
        if host is not None:
            hosts.add(host)
    return hosts


@functools.lru_cache(maxsize=8192)
def _url_host(url: str) -> str | None:
    """The host of an author's URL (remembered: authors comment again and again)."""
    try:
        return normal_domain(urllib.parse.urlsplit(url).hostname or "")
    except ValueError:
        return None


class CompiledRules:
    """A site's rules from the API as lookups; immutable once built, so intake reads one
    consistent set while a newer one is being compiled."""

    __slots__ = ("_lists", "count", "kinds", "version")

    def __init__(self, rules: Iterable[Mapping[str, Any]], version: int = 0) -> None:
        self.version = version
        self.count = 0
        kinds: set[RuleKind] = set()
        lists: dict[RuleList, _Lookups] = {}
        for rule in rules:
            try:
                which, kind = RuleList(rule["list"]), RuleKind(rule["kind"])
                value = str(rule["value"])
            except (KeyError, ValueError):
                continue  # not a rule this version knows: skipped, never a 500
            found = lists.setdefault(which, _Lookups())
            label = label_of(rule)
            if kind == RuleKind.EMAIL:
                found.emails.setdefault(value, label)
            elif kind == RuleKind.EMAIL_DOMAIN:
                found.email_domains.setdefault(value, label)
            elif kind == RuleKind.LINK_DOMAIN:
                found.link_domains.setdefault(value, label)
            elif kind == RuleKind.PHRASE:
                found.phrases.setdefault(value, label)
            else:
                try:
                    net = ipaddress.ip_network(value, strict=False)
                except ValueError:
                    continue
                shift = net.max_prefixlen - net.prefixlen
                group = found.networks.setdefault((net.version, net.prefixlen), {})
                group.setdefault(int(net.network_address) >> shift, label)
            kinds.add(kind)
            self.count += 1
        # block first, then allow, then trusted: the first list that matches decides
        self._lists = [(w, lists[w]) for w in RuleList if w in lists]
        self.kinds = frozenset(kinds)

    def _seen(self, comment: CommentIn) -> _Seen:
        kinds = self.kinds
        email = comment.author_email
        domains: tuple[str, ...] = ()
        if RuleKind.EMAIL_DOMAIN in kinds and "@" in email:
            domains = tuple(_parents(email.rpartition("@")[2]))
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None = None
        raw_ip = comment.get("author_ip")
        if RuleKind.IP in kinds and raw_ip:
            try:
                ip = ipaddress.ip_address(raw_ip)
            except ValueError:
                ip = None
            if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
                ip = ip.ipv4_mapped
        links: tuple[str, ...] = ()
        if RuleKind.LINK_DOMAIN in kinds:
            hosts = link_hosts(comment.content, comment.get("author_url"))
            links = tuple({p for host in hosts for p in _parents(host)})
        text = folded(comment.content) if RuleKind.PHRASE in kinds else ""
        return _Seen(email, domains, ip, links, text)

    def match(self, comment: CommentIn) -> tuple[RuleList, str] | None:
        """The first list with a rule that matches ``comment``, and that rule's label."""
        if not self._lists:
            return None
        seen = self._seen(comment)
        for which, found in self._lists:
            label = _first(found, seen)
            if label is not None:
                return which, label
        return None


def _first(found: _Lookups, seen: _Seen) -> str | None:
    if found.emails and seen.email in found.emails:
        return found.emails[seen.email]
    if found.email_domains:
        for domain in seen.email_domains:
            if domain in found.email_domains:
                return found.email_domains[domain]
    if found.networks and seen.ip is not None:
        ip, number = seen.ip, int(seen.ip)
        for (version, prefix), group in found.networks.items():
            if version == ip.version:
                label = group.get(number >> (ip.max_prefixlen - prefix))
                if label is not None:
                    return label
    if found.link_domains:
        for domain in seen.link_domains:
            if domain in found.link_domains:
                return found.link_domains[domain]
    if found.phrases and seen.text:
        text = seen.text
        for phrase, label in found.phrases.items():
            if phrase in text:
                return label
    return None


NO_RULES = CompiledRules(())


# ---------------------------------------------------------------------------------------
# The config's lists


def _matches(entry: str, email: str, ip: str) -> bool:
    if entry.startswith("@"):
        return email.endswith(entry)
    if "@" in entry:
        return email == entry
    return bool(ip) and ip == entry


def config_rule(entry: str) -> tuple[RuleKind, str]:
    """The kind and value a config list's entry is listed as."""
    if entry.startswith("@"):
        return RuleKind.EMAIL_DOMAIN, entry[1:]
    if "@" in entry:
        return RuleKind.EMAIL, entry
    return RuleKind.IP, entry


def abuse_holds(site: SiteConfig, abuse: float | None) -> bool:
    """Whether the abuse score keeps the comment from any automatic approval
    (``hold_abuse_above``); a model without an abuse head (None) holds nothing."""
    hold = site.hold_abuse_above
    return hold is not None and abuse is not None and abuse >= hold


def automatic_status(
    site: SiteConfig,
    comment: CommentIn,
    score: float,
    *,
    abuse: float | None = None,
    repeat_of: str | None = None,
    listed: tuple[RuleList, str] | None = None,
) -> tuple[Status, str | None]:
    """The status a comment gets on arrival and the rule that set it (None: no rule).
    ``abuse``: the abuse score (None: the model has no abuse head).  ``listed``: the
    API's rules' match (``CompiledRules.match``), worked out once.

    One function, each abuse check one comparison where it applies: this runs twice
    per comment on the intake path (as it is, and as a repeat would be)."""
    email, ip = comment.author_email, comment.get("author_ip")
    for entry in site.block:
        if _matches(entry, email, ip):
            return Status.SPAM, f"block list: {entry}"
    if listed is not None and listed[0] == RuleList.BLOCK:
        return Status.SPAM, listed[1]
    held = False
    if abuse is not None:
        # A block rule says more (the author, not this text) and files it as spam; past
        # that, an abusive text is rejected before any rule could approve it.
        reject, hold = site.reject_abuse_above, site.hold_abuse_above
        if reject is not None and abuse >= reject:
            return Status.REJECTED, ABUSE_RULE
        held = hold is not None and abuse >= hold
    for entry in site.allow:
        if _matches(entry, email, ip):
            return (Status.PENDING, None) if held else (Status.APPROVED, f"allow list: {entry}")
    if listed is not None and listed[0] == RuleList.ALLOW:
        return (Status.PENDING, None) if held else (Status.APPROVED, listed[1])
    if repeat_of is not None and site.auto_spam_duplicates:
        return Status.SPAM, f"repeat of {repeat_of} (auto_spam_duplicates)"
    if site.auto_spam_above is not None and score >= site.auto_spam_above:
        return Status.SPAM, f"spam score {score:.3f} >= auto_spam_above {site.auto_spam_above}"
    if listed is not None and listed[0] == RuleList.TRUSTED:
        return (Status.PENDING, None) if held else (Status.APPROVED, listed[1])
    if site.auto_approve_below is not None and score < site.auto_approve_below and not held:
        return (
            Status.APPROVED,
            f"spam score {score:.3f} < auto_approve_below {site.auto_approve_below}",
        )
    return Status.PENDING, None
