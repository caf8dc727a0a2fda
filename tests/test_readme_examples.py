"""Every Python block of README.md runs, with scripted models in place of the model names.

The real check, render and rule repairs run; only the language models are scripted. Each block is
recognised by what it uses and gets the replies that block needs; a block this test does not know
fails it, so a new README example must come with its script.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from agent_fixtures import GOOD_SCENE, SPEC_REPLY, fenced

from manim_agent.llm.scripted import ScriptedModel, lookup

pytestmark = pytest.mark.slow

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```python\n(.*?)^```", README, flags=re.M | re.S)
INNER, OUTER = "scripted/readme-inner", "scripted/readme-outer"

# The inner agent (agent mode): expand, write and check in one step, then answer with the code.
INNER_AGENT = [
    "Thought: expand, write, check.\n<code>\nspec = expand_prompt(request=request)\n"
    "code = write_manim_code(spec=spec)\nreport = render_scene(code=code)\nprint(report[:200])\n</code>",
    SPEC_REPLY,
    fenced(GOOD_SCENE),
    "Thought: it renders.\n<code>\nfinal_answer(code)\n</code>",
]
INNER_PIPELINE = [SPEC_REPLY, fenced(GOOD_SCENE)]


def outer_script(call: str) -> list[str]:
    """An outer agent that calls the animation maker, prints the outcome, then answers with the video."""
    return [
        f"Thought: ask for the animation.\n<code>\noutcome = {call}\n"
        "print(outcome['rendered'], outcome['video'])\n</code>",
        "Thought: it rendered.\n<code>\nfinal_answer(outcome['video'])\n</code>",
    ]


SCRIPTS: dict[str, tuple[list[str], list[str]]] = {
    # marker in the block: (inner replies, outer replies)
    "MakeAnimationTool": (INNER_PIPELINE, outer_script("make_animation(request='a circle and its area')")),
    "managed_agent(": (INNER_AGENT, outer_script("manim_animator(task='a circle and its area')")),
    "make_animation(": (INNER_AGENT, []),
}


def script_for(block: str) -> tuple[str, list[str], list[str]]:
    for marker, (inner, outer) in SCRIPTS.items():
        if marker in block:
            return marker, inner, outer
    raise AssertionError(f"README has a Python example this test has no script for:\n{block}")


def test_the_readme_has_the_embedding_examples() -> None:
    markers = {script_for(block)[0] for block in BLOCKS}
    assert markers == set(SCRIPTS)


@pytest.mark.parametrize("block", BLOCKS, ids=[script_for(b)[0].strip("(") for b in BLOCKS])
def test_readme_example_runs(block: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    marker, inner_replies, outer_replies = script_for(block)
    monkeypatch.chdir(tmp_path)
    inner = ScriptedModel(inner_replies, name=INNER.split("/")[1])
    outer = ScriptedModel(outer_replies, name=OUTER.split("/")[1])
    import smolagents

    # The README builds the outer model with LiteLLMModel(model_id=...): hand back the scripted one.
    monkeypatch.setattr(smolagents, "LiteLLMModel", lambda model_id, **_: lookup(model_id))
    code = block.replace('"deepseek/deepseek-chat"', f'"{INNER}"').replace('"anthropic/claude-sonnet-4-5"', f'"{OUTER}"')
    assert INNER in code  # the example names a model, and this test replaced it
    namespace: dict[str, Any] = {"__name__": "readme_example"}
    exec(compile(code, "README.md", "exec"), namespace)  # our own README
    printed = capsys.readouterr().out
    assert inner.remaining == 0 and outer.remaining == 0
    videos = list(tmp_path.glob("runs/*/*.mp4"))
    assert len(videos) == 1 and videos[0].stat().st_size > 1000
    if outer_replies:
        # The outer agent saw the structured outcome: rendered and the real path, not only prose.
        observation = str(outer.requests[1][-1]["content"])
        assert f"True {videos[0].resolve()}" in observation, observation
        assert str(videos[0].resolve()) in printed
    else:
        assert namespace["result"].ok and namespace["result"].video.resolve() == videos[0].resolve()
