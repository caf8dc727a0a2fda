"""What a run shows while it works: the stage, the attempt, and a reasoning model's thoughts.

`Reporter` is the interface the run calls; `NullReporter` shows nothing (the Python API, tests);
`RichReporter` writes to stderr with rich, so `--json` keeps stdout clean. Reasoning text is
printed dimmed, line by line as it streams.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text


class Reporter:
    """Progress callbacks; every method is optional to implement."""

    def stage(self, name: str, detail: str = "") -> None:
        """A stage started (expand, code, render, notes)."""

    def attempt(self, number: int, used: int, limit: int, origin: str, ok: bool, message: str) -> None:
        """An attempt was checked (`used` of `limit` budgeted attempts are spent)."""

    def reasoning(self, role: str, text: str) -> None:
        """A chunk of a reasoning model's reasoning_content."""

    def info(self, message: str) -> None:
        """Something worth telling the user."""

    def warn(self, message: str) -> None:
        """Something went wrong but the run continues."""

    def close(self) -> None:
        """The run ended."""


class NullReporter(Reporter):
    """Shows nothing."""


class RichReporter(Reporter):
    """Progress on stderr: a spinner with the current stage, attempts as they finish, reasoning dimmed."""

    def __init__(self, console: Console | None = None, *, show_reasoning: bool = True) -> None:
        self.console = console or Console(stderr=True, highlight=False)
        self.show_reasoning = show_reasoning
        self._status: Any = None
        self._buffer: dict[str, str] = {}
        self._reasoning_role: str | None = None

    def _set_status(self, text: str) -> None:
        if not self.console.is_terminal:
            return
        if self._status is None:
            self._status = self.console.status(text, spinner="dots")
            self._status.start()
        else:
            self._status.update(text)

    def stage(self, name: str, detail: str = "") -> None:
        self._flush_reasoning()
        label = f"[bold cyan]{name}[/]" + (f" [dim]{detail}[/]" if detail else "")
        self.console.print(f"• {label}")
        self._set_status(f"{name} {detail}".strip())

    def attempt(self, number: int, used: int, limit: int, origin: str, ok: bool, message: str) -> None:
        self._flush_reasoning()
        line = Text("  ")
        line.append("✓" if ok else "✗", style="green" if ok else "red")
        line.append(f" attempt {number} ")
        line.append(f"({origin}; {used}/{limit} used) ", style="dim")
        line.append(message.strip().splitlines()[0][:160] if message.strip() else "")
        self.console.print(line)
        self._set_status(f"code: attempt {number + 1}, {limit - used} left")

    def reasoning(self, role: str, text: str) -> None:
        if not self.show_reasoning:
            return
        if self._reasoning_role != role:
            self._flush_reasoning()
            self._reasoning_role = role
            self.console.print(Text(f"  {role} is thinking…", style="dim italic"))
        pending = self._buffer.get(role, "") + text
        *complete, rest = pending.split("\n")
        for line in complete:
            self.console.print(Text("    " + line, style="dim"))
        self._buffer[role] = rest

    def _flush_reasoning(self) -> None:
        for rest in self._buffer.values():
            if rest:
                self.console.print(Text("    " + rest, style="dim"))
        self._buffer.clear()
        self._reasoning_role = None

    def info(self, message: str) -> None:
        self._flush_reasoning()
        self.console.print(f"  {message}", highlight=False)

    def warn(self, message: str) -> None:
        self._flush_reasoning()
        self.console.print(Text(f"  warning: {message}", style="yellow"))

    def close(self) -> None:
        self._flush_reasoning()
        if self._status is not None:
            self._status.stop()
            self._status = None
