"""In-process providers: models served inside this process through litellm's `custom_provider_map`.

The client knows no provider by name. A provider that answers from this process (the scripted test
model is one) registers itself here on import; the client then asks the registry, for any model:
whether it is served in process (such a request never leaves the machine, so the switch that blocks
real requests in tests does not apply), whether the model exists, what usage a reply dictates, and
what a failure means. Every other model goes to litellm's own provider table.
"""

from __future__ import annotations

from typing import Protocol


class InProcessProvider(Protocol):
    """What the client asks of a provider that runs in this process."""

    name: str

    def check_ready(self, model: str) -> None:
        """Raise ConfigError when `model` does not exist here."""

    def install(self) -> None:
        """Make litellm route `name/...` models to this provider (idempotent)."""

    def dictated_usage(self, model: str) -> tuple[int, int] | None:
        """The (input, output) token counts the last reply dictated, if any."""

    def translate(self, model: str, role: str, exc: Exception) -> Exception | None:
        """A typed error for a failure of this provider, or None for the usual translation."""


_PROVIDERS: dict[str, InProcessProvider] = {}


def register(provider: InProcessProvider) -> None:
    _PROVIDERS[provider.name] = provider


def for_model(model: str | None) -> InProcessProvider | None:
    """The in-process provider serving `model` (`name/...`), or None for a real provider."""
    if not model or "/" not in model:
        return None
    return _PROVIDERS.get(model.split("/", 1)[0])


def names() -> list[str]:
    return sorted(_PROVIDERS)

