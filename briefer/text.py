"""Unicode text helpers shared by the exporters.

`clean_text` makes any string safe for XML-based formats (DOCX) and for
reportlab: characters XML 1.0 forbids are dropped (lone surrogates, C0 and C1
controls, U+FFFE/U+FFFF) while tab, newline and form feed are kept for the
renderer to map. `split_scripts` cuts text into runs of one script so a
renderer can pick a font per run (Latin/Greek/Cyrillic, CJK, Arabic, Hebrew,
emoji), and `is_rtl` tells whether a paragraph reads right to left.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from functools import lru_cache

# Everything XML 1.0 forbids, plus C1 controls and DEL (allowed by XML but
# invisible garbage in a document), minus \t \n \f which renderers map.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]",
)
_NEWLINES = re.compile("\r\n?|\x0b|\u2028|\u2029|\x85")


def clean_text(text: str) -> str:
    """Drop characters XML forbids; fold every newline form into `\\n`."""
    if text.isascii() and text.isprintable():
        return text
    return _FORBIDDEN.sub("", _NEWLINES.sub("\n", text))


class Script(enum.Enum):
    """Font-relevant script classes. NEUTRAL runs (spaces, digits,
    punctuation) take the script of the text around them."""

    LATIN = "latin"  # also Greek, Cyrillic and other alphabetic scripts
    CJK = "cjk"
    ARABIC = "arabic"
    HEBREW = "hebrew"
    EMOJI = "emoji"  # pictographs and anything beyond the BMP that is not CJK
    NEUTRAL = "neutral"


_RANGES: tuple[tuple[int, int, Script], ...] = (
    (0x0590, 0x05FF, Script.HEBREW),
    (0xFB1D, 0xFB4F, Script.HEBREW),
    (0x0600, 0x06FF, Script.ARABIC),
    (0x0750, 0x077F, Script.ARABIC),
    (0x0870, 0x08FF, Script.ARABIC),
    (0xFB50, 0xFDFF, Script.ARABIC),
    (0xFE70, 0xFEFF, Script.ARABIC),
    (0x1100, 0x11FF, Script.CJK),  # Hangul Jamo
    (0x2E80, 0x2FDF, Script.CJK),
    (0x3000, 0x303F, Script.CJK),  # CJK punctuation
    (0x3040, 0x31FF, Script.CJK),  # kana, bopomofo, Hangul compat
    (0x3200, 0x9FFF, Script.CJK),
    (0xA960, 0xA97F, Script.CJK),
    (0xAC00, 0xD7FF, Script.CJK),  # Hangul syllables
    (0xF900, 0xFAFF, Script.CJK),
    (0xFE30, 0xFE4F, Script.CJK),
    (0xFF00, 0xFFEF, Script.CJK),  # full-width forms
    (0x20000, 0x3FFFF, Script.CJK),
    (0x2600, 0x27BF, Script.EMOJI),  # misc symbols, dingbats
    (0x1F000, 0x1FAFF, Script.EMOJI),
)


@lru_cache(maxsize=4096)
def script_of(char: str) -> Script:
    """The script class of one character."""
    code = ord(char)
    if code < 0x80:
        return Script.LATIN if char.isalpha() else Script.NEUTRAL
    for low, high, script in _RANGES:
        if low <= code <= high:
            return script
    if code in (0x200D, 0xFE0F, 0xFE0E) or 0x1F3FB <= code <= 0x1F3FF:
        return Script.NEUTRAL  # joiners and modifiers travel with their emoji
    if code > 0xFFFF:
        return Script.EMOJI
    category = unicodedata.category(char)
    if category[0] in "LM":
        return Script.LATIN
    return Script.NEUTRAL


# Every character `script_of` does not call LATIN or NEUTRAL lies in these
# ranges (each of `_RANGES`, the joiners and modifiers, and all of U+10000
# and up). Text with none of them is therefore one Latin run, which is what
# the scan below would return for it (a leading neutral takes the script of
# the Latin text after it, or stays NEUTRAL and is reported as LATIN).
_NON_LATIN = re.compile(
    "[\u0590-\u08ff\u1100-\u11ff\u2600-\u27bf\u2e80-\ua97f\uac00-\ud7ff"
    "\uf900-\ufaff\ufb1d-\ufeff\uff00-\uffef\U00010000-\U0010ffff]"
)


def split_scripts(text: str) -> list[tuple[Script, str]]:
    """Cut `text` into maximal runs of one script, neutrals joined to the
    run before them (or the first real run, for leading neutrals)."""
    if text.isascii():
        return [(Script.LATIN, text)] if text else []
    if _NON_LATIN.search(text) is None:  # accented Latin, Greek, Cyrillic, ...
        return [(Script.LATIN, text)]
    runs: list[tuple[Script, list[str]]] = []
    for char in text:
        script = script_of(char)
        if script is Script.NEUTRAL:
            if runs:
                runs[-1][1].append(char)
            else:
                runs.append((Script.NEUTRAL, [char]))
            continue
        if runs and runs[-1][0] is script:
            runs[-1][1].append(char)
        elif runs and runs[-1][0] is Script.NEUTRAL:
            runs[-1] = (script, runs[-1][1] + [char])
        else:
            runs.append((script, [char]))
    return [(Script.LATIN if s is Script.NEUTRAL else s, "".join(chars)) for s, chars in runs]


_STRONG_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_STRONG_LTR = re.compile(
    r"[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff\u3040-\u9fff\uac00-\ud7af]"
)


def is_rtl(text: str) -> bool:
    """True when the first strong character reads right to left (the
    Unicode bidi rule for a paragraph's base direction, simplified)."""
    if text.isascii():
        return False
    rtl = _STRONG_RTL.search(text)
    if rtl is None:
        return False
    ltr = _STRONG_LTR.search(text)
    return ltr is None or rtl.start() < ltr.start()


def slugify(text: str, limit: int = 60) -> str:
    """Lower-case ASCII letters and digits joined by dashes, at most `limit`
    characters: section ids and heading anchors."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:limit].strip("-")


def unique_name(base: str, used: set[str]) -> str:
    """`base`, or `base-2`, `base-3`, ... whichever is not in `used`; the
    name returned is added to `used`."""
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    used.add(candidate)
    return candidate


def index_from_utf16(text: str, offset: int) -> int:
    """The index into `text` (code points, as Python counts) of a position
    counted in UTF-16 units, as Qt's text cursors count: characters beyond
    U+FFFF (emoji, rare CJK) take two units there and one here."""
    if text.isascii() or offset <= 0:
        return max(0, min(offset, len(text)))
    units = 0
    for index, char in enumerate(text):
        if units >= offset:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(text)


def utf16_from_index(text: str, index: int) -> int:
    """The UTF-16 position of code-point `index` in `text` (the inverse of
    `index_from_utf16`)."""
    head = text[: max(0, index)]
    return len(head) + sum(1 for char in head if ord(char) > 0xFFFF)


def fold_heading(text: str) -> str:
    """A heading folded for matching: case, punctuation and spacing ignored
    (`What's next?` matches `whats next`)."""
    return re.sub(r"[\W_]+", " ", text.casefold().replace("'", "").replace("\u2019", "")).strip()
