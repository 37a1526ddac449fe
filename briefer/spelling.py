"""Spell checking of section text written in Markdown.

`SpellChecker(language)` checks the words a reader will see, one line (one
paragraph of the editor) at a time: `misspelled(line)` gives the
`(start, end)` of each misspelt word, as Python string indices. It never
flags what is not prose: Markdown markers, code spans, link and image
addresses, reference labels, HTML tags and entities, web and mail
addresses, domain names and file paths, `[@key]` citations and `@handles`,
footnote markers, source definition lines (`[@key]: ...`), fence lines,
words with a digit in them (`3rd`, `H5N1`, `COVID-19`'s `19`), words of one
letter, ALL-CAPS words of two or more letters (acronyms such as `NATO`,
`OPEC's`: a brief is full of them and a dictionary knows few), and words
written in another script than the dictionary's (a Chinese name in an
English brief is not a misspelling). Apostrophes inside a word, straight or
typographic (`didn't`, `didn’t`), are part of it; accented and decomposed
letters (`café`, `cafe` + U+0301) are letters.

Dictionaries are the system's, through Enchant (pyenchant, with Debian's
`hunspell-en-us` and `hunspell-en-gb`). `choose_dictionary` picks one for a
brief's language from those installed: an exact match (`en-GB` -> `en_GB`);
for English with a region that has no dictionary, British spelling outside
the United States and the Philippines (`en-AU` -> `en_GB`); for a bare
language (`en`), the system locale's region when it speaks that language
(`LANG=en_GB.UTF-8` -> `en_GB`), else the language's home region (`en_US`,
`de_DE`), else the first installed. When there is none, the checker says so
(`problem`) and flags nothing, so the window can tell the person once rather
than check nothing in silence.

Words the person adds go to a personal word list (`PersonalWords`, one word
a line, UTF-8, in the data folder: `personal_words_path(paths)`), shared by
every language and every Briefer; `ignore` lasts as long as the checker.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefer.citekeys import CITATION_PATTERN
from briefer.errors import FileAccessError
from briefer.fsutil import atomic_write_bytes, read_regular_file
from briefer.paths import Paths

MAX_SUGGESTIONS = 6
_MAX_PERSONAL_BYTES = 8 * 1024 * 1024
_MAX_CACHED_WORDS = 200_000  # far more than any brief's vocabulary

# Languages whose dictionaries spell another script than Latin: a word is
# checked only when its letters are in the dictionary's script.
_SCRIPTS: dict[str, str] = {
    **dict.fromkeys(("ru", "uk", "be", "bg", "mk", "sr", "kk", "ky", "mn", "tg"), "cyrillic"),
    "el": "greek",
    **dict.fromkeys(("he", "yi"), "hebrew"),
    **dict.fromkeys(("ar", "fa", "ur", "ps"), "arabic"),
}
_SCRIPT_LETTERS: dict[str, re.Pattern[str]] = {
    # Latin letters, the combining marks that accent them, soft hyphen.
    "latin": re.compile(
        "[A-Za-z\u00aa\u00b5\u00ba\u00c0-\u024f\u0250-\u02af\u1e00-\u1eff"
        "\u2c60-\u2c7f\ua720-\ua7ff\uab30-\uab6f\ufb00-\ufb06\uff21-\uff3a\uff41-\uff5a"
        "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u00ad'\u2019]+"
    ),
    "cyrillic": re.compile(
        "[\u0400-\u052f\u1c80-\u1c8f\u2de0-\u2dff\ua640-\ua69f\u0300-\u036f\u00ad'\u2019]+"
    ),
    "greek": re.compile("[\u0370-\u03ff\u1f00-\u1fff\u0300-\u036f\u00ad'\u2019]+"),
    "hebrew": re.compile("[\u0590-\u05ff\ufb1d-\ufb4f\u00ad'\u2019]+"),
    "arabic": re.compile(
        "[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff\u00ad]+"
    ),
}

# A word: letters (of any script) and the combining marks on them, joined by
# apostrophes, soft hyphens and zero-width joiners. Digits are taken in too,
# so that a word with a digit can be seen whole and skipped.
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf-\u05c7\u0610-\u061a\u064b-\u065f"
    "\u0670\u06d6-\u06ed\u0900-\u0903\u093a-\u094f\u1ab0-\u1aff\u1dc0-\u1dff"
    "\u20d0-\u20ff\ufe20-\ufe2f"
)
_LETTER = f"(?:[^\\W_]|[{_MARKS}])"
_WORD = re.compile(f"{_LETTER}+(?:['\u2019\u00ad\u200c\u200d]{_LETTER}+)*")
_IDENTIFIER = re.compile(r"[^\W_]_[^\W_]")  # snake_case outside a code span

# What is syntax or an address, anywhere in a line. Each is masked before
# words are looked for.
_CODE_SPAN = r"(?P<ticks>`+).+?(?<!`)(?P=ticks)(?!`)"
_SYNTAX = re.compile(
    # The lookahead lets the engine skip at C speed to where syntax can start.
    r"(?=[`<&\[\]\\])(?:"
    + "|".join(
        (
            _CODE_SPAN,
            r"<!--.*?(?:-->|$)",  # an HTML comment (to the end of the line if open)
            r"</?[A-Za-z][^<>]*>",  # an HTML tag, or an autolink <https://...>
            r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);",  # an entity
            CITATION_PATTERN,  # [@key], [@a; @b]
            r"\[\^[^\]\s]+\]",  # a footnote marker [^1]
            # A link's or image's address and title: ](url "title"), ](<a b>)
            r"\]\(\s*(?:<[^<>]*>|(?:[^()\s]|\([^()\s]*\))*)(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?\s*\)",
            r"\]\[[^\]]*\]",  # a reference link's label: [text][label]
            r"\\[!-/:-@\[-`{-~]",  # a backslash escape (of ASCII punctuation only)
        )
    )
    + ")",
    re.DOTALL,
)
# Lines that are syntax as a whole: a link or source definition, a fence.
_WHOLE_LINE = re.compile(r" {0,3}(?:\[[^\]]+\]:(?:\s|$)|`{3,}|~{3,})")
_TOKEN = re.compile(r"\S+")
_EDGE_PUNCTUATION = "\"'“”‘’«»‹›()[]{}<>*_~,;:!?.…|"
_DOMAIN = re.compile(r"(?:[\w-]+\.)+[a-z]{2,24}(?::[0-9]+)?(?:/\S*)?")


# --------------------------------------------------------------------------
# Dictionaries
# --------------------------------------------------------------------------


def _enchant() -> Any | None:
    """The `enchant` module, or None when it or the C library is missing.
    Imported on first use: it costs 20 ms that a batch export never needs."""
    try:
        import enchant
    except (ImportError, OSError):
        return None
    return enchant


def available_languages() -> list[str]:
    """The dictionaries installed on this machine, as Enchant names them
    (`en_GB`, `en_US`), sorted; [] when Enchant itself is missing."""
    enchant = _enchant()
    if enchant is None:
        return []
    try:
        return sorted(set(enchant.list_languages()))
    except Exception:  # a broken provider must not stop the window
        return []


@dataclass(frozen=True)
class LanguageTag:
    """A language tag split into a lower-case language and an upper-case
    region: `en-gb`, `en_GB.UTF-8` and `en_GB@euro` are all ("en", "GB")."""

    language: str
    region: str = ""

    @classmethod
    def parse(cls, text: str) -> LanguageTag:
        head = text.strip().split(".")[0].split("@")[0].replace("-", "_")
        parts = [p for p in head.split("_") if p]
        if not parts:
            return cls("")
        region = next((p.upper() for p in parts[1:] if len(p) == 2 and p.isalpha()), "")
        return cls(parts[0].lower(), region)

    @property
    def name(self) -> str:
        return f"{self.language}_{self.region}" if self.region else self.language


# Debian names some dictionaries with a region only: hunspell-en-us, hunspell-de-de.
_PACKAGE_REGIONS = {"en": "US", "de": "DE"}

# English outside these regions is spelt the British way (colour, centre).
_AMERICAN_ENGLISH = {"US", "PH", "PR", "UM", "VI", "AS", "GU", "MP"}


def locale_from_env(env: Mapping[str, str] | None = None) -> str:
    """The user's locale as the environment gives it (`LC_ALL`, then
    `LC_MESSAGES`, then `LANG`), such as `en_GB.UTF-8`; "" when unset."""
    env = os.environ if env is None else env
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return value
    return ""


def choose_dictionary(language: str, installed: Sequence[str], locale: str = "") -> str | None:
    """The installed dictionary that spells `language` (a brief's
    `meta.language`, such as `en`, `en-GB`, `de`), or None.

    The rule, in order: the exact language and region; for English with a
    region that has no dictionary of its own, `en_GB` outside the United
    States (and the Philippines), `en_US` inside; the region of `locale`
    (the user's, `en_GB.UTF-8`) when it speaks the same language; the
    language's home region (`en_US`, `de_DE`, `fr_FR`); then the first
    installed dictionary of that language."""
    want = LanguageTag.parse(language)
    if not want.language:
        return None
    by_tag: dict[LanguageTag, str] = {}
    for name in installed:
        by_tag.setdefault(LanguageTag.parse(name), name)
    same = sorted(
        (tag for tag in by_tag if tag.language == want.language), key=lambda tag: tag.name
    )
    if not same:
        return None
    regions = {tag.region: by_tag[tag] for tag in same}
    if want.region and want.region in regions:
        return regions[want.region]
    if want.region and want.language == "en":
        fallback = "US" if want.region in _AMERICAN_ENGLISH else "GB"
        if fallback in regions:
            return regions[fallback]
    home = LanguageTag.parse(locale)
    if not want.region and home.language == want.language and home.region in regions:
        return regions[home.region]
    default = "US" if want.language == "en" else want.language.upper()
    if default in regions:
        return regions[default]
    if "" in regions:
        return regions[""]
    return by_tag[same[0]]


def dictionary_package(language: str) -> str:
    """The Debian package that would install a dictionary for `language`."""
    tag = LanguageTag.parse(language)
    if not tag.language:
        return "hunspell"
    region = tag.region or _PACKAGE_REGIONS.get(tag.language, "")
    return f"hunspell-{tag.language}" + (f"-{region.lower()}" if region else "")


# --------------------------------------------------------------------------
# The personal word list
# --------------------------------------------------------------------------


def personal_words_path(paths: Paths) -> Path:
    """Where the words a person adds to the dictionary are kept."""
    return paths.data_dir / "personal-words.txt"


def _normal(word: str) -> str:
    """A word as compared: typographic apostrophe as straight, no soft hyphens."""
    return word.replace("\u2019", "'").replace("\u00ad", "")


class PersonalWords:
    """The person's own words: a text file of one word a line (lines that
    start with `#` are comments), read when made and again before each
    change, so two Briefers adding words keep both.

    A word added in lower case is also right capitalised or in capitals
    (`briefer` accepts `Briefer`, `BRIEFER`), as in a dictionary; one
    added with capitals is right only as written."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._words: set[str] = set()
        self.reload()

    def reload(self) -> None:
        self._words = set(self._read())

    def __contains__(self, word: str) -> bool:
        word = _normal(word)
        if word in self._words:
            return True
        lower = word.lower()
        return lower in self._words and word in (lower.capitalize(), lower.upper())

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._words))

    def add(self, word: str) -> None:
        """Add `word` and write the list (atomically). A list that cannot be
        written raises `FileAccessError`; the word is still known to this
        checker for the session."""
        word = _normal(word.strip())
        if not word or any(c.isspace() for c in word):
            return
        self._words.add(word)
        if self.path is None:
            return
        self._words |= set(self._read())
        text = "".join(f"{w}\n" for w in sorted(self._words))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.path, text.encode("utf-8"))

    def _read(self) -> list[str]:
        if self.path is None or not self.path.exists():
            return []
        try:
            data = read_regular_file(self.path, _MAX_PERSONAL_BYTES, "a word list")
        except FileAccessError:
            return []
        lines = data.decode("utf-8", errors="replace").splitlines()
        return [_normal(s) for line in lines if (s := line.strip()) and not s.startswith("#")]


# --------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------


class SpellChecker:
    """Checks the words of Markdown lines against the dictionary chosen for
    `language` (see `choose_dictionary`), the personal word list and the
    words ignored in this session.

    `dictionary` is the dictionary's name (`en_GB`) or None; then
    `available` is False, `problem` says why in words a person can act on,
    and nothing is flagged. Results are cached per word, so a paragraph
    checked again costs little more than finding its words. Not for use
    from two threads at once (Enchant's dictionaries are not)."""

    def __init__(
        self,
        language: str = "en",
        personal: PersonalWords | None = None,
        *,
        locale: str | None = None,
        installed: Sequence[str] | None = None,
    ) -> None:
        self.language = language or "en"
        self.personal = personal if personal is not None else PersonalWords(None)
        self._ignored: set[str] = set()
        self._known: dict[str, bool] = {}
        self._tokens: dict[str, tuple[tuple[int, int], ...]] = {}
        self._bad_tokens: set[str] = set()  # the tokens with a misspelling
        self._dict: Any | None = None
        self.problem: str | None = None
        enchant = _enchant()
        locale = locale_from_env() if locale is None else locale
        if installed is None:
            installed = available_languages()
        self.dictionary = choose_dictionary(self.language, installed, locale)
        if enchant is None:
            self.dictionary = None
            self.problem = (
                "Spelling is not checked: the Enchant library is not installed"
                " (Debian and Ubuntu: sudo apt-get install libenchant-2-2"
                f" {dictionary_package(self.language)})."
            )
        elif self.dictionary is None:
            self.problem = (
                f"Spelling is not checked: no dictionary for the brief's language"
                f" ({self.language}) is installed. Install one (Debian and Ubuntu:"
                f" sudo apt-get install {dictionary_package(self.language)})"
                " and open the brief again."
            )
        else:
            try:
                self._dict = enchant.Dict(self.dictionary)
            except Exception as exc:  # a damaged dictionary file
                self.dictionary = None
                self.problem = (
                    f"Spelling is not checked: the dictionary could not be opened ({exc})."
                )
        script = _SCRIPTS.get(LanguageTag.parse(self.language).language, "latin")
        self._alphabet = _SCRIPT_LETTERS[script]

    @classmethod
    def for_paths(cls, language: str, paths: Paths, *, locale: str | None = None) -> SpellChecker:
        """A checker whose personal words live in `paths`' data folder."""
        return cls(language, PersonalWords(personal_words_path(paths)), locale=locale)

    @property
    def available(self) -> bool:
        return self._dict is not None

    # -- words --------------------------------------------------------------

    def is_correct(self, word: str) -> bool:
        """True when `word` (one word, no spaces) is spelt right, or is in
        the personal list, or ignored. Always True without a dictionary."""
        if self._dict is None:
            return True
        known = self._known.get(word)
        if known is None:
            key = _normal(word)
            known = self._accepted(key) or self._check(key)
            if len(self._known) >= _MAX_CACHED_WORDS:
                self._known.clear()
            self._known[word] = known
        return known

    def _accepted(self, word: str) -> bool:
        """In the personal list or ignored, also with a possessive `'s`."""
        if word in self._ignored or word in self.personal:
            return True
        stem = word[:-2] if word.endswith(("'s", "'S")) else ""
        return bool(stem) and (stem in self._ignored or stem in self.personal)

    def _check(self, word: str) -> bool:
        try:
            return bool(self._dict.check(word))
        except Exception:  # Enchant refuses some strings (too long, odd bytes)
            return True

    def suggest(self, word: str) -> list[str]:
        """Up to `MAX_SUGGESTIONS` corrections, best first; apostrophes as
        the word had them."""
        if self._dict is None or not word:
            return []
        try:
            found = self._dict.suggest(_normal(word))
        except Exception:
            return []
        if "\u2019" in word:
            found = [s.replace("'", "\u2019") for s in found]
        return list(dict.fromkeys(found))[:MAX_SUGGESTIONS]

    def add_to_dictionary(self, word: str) -> None:
        """Add `word` to the personal word list for good (every brief,
        every language, every Briefer). Raises `FileAccessError` if the
        list cannot be written; the word is then known for this session."""
        try:
            self.personal.add(word)
        finally:
            self._forget()

    def ignore(self, word: str) -> None:
        """Accept `word` until this checker is closed."""
        self._ignored.add(_normal(word))
        self._forget()

    def ignored_words(self) -> list[str]:
        """The words ignored so far, to carry over to another checker."""
        return sorted(self._ignored)

    def _forget(self) -> None:
        # Only words judged wrong can change their verdict ("Halden's" too).
        self._known = {cached: ok for cached, ok in self._known.items() if ok}
        self._tokens = {cached: spans for cached, spans in self._tokens.items() if not spans}
        self._bad_tokens.clear()

    # -- lines --------------------------------------------------------------

    def misspelled(self, text: str, *, code: bool = False) -> list[tuple[int, int]]:
        """The `(start, end)` indices of the misspelt words of `text`, one
        line of Markdown (a paragraph of the editor), in order. `code=True`
        for a line inside a fenced code block: nothing in it is flagged.

        Each distinct token (a run between spaces) is judged once and the
        verdict cached, and only tokens holding a misspelling are looked
        for in the line: a 10,000-word paragraph changed by one keystroke
        costs a few milliseconds, not a check of every word."""
        if self._dict is None or code or not text or _WHOLE_LINE.match(text):
            return []
        masked = _mask_syntax(text)
        tokens = set(masked.split())
        for token in tokens.difference(self._tokens):  # not `- keys()`: that walks the cache
            self._bad_in(token)
        bad = tokens & self._bad_tokens
        if not bad:
            return []
        found: list[tuple[int, int]] = []
        if len(bad) <= 64:  # the usual case: a few, found at C speed
            for token in bad:
                spans = self._tokens[token]
                for at in _occurrences(masked, token):
                    found.extend((at + start, at + end) for start, end in spans)
        else:
            for match in _TOKEN.finditer(masked):
                if match.group() in bad:
                    at = match.start()
                    found.extend(
                        (at + start, at + end) for start, end in self._tokens[match.group()]
                    )
        found.sort()
        return found

    def _bad_in(self, token: str) -> tuple[tuple[int, int], ...]:
        """The misspelt words of one token, as spans within it (cached)."""
        spans = self._tokens.get(token)
        if spans is None:
            spans = tuple(
                (start, end)
                for start, end, word in self._token_words(token)
                if not self.is_correct(word)
            )
            if len(self._tokens) >= _MAX_CACHED_WORDS:
                self._tokens.clear()
                self._bad_tokens.clear()
            self._tokens[token] = spans
            if spans:
                self._bad_tokens.add(token)
        return spans

    def words(self, text: str) -> list[tuple[tuple[int, int], str]]:
        """The words of one Markdown line that spelling applies to, each
        with its `(start, end)`: what `misspelled` looks up."""
        if _WHOLE_LINE.match(text):
            return []
        found: list[tuple[tuple[int, int], str]] = []
        for token in _TOKEN.finditer(_mask_syntax(text)):
            base = token.start()
            found.extend(
                ((base + start, base + end), word)
                for start, end, word in self._token_words(token.group())
            )
        return found

    def _token_words(self, token: str) -> list[tuple[int, int, str]]:
        """The words of one token (no spaces) that spelling applies to."""
        if token.isalpha():  # the usual case: a plain word
            return [(0, len(token), token)] if self._wants(token) else []
        if _is_address(token):
            return []
        identifier = _IDENTIFIER.search(token) is not None
        found: list[tuple[int, int, str]] = []
        for word in _WORD.finditer(token):
            start, end = word.span()
            if identifier and _touches_underscore(token, start, end):
                continue
            if self._wants(word.group()):
                found.append((start, end, word.group()))
        return found

    def _wants(self, word: str) -> bool:
        """Whether `word` is prose the dictionary can judge."""
        if len(word) < 2 or (not word.isalpha() and any(c.isdigit() for c in word)):
            return False
        stem = word
        for suffix in ("'s", "\u2019s", "'S", "\u2019S", "s"):
            if stem.endswith(suffix) and len(stem) > len(suffix) + 1:
                stem = stem[: -len(suffix)]
                break
        if stem.isupper():  # an acronym (also "NATO's", "MPs")
            return False
        return self._alphabet.fullmatch(word) is not None


def _mask_syntax(text: str) -> str:
    """`text` with every piece of syntax or address replaced by spaces of
    the same length, so word positions stay those of `text`."""
    if not any(c in text for c in "`<&[]\\"):
        return text
    pieces: list[str] = []
    last = 0
    for match in _SYNTAX.finditer(text):
        start, end = match.span()
        pieces.append(text[last:start])
        pieces.append(" " * (end - start))
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _occurrences(text: str, token: str) -> list[int]:
    """Where `token` stands in `text` as a whole token (spaces or the ends
    of the text on both sides). str.find runs at C speed."""
    found: list[int] = []
    at = text.find(token)
    while at >= 0:
        end = at + len(token)
        if (at == 0 or text[at - 1].isspace()) and (end == len(text) or text[end].isspace()):
            found.append(at)
        at = text.find(token, at + 1)
    return found


def _is_address(token: str) -> bool:
    """A web or mail address, a domain name or a file path, seen as a
    whole token (surrounding punctuation stripped)."""
    core = token.strip(_EDGE_PUNCTUATION)
    if not core:
        return False
    if "://" in core or core.startswith(("www.", "mailto:", "/", "~/", "./", "../")):
        return True
    if "@" in core or "\\" in core or core.count("/") >= 2:
        return True
    return "." in core and _DOMAIN.fullmatch(core) is not None


def _touches_underscore(token: str, start: int, end: int) -> bool:
    return (start > 0 and token[start - 1] == "_") or (end < len(token) and token[end] == "_")
