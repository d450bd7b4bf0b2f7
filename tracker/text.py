"""Text helpers shared by the models, the admin, the importers and the fixture checks:
line breaks, fingerprints, finding a quote in a text (with typography folded), cue
words, and web links."""

import hashlib
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

WEB_SCHEMES = ("http", "https")


def normalize_newlines(text: str) -> str:
    """Browsers send a textarea's line breaks as CRLF; offsets count them as one."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def as_sentence(words: str) -> str:
    """A message as a sentence: its first letter a capital, a full stop at its end."""
    words = words.strip()
    if not words:
        return words
    return words[0].upper() + words[1:] + ("" if words[-1] in ".!?" else ".")


def text_fingerprint(text: str) -> str:
    """What tells the same text imported twice from two different texts."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def locate_quote(text: str, quote: str, near: int | None = None) -> tuple[int, int] | None:
    """Where `quote` stands in `text`, as (start, end) character offsets, or None.

    If the quote occurs more than once, the occurrence closest to `near` (the old
    start) wins, so an edit elsewhere in the text does not make a pledge jump to
    another sentence with the same words.
    """
    if not quote:
        return None
    if near is not None and text[near : near + len(quote)] == quote:
        return near, near + len(quote)
    starts = occurrences(text, quote)
    if not starts:
        return None
    best = starts[0] if near is None else min(starts, key=lambda s: abs(s - near))
    return best, best + len(quote)


# Typographic marks and the plain ones people type for them, one character for one, so
# that offsets found in the folded text hold in the text itself.
_TYPOGRAPHY = str.maketrans(
    "\u2018\u2019\u201a\u201b\u2032\u201c\u201d\u201e\u201f\u2033\u2010\u2011\u2012\u2013\u2014\u2015\u00a0\u202f\u2009",
    "'''''\"\"\"\"\"------   ",
)


def fold_typography(text: str) -> str:
    """Curly quotes as straight ones, dashes as hyphens, narrow and non-breaking spaces as spaces."""
    return text.translate(_TYPOGRAPHY)


def occurrences(text: str, quote: str) -> list[int]:
    """Where each occurrence of `quote` starts in `text`."""
    starts, start = [], text.find(quote) if quote else -1
    while start != -1:
        starts.append(start)
        start = text.find(quote, start + 1)
    return starts


def normalize_web_url(value: str) -> str:
    """Strip spaces and lower-case the scheme and host, so that "  HTTPS://Example.org"
    is stored, compared and checked by the database as "https://example.org"."""
    value = (value or "").strip()
    if not value:
        return value
    parts = urlsplit(value)
    userinfo, at, host = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(scheme=parts.scheme.lower(), netloc=userinfo + at + host.lower()))


# Query parameters that only say where a reader came from.
_TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid")


def same_page(url: str) -> str:
    """What two links to the same page have in common: the host without case or "www.",
    the path without a trailing slash, the query without tracking parameters, no
    fragment, http and https alike. Used to tell a link that is there already."""
    parts = urlsplit(normalize_web_url(url))
    host = parts.netloc.rpartition("@")[2].removeprefix("www.")
    query = "&".join(
        sorted(pair for pair in parts.query.split("&") if pair and not pair.lower().startswith(_TRACKING))
    )
    return urlunsplit(("", host, parts.path.rstrip("/"), query, "")).removeprefix("//")


web_url_validator = URLValidator(
    schemes=list(WEB_SCHEMES), message="Enter a web address that starts with http:// or https://."
)


# Longer links are not links people cite (and URLValidator stops at 2,048).
MAX_LINK_CHARACTERS = 2000


def validate_web_url(value: str) -> None:
    if len(value.strip()) > MAX_LINK_CHARACTERS:
        raise ValidationError(
            f"A link can be at most {MAX_LINK_CHARACTERS:,} characters.",
            code="length",
            params={"value": value},
        )
    if any(character.isspace() for character in value.strip()):
        raise ValidationError("A link cannot contain spaces.", code="spaces", params={"value": value})
    scheme = urlsplit(value.strip()).scheme.lower()
    if scheme not in WEB_SCHEMES:
        raise ValidationError(
            "Only http:// and https:// links are accepted.", code="scheme", params={"value": value}
        )
    web_url_validator(value)


def cut_at_cues(quote: str, quote_start: int, cues) -> list[tuple[str, str]]:
    """The quote cut at its cue words: (words, cue kind, or "" between cues). `cues` are
    (start, end, kind) with offsets in the statement's text, where the quote begins at
    `quote_start`."""
    pieces, cursor = [], 0
    for start, end, kind in sorted(cues):
        start, end = max(start - quote_start, cursor), min(end - quote_start, len(quote))
        if start >= end:
            continue
        pieces += [(quote[cursor:start], ""), (quote[start:end], kind)]
        cursor = end
    pieces.append((quote[cursor:], ""))
    return [(words, kind) for words, kind in pieces if words]
