"""`.brief` files: read, validate, migrate, save atomically.

A `.brief` is UTF-8 JSON (see design.md). Reading never trusts the file:
every field is checked and a problem is reported with its path, e.g.
`sections[2].heading: expected text, got 42`. A file from a newer Briefer is
refused; an older one is upgraded by the step functions in `MIGRATIONS`, one
per version. Saving goes through `fsutil.atomic_write`, so a crash never
leaves a half-written brief.

Markdown input is read by `briefer.markdown_input`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable, Mapping
from typing import Any

from briefer.citekeys import KEY_RULE, is_valid_key
from briefer.errors import BriefFormatError, FileAccessError
from briefer.fsutil import atomic_write_bytes, read_regular_file
from briefer.model import Brief, Meta, Section, Source, Template
from briefer.templates import TEMPLATE_ID_RULE, is_template_id

FORMAT_NAME = "briefer.brief"
CURRENT_VERSION = 1
DEFAULT_MARKDOWN_TEMPLATE = "smart-brevity"  # for Markdown without `template:`
MAX_BRIEF_BYTES = 64 * 1024 * 1024
_MAX_VERSION = 1_000_000  # beyond any Briefer's: a damaged or hostile file

# Version N -> N+1 upgrade steps, applied in order on load. Each takes the
# raw JSON object of version N and returns one of version N+1.
Migration = Callable[[dict[str, Any]], dict[str, Any]]
MIGRATIONS: dict[int, Migration] = {}

_META_FIELDS = ("title", "subtitle", "author", "date", "classification", "language")
_SOURCE_FIELDS = (
    "title",
    "publisher",
    "author",
    "url",
    "published",
    "accessed",
    "quote",
    "snippet_id",
)
# Patterns for what a user wrote are matched whole (`fullmatch`: `$` would
# let a trailing newline through) and in ASCII (`\d` takes any script's digits).
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/-]*")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def read_input(path: str | os.PathLike[str], kind: str = "brief") -> bytes:
    """The bytes of a brief or Markdown file, or one clear error naming it.
    Only a regular file is read (a named pipe or a device would wait or
    stream for ever), and only up to `MAX_BRIEF_BYTES`."""
    try:
        return read_regular_file(path, MAX_BRIEF_BYTES, f"a {kind}")
    except FileAccessError as exc:
        raise BriefFormatError(str(exc)) from exc


def load_brief(path: str | os.PathLike[str]) -> Brief:
    """Read and validate a `.brief` file."""
    data = read_input(path)
    try:
        return brief_from_bytes(data)
    except BriefFormatError as exc:
        raise BriefFormatError(f"{path}: {exc}") from exc


def brief_from_bytes(data: bytes) -> Brief:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BriefFormatError("not a brief (not UTF-8 text)") from exc
    if "\x00" in text:
        raise BriefFormatError("not a brief (binary data)")
    if not text.strip():
        raise BriefFormatError("empty file, not a brief")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        # json's messages are written to be followed by a position
        # ("Unterminated string starting at"), so give them one.
        what = exc.msg.removesuffix(" at").removesuffix(":")
        raise BriefFormatError(
            f"not valid JSON: {what[:1].lower()}{what[1:]} at line {exc.lineno}"
            f" column {exc.colno}; the file may be truncated"
        ) from exc
    except RecursionError as exc:
        raise BriefFormatError("not a brief (nested too deeply)") from exc
    except ValueError as exc:
        # Python refuses to convert a number of more than 4,300 digits
        # (`sys.get_int_max_str_digits`); no field of a brief is one.
        raise BriefFormatError("not a brief (a number with thousands of digits)") from exc
    return brief_from_json(raw)


def brief_from_json(raw: Any, migrations: Mapping[int, Migration] | None = None) -> Brief:
    """Validate a decoded JSON object and build a `Brief`, migrating old versions."""
    migrations = MIGRATIONS if migrations is None else migrations
    obj = _expect_object(raw, "")
    if obj.get("format") != FORMAT_NAME:
        raise BriefFormatError(f'format: expected "{FORMAT_NAME}", got {_show(obj.get("format"))}')
    version = obj.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BriefFormatError(f"version: expected a whole number >= 1, got {_show(version)}")
    latest = max([CURRENT_VERSION, *(v + 1 for v in migrations)])
    if version > _MAX_VERSION:
        raise BriefFormatError(f"version: expected a version number, got {_show(version)}")
    if version > latest:
        raise BriefFormatError(
            f"version {version} was written by a newer Briefer; this one reads up to"
            f" version {latest}. Please update Briefer."
        )
    while version < latest:
        step = migrations.get(version)
        if step is None:
            raise BriefFormatError(f"version {version}: no upgrade to version {version + 1}")
        obj = _expect_object(step(dict(obj)), "")
        version += 1
        obj["version"] = version
    return _parse_brief(obj)


def _parse_brief(obj: dict[str, Any]) -> Brief:
    _no_unknown(obj, {"format", "version", "template", "meta", "sections", "sources"}, "")
    template = _expect_str(obj.get("template", ""), "template")
    if not template:
        raise BriefFormatError("template: expected a template id, got nothing")
    check_template_id(template, "template")

    meta_raw = _expect_object(obj.get("meta", {}), "meta")
    _no_unknown(meta_raw, {*_META_FIELDS, "keywords"}, "meta")
    fields = {name: _expect_str(meta_raw.get(name, ""), f"meta.{name}") for name in _META_FIELDS}
    fields["language"] = fields["language"] or "en"
    if fields["date"] and not is_date(fields["date"]):
        raise BriefFormatError(
            f"meta.date: expected a date like 2026-11-22, got {_show(fields['date'])}"
        )
    keywords = _expect_list(meta_raw.get("keywords", []), "meta.keywords")
    meta = Meta(
        **fields,
        keywords=tuple(_expect_str(k, f"meta.keywords[{i}]") for i, k in enumerate(keywords)),
    )

    sections: list[Section] = []
    seen: set[str] = set()
    for i, item in enumerate(_expect_list(obj.get("sections", []), "sections")):
        where = f"sections[{i}]"
        sec = _expect_object(item, where)
        _no_unknown(sec, {"id", "heading", "body"}, where)
        sid = _expect_str(sec.get("id"), f"{where}.id")
        if not _ID.fullmatch(sid):
            raise BriefFormatError(
                f"{where}.id: expected letters, digits, '-' or '_', got {_show(sid)}"
            )
        if sid in seen:
            raise BriefFormatError(f"{where}.id: {sid!r} is used by an earlier section")
        seen.add(sid)
        sections.append(
            Section(
                id=sid,
                heading=_expect_str(sec.get("heading", ""), f"{where}.heading"),
                body=_expect_str(sec.get("body", ""), f"{where}.body"),
            )
        )

    sources: dict[str, Source] = {}
    for key, item in _expect_object(obj.get("sources", {}), "sources").items():
        where = f"sources.{key}"
        if not is_valid_key(key):
            raise BriefFormatError(f"{where}: a source key must be {KEY_RULE}")
        src = _expect_object(item, where)
        _no_unknown(src, set(_SOURCE_FIELDS), where)
        sources[key] = Source(
            **{name: _expect_str(src.get(name, ""), f"{where}.{name}") for name in _SOURCE_FIELDS}
        )
    return Brief(template=template, meta=meta, sections=sections, sources=sources)


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def brief_to_json(brief: Brief) -> dict[str, Any]:
    meta: dict[str, Any] = {name: getattr(brief.meta, name) for name in _META_FIELDS}
    if brief.meta.keywords:
        meta["keywords"] = list(brief.meta.keywords)
    return {
        "format": FORMAT_NAME,
        "version": CURRENT_VERSION,
        "template": brief.template,
        "meta": meta,
        "sections": [{"id": s.id, "heading": s.heading, "body": s.body} for s in brief.sections],
        "sources": {
            key: {name: value for name in _SOURCE_FIELDS if (value := getattr(src, name))}
            for key, src in brief.sources.items()
        },
    }


def brief_to_bytes(brief: Brief) -> bytes:
    text = json.dumps(brief_to_json(brief), ensure_ascii=False, indent=2)
    # Lone surrogates cannot be stored as UTF-8; keep them visible as U+FFFD.
    return (_SURROGATE.sub("\ufffd", text) + "\n").encode("utf-8")


def save_brief(brief: Brief, path: str | os.PathLike[str]) -> None:
    """Write `brief` to `path` atomically (temporary file, fsync, rename)."""
    atomic_write_bytes(path, brief_to_bytes(brief))


def new_brief(template: Template, title: str = "", date: str = "") -> Brief:
    """An empty brief with one section per template section."""
    return Brief(
        template=template.id,
        meta=Meta(title=title, date=date),
        sections=[Section(id=s.id, heading=s.heading) for s in template.sections],
    )


def is_date(text: str) -> bool:
    """True for a real calendar date written YYYY-MM-DD in ASCII digits
    (not 2026-02-30, not with a newline after it)."""
    if not _DATE.fullmatch(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def check_template_id(value: str, where: str) -> None:
    """Refuse a brief's template that is not an id. A brief names its
    template by id only: a folder path there would let a brief received by
    mail make Briefer read files anywhere. A folder is given on the command
    line (`--template DIR`), by the person."""
    if not is_template_id(value):
        raise BriefFormatError(
            f"{where}: expected a template id ({TEMPLATE_ID_RULE}), got {_show(value)};"
            " a template folder is given with --template DIR, not in the brief"
        )


# --------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------


def _show(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, int) and abs(value) >= 10**40:
        return f"a number of {len(str(abs(value)))} digits"
    if isinstance(value, (int, float)):
        return f"{value!r}"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _expect_str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise BriefFormatError(f"{where}: expected text, got {_show(value)}")
    return value


def _expect_object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BriefFormatError(f"{where or 'the file'}: expected an object, got {_show(value)}")
    return value


def _expect_list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise BriefFormatError(f"{where}: expected a list, got {_show(value)}")
    return value


def _no_unknown(obj: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(obj) - allowed)
    if unknown:
        prefix = f"{where}." if where else ""
        known = ", ".join(sorted(allowed))
        raise BriefFormatError(f"{prefix}{unknown[0]}: unknown field (expected one of: {known})")
