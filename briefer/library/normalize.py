"""Text, date and tag normalisation for the snippet library.

Pure functions shared by the store, the query parser and the importers:
`text_key` decides when two snippets are "the same text" (duplicates),
`source_key` when two sources are the same, `segment` writes the
space-separated form of CJK, Thai and emoji characters that the full-text
index needs to find them inside longer runs, `parse_date` reads the dates
people and web pages write into ISO 8601, and `person_names` writes authors
in one order ("Given Family") whatever order an import file used.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import hashlib
import re
import reprlib
import unicodedata
from urllib.parse import urlsplit, urlunsplit

# Never stored: control characters, non-characters, lone surrogates and the
# private-use U+E000/U+E001 (reserved as highlight markers).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ue000\ue001\ufffe\uffff\ud800-\udfff]")
_NEWLINES = re.compile("\r\n?|\u2028|\u2029|\x85")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "«": '"', "»": '"'})

# Scripts written without spaces between words (the FTS5 unicode61 tokenizer
# would keep a whole run as one token), and pictographs (which it drops).
_UNSPACED = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u1100-\u11ff"  # Hangul Jamo
    "\u2e80-\u2fdf"  # CJK radicals
    "\u3040-\u30ff"  # kana
    "\u3100-\u31ff"  # bopomofo, Hangul compatibility, kana extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\ua960-\ua97f"
    "\uac00-\ud7af"  # Hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff66-\uff9f"  # half-width katakana
    "\U00020000-\U0003ffff"  # CJK extensions B and later
)
_PICTO = "\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff"
_SEGMENT_CHAR = re.compile(f"[{_UNSPACED}{_PICTO}]")
_PICTO_CHAR = re.compile(f"[{_PICTO}]")


def clean(text: str) -> str:
    """Drop control characters and highlight markers; fold newlines to `\\n`."""
    if text.isascii() and text.isprintable():
        return text.strip()
    return _FORBIDDEN.sub("", _NEWLINES.sub("\n", text)).strip()


def one_line(text: str) -> str:
    """Collapse all whitespace to single spaces."""
    return " ".join(text.split())


_WHITESPACE_TO_SPACE = {ord(c): " " for c in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029"}


def one_line_keep_offsets(text: str) -> str:
    """Line breaks and tabs as spaces, every character where it was."""
    return text.translate(_WHITESPACE_TO_SPACE)


def normalise_text(text: str) -> str:
    """The form two texts are compared in: NFKC, case-folded, straight quotes,
    whitespace collapsed."""
    return one_line(unicodedata.normalize("NFKC", text).casefold().translate(_QUOTES))


def text_key(text: str) -> bytes:
    """A 16-byte digest of the normalised text: equal for duplicates."""
    return hashlib.blake2b(normalise_text(text).encode("utf-8"), digest_size=16).digest()


def normalise_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no trailing slash."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.scheme or not parts.netloc:
        return url
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def site_of(url: str) -> str:
    """The host of a web address, without `www.` ("" when there is none)."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def source_key(title: str, publisher: str, author: str, url: str) -> str:
    """Sources with the same URL are one source; without a URL, the same
    title, publisher and author are."""
    if url.strip():
        return "url:" + normalise_url(url)
    return "meta:" + "\x1f".join(normalise_text(v) for v in (title, publisher, author))


_TOKEN = re.compile(f"(?:[^\\W_]|[{_PICTO}])+")
_PIECE = re.compile(f"[{_UNSPACED}{_PICTO}]|[^{_UNSPACED}{_PICTO}]+")


def has_segmentable(text: str) -> bool:
    return _SEGMENT_CHAR.search(text) is not None


def _pieces(token: str) -> str:
    """A token with unspaced-script characters, one index token per such
    character and per run of anything else: "00ぁ北" -> "00 ぁ 北"."""
    return " ".join(_token(piece) for piece in _PIECE.findall(token))


def segment(*texts: str) -> str:
    """The words of unspaced scripts and pictographs, one token per character.

    "北京是中国的首都" becomes "北 京 是 中 国 的 首 都", so the index can find any
    run of them as a phrase; a word mixing scripts keeps its other letters as
    one token ("iPhone手机" -> "iPhone 手 机"). Pictographs are spelled as
    `u1f525` so the tokenizer keeps them. Empty when there are none.
    """
    if not any(_SEGMENT_CHAR.search(text) for text in texts):
        return ""  # the common case: nothing to segment
    out: list[str] = []
    for text in texts:
        for token in _TOKEN.findall(text):
            if _SEGMENT_CHAR.search(token):
                out.append(_pieces(token))
    return " ".join(out)


def segment_query(token: str) -> str:
    """A query word with unspaced-script characters, as `segment` indexed it."""
    return _pieces(token)


def split_segmentable(word: str) -> tuple[list[str], str]:
    """Split a query word into its words holding unspaced-script characters
    and the rest (which is searched as ordinary words)."""
    runs = [t for t in _TOKEN.findall(word) if _SEGMENT_CHAR.search(t)]
    rest = word
    for run in runs:
        rest = rest.replace(run, " ", 1)
    return runs, rest


def _token(ch: str) -> str:
    return f"u{ord(ch):x}" if len(ch) == 1 and _PICTO_CHAR.match(ch) else ch


def has_word_chars(text: str) -> bool:
    """True when the FTS5 unicode61 tokenizer would find a token in `text`."""
    return any(
        unicodedata.category(ch)[0] in "LN" or unicodedata.category(ch) == "Co" for ch in text
    )


def split_tags(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Tags from a list or a `;`/`,`-separated string: trimmed, no repeats."""
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[str] | tuple[str, ...] = re.split(r"[;,]", value)
    elif isinstance(value, list | tuple):
        items = value
    else:  # a number or an object in a bulk file: a rejected row, not a crash
        raise ValueError(f"expected text or a list of tags, got {reprlib.repr(value)}")
    out: dict[str, str] = {}
    for item in items:
        if not isinstance(item, str):
            raise ValueError(f"tag {reprlib.repr(item)} is not text")
        tag = one_line(item.lstrip("#"))
        if tag and tag.casefold() not in out:
            out[tag.casefold()] = tag
    return tuple(out.values())


# A date as ISO 8601 writes it, in part or whole: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`.
ISO_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_DATE_FORMATS = (
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%B %Y",
    "%b %Y",
    "%d.%m.%Y",
)


DATE_FORMS = "YYYY, YYYY-MM or YYYY-MM-DD"


def not_a_date(value: str) -> ValueError:
    """The error for a value that is no date: names the value and the forms
    expected, for the caller to prefix with the field (`published: ...`)."""
    shown = value.strip()
    if not shown or not shown.isprintable() or " " in shown:
        shown = repr(shown)  # quoted when it would be hard to see where it ends
    return ValueError(f"{shown} is not a date (expected {DATE_FORMS})")


def parse_date(value: str) -> str:
    """An ISO 8601 date (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`) from what people
    and web pages write; empty in, empty out. Raises ValueError otherwise,
    with a message naming the value (`2026-02-30 is not a date (expected
    ...)`) but not the field, which the caller adds."""
    text = one_line(value)
    if not text:
        return ""
    match = ISO_PARTIAL.match(text)
    if match:
        year, month, day = match.groups()
        try:
            if day:
                return dt.date(int(year), int(month), int(day)).isoformat()
            if month:
                if not 1 <= int(month) <= 12:
                    raise ValueError("month out of range")
                return f"{int(year):04d}-{int(month):02d}"
            if int(year) < 1:
                raise ValueError("year out of range")
            return f"{int(year):04d}"
        except ValueError:
            raise not_a_date(value) from None
    iso = text.replace("Z", "+00:00").replace(" ", "T", 1) if text[:4].isdigit() else ""
    if iso:
        try:
            return dt.datetime.fromisoformat(iso).date().isoformat()
        except ValueError:
            pass
    for fmt in _DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed.strftime("%Y-%m") if "%d" not in fmt else parsed.date().isoformat()
    try:
        rfc = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        rfc = None
    if rfc is not None:
        return rfc.date().isoformat()
    raise not_a_date(value)


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def as_timestamp(value: str | dt.date | dt.datetime) -> str:
    """A `since=` bound as the UTC timestamp string snippets are stamped with."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = value.strip()
    try:
        return as_timestamp(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return parse_date(text)


# -- people's names ----------------------------------------------------------

# Words that belong to a family name without being its core ("van der Berg",
# "de Gaulle", "Da Silva"), in any case.
NAME_PARTICLES = frozenset(
    {
        "van", "von", "der", "den", "de", "del", "della", "dei", "di", "da", "das", "do",
        "dos", "du", "des", "la", "le", "lo", "ter", "ten", "zu", "zum", "zur", "bin",
        "ibn", "al", "el", "y", "af", "av",
    }
)  # fmt: skip
# After "Family, Given, ": a suffix that follows the family name.
_NAME_SUFFIXES = frozenset(["jr", "jr.", "sr", "sr.", "ii", "iii", "iv"])
# What follows the comma in a company's or place's name, never a given name.
_NOT_GIVEN = frozenset(
    {
        "inc", "inc.", "ltd", "ltd.", "llc", "llp", "plc", "corp", "corp.", "co", "co.",
        "gmbh", "ag", "sa", "s.a.", "nv", "bv", "pty", "oy", "spa", "s.p.a.", "limited",
        "group", "staff", "news", "agency", "d.c.", "dc",
    }
)  # fmt: skip
_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*\Z")
_INITIALS = re.compile(r"(?:[^\W\d_]\.-?)+\Z")
_AND = re.compile(r"\s+(?:and|&)\s+")


def _capitalised(word: str) -> bool:
    return _NAME_WORD.match(word) is not None and word[0].isupper()


def _is_family(text: str) -> bool:
    """One family name: a capitalised word (hyphens and apostrophes allowed:
    "Smith-Jones", "O'Brien"), after any particles ("van der Berg"). Two
    capitalised words ("García Márquez") might as well be a given and a
    family name, so they are not taken for one."""
    words = text.split()
    if not words or not _capitalised(words[-1]):
        return False
    return all(word.casefold() in NAME_PARTICLES for word in words[:-1])


def _is_given(text: str) -> bool:
    """Given names or initials: "Jane", "Mary Ann", "J. R. R.", "Ludwig van"."""
    words = text.split()
    if not 1 <= len(words) <= 4 or text.casefold() in _NOT_GIVEN:
        return False
    named = False
    for word in words:
        if _capitalised(word) or (_INITIALS.match(word) and word[0].isupper()):
            named = True
        elif word.casefold() not in NAME_PARTICLES:
            return False
    return named


def _given_family(name: str) -> str:
    """One person's name in "Given Family" order: "Doe, Jane" becomes "Jane
    Doe", "King, Martin Luther, Jr." becomes "Martin Luther King Jr.".
    Anything else (a single name, a company, "Jane Doe, Reuters") is left
    as it is."""
    parts = [part.strip() for part in name.split(",")]
    suffix = ""
    if len(parts) == 3 and parts[2].casefold() in _NAME_SUFFIXES:
        family, given, suffix = parts
    elif len(parts) == 3 and parts[1].casefold() in _NAME_SUFFIXES:
        family, suffix, given = parts  # BibTeX's "von Last, Jr, First"
    elif len(parts) == 2:
        family, given = parts
    else:
        return name
    if not (_is_family(family) and _is_given(given)):
        return name
    return " ".join(part for part in (given, family, suffix) if part)


@functools.lru_cache(maxsize=4096)  # a bulk file names the same authors again and again
def person_names(value: str) -> str:
    """Authors as one line, each in "Given Family" order and separated by
    "; ", whatever order the import file wrote them in: "Doe, Jane; Roe,
    Richard" (RIS, CSV) and "Doe, Jane and Roe, Richard" (BibTeX style)
    become "Jane Doe; Richard Roe". A name already in that order, a single
    name ("Madonna"), a company ("Apple, Inc.") and anything else that is
    not clearly "Family, Given" are left as they are."""
    text = one_line(value)
    if "," not in text:
        return text
    people = [person.strip() for person in text.split(";")]
    if len(people) == 1:
        pieces = _AND.split(text)
        if len(pieces) > 1 and all(piece.count(",") == 1 for piece in pieces):
            people = pieces
    return "; ".join(_given_family(person) for person in people if person)
