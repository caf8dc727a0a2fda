"""manim-agent: plain-English requests in, verified Manim Community Edition animations out.

`from manim_agent import make_animation` is the Python API; it is imported lazily so that
`import manim_agent` (and the CLI's start-up) stays fast.
"""

from __future__ import annotations

import os
from typing import Any

__version__ = "0.1.0"
__all__ = ["MakeResult", "__version__", "make_animation"]

# litellm fetches its model cost map from the internet at import time unless told to use the
# copy it ships; the offline map is what manim-agent records costs with.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


def __getattr__(name: str) -> Any:
    if name in ("MakeResult", "make_animation"):
        from manim_agent.agent import make

        return getattr(make, name)
    raise AttributeError(f"module 'manim_agent' has no attribute {name!r}")
