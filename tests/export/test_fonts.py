"""Tests for the font resolver: scanning folders, faces, fallbacks per script."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefer.export.fonts import (
    CID_CHINESE,
    CID_JAPANESE,
    CID_KOREAN,
    FaceStyle,
    FontResolver,
    family_key,
    read_faces,
    resolver_for,
    scan_font_dirs,
    system_font_dirs,
)
from briefer.text import Script

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
WQY = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
needs_dejavu = pytest.mark.skipif(
    not (DEJAVU / "DejaVuSans.ttf").exists(), reason="DejaVu not installed"
)


def test_family_key_ignores_case_and_spaces() -> None:
    assert family_key("DejaVu Sans") == family_key("dejavusans") == family_key("DEJAVU_SANS")


def test_system_font_dirs_follow_home_and_xdg() -> None:
    dirs = system_font_dirs({"HOME": "/home/ann", "XDG_DATA_HOME": "/data"})
    assert Path("/data/fonts") in dirs or any("Fonts" in str(d) for d in dirs)


def test_system_font_dirs_read_no_environment_unless_given_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", "/elsewhere")
    monkeypatch.setenv("LOCALAPPDATA", "/elsewhere")
    assert not any(str(d).startswith("/elsewhere") for d in system_font_dirs())


def test_non_fonts_and_cff_fonts_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "garbage.ttf").write_bytes(b"not a font at all")
    (tmp_path / "cff.otf").write_bytes(b"OTTO" + b"\0" * 64)
    (tmp_path / "empty.ttc").write_bytes(b"")
    assert read_faces(tmp_path / "garbage.ttf") == []
    assert read_faces(tmp_path / "cff.otf") == []
    assert read_faces(tmp_path / "empty.ttc") == []
    assert scan_font_dirs([tmp_path, tmp_path / "missing"]) == {}


@needs_dejavu
def test_scan_finds_the_four_faces_of_a_family(tmp_path: Path) -> None:
    for name in (
        "DejaVuSans.ttf",
        "DejaVuSans-Bold.ttf",
        "DejaVuSans-Oblique.ttf",
        "DejaVuSans-BoldOblique.ttf",
    ):
        shutil.copy(DEJAVU / name, tmp_path / name)
    families = scan_font_dirs([tmp_path])
    faces = families[family_key("DejaVu Sans")]
    assert set(faces) == set(FaceStyle)
    assert faces[FaceStyle.BOLD].path.name == "DejaVuSans-Bold.ttf"
    assert faces[FaceStyle.ITALIC].path.name == "DejaVuSans-Oblique.ttf"


@pytest.mark.skipif(not WQY.exists(), reason="WenQuanYi Zen Hei not installed")
def test_ttc_collections_give_one_face_per_index() -> None:
    faces = read_faces(WQY)
    assert {face.index for face in faces} >= {0, 1}
    assert any(face.family == "WenQuanYi Zen Hei" and face.index == 0 for face in faces)


@needs_dejavu
def test_resolver_registers_faces_and_checks_coverage(tmp_path: Path) -> None:
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        shutil.copy(DEJAVU / name, tmp_path / name)
    resolver = FontResolver([tmp_path])
    fonts = resolver.family("dejavu sans")
    assert fonts is not None
    assert fonts.bold != fonts.regular
    assert fonts.italic == fonts.regular  # no italic face installed: reuse regular
    assert resolver.covers(fonts.regular, "Ж")
    assert not resolver.covers(fonts.regular, "中")
    assert resolver.family("No Such Family") is None
    # The template's family is preferred; an unknown one falls back.
    assert resolver.base("No Such Family").family == "DejaVu Sans"


def test_without_any_font_cjk_uses_builtin_cid_fonts(tmp_path: Path) -> None:
    resolver = FontResolver([tmp_path])
    base = resolver.base("DejaVu Sans")
    assert base.regular == "Helvetica"
    assert resolver.for_script(Script.CJK, base, "中文").regular == CID_CHINESE
    assert resolver.for_script(Script.CJK, base, "日本語のテキスト").regular == CID_JAPANESE
    assert resolver.for_script(Script.CJK, base, "한국어").regular == CID_KOREAN
    assert resolver.for_script(Script.LATIN, base) is base
    assert resolver.font_for_char("\U0001f980", Script.EMOJI) is None


@pytest.mark.skipif(not WQY.exists(), reason="WenQuanYi Zen Hei not installed")
def test_system_resolver_prefers_truetype_cjk_and_shaping_fonts() -> None:
    resolver = resolver_for()
    base = resolver.base("DejaVu Sans")
    cjk = resolver.for_script(Script.CJK, base, "中文")
    assert not cjk.cid and resolver.covers(cjk.regular, "中")
    arabic = resolver.for_script(Script.ARABIC, base, "مرحبا")
    assert resolver.covers(arabic.regular, "\ufefb")  # lam-alef ligature form
    hebrew = resolver.for_script(Script.HEBREW, base, "שלום")
    assert resolver.covers(hebrew.regular, "ש")


def test_one_resolver_per_process_and_cache_folder(tmp_path: Path) -> None:
    assert resolver_for() is resolver_for(None)
    assert resolver_for(tmp_path / "a") is resolver_for(tmp_path / "a")
    assert resolver_for(tmp_path / "a") is not resolver_for(tmp_path / "b")
    assert resolver_for(tmp_path / "a") is not resolver_for()


@needs_dejavu
def test_the_cache_folder_the_caller_names_is_the_one_filled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export package finds no cache folder of its own: fonts are kept
    exactly where the caller says, whatever the environment says."""
    import io

    from briefer.document import Document, Paragraph, Text
    from briefer.export.pdf import PdfExporter
    from briefer.model import Meta, Style

    document = Document(
        meta=Meta(title="Cached"),
        style=Style(body_font="DejaVu Sans"),
        blocks=[Paragraph((Text("Kept for the next process"),))],
    )
    elsewhere = tmp_path / "from-the-environment"
    monkeypatch.setenv("BRIEFER_CACHE_DIR", str(elsewhere))
    monkeypatch.setenv("BRIEFER_DATA_DIR", str(elsewhere))
    folder = tmp_path / "here" / "fonts"
    PdfExporter(font_cache=folder).render(document, io.BytesIO())
    assert (folder / "scan.json").is_file()
    assert not elsewhere.exists()


def test_a_damaged_font_file_never_stops_an_export(tmp_path: Path) -> None:
    """A family whose files are cut short: the export still draws every word,
    in a stand-in font, and nothing raises."""
    import io

    from briefer.document import Document, Paragraph, Strong, Text
    from briefer.export.pdf import PdfExporter
    from briefer.model import Meta, Style

    good = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not good.is_file():
        pytest.skip("needs fonts-dejavu-core (make test installs it)")
    folder = tmp_path / "fonts"
    folder.mkdir()
    bold = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
    # The scan reads the table directory and name table, which stay intact;
    # reportlab, loading the face, finds the head table's magic number wrong.
    (folder / "Broken-Regular.ttf").write_bytes(break_head_table(good.read_bytes()))
    (folder / "Broken-Bold.ttf").write_bytes(break_head_table(bold.read_bytes()))
    resolver = FontResolver([folder])
    assert "dejavusans" in resolver.families  # found by the scan, broken inside
    document = Document(
        meta=Meta(title="Damaged"),
        style=Style(body_font="DejaVu Sans", heading_font="DejaVu Sans"),
        blocks=[Paragraph((Text("Plain words and "), Strong((Text("bold words"),))))],
    )
    out = io.BytesIO()
    PdfExporter(fonts=resolver).render(document, out)
    from pypdf import PdfReader

    text = " ".join(PdfReader(io.BytesIO(out.getvalue())).pages[0].extract_text().split())
    assert "Plain words and bold words" in text
    assert b"/BaseFont /Helvetica" in out.getvalue()  # the stand-in drew them


def break_head_table(data: bytes) -> bytes:
    import struct

    (count,) = struct.unpack(">H", data[4:6])
    for i in range(count):
        tag, _sum, offset, _length = struct.unpack(">4sLLL", data[12 + 16 * i : 28 + 16 * i])
        if tag == b"head":
            return data[: offset + 12] + b"\0\0\0\0" + data[offset + 16 :]
    raise AssertionError("no head table")
