"""The library contract, imports: every supported format, broken files and
rows, counts, duplicates and one transaction per file, run against both
engines (the readers are shared; each engine stores what they read)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
from pathlib import Path

import pytest

from briefer.jobs import Progress
from briefer.library import ImportReport, Record, Rejection, Source
from briefer.library.location import AnyLibrary as Library

DATA = Path(__file__).resolve().parents[2] / "data" / "library"
# The day a test's import runs (two, in case it runs across midnight).
IMPORT_DAYS = {dt.date.today().isoformat(), (dt.date.today() + dt.timedelta(1)).isoformat()}


def texts(lib: Library) -> list[str]:
    return [s.text for s in reversed(lib.list(limit=None))]


def counts(report: ImportReport) -> tuple[int, int, list[tuple[int, str]]]:
    return report.added, report.duplicates, [(r.line, r.reason) for r in report.rejected]


def test_txt_one_snippet_per_paragraph(lib: Library) -> None:
    report = lib.import_file(DATA / "notes.txt")
    assert report.format == "text"
    assert counts(report) == (3, 0, [])
    assert texts(lib) == [
        "Brussels agreed on Tuesday to tighten the rules for critical infrastructure operators.",
        "The new regulation requires incident reports within 24 hours. Operators that fail to "
        "report face fines.",
        "Officials said the rules would take effect in 2027.",
    ]
    assert lib.list()[0].source.title == "notes"


def test_txt_whole_document(lib: Library) -> None:
    report = lib.import_file(DATA / "notes.txt", whole=True, tags=["memo"], collection="Inbox")
    assert counts(report) == (1, 0, [])
    (snippet,) = lib.list()
    assert snippet.text.startswith("Brussels") and snippet.text.endswith("2027.")
    assert snippet.tags == ("memo",) and snippet.collection == "Inbox"


def test_markdown_front_matter(lib: Library) -> None:
    report = lib.import_file(DATA / "briefing.md")
    assert counts(report) == (2, 0, [])
    first = lib.list()[-1]
    assert first.text == "A subsea cable between Finland and Estonia was damaged on **Sunday**."
    assert first.source == Source(
        title="Baltic cable incident",
        author="Jane Analyst",
        url="https://example.org/baltic-cable",
        published="2026-11-20",
    )
    assert first.tags == ("baltic", "infrastructure")


def test_html_article_and_metadata(lib: Library) -> None:
    report = lib.import_file(DATA / "article.html")
    assert counts(report) == (2, 0, [])
    all_text = " ".join(texts(lib))
    assert texts(lib)[0].startswith("The European Union adopted rules on Tuesday")
    assert "incidents & outages" in all_text  # entities decoded
    for junk in ("tracking", "alert", "color: red", "navigation", "sidebar", "footer", "banner"):
        assert junk not in all_text
    source = lib.list()[0].source
    assert source == Source(
        title="EU tightens cyber rules for operators",
        publisher="Example News",
        author="Maria Rossi",
        url="https://news.example/eu-cyber-rules",
        published="2026-11-21",
        accessed=source.accessed,
    )
    assert source.accessed in IMPORT_DAYS


def test_html_without_metadata_uses_title_and_body(lib: Library, tmp_path: Path) -> None:
    page = tmp_path / "plain.html"
    page.write_text(
        "<html><head><title> Plain page </title></head><body><div>First block"
        "<br>second line</div><p>Para <b>two</b></p><p>   </p></body></html>",
        encoding="utf-8",
    )
    report = lib.import_file(page)
    assert counts(report) == (3, 0, [])
    assert texts(lib) == ["First block", "second line", "Para two"]
    assert lib.list()[0].source.title == "Plain page"


def test_docx_paragraphs_and_properties(lib: Library) -> None:
    report = lib.import_file(DATA / "memo.docx")
    assert counts(report) == (2, 0, [])
    assert texts(lib) == [
        "Port authorities reported two drone sightings near the terminal.",
        "No damage was recorded; the investigation continues.",
    ]
    source = lib.list()[0].source
    assert (source.title, source.author, source.published) == (
        "Weekly security memo",
        "Desk Officer",
        "2026-11-02",
    )


def test_csv_bulk_with_bad_rows(lib: Library) -> None:
    report = lib.import_file(DATA / "bulk.csv")
    assert report.format == "csv"
    assert counts(report) == (
        3,
        1,
        [
            (4, "no text"),
            (5, "published: not-a-date is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)"),
        ],
    )
    first = lib.list()[-1]
    assert first.tags == ("eu", "sanctions")
    assert first.source.author == "John Smith"
    assert "Multi-line quote:\nsecond line of the same quote." in texts(lib)
    assert [h.snippet.source.publisher for h in lib.search("能源")] == ["新华社"]


def test_jsonl_bulk_with_bad_rows(lib: Library) -> None:
    report = lib.import_file(DATA / "bulk.jsonl")
    added, duplicates, rejected = counts(report)
    assert (added, duplicates) == (4, 0)
    assert [line for line, _ in rejected] == [3, 4, 5, 8]
    assert rejected[0][1].startswith("bad JSON")
    assert rejected[1][1] == "text: expected text, got int"
    assert rejected[2][1] == "expected a JSON object, got list"
    assert (
        rejected[3][1]
        == "published: 2026-13-45 is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)"
    )
    assert {t for s in lib.list() for t in s.tags} == {"military", "economy", "rates", "arabic"}
    assert len(lib.search("الطاقة")) == 1
    assert len(lib.search("🔥")) == 1


def test_ris(lib: Library) -> None:
    report = lib.import_file(DATA / "zotero.ris")
    assert report.format == "ris"
    assert counts(report) == (
        2,
        0,
        [(14, "no abstract or note to use as the snippet text")],
    )
    paper = lib.list()[-1]
    assert paper.text == (
        "Subsea cables carry most intercontinental data traffic and are vulnerable to anchors."
    )
    assert paper.source == Source(
        title="Resilience of subsea cables",
        publisher="Journal of Infrastructure",
        author="Jane Doe; Richard Roe",
        url="https://doi.example/10.1000/cables",
        published="2024-05-02",
    )
    assert paper.tags == ("cables", "infrastructure")


def test_csl_json(lib: Library) -> None:
    report = lib.import_file(DATA / "zotero.json")
    assert report.format == "csl-json"
    assert counts(report) == (
        2,
        0,
        [
            (2, "item 2: no abstract or note to use as the snippet text"),
            (3, "item 3: expected an object"),
        ],
    )
    paper = lib.list()[-1]
    assert paper.source.author == "Anna Müller"
    assert paper.source.published == "2025-03-07"
    assert paper.tags == ("energy", "europe")
    note = lib.list()[0]
    assert note.text == "Remember the NIS2 deadline." and note.source.accessed == "2026-11-01"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("broken.docx", "not a Word document"),
        ("latin1.csv", "not UTF-8 text"),
        ("notext.csv", "no 'text' column"),
        ("unknown.xyz", "unknown file type '.xyz'"),
        ("missing.jsonl", "no such file"),
        (".", "a folder, not a file"),
    ],
)
def test_unreadable_files_are_reported_not_raised(lib: Library, name: str, reason: str) -> None:
    report = lib.import_file(DATA / name)
    assert report.failed
    assert (report.added, report.duplicates, report.rejected) == (0, 0, [])
    assert reason in report.error
    assert report.summary() == f"{DATA / name}: {report.error}"
    assert lib.count() == 0


def test_file_level_reasons_are_plain(lib: Library, tmp_path: Path) -> None:
    assert lib.import_file(tmp_path / "nothere.csv").error == "no such file"
    assert lib.import_file(DATA / "latin1.csv").error == "not UTF-8 text (line 2); save it as UTF-8"
    assert "not a zip package" in lib.import_file(DATA / "broken.docx").error
    assert str(DATA) not in lib.import_file(DATA / "broken.docx").error
    # A JSON Lines file in another encoding is refused as a whole, not row by row.
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(b'{"text": "fine"}\n{"text": "caf\xe9"}\n')
    assert lib.import_file(latin).error == "not UTF-8 text (line 2); save it as UTF-8"
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    assert lib.import_file(empty).error == "no text found"
    assert lib.count() == 0


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads anything")
def test_an_unreadable_file_is_a_file_error(lib: Library, tmp_path: Path) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text("secret", encoding="utf-8")
    locked.chmod(0)
    try:
        assert lib.import_file(locked).error == "cannot read: permission denied"
    finally:
        locked.chmod(0o600)


def test_bad_dates_in_rows_name_the_line_field_and_value(lib: Library, tmp_path: Path) -> None:
    path = tmp_path / "dates.csv"
    path.write_text(
        "text,published,accessed\n"
        "ok,2026-02-28,\n"
        "leap,2026-02-30,\n"
        "month,2026-13,\n"
        "seen,2026,31 Febr 2026\n",
        encoding="utf-8",
    )
    report = lib.import_file(path)
    expected = "is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)"
    assert counts(report) == (
        1,
        0,
        [
            (3, f"published: 2026-02-30 {expected}"),
            (4, f"published: 2026-13 {expected}"),
            (5, f"accessed: '31 Febr 2026' {expected}"),
        ],
    )
    rows = tmp_path / "dates.jsonl"
    rows.write_text(json.dumps({"text": "x", "published": "2026-02-29"}) + "\n", encoding="utf-8")
    assert counts(lib.import_file(rows))[2] == [(1, f"published: 2026-02-29 {expected}")]


def test_markdown_reference_definitions_are_not_snippets(lib: Library, tmp_path: Path) -> None:
    path = tmp_path / "brief.md"
    path.write_text(
        "# River levels\n"
        "\n"
        "The river rose two metres overnight [@rivernews].\n"
        "\n"
        '[@rivernews]: https://example.org/x "Title"\n'
        "[@gauge]: <https://example.org/gauge> 'Gauge data'\n"
        "   [plain]: https://example.org/plain (Plain)\n"
        "\n"
        "[@agency]: https://example.org/agency\n"
        "Evacuations began at dawn.\n"
        "\n"
        "[Update]: Confirmed by the mayor.\n",
        encoding="utf-8",
    )
    report = lib.import_file(path)
    assert counts(report) == (3, 0, [])
    by_line = {s.text: s for s in lib.list()}
    assert set(by_line) == {
        "The river rose two metres overnight [@rivernews].",
        "Evacuations began at dawn.",
        "[Update]: Confirmed by the mayor.",
    }
    whole = tmp_path / "whole.md"
    whole.write_text('Only text.\n\n[@a]: https://example.org/a "A"\n', encoding="utf-8")
    lib.import_file(whole, whole=True)
    assert "Only text." in {s.text for s in lib.list()}


def test_markdown_of_only_reference_definitions_is_no_text(lib: Library, tmp_path: Path) -> None:
    path = tmp_path / "sources.md"
    path.write_text('[@a]: https://example.org/a "A"\r\n[@b]: https://example.org/b\r\n')
    report = lib.import_file(path)
    assert report.error == "no text found" and lib.count() == 0


def test_reimport_counts_duplicates(lib: Library) -> None:
    lib.import_file(DATA / "bulk.jsonl")
    again = lib.import_file(DATA / "bulk.jsonl")
    assert (again.added, again.duplicates) == (0, 4)


def test_a_file_is_one_transaction(lib: Library, tmp_path: Path) -> None:
    """Interrupted while storing (Ctrl-C during the progress bar), nothing
    of the file is kept."""
    path = tmp_path / "many.jsonl"
    path.write_text(
        "".join(json.dumps({"text": f"row {n}"}) + "\n" for n in range(5000)), encoding="utf-8"
    )
    lib.add("already here")

    def interrupt(progress: Progress) -> None:
        if progress.done > 500:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        lib.import_file(path, progress=interrupt)
    assert texts(lib) == ["already here"]
    assert lib.search("row") == []
    report = lib.import_file(path)
    assert report.added == 5000
    assert len(lib.search("row", limit=10_000)) == 5000


def test_import_records_counts_rejections_from_the_library(lib: Library, tmp_path: Path) -> None:
    report = lib.import_records(
        [
            Record("good", line=1),
            Rejection(2, "reader said no"),
            Record("   ", line=3),
            Record("bad date", Source(published="31/31/31"), line=4),
        ],
        ImportReport(tmp_path / "x"),
    )
    assert report.added == 1
    assert [r.line for r in report.rejected] == [2, 3, 4]


def test_progress_reaches_the_end(lib: Library) -> None:
    seen: list[Progress] = []
    lib.import_file(DATA / "bulk.jsonl", progress=seen.append)
    assert seen and seen[-1].done == seen[-1].total
    assert all(a.done <= b.done for a, b in itertools.pairwise(seen))


def test_json_array_of_snippets(lib: Library, tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text(
        json.dumps([{"text": "From a JSON list", "title": "List", "tags": ["x"]}, {"text": ""}]),
        encoding="utf-8",
    )
    report = lib.import_file(path)
    assert counts(report) == (1, 0, [(2, "no text")])
    assert lib.list()[0].tags == ("x",)


def test_semicolon_csv_from_a_spreadsheet(lib: Library, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text("text;title;tags\nBonjour, le monde;Titre;a,b\n", encoding="utf-8-sig")
    report = lib.import_file(path)
    assert counts(report) == (1, 0, [])
    (snippet,) = lib.list()
    assert (snippet.text, snippet.source.title, snippet.tags) == (
        "Bonjour, le monde",
        "Titre",
        ("a", "b"),
    )


def test_tags_that_are_neither_text_nor_a_list_reject_the_row(lib: Library, tmp_path) -> None:
    bulk = tmp_path / "tags.jsonl"
    bulk.write_text(
        '{"text": "good row", "title": "A"}\n'
        '{"text": "numeric tags", "title": "B", "tags": 5}\n'
        '{"text": "another good", "title": "C", "tags": ["x"]}\n',
        encoding="utf-8",
    )
    report = lib.import_file(bulk)
    assert report.added == 2
    assert [(r.line, r.reason) for r in report.rejected] == [
        (2, "tags: expected text or a list of tags, got 5")
    ]
