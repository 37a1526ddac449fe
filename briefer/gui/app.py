"""Starting the window: the QApplication, light and dark, crashes, files.

`run_window(paths, files)` is what `briefer`, `briefer FILE.brief` and
`briefer NOTES.md` call; `python -m briefer.gui.app [FILE]` does the same.
It makes the QApplication with the platform's native style, follows the
system's light or dark appearance (or the person's choice, remembered) and
switches palettes while running, writes a crash log and tells the person
when a bug escapes, and opens the files given, or a new brief.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QMessageBox

from briefer import __version__
from briefer.paths import Paths

from .settings import Appearance


def dark_palette() -> QPalette:
    """A dark palette for styles (Fusion) whose platform gives none."""
    p = QPalette()
    window, base, text = QColor("#2B2B2E"), QColor("#1E1E20"), QColor("#E6E6E6")
    disabled = QColor("#7F7F85")
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: QColor("#2F2F33"),
        QPalette.ColorRole.ToolTipBase: QColor("#3A3A3F"),
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.PlaceholderText: QColor("#8E8E96"),
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: QColor("#35353A"),
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.BrightText: QColor("#FF6B6B"),
        QPalette.ColorRole.Light: QColor("#4A4A50"),
        QPalette.ColorRole.Midlight: QColor("#3E3E44"),
        QPalette.ColorRole.Mid: QColor("#303035"),
        QPalette.ColorRole.Dark: QColor("#18181A"),
        QPalette.ColorRole.Shadow: QColor("#000000"),
        QPalette.ColorRole.Highlight: QColor("#3D6FB6"),
        QPalette.ColorRole.HighlightedText: QColor("#FFFFFF"),
        QPalette.ColorRole.Link: QColor("#8AB4F8"),
        QPalette.ColorRole.LinkVisited: QColor("#C58AF9"),
    }
    for role, colour in roles.items():
        p.setColor(role, colour)
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


class AppearanceController(QObject):
    """Light or dark, following the system or the person's choice, applied
    to the running application at once (no restart). One per application."""

    def __init__(self, app: QGuiApplication, appearance: Appearance = Appearance.SYSTEM) -> None:
        super().__init__(app)
        self.setObjectName("briefer-appearance")
        self._app = app
        self._choice = appearance
        self._overridden = False  # whether our palette replaces the platform's
        app.styleHints().colorSchemeChanged.connect(self.follow)
        self.apply()

    @classmethod
    def of(cls, app: QGuiApplication) -> AppearanceController:
        """The application's controller, made on first use."""
        found = app.findChild(AppearanceController, "briefer-appearance")
        return found if isinstance(found, AppearanceController) else cls(app)

    def appearance(self) -> Appearance:
        return self._choice

    def set_appearance(self, appearance: Appearance) -> None:
        if appearance is not self._choice:
            self._choice = appearance
            self.apply()

    def follow(self, scheme: Qt.ColorScheme) -> None:
        """The system switched between light and dark."""
        self.apply(scheme)

    def apply(self, scheme: Qt.ColorScheme | None = None) -> None:
        """Set the palette for the person's choice and the system's scheme
        (given, or asked of the platform)."""
        hints = self._app.styleHints()
        if self._choice is Appearance.SYSTEM:
            hints.unsetColorScheme()
        else:  # platforms that can switch their own palette do so
            dark_choice = self._choice is Appearance.DARK
            hints.setColorScheme(Qt.ColorScheme.Dark if dark_choice else Qt.ColorScheme.Light)
        if self._overridden:
            self._app.setPalette(QPalette())  # back to the platform's palette
            self._overridden = False
        platform = self._app.palette()
        if self._choice is not Appearance.SYSTEM:
            dark = self._choice is Appearance.DARK
        else:
            scheme = hints.colorScheme() if scheme is None else scheme
            if scheme == Qt.ColorScheme.Unknown:
                dark = is_dark(platform)
            else:
                dark = scheme == Qt.ColorScheme.Dark
        if is_dark(platform) != dark:
            self._app.setPalette(dark_palette() if dark else _light_palette())
            self._overridden = True


def _light_palette() -> QPalette:
    style = QApplication.style()
    return style.standardPalette() if style is not None else QPalette()


def write_crash_log(log_dir: Path, error: BaseException, kind: str = "crash") -> Path:
    """Write `error` and its traceback to a new file in `log_dir`."""
    details = (
        f"briefer {__version__} (window)\n"
        f"time: {dt.datetime.now().isoformat(timespec='seconds')}\n\n"
        f"{''.join(traceback.format_exception(error))}"
    )
    log_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for attempt in range(1, 1000):
        log = log_dir / f"{kind}-{stamp}-{os.getpid()}{'' if attempt == 1 else f'-{attempt}'}.log"
        try:
            with log.open("x", encoding="utf-8", errors="backslashreplace") as handle:
                handle.write(details)
        except FileExistsError:
            continue
        return log
    raise FileExistsError(f"too many logs in {log_dir} this second")


def bug_reporter(paths: Paths):
    """A function that logs a bug and says where, for messages."""

    def report(error: BaseException) -> str:
        try:
            log = write_crash_log(paths.log_dir, error)
        except OSError as exc:
            return f"The details could not be written to a log ({exc})."
        return f"Details are in {log}."

    return report


def install_excepthook(paths: Paths) -> None:
    """An exception that escapes a slot is a bug: log it and say so, rather
    than let it pass unseen (Qt would carry on) or end the program."""
    report = bug_reporter(paths)
    showing = False

    def hook(kind: type[BaseException], error: BaseException, tb) -> None:
        nonlocal showing
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        where = report(error.with_traceback(tb))
        sys.stderr.write(f"briefer: internal error ({kind.__name__}: {error}); {where}\n")
        if showing or QApplication.instance() is None:
            return
        showing = True
        try:
            QMessageBox.critical(
                None,
                "Briefer hit a bug",
                f"Something went wrong inside Briefer ({kind.__name__}: {error}).\n\n"
                f"{where}\nYour brief is still open; save it under a new name to be safe.",
            )
        finally:
            showing = False

    sys.excepthook = hook


def make_application(argv: Sequence[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Briefer")
    app.setApplicationDisplayName("Briefer")
    app.setOrganizationName("Briefer")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("briefer")
    return app


def run_window(paths: Paths, files: Sequence[Path] = (), argv: Sequence[str] | None = None) -> int:
    """Open the Briefer window (with `files`, else a new brief) and run
    until it is closed; the exit status."""
    from .main_window import MainWindow, WindowContext

    app = make_application(argv)
    install_excepthook(paths)
    context = WindowContext.create(paths, app)
    window = MainWindow(context)
    window.show()
    window.start(list(files))
    return app.exec()


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    return run_window(Paths.from_env(), [Path(a) for a in args if not a.startswith("-")])


if __name__ == "__main__":
    sys.exit(main())
