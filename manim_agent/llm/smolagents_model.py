"""The smolagents adapters, all bound one way, and the first of them: `ChatClientModel`.

Importing smolagents takes seconds that `manim-agent check`, `fix` and pipeline runs never need, so
no module imports it at its top. Each adapter class (`ChatClientModel` here, the tools' `Tool`s,
`MakeAnimationTool`) is written in a `build(smolagents)` function marked `@smolagents_adapter`, and
its module hands it out through `__getattr__ = adapters(__name__, Name=build)`: the class is built
once, on first use, and `from module import Name` works as for any class.

`ChatClientModel` is a smolagents `Model` backed by a `ChatClient`, so the CodeAgent's calls get the
same streaming, reasoning display, retries, usage and cost accounting as every other call of a run.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from manim_agent.llm.client import ChatClient


def smolagents_adapter(build: Callable[[Any], type]) -> Callable[[], type]:
    """The adapter class `build(smolagents)` returns, built on the first call and kept."""

    @functools.cache
    def adapter() -> type:
        import smolagents  # deliberately lazy: see the module docstring

        cls = build(smolagents)
        cls.__qualname__ = cls.__name__  # found (and pickled) as `module.Name`, through `adapters`
        return cls

    return adapter


def adapters(module: str, **classes: Callable[[], type]) -> Callable[[str], Any]:
    """A module `__getattr__` that hands out the module's adapter classes by name."""

    def __getattr__(name: str) -> Any:
        if name in classes:
            return classes[name]()
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__


@smolagents_adapter
def _chat_client_model(smolagents: Any) -> type:
    class ChatClientModel(smolagents.Model):
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
            messages: list[Any],
            stop_sequences: list[str] | None = None,
            response_format: dict[str, str] | None = None,
            tools_to_call_from: list[Any] | None = None,
            **kwargs: Any,
        ) -> Any:
            prepared = self._prepare_completion_kwargs(messages=messages, stop_sequences=stop_sequences)
            completion = self.client.complete(prepared["messages"], stop=prepared.get("stop"))
            record = completion.record
            usage = smolagents.TokenUsage(
                input_tokens=record.input_tokens if record else 0,
                output_tokens=record.output_tokens if record else 0,
            )
            return smolagents.ChatMessage(
                role=smolagents.MessageRole.ASSISTANT, content=completion.content, raw=completion, token_usage=usage
            )

    return ChatClientModel


__getattr__ = adapters(__name__, ChatClientModel=_chat_client_model)
