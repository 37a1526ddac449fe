"""The image checks both exporters share."""

from __future__ import annotations

from pathlib import Path

from briefer.document import Image
from briefer.export.images import image_label, probe_image


def test_label_names_the_alt_text_or_else_the_source() -> None:
    assert image_label(Image("a.png", "Chart")) == "[image: Chart]"
    assert image_label(Image("a.png")) == "[image: a.png]"


def test_probe_reports_size_format_or_error(tmp_path: Path) -> None:
    from PIL import Image as PILImage

    photo = tmp_path / "photo.jpg"
    PILImage.effect_noise((900, 600), 50).convert("RGB").save(photo)
    probe = probe_image(photo, {"JPEG"})
    assert (probe.size, probe.format, probe.error) == ((900, 600), "JPEG", None)  # not drafted

    foreign = probe_image(photo, {"PNG"})
    assert (foreign.size, foreign.format, foreign.error) == (None, "JPEG", None)

    cut = tmp_path / "cut.jpg"
    cut.write_bytes(photo.read_bytes()[:2000])
    assert isinstance(probe_image(cut, {"JPEG"}).error, OSError)
    assert isinstance(probe_image(tmp_path / "gone.png", {"PNG"}).error, FileNotFoundError)
