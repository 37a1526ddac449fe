"""The library contract, many writers: every change raises a snippet's
version and names who made it, and an edit of a snippet someone else
changed since it was read is refused, naming who and when, on both engines
(two handles on one library stand for two analysts)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from briefer.library import EditConflict, LibraryError, Source, open_library
from briefer.library.location import AnyLibrary as Library


@pytest.fixture
def colleague(lib: Library) -> Callable[[], Library]:
    """Opens a second handle on `lib`'s library: another analyst's window."""
    opened: list[Library] = []

    def make() -> Library:
        opened.append(open_library(lib.path))
        return opened[-1]

    yield make
    for other in opened:
        other.close()


def test_every_change_raises_the_version_and_names_who(lib: Library) -> None:
    snippet = lib.add("Ports reopen", Source(title="Harbour"), tags=["ports"]).snippet
    assert snippet.version == 1 and snippet.modified_by
    versions = [snippet.version]
    for change in (
        lambda: lib.update(snippet.id, text="Ports reopen today"),
        lambda: lib.update(snippet.id, tags=["ports", "baltic"]),
        lambda: lib.update(snippet.id, note="check the date", collection="Desk"),
        lambda: lib.delete(snippet.id),
        lambda: lib.restore(snippet.id),
    ):
        changed = change()
        assert changed.version > versions[-1], "a change must raise the version"
        assert changed.modified_by == snippet.modified_by
        versions.append(changed.version)
    # One edit of several fields and tags is one change.
    edited = lib.update(snippet.id, text="Ports reopen at last", tags=["x"], note="n")
    assert edited.version == versions[-1] + 1


def test_a_stale_edit_is_refused_naming_who_and_when(
    lib: Library, colleague: Callable[[], Library]
) -> None:
    mine = lib.add("Cable cut near Gotland", Source(title="Yle")).snippet
    theirs = colleague()
    seen_by_them = theirs.get(mine.id)
    changed = lib.update(mine.id, text="Cable cut near Gotland, say officials",
                         expected_version=mine.version)  # fmt: skip
    with pytest.raises(EditConflict) as refused:
        theirs.update(mine.id, note="their note", expected_version=seen_by_them.version)
    message = str(refused.value)
    assert f"snippet {mine.id} was changed by {changed.modified_by} at " in message
    assert changed.modified[:10] in message and "nothing was saved" in message
    assert refused.value.modified_by == changed.modified_by
    after = theirs.get(mine.id)
    assert after.note == "" and after.version == changed.version  # nothing saved
    # Having read it again, they may edit it.
    done = theirs.update(mine.id, note="their note", expected_version=after.version)
    assert done.note == "their note" and done.text == changed.text


def test_tags_from_a_stale_read_are_refused_too(
    lib: Library, colleague: Callable[[], Library]
) -> None:
    snippet = lib.add("Grain exports rise", tags=["trade"]).snippet
    other = colleague()
    stale = other.get(snippet.id)
    lib.update(snippet.id, tags=["trade", "ukraine"], expected_version=snippet.version)
    with pytest.raises(EditConflict):
        other.update(snippet.id, tags=[*stale.tags, "grain"], expected_version=stale.version)
    assert lib.get(snippet.id).tags == ("trade", "ukraine")


def test_an_edit_without_a_version_is_not_checked(lib: Library) -> None:
    snippet = lib.add("Sanctions extended").snippet
    lib.update(snippet.id, note="first")
    assert lib.update(snippet.id, note="second").note == "second"


def test_an_edit_conflict_is_a_library_error(lib: Library) -> None:
    snippet = lib.add("Quota cut").snippet
    lib.update(snippet.id, note="x")
    with pytest.raises(LibraryError, match="since you read it"):
        lib.update(snippet.id, note="y", expected_version=snippet.version)
