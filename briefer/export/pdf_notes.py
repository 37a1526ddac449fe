"""Citations in the PDF: their markers, real footnotes at the foot of the
page they are cited on, and the sources as endnotes or a "Source:" line.

A footnoted flowable (`Footnoted`) asks for room for the notes it brings
to its page; the document moves the frame's bottom up as it is placed, and
the notes are drawn when the page ends. When the notes of a page would
take more than half of it, the pass is marked as overflowed and the
renderer lays the document out again with endnotes
(`briefer.export.pdf._Renderer.render`).

`Notes` is a part of the PDF renderer (`briefer.export.pdf._Renderer`).
"""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, Paragraph
from reportlab.platypus import Table as RLTable

from briefer.document import (
    Citation,
    Link,
    SourceLine,
    SourcesList,
    Text,
    citation_label,
)
from briefer.export.layout import HEADING_ELEMENTS, HEADING_KINDS, Kind
from briefer.export.pdf_flowables import Indented, KeepRoom
from briefer.export.pdf_para import FastParagraph, Stacked
from briefer.export.pdf_styles import GREY
from briefer.export.pdf_text import CITE_CB, InlineStyle, Mark, Piece, RtlParagraph, flatten
from briefer.model import CitationStyle
from briefer.text import clean_text

_MAX_FOOTNOTE_SHARE = 0.5  # of the frame height, per page
_FOOTNOTE_GAP = 8.0


class Footnoted(Flowable):
    """A flowable whose citations need footnotes on the page it lands on.

    It asks for its own height plus the height of the footnotes not yet on
    the current page, draws itself at the top of that box, and afterwards the
    document moves the frame's bottom up by the same amount (`_after_flowable`), so the
    footnote area grows exactly as the cited text is placed. Split parts
    recount the citations they actually hold."""

    def __init__(self, inner: Flowable, cites: list[int], renderer: Notes) -> None:
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
        return [Footnoted(part, cites_in(part), self.renderer) for part in parts]

    def getSpaceBefore(self) -> float:
        return self.inner.getSpaceBefore()

    def getSpaceAfter(self) -> float:
        return self.inner.getSpaceAfter()

    def draw(self) -> None:
        self.inner.drawOn(self.canv, 0, self.extra)


def cites_in(flowable: Any) -> list[int]:
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
        elif isinstance(obj, (Indented, Footnoted)):
            scan(obj.inner)
        elif isinstance(obj, Stacked):
            scan(obj.content)

    scan(flowable)
    return found


class Notes:
    """Citation marks, footnotes and the sources list or line."""

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
        if isinstance(flowable, Footnoted) and flowable.extra:
            # The box reserved space below the text; hand it to the footnote area.
            frame._y += flowable.extra
            frame._y1p += flowable.extra
            self._page_notes_height += flowable.extra
            self._page_notes.update(flowable.cites)

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
        canvas.setStrokeColor(colors.HexColor(GREY))
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
            KeepRoom(self.leading * 4),
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
