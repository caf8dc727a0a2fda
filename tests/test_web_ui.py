"""The web UI's behaviour (AnimationChat), with the real check and render and a scripted model."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from agent_fixtures import BROKEN_SCENE, EDIT_FIX, SPEC_REPLY, fenced

from manim_agent.agent.scripted_model import ScriptedModel, ScriptedResponse
from manim_agent.tools import sandbox
from manim_agent.web_ui import AnimationChat

pytestmark = pytest.mark.slow


def titles(messages: list[dict]) -> list[str]:
    return [m.get("metadata", {}).get("title", "") for m in messages]


def test_the_chat_streams_spec_reasoning_and_each_attempt_then_the_video(tmp_path: Path) -> None:
    ScriptedModel([ScriptedResponse(content=SPEC_REPLY, reasoning="A circle first, then its area formula."),
                   fenced(BROKEN_SCENE), EDIT_FIX], name="ui-unit")
    chat = AnimationChat(out=tmp_path, model="scripted/ui-unit", mode="pipeline")
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
