"""From an input file to an exported file: the service the CLI and GUI share.

`load_input` reads a `.brief` or a Markdown file and finds its template;
`export_brief` composes and renders it atomically. Nothing here prints or
knows about Qt: results and warnings are returned to the caller.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from briefer.briefs import load_brief, load_markdown, match_template_sections
from briefer.compose import compose
from briefer.errors import BrieferError
from briefer.export import export_document
from briefer.markup import MarkdownParser
from briefer.model import Brief, Template
from briefer.templates import TemplateRegistry, with_reference

MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".txt"}


@dataclass
class LoadedInput:
    path: Path
    brief: Brief
    template: Template


@dataclass
class ExportResult:
    source: Path
    output: Path
    format: str
    warnings: list[str] = field(default_factory=list)


def load_input(
    path: Path,
    registry: TemplateRegistry,
    template_ref: str | None = None,
    reference: Path | None = None,
) -> LoadedInput:
    """Read a brief or Markdown file and resolve the template it asks for
    (or `template_ref`, which wins), with an optional base Word document."""
    suffix = path.suffix.lower()
    if suffix == ".brief":
        brief = load_brief(path)
    elif suffix in MARKDOWN_SUFFIXES:
        brief = load_markdown(path)
    else:
        raise BrieferError(f"{path}: expected a .brief or Markdown (.md) file")
    template = registry.get(template_ref or brief.template)
    if suffix != ".brief":
        match_template_sections(brief, template)
    if reference is not None:
        template = with_reference(template, reference)
    return LoadedInput(path=path, brief=brief, template=template)


def export_brief(
    loaded: LoadedInput,
    output: Path,
    fmt: str,
    *,
    parser: MarkdownParser | None = None,
    created: dt.datetime | None = None,
    deterministic: bool = False,
) -> ExportResult:
    document = compose(
        loaded.brief,
        loaded.template,
        base_dir=loaded.path.parent,
        parser=parser,
        created=created,
        deterministic=deterministic,
    )
    export_document(document, output, fmt)
    return ExportResult(
        source=loaded.path, output=output, format=fmt, warnings=list(document.warnings)
    )
