"""Find TrueType fonts on this machine and pick one per script run.

The PDF exporter asks a `FontResolver` for the faces of a template family
("DejaVu Sans" regular, bold, italic, bold italic) and for a fallback font per
script (CJK, Arabic, Hebrew, emoji), then per character when the chosen font
lacks a glyph. The resolver scans the font folders once (fontconfig's folders
on Linux, the system and user font folders on Windows and macOS), reading only
each file's table directory and `name` table, and registers a font with
reportlab the first time it is used. Only fonts with TrueType outlines
(`glyf`) are taken, because reportlab embeds nothing else; when no TrueType
CJK font is installed, reportlab's built-in CID fonts stand in.

Registering a TTFont is slow and reportlab's font registry is process-wide,
so `resolver_for(cache_dir)` hands out one resolver per process and cache
folder (the caller names the folder: nothing here reads the environment);
tests that want their own font folders build a `FontResolver` directly.

Concurrent exports share resolvers and reportlab's registered fonts, so
everything a render may change in them is guarded: the resolver's own tables
by its lock, reportlab's registry by `_REGISTRY_LOCK`, and the read cursor a
TrueType face moves while reportlab builds a subset for a PDF by
`_SUBSET_LOCK` (see `_guard_subsetting`).
"""

from __future__ import annotations

import enum
import hashlib
import os
import re
import stat
import struct
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

from briefer.export.font_cache import FontCache
from briefer.paths import system_font_dirs
from briefer.text import Script

FONT_SUFFIXES = (".ttf", ".otf", ".ttc")


class FaceStyle(enum.Enum):
    REGULAR = 0
    BOLD = 1
    ITALIC = 2
    BOLD_ITALIC = 3

    @classmethod
    def of(cls, bold: bool, italic: bool) -> FaceStyle:
        return cls(int(bold) + 2 * int(italic))


@dataclass(frozen=True)
class FaceFile:
    """One face found on disk: a file (and index within a .ttc)."""

    path: Path
    index: int
    family: str
    style: FaceStyle


@dataclass(frozen=True)
class FontSet:
    """Reportlab font names for the four faces of one family (regular, bold,
    italic, bold italic). Missing faces reuse the nearest one (no synthetic
    bold). A face is registered with reportlab only when first asked for:
    parsing a TrueType file costs about 15 ms, and most documents use two or
    three of the eight faces of their body and heading families."""

    family: str
    names: tuple[str, str, str, str]
    cid: bool = False  # a built-in CID font: not embedded, no cmap to check
    ensure: Callable[[str], str] | None = field(default=None, compare=False, repr=False)

    def _name(self, index: int) -> str:
        name = self.names[index]
        return self.ensure(name) if self.ensure is not None else name

    @property
    def regular(self) -> str:
        return self._name(0)

    @property
    def bold(self) -> str:
        return self._name(1)

    @property
    def italic(self) -> str:
        return self._name(2)

    def face(self, bold: bool = False, italic: bool = False) -> str:
        return self._name(int(bold) + 2 * int(italic))


# Families tried per script, in order, after the template's own font.
SCRIPT_FALLBACKS: dict[Script, tuple[str, ...]] = {
    Script.LATIN: ("DejaVu Sans", "Noto Sans", "Liberation Sans", "Arial", "Helvetica"),
    Script.CJK: (
        "WenQuanYi Zen Hei",
        "WenQuanYi Micro Hei",
        "Droid Sans Fallback",
        "Noto Sans CJK SC",
        "Microsoft YaHei",
        "SimSun",
        "MS Gothic",
        "Malgun Gothic",
        "Arial Unicode MS",
    ),
    Script.ARABIC: ("Noto Naskh Arabic", "Noto Sans Arabic", "DejaVu Sans", "Arial", "Tahoma"),
    Script.HEBREW: ("Noto Sans Hebrew", "DejaVu Sans", "Arial", "Tahoma"),
    Script.EMOJI: (
        "Noto Emoji",
        "Symbola",
        "Segoe UI Emoji",
        "Segoe UI Symbol",
        "Noto Sans Symbols2",
        "Noto Sans Symbols",
        "DejaVu Sans",
    ),
}
# What code is drawn with when the template's `mono_font` is not installed,
# in this order (Courier, reportlab's built-in, when none is).
MONO_FALLBACKS = ("DejaVu Sans Mono", "Liberation Mono", "Courier New", "Noto Sans Mono")
# Tried for any character the script's chain cannot draw.
GENERAL_FALLBACKS = (
    "DejaVu Sans",
    "Noto Sans",
    "Noto Sans Symbols2",
    "Noto Sans Symbols",
    "Noto Sans Math",
    "DejaVu Sans Mono",
)
# Built-in Adobe CID fonts, used only when no TrueType CJK font is installed.
CID_JAPANESE = "HeiseiMin-W3"
CID_KOREAN = "HYSMyeongJo-Medium"
CID_CHINESE = "STSong-Light"

_STYLE_NAMES = {
    "regular": FaceStyle.REGULAR,
    "normal": FaceStyle.REGULAR,
    "book": FaceStyle.REGULAR,
    "roman": FaceStyle.REGULAR,
    "bold": FaceStyle.BOLD,
    "italic": FaceStyle.ITALIC,
    "oblique": FaceStyle.ITALIC,
    "bold italic": FaceStyle.BOLD_ITALIC,
    "bold oblique": FaceStyle.BOLD_ITALIC,
    "bolditalic": FaceStyle.BOLD_ITALIC,
}


def family_key(name: str) -> str:
    """Families match case- and space-insensitively ("dejavusans")."""
    return re.sub(r"[\s_-]+", "", name).casefold()


# --------------------------------------------------------------------------
# Reading just enough of a font file
# --------------------------------------------------------------------------


def _read_tables(handle, offset: int) -> dict[bytes, tuple[int, int]]:
    handle.seek(offset)
    head = handle.read(12)
    if len(head) < 12:
        return {}
    (num_tables,) = struct.unpack(">H", head[4:6])
    data = handle.read(16 * num_tables)
    tables = {}
    for i in range(min(num_tables, len(data) // 16)):
        tag, _checksum, table_offset, length = struct.unpack(">4sLLL", data[16 * i : 16 * i + 16])
        tables[tag] = (table_offset, length)
    return tables


def _read_names(handle, offset: int, length: int) -> dict[int, str]:
    handle.seek(offset)
    data = handle.read(min(length, 1 << 20))
    if len(data) < 6:
        return {}
    _fmt, count, string_offset = struct.unpack(">HHH", data[:6])
    best: dict[int, tuple[int, str]] = {}
    for i in range(count):
        record = data[6 + 12 * i : 18 + 12 * i]
        if len(record) < 12:
            break
        platform, encoding, language, name_id, size, where = struct.unpack(">6H", record)
        if name_id not in (1, 2, 16, 17):
            continue
        raw = data[string_offset + where : string_offset + where + size]
        if platform == 3 and encoding in (0, 1, 10):
            rank = 0 if language == 0x409 else 1
            text = raw.decode("utf-16-be", "replace")
        elif platform == 1 and encoding == 0 and language == 0:
            rank = 2
            text = raw.decode("mac_roman", "replace")
        elif platform == 0:
            rank = 3
            text = raw.decode("utf-16-be", "replace")
        else:
            continue
        if name_id not in best or rank < best[name_id][0]:
            best[name_id] = (rank, text.strip())
    return {name_id: text for name_id, (_rank, text) in best.items()}


def _mac_style(handle, tables: dict[bytes, tuple[int, int]]) -> FaceStyle | None:
    if b"head" not in tables:
        return None
    handle.seek(tables[b"head"][0] + 44)
    data = handle.read(2)
    if len(data) < 2:
        return None
    (mac_style,) = struct.unpack(">H", data)
    return FaceStyle.of(bool(mac_style & 1), bool(mac_style & 2))


def line_height_em(face: FaceFile) -> float | None:
    """The face's single line height as a multiple of its size, as Word and
    LibreOffice space "Single" and "Multiple" lines: (ascender - descender +
    line gap) / units per em from its `hhea` table; None if unreadable."""
    try:
        with open(face.path, "rb") as handle:
            offset = 0
            if handle.read(4) == b"ttcf":
                handle.seek(12 + 4 * face.index)
                (offset,) = struct.unpack(">L", handle.read(4))
            tables = _read_tables(handle, offset)
            if b"hhea" not in tables or b"head" not in tables:
                return None
            handle.seek(tables[b"head"][0] + 18)
            (units,) = struct.unpack(">H", handle.read(2))
            handle.seek(tables[b"hhea"][0] + 4)
            ascender, descender, gap = struct.unpack(">hhh", handle.read(6))
    except (OSError, struct.error):
        return None
    if units <= 0:
        return None
    height = (ascender - descender + max(gap, 0)) / units
    return height if 0.5 <= height <= 3.0 else None


def read_faces(path: Path) -> list[FaceFile]:
    """The TrueType-outline faces in one font file (several in a .ttc)."""
    faces: list[FaceFile] = []
    try:
        # Opened without waiting, and read only if it is a regular file.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return []
            magic = handle.read(12)
            if magic[:4] == b"ttcf":
                (count,) = struct.unpack(">L", magic[8:12])
                raw = handle.read(4 * min(count, 256))
                offsets = [
                    struct.unpack(">L", raw[4 * i : 4 * i + 4])[0] for i in range(len(raw) // 4)
                ]
            elif magic[:4] in (b"\x00\x01\x00\x00", b"true"):
                offsets = [0]
            else:
                return []  # CFF-flavoured OpenType, Type 1, or not a font at all
            for index, offset in enumerate(offsets):
                tables = _read_tables(handle, offset)
                if b"glyf" not in tables or b"name" not in tables or b"cmap" not in tables:
                    continue
                names = _read_names(handle, *tables[b"name"])
                family = names.get(1, "")
                if not family:
                    continue
                subfamily = names.get(2, "").casefold()
                style = (
                    _STYLE_NAMES.get(subfamily) or _mac_style(handle, tables) or FaceStyle.REGULAR
                )
                faces.append(FaceFile(path, index, family, style))
                typographic = names.get(16, "")
                sub17 = names.get(17, "").casefold()
                if typographic and typographic != family and sub17 in _STYLE_NAMES:
                    faces.append(FaceFile(path, index, typographic, _STYLE_NAMES[sub17]))
    except (OSError, struct.error):
        return []
    return faces


def scan_font_dirs(
    dirs: Iterable[Path], cache: FontCache | None = None
) -> dict[str, dict[FaceStyle, FaceFile]]:
    """Map family keys to their faces; the first file found wins a slot.
    With a cache, only files that are new or changed are opened. (Plain
    strings and one stat per file: this runs at the start of every export.)"""
    families: dict[str, dict[FaceStyle, FaceFile]] = {}
    seen: set[tuple[int, int]] = set()
    present: set[str] = set()
    for folder in dirs:
        if not os.path.isdir(folder):
            continue
        files: list[str] = []
        for root, _subdirs, names in os.walk(folder, followlinks=True):
            files.extend(os.path.join(root, n) for n in names if n.lower().endswith(FONT_SUFFIXES))
        files.sort()
        for file in files:
            try:
                info = os.stat(file)
            except OSError:
                continue
            if not stat.S_ISREG(info.st_mode):
                continue  # a named pipe called *.ttf would block the scan for ever
            identity = (info.st_dev, info.st_ino)  # the same file through a link
            if identity in seen:
                continue
            seen.add(identity)
            for face in _faces_of(file, info, cache, present):
                slots = families.setdefault(family_key(face.family), {})
                slots.setdefault(face.style, face)
    if cache is not None:
        cache.forget_missing(present)
        cache.save_scan()
    return families


def _faces_of(
    file: str, info: os.stat_result, cache: FontCache | None, present: set[str]
) -> list[FaceFile]:
    if cache is None:
        return read_faces(Path(file))
    present.add(file)
    known = cache.faces_of(file, info)
    if known is not None:
        path = Path(file)
        return [FaceFile(path, index, family, FaceStyle(style)) for index, family, style in known]
    faces = read_faces(Path(file))
    cache.remember_faces(file, info, [(f.index, f.family, f.style.value) for f in faces])
    return faces


# --------------------------------------------------------------------------
# The resolver
# --------------------------------------------------------------------------


def _font_name(face: FaceFile) -> str:
    """A reportlab font name made of letters, digits and dashes, so it can be
    written into paragraph markup without escaping. It names the file too:
    reportlab's registry is process-wide, and two resolvers (or two copies of
    a family in different folders) must never share a name."""
    base = re.sub(r"[^A-Za-z0-9]", "", face.family)[:24] or "Font"
    digest = hashlib.sha1(f"{face.path.resolve()}:{face.index}".encode()).hexdigest()[:8]
    return f"Br{base}-{face.style.name.title().replace('_', '')}-{digest}"


# reportlab's font registry is process-wide; see `FontResolver._register`.
_REGISTRY_LOCK = threading.RLock()
# Held while reportlab cuts a subset out of any TrueType face (see below).
_SUBSET_LOCK = threading.Lock()


def _guard_subsetting(face: Any) -> None:
    """Make building a font subset from `face` one thread at a time.

    A registered face is shared by every export in the process. Reportlab
    builds a PDF's font subsets by seeking and reading through the face with
    a cursor stored on the face itself (`_pos`), so two PDFs saved at once
    would read each other's positions and embed broken fonts. Only this
    method moves the cursor after the face is loaded; everything else a
    render asks of a face (widths, the character map) is read-only. The
    wrapper is set on this face alone (once, when it is registered), not on
    reportlab's class; the font cache never stores it."""
    make_subset = face.makeSubset

    def locked(subset: Any) -> bytes:
        with _SUBSET_LOCK:
            return make_subset(subset)

    face.makeSubset = locked


class FontResolver:
    """Font lookup for one process: scan once, register lazily, then answer
    "which registered font draws this run" quickly. Thread-safe."""

    def __init__(
        self, font_dirs: Sequence[Path] | None = None, cache: FontCache | None = None
    ) -> None:
        self._dirs = list(font_dirs) if font_dirs is not None else system_font_dirs()
        self._cache = cache
        self._lock = threading.RLock()
        self._families: dict[str, dict[FaceStyle, FaceFile]] | None = None
        self._sets: dict[str, FontSet | None] = {}
        self._cmaps: dict[str, frozenset[int] | dict[int, int]] = {}
        self._char_font: dict[str, FontSet | None] = {}
        self._pending: dict[str, tuple[FaceFile, str]] = {}  # name -> (face, stand-in name)
        self._broken: dict[str, str] = {}  # faces that failed to load -> their stand-in
        self._everything_loaded = False

    # -- scanning and registering ------------------------------------------

    @property
    def families(self) -> dict[str, dict[FaceStyle, FaceFile]]:
        with self._lock:
            if self._families is None:
                self._families = scan_font_dirs(self._dirs, self._cache)
            return self._families

    def _register(self, face: FaceFile) -> str:
        name = _font_name(face)
        # Another resolver (another cache folder, a test's own) may register
        # the same face at the same time: check and register as one step, so
        # a render never sees the font object behind a name replaced.
        with _REGISTRY_LOCK:
            if name not in pdfmetrics.getRegisteredFontNames():
                if self._cache is not None:
                    font = self._cache.load_font(name, face.path, face.index)
                else:
                    font = TTFont(name, str(face.path), subfontIndex=face.index, shapable=False)
                _guard_subsetting(font.face)
                pdfmetrics.registerFont(font)
            self._cmaps[name] = pdfmetrics.getFont(name).face.charToGlyph
        return name

    def _ensure(self, name: str) -> str:
        """Register a face the first time it is used; a face that fails to
        load gives way to its stand-in (the family's regular face, and for a
        regular face Helvetica)."""
        if name in self._pending:
            with self._lock:
                pending = self._pending.get(name)
                if pending is not None:
                    face, stand_in = pending
                    try:
                        self._register(face)
                    except Exception:  # a damaged font file must not stop an export
                        self._broken[name] = stand_in
                    # Only now: another thread that finds the name no longer
                    # pending goes on to use it, so it must be registered (or
                    # known broken) by then.
                    del self._pending[name]
        stand_in = self._broken.get(name)
        # The stand-in may itself be waiting to load (or be broken too).
        return name if stand_in is None else self._ensure(stand_in)

    def family(self, name: str) -> FontSet | None:
        """The faces of an installed family, or None."""
        key = family_key(name)
        with self._lock:
            if key in self._sets:
                return self._sets[key]
            faces = self.families.get(key)
            result: FontSet | None = None
            if faces:
                try:
                    result = self._register_family(faces)
                except Exception:  # a damaged font file must not stop an export
                    result = None
            self._sets[key] = result
            return result

    def _register_family(self, faces: dict[FaceStyle, FaceFile]) -> FontSet:
        # Every face waits until a run needs it: a heading family is often
        # used only in bold, a monospace family not at all. A face that fails
        # to load gives way to the family's regular face, and a broken
        # regular face to Helvetica, so a damaged font never stops an export.
        regular_face = faces.get(FaceStyle.REGULAR) or next(iter(faces.values()))
        regular = _font_name(regular_face)

        def later(face: FaceFile, stand_in: str) -> str:
            name = _font_name(face)
            if name not in self._cmaps:
                self._pending[name] = (face, stand_in)
            return name

        later(regular_face, "Helvetica")
        bold = later(faces[FaceStyle.BOLD], regular) if FaceStyle.BOLD in faces else regular
        italic = later(faces[FaceStyle.ITALIC], regular) if FaceStyle.ITALIC in faces else regular
        if FaceStyle.BOLD_ITALIC in faces:
            bold_italic = later(faces[FaceStyle.BOLD_ITALIC], regular)
        else:
            bold_italic = bold if bold != regular else italic
        # No registerFontFamily: the exporter names each face explicitly, and
        # reportlab's family table is global state shared by every resolver.
        return FontSet(
            regular_face.family, (regular, bold, italic, bold_italic), ensure=self._ensure
        )

    def line_height(self, family: FontSet) -> float | None:
        """The single line height of `family`'s regular face in ems (see
        `line_height_em`), or None for a built-in font or an unreadable one."""
        faces = self.families.get(family_key(family.family))
        if not faces:
            return None
        face = faces.get(FaceStyle.REGULAR) or next(iter(faces.values()))
        return line_height_em(face)

    def cid_font(self, name: str) -> FontSet:
        """One of reportlab's built-in CID fonts (not embedded)."""
        with _REGISTRY_LOCK:
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(UnicodeCIDFont(name))
            return FontSet(name, (name, name, name, name), cid=True)

    # -- choosing --------------------------------------------------------

    def first_family(self, names: Iterable[str]) -> FontSet | None:
        for name in names:
            if name and (found := self.family(name)) is not None:
                return found
        return None

    def base(self, preferred: str) -> FontSet:
        """The template's family, else DejaVu Sans or another Latin font,
        else reportlab's Helvetica (standard 14, not embedded)."""
        found = self.first_family([preferred, *SCRIPT_FALLBACKS[Script.LATIN]])
        if found is not None:
            return found
        return FontSet(
            "Helvetica",
            ("Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique"),
        )

    def for_script(self, script: Script, preferred: FontSet, sample: str = "") -> FontSet:
        """The font for a run of `script`; `sample` picks among CID fonts."""
        if script in (Script.LATIN, Script.NEUTRAL):
            return preferred
        key = f"script:{script.value}"
        with self._lock:
            if key not in self._sets:
                chain = SCRIPT_FALLBACKS[script]
                found = None
                for name in chain:
                    candidate = self.family(name)
                    if candidate is None:
                        continue
                    if script is Script.ARABIC and not self.covers(candidate.regular, "\ufe8d"):
                        continue  # shaping needs the presentation forms
                    found = candidate
                    break
                self._sets[key] = found
            found = self._sets[key]
        if found is not None:
            return found
        if script is Script.CJK:
            return self.cid_font(_cid_for(sample))
        return preferred

    def covers(self, font_name: str, char: str) -> bool:
        font_name = self._ensure(font_name)
        cmap = self._cmaps.get(font_name)
        if cmap is None:  # standard 14 fonts draw Latin-1 only; CID fonts are checked by script
            return ord(char) < 0x100 if font_name.startswith(("Helvetica", "Courier")) else True
        return ord(char) in cmap

    def font_for_char(self, char: str, script: Script) -> FontSet | None:
        """Some installed font that draws `char`, or None."""
        with self._lock:
            if char in self._char_font:
                return self._char_font[char]
            found = None
            for name in (*SCRIPT_FALLBACKS.get(script, ()), *GENERAL_FALLBACKS):
                candidate = self.family(name)
                if candidate is not None and self.covers(candidate.regular, char):
                    found = candidate
                    break
            if found is None and unicodedata.category(char)[0] not in "CZ":
                found = self._search_everything(char)
            self._char_font[char] = found
            return found

    def _search_everything(self, char: str) -> FontSet | None:
        """Last resort: every installed family, loaded once per process."""
        for key in sorted(self.families):
            candidate = self.family(key)
            if candidate is not None and self.covers(candidate.regular, char):
                return candidate
        return None


def _cid_for(sample: str) -> str:
    for char in sample:
        code = ord(char)
        if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
            return CID_KOREAN
        if 0x3040 <= code <= 0x30FF:
            return CID_JAPANESE
    return CID_CHINESE


_RESOLVERS: dict[tuple[Path | None, tuple[Path, ...] | None], FontResolver] = {}
_RESOLVERS_LOCK = threading.Lock()


def resolver_for(
    cache_dir: Path | None = None, font_dirs: Sequence[Path] | None = None
) -> FontResolver:
    """The process's resolver for one font cache folder (None: no disk
    cache) and set of font folders (None: the platform's standard ones).
    Scanning and registering fonts is paid once per process, and mostly not
    even that thanks to the disk cache; the caller names the folders
    (Briefer's cache is `Paths.cache_dir / "fonts"`)."""
    cache = None if cache_dir is None else Path(cache_dir).resolve()
    dirs = None if font_dirs is None else tuple(Path(d) for d in font_dirs)
    with _RESOLVERS_LOCK:
        resolver = _RESOLVERS.get((cache, dirs))
        if resolver is None:
            resolver = _RESOLVERS[cache, dirs] = FontResolver(
                dirs, FontCache(cache) if cache is not None else None
            )
        return resolver
