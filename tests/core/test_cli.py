"""The command line as a user runs it: exit codes, one-line errors, files left intact."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from cli_helpers import assert_one_line_error, run

from briefer.briefs import load_brief
from briefer.cli import CliContext, main
from briefer.paths import Paths

REPO = Path(__file__).resolve().parents[2]
SAMPLES = {p.parent.name: p for p in (REPO / "templates").glob("*/sample.brief")}


def test_templates_list_and_show() -> None:
    code, out, _ = run("templates", "list")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == [
        "bluf-memo",
        "long-form",
        "smart-brevity",
    ]
    code, out, _ = run("templates", "show", "smart-brevity")
    assert code == 0 and "what-happened: What Happened? [prose, required, <= 150 words]" in out


def test_templates_check(tmp_path: Path) -> None:
    for name in SAMPLES:
        code, out, err = run("templates", "check", str(REPO / "templates" / name))
        assert code == 0 and "briefer: error" not in err, err
    code, out, _ = run("templates", "check", str(REPO / "templates" / "bluf-memo"))
    assert "ok (bluf-memo, 4 sections" in out
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "template.toml").write_text(
        '[template]\nid = "x"\nname = "X"\nsurprise = 1\n[[sections]]\nid = "a"\n'
        '[style]\nheader = "{classification}"\n'
    )
    code, _, err = run("templates", "check", str(bad))
    assert_one_line_error(code, err, "template.surprise: unknown key")


def test_new_creates_a_brief_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "mine.brief"
    code, _, _ = run("new", "--template", "bluf-memo", "--title", "Hello", "-o", str(target))
    assert code == 0
    brief = load_brief(target)
    assert brief.meta.title == "Hello" and brief.sections[0].id == "bluf"
    code, _, err = run("new", "--template", "bluf-memo", "-o", str(target))
    assert_one_line_error(code, err, "already exists")


def test_export_docx_from_brief_and_from_markdown(tmp_path: Path) -> None:
    out = tmp_path / "sb.docx"
    code, stdout, _ = run("export", str(SAMPLES["smart-brevity"]), "-o", str(out))
    assert code == 0 and stdout.strip() == str(out)
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "Port of Halden opens its cargo data to rivals" in text
    md = tmp_path / "notes.md"
    md.write_text(
        "---\ntemplate: smart-brevity\n---\n# Notes title\n\n- bullet one [@a]\n\n"
        '## Why It Matters?\n\nBecause [@a].\n\n[@a]: https://example.org/x "X"\n',
        encoding="utf-8",
    )
    code, stdout, err = run("export", str(md))
    assert code == 0, err
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "notes.docx")).paragraphs)
    assert "Notes title" in text and "Because" in text and "example.org" in text


def test_unknown_citation_is_a_warning_not_an_error(tmp_path: Path) -> None:
    md = tmp_path / "w.md"
    md.write_text("# T\n\n- fact [@nobody]\n", encoding="utf-8")
    code, _, err = run("export", str(md), "-o", str(tmp_path / "w.docx"))
    assert code == 0
    assert "briefer: warning:" in err and "[@nobody]" in err


@pytest.mark.parametrize(
    ("make_input", "fragments"),
    [
        (lambda d: d / "missing.brief", ["missing.brief", "no such file"]),
        (
            lambda d: _write(d / "cut.brief", b'{"format": "briefer.brief", "vers'),
            ["not valid JSON"],
        ),
        (
            lambda d: _write(
                d / "future.brief", json.dumps({"format": "briefer.brief", "version": 9}).encode()
            ),
            ["newer Briefer"],
        ),
        (lambda d: _write(d / "x.odt", b"zip"), ["expected a .brief or Markdown"]),
    ],
)
def test_bad_input_fails_cleanly_and_leaves_the_old_output(
    tmp_path: Path, make_input, fragments
) -> None:
    source = make_input(tmp_path)
    out = tmp_path / "out.docx"
    out.write_bytes(b"precious earlier export")
    code, _, err = run("export", str(source), "-o", str(out))
    assert_one_line_error(code, err, *fragments)
    assert out.read_bytes() == b"precious earlier export"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_option_errors_are_one_line(tmp_path: Path) -> None:
    code, _, err = run("export", str(SAMPLES["bluf-memo"]), "-o", str(tmp_path / "x.txt"))
    assert_one_line_error(code, err, "cannot tell the format")
    code, _, err = run(
        "export", str(SAMPLES["bluf-memo"]), "--template", "nope", "-o", str(tmp_path / "x.docx")
    )
    assert_one_line_error(code, err, "unknown template 'nope'")
    code, _, err = run(
        "export", str(SAMPLES["bluf-memo"]), str(SAMPLES["long-form"]), "-o", "x.docx"
    )
    assert_one_line_error(code, err, "use --outdir")
    code, _, err = run("export")
    assert_one_line_error(code, err, "required")
    code, _, err = run("export", str(SAMPLES["bluf-memo"]), "--format", "rtf")
    assert_one_line_error(code, err, "unknown format 'rtf'")
    assert not (tmp_path / "x.txt").exists() and not (tmp_path / "x.docx").exists()


def test_batch_names_same_named_inputs_after_their_folders(tmp_path: Path) -> None:
    outdir = tmp_path / "exports"
    code, _, err = run("export", *map(str, SAMPLES.values()), "--outdir", str(outdir))
    assert code == 0, err
    assert sorted(p.name for p in outdir.iterdir()) == [
        "bluf-memo-sample.docx",
        "long-form-sample.docx",
        "smart-brevity-sample.docx",
    ]
    first = docx.Document(str(outdir / "smart-brevity-sample.docx")).paragraphs[0].text
    assert first == "Port of Halden opens its cargo data to rivals"


def test_batch_refuses_inputs_that_would_still_collide(tmp_path: Path) -> None:
    sample = SAMPLES["bluf-memo"]
    twin = tmp_path / "x" / "bluf-memo" / "sample.brief"
    twin.parent.mkdir(parents=True)
    twin.write_bytes(sample.read_bytes())
    code, _, err = run("export", str(sample), str(twin), "--outdir", str(tmp_path / "out"))
    assert_one_line_error(code, err, "would both be written as bluf-memo-sample.docx")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_format_and_extension_must_agree(tmp_path: Path) -> None:
    target = tmp_path / "x.docx"
    code, _, err = run("export", str(SAMPLES["bluf-memo"]), "-o", str(target), "--format", "pdf")
    assert_one_line_error(code, err, "the name says docx but --format says pdf")
    assert not target.exists()
    code, _, err = run(
        "export", str(SAMPLES["bluf-memo"]), "-o", str(tmp_path / "x.out"), "--format", "pdf"
    )
    assert code == 0, err
    assert (tmp_path / "x.out").read_bytes().startswith(b"%PDF")


def test_batch_errors_name_their_input(tmp_path: Path) -> None:
    bad = tmp_path / "badtpl.md"
    bad.write_text("---\ntemplate: nope\n---\n# T\n\n- x\n", encoding="utf-8")
    good = tmp_path / "good.md"
    good.write_text("# Good\n\n- fine\n", encoding="utf-8")
    code, out, err = run("export", str(bad), str(good), "--outdir", str(tmp_path / "o"))
    assert code == 2
    assert f"briefer: error: {bad}: unknown template 'nope'" in err
    assert out.strip() == str(tmp_path / "o" / "good.docx")


def test_batch_export_writes_one_file_per_input(tmp_path: Path) -> None:
    inputs = []
    for name, sample in SAMPLES.items():
        target = tmp_path / f"{name}.brief"
        target.write_bytes(sample.read_bytes())
        inputs.append(str(target))
    bad = _write(tmp_path / "bad.brief", b"not json")
    outdir = tmp_path / "exports"
    code, out, err = run("export", *inputs, str(bad), "--outdir", str(outdir))
    assert code == 2
    assert sorted(p.name for p in outdir.iterdir()) == [
        "bluf-memo.docx",
        "long-form.docx",
        "smart-brevity.docx",
    ]
    assert "bad.brief: not valid JSON" in err and "briefer: exported 3 of 4; 1 failed" in err
    assert len(out.splitlines()) == 3


def test_whole_process_export_and_error(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = tmp_path / "lf.docx"
    done = subprocess.run(
        [sys.executable, "-m", "briefer", "export", str(SAMPLES["long-form"]), "-o", str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 5000
    done = subprocess.run(
        [sys.executable, "-m", "briefer", "export", str(tmp_path / "nope.brief")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"briefer: error: {tmp_path / 'nope.brief'}: no such file"
    ]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_the_command_flushes_everything_before_its_fast_exit(tmp_path: Path) -> None:
    """The launcher skips interpreter teardown; nothing printed may be lost."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-m", "briefer", "templates", "show", "long-form"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert done.returncode == 0
        lines = done.stdout.splitlines()
        assert lines[0].startswith("Long-form article (long-form")
        assert lines[-1] == "  logo: logo.png"
    done = subprocess.run(
        [sys.executable, "-m", "briefer", "templates", "show", "nope"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 2 and done.stderr.startswith("briefer: error: unknown template")


def test_only_the_gui_is_long_lived() -> None:
    from briefer.launch import is_short_lived

    assert not is_short_lived([])
    assert not is_short_lived(["mine.BRIEF"])
    assert is_short_lived(["export", "a.brief"])
    assert is_short_lived(["--version"])


def test_an_unexpected_failure_exits_1_and_names_a_log_with_the_traceback() -> None:
    class BrokenTerminal(io.StringIO):
        def write(self, text: str) -> int:
            raise RuntimeError("the terminal went away")

    err = io.StringIO()
    paths = Paths.from_env()
    code = main(["templates", "list"], CliContext(paths=paths, stdout=BrokenTerminal(), stderr=err))
    assert code == 1
    line = err.getvalue().strip()
    assert line.startswith("briefer: internal error; details in ")
    log = Path(line.removeprefix("briefer: internal error; details in "))
    assert log.parent == paths.log_dir
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "RuntimeError: the terminal went away" in text


def test_reference_reaches_the_pdf_too(tmp_path: Path) -> None:
    house = tmp_path / "house.docx"
    docx.Document().save(str(house))
    out = tmp_path / "sb.pdf"
    code, stdout, err = run(
        "export", str(SAMPLES["smart-brevity"]), "-o", str(out), "--reference", str(house)
    )
    assert code == 0 and stdout.strip() == str(out) and out.is_file()
    assert "applies to the DOCX only" not in err


def test_word_budget_messages_name_the_section_heading(tmp_path: Path) -> None:
    md = tmp_path / "long.md"
    words = " ".join(["word"] * 200)
    md.write_text(
        "---\ntemplate: smart-brevity\n---\n# Budget\n\n"
        + "\n".join(f"- {words}" for _ in range(2))
        + f"\n\n## What Happened?\n\n{words}\n",
        encoding="utf-8",
    )
    code, _, err = run("export", str(md), "-o", str(tmp_path / "long.pdf"))
    assert code == 0
    budget = [line for line in err.splitlines() if "the template's budget" in line]
    assert len(budget) == 2, err
    assert "section 'What Happened?' has 200 words" in budget[1]
    assert "section 'Key points' has 400 words" in budget[0]  # no heading: named in words
    assert not any("what-happened" in line or "key-points" in line for line in budget)


def test_cite_names_the_section_by_its_heading_and_warns_over_budget(tmp_path: Path) -> None:
    lib = str(tmp_path / "lib.sqlite3")
    text = " ".join(["berth"] * 160)
    code, out, _ = run("snippets", "add", "--text", text, "--title", "Berths", "--library", lib)
    assert (code, out) == (0, "added snippet 1\n")
    brief = tmp_path / "b.brief"
    assert run("new", "--template", "smart-brevity", "-o", str(brief))[0] == 0
    argv = ("cite", str(brief), "1", "--section", "what-happened", "--library", lib)
    code, _, err = run(*argv)
    assert code == 0
    assert err == (
        "briefer: warning: section 'What Happened?' now has 160 words;"
        " the template's budget is 150\n"
    )
    code, _, err = run(*argv)
    assert code == 0
    assert err == "briefer: warning: snippet 1 is already quoted in 'What Happened?'; not again\n"
