"""`briefer templates list | show ID | check DIR`.

`check` reports every problem it finds, each on its own line naming the file
and the element (`briefer: error: DIR/template.toml: style.margins_mm[0]: 120
is more than 100 ...`), then a summary; the exit status is 2 when there is
an error and 0 when there are warnings only.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from briefer.errors import BrieferError
from briefer.model import Template
from briefer.templates import TemplateRegistry


def register(sub: argparse._SubParsersAction) -> None:
    templates = sub.add_parser("templates", help="list, show and check templates")
    actions = templates.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="list the templates").set_defaults(handler=run_list)
    show = actions.add_parser("show", help="show one template's sections and style")
    show.add_argument("template", metavar="ID|DIR")
    show.set_defaults(handler=run_show)
    check = actions.add_parser(
        "check",
        help="validate a template folder",
        description=(
            "Check a template folder for everything an export would find: template.toml,"
            " its Word base, its fonts and its sample brief. Every problem is listed;"
            " the exit status is 2 if any is an error."
        ),
    )
    check.add_argument("folder", type=Path, metavar="DIR")
    check.set_defaults(handler=run_check)


def run_list(args: argparse.Namespace, ctx) -> int:
    templates, problems = TemplateRegistry(ctx.paths).scan()
    width = max((len(t.id) for t in templates), default=0)
    for template in templates:
        origin = "built-in" if template.builtin else "user"
        ctx.info(f"{template.id:<{width}}  {template.name} ({origin}): {template.description}")
    for problem in problems:
        ctx.warn(f"skipped {problem.folder}: {problem.message}")
    return 0


def describe(template: Template) -> list[str]:
    style = template.style
    margins = ", ".join(f"{m:g}" for m in style.margins_mm)
    lines = [
        f"{template.name} ({template.id}, version {template.version})",
        template.description,
        f"folder: {template.directory}",
        "",
        "sections:",
    ]
    for spec in template.sections:
        flags = [spec.kind.value]
        if spec.required:
            flags.append("required")
        if spec.max_words:
            flags.append(f"<= {spec.max_words} words")
        heading = spec.heading or "(no heading)"
        lines.append(f"  {spec.id}: {heading} [{', '.join(flags)}]")
        if spec.guidance:
            lines.append(f"      {spec.guidance}")
    lines += [
        "",
        "style:",
        f"  page: {style.page_size.value}, margins {margins} mm",
        f"  fonts: {style.body_font} {style.body_size_pt:g} pt, headings {style.heading_font}",
        f"  accent: {style.accent}; headings as {style.heading_look.value}",
        f"  citations: {style.citations.value}; banner: {'yes' if style.banner else 'no'}",
        f"  header: {style.header!r}; footer: {style.footer!r}",
    ]
    if style.logo:
        lines.append(f"  logo: {style.logo.name}")
    if style.reference_docx:
        lines.append(f"  Word styles from: {style.reference_docx.name}")
    return lines


def run_show(args: argparse.Namespace, ctx) -> int:
    template = TemplateRegistry(ctx.paths).get(args.template)
    for line in describe(template):
        ctx.info(line)
    return 0


def run_check(args: argparse.Namespace, ctx) -> int:
    from briefer.pipeline import ExportSettings, check_template

    if not args.folder.is_dir():
        raise BrieferError(f"{args.folder}: not a folder")
    report = check_template(args.folder, ExportSettings.from_env(ctx.paths))
    for problem in report.problems:
        print(f"briefer: {problem.severity.value}: {problem}", file=ctx.stderr)
    errors, warnings = len(report.errors), len(report.warnings)
    if errors:
        ctx.info(f"{args.folder}: {_count(errors, 'error')}, {_count(warnings, 'warning')}")
        return 2
    template = report.template
    assert template is not None  # a template that could not be read is an error
    also = f", {_count(warnings, 'warning')}" if warnings else ""
    sections = _count(len(template.sections), "section")
    ctx.info(f"{args.folder}: ok ({template.id}, {sections}{also})")
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
