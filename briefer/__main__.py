"""`python -m briefer` runs the command line, as the `briefer` command does."""

from __future__ import annotations

from briefer.launch import run

run()
