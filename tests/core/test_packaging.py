"""A built wheel carries the built-in templates and assets and finds them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_finds_builtin_templates_outside_the_checkout(tmp_path: Path) -> None:
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("briefer-*.whl"))
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    assert (site / "briefer/_data/templates/smart-brevity/template.toml").is_file()
    assert (site / "briefer/_data/assets/briefer.png").is_file()
    code = (
        "import briefer, briefer.paths as p, sys\n"
        "paths = p.Paths.from_env()\n"
        "assert 'site' in briefer.__file__, briefer.__file__\n"
        "print(paths.builtin_templates)\n"
        "from briefer.cli import main\n"
        "sys.exit(main(['templates', 'list']))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [
            sys.executable,
            "-S",
            "-c",
            f"import sys; sys.path[:0] = [{str(site)!r}]; import site; site.main()\n" + code,
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    first, *listing = done.stdout.splitlines()
    assert first == str(site / "briefer" / "_data" / "templates")
    assert [line.split()[0] for line in listing] == ["bluf-memo", "long-form", "smart-brevity"]
