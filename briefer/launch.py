"""The `briefer` console command: start-up and shut-down for a short process.

A command such as `briefer export` runs for a fraction of a second, and two
interpreter habits cost it a lot there: the cyclic garbage collector runs
dozens of times while hundreds of modules import and a document is laid out
(15-70 ms), and at exit the interpreter tears down every object one by one
(30-90 ms) just before the operating system frees the memory anyway. So for
short commands the collector is paused (a batch export still collects between
inputs) and, once everything is written and flushed, the process exits at
once. The GUI (`briefer` alone, or `briefer FILE.brief`) is a long-lived
process and runs with the interpreter's defaults.

This module imports nothing of Briefer's until the collector is set, so the
imports benefit too; `briefer.cli.main` stays an ordinary function for
callers in the same process, such as the tests.
"""

from __future__ import annotations

import gc
import os
import sys


def is_short_lived(argv: list[str]) -> bool:
    """True for every command but the GUI."""
    return bool(argv) and not (len(argv) == 1 and argv[0].lower().endswith(".brief"))


def run() -> None:
    argv = sys.argv[1:]
    short = is_short_lived(argv)
    if short:
        gc.disable()
    from briefer.cli import main

    code = main(argv)
    if not short:
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass
    # Every file Briefer writes is closed (and fsynced) before main returns.
    os._exit(code)
