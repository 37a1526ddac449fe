"""Rendering a document in memory, as the export tests do."""

from __future__ import annotations

import io

from briefer.document import Document
from briefer.export import Exporter


def render_warned(exporter: Exporter, document: Document) -> tuple[bytes, list[str]]:
    """The file `exporter` makes of `document`, and the warnings its render returned."""
    buffer = io.BytesIO()
    warnings = exporter.render(document, buffer)
    return buffer.getvalue(), warnings
