"""The search box's language, parsed into a `Query` and written as FTS5.

Users type words (all must match), `"exact phrases"`, prefixes `regul*`,
exclusions `-word` / `-"a phrase"` / `-tag:x`, and the filters `tag:cyber`
(a tag, exactly, any case), `source:reuters` (a word of the source's title,
publisher, author or web site starting so), `before:2026-01-01` (published
before that day) and `after:2025-06` (published on or after it). While
typing, the last bare word of three or more letters (and an unclosed phrase)
is a prefix, so half a word already finds something. Nothing a user types can
raise or reach FTS5 as syntax: every term is quoted as an FTS5 string, and
what is left over (a lone `-`, `*`, `:`, `AND(`, `NEAR`, an unbalanced quote,
an unknown `key:value` or a date that is no date (both sides as words)) is
searched as the plain words it contains, or dropped when it contains none;
a date filter that is no date is also described in `Query.problems`, for
the command line to report instead of searching.
A filter with nothing after its colon (`tag:` while typing) is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from briefer.library import normalize

# The columns ordinary words are searched in; `seg` holds segmented CJK/emoji.
WORD_COLUMNS = "{text note title publisher author tags}"
SOURCE_COLUMNS = "{title publisher author site}"
FILTER_KEYS = frozenset({"tag", "source", "before", "after"})
_KEY_VALUE = re.compile(r"^([A-Za-z]+):(.*)$", re.DOTALL)


@dataclass(frozen=True)
class Term:
    """A word or phrase to match. `prefix`: its last word may be incomplete."""

    text: str
    phrase: bool = False
    prefix: bool = False

    def fts(self) -> str:
        """This term as an FTS5 expression, or "" when it has nothing to match."""
        runs, rest = normalize.split_segmentable(self.text)
        parts: list[str] = []
        if normalize.has_word_chars(rest):
            # A prefix may only apply when the term ends with its word part.
            star = "*" if self.prefix and not normalize.has_segmentable(self.text[-1:]) else ""
            parts.append(f"{WORD_COLUMNS} : {_quote(rest)}{star}")
        for n, run in enumerate(runs):
            star = "*" if self.prefix and n == len(runs) - 1 and self.text.endswith(run) else ""
            parts.append(f"seg : {_quote(normalize.segment_query(run))}{star}")
        if len(parts) > 1:
            return "(" + " AND ".join(parts) + ")"
        return parts[0] if parts else ""


@dataclass(frozen=True)
class Query:
    """A parsed search: what must match, what must not, and the filters."""

    include: tuple[Term, ...] = ()
    exclude: tuple[Term, ...] = ()
    tags: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    exclude_sources: tuple[str, ...] = ()
    before: str = ""
    after: str = ""
    # Date filters that were no date (searched as words instead), described
    # for a caller that wants to tell the user: `before: 2026-02-30 is not a date ...`.
    problems: tuple[str, ...] = field(default=(), compare=False)

    def match_expression(self) -> str:
        """The FTS5 MATCH expression for the included terms ("" if none)."""
        parts = [t.fts() for t in self.include] + [_source_fts(s) for s in self.sources]
        return " AND ".join(p for p in parts if p)

    def exclude_expression(self) -> str:
        """The FTS5 expression any excluded term matches ("" if none)."""
        parts = [t.fts() for t in self.exclude] + [_source_fts(s) for s in self.exclude_sources]
        return " OR ".join(p for p in parts if p)

    def fts_expression(self) -> str:
        """Included terms minus excluded ones; "" when nothing is included."""
        include = self.match_expression()
        if not include:
            return ""
        exclude = self.exclude_expression()
        return f"({include}) NOT ({exclude})" if exclude else include


def _source_fts(text: str) -> str:
    """`source:x`: words starting the source's title, publisher, author or site."""
    if not normalize.has_word_chars(text):
        return ""
    return f"{SOURCE_COLUMNS} : {_quote(text)}*"


def _searchable(text: str) -> bool:
    return normalize.has_word_chars(text) or normalize.has_segmentable(text)


def _quote(text: str) -> str:
    return '"' + normalize.one_line(text).replace('"', '""') + '"'


@dataclass
class _Builder:
    include: list[Term] = field(default_factory=list)
    exclude: list[Term] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    exclude_tags: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    exclude_sources: list[str] = field(default_factory=list)
    before: str = ""
    after: str = ""
    problems: list[str] = field(default_factory=list)


def parse_query(text: str, *, as_you_type: bool = True) -> Query:
    """Parse what a user typed. Never raises.

    With `as_you_type`, a bare word at the very end (no space after it) and an
    unclosed phrase are matched as prefixes.
    """
    # A space after the last word means the user has finished typing it.
    typing_last = as_you_type and bool(text) and not text[-1:].isspace()
    text = normalize.clean(text.replace("\n", " ")) if text else ""
    b = _Builder()
    i, n = 0, len(text)
    last_bare: tuple[list[Term], int] | None = None
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negate = False
        if text[i] == "-" and i + 1 < n and not text[i + 1].isspace():
            negate = True
            i += 1
        target = b.exclude if negate else b.include
        if text[i] == '"':
            end = text.find('"', i + 1)
            closed = end != -1
            body = text[i + 1 : end] if closed else text[i + 1 :]
            i = end + 1 if closed else n
            if _searchable(body):
                target.append(Term(body, phrase=True, prefix=not closed and as_you_type))
            last_bare = None
            continue
        start = i
        while i < n and not text[i].isspace() and text[i] != '"':
            i += 1
        word = text[start:i]
        kv = _KEY_VALUE.match(word)
        if kv and kv.group(1).lower() in FILTER_KEYS:
            key, value = kv.group(1).lower(), kv.group(2)
            if not value and i < n and text[i] == '"':
                end = text.find('"', i + 1)
                value = text[i + 1 : end] if end != -1 else text[i + 1 :]
                i = end + 1 if end != -1 else n
            if _apply_filter(b, key, normalize.one_line(value), negate):
                last_bare = None
                continue
        if kv and not word.startswith(kv.group(1) + "::"):
            # `key:value` that is no filter: the words on both sides, not a phrase.
            for part in (kv.group(1), kv.group(2)):
                core = part.rstrip("*")
                if _searchable(core):
                    target.append(Term(core, prefix=part.endswith("*")))
            last_bare = None
            continue
        core = word.rstrip("*")
        # A one-letter prefix would match nearly everything: take it as the letter.
        prefix = word.endswith("*") and (len(core) >= 2 or normalize.has_segmentable(core))
        if _searchable(core):
            target.append(Term(core, prefix=prefix))
            last_bare = (target, len(target) - 1) if not negate and not prefix else None
        else:
            last_bare = None
    if typing_last and last_bare is not None:
        terms, index = last_bare
        word = terms[index].text
        # One or two letters are more often a whole word (EU, UN, AI) than
        # the start of one, and as a prefix they would match nearly everything.
        if len(word) >= 3 or normalize.has_segmentable(word):
            terms[index] = Term(word, prefix=True)
    return Query(
        include=tuple(b.include),
        exclude=tuple(b.exclude),
        tags=tuple(b.tags),
        exclude_tags=tuple(b.exclude_tags),
        sources=tuple(b.sources),
        exclude_sources=tuple(b.exclude_sources),
        before=b.before,
        after=b.after,
        problems=tuple(b.problems),
    )


def _apply_filter(b: _Builder, key: str, value: str, negate: bool) -> bool:
    """Record a filter; False when it is not one (then it is searched as text)."""
    if not value:
        return True  # `tag:` while typing: nothing to filter on yet
    if key == "tag":
        (b.exclude_tags if negate else b.tags).append(value.lstrip("#"))
        return True
    if key == "source":
        (b.exclude_sources if negate else b.sources).append(value)
        return True
    if negate:
        other = "after" if key == "before" else "before"
        b.problems.append(f"-{key}:{value}: a date filter cannot be negated (use {other}:{value})")
        return False
    try:
        if not normalize.ISO_PARTIAL.match(value):
            raise normalize.not_a_date(value)
        day = normalize.parse_date(value)
    except ValueError as exc:
        b.problems.append(f"{key}: {exc}")
        return False
    if key == "before":
        b.before = day
    else:
        b.after = day
    return True
