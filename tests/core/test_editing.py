"""Edits on a brief as values: what a writer does, checked as they would see it."""

from __future__ import annotations

import dataclasses
import itertools
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefer.briefs import brief_from_bytes, brief_to_bytes, load_brief, new_brief
from briefer.citekeys import cited_keys, is_valid_key, make_key
from briefer.compose import compose
from briefer.document import BulletList, DiagnosticKind, Quote, block_text
from briefer.editing import (
    OTHER_HEADING,
    CiteMode,
    citation_places,
    cite_snippet,
    complete_sections,
    plan_citation,
    quotes_snippet,
    remove_source,
    retemplate,
    set_body,
    set_heading,
    set_meta,
    set_source,
    word_count,
)
from briefer.errors import EditError
from briefer.library.model import Snippet
from briefer.library.model import Source as LibrarySource
from briefer.markdown_input import brief_from_markdown, match_template_sections
from briefer.markup import MarkdownParser
from briefer.model import Brief, Section, SectionKind, Source
from briefer.paths import Paths
from briefer.templates import TemplateRegistry
from briefer.text import index_from_utf16, utf16_from_index
from briefer.words import count_words

REPO = Path(__file__).resolve().parents[2]
REGISTRY = TemplateRegistry(Paths.from_env())
TEMPLATES = {t.id: t for t in REGISTRY.all()}

LEDGER = LibrarySource(
    title="Halden votes to open berth schedules",
    publisher="Northern Ledger",
    author="Ines Vold",
    url="https://www.northernledger.example/halden?utm_source=feed",
    published="2026-11-20",
)


def snippet(n: int, text: str, source: LibrarySource = LEDGER) -> Snippet:
    return Snippet(id=n, text=text, source=source)


def smart() -> Brief:
    return set_meta(new_brief(TEMPLATES["smart-brevity"]), title="Halden", date="2026-11-22")


def words(text: str) -> list[str]:
    """The words of Markdown text, citations left out (they export as numbers)."""
    return re.findall(r"[^\W_]+", re.sub(r"\[@[^\]]*\]", " ", text))


# -- values -------------------------------------------------------------------


def test_edits_return_new_briefs_and_leave_the_old_one_alone() -> None:
    before = smart()
    snapshot = brief_to_bytes(before)
    after = set_body(before, "what-happened", "The port opened its data.")
    after = set_heading(after, "what-happened", "What happened")
    after = set_meta(after, author="Mira", keywords=["ports", " "])
    after = cite_snippet(after, "what-happened", snippet(1, "Berths open."))
    assert brief_to_bytes(before) == snapshot
    assert after != before  # "unsaved" is just this
    assert after.meta.keywords == ("ports",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        after.meta.title = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        after.sources["x"] = Source()  # type: ignore[index]
    undo = [before, after]
    assert undo.pop() == after and undo[-1] == before


def test_compose_and_matching_never_touch_the_brief() -> None:
    brief = load_brief(REPO / "templates" / "smart-brevity" / "sample.brief")
    snapshot = brief_to_bytes(brief)
    document = compose(brief, TEMPLATES["smart-brevity"])
    assert document.meta == brief.meta and document.meta is not brief.meta
    md, _ = brief_from_markdown("# T\n\n- a\n\n## What Happened?\n\nIt did.\n")
    matched = match_template_sections(md, TEMPLATES["smart-brevity"])
    assert [s.id for s in md.sections] == ["summary", "what-happened"]
    assert [s.id for s in matched.sections] == ["key-points", "what-happened"]
    assert brief_to_bytes(brief) == snapshot


def test_bad_edits_are_refused_and_change_nothing() -> None:
    brief = smart()
    with pytest.raises(EditError, match="no section 'nope'"):
        set_body(brief, "nope", "x")
    with pytest.raises(EditError, match="date: expected a date like 2026-11-22"):
        set_meta(brief, date="22/11/2026")
    with pytest.raises(EditError, match="colour: not a field"):
        set_meta(brief, colour="red")
    with pytest.raises(EditError, match=r"no source \[@ghost\]"):
        remove_source(brief, "ghost")


# -- citing snippets ------------------------------------------------------------


def test_quote_mode_adds_a_block_quote_after_the_paragraph_and_one_source() -> None:
    brief = set_body(smart(), "what-happened", "Halden voted on Tuesday.\nIt was close.\n\nMore.")
    cited = cite_snippet(brief, "what-happened", snippet(7, "Berths will open."), position=5)
    assert cited.section("what-happened").body == (
        "Halden voted on Tuesday.\nIt was close.\n\n"
        "> Berths will open. [@northern-ledger-2026-11-20]\n\nMore."
    )
    source = cited.sources["northern-ledger-2026-11-20"]
    assert source.publisher == "Northern Ledger" and source.snippet_id == "7"
    assert source.quote == "Berths will open." and source.published == "2026-11-20"


def test_inline_and_paraphrase_modes() -> None:
    brief = set_body(smart(), "what-happened", "The vote was close.")
    inline = cite_snippet(brief, "what-happened", snippet(1, "a narrow  win"), 8, "inline")
    assert inline.section("what-happened").body == (
        "The vote “a narrow win” [@northern-ledger-2026-11-20] was close."
    )
    para = cite_snippet(brief, "what-happened", snippet(1, "x"), 19, CiteMode.PARAPHRASE)
    assert para.section("what-happened").body == (
        "The vote was close. [@northern-ledger-2026-11-20]"
    )
    # Dropped inside a word, the citation goes after the word.
    mid = cite_snippet(brief, "what-happened", snippet(1, "x"), 6, "paraphrase")
    assert mid.section("what-happened").body.startswith(
        "The vote [@northern-ledger-2026-11-20] was"
    )
    german = set_meta(brief, language="de")
    quoted = cite_snippet(german, "what-happened", snippet(1, "knapp"), None, "inline")
    assert "„knapp“" in quoted.section("what-happened").body


def test_two_snippets_of_one_article_give_one_source() -> None:
    same_article = dataclasses.replace(
        LEDGER, url="http://northernledger.example/halden/#comments", author=""
    )
    brief = cite_snippet(smart(), "what-happened", snippet(1, "First quote."))
    brief = cite_snippet(brief, "why-it-matters", snippet(2, "Second quote.", same_article))
    by_title = dataclasses.replace(LEDGER, url="", author="")
    brief = cite_snippet(brief, "whats-next", snippet(3, "Third.", by_title), None, "inline")
    assert list(brief.sources) == ["northern-ledger-2026-11-20"]
    assert citation_places(brief) == {
        "northern-ledger-2026-11-20": ["what-happened", "why-it-matters", "whats-next"]
    }
    # Each citation carries its own quote in the text.
    text = "\n".join(s.body for s in brief.sections)
    assert all(q in text for q in ("First quote.", "Second quote.", "Third."))
    # Another article of the same paper on the same day is another source.
    other = dataclasses.replace(LEDGER, title="Crane data delayed", url="https://x.example/c")
    brief = cite_snippet(brief, "whats-next", snippet(4, "Delayed.", other))
    assert list(brief.sources) == ["northern-ledger-2026-11-20", "northern-ledger-2026-11-20-b"]


def test_a_later_snippet_fills_what_the_source_lacked() -> None:
    bare = dataclasses.replace(LEDGER, author="")
    brief = cite_snippet(smart(), "what-happened", snippet(1, "One.", bare))
    brief = cite_snippet(brief, "what-happened", snippet(2, "Two."))
    source = brief.sources["northern-ledger-2026-11-20"]
    assert source.author == "Ines Vold" and source.quote == "One." and source.snippet_id == "1"


def test_snippet_text_is_data_never_markdown() -> None:
    hostile = "# Not a heading\n\n*not emphasis* [@fake] <b>bold</b> `x` 1. item _u_ | pipe"
    brief = cite_snippet(smart(), "what-happened", snippet(1, hostile))
    brief = cite_snippet(brief, "why-it-matters", snippet(1, hostile), None, "inline")
    document = compose(brief, TEMPLATES["smart-brevity"])
    text = "\n".join(block_text(b) for b in document.blocks)
    for literal in ("# Not a heading", "*not emphasis*", "[@fake]", "<b>bold</b>", "`x`", "_u_"):
        assert literal in text
    assert [s.key for s in document.sources] == ["northern-ledger-2026-11-20"]
    assert not [d for d in document.diagnostics if d.kind is DiagnosticKind.UNKNOWN_CITATION]


def test_sources_can_be_edited_and_removed_only_when_uncited() -> None:
    brief = cite_snippet(smart(), "what-happened", snippet(1, "One."))
    key = "northern-ledger-2026-11-20"
    edited = set_source(brief, key, dataclasses.replace(brief.sources[key], publisher="Ledger"))
    document = compose(edited, TEMPLATES["smart-brevity"])
    assert document.sources[0].name == "Ledger"
    with pytest.raises(EditError, match=r"still cited \(once, in 'What Happened\?'\)"):
        remove_source(brief, key)
    uncited = set_body(brief, "what-happened", "")
    assert key not in remove_source(uncited, key).sources


def test_plan_citation_tells_where_the_text_went() -> None:
    brief = set_body(smart(), "what-happened", "Para one.")
    plan = plan_citation(brief, "what-happened", snippet(1, "Q."), None, "quote")
    after = cite_snippet(brief, "what-happened", snippet(1, "Q."), None, "quote")
    body = after.section("what-happened").body
    assert body[plan.start : plan.end] == plan.text and not plan.reused
    assert body == "Para one.\n\n> Q. [@northern-ledger-2026-11-20]"


# -- keys -----------------------------------------------------------------------


def test_readable_keys() -> None:
    assert make_key(publisher="Bloomberg", published="2026-11-20") == "bloomberg-2026-11-20"
    taken = {"bloomberg-2026-11-20", "bloomberg-2026-11-20-b"}
    assert make_key(publisher="Bloomberg", published="2026-11-20", taken=taken) == (
        "bloomberg-2026-11-20-c"
    )
    assert make_key(url="https://news.bbc.co.uk/x") == "bbc"
    assert make_key(author="Vold, Ines") == "vold"
    assert make_key(publisher="新华社") == "新华社"
    assert make_key(publisher="Lloyd’s List", published="2026") == "lloyds-list-2026"
    assert make_key() == "source"
    for key in ("bloomberg-2026-11-20", "新华社", "_x", "doi:10.1/x"):
        assert is_valid_key(key), key
    for key in ("a.", "-a", "", "a b", "a]"):
        assert not is_valid_key(key), key


def test_one_key_grammar_from_markdown_to_brief_and_back(tmp_path: Path) -> None:
    # A key Markdown accepts is one a .brief accepts, and one a citation finds.
    text = '# T\n\n- one [@_x]\n\n[@_x]: https://example.org/x "X"\n[@ö.1]: https://example.org/y\n'
    brief, _ = brief_from_markdown(text)
    assert set(brief.sources) == {"_x", "ö.1"}
    loaded = brief_from_bytes(brief_to_bytes(brief))
    assert loaded == brief
    assert cited_keys("see [@_x; @ö.1]. And [@_x].") == ["_x", "ö.1", "_x"]
    bad = brief_to_bytes(brief).replace(b'"_x"', b'"a."')
    with pytest.raises(Exception, match=r"sources\.a\.: a source key must be"):
        brief_from_bytes(bad)


_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)
_SNIPPETS = st.builds(
    Snippet,
    id=st.integers(1, 10**6),
    text=_TEXT,
    source=st.builds(
        LibrarySource,
        title=_TEXT,
        publisher=st.sampled_from(["", "Reuters", "Le Monde", "新华社", "B&B <x>"]),
        url=st.sampled_from(["", "https://a.example/1", "https://a.example/1/", "mailto:x@y"]),
        published=st.sampled_from(["", "2026", "2026-11", "2026-11-20"]),
    ),
)
_EDIT = st.one_of(
    st.tuples(st.just("body"), st.sampled_from(["key-points", "what-happened"]), _TEXT),
    st.tuples(st.just("meta"), st.sampled_from(["title", "author", "classification"]), _TEXT),
    st.tuples(
        st.just("cite"),
        st.sampled_from(["key-points", "what-happened"]),
        _SNIPPETS,
        st.sampled_from(list(CiteMode)),
        st.one_of(st.none(), st.integers(0, 60)),
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_EDIT, max_size=8))
def test_any_brief_made_by_edits_saves_and_loads_back_equal(edits: list[tuple]) -> None:
    brief = smart()
    for edit in edits:
        if edit[0] == "body":
            brief = set_body(brief, edit[1], edit[2])
        elif edit[0] == "meta":
            brief = set_meta(brief, **{edit[1]: edit[2]})
        else:
            brief = cite_snippet(brief, edit[1], edit[2], edit[4], edit[3])
    loaded = brief_from_bytes(brief_to_bytes(brief))
    assert loaded == brief
    for key in brief.sources:
        assert is_valid_key(key)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.text(max_size=20), _TEXT), max_size=4),
    st.dictionaries(
        st.from_regex(r"\A[\w][\w:./-]{0,8}[\w:/-]\Z"),
        st.sampled_from(["https://example.org/a", "https://example.org/b"]),
        max_size=3,
    ),
)
def test_any_brief_from_markdown_saves_and_loads_back_equal(
    parts: list[tuple[str, str]], sources: dict[str, str]
) -> None:
    lines = ["# Title", ""]
    for heading, body in parts:
        lines += [f"## {' '.join(heading.split()) or 'H'}", "", body, ""]
    lines += [f"[@{key}]: {url}" for key, url in sources.items()]
    brief, _ = brief_from_markdown("\n".join(lines))
    assert brief_from_bytes(brief_to_bytes(brief)) == brief


# -- switching template ------------------------------------------------------------


def test_smart_brevity_sample_moves_to_bluf_memo_without_orphans() -> None:
    brief = load_brief(REPO / "templates" / "smart-brevity" / "sample.brief")
    moved = retemplate(brief, TEMPLATES["bluf-memo"], TEMPLATES["smart-brevity"])
    assert moved.template == "bluf-memo"
    assert [s.id for s in moved.sections] == ["bluf", "key-judgments", "discussion", "outlook"]
    assert moved.section("key-judgments").body == brief.section("key-points").body
    assert moved.section("bluf").body == brief.section("what-happened").body
    document = compose(moved, TEMPLATES["bluf-memo"])
    assert not [d for d in document.diagnostics if d.kind is DiagnosticKind.MISSING_REQUIRED]


def test_what_fits_nowhere_goes_to_other_and_is_exported() -> None:
    brief = load_brief(REPO / "templates" / "smart-brevity" / "sample.brief")
    moved = retemplate(brief, TEMPLATES["long-form"], TEMPLATES["smart-brevity"])
    other = moved.sections[-1]
    assert other.heading == OTHER_HEADING
    assert other.body == "## Key points\n\n" + brief.section("key-points").body
    document = compose(moved, TEMPLATES["long-form"])
    exported = "\n".join(block_text(b) for b in document.blocks)
    assert OTHER_HEADING in exported
    assert all(w in exported for w in words(brief.section("key-points").body) if w != "@")


def test_headings_match_when_case_and_punctuation_differ() -> None:
    brief = Brief(
        template="unknown",
        sections=[Section("x", "WHAT HAPPENED", "It did."), Section("y", "whats next", "Soon.")],
    )
    moved = retemplate(brief, TEMPLATES["smart-brevity"])
    assert moved.section("what-happened").body == "It did."
    assert moved.section("whats-next").body == "Soon."


_BODY = st.lists(
    st.sampled_from(["port", "cargo", "vote", "港口", "ميناء", "**bold**", "- item", "\n\n"]),
    max_size=12,
).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["", "What Happened?", "Notes", "Outlook"]), _BODY), max_size=6
    ),
    st.sampled_from(sorted(TEMPLATES)),
    st.sampled_from(sorted(TEMPLATES)),
)
def test_retemplate_between_any_two_templates_keeps_every_word(
    parts: list[tuple[str, str]], first: str, second: str
) -> None:
    brief = set_meta(new_brief(TEMPLATES[first]), title="T")
    sections = list(brief.sections)
    for index, (heading, body) in enumerate(parts):
        if index < len(sections):
            sections[index] = dataclasses.replace(sections[index], body=body)
        else:
            sections.append(Section(f"extra-{index}", heading, body))
    brief = dataclasses.replace(brief, sections=tuple(sections))
    before = sorted(w for s in brief.sections for w in words(s.body))
    for target in (second, first):
        old = TEMPLATES.get(brief.template)
        brief = retemplate(brief, TEMPLATES[target], old)
        after = [w for s in brief.sections for w in words(s.body)]
        # Headings of parts moved to "Other" become text; no body word is lost.
        assert not [w for w in before if w not in after]
        assert sorted(w for s in brief.sections for w in words(s.body) if w in before) >= before
        document = compose(brief, TEMPLATES[target])
        exported = " ".join(block_text(b) for b in document.blocks)
        assert not [w for w in before if w not in words(exported)]


def test_every_pair_of_builtin_templates_keeps_the_samples_words() -> None:
    for first, second in itertools.permutations(sorted(TEMPLATES), 2):
        brief = load_brief(TEMPLATES[first].sample_path)
        moved = retemplate(brief, TEMPLATES[second], TEMPLATES[first])
        back = retemplate(moved, TEMPLATES[first], TEMPLATES[second])
        for result in (moved, back):
            got = sorted(w for s in result.sections for w in words(s.body))
            want = sorted(w for s in brief.sections for w in words(s.body))
            assert not [w for w in want if w not in got], (first, second)


def test_complete_sections_adds_the_templates_empty_sections_in_order() -> None:
    md, _ = brief_from_markdown("# T\n\n## Why It Matters?\n\nBecause.\n\n## Aside\n\nx\n")
    brief = complete_sections(
        match_template_sections(md, TEMPLATES["smart-brevity"]), TEMPLATES["smart-brevity"]
    )
    assert [s.id for s in brief.sections] == [
        "key-points",
        "what-happened",
        "why-it-matters",
        "aside",
        "whats-next",
    ]


# -- words and diagnostics --------------------------------------------------------


def test_words_are_counted_as_a_reader_sees_them() -> None:
    assert count_words("- one [@a]\n- two\n\n**bold** `code`") == 4
    assert count_words("See [the report](https://example.org/a-b-c) now — really.") == 5
    assert count_words("北京 is big") == 4
    assert count_words("| a | b |\n|---|---|\n| c d | e |") == 5
    brief = set_body(smart(), "key-points", "- one [@a]\n- two")
    assert word_count(brief, "key-points") == 2 and word_count(brief) == 2


def test_diagnostics_name_their_section_kind_and_heading() -> None:
    long_text = " ".join(["word"] * 151) + " [@a] [@a] [@a]"
    brief = set_body(smart(), "what-happened", long_text)
    brief = set_body(brief, "why-it-matters", "See [@ghost].\n\n![map](http://x/y.png)")
    brief = dataclasses.replace(brief, sources={"a": Source(title="A"), "spare": Source()})
    document = compose(brief, TEMPLATES["smart-brevity"], parser=MarkdownParser())
    found = {(d.kind, d.section, d.key) for d in document.diagnostics}
    assert (DiagnosticKind.OVER_BUDGET, "what-happened", "") in found
    assert (DiagnosticKind.UNKNOWN_CITATION, "why-it-matters", "ghost") in found
    assert (DiagnosticKind.MISSING_IMAGE, "why-it-matters", "") in found
    # The Source line names "spare" although nothing cites it: not unused.
    assert (DiagnosticKind.UNUSED_SOURCE, "", "spare") not in found
    assert (DiagnosticKind.MISSING_REQUIRED, "key-points", "") in found
    budget = next(d for d in document.diagnostics if d.kind is DiagnosticKind.OVER_BUDGET)
    assert budget.message == "section 'What Happened?' has 151 words; the template's budget is 150"
    assert document.warnings == [d.message for d in document.diagnostics]


def test_a_qt_cursor_position_lands_on_the_same_character() -> None:
    body = "🚢 Halden 港 🚢 votes."
    for index in range(len(body) + 1):
        assert index_from_utf16(body, utf16_from_index(body, index)) == index
    qt_position = len("🚢 Halden 港 🚢".encode("utf-16-le")) // 2  # after the second ship
    brief = set_body(smart(), "what-happened", body)
    cited = cite_snippet(
        brief, "what-happened", snippet(1, "x"), index_from_utf16(body, qt_position), "paraphrase"
    )
    assert cited.section("what-happened").body == (
        "🚢 Halden 港 🚢 [@northern-ledger-2026-11-20] votes."
    )


def test_switching_to_a_template_and_back_restores_the_brief() -> None:
    brief = load_brief(REPO / "templates" / "smart-brevity" / "sample.brief")
    there = retemplate(brief, TEMPLATES["long-form"], TEMPLATES["smart-brevity"])
    assert there.sections[-1].body.startswith("## Key points\n\n- ")
    assert retemplate(there, TEMPLATES["smart-brevity"], TEMPLATES["long-form"]) == brief


def test_a_date_that_does_not_exist_is_refused() -> None:
    with pytest.raises(EditError, match="2026-02-30"):
        set_meta(smart(), date="2026-02-30")


def test_a_bullets_section_gets_a_bullet() -> None:
    brief = set_body(smart(), "key-points", "- Berths open.\n- Cranes follow.")
    cited = cite_snippet(
        brief, "key-points", snippet(1, "Data is public."), 3, "quote", kind=SectionKind.BULLETS
    )
    assert cited.section("key-points").body == (
        "- Berths open.\n- “Data is public.” [@northern-ledger-2026-11-20]\n- Cranes follow."
    )
    # At the end, and into an empty bullets section (kind given by the template).
    last = cite_snippet(brief, "key-points", snippet(1, "Data is public."), None, "inline")
    assert last.section("key-points").body.endswith(
        "- Cranes follow.\n- “Data is public.” [@northern-ledger-2026-11-20]"
    )
    empty = cite_snippet(smart(), "key-points", snippet(1, "x"), None, "paraphrase",
                         kind=SectionKind.BULLETS)  # fmt: skip
    assert empty.section("key-points").body == "- [@northern-ledger-2026-11-20]"
    items = compose(last, TEMPLATES["smart-brevity"]).blocks[1]
    assert isinstance(items, BulletList) and len(items.items) == 3


def test_quotes_cited_one_after_another_stay_separate_quotes() -> None:
    other = dataclasses.replace(LEDGER, title="Crane data delayed", url="https://x.example/c")
    brief = cite_snippet(smart(), "what-happened", snippet(1, "First."))
    brief = cite_snippet(brief, "what-happened", snippet(2, "Second.", other))
    quotes = [b for b in compose(brief, TEMPLATES["smart-brevity"]).blocks if isinstance(b, Quote)]
    assert [block_text(q) for q in quotes] == ["First.[1]", "Second.[2]"]
    # An inline quote at the end stands in a paragraph of its own.
    brief = cite_snippet(brief, "what-happened", snippet(3, "Third.", other), None, "inline")
    assert brief.section("what-happened").body.endswith(
        "\n\n“Third.” [@northern-ledger-2026-11-20-b]"
    )
    assert quotes_snippet(brief, "what-happened", snippet(3, "Third.", other))
    assert not quotes_snippet(brief, "what-happened", snippet(4, "Fourth."))
