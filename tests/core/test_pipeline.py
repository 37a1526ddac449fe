"""The export service the window will call: unsaved briefs, settings passed in, cancel."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from briefer.briefs import new_brief
from briefer.editing import cite_snippet, set_body, set_meta
from briefer.jobs import Cancelled, CancelToken, Progress
from briefer.library.model import Snippet, Source
from briefer.paths import Paths
from briefer.pipeline import ExportSettings, export, export_many
from briefer.templates import TemplateRegistry

REPO = Path(__file__).resolve().parents[2]


def unsaved_brief(paragraphs: int = 3):
    registry = TemplateRegistry(Paths.from_env())
    template = registry.get("long-form")
    brief = set_meta(new_brief(template), title="Night trains", date="2026-11-20")
    body = "\n\n".join(f"Paragraph {i} about sleeper routes and fares." for i in range(paragraphs))
    brief = set_body(brief, "lede", "Night trains are back.")
    brief = set_body(brief, "body", body + "\n\n![the logo](logo.png)")
    snippet = Snippet(
        1,
        "Bookings doubled in a year.",
        Source(title="Rail report", publisher="Rail Weekly", published="2026-10-01"),
    )
    return cite_snippet(brief, "lede", snippet, None, "quote"), template


def test_a_brief_never_saved_exports_with_images_from_the_folder_given(tmp_path: Path) -> None:
    brief, template = unsaved_brief()
    shutil.copy(REPO / "templates" / "long-form" / "logo.png", tmp_path / "logo.png")
    settings = ExportSettings.from_env(Paths.from_env(), {"SOURCE_DATE_EPOCH": "1764000000"})
    assert settings.deterministic and settings.font_cache is not None
    results = export_many(
        brief,
        template,
        [(tmp_path / "a.pdf", "pdf"), (tmp_path / "a.docx", "docx")],
        base_dir=tmp_path,
        settings=settings,
    )
    assert [r.output.name for r in results] == ["a.pdf", "a.docx"]
    assert not [w for r in results for w in r.warnings if "logo.png" in w]
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(tmp_path / "a.pdf").pages).split())
    assert "Bookings doubled in a year." in text and "Rail Weekly" in text
    document = docx.Document(str(tmp_path / "a.docx"))
    assert document.inline_shapes, "the image beside the brief is in the DOCX"
    # Fixed creation time: a second export is byte for byte the same.
    first = (tmp_path / "a.pdf").read_bytes()
    export(brief, template, tmp_path / "a.pdf", "pdf", base_dir=tmp_path, settings=settings)
    assert (tmp_path / "a.pdf").read_bytes() == first


def test_settings_from_the_environment_find_the_users_fonts(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    settings = ExportSettings.from_env(Paths.from_env(env), env)
    assert settings.font_dirs is not None and tmp_path / "data" / "fonts" in settings.font_dirs
    assert settings.created is None and not settings.deterministic


def test_without_a_folder_no_image_is_read(tmp_path: Path) -> None:
    brief, template = unsaved_brief()
    result = export(brief, template, tmp_path / "a.docx", "docx")
    assert any("logo.png" in w and "placeholder" in w for w in result.warnings)


def test_cancel_from_another_thread_stops_the_export_and_keeps_the_old_file(
    tmp_path: Path,
) -> None:
    brief, template = unsaved_brief(paragraphs=3000)  # about 100 pages
    target = tmp_path / "long.pdf"
    target.write_bytes(b"the old export")
    token = CancelToken()
    seen: list[Progress] = []

    def report(p: Progress) -> None:
        seen.append(p)
        if len(seen) == 3:
            threading.Thread(target=token.cancel).start()  # as a Cancel button would

    with pytest.raises(Cancelled):
        export(brief, template, target, "pdf", progress=token.callback(report))
    assert target.read_bytes() == b"the old export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.pdf"]
    assert seen and all(p.total and 0 <= p.done <= p.total for p in seen)


def test_progress_over_two_formats_runs_once_from_start_to_end(tmp_path: Path) -> None:
    brief, template = unsaved_brief(paragraphs=200)
    seen: list[Progress] = []
    export_many(
        brief,
        template,
        [(tmp_path / "a.docx", "docx"), (tmp_path / "a.pdf", "pdf")],
        progress=seen.append,
    )
    fractions = [p.fraction for p in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any(0.4 < f < 0.6 for f in fractions)  # the first half is the DOCX


def test_paths_and_registry_refresh(tmp_path: Path) -> None:
    paths = Paths.from_env({"BRIEFER_DATA_DIR": str(tmp_path)})
    assert paths.recovery_dir == tmp_path / "recovery"
    registry = TemplateRegistry(paths)
    assert "mine" not in {t.id for t in registry.all()}
    folder = paths.user_templates / "mine"
    shutil.copytree(REPO / "templates" / "bluf-memo", folder)
    toml = folder / "template.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('id = "bluf-memo"', 'id = "mine"'),
        encoding="utf-8",
    )
    assert "mine" in {t.id for t in registry.all()}
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('name = "BLUF memo"', 'name = "Mine"'),
        encoding="utf-8",
    )
    assert registry.get("mine").name == "BLUF memo"  # loaded once, kept
    registry.refresh()
    assert registry.get("mine").name == "Mine"
