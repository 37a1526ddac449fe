"""A fast paragraph flowable for left-to-right text, drawn from runs, not markup.

reportlab's `Paragraph` parses a markup string with html.parser, breaks lines
over generic "frags" and redraws them through a general line renderer; for a
long brief that is most of the export time. `FastParagraph` takes the runs
that `briefer.export.pdf_text.pieces_runs` makes (text, font, size, colour,
rise, link) and does only what a brief needs: greedy line breaking with word
widths from `pdfmetrics.stringWidth` (memoised per font and size in
`WidthCache`, since a brief repeats its words), words too long for a line cut
between characters, left/centre/right alignment, a bullet or list label, hard
line breaks, splitting at line boundaries at the foot of a page, one text
object per paragraph, link annotations, named destinations and footnote
callbacks. Its layout follows reportlab's own rules (first baseline at
height - font size, `spaceShrinkage`, widow and orphan control, bullet
placement) so it looks the same as the `Paragraph` it replaces. Spaces
between words are drawn as real space characters, so text extraction keeps
them. CJK text may also break between two characters with no space, as
the rules of Japanese and Chinese line breaking allow (reportlab's kinsoku
tables), but never before a raised citation marker, which stays with the
character before it. A paragraph split at the foot of a page passes its
lines on to the rest, so a paragraph a hundred pages long is broken into
lines once, not once a page. Right-to-left paragraphs and code blocks still
use reportlab's `Paragraph` (see `briefer.export.pdf`).

`Stacked` keeps a run of paragraphs together as one block that still
splits between or inside them; `Boxed`, one, draws them inside the borders
and shading a Word base's paragraph style gives them (a title's rule, a
quote's bar), as Word draws them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.textsplit import ALL_CANNOT_END, ALL_CANNOT_START
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import Flowable

from briefer.export.pdf_text import Run

if TYPE_CHECKING:  # the types of a Word base, loaded only with one
    from briefer.house_style import Decor, Rule

# Where a line may break: any white space except the non-breaking ones
# (the same set reportlab's paragraph splits on).
_BREAKABLE = re.compile("[^\\S\u00a0\u2007\u202f]+")
_FUZZ = 1e-6  # reportlab's smallest usable width or height

NoteCallback = Callable[[Canvas, int], None]


@dataclass
class WidthCache:
    """Memoised `stringWidth`, one table per (font, size)."""

    tables: dict[tuple[str, float], dict[str, float]] = field(default_factory=dict)

    def table(self, font: str, size: float) -> dict[str, float]:
        key = (font, size)
        table = self.tables.get(key)
        if table is None:
            table = self.tables[key] = {}
        return table

    def width(self, text: str, font: str, size: float) -> float:
        table = self.table(font, size)
        width = table.get(text)
        if width is None:
            width = table[text] = stringWidth(text, font, size)
        return width


class _Word:
    """Text between two breakable spaces: fragments of one or more runs."""

    __slots__ = ("advance", "frags", "full", "space", "space_run", "width")

    def __init__(
        self,
        frags: list[tuple[Run, str, float]],
        width: float,
        space_run: Run | None = None,
        space: float = 0.0,
        advance: float = 0.0,
        full: bool = False,
    ) -> None:
        self.frags = frags  # (run, text, width)
        self.width = width
        self.space_run = space_run  # the run whose white space follows the word
        self.advance = advance  # the width of that space, drawn as one " "
        # The width line breaking counts for it. reportlab measures the space
        # at the size of the word's first fragment (narrower after a
        # superscript marker); counting as it does keeps every line break
        # where reportlab's Paragraph put it.
        self.space = space
        self.full = full  # a cut piece of a long word that ends its line


class _Line:
    __slots__ = ("_notes", "brk", "width", "words")

    def __init__(self, words: list[_Word], width: float, brk: bool) -> None:
        self.words = words
        self.width = width  # without the trailing space
        self.brk = brk  # ended by a hard line break
        self._notes: tuple[int, ...] | None = None

    @property
    def notes(self) -> tuple[int, ...]:
        """The footnote numbers of the markers on this line (asked for once
        per page a long paragraph spans, so kept)."""
        if self._notes is None:
            self._notes = tuple(
                run.note for word in self.words for run, _t, _w in word.frags if run.note
            )
        return self._notes


# A token is a word or None, a hard line break.
_Token = _Word | None


def _tokens(runs: Sequence[Run], widths: WidthCache) -> list[_Token]:
    tokens: list[_Token] = []
    frags: list[tuple[Run, str, float]] = []
    total = 0.0
    has_text = False  # the current word holds more than anchors
    last = ""  # the character before, where no space came between
    for run in runs:
        if run.brk:
            if frags:
                tokens.append(_Word(frags, total))
                frags, total, has_text = [], 0.0, False
            tokens.append(None)
            last = ""
            continue
        text = run.text
        if not text:
            frags.append((run, "", 0.0))  # an anchor: goes with the next word
            continue
        table = widths.table(run.font, run.size)
        parts = _BREAKABLE.split(text)
        cjk = not text.isascii() and _CJK_BREAKS.search(text) is not None
        # White space between parts becomes one space in this run's font.
        gap = table.get(" ")
        if gap is None:
            gap = table[" "] = stringWidth(" ", run.font, run.size)
        for i, part in enumerate(parts):
            if i and has_text:
                first = frags[0][0] if frags[0][1] else next(r for r, t, _w in frags if t)
                space = gap if first.size == run.size else widths.width(" ", run.font, first.size)
                tokens.append(_Word(frags, total, run, space, gap))
                frags, total, has_text = [], 0.0, False
            if not part:
                continue
            # Where a run meets the one before with no space between, CJK
            # text may break; never before a raised run (a citation marker
            # stays with the text it follows, as in Latin text).
            if i == 0 and last and has_text and not run.rise and _breaks_between(last, part[0]):
                tokens.append(_Word(frags, total))
                frags, total, has_text = [], 0.0, False
            if cjk and _CJK_BREAKS.search(part):
                pieces = _cjk_pieces(part)
                for piece in pieces[:-1]:  # a line may break after each
                    frags.append((run, piece, widths.width(piece, run.font, run.size)))
                    total += frags[-1][2]
                    tokens.append(_Word(frags, total))
                    frags, total = [], 0.0
                part = pieces[-1]
            width = table.get(part)
            if width is None:
                width = table[part] = stringWidth(part, run.font, run.size)
            frags.append((run, part, width))
            total += width
            has_text = True
        last = parts[-1][-1] if parts[-1] else ""
    if frags:
        tokens.append(_Word(frags, total))
    return tokens


# Characters between which CJK text may break with no space: ideographs,
# kana, Hangul, CJK punctuation and full-width forms.
_CJK_CLASS = (
    "\u1100-\u11ff\u2e80-\u2fdf\u3000-\u9fff\ua960-\ua97f\uac00-\ud7ff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff"
)
_CJK_BREAKS = re.compile(f"[{_CJK_CLASS}]")


def _breaks_between(before: str, after: str) -> bool:
    """Whether a line may break between two characters with no space
    between them: next to a CJK character, unless the rules of Japanese and
    Chinese line breaking (kinsoku, as reportlab's CJK wrapping keeps them)
    forbid a line to start with `after` (closing brackets, small kana,
    punctuation) or to end with `before` (opening brackets)."""
    return (
        bool(_CJK_BREAKS.match(before) or _CJK_BREAKS.match(after))
        and after not in ALL_CANNOT_START
        and before not in ALL_CANNOT_END
    )


def _cjk_pieces(part: str) -> list[str]:
    """`part` (text with no space) cut where a line may break inside it."""
    pieces: list[str] = []
    start = 0
    for i in range(1, len(part)):
        if _breaks_between(part[i - 1], part[i]):
            pieces.append(part[start:i])
            start = i
    pieces.append(part[start:])
    return pieces


def _cut(word: _Word, first: float, later: float, widths: WidthCache) -> list[_Word]:
    """Cut a word too wide for a line between characters: the first piece
    fills at most `first` points, the others `later`; every piece but the
    last ends its line. A piece holds at least one character."""
    pieces: list[_Word] = []
    frags: list[tuple[Run, str, float]] = []
    total = 0.0
    limit = first
    for run, text, _width in word.frags:
        if not text:
            frags.append((run, "", 0.0))
            continue
        chars: list[str] = []
        part = 0.0
        table = widths.table(run.font, run.size)
        for char in text:
            w = table.get(char)
            if w is None:
                w = table[char] = stringWidth(char, run.font, run.size)
            if total + part + w > limit and total + part > 0:
                if chars:
                    frags.append((run, "".join(chars), part))
                    total += part
                pieces.append(_Word(frags, total, full=True))
                frags, total, chars, part, limit = [], 0.0, [], 0.0, later
            chars.append(char)
            part += w
        if chars:
            frags.append((run, "".join(chars), part))
            total += part
    pieces.append(_Word(frags, total, word.space_run, word.space, word.advance))
    return pieces


def _length(word: _Word) -> int:
    return sum(len(text) for _run, text, _w in word.frags)


class FastParagraph(Flowable):
    """A left-to-right paragraph drawn from `Run`s (see the module docstring).

    `style` supplies leading, font size (for the first baseline), indents,
    alignment, space before and after, keep-with-next, widow and orphan
    control and the bullet's font; `bullet` is a list label drawn at
    `style.bulletIndent`; `outline` is read by the document template to add
    a bookmark; `on_note` is called with each footnote number as its marker
    is drawn (the page then knows which footnotes it needs)."""

    def __init__(
        self,
        runs: Sequence[Run],
        style: ParagraphStyle,
        widths: WidthCache,
        *,
        bullet: str | None = None,
        outline: tuple[str, str, int] | None = None,
        on_note: NoteCallback | None = None,
        lines: tuple[float, list[_Line]] | None = None,
        continued: bool = False,
    ) -> None:
        super().__init__()
        self.style = style
        self.bullet = bullet
        self.outline = outline
        self.on_note = on_note
        self._widths = widths
        self._runs = runs
        # Words are made on first use and dropped once drawn (`_release`): held
        # for the whole story, tens of thousands of small objects would make
        # Python's garbage collector sweep the heap again and again.
        self._words: list[_Token] | None = None
        self._cache: dict[float, list[_Line]] = {}
        self._lines: list[_Line] = []
        # A part of a split paragraph starts with the lines it was split
        # into (at that width), so a paragraph that runs over a hundred
        # pages is broken into lines once, not once a page.
        self._seed: list[_Line] = []
        if lines is not None:
            self._cache[lines[0]] = self._seed = lines[1]
        # The rest of a split paragraph: its first line is not the paragraph's
        # first, so it has no first-line indent (as in reportlab).
        self.continued = continued
        self._first_indent = 0.0 if continued else style.firstLineIndent
        self._overrun = 0.0  # how far the bullet pushes the first line right
        if bullet is not None:
            end = (
                style.bulletIndent
                + stringWidth(bullet, style.bulletFontName, style.bulletFontSize)
                + 0.6 * style.bulletFontSize
            )
            self._overrun = max(0.0, end - style.leftIndent - self._first_indent)

    # -- what the document and the exporter ask of a flowable ---------------

    @property
    def _tokens(self) -> list[_Token]:
        """The words (needed to break lines at a width not broken at yet)."""
        if self._words is None:
            if self._runs:
                self._words = _tokens(self._runs, self._widths)
            else:
                self._words = _line_tokens(self._seed)
        return self._words

    def _release(self) -> None:
        """Forget the words and lines, if they can be made again from the runs."""
        if self._runs:
            self._words = None
            self._cache = {}
            self._lines = []

    @property
    def notes(self) -> list[int]:
        """Footnote numbers whose markers this paragraph (part) draws."""
        numbers: list[int]
        if self._seed:
            numbers = [n for line in self._seed for n in line.notes]
        elif self._words is None:
            numbers = [run.note for run in self._runs if run.note]
        else:
            words = [token for token in self._words if token is not None]
            numbers = [run.note for word in words for run, _t, _w in word.frags if run.note]
        return list(dict.fromkeys(numbers))

    def getSpaceBefore(self) -> float:
        return self.style.spaceBefore

    def getSpaceAfter(self) -> float:
        return self.style.spaceAfter

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if availWidth < _FUZZ:
            return 0, 0x7FFFFFFF  # as reportlab: cannot fit here
        self._lines = self._lines_for(availWidth)
        self.width = availWidth
        self.height = len(self._lines) * self.style.leading
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        if availWidth < _FUZZ or availHeight < _FUZZ or not (self._seed or self._tokens):
            return []
        style = self.style
        # reportlab's tables split a cell at the column's width but lay the
        # parts out inside its padding; split at the narrower width the
        # paragraph was last wrapped at, or the first part would grow.
        width = availWidth
        if self._lines and _FUZZ < self.width < availWidth:
            width = self.width
        lines = self._lines_for(width)
        fit = int(availHeight / style.leading)
        n = len(lines)
        orphans = getattr(style, "allowOrphans", 0)
        if (not orphans and fit <= 1) or fit == 0:
            return []
        if n <= fit:
            return [self]
        if not getattr(style, "allowWidows", 1) and n == fit + 1:
            # Never leave one line alone at the top of the next page.
            if (orphans and n == 3) or n > 3:
                fit -= 1
            else:
                return []
        head = FastParagraph(
            (),
            style,
            self._widths,
            bullet=self.bullet,
            outline=self.outline,
            on_note=self.on_note,
            lines=(width, lines[:fit]),
            continued=self.continued,
        )
        tail = FastParagraph(
            (),
            style,
            self._widths,
            on_note=self.on_note,
            lines=(width, lines[fit:]),
            continued=True,
        )
        return [head, tail]

    # -- line breaking -------------------------------------------------------

    def _lines_for(self, avail: float) -> list[_Line]:
        lines = self._cache.get(avail)
        if lines is None:
            lines = self._cache[avail] = self._break(avail)
        return lines

    def _break(self, avail: float) -> list[_Line]:
        style = self.style
        later = avail - style.leftIndent - style.rightIndent
        limit = later - self._first_indent - self._overrun
        shrink = getattr(style, "spaceShrinkage", 0.0) or 0.0
        lines: list[_Line] = []
        words: list[_Word] = []
        # `spaces`: the drawn spaces on the line; `gap` and `advance`: the
        # space after its last word, as counted and as drawn.
        used = spaces = gap = advance = 0.0

        def end_line(brk: bool) -> None:
            nonlocal words, used, spaces, gap, advance, limit
            lines.append(_Line(words, used, brk))
            words, used, spaces, gap, advance, limit = [], 0.0, 0.0, 0.0, 0.0, later

        for token in self._tokens:
            if token is None:
                end_line(True)
                continue
            pending = [token]
            while pending:
                word = pending.pop()
                if words:
                    wide = used + gap + word.width
                    # Like reportlab, a line may be overfull by a share of its spaces.
                    if wide <= limit + shrink * (spaces + gap):
                        words.append(word)
                        used, spaces = wide, spaces + advance
                        gap, advance = word.space, word.advance
                        if word.full:
                            end_line(False)
                        continue
                    room = limit - used - gap
                    if word.width > limit and _length(word) > 1:
                        # Too long for any line: fill the rest of this one first.
                        cut = _cut(word, room, later, self._widths)
                        if len(cut) > 1 and cut[0].width <= room:
                            words.append(cut[0])
                            used += gap + cut[0].width
                            end_line(False)
                            pending.extend(reversed(cut[1:]))
                            continue
                    end_line(False)
                    if word.width <= limit and not word.full:
                        # reportlab counts the space after a word that opens a
                        # line this way at its drawn size.
                        words, used, spaces = [word], word.width, 0.0
                        gap, advance = word.advance, word.advance
                        continue
                if word.width > limit and _length(word) > 1:
                    pending.extend(reversed(_cut(word, limit, later, self._widths)))
                    continue
                words, used, spaces = [word], word.width, 0.0
                gap, advance = word.space, word.advance
                if word.full:
                    end_line(False)
        if words:
            end_line(False)
        if not lines and self.bullet is not None:
            lines.append(_Line([], 0.0, False))  # an empty item still shows its label
        return lines

    # -- drawing ---------------------------------------------------------------

    def draw(self) -> None:
        lines = self._lines
        if not lines:
            return
        canv = self.canv
        style = self.style
        leading = style.leading
        later = self.width - style.leftIndent - style.rightIndent
        # reportlab puts the first baseline one (largest) font size below the top.
        first_size = max(
            (run.size for word in lines[0].words for run, text, _w in word.frags if text),
            default=style.fontSize,
        )
        y = self.height - first_size
        canv.saveState()
        offset = self._first_indent
        if self.bullet is not None:
            offset = self._draw_bullet(y)
        pen = _Pen(canv.beginText(0, y), leading)
        buffer = pen.buffer
        marks = _Marks()
        line_x = 0.0
        for index, line in enumerate(lines):
            x = style.leftIndent
            limit = later
            if index == 0:
                x += offset
                limit -= self._first_indent + self._overrun
            spare = limit - line.width
            squeeze = 0.0
            if spare < -1e-8:
                # An overfull line (see `spaceShrinkage`): narrow its spaces to fit.
                gaps = sum(1 for word in line.words[:-1] if word.space_run is not None)
                if gaps:
                    squeeze = spare / gaps
            elif style.alignment == TA_CENTER:
                x += spare / 2
            elif style.alignment == TA_RIGHT:
                x += spare
            # Each line starts relative to the one before (a Td move, as
            # reportlab's own lines do), which text extraction reads as one flow.
            if index or x:
                pen.tx.moveCursor(x - line_x, leading if index else 0.0)
                line_x = x
            if squeeze:
                pen.tx.setWordSpace(squeeze)
            marks.new_line()
            previous: _Word | None = None
            # The loop below runs once per word: method calls are kept out of
            # the common case (same look as the text before, no link).
            for word in line.words:
                if previous is not None and previous.space_run is not None:
                    if previous.space_run is not pen.run:
                        pen.use(previous.space_run)
                    buffer.append(" ")
                    x += previous.advance + squeeze
                previous = word
                for run, text, width in word.frags:
                    if run.anchor:
                        canv.bookmarkHorizontal(run.anchor, x, y + leading)
                    if run.note and self.on_note is not None:
                        self.on_note(canv, run.note)
                    if text:
                        if run is not pen.run:
                            pen.use(run)
                        buffer.append(text)
                        if marks.open or run.href or run.dest or run.underline:
                            marks.add(run, x, x + width, y)
                        x += width
            pen.flush()
            if squeeze:
                pen.tx.setWordSpace(0)
            y -= leading
        pen.finish()
        canv.drawText(pen.tx)
        marks.draw(canv)
        canv.restoreState()
        self._release()

    def _draw_bullet(self, y: float) -> float:
        """Draw the label; return how far it pushes the first line right."""
        style = self.style
        assert self.bullet is not None
        tx = self.canv.beginText(style.bulletIndent, y + getattr(style, "bulletOffsetY", 0))
        tx.setFont(style.bulletFontName, style.bulletFontSize)
        tx.setFillColor(getattr(style, "bulletColor", None) or style.textColor)
        tx.textOut(self.bullet)
        self.canv.drawText(tx)
        return max(self._first_indent, self._overrun + self._first_indent)


_UNDERLINE_WIDTH = 1.0  # reportlab underlines with the canvas's default line width


class _Pen:
    """A text object that changes font, colour and rise only when a run
    needs it, writing runs of the same look with one text operator."""

    __slots__ = ("buffer", "leading", "look", "rise", "run", "tx")

    def __init__(self, tx: PDFTextObject, leading: float) -> None:
        self.tx = tx
        self.leading = leading
        self.run: Run | None = None
        self.look: tuple[str, float, Color] | None = None
        self.rise = 0.0
        self.buffer: list[str] = []

    def use(self, run: Run) -> None:
        """Write the text that follows (into `buffer`) in `run`'s look."""
        self.run = run
        look = (run.font, run.size, run.color)
        if look == self.look and run.rise == self.rise:
            return
        self.flush()
        if self.look is None or self.look[:2] != look[:2]:
            self.tx.setFont(run.font, run.size, self.leading)
        if self.look is None or self.look[2] != run.color:
            self.tx.setFillColor(run.color)
        if run.rise != self.rise:
            self.tx.setRise(run.rise)
        self.look, self.rise = look, run.rise

    def flush(self) -> None:
        if self.buffer:
            self.tx.textOut("".join(self.buffer))
            self.buffer.clear()

    def finish(self) -> None:
        self.flush()
        if self.rise:
            self.tx.setRise(0)


class _Box:
    """A link's clickable box or an underline, as it grows along a line."""

    __slots__ = ("bottom", "color", "target", "top", "x1", "x2")

    def __init__(self, target: str, color: Color, x1: float, x2: float, bottom: float, top: float):
        self.target, self.color = target, color
        self.x1, self.x2, self.bottom, self.top = x1, x2, bottom, top


class _Marks:
    """The links and underlines of a paragraph, drawn after its text."""

    def __init__(self) -> None:
        self.links: list[_Box] = []  # target "#name" for a destination, else a URL
        self.underlines: list[_Box] = []
        self._link: _Box | None = None
        self._under: _Box | None = None

    @property
    def open(self) -> bool:
        """A link or underline box may still grow."""
        return self._link is not None or self._under is not None

    def new_line(self) -> None:
        self._link = self._under = None

    def add(self, run: Run, x1: float, x2: float, y: float) -> None:
        """Text of `run` was drawn from `x1` to `x2` on the baseline `y`.
        Neighbouring text with the same link or underline extends its box."""
        target = ("#" + run.dest) if run.dest else run.href
        if target:
            # As reportlab: from 0.2 font sizes below the baseline to one above.
            bottom, top = y + run.rise - 0.2 * run.size, y + run.rise + run.size
            box = self._link
            if box is not None and box.target == target:
                box.x2, box.bottom, box.top = x2, min(box.bottom, bottom), max(box.top, top)
            else:
                box = self._link = _Box(target, run.color, x1, x2, bottom, top)
                self.links.append(box)
        else:
            self._link = None
        if run.underline:
            box = self._under
            if box is not None and box.color == run.color:
                box.x2 = x2
            else:
                y_line = y - 0.125 * run.size
                box = self._under = _Box("", run.color, x1, x2, y_line, y_line)
                self.underlines.append(box)
        else:
            self._under = None

    def draw(self, canv: Canvas) -> None:
        if self.underlines:
            canv.setLineWidth(_UNDERLINE_WIDTH)
            for box in self.underlines:
                canv.setStrokeColor(box.color)
                canv.line(box.x1, box.bottom, box.x2, box.bottom)
        for box in self.links:
            rect = (box.x1, box.bottom, box.x2, box.top)
            if box.target.startswith("#"):
                canv.linkRect("", box.target[1:], rect, relative=1)
            else:
                canv.linkURL(box.target, rect, relative=1)


def _line_tokens(lines: list[_Line]) -> list[_Token]:
    """The tokens of `lines`, for a part of a split paragraph laid out at
    another width than the one it was split at (a table's cell). The
    pieces of a word cut between characters are joined again, all at once:
    joined one by one, a word cut over thousands of lines would be copied
    thousands of times."""
    tokens: list[_Token] = []
    pieces: list[_Word] = []  # the cut pieces of one word, so far
    for line in lines:
        for word in line.words:
            if pieces or word.full:
                pieces.append(word)
                if not word.full:
                    tokens.append(_joined(pieces))
                    pieces = []
            else:
                tokens.append(word)
        if line.brk:
            if pieces:
                tokens.append(_joined(pieces))
                pieces = []
            tokens.append(None)
    if pieces:
        tokens.append(_joined(pieces))
    return tokens


def _joined(pieces: list[_Word]) -> _Word:
    """One word of the pieces it was cut into; it ends as its last piece
    does (the space after it, or a cut that continues)."""
    frags: list[tuple[Run, str, float]] = []
    texts: list[str] = []
    width = 0.0
    run: Run | None = None
    for word in pieces:
        for frag_run, text, frag_width in word.frags:
            if frag_run is run and texts:
                texts.append(text)
                width += frag_width
                continue
            if run is not None and texts:
                frags.append((run, "".join(texts), width))
            run, texts, width = frag_run, [text], frag_width
    if run is not None and texts:
        frags.append((run, "".join(texts), width))
    last = pieces[-1]
    total = sum(w.width for w in pieces)
    return _Word(frags, total, last.space_run, last.space, last.advance, last.full)


# -- borders and shading ------------------------------------------------------


class Stacked(Flowable):
    """Paragraphs (or other flowables) kept together as one block that can
    still split between or inside them: a block quote, a box of bordered
    paragraphs. Spacing between them follows the frame's rule (the larger
    of space after and space before); a subclass adds room above and below
    (`_top`, `_bottom`) and draws around them. A part of a split block is a
    new one (`_like`), opened at the top only if this one is, closed at the
    bottom only if this one is (reportlab marks a flowable it postpones)."""

    def __init__(self, content: list[Flowable]) -> None:
        super().__init__()
        self.content = content
        self.opened = True  # the first part: what goes above is drawn
        self.closed = True  # the last part: what goes below is drawn
        self._heights: list[float] = []
        self._gaps: list[float] = []
        last = content[-1] if content else None
        self.keepWithNext = int(bool(last is not None and last.getKeepWithNext()))

    @property
    def outline(self) -> tuple[str, str, int] | None:
        """The bookmark of a heading in the block (read by the document)."""
        return getattr(self.content[0], "outline", None) if self.content else None

    @property
    def _top(self) -> float:
        return 0.0

    @property
    def _bottom(self) -> float:
        return 0.0

    def _like(self, content: list[Flowable]) -> Stacked:
        raise NotImplementedError

    def _gap(self, i: int) -> float:
        """Space above content[i] inside the block (none above the first)."""
        if i == 0:
            return 0.0
        return max(self.content[i - 1].getSpaceAfter(), self.content[i].getSpaceBefore())

    def getSpaceBefore(self) -> float:
        return self.content[0].getSpaceBefore() if self.content else 0.0

    def getSpaceAfter(self) -> float:
        return self.content[-1].getSpaceAfter() if self.content else 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self._heights, self._gaps = [], []
        total = self._top
        for i, flowable in enumerate(self.content):
            gap = self._gap(i)
            _w, h = flowable.wrap(availWidth, max(availHeight - total - gap, 0.0))
            self._gaps.append(gap)
            self._heights.append(h)
            total += gap + h
        self.width, self.height = availWidth, total + self._bottom
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        used = self._top
        for i, flowable in enumerate(self.content):
            gap = self._gap(i)
            room = availHeight - used - gap
            _w, h = flowable.wrap(availWidth, max(room, 0.0))
            last = i == len(self.content) - 1
            if h + (self._bottom if last else 0.0) <= room + _FUZZ:
                used += gap + h
                continue
            head = self.content[:i]
            tail = self.content[i:]
            parts = flowable.split(availWidth, room) if room > 0 else []
            if len(parts) > 1 and parts[0].wrap(availWidth, room)[1] <= room + _FUZZ:
                head = [*head, parts[0]]
                tail = [*parts[1:], *self.content[i + 1 :]]
            if not head:
                return []
            return [self._part(head, self.opened, False), self._part(tail, False, self.closed)]
        return [self]

    def _part(self, content: list[Flowable], opened: bool, closed: bool) -> Stacked:
        part = self._like(content)
        part.opened, part.closed = opened, closed
        return part

    def _draw_content(self) -> None:
        y = self.height - self._top
        for flowable, gap, h in zip(self.content, self._gaps, self._heights, strict=True):
            y -= gap + h
            flowable.drawOn(self.canv, 0, y)


class Boxed(Stacked):
    """Paragraphs drawn inside the borders and shading of their Word
    style (`Decor`), as Word draws them.

    Consecutive paragraphs of one style share one box: the top border above
    the first, the bottom border below the last, the side borders and the
    shading through the gaps between them, and a `between` border in each
    gap. The text stays where its indents put it: `left` and `right` are
    the distances of the text's edges from the flowable's, and a side
    border sits its `space_pt` outside them, as in Word; a top or bottom
    border adds its space and width to the height. A box split across pages
    continues on the next (the top border on the first part, the bottom on
    the last). Right-to-left paragraphs (`rtl`) take the left border on the
    right."""

    def __init__(
        self,
        content: list[Flowable],
        decor: Decor,
        left: float = 0.0,
        right: float = 0.0,
        rtl: bool = False,
    ) -> None:
        super().__init__(content)
        self.decor = decor
        self.left = left
        self.right = right
        self.rtl = rtl

    @staticmethod
    def _pad(rule: Rule | None, drawn: bool) -> float:
        return rule.space_pt + rule.extent if drawn and rule is not None and rule.shows else 0.0

    @property
    def _top(self) -> float:
        return self._pad(self.decor.top, self.opened)

    @property
    def _bottom(self) -> float:
        return self._pad(self.decor.bottom, self.closed)

    def _like(self, content: list[Flowable]) -> Boxed:
        return Boxed(content, self.decor, self.left, self.right, self.rtl)

    def draw(self) -> None:
        canv = self.canv
        decor = self.decor
        left_rule, right_rule = decor.left, decor.right
        if self.rtl:
            left_rule, right_rule = right_rule, left_rule
        # The box's inner edges: the text's, pushed out by the side borders'
        # space; the borders lie outside them, or inside the top and bottom
        # room they add.
        x1 = self.left - (left_rule.space_pt if _shows(left_rule) else 0.0)
        x2 = self.width - self.right + (right_rule.space_pt if _shows(right_rule) else 0.0)
        top = self.height - (decor.top.extent if self.opened and _shows(decor.top) else 0.0)
        bottom = decor.bottom.extent if self.closed and _shows(decor.bottom) else 0.0
        outer_left = x1 - (left_rule.extent if _shows(left_rule) else 0.0)
        outer_right = x2 + (right_rule.extent if _shows(right_rule) else 0.0)
        canv.saveState()
        if decor.fill is not None:
            # The shade fills the whole box, under its borders.
            canv.setFillColor(HexColor(decor.fill))
            canv.rect(outer_left, 0.0, outer_right - outer_left, self.height, stroke=0, fill=1)
        if self.opened and decor.top is not None and decor.top.shows:
            middle = top + decor.top.extent / 2
            _rule(canv, decor.top, outer_left, middle, outer_right, middle)
        if self.closed and decor.bottom is not None and decor.bottom.shows:
            middle = bottom / 2
            _rule(canv, decor.bottom, outer_left, middle, outer_right, middle)
        if left_rule is not None and left_rule.shows:
            middle = x1 - left_rule.extent / 2
            _rule(canv, left_rule, middle, 0.0, middle, self.height)
        if right_rule is not None and right_rule.shows:
            middle = x2 + right_rule.extent / 2
            _rule(canv, right_rule, middle, 0.0, middle, self.height)
        y = self.height - self._top
        between = decor.between
        for i, (gap, h) in enumerate(zip(self._gaps, self._heights, strict=True)):
            if i and between is not None and between.shows:
                _rule(canv, between, x1, y - gap / 2, x2, y - gap / 2)
            y -= gap + h
        canv.restoreState()
        self._draw_content()


def _shows(rule: Rule | None) -> bool:
    return rule is not None and rule.shows


def _rule(canv: Canvas, rule: Rule, x1: float, y1: float, x2: float, y2: float) -> None:
    """Draw `rule` centred on the horizontal or vertical segment from
    (x1, y1) to (x2, y2): solid lines as filled rectangles, a double rule
    as two lines its width apart, dotted and dashed ones stroked."""
    from briefer.house_style import RuleKind  # loaded already: there is a Word base

    colour = HexColor(rule.color)
    width = rule.width_pt
    if rule.kind in (RuleKind.DOTTED, RuleKind.DASHED):
        canv.setStrokeColor(colour)
        unit = max(width, 0.5)
        canv.setDash([unit, unit * 2] if rule.kind is RuleKind.DOTTED else [unit * 4, unit * 2])
        canv.setLineWidth(width)
        canv.line(x1, y1, x2, y2)
        canv.setDash([])
        return
    canv.setFillColor(colour)
    offsets = (-width, width) if rule.kind is RuleKind.DOUBLE else (0.0,)
    for offset in offsets:
        if y1 == y2:
            canv.rect(x1, y1 + offset - width / 2, x2 - x1, width, stroke=0, fill=1)
        else:
            canv.rect(x1 + offset - width / 2, y1, width, y2 - y1, stroke=0, fill=1)
