"""The PDF's headings, the bookmarks (outline) they and the sections'
lead-ins make, and the contents list linking to them: in the Word base's
TOC Heading and TOC 1-3 styles where it has them, and with the borders and
shading its Title and Heading styles give them, as the DOCX shows it.

`Headings` is a part of the PDF renderer (`briefer.export.pdf._Renderer`).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable

from briefer.document import Contents, Heading, Text, plain_text
from briefer.document import Paragraph as DocParagraph
from briefer.export.layout import HEADING_ELEMENTS, HEADING_KINDS, Face, Kind
from briefer.export.pdf_flowables import KeepRoom
from briefer.export.pdf_para import Boxed
from briefer.export.pdf_styles import hex_color, to_color
from briefer.export.pdf_text import InlineStyle, Piece, RtlParagraph
from briefer.model import TextElement, TextLook
from briefer.text import clean_text

if TYPE_CHECKING:  # a Word base's, loaded only with one (frozen dataclasses cost time)
    from briefer.house_style import Decor

_CONTENTS_END = 10.0  # after the contents list's last entry, as in the DOCX (200 twips)


class Headings:
    """Headings, lead-ins, the outline and the contents list."""

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
            KeepRoom(self.leading * 4),
            self._decorated(para, HEADING_ELEMENTS[level - 1], indent),
        ]

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
        plain = hex_color(self.accent)
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
            textColor=to_color(face.color, "#1A1A1A"),
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
