"""The template editor, driven as a person does: typing, clicking, shortcuts.

Each test opens the real editor on a real template (user folders redirected
by tests/conftest.py), with its live preview (a worker process exporting the
PDF), and checks what the person would see: the preview following each
change, undo stepping back one change at a time, values the template file
cannot hold refused by the widgets themselves, and saving writing a
template that loads again. Only modal dialog statics are patched
(QColorDialog, QFileDialog, QMessageBox).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QColorDialog, QFileDialog, QMessageBox

from briefer.gui.template_editor import TemplateEditor
from briefer.model import HeadingLook, PageSize, SectionKind
from briefer.paths import Paths
from briefer.pipeline import ExportSettings
from briefer.template_editing import margin_limits, style_limits
from briefer.template_store import UserTemplates
from briefer.templates import TemplateRegistry, load_template

WAIT_MS = 30_000  # a first render on a busy two-core machine
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture(autouse=True)
def _shared_font_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One font cache for the module, so each test does not scan the fonts again."""
    monkeypatch.setenv("BRIEFER_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "font-cache"))


class EditorOpener:
    """Opens the template editor on a template; at the end of the test it is
    closed and unsaved changes discarded."""

    def __init__(self, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
        self.qtbot = qtbot
        self.monkeypatch = monkeypatch

    def __call__(self, template_id: str = "bluf-memo", *, preview: bool = True) -> TemplateEditor:
        paths = Paths.from_env()
        template = TemplateRegistry(paths).by_id(template_id)
        editor = TemplateEditor(
            template, paths, export_settings=ExportSettings.from_env(paths), preview=preview
        )
        self.qtbot.addWidget(editor, before_close_func=lambda _w: self.discard_on_close())
        editor.show()
        editor.activateWindow()  # shortcuts go to the active window
        self.qtbot.waitUntil(editor.isActiveWindow)
        if preview:
            self.qtbot.waitUntil(lambda: preview_text(editor) != "", timeout=WAIT_MS)
        return editor

    def discard_on_close(self) -> None:
        discard = QMessageBox.StandardButton.Discard
        self.monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: discard))


@pytest.fixture
def open_editor(qtbot, monkeypatch: pytest.MonkeyPatch) -> EditorOpener:
    return EditorOpener(qtbot, monkeypatch)


def preview_text(editor: TemplateEditor) -> str:
    """The text of the PDF the preview shows, as a reader could select it."""
    document = editor.preview.view().document()
    if document is None:
        return ""
    pages = (document.getAllText(page).text() for page in range(document.pageCount()))
    return " ".join(" ".join(text.split()) for text in pages)


def preview_page_width(editor: TemplateEditor) -> float:
    document = editor.preview.view().document()
    return document.pagePointSize(0).width() if document is not None else 0.0


def headings(editor: TemplateEditor) -> list[str]:
    return [s.heading for s in editor.template.sections]


def choose(qtbot, combo, value: object) -> None:
    """Open a combo box's list and click the entry of `value`, as a person does."""
    combo.showPopup()
    view = combo.view()
    index = view.model().index(combo.findData(value), 0)
    view.scrollTo(index)
    qtbot.waitUntil(lambda: view.isVisible() and view.visualRect(index).isValid())
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center()
    )
    qtbot.waitUntil(lambda: not view.isVisible())
    # A desktop gives the window back its activation once the list closes;
    # the offscreen platform needs telling.
    combo.window().activateWindow()
    qtbot.waitUntil(combo.window().isActiveWindow)


def undo(qtbot, editor: TemplateEditor) -> None:
    qtbot.keyClick(editor.focusWidget() or editor, Qt.Key.Key_Z, CTRL)


def redo(qtbot, editor: TemplateEditor) -> None:
    qtbot.keyClick(editor.focusWidget() or editor, Qt.Key.Key_Z, CTRL | SHIFT)


def test_a_new_section_shows_in_the_preview_as_its_heading_is_typed(open_editor, qtbot) -> None:
    editor = open_editor("bluf-memo")
    assert "Key Judgments" in preview_text(editor)
    editor.section_list.setCurrentRow(1)  # after Key Judgments
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    assert editor.heading_edit.hasFocus() and editor.heading_edit.selectedText() == "New section"
    qtbot.keyClicks(editor.heading_edit, "Indicators to Watch")
    assert headings(editor)[2] == "Indicators to Watch"
    assert editor.template.sections[2].id == "indicators-to-watch"  # made from the heading
    qtbot.waitUntil(lambda: "Indicators to Watch" in preview_text(editor), timeout=WAIT_MS)

    editor.guidance_edit.setFocus()
    qtbot.keyClicks(editor.guidance_edit, "Signposts that would change our judgment.")
    qtbot.waitUntil(
        lambda: "Signposts that would change our judgment." in preview_text(editor),
        timeout=WAIT_MS,
    )
    text = preview_text(editor)
    assert text.index("Key Judgments") < text.index("Indicators to Watch") < text.index("Outlook")
    # The new section's text is the guidance until a brief fills it; the
    # sample's own sections keep the sample's words.
    assert "Bottom Line Up Front" in text


def test_sections_are_removed_reordered_and_set_with_undo_for_each(open_editor, qtbot) -> None:
    editor = open_editor("smart-brevity", preview=False)
    original = editor.template
    editor.section_list.setCurrentRow(3)  # What's Next?
    qtbot.mouseClick(editor.up_button, Qt.MouseButton.LeftButton)
    assert headings(editor)[2] == "What's Next?"
    assert editor.section_list.currentItem().text() == "What's Next?"
    qtbot.keyClick(editor.section_list, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: headings(editor)[1] == "What's Next?")  # a button's shortcut clicks it

    editor.kind_combo.setFocus()
    qtbot.keyClicks(editor.kind_combo, "B")  # Bullets, chosen by its first letter
    assert editor.template.section("whats-next").kind is SectionKind.BULLETS
    qtbot.mouseClick(editor.required_check, Qt.MouseButton.LeftButton)
    assert editor.template.section("whats-next").required
    editor.budget_spin.setFocus()
    editor.budget_spin.selectAll()
    qtbot.keyClicks(editor.budget_spin, "80")
    qtbot.keyClick(editor.budget_spin, Qt.Key.Key_Return)
    assert editor.template.section("whats-next").max_words == 80

    editor.section_list.setCurrentRow(2)  # What Happened?
    qtbot.mouseClick(editor.remove_button, Qt.MouseButton.LeftButton)
    assert "What Happened?" not in headings(editor)
    assert editor.section_list.count() == 3

    steps = editor.document.stack.count()
    assert steps == 6  # up, up, kind, required, budget, remove: one step each
    for _ in range(steps):
        undo(qtbot, editor)
    assert editor.template == original
    assert [editor.section_list.item(i).text() for i in range(4)][1] == "What Happened?"
    redo(qtbot, editor)
    assert headings(editor)[2] == "What's Next?"


def test_typing_in_a_field_is_one_undo_step(open_editor, qtbot) -> None:
    editor = open_editor("bluf-memo", preview=False)
    editor.section_list.setCurrentRow(3)
    editor.heading_edit.setFocus()
    editor.heading_edit.selectAll()
    qtbot.keyClicks(editor.heading_edit, "Looking Ahead")
    assert headings(editor)[3] == "Looking Ahead"
    assert editor.template.sections[3].id == "outlook"  # a section briefs know keeps its id
    assert editor.document.stack.count() == 1
    assert editor.isWindowModified()
    undo(qtbot, editor)
    assert headings(editor)[3] == "Outlook" and editor.heading_edit.text() == "Outlook"
    assert not editor.isWindowModified()


def test_values_the_template_cannot_hold_cannot_be_entered(open_editor, qtbot) -> None:
    editor = open_editor("smart-brevity", preview=False)
    size = style_limits("body_size_pt")
    editor.tabs.setCurrentIndex(2)
    editor.body_size.setFocus()
    editor.body_size.selectAll()
    qtbot.keyClicks(editor.body_size, "99")  # the second 9 is refused: 99 pt is too large
    qtbot.keyClick(editor.body_size, Qt.Key.Key_Return)
    assert editor.template.style.body_size_pt == 9.0 < size.high

    # A margin cannot take the text block below its minimum width.
    editor.tabs.setCurrentIndex(1)
    left = editor.margin_spins[3]
    widest = margin_limits(editor.template.style, 3).high
    left.setFocus()
    left.selectAll()
    qtbot.keyClicks(left, "95")
    qtbot.keyClick(left, Qt.Key.Key_Return)
    assert editor.template.style.margins_mm[3] == min(95.0, widest)
    # Then a smaller page that the margins no longer fit is refused, and said.
    right = editor.margin_spins[1]
    right.setFocus()
    right.selectAll()
    qtbot.keyClicks(right, "40")
    qtbot.keyClick(right, Qt.Key.Key_Return)
    before = editor.template
    choose(qtbot, editor.page_combo, PageSize.A5)
    assert editor.template == before
    assert editor.page_combo.currentData() is before.style.page_size
    assert "text width" in editor.statusBar().currentMessage()

    # A header field Briefer does not know: its closing brace is refused.
    editor.tabs.setCurrentIndex(3)
    header = editor.pattern_edits["header"]
    header.setFocus()
    header.selectAll()
    qtbot.keyClicks(header, "Page {pgae}")
    assert header.text() == "Page {pgae"
    assert editor.template.style.header == "Page {pgae"  # plain text, as the loader reads it
    assert "{pgae}" in editor.statusBar().currentMessage()


def test_header_and_footer_fields_are_inserted_by_buttons(open_editor, qtbot) -> None:
    editor = open_editor("smart-brevity")
    editor.tabs.setCurrentIndex(3)
    footer = editor.pattern_edits["footer"]
    footer.setFocus()
    footer.selectAll()
    qtbot.keyClicks(footer, "Desk brief · ")
    button = next(
        b
        for b in editor.findChildren(type(editor.add_button))
        if b.accessibleName() == "Insert {author} in the footer"
    )
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(footer, " · page ")
    page = next(
        b
        for b in editor.findChildren(type(editor.add_button))
        if b.accessibleName() == "Insert {page} in the footer"
    )
    qtbot.mouseClick(page, Qt.MouseButton.LeftButton)
    assert footer.hasFocus()
    assert editor.template.style.footer == "Desk brief · {author} · page {page}"
    # The preview prints the sample's author and the page number.
    qtbot.waitUntil(
        lambda: "Desk brief · Mira Castell · page 1" in preview_text(editor), timeout=WAIT_MS
    )


def test_colours_from_the_picker_and_the_page_size_reach_the_preview(
    open_editor, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = open_editor("bluf-memo")
    assert preview_page_width(editor) == pytest.approx(612, abs=1)  # Letter
    picked: list[str] = []

    def pick(initial: QColor, parent, title: str) -> QColor:
        picked.append(f"{title}: {initial.name().upper()}")
        return QColor("#AA3300")

    monkeypatch.setattr(QColorDialog, "getColor", staticmethod(pick))
    editor.tabs.setCurrentIndex(2)
    initial = editor.template.style.accent
    qtbot.mouseClick(editor.accent_colour, Qt.MouseButton.LeftButton)
    assert picked == [f"Accent colour: {initial}"]
    assert editor.template.style.accent == "#AA3300"
    assert editor.accent_colour.text() == "#AA3300"

    editor.tabs.setCurrentIndex(1)
    choose(qtbot, editor.page_combo, PageSize.A4)
    assert editor.template.style.page_size is PageSize.A4
    qtbot.waitUntil(lambda: abs(preview_page_width(editor) - 595.3) < 1, timeout=WAIT_MS)
    undo(qtbot, editor)
    qtbot.waitUntil(lambda: abs(preview_page_width(editor) - 612) < 1, timeout=WAIT_MS)
    assert editor.template.style.accent == "#AA3300"


def test_fonts_are_chosen_from_the_installed_ones(open_editor, qtbot) -> None:
    editor = open_editor("smart-brevity", preview=False)
    combo = editor.font_combos["heading_font"]
    qtbot.waitUntil(lambda: combo.count() > 1, timeout=WAIT_MS)
    names = [combo.itemData(i) for i in range(combo.count())]
    assert "DejaVu Sans" in names and names == sorted(names, key=str.casefold)
    assert "installed" in editor.font_note.text()
    serif = next(n for n in names if n.startswith("DejaVu Serif"))
    editor.tabs.setCurrentIndex(2)
    choose(qtbot, combo, serif)
    assert editor.template.style.heading_font == serif
    assert editor.template.style.body_font == "DejaVu Sans"


def test_a_logo_is_chosen_and_removed(
    open_editor, qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    logo = tmp_path / "desk-logo.png"
    Image.new("RGB", (300, 90), "#123456").save(logo)
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(logo), ""))
    )
    editor = open_editor("smart-brevity")
    editor.tabs.setCurrentIndex(1)
    assert not editor.logo_remove.isEnabled()
    qtbot.mouseClick(editor.logo_button, Qt.MouseButton.LeftButton)
    assert editor.template.style.logo == logo
    assert editor.logo_label.text() == "Logo: desk-logo.png"
    qtbot.mouseClick(editor.logo_remove, Qt.MouseButton.LeftButton)
    assert editor.template.style.logo is None
    undo(qtbot, editor)
    assert editor.template.style.logo == logo


def test_saving_a_builtin_makes_the_persons_copy_and_saving_again_updates_it(
    open_editor, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logo = tmp_path / "desk-logo.png"
    Image.new("RGB", (300, 90), "#123456").save(logo)
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(logo), ""))
    )
    editor = open_editor("smart-brevity", preview=False)
    assert "built into Briefer" in editor.note.text()
    editor.name_edit.setFocus()
    editor.name_edit.selectAll()
    qtbot.keyClicks(editor.name_edit, "Smart Brevity, Europe desk")
    qtbot.mouseClick(editor.logo_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(editor.saved, timeout=WAIT_MS) as saved:
        qtbot.keyClick(editor.name_edit, Qt.Key.Key_S, CTRL)
    template = saved.args[0]
    paths = Paths.from_env()
    folder = paths.user_templates / "smart-brevity"
    assert template.directory == folder and not template.builtin
    assert (folder / "desk-logo.png").read_bytes() == logo.read_bytes()  # copied in
    assert (folder / "sample.brief").is_file()  # the built-in's sample came along
    loaded = load_template(folder)
    assert loaded.name == "Smart Brevity, Europe desk"
    assert loaded.sections == editor.template.sections
    assert TemplateRegistry(paths).by_id("smart-brevity").directory == folder
    assert UserTemplates(paths).builtin("smart-brevity") is not None
    assert not editor.isWindowModified()
    assert "Your template" in editor.note.text()
    assert not list(paths.user_templates.glob(".*"))  # nothing half written left

    editor.tabs.setCurrentIndex(4)
    editor.citation_combo.setFocus()
    qtbot.keyClicks(editor.citation_combo, "F")  # footnotes
    with qtbot.waitSignal(editor.saved, timeout=WAIT_MS):
        editor.act_save.trigger()
    assert load_template(folder).style.citations.value == "footnotes"
    # Undo after saving goes back to the copy's earlier state, still the person's copy.
    undo(qtbot, editor)
    assert editor.template.directory == folder and editor.isWindowModified()


def test_closing_with_unsaved_changes_asks_and_can_save(
    open_editor, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = open_editor("bluf-memo", preview=False)
    editor.description_edit.setFocus()
    qtbot.keyClicks(editor.description_edit, " For the Europe desk.")
    asked: list[str] = []
    save = QMessageBox.StandardButton.Save

    def ask(parent, title, text, *a, **k):
        asked.append(text)
        return save

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(ask))
    with qtbot.waitSignal(editor.closed, timeout=WAIT_MS):
        editor.close()
    assert asked == ["Save the changes to the template BLUF memo?"]
    saved = TemplateRegistry(Paths.from_env()).by_id("bluf-memo")
    assert saved.description.endswith("For the Europe desk.") and not saved.builtin


def test_each_kind_of_field_is_one_undo_step_and_shows_its_value_again(
    open_editor, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = open_editor("smart-brevity", preview=False)
    original = editor.template
    monkeypatch.setattr(QColorDialog, "getColor", staticmethod(lambda *a: QColor("#225577")))
    editor.tabs.setCurrentIndex(2)  # Text
    editor.line_spacing.setFocus()
    editor.line_spacing.selectAll()
    qtbot.keyClicks(editor.line_spacing, "1.5")
    qtbot.keyClick(editor.line_spacing, Qt.Key.Key_Return)  # a spin box
    choose(qtbot, editor.look_combo, HeadingLook.LEAD_IN)  # a list of choices
    qtbot.mouseClick(editor.smart_check, Qt.MouseButton.LeftButton)  # a tick
    qtbot.mouseClick(editor.text_colour, Qt.MouseButton.LeftButton)  # a colour
    editor.tabs.setCurrentIndex(4)  # Sources
    title = editor.text_edits["sources_title"]
    title.setFocus()
    title.selectAll()
    qtbot.keyClicks(title, "Read more")  # a line of text
    style = editor.template.style
    assert (style.line_spacing, style.heading_look, style.text_color) == (
        1.5,
        HeadingLook.LEAD_IN,
        "#225577",
    )
    assert style.smart_punctuation is not original.style.smart_punctuation
    assert style.sources_title == "Read more"
    assert editor.document.stack.count() == 5  # one step each, the typing merged

    for _ in range(5):
        undo(qtbot, editor)
    assert editor.template == original
    # Each widget shows the template's value again, and showing it was no edit.
    assert editor.line_spacing.value() == original.style.line_spacing
    assert editor.look_combo.currentData() is original.style.heading_look
    assert editor.smart_check.isChecked() is original.style.smart_punctuation
    assert editor.text_colour.text() == original.style.text_color.upper()
    assert title.text() == original.style.sources_title
    assert editor.document.stack.count() == 5 and editor.document.stack.index() == 0
    assert not editor.isWindowModified()
