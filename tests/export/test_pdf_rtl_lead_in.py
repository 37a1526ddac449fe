"""Right-to-left text in the PDF follows Unicode's bidi rules as Word and
LibreOffice draw them: an Arabic paragraph opened by an English lead-in reads
right to left; punctuation after a Latin word takes the paragraph's direction;
adjacent right-to-left runs in Latin text read as one sequence."""

from __future__ import annotations

import re
from collections.abc import Callable

from briefer.document import Paragraph, Text

ARABIC = (
    "في عام 2026 ارتفعت الشحنات بنسبة 12% مقارنة بعام 2025، وفقاً لتقرير"
    " الميناء الصادر في لندن، واستمرت الزيادة حتى نهاية العام."
)
ARABIC_LETTERS = "[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]"  # shaped text extracts as forms


def word_boxes(bbox_html: str) -> list[tuple[float, float, str]]:
    """(x, y, text) of each word in `pdftotext -bbox` output."""
    return [
        (float(x0), float(y0), text)
        for x0, y0, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', bbox_html
        )
    ]


def test_lead_in_opens_a_right_to_left_paragraph_on_the_right(pdf_text: Callable[..., str]) -> None:
    words = word_boxes(pdf_text([Paragraph((Text(ARABIC),), lead_in="What Happened?")], "-bbox"))
    # By the bidi rules the "?" goes to the far side of the Latin run: "?What".
    what = next(w for w in words if w[2] == "?What")
    happened = next(w for w in words if w[2] == "Happened")
    first_line = [w for w in words if abs(w[1] - what[1]) < 5]  # fonts differ in height
    assert abs(happened[1] - what[1]) < 2, "the lead-in stays whole on one line"
    assert happened[0] > what[0], "its own words keep their left-to-right order"
    arabic = [w for w in first_line if re.search(ARABIC_LETTERS, w[2])]
    assert arabic and all(w[0] < what[0] for w in arabic), "it stands right of the Arabic"


def test_punctuation_after_a_latin_word_takes_the_paragraphs_direction(
    pdf_text: Callable[..., str],
) -> None:
    # A sentence-final full stop after a Latin word in a right-to-left
    # paragraph goes to the far left (".Reuters"), while a comma between two
    # Latin words stays with them ("Reuters, AP").
    text = pdf_text(
        [
            Paragraph((Text("נמל חיפה קיבל 40 אוניות, לפי Reuters."),)),
            Paragraph((Text("قال Reuters, AP أمس"),)),
        ]
    )
    assert ".Reuters" in text
    assert "Reuters, AP" in text


def test_adjacent_right_to_left_runs_in_latin_text_read_as_one(
    pdf_text: Callable[..., str],
) -> None:
    # "Ports — اختبار — בדיקה": Arabic, a dash, Hebrew form one right-to-left
    # sequence, so the Hebrew word stands left of the Arabic one.
    words = word_boxes(pdf_text([Paragraph((Text("Ports — اختبار — בדיקה"),))], "-bbox"))
    x = {text: x0 for x0, _y, text in words}
    hebrew = next(v for k, v in x.items() if re.search("[\u0590-\u05ff]", k))
    arabic = next(v for k, v in x.items() if re.search(ARABIC_LETTERS, k))
    assert x["Ports"] < hebrew < arabic
