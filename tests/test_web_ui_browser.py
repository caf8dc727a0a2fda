"""The web UI in headless Chromium (Debian's package, driven by Playwright): type a request, watch
the steps, get a playable video. The server is the real `manim-agent ui` with the real check and
render; only its model is scripted (MANIM_AGENT_SCRIPTED_REPLIES)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from agent_fixtures import BROKEN_SCENE, EDIT_FIX, SPEC_REPLY, fenced
from process_fixtures import BUSY_SCENE, job_processes, scene_running

from manim_agent.tools.sandbox import client as sandbox

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
SCREENSHOT_ENV = "MANIM_AGENT_UI_SCREENSHOT"  # also save the screenshot there, to look at it


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def ui_server(tmp_path: Path):
    with start_ui(tmp_path, [{"content": SPEC_REPLY, "reasoning": "A circle first, then the formula for its area."},
                             fenced(BROKEN_SCENE), EDIT_FIX]) as url:
        yield url


@pytest.fixture
def busy_ui_server(tmp_path: Path):
    with start_ui(tmp_path, [SPEC_REPLY, fenced(BUSY_SCENE)]) as url:
        yield url


@contextmanager
def start_ui(tmp_path: Path, replies_of_ui: list) -> Iterator[str]:
    """The real `manim-agent ui` whose model `scripted/ui` gives these replies."""
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps({"ui": replies_of_ui}))
    env = {**os.environ, "MANIM_AGENT_SCRIPTED_REPLIES": str(replies), "GRADIO_ANALYTICS_ENABLED": "False"}
    if sandbox.sandbox_method() != "bwrap":
        env["MANIM_AGENT_ALLOW_UNISOLATED"] = "1"
    port = free_port()
    log = open(tmp_path / "ui.log", "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "manim_agent.cli", "ui", "--port", str(port), "--model", "scripted/ui",
         "--mode", "pipeline", "--out", str(tmp_path / "runs")], env=env, cwd=tmp_path, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 180  # Gradio's import is slow on a loaded machine
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "ui.log").read_text()
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(10)
        log.close()


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (make test installs it)")
def test_a_person_types_a_request_watches_the_steps_and_plays_the_video(ui_server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 1800})
        page.goto(ui_server, wait_until="networkidle")
        page.locator("#request textarea").fill("draw a circle and its area")
        page.locator("#send").click()
        # The steps show up while the run works, before the video exists.
        page.get_by_text("the expanded scene description").first.wait_for(timeout=60_000)
        page.get_by_text("attempt 1 ✗ fails").first.wait_for(timeout=60_000)
        page.wait_for_function(
            "() => { const v = document.querySelector('#video video'); return v && v.readyState >= 3 && v.duration > 0 }",
            timeout=90_000,
        )
        chat = page.locator("#run-chat").inner_text()
        assert "attempt 2 ✓ renders" in chat and "is thinking" in chat
        assert "color=BLUE" in page.locator("#code").inner_text()
        assert page.locator("#download").get_by_text(".zip").count() >= 1
        shot = tmp_path / "ui.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert shot.stat().st_size > 10_000
    if os.environ.get(SCREENSHOT_ENV):
        shutil.copyfile(shot, os.environ[SCREENSHOT_ENV])


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (make test installs it)")
def test_stop_ends_a_run_that_would_never_finish(busy_ui_server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    home = Path(os.environ["MANIM_AGENT_HOME"])
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        page.goto(busy_ui_server, wait_until="networkidle")
        page.locator("#request textarea").fill("count for ever")
        page.locator("#send").click()
        deadline = time.monotonic() + 120
        while not scene_running(home):  # the scene's endless dry run has started
            assert time.monotonic() < deadline, "the busy scene never started"
            time.sleep(0.2)
        page.locator("#stop").click()
        page.get_by_text("⏹ stopped").first.wait_for(timeout=30_000)
        shot = tmp_path / "ui-stopped.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    deadline = time.monotonic() + 15
    while job_processes(home) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert job_processes(home) == [], "the run or its scene is still running after Stop"
    if os.environ.get(SCREENSHOT_ENV):
        shutil.copyfile(shot, Path(os.environ[SCREENSHOT_ENV]).with_name("ui-stopped.png"))
