"""`briefer export`.

`export` takes one or more `.brief` or Markdown files. With `-o` it writes
one file whose extension picks the format (unless `--format` says); with
`--outdir` (batch work) each input becomes `<outdir>/<stem>.<ext>`; with
neither, the output sits beside the input. Inputs with the same file name
from different folders take their folder's name in front. Every output is
written atomically. In a batch, each input that fails is reported on its own
line naming it, and the rest still export: a user error as one line, a
failure of the machine (a full disk) in plain words, and anything unexpected
(a bug) logged to its own crash log, which the line names. A summary closes
a batch with failures (`exported 2 of 3; 1 failed`); the exit status is 1 if
an input failed unexpectedly, else 2 if any failed. `--reference` gives
both exports an organisation's look: its Word styles are the DOCX's, and
the PDF draws the same fonts, sizes, colours and spacing (styles it lacks
are named in a warning, once). `--template` takes a template id, a folder
or a shared template's .zip, which is checked and unpacked into a temporary
folder for the run, never installed.
"""

from __future__ import annotations

import argparse
import gc
import os
from pathlib import Path

# The top level's own reporting, so a failed input in a batch reads as a
# failed command would.
from briefer.cli import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    machine_problem,
    one_line,
    report_crash,
    say,
)
from briefer.errors import BrieferError
from briefer.export import available_formats, extension_for, format_for_path
from briefer.markup import MarkdownParser
from briefer.pipeline import ExportSettings, export_many, load_input, warnings_of
from briefer.templates import TemplateRegistry, check_reference, house_style_of


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
    export.add_argument(
        "--format",
        metavar="FORMATS",
        help=f"output format, or several joined by commas ({', '.join(available_formats())},"
        f" {','.join(available_formats())})",
    )
    export.add_argument(
        "--template",
        metavar="ID|DIR|ZIP",
        help="template id, folder or shared .zip (overrides the brief's)",
    )
    export.add_argument(
        "--reference",
        type=Path,
        metavar="WORD.docx",
        help="a .docx or .dotx whose house style both exports take",
    )
    export.set_defaults(handler=run_export)


def _formats(args: argparse.Namespace) -> list[str]:
    """The formats asked for: `--format docx,pdf`, else the output's extension,
    else DOCX."""
    if args.format:
        known = available_formats()
        formats = list(dict.fromkeys(f.strip().lower() for f in args.format.split(",")))
        for fmt in formats:
            if fmt not in known:
                raise BrieferError(f"--format: unknown format {fmt!r} (known: {', '.join(known)})")
        if args.output is not None:
            if len(formats) > 1:
                raise BrieferError(
                    "-o names one file; use --outdir (or neither) to write several formats"
                )
            implied = format_for_path(args.output)
            if implied is not None and implied != formats[0]:
                raise BrieferError(
                    f"{args.output}: the name says {implied} but --format says {formats[0]};"
                    f" name the file .{formats[0]} or drop --format"
                )
        return formats
    if args.output is not None:
        fmt = format_for_path(args.output)
        if fmt is None:
            known = ", ".join(available_formats())
            raise BrieferError(
                f"{args.output}: cannot tell the format from the extension; use --format ({known})"
            )
        return [fmt]
    return ["docx"]


def run_export(args: argparse.Namespace, ctx) -> int:
    template = args.template
    if template and template.lower().endswith(".zip") and not Path(template).is_dir():
        from briefer.template_share import opened_package  # only for a shared template

        # A shared template, unpacked (checked, within bounds) for this run only.
        with opened_package(Path(template)) as folder:
            args.template = str(folder)
            return _run_export(args, ctx)
    return _run_export(args, ctx)


def _run_export(args: argparse.Namespace, ctx) -> int:
    formats = _formats(args)
    inputs: list[Path] = args.inputs
    if args.output is not None and len(inputs) > 1:
        raise BrieferError("-o takes one input; use --outdir for several")
    if args.outdir is not None:
        if args.outdir.exists() and not args.outdir.is_dir():
            raise BrieferError(f"{args.outdir}: not a folder")
        args.outdir.mkdir(parents=True, exist_ok=True)
    if args.reference is not None:
        check_reference(args.reference)  # once, not once per input
        try:
            house = house_style_of(args.reference)
        except BrieferError:
            house = None  # each input says why, naming itself, as any failure does
        # Once, not once per input: the styles the base lacks (made from the
        # template's look in both exports), and what it says that cannot be kept.
        for message in house.messages() if house is not None else ():
            ctx.warn(message)

    registry = TemplateRegistry(ctx.paths)
    parser = MarkdownParser()
    settings = ExportSettings.from_env(ctx.paths)
    failures = crashes = 0
    outputs = {fmt: _outputs(inputs, args, extension_for(fmt)) for fmt in formats}
    for index, source in enumerate(inputs):
        if index and not gc.isenabled():
            gc.collect()  # the launcher pauses the collector; a batch still frees memory
        targets = [(outputs[fmt][index], fmt) for fmt in formats]
        try:
            for output, _ in targets:
                if os.path.realpath(output) == os.path.realpath(source):
                    raise BrieferError("the output would replace its own input")
            loaded = load_input(source, registry, args.template, args.reference)
            results = export_many(
                loaded.brief,
                loaded.template,
                targets,
                base_dir=loaded.path.parent,
                settings=settings,
                parser=parser,
                source=loaded.path,
            )
        except BrieferError as exc:
            message = _naming(source, str(exc))
            if len(inputs) == 1:
                raise BrieferError(message) from exc
            failures += 1
            say(ctx, f"briefer: error: {message}")
            continue
        except Exception as exc:
            if len(inputs) == 1:
                raise  # the top level reports it, as for any command
            # One input's failure, even a bug's, must not cost the others
            # their exports: report it as the top level would, naming it.
            failures += 1
            problem = machine_problem(exc, args, ctx)
            if problem is not None:
                say(ctx, f"briefer: error: {_naming(source, problem)}")
                continue
            crashes += 1
            report = report_crash(ctx.paths, exc).removeprefix("briefer: ")
            say(ctx, f"briefer: {_naming(source, report)}")
            continue
        for warning in warnings_of(results):
            ctx.warn(f"{source}: {warning}")
        for result in results:
            ctx.info(str(result.output))
    if not failures:
        return EXIT_OK
    exported = len(inputs) - failures
    say(ctx, f"briefer: exported {exported} of {len(inputs)}; {failures} failed")
    return EXIT_FAILURE if crashes else EXIT_USAGE


def _naming(source: Path, message: str) -> str:
    """`message` on one line, starting with the input it is about."""
    message = one_line(message)
    return message if message.startswith(str(source)) else f"{source}: {message}"


def _outputs(inputs: list[Path], args: argparse.Namespace, extension: str) -> list[Path]:
    """Where each input is written. In a batch, inputs that share a name
    (`a/sample.brief`, `b/sample.brief`) take their folder's name in front
    (`a-sample.docx`, `b-sample.docx`) rather than overwrite each other."""
    if args.output is not None:
        return [args.output]
    if args.outdir is None:
        return [source.with_suffix(extension) for source in inputs]
    stems = [source.stem for source in inputs]
    names = []
    for source, stem in zip(inputs, stems, strict=True):
        if stems.count(stem) > 1:
            folder = source.resolve().parent.name
            stem = f"{folder}-{stem}" if folder else stem
        names.append(stem)
    clashes = sorted({name for name in names if names.count(name) > 1})
    if clashes:
        same = [str(s) for s, n in zip(inputs, names, strict=True) if n == clashes[0]]
        raise BrieferError(f"{' and '.join(same)} would both be written as {clashes[0]}{extension}")
    return [args.outdir / (name + extension) for name in names]
