"""Plain data for briefs and templates.

These dataclasses are what every other layer passes around: a `Brief` as it
is stored in a `.brief` file, and a `Template` (its section structure plus a
`Style`) as loaded from `template.toml`. Nothing here reads files or knows
about any output format; validation of untrusted input lives in
`briefer.briefs` and `briefer.templates`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path


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

    @property
    def mm(self) -> tuple[float, float]:
        """Width and height in millimetres."""
        return (210.0, 297.0) if self is PageSize.A4 else (215.9, 279.4)


# --------------------------------------------------------------------------
# Briefs
# --------------------------------------------------------------------------


@dataclass
class Meta:
    title: str = ""
    subtitle: str = ""
    author: str = ""
    date: str = ""  # ISO 8601 (YYYY-MM-DD) or empty
    classification: str = ""
    language: str = "en"
    keywords: list[str] = field(default_factory=list)


@dataclass
class Section:
    id: str
    heading: str = ""
    body: str = ""  # Markdown


@dataclass
class Source:
    title: str = ""
    publisher: str = ""
    author: str = ""
    url: str = ""
    published: str = ""
    accessed: str = ""
    quote: str = ""
    snippet_id: str = ""


@dataclass
class Brief:
    template: str
    meta: Meta = field(default_factory=Meta)
    sections: list[Section] = field(default_factory=list)
    sources: dict[str, Source] = field(default_factory=dict)

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
