"""Hostile inputs to briefs, templates and the export pipeline (issue 9).

Numbers and nesting that break the parsers, named pipes where a file is
read, briefs that name a template folder, template files that lead out of
their folder, dates and ids that only looked valid, and a batch export in
which one input fails in a way nobody expected. Every case runs the real
command line on real files; a named pipe that was opened would block, so
each of those runs under a deadline that fails the test instead of hanging.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from cli_helpers import assert_one_line_error, run
from pypdf import PdfReader

from briefer.briefs import brief_from_bytes, is_date
from briefer.citekeys import is_valid_key
from briefer.errors import BriefFormatError
from briefer.markdown_input import brief_from_markdown
from briefer.paths import Paths
from briefer.templates import read_template

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "templates" / "bluf-memo" / "sample.brief"
LOGO = REPO / "templates" / "long-form" / "logo.png"
DEEP = 100_000

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="named pipes and links")


class Hung(BaseException):
    """Raised by `deadline`; a BaseException so no `except Exception` hides it."""


@contextlib.contextmanager
def deadline(seconds: float = 20) -> Iterator[None]:
    """Fail instead of hanging: an open() waiting on a named pipe is
    interrupted by the alarm."""

    def expire(signum: int, frame: object) -> None:
        raise Hung(f"still waiting after {seconds} s: something opened a named pipe")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def sample_json(**changes: object) -> dict:
    brief = json.loads(SAMPLE.read_text(encoding="utf-8"))
    brief.update(changes)
    return brief


def write_brief(path: Path, brief: dict | str) -> Path:
    text = brief if isinstance(brief, str) else json.dumps(brief)
    path.write_text(text, encoding="utf-8")
    return path


def template_folder(folder: Path, template_id: str = "house", style: str = "") -> Path:
    """A copy of the bluf-memo template under another id, with `style`
    lines added to its [style] table."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (REPO / "templates" / "bluf-memo" / "template.toml").read_text(encoding="utf-8")
    text = text.replace('id = "bluf-memo"', f'id = "{template_id}"', 1)
    text = text.replace("[style]\n", f"[style]\n{style}", 1)
    (folder / "template.toml").write_text(text, encoding="utf-8")
    return folder


def user_templates() -> Path:
    folder = Paths.from_env().user_templates
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --------------------------------------------------------------------------
# Numbers and nesting the parsers refuse (item 6)
# --------------------------------------------------------------------------


def test_a_brief_with_a_number_of_thousands_of_digits_is_one_line(tmp_path: Path) -> None:
    text = json.dumps(sample_json()).replace('"version": 1', '"version": ' + "9" * 5000)
    brief = write_brief(tmp_path / "big.brief", text)
    code, _, err = run("export", str(brief), "-o", str(tmp_path / "big.pdf"))
    assert_one_line_error(code, err, str(brief), "a number with thousands of digits")
    assert not (tmp_path / "big.pdf").exists()


def test_a_version_no_briefer_writes_is_shown_short(tmp_path: Path) -> None:
    brief = write_brief(tmp_path / "v.brief", sample_json(version=10**4000))
    code, _, err = run("export", str(brief), "-o", str(tmp_path / "v.pdf"))
    assert_one_line_error(code, err, "version: expected a version number, got a number of 4001")
    assert len(err) < 300


@pytest.mark.parametrize(
    "text",
    ["[" * DEEP + "]" * DEEP, '{"format": "briefer.brief", "meta": ' + "[" * DEEP + "]" * DEEP],
    ids=["a list", "inside a brief"],
)
def test_a_brief_nested_deeply_is_one_line(tmp_path: Path, text: str) -> None:
    brief = write_brief(tmp_path / "deep.brief", text)
    code, _, err = run("export", str(brief), "-o", str(tmp_path / "deep.pdf"))
    assert_one_line_error(code, err, str(brief), "nested too deeply")


DEEP_TOML = "x = " + "[" * DEEP + "]" * DEEP + "\n"
HUGE_TOML = "x = " + "9" * 5000 + "\n"


@pytest.mark.parametrize(
    ("text", "words"),
    [(DEEP_TOML, "nested too deeply"), (HUGE_TOML, "a number with thousands of digits")],
    ids=["nested", "huge number"],
)
def test_a_template_toml_the_parser_refuses_is_a_template_error(
    tmp_path: Path, text: str, words: str
) -> None:
    folder = tmp_path / "deep"
    folder.mkdir()
    (folder / "template.toml").write_text(text, encoding="utf-8")
    code, _, err = run("templates", "check", str(folder))
    assert_one_line_error(code, err, str(folder / "template.toml"), f"not valid TOML ({words})")
    code, _, err = run(
        "export", str(SAMPLE), "--template", str(folder), "-o", str(tmp_path / "x.pdf")
    )
    assert_one_line_error(code, err, "template.toml", words)


def test_a_user_template_the_parser_refuses_is_skipped_and_the_rest_works(
    tmp_path: Path,
) -> None:
    deep = user_templates() / "deep"
    deep.mkdir()
    (deep / "template.toml").write_text(DEEP_TOML, encoding="utf-8")
    code, out, err = run("templates", "list")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == [
        "bluf-memo",
        "long-form",
        "smart-brevity",
    ]
    assert err.splitlines() == [
        f"briefer: warning: skipped {deep}: {deep / 'template.toml'}: not valid TOML"
        " (nested too deeply)"
    ]
    code, out, _ = run("export", str(SAMPLE), "-o", str(tmp_path / "memo.pdf"))
    assert (
        code == 0
        and "Bottom Line Up Front" in PdfReader(tmp_path / "memo.pdf").pages[0].extract_text()
    )


# --------------------------------------------------------------------------
# Named pipes where a file is read (item 11)
# --------------------------------------------------------------------------


def test_a_named_pipe_as_a_brief_or_notes_never_blocks(tmp_path: Path) -> None:
    brief, notes = tmp_path / "pipe.brief", tmp_path / "pipe.md"
    os.mkfifo(brief)
    os.mkfifo(notes)
    out = tmp_path / "out"
    out.mkdir()
    commands = [
        ["export", str(brief), "-o", str(out / "a.pdf")],
        ["export", str(notes), "-o", str(out / "b.docx")],
        ["convert", str(notes), "-o", str(out / "c.brief")],
        ["cite", str(brief), "1", "--section", "bluf"],
        ["retemplate", str(brief), "--template", "long-form", "-o", str(out / "d.brief")],
    ]
    for argv in commands:
        with deadline():
            code, _, err = run(*argv)
        path = brief if str(brief) in argv else notes
        assert_one_line_error(code, err, f"{path}: a named pipe, not a regular file")
    assert list(out.iterdir()) == []


def test_a_named_pipe_in_a_template_folder_never_blocks(tmp_path: Path) -> None:
    folder = tmp_path / "house"
    folder.mkdir()
    os.mkfifo(folder / "template.toml")
    with deadline():
        code, _, err = run("templates", "check", str(folder))
    assert_one_line_error(code, err, f"{folder / 'template.toml'}: a named pipe, not a regular")
    with deadline():
        code, _, err = run(
            "export", str(SAMPLE), "--template", str(folder), "-o", str(tmp_path / "x.pdf")
        )
    assert_one_line_error(code, err, "template.toml: a named pipe, not a regular file")
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize(
    ("name", "style", "error"),
    [
        ("logo.png", 'logo = "logo.png"\n', "template.toml: style.logo: file 'logo.png' is"),
        (
            "house.docx",
            'reference_docx = "house.docx"\n',
            "template.toml: style.reference_docx: file 'house.docx' is",
        ),
        ("reference.docx", "", "template.toml: style.reference_docx: file 'reference.docx' is"),
        ("sample.brief", "", "sample.brief:"),
    ],
)
def test_a_named_pipe_among_a_templates_files_is_named(
    tmp_path: Path, name: str, style: str, error: str
) -> None:
    folder = template_folder(tmp_path / "house", style=style)
    os.mkfifo(folder / name)
    with deadline():
        code, _, err = run("templates", "check", str(folder))
    assert code == 2
    errors = [line for line in err.splitlines() if line.startswith("briefer: error:")]
    assert errors == [f"briefer: error: {folder}/{error} a named pipe, not a regular file"], err


def test_a_named_pipe_as_the_reference_is_named_not_missing(tmp_path: Path) -> None:
    base = tmp_path / "house.docx"
    os.mkfifo(base)
    with deadline():
        code, _, err = run(
            "export", str(SAMPLE), "--reference", str(base), "-o", str(tmp_path / "x.docx")
        )
    assert_one_line_error(code, err, f"{base}: a named pipe, not a regular file")


def test_a_user_template_whose_toml_is_a_named_pipe_is_skipped(tmp_path: Path) -> None:
    folder = user_templates() / "piped"
    folder.mkdir()
    os.mkfifo(folder / "template.toml")
    with deadline():
        code, out, err = run("templates", "list")
    assert code == 0 and len(out.splitlines()) == 3
    assert "skipped" in err and "a named pipe, not a regular file" in err
    with deadline():
        code, _, _ = run("export", str(SAMPLE), "-o", str(tmp_path / "memo.docx"))
    assert code == 0


def test_a_batch_reports_a_named_pipe_and_exports_the_rest(tmp_path: Path) -> None:
    good = write_brief(tmp_path / "good.brief", sample_json())
    pipe = tmp_path / "pipe.brief"
    os.mkfifo(pipe)
    out = tmp_path / "out"
    with deadline():
        code, stdout, err = run("export", str(pipe), str(good), "--outdir", str(out))
    assert code == 2
    assert err.splitlines() == [
        f"briefer: error: {pipe}: a named pipe, not a regular file",
        "briefer: exported 1 of 2; 1 failed",
    ]
    assert stdout.splitlines() == [str(out / "good.docx")]


def test_a_loop_of_links_as_input_is_one_line(tmp_path: Path) -> None:
    loop = tmp_path / "loop.md"
    loop.symlink_to(loop.name)
    for argv in (
        ["convert", str(loop), "-o", str(tmp_path / "loop.brief")],
        ["export", str(loop), "-o", str(tmp_path / "loop.pdf")],
    ):
        code, _, err = run(*argv)
        assert_one_line_error(code, err, f"{loop}: cannot read: too many levels of symbolic links")


# --------------------------------------------------------------------------
# A brief names its template by id; a template's files stay in its folder
# (item 14)
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "named", ["../house", "house/", "./house", "/abs/house", "house\n", "..\\house", "House"]
)
def test_a_brief_that_names_a_template_folder_is_refused(tmp_path: Path, named: str) -> None:
    template_folder(tmp_path / "house")
    brief = write_brief(tmp_path / "memo.brief", sample_json(template=named))
    code, _, err = run("export", str(brief), "-o", str(tmp_path / "memo.pdf"))
    assert_one_line_error(code, err, f"{brief}: template: expected a template id")
    assert "--template DIR" in err
    assert not (tmp_path / "memo.pdf").exists()


def test_a_template_id_is_never_looked_up_in_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template_folder(tmp_path / "house")  # a folder of that name right here
    brief = write_brief(tmp_path / "memo.brief", sample_json(template="house"))
    monkeypatch.chdir(tmp_path)
    code, _, err = run("export", "memo.brief", "-o", "memo.pdf")
    assert_one_line_error(code, err, "memo.brief: unknown template 'house' (known: bluf-memo")
    # Given by the person on the command line, the folder is used.
    code, _, err = run("export", str(brief), "--template", "house", "-o", "memo.pdf")
    assert code == 0, err
    code, _, err = run("export", str(brief), "--template", "./house", "-o", "memo.docx")
    assert code == 0, err


def test_front_matter_that_names_a_template_folder_is_refused(tmp_path: Path) -> None:
    template_folder(tmp_path / "house")
    notes = tmp_path / "notes.md"
    notes.write_text("---\ntitle: Halden\ntemplate: ./house\n---\n\nText.\n", encoding="utf-8")
    for argv in (
        ["export", str(notes), "-o", str(tmp_path / "notes.pdf")],
        ["convert", str(notes), "-o", str(tmp_path / "notes.brief")],
    ):
        code, _, err = run(*argv)
        assert_one_line_error(
            code, err, f"{notes}: front matter template: expected a template id", "'./house'"
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["house", "notes.md"]


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside every template folder that no export may embed."""
    folder = tmp_path / "private"
    folder.mkdir()
    path = folder / "passport.png"
    shutil.copyfile(LOGO, path)
    return path


def test_a_logo_that_links_outside_the_template_is_refused(tmp_path: Path, secret: Path) -> None:
    folder = template_folder(tmp_path / "house", style='logo = "logo.png"\n')
    (folder / "logo.png").symlink_to(secret)
    code, _, err = run("templates", "check", str(folder))
    assert code == 2
    assert (
        f"briefer: error: {folder / 'template.toml'}: style.logo: 'logo.png' leads outside"
        f" the template folder (to {secret}); only files inside it are used"
    ) in err.splitlines()
    for fmt in ("pdf", "docx"):
        out = tmp_path / f"memo.{fmt}"
        code, _, err = run("export", str(SAMPLE), "--template", str(folder), "-o", str(out))
        assert_one_line_error(code, err, "style.logo: 'logo.png' leads outside the template")
        assert not out.exists()


def test_a_word_base_that_links_outside_the_template_is_refused(
    tmp_path: Path, secret: Path
) -> None:
    house = secret.with_name("house.docx")
    docx.Document().save(str(house))
    folder = template_folder(tmp_path / "house")
    (folder / "reference.docx").symlink_to(house)
    code, _, err = run(
        "export", str(SAMPLE), "--template", str(folder), "-o", str(tmp_path / "m.docx")
    )
    assert_one_line_error(
        code, err, "style.reference_docx: 'reference.docx' leads outside the template folder"
    )


def test_a_logo_linked_inside_the_template_is_used(tmp_path: Path) -> None:
    folder = template_folder(tmp_path / "house", style='logo = "logo.png"\n')
    (folder / "art").mkdir()
    shutil.copyfile(LOGO, folder / "art" / "mark.png")
    (folder / "logo.png").symlink_to(Path("art") / "mark.png")
    out = tmp_path / "memo.docx"
    code, _, err = run("export", str(SAMPLE), "--template", str(folder), "-o", str(out))
    assert code == 0, err
    header = docx.Document(str(out)).sections[0].first_page_header
    images = [rel for rel in header.part.rels.values() if "image" in rel.reltype]
    assert len(images) == 1 and images[0].target_part.blob == LOGO.read_bytes()


# --------------------------------------------------------------------------
# Dates, ids and keys matched whole, in ASCII (item 15)
# --------------------------------------------------------------------------

BAD_DATES = [
    "2026-99-99",
    "2026-13-45",
    "2026-02-30",
    "\u0662\u0660\u0662\u0666-11-22",
    "2026-11-22\n",
]


@pytest.mark.parametrize("date", BAD_DATES)
def test_a_date_that_only_looks_like_one_is_refused(tmp_path: Path, date: str) -> None:
    assert not is_date(date)
    brief = write_brief(tmp_path / "d.brief", sample_json(meta={"title": "T", "date": date}))
    code, _, err = run("export", str(brief), "-o", str(tmp_path / "d.pdf"))
    assert_one_line_error(code, err, f"{brief}: meta.date: expected a date like 2026-11-22")
    if date != date.strip():
        return  # front matter and `new --date` strip the value first: it is then valid
    with pytest.raises(BriefFormatError, match="front matter date"):
        brief_from_markdown(f"---\ntitle: T\ndate: {date}\n---\n\nText.\n")
    target = tmp_path / "n.brief"
    code, _, err = run("new", "--template", "bluf-memo", "--date", date, "-o", str(target))
    assert_one_line_error(code, err, "date: expected a date like 2026-11-22")
    assert not target.exists()


def test_a_real_date_is_kept() -> None:
    assert is_date("2024-02-29")
    brief = brief_from_bytes(json.dumps(sample_json(meta={"date": "2024-02-29"})).encode())
    assert brief.meta.date == "2024-02-29"


def test_ids_and_keys_with_a_trailing_newline_are_refused() -> None:
    assert is_valid_key("ledger-1") and not is_valid_key("ledger-1\n")
    sections = [{"id": "bluf\n", "heading": "", "body": "Text."}]
    with pytest.raises(BriefFormatError, match=r"sections\[0\]\.id: expected letters"):
        brief_from_bytes(json.dumps(sample_json(sections=sections)).encode())
    with pytest.raises(BriefFormatError, match="a source key must be"):
        brief_from_bytes(json.dumps(sample_json(sources={"ledger\n": {}})).encode())


def test_template_ids_and_colours_with_a_trailing_newline_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "house"
    template_folder(folder, template_id="house\\n", style='mono_font = "x"\n')
    toml = folder / "template.toml"
    toml.write_text(toml.read_text().replace('"#1F3A5F"', '"#1F3A5F\\n"'), encoding="utf-8")
    report = read_template(folder)
    assert {(p.where, p.message.split(",")[0]) for p in report.errors} == {
        ("template.id", "expected lower-case letters"),
        ("style.accent", 'expected a colour like "#0B5CAD"'),  # not #1F3A5F\n
    }


# --------------------------------------------------------------------------
# A batch goes on when one input fails unexpectedly (item 7)
# --------------------------------------------------------------------------


def test_a_batch_goes_on_past_an_unexpected_failure_and_names_its_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefer.export.pdf import PdfExporter

    render = PdfExporter.render

    def fails_on_wide(self, document, stream, progress=None):
        # Stands in for a renderer bug (a 70-column table made reportlab
        # raise; that one gets fixed, the next may not be).
        if document.meta.title == "Wide":
            raise RuntimeError("flowable given negative availWidth")
        return render(self, document, stream, progress)

    monkeypatch.setattr(PdfExporter, "render", fails_on_wide)
    notes = {}
    for name, title in (("good1", "First"), ("wide", "Wide"), ("good2", "Second")):
        notes[name] = tmp_path / f"{name}.md"
        notes[name].write_text(f"# {title}\n\n## What Happened?\n\nText.\n", encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, err = run(
        "export", *(str(p) for p in notes.values()), "--outdir", str(out), "--format", "pdf"
    )
    assert code == 1
    assert stdout.splitlines() == [str(out / "good1.pdf"), str(out / "good2.pdf")]
    lines = [line for line in err.splitlines() if not line.startswith("briefer: warning:")]
    assert len(lines) == 2 and "Traceback" not in err
    prefix = f"briefer: {notes['wide']}: internal error; details in "
    assert lines[0].startswith(prefix)
    log = Path(lines[0].removeprefix(prefix))
    assert log.parent == Paths.from_env().log_dir
    assert "flowable given negative availWidth" in log.read_text(encoding="utf-8")
    assert lines[1] == "briefer: exported 2 of 3; 1 failed"
    assert sorted(p.name for p in out.iterdir()) == ["good1.pdf", "good2.pdf"]
    assert "Second" in PdfReader(out / "good2.pdf").pages[0].extract_text()


def test_a_batch_of_user_errors_exits_2_with_a_summary(tmp_path: Path) -> None:
    good = write_brief(tmp_path / "good.brief", sample_json())
    bad = write_brief(tmp_path / "bad.brief", sample_json(template="../x"))
    code, stdout, err = run("export", str(bad), str(good), "--outdir", str(tmp_path / "out"))
    assert code == 2
    assert err.splitlines()[-1] == "briefer: exported 1 of 2; 1 failed"
    assert stdout.splitlines() == [str(tmp_path / "out" / "good.docx")]
