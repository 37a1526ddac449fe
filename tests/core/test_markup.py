"""Tests for briefer.markup: Markdown section text -> document blocks."""

from __future__ import annotations

import itertools
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefer.document import (
    Align,
    Block,
    BulletList,
    Citation,
    Code,
    CodeBlock,
    Emphasis,
    Heading,
    HorizontalRule,
    Image,
    LineBreak,
    Link,
    ListItem,
    OrderedList,
    Paragraph,
    Quote,
    Span,
    Strong,
    Table,
    Text,
    block_text,
    iter_blocks,
    iter_spans,
)
from briefer.markup import MarkdownParser, parse_markdown

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def para(*spans: Span) -> Paragraph:
    return Paragraph(tuple(spans))


def item(*blocks: Block) -> ListItem:
    return ListItem(tuple(blocks))


def bullets(*items: ListItem) -> BulletList:
    return BulletList(tuple(items))


def all_spans(blocks: list[Block]) -> list[Span]:
    """Every span anywhere in `blocks`, table cells included."""
    spans: list[Span] = []
    for block in iter_blocks(blocks):
        groups: list[tuple[Span, ...]] = []
        if isinstance(block, (Heading, Paragraph)):
            groups.append(block.spans)
        elif isinstance(block, Table):
            groups.extend(block.header)
            for row in block.rows:
                groups.extend(row)
        for group in groups:
            spans.extend(iter_spans(group))
    return spans


def all_strings(blocks: list[Block]) -> list[str]:
    """Every string the parser produced: text, code, hrefs, sources, keys."""
    strings: list[str] = []
    for block in iter_blocks(blocks):
        if isinstance(block, CodeBlock):
            strings += [block.text, block.language]
        elif isinstance(block, Image):
            strings += [block.src, block.alt]
    for span in all_spans(blocks):
        if isinstance(span, (Text, Code)):
            strings.append(span.text)
        elif isinstance(span, Link):
            strings.append(span.href)
        elif isinstance(span, Citation):
            strings.append(span.key)
    return strings


def visible_text(blocks: list[Block]) -> str:
    return "\n".join(block_text(block) for block in blocks)


def assert_well_formed(blocks: list[Block]) -> None:
    """No placeholder leaks, no empty or adjacent Text spans."""
    for string in all_strings(blocks):
        assert "\x02" not in string and "\x03" not in string, repr(string)
        assert "wzxhzdk" not in string and "klzzwxh" not in string, repr(string)
    groups: list[tuple[Span, ...]] = []
    for block in iter_blocks(blocks):
        if isinstance(block, (Heading, Paragraph)):
            groups.append(block.spans)
        elif isinstance(block, Table):
            groups.extend(block.header)
            for row in block.rows:
                groups.extend(row)
    for span in all_spans(blocks):
        if isinstance(span, (Strong, Emphasis, Link)):
            groups.append(span.children)
    for group in groups:
        for a, b in itertools.pairwise(group):
            assert not (isinstance(a, Text) and isinstance(b, Text)), group
        for span in group:
            assert not (isinstance(span, Text) and not span.text), group


@pytest.fixture(scope="module")
def parser() -> MarkdownParser:
    return MarkdownParser()


# --------------------------------------------------------------------------
# Empty input and basic blocks
# --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", " ", "\n\n", " \t \n  \r\n", "\x00\x01", "\ud800"])
def test_empty_or_blank_text_gives_no_blocks(parser: MarkdownParser, text: str) -> None:
    assert parser.parse(text) == []


def test_heading_levels_are_kept_as_written(parser: MarkdownParser) -> None:
    assert parser.parse("# One\n\n### Three") == [
        Heading(1, (Text("One"),)),
        Heading(3, (Text("Three"),)),
    ]


def test_setext_headings(parser: MarkdownParser) -> None:
    assert parser.parse("Big\n===\n\nSmall\n-----") == [
        Heading(1, (Text("Big"),)),
        Heading(2, (Text("Small"),)),
    ]


def test_paragraphs_and_soft_breaks(parser: MarkdownParser) -> None:
    assert parser.parse("one\ntwo \n   three  \n\nnext") == [
        para(Text("one two three")),
        para(Text("next")),
    ]


def test_emphasis_strong_and_inline_code(parser: MarkdownParser) -> None:
    assert parser.parse("a *em* and **strong** and _u_ and `x < y & z`") == [
        para(
            Text("a "),
            Emphasis((Text("em"),)),
            Text(" and "),
            Strong((Text("strong"),)),
            Text(" and "),
            Emphasis((Text("u"),)),
            Text(" and "),
            Code("x < y & z"),
        )
    ]


def test_nested_inline_formatting(parser: MarkdownParser) -> None:
    assert parser.parse("**bold *both* bold**") == [
        para(Strong((Text("bold "), Emphasis((Text("both"),)), Text(" bold"))))
    ]


def test_horizontal_rule(parser: MarkdownParser) -> None:
    assert parser.parse("a\n\n---\n\nb") == [para(Text("a")), HorizontalRule(), para(Text("b"))]


# CommonMark 0.31.2 examples 43, 96 and 98: a line of dashes at the start
# is a thematic break, and a break is never the text of a setext heading.
@pytest.mark.parametrize(
    ("text", "blocks"),
    [
        (
            "---\nFoo\n---\nBar\n---\nBaz",
            [
                HorizontalRule(),
                Heading(2, (Text("Foo"),)),
                Heading(2, (Text("Bar"),)),
                para(Text("Baz")),
            ],
        ),
        ("---\n---", [HorizontalRule(), HorizontalRule()]),
        ("***\n---\n___", [HorizontalRule(), HorizontalRule(), HorizontalRule()]),
        ("----\n===", [HorizontalRule(), para(Text("==="))]),
        ("Foo\n---\nbar", [Heading(2, (Text("Foo"),)), para(Text("bar"))]),
    ],
)
def test_dashes_at_the_start_read_as_commonmark_does(
    parser: MarkdownParser, text: str, blocks: list[Block]
) -> None:
    assert parser.parse(text) == blocks


# --------------------------------------------------------------------------
# Raw HTML, entities and placeholders
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "<b>x</b>",
        "<script>alert(1)</script>",
        '<img src="/etc/hostname">',
        "x <y> z",
        "a < b & c",
        "&bogus; &amp; &copy; &#169; &#x41;",
        "<!-- a comment -->",
        "<?php echo 1; ?>",
        "<![CDATA[ x ]]>",
    ],
)
def test_raw_html_and_entities_are_literal_text(parser: MarkdownParser, text: str) -> None:
    blocks = parser.parse(text)
    assert_well_formed(blocks)
    assert all(isinstance(block, Paragraph) for block in blocks)
    assert all(isinstance(span, Text) for span in all_spans(blocks))
    assert "\n".join(visible_text([b]) for b in blocks) == text.replace("\n", " ")


def test_html_block_keeps_its_lines_as_text(parser: MarkdownParser) -> None:
    blocks = parser.parse("<div>\n<p>inside</p>\n</div>\n\nafter")
    assert blocks == [para(Text("<div> <p>inside</p> </div>")), para(Text("after"))]


def test_markdown_between_html_tags_still_applies(parser: MarkdownParser) -> None:
    assert parser.parse("<div>\n*em*\n</div>") == [
        para(Text("<div> "), Emphasis((Text("em"),)), Text(" </div>"))
    ]


def test_html_inside_a_sentence_is_literal(parser: MarkdownParser) -> None:
    assert parser.parse("Use <b>bold</b> & <i>it</i> &amp; more") == [
        para(Text("Use <b>bold</b> & <i>it</i> &amp; more"))
    ]


@pytest.mark.parametrize(
    "text",
    [
        "<div>\n\n<span>x</span>\n\n</div>",
        "```\n<b>code</b>\n```\n\n<b>text</b>",
        r"\<b\> \* \_ \` \[@k\] \\",
        "- <li>\n- ```\n  <x>\n  ```",
        "> <blockquote>\n>\n> ```\n> <y>\n> ```",
        "| <td> | `<b>` |\n|---|---|\n| &amp; | <br> |",
        "a  \nb\\\nc <br> d",
        "<https://example.com/<x>> <a@b.c>",
    ],
)
def test_no_placeholder_leaks_and_nothing_stashed_is_lost(
    parser: MarkdownParser, text: str
) -> None:
    blocks = parser.parse(text)
    assert_well_formed(blocks)
    joined = " ".join(all_strings(blocks))
    for word in re.findall(r"[A-Za-z]+", text):
        assert word in joined, (word, blocks)


def test_escaped_characters_are_restored(parser: MarkdownParser) -> None:
    assert parser.parse(r"\*not em\* \<b\> a\\b \[@key\] \&amp; \~ \@") == [
        para(Text(r"*not em* <b> a\b [@key] &amp; ~ @"))
    ]


# --------------------------------------------------------------------------
# Links and images
# --------------------------------------------------------------------------


def test_autolinks_still_become_links(parser: MarkdownParser) -> None:
    assert parser.parse("See <https://example.com/a?b=1&c=2>.") == [
        para(
            Text("See "),
            Link("https://example.com/a?b=1&c=2", (Text("https://example.com/a?b=1&c=2"),)),
            Text("."),
        )
    ]


def test_automail_becomes_a_plain_mailto_link(parser: MarkdownParser) -> None:
    assert parser.parse("<desk@example.org>") == [
        para(Link("mailto:desk@example.org", (Text("desk@example.org"),)))
    ]


def test_link_href_is_kept_as_written(parser: MarkdownParser) -> None:
    blocks = parser.parse("[a](https://x.org/p_q) [b](javascript:alert(1)) [c](<rel path>)")
    links = [span for span in all_spans(blocks) if isinstance(span, Link)]
    assert [link.href for link in links] == [
        "https://x.org/p_q",
        "javascript:alert(1)",
        "rel path",
    ]
    assert [link.children for link in links] == [(Text("a"),), (Text("b"),), (Text("c"),)]


# CommonMark 0.31.2 examples 488, 490, 494, 508, 568, 201 and 213 (issue 9,
# item 17): what is not a link shows as typed, never as a link whose target
# has disappeared.
@pytest.mark.parametrize(
    ("text", "seen"),
    [
        ("[link](/my uri)", ["[link](/my uri)"]),
        ("[link](foo\nbar)", ["[link](foo bar)"]),
        ("[a](<b)c\n[a](<b)c>\n[a](<b>c)", ["[a](<b)c [a](<b)c> [a](<b>c)"]),
        ('[link](/url "title "and" title")', ['[link](/url "title "and" title")']),
        ("[foo](not a link)", ["[foo](not a link)"]),
        ("[foo]: <bar>(baz)\n\n[foo]", ["[foo]: <bar>(baz)", "[foo]"]),
        ("Foo\n[bar]: /baz\n\n[bar]", ["Foo [bar]: /baz", "[bar]"]),
        ("![c](a b.png) or [x](https://ex.org/a b)", ["![c](a b.png) or [x](https://ex.org/a b)"]),
    ],
)  # fmt: skip
def test_a_link_with_an_invalid_target_keeps_its_whole_text(
    parser: MarkdownParser, text: str, seen: list[str]
) -> None:
    blocks = parser.parse(text)
    assert [block_text(b) for b in blocks] == seen
    assert not [s for s in all_spans(blocks) if isinstance(s, Link)]


def test_a_defined_reference_still_links_before_an_invalid_target(
    parser: MarkdownParser,
) -> None:
    # CommonMark example 568: `[foo]` is the reference, the rest is text.
    assert parser.parse("[foo](not a link)\n\n[foo]: /url1") == [
        para(Link("/url1", (Text("foo"),)), Text("(not a link)"))
    ]


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ('[link](/uri "title")', "/uri"),
        ("[link](</my uri>)", "/my uri"),
        ("[a](<b)c>)", "b)c"),
        ("[link](foo(and(bar)))", "foo(and(bar))"),
        (r"[link](foo\(and\(bar\))", "foo(and(bar)"),
        ("[link](/url 'title')", "/url"),
        ("[link](/url (title))", "/url"),
        ('[link](   /uri\n  "title"  )', "/uri"),
        ("[link]()", ""),
        ("[foo]\n\n[foo]: /url 'title'", "/url"),
    ],
)
def test_valid_link_targets_still_link(parser: MarkdownParser, text: str, href: str) -> None:
    (paragraph,) = parser.parse(text)
    assert isinstance(paragraph, Paragraph)
    (link,) = [s for s in paragraph.spans if isinstance(s, Link)]
    assert link.href == href and block_text(paragraph) in ("link", "a", "foo")


def test_reference_links(parser: MarkdownParser) -> None:
    assert parser.parse("[Reuters][r]\n\n[r]: https://reuters.com") == [
        para(Link("https://reuters.com", (Text("Reuters"),)))
    ]


def test_image_alone_in_a_paragraph_is_an_image_block(parser: MarkdownParser) -> None:
    assert parser.parse("![A chart](chart.png)") == [Image("chart.png", "A chart")]


def test_escapes_in_image_and_link_attributes_are_restored(parser: MarkdownParser) -> None:
    assert parser.parse(r"![a\_b](x\_y.png)") == [Image("x_y.png", "a_b")]
    assert parser.parse(r"[a\_b](http://x/\_y) ![c\*](d\*)") == [
        para(Link("http://x/_y", (Text("a_b"),)), Text(" [c*]"))
    ]


def test_link_with_blank_text_is_kept(parser: MarkdownParser) -> None:
    assert parser.parse("[ ](http://x) [](http://y)") == [
        para(Link("http://x", (Text(" "),)), Text(" "), Link("http://y", (Text("http://y"),)))
    ]


def test_image_inside_a_sentence_becomes_its_alt_in_brackets(parser: MarkdownParser) -> None:
    assert parser.parse("See ![the chart](c.png) here, ![](d.png)") == [
        para(Text("See [the chart] here, [image]"))
    ]


# --------------------------------------------------------------------------
# Citations
# --------------------------------------------------------------------------


def test_single_citation(parser: MarkdownParser) -> None:
    assert parser.parse("Prices rose [@reuters-1].") == [
        para(Text("Prices rose "), Citation("reuters-1"), Text("."))
    ]


@pytest.mark.parametrize("text", ["[@a; @b]", "[@a;@b]", "[@a ;  @b]", "[ @a; @b ]"])
def test_several_citations_in_one_bracket(parser: MarkdownParser, text: str) -> None:
    assert parser.parse(text) == [para(Citation("a"), Citation("b"))]


@pytest.mark.parametrize(
    "key",
    ["abc", "A1", "reuters-2026-11-20", "snake_case", "doi:10.1000/xyz.2", "a.b", "x/y:z_1-2"],
)
def test_citation_key_characters(parser: MarkdownParser, key: str) -> None:
    assert parser.parse(f"[@{key}]") == [para(Citation(key))]


@pytest.mark.parametrize(
    "text",
    [
        "[@key.]",  # may not end in a dot
        "[not @cite]",
        "mail a@b.com today",
        "[@]",
        "[@ key]",
        "@key",
        "[@a b]",
    ],
)
def test_things_that_are_not_citations(parser: MarkdownParser, text: str) -> None:
    blocks = parser.parse(text)
    assert blocks == [para(Text(text))]


def test_citation_in_inline_code_stays_literal(parser: MarkdownParser) -> None:
    assert parser.parse("Type `[@key]` to cite.") == [
        para(Text("Type "), Code("[@key]"), Text(" to cite."))
    ]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("```\n[@key]\n```", "[@key]"),
        ("    [@key] indented", "[@key] indented"),
        ("~~~md\n[@a; @b]\n~~~", "[@a; @b]"),
    ],
)
def test_citation_in_code_blocks_stays_literal(
    parser: MarkdownParser, text: str, code: str
) -> None:
    blocks = parser.parse(text)
    assert len(blocks) == 1 and isinstance(blocks[0], CodeBlock)
    assert blocks[0].text == code


def test_citations_inside_formatting_links_lists_and_tables(parser: MarkdownParser) -> None:
    blocks = parser.parse("- **fact [@a]**\n\n| x |\n|---|\n| [@b] |\n\n[see [@c]](http://x)")
    keys = [span.key for span in all_spans(blocks) if isinstance(span, Citation)]
    assert keys == ["a", "b", "c"]


def test_citation_numbers_are_left_to_the_caller(parser: MarkdownParser) -> None:
    blocks = parser.parse("[@a] [@b] [@a]")
    assert {span.n for span in all_spans(blocks) if isinstance(span, Citation)} == {0}


# --------------------------------------------------------------------------
# Lists and quotes
# --------------------------------------------------------------------------


def test_bullet_list(parser: MarkdownParser) -> None:
    assert parser.parse("- one\n- two [@k]") == [
        bullets(item(para(Text("one"))), item(para(Text("two "), Citation("k"))))
    ]


def test_ordered_list_keeps_its_start(parser: MarkdownParser) -> None:
    assert parser.parse("3. x\n4. y") == [
        OrderedList((item(para(Text("x"))), item(para(Text("y")))), start=3)
    ]


def test_ordered_list_default_start(parser: MarkdownParser) -> None:
    blocks = parser.parse("1. x\n1. y")
    assert isinstance(blocks[0], OrderedList) and blocks[0].start == 1


def test_bullet_and_ordered_lists_do_not_merge(parser: MarkdownParser) -> None:
    blocks = parser.parse("1. x\n\n- y")
    assert [type(b) for b in blocks] == [OrderedList, BulletList]


NESTED = [
    bullets(
        item(
            para(Text("a")),
            bullets(item(para(Text("b")), bullets(item(para(Text("c")))))),
        ),
        item(para(Text("d"))),
    )
]


@pytest.mark.parametrize(
    "text",
    [
        "- a\n  - b\n    - c\n- d",  # two spaces
        "- a\n    - b\n        - c\n- d",  # four spaces
        "* a\n   + b\n      - c\n* d",  # three spaces
        "- a\n\t- b\n\t\t- c\n- d",  # tabs
    ],
)
def test_nested_lists_with_two_or_four_spaces(parser: MarkdownParser, text: str) -> None:
    assert parser.parse(text) == NESTED


def test_nested_ordered_list_under_two_spaces(parser: MarkdownParser) -> None:
    assert parser.parse("1. a\n  1. b\n  2. c\n2. d") == [
        OrderedList(
            (
                item(
                    para(Text("a")),
                    OrderedList((item(para(Text("b"))), item(para(Text("c"))))),
                ),
                item(para(Text("d"))),
            )
        )
    ]


def test_continuation_paragraph_in_a_two_space_list(parser: MarkdownParser) -> None:
    assert parser.parse("- a\n\n  more of a\n- b") == [
        bullets(item(para(Text("a")), para(Text("more of a"))), item(para(Text("b"))))
    ]


def test_list_may_start_right_under_a_paragraph(parser: MarkdownParser) -> None:
    assert parser.parse("Key points:\n- one\n- two") == [
        para(Text("Key points:")),
        bullets(item(para(Text("one"))), item(para(Text("two")))),
    ]


def test_block_quote_with_paragraphs_and_lists(parser: MarkdownParser) -> None:
    text = "> First *quoted*.\n>\n> - a\n>   - b\n>\n> Last [@k]."
    assert parser.parse(text) == [
        Quote(
            (
                para(Text("First "), Emphasis((Text("quoted"),)), Text(".")),
                bullets(item(para(Text("a")), bullets(item(para(Text("b")))))),
                para(Text("Last "), Citation("k"), Text(".")),
            )
        )
    ]


def test_quote_inside_a_list_item(parser: MarkdownParser) -> None:
    assert parser.parse("- item\n\n  > quoted\n- b") == [
        bullets(item(para(Text("item")), Quote((para(Text("quoted")),))), item(para(Text("b"))))
    ]


def test_nested_quotes(parser: MarkdownParser) -> None:
    assert parser.parse("> a\n>\n> > b") == [Quote((para(Text("a")), Quote((para(Text("b")),))))]


# --------------------------------------------------------------------------
# Code
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fence", ["```", "~~~", "````"])
def test_fenced_code_with_language(parser: MarkdownParser, fence: str) -> None:
    text = f"{fence}python\nif a < b and c & d:\n\n    print('<b>')\n{fence}"
    assert parser.parse(text) == [CodeBlock("if a < b and c & d:\n\n    print('<b>')", "python")]


def test_fenced_code_language_forms(parser: MarkdownParser) -> None:
    blocks = parser.parse("``` js\nx\n```\n\n~~~ {.sh}\ny\n~~~\n\n```\nz\n```")
    assert [(b.language, b.text) for b in blocks if isinstance(b, CodeBlock)] == [
        ("js", "x"),
        ("sh", "y"),
        ("", "z"),
    ]


def test_fence_content_is_never_reindented(parser: MarkdownParser) -> None:
    code = "- a\n  - b\n    - c\n\n\tx = 1\n> not a quote\n  ~~~\n    ```not a close"
    blocks = parser.parse(f"- item\n\n```\n{code}\n```\n\nafter")
    assert blocks[1] == CodeBlock(code.replace("\t", "    "))
    assert blocks[2] == para(Text("after"))


def test_fenced_code_inside_a_list_item(parser: MarkdownParser) -> None:
    text = "- step\n  ```sh\n  make\n    indented\n  ```\n- next"
    assert parser.parse(text) == [
        bullets(
            item(para(Text("step")), CodeBlock("make\n  indented", "sh")),
            item(para(Text("next"))),
        )
    ]


def test_fenced_code_inside_a_quote(parser: MarkdownParser) -> None:
    assert parser.parse("> ```\n> a [@k]\n>\n> b\n> ```\n> after") == [
        Quote((CodeBlock("a [@k]\n\nb"), para(Text("after"))))
    ]


def test_fence_in_a_quote_ends_with_the_quote(parser: MarkdownParser) -> None:
    blocks = parser.parse("> ```\n> code\n\nafter")
    assert blocks == [Quote((CodeBlock("code"),)), para(Text("after"))]


def test_unclosed_fence_runs_to_the_end(parser: MarkdownParser) -> None:
    assert parser.parse("x\n\n```\ncode\n\nmore") == [para(Text("x")), CodeBlock("code\n\nmore")]


def test_indented_code_keeps_html_and_entities(parser: MarkdownParser) -> None:
    assert parser.parse("text\n\n    <b> &amp; &lt;\n    next") == [
        para(Text("text")),
        CodeBlock("<b> &amp; &lt;\nnext"),
    ]


def test_fenced_code_numbering_restarts_each_parse(parser: MarkdownParser) -> None:
    first = parser.parse("```\none\n```")
    second = parser.parse("```\ntwo\n```\n\n```\nthree\n```")
    assert first == [CodeBlock("one")]
    assert second == [CodeBlock("two"), CodeBlock("three")]


# --------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------


def test_table_with_alignment(parser: MarkdownParser) -> None:
    text = (
        "| Name | Count | Share | Note |\n|:-----|:-----:|------:|------|\n| *a* | 1 | 2% | [@k] |"
    )
    assert parser.parse(text) == [
        Table(
            header=((Text("Name"),), (Text("Count"),), (Text("Share"),), (Text("Note"),)),
            rows=(((Emphasis((Text("a"),)),), (Text("1"),), (Text("2%"),), (Citation("k"),)),),
            align=(Align.LEFT, Align.CENTER, Align.RIGHT, Align.DEFAULT),
        )
    ]


def test_table_cells_keep_escaped_pipes_and_extra_cells(parser: MarkdownParser) -> None:
    blocks = parser.parse("a | b\n--|--\n1 \\| 2 | `x|y` | 3\n4")
    assert blocks == [
        Table(
            header=((Text("a"),), (Text("b"),)),
            rows=(
                ((Text("1 | 2"),), (Code("x|y"), Text(" | 3"))),
                ((Text("4"),), ()),
            ),
            align=(Align.DEFAULT, Align.DEFAULT),
        )
    ]


# --------------------------------------------------------------------------
# Line breaks, whitespace, odd characters
# --------------------------------------------------------------------------


def test_hard_line_breaks(parser: MarkdownParser) -> None:
    assert parser.parse("one  \ntwo\\\nthree") == [
        para(Text("one"), LineBreak(), Text("two"), LineBreak(), Text("three"))
    ]


def test_escaped_backslash_at_line_end_is_not_a_break(parser: MarkdownParser) -> None:
    assert parser.parse("a\\\\\nb") == [para(Text("a\\ b"))]


def test_consecutive_line_breaks_are_kept(parser: MarkdownParser) -> None:
    assert parser.parse("a\\\n \\\nb") == [para(Text("a"), LineBreak(), LineBreak(), Text("b"))]


def test_no_line_break_at_paragraph_ends(parser: MarkdownParser) -> None:
    assert parser.parse("end  \n\nlast\\") == [para(Text("end")), para(Text("last\\"))]
    assert parser.parse("\\\nfirst") == [para(Text("first"))]


def test_whitespace_is_trimmed_at_paragraph_ends(parser: MarkdownParser) -> None:
    assert parser.parse("  *lead* x  \n\n**bold**   ") == [
        para(Emphasis((Text("lead"),)), Text(" x")),
        para(Strong((Text("bold"),))),
    ]


def test_whitespace_is_trimmed_inside_links_at_the_ends(parser: MarkdownParser) -> None:
    assert parser.parse("**[ a ](u)** and [ b ](v)") == [
        para(Strong((Link("u", (Text("a "),)),)), Text(" and "), Link("v", (Text(" b"),)))
    ]


def test_adjacent_text_is_merged(parser: MarkdownParser) -> None:
    blocks = parser.parse(r"a \* b \_ c <x> & [d] e")
    assert blocks == [para(Text("a * b _ c <x> & [d] e"))]


def test_control_characters_and_surrogates_do_not_crash(parser: MarkdownParser) -> None:
    blocks = parser.parse("a\x00b\x1b c\ud800d \x7f\x85e\u2028f\tg\fh [@k\x00ey]")
    assert_well_formed(blocks)
    text = visible_text(blocks)
    assert "ab" in text and "cd" in text and "g" in text and "h" in text


def test_unicode_text(parser: MarkdownParser) -> None:
    text = "# 标题\n\n- مرحبا **بالعالم** [@src-1]\n- 😀 👩‍💻 *emoji*"
    blocks = parser.parse(text)
    assert blocks[0] == Heading(1, (Text("标题"),))
    assert "مرحبا" in visible_text(blocks) and "👩‍💻" in visible_text(blocks)


# --------------------------------------------------------------------------
# The parser object
# --------------------------------------------------------------------------


def test_parser_is_reusable_and_forgets_between_calls(parser: MarkdownParser) -> None:
    first = parser.parse("[r]\n\n[r]: https://example.com")
    assert first == [para(Link("https://example.com", (Text("r"),)))]
    assert parser.parse("[r]") == [para(Text("[r]"))]


def test_parse_markdown_matches_the_parser(parser: MarkdownParser) -> None:
    text = "# H\n\n- a [@k]\n\n| x |\n|---|\n| y |"
    assert parse_markdown(text) == parser.parse(text)


def test_results_are_plain_document_blocks(parser: MarkdownParser) -> None:
    blocks = parser.parse("# t\n\n> q\n\n1. a\n\n```\nc\n```\n\n---\n\n![i](p.png)")
    assert [type(b) for b in blocks] == [
        Heading,
        Quote,
        OrderedList,
        CodeBlock,
        HorizontalRule,
        Image,
    ]
    hash(tuple(blocks))  # frozen all the way down


# --------------------------------------------------------------------------
# Robustness
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "\n".join("  " * i + "- x" for i in range(300)),
        "\n".join("    " * i + "1. x" for i in range(300)),
        "*a " * 500 + "b" + "*" * 500,
        "> " * 2000 + "deep",
        "[" * 3000 + "x" + "]" * 3000,
        "<" * 3000,
        "`" * 3000,
    ],
)
def test_pathological_nesting_does_not_raise(parser: MarkdownParser, text: str) -> None:
    blocks = parser.parse(text)
    assert_well_formed(blocks)
    assert "x" in visible_text(blocks) or "deep" in visible_text(blocks) or blocks


def _depth(blocks: tuple[Block, ...] | list[Block]) -> int:
    deepest = 0
    for block in blocks:
        if isinstance(block, (BulletList, OrderedList)):
            deepest = max(deepest, 1 + max(_depth(i.blocks) for i in block.items))
        elif isinstance(block, Quote):
            deepest = max(deepest, 1 + _depth(block.blocks))
    return deepest


@pytest.mark.parametrize("quotes", [0, 10, 300])
def test_nesting_depth_is_bounded_and_text_kept(parser: MarkdownParser, quotes: int) -> None:
    lists = "\n".join("  " * i + f"- w{i}" for i in range(40))
    text = "> " * quotes + lists.replace("\n", "\n" + "> " * quotes)
    blocks = parser.parse(text)
    assert _depth(blocks) <= 32
    assert all(f"w{i}" in visible_text(blocks) for i in range(40))


@pytest.mark.parametrize("text", ["[@a;" * 4000, "![" * 4000, "[a](" * 4000])
def test_stray_brackets_are_not_quadratic(parser: MarkdownParser, text: str) -> None:
    # Python-Markdown alone takes several seconds on each of these.
    start = time.perf_counter()
    blocks = parser.parse(text)
    assert time.perf_counter() - start < 2.0
    assert len(visible_text(blocks)) == len(text)


WORDS = st.from_regex(r"[A-Za-z0-9]{1,8}", fullmatch=True)
_MARKUP = [
    " ", " ", "  ", "\n", "\n", "\n\n", "    ", "\t", "\r\n",
    "*", "**", "_", "__", "`", "``", "```", "~~~", "#", "## ", ">", "> ",
    "- ", "* ", "+ ", "1. ", "3. ", "---", "===", "|", "|---|", ":--", "--:",
    "[", "]", "(", ")", "![", "](", "]:", "[@", "@", ";", "; @", ".", ",", ":", "/",
    "<", ">", "&", "&amp;", "&#65;", "\\", "<b>", "</b>", "<!--", "-->", "<div>",
    "http://", "<http://", "\"", "'", "{", "}", "=",
    "\x00", "\x02", "\x03", "\ud800", "\u2028", "\x1b", "\f",
]  # fmt: skip
PUNCTUATION = st.sampled_from(_MARKUP)
UNICODE = st.sampled_from(["中文", "日本語", "العربية", "עברית", "😀", "👩‍💻", "é", "\u200d", "ß"])
PIECES = st.lists(st.one_of(WORDS, PUNCTUATION, UNICODE), max_size=60)

# Words in a link destination, a reference definition or a fence's info
# string may legitimately vanish from the visible text, and so may the
# number of an ordered list item.
_EXEMPT_LINE = re.compile(r"\]\(|\]:|```|~~~")
_LIST_NUMBER_BEFORE = re.compile(r"(?:[ >]|[-*+] |\d+\. )*\d*")
_LIST_NUMBER_AFTER = re.compile(r"\d*\.")


def _exempt(pieces: list[str], word_index: int) -> bool:
    before = "".join(pieces[:word_index])
    line = before.rsplit("\n", 1)[-1]
    after = "".join(pieces[word_index + 1 :]).split("\n", 1)[0]
    if _EXEMPT_LINE.search(line) or _EXEMPT_LINE.search(after):
        return True
    return (
        pieces[word_index].isdigit()
        and _LIST_NUMBER_BEFORE.fullmatch(line) is not None
        and _LIST_NUMBER_AFTER.match(after) is not None
    )


@settings(max_examples=200, deadline=None)
@given(PIECES)
def test_any_text_parses_and_keeps_every_word(pieces: list[str]) -> None:
    text = "".join(pieces)
    blocks = MarkdownParser().parse(text)
    assert_well_formed(blocks)
    seen = visible_text(blocks) + "\n" + "\n".join(all_strings(blocks))
    for index, piece in enumerate(pieces):
        if piece.isascii() and piece.isalnum() and not _exempt(pieces, index):
            assert piece in seen, (piece, text, blocks)


ListTree = tuple[tuple[str, "ListTree"], ...]
LIST_TREES = st.recursive(
    st.just(()),
    lambda kids: st.lists(st.tuples(WORDS, kids), min_size=1, max_size=3).map(tuple),
    max_leaves=10,
).filter(bool)


def _render_list(tree: ListTree, marker: str, width: int, level: int = 0) -> list[str]:
    lines: list[str] = []
    for word, kids in tree:
        lines.append(" " * (width * level) + f"{marker} {word}")
        lines += _render_list(kids, marker, width, level + 1)
    return lines


def _expected_list(tree: ListTree, ordered: bool) -> Block:
    items = tuple(
        ListItem((para(Text(word)),) + ((_expected_list(kids, ordered),) if kids else ()))
        for word, kids in tree
    )
    return OrderedList(items) if ordered else BulletList(items)


@settings(max_examples=100, deadline=None)
@given(LIST_TREES, st.sampled_from(["-", "*", "1."]), st.sampled_from([2, 3, 4]))
def test_nested_lists_nest_whatever_the_indent(tree: ListTree, marker: str, width: int) -> None:
    text = "\n".join(_render_list(tree, marker, width))
    assert MarkdownParser().parse(text) == [_expected_list(tree, ordered=marker == "1.")]


def test_a_blank_line_ends_a_block_quote() -> None:
    # As in CommonMark and pandoc: two quotes stay two, each with its citation.
    blocks = MarkdownParser().parse("> First [@a].\n\n> Second [@b].")
    assert [type(b).__name__ for b in blocks] == ["Quote", "Quote"]
    joined = MarkdownParser().parse("> First.\n>\n> Second.")
    assert len(joined) == 1 and len(joined[0].blocks) == 2
