"""Publication-grade output (issue 8), as the reader of the exported file sees it.

Briefs go through the command line, as a user exports them, to PDF and to
DOCX; the DOCX files are laid out by LibreOffice (one `soffice` call for the
whole module) and read back like the PDFs: text per page with pdftotext,
word boxes (`pdftotext -bbox`), baselines and pictures from the page content
with pypdf. Each test names the finding of issue 8 it closes:

1. the running header is not printed above the title on page 1, and the PDF
   outline never lists the title twice;
2. a citation marker never starts a line and has no gap before it;
3. every built-in template prints the classification on every page;
5. Smart Brevity's sections are Heading 2 and PDF bookmarks (also as lead-ins);
7. the two formats set text on the same line pitch and place it alike, the
   logo sits on page 1 only and no header runs into the text;
8. a house reference document's own header or footer wins over the
   template's, which fills only what the house left empty.
"""

from __future__ import annotations

import io
import itertools
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import docx
import pytest
from pypdf import PageObject, PdfReader
from pypdf.generic import ContentStream

from briefer.cli import CliContext, main
from briefer.paths import Paths

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = ("smart-brevity", "long-form", "bluf-memo")

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="needs LibreOffice and poppler-utils (make test installs them)",
)

# --------------------------------------------------------------------------
# The briefs
# --------------------------------------------------------------------------

FILLER = (
    "Berth schedules, crane plans and the night tariff were read by the council before"
    " the ministry asked the carriers for their view of the harbour fund"
)


def paragraphs(count: int, marker: str) -> str:
    """Paragraphs of growing length, each ending `glued` + `marker`, so that
    in some of them the marker falls at the end of a line."""
    out = []
    words = FILLER.split()
    for i in range(count):
        text = (FILLER + ". ") * (i % 3) + " ".join(words[: 8 + i % 17]) + " " + "x" * (i % 9)
        out.append(f"{text} glued {marker}. After the marker.")
    return "\n\n".join(out)


def markdown(template: str, body: str, **meta: str) -> str:
    front = {"title": "Harbour data opens to rivals", "author": "Mira Castell"}
    front.update(date="2026-11-24", template=template, **meta)
    lines = ["---", *(f"{k}: {v}" for k, v in front.items()), "---", "", body, ""]
    lines += [
        '[@a]: https://a.example.org/one "Report one" {publisher="Northern Ledger"}',
        '[@b]: https://b.example.org/two "Report two" {publisher="Coastal Wire"}',
    ]
    return "\n".join(lines) + "\n"


SMART = """\
- The port will publish its berth schedules as open data [@a].
- Shipping lines that share arrival estimates get priority windows [@b].

## What Happened?

The port authority voted on Tuesday to release its schedules [@a].

## Why It Matters?

Open schedules let us plan trucking slots days earlier [@b].

## What's Next?

The first data set goes live on 1 February.
"""

LONG_FORM = (
    """\
# Harbour data opens to rivals

A lede about the harbour, its schedules and who reads them [@a].

## Who reads the schedules

Three kinds of reader, by the port's own count [@b]:

1. carriers planning their calls a week ahead;
2. hauliers booking trucks for the quay;
   - and their brokers;
3. the port's own pilots.

> The schedule is the one document every party here reads before breakfast.

| Reader | Share | Since |
|:-------|------:|------:|
| Carriers | 61% | 2019 |
| Hauliers | 30% | 2021 |

"""
    + paragraphs(14, "[@a]")
    + """

## What it costs

"""
    + paragraphs(14, "[@b]")
)


def glue_body(template: str) -> str:
    """Markers at every position of a line: two adjacent ones per paragraph."""
    sections = {
        "long-form": "## Body\n\n",
        "bluf-memo": "## Discussion\n\n",
        "smart-brevity": "## What Happened?\n\n",
    }
    return sections[template] + paragraphs(40, "[@a][@b]")


@dataclass(frozen=True)
class Exported:
    pdf: Path
    docx: Path
    laid_out: Path  # the DOCX as LibreOffice lays it out, as a PDF

    def file(self, fmt: str) -> Path:
        return self.pdf if fmt == "pdf" else self.laid_out


def house_reference(folder: Path, *, header: str = "", footer: str = "") -> Path:
    """A house-style Word document made with python-docx, with its own
    header and/or footer text."""
    base = docx.Document()
    section = base.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if footer:
        section.footer.paragraphs[0].text = footer
    path = folder / f"house-{bool(header)}-{bool(footer)}.docx"
    base.save(str(path))
    return path


def user_template(folder: Path, name: str, source: str, **style: str) -> Path:
    """A copy of built-in template `source` with some style keys changed."""
    target = folder / name
    shutil.copytree(REPO / "templates" / source, target)
    toml = target / "template.toml"
    text = toml.read_text(encoding="utf-8").replace(f'id = "{source}"', f'id = "{name}"')
    for key, value in style.items():
        text, count = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
        if not count:
            text = text.replace("[style]\n", f"[style]\n{key} = {value}\n")
    toml.write_text(text, encoding="utf-8")
    return target


def export(inputs: Path, target: Path, *extra: str) -> None:
    err = io.StringIO()
    code = main(
        ["export", str(inputs), "-o", str(target), *extra],
        CliContext(paths=Paths.from_env(), stdout=io.StringIO(), stderr=err),
    )
    assert code == 0, err.getvalue()


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Exported]:
    folder = tmp_path_factory.mktemp("publication")
    briefs: dict[str, tuple[str, tuple[str, ...]]] = {}
    for template in TEMPLATES:
        briefs[f"classified-{template}"] = (
            markdown(template, LONG_FORM, classification="SECRET // HARBOUR"),
            (),
        )
        briefs[f"glue-{template}"] = (markdown(template, glue_body(template)), ())
    briefs["title-twice"] = (markdown("long-form", LONG_FORM), ())
    fields = user_template(
        folder, "fields", "long-form", header='"{classification} · {title}"', banner="false"
    )
    briefs["page-one-header"] = (
        markdown("long-form", LONG_FORM, classification="SECRET"),
        ("--template", str(fields)),
    )
    briefs["smart"] = (markdown("smart-brevity", SMART), ())
    lead_in = user_template(folder, "lead-in", "smart-brevity", heading_look='"lead-in"')
    briefs["smart-lead-in"] = (markdown("smart-brevity", SMART), ("--template", str(lead_in)))
    only_header = house_reference(folder, header="HOUSE HEADER")
    only_footer = house_reference(folder, footer="HOUSE FOOTER")
    briefs["house-header"] = (
        markdown("smart-brevity", SMART, classification="INTERNAL"),
        ("--reference", str(only_header)),
    )
    briefs["house-footer"] = (markdown("long-form", LONG_FORM), ("--reference", str(only_footer)))

    out: dict[str, Exported] = {}
    for name, (text, extra) in briefs.items():
        source = folder / f"{name}.md"
        source.write_text(text, encoding="utf-8")
        pdf, word = folder / f"{name}.pdf", folder / f"{name}.docx"
        export(source, pdf, *extra)
        export(source, word, *extra)
        out[name] = Exported(pdf, word, folder / "lo" / f"{name}.pdf")
    libreoffice([e.docx for e in out.values()], folder / "lo", folder / "profile")
    return out


def libreoffice(files: list[Path], outdir: Path, profile: Path) -> None:
    """Lay out every DOCX in one LibreOffice run, to PDF in `outdir`."""
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    missing = [f.name for f in files if not (outdir / f"{f.stem}.pdf").is_file()]
    assert not missing, missing


# --------------------------------------------------------------------------
# Reading a PDF as its reader sees it
# --------------------------------------------------------------------------


def page_texts(pdf: Path) -> list[str]:
    """The text of each page, white space squashed."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


@dataclass(frozen=True)
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def page_words(pdf: Path) -> list[list[Word]]:
    """Each page's words with their boxes (from the top of the page)."""
    xml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    root = ElementTree.fromstring(re.sub(r'xmlns="[^"]+"', "", xml, count=1))
    return [
        [
            Word(*(float(w.get(k, "0")) for k in ("xMin", "yMin", "xMax", "yMax")), w.text or "")
            for w in page.iter("word")
        ]
        for page in root.iter("page")
    ]


@dataclass(frozen=True)
class Line:
    y: float  # baseline, from the top of the page
    size: float
    text: str


def baselines(pdf: Path) -> list[list[Line]]:
    """The text drawn on each page with its baseline and font size."""
    return [_page_lines(page) for page in PdfReader(str(pdf)).pages]


def _page_lines(page: PageObject) -> list[Line]:
    height = float(page.mediabox.height)
    found: list[Line] = []

    def visit(text: str, cm: list, tm: list, _font: object, size: float) -> None:
        if text.strip():
            y = tm[5] * cm[3] + tm[4] * cm[1] + cm[5]
            found.append(Line(round(height - y, 2), round(size * abs(cm[3] or 1), 2), text))

    page.extract_text(visitor_text=visit)
    return found


def pictures(pdf: Path) -> list[list[tuple[float, float]]]:
    """Each page's pictures as (top, bottom), from the top of the page."""
    reader = PdfReader(str(pdf))
    out = []
    for page in reader.pages:
        height = float(page.mediabox.height)
        xobjects = page.get("/Resources", {}).get("/XObject", {})
        images = {
            name for name, ref in xobjects.items() if ref.get_object().get("/Subtype") == "/Image"
        }
        stack: list[list[float]] = []
        ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
        found = []
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op == b"q":
                stack.append(ctm)
            elif op == b"Q" and stack:
                ctm = stack.pop()
            elif op == b"cm":
                a, b, c, d, e, f = (float(v) for v in operands)
                m = ctm
                ctm = [
                    a * m[0] + b * m[2],
                    a * m[1] + b * m[3],
                    c * m[0] + d * m[2],
                    c * m[1] + d * m[3],
                    e * m[0] + f * m[2] + m[4],
                    e * m[1] + f * m[3] + m[5],
                ]
            elif op == b"Do" and operands[0] in images:
                bottom, top = ctm[5], ctm[5] + ctm[3]
                found.append((round(height - top, 1), round(height - bottom, 1)))
        out.append(found)
    return out


def outline_titles(pdf: Path) -> list[str]:
    def walk(items: list) -> Iterator[str]:
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item.title

    return list(walk(PdfReader(str(pdf)).outline))


FORMATS = ("pdf", "docx")

# --------------------------------------------------------------------------
# 1. The title once on page 1
# --------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
def test_page_one_header_leaves_out_the_title_and_keeps_the_classification(
    exports: dict[str, Exported], fmt: str
) -> None:
    # Header "{classification} · {title}": on page 1 the title is printed
    # right below, so the header there is the classification alone.
    pages = page_texts(exports["page-one-header"].file(fmt))
    title = "Harbour data opens to rivals"
    assert len(pages) >= 2
    assert pages[0].count(title) == 1, pages[0][:300]
    assert pages[0].startswith("SECRET " + title), pages[0][:100]
    for page in pages[1:]:
        assert page.startswith(f"SECRET · {title}"), page[:100]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
def test_the_long_form_title_is_printed_once_on_page_one(
    exports: dict[str, Exported], fmt: str
) -> None:
    # The Markdown has a front-matter title and a `# ` line repeating it,
    # and the template's header is "{title}": page 1 still shows it once.
    pages = page_texts(exports["title-twice"].file(fmt))
    assert pages[0].count("Harbour data opens to rivals") == 1
    assert all(page.count("Harbour data opens to rivals") == 1 for page in pages[1:])


@pytest.mark.slow
def test_the_pdf_outline_never_lists_the_title_twice(exports: dict[str, Exported]) -> None:
    titles = outline_titles(exports["title-twice"].pdf)
    assert titles.count("Harbour data opens to rivals") <= 1
    assert titles[:2] == ["Who reads the schedules", "What it costs"]
    headings = [
        p.text
        for p in docx.Document(str(exports["title-twice"].docx)).paragraphs
        if p.style.name.startswith("Heading")
    ]
    assert "Harbour data opens to rivals" not in headings


# --------------------------------------------------------------------------
# 2. Citation markers glued to their words
# --------------------------------------------------------------------------

MARKER = re.compile(r"(\[1\]\[2\]|1,2)\.?")


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("template", TEMPLATES)
def test_a_citation_marker_stays_against_its_word(
    exports: dict[str, Exported], fmt: str, template: str
) -> None:
    # 40 paragraphs of growing length end `glued [@a][@b].`: wherever the
    # line ends, the markers stay on the line of the word before them, with
    # no gap between (no line starts with `[2]`, `1,2` or the full stop).
    pdf = exports[f"glue-{template}"].file(fmt)
    checked = 0
    for words in page_words(pdf):
        for i, word in enumerate(words):
            if not word.text.startswith("glued"):
                continue
            checked += 1
            rest = word.text.removeprefix("glued")
            if MARKER.fullmatch(rest):
                continue  # read as one word: nothing between
            marker = words[i + 1]
            assert MARKER.fullmatch(marker.text), (word, marker)
            assert abs(marker.x0 - word.x1) < 1.0, (word, marker)  # no gap
            assert word.y0 - 4 <= marker.y0 and marker.y1 <= word.y1 + 1, (word, marker)
    assert checked == 40


@pytest.mark.slow
def test_adjacent_footnote_numbers_are_kept_apart_in_word(exports: dict[str, Exported]) -> None:
    # Two footnotes cited together read 1,2 (as in the PDF), never 12.
    text = " ".join(page_texts(exports["glue-bluf-memo"].laid_out))
    assert len(re.findall(r"glued ?1,2\.", text)) == 40
    assert "glued12" not in text and "glued 12" not in text


# --------------------------------------------------------------------------
# 3. The classification on every page
# --------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_built_in_template_prints_the_classification_on_every_page(
    exports: dict[str, Exported], fmt: str, template: str
) -> None:
    pages = page_texts(exports[f"classified-{template}"].file(fmt))
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert "SECRET // HARBOUR" in page, f"page {number}: {page[:120]}"


# --------------------------------------------------------------------------
# 5. Smart Brevity's sections are headings
# --------------------------------------------------------------------------

SMART_HEADINGS = ["What Happened?", "Why It Matters?", "What\u2019s Next?"]


@pytest.mark.slow
def test_smart_brevity_sections_are_heading_2_and_bookmarks(
    exports: dict[str, Exported],
) -> None:
    document = docx.Document(str(exports["smart"].docx))
    styled = [(p.style.name, p.text) for p in document.paragraphs]
    assert [t for s, t in styled if s == "Heading 2"] == SMART_HEADINGS
    assert not [t for s, t in styled if s == "Heading 1"]
    assert outline_titles(exports["smart"].pdf) == SMART_HEADINGS
    # Each heading a line of its own in both, above its paragraph.
    for fmt in FORMATS:
        lines = [line.text for line in baselines(exports["smart"].file(fmt))[0]]
        for heading in SMART_HEADINGS:
            assert heading in lines, (fmt, lines)


@pytest.mark.slow
def test_smart_brevity_heading_2_is_compact_and_bold(exports: dict[str, Exported]) -> None:
    document = docx.Document(str(exports["smart"].docx))
    heading = document.styles["Heading 2"]
    body = document.styles["Normal"]
    assert heading.font.bold
    assert heading.font.size.pt == 11.5  # a step above the 10.5 pt text
    assert str(heading.font.color.rgb) == "0B5CAD"
    assert heading.paragraph_format.space_before.pt <= 1.1 * heading.font.size.pt
    assert body.font.size.pt == 10.5


@pytest.mark.slow
def test_the_lead_in_look_still_has_bookmarks(exports: dict[str, Exported]) -> None:
    assert outline_titles(exports["smart-lead-in"].pdf) == SMART_HEADINGS
    document = docx.Document(str(exports["smart-lead-in"].docx))
    opened = [p for p in document.paragraphs if p.runs and p.runs[0].text in SMART_HEADINGS]
    assert [p.runs[0].style.name for p in opened] == ["Lead In"] * 3
    assert not [p for p in document.paragraphs if p.style.name.startswith("Heading")]


# --------------------------------------------------------------------------
# 7. The same page in both formats
# --------------------------------------------------------------------------


def line_pitch(pdf: Path, size: float) -> float:
    """The most common distance between consecutive baselines of text of
    `size` on the first two pages: the pitch lines of a paragraph are set on."""
    distances: list[float] = []
    for lines in baselines(pdf)[:2]:
        ys = sorted({line.y for line in lines if abs(line.size - size) < 0.05})
        distances += [round(b - a, 1) for a, b in itertools.pairwise(ys)]
    return max(set(distances), key=distances.count)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "size", "pitch"),
    [
        ("classified-smart-brevity", 10.5, 10.5 * 1.25),
        ("classified-long-form", 10.5, 10.5 * 1.3),
        ("classified-bluf-memo", 11.0, 11.0 * 1.25),
    ],
)
def test_text_is_set_on_the_same_line_pitch(
    exports: dict[str, Exported], name: str, size: float, pitch: float
) -> None:
    # Before: 13.1 pt in the PDF against 15.3 pt in the DOCX as LibreOffice
    # laid it out, so a one-page PDF was a two-page DOCX.
    for fmt in FORMATS:
        assert line_pitch(exports[name].file(fmt), size) == pytest.approx(pitch, abs=0.2), fmt


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", ["title-twice", "classified-bluf-memo", "classified-smart-brevity", "smart"]
)
def test_lines_land_at_the_same_height_in_both_formats(
    exports: dict[str, Exported], name: str
) -> None:
    # Every line of page 1 (headings, lists, quotes, table rows, footnotes
    # and furniture too) is within 2 pt of the same line in the other format.
    def first_words(fmt: str) -> dict[str, float]:
        found: dict[str, float] = {}
        for line in baselines(exports[name].file(fmt))[0]:
            key = " ".join(line.text.split()[:4])
            if len(key) > 12:
                found.setdefault(key, line.y)
        return found

    pdf, word = first_words("pdf"), first_words("docx")
    common = sorted(set(pdf) & set(word), key=pdf.__getitem__)
    assert len(common) >= 8
    apart = {key: (pdf[key], word[key]) for key in common if abs(pdf[key] - word[key]) > 2.0}
    assert not apart


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
def test_the_logo_is_on_page_one_only_and_above_the_title(
    exports: dict[str, Exported], fmt: str
) -> None:
    pdf = exports["title-twice"].file(fmt)
    pages = pictures(pdf)
    assert len(pages) >= 2
    assert len(pages[0]) == 1 and not any(pages[1:])
    logo_bottom = pages[0][0][1]
    title = next(line for line in baselines(pdf)[0] if line.text.startswith("Harbour data"))
    assert logo_bottom < title.y - title.size, (logo_bottom, title)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", ["classified-long-form", "classified-bluf-memo", "smart"])
def test_no_header_runs_into_the_text(exports: dict[str, Exported], fmt: str, name: str) -> None:
    # The header's last line (banner, logo, header text) ends above the
    # first line of text on every page, also when banner and logo together
    # are taller than the top margin.
    pdf = exports[name].file(fmt)
    for page, (lines, images) in enumerate(zip(baselines(pdf), pictures(pdf), strict=True), 1):
        ordered = sorted(lines, key=lambda line: line.y)
        body_size = max(line.size for line in ordered)
        top_text = [line for line in ordered if line.size >= 9.9 or line.size == body_size]
        first = (
            top_text[0]
            if page > 1
            else next(line for line in ordered if line.text.startswith("Harbour data"))
        )
        above = [line for line in ordered if line.y < first.y - first.size]
        bottom = max([line.y + 0.25 * line.size for line in above] + [b for _, b in images] + [0])
        assert bottom < first.y - 0.8 * first.size, (page, bottom, first)


# --------------------------------------------------------------------------
# 8. A house reference document's header and footer
# --------------------------------------------------------------------------


@pytest.mark.slow
def test_the_house_header_wins_and_the_template_footer_fills_the_room(
    exports: dict[str, Exported],
) -> None:
    exported = exports["house-header"]
    section = docx.Document(str(exported.docx)).sections[0]
    # The classification the template's header would have shown goes
    # above the house's header; nothing else of the template's is stacked.
    assert [p.text for p in section.header.paragraphs] == ["INTERNAL", "HOUSE HEADER"]
    footer = [p.text for p in section.footer.paragraphs]
    assert footer == ["Harbour data opens to rivals · 2026-11-24 · Page 1 of 1"]
    page = page_texts(exported.laid_out)[0]
    assert page.startswith("INTERNAL HOUSE HEADER Harbour data opens to rivals")
    assert page.count("HOUSE HEADER") == 1
    assert page.endswith("Page 1 of 1")


@pytest.mark.slow
def test_the_house_footer_wins_and_page_one_keeps_it(exports: dict[str, Exported]) -> None:
    exported = exports["house-footer"]
    section = docx.Document(str(exported.docx)).sections[0]
    # The template's header (the title, the logo on page 1) fills the room
    # the house left; the house's footer is on every page, page 1 included.
    assert [p.text for p in section.header.paragraphs] == ["Harbour data opens to rivals"]
    assert section.different_first_page_header_footer
    assert [p.text for p in section.first_page_footer.paragraphs] == ["HOUSE FOOTER"]
    assert [p.text for p in section.footer.paragraphs] == ["HOUSE FOOTER"]
    pages = page_texts(exported.laid_out)
    assert len(pages) >= 2
    assert all(page.endswith("HOUSE FOOTER") for page in pages)
    assert all(page.count("HOUSE FOOTER") == 1 for page in pages)
    assert len(pictures(exported.laid_out)[0]) == 1  # the logo, on page 1
