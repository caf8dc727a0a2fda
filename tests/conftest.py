"""Shared test set-up: isolated state directory, no real model requests, golden regeneration flag."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Keys a developer may have exported must never reach code under test.
for _key in [k for k in os.environ if k.endswith(("_API_KEY", "_API_BASE", "_TOKEN"))]:
    os.environ.pop(_key)
# Real LLM providers are switched off for the whole test session: a request fails loudly.
os.environ["MANIM_AGENT_ALLOW_MODEL_REQUESTS"] = "0"
# A short state directory (Unix socket paths are limited to ~100 bytes).
_HOME = tempfile.mkdtemp(prefix="ma-test-")
os.environ["MANIM_AGENT_HOME"] = _HOME


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--regen-goldens", action="store_true", help="rewrite the scenes' golden last frames")


@pytest.fixture(autouse=True)
def no_real_model_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Belt and braces: the module switch is off too, whatever a test did to the environment."""
    from manim_agent.llm import client as models

    monkeypatch.setattr(models, "ALLOW_MODEL_REQUESTS", False)


@pytest.fixture(scope="session")
def regen_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--regen-goldens"))


@pytest.fixture(scope="session")
def state_home() -> Path:
    return Path(_HOME)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    try:
        from manim_agent.tools.sandbox.client import shutdown_all_workers

        shutdown_all_workers()
    except Exception:  # cleanup must never mask the test result
        pass
    shutil.rmtree(_HOME, ignore_errors=True)
