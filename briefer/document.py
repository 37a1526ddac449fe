"""The intermediate document: typed blocks and inline spans.

`briefer.compose` turns a brief and a template into a `Document`; every
exporter reads only this. Text held in spans is plain Unicode, never markup:
each renderer escapes it for its own format. Blocks are frozen dataclasses of
tuples so a composed document can be shared between threads and renderers.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from briefer.model import Meta, Style
from briefer.text import clean_text

# --------------------------------------------------------------------------
# Inline spans
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Strong:
    children: tuple[Span, ...]


@dataclass(frozen=True)
class Emphasis:
    children: tuple[Span, ...]


@dataclass(frozen=True)
class Code:
    text: str


@dataclass(frozen=True)
class Link:
    """A hyperlink. Renderers make it clickable only if `is_safe_url(href)`."""

    href: str
    children: tuple[Span, ...]


@dataclass(frozen=True)
class Citation:
    """A `[@key]` citation. `n` is its 1-based number in `Document.sources`,
    or 0 when the key is unknown (renderers then show `[?key]` as text)."""

    key: str
    n: int = 0


@dataclass(frozen=True)
class LineBreak:
    pass


Span = Text | Strong | Emphasis | Code | Link | Citation | LineBreak


# --------------------------------------------------------------------------
# Blocks
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Title:
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Subtitle:
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Heading:
    """A heading; `level` is 1-3 after composing (1 = a section heading).
    `anchor` is a document-unique id for internal links (contents, PDF outline)."""

    level: int
    spans: tuple[Span, ...]
    anchor: str = ""


@dataclass(frozen=True)
class Paragraph:
    """A paragraph. `lead_in`, when set, is a bold label that opens it
    (the template's `heading_look = "lead-in"`)."""

    spans: tuple[Span, ...]
    lead_in: str = ""


@dataclass(frozen=True)
class ListItem:
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class BulletList:
    items: tuple[ListItem, ...]


@dataclass(frozen=True)
class OrderedList:
    items: tuple[ListItem, ...]
    start: int = 1


@dataclass(frozen=True)
class Quote:
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class CodeBlock:
    text: str
    language: str = ""


class Align:
    """Column alignment values used by `Table.align`."""

    DEFAULT = ""
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True)
class Table:
    """A table. Each cell is a tuple of spans; `header` may be empty."""

    header: tuple[tuple[Span, ...], ...]
    rows: tuple[tuple[tuple[Span, ...], ...], ...]
    align: tuple[str, ...] = ()


@dataclass(frozen=True)
class Image:
    """An image. `path` is a vetted local file, or None when the source was
    refused or missing; renderers then draw a placeholder naming `alt`."""

    src: str
    alt: str = ""
    path: Path | None = None


@dataclass(frozen=True)
class HorizontalRule:
    pass


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class ContentsEntry:
    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class Contents:
    """An "In this article" list of the document's headings."""

    title: str
    entries: tuple[ContentsEntry, ...]


@dataclass(frozen=True)
class SourceEntry:
    """One source, numbered `n` in order of first citation.
    `spans` is the formatted reference, the same text in every format.

    `cited` is false only for a source a "Source:" line names although no
    `[@key]` cites it (a Markdown brief's closing `Source: Bloomberg`): it
    is numbered after the cited ones, and renderers show no number for it.
    """

    n: int
    key: str
    publisher: str
    title: str
    url: str
    spans: tuple[Span, ...]
    cited: bool = True

    @property
    def name(self) -> str:
        """How a "Source:" line names the source: its publisher, else its
        title, else its key."""
        return self.publisher or self.title or self.key


@dataclass(frozen=True)
class SourcesList:
    """The numbered list of sources (endnotes citation style)."""

    title: str
    entries: tuple[SourceEntry, ...]


@dataclass(frozen=True)
class SourceLine:
    """A closing line such as "Source: Reuters [1]; AP [2]"."""

    label: str
    entries: tuple[SourceEntry, ...]


Block = (
    Title
    | Subtitle
    | Heading
    | Paragraph
    | BulletList
    | OrderedList
    | ListItem
    | Quote
    | CodeBlock
    | Table
    | Image
    | HorizontalRule
    | PageBreak
    | Contents
    | SourcesList
    | SourceLine
)


class DiagnosticKind(enum.Enum):
    """What a diagnostic is about, so a window can mark the right place."""

    OVER_BUDGET = "over-budget"  # a section has more words than its budget
    MISSING_REQUIRED = "missing-required"  # a required section is missing or empty
    UNKNOWN_CITATION = "unknown-citation"  # `[@key]` names no source of the brief
    UNUSED_SOURCE = "unused-source"  # a source no section cites
    HIDDEN_CLASSIFICATION = "hidden-classification"  # the template shows it nowhere
    MISSING_IMAGE = "missing-image"  # an image that is not a usable local file
    EXPORT = "export"  # a renderer's note (fonts, endnote fallback, ...)


@dataclass(frozen=True)
class Diagnostic:
    """One problem found while composing or rendering a brief: its `kind`,
    the `section` it is in (the section id, "" for the whole brief), the
    source `key` it concerns (for citations and sources) and the message a
    person reads, which names sections by their heading."""

    kind: DiagnosticKind
    message: str
    section: str = ""
    key: str = ""

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Document:
    """Everything an exporter needs, and nothing it has to look up. Frozen:
    renderers return their own warnings, so one document can be rendered by
    several exporters, on several threads."""

    meta: Meta
    style: Style
    blocks: tuple[Block, ...]
    sources: tuple[SourceEntry, ...] = ()  # sources[n-1].n == n
    diagnostics: tuple[Diagnostic, ...] = ()  # what compose noticed
    # Creation time written into document properties. Set together with
    # `deterministic` (from SOURCE_DATE_EPOCH) so two exports are identical.
    created: dt.datetime | None = None
    deterministic: bool = False

    def __post_init__(self) -> None:
        for name in ("blocks", "sources", "diagnostics"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))

    @property
    def warnings(self) -> list[str]:
        """The messages of the diagnostics, for a command line to print."""
        return [d.message for d in self.diagnostics]

    def source(self, n: int) -> SourceEntry | None:
        return self.sources[n - 1] if 0 < n <= len(self.sources) else None


# --------------------------------------------------------------------------
# Helpers shared by renderers and tests
# --------------------------------------------------------------------------

SAFE_URL_SCHEMES = ("http://", "https://", "mailto:")

# The bullet of a list item at depth 1, 2 and 3, in every format.
BULLET_GLYPHS = ("\u2022", "\u25e6", "\u25aa")


def is_safe_url(href: str) -> bool:
    """Only http, https and mailto links may become clickable."""
    return href.strip().lower().startswith(SAFE_URL_SCHEMES)


# The fields a header or footer pattern may hold. `{page}` and `{pages}` are
# filled by the renderer; the others come from the brief (`field_values`).
HEADER_FIELDS = ("title", "date", "page", "pages", "classification", "author")
HEADER_FIELD = re.compile(r"\{(" + "|".join(HEADER_FIELDS) + r")\}")


def field_values(meta: Meta) -> dict[str, str]:
    """The text fields of a header or footer, from the brief's metadata
    (as given: renderers clean the text they write)."""
    return {
        "title": meta.title,
        "date": meta.date,
        "classification": meta.classification,
        "author": meta.author,
    }


_SEPARATOR = re.compile(r"^[\s·•|/,;:\-–—]*$")


def drop_empty_fields(pattern: str, meta: Meta) -> str:
    """A header or footer pattern without the text fields this brief leaves
    empty, each taken out with one separator beside it, so a footer
    `{author} · {date} · Page {page}` of a brief with no author reads
    `{date} · Page {page}` rather than ` · 2026-11-22 · Page 1`."""
    values = field_values(meta)
    parts = HEADER_FIELD.split(pattern)  # literal, field, literal, field, ..., literal
    i = 1
    while i < len(parts):
        name = parts[i]
        if name in values and not values[name].strip():
            before, after = parts[i - 1], parts[i + 1]
            if before and _SEPARATOR.match(before) and i > 1:
                parts[i - 1 : i + 1] = []  # drop the separator before it
            elif _SEPARATOR.match(after):
                parts[i : i + 2] = [""]  # drop the separator after it
                parts[i - 1 : i + 1] = [parts[i - 1] + parts[i]]
            elif not before.strip():
                # Nothing but space before it: the separator opening the
                # text after it goes too (`{title} · Page` -> `Page`).
                parts[i - 1 : i + 2] = [before + after.lstrip(" ·•|/,;:-–—")]
            else:
                parts[i - 1 : i + 2] = [before + after]
            continue
        i += 2
    out = []
    for index, part in enumerate(parts):
        out.append(f"{{{part}}}" if index % 2 else part)
    return "".join(out).strip()


def banner_text(document: Document) -> str:
    """The classification banner at the top and bottom of every page, or ""
    when the template shows none or the brief has no classification."""
    if not document.style.banner:
        return ""
    return clean_text(document.meta.classification).strip()


def citation_label(citation: Citation) -> str:
    """The visible marker of a citation: `1` or, if unknown, `?key`."""
    return str(citation.n) if citation.n else f"?{citation.key}"


def plain_text(spans: tuple[Span, ...] | list[Span]) -> str:
    """The visible text of spans, citations as `[n]`, line breaks as newlines."""
    out: list[str] = []
    for span in spans:
        if isinstance(span, (Text, Code)):
            out.append(span.text)
        elif isinstance(span, (Strong, Emphasis, Link)):
            out.append(plain_text(span.children))
        elif isinstance(span, Citation):
            out.append(f"[{citation_label(span)}]")
        elif isinstance(span, LineBreak):
            out.append("\n")
    return "".join(out)


def iter_spans(spans: tuple[Span, ...]) -> Iterator[Span]:
    """Every span, depth first, containers before their children."""
    for span in spans:
        yield span
        if isinstance(span, (Strong, Emphasis, Link)):
            yield from iter_spans(span.children)


def iter_blocks(blocks: tuple[Block, ...] | list[Block]) -> Iterator[Block]:
    """Every block, depth first, containers before their children."""
    for block in blocks:
        yield block
        if isinstance(block, (BulletList, OrderedList)):
            for item in block.items:
                yield item
                yield from iter_blocks(item.blocks)
        elif isinstance(block, (ListItem, Quote)):
            yield from iter_blocks(block.blocks)


def block_text(block: Block) -> str:
    """The visible text of one block and its children, for tests and search."""
    if isinstance(block, (Title, Subtitle, Heading)):
        return plain_text(block.spans)
    if isinstance(block, Paragraph):
        text = plain_text(block.spans)
        return f"{block.lead_in} {text}".strip() if block.lead_in else text
    if isinstance(block, (BulletList, OrderedList)):
        return "\n".join(block_text(item) for item in block.items)
    if isinstance(block, (ListItem, Quote)):
        return "\n".join(block_text(child) for child in block.blocks)
    if isinstance(block, CodeBlock):
        return block.text
    if isinstance(block, Table):
        rows = ((block.header,) if block.header else ()) + block.rows
        return "\n".join(" ".join(plain_text(cell) for cell in row) for row in rows)
    if isinstance(block, Image):
        return block.alt
    if isinstance(block, Contents):
        return "\n".join([block.title, *(e.text for e in block.entries)])
    if isinstance(block, SourcesList):
        return "\n".join([block.title, *(plain_text(e.spans) for e in block.entries)])
    if isinstance(block, SourceLine):
        return " ".join([block.label, *(e.name for e in block.entries)])
    return ""
