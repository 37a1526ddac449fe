"""Shared fixture for the export tests: render blocks to a PDF and read it
back the way a reader's tools do (pdftotext)."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from briefer.document import Block, Document
from briefer.export.pdf import PdfExporter
from briefer.model import Meta, Style


@pytest.fixture
def pdf_text(tmp_path: Path) -> Callable[..., str]:
    """`pdf_text(blocks, "-raw")`: render the blocks with the default style
    and return pdftotext's output with the given option."""
    if shutil.which("pdftotext") is None:
        pytest.skip("needs poppler-utils (make test installs it)")

    def run(blocks: list[Block], option: str = "-raw") -> str:
        out = io.BytesIO()
        PdfExporter().render(Document(meta=Meta(title="Test"), style=Style(), blocks=blocks), out)
        pdf = tmp_path / "test.pdf"
        pdf.write_bytes(out.getvalue())
        done = subprocess.run(
            ["pdftotext", option, str(pdf), "-"], capture_output=True, text=True, check=True
        )
        return done.stdout

    return run
