"""Templates: find, load and validate `template.toml` folders.

A template folder holds `template.toml` (a `[template]` table, an array of
`[[sections]]` and a `[style]` table), optionally a Word base whose styles
the DOCX export uses (named by `style.reference_docx`, or found in the
folder as `reference.docx` or `reference.dotx`), images such as a logo, and
a `sample.brief`. Every key is checked against a typed schema; an unknown
key, a wrong type or a value out of range is refused with the file, the
element (`style.margins_mm[0]`) and what was expected.

`read_template` collects every problem of a folder (`briefer templates
check` shows them all); `load_template` raises one `TemplateError` for them
(what an export needs). `TemplateRegistry` finds built-in templates (shipped
with Briefer) and the user's own (in the user data folder,
`BRIEFER_DATA_DIR` to redirect); a user template with the id of a built-in
one replaces it.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import os
import re
import stat
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefer.document import HEADER_FIELDS
from briefer.errors import BrieferError, FileAccessError, TemplateError, os_error_reason
from briefer.fsutil import read_regular_file, special_kind
from briefer.model import (
    CitationStyle,
    HeadingLook,
    PageSize,
    SectionKind,
    SectionSpec,
    Style,
    Template,
    TextElement,
    TextLook,
    TextLooks,
)
from briefer.paths import Paths

if TYPE_CHECKING:
    from briefer.house_style import HouseStyle

TEMPLATE_FILE = "template.toml"
# Word bases used without being named in template.toml, when the folder has one.
WORD_BASE_NAMES = ("reference.docx", "reference.dotx")
# The smallest text block margins may leave. At 60 mm a 10.5 pt line holds
# about 30 characters and a 22 pt title about 15, so a long word in a
# heading or a table cell still fits; 100 mm of height leaves room for the
# title, the header and footer, and footnotes, which may take half a page
# before they give way to endnotes.
MIN_TEXT_WIDTH_MM = 60.0
MIN_TEXT_HEIGHT_MM = 100.0
# Most printers leave about 5 mm at each edge unprinted.
PRINTABLE_EDGE_MM = 5.0

# The most Briefer reads of a template's files. template.toml is a few KB;
# a logo or a Word base with the house's header art a few MB.
MAX_TEMPLATE_TOML_BYTES = 1024 * 1024
MAX_LOGO_BYTES = 32 * 1024 * 1024
MAX_WORD_BASE_BYTES = 64 * 1024 * 1024

# Matched whole (`fullmatch`): with `$`, "smart-brevity\n" would pass.
_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
TEMPLATE_ID_RULE = "lower-case letters, digits, '-' or '_', at most 64"
_MARGIN_NAMES = ("top", "right", "bottom", "left")


# --------------------------------------------------------------------------
# Problems, collected rather than raised one at a time
# --------------------------------------------------------------------------


class Severity(enum.Enum):
    ERROR = "error"  # an export refuses the template
    WARNING = "warning"  # an export goes on, but the result is not what was meant


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a template folder: the file, the element in it
    (`style.margins_mm[0]`; "" for the file as a whole) and what is wrong."""

    file: Path
    where: str
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        if self.where:
            return f"{self.file}: {self.where}: {self.message}"
        return f"{self.file}: {self.message}"


@dataclass(frozen=True)
class TemplateReport:
    """What reading a template folder found. `template` is None only when
    template.toml could not be read at all; otherwise it is built from the
    values that are valid (the others left at their defaults), so the rest
    of the folder can still be checked."""

    folder: Path
    template: Template | None
    problems: tuple[Problem, ...] = ()

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]


class _Problems:
    """The problems of one template folder, in the order they are found."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.found: list[Problem] = []

    def error(self, where: str, message: str, file: Path | None = None) -> None:
        self.found.append(Problem(file or self.file, where, message))

    def warn(self, where: str, message: str, file: Path | None = None) -> None:
        self.found.append(Problem(file or self.file, where, message, Severity.WARNING))

    def has_error(self, prefix: str) -> bool:
        return any(p.severity is Severity.ERROR and p.where.startswith(prefix) for p in self.found)


# --------------------------------------------------------------------------
# A small typed schema: key -> converter
# --------------------------------------------------------------------------

Convert = Callable[[Any], Any]


class _Invalid(ValueError):
    """A value of the wrong type or range. `items` pairs an element suffix
    ("" for the value itself, "[0]" for a list's first item) with what is
    wrong with it."""

    def __init__(self, message: str = "", items: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.items = tuple(items) or (("", message),)


def _expected(what: str, value: Any) -> _Invalid:
    return _Invalid(f"expected {what}, got {value!r}")


def _shown(value: float) -> str:
    return f"{value:g}"


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _expected("text", value)
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _expected("true or false", value)
    return value


def _in_range(value: Any, low: float, high: float, what: str, whole: bool) -> None:
    """Refuse a value that is no number (or no whole number), or out of range."""
    kinds = (int,) if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not math.isfinite(value):
        raise _expected(what, value)
    if value < low:
        raise _Invalid(f"{_shown(value)} is less than {_shown(low)} (expected {what})")
    if value > high:
        raise _Invalid(f"{_shown(value)} is more than {_shown(high)} (expected {what})")


def _number(low: float, high: float) -> Convert:
    def convert(value: Any) -> float:
        _in_range(value, low, high, f"a number from {low:g} to {high:g}", whole=False)
        return float(value)

    return convert


def _whole(low: int, high: int) -> Convert:
    def convert(value: Any) -> int:
        _in_range(value, low, high, f"a whole number from {low} to {high}", whole=True)
        return value

    return convert


def _numbers(count: int, limits: Limits) -> Convert:
    """A list of `count` numbers; each item out of range is named (`[0]`)."""
    low, high = limits.low, limits.high
    one = _number(low, high)

    def convert(value: Any) -> tuple[float, ...]:
        if not isinstance(value, list) or len(value) != count:
            raise _expected(f"a list of {count} numbers from {low:g} to {high:g}", value)
        items: list[tuple[str, str]] = []
        out: list[float] = []
        for index, item in enumerate(value):
            try:
                out.append(one(item))
            except _Invalid as exc:
                items.append((f"[{index}]", str(exc)))
        if items:
            raise _Invalid(items=items)
        return tuple(out)

    return convert


def _choice(enum_type: type) -> Convert:
    def convert(value: Any) -> Any:
        for member in enum_type:
            if value == member.value:
                return member
        raise _expected(" or ".join(f'"{m.value}"' for m in enum_type), value)

    return convert


def _colour(value: Any) -> str:
    if not isinstance(value, str) or not _COLOUR.fullmatch(value):
        raise _expected('a colour like "#0B5CAD"', value)
    return value.upper()


def _pattern(value: Any) -> str:
    text = _text(value)
    for name in re.findall(r"\{([^{}]*)\}", text):
        if name not in HEADER_FIELDS:
            fields = ", ".join(f"{{{f}}}" for f in HEADER_FIELDS)
            raise _expected(f"text whose fields are {fields}", value)
    return text


def _relative_file(value: Any) -> str:
    text = _text(value)
    path = Path(text)
    if not text or path.is_absolute() or ".." in path.parts:
        raise _expected("a file name inside the template folder", value)
    return text


@dataclass(frozen=True)
class Limits:
    """The range a number in template.toml may take; `whole` for whole
    numbers only. The loader checks against these tables, and the template
    editor (`briefer.template_editing`) offers the same ranges."""

    low: float
    high: float
    whole: bool = False


TEMPLATE_LIMITS: dict[str, Limits] = {"version": Limits(1, 1_000_000, whole=True)}
SECTION_LIMITS: dict[str, Limits] = {"max_words": Limits(1, 1_000_000, whole=True)}
# For `margins_mm` and `heading_sizes_pt`, the range of each item.
STYLE_LIMITS: dict[str, Limits] = {
    "margins_mm": Limits(0, 100),
    "body_size_pt": Limits(5, 30),
    "title_size_pt": Limits(8, 72),
    "heading_sizes_pt": Limits(6, 48),
    "line_spacing": Limits(0.8, 3),
    "section_heading_level": Limits(1, 2, whole=True),
    "logo_width_mm": Limits(5, 200),
}
# The numbers of a `[style.looks.ELEMENT]` table (`TextLook`).
LOOK_LIMITS: dict[str, Limits] = {
    "size_pt": Limits(4, 96),
    "space_before_pt": Limits(0, 200),
    "space_after_pt": Limits(0, 200),
    "line_spacing": Limits(0.5, 5),
    "line_pitch_pt": Limits(1, 200),
}


def _limited(limits: Limits) -> Convert:
    if limits.whole:
        return _whole(int(limits.low), int(limits.high))
    return _number(limits.low, limits.high)


def _font_name(value: Any) -> str:
    text = _text(value)
    if not text.strip() or len(text) > 100:
        raise _expected("a font name", value)
    return text


_LOOK_KEYS: dict[str, Convert] = {
    "font": _font_name,
    "size_pt": _limited(LOOK_LIMITS["size_pt"]),
    "color": _colour,
    "bold": _bool,
    "italic": _bool,
    "space_before_pt": _limited(LOOK_LIMITS["space_before_pt"]),
    "space_after_pt": _limited(LOOK_LIMITS["space_after_pt"]),
    "line_spacing": _limited(LOOK_LIMITS["line_spacing"]),
    "line_pitch_pt": _limited(LOOK_LIMITS["line_pitch_pt"]),
}


def _looks(value: Any) -> TextLooks:
    """`[style.looks.heading_1]` and its kin: a table of `TextLook`s keyed
    by `TextElement`; every wrong key or value is named (`.heading_1.size_pt`)."""
    if not isinstance(value, dict):
        raise _expected("a table of looks ([style.looks.normal] and so on)", value)
    elements = {element.value: element for element in TextElement}
    looks = TextLooks()
    items: list[tuple[str, str]] = []
    for name, table in value.items():
        element = elements.get(name)
        if element is None:
            items.append((f".{name}", f"unknown look (known: {', '.join(elements)})"))
            continue
        if not isinstance(table, dict):
            items.append((f".{name}", f"expected a table, got {table!r}"))
            continue
        fields: dict[str, Any] = {}
        for key, raw in table.items():
            convert = _LOOK_KEYS.get(key)
            if convert is None:
                known = ", ".join(_LOOK_KEYS)
                items.append((f".{name}.{key}", f"unknown key (known keys: {known})"))
                continue
            try:
                fields[key] = convert(raw)
            except _Invalid as exc:
                items.extend((f".{name}.{key}{suffix}", message) for suffix, message in exc.items)
        if "line_spacing" in fields and "line_pitch_pt" in fields:
            items.append((f".{name}", "give line_spacing (a multiple) or line_pitch_pt, not both"))
            continue
        looks = looks.replace(element, TextLook(**fields))
    if items:
        raise _Invalid(items=items)
    return looks


_TEMPLATE_KEYS: dict[str, Convert] = {
    "id": _text,
    "name": _text,
    "description": _text,
    "version": _limited(TEMPLATE_LIMITS["version"]),
}
_SECTION_KEYS: dict[str, Convert] = {
    "id": _text,
    "heading": _text,
    "kind": _choice(SectionKind),
    "guidance": _text,
    "max_words": _limited(SECTION_LIMITS["max_words"]),
    "required": _bool,
}
_STYLE_KEYS: dict[str, Convert] = {
    "page_size": _choice(PageSize),
    "margins_mm": _numbers(4, STYLE_LIMITS["margins_mm"]),
    "body_font": _text,
    "heading_font": _text,
    "mono_font": _text,
    "body_size_pt": _limited(STYLE_LIMITS["body_size_pt"]),
    "title_size_pt": _limited(STYLE_LIMITS["title_size_pt"]),
    "heading_sizes_pt": _numbers(3, STYLE_LIMITS["heading_sizes_pt"]),
    "line_spacing": _limited(STYLE_LIMITS["line_spacing"]),
    "text_color": _colour,
    "accent": _colour,
    "heading_look": _choice(HeadingLook),
    "section_heading_level": _limited(STYLE_LIMITS["section_heading_level"]),
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
    "logo_width_mm": _limited(STYLE_LIMITS["logo_width_mm"]),
    "reference_docx": _relative_file,
    "table_style": _text,
    "looks": _looks,
}


def _check_table(
    table: Any, schema: dict[str, Convert], where: str, problems: _Problems
) -> dict[str, Any] | None:
    """The keys of `table` that are valid; each one that is not is a problem.
    None when `table` is no table at all."""
    if table is None:
        problems.error(where, f"missing (expected a [{where}] table)")
        return None
    if not isinstance(table, dict):
        problems.error(where, f"expected a table, got {table!r}")
        return None
    out: dict[str, Any] = {}
    for key, value in table.items():
        convert = schema.get(key)
        if convert is None:
            problems.error(f"{where}.{key}", f"unknown key (known keys: {', '.join(schema)})")
            continue
        try:
            out[key] = convert(value)
        except _Invalid as exc:
            for suffix, message in exc.items:
                problems.error(f"{where}.{key}{suffix}", message)
    return out


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------


def load_template(folder: str | Path, builtin: bool = False) -> Template:
    """Load and validate the template in `folder` (which holds template.toml).
    Raises one `TemplateError` naming the first problem and how many more
    there are (`read_template` gives them all)."""
    report = read_template(folder, builtin=builtin)
    errors = report.errors
    if errors or report.template is None:
        message = str(errors[0])
        if len(errors) > 1:
            message += (
                f" (and {len(errors) - 1} more; `briefer templates check {report.folder}`"
                " lists them)"
            )
        raise TemplateError(message)
    return report.template


def is_template_id(text: str) -> bool:
    """True for a template id (`smart-brevity`): never a path."""
    return bool(_ID.fullmatch(text))


def read_template(folder: str | Path, builtin: bool = False) -> TemplateReport:
    """Read and validate the template in `folder`, collecting every problem."""
    folder = Path(folder)
    source = folder / TEMPLATE_FILE
    problems = _Problems(source)
    try:
        # Only a regular file, and a small one: a named pipe would wait for
        # ever, a device stream for ever.
        data = read_regular_file(source, MAX_TEMPLATE_TOML_BYTES, f"a {TEMPLATE_FILE}")
        raw = tomllib.loads(data.decode("utf-8"))
    except FileAccessError as exc:
        if os.path.lexists(source):
            problems.error("", exc.reason)
        else:
            problems.error("", f"no {TEMPLATE_FILE} in this folder", file=folder)
    except UnicodeDecodeError:
        problems.error("", "not UTF-8 text")
    except tomllib.TOMLDecodeError as exc:
        problems.error("", f"not valid TOML ({exc})")
    except RecursionError:
        problems.error("", "not valid TOML (nested too deeply)")
    except ValueError:
        # tomllib refuses an integer of more than 4,300 digits this way.
        problems.error("", "not valid TOML (a number with thousands of digits)")
    else:
        template = _template_from_toml(raw, folder, problems, builtin)
        return TemplateReport(folder, template, tuple(problems.found))
    return TemplateReport(folder, None, tuple(problems.found))


def read_template_text(text: str, folder: str | Path, builtin: bool = False) -> TemplateReport:
    """Validate `text` as the template.toml of `folder` without writing it,
    collecting every problem: a change is checked before it replaces the file."""
    folder = Path(folder)
    problems = _Problems(folder / TEMPLATE_FILE)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.error("", f"not valid TOML ({exc})")
        return TemplateReport(folder, None, tuple(problems.found))
    template = _template_from_toml(raw, folder, problems, builtin)
    return TemplateReport(folder, template, tuple(problems.found))


def _template_from_toml(
    raw: dict[str, Any], folder: Path, problems: _Problems, builtin: bool
) -> Template:
    for name in sorted(set(raw) - {"template", "sections", "style"}):
        problems.error(name, "unknown table (expected [template], [[sections]], [style])")
    head = _check_table(raw.get("template"), _TEMPLATE_KEYS, "template", problems)
    for key in ("id", "name"):
        if head is not None and key not in head and not problems.has_error(f"template.{key}"):
            problems.error(f"template.{key}", "missing (expected text)")
    head = head or {}
    template_id = head.get("id", "")
    if "id" in head and not _ID.fullmatch(template_id):
        problems.error(
            "template.id",
            f"expected lower-case letters, digits, '-' or '_', got {template_id!r}",
        )
    sections = _sections(raw.get("sections", []), problems)
    style = _style(raw.get("style", {}), folder, problems)
    return Template(
        id=template_id or folder.name,
        name=head.get("name", "") or folder.name,
        description=head.get("description", ""),
        version=head.get("version", 1),
        sections=sections,
        style=style,
        directory=folder,
        builtin=builtin,
    )


def _sections(tables: Any, problems: _Problems) -> tuple[SectionSpec, ...]:
    if not isinstance(tables, list) or not tables:
        problems.error("sections", "expected at least one [[sections]] table")
        return ()
    sections: list[SectionSpec] = []
    for i, table in enumerate(tables):
        where = f"sections[{i}]"
        values = _check_table(table, _SECTION_KEYS, where, problems)
        if values is None:
            continue
        section_id = values.get("id")
        if section_id is None:
            if not problems.has_error(f"{where}.id"):
                problems.error(f"{where}.id", "missing (expected text)")
            continue
        if not _ID.fullmatch(section_id):
            problems.error(
                f"{where}.id",
                f"expected lower-case letters, digits, '-' or '_', got {section_id!r}",
            )
        elif any(s.id == section_id for s in sections):
            problems.error(f"{where}.id", f"{section_id!r} is used twice")
        else:
            sections.append(SectionSpec(**values))
    return tuple(sections)


def _style(table: Any, folder: Path, problems: _Problems) -> Style:
    values = _check_table(table, _STYLE_KEYS, "style", problems) or {}
    if "logo" in values:
        values["logo"] = _file_in(
            folder, values["logo"], "style.logo", problems, MAX_LOGO_BYTES, "a logo"
        )
    if "reference_docx" in values:
        name = values["reference_docx"]
        base = None
        if not is_word_base(Path(name)):
            problems.error("style.reference_docx", "expected a .docx or .dotx file")
        else:
            base = _file_in(
                folder, name, "style.reference_docx", problems, MAX_WORD_BASE_BYTES, "a Word base"
            )
        values["reference_docx"] = base
    elif not problems.has_error("style.reference_docx"):
        values["reference_docx"] = _word_base_in(folder, problems)
    style = Style(**{key: value for key, value in values.items() if value is not None})
    if style.reference_docx is not None and "looks" not in (
        table if isinstance(table, dict) else {}
    ):
        # A Word base and no looks yet: the base decides the look, as it
        # does in the DOCX, so the PDF is made to follow it. Once Briefer
        # writes the template, the looks are in template.toml.
        style = _follow_base(style)
    _check_margins(style, problems)
    return style


def _follow_base(style: Style) -> Style:
    """`style` in the look of its Word base; as it is when the base does not
    open (checking and exporting say why)."""
    from briefer.house_style import apply_house_style, read_house_style

    assert style.reference_docx is not None
    try:
        house = read_house_style(style.reference_docx)
    except BrieferError:
        return style
    return apply_house_style(style, house)


def _file_in(
    folder: Path, name: str, where: str, problems: _Problems, limit: int, what: str
) -> Path | None:
    """The file `name` in the template folder, with its links resolved, or
    None (and a problem) unless it is a regular file of at most `limit`
    bytes inside the folder. A link out of the folder is refused: a
    template received from someone else must not make an export embed,
    say, a file from the user's home folder."""
    try:
        home = folder.resolve()
        path = (folder / name).resolve()
    except (OSError, RuntimeError, ValueError):  # a loop of links, a NUL in the name
        problems.error(where, f"{name!r} is not a usable file name")
        return None
    if not path.is_relative_to(home):
        problems.error(
            where,
            f"{name!r} leads outside the template folder (to {path}); only files inside"
            " it are used",
        )
        return None
    reason = _unusable(path, limit, what)
    if reason:
        problems.error(where, f"file {name!r} {reason}")
        return None
    return path


def _unusable(path: Path, limit: int, what: str) -> str | None:
    """Why the file at `path` cannot be read as `what`, or None. Only its
    status is looked at: a named pipe is never opened."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return "not found"
    except (OSError, ValueError) as exc:
        reason = os_error_reason(exc) if isinstance(exc, OSError) else "not a valid file name"
        return f"cannot be read ({reason})"
    if stat.S_ISDIR(info.st_mode):
        return f"is a folder, not {what}"
    if not stat.S_ISREG(info.st_mode):
        return f"is {special_kind(info.st_mode)}, not a regular file"
    if info.st_size > limit:
        return f"is too large for {what} ({info.st_size:,} bytes; at most {limit:,})"
    return None


def _word_base_in(folder: Path, problems: _Problems) -> Path | None:
    """A `reference.docx` or `reference.dotx` in the folder, used as the Word
    base without being named. With both, neither is guessed at: which one
    holds the house style is the template author's to say."""
    try:
        found = sorted(child for child in folder.iterdir() if child.name.lower() in WORD_BASE_NAMES)
    except OSError:
        return None
    if len(found) > 1:
        names = " and ".join(path.name for path in found)
        problems.error(
            "style.reference_docx",
            f"the folder has both {names}; name the one to use"
            f' (reference_docx = "{found[-1].name}" under [style])',
        )
        return None
    if not found:
        return None
    # Used without being named, so held to the same rules as a named one.
    return _file_in(
        folder,
        found[0].name,
        "style.reference_docx",
        problems,
        MAX_WORD_BASE_BYTES,
        "a Word base",
    )


def _check_margins(style: Style, problems: _Problems) -> None:
    """Margins must leave a text block to write in, and sit where printers print."""
    if problems.has_error("style.margins_mm") or problems.has_error("style.page_size"):
        return
    top, right, bottom, left = style.margins_mm
    page_width, page_height = style.page_size.mm
    page = f"the {_shown(page_width)} x {_shown(page_height)} mm {style.page_size.value} page"
    width = page_width - left - right
    if width < MIN_TEXT_WIDTH_MM:
        problems.error(
            "style.margins_mm",
            f"left {_shown(left)} + right {_shown(right)} mm leave a text block"
            f" {_shown(max(width, 0))} mm wide on {page}; at least {_shown(MIN_TEXT_WIDTH_MM)}"
            " mm is needed",
        )
    height = page_height - top - bottom
    if height < MIN_TEXT_HEIGHT_MM:
        problems.error(
            "style.margins_mm",
            f"top {_shown(top)} + bottom {_shown(bottom)} mm leave a text block"
            f" {_shown(max(height, 0))} mm tall on {page}; at least"
            f" {_shown(MIN_TEXT_HEIGHT_MM)} mm is needed",
        )
    for index, margin in enumerate(style.margins_mm):
        if margin < PRINTABLE_EDGE_MM:
            problems.warn(
                f"style.margins_mm[{index}]",
                f"the {_MARGIN_NAMES[index]} margin of {_shown(margin)} mm is inside the"
                f" {_shown(PRINTABLE_EDGE_MM)} mm most printers leave unprinted",
            )


def check_reference(reference: Path) -> None:
    """A base Word document must be a regular .docx or .dotx file (a named
    pipe is refused without being opened), of at most `MAX_WORD_BASE_BYTES`."""
    reason = _unusable(reference, MAX_WORD_BASE_BYTES, "a Word base")
    if reason == "not found":
        raise TemplateError(f"{reference}: no such file")
    if reason:
        raise TemplateError(f"{reference}: {reason.removeprefix('is ')}")
    if not is_word_base(reference):
        raise TemplateError(f"{reference}: expected a .docx or .dotx file")


def is_word_base(path: Path) -> bool:
    return path.suffix.lower() in (".docx", ".dotx")


def with_reference(template: Template, reference: Path) -> Template:
    """The template with another base Word document (`--reference`), whose
    house look both exports then follow (`briefer.house_style`). A base
    that does not open is a `TemplateError` naming it."""
    return with_house_style(template, house_style_of(reference))


def house_style_of(reference: Path) -> HouseStyle:
    """The house style of a Word document or template given by a person;
    a `TemplateError` naming it when it is no usable Word base."""
    from briefer.house_style import read_house_style

    check_reference(reference)
    try:
        return read_house_style(reference)
    except BrieferError as exc:
        raise TemplateError(str(exc)) from exc


def with_house_style(template: Template, house: HouseStyle) -> Template:
    """The template in `house`'s look, with its document as the Word base."""
    from briefer.house_style import apply_house_style

    return dataclasses.replace(template, style=apply_house_style(template.style, house))


# --------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SkippedTemplate:
    """A template folder the registry could not load, and why."""

    folder: Path
    message: str


class TemplateRegistry:
    """Built-in and user templates, found by id or by folder."""

    def __init__(self, paths: Paths) -> None:
        self._paths = paths
        self._cache: dict[Path, Template] = {}

    @property
    def paths(self) -> Paths:
        return self._paths

    def _folders(self) -> list[tuple[Path, bool]]:
        found: list[tuple[Path, bool]] = []
        for root, builtin in (
            (self._paths.builtin_templates, True),
            (self._paths.user_templates, False),
        ):
            if root.is_dir():
                # lexists, not is_file: a template.toml that is a pipe or a
                # dangling link is a folder to report as skipped, not to hide.
                # A hidden folder is one Briefer is writing or removing
                # (`briefer.template_store`): not a template yet, or no more.
                found.extend(
                    (child, builtin)
                    for child in sorted(root.iterdir())
                    if not child.name.startswith(".") and os.path.lexists(child / TEMPLATE_FILE)
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

    def scan(self) -> tuple[list[Template], list[SkippedTemplate]]:
        """Every loadable template (user ones replacing built-in ones of the
        same id), and the folders that failed to load."""
        by_id: dict[str, Template] = {}
        problems: list[SkippedTemplate] = []
        for folder, builtin in self._folders():
            try:
                template = self._load(folder, builtin)
            except TemplateError as exc:
                problems.append(SkippedTemplate(folder, str(exc)))
                continue
            by_id[template.id] = template
        return sorted(by_id.values(), key=lambda t: (not t.builtin, t.name.lower())), problems

    def all(self) -> list[Template]:
        return self.scan()[0]

    def get(self, ref: str) -> Template:
        """A template by id, or by the path of a template folder: what a
        person gives on the command line (`--template ID|DIR`). What a brief
        names goes to `by_id`."""
        try:
            candidate = Path(ref).expanduser()
        except RuntimeError:  # `~someone` who has no home folder here
            candidate = Path(ref)
        if (
            os.path.lexists(candidate / TEMPLATE_FILE)
            or "/" in ref
            or "\\" in ref
            or ref.startswith(".")
        ):
            return load_template(candidate)
        return self._find(ref)

    def by_id(self, template_id: str) -> Template:
        """A built-in or user template by its id, never a folder: a brief
        (or Markdown front matter) names its template this way, so no file
        outside the template folders is read because a brief said so."""
        if not is_template_id(template_id):
            raise TemplateError(
                f"{template_id!r} is not a template id ({TEMPLATE_ID_RULE}); a template"
                " folder is given on the command line, with --template DIR"
            )
        return self._find(template_id)

    def _find(self, template_id: str) -> Template:
        for template in reversed(self.all()):  # user templates last in the list, so first here
            if template.id == template_id:
                return template
        for folder, builtin in self._folders():
            if folder.name == template_id:
                return self._load(folder, builtin)  # raises the template's own error
        known = ", ".join(t.id for t in self.all()) or "none"
        raise TemplateError(f"unknown template {template_id!r} (known: {known})")
