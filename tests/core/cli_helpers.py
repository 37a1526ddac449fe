"""Running the command line in-process, as the CLI tests do."""

from __future__ import annotations

import io

from briefer.cli import CliContext, main
from briefer.paths import Paths


def run(*argv: str) -> tuple[int, str, str]:
    """`briefer ARGV...`: exit status, standard output, standard error."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), CliContext(paths=Paths.from_env(), stdout=out, stderr=err))
    return code, out.getvalue(), err.getvalue()


def assert_one_line_error(code: int, err: str, *fragments: str) -> None:
    """A user error: exit 2 and one `briefer: error:` line holding `fragments`."""
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("briefer: error: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0]
