"""Never losing a word, as the person sees it: autosave within 2 s of a pause,
recovery after a real `kill -9`, the "Recover unsaved work" dialog, the lock
prompt, and a file changed on disk by another program."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
)
from pytestqt.qtbot import QtBot

from briefer.briefs import brief_to_bytes, load_brief, save_brief
from briefer.editing import set_body
from briefer.gui.recovery import (
    Autosaver,
    DiskWatcher,
    OpenChoice,
    RecoveryDialog,
    ask_how_to_open,
    held_message,
)
from briefer.model import Brief, Meta, Section
from briefer.paths import Paths
from briefer.recovery import (
    DiskState,
    FileStamp,
    LockOwner,
    list_recovered,
    load_stamped,
    save_checked,
)

REPO = Path(__file__).resolve().parents[2]


def a_brief(text: str = "", title: str = "Halden port") -> Brief:
    return Brief(
        template="smart-brevity",
        meta=Meta(title=title),
        sections=[Section(id="what-happened", heading="What Happened?", body=text)],
    )


class Writer:
    """A minimal window: one editor whose text is the brief's first
    section, every keystroke an edit through `briefer.editing`."""

    def __init__(self, qtbot: QtBot, paths: Paths, **timing: int) -> None:
        self.brief = a_brief()
        self.saved: Brief | None = a_brief()
        self.path: Path | None = None
        self.editor = QPlainTextEdit()
        qtbot.addWidget(self.editor)
        self.autosaver = Autosaver(
            lambda: self.brief,
            lambda: self.path,
            paths,
            is_modified=lambda: self.brief != self.saved,
            **timing,
        )
        self.editor.textChanged.connect(self._typed)

    def _typed(self) -> None:
        self.brief = set_body(self.brief, "what-happened", self.editor.toPlainText())
        self.autosaver.changed()


def when_modal(kind: type, act: Callable[[Any], None]) -> None:
    """Once a modal dialog of `kind` is up (as `exec` shows it), act on it
    as the person would; a failure closes it, so a test never hangs."""
    timer = QTimer()
    timer.setInterval(20)

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, kind):
            return
        timer.stop()
        try:
            act(dialog)
        finally:
            if dialog.isVisible():
                dialog.reject()

    timer.timeout.connect(poll)
    timer.start()
    _timers.append(timer)


_timers: list[QTimer] = []


def recovery_files(paths: Paths) -> list[Path]:
    folder = paths.recovery_dir
    return sorted(folder.glob("*.brief-recovery")) if folder.exists() else []


def copy_text(path: Path) -> str:
    return json.loads(path.read_text(encoding="utf-8"))["brief"]["sections"][0]["body"]


# --------------------------------------------------------------------------
# Autosave
# --------------------------------------------------------------------------


def test_the_first_keystrokes_are_kept_within_two_seconds_of_a_pause(qtbot: QtBot) -> None:
    paths = Paths.from_env()
    writer = Writer(qtbot, paths)
    qtbot.keyClicks(writer.editor, "Never saved, ")
    qtbot.keyClicks(writer.editor, "and yet kept.")
    typed = time.monotonic()
    with qtbot.waitSignal(writer.autosaver.written, timeout=2000) as written:
        pass
    elapsed = time.monotonic() - typed
    [path] = recovery_files(paths)
    assert written.args == [path] and writer.autosaver.recovery_path == path
    assert copy_text(path) == "Never saved, and yet kept."
    assert elapsed < 2.0
    # A clean close removes it.
    writer.autosaver.close()
    assert recovery_files(paths) == []
    assert list(paths.recovery_dir.iterdir()) == []


def test_long_typing_without_a_pause_is_still_kept(qtbot: QtBot) -> None:
    paths = Paths.from_env()
    writer = Writer(qtbot, paths, idle_ms=400, longest_ms=1000)
    started = time.monotonic()
    while not recovery_files(paths) and time.monotonic() - started < 3:
        qtbot.keyClicks(writer.editor, "a")
        qtbot.wait(50)  # faster than the pause that would write
    assert recovery_files(paths), "nothing written while typing went on"
    assert time.monotonic() - started < 1.6
    writer.autosaver.close()


def test_saving_removes_the_copy_and_the_next_change_writes_it_again(qtbot: QtBot) -> None:
    paths = Paths.from_env()
    writer = Writer(qtbot, paths, idle_ms=100)
    qtbot.keyClicks(writer.editor, "Draft")
    writer.autosaver.flush()
    assert len(recovery_files(paths)) == 1
    # Saved: the file on disk holds the work now.
    writer.saved = writer.brief
    writer.autosaver.saved()
    writer.autosaver.flush()
    assert recovery_files(paths) == []
    qtbot.keyClicks(writer.editor, " more")
    writer.autosaver.flush()
    [path] = recovery_files(paths)
    assert copy_text(path) == "Draft more"
    # Typed back to the saved text: no copy.
    qtbot.keyClicks(writer.editor, "\b" * 5)
    writer.autosaver.flush()
    assert writer.editor.toPlainText() == "Draft"
    assert recovery_files(paths) == []
    writer.autosaver.close()


def test_a_brief_saved_to_a_file_is_kept_with_its_file_name(qtbot: QtBot, tmp_path: Path) -> None:
    paths = Paths.from_env()
    writer = Writer(qtbot, paths, idle_ms=100)
    writer.path = tmp_path / "halden.brief"
    qtbot.keyClicks(writer.editor, "Edited after saving")
    writer.autosaver.flush()
    [path] = recovery_files(paths)
    assert path.name.startswith("halden-")
    assert json.loads(path.read_text())["original"] == str(tmp_path / "halden.brief")
    writer.autosaver.close()


def test_a_full_disk_is_reported_not_raised(qtbot: QtBot, tmp_path: Path) -> None:
    blocked = tmp_path / "data"
    blocked.mkdir()
    (blocked / "recovery").write_text("a file where the folder should be")
    paths = Paths.from_env({"BRIEFER_DATA_DIR": str(blocked)})
    writer = Writer(qtbot, paths, idle_ms=50)
    with qtbot.waitSignal(writer.autosaver.failed, timeout=2000) as failed:
        qtbot.keyClicks(writer.editor, "x")
    assert "could not be kept for recovery" in failed.args[0]
    writer.autosaver.close()


def test_the_model_connection(qtbot: QtBot) -> None:
    """`for_model` works with the window's BriefModel."""
    brief_model = pytest.importorskip("briefer.gui.brief_model")
    from briefer.templates import TemplateRegistry

    paths = Paths.from_env()
    template = TemplateRegistry(paths).get("smart-brevity")
    from briefer.briefs import new_brief

    model = brief_model.BriefModel(new_brief(template), template)
    saver = Autosaver.for_model(model, paths)
    section = model.brief.sections[1].id
    model.edit_body(section, "Typed into the window's model.")
    saver.flush()
    [path] = recovery_files(paths)
    assert "Typed into the window" in path.read_text(encoding="utf-8")
    model.undo()
    saver.flush()
    assert recovery_files(paths) == []  # back as it was: nothing to recover
    saver.close()


# --------------------------------------------------------------------------
# After a crash: kill -9, then the next start
# --------------------------------------------------------------------------

CHILD = """
import sys
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QPlainTextEdit
from PySide6.QtTest import QTest
from briefer.editing import set_body
from briefer.model import Brief, Meta, Section
from briefer.paths import Paths
from briefer.gui.recovery import Autosaver

app = QApplication([])
paths = Paths.from_env()
state = {"brief": Brief(template="memo", meta=Meta(title="Killed mid-sentence"),
                        sections=[Section(id="body", heading="Body")])}
editor = QPlainTextEdit()
saver = Autosaver(lambda: state["brief"], lambda: None, paths)

def typed():
    state["brief"] = set_body(state["brief"], "body", editor.toPlainText())
    saver.changed()

editor.textChanged.connect(typed)
saver.written.connect(lambda path: print("READY", path, flush=True))
editor.show()
for char in sys.argv[1]:
    if char.isascii():
        QTest.keyClick(editor, char)
    else:  # as an input method types it: QTest knows ASCII keys only
        event = QKeyEvent(QEvent.Type.KeyPress, 0, Qt.KeyboardModifier.NoModifier, char)
        QApplication.sendEvent(editor, event)
app.exec()
"""


def test_work_survives_kill_9_and_the_next_start_offers_it(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = Paths.from_env()
    typed = "Every word typed before the crash, “quoted” and 北京."
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(CHILD), typed],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith("READY"), line
        assert list_recovered(paths) == []  # that Briefer still runs: not offered
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(10) == -signal.SIGKILL
    finally:
        child.kill()
        if child.stdout:
            child.stdout.close()

    # The next start: the dialog offers it, and Recover gives it back.
    shown: list[RecoveryDialog] = []

    def recover(dialog: RecoveryDialog) -> None:
        shown.append(dialog)
        assert dialog.list.count() == 1
        assert dialog.list.item(0).text().startswith("Killed mid-sentence\nnever saved, written ")
        assert dialog.recover_button.isEnabled() and dialog.recover_button.isDefault()
        QTest.keyClick(dialog.list, Qt.Key.Key_Return)  # Return: the default, Recover

    when_modal(RecoveryDialog, recover)
    [chosen] = RecoveryDialog.offer(paths)
    assert shown and shown[0].windowTitle() == "Recover unsaved work"
    assert chosen.brief is not None and chosen.brief.sections[0].body == typed
    assert chosen.original is None

    # The window carries on in the same copy until the brief is saved.
    state = {"brief": chosen.brief}
    saver = Autosaver(lambda: state["brief"], lambda: None, paths, idle_ms=50)
    saver.adopt(chosen)
    assert list_recovered(paths) == []  # taken: a third Briefer would not offer it
    state["brief"] = set_body(chosen.brief, "body", typed + " And after.")
    saver.changed()
    saver.flush()
    assert copy_text(chosen.path) == typed + " And after."
    saver.close()
    assert recovery_files(paths) == []


def leave_unsaved(paths: Paths, *briefs: tuple[Brief, Path | None]) -> None:
    """Recovery copies as a Briefer that died would leave them."""
    code = (
        "import sys, json\n"
        "from pathlib import Path\n"
        "from briefer.briefs import brief_from_json\n"
        "from briefer.paths import Paths\n"
        "from briefer.recovery import RecoveryFile\n"
        "for item in json.load(sys.stdin):\n"
        "    original = Path(item['original']) if item['original'] else None\n"
        "    RecoveryFile(Paths.from_env()).write(brief_from_json(item['brief']), original)\n"
    )
    items = [
        {"brief": json.loads(brief_to_bytes(brief)), "original": str(original or "")}
        for brief, original in briefs
    ]
    subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(items), text=True, cwd=REPO, check=True
    )
    assert len(list_recovered(paths)) == len(briefs)


def test_save_as_from_the_dialog(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = Paths.from_env()
    leave_unsaved(paths, (a_brief("Recovered text", title="Port data"), None))
    target = tmp_path / "chosen.brief"
    asked: list[str] = []

    def choose(parent, caption, directory, filters):
        asked.append(directory)
        return str(target.with_suffix("")), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    dialog = RecoveryDialog(list_recovered(paths))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.save_button, qtbot_left())
    assert asked and asked[0].endswith("port-data.brief")
    assert load_brief(target).sections[0].body == "Recovered text"  # ".brief" added
    assert "Saved “Port data” as" in dialog.status.text()
    assert list_recovered(paths) == []
    assert dialog.result() == dialog.DialogCode.Accepted  # nothing left: closed
    assert dialog.chosen() == []


def test_discard_asks_first_and_later_keeps_them(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = Paths.from_env()
    original = tmp_path / "kept.brief"
    save_brief(a_brief("As saved"), original)
    leave_unsaved(
        paths,
        (a_brief("First, never saved", title="One"), None),
        (a_brief("Second, edited", title="Two"), original),
    )
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    questions: list[str] = []

    def answer(parent, title, text, *args):
        questions.append(text)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", answer)
    dialog = RecoveryDialog(list_recovered(paths))
    qtbot.addWidget(dialog)
    dialog.show()
    titles = [dialog.list.item(row).text().split("\n")[0] for row in range(dialog.list.count())]
    assert sorted(titles) == ["One", "Two"]
    two = next(row for row in range(dialog.list.count()) if titles[row] == "Two")
    assert str(original) in dialog.list.item(two).text()
    dialog.list.setCurrentRow(two)
    qtbot.mouseClick(dialog.discard_button, qtbot_left())  # Cancel: nothing happens
    assert len(list_recovered(paths)) == 2
    qtbot.mouseClick(dialog.discard_button, qtbot_left())  # Discard
    assert questions[1].startswith("Discard the unsaved work in “Two”?")
    assert [r.title for r in list_recovered(paths)] == ["One"]
    assert load_brief(original).sections[0].body == "As saved"  # the file is not touched
    qtbot.mouseClick(dialog.later_button, qtbot_left())
    assert dialog.result() == dialog.DialogCode.Rejected
    assert [r.title for r in list_recovered(paths)] == ["One"]  # offered next time


def test_a_damaged_copy_can_only_be_discarded(qtbot: QtBot) -> None:
    paths = Paths.from_env()
    paths.recovery_dir.mkdir(parents=True)
    (paths.recovery_dir / "cut-0000abcd.brief-recovery").write_bytes(b'{"format": "briefer.re')
    dialog = RecoveryDialog(list_recovered(paths))
    qtbot.addWidget(dialog)
    assert "damaged" in dialog.list.item(0).text()
    assert not dialog.recover_button.isEnabled()
    assert not dialog.save_button.isEnabled()
    assert dialog.discard_button.isEnabled()


def qtbot_left() -> Qt.MouseButton:
    return Qt.MouseButton.LeftButton


# --------------------------------------------------------------------------
# The lock
# --------------------------------------------------------------------------


def press_when_shown(label: str, seen: list[str]) -> None:
    def press(box: QMessageBox) -> None:
        seen.append(box.text())
        seen.extend(b.text() for b in box.buttons())
        button = next(b for b in box.buttons() if b.text() == label)
        assert isinstance(button, QPushButton)
        button.click()

    when_modal(QMessageBox, press)


def test_a_second_briefer_is_told_who_holds_the_brief(qtbot: QtBot, tmp_path: Path) -> None:
    holder = LockOwner(user="anna", host=os.uname().nodename, pid=4121, since=None)
    seen: list[str] = []
    press_when_shown("Open a &Copy", seen)
    assert ask_how_to_open(None, tmp_path / "halden.brief", holder) is OpenChoice.COPY
    assert (
        seen[0]
        == "“halden.brief” is open in another Briefer: anna on "
        + os.uname().nodename
        + " (process 4121)."
    )
    assert "Open &Read-Only" in seen and "&Edit Anyway" not in seen

    far = LockOwner(user="ben", host="ws-12.example.org", pid=77, since=None)
    seen.clear()
    press_when_shown("&Edit Anyway", seen)
    assert ask_how_to_open(None, tmp_path / "halden.brief", far) is OpenChoice.EDIT_ANYWAY
    seen.clear()
    press_when_shown("Open &Read-Only", seen)
    assert ask_how_to_open(None, tmp_path / "halden.brief", far) is OpenChoice.READ_ONLY
    assert held_message(tmp_path / "x.brief", far).startswith("“x.brief” is open in another")


# --------------------------------------------------------------------------
# Changed on disk
# --------------------------------------------------------------------------


def another_program(code: str, path: Path) -> None:
    subprocess.run([sys.executable, "-c", textwrap.dedent(code), str(path)], check=True)


def test_another_programs_write_is_signalled_once(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "watched.brief"
    save_brief(a_brief("mine"), path)
    _brief, stamp = load_stamped(path)
    watcher = DiskWatcher(settle_ms=50)
    watcher.watch(path, stamp)
    with qtbot.waitSignal(watcher.changed_on_disk, timeout=3000) as signalled:
        another_program(
            "import sys; open(sys.argv[1], 'a').write(' ')",  # appends in place
            path,
        )
    assert signalled.args == [DiskState.CHANGED]
    with qtbot.assertNotEmitted(watcher.changed_on_disk, wait=400):
        os.utime(path)  # touched, same bytes as the change already told
    assert watcher.check() is DiskState.CHANGED  # still changed; not told twice


def test_an_editor_that_saves_by_renaming_is_seen(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "renamed.brief"
    save_brief(a_brief("mine"), path)
    watcher = DiskWatcher(settle_ms=50)
    watcher.watch(path, FileStamp.of_file(path))
    replace = """
        import os, sys
        tmp = sys.argv[1] + ".new"
        open(tmp, "w").write("their version")
        os.replace(tmp, sys.argv[1])
        """
    with qtbot.waitSignal(watcher.changed_on_disk, timeout=3000):
        another_program(replace, path)
    # It goes on watching the new file.
    with qtbot.waitSignal(watcher.changed_on_disk, timeout=3000) as again:
        another_program("import sys; open(sys.argv[1], 'w').write('and again')", path)
    assert again.args == [DiskState.CHANGED]
    with qtbot.waitSignal(watcher.changed_on_disk, timeout=3000) as gone:
        path.unlink()
    assert gone.args == [DiskState.MISSING]


def test_briefers_own_save_is_not_a_change(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "own.brief"
    stamp = save_checked(a_brief("mine"), path, None)
    watcher = DiskWatcher(settle_ms=50)
    watcher.watch(path, stamp)
    with qtbot.assertNotEmitted(watcher.changed_on_disk, wait=500):
        stamp = save_checked(a_brief("mine, saved again"), path, stamp)
        watcher.expect(stamp)
    watcher.stop()
    with qtbot.assertNotEmitted(watcher.changed_on_disk, wait=300):
        path.write_text("not watched any more")


# --------------------------------------------------------------------------
# The real window: kill -9 while typing, then the next start
# --------------------------------------------------------------------------

WINDOW_TYPES = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from briefer.paths import Paths
from briefer.gui.app import make_application
from briefer.gui.main_window import MainWindow, WindowContext

app = make_application([])
paths = Paths.from_env()
window = MainWindow(WindowContext.create(paths, app))
window.show()
window.start([])
editor = window.view.first_editor().editor  # where the cursor starts
QTest.keyClicks(editor, sys.argv[1])

def written():
    folder = paths.recovery_dir
    for path in folder.glob("*.brief-recovery") if folder.exists() else []:
        if sys.argv[1] in path.read_text(encoding="utf-8"):
            print("READY", path, flush=True)
            timer.stop()

timer = QTimer()
timer.timeout.connect(written)
timer.start(50)
app.exec()
"""

WINDOW_STARTS = """
import os
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from briefer.paths import Paths
from briefer.gui.app import make_application
from briefer.gui.main_window import MainWindow, WindowContext
from briefer.gui.recovery import RecoveryDialog

app = make_application([])
paths = Paths.from_env()

def answer():
    dialog = QApplication.activeModalWidget()
    if isinstance(dialog, RecoveryDialog):
        print("OFFERED", dialog.windowTitle(), "|", dialog.list.item(0).text().splitlines()[1],
              flush=True)
        dialog.recover_button.click()
        poll.stop()

poll = QTimer()
poll.timeout.connect(answer)
poll.start(50)
window = MainWindow(WindowContext.create(paths, app))
window.show()
window.start([])


def report():
    print("TEXT", repr(window.model.brief.sections[0].body), flush=True)
    os._exit(0)  # no close: the window would (rightly) ask to save the recovered brief


QTimer.singleShot(300, report)
app.exec()
"""


def read_line(child: subprocess.Popen[str], timeout: float) -> str:
    import selectors

    assert child.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(child.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            return ""
    return child.stdout.readline()


def test_the_window_keeps_typing_through_kill_9_and_offers_it_at_the_next_start() -> None:
    paths = Paths.from_env()
    typed = "Typed into the real window before it was killed"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.Popen(
        [sys.executable, "-c", WINDOW_TYPES, typed],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = read_line(child, 15)
        assert line.startswith("READY"), "the window wrote no recovery file after typing"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        child.kill()
        child.wait(10)
        if child.stdout:
            child.stdout.close()
    [left] = list_recovered(paths)
    assert left.brief is not None and typed in left.brief.sections[0].body

    again = subprocess.Popen(
        [sys.executable, "-c", WINDOW_STARTS],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        out, err = again.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        again.kill()
        out, err = again.communicate()
    assert "OFFERED Recover unsaved work | never saved, written" in out, out + err
    assert f"TEXT {typed!r}" in out, out + err
