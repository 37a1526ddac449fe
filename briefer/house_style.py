"""An organisation's Word document or template as a template's house style.

`read_house_style` opens a `.docx` or `.dotx` as the DOCX export opens its
base (read within bounds, a `.dotx` turned into a document in memory) and
reads what it says about a brief's paragraphs (Normal, Title, Subtitle,
Heading 1-3, List Bullet, Quote: font, size, colour, bold, italic, spacing)
and its page set-up. `apply_house_style` makes a template `Style` of it: the looks,
paragraph by paragraph, plus the body and heading fonts, the sizes, the text
and accent colours and the line spacing the rest of the brief (footnotes,
tables, the sources) is set by, the page size and the margins; the document
becomes the DOCX base. Both exports then draw the same fonts at the same
sizes. A style the document lacks is created in the DOCX from the
template's look, and `HouseStyle.missing` names it so the person can be told;
what cannot be carried over (a page size Briefer does not know, a size out
of range) is said in `HouseStyle.notes`.

What the DOCX keeps of the base as it is, and the PDF must draw alike, is
`HouseBase` (`house_base`): its own header and footer (page 1's too, when
the base has a different first page), whether its pages are landscape, the
borders and shading of its paragraph styles, its contents-list styles (TOC
Heading, TOC 1-3) and the table style the brief's tables take. The base is
read once for both (`house_base`, cached per file and table style, read
again only when the file changes).
"""

from __future__ import annotations

import dataclasses
import enum
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from briefer.export.layout import SINGLE_LINE
from briefer.model import PageSize, Style, TextElement, TextLook, TextLooks

# Within this much of a known size, a page is that size (Word stores twips).
_PAGE_SLACK_MM = 2.0
# The ranges template.toml accepts (briefer.templates) for the fields a
# house style sets; a house value outside is brought inside, and said.
_BODY_PT = (5.0, 30.0)
_TITLE_PT = (8.0, 72.0)
_HEADING_PT = (6.0, 48.0)
_LOOK_PT = (4.0, 96.0)
_LINE_SPACING = (0.8, 3.0)
_MARGIN_MM = (0.0, 100.0)
_GREYS = 0x30  # a colour whose channels differ by less than this is a grey
_BASES_KEPT = 8  # bases held read (a few kilobytes each, plus header art)


# --------------------------------------------------------------------------
# What the base keeps for itself, for the PDF to draw
# --------------------------------------------------------------------------


class RuleKind(enum.Enum):
    """How a border line is drawn."""

    SINGLE = "single"
    DOUBLE = "double"  # two lines of the width, the width apart
    DOTTED = "dotted"
    DASHED = "dashed"


@dataclass(frozen=True)
class Rule:
    """A paragraph or table border as Word draws it: its width in points
    (0 for a border a style turns off), colour, kind, and (paragraph
    borders) the distance in points between it and the text."""

    width_pt: float
    color: str = "#000000"
    kind: RuleKind = RuleKind.SINGLE
    space_pt: float = 0.0

    @property
    def shows(self) -> bool:
        return self.width_pt > 0

    @property
    def extent(self) -> float:
        """How much room the line takes across its length."""
        return self.width_pt * 3 if self.kind is RuleKind.DOUBLE else self.width_pt


@dataclass(frozen=True)
class Decor:
    """A paragraph style's borders (w:pBdr), shading (w:shd) and left and
    right indents (w:ind, in points; None where the style says nothing)."""

    top: Rule | None = None
    bottom: Rule | None = None
    left: Rule | None = None
    right: Rule | None = None
    between: Rule | None = None
    fill: str | None = None  # "#RRGGBB"
    indent_left_pt: float | None = None
    indent_right_pt: float | None = None

    @property
    def draws(self) -> bool:
        """Whether there is anything to draw: a border or a shade."""
        rules = (self.top, self.bottom, self.left, self.right, self.between)
        return self.fill is not None or any(r is not None and r.shows for r in rules)


@dataclass(frozen=True)
class CellEdges:
    """The borders of a table, or of a part of it (a row region): its
    outside edges and the lines between its rows and its columns. None
    where the style says nothing, a `Rule` of no width where it says none."""

    top: Rule | None = None
    bottom: Rule | None = None
    left: Rule | None = None
    right: Rule | None = None
    inside_h: Rule | None = None
    inside_v: Rule | None = None


@dataclass(frozen=True)
class TableRegion:
    """What a table style says about a part of the table (the whole table,
    its header row, its odd or even rows): borders, shading, and the text
    where the paragraph style does not say otherwise (see `TableLook`)."""

    edges: CellEdges = CellEdges()
    fill: str | None = None
    text: TextLook = field(default_factory=TextLook)


@dataclass(frozen=True)
class TableLook:
    """The Word table style a brief's tables take, as Word applies it to
    them (a header row, banded rows): `whole` is the table, `header` its
    first row, `bands` the first and second band of rows below it (each
    `band_size` rows). `padding` is each cell's (top, right, bottom, left)
    in points. A region's `text` is what the style sets and the cells'
    paragraph style (Normal) leaves unset: a table style loses to it, as
    in Word."""

    name: str
    whole: TableRegion
    header: TableRegion
    bands: tuple[TableRegion, TableRegion]
    padding: tuple[float, float, float, float]
    band_size: int = 1

    def region(self, row: int, header: bool) -> TableRegion:
        """The part of the style row `row` (0: the first) of a table takes:
        the header row's, or its band's (with a `header`, the rows below it)."""
        if header and row == 0:
            return self.header
        body = row - 1 if header else row
        return self.bands[(body // max(self.band_size, 1)) % 2]

    def fill(self, row: int, header: bool) -> str | None:
        """The shading of the cells of row `row`."""
        own = self.region(row, header).fill
        return own if own is not None else self.whole.fill

    def horizontal(self, above: int | None, below: int | None, header: bool) -> Rule | None:
        """The border between row `above` and row `below` (None for the
        table's top or bottom edge): what the rows' parts of the style
        say there, the heavier where both do, else the table's."""
        said = []
        if above is not None:
            said.append(self.region(above, header).edges.bottom)
        if below is not None:
            said.append(self.region(below, header).edges.top)
        rules = [rule for rule in said if rule is not None]
        if rules:
            return max(rules, key=lambda rule: rule.extent)
        edges = self.whole.edges
        if above is None:
            return edges.top
        return edges.bottom if below is None else edges.inside_h

    def vertical(self, row: int, column: int, columns: int, header: bool) -> Rule | None:
        """The border left of column `column` in row `row` (`columns`: the
        table's right edge): the row's part of the style, else the table's."""
        own, whole = self.region(row, header).edges, self.whole.edges
        if column == 0:
            return own.left if own.left is not None else whole.left
        if column == columns:
            return own.right if own.right is not None else whole.right
        return own.inside_v if own.inside_v is not None else whole.inside_v


@dataclass(frozen=True)
class ContentsLook:
    """The base's contents-list styles: the look of "TOC Heading" (the
    list's title, with its borders and shading) and of "TOC 1" to "TOC 3"
    (the entries, with their left indents in points); None where the base
    has no such style and the template's own look is used."""

    title: TextLook | None = None
    title_decor: Decor = Decor()
    entries: tuple[TextLook | None, ...] = (None, None, None)
    indents: tuple[float | None, ...] = (None, None, None)


@dataclass(frozen=True)
class HouseStory:
    """What a house header or footer shows, as the PDF can draw it: its
    lines of text (a page number field as `{page}`, the page count as
    `{pages}`) and its first picture with the size it is shown at (points)."""

    lines: tuple[str, ...]
    picture: bytes | None = None
    picture_pt: tuple[float, float] = (0.0, 0.0)
    align: str = "left"  # of its first line: "left", "center" or "right"
    look: TextLook = field(default_factory=TextLook)  # its first line's style's look


@dataclass(frozen=True)
class HouseFurniture:
    """A base's header and footer (None where it leaves them to the
    template), page 1's own when the base gives page 1 a different header
    and footer (`first_page`, Word's "Different First Page"), where Word
    puts them (the distances from the page's edges in points), and the
    look of its Header and Footer styles."""

    header: HouseStory | None
    footer: HouseStory | None
    header_distance_pt: float
    footer_distance_pt: float
    first_page: bool = False
    first_header: HouseStory | None = None
    first_footer: HouseStory | None = None
    # The look of the base's Header and Footer styles (a story without
    # lines), which the template's header and footer lines take in the DOCX.
    header_style: HouseStory | None = None
    footer_style: HouseStory | None = None


@dataclass(frozen=True)
class HouseBase:
    """Everything one read of a Word base gives: the looks of the brief's
    paragraphs (`looks`, empty and listed in `missing` where the base has
    no style), its page in millimetres (width, height as set up, so a
    landscape page is wider than high; top, right, bottom, left margins),
    and what the DOCX keeps of the base for the PDF to draw alike."""

    looks: TextLooks
    missing: tuple[TextElement, ...]
    page_mm: tuple[float, float]
    margins_mm: tuple[float, float, float, float]
    furniture: HouseFurniture
    decor: dict[TextElement, Decor] = field(default_factory=dict)
    contents: ContentsLook = ContentsLook()
    table: TableLook | None = None

    @property
    def landscape(self) -> bool:
        return self.page_mm[0] > self.page_mm[1]


def house_base(path: Path, table_style: str | None = None) -> HouseBase:
    """What the Word document or template at `path` says (see `HouseBase`),
    with `table_style` (else the base's default table style, else "Table
    Grid") as the tables' look. Read once and kept while the file stays as
    it is. A file that is not a usable Word document is an `ExportError`
    naming it."""
    try:
        stat = os.stat(path)
        key = (os.fspath(Path(path).resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = (os.fspath(path), 0, -1)  # open_base says what is wrong with it
    return _read_base(key, table_style, Path(path))


@lru_cache(maxsize=_BASES_KEPT)
def _read_base(key: tuple[str, int, int], table_style: str | None, path: Path) -> HouseBase:
    from briefer.export.word_house import read_house_base
    from briefer.export.word_package import open_base

    return read_house_base(open_base(path), table_style)


# --------------------------------------------------------------------------
# The house style a template takes
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseStyle:
    """What a house document says, ready for `apply_house_style`."""

    path: Path
    looks: TextLooks
    missing: tuple[TextElement, ...]
    page_size: PageSize | None
    margins_mm: tuple[float, float, float, float]
    notes: tuple[str, ...] = ()

    @property
    def missing_names(self) -> str:
        """The styles the document lacks, as Word names them ("Title, Quote")."""
        return ", ".join(element.word_name for element in self.missing)

    def messages(self) -> list[str]:
        """What the person is told: the styles created, what was changed."""
        out = []
        if self.missing:
            one = len(self.missing) == 1
            styles, them, made = ("style", "it", "a style") if one else ("styles", "them", "styles")
            out.append(
                f"{self.path.name} has no {self.missing_names} {styles}; Briefer's own look"
                f" is used for {them} in both exports, and the DOCX gets {made} made from it"
            )
        out.extend(f"{self.path.name}: {note}" for note in self.notes)
        return out


def read_house_style(path: Path) -> HouseStyle:
    """The house style of the Word document or template at `path`. A file
    that is not a usable Word document is an `ExportError` naming it."""
    house = house_base(path)
    notes: list[str] = []
    looks = TextLooks()
    for element, look in house.looks.items():
        if element in house.missing:
            continue
        size = look.size_pt
        if size is not None and not _LOOK_PT[0] <= size <= _LOOK_PT[1]:
            size = _clamp(size, _LOOK_PT)
            notes.append(
                f"{element.word_name} is {look.size_pt:g} pt; both exports use {size:g} pt"
            )
        looks = looks.replace(element, dataclasses.replace(look, size_pt=size))
    width, height = house.page_mm
    page_size = _page_size(width, height)
    if page_size is None:
        notes.append(
            f"its page is {width:g} x {height:g} mm, a size Briefer does not set; the"
            " template's page size is kept in both exports"
        )
    margins = tuple(_clamp(m, _MARGIN_MM) for m in house.margins_mm)
    if margins != house.margins_mm:
        notes.append(f"margins of more than {_MARGIN_MM[1]:g} mm are set to {_MARGIN_MM[1]:g} mm")
    return HouseStyle(
        path=path,
        looks=looks,
        missing=house.missing,
        page_size=page_size,
        margins_mm=margins,  # type: ignore[arg-type]
        notes=tuple(notes),
    )


def apply_house_style(style: Style, house: HouseStyle) -> Style:
    """`style` in the house's look, with the house document as its Word
    base (see the module docstring). What the house does not say (the
    logo, header, footer, banner, citations) stays as `style` has it."""
    looks = house.looks
    changes: dict[str, object] = {"looks": looks, "reference_docx": house.path}
    normal = looks.normal
    if TextElement.NORMAL not in house.missing:
        changes["body_font"] = normal.font or style.body_font
        if normal.size_pt is not None:
            changes["body_size_pt"] = _clamp(normal.size_pt, _BODY_PT)
            changes["line_spacing"] = _clamp(_leading(normal) / normal.size_pt, _LINE_SPACING)
        if normal.color is not None:
            changes["text_color"] = normal.color
    headings = [looks[e] for e in _HEADINGS if e not in house.missing]
    title = looks.title if TextElement.TITLE not in house.missing else None
    first = headings[0] if headings else title
    if first is not None and first.font:
        changes["heading_font"] = first.font
    if title is not None and title.size_pt is not None:
        changes["title_size_pt"] = _clamp(title.size_pt, _TITLE_PT)
    sizes = list(style.heading_sizes_pt)
    for level, element in enumerate(_HEADINGS):
        size = looks[element].size_pt
        if element not in house.missing and size is not None:
            sizes[level] = _clamp(size, _HEADING_PT)
    changes["heading_sizes_pt"] = tuple(sizes)
    accent = _accent([looks[e] for e in (*_HEADINGS, TextElement.TITLE) if e not in house.missing])
    if accent is not None:
        changes["accent"] = accent
    if house.page_size is not None:
        changes["page_size"] = house.page_size
    changes["margins_mm"] = house.margins_mm
    return dataclasses.replace(style, **changes)  # type: ignore[arg-type]


_HEADINGS = (TextElement.HEADING_1, TextElement.HEADING_2, TextElement.HEADING_3)


def _leading(look: TextLook) -> float:
    size = look.size_pt or 10.0
    if look.line_pitch_pt is not None:
        return look.line_pitch_pt
    return size * (look.line_spacing or 1.0) * SINGLE_LINE


def _accent(looks: list[TextLook]) -> str | None:
    """The house's accent colour: the first heading colour that is a colour
    (not black or a grey), else None (the template's accent stays)."""
    for look in looks:
        colour = look.color
        if colour is None:
            continue
        channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
        if max(channels) - min(channels) >= _GREYS:
            return colour
    return None


def _page_size(width: float, height: float) -> PageSize | None:
    upright = (min(width, height), max(width, height))
    for size in PageSize:
        known = size.mm
        if all(abs(a - b) <= _PAGE_SLACK_MM for a, b in zip(upright, known, strict=True)):
            return size
    return None


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    return round(min(max(value, bounds[0]), bounds[1]), 2)
