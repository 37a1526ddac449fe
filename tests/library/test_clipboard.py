"""Pasted and dropped data to a draft snippet (`briefer.library.clipboard`).

What a browser, a file manager or a text editor puts on the clipboard,
format by format, and the draft the "New snippet" dialog opens with: the
text where there is text, the address where the data carries one, and
validation messages a person can act on.
"""

from __future__ import annotations

import datetime as dt

import pytest

from briefer.library import Library
from briefer.library.clipboard import (
    ClipContent,
    Draft,
    Field,
    clean_url,
    decode_moz_url,
    draft_from_clip,
    html_to_text,
    is_bare_url,
    source_url_from_html,
    validate,
)

TODAY = dt.date(2026, 11, 23)
QUOTE = "The regulator fined the port operator €2m for late berth data."


# -- telling an address from text -----------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "https://www.reuters.com/world/europe/halden-2026-11-20/",
        "  http://example.org/a?b=c#d\n",
        "www.ledger.example/news/halden",
        "mailto:press@port.example",
        "https://例え.テスト/記事",
    ],
)
def test_a_lone_address_is_a_url(text: str) -> None:
    assert is_bare_url(text)


@pytest.mark.parametrize(
    "text",
    [
        QUOTE,
        "See https://example.org/a for details",
        "https://example.org/a\nhttps://example.org/b",
        "/etc/passwd",
        "file:///etc/passwd",
        "C:\\Users\\mira\\report.docx",
        "javascript:alert(1)",
        "https://",
        "example.org",
        "",
    ],
)
def test_anything_else_is_text(text: str) -> None:
    assert not is_bare_url(text)


# -- the page's address in copied HTML -------------------------------------


def test_chromium_source_url_comment() -> None:
    html = (
        "<html><body><!--StartFragment--><!--SourceURL:https://news.example.org/halden?x=1&amp;y=2-->"
        "<p>Halden opens its berth data.</p><!--EndFragment--></body></html>"
    )
    assert source_url_from_html(html) == "https://news.example.org/halden?x=1&y=2"


def test_cf_html_header_line() -> None:
    html = (
        "Version:0.9\r\nStartHTML:0000000105\r\nEndHTML:0000000199\r\n"
        "SourceURL:https://www.ft.example/content/abc\r\n<html><body>x</body></html>"
    )
    assert source_url_from_html(html) == "https://www.ft.example/content/abc"


def test_canonical_link_wins_over_base_href() -> None:
    html = (
        '<html><head><base href="https://cdn.example.org/"><meta property="og:url" '
        'content="https://og.example.org/a"><link rel="canonical" '
        "href='https://news.example.org/a'></head><body>x</body></html>"
    )
    assert source_url_from_html(html) == "https://news.example.org/a"
    assert source_url_from_html(html.replace("canonical", "stylesheet")) == (
        "https://og.example.org/a"
    )
    assert source_url_from_html('<base href="https://cdn.example.org/">x') == (
        "https://cdn.example.org/"
    )


@pytest.mark.parametrize(
    "html",
    [
        "<p>Just some text</p>",
        "<!--SourceURL:javascript:alert(1)--><p>x</p>",
        '<link rel="canonical" href="file:///etc/passwd"><p>x</p>',
        '<base href="/relative/">x',
    ],
)
def test_no_web_address_in_html_gives_none(html: str) -> None:
    assert source_url_from_html(html) == ""


def test_only_the_start_of_huge_html_is_searched() -> None:
    html = "<p>" + "word " * 40_000 + "</p><!--SourceURL:https://late.example.org/-->"
    assert source_url_from_html(html) == ""


def test_moz_url_in_utf16_and_utf8() -> None:
    text = "https://news.example.org/halden\nHalden opens its berth data"
    assert decode_moz_url(text.encode("utf-16-le")) == (
        "https://news.example.org/halden",
        "Halden opens its berth data",
    )
    assert decode_moz_url(text.encode("utf-16")) == decode_moz_url(text.encode("utf-16-le"))
    assert decode_moz_url(text.encode("utf-8")) == decode_moz_url(text.encode("utf-16-le"))
    assert decode_moz_url(b"") == ("", "")


def test_html_to_text_keeps_paragraphs_and_drops_scripts() -> None:
    html = (
        "<style>p{}</style><p>First  <b>para</b>graph.</p><script>alert(1)</script>"
        "<p>Second<br>line &amp; more.</p>"
    )
    assert html_to_text(html) == "First paragraph.\n\nSecond\nline & more."


# -- drafts from what was pasted or dropped --------------------------------


def test_text_with_a_browser_source_url() -> None:
    content = ClipContent(
        text=QUOTE + "\r\n",
        html=f"<!--SourceURL:https://news.example.org/halden--><p>{QUOTE}</p>",
    )
    draft = draft_from_clip(content, TODAY)
    assert (draft.text, draft.url, draft.accessed) == (
        QUOTE,
        "https://news.example.org/halden",
        "2026-11-23",
    )


def test_firefox_page_url_wins() -> None:
    content = ClipContent(
        text=QUOTE,
        html='<link rel="canonical" href="https://other.example.org/">',
        page_url="https://news.example.org/halden",
    )
    assert draft_from_clip(content, TODAY).url == "https://news.example.org/halden"


def test_a_plain_url_fills_the_address_not_the_text() -> None:
    draft = draft_from_clip(ClipContent(text=" https://news.example.org/halden \n"), TODAY)
    assert (draft.text, draft.url) == ("", "https://news.example.org/halden")


def test_a_dragged_link_gives_address_and_title() -> None:
    url = "https://news.example.org/halden"
    content = ClipContent(
        text=url,
        html=f'<a href="{url}">Halden opens its berth data</a>',
        links=(url,),
        moz_url=(url, "Halden opens its berth data"),
    )
    draft = draft_from_clip(content, TODAY)
    assert (draft.text, draft.url, draft.title) == ("", url, "Halden opens its berth data")


def test_text_that_looks_like_a_path_stays_text() -> None:
    for text in ("/etc/passwd", "file:///etc/passwd", "~/.ssh/id_rsa"):
        draft = draft_from_clip(ClipContent(text=text), TODAY)
        assert (draft.text, draft.url) == (text, "")


def test_markup_in_text_stays_text() -> None:
    text = "<b>Not bold</b> & <script>alert(1)</script> **nor this**"
    assert draft_from_clip(ClipContent(text=text), TODAY).text == text


def test_html_only_clipboard_gives_its_text() -> None:
    content = ClipContent(html="<p>One.</p><p>Two &lt;three&gt;.</p>")
    assert draft_from_clip(content, TODAY).text == "One.\n\nTwo <three>."


def test_empty_content() -> None:
    assert ClipContent().empty
    assert ClipContent(text="  \n").empty
    assert not ClipContent(links=("https://example.org/",)).empty
    assert draft_from_clip(ClipContent(), TODAY) == Draft(accessed="2026-11-23")


# -- validation ------------------------------------------------------------


def problems(**fields: str) -> dict[Field, str]:
    draft = Draft.new(TODAY, **{"text": QUOTE, **fields})
    return {p.field: p.message for p in validate(draft)}


def test_a_full_draft_is_valid() -> None:
    assert (
        problems(
            url="https://news.example.org/halden",
            published="2026-11-20",
            tags="ports, data",
        )
        == {}
    )


def test_text_is_required() -> None:
    assert problems(text="  \n ") == {
        Field.TEXT: "A snippet needs its text: paste or type the quote."
    }


@pytest.mark.parametrize("value", ["2026-02-30", "yesterday", "2026-13", "20/11/2026x"])
def test_dates_are_checked(value: str) -> None:
    found = problems(published=value, accessed=value)
    assert set(found) == {Field.PUBLISHED, Field.ACCESSED}
    assert found[Field.PUBLISHED] == f"{value!r} is not a date: write 2026, 2026-11 or 2026-11-20."


@pytest.mark.parametrize("value", ["2026", "2026-11", "2026-11-20", "20 November 2026", ""])
def test_dates_the_library_takes(value: str) -> None:
    assert problems(published=value) == {}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("javascript:alert(1)", "Only web (https://, http://) and mailto: addresses"),
        ("file:///etc/passwd", "not file:."),
        ("example.org/page", "Start the address with https://"),
        ("https://", "names no web site"),
        ("https://exa mple.org", "no spaces"),
        ("mailto:", "needs an e-mail address"),
    ],
)
def test_addresses_that_are_no_links(value: str, message: str) -> None:
    assert message in problems(url=value)[Field.URL]


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("https://news.example.org/a", "https://news.example.org/a"),
        ("www.ledger.example/a", "https://www.ledger.example/a"),
        ("doi:10.1234/abc.5", "https://doi.org/10.1234/abc.5"),
        ("10.1234/abc.5", "https://doi.org/10.1234/abc.5"),
        ("mailto:press@port.example", "mailto:press@port.example"),
        ("", ""),
    ],
)
def test_addresses_are_stored_as_links(value: str, stored: str) -> None:
    assert clean_url(value) == stored
    assert Draft(text="x", url=value).cleaned().url == stored


def test_cleaned_draft_is_what_the_library_stores(lib: Library) -> None:
    draft = Draft.new(
        TODAY,
        text="\n\n" + QUOTE + "\n",
        url="www.ledger.example/halden",
        published="20 November 2026",
        tags="ports; data, ports",
        title="Halden opens",
    ).cleaned()
    assert validate(draft) == []
    snippet = lib.add(draft.text, draft.source(), tags=draft.tag_list()).snippet
    assert snippet.text == QUOTE
    assert snippet.source.url == "https://www.ledger.example/halden"
    assert snippet.source.published == "2026-11-20"
    assert snippet.source.accessed == "2026-11-23"
    assert snippet.tags == ("data", "ports")
