"""Plain data for briefs and templates.

These frozen dataclasses are what every other layer passes around: a `Brief`
as it is stored in a `.brief` file (a value: edits make a new one), and a
`Template` (its section structure plus a `Style`) as loaded from
`template.toml`. Nothing here reads files or knows
about any output format; validation of untrusted input lives in
`briefer.briefs` and `briefer.templates`.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

V = TypeVar("V")


class SectionKind(enum.Enum):
    """How a template section is meant to be written."""

    BULLETS = "bullets"
    PROSE = "prose"


class HeadingLook(enum.Enum):
    """How section headings are shown in an export."""

    HEADING = "heading"  # a heading paragraph of its own
    LEAD_IN = "lead-in"  # a bold label that opens the section's first paragraph


class CitationStyle(enum.Enum):
    """Where the sources behind `[@key]` citations are listed."""

    SOURCE_LINE = "source-line"  # a closing "Source: ..." line
    ENDNOTES = "endnotes"  # numbered markers and a numbered sources list
    FOOTNOTES = "footnotes"  # real footnotes at the foot of the page


class PageSize(enum.Enum):
    A4 = "A4"
    LETTER = "Letter"
    LEGAL = "Legal"
    A5 = "A5"

    @property
    def mm(self) -> tuple[float, float]:
        """Width and height in millimetres, upright."""
        return _PAGE_MM[self]


_PAGE_MM = {
    PageSize.A4: (210.0, 297.0),
    PageSize.LETTER: (215.9, 279.4),
    PageSize.LEGAL: (215.9, 355.6),
    PageSize.A5: (148.0, 210.0),
}


class TextElement(enum.Enum):
    """The kinds of paragraph whose look a template may set one by one, as
    a house Word template sets its named styles (`TextLook`)."""

    NORMAL = "normal"
    TITLE = "title"
    SUBTITLE = "subtitle"
    HEADING_1 = "heading_1"
    HEADING_2 = "heading_2"
    HEADING_3 = "heading_3"
    LIST_BULLET = "list_bullet"
    QUOTE = "quote"

    @property
    def word_name(self) -> str:
        """The Word style's name as people see it ("Heading 1")."""
        return _WORD_NAMES[self]


_WORD_NAMES = {
    TextElement.NORMAL: "Normal",
    TextElement.TITLE: "Title",
    TextElement.SUBTITLE: "Subtitle",
    TextElement.HEADING_1: "Heading 1",
    TextElement.HEADING_2: "Heading 2",
    TextElement.HEADING_3: "Heading 3",
    TextElement.LIST_BULLET: "List Bullet",
    TextElement.QUOTE: "Quote",
}


# --------------------------------------------------------------------------
# Briefs
# --------------------------------------------------------------------------


class FrozenMap(Mapping, Generic[V]):
    """A read-only, hashable mapping that keeps its insertion order: the
    sources of a `Brief`. Equal to any mapping with the same items."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, V] | Iterable[tuple[str, V]] = ()) -> None:
        self._items: dict[str, V] = dict(items)

    def __getitem__(self, key: str) -> V:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            return self._items == other._items
        if isinstance(other, Mapping):
            return self._items == dict(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self._items.items()))

    def __repr__(self) -> str:
        return f"FrozenMap({self._items!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenMap, (self._items,))


@dataclass(frozen=True)
class Meta:
    title: str = ""
    subtitle: str = ""
    author: str = ""
    date: str = ""  # ISO 8601 (YYYY-MM-DD) or empty
    classification: str = ""
    language: str = "en"
    keywords: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.keywords, tuple):
            object.__setattr__(self, "keywords", tuple(self.keywords))


@dataclass(frozen=True)
class Section:
    id: str
    heading: str = ""
    body: str = ""  # Markdown


@dataclass(frozen=True)
class Source:
    title: str = ""
    publisher: str = ""
    author: str = ""
    url: str = ""
    published: str = ""
    accessed: str = ""
    quote: str = ""
    snippet_id: str = ""


@dataclass(frozen=True)
class Brief:
    """A brief as a value: edits (`briefer.editing`) return a new one, so
    "unsaved" is `brief != saved` and undo is a stack of earlier values.
    Lists and dicts given to the constructor are frozen into a tuple of
    sections and a `FrozenMap` of sources."""

    template: str
    meta: Meta = field(default_factory=Meta)
    sections: tuple[Section, ...] = ()
    sources: FrozenMap[Source] = field(default_factory=FrozenMap)

    def __post_init__(self) -> None:
        if not isinstance(self.sections, tuple):
            object.__setattr__(self, "sections", tuple(self.sections))
        if not isinstance(self.sources, FrozenMap):
            object.__setattr__(self, "sources", FrozenMap(self.sources))

    def section(self, section_id: str) -> Section | None:
        for section in self.sections:
            if section.id == section_id:
                return section
        return None


# --------------------------------------------------------------------------
# Templates
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionSpec:
    id: str
    heading: str = ""
    kind: SectionKind = SectionKind.PROSE
    guidance: str = ""  # shown while writing, never exported
    max_words: int | None = None
    required: bool = False


@dataclass(frozen=True)
class TextLook:
    """How one kind of paragraph looks where a template says so; None
    leaves a property to the rest of the `Style` (the body font, the
    accent colour, Briefer's own spacing). Sizes and spacing are in points;
    `line_spacing` is a multiple of single spacing (Word's "Multiple"; with
    a Word base single is the font's own line height, as Word measures it,
    else 1.17 times the size, as for the usual fonts), and `line_pitch_pt` a
    fixed distance from one baseline to the next (Word's "At least" or
    "Exactly"); one of the two, or neither."""

    font: str | None = None
    size_pt: float | None = None
    color: str | None = None  # "#RRGGBB"
    bold: bool | None = None
    italic: bool | None = None
    space_before_pt: float | None = None
    space_after_pt: float | None = None
    line_spacing: float | None = None
    line_pitch_pt: float | None = None

    @property
    def is_empty(self) -> bool:
        return self == TextLook()


@dataclass(frozen=True)
class TextLooks:
    """The `TextLook` of each `TextElement` (empty where the template sets
    none): `looks[TextElement.HEADING_1]`, and `looks.replace(element,
    look)` for a new value with one changed."""

    normal: TextLook = TextLook()
    title: TextLook = TextLook()
    subtitle: TextLook = TextLook()
    heading_1: TextLook = TextLook()
    heading_2: TextLook = TextLook()
    heading_3: TextLook = TextLook()
    list_bullet: TextLook = TextLook()
    quote: TextLook = TextLook()

    def __getitem__(self, element: TextElement) -> TextLook:
        return getattr(self, element.value)

    def replace(self, element: TextElement, look: TextLook) -> TextLooks:
        return dataclasses.replace(self, **{element.value: look})

    def items(self) -> Iterator[tuple[TextElement, TextLook]]:
        """Every element with the look it has, empty ones included."""
        for element in TextElement:
            yield element, self[element]

    @property
    def is_empty(self) -> bool:
        return self == TextLooks()


@dataclass(frozen=True)
class Style:
    page_size: PageSize = PageSize.A4
    margins_mm: tuple[float, float, float, float] = (
        20.0,
        18.0,
        20.0,
        18.0,
    )  # top right bottom left
    body_font: str = "DejaVu Sans"
    heading_font: str = "DejaVu Sans"
    mono_font: str = "DejaVu Sans Mono"
    body_size_pt: float = 10.5
    title_size_pt: float = 22.0
    heading_sizes_pt: tuple[float, float, float] = (14.0, 12.0, 11.0)
    line_spacing: float = 1.25
    text_color: str = "#1A1A1A"
    accent: str = "#0B5CAD"
    heading_look: HeadingLook = HeadingLook.HEADING
    # The outline level of a section's heading: 1 (Heading 1) or 2 (Heading
    # 2, as Smart Brevity's "What Happened?"); body headings go below it.
    section_heading_level: int = 1
    # Straight quotes, apostrophes, `--`, `---` and `...` become typographic
    # (“didn’t” – …), as pandoc does; code and URLs are never touched.
    smart_punctuation: bool = True
    header: str = ""
    footer: str = "Page {page} of {pages}"
    banner: bool = False
    banner_color: str = "#B00020"
    citations: CitationStyle = CitationStyle.ENDNOTES
    contents: bool = False
    contents_title: str = "In this article"
    sources_title: str = "Sources"
    source_line_label: str = "Source:"
    logo: Path | None = None  # resolved against the template folder
    logo_width_mm: float = 30.0
    reference_docx: Path | None = None  # resolved against the template folder
    # The Word base's table style the brief's tables take, by name; None:
    # the base's default for new tables, else its "Table Grid".
    table_style: str | None = None
    # Paragraph by paragraph, what the fields above do not say: a house
    # style's Heading 1 font, its Normal spacing (`briefer.house_style`).
    looks: TextLooks = TextLooks()


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    description: str = ""
    version: int = 1
    sections: tuple[SectionSpec, ...] = ()
    style: Style = field(default_factory=Style)
    directory: Path | None = None
    builtin: bool = False

    def section(self, section_id: str) -> SectionSpec | None:
        for spec in self.sections:
            if spec.id == section_id:
                return spec
        return None

    @property
    def sample_path(self) -> Path | None:
        """The template's sample brief, if it ships one."""
        if self.directory is None:
            return None
        path = self.directory / "sample.brief"
        return path if path.is_file() else None
