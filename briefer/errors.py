"""Errors a user can act on.

Anything derived from `BrieferError` is the user's to fix (a bad file, an
unknown template, a malformed option): the command line prints its message on
one line and exits 2, the GUI shows it in a dialog. Every other exception is a
bug and is logged with its traceback.
"""

from __future__ import annotations


class BrieferError(Exception):
    """A problem with the user's input, described in one line."""


class BriefFormatError(BrieferError):
    """A `.brief` file that cannot be read: bad JSON, a wrong field, a newer version."""


class TemplateError(BrieferError):
    """A template that cannot be found, parsed or validated."""


class ExportError(BrieferError):
    """An export that cannot be done (unknown format, unwritable target, bad base document)."""


class EditError(BrieferError):
    """An edit that cannot be made: an unknown section or source, a bad value,
    a source that is still cited."""
