"""Typographic punctuation for composed documents: “quotes”, ’, – — and ….

`smarten` rewrites the visible text of document blocks the way pandoc's
`smart` extension and Python-Markdown's `smarty` do by default: straight
double and single quotes become curly ones, apostrophes become ’ (`didn't`,
`'90s`, `rock 'n' roll`), `--` an en dash, `---` an em dash and `...` an
ellipsis. Whether a quote opens or closes is decided by the characters
around it, across span boundaries, so `"*word*"` and `**"bold"**` come out
right. Code spans and code blocks, link targets, links that show their own
address, bare web and mail addresses in text, and citations are never
touched.

Quotation marks follow the brief's language (`QUOTE_MARKS`): `"` gives the
language's primary marks and `'` its secondary ones, so German reads
„so“ and ‚so‘, French « ainsi » (with no-break spaces inside, and none
of them lost at a line end) and Japanese 「こう」. The apostrophe is ’ in
every language.

The work is linear in the length of the text: each paragraph is scanned
once with one regular expression, and blocks without anything to change
are returned as they were.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from briefer.document import (
    Block,
    BulletList,
    Citation,
    Code,
    Contents,
    ContentsEntry,
    Emphasis,
    Heading,
    Image,
    LineBreak,
    Link,
    ListItem,
    OrderedList,
    Paragraph,
    Quote,
    SourceEntry,
    SourceLine,
    SourcesList,
    Span,
    Strong,
    Subtitle,
    Table,
    Text,
    Title,
    plain_text,
)

__all__ = [
    "QUOTE_MARKS",
    "QuoteMarks",
    "quote_marks",
    "smarten",
    "smarten_source",
    "smarten_spans",
    "smarten_text",
]

NBSP = "\u00a0"
APOSTROPHE = "\u2019"
EN_DASH = "\u2013"
EM_DASH = "\u2014"
ELLIPSIS = "\u2026"


@dataclass(frozen=True)
class QuoteMarks:
    """A language's quotation marks: primary (for `"`), secondary (for `'`,
    a quotation inside a quotation). A mark may carry the no-break space
    that separates it from the words (French guillemets)."""

    open: str
    close: str
    inner_open: str
    inner_close: str


_ENGLISH = QuoteMarks("“", "”", "‘", "’")
_GERMAN = QuoteMarks("„", "“", "‚", "‘")
_GUILLEMETS = QuoteMarks("«", "»", "“", "”")  # Spanish, Italian, European Portuguese
_RUSSIAN = QuoteMarks("«", "»", "„", "“")
_CJK_CORNER = QuoteMarks("「", "」", "『", "』")

# Language tag (lower case, `-` separated) -> marks; a full tag such as
# `de-ch` is looked up before its language (`de`). Unlisted languages get
# English marks.
QUOTE_MARKS: dict[str, QuoteMarks] = {
    "en": _ENGLISH,
    "de": _GERMAN,
    "de-ch": QuoteMarks("«", "»", "‹", "›"),
    "fr": QuoteMarks("«" + NBSP, NBSP + "»", "“", "”"),
    "es": _GUILLEMETS,
    "it": _GUILLEMETS,
    "pt": _GUILLEMETS,
    "pt-br": _ENGLISH,
    "nl": _ENGLISH,
    "ru": _RUSSIAN,
    "uk": _RUSSIAN,
    "pl": QuoteMarks("„", "”", "«", "»"),
    "cs": _GERMAN,
    "sk": _GERMAN,
    "sv": QuoteMarks("”", "”", "’", "’"),
    "fi": QuoteMarks("”", "”", "’", "’"),
    "nb": QuoteMarks("«", "»", "‘", "’"),
    "nn": QuoteMarks("«", "»", "‘", "’"),
    "no": QuoteMarks("«", "»", "‘", "’"),
    "ja": _CJK_CORNER,
    "zh": _ENGLISH,
    "zh-hant": _CJK_CORNER,
    "zh-tw": _CJK_CORNER,
    "zh-hk": _CJK_CORNER,
    "ko": _ENGLISH,
}


def quote_marks(language: str) -> QuoteMarks:
    """The quotation marks for a language tag such as `en`, `de-CH`, `fr`."""
    tag = language.strip().lower().replace("_", "-")
    while tag:
        marks = QUOTE_MARKS.get(tag)
        if marks is not None:
            return marks
        tag = tag.rpartition("-")[0]
    return _ENGLISH


# --------------------------------------------------------------------------
# Blocks
# --------------------------------------------------------------------------


def smarten(blocks: Sequence[Block], language: str) -> tuple[Block, ...]:
    """`blocks` with typographic punctuation in their visible text.

    Pure: blocks with nothing to change are returned as they were (the same
    objects). Running it twice gives what running it once gives.
    """
    smartener = _Smartener(quote_marks(language))
    out = [smartener.block(block) for block in blocks]
    if smartener.contents:
        # A contents entry reads exactly as its heading does, code spans
        # and all, so it takes the heading's smartened text by anchor.
        out = [smartener.contents_block(block) for block in out]
    return tuple(out)


def smarten_spans(spans: Sequence[Span], language: str) -> tuple[Span, ...]:
    """One paragraph's spans with typographic punctuation."""
    return _Smartener(quote_marks(language)).spans(tuple(spans))


def smarten_text(text: str, language: str) -> str:
    """Plain text (a title in a running header, a document property) with
    typographic punctuation; web addresses in it are kept as typed."""
    return _Smartener(quote_marks(language)).text(text)


def smarten_source(entry: SourceEntry, language: str) -> SourceEntry:
    """A source entry with typographic punctuation in its visible text (its
    publisher, title and formatted reference); the address is untouched."""
    return _Smartener(quote_marks(language)).source(entry)


class _Smartener:
    def __init__(self, marks: QuoteMarks) -> None:
        self.marks = marks
        self.headings: dict[str, str] = {}  # anchor -> smartened text
        self.contents = False

    def block(self, block: Block) -> Block:
        if isinstance(block, Paragraph):
            spans = self.spans(block.spans)
            lead_in = self.text(block.lead_in)
            if spans is block.spans and lead_in == block.lead_in:
                return block
            return Paragraph(spans, lead_in)
        if isinstance(block, Heading):
            spans = self.spans(block.spans)
            if block.anchor:
                self.headings[block.anchor] = plain_text(spans)
            return block if spans is block.spans else dataclasses.replace(block, spans=spans)
        if isinstance(block, (Title, Subtitle)):
            spans = self.spans(block.spans)
            return block if spans is block.spans else type(block)(spans)
        if isinstance(block, (BulletList, OrderedList)):
            items = tuple(self.item(item) for item in block.items)
            if all(new is old for new, old in zip(items, block.items, strict=True)):
                return block
            return dataclasses.replace(block, items=items)
        if isinstance(block, ListItem):
            return self.item(block)
        if isinstance(block, Quote):
            inner = self.blocks(block.blocks)
            return block if inner is block.blocks else Quote(inner)
        if isinstance(block, Table):
            header = self.row(block.header)
            rows = tuple(self.row(row) for row in block.rows)
            if header is block.header and all(
                new is old for new, old in zip(rows, block.rows, strict=True)
            ):
                return block
            return dataclasses.replace(block, header=header, rows=rows)
        if isinstance(block, Image):
            alt = self.text(block.alt)
            return block if alt == block.alt else dataclasses.replace(block, alt=alt)
        if isinstance(block, Contents):
            self.contents = True
            return block  # see contents_block
        if isinstance(block, SourcesList):
            entries = tuple(self.source(entry) for entry in block.entries)
            return SourcesList(self.text(block.title), entries)
        if isinstance(block, SourceLine):
            entries = tuple(self.source(entry) for entry in block.entries)
            return SourceLine(self.text(block.label), entries)
        return block  # code blocks, rules, page breaks: as they are

    def blocks(self, blocks: tuple[Block, ...]) -> tuple[Block, ...]:
        out = tuple(self.block(b) for b in blocks)
        return blocks if all(new is old for new, old in zip(out, blocks, strict=True)) else out

    def item(self, item: ListItem) -> ListItem:
        inner = self.blocks(item.blocks)
        return item if inner is item.blocks else ListItem(inner)

    def row(self, row: tuple[tuple[Span, ...], ...]) -> tuple[tuple[Span, ...], ...]:
        cells = tuple(self.spans(cell) for cell in row)
        return row if all(new is old for new, old in zip(cells, row, strict=True)) else cells

    def contents_block(self, block: Block) -> Block:
        if not isinstance(block, Contents):
            return block
        entries = tuple(
            ContentsEntry(
                entry.level, self.headings.get(entry.anchor) or self.text(entry.text), entry.anchor
            )
            for entry in block.entries
        )
        return Contents(self.text(block.title), entries)

    def source(self, entry: SourceEntry) -> SourceEntry:
        return dataclasses.replace(
            entry,
            publisher=self.text(entry.publisher),
            title=self.text(entry.title),
            spans=self.spans(entry.spans),
        )

    # -- runs of text ----------------------------------------------------------

    def text(self, text: str) -> str:
        if not text or not _has_special(text):
            return text
        spans = self.spans((Text(text),))
        return "".join(span.text for span in spans if isinstance(span, Text))

    def spans(self, spans: tuple[Span, ...]) -> tuple[Span, ...]:
        """The spans of one paragraph (or heading, cell, reference): one
        context, so a quote opened in one span can close in another."""
        leaves: list[_Leaf] = []
        _flatten(spans, leaves)
        if not any(leaf.editable and _has_special(leaf.text) for leaf in leaves):
            return spans
        context = "".join(leaf.text for leaf in leaves)
        edits = _Scanner(context, self.marks).run(leaves)
        if not edits:
            return spans
        return _rebuild(spans, iter(leaves), edits)


# --------------------------------------------------------------------------
# Scanning one context
# --------------------------------------------------------------------------

_SPECIAL = re.compile(r"[\"'«»]|--+|\.\.\.+")
# Bare addresses in text, never changed (see `_addresses`): a scheme, `www.`
# or `mailto:`, or an e-mail address. Quotes end an address (curly ones too,
# so the same address is found again in smartened text), and trailing
# sentence punctuation is not part of it.
_ADDRESS_HINT = re.compile(r"://|www\.|mailto:|@")
_URL_TAIL = re.compile(r"[^\s<>\"“”‘’«»]*[^\s<>\"“”‘’«».,;:!?)\]']")
_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)+")
_SPACE, _OPEN, _WORD, _PUNCT = range(4)
_ELISIONS = re.compile(r"'(?:\d\d(?!\d)|n'(?!\w)|(?:tis|twas|em)(?!\w))", re.IGNORECASE)


@dataclass
class _Leaf:
    """One span with text of a paragraph, flattened: `start` is its place in
    the paragraph's context string; only `editable` leaves are changed."""

    text: str
    editable: bool
    start: int = 0


def _flatten(spans: tuple[Span, ...], leaves: list[_Leaf]) -> None:
    for span in spans:
        start = leaves[-1].start + len(leaves[-1].text) if leaves else 0
        if isinstance(span, Text):
            leaves.append(_Leaf(span.text, True, start))
        elif isinstance(span, Code):
            leaves.append(_Leaf(span.text, False, start))
        elif isinstance(span, Citation):
            # Reads as a word ("[1]") to the characters around it.
            leaves.append(_Leaf("0", False, start))
        elif isinstance(span, LineBreak):
            leaves.append(_Leaf("\n", False, start))
        elif isinstance(span, Link) and _shows_address(span):
            leaves.append(_Leaf(plain_text(span.children), False, start))
        elif isinstance(span, (Strong, Emphasis, Link)):
            _flatten(span.children, leaves)


def _shows_address(link: Link) -> bool:
    """A link whose text is its own address (or any address) is kept as typed."""
    text = plain_text(link.children).strip()
    if not text:
        return False
    if text == link.href.strip() or text == link.href.strip().removeprefix("mailto:"):
        return True
    return _addresses(text, 0) == [(0, len(text))]


class _Scanner:
    """Decides every replacement in one context, left to right."""

    def __init__(self, context: str, marks: QuoteMarks) -> None:
        self.context = context
        self.marks = marks
        self.open_double = 0  # quotes opened and not yet closed
        self.open_single = 0
        self.decided: dict[int, int] = {}  # position of a converted quote -> its class
        self.last_end = 0  # where the last edit ended: edits never overlap
        closers = {marks.close.strip(NBSP), marks.inner_close}
        openers = {marks.open.strip(NBSP), marks.inner_open} - closers
        self.kinds = dict(_ASCII_KINDS)
        self.kinds.update(dict.fromkeys(openers, _OPEN))
        self.kinds.update(dict.fromkeys(closers, _PUNCT))

    def run(self, leaves: list[_Leaf]) -> list[tuple[int, int, str]]:
        """(start, end, replacement) in the context, in order."""
        edits: list[tuple[int, int, str]] = []
        context = self.context
        last = len(context) - 1
        decided = self.decided
        for leaf in leaves:
            text = leaf.text
            if not leaf.editable or not _has_special(text):
                continue
            protected = _addresses(text, leaf.start)
            for m in _SPECIAL.finditer(context, leaf.start, leaf.start + len(text)):
                at = m.start()
                if protected:
                    while protected and protected[-1][1] <= at:
                        protected.pop()
                    if protected and protected[-1][0] <= at:
                        continue  # inside an address
                token = m.group()
                first = token[0]
                edit: tuple[int, int, str] | None
                if first == "'":
                    if 0 < at < last and context[at - 1].isalnum() and context[at + 1].isalnum():
                        decided[at] = _WORD  # didn't, rock'n'roll: the common case
                        edit = (at, at + 1, APOSTROPHE)
                    else:
                        edit = self.single(at)
                elif first == '"':
                    edit = self.double(leaf, at)
                elif first == "-":
                    if len(token) > 3:
                        continue  # a longer run was typed on purpose
                    edit = (at, m.end(), EN_DASH if len(token) == 2 else EM_DASH)
                elif first == ".":
                    count, rest = divmod(len(token), 3)
                    edit = (at, m.end(), ELLIPSIS * count + "." * rest)
                else:
                    edit = self.guillemet(leaf, token, at)
                if edit is not None:
                    edits.append(edit)
                    self.last_end = edit[1]
        return edits

    # -- quotes ----------------------------------------------------------------

    def double(self, leaf: _Leaf, at: int) -> tuple[int, int, str]:
        before, after = self.before(at), self.after(at + 1)
        # After a space or an opening bracket a quote opens, unless it stands
        # alone between spaces and closes one already open.
        opening = before in (_SPACE, _OPEN) and (after != _SPACE or self.open_double == 0)
        if opening:
            self.open_double += 1
            self.decided[at] = _OPEN
            return self.spaced(leaf, at, self.marks.open, opening=True)
        self.open_double = max(0, self.open_double - 1)
        self.decided[at] = _PUNCT
        return self.spaced(leaf, at, self.marks.close, opening=False)

    def single(self, at: int) -> tuple[int, int, str]:
        before, after = self.before(at), self.after(at + 1)
        if before == _WORD and after == _WORD:
            return self.apostrophe(at)
        if before in (_WORD, _PUNCT) or after == _SPACE:
            # After a word it closes a quotation if one is open (`'so'`),
            # else it is an apostrophe (`the students' books`, `goin'`).
            if self.open_single:
                self.open_single -= 1
                self.decided[at] = _PUNCT
                return at, at + 1, self.marks.inner_close
            return self.apostrophe(at)
        if _ELISIONS.match(self.context, at):
            return self.apostrophe(at)  # '90s, rock 'n' roll, 'tis
        self.open_single += 1
        self.decided[at] = _OPEN
        return at, at + 1, self.marks.inner_open

    def apostrophe(self, at: int) -> tuple[int, int, str]:
        self.decided[at] = _WORD
        return at, at + 1, APOSTROPHE

    def guillemet(self, leaf: _Leaf, mark: str, at: int) -> tuple[int, int, str] | None:
        """Typed guillemets in French get the no-break space a line must not
        break at (`« mot »`): a plain space beside them becomes one."""
        if not self.marks.open.endswith(NBSP):
            return None
        text, i = leaf.text, at - leaf.start
        if mark == "«" and text[i + 1 : i + 2] == " ":
            return at, at + 2, "«" + NBSP
        if mark == "»" and i > 0 and text[i - 1] == " " and at - 1 >= self.last_end:
            return at - 1, at + 1, NBSP + "»"
        return None

    def spaced(self, leaf: _Leaf, at: int, mark: str, *, opening: bool) -> tuple[int, int, str]:
        """The mark replacing a quote; a mark that carries its own no-break
        space takes the place of a plain space typed beside the quote."""
        if NBSP not in mark:
            return at, at + 1, mark
        text, i = leaf.text, at - leaf.start
        if opening and text[i + 1 : i + 2] == " ":
            return at, at + 2, mark
        if not opening and i > 0 and text[i - 1] == " " and at - 1 >= self.last_end:
            return at - 1, at + 1, mark
        return at, at + 1, mark

    # -- the characters around a quote ------------------------------------------

    def before(self, at: int) -> int:
        if at == 0:
            return _SPACE
        decided = self.decided.get(at - 1)
        if decided is not None:
            return decided
        return self.kind(self.context[at - 1])

    def after(self, at: int) -> int:
        if at >= len(self.context):
            return _SPACE
        return self.kind(self.context[at])

    def kind(self, char: str) -> int:
        kind = self.kinds.get(char)
        if kind is not None:
            return kind
        if char.isspace():
            return _SPACE
        if char.isalnum():
            return _WORD
        category = unicodedata.category(char)
        if category[0] == "M":
            return _WORD
        if category in ("Ps", "Pi", "Pd"):
            return _OPEN
        return _PUNCT


def _ascii_kinds() -> dict[str, int]:
    kinds: dict[str, int] = {}
    for code in range(128):
        char = chr(code)
        if char.isspace():
            kinds[char] = _SPACE
        elif char.isalnum():
            kinds[char] = _WORD
        elif char in "([{<-/":
            kinds[char] = _OPEN
        else:
            kinds[char] = _PUNCT
    return kinds


_ASCII_KINDS = _ascii_kinds()


def _has_special(text: str) -> bool:
    # Substring tests are ten times faster than a regular expression search.
    return "'" in text or '"' in text or "--" in text or "..." in text or "«" in text or "»" in text


def _addresses(text: str, offset: int) -> list[tuple[int, int]]:
    """Where the addresses in `text` are (in its context, which it starts at
    `offset`), last first for popping. Each is found from what every address
    holds (`://`, `www.`, `mailto:`, `@`), which is much faster than trying
    the whole pattern at every word."""
    if ":" not in text and "www." not in text and "@" not in text:
        return []
    spans: list[tuple[int, int]] = []
    covered = 0
    for hint in _ADDRESS_HINT.finditer(text):
        at = hint.start()
        if at < covered:
            continue
        start = at
        if hint.group() == "@":
            while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "._+-'"):
                start -= 1
            while start < at and text[start] in "'.":
                start += 1  # a quotation mark before an address is not its own
            tail = _DOMAIN.match(text, hint.end())
        else:
            if hint.group() == "://":
                while (
                    start > 0
                    and text[start - 1].isascii()
                    and (text[start - 1].isalnum() or text[start - 1] in "+.-")
                ):
                    start -= 1
                if not text[start : start + 1].isalpha():
                    continue
            elif start > 0 and text[start - 1].isalnum():
                continue  # `www.` or `mailto:` inside a word
            tail = _URL_TAIL.match(text, hint.end())
        if (start == at and hint.group() == "@") or tail is None:
            continue
        covered = tail.end()
        spans.append((start + offset, covered + offset))
    return spans[::-1]


# --------------------------------------------------------------------------
# Rebuilding the spans
# --------------------------------------------------------------------------


def _rebuild(
    spans: tuple[Span, ...], leaves: Iterator[_Leaf], edits: list[tuple[int, int, str]]
) -> tuple[Span, ...]:
    """`spans` with `edits` applied to their text leaves, which come from
    `leaves` in the order `_flatten` made them."""
    return _rebuild_spans(spans, leaves, _EditCursor(edits))


class _EditCursor:
    def __init__(self, edits: list[tuple[int, int, str]]) -> None:
        self.edits = edits
        self.next = 0

    def apply(self, leaf: _Leaf) -> str:
        """The leaf's text with the edits that start inside it (an edit never
        reaches outside the leaf it starts in)."""
        end = leaf.start + len(leaf.text)
        edits, i = self.edits, self.next
        if i >= len(edits) or edits[i][0] >= end:
            return leaf.text
        parts: list[str] = []
        position = leaf.start
        while i < len(edits) and edits[i][0] < end:
            start, stop, replacement = edits[i]
            parts.append(leaf.text[position - leaf.start : start - leaf.start])
            parts.append(replacement)
            position = stop
            i += 1
        parts.append(leaf.text[position - leaf.start :])
        self.next = i
        return "".join(parts)


def _rebuild_spans(
    spans: tuple[Span, ...], leaves: Iterator[_Leaf], cursor: _EditCursor
) -> tuple[Span, ...]:
    out: list[Span] = []
    changed = False
    for span in spans:
        new: Span = span
        if isinstance(span, (Text, Code, Citation, LineBreak)):
            leaf = next(leaves)
            if isinstance(span, Text):
                text = cursor.apply(leaf)
                if text != span.text:
                    new = Text(text)
        elif isinstance(span, Link) and _shows_address(span):
            next(leaves)
        elif isinstance(span, (Strong, Emphasis, Link)):
            children = _rebuild_spans(span.children, leaves, cursor)
            if children is not span.children:
                new = dataclasses.replace(span, children=children)
        changed = changed or new is not span
        out.append(new)
    return tuple(out) if changed else spans
