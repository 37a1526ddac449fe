"""Highlighted fragments: the fast path for ASCII text finds what folding finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from briefer.library import fragments
from briefer.library.query import parse_query

# Few, short words, so that phrases, prefixes and repeats really occur;
# separators include the underscore, which is no part of a word.
WORDS = st.sampled_from(["a", "ab", "abc", "The", "THE", "the", "then", "b2", "x_y", "42"])
SEPARATORS = st.sampled_from([" ", "  ", ", ", "-", "_", ".\n", "'"])


@st.composite
def ascii_texts(draw: st.DrawFn) -> str:
    words = draw(st.lists(WORDS, min_size=0, max_size=25))
    return "".join(w + draw(SEPARATORS) for w in words)


QUERIES = st.sampled_from(
    ["the", "THE abc", '"the then"', '"the the"', "ab*", "abc", '"a ab*"', "the a -b2", "42 x"]
)


@settings(max_examples=400, deadline=None)
@given(text=ascii_texts(), query=QUERIES, as_you_type=st.booleans())
def test_ascii_text_is_matched_as_the_folding_path_matches_it(
    text: str, query: str, as_you_type: bool
) -> None:
    found_by = fragments.matcher(parse_query(query, as_you_type=as_you_type))
    fast = fragments.ascii_word_spans(text, found_by.ascii_patterns)
    folded = fragments.word_spans(text, found_by.patterns)
    assert sorted(fast) == sorted(folded)


def test_a_phrase_repeated_in_a_row_is_highlighted_every_time() -> None:
    found_by = fragments.matcher(parse_query('"the the"'))
    spans = fragments.ascii_word_spans("The the THE end", found_by.ascii_patterns)
    assert [(a, b) for a, b, _ in spans] == [(0, 7), (4, 11)]


def test_a_prefix_highlights_the_whole_word() -> None:
    fragment = fragments.build([("text", "Regulators regulate.")], parse_query("regul*"))
    assert [fragment.text[a:b] for a, b in fragment.highlights] == ["Regulators", "regulate"]
