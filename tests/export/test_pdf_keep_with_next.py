"""A heading stays with the start of a long table instead of leaving half a
page blank: the table begins under its heading and continues overleaf."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest

from briefer.document import Document, Heading, Paragraph, Table, Text
from briefer.export.pdf import PdfExporter
from briefer.model import Meta, Style


def pages_text(data: bytes, tmp_path: Path) -> list[str]:
    pdf = tmp_path / "t.pdf"
    pdf.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_a_long_table_starts_under_its_heading(tmp_path: Path) -> None:
    filler = " ".join(["Filler words to take up most of the first page."] * 60)
    rows = tuple(((Text(f"row {i}"),), (Text(str(i * 3)),)) for i in range(150))
    document = Document(
        meta=Meta(title="Tables"),
        style=Style(),
        blocks=[
            Paragraph((Text(filler),)),
            Heading(1, (Text("The long table"),), "h-long"),
            Table(header=((Text("Name"),), (Text("Number"),)), rows=rows),
        ],
    )
    out = io.BytesIO()
    PdfExporter().render(document, out)
    pages = pages_text(out.getvalue(), tmp_path)
    first = next(i for i, page in enumerate(pages) if "The long table" in page)
    assert first == 0, "the heading stays below the text it follows, no blank half page"
    assert "row 0" in pages[first], "the table starts on the heading's page"
    assert "row 149" not in pages[first]
    assert "Name" in pages[first + 1], "the header row repeats overleaf"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_a_heading_with_no_room_for_what_follows_moves_with_it(tmp_path: Path) -> None:
    # Filler that ends near the foot of page 1, leaving room for the heading
    # but not for the table's header and first row.
    filler = " ".join(["Filler words to take up the first page."] * 124)
    rows = tuple(((Text(f"row {i}"),), (Text(str(i)),)) for i in range(10))
    document = Document(
        meta=Meta(title="Tables"),
        style=Style(),
        blocks=[
            Paragraph((Text(filler),)),
            Heading(1, (Text("Moved heading"),), "h-moved"),
            Table(header=((Text("Name"),), (Text("Number"),)), rows=rows),
        ],
    )
    out = io.BytesIO()
    PdfExporter().render(document, out)
    pages = pages_text(out.getvalue(), tmp_path)
    page = next(i for i, p in enumerate(pages) if "Moved heading" in p)
    assert "Filler" in pages[0] and "Filler" not in pages[1], "the case is exercised"
    assert page == 1 and "row 0" in pages[page], "never a heading alone at the foot of a page"
