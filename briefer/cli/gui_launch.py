"""`briefer`, `briefer FILE.brief` and `briefer NOTES.md`: open the window.

With no file, the window opens with a new brief; with a `.brief`, that
brief; with Markdown notes, a new unsaved brief made from them (Save asks
where to keep it). Without a display to open a window on (a server, an SSH
session without X forwarding), this says so in one line instead of letting
Qt abort, and names the command line's way to export.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from briefer.errors import BrieferError


def display_problem(env: Mapping[str, str], platform: str = sys.platform) -> str | None:
    """Why no window can open here, or None. Only X11 and Wayland systems
    can lack a display; Qt is told where to draw by QT_QPA_PLATFORM, else
    by DISPLAY or WAYLAND_DISPLAY."""
    if platform.startswith(("win", "darwin")):
        return None
    if env.get("QT_QPA_PLATFORM") or env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None
    return (
        "no display to open the Briefer window on (DISPLAY and WAYLAND_DISPLAY are not set);"
        " to export without the window, use: briefer export FILE -o OUT.pdf"
    )


def run(argv: list[str], ctx) -> int:
    files = [Path(arg) for arg in argv]
    if len(files) > 1:
        raise BrieferError("open one brief at a time: briefer FILE.brief")
    for path in files:
        if not path.is_file():
            raise BrieferError(f"{path}: no such file")
    problem = display_problem(os.environ)
    if problem is not None:
        raise BrieferError(problem)
    from briefer.gui.app import run_window

    return run_window(ctx.paths, files)
