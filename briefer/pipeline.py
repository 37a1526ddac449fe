"""From a brief to exported files: the service the CLI and the window share.

`export` composes a brief (saved or not) with a template and renders it
atomically in one or more formats; `load_input` reads a `.brief` or a
Markdown file and finds its template, and `export_brief` exports what it
read. Nothing here prints, reads the environment or knows about Qt: the
caller passes `ExportSettings` (built from the environment by
`ExportSettings.from_env` on the command line) and gets results with
structured diagnostics back. `check_template` finds, without writing a file,
everything an export with a template would: besides what `read_template`
finds, a Word base that does not open, fonts that are not installed, and a
`sample.brief` that is invalid or that composes or renders with warnings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from briefer.briefs import load_brief
from briefer.compose import compose
from briefer.document import Diagnostic, DiagnosticKind, Document
from briefer.errors import BrieferError, BriefFormatError, ExportError, TemplateError
from briefer.export import available_formats, export_document, exporter_for
from briefer.jobs import ProgressCallback, scaled
from briefer.markdown_input import load_markdown, match_template_sections
from briefer.markup import MarkdownParser
from briefer.model import Brief, Meta, Style, Template
from briefer.paths import Paths, system_font_dirs
from briefer.templates import (
    TEMPLATE_FILE,
    Problem,
    Severity,
    TemplateRegistry,
    TemplateReport,
    read_template,
    with_reference,
)

MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".txt"}
SAMPLE_FILE = "sample.brief"  # a template folder's sample (`Template.sample_path`)


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
    (or `template_ref`, which wins), with an optional base Word document.
    The file names its template by id only; `template_ref`, given by the
    person, may be a template folder."""
    suffix = path.suffix.lower()
    if suffix == ".brief":
        brief = load_brief(path)
    elif suffix in MARKDOWN_SUFFIXES:
        brief = load_markdown(path)
    else:
        raise BrieferError(f"{path}: expected a .brief or Markdown (.md) file")
    if template_ref:
        template = registry.get(template_ref)
    else:
        try:
            template = registry.by_id(brief.template)
        except TemplateError as exc:
            raise TemplateError(f"{path}: {exc}") from exc
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


# --------------------------------------------------------------------------
# Checking a template as an export would use it
# --------------------------------------------------------------------------

# The PDF's own warning about a template font that is not installed: check
# names it already, by the style key that asks for it.
_MISSING_FONT = re.compile(r"font '.*' \(for the .*\) is not installed;")


def check_template(
    folder: str | os.PathLike[str], settings: ExportSettings | None = None
) -> TemplateReport:
    """Every problem an export with the template in `folder` would meet,
    errors and warnings, in the order of the folder's files: template.toml
    (`read_template`), its Word base (opened as the DOCX export opens it, and
    only read), its fonts (as the PDF export finds them) and `sample.brief`
    (valid for this template, then composed and rendered in every format,
    in memory, with its warnings; without a sample, a brief with only a
    title is rendered, so the logo and the page furniture are still tried).
    Nothing is written."""
    settings = settings or ExportSettings()
    report = read_template(Path(folder))
    template = report.template
    if template is None:
        return report
    found = list(report.problems)
    source = report.folder / TEMPLATE_FILE
    base_opens = _check_word_base(template.style, found)
    _check_fonts(template.style, source, settings, found)
    sample = _check_sample(template, settings, found)
    if sample is not None and template.sample_path is not None:
        _check_renders(sample, template.sample_path, settings, found, render_docx=base_opens)
    else:
        # Without a sample, a brief with only a title still tries the page
        # furniture every export has: header and footer, logo, fonts.
        title_only = Brief(template.id, Meta(title=template.name))
        document = compose(title_only, template, created=settings.created)
        _check_renders(document, source, settings, found, render_docx=base_opens)
    kinds = {d.kind for d in sample.diagnostics} if sample is not None else set()
    style = template.style
    placed = style.banner or any("{classification}" in p for p in (style.header, style.footer))
    if not placed and DiagnosticKind.HIDDEN_CLASSIFICATION not in kinds:  # else the sample said so
        found.append(
            Problem(
                source,
                "style",
                "neither the header, the footer nor a banner shows {classification},"
                " so a brief's classification is printed nowhere",
                Severity.WARNING,
            )
        )
    return dataclasses.replace(report, problems=tuple(dict.fromkeys(found)))


def _reason(exc: Exception, path: Path) -> str:
    """An error's message without the file name it starts with."""
    return str(exc).removeprefix(f"{path}: ")


def _check_word_base(style: Style, found: list[Problem]) -> bool:
    """Open the Word base as the DOCX export does; False if it does not open."""
    base = style.reference_docx
    if base is None:
        return True
    from briefer.export.word import open_base  # python-docx, only for a base

    try:
        open_base(base)
    except ExportError as exc:
        found.append(Problem(base, "", _reason(exc, base)))
        return False
    return True


def _check_fonts(
    style: Style, source: Path, settings: ExportSettings, found: list[Problem]
) -> None:
    """A font the template names that is not installed: the PDF draws with
    another (named here); the DOCX still names it, for machines that have it.
    A look's font (a house style's Heading 1 font, say) is checked too, once
    for each font."""
    from briefer.export.fonts import MONO_FALLBACKS, resolver_for  # scanning fonts costs

    fonts = resolver_for(settings.font_cache, settings.font_dirs)
    named = [(f"style.{key}", getattr(style, key), key) for key in _FONT_KEYS]
    named += [
        (f"style.looks.{element.value}.font", look.font, "")
        for element, look in style.looks.items()
        if look.font is not None
    ]
    seen: set[str] = set()
    for where, name, key in named:
        # The three keys are each named, as before; a look's font only when
        # no key or other look has named it.
        if (not key and name in seen) or fonts.family(name) is not None:
            continue
        seen.add(name)
        if key == "mono_font":
            stand_in = fonts.first_family(MONO_FALLBACKS)
            used = stand_in.family if stand_in is not None else "Courier"
        else:
            used = fonts.base(name).family
        found.append(
            Problem(
                source,
                where,
                f"{name!r} is not installed; the PDF uses {used} instead (the DOCX names"
                f" {name!r}, which Word shows where it is installed)",
                Severity.WARNING,
            )
        )


_FONT_KEYS = ("body_font", "heading_font", "mono_font")


def _check_sample(
    template: Template, settings: ExportSettings, found: list[Problem]
) -> Document | None:
    """Check the template's sample brief, if it has one: it loads and it is a
    brief for this template; composed, it gives no warnings. Returns the
    composed sample, or None without a sample that loads."""
    path = template.sample_path
    if path is None:
        if template.directory is None:
            return None
        # `sample_path` takes only a regular file; anything else there (a
        # named pipe, a folder) is named rather than passed over in silence.
        path = template.directory / SAMPLE_FILE
        if not os.path.lexists(path):
            return None
    try:
        brief = load_brief(path)
    except BriefFormatError as exc:
        found.append(Problem(path, "", _reason(exc, path)))
        return None
    if brief.template != template.id:
        found.append(
            Problem(
                path,
                "template",
                f"{brief.template!r}, but this template's id is {template.id!r}: exported"
                " on its own, the sample would use the other template",
            )
        )
    ids = ", ".join(spec.id for spec in template.sections)
    for index, section in enumerate(brief.sections):
        if template.section(section.id) is None:
            found.append(
                Problem(
                    path,
                    f"sections[{index}].id",
                    f"{section.id!r} is not a section of this template (its sections: {ids})",
                )
            )
    document = compose(brief, template, base_dir=path.parent, created=settings.created)
    found.extend(Problem(path, "", d.message, Severity.WARNING) for d in document.diagnostics)
    return document


def _check_renders(
    document: Document,
    file: Path,
    settings: ExportSettings,
    found: list[Problem],
    *,
    render_docx: bool,
) -> None:
    """Render `document` in every format, in memory, and report what the
    renderers say (an unreadable logo, characters no font draws, ...)."""
    for fmt in available_formats():
        if fmt == "docx" and not render_docx:
            continue  # the base that does not open is already reported
        exporter = exporter_for(fmt, font_cache=settings.font_cache, font_dirs=settings.font_dirs)
        try:
            warnings = exporter.render(document, io.BytesIO())
        except ExportError as exc:
            found.append(Problem(file, "", f"the {fmt.upper()} export fails: {exc}"))
            continue
        found.extend(
            Problem(file, "", f"in the {fmt.upper()}: {warning}", Severity.WARNING)
            for warning in warnings
            if not _MISSING_FONT.match(warning)  # named above, with its style key
        )
