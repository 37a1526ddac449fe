"""An organisation's Word document or template as a template's house style.

`read_house_style` opens a `.docx` or `.dotx` as the DOCX export opens its
base (read within bounds, a `.dotx` turned into a document in memory) and
reads what it says about a brief's paragraphs (Normal, Title, Subtitle,
Heading 1-3, List Bullet, Quote: font, size, colour, bold, italic, spacing)
and its page set-up. `apply_house_style` makes a template `Style` of it: the looks,
paragraph by paragraph, plus the body and heading fonts, the sizes, the text
and accent colours and the line spacing the rest of the brief (footnotes,
tables, the sources) is set by, the page size and the margins; the document
becomes the DOCX base. Both exports then draw the same fonts at the same
sizes. (Its own header and footer are the DOCX's, and the PDF draws them
too: `briefer.export.word_house.read_house_furniture`.) A style the
document lacks is created in the DOCX from the
template's look, and `HouseStyle.missing` names it so the person can be told;
what cannot be carried over (a page size Briefer does not know, a size out
of range) is said in `HouseStyle.notes`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from briefer.export.layout import SINGLE_LINE
from briefer.model import PageSize, Style, TextElement, TextLook, TextLooks

# Within this much of a known size, a page is that size (Word stores twips).
_PAGE_SLACK_MM = 2.0
# The ranges template.toml accepts (briefer.templates) for the fields a
# house style sets; a house value outside is brought inside, and said.
_BODY_PT = (5.0, 30.0)
_TITLE_PT = (8.0, 72.0)
_HEADING_PT = (6.0, 48.0)
_LOOK_PT = (4.0, 96.0)
_LINE_SPACING = (0.8, 3.0)
_MARGIN_MM = (0.0, 100.0)
_GREYS = 0x30  # a colour whose channels differ by less than this is a grey


@dataclass(frozen=True)
class HouseStyle:
    """What a house document says, ready for `apply_house_style`."""

    path: Path
    looks: TextLooks
    missing: tuple[TextElement, ...]
    page_size: PageSize | None
    margins_mm: tuple[float, float, float, float]
    notes: tuple[str, ...] = ()

    @property
    def missing_names(self) -> str:
        """The styles the document lacks, as Word names them ("Title, Quote")."""
        return ", ".join(element.word_name for element in self.missing)

    def messages(self) -> list[str]:
        """What the person is told: the styles created, what was changed."""
        out = []
        if self.missing:
            one = len(self.missing) == 1
            styles, them, made = ("style", "it", "a style") if one else ("styles", "them", "styles")
            out.append(
                f"{self.path.name} has no {self.missing_names} {styles}; Briefer's own look"
                f" is used for {them} in both exports, and the DOCX gets {made} made from it"
            )
        out.extend(f"{self.path.name}: {note}" for note in self.notes)
        return out


def read_house_style(path: Path) -> HouseStyle:
    """The house style of the Word document or template at `path`. A file
    that is not a usable Word document is an `ExportError` naming it."""
    from briefer.export.word_house import read_house_look
    from briefer.export.word_package import open_base

    house = read_house_look(open_base(path))
    notes: list[str] = []
    looks = TextLooks()
    for element, look in house.looks.items():
        if element in house.missing:
            continue
        size = look.size_pt
        if size is not None and not _LOOK_PT[0] <= size <= _LOOK_PT[1]:
            size = _clamp(size, _LOOK_PT)
            notes.append(
                f"{element.word_name} is {look.size_pt:g} pt; both exports use {size:g} pt"
            )
        looks = looks.replace(element, dataclasses.replace(look, size_pt=size))
    width, height = house.page_mm
    page_size = _page_size(width, height)
    if page_size is None:
        notes.append(
            f"its page is {width:g} x {height:g} mm, a size Briefer does not set; the"
            " template's page size is kept in both exports"
        )
    elif width > height:
        notes.append("its pages are landscape; Briefer sets briefs upright")
    margins = tuple(_clamp(m, _MARGIN_MM) for m in house.margins_mm)
    if margins != house.margins_mm:
        notes.append(f"margins of more than {_MARGIN_MM[1]:g} mm are set to {_MARGIN_MM[1]:g} mm")
    return HouseStyle(
        path=path,
        looks=looks,
        missing=house.missing,
        page_size=page_size,
        margins_mm=margins,  # type: ignore[arg-type]
        notes=tuple(notes),
    )


def apply_house_style(style: Style, house: HouseStyle) -> Style:
    """`style` in the house's look, with the house document as its Word
    base (see the module docstring). What the house does not say (the
    logo, header, footer, banner, citations) stays as `style` has it."""
    looks = house.looks
    changes: dict[str, object] = {"looks": looks, "reference_docx": house.path}
    normal = looks.normal
    if TextElement.NORMAL not in house.missing:
        changes["body_font"] = normal.font or style.body_font
        if normal.size_pt is not None:
            changes["body_size_pt"] = _clamp(normal.size_pt, _BODY_PT)
            changes["line_spacing"] = _clamp(_leading(normal) / normal.size_pt, _LINE_SPACING)
        if normal.color is not None:
            changes["text_color"] = normal.color
    headings = [looks[e] for e in _HEADINGS if e not in house.missing]
    title = looks.title if TextElement.TITLE not in house.missing else None
    first = headings[0] if headings else title
    if first is not None and first.font:
        changes["heading_font"] = first.font
    if title is not None and title.size_pt is not None:
        changes["title_size_pt"] = _clamp(title.size_pt, _TITLE_PT)
    sizes = list(style.heading_sizes_pt)
    for level, element in enumerate(_HEADINGS):
        size = looks[element].size_pt
        if element not in house.missing and size is not None:
            sizes[level] = _clamp(size, _HEADING_PT)
    changes["heading_sizes_pt"] = tuple(sizes)
    accent = _accent([looks[e] for e in (*_HEADINGS, TextElement.TITLE) if e not in house.missing])
    if accent is not None:
        changes["accent"] = accent
    if house.page_size is not None:
        changes["page_size"] = house.page_size
    changes["margins_mm"] = house.margins_mm
    return dataclasses.replace(style, **changes)  # type: ignore[arg-type]


_HEADINGS = (TextElement.HEADING_1, TextElement.HEADING_2, TextElement.HEADING_3)


def _leading(look: TextLook) -> float:
    size = look.size_pt or 10.0
    if look.line_pitch_pt is not None:
        return look.line_pitch_pt
    return size * (look.line_spacing or 1.0) * SINGLE_LINE


def _accent(looks: list[TextLook]) -> str | None:
    """The house's accent colour: the first heading colour that is a colour
    (not black or a grey), else None (the template's accent stays)."""
    for look in looks:
        colour = look.color
        if colour is None:
            continue
        channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
        if max(channels) - min(channels) >= _GREYS:
            return colour
    return None


def _page_size(width: float, height: float) -> PageSize | None:
    upright = (min(width, height), max(width, height))
    for size in PageSize:
        known = size.mm
        if all(abs(a - b) <= _PAGE_SLACK_MM for a, b in zip(upright, known, strict=True)):
            return size
    return None


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    return round(min(max(value, bounds[0]), bounds[1]), 2)
