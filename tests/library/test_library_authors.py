"""Imported sources as a reader of the brief sees them: authors in one order
("Given Family") whatever the file wrote, and a web page's byline kept out
of its snippets, with the day it was read."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import docx
import pytest

from briefer.library import Library
from briefer.library.importers import is_byline
from briefer.library.normalize import person_names


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("Doe, Jane", "Jane Doe"),
        ("Doe, Jane; Roe, Richard", "Jane Doe; Richard Roe"),
        ("Doe, Jane and Roe, Richard", "Jane Doe; Richard Roe"),
        ("Doe, J. R.", "J. R. Doe"),
        ("van der Berg, Jan", "Jan van der Berg"),
        ("Beethoven, Ludwig van", "Ludwig van Beethoven"),
        ("King, Martin Luther, Jr.", "Martin Luther King Jr."),
        ("O'Brien, Conan", "Conan O'Brien"),
        ("Müller, Jürgen", "Jürgen Müller"),
        # Already in order, single names, companies, and what is not clearly
        # "Family, Given" are left as they are.
        ("Jane Doe", "Jane Doe"),
        ("Jane Doe; John Roe", "Jane Doe; John Roe"),
        ("Madonna", "Madonna"),
        ("World Health Organization", "World Health Organization"),
        ("Apple, Inc.", "Apple, Inc."),
        ("Reuters, Staff", "Reuters, Staff"),
        ("Jane Doe, Reuters", "Jane Doe, Reuters"),
        ("Jane Doe, John Roe", "Jane Doe, John Roe"),
        ("García Márquez, Gabriel", "García Márquez, Gabriel"),
        ("王, 小明", "王, 小明"),
    ],
)
def test_person_names_are_written_given_name_first(written: str, stored: str) -> None:
    assert person_names(written) == stored
    assert person_names(stored) == stored  # once in order, always in order


@pytest.mark.parametrize(
    "paragraph",
    [
        "By Jane Doe",
        "By Jane Doe and John Roe",
        "By Jane Doe, Reuters",
        "BY JANE DOE",
        "By the Associated Press",
        "By J. R. Smith and Ludwig van Beethoven",
        "By Jane Doe | 21 November 2026",
        "Reporting by Jane Doe; Editing by John Roe",
        "Maria Rossi",  # the author the page's metadata names, alone
    ],
)
def test_bylines_are_recognised(paragraph: str) -> None:
    assert is_byline(paragraph, author="Rossi, Maria")


@pytest.mark.parametrize(
    "paragraph",
    [
        "Jane Doe, Reuters",  # no "By": could be anything
        "By Tuesday, officials had agreed.",
        "By the end of the year, prices rose.",
        "By Monday",
        "By 2027 the rules apply.",
        "By comparison, Germany spends less.",
        "By U.S. officials' count, ten ships were seized.",
        "By Jane Doe and others",
    ],
)
def test_text_that_starts_like_a_byline_stays(paragraph: str) -> None:
    assert not is_byline(paragraph, author="Maria Rossi")


PAGE = """<!DOCTYPE html>
<html><head>
<title>Ports open their data</title>
<meta property="article:author" content="https://news.example/staff/jane-doe">
<meta name="author" content="Doe, Jane">
<script type="application/ld+json">
{"@type": "NewsArticle", "author": [{"name": "Jane Doe"}, {"name": "John Roe"}]}
</script>
</head><body><article>
<p>By Jane Doe and John Roe</p>
<p>By Tuesday, officials had agreed to publish berth schedules.</p>
<p>Halden opened its cargo data to rival ports.</p>
<p>Reporting by Jane Doe; Editing by Ann Poe</p>
</article></body></html>
"""


def test_html_import_drops_bylines_and_records_the_day_it_was_read(
    lib: Library, tmp_path: Path
) -> None:
    page = tmp_path / "ports.html"
    page.write_text(PAGE, encoding="utf-8")
    before = dt.date.today().isoformat()
    report = lib.import_file(page)
    after = dt.date.today().isoformat()
    assert report.added == 2
    snippets = list(reversed(lib.list()))
    assert [s.text for s in snippets] == [
        "By Tuesday, officials had agreed to publish berth schedules.",
        "Halden opened its cargo data to rival ports.",
    ]
    source = snippets[0].source
    assert source.author == "Jane Doe"  # the profile address is no name
    assert source.accessed in {before, after}
    # With no author meta, JSON-LD names every author.
    page.write_text(PAGE.replace('<meta name="author" content="Doe, Jane">', ""), "utf-8")
    lib.import_file(page, whole=True)
    whole = lib.list()[0]
    assert whole.source.author == "Jane Doe; John Roe"
    assert "By Jane Doe" not in whole.text and "Reporting by" not in whole.text


def test_authors_in_one_order_whatever_the_import_format(lib: Library, tmp_path: Path) -> None:
    files = {
        "a.ris": "TY  - JOUR\nTI  - Cables\nAU  - Doe, Jane\nAB  - Cables matter.\nER  - \n",
        "b.json": json.dumps(
            [
                {
                    "title": "Symphonies",
                    "abstract": "Nine of them.",
                    "author": [
                        {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"},
                        {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
                        {"literal": "World Health Organization"},
                    ],
                }
            ]
        ),
        "c.csv": 'text,title,author\n"Rates rose.",Rates,"Doe, Jane"\n'
        '"Rates fell.",Rates 2,"Apple, Inc."\n',
        "d.jsonl": json.dumps({"text": "Ships left.", "title": "Ships", "author": "Roe, Richard"})
        + "\n",
        "e.md": "---\ntitle: Notes\nauthor: Doe, Jane\n---\n\nA note.\n",
        "f.html": '<html><head><meta name="author" content="By Jane Doe"></head>'
        "<body><p>Berths are public.</p></body></html>",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    memo = docx.Document()
    memo.core_properties.author = "Doe, Jane"
    memo.add_paragraph("A memo paragraph.")
    memo.save(str(tmp_path / "g.docx"))
    for name in [*files, "g.docx"]:
        report = lib.import_file(tmp_path / name)
        assert report.added >= 1, report.summary()
    authors = {s.text: s.source.author for s in lib.list(limit=None)}
    assert authors == {
        "Cables matter.": "Jane Doe",
        "Nine of them.": "Ludwig van Beethoven; Martin Luther King Jr.; World Health Organization",
        "Rates rose.": "Jane Doe",
        "Rates fell.": "Apple, Inc.",
        "Ships left.": "Richard Roe",
        "A note.": "Jane Doe",
        "Berths are public.": "Jane Doe",
        "A memo paragraph.": "Jane Doe",
    }
