"""Which model each role uses, from flags, then environment variables (and .env), then defaults.

Roles:
- `expander`: turns the request into the scene description (and the study notes' content).
- `writer`: writes and repairs the Manim code.
- `orchestrator`: the CodeAgent's own model (agent mode only).

Precedence, highest first: a role flag (`--writer-model`), `--model`, a role variable
(`MANIM_AGENT_WRITER_MODEL`), `MANIM_AGENT_MODEL`, the default `deepseek/deepseek-chat`.
`.env` is loaded by the CLI entry point only (never at import), and never overrides the
environment. A model can also be given as a `ScriptedModel` instance (tests, demos).

| variable | meaning | default |
|---|---|---|
| MANIM_AGENT_MODEL | model for every role | deepseek/deepseek-chat |
| MANIM_AGENT_{EXPANDER,WRITER,ORCHESTRATOR}_MODEL | model for one role | MANIM_AGENT_MODEL |
| MANIM_AGENT_API_BASE | base URL for a self-hosted server (vLLM, LM Studio) | provider default |
| MANIM_AGENT_LLM_TIMEOUT | seconds litellm waits for one request | 180 |
| MANIM_AGENT_NUM_RETRIES | litellm retries on timeouts, 429 and 5xx | 2 |
| MANIM_AGENT_MAX_TOKENS | output token limit for the writer | 8192 |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from manim_agent.errors import ConfigError

Role = Literal["expander", "writer", "orchestrator"]
ROLES: tuple[Role, ...] = ("expander", "writer", "orchestrator")
DEFAULT_MODEL = "deepseek/deepseek-chat"
DEFAULT_LLM_TIMEOUT = 180.0
DEFAULT_NUM_RETRIES = 2
DEFAULT_WRITER_MAX_TOKENS = 8192
# Lower temperature for code: fewer invented API names. The expander may be a little freer.
ROLE_TEMPERATURE: dict[str, float] = {"expander": 0.5, "writer": 0.2, "orchestrator": 0.2}


@dataclass
class RoleModel:
    """How one role talks to its model."""

    model: str
    api_base: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    timeout: float = DEFAULT_LLM_TIMEOUT
    num_retries: int = DEFAULT_NUM_RETRIES
    stream: bool = True
    # Price calls as if made to this model (used by scripted models to exercise cost accounting).
    price_as: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The settings without secrets (there are none here: keys stay in the environment)."""
        return {
            "model": self.model,
            "api_base": self.api_base,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "timeout": self.timeout,
            "num_retries": self.num_retries,
            **({"price_as": self.price_as} if self.price_as else {}),
        }


@dataclass
class ModelConfig:
    """The model settings of every role."""

    roles: dict[str, RoleModel] = field(default_factory=dict)

    def for_role(self, role: str) -> RoleModel:
        return self.roles[role]

    def to_json(self) -> dict[str, Any]:
        return {role: settings.to_json() for role, settings in self.roles.items()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ModelConfig:
        roles = {}
        for role, values in data.items():
            known = {k: v for k, v in values.items() if k in RoleModel.__dataclass_fields__}
            roles[role] = RoleModel(**known)
        return cls(roles)


def _number(environ: Mapping[str, str], name: str, default: float, kind: type = float) -> Any:
    value = environ.get(name)
    if value in (None, ""):
        return default
    try:
        return kind(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a valid {kind.__name__}") from None


def resolve_model_config(
    *,
    model: Any = None,
    role_models: Mapping[str, Any] | None = None,
    api_base: str | None = None,
    timeout: float | None = None,
    num_retries: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> ModelConfig:
    """Build every role's settings; `model` and `role_models` values may be strings or ScriptedModels."""
    env = os.environ if environ is None else environ
    role_models = dict(role_models or {})
    unknown = set(role_models) - set(ROLES)
    if unknown:
        raise ConfigError(f"unknown role(s) {sorted(unknown)}; the roles are {', '.join(ROLES)}")
    llm_timeout = timeout if timeout is not None else _number(env, "MANIM_AGENT_LLM_TIMEOUT", DEFAULT_LLM_TIMEOUT)
    retries = (
        num_retries if num_retries is not None else _number(env, "MANIM_AGENT_NUM_RETRIES", DEFAULT_NUM_RETRIES, int)
    )
    if llm_timeout <= 0:
        raise ConfigError(f"the LLM timeout must be positive, not {llm_timeout!r}")
    if retries < 0:
        raise ConfigError(f"the number of retries cannot be negative ({retries!r})")
    writer_max_tokens = _number(env, "MANIM_AGENT_MAX_TOKENS", DEFAULT_WRITER_MAX_TOKENS, int)
    base = api_base or env.get("MANIM_AGENT_API_BASE") or None
    roles: dict[str, RoleModel] = {}
    for role in ROLES:
        chosen = (
            role_models.get(role)
            or model
            or env.get(f"MANIM_AGENT_{role.upper()}_MODEL")
            or env.get("MANIM_AGENT_MODEL")
            or DEFAULT_MODEL
        )
        settings = RoleModel(
            model=_model_string(chosen),
            api_base=base,
            temperature=ROLE_TEMPERATURE[role],
            max_tokens=writer_max_tokens if role == "writer" else None,
            timeout=float(llm_timeout),
            num_retries=int(retries),
        )
        price_as = getattr(chosen, "price_as", None)
        if price_as:
            settings = replace(settings, price_as=price_as)
        roles[role] = settings
    return ModelConfig(roles)


def _model_string(chosen: Any) -> str:
    """A model string from a string or anything with a `model_id` (ScriptedModel, smolagents models)."""
    if isinstance(chosen, str):
        return chosen.strip()
    model_id = getattr(chosen, "model_id", None)
    if isinstance(model_id, str) and model_id:
        return model_id
    raise ConfigError(f"a model must be a litellm model string or a ScriptedModel, not {type(chosen).__name__}")
