"""Small WordprocessingML helpers shared by the DOCX exporter's modules.

The exporter writes most of its XML as text and parses it once per part,
which is several times faster than building thousands of elements through
python-docx's proxies. These helpers keep that text well-formed: escaping,
the namespace declarations a fragment needs, and parsing a fragment into
elements that python-docx understands.
"""

from __future__ import annotations

from docx.oxml.parser import parse_xml
from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

NSDECLS = (
    f'xmlns:w="{W_NS}" xmlns:r="{R_NS}" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
)

EMU_PER_TWIP = 635
EMU_PER_MM = 36000
TWIPS_PER_MM = 1440 / 25.4


def w(tag: str) -> str:
    """The Clark name of a `w:` element or attribute."""
    return f"{{{W_NS}}}{tag}"


def esc(text: str) -> str:
    """Escape text for element content."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def attr(text: str) -> str:
    """Escape text for a double-quoted attribute value."""
    return esc(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def parse_fragment(xml: str, root: str = "w:body") -> etree._Element:
    """Parse `xml` (children of `root`) into python-docx element classes.

    Returns the wrapper element; callers move its children where they belong.
    """
    return parse_xml(f"<{root} {NSDECLS}>{xml}</{root}>".encode())


def hex_color(value: str, fallback: str = "000000") -> str:
    """`#0B5CAD` -> `0B5CAD`; anything that is not six hex digits -> `fallback`."""
    text = value.strip().lstrip("#").upper()
    if len(text) == 3:
        text = "".join(ch * 2 for ch in text)
    if len(text) == 6 and all(ch in "0123456789ABCDEF" for ch in text):
        return text
    return fallback


def twips(points: float) -> int:
    """A length in points as twentieths of a point, Word's paragraph unit."""
    return max(0, round(points * 20))


def half_points(size_pt: float) -> int:
    """Font size in half-points (`w:sz`), never below 2."""
    return max(2, round(size_pt * 2))
