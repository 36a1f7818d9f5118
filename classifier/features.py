"""Normalisation and featurisation of comments.

Everything here is plain Python on purpose: the featuriser must be fast (it runs inside a
webhook) and every feature must have a name a moderator can read, because the reasons shown
next to a score are built from those names.

A feature name is ``"<kind>:<value>"``.  Kinds (see :func:`describe_feature`):

* ``w``  a word of the normalised text            -> "word 'subscribe'"
* ``b``  two consecutive words                    -> "phrase 'check out'"
* ``p``  a word prefix (helps on unseen inflections, and weakly on typos)
* character 4-grams, unprefixed (robust to obfuscation the normaliser missed)
* ``d``  the domain of a link in the text         -> "link to bit.ly"
* ``t``  the top-level domain of a link           -> "link to a .ru site"
* ``n``  a word of the author's name              -> "name 'casino'"
* ``e``  the author's email domain                -> "email at mailinator.com"
* ``u``  the domain of the author's website       -> "author site example.com"
* ``s``  a structural signal with a readable name -> "3 links", "name contains a URL"
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

import numpy as np
import scipy.sparse as sp

from classifier.types import Comment

# Characters that render as nothing.  Spammers put them inside words ("vi\u200bagra") and the
# YouTube export appends U+FEFF to almost every comment; either way they are deleted before
# anything else looks at the text.  U+FEFF is deliberately *not* counted as an obfuscation
# signal (it is an artefact of exports, not of spammers).
_INVISIBLE = "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
_INVISIBLE += "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068"
_INVISIBLE += "\u2069\u206a\u206b\u206c\u206d\u206e\u206f\u3164\uffa0"
_DELETE_INVISIBLE = {ord(ch): None for ch in _INVISIBLE + "\ufeff"}
_INVISIBLE_RE = re.compile("[" + _INVISIBLE + "]")

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
# A quick test that a bare "name.tld" may be present, before the full (slow) link regex.
_BARE_DOMAIN_HINT_RE = re.compile(r"[a-z0-9]\.(?:" + _BARE_TLDS + r")\b")
# "example dot com", "example [dot] com", "example (.) com"
_DOT_WORD_RE = re.compile(
    r"\s*(?:\[\s*(?:dot|\.)\s*\]|\(\s*(?:dot|\.)\s*\)|\{\s*(?:dot|\.)\s*\}|\s+dot\s+)\s*(?=(?:"
    + _BARE_TLDS
    + r")\b)",
    re.IGNORECASE,
)
# "h t t p s : / /" written out to dodge link filters.
_SPACED_SCHEME_RE = re.compile(r"h[\s.]+t[\s.]+t[\s.]+p[\s.]*(s?)[\s.]*:[\s.]*/[\s.]*/\s*")
_EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE_RE = re.compile(r"(?<!\w)\+?\d[\d\s().-]{7,}\d(?!\w)")
_MONEY_RE = re.compile(r"[$€£¥₹₽]\s?\d|\d\s?[$€£¥₹₽]|\b\d+\s?(?:usd|eur|dollars?|bucks)\b")
# Four or more single letters separated by the same kind of filler: "V i a g r a",
# "v.i.a.g.r.a", "f-r-e-e".  Joined back into one word before tokenising.
_SPACED_RE = re.compile(r"(?<!\w)(?:\w[ .\-_*|/]{1,3}){3,}\w(?!\w)")
_SPACED_SPLIT_RE = re.compile(r"[ .\-_*|/]+")
_WORD_RE = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)?")
_DIGIT_RE = re.compile(r"\d")
_NON_WORD_RUN_RE = re.compile(r"[!?]{2,}")

_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
_NOT_LEET_RE = re.compile(r"\d+[a-z]{1,3}|[a-z]{1,3}\d")
# "c@sh", "e$say", "v1agr@": a symbol right after a letter or digit stands for a letter.
_SYMBOL_LEET_RE = re.compile(r"(?<=[a-z0-9])[@$]")

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
    """The named features of one comment, before hashing."""

    words: list[str]  # distinct words and phrases ("w:", "b:"): shown as reasons
    prefixes: list[str]  # distinct word prefixes ("p:"): same block as words, never shown
    chars: Counter[str]  # character 4-grams (bare, no kind prefix), never shown
    meta: dict[str, float]  # links, author, structure: fixed weights, not length-normalised


def strip_invisible(text: str) -> str:
    """Delete zero-width, bidi-control and BOM characters."""
    return text.translate(_DELETE_INVISIBLE)


def registered_domain(host: str) -> str:
    """``www.shop.example.co.uk`` -> ``example.co.uk`` (no public-suffix list, a heuristic)."""
    host = host.strip(".").lower()
    if host.startswith("www."):
        host = host[4:]
    labels = host.split(".")
    if len(labels) <= 2:
        return host
    if labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


@lru_cache(maxsize=4096)
def _post_domain(post_url: str) -> str:
    # Cached: a site's comments arrive on a few posts at a time.
    return registered_domain(url_host(post_url))


def url_host(url: str) -> str:
    """The host of a URL written with or without a scheme, lower-case, no port or userinfo."""
    rest = url.split("://", 1)[1] if "://" in url else url
    host = re.split(r"[/?#\\]", rest, maxsplit=1)[0]
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
        hosts.extend(url_host(u) for u in _HREF_RE.findall(text))
        text = _TAG_RE.sub(" ", text)
    if not text.isascii():
        if _INVISIBLE_RE.search(text):
            signals["s:invisible"] = 1.0
        text = strip_invisible(text)
        nfkc = unicodedata.normalize("NFKC", text)
        if nfkc != text and _STYLED_RE.search(text):
            signals["s:styled"] = 1.0
        text = _fold_homoglyphs(nfkc, signals)
    text = text.casefold()
    # Cheap substring tests first: most comments have none of these, and the regexes below
    # cost microseconds each, which add up at tens of thousands of comments a second.
    if "dot" in text or "[" in text or "(" in text or "{" in text:
        text = _DOT_WORD_RE.sub(".", text)
    if "h t" in text or "h.t" in text:
        text = _SPACED_SCHEME_RE.sub(r"http\1://", text)
    if "://" in text or "www." in text or ("." in text and _BARE_DOMAIN_HINT_RE.search(text)):

        def take(match: re.Match[str]) -> str:
            host = url_host(match.group(0))
            if host:
                hosts.append(host)
            return " "

        text = _URL_RE.sub(take, text)
    if "@" in text and _EMAIL_RE.search(text):
        signals["s:email_in_text"] = 1.0
        text = _EMAIL_RE.sub(" ", text)
    if _SPACED_RE.search(text):
        joined = _SPACED_RE.sub(_join_spaced, text)
        if joined != text:
            signals["s:spaced"] = 1.0
            text = joined
    return text, hosts, signals


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
    if not _CONFUSABLE_RE.search(text):
        return text

    def fold(match: re.Match[str]) -> str:
        signals["s:mixed_scripts"] = 1.0
        return match.group(0).translate(_HOMOGLYPH_TABLE)

    return _MIXED_WORD_RE.sub(fold, text)


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
_CONFUSABLE_RE = re.compile("[\u0370-\u03ff\u0400-\u052f]")
# A word with a Latin letter next to a Greek or Cyrillic one.
_MIXED_WORD_RE = re.compile(
    "\\w*(?:[a-zA-Z][\u0370-\u03ff\u0400-\u052f]|[\u0370-\u03ff\u0400-\u052f][a-zA-Z])\\w*"
)


def _deleet(words: list[str], signals: dict[str, float]) -> None:
    """'fr33' -> 'free', 'v1agra' -> 'viagra', in place, for words mixing letters and digits.

    Numbers with a unit ("100mg", "2nd") or a short code ("mp3", "b4") are left alone.
    """
    for pos, word in enumerate(words):
        if word.isalpha() or word.isdigit() or _NOT_LEET_RE.fullmatch(word):
            continue
        folded = word.translate(_LEET)
        if folded.isalpha():
            words[pos] = folded
            signals["s:leet"] = 1.0


def _link_features(hosts: Sequence[str], post_host: str, meta: dict[str, float]) -> None:
    n = len(hosts)
    if n == 0:
        return
    meta["s:links=" + (str(n) if n < 3 else "3+")] = 1.0
    for host in hosts:
        domain = registered_domain(host)
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


def analyse(comment: Comment, *, char_ngrams: bool = True) -> Analysis:
    """Turn one comment into named features."""
    raw = comment.content
    text, hosts, meta = normalise(raw)
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
    if has_digit:
        _deleet(words, meta)
    if not words:
        meta["s:no_words"] = 1.0
    meta["s:len=" + _length_bin(len(words))] = 1.0
    # Binary features (presence, not counts): comments are short, and repeating a word
    # should not make it count twice.
    keys = ["w:" + w for w in words]
    keys += ["b:" + a + " " + b for a, b in pairwise(words)]
    readable = list(dict.fromkeys(keys))
    prefixes = list({"p:" + w[:5]: None for w in words if len(w) > 5})
    chars: Counter[str] = Counter()
    if char_ngrams:
        # Character 4-grams across the word stream catch what tokenising misses
        # ("subscribe" inside "pleasesubscribe", typos, partial obfuscation).
        joined = " " + " ".join(words) + " "
        chars = Counter([joined[i : i + 4] for i in range(len(joined) - 3)])

    _author_features(comment, post_host, meta)
    return Analysis(readable, prefixes, chars, meta)


def _length_bin(n_words: int) -> str:
    if n_words <= 2:
        return "tiny"
    if n_words <= 8:
        return "short"
    if n_words <= 40:
        return "medium"
    return "long"


def _author_features(comment: Comment, post_host: str, meta: dict[str, float]) -> None:
    name = comment.author_name
    if name:
        if not name.isascii():
            name = unicodedata.normalize("NFKC", strip_invisible(name))
        name = name.casefold()
        if "." in name and _URL_RE.search(name):
            meta["s:name_url"] = 1.0
        for word in _WORD_RE.findall(name):
            meta["n:" + word] = 1.0
        if sum(ch.isdigit() for ch in name) >= 3:
            meta["s:name_digits"] = 1.0
    email = comment.author_email.strip().lower()
    if email and "@" in email:
        domain = registered_domain(email.rsplit("@", 1)[1])
        meta["e:" + domain] = 1.0
        if domain in DISPOSABLE_EMAIL:
            meta["s:disposable_email"] = 1.0
        local = email.rsplit("@", 1)[0]
        if sum(ch.isdigit() for ch in local) >= 4:
            meta["s:email_digits"] = 1.0
    url = comment.author_url.strip()
    if url:
        host = url_host(url)
        domain = registered_domain(host) if host else ""
        meta["s:author_url"] = 1.0
        if domain:
            meta["u:" + domain] = 1.0
            if domain in SHORTENERS:
                meta["s:author_shortener"] = 1.0


_STRUCTURAL_PHRASES = {
    "s:links=1": "1 link",
    "s:links=2": "2 links",
    "s:links=3+": "3 or more links",
    "s:shortener": "link through a URL shortener",
    "s:link_other_site": "link to another site",
    "s:link_same_site": "link to this site",
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
}


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


def feature_index(name: str, n_features: int) -> int:
    """Stable hash of a feature name into ``[0, n_features)`` (CRC-32: same in every process)."""
    return zlib.crc32(name.encode("utf-8", "surrogatepass")) % n_features


class CommentFeaturizer:
    """A stateless scikit-learn transformer: comments -> hashed sparse feature rows.

    Stateless hashing (no vocabulary) is what lets :meth:`SpamModel.learn` use
    ``partial_fit``: a word first seen in a moderator's decision gets a weight like any
    other.  Reasons are still readable because :meth:`transform_named` returns, per row, the
    names that produced each column; the hash is never inverted globally.

    The word block (words, phrases, prefixes: binary) and the char n-gram block
    (sublinear tf) are each L2-normalised (to ``word_weight`` and ``char_weight``), so long
    comments do not dominate and the many n-grams do not drown the words; meta features
    (links, author, structure) keep a fixed weight ``meta_weight``.
    """

    def __init__(
        self,
        n_features: int = 2**18,
        char_ngrams: bool = False,
        word_weight: float = 1.0,
        char_weight: float = 1.0,
        meta_weight: float = 0.5,
    ) -> None:
        self.n_features = n_features
        self.char_ngrams = char_ngrams
        self.word_weight = word_weight
        self.char_weight = char_weight
        self.meta_weight = meta_weight

    # scikit-learn estimator protocol -------------------------------------------------------
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {
            "n_features": self.n_features,
            "char_ngrams": self.char_ngrams,
            "word_weight": self.word_weight,
            "char_weight": self.char_weight,
            "meta_weight": self.meta_weight,
        }

    def set_params(self, **params: Any) -> CommentFeaturizer:
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def fit(self, X: Iterable[Comment], y: Any = None) -> CommentFeaturizer:
        return self

    def partial_fit(self, X: Iterable[Comment], y: Any = None) -> CommentFeaturizer:
        return self

    def transform(self, X: Sequence[Comment]) -> sp.csr_matrix:
        return self.transform_named(X)[0]

    def fit_transform(self, X: Sequence[Comment], y: Any = None) -> sp.csr_matrix:
        return self.transform(X)

    def __sklearn_is_fitted__(self) -> bool:
        return True

    # -----------------------------------------------------------------------------------------
    def transform_named(
        self, X: Sequence[Comment], *, text_only: bool = False
    ) -> tuple[sp.csr_matrix, list[dict[int, str]]]:
        """Featurise a batch; also return, per row, column index -> feature name.

        ``text_only`` leaves out the meta features (links, author, structure): training uses
        such copies so that the words alone carry weight (see ``fit_pipeline``).
        """
        n_features = self.n_features
        cache = _index_cache(n_features)
        meta_weight = 0.0 if text_only else self.meta_weight
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        names: list[dict[int, str]] = []
        word_weight = self.word_weight
        char_weight = self.char_weight
        log = math.log
        for comment in X:
            analysis = analyse(comment, char_ngrams=self.char_ngrams and char_weight > 0)
            row_names: dict[int, str] = {}
            # words + phrases + prefixes: one binary block, L2-normalised
            keys = analysis.words + analysis.prefixes
            if keys and word_weight:
                cols = _columns(cache, keys, n_features)
                indices += cols
                data += [word_weight / math.sqrt(len(keys))] * len(keys)
                row_names.update(zip(cols, analysis.words, strict=False))
            chars = analysis.chars
            if chars:
                values = [1.0 + log(c) if c > 1 else 1.0 for c in chars.values()]
                scale = char_weight / math.hypot(*values)
                # Bare n-grams never contain ":" (words do not), so they cannot clash with a
                # named feature, and skipping the prefix saves a string per n-gram.
                indices += _columns(cache, list(chars), n_features)
                data += [v * scale for v in values]
            meta = analysis.meta
            if meta and meta_weight:
                cols = _columns(cache, list(meta), n_features)
                indices += cols
                data += [v * meta_weight for v in meta.values()]
                row_names.update(zip(cols, meta, strict=True))
            indptr.append(len(indices))
            names.append(row_names)
        matrix = sp.csr_matrix(
            (
                np.asarray(data, dtype=np.float64),
                np.asarray(indices, dtype=np.int32),
                np.asarray(indptr, dtype=np.int32),
            ),
            shape=(len(names), n_features),
        )
        matrix.sum_duplicates()  # hash collisions inside a row add up, as in HashingVectorizer
        return matrix, names


# Hash results are memoised per process: the same few thousand words recur in every batch,
# and a dict lookup is several times cheaper than encoding and hashing.  The cache is
# bounded by clearing it, which costs one slow batch, never memory.
_CACHE_LIMIT = 200_000
_INDEX_CACHES: dict[int, dict[str, int]] = {}


def _index_cache(n_features: int) -> dict[str, int]:
    cache = _INDEX_CACHES.get(n_features)
    if cache is None:
        cache = _INDEX_CACHES.setdefault(n_features, {})
    return cache


def _columns(cache: dict[str, int], names: list[str], n_features: int) -> list[int]:
    cols = list(map(cache.get, names))
    if None in cols:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        for pos, col in enumerate(cols):
            if col is None:
                cols[pos] = cache[names[pos]] = feature_index(names[pos], n_features)
    return cols  # type: ignore[return-value]  # every None was replaced
