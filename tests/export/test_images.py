"""The image checks both exporters share."""

from __future__ import annotations

from pathlib import Path

from briefer.document import Image
from briefer.export.images import image_label, probe_image


def test_label_names_the_alt_text_or_else_the_source() -> None:
    assert image_label(Image("a.png", "Chart")) == "[image: Chart]"
    assert image_label(Image("a.png")) == "[image: a.png]"


def test_probe_reports_size_format_or_problem(tmp_path: Path) -> None:
    from PIL import Image as PILImage

    photo = tmp_path / "photo.jpg"
    PILImage.effect_noise((900, 600), 50).convert("RGB").save(photo)
    probe = probe_image(photo, {"JPEG"}, "a PDF")
    assert (probe.size, probe.format, probe.problem) == ((900, 600), "JPEG", "")  # not drafted
    assert probe.data == photo.read_bytes()  # what was checked is what gets embedded

    foreign = probe_image(photo, {"PNG"}, "a PDF")
    assert (foreign.usable, foreign.problem) == (False, "JPEG images cannot be placed in a PDF")

    cut = tmp_path / "cut.jpg"
    cut.write_bytes(photo.read_bytes()[:2000])
    assert probe_image(cut, {"JPEG"}, "a PDF").problem.startswith("unreadable image (")
    assert probe_image(tmp_path / "gone.png", {"PNG"}, "a PDF").problem == "no such file"
