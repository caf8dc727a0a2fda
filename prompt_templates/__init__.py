"""Every prompt manim-agent sends, kept as data: YAML files with Jinja inside.

Each `<name>.yaml` maps keys (`system`, `user`, `repair`, ...) to Jinja templates. They are read
with `importlib.resources` so they work from a wheel, and rendered with `StrictUndefined` so a
variable the caller forgot fails loudly instead of leaving a hole in the prompt.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import jinja2
import yaml

# Prompts are plain text, not HTML: no autoescaping. Keep the trailing newline of block scalars.
_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)


def template_names() -> list[str]:
    """The names of all prompt files shipped with the package (without `.yaml`)."""
    root = resources.files(__name__)
    return sorted(p.name[: -len(".yaml")] for p in root.iterdir() if p.name.endswith(".yaml"))


@cache
def load_templates(name: str) -> dict[str, str]:
    """The raw templates of one prompt file, keyed as in the YAML."""
    text = resources.files(__name__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"prompt file {name!r} must map keys to template strings")
    return data


@cache
def _compiled(name: str, key: str) -> jinja2.Template:
    templates = load_templates(name)
    if key not in templates:
        raise KeyError(f"prompt file {name!r} has no template {key!r}; it has {sorted(templates)}")
    return _ENV.from_string(templates[key])


def render(name: str, key: str, /, **variables: Any) -> str:
    """Render template `key` of prompt file `name`; a missing variable raises `jinja2.UndefinedError`."""
    return _compiled(name, key).render(**variables).strip() + "\n"
