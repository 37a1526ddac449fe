"""The PDF's page furniture: classification banner, logo, header and footer.

Everything is placed where Word places the DOCX's header and footer, so the
two formats start their text at the same height on every page: the header
stacks down from the header distance below the top edge (banner, then the
logo, then the header lines) and the footer stacks up from the footer
distance above the bottom edge (the footer lines, then the banner). When a
stack is taller than its margin leaves room for, the body starts below it,
as Word moves the body down rather than let a header run into the text;
`body_top` and `body_bottom` say where the text may go.

Page 1 has a header and footer of its own (`PageParts`), as the DOCX has
(Word's "Different First Page"): the template's logo sits there, and the
header leaves out a field that repeats the title, which page 1 prints right
below it; a Word base with a first-page header and footer of its own has
them drawn there instead.

With a Word base that has a header or footer of its own, the DOCX keeps it
and adds only the classification; the PDF draws the same: its lines of
text, its picture, and the classification above the header or below the
footer (`PageParts.marks`), where Word puts them.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from briefer.document import HEADER_FIELD
from briefer.export.layout import Furniture, Kind

# The widest a page number is assumed to be when a header's height is
# measured before the page count is known.
_WIDE_NUMBER = "9999"

# (text, kind, and for a header or footer line the look it takes: "" for
# the template's, else a key the maker knows, such as `HEADER`)
LineMaker = Callable[[str, Kind, str], Flowable]
HEADER, FOOTER = "header", "footer"
FIRST_HEADER, FIRST_FOOTER = "first-header", "first-footer"


@dataclass(frozen=True)
class Logo:
    """A logo image (the bytes that were checked) and the size it is drawn
    at, in points."""

    data: bytes
    width: float
    height: float


@dataclass(frozen=True)
class Box:
    """The page and its margins, in points."""

    page_w: float
    page_h: float
    top: float
    right: float
    bottom: float
    left: float

    @property
    def width(self) -> float:
        return self.page_w - self.left - self.right


@dataclass(frozen=True)
class PageParts:
    """What the header and footer of one kind of page show (page 1, or the
    pages after it): the header and footer patterns (several lines apart
    by newlines, with `{page}` and `{pages}` among the fields), what goes
    above the header and below the footer (`marks`: the banner, or the
    classification beside a house header), a logo at the top of the header,
    and the look of the header and footer lines (`header_look`, passed to
    the line maker)."""

    header: str
    footer: str
    marks: tuple[str, str] = ("", "")
    logo: Logo | None = None
    header_look: str = ""
    footer_look: str = ""


class PageFurniture:
    """Measures and draws one export's banner, logo, header and footer.

    `line(text, kind, look)` makes the flowable for one header, footer or
    banner paragraph (the renderer's, so every script finds its font);
    `{page}` and `{pages}` are filled in when a page is drawn, the other
    fields from `values`."""

    def __init__(
        self,
        line: LineMaker,
        box: Box,
        distances: Furniture,
        *,
        first: PageParts,
        later: PageParts,
        values: dict[str, str],
    ) -> None:
        self._line = line
        self._box = box
        self._distances = distances
        self._pages = (first, later)
        self._values = values

    def _parts(self, first: bool) -> PageParts:
        return self._pages[0 if first else 1]

    # -- where the body goes ------------------------------------------------

    def body_top(self, first: bool) -> float:
        """Distance from the top edge to the top of the text on a page."""
        return max(self._box.top, self._distances.header_distance + self._header_height(first))

    def body_bottom(self, first: bool) -> float:
        """Distance from the bottom edge to the bottom of the text on a page."""
        return max(self._box.bottom, self._distances.footer_distance + self._footer_height(first))

    def _header_height(self, first: bool) -> float:
        parts = self._parts(first)
        height = 0.0
        if parts.logo is not None:
            height += parts.logo.height + self._distances.logo_gap
        header = self._fill(parts.header, _WIDE_NUMBER, _WIDE_NUMBER)
        height += self._height(header, Kind.HEADER, parts.header_look)
        top = parts.marks[0]
        if top:
            gap = self._distances.banner_gap if height else 0.0
            height += self._height(top, Kind.BANNER) + gap
        return height

    def _footer_height(self, first: bool) -> float:
        parts = self._parts(first)
        footer = self._fill(parts.footer, _WIDE_NUMBER, _WIDE_NUMBER)
        height = self._height(footer, Kind.HEADER, parts.footer_look)
        bottom = parts.marks[1]
        return height + (self._height(bottom, Kind.BANNER) if bottom else 0.0)

    def _height(self, text: str, kind: Kind, look: str = "") -> float:
        return sum(
            self._line(line, kind, look).wrap(self._box.width, self._box.page_h)[1]
            for line in text.split("\n")
            if line.strip()
        )

    def _fill(self, pattern: str, page: str, pages: str) -> str:
        values = {**self._values, "page": page, "pages": pages}
        return HEADER_FIELD.sub(lambda m: values[m.group(1)], pattern) if pattern else ""

    # -- drawing ---------------------------------------------------------------

    def draw(self, canvas: Canvas, page: int, total: int) -> None:
        box, parts = self._box, self._parts(page == 1)
        y = box.page_h - self._distances.header_distance  # the top of the next line
        header = self._fill(parts.header, str(page), str(total))
        top, bottom = parts.marks
        logo = parts.logo
        if top:
            y = self._draw_down(canvas, top, Kind.BANNER, y)
            if header.strip() or logo is not None:
                y -= self._distances.banner_gap
        if logo is not None:
            canvas.drawImage(
                ImageReader(io.BytesIO(logo.data)),
                box.left,
                y - logo.height,
                width=logo.width,
                height=logo.height,
                mask="auto",
            )
            y -= logo.height + self._distances.logo_gap
        if header.strip():
            self._draw_down(canvas, header, Kind.HEADER, y, parts.header_look)

        y = self._distances.footer_distance  # the bottom of the next line up
        if bottom:
            y = self._draw_up(canvas, bottom, Kind.BANNER, y)
        footer = self._fill(parts.footer, str(page), str(total))
        if footer.strip():
            self._draw_up(canvas, footer, Kind.HEADER, y, parts.footer_look)

    def _draw_down(
        self, canvas: Canvas, text: str, kind: Kind, top: float, look: str = ""
    ) -> float:
        """Draw the lines of `text` down from `top`; returns the bottom."""
        for line in text.split("\n"):
            if line.strip():
                para = self._line(line, kind, look)
                _w, height = para.wrap(self._box.width, self._box.page_h)
                para.drawOn(canvas, self._box.left, top - height)
                top -= height
        return top

    def _draw_up(
        self, canvas: Canvas, text: str, kind: Kind, bottom: float, look: str = ""
    ) -> float:
        """Draw the lines of `text` up from `bottom`; returns the top."""
        for line in reversed(text.split("\n")):
            if line.strip():
                para = self._line(line, kind, look)
                _w, height = para.wrap(self._box.width, self._box.page_h)
                para.drawOn(canvas, self._box.left, bottom)
                bottom += height
        return bottom
