"""Templates shared as a .zip or a folder: exported, checked and imported
whole, and never trusted. Every hostile package here is made in the test:
traversal, absolute paths, drive letters, links, devices, a zip that
unpacks to 1 GB, one of 100,000 entries, a picture bomb."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import struct
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from cli_helpers import assert_one_line_error, run

from briefer.errors import TemplateError
from briefer.paths import Paths
from briefer.template_share import (
    MAX_ENTRIES,
    PackageRefused,
    check_package,
    export_template,
    import_template,
    opened_package,
)
from briefer.templates import TemplateRegistry

REPO = Path(__file__).resolve().parents[2]

TOML = """
[template]
id = "shared"
name = "Shared memo"

[[sections]]
id = "body"
heading = "Body"

[style]
header = "{classification}"
"""


def sample(template_id: str = "shared") -> bytes:
    return json.dumps(
        {
            "format": "briefer.brief",
            "version": 1,
            "template": template_id,
            "meta": {"title": "Sample"},
            "sections": [{"id": "body", "heading": "Body", "body": "Text."}],
            "sources": {},
        }
    ).encode()


def zip_of(entries: dict[str, bytes], folder: str = "shared/") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(folder + name, data)
    return buffer.getvalue()


def good_entries() -> dict[str, bytes]:
    return {"template.toml": TOML.encode(), "sample.brief": sample()}


def with_entry(info: zipfile.ZipInfo, data: bytes = b"x") -> bytes:
    """A good template package plus one more entry."""
    buffer = io.BytesIO(zip_of(good_entries()))
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr(info, data)
    return buffer.getvalue()


def unix_entry(name: str, kind: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (kind | 0o644) << 16
    return info


def user_templates() -> Path:
    return Paths.from_env().user_templates


def nothing_imported() -> None:
    root = user_templates()
    assert not root.exists() or list(root.iterdir()) == []


def refused(tmp_path: Path, data: bytes) -> list[str]:
    """Import the package `data`: it must be refused, nothing written; the
    errors' texts."""
    package = tmp_path / "shared.zip"
    package.write_bytes(data)
    with pytest.raises(PackageRefused) as info:
        import_template(package, Paths.from_env())
    nothing_imported()
    return [str(p) for p in info.value.report.errors]


# -- a package that passes ---------------------------------------------------------


def test_a_good_package_imports_as_a_template_of_ones_own(tmp_path: Path) -> None:
    package = tmp_path / "shared.zip"
    package.write_bytes(zip_of(good_entries()))
    assert check_package(package).errors == []
    imported = import_template(package, Paths.from_env())
    assert imported.template.id == "shared" and imported.overrides is None
    assert imported.template.directory == user_templates() / "shared"
    assert sorted(p.name for p in user_templates().iterdir()) == ["shared"]
    assert TemplateRegistry(Paths.from_env()).by_id("shared").name == "Shared memo"
    # Again: the person's own template is not replaced unless they say so.
    with pytest.raises(TemplateError, match="you have a template 'shared' already"):
        import_template(package, Paths.from_env())
    assert import_template(package, Paths.from_env(), replace=True).template.id == "shared"


def test_export_then_import_gives_the_same_template(tmp_path: Path) -> None:
    long_form = TemplateRegistry(Paths.from_env()).by_id("long-form")
    target = tmp_path / "lf.zip"
    names = export_template(long_form, target)
    assert names == ["long-form/template.toml", "long-form/sample.brief", "long-form/logo.png"]
    first = target.read_bytes()
    export_template(long_form, target)
    assert target.read_bytes() == first  # the same template, the same bytes
    imported = import_template(target, Paths.from_env())
    # Imported under its own id, it overrides the built-in for this person.
    assert imported.overrides is not None and imported.overrides.builtin
    assert imported.template.sections == long_form.sections
    assert imported.template.style.logo.read_bytes() == long_form.style.logo.read_bytes()


def test_a_zip_made_on_a_mac_imports(tmp_path: Path) -> None:
    entries = {**good_entries(), ".DS_Store": b"\0"}
    data = zip_of(entries)
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("__MACOSX/shared/._template.toml", b"\0\5\26\7")
    package = tmp_path / "shared.zip"
    package.write_bytes(buffer.getvalue())
    report = check_package(package)
    assert report.errors == [] and report.warnings == []
    imported = import_template(package, Paths.from_env())
    names = sorted(p.name for p in imported.template.directory.iterdir())
    assert names == ["sample.brief", "template.toml"]


def test_a_folder_imports_and_litter_is_left_out(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / "template.toml").write_text(TOML, encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\0\0")
    (folder / "notes.exe").write_bytes(b"MZ")
    report = check_package(folder)
    assert report.errors == []
    assert [str(p) for p in report.warnings if "notes.exe" in str(p)] == [
        f"{folder}: notes.exe: left out: not a file a template uses (template.toml, a sample"
        " .brief, pictures, a Word .docx or .dotx, notes)"
    ]
    imported = import_template(folder, Paths.from_env())
    assert sorted(p.name for p in imported.template.directory.iterdir()) == ["template.toml"]


# -- hostile names and kinds -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil.brief", "climbs out of its folder (..)"),
        ("shared/../../evil.brief", "climbs out of its folder (..)"),
        ("/etc/evil.brief", "has an absolute path"),
        ("C:/Windows/evil.brief", "has an absolute path"),
        ("C:evil.brief", "has an absolute path"),
        ("shared\\..\\evil.brief", "has a backslash in its name (a folder on Windows)"),
        ("shared/evil\x1b[31m.brief", "has a name with control characters"),
    ],
)
def test_entries_that_would_land_outside_are_refused(
    tmp_path: Path, name: str, reason: str
) -> None:
    errors = refused(tmp_path, with_entry(zipfile.ZipInfo(name)))
    assert len(errors) == 1 and errors[0].endswith(f"refused: it {reason}"), errors
    assert not (tmp_path / "evil.brief").exists() and not Path("/etc/evil.brief").exists()


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        (stat.S_IFLNK, "is a link"),
        (stat.S_IFCHR, "is a device, pipe or socket, not a file"),
        (stat.S_IFBLK, "is a device, pipe or socket, not a file"),
        (stat.S_IFIFO, "is a device, pipe or socket, not a file"),
    ],
)
def test_links_and_devices_in_a_zip_are_refused(tmp_path: Path, kind: int, reason: str) -> None:
    errors = refused(tmp_path, with_entry(unix_entry("shared/logo.png", kind), b"/etc/passwd"))
    assert errors == [f"{tmp_path / 'shared.zip'}: shared/logo.png: refused: it {reason}"]


def test_every_bad_entry_is_named_not_only_the_first(tmp_path: Path) -> None:
    buffer = io.BytesIO(with_entry(zipfile.ZipInfo("../a.brief")))
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr(unix_entry("shared/link.png", stat.S_IFLNK), b"/etc/passwd")
        archive.writestr(zipfile.ZipInfo("/b.brief"), b"x")
    errors = refused(tmp_path, buffer.getvalue())
    assert [e.split(": ", 1)[1] for e in errors] == [
        "../a.brief: refused: it climbs out of its folder (..)",
        "shared/link.png: refused: it is a link",
        "/b.brief: refused: it has an absolute path",
    ]


def test_links_and_pipes_in_a_folder_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / "template.toml").write_text(TOML, encoding="utf-8")
    (folder / "sample.brief").symlink_to("/etc/passwd")
    os.mkfifo(folder / "logo.png")
    started = time.perf_counter()
    with pytest.raises(PackageRefused) as info:
        import_template(folder, Paths.from_env())
    assert time.perf_counter() - started < 10  # the pipe is never opened
    assert sorted(str(p) for p in info.value.report.errors) == [
        f"{folder / 'logo.png'}: refused: it is a named pipe, not a file",
        f"{folder / 'sample.brief'}: refused: it is a link",
    ]
    nothing_imported()


# -- bombs ---------------------------------------------------------------------------


GB = 1 << 30


@pytest.fixture(scope="module")
def gigabyte_entry() -> bytes:
    """A package whose sample.brief unpacks to 1 GB of zeros (about 1 MB packed)."""
    buffer = io.BytesIO(zip_of({"template.toml": TOML.encode()}))
    with zipfile.ZipFile(buffer, "a") as archive:
        info = zipfile.ZipInfo("shared/sample.brief")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w") as entry:
            zeros = bytes(1 << 20)
            for _ in range(GB >> 20):
                entry.write(zeros)
    return buffer.getvalue()


def declare_size(package: bytes, name: str, size: int) -> bytes:
    """`package` with entry `name` declaring `size` bytes unpacked, in its
    local header and in the list of entries (APPNOTE 4.3.7, 4.3.12)."""
    data = bytearray(package)
    encoded = name.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            if data[start + name_at : start + name_at + len(encoded)] == encoded:
                data[start + size_at : start + size_at + 4] = struct.pack("<I", size)
            start += 4
    return bytes(data)


def test_a_zip_that_declares_a_gigabyte_is_refused_unexpanded(
    tmp_path: Path, gigabyte_entry: bytes
) -> None:
    assert len(gigabyte_entry) < 2_000_000
    started = time.perf_counter()
    errors = refused(tmp_path, gigabyte_entry)
    assert time.perf_counter() - started < 2  # unpacking 1 GB would take longer
    assert errors == [
        f"{tmp_path / 'shared.zip'}: too large to unpack safely: shared/sample.brief would"
        " unpack to 1.0 GB (at most 64 MB an entry)"
    ]


def test_a_zip_that_lies_about_its_size_is_stopped_as_it_unpacks(
    tmp_path: Path, gigabyte_entry: bytes
) -> None:
    liar = declare_size(gigabyte_entry, "shared/sample.brief", 2_000)
    started = time.perf_counter()
    errors = refused(tmp_path, liar)
    assert time.perf_counter() - started < 2
    assert len(errors) == 1 and "shared/sample.brief" in errors[0]
    assert "refused: shared/sample.brief" in errors[0]


def test_a_hundred_thousand_entries_are_refused_before_they_are_listed(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("shared/template.toml", TOML)
        for n in range(100_000):
            archive.writestr(f"shared/n{n}.txt", b"")
    started = time.perf_counter()
    errors = refused(tmp_path, buffer.getvalue())
    assert time.perf_counter() - started < 2
    assert len(errors) == 1
    assert errors[0].startswith(
        f"{tmp_path / 'shared.zip'}: too large to unpack safely: its list of entries takes"
    )
    assert errors[0].endswith(f"(at most {MAX_ENTRIES:,} entries)")


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header says `width` x `height` pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_a_picture_bomb_is_refused(tmp_path: Path) -> None:
    entries = good_entries()
    entries["logo.png"] = png_claiming(30_000, 30_000)
    entries["template.toml"] = TOML.replace("[style]", '[style]\nlogo = "logo.png"').encode()
    errors = refused(tmp_path, zip_of(entries))
    assert f"{tmp_path / 'shared.zip' / 'logo.png'}: too large (900 megapixels; at most 89)" in (
        errors
    )


# -- the template inside: every error at once -----------------------------------------


def test_every_error_of_the_template_is_reported_at_once(tmp_path: Path) -> None:
    toml = TOML.replace("[style]", '[style]\naccent = "blue"\nbody_font = "Nonesuch Pro"')
    toml = toml.replace('heading = "Body"', 'heading = "Body"\nmax_words = -3')
    entries = {
        "template.toml": toml.encode(),
        "sample.brief": sample("someone-else"),
        "reference.docx": b"not a Word file",
    }
    package = tmp_path / "shared.zip"
    package.write_bytes(zip_of(entries))
    report = check_package(package)
    where = package
    assert [str(p) for p in report.errors] == [
        f"{where / 'template.toml'}: sections[0].max_words: -3 is less than 1 (expected a whole"
        " number from 1 to 1000000)",
        f"{where / 'template.toml'}: style.accent: expected a colour like \"#0B5CAD\", got 'blue'",
        f"{where / 'reference.docx'}: not a usable Word document or template (File is not a zip"
        " file)",
        f"{where / 'sample.brief'}: template: 'someone-else', but this template's id is"
        " 'shared': exported on its own, the sample would use the other template",
    ]
    fonts = [str(p) for p in report.warnings if "Nonesuch" in str(p)]
    assert fonts == [
        f"{where / 'template.toml'}: style.body_font: 'Nonesuch Pro' is not installed; the PDF"
        " uses DejaVu Sans instead (the DOCX names 'Nonesuch Pro', which Word shows where it is"
        " installed)"
    ]
    with pytest.raises(PackageRefused):
        import_template(package, Paths.from_env())
    nothing_imported()


def test_check_writes_nothing_where_templates_live(tmp_path: Path) -> None:
    package = tmp_path / "shared.zip"
    package.write_bytes(zip_of(good_entries()))
    before = sorted(os.listdir(tmp_path))
    assert check_package(package).errors == []
    assert sorted(os.listdir(tmp_path)) == before
    nothing_imported()


def test_opened_package_lives_as_long_as_its_block(tmp_path: Path) -> None:
    package = tmp_path / "shared.zip"
    package.write_bytes(zip_of(good_entries()))
    with opened_package(package) as folder:
        assert (folder / "template.toml").is_file()
    assert not folder.exists()
    package.write_bytes(with_entry(zipfile.ZipInfo("../evil.brief")))
    climbs = r"\.\./evil\.brief: refused: it climbs out"
    with pytest.raises(TemplateError, match=climbs), opened_package(package):
        pass


# -- the command line ------------------------------------------------------------------


def test_cli_save_export_check_delete_import(tmp_path: Path) -> None:
    brief = REPO / "templates" / "bluf-memo" / "sample.brief"
    code, out, err = run(
        "templates", "save", str(brief), "--id", "desk-memo", "--name", "Desk memo",
        "--description", "The desk's memo", "--with-sample",
    )  # fmt: skip
    assert code == 0, err
    folder = user_templates() / "desk-memo"
    assert out.splitlines() == [f"saved template desk-memo (Desk memo) in {folder}"]
    package = tmp_path / "desk.zip"
    code, out, err = run("templates", "export", "desk-memo", "-o", str(package))
    assert (code, out.strip()) == (0, str(package)), err
    code, out, err = run("templates", "check", str(package))
    assert code == 0 and out.strip() == f"{package}: ok (desk-memo, 4 sections)", err
    code, out, _ = run("templates", "delete", "desk-memo")
    assert (code, out.strip()) == (0, "deleted template desk-memo")
    assert not folder.exists()
    code, out, err = run("templates", "import", str(package))
    assert code == 0, err
    assert out.strip() == f"imported template desk-memo (Desk memo) in {folder}"
    code, out, err = run("templates", "list")
    assert "desk-memo      Desk memo (user): The desk's memo" in out.splitlines()


def test_cli_delete_and_override_of_a_builtin() -> None:
    code, _, err = run("templates", "delete", "bluf-memo")
    assert_one_line_error(code, err, "'bluf-memo' is a built-in template; only your own")
    code, out, err = run(
        "templates", "duplicate", "bluf-memo", "--id", "bluf-memo", "--name", "Ours"
    )
    assert code == 0, err
    assert "it replaces the built-in bluf-memo (BLUF memo) for you" in out
    code, out, _ = run("templates", "delete", "bluf-memo")
    assert out.splitlines() == [
        "deleted template bluf-memo",
        "the built-in bluf-memo (BLUF memo) is back",
    ]


def test_cli_import_lists_every_error_and_imports_nothing(tmp_path: Path) -> None:
    buffer = io.BytesIO(with_entry(zipfile.ZipInfo("../a.brief")))
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr(unix_entry("shared/link.png", stat.S_IFLNK), b"/etc/passwd")
    package = tmp_path / "bad.zip"
    package.write_bytes(buffer.getvalue())
    code, out, err = run("templates", "import", str(package))
    assert code == 2
    assert err.splitlines() == [
        f"briefer: error: {package}: ../a.brief: refused: it climbs out of its folder (..)",
        f"briefer: error: {package}: shared/link.png: refused: it is a link",
    ]
    assert out.strip() == f"{package}: not imported: 2 errors, 0 warnings"
    nothing_imported()


def test_cli_export_with_a_zip_template(tmp_path: Path) -> None:
    package = tmp_path / "shared.zip"
    package.write_bytes(zip_of(good_entries()))
    source = tmp_path / "note.md"
    source.write_text("---\ntitle: Shared\n---\n\n## Body\n\nThe text.\n", encoding="utf-8")
    target = tmp_path / "note.pdf"
    code, out, err = run("export", str(source), "--template", str(package), "-o", str(target))
    assert (code, out.strip()) == (0, str(target)), err
    assert target.read_bytes().startswith(b"%PDF")
    nothing_imported()  # used for the export, never installed
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(with_entry(unix_entry("shared/x.png", stat.S_IFLNK)))
    code, _, err = run("export", str(source), "--template", str(bomb), "-o", str(target))
    assert_one_line_error(code, err, "shared/x.png: refused: it is a link")


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    code, _, err = run("templates", "export", "smart-brevity", "-o", str(tmp_path / "x.tar"))
    assert_one_line_error(code, err, "x.tar: a template is exported as a .zip file")
    code, _, err = run("templates", "delete", "nowhere")
    assert_one_line_error(code, err, "you have no template 'nowhere'")
    code, _, err = run("templates", "check", str(tmp_path / "missing.zip"))
    assert code == 2 and "no such file or folder" in err
    brief = REPO / "templates" / "bluf-memo" / "sample.brief"
    code, _, err = run("templates", "save", str(brief), "--id", "Not An Id", "--name", "X")
    assert_one_line_error(code, err, "'Not An Id' is not a template id")
    shutil.rmtree(user_templates(), ignore_errors=True)
