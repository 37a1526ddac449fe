"""Switching the library panel between the local library and a team library.

`LibrarySwitcher` puts a line at the top of the library panel naming the
library open ("Library: library.sqlite3" or "Team library: host/db") with a
Switch… button, and offers Library ▸ Switch Library… . Its dialog
(`SwitchDialog`) chooses this computer's library or a team library's URL
(`postgresql://USER@HOST:PORT/DB`), with the team libraries opened before.

A team library is first reached by `TeamConnector` on a thread of its own,
with a timeout, while the panel keeps working on the library it has; only
once the server answered does the panel's worker reopen on it. When the
server cannot be reached, `Banner` says so in one line with Retry, and the
panel works on the local library. At start, a team library named in the
settings is connected to the same way, so the window never waits for it.

Passwords: libpq finds one in PGPASSWORD or ~/.pgpass; when the server asks
for one they do not give, a password dialog asks, and the answer is kept in
this window's memory for the session only. A password typed into a URL is
taken out of it the same way. Settings keep the URL without it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from briefer.errors import BrieferError
from briefer.library.location import shown

from .settings import Settings

# How long reaching a team library's server may take, in seconds (libpq's
# connect_timeout); the window gives up a second after it in any case.
TEAM_CONNECT_TIMEOUT_S = 5.0
TEAM_SCHEMES = ("postgresql", "postgres")
URL_FORM = "postgresql://USER@HOST:PORT/DATABASE"

Prompt = Callable[[str], "str | None"]
# Opens the library at a location on the calling thread: (location, prompt).
Opener = Callable[..., Any]


# --------------------------------------------------------------------------
# Locations
# --------------------------------------------------------------------------


def is_team(location: str) -> bool:
    return location.strip().lower().startswith(tuple(f"{s}://" for s in TEAM_SCHEMES))


def without_password(url: str) -> tuple[str, str | None]:
    """The URL without any password (in its user part or a `password=`
    parameter), and the password it held (None: none)."""
    parts = urlsplit(url.strip())
    password = parts.password
    netloc = parts.netloc
    if password is not None:
        userinfo, _, hostport = netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = f"{user}@{hostport}" if user else hostport
    kept = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key.casefold() == "password":
            password = value
        else:
            kept.append((key, value))
    clean = urlunsplit((parts.scheme, netloc, parts.path, urlencode(kept), parts.fragment))
    return clean, password


def library_label(location: str) -> str:
    """What the panel calls a library: its file's name, or `team: host/db`."""
    if not is_team(location):
        return f"Library: {Path(location).name}"
    parts = urlsplit(location)
    host = parts.hostname or "localhost"
    return f"Team library: {host}/{parts.path.lstrip('/')}"


def _named(url: str) -> str:
    """A team library as messages name it: its URL without any password
    (`postgresql://USER@HOST:PORT/DATABASE`), or its host and database
    when the URL cannot be read."""
    try:
        return shown(url)
    except BrieferError:
        return library_label(url).removeprefix("Team library: ")


def one_line(message: str) -> str:
    return " ".join(message.split())


@dataclass(frozen=True)
class _Open:
    location: str
    password: str | None = None


class LibraryChoice:
    """The library the window works on now, as the factory the panel's
    worker threads call: `choice()` opens it on the calling thread."""

    def __init__(self, local: str, opener: Opener) -> None:
        self.local = local
        self._opener = opener
        self._now = _Open(local)  # one attribute: read whole by other threads

    @property
    def location(self) -> str:
        return self._now.location

    def use(self, location: str, password: str | None = None) -> None:
        self._now = _Open(location, password)

    def __call__(self) -> Any:
        now = self._now
        if not is_team(now.location):
            return self._opener(now.location)
        return self._opener(now.location, prompt=lambda _text: now.password)


# --------------------------------------------------------------------------
# Reaching a team library off the GUI thread
# --------------------------------------------------------------------------


class TeamConnector(QObject):
    """Opens a team library on a thread of its own to see that it answers,
    then closes it; says how it went through `connected` or `failed`
    (the reason in one line, and whether the server asked for a password
    nobody gave). The newest attempt wins; an attempt that has not answered
    within the timeout (and a second) has failed."""

    connected = Signal(str)  # the URL
    failed = Signal(str, str, bool)  # the URL, the reason, the server wanted a password
    _answer = Signal(int, str, str, bool)

    def __init__(self, opener: Opener, timeout_s: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._opener = opener
        self._timeout_s = timeout_s
        self._attempt = 0
        self._url = ""
        self._watchdog = QTimer(self)
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(self._too_long)
        self._answer.connect(self._answered)

    def is_connecting(self) -> bool:
        return self._watchdog.isActive()

    def connect_to(self, url: str, password: str | None) -> None:
        self._attempt += 1
        self._url = url
        attempt = self._attempt
        self._watchdog.start(int((self._timeout_s + 1.0) * 1000))
        threading.Thread(
            target=self._try, args=(attempt, url, password), name="briefer-team", daemon=True
        ).start()

    def cancel(self) -> None:
        self._attempt += 1
        self._watchdog.stop()

    def _try(self, attempt: int, url: str, password: str | None) -> None:
        asked: list[str] = []

        def prompt(text: str) -> str | None:
            asked.append(text)
            return password

        try:
            library = self._opener(url, prompt=prompt)
        except Exception as exc:
            reason = one_line(str(exc)) or type(exc).__name__
            if password:
                reason = reason.replace(password, "…")
            wanted = bool(asked)  # the server wanted a password
            with contextlib.suppress(RuntimeError):  # the window went away
                self._answer.emit(attempt, url, reason, wanted)
            return
        with contextlib.suppress(Exception):
            library.close()
        with contextlib.suppress(RuntimeError):
            self._answer.emit(attempt, url, "", False)

    def _answered(self, attempt: int, url: str, reason: str, wanted: bool) -> None:
        if attempt != self._attempt:
            return  # overtaken, or given up on
        self._watchdog.stop()
        if reason:
            self.failed.emit(url, reason, wanted)
        else:
            self.connected.emit(url)

    def _too_long(self) -> None:
        self._attempt += 1
        self.failed.emit(self._url, f"no answer within {self._timeout_s:g} s", False)


# --------------------------------------------------------------------------
# Widgets
# --------------------------------------------------------------------------


class Banner(QFrame):
    """One line saying the team library cannot be reached, with Retry."""

    retry = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("library-banner")
        self.setAccessibleName("Team library message")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#library-banner { background: #fff4ce; border: 1px solid #e0b000;"
            " border-radius: 3px; } #library-banner QLabel { color: #3b2f00; }"
        )
        self.text = QLabel()
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.retry_button = QPushButton("Retry")
        self.retry_button.setToolTip("Try to reach the team library again")
        self.retry_button.clicked.connect(self.retry)
        close = QToolButton()
        close.setText("×")
        close.setAutoRaise(True)
        close.setToolTip("Hide this message")
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 4, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_problem(self, url: str, reason: str) -> None:
        if is_team(reason) and ": " in reason:
            reason = reason.partition(": ")[2]  # the URL is in the tooltip
        self.text.setText(
            f"Team library {_named(url)} unreachable: {reason} — working on the local library"
        )
        self.setToolTip(url)
        self.retry_button.setEnabled(True)
        self.show()


class SwitchDialog(QDialog):
    """Choose this computer's library or a team library (by its URL)."""

    chosen = Signal(str)  # "" for the local library, else the URL as typed

    def __init__(
        self, local: str, current: str, recent: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Switch Library")
        self.setObjectName("switch-library")
        self.setMinimumWidth(560)
        self.local_choice = QRadioButton(f"This computer's library ({Path(local).name})")
        self.local_choice.setToolTip(local)
        self.team_choice = QRadioButton("A team library on a server:")
        self.url = QComboBox()
        self.url.setEditable(True)
        self.url.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.url.addItems(recent)
        self.url.setMinimumContentsLength(40)
        edit = self.url.lineEdit()
        edit.setPlaceholderText(URL_FORM)
        edit.setAccessibleName("Team library URL")
        edit.setText(current if is_team(current) else (recent[0] if recent else ""))
        edit.textEdited.connect(lambda _text: self.team_choice.setChecked(True))
        hint = QLabel(
            "The password comes from PGPASSWORD or ~/.pgpass, or Briefer asks for it;"
            " it is kept for this session only, never saved."
        )
        hint.setWordWrap(True)
        hint.setEnabled(False)
        self.problem = QLabel()
        self.problem.setObjectName("switch-problem")
        self.problem.setStyleSheet("color: #b00020;")
        self.problem.setWordWrap(True)
        self.problem.hide()
        (self.team_choice if is_team(current) else self.local_choice).setChecked(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Open")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addWidget(self.local_choice)
        layout.addWidget(self.team_choice)
        layout.addWidget(self.url)
        layout.addWidget(hint)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def _accept(self) -> None:
        if self.local_choice.isChecked():
            self.accept()
            self.chosen.emit("")
            return
        url = self.url.currentText().strip()
        if not is_team(url) or not urlsplit(url).path.strip("/"):
            self.problem.setText(f"A team library's address looks like {URL_FORM}")
            self.problem.show()
            return
        self.accept()
        self.chosen.emit(url)


# --------------------------------------------------------------------------
# The controller
# --------------------------------------------------------------------------


class LibrarySwitcher(QObject):
    """Which library the panel works on: the line naming it, the Switch
    command, the background connection to a team library and the banner."""

    def __init__(
        self,
        panel: Any,  # LibraryPanel: use_library(location), service, layout()
        choice: LibraryChoice,
        settings: Settings | None,
        opener: Opener,
        *,
        timeout_s: float = TEAM_CONNECT_TIMEOUT_S,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent or panel)
        self.panel = panel
        self.choice = choice
        self.settings = settings
        self._passwords: dict[str, str] = {}  # URL -> password, this session only
        self._pending = ""  # the team library being reached
        self.dialog: SwitchDialog | None = None
        self.connector = TeamConnector(opener, timeout_s, self)
        self.connector.connected.connect(self._connected)
        self.connector.failed.connect(self._failed)
        panel.service.unavailable.connect(self._worker_could_not_open)

        self.act_switch = QAction("Switch &Library…", panel)
        self.act_switch.setToolTip("Work on this computer's library or on a team library")
        self.act_switch.setStatusTip(self.act_switch.toolTip())
        self.act_switch.triggered.connect(lambda _checked=False: self.ask())

        self.label = QLabel()
        self.label.setObjectName("library-name")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setAccessibleName("Library open")
        self.label.setWordWrap(True)
        self.switch_button = QToolButton()
        self.switch_button.setDefaultAction(self.act_switch)
        self.switch_button.setText("Switch…")
        self.switch_button.setAutoRaise(True)
        self.banner = Banner()
        self.banner.retry.connect(self.retry)
        header = QWidget()
        header.setObjectName("library-header")
        rows = QVBoxLayout(header)
        rows.setContentsMargins(4, 4, 4, 0)
        rows.setSpacing(4)
        line = QHBoxLayout()
        line.addWidget(self.label, 1)
        line.addWidget(self.switch_button)
        rows.addLayout(line)
        rows.addWidget(self.banner)
        panel.layout().insertWidget(0, header)
        self.header = header
        self._show_name()

    # -- what the window calls -----------------------------------------------

    def start(self, team: str = "") -> None:
        """Reach the team library `team` (else the one the settings name),
        if any, in the background once the window is up; the panel starts
        on the local library meanwhile."""
        url = team or (self.settings.team_library() if self.settings is not None else "")
        if url:
            url, password = without_password(url)
            if password:
                self._passwords[url] = password
            self._pending = url
            QTimer.singleShot(0, lambda: self._reach(url) if self._pending == url else None)

    def ask(self) -> SwitchDialog:
        """The Switch Library dialog (window-modal; it answers by signal)."""
        recent = self.settings.recent_team_libraries() if self.settings is not None else []
        current = self._pending or self.choice.location
        dialog = SwitchDialog(self.choice.local, current, recent, self.panel.window())
        dialog.chosen.connect(self.switch_to)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog

    def switch_to(self, location: str) -> None:
        """Work on the local library (""), or on the team library at this URL."""
        if not location or not is_team(location):
            self.connector.cancel()
            self._pending = ""
            self.banner.hide()
            if self.settings is not None:
                self.settings.set_team_library("")
            self._use(self.choice.local)
            return
        url, password = without_password(location)
        if password:
            self._passwords[url] = password
        self._reach(url)

    def retry(self) -> None:
        url = self._pending or (self.settings.team_library() if self.settings else "")
        if url:
            self._reach(url)

    def shutdown(self) -> None:
        self.connector.cancel()

    # -- reaching a team library --------------------------------------------

    def _reach(self, url: str) -> None:
        self._pending = url
        self.banner.retry_button.setEnabled(False)
        self.connector.connect_to(url, self._passwords.get(url))
        self._show_name()

    def _connected(self, url: str) -> None:
        self._pending = ""
        self.banner.hide()
        if self.settings is not None:
            self.settings.set_team_library(url)
        self.choice.use(url, self._passwords.get(url))
        self._use(url)

    def _failed(self, url: str, reason: str, wants_password: bool) -> None:
        if wants_password and url not in self._passwords:
            password, ok = QInputDialog.getText(
                self.panel.window(),
                "Team Library Password",
                f"Password for {library_label(url).removeprefix('Team library: ')}"
                " (kept for this session only):",
                QLineEdit.EchoMode.Password,
            )
            if ok and password:
                self._passwords[url] = password
                self.connector.connect_to(url, password)
                return
        if wants_password:
            self._passwords.pop(url, None)  # the one given was refused
        self.banner.show_problem(url, reason)
        if self.choice.location != self.choice.local:
            self._use(self.choice.local)
        self._show_name()

    def _worker_could_not_open(self, message: str) -> None:
        """The panel's worker could not open the team library after all
        (the server went away since): back to the local library."""
        location = self.choice.location
        if is_team(location):
            self._pending = location
            self.banner.show_problem(location, one_line(message))
            self._use(self.choice.local)

    # -- showing -------------------------------------------------------------

    def _use(self, location: str) -> None:
        if location == self.choice.local:
            self.choice.use(location)
        self.panel.use_library(location)
        self._show_name()

    def _show_name(self) -> None:
        text = library_label(self.choice.location)
        if self._pending and self.connector.is_connecting():
            where = library_label(self._pending).removeprefix("Team library: ")
            text += f" — connecting to the team library {where}…"
        self.label.setText(text)
        self.label.setToolTip(self.choice.location)
