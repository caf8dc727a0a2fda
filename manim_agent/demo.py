"""`manim-agent demo` (and `make demo`): prove that an installation works.

With a model configured (.env or the environment), it runs `make` on a sample request and says
where the video is. Without one, it says exactly how to configure a provider, then renders a
scene from the curated library through the same check-and-render path, so a fresh install still
proves itself. The library scene is always labelled as such: it is never presented as generated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from rich.console import Console

from manim_agent.errors import ConfigError

SAMPLE_REQUEST = "show why the derivative is the slope of the tangent"
LIBRARY_DEMO_SCENE = "pythagorean_areas.py"
HOW_TO_CONFIGURE = """No language model is configured, so the demo cannot generate a new animation.
Configure one of these, then run the demo again:

  DeepSeek (the default model, deepseek/deepseek-chat):
      put DEEPSEEK_API_KEY=sk-... in a .env file here, or export it
  A local Ollama server:
      ollama pull qwen2.5-coder:14b
      export MANIM_AGENT_MODEL=ollama_chat/qwen2.5-coder:14b
      (and OLLAMA_API_BASE=http://host:11434 if it is not on localhost)
  A local vLLM (or any OpenAI-compatible) server:
      export MANIM_AGENT_MODEL=hosted_vllm/<the served model name>
      export MANIM_AGENT_API_BASE=http://localhost:8000/v1
  Any other litellm provider: --model provider/model with that provider's key set.
"""


@dataclass
class DemoOutcome:
    """What the demo did: a generated run, or a library scene rendered because no model is configured."""

    generated: bool
    ok: bool
    message: str
    video: Path | None = None
    scene: Path | None = None
    run_dir: Path | None = None
    configure_hint: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "generated": self.generated,
            "ok": self.ok,
            "message": self.message,
            "video": str(self.video) if self.video else None,
            "scene": str(self.scene) if self.scene else None,
            "run_dir": str(self.run_dir) if self.run_dir else None,
            "configure_hint": self.configure_hint,
            **self.details,
        }

    def print(self, console: Console) -> None:
        mark = "[green]✓[/]" if self.ok else "[red]✗[/]"
        console.print(f"{mark} {self.message}", markup=True)
        if self.video:
            console.print(f"  video: {self.video}", markup=False)
        if self.scene:
            console.print(f"  scene: {self.scene}", markup=False)
        if self.run_dir:
            console.print(f"  run directory: {self.run_dir}", markup=False)


def model_problem(make_kwargs: dict[str, Any]) -> str | None:
    """Why no model can be used (missing key, unknown model), or None when one is configured."""
    from manim_agent.agent.make import check_models
    from manim_agent.llm.config import resolve_model_config

    role_models = {role: make_kwargs.get(f"{role}_model") for role in ("expander", "writer", "orchestrator")}
    try:
        config = resolve_model_config(
            model=make_kwargs.get("model"),
            role_models={k: v for k, v in role_models.items() if v},
            api_base=make_kwargs.get("api_base"),
        )
        check_models(config, make_kwargs.get("mode") or "agent")
    except ConfigError as exc:
        return str(exc)
    return None


def library_scene_path() -> Path:
    """The demo's library scene (the Pythagorean theorem), else any library scene."""
    root = resources.files("manim_agent.scenes")
    preferred = root.joinpath(LIBRARY_DEMO_SCENE)
    if preferred.is_file():
        return Path(str(preferred))
    candidates = sorted(p for p in root.iterdir() if p.name.endswith(".py") and not p.name.startswith("_"))
    if not candidates:
        raise ConfigError("the scenes library is empty; reinstall manim-agent")
    return Path(str(candidates[0]))


def render_library_scene(
    out_dir: Path, *, quality: str = "l", fmt: str = "mp4", console: Console | None = None
) -> DemoOutcome:
    """Check and render a library scene with the core, exactly as a generated scene would be."""
    from manim_agent.tools.render_scene import check_file, render_file

    path = library_scene_path()
    target = Path(out_dir) / f"demo-library-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"
    if console:
        console.print(
            f"Rendering the library scene {path.name} (not generated) through check and render…", markup=False
        )
    diagnosis = check_file(path)
    if not diagnosis.ok:
        return DemoOutcome(
            False,
            False,
            f"the library scene {path.name} failed its check: {diagnosis.message}",
            scene=path,
            configure_hint=HOW_TO_CONFIGURE,
            details={"diagnosis": diagnosis.to_json()},
        )
    result = render_file(path, quality=quality, fmt=fmt, out_dir=target)
    if not result.ok or not result.outputs:
        message = result.diagnosis.message if result.diagnosis else "no output"
        return DemoOutcome(
            False,
            False,
            f"the library scene {path.name} failed to render: {message}",
            scene=path,
            configure_hint=HOW_TO_CONFIGURE,
        )
    return DemoOutcome(
        generated=False,
        ok=True,
        message=f"Rendered the LIBRARY scene {path.name} (a curated example, not generated). "
        "Configure a model to generate your own.",
        video=Path(result.outputs[-1]),
        scene=path,
        configure_hint=HOW_TO_CONFIGURE,
    )


def run_demo(*, make_kwargs: dict[str, Any], console: Console | None = None) -> DemoOutcome:
    """Make the sample animation if a model is configured, else render a library scene."""
    problem = model_problem(make_kwargs)
    if problem is None:
        from manim_agent.agent.make import make_animation

        if console:
            console.print(f"Making the sample animation: {SAMPLE_REQUEST!r}", markup=False)
        result = make_animation(SAMPLE_REQUEST, **make_kwargs)
        message = (
            f"Generated an animation for {SAMPLE_REQUEST!r}"
            if result.ok
            else f"The sample run failed: {result.failure_message()}"
        )
        return DemoOutcome(
            True, result.ok, message, video=result.video, scene=result.scene_path, run_dir=result.run_dir
        )
    if console:
        console.print(HOW_TO_CONFIGURE, markup=False)
        console.print(f"(The model check said: {problem})\n", markup=False)
    out_dir = Path(make_kwargs.get("out_dir") or "runs")
    outcome = render_library_scene(
        out_dir, quality=make_kwargs.get("quality") or "l", fmt=make_kwargs.get("fmt") or "mp4", console=console
    )
    outcome.details["model_problem"] = problem
    return outcome
