"""A Word document's house look, read and written back as `TextLook`s.

`read_house_look` reads what a house Word document (opened by
`word_package.open_base`) says about the paragraphs a brief is made of: for
Normal, Title, Subtitle, Heading 1-3, List Bullet and Quote, the font, size, colour,
bold, italic and spacing as Word would show them, each property taken from
the style, else from the style it is based on (and so on), else from the
document's defaults, else Word's own (Times New Roman, 10 pt, black, single
spacing). Theme fonts ("+Headings", "+Body") are read from the document's
theme. It also reads the page set-up of the document's last section, and
`read_house_furniture` its own header and footer (lines of text with their
page fields, the first picture, the style's look and alignment), which the
DOCX keeps and the PDF then draws alike.

`overlay_looks` writes a template's looks into a base document's styles
where they differ from what the base says, so a look changed in Briefer
(say, in the template editor) reaches the DOCX as it reaches the PDF, while
a base whose look was read as it is stays untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.section import _Footer, _Header
from docx.shared import Pt, RGBColor
from docx.styles.style import ParagraphStyle
from lxml import etree

from briefer.export.word_xml import w
from briefer.model import TextElement, TextLook, TextLooks

_A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
# What Word uses where neither a style nor the document's defaults say.
WORD_FONT = "Times New Roman"
WORD_SIZE_PT = 10.0
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
    styles = _Styles(document)
    looks = TextLooks()
    missing: list[TextElement] = []
    for element in TextElement:
        found = styles.named(element.word_name)
        if found is None and element is TextElement.NORMAL:
            found = styles.default_paragraph
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


class _Styles:
    """A document's paragraph styles, resolved as Word resolves them."""

    def __init__(self, document: DocxDocument) -> None:
        root = document.styles.element
        self._by_id: dict[str, etree._Element] = {}
        self._by_name: dict[str, etree._Element] = {}
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

    def style_of(self, paragraph: etree._Element) -> etree._Element:
        """The paragraph's style (the default one when it names none)."""
        ppr = paragraph.find(w("pPr"))
        style = None if ppr is None else ppr.find(w("pStyle"))
        found = self._by_id.get(style.get(w("val"), "")) if style is not None else None
        if found is None:
            found = self.default_paragraph
        return found if found is not None else etree.Element(w("style"))

    def alignment(self, paragraph: etree._Element) -> str:
        """How a paragraph is aligned, by itself or by its style: "left",
        "center" or "right"."""
        ppr = paragraph.find(w("pPr"))
        chain: list[etree._Element] = [] if ppr is None else [ppr]
        found = self.style_of(paragraph)
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

    def _chain(self, style: etree._Element) -> list[etree._Element]:
        """The style and those it is based on, nearest first."""
        chain: list[etree._Element] = []
        current: etree._Element | None = style
        while current is not None and len(chain) < _MAX_BASED_ON and current not in chain:
            chain.append(current)
            based = current.find(w("basedOn"))
            current = None if based is None else self._by_id.get(based.get(w("val"), ""))
        return chain

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

        size = WORD_SIZE_PT
        for rpr in rprs:
            found = rpr.find(w("sz"))
            if found is not None and _number(found.get(w("val"))) is not None:
                size = _number(found.get(w("val"))) / 2
                break
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
            font=self._font(rprs),
            size_pt=size,
            color=_colour(rprs),
            bold=_toggle(rprs, "b"),
            italic=_toggle(rprs, "i"),
            space_before_pt=before,
            space_after_pt=after,
            line_spacing=line_spacing,
            line_pitch_pt=line_pitch,
        )

    def _font(self, rprs: list[etree._Element]) -> str:
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
        return WORD_FONT


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


def _toggle(rprs: list[etree._Element], tag: str) -> bool:
    for rpr in rprs:
        found = rpr.find(w(tag))
        if found is not None:
            return found.get(w("val"), "true").lower() not in _FALSE
    return False


def _colour(rprs: list[etree._Element]) -> str:
    for rpr in rprs:
        found = rpr.find(w("color"))
        if found is None:
            continue
        value = (found.get(w("val")) or "").upper()
        if len(value) == 6 and all(ch in "0123456789ABCDEF" for ch in value):
            return f"#{value}"
        if value == "AUTO":
            return "#000000"
    return "#000000"


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
    template) and where Word puts them: the distances from the page's edges
    in points."""

    header: HouseStory | None
    footer: HouseStory | None
    header_distance_pt: float
    footer_distance_pt: float


def read_house_furniture(document: DocxDocument) -> HouseFurniture:
    """The header and footer the base document's last section shows on
    every page, which the DOCX keeps (`word_parts.PageFurniture`)."""
    section = document.sections[-1]
    styles = _Styles(document)

    def distance(value: int | None, default: float) -> float:
        return default if value is None else int(value) / EMU_PER_PT

    return HouseFurniture(
        header=_story(section.header, styles),
        footer=_story(section.footer, styles),
        header_distance_pt=distance(section.header_distance, 36.0),
        footer_distance_pt=distance(section.footer_distance, 36.0),
    )


def _story(story: _Header | _Footer, styles: _Styles) -> HouseStory | None:
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
