"""An Arabic paragraph opened by an English lead-in reads right to left:
the lead-in stands at the right, whole, on the first line (as in the DOCX)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from briefer.document import Document, Paragraph, Text
from briefer.export.pdf import PdfExporter
from briefer.model import Meta, Style

ARABIC = (
    "في عام 2026 ارتفعت الشحنات بنسبة 12% مقارنة بعام 2025، وفقاً لتقرير"
    " الميناء الصادر في لندن، واستمرت الزيادة حتى نهاية العام."
)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_lead_in_opens_a_right_to_left_paragraph_on_the_right(tmp_path: Path) -> None:
    document = Document(
        meta=Meta(title="RTL"),
        style=Style(),
        blocks=[Paragraph((Text(ARABIC),), lead_in="What Happened?")],
    )
    out = io.BytesIO()
    PdfExporter().render(document, out)
    pdf = tmp_path / "rtl.pdf"
    pdf.write_bytes(out.getvalue())
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = [
        (float(x0), float(y0), text)
        for x0, y0, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', html
        )
    ]
    # By the bidi rules the "?" goes to the far side of the Latin run: "?What".
    what = next(w for w in words if w[2] == "?What")
    happened = next(w for w in words if w[2] == "Happened")
    first_line = [w for w in words if abs(w[1] - what[1]) < 5]  # fonts differ in height
    assert abs(happened[1] - what[1]) < 2, "the lead-in stays whole on one line"
    assert happened[0] > what[0], "its own words keep their left-to-right order"
    arabic = [w for w in first_line if re.search("[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]", w[2])]
    assert arabic and all(w[0] < what[0] for w in arabic), "it stands right of the Arabic"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_punctuation_after_a_latin_word_takes_the_paragraphs_direction(tmp_path: Path) -> None:
    # Unicode's bidi rules: a sentence-final full stop after a Latin word in a
    # right-to-left paragraph goes to the far left (".Reuters"), while a comma
    # between two Latin words stays with them ("Reuters, AP").
    document = Document(
        meta=Meta(title="RTL"),
        style=Style(),
        blocks=[
            Paragraph((Text("נמל חיפה קיבל 40 אוניות, לפי Reuters."),)),
            Paragraph((Text("قال Reuters, AP أمس"),)),
        ],
    )
    out = io.BytesIO()
    PdfExporter().render(document, out)
    pdf = tmp_path / "rtl.pdf"
    pdf.write_bytes(out.getvalue())
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert ".Reuters" in text
    assert "Reuters, AP" in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_adjacent_right_to_left_runs_in_latin_text_read_as_one(tmp_path: Path) -> None:
    # "Ports — اختبار — בדיקה": Arabic, a dash, Hebrew form one right-to-left
    # sequence, so the Hebrew word stands left of the Arabic one.
    document = Document(
        meta=Meta(title="RTL"), style=Style(), blocks=[Paragraph((Text("Ports — اختبار — בדיקה"),))]
    )
    out = io.BytesIO()
    PdfExporter().render(document, out)
    pdf = tmp_path / "mixed.pdf"
    pdf.write_bytes(out.getvalue())
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]*)</word>', html)
    x = {text: float(x0) for x0, text in words}
    hebrew = next(v for k, v in x.items() if re.search("[\u0590-\u05ff]", k))
    arabic = next(v for k, v in x.items() if re.search("[\u0600-\u06ff\ufb50-\ufeff]", k))
    assert x["Ports"] < hebrew < arabic
