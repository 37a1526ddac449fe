"""`briefer templates check` finds everything an export would, every error at
once, each naming its file and element; a Word base in the template folder
is used without being named."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from cli_helpers import assert_one_line_error, run
from docx.shared import Pt

from briefer.errors import TemplateError
from briefer.pipeline import check_template
from briefer.templates import Severity, load_template, read_template

REPO = Path(__file__).resolve().parents[2]

HEAD = """
[template]
id = "mini"
name = "Mini"

[[sections]]
id = "body"
heading = "Body"
max_words = 50
"""
# A classification has a place, so that no warning about it is expected.
STYLE = '[style]\nheader = "{classification}"\n'


def template(folder: Path, extra: str = STYLE, sample: dict | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "template.toml").write_text(HEAD + extra, encoding="utf-8")
    if sample is not None:
        (folder / "sample.brief").write_text(json.dumps(sample), encoding="utf-8")
    return folder


def sample(body: str = "Text.", **changes: object) -> dict:
    brief = {
        "format": "briefer.brief",
        "version": 1,
        "template": "mini",
        "meta": {"title": "Sample"},
        "sections": [{"id": "body", "heading": "Body", "body": body}],
        "sources": {},
    }
    brief.update(changes)
    return brief


def check(folder: Path) -> tuple[int, list[str], list[str], str]:
    """Exit status, error lines, warning lines and standard output."""
    code, out, err = run("templates", "check", str(folder))
    lines = err.splitlines()
    errors = [line.removeprefix("briefer: error: ") for line in lines if "error:" in line]
    warnings = [line.removeprefix("briefer: warning: ") for line in lines if "warning:" in line]
    assert len(errors) + len(warnings) == len(lines), err
    return code, errors, warnings, out


def house_style(path: Path, font: str = "Liberation Serif") -> Path:
    """A house Word document whose Normal style uses `font`, 13 pt."""
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = font
    normal.font.size = Pt(13)
    document.save(str(path))
    return path


def as_dotx(docx_path: Path, dotx_path: Path) -> Path:
    """The same package saved as a Word template (.dotx)."""
    kind = "wordprocessingml.document.main+xml"
    with zipfile.ZipFile(docx_path) as source, zipfile.ZipFile(dotx_path, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(kind.encode(), b"wordprocessingml.template.main+xml")
            target.writestr(info, data)
    return dotx_path


# -- every error, each named -------------------------------------------------


BROKEN = """
[[sections]]
id = "Second Part"

[style]
margins_mm = [120, 18, 20, -4]
accent = "blue"
heading_sizes_pt = [14, 200, "big"]
header = "{classification}"
"""


def test_every_error_is_reported_naming_its_element(tmp_path: Path) -> None:
    folder = template(tmp_path / "t", BROKEN, sample(template="smart-brevity"))
    code, errors, _, out = check(folder)
    toml, brief = folder / "template.toml", folder / "sample.brief"
    assert code == 2
    assert errors == [
        f"{toml}: sections[1].id: expected lower-case letters, digits, '-' or '_',"
        " got 'Second Part'",
        f"{toml}: style.margins_mm[0]: 120 is more than 100 (expected a number from 0 to 100)",
        f"{toml}: style.margins_mm[3]: -4 is less than 0 (expected a number from 0 to 100)",
        f"{toml}: style.accent: expected a colour like \"#0B5CAD\", got 'blue'",
        f"{toml}: style.heading_sizes_pt[1]: 200 is more than 48 (expected a number from 6 to 48)",
        f"{toml}: style.heading_sizes_pt[2]: expected a number from 6 to 48, got 'big'",
        f"{brief}: template: 'smart-brevity', but this template's id is 'mini': exported on"
        " its own, the sample would use the other template",
    ]
    assert out.strip().startswith(f"{folder}: 7 errors")


def test_an_export_names_the_first_error_and_counts_the_rest(tmp_path: Path) -> None:
    folder = template(tmp_path / "t", BROKEN)
    with pytest.raises(TemplateError) as info:
        load_template(folder)
    message = str(info.value)
    assert message.startswith(f"{folder / 'template.toml'}: sections[1].id: expected lower-case")
    assert f"(and 5 more; `briefer templates check {folder}` lists them)" in message
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n\nText.\n", encoding="utf-8")
    code, _, err = run(
        "export", str(notes), "--template", str(folder), "-o", str(tmp_path / "n.pdf")
    )
    assert_one_line_error(code, err, "sections[1].id", "and 5 more")
    assert not (tmp_path / "n.pdf").exists()


# -- margins -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "margins", "message"),
    [
        (
            "A4",
            "[20, 80, 20, 80]",
            "style.margins_mm: left 80 + right 80 mm leave a text block 50 mm wide on the"
            " 210 x 297 mm A4 page; at least 60 mm is needed",
        ),
        (
            "Letter",
            "[100, 20, 100, 20]",
            "style.margins_mm: top 100 + bottom 100 mm leave a text block 79.4 mm tall on"
            " the 215.9 x 279.4 mm Letter page; at least 100 mm is needed",
        ),
    ],
)
def test_margins_that_leave_no_room_are_errors(
    tmp_path: Path, page: str, margins: str, message: str
) -> None:
    style = f'{STYLE}page_size = "{page}"\nmargins_mm = {margins}\n'
    folder = template(tmp_path / "t", style)
    code, errors, _, _ = check(folder)
    assert code == 2 and errors == [f"{folder / 'template.toml'}: {message}"]


def test_a_margin_printers_cannot_print_is_a_warning(tmp_path: Path) -> None:
    folder = template(tmp_path / "t", STYLE + "margins_mm = [3, 18, 20, 18]\n")
    code, errors, warnings, out = check(folder)
    assert code == 0 and errors == []
    assert warnings == [
        f"{folder / 'template.toml'}: style.margins_mm[0]: the top margin of 3 mm is inside"
        " the 5 mm most printers leave unprinted"
    ]
    assert out.strip() == f"{folder}: ok (mini, 1 section, 1 warning)"


# -- fonts, Word base, sample ---------------------------------------------------


def test_fonts_not_installed_are_named_with_their_fallback(tmp_path: Path) -> None:
    style = STYLE + 'body_font = "Nonesuch Serif Pro"\nmono_font = "Nonesuch Mono"\n'
    folder = template(tmp_path / "t", style)
    code, errors, warnings, _ = check(folder)
    toml = folder / "template.toml"
    assert code == 0 and errors == []
    assert warnings == [
        f"{toml}: style.body_font: 'Nonesuch Serif Pro' is not installed; the PDF uses"
        " DejaVu Sans instead (the DOCX names 'Nonesuch Serif Pro', which Word shows where it"
        " is installed)",
        f"{toml}: style.mono_font: 'Nonesuch Mono' is not installed; the PDF uses"
        " DejaVu Sans Mono instead (the DOCX names 'Nonesuch Mono', which Word shows where it"
        " is installed)",
    ]


def test_a_word_base_that_does_not_open_is_an_error(tmp_path: Path) -> None:
    folder = template(tmp_path / "t", sample=sample())
    (folder / "reference.docx").write_bytes(b"not a zip at all")
    code, errors, _, _ = check(folder)
    assert code == 2
    assert errors == [
        f"{folder / 'reference.docx'}: not a usable Word document or template"
        " (File is not a zip file)"
    ]
    code, _, err = run(
        "export", str(folder / "sample.brief"), "--template", str(folder),
        "-o", str(tmp_path / "s.docx"),
    )  # fmt: skip
    assert_one_line_error(code, err, "reference.docx", "not a usable Word document")


def test_an_invalid_sample_is_reported_and_its_export_warnings_too(tmp_path: Path) -> None:
    folder = template(tmp_path / "t")
    (folder / "sample.brief").write_text('{"format": "briefer.brief", "vers', encoding="utf-8")
    code, errors, _, _ = check(folder)
    assert code == 2 and len(errors) == 1
    assert errors[0].startswith(f"{folder / 'sample.brief'}: not valid JSON")

    extra = {"id": "appendix", "heading": "Appendix", "body": "More."}
    brief = sample(" ".join(["word"] * 60) + " [@nobody].")
    brief["sections"].append(extra)
    (folder / "sample.brief").write_text(json.dumps(brief), encoding="utf-8")
    code, errors, warnings, _ = check(folder)
    path = folder / "sample.brief"
    assert code == 2
    assert errors == [
        f"{path}: sections[1].id: 'appendix' is not a section of this template (its sections: body)"
    ]
    assert f"{path}: section 'Body' has 60 words; the template's budget is 50" in warnings
    assert any(w.startswith(f"{path}: citation [@nobody]") for w in warnings), warnings


def test_an_unreadable_logo_is_found_even_without_a_sample(tmp_path: Path) -> None:
    folder = template(tmp_path / "t", STYLE + 'logo = "logo.png"\n')
    (folder / "logo.png").write_bytes(b"not a picture")
    code, errors, warnings, _ = check(folder)
    assert code == 0 and errors == []
    toml = folder / "template.toml"
    assert len(warnings) == 2
    assert warnings[0].startswith(f"{toml}: in the DOCX: logo ")
    assert warnings[1].startswith(f"{toml}: in the PDF: logo 'logo.png': unreadable image")


def test_a_good_template_with_a_sample_is_ok(tmp_path: Path) -> None:
    folder = template(tmp_path / "t", sample=sample())
    code, errors, warnings, out = check(folder)
    assert (code, errors, warnings) == (0, [], [])
    assert out.strip() == f"{folder}: ok (mini, 1 section)"


def test_a_template_that_shows_no_classification_is_warned(tmp_path: Path) -> None:
    folder = template(tmp_path / "t", extra="")
    report = check_template(folder)
    assert [(p.where, p.severity) for p in report.problems] == [("style", Severity.WARNING)]
    assert "classification is printed nowhere" in report.problems[0].message


def test_builtin_templates_have_no_errors() -> None:
    for folder in sorted((REPO / "templates").iterdir()):
        report = check_template(folder)
        assert report.errors == [], [str(p) for p in report.errors]


# -- a Word base found in the folder -----------------------------------------


def export_docx(folder: Path, tmp_path: Path) -> docx.document.Document:
    brief = tmp_path / "b.brief"
    brief.write_text(json.dumps(sample()), encoding="utf-8")
    out = tmp_path / "b.docx"
    code, _, err = run("export", str(brief), "--template", str(folder), "-o", str(out))
    assert code == 0, err
    return docx.Document(str(out))


@pytest.mark.parametrize("name", ["reference.docx", "reference.dotx"])
def test_a_word_base_in_the_folder_is_used_without_being_named(tmp_path: Path, name: str) -> None:
    folder = template(tmp_path / "t")
    base = house_style(tmp_path / "house.docx")
    if name.endswith(".dotx"):
        as_dotx(base, folder / name)
    else:
        shutil.copy(base, folder / name)
    assert load_template(folder).style.reference_docx == folder / name
    normal = export_docx(folder, tmp_path).styles["Normal"]
    assert (normal.font.name, normal.font.size) == ("Liberation Serif", Pt(13))
    code, out, _ = run("templates", "show", str(folder))
    assert code == 0 and f"Word styles from: {name}" in out


def test_both_word_bases_in_the_folder_are_refused_unless_one_is_named(tmp_path: Path) -> None:
    folder = template(tmp_path / "t")
    house_style(folder / "reference.docx", font="Liberation Sans")
    as_dotx(house_style(tmp_path / "house.docx"), folder / "reference.dotx")
    code, errors, _, _ = check(folder)
    assert code == 2
    assert errors == [
        f"{folder / 'template.toml'}: style.reference_docx: the folder has both"
        " reference.docx and reference.dotx; name the one to use"
        ' (reference_docx = "reference.dotx" under [style])'
    ]
    (folder / "template.toml").write_text(
        HEAD + STYLE + 'reference_docx = "reference.dotx"\n', encoding="utf-8"
    )
    assert read_template(folder).problems == ()
    assert export_docx(folder, tmp_path).styles["Normal"].font.name == "Liberation Serif"


def test_a_named_base_wins_over_the_folders(tmp_path: Path) -> None:
    folder = template(tmp_path / "t", STYLE + 'reference_docx = "house.docx"\n')
    house_style(folder / "house.docx", font="Liberation Mono")
    house_style(folder / "reference.docx", font="Liberation Sans")
    normal = export_docx(folder, tmp_path).styles["Normal"]
    assert normal.font.name == "Liberation Mono"


def test_check_writes_nothing(tmp_path: Path) -> None:
    folder = template(tmp_path / "t", sample=sample())
    shutil.copy(house_style(tmp_path / "house.docx"), folder / "reference.docx")
    before = {p: p.read_bytes() for p in folder.iterdir()}
    code, _, _, _ = check(folder)
    assert code == 0
    assert {p: p.read_bytes() for p in folder.iterdir()} == before
