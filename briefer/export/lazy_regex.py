"""Defer one costly regular expression that reportlab compiles at import.

`reportlab.platypus` imports its paragraph module eagerly, and that module
compiles a case-insensitive URL pattern spanning `\\xa1-\\uffff` at import
time: about 20 ms, a tenth of a short PDF export's whole process, for a
pattern used only when reportlab's own Paragraph auto-links a URL, which
Briefer never asks it to do. Python keeps no compiled regexes between
processes, so the cost is paid on every `briefer export`.

`costly_reportlab_patterns_deferred()` wraps the import of an exporter: while
it is active, and only on the importing thread, a pattern compiled by a
`reportlab.*` module with IGNORECASE and longer than 200 characters comes
back as a `_DeferredPattern`, which compiles on first use and otherwise
behaves like the pattern through its methods (`.match`, `.search`, ...),
which is how reportlab uses it. Every other call goes to `re.compile`
untouched, and the original is restored when the block ends. Blocks on
different threads take turns (one lock), so the patch is installed and
removed exactly once each time and never outlives them. If this Python
or reportlab does not look as expected, nothing is deferred: the shim can
make an export faster, never different.
"""

from __future__ import annotations

import contextlib
import re
import sys
import threading
from collections.abc import Iterator
from typing import Any

_MIN_LENGTH = 200


class _DeferredPattern:
    """A compiled pattern in waiting: compiled on first attribute access."""

    __slots__ = ("_compile", "_compiled", "_flags", "_pattern")

    def __init__(self, compile_: Any, pattern: str, flags: int) -> None:
        self._compile = compile_
        self._pattern = pattern
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = self._compile(self._pattern, self._flags)
        return getattr(compiled, name)


# One patch at a time, process-wide. Two threads each saving and restoring
# `re.compile` around their own block could interleave (A saves the real
# function, B saves A's shim, A restores, B restores A's shim) and leave the
# shim installed for good; with the lock, the function saved is always the
# one to put back. Re-entrant so that a nested block on the same thread,
# which finds the patch already in place, does nothing.
_LOCK = threading.RLock()
_active = False


@contextlib.contextmanager
def costly_reportlab_patterns_deferred() -> Iterator[None]:
    global _active
    if not hasattr(sys, "_getframe"):
        yield
        return
    with _LOCK:
        if _active:
            yield
            return
        real = re.compile
        thread = threading.get_ident()

        def compile_(pattern: Any, flags: int = 0) -> Any:
            if (
                threading.get_ident() == thread
                and isinstance(pattern, str)
                and len(pattern) > _MIN_LENGTH
                and int(flags) & re.IGNORECASE
                and str(sys._getframe(1).f_globals.get("__name__", "")).startswith("reportlab.")
            ):
                return _DeferredPattern(real, pattern, flags)
            return real(pattern, flags)

        re.compile = compile_
        _active = True
        try:
            yield
        finally:
            _active = False
            re.compile = real
