"""`briefer` with no command: start the GUI.

The GUI is not built yet. Until it is, `briefer` exports the sample brief of
every built-in template to DOCX and PDF, so a new user sees what Briefer
makes, and says where the files are.
"""

from __future__ import annotations

import os
from pathlib import Path

from briefer.errors import BrieferError
from briefer.export import available_formats, extension_for
from briefer.markup import MarkdownParser
from briefer.pipeline import ExportSettings, export_many, load_input, warnings_of
from briefer.templates import TemplateRegistry


def run(argv: list[str], ctx) -> int:
    if argv:
        raise BrieferError(
            "the Briefer window is not available yet; export the brief with: "
            f"briefer export {argv[0]} -o {Path(argv[0]).with_suffix('.docx')}"
        )
    outdir = Path(os.environ.get("BRIEFER_SAMPLES_DIR", "") or Path.cwd() / "out" / "samples")
    outdir.mkdir(parents=True, exist_ok=True)
    registry = TemplateRegistry(ctx.paths)
    parser = MarkdownParser()
    settings = ExportSettings.from_env(ctx.paths)
    ctx.info("The Briefer window is coming in a later release; here are the built-in samples:")
    for template in registry.all():
        sample = template.sample_path
        if sample is None:
            continue
        loaded = load_input(sample, registry)
        targets = [(outdir / f"{template.id}{extension_for(f)}", f) for f in available_formats()]
        results = export_many(
            loaded.brief,
            loaded.template,
            targets,
            base_dir=sample.parent,
            settings=settings,
            parser=parser,
        )
        for warning in warnings_of(results):
            ctx.warn(f"{template.id}: {warning}")
        for result in results:
            ctx.info(f"  {template.name:<20} {result.output}")
    return 0
