"""Template edits: pure functions on the real built-in templates.

Each edit returns a new template and leaves the old one alone; a value the
template file could not hold is refused with the field named, and nothing
changes; the ranges are the loader's, so what the editor makes composes and
exports like any template.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefer.briefs import load_brief
from briefer.compose import compose
from briefer.document import Heading, Paragraph, plain_text
from briefer.errors import EditError
from briefer.model import CitationStyle, PageSize, SectionKind, Template
from briefer.paths import Paths
from briefer.template_editing import (
    SECTION_LIMITS,
    STYLE_LIMITS,
    add_section,
    margin_limits,
    move_section,
    new_section_id,
    pattern_problem,
    preview_brief,
    remove_section,
    section_id_for,
    section_limits,
    set_details,
    set_heading_size,
    set_margin,
    set_section,
    set_style,
    style_limits,
    text_block_problem,
)
from briefer.templates import MIN_TEXT_WIDTH_MM, TemplateRegistry, load_template, read_template


def builtin(template_id: str) -> Template:
    return TemplateRegistry(Paths.from_env()).by_id(template_id)


def headings(template: Template) -> list[str]:
    return [s.heading for s in template.sections]


def test_sections_are_added_removed_and_moved_in_new_values() -> None:
    before = builtin("bluf-memo")
    added = add_section(before, heading="Indicators", kind=SectionKind.BULLETS, index=2)
    assert headings(before) == ["Bottom Line Up Front", "Key Judgments", "Discussion", "Outlook"]
    assert headings(added) == [
        "Bottom Line Up Front",
        "Key Judgments",
        "Indicators",
        "Discussion",
        "Outlook",
    ]
    new_id = new_section_id(before, added)
    assert new_id == "indicators"
    assert added.section("indicators").kind is SectionKind.BULLETS

    moved = move_section(added, "indicators", 4)
    assert headings(moved)[-1] == "Indicators"
    moved = move_section(moved, "indicators", 0)
    assert headings(moved)[0] == "Indicators"

    removed = remove_section(moved, "indicators")
    assert removed.sections == before.sections
    assert removed.style is before.style


def test_a_new_sections_id_is_made_from_its_heading_and_never_reused() -> None:
    template = builtin("smart-brevity")
    twice = add_section(add_section(template, heading="What Happened?"), heading="")
    ids = [s.id for s in twice.sections]
    assert ids[-2:] == ["what-happened-2", "section"]
    assert len(set(ids)) == len(ids)
    # Non-Latin headings still give an id the loader accepts.
    assert section_id_for(template, "Что дальше?") == "section"
    assert section_id_for(template, "What Happened?", replacing="what-happened") == "what-happened"


def test_section_fields_are_set_and_checked() -> None:
    template = builtin("smart-brevity")
    edited = set_section(
        template,
        "whats-next",
        heading="Outlook",
        kind=SectionKind.BULLETS,
        guidance="Dates to watch.",
        max_words=80,
        required=True,
    )
    spec = edited.section("whats-next")
    assert (spec.heading, spec.kind, spec.guidance, spec.max_words, spec.required) == (
        "Outlook",
        SectionKind.BULLETS,
        "Dates to watch.",
        80,
        True,
    )
    assert set_section(edited, "whats-next", max_words=None).section("whats-next").max_words is None
    assert set_section(edited, "whats-next", kind="prose").section("whats-next").kind is (
        SectionKind.PROSE
    )
    assert set_section(edited, "whats-next", id="outlook").section("outlook") is not None

    limit = section_limits("max_words")
    for field, bad, said in (
        ("max_words", 0, f"outside {limit.low:g}"),
        ("max_words", 12.5, "expected a number"),
        ("max_words", True, "expected a number"),
        ("kind", "table", 'expected "bullets" or "prose"'),
        ("required", "yes", "true or false"),
        ("heading", "two\nlines", "one line"),
        ("id", "What Next", "lower-case letters"),
        ("id", "key-points", "used by another section"),
        ("colour", "#000000", "no field 'colour'"),
    ):
        with pytest.raises(EditError, match=said) as caught:
            set_section(template, "whats-next", **{field: bad})
        assert "sections" in str(caught.value)
    with pytest.raises(EditError, match="no section 'nope'"):
        set_section(template, "nope", heading="x")


def test_the_last_section_cannot_be_removed_and_moves_stay_in_range() -> None:
    template = builtin("smart-brevity")
    one = template
    for spec in template.sections[1:]:
        one = remove_section(one, spec.id)
    with pytest.raises(EditError, match="at least one section"):
        remove_section(one, one.sections[0].id)
    with pytest.raises(EditError, match="no place 4"):
        move_section(template, "key-points", 4)
    with pytest.raises(EditError, match="no place 9"):
        add_section(template, index=9)


def test_style_fields_are_set_within_the_loaders_ranges() -> None:
    template = builtin("smart-brevity")
    edited = set_style(
        template,
        page_size=PageSize.LETTER,
        body_size_pt=11,
        accent="#aa3300",
        citations=CitationStyle.FOOTNOTES,
        header="{classification} · {author}",
        banner=True,
    )
    style = edited.style
    assert style.page_size is PageSize.LETTER and style.body_size_pt == 11.0
    assert style.accent == "#AA3300"  # as the loader stores it
    assert style.citations is CitationStyle.FOOTNOTES and style.banner
    assert template.style.page_size is PageSize.A4  # the old value is untouched

    size = style_limits("body_size_pt")
    for field, bad, said in (
        ("body_size_pt", size.high + 1, f"outside {size.low:g} to {size.high:g}"),
        ("body_size_pt", float("nan"), "expected a number"),
        ("accent", "blue", "a colour like"),
        ("accent", "#12345", "a colour like"),
        ("header", "Page {pgae}", r"\{pgae\} is not a field"),
        ("footer", "two\nlines", "one line"),
        ("page_size", "A3", '"A4" or "Letter"'),
        ("body_font", "  ", "a font name is needed"),
        ("section_heading_level", 3, "outside 1 to 2"),
        ("looks", None, "no field 'looks'"),
    ):
        with pytest.raises(EditError, match=said) as caught:
            set_style(template, **{field: bad})
        assert "style" in str(caught.value)

    sized = set_heading_size(template, 2, 13)
    assert sized.style.heading_sizes_pt[1] == 13.0
    with pytest.raises(EditError, match="heading level 4"):
        set_heading_size(template, 4, 13)


def test_margins_must_leave_a_text_block() -> None:
    template = builtin("smart-brevity")  # A4, 20 mm all round
    wide = set_margin(template, 3, 45)
    assert wide.style.margins_mm == (20.0, 20.0, 20.0, 45.0)
    assert margin_limits(template.style, 3).high == style_limits("margins_mm").high
    right = set_margin(template, 1, 70)
    limits = margin_limits(right.style, 3)
    assert limits.high == pytest.approx(210 - MIN_TEXT_WIDTH_MM - 70)
    with pytest.raises(EditError, match="text width"):
        set_margin(right, 3, limits.high + 1)
    assert set_margin(right, 3, limits.high).style.margins_mm[3] == limits.high
    # A page made smaller with the margins as they are is refused the same way.
    roomy = set_margin(set_margin(template, 1, 45), 3, 45)
    with pytest.raises(EditError, match="on the A5 page"):
        set_style(roomy, page_size=PageSize.A5)
    assert text_block_problem(roomy.style) == ""


def test_name_and_description() -> None:
    template = builtin("bluf-memo")
    renamed = set_details(template, name="Desk memo", description="Our desk's memo.")
    assert (renamed.name, renamed.description, renamed.id) == (
        "Desk memo",
        "Our desk's memo.",
        "bluf-memo",
    )
    with pytest.raises(EditError, match="needs a name"):
        set_details(template, name="  ")


def test_header_fields_are_checked_as_the_loader_does() -> None:
    assert pattern_problem("{title} · Page {page} of {pages}") == ""
    assert pattern_problem("{title") == ""  # not a field: plain text, as the loader reads it
    assert "{pgae}" in pattern_problem("Page {pgae}")


def body_text(template: Template, sample_path: Path | None) -> tuple[list[str], str]:
    sample = load_brief(sample_path) if sample_path else None
    document = compose(preview_brief(template, sample), template)
    heads = [plain_text(b.spans) for b in document.blocks if isinstance(b, Heading)]
    text = " ".join(plain_text(b.spans) for b in document.blocks if isinstance(b, Paragraph))
    return heads, text


def test_the_preview_follows_sections_and_shows_new_ones() -> None:
    template = builtin("bluf-memo")
    sample = template.sample_path
    heads, text = body_text(template, sample)
    assert "Outlook" in heads
    edited = add_section(template, heading="Indicators", index=1)
    edited = set_section(edited, "indicators", guidance="What would change our judgment.")
    edited = remove_section(edited, "outlook")
    edited = set_section(edited, "discussion", heading="Analysis")
    heads, text = body_text(edited, sample)
    assert "Indicators" in heads and "Analysis" in heads
    assert "Outlook" not in heads and "Discussion" not in heads
    assert "What would change our judgment." in text
    # The sample's own words stay in the sections it has.
    original = load_brief(sample)
    first_words = original.section("discussion").body.split()[:4]
    assert " ".join(first_words) in text


def test_a_template_without_sample_previews_every_section() -> None:
    template = dataclasses.replace(builtin("smart-brevity"), directory=None)
    brief = preview_brief(template, None, date="2026-11-29")
    assert [s.id for s in brief.sections] == [s.id for s in template.sections]
    assert all(s.body.strip() for s in brief.sections)
    assert brief.meta.title.startswith("Smart Brevity") and brief.meta.date == "2026-11-29"
    assert brief.sections[0].body.startswith("- *")  # a bullets section gets bullets
    # The stand-in is guidance in italics, its Markdown characters kept as text.
    tricky = set_section(template, "what-happened", guidance="Use *two* [sources].")
    body = preview_brief(tricky, None).section("what-happened").body
    document = compose(preview_brief(tricky, None), tricky)
    assert body.startswith("*") and "Use *two* [sources]." in " ".join(
        plain_text(b.spans) for b in document.blocks if isinstance(b, Paragraph)
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["add", "remove", "move", "heading", "budget"]),
            st.integers(0, 6),
            st.text(max_size=12),
        ),
        max_size=12,
    )
)
def test_any_sequence_of_edits_keeps_ids_unique_and_valid(edits: list) -> None:
    template = builtin("smart-brevity")
    for op, n, text in edits:
        ids = [s.id for s in template.sections]
        target = ids[n % len(ids)]
        try:
            if op == "add":
                template = add_section(template, heading=text.replace("\n", " "))
            elif op == "remove":
                template = remove_section(template, target)
            elif op == "move":
                template = move_section(template, target, n % len(ids))
            elif op == "heading":
                template = set_section(template, target, heading=text)
            else:
                template = set_section(template, target, max_words=n or None)
        except EditError:
            continue
        ids = [s.id for s in template.sections]
        assert ids and len(set(ids)) == len(ids)
        assert all(section_id_for(template, i, replacing=i) == i for i in ids if i[0].isalnum())


def test_the_editors_ranges_are_the_loaders(tmp_path: Path) -> None:
    """At each end of a range the loader accepts the value, and just past it
    refuses it: what the editor lets through always loads again."""

    def problems(style: str = "", section: str = "") -> list[str]:
        folder = tmp_path / f"t{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        text = (
            '[template]\nid = "t"\nname = "T"\n\n[[sections]]\nid = "body"\n'
            f"{section}\n[style]\n{style}\n"
        )
        (folder / "template.toml").write_text(text, encoding="utf-8")
        return [p.where for p in read_template(folder).errors]

    for field, limits in STYLE_LIMITS.items():
        count = {"margins_mm": 4, "heading_sizes_pt": 3}.get(field)
        step = 1 if limits.whole else 0.01
        for value, ok in ((limits.low, True), (limits.high, True), (limits.high + step, False)):
            shown = int(value) if limits.whole else value
            toml = f"[{', '.join([repr(shown)] * count)}]" if count else repr(shown)
            if field == "margins_mm" and ok:
                continue  # all four at once would leave no text block: checked below
            found = problems(f"{field} = {toml}")
            assert (not any(w.startswith(f"style.{field}") for w in found)) == ok, (field, value)
    found = problems("margins_mm = [0, 0, 0, 100]")
    assert not any(w.startswith("style.margins_mm[") for w in found)
    limits = SECTION_LIMITS["max_words"]
    assert problems(section=f"max_words = {int(limits.high)}") == []
    assert problems(section=f"max_words = {int(limits.low)}") == []
    assert problems(section=f"max_words = {int(limits.low) - 1}") == ["sections[0].max_words"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["add", "heading", "guidance", "budget", "size", "margin", "footer"]),
            st.integers(0, 8),
            st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=14),
        ),
        max_size=10,
    )
)
def test_a_template_made_by_edits_saves_and_loads_back_equal(edits: list) -> None:
    import tempfile

    from briefer.template_store import template_toml

    template = builtin("smart-brevity")
    for op, n, text in edits:
        target = template.sections[n % len(template.sections)].id
        one_line = text.replace("\n", " ").replace("\r", " ")
        try:
            if op == "add":
                template = add_section(template, heading=one_line)
            elif op == "heading":
                template = set_section(template, target, heading=one_line)
            elif op == "guidance":
                template = set_section(template, target, guidance=text)
            elif op == "budget":
                template = set_section(template, target, max_words=n * 40 or None)
            elif op == "size":
                template = set_style(template, body_size_pt=5 + n * 2.5)
            elif op == "margin":
                template = set_margin(template, n % 4, n * 9.5)
            else:
                template = set_style(template, footer=one_line)
        except EditError:
            continue
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "template.toml").write_text(template_toml(template, folder), encoding="utf-8")
        loaded = load_template(folder)
    assert loaded.sections == template.sections
    assert loaded.style == template.style
