"""compose(brief, template): order, skipping, citations, heading looks, contents, images."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from briefer.briefs import load_brief
from briefer.compose import compose, format_source
from briefer.document import (
    HEADER_FIELD,
    HEADER_FIELDS,
    BulletList,
    Citation,
    Contents,
    Document,
    Heading,
    Image,
    Paragraph,
    SourceEntry,
    SourceLine,
    SourcesList,
    Subtitle,
    Title,
    banner_text,
    block_text,
    field_values,
    iter_blocks,
    iter_spans,
    plain_text,
)
from briefer.model import Brief, CitationStyle, HeadingLook, Meta, Section, Source, Style
from briefer.paths import Paths
from briefer.templates import TemplateRegistry

REPO = Path(__file__).resolve().parents[2]


def template(template_id: str, **style):
    t = TemplateRegistry(Paths.from_env()).get(template_id)
    return dataclasses.replace(t, style=dataclasses.replace(t.style, **style)) if style else t


def citations(document) -> list[Citation]:
    found: list[Citation] = []
    for block in iter_blocks(document.blocks):
        spans = getattr(block, "spans", ())
        found += [s for s in iter_spans(spans) if isinstance(s, Citation)]
    return found


def brief(*sections: Section, sources: dict[str, Source] | None = None) -> Brief:
    return Brief(
        template="bluf-memo",
        meta=Meta(title="T", subtitle="Deck"),
        sections=list(sections),
        sources=sources or {},
    )


def test_sections_follow_template_order_and_unknown_ones_keep_their_place() -> None:
    b = brief(
        Section("outlook", "Outlook", "Later."),
        Section("bluf", "Bottom Line Up Front", "Answer."),
        Section("annex", "Annex", "Extra after bluf."),
        Section("discussion", "Discussion", "Why."),
    )
    doc = compose(b, template("bluf-memo"))
    headings = [plain_text(x.spans) for x in doc.blocks if isinstance(x, Heading)]
    assert headings == ["Bottom Line Up Front", "Annex", "Discussion", "Outlook"]
    assert isinstance(doc.blocks[0], Title) and isinstance(doc.blocks[1], Subtitle)


def test_empty_optional_sections_are_skipped_and_required_ones_reported() -> None:
    b = brief(Section("bluf", "Bottom Line Up Front", "  "), Section("outlook", "Outlook", ""))
    doc = compose(b, template("bluf-memo"))
    assert not [x for x in doc.blocks if isinstance(x, Heading)]
    assert any("required section 'Bottom Line Up Front' is empty" in w for w in doc.warnings)
    assert any("'Key Judgments' is missing" in w for w in doc.warnings)


def test_citations_numbered_by_first_use_and_unknown_keys_reported() -> None:
    sources = {k: Source(publisher=k.upper(), title=f"Title {k}") for k in ("a", "b", "c")}
    b = brief(
        Section("bluf", "", "First [@b], then [@a; @b]."),
        Section("discussion", "", "Again [@a] and [@ghost] and [@c]."),
        sources=sources,
    )
    doc = compose(b, template("bluf-memo", citations=CitationStyle.ENDNOTES))
    assert [(c.key, c.n) for c in citations(doc)] == [
        ("b", 1),
        ("a", 2),
        ("b", 1),
        ("a", 2),
        ("ghost", 0),
        ("c", 3),
    ]
    assert [s.key for s in doc.sources] == ["b", "a", "c"]
    assert any("[@ghost]" in w and "'Discussion'" in w for w in doc.warnings)
    last = doc.blocks[-1]
    assert isinstance(last, SourcesList) and [e.n for e in last.entries] == [1, 2, 3]


def test_source_line_lists_cited_publishers() -> None:
    sample = load_brief(REPO / "templates" / "smart-brevity" / "sample.brief")
    doc = compose(sample, template("smart-brevity"))
    last = doc.blocks[-1]
    assert isinstance(last, SourceLine) and last.label == "Sources:"
    assert [e.publisher for e in last.entries] == [
        "Northern Ledger",
        "Coastal Wire",
        "Freight Desk Weekly",
    ]
    assert not doc.warnings


def test_footnote_style_adds_no_list_but_keeps_sources() -> None:
    sample = load_brief(REPO / "templates" / "bluf-memo" / "sample.brief")
    doc = compose(sample, template("bluf-memo"))
    assert doc.style.citations is CitationStyle.FOOTNOTES
    assert not any(isinstance(b, (SourcesList, SourceLine)) for b in doc.blocks)
    assert len(doc.sources) == 3


def test_lead_in_heading_look_opens_the_first_paragraph() -> None:
    sample = load_brief(REPO / "templates" / "smart-brevity" / "sample.brief")
    doc = compose(sample, template("smart-brevity", heading_look=HeadingLook.LEAD_IN))
    assert isinstance(doc.blocks[1], BulletList)  # key bullets straight under the title
    lead_ins = [b.lead_in for b in doc.blocks if isinstance(b, Paragraph) and b.lead_in]
    assert lead_ins == ["What Happened?", "Why It Matters?", "What’s Next?"]
    assert not [b for b in doc.blocks if isinstance(b, Heading)]


def test_smart_brevity_prints_its_sections_as_level_two_headings() -> None:
    sample = load_brief(REPO / "templates" / "smart-brevity" / "sample.brief")
    doc = compose(sample, template("smart-brevity"))
    headings = [(b.level, plain_text(b.spans)) for b in doc.blocks if isinstance(b, Heading)]
    assert headings == [(2, "What Happened?"), (2, "Why It Matters?"), (2, "What’s Next?")]


def test_lead_in_before_a_list_gets_a_paragraph_of_its_own() -> None:
    b = brief(Section("key-judgments", "Key Judgments", "- one\n- two"))
    doc = compose(b, template("bluf-memo", heading_look=HeadingLook.LEAD_IN))
    assert doc.blocks[2] == Paragraph((), lead_in="Key Judgments")
    assert isinstance(doc.blocks[3], BulletList)


def test_contents_lists_headings_with_unique_anchors() -> None:
    sample = load_brief(REPO / "templates" / "long-form" / "sample.brief")
    doc = compose(sample, template("long-form"))
    contents = next(b for b in doc.blocks if isinstance(b, Contents))
    assert doc.blocks.index(contents) == 2  # after title and deck
    assert contents.title == "In this article"
    assert [e.text for e in contents.entries] == [
        "Who rides the night train",
        "The economics",
        "What the subsidy pays for",
        "Conclusion",
    ]
    anchors = [b.anchor for b in doc.blocks if isinstance(b, Heading)]
    assert len(set(anchors)) == len(anchors) and all(anchors)
    assert [e.anchor for e in contents.entries] == anchors


def test_body_headings_sit_below_the_section_heading() -> None:
    b = brief(Section("discussion", "Discussion", "# Top\n\ntext\n\n## Sub\n\n#### Deep"))
    doc = compose(b, template("bluf-memo"))
    levels = [(x.level, plain_text(x.spans)) for x in doc.blocks if isinstance(x, Heading)]
    assert levels == [(1, "Discussion"), (2, "Top"), (3, "Sub"), (3, "Deep")]


def test_images_only_from_the_briefs_folder(tmp_path: Path) -> None:
    (tmp_path / "chart.png").write_bytes((REPO / "assets" / "briefer.png").read_bytes())
    (tmp_path / "notes.txt").write_text("not an image")
    body = "\n\n".join(
        [
            "![ok](chart.png)",
            "![escape](../../etc/hostname.png)",
            "![abs](/etc/hostname)",
            "![remote](https://example.org/x.png)",
            "![text](notes.txt)",
            "![gone](missing.png)",
        ]
    )
    doc = compose(brief(Section("discussion", "", body)), template("bluf-memo"), base_dir=tmp_path)
    images = [b for b in iter_blocks(doc.blocks) if isinstance(b, Image)]
    assert [(i.alt, i.path) for i in images] == [
        ("ok", tmp_path / "chart.png"),
        ("escape", None),
        ("abs", None),
        ("remote", None),
        ("text", None),
        ("gone", None),
    ]
    assert len([w for w in doc.warnings if "placeholder" in w]) == 5


def test_format_source_has_every_part_in_order() -> None:
    spans = format_source(
        Source(
            title="A title",
            publisher="Pub",
            author="Ann",
            url="https://e.org/x",
            published="2026-01-02",
            accessed="2026-02-03",
        )
    )
    assert plain_text(spans) == (
        "Ann, A title. Pub, 2026-01-02. https://e.org/x (accessed 2026-02-03)."
    )
    assert plain_text(format_source(Source())) == "(no details)"


def test_every_word_of_every_sample_reaches_the_document() -> None:
    for path in sorted((REPO / "templates").glob("*/sample.brief")):
        b = load_brief(path)
        doc = compose(b, template(b.template), base_dir=path.parent)
        text = "\n".join(block_text(x) for x in doc.blocks)
        for section in b.sections:
            for word in section.body.replace("**", " ").split():
                word = word.strip(".,;:!?()*|>-[]")
                if word.isalpha():
                    assert word in text, (path.name, word)


def test_empty_header_and_footer_fields_leave_no_stray_separators() -> None:
    from briefer.document import drop_empty_fields

    cases = [
        ("{author} · {date} · {page} / {pages}", Meta(), "{page} / {pages}"),
        ("{author} · {date} · {page} / {pages}", Meta(author="A"), "{author} · {page} / {pages}"),
        ("{author} · {date} · {page} / {pages}", Meta(date="D"), "{date} · {page} / {pages}"),
        (
            "{title} · {date} · Page {page} of {pages}",
            Meta(title="T"),
            "{title} · Page {page} of {pages}",
        ),
        ("{title} · Page {page} of {pages}", Meta(), "Page {page} of {pages}"),
        ("{classification}", Meta(), ""),
        ("Page {page} of {pages}", Meta(), "Page {page} of {pages}"),
    ]
    for pattern, meta, expected in cases:
        assert drop_empty_fields(pattern, meta) == expected, pattern
    b = dataclasses.replace(brief(Section("bluf", "", "Answer.")), meta=Meta(title=""))
    doc = compose(b, template("long-form"))
    assert doc.style.footer == "{page} / {pages}" and doc.style.header == ""


def test_source_entry_name_falls_back_to_title_then_key() -> None:
    def entry(n: int, publisher: str, title: str) -> SourceEntry:
        return SourceEntry(n, f"key-{n}", publisher, title, "", ())

    entries = (entry(1, "Wire", "Story"), entry(2, "", "Story"), entry(3, "", ""))
    assert [e.name for e in entries] == ["Wire", "Story", "key-3"]
    assert block_text(SourceLine("Source:", entries)) == "Source: Wire Story key-3"


def test_header_fields_are_one_list() -> None:
    meta = Meta(title="T", date="D", classification=" SECRET\x00 ", author="A")
    values = field_values(meta)
    assert set(values) | {"page", "pages"} == set(HEADER_FIELDS)
    pattern = "".join(f"{{{name}}}" for name in HEADER_FIELDS) + "{other}"
    assert HEADER_FIELD.findall(pattern) == list(HEADER_FIELDS)
    shown = Document(meta=meta, style=Style(banner=True), blocks=[])
    hidden = Document(meta=meta, style=Style(banner=False), blocks=[])
    assert (banner_text(shown), banner_text(hidden)) == ("SECRET", "")
