"""`.brief` files: round trip, validation messages, versions, atomic save."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from briefer.briefs import (
    brief_from_bytes,
    brief_from_json,
    brief_to_bytes,
    load_brief,
    save_brief,
)
from briefer.editing import set_body
from briefer.errors import BriefFormatError
from briefer.markdown_input import brief_from_markdown
from briefer.model import Brief, Meta, Section, Source

REPO = Path(__file__).resolve().parents[2]


def sample() -> Brief:
    return Brief(
        template="smart-brevity",
        meta=Meta(
            title="Ports ✓ 港口 ميناء", author="A. Analyst", date="2026-11-22", keywords=["k"]
        ),
        sections=[
            Section("key-points", "", "- one\n- two [@r1]"),
            Section("what-happened", "What Happened?", "Text [@r1]."),
        ],
        sources={
            "r1": Source(title="T", publisher="Reuters", url="https://example.org/a", quote="q")
        },
    )


def valid_json() -> dict:
    return json.loads(brief_to_bytes(sample()))


def test_round_trip_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "a.brief"
    save_brief(sample(), path)
    assert load_brief(path) == sample()
    text = path.read_text(encoding="utf-8")
    assert '"format": "briefer.brief"' in text and "港口" in text  # readable, diffable UTF-8


def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = tmp_path / "a.brief"
    path.write_text("old contents", encoding="utf-8")
    good = sample()
    # A title that cannot be serialised makes the save fail part-way.
    broken = dataclasses.replace(good, meta=dataclasses.replace(good.meta, title=object()))
    with pytest.raises(TypeError):
        save_brief(broken, path)
    assert path.read_text(encoding="utf-8") == "old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["a.brief"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["sections"][1].update(heading=42),
            "sections[1].heading: expected text, got 42",
        ),
        (lambda d: d["meta"].update(title=None), "meta.title: expected text, got nothing"),
        (lambda d: d.update(sections={}), "sections: expected a list, got an object"),
        (
            lambda d: d["sections"].append({"id": "x", "bogus": 1}),
            "sections[2].bogus: unknown field",
        ),
        (
            lambda d: d["sections"].append({"id": "key-points"}),
            "sections[2].id: 'key-points' is used",
        ),
        (
            lambda d: d["sources"]["r1"].update(url=["x"]),
            "sources.r1.url: expected text, got a list",
        ),
        (
            lambda d: d["meta"].update(date="22/11/2026"),
            "meta.date: expected a date like 2026-11-22",
        ),
        (lambda d: d.update(format="something-else"), 'format: expected "briefer.brief"'),
        (lambda d: d.update(version="1"), "version: expected a whole number"),
        (lambda d: d.update(template=""), "template: expected a template id"),
        (lambda d: d.update(extra=True), "extra: unknown field"),
    ],
)
def test_validation_names_the_field(change, message: str) -> None:
    data = valid_json()
    change(data)
    with pytest.raises(BriefFormatError) as info:
        brief_from_json(data)
    assert message in str(info.value)


def test_future_version_is_refused_with_a_clear_message() -> None:
    data = valid_json()
    data["version"] = 99
    with pytest.raises(BriefFormatError, match="version 99 was written by a newer Briefer"):
        brief_from_json(data)


def test_older_version_is_migrated_step_by_step() -> None:
    # A made-up history: version 1 had `sections` as a mapping id -> body.
    old = valid_json()
    old["sections"] = {s["id"]: s["body"] for s in old["sections"]}

    def v1_to_v2(obj: dict) -> dict:
        obj["sections"] = [{"id": k, "body": v} for k, v in obj["sections"].items()]
        return obj

    brief = brief_from_json(old, migrations={1: v1_to_v2})
    assert [s.id for s in brief.sections] == ["key-points", "what-happened"]
    assert brief.sections[1].body == "Text [@r1]."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'{"format": "briefer.brief", "version": 1, "templ',
            "not valid JSON: unterminated string starting at line 1 column 43",
        ),
        (b'{"format": ', "not valid JSON: expecting value at line 1 column 12"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a brief"),
        (b"\xff\xfe\x00b\x00a", "not a brief"),
        (b"", "empty file"),
        (b"[1, 2]", "expected an object, got a list"),
        (b"[" * 100000 + b"]" * 100000, "not a brief"),
    ],
)
def test_truncated_binary_and_odd_files_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(BriefFormatError, match=message):
        brief_from_bytes(data)


def test_load_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "cut.brief"
    path.write_bytes(brief_to_bytes(sample())[:50])
    with pytest.raises(BriefFormatError, match=r"cut\.brief: not valid JSON"):
        load_brief(path)
    with pytest.raises(BriefFormatError, match="no such file"):
        load_brief(tmp_path / "missing.brief")


def test_lone_surrogates_do_not_break_saving(tmp_path: Path) -> None:
    brief = set_body(sample(), sample().sections[0].id, "bad \ud800 text")
    save_brief(brief, tmp_path / "s.brief")
    assert "bad \ufffd text" in load_brief(tmp_path / "s.brief").sections[0].body


def test_markdown_front_matter_title_summary_and_sections() -> None:
    text = (
        "---\ntitle: From front matter\nauthor: Kim\ndate: 2026-11-01\ntemplate: bluf-memo\n"
        "classification: SECRET\n---\n# Ignored because front matter has a title\n\n"
        "- first\n- second\n\n## What Happened?\n\nIt happened [@a].\n\n"
        "```\n## not a heading\n```\n\n## Other\n\nMore.\n\n"
        '[@a]: https://www.example.org/x "The title"\n'
    )
    brief, front = brief_from_markdown(text)
    assert front["template"] == "bluf-memo" and brief.template == "bluf-memo"
    assert brief.meta.title == "From front matter" and brief.meta.classification == "SECRET"
    assert [(s.id, s.heading) for s in brief.sections] == [
        ("summary", ""),
        ("what-happened", "What Happened?"),
        ("other", "Other"),
    ]
    assert "## not a heading" in brief.sections[1].body
    assert brief.sources["a"].url == "https://www.example.org/x"
    assert brief.sources["a"].publisher == "example.org"
    assert brief.sources["a"].title == "The title"


def test_markdown_without_front_matter_takes_the_h1_title() -> None:
    brief, _ = brief_from_markdown("# Title here\n\nSome lead text.\n")
    assert brief.meta.title == "Title here"
    assert brief.sections[0].body == "Some lead text."


def test_markdown_front_matter_errors_name_the_line() -> None:
    with pytest.raises(BriefFormatError, match="front matter line 3: unknown key 'colour'"):
        brief_from_markdown("---\ntitle: x\ncolour: red\n---\n")
    with pytest.raises(BriefFormatError, match="front matter line 3: expected 'key: value'"):
        brief_from_markdown("---\ntitle: x\njust words\n---\n")


def test_a_lone_rule_line_is_not_front_matter() -> None:
    brief, front = brief_from_markdown("---\n\n# Title\n\ntext\n")
    assert front == {} and brief.meta.title == "Title"


def test_sample_briefs_load() -> None:
    for path in sorted((REPO / "templates").glob("*/sample.brief")):
        brief = load_brief(path)
        assert brief.template == path.parent.name
        assert brief.sources, path


def test_free_parts_of_markdown_fill_the_templates_free_section() -> None:
    from briefer.markdown_input import match_template_sections
    from briefer.paths import Paths
    from briefer.templates import TemplateRegistry

    text = (
        "# Night trains\n\nThe lede.\n\n## Who rides\n\nFamilies.\n\n### Detail\n\nMore.\n\n"
        "## The money\n\nFares.\n\n## Conclusion\n\nDone.\n"
    )
    brief, _ = brief_from_markdown(text)
    brief = match_template_sections(brief, TemplateRegistry(Paths.from_env()).get("long-form"))
    assert [s.id for s in brief.sections] == ["lede", "body", "conclusion"]
    assert brief.sections[1].body == (
        "## Who rides\n\nFamilies.\n\n### Detail\n\nMore.\n\n## The money\n\nFares."
    )


def test_headed_parts_never_fill_the_summary_slot() -> None:
    from briefer.markdown_input import match_template_sections
    from briefer.paths import Paths
    from briefer.templates import TemplateRegistry

    # No lead text: Smart Brevity's key bullets stay empty, and unknown
    # sections stay themselves (not counted against the bullets' budget).
    brief, _ = brief_from_markdown(
        "# T\n\n## Background\n\nWords.\n\n## Why It Matters?\n\nBecause.\n"
    )
    brief = match_template_sections(brief, TemplateRegistry(Paths.from_env()).get("smart-brevity"))
    assert [(s.id, s.heading) for s in brief.sections] == [
        ("background", "Background"),
        ("why-it-matters", "Why It Matters?"),
    ]
