"""The Briefer window (PySide6): the only part of Briefer that imports Qt.

It stands on the core the way the command line does: the window holds the
current `Brief` value and its undo stack (`brief_model`), every change a
person makes is one call into `briefer.editing`, and long work (export,
diagnostics, template thumbnails, the preview) runs off the GUI thread.
`briefer.gui.app.run_window` starts it; `briefer` with no command, or with a
`.brief` or Markdown file, calls that.
"""
