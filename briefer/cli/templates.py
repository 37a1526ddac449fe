"""`briefer templates list | show | check | save | import | export | delete |
duplicate | rename`.

`check DIR|ZIP` reports every problem it finds, each on its own line naming
the file and the element (`briefer: error: DIR/template.toml:
style.margins_mm[0]: 120 is more than 100 ...`), then a summary; the exit
status is 2 when there is an error and 0 when there are warnings only.
`import` checks the same way and imports nothing unless the whole template
passes; it lists every error like `check`. `save` makes a template of a
brief (`--house-style` takes the look of an organisation's Word document or
template), `export` writes one as a .zip for a colleague, and `delete`,
`duplicate` and `rename` manage the person's own templates (a built-in one
is overridden by a copy under its own id, and back once the copy is
deleted).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from briefer.cli import one_line
from briefer.errors import BrieferError
from briefer.model import Template, TextLook
from briefer.templates import Problem, TemplateRegistry


def register(sub: argparse._SubParsersAction) -> None:
    templates = sub.add_parser(
        "templates", help="list, show, check, save, import, export and delete templates"
    )
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
    check.add_argument("folder", type=Path, metavar="DIR|ZIP")
    check.set_defaults(handler=run_check)

    save = actions.add_parser(
        "save",
        help="make a template of a brief",
        description=(
            "Save a brief's sections (headings, order, kinds, guidance, budgets) and its"
            " template's style as a template of your own."
        ),
    )
    save.add_argument("brief", type=Path, metavar="BRIEF", help="a .brief or Markdown file")
    save.add_argument("--id", required=True, dest="template_id", help="the new template's id")
    save.add_argument("--name", required=True, help="the new template's name")
    save.add_argument("--description", default="", help="a line saying what it is for")
    save.add_argument(
        "--with-sample", action="store_true", help="keep the brief as the template's sample"
    )
    save.add_argument(
        "--house-style",
        type=Path,
        metavar="WORD.docx",
        help="take the look of an organisation's .docx or .dotx (both exports follow it)",
    )
    save.add_argument("--replace", action="store_true", help="replace your template of that id")
    save.set_defaults(handler=run_save)

    import_ = actions.add_parser(
        "import",
        help="import a template from a .zip or a folder",
        description=(
            "Check a shared template whole (its files, template.toml, Word base, fonts and"
            " sample) and import it into your templates only if it passes."
        ),
    )
    import_.add_argument("source", type=Path, metavar="ZIP|DIR")
    import_.add_argument("--replace", action="store_true", help="replace your template of that id")
    import_.set_defaults(handler=run_import)

    export = actions.add_parser("export", help="write a template as a .zip to share")
    export.add_argument("template", metavar="ID|DIR")
    export.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.zip")
    export.set_defaults(handler=run_export)

    delete = actions.add_parser("delete", help="delete one of your templates")
    delete.add_argument("template_id", metavar="ID")
    delete.set_defaults(handler=run_delete)

    duplicate = actions.add_parser("duplicate", help="copy a template as one of your own")
    duplicate.add_argument("template_id", metavar="ID")
    duplicate.add_argument("--id", required=True, dest="new_id", help="the copy's id")
    duplicate.add_argument("--name", required=True, help="the copy's name")
    duplicate.set_defaults(handler=run_duplicate)

    rename = actions.add_parser("rename", help="give one of your templates another name")
    rename.add_argument("template_id", metavar="ID")
    rename.add_argument("--name", required=True, help="the new name")
    rename.set_defaults(handler=run_rename)


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
    for element, look in style.looks.items():
        if not look.is_empty:
            lines.append(f"  {element.word_name}: {_look_text(look)}")
    if style.logo:
        lines.append(f"  logo: {style.logo.name}")
    if style.reference_docx:
        lines.append(f"  Word styles from: {style.reference_docx.name}")
    return lines


def _look_text(look: TextLook) -> str:
    parts = [look.font or ""]
    if look.size_pt is not None:
        parts.append(f"{look.size_pt:g} pt")
    if look.color:
        parts.append(look.color)
    parts += [name for name, on in (("bold", look.bold), ("italic", look.italic)) if on]
    if look.space_before_pt is not None or look.space_after_pt is not None:
        before, after = look.space_before_pt or 0, look.space_after_pt or 0
        parts.append(f"{before:g} pt before, {after:g} pt after")
    if look.line_spacing is not None:
        parts.append(f"lines x{look.line_spacing:g}")
    if look.line_pitch_pt is not None:
        parts.append(f"lines {look.line_pitch_pt:g} pt apart")
    return ", ".join(part for part in parts if part)


def run_show(args: argparse.Namespace, ctx) -> int:
    template = TemplateRegistry(ctx.paths).get(args.template)
    for line in describe(template):
        ctx.info(line)
    return 0


def run_check(args: argparse.Namespace, ctx) -> int:
    from briefer.pipeline import ExportSettings, check_template
    from briefer.template_share import check_package, is_package_file

    settings = ExportSettings.from_env(ctx.paths)
    if is_package_file(args.folder) and not args.folder.is_dir():
        report = check_package(args.folder, settings)
    elif args.folder.is_dir():
        report = check_template(args.folder, settings)
    else:
        raise BrieferError(f"{args.folder}: not a folder or a .zip file")
    _print_problems(report.problems, ctx)
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


def _print_problems(problems: Sequence[Problem], ctx) -> None:
    for problem in problems:
        print(f"briefer: {problem.severity.value}: {one_line(str(problem))}", file=ctx.stderr)


def run_save(args: argparse.Namespace, ctx) -> int:
    from briefer.pipeline import load_input
    from briefer.template_store import UserTemplates, template_from_brief
    from briefer.templates import house_style_of, with_house_style

    store = UserTemplates(ctx.paths)
    loaded = load_input(args.brief, store.registry)
    source = loaded.template
    if args.house_style is not None:
        house = house_style_of(args.house_style)
        source = with_house_style(source, house)
        for message in house.messages():
            ctx.warn(message)
    draft = template_from_brief(
        loaded.brief,
        source,
        template_id=args.template_id,
        name=args.name,
        description=args.description,
        keep_sample=args.with_sample,
    )
    saved = store.save(draft, replace=args.replace)
    _said_saved(saved.template, saved.overrides, "saved", ctx)
    return 0


def _said_saved(template: Template, overrides: Template | None, verb: str, ctx) -> None:
    ctx.info(f"{verb} template {template.id} ({template.name}) in {template.directory}")
    if overrides is not None:
        ctx.info(
            f"it replaces the built-in {overrides.id} ({overrides.name}) for you;"
            f" `briefer templates delete {overrides.id}` brings the built-in back"
        )


def run_import(args: argparse.Namespace, ctx) -> int:
    from briefer.pipeline import ExportSettings
    from briefer.template_share import PackageRefused, import_template

    try:
        imported = import_template(
            args.source, ctx.paths, ExportSettings.from_env(ctx.paths), replace=args.replace
        )
    except PackageRefused as exc:
        report = exc.report
        _print_problems(report.problems, ctx)
        errors, warnings = len(report.errors), len(report.warnings)
        ctx.info(
            f"{args.source}: not imported: {_count(errors, 'error')}, {_count(warnings, 'warning')}"
        )
        return 2
    _print_problems(imported.warnings, ctx)
    _said_saved(imported.template, imported.overrides, "imported", ctx)
    return 0


def run_export(args: argparse.Namespace, ctx) -> int:
    from briefer.template_share import export_template

    if args.output.suffix.lower() != ".zip":
        raise BrieferError(f"{args.output}: a template is exported as a .zip file")
    template = TemplateRegistry(ctx.paths).get(args.template)
    export_template(template, args.output)
    ctx.info(str(args.output))
    return 0


def run_delete(args: argparse.Namespace, ctx) -> int:
    from briefer.template_store import UserTemplates

    restored = UserTemplates(ctx.paths).delete(args.template_id)
    ctx.info(f"deleted template {args.template_id}")
    if restored is not None:
        ctx.info(f"the built-in {restored.id} ({restored.name}) is back")
    return 0


def run_duplicate(args: argparse.Namespace, ctx) -> int:
    from briefer.template_store import UserTemplates

    saved = UserTemplates(ctx.paths).duplicate(args.template_id, args.new_id, args.name)
    _said_saved(saved.template, saved.overrides, "saved", ctx)
    return 0


def run_rename(args: argparse.Namespace, ctx) -> int:
    from briefer.template_store import UserTemplates

    renamed = UserTemplates(ctx.paths).rename(args.template_id, args.name)
    ctx.info(f"renamed template {renamed.id} to {renamed.name}")
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
