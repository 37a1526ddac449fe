"""Never losing a word: recovery files, brief locks and changed-on-disk checks.

Three pieces of pure file logic the window builds on (no Qt here, so tests
and other front ends reach all of it):

- **Recovery files.** While a person writes, the window keeps a copy of the
  brief in `Paths.recovery_dir` (`RecoveryFile.write`, atomic), also for a
  brief never saved. Each window's brief has a file of its own, named after
  the brief and a random id (`halden-port-3f9a1c2b.brief-recovery`), holding
  the brief, its original path (or none), the time, user, host and process.
  The window holds a session lock (`NAME.lock`, an OS file lock) beside it
  while it runs; the OS drops the lock when the process dies, however it
  dies, so `list_recovered` offers exactly the files of Briefers that are
  gone (a crash, `kill -9`, a power cut) and never those of one still
  running. A clean close, or saving, removes the file (`RecoveryFile.close`,
  `RecoveryFile.remove`); `discard` removes a recovered one.
- **Brief locks** (`BriefLock`): `.~NAME.brief.lock` beside the brief, made
  with an exclusive create and holding who has the brief open (user, host,
  process, time), so a second Briefer is told who holds it and may open it
  read-only. A lock left by a process that is gone (same host, process not
  running, or started before the machine was) is taken over.
- **Changed on disk** (`FileStamp`, `disk_state`, `save_checked`): a brief's
  modification time, size and SHA-256 are noted when it is read and
  written; before saving, and when the watcher fires, they are compared, so
  another program's write is seen and never silently overwritten. A file
  only touched (same bytes) is not a change.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import getpass
import hashlib
import json
import os
import re
import socket
import stat
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefer.briefs import (
    MAX_BRIEF_BYTES,
    brief_from_bytes,
    brief_from_json,
    brief_to_bytes,
    brief_to_json,
)
from briefer.errors import BrieferError, BriefFormatError, FileAccessError, os_error_reason
from briefer.fsutil import atomic_write_bytes, read_regular_file
from briefer.model import Brief
from briefer.paths import Paths
from briefer.text import slugify
from briefer.words import count_words

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
try:
    import msvcrt
except ImportError:  # everything but Windows
    msvcrt = None  # type: ignore[assignment]

RECOVERY_SUFFIX = ".brief-recovery"
RECOVERY_FORMAT = "briefer.recovery"
RECOVERY_VERSION = 1
_KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,80}")
# A damaged lock younger than this may be one being written right now.
_FRESH_LOCK_SECONDS = 5.0


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (a container): still say something
        return f"user {os.getuid()}" if hasattr(os, "getuid") else "unknown user"


def _host() -> str:
    return socket.gethostname() or "localhost"


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def describe_time(when: dt.datetime, now: dt.datetime | None = None) -> str:
    """`14:02 today`, `14:02 yesterday` or `14:02 on 3 May 2026`, in local time."""
    local = when.astimezone()
    today = (now or dt.datetime.now(dt.UTC)).astimezone().date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return f"{clock} today"
    if local.date() == today - dt.timedelta(days=1):
        return f"{clock} yesterday"
    return f"{clock} on {local.day} {local.strftime('%B %Y')}"


# --------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------


def process_alive(pid: int) -> bool:
    """Whether process `pid` runs on this machine. True when there is no
    telling (another user's process, or a platform without a safe test):
    a lock is only taken over when its owner is surely gone."""
    if pid <= 0:
        return False
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True
    return True


def boot_time() -> dt.datetime | None:
    """When this machine started (Linux), or None: a lock written before it
    belongs to a process that is gone, even if its number is in use again."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("btime "):
                    return dt.datetime.fromtimestamp(int(line.split()[1]), dt.UTC)
    except (OSError, ValueError):
        return None
    return None


class _OsLock:
    """An exclusive OS lock on a small file, held while this object lives
    (flock on POSIX, a byte-range lock on Windows). The OS releases it when
    the process dies, however it dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        """True when locked now, False when someone else holds the lock;
        OSError when the lock file cannot even be opened."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            elif msvcrt is not None:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self, remove: bool = False) -> None:
        if self._fd is None:
            return
        if remove:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
        with contextlib.suppress(OSError):
            os.close(self._fd)  # closing drops the lock
        self._fd = None


# --------------------------------------------------------------------------
# Recovery files
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Recovered:
    """A recovery file left by a Briefer that is gone.

    `brief` is None when the file is damaged; `problem` then says why."""

    path: Path  # the recovery file
    key: str
    original: Path | None  # the brief's own file; None for one never saved
    written: dt.datetime | None
    brief: Brief | None
    problem: str | None = None
    user: str = ""
    host: str = ""

    @property
    def title(self) -> str:
        """What to call it in a list: the brief's title, else its file name."""
        if self.brief is not None and self.brief.meta.title.strip():
            return self.brief.meta.title.strip()
        if self.original is not None:
            return self.original.name
        return "Untitled brief"

    @property
    def words(self) -> int:
        if self.brief is None:
            return 0
        return sum(count_words(section.body) for section in self.brief.sections)

    def describe(self) -> str:
        """One line for a list: where it came from and when it was written."""
        where = str(self.original) if self.original else "never saved"
        when = f", written {describe_time(self.written)}" if self.written else ""
        if self.problem:
            return f"{where}{when}; damaged: {self.problem}"
        return f"{where}{when}; {self.words:,} words"


def _lock_path(recovery_path: Path) -> Path:
    return recovery_path.with_name(recovery_path.name.removesuffix(RECOVERY_SUFFIX) + ".lock")


def _new_key(original: Path | None, brief: Brief | None = None) -> str:
    stem = ""
    if original is not None:
        stem = slugify(original.stem, 40)
    elif brief is not None:
        stem = slugify(brief.meta.title, 40)
    return f"{stem or 'untitled'}-{uuid.uuid4().hex[:8]}"


class RecoveryFile:
    """One brief's recovery file for as long as a window has the brief open.

    Made with no file on disk; `write` writes the brief (atomically, so a
    crash mid-write keeps the previous copy) and takes the session lock;
    `remove` deletes the copy when the brief is saved or back to its saved
    state; `close` deletes it and lets the lock go (a clean close). Not
    safe for two threads at once: give it to one writer thread."""

    def __init__(self, paths: Paths, key: str | None = None) -> None:
        self.folder = paths.recovery_dir
        if key is not None and not _KEY.fullmatch(key):
            raise ValueError(f"not a recovery key: {key!r}")
        self._key = key
        self._lock: _OsLock | None = None

    @classmethod
    def adopt(cls, paths: Paths, recovered: Recovered) -> RecoveryFile:
        """Carry on writing to a recovered brief's file, so it stays
        recoverable until it is saved. Raises `BrieferError` when another
        running Briefer has already taken it."""
        handle = cls(paths, recovered.key)
        if not handle._take_lock():
            raise BrieferError(f"{recovered.path}: another Briefer has recovered this brief")
        return handle

    @property
    def path(self) -> Path | None:
        """The recovery file, once a key is chosen (at the first write)."""
        return None if self._key is None else self.folder / f"{self._key}{RECOVERY_SUFFIX}"

    def _take_lock(self) -> bool:
        if self._lock is not None and self._lock.held:
            return True
        assert self.path is not None
        self._ensure_folder()
        lock = _OsLock(_lock_path(self.path))
        try:
            if not lock.try_acquire():
                return False
        except OSError as exc:
            raise FileAccessError(lock.path, f"cannot write: {os_error_reason(exc)}") from exc
        self._lock = lock
        return True

    def _ensure_folder(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise FileAccessError(self.folder, f"cannot make the recovery folder: {exc}") from exc

    def write(self, brief: Brief, original: Path | None) -> Path:
        """Write `brief` (from the file `original`, or never saved) and
        return the recovery file. Raises `FileAccessError` when the disk
        refuses; the previous copy is then kept."""
        return self.write_bytes(recovery_bytes(brief, original), brief, original)

    def write_bytes(
        self, data: bytes, brief: Brief | None = None, original: Path | None = None
    ) -> Path:
        """`write` for bytes made by `recovery_bytes` (on another thread,
        say). `brief` and `original` only choose the file's name."""
        if self._key is None:
            for _ in range(10):  # a random key already taken: beyond unlikely
                self._key = _new_key(original, brief)
                if self._take_lock():
                    break
            else:
                raise FileAccessError(self.folder, "no free name for a recovery file")
        elif not self._take_lock():
            raise FileAccessError(self.path, "another Briefer holds this recovery file")
        assert self.path is not None
        atomic_write_bytes(self.path, data)
        return self.path

    def remove(self) -> None:
        """Delete the copy (the brief was saved, or is as saved); the
        session goes on and a later `write` writes it again."""
        if self.path is not None:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    def close(self) -> None:
        """A clean close: delete the copy and its lock."""
        self.remove()
        if self._lock is not None:
            self._lock.release(remove=True)
            self._lock = None


def recovery_bytes(brief: Brief, original: Path | None, when: dt.datetime | None = None) -> bytes:
    """The contents of a recovery file for `brief` (small: a 10,000-word
    brief serialises in about half a millisecond)."""
    record = {
        "format": RECOVERY_FORMAT,
        "version": RECOVERY_VERSION,
        "original": None if original is None else str(Path(original).absolute()),
        "written": (when or _now()).isoformat(),
        "user": _user(),
        "host": _host(),
        "pid": os.getpid(),
        "brief": brief_to_json(brief),
    }
    return (json.dumps(record, ensure_ascii=False, indent=1) + "\n").encode(
        "utf-8", errors="replace"
    )


def read_recovered(path: Path) -> Recovered:
    """A recovery file as a `Recovered`; a damaged one with its `problem`."""
    key = path.name.removesuffix(RECOVERY_SUFFIX)
    try:
        record = json.loads(read_regular_file(path, MAX_BRIEF_BYTES, "a recovery file"))
        if not isinstance(record, dict) or record.get("format") != RECOVERY_FORMAT:
            raise BriefFormatError("not a Briefer recovery file")
        original = record.get("original")
        brief = brief_from_json(record.get("brief"))
    except (BrieferError, ValueError, RecursionError) as exc:
        return Recovered(path, key, None, _written_of(path), None, problem=str(exc))
    return Recovered(
        path=path,
        key=key,
        original=Path(original) if isinstance(original, str) and original else None,
        written=_parse_time(record.get("written")) or _written_of(path),
        brief=brief,
        user=str(record.get("user", "")),
        host=str(record.get("host", "")),
    )


def _written_of(path: Path) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    except OSError:
        return None


def list_recovered(paths: Paths) -> list[Recovered]:
    """The recovery files no running Briefer holds, newest first: the work
    of Briefers that crashed or were killed. Never raises."""
    folder = paths.recovery_dir
    try:
        candidates = sorted(folder.glob(f"*{RECOVERY_SUFFIX}"))
    except OSError:
        return []
    found: list[Recovered] = []
    for path in candidates:
        if not _KEY.fullmatch(path.name.removesuffix(RECOVERY_SUFFIX)):
            continue
        probe = _OsLock(_lock_path(path))
        if not _probe(probe):
            continue  # a Briefer that is running holds it (or no telling)
        try:
            found.append(read_recovered(path))
        finally:
            probe.release()
    _remove_orphan_locks(folder)
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    found.sort(key=lambda item: item.written or epoch, reverse=True)
    return found


def _probe(lock: _OsLock) -> bool:
    """Take `lock` if nobody holds it; False if held or it cannot be opened."""
    try:
        return lock.try_acquire()
    except OSError:
        return False


def _remove_orphan_locks(folder: Path) -> None:
    """Session locks of Briefers that died after their brief was saved (no
    copy left beside the lock): nothing to offer, so they go."""
    try:
        locks = list(folder.glob("*.lock"))
    except OSError:
        return
    for lock_path in locks:
        key = lock_path.name.removesuffix(".lock")
        if not _KEY.fullmatch(key) or (folder / f"{key}{RECOVERY_SUFFIX}").exists():
            continue
        probe = _OsLock(lock_path)
        if _probe(probe):
            probe.release(remove=True)


def discard(recovered: Recovered) -> None:
    """Delete a recovered brief's file for good (and its lock), unless a
    running Briefer has taken it in the meantime."""
    probe = _OsLock(_lock_path(recovered.path))
    if not _probe(probe):
        raise BrieferError(f"{recovered.path}: a running Briefer has this brief open")
    with contextlib.suppress(FileNotFoundError):
        recovered.path.unlink()
    probe.release(remove=True)


# --------------------------------------------------------------------------
# Brief locks
# --------------------------------------------------------------------------


def brief_lock_path(brief_path: str | os.PathLike[str]) -> Path:
    """`.~NAME.brief.lock` beside the brief `NAME.brief`."""
    path = Path(brief_path)
    return path.with_name(f".~{path.name}.lock")


@dataclass(frozen=True)
class LockOwner:
    """Who holds a brief's lock, as its lock file says."""

    user: str
    host: str
    pid: int
    since: dt.datetime | None
    token: str = ""

    def describe(self) -> str:
        """`anna on ws-12 (process 4121), since 14:02 today`."""
        who = self.user or "someone"
        where = f" on {self.host}" if self.host else ""
        process = f" (process {self.pid})" if self.pid > 0 else ""
        since = f", since {describe_time(self.since)}" if self.since else ""
        return f"{who}{where}{process}{since}"

    @property
    def on_this_host(self) -> bool:
        return self.host == _host()

    def is_stale(self) -> bool:
        """True when the process that made the lock is surely gone."""
        if not self.on_this_host:
            return False  # no telling from here
        if self.pid == os.getpid():
            return False  # another window of this Briefer
        started = boot_time()
        if started is not None and self.since is not None and self.since < started:
            return True
        return not process_alive(self.pid)


class LockState(enum.Enum):
    ACQUIRED = "acquired"  # this Briefer may edit and save the brief
    HELD = "held"  # another Briefer has it: tell who, offer read-only
    UNAVAILABLE = "unavailable"  # no lock can be made (a read-only folder)


@dataclass(frozen=True)
class LockAttempt:
    state: LockState
    holder: LockOwner | None = None  # for HELD
    problem: str = ""  # for UNAVAILABLE: why


class BriefLock:
    """The lock that stops two Briefers editing the same brief.

        lock = BriefLock(path)
        attempt = lock.acquire()
        if attempt.state is LockState.HELD:
            ... f"{path.name} is open in {attempt.holder.describe()}" ...
        ...
        lock.release()  # on close, and before switching to another file

    The lock is advice between Briefers (like LibreOffice's `.~lock.`
    files): other programs ignore it, which is what the changed-on-disk
    check is for."""

    def __init__(self, brief_path: str | os.PathLike[str]) -> None:
        self.brief_path = Path(brief_path)
        self.path = brief_lock_path(brief_path)
        self._token = uuid.uuid4().hex
        self.held = False

    def acquire(self) -> LockAttempt:
        """Take the lock: a lock already there is taken over if stale."""
        for _ in range(3):
            try:
                self._create()
            except FileExistsError:
                holder = self.holder()
                if holder is None:
                    continue  # removed in between; or damaged and old: removed
                if holder.token == self._token:
                    self.held = True
                    return LockAttempt(LockState.ACQUIRED)
                if not holder.is_stale():
                    return LockAttempt(LockState.HELD, holder)
                self._remove_if(holder.token)
                continue
            except OSError as exc:
                return LockAttempt(LockState.UNAVAILABLE, problem=os_error_reason(exc))
            self.held = True
            return LockAttempt(LockState.ACQUIRED)
        holder = self.holder()
        if holder is not None:
            return LockAttempt(LockState.HELD, holder)
        return LockAttempt(LockState.UNAVAILABLE, problem="the lock keeps changing")

    def take_over(self) -> LockAttempt:
        """Take the lock whoever holds it: for a holder on another machine
        that the person knows is gone. The other Briefer, if it is still
        there, is not told; saving over its work is what the
        changed-on-disk check then prevents."""
        holder = self.holder()
        if holder is not None:
            self._remove_if(holder.token)
        return self.acquire()

    def holder(self) -> LockOwner | None:
        """Who the lock file names; None when there is none. A damaged lock
        file (empty, not JSON) that is not fresh is removed, and None."""
        try:
            data = read_regular_file(self.path, 64 * 1024, "a lock file")
        except FileAccessError:
            return None
        owner = _parse_owner(data)
        if owner is None:
            with contextlib.suppress(OSError):
                if _age_seconds(self.path) > _FRESH_LOCK_SECONDS:
                    self.path.unlink()
                    return None
            return LockOwner(user="", host="", pid=0, since=None, token="?")
        return owner

    def release(self) -> None:
        """Remove the lock if it is still this Briefer's."""
        if self.held:
            self._remove_if(self._token)
            self.held = False

    def _create(self) -> None:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(self.path, flags, 0o644)
        record = {
            "app": "Briefer",
            "user": _user(),
            "host": _host(),
            "pid": os.getpid(),
            "since": _now().isoformat(),
            "token": self._token,
        }
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(record, handle)
            handle.write("\n")

    def _remove_if(self, token: str) -> None:
        holder = None
        with contextlib.suppress(FileAccessError):
            holder = _parse_owner(read_regular_file(self.path, 64 * 1024, "a lock file"))
        if holder is None or holder.token == token:
            with contextlib.suppress(OSError):
                self.path.unlink()


def _parse_owner(data: bytes) -> LockOwner | None:
    try:
        record = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("token"), str):
        return None
    pid = record.get("pid")
    return LockOwner(
        user=str(record.get("user", "")),
        host=str(record.get("host", "")),
        pid=pid if isinstance(pid, int) and not isinstance(pid, bool) else 0,
        since=_parse_time(record.get("since")),
        token=record["token"],
    )


def _age_seconds(path: Path) -> float:
    return dt.datetime.now().timestamp() - path.stat().st_mtime


# --------------------------------------------------------------------------
# Changed on disk
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class FileStamp:
    """What a file was when Briefer last read or wrote it."""

    mtime_ns: int
    size: int
    sha256: str

    @classmethod
    def of(cls, data: bytes, info: os.stat_result) -> FileStamp:
        return cls(info.st_mtime_ns, info.st_size, hashlib.sha256(data).hexdigest())

    @classmethod
    def of_file(cls, path: str | os.PathLike[str]) -> FileStamp | None:
        """The file's stamp now, or None when there is no regular file."""
        try:
            info = os.stat(path)
            if not stat.S_ISREG(info.st_mode):
                return None
            data = read_regular_file(path, MAX_BRIEF_BYTES, "a brief")
        except (OSError, FileAccessError):
            return None
        return cls(info.st_mtime_ns, len(data), hashlib.sha256(data).hexdigest())


class DiskState(enum.Enum):
    UNCHANGED = "unchanged"  # as Briefer left it (or only touched)
    CHANGED = "changed"  # another program wrote it
    MISSING = "missing"  # deleted, renamed away or no longer a file


def disk_state(
    path: str | os.PathLike[str], expected: FileStamp | None
) -> tuple[DiskState, FileStamp | None]:
    """Whether the file at `path` is still what `expected` says (None: there
    was no file), and its stamp now. The content is hashed every time: a
    brief is small (a 10,000-word one hashes in a fraction of a
    millisecond), and a copy that keeps the time and size (`rsync -t`,
    `cp -p`) is still seen."""
    now = FileStamp.of_file(path)
    if now is None:
        return (DiskState.UNCHANGED if expected is None else DiskState.MISSING), None
    if expected is not None and now.sha256 == expected.sha256:
        return DiskState.UNCHANGED, now  # perhaps touched: the same bytes
    return DiskState.CHANGED, now


class ChangedOnDiskError(BrieferError):
    """Saving would overwrite a change another program made (or the file
    was deleted, or one appeared where there was none)."""

    def __init__(self, path: str | os.PathLike[str], state: DiskState) -> None:
        self.path = Path(path)
        self.state = state
        what = (
            "was changed by another program since Briefer opened it"
            if state is DiskState.CHANGED
            else "was deleted or moved since Briefer opened it"
        )
        super().__init__(f"{self.path}: {what}; not saved, so nothing is lost")


def load_stamped(path: str | os.PathLike[str]) -> tuple[Brief, FileStamp]:
    """Read a `.brief` and its stamp from the same bytes."""
    try:
        data = read_regular_file(path, MAX_BRIEF_BYTES, "a brief")
        info = os.stat(path)
    except FileAccessError as exc:
        raise BriefFormatError(str(exc)) from exc
    except OSError as exc:
        raise BriefFormatError(f"{path}: {os_error_reason(exc)}") from exc
    try:
        brief = brief_from_bytes(data)
    except BriefFormatError as exc:
        raise BriefFormatError(f"{path}: {exc}") from exc
    return brief, FileStamp(info.st_mtime_ns, len(data), hashlib.sha256(data).hexdigest())


def save_checked(
    brief: Brief,
    path: str | os.PathLike[str],
    expected: FileStamp | None,
    *,
    overwrite: bool = False,
) -> FileStamp:
    """Save `brief` to `path` atomically, unless the file there is no
    longer the one Briefer read or wrote last (`expected`; None for a new
    file): then `ChangedOnDiskError`, and nothing is written. `overwrite`
    saves anyway (the person chose to, or chose the file in Save As).
    Returns the new stamp, to pass as `expected` next time."""
    if not overwrite:
        state, _now_stamp = disk_state(path, expected)
        if state is not DiskState.UNCHANGED:
            raise ChangedOnDiskError(path, state)
    data = brief_to_bytes(brief)
    atomic_write_bytes(path, data)
    try:
        info = os.stat(path)
    except OSError as exc:
        raise FileAccessError(path, f"cannot read back: {os_error_reason(exc)}") from exc
    return FileStamp(info.st_mtime_ns, len(data), hashlib.sha256(data).hexdigest())
