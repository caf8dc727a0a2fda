"""The web UI's behaviour (AnimationChat), with the real check and render and a scripted model."""

from __future__ import annotations

import json
import os
import threading
import time
import zipfile
from pathlib import Path

import pytest
from agent_fixtures import BROKEN_SCENE, EDIT_FIX, SPEC_REPLY, fenced
from process_fixtures import BUSY_SCENE, job_processes, scene_running

from manim_agent.tools.sandbox import client as sandbox
from manim_agent.web_ui import AnimationChat

pytestmark = pytest.mark.slow


def titles(messages: list[dict]) -> list[str]:
    return [m.get("metadata", {}).get("title", "") for m in messages]


def scripted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, replies: list) -> None:
    """The run's process builds `scripted/ui-unit` from MANIM_AGENT_SCRIPTED_REPLIES (embed_jobs)."""
    path = tmp_path / "replies.json"
    path.write_text(json.dumps({"ui-unit": replies}))
    monkeypatch.setenv("MANIM_AGENT_SCRIPTED_REPLIES", str(path))
    if sandbox.sandbox_method() != "bwrap":
        monkeypatch.setenv("MANIM_AGENT_ALLOW_UNISOLATED", "1")


def test_the_chat_streams_spec_reasoning_and_each_attempt_then_the_video(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scripted(monkeypatch, tmp_path, [{"content": SPEC_REPLY, "reasoning": "A circle first, then its area formula."},
                                     fenced(BROKEN_SCENE), EDIT_FIX])
    chat = AnimationChat(out=tmp_path / "runs", model="scripted/ui-unit", mode="pipeline")
    updates = list(chat.run("draw a circle and its area"))
    assert len(updates) > 5  # the chat changed while the run worked, not only at the end
    messages, video, code, notes, archive = updates[-1]
    seen = titles(messages)
    assert "📝 the expanded scene description" in seen
    thinking = next(m for m in messages if "is thinking" in titles([m])[0])
    assert thinking["content"] == "A circle first, then its area formula."
    assert any(t.startswith("attempt 1 ✗") for t in seen) and any(t.startswith("attempt 2 ✓") for t in seen)
    failed = messages[seen.index(next(t for t in seen if t.startswith("attempt 1")))]
    assert "bad_arguments" in failed["content"] and "colour" in failed["content"]
    assert any(isinstance(m["content"], dict) and Path(m["content"]["path"]).is_file() for m in messages)  # a sheet
    assert video and Path(video).stat().st_size > 1000 and "color=BLUE" in code and "circle" in notes.lower()
    with zipfile.ZipFile(archive) as packed:
        assert "scene.py" in packed.namelist() and "run.json" in packed.namelist()
    # The spec appeared before the first attempt: the person saw it while the code was being written.
    first_with_attempt = next(i for i, u in enumerate(updates) if any(t.startswith("attempt") for t in titles(u[0])))
    assert "📝 the expanded scene description" in titles(updates[first_with_attempt][0])


def test_a_bad_request_or_no_bubblewrap_is_a_message_not_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chat = AnimationChat(out=tmp_path, model="scripted/none", mode="pipeline")
    [(messages, video, *_)] = list(chat.run("   "))
    assert "empty" in messages[-1]["content"] and video is None
    [(messages, video, *_)] = list(chat.run("a" * 1_000_000))  # 1 MB: refused, not run
    assert "limit is 20,000" in messages[-1]["content"] and video is None
    monkeypatch.setenv("MANIM_AGENT_SANDBOX", "rlimits")
    monkeypatch.delenv("MANIM_AGENT_ALLOW_UNISOLATED", raising=False)
    sandbox.sandbox_method.cache_clear()
    try:
        [(messages, video, *_)] = list(chat.run("draw a circle"))
        assert "bubblewrap" in messages[-1]["content"] and "MANIM_AGENT_ALLOW_UNISOLATED=1" in messages[-1]["content"]
    finally:
        sandbox.sandbox_method.cache_clear()
    assert not list(tmp_path.glob("*-ui-*"))  # refused before any run directory existed


def test_stop_ends_the_run_and_its_sandboxed_scene(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A scene that never ends: Stop ends the run's process and the scene, and the chat says so."""
    home = Path(os.environ["MANIM_AGENT_HOME"])
    scripted(monkeypatch, tmp_path, [SPEC_REPLY, fenced(BUSY_SCENE)])
    chat = AnimationChat(out=tmp_path / "runs", model="scripted/ui-unit", mode="pipeline")
    updates: list = []
    reader = threading.Thread(target=lambda: updates.extend(chat.run("count for ever", session="s1")), daemon=True)
    reader.start()
    deadline = time.monotonic() + 120
    while not scene_running(home):
        assert reader.is_alive() and time.monotonic() < deadline, "the busy scene never started"
        time.sleep(0.2)
    assert chat.stop("s1") is True
    reader.join(30)
    assert not reader.is_alive(), "the chat's stream did not end after Stop"
    messages, video, _code, _notes, archive = updates[-1]
    assert titles(messages)[-1] == "⏹ stopped" and video is None and archive and Path(archive).is_file()
    deadline = time.monotonic() + 15
    while job_processes(home) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert job_processes(home) == [], "the run's process or its scene is still running"
    assert chat.stop("s1") is False  # nothing left to stop
