"""Markdown section text -> document blocks and inline spans.

`MarkdownParser` turns the Markdown an analyst types into a section body into
the typed blocks of `briefer.document`, using Python-Markdown for the parsing
and walking its element tree instead of serialising HTML. Raw HTML is never
interpreted: tags, comments and entities come out as the literal text that
was typed, because a brief is data and the renderers escape it themselves.

Supported syntax:

- headings (`#` to `######`, and setext `===`/`---` underlines), level as
  written; a thematic break is never a heading's text (`---` then `---` are
  two rules, as CommonMark has it);
- paragraphs; hard line breaks (two trailing spaces, or a trailing backslash);
- `**strong**`, `*emphasis*` (also with `_`), `` `inline code` ``;
- links `[text](url)`, `[text](<url with spaces> "title")`, reference links
  `[text][ref]`, autolinks `<https://example.com>` and `<name@example.com>`;
  hrefs are kept as written. A link whose target is not one CommonMark
  accepts (`[a](not a link)`, `[a](/my uri)`) is shown as typed, brackets and
  all, as is a reference definition that is not one (`[a]: <b>(c)`, or a
  line inside a paragraph);
- images: `![alt](src)` alone in a paragraph becomes an `Image` block; an image
  inside a sentence becomes the text `[alt]`;
- citations `[@key]`, `[@a; @b]` (keys: letters, digits and `_-:./`, not
  ending in `.`); the caller numbers them;
- bullet lists, ordered lists keeping their start number, nested with two or
  four spaces; block quotes holding any of these;
- fenced code (backticks or tildes, optional language) and indented code;
- tables (`tables` extension) with column alignment, extra cells kept in the
  last column; horizontal rules;
- a backslash escapes any ASCII punctuation.

Everything else (HTML tags, `&entities;`, a lone `<`) is shown as typed.
Control characters XML forbids and lone surrogates are dropped by
`briefer.text.clean_text`. Absurdly deep nesting is flattened, never lost.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Sequence
from dataclasses import dataclass, field

import markdown
from markdown import util
from markdown.blockprocessors import BlockQuoteProcessor, ReferenceProcessor, SetextHeaderProcessor
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension, TableProcessor
from markdown.inlinepatterns import (
    AUTOMAIL_RE,
    IMAGE_LINK_RE,
    IMAGE_REFERENCE_RE,
    BacktickInlineProcessor,
    ImageInlineProcessor,
    ImageReferenceInlineProcessor,
    InlineProcessor,
    LinkInlineProcessor,
    ReferenceInlineProcessor,
    ShortImageReferenceInlineProcessor,
    ShortReferenceInlineProcessor,
    SubstituteTagInlineProcessor,
)
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from briefer.citekeys import CITATION, CITATION_PATTERN, CITED_KEY
from briefer.document import (
    Align,
    Block,
    BulletList,
    Citation,
    Code,
    CodeBlock,
    Emphasis,
    Heading,
    HorizontalRule,
    Image,
    LineBreak,
    Link,
    ListItem,
    OrderedList,
    Paragraph,
    Quote,
    Span,
    Strong,
    Table,
    Text,
)
from briefer.text import clean_text

__all__ = ["MarkdownParser", "parse_markdown"]

# --------------------------------------------------------------------------
# Patterns
# --------------------------------------------------------------------------

_CITATION_RE = CITATION_PATTERN
_CITATION = CITATION
_CITATION_KEYS = CITED_KEY

# A backslash at the end of a line, not itself escaped, is a hard break:
# an odd run of backslashes before a newline (checked in handleMatch).
_BACKSLASH_BREAK_RE = r"\\(?:\\*)\n"

# Python-Markdown's own link and code span patterns, rewritten to match the
# same places but to start with a literal or a consumed character instead of
# a lookbehind, which lets the regex engine skip ahead: 5-8 times faster.
_LINK_RE = r"\[(?<!\!\[)"  # as LINK_RE: a `[` not after `!`
# As BACKTICK_RE: an even run of backslashes before a backtick, or a backtick,
# neither preceded by a backslash; group 1 is the run.
_BACKTICK_RE = r"(?:(\\(?<!\\\\)\\(?:\\\\)*)(?=`)|`(?<!\\`))"

# Fenced code travels through Python-Markdown as a paragraph holding only
# this placeholder. STX/ETX cannot come from the user: clean_text drops them.
_FENCE_PLACEHOLDER = util.STX + "brieferfence:%d" + util.ETX
_FENCE_PLACEHOLDER_RE = re.compile(util.STX + r"brieferfence:(\d+)" + util.ETX)
_STASH_RE = re.compile(util.STX + r"wzxhzdk:(\d+)" + util.ETX)
_ESCAPED_CHAR_RE = re.compile(util.STX + r"(\d+)" + util.ETX)
_CONTROL_MARKERS_RE = re.compile("[" + util.STX + util.ETX + "]")

_QUOTE_PREFIX = re.compile(r"(?: {0,3}> ?)+")
_ONE_QUOTE = re.compile(r" {0,3}> ?")
_LIST_MARKER = re.compile(r"([*+-]|\d{1,9}\.)( +|$)")
_RULE = re.compile(r" {0,3}(?:(?:-[ ]*){3,}|(?:\*[ ]*){3,}|(?:_[ ]*){3,})$")
_FENCE_OPEN = re.compile(r"(`{3,})[ ]*([^`]*)$|(~{3,})[ ]*(.*)$")
_FENCE_CLOSE = re.compile(r"(`{3,}|~{3,})[ ]*$")
_BRACKETS = re.compile(r"[\[\]]")
_SOFT_BREAK = re.compile(r"[ \t]*\n[ \t]*")
# Every character an inline pattern in use can start with; text without any
# of them is plain and needs no inline pass.
_INLINE_MARKUP = re.compile(r"[`\\\[<*_]|  \n")

_BLOCK_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "hr"}
    | {"table", "div"}
)
_ASCII_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
# Deeper nesting is flattened, the text kept: lists nest this many levels
# (per quote), quotes and lists together this many, inline formatting this
# many. It keeps Python-Markdown, and every renderer walking the blocks,
# well inside Python's recursion limit.
_MAX_LIST_DEPTH = 16
_MAX_BLOCK_DEPTH = 24
_MAX_INLINE_DEPTH = 24
_ALIGN = {"left": Align.LEFT, "center": Align.CENTER, "right": Align.RIGHT}


# --------------------------------------------------------------------------
# Python-Markdown extensions of our own
# --------------------------------------------------------------------------


class _CitationProcessor(InlineProcessor):
    """`[@key]` and `[@a; @b]` -> one `<cite keys="a b">` element."""

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element, int, int]:
        return _cite_element(m), m.start(0), m.end(0)


def _cite_element(m: re.Match[str]) -> etree.Element:
    el = etree.Element("cite")
    el.set("keys", " ".join(_CITATION_KEYS.findall("@" + m.group(1))))
    return el


class _BackslashBreakProcessor(SubstituteTagInlineProcessor):
    """A trailing backslash is a `<br>`; escaped backslashes before it stay."""

    def handleMatch(
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element | None, int | None, int | None]:
        backslashes = len(m.group()) - 1
        if backslashes % 2 == 0:
            return None, None, None  # `\\` is an escaped backslash
        return etree.Element("br"), m.end() - 2, m.end()


class _PlainAutomailProcessor(InlineProcessor):
    """`<name@example.com>` -> a mailto link, without the entity obfuscation
    of Python-Markdown's own processor (which relies on its serialiser)."""

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element, int, int]:
        email = self.unescape(m.group(1)).removeprefix("mailto:")
        el = etree.Element("a")
        el.set("href", "mailto:" + email)
        el.text = util.AtomicString(email)
        return el, m.start(0), m.end(0)


class _MatchingBrackets:
    """Finds the `]` that closes a link's `[` without rescanning the rest of
    the paragraph for every unclosed `[`, which made Python-Markdown's own
    `getText` quadratic (seconds for a few thousand stray brackets)."""

    _SCAN_LIMIT = 64  # brackets to walk before using the whole-text table

    def __init__(self, pattern: str, md: markdown.Markdown) -> None:
        super().__init__(pattern, md)  # type: ignore[call-arg]
        self._table_for = ""
        self._table: dict[int, int] = {}

    def getText(self, data: str, index: int) -> tuple[str, int, bool]:
        opening = index - 1
        close = self._close(data, opening) if data[opening : opening + 1] == "[" else None
        if close is None:
            return data[index:], len(data), False
        return data[index:close], close + 1, True

    def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:
        # Without a `)` ahead the link cannot close; say so before the
        # character-by-character scan to the end of the paragraph.
        if data.find(")", index) == -1:
            return "", None, index, False
        href, title, end, handled = super().getLink(data, index)  # type: ignore[misc]
        # Python-Markdown takes `[a](not a link)` for a link to "not a
        # link" and hides it; CommonMark shows the text as typed.
        target = data[index + 1 : end - 1]
        if handled and not _valid_link_target(target):
            return "", None, index, False
        if handled and title is None and target.rstrip().endswith(")"):
            # A title in parentheses, `[a](/url (title))`, which
            # Python-Markdown reads as part of the address.
            start = _skip_space(target, 0)
            stop = _destination_end(target, start) or start
            rest = target[stop:].strip()
            if rest.startswith("("):
                address = target[start:stop]
                if address.startswith("<"):
                    address = address[1:-1]
                href, title = self.unescape(address).strip(), rest[1:-1]  # type: ignore[attr-defined]
        return href, title, end, handled

    def _close(self, data: str, opening: int) -> int | None:
        if data is self._table_for or data == self._table_for:
            return self._table.get(opening)
        depth = 0
        for count, m in enumerate(_BRACKETS.finditer(data, opening)):
            if m.group() == "[":
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    return m.start()
            if count > self._SCAN_LIMIT:
                break
        else:
            return None
        self._table_for, self._table = data, _bracket_pairs(data)
        return self._table.get(opening)


def _bracket_pairs(data: str) -> dict[int, int]:
    """Position of each `[` -> position of the `]` that closes it."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for m in _BRACKETS.finditer(data):
        if m.group() == "[":
            stack.append(m.start())
        elif stack:
            pairs[stack.pop()] = m.start()
    return pairs


def _valid_link_target(text: str) -> bool:
    """Whether `text`, what stands between the parentheses of `[a](...)`, is
    a link destination and optional title as CommonMark has them: `<a b>`,
    or an address without spaces and with balanced parentheses, then a
    title in double or single quotes or parentheses. Escaped characters
    are placeholders without spaces here, so they pass as they should."""
    at = _skip_space(text, 0)
    if at == len(text):
        return True  # `[link]()`
    end = _destination_end(text, at)
    if end is None:
        return False
    title = _skip_space(text, end)
    if title == len(text):
        return True
    if title == end:
        return False  # a title must be set apart by white space
    closing = {'"': '"', "'": "'", "(": ")"}.get(text[title])
    if closing is None:
        return False
    at = title + 1
    while at < len(text) and text[at] != closing:
        if text[at] == "(" and closing == ")":
            return False
        at += 2 if text[at] == "\\" else 1
    return at < len(text) and _skip_space(text, at + 1) == len(text)


def _destination_end(text: str, at: int) -> int | None:
    """Where the link destination starting at `at` ends, or None if none does."""
    if text[at] == "<":
        at += 1
        while at < len(text) and text[at] not in "<>\n":
            at += 2 if text[at] == "\\" else 1
        return at + 1 if at < len(text) and text[at] == ">" else None
    start, depth = at, 0
    while at < len(text):
        char = text[at]
        if char == "\\":
            at += 2
            continue
        if char.isspace() or (char < " " and char not in (util.STX, util.ETX)):
            break
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return None
        at += 1
    return at if at > start and depth == 0 else None


def _skip_space(text: str, at: int) -> int:
    """Past spaces and tabs and at most one line end, as between the parts
    of a link."""
    newline = False
    while at < len(text) and text[at] in " \t\n":
        if text[at] == "\n":
            if newline:
                break
            newline = True
        at += 1
    return at


class _Link(_MatchingBrackets, LinkInlineProcessor):
    pass


class _Image(_MatchingBrackets, ImageInlineProcessor):
    pass


class _Reference(_MatchingBrackets, ReferenceInlineProcessor):
    pass


class _ShortReference(_MatchingBrackets, ShortReferenceInlineProcessor):
    pass


class _ImageReference(_MatchingBrackets, ImageReferenceInlineProcessor):
    pass


class _ShortImageReference(_MatchingBrackets, ShortImageReferenceInlineProcessor):
    pass


_LINK_PATTERNS: tuple[tuple[type[_MatchingBrackets], str, str, int], ...] = (
    (_Reference, _LINK_RE, "reference", 170),
    (_Link, _LINK_RE, "link", 160),
    (_Image, IMAGE_LINK_RE, "image_link", 150),
    (_ImageReference, IMAGE_REFERENCE_RE, "image_reference", 140),
    (_ShortReference, _LINK_RE, "short_reference", 130),
    (_ShortImageReference, IMAGE_REFERENCE_RE, "short_image_ref", 125),
)


class _PlainTextMarker(Treeprocessor):
    """Marks text that holds no inline markup as atomic, so Python-Markdown's
    inline pass (most of the parsing time) skips it. Text whose only markup
    is citations gets its `<cite>` elements here, for the same reason."""

    def run(self, root: etree.Element) -> None:
        search = _INLINE_MARKUP.search
        for el in list(root.iter()):
            text = el.text
            if not text or isinstance(text, util.AtomicString):
                continue
            if not search(text):
                el.text = util.AtomicString(text)
            elif "@" in text and not search(_CITATION.sub("", text)):
                _split_citations(el, text)


def _split_citations(el: etree.Element, text: str) -> None:
    """Give `el` (block text, no inline children yet) atomic text with
    `<cite>` children in place of the citations."""
    cites: list[etree.Element] = []
    end = 0
    for m in _CITATION.finditer(text):
        if cites:
            cites[-1].tail = util.AtomicString(text[end : m.start()])
        else:
            el.text = util.AtomicString(text[: m.start()])
        cites.append(_cite_element(m))
        end = m.end()
    cites[-1].tail = util.AtomicString(text[end:])
    el[0:0] = cites


class _TableProcessor(TableProcessor):
    """Python-Markdown's table, but a row with more cells than the header
    keeps the extra ones (joined into its last cell) instead of dropping
    them: what the user typed is never lost."""

    def _build_row(self, row: str, parent: etree.Element, align: Sequence[str | None]) -> None:
        tr = etree.SubElement(parent, "tr")
        tag = "th" if parent.tag == "thead" else "td"
        cells = [cell.strip(" ") for cell in self._split_row(row)]
        if len(cells) > len(align) > 0:
            cells[len(align) - 1 :] = [" | ".join(cells[len(align) - 1 :])]
        for i, alignment in enumerate(align):
            cell = etree.SubElement(tr, tag)
            cell.text = cells[i] if i < len(cells) else ""
            if alignment:
                cell.set("align", alignment)


class _TableExtension(TableExtension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        super().extendMarkdown(md)
        md.parser.blockprocessors.register(
            _TableProcessor(md.parser, self.getConfigs()), "table", 75
        )


class _QuoteProcessor(BlockQuoteProcessor):
    """A blank line ends a block quote, as in CommonMark and pandoc: two
    quotes one after the other stay two quotes (each with its citation),
    where Python-Markdown would join them into one. A quote of several
    paragraphs keeps them together with `>` on the line between."""

    def lastChild(self, parent: etree.Element) -> etree.Element | None:
        child = super().lastChild(parent)
        # The only use of the last child is to continue a quote: never do.
        return None if child is not None and child.tag == "blockquote" else child


class _ReferenceProcessor(ReferenceProcessor):
    """Link reference definitions as CommonMark has them: one starts a block
    (it never interrupts a paragraph: `Foo\\n[bar]: /baz` is text) and its
    destination is a whole one (`[foo]: <bar>(baz)` is text too). Python-
    Markdown would take both and hide the line."""

    def run(self, parent: etree.Element, blocks: list[str]) -> bool:
        block = blocks[0]
        m = self.RE.match(block)
        if m is None or _destination_end(m.group(2), 0) != len(m.group(2)):
            return False
        blocks.pop(0)
        link = m.group(2)
        if link.startswith("<"):
            link = link[1:-1]
        self.parser.md.references[m.group(1).strip().lower()] = (link, m.group(5) or m.group(6))
        rest = block[m.end() :].lstrip("\n")
        if rest.strip():
            blocks.insert(0, rest)
        return True


class _SetextProcessor(SetextHeaderProcessor):
    """Python-Markdown's setext headings, but a thematic break is never a
    heading's text: `---` then `---` are two rules, as in CommonMark
    (example 98), not a heading reading "---"."""

    def test(self, parent: etree.Element, block: str) -> bool:
        return super().test(parent, block) and not _RULE.match(block.partition("\n")[0])


@dataclass
class _ListItem:
    marker: int  # column of the list marker in the source
    content: int  # column where the item's text starts in the source


@dataclass
class _Fence:
    depth: int  # block quote depth the fence lives in
    prefix: str  # the quote prefix of its opening line
    indent: int  # source indent of the opening fence, stripped from content
    target: int  # indent of the placeholder in the output
    marker: str  # the fence itself, e.g. "```"
    language: str
    lines: list[str] = field(default_factory=list)
    item_line: str = ""  # the list marker line, when the fence opens on one


class _BlockPreprocessor(Preprocessor):
    """Takes fenced code out of the text, and re-indents nested lists so that
    two-space nesting (common in the wild) nests the way Python-Markdown's
    four-space rule expects. Fenced code is never re-indented."""

    def __init__(self, md: markdown.Markdown, codes: list[CodeBlock]) -> None:
        super().__init__(md)
        self.codes = codes

    def run(self, lines: list[str]) -> list[str]:
        normaliser = _LineNormaliser(self.codes)
        for line in lines:
            normaliser.feed(line)
        return normaliser.finish()


class _LineNormaliser:
    """One pass over the lines of a document (see `_BlockPreprocessor`).

    Each list item's children move to four spaces per level; lines that
    continue an item keep their indent relative to the item's text. A fenced
    code block becomes a placeholder paragraph at the indent of its fence,
    its text kept in `codes`. Block quotes are followed by their `>` prefix,
    with one list stack per quote depth.
    """

    def __init__(self, codes: list[CodeBlock]) -> None:
        self.codes = codes
        self.out: list[str] = []
        self.stacks: dict[int, list[_ListItem]] = {}
        self.fence: _Fence | None = None
        self.prev_blank = True

    def feed(self, line: str) -> None:
        if self.fence is not None:
            rest = _strip_quotes(line, self.fence.depth)
            if rest is not None:
                self._fence_line(self.fence, rest)
                return
            self._close_fence()  # the quote around the fence ended, so did it

        top = self.stacks.get(0)
        quote = _QUOTE_PREFIX.match(line)
        if quote and top and len(line) - len(line.lstrip(" ")) >= top[0].content:
            quote = None  # a quote inside a list item: plain item content
        prefix = quote.group() if quote else ""
        depth = prefix.count(">")
        for deeper in [d for d in self.stacks if d > depth]:
            del self.stacks[deeper]
        stack = self.stacks.setdefault(depth, [])
        rest = line[len(prefix) :]
        if not rest.strip():
            self.out.append(line)
            self.prev_blank = True
            return
        indent = len(rest) - len(rest.lstrip(" "))
        body = rest[indent:]
        marker = None if _RULE.match(rest) else _LIST_MARKER.match(body)
        if marker and (stack or indent <= 3):
            self._item_line(stack, prefix, depth, indent, body, marker)
        else:
            self._other_line(stack, prefix, depth, indent, body)

    def finish(self) -> list[str]:
        self._close_fence()
        return self.out

    def _fence_line(self, fence: _Fence, rest: str) -> None:
        indent = len(rest) - len(rest.lstrip(" "))
        close = _FENCE_CLOSE.fullmatch(rest, indent)
        if (
            close
            and indent <= fence.indent + 3
            and close.group(1)[0] == fence.marker[0]
            and len(close.group(1)) >= len(fence.marker)
        ):
            self._close_fence()
        else:
            fence.lines.append(rest[min(indent, fence.indent) :])

    def _item_line(
        self,
        stack: list[_ListItem],
        prefix: str,
        depth: int,
        indent: int,
        body: str,
        marker: re.Match[str],
    ) -> None:
        while stack and stack[-1].marker >= indent:
            stack.pop()
        if not stack and not self.prev_blank and _interrupts(marker.group(1)):
            # Let a list start right under a paragraph line, as CommonMark
            # does; Python-Markdown would glue it to the paragraph.
            self.out.append(prefix.rstrip())
        target = 4 * min(len(stack), _MAX_LIST_DEPTH)
        spaces = len(marker.group(2))
        width = len(marker.group(1)) + (spaces if 0 < spaces <= 4 else 1)
        stack.append(_ListItem(indent, indent + width))
        opening = _FENCE_OPEN.match(body, marker.end())
        if opening:
            self.fence = _open_fence(opening, depth, prefix, indent + width, target + 4)
            self.fence.item_line = prefix + " " * target + body[: marker.end()]
            return
        self.out.append(prefix + " " * target + body)
        self.prev_blank = False

    def _other_line(
        self, stack: list[_ListItem], prefix: str, depth: int, indent: int, body: str
    ) -> None:
        target = None
        for level in range(len(stack) - 1, -1, -1):
            if indent >= stack[level].content:
                extra = indent - stack[level].content
                target = 4 * min(level + 1, _MAX_LIST_DEPTH) + extra
                break
        opening = _FENCE_OPEN.match(body)
        if target is None:
            if self.prev_blank or opening:
                stack.clear()  # the list has ended
            target = indent
            extra = indent if not stack else 0
        if opening and extra <= 3:
            self.fence = _open_fence(opening, depth, prefix, indent, target)
            return
        self.out.append(prefix + " " * target + body)
        self.prev_blank = False

    def _close_fence(self) -> None:
        fence, self.fence = self.fence, None
        if fence is None:
            return
        self.prev_blank = True
        while fence.lines and not fence.lines[-1].strip():
            fence.lines.pop()  # an unclosed fence runs into the padding
        placeholder = _FENCE_PLACEHOLDER % len(self.codes)
        self.codes.append(CodeBlock("\n".join(fence.lines), fence.language))
        blank = fence.prefix.rstrip()
        if fence.item_line:
            self.out.append(fence.item_line + placeholder)
        else:
            self.out.extend([blank, fence.prefix + " " * fence.target + placeholder])
        self.out.append(blank)


def _strip_quotes(line: str, depth: int) -> str | None:
    """`line` without its first `depth` quote markers; None if it has fewer."""
    for _ in range(depth):
        m = _ONE_QUOTE.match(line)
        if m is None:
            return None
        line = line[m.end() :]
    return line


def _interrupts(marker: str) -> bool:
    """Whether a list with this marker may start right after a paragraph."""
    return not marker[0].isdigit() or marker == "1."


def _open_fence(m: re.Match[str], depth: int, prefix: str, indent: int, target: int) -> _Fence:
    marker = m.group(1) or m.group(3)
    info = (m.group(2) if m.group(1) else m.group(4)) or ""
    words = info.split()
    language = words[0].strip("{}.") if words else ""
    return _Fence(depth, prefix, indent, target, marker, language)


# --------------------------------------------------------------------------
# The parser
# --------------------------------------------------------------------------


class MarkdownParser:
    """Parses Markdown text into document blocks.

    One configured `markdown.Markdown` instance is built here and reused, so
    a parser is cheap to call many times but must not be shared between
    threads. Each `parse` starts from a clean state.
    """

    def __init__(self) -> None:
        self._codes: list[CodeBlock] = []
        md = markdown.Markdown(
            extensions=[_TableExtension(), SaneListExtension()],
            lazy_ol=False,
        )
        # Any ASCII punctuation may be backslash-escaped, as in CommonMark.
        md.ESCAPED_CHARS = sorted(set(md.ESCAPED_CHARS) | set(_ASCII_PUNCTUATION))
        # Raw HTML and entities are text, never markup.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.inlinePatterns.deregister("entity")
        md.inlinePatterns.deregister("automail")
        md.inlinePatterns.register(_PlainAutomailProcessor(AUTOMAIL_RE, md), "automail", 110)
        md.inlinePatterns.register(BacktickInlineProcessor(_BACKTICK_RE), "backtick", 190)
        for cls, pattern, name, priority in _LINK_PATTERNS:
            md.inlinePatterns.register(cls(pattern, md), name, priority)
        md.inlinePatterns.register(_CitationProcessor(_CITATION_RE, md), "citation", 175)
        md.inlinePatterns.register(
            _BackslashBreakProcessor(_BACKSLASH_BREAK_RE, "br"), "backslash_break", 185
        )
        md.parser.blockprocessors.register(_QuoteProcessor(md.parser), "quote", 20)
        md.parser.blockprocessors.register(_SetextProcessor(md.parser), "setextheader", 60)
        md.parser.blockprocessors.register(_ReferenceProcessor(md.parser), "reference", 15)
        md.preprocessors.register(_BlockPreprocessor(md, self._codes), "briefer_blocks", 25)
        md.treeprocessors.register(_PlainTextMarker(md), "briefer_plain", 25)
        # Pretty-printing only adds whitespace for the HTML serialiser, and
        # escaped characters are restored by `_resolve` while walking.
        md.treeprocessors.deregister("prettify")
        md.treeprocessors.deregister("unescape")
        self._md = md

    def parse(self, text: str) -> list[Block]:
        """The blocks of `text`; `[]` for empty or blank text."""
        text = clean_text(text)
        if not text.strip():
            return []
        md = self._md
        md.reset()
        self._codes.clear()
        lines = text.split("\n")
        for preprocessor in md.preprocessors:
            lines = preprocessor.run(lines)
        try:
            root = md.parser.parseDocument(lines).getroot()
        except RecursionError:  # absurd nesting that slipped past the caps
            return _plain_paragraphs(text)
        for treeprocessor in md.treeprocessors:
            new_root = treeprocessor.run(root)
            if new_root is not None:
                root = new_root
        try:
            return self._container(root)
        except RecursionError:
            return _plain_paragraphs(text)

    # -- blocks ------------------------------------------------------------

    def _container(self, el: etree.Element, depth: int = 0) -> list[Block]:
        """The blocks of an element that may mix loose inline content (a
        tight list item's text) with block children. `depth` counts the
        quotes and lists around it."""
        blocks: list[Block] = []
        pending: list[str | etree.Element] = [el.text] if el.text else []
        for child in el:
            if child.tag in _BLOCK_TAGS:
                self._flush(pending, blocks)
                blocks.extend(self._block(child, depth))
                if child.tail and child.tail.strip():
                    pending.append(child.tail)
            else:
                pending.append(child)
        self._flush(pending, blocks)
        return blocks

    def _flush(self, pending: list[str | etree.Element], blocks: list[Block]) -> None:
        if not pending:
            return
        code = self._fenced(pending)
        if code is not None:
            blocks.append(code)
        else:
            img = _lone_image(pending)
            if img is not None:
                src, alt = self._resolve(img.get("src") or ""), self._resolve(img.get("alt") or "")
                blocks.append(Image(src, alt))
            else:
                spans = self._spans(pending)
                if spans:
                    blocks.append(Paragraph(spans))
        pending.clear()

    def _fenced(self, pending: list[str | etree.Element]) -> CodeBlock | None:
        if len(pending) == 1 and isinstance(pending[0], str):
            m = _FENCE_PLACEHOLDER_RE.fullmatch(pending[0].strip())
            if m and int(m.group(1)) < len(self._codes):
                return self._codes[int(m.group(1))]
        return None

    def _block(self, el: etree.Element, depth: int) -> list[Block]:
        tag = el.tag
        if tag == "p":
            blocks: list[Block] = []
            self._flush(_content(el), blocks)
            return blocks
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            spans = self._spans(_content(el))
            return [Heading(int(tag[1]), spans)] if spans else []
        if tag in ("ul", "ol"):
            if depth >= _MAX_BLOCK_DEPTH:  # too deep: keep the items' content only
                return [block for li in el for block in self._container(li, depth)]
            items = tuple(ListItem(tuple(self._container(li, depth + 1))) for li in el)
            if tag == "ul":
                return [BulletList(items)]
            return [OrderedList(items, _int(el.get("start"), 1))]
        if tag == "blockquote":
            inner = self._container(el, min(depth + 1, _MAX_BLOCK_DEPTH))
            if depth >= _MAX_BLOCK_DEPTH:
                return inner
            return [Quote(tuple(inner))] if inner else []
        if tag == "pre":
            return [self._code_block(el)]
        if tag == "hr":
            return [HorizontalRule()]
        if tag == "table":
            return [self._table(el)]
        return self._container(el, depth)  # li outside a list, div: their content

    def _code_block(self, pre: etree.Element) -> CodeBlock:
        """An indented code block (fenced ones never reach the tree)."""
        text = _unescape_code(self._resolve("".join(pre.itertext())))
        return CodeBlock(text.strip("\n"))

    def _table(self, el: etree.Element) -> Table:
        header: tuple[tuple[Span, ...], ...] = ()
        rows: list[tuple[tuple[Span, ...], ...]] = []
        align: tuple[str, ...] = ()
        for tr in el.iter("tr"):
            cells = [cell for cell in tr if cell.tag in ("th", "td")]
            row = tuple(self._spans(_content(cell)) for cell in cells)
            if not align:
                align = tuple(_ALIGN.get(cell.get("align") or "", Align.DEFAULT) for cell in cells)
            if cells and cells[0].tag == "th" and not header and not rows:
                header = row
            else:
                rows.append(row)
        return Table(header, tuple(rows), align)

    # -- inline ------------------------------------------------------------

    def _spans(self, pending: list[str | etree.Element]) -> tuple[Span, ...]:
        """Spans of a paragraph-like run, tidied: merged, trimmed, no empties."""
        return _tidy(self._inline(pending), top=True)

    def _inline(self, items: list[str | etree.Element], depth: int = 0) -> list[Span]:
        spans: list[Span] = []
        for item in items:
            if isinstance(item, str):
                self._add_text(spans, item)
                continue
            spans.extend(self._element(item, depth))
            if item.tail:
                self._add_text(spans, item.tail)
        return spans

    def _add_text(self, spans: list[Span], text: str) -> None:
        text = self._resolve(text)
        if "\n" in text:
            text = _SOFT_BREAK.sub(" ", text)
        if text:
            spans.append(Text(text))

    def _element(self, el: etree.Element, depth: int) -> list[Span]:
        tag = el.tag
        if tag == "br":
            return [LineBreak()]
        if tag == "cite":
            return [Citation(key) for key in (el.get("keys") or "").split()]
        if tag == "code":
            text = _unescape_code(self._resolve("".join(el.itertext())))
            return [Code(_SOFT_BREAK.sub(" ", text))] if text else []
        if tag == "img":
            alt = self._resolve(el.get("alt") or "") or "image"
            return [Text(f"[{alt}]")]
        if depth >= _MAX_INLINE_DEPTH:  # keep renderers' recursion shallow
            return [Text(_SOFT_BREAK.sub(" ", self._resolve("".join(el.itertext()))))]
        children = _tidy(self._inline(_content(el), depth + 1), top=False)
        if tag == "strong":
            return [Strong(children)] if children else []
        if tag == "em":
            return [Emphasis(children)] if children else []
        if tag == "a":
            href = self._resolve(el.get("href") or "")
            return [Link(href, children or (Text(href),))] if children or href else []
        return list(children)  # anything unexpected: its text

    def _resolve(self, text: str) -> str:
        """Turn any Python-Markdown placeholder left in `text` back into the
        text it stands for, so nothing is lost and no marker leaks out."""
        if util.STX not in text and util.ETX not in text:
            return text
        text = _FENCE_PLACEHOLDER_RE.sub(self._fence_text, text)
        text = _STASH_RE.sub(self._stash_text, text)
        text = _ESCAPED_CHAR_RE.sub(lambda m: chr(int(m.group(1))), text)
        return _CONTROL_MARKERS_RE.sub("", text)

    def _fence_text(self, m: re.Match[str]) -> str:
        index = int(m.group(1))
        return self._codes[index].text if index < len(self._codes) else ""

    def _stash_text(self, m: re.Match[str]) -> str:
        blocks = self._md.htmlStash.rawHtmlBlocks
        index = int(m.group(1))
        if index >= len(blocks):
            return ""
        stored = blocks[index]
        return stored if isinstance(stored, str) else "".join(stored.itertext())


def parse_markdown(text: str) -> list[Block]:
    """The blocks of Markdown `text`, with a parser made for this one call."""
    return MarkdownParser().parse(text)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _plain_paragraphs(text: str) -> list[Block]:
    """The text as plain paragraphs: the fallback when the Markdown is nested
    too deeply to parse, so that nothing typed is lost."""
    chunks = re.split(r"\n[ \t]*\n", text)
    return [Paragraph((Text(_SOFT_BREAK.sub(" ", c.strip())),)) for c in chunks if c.strip()]


def _content(el: etree.Element) -> list[str | etree.Element]:
    """An element's inline content: its text, then its children."""
    items: list[str | etree.Element] = [el.text] if el.text else []
    items.extend(el)
    return items


def _lone_image(pending: list[str | etree.Element]) -> etree.Element | None:
    """The `<img>` that is all there is in `pending`, if it is."""
    elements = [item for item in pending if not isinstance(item, str)]
    if len(elements) != 1 or elements[0].tag != "img":
        return None
    img = elements[0]
    texts = [item for item in pending if isinstance(item, str)]
    if any(t.strip() for t in texts) or (img.tail and img.tail.strip()):
        return None
    return img


def _unescape_code(text: str) -> str:
    # Python-Markdown HTML-escapes code text in the tree (`util.code_escape`).
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _tidy(spans: list[Span], *, top: bool) -> tuple[Span, ...]:
    """Merge adjacent Text spans and drop empty ones; at paragraph level also
    trim the ends and the whitespace around line breaks."""
    merged: list[Span] = []
    for span in spans:
        if isinstance(span, Text):
            if not span.text:
                continue
            if merged and isinstance(merged[-1], Text):
                merged[-1] = Text(merged[-1].text + span.text)
                continue
        merged.append(span)
    if not top:
        return tuple(merged)
    if not any(isinstance(span, LineBreak) for span in merged):
        out = merged
    else:
        out = _tidy_breaks(merged)
    if out:
        out[0] = _strip_span(out[0], left=True)
        out[-1] = _strip_span(out[-1], left=False)
    return tuple(s for s in out if not (isinstance(s, Text) and not s.text))


def _tidy_breaks(merged: list[Span]) -> list[Span]:
    """No line break at either end, none with white space next to it."""
    out: list[Span] = []
    for i, span in enumerate(merged):
        if isinstance(span, LineBreak):
            if out and isinstance(out[-1], Text):
                out[-1] = Text(out[-1].text.rstrip())
                if not out[-1].text:
                    out.pop()
            if not out:
                continue  # no break at the start of a paragraph
            out.append(span)
        elif isinstance(span, Text) and i > 0 and isinstance(merged[i - 1], LineBreak):
            out.append(Text(span.text.lstrip()))
        else:
            out.append(span)
    while out and isinstance(out[-1], LineBreak):
        out.pop()
    return out


def _strip_span(span: Span, *, left: bool) -> Span:
    """`span` with whitespace stripped from its first (or last) text."""
    if isinstance(span, Text):
        text = span.text.lstrip() if left else span.text.rstrip()
        return span if text == span.text else Text(text)
    if isinstance(span, (Strong, Emphasis, Link)) and span.children:
        children = list(span.children)
        index = 0 if left else -1
        stripped = _strip_span(children[index], left=left)
        if stripped is children[index]:
            return span
        children[index] = stripped
        if isinstance(children[index], Text) and not children[index].text:
            children.pop(index)
        if not children:
            return span  # all white space: keep it rather than lose a link
        if isinstance(span, Link):
            return Link(span.href, tuple(children))
        return type(span)(tuple(children))
    return span
