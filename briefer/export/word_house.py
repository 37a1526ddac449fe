"""A Word document's house look, read and written back as `TextLook`s.

`read_house_look` reads what a house Word document (opened by
`word_package.open_base`) says about the paragraphs a brief is made of: for
Normal, Title, Subtitle, Heading 1-3, List Bullet and Quote, the font, size, colour,
bold, italic and spacing as Word would show them, each property taken from
the style, else from the style it is based on (and so on), else from the
document's defaults, else Word's own (Times New Roman, 10 pt, black, single
spacing). Theme fonts ("+Headings", "+Body") are read from the document's
theme. It also reads the page set-up of the document's last section.
`read_house_base` reads that and everything else the DOCX keeps of the base
and the PDF draws alike (`briefer.house_style.HouseBase`): its own header
and footer, page 1's when it has a different first page (lines of text with
their page fields, the first picture, the style's look and alignment), the
borders, shading and indents of its paragraph styles, its contents-list
styles and the table style the brief's tables take (`chosen_table_style`,
which the DOCX export uses too), resolved as Word resolves them. (Its types
come from `briefer.house_style`, imported where a base is read: a DOCX
export without one need not pay for making their dataclasses.)

`overlay_looks` writes a template's looks into a base document's styles
where they differ from what the base says, so a look changed in Briefer
(say, in the template editor) reaches the DOCX as it reaches the PDF, while
a base whose look was read as it is stays untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.section import _Footer, _Header
from docx.shared import Pt, RGBColor
from docx.styles.style import ParagraphStyle
from lxml import etree

from briefer.export.word_xml import W_NS, w
from briefer.model import TextElement, TextLook, TextLooks

if TYPE_CHECKING:
    from briefer.house_style import (
        CellEdges,
        ContentsLook,
        Decor,
        HouseBase,
        HouseFurniture,
        HouseStory,
        Rule,
        TableLook,
    )

_A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
# What Word uses where neither a style nor the document's defaults say.
WORD_FONT = "Times New Roman"
WORD_SIZE_PT = 10.0
WORD_CELL_PADDING_PT = 5.4  # left and right of a cell (108 twips), top and bottom none
_MAX_BASED_ON = 32  # a chain of styles longer than this is a loop
_FALSE = frozenset({"0", "false", "off"})
# The theme font each `w:asciiTheme` value names.
_THEME_FONTS = {
    "majorAscii": "major",
    "majorHAnsi": "major",
    "majorBidi": "major",
    "majorEastAsia": "major",
    "minorAscii": "minor",
    "minorHAnsi": "minor",
    "minorBidi": "minor",
    "minorEastAsia": "minor",
}
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
# The paragraph styles whose borders and shading the PDF draws.
_DECORATED = (
    TextElement.TITLE,
    TextElement.SUBTITLE,
    TextElement.HEADING_1,
    TextElement.HEADING_2,
    TextElement.HEADING_3,
    TextElement.QUOTE,
)
_TOC_ENTRIES = ("toc 1", "toc 2", "toc 3")
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_TABLE_BY_NAME = etree.XPath(
    f'w:style[@w:type="table"][translate(w:name/@w:val, "{_UPPER}", "{_UPPER.lower()}") = $name]',
    namespaces={"w": W_NS},
)
_TABLE_STYLES = etree.XPath('w:style[@w:type="table"]', namespaces={"w": W_NS})
_TABLE_BY_ID = etree.XPath('w:style[@w:type="table"][@w:styleId = $id]', namespaces={"w": W_NS})
# Border and margin elements by the side they stand for ("start" is the
# left and "end" the right of a left-to-right paragraph).
_SIDES = {
    "top": "top",
    "bottom": "bottom",
    "left": "left",
    "start": "left",
    "right": "right",
    "end": "right",
}
_EDGES = {**_SIDES, "insideH": "inside_h", "insideV": "inside_v"}


@dataclass(frozen=True)
class HouseLook:
    """What a Word document says about a brief's paragraphs: the look of
    each element it has a style for (`looks`; an element it lacks has an
    empty look and is in `missing`) and its page set-up in millimetres
    (width, height; top, right, bottom, left)."""

    looks: TextLooks
    missing: tuple[TextElement, ...]
    page_mm: tuple[float, float]
    margins_mm: tuple[float, float, float, float]


def read_house_look(document: DocxDocument) -> HouseLook:
    """The house look of `document` (see the module docstring)."""
    return _read_look(document, _Styles(document))


def _read_look(document: DocxDocument, styles: _Styles) -> HouseLook:
    looks = TextLooks()
    missing: list[TextElement] = []
    for element in TextElement:
        found = styles.element_style(element)
        if found is None:
            missing.append(element)
            continue
        # Word leaves no space between list items of a style with
        # contextual spacing; the PDF has no such rule, so none at all.
        tight = element is TextElement.LIST_BULLET
        looks = looks.replace(element, styles.look(found, contextual=tight))
    section = document.sections[-1]
    emu_mm = 36000

    def mm(value: int | None, default: float) -> float:
        return default if value is None else round(int(value) / emu_mm, 1)

    page = (mm(section.page_width, 215.9), mm(section.page_height, 279.4))
    margins = (
        mm(section.top_margin, 25.4),
        mm(section.right_margin, 25.4),
        mm(section.bottom_margin, 25.4),
        mm(section.left_margin, 25.4),
    )
    return HouseLook(looks, tuple(missing), page, margins)


def read_house_base(document: DocxDocument, table_style: str | None = None) -> HouseBase:
    """Everything `briefer.house_style.HouseBase` holds, from one reading
    of `document`'s styles; the tables take `table_style` where the base
    has it (see `chosen_table_style`)."""
    from briefer.house_style import HouseBase

    styles = _Styles(document)
    look = _read_look(document, styles)
    decor = {
        element: styles.decor(found)
        for element in _DECORATED
        if (found := styles.element_style(element)) is not None
    }
    table = chosen_table_style(document, table_style)
    return HouseBase(
        looks=look.looks,
        missing=look.missing,
        page_mm=look.page_mm,
        margins_mm=look.margins_mm,
        furniture=_read_furniture(document, styles),
        decor=decor,
        contents=_contents(styles),
        table=None if table is None else styles.table_look(table),
    )


def chosen_table_style(
    document: DocxDocument, preferred: str | None = None
) -> etree._Element | None:
    """The base's table style a brief's tables take, as both exports use
    it: the one named `preferred` (by name or id), else the one the base
    gives new tables (Word's "Set As Default", `w:defaultTableStyle` in its
    settings), else "Table Grid"; None when the base has none of these."""
    root = document.styles.element
    for name in (preferred or "", _default_table_style(document), "Table Grid"):
        if not name:
            continue
        # By name, as Word shows it (whatever the case), else by id. Looked
        # up by XPath: a base holds a hundred table styles or more.
        found = _TABLE_BY_NAME(root, name=name.lower()) or _TABLE_BY_ID(root, id=name)
        if found:
            return found[0]
    return None


def _default_table_style(document: DocxDocument) -> str:
    """The table style the base's settings give new tables, or ""."""
    try:
        part = document.part.part_related_by(RT.SETTINGS)
    except KeyError:
        return ""  # (python-docx would make a settings part to answer)
    root = getattr(part, "element", None)
    if root is None:
        try:
            root = etree.fromstring(part.blob, _SAFE_XML)
        except (ValueError, etree.XMLSyntaxError):
            return ""
    found = root.find(w("defaultTableStyle"))
    return "" if found is None else found.get(w("val"), "")


def _contents(styles: _Styles) -> ContentsLook:
    from briefer.house_style import ContentsLook, Decor

    title = styles.named("TOC Heading")
    looks: list[TextLook | None] = []
    indents: list[float | None] = []
    for name in _TOC_ENTRIES:
        found = styles.named(name)
        looks.append(None if found is None else styles.look(found))
        indents.append(None if found is None else (styles.decor(found).indent_left_pt or 0.0))
    return ContentsLook(
        title=None if title is None else styles.look(title),
        title_decor=Decor() if title is None else styles.decor(title),
        entries=tuple(looks),
        indents=tuple(indents),
    )


class _Styles:
    """A document's paragraph and table styles, resolved as Word resolves them."""

    def __init__(self, document: DocxDocument) -> None:
        root = document.styles.element
        self._by_id: dict[str, etree._Element] = {}
        self._by_name: dict[str, etree._Element] = {}
        self._root = root
        self.default_paragraph: etree._Element | None = None
        for element in root.iterchildren(w("style")):
            if element.get(w("type"), "paragraph") != "paragraph":
                continue
            style_id = element.get(w("styleId"), "")
            self._by_id.setdefault(style_id, element)
            name = element.find(w("name"))
            if name is not None:
                self._by_name.setdefault(name.get(w("val"), "").lower(), element)
            if element.get(w("default")) in ("1", "true", "on") and self.default_paragraph is None:
                self.default_paragraph = element
        defaults = root.find(w("docDefaults"))
        self._default_rpr = _child(defaults, "rPrDefault", "rPr")
        self._default_ppr = _child(defaults, "pPrDefault", "pPr")
        self._theme = _theme_fonts(document)

    def element_style(self, element: TextElement) -> etree._Element | None:
        """The paragraph style of a brief's element (Normal: the default
        paragraph style when none is named so)."""
        found = self.named(element.word_name)
        if found is None and element is TextElement.NORMAL:
            found = self.default_paragraph
        return found

    def style_of(self, paragraph: etree._Element) -> etree._Element:
        """The paragraph's style (the default one when it names none)."""
        ppr = paragraph.find(w("pPr"))
        style = None if ppr is None else ppr.find(w("pStyle"))
        found = self._by_id.get(style.get(w("val"), "")) if style is not None else None
        if found is None:
            found = self.default_paragraph
        return found if found is not None else etree.Element(w("style"))

    def alignment(self, paragraph: etree._Element, style: etree._Element | None = None) -> str:
        """How a paragraph is aligned, by itself or by its style (or how
        `style` aligns its paragraphs, `paragraph` an empty one): "left",
        "center" or "right"."""
        ppr = paragraph.find(w("pPr"))
        chain: list[etree._Element] = [] if ppr is None else [ppr]
        found = self.style_of(paragraph) if style is None else style
        if found is not None:
            chain += [p for p in (e.find(w("pPr")) for e in self._chain(found)) if p is not None]
        for element in chain:
            jc = element.find(w("jc"))
            if jc is not None:
                value = jc.get(w("val"), "left")
                return {"center": "center", "right": "right", "end": "right"}.get(value, "left")
        return "left"

    def named(self, name: str) -> etree._Element | None:
        return self._by_name.get(name.lower())

    def _chain(
        self, style: etree._Element, by_id: dict[str, etree._Element] | None = None
    ) -> list[etree._Element]:
        """The style and those it is based on, nearest first."""
        return based_on_chain(style, self._by_id if by_id is None else by_id)

    def look(self, style: etree._Element, *, contextual: bool = False) -> TextLook:
        """The style's look; with `contextual`, a style with Word's
        contextual spacing (none between paragraphs of the style) gets none."""
        chain = self._chain(style)
        rprs = [e.find(w("rPr")) for e in chain] + [self._default_rpr]
        pprs = [e.find(w("pPr")) for e in chain] + [self._default_ppr]
        rprs = [r for r in rprs if r is not None]
        pprs = [p for p in pprs if p is not None]
        spacing = [s for s in (p.find(w("spacing")) for p in pprs) if s is not None]

        def spacing_value(name: str) -> str | None:
            for element in spacing:
                value = element.get(w(name))
                if value is not None:
                    return value
            return None

        size = _size(rprs)
        line = _number(spacing_value("line"))
        rule = spacing_value("lineRule") or "auto"
        line_spacing = line_pitch = None
        if line is not None and line > 0:
            if rule == "auto":
                line_spacing = round(line / 240, 3)
            else:
                line_pitch = round(line / 20, 2)
        else:
            line_spacing = 1.0
        before = round((_number(spacing_value("before")) or 0) / 20, 2)
        after = round((_number(spacing_value("after")) or 0) / 20, 2)
        if contextual and _toggle(pprs, "contextualSpacing"):
            before = after = 0.0
        return TextLook(
            font=self._font(rprs) or WORD_FONT,
            size_pt=WORD_SIZE_PT if size is None else size,
            color=_colour(rprs) or "#000000",
            bold=bool(_toggle(rprs, "b")),
            italic=bool(_toggle(rprs, "i")),
            space_before_pt=before,
            space_after_pt=after,
            line_spacing=line_spacing,
            line_pitch_pt=line_pitch,
        )

    def own_text(self, style: etree._Element | None) -> TextLook:
        """The font, size, colour, bold and italic the style (and those it
        is based on) set themselves, None where only the document's
        defaults would say."""
        if style is None:
            return TextLook()
        return self._text([e.find(w("rPr")) for e in self._chain(style)])

    def _text(self, rprs: list[etree._Element | None]) -> TextLook:
        found = [r for r in rprs if r is not None]
        return TextLook(
            font=self._font(found),
            size_pt=_size(found),
            color=_colour(found),
            bold=_toggle(found, "b"),
            italic=_toggle(found, "i"),
        )

    def decor(self, style: etree._Element) -> Decor:
        """The style's borders, shading and indents, side by side from the
        nearest style in its chain that sets each."""
        from briefer.house_style import Decor

        pprs = [p for p in (e.find(w("pPr")) for e in self._chain(style)) if p is not None]
        rules: dict[str, Rule] = {}
        fill: str | None = None
        shaded = False
        indents: dict[str, float] = {}
        for ppr in pprs:
            borders = ppr.find(w("pBdr"))
            if borders is not None:
                for child in borders:
                    name = etree.QName(child).localname
                    side = "between" if name == "between" else _SIDES.get(name, "")
                    if side and side not in rules:
                        rules[side] = _rule(child)
            shd = ppr.find(w("shd"))
            if shd is not None and not shaded:
                fill, shaded = _fill(shd), True
            ind = ppr.find(w("ind"))
            for key in ("left", "start", "right", "end") if ind is not None else ():
                value = _number(ind.get(w(key)))
                if value is not None and _SIDES[key] not in indents:
                    indents[_SIDES[key]] = round(value / 20, 2)
        return Decor(
            top=rules.get("top"),
            bottom=rules.get("bottom"),
            left=rules.get("left"),
            right=rules.get("right"),
            between=rules.get("between"),
            fill=fill,
            indent_left_pt=indents.get("left"),
            indent_right_pt=indents.get("right"),
        )

    def table_look(self, style: etree._Element) -> TableLook:
        """How the table style `style` looks on a brief's table: a header
        row and banded rows (the DOCX's tables ask for both), each cell's
        text in Normal's look where Normal says, as in Word."""
        from briefer.house_style import TableLook, TableRegion

        tables: dict[str, etree._Element] = {}
        for element in _TABLE_STYLES(self._root):
            tables.setdefault(element.get(w("styleId"), ""), element)
        chain = self._chain(style, tables)
        tblprs = [p for p in (e.find(w("tblPr")) for e in chain) if p is not None]
        tcprs = [p for p in (e.find(w("tcPr")) for e in chain) if p is not None]
        normal = self.own_text(self.element_style(TextElement.NORMAL))

        def region(kind: str) -> TableRegion:
            parts = [
                p
                for e in chain
                for p in e.iterchildren(w("tblStylePr"))
                if p.get(w("type")) == kind
            ]
            own_tcprs = [p for p in (e.find(w("tcPr")) for e in parts) if p is not None]
            rprs = [e.find(w("rPr")) for e in parts] if kind else []
            rprs += [e.find(w("rPr")) for e in chain]
            if kind:
                edges = _edges([b for p in own_tcprs if (b := p.find(w("tcBorders"))) is not None])
            else:
                edges = _edges([b for p in tblprs if (b := p.find(w("tblBorders"))) is not None])
            shades = [s for p in own_tcprs if (s := p.find(w("shd"))) is not None]
            if not kind:
                shades += [s for p in (*tcprs, *tblprs) if (s := p.find(w("shd"))) is not None]
            text = self._text(rprs)
            # The cells' paragraph style wins where it says (see `TableLook`).
            text = TextLook(
                font=None if normal.font is not None else text.font,
                size_pt=None if normal.size_pt is not None else text.size_pt,
                color=None if normal.color is not None else text.color,
                bold=None if normal.bold is not None else text.bold,
                italic=None if normal.italic is not None else text.italic,
            )
            return TableRegion(edges, _fill(shades[0]) if shades else None, text)

        padding = _cell_margins(tblprs)
        band_size = 1
        for tblpr in tblprs:
            bands = tblpr.find(w("tblStyleRowBandSize"))
            if bands is not None:
                band_size = max(1, min(int(_number(bands.get(w("val"))) or 1), 100))
                break
        name = style.find(w("name"))
        return TableLook(
            name=style.get(w("styleId"), "") if name is None else name.get(w("val"), ""),
            whole=region(""),
            header=region("firstRow"),
            bands=(region("band1Horz"), region("band2Horz")),
            padding=(padding["top"], padding["right"], padding["bottom"], padding["left"]),
            band_size=band_size,
        )

    def _font(self, rprs: list[etree._Element]) -> str | None:
        for rpr in rprs:
            fonts = rpr.find(w("rFonts"))
            if fonts is None:
                continue
            # A theme font wins over the explicit name beside it, as in Word.
            theme = fonts.get(w("asciiTheme")) or fonts.get(w("hAnsiTheme"))
            if theme in _THEME_FONTS and self._theme.get(_THEME_FONTS[theme]):
                return self._theme[_THEME_FONTS[theme]]
            name = fonts.get(w("ascii")) or fonts.get(w("hAnsi"))
            if name:
                return name
        return None


def table_cell_padding(document: DocxDocument, style: etree._Element) -> float:
    """The left cell margin, in points, the table style `style` (and those
    it is based on) gives a table's cells."""
    by_id: dict[str, etree._Element] = {}
    for element in _TABLE_STYLES(document.styles.element):
        by_id.setdefault(element.get(w("styleId"), ""), element)
    chain = based_on_chain(style, by_id)
    tblprs = [p for p in (e.find(w("tblPr")) for e in chain) if p is not None]
    return _cell_margins(tblprs)["left"]


def based_on_chain(style: etree._Element, by_id: dict[str, etree._Element]) -> list[etree._Element]:
    """`style` and the styles it is based on (`by_id` finds them), nearest
    first; a loop or an over-long chain is cut."""
    chain: list[etree._Element] = []
    current: etree._Element | None = style
    while current is not None and len(chain) < _MAX_BASED_ON and current not in chain:
        chain.append(current)
        based = current.find(w("basedOn"))
        current = None if based is None else by_id.get(based.get(w("val"), ""))
    return chain


def _cell_margins(tblprs: list[etree._Element]) -> dict[str, float]:
    """The cell margins (top, right, bottom, left, in points) a table
    style's `w:tblPr`s (nearest first) set side by side; Word's own where
    none does."""
    margins = {"top": 0.0, "bottom": 0.0, "left": WORD_CELL_PADDING_PT}
    margins["right"] = WORD_CELL_PADDING_PT
    said: set[str] = set()
    for tblpr in tblprs:
        found = tblpr.find(w("tblCellMar"))
        for child in () if found is None else found:
            side = _SIDES.get(etree.QName(child).localname, "")
            value = _number(child.get(w("w")))
            if side and side not in said and value is not None and value >= 0:
                nil = child.get(w("type"), "dxa") == "nil"
                margins[side] = 0.0 if nil else min(value / 20, 72.0)
                said.add(side)
    return margins


def _edges(borders: list[etree._Element]) -> CellEdges:
    """The edges a list of `w:tblBorders` or `w:tcBorders` (nearest first)
    set, side by side."""
    from briefer.house_style import CellEdges

    found: dict[str, Rule] = {}
    for element in borders:
        for child in element:
            edge = _EDGES.get(etree.QName(child).localname, "")
            if edge and edge not in found:
                found[edge] = _rule(child)
    return CellEdges(**found)


def _rule(element: etree._Element) -> Rule:
    """A `w:top`, `w:left`... border element as a `Rule`."""
    from briefer.house_style import Rule, RuleKind

    value = (element.get(w("val")) or "single").lower()
    if value in ("nil", "none"):
        return Rule(0.0)
    size = _number(element.get(w("sz")))
    width = min(max((4 if size is None else size) / 8, 0.25), 12.0)
    if "double" in value or value.startswith(("thinthick", "thickthin")):
        kind = RuleKind.DOUBLE
    elif "dash" in value:
        kind = RuleKind.DASHED
    elif "dot" in value:
        kind = RuleKind.DOTTED
    else:
        kind = RuleKind.SINGLE
    space = min(max(_number(element.get(w("space"))) or 0.0, 0.0), 31.0)
    return Rule(width, _hex(element.get(w("color"))) or "#000000", kind, space)


def _fill(shd: etree._Element) -> str | None:
    """The colour a `w:shd` paints, or None: its fill, or its pattern's
    colour laid over the fill at the pattern's share (`pct25`: a quarter)."""
    value = (shd.get(w("val")) or "clear").lower()
    fill = _hex(shd.get(w("fill")))
    if value == "nil":
        return None
    colour = _hex(shd.get(w("color"))) or "#000000"
    if value == "solid":
        return colour
    if value.startswith("pct") and value[3:].isdigit():
        share = min(int(value[3:]), 100) / 100
        under = fill or "#FFFFFF"
        mixed = [
            round(int(colour[i : i + 2], 16) * share + int(under[i : i + 2], 16) * (1 - share))
            for i in (1, 3, 5)
        ]
        return "#" + "".join(f"{c:02X}" for c in mixed)
    return fill


def _hex(value: str | None) -> str | None:
    """ "#RRGGBB" for a Word colour value, None for "auto" or none."""
    value = (value or "").upper()
    if len(value) == 6 and all(ch in "0123456789ABCDEF" for ch in value):
        return f"#{value}"
    return None


def _child(element: etree._Element | None, *path: str) -> etree._Element | None:
    for tag in path:
        if element is None:
            return None
        element = element.find(w(tag))
    return element


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number == number and abs(number) < 1e7 else None


def _toggle(rprs: list[etree._Element], tag: str) -> bool | None:
    for rpr in rprs:
        found = rpr.find(w(tag))
        if found is not None:
            return found.get(w("val"), "true").lower() not in _FALSE
    return None


def _size(rprs: list[etree._Element]) -> float | None:
    for rpr in rprs:
        found = rpr.find(w("sz"))
        if found is not None and (value := _number(found.get(w("val")))) is not None:
            return value / 2
    return None


def _colour(rprs: list[etree._Element]) -> str | None:
    for rpr in rprs:
        found = rpr.find(w("color"))
        if found is None:
            continue
        value = (found.get(w("val")) or "").upper()
        if value == "AUTO":
            return "#000000"
        if (colour := _hex(value)) is not None:
            return colour
    return None


def _theme_fonts(document: DocxDocument) -> dict[str, str]:
    """The theme's Latin heading ("major") and body ("minor") fonts."""
    try:
        theme = document.part.part_related_by(RT.THEME)
        root = etree.fromstring(theme.blob, _SAFE_XML)
    except (KeyError, ValueError, etree.XMLSyntaxError):
        return {}
    fonts: dict[str, str] = {}
    for kind in ("major", "minor"):
        latin = root.find(f".//{{{_A_NS}}}{kind}Font/{{{_A_NS}}}latin")
        if latin is not None and latin.get("typeface"):
            fonts[kind] = latin.get("typeface")
    return fonts


# --------------------------------------------------------------------------
# Writing a template's looks into a base
# --------------------------------------------------------------------------


def overlay_looks(document: DocxDocument, looks: TextLooks) -> None:
    """Write `looks` into the base `document`'s styles where a property is
    set and differs from what the base says. Elements the base lacks are
    left to the exporter, which creates their styles from the template."""
    if looks.is_empty:
        return
    house = read_house_look(document)
    styles = {
        (s.name or "").lower(): s for s in document.styles if s.type == WD_STYLE_TYPE.PARAGRAPH
    }
    for element, look in looks.items():
        if look.is_empty or element in house.missing:
            continue
        style = styles.get(element.word_name.lower())
        if style is None:
            continue
        _write_differences(style, look, house.looks[element])


def _write_differences(style: ParagraphStyle, look: TextLook, base: TextLook) -> None:
    font, paragraph = style.font, style.paragraph_format
    if look.font is not None and look.font != base.font:
        font.name = look.font
        fonts = style.element.rPr.find(w("rFonts"))
        for key in ("asciiTheme", "hAnsiTheme", "cstheme"):
            fonts.attrib.pop(w(key), None)
        fonts.set(w("cs"), look.font)
    if look.size_pt is not None and look.size_pt != base.size_pt:
        font.size = Pt(look.size_pt)
    if look.color is not None and look.color != base.color:
        font.color.rgb = RGBColor.from_string(look.color.lstrip("#").upper())
        colour = style.element.rPr.find(w("color"))
        for key in ("themeColor", "themeShade", "themeTint"):
            colour.attrib.pop(w(key), None)
    if look.bold is not None and look.bold != base.bold:
        font.bold = look.bold
    if look.italic is not None and look.italic != base.italic:
        font.italic = look.italic
    if look.space_before_pt is not None and look.space_before_pt != base.space_before_pt:
        paragraph.space_before = Pt(look.space_before_pt)
    if look.space_after_pt is not None and look.space_after_pt != base.space_after_pt:
        paragraph.space_after = Pt(look.space_after_pt)
    if look.line_spacing is not None and look.line_spacing != base.line_spacing:
        paragraph.line_spacing = look.line_spacing
    elif look.line_pitch_pt is not None and look.line_pitch_pt != base.line_pitch_pt:
        paragraph.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
        paragraph.line_spacing = Pt(look.line_pitch_pt)


# --------------------------------------------------------------------------
# The house's own header and footer, for the PDF
# --------------------------------------------------------------------------

_WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_R_EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"
_FIELDS = {"PAGE": "{page}", "NUMPAGES": "{pages}", "SECTIONPAGES": "{pages}"}
EMU_PER_PT = 12700


def _read_furniture(document: DocxDocument, styles: _Styles) -> HouseFurniture:
    """The header and footer the base document's last section shows,
    which the DOCX keeps (`word_parts.PageFurniture`), and the Header and
    Footer styles the template's own header and footer lines take there."""
    from briefer.house_style import HouseFurniture

    section = document.sections[-1]

    def distance(value: int | None, default: float) -> float:
        return default if value is None else int(value) / EMU_PER_PT

    first_page = bool(section.different_first_page_header_footer)
    return HouseFurniture(
        header=_story(section.header, styles),
        footer=_story(section.footer, styles),
        header_distance_pt=distance(section.header_distance, 36.0),
        footer_distance_pt=distance(section.footer_distance, 36.0),
        first_page=first_page,
        first_header=_story(section.first_page_header, styles) if first_page else None,
        first_footer=_story(section.first_page_footer, styles) if first_page else None,
        header_style=_style_story(styles, "header"),
        footer_style=_style_story(styles, "footer"),
    )


def _style_story(styles: _Styles, name: str) -> HouseStory | None:
    """The look and alignment of the paragraph style `name`, as a story
    with no lines of its own; None when the base has no such style."""
    from briefer.house_style import HouseStory

    style = styles.named(name)
    if style is None:
        return None
    align = styles.alignment(etree.Element(w("p")), style)
    return HouseStory((), align=align, look=styles.look(style))


def _story(story: _Header | _Footer, styles: _Styles) -> HouseStory | None:
    from briefer.house_style import HouseStory

    if story.is_linked_to_previous:
        return None
    root = story.part.element
    shown = [(p, text) for p in root.iter(w("p")) if (text := _paragraph_text(p)).strip()]
    picture, size = _first_picture(story.part)
    if not shown and picture is None:
        return None
    if not shown:
        return HouseStory((), picture, size)
    first = shown[0][0]
    return HouseStory(
        tuple(text for _, text in shown),
        picture,
        size,
        styles.alignment(first),
        styles.look(styles.style_of(first)),
    )


def _paragraph_text(paragraph: etree._Element) -> str:
    """A paragraph's text, a page field as `{page}`; what a field shows
    (its last result) is left out for the field itself."""
    out: list[str] = []
    depth = 0
    showing = False  # between a field's separator and its end
    instruction = ""
    for element in paragraph.iter():
        tag = element.tag
        if tag == w("fldSimple"):
            name = (element.get(w("instr")) or "").split()
            out.append(_FIELDS.get(name[0].upper(), "") if name else "")
        elif tag == w("fldChar"):
            kind = element.get(w("fldCharType"))
            if kind == "begin":
                depth += 1
                instruction = ""
            elif kind == "separate":
                showing = True
            elif kind == "end" and depth:
                depth -= 1
                showing = False
                words = instruction.split()
                out.append(_FIELDS.get(words[0].upper(), "") if words else "")
        elif tag == w("instrText") and depth:
            instruction += element.text or ""
        elif tag == w("t") and not showing and not _inside_simple_field(element):
            out.append(element.text or "")
        elif (
            tag == w("tab")
            and element.getparent() is not None
            and element.getparent().tag == w("r")
        ):
            out.append(" ")
    return " ".join("".join(out).split())


def _inside_simple_field(element: etree._Element) -> bool:
    parent = element.getparent()
    while parent is not None:
        if parent.tag == w("fldSimple"):
            return True
        parent = parent.getparent()
    return False


def _first_picture(part: Part) -> tuple[bytes | None, tuple[float, float]]:
    """The first inline or anchored picture of a header or footer part."""
    for drawing in part.element.iter(w("drawing")):
        extent = drawing.find(f".//{{{_WP_NS}}}extent")
        blip = next((e for e in drawing.iter() if e.get(_R_EMBED)), None)
        if extent is None or blip is None:
            continue
        try:
            image = part.related_parts[blip.get(_R_EMBED)]
            size = (int(extent.get("cx")) / EMU_PER_PT, int(extent.get("cy")) / EMU_PER_PT)
        except (KeyError, TypeError, ValueError):
            continue
        if size[0] > 0 and size[1] > 0:
            return image.blob, size
    return None, (0.0, 0.0)
