"""Behaviour the library's internals must keep when they are reorganised:
which reason a row with several faults gets, which encodings a CSV may be in,
where fragments are cut, what needs segmenting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefer.jobs import Progress
from briefer.library import ImportReport, Library, LibraryError, fragments, normalize
from briefer.library.query import parse_query

FORMS = "is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)"


def reasons(report: ImportReport) -> list[tuple[int, str]]:
    return [(r.line, r.reason) for r in report.rejected]


def test_a_row_with_several_faults_gets_the_first_reason(lib: Library, tmp_path: Path) -> None:
    """No text comes before dates, dates before tags, published before accessed."""
    rows = [
        {"text": "", "tags": [1]},
        {"text": "  ", "published": "someday"},
        {"text": "b", "published": "x", "tags": [1]},
        {"text": "c", "accessed": "y", "published": "z"},
        {"text": "d", "accessed": "y", "tags": [2]},
        {"text": "e", "tags": [3]},
        {"text": "\x00\x01", "tags": ["ok"]},
    ]
    path = tmp_path / "faults.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = lib.import_file(path)
    assert report.added == 0
    assert reasons(report) == [
        (1, "no text"),
        (2, "no text"),
        (3, f"published: x {FORMS}"),
        (4, f"published: z {FORMS}"),
        (5, f"accessed: y {FORMS}"),
        (6, "tags: tag 3 is not text"),
        (7, "no text"),
    ]


def test_csv_rows_with_several_faults(lib: Library, tmp_path: Path) -> None:
    path = tmp_path / "faults.csv"
    path.write_text(
        "text,published,accessed\n , 2026-02-30,\nok,1999,nope\n\x01,nope,nope\n",
        encoding="utf-8",
    )
    report = lib.import_file(path)
    # Line 4: only control characters, so no text once cleaned; but the reader
    # checks dates before the store cleans the text, so its date is the reason.
    assert reasons(report) == [
        (2, "no text"),
        (3, f"accessed: nope {FORMS}"),
        (4, f"published: nope {FORMS}"),
    ]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_csv_is_read_as_utf8_only(lib: Library, tmp_path: Path, codec: str) -> None:
    """Text files may be UTF-16 with a BOM; a CSV in UTF-16 is refused."""
    bom = {"utf-16": b"", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[codec]
    body = bom + "text,title\nhello,x\n".encode(codec)
    csv_file, txt_file = tmp_path / "u16.csv", tmp_path / "u16.txt"
    csv_file.write_bytes(body)
    txt_file.write_bytes(body)
    report = lib.import_file(csv_file)
    assert (report.error, report.added) == ("not UTF-8 text; save it as UTF-8", 0)
    assert lib.import_file(txt_file).added == 1


def test_csv_with_a_broken_utf16_bom_names_utf16(lib: Library, tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(b"\xff\xfet\x00e")  # an odd number of bytes after the BOM
    assert lib.import_file(path).error.startswith("not UTF-16 text (byte ")


def test_csv_not_utf8_names_the_line(lib: Library, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("text\nok\ncaf\xe9\n".encode("latin-1"))
    assert lib.import_file(path).error == "not UTF-8 text (line 3); save it as UTF-8"


def test_csv_line_ends_bom_and_quoted_newlines(lib: Library, tmp_path: Path) -> None:
    """Old Mac line ends, a BOM, a semicolon header and a quoted field over
    two lines: lines are numbered as the file has them."""
    path = tmp_path / "mac.csv"
    path.write_bytes(
        b'\xef\xbb\xbftext;title\rhello;x\r"two\r\nlines";y\r;z\r\n"a;b";w\nx;y;z;extra\n'
    )
    report = lib.import_file(path)
    assert report.added == 3
    assert reasons(report) == [(5, "no text"), (7, "4 cells but 2 columns")]
    assert sorted(s.text for s in lib.list()) == ["a;b", "hello", "two\nlines"]


def test_csv_progress_is_monotonic_and_reaches_the_end(lib: Library, tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text(
        "text,tags\n" + "".join(f"row {n} {'x' * 300},a;b\n" for n in range(5000)),
        encoding="utf-8",
    )
    seen: list[Progress] = []
    report = lib.import_file(path, progress=seen.append)
    assert report.added == 5000
    assert seen[-1] == Progress(1000, 1000, "Indexing many.csv")
    assert [p.done for p in seen] == sorted(p.done for p in seen)
    # Reading reports part-way through the file, before storing starts.
    assert any(0 < p.done < 200 and p.what == "Reading many.csv" for p in seen)


def test_html_blocks_take_the_options(lib: Library, tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>T</title></head><body><p>One para.</p><p>Two para.</p></body></html>",
        encoding="utf-8",
    )
    report = lib.import_file(path, tags=["b", "A", "a"], collection="Web/News")
    assert report.added == 2
    assert {(s.text, s.tags, s.collection) for s in lib.list()} == {
        ("One para.", ("A", "b"), "Web/News"),
        ("Two para.", ("A", "b"), "Web/News"),
    }
    whole = tmp_path / "whole.html"
    whole.write_text(path.read_text(encoding="utf-8").replace("para", "p"), encoding="utf-8")
    report = lib.import_file(whole, whole=True, tags=["c"])
    assert report.added == 1
    assert lib.list()[0].text == "One p.\n\nTwo p."


def test_markdown_tags_join_the_option_tags(lib: Library, tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("---\ntags: [x, Y; #z]\n---\n\nFirst.\n\nSecond.\n", encoding="utf-8")
    assert lib.import_file(path, tags=["y", "w"]).added == 2
    assert {s.tags for s in lib.list()} == {("w", "x", "Y", "z")}


def test_an_empty_text_via_add_keeps_its_wording(lib: Library) -> None:
    for text in ("", "  \n\t", "\x00\u2028"):
        with pytest.raises(LibraryError) as raised:
            lib.add(text)
        assert str(raised.value) == "a snippet needs some text"


def _index_at_reference(starts: list[int], offset: int) -> int:
    lo, hi = 0, len(starts)
    while lo < hi:
        mid = (lo + hi) // 2
        if starts[mid] <= offset:
            lo = mid + 1
        else:
            hi = mid
    return max(0, lo - 1)


def test_index_at_matches_the_binary_search() -> None:
    for starts in ([], [0], [3], [0, 4, 9], [2, 2, 5], list(range(0, 100, 7))):
        for offset in range(-2, 110):
            assert fragments._index_at(starts, offset) == _index_at_reference(starts, offset)


@pytest.mark.parametrize(
    "query",
    ["cyber rules", '"critical infrastructure" oper', "北京 rules*", "🔥 fire", "-x y", ""],
)
def test_fragments_from_a_matcher_equal_those_from_the_query(query: str) -> None:
    fields = [
        ("text", "Brussels agreed the cyber rules for critical infrastructure operators. " * 4),
        ("note", "北京发布新的网络安全规定 🔥 fire"),
        ("title", "Rules"),
    ]
    parsed = parse_query(query)
    assert fragments.build(fields, parsed) == fragments.build(fields, fragments.matcher(parsed))


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (("plain words", "and a note"), ""),
        (("", ""), ""),
        ((), ""),
        (("\u0e31",), ""),  # a Thai vowel sign alone: segmentable, yet no token
        (("北京", "note"), "北 京"),
        (("word", "iPhone手机"), "iPhone 手 机"),
        (("🔥",), "u1f525"),
    ],
)
def test_segment(texts: tuple[str, ...], expected: str) -> None:
    assert normalize.segment(*texts) == expected


def test_date_filters_accept_exactly_the_iso_forms() -> None:
    for value in ("2026", "2026-3", "2026-03-09", "2026-3-9"):
        assert not parse_query(f"before:{value}").problems
    for value in ("26-03", "2026/03", "2026-03-09T10:00", "March 2026", "2026-1234"):
        assert parse_query(f"before:{value} ").problems
