"""List numbering for the DOCX exporter (`word/numbering.xml`).

Word ties bullets and numbers to paragraph styles through numbering
definitions: an abstract definition holds the look (glyph, indent) and a
`w:num` instance points at one. Every ordered list in a brief restarts at its
own `start`, so each gets a fresh `w:num` with a `startOverride` on the
abstract definition its list style already uses (the organisation's look
when a reference document provides one, ours otherwise).
"""

from __future__ import annotations

from docx.document import Document as DocxDocument
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.parts.numbering import NumberingPart
from lxml import etree

from briefer.document import BULLET_GLYPHS
from briefer.export.word_xml import parse_fragment, w

LIST_INDENT_TWIPS = 360


class Numbering:
    """Reads and extends the numbering part of one document being built."""

    def __init__(self, docx_document: DocxDocument) -> None:
        self._root = _numbering_root(docx_document)
        self._abstract_ids = [
            int(el.get(w("abstractNumId"), "0")) for el in self._root.iterchildren(w("abstractNum"))
        ]
        self._num_to_abstract: dict[int, int] = {}
        for num in self._root.iterchildren(w("num")):
            ref = num.find(w("abstractNumId"))
            if ref is not None and (num.get(w("numId")) or "").isdigit():
                self._num_to_abstract[int(num.get(w("numId")))] = int(ref.get(w("val"), "0"))
        self._own: dict[tuple[bool, int], int] = {}

    def abstract_of(self, num_id: int) -> int | None:
        """The abstract definition a `w:num` uses, or None if it does not exist."""
        abstract = self._num_to_abstract.get(num_id)
        return abstract if abstract in self._abstract_ids else None

    def own_abstract(self, ordered: bool, depth: int) -> int:
        """Our single-level definition for a list of this kind and depth (1-3)."""
        key = (ordered, depth)
        if key not in self._own:
            self._own[key] = self._add_abstract(ordered, depth)
        return self._own[key]

    def new_num(self, abstract_id: int, start: int | None = None, ilvl: int = 0) -> int:
        """A new `w:num` for `abstract_id`, restarted at `start` when given."""
        num_id = max(self._num_to_abstract, default=0) + 1
        override = (
            f'<w:lvlOverride w:ilvl="{ilvl}"><w:startOverride w:val="{max(0, start)}"/>'
            "</w:lvlOverride>"
            if start is not None
            else ""
        )
        xml = (
            f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{override}</w:num>'
        )
        self._root.append(_single(xml))
        self._num_to_abstract[num_id] = abstract_id
        return num_id

    def _add_abstract(self, ordered: bool, depth: int) -> int:
        abstract_id = max(self._abstract_ids, default=-1) + 1
        left = LIST_INDENT_TWIPS * depth
        if ordered:
            fmt, text, rpr = "decimal", "%1.", ""
        else:
            glyph = BULLET_GLYPHS[min(depth, 3) - 1]
            fmt, text = "bullet", glyph
            rpr = (
                '<w:rPr><w:rFonts w:ascii="DejaVu Sans" w:hAnsi="DejaVu Sans" w:hint="default"/>'
                "</w:rPr>"
            )
        xml = (
            f'<w:abstractNum w:abstractNumId="{abstract_id}">'
            '<w:multiLevelType w:val="singleLevel"/>'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/>'
            f'<w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{left}" w:hanging="{LIST_INDENT_TWIPS}"/></w:pPr>{rpr}'
            "</w:lvl></w:abstractNum>"
        )
        element = _single(xml)
        # Every w:abstractNum must come before the first w:num.
        first_num = self._root.find(w("num"))
        if first_num is not None:
            first_num.addprevious(element)
        else:
            self._root.append(element)
        self._abstract_ids.append(abstract_id)
        return abstract_id


def _single(xml: str) -> etree._Element:
    return parse_fragment(xml, "w:numbering")[0]


def _numbering_root(docx_document: DocxDocument) -> etree._Element:
    part = docx_document.part
    try:
        return part.part_related_by(RT.NUMBERING).element
    except KeyError:
        pass
    # python-docx cannot create a numbering part itself (NumberingPart.new
    # is not implemented), so a base document without lists needs one made.
    element = parse_fragment("", "w:numbering")
    numbering = NumberingPart(
        PackURI("/word/numbering.xml"), CT.WML_NUMBERING, element, part.package
    )
    part.relate_to(numbering, RT.NUMBERING)
    return element
