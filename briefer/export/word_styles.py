"""Named Word styles for the DOCX exporter.

Everything the exporter writes is formatted through named styles, so an
organisation's reference document decides the look and a user can restyle
the result in Word. This module makes sure each style the exporter needs
exists, resolves its style id once (python-docx would look names up on every
paragraph), and, when there is no reference document, shapes the styles from
the template's `Style`: fonts, sizes, colours, line spacing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from docx.document import Document as DocxDocument
from lxml import etree

from briefer.export.word_numbering import LIST_INDENT_TWIPS, Numbering
from briefer.export.word_xml import attr, half_points, hex_color, parse_fragment, w
from briefer.model import Style

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
    """Resolved style ids and list numbering for one document being built."""

    def __init__(self, ids: dict[S, str], lists: dict[S, ListLook]) -> None:
        self._ids = ids
        self._lists = lists

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
    ids: dict[S, str] = {}
    lists: dict[S, ListLook] = {}
    for key in S:
        found = existing.get((key.style_type, key.style_name.lower()))
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
    return StyleSheet(ids, lists)


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
        parts.append(
            '<w:pPr><w:spacing w:before="40" w:after="40" w:line="240" w:lineRule="auto"/></w:pPr>'
            "<w:tblPr><w:tblBorders>"
            + "".join(
                f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="A6A6A6"/>'
                for side in ("top", "left", "bottom", "right", "insideH", "insideV")
            )
            + '</w:tblBorders><w:tblCellMar><w:left w:w="108" w:type="dxa"/>'
            '<w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr>'
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


_HEADER_PPR = (
    '<w:tabs><w:tab w:val="center" w:pos="4680"/><w:tab w:val="right" w:pos="9360"/></w:tabs>'
    '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/>'
)


def _definitions(style: Style) -> dict[S, tuple[str, str]]:
    """(pPr inner XML, rPr inner XML) for every style, from the template.

    Children are in schema order: pPr (keepNext, keepLines, numPr, pBdr, shd,
    tabs, spacing, ind, contextualSpacing, jc, outlineLvl), rPr (rStyle,
    rFonts, b, bCs, i, iCs, color, sz, szCs, u, vertAlign)."""
    body = style.body_size_pt
    text = hex_color(style.text_color, "1A1A1A")
    accent = hex_color(style.accent, "0B5CAD")
    banner = hex_color(style.banner_color, "B00020")
    line = max(240, round(240 * style.line_spacing))
    heading_font = _fonts(style.heading_font)
    mono = _fonts(style.mono_font)
    grey = "595959"
    defs: dict[S, tuple[str, str]] = {
        S.NORMAL: (
            f'<w:spacing w:before="0" w:after="120" w:line="{line}" w:lineRule="auto"/>',
            _fonts(style.body_font, CJK_FONT) + f'<w:color w:val="{text}"/>' + _size(body),
        ),
        S.TITLE: (
            '<w:keepNext/><w:spacing w:before="0" w:after="120" w:line="240" w:lineRule="auto"/>',
            heading_font
            + f'<w:b/><w:bCs/><w:color w:val="{accent}"/>'
            + _size(style.title_size_pt),
        ),
        S.SUBTITLE: (
            '<w:keepNext/><w:spacing w:before="0" w:after="240"/>',
            heading_font + f'<w:color w:val="{grey}"/>' + _size(body * 1.3),
        ),
        S.QUOTE: (
            f'<w:pBdr><w:left w:val="single" w:sz="18" w:space="8" w:color="{accent}"/></w:pBdr>'
            '<w:spacing w:before="60" w:after="120"/><w:ind w:left="567" w:right="567"/>',
            '<w:i/><w:iCs/><w:color w:val="404040"/>',
        ),
        S.CAPTION: (
            '<w:spacing w:before="60" w:after="200"/>',
            f'<w:i/><w:iCs/><w:color w:val="{grey}"/>' + _size(body - 1),
        ),
        S.CODE: (
            '<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/>'
            '<w:spacing w:before="60" w:after="120" w:line="240" w:lineRule="auto"/>'
            '<w:ind w:left="113" w:right="113"/>',
            mono + _size(body - 1),
        ),
        S.SOURCE_LINE: (
            '<w:spacing w:before="240" w:after="120"/>',
            _size(body - 0.5),
        ),
        S.BIBLIOGRAPHY: (
            '<w:spacing w:after="60"/><w:ind w:left="425" w:hanging="425"/>',
            "",
        ),
        S.TABLE_TEXT: (
            '<w:spacing w:before="20" w:after="20" w:line="240" w:lineRule="auto"/>',
            "",
        ),
        S.FOOTNOTE_TEXT: (
            '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>',
            _size(max(6.0, body - 2)),
        ),
        S.HEADER: (
            _HEADER_PPR.replace('w:after="0"', 'w:after="120"'),
            f'<w:color w:val="{grey}"/>' + _size(max(6.0, body - 1.5)),
        ),
        S.FOOTER: (
            _HEADER_PPR,
            f'<w:color w:val="{grey}"/>' + _size(max(6.0, body - 1.5)),
        ),
        S.BANNER: (
            '<w:spacing w:before="0" w:after="60" w:line="240" w:lineRule="auto"/>'
            '<w:jc w:val="center"/>',
            f'<w:b/><w:bCs/><w:color w:val="{banner}"/>' + _size(body),
        ),
        S.TOC_HEADING: (
            '<w:keepNext/><w:spacing w:before="240" w:after="80"/>',
            heading_font
            + f'<w:b/><w:bCs/><w:color w:val="{accent}"/>'
            + _size(style.heading_sizes_pt[1]),
        ),
        S.HYPERLINK: ("", f'<w:color w:val="{accent}"/><w:u w:val="single"/>'),
        S.FOOTNOTE_REFERENCE: ("", '<w:vertAlign w:val="superscript"/>'),
        S.LEAD_IN: ("", heading_font + f'<w:b/><w:bCs/><w:color w:val="{accent}"/>'),
        S.INLINE_CODE: ("", mono),
    }
    befores = (360, 240, 200)
    for level, key in enumerate(HEADINGS):
        defs[key] = (
            f'<w:keepNext/><w:keepLines/><w:spacing w:before="{befores[level]}" w:after="80"/>'
            f'<w:outlineLvl w:val="{level}"/>',
            heading_font
            + f'<w:b/><w:bCs/><w:color w:val="{accent}"/>'
            + _size(style.heading_sizes_pt[level]),
        )
    for key in BULLETS + NUMBERS:
        defs[key] = ('<w:spacing w:after="60"/>', "")
    for depth, key in enumerate(CONTINUES, start=1):
        defs[key] = (f'<w:spacing w:after="60"/><w:ind w:left="{LIST_INDENT_TWIPS * depth}"/>', "")
    for depth, key in enumerate(TOCS):
        defs[key] = (f'<w:spacing w:after="40"/><w:ind w:left="{depth * 360}"/>', "")
    return defs


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
