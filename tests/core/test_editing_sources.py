"""A brief's sources as a writer handles them: citations found where they
stand, sources edited and removed, several snippets cited at once, numbers
that follow first use, and a brief that exports without its library."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import docx
import pytest
from cli_helpers import run
from pypdf import PdfReader

from briefer.briefs import load_brief, new_brief
from briefer.compose import compose
from briefer.editing import (
    Citation,
    CiteMode,
    citation_at,
    citation_places,
    citations,
    cite_snippet,
    cite_snippets,
    remove_source,
    remove_sources,
    set_body,
    set_source_fields,
    unknown_citations,
    unused_sources,
)
from briefer.errors import EditError
from briefer.library import Library
from briefer.library.model import Snippet
from briefer.library.model import Source as LibrarySource
from briefer.model import Brief, Source
from briefer.paths import Paths
from briefer.templates import TemplateRegistry

REGISTRY = TemplateRegistry(Paths.from_env())
LEDGER = LibrarySource(
    title="Halden votes to open berth schedules",
    publisher="Northern Ledger",
    author="Jonas Eklund",
    url="https://news.example.org/halden-berth-data",
    published="2026-11-18",
)
WIRE = LibrarySource(
    title="Carriers offered priority for sharing arrival data",
    publisher="Coastal Wire",
    url="https://coastalwire.example.com/halden-priority",
    published="2026-11-19",
)


def sample(template_id: str) -> Brief:
    template = REGISTRY.by_id(template_id)
    assert template.sample_path is not None
    return load_brief(template.sample_path)


def snippet(n: int, text: str, source: LibrarySource = LEDGER, deleted: str = "") -> Snippet:
    return Snippet(id=n, text=text, source=source, deleted=deleted)


def numbered(brief: Brief, template_id: str = "long-form") -> list[str]:
    """The keys of the export's numbered sources, number 1 first."""
    document = compose(brief, REGISTRY.by_id(template_id))
    assert [entry.n for entry in document.sources] == list(range(1, len(document.sources) + 1))
    return [entry.key for entry in document.sources]


# --------------------------------------------------------------------------
# Finding citations in the text
# --------------------------------------------------------------------------


def test_citations_are_found_where_they_stand() -> None:
    body = "Berths open [@ledger-1]. Fees fall [@wire; @ledger-1] and 😀 rise [@nowhere]."
    found = citations(body)
    assert [c.key for c in found] == ["ledger-1", "wire", "ledger-1", "nowhere"]
    for citation in found:
        assert body[citation.start : citation.end] == "@" + citation.key
        assert body[citation.bracket_start] == "[" and body[citation.bracket_end - 1] == "]"
    assert [c.alone for c in found] == [True, False, False, True]
    assert citations("No citations, only an address: name@example.org.") == []


def test_citations_count_as_citation_places_does() -> None:
    brief = sample("smart-brevity")
    places: dict[str, list[str]] = {}
    for section in brief.sections:
        for citation in citations(section.body):
            places.setdefault(citation.key, []).append(section.id)
    assert places == citation_places(brief)


def test_the_citation_at_a_click_is_the_one_under_it() -> None:
    body = "Fees fall [@wire; @ledger-1] now.[@a][@b]"
    first = body.index("[@wire")
    for index in range(first, body.index("; @ledger")):
        assert citation_at(body, index).key == "wire", index  # type: ignore[union-attr]
    for index in range(body.index("@ledger"), body.index(" now")):
        assert citation_at(body, index).key == "ledger-1", index  # type: ignore[union-attr]
    assert citation_at(body, body.index(" now") + 1) is None  # in the words after it
    assert citation_at(body, 3) is None
    between = body.index("][@b") + 1  # the end of [@a] is the start of [@b]
    assert citation_at(body, between).key == "b"  # type: ignore[union-attr]
    assert citation_at(body, between - 1).key == "a"  # type: ignore[union-attr]
    assert citation_at(body, len(body)).key == "b"  # type: ignore[union-attr]


def test_unknown_citations_are_those_without_a_source() -> None:
    brief = sample("smart-brevity")
    body = brief.section("what-happened").body + " Also [@ledger-1; @rumour] and [@gossip]."
    unknown = unknown_citations(body, brief.sources)
    assert [(c.key, body[c.start : c.end]) for c in unknown] == [
        ("rumour", "@rumour"),
        ("gossip", "@gossip"),
    ]
    assert unknown[1] == Citation(
        "gossip",
        body.index("@gossip"),
        body.index("@gossip") + 7,
        body.index("[@gossip"),
        body.index("[@gossip") + 9,
    )
    # ... which is what compose reports for the export.
    changed = set_body(brief, "what-happened", body)
    reported = {d.key for d in compose(changed, REGISTRY.by_id("smart-brevity")).diagnostics}
    assert {"rumour", "gossip"} <= reported


# --------------------------------------------------------------------------
# Editing and removing sources
# --------------------------------------------------------------------------


def test_editing_a_sources_fields_changes_every_citation_of_it() -> None:
    brief = sample("long-form")
    key = next(iter(brief.sources))
    edited = set_source_fields(brief, key, publisher="Halden Port Gazette", published="2026-11")
    assert edited.sources[key].publisher == "Halden Port Gazette"
    assert edited.sources[key].published == "2026-11"
    assert edited.sources[key].quote == brief.sources[key].quote  # provenance kept
    assert brief.sources[key].publisher != "Halden Port Gazette"  # a value: unchanged
    document = compose(edited, REGISTRY.by_id("long-form"))
    entry = next(e for e in document.sources if e.key == key)
    assert "Halden Port Gazette" in " ".join(str(v) for v in dataclasses.astuple(entry))
    assert set_source_fields(edited, key, publisher="Halden Port Gazette") is edited


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"published": "18 November"}, "published: expected a date like 2026-11-20"),
        ({"accessed": "2026-02-30"}, "accessed: expected a date"),
        ({"published": "2026-13"}, "published: expected a date"),
        ({"quote": "other words"}, "quote: not a field of a source"),
        ({"colour": "red"}, "colour: not a field of a source"),
    ],
)
def test_a_source_field_that_cannot_be_stored_is_refused(fields, message) -> None:
    brief = sample("long-form")
    key = next(iter(brief.sources))
    with pytest.raises(EditError, match=message):
        set_source_fields(brief, key, **fields)
    with pytest.raises(EditError, match=r"no source \[@ghost\]"):
        set_source_fields(brief, "ghost", publisher="X")


def test_a_source_no_longer_cited_is_unused_and_can_go() -> None:
    brief = sample("smart-brevity")
    assert unused_sources(brief) == []
    # The only citation of freight-3 is cut from its section.
    body = brief.section("why-it-matters").body.replace(" [@freight-3]", "")
    brief = set_body(brief, "why-it-matters", body)
    assert unused_sources(brief) == ["freight-3"]
    with pytest.raises(EditError) as refused:
        remove_sources(brief, ["freight-3", "ledger-1"])  # all or nothing
    message = str(refused.value)
    assert "[@ledger-1] is still cited (3 times" in message
    for name in ("Key points", "What Happened?", "What's Next?"):
        assert name in message
    lighter = remove_sources(brief, unused_sources(brief))
    assert list(lighter.sources) == ["ledger-1", "coastal-2"]
    with pytest.raises(EditError, match="still cited"):
        remove_source(lighter, "coastal-2")


# --------------------------------------------------------------------------
# Citing several snippets at once
# --------------------------------------------------------------------------


def test_several_snippets_are_cited_in_order_as_one_change() -> None:
    brief = sample("smart-brevity")
    body = brief.section("what-happened").body
    at = body.index(" The authority")  # after the first sentence
    picked = [
        snippet(7, "Schedules go public in February."),
        snippet(8, "Priority for carriers that share data.", WIRE),
    ]
    outcome = cite_snippets(brief, "what-happened", picked, at, CiteMode.QUOTE)
    new_body = outcome.brief.section("what-happened").body
    assert new_body.index("Schedules go public") < new_body.index("Priority for carriers")
    # The sample already cites both works: their keys are reused.
    assert [(i.key, i.reused) for i in outcome.made] == [("ledger-1", True), ("coastal-2", True)]
    assert outcome.start == outcome.made[0].start
    # Block quotes never split a paragraph: both follow the one dropped on.
    assert new_body == (
        f"{body}\n\n> Schedules go public in February. [@ledger-1]"
        "\n\n> Priority for carriers that share data. [@coastal-2]"
    )
    assert outcome.end == len(new_body)
    assert outcome.brief.sources == brief.sources
    assert outcome.skipped == ()


def test_trashed_quoted_and_repeated_snippets_are_left_out_with_why() -> None:
    brief = new_brief(REGISTRY.by_id("smart-brevity"))
    first = snippet(1, "Schedules go public in February.")
    brief = cite_snippet(brief, "what-happened", first)
    again = cite_snippets(
        brief,
        "what-happened",
        [first, snippet(2, "Old words.", deleted="2026-11-01T00:00:00Z")],
        None,
        CiteMode.QUOTE,
    )
    assert again.brief == brief and again.made == ()
    assert again.skipped == (
        (1, "the section quotes it already"),
        (2, "it is in the trash"),
    )
    paraphrase = cite_snippets(
        brief,
        "why-it-matters",
        [first, snippet(3, "More from the same article.")],
        None,
        "paraphrase",
    )
    assert paraphrase.brief.section("why-it-matters").body == "[@northern-ledger-2026-11-18]"
    assert paraphrase.skipped == ((3, "its source is cited there already"),)
    with pytest.raises(EditError, match="no section 'nope'"):
        cite_snippets(brief, "nope", [first])


# --------------------------------------------------------------------------
# Numbers follow first use
# --------------------------------------------------------------------------


def test_moving_a_cited_sentence_renumbers_by_first_use() -> None:
    brief = sample("long-form")
    order = numbered(brief)
    assert len(order) >= 2
    # The sentence holding the first citation of source 1 moves to the end
    # of the last section: source 2 is now the first one cited.
    first_key = order[0]
    places = citation_places(brief)[first_key]
    moved_brief = brief
    for section_id in dict.fromkeys(places):
        body = moved_brief.section(section_id).body
        for citation in reversed([c for c in citations(body) if c.key == first_key]):
            # Cut every citation of the first source: the text stays, the key goes...
            body = body[: citation.bracket_start].rstrip(" ") + body[citation.bracket_end :]
        moved_brief = set_body(moved_brief, section_id, body)
    last = moved_brief.sections[-1]
    # ... and is pasted at the end, in the last section.
    moved_brief = set_body(moved_brief, last.id, last.body + f" As reported [@{first_key}].")
    renumbered = numbered(moved_brief)
    assert renumbered[0] == order[1]
    assert renumbered[-1] == first_key
    assert sorted(renumbered) == sorted(order)


# --------------------------------------------------------------------------
# A brief carries its sources
# --------------------------------------------------------------------------


def test_a_brief_exports_when_its_library_no_longer_has_the_snippet(tmp_path: Path) -> None:
    library_path = tmp_path / "library.sqlite3"
    with Library.open(library_path) as library:
        added = library.add(
            "Berth schedules will be public from February.",
            dataclasses.replace(LEDGER),
        ).snippet
    brief_path = tmp_path / "halden.brief"
    assert run("new", "--template", "long-form", "--title", "Halden", "-o", str(brief_path))[0] == 0
    code, _, err = run(
        "cite",
        str(brief_path),
        str(added.id),
        "--section",
        "lede",
        "--library",
        str(library_path),
    )
    assert code == 0, err
    # The snippet goes for good, then the whole library.
    with Library.open(library_path) as library:
        library.delete(added.id)
        assert library.empty_trash() == 1
    library_path.unlink()
    code, _, err = run("export", str(brief_path), "--format", "docx,pdf")
    assert code == 0, err
    saved: Source = next(iter(load_brief(brief_path).sources.values()))
    assert saved.snippet_id == str(added.id) and saved.quote == added.text
    pdf = " ".join(
        " ".join(p.extract_text() for p in PdfReader(brief_path.with_suffix(".pdf")).pages).split()
    )
    words = " ".join(
        " ".join(
            p.text for p in docx.Document(str(brief_path.with_suffix(".docx"))).paragraphs
        ).split()
    )
    for text in (pdf, words):
        assert "Berth schedules will be public from February." in text
        assert "Northern Ledger" in text
        assert "Halden votes to open berth schedules" in text


def test_the_same_number_from_another_library_is_another_work() -> None:
    """Snippet numbers are a library's own: a brief citing snippet 1 of one
    library, then snippet 1 of another (a colleague's, the team's) about
    another article, keeps two sources; the second quote is not credited
    to the first source."""
    template = REGISTRY.by_id("smart-brevity")
    ours = snippet(1, "Schedules go public in February.")
    first = cite_snippet(new_brief(template), "what-happened", ours)
    (ledger,) = first.sources
    theirs = snippet(1, "Priority for carriers that share data.", WIRE)
    second = cite_snippet(first, "why-it-matters", theirs)
    assert {s.publisher for s in second.sources.values()} == {"Northern Ledger", "Coastal Wire"}
    (wire,) = set(second.sources) - {ledger}
    assert f"[@{wire}]" in second.section("why-it-matters").body
    # The same snippet cited again, from the same library, keeps its key.
    again = cite_snippet(second, "whats-next", ours)
    assert again.sources == second.sources
    assert f"[@{ledger}]" in again.section("whats-next").body
