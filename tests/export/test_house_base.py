"""What a Word base keeps for itself, drawn alike in the PDF: its table style,
its contents-list styles, the borders and shading of its paragraph styles,
its first-page header and footer, and landscape pages.

The base is made here with python-docx (and a little XML where python-docx
has no words for it: borders, shading, a table style), as an organisation's
template would have it. The PDF is read back as a reader's tools read it:
its page sizes, its text with fonts, sizes and colours, and the rectangles
and lines drawn on its pages; the DOCX is reopened to check it names the
same styles."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.shared import Mm, Pt, RGBColor
from pypdf import PdfReader
from pypdf.generic import ContentStream

from briefer.briefs import load_brief
from briefer.house_style import read_house_style
from briefer.paths import Paths
from briefer.pipeline import ExportSettings, export
from briefer.templates import TemplateRegistry, with_house_style

REPO = Path(__file__).resolve().parents[2]
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
NAVY, RED, BAND, QUOTE_FILL, TITLE_FILL = "1F3864", "C00000", "EAF0F8", "FFF2F2", "F2F2F2"


# -- the base ----------------------------------------------------------------------


def _xml(fragment: str):
    return parse_xml(f'<w:root xmlns:w="{W_NS}">{fragment}</w:root>')[0]


def _face(style, font: str, size: float, colour: str | None, *, bold=False, italic=False) -> None:
    style.font.name = font
    fonts = style.element.rPr.rFonts
    for key in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(f"{W}{key}", None)
    style.font.size = Pt(size)
    if colour is not None:
        style.font.color.rgb = RGBColor.from_string(colour)
    style.font.bold = bold
    style.font.italic = italic


def _ppr(style, fragment: str) -> None:
    """Put `fragment` (w:pBdr, w:shd, w:ind...) into the style's pPr, in
    schema order ahead of w:spacing."""
    ppr = style.element.get_or_add_pPr()
    element = _xml(fragment)
    spacing = ppr.find(f"{W}spacing")
    if spacing is not None and element.tag in (f"{W}pBdr", f"{W}shd"):
        spacing.addprevious(element)
    else:
        ppr.append(element)


TABLE_STYLE = f"""
<w:style xmlns:w="{W_NS}" w:type="table" w:customStyle="1" w:styleId="ACMETable">
  <w:name w:val="ACME Table"/>
  <w:basedOn w:val="TableNormal"/>
  <w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
  <w:tblPr>
    <w:tblStyleRowBandSize w:val="1"/>
    <w:tblBorders>
      <w:top w:val="single" w:sz="12" w:space="0" w:color="{NAVY}"/>
      <w:left w:val="nil"/>
      <w:bottom w:val="single" w:sz="12" w:space="0" w:color="{NAVY}"/>
      <w:right w:val="nil"/>
      <w:insideH w:val="single" w:sz="4" w:space="0" w:color="BFBFBF"/>
      <w:insideV w:val="nil"/>
    </w:tblBorders>
    <w:tblCellMar>
      <w:top w:w="40" w:type="dxa"/>
      <w:left w:w="144" w:type="dxa"/>
      <w:bottom w:w="40" w:type="dxa"/>
      <w:right w:w="144" w:type="dxa"/>
    </w:tblCellMar>
  </w:tblPr>
  <w:tblStylePr w:type="firstRow">
    <w:rPr><w:b/><w:bCs/><w:color w:val="FFFFFF"/></w:rPr>
    <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{NAVY}"/></w:tcPr>
  </w:tblStylePr>
  <w:tblStylePr w:type="band1Horz">
    <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{BAND}"/></w:tcPr>
  </w:tblStylePr>
</w:style>
"""


def acme_base(
    folder: Path,
    *,
    landscape: bool = True,
    first_page: bool = True,
    default_table: bool = True,
    furniture: bool = True,
    name: str = "acme.dotx",
) -> Path:
    """ACME's Word template: Noto and DejaVu fonts every test machine has;
    a Title with a rule above and below on a grey shade, a Heading 1 with a
    rule above, a Quote with a thick red bar on a pink shade, indented on
    both sides; its own contents styles; "ACME Table" (navy rules above
    and below, a navy header row in white, banded rows) as the default for
    new tables; an A4 page set landscape; a running header and footer, and
    page 1's own (without `furniture`, none: its Header and Footer styles
    are left for the template's header and footer, its Footer centred)."""
    document = docx.Document()
    styles = document.styles
    _face(styles["Normal"], "Noto Serif", 10.5, None)
    title = styles["Title"]
    _face(title, "Noto Sans", 24, NAVY, bold=True)
    title.element.pPr.remove(title.element.pPr.find(f"{W}pBdr"))
    _ppr(
        title,
        f'<w:pBdr><w:top w:val="single" w:sz="24" w:space="4" w:color="{NAVY}"/>'
        f'<w:bottom w:val="single" w:sz="8" w:space="6" w:color="{NAVY}"/></w:pBdr>',
    )
    _ppr(title, f'<w:shd w:val="clear" w:color="auto" w:fill="{TITLE_FILL}"/>')
    heading = styles["Heading 1"]
    _face(heading, "DejaVu Sans", 15, NAVY, bold=True)
    _ppr(heading, '<w:pBdr><w:top w:val="single" w:sz="6" w:space="4" w:color="8EAADB"/></w:pBdr>')
    _face(styles["Heading 2"], "DejaVu Sans", 12, "2F5496", bold=True)
    quote = styles["Quote"]
    _face(quote, "Noto Serif", 10.5, "404040", italic=True)
    _ppr(quote, f'<w:pBdr><w:left w:val="single" w:sz="36" w:space="8" w:color="{RED}"/></w:pBdr>')
    _ppr(quote, f'<w:shd w:val="clear" w:color="auto" w:fill="{QUOTE_FILL}"/>')
    _ppr(quote, '<w:ind w:left="720" w:right="720"/>')
    toc_heading = styles["TOC Heading"]
    toc_heading.element.remove(toc_heading.element.find(f"{W}basedOn"))
    _face(toc_heading, "Noto Sans", 13, NAVY, bold=True)
    toc_heading.paragraph_format.space_before = Pt(6)
    toc_heading.paragraph_format.space_after = Pt(8)
    toc_1 = styles.add_style("toc 1", WD_STYLE_TYPE.PARAGRAPH)
    toc_1.base_style = styles["Normal"]
    _face(toc_1, "Noto Sans", 10, NAVY, bold=True)
    toc_1.paragraph_format.space_after = Pt(3)
    toc_2 = styles.add_style("toc 2", WD_STYLE_TYPE.PARAGRAPH)
    toc_2.base_style = styles["Normal"]
    _face(toc_2, "Noto Serif", 9.5, "595959", italic=True)
    toc_2.paragraph_format.space_after = Pt(2)
    _ppr(toc_2, '<w:ind w:left="720"/>')
    styles.element.append(parse_xml(TABLE_STYLE))
    if default_table:
        document.settings.element.append(_xml('<w:defaultTableStyle w:val="ACMETable"/>'))
    section = document.sections[0]
    width, height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.page_width, section.page_height = width, height
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, Mm(20))
    if furniture:
        section.header.paragraphs[0].text = "ACME running head"
        section.footer.paragraphs[0].text = "ACME running foot"
    footer = styles["Footer"]
    _face(footer, "Noto Sans", 8, "7F7F7F", italic=True)
    _ppr(footer, '<w:jc w:val="center"/>')
    if first_page and furniture:
        section.different_first_page_header_footer = True
        section.first_page_header.paragraphs[0].text = "ACME cover head"
        section.first_page_footer.paragraphs[0].text = "ACME cover foot"
    plain = folder / "acme.docx"
    document.save(str(plain))
    target = folder / name
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"wordprocessingml.document.main+xml", b"wordprocessingml.template.main+xml"
                )
            out.writestr(info, data)
    plain.unlink()
    return target


def export_pair(base: Path, out: Path, **style: object) -> tuple[Path, Path]:
    """The long-form sample (title, deck, contents, headings, a quote, a
    table) exported to DOCX and PDF in `base`'s house style."""
    registry = TemplateRegistry(Paths.from_env())
    source = registry.by_id("long-form")
    template = with_house_style(source, read_house_style(base))
    if style:
        template = dataclasses.replace(
            template,
            style=dataclasses.replace(template.style, **style),  # type: ignore[arg-type]
        )
    brief = load_brief(REPO / "templates" / "long-form" / "sample.brief")
    settings = ExportSettings(deterministic=True)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in ("docx", "pdf"):
        target = out / f"brief.{fmt}"
        export(brief, template, target, fmt, base_dir=source.directory, settings=settings)
        paths.append(target)
    return paths[0], paths[1]


@pytest.fixture(scope="module")
def acme(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(base, DOCX, PDF) of the long-form sample in ACME's house style."""
    folder = tmp_path_factory.mktemp("acme")
    base = acme_base(folder)
    word, pdf = export_pair(base, folder / "out")
    return base, word, pdf


# -- reading the PDF back ---------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Shape:
    """A filled rectangle or a stroked line on a page, in page coordinates."""

    kind: str  # "fill" or "line"
    colour: str  # "#RRGGBB"
    x0: float
    y0: float
    x1: float
    y1: float
    width: float = 0.0  # a line's

    @property
    def w(self) -> float:
        return self.x1 - self.x0

    @property
    def h(self) -> float:
        return self.y1 - self.y0


@dataclasses.dataclass(frozen=True)
class Word:
    """A piece of text drawn on a page: its font (subset prefix dropped),
    size, fill colour and where its baseline starts."""

    text: str
    font: str
    size: float
    colour: str
    x: float
    y: float


def _hex(operands) -> str:
    values = [float(v) for v in operands]
    if len(values) == 1:
        values *= 3
    return "#" + "".join(f"{round(v * 255):02X}" for v in values[:3])


def _mul(a: list[float], b: list[float]) -> list[float]:
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def _at(m: list[float], x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def page_marks(page) -> tuple[list[Shape], list[Word]]:
    """The filled rectangles, stroked lines and text runs of a page, with
    the transformations reportlab draws flowables and tables through."""
    fonts = {
        str(name): str(ref.get_object()["/BaseFont"]).split("+", 1)[-1]
        for name, ref in page["/Resources"]["/Font"].items()
    }
    stream = ContentStream(page.get_contents(), page.pdf)
    ctm = [1.0, 0, 0, 1.0, 0, 0]
    stack: list[tuple[list[float], str, str, float]] = []
    fill = stroke = "#000000"
    line_width = 1.0
    rects: list[tuple[float, float, float, float]] = []
    path: list[tuple[float, float]] = []
    segments: list[tuple[tuple[float, float], tuple[float, float]]] = []
    points: list[tuple[float, float]] = []
    shapes: list[Shape] = []
    words: list[Word] = []
    tm = [1.0, 0, 0, 1.0, 0, 0]
    line_start = tm
    font, size, leading = "", 0.0, 0.0
    for operands, op in stream.operations:
        if op == b"q":
            stack.append((ctm, fill, stroke, line_width))
        elif op == b"Q":
            ctm, fill, stroke, line_width = stack.pop()
        elif op == b"cm":
            ctm = _mul([float(v) for v in operands], ctm)
        elif op in (b"rg", b"g"):
            fill = _hex(operands)
        elif op in (b"RG", b"G"):
            stroke = _hex(operands)
        elif op == b"w":
            line_width = float(operands[0])
        elif op == b"re":
            x, y, w, h = (float(v) for v in operands)
            rects.append((*_at(ctm, x, y), *_at(ctm, x + w, y + h)))
        elif op == b"m":
            path = [_at(ctm, float(operands[0]), float(operands[1]))]
            points.extend(path)
        elif op == b"l":
            point = _at(ctm, float(operands[0]), float(operands[1]))
            if path:
                segments.append((path[-1], point))
            path.append(point)
            points.append(point)
        elif op in (b"f", b"f*", b"B", b"B*"):
            if not rects and points:  # a filled path (LibreOffice's): its bounds
                xs, ys = [x for x, _ in points], [y for _, y in points]
                rects = [(min(xs), min(ys), max(xs), max(ys))]
            for x0, y0, x1, y1 in rects:
                shapes.append(
                    Shape("fill", fill, min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
                )
            rects, segments, points = [], [], []
        elif op == b"S":
            for (x0, y0), (x1, y1) in segments:
                shapes.append(
                    Shape("line", stroke, min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1),
                          line_width)
                )  # fmt: skip
            rects, segments, points = [], [], []
        elif op == b"n":
            rects, segments, points = [], [], []
        elif op == b"BT":
            tm = line_start = [1.0, 0, 0, 1.0, 0, 0]
        elif op == b"Tf":
            font, size = fonts.get(str(operands[0]), str(operands[0])), float(operands[1])
        elif op == b"TL":
            leading = float(operands[0])
        elif op == b"Tm":
            tm = line_start = [float(v) for v in operands]
        elif op in (b"Td", b"TD"):
            tx, ty = float(operands[0]), float(operands[1])
            if op == b"TD":
                leading = -ty
            tm = line_start = _mul([1, 0, 0, 1, tx, ty], line_start)
        elif op == b"T*":
            tm = line_start = _mul([1, 0, 0, 1, 0, -leading], line_start)
        elif op in (b"Tj", b"TJ", b"'"):
            if op == b"'":
                tm = line_start = _mul([1, 0, 0, 1, 0, -leading], line_start)
            parts = operands[0] if op == b"TJ" else [operands[0]]
            text = "".join(str(p) for p in parts if isinstance(p, str))
            x, y = _at(ctm, *_at(tm, 0, 0))
            if text.strip():
                words.append(Word(text, font, round(size * ctm[0], 2), fill, x, y))
    return shapes, words


def words_of(words: list[Word], start: str) -> list[Word]:
    return [word for word in words if word.text.strip().startswith(start)]


def table_page(pdf: Path):
    return next(p for p in PdfReader(str(pdf)).pages if "Nights per week" in p.extract_text())


def line_extent(pdf: Path, page: int, word: str) -> tuple[float, float]:
    """Where the line holding `word` starts and ends, as pdftotext reads it."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    boxes = [
        (float(m[1]), float(m[2]), float(m[3]), m[4])
        for m in re.finditer(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]*)<', html)
    ]
    y = next(top for _x0, top, _x1, text in boxes if text == word)
    line = [(x0, x1) for x0, top, x1, _text in boxes if abs(top - y) < 1]
    return min(x0 for x0, _ in line), max(x1 for _, x1 in line)


def pdftotext(pdf: Path, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


# -- 1. the table style -------------------------------------------------------------


def test_the_base_default_table_style_dresses_the_pdf_table_as_word_does(acme) -> None:
    _base, word, pdf = acme
    # The PDF draws the base's default table style: navy rules above and
    # below, thin grey ones between the rows, none down the sides or between
    # the columns; the header row navy with white bold text, the first and
    # third rows below it banded.
    page = next(p for p in PdfReader(str(pdf)).pages if "Nights per week" in p.extract_text())
    shapes, words = page_marks(page)
    head = words_of(words, "Nights per week")[0]
    assert (head.font, head.colour) == ("NotoSerif-Bold", "#FFFFFF")
    cell = words_of(words, "North")[0]
    assert (cell.font, cell.colour) == ("NotoSerif-Regular", "#000000")
    fills = [s for s in shapes if s.kind == "fill" and s.w > 100]
    header_fill = [s for s in fills if s.colour == f"#{NAVY}" and s.y0 < head.y < s.y1]
    assert len(header_fill) == 1
    left, right = header_fill[0].x0, header_fill[0].x1
    rows = {name: words_of(words, name)[0].y for name in ("North", "Capital", "Coast")}
    banded = [s for s in fills if s.colour == f"#{BAND}"]
    assert sorted(name for name, y in rows.items() if any(s.y0 < y < s.y1 for s in banded)) == [
        "Coast",
        "North",
    ]
    lines = [s for s in shapes if s.kind == "line" and left - 1 <= s.x0 and s.x1 <= right + 1]
    across = [s for s in lines if s.h < 0.01 and s.w > (right - left) * 0.9]
    navy = sorted(s.y0 for s in across if s.colour == f"#{NAVY}" and s.width == pytest.approx(1.5))
    assert len(navy) == 2
    assert navy[1] > head.y and navy[0] < rows["Coast"]
    grey = [s for s in across if s.colour == "#BFBFBF" and s.width == pytest.approx(0.5)]
    assert len(grey) == 3  # under the header and between the three rows
    assert not [s for s in lines if s.w < 0.01 and s.h > 5]  # no rule down the table
    # The cells' text sits the style's 7.2 pt in from the table's edge.
    assert cell.x - left == pytest.approx(7.2, abs=0.3)
    # Not the PDF's own light grid and shaded header.
    assert not [s for s in shapes if s.colour in ("#A6A6A6", "#EEF2F7")]
    # The DOCX's table names the same style.
    assert docx.Document(str(word)).tables[0].style.name == "ACME Table"


def test_a_table_style_named_by_the_template_wins_over_the_bases_default(tmp_path: Path) -> None:
    base = acme_base(tmp_path, default_table=False, landscape=False, first_page=False)
    word, pdf = export_pair(base, tmp_path / "grid")
    # No default in the base: its "Table Grid" (black, all round), in both.
    assert docx.Document(str(word)).tables[0].style.name == "Table Grid"
    shapes, _ = page_marks(table_page(pdf))
    assert [s for s in shapes if s.kind == "line" and s.w < 0.01 and s.colour == "#000000"]
    # The template names ACME's own.
    word, pdf = export_pair(base, tmp_path / "named", table_style="ACME Table")
    assert docx.Document(str(word)).tables[0].style.name == "ACME Table"
    shapes, words = page_marks(table_page(pdf))
    assert words_of(words, "Route")[0].colour == "#FFFFFF"
    assert not [s for s in shapes if s.kind == "line" and s.w < 0.01 and s.colour == "#000000"]


# -- 2. the contents list -------------------------------------------------------------


def test_the_contents_list_takes_the_bases_toc_styles(acme) -> None:
    _base, word, pdf = acme
    _shapes, words = page_marks(PdfReader(str(pdf)).pages[0])
    title = words_of(words, "In this article")[0]
    assert (title.font, title.size, title.colour) == ("NotoSans-Bold", 13.0, f"#{NAVY}")
    first = words_of(words, "Who rides the night train")[0]  # the entry, above the heading
    second = words_of(words, "What the subsidy pays for")[0]
    assert (first.font, first.size, first.colour) == ("NotoSans-Bold", 10.0, f"#{NAVY}")
    assert (second.font, second.size, second.colour) == ("NotoSerif-Italic", 9.5, "#595959")
    # TOC 2 is indented half an inch more than TOC 1.
    assert second.x - first.x == pytest.approx(36.0, abs=0.1)
    # Entries are spaced as TOC 1 says: 3 pt after, and lines 1.15 times
    # the font's own height (Normal's spacing, in the document defaults).
    economics = words_of(words, "The economics")[0]
    assert first.y - economics.y == pytest.approx(3.0 + 10.0 * 1.15 * 1.362, abs=0.2)
    # The DOCX's entries are in the same styles, their links uncoloured.
    out = docx.Document(str(word))
    entries = [p for p in out.paragraphs if p.style.name.lower() in ("toc 1", "toc 2")]
    assert [p.style.name.lower() for p in entries[:3]] == ["toc 1", "toc 1", "toc 2"]
    link = out.styles["Contents Link"]
    assert link.font.color.rgb is None


# -- 3. borders and shading ------------------------------------------------------------


def test_paragraph_borders_and_shading_of_the_base_are_drawn(acme) -> None:
    _base, _word, pdf = acme
    page = PdfReader(str(pdf)).pages[0]
    width = float(page.mediabox.width)
    shapes, words = page_marks(page)
    title = words_of(words, "The quiet return")[0]
    navy = [s for s in shapes if s.kind == "fill" and s.colour == f"#{NAVY}"]
    above = [s for s in navy if s.y0 > title.y and s.h == pytest.approx(3.0)]
    below = [s for s in navy if s.y1 < title.y and s.h == pytest.approx(1.0)]
    assert len(above) == 1 and len(below) == 1
    # Across the text's width; 4 pt above the top of the title's line (its
    # first baseline is a font size below it), 6 pt below the line's foot.
    assert (above[0].x0, below[0].x1) == (pytest.approx(title.x), pytest.approx(width - title.x))
    assert above[0].y0 - (title.y + 24) == pytest.approx(4.0, abs=0.1)
    assert 6 < title.y - below[0].y1 < 6 + 24 * 0.5
    # The grey shade fills the box, rules and all, as Word and LibreOffice shade it.
    shade = [s for s in shapes if s.kind == "fill" and s.colour == f"#{TITLE_FILL}"]
    assert len(shade) == 1
    assert (shade[0].y0, shade[0].y1) == (pytest.approx(below[0].y0), pytest.approx(above[0].y1))
    # The quote: a 4.5 pt red bar 8 pt left of its text, which is indented
    # half an inch, on a pink shade that reaches the bar.
    quote = words_of(words, "A compartment is a hotel room")[0]
    body = words_of(words, "Five years after")[0]
    assert quote.x - body.x == pytest.approx(36.0, abs=0.5)
    bar = [s for s in shapes if s.kind == "fill" and s.colour == f"#{RED}" and s.w < 10]
    assert len(bar) == 1
    assert bar[0].w == pytest.approx(4.5)
    assert quote.x - bar[0].x1 == pytest.approx(8.0, abs=0.1)
    assert bar[0].y0 < quote.y < bar[0].y1
    pink = [s for s in shapes if s.kind == "fill" and s.colour == f"#{QUOTE_FILL}"]
    assert len(pink) == 1
    assert (pink[0].x0, pink[0].x1) == (
        pytest.approx(bar[0].x0),
        pytest.approx(width - body.x - 36),
    )
    # Heading 1's rule above it, light blue, three quarters of a point.
    heading = words_of(words, "Who rides the night train")[-1]
    rule = [s for s in shapes if s.colour == "#8EAADB" and s.h == pytest.approx(0.75)]
    assert any(0 < r.y0 - heading.y < 30 for r in rule)


# -- 4. first page and landscape ----------------------------------------------------------


def test_page_one_has_the_bases_first_page_header_and_pages_are_landscape(acme) -> None:
    _base, word, pdf = acme
    reader = PdfReader(str(pdf))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (842, 595)
    first, second = pdftotext(pdf, 1), pdftotext(pdf, 2)
    assert "ACME cover head" in first and "ACME cover foot" in first
    assert "ACME running" not in first
    assert "ACME running head" in second and "ACME running foot" in second
    assert "ACME cover" not in second
    # In the house's Header style: Normal's font and size.
    _shapes, words = page_marks(reader.pages[0])
    head = words_of(words, "ACME cover head")[0]
    assert (head.font, head.size) == ("NotoSerif-Regular", 10.5)
    assert head.y > 595 - 20 / 25.4 * 72  # in the top margin
    # The DOCX keeps them, and the landscape page.
    section = docx.Document(str(word)).sections[0]
    assert section.different_first_page_header_footer
    assert section.first_page_header.paragraphs[-1].text == "ACME cover head"
    assert round(section.page_width.mm) == 297


def test_a_base_without_a_first_page_header_keeps_the_templates_page_one(tmp_path: Path) -> None:
    base = acme_base(tmp_path, first_page=False, landscape=False)
    _word, pdf = export_pair(base, tmp_path / "out")
    reader = PdfReader(str(pdf))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    assert "ACME running head" in pdftotext(pdf, 1) and "ACME running head" in pdftotext(pdf, 2)
    assert "ACME cover" not in pdftotext(pdf, 1)


def test_the_templates_footer_takes_the_bases_footer_style(tmp_path: Path) -> None:
    base = acme_base(tmp_path, first_page=False, landscape=False, furniture=False)
    word, pdf = export_pair(base, tmp_path / "out")
    # The long-form template's footer, "{author} · {date} · {page} / {pages}",
    # in ACME's Footer style: small grey italic Noto Sans, centred.
    assert docx.Document(str(word)).sections[0].footer.paragraphs[-1].style.name == "Footer"
    page = PdfReader(str(pdf)).pages[0]
    _shapes, words = page_marks(page)
    foot = words_of(words, "Elena Vasquez")[0]
    assert (foot.font, foot.size, foot.colour) == ("NotoSans-Italic", 8.0, "#7F7F7F")
    left, right = line_extent(pdf, 1, "Vasquez")
    assert (left + right) / 2 == pytest.approx(float(page.mediabox.width) / 2, abs=1.0)


def test_the_base_is_read_once_for_every_export(tmp_path: Path) -> None:
    from briefer.house_style import house_base

    base = acme_base(tmp_path)
    first = house_base(base)
    assert house_base(base) is first
    assert first.landscape and first.furniture.first_page
    assert first.table is not None and first.table.name == "ACME Table"
    # A changed file is read again.
    acme_base(tmp_path, landscape=False)
    assert not house_base(base).landscape


# -- both, side by side ------------------------------------------------------------------


@pytest.mark.slow
def test_libreoffice_lays_out_the_docx_as_the_pdf(acme, tmp_path: Path) -> None:
    if shutil.which("soffice") is None:
        pytest.skip("needs LibreOffice (make test installs it)")
    _base, word, pdf = acme
    subprocess.run(
        [
            "soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(word),
        ],
        capture_output=True, timeout=300, check=True,
    )  # fmt: skip
    theirs = tmp_path / "brief.pdf"
    ours, laid_out = PdfReader(str(pdf)), PdfReader(str(theirs))
    assert len(ours.pages) == len(laid_out.pages)
    page = laid_out.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (842, 595)
    assert "ACME cover head" in pdftotext(theirs, 1)
    assert "ACME running head" in pdftotext(theirs, 2)

    # The same shades: the title's, the table's header and bands, the quote's;
    # the same rules: the title's, Heading 1's, the quote's bar, the table's.
    def colours(reader: PdfReader) -> set[str]:
        return {shape.colour for page in reader.pages for shape in page_marks(page)[0]}

    expected = {f"#{c}" for c in (TITLE_FILL, NAVY, BAND, QUOTE_FILL, RED, "8EAADB", "BFBFBF")}
    assert expected <= colours(laid_out)
    assert expected <= colours(ours)
