"""Recovery files, brief locks and the changed-on-disk check, headless."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from briefer.briefs import brief_to_bytes, load_brief, save_brief
from briefer.editing import set_body, set_meta
from briefer.errors import BrieferError, FileAccessError
from briefer.model import Brief, Meta, Section
from briefer.paths import Paths
from briefer.recovery import (
    BriefLock,
    ChangedOnDiskError,
    DiskState,
    FileStamp,
    LockState,
    RecoveryFile,
    brief_lock_path,
    discard,
    disk_state,
    list_recovered,
    load_stamped,
    read_recovered,
    recovery_bytes,
    save_checked,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def paths() -> Paths:
    return Paths.from_env()  # a data folder of this test's own (conftest.py)


def a_brief(text: str = "The port opened its data.", title: str = "Halden port") -> Brief:
    return Brief(
        template="smart-brevity",
        meta=Meta(title=title),
        sections=[Section(id="what-happened", heading="What Happened?", body=text)],
    )


def run_child(code: str, *args: str) -> subprocess.Popen[str]:
    """A Python child that prints READY when it has done its part, then waits."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )


def write_and_die(brief: Brief, original: Path | None, adopt: str = "") -> Path:
    """Write `brief`'s recovery copy in a child Briefer process that then
    ends without a clean close (its locks go with it), as after a crash.
    With `adopt`, the child first adopts that recovered key."""
    code = """
        import sys
        from pathlib import Path
        from briefer.briefs import brief_from_bytes
        from briefer.paths import Paths
        from briefer.recovery import RecoveryFile, list_recovered
        paths = Paths.from_env()
        brief = brief_from_bytes(sys.stdin.buffer.read())
        original = Path(sys.argv[1]) if sys.argv[1] else None
        if sys.argv[2]:
            [item] = [r for r in list_recovered(paths) if r.key == sys.argv[2]]
            handle = RecoveryFile.adopt(paths, item)
        else:
            handle = RecoveryFile(paths)
        print(handle.write(brief, original))
        """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), str(original or ""), adopt],
        input=brief_to_bytes(brief),
        capture_output=True,
        cwd=REPO,
        check=True,
    )
    return Path(done.stdout.decode().strip())


def wait_ready(child: subprocess.Popen[str]) -> str:
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.startswith("READY"), line
    return line.strip()


# --------------------------------------------------------------------------
# Recovery files
# --------------------------------------------------------------------------


def test_nothing_is_written_before_the_first_change(paths: Paths) -> None:
    handle = RecoveryFile(paths)
    assert handle.path is None
    assert list_recovered(paths) == []
    handle.close()
    assert not paths.recovery_dir.exists() or not list(paths.recovery_dir.iterdir())


def test_a_running_briefers_copy_is_not_offered_a_dead_ones_is(paths: Paths) -> None:
    child = run_child(
        """
        import sys, time
        from pathlib import Path
        from briefer.model import Brief, Meta, Section
        from briefer.paths import Paths
        from briefer.recovery import RecoveryFile
        paths = Paths.from_env()
        brief = Brief(template="memo", meta=Meta(title="Unsaved thoughts"),
                      sections=[Section(id="body", heading="Body", body=sys.argv[1])])
        handle = RecoveryFile(paths)
        handle.write(brief, None)
        print("READY", handle.path, flush=True)
        time.sleep(60)
        """,
        "Every word typed before the crash.",
    )
    try:
        ready = wait_ready(child)
        written = Path(ready.split(" ", 1)[1])
        assert written.parent == paths.recovery_dir
        assert written.name.startswith("unsaved-thoughts-")
        assert list_recovered(paths) == []  # its Briefer still runs
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        child.kill()
        if child.stdout:
            child.stdout.close()
    found = list_recovered(paths)
    assert len(found) == 1
    item = found[0]
    assert item.path == written
    assert item.original is None
    assert item.brief is not None
    assert item.brief.sections[0].body == "Every word typed before the crash."
    assert item.title == "Unsaved thoughts"
    assert item.words == 6
    assert "never saved" in item.describe() and "6 words" in item.describe()
    assert item.written is not None
    assert abs((dt.datetime.now(dt.UTC) - item.written).total_seconds()) < 60


def test_a_saved_briefs_copy_names_its_file(paths: Paths, tmp_path: Path) -> None:
    original = tmp_path / "halden.brief"
    save_brief(a_brief(), original)
    edited = set_body(a_brief(), "what-happened", "Edited, not saved.")
    path = write_and_die(edited, original)
    assert path.name.startswith("halden-") and path.name.endswith(".brief-recovery")
    [item] = list_recovered(paths)
    assert item.original == original.absolute()
    assert item.brief == edited
    assert str(original.absolute()) in item.describe()


def test_writes_replace_the_copy_atomically_and_a_clean_close_removes_it(paths: Paths) -> None:
    handle = RecoveryFile(paths)
    first = handle.write(a_brief("one"), None)
    second = handle.write(a_brief("one two"), None)
    assert first == second
    assert [p.name for p in paths.recovery_dir.iterdir() if p.suffix != ".lock"] == [first.name]
    assert read_recovered(first).brief == a_brief("one two")
    handle.remove()  # saved: no copy, the session goes on
    assert not first.exists()
    handle.write(a_brief("one two three"), None)
    assert first.exists()
    handle.close()
    assert list(paths.recovery_dir.iterdir()) == []


def test_recovery_folder_is_private(paths: Paths) -> None:
    handle = RecoveryFile(paths)
    handle.write(a_brief(), None)
    assert paths.recovery_dir.stat().st_mode & 0o077 == 0
    handle.close()


def test_a_recovered_brief_can_be_adopted_once_and_discarded(paths: Paths) -> None:
    write_and_die(a_brief("kept"), None)
    [item] = list_recovered(paths)

    adopted = RecoveryFile.adopt(paths, item)
    assert adopted.path == item.path
    assert list_recovered(paths) == []  # taken by a running window
    with pytest.raises(BrieferError, match="another Briefer"):
        RecoveryFile.adopt(paths, item)
    with pytest.raises(BrieferError, match="running Briefer"):
        discard(item)
    adopted.write(a_brief("kept and more"), None)
    assert read_recovered(item.path).brief == a_brief("kept and more")
    adopted.close()  # recovered, then saved and closed cleanly: gone
    assert list_recovered(paths) == []

    write_and_die(a_brief("again"), None)
    [item] = list_recovered(paths)
    assert write_and_die(a_brief("again, more"), None, adopt=item.key) == item.path
    [item] = list_recovered(paths)
    assert item.brief == a_brief("again, more")
    discard(item)
    assert list_recovered(paths) == []
    assert list(paths.recovery_dir.iterdir()) == []


def test_newest_first_and_damaged_files_are_listed_with_the_problem(paths: Paths) -> None:
    paths.recovery_dir.mkdir(parents=True)
    old = dt.datetime(2026, 1, 2, 9, 30, tzinfo=dt.UTC)
    new = dt.datetime(2026, 3, 4, 17, 5, tzinfo=dt.UTC)
    (paths.recovery_dir / "old-00000001.brief-recovery").write_bytes(
        recovery_bytes(a_brief("old"), None, when=old)
    )
    (paths.recovery_dir / "new-00000002.brief-recovery").write_bytes(
        recovery_bytes(a_brief("new"), None, when=new)
    )
    (paths.recovery_dir / "cut-00000003.brief-recovery").write_bytes(b'{"format": "briefer.rec')
    (paths.recovery_dir / "notes.txt").write_text("not ours")
    found = list_recovered(paths)
    # The damaged one has no time inside: its file's time (now) is used.
    assert [item.key for item in found] == ["cut-00000003", "new-00000002", "old-00000001"]
    damaged = [item for item in found if item.brief is None]
    assert len(damaged) == 1 and damaged[0].problem
    assert "damaged" in damaged[0].describe()
    assert [item.written for item in found if item.brief is not None] == [new, old]


def test_a_recovery_file_holds_everything_to_restore(paths: Paths) -> None:
    brief = set_meta(a_brief("Text with “quotes” and 北京."), title="Ünïcode")
    data = json.loads(recovery_bytes(brief, Path("/x/y.brief")))
    assert data["format"] == "briefer.recovery"
    assert data["original"] == "/x/y.brief"
    assert data["pid"] == os.getpid() and data["host"] == socket.gethostname()
    assert data["brief"]["sections"][0]["body"] == "Text with “quotes” and 北京."


# --------------------------------------------------------------------------
# Brief locks
# --------------------------------------------------------------------------


def test_a_second_briefer_is_told_who_holds_the_brief(tmp_path: Path) -> None:
    brief_path = tmp_path / "halden.brief"
    save_brief(a_brief(), brief_path)
    child = run_child(
        """
        import sys, time
        from briefer.recovery import BriefLock
        lock = BriefLock(sys.argv[1])
        print("READY", lock.acquire().state.value, flush=True)
        time.sleep(60)
        """,
        str(brief_path),
    )
    try:
        assert wait_ready(child) == "READY acquired"
        assert brief_lock_path(brief_path) == tmp_path / ".~halden.brief.lock"
        attempt = BriefLock(brief_path).acquire()
        assert attempt.state is LockState.HELD
        assert attempt.holder is not None
        assert attempt.holder.pid == child.pid
        assert attempt.holder.on_this_host
        text = attempt.holder.describe()
        assert f"process {child.pid}" in text and socket.gethostname() in text
        assert "today" in text
    finally:
        child.kill()
        child.wait(10)
        if child.stdout:
            child.stdout.close()
    # Its Briefer is gone (killed): the lock it left is taken over.
    lock = BriefLock(brief_path)
    assert lock.acquire().state is LockState.ACQUIRED
    assert json.loads(brief_lock_path(brief_path).read_text())["pid"] == os.getpid()
    lock.release()
    assert not brief_lock_path(brief_path).exists()


def test_two_windows_of_one_briefer_do_not_share_a_brief(tmp_path: Path) -> None:
    first, second = BriefLock(tmp_path / "a.brief"), BriefLock(tmp_path / "a.brief")
    assert first.acquire().state is LockState.ACQUIRED
    assert first.acquire().state is LockState.ACQUIRED  # again: still its own
    assert second.acquire().state is LockState.HELD
    second.release()  # not its lock: nothing happens
    assert brief_lock_path(tmp_path / "a.brief").exists()
    first.release()
    assert second.acquire().state is LockState.ACQUIRED
    second.release()


def write_lock(path: Path, **fields: object) -> None:
    record = {
        "app": "Briefer",
        "user": "anna",
        "host": socket.gethostname(),
        "pid": 1,
        "since": dt.datetime.now(dt.UTC).isoformat(),
        "token": "t" * 32,
    }
    record.update(fields)
    brief_lock_path(path).write_text(json.dumps(record))


def test_a_lock_from_before_the_machine_started_is_stale(tmp_path: Path) -> None:
    brief_path = tmp_path / "b.brief"
    write_lock(brief_path, pid=os.getppid(), since="2001-01-01T00:00:00+00:00")
    if not Path("/proc/stat").exists():
        pytest.skip("no boot time on this platform")
    assert BriefLock(brief_path).acquire().state is LockState.ACQUIRED


def test_a_lock_from_another_machine_is_respected_until_taken_over(tmp_path: Path) -> None:
    brief_path = tmp_path / "c.brief"
    write_lock(brief_path, host="ws-12.example.org", pid=999_999)
    lock = BriefLock(brief_path)
    attempt = lock.acquire()
    assert attempt.state is LockState.HELD
    assert attempt.holder is not None
    assert attempt.holder.describe().startswith("anna on ws-12.example.org (process 999999)")
    assert lock.take_over().state is LockState.ACQUIRED
    lock.release()


def test_a_damaged_old_lock_is_removed_a_fresh_one_respected(tmp_path: Path) -> None:
    brief_path = tmp_path / "d.brief"
    brief_lock_path(brief_path).write_bytes(b"")
    held = BriefLock(brief_path).acquire()
    assert held.state is LockState.HELD  # perhaps being written right now
    old = time.time() - 60
    os.utime(brief_lock_path(brief_path), (old, old))
    assert BriefLock(brief_path).acquire().state is LockState.ACQUIRED


def test_no_lock_where_none_can_be_made(tmp_path: Path) -> None:
    attempt = BriefLock(tmp_path / "missing-folder" / "e.brief").acquire()
    assert attempt.state is LockState.UNAVAILABLE
    assert "no such file" in attempt.problem


# --------------------------------------------------------------------------
# Changed on disk
# --------------------------------------------------------------------------


def other_program_writes(path: Path, data: bytes) -> None:
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; open(sys.argv[1], 'wb').write(sys.argv[2].encode())",
            str(path),
            data.decode(),
        ],
        check=True,
    )


def test_another_programs_write_is_seen_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "f.brief"
    save_brief(a_brief("mine"), path)
    brief, stamp = load_stamped(path)
    assert disk_state(path, stamp) == (DiskState.UNCHANGED, stamp)

    theirs = brief_to_bytes(a_brief("theirs, same length"))
    other_program_writes(path, theirs)
    state, now = disk_state(path, stamp)
    assert state is DiskState.CHANGED and now is not None and now != stamp
    with pytest.raises(ChangedOnDiskError, match="changed by another program") as caught:
        save_checked(set_body(brief, "what-happened", "mine, edited"), path, stamp)
    assert "not saved" in str(caught.value)
    assert path.read_bytes() == theirs  # their work is intact

    # The person chose to overwrite: it is saved, and the new stamp holds.
    new_stamp = save_checked(
        set_body(brief, "what-happened", "mine, edited"), path, stamp, overwrite=True
    )
    assert load_brief(path).sections[0].body == "mine, edited"
    assert disk_state(path, new_stamp)[0] is DiskState.UNCHANGED
    assert new_stamp == FileStamp.of_file(path)


def test_a_change_that_keeps_time_and_size_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "g.brief"
    save_brief(a_brief("aaaa"), path)
    _brief, stamp = load_stamped(path)
    before = os.stat(path)
    path.write_bytes(brief_to_bytes(a_brief("bbbb")))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same time, same size
    # The time and size cannot tell (`rsync -t`, `cp -p` keep them); the hash does.
    assert disk_state(path, stamp)[0] is DiskState.CHANGED
    with pytest.raises(ChangedOnDiskError):
        save_checked(a_brief("cccc"), path, stamp)


def test_a_touched_file_is_not_a_change(tmp_path: Path) -> None:
    path = tmp_path / "h.brief"
    save_brief(a_brief(), path)
    _brief, stamp = load_stamped(path)
    later = time.time() + 5
    os.utime(path, (later, later))
    state, now = disk_state(path, stamp)
    assert state is DiskState.UNCHANGED
    assert now is not None and now.sha256 == stamp.sha256 and now.mtime_ns != stamp.mtime_ns
    save_checked(a_brief("saved over a touch"), path, stamp)


def test_a_deleted_file_is_missing_and_save_asks_first(tmp_path: Path) -> None:
    path = tmp_path / "i.brief"
    stamp = save_checked(a_brief(), path, None)
    path.unlink()
    assert disk_state(path, stamp) == (DiskState.MISSING, None)
    with pytest.raises(ChangedOnDiskError, match="deleted or moved"):
        save_checked(a_brief(), path, stamp)
    save_checked(a_brief(), path, stamp, overwrite=True)
    assert path.exists()


def test_save_as_onto_a_file_that_appeared_asks_first(tmp_path: Path) -> None:
    path = tmp_path / "j.brief"
    path.write_text("someone else's")
    with pytest.raises(ChangedOnDiskError):
        save_checked(a_brief(), path, None)
    assert path.read_text() == "someone else's"


def test_stamps_follow_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "k.brief"
    brief = dataclasses.replace(a_brief(), meta=Meta(title="K"))
    stamp = save_checked(brief, path, None)
    assert stamp.size == len(brief_to_bytes(brief)) == path.stat().st_size
    assert FileStamp.of_file(tmp_path / "nothing.brief") is None
    assert FileStamp.of_file(tmp_path) is None


def test_a_dead_sessions_lock_without_a_copy_is_tidied_away(paths: Paths) -> None:
    path = write_and_die(a_brief("saved later"), None)
    path.unlink()  # as when the brief was saved before the crash
    live = RecoveryFile(paths)
    live.write(a_brief("still open"), None)
    live.remove()  # saved; this window goes on
    assert len(list(paths.recovery_dir.glob("*.lock"))) == 2
    assert list_recovered(paths) == []
    assert list(paths.recovery_dir.glob("*.lock")) == [
        paths.recovery_dir / f"{live.path.stem}.lock"
    ]
    live.close()


def test_a_recovery_folder_that_refuses_is_an_error_not_a_hang(paths: Paths) -> None:
    write_and_die(a_brief("left"), None)
    [item] = list_recovered(paths)
    lock = item.path.with_name(item.key + ".lock")
    lock.unlink()
    lock.mkdir()  # the lock cannot be opened: as on a file system that refuses
    assert list_recovered(paths) == []  # no telling whose it is: not offered
    with pytest.raises(FileAccessError, match="cannot write"):
        RecoveryFile.adopt(paths, item)
    blocked = Paths.from_env({"BRIEFER_DATA_DIR": "/proc/self/briefer"})
    with pytest.raises(FileAccessError, match="recovery folder"):
        RecoveryFile(blocked).write(a_brief(), None)
