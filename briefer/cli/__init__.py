"""The `briefer` command line.

Each command group lives in its own module with `register(subparsers)`, which
adds its parser and sets `handler` to a function `(args, ctx) -> int`. A
`BrieferError` becomes one line, `briefer: error: ...`, and exit status 2; any
other exception is logged with its traceback to a file in the user's log
folder and exits 1 naming that file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TextIO

from briefer import __version__
from briefer.errors import BrieferError
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
            "Run `briefer` alone to export the built-in samples; the Briefer window"
            " comes in a later release."
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
        print(f"briefer: error: {_one_line(str(exc))}", file=ctx.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("briefer: interrupted", file=ctx.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception:
        log = _write_crash_log(ctx.paths)
        where = f"; details in {log}" if log else ""
        print(f"briefer: internal error{where}", file=ctx.stderr)
        return EXIT_FAILURE


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _write_crash_log(paths: Paths) -> str | None:
    import traceback  # only ever needed here; keeps it out of every start-up

    try:
        paths.log_dir.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        log = paths.log_dir / f"crash-{stamp}-{os.getpid()}.log"
        log.write_text(
            f"briefer {__version__}\nargv: {sys.argv!r}\n\n{traceback.format_exc()}",
            encoding="utf-8",
        )
        return str(log)
    except OSError:
        traceback.print_exc()
        return None
