"""PDF export with reportlab platypus, in the template's house style.

`PdfExporter.render` turns a composed `Document` into a PDF: page size,
margins, fonts, colours and line spacing from `Style`; a logo on page one;
header and footer text with `{title} {date} {page} {pages} {classification}
{author}` (the total page count comes from a canvas that holds every page
until the end); a classification banner at the top and bottom of each page;
bookmarks from the headings; internal links from citation markers to their
source; document info and language. Footnotes are real footnotes: the
document is laid out again with room reserved at the foot of each page for
the sources cited there, until the reservation fits (or, failing that, the
sources become endnotes with links both ways, and a warning says so).

The document is only read: warnings (the endnote fallback, characters no
font draws, a template font that is not installed, unusable images or
logo) are returned by `render`. Progress goes to an optional callback in
thousandths, with what is being done ("Laying out page 12", "Writing page 3
of 40"); a first pass that footnotes overflow is stopped there, and the
second carries on from where it stopped, so the bar never runs backwards.
`Cancelled` raised by the callback reaches the caller as raised.

All text goes through `briefer.export.pdf_text`, which picks fonts per
script run. Paragraphs are drawn by `briefer.export.pdf_para`'s
`FastParagraph` from runs, with no markup at all (CJK text included: it
breaks between characters as the rules of CJK line breaking allow, and
never before a citation marker); right-to-left paragraphs (`RtlParagraph`)
and code blocks (background and border) use reportlab's `Paragraph` with
escaped markup. A table too wide for the page is set smaller or split, as
`briefer.export.layout.plan_table` says, the same way as in the DOCX.

With a Word base, the PDF draws what the DOCX keeps of the base
(`briefer.house_style.HouseBase`, read once per base): its own header and
footer, page 1's own when it has them, its landscape pages, the borders and
shading of its title, heading and quote styles (`pdf_para.Boxed`), the
contents list in its TOC styles and the tables in its table style.
Images and the logo are read once, within bounds, by
`briefer.export.images`, and the bytes checked are the bytes drawn.

The renderer is put together from parts, one module each:
`briefer.export.pdf_page` (the document template, canvas and page
furniture), `pdf_blocks` (the blocks' flowables and the story),
`pdf_headings` (headings, the outline and the contents list),
`pdf_tables` (tables, in Briefer's look or the base's table style),
`pdf_notes` (citation marks, footnotes and the sources) and `pdf_styles`
(paragraph styles and faces); `pdf_flowables` holds the small flowables
they wrap blocks in. This module drives the layout passes and reports
progress and warnings.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate

from briefer.document import (
    Block,
    Code,
    CodeBlock,
    Document,
    Heading,
    SourceLine,
    SourcesList,
    Span,
    Subtitle,
    Table,
    Title,
    iter_blocks,
    iter_spans,
)
from briefer.document import Paragraph as DocParagraph
from briefer.export.fonts import MONO_FALLBACKS, FontResolver, FontSet, resolver_for
from briefer.export.layout import QUOTE_INDENT, Kind, faces, metrics
from briefer.export.pdf_blocks import Blocks
from briefer.export.pdf_flowables import Barred as _Barred  # noqa: F401 (the tests' name)
from briefer.export.pdf_headings import Headings
from briefer.export.pdf_notes import Notes
from briefer.export.pdf_page import Pages
from briefer.export.pdf_para import WidthCache
from briefer.export.pdf_styles import Styles, to_color
from briefer.export.pdf_tables import Tables
from briefer.export.pdf_text import MarkupContext
from briefer.export.warning_log import WarningLog
from briefer.jobs import ProgressCallback, report
from briefer.model import CitationStyle, Style
from briefer.text import clean_text

if TYPE_CHECKING:  # a Word base's, loaded only with one (frozen dataclasses cost time)
    from briefer.house_style import HouseStory, TableLook

# Progress is reported in thousandths: laying out the pages takes about 80%
# of an export, drawing the held pages a few per cent, and reportlab's final
# save (font subsets, compression) the rest.
_PROGRESS_TOTAL = 1000
_LAYOUT_END = 800
_DRAWING_END = 850


class PdfExporter:
    """Render a `Document` as PDF (registered as format "pdf").

    `fonts` is the resolver to draw with; without one, the process's
    resolver for `font_cache` (a folder for font data kept between
    processes, or None for none) is used."""

    NAME = "pdf"
    EXTENSION = ".pdf"

    def __init__(
        self,
        fonts: FontResolver | None = None,
        font_cache: Path | None = None,
        font_dirs: Sequence[Path] | None = None,
    ) -> None:
        self._fonts = fonts
        self._font_cache = font_cache
        self._font_dirs = font_dirs

    def render(
        self, document: Document, stream: BinaryIO, progress: ProgressCallback | None = None
    ) -> list[str]:
        """Write `document` as PDF to `stream` and return the warnings of
        this render. `document` is only read."""
        fonts = self._fonts or resolver_for(self._font_cache, self._font_dirs)
        renderer = _Renderer(document, fonts, progress)
        stream.write(renderer.render())
        return renderer.warnings.messages()


class _Overflow(Exception):
    """Footnotes did not fit: stop this layout pass, it will be redone."""


class _Renderer(Pages, Blocks, Headings, Tables, Notes, Styles):
    """One export: styles, flowables and the page furniture for a document.

    Its parts are mixins, one module each, over the one state set up here:
    the fonts, faces and metrics, the page and frame, the Word base, and
    the destinations and footnotes of the current layout pass."""

    def __init__(
        self, document: Document, fonts: FontResolver, progress: ProgressCallback | None = None
    ) -> None:
        self.doc = document
        self.warnings = WarningLog()
        self.progress = progress
        self._done = 0  # progress reported so far, in `_PROGRESS_TOTAL` units
        self.style: Style = document.style
        self.fonts = fonts
        style = self.style
        self.body = fonts.base(style.body_font)
        self.heading = fonts.base(style.heading_font)
        self.mono = fonts.first_family([style.mono_font, *MONO_FALLBACKS]) or FontSet(
            "Courier", ("Courier", "Courier-Bold", "Courier-Oblique", "Courier-BoldOblique")
        )
        self.text_color = to_color(style.text_color, "#1A1A1A")
        self.accent = to_color(style.accent, "#0B5CAD")
        # The look of the body, lists, quotes, title and headings, as the
        # DOCX styles have it (a house style's fonts and colours).
        self.faces = faces(style)
        self._families = {style.body_font: self.body, style.heading_font: self.heading}
        self._house_stories: dict[str, HouseStory] = {}  # a Word base's own header, footer
        self.house = self._house()
        self.banner_color = to_color(style.banner_color, "#B00020")
        self.metrics = metrics(style)
        if style.reference_docx is not None:
            self._measure_lines_by_font()
        # A block quote's indents (left, right), and the tables' Word style.
        self._quote_indents = (QUOTE_INDENT, QUOTE_INDENT)
        self.table_look: TableLook | None = None
        if self.house is not None:
            self._follow_house(self.house)
        self.size = self.metrics[Kind.BODY].size
        self.leading = self.metrics[Kind.BODY].leading
        self.page_w, self.page_h = (v * mm for v in style.page_size.mm)
        if self.house is not None and self.house.landscape:
            # The DOCX keeps the base's page set-up, landscape as it is.
            self.page_w, self.page_h = self.page_h, self.page_w
        top, right, bottom, left = (max(0.0, float(v)) * mm for v in style.margins_mm)
        self.margins = (top, right, bottom, left)
        self.frame_w = max(self.page_w - left - right, 72.0)
        self.frame_h = max(self.page_h - top - bottom, 72.0)
        # A working copy: footnotes that do not fit fall back to endnotes.
        self.citation_style = document.style.citations
        self.endnote_fallback = False
        self._styles: dict[tuple[Any, ...], ParagraphStyle] = {}
        self._contexts: dict[tuple[float, str], MarkupContext] = {}
        self._heading_keys: dict[str, str] = {}
        self._first_cite: set[int] = set()
        self._cites: dict[int, list[int]] = {}  # page -> footnoted n, in order
        self._page_notes: set[int] = set()
        self._page_notes_height = 0.0
        self._footnote_overflow = False
        self._fn_heights: dict[int, float] = {}
        self.missing: dict[str, None] = {}
        self._widths = WidthCache()

    def render(self) -> bytes:
        self._report(0, "Laying out page 1")
        self.furniture = self._furniture()
        self._collect_destinations()
        try:
            data = self._render_once()
        except _Overflow:
            data = b""
        if self._footnote_overflow:
            self.warnings.warn(
                "footnotes too long for the foot of their page; "
                "the sources are listed as endnotes instead, with links both ways"
            )
            self.citation_style = CitationStyle.ENDNOTES
            self.endnote_fallback = True
            self._collect_destinations()
            data = self._render_once()
        self._report_fonts()
        self._report_missing()
        self._report(_PROGRESS_TOTAL, "PDF ready")
        return data

    def _report(self, done: int, what: str) -> None:
        """Pass progress on, never backwards. What the callback raises (a
        `Cancelled`) leaves reportlab's build as it is: both callbacks run
        outside reportlab's own exception handling."""
        if self.progress is None:
            return
        self._done = max(self._done, min(done, _PROGRESS_TOTAL))
        report(self.progress, self._done, _PROGRESS_TOTAL, what)

    def _layout_progress(
        self, template: BaseDocTemplate, count: int, start: int
    ) -> Callable[[str, int], None]:
        """reportlab's progress callback for one layout pass over `count`
        flowables, reported from `start` (where an earlier, abandoned pass
        had got to) up to `_LAYOUT_END`: the bar never runs backwards."""
        span = _LAYOUT_END - start
        again = " again, with endnotes" if self.endnote_fallback else ""

        def on_progress(kind: str, value: int) -> None:
            if kind != "PROGRESS":
                return
            if self._footnote_overflow and not self.endnote_fallback:
                # This pass will be thrown away: stop it now rather than lay
                # out the rest of the document for nothing.
                raise _Overflow()
            done = start + span * min(max(value, 0), count) // max(count, 1)
            self._report(done, f"Laying out page {max(template.page, 1)}{again}")

        return on_progress

    def _writing_progress(self, page: int, total: int) -> None:
        """Page `page` of `total` is being drawn; after the last one, the
        file is put together (`page` > `total`)."""
        if page > total:
            self._report(_DRAWING_END, "Saving the PDF")
            return
        done = _LAYOUT_END + (_DRAWING_END - _LAYOUT_END) * (page - 1) // max(total, 1)
        self._report(done, f"Writing page {page} of {total}")

    def _render_once(self) -> bytes:
        self._first_cite = set()
        self._cites = {}
        self._footnote_overflow = False
        buffer = io.BytesIO()
        template = self._doc_template(buffer)
        story = self._story()
        # Installed even without a progress callback: it also ends a pass
        # that footnotes overflowed, so the output never depends on whether
        # someone is watching.
        template.setProgressCallBack(self._layout_progress(template, len(story), self._done))
        template.build(story, canvasmaker=self._canvas_class())
        return buffer.getvalue()

    def _collect_destinations(self) -> None:
        self.destinations: set[str] = set()
        self._heading_keys = {}
        index = 0
        blocks = list(self.doc.blocks)
        if self.endnote_fallback and not any(isinstance(b, SourcesList) for b in blocks):
            blocks.append(SourcesList(self.style.sources_title, tuple(self.doc.sources)))
        self.blocks = blocks
        for block in iter_blocks(blocks):
            if isinstance(block, Heading):
                index += 1
                key = f"h-{index}"
                self.destinations.add(key)
                if block.anchor and block.anchor not in self._heading_keys:
                    self._heading_keys[block.anchor] = key
            elif isinstance(block, (SourcesList, SourceLine)):
                self.destinations.update(f"source-{e.n}" for e in block.entries)
        if self.endnote_fallback:
            self.destinations.update(f"cite-{s.n}" for s in self.doc.sources)

    def _report_fonts(self) -> None:
        """One warning for each of the template's fonts that is not
        installed, naming the font drawn instead (the DOCX names the
        template's font anyway; Word substitutes one where it is missing)."""
        style = self.style
        uses: dict[str, tuple[list[str], str]] = {}
        named = (style.body_font, style.heading_font)
        for role, name, used in (
            ("body", style.body_font, self.body.family),
            ("headings", style.heading_font, self.heading.family),
            ("code", style.mono_font, self.mono.family),
            *(
                (element.word_name, look.font, self._family(look.font).family)
                for element, look in style.looks.items()
                if look.font is not None and look.font not in named
            ),
        ):
            if not name.strip() or self.fonts.family(name) is not None:
                continue
            if role == "code" and not _has_code(self.doc.blocks):
                continue  # nothing is drawn in it
            roles, _ = uses.setdefault(clean_text(name), ([], used))
            roles.append(role)
        for name, (roles, used) in uses.items():
            self.warnings.warn(
                f"font {name!r} (for the {' and '.join(roles)}) is not installed;"
                f" the PDF uses {used} instead"
            )

    def _report_missing(self) -> None:
        if not self.missing:
            return
        names = ", ".join(
            f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed')}" for c in list(self.missing)[:20]
        )
        more = "" if len(self.missing) <= 20 else f" and {len(self.missing) - 20} more"
        self.warnings.warn(
            f"no installed font can draw these characters, shown as \ufffd or ?: {names}{more}"
        )


def _has_code(blocks: tuple[Block, ...]) -> bool:
    """Whether any text is set in the code font."""
    for block in iter_blocks(blocks):
        if isinstance(block, CodeBlock):
            return True
        spans: tuple[Span, ...] = ()
        if isinstance(block, (Title, Subtitle, Heading, DocParagraph)):
            spans = block.spans
        elif isinstance(block, Table):
            spans = tuple(
                span for row in (block.header, *block.rows) for cell in row for span in cell
            )
        if any(isinstance(span, Code) for span in iter_spans(spans)):
            return True
    return False
