"""How a library import reports its progress, on one scale for the whole file.

An import calls its `briefer.jobs.ProgressCallback` with
`Progress(done, STEPS, what)`: reading the file takes steps 0 to READ_END
(`what` is "Reading notes.jsonl"), storing its rows up to STORE_END
("Storing notes.jsonl") and indexing them the rest ("Indexing
notes.jsonl"); the last report of a finished import has `done == STEPS`.
The shares follow where the time goes in a large JSON Lines import, so the
bar moves at an even pace. Reports come at least every few tens of
milliseconds of work (every MiB read, every `STORE_CHUNK` rows stored, every
`INDEX_CHUNK` rows indexed), so a `Cancelled` raised from the callback stops
even a 100,000-row import within a fraction of a second.
"""

from __future__ import annotations

from briefer.jobs import Progress, ProgressCallback

STEPS = 1000
READ_END = 200
STORE_END = 680
# `Library.import_records` alone (a file already read) spreads storing and
# indexing over all STEPS, in the same proportion as an import does.
RECORDS_STORE_END = STEPS * (STORE_END - READ_END) // (STEPS - READ_END)
# Rows prepared and inserted between two reports while storing.
STORE_CHUNK = 1000
# Rows indexed by one statement (and so between two reports) while indexing.
INDEX_CHUNK = 2500
# A reader reports after about this many bytes (or characters) of its file.
READ_CHUNK = 1 << 20


def part(
    progress: ProgressCallback | None, start: int, end: int, what: str = ""
) -> ProgressCallback | None:
    """A callback for one part of a job that reports on the job's scale of
    STEPS: the part's `Progress(done, total)` becomes `start + (end - start)
    * done / total` (`start` while its total is unknown), with the part's
    `what`, or else `what`. None when there is no callback to forward to."""
    if progress is None:
        return None

    def forward(p: Progress) -> None:
        fraction = p.fraction or 0.0
        progress(Progress(start + int((end - start) * fraction), STEPS, p.what or what))

    return forward
