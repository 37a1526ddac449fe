"""The live preview's worker process: a brief in, the exported PDF out.

The window renders its preview here, in a process of its own, because a
rendering thread in the window's process would share its interpreter lock
and make typing stutter. The window starts `python -m briefer.preview_worker`
once and keeps it: the worker imports the exporter, builds the Markdown
parser and registers fonts once, then renders request after request with
them warm.

The two talk in frames over the worker's stdin and stdout: a 4-byte
big-endian length, then a pickled message (both ends are this module, run
by the same program). The worker's output starts with `GREETING`, so
anything a library printed while it started is skipped; after it, anything
printed goes to stderr. The window sends `RenderRequest`s and `Cancel`;
the worker answers each request once, with `Rendered`, `Failed` or
`Superseded`. The newest request wins: a thread in the worker reads
requests as they come, a request replaced before its render began is
answered `Superseded`, and a render that a newer request (or `Cancel`, or
the window closing stdin) overtakes stops at the exporter's next progress
report (a page or so) and answers the same. Closing stdin stops the
worker. Nothing here imports Qt.

`PreviewRenderer` is the rendering itself, usable in any process.
"""

from __future__ import annotations

import functools
import io
import os
import pickle
import re
import struct
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from briefer.errors import BrieferError
from briefer.jobs import Cancelled, Progress

# The window imports this module for its messages and frames; the exporter
# and the Markdown parser load only where they run, in the worker (and so
# the window can start the worker before it loads them itself).
if TYPE_CHECKING:
    from briefer.model import Brief, Template
    from briefer.pipeline import ExportSettings

MODULE = "briefer.preview_worker"  # run as `python -m briefer.preview_worker`
_HEADER = struct.Struct(">I")
# The worker's first words on stdout. Whatever came before them (a library
# printing while the worker imports it) is not a frame and is skipped.
GREETING = b"\x00briefer-preview-worker-1\x00"
# A frame larger than this is a broken stream, not a brief (a 100-page PDF
# is about 1 MB).
MAX_FRAME = 512 * 1024 * 1024
_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


# --------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderRequest:
    """Render `brief` with `template`; images are looked up in `base_dir`
    (the brief's folder; None reads no image). `id` grows with each request."""

    id: int
    brief: Brief
    template: Template
    base_dir: Path | None = None


@dataclass(frozen=True)
class Cancel:
    """Stop the render in progress, if any, and render nothing until the next
    request (the preview was hidden)."""


@dataclass(frozen=True)
class Rendered:
    """The PDF of request `id`: its bytes, page count, the export's warnings
    and the seconds the worker spent on it."""

    id: int
    pdf: bytes
    pages: int
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0


@dataclass(frozen=True)
class Failed:
    """Request `id` could not be rendered; `message` says why in one line."""

    id: int
    message: str


@dataclass(frozen=True)
class Superseded:
    """Request `id` was dropped for a newer one (or cancelled) before it was done."""

    id: int


Reply = Rendered | Failed | Superseded


# --------------------------------------------------------------------------
# Frames
# --------------------------------------------------------------------------


def encode(message: object) -> bytes:
    """One frame: the length, then the pickled message."""
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(body)) + body


class FrameDecoder:
    """Turns the worker's output, as it arrives from the pipe in pieces of
    any size, into messages (for a reader that must not block, such as the
    window's). Bytes before the worker's `GREETING` are skipped."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._greeted = False

    def feed(self, data: bytes) -> list[object]:
        self._buffer += data
        if not self._greeted:
            at = self._buffer.find(GREETING)
            if at < 0:
                del self._buffer[: max(0, len(self._buffer) - len(GREETING) + 1)]
                return []
            del self._buffer[: at + len(GREETING)]
            self._greeted = True
        messages = []
        while len(self._buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self._buffer)
            if size > MAX_FRAME:
                raise ValueError(f"preview frame of {size} bytes: the stream is broken")
            end = _HEADER.size + size
            if len(self._buffer) < end:
                break
            messages.append(pickle.loads(self._buffer[_HEADER.size : end]))
            del self._buffer[:end]
        return messages


def read_frame(stream: BinaryIO) -> object | None:
    """The next message from a blocking stream (the window's requests), or
    None at its end."""
    header = _read_exactly(stream, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    if size > MAX_FRAME:
        raise ValueError(f"preview frame of {size} bytes: the stream is broken")
    body = _read_exactly(stream, size)
    return None if body is None else pickle.loads(body)


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = stream.read(size - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------


def page_count(pdf: bytes) -> int:
    """The number of pages of a PDF written by reportlab (uncompressed page
    objects), without parsing it."""
    return len(_PAGE.findall(pdf))


class PreviewRenderer:
    """Composes and renders briefs to PDF bytes, keeping the Markdown parser,
    the exporter and its registered fonts between renders."""

    def __init__(self, settings: ExportSettings | None = None) -> None:
        from briefer.export import exporter_for
        from briefer.markup import MarkdownParser
        from briefer.paths import Paths
        from briefer.pipeline import ExportSettings

        self._settings = settings or ExportSettings.from_env(Paths.from_env())
        self._parser = MarkdownParser()
        self._exporter = exporter_for(
            "pdf", font_cache=self._settings.font_cache, font_dirs=self._settings.font_dirs
        )

    def render(self, request: RenderRequest, stale: Callable[[], bool] = lambda: False) -> Reply:
        """Render one request. `stale()` is asked at each progress report of
        the export; once it says True the render stops with `Superseded`."""
        from briefer.compose import compose

        started = time.perf_counter()

        def progress(_: Progress) -> None:
            if stale():
                raise Cancelled()

        try:
            document = compose(
                request.brief,
                request.template,
                base_dir=request.base_dir,
                parser=self._parser,
                created=self._settings.created,
                deterministic=self._settings.deterministic,
            )
            if stale():
                return Superseded(request.id)
            stream = io.BytesIO()
            warnings = self._exporter.render(document, stream, progress)
        except Cancelled:
            return Superseded(request.id)
        except BrieferError as exc:
            return Failed(request.id, str(exc))
        except Exception as exc:  # the export itself would fail: say so
            if not _is_layout_error(exc):  # a bug: the traceback goes to the window's log
                traceback.print_exc(file=sys.stderr)
            return Failed(request.id, failure_message(exc))
        pdf = stream.getvalue()
        diagnostics = (*(d.message for d in document.diagnostics), *warnings)
        return Rendered(
            request.id,
            pdf,
            page_count(pdf),
            tuple(dict.fromkeys(diagnostics)),
            time.perf_counter() - started,
        )

    def warm_up(self, stale: Callable[[], bool] = lambda: False) -> None:
        """Render a short brief once, so the first real request finds the
        exporter's modules loaded and the default fonts registered."""
        from briefer.model import Brief, Meta, Section, Template

        brief = Brief(
            "warm-up",
            Meta(title="Warm-up", author="Briefer"),
            (Section("body", "Heading", "Text with **bold** and *italic* [@s]."),),
        )
        self.render(RenderRequest(0, brief, Template("warm-up", "Warm-up")), stale)


def _is_layout_error(exc: Exception) -> bool:
    """Reportlab could not fit a block on a page: the brief's content (or
    the template's margins), not a bug."""
    from reportlab.platypus.doctemplate import LayoutError  # loaded with the exporter

    return isinstance(exc, LayoutError)


def failure_message(exc: Exception) -> str:
    """One line for the person on an export that failed unexpectedly."""
    if _is_layout_error(exc):
        return (
            "something in the brief does not fit on a page of this template (a table row,"
            " image or paragraph taller than the page's text area); exporting it to PDF"
            " fails the same way"
        )
    detail = " ".join(str(exc).split())
    if len(detail) > 160:
        detail = detail[:159] + "…"
    return (
        f"the PDF export failed ({type(exc).__name__}: {detail}); exporting this brief"
        " fails the same way"
    )


# --------------------------------------------------------------------------
# The process
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Work:
    """What the inbox hands the rendering loop: requests to answer as
    dropped, the request to render (with the serial of the message that
    brought it), and whether the window closed the pipe."""

    dropped: tuple[int, ...] = ()
    request: RenderRequest | None = None
    serial: int = 0
    closed: bool = False


class _Inbox:
    """Messages from the window, read by a thread of their own so a newer
    request is seen while a render runs. Only the newest request is kept."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._changed = threading.Condition()
        self._request: RenderRequest | None = None
        self._dropped: list[int] = []  # requests replaced before their render began
        self._serial = 0  # messages received so far
        self._closed = False

    def run(self) -> None:
        while True:
            try:
                message = read_frame(self._stream)
            except (OSError, ValueError, pickle.UnpicklingError, EOFError):
                message = None
            with self._changed:
                self._serial += 1
                if message is None:
                    self._closed = True
                elif isinstance(message, RenderRequest | Cancel):
                    if self._request is not None:
                        self._dropped.append(self._request.id)
                    self._request = message if isinstance(message, RenderRequest) else None
                self._changed.notify_all()
            if message is None:
                return

    def take(self) -> _Work:
        """Wait until there is something to do, and take it."""
        with self._changed:
            while self._request is None and not self._dropped and not self._closed:
                self._changed.wait()
            work = _Work(tuple(self._dropped), self._request, self._serial, self._closed)
            self._request, self._dropped = None, []
            return work

    def overtaken(self, serial: int) -> bool:
        """Whether anything (a newer request, a cancel, the end) came after
        the message numbered `serial`."""
        with self._changed:
            return self._serial != serial

    def waiting(self) -> bool:
        with self._changed:
            return self._request is not None or self._closed


def serve(requests: BinaryIO, replies: BinaryIO, renderer: PreviewRenderer) -> None:
    """Answer requests from `requests` on `replies` until `requests` ends."""
    inbox = _Inbox(requests)
    threading.Thread(target=inbox.run, name="preview-inbox", daemon=True).start()
    renderer.warm_up(stale=inbox.waiting)
    while True:
        work = inbox.take()
        answers: list[Reply] = [Superseded(dropped) for dropped in work.dropped]
        if work.closed:
            return
        if work.request is not None:
            stale = functools.partial(inbox.overtaken, work.serial)
            answers.append(renderer.render(work.request, stale))
        try:
            replies.write(b"".join(encode(answer) for answer in answers))
            replies.flush()
        except (BrokenPipeError, ValueError):
            return  # the window is gone


def open_replies() -> BinaryIO:
    """The worker's channel for frames, greeted: the real stdout. Anything
    else printed (by us or a library) goes to stderr from now on, where it
    cannot break a frame."""
    sys.stdout.flush()
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    replies.write(GREETING)
    replies.flush()
    return replies


def main() -> int:
    replies = open_replies()
    # No lower priority (`nice`): with another program keeping one of two
    # cores busy, `nice 5` made a 10-page rebuild take 0.41 s instead of
    # 0.27 s and typing no smoother (the window's thread works in bursts).
    serve(sys.stdin.buffer, replies, PreviewRenderer())
    return 0


if __name__ == "__main__":
    # Run as the importable module, not as `__main__`, so the messages
    # pickled here name `briefer.preview_worker` classes on both ends.
    from briefer.preview_worker import main as module_main

    sys.exit(module_main())
