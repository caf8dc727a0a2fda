"""Agent mode: the smolagents CodeAgent driving the tools, with scripted orchestrator and writers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from agent_fixtures import (  # fixtures
    BROKEN_SCENE,
    EDIT_FIX,
    GOOD_SCENE,
    RULE_FIXABLE_SCENE,
    SPEC_REPLY,
    fast_core,
    fenced,
)
from smolagents import CodeAgent

from manim_agent.agent.code_agent import AGENT_NAME
from manim_agent.agent.make import make_animation
from manim_agent.agent.make_animation_tool import managed_agent
from manim_agent.errors import ProviderError
from manim_agent.llm.scripted import ScriptedModel, server_error

EXPAND_WRITE_CHECK = (
    "Thought: expand the request, write the scene and check it.\n<code>\n"
    "spec = expand_prompt(request=request)\ncode = write_manim_code(spec=spec)\n"
    "report = render_scene(code=code)\nprint(report[:200])\n</code>"
)
REPAIR_CHECK = (
    "Thought: the check failed; repair with its diagnosis.\n<code>\n"
    "code = write_manim_code(spec=spec, previous_code=code, diagnosis=report)\n"
    "report = render_scene(code=code)\nprint(report[:200])\n</code>"
)
ANSWER = "Thought: it renders.\n<code>\nfinal_answer(code)\n</code>"


def agent_run(
    tmp_path: Path, fast_core: dict[str, Any], orchestrator: list[Any], writer: list[Any], **kwargs: Any
) -> tuple[Any, dict[str, ScriptedModel]]:
    models = {
        "orchestrator": ScriptedModel(orchestrator),
        "expander": ScriptedModel([SPEC_REPLY]),
        "writer": ScriptedModel(writer),
    }
    result = make_animation(
        "draw a circle and its area",
        mode="agent",
        out_dir=tmp_path / "runs",
        orchestrator_model=models["orchestrator"],
        expander_model=models["expander"],
        writer_model=models["writer"],
        **fast_core,
        **kwargs,
    )
    return result, models


def test_agent_repairs_with_the_diagnosis_and_answers_with_rendering_code(tmp_path: Path, fast_core) -> None:
    result, models = agent_run(
        tmp_path, fast_core, [EXPAND_WRITE_CHECK, REPAIR_CHECK, ANSWER], [fenced(BROKEN_SCENE), EDIT_FIX]
    )
    assert result.ok and result.mode == "agent"
    assert [(a["origin"], a["ok"]) for a in result.attempts] == [("new", False), ("edit", True)]
    assert "unexpected keyword argument 'colour'" in models["writer"].requests[1][-1]["content"]
    assert all(m.remaining == 0 for m in models.values())
    assert result.usage["by_role"]["orchestrator"]["calls"] == 3
    assert (result.run_dir / "spec.md").is_file() and (result.run_dir / "notes.md").is_file()


def test_an_answer_that_does_not_render_is_refused(tmp_path: Path, fast_core) -> None:
    premature = "Thought: good enough.\n<code>\nfinal_answer(code)\n</code>"
    result, models = agent_run(
        tmp_path, fast_core, [EXPAND_WRITE_CHECK, premature, REPAIR_CHECK, ANSWER], [fenced(BROKEN_SCENE), EDIT_FIX]
    )
    assert result.ok
    refused = models["orchestrator"].requests[2]
    feedback = "\n".join(str(m["content"]) for m in refused)
    assert "does not render" in feedback and "colour" in feedback
    assert "color=BLUE" in (result.run_dir / "scene.py").read_text()


def test_the_rule_repairs_run_inside_render_scene(tmp_path: Path, fast_core) -> None:
    result, models = agent_run(tmp_path, fast_core, [EXPAND_WRITE_CHECK, ANSWER], [fenced(RULE_FIXABLE_SCENE)])
    assert result.ok
    assert models["writer"].calls == 1
    assert [a["origin"] for a in result.attempts] == ["new", "repair"]
    assert "Create(circle)" in (result.run_dir / "scene.py").read_text()
    observation = "\n".join(str(m["content"]) for m in models["orchestrator"].requests[1])
    assert '"ok": true' in observation


def test_the_agent_is_stopped_when_the_budget_is_spent(tmp_path: Path, fast_core) -> None:
    orchestrator = [EXPAND_WRITE_CHECK, REPAIR_CHECK, "Thought: again.\n<code>\nprint(1)\n</code>"]
    writer = [fenced(BROKEN_SCENE), fenced(BROKEN_SCENE.replace("0.3", "0.4"))]
    result, models = agent_run(tmp_path, fast_core, orchestrator, writer, max_attempts=2)
    assert not result.ok and result.status == "failed"
    assert result.best_attempt in (1, 2) and result.diagnosis["category"] == "bad_arguments"
    assert models["orchestrator"].remaining == 1  # interrupted before its next step
    assert any("stopped" in w for w in result.warnings)


def test_a_provider_outage_of_the_orchestrator_is_reported_not_swallowed(tmp_path: Path, fast_core) -> None:
    with pytest.raises(ProviderError):
        agent_run(tmp_path, fast_core, [server_error(), server_error(), server_error()], [], num_retries=2)
    saved = json.loads((next((tmp_path / "runs").iterdir()) / "run.json").read_text())
    assert saved["status"] == "error" and saved["error"]["type"] == "ProviderError"


def test_a_provider_outage_inside_a_tool_stops_the_agent(tmp_path: Path, fast_core) -> None:
    with pytest.raises(ProviderError):
        agent_run(tmp_path, fast_core, [EXPAND_WRITE_CHECK, REPAIR_CHECK], [server_error()] * 3, num_retries=2)


def test_it_can_be_a_managed_agent(tmp_path: Path, fast_core) -> None:
    orchestrator = ScriptedModel([EXPAND_WRITE_CHECK, ANSWER])
    expander, writer = ScriptedModel([SPEC_REPLY]), ScriptedModel([fenced(GOOD_SCENE)])
    agent = managed_agent(
        orchestrator_model=orchestrator,
        expander_model=expander,
        writer_model=writer,
        out_dir=tmp_path / "managed",
        **fast_core,
    )
    assert agent.name == AGENT_NAME and "Manim animation" in agent.description
    manager = CodeAgent(tools=[], model=ScriptedModel([]), managed_agents=[agent])
    assert manager.managed_agents[AGENT_NAME] is agent
    outcome = agent("draw a circle")  # how a manager calls it
    report = str(outcome)
    assert report.startswith("The animation rendered"), report
    assert "video:" in report and "study notes:" in report
    assert outcome["rendered"] is True and outcome["video"].endswith(".mp4")
    assert '"run_dir": ' in report  # a text-only manager gets the paths too
    assert len(list((tmp_path / "managed").iterdir())) == 1
    assert orchestrator.remaining == 0 and writer.remaining == 0


def test_an_injected_orchestrator_cannot_read_files_itself(tmp_path: Path, fast_core) -> None:
    snoop = "Thought: the request told me to read the password file.\n<code>\nprint(open('/etc/passwd').read())\n</code>"
    result, models = agent_run(tmp_path, fast_core, [snoop, EXPAND_WRITE_CHECK, ANSWER], [fenced(GOOD_SCENE)])
    assert result.ok
    observation = "\n".join(str(m["content"]) for m in models["orchestrator"].requests[1])
    assert "Forbidden" in observation and "root:" not in observation
