"""Brief + template -> one `Document` that every exporter renders.

What happens here, in order:

- sections are put in the template's order; sections the template does not
  know keep their place after the known section they followed; empty optional
  sections are skipped and empty required ones are reported;
- each section's Markdown is parsed once, its headings shifted below the
  section heading (a body `##` is a level-1 heading, `###` level 2, never
  above the section's own heading) and given unique anchors;
- the template's heading look is applied (a heading, or a bold lead-in that
  opens the section's first paragraph);
- citations are numbered in order of first use across the whole document;
  a citation of an unknown key is reported and shown as `[?key]`;
- the sources are listed as the template says: a numbered list, a closing
  "Source:" line, or footnotes (left to the renderers);
- images are vetted: only existing image files inside the brief's folder are
  kept, anything else becomes a placeholder with a warning.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

from briefer.document import (
    Block,
    BulletList,
    Citation,
    Contents,
    ContentsEntry,
    Diagnostic,
    DiagnosticKind,
    Document,
    Emphasis,
    Heading,
    Image,
    Link,
    ListItem,
    OrderedList,
    Paragraph,
    Quote,
    SourceEntry,
    SourceLine,
    SourcesList,
    Span,
    Strong,
    Subtitle,
    Table,
    Text,
    Title,
    drop_empty_fields,
    plain_text,
)
from briefer.markup import MarkdownParser
from briefer.model import Brief, CitationStyle, HeadingLook, Meta, Section, Source, Template
from briefer.text import fold_heading, slugify, unique_name
from briefer.typography import smarten, smarten_source, smarten_text
from briefer.words import count_block_words

# The space a citation marker is glued over: ordinary and no-break spaces,
# never a line break the writer typed.
_GLUE_SPACE = " \t\u00a0\u202f"

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".svg"}


def compose(
    brief: Brief,
    template: Template,
    *,
    base_dir: Path | None = None,
    parser: MarkdownParser | None = None,
    created: dt.datetime | None = None,
    deterministic: bool = False,
) -> Document:
    """Build the document for `brief` in the shape and style of `template`.

    `base_dir` is the folder relative image paths are resolved against (the
    brief's folder); without it, no image file is read.
    """
    composer = _Composer(brief, template, base_dir, parser or MarkdownParser())
    return composer.build(created, deterministic)


class _Composer:
    def __init__(
        self, brief: Brief, template: Template, base_dir: Path | None, parser: MarkdownParser
    ):
        self.brief = brief
        self.template = template
        self.style = template.style
        self.base_dir = base_dir.resolve() if base_dir else None
        self.parser = parser
        self.diagnostics: list[Diagnostic] = []
        self.anchors: set[str] = set()
        self.numbers: dict[str, int] = {}
        self.unknown: set[str] = set()
        self.current_section = ""
        self.current_name = ""
        self.seen_text = False  # whether a section before this one printed anything

    def warn(self, kind: DiagnosticKind, message: str, section: str = "", key: str = "") -> None:
        diagnostic = Diagnostic(kind, message, section, key)
        if diagnostic not in self.diagnostics:
            self.diagnostics.append(diagnostic)

    # -- the whole document -------------------------------------------------

    def build(self, created: dt.datetime | None, deterministic: bool) -> Document:
        meta = self.brief.meta
        blocks: list[Block] = []
        if meta.title.strip():
            blocks.append(Title((Text(meta.title.strip()),)))
        if meta.subtitle.strip():
            blocks.append(Subtitle((Text(meta.subtitle.strip()),)))
        front = len(blocks)

        for section in self._ordered_sections():
            self.current_section = section.id
            self.current_name = self._name(section)
            blocks.extend(self._section(section))
        # A "Source:" line names every source, cited or not (a Markdown
        # brief's `Source: Bloomberg`), so none of them goes unprinted.
        if self.style.citations is not CitationStyle.SOURCE_LINE:
            self._check_unused()

        self._check_classification(meta)
        if self.style.contents:
            title = fold_heading(meta.title)
            entries = tuple(
                ContentsEntry(b.level, plain_text(b.spans), b.anchor)
                for b in blocks
                if isinstance(b, Heading)
                and b.level <= 2
                and not (title and fold_heading(plain_text(b.spans)) == title)
            )
            if entries:
                blocks.insert(front, Contents(self.style.contents_title, entries))

        sources = self._sources()
        if sources and self.style.citations is CitationStyle.ENDNOTES:
            blocks.append(SourcesList(self.style.sources_title, tuple(sources)))
        if self.style.citations is CitationStyle.SOURCE_LINE:
            # The closing line names every source of the brief: the cited
            # ones in order of first use, then those no `[@key]` cites (a
            # Markdown brief's `Source: Bloomberg`), without a number.
            named = sources + self._uncited_sources(len(sources))
            if named:
                blocks.append(SourceLine(self._source_label(named), tuple(named)))
        style = dataclasses.replace(
            self.style,
            header=drop_empty_fields(self.style.header, meta),
            footer=drop_empty_fields(self.style.footer, meta),
        )
        meta = dataclasses.replace(meta)  # the document's own, never the brief's
        if self.style.smart_punctuation:
            language = meta.language
            blocks = list(smarten(blocks, language))
            sources = [smarten_source(entry, language) for entry in sources]
            meta = dataclasses.replace(
                meta,
                title=smarten_text(meta.title, language),
                subtitle=smarten_text(meta.subtitle, language),
            )
        return Document(
            meta=meta,
            style=style,
            blocks=tuple(blocks),
            sources=tuple(sources),
            diagnostics=tuple(self.diagnostics),
            created=created,
            deterministic=deterministic,
        )

    def _heading(self, section: Section) -> str:
        """The heading a section is exported under: its own, else its
        template section's ("" for a heading-less section)."""
        spec = self.template.section(section.id)
        return (section.heading or (spec.heading if spec else "")).strip()

    def _name(self, section: Section) -> str:
        return section_name(self._heading(section), section.id)

    def _ordered_sections(self) -> list[Section]:
        order = {spec.id: i for i, spec in enumerate(self.template.sections)}
        keyed: list[tuple[float, int, Section]] = []
        last = -1.0
        for position, section in enumerate(self.brief.sections):
            if section.id in order:
                last = order[section.id]
                keyed.append((last, position, section))
            else:
                keyed.append((last + 0.5, position, section))
        keyed.sort(key=lambda item: (item[0], item[1]))
        present = {section.id for section in self.brief.sections}
        for spec in self.template.sections:
            if spec.required and spec.id not in present:
                self.warn(
                    DiagnosticKind.MISSING_REQUIRED,
                    f"required section {section_name(spec.heading, spec.id)!r} is missing",
                    spec.id,
                )
        return [section for _, _, section in keyed]

    def _section(self, section: Section) -> list[Block]:
        spec = self.template.section(section.id)
        heading = self._heading(section)
        if not section.body.strip():
            if spec is not None and spec.required:
                self.warn(
                    DiagnosticKind.MISSING_REQUIRED,
                    f"required section {self.current_name!r} is empty",
                    section.id,
                )
            return []
        parsed = self.parser.parse(section.body)
        if spec is not None and spec.max_words:
            words = count_block_words(parsed)
            if words > spec.max_words:
                self.warn(
                    DiagnosticKind.OVER_BUDGET,
                    f"section {self.current_name!r} has {words} words;"
                    f" the template's budget is {spec.max_words}",
                    section.id,
                )
        body = [self._block(b) for b in parsed]
        if not self.seen_text:
            body = self._drop_title_heading(body)
        self.seen_text = self.seen_text or bool(body)
        level = self.style.section_heading_level
        body = self._shift_headings(body, level if heading else level - 1)
        if not heading:
            return body
        if self.style.heading_look is HeadingLook.LEAD_IN:
            if body and isinstance(body[0], Paragraph) and not body[0].lead_in:
                return [dataclasses.replace(body[0], lead_in=heading), *body[1:]]
            return [Paragraph((), lead_in=heading), *body]
        return [Heading(level, (Text(heading),), self._anchor(heading)), *body]

    def _drop_title_heading(self, body: list[Block]) -> list[Block]:
        """The document's first text without a heading that repeats the title
        (`# Port of Halden…` under a front-matter title): the title is
        printed once, as the Title."""
        title = fold_heading(self.brief.meta.title)
        first = body[0] if body else None
        if title and isinstance(first, Heading) and fold_heading(plain_text(first.spans)) == title:
            return body[1:]
        return body

    def _shift_headings(self, blocks: list[Block], above: int) -> list[Block]:
        """Body headings placed below level `above` (the section's heading,
        or 0 at the top), keeping their levels relative to each other: a body
        using `##` and `###` under a level-1 section heading gets levels 2
        and 3. Levels stop at 3, the deepest a document has."""
        levels = [b.level for b in blocks if isinstance(b, Heading)]
        if not levels:
            return blocks
        top = min(levels)
        out: list[Block] = []
        for block in blocks:
            if isinstance(block, Heading):
                level = max(1, min(3, above + 1 + block.level - top))
                block = Heading(level, block.spans, self._anchor(plain_text(block.spans)))
            out.append(block)
        return out

    def _anchor(self, text: str) -> str:
        return unique_name("h-" + (slugify(text, 40) or "section"), self.anchors)

    # -- blocks and spans, rebuilt with numbered citations and vetted images --

    def _block(self, block: Block) -> Block:
        if isinstance(block, (Paragraph, Heading, Title, Subtitle)):
            return dataclasses.replace(block, spans=self._spans(block.spans))
        if isinstance(block, (BulletList, OrderedList)):
            return dataclasses.replace(block, items=tuple(self._item(item) for item in block.items))
        if isinstance(block, ListItem):
            return self._item(block)
        if isinstance(block, Quote):
            return Quote(tuple(self._block(b) for b in block.blocks))
        if isinstance(block, Table):
            return dataclasses.replace(
                block,
                header=tuple(self._spans(cell) for cell in block.header),
                rows=tuple(tuple(self._spans(cell) for cell in row) for row in block.rows),
            )
        if isinstance(block, Image):
            return self._image(block)
        return block

    def _item(self, item: ListItem) -> ListItem:
        return ListItem(tuple(self._block(b) for b in item.blocks))

    def _spans(self, spans: tuple[Span, ...]) -> tuple[Span, ...]:
        out: list[Span] = []
        for span in spans:
            if isinstance(span, Citation):
                # `word [@key].` prints `word[1].`: the marker belongs to the
                # word before it (as pandoc's citeproc does), so no line can
                # start with it.
                if out and isinstance(out[-1], Text):
                    before = out[-1].text.rstrip(_GLUE_SPACE)
                    if before:
                        out[-1] = Text(before)
                    else:
                        out.pop()
                out.append(self._cite(span.key))
            elif isinstance(span, (Strong, Emphasis, Link)):
                out.append(dataclasses.replace(span, children=self._spans(span.children)))
            else:
                out.append(span)
        return tuple(out)

    def _cite(self, key: str) -> Citation:
        n = self.numbers.get(key)
        if n is None:
            if key not in self.brief.sources:
                if key not in self.unknown:
                    self.unknown.add(key)
                    self.warn(
                        DiagnosticKind.UNKNOWN_CITATION,
                        f"citation [@{key}] in section {self.current_name!r}"
                        " names no source in this brief",
                        self.current_section,
                        key,
                    )
                return Citation(key, 0)
            n = self.numbers[key] = len(self.numbers) + 1
        return Citation(key, n)

    def _image(self, image: Image) -> Image:
        src = image.src.strip()

        def refuse(why: str) -> Image:
            self.warn(
                DiagnosticKind.MISSING_IMAGE,
                f"image {src!r} {why}; a placeholder is shown instead",
                self.current_section,
            )
            return dataclasses.replace(image, path=None)

        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", src) and not re.match(r"^[A-Za-z]:[\\/]", src):
            return refuse("is not a local file (only files beside the brief are used)")
        if self.base_dir is None:
            return refuse("cannot be used here (no folder to look in)")
        try:
            path = (self.base_dir / src).resolve()
        except (OSError, ValueError):
            return refuse("is not a usable file name")
        if not path.is_relative_to(self.base_dir):
            return refuse("is outside the brief's folder")
        if path.suffix.lower() not in IMAGE_EXTENSIONS:
            return refuse("is not an image file")
        if not path.exists():
            return refuse("was not found")
        if not path.is_file():  # a folder, FIFO or device: never opened
            return refuse("is not a regular file")
        return dataclasses.replace(image, path=path)

    # -- sources ---------------------------------------------------------------

    def _sources(self) -> list[SourceEntry]:
        return [
            _entry(n, key, self.brief.sources[key])
            for key, n in sorted(self.numbers.items(), key=lambda kv: kv[1])
        ]

    def _uncited_sources(self, count: int) -> list[SourceEntry]:
        uncited = [key for key in self.brief.sources if key not in self.numbers]
        return [
            dataclasses.replace(_entry(count + i, key, self.brief.sources[key]), cited=False)
            for i, key in enumerate(uncited, start=1)
        ]

    def _source_label(self, entries: list[SourceEntry]) -> str:
        """The template's label, in the plural for more than one source when
        it is the default English one ("Source:" -> "Sources:")."""
        label = self.style.source_line_label
        if len(entries) > 1 and label.strip() == "Source:":
            return label.replace("Source:", "Sources:")
        return label

    def _check_unused(self) -> None:
        for key, source in self.brief.sources.items():
            if key not in self.numbers:
                name = source.publisher.strip() or source.title.strip() or key
                self.warn(
                    DiagnosticKind.UNUSED_SOURCE,
                    f"source [@{key}] ({name}) is not cited anywhere",
                    key=key,
                )

    def _check_classification(self, meta: Meta) -> None:
        if not meta.classification.strip() or self.style.banner:
            return
        shown = (self.style.header, self.style.footer)
        if any("{classification}" in pattern for pattern in shown):
            return
        self.warn(
            DiagnosticKind.HIDDEN_CLASSIFICATION,
            f"the brief's classification {meta.classification.strip()!r} is not printed:"
            f" template {self.template.id!r} has no banner and no {{classification}}"
            " in its header or footer",
        )


def _entry(n: int, key: str, source: Source) -> SourceEntry:
    return SourceEntry(
        n=n,
        key=key,
        publisher=source.publisher.strip(),
        title=source.title.strip(),
        url=source.url.strip(),
        spans=format_source(source),
    )


def section_name(heading: str, section_id: str) -> str:
    """How messages name a section: by its heading, or, for a heading-less
    one such as the key bullets, by its id in words, as the window's editor
    names it ("Key points")."""
    if heading.strip():
        return heading.strip()
    words = section_id.replace("-", " ").replace("_", " ")
    return words[:1].upper() + words[1:]


def format_source(source: Source) -> tuple[Span, ...]:
    """One reference, the same in every format:
    `Author, Title. Publisher, 2026-11-20. https://… (accessed 2026-11-22).`"""
    spans: list[Span] = []
    if source.author.strip():
        spans.append(Text(source.author.strip() + (", " if source.title.strip() else ". ")))
    if source.title.strip():
        spans.append(Emphasis((Text(source.title.strip()),)))
        spans.append(Text(". "))
    tail = ", ".join(p.strip() for p in (source.publisher, source.published) if p.strip())
    if tail:
        spans.append(Text(tail + ". "))
    if source.url.strip():
        url = source.url.strip()
        spans.append(Link(url, (Text(url),)))
        spans.append(
            Text(f" (accessed {source.accessed.strip()})." if source.accessed.strip() else "")
        )
    if not spans:
        spans.append(Text("(no details)"))
    merged: list[Span] = []
    for span in spans:
        if isinstance(span, Text) and not span.text:
            continue
        merged.append(span)
    if merged and isinstance(merged[-1], Text):
        merged[-1] = Text(merged[-1].text.rstrip())
    return tuple(merged)
