"""Edits on a brief: pure functions from one immutable `Brief` to the next.

Everything a person changes while writing goes through here, so the window,
the command line and the tests make the same changes. A `Brief` is a value:
each function returns a new one and leaves its argument as it was, so
"unsaved" is `brief != saved` and undo is a stack of earlier briefs.

    brief = set_body(brief, "what-happened", "The port opened its data.")
    brief = set_meta(brief, title="Halden opens its cargo data", date="2026-11-20")
    brief = cite_snippet(brief, "what-happened", snippet, position=None, mode=CiteMode.QUOTE)
    brief = retemplate(brief, new_template, old_template)
    count_words(section.body)             # what a reader sees, not the Markdown

Citing a snippet copies its source into the brief (so the brief stays
self-contained) under a readable key (`bloomberg-2026-11-20`, see
`briefer.citekeys`). One work is one source: a second snippet from the same
article (same library source, same web address, or same title and
publisher) reuses the key, and each citation carries its own quote in the
text. Snippet text is data: it is escaped so it can never turn into Markdown.

A value that cannot be stored (an unknown section, a date that is no date, a
source still cited) is refused with an `EditError`; the brief is unchanged.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from briefer.briefs import is_date
from briefer.citekeys import CITATION, CITED_KEY, cited_keys, make_key
from briefer.compose import section_name
from briefer.errors import EditError
from briefer.library.model import Snippet
from briefer.library.normalize import normalise_text, normalise_url
from briefer.markdown_input import heading_text, lines_outside_code
from briefer.model import Brief, Meta, Section, SectionKind, SectionSpec, Source, Template
from briefer.text import fold_heading, slugify, unique_name
from briefer.typography import quote_marks
from briefer.words import count_words, reading_minutes

__all__ = [
    "OTHER_HEADING",
    "OTHER_ID",
    "SOURCE_FIELDS",
    "Citation",
    "CiteMode",
    "CiteOutcome",
    "Insertion",
    "apply_insertion",
    "citation_at",
    "citation_places",
    "citations",
    "cite_snippet",
    "cite_snippets",
    "complete_sections",
    "count_words",
    "escape_markdown",
    "plan_citation",
    "quotes_snippet",
    "reading_minutes",
    "remove_source",
    "remove_sources",
    "retemplate",
    "same_work",
    "set_body",
    "set_heading",
    "set_meta",
    "set_source",
    "set_source_fields",
    "source_key_for",
    "unknown_citations",
    "unused_sources",
    "word_count",
]

OTHER_ID = "other"
OTHER_HEADING = "Other"

_META_TEXT = ("title", "subtitle", "author", "date", "classification", "language")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


class CiteMode(enum.Enum):
    """How a cited snippet enters the text."""

    QUOTE = "quote"  # a block quote of the snippet, then the citation
    INLINE = "inline"  # the snippet in quotation marks inside the sentence
    PARAPHRASE = "paraphrase"  # only the citation: the analyst writes the words


# --------------------------------------------------------------------------
# Sections and metadata
# --------------------------------------------------------------------------


def set_body(brief: Brief, section_id: str, body: str) -> Brief:
    """The brief with section `section_id`'s Markdown replaced by `body`."""
    return _replace_section(brief, section_id, body=body)


def set_heading(brief: Brief, section_id: str, heading: str) -> Brief:
    """The brief with section `section_id`'s heading replaced."""
    return _replace_section(brief, section_id, heading=heading.strip())


def set_meta(brief: Brief, **fields: str | Iterable[str]) -> Brief:
    """The brief with some metadata changed: `title`, `subtitle`, `author`,
    `date` (YYYY-MM-DD or empty), `classification`, `language`, `keywords`."""
    changes: dict[str, object] = {}
    for name, value in fields.items():
        if name == "keywords":
            if isinstance(value, str):
                raise EditError("keywords: expected a list of words, got text")
            changes[name] = tuple(k.strip() for k in value if k.strip())
        elif name in _META_TEXT:
            if not isinstance(value, str):
                raise EditError(f"{name}: expected text")
            changes[name] = value.strip() if name in ("date", "language") else value
        else:
            known = ", ".join((*_META_TEXT, "keywords"))
            raise EditError(f"{name}: not a field of a brief (expected one of: {known})")
    if changes.get("date") and not is_date(str(changes["date"])):
        raise EditError(f"date: expected a date like 2026-11-22, got {changes['date']!r}")
    if "language" in changes and not changes["language"]:
        changes["language"] = "en"
    meta: Meta = dataclasses.replace(brief.meta, **changes)  # type: ignore[arg-type]
    return dataclasses.replace(brief, meta=meta)


def _replace_section(brief: Brief, section_id: str, **changes: str) -> Brief:
    sections = list(brief.sections)
    for index, section in enumerate(sections):
        if section.id == section_id:
            sections[index] = dataclasses.replace(section, **changes)
            return dataclasses.replace(brief, sections=tuple(sections))
    raise EditError(f"no section {section_id!r} in this brief")


def word_count(brief: Brief, section_id: str | None = None) -> int:
    """Words a reader sees in one section, or in the whole brief."""
    if section_id is not None:
        section = brief.section(section_id)
        if section is None:
            raise EditError(f"no section {section_id!r} in this brief")
        return count_words(section.body)
    return sum(count_words(s.body) for s in brief.sections)


# --------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------


def citation_places(brief: Brief) -> dict[str, list[str]]:
    """For every key cited, the ids of the sections citing it, once per
    citation and in reading order (`len(...)` is how often it is cited)."""
    places: dict[str, list[str]] = {}
    for section in brief.sections:
        for key in cited_keys(section.body):
            places.setdefault(key, []).append(section.id)
    return places


def set_source(brief: Brief, key: str, source: Source) -> Brief:
    """The brief with source `key`'s fields replaced; every citation of it
    follows, since citations name the key."""
    if key not in brief.sources:
        raise EditError(f"no source [@{key}] in this brief")
    sources = dict(brief.sources)
    sources[key] = source
    return dataclasses.replace(brief, sources=sources)


def remove_source(brief: Brief, key: str) -> Brief:
    """The brief without source `key`. A source still cited is refused, with
    the sections that cite it named."""
    if key not in brief.sources:
        raise EditError(f"no source [@{key}] in this brief")
    places = citation_places(brief).get(key)
    if places:
        names = ", ".join(dict.fromkeys(_section_name(brief, sid) for sid in places))
        times = "once" if len(places) == 1 else f"{len(places)} times"
        raise EditError(
            f"source [@{key}] is still cited ({times}, in {names}); remove those citations first"
        )
    sources = {k: v for k, v in brief.sources.items() if k != key}
    return dataclasses.replace(brief, sources=sources)


def remove_sources(brief: Brief, keys: Iterable[str]) -> Brief:
    """The brief without the sources `keys` (all or none: one still cited
    is refused as `remove_source` refuses it)."""
    for key in keys:
        brief = remove_source(brief, key)
    return brief


def unused_sources(brief: Brief) -> list[str]:
    """The keys of the brief's sources that no section cites, in the
    brief's order: what a person may want to remove."""
    cited = citation_places(brief)
    return [key for key in brief.sources if key not in cited]


SOURCE_FIELDS = ("title", "publisher", "author", "url", "published", "accessed")
"""The fields of a source a person edits. Its `quote` and `snippet_id` say
where it came from (the snippet first cited) and are kept as they are."""

_SOURCE_DATE = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")


def set_source_fields(brief: Brief, key: str, **fields: str) -> Brief:
    """The brief with some fields of source `key` changed (`SOURCE_FIELDS`;
    dates as YYYY, YYYY-MM or YYYY-MM-DD, or empty). Every citation of the
    source follows, since citations name the key."""
    source = brief.sources.get(key)
    if source is None:
        raise EditError(f"no source [@{key}] in this brief")
    changes: dict[str, str] = {}
    for name, value in fields.items():
        if name not in SOURCE_FIELDS:
            known = ", ".join(SOURCE_FIELDS)
            raise EditError(f"{name}: not a field of a source (expected one of: {known})")
        if not isinstance(value, str):
            raise EditError(f"{name}: expected text")
        value = value.strip() if name in ("url", "published", "accessed") else value
        if name in ("published", "accessed") and value and not _is_source_date(value):
            raise EditError(
                f"{name}: expected a date like 2026-11-20 (or 2026-11, or 2026), got {value!r}"
            )
        changes[name] = value
    changed = dataclasses.replace(source, **changes)
    return brief if changed == source else set_source(brief, key, changed)


def _is_source_date(text: str) -> bool:
    if not _SOURCE_DATE.fullmatch(text):
        return False
    if len(text) == 10:
        return is_date(text)
    return len(text) == 4 or 1 <= int(text[5:7]) <= 12


@dataclass(frozen=True)
class Citation:
    """One key cited in a section's text: `key`, where its `@key` stands
    (`start` to `end`) and where the whole citation `[@...]` holding it
    stands (`bracket_start` to `bracket_end`). Positions count code points."""

    key: str
    start: int
    end: int
    bracket_start: int
    bracket_end: int

    @property
    def alone(self) -> bool:
        """True when the citation names this key only (`[@key]`)."""
        return self.start == self.bracket_start + 1 and self.end == self.bracket_end - 1


def citations(body: str) -> list[Citation]:
    """Every key cited in `body`, in order, as `citation_places` counts
    them (`[@a; @b]` gives two, each with its own place)."""
    if "@" not in body:
        return []  # most paragraphs cite nothing: no scan
    found: list[Citation] = []
    for m in CITATION.finditer(body):
        offset = m.start(1) - 1  # where the first key's "@" stands
        for k in CITED_KEY.finditer("@" + m.group(1)):
            found.append(
                Citation(k.group(1), offset + k.start(), offset + k.end(), m.start(), m.end())
            )
    return found


def citation_at(body: str, index: int) -> Citation | None:
    """The citation at `index` of `body` (a click or a cursor there, on or
    right after its brackets); in `[@a; @b]`, the key nearest before it."""
    best: Citation | None = None
    for citation in citations(body):
        if citation.bracket_start > index:
            break
        if index <= citation.bracket_end:
            if best is not None and best.bracket_start != citation.bracket_start:
                best = None  # `[@a][@b]` with the index between them: the second
            if best is None or citation.start <= index:
                best = citation
    return best


def unknown_citations(body: str, keys: Container[str]) -> list[Citation]:
    """The citations in `body` of keys that are not in `keys` (the brief's
    sources): an export prints them as `[?key]`."""
    return [citation for citation in citations(body) if citation.key not in keys]


def _section_name(brief: Brief, section_id: str) -> str:
    section = brief.section(section_id)
    return repr(section_name(section.heading if section else "", section_id))


def same_work(a: Source, b: Source) -> bool:
    """True when two sources are one work (one article, report, memo): the
    same library snippet described alike, or with the same web address
    (ignoring scheme, `www.`, a trailing slash, the fragment and tracking
    parameters), or the same title and publisher, or (with neither address
    nor title) the same publisher and author. Two different published dates
    always mean two works. A snippet number alone proves nothing: numbers
    are a library's own, and snippet 1 of a colleague's or the team's
    library is another snippet than this library's snippet 1."""
    if (
        a.snippet_id.strip()
        and a.snippet_id.strip() == b.snippet_id.strip()
        and _described_alike(a, b)
    ):
        return True
    if a.published.strip() and b.published.strip() and a.published.strip() != b.published.strip():
        return False
    if not (a.url.strip() or b.url.strip() or a.title.strip() or b.title.strip()):
        who_a = (normalise_text(a.publisher), normalise_text(a.author))
        return any(who_a) and who_a == (normalise_text(b.publisher), normalise_text(b.author))
    if a.url.strip() and b.url.strip() and _work_url(a.url) == _work_url(b.url):
        return True
    title_a, title_b = normalise_text(a.title), normalise_text(b.title)
    if title_a and title_a == title_b:
        pub_a, pub_b = normalise_text(a.publisher), normalise_text(b.publisher)
        if pub_a == pub_b and (pub_a or normalise_text(a.author) == normalise_text(b.author)):
            return True
    return False


def _described_alike(a: Source, b: Source) -> bool:
    """The two say the same of their work: address, title, publisher,
    author and date (as a person reads them)."""
    return normalise_url(a.url) == normalise_url(b.url) and all(
        normalise_text(getattr(a, name)) == normalise_text(getattr(b, name))
        for name in ("title", "publisher", "author", "published")
    )


def _work_url(url: str) -> str:
    normal = normalise_url(url)
    try:
        parts = urlsplit(normal)
    except ValueError:
        return normal
    if not parts.netloc:
        return normal
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _tracking(k)]
    )
    host = parts.netloc.removeprefix("www.")
    return f"{host}{parts.path}" + (f"?{query}" if query else "")


def _tracking(name: str) -> bool:
    name = name.lower()
    return name.startswith("utm_") or name in {"fbclid", "gclid", "mc_cid", "mc_eid", "ref"}


def source_key_for(brief: Brief, source: Source) -> tuple[str, bool]:
    """The key `source` takes in `brief`: the key of the same work if the
    brief has it (`True`), else a new readable key (`False`)."""
    for key, existing in brief.sources.items():
        if same_work(existing, source):
            return key, True
    return (
        make_key(
            publisher=source.publisher,
            url=source.url,
            author=source.author,
            title=source.title,
            published=source.published,
            taken=brief.sources,
        ),
        False,
    )


# --------------------------------------------------------------------------
# Citing a snippet
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Insertion:
    """What citing a snippet does to a section: `text` goes in at `start`
    of the (old) body; the source is stored under `key`, which is a key the
    brief already had when `reused`."""

    section_id: str
    key: str
    reused: bool
    source: Source
    start: int
    text: str

    @property
    def end(self) -> int:
        """Where the inserted text ends in the new body (for a cursor)."""
        return self.start + len(self.text)


def plan_citation(
    brief: Brief,
    section_id: str,
    snippet: Snippet,
    position: int | None = None,
    mode: CiteMode | str = CiteMode.QUOTE,
    *,
    kind: SectionKind | None = None,
) -> Insertion:
    """Work out what `cite_snippet` would insert, without inserting it."""
    mode = CiteMode(mode)
    section = brief.section(section_id)
    if section is None:
        raise EditError(f"no section {section_id!r} in this brief")
    source = snippet.to_brief_source()
    key, reused = source_key_for(brief, source)
    if reused:
        source = _merged(brief.sources[key], source)
    body = section.body
    at = None if position is None else max(0, min(int(position), len(body)))
    quote = snippet.text.strip()
    citation = f"[@{key}]"
    quoted = ""
    if quote and mode is not CiteMode.PARAPHRASE:
        marks = quote_marks(brief.meta.language)
        quoted = f"{marks.open}{' '.join(escape_markdown(quote).split())}{marks.close} {citation}"

    def block(start: int, text: str, gap: int) -> Insertion:
        return Insertion(section_id, key, reused, source, start, _spaced(body, start, text, gap))

    if (kind or _kind(section, None)) is SectionKind.BULLETS and (quoted or not body.strip()):
        # A bullets section gets a bullet: after the item at `position`.
        start = len(body) if at is None else _item_end(body, at)
        after_list = _LIST_LINE.match(_line_before(body, start)) or not body[:start].strip()
        return block(start, f"- {quoted or citation}", 1 if after_list else 2)
    if mode is CiteMode.QUOTE and quote:
        start = len(body) if at is None else _block_boundary(body, at)
        return block(start, _block_quote(quote, key), 2)
    if quoted and at is None:
        return block(len(body), quoted, 2)  # at the end: a paragraph of its own
    # In the running text: inline at `position`, or only the citation.
    at = len(body.rstrip()) if at is None else at
    while 0 < at < len(body) and body[at - 1].isalnum() and body[at].isalnum():
        at += 1  # never inside a word: to its end
    text = quoted or citation
    before = body[:at]
    if before and not before[-1].isspace():
        text = " " + text  # `word [@key]`: the citation follows its words
    after = body[at:]
    if after and (after[0].isalnum() or after[0] in "“‘«„「"):
        text += " "
    return Insertion(section_id, key, reused, source, at, text)


def quotes_snippet(brief: Brief, section_id: str, snippet: Snippet) -> bool:
    """True when the section already holds the snippet's words (its first
    paragraph, as `cite_snippet` writes it): citing it again in a quoting
    mode would repeat the quote."""
    section = brief.section(section_id)
    first = _BLANK_LINE.split(snippet.text.strip(), maxsplit=1)[0]
    words = " ".join(escape_markdown(first).split())
    return bool(section and words) and words in " ".join(section.body.split())


def cite_snippet(
    brief: Brief,
    section_id: str,
    snippet: Snippet,
    position: int | None = None,
    mode: CiteMode | str = CiteMode.QUOTE,
    *,
    kind: SectionKind | None = None,
) -> Brief:
    """The brief with `snippet` cited in section `section_id` at character
    `position` of its body (None: at the end), and its source added (or the
    same work's source reused). `position` counts code points, as Python
    does; a Qt cursor position converts with `briefer.text.index_from_utf16`.

    QUOTE puts the snippet in a block quote after the paragraph holding
    `position` (None: at the end); INLINE puts it in quotation marks at
    `position` (None: a paragraph of its own at the end); PARAPHRASE inserts
    only the citation `[@key]` (None: after the last words). In a section of
    bullets (`kind`, else guessed from the text), a quote becomes a new
    bullet after the one holding `position`."""
    return apply_insertion(
        brief, plan_citation(brief, section_id, snippet, position, mode, kind=kind)
    )


def apply_insertion(brief: Brief, insertion: Insertion) -> Brief:
    """The brief with a planned citation made."""
    section = brief.section(insertion.section_id)
    if section is None:
        raise EditError(f"no section {insertion.section_id!r} in this brief")
    body = section.body[: insertion.start] + insertion.text + section.body[insertion.start :]
    sources = dict(brief.sources)
    sources[insertion.key] = insertion.source
    brief = dataclasses.replace(brief, sources=sources)
    return set_body(brief, insertion.section_id, body)


@dataclass(frozen=True)
class CiteOutcome:
    """What citing several snippets at once did: the new brief, where the
    change begins in the section's old body (`start`) and where the last
    insertion ends in its new body (`end`), the citations made, and the
    snippets left out with why (id, reason)."""

    brief: Brief
    section_id: str
    start: int
    end: int
    made: tuple[Insertion, ...] = ()
    skipped: tuple[tuple[int, str], ...] = ()


def cite_snippets(
    brief: Brief,
    section_id: str,
    snippets: Sequence[Snippet],
    position: int | None = None,
    mode: CiteMode | str = CiteMode.QUOTE,
    *,
    kind: SectionKind | None = None,
) -> CiteOutcome:
    """Cite several snippets in section `section_id`, one after the other
    from `position` (None: at the end), as `cite_snippet` cites one, so one
    drop of several snippets is one change. A snippet in the trash is left
    out; so is, in a quoting mode, one whose words the section already
    quotes, and, in PARAPHRASE, a second snippet of a work just cited."""
    mode = CiteMode(mode)
    if brief.section(section_id) is None:
        raise EditError(f"no section {section_id!r} in this brief")
    made: list[Insertion] = []
    skipped: list[tuple[int, str]] = []
    start = end = -1
    at = position
    for snippet in snippets:
        if snippet.in_trash:
            skipped.append((snippet.id, "it is in the trash"))
            continue
        if mode is not CiteMode.PARAPHRASE and quotes_snippet(brief, section_id, snippet):
            skipped.append((snippet.id, "the section quotes it already"))
            continue
        insertion = plan_citation(brief, section_id, snippet, at, mode, kind=kind)
        if mode is CiteMode.PARAPHRASE and made and made[-1].key == insertion.key:
            skipped.append((snippet.id, "its source is cited there already"))
            continue
        brief = apply_insertion(brief, insertion)
        if start < 0:
            start = insertion.start
        end = insertion.end
        at = insertion.end
        made.append(insertion)
    return CiteOutcome(brief, section_id, start, end, tuple(made), tuple(skipped))


def _merged(existing: Source, new: Source) -> Source:
    """The stored source, with fields it lacks filled from another snippet
    of the same work (its quote and snippet stay the first one's)."""
    fill = {
        name: getattr(new, name)
        for name in ("title", "publisher", "author", "url", "published", "accessed")
        if not getattr(existing, name).strip() and getattr(new, name).strip()
    }
    return dataclasses.replace(existing, **fill) if fill else existing


def _block_boundary(body: str, at: int) -> int:
    """`at`, moved forward to the end of the paragraph (or list) it is in,
    so a block quote never splits a sentence."""
    if at >= len(body):
        return len(body)
    line_start = body.rfind("\n", 0, at) + 1
    if not body[line_start:at].strip() and (at == 0 or body[at - 1] == "\n"):
        # At the start of a line: fine if that line or the one before is blank.
        previous_blank = line_start == 0 or body[:line_start].endswith("\n\n")
        if previous_blank or not body[line_start:].split("\n", 1)[0].strip():
            return at
    m = _BLANK_LINE.search(body, at)
    return len(body.rstrip("\n")) if m is None else m.start()


def _spaced(body: str, start: int, block: str, gap: int) -> str:
    """`block` with the newlines it needs to stand `gap` line breaks (1: a
    list item, 2: a paragraph) from the text before and after `start`."""
    before = body[:start]
    after = body[start:]
    lead = "" if not before.strip() else "\n" * max(0, gap - _trailing_newlines(before))
    tail = "" if not after.strip() else "\n" * max(0, gap - _leading_newlines(after))
    return lead + block + tail


def _trailing_newlines(text: str) -> int:
    return len(text) - len(text.rstrip("\n"))


def _leading_newlines(text: str) -> int:
    return len(text) - len(text.lstrip("\n"))


def _item_end(body: str, at: int) -> int:
    """Where the list item holding `at` ends: the start of the next line
    that opens an item or is blank (or the end of the text)."""
    line_end = body.find("\n", at)
    while line_end != -1:
        next_line = body[line_end + 1 :].split("\n", 1)[0]
        if not next_line.strip() or _LIST_LINE.match(next_line):
            return line_end + 1
        line_end = body.find("\n", line_end + 1)
    return len(body)


def _line_before(body: str, start: int) -> str:
    """The last line with text before `start`."""
    lines = [line for line in body[:start].split("\n") if line.strip()]
    return lines[-1] if lines else ""


def _block_quote(quote: str, key: str) -> str:
    paragraphs = [" ".join(p.split()) for p in _BLANK_LINE.split(quote) if p.strip()]
    lines = [f"> {escape_markdown(p, line_start=True)}" for p in paragraphs]
    lines[-1] += f" [@{key}]"
    return "\n>\n".join(lines)


_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])")


def escape_markdown(text: str, *, line_start: bool = False) -> str:
    """`text` with every character that Markdown could read as markup
    backslash-escaped, so a snippet always shows as the words it holds.
    With `line_start`, also what would start a heading, list or quote."""
    escaped = _INLINE_SPECIAL.sub(r"\\\1", text)
    if line_start:
        escaped = _LINE_START.sub(lambda m: m.group(1) + _escape_lead(m.group(2)), escaped)
    return escaped


def _escape_lead(lead: str) -> str:
    if lead[0].isdigit():
        return lead[:-1] + "\\" + lead[-1]
    return "\\" + lead


# --------------------------------------------------------------------------
# Switching template
# --------------------------------------------------------------------------


def retemplate(brief: Brief, template: Template, old: Template | None = None) -> Brief:
    """The brief in the shape of `template`, every word kept.

    Sections are matched to the template's by id, then by heading (case and
    punctuation folded), then by position among sections of the same kind
    (bullets or prose; taken from `old`, the brief's current template, or
    guessed from the text). Each template section gets the text matched to
    it (empty if none). Text that matches nothing goes, under its heading, to
    a final section headed "Other" that is exported like any other.
    """
    specs = list(template.sections)
    old_specs = {s.id: s for s in old.sections} if old is not None else {}
    assigned: dict[str, Section] = {}
    left: list[Section] = []
    # The parts of an earlier "Other" section compete for places again, so
    # switching to a template and back puts every part where it was.
    sections, from_other = _expand_other(brief.sections)

    def label(section: Section) -> str:
        old_spec = old_specs.get(section.id)
        return section.heading or (old_spec.heading if old_spec else "")

    for section in sections:  # 1. by id
        spec = template.section(section.id)
        if spec is not None and spec.id not in assigned:
            old_spec = old_specs.get(section.id)
            custom = (
                section.heading
                and id(section) not in from_other
                and (
                    old_spec is None
                    or fold_heading(section.heading) != fold_heading(old_spec.heading)
                )
            )
            heading = section.heading if custom else spec.heading
            assigned[spec.id] = Section(spec.id, heading, section.body)
        else:
            left.append(section)

    by_heading = {fold_heading(s.heading): s for s in specs if s.heading}
    still: list[Section] = []
    for section in left:  # 2. by heading
        spec = by_heading.get(fold_heading(label(section))) if label(section) else None
        if spec is not None and spec.id not in assigned:
            assigned[spec.id] = Section(spec.id, spec.heading, section.body)
        else:
            still.append(section)

    rest: list[Section] = []
    for section in still:  # 3. by position among the same kind
        if not section.body.strip():
            continue  # nothing to keep
        kind = _kind(section, old_specs.get(section.id))
        spec = next((s for s in specs if s.id not in assigned and s.kind is kind), None)
        if spec is not None:
            assigned[spec.id] = Section(spec.id, spec.heading, section.body)
        else:
            rest.append(section)

    sections = [assigned.get(s.id, Section(s.id, s.heading, "")) for s in specs]
    if rest:
        parts = []
        for section in rest:
            # A part without a heading (key bullets, a lede) is headed by
            # its id in words, so it can find its way back later.
            heading = label(section) or section.id.replace("-", " ").replace("_", " ").capitalize()
            if section.id == OTHER_ID:
                parts.append(section.body.strip("\n"))
            else:
                parts.append(f"## {heading.strip()}\n\n{section.body.strip(chr(10))}")
        other_id = unique_name(OTHER_ID, {spec.id for spec in specs})
        sections.append(Section(other_id, OTHER_HEADING, "\n\n".join(parts)))
    return dataclasses.replace(brief, template=template.id, sections=tuple(sections))


def complete_sections(brief: Brief, template: Template) -> Brief:
    """The brief with an empty section for each template section it lacks,
    in the template's order; sections the template does not know keep their
    place after the section they followed. Text is not moved."""
    order = {spec.id: i for i, spec in enumerate(template.sections)}
    present = {section.id for section in brief.sections}
    keyed: list[tuple[float, int, Section]] = []
    last = -1.0
    for position, section in enumerate(brief.sections):
        if section.id in order:
            last = order[section.id]
        keyed.append((last if section.id in order else last + 0.5, position, section))
    keyed.extend(
        (order[spec.id], -1, Section(spec.id, spec.heading, ""))
        for spec in template.sections
        if spec.id not in present
    )
    keyed.sort(key=lambda item: (item[0], item[1]))
    return dataclasses.replace(brief, sections=tuple(section for _, _, section in keyed))


def _expand_other(sections: tuple[Section, ...]) -> tuple[list[Section], set[int]]:
    """The sections, with each "Other" section cut back into its `## ` parts
    (ids from their headings); also the ids (`id()`) of those parts."""
    out: list[Section] = []
    parts_made: set[int] = set()
    for section in sections:
        if section.id != OTHER_ID and not (
            section.heading == OTHER_HEADING and section.id.startswith(OTHER_ID)
        ):
            out.append(section)
            continue
        lead: list[str] = []
        parts: list[tuple[str, list[str]]] = []
        for line, structural in lines_outside_code(section.body):
            if structural and line.startswith("## "):
                parts.append((heading_text(line), []))
            else:
                (parts[-1][1] if parts else lead).append(line)
        if "\n".join(lead).strip():
            out.append(Section(OTHER_ID, "", "\n".join(lead).strip("\n")))
        for heading, lines in parts:
            part = Section(slugify(heading) or OTHER_ID, heading, "\n".join(lines).strip("\n"))
            parts_made.add(id(part))
            out.append(part)
    return out, parts_made


_LIST_LINE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")


def _kind(section: Section, old_spec: SectionSpec | None) -> SectionKind:
    """A section's kind in its current template, else guessed from its text."""
    if old_spec is not None:
        return old_spec.kind
    lines = [line for line in section.body.split("\n") if line.strip()]
    first_is_item = bool(lines) and _LIST_LINE.match(lines[0]) is not None
    return SectionKind.BULLETS if first_is_item else SectionKind.PROSE
