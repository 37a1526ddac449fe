"""Source keys: the one grammar for `[@key]` and the readable keys Briefer makes.

A key names a source of a brief. The same rule is used everywhere a key is
read: in a `.brief` file's `sources`, in a Markdown source line
`[@key]: URL "Title"` and in a citation `[@key]` or `[@a; @b]` in section
text, so any key one of them accepts, the others accept too.

The rule (close to pandoc's): a letter, digit or underscore of any script,
then letters, digits, `_`, `:`, `.`, `/` or `-`, not ending in `.` (so the
full stop in `see [@ledger].` or `@ledger.` is never part of the key).

`make_key` builds a key a person can read and type: the publisher (or the
web site, the author, the title) and the date, `bloomberg-2026-11-20`, with
`-b`, `-c`, ... when that key is already taken.
"""

from __future__ import annotations

import re
from collections.abc import Container
from urllib.parse import urlsplit

# The regular expression of one key, for embedding in larger patterns.
KEY_PATTERN = r"\w(?:[\w:./-]*[\w:/-])?"
_KEY = re.compile(KEY_PATTERN)  # matched whole: `$` would let "key\n" through
# A citation of one or more keys: `[@key]`, `[@a; @b]`; group 1 holds the
# keys, each found in it (after an "@" put in front) by CITED_KEY.
CITATION_PATTERN = rf"\[[ ]*@({KEY_PATTERN}(?:[ ]*;[ ]*@{KEY_PATTERN})*)[ ]*\]"
CITATION = re.compile(CITATION_PATTERN)
CITED_KEY = re.compile(rf"@({KEY_PATTERN})")

KEY_RULE = (
    "a letter, digit or '_', then letters, digits, '_', ':', '.', '/' or '-', not ending in '.'"
)

_MAX_STEM = 32
_DATE = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")  # ASCII digits only
_SUFFIXES = "bcdefghijklmnopqrstuvwxyz"


def is_valid_key(key: str) -> bool:
    """True when `key` can be cited as `[@key]`."""
    return bool(_KEY.fullmatch(key))


def cited_keys(text: str) -> list[str]:
    """Every key `text` cites, in order, repeats included (`[@a; @b] [@a]`
    gives a, b, a). Text is read as written: a citation inside a code span
    counts too, which is what an editor marking citations wants."""
    keys: list[str] = []
    for m in CITATION.finditer(text):
        keys.extend(CITED_KEY.findall("@" + m.group(1)))
    return keys


def key_stem(text: str) -> str:
    """Lower-case words of any script joined by `-`: `Bloomberg News` ->
    `bloomberg-news`, `Lloyd's List` -> `lloyds-list`, `新华社` -> `新华社`;
    "" when nothing is left."""
    words = re.findall(r"[^\W_]+", text.casefold().replace("'", "").replace("\u2019", ""))
    stem = "-".join(words)[:_MAX_STEM].strip("-")
    return stem


def make_key(
    *,
    publisher: str = "",
    url: str = "",
    author: str = "",
    title: str = "",
    published: str = "",
    taken: Container[str] = (),
) -> str:
    """A readable key not in `taken`: `<who>-<date>`, then `-b`, `-c`, ...

    `<who>` is the first of publisher, web site, author's surname and title
    that gives any letters; `<date>` is the published date as written
    (`2026-11-20`, `2026-11` or `2026`) and is left out when there is none.
    """
    who = (
        key_stem(publisher)
        or key_stem(_site(url))
        or key_stem(author.split(",")[0].split()[-1] if author.split() else "")
        or key_stem(" ".join(title.split()[:3]))
        or "source"
    )
    date = published.strip()
    base = f"{who}-{date}" if _DATE.fullmatch(date) else who
    if base not in taken:
        return base
    for suffix in _SUFFIXES:
        candidate = f"{base}-{suffix}"
        if candidate not in taken:
            return candidate
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _site(url: str) -> str:
    """`https://www.bloomberg.com/news/...` -> `bloomberg`: the site's name
    without `www.` and its top-level domain."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    parts = host.removeprefix("www.").split(".")
    if len(parts) >= 3 and len(parts[-1]) == 2 and parts[-2] in _SECOND_LEVEL:
        parts = parts[:-1]  # news.bbc.co.uk -> bbc, not co
    return parts[-2] if len(parts) >= 2 else parts[0]


_SECOND_LEVEL = {"ac", "co", "com", "edu", "gov", "net", "org"}
