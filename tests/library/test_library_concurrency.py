"""Several processes writing the same library at once: nothing is lost and
"database is locked" never reaches the user."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

from briefer.library import Library, Source

WRITERS = 4
PER_WRITER = 100
BULK = 20_000


def add_many(path: str, writer: int) -> str:
    """Add snippets one transaction at a time; return "" or the error."""
    try:
        with Library.open(path) as lib:
            for n in range(PER_WRITER):
                lib.add(
                    f"writer {writer} snippet {n}", Source(title=f"w{writer}"), tags=[f"w{writer}"]
                )
                if n % 10 == 0:
                    lib.search(f"writer {writer}")
                    lib.update(lib.list(limit=1)[0].id, note=f"touched by {writer}")
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return ""


def bulk_import(path: str, file: str) -> str:
    try:
        with Library.open(path) as lib:
            report = lib.import_file(file)
            if report.rejected or report.added != BULK:
                return f"unexpected report {report}"
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return ""


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "shared.sqlite3")
    bulk = tmp_path / "bulk.jsonl"
    bulk.write_text(
        "".join(json.dumps({"text": f"bulk row {n}", "title": "bulk"}) + "\n" for n in range(BULK)),
        encoding="utf-8",
    )
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(WRITERS + 1) as pool:
        # Every process also creates/migrates the new database at the same time.
        jobs = [pool.apply_async(add_many, (db, w)) for w in range(WRITERS)]
        jobs.append(pool.apply_async(bulk_import, (db, str(bulk))))
        errors = [job.get(timeout=120) for job in jobs]
    assert errors == [""] * (WRITERS + 1)
    with Library.open(db) as lib:
        assert lib.count() == WRITERS * PER_WRITER + BULK
        for w in range(WRITERS):
            assert len(lib.list(tags=[f"w{w}"], limit=None)) == PER_WRITER
            assert len(lib.search(f"writer snippet tag:w{w}", limit=1000)) == PER_WRITER
        assert len(lib.search("bulk row", limit=BULK)) == BULK
