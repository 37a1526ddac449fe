"""`split_scripts`' fast path for text with no non-Latin character."""

from __future__ import annotations

from briefer.text import _NON_LATIN, Script, script_of, split_scripts


def test_every_character_outside_the_fast_path_ranges_is_latin_or_neutral() -> None:
    # The fast path returns one Latin run when `_NON_LATIN` finds nothing;
    # that is the scan's answer exactly when no such character has a script
    # of its own.
    classify = script_of.__wrapped__  # no cache: a million characters
    for code in range(0x110000):
        char = chr(code)
        if _NON_LATIN.match(char) is None:
            assert classify(char) in (Script.LATIN, Script.NEUTRAL), hex(code)


def test_fast_path_gives_one_latin_run() -> None:
    for text in ("café", " «Ærø» ", "Привет мир", "αβγ 1.5 ÷ ×", "\u00a0", "naïve—“x”"):
        assert _NON_LATIN.search(text) is None
        assert split_scripts(text) == [(Script.LATIN, text)]


def test_mixed_text_still_splits() -> None:
    assert split_scripts("café 日本") == [(Script.LATIN, "café "), (Script.CJK, "日本")]
    assert [s for s, _ in split_scripts("« مرحبا » é")] == [Script.ARABIC, Script.LATIN]
