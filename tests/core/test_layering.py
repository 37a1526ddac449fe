"""Only briefer.gui may import Qt: the core runs headless."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import briefer

REPO = Path(__file__).resolve().parents[2]


def core_modules() -> list[str]:
    names = [
        info.name
        for info in pkgutil.walk_packages(briefer.__path__, prefix="briefer.")
        if not info.name.startswith("briefer.gui")
    ]
    return sorted(names)


def test_importing_the_whole_core_does_not_import_pyside6() -> None:
    modules = core_modules()
    assert {"briefer.compose", "briefer.editing", "briefer.jobs", "briefer.export.word"} <= set(
        modules
    )
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    if name != 'briefer.__main__':\n"
        "        importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "assert not bad, bad\n"
        "print(len(sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert done.returncode == 0, done.stderr


def test_no_core_source_mentions_qt() -> None:
    for path in (REPO / "briefer").rglob("*.py"):
        if "gui" in path.relative_to(REPO / "briefer").parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert "PySide6" not in text and "from PyQt" not in text, path
