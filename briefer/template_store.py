"""Templates a person makes and keeps: written back to `template.toml`, and
the user templates folder managed.

`template_toml` writes a `Template` as the `template.toml` that loads back as
the same template (every key, the looks too; files named relative to the
folder). `template_from_brief` makes a template of a brief (its sections,
in order, with their headings; the kinds, guidance and budgets of the
template the brief was written with; that template's style or another) and
optionally keeps the brief as its sample. `UserTemplates` saves, updates,
duplicates, renames and deletes templates in the user templates folder
(`Paths.user_templates`, one folder per template named by its id):

- A new or replaced template is put together in a hidden folder beside its
  place (`.new-ID-xxxxxxxx`), checked there with `read_template`, and only
  then renamed into place, so a template is never seen half written and a
  failure leaves the folder as it was. The registry skips hidden folders.
- Only templates of the person's own are changed or deleted. A built-in
  template can be overridden by a user template of the same id (duplicate
  it under its own id) and is back once that copy is deleted.

Nothing here prints or knows about Qt; errors are `TemplateError`s naming the
template and saying what to do.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefer.briefs import brief_to_bytes
from briefer.errors import BrieferError, TemplateError
from briefer.fsutil import atomic_write_bytes, read_regular_file
from briefer.model import Brief, SectionKind, SectionSpec, Style, Template, TextLook
from briefer.paths import Paths
from briefer.templates import (
    MAX_LOGO_BYTES,
    MAX_WORD_BASE_BYTES,
    TEMPLATE_FILE,
    TEMPLATE_ID_RULE,
    TemplateRegistry,
    is_template_id,
    load_template,
    read_template,
    read_template_text,
)

SAMPLE_FILE = "sample.brief"
_BULLET_MARKS = ("- ", "* ", "+ ")


# --------------------------------------------------------------------------
# template.toml, written
# --------------------------------------------------------------------------


def template_toml(template: Template, folder: Path | None = None) -> str:
    """`template` as the text of a `template.toml` in `folder` (its own
    folder unless given), which `load_template` reads back as an equal
    template. Its logo and Word base must be files inside that folder; they
    are named relative to it. A template with a Word base always gets a
    `[style.looks]` table, so loading it keeps the looks written rather than
    reading them from the base again."""
    folder = folder or template.directory
    lines = [
        "# A Briefer template, written by Briefer. Edit it in Briefer, or by hand:",
        "# `briefer templates check FOLDER` names anything wrong.",
        "",
        "[template]",
        _pair("id", template.id),
        _pair("name", template.name),
        _pair("description", template.description),
        _pair("version", template.version),
    ]
    for spec in template.sections:
        lines += ["", "[[sections]]", _pair("id", spec.id), _pair("heading", spec.heading)]
        lines += [_pair("kind", spec.kind), _pair("guidance", spec.guidance)]
        if spec.max_words is not None:
            lines.append(_pair("max_words", spec.max_words))
        lines.append(_pair("required", spec.required))
    style = template.style
    lines += ["", "[style]"]
    for item in dataclasses.fields(Style):
        value = getattr(style, item.name)
        if item.name == "looks" or value is None:
            continue
        if isinstance(value, Path):
            value = _inside(value, folder, f"style.{item.name}")
        lines.append(_pair(item.name, value))
    looks = [(element, look) for element, look in style.looks.items() if not look.is_empty]
    if looks or style.reference_docx is not None:
        lines += ["", "[style.looks]"]
    for element, look in looks:
        lines += ["", f"[style.looks.{element.value}]"]
        for item in dataclasses.fields(TextLook):
            value = getattr(look, item.name)
            if value is not None:
                lines.append(_pair(item.name, value))
    return "\n".join(lines) + "\n"


def _inside(path: Path, folder: Path | None, where: str) -> str:
    """`path` as a name relative to `folder` (with `/` between folders)."""
    if folder is None:
        raise TemplateError(f"{where}: {path.name!r} needs the template's folder to be named")
    try:
        relative = path.resolve().relative_to(folder.resolve())
    except ValueError:
        raise TemplateError(
            f"{where}: {path} is not inside the template folder {folder}; copy it in first"
        ) from None
    return relative.as_posix()


def _pair(key: str, value: Any) -> str:
    return f"{key} = {_value(value)}"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return _value(value.value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back as the same number
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    raise TypeError(f"no TOML for {value!r}")


def _string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters
    escaped (TOML allows none of them raw but the tab)."""
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


# --------------------------------------------------------------------------
# A template made from a brief
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateDraft:
    """A template not yet saved, and the brief to keep as its sample (or None)."""

    template: Template
    sample: Brief | None = None


def template_from_brief(
    brief: Brief,
    source: Template,
    *,
    template_id: str,
    name: str,
    description: str = "",
    keep_sample: bool = False,
    style: Style | None = None,
) -> TemplateDraft:
    """A new template shaped like `brief`: its sections in its order, with
    its headings, and the kind, guidance, word budget and "required" of the
    section of the same id in `source` (the template the brief was written
    with; a section `source` lacks, such as retemplate's "Other", is prose,
    or bullets when its text is only bullets). Its style is `style`, else
    `source`'s (a logo and Word base stay where they are until the draft is
    saved, which copies them). With `keep_sample`, the brief, now naming
    the new template, is its sample. Pure: nothing is read or written."""
    check_identity(template_id, name)
    sections = []
    for section in brief.sections:
        spec = source.section(section.id)
        if spec is None:
            spec = SectionSpec(section.id, kind=_guess_kind(section.body))
        sections.append(dataclasses.replace(spec, heading=section.heading))
    if not sections:
        raise TemplateError("the brief has no sections to make a template of")
    template = Template(
        id=template_id,
        name=name.strip(),
        description=description.strip(),
        sections=tuple(sections),
        style=style or source.style,
        directory=source.directory,
    )
    sample = dataclasses.replace(brief, template=template_id) if keep_sample else None
    return TemplateDraft(template, sample)


def check_identity(template_id: str, name: str) -> None:
    """A usable id and name for a new template, or a `TemplateError`."""
    if not is_template_id(template_id):
        raise TemplateError(f"{template_id!r} is not a template id ({TEMPLATE_ID_RULE})")
    if not name.strip():
        raise TemplateError("a template needs a name")
    if not name.isprintable():
        raise TemplateError("a template's name is one line of text")


def _guess_kind(body: str) -> SectionKind:
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    if lines and all(line.startswith(_BULLET_MARKS) for line in lines):
        return SectionKind.BULLETS
    return SectionKind.PROSE


# --------------------------------------------------------------------------
# The user templates folder
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    """A template as saved, and the built-in one it overrides (or None)."""

    template: Template
    overrides: Template | None = None


class UserTemplates:
    """The person's own templates, in `paths.user_templates`."""

    def __init__(self, paths: Paths, registry: TemplateRegistry | None = None) -> None:
        self.paths = paths
        self.registry = registry or TemplateRegistry(paths)

    @property
    def root(self) -> Path:
        return self.paths.user_templates

    # -- finding -----------------------------------------------------------

    def builtin(self, template_id: str) -> Template | None:
        """The built-in template of that id (overridden or not), or None."""
        folder = self.paths.builtin_templates / template_id
        if not (folder / TEMPLATE_FILE).is_file():
            return None
        try:
            template = load_template(folder, builtin=True)
        except TemplateError:
            return None
        return template if template.id == template_id else None

    def own(self, template_id: str) -> Template | None:
        """The user template of that id, or None."""
        self.registry.refresh()
        templates, _ = self.registry.scan()
        for template in templates:
            if template.id == template_id and not template.builtin:
                return template
        return None

    def _own_or_error(self, template_id: str, doing: str) -> Template:
        own = self.own(template_id)
        if own is not None:
            return own
        if self.builtin(template_id) is not None:
            raise TemplateError(
                f"{template_id!r} is a built-in template; only your own templates can be"
                f" {doing} (duplicate it first: a copy with its id replaces it for you)"
            )
        raise TemplateError(f"you have no template {template_id!r}")

    # -- saving --------------------------------------------------------------

    def save(self, draft: TemplateDraft, *, replace: bool = False) -> Saved:
        """Save `draft` as a user template in its own folder, its logo, Word
        base and sample copied in. A user template of the same id is an
        error unless `replace`; a built-in one of the same id is overridden
        (`Saved.overrides`), and back when this one is deleted."""
        template = draft.template
        check_identity(template.id, template.name)
        existing = self.own(template.id)
        if existing is not None and not replace:
            raise TemplateError(
                f"you have a template {template.id!r} already ({existing.directory});"
                " choose another id, or replace it"
            )
        target = self.root / template.id
        if existing is not None and existing.directory is not None:
            target = existing.directory
        elif os.path.lexists(target) and not replace:
            raise TemplateError(
                f"{target} is there already but holds no template Briefer can read;"
                " move it away, or replace it"
            )
        with self._staging(template.id) as stage:
            _write_folder(template, draft.sample, stage)
            report = read_template(stage)
            if report.errors:
                listed = "; ".join(str(p).replace(str(stage), str(target)) for p in report.errors)
                raise TemplateError(f"the template would not load: {listed}")
            self.put_in_place(stage, target)
        self.registry.refresh()
        saved = load_template(target)
        return Saved(saved, self.builtin(saved.id))

    def update(self, template: Template) -> Template:
        """Write the template.toml of one of the person's templates (as the
        template editor changed it) atomically in its folder. A logo or
        Word base from elsewhere is copied into the folder first."""
        own = self._own_or_error(template.id, "changed")
        folder = own.directory
        assert folder is not None
        style = _copied_files(template.style, folder)
        template = dataclasses.replace(template, style=style, directory=folder, builtin=False)
        text = template_toml(template, folder)
        report = read_template_text(text, folder)
        if report.errors:  # checked before the file is replaced: it always loads
            raise TemplateError(f"{template.id}: not saved: " + "; ".join(map(str, report.errors)))
        atomic_write_bytes(folder / TEMPLATE_FILE, text.encode("utf-8"))
        self.registry.refresh()
        return load_template(folder)

    def duplicate(self, template_id: str, new_id: str, name: str) -> Saved:
        """A user copy of any template, under `new_id` and `name`, with its
        files and sample. Copying a built-in template under its own id
        overrides it for this person."""
        self.registry.refresh()
        source = self.registry.by_id(template_id)
        sample = None
        if source.sample_path is not None:
            from briefer.briefs import load_brief

            with contextlib.suppress(BrieferError):
                sample = dataclasses.replace(load_brief(source.sample_path), template=new_id)
        copy = dataclasses.replace(source, id=new_id, name=name.strip(), builtin=False)
        return self.save(TemplateDraft(copy, sample))

    def rename(self, template_id: str, name: str) -> Template:
        """Give one of the person's templates another name (its id, which
        briefs name it by, stays)."""
        check_identity(template_id, name)
        own = self._own_or_error(template_id, "renamed")
        return self.update(dataclasses.replace(own, name=name.strip()))

    def delete(self, template_id: str) -> Template | None:
        """Delete one of the person's templates: its folder is moved aside
        (hidden) and then removed. Returns the built-in template of the same
        id that is in effect again, or None."""
        own = self._own_or_error(template_id, "deleted")
        folder = own.directory
        assert folder is not None
        self._check_ours(folder)
        aside = self.root / f".deleted-{template_id}-{secrets.token_hex(4)}"
        os.rename(folder, aside)
        shutil.rmtree(aside, ignore_errors=True)
        self.registry.refresh()
        return self.builtin(template_id)

    # -- folders -------------------------------------------------------------

    @contextlib.contextmanager
    def _staging(self, template_id: str) -> Iterator[Path]:
        """A new hidden folder in the user templates folder, removed unless
        it was moved into place."""
        self.root.mkdir(parents=True, exist_ok=True)
        stage = self.root / f".new-{template_id}-{secrets.token_hex(4)}"
        stage.mkdir()
        try:
            yield stage
        finally:
            if stage.exists():
                shutil.rmtree(stage, ignore_errors=True)

    def put_in_place(self, stage: Path, target: Path) -> None:
        """Rename the finished folder `stage` (a hidden folder of the user
        templates folder) to `target`; a folder there before is moved aside
        first and removed once the new one is in place."""
        self._check_ours(target)
        old = None
        if os.path.lexists(target):
            old = self.root / f".old-{target.name}-{secrets.token_hex(4)}"
            os.rename(target, old)
        try:
            os.rename(stage, target)
        except OSError:
            if old is not None:
                os.rename(old, target)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def _check_ours(self, folder: Path) -> None:
        """Only a folder directly inside the user templates folder, and not
        a link, is ever moved or removed."""
        if folder.parent.resolve() != self.root.resolve() or (
            os.path.lexists(folder) and folder.is_symlink()
        ):
            raise TemplateError(f"{folder}: not a folder of your templates folder; left alone")


def _write_folder(template: Template, sample: Brief | None, folder: Path) -> None:
    """Write `template` (its files copied in) and `sample` into `folder`."""
    style = _copied_files(template.style, folder)
    template = dataclasses.replace(template, style=style, directory=folder, builtin=False)
    if sample is not None:
        atomic_write_bytes(folder / SAMPLE_FILE, brief_to_bytes(sample))
    atomic_write_bytes(folder / TEMPLATE_FILE, template_toml(template, folder).encode("utf-8"))


def _copied_files(style: Style, folder: Path) -> Style:
    """`style` with its logo and Word base copied into `folder` (unless they
    are there already), read within the caps a template's files have."""
    changes: dict[str, Path] = {}
    for key, limit, what in (
        ("logo", MAX_LOGO_BYTES, "a logo"),
        ("reference_docx", MAX_WORD_BASE_BYTES, "a Word base"),
    ):
        path: Path | None = getattr(style, key)
        if path is None or _is_inside(path, folder):
            continue
        name = path.name
        if key == "reference_docx":
            name = f"reference{path.suffix.lower()}"
        data = read_regular_file(path, limit, what)
        atomic_write_bytes(folder / name, data)
        changes[key] = folder / name
    return dataclasses.replace(style, **changes) if changes else style


def _is_inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):
        return False
