"""One contract, every exporter: the same brief says the same thing in every format.

For each built-in template's sample and for a brief that uses every block
kind, each registered exporter must produce a file that (read back with
python-docx or pdftotext/pypdf) has the same headings in the same order, the
same citation markers and source entries, and every word of the document.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from briefer.briefs import load_brief
from briefer.compose import compose
from briefer.document import (
    Document,
    Heading,
    Paragraph,
    SourceLine,
    SourcesList,
    Title,
    block_text,
    iter_blocks,
    plain_text,
)
from briefer.export import available_formats, export_document
from briefer.model import Brief, CitationStyle, Meta, Section, Source
from briefer.paths import Paths
from briefer.templates import TemplateRegistry

REPO = Path(__file__).resolve().parents[2]
SAMPLES = sorted((REPO / "templates").glob("*/sample.brief"))
FORMATS = ["docx", "pdf"]
# Letters and digits apart: a footnote number is glued to its word (`patch1`).
WORD = re.compile(r"[^\W\d_]+|\d+")
CITATION_MARK = re.compile(r"\[\d+\]")

RICH_BODY = """\
Opening paragraph with **strong**, *emphasis*, `code`, a [link](https://example.org/a) and a
citation [@one]. Then a second citation [@two; @one].

### A sub-heading

1. first ordered
2. second ordered
   - nested bullet under it

> A quoted paragraph that stands apart [@two].

| Name | Value |
|:-----|------:|
| alpha | 1 |
| beta | 2 |

```
code block line one
code block line two
```

---

Closing paragraph after a rule.
"""


def rich_brief() -> Brief:
    return Brief(
        template="long-form",
        meta=Meta(
            title="Contract brief", subtitle="Every block kind", author="Tester", date="2026-11-23"
        ),
        sections=[
            Section("lede", "", "The lede paragraph [@one]."),
            Section("body", "", "## Main part\n\n" + RICH_BODY),
            Section("conclusion", "Conclusion", "Last words."),
        ],
        sources={
            "one": Source(
                title="First source", publisher="Alpha Press", url="https://alpha.example.org/1"
            ),
            "two": Source(title="Second source", publisher="Beta Wire", author="B. Writer"),
        },
    )


def documents() -> list[tuple[str, Document]]:
    registry = TemplateRegistry(Paths.from_env())
    out = []
    for path in SAMPLES:
        brief = load_brief(path)
        out.append(
            (path.parent.name, compose(brief, registry.get(brief.template), base_dir=path.parent))
        )
    rich = rich_brief()
    template = registry.get("long-form")
    for style in CitationStyle:
        styled = dataclasses.replace(
            template, style=dataclasses.replace(template.style, citations=style)
        )
        out.append((f"rich-{style.value}", compose(rich, styled)))
    return out


DOCUMENTS = documents()


def docx_text(path: Path) -> tuple[list[str], str]:
    """Heading texts in order, and all text (body, tables, footnotes)."""
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    with zipfile.ZipFile(path) as archive:
        if "word/footnotes.xml" in archive.namelist():
            xml = archive.read("word/footnotes.xml").decode()
            parts += re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml)
    return headings, "\n".join(parts)


def pdf_text(path: Path) -> tuple[list[str], str]:
    """Outline titles in order, and the extracted text."""
    reader = PdfReader(str(path))

    def walk(items) -> list[str]:
        titles: list[str] = []
        for item in items:
            if isinstance(item, list):
                titles += walk(item)
            else:
                titles.append(item.title)
        return titles

    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return walk(reader.outline), text


def expected_headings(document: Document) -> list[str]:
    return [plain_text(b.spans) for b in document.blocks if isinstance(b, Heading)]


def words(text: str) -> set[str]:
    return {w.casefold() for w in WORD.findall(text)}


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    folder = tmp_path_factory.mktemp("contract")
    files = {}
    for name, document in DOCUMENTS:
        for fmt in FORMATS:
            if fmt not in available_formats():
                continue
            target = folder / f"{name}.{fmt}"
            export_document(document, target, fmt)
            files[(name, fmt)] = target
    return files


def read(fmt: str, path: Path) -> tuple[list[str], str]:
    return docx_text(path) if fmt == "docx" else pdf_text(path)


@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs poppler-utils (make test installs it)"
)
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("name", "document"), DOCUMENTS, ids=[n for n, _ in DOCUMENTS])
class TestEveryExporter:
    def test_headings_in_order(self, exported, fmt: str, name: str, document: Document) -> None:
        headings, _ = read(fmt, exported[(name, fmt)])
        wanted = expected_headings(document)
        if fmt == "pdf":
            # The outline also lists the title and the sources list: the headings
            # must appear in it, in order.
            it = iter(headings)
            assert all(any(h == w for h in it) for w in wanted), (headings, wanted)
        else:
            assert [h for h in headings if h in wanted] == wanted

    def test_every_word_is_there(self, exported, fmt: str, name: str, document: Document) -> None:
        _, text = read(fmt, exported[(name, fmt)])
        wanted = set()
        for block in document.blocks:
            # Citation markers are checked on their own: a Word footnote's
            # number is drawn by Word, not stored as text.
            wanted |= words(CITATION_MARK.sub(" ", block_text(block)))
        if document.style.citations is not CitationStyle.SOURCE_LINE:
            # Endnotes and footnotes give the full reference; a "Source:" line
            # names only the publishers, which block_text already covers.
            for entry in document.sources:
                wanted |= words(plain_text(entry.spans))
        missing = wanted - words(text)
        assert not missing, sorted(missing)[:20]

    def test_citations_and_sources(self, exported, fmt: str, name: str, document: Document) -> None:
        _, text = read(fmt, exported[(name, fmt)])
        flat = " ".join(text.split())
        for entry in document.sources:
            if document.style.citations is CitationStyle.SOURCE_LINE:
                assert (entry.publisher or entry.title) in flat
            else:
                assert entry.title in flat
        last = document.blocks[-1]
        if isinstance(last, SourcesList):
            assert last.title in flat
        if isinstance(last, SourceLine):
            assert last.label in flat
        assert document.sources, "every sample cites its sources"

    def test_title_and_lead_ins_present(
        self, exported, fmt: str, name: str, document: Document
    ) -> None:
        _, text = read(fmt, exported[(name, fmt)])
        flat = " ".join(text.split())
        for block in iter_blocks(document.blocks):
            if isinstance(block, Title):
                assert plain_text(block.spans) in flat
            if isinstance(block, Paragraph) and block.lead_in:
                assert block.lead_in in flat
