"""The document properties both formats write: title, subject, author,
keywords and language.

A brief's metadata is text like any other, so it is cleaned the way body
text is (`clean_text`: no control characters, no lone surrogates) and each
property is one line. Word's core properties hold at most 255 characters a
field (python-docx refuses more), so a longer title, subtitle, author or
list of keywords is shortened there, at a word, with an ellipsis, and the
export says so; the brief's own text keeps it whole, and so does the PDF,
whose properties have no such limit.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from briefer.model import Meta
from briefer.text import clean_text

WORD_PROPERTY_LIMIT = 255
_ELLIPSIS = "\u2026"


@dataclass(frozen=True)
class Properties:
    """Cleaned, one-line property values ("" where the brief has none)."""

    title: str
    subject: str
    author: str
    keywords: str
    language: str


def document_properties(meta: Meta) -> Properties:
    """The properties of a brief with `meta`, whole."""
    keywords = ", ".join(kept for k in meta.keywords if (kept := one_line(k)))
    return Properties(
        title=one_line(meta.title),
        subject=one_line(meta.subtitle),
        author=one_line(meta.author),
        keywords=keywords,
        language=language_tag(meta.language),
    )


def limited(properties: Properties, limit: int) -> tuple[Properties, list[str]]:
    """`properties` with every value shortened to `limit` characters, and
    the names of the properties that were (in the order of `Properties`)."""
    values: dict[str, str] = {}
    cut: list[str] = []
    for field in fields(Properties):
        value = getattr(properties, field.name)
        short = shorten(value, limit)
        if short != value:
            cut.append(field.name)
        values[field.name] = short
    return Properties(**values), cut


def one_line(text: str) -> str:
    """`text` cleaned like body text, its white space runs as single spaces."""
    return " ".join(clean_text(text).split())


def language_tag(value: str) -> str:
    """A language tag ("en", "de-CH") as a document can carry it: cleaned,
    with no white space in it; "" when nothing is left."""
    return "".join(clean_text(value).split())


def shorten(text: str, limit: int) -> str:
    """`text` if it has at most `limit` characters; else its start, cut
    after a word where one ends in the second half, with an ellipsis, in
    `limit` characters all told."""
    if len(text) <= limit:
        return text
    head = text[: max(limit - 1, 0)]
    if not text[len(head)].isspace():  # the cut is inside a word
        space = head.rfind(" ")
        if space > limit // 2:
            head = head[:space]
    return head.rstrip(" ,;:") + _ELLIPSIS
