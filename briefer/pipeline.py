"""From a brief to exported files: the service the CLI and the window share.

`export` composes a brief (saved or not) with a template and renders it
atomically in one or more formats; `load_input` reads a `.brief` or a
Markdown file and finds its template, and `export_brief` exports what it
read. Nothing here prints, reads the environment or knows about Qt: the
caller passes `ExportSettings` (built from the environment by
`ExportSettings.from_env` on the command line) and gets results with
structured diagnostics back.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from briefer.briefs import load_brief, load_markdown, match_template_sections
from briefer.compose import compose
from briefer.document import Diagnostic, DiagnosticKind
from briefer.errors import BrieferError
from briefer.export import export_document
from briefer.jobs import ProgressCallback, scaled
from briefer.markup import MarkdownParser
from briefer.model import Brief, Template
from briefer.paths import Paths, system_font_dirs
from briefer.templates import TemplateRegistry, with_reference

MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".txt"}


@dataclass(frozen=True)
class ExportSettings:
    """What an export takes from its surroundings, passed in rather than
    read from the environment: a fixed creation time (`deterministic` makes
    two exports of one brief identical), the folder for cached font data and
    the folders fonts are installed in."""

    created: dt.datetime | None = None
    deterministic: bool = False
    font_cache: Path | None = None
    font_dirs: tuple[Path, ...] | None = None  # None: the platform's standard folders

    @classmethod
    def from_env(cls, paths: Paths, env: Mapping[str, str] | None = None) -> ExportSettings:
        """`SOURCE_DATE_EPOCH` (the reproducible-builds convention) fixes
        every date written into an export; fonts are cached under the user's
        cache folder."""
        env = os.environ if env is None else env
        created, deterministic = None, False
        epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
        if epoch:
            try:
                created = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
                deterministic = True
            except (ValueError, OverflowError, OSError):
                pass
        return cls(
            created=created,
            deterministic=deterministic,
            font_cache=paths.cache_dir / "fonts",
            font_dirs=tuple(system_font_dirs(env)),
        )


@dataclass(frozen=True)
class LoadedInput:
    path: Path
    brief: Brief
    template: Template


@dataclass(frozen=True)
class ExportResult:
    """One written file and what composing and rendering it noticed."""

    output: Path
    format: str
    diagnostics: tuple[Diagnostic, ...] = ()
    source: Path | None = None

    @property
    def warnings(self) -> list[str]:
        return [d.message for d in self.diagnostics]


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
        brief = match_template_sections(brief, template)
    if reference is not None:
        template = with_reference(template, reference)
    return LoadedInput(path=path, brief=brief, template=template)


def export(
    brief: Brief,
    template: Template,
    output: str | os.PathLike[str],
    fmt: str,
    *,
    base_dir: Path | None = None,
    settings: ExportSettings | None = None,
    parser: MarkdownParser | None = None,
    progress: ProgressCallback | None = None,
) -> ExportResult:
    """Compose `brief` with `template` and write it as `fmt` to `output`,
    atomically. The brief need not be saved anywhere: `base_dir` is the
    folder its images are looked up in (none are read without it). Raising
    `briefer.jobs.Cancelled` from `progress` stops the export and leaves
    `output` as it was."""
    return export_many(
        brief,
        template,
        [(Path(output), fmt)],
        base_dir=base_dir,
        settings=settings,
        parser=parser,
        progress=progress,
    )[0]


def export_many(
    brief: Brief,
    template: Template,
    targets: Sequence[tuple[Path, str]],
    *,
    base_dir: Path | None = None,
    settings: ExportSettings | None = None,
    parser: MarkdownParser | None = None,
    progress: ProgressCallback | None = None,
    source: Path | None = None,
) -> list[ExportResult]:
    """Export one brief to several `(output, format)` targets, composing it
    once. Progress runs over all targets together."""
    settings = settings or ExportSettings()
    document = compose(
        brief,
        template,
        base_dir=base_dir,
        parser=parser,
        created=settings.created,
        deterministic=settings.deterministic,
    )
    results = []
    for index, (output, fmt) in enumerate(targets):
        # Each target is one part of the job, 1000 steps wide.
        step = (
            progress
            if len(targets) == 1
            else scaled(
                progress,
                1000 * index,
                1000 * (index + 1),
                1000 * len(targets),
                f"Exporting {Path(output).name}",
            )
        )
        warnings = export_document(
            document,
            output,
            fmt,
            progress=step,
            font_cache=settings.font_cache,
            font_dirs=settings.font_dirs,
        )
        diagnostics = (
            *document.diagnostics,
            *(Diagnostic(DiagnosticKind.EXPORT, message) for message in warnings),
        )
        results.append(ExportResult(Path(output), fmt, tuple(diagnostics), source))
    return results


def warnings_of(results: Sequence[ExportResult]) -> list[str]:
    """The warnings of several exports of one brief, each once: compose's
    notes are in every result, each renderer's only in its own."""
    return list(dict.fromkeys(w for result in results for w in result.warnings))


def export_brief(
    loaded: LoadedInput,
    output: Path,
    fmt: str,
    *,
    settings: ExportSettings | None = None,
    parser: MarkdownParser | None = None,
    progress: ProgressCallback | None = None,
) -> ExportResult:
    """Export a brief read by `load_input` (images beside its file)."""
    return export_many(
        loaded.brief,
        loaded.template,
        [(output, fmt)],
        base_dir=loaded.path.parent,
        settings=settings,
        parser=parser,
        progress=progress,
        source=loaded.path,
    )[0]
