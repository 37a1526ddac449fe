"""Every built-in template's sample, exported as a user would, opens elsewhere.

The samples go through the command line to DOCX and PDF; LibreOffice converts
every sample DOCX without error and shows the same title, headings and page
footer; each PDF page renders to a non-blank PNG.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest

from briefer.cli import CliContext, main
from briefer.paths import Paths

REPO = Path(__file__).resolve().parents[2]
SAMPLES = sorted((REPO / "templates").glob("*/sample.brief"))
TITLES = {
    "smart-brevity": "Port of Halden opens its cargo data to rivals",
    "long-form": "The quiet return of the night train",
    "bluf-memo": "Ransomware group shifts to regional hospitals",
}


def export_all(outdir: Path, fmt: str) -> list[Path]:
    outputs = []
    for sample in SAMPLES:
        target = outdir / f"{sample.parent.name}.{fmt}"
        out, err = io.StringIO(), io.StringIO()
        code = main(
            ["export", str(sample), "-o", str(target)],
            CliContext(paths=Paths.from_env(), stdout=out, stderr=err),
        )
        assert code == 0, err.getvalue()
        assert err.getvalue() == "", err.getvalue()  # the samples export without warnings
        outputs.append(target)
    return outputs


def pdftotext(path: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(done.stdout.split())


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="needs LibreOffice and poppler-utils (make test installs them)",
)
def test_libreoffice_converts_every_sample_docx(tmp_path: Path) -> None:
    docs = export_all(tmp_path, "docx")
    converted = tmp_path / "lo"
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(converted),
            *map(str, docs),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for doc in docs:
        name = doc.stem
        text = pdftotext(converted / f"{name}.pdf")
        assert TITLES[name] in text
        headings = [
            p.text for p in docx.Document(str(doc)).paragraphs if p.style.name.startswith("Heading")
        ]
        for heading in headings:
            assert heading in text
    assert "UNCLASSIFIED // TRAINING SAMPLE" in pdftotext(converted / "bluf-memo.pdf")
    assert "Page 1 of 1" in pdftotext(converted / "smart-brevity.pdf")
    assert "Sources: Northern Ledger [1]; Coastal Wire [2]; Freight Desk Weekly [3]" in pdftotext(
        converted / "smart-brevity.pdf"
    )


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="needs poppler-utils (make test installs it)",
)
def test_every_sample_pdf_renders_non_blank_pages(tmp_path: Path) -> None:
    from PIL import Image

    for pdf in export_all(tmp_path, "pdf"):
        text = pdftotext(pdf)
        assert TITLES[pdf.stem] in text
        subprocess.run(
            ["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / pdf.stem)], check=True
        )
        pages = sorted(tmp_path.glob(f"{pdf.stem}-*.png"))
        assert pages
        for page in pages:
            with Image.open(page) as image:
                grey = image.convert("L")
                dark = sum(grey.histogram()[:128])
                assert dark > 500, f"{page.name} looks blank"


def test_reference_dotx_styles_reach_the_export(tmp_path: Path) -> None:
    # An organisation's .dotx with its own Normal font: the export uses it.
    base = docx.Document()
    base.styles["Normal"].font.name = "Liberation Serif"
    base.styles["Heading 1"].font.name = "Liberation Sans Narrow"
    plain = tmp_path / "house.docx"
    base.save(str(plain))
    dotx = tmp_path / "house.dotx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(dotx, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"wordprocessingml.document.main+xml", b"wordprocessingml.template.main+xml"
                )
            dst.writestr(item, data)
    before = dotx.read_bytes()
    target = tmp_path / "out.docx"
    sample = REPO / "templates" / "bluf-memo" / "sample.brief"
    err = io.StringIO()
    code = main(
        ["export", str(sample), "--reference", str(dotx), "-o", str(target)],
        CliContext(paths=Paths.from_env(), stdout=io.StringIO(), stderr=err),
    )
    assert code == 0, err.getvalue()
    out = docx.Document(str(target))
    assert out.styles["Normal"].font.name == "Liberation Serif"
    assert out.styles["Heading 1"].font.name == "Liberation Sans Narrow"
    assert out.paragraphs[0].text == TITLES["bluf-memo"]
    assert dotx.read_bytes() == before  # the user's template is never modified
