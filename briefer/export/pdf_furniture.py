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

LineMaker = Callable[[str, Kind], Flowable]


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
    ) -> None:
        self._line = line
        self._box = box
        self._distances = distances
        self._banner = banner
        self._headers = (first_header, header)
        self._footer = footer
        self._logo = logo
        self._values = values

    # -- where the body goes ------------------------------------------------

    def body_top(self, first: bool) -> float:
        """Distance from the top edge to the top of the text on a page."""
        return max(self._box.top, self._distances.header_distance + self._header_height(first))

    def body_bottom(self) -> float:
        """Distance from the bottom edge to the bottom of the text."""
        return max(self._box.bottom, self._distances.footer_distance + self._footer_height())

    def _header_height(self, first: bool) -> float:
        height = 0.0
        if first and self._logo is not None:
            height += self._logo.height + self._distances.logo_gap
        pattern = self._headers[0 if first else 1]
        height += self._height(self._fill(pattern, _WIDE_NUMBER, _WIDE_NUMBER), Kind.HEADER)
        if self._banner:
            gap = self._distances.banner_gap if height else 0.0
            height += self._height(self._banner, Kind.BANNER) + gap
        return height

    def _footer_height(self) -> float:
        height = self._height(self._fill(self._footer, _WIDE_NUMBER, _WIDE_NUMBER), Kind.HEADER)
        return height + (self._height(self._banner, Kind.BANNER) if self._banner else 0.0)

    def _height(self, text: str, kind: Kind) -> float:
        if not text.strip():
            return 0.0
        return self._line(text, kind).wrap(self._box.width, self._box.page_h)[1]

    def _fill(self, pattern: str, page: str, pages: str) -> str:
        values = {**self._values, "page": page, "pages": pages}
        return HEADER_FIELD.sub(lambda m: values[m.group(1)], pattern) if pattern else ""

    # -- drawing ---------------------------------------------------------------

    def draw(self, canvas: Canvas, page: int, total: int) -> None:
        box, first = self._box, page == 1
        y = box.page_h - self._distances.header_distance  # the top of the next line
        header = self._fill(self._headers[0 if first else 1], str(page), str(total))
        if self._banner:
            y = self._draw_down(canvas, self._banner, Kind.BANNER, y)
            if header.strip() or (first and self._logo is not None):
                y -= self._distances.banner_gap
        if first and self._logo is not None:
            logo = self._logo
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
            self._draw_down(canvas, header, Kind.HEADER, y)

        y = self._distances.footer_distance  # the bottom of the next line up
        if self._banner:
            y = self._draw_up(canvas, self._banner, Kind.BANNER, y)
        footer = self._fill(self._footer, str(page), str(total))
        if footer.strip():
            self._draw_up(canvas, footer, Kind.HEADER, y)

    def _draw_down(self, canvas: Canvas, text: str, kind: Kind, top: float) -> float:
        para = self._line(text, kind)
        _w, height = para.wrap(self._box.width, self._box.page_h)
        para.drawOn(canvas, self._box.left, top - height)
        return top - height

    def _draw_up(self, canvas: Canvas, text: str, kind: Kind, bottom: float) -> float:
        para = self._line(text, kind)
        _w, height = para.wrap(self._box.width, self._box.page_h)
        para.drawOn(canvas, self._box.left, bottom)
        return bottom + height
