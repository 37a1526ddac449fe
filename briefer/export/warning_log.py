"""The warnings one render collects, returned to its caller.

A renderer never writes into the `Document` it is given: one composed
document may be rendered by several exporters, on several threads, and each
caller should hear about its own render only. So each render keeps a
`WarningLog` and `render()` returns `messages()`.
"""

from __future__ import annotations


class WarningLog:
    """Problems the user should hear about, each message once, in the
    order they were first noticed."""

    def __init__(self) -> None:
        self._messages: dict[str, None] = {}  # an ordered set

    def warn(self, message: str) -> None:
        self._messages.setdefault(message, None)

    def messages(self) -> list[str]:
        return list(self._messages)
