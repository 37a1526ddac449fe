"""The query parser (the same for both engines), and the local library's
two strategies for date filters."""

from __future__ import annotations

import pytest

from briefer.library import Hit, Library
from briefer.library.query import parse_query


def found(hits: list[Hit]) -> list[int]:
    return [h.snippet.id for h in hits]


def names(hits: list[Hit], corpus: dict[str, int]) -> set[str]:
    by_id = {v: k for k, v in corpus.items()}
    return {by_id[h.snippet.id] for h in hits}


def test_a_bad_date_filter_is_described_for_the_command_line() -> None:
    forms = "is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)"
    assert parse_query("x before:2026-02-30").problems == (f"before: 2026-02-30 {forms}",)
    assert parse_query("after:yesterday").problems == (f"after: yesterday {forms}",)
    assert parse_query("-after:2026").problems == (
        "-after:2026: a date filter cannot be negated (use before:2026)",
    )
    for fine in ("before:2026-02-28 after:2025", "before:", "x", "note:2026-02-30"):
        assert parse_query(fine).problems == ()


def test_parse_query_structure() -> None:
    q = parse_query('cyber "exact phrase" regul* -draft -"old text" tag:eu -tag:x '
                    "source:reuters before:2026-01-01 after:2025 half")  # fmt: skip
    assert [t.text for t in q.include] == ["cyber", "exact phrase", "regul", "half"]
    assert [t.prefix for t in q.include] == [False, False, True, True]
    assert [t.text for t in q.exclude] == ["draft", "old text"]
    assert q.tags == ("eu",) and q.exclude_tags == ("x",)
    assert q.sources == ("reuters",)
    assert (q.before, q.after) == ("2026-01-01", "2025")


def test_wide_and_narrow_date_ranges_agree(
    lib: Library, corpus: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Date filters switch strategy with the range's size; both give the same hits."""
    from briefer.library import store

    queries = ["regul* after:2026-01-01", "regul* before:2026-01-01", "after:2025 before:2026-03"]
    narrow = [names(lib.search(q), corpus) for q in queries]
    monkeypatch.setattr(store, "DATE_SET_LIMIT", 0)
    wide = [names(lib.search(q), corpus) for q in queries]
    assert narrow == wide
    assert narrow[0] == {"regulatory", "sanctions"}


def test_prefix_needs_two_letters() -> None:
    assert [t.prefix for t in parse_query("t* re* 北*").include] == [False, True, True]
    # While typing, one or two letters are taken as whole words.
    assert [t.prefix for t in parse_query("eu").include] == [False]
    assert [t.prefix for t in parse_query("eur").include] == [True]
