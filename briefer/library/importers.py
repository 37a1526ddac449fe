"""Readers that turn files into snippet records, one per format.

Each reader declares its `NAME` and `EXTENSIONS` and yields `Record`s (or
`Rejection`s for rows it cannot use, with their line number and reason);
`READERS` maps an extension to its reader. Supported:

- documents, one snippet per paragraph (or one per file with `whole`),
  headings skipped: `.txt`; `.md` / `.markdown` (front matter and `# ` title
  read; reference definitions such as `[@key]: https://example.org "Title"`,
  the sources a brief cites, skipped, so a paragraph of only those makes no
  snippet); `.html` / `.htm` (article text; title, canonical URL, author,
  publisher and date from the page's metadata, the import day as the day it
  was accessed; scripts, styles, navigation and byline paragraphs such as
  "By Jane Doe and John Roe" dropped); `.docx` (paragraphs; title, author and
  date from its core properties);
- bulk files, one snippet per row: `.csv` (header row; columns text, note,
  title, publisher, author, url, published, accessed, tags, collection) and
  `.jsonl` / `.ndjson` (one object per line with the same keys; `tags` a list
  of tags, or in either format a string of tags separated by `;` or `,`) —
  what `Library.export` writes;
- citation files from a reference manager such as Zotero: `.ris` and CSL-JSON
  (`.json`); the abstract (or, failing that, the note) becomes the snippet
  text, and entries with neither are rejected. A `.json` array of objects
  with a `text` key is read like JSON Lines.

Authors are stored in one order, "Given Family" ("Doe, Jane" in RIS, CSV or
a page's metadata becomes "Jane Doe"), by `normalize.person_names`; several
are separated by "; ".

Dates: in bulk rows a `published` or `accessed` value that is no date rejects
the row (`published: 2026-02-30 is not a date (expected YYYY, YYYY-MM or
YYYY-MM-DD)`, with its line); dates a document or citation file carries in its
metadata are taken when they read as dates and left empty otherwise, except
that a CSL `date-parts` number no date has (Infinity, NaN, a fraction, a
negative or huge number) rejects its item: the file is broken there.

Hostile input: `import_file` reads a file once, whole, and only a regular
file of at most `MAX_IMPORT_BYTES` (a named pipe or a device is refused
without being opened, so nothing waits or reads for ever); readers get its
bytes. A JSON Lines row nested deeper than Python's parser goes is one
rejected row (`bad JSON: nested too deeply`), a CSL-JSON file so nested is a
file error, and a page's JSON-LD so nested is ignored. A `.docx` is checked
by `zipcheck` before python-docx unpacks anything: a package that would
unpack past its limits (64 MB a part, 256 MB in all) is refused in one line.

A file that cannot be used as a whole (missing, a folder, a special file,
too large, unreadable, not UTF-8, an unknown type, no text) raises nothing:
`ImportReport.error` says why. A reader only reads: the whole file is parsed
before anything is stored, and `Library.import_records` stores it in one
transaction.

Progress: a reader's `progress` (a `briefer.jobs.ProgressCallback`, or None)
gets `Progress(done, total)` in the reader's own unit (bytes, characters,
lines, items) as it goes: about every `READ_CHUNK` characters, every
`LINES_PER_REPORT` lines or every `ITEMS_PER_REPORT` items; `import_file`
puts it on the import's scale: reading is the first `READ_END` of `STEPS`,
storing and indexing (`Library.import_records`) the rest. A
`briefer.jobs.Cancelled` raised from it is not a problem with the file: it is
never caught here and reaches the caller, with nothing stored.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import math
import operator
import os
import re
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from briefer import jobs
from briefer.errors import FileAccessError
from briefer.fsutil import read_regular_file
from briefer.jobs import ProgressCallback, scaled
from briefer.library import normalize, zipcheck
from briefer.library.model import ImportReport, Record, Rejection, Source

# An import reports `Progress(done, STEPS, what)`; reading the file takes
# the first READ_END steps (the share of the time it takes in a large JSON
# Lines import), so the bar moves at an even pace.
STEPS = 1000
READ_END = 200
# A reader reports after about this many bytes (or characters) of its file.
READ_CHUNK = 1 << 20
# The largest file an import reads: the JSON Lines export of about 750,000
# snippets. A file is read whole before it is parsed, so this bounds memory.
MAX_IMPORT_BYTES = 512 * 1024 * 1024

if TYPE_CHECKING:
    from briefer.library.store import Library

Item = Record | Rejection
# A reader that loops over lines or items reports after this many.
LINES_PER_REPORT = 10_000
ITEMS_PER_REPORT = 1000


@dataclass(frozen=True)
class Options:
    """What the caller asked for: applied to every record of a file."""

    whole: bool = False
    tags: tuple[str, ...] = ()
    collection: str = ""
    today: str = ""  # the import day (ISO 8601): when a web page was accessed


class Reader(Protocol):
    NAME: ClassVar[str]
    EXTENSIONS: ClassVar[tuple[str, ...]]

    def read(
        self, path: Path, data: bytes, options: Options, progress: ProgressCallback | None
    ) -> Iterator[Item]:
        """The records in `data`, the bytes of the file at `path` (read
        once, by `import_file`; `path` only names it)."""
        ...


class ImportFileError(ValueError):
    """The file as a whole cannot be read (reported as `ImportReport.error`)."""


# Said of a JSON value nested deeper than Python's parser goes (it would
# raise RecursionError): one bad row, or one bad file, never a crash.
TOO_DEEP = "nested too deeply"

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_text(data: bytes) -> str:
    """Text as files (and standard input) bring it: UTF-8 (with or without
    BOM), or UTF-16 with a BOM. Anything else is an `ImportFileError` that
    says where the first bad byte is."""
    utf16 = data[:2] in _UTF16_BOMS
    try:
        return data.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError as exc:
        if utf16:
            raise ImportFileError(f"not UTF-16 text (byte {exc.start})") from None
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportFileError(f"not UTF-8 text (line {line}); save it as UTF-8") from None


_BLANK_LINES = re.compile(r"\n\s*\n")


def _paragraphs(
    text: str, whole: bool, progress: ProgressCallback | None = None
) -> list[tuple[int, str]]:
    """Paragraphs separated by blank lines, with their first line numbers;
    reports how many characters of `text` are done."""
    jobs.report(progress, 0, len(text))
    if whole:
        body = text.strip()
        line = text[: text.find(body)].count("\n") + 1 if body else 1
        return [(line, body)] if body else []
    out: list[tuple[int, str]] = []
    pos = reported = 0
    # Lines are counted on from the previous paragraph, not from the start
    # of the text each time (which made a long file take minutes).
    line, counted = 1, 0
    for match in itertools.chain(_BLANK_LINES.finditer(text), [None]):
        end = match.start() if match else len(text)
        chunk = text[pos:end]
        body = chunk.strip()
        if body:
            start = pos + chunk.find(body)
            line += text.count("\n", counted, start)
            counted = start
            out.append((line, normalize.one_line(body)))
        pos = match.end() if match else len(text)
        if progress and pos - reported >= READ_CHUNK:
            reported = pos
            jobs.report(progress, pos, len(text))
    jobs.report(progress, len(text), len(text))
    return out


def _records(
    paragraphs: list[tuple[int, str]], source: Source, options: Options, tags: tuple[str, ...] = ()
) -> Iterator[Item]:
    """One record per paragraph, all with the same source, tags and collection."""
    if not paragraphs:
        return
    all_tags = normalize.split_tags([*tags, *options.tags])  # once per file, not per paragraph
    for line, text in paragraphs:
        yield Record(
            text=text,
            source=source,
            tags=all_tags,
            collection=options.collection,
            line=line,
        )


def _date_or_empty(value: str) -> str:
    try:
        return normalize.parse_date(value)
    except ValueError:
        return ""


class TextReader:
    NAME = "text"
    EXTENSIONS = (".txt", ".text")

    def read(
        self, path: Path, data: bytes, options: Options, progress: ProgressCallback | None
    ) -> Iterator[Item]:
        text = decode_text(data)
        paragraphs = _paragraphs(text, options.whole, progress)
        yield from _records(paragraphs, Source(title=path.stem), options)


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.DOTALL)
# A link reference definition, as briefs list their sources:
# `[@key]: https://example.org/x "Title"` (also `[label]: <url>`, `'title'`,
# `(title)`). The target must look like an address, so a line such as
# `[Update]: Confirmed.` stays text.
_REFERENCE_DEFINITION = re.compile(
    r"^ {0,3}\[[^\]\n]+\]:[ \t]*"
    r"(?:<[^>\n]*>|[A-Za-z][A-Za-z0-9+.-]*:\S+|www\.\S+|[./#]\S*)"
    r"""(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?[ \t\r]*$"""
)
_HEADING = re.compile(r"^#{1,6} ")


def _quotable_line(line: str) -> str:
    """A Markdown line as text to quote: "" for headings (structure) and
    reference definitions (a citation's source, not its text)."""
    if _HEADING.match(line) or _REFERENCE_DEFINITION.match(line):
        return ""
    return line


class MarkdownReader:
    NAME = "markdown"
    EXTENSIONS = (".md", ".markdown")

    def read(
        self, path: Path, data: bytes, options: Options, progress: ProgressCallback | None
    ) -> Iterator[Item]:
        text = decode_text(data)
        meta: dict[str, str] = {}
        match = _FRONT_MATTER.match(text)
        if match:
            for line in match.group(1).splitlines():
                key, sep, value = line.partition(":")
                if sep:
                    meta[key.strip().lower()] = value.strip().strip("'\"")
            # Keep line numbers true to the file.
            text = "\n" * match.group(0).count("\n") + text[match.end() :]
        lines = text.split("\n")
        for index, line in enumerate(lines):
            if line.startswith("# ") and "title" not in meta:
                meta["title"] = line[2:].strip()
                lines[index] = ""
                break
        # Blank lines keep the line numbers true to the file.
        body = "\n".join(map(_quotable_line, lines))
        source = Source(
            title=meta.get("title", path.stem),
            publisher=meta.get("publisher", meta.get("site", "")),
            author=normalize.person_names(meta.get("author", "")),
            url=meta.get("url", meta.get("source", "")),
            published=_date_or_empty(meta.get("date", meta.get("published", ""))),
        )
        tags = normalize.split_tags(meta.get("tags", "").strip("[]"))
        paragraphs = _paragraphs(body, options.whole, progress)
        yield from _records(paragraphs, source, options, tags)


# -- HTML ------------------------------------------------------------------

_DROP = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "object", "canvas"})
# Page furniture: dropped anywhere, and headers/footers outside the article.
_FURNITURE = frozenset({"nav", "aside", "form", "button", "menu", "dialog", "figure"})
_CHROME = frozenset({"header", "footer"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCKS = frozenset(
    {
        "p", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6",
        "section", "article", "main", "tr", "dd", "dt", "figcaption", "td", "br", "ul", "ol",
        "table", "body",
    }
)  # fmt: skip
_VOID = frozenset(
    {
        "br",
        "img",
        "meta",
        "link",
        "hr",
        "input",
        "source",
        "wbr",
        "area",
        "base",
        "col",
        "embed",
        "track",
    }
)


class _ArticleParser(HTMLParser):
    """Collects the page's metadata and its readable text, block by block,
    separately for <article>, <main> and the whole <body>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.canonical = ""
        self.title_parts: list[str] = []
        self.stack: list[str] = []
        self.drop_depth = 0
        self.chrome_depth = 0
        self.in_title = False
        self.scopes: dict[str, list[list[str]]] = {"article": [[]], "main": [[]], "body": [[]]}
        self.open_scopes: list[str] = ["body"]
        self.json_ld: list[str] = []
        self.in_json_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key and a.get("content") and key not in self.meta:
                self.meta[key] = a["content"]
            return
        if tag == "link":
            if "canonical" in a.get("rel", "").lower().split() and a.get("href"):
                self.canonical = self.canonical or a["href"]
            return
        if tag == "script" and "ld+json" in a.get("type", ""):
            self.in_json_ld = True
            self.json_ld.append("")
        if tag in _VOID:
            if tag == "br":
                self._break()
            return
        self.stack.append(tag)
        if tag in _DROP or tag in _FURNITURE or tag in _HEADINGS:
            self.drop_depth += 1
        elif tag in _CHROME:
            self.chrome_depth += 1
        elif tag == "title":
            self.in_title = True
        elif tag in ("article", "main"):
            self.open_scopes.append(tag)
            self.scopes[tag].append([])
        if tag in _BLOCKS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or tag not in self.stack:
            return
        while self.stack:
            top = self.stack.pop()
            if top in _DROP or top in _FURNITURE or top in _HEADINGS:
                self.drop_depth -= 1
                self.in_json_ld = False
            elif top in _CHROME:
                self.chrome_depth -= 1
            elif top == "title":
                self.in_title = False
            elif top in ("article", "main") and top in self.open_scopes:
                self.open_scopes.remove(top)
            if top in _BLOCKS:
                self._break()
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.in_json_ld:
            # One script's text may come in several pieces (the page is fed
            # a chunk at a time): keep each script whole for `json.loads`.
            self.json_ld[-1] += data
            return
        if self.drop_depth:
            return
        if self.in_title:
            self.title_parts.append(data)
            return
        if self.chrome_depth and "article" not in self.open_scopes:
            return
        for scope in set(self.open_scopes):
            self.scopes[scope][-1].append(data)

    def _break(self) -> None:
        for scope in set(self.open_scopes):
            if self.scopes[scope][-1]:
                self.scopes[scope].append([])

    def paragraphs(self) -> list[str]:
        for scope in ("article", "main", "body"):
            blocks = [normalize.one_line("".join(b)) for b in self.scopes[scope]]
            blocks = [b for b in blocks if b]
            if blocks:
                return blocks
        return []


def _json_ld_fields(chunks: list[str]) -> dict[str, str]:
    """Author, publisher and date from schema.org JSON-LD, if the page has it."""
    out: dict[str, str] = {}
    for chunk in chunks:
        try:
            data = json.loads(chunk)
        except (ValueError, RecursionError):  # broken or nested too deeply: no metadata
            continue
        items = (
            data
            if isinstance(data, list)
            else data.get("@graph", [data])
            if isinstance(data, dict)
            else []
        )
        for item in items:
            if not isinstance(item, dict):
                continue
            authors = item.get("author")
            names = [
                person.get("name") if isinstance(person, dict) else person
                for person in (authors if isinstance(authors, list) else [authors])
            ]
            names = [_page_author(name) for name in names if isinstance(name, str)]
            if any(names):
                out.setdefault("author", "; ".join(name for name in names if name))
            publisher = item.get("publisher")
            if isinstance(publisher, dict):
                publisher = publisher.get("name")
            if isinstance(publisher, str):
                out.setdefault("publisher", publisher)
            for key in ("datePublished", "dateCreated"):
                if isinstance(item.get(key), str):
                    out.setdefault("published", item[key])
            if isinstance(item.get("headline"), str):
                out.setdefault("title", item["headline"])
    return out


class HtmlReader:
    NAME = "html"
    EXTENSIONS = (".html", ".htm", ".xhtml")

    def read(
        self, path: Path, data: bytes, options: Options, progress: ProgressCallback | None
    ) -> Iterator[Item]:
        text = decode_text(data)
        parser = _ArticleParser()
        # A chunk at a time, reporting in between (HTMLParser is incremental).
        for start in range(0, len(text), READ_CHUNK):
            jobs.report(progress, start, len(text))
            parser.feed(text[start : start + READ_CHUNK])
        parser.close()
        jobs.report(progress, len(text), len(text))
        m = parser.meta
        ld = _json_ld_fields(parser.json_ld)

        def first(*keys: str) -> str:
            for key in keys:
                if m.get(key):
                    return normalize.one_line(m[key])
            return ""

        title = first("og:title", "twitter:title", "dc.title") or ld.get("title", "")
        title = title or normalize.one_line("".join(parser.title_parts)) or path.stem
        published = ""
        for raw in (
            first("article:published_time", "og:published_time", "datepublished", "date",
                  "dc.date", "dc.date.issued", "pubdate", "publish-date", "sailthru.date"),
            ld.get("published", ""),
        ):  # fmt: skip
            published = _date_or_empty(raw)
            if published:
                break
        authors = (
            _page_author(m.get(key, ""))
            for key in ("author", "article:author", "dc.creator", "byl", "sailthru.author")
        )
        author = next((a for a in authors if a), "") or ld.get("author", "")
        source = Source(
            title=title,
            publisher=first("og:site_name", "application-name", "publisher", "dc.publisher")
            or ld.get("publisher", ""),
            author=normalize.person_names(author),
            url=parser.canonical or first("og:url"),
            published=published,
            accessed=options.today or dt.date.today().isoformat(),
        )
        blocks = [block for block in parser.paragraphs() if not is_byline(block, author)]
        if options.whole:
            blocks = ["\n\n".join(blocks)] if blocks else []
        line = 0 if options.whole else 1
        yield from _records([(line, block) for block in blocks], source, options)


def _page_author(value: str) -> str:
    """An author named in a page's metadata, without a leading "By "; ""
    for a web address (`article:author` is often the author's profile page)."""
    text = normalize.one_line(value)
    if re.match(r"(?:https?:)?//|www\.", text, re.IGNORECASE):
        return ""
    return _BY.sub("", text, count=1)


_BY = re.compile(r"^by\s+", re.IGNORECASE)
# Credit lines that close an agency story: "Reporting by Jane Doe; Editing by John Roe".
_CREDIT = re.compile(
    r"(?:additional\s+)?(?:reporting|writing|editing|compiled|produced|photos?)"
    r"(?:\s+and\s+\w+)?\s+by\s+",
    re.IGNORECASE,
)
_BYLINE_SEPARATORS = re.compile(r"\s*(?:[,;|·•]|\s(?:and|&)\s)\s*")
_CALENDAR_WORDS = frozenset(
    {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "today", "yesterday", "january", "february", "march", "april", "may", "june",
        "july", "august", "september", "october", "november", "december",
    }
)  # fmt: skip
_MAX_BYLINE = 120


def is_byline(paragraph: str, author: str = "") -> bool:
    """True for a paragraph that only names who wrote the article: "By Jane
    Doe", "By Jane Doe and John Roe", "By Jane Doe, Reuters", "Reporting by
    Jane Doe; Editing by John Roe", or exactly the author the page's
    metadata names. Only clear cases: every part after "By" must be a name
    (capitalised words or initials, a publisher, or a date), so "By Tuesday,
    officials had agreed." and "By the end of the year" stay text."""
    text = paragraph.strip()
    if not text or len(text) > _MAX_BYLINE:
        return False
    if author:
        own = {author.casefold(), normalize.person_names(author).casefold()}
        if text.casefold() in own or _BY.sub("", text, count=1).casefold() in own:
            return True
    if _BY.match(text):
        names = [_BY.sub("", text, count=1)]
    else:
        credits = [part.strip() for part in text.split(";")]
        if not all(_CREDIT.match(part) for part in credits):
            return False
        names = [_CREDIT.sub("", part, count=1) for part in credits]
    parts = [part for name in names for part in _BYLINE_SEPARATORS.split(name)]
    return bool(parts) and all(_is_name_or_date(part) for part in parts)


def _is_name_or_date(part: str) -> bool:
    """A person's or a publisher's name ("Jane Doe", "J. R. Smith", "the
    Associated Press"), or a date, as a byline lists them."""
    if not part:
        return False
    try:
        if normalize.parse_date(part):
            return True
    except ValueError:
        pass
    words = part.split()
    if words[0] == "the" and len(words) > 1:
        words = words[1:]
    if len(words) > 4 or words[0].casefold() == "by":
        return False
    if any(word.casefold().strip(".") in _CALENDAR_WORDS for word in words):
        return False
    capitalised = [bool(_NAME_PART.match(word)) and word[0].isupper() for word in words]
    particles = [word in normalize.NAME_PARTICLES for word in words]
    return capitalised[0] and capitalised[-1] and all(map(operator.or_, capitalised, particles))


# A capitalised word, an initial ("J."), or a particle in a name ("van", "de").
_NAME_PART = re.compile(r"[^\W\d_](?:[^\W\d_]|['’.-])*\Z")


def _is_heading_style(name: str) -> bool:
    return name.startswith(("Heading", "Title", "Subtitle"))


class DocxReader:
    NAME = "docx"
    EXTENSIONS = (".docx",)

    def read(
        self, path: Path, data: bytes, options: Options, progress: ProgressCallback | None
    ) -> Iterator[Item]:
        import docx  # python-docx, only needed here

        try:
            # Before python-docx unpacks anything: a small file can unpack to gigabytes.
            zipcheck.check_package(data)
        except zipcheck.PackageTooLarge as exc:
            raise ImportFileError(f"too large to unpack safely: {exc}") from None
        except zipcheck.BrokenPackage as exc:
            raise ImportFileError(f"not a Word document ({exc})") from None
        try:
            document = docx.Document(io.BytesIO(data))
        except Exception as exc:  # python-docx raises many kinds for a bad package
            raise ImportFileError(f"not a Word document ({exc})") from exc
        props = document.core_properties
        created = props.created.date().isoformat() if props.created else ""
        source = Source(
            title=(props.title or "").strip() or path.stem,
            author=normalize.person_names(props.author or ""),
            published=created,
        )
        all_paragraphs = document.paragraphs
        paragraphs: list[tuple[int, str]] = []
        for n, p in enumerate(all_paragraphs, 1):
            if progress and n % ITEMS_PER_REPORT == 0:
                jobs.report(progress, n, len(all_paragraphs))
            if _is_heading_style(p.style.name if p.style is not None else ""):
                continue
            text = p.text.strip()
            if text:
                paragraphs.append((n, normalize.one_line(text)))
        if options.whole and paragraphs:
            paragraphs = [(1, "\n\n".join(t for _, t in paragraphs))]
        yield from _records(paragraphs, source, options)


# -- bulk rows -------------------------------------------------------------

_SOURCE_FIELDS = ("title", "publisher", "author", "url", "published", "accessed")
_TEXT_FIELDS = ("text", "note", "collection", *_SOURCE_FIELDS)


def _record_from_row(row: dict[str, Any], line: int, options: Options) -> Item:
    """A bulk row as a record, or the reason it cannot be one."""
    values: dict[str, str] = {}
    for key in _TEXT_FIELDS:
        value = row.get(key)
        if value is None:
            value = ""
        if isinstance(value, int | float) and not isinstance(value, bool) and key != "text":
            value = str(value)
        if not isinstance(value, str):
            return Rejection(line, f"{key}: expected text, got {type(value).__name__}")
        values[key] = value
    if not values["text"] or values["text"].isspace():
        return Rejection(line, "no text")
    dates: dict[str, str] = {}
    for key in ("published", "accessed"):
        try:
            dates[key] = normalize.parse_date(values[key])
        except ValueError as exc:
            return Rejection(line, f"{key}: {exc}")
    try:
        tags = normalize.split_tags(row.get("tags"))
    except ValueError as exc:
        return Rejection(line, f"tags: {exc}")
    return Record(
        text=values["text"],
        note=values["note"],
        source=Source(
            title=values["title"],
            publisher=values["publisher"],
            author=normalize.person_names(values["author"]),
            url=values["url"],
            published=dates["published"],
            accessed=dates["accessed"],
        ),
        tags=normalize.split_tags([*tags, *options.tags]),
        collection=values["collection"] or options.collection,
        line=line,
    )


def _reporting(
    lines: Iterable[str], total: int, progress: ProgressCallback | None
) -> Iterator[str]:
    """`lines` as they are read, reporting how far through `total` characters
    reading has got."""
    done = reported = 0
    for line in lines:
        done += len(line)
        if progress and (done - reported > READ_CHUNK or done >= total):
            reported = done
            jobs.report(progress, min(done, total), total)
        yield line


class CsvReader:
    NAME = "csv"
    EXTENSIONS = (".csv", ".tsv")

    def read(
        self, path: Path, data: bytes, options: Options, progress: ProgressCallback | None
    ) -> Iterator[Item]:
        text = decode_text(data)
        if data[:2] in _UTF16_BOMS:
            # Unlike the document formats, CSV is read as UTF-8 only.
            raise ImportFileError("not UTF-8 text; save it as UTF-8")
        # `newline=""`: line ends stay as they are, for the csv module to read.
        handle = io.StringIO(text, newline="")
        # The header decides the delimiter: a comma unless the first line
        # has more semicolons or tabs (spreadsheets in many locales).
        first = handle.readline()
        handle.seek(0)
        delimiter = max(",;\t", key=first.count) if path.suffix.lower() != ".tsv" else "\t"
        reader = csv.reader(_reporting(handle, len(text), progress), delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            raise ImportFileError("empty file (no header row)") from None
        except csv.Error as exc:
            raise ImportFileError(f"line 1: {exc}") from exc
        columns = [h.strip().lower() for h in header]
        if "text" not in columns:
            raise ImportFileError(f"no 'text' column in the header (found {', '.join(columns)})")
        line = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                yield Rejection(line, f"bad CSV: {exc}")
                line = reader.line_num + 1
                continue
            if not any(c.strip() for c in cells):
                line = reader.line_num + 1
                continue
            if len(cells) > len(columns):
                yield Rejection(line, f"{len(cells)} cells but {len(columns)} columns")
            else:
                yield _record_from_row(dict(zip(columns, cells, strict=False)), line, options)
            line = reader.line_num + 1


class JsonLinesReader:
    NAME = "jsonl"
    EXTENSIONS = (".jsonl", ".ndjson")

    def read(
        self, path: Path, data: bytes, options: Options, progress: ProgressCallback | None
    ) -> Iterator[Item]:
        total = len(data)
        done = reported = 0
        # A view of `data`, not a copy; lines come one at a time.
        for number, raw in enumerate(io.BytesIO(data), 1):
            done += len(raw)
            if progress and (done - reported > READ_CHUNK or done >= total):
                reported = done
                jobs.report(progress, min(done, total), total)
            if not raw.strip():
                continue
            try:
                row = json.loads(raw.decode("utf-8-sig" if number == 1 else "utf-8"))
            except UnicodeDecodeError:
                # The file is in another encoding: no row of it is safe to take.
                raise ImportFileError(f"not UTF-8 text (line {number}); save it as UTF-8") from None
            except ValueError as exc:
                yield Rejection(number, f"bad JSON: {exc}")
                continue
            except RecursionError:
                yield Rejection(number, f"bad JSON: {TOO_DEEP}")
                continue
            if not isinstance(row, dict):
                yield Rejection(number, f"expected a JSON object, got {type(row).__name__}")
                continue
            try:
                item = _record_from_row(row, number, options)
            except RecursionError:  # a value nested nearly as deep as the parser goes
                item = Rejection(number, f"bad JSON: {TOO_DEEP}")
            yield item


# -- citation files ----------------------------------------------------------

_RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")


class RisReader:
    """RIS, as Zotero, EndNote and most databases export it."""

    NAME = "ris"
    EXTENSIONS = (".ris",)

    def read(
        self, path: Path, data: bytes, options: Options, progress: ProgressCallback | None
    ) -> Iterator[Item]:
        entry: dict[str, list[str]] = {}
        start = 0
        last_tag = ""
        lines = decode_text(data).splitlines()
        for number, line in enumerate(lines, 1):
            if progress and number % LINES_PER_REPORT == 0:
                jobs.report(progress, number, len(lines))
            match = _RIS_LINE.match(line.rstrip())
            if not match:
                if line.strip() and entry and last_tag:
                    entry[last_tag][-1] += " " + line.strip()  # a continued value
                continue
            tag, value = match.group(1), (match.group(2) or "").strip()
            if tag == "TY":
                if entry:  # the previous entry lacked its ER line; take it as it is
                    yield self._record(entry, start, options)
                entry, start = {"TY": [value]}, number
            elif tag == "ER":
                if entry:
                    yield self._record(entry, start, options)
                entry = {}
            elif entry:
                entry.setdefault(tag, []).append(value)
            last_tag = tag
        if entry:
            yield self._record(entry, start, options)

    @staticmethod
    def _record(entry: dict[str, list[str]], line: int, options: Options) -> Item:
        def one(*tags: str) -> str:
            for tag in tags:
                if entry.get(tag):
                    return entry[tag][0]
            return ""

        text = one("AB", "N2") or one("N1")
        if not text:
            return Rejection(line, "no abstract or note to use as the snippet text")
        authors = entry.get("AU", []) + entry.get("A1", [])
        published = _date_or_empty(one("DA", "PY", "Y1").replace("/", "-").strip("-"))
        return Record(
            text=text,
            note=one("N1") if text != one("N1") else "",
            source=Source(
                title=one("TI", "T1", "CT"),
                publisher=one("T2", "JO", "JF", "PB"),
                author=normalize.person_names("; ".join(authors)),
                url=one("UR", "L2"),
                published=published,
                accessed=_date_or_empty(one("Y2")),
            ),
            tags=normalize.split_tags([*entry.get("KW", []), *options.tags]),
            collection=options.collection,
            line=line,
        )


class CslJsonReader:
    """CSL-JSON (a JSON array of items), as Zotero exports it."""

    NAME = "csl-json"
    EXTENSIONS = (".json",)

    def read(
        self, path: Path, data: bytes, options: Options, progress: ProgressCallback | None
    ) -> Iterator[Item]:
        text = decode_text(data)
        try:
            # A number too long for Python's int is one bad item, not a bad file.
            parsed = json.loads(text, parse_int=_json_int)
        except ValueError as exc:
            raise ImportFileError(f"bad JSON: {exc}") from exc
        except RecursionError:
            raise ImportFileError(f"bad JSON: {TOO_DEEP}") from None
        items = parsed.get("items", [parsed]) if isinstance(parsed, dict) else parsed
        if not isinstance(items, list):
            raise ImportFileError("expected a CSL-JSON array of items")
        for index, item in enumerate(items, 1):
            if progress and index % ITEMS_PER_REPORT == 0:
                jobs.report(progress, index, len(items))
            try:
                record = self._item(item, index, options)
            except RecursionError:
                record = Rejection(index, f"item {index}: {TOO_DEEP}")
            yield record

    def _item(self, item: object, index: int, options: Options) -> Item:
        if not isinstance(item, dict):
            return Rejection(index, f"item {index}: expected an object")
        if "text" in item and "abstract" not in item:
            return _record_from_row(item, index, options)  # a plain list of snippets
        try:
            return self._record(item, index, options)
        except _NotADate as exc:
            return Rejection(index, f"item {index}: {exc}")

    @staticmethod
    def _record(item: dict[str, Any], index: int, options: Options) -> Item:
        def text_of(key: str) -> str:
            value = item.get(key, "")
            return value if isinstance(value, str) else ""

        text = text_of("abstract") or text_of("note")
        if not text:
            return Rejection(index, f"item {index}: no abstract or note to use as the snippet text")
        people = item.get("author")
        names = (
            [_csl_name(p) for p in people if isinstance(p, dict)]
            if isinstance(people, list)
            else []
        )
        keywords = text_of("keyword")
        return Record(
            text=text,
            note=text_of("note") if text != text_of("note") else "",
            source=Source(
                title=text_of("title"),
                publisher=text_of("container-title") or text_of("publisher"),
                author=normalize.person_names("; ".join(name for name in names if name)),
                url=text_of("URL")
                or (f"https://doi.org/{text_of('DOI')}" if text_of("DOI") else ""),
                published=_csl_date("issued", item.get("issued")),
                accessed=_csl_date("accessed", item.get("accessed")),
            ),
            tags=normalize.split_tags([*normalize.split_tags(keywords), *options.tags]),
            collection=options.collection,
            line=index,
        )


def _csl_name(person: dict[str, Any]) -> str:
    """A CSL name as it is written: "Ludwig van Beethoven", "Martin Luther
    King Jr."; an institution's `literal` name as it is."""
    literal = person.get("literal")
    if isinstance(literal, str) and literal.strip():
        return literal.strip()
    parts = (
        person.get(key)
        for key in ("given", "dropping-particle", "non-dropping-particle", "family", "suffix")
    )
    return " ".join(str(part).strip() for part in parts if isinstance(part, str) and part.strip())


class _NotADate(ValueError):
    """A CSL date given as numbers no calendar has: the item is rejected."""


# The largest number a date part may be: a four-digit year.
_MAX_DATE_PART = 9999


def _json_int(digits: str) -> int | float:
    """An integer as `json.loads` reads it, except that one longer than any
    date or count (Python refuses to read 4,300 digits or more) is infinite:
    a date made of it is then rejected, and anything else ignores it."""
    if len(digits) <= 30:
        return int(digits)
    return -math.inf if digits.startswith("-") else math.inf


def _date_part(value: Any) -> int | None:
    """A number of a CSL `date-parts` list as an int; None for what is no
    number (a date left empty, as before); `_NotADate` for a number that no
    date has: infinite, not a number, a fraction, negative or huge."""
    if isinstance(value, bool):
        raise _NotADate(value)
    if isinstance(value, str):
        text = value.strip()
        return int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else None
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise _NotADate(value)
        value = int(value)
    if not isinstance(value, int):
        return None
    if not 0 <= value <= _MAX_DATE_PART:
        raise _NotADate(value)
    return value


def _csl_date(key: str, value: Any) -> str:
    """A CSL date (`{"date-parts": [[2026, 11, 20]]}` or `{"raw": "..."}`)
    as ISO 8601; "" when it reads as no date. Raises `_NotADate`, naming the
    field and the value, for numbers that no date has."""
    if not isinstance(value, dict):
        return ""
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        try:
            numbers = [_date_part(p) for p in parts[0][:3]]
        except _NotADate:
            shown = json.dumps(parts[0][:3])
            shown = shown if len(shown) <= 40 else shown[:39] + "…"
            raise _NotADate(f"{key}: date-parts {shown} is not a date") from None
        if any(n is None for n in numbers):
            return ""
        return _date_or_empty(
            "-".join(f"{n:02d}" if i else f"{n:04d}" for i, n in enumerate(numbers))
        )
    raw = value.get("raw")
    return _date_or_empty(raw) if isinstance(raw, str) else ""


def _registry(*readers: Reader) -> Mapping[str, Reader]:
    by_extension: dict[str, Reader] = {}
    for reader in readers:
        for extension in reader.EXTENSIONS:
            by_extension[extension] = reader
    return MappingProxyType(by_extension)


READERS: Mapping[str, Reader] = _registry(
    TextReader(),
    MarkdownReader(),
    HtmlReader(),
    DocxReader(),
    CsvReader(),
    JsonLinesReader(),
    RisReader(),
    CslJsonReader(),
)
"""Every reader, by file extension (lower case, with the dot)."""


def reader_for(path: Path) -> Reader | None:
    return READERS.get(path.suffix.lower())


def _not_a_file(path: Path) -> str:
    """Why `path` is no file at all ("" when it is one), said before its
    type is: looked at only, never opened."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return "no such file"
    except (OSError, ValueError):
        return ""  # the type is the first thing to say; reading would say the rest
    return "is a folder, not a file to import" if stat.S_ISDIR(info.st_mode) else ""


def import_file(
    library: Library,
    path: Path,
    *,
    progress: ProgressCallback | None = None,
    whole: bool = False,
    tags: tuple[str, ...] = (),
    collection: str = "",
) -> ImportReport:
    """Read `path` with the reader for its extension and store it (see
    `Library.import_file`)."""
    reader = reader_for(path)
    report = ImportReport(path=path, format=reader.NAME if reader else "")
    if reader is None:
        known = ", ".join(sorted(READERS))
        unknown = f"unknown file type {path.suffix or '(none)'!r}; known: {known}"
        report.error = _not_a_file(path) or unknown
        return report
    try:
        # Read once, whole, from a regular file only: a named pipe or a device
        # is refused without waiting on it, and nothing is read past the cap.
        data = read_regular_file(path, MAX_IMPORT_BYTES, "a file to import")
    except FileAccessError as exc:
        report.error = exc.reason
        return report
    options = Options(
        whole=whole,
        tags=normalize.split_tags(list(tags)),
        collection=collection,
        today=dt.date.today().isoformat(),
    )
    # One scale for the whole import; a first report before reading lets a
    # cancel land before any work.
    reading = f"Reading {path.name}"
    jobs.report(progress, 0, STEPS, reading)
    try:
        # `Cancelled` is none of the errors below: it reaches the caller.
        items = list(
            reader.read(path, data, options, scaled(progress, 0, READ_END, STEPS, reading))
        )
    except RecursionError:  # each reader catches its own; this is the last guard
        report.error = f"{TOO_DEEP} to read"
        return report
    except UnicodeDecodeError:
        report.error = "not UTF-8 text; save it as UTF-8"
        return report
    except ImportFileError as exc:
        report.error = str(exc)
        return report
    del data  # parsed: the file's bytes need not stay in memory while it is stored
    if not items:
        report.error = "no text found"
        return report
    return library.import_records(items, report, scaled(progress, READ_END, STEPS, STEPS))
