"""A smolagents `Model` backed by a `ChatClient`, so the CodeAgent's calls get the same streaming,
reasoning display, retries, usage and cost accounting as every other call of a run."""

from __future__ import annotations

from typing import Any

from smolagents.models import ChatMessage, MessageRole, Model
from smolagents.monitoring import TokenUsage

from manim_agent.llm.client import ChatClient


class ChatClientModel(Model):
    """smolagents' model interface over one role's `ChatClient`."""

    def __init__(self, client: ChatClient, **kwargs: Any) -> None:
        # Plain-string message contents: every provider accepts them, not all accept content parts.
        super().__init__(model_id=client.model, flatten_messages_as_text=True, **kwargs)
        self.client = client

    @property
    def supports_stop_parameter(self) -> bool:
        # ChatClient drops `stop` for providers that reject it and cuts the text itself.
        return True

    def generate(
        self,
        messages: list[ChatMessage | dict],
        stop_sequences: list[str] | None = None,
        response_format: dict[str, str] | None = None,
        tools_to_call_from: list[Any] | None = None,
        **kwargs: Any,
    ) -> ChatMessage:
        prepared = self._prepare_completion_kwargs(messages=messages, stop_sequences=stop_sequences)
        completion = self.client.complete(prepared["messages"], stop=prepared.get("stop"))
        record = completion.record
        usage = TokenUsage(
            input_tokens=record.input_tokens if record else 0,
            output_tokens=record.output_tokens if record else 0,
        )
        return ChatMessage(role=MessageRole.ASSISTANT, content=completion.content, raw=completion, token_usage=usage)
