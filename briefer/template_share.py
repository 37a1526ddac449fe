"""Templates shared as one file: exported to a `.zip`, checked, imported.

A template received from someone else is untrusted. `check_package` and
`import_template` take a `.zip` or a folder and validate it whole before
anything is written where templates live, reporting every problem at once:

- the package itself: a zip's list of entries is measured before zipfile
  reads it, entries are bounded in number (`MAX_ENTRIES`) and size
  (`LIMITS`), and an entry whose name holds `..`, an absolute path, a drive
  letter or a backslash, or that is a link, a device, a pipe or a socket, is
  refused; a folder's links and special files are refused the same way. An
  entry that unpacks to more than it declares is stopped as soon as it does
  (`briefer.zipsafe`), so a zip bomb is refused without being expanded;
- what it holds: only files a template uses are unpacked (template.toml,
  a sample brief, pictures, a Word base, notes); others are left out with a
  warning. Every picture is decoded within Briefer's pixel bound
  (decompression bombs are refused);
- the template: everything `briefer templates check` finds
  (`briefer.pipeline.check_template`): the TOML, the Word base opening
  cleanly, fonts not installed (named with the font the PDF uses instead),
  and the sample brief.

A package is unpacked into a hidden folder (`.import-xxxxxxxx`) that is
removed unless the whole template passes; an import then renames it into
place, so nothing half imported is ever seen. Briefer never runs anything a
template holds: a template is data (TOML, pictures, a Word base whose macros
the DOCX export drops).

`export_template` writes a template's folder, the files it uses only, as a
`.zip` a colleague can import: entries under a folder named by its id, dated
1980-01-01, so the same template gives the same bytes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import secrets
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from briefer.errors import FileAccessError, TemplateError
from briefer.export.images import MAX_IMAGE_BYTES, probe_image
from briefer.fsutil import atomic_write_bytes, read_regular_file, special_kind
from briefer.model import Template
from briefer.paths import Paths
from briefer.pipeline import ExportSettings, check_template
from briefer.template_store import UserTemplates
from briefer.templates import (
    MAX_LOGO_BYTES,
    MAX_TEMPLATE_TOML_BYTES,
    MAX_WORD_BASE_BYTES,
    TEMPLATE_FILE,
    Problem,
    Severity,
    load_template,
)
from briefer.zipsafe import MB, UnsafeZip, ZipLimits, entry_problem, open_zip, read_entry, shown

# A template is a handful of files: a few KB of TOML, a logo, a Word base
# with the house's header art, a sample brief.
MAX_ENTRIES = 1_000
MAX_PACKAGE_BYTES = 160 * MB  # the .zip file itself
LIMITS = ZipLimits(entry_bytes=64 * MB, total_bytes=128 * MB, entries=MAX_ENTRIES)
_MAX_DEPTH = 8  # folders inside a shared template folder
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# The files a template uses, and the most of each Briefer reads.
_PICTURES = (".png", ".jpg", ".jpeg", ".gif")
_KINDS: dict[str, tuple[int, str]] = {
    ".toml": (MAX_TEMPLATE_TOML_BYTES, "a template.toml"),
    ".brief": (64 * MB, "a brief"),
    ".docx": (MAX_WORD_BASE_BYTES, "a Word base"),
    ".dotx": (MAX_WORD_BASE_BYTES, "a Word base"),
    ".md": (MB, "a note"),
    ".txt": (MB, "a note"),
    **{suffix: (min(MAX_LOGO_BYTES, MAX_IMAGE_BYTES), "a picture") for suffix in _PICTURES},
}
# What other systems put in folders and zips, left out without a word.
_LITTER = frozenset({"__macosx", ".ds_store", "thumbs.db", "desktop.ini"})


@dataclass(frozen=True)
class PackageReport:
    """What checking a shared template found: every problem (the package's
    and the template's), and the template as it would load, when it can."""

    source: Path
    template: Template | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]


class PackageRefused(TemplateError):
    """An import refused: the message names the first error, `report`
    holds every problem found."""

    def __init__(self, message: str, report: PackageReport) -> None:
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class Imported:
    """A template imported, the built-in one it overrides (or None), and
    the warnings its check gave."""

    template: Template
    overrides: Template | None
    warnings: tuple[Problem, ...]


def is_package_file(path: Path) -> bool:
    """A path that names a zip archive rather than a template folder."""
    return path.suffix.lower() == ".zip"


# --------------------------------------------------------------------------
# Checking and importing
# --------------------------------------------------------------------------


def check_package(source: Path, settings: ExportSettings | None = None) -> PackageReport:
    """Every problem of the template in the `.zip` or folder `source`,
    without writing anything where templates live (it is unpacked into a
    temporary folder, removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix="briefer-template-") as scratch:
        return _checked(source, Path(scratch) / "template", settings)


def import_template(
    source: Path,
    paths: Paths,
    settings: ExportSettings | None = None,
    *,
    replace: bool = False,
) -> Imported:
    """Import the template in the `.zip` or folder `source` into the user
    templates folder, once the whole of it has passed `check_package`'s
    checks. Otherwise a `PackageRefused` names the first error and holds
    them all; nothing is then left behind. A user template of the same id is an error unless
    `replace`; a built-in one is overridden."""
    store = UserTemplates(paths)
    store.root.mkdir(parents=True, exist_ok=True)
    stage = store.root / f".import-{secrets.token_hex(4)}"
    try:
        report = _checked(source, stage, settings)
        if report.errors or report.template is None:
            raise PackageRefused(_summary(source, report), report)
        template = report.template
        existing = store.own(template.id)
        if existing is not None and not replace:
            raise TemplateError(
                f"{source}: you have a template {template.id!r} already"
                f" ({existing.directory}); import with --replace to replace it"
            )
        target = existing.directory if existing is not None else store.root / template.id
        assert target is not None
        if existing is None and os.path.lexists(target) and not replace:
            raise TemplateError(
                f"{target} is there already but holds no template Briefer can read;"
                " move it away, or import with --replace"
            )
        store.put_in_place(stage, target)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)
    store.registry.refresh()
    imported = load_template(target)
    return Imported(imported, store.builtin(imported.id), tuple(report.warnings))


def _summary(source: Path, report: PackageReport) -> str:
    errors = report.errors
    if not errors:
        return f"{source}: no template in it"
    first = str(errors[0])
    more = f" (and {len(errors) - 1} more; `briefer templates check {source}` lists them)"
    return f"{first}{more if len(errors) > 1 else ''}"


def _checked(source: Path, folder: Path, settings: ExportSettings | None) -> PackageReport:
    """Unpack `source` into the new folder `folder` within bounds, then
    check it as a template; problems name the package's own paths."""
    folder.mkdir(parents=True)
    problems = unpack_template(source, folder)
    fatal = any(p.severity is Severity.ERROR for p in problems)
    if fatal or not os.path.lexists(folder / TEMPLATE_FILE):
        if not fatal:
            problems.append(Problem(source, "", f"no {TEMPLATE_FILE} in it"))
        return PackageReport(source, None, tuple(problems))
    problems.extend(_check_pictures(folder, source))
    report = check_template(folder, settings)
    problems.extend(_renamed(p, folder, source) for p in report.problems)
    return PackageReport(source, report.template, tuple(dict.fromkeys(problems)))


def _renamed(problem: Problem, folder: Path, source: Path) -> Problem:
    """`problem` naming the file as it is in the package, not where it was unpacked."""
    try:
        inside = problem.file.relative_to(folder)
    except ValueError:
        return problem
    return dataclasses.replace(problem, file=source / inside)


def _check_pictures(folder: Path, source: Path) -> list[Problem]:
    """Every picture decoded within Briefer's bounds: a decompression bomb
    (millions of pixels in a few KB) or a damaged picture is an error."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() not in _PICTURES or not path.is_file():
            continue
        probe = probe_image(path, ("PNG", "JPEG", "GIF"), "a template")
        if not probe.usable:
            found.append(Problem(source / path.relative_to(folder), "", probe.problem))
    return found


# --------------------------------------------------------------------------
# Unpacking, within bounds
# --------------------------------------------------------------------------


def unpack_template(source: Path, folder: Path) -> list[Problem]:
    """Copy the template files of the `.zip` or folder `source` into the
    existing empty `folder`, within the bounds of the module docstring.
    Returns every problem found; with an error among them, what was copied
    must not be used. A zip or folder holding one folder that holds the
    template.toml is read from that folder."""
    try:
        info = os.lstat(source)
    except FileNotFoundError:
        return [Problem(source, "", "no such file or folder")]
    except OSError as exc:
        return [Problem(source, "", f"cannot be read ({exc.strerror or exc})")]
    if stat.S_ISDIR(info.st_mode):
        return _unpack_folder(source, folder)
    if stat.S_ISLNK(info.st_mode):
        return [Problem(source, "", "is a link; give the folder or zip it leads to")]
    if not is_package_file(source):
        return [Problem(source, "", "expected a template folder or a .zip file")]
    try:
        data = read_regular_file(source, MAX_PACKAGE_BYTES, "a template package")
    except FileAccessError as exc:
        return [Problem(source, "", exc.reason)]
    return _unpack_zip(source, data, folder)


def _unpack_zip(source: Path, data: bytes, folder: Path) -> list[Problem]:
    problems: list[Problem] = []
    try:
        archive = open_zip(data, LIMITS)
    except UnsafeZip as exc:
        verdict = "too large to unpack safely" if exc.too_large else "not a usable zip"
        return [Problem(source, "", f"{verdict}: {exc.describe()}")]
    with archive:
        members = archive.infolist()
        names = [info.filename for info in members]
        if len(set(names)) != len(names) or len({n.lower() for n in names}) != len(names):
            problems.append(Problem(source, "", "holds two entries of the same name"))
        for info in members:
            reason = entry_problem(info)
            if reason:
                problems.append(Problem(source, shown(info.filename), f"refused: it {reason}"))
        if problems:
            return problems
        files = [PurePosixPath(n) for n in names if not n.endswith("/")]
        prefix = _common_folder([path for path in files if not _is_litter(path)])
        wanted: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
        for info in members:
            if info.is_dir():
                continue
            relative = PurePosixPath(info.filename)
            if prefix is not None and relative.is_relative_to(prefix):
                relative = relative.relative_to(prefix)
            keep = _keep(relative, source, info.file_size, problems)
            if keep is not None:
                wanted.append((info, relative))
        if any(p.severity is Severity.ERROR for p in problems):
            return problems
        for info, relative in wanted:
            limit, _ = _KINDS[relative.suffix.lower()]
            try:
                blob = read_entry(archive, info, limit)
            except UnsafeZip as exc:
                problems.append(Problem(source, "", f"refused: {exc.describe()}"))
                return problems
            target = folder.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as handle:  # never over anything
                handle.write(blob)
    return problems


def _common_folder(paths: list[PurePosixPath]) -> PurePosixPath | None:
    """The one folder every file is in, when template.toml is in it and not
    at the top (how a zipped folder unpacks); else None."""
    if any(path == PurePosixPath(TEMPLATE_FILE) for path in paths):
        return None
    tops = {path.parts[0] for path in paths if len(path.parts) > 1}
    if len(tops) != 1 or any(len(path.parts) == 1 for path in paths):
        return None
    top = PurePosixPath(next(iter(tops)))
    return top if (top / TEMPLATE_FILE) in paths else None


def _is_litter(path: PurePosixPath) -> bool:
    """What macOS and Windows add to folders and zips (`__MACOSX/`, `._x`)."""
    return any(part.lower() in _LITTER or part.startswith("._") for part in path.parts)


def _keep(relative: PurePosixPath, source: Path, size: int, problems: list[Problem]) -> str | None:
    """Whether a file is unpacked: the kind of file it is (a key of
    `_KINDS`), or None (left out, with a warning unless it is litter)."""
    if _is_litter(relative):
        return None
    shown_name = shown(str(relative))
    if len(relative.parts) > _MAX_DEPTH + 1:
        problems.append(Problem(source, shown_name, "refused: nested too deeply"))
        return None
    suffix = relative.suffix.lower()
    if suffix not in _KINDS:
        problems.append(
            Problem(
                source,
                shown_name,
                "left out: not a file a template uses (template.toml, a sample .brief,"
                " pictures, a Word .docx or .dotx, notes)",
                Severity.WARNING,
            )
        )
        return None
    limit, what = _KINDS[suffix]
    if size > limit:
        problems.append(
            Problem(
                source,
                shown_name,
                f"refused: {size:,} bytes is too large for {what} (at most {limit:,})",
            )
        )
        return None
    return suffix


def _unpack_folder(source: Path, folder: Path) -> list[Problem]:
    """Copy a template folder's files within bounds; a link or a special
    file anywhere in it is refused (a link could lead anywhere)."""
    problems: list[Problem] = []
    files: list[tuple[Path, PurePosixPath]] = []
    total = 0

    def walk(directory: Path, relative: PurePosixPath, depth: int) -> None:
        nonlocal total
        try:
            children = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(directory, "", f"cannot be read ({exc.strerror or exc})"))
            return
        for entry in children:
            path, inside = Path(entry.path), relative / entry.name
            if entry.name.lower() in _LITTER:
                continue
            if len(files) + len(problems) > MAX_ENTRIES:
                problems.append(Problem(source, "", f"more than {MAX_ENTRIES:,} files"))
                return
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISLNK(info.st_mode):
                problems.append(Problem(path, "", "refused: it is a link"))
            elif stat.S_ISDIR(info.st_mode):
                if depth >= _MAX_DEPTH:
                    problems.append(Problem(path, "", "refused: nested too deeply"))
                else:
                    walk(path, inside, depth + 1)
            elif not stat.S_ISREG(info.st_mode):
                problems.append(
                    Problem(path, "", f"refused: it is {special_kind(info.st_mode)}, not a file")
                )
            elif _keep(inside, source, info.st_size, problems) is not None:
                total += info.st_size
                files.append((path, inside))

    walk(source, PurePosixPath(), 0)
    if total > LIMITS.total_bytes:
        problems.append(
            Problem(source, "", f"its files take {total:,} bytes (at most {LIMITS.total_bytes:,})")
        )
    if any(p.severity is Severity.ERROR for p in problems):
        return problems
    for path, inside in files:
        limit, what = _KINDS[inside.suffix.lower()]
        try:
            data = read_regular_file(path, limit, what)
        except FileAccessError as exc:
            problems.append(Problem(path, "", exc.reason))
            continue
        target = folder.joinpath(*inside.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as handle:
            handle.write(data)
    return problems


@contextlib.contextmanager
def opened_package(source: Path) -> Iterator[Path]:
    """A `.zip` template unpacked, within the same bounds, into a temporary
    folder that lives as long as the `with` block (`briefer export
    --template FILE.zip`). Its errors are one `TemplateError`."""
    with tempfile.TemporaryDirectory(prefix="briefer-template-") as scratch:
        folder = Path(scratch) / "template"
        folder.mkdir()
        problems = [p for p in unpack_template(source, folder) if p.severity is Severity.ERROR]
        if not problems and not (folder / TEMPLATE_FILE).is_file():
            problems.append(Problem(source, "", f"no {TEMPLATE_FILE} in it"))
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise TemplateError(f"{problems[0]}{more}")
        yield folder


# --------------------------------------------------------------------------
# Exporting
# --------------------------------------------------------------------------


def export_template(template: Template, target: Path) -> list[str]:
    """Write `template`'s folder to the `.zip` file `target`, atomically:
    template.toml, its sample brief, its logo and its Word base (only the
    files it uses), under a folder named by its id. Returns the names
    written."""
    folder = template.directory
    if folder is None:
        raise TemplateError(f"{template.id}: a template not saved in a folder cannot be exported")
    home = folder.resolve()
    wanted: list[tuple[Path, int, str]] = [
        (folder / TEMPLATE_FILE, MAX_TEMPLATE_TOML_BYTES, "a template.toml")
    ]
    if template.sample_path is not None:
        wanted.append((template.sample_path, 64 * MB, "a brief"))
    for path, limit, what in (
        (template.style.logo, MAX_LOGO_BYTES, "a logo"),
        (template.style.reference_docx, MAX_WORD_BASE_BYTES, "a Word base"),
    ):
        if path is not None:
            wanted.append((path, limit, what))
    buffer = io.BytesIO()
    names: list[str] = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, limit, what in wanted:
            try:
                relative = path.resolve().relative_to(home).as_posix()
            except ValueError:
                raise TemplateError(f"{path}: outside the template folder {folder}") from None
            name = f"{template.id}/{relative}"
            if name in names:
                continue
            entry = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = (stat.S_IFREG | 0o644) << 16
            entry.create_system = 3
            archive.writestr(entry, read_regular_file(path, limit, what))
            names.append(name)
    atomic_write_bytes(target, buffer.getvalue())
    return names
