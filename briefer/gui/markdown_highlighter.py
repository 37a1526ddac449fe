"""Markdown syntax highlighting for a section editor.

A QSyntaxHighlighter works line by line (a QTextBlock is one line of a
QPlainTextEdit), and Qt calls it only for the lines that changed, plus the
lines after them whose state (inside a code fence or not) changed: typing in
a 10,000-word section re-highlights one line. Colours come from the
palette, so the highlighting follows light and dark appearance.

Spell checking plugs in through `set_spell_check`: a function that, given a
line's text, returns the `(start, length)` spans to underline. They are
drawn over the Markdown formats in the same pass, so the two never fight
over a line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtGui import (
    QColor,
    QFont,
    QPalette,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)

SpellCheck = Callable[[str], Iterable[tuple[int, int]]]

_IN_FENCE = 1  # block state: inside a fenced code block

_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)")
_QUOTE = re.compile(r"^ {0,3}>")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])(?=[ \t])")
_CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_CITATION = re.compile(r"\[@[^\]\s]+\]")
_LINK = re.compile(r"!?\[([^\]\n]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![*\w])(\*|_)(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![*\w])")
_URL = re.compile(r"\bhttps?://[^\s<>()\]]+")


@dataclass(frozen=True)
class MarkdownColours:
    """The colours highlighting uses, for a light or a dark palette."""

    markup: QColor  # the Markdown characters themselves: `**`, `#`, `>`
    heading: QColor
    link: QColor
    citation: QColor
    code_background: QColor
    quote: QColor
    misspelled: QColor

    @classmethod
    def for_palette(cls, palette: QPalette) -> MarkdownColours:
        dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
        text = palette.color(QPalette.ColorRole.Text)
        markup = QColor(text)
        markup.setAlphaF(0.45)
        quote = QColor(text)
        quote.setAlphaF(0.75)
        if dark:
            return cls(
                markup=markup,
                heading=QColor("#8AB4F8"),
                link=QColor("#8AB4F8"),
                citation=QColor("#7DD3C0"),
                code_background=QColor(255, 255, 255, 28),
                quote=quote,
                misspelled=QColor("#FF6B6B"),
            )
        return cls(
            markup=markup,
            heading=QColor("#0B5CAD"),
            link=QColor("#0B5CAD"),
            citation=QColor("#00736B"),
            code_background=QColor(0, 0, 0, 18),
            quote=quote,
            misspelled=QColor("#D00000"),
        )


class MarkdownHighlighter(QSyntaxHighlighter):
    """Highlights Markdown as it is typed: headings, bold and italic, code,
    links, `[@key]` citations, quotes and list markers."""

    def __init__(self, document: QTextDocument, palette: QPalette) -> None:
        super().__init__(document)
        self._spell: SpellCheck | None = None
        self._formats: dict[str, QTextCharFormat] = {}
        self._colours = MarkdownColours.for_palette(palette)
        self._build_formats()

    def set_palette(self, palette: QPalette) -> None:
        """Recolour for a new palette (light or dark appearance)."""
        colours = MarkdownColours.for_palette(palette)
        if colours != self._colours:
            self._colours = colours
            self._build_formats()
            self.rehighlight()

    def set_spell_check(self, check: SpellCheck | None) -> None:
        """Underline what `check` reports in each line (None: nothing)."""
        self._spell = check
        self.rehighlight()

    def spell_check(self) -> SpellCheck | None:
        return self._spell

    def _build_formats(self) -> None:
        c = self._colours
        f: dict[str, QTextCharFormat] = {}
        f["markup"] = _format(foreground=c.markup)
        f["heading"] = _format(foreground=c.heading, weight=QFont.Weight.Bold)
        f["strong"] = _format(weight=QFont.Weight.Bold)
        f["emphasis"] = _format(italic=True)
        code = _format(background=c.code_background)
        code.setFontFamilies(["DejaVu Sans Mono", "monospace"])
        code.setFontFixedPitch(True)
        f["code"] = code
        f["link"] = _format(foreground=c.link, underline=True)
        f["url"] = _format(foreground=c.markup)
        f["citation"] = _format(foreground=c.citation)
        f["quote"] = _format(foreground=c.quote, italic=True)
        f["list"] = _format(foreground=c.heading, weight=QFont.Weight.Bold)
        misspelled = QTextCharFormat()
        misspelled.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
        misspelled.setUnderlineColor(c.misspelled)
        f["misspelled"] = misspelled
        self._formats = f

    def highlightBlock(self, text: str) -> None:
        f = self._formats
        in_fence = self.previousBlockState() == _IN_FENCE
        if _FENCE.match(text):
            self.setFormat(0, len(text), f["code"])
            self.setCurrentBlockState(-1 if in_fence else _IN_FENCE)
            return
        if in_fence:
            self.setFormat(0, len(text), f["code"])
            self.setCurrentBlockState(_IN_FENCE)
            return
        self.setCurrentBlockState(-1)
        if not text:
            return
        # Positions are Python indices; Qt counts UTF-16 units. Highlight
        # by Python index and convert only when the line is not plain BMP.
        units = _Units(text)

        def paint(start: int, end: int, name: str) -> None:
            if end > start:
                begin = units.at(start)
                self.setFormat(begin, units.at(end) - begin, f[name])

        heading = _HEADING.match(text)
        if heading:
            paint(0, len(text), "heading")
            paint(0, heading.end(1), "markup")
        elif _QUOTE.match(text):
            paint(0, len(text), "quote")
            paint(0, _QUOTE.match(text).end(), "markup")  # type: ignore[union-attr]
        else:
            mark = _LIST_MARK.match(text)
            if mark:
                paint(0, mark.end(), "list")
        code_spans: list[tuple[int, int]] = []
        for m in _CODE_SPAN.finditer(text):
            paint(m.start(), m.end(), "code")
            code_spans.append((m.start(), m.end()))

        def outside_code(start: int) -> bool:
            return not any(a <= start < b for a, b in code_spans)

        for m in _STRONG.finditer(text):
            if outside_code(m.start()):
                self._merge(units, m.start(2), m.end(2), weight=QFont.Weight.Bold)
                paint(m.start(), m.start(2), "markup")
                paint(m.end(2), m.end(), "markup")
        for m in _EMPHASIS.finditer(text):
            if outside_code(m.start()):
                self._merge(units, m.start(2), m.end(2), italic=True)
                paint(m.start(), m.start(2), "markup")
                paint(m.end(2), m.end(), "markup")
        for m in _LINK.finditer(text):
            if outside_code(m.start()):
                paint(m.start(1), m.end(1), "link")
                paint(m.start(), m.start(1), "markup")
                paint(m.end(1), m.end(), "url")
        for m in _URL.finditer(text):
            if outside_code(m.start()):
                paint(m.start(), m.end(), "link")
        for m in _CITATION.finditer(text):
            if outside_code(m.start()):
                paint(m.start(), m.end(), "citation")
        if self._spell is not None:
            for start, length in self._spell(text):
                self._merge(units, start, start + length, misspelled=True)

    def _merge(
        self,
        units: _Units,
        start: int,
        end: int,
        *,
        weight: QFont.Weight | None = None,
        italic: bool = False,
        misspelled: bool = False,
    ) -> None:
        """Add bold, italic or a spelling underline to what is already
        there, one run of equal formats at a time."""
        begin, stop = units.at(start), units.at(end)
        colour = self._colours.misspelled
        run_start = begin
        while run_start < stop:
            current = self.format(run_start)
            run_end = run_start + 1
            while run_end < stop and self.format(run_end) == current:
                run_end += 1
            merged = QTextCharFormat(current)
            if weight is not None:
                merged.setFontWeight(weight)
            if italic:
                merged.setFontItalic(True)
            if misspelled:
                merged.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
                merged.setUnderlineColor(colour)
            self.setFormat(run_start, run_end - run_start, merged)
            run_start = run_end


class _Units:
    """Python string index -> UTF-16 position, for one line."""

    def __init__(self, text: str) -> None:
        self._offsets: list[int] | None = None
        if not text.isascii() and len(text.encode("utf-16-le")) != 2 * len(text):
            offsets = [0]
            for ch in text:
                offsets.append(offsets[-1] + (2 if ord(ch) > 0xFFFF else 1))
            self._offsets = offsets

    def at(self, index: int) -> int:
        return index if self._offsets is None else self._offsets[index]


def _format(
    *,
    foreground: QColor | None = None,
    background: QColor | None = None,
    weight: QFont.Weight | None = None,
    italic: bool = False,
    underline: bool = False,
) -> QTextCharFormat:
    fmt = QTextCharFormat()
    if foreground is not None:
        fmt.setForeground(foreground)
    if background is not None:
        fmt.setBackground(background)
    if weight is not None:
        fmt.setFontWeight(weight)
    if italic:
        fmt.setFontItalic(True)
    if underline:
        fmt.setFontUnderline(True)
    return fmt
