"""`briefer snippets ...`: the snippet library from the command line.

Subcommands: `add`, `import`, `search`, `list`, `show`, `tag`, `delete`,
`restore`, `export`, `check`, `init-team`, `copy`. All work on the user's
library: `--library PATH` (or a team library's `postgresql://USER@HOST:PORT/DB`
URL), given before or after the subcommand (`snippets --library L import F`
or `snippets import F --library L`; the one after wins when both are given), else
`BRIEFER_LIBRARY`, else the user data folder. Output is plain text for
people; `--json` on `search`, `list` and `show` gives data for programs.
A team library's password comes from PGPASSWORD or ~/.pgpass, or is asked
for when standard input is a terminal; it is never printed.
`init-team URL` sets up a team library in an empty database; `copy --from
LIB --to LIB [QUERY]` copies snippets between any two libraries.

Other commands that use the library reuse `add_library_option(parser)` and
`open_library(args, ctx)`, so they choose it the same way.

Errors are one line, `briefer: error: ...`, exit status 2; a bad date names
the option or filter and the value (`--published: 2026-02-30 is not a date
(expected YYYY, YYYY-MM or YYYY-MM-DD)`). `search` takes its options first and
everything from the first other word on as the query, so `search -draft tag:x`
works (options may also follow the query; `--` makes the rest query). `import`
reports a file it cannot use as one error line and goes on with the others
(exit status 2 at the end); rejected rows are warnings with their line.
`delete` of a snippet already in the trash and `restore` of one not in it say
so and succeed (exit 0); an unknown id is an error (exit 2). `add` reads at
most `MAX_STDIN_BYTES` of UTF-8 from standard input and refuses anything else,
storing nothing. `check` says `ok` (exit 0) or what is damaged and the way
back (exit 2); `check --repair` rebuilds indexes that disagree with the
snippets, and `export --salvage` writes what a damaged library can still give.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from briefer.errors import BrieferError

if TYPE_CHECKING:
    from briefer.cli import CliContext
    from briefer.jobs import Progress
    from briefer.library import Hit, Snippet
    from briefer.library.check import CheckReport
    from briefer.library.location import AnyLibrary as Library

_BOLD, _RESET = "\x1b[1m", "\x1b[0m"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "snippets",
        help="manage the snippet library",
        description="Add, import, search and export the snippets in your library.",
    )
    add_library_option(parser)
    parser.set_defaults(handler=_no_subcommand, snippets_parser=parser)
    cmds = parser.add_subparsers(
        dest="snippets_command", metavar="COMMAND", parser_class=_subcommand_parser(type(parser))
    )

    p = cmds.add_parser("add", help="add one snippet (text from --text or standard input)")
    p.add_argument("--text", help="the quoted text; read from standard input when absent or '-'")
    p.add_argument("--title", default="")
    p.add_argument("--publisher", default="")
    p.add_argument("--author", default="")
    p.add_argument("--url", default="")
    p.add_argument("--published", default="", help="date published (YYYY-MM-DD)")
    p.add_argument("--accessed", default="", help="date accessed (YYYY-MM-DD)")
    p.add_argument("--note", default="")
    p.add_argument("--tag", action="append", default=[], help="a tag (repeat for more)")
    p.add_argument("--collection", default="", help="a collection, e.g. Projects/Baltic")
    p.set_defaults(handler=_add)

    p = cmds.add_parser("import", help="import snippets from files")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument(
        "--whole", action="store_true", help="one snippet per document, not one per paragraph"
    )
    p.add_argument("--tag", action="append", default=[], help="tag every imported snippet")
    p.add_argument("--collection", default="", help="put every imported snippet in a collection")
    p.add_argument("--quiet", action="store_true", help="no progress bar, no rejection list")
    p.set_defaults(handler=_import)

    p = cmds.add_parser(
        "search",
        help="search the library",
        epilog=(
            "The query is everything after the options, so it may start with"
            ' "-": search --json -draft tag:eu. Options may also follow the query;'
            ' after "--" everything is query: search -- --json.'
        ),
        allow_abbrev=False,
    )
    p.add_argument(
        "query",
        nargs="*",
        help='words, "phrases", prefix*, -exclude, tag:x, source:x, before:/after:DATE',
    )
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--tag", action="append", default=[])
    p.add_argument("--collection", default="")
    p.add_argument("--since", default=None, help="only snippets added on or after this date")
    p.add_argument("--json", action="store_true", help="print the hits as JSON")
    p.set_defaults(handler=_search)

    p = cmds.add_parser("list", help="list snippets, newest first")
    p.add_argument("--tag", action="append", default=[])
    p.add_argument("--collection", default="")
    p.add_argument("--since", default=None)
    p.add_argument("--trash", action="store_true", help="list the trash instead")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_list)

    p = cmds.add_parser("show", help="show one snippet in full")
    p.add_argument("id", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_show)

    p = cmds.add_parser("tag", help="add (or --remove) tags on a snippet")
    p.add_argument("id", type=int)
    p.add_argument("tags", nargs="+", metavar="TAG")
    p.add_argument("--remove", action="store_true")
    p.set_defaults(handler=_tag)

    p = cmds.add_parser("delete", help="move snippets to the trash")
    p.add_argument("ids", nargs="+", type=int, metavar="ID")
    p.set_defaults(handler=_delete)

    p = cmds.add_parser("restore", help="take snippets out of the trash")
    p.add_argument("ids", nargs="+", type=int, metavar="ID")
    p.set_defaults(handler=_restore)

    p = cmds.add_parser("export", help="write all snippets to a JSON Lines file")
    p.add_argument("file", type=Path, metavar="FILE.jsonl")
    p.add_argument(
        "--salvage",
        action="store_true",
        help="from a damaged library, write every snippet that can still be read",
    )
    p.set_defaults(handler=_export)

    p = cmds.add_parser(
        "check",
        help="check the library for damage",
        description=(
            "Check the library database and its full-text index for damage: prints ok"
            " (exit status 0) or what is damaged and how to recover (exit status 2)."
        ),
    )
    p.add_argument(
        "--repair",
        action="store_true",
        help="rebuild damaged indexes from the snippets (the snippets are not changed)",
    )
    p.set_defaults(handler=_check)

    p = cmds.add_parser(
        "init-team",
        help="set up a team library in an empty PostgreSQL database",
        description=(
            "Create the team library's tables in an empty PostgreSQL database (or upgrade a"
            " team library to this Briefer's schema), and give roles access. Run it as the"
            " role that owns the database. A database that holds anything else is refused."
        ),
    )
    p.add_argument("url", metavar="URL", help="postgresql://USER@HOST:PORT/DATABASE")
    p.add_argument(
        "--reader", action="append", default=[], metavar="ROLE", help="may search and cite"
    )
    p.add_argument(
        "--writer", action="append", default=[], metavar="ROLE", help="may also change it"
    )
    p.set_defaults(handler=_init_team)

    p = cmds.add_parser(
        "copy",
        help="copy snippets from one library to another",
        description=(
            "Copy the snippets (with their sources, tags and collections) from one library to"
            " another, a local file or a team library's URL either way; those the target"
            " already has are recognised as duplicates. With a query, only its hits."
        ),
        allow_abbrev=False,
    )
    p.add_argument(
        "--from", dest="source", required=True, metavar="LIB", type=_location,
        help="the library to copy from: a file or a postgresql:// URL",
    )  # fmt: skip
    p.add_argument(
        "--to", dest="target", required=True, metavar="LIB", type=_location,
        help="the library to copy into (a new file is created; a team library must exist)",
    )  # fmt: skip
    p.add_argument("query", nargs="*", help="only the snippets this search finds")
    p.set_defaults(handler=_copy)

    # Each subcommand takes --library too, so it may also follow the
    # subcommand's own arguments (init-team and copy name theirs otherwise).
    for name, subcommand in cmds.choices.items():
        if name not in ("init-team", "copy"):
            add_library_option(subcommand)


def add_library_option(parser: argparse.ArgumentParser) -> None:
    """Add `--library PATH` to `parser`. `args.library` is set only when the
    option is given (no default), so a subcommand's parser taking it too
    does not wipe out a value given before the subcommand, and the one
    given last wins. Read it with `open_library`."""
    parser.add_argument(
        "--library",
        metavar="PATH|URL",
        type=_location,
        default=argparse.SUPPRESS,
        help=(
            "the library to use: a database file, or a team library's"
            " postgresql://USER@HOST:PORT/DB (default: BRIEFER_LIBRARY or the user data folder)"
        ),
    )


def _location(value: str) -> str | Path:
    """A library given on the command line: a team library's URL as it is
    (a Path would fold its `//`), anything else a path."""
    from briefer.library.location import is_team_location

    return value.strip() if is_team_location(value) else Path(value)


def library_location(args: argparse.Namespace, ctx: CliContext) -> str | Path:
    """The library the command line chose: `--library`, else
    `BRIEFER_LIBRARY` (a path or a team library's URL), else the one in
    the user data folder."""
    given = getattr(args, "library", None)
    if given:
        return given  # type: ignore[no-any-return]
    return _location(ctx.paths.library_location())


def open_library(args: argparse.Namespace, ctx: CliContext, *, must_exist: bool = False) -> Library:
    """Open the library the command line chose (`library_location`). The
    caller closes it (`with open_library(args, ctx) as lib:`). A library
    that cannot be opened is a `LibraryError` (one error line); with
    `must_exist`, so is a library file that is not there yet (instead of a
    new one). A team library's password is asked for on a terminal when
    the environment and ~/.pgpass give none."""
    return open_location(library_location(args, ctx), ctx, must_exist=must_exist)


def open_location(location: str | Path, ctx: CliContext, *, must_exist: bool = False) -> Library:
    """Open a library by its path or URL, as `open_library` does."""
    from briefer.library import open_library as open_any
    from briefer.library.location import is_team_location

    if is_team_location(location):
        return open_any(location, prompt=_password_prompt(ctx))
    if must_exist and not Path(location).expanduser().exists():
        raise BrieferError(f"{location}: no snippet library there (check --library)")
    return open_any(location)


def _password_prompt(ctx: CliContext) -> Callable[[str], str | None] | None:
    """Asks for a team library's password on the terminal (never echoed,
    never stored); None when standard input is no terminal, so a script
    fails at once with one line instead of waiting."""
    if not _is_tty(ctx.stdin):
        return None

    def ask(prompt: str) -> str | None:
        import getpass

        try:
            return getpass.getpass(prompt)
        except (EOFError, KeyboardInterrupt):
            return None

    return ask


def _subcommand_parser(base: type[argparse.ArgumentParser]) -> type[argparse.ArgumentParser]:
    """The parser class for the `snippets` subcommands: `base` (whose errors
    are one line), except that a parser with a `query` argument takes its
    options only up to the first word that is none of them and everything
    from there as the query, so a query may start with "-" (`search -draft`)."""

    class SubcommandParser(base):  # type: ignore[misc, valid-type]
        def parse_known_args(  # type: ignore[override]
            self, args: list[str] | None = None, namespace: argparse.Namespace | None = None
        ) -> tuple[argparse.Namespace, list[str]]:
            if args is None or not any(a.dest == "query" for a in self._actions):
                return super().parse_known_args(args, namespace)
            options, query = _leading_options(self, list(args))
            parsed, extras = super().parse_known_args(options, namespace)
            parsed.query = query
            return parsed, extras

    return SubcommandParser


def _leading_options(
    parser: argparse.ArgumentParser, args: list[str]
) -> tuple[list[str], list[str]]:
    """`args` split into the options before the query and the query's words.
    An unknown `--option` stays with the options (argparse reports it)."""
    takes_value = {
        option: action.nargs != 0 for action in parser._actions for option in action.option_strings
    }
    i = 0
    while i < len(args):
        token = args[i]
        name = token.partition("=")[0]
        if token == "--":
            return args[:i], args[i:]  # `_split_search_words` drops the "--"
        if name in takes_value:
            i += 2 if takes_value[name] and "=" not in token else 1
        elif token.startswith("--"):
            i += 1
        else:
            break
    return args[:i], args[i:]


def _date_option(option: str, value: str) -> str:
    """A date given on the command line, as ISO 8601; a bad one is an error
    naming the option and the value."""
    from briefer.library import normalize

    try:
        return normalize.parse_date(value)
    except ValueError as exc:
        raise BrieferError(f"{option}: {exc}") from None


def _since_option(value: str | None) -> None:
    from briefer.library import normalize

    if value is not None:
        try:
            normalize.as_timestamp(value)
        except ValueError as exc:
            raise BrieferError(f"--since: {exc}") from None


def _no_subcommand(args: argparse.Namespace, ctx: CliContext) -> int:
    args.snippets_parser.print_help(ctx.stdout)
    return 2


def _add(args: argparse.Namespace, ctx: CliContext) -> int:
    from briefer.library import Source

    published = _date_option("--published", args.published)
    accessed = _date_option("--accessed", args.accessed)
    text = args.text if args.text not in (None, "-") else _read_stdin(ctx.stdin)
    if not text.strip():
        raise BrieferError("no text given (use --text or pipe it to standard input)")
    source = Source(
        title=args.title,
        publisher=args.publisher,
        author=args.author,
        url=args.url,
        published=published,
        accessed=accessed,
    )
    with open_library(args, ctx) as lib:
        result = lib.add(text, source, note=args.note, tags=args.tag, collection=args.collection)
    if result.duplicate:
        ctx.info(f"duplicate: snippet {result.snippet.id} already has this text from this source")
    else:
        ctx.info(f"added snippet {result.snippet.id}")
    return 0


# The most `snippets add` reads from standard input: a snippet is a quote,
# and a longer text is better imported as a file (`--whole` keeps it one).
MAX_STDIN_BYTES = 16 * 1024 * 1024


def _read_stdin(stream: TextIO) -> str:
    """The text piped to `snippets add`: at most MAX_STDIN_BYTES (so `<
    /dev/zero` is refused, not read for ever), and UTF-8 (or UTF-16 with a
    BOM), as in a file import; anything else is refused, never stored with
    characters dropped."""
    from briefer.library.importers import ImportFileError, decode_text

    too_long = (
        f"standard input: more than {MAX_STDIN_BYTES // (1024 * 1024)} MB; a longer text"
        " is imported as a file (`briefer snippets import FILE --whole`)"
    )
    raw = getattr(stream, "buffer", None)
    if raw is None:  # a text stream with no bytes under it (a test's StringIO)
        text = stream.read(MAX_STDIN_BYTES + 1)
        if len(text.encode("utf-8", "surrogatepass")) > MAX_STDIN_BYTES:
            raise BrieferError(too_long)
        data = text.encode("utf-8", "surrogateescape")
    else:
        data = raw.read(MAX_STDIN_BYTES + 1)
        if len(data) > MAX_STDIN_BYTES:
            raise BrieferError(too_long)
    try:
        return decode_text(data)
    except (ImportFileError, UnicodeError) as exc:
        # "not UTF-8 text (line 2)", without the advice meant for a file.
        reason = str(exc).partition(";")[0] if isinstance(exc, ImportFileError) else ""
        reason = reason or "not UTF-8 text"
        raise BrieferError(f"standard input: {reason}; nothing was stored") from None


class _ProgressBar:
    """A one-line progress bar on a terminal, `[####------]  40% Storing
    notes.jsonl`; silent anywhere else. A `briefer.jobs.ProgressCallback`."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.last = 0.0
        self.what = ""
        self.shown = False

    def __call__(self, progress: Progress) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        # Redrawn at most ten times a second, but at once when a new step
        # starts, so each step is seen however quick it is.
        new_step = progress.what != self.what
        finished = progress.total > 0 and progress.done >= progress.total
        if not (new_step or finished) and now - self.last < 0.1:
            return
        self.last, self.what = now, progress.what
        fraction = progress.fraction or 0.0
        width = 30
        filled = int(width * fraction)
        bar = "#" * filled + "-" * (width - filled)
        what = _terminal_safe(progress.what)
        # \x1b[K clears what is left of a longer previous line.
        self.stream.write(f"\r[{bar}] {fraction:4.0%} {what}\x1b[K")
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _import(args: argparse.Namespace, ctx: CliContext) -> int:
    """Import each file in turn. A file that cannot be used at all is one
    error line (and exit status 2 at the end); the others still import."""
    failed = 0
    with open_library(args, ctx) as lib:
        for path in args.files:
            bar = _ProgressBar(ctx.stderr, not args.quiet and _is_tty(ctx.stderr))
            try:
                report = lib.import_file(
                    path, progress=bar, whole=args.whole, tags=args.tag, collection=args.collection
                )
            finally:
                bar.finish()
            if report.failed:
                failed += 1
                ctx.stderr.write(f"briefer: error: {_terminal_safe(report.summary())}\n")
                continue
            ctx.info(report.summary())
            shown = [] if args.quiet else report.rejected
            for rejection in shown[:50]:
                ctx.warn(f"{path}:{rejection.line}: {_terminal_safe(rejection.reason)}")
            if len(shown) > 50:
                ctx.warn(f"{path}: {len(shown) - 50} more rejected rows not shown")
    return 2 if failed else 0


def _snippet_json(snippet: Snippet) -> dict[str, Any]:
    from briefer.library.store import snippet_to_json

    data = snippet_to_json(snippet)
    if snippet.deleted:
        data["deleted"] = snippet.deleted
    return data


def _hit_json(hit: Hit) -> dict[str, Any]:
    data = _snippet_json(hit.snippet)
    data["score"] = round(hit.score, 6)
    data["fragment"] = {
        "text": hit.fragment.text,
        "highlights": [list(span) for span in hit.fragment.highlights],
        "field": hit.fragment.field,
    }
    return data


def _source_line(snippet: Snippet) -> str:
    src = snippet.source
    bits = [b for b in (src.title, src.publisher, src.published) if b]
    return " · ".join(bits) if bits else "(no source)"


def _terminal_safe(text: str) -> str:
    return "".join(ch if ch.isprintable() or ch == "\n" else " " for ch in text)


def _whole_number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise BrieferError(f"search: --limit needs a number, not {value!r}") from None


# Options `search` takes after its words: name -> (attribute, conversion).
_SEARCH_VALUE_OPTIONS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "--limit": ("limit", _whole_number),
    "--collection": ("collection", str),
    "--since": ("since", str),
    "--library": ("library", _location),
}


def _split_search_words(args: argparse.Namespace) -> str:
    """The query words, taking out options given after them (the parser leaves
    everything from the first word on to us, so `-exclude` words stay words);
    after a `--` everything is words."""
    words: list[str] = []
    tokens = list(args.query)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        name, eq, inline = token.partition("=")
        if token == "--":
            words.extend(tokens[i + 1 :])
            break
        if token == "--json":
            args.json = True
        elif name in _SEARCH_VALUE_OPTIONS or name == "--tag":
            value = inline if eq else (tokens[i + 1] if i + 1 < len(tokens) else None)
            if value is None:
                raise BrieferError(f"search: {name} needs a value")
            i += 0 if eq else 1
            if name == "--tag":
                args.tag.append(value)
            else:
                attribute, convert = _SEARCH_VALUE_OPTIONS[name]
                setattr(args, attribute, convert(value))
        else:
            words.append(token)
        i += 1
    if not words:
        raise BrieferError('search: give a query (words, "a phrase", tag:x, ...)')
    return " ".join(words)


def _search(args: argparse.Namespace, ctx: CliContext) -> int:
    from briefer.library.query import parse_query

    query = _split_search_words(args)
    _since_option(args.since)
    problems = parse_query(query).problems
    if problems:
        raise BrieferError(problems[0])
    with open_library(args, ctx) as lib:
        hits = lib.search(
            query,
            limit=max(1, args.limit),
            tags=args.tag,
            collection=args.collection,
            since=args.since,
        )
        nothing = "" if hits else _why_nothing(lib, "no matches", trash=False)
    if args.json:
        json.dump([_hit_json(h) for h in hits], ctx.stdout, ensure_ascii=False, indent=1)
        ctx.stdout.write("\n")
        return 0
    tty = _is_tty(ctx.stdout)
    for hit in hits:
        frag = hit.fragment
        if tty:
            parts = [
                f"{_BOLD}{_terminal_safe(t)}{_RESET}" if mark else _terminal_safe(t)
                for t, mark in frag.highlighted()
            ]
            text = "".join(parts)
        else:
            text = _terminal_safe(frag.text)
        where = "" if frag.field in ("text", "") else f" ({frag.field})"
        ctx.info(f"{hit.snippet.id:>6}  {_terminal_safe(_source_line(hit.snippet))}{where}")
        ctx.info(f"        {text}")
    if nothing:
        ctx.info(nothing)
    return 0


def _why_nothing(lib: Library, no_match: str, *, trash: bool) -> str:
    """What to say when a search or list finds nothing: that the library (or
    the trash) is empty, naming the file, or else `no_match`."""
    if trash:
        return "the trash is empty" if not lib.count(trash=True) else no_match
    if lib.count():
        return no_match
    in_trash = lib.count(trash=True)
    if in_trash:
        return (
            f"the library has no snippets outside the trash ({in_trash} in it:"
            " `briefer snippets list --trash`)"
        )
    return (
        f"the library is empty ({lib.path}); add snippets with `briefer snippets add`"
        " or `briefer snippets import FILE`"
    )


def _print_snippets(snippets: list[Snippet], args: argparse.Namespace, ctx: CliContext) -> None:
    if args.json:
        json.dump([_snippet_json(s) for s in snippets], ctx.stdout, ensure_ascii=False, indent=1)
        ctx.stdout.write("\n")
        return
    for snippet in snippets:
        text = " ".join(snippet.text.split())
        short = text if len(text) <= 100 else text[:99] + "…"
        tags = f"  [{', '.join(snippet.tags)}]" if snippet.tags else ""
        ctx.info(f"{snippet.id:>6}  {_terminal_safe(_source_line(snippet))}{_terminal_safe(tags)}")
        ctx.info(f"        {_terminal_safe(short)}")


def _list(args: argparse.Namespace, ctx: CliContext) -> int:
    _since_option(args.since)
    with open_library(args, ctx) as lib:
        snippets = lib.list(
            tags=args.tag,
            collection=args.collection,
            since=args.since,
            trash=args.trash,
            limit=max(1, args.limit),
        )
        nothing = "" if snippets else _why_nothing(lib, "no snippets match", trash=args.trash)
    _print_snippets(snippets, args, ctx)
    if nothing and not args.json:
        ctx.info(nothing)
    return 0


def _show(args: argparse.Namespace, ctx: CliContext) -> int:
    with open_library(args, ctx) as lib:
        snippet = lib.get(args.id)
    if args.json:
        json.dump(_snippet_json(snippet), ctx.stdout, ensure_ascii=False, indent=1)
        ctx.stdout.write("\n")
        return 0
    src = snippet.source
    rows = [
        ("id", str(snippet.id)),
        ("title", src.title),
        ("publisher", src.publisher),
        ("author", src.author),
        ("url", src.url),
        ("published", src.published),
        ("accessed", src.accessed),
        ("tags", ", ".join(snippet.tags)),
        ("collection", snippet.collection),
        ("note", snippet.note),
        ("added", snippet.created),
        ("modified", snippet.modified),
        ("in trash since", snippet.deleted),
    ]
    for label, value in rows:
        if value:
            ctx.info(f"{label + ':':<16}{_terminal_safe(value)}")
    ctx.info("")
    ctx.info(_terminal_safe(snippet.text))
    return 0


def _tag(args: argparse.Namespace, ctx: CliContext) -> int:
    with open_library(args, ctx) as lib:
        current = lib.get(args.id)
        if args.remove:
            drop = {t.casefold() for t in args.tags}
            tags = [t for t in current.tags if t.casefold() not in drop]
        else:
            tags = [*current.tags, *args.tags]
        snippet = lib.update(args.id, tags=tags)
    ctx.info(f"snippet {snippet.id}: tags {', '.join(snippet.tags) or '(none)'}")
    return 0


def _delete(args: argparse.Namespace, ctx: CliContext) -> int:
    return _move(args, ctx, to_trash=True)


def _restore(args: argparse.Namespace, ctx: CliContext) -> int:
    return _move(args, ctx, to_trash=False)


def _move(args: argparse.Namespace, ctx: CliContext, *, to_trash: bool) -> int:
    """`delete` / `restore` each id. One already where it was asked to go is
    said so (not an error: it is where the user wants it); an unknown id is an
    error line, the other ids are still done, and the exit status is 2."""
    from briefer.library import LibraryError

    unknown = 0
    with open_library(args, ctx) as lib:
        for snippet_id in args.ids:
            try:
                snippet = lib.get(snippet_id)
            except LibraryError as exc:
                unknown += 1
                ctx.stderr.write(f"briefer: error: {exc}\n")
                continue
            if to_trash and snippet.in_trash:
                ctx.info(f"snippet {snippet_id} is already in the trash")
            elif to_trash:
                lib.delete(snippet_id)
                ctx.info(f"snippet {snippet_id} moved to the trash")
            elif not snippet.in_trash:
                ctx.info(f"snippet {snippet_id} is not in the trash (nothing to restore)")
            else:
                lib.restore(snippet_id)
                ctx.info(f"snippet {snippet_id} restored")
    return 2 if unknown else 0


def _export(args: argparse.Namespace, ctx: CliContext) -> int:
    target: Path = args.file
    if target.is_dir():
        raise BrieferError(f"{target} is a folder; give a file name ending in .jsonl")
    if not target.parent.is_dir():
        raise BrieferError(f"no such folder: {target.parent}")
    if args.salvage:
        return _salvage(args, ctx, target)
    with open_library(args, ctx) as lib:
        count = lib.export(target)
    ctx.info(f"exported {count} snippets to {target}")
    return 0


def _library_path(args: argparse.Namespace, ctx: CliContext) -> Path:
    """The library file `check` and `export --salvage` look at (they read
    the file itself, not a library opened through Briefer)."""
    location = library_location(args, ctx)
    if isinstance(location, str):
        raise BrieferError(
            f"{_shown(location)}: --salvage reads a damaged library file; a team library is"
            " exported with `briefer snippets export FILE`"
        )
    return Path(location).expanduser()


def _shown(location: str | Path) -> str:
    from briefer.library.location import shown

    return _terminal_safe(shown(location))


def _salvage(args: argparse.Namespace, ctx: CliContext, target: Path) -> int:
    """`export --salvage`: what a damaged library still holds, read id by
    id, without opening it as a library (which might try to change it)."""
    from briefer.library.check import salvage

    report = salvage(_library_path(args, ctx), target)
    ctx.info(f"exported {report.exported} snippets to {target}")
    if report.partial:
        ctx.warn(
            f"{report.partial} of them without their source, tags or collection"
            " (those could not be read)"
        )
    if report.lost:
        ctx.warn(f"{report.lost} snippets could not be read and are not in {target}")
    return 0


def _check(args: argparse.Namespace, ctx: CliContext) -> int:
    """`check [--repair]`: ok (exit 0), or what is damaged and the way back
    (exit 2); `--repair` rebuilds damaged indexes, then checks again."""
    from briefer.library.check import check_library, repair_indexes

    location = library_location(args, ctx)
    if isinstance(location, str):
        return _check_team(args, ctx, location)
    path = _library_path(args, ctx)
    shown = _terminal_safe(str(path))
    report = check_library(path)
    repaired = args.repair and report.repairable
    if repaired:
        report = repair_indexes(path, report)
    if report.ok:
        count = report.snippets
        count = "" if count is None else f" ({count} snippet{'' if count == 1 else 's'})"
        ctx.info(f"{shown}: {'repaired; ' if repaired else ''}ok{count}")
        return 0
    if args.repair and not repaired:
        ctx.warn("--repair rebuilds indexes in place, and this damage is not of that kind")
    ctx.info(f"{shown}: damaged")
    for damage in report.damage:
        ctx.info(f"  {damage.part}: {_terminal_safe(damage.detail)}")
    for line in _recovery(report, path):
        ctx.info(_terminal_safe(line))
    parts = ", ".join(d.part for d in report.damage)
    ctx.stderr.write(f"briefer: error: {shown}: damaged: {parts}\n")
    return 2


def _recovery(report: CheckReport, path: Path) -> list[str]:
    """What to run to get back to a sound library, given what is damaged."""
    import shlex

    from briefer.library.check import DamageKind

    library = f"briefer snippets --library {shlex.quote(str(path))}"
    new = shlex.quote(str(path.with_name(f"{path.stem}-new{path.suffix}")))
    if report.repairable:
        return [
            "The snippets themselves are whole. Rebuild what is damaged from them:",
            f"  {library} check --repair",
        ]
    if report.data_intact:
        return [
            "The snippets themselves are whole, but the index cannot be rebuilt in place."
            " Copy them to a new library:",
            f"  {library} export all.jsonl",
            f"  briefer snippets --library {new} import all.jsonl",
        ]
    if any(d.kind is DamageKind.SCHEMA for d in report.damage):
        return [
            "Briefer cannot read anything in it: restore the file from a backup (the"
            " `.recover` command of the sqlite3 program may find some of it)."
        ]
    return [
        "Some snippets cannot be read. Copy out all that can into a new library, and"
        " keep the damaged file until you have looked through the new one:",
        f"  {library} export --salvage rescued.jsonl",
        f"  briefer snippets --library {new} import rescued.jsonl",
    ]


def _check_team(args: argparse.Namespace, ctx: CliContext, url: str) -> int:
    """`check` of a team library: its schema and what the database keeps
    in step (the copies of sources and tags the search index is made of)."""
    with open_location(url, ctx) as lib:
        problems = lib.check(repair=args.repair)  # type: ignore[union-attr]
        count = lib.count() + lib.count(trash=True)
        shown = _shown(lib.path)
    if not problems:
        repaired = "repaired; " if args.repair else ""
        ctx.info(f"{shown}: {repaired}ok ({count} snippet{'' if count == 1 else 's'})")
        return 0
    ctx.info(f"{shown}: out of step")
    for problem in problems:
        ctx.info(f"  {_terminal_safe(problem)}")
    ctx.info(f"Bring it back in step with: briefer snippets --library {shown} check --repair")
    ctx.stderr.write(f"briefer: error: {shown}: {len(problems)} problem(s) found\n")
    return 2


def _init_team(args: argparse.Namespace, ctx: CliContext) -> int:
    from briefer.library.location import is_team_location
    from briefer.library.pg_store import init_team

    if not is_team_location(args.url):
        raise BrieferError(f"init-team: {args.url!r} is not a postgresql:// URL")
    report = init_team(
        args.url, readers=args.reader, writers=args.writer, prompt=_password_prompt(ctx)
    )
    shown = _terminal_safe(report.location)
    if report.before == 0:
        ctx.info(f"{shown}: team library created (schema {report.after})")
    elif report.before < report.after:
        ctx.info(f"{shown}: team library upgraded from schema {report.before} to {report.after}")
    else:
        ctx.info(f"{shown}: already a team library (schema {report.after}); nothing to upgrade")
    for role in report.readers:
        ctx.info(f"  {_terminal_safe(role)} may search and cite")
    for role in report.writers:
        ctx.info(f"  {_terminal_safe(role)} may search, cite and change")
    return 0


def _copy(args: argparse.Namespace, ctx: CliContext) -> int:
    """`copy --from LIB --to LIB [QUERY]`: the live snippets (or a search's
    hits), with sources, tags and collections, in one transaction."""
    from briefer.library.copying import copy_snippets
    from briefer.library.query import parse_query

    query = " ".join(args.query)
    problems = parse_query(query).problems if query else ()
    if problems:
        raise BrieferError(problems[0])
    if _shown(args.source) == _shown(args.target):
        raise BrieferError("copy: --from and --to are the same library")
    with (
        open_location(args.source, ctx, must_exist=True) as source,
        open_location(args.target, ctx) as target,
    ):
        bar = _ProgressBar(ctx.stderr, _is_tty(ctx.stderr))
        try:
            report = copy_snippets(source, target, query, progress=bar)
        finally:
            bar.finish()
    what = f"matching {query!r} " if query else ""
    ctx.info(
        f"copied {report.added + report.duplicates} snippets {_terminal_safe(what)}from"
        f" {_shown(args.source)} to {_shown(args.target)}: {report.added} added,"
        f" {report.duplicates} already there"
    )
    for rejection in report.rejected[:50]:
        ctx.warn(f"snippet {rejection.line}: {_terminal_safe(rejection.reason)}")
    return 0
