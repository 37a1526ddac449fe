"""The `briefer` console command: start-up and shut-down for a short process.

A command such as `briefer export` runs for a fraction of a second, and two
interpreter habits cost it a lot there: the cyclic garbage collector runs
dozens of times while hundreds of modules import and a document is laid out
(15-70 ms), and at exit the interpreter tears down every object one by one
(30-90 ms) just before the operating system frees the memory anyway. So for
short commands the collector is paused (a batch export still collects between
inputs) and, once everything is written and flushed, the process exits at
once. The GUI (`briefer` alone, `briefer FILE.brief` or `briefer NOTES.md`)
is a long-lived process and runs with the interpreter's defaults.

This module imports nothing of Briefer's until the collector is set, so the
imports benefit too; `briefer.cli.main` stays an ordinary function for
callers in the same process, such as the tests.
"""

from __future__ import annotations

import gc
import os
import sys

# `briefer FILE` with one of these opens the window with that file.
WINDOW_FILE_SUFFIXES = (".brief", ".md", ".markdown", ".mdown", ".txt")


def is_short_lived(argv: list[str]) -> bool:
    """True for every command but the GUI (`briefer`, `briefer FILE.brief`,
    `briefer NOTES.md`)."""
    if not argv:
        return False
    return not (
        len(argv) == 1
        and not argv[0].startswith("-")
        and argv[0].lower().endswith(WINDOW_FILE_SUFFIXES)
    )


def run() -> None:
    argv = sys.argv[1:]
    short = is_short_lived(argv)
    if short:
        gc.disable()
    from briefer.cli import main, quiet_unraisable
    from briefer.paths import Paths

    if short:
        # One line per error: what Python ignores goes to a log, not the terminal.
        sys.unraisablehook = quiet_unraisable(Paths.from_env())
    code = main(argv)
    if not short:
        sys.exit(code)
    code = _flush_output(code)
    # Every file Briefer writes is closed (and fsynced) before main returns.
    os._exit(code)


def _flush_output(code: int) -> int:
    """Flush what is left of standard output and return the exit status. The
    output is the command's product, so output that cannot be written (a
    full disk, `> /dev/full`) is one error line and exit status 2 rather than
    a traceback or a silent success; a reader that went away (`| head`) is
    no error."""
    import contextlib  # long imported by Briefer by now; kept off the start-up path

    from briefer.errors import os_error_reason

    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        pass
    except OSError as exc:
        code = code or 2
        with contextlib.suppress(OSError, ValueError):
            print(f"briefer: error: standard output: {os_error_reason(exc)}", file=sys.stderr)
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    return code
