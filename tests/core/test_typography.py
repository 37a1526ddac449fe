"""Typographic punctuation (briefer.typography): what a reader sees.

The inputs are real Markdown parsed by `MarkdownParser` and composed by
`compose`, the outputs are checked as text a reader would see, in the
blocks and, end to end, in an exported PDF and DOCX.
"""

from __future__ import annotations

import dataclasses
import io
import random
import time

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from briefer.compose import compose
from briefer.document import (
    Block,
    Citation,
    Code,
    CodeBlock,
    Contents,
    Emphasis,
    Heading,
    Link,
    Paragraph,
    SourceLine,
    SourcesList,
    Strong,
    Text,
    block_text,
    iter_blocks,
    iter_spans,
)
from briefer.export import exporter_for
from briefer.markup import MarkdownParser
from briefer.model import Brief, CitationStyle, HeadingLook, Meta, Section, Source, Style, Template
from briefer.typography import (
    NBSP,
    QUOTE_MARKS,
    quote_marks,
    smarten,
    smarten_source,
    smarten_spans,
    smarten_text,
)

PARSER = MarkdownParser()


def smart(markdown: str, language: str = "en") -> str:
    """The visible text of Markdown after smartening, blocks joined by `|`."""
    return "|".join(block_text(b) for b in smarten(PARSER.parse(markdown), language))


# -- what pandoc's smart extension does -------------------------------------


@pytest.mark.parametrize(
    ("typed", "seen"),
    [
        ('"Quoted" words', "“Quoted” words"),
        ("didn't", "didn’t"),
        ("the '90s and '06", "the ’90s and ’06"),
        ("rock 'n' roll", "rock ’n’ roll"),
        ("'Tis the season, give 'em hell", "’Tis the season, give ’em hell"),
        ("the students' books", "the students’ books"),
        ("He said, \"'Hi,' she said.\"", "He said, “‘Hi,’ she said.”"),
        ('("bracketed")', "(“bracketed”)"),
        ('a "quote"--then more', "a “quote”–then more"),
        ("pages 10--20", "pages 10–20"),
        ("wait---what", "wait—what"),
        ("and so on...", "and so on…"),
        ("end....", "end…."),
        ("a ---- rule typed on purpose", "a ---- rule typed on purpose"),
        ('She said "yes."', "She said “yes.”"),
        ("'single'", "‘single’"),
        ('"', "“"),
        ("it's 5 o'clock", "it’s 5 o’clock"),
    ],
)
def test_straight_punctuation_becomes_typographic(typed: str, seen: str) -> None:
    assert smart(typed) == seen


def test_quotes_open_and_close_across_spans() -> None:
    assert smart('"*word*" and **"bold"** and *"em"*s') == "“word” and “bold” and “em”s"
    assert smart("**Don**'t and *rock*'n'*roll*") == "Don’t and rock’n’roll"
    blocks = smarten(PARSER.parse('"*word*"'), "en")
    assert blocks == (Paragraph((Text("“"), Emphasis((Text("word"),)), Text("”"))),)


def test_headings_list_items_quotes_and_table_cells_are_smartened() -> None:
    text = (
        "## What's next?\n\n- it's \"one\"\n- two--three\n\n> a 'quote'...\n\n"
        '| col\'s | b |\n|---|---|\n| "x" | y---z |\n'
    )
    assert smart(text) == "What’s next?|it’s “one”\ntwo–three|a ‘quote’…|col’s b\n“x” y—z"


# -- what is never touched ----------------------------------------------------------


def test_code_spans_and_code_blocks_are_untouched() -> None:
    blocks = smarten(
        PARSER.parse('Run `git log --oneline "x"` now -- "ok"\n\n```\nsay "hi" -- it\'s...\n```'),
        "en",
    )
    para, code = blocks
    assert Code('git log --oneline "x"') in para.spans
    assert block_text(para) == 'Run git log --oneline "x" now – “ok”'
    assert code == CodeBlock('say "hi" -- it\'s...')


def test_link_targets_and_addresses_are_untouched() -> None:
    text = (
        'See ["the report"](https://ex.org/a--b?q="x"...), '
        "<https://ex.org/it's--here> and https://ex.org/rock'n'roll--x... "
        'or www.ex.org/a--b or mail jo--e@ex.org "now".'
    )
    (para,) = smarten(PARSER.parse(text), "en")
    links = [s for s in iter_spans(para.spans) if isinstance(s, Link)]
    assert links[0] == Link('https://ex.org/a--b?q="x"...', (Text("“the report”"),))
    assert links[1] == Link("https://ex.org/it's--here", (Text("https://ex.org/it's--here"),))
    seen = block_text(para)
    assert "https://ex.org/rock'n'roll--x…" in seen  # the dots after it are not its own
    assert "www.ex.org/a--b" in seen and "jo--e@ex.org" in seen and "“now”." in seen
    assert smarten_text("mail 'jo@ex.org' or o'brien--x@ex.org", "en") == (
        "mail ‘jo@ex.org’ or o'brien--x@ex.org"
    )


def test_a_quote_after_a_link_that_shows_its_address_closes() -> None:
    assert smart('"<https://ex.org>" and "[site](https://ex.org)"') == (
        "“https://ex.org” and “site”"
    )


def test_citations_are_kept_and_read_as_words() -> None:
    blocks = smarten(PARSER.parse("It's \"true\" [@ledger]'s view [@a; @b]..."), "en")
    spans = blocks[0].spans
    assert [s for s in spans if isinstance(s, Citation)] == [
        Citation("ledger"),
        Citation("a"),
        Citation("b"),
    ]
    assert block_text(blocks[0]) == "It’s “true” [?ledger]’s view [?a][?b]…"


def test_blocks_with_nothing_to_change_are_the_same_objects() -> None:
    blocks = tuple(PARSER.parse("Plain words.\n\n- a list\n\n| a | b |\n|---|---|\n| c | d |"))
    out = smarten(blocks, "en")
    assert all(new is old for new, old in zip(out, blocks, strict=True))


# -- the brief's language ---------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "seen"),
    [
        ("en", "“Er sagte ‘so’.” Don’t"),
        ("en-GB", "“Er sagte ‘so’.” Don’t"),
        ("de", "„Er sagte ‚so‘.“ Don’t"),
        ("de-CH", "«Er sagte ‹so›.» Don’t"),
        ("fr", f"«{NBSP}Er sagte “so”.{NBSP}» Don’t"),
        ("es", "«Er sagte “so”.» Don’t"),
        ("ru", "«Er sagte „so“.» Don’t"),
        ("pl", "„Er sagte «so».” Don’t"),
        ("sv", "”Er sagte ’so’.” Don’t"),
        ("ja", "「Er sagte 『so』.」 Don’t"),
        ("zh-TW", "「Er sagte 『so』.」 Don’t"),
        ("zh", "“Er sagte ‘so’.” Don’t"),
        ("xx", "“Er sagte ‘so’.” Don’t"),
        ("", "“Er sagte ‘so’.” Don’t"),
    ],
)
def test_quotation_marks_follow_the_language(language: str, seen: str) -> None:
    assert smart("\"Er sagte 'so'.\" Don't", language) == seen


def test_french_guillemets_never_leave_a_mark_alone_at_a_line_end() -> None:
    # A space typed inside the quotes becomes the no-break space the
    # guillemet carries; typed guillemets get one too.
    assert smart('Il a dit " oui " puis "non" et « peut-être ».', "fr") == (
        f"Il a dit «{NBSP}oui{NBSP}» puis «{NBSP}non{NBSP}» et «{NBSP}peut-être{NBSP}»."
    )
    assert smart("« a » « b »", "en") == "« a » « b »"


def test_quote_marks_is_one_table_for_every_use() -> None:
    assert quote_marks("de-DE") is QUOTE_MARKS["de"]
    assert quote_marks("DE_ch") is QUOTE_MARKS["de-ch"]
    assert (quote_marks("fr").open, quote_marks("fr").close) == (f"«{NBSP}", f"{NBSP}»")


# -- everything a reader sees, beyond section text ------------------------------


def _template(**style: object) -> Template:
    return Template(
        id="t",
        name="T",
        sections=(),
        style=dataclasses.replace(Style(), **style),  # type: ignore[arg-type]
    )


def _brief(body: str, **sources: Source) -> Brief:
    return Brief(
        template="t",
        meta=Meta(title='It\'s "here"', subtitle="Ports -- and more..."),
        sections=[Section("body", "What's next?", body)],
        sources=sources,
    )


def test_title_contents_heading_lead_in_and_sources_are_smartened() -> None:
    source = Source(
        title='The "open" berth', publisher="Lloyd's List", url="https://ex.org/it's--x"
    )
    document = compose(
        _brief("## Berth `a--b` it's\n\nText [@s].", s=source),
        _template(contents=True, contents_title="What's in it", sources_title="Sources'"),
    )
    blocks = smarten(document.blocks, "en")
    text = [block_text(b) for b in blocks]
    assert text[0] == "It’s “here”" and text[1] == "Ports – and more…"
    contents = next(b for b in blocks if isinstance(b, Contents))
    assert contents.title == "What’s in it"
    assert [e.text for e in contents.entries] == ["What’s next?", "Berth a--b it’s"]
    headings = [b for b in blocks if isinstance(b, Heading)]
    assert [e.anchor for e in contents.entries] == [h.anchor for h in headings]
    (sources,) = [b for b in blocks if isinstance(b, SourcesList)]
    (entry,) = sources.entries
    assert sources.title == "Sources’"
    assert (entry.publisher, entry.title, entry.url) == (
        "Lloyd’s List",
        "The “open” berth",
        "https://ex.org/it's--x",
    )
    assert "Lloyd’s List" in block_text(sources) and "https://ex.org/it's--x" in block_text(sources)
    assert smarten_source(document.sources[0], "en") == entry

    lead_in = compose(_brief("Text."), _template(heading_look=HeadingLook.LEAD_IN))
    (para,) = [b for b in smarten(lead_in.blocks, "en") if isinstance(b, Paragraph)]
    assert para.lead_in == "What’s next?"


def test_source_line_names_are_smartened() -> None:
    document = compose(
        _brief("Text [@s].", s=Source(publisher="Lloyd's List")),
        _template(citations=CitationStyle.SOURCE_LINE, source_line_label="Source's:"),
    )
    (line,) = [b for b in smarten(document.blocks, "en") if isinstance(b, SourceLine)]
    assert block_text(line) == "Source’s: Lloyd’s List"


def test_plain_text_and_spans_helpers() -> None:
    assert smarten_text('It\'s https://ex.org/a--b -- "ok"', "en") == (
        "It’s https://ex.org/a--b – “ok”"
    )
    assert smarten_spans([Text('"'), Strong((Text("x"),)), Text('"')], "de") == (
        Text("„"),
        Strong((Text("x"),)),
        Text("“"),
    )


# -- end to end: the exported files ----------------------------------------------


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_exported_files_show_typographic_punctuation(fmt: str) -> None:
    document = compose(
        _brief('The berth "didn\'t" open--yet... Run `a--b` at https://ex.org/x--y.'),
        _template(),
    )
    document = dataclasses.replace(document, blocks=smarten(document.blocks, "en"))
    buffer = io.BytesIO()
    exporter_for(fmt).render(document, buffer)
    if fmt == "pdf":
        text = "\n".join(page.extract_text() for page in PdfReader(buffer).pages)
    else:
        text = "\n".join(p.text for p in docx.Document(buffer).paragraphs)
    assert "It’s “here”" in text
    assert "The berth “didn’t” open–yet…" in text
    assert "a--b" in text and "https://ex.org/x--y" in text


# -- properties -------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "a", "word", " ", "  ", "\n", '"', "'", "-", "--", "---", ".", "...", "(", ")",
        "*", "**", "_", "`", "[@k]", "didn't", "'90s", "https://ex.org/a'b--c", "x@ex.org",
        "[t](https://ex.org/\"q\")", "<https://ex.org/--x>", "«", "»", "é", "日本", "1",
    ]
)  # fmt: skip
_MARKDOWN = st.lists(_PIECES, max_size=40).map("".join)
_LANGUAGES = st.sampled_from(["en", "de", "fr", "ja", "sv", "de-CH"])


def _protected(blocks: tuple[Block, ...] | list[Block]) -> list[str]:
    """The text smartening must never change: code, link targets, citations."""
    out: list[str] = []
    for block in iter_blocks(blocks):
        if isinstance(block, CodeBlock):
            out.append(block.text)
        spans = getattr(block, "spans", ())
        for span in iter_spans(spans):
            if isinstance(span, Code):
                out.append(span.text)
            elif isinstance(span, Link):
                out.append(span.href)
            elif isinstance(span, Citation):
                out.append(span.key)
    return out


@settings(max_examples=300, deadline=None)
@given(_MARKDOWN, _LANGUAGES)
def test_smartening_is_idempotent_and_never_touches_code_or_targets(
    markdown: str, language: str
) -> None:
    blocks = PARSER.parse(markdown)
    once = smarten(blocks, language)
    assert smarten(once, language) == once
    assert _protected(once) == _protected(blocks)


_ADDRESSES = st.sampled_from(
    [
        "https://ex.org/it's--here...x",
        "http://ex.org/a--b_c",
        "www.ex.org/rock'n'roll---x",
        "mailto:jo--e@ex.org",
        "o'brien--x@ex.org",
        "ftp://ex.org/'90s",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_PIECES, _ADDRESSES.map(lambda a: f" {a} ")), max_size=30), _LANGUAGES)
def test_addresses_in_text_are_never_touched(pieces: list[str], language: str) -> None:
    text = "".join(pieces)
    out = smarten_text(text, language)
    for piece in pieces:
        if piece.startswith(" ") and "x" in piece:
            assert piece.strip() in out


_UNDO = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "--", "—": "---", "…": "..."})


@settings(max_examples=300, deadline=None)
@given(_MARKDOWN)
def test_only_dashes_and_ellipses_change_the_length(markdown: str) -> None:
    blocks = PARSER.parse(markdown)
    before = "".join(block_text(b) for b in blocks)
    after = "".join(block_text(b) for b in smarten(blocks, "en"))
    en, em, dots = (after.count(c) - before.count(c) for c in "–—…")
    assert len(before) - len(after) == en + 2 * em + 2 * dots
    assert after.translate(_UNDO) == before.translate(_UNDO)


# -- speed ------------------------------------------------------------------------


def _long_brief(words: int, seed: int = 3) -> list[Block]:
    """About `words` words of analyst prose: apostrophes, quotes, dashes,
    ellipses, code, links, citations; one paragraph in six is a list."""
    rng = random.Random(seed)
    vocabulary = [
        "the", "port's", "cargo", "data", "didn't", "open", "until", '"late"', "--", "berth",
        "schedules", "were", "'held'", "in", "the", "'90s...", "operators", "say", "it's",
        "2026--2027", "at", "https://ex.org/a--b", "calls", "fell", "by", "a", "third",
    ]  # fmt: skip
    blocks: list[Block] = []
    count = 0
    while count < words:
        sentences = [" ".join(rng.choices(vocabulary, k=18)) + "." for _ in range(5)]
        count += 90
        blocks.append(
            Paragraph(
                (
                    Text(" ".join(sentences[:2]) + ' "'),
                    Emphasis((Text(sentences[2]),)),
                    Text('" '),
                    Citation("ledger", 1),
                    Text(" "),
                    Code("a--b"),
                    Text(" " + " ".join(sentences[3:])),
                )
            )
        )
        if len(blocks) % 6 == 0:
            blocks.append(Heading(1, (Text(f'Part {len(blocks)}: what\'s "next"'),), "h"))
    return blocks


def test_a_hundred_page_brief_takes_well_under_fifty_milliseconds() -> None:
    blocks = _long_brief(40_000)  # 100 A4 pages of 400 words
    best = min(_timed(lambda: smarten(blocks, "en")) for _ in range(7))
    assert best < 0.050, f"{best * 1000:.1f} ms"


def test_time_grows_linearly() -> None:
    small, large = _long_brief(4_000), _long_brief(40_000)
    t_small = min(_timed(lambda: smarten(small, "en")) for _ in range(5))
    t_large = min(_timed(lambda: smarten(large, "en")) for _ in range(3))
    assert t_large < 20 * t_small


def _timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start
