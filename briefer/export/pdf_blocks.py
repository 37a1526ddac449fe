"""The PDF's flowables for the document's blocks: paragraphs (a
`FastParagraph`, or an `RtlParagraph` for right-to-left text), lists,
block quotes (Briefer's bar, or the Word base's borders and shading),
code, images with their captions and placeholders, rules and page breaks;
the story they make, each flowable that cites a source footnoted.

`Blocks` is a part of the PDF renderer (`briefer.export.pdf._Renderer`).
"""

from __future__ import annotations

import io
import re
from functools import cached_property

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    KeepTogether,
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
    CodeBlock,
    Contents,
    Heading,
    HorizontalRule,
    Image,
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
)
from briefer.document import Paragraph as DocParagraph
from briefer.export.fonts import FontSet
from briefer.export.images import image_label, image_warning, probe_image
from briefer.export.layout import LIST_INDENT, Kind
from briefer.export.pdf_flowables import Barred, Indented
from briefer.export.pdf_notes import Footnoted, cites_in
from briefer.export.pdf_page import IMAGE_FORMATS
from briefer.export.pdf_para import Boxed, FastParagraph
from briefer.export.pdf_styles import hex_color, to_color
from briefer.export.pdf_text import (
    InlineStyle,
    MarkupContext,
    Piece,
    RtlParagraph,
    Run,
    flatten,
    pieces_plain,
    pieces_runs,
    text_markup,
    text_runs,
)
from briefer.model import CitationStyle, TextElement
from briefer.text import clean_text, is_rtl

_SPACE_RUN = re.compile(r"(?<=\S)  +")
_LEADING_SPACES = re.compile(r"^ +")


class Blocks:
    """Paragraphs and the flowables of the document's blocks."""

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
            style_ = InlineStyle(bold=True, color=hex_color(self.accent))
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
                f"{style.name}-{color}", parent=style, textColor=to_color(color, "#000000")
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

    def _story(self) -> list[Flowable]:
        self._heading_count = 0
        self._lead_in_count = 0
        self._sources_count = 0
        self._outline_level = -1
        story: list[Flowable] = []
        for flowable in self._flow(self.blocks, 0.0):
            if self.citation_style is CitationStyle.FOOTNOTES and (cites := cites_in(flowable)):
                flowable = Footnoted(flowable, cites, self)
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
                out.append(Barred(group, bar_x, self.accent, rtl))
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

    def _image(self, block: Image, indent: float) -> Flowable:
        if block.path is None:
            # compose refused or could not find the file and has said why;
            # a second warning here would only repeat it.
            return self._placeholder(block, indent)
        probe = probe_image(block.path, IMAGE_FORMATS, "a PDF")
        if not probe.usable:
            self.warnings.warn(image_warning(block, probe.problem))
            return self._placeholder(block, indent)
        w, h = probe.size[0] * 0.75, probe.size[1] * 0.75  # pixels at 96 dpi -> points
        max_w, max_h = self.frame_w - indent, self.frame_h * 0.8
        scale = min(1.0, max_w / w, max_h / h)
        # The bytes that were checked, not the file opened again.
        image = RLImage(io.BytesIO(probe.data), width=w * scale, height=h * scale, hAlign="LEFT")
        image.spaceAfter = self.size * 0.6
        placed: Flowable = Indented(image, indent) if indent else image
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
        return KeepTogether([Indented(table, indent) if indent else table, Spacer(1, 6)])
