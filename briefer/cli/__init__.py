"""The `briefer` command line.

Each command group lives in its own module with `register(subparsers)`, which
adds its parser and sets `handler` to a function `(args, ctx) -> int`. A
`BrieferError` becomes one line, `briefer: error: ...`, and exit status 2, and
so does a refusal by the machine (a full or read-only disk, no permission, a
damaged library database), in plain words naming the file. Any other
exception is a bug: it is logged with its traceback to a new file in the
user's log folder and exits 1 naming that file (or, when no log can be
written, saying so on the same one line).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import errno
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from briefer import __version__
from briefer.errors import (
    BrieferError,
    database_error_reason,
    environment_error,
    os_error_reason,
)
from briefer.launch import is_short_lived
from briefer.paths import Paths

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


@dataclass
class CliContext:
    """What a command needs from its surroundings, passed in (no globals)."""

    paths: Paths
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdin: TextIO = field(default_factory=lambda: sys.stdin)

    def warn(self, message: str) -> None:
        print(f"briefer: warning: {message}", file=self.stderr)

    def info(self, message: str) -> None:
        print(message, file=self.stdout)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are `BrieferError`s (one line, exit 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise BrieferError(message)


def build_parser() -> argparse.ArgumentParser:
    from briefer.cli import edit, export, snippets, templates

    parser = _Parser(
        prog="briefer",
        description="Write sourced briefs and export them to Word and PDF.",
        epilog=(
            "Run `briefer` alone to open the Briefer window, or `briefer FILE.brief`"
            " or `briefer NOTES.md` to open it with that file."
        ),
    )
    parser.add_argument("--version", action="version", version=f"briefer {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    export.register(sub)
    edit.register(sub)
    templates.register(sub)
    snippets.register(sub)
    return parser


def main(argv: Sequence[str] | None = None, ctx: CliContext | None = None) -> int:
    ctx = ctx or CliContext(paths=Paths.from_env())
    argv = list(sys.argv[1:] if argv is None else argv)
    args: argparse.Namespace | None = None
    try:
        parser = build_parser()
        if not is_short_lived(argv):
            # `briefer` or `briefer FILE.brief`: the GUI.
            from briefer.cli import gui_launch

            return gui_launch.run(argv, ctx)
        args = parser.parse_args(argv)
        if getattr(args, "handler", None) is None:
            parser.print_help(ctx.stdout)
            return EXIT_USAGE
        return int(args.handler(args, ctx) or EXIT_OK)
    except BrieferError as exc:
        say(ctx, f"briefer: error: {one_line(str(exc))}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        say(ctx, "briefer: interrupted")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        problem = machine_problem(exc, args, ctx)
        if problem is not None:
            # The disk, the file system or the library file said no: the
            # user's to fix, not a bug.
            say(ctx, f"briefer: error: {one_line(problem)}")
            return EXIT_USAGE
        say(ctx, one_line(report_crash(ctx.paths, exc)))
        return EXIT_FAILURE


def machine_problem(exc: Exception, args: argparse.Namespace | None, ctx: CliContext) -> str | None:
    """The one-line message for a failure of the machine rather than of
    Briefer (a full or read-only disk, no permission, a damaged library
    database), or None when `exc` is a bug."""
    problem = environment_error(exc)
    if problem is not None:
        return str(problem)
    reason = database_error_reason(exc)
    if reason is None:
        return None
    # Only the snippet library is an SQLite database.
    from briefer.library.location import shown

    library = getattr(args, "library", None) or ctx.paths.library_location()
    try:
        where = shown(library)
    except BrieferError:  # a URL that names no library: no password repeated
        where = "the snippet library"
    return f"{where}: {reason}"


def say(ctx: CliContext, line: str) -> None:
    """Print a line on standard error; a broken or full terminal is no reason
    to fail in a second way."""
    with contextlib.suppress(OSError, ValueError):
        print(line, file=ctx.stderr)
        ctx.stderr.flush()


def one_line(message: str) -> str:
    """`message` on one line, without characters a terminal would act on
    (escape sequences in a file name, say) or could not encode."""
    if not message.isprintable():
        import unicodedata

        message = "".join(" " if unicodedata.category(ch) in ("Cc", "Cs") else ch for ch in message)
    return " ".join(message.split())


def report_crash(paths: Paths, error: BaseException) -> str:
    """Log `error` with its traceback to a new file in the user's log folder
    and return the line that tells the user. When the log cannot be written
    (a full disk), the line says so and gives the error itself; the
    traceback never reaches the terminal."""
    import traceback  # only ever needed here; keeps it out of every start-up

    details = (
        f"briefer {__version__}\nargv: {sys.argv!r}\n"
        f"time: {dt.datetime.now().isoformat(timespec='microseconds')}\n\n"
        f"{''.join(traceback.format_exception(error))}"
    )
    try:
        log = _new_log_file(paths.log_dir, details.encode("utf-8", "backslashreplace"))
    except OSError as exc:
        what = one_line(f"{type(error).__name__}: {error}")[:300]
        where = exc.filename or paths.log_dir
        return (
            f"briefer: internal error ({what}); the crash log could not be written"
            f" ({where}: {os_error_reason(exc)})"
        )
    return f"briefer: internal error; details in {log}"


def quiet_unraisable(paths: Paths) -> Callable[[Any], None]:
    """A `sys.unraisablehook` for the command line. An exception Python
    ignores (a destructor failing while an error is cleaned up, such as a
    half-written zip archive whose file the disk refused) is logged to a
    file, never printed: the command has said what went wrong in one line."""

    def hook(unraisable: Any) -> None:
        import traceback

        try:
            where = repr(unraisable.object)
        except Exception:
            where = "an object"
        report = traceback.format_exception(
            unraisable.exc_type, unraisable.exc_value, unraisable.exc_traceback
        )
        details = f"briefer {__version__}\nignored in {where}\n\n{''.join(report)}"
        with contextlib.suppress(OSError):
            _new_log_file(paths.log_dir, details.encode("utf-8", "backslashreplace"), "ignored")

    return hook


def _new_log_file(folder: Path, data: bytes, kind: str = "crash") -> Path:
    """Write `data` to a log in `folder` under a name no other log has (two
    failures in one second, or in two processes, each keep theirs). A log
    that cannot be written whole is removed, and the error raised."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for attempt in range(1, 1000):
        suffix = "" if attempt == 1 else f"-{attempt}"
        log = folder / f"{kind}-{stamp}-{os.getpid()}{suffix}.log"
        try:
            handle = log.open("xb")  # never over an earlier log
        except FileExistsError:
            continue
        try:
            with handle:
                handle.write(data)
        except OSError:
            with contextlib.suppress(OSError):
                log.unlink()
            raise
        return log
    raise FileExistsError(errno.EEXIST, f"too many {kind} logs this second", str(folder))
