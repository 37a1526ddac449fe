"""`briefer export` and `briefer new`.

`export` takes one or more `.brief` or Markdown files. With `-o` it writes
one file whose extension picks the format (unless `--format` says); with
`--outdir` (batch work) each input becomes `<outdir>/<stem>.<ext>`; with
neither, the output sits beside the input. Every output is written
atomically. In a batch, a bad input is reported and the rest still export;
the exit status is 2 if any input failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
from pathlib import Path

from briefer.briefs import new_brief, save_brief
from briefer.compose import creation_time_from_env
from briefer.errors import BrieferError
from briefer.export import available_formats, extension_for, format_for_path
from briefer.markup import MarkdownParser
from briefer.pipeline import export_brief, load_input
from briefer.templates import TemplateRegistry


def register(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser(
        "export",
        help="export briefs or Markdown files to DOCX or PDF",
        description="Export .brief or Markdown files to DOCX or PDF.",
    )
    export.add_argument("inputs", nargs="+", metavar="INPUT", type=Path, help=".brief or .md files")
    where = export.add_mutually_exclusive_group()
    where.add_argument("-o", "--output", type=Path, metavar="OUT", help="the output file")
    where.add_argument("--outdir", type=Path, metavar="DIR", help="folder for the outputs (batch)")
    export.add_argument("--format", choices=["docx", "pdf"], help="output format")
    export.add_argument(
        "--template", metavar="ID|DIR", help="template id or folder (overrides the brief's)"
    )
    export.add_argument(
        "--reference",
        type=Path,
        metavar="WORD.docx",
        help="a .docx or .dotx whose Word styles to use",
    )
    export.set_defaults(handler=run_export)

    new = sub.add_parser("new", help="create an empty brief from a template")
    new.add_argument("--template", required=True, metavar="ID|DIR")
    new.add_argument("--title", default="")
    new.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.brief")
    new.add_argument("--force", action="store_true", help="overwrite an existing file")
    new.set_defaults(handler=run_new)


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    if args.output is not None:
        fmt = format_for_path(args.output)
        if fmt is None:
            known = ", ".join(available_formats())
            raise BrieferError(
                f"{args.output}: cannot tell the format from the extension; use --format ({known})"
            )
        return fmt
    return "docx"


def run_export(args: argparse.Namespace, ctx) -> int:
    fmt = _format(args)
    inputs: list[Path] = args.inputs
    if args.output is not None and len(inputs) > 1:
        raise BrieferError("-o takes one input; use --outdir for several")
    if args.outdir is not None:
        if args.outdir.exists() and not args.outdir.is_dir():
            raise BrieferError(f"{args.outdir}: not a folder")
        args.outdir.mkdir(parents=True, exist_ok=True)
    if args.reference is not None and not args.reference.is_file():
        raise BrieferError(f"{args.reference}: no such file")

    registry = TemplateRegistry(ctx.paths)
    parser = MarkdownParser()
    created, deterministic = creation_time_from_env()
    extension = extension_for(fmt)
    failures = 0
    targets: set[Path] = set()
    for index, source in enumerate(inputs):
        if index and not gc.isenabled():
            gc.collect()  # the launcher pauses the collector; a batch still frees memory
        if args.output is not None:
            output = args.output
        elif args.outdir is not None:
            output = args.outdir / (source.stem + extension)
        else:
            output = source.with_suffix(extension)
        try:
            if output.resolve() in targets:
                raise BrieferError(f"{output}: two inputs would write the same file")
            targets.add(output.resolve())
            if output.resolve() == source.resolve():
                raise BrieferError(f"{output}: the output would replace its own input")
            loaded = load_input(source, registry, args.template, args.reference)
            result = export_brief(
                loaded, output, fmt, parser=parser, created=created, deterministic=deterministic
            )
        except BrieferError as exc:
            if len(inputs) == 1:
                raise
            failures += 1
            print(f"briefer: error: {' '.join(str(exc).split())}", file=ctx.stderr)
            continue
        for warning in result.warnings:
            ctx.warn(f"{source}: {warning}")
        ctx.info(str(result.output))
    if failures:
        print(f"briefer: {failures} of {len(inputs)} inputs failed", file=ctx.stderr)
        return 2
    return 0


def run_new(args: argparse.Namespace, ctx) -> int:
    output: Path = args.output
    if output.suffix.lower() != ".brief":
        raise BrieferError(f"{output}: a brief's file name must end in .brief")
    if output.exists() and not args.force:
        raise BrieferError(f"{output}: already exists (use --force to replace it)")
    if not output.parent.exists():
        raise BrieferError(f"{output.parent}: no such folder")
    template = TemplateRegistry(ctx.paths).get(args.template)
    brief = new_brief(template, title=args.title, date=dt.date.today().isoformat())
    save_brief(brief, output)
    ctx.info(str(output))
    return 0
