"""The font disk cache makes exports faster, never different."""

from __future__ import annotations

import io
import os
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFontFace

import briefer.export.fonts as fonts_module
from briefer.document import Document, Paragraph, Text, Title
from briefer.export.font_cache import FontCache
from briefer.export.fonts import FontResolver, system_font_dirs
from briefer.export.pdf import PdfExporter
from briefer.model import Meta, Style

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def document() -> Document:
    return Document(
        meta=Meta(title="Cache"),
        style=Style(body_font="DejaVu Sans", heading_font="DejaVu Serif"),
        blocks=[
            Title((Text("Font cache — ΑΒΓ ЖЗИ"),)),
            Paragraph((Text("Plain text with accents: é ü ø ß, and Cyrillic: привет."),)),
        ],
        deterministic=True,
    )


def forget_our_faces(monkeypatch) -> None:
    """Empty reportlab's process-wide registry of Briefer's faces (restored after)."""
    kept = {k: v for k, v in pdfmetrics._fonts.items() if not k.startswith("Br")}
    monkeypatch.setattr(pdfmetrics, "_fonts", kept)


def render(resolver: FontResolver) -> bytes:
    out = io.BytesIO()
    PdfExporter(fonts=resolver).render(document(), out)
    return out.getvalue()


def test_cached_faces_render_byte_identical_pdfs(tmp_path: Path, monkeypatch) -> None:
    dirs = [DEJAVU] if DEJAVU.is_dir() else system_font_dirs()
    forget_our_faces(monkeypatch)  # earlier tests registered them process-wide
    cache = FontCache(tmp_path / "fonts")
    first = FontResolver(dirs, cache=cache)
    fresh = render(first)
    stored = sorted((tmp_path / "fonts" / "faces").iterdir())
    assert stored, "the first export fills the cache"
    assert (tmp_path / "fonts" / "scan.json").is_file()

    forget_our_faces(monkeypatch)  # as in a new process

    def no_parsing(*args, **kwargs):
        raise AssertionError("a cached face was parsed again")

    monkeypatch.setattr(TTFontFace, "__init__", no_parsing)
    monkeypatch.setattr(fonts_module, "read_faces", no_parsing)
    second = FontResolver(dirs, cache=FontCache(tmp_path / "fonts"))
    assert render(second) == fresh


def test_a_changed_font_file_is_read_again(tmp_path: Path) -> None:
    font = next(DEJAVU.glob("DejaVuSans.ttf"), None) if DEJAVU.is_dir() else None
    if font is None:
        return
    folder = tmp_path / "fonts-here"
    folder.mkdir()
    copy = folder / "Mine.ttf"
    copy.write_bytes(font.read_bytes())
    cache = FontCache(tmp_path / "cache")
    assert "dejavusans" in FontResolver([folder], cache=cache).families
    stamp = copy.stat().st_mtime_ns
    os.utime(copy, ns=(stamp + 10**9, stamp + 10**9))
    again = FontCache(tmp_path / "cache")
    assert again.faces_of(str(copy), copy.stat()) is None  # stale entry not trusted
    assert "dejavusans" in FontResolver([folder], cache=again).families


def test_an_unwritable_or_broken_cache_is_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "scan.json").write_text("{not json")
    (folder / "faces").write_text("a file where a folder should be")
    dirs = [DEJAVU] if DEJAVU.is_dir() else system_font_dirs()
    resolver = FontResolver(dirs, cache=FontCache(folder))
    assert render(resolver).startswith(b"%PDF")
