"""Spell checking of Markdown lines, with the system's real dictionaries."""

from __future__ import annotations

import itertools
import random
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefer.paths import Paths
from briefer.spelling import (
    PersonalWords,
    SpellChecker,
    available_languages,
    choose_dictionary,
    dictionary_package,
    personal_words_path,
)

INSTALLED = available_languages()
needs_en_us = pytest.mark.skipif("en_US" not in INSTALLED, reason="hunspell-en-us not installed")
needs_en_gb = pytest.mark.skipif("en_GB" not in INSTALLED, reason="hunspell-en-gb not installed")


def flagged(checker: SpellChecker, line: str) -> list[str]:
    return [line[start:end] for start, end in checker.misspelled(line)]


@pytest.fixture
def us() -> SpellChecker:
    if "en_US" not in INSTALLED:
        pytest.skip("hunspell-en-us not installed")
    return SpellChecker("en-US", locale="")


# --------------------------------------------------------------------------
# Choosing the dictionary
# --------------------------------------------------------------------------


def test_the_installed_dictionaries_are_listed() -> None:
    assert sorted(INSTALLED) == INSTALLED
    assert {"en_GB", "en_US"} <= set(INSTALLED), "make test installs hunspell-en-us and -en-gb"


@pytest.mark.parametrize(
    ("language", "locale", "expected"),
    [
        ("en", "", "en_US"),
        ("en", "en_GB.UTF-8", "en_GB"),
        ("en", "en_US.UTF-8", "en_US"),
        ("en", "de_DE.UTF-8", "en_US"),
        ("en", "en_AU.UTF-8", "en_US"),  # the locale's region has no dictionary
        ("EN-gb", "en_US.UTF-8", "en_GB"),  # the brief's region wins over the locale's
        ("en_US", "en_GB.UTF-8", "en_US"),
        ("en-AU", "", "en_GB"),
        ("en-NZ", "en_US.UTF-8", "en_GB"),
        ("en-PH", "", "en_US"),
        ("de", "", None),
        ("", "", None),
    ],
)
def test_the_brief_language_picks_a_dictionary(
    language: str, locale: str, expected: str | None
) -> None:
    assert choose_dictionary(language, ["en_GB", "en_US"], locale) == expected


def test_other_languages_prefer_their_home_region() -> None:
    installed = ["de_AT", "de_CH", "de_DE_frami", "pt_BR", "pt_PT"]
    assert choose_dictionary("de", installed) == "de_DE_frami"
    assert choose_dictionary("de-CH", installed) == "de_CH"
    assert choose_dictionary("de", installed, "de_AT.UTF-8") == "de_AT"
    assert choose_dictionary("pt", installed) == "pt_PT"
    assert choose_dictionary("fr", ["fr"]) == "fr"


@needs_en_gb
def test_the_checker_spells_the_chosen_english() -> None:
    british = SpellChecker("en", locale="en_GB.UTF-8")
    assert british.dictionary == "en_GB"
    assert flagged(british, "The colour of the centre.") == []
    american = SpellChecker("en", locale="C.UTF-8")
    assert american.dictionary == "en_US"
    assert flagged(american, "The colour of the centre.") == ["colour", "centre"]


def test_without_a_dictionary_the_checker_says_so_and_flags_nothing() -> None:
    checker = SpellChecker("tlh", locale="")  # Klingon: no dictionary here
    assert not checker.available
    assert checker.dictionary is None
    assert checker.problem is not None
    assert "no dictionary" in checker.problem
    assert "tlh" in checker.problem and "hunspell-tlh" in checker.problem
    assert checker.misspelled("Qapla' wrods are not checkd") == []
    assert checker.suggest("wrods") == []
    assert dictionary_package("en-GB") == "hunspell-en-gb"
    assert dictionary_package("en") == "hunspell-en-us"
    assert dictionary_package("fr") == "hunspell-fr"


# --------------------------------------------------------------------------
# What is flagged and what never is
# --------------------------------------------------------------------------


def test_misspelt_words_are_flagged_with_their_positions(us: SpellChecker) -> None:
    line = "The quikc brown fox jumpd over teh dog."
    spans = us.misspelled(line)
    assert [line[a:b] for a, b in spans] == ["quikc", "jumpd", "teh"]
    assert spans[0] == (4, 9)


@pytest.mark.parametrize(
    "line",
    [
        "- **Bold** and *slanted* text, ~~struck~~ too",
        "## A heading",
        "> A quotation",
        "1. First item",
        "Code: `nonwrd_xyzzy()` and ``qwzx `tick` zzvq``",
        'A [link](https://exmaple.org/pathh?qq=zzx#anchr "Titel") here',
        "An image ![a chart](imgs/chrt-zzq.png) here",
        "Links <https://exmaple.org> and <jdoe@exmaple.org>",
        "Bare https://exmaple.org/zzq, www.exmaple.org and exmaple.co.uk/zzq.",
        "Mail jdoee@exmaple.org today",
        "Cited [@bloombrg-2026-11-20] and [@a; @qzx-b] and @rtrs2026 too",
        "A note[^nte1] and [text][lbl-zzq]",
        'HTML <span class="hilite">here</span> &nbsp; &#8212; <!-- xqzz commnt -->',
        "Files at /usr/share/zzq and C:\\Users\\zzq and ~/zzq/qq",
        "Numbers 2026, 3rd, 10km, H5N1, COVID-19, 4x4",
        "Acronyms NATO, OPEC's, GDP, MPs, ZZQX",
        '[@reutrs]: https://exmaple.org/zzq "Titel" {publisher=Reutrs}',
        "```pythn",
        "~~~",
        "A snake_cse_nme identifier",
        "Escapes \\*stars\\* and 1\\. not a list",
    ],
)
def test_markdown_syntax_addresses_citations_numbers_and_acronyms_are_never_flagged(
    us: SpellChecker, line: str
) -> None:
    assert flagged(us, line) == []


def test_link_text_and_image_text_are_checked_but_not_their_addresses(us: SpellChecker) -> None:
    line = "See [the reprot](https://exmaple.org/reprot) and ![a chrat](chrat.png)"
    assert flagged(us, line) == ["reprot", "chrat"]


def test_emphasis_markers_do_not_hide_a_misspelling(us: SpellChecker) -> None:
    assert flagged(us, "**Bodl** and _slantd_ and ***bothh***") == ["Bodl", "slantd", "bothh"]


def test_a_fenced_code_line_is_not_checked(us: SpellChecker) -> None:
    assert us.misspelled("x = frobnicat(zzq)", code=True) == []
    assert flagged(us, "x = frobnicat(zzq)") == ["frobnicat", "zzq"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("It didn't work, didn’t it? Theyre", ["Theyre"]),
        ("The analysts' view and the analyst’s view", []),
        ("'Quoted' and “quoted” and ‘quotd’", ["quotd"]),
        ("A well-known, state-of-the-art wel-known idea", ["wel"]),
        ("e.g. i.e. U.S.-based and/or etc.", []),
    ],
)
def test_apostrophes_and_hyphens(us: SpellChecker, line: str, expected: list[str]) -> None:
    assert flagged(us, line) == expected


@needs_en_gb
def test_unicode_words_are_words() -> None:
    british = SpellChecker("en-GB", locale="")
    decomposed = "cafe\u0301"
    line = f"A café, a {decomposed}, a naïve fiancée, a cafféé; 北京 and Москва are names."
    assert flagged(british, line) == ["cafféé"]
    # Positions count code points, so a decomposed word is one span.
    line = f"{decomposed} frmo"
    assert british.misspelled(line) == [(6, 10)]


def test_text_of_another_script_is_not_flagged_by_an_english_dictionary(us: SpellChecker) -> None:
    assert flagged(us, "The premier (习近平) met Владимир in Ἀθῆναι") == []


def test_suggestions(us: SpellChecker) -> None:
    assert "spelling" in us.suggest("speling")
    assert "didn’t" in us.suggest("didn’tt") or "didn’t" in us.suggest("dind’t")
    assert len(us.suggest("speling")) <= 6


# --------------------------------------------------------------------------
# Personal words and ignored words
# --------------------------------------------------------------------------


def test_a_word_added_to_the_dictionary_stays_added(tmp_path: Path) -> None:
    if "en_US" not in INSTALLED:
        pytest.skip("hunspell-en-us not installed")
    paths = Paths.from_env({"BRIEFER_DATA_DIR": str(tmp_path)})
    checker = SpellChecker.for_paths("en", paths, locale="")
    assert flagged(checker, "Halden's Brieferly report") == ["Halden's", "Brieferly"]
    checker.add_to_dictionary("brieferly")
    checker.add_to_dictionary("Halden")
    assert flagged(checker, "Halden's brieferly, Brieferly, BRIEFERLY report") == []
    assert flagged(checker, "halden") == ["halden"]  # added with a capital: as written
    word_list = personal_words_path(paths)
    assert word_list.read_text(encoding="utf-8") == "Halden\nbrieferly\n"

    # A second Briefer (or the next start) knows them; a word added there
    # does not wipe out those added here.
    again = SpellChecker.for_paths("en-GB", paths, locale="")
    assert flagged(again, "Halden's brieferly report") == []
    again.add_to_dictionary("Zzqx")
    checker.add_to_dictionary("Qqzz")
    assert PersonalWords(word_list).path == word_list
    assert sorted(PersonalWords(word_list)) == ["Halden", "Qqzz", "Zzqx", "brieferly"]


def test_an_apostrophe_is_the_same_word_either_way(tmp_path: Path, us: SpellChecker) -> None:
    us.add_to_dictionary("Ol’ Zzqs")  # two words: refused silently
    us.ignore("zzq’s")
    assert flagged(us, "zzq's and zzq’s") == []


def test_ignore_lasts_for_the_session_only(tmp_path: Path) -> None:
    if "en_US" not in INSTALLED:
        pytest.skip("hunspell-en-us not installed")
    paths = Paths.from_env({"BRIEFER_DATA_DIR": str(tmp_path)})
    checker = SpellChecker.for_paths("en", paths, locale="")
    assert flagged(checker, "Qzzyx said") == ["Qzzyx"]
    checker.ignore("Qzzyx")
    assert flagged(checker, "Qzzyx said") == []
    assert flagged(SpellChecker.for_paths("en", paths, locale=""), "Qzzyx said") == ["Qzzyx"]
    assert not personal_words_path(paths).exists()


def test_a_damaged_word_list_does_not_stop_checking(tmp_path: Path) -> None:
    if "en_US" not in INSTALLED:
        pytest.skip("hunspell-en-us not installed")
    path = tmp_path / "personal-words.txt"
    path.write_bytes(b"# my words\nZzqx\n\xff\xfe broken\n\n")
    checker = SpellChecker("en", PersonalWords(path), locale="")
    assert flagged(checker, "Zzqx and Qqzx") == ["Qqzx"]


# --------------------------------------------------------------------------
# Speed
# --------------------------------------------------------------------------


def english_paragraphs(count: int, words_per_line: int = 60) -> list[str]:
    """Lines of distinct dictionary words, some misspelt, with some Markdown."""
    dic = Path("/usr/share/hunspell/en_US.dic")
    vocabulary = [
        line.split("/")[0]
        for line in dic.read_text(encoding="utf-8", errors="replace").splitlines()[1:]
        if line[:1].islower()
    ]
    rng = random.Random(7)
    lines = []
    for _ in range(count):
        words = rng.sample(vocabulary, words_per_line)
        words[3] = words[3] + "zq"
        words[10] = f"**{words[10]}**"
        words[20] = f"[{words[20]}](https://example.org/{words[21]})"
        lines.append("- " + " ".join(words) + " [@source-2026].")
    return lines


@needs_en_us
def test_checking_speed(us: SpellChecker, capsys: pytest.CaptureFixture[str]) -> None:
    """Words per second on lines where every word is new (nothing cached),
    against bare pyenchant checking the same words, in the same run."""
    import enchant

    lines = english_paragraphs(400)
    words = [word for line in lines for _span, word in us.words(line)]
    bare = enchant.Dict("en_US")
    start = time.perf_counter()
    for word in words:
        bare.check(word)
    raw = len(words) / (time.perf_counter() - start)

    start = time.perf_counter()
    found = sum(len(us.misspelled(line)) for line in lines)
    first = len(words) / (time.perf_counter() - start)
    start = time.perf_counter()
    for line in lines:
        us.misspelled(line)
    again = len(words) / (time.perf_counter() - start)
    assert found >= len(lines)
    with capsys.disabled():
        print(
            f"\nspelling {len(words)} words: bare pyenchant {raw:,.0f} words/s;"
            f" Briefer's checker {first:,.0f} words/s on new words,"
            f" {again:,.0f} words/s on lines seen before"
        )
    # Finding the words in Markdown costs something, but not most of it.
    assert first > raw / 2
    assert again > raw


# --------------------------------------------------------------------------
# Whatever is typed
# --------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        " ",
        "  ",
        "\t",
        "word",
        "wrod",
        "didn’t",
        "'",
        "’",
        "`",
        "``",
        "**",
        "_",
        "[",
        "]",
        "(",
        ")",
        "](",
        "[@",
        "@",
        "<",
        ">",
        "&",
        ";",
        "#",
        "-",
        "https://",
        "www.",
        ".",
        "e\u0301",
        "北京",
        "\u00ad",
        "\u200d",
        "\\",
        "{",
        "}",
        "NATO",
        "3rd",
        "\U0001f600",
    ]
)


@needs_en_us
@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=30).map("".join))
def test_any_line_gives_sorted_spans_of_words_within_it(line: str) -> None:
    checker = SpellChecker("en-US", locale="")
    spans = checker.misspelled(line)
    assert spans == sorted(spans)
    word_spans = {span for span, _word in checker.words(line)}
    for start, end in spans:
        assert 0 <= start < end <= len(line)
        assert not any(c.isspace() for c in line[start:end])
        assert (start, end) in word_spans
    for (_start, end), (next_start, _end) in itertools.pairwise(spans):
        assert end <= next_start
    # The same line again gives the same answer, from the cache.
    assert checker.misspelled(line) == spans
