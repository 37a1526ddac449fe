"""Named Word styles for the DOCX exporter.

Everything the exporter writes is formatted through named styles, so an
organisation's reference document decides the look and a user can restyle
the result in Word. This module makes sure each style the exporter needs
exists, resolves its style id once (python-docx would look names up on every
paragraph), and, when there is no reference document, shapes the styles from
the template's `Style`: fonts, sizes, colours, line spacing. With one, the
tables take the base's table style (the template's choice, else the base's
default for new tables, else its "Table Grid": `word_house.chosen_table_style`,
which the PDF follows too), and a base with its own contents styles colours
the contents entries itself.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from docx.document import Document as DocxDocument
from lxml import etree

from briefer.export.layout import (
    CELL_PADDING_H,
    CELL_PADDING_V,
    FOOTNOTE_HANGING,
    HEADING_KINDS,
    QUOTE_INDENT,
    SOURCE_HANGING,
    TABLE_HEAD_FILL,
    TABLE_RULE,
    TABLE_RULE_WIDTH,
    Face,
    Kind,
    Metrics,
    faces,
    metrics,
)
from briefer.export.word_house import chosen_table_style, table_cell_padding
from briefer.export.word_numbering import LIST_INDENT_TWIPS, Numbering
from briefer.export.word_xml import attr, half_points, hex_color, parse_fragment, twips, w
from briefer.model import Style, TextLook

CJK_FONT = "WenQuanYi Zen Hei"

# Word's own spelling of its built-in style names (as stored in styles.xml);
# lookups ignore case, so "Heading 1" in a reference document matches too.


class S(enum.Enum):
    """The styles the exporter uses: (name in styles.xml, type, preferred id)."""

    NORMAL = ("Normal", "paragraph", "Normal")
    TITLE = ("Title", "paragraph", "Title")
    SUBTITLE = ("Subtitle", "paragraph", "Subtitle")
    HEADING_1 = ("heading 1", "paragraph", "Heading1")
    HEADING_2 = ("heading 2", "paragraph", "Heading2")
    HEADING_3 = ("heading 3", "paragraph", "Heading3")
    LIST_BULLET = ("List Bullet", "paragraph", "ListBullet")
    LIST_BULLET_2 = ("List Bullet 2", "paragraph", "ListBullet2")
    LIST_BULLET_3 = ("List Bullet 3", "paragraph", "ListBullet3")
    LIST_NUMBER = ("List Number", "paragraph", "ListNumber")
    LIST_NUMBER_2 = ("List Number 2", "paragraph", "ListNumber2")
    LIST_NUMBER_3 = ("List Number 3", "paragraph", "ListNumber3")
    LIST_CONTINUE = ("List Continue", "paragraph", "ListContinue")
    LIST_CONTINUE_2 = ("List Continue 2", "paragraph", "ListContinue2")
    LIST_CONTINUE_3 = ("List Continue 3", "paragraph", "ListContinue3")
    QUOTE = ("Quote", "paragraph", "Quote")
    CAPTION = ("caption", "paragraph", "Caption")
    CODE = ("Code", "paragraph", "Code")
    SOURCE_LINE = ("Source Line", "paragraph", "SourceLine")
    BIBLIOGRAPHY = ("Bibliography", "paragraph", "Bibliography")
    TABLE_TEXT = ("Table Text", "paragraph", "TableText")
    FOOTNOTE_TEXT = ("footnote text", "paragraph", "FootnoteText")
    HEADER = ("header", "paragraph", "Header")
    FOOTER = ("footer", "paragraph", "Footer")
    BANNER = ("Classification Banner", "paragraph", "ClassificationBanner")
    TOC_HEADING = ("TOC Heading", "paragraph", "TOCHeading")
    TOC_1 = ("toc 1", "paragraph", "TOC1")
    TOC_2 = ("toc 2", "paragraph", "TOC2")
    TOC_3 = ("toc 3", "paragraph", "TOC3")
    HYPERLINK = ("Hyperlink", "character", "Hyperlink")
    CONTENTS_LINK = ("Contents Link", "character", "ContentsLink")
    FOOTNOTE_REFERENCE = ("footnote reference", "character", "FootnoteReference")
    LEAD_IN = ("Lead In", "character", "LeadIn")
    INLINE_CODE = ("Inline Code", "character", "InlineCode")
    TABLE = ("Table Grid", "table", "TableGrid")

    @property
    def style_name(self) -> str:
        return self.value[0]

    @property
    def style_type(self) -> str:
        return self.value[1]


HEADINGS = (S.HEADING_1, S.HEADING_2, S.HEADING_3)
BULLETS = (S.LIST_BULLET, S.LIST_BULLET_2, S.LIST_BULLET_3)
NUMBERS = (S.LIST_NUMBER, S.LIST_NUMBER_2, S.LIST_NUMBER_3)
CONTINUES = (S.LIST_CONTINUE, S.LIST_CONTINUE_2, S.LIST_CONTINUE_3)
TOCS = (S.TOC_1, S.TOC_2, S.TOC_3)


@dataclass(frozen=True)
class ListLook:
    """How a list style numbers its paragraphs: the `w:num` it points at
    (None when the style has no numbering and paragraphs need their own)."""

    num_id: int | None
    abstract_id: int
    ilvl: int = 0


class StyleSheet:
    """Resolved style ids and list numbering for one document being built,
    and the left cell margin (points) of a Word base's table style, which
    the PDF's tables take (None: Briefer's own table style)."""

    def __init__(
        self,
        ids: dict[S, str],
        lists: dict[S, ListLook],
        table_padding: float | None = None,
    ) -> None:
        self._ids = ids
        self._lists = lists
        self.table_padding = table_padding

    def id(self, key: S) -> str:
        return self._ids[key]

    def list_look(self, key: S) -> ListLook:
        return self._lists[key]


def prepare_styles(
    docx_document: DocxDocument,
    style: Style,
    numbering: Numbering,
    *,
    apply_template: bool,
    language: str,
) -> StyleSheet:
    """Create missing styles (all of them from `style` when `apply_template`)
    and return their ids."""
    root = docx_document.styles.element
    existing: dict[tuple[str, str], etree._Element] = {}
    used_ids: set[str] = set()
    for element in root.iterchildren(w("style")):
        name_el = element.find(w("name"))
        style_id = element.get(w("styleId"), "")
        used_ids.add(style_id)
        if name_el is not None:
            key = (element.get(w("type"), "paragraph"), name_el.get(w("val"), "").lower())
            existing.setdefault(key, element)

    if apply_template:
        _set_doc_defaults(root, style, language)

    defs = _definitions(style)
    if not apply_template and ("paragraph", "toc 1") in existing:
        # The base's own contents styles colour the entries, as in the PDF.
        defs[S.CONTENTS_LINK] = ("", "")
    ids: dict[S, str] = {}
    lists: dict[S, ListLook] = {}
    table_padding: float | None = None
    for key in S:
        found = existing.get((key.style_type, key.style_name.lower()))
        if key is S.TABLE and not apply_template:
            # The base's table style for new tables, or the one the template
            # names, where the base has it (the PDF draws the same one).
            found = chosen_table_style(docx_document, style.table_style)
            if found is not None:
                table_padding = table_cell_padding(docx_document, found)
        if found is not None and not apply_template:
            ids[key] = found.get(w("styleId"), "")
            continue
        if found is not None:
            style_id = found.get(w("styleId"), "")
        else:
            style_id = _unique_id(key.value[2], used_ids)
            used_ids.add(style_id)
        ppr, rpr = defs.get(key, ("", ""))
        if key in BULLETS or key in NUMBERS:
            num_id = numbering.new_num(_own_abstract(numbering, key))
            ppr = f'<w:numPr><w:numId w:val="{num_id}"/></w:numPr>{ppr}'
        element = _style_element(key, style_id, ppr, rpr, ids)
        if found is not None:
            found.addprevious(element)
            root.remove(found)
        else:
            root.append(element)
        ids[key] = style_id

    for key in BULLETS + NUMBERS:
        lists[key] = _list_look(root, ids[key], numbering, key)
    return StyleSheet(ids, lists, table_padding)


def _own_abstract(numbering: Numbering, key: S) -> int:
    """Our numbering definition for the list style `key` (a bullet or
    number style of depth 1-3)."""
    ordered = key in NUMBERS
    depth = (NUMBERS if ordered else BULLETS).index(key) + 1
    return numbering.own_abstract(ordered, depth)


def _list_look(root: etree._Element, style_id: str, numbering: Numbering, key: S) -> ListLook:
    element = _find_style(root, style_id)
    num_pr = None if element is None else element.find(f"{w('pPr')}/{w('numPr')}")
    if num_pr is not None:
        num_el = num_pr.find(w("numId"))
        ilvl_el = num_pr.find(w("ilvl"))
        num_text = "" if num_el is None else num_el.get(w("val"), "")
        ilvl_text = "0" if ilvl_el is None else ilvl_el.get(w("val"), "0")
        if num_text.isdigit() and ilvl_text.isdigit():
            abstract = numbering.abstract_of(int(num_text))
            if abstract is not None:
                return ListLook(int(num_text), abstract, int(ilvl_text))
    return ListLook(None, _own_abstract(numbering, key), 0)


def _find_style(root: etree._Element, style_id: str) -> etree._Element | None:
    for element in root.iterchildren(w("style")):
        if element.get(w("styleId")) == style_id:
            return element
    return None


def _unique_id(preferred: str, used: set[str]) -> str:
    candidate, n = preferred, 1
    while candidate in used:
        n += 1
        candidate = f"{preferred}{n}"
    return candidate


_BASED_ON = {
    S.NORMAL: None,
    S.TABLE: None,
    S.HYPERLINK: None,
    S.CONTENTS_LINK: None,
    S.FOOTNOTE_REFERENCE: None,
    S.LEAD_IN: None,
    S.INLINE_CODE: None,
}
_QUICK = {S.TITLE, S.SUBTITLE, *HEADINGS, S.QUOTE, S.CAPTION}


def _style_element(key: S, style_id: str, ppr: str, rpr: str, ids: dict[S, str]) -> etree._Element:
    based = _BASED_ON.get(key, S.NORMAL)
    parts = [
        f'<w:style w:type="{key.style_type}" w:styleId="{attr(style_id)}"'
        + (' w:default="1"' if key is S.NORMAL else "")
        + f'><w:name w:val="{attr(key.style_name)}"/>'
    ]
    if based is not None and based in ids:
        parts.append(f'<w:basedOn w:val="{attr(ids[based])}"/>')
    if key in (*HEADINGS, S.TITLE, S.SUBTITLE, S.TOC_HEADING) and S.NORMAL in ids:
        parts.append(f'<w:next w:val="{attr(ids[S.NORMAL])}"/>')
    if key in _QUICK:
        parts.append("<w:qFormat/>")
    if key is S.TABLE:
        pad_v, pad_h = twips(CELL_PADDING_V), twips(CELL_PADDING_H)
        rule = round(TABLE_RULE_WIDTH * 8)  # eighths of a point
        parts.append(
            "<w:tblPr><w:tblBorders>"
            + "".join(
                f'<w:{side} w:val="single" w:sz="{rule}" w:space="0" w:color="{TABLE_RULE}"/>'
                for side in ("top", "left", "bottom", "right", "insideH", "insideV")
            )
            + f'</w:tblBorders><w:tblCellMar><w:top w:w="{pad_v}" w:type="dxa"/>'
            f'<w:left w:w="{pad_h}" w:type="dxa"/><w:bottom w:w="{pad_v}" w:type="dxa"/>'
            f'<w:right w:w="{pad_h}" w:type="dxa"/></w:tblCellMar></w:tblPr>'
            # The header row shaded as in the PDF.
            '<w:tblStylePr w:type="firstRow"><w:tcPr>'
            f'<w:shd w:val="clear" w:color="auto" w:fill="{TABLE_HEAD_FILL}"/>'
            "</w:tcPr></w:tblStylePr>"
        )
    else:
        if ppr and key.style_type == "paragraph":
            parts.append(f"<w:pPr>{ppr}</w:pPr>")
        if rpr:
            parts.append(f"<w:rPr>{rpr}</w:rPr>")
    parts.append("</w:style>")
    return parse_fragment("".join(parts), "w:styles")[0]


def _fonts(name: str, east_asia: str = "") -> str:
    font = attr(name)
    ea = f' w:eastAsia="{attr(east_asia)}"' if east_asia else ""
    return f'<w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:cs="{font}"{ea}/>'


def _size(size_pt: float) -> str:
    hp = half_points(size_pt)
    return f'<w:sz w:val="{hp}"/><w:szCs w:val="{hp}"/>'


def _spacing(m: Metrics) -> str:
    """`w:spacing` for paragraph metrics: the line pitch "at least" the
    PDF's leading, so both formats set text on the same pitch."""
    return (
        f'<w:spacing w:before="{twips(m.before)}" w:after="{twips(m.after)}"'
        f' w:line="{twips(m.leading)}" w:lineRule="atLeast"/>'
    )


def _definitions(style: Style) -> dict[S, tuple[str, str]]:
    """(pPr inner XML, rPr inner XML) for every style, from the template.

    Sizes and spacing come from `layout.metrics`, the table the PDF is laid
    out by. Children are in schema order: pPr (keepNext, keepLines,
    widowControl, numPr, pBdr, shd, tabs, spacing, ind, contextualSpacing,
    jc, outlineLvl), rPr (rStyle, rFonts, b, bCs, i, iCs, color, sz, szCs,
    u, vertAlign)."""
    m = metrics(style)
    looks = faces(style)
    body = looks[Kind.BODY]
    accent = hex_color(style.accent, "0B5CAD")
    banner = hex_color(style.banner_color, "B00020")
    heading_font = _fonts(style.heading_font)
    mono = _fonts(style.mono_font)
    grey = "595959"
    quote = twips(QUOTE_INDENT)
    hanging = twips(SOURCE_HANGING)
    tabs = (
        '<w:tabs><w:tab w:val="center" w:pos="4680"/><w:tab w:val="right" w:pos="9360"/></w:tabs>'
    )
    defs: dict[S, tuple[str, str]] = {
        S.NORMAL: (
            "<w:widowControl/>" + _spacing(m[Kind.BODY]),
            _fonts(body.font, CJK_FONT)
            + _emphasis(body.bold, body.italic)
            + f'<w:color w:val="{hex_color(body.color, "1A1A1A")}"/>'
            + _size(m[Kind.BODY].size),
        ),
        S.TITLE: (
            "<w:keepNext/>" + _spacing(m[Kind.TITLE]),
            _heading_run(looks[Kind.TITLE], m[Kind.TITLE]),
        ),
        S.SUBTITLE: (
            "<w:keepNext/>" + _spacing(m[Kind.SUBTITLE]),
            heading_font + f'<w:color w:val="{grey}"/>' + _size(m[Kind.SUBTITLE].size)
            if Kind.SUBTITLE not in looks
            else _heading_run(looks[Kind.SUBTITLE], m[Kind.SUBTITLE]),
        ),
        S.QUOTE: (
            f'<w:pBdr><w:left w:val="single" w:sz="16" w:space="7" w:color="{accent}"/></w:pBdr>'
            + _spacing(m[Kind.QUOTE])
            + f'<w:ind w:left="{quote}" w:right="{quote}"/>',
            _own_run(style.looks.quote, looks[Kind.QUOTE], body, always_colour=True),
        ),
        S.CAPTION: (
            _spacing(m[Kind.CAPTION]),
            f'<w:i/><w:iCs/><w:color w:val="{grey}"/>' + _size(m[Kind.CAPTION].size),
        ),
        S.CODE: (
            '<w:shd w:val="clear" w:color="auto" w:fill="F3F4F6"/>'
            + _spacing(m[Kind.CODE])
            + '<w:ind w:left="80" w:right="80"/>',
            mono + _size(m[Kind.CODE].size),
        ),
        S.SOURCE_LINE: (_spacing(m[Kind.SOURCE_LINE]), ""),
        S.BIBLIOGRAPHY: (
            _spacing(m[Kind.SOURCE_ENTRY]) + f'<w:ind w:left="{hanging}" w:hanging="{hanging}"/>',
            "",
        ),
        S.TABLE_TEXT: (_spacing(m[Kind.TABLE_CELL]), ""),
        S.FOOTNOTE_TEXT: (
            _spacing(m[Kind.FOOTNOTE])
            + f'<w:ind w:left="{twips(FOOTNOTE_HANGING)}" w:hanging="{twips(FOOTNOTE_HANGING)}"/>',
            _size(m[Kind.FOOTNOTE].size),
        ),
        S.HEADER: (
            tabs + _spacing(m[Kind.HEADER]) + '<w:jc w:val="center"/>',
            f'<w:color w:val="{grey}"/>' + _size(m[Kind.HEADER].size),
        ),
        S.FOOTER: (
            tabs + _spacing(m[Kind.HEADER]) + '<w:jc w:val="center"/>',
            f'<w:color w:val="{grey}"/>' + _size(m[Kind.HEADER].size),
        ),
        S.BANNER: (
            _spacing(m[Kind.BANNER]) + '<w:jc w:val="center"/>',
            f'<w:b/><w:bCs/><w:color w:val="{banner}"/>' + _size(m[Kind.BANNER].size),
        ),
        S.TOC_HEADING: (
            "<w:keepNext/>" + _spacing(m[Kind.CONTENTS_TITLE]),
            heading_font
            + f'<w:b/><w:bCs/><w:color w:val="{accent}"/>'
            + _size(m[Kind.CONTENTS_TITLE].size),
        ),
        S.HYPERLINK: ("", f'<w:color w:val="{accent}"/><w:u w:val="single"/>'),
        # A contents entry links to its heading in the accent colour, not
        # underlined, as in the PDF.
        S.CONTENTS_LINK: ("", f'<w:color w:val="{accent}"/>'),
        S.FOOTNOTE_REFERENCE: ("", '<w:vertAlign w:val="superscript"/>'),
        S.LEAD_IN: ("", heading_font + f'<w:b/><w:bCs/><w:color w:val="{accent}"/>'),
        S.INLINE_CODE: ("", mono),
    }
    for level, key in enumerate(HEADINGS):
        heading = m[HEADING_KINDS[level]]
        defs[key] = (
            "<w:keepNext/><w:keepLines/>" + _spacing(heading) + f'<w:outlineLvl w:val="{level}"/>',
            _heading_run(looks[HEADING_KINDS[level]], heading),
        )
    items = _own_run(style.looks.list_bullet, looks[Kind.LIST_ITEM], body)
    for key in BULLETS + NUMBERS:
        defs[key] = (_spacing(m[Kind.LIST_ITEM]), items)
    for depth, key in enumerate(CONTINUES, start=1):
        defs[key] = (
            _spacing(m[Kind.LIST_ITEM]) + f'<w:ind w:left="{LIST_INDENT_TWIPS * depth}"/>',
            "",
        )
    for depth, key in enumerate(TOCS):
        entry = m[Kind.CONTENTS_ENTRY]
        defs[key] = (_spacing(entry) + f'<w:ind w:left="{twips(depth * 12.0)}"/>', "")
    return defs


def _emphasis(bold: bool, italic: bool) -> str:
    return ("<w:b/><w:bCs/>" if bold else "") + ("<w:i/><w:iCs/>" if italic else "")


def _heading_run(face: Face, m: Metrics) -> str:
    """The run properties of the title or a heading: its own font, weight,
    slant and colour, so nothing of Normal's shows through."""
    bold = "<w:b/><w:bCs/>" if face.bold else '<w:b w:val="0"/><w:bCs w:val="0"/>'
    italic = "<w:i/><w:iCs/>" if face.italic else ""
    colour = hex_color(face.color, "0B5CAD")
    return _fonts(face.font) + bold + italic + f'<w:color w:val="{colour}"/>' + _size(m.size)


def _own_run(look: TextLook, face: Face, body: Face, *, always_colour: bool = False) -> str:
    """The run properties of a style based on Normal (List Bullet, Quote):
    only what its face has that Normal's has not, so the rest follows
    Normal in Word as it does in the PDF."""
    out = _fonts(face.font) if face.font != body.font else ""
    if face.bold != body.bold:
        out += "<w:b/><w:bCs/>" if face.bold else '<w:b w:val="0"/><w:bCs w:val="0"/>'
    if face.italic != body.italic:
        out += "<w:i/><w:iCs/>" if face.italic else '<w:i w:val="0"/><w:iCs w:val="0"/>'
    if always_colour or face.color != body.color:
        out += f'<w:color w:val="{hex_color(face.color, "404040")}"/>'
    if look.size_pt is not None:
        out += _size(look.size_pt)
    return out


def _set_doc_defaults(root: etree._Element, style: Style, language: str) -> None:
    """Explicit fonts in the document defaults: theme fonts there would win
    over the explicit fonts the styles name."""
    lang = attr(language or "en")
    xml = (
        "<w:docDefaults><w:rPrDefault><w:rPr>"
        + _fonts(style.body_font, CJK_FONT)
        + _size(style.body_size_pt)
        + f'<w:lang w:val="{lang}" w:eastAsia="{attr(_east_asian_lang(language))}" w:bidi="ar-SA"/>'
        + "</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>"
        + '<w:spacing w:after="120" w:line="240" w:lineRule="auto"/>'
        + "</w:pPr></w:pPrDefault></w:docDefaults>"
    )
    element = parse_fragment(xml, "w:styles")[0]
    old = root.find(w("docDefaults"))
    if old is not None:
        old.addprevious(element)
        root.remove(old)
    else:
        root.insert(0, element)


def _east_asian_lang(language: str) -> str:
    return language if is_cjk_language(language) else "zh-CN"


def is_cjk_language(language: str) -> bool:
    return language.lower().split("-")[0] in ("zh", "ja", "ko")
