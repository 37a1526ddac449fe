"""`briefer cite`, `convert`, `retemplate`, `new` and multi-format `export`, as a user runs them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import docx
import pytest
from cli_helpers import assert_one_line_error, run
from pypdf import PdfReader

from briefer.briefs import load_brief
from briefer.library import Library, Source

REPO = Path(__file__).resolve().parents[2]
SAMPLES = {p.parent.name: p for p in (REPO / "templates").glob("*/sample.brief")}


@pytest.fixture
def library(tmp_path: Path) -> tuple[Path, list[int]]:
    """A library with two snippets of one article and one of another."""
    path = tmp_path / "lib.sqlite3"
    article = Source(
        title="Halden votes to open berth schedules",
        publisher="Northern Ledger",
        url="https://northernledger.example/halden",
        published="2026-11-20",
    )
    other = Source(title="Cranes", publisher="Harbour Weekly", published="2026-11-21")
    with Library.open(path) as lib:
        ids = [
            lib.add("Berth schedules will be public from February.", article).snippet.id,
            lib.add("Rivals welcomed the vote.", article).snippet.id,
            lib.add("Crane data follows in spring.", other).snippet.id,
        ]
    return path, ids


def test_cite_adds_quotes_and_one_source_per_article(tmp_path: Path, library) -> None:
    lib, ids = library
    brief = tmp_path / "b.brief"
    assert run("new", "--template", "smart-brevity", "--title", "Halden", "-o", str(brief))[0] == 0
    code, out, err = run(
        "cite", str(brief), *map(str, ids), "--section", "what-happened", "--library", str(lib)
    )
    assert code == 0, err
    assert out.splitlines() == [
        f"snippet {ids[0]}: [@northern-ledger-2026-11-20] (new source)",
        f"snippet {ids[1]}: [@northern-ledger-2026-11-20] (same source as before)",
        f"snippet {ids[2]}: [@harbour-weekly-2026-11-21] (new source)",
    ]
    saved = load_brief(brief)
    assert list(saved.sources) == ["northern-ledger-2026-11-20", "harbour-weekly-2026-11-21"]
    body = saved.section("what-happened").body
    assert body.startswith("> Berth schedules will be public from February. [@northern-ledger")

    # ... and the export shows the quote and the numbered sources, in both formats.
    code, out, err = run("export", str(brief), "--format", "docx,pdf")
    assert code == 0, err
    assert out.split() == [str(brief.with_suffix(".docx")), str(brief.with_suffix(".pdf"))]
    text = "\n".join(p.text for p in docx.Document(str(brief.with_suffix(".docx"))).paragraphs)
    assert "Berth schedules will be public from February." in text
    assert "Sources: Northern Ledger [1]; Harbour Weekly [2]" in " ".join(text.split())
    pdf = " ".join(
        " ".join(page.extract_text() for page in PdfReader(brief.with_suffix(".pdf")).pages).split()
    )
    assert "Berth schedules will be public from February." in pdf
    assert "Sources: Northern Ledger [1]; Harbour Weekly [2]" in pdf


def test_cite_paraphrase_and_errors_leave_the_brief_alone(tmp_path: Path, library) -> None:
    lib, ids = library
    brief = tmp_path / "b.brief"
    run("new", "--template", "bluf-memo", "-o", str(brief))
    before = brief.read_bytes()
    code, _, err = run("cite", str(brief), "999", "--section", "bluf", "--library", str(lib))
    assert_one_line_error(code, err, "no snippet with id 999")
    code, _, err = run("cite", str(brief), str(ids[0]), "--section", "nope", "--library", str(lib))
    assert_one_line_error(code, err, "no section 'nope'", "bluf, key-judgments")
    assert brief.read_bytes() == before
    code, _, err = run(
        "cite", str(brief), str(ids[2]), "--section", "bluf", "--mode", "paraphrase",
        "--library", str(lib),
    )  # fmt: skip
    assert code == 0, err
    assert load_brief(brief).section("bluf").body == "[@harbour-weekly-2026-11-21]"


def test_convert_matches_the_templates_sections(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(
        "---\ntitle: Night trains\ntemplate: smart-brevity\n---\n\n- Demand is up [@rail].\n\n"
        "## why it matters\n\nFares [@rail].\n\n"
        '[@rail]: https://rail.example/report "Rail report"\n',
        encoding="utf-8",
    )
    out = tmp_path / "notes.brief"
    code, stdout, err = run("convert", str(notes), "-o", str(out))
    assert code == 0 and stdout.strip() == str(out), err
    brief = load_brief(out)
    assert [s.id for s in brief.sections] == [
        "key-points",
        "what-happened",
        "why-it-matters",
        "whats-next",
    ]
    assert brief.section("why-it-matters").body == "Fares [@rail]."
    assert brief.sources["rail"].title == "Rail report"
    code, _, err = run("convert", str(notes), "-o", str(out))
    assert_one_line_error(code, err, "already exists")


def test_retemplate_keeps_every_word(tmp_path: Path) -> None:
    brief = tmp_path / "s.brief"
    brief.write_bytes(SAMPLES["smart-brevity"].read_bytes())
    original = load_brief(brief)
    code, _, err = run("retemplate", str(brief), "--template", "long-form")
    assert code == 0
    assert "kept in a last section headed 'Other'" in err  # long-form has no key bullets
    moved = load_brief(brief)
    assert moved.template == "long-form"
    kept = " ".join(s.body for s in moved.sections).split()
    assert all(word in kept for word in " ".join(s.body for s in original.sections).split())
    code, _, err = run("retemplate", str(brief), "--template", "no-such")
    assert_one_line_error(code, err, "unknown template 'no-such'")


def test_new_takes_the_metadata(tmp_path: Path) -> None:
    out = tmp_path / "n.brief"
    code, _, err = run(
        "new", "--template", "bluf-memo", "-o", str(out), "--title", "T", "--subtitle", "S",
        "--author", "Mira", "--date", "2026-11-20", "--classification", "SECRET",
    )  # fmt: skip
    assert code == 0, err
    meta = load_brief(out).meta
    assert (meta.title, meta.subtitle, meta.author, meta.date, meta.classification) == (
        "T",
        "S",
        "Mira",
        "2026-11-20",
        "SECRET",
    )
    code, _, err = run("new", "--template", "bluf-memo", "-o", str(tmp_path / "x.brief"),
                       "--date", "20 Nov")  # fmt: skip
    assert_one_line_error(code, err, "date: expected a date like 2026-11-22")
    assert not (tmp_path / "x.brief").exists()


def test_export_formats_option(tmp_path: Path) -> None:
    code, _, err = run(
        "export", str(SAMPLES["bluf-memo"]), "--outdir", str(tmp_path), "--format", "pdf,docx"
    )
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sample.docx", "sample.pdf"]
    code, _, err = run("export", str(SAMPLES["bluf-memo"]), "--format", "docx,odt")
    assert_one_line_error(code, err, "unknown format 'odt'")
    code, _, err = run(
        "export", str(SAMPLES["bluf-memo"]), "-o", str(tmp_path / "x.pdf"), "--format", "docx,pdf"
    )
    assert_one_line_error(code, err, "-o names one file")


def test_a_special_file_is_never_replaced_by_an_export_or_a_save(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    code, _, err = run("export", str(SAMPLES["bluf-memo"]), "-o", str(fifo))
    assert_one_line_error(code, err, "not a regular file")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    fifo_brief = tmp_path / "pipe.brief"
    os.mkfifo(fifo_brief)
    code, _, err = run("new", "--template", "bluf-memo", "-o", str(fifo_brief), "--force")
    assert_one_line_error(code, err, "not a regular file")
    assert stat.S_ISFIFO(fifo_brief.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.brief", "pipe.pdf"]


def test_files_a_user_protected_are_left_alone(tmp_path: Path, library) -> None:
    lib, ids = library
    brief = tmp_path / "ro.brief"
    brief.write_bytes(SAMPLES["smart-brevity"].read_bytes())
    brief.chmod(0o444)
    before = brief.read_bytes()
    code, _, err = run("cite", str(brief), str(ids[0]), "--section", "what-happened",
                       "--library", str(lib))  # fmt: skip
    assert_one_line_error(code, err, "read-only")
    code, _, err = run("retemplate", str(brief), "--template", "bluf-memo")
    assert_one_line_error(code, err, "read-only")
    assert brief.read_bytes() == before
    other = tmp_path / "other.brief"
    other.write_bytes(b"{}")
    code, _, err = run("retemplate", str(SAMPLES["smart-brevity"]), "--template", "bluf-memo",
                       "-o", str(other))  # fmt: skip
    assert_one_line_error(code, err, "already exists")
    assert other.read_bytes() == b"{}"
    code, _, err = run("new", "--template", "bluf-memo", "-o", str(tmp_path / "gone" / "n.brief"))
    assert_one_line_error(code, err, "no such folder")


def test_cite_never_creates_a_library_from_a_mistyped_path(tmp_path: Path) -> None:
    brief = tmp_path / "b.brief"
    run("new", "--template", "smart-brevity", "-o", str(brief))
    missing = tmp_path / "nowhere" / "lib.db"
    code, _, err = run("cite", str(brief), "1", "--section", "what-happened",
                       "--library", str(missing))  # fmt: skip
    assert_one_line_error(code, err, "no snippet library there")
    assert not missing.parent.exists()


def test_citing_one_bare_snippet_twice_gives_one_source(tmp_path: Path) -> None:
    lib = tmp_path / "lib.db"
    with Library.open(lib) as opened:
        bare = opened.add("Totally bare text.").snippet.id
        memo = opened.add("k", Source(publisher="A")).snippet.id
    brief = tmp_path / "b.brief"
    run("new", "--template", "smart-brevity", "-o", str(brief))
    for snippet_id in (bare, bare, memo, memo):
        code, _, err = run("cite", str(brief), str(snippet_id), "--section", "whats-next",
                           "--library", str(lib))  # fmt: skip
        assert code == 0, err
    assert list(load_brief(brief).sources) == ["source", "a"]


def test_cite_into_bullets_and_twice_the_same_quote(tmp_path: Path, library) -> None:
    lib, ids = library
    brief = tmp_path / "b.brief"
    run("new", "--template", "smart-brevity", "-o", str(brief))
    cite = ("cite", str(brief), str(ids[0]), "--section", "key-points", "--library", str(lib))
    assert run(*cite)[0] == 0
    code, out, err = run(*cite)
    assert code == 0 and out == "" and "already quoted" in err
    assert load_brief(brief).section("key-points").body == (
        "- “Berth schedules will be public from February.” [@northern-ledger-2026-11-20]"
    )
