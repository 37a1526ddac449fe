"""What compose does for a publication-grade export (issue 8): markers
glued to their words, the title printed once, section heading levels, the
classification never silently dropped, and a Source line naming every source."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from briefer.compose import compose
from briefer.document import (
    Citation,
    Contents,
    DiagnosticKind,
    Heading,
    SourceLine,
    Text,
    plain_text,
)
from briefer.model import Brief, Meta, Section, Source, Template
from briefer.templates import load_template

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = {
    name: load_template(REPO / "templates" / name, builtin=True)
    for name in ("smart-brevity", "long-form", "bluf-memo")
}
LEDGER = Source(title="Halden votes", publisher="Northern Ledger", url="https://l.example/a")


def brief(*sections: Section, template: str = "smart-brevity", **meta: str) -> Brief:
    return Brief(
        template=template,
        meta=Meta(title=meta.pop("title", "Port of Halden opens its data"), **meta),
        sections=sections,
        sources={"ledger": LEDGER},
    )


def first_spans(document, kind=None):
    for block in document.blocks:
        spans = getattr(block, "spans", None)
        if spans and any(isinstance(s, Citation) for s in spans):
            return spans
    raise AssertionError("no paragraph with a citation")


@pytest.mark.parametrize(
    "body, before",
    [
        ("Cranes were idle [@ledger].", "Cranes were idle"),
        ("Cranes were idle\u00a0[@ledger].", "Cranes were idle"),
        ("Cranes were **idle** [@ledger].", None),
    ],
)
def test_a_citation_is_glued_to_the_word_before_it(body: str, before: str | None) -> None:
    doc = compose(brief(Section("what-happened", "", body)), TEMPLATES["smart-brevity"])
    spans = first_spans(doc)
    at = next(i for i, s in enumerate(spans) if isinstance(s, Citation))
    if before is None:
        assert not isinstance(spans[at - 1], Text)  # the space after **idle** is gone
    else:
        assert spans[at - 1] == Text(before)
    assert spans[at + 1] == Text(".")
    assert plain_text(spans).endswith("idle[1].")


def test_a_line_break_before_a_citation_is_kept_as_written() -> None:
    doc = compose(
        brief(Section("what-happened", "", "Cranes were idle\\\n[@ledger].")),
        TEMPLATES["smart-brevity"],
    )
    assert "idle\n[1]." in plain_text(first_spans(doc))


def test_a_heading_repeating_the_title_is_not_printed_again() -> None:
    body = "# Port of Halden Opens Its Data!\n\nThe lede.\n\n## Who\n\nText."
    doc = compose(brief(Section("lede", "", body), template="long-form"), TEMPLATES["long-form"])
    headings = [plain_text(b.spans) for b in doc.blocks if isinstance(b, Heading)]
    assert headings == ["Who"]
    contents = next(b for b in doc.blocks if isinstance(b, Contents))
    assert [e.text for e in contents.entries] == ["Who"]


def test_a_heading_like_the_title_later_in_the_brief_stays() -> None:
    sections = (
        Section("lede", "", "The lede."),
        Section("body", "", "## Port of Halden opens its data\n\nText."),
    )
    doc = compose(brief(*sections, template="long-form"), TEMPLATES["long-form"])
    headings = [plain_text(b.spans) for b in doc.blocks if isinstance(b, Heading)]
    assert headings == ["Port of Halden opens its data"]


def test_section_heading_level_two_puts_body_headings_below_it() -> None:
    template = TEMPLATES["bluf-memo"]
    template = dataclasses.replace(
        template, style=dataclasses.replace(template.style, section_heading_level=2)
    )
    body = "Text.\n\n## Evidence\n\ntext\n\n### Detail\n\ntext"
    doc = compose(brief(Section("discussion", "Discussion", body), template="bluf-memo"), template)
    levels = [(b.level, plain_text(b.spans)) for b in doc.blocks if isinstance(b, Heading)]
    assert levels == [(2, "Discussion"), (3, "Evidence"), (3, "Detail")]


def test_body_headings_keep_their_relative_levels() -> None:
    body = "## Top\n\ntext\n\n### Sub\n\ntext"
    doc = compose(
        brief(Section("discussion", "Discussion", body), template="bluf-memo"),
        TEMPLATES["bluf-memo"],
    )
    levels = [b.level for b in doc.blocks if isinstance(b, Heading)]
    assert levels == [1, 2, 3]


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_built_in_template_prints_the_classification(name: str) -> None:
    template = TEMPLATES[name]
    sample = Brief(
        template=name,
        meta=Meta(title="T", classification="SECRET"),
        sections=(Section(template.sections[0].id, "", "Text."),),
    )
    doc = compose(sample, template)
    assert not [d for d in doc.diagnostics if d.kind is DiagnosticKind.HIDDEN_CLASSIFICATION]


def test_a_template_with_no_place_for_the_classification_warns() -> None:
    plain = Template(id="plain", name="Plain")
    doc = compose(
        Brief(template="plain", meta=Meta(title="T", classification="SECRET"),
              sections=(Section("s", "S", "Text."),)),
        plain,
    )  # fmt: skip
    hidden = [d for d in doc.diagnostics if d.kind is DiagnosticKind.HIDDEN_CLASSIFICATION]
    assert len(hidden) == 1 and "'SECRET'" in hidden[0].message
    unclassified = compose(
        Brief(template="plain", meta=Meta(title="T"), sections=(Section("s", "S", "Text."),)),
        plain,
    )
    assert not unclassified.diagnostics


def test_the_source_line_names_uncited_sources_without_a_number() -> None:
    b = Brief(
        template="smart-brevity",
        meta=Meta(title="T"),
        sections=(Section("what-happened", "", "Cranes were idle."),),
        sources={"bloomberg": Source(publisher="Bloomberg")},
    )
    doc = compose(b, TEMPLATES["smart-brevity"])
    line = doc.blocks[-1]
    assert isinstance(line, SourceLine) and line.label == "Source:"
    assert [(e.name, e.cited) for e in line.entries] == [("Bloomberg", False)]
    # No citations at all: the line is how this brief is sourced.
    assert not [d for d in doc.diagnostics if d.kind is DiagnosticKind.UNUSED_SOURCE]
    assert doc.sources == ()  # nothing is numbered in the text


def test_the_source_line_names_cited_sources_first_and_warns_of_none() -> None:
    b = Brief(
        template="smart-brevity",
        meta=Meta(title="T"),
        sections=(Section("what-happened", "", "Cranes were idle [@ledger]."),),
        sources={"spare": Source(publisher="Bloomberg"), "ledger": LEDGER},
    )
    doc = compose(b, TEMPLATES["smart-brevity"])
    line = doc.blocks[-1]
    assert isinstance(line, SourceLine) and line.label == "Sources:"
    assert [(e.n, e.name, e.cited) for e in line.entries] == [
        (1, "Northern Ledger", True),
        (2, "Bloomberg", False),
    ]
    assert not [d for d in doc.diagnostics if d.kind is DiagnosticKind.UNUSED_SOURCE]
    endnotes = compose(dataclasses.replace(b, template="long-form"), TEMPLATES["long-form"])
    unused = [d.key for d in endnotes.diagnostics if d.kind is DiagnosticKind.UNUSED_SOURCE]
    assert unused == ["spare"]  # a numbered list names only what is cited


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_an_uncited_source_is_named_without_a_number_in_both_formats(
    tmp_path: Path, fmt: str
) -> None:
    import docx
    from pypdf import PdfReader

    from briefer.pipeline import export

    b = Brief(
        template="smart-brevity",
        meta=Meta(title="Halden"),
        sections=(Section("what-happened", "", "Cranes were idle [@ledger]."),),
        sources={"ledger": LEDGER, "bloomberg": Source(publisher="Bloomberg")},
    )
    out = tmp_path / f"b.{fmt}"
    export(b, TEMPLATES["smart-brevity"], out, fmt)
    if fmt == "pdf":
        text = " ".join(page.extract_text() for page in PdfReader(out).pages)
    else:
        text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "Sources: Northern Ledger [1]; Bloomberg" in " ".join(text.split())
    assert "[2]" not in text


def test_an_image_that_is_a_fifo_is_named_as_such_and_never_opened(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "chart.png")  # opening it for reading would block for ever
    b = brief(Section("what-happened", "", "![chart](chart.png)"))
    doc = compose(b, TEMPLATES["smart-brevity"], base_dir=tmp_path)
    images = [d.message for d in doc.diagnostics if d.kind is DiagnosticKind.MISSING_IMAGE]
    assert images == ["image 'chart.png' is not a regular file; a placeholder is shown instead"]
