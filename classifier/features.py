"""Normalisation of comments, and the pieces of the scikit-learn featuriser.

A comment becomes an :class:`Analysis` (:class:`CommentAnalyser`, the pipeline's first
step): its words after normalisation (HTML, invisible characters, homoglyphs, leetspeak,
spaced-out letters and links undone) and its meta features.  Three HashingVectorizers then
hash three blocks of named tokens (see ``classifier.pipeline``); every token has a name
a moderator can read, because the reasons shown next to a score are built from them.

Tokens of the word block:

* ``w:`` a word of the normalised text            -> "word 'subscribe'"
* ``b:`` two consecutive words                    -> "phrase 'check out'"
* ``p:`` a word prefix (helps on unseen inflections, and weakly on typos): never shown

The sub-word block hashes the character 3-5-grams of each word (never shown).  Meta
features, the third block:

* ``d``  the domain of a link in the text         -> "link to bit.ly"
* ``t``  the top-level domain of a link           -> "link to a .ru site"
* ``n``  a word of the author's name              -> "name 'casino'"
* ``e``  the author's email domain                -> "email at mailinator.com"
* ``u``  the domain of the author's website       -> "author site example.com"
* ``s``  a structural signal with a readable name -> "3 links", "name contains a URL";
  ``s:g_<group>`` is a phrase group (see :func:`phrase_groups`) -> "promotes the author's
  own channel or site"

The normalisation is plain Python tuned for speed: it runs inside a webhook.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import Tags, murmurhash3_32

from classifier.types import Comment

# Characters that render as nothing.  Spammers put them inside words ("vi\u200bagra") and the
# YouTube export appends U+FEFF to almost every comment; either way they are deleted before
# anything else looks at the text.  U+FEFF is deliberately *not* counted as an obfuscation
# signal (it is an artefact of exports, not of spammers).
_INVISIBLE = "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
_INVISIBLE += "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068"
_INVISIBLE += "\u2069\u206a\u206b\u206c\u206d\u206e\u206f\u3164\uffa0"
_INVISIBLE_RE = re.compile("[" + _INVISIBLE + "]")
_INVISIBLE_OR_BOM_RE = re.compile("[" + _INVISIBLE + "\ufeff]")

_TAG_RE = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]{0,500}>")
_HREF_RE = re.compile(r"""href\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)

# Top-level domains that are accepted for bare "example.com" mentions without a scheme.  A
# closed list keeps "end.of sentence" and "e.g" from becoming links.
_BARE_TLDS = (
    "com|net|org|info|biz|io|co|ly|me|tv|us|uk|ru|de|fr|es|it|nl|pl|br|in|cn|jp|xyz|top|club|"
    "online|site|shop|store|live|link|click|win|vip|loan|bet|casino|app|gl|gd|to|cc|ws|su|tk|"
    "ml|ga|cf|gq|pw|eu|ca|au|fm|be|ch|se|no|dk|fi|pt|gr|tr|ua|kz|vn|id|ph|mx|ar|example"
)
_URL_RE = re.compile(
    r"(?:https?://|hxxps?://|www\.)[^\s<>\"'()\[\]{}]+"
    r"|\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:" + _BARE_TLDS + r")\b(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)
# The same, for text that is already case-folded (IGNORECASE makes every step slower).
_LINK_RE = re.compile(_URL_RE.pattern)
# A quick test that a bare "name.tld" may be present, before the full (slow) link regex.
# Patterns on the hot path start with a character class where possible, and put their
# context into look-behinds: the regex engine then skips ahead with a fast class scan
# instead of trying every position (3-6x faster on comment-sized text).
_BARE_DOMAIN_HINT_RE = re.compile(r"\.(?<=[a-z0-9]\.)(?:" + _BARE_TLDS + r")\b")
# "example dot com", "example [dot] com", "example (.) com"
_DOT_WORD_RE = re.compile(
    r"\s*(?:\[\s*(?:dot|\.)\s*\]|\(\s*(?:dot|\.)\s*\)|\{\s*(?:dot|\.)\s*\}|\s+dot\s+)\s*(?=(?:"
    + _BARE_TLDS
    + r")\b)",
    re.IGNORECASE,
)
_DOT_HINT_RE = re.compile(r"[\[({\s](?:(?<=[\[({])\s*(?:dot|\.)\s*[\])}]|(?<=\s)dot\s)")
# "h t t p s : / /" written out to dodge link filters.
_SPACED_SCHEME_RE = re.compile(r"h[\s.]+t[\s.]+t[\s.]+p[\s.]*(s?)[\s.]*:[\s.]*/[\s.]*/\s*")
_EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# An address needs a name character before the "@" and a dotted domain after it.
_EMAIL_HINT_RE = re.compile(r"@(?<=[\w.+-]@)[\w-]+\.[\w-]")
_PHONE_RE = re.compile(r"[+\d](?<!\w[+\d])(?:(?<=\+)\d|(?<=\d))[\d\s().-]{7,}\d(?!\w)")
_MONEY_RE = re.compile(
    r"[$€£¥₹₽\d](?:(?<=[$€£¥₹₽])\s?\d|(?<=\d)\s?[$€£¥₹₽]"
    r"|(?<=\d)(?<!\w\d)\d*\s?(?:usd|eur|dollars?|bucks)\b)"
)
# Four or more single letters separated by the same kind of filler: "V i a g r a",
# "v.i.a.g.r.a", "f-r-e-e".  Joined back into one word before tokenising.
_SPACED_RE = re.compile(r"(?<!\w)(?:\w[ .\-_*|/]{1,3}){3,}\w(?!\w)")
_SPACED_HINT_RE = re.compile(r"[ .\-_*|/]\w[ .\-_*|/]{1,3}\w[ .\-_*|/]")
_SPACED_SPLIT_RE = re.compile(r"[ .\-_*|/]+")
_WORD_RE = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)?")
_DIGIT_RE = re.compile(r"\d")

_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
_NOT_LEET_RE = re.compile(r"\d+[a-z]{1,3}|[a-z]{1,3}\d")
# "c@sh", "e$say", "v1agr@": a symbol right after a letter or digit stands for a letter.
_SYMBOL_LEET_RE = re.compile(r"[@$](?<=[a-z0-9][@$])")

# Link shorteners hide where a link goes: a known signal on its own.
SHORTENERS = frozenset(
    "bit.ly goo.gl tinyurl.com t.co ow.ly is.gd buff.ly adf.ly shorte.st bit.do cutt.ly "
    "rb.gy rebrand.ly tiny.cc t.ly shorturl.at v.gd s.id lnkd.in db.tt qr.ae x.co".split()
)
# Throwaway-mail services.
DISPOSABLE_EMAIL = frozenset(
    "mailinator.com guerrillamail.com 10minutemail.com yopmail.com trashmail.com "
    "sharklasers.com getnada.com temp-mail.org tempmail.com dispostable.com maildrop.cc "
    "throwawaymail.com fakeinbox.com mintemail.com spamgourmet.com".split()
)
# Second-level labels under which domains are registered ("example.co.uk").
_SECOND_LEVEL = frozenset("co com net org ac gov edu ne or".split())

# Scripts that homoglyph attacks mix with Latin.
# Full-width ASCII, mathematical bold/italic/script letters, circled letters: NFKC folds
# them, and their presence is itself a signal.
_STYLED_RE = re.compile("[\uff01-\uff5e\U0001d400-\U0001d7ff\u24b6-\u24e9]")


@dataclass(frozen=True, slots=True)
class Analysis:
    """One comment after normalisation: what the featuriser's blocks hash."""

    words: list[str]  # the normalised words, in order, repeats kept (pairs need them)
    meta: dict[str, float]  # links, author, structure, phrase groups: name -> 1.0 (present)

    def text_only(self) -> Analysis:
        """The same words without the meta features (see ``fit_pipeline``)."""
        return Analysis(self.words, {})


def strip_invisible(text: str) -> str:
    """Delete zero-width, bidi-control and BOM characters."""
    # One regex pass: str.translate with a dict looks every character up in Python (~4 us
    # for a comment); the regex is a C scan, and returns the string itself when clean.
    return _INVISIBLE_OR_BOM_RE.sub("", text)


def registered_domain(host: str) -> str:
    """``www.shop.example.co.uk`` -> ``example.co.uk`` (no public-suffix list, a heuristic)."""
    host = host.strip(".").lower()
    if not host.isascii():
        # A lone surrogate cannot be hashed (FeatureHasher encodes tokens as strict UTF-8).
        host = host.encode("utf-8", "replace").decode("utf-8")
    if host.startswith("www."):
        host = host[4:]
    labels = host.split(".")
    if len(labels) <= 2:
        return host
    if labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


_HOST_END_RE = re.compile(r"[/?#\\]")
# Memoised: domains are Zipfian (a few shorteners, mail providers and shops recur).
_domain = lru_cache(maxsize=8192)(registered_domain)


@lru_cache(maxsize=4096)
def _post_domain(post_url: str) -> str:
    # Cached: a site's comments arrive on a few posts at a time.
    return registered_domain(url_host(post_url))


def url_host(url: str) -> str:
    """The host of a URL written with or without a scheme, lower-case, no port or userinfo."""
    rest = url.split("://", 1)[1] if "://" in url else url
    host = _HOST_END_RE.split(rest, maxsplit=1)[0]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0]
    return host.strip(".").lower()


def normalise(text: str) -> tuple[str, list[str], dict[str, float]]:
    """Normalise comment text.

    Returns the normalised text (links removed), the hosts of the links it contained, and
    obfuscation signals found on the way (as meta features).
    """
    signals: dict[str, float] = {}
    if "&" in text:
        # Twice: double-escaped text ("&amp;lt;") is common in scraped comments.
        text = html.unescape(html.unescape(text))
    hosts: list[str] = []
    if "<" in text:
        for url in _HREF_RE.findall(text):
            hosts.append(url_host(url))
            _link_shape(url.casefold(), signals)
        text = _TAG_RE.sub(" ", text)
    if not text.isascii():
        if _INVISIBLE_OR_BOM_RE.search(text):
            if _INVISIBLE_RE.search(text):
                signals["s:invisible"] = 1.0
            text = strip_invisible(text)
        if not unicodedata.is_normalized("NFKC", text):
            if _STYLED_RE.search(text):
                signals["s:styled"] = 1.0
            text = unicodedata.normalize("NFKC", text)
        text = _fold_homoglyphs(text, signals)
    text = text.casefold()
    # Cheap substring tests first: most comments have none of these, and the regexes below
    # cost microseconds each, which add up at tens of thousands of comments a second.
    if ("dot" in text or "[" in text or "(" in text or "{" in text) and _DOT_HINT_RE.search(text):
        text = _DOT_WORD_RE.sub(".", text)
    if "h t" in text or "h.t" in text:
        text = _SPACED_SCHEME_RE.sub(r"http\1://", text)
    if "://" in text or "www." in text or ("." in text and _BARE_DOMAIN_HINT_RE.search(text)):
        text = _take_links(text, hosts, signals)
    if "@" in text and _EMAIL_HINT_RE.search(text):
        signals["s:email_in_text"] = 1.0
        text = _EMAIL_RE.sub(" ", text)
    # The full spaced-letters pattern is tried only where two single characters stand
    # between separators, which every spaced run of four or more has (a C scan, ~1 us).
    if _SPACED_HINT_RE.search(text):
        joined = _SPACED_RE.sub(_join_spaced, text)
        if joined != text:
            signals["s:spaced"] = 1.0
            text = joined
    return text, hosts, signals


def _take_links(text: str, hosts: list[str], signals: dict[str, float]) -> str:
    """Replace every link in (case-folded) text by a space, appending its host to ``hosts``
    (and the shape of its path to ``signals``: see :func:`_link_shape`).

    A link never spans whitespace, so the link pattern runs only on the whitespace-separated
    chunks that could hold one (a dot or "://"): the same matches, at a third of the cost of
    running it over the whole text.  The text comes back joined with single spaces.
    """
    parts = text.split()
    changed = False
    for pos, part in enumerate(parts):
        # A link has a character after its first dot ("www." or "name." before the TLD) or
        # a "://": a chunk whose only dot ends it, a sentence's last word, is not searched.
        # (Operators, not str.find: a method call with arguments costs more than the
        # search it saves, on every chunk.)
        if "." in part:
            if part[-1] == "." and "." not in part[:-1] and "://" not in part:
                continue
        elif "://" not in part:
            continue
        found = _LINK_RE.findall(part)
        if found:
            for link in found:
                host = url_host(link)
                if host:
                    hosts.append(host)
                _link_shape(link, signals)
            parts[pos] = _LINK_RE.sub(" ", part)
            changed = True
    return " ".join(parts) if changed else text


# A link whose path names an article: a dated path (/2017/05/) or a slug of four or more
# words ("state-education-board-on-wrong-track").  Readers who cite the news link to such
# pages; comment spam links to a landing page, a profile or a referral code.  A shape, not
# a list of news sites, so it carries over to sites no training data had.
_ARTICLE_PATH_RE = re.compile(r"/(?:(?:19|20)\d\d/[01]?\d/|[^\W_]+(?:[-_][^\W_]+){3,})")
# A link to an image or a document (a photo, a chart, a report): what readers cite.
_FILE_PATH_RE = re.compile(r"\.(?:jpe?g|png|gif|webp|pdf)(?:$|[?#:])")
# A referral or affiliate code in the query: the sender earns from the click.
_REFERRAL_RE = re.compile(
    r"[?&](?:ref|r|aff|aff_id|affiliate|referral|referrer|refid|invite|code|campid|rb|tag|"
    r"promo|promocode|coupon)="
)
# A link to one named page of a site ("twitch.tv/someone", "tsu.co/someone"): a profile, a
# channel or a landing page, what comment spam links to.
_PROFILE_PATH_RE = re.compile(r"^(?:[a-z]+://)?[^/\s]+/[^\W_][\w.+-]*/?$")


def _link_shape(link: str, signals: dict[str, float]) -> None:
    """Add the shape of a (case-folded) link's path to ``signals``: an article, an image or
    document, a referral code, a single named page."""
    rest = link.partition("://")[2] if "://" in link else link
    slash = rest.find("/")
    # Each shape needs a path or a query: a bare host (many spam links) has neither, and
    # the searches are skipped.  The article pattern sees the path only, so that a
    # hyphenated host ("//hot-singles-near-you.xyz") is not taken for an article's slug.
    if slash < 0 and "?" not in rest:
        return
    if slash >= 0 and _ARTICLE_PATH_RE.search(rest, slash):
        signals["s:link_article"] = 1.0
    if "=" in link and _REFERRAL_RE.search(link):
        signals["s:link_referral"] = 1.0
    if _FILE_PATH_RE.search(link):
        signals["s:link_file"] = 1.0
    elif _PROFILE_PATH_RE.match(link):
        signals["s:link_profile"] = 1.0


def _join_spaced(match: re.Match[str]) -> str:
    parts = _SPACED_SPLIT_RE.split(match.group(0))
    # Only a run of single characters is an obfuscated word; "I am a" is not.
    if all(len(p) == 1 for p in parts) and len(parts) >= 4:
        return "".join(parts)
    return match.group(0)


def _fold_homoglyphs(text: str, signals: dict[str, float]) -> str:
    """Map Cyrillic/Greek look-alikes to Latin inside words that mix scripts.

    Russian or Greek comments are left alone: only a word that mixes Latin letters with
    look-alikes ("v\\u0456agra", with a Cyrillic i) is folded, and flagged.
    """
    # A mixed word has a Latin letter right next to a look-alike.  Such pairs are found
    # with one quick scan, and only the words around them are folded: a pattern matching
    # whole mixed words backtracks over every word of the text (~50 us for 300 characters
    # of Russian or accented text).
    pieces: list[str] = []
    done = 0  # text before this is copied or folded
    for match in _MIXED_PAIR_RE.finditer(text):
        start = match.start()
        if start < done:
            continue  # in a word already folded
        # The word is the maximal run of word characters (as regex \w) around the pair.
        while start > done and (text[start - 1].isalnum() or text[start - 1] == "_"):
            start -= 1
        rest = _WORD_CHARS_RE.match(text, match.start())  # always matches (maybe empty)
        end = rest.end() if rest else match.end()
        pieces.append(text[done:start])
        pieces.append(text[start:end].translate(_HOMOGLYPH_TABLE))
        done = end
    if not pieces:
        return text
    signals["s:mixed_scripts"] = 1.0
    pieces.append(text[done:])
    return "".join(pieces)


# Cyrillic and Greek letters that look like Latin ones, as (look-alike, Latin) pairs.  Written
# as escapes so the source itself contains no confusable characters.
_HOMOGLYPH_PAIRS = (
    "\u0430a\u0432b\u0435e\u0451e\u043ak\u043cm\u043dh\u043eo\u0440p\u0441c\u0442t\u0443y"
    "\u0445x\u0456i\u0458j\u0455s\u04bbh\u0501d\u051bq\u051dw\u03b1a\u03b2b\u03b5e\u03b7n"
    "\u03b9i\u03bak\u03bdv\u03bfo\u03c1p\u03c4t\u03c5u\u03c7x\u03c9w"
)
_HOMOGLYPHS = {
    _HOMOGLYPH_PAIRS[i]: _HOMOGLYPH_PAIRS[i + 1] for i in range(0, len(_HOMOGLYPH_PAIRS), 2)
}
_HOMOGLYPH_TABLE = str.maketrans(
    {**_HOMOGLYPHS, **{k.upper(): v.upper() for k, v in _HOMOGLYPHS.items()}}
)
_MIXED_PAIR_RE = re.compile("[\u0370-\u03ff\u0400-\u052f](?:(?<=[a-zA-Z].)|(?=[a-zA-Z]))")
_WORD_CHARS_RE = re.compile(r"\w*")


def _deleet(words: list[str], signals: dict[str, float]) -> list[str]:
    """'fr33' -> 'free', 'v1agra' -> 'viagra', for words mixing letters and digits.

    Numbers with a unit ("100mg", "2nd") or a short code ("mp3", "b4") are left alone.
    Returns ``words`` itself when nothing changes.
    """
    # Only a run of letters and digits that is not all letters can fold: the distinct
    # words are checked with str.isalpha (C), and only the few others are tried.  (A regex
    # scan of the text for runs with a leet digit cost ~11 us on 320 characters, this ~2.)
    # A run is a word, or a part of one that an apostrophe joins ("r0ck'n").
    folded = {}
    for word in set(words):
        if word.isalpha():
            continue
        runs = _APOSTROPHE_RE.split(word) if "'" in word or "\u2019" in word else (word,)
        for run in runs:
            fold = _leet_fold(run)
            if fold is not None:
                folded[run] = fold
    if not folded:
        return words
    # A run is a whole word unless an apostrophe joins it to another ("r0ck'n"): words
    # change only where one equals a folded run.
    changed = list(map(folded.get, words, words))
    if changed != words:
        signals["s:leet"] = 1.0
    return changed


def _leet_fold(word: str) -> str | None:
    """The word with digits read as letters, or None if it is not such a word."""
    if word.isalpha() or word.isdigit() or _NOT_LEET_RE.fullmatch(word):
        return None
    folded = word.translate(_LEET)
    return folded if folded.isalpha() else None


# A maximal run of letters and digits holding a digit that may stand for a letter.
_APOSTROPHE_RE = re.compile("['\u2019]")
# A letter next to a digit: only then can a word mix them (most digits are plain numbers).
_LETTER_DIGIT_RE = re.compile(r"\d(?:(?<=[^\W\d_]\d)|(?=[^\W\d_]))")
_THREE_DIGITS_RE = re.compile(r"(?:\D*\d){3}")
_FOUR_DIGITS_RE = re.compile(r"(?:\D*\d){4}")


def _link_features(hosts: Sequence[str], post_host: str, meta: dict[str, float]) -> None:
    n = len(hosts)
    if n == 0:
        return
    meta["s:links=" + (str(n) if n < 3 else "3+")] = 1.0
    for host in hosts:
        domain = _domain(host)
        if not domain:
            continue
        meta["d:" + domain] = 1.0
        meta["t:" + domain.rsplit(".", 1)[-1]] = 1.0
        if domain in SHORTENERS:
            meta["s:shortener"] = 1.0
        if post_host and domain == post_host:
            meta["s:link_same_site"] = 1.0
        else:
            meta["s:link_other_site"] = 1.0


def analyse(comment: Comment, *, phrase_groups: bool = True) -> Analysis:
    """Normalise one comment into its words and meta features (with its phrase groups)."""
    words, meta = words_and_meta(comment)
    if phrase_groups:
        add_phrase_groups(words, meta)
    return Analysis(words, meta)


def words_and_meta(comment: Comment) -> tuple[list[str], dict[str, float]]:
    """The words of the normalised text (de-leeted, in order) and the meta features."""
    raw = comment.content
    text, hosts, meta = normalise(raw)
    if hosts:
        post_host = _post_domain(comment.post_url) if comment.post_url else ""
        _link_features(hosts, post_host, meta)

    has_digit = _DIGIT_RE.search(text) is not None
    if has_digit:
        if _PHONE_RE.search(text):
            meta["s:phone"] = 1.0
        if _MONEY_RE.search(text):
            meta["s:money"] = 1.0
    if ("@" in text or "$" in text) and _SYMBOL_LEET_RE.search(text):
        text = _SYMBOL_LEET_RE.sub(lambda m: "a" if m.group(0) == "@" else "s", text)
        meta["s:leet"] = 1.0
    if "!!" in text or "??" in text:
        meta["s:shouting_punct"] = 1.0
    if len(raw) >= 12 and raw.isupper():
        meta["s:caps"] = 1.0

    words = _WORD_RE.findall(text)
    if has_digit and _LETTER_DIGIT_RE.search(text):
        words = _deleet(words, meta)
    n_words = len(words)
    if not n_words:
        # Two features, not one: a bare link is nearly always spam, a row of emoji nearly
        # always a fan, and with one shared feature a site's model learnt from its bare
        # links to hold the hearts (bench/RESULTS.md, per-site learning).
        meta["s:only_links" if hosts else "s:no_words"] = 1.0
    length = _length_bin(n_words)
    meta["s:len=" + length] = 1.0
    if hosts and length == "long":
        # A link inside a long comment: readers cite their sources in an argument; comment
        # spam is a short message around its link.
        meta["s:link_in_long"] = 1.0
    if comment.author_name or comment.author_email or comment.author_url:
        _author_features(comment, meta)
    return words, meta


def _length_bin(n_words: int) -> str:
    if n_words <= 2:
        return "tiny"
    if n_words <= 8:
        return "short"
    if n_words <= 40:
        return "medium"
    return "long"


def _author_features(comment: Comment, meta: dict[str, float]) -> None:
    # Memoised per field value: regular commenters send the same name, email and website
    # with every comment, and the analysis of each field depends on that field alone.
    name, email, url = comment.author_name, comment.author_email, comment.author_url
    for value, memo, analyse_field in (
        (name, _NAME_MEMO, _name_features),
        (email, _EMAIL_MEMO, _email_features),
        (url, _URL_MEMO, _url_features),
    ):
        if value:
            keys = memo.get(value)
            if keys is None:
                if len(memo) >= _FIELD_MEMO_LIMIT:
                    memo.clear()
                keys = memo[value] = analyse_field(value)
            meta.update(dict.fromkeys(keys, 1.0))


_FIELD_MEMO_LIMIT = 50_000
# Bound of the per-word memo tables (here and in SpamModel): cleared when full, which costs
# one slow batch, never memory.
_CACHE_LIMIT = 200_000
_NAME_MEMO: dict[str, tuple[str, ...]] = {}
_EMAIL_MEMO: dict[str, tuple[str, ...]] = {}
_URL_MEMO: dict[str, tuple[str, ...]] = {}


def _name_features(name: str) -> tuple[str, ...]:
    if not name.isascii():
        name = unicodedata.normalize("NFKC", strip_invisible(name))
    name = name.casefold()
    keys: dict[str, None] = {}
    if "." in name and _URL_RE.search(name):
        keys["s:name_url"] = None
    keys.update(dict.fromkeys(["n:" + word for word in _WORD_RE.findall(name)]))
    if _THREE_DIGITS_RE.match(name):
        keys["s:name_digits"] = None
    return tuple(keys)


def _email_features(email: str) -> tuple[str, ...]:
    if "@" not in email:
        return ()
    local, _, host = email.strip().lower().rpartition("@")
    domain = _domain(host)
    keys = ["e:" + domain]
    if domain in DISPOSABLE_EMAIL:
        keys.append("s:disposable_email")
    if _FOUR_DIGITS_RE.match(local):
        keys.append("s:email_digits")
    return tuple(keys)


def _url_features(url: str) -> tuple[str, ...]:
    url = url.strip()
    if not url:
        return ()
    host = url_host(url)
    domain = _domain(host) if host else ""
    keys = ["s:author_url"]
    if domain:
        keys.append("u:" + domain)
        if domain in SHORTENERS:
            keys.append("s:author_shortener")
    return tuple(keys)


_MEMO_GENERATION = [0]


def memo_generation() -> int:
    """Changes whenever :func:`clear_memos` runs (models drop their own memos then)."""
    return _MEMO_GENERATION[0]


def clear_memos() -> None:
    """Forget every memoised result (for benchmarks of never-seen input)."""
    _MEMO_GENERATION[0] += 1
    for memo in (_NAME_MEMO, _EMAIL_MEMO, _URL_MEMO):
        memo.clear()
    _META_PHRASES.clear()
    _WORD_GROUPS.clear()
    _domain.cache_clear()
    _post_domain.cache_clear()


# Phrase groups ---------------------------------------------------------------------------------
# A comment gets "s:g_<group>" when any of its words, or two consecutive words, belongs to a
# group.  Spammers vary the words ("check out my channel", "visit my page", "look at my
# videos"), and each variant alone is too rare to learn a weight from; the group is seen
# often enough, and carries over to the variants training never saw.  The lists are generic
# comment-spam signals (self-promotion, calls to action, subscribe- and follow-begging,
# money offers, begging, engagement bait), not the wording of any one site; they are in
# English, so comments in other languages simply have none.  A group says only that such
# words occur: how much it counts is learnt, like every other feature.
# Added for issue 25 from the spam the default missed on an unseen video (games,
# raps, e-books, "our newest song", "share your thoughts", "look at my...", PayPal and
# bitcoin begging): leave one rotation out, ROC-AUC 0.973 -> 0.977.  "like this" was tried
# and left out: it is also every reader's "I like this song" (ROC-AUC fell to 0.971).
_SELF_PROMO_NOUNS = (
    "channel vid vids video videos music song songs album mixtape cover covers page blog "
    "site website podcast shop store profile account stuff playlist track tracks "
    "game games gaming rap raps remix remixes app book ebook art movie band"
)
_PAIR_GROUPS: dict[tuple[str, str], str] = {
    **{("my", noun): "s:g_self_promo" for noun in _SELF_PROMO_NOUNS.split()},
    **{("our", noun): "s:g_self_promo" for noun in _SELF_PROMO_NOUNS.split()},
    ("new", "youtuber"): "s:g_self_promo",
    ("a", "cover"): "s:g_self_promo",
    ("share", "your"): "s:g_engagement",
    ("look", "at"): "s:g_call_to_action",
    ("check", "out"): "s:g_call_to_action",
    ("check", "my"): "s:g_call_to_action",
    ("check", "this"): "s:g_call_to_action",
    ("go", "to"): "s:g_call_to_action",
    ("watch", "my"): "s:g_call_to_action",
    ("see", "my"): "s:g_call_to_action",
    ("sub", "me"): "s:g_subscribe",
    ("sub", "to"): "s:g_subscribe",
    ("follow", "me"): "s:g_follow",
    ("follow", "us"): "s:g_follow",
    ("follow", "my"): "s:g_follow",
    ("gift", "card"): "s:g_money",
    ("gift", "cards"): "s:g_money",
    ("thumbs", "up"): "s:g_engagement",
    ("a", "like"): "s:g_engagement",
    ("please", "like"): "s:g_engagement",
    ("pls", "like"): "s:g_engagement",
    ("plz", "like"): "s:g_engagement",
    ("share", "this"): "s:g_engagement",
    ("this", "comment"): "s:g_engagement",
}
_GROUP_WORDS = {
    "s:g_subscribe": "subscribe subscribed subscriber subscribers subscribing sub4sub subs "
    "subbed suscribe subcribe subscibe",
    "s:g_call_to_action": "checkout visit click search download join",
    "s:g_follow": "instagram insta twitter facebook soundcloud tiktok snapchat askfm",
    "s:g_money": "money earn earning earnings cash free prize prizes income win giftcard giveaway "
    "paypal bitcoin bitcoins giftcards dollars rewards",
    "s:g_begging": "please pls plz plez plss",
}
_WORD_GROUP = {word: group for group, words in _GROUP_WORDS.items() for word in words.split()}
# Misspelt and inflected "subscribe" ("subscribeee", "suscribete"), by the first six letters.
_GROUP_PREFIXES = {"subscr": "s:g_subscribe", "suscri": "s:g_subscribe", "subcri": "s:g_subscribe"}
# ... but a subscription to a newspaper is no request to subscribe.
_NOT_GROUP_PREFIX = ("subscript",)


def word_group(word: str) -> str:
    """The phrase group of one word on its own ("s:g_<group>"), or "" for none."""
    group = _WORD_GROUP.get(word)
    if group is not None:
        return group
    if word.startswith(_NOT_GROUP_PREFIX):
        return ""
    return _GROUP_PREFIXES.get(word[:6], "")


# Groups are found for a whole batch at once with numpy.  Each word is memoised as one small
# int: its own group's index, the index of the word as the first of a pair in the table
# below, and as the second.  A pair's group is then one look-up in that table for all the
# batch's consecutive words.  Building a tuple per word pair and looking it up in a dict
# cost ~3.5 us a comment (20 words); this ~1.3 us, and ~0.4 us in SpamModel.score_batch,
# which keeps the codes in its word table instead of looking the words up again.
GROUP_NAMES = ("", *_GROUP_WORDS, "s:g_self_promo", "s:g_engagement")
_GROUP_INDEX = {name: index for index, name in enumerate(GROUP_NAMES)}
_PAIR_FIRSTS = ("", *dict.fromkeys(first for first, _ in _PAIR_GROUPS))
_PAIR_SECONDS = ("", *dict.fromkeys(second for _, second in _PAIR_GROUPS))
_PAIR_TABLE = np.zeros((len(_PAIR_FIRSTS), len(_PAIR_SECONDS)), dtype=np.int64)
for (_first, _second), _group in _PAIR_GROUPS.items():
    _PAIR_TABLE[_PAIR_FIRSTS.index(_first), _PAIR_SECONDS.index(_second)] = _GROUP_INDEX[_group]
_GROUP_BITS = 4  # bits of a code per part: up to 15 groups
_PAIR_BITS = 6  # up to 63 first words and 63 second words of pairs
assert len(GROUP_NAMES) < 1 << _GROUP_BITS
assert max(len(_PAIR_FIRSTS), len(_PAIR_SECONDS)) <= 1 << _PAIR_BITS
_FIRST_INDEX = {word: index for index, word in enumerate(_PAIR_FIRSTS) if word}
_SECOND_INDEX = {word: index for index, word in enumerate(_PAIR_SECONDS) if word}


def _word_code(word: str) -> int:
    return (
        _GROUP_INDEX[word_group(word)]
        | _FIRST_INDEX.get(word, 0) << _GROUP_BITS
        | _SECOND_INDEX.get(word, 0) << (_GROUP_BITS + _PAIR_BITS)
    )


class _GroupMemo(dict[str, int]):
    """word -> its code (see above): fills itself, so a batch's look-ups are one C ``map``."""

    __slots__ = ()

    def __missing__(self, word: str) -> int:
        code = self[word] = _word_code(word)
        return code


_WORD_GROUPS = _GroupMemo()
_PART_MASK = (1 << _PAIR_BITS) - 1
_GROUP_MASK = (1 << _GROUP_BITS) - 1


def group_code(word: str) -> int:
    """The phrase-group code of a word (memoised), for :func:`group_hits`."""
    if len(_WORD_GROUPS) >= _CACHE_LIMIT:
        _WORD_GROUPS.clear()
    return _WORD_GROUPS[word]


def phrase_groups(words: list[str], n_words: Sequence[int]) -> list[tuple[int, str]]:
    """The phrase groups of a batch's rows, as (row, "s:g_<group>"), in row order.

    ``words`` are the words of every row, in order, ``n_words`` how many each row has.  A
    row has a group when one of its words, or two consecutive words, belong to it.  Per
    batch: one memoised look-up per word and a fixed number of numpy calls; no regex.
    """
    memo = _WORD_GROUPS
    if len(memo) >= _CACHE_LIMIT:
        memo.clear()
    codes = np.fromiter(map(memo.__getitem__, words), dtype=np.int64, count=len(words))
    return group_hits(codes, np.repeat(np.arange(len(n_words)), n_words))


def group_hits(codes: np.ndarray, rows: np.ndarray) -> list[tuple[int, str]]:
    """:func:`phrase_groups` from the words' codes (:func:`group_code`) and rows."""
    if not codes.any():
        return []
    first = (codes[:-1] >> _GROUP_BITS) & _PART_MASK
    pair_groups = _PAIR_TABLE[first, codes[1:] >> (_GROUP_BITS + _PAIR_BITS)]
    pair_groups[rows[1:] != rows[:-1]] = 0  # the last word of a row and the next row's first
    groups = np.concatenate((codes & _GROUP_MASK, pair_groups))
    hit = np.flatnonzero(groups)
    # Few hits: sorted and de-duplicated in Python (np.unique costs more on a handful).
    keys = sorted(
        set((np.concatenate((rows, rows[1:]))[hit] << _GROUP_BITS | groups[hit]).tolist())
    )
    return [(key >> _GROUP_BITS, GROUP_NAMES[key & _GROUP_MASK]) for key in keys]


def add_phrase_groups(words: list[str], meta: dict[str, float]) -> None:
    """Add the phrase groups of one comment's words to its meta features (see
    :func:`phrase_groups`)."""
    meta.update(dict.fromkeys((name for _, name in phrase_groups(words, [len(words)])), 1.0))


# Each phrase says what the words do, no more: "money or prize words", not "offers money",
# since "free" or "win" alone also make the group.
_GROUP_PHRASES = {
    "s:g_self_promo": "promotes the author's own channel or site",
    "s:g_call_to_action": "call to action (check out, visit, click)",
    "s:g_subscribe": "talks of subscribing (subscribe, sub4sub)",
    "s:g_follow": "points to social media (follow me, instagram)",
    "s:g_money": "money or prize words (free, cash, win)",
    "s:g_begging": "begs (please, pls, plz)",
    "s:g_engagement": "asks for likes or shares",
}


_STRUCTURAL_PHRASES = {
    "s:links=1": "1 link",
    "s:links=2": "2 links",
    "s:links=3+": "3 or more links",
    "s:shortener": "link through a URL shortener",
    "s:link_other_site": "link to another site",
    "s:link_same_site": "link to this site",
    "s:link_article": "link to an article",
    "s:link_file": "link to an image or document",
    "s:link_referral": "link with a referral code",
    "s:link_profile": "link to a profile or landing page",
    "s:link_in_long": "link inside a long comment",
    "s:invisible": "invisible characters",
    "s:styled": "full-width or styled letters",
    "s:mixed_scripts": "look-alike letters from another alphabet",
    "s:spaced": "s p a c e d - o u t letters",
    "s:leet": "digits in place of letters",
    "s:email_in_text": "email address in text",
    "s:phone": "phone number",
    "s:money": "money amount",
    "s:caps": "written in capitals",
    "s:shouting_punct": "repeated !! or ??",
    "s:no_words": "no words",
    "s:only_links": "nothing but links",
    "s:len=tiny": "very short comment",
    "s:len=short": "short comment",
    "s:len=medium": "medium-length comment",
    "s:len=long": "long comment",
    "s:name_url": "name contains a URL",
    "s:name_digits": "name with many digits",
    "s:disposable_email": "throwaway email address",
    "s:email_digits": "email with many digits",
    "s:author_url": "author gives a website",
    "s:author_shortener": "author website is a shortened link",
    **_GROUP_PHRASES,
}


# Words that carry grammar, not meaning: never shown as a reason on their own, nor a pair of
# two of them ("by the").  They still count in the score; but "word 'you'" tells a
# moderator nothing, and reads as if addressing someone were suspicious.
FUNCTION_WORDS = frozenset(
    """a an the this that these those some any no every each all both either neither
    i me my mine myself we us our ours you your yours yourself yourselves u ur he him his
    she her hers it its they them their theirs one someone anyone everyone who whom whose
    which what and or but nor so yet if then than because as while though although of to
    in on at by for from with without into onto upon about over under above below between
    through during before after up down off out around per via is am are was were be been
    being do does did done have has had having will would shall should can could may might
    must not n't don't doesn't didn't isn't aren't wasn't weren't won't can't i'm you're
    it's that's there there's here just very too also only even more most much many such
    own same other another again ever never now how why when where im dont thats we're
    they're i've we've you've they've i'll you'll we'll they'll it'll he's she's let's i'd
    you'd we'd they'd hasn't haven't hadn't wouldn't couldn't shouldn't what's who's""".split()
)


def shown_as_reason(first: str, second: str = "") -> bool:
    """Whether a word (or two consecutive words) may be named as a reason: not when every
    one of them is a function word (:data:`FUNCTION_WORDS`)."""
    if second:
        return first not in FUNCTION_WORDS or second not in FUNCTION_WORDS
    return first not in FUNCTION_WORDS


def describe_feature(name: str) -> str:
    """A moderator-readable phrase for a feature name."""
    kind, _, value = name.partition(":")
    match kind:
        case "w":
            return f"word '{value}'"
        case "b":
            return f"phrase '{value}'"
        case "p":
            return f"words starting '{value}'"
        case "c":
            return f"text containing '{value.strip()}'"
        case "d":
            return f"link to {value}"
        case "t":
            return f"link to a .{value} site"
        case "n":
            return f"name '{value}'"
        case "e":
            return f"email at {value}"
        case "u":
            return f"author site {value}"
        case "s":
            return _STRUCTURAL_PHRASES.get(name, value)
    return name


# The featuriser's tokens ------------------------------------------------------------------
# The pipeline (classifier.pipeline.build_pipeline) hashes three blocks of tokens with
# scikit-learn's HashingVectorizer; these functions are its analyzers.  SpamModel's batch
# scorer names and hashes tokens with the very same functions, so the two cannot disagree
# on what a feature is.
WORD, PAIR, PREFIX = "w:", "b:", "p:"
# Words longer than this also give their first PREFIX_LENGTH letters as a token: it helps on
# inflections and, weakly, on typos the model has not seen.
PREFIX_LENGTH = 5
# Sub-word character n-grams: each word padded with a space at both ends, cut into 3-, 4-
# and 5-grams (scikit-learn's "char_wb" n-grams of one word).
SUBWORD_SIZES = (3, 4, 5)


def word_token(word: str) -> str:
    """The token of a word."""
    return WORD + word


def pair_token(first: str, second: str) -> str:
    """The token of two consecutive words."""
    return PAIR + first + " " + second


def prefix_token(word: str) -> str | None:
    """The token of a word's prefix, or None for a word too short to have one."""
    return PREFIX + word[:PREFIX_LENGTH] if len(word) > PREFIX_LENGTH else None


def word_tokens(analysis: Analysis) -> list[str]:
    """The word block's tokens: every word, two consecutive words, prefixes of long words."""
    words = analysis.words
    tokens = [word_token(word) for word in words]
    tokens += [pair_token(first, second) for first, second in pairwise(words)]
    tokens += [token for token in map(prefix_token, words) if token is not None]
    return tokens


def subword_grams(word: str) -> list[str]:
    """The sub-word n-grams of one word (:data:`SUBWORD_SIZES`), one per occurrence."""
    padded = " " + word + " "
    n = len(padded)
    return [padded[i : i + size] for size in SUBWORD_SIZES for i in range(n - size + 1)]


def subword_tokens(analysis: Analysis) -> list[str]:
    """The sub-word block's tokens: the n-grams of every word, in order."""
    return [gram for word in analysis.words for gram in subword_grams(word)]


def meta_tokens(analysis: Analysis) -> list[str]:
    """The meta block's tokens: the names of the links, author and structure features."""
    return list(analysis.meta)


def hashed_column(token: str, n_features: int) -> int:
    """The column scikit-learn's FeatureHasher (and so HashingVectorizer) gives ``token``
    with ``alternate_sign=False``: the absolute value of the signed 32-bit MurmurHash3 of
    its UTF-8 bytes (seed 0) modulo ``n_features``.  (For a hash of -2**31, whose absolute
    value overflows in C, scikit-learn defines the column as abs(-2**31) % n_features,
    which is what Python's integers give.)

    For the batch scorer, which hashes a token at a time; tests check it against
    HashingVectorizer itself.
    """
    return abs(int(murmurhash3_32(token, seed=0))) % n_features


def hashed_columns(tokens: list[str], n_features: int) -> np.ndarray:
    """:func:`hashed_column` of every token, as an int64 array."""
    hashes = np.fromiter(map(murmurhash3_32, tokens), dtype=np.int64, count=len(tokens))
    columns: np.ndarray = np.abs(hashes) % n_features
    return columns


# scikit-learn has no type hints, so its base classes are Any to mypy.
class CommentAnalyser(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """The pipeline's first step: comments -> :class:`Analysis` (normalised words, meta).

    Stateless: there is nothing to fit.  The blocks after it hash what it finds.
    """

    def __init__(self, phrase_groups: bool = True) -> None:
        self.phrase_groups = phrase_groups

    def fit(self, X: Iterable[Comment], y: Any = None) -> CommentAnalyser:
        return self

    def transform(self, X: Iterable[Comment]) -> list[Analysis]:
        return [analyse(comment, phrase_groups=self.phrase_groups) for comment in X]

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags


class OccurrenceScaler(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Scales each row of counts by ``1 / sqrt(its total count)``; stateless.

    For the sub-word block: every n-gram occurrence of a row is then worth the same, so a
    row's contribution to the log-odds is a sum over its words of each word's summed n-gram
    weights, and the batch scorer needs one memo entry per word, not one per n-gram.  (An
    L2 norm, with ``sqrt(sum of squared counts)``, would tie every word's value to the
    others' n-grams.)  A row whose n-grams are all distinct has unit L2 norm either way.
    """

    def fit(self, X: Any, y: Any = None) -> OccurrenceScaler:
        return self

    def transform(self, X: Any) -> sp.csr_matrix:
        X = sp.csr_matrix(X, dtype=np.float64, copy=True)
        totals = np.asarray(X.sum(axis=1), dtype=np.float64).ravel()
        scale = np.divide(1.0, np.sqrt(totals), out=np.zeros_like(totals), where=totals > 0)
        X.data *= np.repeat(scale, np.diff(X.indptr))
        return X

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags


_META_PHRASES: dict[str, str] = {}


def meta_phrase(name: str) -> str:
    """:func:`describe_feature` of a meta feature name, memoised (the same few recur)."""
    phrase = _META_PHRASES.get(name)
    if phrase is None:
        if len(_META_PHRASES) >= _CACHE_LIMIT:
            _META_PHRASES.clear()
        phrase = _META_PHRASES[name] = describe_feature(name)
    return phrase
