"""The window on a real X server: started as `briefer FILE` starts it.

Under Xvfb with Qt's xcb platform (not the offscreen one the other tests
use), `python -m briefer.gui.app sample.brief` opens the window with the
Smart Brevity sample; a screenshot of the screen must show the brief's text
and the preview's white page, which the worker process rendered. Ctrl+Q
closes it cleanly (exit status 0). Skipped only where Xvfb is not
installed (`make test` installs it, with the xcb libraries, when run as
root).

With `BRIEFER_UPDATE_SCREENSHOT=1` the screenshot, cropped to the window,
is also written to `assets/readme/window.png` for the README.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "templates" / "smart-brevity" / "sample.brief"
README_PICTURE = REPO / "assets" / "readme" / "window.png"

pytestmark = pytest.mark.skipif(
    shutil.which("Xvfb") is None, reason="needs Xvfb (make test installs it)"
)


def free_display() -> int:
    for number in range(90, 190):
        if (
            not Path(f"/tmp/.X11-unix/X{number}").exists()
            and not Path(f"/tmp/.X{number}-lock").exists()
        ):
            return number
    raise RuntimeError("no free X display number")


@pytest.fixture
def xvfb() -> Iterator[str]:
    number = free_display()
    server = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    socket = Path(f"/tmp/.X11-unix/X{number}")
    deadline = time.monotonic() + 10
    while not socket.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    if not socket.exists():
        server.kill()
        pytest.fail("Xvfb did not start")
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


def grab(display: str):
    from PIL import ImageGrab

    return ImageGrab.grab(xdisplay=display).convert("RGB")


def pixels(image) -> list[tuple[int, ...]]:
    data = image.tobytes()
    return [tuple(data[i : i + 3]) for i in range(0, len(data), 3)]


def looks_ready(image) -> bool:
    """The brief's text in the middle and a painted page on the right."""
    width, height = image.size
    middle = image.crop((int(width * 0.15), 60, int(width * 0.45), int(height * 0.6)))
    right = image.crop((int(width * 0.52), 60, int(width * 0.75), int(height * 0.6)))
    dark_text = sum(1 for p in pixels(middle) if max(p) < 90)
    white = sum(1 for p in pixels(right) if min(p) > 250)
    blue = sum(1 for p in pixels(right) if p[2] > 140 and p[0] < 60)  # the title, accent blue
    return dark_text > 500 and white > 0.4 * right.width * right.height and blue > 100


def test_the_window_on_a_real_x_server_shows_the_brief_and_its_preview(
    xvfb: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "xcb",
        "DISPLAY": xvfb,
        "BRIEFER_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("WAYLAND_DISPLAY", None)
    brief = tmp_path / "halden.brief"  # a copy: the open brief's lock goes beside it
    shutil.copy(SAMPLE, brief)
    window = subprocess.Popen(
        [sys.executable, "-m", "briefer.gui.app", str(brief)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        image = None
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and window.poll() is None:
            time.sleep(0.5)
            image = grab(xvfb)
            if looks_ready(image):
                break
        assert window.poll() is None, window.communicate()[1][-3000:]
        assert image is not None and looks_ready(image), "no brief and preview on the screen"
        assert len(set(pixels(image))) > 200  # not blank: text, widgets, a page
        image.save(tmp_path / "screen.png")
        if os.environ.get("BRIEFER_UPDATE_SCREENSHOT"):
            box = image.point(lambda v: 255 if v > 0 else 0).getbbox()  # the window
            image.crop(box).save(README_PICTURE, optimize=True)
        if shutil.which("xdotool"):
            subprocess.run(
                # No window manager runs: give the window the keyboard directly.
                [
                    "xdotool",
                    "search",
                    "--sync",
                    "--onlyvisible",
                    "--name",
                    "Briefer",
                    "windowfocus",
                ],
                env=env,
                capture_output=True,
                timeout=10,
                check=False,
            )
            subprocess.run(["xdotool", "key", "ctrl+q"], env=env, timeout=10, check=False)
            assert window.wait(20) == 0  # closed cleanly: nothing unsaved, no prompt
    finally:
        if window.poll() is None:
            window.kill()
        window.communicate(timeout=20)
