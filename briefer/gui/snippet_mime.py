"""The drag-and-drop format for snippets moving from the library to a brief.

A drag carries the whole snippets (text, source, tags), not only their ids,
so the section editor that receives the drop cites them without a database
query on the GUI thread, and a drop still works when the library that gave
them has since closed. A snippet dragged out of the trash says so
(`deleted`), so the drop refuses to cite it as Cite Selected Snippet does.
Other programs see the snippets' plain text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from PySide6.QtCore import QByteArray, QMimeData

from briefer.library.model import Snippet, Source

SNIPPETS_MIME = "application/x-briefer-snippets"
FORMAT_VERSION = 1


def snippets_to_mime(snippets: Sequence[Snippet], library: str = "") -> QMimeData:
    """Mime data for dragging `snippets` out of `library` (its path or URL)."""
    payload = {
        "version": FORMAT_VERSION,
        "library": library,
        "snippets": [_snippet_json(snippet) for snippet in snippets],
    }
    mime = QMimeData()
    mime.setData(SNIPPETS_MIME, QByteArray(json.dumps(payload).encode("utf-8")))
    mime.setText("\n\n".join(snippet.text for snippet in snippets))
    return mime


def has_snippets(mime: QMimeData | None) -> bool:
    return mime is not None and mime.hasFormat(SNIPPETS_MIME)


def snippets_from_mime(mime: QMimeData | None) -> list[Snippet]:
    """The snippets a drag carries; [] for anything else or a damaged payload."""
    if not has_snippets(mime):
        return []
    try:
        payload = json.loads(bytes(mime.data(SNIPPETS_MIME).data()).decode("utf-8"))
        return [_snippet_from_json(item) for item in payload["snippets"]]
    except (ValueError, KeyError, TypeError, AttributeError):
        return []


def library_of(mime: QMimeData | None) -> str:
    """The path or URL of the library a drag came from ("" if unknown)."""
    if not has_snippets(mime):
        return ""
    try:
        payload = json.loads(bytes(mime.data(SNIPPETS_MIME).data()).decode("utf-8"))
        return str(payload.get("library", ""))
    except (ValueError, AttributeError):
        return ""


def _snippet_json(snippet: Snippet) -> dict[str, object]:
    source = snippet.source
    return {
        "id": snippet.id,
        "text": snippet.text,
        "note": snippet.note,
        "tags": list(snippet.tags),
        "collection": snippet.collection,
        "deleted": snippet.deleted,  # in the trash since then ("" if not)
        "source": {
            "title": source.title,
            "publisher": source.publisher,
            "author": source.author,
            "url": source.url,
            "published": source.published,
            "accessed": source.accessed,
        },
    }


def _snippet_from_json(item: dict[str, object]) -> Snippet:
    source = item.get("source") or {}
    if not isinstance(source, dict):
        raise TypeError("source is not an object")
    tags = item.get("tags") or []
    if not isinstance(tags, list):
        raise TypeError("tags is not a list")
    return Snippet(
        id=int(item["id"]),  # type: ignore[arg-type]
        text=str(item["text"]),
        note=str(item.get("note", "")),
        tags=tuple(str(tag) for tag in tags),
        collection=str(item.get("collection", "")),
        deleted=str(item.get("deleted") or ""),
        source=Source(**{name: str(source.get(name, "")) for name in _SOURCE_FIELDS}),
    )


_SOURCE_FIELDS = ("title", "publisher", "author", "url", "published", "accessed")
