"""Templates written back and kept: template.toml round-trips every field,
a brief becomes a template, and the person's own templates are saved,
updated, duplicated, renamed and deleted, a built-in overridden and restored."""

from __future__ import annotations

import dataclasses
import os
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefer.briefs import load_brief
from briefer.document import HEADER_FIELDS
from briefer.errors import TemplateError
from briefer.model import (
    CitationStyle,
    HeadingLook,
    PageSize,
    SectionKind,
    SectionSpec,
    Style,
    Template,
    TextElement,
    TextLook,
    TextLooks,
)
from briefer.paths import Paths
from briefer.template_store import (
    TemplateDraft,
    UserTemplates,
    template_from_brief,
    template_toml,
)
from briefer.templates import TemplateRegistry, load_template

REPO = Path(__file__).resolve().parents[2]

# -- strategies: what a person could put in a template ------------------------

ids = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,20}", fullmatch=True)
# Any text TOML can hold (everything but lone surrogates), on one line or many.
texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
fields = st.sampled_from([f"{{{name}}}" for name in HEADER_FIELDS])
patterns = st.lists(st.one_of(texts.filter(lambda t: "{" not in t and "}" not in t), fields)).map(
    "".join
)
colours = st.text("0123456789ABCDEF", min_size=6, max_size=6).map(lambda h: f"#{h}")
fonts = st.text(string.ascii_letters + " -", min_size=1, max_size=30).filter(str.strip)


def numbers(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def optional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.none() | strategy


@st.composite
def looks(draw: st.DrawFn) -> TextLook:
    pitch = draw(st.booleans())
    return TextLook(
        font=draw(optional(fonts)),
        size_pt=draw(optional(numbers(4, 96))),
        color=draw(optional(colours)),
        bold=draw(optional(st.booleans())),
        italic=draw(optional(st.booleans())),
        space_before_pt=draw(optional(numbers(0, 200))),
        space_after_pt=draw(optional(numbers(0, 200))),
        line_spacing=None if pitch else draw(optional(numbers(0.5, 5))),
        line_pitch_pt=draw(optional(numbers(1, 200))) if pitch else None,
    )


@st.composite
def styles(draw: st.DrawFn) -> Style:
    page = draw(st.sampled_from(PageSize))
    width, height = page.mm
    # Margins that leave the text block a template must leave (60 x 100 mm).
    left = draw(numbers(0, (width - 60) / 2))
    right = draw(numbers(0, (width - 60) / 2))
    top = draw(numbers(0, min(100, (height - 100) / 2)))
    bottom = draw(numbers(0, min(100, (height - 100) / 2)))
    return Style(
        page_size=page,
        margins_mm=(top, right, bottom, left),
        body_font=draw(fonts),
        heading_font=draw(fonts),
        mono_font=draw(fonts),
        body_size_pt=draw(numbers(5, 30)),
        title_size_pt=draw(numbers(8, 72)),
        heading_sizes_pt=tuple(draw(st.lists(numbers(6, 48), min_size=3, max_size=3))),
        line_spacing=draw(numbers(0.8, 3)),
        text_color=draw(colours),
        accent=draw(colours),
        heading_look=draw(st.sampled_from(HeadingLook)),
        section_heading_level=draw(st.sampled_from([1, 2])),
        smart_punctuation=draw(st.booleans()),
        header=draw(patterns),
        footer=draw(patterns),
        banner=draw(st.booleans()),
        banner_color=draw(colours),
        citations=draw(st.sampled_from(CitationStyle)),
        contents=draw(st.booleans()),
        contents_title=draw(texts),
        sources_title=draw(texts),
        source_line_label=draw(texts),
        logo_width_mm=draw(numbers(5, 200)),
        table_style=draw(optional(texts.filter(bool))),
        looks=TextLooks(**{e.value: draw(looks()) for e in TextElement}),
    )


@st.composite
def templates(draw: st.DrawFn) -> Template:
    section_ids = draw(st.lists(ids, min_size=1, max_size=5, unique=True))
    sections = tuple(
        SectionSpec(
            id=section_id,
            heading=draw(texts),
            kind=draw(st.sampled_from(SectionKind)),
            guidance=draw(texts),
            max_words=draw(optional(st.integers(1, 1_000_000))),
            required=draw(st.booleans()),
        )
        for section_id in section_ids
    )
    return Template(
        id=draw(ids),
        name=draw(texts.filter(bool)),
        description=draw(texts),
        version=draw(st.integers(1, 1_000_000)),
        sections=sections,
        style=draw(styles()),
    )


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(template=templates())
def test_every_field_round_trips_through_template_toml(tmp_path: Path, template: Template) -> None:
    folder = tmp_path / "t"
    folder.mkdir(exist_ok=True)
    placed = dataclasses.replace(template, directory=folder)
    (folder / "template.toml").write_text(template_toml(placed), encoding="utf-8")
    assert load_template(folder) == placed


def test_the_builtin_templates_load_write_and_load_the_same(tmp_path: Path) -> None:
    for template in TemplateRegistry(Paths.from_env()).all():
        folder = tmp_path / template.id
        folder.mkdir()
        for name in ("template.toml", "logo.png", "sample.brief"):
            if (template.directory / name).is_file():
                (folder / name).write_bytes((template.directory / name).read_bytes())
        loaded = load_template(folder)
        (folder / "template.toml").write_text(template_toml(loaded), encoding="utf-8")
        again = load_template(folder)
        assert again == loaded
        assert again.style.logo == loaded.style.logo  # named relative to the folder


def test_a_file_outside_the_folder_is_refused_when_written(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes((REPO / "templates/long-form/logo.png").read_bytes())
    template = Template(
        "t", "T", sections=(SectionSpec("a"),), style=Style(logo=logo), directory=tmp_path / "t"
    )
    with pytest.raises(TemplateError, match="not inside the template folder"):
        template_toml(template)


# -- a template made from a brief ---------------------------------------------


def builtin(template_id: str) -> Template:
    return TemplateRegistry(Paths.from_env()).by_id(template_id)


def sample_of(template_id: str):
    return load_brief(REPO / "templates" / template_id / "sample.brief")


def test_a_brief_becomes_a_template_with_its_sections_and_the_style() -> None:
    source = builtin("smart-brevity")
    brief = sample_of("smart-brevity")
    # The analyst reordered two sections and renamed one heading.
    sections = list(brief.sections)
    sections[1], sections[2] = sections[2], sections[1]
    sections[1] = dataclasses.replace(sections[1], heading="So What?")
    brief = dataclasses.replace(brief, sections=tuple(sections))
    draft = template_from_brief(
        brief, source, template_id="desk-brief", name="Desk brief", description="Ours."
    )
    made = draft.template
    assert [s.id for s in made.sections] == [s.id for s in brief.sections]
    assert [s.heading for s in made.sections][:3] == ["", "So What?", "What Happened?"]
    why = made.section("why-it-matters")
    assert why == dataclasses.replace(source.section("why-it-matters"), heading="So What?")
    assert made.style == source.style and (made.id, made.name) == ("desk-brief", "Desk brief")
    assert draft.sample is None
    kept = template_from_brief(brief, source, template_id="x", name="X", keep_sample=True)
    assert kept.sample == dataclasses.replace(brief, template="x")


def test_a_section_the_template_lacks_is_prose_or_bullets_by_its_text() -> None:
    source = builtin("bluf-memo")
    brief = sample_of("bluf-memo")
    extra = (
        dataclasses.replace(brief.sections[0], id="other", heading="Other", body="- a\n- b"),
        dataclasses.replace(brief.sections[0], id="notes", heading="Notes", body="Words."),
    )
    brief = dataclasses.replace(brief, sections=brief.sections + extra)
    made = template_from_brief(brief, source, template_id="m", name="M").template
    assert made.section("other").kind is SectionKind.BULLETS
    assert made.section("notes").kind is SectionKind.PROSE


@pytest.mark.parametrize(
    ("template_id", "name", "message"),
    [
        ("Bad Id", "N", "not a template id"),
        ("../x", "N", "not a template id"),
        ("ok", "  ", "needs a name"),
        ("ok", "two\nlines", "one line"),
    ],
)
def test_a_bad_id_or_name_is_refused(template_id: str, name: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        template_from_brief(
            sample_of("bluf-memo"), builtin("bluf-memo"), template_id=template_id, name=name
        )


# -- the user templates folder ---------------------------------------------------


@pytest.fixture
def store() -> UserTemplates:
    return UserTemplates(Paths.from_env())


def save_long_form(store: UserTemplates, template_id: str = "desk", **options: object):
    draft = template_from_brief(
        sample_of("long-form"),
        builtin("long-form"),
        template_id=template_id,
        name="Desk long-form",
        keep_sample=True,
    )
    return store.save(draft, **options)


def test_saving_puts_a_whole_folder_in_place_with_its_files(store: UserTemplates) -> None:
    saved = save_long_form(store).template
    folder = store.root / "desk"
    assert saved.directory == folder and not saved.builtin
    assert sorted(p.name for p in folder.iterdir()) == ["logo.png", "sample.brief", "template.toml"]
    assert saved.style.logo == folder / "logo.png"
    assert load_brief(folder / "sample.brief").template == "desk"
    assert [p.name for p in store.root.iterdir()] == ["desk"]  # no hidden folder left
    registry = TemplateRegistry(Paths.from_env())
    assert registry.by_id("desk") == saved
    # The same id again is refused unless replacing.
    with pytest.raises(TemplateError, match="you have a template 'desk' already"):
        save_long_form(store)
    replaced = save_long_form(store, replace=True).template
    assert replaced.directory == folder


def test_a_failed_save_leaves_nothing_behind(store: UserTemplates, tmp_path: Path) -> None:
    source = builtin("long-form")
    bad = dataclasses.replace(source.style, margins_mm=(20.0, 80.0, 20.0, 80.0))
    draft = template_from_brief(
        sample_of("long-form"), source, template_id="narrow", name="Narrow", style=bad
    )
    with pytest.raises(TemplateError, match=r"would not load: .*text block"):
        store.save(draft)
    assert list(store.root.iterdir()) == []


def test_update_rewrites_template_toml_in_place(store: UserTemplates) -> None:
    saved = save_long_form(store).template
    looks = saved.style.looks.replace(TextElement.HEADING_1, TextLook(color="#006600"))
    changed = dataclasses.replace(
        saved, description="Changed", style=dataclasses.replace(saved.style, looks=looks)
    )
    updated = store.update(changed)
    assert updated == dataclasses.replace(changed, builtin=False)
    assert load_template(store.root / "desk") == updated
    with pytest.raises(TemplateError, match="built-in template"):
        store.update(builtin("bluf-memo"))


def test_duplicate_rename_and_delete(store: UserTemplates) -> None:
    copy = store.duplicate("bluf-memo", "memo-2", "Memo two")
    assert copy.overrides is None
    assert copy.template.sections == builtin("bluf-memo").sections
    assert load_brief(copy.template.sample_path).template == "memo-2"
    assert store.rename("memo-2", "Second memo").name == "Second memo"
    assert load_template(store.root / "memo-2").id == "memo-2"  # the id stays
    assert store.delete("memo-2") is None
    assert not (store.root / "memo-2").exists()
    with pytest.raises(TemplateError, match="you have no template 'memo-2'"):
        store.delete("memo-2")


def test_a_builtin_is_overridden_by_a_copy_and_restored_by_deleting_it(
    store: UserTemplates,
) -> None:
    registry = TemplateRegistry(Paths.from_env())
    with pytest.raises(TemplateError, match="built-in template; only your own"):
        store.delete("smart-brevity")
    with pytest.raises(TemplateError, match="built-in template"):
        store.rename("smart-brevity", "Mine")
    saved = store.duplicate("smart-brevity", "smart-brevity", "Our Smart Brevity")
    assert saved.overrides is not None and saved.overrides.builtin
    assert registry.by_id("smart-brevity").name == "Our Smart Brevity"
    assert [t.id for t in registry.all()].count("smart-brevity") == 1
    restored = store.delete("smart-brevity")
    assert restored is not None and restored.builtin
    registry.refresh()
    assert registry.by_id("smart-brevity").name == "Smart Brevity"


def test_hidden_folders_are_never_templates(store: UserTemplates) -> None:
    # A folder being written (or removed) when Briefer was killed.
    save_long_form(store)
    os.rename(store.root / "desk", store.root / ".new-desk-0badcafe")
    registry = TemplateRegistry(Paths.from_env())
    assert "desk" not in [t.id for t in registry.all()]
    assert registry.scan()[1] == []


def test_a_draft_of_a_template_without_sections_is_refused(store: UserTemplates) -> None:
    empty = Template("empty", "Empty")
    with pytest.raises(TemplateError, match=r"would not load: .*sections"):
        store.save(TemplateDraft(empty))


def test_an_update_the_loader_would_refuse_leaves_the_file_as_it_was(
    store: UserTemplates,
) -> None:
    copy = store.duplicate("bluf-memo", "memo-3", "Memo three").template
    toml = store.root / "memo-3" / "template.toml"
    before = toml.read_bytes()
    wide = dataclasses.replace(copy.style, margins_mm=(150.0, 20.0, 20.0, 20.0))
    with pytest.raises(TemplateError, match=r"memo-3: not saved: .*margins_mm"):
        store.update(dataclasses.replace(copy, style=wide))
    assert toml.read_bytes() == before
    assert load_template(store.root / "memo-3").style == copy.style
