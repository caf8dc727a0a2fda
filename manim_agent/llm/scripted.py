"""ScriptedModel: a fake LLM that replays a queue of responses, shipped in the package.

Every test uses it, and it is also handy for demos and for other programs' tests. It plugs into
litellm as the `scripted` provider, so a scripted call runs litellm's real code path: streaming,
`reasoning_content`, the usage block, and litellm's own retries when a queued item is an
exception (`provider_timeout()`, `rate_limited()`, `server_error()`).

    model = ScriptedModel(["```yaml ...```", ScriptedResponse(content="...", reasoning="...")])
    make_animation("...", model=model)          # every role uses it
    model.requests[-1]                          # the messages of the last call

Queue items: a string (the reply), a `ScriptedResponse`, an exception instance (raised as the
provider's failure), or a callable `(messages) -> str | ScriptedResponse` for replies that depend
on the request. When the queue runs dry the next call fails with `ScriptedModelExhausted`.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from manim_agent.errors import ConfigError, ScriptedModelExhausted
from manim_agent.llm import providers
from manim_agent.llm.client import ChatClient, Ledger, litellm_module
from manim_agent.llm.config import RoleModel
from manim_agent.llm.smolagents_model import ChatClientModel


@dataclass
class ScriptedResponse:
    """One scripted reply. Token counts default to litellm's own count of the text."""

    content: str = ""
    reasoning: str = ""
    finish_reason: str = "stop"
    input_tokens: int | None = None
    output_tokens: int | None = None


ScriptItem = str | ScriptedResponse | BaseException | Callable[[list[dict[str, Any]]], str | ScriptedResponse]

SCRIPTED_PROVIDER = "scripted"
_REGISTRY: dict[str, ScriptedModel] = {}
_LOCK = threading.Lock()
_COUNTER = itertools.count(1)


def lookup(model: str) -> ScriptedModel:
    """The ScriptedModel behind `scripted/<name>` (or `<name>`); ConfigError if there is none."""
    name = model.split("/", 1)[1] if model.startswith(f"{SCRIPTED_PROVIDER}/") else model
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ConfigError(f"no scripted model named {name!r}; create ScriptedModel(name={name!r}) first") from None


def provider_timeout(message: str = "Request timed out") -> Exception:
    """A litellm Timeout, as a provider that does not answer in time raises it."""
    litellm = litellm_module()
    return litellm.Timeout(message=message, model="scripted", llm_provider=SCRIPTED_PROVIDER)


def rate_limited(message: str = "Rate limit reached (429)") -> Exception:
    """A litellm RateLimitError (HTTP 429)."""
    litellm = litellm_module()
    return litellm.RateLimitError(message=message, llm_provider=SCRIPTED_PROVIDER, model="scripted")


def server_error(message: str = "Internal server error (500)") -> Exception:
    """A litellm InternalServerError (HTTP 500)."""
    litellm = litellm_module()
    return litellm.InternalServerError(message=message, llm_provider=SCRIPTED_PROVIDER, model="scripted")


class ScriptedModel(ChatClientModel):
    """Replays queued responses through litellm; also a smolagents `Model` for a CodeAgent."""

    def __init__(
        self,
        responses: Iterable[ScriptItem] = (),
        *,
        name: str | None = None,
        price_as: str | None = None,
        num_retries: int = 2,
        chunk_size: int = 24,
    ) -> None:
        self.name = name or f"model-{next(_COUNTER)}"
        self.price_as = price_as
        self.chunk_size = chunk_size
        self._queue: deque[ScriptItem] = deque(responses)
        self.requests: list[list[dict[str, Any]]] = []
        self.calls = 0
        self.exhausted = False
        # (input_tokens, output_tokens) the latest reply dictated, if any; see ChatClient._record.
        self.last_usage: tuple[int, int] | None = None
        with _LOCK:
            _REGISTRY[self.name] = self
        settings = RoleModel(
            model=f"{SCRIPTED_PROVIDER}/{self.name}", num_retries=num_retries, timeout=30, price_as=price_as
        )
        super().__init__(ChatClient(settings, role="scripted", ledger=Ledger()))

    def enqueue(self, *items: ScriptItem) -> ScriptedModel:
        """Add replies to the end of the queue; returns self so calls chain."""
        self._queue.extend(items)
        return self

    @property
    def remaining(self) -> int:
        return len(self._queue)

    def next_response(self, messages: list[dict[str, Any]]) -> ScriptedResponse:
        """Pop the next reply for `messages` (raising it if it is an exception)."""
        with _LOCK:
            self.calls += 1
            self.requests.append([dict(m) for m in messages])
            # `exhausted` describes the latest call, so a later enqueue() revives the model.
            self.exhausted = not self._queue
            item: ScriptItem = self._queue.popleft() if self._queue else _exhausted_error(self.name)
        if isinstance(item, BaseException):
            raise item
        if callable(item) and not isinstance(item, (str, ScriptedResponse)):
            item = item(messages)
        if isinstance(item, str):
            item = ScriptedResponse(content=item)
        explicit = item.input_tokens is not None and item.output_tokens is not None
        self.last_usage = (item.input_tokens, item.output_tokens) if explicit else None
        return item


def _exhausted_error(name: str) -> Exception:
    litellm = litellm_module()
    return litellm.APIConnectionError(
        message=f"scripted model {name!r} has no responses left", llm_provider=SCRIPTED_PROVIDER, model=name
    )


def _apply_stop(text: str, stop: Any) -> str:
    stops = [stop] if isinstance(stop, str) else list(stop or [])
    cut = min((text.find(s) for s in stops if s and s in text), default=-1)
    return text[:cut] if cut >= 0 else text


def _usage(litellm: Any, model: str, messages: list[dict[str, Any]], reply: ScriptedResponse) -> Any:
    prompt = (
        reply.input_tokens
        if reply.input_tokens is not None
        else litellm.token_counter(model="gpt-4o", messages=messages)
    )
    completion = (
        reply.output_tokens
        if reply.output_tokens is not None
        else litellm.token_counter(model="gpt-4o", text=reply.content + reply.reasoning)
    )
    return litellm.Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)


def _make_provider() -> Any:
    litellm = litellm_module()
    from litellm import CustomLLM
    from litellm.types.utils import Delta, ModelResponseStream, StreamingChoices

    class ScriptedProvider(CustomLLM):
        """litellm's view of the scripted models: pops the named model's queue on every call."""

        def _reply(
            self, model: str, messages: list[dict[str, Any]], optional_params: dict[str, Any]
        ) -> ScriptedResponse:
            reply = lookup(model).next_response(messages)
            content = _apply_stop(reply.content, optional_params.get("stop"))
            return ScriptedResponse(
                content, reply.reasoning, reply.finish_reason, reply.input_tokens, reply.output_tokens
            )

        def completion(self, model: str, messages: list, *args: Any, **kwargs: Any) -> Any:
            reply = self._reply(model, messages, kwargs.get("optional_params") or {})
            message = {"role": "assistant", "content": reply.content}
            if reply.reasoning:
                message["reasoning_content"] = reply.reasoning
            return litellm.ModelResponse(
                model=model,
                choices=[{"index": 0, "message": message, "finish_reason": reply.finish_reason}],
                usage=_usage(litellm, model, messages, reply),
            )

        def streaming(self, model: str, messages: list, *args: Any, **kwargs: Any) -> Iterator[Any]:
            # Pop (and raise) now, not lazily inside the iterator: a provider refuses a request
            # before it streams, which is also when litellm's retries apply.
            reply = self._reply(model, messages, kwargs.get("optional_params") or {})
            size = lookup(model).chunk_size
            return self._chunks(model, messages, reply, size)

        def _chunks(self, model: str, messages: list, reply: ScriptedResponse, size: int) -> Iterator[Any]:
            for start in range(0, len(reply.reasoning), size):
                piece = reply.reasoning[start : start + size]
                yield ModelResponseStream(model=model, choices=[StreamingChoices(delta=Delta(reasoning_content=piece))])
            for start in range(0, len(reply.content), size):
                piece = reply.content[start : start + size]
                yield ModelResponseStream(model=model, choices=[StreamingChoices(delta=Delta(content=piece))])
            yield ModelResponseStream(
                model=model, choices=[StreamingChoices(delta=Delta(), finish_reason=reply.finish_reason)]
            )
            # A usage-only chunk after the finish, the way OpenAI-compatible providers send it.
            yield ModelResponseStream(model=model, choices=[], usage=_usage(litellm, model, messages, reply))

    return ScriptedProvider()


_PROVIDER: Any = None


def ensure_registered() -> None:
    """Register the `scripted` provider with litellm once per process."""
    global _PROVIDER
    litellm = litellm_module()
    with _LOCK:
        if _PROVIDER is None:
            _PROVIDER = _make_provider()
        entries = [e for e in litellm.custom_provider_map if e.get("provider") != SCRIPTED_PROVIDER]
        litellm.custom_provider_map = entries + [{"provider": SCRIPTED_PROVIDER, "custom_handler": _PROVIDER}]
        # litellm runs this on every call too; running it now makes provider lookups work at once.
        litellm.utils.custom_llm_setup()


class _ScriptedSeam:
    """The scripted models as an in-process provider (see llm/providers.py): the client's only view of them."""

    name = SCRIPTED_PROVIDER

    def check_ready(self, model: str) -> None:
        lookup(model)  # raises ConfigError if there is no such scripted model

    def install(self) -> None:
        ensure_registered()

    def dictated_usage(self, model: str) -> tuple[int, int] | None:
        return lookup(model).last_usage

    def translate(self, model: str, role: str, exc: Exception) -> Exception | None:
        scripted = lookup(model)
        if scripted.exhausted:
            return ScriptedModelExhausted(
                f"scripted model {model!r} ran out of responses after {scripted.calls} call(s) ({role})"
            )
        return None


providers.register(_ScriptedSeam())
