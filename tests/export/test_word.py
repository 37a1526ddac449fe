"""The DOCX exporter: styles, blocks, spans, parts, and hostile input.

Documents are built by hand (no Markdown, no compose) so each test says
exactly what goes in. Output is checked two ways: reopened with python-docx
(style names and text, what a Word user sees) and read as XML (hyperlinks,
fields, footnotes, bookmarks, which python-docx does not expose).

Reference files: `test_reference_parts` unzips two rich exports (fixed
creation date, `deterministic=True`), pretty-prints their XML parts and
compares them with `tests/reference/docx/<case>/<part path>`
(`word/styles-managed.xml` holds only the styles the exporter writes). After an intended
change to the output, regenerate them and review the diff:

    BRIEFER_UPDATE_REFERENCE=1 .venv/bin/pytest tests/export/test_word.py -k reference
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import re
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from render_helpers import render_warned

from briefer.document import (
    BulletList,
    Citation,
    Code,
    CodeBlock,
    Contents,
    ContentsEntry,
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
)
from briefer.errors import ExportError
from briefer.export import exporter_for
from briefer.export.word import WordExporter
from briefer.export.word_styles import S
from briefer.model import CitationStyle, Meta, PageSize, Style

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "docx"
REFERENCE = REPO / "tests" / "reference" / "docx"
UPDATE_REFERENCE = os.environ.get("BRIEFER_UPDATE_REFERENCE", "") not in ("", "0")
CREATED = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1]}

# --------------------------------------------------------------------------
# Building documents
# --------------------------------------------------------------------------


def t(text: str) -> tuple[Span, ...]:
    return (Text(text),)


def para(*spans: str | Span, lead_in: str = "") -> Paragraph:
    return Paragraph(tuple(Text(s) if isinstance(s, str) else s for s in spans), lead_in=lead_in)


def item(*blocks: str | object) -> ListItem:
    return ListItem(tuple(para(b) if isinstance(b, str) else b for b in blocks))


def sources() -> list[SourceEntry]:
    return [
        SourceEntry(
            1,
            "reuters-1",
            "Reuters",
            "Ports reopen",
            "https://example.com/r1",
            (
                Text("Reuters, "),
                Emphasis(t("Ports reopen")),
                Text(", 20 Nov 2026. "),
                Link("https://example.com/r1", t("example.com/r1")),
            ),
        ),
        SourceEntry(
            2, "ap-2", "AP", "Talks stall", "javascript:alert(1)", t("AP, Talks stall, 2026.")
        ),
    ]


def make_document(
    blocks: list,
    *,
    style: Style | None = None,
    citations: CitationStyle = CitationStyle.ENDNOTES,
    meta: Meta | None = None,
) -> Document:
    return Document(
        meta=meta
        or Meta(
            title="Harbour strike",
            subtitle="What the week means",
            author="A. Analyst",
            date="2026-11-22",
            classification="INTERNAL",
            keywords=["ports", "labour"],
        ),
        style=dataclasses.replace(style or Style(), citations=citations),
        blocks=blocks,
        sources=sources(),
        created=CREATED,
        deterministic=True,
    )


def rich_blocks(citations: CitationStyle) -> list:
    deep = BulletList((item("third level", BulletList((item("fourth level clamps"),))),))
    blocks: list = [
        Title(t("Harbour strike")),
        Subtitle(t("What the week means")),
        Contents(
            "In this article",
            (
                ContentsEntry(1, "What Happened?", "what-happened"),
                ContentsEntry(2, "Detail", "detail"),
            ),
        ),
        BulletList(
            (
                item(para("Ports shut ", Strong(t("three days")), Citation("reuters-1", 1), ".")),
                item(
                    para("Talks stalled", Citation("ap-2", 2)),
                    BulletList((item("nested bullet", deep),)),
                    "A second paragraph in the item.",
                ),
            )
        ),
        Heading(1, t("What Happened?"), "what-happened"),
        para(
            "Plain, ",
            Strong(t("bold")),
            ", ",
            Emphasis(t("italic")),
            ", ",
            Code("code()"),
            ", a ",
            Link("https://example.org/?a=1&b=<2>", t("safe link")),
            ", an ",
            Link("javascript:alert(1)", t("unsafe link")),
            ", a ",
            Link("file:///etc/passwd", t("file link")),
            LineBreak(),
            "after break\ttab",
            Citation("nope", 0),
            " end.",
        ),
        para("The strike began on Monday.", lead_in="Bottom line:"),
        Heading(2, t("Detail"), "detail"),
        OrderedList((item("first"), item("second", OrderedList((item("nested one"),)))), start=3),
        OrderedList((item("restarted one"), item("restarted two"))),
        Quote((para("A quoted paragraph", Citation("reuters-1", 1)),)),
        CodeBlock("def f(x):\n\treturn x  # tab kept\n    indented\n"),
        Table(
            (t("Port"), t("Days"), t("Cost")),
            ((t("Rotterdam"), t("3"), t("120")), (t("Antwerp"), t("2"), t("75"))),
            ("left", "center", "right"),
        ),
        Image("chart.png", "A chart", DATA / "chart.png"),
        Image("missing.png", "Missing chart", None),
        HorizontalRule(),
        Heading(3, t("Scripts")),
        para("مرحبا بالعالم، هذا نص عربي."),
        para("中文文本：港口罢工。"),
        para("Emoji 😀👍🏽 and ctrl\x00\x07 chars, lone \ud800 surrogate."),
        Heading(7, t("Level seven clamps")),
        PageBreak(),
    ]
    if citations is CitationStyle.ENDNOTES:
        blocks.append(SourcesList("Sources", tuple(sources())))
    elif citations is CitationStyle.SOURCE_LINE:
        blocks.append(SourceLine("Source:", tuple(sources())))
    return blocks


def rich_document(citations: CitationStyle = CitationStyle.ENDNOTES, **style_args) -> Document:
    style = Style(
        header="{classification} · {title}",
        footer="{title} · {date} · Page {page} of {pages}",
        banner=True,
        citations=citations,
        logo=DATA / "logo.png",
        **style_args,
    )
    return make_document(rich_blocks(citations), style=style, citations=citations)


# --------------------------------------------------------------------------
# Reading the result
# --------------------------------------------------------------------------


def export(document: Document) -> bytes:
    return render_warned(WordExporter(), document)[0]


def reopen(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name).decode("utf-8")


def part_names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


def body(data: bytes) -> etree._Element:
    return etree.fromstring(part(data, "word/document.xml").encode())


def visible(text: str) -> str:
    """What a reader sees of a paragraph's text: the WORD JOINER that glues
    a citation marker to its word has no width."""
    return text.replace("\u2060", "")


def styled(document: docx.document.Document) -> list[tuple[str, str]]:
    return [(p.style.name, visible(p.text)) for p in document.paragraphs]


def style_of(document: docx.document.Document, text: str) -> str:
    """The style of the last paragraph reading `text` (contents entries come first)."""
    for paragraph in reversed(document.paragraphs):
        if visible(paragraph.text) == text:
            return paragraph.style.name
    raise AssertionError(f"no paragraph {text!r} in {styled(document)}")


# --------------------------------------------------------------------------
# The registry and the exporter's contract
# --------------------------------------------------------------------------


def test_registry_finds_the_word_exporter() -> None:
    exporter = exporter_for("docx")
    assert isinstance(exporter, WordExporter)
    assert (WordExporter.NAME, WordExporter.EXTENSION) == ("docx", ".docx")


def test_deterministic_exports_are_identical() -> None:
    assert export(rich_document()) == export(rich_document())


# --------------------------------------------------------------------------
# Blocks
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rich_endnotes() -> tuple[Document, bytes]:
    document = rich_document(CitationStyle.ENDNOTES)
    return document, export(document)


def test_block_styles(rich_endnotes: tuple[Document, bytes]) -> None:
    _, data = rich_endnotes
    out = reopen(data)
    assert style_of(out, "Harbour strike") == "Title"
    assert style_of(out, "What the week means") == "Subtitle"
    assert style_of(out, "What Happened?") == "Heading 1"
    assert style_of(out, "Detail") == "Heading 2"
    assert style_of(out, "Scripts") == "Heading 3"
    assert style_of(out, "Level seven clamps") == "Heading 3"
    assert style_of(out, "In this article") == "TOC Heading"
    assert style_of(out, "Ports shut three days[1].") == "List Bullet"
    assert style_of(out, "nested bullet") == "List Bullet 2"
    assert style_of(out, "third level") == "List Bullet 3"
    assert style_of(out, "fourth level clamps") == "List Bullet 3"
    assert style_of(out, "A second paragraph in the item.") == "List Continue"
    assert style_of(out, "first") == "List Number"
    assert style_of(out, "nested one") == "List Number 2"
    assert style_of(out, "A quoted paragraph[1]") == "Quote"
    assert style_of(out, "Bottom line: The strike began on Monday.") == "Normal"
    assert style_of(out, "A chart") == "Caption"
    assert style_of(out, "[image: Missing chart]") == "Normal"
    assert style_of(out, "Sources") == "Heading 1"
    assert style_of(out, "1. Reuters, Ports reopen, 20 Nov 2026. example.com/r1") == "Bibliography"
    code = [p for p in out.paragraphs if p.style.name == "Code"]
    assert len(code) == 1


def test_every_needed_style_exists_by_name(rich_endnotes: tuple[Document, bytes]) -> None:
    _, data = rich_endnotes
    names = {s.name.lower() for s in reopen(data).styles}
    for name in (
        "Title",
        "Subtitle",
        "Heading 1",
        "Heading 2",
        "Heading 3",
        "Normal",
        "List Bullet",
        "List Bullet 2",
        "List Bullet 3",
        "List Number",
        "List Number 2",
        "List Number 3",
        "List Continue",
        "Quote",
        "Caption",
        "Hyperlink",
        "Footnote Text",
        "Footnote Reference",
        "Source Line",
        "Code",
        "Table Grid",
    ):
        assert name.lower() in names, name


def test_template_style_shapes_the_styles_without_a_reference() -> None:
    style = Style(
        body_font="Liberation Serif",
        heading_font="Liberation Sans",
        body_size_pt=11,
        accent="#123456",
        page_size=PageSize.LETTER,
        margins_mm=(25, 20, 25, 20),
    )
    out = reopen(export(make_document([Heading(1, t("H"))], style=style)))
    heading = out.styles["Heading 1"]
    assert heading.font.name == "Liberation Sans"
    assert str(heading.font.color.rgb) == "123456"
    assert out.styles["Normal"].font.name == "Liberation Serif"
    assert out.styles["Normal"].font.size.pt == 11
    section = out.sections[0]
    assert round(section.page_width.mm, 1) == 215.9
    assert round(section.left_margin.mm) == 20


def test_ordered_lists_restart_at_their_start(rich_endnotes: tuple[Document, bytes]) -> None:
    _, data = rich_endnotes
    root = body(data)
    num_ids = {}
    for p in root.iter(f"{W}p"):
        text = "".join(p.itertext())
        num = p.find(f"{W}pPr/{W}numPr/{W}numId")
        if text in ("first", "second", "restarted one", "restarted two", "nested one"):
            num_ids[text] = num.get(f"{W}val")
    assert num_ids["first"] == num_ids["second"]
    assert num_ids["restarted one"] == num_ids["restarted two"] != num_ids["first"]
    assert num_ids["nested one"] not in (num_ids["first"], num_ids["restarted one"])
    numbering = etree.fromstring(part(data, "word/numbering.xml").encode())

    def start(num_id: str) -> str:
        num = numbering.find(f"{W}num[@{W}numId='{num_id}']")
        return num.find(f"{W}lvlOverride/{W}startOverride").get(f"{W}val")

    assert start(num_ids["first"]) == "3"
    assert start(num_ids["restarted one"]) == "1"


def test_code_block_keeps_lines_and_tabs(rich_endnotes: tuple[Document, bytes]) -> None:
    _, data = rich_endnotes
    code = next(p for p in reopen(data).paragraphs if p.style.name == "Code")
    assert code.text == "def f(x):\n\treturn x  # tab kept\n    indented"


def test_table_header_repeats_bold_and_aligned(rich_endnotes: tuple[Document, bytes]) -> None:
    _, data = rich_endnotes
    out = reopen(data)
    table = out.tables[0]
    assert table.style.name == "Table Grid"
    assert [c.text for c in table.rows[0].cells] == ["Port", "Days", "Cost"]
    assert [c.text for c in table.rows[2].cells] == ["Antwerp", "2", "75"]
    tbl = body(data).find(f".//{W}tbl")
    rows = tbl.findall(f"{W}tr")
    assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
    assert rows[1].find(f"{W}trPr/{W}tblHeader") is None
    assert all(r.find(f"{W}rPr/{W}b") is not None for r in rows[0].iter(f"{W}r"))
    jcs = [tc.find(f".//{W}jc").get(f"{W}val") for tc in rows[1].findall(f"{W}tc")]
    assert jcs == ["left", "center", "right"]


def test_image_is_embedded_and_fits_the_text_width(rich_endnotes: tuple[Document, bytes]) -> None:
    document, data = rich_endnotes
    assert "word/media/image1.png" in part_names(data)
    out = reopen(data)
    shapes = out.inline_shapes
    section = out.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    assert len(shapes) == 1
    assert 0 < shapes[0].width <= text_width
    # missing.png has no path: compose warned about it, the exporter does not.
    _data, warnings = render_warned(WordExporter(), document)
    assert not any("missing.png" in w for w in warnings)


def test_image_compose_refused_is_not_warned_about_twice() -> None:
    # No path: compose refused the image and has said why already.
    document = make_document([Image("gone.png", "Gone", None)])
    data, warnings = render_warned(WordExporter(), document)
    assert [p.text for p in reopen(data).paragraphs] == ["[image: Gone]"]
    assert not [w for w in warnings if "gone.png" in w]


def test_unreadable_image_becomes_a_placeholder() -> None:
    document = make_document([Image("bad.png", "Bad", DATA / "not-an-image.png")])
    data, warnings = render_warned(WordExporter(), document)
    out = reopen(data)
    assert [p.text for p in out.paragraphs] == ["[image: Bad]"]
    assert out.paragraphs[0].runs[0].italic
    assert any("bad.png" in w for w in warnings)


def test_rule_and_page_break(rich_endnotes: tuple[Document, bytes]) -> None:
    _, data = rich_endnotes
    root = body(data)
    assert root.find(f".//{W}pPr/{W}pBdr/{W}bottom") is not None
    assert root.find(f".//{W}br[@{W}type='page']") is not None


def test_contents_links_to_heading_bookmarks(rich_endnotes: tuple[Document, bytes]) -> None:
    _, data = rich_endnotes
    root = body(data)
    bookmarks = {b.get(f"{W}name") for b in root.iter(f"{W}bookmarkStart")}
    anchors = [h.get(f"{W}anchor") for h in root.iter(f"{W}hyperlink") if h.get(f"{W}anchor")]
    assert {"what-happened", "detail", "source-1", "source-2"} <= bookmarks
    assert anchors[:2] == ["what-happened", "detail"]
    out = reopen(data)
    assert style_of(out, "Detail") == "Heading 2"
    toc = [p.style.name for p in out.paragraphs if p.text in ("What Happened?", "Detail")]
    assert toc[:2] == ["toc 1", "toc 2"]


def test_source_line() -> None:
    document = make_document(
        [para("Text", Citation("reuters-1", 1)), SourceLine("Source:", tuple(sources()))],
        citations=CitationStyle.SOURCE_LINE,
    )
    data = export(document)
    out = reopen(data)
    line = out.paragraphs[-1]
    assert line.style.name == "Source Line"
    assert line.text == "Source: Reuters [1]; AP [2]"
    assert line.runs[0].bold
    xml = part(data, "word/document.xml")
    assert 'w:anchor="source-1"' in xml
    assert 'w:name="source-1"' in xml
    rels = part(data, "word/_rels/document.xml.rels")
    assert "https://example.com/r1" in rels
    assert "javascript" not in rels


# --------------------------------------------------------------------------
# Spans
# --------------------------------------------------------------------------


def test_inline_spans(rich_endnotes: tuple[Document, bytes]) -> None:
    _, data = rich_endnotes
    out = reopen(data)
    p = next(p for p in out.paragraphs if p.text.startswith("Plain"))
    assert visible(p.text) == (
        "Plain, bold, italic, code(), a safe link, an unsafe link, a file link\n"
        "after break\ttab[?nope] end."
    )
    runs = {r.text: r for r in p.runs}
    assert runs["bold"].bold
    assert runs["italic"].italic
    assert runs["code()"].style.name == "Inline Code"
    lead = next(p for p in out.paragraphs if p.text.startswith("Bottom line"))
    assert lead.runs[0].text == "Bottom line:"
    assert lead.runs[0].style.name == "Lead In"


def test_only_safe_links_are_clickable(rich_endnotes: tuple[Document, bytes]) -> None:
    _, data = rich_endnotes
    rels = part(data, "word/_rels/document.xml.rels")
    assert 'Target="https://example.org/?a=1&amp;b=&lt;2&gt;"' in rels
    assert "javascript" not in rels
    assert "file:" not in rels
    out = reopen(data)
    p = next(p for p in out.paragraphs if p.text.startswith("Plain"))
    links = {h.text: h for h in p.hyperlinks}
    assert set(links) == {"safe link"}
    assert links["safe link"].address == "https://example.org/?a=1&b=<2>"
    assert links["safe link"].runs[0].style.name == "Hyperlink"


def test_endnote_citations_link_to_sources(rich_endnotes: tuple[Document, bytes]) -> None:
    _, data = rich_endnotes
    root = body(data)
    cites = [h for h in root.iter(f"{W}hyperlink") if h.get(f"{W}anchor") == "source-1"]
    assert cites
    run = cites[0].find(f"{W}r")
    assert run.find(f"{W}rPr/{W}vertAlign").get(f"{W}val") == "superscript"
    assert "".join(run.itertext()) == "[1]"


def test_footnotes_are_real_word_footnotes() -> None:
    data = export(rich_document(CitationStyle.FOOTNOTES))
    types = part(data, "[Content_Types].xml")
    assert "wordprocessingml.footnotes+xml" in types
    assert "relationships/footnotes" in part(data, "word/_rels/document.xml.rels")
    notes = etree.fromstring(part(data, "word/footnotes.xml").encode())
    kinds = [n.get(f"{W}type") for n in notes.findall(f"{W}footnote")]
    assert kinds[:2] == ["separator", "continuationSeparator"]
    real = [n for n in notes.findall(f"{W}footnote") if n.get(f"{W}type") is None]
    # Three citations: source 1, source 2, source 1 again (from the quote).
    # One note per source, auto-numbered (compose numbers by first use, so
    # Word's numbers are the source numbers); the repeat is a NOTEREF field.
    texts = ["".join(n.itertext()) for n in real]
    assert texts == [
        "Reuters, Ports reopen, 20 Nov 2026. example.com/r1",
        "AP, Talks stall, 2026.",
    ]
    assert all(n.find(f".//{W}footnoteRef") is not None for n in real)
    # A tab after the number, to the hanging indent where the text lines up.
    assert all(n.find(f".//{W}tab") is not None for n in real)
    assert real[0].find(f"{W}p/{W}pPr/{W}pStyle").get(f"{W}val") == "FootnoteText"
    root = body(data)
    refs = list(root.iter(f"{W}footnoteReference"))
    assert [r.get(f"{W}id") for r in refs] == [n.get(f"{W}id") for n in real]
    assert not any(r.get(f"{W}customMarkFollows") for r in refs)
    fields = ["".join(t.itertext()) for t in root.iter(f"{W}instrText")]
    assert " NOTEREF _RefSource1 \\f \\h " in fields
    names = [b.get(f"{W}name") for b in root.iter(f"{W}bookmarkStart")]
    assert {"_RefSource1", "_RefSource2"} <= set(names)
    # The link inside a footnote is related from the footnotes part itself.
    assert "https://example.com/r1" in part(data, "word/_rels/footnotes.xml.rels")
    assert "w:footnotePr" in part(data, "word/settings.xml")


def test_unknown_citation_is_plain_text() -> None:
    out = reopen(export(make_document([para("See", Citation("ghost", 0))])))
    assert visible(out.paragraphs[0].text) == "See[?ghost]"


# --------------------------------------------------------------------------
# Header, footer, properties
# --------------------------------------------------------------------------


def test_header_footer_fields_banner_and_logo(rich_endnotes: tuple[Document, bytes]) -> None:
    _, data = rich_endnotes
    out = reopen(data)
    section = out.sections[0]
    header = [(p.style.name, p.text) for p in section.header.paragraphs]
    footer = [(p.style.name, p.text) for p in section.footer.paragraphs]
    assert header[0] == ("Classification Banner", "INTERNAL")
    assert header[-1] == ("Header", "INTERNAL · Harbour strike")
    assert footer[-1] == ("Classification Banner", "INTERNAL")
    assert footer[0][1] == "Harbour strike · 2026-11-22 · Page 1 of 1"
    # Page 1 has a header of its own: the logo, and no title above the title.
    assert section.different_first_page_header_footer
    first = [(p.style.name, p.text) for p in section.first_page_header.paragraphs]
    assert first[0] == ("Classification Banner", "INTERNAL")
    assert first[-1] == ("Header", "INTERNAL")
    assert [p.text for p in section.first_page_footer.paragraphs] == [t for _, t in footer]
    assert "<w:drawing>" in section.first_page_header.part.blob.decode()
    assert "<w:drawing>" not in section.header.part.blob.decode()
    names = part_names(data)
    footer_xml = part(data, next(n for n in names if n.startswith("word/footer")))
    assert re.search(r"<w:instrText[^>]*> PAGE ", footer_xml)
    assert re.search(r"<w:instrText[^>]*> NUMPAGES ", footer_xml)
    banner = section.header.paragraphs[0]
    assert banner.style.font.bold
    assert str(banner.style.font.color.rgb) == "B00020"


def test_no_banner_without_classification() -> None:
    style = Style(banner=True, header="", footer="")
    document = make_document([para("x")], style=style, meta=Meta(title="T"))
    out = reopen(export(document))
    assert out.sections[0].header.is_linked_to_previous


def test_missing_logo_warns_and_exports() -> None:
    style = Style(logo=Path("/nonexistent/logo.png"), header="{title}")
    document = make_document([para("x")], style=style)
    data, warnings = render_warned(WordExporter(), document)
    out = reopen(data)
    assert [p.text for p in out.sections[0].header.paragraphs] == ["Harbour strike"]
    assert any("logo" in w for w in warnings)


def test_document_properties(rich_endnotes: tuple[Document, bytes]) -> None:
    _, data = rich_endnotes
    props = reopen(data).core_properties
    assert props.title == "Harbour strike"
    assert props.author == "A. Analyst"
    assert props.subject == "What the week means"
    assert props.keywords == "ports, labour"
    assert props.language == "en"
    assert props.created == CREATED
    assert props.modified == CREATED
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 22, 9, 0, 0)}
    assert "docProps/thumbnail.jpeg" not in part_names(data)


# --------------------------------------------------------------------------
# Base documents
# --------------------------------------------------------------------------


def _default_base(tmp_path: Path, mutate=None, name: str = "base.docx") -> Path:
    base = docx.Document()
    base.add_paragraph("Old body text that must not survive.")
    section = base.sections[0]
    section.page_width, section.page_height = docx.shared.Mm(215.9), docx.shared.Mm(279.4)
    section.left_margin = docx.shared.Mm(30)
    if mutate is not None:
        mutate(base)
    path = tmp_path / name
    base.save(str(path))
    return path


def _colour_heading(base: docx.document.Document) -> None:
    base.styles["Heading 1"].font.color.rgb = docx.shared.RGBColor(0x00, 0xAA, 0x00)
    base.sections[0].header.paragraphs[0].text = "HOUSE HEADER ART"


def test_reference_document_styles_and_page_setup_win(tmp_path: Path) -> None:
    path = _default_base(tmp_path, _colour_heading)
    style = Style(reference_docx=path, accent="#FF0000", header="{title}", page_size=PageSize.A4)
    out = reopen(export(make_document([Heading(1, t("H")), para("Body")], style=style)))
    assert [p.text for p in out.paragraphs] == ["H", "Body"]
    assert str(out.styles["Heading 1"].font.color.rgb) == "00AA00"
    section = out.sections[0]
    assert round(section.page_width.mm, 1) == 215.9
    assert round(section.left_margin.mm) == 30
    # The house's header wins: the template's is not stacked under it.
    assert [p.text for p in section.header.paragraphs] == ["HOUSE HEADER ART"]
    # Styles the base lacks are still created.
    assert out.styles["Source Line"] is not None


def test_base_without_heading_1(tmp_path: Path) -> None:
    def drop_heading_1(base: docx.document.Document) -> None:
        element = base.styles["Heading 1"].element
        element.getparent().remove(element)

    path = _default_base(tmp_path, drop_heading_1)
    assert "Heading 1" not in {s.name for s in docx.Document(str(path)).styles}
    style = Style(reference_docx=path)
    out = reopen(export(make_document([Heading(1, t("Section")), para("Text")], style=style)))
    assert style_of(out, "Section") == "Heading 1"
    assert out.styles["Heading 1"].font.bold


def test_dotx_base_is_used_and_left_untouched(tmp_path: Path) -> None:
    source = _default_base(tmp_path, _colour_heading)
    dotx = tmp_path / "house.dotx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(dotx, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"wordprocessingml.document.main+xml", b"wordprocessingml.template.main+xml"
                )
            dst.writestr(info, data)
    before = dotx.read_bytes()
    with pytest.raises(ValueError):
        docx.Document(str(dotx))  # python-docx alone refuses a template
    out = reopen(export(make_document([Heading(1, t("H"))], style=Style(reference_docx=dotx))))
    assert str(out.styles["Heading 1"].font.color.rgb) == "00AA00"
    assert [p.text for p in out.paragraphs] == ["H"]
    assert dotx.read_bytes() == before


def test_missing_or_broken_reference_is_a_user_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.docx"
    with pytest.raises(ExportError, match=r"nowhere\.docx"):
        export(make_document([para("x")], style=Style(reference_docx=missing)))
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(ExportError, match=r"broken\.docx") as info:
        export(make_document([para("x")], style=Style(reference_docx=broken)))
    assert "\n" not in str(info.value)


def test_base_with_its_own_footnotes(tmp_path: Path) -> None:
    first = export(rich_document(CitationStyle.FOOTNOTES))
    path = tmp_path / "with-notes.docx"
    path.write_bytes(first)
    document = make_document(
        [para("Again", Citation("ap-2", 2))],
        style=Style(reference_docx=path),
        citations=CitationStyle.FOOTNOTES,
    )
    data = export(document)
    notes = etree.fromstring(part(data, "word/footnotes.xml").encode())
    real = [n for n in notes.findall(f"{W}footnote") if n.get(f"{W}type") is None]
    # Cited out of order (source 2 alone): a custom mark keeps the number 2.
    assert ["".join(n.itertext()) for n in real] == ["2AP, Talks stall, 2026."]
    assert part_names(data).count("word/footnotes.xml") == 1


# --------------------------------------------------------------------------
# Hostile and unusual input
# --------------------------------------------------------------------------


def test_control_characters_surrogates_and_emoji() -> None:
    nasty = "a\x00b\x01c\x0bd\x1fe\x7ff\x85g\ud800h\udfffi\ufffej 😀👍🏽 \u200d"
    document = make_document(
        [Title(t(nasty)), para(nasty), Table((t(nasty),), ((t(nasty),),))],
        meta=Meta(title=nasty, author=nasty, keywords=[nasty]),
        style=Style(header="{title}", footer="{author}"),
    )
    out = reopen(export(document))
    assert out.paragraphs[1].text == "abc\ndef\nghij 😀👍🏽 \u200d"
    assert out.core_properties.title.startswith("abc")


def test_form_feed_is_a_page_break() -> None:
    data = export(make_document([para("one\ftwo")]))
    assert 'w:type="page"' in part(data, "word/document.xml")


def test_twenty_thousand_word_paragraph() -> None:
    text = " ".join(f"word{i}" for i in range(20_000))
    out = reopen(export(make_document([para(text)])))
    assert len(out.paragraphs[0].text.split()) == 20_000


def test_two_thousand_row_table_is_fast() -> None:
    rows = tuple((t(f"row {i}"), t(str(i)), (Strong(t("x")),)) for i in range(2_000))
    document = make_document([Table((t("Name"), t("N"), t("X")), rows, ("", "right", ""))])
    start = time.perf_counter()
    data = export(document)
    assert time.perf_counter() - start < 2.0
    table = reopen(data).tables[0]
    assert len(table.rows) == 2_001
    assert table.rows[2_000].cells[0].text == "row 1999"


def test_right_to_left_paragraphs() -> None:
    data = export(make_document([para("שלום עולם, hello"), para("hello שלום")]))
    paragraphs = list(body(data).iter(f"{W}p"))
    assert paragraphs[0].find(f"{W}pPr/{W}bidi") is not None
    assert paragraphs[1].find(f"{W}pPr/{W}bidi") is None
    rtl_runs = [r for r in paragraphs[0].iter(f"{W}r") if r.find(f"{W}rPr/{W}rtl") is not None]
    assert "".join(rtl_runs[0].itertext()).startswith("שלום")


def test_cjk_runs_get_the_east_asian_font() -> None:
    meta = Meta(title="中文", language="zh-CN")
    data = export(make_document([para("Port 港口罢工 strike")], meta=meta))
    runs = list(body(data).iter(f"{W}r"))
    cjk = [r for r in runs if "港口" in "".join(r.itertext())]
    assert len(cjk) == 1
    fonts = cjk[0].find(f"{W}rPr/{W}rFonts")
    assert fonts.get(f"{W}eastAsia") == "WenQuanYi Zen Hei"
    assert cjk[0].find(f"{W}rPr/{W}lang").get(f"{W}eastAsia") == "zh-CN"
    assert reopen(data).paragraphs[0].text == "Port 港口罢工 strike"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_any_text_gives_a_valid_document(text: str) -> None:
    out = reopen(export(make_document([Heading(1, t(text)), para(Strong(t(text)), text)])))
    words = re.findall(r"[A-Za-z0-9]+", text)
    assert all(w in out.paragraphs[1].text for w in words)


def test_empty_document() -> None:
    out = reopen(export(make_document([])))
    assert out.paragraphs == []


# --------------------------------------------------------------------------
# Reference files
# --------------------------------------------------------------------------

REFERENCE_CASES = {
    "endnotes": CitationStyle.ENDNOTES,
    "footnotes": CitationStyle.FOOTNOTES,
}


def _pretty(data: bytes) -> str:
    root = etree.fromstring(data)
    return etree.tostring(root, pretty_print=True, encoding="unicode")


def _managed_styles(data: bytes) -> str:
    """styles.xml cut down to the document defaults and the styles the
    exporter writes (the rest is python-docx's default base, unchanged)."""
    root = etree.fromstring(data)
    managed = {key.value[2] for key in S}
    for child in list(root):
        if child.tag == f"{W}latentStyles" or (
            child.tag == f"{W}style" and child.get(f"{W}styleId") not in managed
        ):
            root.remove(child)
    return etree.tostring(root, pretty_print=True, encoding="unicode")


def _reference_parts(data: bytes) -> dict[str, str]:
    wanted = re.compile(
        r"(word/(document|numbering|footnotes|settings|header\d+|footer\d+)\.xml"
        r"|word/_rels/(document|footnotes|header\d+)\.xml\.rels|\[Content_Types\]\.xml"
        r"|docProps/core\.xml)$"
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {
            name: _pretty(archive.read(name)) for name in archive.namelist() if wanted.match(name)
        }
        parts["word/styles-managed.xml"] = _managed_styles(archive.read("word/styles.xml"))
    return parts


@pytest.mark.parametrize("case", sorted(REFERENCE_CASES))
def test_reference_parts(case: str) -> None:
    data = export(rich_document(REFERENCE_CASES[case]))
    folder = REFERENCE / case
    parts = _reference_parts(data)
    if UPDATE_REFERENCE:
        if folder.exists():
            shutil.rmtree(folder)
        for name, text in parts.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
        pytest.skip("reference files rewritten")
    assert folder.is_dir(), "no reference files: run with BRIEFER_UPDATE_REFERENCE=1"
    stored = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert sorted(parts) == stored
    for name, text in parts.items():
        assert text == (folder / name).read_text(encoding="utf-8"), name


# --------------------------------------------------------------------------
# LibreOffice
# --------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="needs LibreOffice (make test installs it)"
)
@pytest.mark.parametrize("citations", list(CitationStyle), ids=lambda c: c.value)
def test_libreoffice_converts_a_rich_document(tmp_path: Path, citations: CitationStyle) -> None:
    source = tmp_path / f"rich-{citations.value}.docx"
    source.write_bytes(export(rich_document(citations)))
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    pdf = source.with_suffix(".pdf")
    assert result.returncode == 0, result.stderr
    assert pdf.is_file() and pdf.stat().st_size > 1000, result.stdout + result.stderr
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        flat = " ".join(text.split())
        assert "Harbour strike" in flat
        assert "Rotterdam" in flat
        assert "Page 1 of" in flat
        assert "INTERNAL" in flat


def test_truncated_or_foreign_images_become_placeholders_with_a_reason(tmp_path: Path) -> None:
    from PIL import Image as PILImage

    good = tmp_path / "good.png"
    PILImage.new("RGB", (300, 200), (20, 90, 160)).save(good)
    cut = tmp_path / "cut.png"
    cut.write_bytes(good.read_bytes()[:120])  # the header survives, the pixels do not
    webp = tmp_path / "pic.webp"
    PILImage.new("RGB", (20, 20)).save(webp)
    images = [Image(str(p.name), alt=p.stem, path=p) for p in (good, cut, webp)]
    document = make_document(images)
    data, returned = render_warned(WordExporter(), document)
    out = reopen(data)
    assert len(out.inline_shapes) == 1  # only the good one is embedded
    warnings = " | ".join(returned)
    assert "image 'cut.png': unreadable image (image file is truncated)" in warnings
    assert "WEBP images cannot be placed in a Word document" in warnings
    assert "()" not in warnings
