"""Pure edits on a template: its sections, its style, its name.

The template editor in the window makes every change through these
functions. Each takes a frozen `Template` and returns a new one, so undo is
a stack of earlier values, as for briefs (`briefer.editing`). A value the
template file could not hold is refused with `EditError` naming the field
and what is allowed, and the template is left as it was; the ranges are the
ones the loader checks `template.toml` against (`briefer.templates`), so a
template made here always loads again.

`preview_brief` makes the brief the editor's preview shows: the template's
sample, reshaped to the sections as they are now, with a line of text in
each section the sample leaves empty so every heading can be seen.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from briefer.document import HEADER_FIELDS
from briefer.editing import escape_markdown
from briefer.errors import EditError
from briefer.model import (
    Brief,
    CitationStyle,
    HeadingLook,
    Meta,
    PageSize,
    Section,
    SectionKind,
    SectionSpec,
    Style,
    Template,
)
from briefer.templates import (
    MIN_TEXT_HEIGHT_MM,
    MIN_TEXT_WIDTH_MM,
    SECTION_LIMITS,
    STYLE_LIMITS,
    Limits,
    is_template_id,
)
from briefer.text import slugify, unique_name

MARGIN_NAMES = ("top", "right", "bottom", "left")
NEW_SECTION_HEADING = "New section"
_FIELD = re.compile(r"\{([^{}]*)\}")
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")


# ---------------------------------------------------------------------------
# The loader's own ranges: an editor offers exactly what template.toml may hold.
# ---------------------------------------------------------------------------


def style_limits(field: str) -> Limits:
    """The range of a numeric style field (`body_size_pt`; for the lists
    `margins_mm` and `heading_sizes_pt`, of each item)."""
    return STYLE_LIMITS[field]


def section_limits(field: str) -> Limits:
    """The range of a numeric section field (`max_words`)."""
    return SECTION_LIMITS[field]


def checked_number(limits: Limits, value: Any, what: str) -> float | int:
    """`value` if it is a number (a whole one where `limits` says so) in
    range; else an `EditError` naming `what`."""
    kinds = (int,) if limits.whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not math.isfinite(value):
        raise EditError(f"{what}: expected a number, got {value!r}")
    if not limits.low <= value <= limits.high:
        raise EditError(
            f"{what}: {value:g} is outside {limits.low:g} to {limits.high:g}"
            + (" (a whole number)" if limits.whole else "")
        )
    return int(value) if limits.whole else float(value)


# ---------------------------------------------------------------------------
# Name and description
# ---------------------------------------------------------------------------


def set_details(
    template: Template, *, name: str | None = None, description: str | None = None
) -> Template:
    """The template with another name or description (a name is needed)."""
    changes: dict[str, str] = {}
    if name is not None:
        if not isinstance(name, str) or not name.strip():
            raise EditError("name: a template needs a name")
        if "\n" in name:
            raise EditError("name: one line, without line breaks")
        changes["name"] = name
    if description is not None:
        changes["description"] = _text(description, "description")
    return dataclasses.replace(template, **changes)


# ---------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------


def section_id_for(template: Template, heading: str, *, replacing: str | None = None) -> str:
    """A section id made from `heading` (`what-happened`), unused in the
    template (`replacing` is the section it is for, whose own id may be
    reused)."""
    base = slugify(heading, limit=56) or "section"
    if not is_template_id(base):
        base = "section"
    used = {s.id for s in template.sections if s.id != replacing}
    return unique_name(base, used)


def add_section(
    template: Template,
    *,
    heading: str = NEW_SECTION_HEADING,
    kind: SectionKind = SectionKind.PROSE,
    index: int | None = None,
) -> Template:
    """The template with a new section at `index` (None: at the end); its
    id is made from the heading. `new_section_id` tells which it is."""
    heading = _heading(heading)
    spec = SectionSpec(id=section_id_for(template, heading), heading=heading, kind=kind)
    sections = list(template.sections)
    at = len(sections) if index is None else index
    if not 0 <= at <= len(sections):
        raise EditError(f"sections: no place {at} among {len(sections)} sections")
    sections.insert(at, spec)
    return dataclasses.replace(template, sections=tuple(sections))


def new_section_id(before: Template, after: Template) -> str | None:
    """The id of the section `after` has and `before` has not (after
    `add_section`), or None."""
    old = {s.id for s in before.sections}
    return next((s.id for s in after.sections if s.id not in old), None)


def remove_section(template: Template, section_id: str) -> Template:
    """The template without a section; a template keeps at least one."""
    _index(template, section_id)
    if len(template.sections) == 1:
        raise EditError("sections: a template needs at least one section")
    return dataclasses.replace(
        template, sections=tuple(s for s in template.sections if s.id != section_id)
    )


def move_section(template: Template, section_id: str, index: int) -> Template:
    """The template with a section moved to `index` (0: first)."""
    sections = list(template.sections)
    spec = sections.pop(_index(template, section_id))
    if not 0 <= index <= len(sections):
        raise EditError(f"sections: no place {index} among {len(template.sections)} sections")
    sections.insert(index, spec)
    return dataclasses.replace(template, sections=tuple(sections))


def set_section(template: Template, section_id: str, **changes: Any) -> Template:
    """The template with fields of one section changed: `heading`, `kind`
    (a `SectionKind`), `guidance`, `max_words` (None: no budget),
    `required`, or `id` (lower-case letters, digits, '-' or '_', unused)."""
    at = _index(template, section_id)
    values: dict[str, Any] = {}
    for field, value in changes.items():
        check = _SECTION_FIELDS.get(field)
        if check is None:
            raise EditError(f"sections: no field {field!r} (fields: {', '.join(_SECTION_FIELDS)})")
        values[field] = check(value, f"sections[{at}].{field}")
    new_id = values.get("id")
    if new_id not in (None, section_id) and any(s.id == new_id for s in template.sections):
        raise EditError(f"sections[{at}].id: {new_id!r} is used by another section")
    sections = list(template.sections)
    sections[at] = dataclasses.replace(sections[at], **values)
    return dataclasses.replace(template, sections=tuple(sections))


def _index(template: Template, section_id: str) -> int:
    for i, spec in enumerate(template.sections):
        if spec.id == section_id:
            return i
    raise EditError(f"sections: no section {section_id!r}")


def _heading(value: Any, what: str = "heading") -> str:
    text = _text(value, what)
    if "\n" in text or "\r" in text:
        raise EditError(f"{what}: one line, without line breaks")
    return text


def _section_id(value: Any, what: str) -> str:
    if not isinstance(value, str) or not is_template_id(value):
        raise EditError(f"{what}: expected lower-case letters, digits, '-' or '_', got {value!r}")
    return value


def _budget(value: Any, what: str) -> int | None:
    if value is None:
        return None
    return int(checked_number(section_limits("max_words"), value, what))


_SECTION_FIELDS: dict[str, Callable[[Any, str], Any]] = {
    "id": _section_id,
    "heading": _heading,
    "kind": lambda v, w: _member(SectionKind, v, w),
    "guidance": lambda v, w: _text(v, w),
    "max_words": _budget,
    "required": lambda v, w: _flag(v, w),
}


# ---------------------------------------------------------------------------
# Style
# ---------------------------------------------------------------------------


def set_style(template: Template, **changes: Any) -> Template:
    """The template with style fields changed (`body_size_pt=11`,
    `page_size=PageSize.LETTER`, `accent="#AA3300"`, `logo=Path(...)` or
    None). Every value is checked, and so is the page they make together:
    the margins must leave a text block to write in."""
    style = template.style
    values: dict[str, Any] = {}
    for field, value in changes.items():
        check = _STYLE_FIELDS.get(field)
        if check is None:
            raise EditError(f"style: no field {field!r} the editor can set")
        values[field] = check(value, f"style.{field}")
    new = dataclasses.replace(style, **values)
    problem = text_block_problem(new)
    if problem:
        raise EditError(f"style.margins_mm: {problem}")
    return dataclasses.replace(template, style=new)


def set_margin(template: Template, index: int, value: float) -> Template:
    """One margin (0 top, 1 right, 2 bottom, 3 left) set, in millimetres."""
    if not 0 <= index < 4:
        raise EditError(f"style.margins_mm: no margin {index} (0 top to 3 left)")
    margins = list(template.style.margins_mm)
    margins[index] = value
    return set_style(template, margins_mm=tuple(margins))


def set_heading_size(template: Template, level: int, value: float) -> Template:
    """The size of heading `level` (1 to 3), in points."""
    if not 1 <= level <= 3:
        raise EditError(f"style.heading_sizes_pt: no heading level {level} (1 to 3)")
    sizes = list(template.style.heading_sizes_pt)
    sizes[level - 1] = value
    return set_style(template, heading_sizes_pt=tuple(sizes))


def text_block_problem(style: Style) -> str:
    """Why the page's margins leave too little room to write in, or ""."""
    top, right, bottom, left = style.margins_mm
    page_width, page_height = style.page_size.mm
    if page_width - left - right < MIN_TEXT_WIDTH_MM:
        return (
            f"left {left:g} + right {right:g} mm leave less than {MIN_TEXT_WIDTH_MM:g} mm"
            f" of text width on the {style.page_size.value} page"
        )
    if page_height - top - bottom < MIN_TEXT_HEIGHT_MM:
        return (
            f"top {top:g} + bottom {bottom:g} mm leave less than {MIN_TEXT_HEIGHT_MM:g} mm"
            f" of text height on the {style.page_size.value} page"
        )
    return ""


def margin_limits(style: Style, index: int) -> Limits:
    """The range margin `index` may take with the other three as they are:
    the loader's range, narrowed so the text block keeps its minimum size."""
    base = style_limits("margins_mm")
    page_width, page_height = style.page_size.mm
    margins = style.margins_mm
    if index in (1, 3):
        room = page_width - MIN_TEXT_WIDTH_MM - margins[4 - index]
    else:
        room = page_height - MIN_TEXT_HEIGHT_MM - margins[2 - index]
    return Limits(base.low, max(base.low, min(base.high, room)))


def pattern_problem(text: str) -> str:
    """Why a header or footer text would be refused (a field Briefer does
    not know, such as `{pgae}`), or ""."""
    unknown = [name for name in _FIELD.findall(text) if name not in HEADER_FIELDS]
    if unknown:
        known = ", ".join(f"{{{f}}}" for f in HEADER_FIELDS)
        return f"{{{unknown[0]}}} is not a field (fields: {known})"
    return ""


def _pattern(value: Any, what: str) -> str:
    text = _heading(value, what)
    problem = pattern_problem(text)
    if problem:
        raise EditError(f"{what}: {problem}")
    return text


def _colour(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _COLOUR.fullmatch(value):
        raise EditError(f'{what}: expected a colour like "#0B5CAD", got {value!r}')
    return value.upper()


def _font(value: Any, what: str) -> str:
    text = _heading(value, what).strip()
    if not text:
        raise EditError(f"{what}: a font name is needed")
    return text


def _number(field: str) -> Callable[[Any, str], float]:
    return lambda value, what: checked_number(style_limits(field), value, what)


def _numbers(field: str, count: int) -> Callable[[Any, str], tuple[float, ...]]:
    def check(value: Any, what: str) -> tuple[float, ...]:
        if not isinstance(value, (tuple, list)) or len(value) != count:
            raise EditError(f"{what}: expected {count} numbers, got {value!r}")
        limits = style_limits(field)
        return tuple(float(checked_number(limits, v, f"{what}[{i}]")) for i, v in enumerate(value))

    return check


def _file(value: Any, what: str) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, Path):
        raise EditError(f"{what}: expected a file, got {value!r}")
    return value


_STYLE_FIELDS: dict[str, Callable[[Any, str], Any]] = {
    "page_size": lambda v, w: _member(PageSize, v, w),
    "margins_mm": _numbers("margins_mm", 4),
    "body_font": _font,
    "heading_font": _font,
    "mono_font": _font,
    "body_size_pt": _number("body_size_pt"),
    "title_size_pt": _number("title_size_pt"),
    "heading_sizes_pt": _numbers("heading_sizes_pt", 3),
    "line_spacing": _number("line_spacing"),
    "text_color": _colour,
    "accent": _colour,
    "banner_color": _colour,
    "heading_look": lambda v, w: _member(HeadingLook, v, w),
    "section_heading_level": _number("section_heading_level"),
    "smart_punctuation": lambda v, w: _flag(v, w),
    "header": _pattern,
    "footer": _pattern,
    "banner": lambda v, w: _flag(v, w),
    "citations": lambda v, w: _member(CitationStyle, v, w),
    "contents": lambda v, w: _flag(v, w),
    "contents_title": _heading,
    "sources_title": _heading,
    "source_line_label": _heading,
    "logo": _file,
    "logo_width_mm": _number("logo_width_mm"),
}


# ---------------------------------------------------------------------------
# Checks shared by sections and style
# ---------------------------------------------------------------------------


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise EditError(f"{what}: expected text, got {value!r}")
    return value


def _flag(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise EditError(f"{what}: expected true or false, got {value!r}")
    return value


def _member(kind: type, value: Any, what: str) -> Any:
    if isinstance(value, kind):
        return value
    for member in kind:  # type: ignore[attr-defined]
        if value == member.value:
            return member
    allowed = " or ".join(f'"{m.value}"' for m in kind)  # type: ignore[attr-defined]
    raise EditError(f"{what}: expected {allowed}, got {value!r}")


# ---------------------------------------------------------------------------
# The preview's brief
# ---------------------------------------------------------------------------


def preview_brief(template: Template, sample: Brief | None, *, date: str = "") -> Brief:
    """The brief the editor previews: the sample's text in each section of
    `template` that the sample has (by id), and a line in italics saying
    what goes there (the guidance) in each section it lacks, so a new
    section shows at once. Without a sample, every section gets that line,
    under a stand-in title."""
    meta = (
        sample.meta
        if sample is not None
        else Meta(
            title=f"{template.name}: the brief's title",
            author="Your name",
            date=date,
            classification="INTERNAL",
        )
    )
    sections = []
    for spec in template.sections:
        kept = sample.section(spec.id) if sample is not None else None
        body = kept.body if kept is not None and kept.body.strip() else _stand_in(spec)
        sections.append(Section(spec.id, "", body))
    sources = sample.sources if sample is not None else {}
    return Brief(template.id, meta, tuple(sections), sources)


def _stand_in(spec: SectionSpec) -> str:
    """A line of text for a section the sample leaves empty: its guidance,
    else a word on what the section is, in italics, so it reads as a
    placeholder and not as text the template prints."""
    what = " ".join(spec.guidance.split()) or (
        f"The text of {spec.heading.strip()}." if spec.heading.strip() else "The section's text."
    )
    line = f"*{escape_markdown(what)}*"
    if spec.kind is SectionKind.BULLETS:
        return f"- {line}\n- *A second point.*"
    return line


def template_id_for(name: str, taken: set[str]) -> str:
    """A template id made from its name (`Europe desk brief` gives
    `europe-desk-brief`), not in `taken`; the id returned is added to it."""
    base = slugify(name, limit=56) or "template"
    if not is_template_id(base):
        base = "template"
    return unique_name(base, taken)
