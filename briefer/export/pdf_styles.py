"""The PDF's paragraph styles and text faces, made from the template's
`Style` and the metrics the DOCX styles are made from
(`briefer.export.layout`); with a Word base, the base's looks (its TOC
Heading, Quote and table styles) and its "Multiple" line spacing measured
by each font's own line height, as Word measures it. Also the span
contexts (`MarkupContext`) the text is laid out in.

`Styles` is a part of the PDF renderer (`briefer.export.pdf._Renderer`):
it reads the renderer's fonts, faces and metrics and caches what it makes
on it.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle

from briefer.export.fonts import FontSet
from briefer.export.layout import (
    FOOTNOTE_HANGING,
    HEADING_KINDS,
    LIST_INDENT,
    SOURCE_HANGING,
    Face,
    Kind,
    Metrics,
    look_metrics,
    multiples,
)
from briefer.export.pdf_text import MarkupContext, superscript
from briefer.model import TextElement, TextLook

if TYPE_CHECKING:  # a Word base's, loaded only with one (frozen dataclasses cost time)
    from briefer.house_style import HouseBase, TableLook

GREY = "#555555"


def to_color(value: str, default: str) -> colors.Color:
    try:
        return colors.HexColor(value)
    except (ValueError, TypeError):
        return colors.HexColor(default)


def hex_color(color: colors.Color) -> str:
    return "#" + color.hexval()[2:]


class Styles:
    """Paragraph styles, faces, font families and span contexts."""

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
            base.update(textColor=to_color(face.color, "#1A1A1A"), fontName=family.regular)
        if kind in (Kind.TITLE, *HEADING_KINDS, Kind.CONTENTS_TITLE) and face is not None:
            font = self._family(face.font).face(face.bold, face.italic)
            base.update(fontName=font, keepWithNext=1)
        elif kind is Kind.CONTENTS_TITLE:
            base.update(fontName=self.heading.bold, textColor=self.accent, keepWithNext=1)
        elif kind is Kind.SUBTITLE and face is None:
            base.update(fontName=self.heading.regular, textColor=colors.HexColor(GREY))
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
            base.update(textColor=colors.HexColor(GREY))
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
            base.update(alignment=TA_CENTER, textColor=colors.HexColor(GREY))
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
                accent=hex_color(self.accent),
                destinations=self.destinations,
                citation_mark=self._citation_mark,
                missing=self.missing,
            )
        return cached
