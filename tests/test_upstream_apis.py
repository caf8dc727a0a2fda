"""The third-party APIs this project leans on, exercised for real, one test each.

An upstream release has broken us before (litellm 1.110 removed the disk cache). When `make lock`
pulls in a release that changes one of these, the failing test's name says which API moved, before
any feature test fails in a more confusing way. Keep one test per API we call or patch.
"""

from __future__ import annotations

import inspect

import pytest

from manim_agent.llm.client import litellm_module


@pytest.fixture(scope="module")
def litellm():
    return litellm_module()


# -- litellm ------------------------------------------------------------------------------------------
def test_litellm_get_llm_provider_splits_provider_and_model(litellm) -> None:
    model, provider, *_ = litellm.get_llm_provider("deepseek/deepseek-chat")
    assert (model, provider) == ("deepseek-chat", "deepseek")
    with pytest.raises((litellm.BadRequestError, ValueError)):
        litellm.get_llm_provider("no-such-model-anywhere")


def test_litellm_validate_environment_names_missing_keys(litellm, monkeypatch) -> None:
    monkeypatch.delenv("DEEPSEEK_API_KEY", raising=False)
    assert "DEEPSEEK_API_KEY" in litellm.validate_environment("deepseek/deepseek-chat")["missing_keys"]
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-test")
    assert litellm.validate_environment("deepseek/deepseek-chat")["missing_keys"] == []


def test_litellm_model_map_and_not_mapped_error(litellm) -> None:
    assert litellm.get_model_info("deepseek/deepseek-chat")["litellm_provider"] == "deepseek"
    assert any(v.get("litellm_provider") == "deepseek" for v in litellm.model_cost.values())
    with pytest.raises(litellm.exceptions.ModelNotMappedError):
        litellm.get_model_info("deepseek/no-such-model")


def test_litellm_cost_per_token_prices_offline(litellm) -> None:
    prompt, completion = litellm.cost_per_token(
        model="deepseek/deepseek-chat", prompt_tokens=1000, completion_tokens=1000
    )
    assert prompt > 0 and completion > 0


def test_litellm_token_counter_counts_messages_and_text(litellm) -> None:
    assert litellm.token_counter(model="gpt-4o", messages=[{"role": "user", "content": "hello there"}]) > 0
    assert litellm.token_counter(model="gpt-4o", text="hello there") > 0


@pytest.mark.parametrize(
    "name",
    [
        "Timeout",
        "RateLimitError",
        "InternalServerError",
        "APIConnectionError",
        "AuthenticationError",
        "ContextWindowExceededError",
        "NotFoundError",
        "BadRequestError",
        "ServiceUnavailableError",
        "BadGatewayError",
    ],
)
def test_litellm_exception_classes_take_message_model_provider(litellm, name) -> None:
    cls = getattr(litellm, name)
    exc = cls(message="boom", model="m", llm_provider="p")
    assert isinstance(exc, Exception) and "boom" in str(exc)


def test_litellm_custom_provider_streams_with_usage_and_retries(litellm) -> None:
    """CustomLLM + custom_provider_map, streaming with include_usage, stream_chunk_builder, num_retries."""
    from manim_agent.llm.scripted import ScriptedModel, ScriptedResponse, ensure_registered, rate_limited

    model = ScriptedModel([rate_limited(), ScriptedResponse("hi there", reasoning="thinking", output_tokens=7,
                                                            input_tokens=5)], num_retries=1)
    ensure_registered()
    chunks = list(
        litellm.completion(model=model.model_id, messages=[{"role": "user", "content": "x"}], stream=True,
                           stream_options={"include_usage": True}, num_retries=1)
    )
    built = litellm.stream_chunk_builder(chunks, messages=[{"role": "user", "content": "x"}])
    assert built.choices[0].message.content == "hi there"
    assert model.calls == 2  # the 429 was retried by litellm itself
    assert any(getattr(c.choices[0].delta, "reasoning_content", None) for c in chunks if c.choices)
    plain = ScriptedModel(["plain"])
    response = litellm.completion(model=plain.model_id, messages=[{"role": "user", "content": "x"}])
    assert response.choices[0].message.content == "plain" and response.usage.prompt_tokens > 0


def test_litellm_types_the_scripted_provider_builds(litellm) -> None:
    from litellm.types.utils import Delta, ModelResponseStream, StreamingChoices

    chunk = ModelResponseStream(model="m", choices=[StreamingChoices(delta=Delta(content="a"))])
    assert chunk.choices[0].delta.content == "a"
    usage = litellm.Usage(prompt_tokens=1, completion_tokens=2, total_tokens=3)
    response = litellm.ModelResponse(
        model="m", choices=[{"index": 0, "message": {"role": "assistant", "content": "c"}, "finish_reason": "stop"}],
        usage=usage,
    )
    assert response.choices[0].finish_reason == "stop" and response.usage.completion_tokens == 2


# -- smolagents ---------------------------------------------------------------------------------------
def test_smolagents_tool_subclass_with_inputs_and_forward() -> None:
    from smolagents import Tool

    class Double(Tool):
        name = "double"
        description = "Doubles a number."
        inputs = {"x": {"type": "integer", "description": "the number"}}
        output_type = "integer"

        def forward(self, x: int) -> int:  # type: ignore[override]
            return 2 * x

    assert Double()(x=4) == 8


def test_smolagents_code_agent_runs_checks_callbacks_and_managed_agents() -> None:
    """CodeAgent's keyword arguments we pass, final_answer_checks refusing once, step_callbacks,
    the Model interface (generate, _prepare_completion_kwargs) through ChatClientModel."""
    from smolagents import CodeAgent, MultiStepAgent
    from smolagents.monitoring import AgentLogger, LogLevel
    from smolagents.utils import AgentError

    from manim_agent.llm.scripted import ScriptedModel

    # CodeAgent passes most keywords on to MultiStepAgent.
    params = {**inspect.signature(MultiStepAgent.__init__).parameters, **inspect.signature(CodeAgent.__init__).parameters}
    for name in ("tools", "model", "instructions", "max_steps", "final_answer_checks", "step_callbacks",
                 "name", "description", "logger", "managed_agents"):
        assert name in params, f"CodeAgent no longer takes {name}="
    assert issubclass(AgentError, Exception)
    answer = "Thought: done.\n<code>\nfinal_answer({})\n</code>"
    model = ScriptedModel([answer.format("'wrong'"), answer.format("'right'")])
    seen: list[object] = []
    agent = CodeAgent(
        tools=[], model=model, max_steps=4, name="inner", description="does things",
        final_answer_checks=[lambda final_answer, memory=None, agent=None: final_answer == "right"],
        step_callbacks=[lambda step, agent=None: seen.append(step)],
        logger=AgentLogger(level=LogLevel.OFF),
    )
    assert agent.run("say right") == "right"
    assert model.calls == 2 and seen
    manager = CodeAgent(tools=[], model=ScriptedModel([]), managed_agents=[agent], logger=AgentLogger(level=LogLevel.OFF))
    assert "inner" in manager.managed_agents


def test_smolagents_chat_message_and_token_usage() -> None:
    from smolagents.models import ChatMessage, MessageRole
    from smolagents.monitoring import TokenUsage

    message = ChatMessage(role=MessageRole.ASSISTANT, content="x", token_usage=TokenUsage(input_tokens=1, output_tokens=2))
    assert message.token_usage.total_tokens == 3


# -- Manim's renderer hooks (what the check patches) --------------------------------------------------
def test_manim_cairo_renderer_hooks_the_check_patches() -> None:
    from manim.renderer.cairo_renderer import CairoRenderer

    for name in ("update_frame", "add_frame", "get_frame", "play"):
        assert callable(getattr(CairoRenderer, name, None)), f"CairoRenderer.{name} is gone"
    assert list(inspect.signature(CairoRenderer.add_frame).parameters)[:3] == ["self", "frame", "num_frames"]


def test_manim_drawing_free_check_plays_a_scene(tmp_path) -> None:
    """The check's no-draw patches on a real scene: the clock advances, nothing is drawn, then restored."""
    import manim
    from manim.renderer.cairo_renderer import CairoRenderer

    from manim_agent.tools.sandbox.child import drawing, scene_runner

    drawn: list[int] = []
    original_update = CairoRenderer.update_frame

    class Tiny(manim.Scene):
        def construct(self) -> None:
            dot = manim.Dot()
            dot.add_updater(lambda m, dt: drawn.append(1))
            self.play(manim.Create(manim.Circle()), run_time=0.5)
            self.wait(0.2)
            self.remove(dot)
            self.clear()

    patches = drawing._no_draw_patches()
    try:
        settings = {"dry_run": True, "write_to_movie": False, "media_dir": str(tmp_path), "frame_rate": 15,
                    "disable_caching": True, "progress_bar": "none", "verbosity": "WARNING"}
        with manim.tempconfig(settings):
            scene = Tiny()
            for hook in ("update_to_time", "tear_down", "remove", "clear"):
                assert callable(getattr(scene, hook)), f"Scene.{hook} is gone"
            renderer = scene.renderer
            for attr in ("static_image", "skip_animations", "num_plays", "time"):
                assert hasattr(renderer, attr), f"CairoRenderer().{attr} is gone"
            camera = renderer.camera
            for attr in ("pixel_width", "pixel_height", "background", "pixel_array", "frame_rate"):
                assert hasattr(camera, attr), f"Camera().{attr} is gone"
            assert callable(camera.init_background) and callable(camera.reset)
            scene.render()
        assert renderer.num_plays == 2
        assert renderer.time == pytest.approx(0.7, abs=0.1)
    finally:
        drawing.restore_patches(patches)
    assert CairoRenderer.update_frame is original_update


def test_svgelements_shape_is_what_the_check_shares() -> None:
    import svgelements as se

    assert isinstance(se.Path("M 0 0 L 1 1"), se.Shape)
