"""Image checks shared by the DOCX and PDF exporters.

Both exporters embed a picture only after Pillow has opened and decoded it:
python-docx and reportlab read little more than an image's header, so a
truncated file would otherwise be embedded and show as a broken picture.
Pillow comes with reportlab and is imported on first use: only documents
with images pay for it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from briefer.document import Image


def image_label(block: Image) -> str:
    """The placeholder text drawn instead of an image: `[image: alt]`."""
    return f"[image: {block.alt or block.src}]"


@dataclass(frozen=True)
class ImageProbe:
    """What opening an image found. `size` (pixels, from the file's header)
    is set only when the image is in one of the wanted formats and decodes;
    otherwise `error` says why it could not be read, or, when it is None,
    `format` is one the caller did not ask for."""

    size: tuple[int, int] | None
    format: str = "unknown"  # Pillow's name for it: "PNG", "JPEG", ...
    error: Exception | None = None


def probe_image(path: Path, formats: Collection[str]) -> ImageProbe:
    """Open exactly `path` and decode it fully (a JPEG at a reduced scale:
    a photo in full is slow, and a damaged one fails either way)."""
    from PIL import Image as PILImage

    try:
        with PILImage.open(path) as picture:
            kind = picture.format or "unknown"
            if kind not in formats:
                return ImageProbe(None, kind)
            size = picture.size  # before `draft` shrinks it
            if kind == "JPEG":
                picture.draft("RGB", (256, 256))
            picture.load()
    except Exception as exc:  # truncated, corrupt or not an image at all
        return ImageProbe(None, error=exc)
    return ImageProbe(size, kind)
