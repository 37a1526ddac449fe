"""Small flowables the PDF's blocks are wrapped in: a heading kept with
the start of the block after it (`KeepHeadingWithStart`), room kept for a
heading at the foot of a page (`KeepRoom`), a flowable shifted right for a
list or quote (`Indented`), and a block quote in Briefer's own look, with
a bar in the accent colour (`Barred`).
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether

from briefer.export.pdf_para import Stacked

_QUOTE_BAR = 2.0  # width of the bar left of a quote, in points


class KeepHeadingWithStart(KeepTogether):
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


class KeepRoom(CondPageBreak):
    """A new page unless `height` is left, before a heading. Transparent to
    spacing: the heading's space before still meets the space after the
    paragraph above (the larger of the two, as in Word), not a zero."""

    _SPACETRANSFER = True


class Indented(Flowable):
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
        return [Indented(p, self.indent) for p in parts]

    def draw(self) -> None:
        self.inner.drawOn(self.canv, self.indent, 0)


class Barred(Stacked):
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

    def _like(self, content: list[Flowable]) -> Barred:
        return Barred(content, self.bar_x, self.color, self.rtl)

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.setFillColor(self.color)
        x = self.width - self.bar_x if self.rtl else self.bar_x
        canv.rect(x - _QUOTE_BAR / 2, 0, _QUOTE_BAR, self.height, stroke=0, fill=1)
        canv.restoreState()
        self._draw_content()
