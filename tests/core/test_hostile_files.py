"""Hostile files and a machine that says no.

Special files (named pipes, devices, folders) as targets and as inputs,
writers killed part-way with `kill -9`, and the machine refusing: a full
disk, a read-only file system, no permission, a size limit, a damaged
library database. Each case uses real files and real processes; a full or
read-only disk is a real tmpfs mounted in a private mount namespace (which
needs root, so those tests are skipped without it).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cli_helpers import assert_one_line_error, run

from briefer.errors import (
    DAMAGED_LIBRARY,
    FileAccessError,
    database_error_reason,
    environment_error,
)
from briefer.fsutil import atomic_write, atomic_write_bytes, read_regular_file
from briefer.library import Library

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "templates" / "bluf-memo" / "sample.brief"
BRIEFER = [sys.executable, "-m", "briefer"]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


class Hung(BaseException):
    """Raised by `deadline`; a BaseException so no `except Exception` hides it."""


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail instead of hanging: an open() waiting on a named pipe is
    interrupted by the alarm."""

    def expire(signum: int, frame: object) -> None:
        raise Hung(f"still waiting after {seconds} s: something opened a named pipe")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --------------------------------------------------------------------------
# Special files
# --------------------------------------------------------------------------

# Each kind of special file, and the words the error uses for it.
SPECIAL_KINDS = {
    "named pipe": "named pipe",
    "link to a named pipe": "named pipe",
    "folder": "folder",
    "character device": "character device",
}


def make_special(kind: str, path: Path, device: tuple[int, int] = (1, 3)) -> None:
    """Put a special file of `kind` at `path`. A device is made in the test's
    own folder, never the system's (1, 3 is what /dev/null is; 1, 5 /dev/zero)."""
    if kind == "named pipe":
        os.mkfifo(path)
    elif kind == "link to a named pipe":
        os.mkfifo(path.with_name("the-pipe"))
        path.symlink_to("the-pipe")
    elif kind == "folder":
        path.mkdir()
    elif kind == "character device":
        try:
            os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(*device))
        except PermissionError:
            pytest.skip("making a device file needs root")
    else:
        raise AssertionError(kind)


def snapshot(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Every entry of `folder` as it is on disk (not following links)."""
    found = {}
    for entry in folder.iterdir():
        info = os.lstat(entry)
        link = os.readlink(entry) if entry.is_symlink() else ""
        found[entry.name] = (info.st_mode, info.st_ino, link)
    return found


@dataclass(frozen=True)
class Writer:
    """A command that writes a file, and where its target is."""

    name: str
    target: str
    argv: Callable[[Path, Path], list[str]]  # (target folder, inputs folder) -> argv


RETEMPLATE = ["retemplate", str(SAMPLE), "--template", "long-form", "-o"]
WRITERS = [
    Writer("export pdf", "out.pdf", lambda d, i: ["export", str(SAMPLE), "-o", str(d / "out.pdf")]),
    Writer(
        "export docx", "out.docx", lambda d, i: ["export", str(SAMPLE), "-o", str(d / "out.docx")]
    ),
    Writer(
        "export --outdir",
        "sample.pdf",
        lambda d, i: ["export", str(SAMPLE), "--outdir", str(d), "--format", "pdf"],
    ),
    Writer(
        "snippets export",
        "out.jsonl",
        lambda d, i: ["snippets", "--library", str(i / "lib.db"), "export", str(d / "out.jsonl")],
    ),
    Writer(
        "new",
        "out.brief",
        lambda d, i: ["new", "--template", "bluf-memo", "-o", str(d / "out.brief"), "--force"],
    ),
    Writer(
        "convert",
        "out.brief",
        lambda d, i: ["convert", str(i / "notes.md"), "-o", str(d / "out.brief"), "--force"],
    ),
    Writer(
        "retemplate -o",
        "out.brief",
        lambda d, i: [*RETEMPLATE, str(d / "out.brief"), "--force"],
    ),
]


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """A library with one snippet and a Markdown file, in their own folder."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    with Library.open(folder / "lib.db") as library:
        library.add("Berth schedules will be public from February.")
    (folder / "notes.md").write_text("# Halden\n\n## What Happened?\n\nThe port voted.\n")
    return folder


@pytest.mark.parametrize("kind", SPECIAL_KINDS)
@pytest.mark.parametrize("writer", WRITERS, ids=lambda w: w.name)
def test_no_command_writes_over_a_special_file(
    tmp_path: Path, inputs: Path, writer: Writer, kind: str
) -> None:
    folder = tmp_path / "target"
    folder.mkdir()
    make_special(kind, folder / writer.target)
    before = snapshot(folder)
    with deadline(60):
        code, _, err = run(*writer.argv(folder, inputs))
    assert_one_line_error(code, err, str(folder / writer.target), SPECIAL_KINDS[kind])
    # The special file is what it was, and nothing was left beside it.
    assert snapshot(folder) == before


def test_a_special_file_put_in_place_while_writing_is_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "memo.pdf"
    with pytest.raises(FileAccessError, match="named pipe"), atomic_write(target) as handle:
        handle.write(b"%PDF-1.4 ...")
        os.mkfifo(target)  # someone else's, made while the export ran
    assert stat.S_ISFIFO(os.lstat(target).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["memo.pdf"]


@pytest.mark.parametrize("kind", SPECIAL_KINDS)
def test_only_a_regular_file_is_read_and_a_pipe_never_blocks(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "notes.md"
    make_special(kind, path, device=(1, 5))  # a device like /dev/zero: endless
    with deadline(10), pytest.raises(FileAccessError) as caught:
        read_regular_file(path, 1 << 20, "a Markdown file")
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and SPECIAL_KINDS[kind] in message


def test_reading_stops_at_the_cap_and_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "big.brief"
    path.write_bytes(b"x" * 2048)
    assert read_regular_file(path, 2048, "a brief") == b"x" * 2048
    with pytest.raises(FileAccessError) as caught:
        read_regular_file(path, 2047, "a brief")
    assert str(caught.value) == f"{path}: too large for a brief (2,048 bytes; at most 2,047 bytes)"
    with pytest.raises(FileAccessError, match="no such file"):
        read_regular_file(tmp_path / "missing.brief", 2048, "a brief")
    link = tmp_path / "link.brief"
    link.symlink_to(path)
    assert read_regular_file(link, 4096) == b"x" * 2048


# --------------------------------------------------------------------------
# Writers killed part-way
# --------------------------------------------------------------------------

_WRITER = """
import sys, time
from briefer.fsutil import atomic_write
with atomic_write(sys.argv[1]) as handle:
    handle.write(b"half a report")
    handle.flush()
    print("writing", flush=True)
    time.sleep(600)
"""

_LOCKER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(600)
"""


def start(script: str, path: Path, ready: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline() == f"{ready}\n"
    return process


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".briefer-" in p.name)


def test_a_temporary_file_names_its_target_and_its_process(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    with atomic_write(target) as handle:
        handle.write(b"%PDF")
        (name,) = [p.name for p in tmp_path.iterdir()]
        assert re.fullmatch(rf"\.report\.pdf\.briefer-{os.getpid()}-[0-9a-f]{{8}}\.tmp", name)
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]
    # A name at the file system's limit still leaves room for the temporary's.
    long = tmp_path / ("é" * 120 + ".pdf")  # 244 bytes
    atomic_write_bytes(long, b"%PDF")
    assert long.read_bytes() == b"%PDF"


def test_the_next_write_removes_what_a_killed_writer_left_and_nothing_else(
    tmp_path: Path,
) -> None:
    killed = start(_WRITER, tmp_path / "report.pdf", "writing")
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    (left,) = temporaries(tmp_path)
    assert left.startswith(f".report.pdf.briefer-{killed.pid}-")

    # What must stay: a live writer's file; a file named for a dead process
    # whose lock a live one holds (a writer on another machine sharing the
    # folder, or in another process namespace); look-alikes that are not
    # ours; a link of the right name (to a file that is no business of ours).
    live = start(_WRITER, tmp_path / "draft.pdf", "writing")
    elsewhere = tmp_path / f".shared.pdf.briefer-{killed.pid}-0badc0de.tmp"
    locker = start(_LOCKER, elsewhere, "locked")
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    lookalikes = [
        ".notes.txt.tmp",
        ".report.pdf.k2j4h5g6.tmp",  # what Briefer 0.1 left: no owner to tell
        f".report.pdf.briefer-{killed.pid}-XYZ.tmp",
        f"report.pdf.briefer-{killed.pid}-0123abcd.tmp",
    ]
    for name in lookalikes:
        (tmp_path / name).write_text("not Briefer's")
    link = tmp_path / f".link.pdf.briefer-{killed.pid}-abcdef01.tmp"
    link.symlink_to(precious)
    try:
        atomic_write_bytes(tmp_path / "other.pdf", b"new")
        names = set(os.listdir(tmp_path))
        assert left not in names
        assert {elsewhere.name, link.name, precious.name, *lookalikes} <= names
        assert len([n for n in names if n.startswith(".draft.pdf.briefer-")]) == 1
        assert precious.read_text() == "keep me"
    finally:
        for process in (live, locker):
            process.kill()
            process.wait()
    # Once they are gone, theirs go too.
    atomic_write_bytes(tmp_path / "other.pdf", b"newer")
    assert set(os.listdir(tmp_path)) == {"other.pdf", precious.name, link.name, *lookalikes}


def test_an_export_killed_part_way_leaves_nothing_after_the_next_export(tmp_path: Path) -> None:
    notes = tmp_path / "long.md"
    paragraph = "Harbour data and cargo schedules are published every week. " * 12
    notes.write_text(
        "# Long\n\n" + "".join(f"## Part {n}\n\n" + f"{paragraph}\n\n" * 8 for n in range(600))
    )
    out = tmp_path / "out"
    out.mkdir()
    export = subprocess.Popen(
        [*BRIEFER, "export", str(notes), "-o", str(out / "long.pdf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while export.poll() is None and not temporaries(out):
            time.sleep(0.002)
    finally:
        export.kill()
        export.wait()
    assert export.returncode == -signal.SIGKILL, "the export finished before it was killed"
    assert temporaries(out) and not (out / "long.pdf").exists()
    code, _, err = run("export", str(SAMPLE), "-o", str(out / "memo.pdf"))
    assert code == 0, err
    assert sorted(os.listdir(out)) == ["memo.pdf"]


# --------------------------------------------------------------------------
# The machine says no
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "no space left on device"),
        (errno.EDQUOT, "disk quota exceeded"),
        (errno.EROFS, "read-only file system"),
        (errno.EACCES, "permission denied"),
        (errno.EPERM, "permission denied"),
        (errno.EFBIG, "file too large"),
    ],
)
def test_the_machine_refusing_is_named_in_plain_words_with_the_file(code: int, words: str) -> None:
    problem = environment_error(OSError(code, os.strerror(code), "/srv/briefs/memo.pdf"))
    assert problem is not None and str(problem).startswith(f"/srv/briefs/memo.pdf: {words}")
    # Raised `from` it, too; but a missing file Briefer expected is a bug's business.
    try:
        raise RuntimeError("while saving") from OSError(code, os.strerror(code))
    except RuntimeError as wrapped:
        assert str(environment_error(wrapped)).startswith(words)
    assert environment_error(FileNotFoundError(errno.ENOENT, "gone", "/x")) is None
    assert environment_error(RuntimeError("a bug")) is None


def test_sqlite_refusals_get_plain_reasons(tmp_path: Path) -> None:
    path = tmp_path / "lib.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as caught:
        reader.execute("INSERT INTO t VALUES (1)")
    reader.close()
    assert database_error_reason(caught.value) == "read-only: the library cannot be changed here"
    assert database_error_reason(sqlite3.DatabaseError("database disk image is malformed")) == (
        DAMAGED_LIBRARY
    )
    assert database_error_reason(sqlite3.OperationalError("no such column: x")) is None
    assert database_error_reason(ValueError("database disk image is malformed")) is None


def damage(library: Path) -> None:
    """Overwrite four pages in the middle of a library with garbage."""
    with library.open("r+b") as handle:
        handle.seek(4096 * 3)
        handle.write(bytes(range(256)) * 64)


def test_a_damaged_library_is_one_line_that_says_what_to_run(tmp_path: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        "".join(
            json.dumps({"text": f"Snippet {n}: the harbour publishes its data.", "title": str(n)})
            + "\n"
            for n in range(300)
        )
    )
    library = tmp_path / "lib.db"
    assert run("snippets", "--library", str(library), "import", str(rows))[0] == 0
    damage(library)
    for argv in (["search", "harbour"], ["list"], ["show", "5"]):
        code, _, err = run("snippets", "--library", str(library), *argv)
        assert_one_line_error(code, err, f"{library}: {DAMAGED_LIBRARY}")
    assert not any((Path(os.environ["BRIEFER_DATA_DIR"]) / "logs").glob("crash-*"))


_DISK_DRIVER = r"""
import json, os, subprocess, sys
spec = json.loads(sys.argv[1])
disk = spec["disk"]
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0777", "tmpfs", disk], check=True)
for name, text in spec["files"].items():
    with open(os.path.join(disk, name), "w") as handle:
        handle.write(text)
if spec["fill"]:
    fd = os.open(os.path.join(disk, "filler"), os.O_WRONLY | os.O_CREAT)
    for chunk in (65536, 4096, 1):
        try:
            while True:
                os.write(fd, bytes(chunk))
        except OSError:
            pass
    os.close(fd)
if spec["read_only"]:
    subprocess.run(["mount", "-o", "remount,ro", disk], check=True)
results = [subprocess.run(argv, capture_output=True, text=True) for argv in spec["commands"]]
print(json.dumps({
    "results": [[r.returncode, r.stderr] for r in results],
    "listing": sorted(os.listdir(disk)),
    "files": {
        name: open(os.path.join(disk, name)).read() for name in spec["files"]
        if os.path.isfile(os.path.join(disk, name))
    },
}))
"""


def on_small_disk(
    tmp_path: Path,
    commands: Callable[[Path], list[list[str]]],
    files: dict[str, str],
    *,
    fill: bool = False,
    read_only: bool = False,
) -> dict:
    """Run `commands(disk)` against a real 256 KB tmpfs holding `files`,
    filled up or made read-only first; the tmpfs lives in a private mount
    namespace and goes away with it."""
    if not IS_ROOT or shutil.which("unshare") is None:
        pytest.skip("a private tmpfs needs root and unshare")
    disk = tmp_path / "disk"
    disk.mkdir()
    spec = {
        "disk": str(disk),
        "files": files,
        "fill": fill,
        "read_only": read_only,
        "commands": commands(disk),
    }
    done = subprocess.run(
        ["unshare", "--mount", sys.executable, "-c", _DISK_DRIVER, json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        pytest.skip(f"no private tmpfs here: {done.stderr.strip()[-200:]}")
    return json.loads(done.stdout)


OLD_FILES = {"memo.pdf": "old pdf", "memo.brief": "old brief", "all.jsonl": "old export"}


def _writes_to(disk: Path, library: Path) -> list[list[str]]:
    return [
        [*BRIEFER, "export", str(SAMPLE), "-o", str(disk / "memo.pdf")],
        [*BRIEFER, "export", str(SAMPLE), "-o", str(disk / "fresh.docx")],
        [*BRIEFER, "new", "--template", "bluf-memo", "-o", str(disk / "memo.brief"), "--force"],
        [*BRIEFER, "snippets", "--library", str(library), "export", str(disk / "all.jsonl")],
    ]


def test_a_full_disk_is_one_line_and_the_old_files_stay(tmp_path: Path, inputs: Path) -> None:
    outcome = on_small_disk(
        tmp_path, lambda disk: _writes_to(disk, inputs / "lib.db"), OLD_FILES, fill=True
    )
    for code, err in outcome["results"]:
        assert_one_line_error(code, err, "no space left on device")
    assert outcome["files"] == OLD_FILES
    assert outcome["listing"] == sorted([*OLD_FILES, "filler"])
    assert not any((Path(os.environ["BRIEFER_DATA_DIR"]) / "logs").glob("crash-*"))


def test_a_read_only_file_system_is_one_line_and_the_old_files_stay(
    tmp_path: Path, inputs: Path
) -> None:
    def commands(disk: Path) -> list[list[str]]:
        outdir = [*BRIEFER, "export", str(SAMPLE), "--outdir", str(disk / "exports")]
        return [*_writes_to(disk, inputs / "lib.db"), outdir]

    outcome = on_small_disk(tmp_path, commands, OLD_FILES, read_only=True)
    for code, err in outcome["results"]:
        assert_one_line_error(code, err, "read-only file system")
    assert "exports: read-only file system" in outcome["results"][-1][1]
    assert outcome["files"] == OLD_FILES
    assert outcome["listing"] == sorted(OLD_FILES)


def test_a_file_size_limit_is_one_line_and_the_old_file_stays(tmp_path: Path) -> None:
    import resource

    target = tmp_path / "memo.pdf"
    target.write_bytes(b"old")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (16_384, 16_384))

    done = subprocess.run(
        [*BRIEFER, "export", str(SAMPLE), "-o", str(target)],
        preexec_fn=limit,
        capture_output=True,
        text=True,
    )
    assert_one_line_error(done.returncode, done.stderr, f"{target}: cannot write: file too large")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["memo.pdf"]


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder another user can reach (pytest's own is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="briefer-perm-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in folder.rglob("*"):
            with contextlib.suppress(OSError):
                path.chmod(0o777 if path.is_dir() else 0o666)
        shutil.rmtree(folder, ignore_errors=True)


def test_permission_denied_is_one_line_and_the_old_file_stays(
    shared_folder: Path, inputs: Path
) -> None:
    """Run as the `nobody` user when root (root may write anywhere)."""
    locked = shared_folder / "locked"
    locked.mkdir()
    (locked / "memo.pdf").write_text("old pdf")
    home = shared_folder / "home"
    home.mkdir(mode=0o777)
    home.chmod(0o777)
    library = home / "lib.db"
    shutil.copy(inputs / "lib.db", library)
    library.chmod(0o666)
    locked.chmod(0o555)
    prefix: list[str] = []
    if IS_ROOT:
        if shutil.which("setpriv") is None:
            pytest.skip("no setpriv to drop root")
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        if subprocess.run([*prefix, sys.executable, "-c", "pass"]).returncode != 0:
            pytest.skip("the user nobody cannot run this Python")
    env = {**os.environ, "BRIEFER_DATA_DIR": str(home / "data"), "BRIEFER_LIBRARY": str(library)}
    commands = [
        ["export", str(SAMPLE), "-o", str(locked / "memo.pdf")],
        ["export", str(SAMPLE), "--outdir", str(locked / "exports")],
        ["new", "--template", "bluf-memo", "-o", str(locked / "memo.brief")],
        ["snippets", "export", str(locked / "all.jsonl")],
    ]
    for argv in commands:
        done = subprocess.run(
            [*prefix, *BRIEFER, *argv], capture_output=True, text=True, env=env, cwd=home
        )
        assert_one_line_error(done.returncode, done.stderr, "permission denied", str(locked))
    assert os.listdir(locked) == ["memo.pdf"]
    assert (locked / "memo.pdf").read_text() == "old pdf"
    assert not (home / "data" / "logs").exists()


def test_output_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    """`> /dev/full`: the system's own always-full device, only written to."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    for argv in (["templates", "list"], ["templates", "show", "bluf-memo"]):
        with open("/dev/full", "w") as full:
            done = subprocess.run([*BRIEFER, *argv], stdout=full, stderr=subprocess.PIPE, text=True)
        assert_one_line_error(done.returncode, done.stderr, "no space left on device")


def test_a_file_name_that_speaks_to_the_terminal_is_shown_inert(tmp_path: Path) -> None:
    hostile = tmp_path / "memo\x1b]0;owned\x07\x1b[2J\nline two.brief"
    code, _, err = run("export", str(hostile))
    assert_one_line_error(code, err, "no such file")
    assert "\x1b" not in err and "\x07" not in err
