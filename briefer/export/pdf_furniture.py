"""The PDF's page furniture: classification banner, logo, header and footer.

Everything is placed where Word places the DOCX's header and footer, so the
two formats start their text at the same height on every page: the header
stacks down from the header distance below the top edge (banner, then the
logo on page 1 only, then the header line) and the footer stacks up from
the footer distance above the bottom edge (the footer line, then the
banner). When a stack is taller than its margin leaves room for, the body
starts below it, as Word moves the body down rather than let a header run
into the text; `body_top` and `body_bottom` say where the text may go.

Page 1 has a header of its own (a first-page header in Word): the logo sits
there, and the header line leaves out a field that repeats the title, which
page 1 prints right below it.

With a Word base that has a header or footer of its own, the DOCX keeps it
and adds only the classification; the PDF draws the same (`House`): its
lines of text, its picture on every page, and the classification above the
header or below the footer (`marks`), where Word puts them.
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

# (text, kind, and for a header or footer line which: "header" or "footer")
LineMaker = Callable[[str, Kind, str], Flowable]
HEADER, FOOTER = "header", "footer"


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


class PageFurniture:
    """Measures and draws one export's banner, logo, header and footer.

    `line(text, kind)` makes the flowable for one header, footer or banner
    paragraph (the renderer's, so every script finds its font); the header
    patterns are the template's, with `{page}` and `{pages}` filled in when
    a page is drawn and the other fields from `values`."""

    def __init__(
        self,
        line: LineMaker,
        box: Box,
        distances: Furniture,
        *,
        banner: str,
        first_header: str,
        header: str,
        footer: str,
        logo: Logo | None,
        values: dict[str, str],
        marks: tuple[str, str] | None = None,
        logo_every_page: bool = False,
    ) -> None:
        """`marks` is what goes above the header and below the footer (the
        banner on both, unless a house header or footer has its own); the
        header and footer patterns may hold several lines."""
        self._line = line
        self._box = box
        self._distances = distances
        self._marks = marks if marks is not None else (banner, banner)
        self._headers = (first_header, header)
        self._footer = footer
        self._logo = logo
        self._logo_every_page = logo_every_page
        self._values = values

    # -- where the body goes ------------------------------------------------

    def body_top(self, first: bool) -> float:
        """Distance from the top edge to the top of the text on a page."""
        return max(self._box.top, self._distances.header_distance + self._header_height(first))

    def body_bottom(self) -> float:
        """Distance from the bottom edge to the bottom of the text."""
        return max(self._box.bottom, self._distances.footer_distance + self._footer_height())

    def _shows_logo(self, first: bool) -> bool:
        return self._logo is not None and (first or self._logo_every_page)

    def _header_height(self, first: bool) -> float:
        height = 0.0
        if self._shows_logo(first):
            assert self._logo is not None
            height += self._logo.height + self._distances.logo_gap
        pattern = self._headers[0 if first else 1]
        height += self._height(self._fill(pattern, _WIDE_NUMBER, _WIDE_NUMBER), Kind.HEADER, HEADER)
        top = self._marks[0]
        if top:
            gap = self._distances.banner_gap if height else 0.0
            height += self._height(top, Kind.BANNER) + gap
        return height

    def _footer_height(self) -> float:
        footer = self._fill(self._footer, _WIDE_NUMBER, _WIDE_NUMBER)
        height = self._height(footer, Kind.HEADER, FOOTER)
        bottom = self._marks[1]
        return height + (self._height(bottom, Kind.BANNER) if bottom else 0.0)

    def _height(self, text: str, kind: Kind, which: str = "") -> float:
        return sum(
            self._line(line, kind, which).wrap(self._box.width, self._box.page_h)[1]
            for line in text.split("\n")
            if line.strip()
        )

    def _fill(self, pattern: str, page: str, pages: str) -> str:
        values = {**self._values, "page": page, "pages": pages}
        return HEADER_FIELD.sub(lambda m: values[m.group(1)], pattern) if pattern else ""

    # -- drawing ---------------------------------------------------------------

    def draw(self, canvas: Canvas, page: int, total: int) -> None:
        box, first = self._box, page == 1
        y = box.page_h - self._distances.header_distance  # the top of the next line
        header = self._fill(self._headers[0 if first else 1], str(page), str(total))
        top, bottom = self._marks
        if top:
            y = self._draw_down(canvas, top, Kind.BANNER, y)
            if header.strip() or self._shows_logo(first):
                y -= self._distances.banner_gap
        if self._shows_logo(first):
            logo = self._logo
            assert logo is not None
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
            self._draw_down(canvas, header, Kind.HEADER, y, HEADER)

        y = self._distances.footer_distance  # the bottom of the next line up
        if bottom:
            y = self._draw_up(canvas, bottom, Kind.BANNER, y)
        footer = self._fill(self._footer, str(page), str(total))
        if footer.strip():
            self._draw_up(canvas, footer, Kind.HEADER, y, FOOTER)

    def _draw_down(
        self, canvas: Canvas, text: str, kind: Kind, top: float, which: str = ""
    ) -> float:
        """Draw the lines of `text` down from `top`; returns the bottom."""
        for line in text.split("\n"):
            if line.strip():
                para = self._line(line, kind, which)
                _w, height = para.wrap(self._box.width, self._box.page_h)
                para.drawOn(canvas, self._box.left, top - height)
                top -= height
        return top

    def _draw_up(
        self, canvas: Canvas, text: str, kind: Kind, bottom: float, which: str = ""
    ) -> float:
        """Draw the lines of `text` up from `bottom`; returns the top."""
        for line in reversed(text.split("\n")):
            if line.strip():
                para = self._line(line, kind, which)
                _w, height = para.wrap(self._box.width, self._box.page_h)
                para.drawOn(canvas, self._box.left, bottom)
                bottom += height
        return bottom
