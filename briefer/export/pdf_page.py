"""The PDF's pages: the document template with page 1's and the later
pages' frames, the canvas that holds every page until the end (so a footer
knows the page count), and the headers and footers drawn on them
(`briefer.export.pdf_furniture`): the template's, or a Word base's own,
with the logo or the base's header picture and the classification.

`Pages` is a part of the PDF renderer (`briefer.export.pdf._Renderer`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from briefer.document import banner_text, field_values
from briefer.errors import ExportError
from briefer.export.images import logo_warning, probe_image, probe_image_data
from briefer.export.layout import Kind, first_page_header, furniture
from briefer.export.pdf_flowables import KeepHeadingWithStart
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
from briefer.export.pdf_styles import hex_color
from briefer.export.pdf_text import CITE_CB, InlineStyle, Piece
from briefer.export.properties import document_properties
from briefer.text import clean_text

if TYPE_CHECKING:  # a Word base's, loaded only with one (frozen dataclasses cost time)
    from briefer.house_style import HouseBase, HouseStory

IMAGE_FORMATS = ("PNG", "JPEG", "GIF")
# The looks of template lines in a Word base's Header and Footer styles.
_HEADER_STYLE, _FOOTER_STYLE = "header-style", "footer-style"


class Pages:
    """The document template, the canvas and the page furniture."""

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
        probe = probe_image_data(story.picture, IMAGE_FORMATS, "a PDF")
        if not probe.usable:
            self.warnings.warn(f"the Word base's header picture: {probe.problem}; left out")
            return None
        width, height = story.picture_pt
        scale = min(1.0, self.frame_w / width, self.frame_h * 0.3 / height)
        return Logo(probe.data, width * scale, height * scale)

    def _logo(self) -> Logo | None:
        """The logo for page 1's header, sized to the template's width."""
        path = self.style.logo
        if path is None:
            return None
        probe = probe_image(Path(path), IMAGE_FORMATS, "a PDF")
        if not probe.usable:
            self.warnings.warn(logo_warning(Path(path), probe.problem))
            return None
        width = min(max(1.0, self.style.logo_width_mm) * mm, self.frame_w)
        height = width * probe.size[1] / probe.size[0]
        if height > self.frame_h * 0.3:
            height = self.frame_h * 0.3
            width = height * probe.size[0] / probe.size[1]
        return Logo(probe.data, width, height)

    def _furniture_line(self, text: str, kind: Kind, look: str = "") -> Flowable:
        story = self._house_stories.get(look)
        if story is None:
            pieces = [Piece(text, InlineStyle(bold=kind is Kind.BANNER))]
            return self._flowable(pieces, kind, ctx=self._ctx())
        # A house header or footer line, in its own style's look.
        look = story.look
        family = self._family(look.font) if look.font else self.body
        size = look.size_pt or self.metrics[kind].size
        colour = look.color or hex_color(self.text_color)
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
            keepTogetherClass=KeepHeadingWithStart,
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
