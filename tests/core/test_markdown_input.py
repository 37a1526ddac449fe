"""Markdown input as analysts write it: the title once, bold lines that are
section headings, a closing "Source:" line, source lines with attributes,
and Markdown that opens with `---` without being front matter.

Each behaviour is checked on the brief Briefer reads and, end to end, on
what `briefer convert` writes or `briefer export` prints.
"""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from cli_helpers import assert_one_line_error, run
from pypdf import PdfReader

from briefer.document import Heading, HorizontalRule, Paragraph, Text
from briefer.errors import BriefFormatError
from briefer.markdown_input import (
    brief_from_markdown,
    match_template_sections,
    parse_source_definition,
)
from briefer.markup import parse_markdown
from briefer.model import Brief, Source
from briefer.paths import Paths
from briefer.templates import TemplateRegistry

TEMPLATES = TemplateRegistry(Paths.from_env())


def matched(text: str, template: str = "smart-brevity") -> Brief:
    brief, _ = brief_from_markdown(text)
    return match_template_sections(brief, TEMPLATES.get(template))


def converted(tmp_path: Path, text: str, *options: str) -> dict:
    """The `.brief` JSON that `briefer convert` writes for Markdown `text`."""
    source = tmp_path / "notes.md"
    source.write_text(text, encoding="utf-8")
    code, _, err = run("convert", str(source), "-o", str(tmp_path / "notes.brief"), *options)
    assert code == 0, err
    return json.loads((tmp_path / "notes.brief").read_text(encoding="utf-8"))


def exported_text(tmp_path: Path, text: str, fmt: str = "pdf") -> str:
    """What a reader sees in the export of Markdown `text`: the PDF's text,
    or the DOCX body's paragraphs, one per line."""
    source = tmp_path / "brief.md"
    source.write_text(text, encoding="utf-8")
    target = tmp_path / f"brief.{fmt}"
    code, _, err = run("export", str(source), "-o", str(target))
    assert code == 0, err
    if fmt == "pdf":
        return "\n".join(page.extract_text() for page in PdfReader(target).pages)
    return "\n".join(p.text for p in docx.Document(str(target)).paragraphs)


# -- issue 8, item 1: the title once ---------------------------------------------

TITLED = """---
title: Port of Halden opens its cargo data
template: long-form
---
# Port of Halden Opens Its Cargo Data!

The lede.

## Who rides

Families.
"""


def test_a_hash_line_repeating_the_front_matter_title_is_that_title() -> None:
    brief, _ = brief_from_markdown(TITLED)
    assert brief.meta.title == "Port of Halden opens its cargo data"
    assert [s.body for s in brief.sections] == ["The lede.", "Families."]


def test_the_title_is_printed_once_in_the_word_document(tmp_path: Path) -> None:
    paragraphs = exported_text(tmp_path, TITLED, "docx").splitlines()
    assert [p for p in paragraphs if "cargo data" in p.casefold()] == [
        "Port of Halden opens its cargo data"
    ]


def test_a_hash_line_that_differs_from_the_title_stays_a_heading(tmp_path: Path) -> None:
    text = TITLED.replace("# Port of Halden Opens Its Cargo Data!", "# Background")
    brief, _ = brief_from_markdown(text)
    assert brief.meta.title == "Port of Halden opens its cargo data"
    assert brief.sections[0].body == "# Background\n\nThe lede."
    document = docx.Document(str(_export(tmp_path, text, "docx")))
    styles = [p.style.name for p in document.paragraphs if p.text == "Background"]
    assert [s for s in styles if s.startswith("Heading")] == ["Heading 1"]


def test_without_front_matter_the_first_hash_line_is_the_title() -> None:
    brief, _ = brief_from_markdown("# Title here\n\nSome text.\n\n# Later\n")
    assert brief.meta.title == "Title here"
    assert brief.sections[0].body == "Some text.\n\n# Later"


def _export(tmp_path: Path, text: str, fmt: str) -> Path:
    source = tmp_path / "brief.md"
    source.write_text(text, encoding="utf-8")
    target = tmp_path / f"brief.{fmt}"
    code, _, err = run("export", str(source), "-o", str(target))
    assert code == 0, err
    return target


# -- issue 8, item 5: bold lines that are section headings -----------------------

SMART = """---
title: Halden opens its cargo data
---
- The port's schedules go public [@ledger].
- Shippers welcome it.

**What Happened?**

The council voted 7 to 2 [@ledger].

*Why It Matters?*
Forwarders can plan a week ahead.

__What's Next?__

**A bold line of text**

A review in the spring.

[@ledger]: https://www.northern-ledger.example.org/halden "Halden votes"
"""


def test_bold_or_italic_lines_naming_template_headings_start_sections() -> None:
    brief = matched(SMART)
    assert [(s.id, s.heading, s.body) for s in brief.sections] == [
        ("key-points", "", "- The port's schedules go public [@ledger].\n- Shippers welcome it."),
        ("what-happened", "What Happened?", "The council voted 7 to 2 [@ledger]."),
        ("why-it-matters", "Why It Matters?", "Forwarders can plan a week ahead."),
        ("whats-next", "What's Next?", "**A bold line of text**\n\nA review in the spring."),
    ]


def test_convert_writes_the_sections_bold_lines_name(tmp_path: Path) -> None:
    sections = converted(tmp_path, SMART)["sections"]
    assert [s["id"] for s in sections] == [
        "key-points",
        "what-happened",
        "why-it-matters",
        "whats-next",
    ]
    assert "**What Happened?**" not in json.dumps(sections)


def test_each_section_heading_is_printed_once(tmp_path: Path) -> None:
    text = exported_text(tmp_path, SMART)
    for heading in ("What Happened?", "Why It Matters?", "What’s Next?"):
        assert text.replace("What's", "What’s").count(heading) == 1, text
    assert "**" not in text and "A bold line of text" in text


def test_bold_lines_are_not_headings_inside_code_lists_or_a_sentence() -> None:
    brief = matched(
        "Lead.\n\n```\n**What Happened?**\n```\n\n- item\n\n  **What Happened?**\n\n"
        "Text\n**Why It Matters?**\n\nSee **What's Next?** below.\n"
    )
    assert [s.id for s in brief.sections] == ["key-points"]


def test_a_bold_line_repeating_its_own_heading_is_dropped() -> None:
    brief = matched("## What Happened?\n\n**What Happened?**\n\nIt did.\n")
    assert [(s.id, s.body) for s in brief.sections] == [("what-happened", "It did.")]


# -- issue 8, item 6: sources from Markdown --------------------------------------


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("Source: Bloomberg", ["Bloomberg"]),
        ("Sources: Bloomberg; Reuters", ["Bloomberg", "Reuters"]),
        ("Sources: Bloomberg, Reuters, AP.", ["Bloomberg", "Reuters", "AP"]),
        ("Source: Ministry of Transport, Norway", ["Ministry of Transport, Norway"]),
        ("**Source:** Bloomberg", ["Bloomberg"]),
        ("**Sources**: *Bloomberg*; _Reuters_", ["Bloomberg", "Reuters"]),
        ("SOURCE: Bloomberg", ["Bloomberg"]),
    ],
)
def test_a_closing_source_line_names_the_briefs_sources(line: str, names: list[str]) -> None:
    brief, _ = brief_from_markdown(f"# T\n\n- Point.\n\n## What Happened?\n\nIt did.\n\n{line}\n")
    assert [s.publisher for s in brief.sources.values()] == names
    assert brief.sections[-1].body == "It did."


def test_a_source_line_with_a_link_or_an_address() -> None:
    brief, _ = brief_from_markdown(
        "Text.\n\nSources: [Reuters](https://www.reuters.com/a); <https://apnews.com/b>\n"
    )
    assert brief.sources == {
        "reuters": Source(publisher="Reuters", url="https://www.reuters.com/a"),
        "apnews": Source(publisher="apnews.com", url="https://apnews.com/b"),
    }


def test_a_source_line_naming_a_defined_source_gives_it_its_name() -> None:
    brief, _ = brief_from_markdown(
        'Text [@r1].\n\n[@r1]: https://www.reuters.com/world/x "Port opens"\n\n'
        "Sources: Reuters; [@r1]; Bloomberg\n"
    )
    assert list(brief.sources) == ["r1", "bloomberg"]
    assert brief.sources["r1"].publisher == "Reuters"
    assert brief.sources["r1"].title == "Port opens"


def test_only_closing_lines_are_source_lines() -> None:
    text = "Source: not the end.\n\nMore text.\n\n```\nSource: code\n```\n"
    brief, _ = brief_from_markdown(text)
    assert brief.sources == {}
    assert brief.sections[0].body == text.strip("\n")


def test_the_source_line_replaces_a_stray_paragraph(tmp_path: Path) -> None:
    text = exported_text(
        tmp_path,
        "---\ntitle: T\n---\n- A point [@ledger].\n\n**What Happened?**\n\nIt did.\n\n"
        '[@ledger]: https://www.northern-ledger.example.org/a "Halden votes"'
        ' {publisher="Northern Ledger"}\n\nSource: Bloomberg\n',
    )
    lines = [line.strip() for line in text.splitlines()]
    assert "Source: Bloomberg" not in lines
    (line,) = [line for line in lines if "Bloomberg" in line]
    assert "Northern Ledger" in line and line.startswith("Source")


def test_a_name_without_an_address_is_the_publisher() -> None:
    brief, _ = brief_from_markdown("Text [@bbg].\n\n[@bbg]: Bloomberg\n")
    assert brief.sources["bbg"] == Source(publisher="Bloomberg")
    brief, _ = brief_from_markdown('[@ft]: Financial Times "Ports reopen" {published=2026-11}\n')
    assert brief.sources["ft"] == Source(
        publisher="Financial Times", title="Ports reopen", published="2026-11"
    )


def test_source_lines_carry_author_publisher_and_dates() -> None:
    brief, _ = brief_from_markdown(
        '[@r1]: https://www.reuters.com/world/x "Halden opens" {publisher=Reuters'
        ' author="Jane Doe" published=2026-11-20 accessed=2026-11-22}\n'
        '[@r2]: <https://example.org/a b> {title="The \\"open\\" port" author=Kim}\n'
        "[@r3]: www.example.org/c\n"
    )
    assert brief.sources == {
        "r1": Source(
            title="Halden opens",
            publisher="Reuters",
            author="Jane Doe",
            url="https://www.reuters.com/world/x",
            published="2026-11-20",
            accessed="2026-11-22",
        ),
        "r2": Source(
            title='The "open" port',
            publisher="example.org",
            author="Kim",
            url="https://example.org/a b",
        ),
        "r3": Source(publisher="example.org", url="https://www.example.org/c"),
    }


def test_a_reuters_article_reads_reuters_in_the_sources_list(tmp_path: Path) -> None:
    text = exported_text(
        tmp_path,
        "---\ntitle: T\ntemplate: long-form\n---\nThe lede [@r1].\n\n"
        '[@r1]: https://www.reuters.com/world/x "Halden opens" {publisher=Reuters}\n',
    )
    assert "Halden opens. Reuters." in " ".join(text.split())
    assert "reuters.com." not in text


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("[@a]: https://x.org {publsher=X}", "unknown attribute 'publsher'"),
        ("[@a]: https://x.org {publisher=}", "publisher has no value"),
        ("[@a]: https://x.org {publisher X}", "expected '=' after publisher"),
        ('[@a]: https://x.org {author="Jane}', "author has no closing"),
        ("[@a]: https://x.org {author=Jane", "'{' without its closing '}'"),
        ("[@a]: https://x.org {published=2026-13-45}", "published: expected a date"),
        ("[@a]: https://x.org {published=2026-02-30}", "published: expected a date"),
        ('[@a]: https://x.org "T" {title=U}', "title is given twice"),
        ("[@a]: Bloomberg {publisher=Reuters}", "publisher is given twice"),
        ('[@a]: https://x.org "T" trailing', "unexpected 'trailing'"),
        ("[@a]:", "expected an address, a name"),
        ('[@a]: https://x.org "unclosed', "the title has no closing"),
        ("[@a]: <https://x.org", "'<' without its closing '>'"),
    ],
)
def test_a_malformed_source_line_is_one_clear_error(line: str, problem: str) -> None:
    with pytest.raises(BriefFormatError) as info:
        brief_from_markdown(f"---\ntitle: T\n---\nText [@a].\n\n{line}\n")
    assert str(info.value).startswith("line 6: source [@a]: ")
    assert problem in str(info.value)


def test_a_source_defined_twice_is_an_error() -> None:
    with pytest.raises(
        BriefFormatError, match=r"line 3: source \[@a\] is already defined on line 1"
    ):
        brief_from_markdown("[@a]: https://x.org/1\n\n[@a]: https://x.org/2\n")


def test_export_names_the_file_and_line_of_a_malformed_source(tmp_path: Path) -> None:
    source = tmp_path / "notes.md"
    source.write_text("Text [@a].\n\n[@a]: https://x.org {publsher=X}\n", encoding="utf-8")
    code, _, err = run("export", str(source), "-o", str(tmp_path / "notes.pdf"))
    assert_one_line_error(code, err, str(source), "line 3", "unknown attribute 'publsher'")
    assert not (tmp_path / "notes.pdf").exists()


def test_parse_source_definition_alone() -> None:
    assert parse_source_definition(' https://x.org/a "T"') == Source(
        title="T", publisher="x.org", url="https://x.org/a"
    )
    with pytest.raises(BriefFormatError, match=r"^source: unknown attribute"):
        parse_source_definition("x {y=1}")


# -- issue 8, item 10: `---` at the start is Markdown unless it is front matter ---


def test_commonmark_example_96_is_markdown_not_front_matter(tmp_path: Path) -> None:
    brief, front = brief_from_markdown("---\nFoo\n---\nBar\n---\nBaz\n")
    assert front == {}
    assert parse_markdown(brief.sections[0].body) == [
        HorizontalRule(),
        Heading(2, (Text("Foo"),)),
        Heading(2, (Text("Bar"),)),
        Paragraph((Text("Baz"),)),
    ]
    text = exported_text(tmp_path, "---\nFoo\n---\nBar\n---\nBaz\n")
    assert [line for line in text.splitlines() if line.strip() in ("Foo", "Bar", "Baz")] == [
        "Foo",
        "Bar",
        "Baz",
    ]


@pytest.mark.parametrize(
    ("text", "blocks"),
    [
        ("---\n---\n", [HorizontalRule(), HorizontalRule()]),
        ("---\n\ntitle: no\n---\n", [HorizontalRule(), Heading(2, (Text("title: no"),))]),
        ("---\n# Heading\n---\n", [HorizontalRule(), Heading(1, (Text("H"),)), HorizontalRule()]),
        ("---\nJust words\n", [HorizontalRule(), Paragraph((Text("Just words"),))]),
    ],
)  # fmt: skip
def test_other_dashes_at_the_start_are_markdown(text: str, blocks: list) -> None:
    brief, front = brief_from_markdown(text)
    assert front == {} and brief.meta.title in ("", "Heading")
    body = "\n\n".join(s.body for s in brief.sections)
    expected = [b for b in blocks if not (isinstance(b, Heading) and b.level == 1)]
    assert parse_markdown(body) == expected


def test_front_matter_still_reads_and_names_its_errors() -> None:
    brief, front = brief_from_markdown("---\ntitle: A\nauthor: Kim\n---\n\nText.\n")
    assert front == {"title": "A", "author": "Kim"} and brief.sections[0].body == "Text."
    with pytest.raises(BriefFormatError, match="front matter line 3: expected 'key: value'"):
        brief_from_markdown("---\ntitle: x\njust words\n---\n")
    with pytest.raises(BriefFormatError, match="front matter line 2: unknown key 'colour'"):
        brief_from_markdown("---\ncolour: red\n---\n")


def test_a_source_line_name_gives_a_web_site_its_publisher() -> None:
    md = (
        "Text [@p] and [@r].\n\n"
        '[@p]: https://www.politico.eu/article/cra/ "Industry wanted more time"\n'
        '[@r]: https://www.reuters.com/tech/x "Deal"\n\n'
        "Sources: Politico Europe; Reuters\n"
    )
    brief, _ = brief_from_markdown(md)
    assert [(k, s.publisher) for k, s in brief.sources.items()] == [
        ("p", "Politico Europe"),
        ("r", "Reuters"),
    ]


def test_a_site_word_naming_two_sources_adds_a_source_rather_than_guess() -> None:
    md = (
        "Text [@a] and [@b].\n\n"
        "[@a]: https://politico.eu/a\n"
        "[@b]: https://politico.com/b\n\n"
        "Source: Politico Europe\n"
    )
    brief, _ = brief_from_markdown(md)
    assert [s.publisher for s in brief.sources.values()] == [
        "politico.eu",
        "politico.com",
        "Politico Europe",
    ]
