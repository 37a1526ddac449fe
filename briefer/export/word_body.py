"""Blocks and spans to WordprocessingML text, for the DOCX exporter.

`SpanWriter` turns inline spans into runs (one run per script, so CJK text
gets the East Asian font slot and Arabic or Hebrew the right-to-left flag);
`BodyWriter` turns blocks into paragraphs and tables that name their style
by the ids resolved in `word_styles`. Output is XML text, parsed once per part
by the caller: this is what keeps a 100-page brief well under a second.
Every string passes through `clean_text`; tab, newline and form feed become
`w:tab`, `w:br` and a page break. A table too wide for the page is set as
`briefer.export.layout.plan_table` says (smaller, or split), as in the PDF;
hyperlinks and pictures are related to their part by `word_rels`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefer.document import (
    BulletList,
    Citation,
    Code,
    CodeBlock,
    Contents,
    Document,
    Emphasis,
    Heading,
    HorizontalRule,
    Image,
    LineBreak,
    Link,
    ListItem,
    OrderedList,
    PageBreak,
    Paragraph,
    Quote,
    SourceEntry,
    SourceLine,
    SourcesList,
    Span,
    Strong,
    Subtitle,
    Table,
    Text,
    Title,
    citation_label,
    is_safe_url,
    plain_text,
)
from briefer.export.images import image_label, image_warning
from briefer.export.layout import Kind, TablePart, TablePlan, metrics, plan_table
from briefer.export.warning_log import WarningLog
from briefer.export.word_numbering import Numbering
from briefer.export.word_rels import PartLinks
from briefer.export.word_styles import (
    BULLETS,
    CJK_FONT,
    CONTINUES,
    HEADINGS,
    NUMBERS,
    TOCS,
    S,
    StyleSheet,
)
from briefer.export.word_xml import EMU_PER_TWIP, attr, esc, half_points, twips
from briefer.jobs import ProgressCallback, report
from briefer.model import CitationStyle
from briefer.text import Script, clean_text, is_rtl, split_scripts

WORD_JOINER = "\u2060"  # no line break here, and no width
_SPECIAL = re.compile("([\t\n\f])")
_SPECIAL_XML = {"\t": "<w:tab/>", "\n": "<w:br/>", "\f": '<w:br w:type="page"/>'}
_RTL_SCRIPTS = (Script.ARABIC, Script.HEBREW)

# A run's formatting: (bold, italic, character style id, superscript).
Fmt = tuple[bool, bool, str, bool]
PLAIN: Fmt = (False, False, "", False)


class Ids:
    """Document-wide counters: bookmark ids, drawing ids, bookmark names."""

    def __init__(self) -> None:
        self._bookmark = 0
        self._drawing = 0
        self.bookmarks: set[str] = set()

    def bookmark(self) -> int:
        self._bookmark += 1
        return self._bookmark

    def drawing(self) -> int:
        self._drawing += 1
        return self._drawing


@dataclass
class Notes:
    """Footnotes gathered while writing the body (FOOTNOTES citation style).

    A source gets one real footnote, at its first citation. Compose numbers
    sources in order of first citation, so Word's automatic footnote numbers
    equal the source numbers without custom marks (which LibreOffice draws
    twice). Later citations of the same source are NOTEREF fields that show
    the same number and jump to the note.
    """

    first_id: int
    items: list[tuple[int, int]] = field(default_factory=list)  # (footnote id, source n)
    by_source: dict[int, int] = field(default_factory=dict)  # source n -> footnote id
    custom: set[int] = field(default_factory=set)  # sources whose note needs a custom mark

    def add(self, n: int) -> tuple[int, bool]:
        """The footnote id for source `n`, and whether this is its first citation."""
        if n in self.by_source:
            return self.by_source[n], False
        note_id = self.first_id + len(self.items)
        self.items.append((note_id, n))
        self.by_source[n] = note_id
        if n != len(self.items):
            # Only a hand-built document cites out of order; keep the numbers
            # right with a custom mark (LibreOffice draws it twice, Word once).
            self.custom.add(n)
        return note_id, True


def note_bookmark(n: int) -> str:
    """The hidden bookmark around source n's footnote mark (NOTEREF target)."""
    return f"_RefSource{n}"


class SpanWriter:
    """Inline spans to runs for one story part."""

    def __init__(
        self,
        document: Document,
        sheet: StyleSheet,
        links: PartLinks,
        ids: Ids,
        notes: Notes | None = None,
        east_asian_lang: str = "",
    ) -> None:
        self.document = document
        self.sheet = sheet
        self.links = links
        self.ids = ids
        self.notes = notes
        self._lang = east_asian_lang
        self._rpr_cache: dict[tuple[Fmt, Script, int], str] = {}
        # A font size for every run, in half-points (a shrunk table's); 0: the style's.
        self.size = 0
        self._hyperlink = sheet.id(S.HYPERLINK)
        self._code = sheet.id(S.INLINE_CODE)
        self._note_ref = sheet.id(S.FOOTNOTE_REFERENCE)
        self._cite_mode = document.style.citations
        self._in_link = False

    # -- runs ---------------------------------------------------------------

    def rpr(self, fmt: Fmt, script: Script = Script.LATIN) -> str:
        key = (fmt, script, self.size)
        cached = self._rpr_cache.get(key)
        if cached is not None:
            return cached
        bold, italic, char_style, superscript = fmt
        parts: list[str] = []
        if char_style:
            parts.append(f'<w:rStyle w:val="{attr(char_style)}"/>')
        if script is Script.CJK:
            parts.append(f'<w:rFonts w:eastAsia="{CJK_FONT}" w:hint="eastAsia"/>')
        if bold:
            parts.append("<w:b/><w:bCs/>")
        if italic:
            parts.append("<w:i/><w:iCs/>")
        if self.size:
            parts.append(f'<w:sz w:val="{self.size}"/><w:szCs w:val="{self.size}"/>')
        if superscript:
            parts.append('<w:vertAlign w:val="superscript"/>')
        if script in _RTL_SCRIPTS:
            parts.append("<w:rtl/>")
        if script is Script.CJK and self._lang:
            parts.append(f'<w:lang w:eastAsia="{attr(self._lang)}"/>')
        result = f"<w:rPr>{''.join(parts)}</w:rPr>" if parts else ""
        self._rpr_cache[key] = result
        return result

    def text(self, out: list[str], text: str, fmt: Fmt = PLAIN) -> None:
        """Append runs for `text` (any string; cleaned here)."""
        text = clean_text(text)
        if not text:
            return
        if text.isascii() and text.isprintable():
            out.append(f'<w:r>{self.rpr(fmt)}<w:t xml:space="preserve">{esc(text)}</w:t></w:r>')
            return
        for script, chunk in split_scripts(text):
            out.append(f"<w:r>{self.rpr(fmt, script)}{_content(chunk)}</w:r>")

    def spans(self, out: list[str], spans: tuple[Span, ...], fmt: Fmt = PLAIN) -> None:
        previous: Span | None = None
        for span in spans:
            kind = type(span)
            if kind is Citation and previous is not None and type(previous) is not LineBreak:
                self._glue(out, previous, span)
            previous = span
            if kind is Text:
                self.text(out, span.text, fmt)
            elif kind is Strong:
                self.spans(out, span.children, (True, fmt[1], fmt[2], fmt[3]))
            elif kind is Emphasis:
                self.spans(out, span.children, (fmt[0], True, fmt[2], fmt[3]))
            elif kind is Code:
                self.text(out, span.text, (fmt[0], fmt[1], fmt[2] or self._code, fmt[3]))
            elif kind is Link:
                self._link(out, span, fmt)
            elif kind is Citation:
                self._citation(out, span, fmt)
            elif kind is LineBreak:
                out.append(f"<w:r>{self.rpr(PLAIN)}<w:br/></w:r>")

    def _glue(self, out: list[str], previous: Span, citation: Citation) -> None:
        """What goes between a citation marker and the text or marker before
        it: a WORD JOINER, so Word and LibreOffice never start a line with
        the marker (they may break before `[` after `)`, `.` or `]`), and
        between two footnote numbers a superscript comma, so 1 and 2 do not
        read as 12."""
        if (
            self._cite_mode is CitationStyle.FOOTNOTES
            and self.notes is not None
            and type(previous) is Citation
            and previous.n > 0
            and citation.n > 0
            and not self._in_link
        ):
            style = f'<w:rPr><w:rStyle w:val="{attr(self._note_ref)}"/></w:rPr>'
            out.append(f"<w:r>{style}<w:t>{WORD_JOINER},{WORD_JOINER}</w:t></w:r>")
            return
        # Sized as the text around it: a joiner at the style's size would
        # make the line of a shrunk table's cell taller.
        out.append(f"<w:r>{self.rpr(PLAIN)}<w:t>{WORD_JOINER}</w:t></w:r>")

    def _link(self, out: list[str], span: Link, fmt: Fmt) -> None:
        href = clean_text(span.href).strip()
        if self._in_link or not is_safe_url(href):
            self.spans(out, span.children, fmt)
            return
        rel_id = self.links.hyperlink(href)
        out.append(f'<w:hyperlink r:id="{attr(rel_id)}" w:history="1">')
        self._in_link = True
        try:
            self.spans(out, span.children, (fmt[0], fmt[1], self._hyperlink, fmt[3]))
        finally:
            self._in_link = False
        out.append("</w:hyperlink>")

    def _citation(self, out: list[str], span: Citation, fmt: Fmt) -> None:
        label = f"[{citation_label(span)}]"
        if span.n <= 0:
            self.text(out, label, fmt)
            return
        sup: Fmt = (fmt[0], fmt[1], fmt[2], True)
        source = self.document.source(span.n)
        if source is None or self._in_link:
            self.text(out, label, sup)
            return
        if self._cite_mode is CitationStyle.FOOTNOTES:
            if self.notes is None:  # inside a footnote or a header
                self.text(out, label, sup)
                return
            note_id, first = self.notes.add(span.n)
            style = f'<w:rPr><w:rStyle w:val="{attr(self._note_ref)}"/></w:rPr>'
            name = note_bookmark(span.n)
            if first:
                number = self.ids.bookmark()
                reference = (
                    f'<w:footnoteReference w:customMarkFollows="1" w:id="{note_id}"/>'
                    f"<w:t>{span.n}</w:t>"
                    if span.n in self.notes.custom
                    else f'<w:footnoteReference w:id="{note_id}"/>'
                )
                out.append(
                    f'<w:bookmarkStart w:id="{number}" w:name="{name}"/>'
                    f"<w:r>{style}{reference}</w:r>"
                    f'<w:bookmarkEnd w:id="{number}"/>'
                )
            else:
                instruction = f" NOTEREF {name} \\f \\h "
                out.append(
                    f'<w:r>{style}<w:fldChar w:fldCharType="begin"/></w:r>'
                    f"<w:r>{style}"
                    f'<w:instrText xml:space="preserve">{instruction}</w:instrText></w:r>'
                    f'<w:r>{style}<w:fldChar w:fldCharType="separate"/></w:r>'
                    f"<w:r>{style}<w:t>{span.n}</w:t></w:r>"
                    f'<w:r>{style}<w:fldChar w:fldCharType="end"/></w:r>'
                )
            return
        out.append(f'<w:hyperlink w:anchor="source-{span.n}" w:history="1">')
        self.text(out, label, sup)
        out.append("</w:hyperlink>")

    # -- paragraphs ---------------------------------------------------------

    def paragraph(
        self,
        out: list[str],
        style_id: str,
        spans: tuple[Span, ...],
        *,
        ppr: str = "",
        before: str = "",
        after: str = "",
        fmt: Fmt = PLAIN,
    ) -> None:
        """A whole `w:p`: style, extra pPr children (already in schema order,
        after numPr), optional leading/trailing XML around the spans."""
        body: list[str] = []
        self.spans(body, spans, fmt)
        bidi = "<w:bidi/>" if _is_rtl_spans(spans) else ""
        out.append(
            f'<w:p><w:pPr><w:pStyle w:val="{attr(style_id)}"/>{ppr}{bidi}</w:pPr>'
            f"{before}{''.join(body)}{after}</w:p>"
        )

    def bookmark(self, name: str) -> tuple[str, str]:
        """Start and end XML for a bookmark, or empty strings for a repeat name."""
        name = clean_text(name)
        if not name or name in self.ids.bookmarks:
            return "", ""
        self.ids.bookmarks.add(name)
        number = self.ids.bookmark()
        return (
            f'<w:bookmarkStart w:id="{number}" w:name="{attr(name)}"/>',
            f'<w:bookmarkEnd w:id="{number}"/>',
        )


def _content(text: str) -> str:
    """Run content for text that may hold tab, newline or form feed."""
    if "\t" not in text and "\n" not in text and "\f" not in text:
        return f'<w:t xml:space="preserve">{esc(text)}</w:t>'
    parts: list[str] = []
    for piece in _SPECIAL.split(text):
        if not piece:
            continue
        special = _SPECIAL_XML.get(piece)
        parts.append(special or f'<w:t xml:space="preserve">{esc(piece)}</w:t>')
    return "".join(parts)


def _is_rtl_spans(spans: tuple[Span, ...]) -> bool:
    for span in spans:
        if type(span) is Text and span.text.isascii():
            # An ASCII letter first decides: left to right.
            if any(ch.isalpha() for ch in span.text):
                return False
            continue
        text = plain_text(spans)
        return is_rtl(text)
    return False


@dataclass(frozen=True)
class Geometry:
    """The space blocks may fill, in EMU."""

    text_width: int
    text_height: int


class BodyWriter:
    """Blocks to body XML."""

    def __init__(
        self,
        spans: SpanWriter,
        numbering: Numbering,
        geometry: Geometry,
        warnings: WarningLog,
    ) -> None:
        self.w = spans
        self.sheet = spans.sheet
        self.document = spans.document
        self.numbering = numbering
        self.geometry = geometry
        self.warnings = warnings
        self._sid = {key: self.sheet.id(key) for key in S}
        self._body = metrics(self.document.style)[Kind.BODY]
        self._bullet_nums: dict[int, int] = {}
        self._dispatch: dict[type, Callable[[list[str], Any, str], None]] = {
            Title: self._title,
            Subtitle: self._subtitle,
            Heading: self._heading,
            Paragraph: self._paragraph,
            BulletList: self._list_block,
            OrderedList: self._list_block,
            ListItem: self._list_item_alone,
            Quote: self._quote,
            CodeBlock: self._code,
            Table: self._table,
            Image: self._image,
            HorizontalRule: self._rule,
            PageBreak: self._page_break,
            Contents: self._contents,
            SourcesList: self._sources_list,
            SourceLine: self._source_line,
        }

    def write(
        self,
        blocks: list[Any] | tuple[Any, ...],
        progress: ProgressCallback | None = None,
        total: int = 0,
    ) -> str:
        """The body XML of `blocks`, reporting each top-level block to
        `progress` as it starts, as a step of `total` (the blocks' count
        unless the caller counts steps of its own after them)."""
        out: list[str] = []
        style = self._sid[S.NORMAL]
        count = len(blocks)
        total = max(total, count)
        for index, block in enumerate(blocks):
            report(progress, index, total, f"Writing block {index + 1} of {count}")
            self.blocks(out, (block,), style)
        return "".join(out)

    def blocks(self, out: list[str], blocks: Any, para_style: str) -> None:
        for block in blocks:
            handler = self._dispatch.get(type(block))
            if handler is None:
                self.warnings.warn(f"DOCX: skipped an unknown block ({type(block).__name__})")
                continue
            handler(out, block, para_style)

    # -- simple blocks --------------------------------------------------------

    def _title(self, out: list[str], block: Title, _: str) -> None:
        self.w.paragraph(out, self._sid[S.TITLE], block.spans)

    def _subtitle(self, out: list[str], block: Subtitle, _: str) -> None:
        self.w.paragraph(out, self._sid[S.SUBTITLE], block.spans)

    def _heading(self, out: list[str], block: Heading, _: str) -> None:
        level = min(max(block.level, 1), 3)
        start, end = self.w.bookmark(block.anchor) if block.anchor else ("", "")
        self.w.paragraph(out, self._sid[HEADINGS[level - 1]], block.spans, before=start, after=end)

    def _paragraph(self, out: list[str], block: Paragraph, style_id: str, ppr: str = "") -> None:
        before = ""
        if block.lead_in:
            lead: list[str] = []
            self.w.text(lead, block.lead_in, (False, False, self._sid[S.LEAD_IN], False))
            self.w.text(lead, " ")
            before = "".join(lead)
        self.w.paragraph(out, style_id, block.spans, ppr=ppr, before=before)

    def _quote(self, out: list[str], block: Quote, _: str) -> None:
        self.blocks(out, block.blocks, self._sid[S.QUOTE])

    def _code(self, out: list[str], block: CodeBlock, _: str) -> None:
        text = block.text[:-1] if block.text.endswith("\n") else block.text
        runs: list[str] = []
        self.w.text(runs, text)
        out.append(
            f'<w:p><w:pPr><w:pStyle w:val="{attr(self._sid[S.CODE])}"/></w:pPr>'
            f"{''.join(runs)}</w:p>"
        )

    def _rule(self, out: list[str], _block: HorizontalRule, _: str) -> None:
        out.append(
            f'<w:p><w:pPr><w:pStyle w:val="{attr(self._sid[S.NORMAL])}"/>'
            '<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="auto"/></w:pBdr>'
            "</w:pPr></w:p>"
        )

    def _page_break(self, out: list[str], _block: PageBreak, _: str) -> None:
        out.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')

    # -- lists ----------------------------------------------------------------

    def _list_block(self, out: list[str], block: BulletList | OrderedList, _: str) -> None:
        self._list(out, block, 1)

    def _list_item_alone(self, out: list[str], block: ListItem, para_style: str) -> None:
        # A ListItem outside a list should not happen; show it as a bullet.
        self._list(out, BulletList((block,)), 1)

    def _list(self, out: list[str], block: BulletList | OrderedList, depth: int) -> None:
        level = min(depth, 3)
        ordered = isinstance(block, OrderedList)
        key = (NUMBERS if ordered else BULLETS)[level - 1]
        look = self.sheet.list_look(key)
        if ordered:
            num_id = self.numbering.new_num(look.abstract_id, start=block.start, ilvl=look.ilvl)
            num_pr = _num_pr(num_id, look.ilvl)
        elif look.num_id is None:
            if level not in self._bullet_nums:
                self._bullet_nums[level] = self.numbering.new_num(look.abstract_id)
            num_pr = _num_pr(self._bullet_nums[level], 0)
        else:
            num_pr = ""
        item_style = self._sid[key]
        continue_style = self._sid[CONTINUES[level - 1]]
        for item in block.items:
            numbered = False
            for child in item.blocks:
                if not numbered and type(child) is Paragraph:
                    self._paragraph(out, child, item_style, num_pr)
                    numbered = True
                    continue
                if not numbered:
                    self._empty(out, item_style, num_pr)
                    numbered = True
                if isinstance(child, (BulletList, OrderedList)):
                    self._list(out, child, depth + 1)
                else:
                    self.blocks(out, (child,), continue_style)
            if not numbered:
                self._empty(out, item_style, num_pr)

    @staticmethod
    def _empty(out: list[str], style_id: str, ppr: str) -> None:
        out.append(f'<w:p><w:pPr><w:pStyle w:val="{attr(style_id)}"/>{ppr}</w:pPr></w:p>')

    # -- tables ---------------------------------------------------------------

    def _table(self, out: list[str], block: Table, _: str) -> None:
        columns = max([len(block.header), *(len(row) for row in block.rows), 1])
        width = max(1, self.geometry.text_width // EMU_PER_TWIP)
        rows_text = [[plain_text(cell) for cell in row] for row in (block.header, *block.rows)]
        cell = metrics(self.document.style)[Kind.TABLE_CELL]
        plan = plan_table(rows_text, width / 20, cell)
        parts = plan.parts or (TablePart(tuple(range(columns)), (width / 20,) * columns),)
        shrunk = plan.size < cell.size
        if shrunk:
            self.w.size = half_points(plan.size)
        try:
            for part in parts:
                self._table_part(out, block, part, plan, shrunk)
        finally:
            self.w.size = 0

    def _table_part(
        self, out: list[str], block: Table, part: TablePart, plan: TablePlan, shrunk: bool
    ) -> None:
        """One table of `part`'s columns, as `plan` sets them."""
        cols = [max(1, twips(w)) for w in part.widths]
        aligns = [a if a in _JC else "" for a in block.align]
        cell_style = attr(self._sid[S.TABLE_TEXT])
        padding = twips(plan.padding)
        # The border on the margin: the table is indented by its cells' left
        # margin, the plan's when shrunk, else its table style's.
        house = self.sheet.table_padding
        indent = padding if shrunk or house is None else twips(house)
        # Only a header row takes the table style's first-row look (shading).
        look = "0420" if block.header else "0400"
        # A shrunk table is set at exactly the planned widths, with its
        # padding shrunk too; Word would otherwise widen columns to fit
        # their words, past the margin.
        layout = (
            '<w:tblLayout w:type="fixed"/><w:tblCellMar>'
            f'<w:left w:w="{padding}" w:type="dxa"/><w:right w:w="{padding}" w:type="dxa"/>'
            "</w:tblCellMar>"
            if shrunk
            else ""
        )
        out.append(
            f'<w:tbl><w:tblPr><w:tblStyle w:val="{attr(self._sid[S.TABLE])}"/>'
            f'<w:tblW w:w="{sum(cols)}" w:type="dxa"/>'
            # The border on the margin, as in the PDF (Word would otherwise
            # put the cell text there and the border out in the margin).
            f'<w:tblInd w:w="{indent}" w:type="dxa"/>{layout}'
            f'<w:tblLook w:val="{look}" w:firstRow="{int(bool(block.header))}" w:lastRow="0" '
            'w:firstColumn="0" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>'
        )
        out.append("".join(f'<w:gridCol w:w="{col}"/>' for col in cols))
        out.append("</w:tblGrid>")
        tc_prs = [f'<w:tcPr><w:tcW w:w="{col}" w:type="dxa"/></w:tcPr>' for col in cols]
        # A shrunk table's lines are spaced for its size, and an empty
        # cell is as high as a line of it.
        spacing = (
            f'<w:spacing w:line="{twips(plan.leading)}" w:lineRule="atLeast"/>' if shrunk else ""
        )
        mark = self.w.rpr(PLAIN) if shrunk else ""
        bold: Fmt = (True, False, "", False)
        rows = ((block.header, True),) if block.header else ()
        for cells, header in (*rows, *((row, False) for row in block.rows)):
            out.append("<w:tr><w:trPr><w:tblHeader/></w:trPr>" if header else "<w:tr>")
            for index, column in enumerate(part.columns):
                spans = cells[column] if column < len(cells) else ()
                jc = aligns[column] if column < len(aligns) else ""
                runs: list[str] = []
                self.w.spans(runs, spans, bold if header else PLAIN)
                bidi = "<w:bidi/>" if _is_rtl_spans(spans) else ""
                jc_xml = f'<w:jc w:val="{jc}"/>' if jc else ""
                out.append(
                    f"<w:tc>{tc_prs[index]}<w:p><w:pPr>"
                    f'<w:pStyle w:val="{cell_style}"/>{bidi}{spacing}{jc_xml}{mark}'
                    f"</w:pPr>{''.join(runs)}</w:p></w:tc>"
                )
            out.append("</w:tr>")
        out.append("</w:tbl>")
        # Two tables in a row would merge in Word; an empty paragraph keeps
        # them apart. It is a point high, and with the space after it that
        # makes the room the PDF leaves after a table (a paragraph's).
        gap = twips(max(0.0, self._body.after - 1.0))
        out.append(
            f'<w:p><w:pPr><w:pStyle w:val="{attr(self._sid[S.NORMAL])}"/>'
            f'<w:spacing w:before="0" w:after="{gap}" w:line="20" w:lineRule="exact"/>'
            '<w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr></w:pPr></w:p>'
        )

    # -- images ---------------------------------------------------------------

    def _image(self, out: list[str], block: Image, para_style: str) -> None:
        drawing = self._drawing(block)
        if drawing is None:
            italic: Fmt = (False, True, "", False)
            self.w.paragraph(out, para_style, (Text(image_label(block)),), fmt=italic)
            return
        out.append(
            f'<w:p><w:pPr><w:pStyle w:val="{attr(para_style)}"/><w:keepNext/>'
            f'<w:jc w:val="center"/></w:pPr><w:r>{drawing}</w:r></w:p>'
        )
        if block.alt:
            self.w.paragraph(out, self._sid[S.CAPTION], (Text(block.alt),))

    def _drawing(self, block: Image) -> str | None:
        if block.path is None:
            return None  # compose refused or could not find the file and said why
        if not self.w.links.can_hold_images:
            self.warnings.warn(
                f"image {block.src!r} cannot be placed in this part; shown as {image_label(block)}"
            )
            return None
        placed, problem = self.w.links.picture(Path(block.path))
        if placed is None:
            self.warnings.warn(image_warning(block, problem))
            return None
        rel_id, image = placed
        return drawing_xml(
            rel_id,
            int(image.width),
            int(image.height),
            self.geometry,
            self.w.ids.drawing(),
            Path(block.path).name,
            block.alt,
        )

    # -- contents and sources -------------------------------------------------

    def _contents(self, out: list[str], block: Contents, _: str) -> None:
        self.w.paragraph(out, self._sid[S.TOC_HEADING], (Text(block.title),))
        link_fmt: Fmt = (False, False, self._sid[S.CONTENTS_LINK], False)
        last = len(block.entries) - 1
        for index, entry in enumerate(block.entries):
            style_id = self._sid[TOCS[min(max(entry.level, 1), 3) - 1]]
            # The list ends with a gap, as a paragraph does, so the text after
            # it does not run straight on (TOC styles have no space after).
            gap = '<w:spacing w:after="200"/>' if index == last else ""
            runs: list[str] = []
            self.w.text(runs, entry.text, link_fmt)
            anchor = attr(clean_text(entry.anchor))
            bidi = "<w:bidi/>" if is_rtl(entry.text) else ""
            out.append(
                f'<w:p><w:pPr><w:pStyle w:val="{attr(style_id)}"/>{bidi}{gap}</w:pPr>'
                f'<w:hyperlink w:anchor="{anchor}" w:history="1">{"".join(runs)}'
                "</w:hyperlink></w:p>"
            )

    def _sources_list(self, out: list[str], block: SourcesList, _: str) -> None:
        # A heading at the level of the sections' own headings.
        level = min(max(int(self.document.style.section_heading_level), 1), 2)
        self.w.paragraph(out, self._sid[HEADINGS[level - 1]], (Text(block.title),))
        last = len(block.entries) - 1
        for index, entry in enumerate(block.entries):
            start, end = self.w.bookmark(f"source-{entry.n}")
            number: list[str] = []
            self.w.text(number, f"{entry.n}. ")
            self.w.paragraph(
                out,
                self._sid[S.BIBLIOGRAPHY],
                entry.spans,
                # The list stays on one page when it fits there.
                ppr="<w:keepNext/>" if index < last else "",
                before=start + "".join(number),
                after=end,
            )

    def _source_line(self, out: list[str], block: SourceLine, _: str) -> None:
        runs: list[str] = []
        self.w.text(runs, block.label, (True, False, "", False))
        for index, entry in enumerate(block.entries):
            self.w.text(runs, " " if index == 0 else "; ")
            self._source_entry(runs, entry)
        out.append(
            f'<w:p><w:pPr><w:pStyle w:val="{attr(self._sid[S.SOURCE_LINE])}"/></w:pPr>'
            f"{''.join(runs)}</w:p>"
        )

    def _source_entry(self, runs: list[str], entry: SourceEntry) -> None:
        start, end = self.w.bookmark(f"source-{entry.n}")
        runs.append(start)
        # `_link` writes the name as plain text when the URL is not safe.
        self.w.spans(runs, (Link(entry.url, (Text(entry.name),)),))
        if entry.cited:
            self.w.text(runs, f" [{entry.n}]")
        runs.append(end)


_JC = ("left", "center", "right")  # `Table.align` values Word's w:jc takes as they are


def _num_pr(num_id: int, ilvl: int) -> str:
    return f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'


def drawing_xml(
    rel_id: str, cx: int, cy: int, geometry: Geometry, shape_id: int, name: str, alt: str
) -> str:
    """A `w:drawing` with an inline picture, scaled down to fit the text area."""
    cx, cy = max(cx, 1), max(cy, 1)
    scale = min(1.0, geometry.text_width / cx, geometry.text_height / cy)
    cx, cy = max(1, int(cx * scale)), max(1, int(cy * scale))
    name = attr(clean_text(name))
    descr = attr(clean_text(alt))
    return (
        '<w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{shape_id}" name="Picture {shape_id}" '
        f'descr="{descr}"/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/>'
        "</wp:cNvGraphicFramePr><a:graphic><a:graphicData "
        'uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>'
        f'<pic:nvPicPr><pic:cNvPr id="0" name="{name}"/><pic:cNvPicPr/></pic:nvPicPr>'
        f'<pic:blipFill><a:blip r:embed="{attr(rel_id)}"/><a:stretch><a:fillRect/></a:stretch>'
        '</pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/>'
        f'<a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
        "</a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing>"
    )
