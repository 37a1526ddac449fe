"""One table of paragraph metrics that both exporters lay text out by.

A brief exported to DOCX and to PDF should fill the same pages: the same
font sizes, the same distance from one baseline to the next and the same
space around paragraphs. Each exporter used to carry its own numbers (Word a
multiple of the font's own line height, reportlab a multiple of the font
size), so a one-page PDF became a two-page DOCX. Here every kind of
paragraph gets its `Metrics` once, from the template's `Style`; the PDF
styles and the Word styles are both made from them. Word is told the line
pitch "at least" (`w:lineRule="atLeast"`), which is the pitch reportlab
draws for text, and still lets a line grow round an inline picture.

Between two paragraphs both formats leave the larger of the space after
the first and the space before the second (Word's rule, and reportlab's
frame's), and page furniture sits where Word puts it: the header's top at
the header distance from the top edge, the footer's last line ending at the
footer distance from the bottom edge (`Furniture`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from briefer.document import drop_empty_fields
from briefer.model import Meta, Style

MM = 72 / 25.4  # points per millimetre


class Kind(enum.Enum):
    """The kinds of paragraph a brief is made of."""

    BODY = "body"
    TITLE = "title"
    SUBTITLE = "subtitle"
    HEADING_1 = "h1"
    HEADING_2 = "h2"
    HEADING_3 = "h3"
    LIST_ITEM = "listitem"
    QUOTE = "quote"
    CODE = "code"
    CAPTION = "caption"
    FOOTNOTE = "footnote"
    SOURCE_LINE = "source-line"
    SOURCE_ENTRY = "source-entry"
    TABLE_CELL = "cell"
    TABLE_HEAD = "cellhead"
    CONTENTS_TITLE = "contents-title"
    CONTENTS_ENTRY = "contents"
    CONTENTS_LAST = "contents-last"
    HEADER = "furniture"
    BANNER = "banner"


HEADING_KINDS = (Kind.HEADING_1, Kind.HEADING_2, Kind.HEADING_3)


@dataclass(frozen=True)
class Metrics:
    """Sizes in points: the font size, the baseline-to-baseline distance,
    and the space above and below the paragraph."""

    size: float
    leading: float
    before: float = 0.0
    after: float = 0.0


# Indents shared by both formats, in points.
LIST_INDENT = 18.0  # each list level; the bullet hangs in it
QUOTE_INDENT = 18.0  # a block quote, on both sides
SOURCE_HANGING = 21.25  # a numbered source hangs its number (425 twips)
CELL_PADDING_V = 3.0  # above and below a table cell's text
CELL_PADDING_H = 5.4  # left and right (108 twips, Word's own default)
FOOTNOTE_HANGING = 10.0  # a footnote's number hangs in this
TABLE_RULE = "A6A6A6"  # the colour of table borders
TABLE_RULE_WIDTH = 0.5  # their width; Word counts it in a row's height
TABLE_HEAD_FILL = "EEF2F7"  # behind a table's header row


def half(value: float) -> float:
    """`value` rounded to half a point, the finest size Word stores."""
    return max(1.0, round(value * 2) / 2)


def metrics(style: Style) -> dict[Kind, Metrics]:
    """The metrics of every kind of paragraph for `style`."""
    body = max(4.0, float(style.body_size_pt))
    spacing = max(1.0, float(style.line_spacing))
    leading = body * spacing
    title = max(6.0, float(style.title_size_pt))
    sub = half(body * 1.3)
    code = half(body * 0.88)
    small = half(body - 1)
    note = half(max(6.0, body * 0.8))
    furniture = half(max(6.0, body - 2))
    table: dict[Kind, Metrics] = {
        Kind.BODY: Metrics(body, leading, 0.0, body * 0.6),
        Kind.TITLE: Metrics(title, title * 1.2, 0.0, title * 0.35),
        Kind.SUBTITLE: Metrics(sub, sub * 1.3, 0.0, sub),
        Kind.LIST_ITEM: Metrics(body, leading, 0.0, body * 0.3),
        Kind.QUOTE: Metrics(body, leading, 0.0, body * 0.6),
        Kind.CODE: Metrics(code, code * 1.3, 4.0, body),
        Kind.CAPTION: Metrics(small, small * spacing, 3.0, body),
        Kind.FOOTNOTE: Metrics(note, note * 1.25, 0.0, 0.0),
        Kind.SOURCE_LINE: Metrics(body, leading, body, body * 0.6),
        Kind.SOURCE_ENTRY: Metrics(body, leading, 0.0, body * 0.3),
        Kind.TABLE_CELL: Metrics(body, leading, 0.0, 0.0),
        Kind.TABLE_HEAD: Metrics(body, leading, 0.0, 0.0),
        Kind.CONTENTS_ENTRY: Metrics(body, leading, 0.0, 2.0),
        Kind.CONTENTS_LAST: Metrics(body, leading, 0.0, body * 0.9),
        Kind.HEADER: Metrics(furniture, furniture * 1.2, 0.0, 0.0),
        Kind.BANNER: Metrics(half(body - 1), half(body - 1) * 1.2, 0.0, 0.0),
    }
    for level, kind in enumerate(HEADING_KINDS):
        size = max(6.0, float(style.heading_sizes_pt[level]))
        table[kind] = Metrics(size, size * 1.25, size * 0.9, size * 0.35)
    h3 = table[Kind.HEADING_3]
    table[Kind.CONTENTS_TITLE] = Metrics(h3.size, h3.leading, 0.0, h3.after)
    return table


@dataclass(frozen=True)
class Furniture:
    """Where the header and footer go, in points from the page's edges."""

    header_distance: float  # page top to the header's top
    footer_distance: float  # page bottom to the footer's last baseline area
    logo_gap: float = 6.0  # below the logo in a header
    banner_gap: float = 3.0  # below the banner, when more of the header follows


def furniture(style: Style) -> Furniture:
    """The header and footer distances Word is given for `style` (the PDF
    draws at the same places): 10 mm, or half a narrower margin."""
    top, _right, bottom, _left = (max(0.0, float(v)) for v in style.margins_mm)
    return Furniture(min(10.0, top / 2) * MM, min(10.0, bottom / 2) * MM)


def first_page_header(pattern: str) -> str:
    """The header of page 1: `pattern` without a field that repeats the
    title (and the separator beside it), because page 1 prints the title
    right below it. Every other field stays: a classified brief carries its
    marking on every page."""
    if "{title}" not in pattern:
        return pattern
    others = Meta(title="", date="-", classification="-", author="-")
    return drop_empty_fields(pattern, others)


def column_widths(texts: list[list[str]], width: float) -> list[float]:
    """Widths in points for a table's columns, from the text of its cells
    (rows of columns): a column with longer text gets more room, each at
    least 24 pt, together `width`. Both formats size their tables this way,
    so a cell wraps at the same words in each."""
    columns = max((len(row) for row in texts), default=0)
    if columns == 0:
        return []
    weights = [1.0] * columns
    for row in texts:
        for c, text in enumerate(row):
            weights[c] = max(weights[c], min(len(text), 60) ** 0.5)
    total = sum(weights)
    widths = [max(width * w / total, 24.0) for w in weights]
    scale = width / sum(widths)
    return [w * scale for w in widths]
