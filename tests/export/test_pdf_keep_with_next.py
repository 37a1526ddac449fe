"""A heading stays with the start of a long table instead of leaving half a
page blank, and never stands alone at the foot of a page."""

from __future__ import annotations

from collections.abc import Callable

from briefer.document import Block, Heading, Paragraph, Table, Text


def filler_heading_table(filler_sentences: int, heading: str, rows: int) -> list[Block]:
    filler = " ".join(["Filler words to take up the first page."] * filler_sentences)
    body = tuple(((Text(f"row {i}"),), (Text(str(i * 3)),)) for i in range(rows))
    return [
        Paragraph((Text(filler),)),
        Heading(1, (Text(heading),), "h-test"),
        Table(header=((Text("Name"),), (Text("Number"),)), rows=body),
    ]


def test_a_long_table_starts_under_its_heading(pdf_text: Callable[..., str]) -> None:
    pages = pdf_text(filler_heading_table(60, "The long table", 150), "-layout").split("\f")
    first = next(i for i, page in enumerate(pages) if "The long table" in page)
    assert first == 0, "the heading stays below the text it follows, no blank half page"
    assert "row 0" in pages[first], "the table starts on the heading's page"
    assert "row 149" not in pages[first]
    assert "Name" in pages[first + 1], "the header row repeats overleaf"


def test_a_heading_with_no_room_for_what_follows_moves_with_it(
    pdf_text: Callable[..., str],
) -> None:
    # Filler that ends near the foot of page 1, leaving room for the heading
    # but not for the table's header and first row.
    pages = pdf_text(filler_heading_table(124, "Moved heading", 10), "-layout").split("\f")
    page = next(i for i, p in enumerate(pages) if "Moved heading" in p)
    assert "Filler" in pages[0] and "Filler" not in pages[1], "the case is exercised"
    assert page == 1 and "row 0" in pages[page], "never a heading alone at the foot of a page"
