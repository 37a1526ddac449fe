"""The relationships of one DOCX story part: its hyperlinks and its pictures.

A `w:hyperlink` or a picture in the body, a header or the footnotes names a
relationship of its part by id. python-docx's `relate_to` looks through all
of a part's relationships for one to reuse and then counts up from `rId1`
for a free id, so every new link costs as much as the links before it: a
brief with 20,000 links took two minutes to export. `PartLinks` keeps the
part's links in a dict by target and counts its ids on, so each link costs
the same, and an address or picture used twice is related once.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docx.image.exceptions import UnrecognizedImageError
from docx.image.image import Image as DocxImage
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part

from briefer.errors import FileAccessError
from briefer.export.images import (
    MAX_IMAGE_BYTES,
    MAX_IMAGE_PIXELS,
    NOT_A_PICTURE,
    probe_image,
    too_many_pixels,
)
from briefer.fsutil import read_regular_file

# The formats Word shows and python-docx can size.
WORD_IMAGE_FORMATS = frozenset({"PNG", "JPEG", "GIF", "BMP", "TIFF"})


class PartLinks:
    """Hyperlink and picture relationships of `part` (see the module
    docstring). `images` is False for a part that cannot hold pictures here
    (the footnotes); `image` then returns None."""

    def __init__(self, part: Part, *, images: bool = True) -> None:
        self._part = part
        self._rels = part.rels
        self._images = images
        # The part's own links (a house header's) are reused, as python-docx would.
        self._urls: dict[str, str] = {
            rel.target_ref: rel_id
            for rel_id, rel in self._rels.items()
            if rel.is_external and rel.reltype == RT.HYPERLINK
        }
        self._pictures: dict[int, str] = {}  # id(image part) -> relationship id
        self._next = 1

    @property
    def can_hold_images(self) -> bool:
        return self._images

    def hyperlink(self, url: str) -> str:
        """The id of an external hyperlink relationship to `url`."""
        rel_id = self._urls.get(url)
        if rel_id is None:
            rel_id = self._new_id()
            self._rels.add_relationship(RT.HYPERLINK, url, rel_id, is_external=True)
            self._urls[url] = rel_id
        return rel_id

    def image(self, data: bytes) -> tuple[str, Any] | None:
        """The relationship id of a picture of `data` (an image already
        checked by `briefer.export.images`) and python-docx's `Image` for
        it, with its size in EMU; None where the part holds no pictures."""
        if not self._images:
            return None
        package = self._part.package
        assert package is not None
        image_part = package.get_or_add_image_part(io.BytesIO(data))
        rel_id = self._pictures.get(id(image_part))
        if rel_id is None:
            rel_id = self._new_id()
            self._rels.add_relationship(RT.IMAGE, image_part, rel_id)
            self._pictures[id(image_part)] = rel_id
        return rel_id, image_part.image

    def picture(self, path: Path, *, decode: bool = True) -> tuple[tuple[str, Any] | None, str]:
        """The picture at `path` read once and checked, then related to the
        part: (relationship id, python-docx `Image`), or None and why it
        cannot be placed, in the words of the one warning.

        With `decode`, Pillow decodes it first (`probe_image`), which finds
        a truncated file. Without, only its header is read, by python-docx,
        for the format and the pixel bound: the logo is checked so, because
        importing Pillow and decoding would add a sixth to the time of a
        short DOCX export (the PDF export decodes it, and says so there)."""
        if decode:
            probe = probe_image(path, WORD_IMAGE_FORMATS, "a Word document")
            if not probe.usable:
                return None, probe.problem
            data = probe.data
        else:
            try:
                data = read_regular_file(path, MAX_IMAGE_BYTES, "an image")
            except FileAccessError as exc:
                return None, exc.reason
        try:
            header = DocxImage.from_blob(data)
            pixels = int(header.px_width) * int(header.px_height)
            if pixels > MAX_IMAGE_PIXELS:
                return None, too_many_pixels(pixels)
            if pixels < 1:
                return None, "empty image (no pixels)"
            return self.image(data), ""
        except UnrecognizedImageError:
            return None, NOT_A_PICTURE
        except Exception as exc:  # a damaged header: python-docx raises many kinds
            return None, f"unreadable image ({type(exc).__name__})"

    def _new_id(self) -> str:
        """An id no relationship of the part has, counting on from the last."""
        while f"rId{self._next}" in self._rels:
            self._next += 1
        rel_id = f"rId{self._next}"
        self._next += 1
        return rel_id
