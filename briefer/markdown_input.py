"""Markdown input: a Markdown file read as a brief.

`brief_from_markdown` maps a Markdown file to a brief: optional front matter
between `---` lines (title, subtitle, author, date, classification, language,
keywords, template), a `# ` title (dropped when it repeats the front
matter's), bullets before the first `## ` as the summary, and one section
per `## ` heading. Sources are given as lines such as
`[@key]: https://example.org/page "Title" {publisher=Reuters}` or
`[@key]: Bloomberg`, and by a closing `Source: A; B` line.
`match_template_sections` then ties the sections to a template's, where a
line of bold text naming a template heading starts that section too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from urllib.parse import urlsplit

from briefer.briefs import (
    _META_FIELDS,
    DEFAULT_MARKDOWN_TEMPLATE,
    check_template_id,
    is_date,
    read_input,
)
from briefer.citekeys import CITATION, CITED_KEY, KEY_PATTERN, make_key
from briefer.errors import BriefFormatError
from briefer.model import Brief, Meta, Section, Source, Template
from briefer.text import fold_heading, slugify, unique_name


def load_markdown(path: str | os.PathLike[str]) -> Brief:
    """Read a Markdown file as a brief (see `brief_from_markdown`)."""
    try:
        text = read_input(path, "Markdown file").decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BriefFormatError(f"{path}: not UTF-8 text") from None
    try:
        return brief_from_markdown(text)[0]
    except BriefFormatError as exc:
        raise BriefFormatError(f"{path}: {exc}") from None


_FRONT_KEYS = {*_META_FIELDS, "keywords", "template"}
# The first line of front matter: `key:` (a YAML key), so that Markdown
# opening with a thematic break (`---`, then text) is read as Markdown.
_FRONT_LINE = re.compile(r"[ \t]*[A-Za-z][\w-]*[ \t]*:")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SOURCE_DEF = re.compile(rf"^ {{0,3}}\[@({KEY_PATTERN})\]:(.*)$")
# A closing `Source: Bloomberg` line: also `Sources: A; B`, `**Source:** A`.
_SOURCE_LINE = re.compile(
    r"(?:(\*\*|__|\*|_)(sources?)(?::\1|\1:)|(sources?):)[ \t]*(\S.*?)[ \t]*", re.IGNORECASE
)
# A line that is nothing but bold or italic text: `**What Happened?**`.
_EMPHASIS_LINE = re.compile(r"(\*{1,3}|_{1,3})(?=\S)(.*?\S)\1[ \t]*")
_LINKED_NAME = re.compile(r"\[([^\[\]]+)\]\(\s*<?([^\s<>()]+)>?\s*\)")
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_PARTIAL_DATE = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z_][\w-]*")
_BARE_VALUE = re.compile(r'[^\s"{}=]+')
# The fields a Markdown source line may set in braces, besides its address.
SOURCE_ATTRIBUTES = ("author", "publisher", "title", "published", "accessed")


def brief_from_markdown(
    text: str, default_template: str = DEFAULT_MARKDOWN_TEMPLATE
) -> tuple[Brief, dict[str, str]]:
    """Map Markdown to a brief. Returns the brief and the raw front matter.

    Section ids come from headings: a heading that matches a template section
    is tied to it later, in `match_template_sections`. A `# ` line that
    repeats the front matter's title (ignoring case, spacing and punctuation)
    is that title and is dropped; one that differs stays in the text, as a
    heading where it stands. Source definitions (`[@key]: …`, see
    `parse_source_definition`) and closing `Source: A; B` lines become the
    brief's sources and leave the text.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    front, body, first_line = _split_front_matter(text)
    fields = {name: front.get(name, "") for name in _META_FIELDS if name != "language"}
    if fields["date"] and not is_date(fields["date"]):
        raise BriefFormatError(
            f"front matter date: expected a date like 2026-11-22, got {fields['date']!r}"
        )
    keywords = [k.strip() for k in front.get("keywords", "").split(",") if k.strip()]
    doc_title = fields.pop("title")

    sources: dict[str, Source] = {}
    defined_on: dict[str, int] = {}
    lead: list[tuple[str, bool]] = []
    chunks: list[tuple[str, list[tuple[str, bool]]]] = []  # (heading, lines)
    title_line_seen = False
    for number, (line, structural) in enumerate(lines_outside_code(body), start=first_line):
        if structural:
            definition = _SOURCE_DEF.match(line)
            if definition:
                key = definition.group(1)
                if key in defined_on:
                    raise BriefFormatError(
                        f"line {number}: source [@{key}] is already defined on line"
                        f" {defined_on[key]}"
                    )
                defined_on[key] = number
                sources[key] = parse_source_definition(
                    definition.group(2), f"source [@{key}]", number
                )
                continue
            if line.startswith("# ") and not chunks and not title_line_seen:
                title_line_seen = True
                if not doc_title:
                    doc_title = heading_text(line)
                    continue
                if fold_heading(heading_text(line)) == fold_heading(doc_title):
                    continue  # the title again: it is printed once, as the title
            if line.startswith("## "):
                chunks.append((heading_text(line), []))
                continue
        (chunks[-1][1] if chunks else lead).append((line, structural))

    for names in _take_closing_source_lines(chunks[-1][1] if chunks else lead):
        _add_named_sources(sources, names)

    sections: list[Section] = []
    lead_text = _joined(lead)
    if lead_text.strip():
        sections.append(Section(id="summary", heading="", body=lead_text))
    used: set[str] = {s.id for s in sections}
    for heading, lines in chunks:
        sid = unique_name(slugify(heading) or "section", used)
        sections.append(Section(id=sid, heading=heading, body=_joined(lines)))
    template = front.get("template", "") or default_template
    check_template_id(template, "front matter template")
    meta = Meta(
        title=doc_title,
        **fields,
        language=front.get("language", "") or "en",
        keywords=tuple(keywords),
    )
    return Brief(template=template, meta=meta, sections=sections, sources=sources), front


def _joined(lines: list[tuple[str, bool]]) -> str:
    return "\n".join(line for line, _ in lines).strip("\n")


def lines_outside_code(text: str) -> Iterator[tuple[str, bool]]:
    """Each line of Markdown `text`, with whether it can be structure (a
    heading, a source line): false inside fenced code and for the fences."""
    in_fence: str | None = None
    for line in text.split("\n"):
        fence = _FENCE.match(line)
        if fence:
            marker = fence.group(1)[0] * 3
            if in_fence is None:
                in_fence = marker
            elif marker == in_fence:
                in_fence = None
        yield line, in_fence is None and not fence


def heading_text(line: str) -> str:
    """The text of an ATX heading line: `## What next? ##` -> `What next?`."""
    return line.partition(" ")[2].strip().rstrip("#").strip()


def parse_source_definition(text: str, what: str = "source", line: int = 0) -> Source:
    """The source a Markdown source line defines, from what follows `[@key]:`.

    The syntax: an address or a name, then an optional title in double
    quotes, then optional attributes in braces, each `name=value` with the
    value in double quotes when it holds spaces (a backslash escapes `"`)::

        [@ledger]: https://news.example.org/halden "Halden opens its data"
        [@bbg]: Bloomberg
        [@r1]: https://www.reuters.com/… "Title" {publisher=Reuters published=2026-11-20}
        [@r2]: https://example.org/x {author="Jane Doe" title="Port \\"data\\" opens"}

    Without a `publisher`, a source with an address is published by its web
    site (`reuters.com`); a name given instead of an address is the
    publisher, as written. Attributes: author, publisher, title, published
    and accessed (dates written 2026, 2026-11 or 2026-11-20). Anything else
    is a `BriefFormatError` naming `line` and `what`.
    """
    return _SourceDefinition(text, f"line {line}: {what}" if line else what).parse()


class _SourceDefinition:
    """A cursor over the text after `[@key]:` (see `parse_source_definition`)."""

    def __init__(self, text: str, where: str) -> None:
        self.text = text
        self.where = where
        self.pos = 0

    def fail(self, problem: str) -> BriefFormatError:
        return BriefFormatError(f"{self.where}: {problem}")

    def parse(self) -> Source:
        fields: dict[str, str] = {}
        self.skip_space()
        url = name = ""
        if self.peek() == "<":
            end = self.text.find(">", self.pos)
            if end < 0:
                raise self.fail("'<' without its closing '>'")
            url = self.text[self.pos + 1 : end].strip()
            self.pos = end + 1
        elif self.peek() not in ('"', "{", ""):
            token = self.text[self.pos :].split(maxsplit=1)[0]
            if _looks_like_url(token):
                url = token
                self.pos += len(token)
            else:
                ends = (self.text.find('"', self.pos), self.text.find("{", self.pos))
                stop = min((i for i in ends if i >= 0), default=len(self.text))
                name = self.text[self.pos : stop].strip()
                self.pos = stop
        self.skip_space()
        if self.peek() == '"':
            fields["title"] = self.quoted("the title")
            self.skip_space()
        if self.peek() == "{":
            for key, value in self.attributes():
                if key in fields or (key == "publisher" and name):
                    raise self.fail(f"{key} is given twice")
                fields[key] = value
            self.skip_space()
        if self.pos < len(self.text):
            raise self.fail(
                f"unexpected {self.text[self.pos :].strip()!r} (write an address or a name,"
                ' then "Title", then {attributes})'
            )
        if not (url or name or fields):
            raise self.fail('expected an address, a name, "Title" or {attributes}')
        if url.lower().startswith("www."):
            url = "https://" + url
        publisher = fields.pop("publisher", "") or name or _publisher_from_url(url)
        return Source(url=url, publisher=publisher, **fields)

    def attributes(self) -> Iterator[tuple[str, str]]:
        self.pos += 1  # the `{`
        while True:
            self.skip_space()
            if self.peek() == "}":
                self.pos += 1
                return
            if not self.peek():
                raise self.fail("'{' without its closing '}'")
            m = _ATTRIBUTE_NAME.match(self.text, self.pos)
            if m is None:
                raise self.fail(f"expected an attribute name, got {self.text[self.pos :]!r}")
            key = m.group()
            if key not in SOURCE_ATTRIBUTES:
                known = ", ".join(sorted(SOURCE_ATTRIBUTES))
                raise self.fail(f"unknown attribute {key!r} (known: {known})")
            self.pos = m.end()
            self.skip_space()
            if self.peek() != "=":
                raise self.fail(f"expected '=' after {key}")
            self.pos += 1
            self.skip_space()
            if self.peek() == '"':
                value = self.quoted(key)
            else:
                bare = _BARE_VALUE.match(self.text, self.pos)
                if bare is None:
                    raise self.fail(f"{key} has no value")
                value = bare.group()
                self.pos = bare.end()
            if key in ("published", "accessed") and not _is_partial_date(value):
                raise self.fail(
                    f"{key}: expected a date like 2026-11-20, 2026-11 or 2026, got {value!r}"
                )
            yield key, value

    def quoted(self, what: str) -> str:
        out: list[str] = []
        i = self.pos + 1
        while i < len(self.text):
            char = self.text[i]
            if char == "\\" and i + 1 < len(self.text):
                out.append(self.text[i + 1])
                i += 2
                continue
            if char == '"':
                self.pos = i + 1
                return "".join(out)
            out.append(char)
            i += 1
        raise self.fail(f"{what} has no closing '\"'")

    def peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t":
            self.pos += 1


def _looks_like_url(token: str) -> bool:
    scheme = _URL_SCHEME.match(token)
    if scheme is not None:
        return token[scheme.end() :].startswith("//") or scheme.group().lower() == "mailto:"
    return token.lower().startswith("www.")


def _is_partial_date(text: str) -> bool:
    """`2026`, `2026-11` or a real `2026-11-20`."""
    if not _PARTIAL_DATE.fullmatch(text):
        return False
    year, _, rest = text.partition("-")
    month, _, day = rest.partition("-")
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return False
    return True


def _take_closing_source_lines(lines: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Remove the `Source: …` lines that close `lines` (the last part of a
    Markdown file) and return what each names, as (names, plural)."""
    found: list[tuple[str, bool]] = []
    end = len(lines)
    cut = end
    while end > 0:
        line, structural = lines[end - 1]
        if not line.strip():
            end -= 1
            continue
        m = _SOURCE_LINE.fullmatch(line) if structural else None
        if m is None:
            break
        label = m.group(2) or m.group(3)
        found.append((m.group(4), label.lower().endswith("s")))
        end -= 1
        cut = end
    del lines[cut:]
    found.reverse()
    return found


def _add_named_sources(sources: dict[str, Source], names: tuple[str, bool]) -> None:
    """Add the sources a closing `Source:` line names to `sources`. A name
    that is already a source (by address, key, publisher, title or web
    site) is not added twice; it names that source's publisher if the
    source had only its web site (`reuters.com` reads `Reuters`)."""
    text, plural = names
    separator = ";" if ";" in text or not plural else ","
    for item in text.split(separator):
        item = item.strip().removesuffix(".").strip()
        if not item:
            continue
        cited = CITATION.fullmatch(item)
        if cited is not None:
            for key in CITED_KEY.findall("@" + cited.group(1)):
                sources.setdefault(key, Source())
            continue
        linked = _LINKED_NAME.fullmatch(item)
        if linked is not None:
            name, url = _plain_name(linked.group(1)), linked.group(2)
        elif _looks_like_url(item.strip("<>")):
            name, url = "", item.strip("<>")
        else:
            name, url = _plain_name(item), ""
        if url.lower().startswith("www."):
            url = "https://" + url
        existing = _same_source(sources, name, url)
        if existing is None:
            key = make_key(publisher=name, url=url, taken=sources)
            sources[key] = Source(publisher=name or _publisher_from_url(url), url=url)
        elif name:
            source = sources[existing]
            if not source.publisher or source.publisher == _publisher_from_url(source.url):
                sources[existing] = dataclasses.replace(source, publisher=name)


def _plain_name(text: str) -> str:
    """A name as written, without the emphasis marks around it."""
    m = _EMPHASIS_LINE.fullmatch(text.strip())
    return (m.group(2) if m else text).strip()


def _same_source(sources: Mapping[str, Source], name: str, url: str) -> str | None:
    """The key of the source in `sources` that `name` or `url` names; failing
    that, the one source still named only by its web site whose site name
    the name starts with (`Politico Europe` names politico.eu)."""
    return _named_source(sources, name, url) or _source_by_site_word(sources, name)


def _site_labels(url: str) -> list[str]:
    """`https://www.reuters.com/x` -> `["reuters"]`: the host's names but the last."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        host = ""
    return host.removeprefix("www.").replace("-", "").split(".")[:-1]


def _source_by_site_word(sources: Mapping[str, Source], name: str) -> str | None:
    words = fold_heading(name).split()
    if not words or len(words[0]) < 4:
        return None
    found = [
        key
        for key, source in sources.items()
        if source.url
        and source.publisher == _publisher_from_url(source.url)
        and words[0] in _site_labels(source.url)
    ]
    return found[0] if len(found) == 1 else None


def _named_source(sources: Mapping[str, Source], name: str, url: str) -> str | None:
    folded = fold_heading(name)
    squeezed = folded.replace(" ", "")
    for key, source in sources.items():
        if url and source.url and url.rstrip("/") == source.url.strip().rstrip("/"):
            return key
        if not folded:
            continue
        if folded in (
            fold_heading(key),
            fold_heading(source.publisher),
            fold_heading(source.title),
        ):
            return key
        if squeezed and squeezed in _site_labels(source.url):
            return key  # `Reuters` names reuters.com
    return None


# -- sections ----------------------------------------------------------------


def match_template_sections(brief: Brief, template: Template) -> Brief:
    """A copy of a Markdown-derived brief with its sections tied to the template's.

    First, a paragraph that is nothing but bold or italic text naming one of
    the template's headings (`**What Happened?**`, `*Why It Matters?*`,
    ignoring case and punctuation) starts that section, as `## What
    Happened?` does; other bold lines stay text. Then the lead text goes to
    the template's first heading-less section, and a section whose heading
    matches a template heading or id takes that section's id. If the
    template has another heading-less section (long-form's "body", written
    with free `## ` headings), the parts no template heading claims go into
    it, headings and all, so a Markdown file gives the same brief as one
    written in Briefer. `brief` itself is not changed.
    """
    by_heading = {fold_heading(s.heading): s for s in template.sections if s.heading}
    by_id = {s.id: s for s in template.sections}
    taken: set[str] = set()
    sections: list[Section] = []
    unmatched: list[int] = []  # positions in `sections`
    for section in _split_at_heading_lines(brief.sections, set(by_heading)):
        if section.id == "summary" and not section.heading:
            spec = next((s for s in template.sections if not s.heading and s.id not in taken), None)
        else:
            spec = by_heading.get(fold_heading(section.heading)) or by_id.get(section.id)
        if spec is not None and spec.id not in taken:
            taken.add(spec.id)
            sections.append(dataclasses.replace(section, id=spec.id))
        else:
            unmatched.append(len(sections))
            sections.append(section)
    # The first heading-less section is the summary slot (key bullets, a
    # lede); only a later one is a free section for headed parts.
    free = next(
        (s for s in [s for s in template.sections if not s.heading][1:] if s.id not in taken),
        None,
    )
    if free is not None and unmatched:
        parts = [sections[i] for i in unmatched]
        body = "\n\n".join(
            (f"## {part.heading}\n\n{part.body}" if part.heading else part.body).strip()
            for part in parts
        )
        moved = set(unmatched)
        sections = [s for i, s in enumerate(sections) if i not in moved]
        sections.insert(unmatched[0], Section(id=free.id, heading="", body=body))
    return dataclasses.replace(brief, sections=tuple(sections))


def _split_at_heading_lines(sections: Sequence[Section], headings: set[str]) -> list[Section]:
    """`sections`, each cut where a paragraph of only bold or italic text
    names one of `headings` (folded); that text heads the new section. Such
    a line repeating its own section's heading at the section's start is
    dropped instead."""
    used = {s.id for s in sections}
    out: list[Section] = []
    for section in sections:
        heading, sid, lines = section.heading, section.id, []
        after_blank = True
        for line, structural in lines_outside_code(section.body):
            m = _EMPHASIS_LINE.fullmatch(line) if structural and after_blank else None
            folded = fold_heading(m.group(2)) if m and m.group(1) not in m.group(2) else ""
            if folded and folded in headings:
                body = "\n".join(lines).strip("\n")
                if folded == fold_heading(heading) and not body.strip():
                    continue  # `## What Happened?` then `**What Happened?**`
                if body.strip() or heading:
                    out.append(Section(id=sid, heading=heading, body=body))
                heading = m.group(2).strip()
                sid = unique_name(slugify(heading) or "section", used)
                lines = []
                continue
            lines.append(line)
            after_blank = not line.strip()
        body = "\n".join(lines).strip("\n")
        out.append(
            section
            if heading == section.heading and body == section.body
            else Section(id=sid, heading=heading, body=body)
        )
    return out


def _split_front_matter(text: str) -> tuple[dict[str, str], str, int]:
    """The front matter's fields, the Markdown after it and the number of
    the Markdown's first line. Front matter starts with a `---` line followed
    at once by a `key: value` line, and ends at a `---` or `...` line;
    anything else starting with `---` is Markdown (a thematic break or a
    heading's underline, as CommonMark reads it)."""
    lines = text.split("\n")
    if len(lines) < 3 or lines[0].strip() != "---" or not _FRONT_LINE.match(lines[1]):
        return {}, text, 1
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return {}, text, 1  # no closing line: a thematic break, not front matter
    front: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if not sep or not key:
            raise BriefFormatError(
                f"front matter line {number}: expected 'key: value', got {line.strip()!r}"
            )
        if key not in _FRONT_KEYS:
            known = ", ".join(sorted(_FRONT_KEYS))
            raise BriefFormatError(
                f"front matter line {number}: unknown key {key!r} (known: {known})"
            )
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        front[key] = value
    return front, "\n".join(lines[end + 1 :]), end + 2


def _publisher_from_url(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")
