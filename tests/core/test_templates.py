"""Templates: the built-in ones load; bad ones are refused with file, key and expectation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefer.errors import TemplateError
from briefer.model import CitationStyle, HeadingLook, PageSize
from briefer.paths import Paths
from briefer.templates import TemplateRegistry, load_template

REPO = Path(__file__).resolve().parents[2]

MINIMAL = """
[template]
id = "mini"
name = "Mini"

[[sections]]
id = "body"
heading = "Body"
"""


def write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "template.toml").write_text(text, encoding="utf-8")
    return folder


def registry() -> TemplateRegistry:
    return TemplateRegistry(Paths.from_env())


def test_builtin_templates_load_with_their_styles() -> None:
    templates = {t.id: t for t in registry().all()}
    assert {"smart-brevity", "long-form", "bluf-memo"} <= set(templates)
    sb, lf, bluf = templates["smart-brevity"], templates["long-form"], templates["bluf-memo"]
    assert [s.heading for s in sb.sections] == [
        "",
        "What Happened?",
        "Why It Matters?",
        "What's Next?",
    ]
    assert sb.style.citations is CitationStyle.SOURCE_LINE
    # Smart Brevity's sections are headings (Heading 2), so readers and
    # outlines see its structure; the lead-in look stays an option.
    assert sb.style.heading_look is HeadingLook.HEADING and sb.style.section_heading_level == 2
    assert lf.style.contents and lf.style.citations is CitationStyle.ENDNOTES
    assert lf.style.logo is not None and lf.style.logo.is_file()
    assert bluf.style.banner and bluf.style.citations is CitationStyle.FOOTNOTES
    assert bluf.style.page_size is PageSize.LETTER
    assert [s.heading for s in bluf.sections] == [
        "Bottom Line Up Front",
        "Key Judgments",
        "Discussion",
        "Outlook",
    ]
    for template in templates.values():
        assert template.sample_path is not None and template.builtin


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[style]\ncolour = "red"\n', "style.colour: unknown key"),
        (
            '[style]\naccent = "blue"\n',
            "style.accent: expected a colour like \"#0B5CAD\", got 'blue'",
        ),
        (
            "[style]\nbody_size_pt = 300\n",
            "style.body_size_pt: 300 is more than 30 (expected a number from 5 to 30)",
        ),
        ("[style]\nbody_size_pt = nan\n", "style.body_size_pt: expected a number from 5"),
        ("[style]\nmargins_mm = [120, 2, 3, 4]\n", "style.margins_mm[0]: 120 is more than 100"),
        ('[style]\nbanner = "yes"\n', "style.banner: expected true or false"),
        (
            '[style]\ncitations = "inline"\n',
            'style.citations: expected "source-line" or "endnotes"',
        ),
        ("[style]\nmargins_mm = [1, 2]\n", "style.margins_mm: expected a list of 4 numbers"),
        ('[style]\nfooter = "{nope}"\n', "style.footer: expected text whose fields are"),
        ('[style]\nlogo = "../../etc/passwd"\n', "style.logo: expected a file name inside"),
        ('[style]\nlogo = "missing.png"\n', "style.logo: file 'missing.png' not found"),
        ('[[sections]]\nid = "body"\n', "sections[1].id: 'body' is used twice"),
        (
            '[[sections]]\nid = "x"\nkind = "poem"\n',
            'sections[1].kind: expected "bullets" or "prose"',
        ),
        (
            '[[sections]]\nid = "x"\nmax_words = "ten"\n',
            "sections[1].max_words: expected a whole number",
        ),
        ("[extras]\na = 1\n", "extras: unknown table"),
    ],
)
def test_bad_keys_and_types_are_refused(tmp_path: Path, extra: str, message: str) -> None:
    folder = write(tmp_path / "t", MINIMAL + extra)
    with pytest.raises(TemplateError) as info:
        load_template(folder)
    assert str(folder / "template.toml") in str(info.value)
    assert message in str(info.value)


def test_malformed_toml_is_refused(tmp_path: Path) -> None:
    folder = write(tmp_path / "t", '[template\nid = "x"')
    with pytest.raises(TemplateError, match="not valid TOML"):
        load_template(folder)


def test_missing_template_file(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"no template\.toml"):
        load_template(tmp_path)


def test_user_templates_are_found_and_override_builtins() -> None:
    paths = Paths.from_env()
    write(paths.user_templates / "mine", MINIMAL)
    own = paths.user_templates / "smart-brevity"
    shutil.copytree(REPO / "templates" / "smart-brevity", own)
    text = (
        (own / "template.toml")
        .read_text()
        .replace('name = "Smart Brevity"', 'name = "Our Brevity"')
    )
    (own / "template.toml").write_text(text)
    reg = TemplateRegistry(paths)
    assert reg.get("mini").name == "Mini"
    assert reg.get("smart-brevity").name == "Our Brevity"
    assert not reg.get("smart-brevity").builtin


def test_unknown_template_lists_known_ones() -> None:
    with pytest.raises(TemplateError, match=r"unknown template 'nope' \(known: .*smart-brevity"):
        registry().get("nope")


def test_a_broken_user_template_is_reported_not_fatal() -> None:
    paths = Paths.from_env()
    write(paths.user_templates / "broken", "[template]\nid = 3\n")
    templates, problems = TemplateRegistry(paths).scan()
    assert {t.id for t in templates} >= {"smart-brevity"}
    assert len(problems) == 1 and "template.id: expected text" in problems[0].message


def test_template_by_folder_path(tmp_path: Path) -> None:
    folder = write(tmp_path / "elsewhere", MINIMAL)
    assert registry().get(str(folder)).id == "mini"
