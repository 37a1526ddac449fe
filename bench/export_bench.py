"""Export benchmark: Briefer's DOCX and PDF export against pandoc (and LibreOffice).

Generates briefs of about 1, 10 and 100 pages (original filler prose with
lists, citations and tables), then, in turn inside one loop so machine noise
hits every contender alike, times:

- in-process export (load + compose + render, warm process) for DOCX and PDF;
- whole-process `briefer export` (a fresh interpreter each run);
- `pandoc in.md -o out.docx` where pandoc is installed;
- `pandoc in.md -o x.docx && soffice --headless --convert-to pdf x.docx`
  where both are installed (the route a user would otherwise take to a PDF).

Child processes cache bytecode (in a temporary PYTHONPYCACHEPREFIX, even
where PYTHONDONTWRITEBYTECODE is set), as an installed Briefer does: pip
compiles .pyc files at install time. Medians are printed with the targets
from the issues. `--reference house.dotx` exports every brief in that Word
base's house style (`briefer export --reference`), to time it against a run
without. Run:
    .venv/bin/python bench/export_bench.py [--repeat 5] [--pages 1 10 100]
                                           [--reference WORD.docx|.dotx]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from briefer.export import available_formats  # noqa: E402
from briefer.markup import MarkdownParser  # noqa: E402
from briefer.paths import Paths  # noqa: E402
from briefer.pipeline import export_brief, load_input  # noqa: E402
from briefer.templates import TemplateRegistry  # noqa: E402

WORDS = [
    "port",
    "schedule",
    "carrier",
    "berth",
    "crane",
    "data",
    "licence",
    "consultation",
    "authority",
    "vessel",
    "cargo",
    "container",
    "broker",
    "fee",
    "shipping",
    "line",
    "arrival",
    "estimate",
    "priority",
    "window",
    "analyst",
    "region",
    "market",
    "policy",
    "review",
    "budget",
    "forecast",
    "risk",
    "supply",
    "demand",
    "network",
    "corridor",
    "terminal",
    "operator",
    "capacity",
    "freight",
    "rail",
    "road",
    "customs",
    "inspection",
    "delay",
    "queue",
    "season",
    "weather",
]
TARGETS = {
    ("docx", "in-process", 1): 0.060,
    ("docx", "in-process", 100): 0.6,
    ("pdf", "in-process", 1): 0.080,
    ("pdf", "in-process", 100): 1.5,
}
WORDS_PER_PAGE = 400


def sentence(rng: random.Random, cite: bool, sources: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(10, 20))]
    words[0] = words[0].capitalize()
    if rng.random() < 0.15:
        words[3] = f"**{words[3]}**"
    if rng.random() < 0.1:
        words[5] = f"*{words[5]}*"
    text = " ".join(words)
    return text + (f" [@s{rng.randint(1, sources)}]." if cite else ".")


def markdown_document(pages: int, seed: int = 7) -> str:
    """About `pages` A4 pages in the long-form template: the title block, the
    contents list and the sources take the first page's share."""
    rng = random.Random(seed)
    sources = min(12, 2 + pages)
    out = [
        "---",
        "template: long-form",
        "author: Bench Author",
        "date: 2026-11-23",
        "---",
        f"# A {pages}-page benchmark brief",
        "",
        sentence(rng, True, sources),
        "",
    ]
    words = 0
    section = 0
    target = pages * WORDS_PER_PAGE - 200  # the title block and sources take the rest
    while words < target:
        section += 1
        out += [f"## Part {section}: {rng.choice(WORDS)} and {rng.choice(WORDS)}", ""]
        for _ in range(3):
            para = " ".join(
                sentence(rng, rng.random() < 0.4, sources) for _ in range(rng.randint(3, 6))
            )
            out += [para, ""]
            words += len(para.split())
            if words >= target:
                break
        if words >= target:
            break
        items = [f"- {sentence(rng, rng.random() < 0.3, sources)}" for _ in range(4)]
        out += [*items, ""]
        words += sum(len(i.split()) for i in items)
        if section % 6 == 0:
            out += ["| Terminal | Calls | Share |", "|:--|--:|--:|"]
            out += [
                f"| {rng.choice(WORDS)} | {rng.randint(1, 99)} | {rng.randint(1, 99)}% |"
                for _ in range(8)
            ]
            out.append("")
            words += 24
    out += [
        f'[@s{n}]: https://source{n}.example.org/report "Report number {n}"' for n in range(1, 13)
    ]
    return "\n".join(out) + "\n"


def time_once(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run_process(cmd: list[str], cwd: Path, env: dict[str, str]) -> None:
    subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True)


def in_process(
    md: Path,
    registry: TemplateRegistry,
    out: Path,
    fmt: str,
    parser: MarkdownParser,
    reference: Path | None = None,
) -> None:
    export_brief(load_input(md, registry, reference=reference), out, fmt, parser=parser)


def pandoc_libreoffice(
    pandoc: str, soffice: str, md: Path, work: Path, env: dict[str, str]
) -> None:
    docx = work / "p.docx"
    run_process([pandoc, str(md), "-o", str(docx)], work, env)
    profile = f"-env:UserInstallation=file://{work / 'lo-profile'}"
    run_process(
        [soffice, profile, "--headless", "--convert-to", "pdf", "--outdir", str(work), str(docx)],
        work,
        env,
    )


def pdf_pages(path: Path) -> int | None:
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    return len(PdfReader(str(path)).pages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument("--pages", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--formats", nargs="+", default=available_formats())
    parser.add_argument(
        "--reference", type=Path, help="a Word base (.docx, .dotx): time its house style"
    )
    args = parser.parse_args()
    reference = args.reference.resolve() if args.reference else None
    house = ["--reference", str(reference)] if reference else []

    pandoc = shutil.which("pandoc")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    work = Path(tempfile.mkdtemp(prefix="briefer-bench-"))
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "BRIEFER_DATA_DIR": str(work / "data"),
        "PYTHONPYCACHEPREFIX": str(work / "pycache"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    registry = TemplateRegistry(Paths.from_env(env))
    markdown_parser = MarkdownParser()
    briefer_cmd = [sys.executable, "-m", "briefer"]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; median of {args.repeat} runs")
    print(f"pandoc: {pandoc or 'not installed'}; soffice: {soffice or 'not installed'}\n")

    for pages in args.pages:
        md = work / f"brief{pages}.md"
        md.write_text(markdown_document(pages), encoding="utf-8")
        loaded = load_input(md, registry, reference=reference)
        for fmt in args.formats:
            out = work / f"out{pages}.{fmt}"
            # Warm up once (imports, font registration, bytecode cache), then
            # measure in turn.
            export_brief(loaded, out, fmt, parser=markdown_parser)
            command = [*briefer_cmd, "export", str(md), "-o", str(out), *house]
            run_process(command, work, env)
            contenders: dict[str, Callable[[], object]] = {
                "in-process": partial(
                    in_process, md, registry, out, fmt, markdown_parser, reference
                ),
                "whole process": partial(run_process, command, work, env),
            }
            if pandoc and fmt == "docx":
                contenders["pandoc"] = partial(
                    run_process, [pandoc, str(md), "-o", str(work / "pandoc.docx")], work, env
                )
            if pandoc and soffice and fmt == "pdf":
                route = partial(pandoc_libreoffice, pandoc, soffice, md, work, env)
                route()  # the first LibreOffice start creates its profile; not measured
                contenders["pandoc+soffice"] = route
            samples: dict[str, list[float]] = {name: [] for name in contenders}
            for _ in range(args.repeat):
                for name, fn in contenders.items():
                    samples[name].append(time_once(fn))
            results = {name: statistics.median(values) for name, values in samples.items()}
            real_pages = pdf_pages(out) if fmt == "pdf" else None
            label = f"{pages} page{'s' if pages > 1 else ''}" + (
                f" ({real_pages} pdf pages)" if real_pages else ""
            )
            for name, seconds in results.items():
                target = TARGETS.get((fmt, name, pages))
                note = f"target <= {target * 1000:.0f} ms" if target else ""
                if name == "whole process" and fmt == "docx" and "pandoc" in results:
                    ratio = seconds / results["pandoc"]
                    goal = " (target <= 0.70 at 100 pages)" if pages == 100 else ""
                    note = f"{ratio:.2f} x pandoc's time{goal}"
                if name == "whole process" and fmt == "pdf" and "pandoc+soffice" in results:
                    speedup = results["pandoc+soffice"] / seconds
                    goal = " (target >= 3x)" if pages >= 100 else " (target >= 5x)"
                    note = f"{speedup:.1f}x faster than pandoc+soffice{goal}"
                print(f"{fmt:4}  {label:24} {name:15} {seconds * 1000:9.1f} ms  {note}", flush=True)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
