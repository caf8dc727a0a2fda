"""Talking to language models through litellm: one client per role, usage and cost per call.

- Any litellm model string works (`deepseek/deepseek-chat`, `ollama_chat/qwen2.5-coder`,
  `hosted_vllm/...`); in-process providers (the test model is one) plug in through `providers`.
- Replies stream; a reasoning model's `reasoning_content` is handed to `on_reasoning` as it
  arrives (the CLI prints it dimmed) and kept on the `Completion` so the run directory saves it.
- Retries and timeouts are litellm's (`num_retries`, `timeout`); when they are used up the
  failure becomes a `ProviderError` that names the model and what went wrong.
- Tokens come from the provider's usage block; cost from litellm's offline cost map.
- `check_model_ready` fails fast, before any work, on an unknown model or a missing key.
- Real requests can be switched off (`ALLOW_MODEL_REQUESTS = False`, or the environment variable
  `MANIM_AGENT_ALLOW_MODEL_REQUESTS=0`): any call to a real provider then raises
  `ModelRequestsDisabled`. The test suite does this; in-process providers keep working.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from manim_agent.errors import (
    ConfigError,
    MissingDependencyError,
    ModelRequestsDisabled,
    ProviderError,
)
from manim_agent.llm import providers
from manim_agent.llm.reply_cache import CachedReply, reply_cache, request_key

if TYPE_CHECKING:
    from manim_agent.llm.config import RoleModel

ALLOW_MODEL_REQUESTS = True
ALLOW_ENV = "MANIM_AGENT_ALLOW_MODEL_REQUESTS"
ALLOW_UNMAPPED_ENV = "MANIM_AGENT_ALLOW_UNMAPPED_MODELS"
# Providers that serve whatever model they were started with, so litellm's map cannot list them.
LOCAL_PROVIDERS = {
    "ollama",
    "ollama_chat",
    "hosted_vllm",
    "vllm",
    "lm_studio",
    "llamafile",
    "openai_like",
    "custom_openai",
    "xinference",
}
_THINK_RE = re.compile(r"^\s*<think>(.*?)</think>\s*", re.DOTALL)


def model_requests_allowed() -> bool:
    """Whether calls to real providers may be made (the tests switch this off)."""
    if not ALLOW_MODEL_REQUESTS:
        return False
    return os.environ.get(ALLOW_ENV, "1").strip().lower() not in {"0", "false", "no", "off"}


@contextlib.contextmanager
def override_allow_model_requests(allow: bool) -> Iterator[None]:
    """Temporarily allow or forbid real model requests (for tests)."""
    global ALLOW_MODEL_REQUESTS
    previous = ALLOW_MODEL_REQUESTS
    ALLOW_MODEL_REQUESTS = allow
    try:
        yield
    finally:
        ALLOW_MODEL_REQUESTS = previous


@functools.lru_cache(maxsize=1)
def litellm_module() -> Any:
    """litellm, imported on first use (it takes seconds) and set to use its bundled cost map."""
    # Read the cost map shipped with litellm instead of fetching it: offline, reproducible costs.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm  # deliberately lazy

    litellm.suppress_debug_info = True
    return litellm


def provider_of(model: str) -> str:
    """The litellm provider that serves `model`; raises ConfigError when litellm cannot tell."""
    in_process = providers.for_model(model)
    if in_process is not None:
        return in_process.name
    litellm = litellm_module()
    try:
        return litellm.get_llm_provider(model)[1]
    except (litellm.BadRequestError, ValueError) as exc:
        raise ConfigError(
            f"Unknown model {model!r}: litellm cannot tell which provider serves it. "
            "Write it as provider/model, for example deepseek/deepseek-chat or ollama_chat/qwen2.5-coder."
        ) from exc


def check_model_ready(model: str, *, api_base: str | None = None) -> str:
    """Fail fast on an unknown model or a missing key; returns the provider name.

    Runs entirely offline: it consults litellm's provider table, key requirements and model map.
    """
    if not model or not model.strip():
        raise ConfigError("No model given: pass --model or set MANIM_AGENT_MODEL (for example deepseek/deepseek-chat)")
    provider = provider_of(model)
    in_process = providers.for_model(model)
    if in_process is not None:
        in_process.check_ready(model)  # raises ConfigError if there is no such model
        return provider
    litellm = litellm_module()
    if provider not in LOCAL_PROVIDERS and not api_base and os.environ.get(ALLOW_UNMAPPED_ENV, "") not in {"1", "true"}:
        try:
            litellm.get_model_info(model)
        except litellm.exceptions.ModelNotMappedError as exc:
            known = sorted(m for m in litellm.model_cost if litellm.model_cost[m].get("litellm_provider") == provider)
            close = difflib.get_close_matches(model, known, n=3, cutoff=0.5)
            suggestion = f" Did you mean {', '.join(close)}?" if close else ""
            raise ConfigError(
                f"Unknown model {model!r}: litellm's model map has no such {provider} model.{suggestion} "
                f"If the provider serves it anyway, set {ALLOW_UNMAPPED_ENV}=1."
            ) from exc
    env = litellm.validate_environment(model)
    missing = [key for key in env.get("missing_keys", []) if not (api_base and key.endswith("_API_BASE"))]
    # Local servers have a default address (Ollama: localhost:11434); only keys are truly required.
    if provider in LOCAL_PROVIDERS:
        missing = [key for key in missing if not key.endswith("_API_BASE")]
    if missing:
        names = " and ".join(missing)
        raise ConfigError(
            f"No API key for {model}: set {names} in .env or the environment, or pass --model "
            "to use another provider (for example a local ollama_chat/... model)."
        )
    if not _has_tenacity():
        raise MissingDependencyError("litellm needs `tenacity` to retry failed requests: pip install tenacity")
    return provider


def price(model: str, input_tokens: int, output_tokens: int) -> float | None:
    """Dollars for one call of `model`, from litellm's bundled map; 0 for local servers; None when unknown."""
    if providers.for_model(model) is not None:
        return None
    if provider_of(model) in LOCAL_PROVIDERS:
        return 0.0
    litellm = litellm_module()
    try:
        prompt_cost, completion_cost = litellm.cost_per_token(
            model=model, prompt_tokens=input_tokens, completion_tokens=output_tokens
        )
    except litellm.exceptions.ModelNotMappedError:
        return None
    return float(prompt_cost + completion_cost)


def _has_tenacity() -> bool:
    try:
        import tenacity  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass
class CallRecord:
    """One model call: who made it, what it cost, how long it took."""

    role: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    cost_usd: float | None = None
    seconds: float = 0.0
    finish_reason: str | None = None
    cache_hit: bool = False

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        if self.cost_usd is not None:
            data["cost_usd"] = round(self.cost_usd, 8)
        return data


@dataclass
class Completion:
    """A model's reply: its text, its reasoning (if the model streams one) and the call's record."""

    content: str
    reasoning: str = ""
    finish_reason: str | None = None
    record: CallRecord | None = None

    @property
    def truncated(self) -> bool:
        return self.finish_reason == "length"


@dataclass
class Ledger:
    """Every call of a run, in order; run.json's `usage` block."""

    calls: list[CallRecord] = field(default_factory=list)

    def add(self, record: CallRecord) -> None:
        self.calls.append(record)

    def totals(self, role: str | None = None) -> dict[str, Any]:
        calls = [c for c in self.calls if role is None or c.role == role]
        costs = [c.cost_usd for c in calls if c.cost_usd is not None]
        return {
            "calls": len(calls),
            "input_tokens": sum(c.input_tokens for c in calls),
            "output_tokens": sum(c.output_tokens for c in calls),
            "reasoning_tokens": sum(c.reasoning_tokens for c in calls),
            "cost_usd": round(sum(costs), 8) if costs else (None if calls else 0.0),
            "seconds": round(sum(c.seconds for c in calls), 3),
            "cache_hits": sum(1 for c in calls if c.cache_hit),
        }

    def to_json(self) -> dict[str, Any]:
        roles = sorted({c.role for c in self.calls})
        return {
            "total": self.totals(),
            "by_role": {role: self.totals(role) for role in roles},
            "calls": [c.to_json() for c in self.calls],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Ledger:
        ledger = cls()
        for call in (data or {}).get("calls", []):
            ledger.add(CallRecord(**{k: v for k, v in call.items() if k in CallRecord.__dataclass_fields__}))
        return ledger


ReasoningSink = Callable[[str, str], None]  # (role, text chunk)
CallSink = Callable[[str, list[dict[str, Any]], Completion], None]  # (role, messages, completion)


class ChatClient:
    """One role's connection to one model: `complete(messages)` returns a `Completion`.

    Streams by default so reasoning can be shown live; records every call in `ledger`.
    """

    def __init__(
        self,
        settings: RoleModel,
        *,
        role: str,
        ledger: Ledger | None = None,
        on_reasoning: ReasoningSink | None = None,
        on_content: ReasoningSink | None = None,
        on_call: CallSink | None = None,
        on_warning: Callable[[str], None] | None = None,
        cache: bool = False,
        before_call: Callable[[ChatClient, list[dict[str, Any]]], None] | None = None,
    ) -> None:
        self.settings = settings
        # Runs before every paid request (not before a reply-cache hit); raising stops the call.
        # The long-form budget (agent/budget.py) hooks in here.
        self.before_call = before_call
        self.role = role
        self.ledger = ledger if ledger is not None else Ledger()
        self.on_reasoning = on_reasoning
        self.on_content = on_content
        self.on_call = on_call
        self.on_warning = on_warning
        self.cache = cache

    @property
    def model(self) -> str:
        return self.settings.model

    def complete(
        self, messages: list[dict[str, Any]], *, stop: list[str] | None = None, max_tokens: int | None = None
    ) -> Completion:
        """Send `messages`; raises ProviderError (after litellm's retries) or ModelRequestsDisabled."""
        provider = provider_of(self.model)
        in_process = providers.for_model(self.model)
        if in_process is None and not model_requests_allowed():
            raise ModelRequestsDisabled(
                f"Real model requests are switched off ({ALLOW_ENV}=0 or ALLOW_MODEL_REQUESTS=False), "
                f"but the {self.role} tried to call {self.model!r}. Tests must use an in-process provider (llm/providers.py)."
            )
        if in_process is not None:
            in_process.install()
        litellm = litellm_module()
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "timeout": self.settings.timeout,
            "num_retries": self.settings.num_retries,
            # Reasoning models reject some sampling parameters; drop them instead of failing.
            "drop_params": True,
        }
        if self.settings.api_base:
            kwargs["api_base"] = self.settings.api_base
        if self.settings.temperature is not None:
            kwargs["temperature"] = self.settings.temperature
        if max_tokens or self.settings.max_tokens:
            kwargs["max_tokens"] = max_tokens or self.settings.max_tokens
        if stop:
            kwargs["stop"] = stop
        started = time.monotonic()
        cache_key = request_key(kwargs) if self.cache else ""
        if self.cache:
            cached = reply_cache().get(cache_key, warn=self.on_warning)
            if cached is not None:
                return self._from_cache(messages, cached, stop, time.monotonic() - started)
        if self.before_call is not None:
            self.before_call(self, messages)
        try:
            if self.settings.stream:
                response, content, reasoning, finish = self._stream(litellm, kwargs)
            else:
                response = litellm.completion(**kwargs)
                message = response.choices[0].message
                content = message.content or ""
                reasoning = getattr(message, "reasoning_content", None) or ""
                finish = response.choices[0].finish_reason
        except ModelRequestsDisabled:
            raise
        except Exception as exc:  # mapped to typed errors below
            raise self._translate(exc, provider) from exc
        content, reasoning = _split_think_tags(content, reasoning)
        if stop:
            content = _cut_at_stop(content, stop)
        record = self._record(litellm, response, messages, content, reasoning, finish, time.monotonic() - started)
        if self.cache and response is not None and finish != "length":
            reply = CachedReply(content, reasoning, finish, record.input_tokens, record.output_tokens)
            reply_cache().put(cache_key, reply, warn=self.on_warning)
        return self._deliver(
            messages, Completion(content=content, reasoning=reasoning, finish_reason=finish, record=record)
        )

    def _deliver(self, messages: list[dict[str, Any]], completion: Completion) -> Completion:
        assert completion.record is not None
        self.ledger.add(completion.record)
        if self.on_call:
            self.on_call(self.role, messages, completion)
        return completion

    def _from_cache(
        self, messages: list[dict[str, Any]], cached: CachedReply, stop: list[str] | None, seconds: float
    ) -> Completion:
        """A reply replayed from the reply cache: free, and marked as a cache hit."""
        content = _cut_at_stop(cached.content, stop) if stop else cached.content
        if cached.reasoning and self.on_reasoning:
            self.on_reasoning(self.role, cached.reasoning)
        record = CallRecord(
            role=self.role,
            model=self.model,
            input_tokens=cached.input_tokens,
            output_tokens=cached.output_tokens,
            cost_usd=0.0,
            seconds=seconds,
            finish_reason=cached.finish_reason,
            cache_hit=True,
        )
        return self._deliver(messages, Completion(content, cached.reasoning, record.finish_reason, record))

    def _stream(self, litellm: Any, kwargs: dict[str, Any]) -> tuple[Any, str, str, str | None]:
        stream = litellm.completion(**kwargs, stream=True, stream_options={"include_usage": True})
        chunks = []
        content_parts: list[str] = []
        reasoning_parts: list[str] = []
        finish = None
        for chunk in stream:
            chunks.append(chunk)
            if not chunk.choices:
                continue
            choice = chunk.choices[0]
            delta = choice.delta
            piece = getattr(delta, "reasoning_content", None) if delta is not None else None
            if piece:
                reasoning_parts.append(piece)
                if self.on_reasoning:
                    self.on_reasoning(self.role, piece)
            text = getattr(delta, "content", None) if delta is not None else None
            if text:
                content_parts.append(text)
                if self.on_content:
                    self.on_content(self.role, text)
            if choice.finish_reason:
                finish = choice.finish_reason
        response = litellm.stream_chunk_builder(chunks, messages=kwargs["messages"]) if chunks else None
        return response, "".join(content_parts), "".join(reasoning_parts), finish

    def _record(
        self,
        litellm: Any,
        response: Any,
        messages: list[dict[str, Any]],
        content: str,
        reasoning: str,
        finish: str | None,
        seconds: float,
    ) -> CallRecord:
        usage = getattr(response, "usage", None)
        input_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
        output_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
        if not usage:
            # Some local servers send no usage block; count with litellm's tokenizer instead.
            input_tokens = litellm.token_counter(model=self.model, messages=messages)
            output_tokens = litellm.token_counter(model=self.model, text=content + reasoning)
        in_process = providers.for_model(self.model)
        if in_process is not None:
            # litellm recounts a streamed custom provider's tokens; the provider may dictate them.
            dictated = in_process.dictated_usage(self.model)
            if dictated:
                input_tokens, output_tokens = dictated
        details = getattr(usage, "completion_tokens_details", None)
        reasoning_tokens = int(getattr(details, "reasoning_tokens", 0) or 0)
        cost = self._cost(litellm, input_tokens, output_tokens)
        return CallRecord(
            role=self.role,
            model=self.model,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            reasoning_tokens=reasoning_tokens,
            cost_usd=cost,
            seconds=seconds,
            finish_reason=finish,
        )

    def _cost(self, litellm: Any, input_tokens: int, output_tokens: int) -> float | None:
        """Dollar cost from litellm's bundled price map; None when the model has no price there."""
        return price(self.settings.price_as or self.model, input_tokens, output_tokens)

    def _translate(self, exc: Exception, provider: str) -> Exception:
        """A provider failure (after litellm's retries) as a typed error that says what to do."""
        in_process = providers.for_model(self.model)
        if in_process is not None:
            translated = in_process.translate(self.model, self.role, exc)
            if translated is not None:
                return translated
        litellm = litellm_module()
        retries = self.settings.num_retries
        tail = f"after {retries} retr{'y' if retries == 1 else 'ies'}" if retries else "(retries are off)"
        where = f"{self.model} ({self.role})"
        if isinstance(exc, litellm.AuthenticationError):
            return ConfigError(
                f"The provider rejected the API key for {self.model}: check the key in .env or the environment."
            )
        if isinstance(exc, litellm.ContextWindowExceededError):
            return ProviderError(
                f"{where}: the request is longer than the model's context window.",
                model=self.model,
                role=self.role,
                kind="context",
            )
        if isinstance(exc, litellm.NotFoundError):
            return ConfigError(f"The provider does not know the model {self.model!r}: pick another with --model.")
        if isinstance(exc, litellm.Timeout):
            return ProviderError(
                f"{where} did not answer within {self.settings.timeout:g}s {tail}. Try again later or raise --llm-timeout.",
                model=self.model,
                role=self.role,
                kind="timeout",
            )
        if isinstance(exc, litellm.RateLimitError):
            return ProviderError(
                f"{where} is rate-limiting requests (HTTP 429) {tail}. Wait a minute and resume the run with --resume.",
                model=self.model,
                role=self.role,
                kind="rate_limit",
            )
        if isinstance(exc, (litellm.InternalServerError, litellm.ServiceUnavailableError, litellm.BadGatewayError)):
            return ProviderError(
                f"{where}: the provider kept failing with a server error (HTTP 5xx) {tail}: {_first_line(exc)}",
                model=self.model,
                role=self.role,
                kind="server",
            )
        if isinstance(exc, litellm.APIConnectionError):
            return ProviderError(
                f"{where}: cannot reach the provider {tail}: {_first_line(exc)}",
                model=self.model,
                role=self.role,
                kind="connection",
            )
        if isinstance(exc, litellm.BadRequestError):
            return ProviderError(
                f"{where} rejected the request: {_first_line(exc)}",
                model=self.model,
                role=self.role,
                kind="bad_request",
            )
        return ProviderError(
            f"{where} failed: {type(exc).__name__}: {_first_line(exc)}", model=self.model, role=self.role, kind="other"
        )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def _split_think_tags(content: str, reasoning: str) -> tuple[str, str]:
    """Local reasoning models (Ollama's deepseek-r1, qwq) put their reasoning in <think> tags."""
    match = _THINK_RE.match(content)
    if match:
        return content[match.end() :], (reasoning + match.group(1)).strip()
    return content, reasoning


def _cut_at_stop(content: str, stop: list[str]) -> str:
    """Providers that ignore `stop` (some reasoning models) still must not run past it."""
    cut = min((content.find(s) for s in stop if s and s in content), default=-1)
    return content[:cut] if cut >= 0 else content
