"""An organisation's Word template as a house style: read into the template,
used as the DOCX base, and drawn the same in the PDF.

The `.dotx` is made here with python-docx (then its content type switched,
as Word's own templates have it), with fonts every test machine has, so the
PDF can be checked for the very fonts and sizes the house styles name."""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
import zipfile
from collections import defaultdict
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Mm, Pt, RGBColor
from pypdf import PdfReader

from briefer.briefs import load_brief
from briefer.cli import CliContext, main
from briefer.house_style import apply_house_style, read_house_style
from briefer.model import PageSize, TextElement, TextLook
from briefer.paths import Paths
from briefer.pipeline import ExportSettings, export
from briefer.template_store import UserTemplates, template_from_brief
from briefer.templates import TemplateRegistry, load_template, with_house_style

REPO = Path(__file__).resolve().parents[2]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclasses.dataclass(frozen=True)
class HouseSpec:
    font: str
    size: float
    colour: str
    bold: bool = False
    italic: bool = False
    before: float = 0.0
    after: float = 0.0


HOUSE = {
    "Normal": HouseSpec("Noto Serif", 11, "222222", after=8),
    "Title": HouseSpec("Noto Sans", 26, "1F3864", bold=True, after=10),
    "Subtitle": HouseSpec("Noto Sans", 13, "4F81BD", italic=True, after=6),
    "Heading 1": HouseSpec("DejaVu Sans", 16, "C00000", bold=True, before=18, after=6),
    "Heading 2": HouseSpec("DejaVu Sans", 13, "C00000", bold=True, before=12, after=4),
    "Heading 3": HouseSpec("DejaVu Serif", 11.5, "7F7F7F", italic=True, before=10, after=4),
}


def house_dotx(folder: Path, *, header: str = "", footer: str = "") -> Path:
    """A house Word template: the styles of `HOUSE`, no Quote style, an A4
    page with 25 and 22 mm margins, and optionally its own header and footer."""
    document = docx.Document()
    for name, spec in HOUSE.items():
        style = document.styles[name]
        style.font.name = spec.font
        # Theme fonts would win over the name, as in Word: the house names its own.
        fonts = style.element.rPr.rFonts
        for key in ("asciiTheme", "hAnsiTheme"):
            fonts.attrib.pop(f"{W}{key}", None)
        style.font.size = Pt(spec.size)
        style.font.color.rgb = RGBColor.from_string(spec.colour)
        style.font.bold = spec.bold
        style.font.italic = spec.italic
        style.paragraph_format.space_before = Pt(spec.before)
        style.paragraph_format.space_after = Pt(spec.after)
        style.paragraph_format.line_spacing = 1.15
    quote = document.styles["Quote"].element
    quote.getparent().remove(quote)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin = section.right_margin = Mm(22)
    if header:
        section.header.paragraphs[0].text = header
    if footer:
        section.footer.paragraphs[0].text = footer
    plain = folder / "house.docx"
    document.save(str(plain))
    dotx = folder / "house.dotx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(dotx, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"wordprocessingml.document.main+xml", b"wordprocessingml.template.main+xml"
                )
            target.writestr(info, data)
    plain.unlink()
    return dotx


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), CliContext(paths=Paths.from_env(), stdout=out, stderr=err))
    return code, out.getvalue(), err.getvalue()


def pdf_runs(pdf: Path) -> dict[str, set[tuple[str, float]]]:
    """Each line of text in the PDF (its first 30 characters) with the
    fonts (subset prefix dropped) and sizes it is drawn in."""
    found: dict[str, set[tuple[str, float]]] = defaultdict(set)

    def visit(text, cm, tm, font, size) -> None:
        if text.strip() and font is not None:
            name = str(font["/BaseFont"]).split("+", 1)[-1]
            found[text.strip()[:30].rstrip()].add((name, round(size * tm[0], 2)))

    for page in PdfReader(str(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return found


def faces_of(runs: dict[str, set[tuple[str, float]]], line: str) -> set[tuple[str, float]]:
    return runs[line[:30].rstrip()]


# -- reading -----------------------------------------------------------------------


def test_the_house_styles_are_read_as_word_shows_them(tmp_path: Path) -> None:
    dotx = house_dotx(tmp_path)
    house = read_house_style(dotx)
    # What python-docx reads from the same file, opened as a document.
    for element in (TextElement.NORMAL, TextElement.TITLE, TextElement.HEADING_1):
        spec = HOUSE[element.word_name]
        look = house.looks[element]
        assert (look.font, look.size_pt, look.color) == (spec.font, spec.size, f"#{spec.colour}")
        assert (look.bold, look.italic) == (spec.bold, spec.italic)
        assert (look.space_before_pt, look.space_after_pt) == (spec.before, spec.after)
        assert look.line_spacing == 1.15
    # List Bullet is based on Normal, and Word sets list items tight.
    bullet = house.looks.list_bullet
    assert (bullet.font, bullet.size_pt, bullet.color) == ("Noto Serif", 11, "#222222")
    assert (bullet.space_before_pt, bullet.space_after_pt) == (0, 0)
    assert house.missing == (TextElement.QUOTE,)
    assert house.looks.quote == TextLook()
    assert (house.page_size, house.margins_mm) == (PageSize.A4, (25.0, 22.0, 25.0, 22.0))
    assert house.messages() == [
        "house.dotx has no Quote style; Briefer's own look is used for it in both exports,"
        " and the DOCX gets a style made from it"
    ]


def test_theme_fonts_are_read_from_the_theme(tmp_path: Path) -> None:
    # python-docx's own default: Normal in the theme's body font, headings in its heading font.
    path = tmp_path / "default.docx"
    docx.Document().save(str(path))
    house = read_house_style(path)
    assert house.looks.normal.font == "Cambria"
    assert house.looks.heading_1.font == "Calibri"
    assert house.looks.heading_1.color == "#365F91"
    assert house.looks.normal.size_pt == 11  # the document defaults' 22 half-points
    assert house.looks.heading_1.size_pt == 14


def test_the_house_style_becomes_the_template_style(tmp_path: Path) -> None:
    dotx = house_dotx(tmp_path)
    base = TemplateRegistry(Paths.from_env()).by_id("long-form").style
    style = apply_house_style(base, read_house_style(dotx))
    assert (style.body_font, style.heading_font) == ("Noto Serif", "DejaVu Sans")
    assert (style.body_size_pt, style.title_size_pt) == (11, 26)
    assert style.heading_sizes_pt == (16, 13, 11.5)
    assert (style.text_color, style.accent) == ("#222222", "#C00000")
    assert style.reference_docx == dotx and style.page_size is PageSize.A4
    assert style.margins_mm == (25, 22, 25, 22)
    # What the house does not say stays the template's.
    assert (style.logo, style.header, style.citations) == (base.logo, base.header, base.citations)


# -- both exports ------------------------------------------------------------------------


@pytest.fixture
def house_template(tmp_path: Path):
    """The long-form sample saved as a user template in the house style."""
    dotx = house_dotx(tmp_path)
    registry = TemplateRegistry(Paths.from_env())
    source = with_house_style(registry.by_id("long-form"), read_house_style(dotx))
    brief = load_brief(REPO / "templates" / "long-form" / "sample.brief")
    draft = template_from_brief(
        brief, source, template_id="acme", name="ACME long-form", keep_sample=True
    )
    return UserTemplates(Paths.from_env(), registry).save(draft).template


def export_both(template, tmp_path: Path) -> tuple[Path, Path]:
    brief = load_brief(template.sample_path)
    settings = ExportSettings(deterministic=True)
    out = []
    for fmt in ("docx", "pdf"):
        target = tmp_path / f"acme.{fmt}"
        export(brief, template, target, fmt, base_dir=template.directory, settings=settings)
        out.append(target)
    return out[0], out[1]


def test_a_saved_house_template_keeps_its_base_and_its_looks(house_template, tmp_path) -> None:
    folder = house_template.directory
    assert sorted(p.name for p in folder.iterdir()) == [
        "logo.png",
        "reference.dotx",
        "sample.brief",
        "template.toml",
    ]
    assert house_template.style.reference_docx == folder / "reference.dotx"
    assert load_template(folder) == house_template
    assert house_template.style.looks.heading_1.color == "#C00000"


def test_the_docx_has_the_house_styles_and_the_pdf_draws_them(house_template, tmp_path) -> None:
    word, pdf = export_both(house_template, tmp_path)
    out = docx.Document(str(word))
    for name, spec in HOUSE.items():
        style = out.styles[name]
        assert style.font.name == spec.font, name
        assert style.font.size == Pt(spec.size), name
        assert str(style.font.color.rgb) == spec.colour, name
    # The style the house lacks is made, from the same look as the PDF's.
    quote = out.styles["Quote"]
    assert quote.type == WD_STYLE_TYPE.PARAGRAPH and quote.font.italic
    section = out.sections[0]
    assert (round(section.page_width.mm), round(section.left_margin.mm)) == (210, 22)

    runs = pdf_runs(pdf)
    bold = {"Noto Sans": "NotoSans-Bold", "DejaVu Sans": "DejaVuSans-Bold"}
    # (The contents list and the running header repeat some of these lines.)
    assert (bold["Noto Sans"], 26.0) in faces_of(runs, "The quiet return of the night train")
    assert (bold["DejaVu Sans"], 16.0) in faces_of(runs, "Who rides the night train")
    assert (bold["DejaVu Sans"], 16.0) in faces_of(runs, "The economics")
    assert (bold["DejaVu Sans"], 13.0) in faces_of(runs, "What the subsidy pays for")
    assert faces_of(runs, "Five years after the last overnight") == {("NotoSerif-Regular", 11.0)}
    assert faces_of(runs, "business travellers who want to") == {("NotoSerif-Regular", 11.0)}
    # The quote: Briefer's own look (italic body font) in both.
    assert faces_of(runs, "A compartment is a hotel room") == {("NotoSerif-Italic", 11.0)}
    page = PdfReader(str(pdf)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_a_look_changed_in_briefer_reaches_the_base_only_where_it_changed(
    house_template, tmp_path
) -> None:
    looks = house_template.style.looks
    heading = dataclasses.replace(looks.heading_1, color="#006600", size_pt=18.0)
    edited = dataclasses.replace(
        house_template,
        style=dataclasses.replace(
            house_template.style, looks=looks.replace(TextElement.HEADING_1, heading)
        ),
    )
    word, pdf = export_both(edited, tmp_path)
    out = docx.Document(str(word))
    assert str(out.styles["Heading 1"].font.color.rgb) == "006600"
    assert out.styles["Heading 1"].font.size == Pt(18)
    assert out.styles["Heading 1"].font.name == "DejaVu Sans"
    assert str(out.styles["Heading 2"].font.color.rgb) == "C00000"
    assert faces_of(pdf_runs(pdf), "Who rides the night train") >= {("DejaVuSans-Bold", 18.0)}

    # Looks read from the base as they are leave its styles as they are.
    (tmp_path / "plain").mkdir()
    untouched, _ = export_both(house_template, tmp_path / "plain")
    with zipfile.ZipFile(house_template.style.reference_docx) as base:
        house_styles = base.read("word/styles.xml")
    with zipfile.ZipFile(untouched) as exported:
        styles = exported.read("word/styles.xml")
    heading_1 = house_styles[house_styles.index(b'w:styleId="Heading1"') :]
    heading_1 = heading_1[: heading_1.index(b"</w:style>")]
    assert heading_1 in styles


def test_a_folder_base_without_looks_is_followed_by_the_pdf(tmp_path: Path) -> None:
    # A template written by hand, with the house's reference.dotx beside it
    # and nothing about the look in template.toml.
    folder = tmp_path / "hand"
    shutil.copytree(REPO / "templates" / "bluf-memo", folder)
    house_dotx(tmp_path)
    shutil.copy(tmp_path / "house.dotx", folder / "reference.dotx")
    toml = folder / "template.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('id = "bluf-memo"', 'id = "hand"'),
        encoding="utf-8",
    )
    template = load_template(folder)
    assert template.style.looks.heading_1.font == "DejaVu Sans"
    assert template.style.body_font == "Noto Serif"
    brief = dataclasses.replace(load_brief(folder / "sample.brief"), template="hand")
    pdf = tmp_path / "hand.pdf"
    export(brief, template, pdf, "pdf", settings=ExportSettings(deterministic=True))
    runs = pdf_runs(pdf)
    assert faces_of(runs, "Bottom Line Up Front") >= {("DejaVuSans-Bold", 16.0)}


# -- the command line ----------------------------------------------------------------------


def test_reference_gives_both_exports_the_house_style_and_names_what_it_lacks(
    tmp_path: Path,
) -> None:
    dotx = house_dotx(tmp_path)
    sample = REPO / "templates" / "long-form" / "sample.brief"
    code, _, err = cli(
        "export", str(sample), "--reference", str(dotx), "--format", "docx,pdf",
        "--outdir", str(tmp_path / "out"),
    )  # fmt: skip
    assert code == 0, err
    assert err.splitlines() == [
        "briefer: warning: house.dotx has no Quote style; Briefer's own look is used for it in"
        " both exports, and the DOCX gets a style made from it"
    ]
    runs = pdf_runs(tmp_path / "out" / "sample.pdf")
    assert ("NotoSans-Bold", 26.0) in faces_of(runs, "The quiet return of the night train")
    heading = docx.Document(str(tmp_path / "out" / "sample.docx")).styles["Heading 1"]
    assert (heading.font.name, heading.font.size) == ("DejaVu Sans", Pt(16))
    assert dotx.read_bytes() == (tmp_path / "house.dotx").read_bytes()


def test_templates_save_with_a_house_style(tmp_path: Path) -> None:
    dotx = house_dotx(tmp_path)
    sample = REPO / "templates" / "bluf-memo" / "sample.brief"
    code, out, err = cli(
        "templates", "save", str(sample), "--id", "acme-memo", "--name", "ACME memo",
        "--house-style", str(dotx), "--with-sample",
    )  # fmt: skip
    assert code == 0, err
    assert "house.dotx has no Quote style" in err
    folder = Paths.from_env().user_templates / "acme-memo"
    assert (folder / "reference.dotx").read_bytes() == dotx.read_bytes()
    code, out, _ = cli("templates", "show", "acme-memo")
    assert "  Heading 1: DejaVu Sans, 16 pt, #C00000, bold, 18 pt before, 6 pt after" in out
    code, out, err = cli("templates", "check", str(folder))
    assert code == 0 and "error" not in err, err


def test_a_house_header_and_footer_are_not_stacked_with_the_templates(tmp_path: Path) -> None:
    dotx = house_dotx(tmp_path, header="ACME HEADER", footer="ACME FOOTER")
    source = tmp_path / "note.md"
    source.write_text(
        "---\ntitle: Harbour data\nclassification: INTERNAL\ntemplate: smart-brevity\n---\n\n"
        "- One point.\n\n## What Happened?\n\nText.\n",
        encoding="utf-8",
    )
    target = tmp_path / "note.docx"
    code, _, err = cli("export", str(source), "--reference", str(dotx), "-o", str(target))
    assert code == 0, err
    section = docx.Document(str(target)).sections[0]
    # The classification the template's header shows goes above the house's
    # header; the template's footer is not added under the house's.
    assert [p.text for p in section.header.paragraphs] == ["INTERNAL", "ACME HEADER"]
    assert [p.text for p in section.footer.paragraphs] == ["ACME FOOTER"]
    # The PDF draws the same: the house's lines, in the house's Header style
    # (Normal's font and size), the classification above them, and nothing
    # of the template's header or footer.
    pdf = tmp_path / "note.pdf"
    code, _, err = cli("export", str(source), "--reference", str(dotx), "-o", str(pdf))
    assert code == 0, err
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines[:3] == ["INTERNAL", "ACME HEADER", "Harbour data"]
    assert lines[-1] == "ACME FOOTER" and text.count("ACME") == 2
    assert "Page 1 of 1" not in text
    assert faces_of(pdf_runs(pdf), "ACME HEADER") == {("NotoSerif-Regular", 11.0)}


@pytest.mark.slow
def test_libreoffice_draws_the_docx_in_the_fonts_of_the_pdf(house_template, tmp_path) -> None:
    if shutil.which("soffice") is None or shutil.which("pdffonts") is None:
        pytest.skip("needs LibreOffice and poppler-utils (make test installs them)")
    word, pdf = export_both(house_template, tmp_path)
    subprocess.run(
        [
            "soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path / "lo"), str(word),
        ],
        capture_output=True, timeout=300, check=True,
    )  # fmt: skip
    laid_out = tmp_path / "lo" / "acme.pdf"

    def families(path: Path) -> set[str]:
        lines = subprocess.run(
            ["pdffonts", str(path)], capture_output=True, text=True, check=True
        ).stdout.splitlines()[2:]
        return {line.split()[0].split("+", 1)[-1] for line in lines}

    ours, theirs = families(pdf), families(laid_out)
    for face in ("NotoSans-Bold", "NotoSerif-Regular", "NotoSerif-Italic", "DejaVuSans-Bold"):
        assert face in ours and face in theirs, (ours, theirs)
    assert len(PdfReader(str(pdf)).pages) == len(PdfReader(str(laid_out)).pages)
