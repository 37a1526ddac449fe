"""The preview's worker process, without Qt: a brief in, the exported PDF out.

Each test runs the real worker (`python -m briefer.preview_worker`) as the
window does and talks to it in frames over its pipes: the PDF it sends back
says what the export says, the newest request wins, a cancel stops a
render, closing its stdin ends it, and nothing it prints can break a frame.
"""

from __future__ import annotations

import dataclasses
import io
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefer import editing
from briefer.briefs import load_brief
from briefer.model import Brief, Template
from briefer.paths import Paths
from briefer.pipeline import export
from briefer.preview_worker import (
    GREETING,
    MODULE,
    Cancel,
    Failed,
    FrameDecoder,
    Rendered,
    RenderRequest,
    Superseded,
    encode,
    page_count,
)
from briefer.templates import TemplateRegistry

REPO = Path(__file__).resolve().parents[2]
FILLER = (
    "the authority expects waiting times at anchor to fall by a fifth within a year and"
    " carriers that share their estimates get priority windows at the berth crane data"
)


class Worker:
    """The worker process, driven as the window drives it."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", MODULE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=REPO,
            env=env,
        )
        self.decoder = FrameDecoder()
        self.replies: list[object] = []

    def send(self, *messages: object) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(b"".join(encode(m) for m in messages))
        self.process.stdin.flush()

    def reply(self) -> object:
        assert self.process.stdout is not None
        while not self.replies:
            data = os.read(self.process.stdout.fileno(), 1 << 16)
            assert data, self.process.stderr.read().decode() if self.process.stderr else ""
            self.replies += self.decoder.feed(data)
        return self.replies.pop(0)

    def close(self) -> int:
        assert self.process.stdin is not None
        self.process.stdin.close()
        return self.process.wait(timeout=10)


@pytest.fixture
def worker() -> Iterator[Worker]:
    running = Worker()
    yield running
    if running.process.poll() is None:
        running.process.kill()
        running.process.wait()


@pytest.fixture(scope="module")
def registry() -> TemplateRegistry:
    return TemplateRegistry(Paths.from_env())


def sample(registry: TemplateRegistry, template_id: str) -> tuple[Brief, Template, Path]:
    template = registry.get(template_id)
    assert template.sample_path is not None
    return load_brief(template.sample_path), template, template.sample_path.parent


def long_brief(brief: Brief, paragraphs: int) -> Brief:
    """The brief with its second section grown long (a paragraph of varied
    words renders in about 2 ms a page here: 2,000 paragraphs take half a
    second or more)."""
    rng = random.Random(paragraphs)
    words = FILLER.split()
    body = "\n\n".join(
        f"Paragraph {n}. " + " ".join(rng.choice(words) for _ in range(90)) + "."
        for n in range(paragraphs)
    )
    return editing.set_body(brief, brief.sections[1].id, body)


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_preview_is_the_pdf_export(worker: Worker, registry, tmp_path: Path) -> None:
    brief, template, folder = sample(registry, "smart-brevity")
    brief = editing.set_body(brief, "what-happened", "Typed just now: berth seven reopens.")
    worker.send(RenderRequest(1, brief, template, folder))
    reply = worker.reply()
    assert isinstance(reply, Rendered), reply
    assert reply.id == 1

    exported = export(brief, template, tmp_path / "brief.pdf", "pdf", base_dir=folder)
    pdf = exported.output.read_bytes()
    shown = pdf_text(reply.pdf)
    assert "Typed just now: berth seven reopens." in shown
    assert "Port of Halden opens its cargo data to rivals" in shown
    assert shown == pdf_text(pdf)
    assert reply.pages == len(PdfReader(io.BytesIO(reply.pdf)).pages) == page_count(pdf)


def test_the_newest_request_wins(worker: Worker, registry) -> None:
    brief, template, folder = sample(registry, "long-form")
    worker.send(RenderRequest(1, brief, template, folder))
    assert isinstance(worker.reply(), Rendered)  # warm

    # A long render, overtaken by a newer brief before it can finish.
    worker.send(
        RenderRequest(2, long_brief(brief, 3000), template, folder),
        RenderRequest(3, editing.set_meta(brief, title="The newest title"), template, folder),
    )
    assert worker.reply() == Superseded(2)
    newest = worker.reply()
    assert isinstance(newest, Rendered) and newest.id == 3
    assert "The newest title" in pdf_text(newest.pdf)


def test_a_request_replaced_before_its_render_began_is_answered(worker: Worker, registry) -> None:
    brief, template, folder = sample(registry, "bluf-memo")
    slow = long_brief(brief, 3000)
    worker.send(
        RenderRequest(1, slow, template, folder),
        RenderRequest(2, slow, template, folder),
        RenderRequest(3, brief, template, folder),
    )
    answers = [worker.reply() for _ in range(3)]
    assert [type(a) for a in answers] == [Superseded, Superseded, Rendered]
    assert sorted(a.id for a in answers) == [1, 2, 3]
    assert answers[-1].id == 3


def test_cancel_stops_a_render_and_the_worker_waits(worker: Worker, registry) -> None:
    brief, template, folder = sample(registry, "long-form")
    worker.send(RenderRequest(1, long_brief(brief, 3000), template, folder))
    time.sleep(0.05)
    started = time.perf_counter()
    worker.send(Cancel())
    assert worker.reply() == Superseded(1)
    assert time.perf_counter() - started < 1.0
    worker.send(RenderRequest(2, brief, template, folder))
    answer = worker.reply()
    assert isinstance(answer, Rendered) and answer.id == 2


def test_a_render_that_fails_says_why_and_the_worker_carries_on(worker: Worker, registry) -> None:
    brief, template, folder = sample(registry, "long-form")
    # Margins that leave no room for a line: the exporter cannot lay it out.
    cramped = dataclasses.replace(
        template, style=dataclasses.replace(template.style, margins_mm=(140, 100, 140, 100))
    )
    worker.send(RenderRequest(1, brief, cramped, folder))
    failed = worker.reply()
    assert isinstance(failed, Failed) and failed.id == 1
    assert "does not fit on a page of this template" in failed.message
    worker.send(RenderRequest(2, brief, template, folder))
    assert isinstance(worker.reply(), Rendered)


def test_closing_its_input_ends_the_worker_even_mid_render(worker: Worker, registry) -> None:
    brief, template, folder = sample(registry, "long-form")
    worker.send(RenderRequest(1, brief, template, folder))
    assert isinstance(worker.reply(), Rendered)
    worker.send(RenderRequest(2, long_brief(brief, 3000), template, folder))
    time.sleep(0.05)
    started = time.perf_counter()
    assert worker.close() == 0
    assert time.perf_counter() - started < 2.0


def test_nothing_printed_in_the_worker_breaks_a_frame(registry, tmp_path: Path) -> None:
    """A library that prints as the worker starts, and one that prints
    while it renders: the replies still arrive whole."""
    chatty = tmp_path / "sitecustomize.py"
    chatty.write_text(
        "import builtins, reportlab.platypus.doctemplate as d\n"
        "print('hello from a library', flush=True)\n"
        "build = d.BaseDocTemplate.build\n"
        "def noisy(self, *a, **k):\n"
        "    print('building a PDF', flush=True)\n"
        "    return build(self, *a, **k)\n"
        "d.BaseDocTemplate.build = noisy\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(REPO)]))
    worker = Worker(env)
    try:
        brief, template, folder = sample(registry, "bluf-memo")
        worker.send(RenderRequest(7, brief, template, folder))
        reply = worker.reply()
        assert isinstance(reply, Rendered) and reply.id == 7
        assert "Ransomware group shifts to regional hospitals" in pdf_text(reply.pdf)
    finally:
        worker.close()
    assert b"building a PDF" in worker.process.stderr.read()


def test_frames_arrive_in_pieces_of_any_size_after_the_greeting() -> None:
    frames = encode(Superseded(1)) + encode(Failed(2, "why")) + encode(Superseded(3))
    stream = b"printed before the greeting\n" + GREETING + frames
    decoder = FrameDecoder()
    messages = []
    for byte in stream:
        messages += decoder.feed(bytes([byte]))
    assert messages == [Superseded(1), Failed(2, "why"), Superseded(3)]


def test_the_worker_imports_no_qt() -> None:
    code = (
        "import sys, briefer.preview_worker\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
