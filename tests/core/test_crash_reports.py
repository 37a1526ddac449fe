"""Crash reports: an unexpected failure is one line naming a log of its own,
and stays one line when no log can be written (a full disk)."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from briefer.cli import CliContext, main
from briefer.paths import Paths

INTERNAL = "briefer: internal error"


class BrokenTerminal(io.StringIO):
    """A standard output that fails the way a bug would."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def write(self, text: str) -> int:
        raise RuntimeError(self.message)


def fail(paths: Paths, message: str) -> tuple[int, str]:
    """Run a command whose output fails with `message`; exit status and stderr."""
    err = io.StringIO()
    code = main(
        ["templates", "list"], CliContext(paths=paths, stdout=BrokenTerminal(message), stderr=err)
    )
    return code, err.getvalue()


def test_crash_logs_of_the_same_second_each_keep_their_own() -> None:
    paths = Paths.from_env()
    logs = []
    for n in range(3):
        code, err = fail(paths, f"failure number {n}")
        assert code == 1
        (line,) = err.splitlines()
        assert line.startswith(f"{INTERNAL}; details in ")
        logs.append(Path(line.removeprefix(f"{INTERNAL}; details in ")))
    assert len(set(logs)) == 3
    for n, log in enumerate(logs):
        assert log.parent == paths.log_dir
        text = log.read_text(encoding="utf-8")
        assert "Traceback" in text and f"RuntimeError: failure number {n}" in text


def test_with_no_place_for_a_crash_log_the_error_is_still_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be")
    paths = dataclasses.replace(Paths.from_env(), data_dir=blocker)
    code, err = fail(paths, "the terminal\nwent away \x1b[31m")
    assert code == 1
    assert "Traceback" not in err and "\x1b" not in err
    (line,) = err.splitlines()
    assert line.startswith(f"{INTERNAL} (RuntimeError: the terminal went away")
    assert f"the crash log could not be written ({blocker / 'logs'}: " in line


_FULL_DISK_CRASH = r"""
import io, json, os, subprocess, sys
disk = sys.argv[1]
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", disk], check=True)
os.makedirs(os.path.join(disk, "data", "logs"))
fd = os.open(os.path.join(disk, "filler"), os.O_WRONLY | os.O_CREAT)
for chunk in (65536, 4096, 1):
    try:
        while True:
            os.write(fd, bytes(chunk))
    except OSError:
        pass
os.close(fd)
os.environ["BRIEFER_DATA_DIR"] = os.path.join(disk, "data")
from briefer.cli import CliContext, main
from briefer.paths import Paths

class Broken(io.StringIO):
    def write(self, text):
        raise RuntimeError("the terminal went away")

err = io.StringIO()
code = main(["templates", "list"], CliContext(Paths.from_env(), stdout=Broken(), stderr=err))
logs = os.listdir(os.path.join(disk, "data", "logs"))
print(json.dumps({"code": code, "stderr": err.getvalue(), "logs": logs}))
"""


def test_a_crash_on_a_full_disk_is_one_line_and_leaves_no_half_log(tmp_path: Path) -> None:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("a private tmpfs needs root and unshare")
    disk = tmp_path / "disk"
    disk.mkdir()
    done = subprocess.run(
        ["unshare", "--mount", sys.executable, "-c", _FULL_DISK_CRASH, str(disk)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        pytest.skip(f"no private tmpfs here: {done.stderr.strip()[-200:]}")
    outcome = json.loads(done.stdout)
    assert outcome["code"] == 1 and outcome["logs"] == []
    (line,) = outcome["stderr"].splitlines()
    assert line.startswith(f"{INTERNAL} (RuntimeError: the terminal went away)")
    assert line.endswith(": no space left on device)")


_IGNORED_IN_MAIN = r"""
import sys
import briefer.cli

real_main = briefer.cli.main

class HalfWritten:
    def __del__(self):
        raise ValueError("seek of closed file")

def main(argv):
    HalfWritten()  # dies at once; Python ignores what its destructor raises
    return real_main(argv)

briefer.cli.main = main
sys.argv = ["briefer", "templates", "list"]
from briefer.launch import run
run()
"""


def test_what_python_ignores_goes_to_a_log_not_the_terminal() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _IGNORED_IN_MAIN], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and done.stderr == ""
    assert "smart-brevity" in done.stdout
    (log,) = Paths.from_env().log_dir.glob("ignored-*.log")
    assert "ValueError: seek of closed file" in log.read_text(encoding="utf-8")
