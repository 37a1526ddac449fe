"""The search box's language on PostgreSQL: index words and `tsquery` text.

The team library finds what the local one finds. SQLite's FTS5 splits text
into words itself (unicode61: runs of letters and digits, case and
diacritics folded); PostgreSQL's parser would split differently (a web
address, `3.5` or `well-known` are single tokens to it, and which
characters are letters depends on the server's locale). So Briefer writes
the words itself, in `index_words`, the same way for the text it stores and
for the queries it sends, and the database turns them into the search
index's `tsvector` as they are (`pg_schema`: no parser, no stemming, no stop
words). Text without spaces between words (CJK, Thai) and emoji are indexed
one character per word (`normalize.segment`), as in the local library, so
any run of them is found as a phrase; each pair of such characters is also
a key of the index, so such a phrase is found through the index.

Besides words the index holds keys that start with `_`, which no word can:
`_s` words of a source and its web site (`source:`), `_g` pairs of CJK
characters, `_t` tags (`tag:`), and `_b` buckets of ids (`cover`).
A plain word matches the source's title, publisher and author, and the
snippet's text, note and tags (the local library's WORD_COLUMNS).

`tsquery(parsed)` writes a parsed `Query` as tsquery text, cast as it is
(`::tsquery`); every word is quoted, so nothing a user types is tsquery
syntax, and it is always sent as a parameter, never spliced into SQL. A
prefix (`regul*`, the word being typed) is either spelled out as the words
of the library's vocabulary it stands for or asked as a prefix, whichever
reads less (`Expand`, decided in `pg_store`).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache

from briefer.library import normalize
from briefer.library.query import Query, Term

# ts_rank's weights for D, C, B, A (at most 1 each): the local library's bm25
# column weights scaled down, title and people 1.5, text 1.0, site 0.5.
RANK_WEIGHTS = "{0.66, 0.66, 0.33, 1.0}"
# ts_rank's normalisation: 1 divides by 1 + log(length), so a short snippet
# that matches ranks above a long one, as bm25 ranks them in the local
# library (tests/library/test_engines_agree.py measures how close).
RANK_NORMALIZATION = 1
_WORD = re.compile(r"[^\W_]+")
# Keys the index holds beside words (an underscore never starts a word): a
# tag (`_t` and its lower-case name), a source's words (`_s`), pairs of CJK
# characters (`_g`), the first letters of words (`_x`), and a snippet's
# buckets of ids (`_b`), by which a search reads the newest matches first;
# see `cover`.
TAG_KEY = "_t"
SOURCE_KEY = "_s"
SEG_KEY = "_g"
BUCKET_KEY = "_b"
# The first PREFIX_LETTERS letters of every word, after `_x`: the word being
# typed, that long, is one key of the index (see `keyed_prefix`).
PREFIX_KEY = "_x"
PREFIX_LETTERS = 3
# A bucket of level L holds 2**(BUCKET_BITS + L) ids; each snippet has a key
# for its bucket at every level up to LEVELS - 1.
BUCKET_BITS = 13
LEVELS = 11


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """A word as the index keeps it: lower case, without diacritics (as
    FTS5's unicode61 tokenizer with `remove_diacritics 2` folds)."""
    lowered = word.lower()
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFD", lowered)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


def words_of(text: str) -> list[str]:
    """The folded words of `text`, in order."""
    if text.isascii():  # most text: one pass, no word-by-word folding
        return _WORD.findall(text.lower())
    return [fold(w) for w in _WORD.findall(text)]


def index_words(*texts: str) -> str:
    """The folded words of `texts`, separated by single spaces: what the
    database turns into the tsvector (each text's words in a row)."""
    return " ".join(w for text in texts for w in words_of(text))


def index_seg(*texts: str) -> str:
    """The segmented CJK, Thai and emoji characters of `texts`, folded."""
    seg = normalize.segment(*texts)
    return index_words(seg) if seg else ""


def tag_words(tags: tuple[str, ...] | list[str]) -> str:
    """The index words of a snippet's tags, in the order the database's
    trigger writes them (by lower-case name, code point order)."""
    return " ".join(w for w in (index_words(t) for t in sorted(tags, key=str.lower)) if w)


def _lexeme(word: str) -> str:
    # Index words are letters and digits only; quote anyway, as tsquery text.
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


# The words a prefix stands for, from the library's vocabulary (None: too
# many to spell out, so the index is asked for the prefix itself).
Expand = Callable[[str], "Sequence[str] | None"]
# A prefix standing for more words than this is searched as a prefix.
MAX_EXPANSION = 512


def _no_expansion(prefix: str) -> None:
    return None


def keyed_prefix(words: Sequence[str], prefix: bool) -> str:
    """The index's key for a term that is one word being typed, exactly
    PREFIX_LETTERS letters long ("" for any other term): every snippet with
    a word starting so has it, so it finds what the prefix finds, as one
    key where the prefix is every word starting so (the commonest search,
    typed a letter at a time, reads one list instead of dozens)."""
    if prefix and len(words) == 1 and len(words[0]) == PREFIX_LETTERS:
        return PREFIX_KEY + words[0]
    return ""


def _phrase(words: list[str], prefix: bool, expand: Expand, keyed: bool = False) -> str:
    """Words in a row; the last may be a prefix, spelled out as the words
    it stands for when `expand` gives them (GIN skips through whole words,
    where it reads a prefix's every match in full), or, `keyed`, asked as
    its key when it has one (`keyed_prefix`)."""
    key = keyed_prefix(words, prefix) if keyed else ""
    if key:
        return _lexeme(key)
    parts = [_lexeme(word) for word in words]
    if prefix:
        whole = expand(words[-1])
        if whole is None:
            parts[-1] = f"{_lexeme(words[-1])}:*"
        elif whole:
            parts[-1] = "(" + " | ".join(_lexeme(w) for w in whole) + ")"
        # else no word starts so: the prefix as a whole word, which matches nothing
    return parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")"


def _segmented(tokens: list[str]) -> str:
    """A run of CJK (or emoji) characters: the characters in a row, and, to
    find the snippets that have them without reading every snippet with
    the same characters elsewhere, each pair of them as the index's key."""
    phrase = _phrase(tokens, False, _no_expansion)
    pairs = {SEG_KEY + a + b for a, b in itertools.pairwise(tokens)}
    return " & ".join([*(_lexeme(pair) for pair in sorted(pairs)), phrase])


def term_tsquery(term: Term, expand: Expand = _no_expansion, keyed: bool = False) -> str:
    """One term as tsquery text, or "" when it has nothing to match (as
    `Term.fts` writes it for FTS5: its words, then its CJK/emoji runs, each
    character a word, so a prefix of one is the character itself). `keyed`:
    for finding, not ranking: a word being typed may be its key."""
    runs, rest = normalize.split_segmentable(term.text)
    parts: list[str] = []
    words = words_of(rest) if normalize.has_word_chars(rest) else []
    if words:
        star = term.prefix and not normalize.has_segmentable(term.text[-1:])
        parts.append(_phrase(words, star, expand, keyed))
    for run in runs:
        seg = words_of(normalize.segment_query(run))
        if seg:
            parts.append(_segmented(seg))
    if len(parts) > 1 or " & " in (parts[0] if parts else ""):
        return "(" + " & ".join(parts) + ")"
    return parts[0] if parts else ""


def source_words(text: str) -> list[str]:
    """`source:x`'s words, as the index keys a source's words."""
    words = words_of(text) if normalize.has_word_chars(text) else []
    return [SOURCE_KEY + w for w in words]


def source_tsquery(text: str, expand: Expand = _no_expansion) -> str:
    """`source:x`: words starting the source's title, publisher, author or site."""
    words = source_words(text)
    return _phrase(words, True, expand) if words else ""


def prefixes(parsed: Query, keyed: bool = False) -> list[str]:
    """The words a search will match as prefixes (to spell out with
    `Expand`); `keyed`: not those it finds by their key."""
    found: list[str] = []
    for term in (*parsed.include, *parsed.exclude):
        _, rest = normalize.split_segmentable(term.text)
        words = words_of(rest) if normalize.has_word_chars(rest) else []
        if not words or not term.prefix or normalize.has_segmentable(term.text[-1:]):
            continue
        if not (keyed and keyed_prefix(words, True)):
            found.append(words[-1])
    for text in (*parsed.sources, *parsed.exclude_sources):
        words = source_words(text)
        if words:
            found.append(words[-1])
    return sorted(set(found))


def include_tsquery(parsed: Query, expand: Expand = _no_expansion, keyed: bool = False) -> str:
    """The included terms and sources, all of which must match ("" if none)."""
    parts = [term_tsquery(t, expand, keyed) for t in parsed.include]
    parts += [source_tsquery(s, expand) for s in parsed.sources]
    return " & ".join(p for p in parts if p)


def exclude_tsquery(parsed: Query, expand: Expand = _no_expansion, keyed: bool = False) -> str:
    """What any excluded term or source matches ("" if none)."""
    parts = [term_tsquery(t, expand, keyed) for t in parsed.exclude]
    parts += [source_tsquery(s, expand) for s in parsed.exclude_sources]
    return " | ".join(p for p in parts if p)


def tsquery(parsed: Query, expand: Expand = _no_expansion, keyed: bool = False) -> str:
    """Included terms minus excluded ones; "" when nothing is included."""
    include = include_tsquery(parsed, expand, keyed)
    if not include:
        return ""
    exclude = exclude_tsquery(parsed, expand, keyed)
    return f"({include}) & !({exclude})" if exclude else include


def bucket_key(level: int, bucket: int) -> str:
    """The key of bucket `bucket` (ids >> (BUCKET_BITS + level)) of a level."""
    return f"{BUCKET_KEY}{level}_{bucket}"


def cover(low: int, high: int) -> str:
    """The buckets `low`..`high` (numbers of level-0 buckets, both
    included) as the fewest keys of the index (aligned buckets of any
    level), as tsquery text: a search reads that stretch of ids, newest
    matches first, through the GIN index alone."""
    keys: list[str] = []
    while low <= high:
        level = 0
        while level < LEVELS - 1 and low % (2 << level) == 0 and low + (2 << level) - 1 <= high:
            level += 1
        keys.append(_lexeme(bucket_key(level, low >> level)))
        low += 1 << level
    return keys[0] if len(keys) == 1 else "(" + " | ".join(keys) + ")"
