"""The library contract, storage: create, read, update, delete, trash,
duplicates, tags, collections and export, run against both engines (the
local SQLite library and the team library on PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from briefer.errors import BrieferError
from briefer.library import LibraryError, NameCount, Source
from briefer.library.location import AnyLibrary as Library


def test_add_and_get_round_trip(lib: Library, reuters: Source) -> None:
    result = lib.add(
        "  The EU adopted new rules.  ",
        reuters,
        note="check annex",
        tags=["cyber", "EU", "cyber"],
        collection="Projects/Baltic",
    )
    assert not result.duplicate
    snippet = lib.get(result.snippet.id)
    assert snippet.text == "The EU adopted new rules."
    assert snippet.note == "check annex"
    assert snippet.source == reuters
    assert snippet.tags == ("cyber", "EU")
    assert snippet.collection == "Projects/Baltic"
    assert snippet.created.endswith("Z") and snippet.created == snippet.modified
    assert not snippet.in_trash


def test_to_brief_source_copies_the_metadata(lib: Library, reuters: Source) -> None:
    snippet = lib.add("Quoted passage.", reuters).snippet
    brief_source = snippet.to_brief_source()
    assert brief_source.publisher == "Reuters"
    assert brief_source.quote == "Quoted passage."
    assert brief_source.snippet_id == str(snippet.id)


def test_empty_text_and_bad_dates_are_user_errors(lib: Library) -> None:
    with pytest.raises(LibraryError):
        lib.add("   \n ")
    with pytest.raises(BrieferError, match="not a date"):
        lib.add("Text", Source(published="yesterday"))
    assert lib.count() == 0


DATE_FORMS = "(expected YYYY, YYYY-MM or YYYY-MM-DD)"


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("published", "2026-02-30", "2026-02-30"),
        ("published", "2026-13", "2026-13"),
        ("accessed", "someday", "someday"),
        ("accessed", "31 Febr 2026", "'31 Febr 2026'"),
    ],
)
def test_a_bad_date_names_its_field_and_value(
    lib: Library, field: str, value: str, shown: str
) -> None:
    message = f"{field}: {shown} is not a date {DATE_FORMS}"
    with pytest.raises(LibraryError) as raised:
        lib.add("Text", Source(**{field: value}))
    assert str(raised.value) == message
    snippet = lib.add("Text").snippet
    with pytest.raises(LibraryError) as raised:
        lib.update(snippet.id, source=Source(title="t", **{field: value}))
    assert str(raised.value) == message
    assert lib.get(snippet.id).source == Source()


def test_a_bad_since_names_itself_and_the_value(lib: Library) -> None:
    with pytest.raises(LibraryError) as raised:
        lib.search("x", since="2026-02-30")
    assert str(raised.value) == f"since: 2026-02-30 is not a date {DATE_FORMS}"
    with pytest.raises(LibraryError, match="since: yesterday is not a date"):
        lib.list(since="yesterday")


def test_get_unknown_id_is_a_user_error(lib: Library) -> None:
    with pytest.raises(LibraryError, match="no snippet with id 99"):
        lib.get(99)


def test_duplicate_from_same_source_returns_existing(lib: Library, reuters: Source) -> None:
    first = lib.add("The EU adopted “new” rules.", reuters).snippet
    # Same text after normalisation (case, quotes, spaces), same source
    # (URL differs only by a trailing slash and host case).
    same_source = Source(url="https://WWW.reuters.example/eu-cyber/", title="other title")
    again = lib.add('the  EU adopted "new"\nrules.', same_source)
    assert again.duplicate
    assert again.snippet.id == first.id
    assert lib.count() == 1
    # Same text from another source is a different snippet.
    other = lib.add("The EU adopted “new” rules.", Source(publisher="AP"))
    assert not other.duplicate
    assert lib.count() == 2


def test_duplicate_without_any_source(lib: Library) -> None:
    a = lib.add("Loose note")
    b = lib.add("loose  NOTE")
    assert b.duplicate and b.snippet.id == a.snippet.id


def test_update_fields(lib: Library, reuters: Source) -> None:
    snippet = lib.add("Original text", reuters, tags=["a", "b"]).snippet
    updated = lib.update(
        snippet.id,
        text="Changed text",
        note="a note",
        tags=["b", "c"],
        collection="Inbox",
        source=Source(title="Another", publisher="AP"),
    )
    assert updated.text == "Changed text"
    assert updated.note == "a note"
    assert updated.tags == ("b", "c")
    assert updated.collection == "Inbox"
    assert updated.source.publisher == "AP"
    assert updated.modified >= snippet.modified
    # Only the given fields change.
    again = lib.update(snippet.id, note="")
    assert again.text == "Changed text" and again.tags == ("b", "c")


def test_update_into_a_duplicate_is_refused(lib: Library, reuters: Source) -> None:
    lib.add("First", reuters)
    second = lib.add("Second", reuters).snippet
    with pytest.raises(LibraryError, match="already has this text"):
        lib.update(second.id, text="first")
    assert lib.get(second.id).text == "Second"


def test_delete_moves_to_trash_and_restore_brings_back(lib: Library, reuters: Source) -> None:
    snippet = lib.add("Trash me", reuters, tags=["t"]).snippet
    trashed = lib.delete(snippet.id)
    assert trashed.in_trash
    assert lib.count() == 0 and lib.count(trash=True) == 1
    assert [s.id for s in lib.list(trash=True)] == [snippet.id]
    assert lib.list() == []
    assert lib.search("trash") == []
    assert lib.tags() == [NameCount("t", 0)]
    restored = lib.restore(snippet.id)
    assert not restored.in_trash
    assert [h.snippet.id for h in lib.search("trash")] == [snippet.id]


def test_adding_a_trashed_duplicate_restores_it(lib: Library, reuters: Source) -> None:
    snippet = lib.add("Back again", reuters).snippet
    lib.delete(snippet.id)
    result = lib.add("Back again", reuters)
    assert result.duplicate and result.snippet.id == snippet.id
    assert not result.snippet.in_trash


def test_empty_trash(lib: Library) -> None:
    keep = lib.add("Keep").snippet
    gone = lib.add("Gone", tags=["x"]).snippet
    lib.delete(gone.id)
    assert lib.empty_trash() == 1
    with pytest.raises(LibraryError):
        lib.get(gone.id)
    assert lib.get(keep.id).text == "Keep"
    assert [h.snippet.id for h in lib.search("keep")] == [keep.id]


def test_tags_and_collections_with_counts(lib: Library) -> None:
    lib.add("one", tags=["Cyber", "eu"], collection="Projects/Baltic")
    lib.add("two", tags=["cyber"], collection="Projects")
    lib.add("three", collection="projects/baltic")
    assert lib.tags() == [NameCount("Cyber", 2), NameCount("eu", 1)]
    assert lib.collections() == [NameCount("Projects", 1), NameCount("Projects/Baltic", 2)]
    assert {s.text for s in lib.list(collection="Projects")} == {"one", "two", "three"}
    assert {s.text for s in lib.list(collection="projects/baltic")} == {"one", "three"}
    assert {s.text for s in lib.list(tags=["CYBER"])} == {"one", "two"}


def test_list_since_and_limit(lib: Library) -> None:
    for n in range(5):
        lib.add(f"snippet {n}")
    assert [s.text for s in lib.list(limit=2)] == ["snippet 4", "snippet 3"]
    assert len(lib.list(since="2000-01-01")) == 5
    assert lib.list(since="2999-01-01") == []
    with pytest.raises(LibraryError):
        lib.list(since="not a date")


def test_export_is_jsonl_and_reimports(
    lib: Library, tmp_path: Path, reuters: Source, new_library: Callable[[str], Library]
) -> None:
    lib.add("First snippet", reuters, tags=["a"], note="n", collection="C")
    lib.add("北京 second 🔥", Source(title="中文"))
    trashed = lib.add("Not exported").snippet
    lib.delete(trashed.id)
    target = tmp_path / "out.jsonl"
    assert lib.export(target) == 2
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r["text"] for r in rows] == ["First snippet", "北京 second 🔥"]
    assert rows[0]["tags"] == ["a"] and rows[0]["collection"] == "C"
    assert not list(tmp_path.glob(".out.jsonl.*"))  # no temporary file left

    with new_library("other") as other:
        report = other.import_file(target)
        assert (report.added, report.duplicates, report.rejected) == (2, 0, [])
        copy = other.list()[-1]
        assert copy.source == reuters and copy.note == "n" and copy.tags == ("a",)
        again = other.import_file(target)
        assert (again.added, again.duplicates) == (0, 2)
