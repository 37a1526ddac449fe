"""`python -m briefer` runs the command line."""

from __future__ import annotations

from briefer.cli import main

raise SystemExit(main())
