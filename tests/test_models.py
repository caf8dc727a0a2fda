"""Model access: scripted replies through litellm, retries, errors, keys, usage, cost, the request switch."""

from __future__ import annotations

import pytest

from manim_agent.errors import ConfigError, ModelRequestsDisabled, ProviderError, ScriptedModelExhausted
from manim_agent.llm import client as models
from manim_agent.llm.client import ChatClient, Ledger, check_model_ready
from manim_agent.llm.config import RoleModel, resolve_model_config
from manim_agent.llm.scripted import (
    ScriptedModel,
    ScriptedResponse,
    provider_timeout,
    rate_limited,
    server_error,
)

HELLO = [{"role": "user", "content": "hello"}]


def client_for(model: ScriptedModel, *, retries: int = 2, **kwargs) -> ChatClient:
    settings = RoleModel(model=model.model_id, num_retries=retries, price_as=model.price_as)
    return ChatClient(settings, role="writer", **kwargs)


def test_reasoning_streams_live_and_is_kept() -> None:
    model = ScriptedModel(
        [ScriptedResponse(content="The answer.", reasoning="First, think.\nThen answer.")], chunk_size=5
    )
    pieces: list[tuple[str, str]] = []
    completion = client_for(model, on_reasoning=lambda role, text: pieces.append((role, text))).complete(HELLO)
    assert completion.content == "The answer."
    assert completion.reasoning == "First, think.\nThen answer."
    assert len(pieces) > 1 and all(role == "writer" for role, _ in pieces)  # streamed in chunks
    assert "".join(text for _, text in pieces) == completion.reasoning


def test_think_tags_of_local_reasoning_models_become_reasoning() -> None:
    model = ScriptedModel(["<think>hmm</think>\nfinal"])
    completion = client_for(model).complete(HELLO)
    assert completion.content == "final" and completion.reasoning == "hmm"


def test_usage_and_cost_are_recorded_per_call_from_the_offline_cost_map() -> None:
    ledger = Ledger()
    model = ScriptedModel(
        [ScriptedResponse(content="x", input_tokens=1_000_000, output_tokens=1_000_000)],
        price_as="deepseek/deepseek-chat",
    )
    record = client_for(model, ledger=ledger).complete(HELLO).record
    assert (record.input_tokens, record.output_tokens) == (1_000_000, 1_000_000)
    litellm = models.litellm_module()
    expected = sum(
        litellm.cost_per_token(model="deepseek/deepseek-chat", prompt_tokens=1_000_000, completion_tokens=1_000_000)
    )
    assert record.cost_usd == pytest.approx(expected)
    assert record.cost_usd > 0
    assert ledger.totals()["calls"] == 1 and ledger.totals()["cost_usd"] == pytest.approx(expected)


def test_unpriced_scripted_model_has_unknown_cost_but_counted_tokens() -> None:
    record = client_for(ScriptedModel(["some words here"])).complete(HELLO).record
    assert record.cost_usd is None
    assert record.input_tokens > 0 and record.output_tokens > 0


@pytest.mark.parametrize("failure", [provider_timeout, rate_limited, server_error])
def test_transient_failures_are_retried_by_litellm(failure) -> None:
    model = ScriptedModel([failure(), failure(), "recovered"])
    completion = client_for(model, retries=2).complete(HELLO)
    assert completion.content == "recovered"
    assert model.calls == 3  # the first try and litellm's two retries


@pytest.mark.parametrize(
    ("failure", "kind", "words"),
    [
        (provider_timeout, "timeout", "did not answer"),
        (rate_limited, "rate_limit", "429"),
        (server_error, "server", "5xx"),
    ],
)
def test_persistent_failures_become_a_clear_provider_error(failure, kind: str, words: str) -> None:
    model = ScriptedModel([failure() for _ in range(3)] + ["never reached"])
    with pytest.raises(ProviderError) as caught:
        client_for(model, retries=2).complete(HELLO)
    assert caught.value.kind == kind
    assert words in str(caught.value) and "after 2 retries" in str(caught.value)
    assert model.calls == 3 and model.remaining == 1


def test_running_out_of_scripted_replies_is_explicit() -> None:
    model = ScriptedModel(["only one"])
    client = client_for(model, retries=0)
    client.complete(HELLO)
    with pytest.raises(ScriptedModelExhausted):
        client.complete(HELLO)


def test_requests_to_real_providers_are_switched_off_in_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-test-not-a-key")
    monkeypatch.setenv(models.ALLOW_ENV, "0")  # what tests/conftest.py sets for the whole session
    client = ChatClient(RoleModel(model="deepseek/deepseek-chat"), role="writer")
    with pytest.raises(ModelRequestsDisabled):
        client.complete(HELLO)
    with models.override_allow_model_requests(False):
        assert not models.model_requests_allowed()


def test_missing_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEEPSEEK_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="set DEEPSEEK_API_KEY in .env"):
        check_model_ready("deepseek/deepseek-chat")
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-test")
    assert check_model_ready("deepseek/deepseek-reasoner") == "deepseek"


@pytest.mark.parametrize("name", ["nonsense-model", "deepseek/deepseek-chatt"])
def test_unknown_models_fail_before_any_work(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-test")
    with pytest.raises(ConfigError, match="Unknown model"):
        check_model_ready(name)


def test_local_servers_need_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OLLAMA_API_BASE", raising=False)
    assert check_model_ready("ollama_chat/qwen2.5-coder:14b") == "ollama_chat"
    assert check_model_ready("hosted_vllm/Qwen/Qwen2.5-Coder", api_base="http://localhost:8000/v1") == "hosted_vllm"


def test_role_models_follow_flags_then_environment_then_default() -> None:
    env = {
        "MANIM_AGENT_MODEL": "openai/gpt-4o-mini",
        "MANIM_AGENT_WRITER_MODEL": "deepseek/deepseek-reasoner",
        "MANIM_AGENT_NUM_RETRIES": "5",
        "MANIM_AGENT_LLM_TIMEOUT": "30",
    }
    config = resolve_model_config(environ=env)
    assert config.for_role("expander").model == "openai/gpt-4o-mini"
    assert config.for_role("writer").model == "deepseek/deepseek-reasoner"
    assert config.for_role("writer").num_retries == 5 and config.for_role("writer").timeout == 30
    flagged = resolve_model_config(
        model="ollama_chat/llama3", role_models={"orchestrator": "deepseek/deepseek-chat"}, environ=env
    )
    assert flagged.for_role("writer").model == "ollama_chat/llama3"
    assert flagged.for_role("orchestrator").model == "deepseek/deepseek-chat"
    assert resolve_model_config(environ={}).for_role("writer").model == "deepseek/deepseek-chat"
    with pytest.raises(ConfigError, match="MANIM_AGENT_NUM_RETRIES"):
        resolve_model_config(environ={"MANIM_AGENT_NUM_RETRIES": "many"})


def test_scripted_model_is_a_smolagents_model() -> None:
    from smolagents.models import ChatMessage, MessageRole

    model = ScriptedModel(["Thought: done.\n<code>\nfinal_answer(1)\n</code>"])
    message = model.generate(
        [ChatMessage(role=MessageRole.USER, content=[{"type": "text", "text": "go"}])], stop_sequences=["</code>"]
    )
    assert message.content == "Thought: done.\n<code>\nfinal_answer(1)\n"  # cut at the stop sequence
    assert message.token_usage.input_tokens > 0
    assert model.requests[-1][-1]["content"] == "go"
