"""Inline spans -> drawable runs or reportlab paragraph markup, one font per script run.

Everything a brief says reaches reportlab through this module, in one of two
forms. `pieces_runs` gives `Run`s (text, font, size, colour, rise, link) for
`briefer.export.pdf_para.FastParagraph`, which draws them directly: no markup
string exists, so nothing a user typed can be read as a tag. `pieces_markup`
gives reportlab paragraph markup for the paragraphs that still need reportlab's
own `Paragraph` (right-to-left lines, code): text is passed
through `clean_text` and then XML-escaped, so `<`, `>` and `&` are always
literal characters for reportlab's paragraph parser. Either way, font names
come from the `FontResolver`, link targets are cleaned like text (a lone
surrogate would stop the PDF from being written) and become clickable only
when `is_safe_url` allows it, and internal destinations are names built from
numbers (`source-3`, `h-12`), never from the brief's text.

Right-to-left text is shaped with arabic-reshaper (contextual forms and
lam-alef ligatures in the Arabic Presentation Forms, which the chosen fonts
carry) and put in visual order with python-bidi, because reportlab's own bidi
support needs `rlbidi`, which is not on PyPI. A right-to-left run inside a
left-to-right paragraph is reordered as one unit; a paragraph whose base
direction is right to left is broken into lines here (`RtlParagraph`) and each
line is reordered word by word, so wrapping keeps the logical reading order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import groupby
from operator import itemgetter

from reportlab.lib.colors import Color, HexColor
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph
from reportlab.platypus.paragraph import ParagraphStyle

from briefer.document import (
    Citation,
    Code,
    Emphasis,
    LineBreak,
    Link,
    Span,
    Strong,
    Text,
    is_safe_url,
)
from briefer.export.fonts import FontResolver, FontSet
from briefer.text import Script, clean_text, script_of, split_scripts

REPLACEMENT = "\ufffd"
CITE_CB = "brcite"  # the canvas callback that reports a drawn footnote marker
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}
)


def escape(text: str) -> str:
    """Text made safe for reportlab's paragraph markup: `&`, `<` and `>` as
    entities, so nothing a user typed is ever read as a tag or entity.
    (xml.sax.saxutils does the same but imports urllib and email: 12 ms.)"""
    return text.translate(_ESCAPES)


_TRAILING_NEUTRALS = re.compile(r"[\s\W\d_]*$")
_RTL_CHAR = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_LTR_CHAR = re.compile(r"[^\W\d_]")
_RTL_SCRIPTS = (Script.ARABIC, Script.HEBREW)
_TRAILING_PUNCTUATION = re.compile(r"(?<=\w)[.,;:!?]+$")


@lru_cache(maxsize=1)
def _rtl_tools() -> tuple[Callable[[str], str], Callable[..., str]]:
    """The Arabic reshaper and bidi reordering, imported on first use: most
    documents have no right-to-left text, and the imports cost ~15 ms."""
    import arabic_reshaper
    from bidi import get_display

    reshaper = arabic_reshaper.ArabicReshaper(
        configuration={"delete_harakat": False, "support_ligatures": True}
    )
    return reshaper.reshape, get_display


def attr(value: str) -> str:
    """A string escaped for a double-quoted markup attribute."""
    return clean_text(value).translate(_ATTR_ESCAPES)


def visual_rtl(text: str) -> str:
    """Shape (Arabic) and reorder one right-to-left run for left-to-right drawing."""
    if not text:
        return text
    reshape, get_display = _rtl_tools()
    shaped = reshape(text) if re.search("[\u0600-\u08ff]", text) else text
    return get_display(shaped, base_dir="R")


@dataclass(frozen=True)
class InlineStyle:
    bold: bool = False
    italic: bool = False
    mono: bool = False
    href: str = ""  # an already-vetted target: "https://…" or "#source-3"
    color: str = ""  # "#RRGGBB" from the template (a lead-in's accent), never from text;
    # a link in a colour of its own takes it (a house contents entry's)


@dataclass(frozen=True)
class Mark:
    """A citation marker (or a footnote's number), as data rather than markup."""

    text: str  # "[3]", "3" or "[?key]"
    superscript: bool = True
    dest: str = ""  # internal destination the marker links to ("source-3")
    anchor: str = ""  # destination made at the marker (endnote back-links: "cite-3")
    note: int = 0  # footnote number, reported to the page when the marker is drawn


@dataclass
class Piece:
    """A stretch of text with one inline style, a citation marker, or an
    anchor (a named destination, `text` empty)."""

    text: str  # for a citation marker, its plain form (`mark.text`)
    style: InlineStyle
    mark: Mark | None = None
    anchor: str = ""


@dataclass(frozen=True, slots=True)
class Run:
    """Text drawn in one font, size, colour and rise, possibly a link.

    `text` is already in visual order and drawable by `font`. A run with
    `brk` set is a hard line break; a run with empty text and an `anchor` is
    a named destination at that point."""

    text: str
    font: str
    size: float
    color: Color
    rise: float = 0.0
    href: str = ""  # vetted external target (http, https, mailto)
    dest: str = ""  # internal destination name
    underline: bool = False
    anchor: str = ""
    note: int = 0  # footnote number (see `Mark.note`)
    brk: bool = False


@dataclass
class Runs:
    """Markup with the width of each run, for line breaking RTL paragraphs."""

    markup: str
    width: float


@dataclass
class MarkupContext:
    """What the span renderer needs from the exporter."""

    fonts: FontResolver
    body: FontSet
    mono: FontSet
    size: float
    accent: str
    destinations: set[str]
    citation_mark: Callable[[Citation], Mark]
    missing: dict[str, None] = field(default_factory=dict)  # characters no font draws


def flatten(
    spans: Iterable[Span], ctx: MarkupContext, style: InlineStyle | None = None
) -> list[Piece]:
    """Spans -> pieces, in logical order. LineBreak becomes a "\\n" piece."""
    style = style or InlineStyle()
    pieces: list[Piece] = []
    for span in spans:
        if isinstance(span, Text):
            pieces.append(Piece(span.text, style))
        elif isinstance(span, Code):
            pieces.append(Piece(span.text, replace(style, mono=True)))
        elif isinstance(span, Strong):
            pieces.extend(flatten(span.children, ctx, replace(style, bold=True)))
        elif isinstance(span, Emphasis):
            pieces.extend(flatten(span.children, ctx, replace(style, italic=True)))
        elif isinstance(span, Link):
            # Cleaned like text: a lone surrogate or a control character in
            # an address would stop the PDF from being written.
            href = clean_text(span.href).strip()
            href = href if is_safe_url(href) else ""
            pieces.extend(flatten(span.children, ctx, replace(style, href=href or style.href)))
        elif isinstance(span, Citation):
            mark = ctx.citation_mark(span)
            pieces.append(Piece(mark.text, style, mark=mark))
        elif isinstance(span, LineBreak):
            pieces.append(Piece("\n", style))
    return pieces


def _font_runs(
    text: str, style: InlineStyle, ctx: MarkupContext, rtl_runs: str
) -> list[tuple[str, str]]:
    """(font name, visual text) runs for one piece of text."""
    family = ctx.mono if style.mono else ctx.body
    out: list[tuple[str, str]] = []
    if text.isascii():
        return [(family.face(style.bold, style.italic), text)]
    runs = split_scripts(text)
    index = 0
    while index < len(runs):
        script, run = runs[index]
        index += 1
        if rtl_runs == "embedded" and script in _RTL_SCRIPTS:
            # Right-to-left runs with only neutrals between them (Arabic next
            # to Hebrew) are one right-to-left sequence, reordered as a whole.
            while index < len(runs) and runs[index][0] in _RTL_SCRIPTS:
                run += runs[index][1]
                index += 1
            # Trailing neutrals belong to the left-to-right text around the run.
            core = run.rstrip(" \t\n")
            tail = run[len(core) :]
            trailing = _TRAILING_NEUTRALS.search(core)
            cut = trailing.start() if trailing else len(core)
            visual = visual_rtl(core[:cut]) + core[cut:] + tail
            for part_script, part in split_scripts(visual):  # fonts, order kept
                fontset = ctx.fonts.for_script(part_script, family, part)
                out.extend(_covered_runs(part, fontset, part_script, style, ctx))
            continue
        fontset = ctx.fonts.for_script(script, family, run)
        if rtl_runs == "word" and script in _RTL_SCRIPTS:
            run = visual_rtl(run)
        out.extend(_covered_runs(run, fontset, script, style, ctx))
    return out


def _covered_runs(
    run: str, fontset: FontSet, script: Script, style: InlineStyle, ctx: MarkupContext
) -> list[tuple[str, str]]:
    """Split a run where its font lacks a glyph; use a fallback or U+FFFD."""
    face = fontset.face(style.bold, style.italic)
    base_family = fontset is ctx.body or fontset is ctx.mono  # these draw ASCII
    if fontset.cid:
        return [(face, run)]
    fonts = ctx.fonts
    # Each character is looked up once, however often it occurs: a long
    # paragraph of CJK text repeats a few thousand characters.
    lacking = {
        char
        for char in set(run)
        if (char > "\x7f" or not base_family) and not fonts.covers(face, char)
    }
    if not lacking:
        return [(face, run)] if run else []
    faces: list[str] = []
    texts: list[list[str]] = []  # joined at the end: adding to a string copies it
    for char in run:
        use = face
        if char in lacking:
            category = unicodedata.category(char)
            if category in ("Mn", "Me", "Cf") or char in "\u200d\ufe0f\ufe0e":
                continue  # joiners and variation selectors: nothing to draw
            fallback = fonts.font_for_char(char, script_of(char))
            if fallback is None:
                ctx.missing[char] = None
                use = ctx.body.regular
                # U+FFFD where the body font has it, else a plain "?" (never a
                # silent box: the warning names the character either way).
                char = REPLACEMENT if fonts.covers(use, REPLACEMENT) else "?"
            else:
                use = fallback.face(style.bold, style.italic)
        if faces and faces[-1] == use:
            texts[-1].append(char)
        else:
            faces.append(use)
            texts.append([char])
    return [(use, "".join(chars)) for use, chars in zip(faces, texts, strict=True)]


def _wrap_link(markup: str, style: InlineStyle, ctx: MarkupContext) -> str:
    if not style.href:
        return markup
    if style.href.startswith("#"):
        if style.href[1:] not in ctx.destinations:
            return markup
        return f'<a href="{attr(style.href)}" color="{ctx.accent}">{markup}</a>'
    return f'<a href="{attr(style.href)}" color="{ctx.accent}" underline="1">{markup}</a>'


def text_markup(
    text: str, style: InlineStyle, ctx: MarkupContext, base_font: str, rtl_runs: str = "embedded"
) -> Runs:
    """Escaped markup for one piece of plain text. `rtl_runs` is "embedded"
    (an RTL run inside LTR text), "word" (a word of an RTL paragraph) or ""
    (leave logical order, e.g. code)."""
    text = clean_text(text).replace("\f", " ").replace("\t", " ")
    parts: list[str] = []
    width = 0.0
    for font, run in _font_runs(text, style, ctx, rtl_runs):
        if rtl_runs == "word":  # only right-to-left line breaking needs widths
            width += stringWidth(run, font, ctx.size)
        escaped = escape(run)
        parts.append(escaped if font == base_font else f'<font name="{font}">{escaped}</font>')
    markup = "".join(parts)
    if style.color:
        markup = f'<font color="{attr(style.color)}">{markup}</font>'
    return Runs(_wrap_link(markup, style, ctx), width)


def mark_markup(mark: Mark, ctx: MarkupContext) -> str:
    """Reportlab markup for a citation marker."""
    if not mark.superscript:
        return text_markup(mark.text, InlineStyle(), ctx, "").markup
    inner = escape(mark.text)
    if mark.dest and mark.dest in ctx.destinations:
        inner = f'<a href="#{attr(mark.dest)}" color="{ctx.accent}">{inner}</a>'
    markup = f"{_SUPER_TAG}{inner}</super>"
    if mark.note:
        markup += f'<onDraw name="{CITE_CB}" label="{mark.note}"/>'
    if mark.anchor:
        markup = f'<a name="{attr(mark.anchor)}"/>' + markup
    return markup


def pieces_markup(pieces: list[Piece], ctx: MarkupContext, base_font: str) -> str:
    out: list[str] = []
    previous: Piece | None = None
    for piece in pieces:
        if piece.anchor:
            out.append(f'<a name="{attr(piece.anchor)}"/>')
            continue
        if piece.mark is not None:
            if (
                previous is not None
                and previous.mark is not None
                and previous.text.isdigit()
                and piece.text.isdigit()
            ):
                out.append(f"{_SUPER_TAG},</super>")  # footnote markers 2 and 1, not 21
            out.append(mark_markup(piece.mark, ctx))
        elif piece.text == "\n":
            out.append("<br/>")
        else:
            out.append(text_markup(piece.text, piece.style, ctx, base_font).markup)
        previous = piece
    return "".join(out)


@lru_cache(maxsize=64)
def _hex_color(value: str) -> Color:
    return HexColor(value)


# Superscript as Word and LibreOffice set it: 58% of the size, raised by a
# third of it, so a citation marker looks the same in both formats.
SUPERSCRIPT_SIZE = 0.58
SUPERSCRIPT_RISE = 0.33
_SUPER_TAG = f'<super rise="{SUPERSCRIPT_RISE:.0%}" size="{SUPERSCRIPT_SIZE:.0%}">'


def superscript(size: float) -> tuple[float, float]:
    """(font size, rise) of superscript text at a paragraph size of `size`."""
    return size * SUPERSCRIPT_SIZE, size * SUPERSCRIPT_RISE


def text_runs(
    text: str, style: InlineStyle, ctx: MarkupContext, size: float, color: Color
) -> list[Run]:
    """Runs for one piece of plain text (the run form of `text_markup`)."""
    text = clean_text(text).replace("\f", " ").replace("\t", " ")
    href, dest, underline = style.href, "", False
    if href.startswith("#"):
        # An internal link is live only when its destination exists.
        dest, href = (href[1:] if href[1:] in ctx.destinations else ""), ""
    else:
        underline = bool(href)
    if style.color:  # the template's (a lead-in's accent, a contents entry's look)
        color = _hex_color(style.color)
    elif href or dest:
        color = _hex_color(ctx.accent)
    return [
        Run(run, font, size, color, href=href, dest=dest, underline=underline)
        for font, run in _font_runs(text, style, ctx, "embedded")
    ]


def pieces_runs(
    pieces: list[Piece], ctx: MarkupContext, base_font: str, size: float, color: Color
) -> list[Run]:
    """Runs for a left-to-right paragraph of `pieces` (see `pieces_markup`):
    `base_font` is the paragraph's own font, used for citation markers."""
    out: list[Run] = []
    sup_size, rise = superscript(size)
    previous: Piece | None = None
    for piece in pieces:
        mark = piece.mark
        if piece.anchor:
            out.append(Run("", base_font, size, color, anchor=piece.anchor))
            continue
        if mark is not None and mark.superscript:
            if (
                previous is not None
                and previous.mark is not None
                and previous.text.isdigit()
                and piece.text.isdigit()
            ):
                out.append(Run(",", base_font, sup_size, color, rise))  # 2,1 not 21
            linked = bool(mark.dest) and mark.dest in ctx.destinations
            out.append(
                Run(
                    clean_text(mark.text),
                    base_font,
                    sup_size,
                    _hex_color(ctx.accent) if linked else color,
                    rise,
                    dest=mark.dest if linked else "",
                    anchor=mark.anchor,
                    note=mark.note,
                )
            )
        elif mark is not None:
            out.extend(text_runs(mark.text, InlineStyle(), ctx, size, color))
        elif piece.text == "\n":
            out.append(Run("", base_font, size, color, brk=True))
        else:
            out.extend(text_runs(piece.text, piece.style, ctx, size, color))
        previous = piece
    return out


def pieces_plain(pieces: list[Piece]) -> str:
    return "".join(piece.text for piece in pieces)


# --------------------------------------------------------------------------
# Right-to-left paragraphs
# --------------------------------------------------------------------------


@dataclass
class _Word:
    markup: str
    width: float
    level: int  # 1 = right to left, 2 = left to right, 0 = neutral
    newline: bool = False
    # Punctuation split off the end of a left-to-right word (`Reuters.`):
    # it takes the paragraph's direction, as Unicode's bidi rules say, and
    # is drawn against that word with no space between.
    glued_to: _Word | None = None


def _words(pieces: list[Piece], ctx: MarkupContext, base_font: str) -> list[_Word]:
    words: list[_Word] = []
    anchors = ""  # named destinations, written before the next word
    spaced = True  # the text so far ends with a space (or there is none)
    for piece in pieces:
        if piece.anchor:
            anchors += f'<a name="{attr(piece.anchor)}"/>'
            continue
        if piece.mark is not None:
            width = stringWidth(piece.text, ctx.body.regular, ctx.size * SUPERSCRIPT_SIZE)
            # A marker written against the word before it stays with it:
            # no line starts with it, and no space opens before it.
            glued = words[-1] if words and not spaced and not words[-1].newline else None
            words.append(_Word(anchors + mark_markup(piece.mark, ctx), width, 0, glued_to=glued))
            anchors = ""
            spaced = False
            continue
        if piece.text == "\n":
            words.append(_Word("", 0.0, 0, newline=True))
            spaced = True
            continue
        if piece.text:
            spaced = piece.text[-1].isspace()
        for word in clean_text(piece.text).split():
            level = 1 if _RTL_CHAR.search(word) else (2 if _LTR_CHAR.search(word) else 0)
            tail = _TRAILING_PUNCTUATION.search(word) if level == 2 else None
            core = word[: tail.start()] if tail else word
            runs = text_markup(core, piece.style, ctx, base_font, rtl_runs="word")
            words.append(_Word(anchors + runs.markup, runs.width, level))
            anchors = ""
            if tail:
                runs = text_markup(tail.group(), piece.style, ctx, base_font, rtl_runs="word")
                words.append(_Word(runs.markup, runs.width, 0, glued_to=words[-1]))
    if anchors:
        words.append(_Word(anchors, 0.0, 0))
    return words


def _visual_line(words: list[_Word]) -> list[_Word]:
    """Word-level bidi for a right-to-left line: runs of left-to-right words
    keep their order, everything else is reversed (rules L1-L2, simplified)."""
    levels = [w.level for w in words]
    for i, level in enumerate(levels):
        if level == 0:
            before = next((levels[j] for j in range(i - 1, -1, -1) if levels[j]), 1)
            after = next((levels[j] for j in range(i + 1, len(levels)) if levels[j]), 1)
            levels[i] = 2 if before == after == 2 else 1
    visual: list[_Word] = []
    for level, group in reversed(
        [
            (k, [w for _, w in g])
            for k, g in groupby(zip(levels, words, strict=True), key=itemgetter(0))
        ]
    ):
        visual.extend(group if level == 2 else reversed(group))
    return visual


def _join_visual(words: list[_Word]) -> str:
    """Words in visual order with a space between each pair, except where
    punctuation is glued: against its own word, or, when the bidi rules
    moved it to the far side of a left-to-right run (`?What Happened` in
    right-to-left text), against that run."""
    out: list[str] = []
    for index, word in enumerate(words):
        if index and not (
            _touches(words, index - 1, word) or _touches(words, index, words[index - 1])
        ):
            out.append(" ")
        out.append(word.markup)
    return "".join(out)


def _touches(words: list[_Word], at: int, neighbour: _Word) -> bool:
    tail = words[at]
    core = tail.glued_to
    if core is None:
        return False
    if core is neighbour:
        return True
    beside = words[max(at - 1, 0) : at + 2]
    moved = not any(word is core for word in beside)
    return moved and neighbour.level == 2


class RtlParagraph(Flowable):
    """A right-aligned paragraph whose lines are broken in logical order and
    then drawn in visual order. Delegates layout to a reportlab Paragraph
    built for the width it is offered."""

    def __init__(
        self,
        pieces: list[Piece],
        style: ParagraphStyle,
        ctx: MarkupContext,
        *,
        bullet: str | None = None,
        outline: tuple[str, str, int] | None = None,
    ) -> None:
        super().__init__()
        self._bullet = bullet
        self.outline = outline
        self._words = _words(pieces, ctx, style.fontName)
        if bullet is not None:
            # The bullet opens the line on the right, where an RTL reader starts.
            width = stringWidth(bullet + " ", style.fontName, style.fontSize)
            self._words.insert(0, _Word(escape(bullet), width, 1))
        # Footnote numbers, for the page the paragraph lands on (see `Mark.note`).
        self.cites = [p.mark.note for p in pieces if p.mark is not None and p.mark.note]
        self._style = style
        self._space = stringWidth(" ", style.fontName, style.fontSize)
        self._para: Paragraph | None = None
        self._para_width = -1.0

    def _build(self, width: float) -> Paragraph:
        if self._para is not None and self._para_width == width:
            return self._para
        usable = width - self._style.leftIndent - self._style.rightIndent - 1.0
        lines: list[list[_Word]] = [[]]
        used = 0.0
        for word in self._words:
            if word.newline:
                lines.append([])
                used = 0.0
                continue
            extra = word.width + (self._space if lines[-1] and word.glued_to is None else 0.0)
            if lines[-1] and used + extra > usable and word.glued_to is None:
                lines.append([])
                used = 0.0
                extra = word.width
            lines[-1].append(word)
            used += extra
        markup = "<br/>".join(_join_visual(_visual_line(line)) for line in lines)
        self._para = Paragraph(markup, self._style)
        self._para_width = width
        return self._para

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        para = self._build(availWidth)
        self.width, self.height = para.wrap(availWidth, availHeight)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return self._build(availWidth).split(availWidth, availHeight)

    def getSpaceBefore(self) -> float:
        return self._style.spaceBefore

    def getSpaceAfter(self) -> float:
        return self._style.spaceAfter

    def draw(self) -> None:
        assert self._para is not None
        self._para.drawOn(self.canv, 0, 0)
