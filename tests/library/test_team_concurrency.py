"""Many writers on one team library at once: 16 processes adding 500
snippets each (the same sources, tags and collection, searching and editing
as they go) and two bulk imports, all at the same time, lose nothing and
show no error."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from briefer.library import Source, open_library

if TYPE_CHECKING:
    from conftest import Team  # tests/library/conftest.py

WRITERS = 16
PER_WRITER = 500
BULK = 3000


def add_many(url: str, password: str, writer: int) -> str:
    """Add PER_WRITER snippets one call at a time; "" or the first error."""
    import os

    os.environ["PGPASSWORD"] = password
    try:
        with open_library(url) as lib:
            for n in range(PER_WRITER):
                snippet = lib.add(
                    f"writer {writer} snippet {n}",
                    Source(title=f"shared source {n % 25}", publisher="Desk wire"),
                    tags=[f"w{writer}", "shared", f"t{n % 7}"],
                    collection="Desk/Shared",
                ).snippet
                if n % 50 == 0:
                    lib.search(f"writer {writer}")
                    lib.update(snippet.id, note=f"checked by {writer}",
                               expected_version=snippet.version)  # fmt: skip
    except Exception as exc:  # reported to the test, which fails on it
        return f"{type(exc).__name__}: {exc}"
    return ""


def bulk_import(url: str, password: str, file: str) -> str:
    import os

    os.environ["PGPASSWORD"] = password
    try:
        with open_library(url) as lib:
            report = lib.import_file(file)
            if report.rejected or report.added != BULK:
                return f"unexpected report {report.summary()}"
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return ""


@pytest.mark.timeout(280)
def test_sixteen_writers_lose_nothing(team_cluster: Team, team_url: str, tmp_path: Path) -> None:
    password = team_cluster.passwords[team_cluster.writer]
    files = []
    for b in range(2):
        path = tmp_path / f"bulk{b}.jsonl"
        rows = (
            {"text": f"bulk {b} row {n}", "title": f"shared source {n % 25}",
             "publisher": "Desk wire", "tags": ["shared", f"t{n % 7}", f"bulk{b}"]}
            for n in range(BULK)
        )  # fmt: skip
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        files.append(str(path))
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(WRITERS + len(files)) as pool:
        jobs = [pool.apply_async(add_many, (team_url, password, w)) for w in range(WRITERS)]
        jobs += [pool.apply_async(bulk_import, (team_url, password, f)) for f in files]
        errors = [job.get(timeout=250) for job in jobs]
    assert errors == [""] * len(jobs)
    with open_library(team_url) as lib:
        assert lib.count() == WRITERS * PER_WRITER + 2 * BULK
        for w in range(WRITERS):
            assert len(lib.list(tags=[f"w{w}"], limit=None)) == PER_WRITER
            hits = lib.search(f"writer {w} snippet tag:w{w}", limit=10_000)
            assert len(hits) == PER_WRITER
            assert sum(1 for h in hits if h.snippet.note == f"checked by {w}") == PER_WRITER // 50
        tags = {t.name: t.count for t in lib.tags()}
        assert tags["shared"] == WRITERS * PER_WRITER + 2 * BULK
        assert [c.name for c in lib.collections()] == ["Desk/Shared"]
        assert len(lib.search("bulk row", limit=10_000)) == 2 * BULK
        assert lib.check() == []
