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
from collections.abc import Callable
from dataclasses import dataclass

from briefer.document import drop_empty_fields
from briefer.model import Meta, Style, TextElement, TextLook

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
HEADING_ELEMENTS = (TextElement.HEADING_1, TextElement.HEADING_2, TextElement.HEADING_3)


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


# Single line spacing as a multiple of the font size: what Word leaves for
# a line of the usual fonts (DejaVu Sans 1.16, Times New Roman 1.15,
# Calibri 1.22). A house style's "Multiple 1.08" is 1.08 times this.
SINGLE_LINE = 1.17


def metrics(style: Style) -> dict[Kind, Metrics]:
    """The metrics of every kind of paragraph for `style`. Its `looks`
    (a house style's Normal, Title, Heading 1-3, List Bullet and Quote)
    change the size and spacing of those kinds; without them, every size
    follows from the body size, the title size and the heading sizes."""
    body = max(4.0, float(style.body_size_pt))
    spacing = max(1.0, float(style.line_spacing))
    leading = body * spacing
    title = max(6.0, float(style.title_size_pt))
    sub = half(body * 1.3)
    code = half(body * 0.88)
    small = half(body - 1)
    note = half(max(6.0, body * 0.8))
    furniture = half(max(6.0, body - 2))
    looks = style.looks
    normal = looks.normal

    def text(after: float) -> Callable[[float], Metrics]:
        return lambda size: Metrics(size, size * spacing, 0.0, size * after)

    table: dict[Kind, Metrics] = {
        Kind.BODY: _looked(normal, text(0.6), body),
        Kind.TITLE: _looked(looks.title, lambda s: Metrics(s, s * 1.2, 0.0, s * 0.35), title),
        Kind.SUBTITLE: _looked(looks.subtitle, lambda s: Metrics(s, s * 1.3, 0.0, s), sub),
        Kind.LIST_ITEM: _looked(inherit(looks.list_bullet, normal), text(0.3), body),
        Kind.QUOTE: _looked(inherit(looks.quote, normal), text(0.6), body),
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
        look = looks[HEADING_ELEMENTS[level]]
        table[kind] = _looked(look, lambda s: Metrics(s, s * 1.25, s * 0.9, s * 0.35), size)
    h3 = table[Kind.HEADING_3]
    table[Kind.CONTENTS_TITLE] = Metrics(h3.size, h3.leading, 0.0, h3.after)
    return table


def _looked(look: TextLook, shape: Callable[[float], Metrics], size: float) -> Metrics:
    """The metrics `shape` gives at the look's size (else `size`), with the
    spacing the look sets in place of shape's."""
    if look.size_pt is not None:
        size = max(4.0, float(look.size_pt))
    shaped = shape(size)
    leading = shaped.leading
    if look.line_pitch_pt is not None:
        leading = float(look.line_pitch_pt)
    elif look.line_spacing is not None:
        leading = size * float(look.line_spacing) * SINGLE_LINE
    before = shaped.before if look.space_before_pt is None else float(look.space_before_pt)
    after = shaped.after if look.space_after_pt is None else float(look.space_after_pt)
    return Metrics(size, leading, before, after)


def look_metrics(look: TextLook, default: Metrics) -> Metrics:
    """`default` with the size, line spacing and space around paragraphs
    `look` sets in their place (its line pitch scaled with its size)."""
    pitch = default.leading / default.size if default.size else 1.0
    return _looked(
        look, lambda s: Metrics(s, s * pitch, default.before, default.after), default.size
    )


def inherit(look: TextLook, parent: TextLook) -> TextLook:
    """`look` with what it leaves unset taken from `parent`, as a Word style
    takes it from the style it is based on (List Bullet and Quote from
    Normal): the font, size, colour, bold, italic and line spacing; the
    space around paragraphs is each kind's own."""
    own_line = look.line_spacing is not None or look.line_pitch_pt is not None
    return TextLook(
        font=look.font if look.font is not None else parent.font,
        size_pt=look.size_pt if look.size_pt is not None else parent.size_pt,
        color=look.color if look.color is not None else parent.color,
        bold=look.bold if look.bold is not None else parent.bold,
        italic=look.italic if look.italic is not None else parent.italic,
        space_before_pt=look.space_before_pt,
        space_after_pt=look.space_after_pt,
        line_spacing=look.line_spacing if own_line else parent.line_spacing,
        line_pitch_pt=look.line_pitch_pt if own_line else parent.line_pitch_pt,
    )


def multiples(style: Style) -> dict[Kind, float]:
    """The kinds of paragraph whose look sets Word's "Multiple" line
    spacing (list items and quotes as they inherit it from Normal), with the
    multiple. With a Word base, Word measures such a line by its font; the
    PDF then does the same (`FontResolver.line_height`) rather than assume
    `SINGLE_LINE`."""
    looks = style.looks
    normal = looks.normal
    effective = {
        Kind.BODY: normal,
        Kind.TITLE: looks.title,
        Kind.SUBTITLE: looks.subtitle,
        Kind.LIST_ITEM: inherit(looks.list_bullet, normal),
        Kind.QUOTE: inherit(looks.quote, normal),
        **{kind: looks[e] for kind, e in zip(HEADING_KINDS, HEADING_ELEMENTS, strict=True)},
    }
    return {
        kind: float(look.line_spacing)
        for kind, look in effective.items()
        if look.line_spacing is not None and look.line_pitch_pt is None
    }


@dataclass(frozen=True)
class Face:
    """The font, weight, slant and colour ("#RRGGBB") of a kind of paragraph."""

    font: str
    bold: bool
    italic: bool
    color: str


QUOTE_COLOR = "#404040"  # a block quote's text, unless the template says
SUBTITLE_COLOR = "#595959"  # the deck under the title, unless the template says


def faces(style: Style) -> dict[Kind, Face]:
    """The faces of the kinds of paragraph a template's `looks` may set:
    the body, list items and quotes in the body font (quotes italic, in
    dark grey), the title and headings bold in the heading font and the
    accent colour, each as its look says where it says; the deck under the
    title only when its look says anything."""
    looks = style.looks
    normal = looks.normal
    body = Face(
        normal.font or style.body_font,
        bool(normal.bold),
        bool(normal.italic),
        normal.color or style.text_color,
    )
    items = looks.list_bullet
    quote = looks.quote
    out = {
        Kind.BODY: body,
        Kind.LIST_ITEM: Face(
            items.font or body.font,
            body.bold if items.bold is None else items.bold,
            body.italic if items.italic is None else items.italic,
            items.color or body.color,
        ),
        Kind.QUOTE: Face(
            quote.font or body.font,
            body.bold if quote.bold is None else quote.bold,
            True if quote.italic is None else quote.italic,
            quote.color or QUOTE_COLOR,
        ),
    }
    deck = looks.subtitle
    if not deck.is_empty:  # else the deck keeps the look it has always had
        out[Kind.SUBTITLE] = Face(
            deck.font or style.heading_font,
            bool(deck.bold),
            bool(deck.italic),
            deck.color or SUBTITLE_COLOR,
        )
    for kind, element in (
        (Kind.TITLE, TextElement.TITLE),
        *zip(HEADING_KINDS, HEADING_ELEMENTS, strict=True),
    ):
        look = looks[element]
        out[kind] = Face(
            look.font or style.heading_font,
            True if look.bold is None else look.bold,
            bool(look.italic),
            look.color or style.accent,
        )
    return out


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


# -- tables too wide for the page ----------------------------------------------

TABLE_FONT_FLOOR = 6.0  # the smallest a table's text is set, in points
# How wide a word is assumed to be, per character, in ems: a little over the
# widths of bold DejaVu Sans and Serif, so that words measured this way fit
# in both formats, whichever of the usual fonts draws them.
_THIN = frozenset(".,:;'!| ")
_NARROW = frozenset("fijlrtI()[]{}-/")
_WIDE = frozenset("MWmw@%&")
_CHAR_EM = 0.72  # digits, capitals, other letters
_WORD_EMS = 15 * _CHAR_EM  # a longer word may wrap inside itself rather than widen its column
_MIN_EMS = 10 * _CHAR_EM  # a longer word may wrap inside itself when nothing else fits
_SIZE_STEP = 0.5


@dataclass(frozen=True)
class TablePart:
    """Some of a table's columns (indexes into its cells), set side by side
    at `widths` points. A table split for width repeats its first column."""

    columns: tuple[int, ...]
    widths: tuple[float, ...]


@dataclass(frozen=True)
class TablePlan:
    """How a table is set: its text's size and line pitch, the padding at
    the left and right of each cell, and the tables it is set as (one,
    unless it is split for width), all in points."""

    size: float
    leading: float
    padding: float
    parts: tuple[TablePart, ...]


def plan_table(texts: list[list[str]], width: float, cell: Metrics) -> TablePlan:
    """How to set a table whose cells hold `texts` (rows of columns) in
    `width` points, with body cells of `cell` metrics; both formats set it
    by this plan, so they agree on sizes, widths and splits.

    A careful typesetter's order: a table whose longest words fit is set as
    it is, its columns sized by `column_widths`. Otherwise its text gets
    smaller, half a point at a time, down to `TABLE_FONT_FLOOR`, until they
    fit (the padding shrinks with it). If even that is not enough, words
    longer than a few characters may wrap inside themselves. A table
    still too wide is split into several tables set one after the other,
    each repeating the first column (which names the rows) and the header
    row, with its columns spread evenly over them: as few tables as the
    smallest text needs, in the largest text that needs no more. The page
    is never turned for a table: the text around it would turn with it in
    the DOCX, and headers, footers and footnotes would change place.
    "A few characters" is ten (`_MIN_EMS`): a number such as 1,234,567 is
    never broken."""
    columns = max((len(row) for row in texts), default=0)
    body = cell.size
    pitch = cell.leading / cell.size
    if columns == 0:
        return TablePlan(body, cell.leading, CELL_PADDING_H, ())
    longest = [0.0] * columns  # the widest word of each column, in ems
    for row in texts:
        for c, text in enumerate(row):
            longest[c] = max(longest[c], max(map(_ems, text.split()), default=0.0))

    def padding(size: float) -> float:
        return CELL_PADDING_H * size / body

    def needs(size: float, most: float) -> list[float]:
        return [2 * padding(size) + min(max(ems, _CHAR_EM), most) * size for ems in longest]

    def plan(size: float, parts: tuple[TablePart, ...]) -> TablePlan:
        return TablePlan(size, size * pitch, padding(size), parts)

    def whole(size: float, least: list[float]) -> tuple[TablePart, ...]:
        widths = _at_least(column_widths(texts, width), least, width)
        return (TablePart(tuple(range(columns)), tuple(widths)),)

    size = body
    while True:
        natural = needs(size, _WORD_EMS)
        if sum(natural) <= width:
            return plan(size, whole(size, natural))
        if size <= TABLE_FONT_FLOOR:
            break
        size = max(TABLE_FONT_FLOOR, size - _SIZE_STEP)
    narrowest = needs(size, _MIN_EMS)
    if sum(narrowest) <= width:
        return plan(size, whole(size, narrowest))
    if columns == 1:  # a column narrower than a long word: the word wraps
        return plan(size, (TablePart((0,), (width,)),))
    # Split: as few tables as the smallest text needs, in the largest text
    # that still needs no more.
    fewest = len(_groups(needs(size, _WORD_EMS), narrowest, width))
    size = body
    while size > TABLE_FONT_FLOOR:
        if len(_groups(needs(size, _WORD_EMS), needs(size, _MIN_EMS), width)) <= fewest:
            break
        size = max(TABLE_FONT_FLOOR, size - _SIZE_STEP)
    natural, narrowest = needs(size, _WORD_EMS), needs(size, _MIN_EMS)
    parts: list[TablePart] = []
    for group in _groups(natural, narrowest, width):
        if len(group) == 1:  # not even two columns fit: the column fills the width
            parts.append(TablePart(group, (width,)))
            continue
        sub = [[row[c] if c < len(row) else "" for c in group] for row in texts]
        least = [natural[c] for c in group]
        if sum(least) > width:
            least = [narrowest[c] for c in group]
        parts.append(TablePart(group, tuple(_at_least(column_widths(sub, width), least, width))))
    return plan(size, tuple(parts))


def _ems(word: str) -> float:
    """How wide `word` is assumed to be, in ems (see `_CHAR_EM`)."""
    total = 0.0
    for char in word:
        if char in _THIN:
            total += 0.35
        elif char in _NARROW:
            total += 0.55
        elif char in _WIDE:
            total += 1.05
        elif char >= "\u2e80":  # CJK and full-width forms
            total += 1.0
        else:
            total += _CHAR_EM
    return total


def _groups(natural: list[float], narrowest: list[float], width: float) -> list[tuple[int, ...]]:
    """The columns of a table split for `width`: each table column 0 and
    as many more as fit at their `natural` widths, as few tables as that
    takes, evenly filled; one column a table where not even two fit."""
    first, rest = natural[0], list(range(1, len(natural)))
    room = width - first
    if room < max(narrowest[1:]):
        return [(c,) for c in range(len(natural))]
    packed: list[list[int]] = [[]]  # as many columns a table as fit, in turn
    used = 0.0
    for c in rest:
        if packed[-1] and used + natural[c] > room:
            packed.append([])
            used = 0.0
        packed[-1].append(c)
        used += natural[c]
    share = -(-len(rest) // len(packed))  # as many tables, evenly filled
    even = [rest[i : i + share] for i in range(0, len(rest), share)]
    fits = all(sum(natural[c] for c in group) <= room for group in even)
    return [(0, *group) for group in (even if fits else packed)]


def _at_least(widths: list[float], least: list[float], width: float) -> list[float]:
    """`widths` (together `width`) with each raised to its `least`, the room
    that takes given up by the wider columns in proportion to what they
    have to spare. Where the least widths do not fit, they are scaled."""
    total = sum(least)
    if total >= width:
        return [w * width / total for w in least]
    short = sum(max(0.0, low - w) for w, low in zip(widths, least, strict=True))
    if short <= 0:
        return widths
    spare = sum(max(0.0, w - low) for w, low in zip(widths, least, strict=True))
    keep = 1 - short / spare
    return [
        low if w <= low else low + (w - low) * keep for w, low in zip(widths, least, strict=True)
    ]
