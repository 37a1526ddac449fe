"""Images for both exporters: read once, within bounds, checked, then embedded.

An image (a picture in the brief or the template's logo) is read only if it
is a regular file (`briefer.fsutil.read_regular_file`: a named pipe or a
device is refused without waiting on it) of at most `MAX_IMAGE_BYTES`. Its
pixel count is read from its header before anything is decoded, and an image
of more than `MAX_IMAGE_PIXELS` is refused: decoding one of 30000 x 30000
pixels would take gigabytes. Then Pillow decodes it fully (a JPEG at a
reduced scale), because python-docx and reportlab read little more than the
header and a truncated file would otherwise be embedded as a broken picture.
Both exporters embed the bytes that were checked, never the path opened
again, so what is embedded is what was checked. What decoding found is
kept by the bytes' digest, so the DOCX and the PDF of one brief (or a
batch) decode the same logo once.

What cannot be used is a `problem`, in a few words that fit both exporters'
one warning ("image 'chart.png': <problem>; shown as a placeholder"), and
the same in both formats. Pillow comes with reportlab and is imported on
first use: only documents with images pay for it.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
import warnings
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from briefer.document import Image
from briefer.errors import FileAccessError
from briefer.fsutil import read_regular_file
from briefer.text import clean_text

# The largest image file read. A picture in a brief is a photo or a chart:
# even an uncompressed 12-megapixel photo is 36 MB.
MAX_IMAGE_BYTES = 64 * 1024 * 1024
# The most pixels an image may have: Pillow's own decompression-bomb
# threshold (about 89 megapixels, 268 MB decoded as RGB), where it starts to
# warn. A 50-megapixel camera's photos pass.
MAX_IMAGE_PIXELS = 89_478_485

# Pillow warns about a large image on the process's warnings machinery,
# which is shared: the probe that silences it holds this lock meanwhile.
_WARNINGS_LOCK = threading.Lock()
_BOMB_SIZE = re.compile(r"\((\d+) pixels\)")
NOT_A_PICTURE = "unreadable image (not a picture format Briefer knows)"


def image_label(block: Image) -> str:
    """The placeholder text drawn instead of an image: `[image: alt]`."""
    return f"[image: {block.alt or block.src}]"


def image_warning(block: Image, problem: str) -> str:
    """The one warning, the same in every format, for an image not embedded."""
    return f"image {clean_text(block.src)!r}: {problem}; shown as a placeholder"


def logo_warning(path: Path, problem: str) -> str:
    """The one warning, the same in every format, for a logo left out."""
    return f"logo {clean_text(path.name)!r}: {problem}; left out"


@dataclass(frozen=True)
class ImageProbe:
    """What reading and decoding an image found: its bytes, its size in
    pixels and Pillow's name for its format ("PNG", "JPEG", ...), or, when
    it cannot be used, `problem`, why not."""

    data: bytes = b""
    size: tuple[int, int] = (0, 0)
    format: str = "unknown"
    problem: str = ""

    @property
    def usable(self) -> bool:
        return not self.problem


def probe_image(path: Path, formats: Collection[str], destination: str) -> ImageProbe:
    """Read the image at `path` and decode it (see the module docstring).
    `formats` are the formats the caller can embed; `destination` names
    what it makes ("a Word document", "a PDF") for the message about any
    other format."""
    try:
        data = read_regular_file(path, MAX_IMAGE_BYTES, "an image")
    except FileAccessError as exc:
        return ImageProbe(problem=exc.reason)
    return probe_image_data(data, formats, destination)


def probe_image_data(data: bytes, formats: Collection[str], destination: str) -> ImageProbe:
    """`probe_image` for an image already in memory (a picture in a Word
    base's header), held to the same bounds."""
    if len(data) > MAX_IMAGE_BYTES:
        return ImageProbe(problem=f"too large (more than {MAX_IMAGE_BYTES >> 20} MB)")
    kind, size, problem = _decoded(data)
    if kind is not None and kind not in formats:
        return ImageProbe(problem=f"{kind} images cannot be placed in {destination}")
    if problem:
        return ImageProbe(problem=problem)
    return ImageProbe(data, size, kind or "unknown")


# What decoding found, by the image's digest: a DOCX and a PDF of one brief,
# or the exports of a batch, decode the same logo once (a few milliseconds).
_DECODED: dict[bytes, tuple[str | None, tuple[int, int], str]] = {}
_DECODED_KEPT = 32
_DECODED_LOCK = threading.Lock()


def _decoded(data: bytes) -> tuple[str | None, tuple[int, int], str]:
    key = hashlib.sha256(data).digest()
    with _DECODED_LOCK:
        known = _DECODED.get(key)
    if known is not None:
        return known
    result = _decode(data)
    with _DECODED_LOCK:
        _DECODED[key] = result
        while len(_DECODED) > _DECODED_KEPT:
            del _DECODED[next(iter(_DECODED))]
    return result


def _decode(data: bytes) -> tuple[str | None, tuple[int, int], str]:
    """(Pillow's name for the format, when the header says it; the size in
    pixels; why the image cannot be used, or "")."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        with _WARNINGS_LOCK, warnings.catch_warnings():
            # The size is checked below, in Briefer's words.
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            picture = PILImage.open(io.BytesIO(data))
    except PILImage.DecompressionBombError as exc:
        found = _BOMB_SIZE.search(str(exc))
        pixels = int(found.group(1)) if found else 2 * MAX_IMAGE_PIXELS + 1
        return None, (0, 0), too_many_pixels(pixels)
    except UnidentifiedImageError:
        return None, (0, 0), NOT_A_PICTURE
    except Exception as exc:  # a damaged header: Pillow raises many kinds
        return None, (0, 0), f"unreadable image ({_reason(exc)})"
    with picture:
        kind = picture.format or "unknown"
        width, height = picture.size
        if width < 1 or height < 1:
            return kind, (0, 0), "empty image (no pixels)"
        if width * height > MAX_IMAGE_PIXELS:
            return kind, (width, height), too_many_pixels(width * height)
        try:
            if kind == "JPEG":
                # A photo decoded in full is slow; a damaged one fails either way.
                picture.draft("RGB", (256, 256))
            picture.load()
        except Exception as exc:  # truncated or corrupt pixel data
            return kind, (width, height), f"unreadable image ({_reason(exc)})"
    return kind, (width, height), ""


def too_many_pixels(pixels: int) -> str:
    """The problem with an image of more than `MAX_IMAGE_PIXELS` pixels."""
    return f"too large ({pixels / 1e6:.0f} megapixels; at most {MAX_IMAGE_PIXELS / 1e6:.0f})"


def _reason(exc: Exception) -> str:
    """An exception's first line, or its kind when it says nothing."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
