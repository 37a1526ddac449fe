"""A disk cache that spares each Briefer process the cost of reading fonts.

Two things are slow at the start of every PDF export: scanning the font
folders (reading the name table of every installed font file, ~15 ms with a
few hundred fonts) and parsing each TrueType face reportlab needs (13-20 ms
for a DejaVu face, ~95 ms for a CJK collection). Both results depend only on
the font file, so they are kept in the user's cache folder:

- `scan.json`: per font file (path, size, mtime) the faces it holds;
- `faces/<key>.marshal`: the metrics reportlab extracted from one face,
  keyed by file, size, mtime, face index and reportlab's version.

Faces are stored with `marshal` (plain data only; loading runs no code, unlike
pickle) and the font file's bytes are read fresh from disk, since reportlab
subsets and embeds them. Anything unexpected (a missing, stale or unreadable
cache, a read-only folder) falls back to the normal, uncached path: the cache
can only make an export faster, never different (a test checks that a face
loaded from the cache gives byte-identical PDFs).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import stat
import time
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import reportlab
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTEncoding, TTFNameBytes, TTFont, TTFontFace

from briefer.errors import BrieferError
from briefer.fsutil import atomic_write_bytes

_FORMAT = 1
# What a parsed face holds besides plain data: the file's bytes (re-read), a
# scaling function (rebuilt from unitsPerEm) and the per-process subsetting
# lock (`fonts._guard_subsetting`).
_SKIPPED = {"_ttf_data", "_pdfScale", "makeSubset"}
_FONT_ATTRIBUTES = {"_asciiReadable", "_shapable", "encoding", "face", "fontName", "state"}


class FontCache:
    """Font scan results and parsed faces, kept between processes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._scan: dict[str, Any] | None = None
        self._scan_dirty = False

    # -- the scan ------------------------------------------------------------

    def _scan_data(self) -> dict[str, Any]:
        if self._scan is None:
            try:
                data = json.loads((self.folder / "scan.json").read_text(encoding="utf-8"))
                ok = isinstance(data, dict) and data.get("format") == _FORMAT
                self._scan = data["files"] if ok and isinstance(data.get("files"), dict) else {}
            except (OSError, ValueError, KeyError):
                self._scan = {}
        return self._scan

    def faces_of(self, path: str, stat: os.stat_result) -> list[tuple[int, str, int]] | None:
        """The cached (index, family, style) faces of a file, if still current."""
        entry = self._scan_data().get(path)
        if (
            isinstance(entry, dict)
            and entry.get("size") == stat.st_size
            and entry.get("mtime") == stat.st_mtime_ns
            and isinstance(entry.get("faces"), list)
        ):
            return [tuple(face) for face in entry["faces"]]  # type: ignore[misc]
        return None

    def remember_faces(
        self, path: str, stat: os.stat_result, faces: list[tuple[int, str, int]]
    ) -> None:
        self._scan_data()[path] = {
            "size": stat.st_size,
            "mtime": stat.st_mtime_ns,
            "faces": [list(face) for face in faces],
        }
        self._scan_dirty = True

    def forget_missing(self, present: set[str]) -> None:
        files = self._scan_data()
        for gone in set(files) - present:
            del files[gone]
            self._scan_dirty = True

    def save_scan(self) -> None:
        if self._scan_dirty and self._scan is not None:
            data = json.dumps({"format": _FORMAT, "files": self._scan}).encode("utf-8")
            self._write(self.folder / "scan.json", data)
            self._scan_dirty = False

    # -- parsed faces --------------------------------------------------------

    def _face_file(self, path: Path, index: int) -> Path | None:
        try:
            stat = path.stat()
        except OSError:
            return None
        key = f"{path.resolve()}|{index}|{stat.st_size}|{stat.st_mtime_ns}|{reportlab.Version}"
        digest = hashlib.sha1(key.encode("utf-8")).hexdigest()
        return self.folder / "faces" / f"{digest}.marshal"

    def load_font(self, name: str, path: Path, index: int) -> TTFont:
        """A reportlab TTFont for one face: from the cache when possible,
        else parsed from the file (and then cached)."""
        cache_file = self._face_file(path, index)
        if cache_file is not None:
            font = self._from_cache(name, path, cache_file)
            if font is not None:
                return font
        font = TTFont(name, str(path), subfontIndex=index, shapable=False)
        if cache_file is not None:
            self._store(font, path, cache_file)
        return font

    def _from_cache(self, name: str, path: Path, cache_file: Path) -> TTFont | None:
        try:
            state = marshal.loads(cache_file.read_bytes())
            if not isinstance(state, dict) or state.get("format") != _FORMAT:
                return None
            attributes: dict[str, Any] = state["face"]
            for key in state["name_bytes"]:
                attributes[key] = TTFNameBytes(attributes[key])
            face = TTFontFace.__new__(TTFontFace)
            pdfmetrics.TypeFace.__init__(face, None)
            face.__dict__.update(attributes)
            face._ttf_data = path.read_bytes()
            if len(face._ttf_data) != state["size"]:
                return None
            scale = 1000 / face.unitsPerEm
            face._pdfScale = (lambda x: x) if face.unitsPerEm == 1000 else (lambda x: x * scale)
        except (OSError, ValueError, EOFError, TypeError, KeyError, ZeroDivisionError):
            return None
        # The attributes TTFont.__init__ sets, without parsing the file again.
        font = TTFont.__new__(TTFont)
        font.fontName = name
        font.face = face
        font.encoding = TTEncoding()
        font.state = WeakKeyDictionary()
        font._asciiReadable = rl_config.ttfAsciiReadable
        font._shapable = False
        return font

    def _store(self, font: TTFont, path: Path, cache_file: Path) -> None:
        face = font.face
        if set(vars(font)) != _FONT_ATTRIBUTES:
            return  # a reportlab whose TTFont we do not know how to rebuild
        try:
            if face._ttf_data != path.read_bytes():
                return
            attributes = {k: v for k, v in vars(face).items() if k not in _SKIPPED}
            name_bytes = [k for k, v in attributes.items() if isinstance(v, TTFNameBytes)]
            for key in name_bytes:
                attributes[key] = bytes(attributes[key])
            data = marshal.dumps(
                {
                    "format": _FORMAT,
                    "face": attributes,
                    "name_bytes": name_bytes,
                    "size": len(face._ttf_data),
                }
            )
        except (OSError, ValueError):  # ValueError: something marshal cannot store
            return
        self._write(cache_file, data)

    # -- writing ---------------------------------------------------------------

    def _write(self, target: Path, data: bytes) -> None:
        """Write atomically; a cache that cannot be written is simply not kept.
        `atomic_write_bytes` also removes what a writer killed part-way
        (`kill -9`) left in the folder, so such leftovers never pile up."""
        with contextlib.suppress(OSError, BrieferError):
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(target, data)
        _remove_old_leftovers(target.parent)


# Earlier Briefers wrote the cache through `.tmp-*` files, which a killed
# process left behind; nothing writes them any more.
_LEFTOVER_AGE = 24 * 3600  # seconds


def _remove_old_leftovers(folder: Path) -> None:
    now = time.time()
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if not entry.name.startswith(".tmp-"):
                continue
            with contextlib.suppress(OSError):
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(info.st_mode) and now - info.st_mtime > _LEFTOVER_AGE:
                    os.unlink(entry.path)
