"""Templates: find, load and validate `template.toml` folders.

A template folder holds `template.toml` (a `[template]` table, an array of
`[[sections]]` and a `[style]` table), optionally a `reference.docx` or
`.dotx` whose Word styles the DOCX export uses, images such as a logo, and a
`sample.brief`. Every key is checked against a typed schema; an unknown key
or a wrong type is refused with the file, the key and what was expected.

`TemplateRegistry` finds built-in templates (shipped with Briefer) and the
user's own (in the user data folder, `BRIEFER_DATA_DIR` to redirect); a user
template with the id of a built-in one replaces it.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefer.document import HEADER_FIELDS
from briefer.errors import TemplateError
from briefer.model import (
    CitationStyle,
    HeadingLook,
    PageSize,
    SectionKind,
    SectionSpec,
    Style,
    Template,
)
from briefer.paths import Paths

TEMPLATE_FILE = "template.toml"
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


# --------------------------------------------------------------------------
# A small typed schema: key -> (what is expected, converter)
# --------------------------------------------------------------------------

Convert = Callable[[Any], Any]


class _Invalid(ValueError):
    """A value of the wrong type or range; the message says what was expected."""


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid("text")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid("true or false")
    return value


def _number(low: float, high: float) -> Convert:
    def convert(value: Any) -> float:
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not low <= value <= high
        ):
            raise _Invalid(f"a number from {low:g} to {high:g}")
        return float(value)

    return convert


def _whole(low: int, high: int) -> Convert:
    def convert(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _Invalid(f"a whole number from {low} to {high}")
        return value

    return convert


def _numbers(count: int, low: float, high: float) -> Convert:
    def convert(value: Any) -> tuple[float, ...]:
        if not isinstance(value, list) or len(value) != count:
            raise _Invalid(f"a list of {count} numbers from {low:g} to {high:g}")
        return tuple(_number(low, high)(v) for v in value)

    return convert


def _choice(enum_type: type) -> Convert:
    def convert(value: Any) -> Any:
        for member in enum_type:
            if value == member.value:
                return member
        choices = " or ".join(f'"{m.value}"' for m in enum_type)
        raise _Invalid(choices)

    return convert


def _colour(value: Any) -> str:
    if not isinstance(value, str) or not _COLOUR.match(value):
        raise _Invalid('a colour like "#0B5CAD"')
    return value.upper()


def _pattern(value: Any) -> str:
    text = _text(value)
    for name in re.findall(r"\{([^{}]*)\}", text):
        if name not in HEADER_FIELDS:
            raise _Invalid("text whose fields are " + ", ".join(f"{{{f}}}" for f in HEADER_FIELDS))
    return text


def _relative_file(value: Any) -> str:
    text = _text(value)
    path = Path(text)
    if not text or path.is_absolute() or ".." in path.parts:
        raise _Invalid("a file name inside the template folder")
    return text


_TEMPLATE_KEYS: dict[str, Convert] = {
    "id": _text,
    "name": _text,
    "description": _text,
    "version": _whole(1, 1_000_000),
}
_SECTION_KEYS: dict[str, Convert] = {
    "id": _text,
    "heading": _text,
    "kind": _choice(SectionKind),
    "guidance": _text,
    "max_words": _whole(1, 1_000_000),
    "required": _bool,
}
_STYLE_KEYS: dict[str, Convert] = {
    "page_size": _choice(PageSize),
    "margins_mm": _numbers(4, 0, 100),
    "body_font": _text,
    "heading_font": _text,
    "mono_font": _text,
    "body_size_pt": _number(5, 30),
    "title_size_pt": _number(8, 72),
    "heading_sizes_pt": _numbers(3, 6, 48),
    "line_spacing": _number(0.8, 3),
    "text_color": _colour,
    "accent": _colour,
    "heading_look": _choice(HeadingLook),
    "section_heading_level": _whole(1, 2),
    "smart_punctuation": _bool,
    "header": _pattern,
    "footer": _pattern,
    "banner": _bool,
    "banner_color": _colour,
    "citations": _choice(CitationStyle),
    "contents": _bool,
    "contents_title": _text,
    "sources_title": _text,
    "source_line_label": _text,
    "logo": _relative_file,
    "logo_width_mm": _number(5, 200),
    "reference_docx": _relative_file,
}


def _check_table(
    table: Any, schema: dict[str, Convert], where: str, source: Path
) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise TemplateError(f"{source}: [{where}] must be a table")
    out: dict[str, Any] = {}
    for key, value in table.items():
        convert = schema.get(key)
        if convert is None:
            known = ", ".join(schema)
            raise TemplateError(f"{source}: {where}.{key}: unknown key (known keys: {known})")
        try:
            out[key] = convert(value)
        except _Invalid as exc:
            raise TemplateError(f"{source}: {where}.{key}: expected {exc}, got {value!r}") from None
    return out


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------


def load_template(folder: str | Path, builtin: bool = False) -> Template:
    """Load and validate the template in `folder` (which holds template.toml)."""
    folder = Path(folder)
    source = folder / TEMPLATE_FILE
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TemplateError(f"{folder}: no {TEMPLATE_FILE} in this folder") from None
    except UnicodeDecodeError:
        raise TemplateError(f"{source}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"{source}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise TemplateError(f"{source}: cannot read ({exc.strerror})") from None
    return template_from_toml(raw, folder, source, builtin=builtin)


def template_from_toml(
    raw: dict[str, Any], folder: Path, source: Path, builtin: bool = False
) -> Template:
    unknown = sorted(set(raw) - {"template", "sections", "style"})
    if unknown:
        raise TemplateError(
            f"{source}: {unknown[0]}: unknown table (expected [template], [[sections]], [style])"
        )
    head = _check_table(raw.get("template"), _TEMPLATE_KEYS, "template", source)
    for key in ("id", "name"):
        if key not in head:
            raise TemplateError(f"{source}: template.{key}: missing (expected text)")
    if not _ID.match(head["id"]):
        raise TemplateError(
            f"{source}: template.id: expected lower-case letters, digits, '-' or '_',"
            f" got {head['id']!r}"
        )

    sections_raw = raw.get("sections", [])
    if not isinstance(sections_raw, list) or not sections_raw:
        raise TemplateError(f"{source}: sections: expected at least one [[sections]] table")
    sections: list[SectionSpec] = []
    for i, table in enumerate(sections_raw):
        values = _check_table(table, _SECTION_KEYS, f"sections[{i}]", source)
        if "id" not in values:
            raise TemplateError(f"{source}: sections[{i}].id: missing (expected text)")
        if not _ID.match(values["id"]):
            raise TemplateError(
                f"{source}: sections[{i}].id: expected lower-case letters, digits, '-' or '_',"
                f" got {values['id']!r}"
            )
        if any(s.id == values["id"] for s in sections):
            raise TemplateError(f"{source}: sections[{i}].id: {values['id']!r} is used twice")
        sections.append(SectionSpec(**values))

    style_values = _check_table(raw.get("style", {}), _STYLE_KEYS, "style", source)
    for key in ("logo", "reference_docx"):
        if key in style_values:
            path = folder / style_values[key]
            if not path.is_file():
                raise TemplateError(f"{source}: style.{key}: file {style_values[key]!r} not found")
            style_values[key] = path
    if "reference_docx" in style_values and not _is_word_base(style_values["reference_docx"]):
        raise TemplateError(f"{source}: style.reference_docx: expected a .docx or .dotx file")
    style = Style(**style_values)
    return Template(
        id=head["id"],
        name=head["name"],
        description=head.get("description", ""),
        version=head.get("version", 1),
        sections=tuple(sections),
        style=style,
        directory=folder,
        builtin=builtin,
    )


def check_reference(reference: Path) -> None:
    """A base Word document must be an existing .docx or .dotx file."""
    if not reference.is_file():
        raise TemplateError(f"{reference}: no such file")
    if not _is_word_base(reference):
        raise TemplateError(f"{reference}: expected a .docx or .dotx file")


def _is_word_base(path: Path) -> bool:
    return path.suffix.lower() in (".docx", ".dotx")


def with_reference(template: Template, reference: Path) -> Template:
    """The template with another base Word document (`--reference`)."""
    check_reference(reference)
    return dataclasses.replace(
        template, style=dataclasses.replace(template.style, reference_docx=reference)
    )


# --------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateProblem:
    folder: Path
    message: str


class TemplateRegistry:
    """Built-in and user templates, found by id or by folder."""

    def __init__(self, paths: Paths) -> None:
        self._paths = paths
        self._cache: dict[Path, Template] = {}

    def _folders(self) -> list[tuple[Path, bool]]:
        found: list[tuple[Path, bool]] = []
        for root, builtin in (
            (self._paths.builtin_templates, True),
            (self._paths.user_templates, False),
        ):
            if root.is_dir():
                found.extend(
                    (child, builtin)
                    for child in sorted(root.iterdir())
                    if (child / TEMPLATE_FILE).is_file()
                )
        return found

    def _load(self, folder: Path, builtin: bool) -> Template:
        template = self._cache.get(folder)
        if template is None:
            template = self._cache[folder] = load_template(folder, builtin=builtin)
        return template

    def refresh(self) -> None:
        """Forget what was loaded, so templates added, changed or deleted on
        disk since are seen (the window calls this after saving a template)."""
        self._cache.clear()

    def scan(self) -> tuple[list[Template], list[TemplateProblem]]:
        """Every loadable template (user ones replacing built-in ones of the
        same id), and the folders that failed to load."""
        by_id: dict[str, Template] = {}
        problems: list[TemplateProblem] = []
        for folder, builtin in self._folders():
            try:
                template = self._load(folder, builtin)
            except TemplateError as exc:
                problems.append(TemplateProblem(folder, str(exc)))
                continue
            by_id[template.id] = template
        return sorted(by_id.values(), key=lambda t: (not t.builtin, t.name.lower())), problems

    def all(self) -> list[Template]:
        return self.scan()[0]

    def get(self, ref: str) -> Template:
        """A template by id, or by the path of a template folder."""
        candidate = Path(ref).expanduser()
        if (candidate / TEMPLATE_FILE).is_file() or "/" in ref or ref.startswith("."):
            return load_template(candidate)
        for template in reversed(self.all()):  # user templates last in the list, so first here
            if template.id == ref:
                return template
        for folder, builtin in self._folders():
            if folder.name == ref:
                return self._load(folder, builtin)  # raises the template's own error
        known = ", ".join(t.id for t in self.all()) or "none"
        raise TemplateError(f"unknown template {ref!r} (known: {known})")
