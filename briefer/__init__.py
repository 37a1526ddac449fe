"""Briefer: sourced, structured briefs exported to Word and PDF.

The package is layered: `model` and `document` hold plain data; `briefs`,
`templates`, `markup` and `library` read and write it; `compose` turns a
brief and a template into a document; `export` renders documents; `cli` and
`gui` sit on top. Only `briefer.gui` imports Qt.
"""

from __future__ import annotations

__version__ = "0.1.0"
