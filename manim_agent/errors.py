"""Every exception manim-agent raises, grouped by who has to act on it.

- `UserError`: the person running the tool made a mistake they can fix (no API key, a missing
  file, LaTeX not installed). The message names the fix. The CLI prints it without a traceback.
- `RunFailure`: a run did its work and did not succeed (gave up after N attempts). It carries the
  context a caller needs: the attempts, the last diagnosis, the run directory.
- Model-facing failures (a scene that does not render) are *not* exceptions: they are
  `Diagnosis` objects fed back to the model.

Exit codes: this is the one table. Each class below carries its `exit_code`; a long video's partial
result (5) is `LongFormResult.exit_code`. The README repeats the table verbatim (tests/test_readme.py
checks it).

| code | meaning |
|---|---|
| 0 | success: the scene is clean, the video was made |
| 1 | the scene or run has problems: a diagnosis is reported and the best attempt is kept |
| 2 | a usage mistake (bad flag, missing file, missing key, unknown model); one line, the fix named |
| 3 | the sandbox or the machine failed, not the scene |
| 4 | the provider kept failing after retries; the message says how to resume |
| 5 | `--sections` only: a partial video (some sections failed); continue it with `--resume` |
| 6 | `--max-cost`/`--max-minutes` reached or an estimate declined; the run is kept, resume it with a larger budget |
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class ManimAgentError(Exception):
    """Base class; the CLI maps each subclass to an exit code."""

    exit_code = 1


class UserError(ManimAgentError):
    """A mistake the user can fix; the message says how."""

    exit_code = 2


class InputFileError(UserError):
    """The file given to a command cannot be used (missing, unreadable, too large, not text)."""


class SceneNotFoundError(UserError):
    """`--scene NAME` names a scene the file does not define."""


class ConfigError(UserError):
    """Model or environment configuration is wrong (missing key, unknown model, bad option)."""


class MissingDependencyError(UserError):
    """A system dependency (LaTeX, dvisvgm, cairo, bwrap) is missing; the message gives the install command."""


class SandboxError(ManimAgentError):
    """The sandbox itself could not be started (not the scene's fault)."""

    exit_code = 3


class IsolationUnavailable(UserError):
    """Code from an untrusted source (MCP, the web UI) would run without OS isolation (no bubblewrap)."""


class RenderError(ManimAgentError):
    """The final render failed; carries the diagnosis."""

    def __init__(self, message: str, diagnosis: Any = None) -> None:
        super().__init__(message)
        self.diagnosis = diagnosis


class RunFailure(ManimAgentError):
    """A run gave up: carries its attempts, the best diagnosis and the run directory."""

    def __init__(
        self,
        message: str,
        *,
        attempts: int = 0,
        diagnosis: Any = None,
        run_dir: Path | None = None,
        best_code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.diagnosis = diagnosis
        self.run_dir = run_dir
        self.best_code = best_code


class ModelRequestsDisabled(ManimAgentError):
    """Raised when code tries to reach a real LLM provider while requests are switched off (tests)."""


class BudgetExceeded(ManimAgentError):
    """A run reached its --max-cost or --max-minutes (or the user declined the estimate); it stopped
    cleanly before the next paid call, kept what it had, and can be resumed with a larger budget."""

    exit_code = 6

    def __init__(self, message: str, *, spent_usd: float | None = None, limit: str = "") -> None:
        super().__init__(message)
        self.spent_usd = spent_usd
        self.limit = limit


class ProviderError(ManimAgentError):
    """An LLM provider kept failing (timeout, 429, 5xx) after litellm's retries; carries the model and role."""

    exit_code = 4

    def __init__(self, message: str, *, model: str | None = None, role: str | None = None, kind: str | None = None) -> None:
        super().__init__(message)
        self.model = model
        self.role = role
        self.kind = kind


class ScriptedModelExhausted(ManimAgentError):
    """A ScriptedModel was asked for more responses than were queued (a test scripted too few)."""


class SuiteError(UserError):
    """An eval suite file cannot be used; the message names the file, the case and the field."""


class EvalRunDirError(UserError):
    """An eval run directory cannot be used as asked (another suite's, or --resume without one)."""


class ExecutorError(ManimAgentError):
    """The executor itself failed (a local Ray cluster that did not start); not a case's fault."""

    exit_code = 3
