"""The diagnostics worker process: a brief in, compose's diagnostics out.

The window shows compose's notes (an unknown citation, a section over its
budget, a required section left empty) on the editors they concern, a
moment after typing pauses. Composing a 10,000-word brief takes 30-80 ms
of Python; on a thread of the window's process it would hold the
interpreter lock while the person types (measured: keystrokes took 33 ms
instead of 5 ms while it ran), so it runs here, in a process of its own,
started once per window by `workers.DiagnosticsRunner` and kept warm.

Frames are the preview worker's (`briefer.preview_worker.encode`): the
window sends `ComposeRequest`s on stdin, one at a time, and the worker
answers each with `Composed` (or `ComposeFailed`) on stdout. Closing stdin
stops it. Nothing here imports Qt.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from briefer.document import Diagnostic
from briefer.model import Brief, Template
from briefer.preview_worker import encode, open_replies, read_frame

MODULE = "briefer.gui.compose_worker"  # run as `python -m briefer.gui.compose_worker`


@dataclass(frozen=True)
class ComposeRequest:
    id: int
    brief: Brief
    template: Template
    base_dir: Path | None = None


@dataclass(frozen=True)
class Composed:
    id: int
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class ComposeFailed:
    id: int
    message: str


def serve(requests: BinaryIO, replies: BinaryIO) -> None:
    """Answer requests until `requests` ends, with one warm parser."""
    from briefer.compose import compose
    from briefer.markup import MarkdownParser

    parser = MarkdownParser()
    while True:
        request = read_frame(requests)
        if request is None:
            return
        if not isinstance(request, ComposeRequest):
            continue
        try:
            document = compose(
                request.brief, request.template, base_dir=request.base_dir, parser=parser
            )
            reply: Composed | ComposeFailed = Composed(request.id, document.diagnostics)
        except Exception as exc:  # a bug in compose must not end the worker
            reply = ComposeFailed(request.id, f"{type(exc).__name__}: {exc}")
        try:
            replies.write(encode(reply))
            replies.flush()
        except (BrokenPipeError, ValueError):
            return  # the window is gone


def main() -> int:
    serve(sys.stdin.buffer, open_replies())
    return 0


if __name__ == "__main__":
    # Run as the importable module, so the messages pickled here name
    # `briefer.gui.compose_worker` classes on both ends.
    from briefer.gui.compose_worker import main as module_main

    sys.exit(module_main())
