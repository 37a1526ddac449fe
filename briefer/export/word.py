"""Word (DOCX) export: a composed `Document` to a .docx in the house style.

The base is the template's reference document (.docx or .dotx), read
within bounds by `word_package`, or python-docx's default; its body is
dropped but its styles, numbering, page set-up and header art are kept.
Everything written is formatted through named Word styles (created when the
base lacks them, and shaped from the template's `Style` only when there is
no reference document; with one, only the looks the template sets apart
from the base's are written into its styles, by `word_house`). The body is
written as XML text by `word_body` and parsed once, because building it
through python-docx's proxies would take several times longer for a long
brief.
The document is only read; `render` returns its warnings (unusable images
or logo, document properties shortened to Word's 255 characters) and
reports progress per top-level block. The file is put together in memory
and written in one go: saved straight into a file on a full disk,
python-docx would leave a half-written zip behind whose clean-up fails.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path
from typing import BinaryIO

from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.parser import parse_xml
from docx.shared import Mm, Pt
from lxml import etree

from briefer.document import Document
from briefer.export.layout import furniture
from briefer.export.properties import language_tag
from briefer.export.warning_log import WarningLog
from briefer.export.word_body import BodyWriter, Geometry, Ids, SpanWriter
from briefer.export.word_house import overlay_looks
from briefer.export.word_numbering import Numbering
from briefer.export.word_package import open_base
from briefer.export.word_parts import Footnotes, PageFurniture, write_properties
from briefer.export.word_rels import PartLinks
from briefer.export.word_styles import is_cjk_language, prepare_styles
from briefer.export.word_xml import parse_fragment, w
from briefer.jobs import ProgressCallback, report
from briefer.model import CitationStyle, Style

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class WordExporter:
    """Writes a `Document` as a Word .docx file."""

    NAME = "docx"
    EXTENSION = ".docx"

    def __init__(self, font_cache: Path | None = None, font_dirs: object = None) -> None:
        """Word documents name their fonts and embed none: the font options
        every exporter takes mean nothing here."""

    def render(
        self, document: Document, stream: BinaryIO, progress: ProgressCallback | None = None
    ) -> list[str]:
        """Write `document` as DOCX to `stream` and return the warnings of
        this render. `document` is only read. Progress counts the top-level
        blocks, then one step for the header, footer, footnotes and saving."""
        warnings = WarningLog()
        steps = len(document.blocks) + 1
        report(progress, 0, steps, "Preparing the Word document")
        style = document.style
        reference = style.reference_docx
        base = open_base(reference)
        _clear_body(base)
        _drop_thumbnail_and_macros(base)
        if reference is None:
            _apply_page_setup(base, style)
            _drop_styles_with_effects(base)
        else:
            # A look the template changes (in the template editor, say)
            # reaches the house's own styles; one read from the base is
            # what the base says already, and leaves it as it is.
            overlay_looks(base, style.looks)

        language = language_tag(document.meta.language) or "en"
        east_asian_lang = language if is_cjk_language(language) else ""
        numbering = Numbering(base)
        sheet = prepare_styles(
            base, style, numbering, apply_template=reference is None, language=language
        )
        geometry = _geometry(base)
        ids = Ids()
        footnotes = Footnotes(base)
        notes = footnotes.notes if document.style.citations is CitationStyle.FOOTNOTES else None

        spans = SpanWriter(document, sheet, PartLinks(base.part), ids, notes, east_asian_lang)
        body_xml = BodyWriter(spans, numbering, geometry, warnings).write(
            document.blocks, progress, steps
        )
        report(progress, steps - 1, steps, "Adding the header, footer and footnotes")
        base = _insert_body(base, body_xml)

        PageFurniture(document, sheet, ids, geometry, east_asian_lang, warnings).write(base)
        footnotes.finish(document, sheet, ids, east_asian_lang)
        created = document.created or dt.datetime.now(dt.UTC)
        write_properties(base, document, created, warnings)

        # Saved to memory first: on a full disk python-docx would leave a
        # half-written zip whose clean-up fails once the file is closed.
        buffer = io.BytesIO()
        base.save(buffer)
        data = buffer.getvalue()
        stream.write(_fixed_zip_dates(data, created) if document.deterministic else data)
        report(progress, steps, steps, "Word document written")
        return warnings.messages()


def _clear_body(base: DocxDocument) -> None:
    """Drop the base's body content, keeping its last section properties."""
    body = base.element.body
    sect_pr = w("sectPr")
    for child in list(body):
        if child.tag != sect_pr:
            body.remove(child)
    if body.find(sect_pr) is None:
        body.append(parse_fragment("<w:sectPr/>")[0])


def _drop_thumbnail_and_macros(base: DocxDocument) -> None:
    """The base's preview picture would show the template, not this brief,
    and a .docx may not carry the macros of a .dotm or .docm base."""
    for rels in (base.part.package.rels, base.part.rels):
        for rel_id, rel in list(rels.items()):
            if rel.reltype == RT.THUMBNAIL or rel.reltype.endswith("/vbaProject"):
                rels.pop(rel_id)


def _drop_styles_with_effects(base: DocxDocument) -> None:
    """python-docx's default base carries Word 2010's copy of its styles;
    once the styles are reshaped from the template that copy would disagree."""
    part = base.part
    for rel_id, rel in list(part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            part.rels.pop(rel_id)


def _insert_body(base: DocxDocument, xml: str) -> DocxDocument:
    """The document with a body parsed from `xml` in place of the base's,
    which keeps only its section properties; returned as a new python-docx
    `Document` (the old one's element is replaced).

    The whole document element is parsed again from text, its body written
    in, rather than a parsed body moved into the base's tree: lxml (6.1)
    re-maps the namespaces of every node moved from another tree and
    remembers the `xml:` namespace of an `xml:space` attribute under the
    wrong key, so moving a body holding n of them (one a run) took time
    growing with n squared: 40,000 runs took a second, 20,000 links two
    minutes with python-docx's own relationship search. The root element's
    namespace declarations (which `mc:Ignorable` names) come along as the
    base wrote them."""
    root = base.element
    # An empty body declaring what the body's XML needs, holding the base's
    # section properties, in place of the base's (moving these few nodes
    # costs nothing; lxml drops the declarations the root already makes).
    body = parse_fragment("")
    old = root.find(w("body"))
    sect_pr = old.find(w("sectPr")) if old is not None else None
    body.append(sect_pr if sect_pr is not None else parse_fragment("<w:sectPr/>")[0])
    if old is not None:
        root.replace(old, body)
    else:
        root.append(body)
    marker = f"briefer-body-{os.urandom(8).hex()}"
    body.insert(0, etree.Comment(marker))
    before, after = etree.tostring(root, encoding="unicode").split(f"<!--{marker}-->")
    text = before + xml + after
    part = base.part
    # python-docx offers no way to replace a part's element but this one.
    part._element = parse_xml(text.encode("utf-8"))
    return part.document


def _apply_page_setup(base: DocxDocument, style: Style) -> None:
    section = base.sections[-1]
    width, height = style.page_size.mm
    section.page_width = Mm(width)
    section.page_height = Mm(height)
    top, right, bottom, left = style.margins_mm
    section.top_margin = Mm(top)
    section.right_margin = Mm(right)
    section.bottom_margin = Mm(bottom)
    section.left_margin = Mm(left)
    # Where the PDF draws its header and footer too (`layout.furniture`).
    distances = furniture(style)
    section.header_distance = Pt(distances.header_distance)
    section.footer_distance = Pt(distances.footer_distance)


def _geometry(base: DocxDocument) -> Geometry:
    section = base.sections[-1]
    page_w = section.page_width or Mm(210)
    page_h = section.page_height or Mm(297)
    left, right = section.left_margin or Mm(25), section.right_margin or Mm(25)
    top, bottom = section.top_margin or Mm(25), section.bottom_margin or Mm(25)
    width = max(int(Mm(20)), int(page_w) - int(left) - int(right))
    height = max(int(Mm(20)), int(page_h) - int(top) - int(bottom) - int(Mm(10)))
    return Geometry(text_width=width, text_height=height)


def _fixed_zip_dates(data: bytes, created: dt.datetime) -> bytes:
    """The same package with every zip entry dated `created`, so two
    deterministic exports are byte-identical."""
    stamp = created.astimezone(dt.UTC) if created.tzinfo else created
    date_time = max(_ZIP_EPOCH, stamp.timetuple()[:6])
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=date_time)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, source.read(info))
    return out.getvalue()
