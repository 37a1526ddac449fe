"""The deferred reportlab pattern: only that pattern, only during the import,
and it matches exactly as the compiled pattern would."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path

from briefer.export.lazy_regex import costly_reportlab_patterns_deferred

REPO = Path(__file__).resolve().parents[2]


def test_loading_the_pdf_exporter_defers_reportlabs_url_pattern() -> None:
    code = """
import re
original = re.compile
from briefer.export import exporter_for
exporter_for("pdf")
import reportlab.platypus.paragraph as paragraph
assert re.compile is original, "re.compile is restored"
assert type(paragraph.uri_pat).__name__ == "_DeferredPattern"
real = re.compile(paragraph.uri_pat.pattern, paragraph.uri_pat.flags)
for uri in ["https://example.org/a?b=c", "mailto:x@example.org", "not a uri", "ftp://[::1]:21/x"]:
    assert bool(paragraph.uri_pat.match(uri)) == bool(real.match(uri)), uri
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_nothing_else_is_deferred() -> None:
    long_pattern = "(?:" + "|".join(f"word{i}" for i in range(60)) + ")"
    found: list[object] = []
    with costly_reportlab_patterns_deferred():
        found.append(re.compile(long_pattern, re.IGNORECASE))  # not from a reportlab module
        thread = threading.Thread(target=lambda: found.append(re.compile(long_pattern, re.I)))
        thread.start()
        thread.join()
    assert all(isinstance(p, re.Pattern) for p in found)
    assert re.compile.__module__ == "re"


def test_overlapping_blocks_on_two_threads_restore_re_compile() -> None:
    """Thread A enters, thread B tries to enter while A is still inside, A
    leaves, B leaves. Had B saved A's shim as "the real re.compile", it would
    put that back on leaving and the shim would stay for good."""
    original = re.compile
    a_inside, b_inside, b_done = threading.Event(), threading.Event(), threading.Event()

    def thread_b() -> None:
        a_inside.wait(5)
        with costly_reportlab_patterns_deferred():
            b_inside.set()
        b_done.set()

    other = threading.Thread(target=thread_b)
    other.start()
    with costly_reportlab_patterns_deferred():
        a_inside.set()
        # Give B every chance to enter now; it must wait for A instead.
        assert not b_inside.wait(0.2)
    assert b_done.wait(5)
    other.join()
    assert re.compile is original


def test_a_nested_block_leaves_the_outer_one_in_place() -> None:
    original = re.compile
    with costly_reportlab_patterns_deferred():
        patched = re.compile
        with costly_reportlab_patterns_deferred():
            assert re.compile is patched
        assert re.compile is patched  # the inner block did not restore early
    assert re.compile is original
