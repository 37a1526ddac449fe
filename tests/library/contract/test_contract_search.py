"""The library contract, search: the query syntax, ranking, search as you
type, malformed input, scripts without spaces, and the highlighted
fragments, run against both engines."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefer.library import Hit, Source
from briefer.library.location import AnyLibrary as Library


def found(hits: list[Hit]) -> list[int]:
    return [h.snippet.id for h in hits]


def names(hits: list[Hit], corpus: dict[str, int]) -> set[str]:
    by_id = {v: k for k, v in corpus.items()}
    return {by_id[h.snippet.id] for h in hits}


def test_all_words_must_match(lib: Library, corpus: dict[str, int]) -> None:
    assert names(lib.search("regulation exports"), corpus) == {"sanctions"}
    assert names(lib.search("regulation", as_you_type=False), corpus) == {"regulation", "sanctions"}
    assert lib.search("regulation nonexistentword") == []


def test_exact_phrase(lib: Library, corpus: dict[str, int]) -> None:
    assert names(lib.search('"critical infrastructure"'), corpus) == {"regulation"}
    assert lib.search('"infrastructure critical"') == []


def test_prefix(lib: Library, corpus: dict[str, int]) -> None:
    assert names(lib.search("regul*"), corpus) == {"regulation", "regulatory", "sanctions"}


def test_half_a_word_finds_it_while_typing(lib: Library, corpus: dict[str, int]) -> None:
    assert names(lib.search("reg"), corpus) == {"regulation", "regulatory", "sanctions"}
    assert names(lib.search("subsea cab"), corpus) == {"cables"}
    # A finished word (a space after it) is matched whole.
    assert names(lib.search("regul "), corpus) == set()
    # An unclosed phrase is a prefix too.
    assert names(lib.search('"subsea cab'), corpus) == {"cables"}


def test_exclude(lib: Library, corpus: dict[str, int]) -> None:
    assert names(lib.search("regulation -sanctions"), corpus) == {"regulation"}
    assert names(lib.search('regulation -"extend sanctions"'), corpus) == {"regulation"}
    assert names(lib.search("regulation -tag:cyber"), corpus) == {"sanctions"}
    # Only exclusions: everything else, newest first.
    everything_but = names(lib.search("-regulation"), corpus)
    assert everything_but == set(corpus) - {"regulation", "sanctions"}


def test_tag_filter(lib: Library, corpus: dict[str, int]) -> None:
    assert names(lib.search("tag:eu"), corpus) == {"regulation", "sanctions"}
    assert names(lib.search("tag:EU regulation"), corpus) == {"regulation", "sanctions"}
    assert names(lib.search("regulation tag:cyber"), corpus) == {"regulation"}
    assert names(lib.search("regulation", tags=["sanctions"]), corpus) == {"sanctions"}
    assert lib.search("tag:nosuchtag") == []


def test_source_filter(lib: Library, corpus: dict[str, int]) -> None:
    assert names(lib.search("source:reuters"), corpus) == {"regulation"}
    assert names(lib.search("source:reuters.example"), corpus) == {"regulation"}
    assert names(lib.search('source:"financial times"'), corpus) == {"regulatory"}
    assert names(lib.search("regulation -source:reuters"), corpus) == {"sanctions"}


def test_date_filters(lib: Library, corpus: dict[str, int]) -> None:
    assert names(lib.search("regul* before:2026-01-01"), corpus) == {"regulation"}
    assert names(lib.search("regul* after:2026-01-01"), corpus) == {"regulatory", "sanctions"}
    assert names(lib.search("regul* after:2026-02-01 before:2026-06-15"), corpus) == {"regulatory"}
    assert names(lib.search("after:2026-06"), corpus) >= {"sanctions"}
    assert "regulation" not in names(lib.search("after:2026-06"), corpus)


def test_collection_and_since(lib: Library, corpus: dict[str, int]) -> None:
    assert names(lib.search("regulation", collection="Projects"), corpus) == {
        "regulation",
        "sanctions",
    }
    assert names(lib.search("regulation", collection="Projects/Baltic"), corpus) == {"regulation"}
    assert lib.search("regulation", since="2999-01-01") == []
    assert len(lib.search("regulation", since="2000-01-01")) == 2


def test_note_title_and_tags_are_searched(lib: Library, corpus: dict[str, int]) -> None:
    assert names(lib.search("balticconnector"), corpus) == {"cables"}
    assert names(lib.search("commission proposal"), corpus) == {"regulation"}
    hit = lib.search("balticconnector")[0]
    assert hit.fragment.field == "note"


def test_diacritics_and_case_are_folded(lib: Library, corpus: dict[str, int]) -> None:
    assert names(lib.search("CAFE"), corpus) == {"cafe"}
    assert names(lib.search("café"), corpus) == {"cafe"}


def test_ranking_prefers_more_and_weightier_matches(lib: Library) -> None:
    once = lib.add("Sanctions were mentioned once among many other words here.").snippet
    title = lib.add("Other words entirely.", Source(title="Sanctions sanctions sanctions")).snippet
    many = lib.add("Sanctions, sanctions and more sanctions.").snippet
    order = found(lib.search("sanctions"))
    assert order.index(many.id) < order.index(once.id)
    assert order.index(title.id) < order.index(once.id)
    scores = [h.score for h in lib.search("sanctions")]
    assert scores == sorted(scores, reverse=True)


def test_limit(lib: Library) -> None:
    for n in range(30):
        lib.add(f"repeated word number {n}")
    assert len(lib.search("repeated", limit=7)) == 7
    assert len(lib.search("repeated")) == 30


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("北京", {"chinese"}),
        ("首都", {"chinese"}),
        ("网络安全", {"chinese"}),
        ("京", {"chinese", "japanese"}),
        ("サイバー", {"japanese"}),
        ("規制", {"japanese"}),
        ("السيبراني", {"arabic"}),
        ("الحكومة", {"arabic"}),
        ("🔥", {"emoji"}),
        ("🌲", {"emoji"}),
        ("新华社", {"chinese"}),
    ],
)
def test_scripts_without_spaces_and_emoji(
    lib: Library, corpus: dict[str, int], query: str, expected: set[str]
) -> None:
    assert names(lib.search(query), corpus) == expected


def test_cjk_substring_is_highlighted(lib: Library, corpus: dict[str, int]) -> None:
    (hit,) = lib.search("首都")
    start, end = hit.fragment.highlights[0]
    assert hit.fragment.text[start:end] == "首都"
    assert hit.fragment.marked().count("[首都]") == 1


@pytest.mark.parametrize(
    "query",
    ['"', '"unbalanced', "unbalanced\"", "-", "- -", "--", "*", "**", ":", "tag:", "source:",
     "AND(", "AND", "OR", "NOT", "NEAR", "NEAR(a b)", "a OR", "(", ")", "{", "}", "^", "+",
     "regulation AND(", 'col:"x"', "text:regulation", "before:notadate", "after:", "-tag:",
     "\x00", "\\", "'", "regulation)", "*regul", "re*gul", "\u0301", "   ", "", "🔥*", "北京*",
     "-\"\"", "\"\"", "a\"b\"c", "tag:\"two words", "NEAR/3", "reg*ulation*"],
)  # fmt: skip
def test_malformed_queries_never_raise(lib: Library, corpus: dict[str, int], query: str) -> None:
    hits = lib.search(query)
    assert isinstance(hits, list)


def test_fts_syntax_is_searched_as_text(lib: Library) -> None:
    near = lib.add("The NEAR term and the OR word appear here.").snippet
    assert found(lib.search("NEAR")) == [near.id]
    assert found(lib.search("OR word")) == [near.id]
    assert found(lib.search("AND(")) == [near.id]
    assert found(lib.search('"unbalanced NEAR')) == []
    assert found(lib.search('term "near')) == [near.id]


def test_unknown_key_and_bad_date_are_text(lib: Library) -> None:
    snippet = lib.add("A note about before and yesterday.").snippet
    assert found(lib.search("before:yesterday")) == [snippet.id]
    assert found(lib.search("note:about")) == [snippet.id]


def test_undated_snippets_are_filtered_by_the_day_they_were_added(lib: Library) -> None:
    """`before:`/`after:` compare the published date, or the day a snippet
    was added when its source has none (documented in `briefer.library`)."""
    dated = lib.add("Flood report", Source(title="Old", published="2020-05-01")).snippet
    undated = lib.add("Flood notes", Source(title="Mine")).snippet
    today = undated.created[:10]
    assert found(lib.search("flood before:2021")) == [dated.id]
    assert found(lib.search(f"flood after:{today}")) == [undated.id]
    assert found(lib.search(f"flood before:{today}")) == [dated.id]
    moved = lib.update(undated.id, source=Source(title="Archive", published="2019"))
    assert found(lib.search("flood before:2020")) == [moved.id]


def test_fragment_is_data_with_valid_offsets(lib: Library) -> None:
    long_text = " ".join(["filler"] * 60 + ["<b>Sanctions</b> & regulation"] + ["tail"] * 60)
    lib.add(long_text)
    (hit,) = lib.search("sanctions regulation")
    fragment = hit.fragment
    assert "<b>Sanctions</b> &" in fragment.text  # as written, not escaped or interpreted
    assert fragment.text.startswith("…") and fragment.text.endswith("…")
    marked = [fragment.text[a:b].casefold() for a, b in fragment.highlights]
    assert marked == ["sanctions", "regulation"]
    assert fragment.marked("«", "»").count("«") == 2
    runs = list(fragment.highlighted())
    assert "".join(text for text, _ in runs) == fragment.text
    assert [text for text, on in runs if on] == ["Sanctions", "regulation"]


def test_prefix_highlight_covers_the_whole_word(lib: Library) -> None:
    lib.add("Regulators met regularly.")
    (hit,) = lib.search("regul")
    assert [hit.fragment.text[a:b] for a, b in hit.fragment.highlights] == [
        "Regulators",
        "regularly",
    ]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=40))
def test_any_text_is_a_valid_query(lib: Library, query: str) -> None:
    lib.search(query)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.lists(
        st.sampled_from([*list("ab \"-*:()^{}+ANDORNEAR北🔥\\'"), "tag:", "source:", "before:"]),
        max_size=20,
    ).map("".join)
)
def test_syntax_soup_never_raises(lib: Library, query: str) -> None:
    lib.search(query)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    word=st.text(
        alphabet=st.characters(categories=["Lu", "Ll", "Lo", "Nd"]), min_size=3, max_size=12
    )
)
def test_every_stored_word_is_found(lib: Library, word: str) -> None:
    snippet = lib.add(f"start {word} end").snippet
    assert snippet.id in found(lib.search(word, as_you_type=False, limit=10_000))


COUNTED = [
    "regulation", "reg", "regul*", '"critical infrastructure"', "regulation -sanctions",
    "-regulation", "tag:eu", "regulation tag:cyber", "source:reuters", "after:2026-01-01",
    "北京", "nonexistentword", "", '"unbalanced', "AND(", "tag:", "café",
]  # fmt: skip


@pytest.mark.parametrize("query", COUNTED)
def test_count_matches_counts_what_search_finds(
    lib: Library, corpus: dict[str, int], query: str
) -> None:
    """The count a search line shows is what the search finds, in all."""
    assert lib.count_matches(query) == len(lib.search(query, limit=10_000))
    assert lib.count_matches(query, tags=["eu"]) == len(
        lib.search(query, tags=["eu"], limit=10_000)
    )


def test_count_matches_is_not_held_to_the_ranked_candidates(lib: Library) -> None:
    """Ranking looks at the newest matches only; the count is of them all."""
    for n in range(120):
        lib.add(f"Harbour notice {n}.", Source(title=f"Notice {n}"))
    assert lib.count_matches("harbour") == 120
    assert len(lib.search("harbour", limit=50)) == 50
    lib.delete(lib.search("harbour", limit=1)[0].snippet.id)
    assert lib.count_matches("harbour") == 119  # the trash is not counted
