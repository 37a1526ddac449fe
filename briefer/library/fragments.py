"""Highlighted fragments for search hits, computed in Python.

A hit shows the stretch of the snippet (about two dozen words) where the
query's terms are densest, with each match given as `(start, end)` offsets.
Words are compared the way the full-text index compares them (case and
diacritics folded), prefixes match the start of a word, phrases match words
in a row, and CJK or emoji runs match as plain substrings. Doing this here,
rather than with FTS5's `snippet()`, costs no second full-text query per hit
and works the same for every script.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from briefer.library import normalize
from briefer.library.model import Fragment
from briefer.library.query import Query

WINDOW_WORDS = 24
_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Case-folded and without diacritics, as the unicode61 tokenizer folds."""
    folded = word.casefold()
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class _Pattern:
    words: tuple[str, ...]  # folded words in a row
    prefix: bool  # the last word may be the start of a longer word


@dataclass(frozen=True)
class Matcher:
    """What `build` looks for, made once per search by `matcher(query)`."""

    patterns: tuple[_Pattern, ...]
    literals: tuple[str, ...]  # case-folded CJK/emoji runs, matched as substrings
    # Each pattern as a regular expression over lower-cased ASCII text (None:
    # it cannot match such text), for the common case without folding.
    ascii_patterns: tuple[re.Pattern[str] | None, ...] = ()


def _ascii_pattern(pattern: _Pattern) -> re.Pattern[str] | None:
    """`pattern`'s words in a row as whole tokens of lower-cased ASCII text
    (there, folding is lower-casing); every match, overlapping ones too."""
    if not all(word.isascii() for word in pattern.words):
        return None
    body = r"[\W_]+".join(re.escape(word) for word in pattern.words)
    tail = r"[^\W_]*" if pattern.prefix else ""
    return re.compile(rf"(?<![^\W_])(?=({body}{tail})(?![^\W_]))")


def matcher(query: Query) -> Matcher:
    """The query's included terms as patterns to find in a hit's fields."""
    patterns: list[_Pattern] = []
    literals: list[str] = []
    for term in query.include:
        runs, rest = normalize.split_segmentable(term.text)
        words = tuple(fold(w) for w in _WORD.findall(rest))
        if words:
            ends_with_word = not normalize.has_segmentable(term.text[-1:])
            patterns.append(_Pattern(words, term.prefix and ends_with_word))
        literals.extend(r.casefold() for r in runs)
    return Matcher(tuple(patterns), tuple(literals), tuple(map(_ascii_pattern, patterns)))


def _spans_in(text: str, found_by: Matcher) -> list[tuple[int, int, int]]:
    """Matches in `text` as `(start, end, pattern number)`."""
    found: list[tuple[int, int, int]] = []
    if found_by.patterns and text.isascii():  # most text: one scan per pattern
        found += ascii_word_spans(text, found_by.ascii_patterns)
    elif found_by.patterns:
        found += word_spans(text, found_by.patterns)
    if found_by.literals:
        folded = text.casefold()
        if len(folded) == len(text):  # offsets stay valid
            for number, literal in enumerate(found_by.literals, len(found_by.patterns)):
                at = folded.find(literal)
                while at >= 0:
                    found.append((at, at + len(literal), number))
                    at = folded.find(literal, at + len(literal))
    found.sort()
    return found


def word_spans(text: str, patterns: Sequence[_Pattern]) -> list[tuple[int, int, int]]:
    """Where `patterns` match `text`'s folded words: `(start, end, pattern number)`."""
    found: list[tuple[int, int, int]] = []
    tokens = [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text)]
    for number, pattern in enumerate(patterns):
        n = len(pattern.words)
        for i in range(len(tokens) - n + 1):
            if all(tokens[i + k][2] == pattern.words[k] for k in range(n - 1)):
                last = tokens[i + n - 1][2]
                word = pattern.words[-1]
                if last == word or (pattern.prefix and last.startswith(word)):
                    found.append((tokens[i][0], tokens[i + n - 1][1], number))
    return found


def ascii_word_spans(
    text: str, patterns: Sequence[re.Pattern[str] | None]
) -> list[tuple[int, int, int]]:
    """`word_spans` for ASCII `text`, where folding is lower-casing, through
    each pattern's regular expression (`Matcher.ascii_patterns`): the same
    spans, in a few C-speed scans instead of a loop over every word."""
    lowered = text.lower()
    found: list[tuple[int, int, int]] = []
    for number, regex in enumerate(patterns):
        if regex is not None:
            found.extend((m.start(1), m.end(1), number) for m in regex.finditer(lowered))
    return found


def build(fields: Sequence[tuple[str, str]], query: Query | Matcher) -> Fragment:
    """The best fragment among `fields` (`(name, text)`, in order of preference).
    Pass `matcher(query)` when building fragments for many hits of one search."""
    found = query if isinstance(query, Matcher) else matcher(query)
    for name, text in fields:
        if not text:
            continue
        spans = _spans_in(text, found)
        if spans:
            return _window(normalize.one_line_keep_offsets(text), spans, name)
    name, text = fields[0] if fields else ("text", "")
    return lead(text, name)


def lead(text: str, field: str = "text", words: int = WINDOW_WORDS) -> Fragment:
    """The start of a text, when nothing in it is highlighted."""
    flat = normalize.one_line_keep_offsets(text)
    tokens = list(_WORD.finditer(flat))
    if len(tokens) <= words and len(flat) <= 240:
        return Fragment(flat.strip(), (), field)
    end = min(tokens[words - 1].end() if len(tokens) >= words else len(flat), 240)
    return Fragment(flat[:end].rstrip() + "…", (), field)


def _window(text: str, spans: list[tuple[int, int, int]], field: str) -> Fragment:
    """About WINDOW_WORDS words around the densest cluster of matches."""
    tokens = [m.span() for m in _WORD.finditer(text)]
    if len(tokens) <= WINDOW_WORDS + 8 and len(text) <= 320:
        start, end = 0, len(text)
    else:
        starts = [t[0] for t in tokens]
        best_score, best_first = (-1, 0), 0
        # Windows worth trying start at a match.
        for first in sorted({_index_at(starts, s[0]) for s in spans}):
            lo = tokens[first][0]
            hi = tokens[min(first + WINDOW_WORDS, len(tokens)) - 1][1]
            inside = [s for s in spans if s[0] >= lo and s[1] <= hi]
            score = (len({s[2] for s in inside}), len(inside))
            if score > best_score:
                best_score, best_first = score, first
        # A few words before the first match, so it reads in context.
        index = max(0, best_first - 3)
        last = min(index + WINDOW_WORDS, len(tokens)) - 1
        start, end = tokens[index][0], tokens[last][1]
        if end - start > 400:  # long words or CJK runs: cap by characters
            end = max(start + 400, min(spans[0][1], len(text)))
    lead_mark = "…" if start > 0 else ""
    tail_mark = "…" if end < len(text.rstrip()) else ""
    shift = len(lead_mark) - start
    kept: list[tuple[int, int]] = []
    for a, b, _ in spans:
        a, b = max(a, start), min(b, end)
        if a >= b:
            continue
        if kept and a <= kept[-1][1] - shift:
            kept[-1] = (kept[-1][0], max(kept[-1][1], b + shift))
        else:
            kept.append((a + shift, b + shift))
    body = text[start:end]
    return Fragment(lead_mark + body + tail_mark, tuple(kept), field)


def _index_at(starts: list[int], offset: int) -> int:
    """The index of the word starting at or before `offset` (0 when none does)."""
    return max(0, bisect.bisect_right(starts, offset) - 1)
