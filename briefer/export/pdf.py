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
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    HRFlowable,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Image as RLImage
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus import Table as RLTable

from briefer.document import (
    BULLET_GLYPHS,
    Block,
    BulletList,
    Citation,
    Code,
    CodeBlock,
    Contents,
    Document,
    Heading,
    HorizontalRule,
    Image,
    Link,
    ListItem,
    OrderedList,
    PageBreak,
    Quote,
    SourceLine,
    SourcesList,
    Span,
    Subtitle,
    Table,
    Text,
    Title,
    banner_text,
    citation_label,
    field_values,
    iter_blocks,
    iter_spans,
    plain_text,
)
from briefer.document import (
    Paragraph as DocParagraph,
)
from briefer.errors import ExportError
from briefer.export.fonts import MONO_FALLBACKS, FontResolver, FontSet, resolver_for
from briefer.export.images import (
    image_label,
    image_warning,
    logo_warning,
    probe_image,
    probe_image_data,
)
from briefer.export.layout import (
    CELL_PADDING_V,
    FOOTNOTE_HANGING,
    HEADING_ELEMENTS,
    HEADING_KINDS,
    LIST_INDENT,
    QUOTE_INDENT,
    SOURCE_HANGING,
    TABLE_HEAD_FILL,
    TABLE_RULE,
    TABLE_RULE_WIDTH,
    Face,
    Kind,
    Metrics,
    TablePart,
    TablePlan,
    faces,
    first_page_header,
    furniture,
    look_metrics,
    metrics,
    multiples,
    plan_table,
)
from briefer.export.pdf_furniture import (
    FIRST_FOOTER,
    FIRST_HEADER,
    FOOTER,
    HEADER,
    Box,
    Logo,
    PageFurniture,
    PageParts,
)
from briefer.export.pdf_para import Boxed, FastParagraph, Stacked, WidthCache
from briefer.export.pdf_text import (
    CITE_CB,
    InlineStyle,
    Mark,
    MarkupContext,
    Piece,
    RtlParagraph,
    Run,
    flatten,
    pieces_plain,
    pieces_runs,
    superscript,
    text_markup,
    text_runs,
)
from briefer.export.properties import document_properties
from briefer.export.warning_log import WarningLog
from briefer.jobs import ProgressCallback, report
from briefer.model import CitationStyle, Style, TextElement, TextLook
from briefer.text import clean_text, is_rtl

if TYPE_CHECKING:  # a Word base's, loaded only with one (frozen dataclasses cost time)
    from briefer.house_style import Decor, HouseBase, HouseStory, Rule, TableLook

_SPACE_RUN = re.compile(r"(?<=\S)  +")
_LEADING_SPACES = re.compile(r"^ +")
_IMAGE_FORMATS = ("PNG", "JPEG", "GIF")
_MAX_FOOTNOTE_SHARE = 0.5  # of the frame height, per page
_FOOTNOTE_GAP = 8.0
_GREY = "#555555"
_QUOTE_BAR = 2.0  # width of the bar left of a quote, in points
# The looks of template lines in a Word base's Header and Footer styles.
_HEADER_STYLE, _FOOTER_STYLE = "header-style", "footer-style"
_CONTENTS_END = 10.0  # after the contents list's last entry, as in the DOCX (200 twips)
# Progress is reported in thousandths: laying out the pages takes about 80%
# of an export, drawing the held pages a few per cent, and reportlab's final
# save (font subsets, compression) the rest.
_PROGRESS_TOTAL = 1000
_LAYOUT_END = 800
_DRAWING_END = 850


def _color(value: str, default: str) -> colors.Color:
    try:
        return colors.HexColor(value)
    except (ValueError, TypeError):
        return colors.HexColor(default)


def _hex(color: colors.Color) -> str:
    return "#" + color.hexval()[2:]


class _KeepHeadingWithStart(KeepTogether):
    """What reportlab makes of a heading (keep-with-next) and the block after
    it. Plain KeepTogether moves the pair to the next page whenever the pair
    is taller than the space left, which strands half a page of white before
    a long table or quote. Here the pair stays when the block after the
    heading can split and its first part fits below the heading; otherwise
    it moves as before."""

    def split(self, aW: float, aH: float) -> list[Flowable]:
        content = list(self._content)
        if len(content) >= 2:
            used = 0.0
            for flowable in content[:-1]:
                _w, h = flowable.wrap(aW, aH)
                used += h + flowable.getSpaceBefore() + flowable.getSpaceAfter()
            last = content[-1]
            room = aH - used - last.getSpaceBefore()
            if room > 0:
                parts = last.split(aW, room)
                if parts and parts[0].wrap(aW, room)[1] <= room:
                    return content
        return super().split(aW, aH)


class _KeepRoom(CondPageBreak):
    """A new page unless `height` is left, before a heading. Transparent to
    spacing: the heading's space before still meets the space after the
    paragraph above (the larger of the two, as in Word), not a zero."""

    _SPACETRANSFER = True


class _Footnoted(Flowable):
    """A flowable whose citations need footnotes on the page it lands on.

    It asks for its own height plus the height of the footnotes not yet on
    the current page, draws itself at the top of that box, and afterwards the
    document moves the frame's bottom up by the same amount (`_after`), so the
    footnote area grows exactly as the cited text is placed. Split parts
    recount the citations they actually hold."""

    def __init__(self, inner: Flowable, cites: list[int], renderer: _Renderer) -> None:
        super().__init__()
        self.inner = inner
        self.cites = cites
        self.renderer = renderer
        self.extra = 0.0

    @property
    def outline(self) -> tuple[str, str, int] | None:
        return getattr(self.inner, "outline", None)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.extra = self.renderer.footnote_extra(self.cites)
        w, h = self.inner.wrap(availWidth, max(availHeight - self.extra, 0.0))
        self.width, self.height = w, h + self.extra
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        extra = self.renderer.footnote_extra(self.cites)
        parts = self.inner.split(availWidth, max(availHeight - extra, 0.0))
        return [_Footnoted(part, _cites_in(part), self.renderer) for part in parts]

    def getSpaceBefore(self) -> float:
        return self.inner.getSpaceBefore()

    def getSpaceAfter(self) -> float:
        return self.inner.getSpaceAfter()

    def draw(self) -> None:
        self.inner.drawOn(self.canv, 0, self.extra)


def _cites_in(flowable: Any) -> list[int]:
    """Footnote citation numbers held by a flowable (or a split part of one)."""
    found: list[int] = []

    def scan(obj: Any) -> None:
        cb = getattr(obj, "cbDefn", None)
        if cb is not None:
            if getattr(cb, "name", None) == CITE_CB and str(getattr(cb, "label", "")).isdigit():
                n = int(cb.label)
                if n not in found:
                    found.append(n)
        elif isinstance(obj, (list, tuple)):
            for item in obj:
                scan(item)
        elif isinstance(obj, Paragraph):
            scan(obj.frags)
        elif isinstance(obj, RLTable):
            scan(obj._cellvalues)
        elif isinstance(obj, FastParagraph):
            for n in obj.notes:
                if n not in found:
                    found.append(n)
        elif isinstance(obj, RtlParagraph):
            for n in obj.cites:
                if n not in found:
                    found.append(n)
        elif isinstance(obj, (_Indented, _Footnoted)):
            scan(obj.inner)
        elif isinstance(obj, Stacked):
            scan(obj.content)

    scan(flowable)
    return found


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


class _Renderer:
    """One export: styles, flowables and the page furniture for a document."""

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
        self.text_color = _color(style.text_color, "#1A1A1A")
        self.accent = _color(style.accent, "#0B5CAD")
        # The look of the body, lists, quotes, title and headings, as the
        # DOCX styles have it (a house style's fonts and colours).
        self.faces = faces(style)
        self._families = {style.body_font: self.body, style.heading_font: self.heading}
        self._house_stories: dict[str, HouseStory] = {}  # a Word base's own header, footer
        self.house = self._house()
        self.banner_color = _color(style.banner_color, "#B00020")
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

    # ------------------------------------------------------------------
    # Driving the passes
    # ------------------------------------------------------------------

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

    # ------------------------------------------------------------------
    # Progress
    # ------------------------------------------------------------------

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

    def footnote_extra(self, cites: list[int]) -> float:
        """Height the footnotes of `cites` add to the current page."""
        new = [n for n in cites if n not in self._page_notes]
        if not new:
            return 0.0
        extra = sum(self._footnote_h(n) for n in new)
        if not self._page_notes:
            extra += _FOOTNOTE_GAP
        if self._page_notes_height + extra > self.frame_h * _MAX_FOOTNOTE_SHARE:
            self._footnote_overflow = True
            return 0.0
        return extra

    def _after_flowable(self, flowable: Flowable, frame: Frame) -> None:
        if isinstance(flowable, _Footnoted) and flowable.extra:
            # The box reserved space below the text; hand it to the footnote area.
            frame._y += flowable.extra
            frame._y1p += flowable.extra
            self._page_notes_height += flowable.extra
            self._page_notes.update(flowable.cites)

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

    # ------------------------------------------------------------------
    # Document template, canvas and page furniture
    # ------------------------------------------------------------------

    def _furniture(self) -> PageFurniture:
        """Page 1's and the later pages' headers and footers, as the DOCX
        has them (`word_parts.PageFurniture`): the template's, or the Word
        base's own where it has them, with the classification beside."""
        top, right, bottom, left = self.margins
        style = self.style
        banner = banner_text(self.doc)
        marks = (banner, banner)
        distances = furniture(style)
        first = PageParts(first_page_header(style.header), style.footer, marks)
        later = PageParts(style.header, style.footer, marks)
        house = self.house.furniture if self.house is not None else None
        if house is not None:
            # The DOCX keeps the base's header and footer, and its distances;
            # the template's lines take the base's Header and Footer styles.
            distances = dataclasses.replace(
                distances,
                header_distance=house.header_distance_pt,
                footer_distance=house.footer_distance_pt,
            )
            looks: dict[str, str] = {}
            for key, story, side in (
                (_HEADER_STYLE, house.header_style, "header_look"),
                (_FOOTER_STYLE, house.footer_style, "footer_look"),
            ):
                if story is not None:
                    self._house_stories[key] = story
                    looks[side] = key
            first = dataclasses.replace(first, **looks)
            later = dataclasses.replace(later, **looks)
            later = self._house_parts(later, house.header, house.footer, (HEADER, FOOTER))
            if house.first_page:
                stories = (house.first_header, house.first_footer)
                first = self._house_parts(first, *stories, (FIRST_HEADER, FIRST_FOOTER))
            elif house.header is not None:
                first = later  # page 1 shows the house's header, as every page does
            else:
                first = self._house_parts(first, None, house.footer, (HEADER, FOOTER))
        if first.header_look not in (HEADER, FIRST_HEADER):
            # The template's own header on page 1: its logo goes there.
            first = dataclasses.replace(first, logo=self._logo())
        return PageFurniture(
            self._furniture_line,
            Box(self.page_w, self.page_h, top, right, bottom, left),
            distances,
            first=first,
            later=later,
            values=field_values(self.doc.meta),
        )

    def _house_parts(
        self,
        parts: PageParts,
        header: HouseStory | None,
        footer: HouseStory | None,
        looks: tuple[str, str],
    ) -> PageParts:
        """`parts` (the template's) with the base's own `header` and
        `footer` where it has them: their lines in their own look, the
        header's picture, and the classification the template's pattern
        would show above the header or below the footer."""
        classification = clean_text(self.doc.meta.classification).strip()
        top, bottom = parts.marks
        if header is not None:
            self._house_stories[looks[0]] = header
            if not top and "{classification}" in parts.header:
                top = classification
            parts = dataclasses.replace(
                parts,
                header=_house_lines(header),
                logo=self._house_picture(header),
                header_look=looks[0],
            )
        if footer is not None:
            self._house_stories[looks[1]] = footer
            if not bottom and "{classification}" in parts.footer:
                bottom = classification
            parts = dataclasses.replace(parts, footer=_house_lines(footer), footer_look=looks[1])
        return dataclasses.replace(parts, marks=(top, bottom))

    def _house(self) -> HouseBase | None:
        """What the Word base says beyond the template's `Style` (its own
        header and footer, landscape pages, borders, contents and table
        styles), which the DOCX keeps; None without a base (or one that
        does not open: the DOCX export says why)."""
        base = self.style.reference_docx
        if base is None:
            return None
        from briefer.house_style import house_base

        try:
            return house_base(Path(base), self.style.table_style)
        except ExportError:
            return None

    def _house_picture(self, story: HouseStory) -> Logo | None:
        """The picture of a house header, at the size Word shows it."""
        if story.picture is None:
            return None
        probe = probe_image_data(story.picture, _IMAGE_FORMATS, "a PDF")
        if not probe.usable:
            self.warnings.warn(f"the Word base's header picture: {probe.problem}; left out")
            return None
        width, height = story.picture_pt
        scale = min(1.0, self.frame_w / width, self.frame_h * 0.3 / height)
        return Logo(probe.data, width * scale, height * scale)

    def _furniture_line(self, text: str, kind: Kind, look: str = "") -> Flowable:
        story = self._house_stories.get(look)
        if story is None:
            pieces = [Piece(text, InlineStyle(bold=kind is Kind.BANNER))]
            return self._flowable(pieces, kind, ctx=self._ctx())
        # A house header or footer line, in its own style's look.
        look = story.look
        family = self._family(look.font) if look.font else self.body
        size = look.size_pt or self.metrics[kind].size
        colour = look.color or _hex(self.text_color)
        pieces = [
            Piece(text, InlineStyle(bold=bool(look.bold), italic=bool(look.italic), color=colour))
        ]
        return self._flowable(
            pieces, kind, align=story.align, ctx=self._ctx(size, family), size=size
        )

    def _frame(self, first: bool) -> Frame:
        """The body frame of page 1 or of the pages after it: within the
        margins, and below a header (or above a footer) that outgrows them."""
        left = self.margins[3]
        top = self.furniture.body_top(first)
        bottom = self.furniture.body_bottom(first)
        return Frame(
            left,
            bottom,
            self.frame_w,
            max(self.page_h - top - bottom, 72.0),
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="first" if first else "body",
            # Between two paragraphs the larger of the space after the one
            # and the space before the next, as in Word and LibreOffice.
            overlapAttachedSpace=1,
        )

    def _doc_template(self, buffer: io.BytesIO) -> BaseDocTemplate:
        props = document_properties(self.doc.meta)
        top, right, bottom, left = self.margins
        renderer = self

        class _DocTemplate(BaseDocTemplate):
            def afterFlowable(self, flowable: Flowable) -> None:
                renderer._after_flowable(flowable, self.frame)
                outline = getattr(flowable, "outline", None)
                if outline is not None:
                    title, key, level = outline
                    self.canv.addOutlineEntry(title, key, level=level, closed=level > 0)

        template = _DocTemplate(
            buffer,
            pagesize=(self.page_w, self.page_h),
            leftMargin=left,
            rightMargin=right,
            topMargin=top,
            bottomMargin=bottom,
            title=props.title,
            author=props.author,
            subject=props.subject,
            keywords=props.keywords,
            creator="Briefer",
            producer="Briefer (reportlab)",
            lang=props.language or None,
            invariant=1 if self.doc.deterministic else 0,
            initialFontName=self.body.regular,
            initialFontSize=self.size,
            keepTogetherClass=_KeepHeadingWithStart,
        )
        pages = [
            PageTemplate(
                id=name,
                frames=[self._frame(first=name == "first")],
                onPage=renderer._on_page,
                onPageEnd=renderer._on_page_end,
                pagesize=(self.page_w, self.page_h),
                autoNextPageTemplate="later",
            )
            for name in ("first", "later")
        ]
        template.addPageTemplates(pages)
        return template

    def _canvas_class(self) -> type[Canvas]:
        renderer = self
        created = self.doc.created

        class _Canvas(Canvas):
            """Holds every page until `save` so the footer knows the total."""

            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                self._held: list[dict[str, Any]] = []
                self.setNamedCB(CITE_CB, renderer._on_cite)
                if created is not None:
                    _set_timestamp(self, created)

            def showPage(self) -> None:
                self._held.append(dict(self.__dict__))
                self._startPage()
                # Destinations made on the next page must name it ("Page<n>"),
                # although the held pages are only added to the PDF in `save`.
                self._doc.pageCounter += 1

            def save(self) -> None:
                total = len(self._held)
                self._doc.pageCounter = 1
                for page, state in enumerate(self._held, 1):
                    renderer._writing_progress(page, total)
                    self.__dict__.update(state)
                    renderer.furniture.draw(self, page, total)
                    Canvas.showPage(self)
                renderer._writing_progress(total + 1, total)
                Canvas.save(self)

        return _Canvas

    def _on_page(self, canvas: Canvas, doctemplate: BaseDocTemplate) -> None:
        self._page_notes = set()
        self._page_notes_height = 0.0
        # Undo the previous page's footnote reservation (see _after_flowable).
        doctemplate.pageTemplate.frames[0]._geom()

    def _on_cite(self, canvas: Canvas, _kind: str, label: str | None) -> None:
        """reportlab's `onDraw` callback for a footnote marker in a `Paragraph`."""
        if label and label.isdigit():
            self._on_note(canvas, int(label))

    def _on_note(self, canvas: Canvas, n: int) -> None:
        """Footnote `n`'s marker was drawn: its note belongs on this page."""
        cites = self._cites.setdefault(canvas.getPageNumber(), [])
        if n not in cites:
            cites.append(n)

    def _on_page_end(self, canvas: Canvas, doctemplate: BaseDocTemplate) -> None:
        if self.citation_style is not CitationStyle.FOOTNOTES:
            return
        cited = self._cites.get(canvas.getPageNumber(), [])
        if not cited:
            return
        left = self.margins[3]
        y = self.margins[2]
        for n in reversed(cited):
            para = self._footnote_para(n)
            _w, h = para.wrap(self.frame_w, self.frame_h)
            para.drawOn(canvas, left, y)
            y += h
        canvas.saveState()
        canvas.setStrokeColor(colors.HexColor(_GREY))
        canvas.setLineWidth(0.5)
        canvas.line(left, y + 3, left + min(50 * mm, self.frame_w), y + 3)
        canvas.restoreState()

    def _footnote_para(self, n: int) -> Flowable:
        entry = self.doc.source(n)
        ctx = self._ctx()
        spans = entry.spans if entry is not None else (Text("?"),)
        return self._flowable(flatten(spans, ctx), Kind.FOOTNOTE, ctx=ctx, bullet=str(n))

    def _footnote_h(self, n: int) -> float:
        if n not in self._fn_heights:
            self._fn_heights[n] = self._footnote_para(n).wrap(self.frame_w, self.frame_h)[1]
        return self._fn_heights[n]

    # ------------------------------------------------------------------
    # Styles
    # ------------------------------------------------------------------

    def _pstyle(
        self,
        kind: Kind,
        indent: float = 0.0,
        align: str = "",
        rtl: bool = False,
        size: float | None = None,
    ) -> ParagraphStyle:
        """The paragraph style of `kind`, sized and spaced by the metrics
        the DOCX styles are made from (`briefer.export.layout`), or at
        `size` points (a shrunk table's) with the same line spacing."""
        key = (kind, round(indent, 2), align, rtl, size)
        if key in self._styles:
            return self._styles[key]
        m = self.metrics[kind]
        base: dict[str, Any] = dict(
            name=f"{kind.value}-{indent}-{align}-{size}",
            fontName=self.body.regular,
            fontSize=size or m.size,
            leading=m.leading * size / m.size if size else m.leading,
            textColor=self.text_color,
            leftIndent=indent,
            spaceBefore=m.before,
            spaceAfter=m.after,
            splitLongWords=1,
            allowWidows=0,
            allowOrphans=0,
            # No line squeezed past the margin by narrowing its spaces
            # (reportlab's default allows 5%): Word and LibreOffice never
            # do, so the same words would end up on another line there.
            spaceShrinkage=0.0,
        )
        face = self.faces.get(kind)
        if face is not None:
            family = self._family(face.font)
            base.update(textColor=_color(face.color, "#1A1A1A"), fontName=family.regular)
        if kind in (Kind.TITLE, *HEADING_KINDS, Kind.CONTENTS_TITLE) and face is not None:
            font = self._family(face.font).face(face.bold, face.italic)
            base.update(fontName=font, keepWithNext=1)
        elif kind is Kind.CONTENTS_TITLE:
            base.update(fontName=self.heading.bold, textColor=self.accent, keepWithNext=1)
        elif kind is Kind.SUBTITLE and face is None:
            base.update(fontName=self.heading.regular, textColor=colors.HexColor(_GREY))
        elif kind is Kind.CODE:
            base.update(
                fontName=self.mono.regular,
                backColor=colors.HexColor("#F3F4F6"),
                borderPadding=(3, 4, 3, 4),
                leftIndent=indent + 4,
                rightIndent=4,
            )
        elif kind is Kind.QUOTE:
            # Italic (see _para) and dark grey (`faces`), like the DOCX
            # Quote style, and indented on both sides.
            base.update(rightIndent=self._quote_indents[1])
        elif kind is Kind.CAPTION:
            base.update(textColor=colors.HexColor(_GREY))
        elif kind is Kind.FOOTNOTE:
            # The number hangs as a superscript "bullet", so the notes' text
            # lines up (the DOCX puts a tab after the number).
            sup_size, rise = superscript(m.size)
            base.update(
                leftIndent=indent + FOOTNOTE_HANGING,
                bulletIndent=indent,
                bulletFontName=self.body.regular,
                bulletFontSize=sup_size,
                bulletOffsetY=rise,
            )
        elif kind is Kind.SOURCE_ENTRY:
            base.update(leftIndent=indent + SOURCE_HANGING, firstLineIndent=-SOURCE_HANGING)
        elif kind is Kind.HEADER:
            base.update(alignment=TA_CENTER, textColor=colors.HexColor(_GREY))
        elif kind is Kind.BANNER:
            base.update(alignment=TA_CENTER, textColor=self.banner_color, fontName=self.body.bold)
        elif kind is Kind.TABLE_HEAD and face is None:
            base.update(fontName=self.body.bold)
        elif kind is Kind.LIST_ITEM:
            base.update(bulletIndent=indent - LIST_INDENT, bulletFontName=self.body.regular)
        if align:
            base["alignment"] = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}.get(
                align, TA_LEFT
            )
        if rtl:  # mirror the indents: lists and quotes indent from the right
            base["leftIndent"], base["rightIndent"] = (
                base.get("rightIndent", 0.0),
                base["leftIndent"],
            )
        result = ParagraphStyle(**base)
        self._styles[key] = result
        return result

    # ------------------------------------------------------------------
    # Inline text
    # ------------------------------------------------------------------

    def _measure_lines_by_font(self) -> None:
        """With a Word base, Word (and LibreOffice) space a "Multiple" line
        by its font's own line height; so does the PDF, for the kinds whose
        look says so, where the font's height can be read."""
        for kind, multiple in multiples(self.style).items():
            face = self.faces.get(kind)
            family = self._family(face.font) if face is not None else self.body
            height = self.fonts.line_height(family)
            if height is not None:
                m = self.metrics[kind]
                self.metrics[kind] = dataclasses.replace(m, leading=m.size * multiple * height)

    def _follow_house(self, house: HouseBase) -> None:
        """What the DOCX shows of its Word base beyond the template's looks,
        for the PDF to show alike (`house_style.HouseBase`): the contents
        list's title in the base's TOC Heading style, a quote indented as its
        Quote style says, the tables in its table style."""
        title = house.contents.title
        if title is not None:
            face = self.faces[Kind.CONTENTS_TITLE] = self._face_of(title)
            self.metrics[Kind.CONTENTS_TITLE] = self._look_metrics(
                title, self.metrics[Kind.CONTENTS_TITLE], face
            )
        quote = house.decor.get(TextElement.QUOTE)
        if quote is not None:
            self._quote_indents = (quote.indent_left_pt or 0.0, quote.indent_right_pt or 0.0)
        self.table_look = house.table
        if house.table is not None:
            self._follow_table(house.table)

    def _follow_table(self, table: TableLook) -> None:
        """The cells' text in the table style's font, colour, weight and
        slant where the cells' paragraph style (Normal) leaves them; the
        header row bold whatever it says, as the DOCX sets it."""
        body = self.faces[Kind.BODY]
        for kind, region in ((Kind.TABLE_CELL, table.whole), (Kind.TABLE_HEAD, table.header)):
            text = region.text
            if text.is_empty:
                continue
            self.faces[kind] = Face(
                text.font or body.font,
                kind is Kind.TABLE_HEAD or bool(text.bold),
                body.italic if text.italic is None else text.italic,
                text.color or body.color,
            )

    def _face_of(self, look: TextLook) -> Face:
        """The face a house style's look gives its text (the body's where
        it says nothing)."""
        body = self.faces[Kind.BODY]
        return Face(
            look.font or body.font,
            bool(look.bold),
            bool(look.italic),
            look.color or body.color,
        )

    def _look_metrics(self, look: TextLook, default: Metrics, face: Face) -> Metrics:
        """`default` with the size and spacing a house style's look sets; a
        "Multiple" line measured by the font's own line height, as Word
        measures it (see `_measure_lines_by_font`)."""
        shaped = look_metrics(look, default)
        if look.line_spacing is not None and look.line_pitch_pt is None:
            height = self.fonts.line_height(self._family(face.font))
            if height is not None:
                leading = shaped.size * float(look.line_spacing) * height
                shaped = dataclasses.replace(shaped, leading=leading)
        return shaped

    def _family(self, name: str) -> FontSet:
        """The installed family `name`, or the font drawn in its place."""
        found = self._families.get(name)
        if found is None:
            found = self._families[name] = self.fonts.base(name)
        return found

    def _ctx(self, size: float | None = None, family: FontSet | None = None) -> MarkupContext:
        """The span context for text of one size whose Latin runs use
        `family` (the body font unless a heading or title says otherwise)."""
        size = size or self.size
        family = family or self.body
        key = (size, family.names[0])  # the name, without loading the face
        cached = self._contexts.get(key)
        if cached is None or cached.destinations is not self.destinations:
            cached = self._contexts[key] = MarkupContext(
                fonts=self.fonts,
                body=family,
                mono=self.mono,
                size=size,
                accent=_hex(self.accent),
                destinations=self.destinations,
                citation_mark=self._citation_mark,
                missing=self.missing,
            )
        return cached

    def _citation_mark(self, citation: Citation) -> Mark:
        n = citation.n
        if self.doc.source(n) is None:
            # Unknown: `[?key]`, also for a number with no source (where
            # `citation_label` would show the number).
            return Mark(f"[?{clean_text(citation.key)}]", superscript=False)
        label = citation_label(citation)
        if self.citation_style is CitationStyle.FOOTNOTES:
            return Mark(label, note=n)
        anchor = ""
        if self.endnote_fallback and n not in self._first_cite:
            # The first citation of a source is where its endnote links back to.
            self._first_cite.add(n)
            anchor = f"cite-{n}"
        return Mark(f"[{label}]", dest=f"source-{n}", anchor=anchor)

    def _para(
        self,
        spans: tuple[Span, ...],
        kind: Kind,
        indent: float = 0.0,
        *,
        lead_in: str = "",
        anchor: str = "",
        align: str = "",
        outline: tuple[str, str, int] | None = None,
        bullet: str | None = None,
        size: float | None = None,
    ) -> Flowable:
        face = self.faces.get(kind)
        if face is not None:
            family: FontSet | None = self._family(face.font)
            bold, italic = face.bold, face.italic
        else:
            contents = kind is Kind.CONTENTS_TITLE
            family = self.heading if contents else None
            bold, italic = contents or kind is Kind.TABLE_HEAD, kind is Kind.CAPTION
        ctx = self._ctx(size, family=family)
        pieces = [Piece("", InlineStyle(), anchor=anchor)] if anchor else []
        # Runs take their face from the inline style, not the paragraph
        # style's fontName, so bold and italic kinds must say so here.
        base = InlineStyle(bold=bold, italic=italic)
        pieces.extend(flatten(spans, ctx, base))
        return self._flowable(
            pieces,
            kind,
            indent,
            align,
            ctx=ctx,
            lead_in=lead_in,
            outline=outline,
            bullet=bullet,
            size=size,
        )

    def _flowable(
        self,
        pieces: list[Piece],
        kind: Kind,
        indent: float = 0.0,
        align: str = "",
        *,
        ctx: MarkupContext,
        lead_in: str = "",
        outline: tuple[str, str, int] | None = None,
        bullet: str | None = None,
        size: float | None = None,
        color: str = "",
        pstyle: ParagraphStyle | None = None,
    ) -> Flowable:
        """The flowable for one paragraph of `pieces` in the style `kind`
        (at `size` points, for a shrunk table's cells, and in `color` where
        given, for a house header's line; or in `pstyle`, a house contents
        entry's): a `FastParagraph`,
        which breaks CJK text between characters too, unless the text needs
        our right-to-left line breaking."""
        lead: Piece | None = None
        every = pieces
        text = pieces_plain(pieces)
        if lead_in:
            # Like the DOCX: the lead-in bold, in the accent colour (and the
            # heading font on the fast path). As ordinary words, so that the
            # right-to-left line breaker measures and orders them like any other.
            style_ = InlineStyle(bold=True, color=_hex(self.accent))
            lead = Piece(lead_in.rstrip() + " ", style_)
            every = [lead, *pieces]
        # The paragraph's own text sets its direction, as in the DOCX: an
        # Arabic paragraph opened by an English lead-in still reads right to left
        # (a lead-in alone sets it when there is no text).
        rtl = is_rtl(text if pieces or lead is None else lead.text)
        if rtl:
            rtl_style = self._pstyle(kind, indent, "right", rtl=True, size=size)
            if pstyle is not None:
                rtl_style = ParagraphStyle(
                    f"{pstyle.name}-rtl",
                    parent=pstyle,
                    alignment=TA_RIGHT,
                    leftIndent=pstyle.rightIndent,
                    rightIndent=pstyle.leftIndent,
                )
            return RtlParagraph(every, rtl_style, ctx, bullet=bullet, outline=outline)
        style = pstyle or self._pstyle(kind, indent, align, size=size)
        if color:
            style = ParagraphStyle(
                f"{style.name}-{color}", parent=style, textColor=_color(color, "#000000")
            )
        runs: list[Run] = []
        if lead is not None:
            lead_ctx = self._ctx(family=self.heading)
            runs = text_runs(lead.text, lead.style, lead_ctx, style.fontSize, self.accent)
        runs.extend(pieces_runs(pieces, ctx, style.fontName, style.fontSize, style.textColor))
        return FastParagraph(
            runs,
            style,
            self._widths,
            bullet=bullet,
            outline=outline,
            on_note=self._on_note,
        )

    # ------------------------------------------------------------------
    # Blocks
    # ------------------------------------------------------------------

    def _story(self) -> list[Flowable]:
        self._heading_count = 0
        self._lead_in_count = 0
        self._sources_count = 0
        self._outline_level = -1
        story: list[Flowable] = []
        for flowable in self._flow(self.blocks, 0.0):
            if self.citation_style is CitationStyle.FOOTNOTES and (cites := _cites_in(flowable)):
                flowable = _Footnoted(flowable, cites, self)
            story.append(flowable)
        if not story:
            story.append(Spacer(1, 1))
        return story

    def _flow(
        self, blocks: list[Block] | tuple[Block, ...], indent: float, kind: Kind = Kind.BODY
    ) -> list[Flowable]:
        out: list[Flowable] = []
        for block in blocks:
            out.extend(self._block(block, indent, kind))
        return out

    def _block(self, block: Block, indent: float, kind: Kind) -> list[Flowable]:
        if isinstance(block, Title):
            title = self._para(block.spans, Kind.TITLE, indent)
            return [self._decorated(title, TextElement.TITLE, indent)]
        if isinstance(block, Subtitle):
            deck = self._para(block.spans, Kind.SUBTITLE, indent)
            return [self._decorated(deck, TextElement.SUBTITLE, indent)]
        if isinstance(block, Heading):
            return self._heading(block, indent)
        if isinstance(block, DocParagraph):
            if block.lead_in:
                return [self._lead_in(block, kind, indent)]
            return [self._para(block.spans, kind, indent)]
        if isinstance(block, (BulletList, OrderedList)):
            return self._list(block, indent, kind, depth=0)
        if isinstance(block, ListItem):
            return self._flow(block.blocks, indent, kind)
        if isinstance(block, Quote):
            return self._quote(block, indent)
        if isinstance(block, CodeBlock):
            return [self._code(block, indent)]
        if isinstance(block, Table):
            return self._table(block, indent)
        if isinstance(block, Image):
            return [self._image(block, indent)]
        if isinstance(block, HorizontalRule):
            return [
                HRFlowable(
                    width="100%",
                    thickness=0.6,
                    color=colors.HexColor("#BBBBBB"),
                    spaceBefore=4,
                    spaceAfter=8,
                )
            ]
        if isinstance(block, PageBreak):
            return [RLPageBreak()]
        if isinstance(block, Contents):
            return self._contents(block, indent)
        if isinstance(block, SourcesList):
            return self._sources(block, indent)
        if isinstance(block, SourceLine):
            return [self._source_line(block, indent)]
        return []

    def _quote(self, block: Quote, indent: float) -> list[Flowable]:
        # A Word base's own Quote style: its indents, borders and shading;
        # else Briefer's, whose bar sits in the middle of the indent step,
        # like the DOCX paragraph border.
        house = self.house.decor.get(TextElement.QUOTE) if self.house is not None else None
        inner = self._deeper(indent, self._quote_indents[0])
        flowables = self._flow(block.blocks, inner, Kind.QUOTE)
        # Headings (bookmarks the document template reads off top-level
        # flowables) and page-break conditions stay outside the box.
        out: list[Flowable] = []
        group: list[Flowable] = []
        bar_x = (indent + inner) / 2

        def close() -> None:
            # Right-to-left paragraphs indent from the right: so does the bar.
            rtl = all(isinstance(f, RtlParagraph) for f in group)
            if house is None:
                out.append(_Barred(group, bar_x, self.accent, rtl))
            elif house.draws:
                right = self._quote_indents[1]
                left, right = (right, inner) if rtl else (inner, right)
                out.append(Boxed(group, house, left, right, rtl))
            else:
                out.extend(group)

        for flowable in flowables:
            if getattr(flowable, "outline", None) is not None or isinstance(
                flowable, (CondPageBreak, RLPageBreak)
            ):
                if group:
                    close()
                    group = []
                out.append(flowable)
            else:
                group.append(flowable)
        if group:
            close()
        return out

    def _deeper(self, indent: float, step: float) -> float:
        """Indent one level more, but leave at least half the frame for text."""
        return min(indent + step, self.frame_w * 0.5)

    def _section_level(self) -> int:
        """The heading level of the document's sections (1 or 2)."""
        return min(max(int(self.style.section_heading_level), 1), 2)

    def _outline_level_for(self, level: int) -> int:
        # reportlab refuses a jump of more than one level down the outline.
        level = max(0, min(level, self._outline_level + 1))
        self._outline_level = level
        return level

    def _lead_in(self, block: DocParagraph, kind: Kind, indent: float) -> Flowable:
        """A paragraph opened by a section's lead-in: a bookmark for the
        section, as a heading would have, named by the lead-in."""
        title = " ".join(clean_text(block.lead_in).split()).rstrip(":") or "\u2014"
        self._lead_in_count += 1
        key = f"lead-{self._lead_in_count}"
        level = self._outline_level_for(self._section_level() - 1)
        return self._para(
            block.spans,
            kind,
            indent,
            lead_in=block.lead_in,
            anchor=key,
            outline=(title, key, level),
        )

    def _heading(self, block: Heading, indent: float) -> list[Flowable]:
        level = min(3, max(1, block.level))
        title = " ".join(clean_text(plain_text(block.spans)).split()) or "\u2014"
        self._heading_count += 1
        key = f"h-{self._heading_count}"  # numbered as in _collect_destinations
        outline_level = self._outline_level_for(level - 1)
        para = self._para(
            block.spans,
            HEADING_KINDS[level - 1],
            indent,
            anchor=key,
            outline=(title, key, outline_level),
        )
        return [
            _KeepRoom(self.leading * 4),
            self._decorated(para, HEADING_ELEMENTS[level - 1], indent),
        ]

    def _list(
        self, block: BulletList | OrderedList, indent: float, kind: Kind, depth: int
    ) -> list[Flowable]:
        out: list[Flowable] = []
        inner = self._deeper(indent, LIST_INDENT)
        for i, item in enumerate(block.items):
            if isinstance(block, OrderedList):
                label = f"{block.start + i}."
            else:
                label = self._bullets[depth % 3]
            first = True
            for child in item.blocks or (DocParagraph(()),):
                if first and isinstance(child, DocParagraph):
                    out.append(
                        self._para(
                            child.spans, Kind.LIST_ITEM, inner, lead_in=child.lead_in, bullet=label
                        )
                    )
                    first = False
                    continue
                if first:  # the item opens with no paragraph: the label stands alone
                    out.append(self._para((), Kind.LIST_ITEM, inner, bullet=label))
                    first = False
                if isinstance(child, (BulletList, OrderedList)):
                    out.extend(self._list(child, inner, kind, depth + 1))
                else:
                    out.extend(self._block(child, inner, kind))
        return out

    @cached_property
    def _bullets(self) -> tuple[str, ...]:
        """The bullet per depth (repeating after three), "-" where the body
        font has no glyph for it. Asked for on the first bulleted list."""
        return tuple(
            glyph if self.fonts.covers(self.body.regular, glyph) else "-" for glyph in BULLET_GLYPHS
        )

    def _code(self, block: CodeBlock, indent: float) -> Flowable:
        style = self._pstyle(Kind.CODE, indent)
        ctx = self._ctx(style.fontSize)
        text = clean_text(block.text.expandtabs(4)).rstrip("\n")
        lines = []
        for line in text.split("\n"):
            # Indentation and runs of spaces become non-breaking spaces so they
            # survive; single spaces stay breakable, so a long line wraps between
            # tokens, and a token wider than the frame is cut by splitLongWords.
            line = _SPACE_RUN.sub(lambda m: "\u00a0" * (len(m.group()) - 1) + " ", line)
            line = _LEADING_SPACES.sub(lambda m: "\u00a0" * len(m.group()), line)
            lines.append(
                text_markup(line, InlineStyle(mono=True), ctx, style.fontName, rtl_runs="").markup
                if line
                else ""
            )
        return Paragraph("<br/>".join(lines) or "\u00a0", style)

    def _table(self, block: Table, indent: float) -> list[Flowable]:
        """The table as `plan_table` sets it: as it is, its text shrunk,
        or split into several tables for width (as the DOCX does)."""
        rows = ([block.header] if block.header else []) + list(block.rows)
        ncols = max((len(r) for r in rows), default=0)
        if ncols == 0:
            return [Spacer(1, 1)]
        texts = [[plain_text(cell) for cell in row] for row in rows]
        cell = self.metrics[Kind.TABLE_CELL]
        plan = plan_table(texts, self.frame_w - indent, cell)
        size = plan.size if plan.size < cell.size else None
        return [self._table_part(block, rows, part, plan, size, indent) for part in plan.parts]

    def _table_part(
        self,
        block: Table,
        rows: list[tuple[tuple[Span, ...], ...]],
        part: TablePart,
        plan: TablePlan,
        size: float | None,
        indent: float,
    ) -> Flowable:
        data = []
        for r, row in enumerate(rows):
            cells = []
            for c in part.columns:
                spans = row[c] if c < len(row) else ()
                align = block.align[c] if c < len(block.align) else ""
                kind = Kind.TABLE_HEAD if (r == 0 and block.header) else Kind.TABLE_CELL
                cells.append(self._para(spans, kind, 0.0, align=align, size=size))
            data.append(cells)
        table = RLTable(
            data,
            colWidths=list(part.widths),
            repeatRows=1 if block.header else 0,
            splitInRow=1,
            hAlign="LEFT",
        )
        if self.table_look is not None:
            commands = self._house_table(self.table_look, len(data), len(part.columns), block, plan)
        else:
            commands = self._briefer_table(block, plan)
        table.setStyle(TableStyle(commands))
        # The same gap after a table as after a paragraph (a table followed
        # by an image or a quote otherwise touches it).
        flowable: Flowable = _Indented(table, indent) if indent else table
        flowable.spaceAfter = self.size * 0.6
        return flowable

    def _briefer_table(self, block: Table, plan: TablePlan) -> list[tuple[Any, ...]]:
        """A table in Briefer's own look: a light grid, the header row shaded."""
        commands: list[tuple[Any, ...]] = [
            ("FONT", (0, 0), (-1, -1), self.body.regular, plan.size),
            ("GRID", (0, 0), (-1, -1), TABLE_RULE_WIDTH, colors.HexColor("#" + TABLE_RULE)),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), plan.padding),
            ("RIGHTPADDING", (0, 0), (-1, -1), plan.padding),
            ("TOPPADDING", (0, 0), (-1, -1), CELL_PADDING_V),
            ("TOPPADDING", (0, 0), (-1, 0), CELL_PADDING_V + TABLE_RULE_WIDTH),
            # Word and LibreOffice add the rules above and between rows to
            # the rows' height; so does the PDF, to keep the same rows on a
            # page.
            ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PADDING_V + TABLE_RULE_WIDTH),
        ]
        if block.header:
            commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#" + TABLE_HEAD_FILL)))
        return commands

    def _house_table(
        self, look: TableLook, rows: int, columns: int, block: Table, plan: TablePlan
    ) -> list[tuple[Any, ...]]:
        """A table in the Word base's table style, as Word applies it to the
        DOCX's table (`house_style.TableLook`): its borders edge by edge,
        its header row's and bands' shading, its cells' padding (left and
        right the plan's when the table's text is shrunk, as the DOCX
        sets them then). Word counts a horizontal border in the height of
        the row above it; so does the PDF, to keep the same rows on a page."""
        header = bool(block.header)
        top, right, bottom, left = look.padding
        if plan.size < self.metrics[Kind.TABLE_CELL].size:
            left = right = plan.padding
        commands: list[tuple[Any, ...]] = [
            ("FONT", (0, 0), (-1, -1), self.body.regular, plan.size),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), left),
            ("RIGHTPADDING", (0, 0), (-1, -1), right),
            ("TOPPADDING", (0, 0), (-1, -1), top),
        ]
        edges = [
            look.horizontal(e - 1 if e else None, e if e < rows else None, header)
            for e in range(rows + 1)
        ]
        if edges[0] is not None and edges[0].shows:
            commands.append(("TOPPADDING", (0, 0), (-1, 0), top + edges[0].extent))
        for row in range(rows):
            below = edges[row + 1]
            extra = below.extent if below is not None and below.shows else 0.0
            commands.append(("BOTTOMPADDING", (0, row), (-1, row), bottom + extra))
            fill = look.fill(row, header)
            if fill is not None:
                commands.append(("BACKGROUND", (0, row), (-1, row), colors.HexColor(fill)))
        for e, rule in enumerate(edges):
            if rule is not None and rule.shows:
                row, op = (e, "LINEABOVE") if e < rows else (rows - 1, "LINEBELOW")
                commands.append(_line(op, (0, row), (-1, row), rule))
        for column in range(columns + 1):
            op, col = ("LINEBEFORE", column) if column < columns else ("LINEAFTER", columns - 1)
            run_start, run_rule = 0, look.vertical(0, column, columns, header)
            for row in range(1, rows + 1):
                rule = look.vertical(row, column, columns, header) if row < rows else None
                if row < rows and rule == run_rule:
                    continue
                if run_rule is not None and run_rule.shows:
                    commands.append(_line(op, (col, run_start), (col, row - 1), run_rule))
                run_start, run_rule = row, rule
        return commands

    def _image(self, block: Image, indent: float) -> Flowable:
        if block.path is None:
            # compose refused or could not find the file and has said why;
            # a second warning here would only repeat it.
            return self._placeholder(block, indent)
        probe = probe_image(block.path, _IMAGE_FORMATS, "a PDF")
        if not probe.usable:
            self.warnings.warn(image_warning(block, probe.problem))
            return self._placeholder(block, indent)
        w, h = probe.size[0] * 0.75, probe.size[1] * 0.75  # pixels at 96 dpi -> points
        max_w, max_h = self.frame_w - indent, self.frame_h * 0.8
        scale = min(1.0, max_w / w, max_h / h)
        # The bytes that were checked, not the file opened again.
        image = RLImage(io.BytesIO(probe.data), width=w * scale, height=h * scale, hAlign="LEFT")
        image.spaceAfter = self.size * 0.6
        placed: Flowable = _Indented(image, indent) if indent else image
        if not block.alt.strip():
            return placed
        # The alt text as a caption under the image, as the DOCX shows it;
        # kept on the image's page.
        image.spaceAfter = 0
        caption = self._para((Text(block.alt),), Kind.CAPTION, indent)
        return KeepTogether([placed, caption])

    def _placeholder(self, block: Image, indent: float) -> Flowable:
        para = self._para((Text(image_label(block)),), Kind.TABLE_CELL, 0.0, align="center")
        table = RLTable([[para]], colWidths=[min(self.frame_w - indent, 120 * mm)], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), self.body.regular, self.size),
                    ("BOX", (0, 0), (-1, -1), 0.8, colors.HexColor("#999999")),
                    ("TOPPADDING", (0, 0), (-1, -1), 14),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 14),
                ]
            )
        )
        return KeepTogether([_Indented(table, indent) if indent else table, Spacer(1, 6)])

    def _logo(self) -> Logo | None:
        """The logo for page 1's header, sized to the template's width."""
        path = self.style.logo
        if path is None:
            return None
        probe = probe_image(Path(path), _IMAGE_FORMATS, "a PDF")
        if not probe.usable:
            self.warnings.warn(logo_warning(Path(path), probe.problem))
            return None
        width = min(max(1.0, self.style.logo_width_mm) * mm, self.frame_w)
        height = width * probe.size[1] / probe.size[0]
        if height > self.frame_h * 0.3:
            height = self.frame_h * 0.3
            width = height * probe.size[0] / probe.size[1]
        return Logo(probe.data, width, height)

    def _contents(self, block: Contents, indent: float) -> list[Flowable]:
        """The contents list: its title and an entry per heading, linked to
        it; in the Word base's TOC Heading and TOC 1-3 styles where it has
        them, as the DOCX shows it."""
        house = self.house.contents if self.house is not None else None
        title = self._para((Text(block.title),), Kind.CONTENTS_TITLE, indent)
        out: list[Flowable] = [self._boxed([title], house.title_decor if house else None, indent)]
        ctx = self._ctx()
        # With the base's own TOC 1 the DOCX's entries take their colour
        # from their styles; a level the base lacks, Normal's.
        plain = _hex(self.accent)
        if house is not None and house.entries[0] is not None:
            plain = self.faces[Kind.BODY].color
        last = len(block.entries) - 1
        for i, entry in enumerate(block.entries):
            key = self._heading_keys.get(entry.anchor)
            href = f"#{key}" if key else ""
            level = min(max(entry.level, 1), 3) - 1
            kind = Kind.CONTENTS_LAST if i == last else Kind.CONTENTS_ENTRY
            look = house.entries[level] if house is not None else None
            if look is None:
                para_indent = indent + 12 * level
                pieces = [Piece(entry.text, InlineStyle(href=href, color=plain))]
                out.append(self._flowable(pieces, kind, para_indent, ctx=ctx))
                continue
            assert house is not None
            para_indent = indent + (house.indents[level] or 0.0)
            face = self._face_of(look)
            style = self._contents_style(level, kind, para_indent, look, face)
            inline = InlineStyle(bold=face.bold, italic=face.italic, href=href, color=face.color)
            entry_ctx = self._ctx(style.fontSize, self._family(face.font))
            pieces = [Piece(entry.text, inline)]
            out.append(self._flowable(pieces, kind, para_indent, ctx=entry_ctx, pstyle=style))
        return out

    def _contents_style(
        self, level: int, kind: Kind, indent: float, look: TextLook, face: Face
    ) -> ParagraphStyle:
        """The paragraph style of a contents entry in the base's TOC style
        of its `level`: its font, size and spacing; the last entry ends with
        the gap the DOCX gives it (10 pt after)."""
        key = ("contents", level, kind, round(indent, 2))
        found = self._styles.get(key)
        if found is not None:
            return found
        m = self._look_metrics(look, self.metrics[Kind.CONTENTS_ENTRY], face)
        if kind is Kind.CONTENTS_LAST:
            m = dataclasses.replace(m, after=_CONTENTS_END)
        style = self._styles[key] = ParagraphStyle(
            f"contents-{level}-{kind.value}-{indent}",
            parent=self._pstyle(kind, indent),
            fontName=self._family(face.font).face(face.bold, face.italic),
            fontSize=m.size,
            leading=m.leading,
            spaceBefore=m.before,
            spaceAfter=m.after,
            textColor=_color(face.color, "#1A1A1A"),
        )
        return style

    def _decorated(self, flowable: Flowable, element: TextElement, indent: float) -> Flowable:
        """`flowable` (a title or heading) in the borders and shading the
        Word base's style for `element` gives it, as the DOCX shows it."""
        decor = self.house.decor.get(element) if self.house is not None else None
        return self._boxed([flowable], decor, indent)

    def _boxed(self, content: list[Flowable], decor: Decor | None, indent: float) -> Flowable:
        """`content` in a box of `decor`, its text `indent` from the edge it
        starts at; `content[0]` alone when there is nothing to draw."""
        if decor is None or not decor.draws:
            return content[0]
        rtl = all(isinstance(f, RtlParagraph) for f in content)
        left, right = (0.0, indent) if rtl else (indent, 0.0)
        return Boxed(content, decor, left, right, rtl)

    def _sources(self, block: SourcesList, indent: float) -> list[Flowable]:
        title = clean_text(block.title) or "Sources"
        self._sources_count += 1
        # A heading at the level of the sections', as in the DOCX.
        heading = self._section_level()
        key = f"sources-{self._sources_count}"
        level = self._outline_level_for(heading - 1)
        para = self._para(
            (Text(block.title),),
            HEADING_KINDS[heading - 1],
            indent,
            anchor=key,
            outline=(title, key, level),
        )
        out: list[Flowable] = [
            _KeepRoom(self.leading * 4),
            self._decorated(para, HEADING_ELEMENTS[heading - 1], indent),
        ]
        ctx = self._ctx()
        last = len(block.entries) - 1
        for i, entry in enumerate(block.entries):
            pieces = [
                Piece("", InlineStyle(), anchor=f"source-{entry.n}"),
                Piece(f"{entry.n}. ", InlineStyle()),
                *flatten(entry.spans, ctx),
            ]
            if self.endnote_fallback and entry.n in self._first_cite:
                pieces.append(Piece(" ", InlineStyle()))
                pieces.append(Piece("\u21a9", InlineStyle(href=f"#cite-{entry.n}")))
            flowable = self._flowable(pieces, Kind.SOURCE_ENTRY, indent, ctx=ctx)
            # The list stays on one page when it fits there, as in the DOCX
            # (keep with next): a page holding one stray source looks lost.
            flowable.keepWithNext = int(i < last)
            out.append(flowable)
        return out

    def _source_line(self, block: SourceLine, indent: float) -> Flowable:
        ctx = self._ctx()
        pieces = [Piece(block.label, InlineStyle(bold=True)), Piece(" ", InlineStyle())]
        for i, entry in enumerate(block.entries):
            if i:
                pieces.append(Piece("; ", InlineStyle()))
            pieces.append(Piece("", InlineStyle(), anchor=f"source-{entry.n}"))
            # A link only when the URL is safe (`flatten` checks).
            pieces.extend(flatten((Link(entry.url, (Text(entry.name),)),), ctx))
            if entry.cited:
                pieces.append(Piece(f" [{entry.n}]", InlineStyle()))
        return self._flowable(pieces, Kind.SOURCE_LINE, indent, ctx=ctx)


class _Indented(Flowable):
    """Shift a flowable right by `indent` points (lists and quotes)."""

    def __init__(self, inner: Flowable, indent: float) -> None:
        super().__init__()
        self.inner = inner
        self.indent = indent

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        w, h = self.inner.wrap(availWidth - self.indent, availHeight)
        self.width, self.height = w + self.indent, h
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        parts = self.inner.split(availWidth - self.indent, availHeight)
        return [_Indented(p, self.indent) for p in parts]

    def draw(self) -> None:
        self.inner.drawOn(self.canv, self.indent, 0)


class _Barred(Stacked):
    """The flowables of a block quote in Briefer's own look, with a thin
    vertical bar in the accent colour at `bar_x` from the left edge (or the
    right one when `rtl`). The bar runs the full height of the quote,
    through the gaps between its paragraphs; when the quote splits across
    pages each part draws its own bar, so the bar continues on the next
    page."""

    def __init__(
        self, content: list[Flowable], bar_x: float, color: colors.Color, rtl: bool = False
    ) -> None:
        super().__init__(content)
        self.bar_x = bar_x
        self.color = color
        self.rtl = rtl

    def _like(self, content: list[Flowable]) -> _Barred:
        return _Barred(content, self.bar_x, self.color, self.rtl)

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.setFillColor(self.color)
        x = self.width - self.bar_x if self.rtl else self.bar_x
        canv.rect(x - _QUOTE_BAR / 2, 0, _QUOTE_BAR, self.height, stroke=0, fill=1)
        canv.restoreState()
        self._draw_content()


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


def _line(op: str, start: tuple[int, int], stop: tuple[int, int], rule: Rule) -> tuple[Any, ...]:
    """A reportlab table line command drawing `rule`: a double rule as two
    lines its width apart, dotted and dashed ones with their pattern."""
    from briefer.house_style import RuleKind  # loaded already: there is a Word base

    unit = max(rule.width_pt, 0.5)
    dash = None
    if rule.kind is RuleKind.DOTTED:
        dash = (unit, unit * 2)
    elif rule.kind is RuleKind.DASHED:
        dash = (unit * 4, unit * 2)
    count = 2 if rule.kind is RuleKind.DOUBLE else 1
    colour = colors.HexColor(rule.color)
    return (op, start, stop, rule.width_pt, colour, None, dash, None, count, rule.width_pt)


def _house_lines(story: HouseStory) -> str:
    """A house header's or footer's lines as a pattern: its own braces
    doubled out of the way, its page fields kept."""
    lines = (
        line.replace("{", "(")
        .replace("}", ")")
        .replace("(page)", "{page}")
        .replace("(pages)", "{pages}")
        for line in story.lines
    )
    return "\n".join(lines)


def _set_timestamp(canvas: Canvas, created: dt.datetime) -> None:
    """Write `created` (taken as UTC when naive) as the PDF's dates."""
    stamp = canvas._doc._timeStamp
    if created.tzinfo is not None:
        created = created.astimezone(dt.UTC)
    stamp.t = created.replace(tzinfo=dt.UTC).timestamp()
    stamp.lt = created.timetuple()
    stamp.YMDhms = tuple(created.timetuple())[:6]
    stamp.dhh = stamp.dmm = 0
    stamp.tzname = "UTC"
