"""The Qt the project installs survives a long session.

PySide6 6.12.0 on Python 3.11 aborts the interpreter (`Fatal Python error:
none_dealloc`) after about 5,000 calls of Qt methods that return nothing;
short tests never notice, an analyst typing all day would. pyproject.toml
keeps that combination out; this test proves the installed one holds, in a
child process so an abort cannot take the test run with it.
"""

from __future__ import annotations

import subprocess
import sys

CALLS = """
from PySide6.QtCore import QObject
from PySide6.QtGui import QTextDocument
o = QObject()
d = QTextDocument()
for i in range(20_000):
    o.setObjectName("x")        # a method returning nothing
    d.setModified(bool(i & 1))  # and another, on a GUI class
print("survived")
"""


def test_twenty_thousand_calls_that_return_nothing_do_not_abort() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CALLS],
        capture_output=True,
        text=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "survived"


def test_the_pdf_view_the_preview_needs_is_installed() -> None:
    from PySide6.QtPdf import QPdfDocument  # noqa: F401
    from PySide6.QtPdfWidgets import QPdfView  # noqa: F401
