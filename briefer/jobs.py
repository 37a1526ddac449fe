"""Progress and cancellation for long work (export, library import).

Long work takes one optional `progress` callback of type `ProgressCallback`
and calls it with a `Progress` now and then. The caller stops the work by
raising `Cancelled` from that callback; the work then unwinds cleanly (no
temporary file left, the old output intact, an import rolled back) and the
`Cancelled` reaches the caller. A window keeps a `CancelToken` per job and
checks it in the callback; a command line passes a callback that draws a
progress bar. Nothing here knows about threads or Qt.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


class Cancelled(Exception):
    """Raised from a progress callback to stop the work that called it."""

    def __init__(self, message: str = "cancelled") -> None:
        super().__init__(message)


@dataclass(frozen=True)
class Progress:
    """How far a piece of work has come: `done` of `total` steps (`total` is
    0 while unknown), and what it is doing now, for a progress dialog."""

    done: int
    total: int = 0
    what: str = ""

    @property
    def fraction(self) -> float | None:
        """Between 0 and 1, or None while the total is unknown."""
        if self.total <= 0:
            return None
        return min(1.0, max(0.0, self.done / self.total))


ProgressCallback = Callable[[Progress], None]


class CancelToken:
    """A flag one thread sets and the working thread checks (thread-safe).

    `token.callback(report)` is a `ProgressCallback` that forwards each
    report to `report` (if any) and raises `Cancelled` once `cancel()` was
    called, so a job stops at its next progress report."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()

    def callback(self, report: ProgressCallback | None = None) -> ProgressCallback:
        def progress(p: Progress) -> None:
            self.check()
            if report is not None:
                report(p)

        return progress


def scaled(
    progress: ProgressCallback | None, start: int, end: int, total: int, what: str = ""
) -> ProgressCallback | None:
    """A callback for one part of a job, reporting on the job's scale: the
    part's `Progress(done, total)` becomes `start + (end - start) * fraction`
    of the job's `total` (`start` while the part's total is unknown), with
    the part's `what`, or else `what`. None when there is no callback."""
    if progress is None:
        return None

    def forward(p: Progress) -> None:
        fraction = p.fraction or 0.0
        progress(Progress(start + int((end - start) * fraction), total, p.what or what))

    return forward


def report(progress: ProgressCallback | None, done: int, total: int = 0, what: str = "") -> None:
    """Call `progress` if there is one (a shorthand for the workers)."""
    if progress is not None:
        progress(Progress(done, total, what))
