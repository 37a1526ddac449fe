"""`briefer new`, `convert`, `cite` and `retemplate`: making and editing
`.brief` files from the command line.

Each makes its change through `briefer.editing` (the same calls the window
makes) and saves the brief atomically, so an error leaves the file exactly
as it was.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
from pathlib import Path

from briefer.briefs import load_brief, new_brief, save_brief
from briefer.errors import BrieferError, TemplateError
from briefer.markdown_input import load_markdown, match_template_sections
from briefer.model import Template
from briefer.templates import TemplateRegistry

# The editing core (and the library it reads snippets with) is imported by
# the commands that use it, so every other command starts without it.
_MODES = ("quote", "inline", "paraphrase")  # briefer.editing.CiteMode's values
_OTHER = "Other"  # briefer.editing.OTHER_HEADING


def register(sub: argparse._SubParsersAction) -> None:
    from briefer.cli.snippets import add_library_option

    new = sub.add_parser("new", help="create an empty brief from a template")
    new.add_argument("--template", required=True, metavar="ID|DIR")
    new.add_argument("--title", default="")
    new.add_argument("--subtitle", default="")
    new.add_argument("--author", default="")
    new.add_argument("--date", default=None, help="YYYY-MM-DD (default: today)")
    new.add_argument("--classification", default="")
    new.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.brief")
    new.add_argument("--force", action="store_true", help="overwrite an existing file")
    new.set_defaults(handler=run_new)

    cite = sub.add_parser(
        "cite",
        help="quote and cite snippets from the library in a brief",
        description=(
            "Cite library snippets in a section of a brief: the quote and its citation"
            " go at the end of the section, the source into the brief's sources (a"
            " second snippet of the same article reuses its source)."
        ),
    )
    cite.add_argument("brief", type=Path, metavar="FILE.brief")
    cite.add_argument("snippets", nargs="+", type=int, metavar="SNIPPET_ID")
    cite.add_argument("--section", required=True, metavar="ID", help="the section to cite in")
    cite.add_argument(
        "--mode",
        choices=_MODES,
        default="quote",
        help="quote: a block quote; inline: in quotation marks; paraphrase: only the citation",
    )
    add_library_option(cite)
    cite.set_defaults(handler=run_cite)

    convert = sub.add_parser(
        "convert",
        help="turn a Markdown file into a .brief",
        description="Turn Markdown notes into a .brief, matching the template's sections.",
    )
    convert.add_argument("input", type=Path, metavar="NOTES.md")
    convert.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.brief")
    convert.add_argument("--template", metavar="ID|DIR", help="template (overrides front matter)")
    convert.add_argument("--force", action="store_true", help="overwrite an existing file")
    convert.set_defaults(handler=run_convert)

    re_ = sub.add_parser(
        "retemplate",
        help="switch a brief to another template, keeping every word",
        description=(
            "Switch a brief to another template. Sections are matched by id, heading and"
            f" position; text that fits nowhere goes to a section headed {_OTHER!r}."
        ),
    )
    re_.add_argument("brief", type=Path, metavar="FILE.brief")
    re_.add_argument("--template", required=True, metavar="ID|DIR")
    re_.add_argument("-o", "--output", type=Path, metavar="FILE.brief", help="save here instead")
    re_.add_argument("--force", action="store_true", help="with -o: overwrite an existing file")
    re_.set_defaults(handler=run_retemplate)


def _brief_path(path: Path) -> None:
    if path.suffix.lower() != ".brief":
        raise BrieferError(f"{path}: a brief's file name must end in .brief")


def _same_path(a: Path, b: Path) -> bool:
    # realpath, not Path.resolve: a loop of links is no reason to crash.
    return os.path.realpath(a) == os.path.realpath(b)


def _new_brief_path(output: Path, force: bool) -> None:
    """Check, before any work, where a new brief is to be written."""
    _brief_path(output)
    if output.exists() and not force:
        raise BrieferError(f"{output}: already exists (use --force to replace it)")
    if not output.parent.exists():
        raise BrieferError(f"{output.parent}: no such folder")


def _template_or_none(registry: TemplateRegistry, template_id: str) -> Template | None:
    """The brief's own template, or None when this machine lacks it (section
    kinds are then guessed from the text)."""
    try:
        return registry.by_id(template_id)
    except TemplateError:
        return None


def run_new(args: argparse.Namespace, ctx) -> int:
    from briefer.editing import set_meta

    _new_brief_path(args.output, args.force)
    template = TemplateRegistry(ctx.paths).get(args.template)
    brief = set_meta(
        new_brief(template),
        title=args.title,
        subtitle=args.subtitle,
        author=args.author,
        date=dt.date.today().isoformat() if args.date is None else args.date,
        classification=args.classification,
    )
    save_brief(brief, args.output)
    ctx.info(str(args.output))
    return 0


def run_cite(args: argparse.Namespace, ctx) -> int:
    from briefer.cli.snippets import open_library
    from briefer.compose import section_name
    from briefer.editing import apply_insertion, plan_citation, quotes_snippet, word_count

    _brief_path(args.brief)
    brief = load_brief(args.brief)
    if brief.section(args.section) is None:
        known = ", ".join(s.id for s in brief.sections) or "none"
        raise BrieferError(f"{args.brief}: no section {args.section!r} (sections: {known})")
    # Citing only reads the library: a mistyped path must not make a new one.
    with open_library(args, ctx, must_exist=True) as library:
        snippets = [library.get(snippet_id) for snippet_id in args.snippets]
    spec = _template_or_none(TemplateRegistry(ctx.paths), brief.template)
    section_spec = spec.section(args.section) if spec else None
    heading = brief.section(args.section).heading or (section_spec.heading if section_spec else "")
    name = section_name(heading, args.section)  # as export warnings name it
    lines = []
    for snippet in snippets:
        if snippet.in_trash:
            raise BrieferError(f"snippet {snippet.id} is in the trash; restore it first")
        if args.mode != "paraphrase" and quotes_snippet(brief, args.section, snippet):
            ctx.warn(f"snippet {snippet.id} is already quoted in {name!r}; not again")
            continue
        insertion = plan_citation(
            brief,
            args.section,
            snippet,
            None,
            args.mode,
            kind=section_spec.kind if section_spec else None,
        )
        brief = apply_insertion(brief, insertion)
        what = "same source as before" if insertion.reused else "new source"
        lines.append(f"snippet {snippet.id}: [@{insertion.key}] ({what})")
    save_brief(brief, args.brief)
    for line in lines:
        ctx.info(line)
    budget = section_spec.max_words if section_spec else None
    words = word_count(brief, args.section)
    if budget and words > budget and lines:
        ctx.warn(f"section {name!r} now has {words} words; the template's budget is {budget}")
    return 0


def run_convert(args: argparse.Namespace, ctx) -> int:
    from briefer.editing import complete_sections

    output: Path = args.output
    _new_brief_path(output, args.force)
    if _same_path(output, args.input):
        raise BrieferError("the output would replace its own input")
    brief = load_markdown(args.input)
    registry = TemplateRegistry(ctx.paths)
    # A folder only from the command line: the notes name a template by id.
    template = registry.get(args.template) if args.template else registry.by_id(brief.template)
    brief = complete_sections(match_template_sections(brief, template), template)
    if args.template:
        brief = dataclasses.replace(brief, template=template.id)
    save_brief(brief, output)
    ctx.info(str(output))
    return 0


def run_retemplate(args: argparse.Namespace, ctx) -> int:
    from briefer.editing import OTHER_HEADING, retemplate

    _brief_path(args.brief)
    output: Path = args.output or args.brief
    _brief_path(output)
    replaces_another = args.output is not None and output.exists() and not args.force
    if replaces_another and not _same_path(output, args.brief):
        raise BrieferError(f"{output}: already exists (use --force to replace it)")
    brief = load_brief(args.brief)
    registry = TemplateRegistry(ctx.paths)
    template = registry.get(args.template)
    changed = retemplate(brief, template, _template_or_none(registry, brief.template))
    save_brief(changed, output)
    other = [s for s in changed.sections if s.heading == OTHER_HEADING and s.body.strip()]
    if other:
        ctx.warn(
            f"{output}: {template.name} has no place for some of the text; it is kept"
            f" in a last section headed {OTHER_HEADING!r}"
        )
    ctx.info(str(output))
    return 0
