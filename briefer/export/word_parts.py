"""The DOCX parts around the body: header, footer, footnotes, properties.

python-docx 1.2 has a header and footer API but none for footnotes, so the
footnotes part (`word/footnotes.xml`, with the separator footnotes Word
expects, its content type and its relationship) is built here with lxml.
Header and footer text comes from the template's `header` and `footer`
strings: `{page}` and `{pages}` become live PAGE and NUMPAGES fields, the
other fields are filled from the brief's metadata.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from docx.document import Document as DocxDocument
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.section import _Footer, _Header
from lxml import etree

from briefer.document import HEADER_FIELD, Document, Span, Text, banner_text, field_values
from briefer.export.images import logo_warning
from briefer.export.layout import first_page_header, furniture
from briefer.export.properties import WORD_PROPERTY_LIMIT, document_properties, limited
from briefer.export.warning_log import WarningLog
from briefer.export.word_body import Geometry, Ids, Notes, SpanWriter, drawing_xml
from briefer.export.word_rels import PartLinks
from briefer.export.word_styles import S, StyleSheet
from briefer.export.word_xml import EMU_PER_MM, R_NS, attr, parse_fragment, twips, w
from briefer.text import clean_text

_PAGE_FIELDS = {"page": "PAGE", "pages": "NUMPAGES"}

# -- header and footer ---------------------------------------------------------


@dataclass(frozen=True)
class PageFurniture:
    """Writes the banner, logo and header/footer text of one export."""

    document: Document
    sheet: StyleSheet
    ids: Ids
    geometry: Geometry
    east_asian_lang: str
    warnings: WarningLog

    def write(self, docx_document: DocxDocument) -> None:
        """Fill the headers and footers the last section shows.

        A header or footer the base document (the house style) already
        fills is the house's: only the classification is added to it (the
        banner, or the `{classification}` field the template's header or
        footer would have shown), so a classified brief keeps its marking on
        every page. The
        others get the template's banner, logo and fields. Page 1 gets a
        header of its own when it differs from the rest (the logo sits
        there, and a field repeating the title is left out), unless the
        house's own header is in the way."""
        style = self.document.style
        section = docx_document.sections[-1]
        first_header = first_page_header(style.header)
        page_one_differs = style.logo is not None or first_header != style.header
        if (
            page_one_differs
            and not section.different_first_page_header_footer
            and not _has_content(section.header)
        ):
            section.different_first_page_header_footer = True
            if _has_content(section.footer):
                # Page 1 shows the house's footer, as the other pages do.
                _copy_story(section.footer, section.first_page_footer)
        stories: list[tuple[_Header | _Footer, str, bool]] = [
            (section.header, style.header, False),
            (section.footer, style.footer, False),
        ]
        if section.different_first_page_header_footer:
            stories.append((section.first_page_header, first_header, True))
            stories.append((section.first_page_footer, style.footer, True))
        if docx_document.settings.odd_and_even_pages_header_footer:
            stories.append((section.even_page_header, style.header, False))
            stories.append((section.even_page_footer, style.footer, False))
        for story, pattern, first in stories:
            is_header = isinstance(story, _Header)
            if _has_content(story):
                self._mark(story, pattern, is_header=is_header)
            else:
                self._fill(story, pattern, is_header=is_header, first=first)

    def _writer(self, part: XmlPart) -> SpanWriter:
        return SpanWriter(
            self.document, self.sheet, PartLinks(part), self.ids, None, self.east_asian_lang
        )

    def _mark(self, story: _Header | _Footer, pattern: str, *, is_header: bool) -> None:
        """The classification on a house header (above it) or footer (below
        it): the template's banner, or the classification its header or
        footer `pattern` would have printed there."""
        banner = banner_text(self.document)
        if not banner and "{classification}" in pattern:
            banner = clean_text(self.document.meta.classification).strip()
        if not banner:
            return
        root = story.part.element
        out: list[str] = []
        gap = twips(furniture(self.document.style).banner_gap) if is_header else 0
        ppr = f'<w:spacing w:after="{gap}"/>' if gap else ""
        self._writer(story.part).paragraph(out, self.sheet.id(S.BANNER), (Text(banner),), ppr=ppr)
        tag = "w:hdr" if is_header else "w:ftr"
        element = parse_fragment("".join(out), tag)[0]
        if is_header:
            root.insert(0, element)
        else:
            root.append(element)

    def _fill(
        self, story: _Header | _Footer, template: str, *, is_header: bool, first: bool
    ) -> None:
        document, sheet = self.document, self.sheet
        banner = banner_text(document)
        logo = document.style.logo if is_header and first else None
        has_text = bool(template.strip())
        if not (has_text or banner or logo):
            return
        if story.is_linked_to_previous:
            story.is_linked_to_previous = False
        part = story.part
        root = part.element
        # Nothing shows in it (python-docx's placeholder, or the house's
        # empty paragraph): start afresh, so no blank line sits above.
        for child in list(root):
            root.remove(child)
        writer = self._writer(part)
        style_id = attr(sheet.id(S.HEADER if is_header else S.FOOTER))
        distances = furniture(document.style)
        content: list[str] = []
        drawing = self._logo(part, logo) if logo is not None else ""
        if drawing:
            gap = twips(distances.logo_gap)
            content.append(
                f'<w:p><w:pPr><w:pStyle w:val="{style_id}"/><w:spacing w:after="{gap}"/>'
                f'<w:jc w:val="left"/></w:pPr><w:r>{drawing}</w:r></w:p>'
            )
        runs = _field_runs(writer, template, document) if has_text else ""
        if runs:
            content.append(f'<w:p><w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>{runs}</w:p>')
        banner_xml: list[str] = []
        if banner:
            # A little room between the banner and the header under it.
            gap = twips(distances.banner_gap) if is_header and content else 0
            ppr = f'<w:spacing w:after="{gap}"/>' if gap else ""
            writer.paragraph(banner_xml, sheet.id(S.BANNER), (Text(banner),), ppr=ppr)
        tag = "w:hdr" if is_header else "w:ftr"
        parts = banner_xml + content if is_header else content + banner_xml
        for element in list(parse_fragment("".join(parts), tag)):
            root.append(element)
        if len(root) == 0:  # a header part must hold at least one paragraph
            root.append(parse_fragment("<w:p/>", tag)[0])

    def _logo(self, part: XmlPart, logo: Path) -> str:
        placed, problem = PartLinks(part).picture(logo, decode=False)
        if placed is None:
            self.warnings.warn(logo_warning(logo, problem))
            return ""
        rel_id, image = placed
        width, height = int(image.width), int(image.height)
        target = max(1, int(self.document.style.logo_width_mm * EMU_PER_MM))
        cy = max(1, int(height * target / max(width, 1)))
        return drawing_xml(
            rel_id, target, cy, self.geometry, self.ids.drawing(), Path(logo).name, "Logo"
        )


# What makes a header or footer show something: text, a picture, a field.
_VISIBLE = tuple(
    w(tag) for tag in ("drawing", "pict", "object", "fldSimple", "instrText", "sym", "ptab")
)


def _has_content(story: _Header | _Footer) -> bool:
    """Whether a header or footer of the base document shows anything."""
    if story.is_linked_to_previous:
        return False
    for element in story.part.element.iter():
        if element.tag == w("t") and (element.text or "").strip():
            return True
        if element.tag in _VISIBLE:
            return True
    return False


def _copy_story(source: _Header | _Footer, target: _Header | _Footer) -> None:
    """Make `target` (a header or footer not yet defined) a copy of
    `source`, pictures and links included."""
    target.is_linked_to_previous = False
    src, dst = source.part, target.part
    root = dst.element
    for child in list(root):
        root.remove(child)
    rel_ids: dict[str, str] = {}
    for rel_id, rel in src.rels.items():
        if rel.is_external:
            rel_ids[rel_id] = dst.relate_to(rel.target_ref, rel.reltype, is_external=True)
        else:
            rel_ids[rel_id] = dst.relate_to(rel.target_part, rel.reltype)
    for child in src.element:
        copied = copy.deepcopy(child)
        for element in copied.iter():
            for name, value in element.attrib.items():
                if name.startswith(f"{{{R_NS}}}") and value in rel_ids:
                    element.set(name, rel_ids[value])
        root.append(copied)


def _field_runs(writer: SpanWriter, template: str, document: Document) -> str:
    values = field_values(document.meta)
    if not HEADER_FIELD.sub(lambda m: values.get(m.group(1), "1"), template).strip():
        return ""
    out: list[str] = []
    pos = 0
    for match in HEADER_FIELD.finditer(template):
        writer.text(out, template[pos : match.start()])
        name = match.group(1)
        if name in _PAGE_FIELDS:
            out.append(field_xml(_PAGE_FIELDS[name]))
        else:
            writer.text(out, values[name])
        pos = match.end()
    writer.text(out, template[pos:])
    return "".join(out)


def field_xml(instruction: str) -> str:
    """A complex field (PAGE, NUMPAGES) with a placeholder result."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve">'
        f" {instruction} \\* MERGEFORMAT </w:instrText></w:r>"
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        "<w:r><w:t>1</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


# -- footnotes -----------------------------------------------------------------


class Footnotes:
    """The footnotes part: the base document's separators kept, its notes
    (which belonged to the dropped body) removed, ours added."""

    def __init__(self, docx_document: DocxDocument) -> None:
        self._doc_part = docx_document.part
        self._settings = docx_document.settings.element
        self._old_rel: str | None = None
        self._separators: list[etree._Element] = []
        for rel_id, rel in self._doc_part.rels.items():
            if rel.reltype == RT.FOOTNOTES and not rel.is_external:
                self._old_rel = rel_id
                self._separators = _special_notes(rel.target_part.blob)
                break
        used = [int(el.get(w("id"), "0")) for el in self._separators]
        self.notes = Notes(first_id=max([0, *used]) + 1)

    def finish(self, document: Document, sheet: StyleSheet, ids: Ids, east_asian_lang: str) -> None:
        if not self.notes.items and self._old_rel is None:
            return
        if self._old_rel is not None:
            self._doc_part.drop_rel(self._old_rel)
        root = parse_fragment("", "w:footnotes")
        part = XmlPart(
            PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, root, self._doc_part.package
        )
        self._doc_part.relate_to(part, RT.FOOTNOTES)
        if not self._separators:
            self._separators = list(parse_fragment(_DEFAULT_SEPARATORS, "w:footnotes"))
        for element in self._separators:
            root.append(element)
        writer = SpanWriter(
            document, sheet, PartLinks(part, images=False), ids, None, east_asian_lang
        )
        mark_style = attr(sheet.id(S.FOOTNOTE_REFERENCE))
        bodies: dict[int, str] = {}
        out: list[str] = []
        for note_id, n in self.notes.items:
            if n not in bodies:
                source = document.source(n)
                spans: tuple[Span, ...] = source.spans if source is not None else ()
                paragraph: list[str] = []
                writer.paragraph(
                    paragraph,
                    sheet.id(S.FOOTNOTE_TEXT),
                    spans,
                    before=(
                        f'<w:r><w:rPr><w:rStyle w:val="{mark_style}"/></w:rPr>'
                        + (f"<w:t>{n}</w:t>" if n in self.notes.custom else "<w:footnoteRef/>")
                        + "</w:r>"
                        # To the hanging indent, where the note's lines start.
                        "<w:r><w:tab/></w:r>"
                    ),
                )
                bodies[n] = "".join(paragraph)
            out.append(f'<w:footnote w:id="{note_id}">{bodies[n]}</w:footnote>')
        for element in list(parse_fragment("".join(out), "w:footnotes")):
            root.append(element)
        self._link_separators()

    def _link_separators(self) -> None:
        """Name the separator notes in settings, as Word itself does."""
        if self._settings.find(w("footnotePr")) is not None:
            return
        refs = "".join(
            f'<w:footnote w:id="{attr(el.get(w("id"), "0"))}"/>' for el in self._separators
        )
        element = parse_fragment(f"<w:footnotePr>{refs}</w:footnotePr>", "w:settings")[0]
        for child in self._settings:
            if isinstance(child.tag, str) and etree.QName(child).localname in _AFTER_FOOTNOTE_PR:
                child.addprevious(element)
                return
        self._settings.append(element)


_AFTER_FOOTNOTE_PR = {
    "endnotePr",
    "compat",
    "docVars",
    "rsids",
    "mathPr",
    "attachedSchema",
    "themeFontLang",
    "clrSchemeMapping",
    "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures",
    "forceUpgrade",
    "captions",
    "readModeInkLockDown",
    "smartTagType",
    "schemaLibrary",
    "shapeDefaults",
    "doNotEmbedSmartTags",
    "decimalSymbol",
    "listSeparator",
}

_DEFAULT_SEPARATORS = (
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr>'
    '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    "<w:r><w:separator/></w:r></w:p></w:footnote>"
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr>'
    '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    "<w:r><w:continuationSeparator/></w:r></w:p></w:footnote>"
)


def _special_notes(blob: bytes) -> list[etree._Element]:
    """The separator footnotes of an existing footnotes part (others dropped)."""
    try:
        old = etree.fromstring(blob)
    except etree.XMLSyntaxError:
        return []
    kept = [el for el in old.iterchildren(w("footnote")) if el.get(w("type"))]
    # Re-parse so the elements carry python-docx's element classes.
    xml = "".join(etree.tostring(el, encoding="unicode") for el in kept)
    return list(parse_fragment(xml, "w:footnotes")) if xml else []


# -- document properties -------------------------------------------------------


def write_properties(
    docx_document: DocxDocument, document: Document, created: dt.datetime, warnings: WarningLog
) -> None:
    """The core properties, shortened to what Word holds (with a warning)."""
    values, cut = limited(document_properties(document.meta), WORD_PROPERTY_LIMIT)
    if cut:
        named = [_PROPERTY_NAMES[name] for name in cut]
        names = ", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else named[0]
        verb = "is" if named[0] != "keywords" and len(named) == 1 else "are"
        warnings.warn(
            f"DOCX: the {names} {verb} longer than the {WORD_PROPERTY_LIMIT} characters"
            " a Word document property holds; shortened there, at a word"
        )
    props = docx_document.core_properties
    stamp = created.astimezone(dt.UTC).replace(tzinfo=None) if created.tzinfo else created
    props.title = values.title
    props.subject = values.subject
    props.author = values.author
    props.last_modified_by = values.author
    props.keywords = values.keywords
    props.language = values.language
    props.comments = ""
    props.category = ""
    props.revision = 1
    props.created = stamp
    props.modified = stamp


_PROPERTY_NAMES = {
    "title": "title",
    "subject": "subtitle",
    "author": "author",
    "keywords": "keywords",
    "language": "language",
}
