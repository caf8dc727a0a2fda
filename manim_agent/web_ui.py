"""`manim-agent ui`: a Gradio chat where a person types a request and watches the run live.

The chat shows each stage, the expanded scene description, a reasoning model's thinking as it
streams, and every attempt with its diagnosis and contact sheet. At the end the video plays, and
the code, the study notes and a zip of the run directory are there to read and download.

The run happens in this process (a thread per request), through `make_animation` with a reporter
that queues its events; scene code runs only under bubblewrap unless
MANIM_AGENT_ALLOW_UNISOLATED=1 (`sandbox.require_isolation`). Gradio binds 127.0.0.1 and never
makes a share link.
"""

from __future__ import annotations

import json
import queue
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from manim_agent.agent.progress import Reporter
from manim_agent.errors import ManimAgentError

SOURCE = "the web UI"
# The spec and the notes write math as $...$ and $$...$$.
LATEX = [{"left": "$$", "right": "$$", "display": True}, {"left": "$", "right": "$", "display": False}]
Message = dict[str, Any]


class QueueReporter(Reporter):
    """make_animation's progress, as (kind, payload) events on a queue for the UI thread."""

    def __init__(self) -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()

    def stage(self, name: str, detail: str = "") -> None:
        self.events.put(("stage", (name, detail)))

    def attempt(self, number: int, used: int, limit: int, origin: str, ok: bool, message: str) -> None:
        self.events.put(("attempt", (number, used, limit, origin, ok, message)))

    def reasoning(self, role: str, text: str) -> None:
        self.events.put(("reasoning", (role, text)))

    def warn(self, message: str) -> None:
        self.events.put(("warn", message))


class ChatLog:
    """The assistant's side of the chat, built from the run's events and its run directory."""

    def __init__(self, run_dir: Path, request: str) -> None:
        self.run_dir = run_dir
        self.messages: list[Message] = [{"role": "user", "content": request}]
        self.spec_shown = False
        self._thinking: Message | None = None

    def _close_pending(self) -> None:
        for message in self.messages:
            if message.get("metadata", {}).get("status") == "pending":
                message["metadata"]["status"] = "done"

    def add(self, content: Any, title: str | None = None, *, pending: bool = False) -> Message:
        message: Message = {"role": "assistant", "content": content}
        if title:
            message["metadata"] = {"title": title, "status": "pending" if pending else "done"}
        self.messages.append(message)
        return message

    def stage(self, name: str, detail: str) -> None:
        self._close_pending()
        self._thinking = None
        self.show_spec()
        self.add(detail or name, f"⚙️ {name}", pending=True)

    def show_spec(self) -> None:
        spec = self.run_dir / "spec.md"
        if not self.spec_shown and spec.is_file():
            self.spec_shown = True
            self.add(spec.read_text(encoding="utf-8"), "📝 the expanded scene description")

    def reasoning(self, role: str, text: str) -> None:
        if self._thinking is None or self._thinking["metadata"]["title"] != f"💭 {role} is thinking":
            self._thinking = self.add("", f"💭 {role} is thinking", pending=True)
        self._thinking["content"] += text

    def attempt(self, number: int, used: int, limit: int, origin: str, ok: bool, message: str) -> None:
        self._thinking = None
        self.show_spec()
        mark = "✓ renders" if ok else "✗ fails"
        self.add(self.diagnosis_text(number, message), f"attempt {number} {mark} ({origin}; {used}/{limit} used)")
        sheet = self.contact_sheet(number)
        if sheet is not None:
            self.add({"path": str(sheet), "alt_text": f"contact sheet of attempt {number}"})

    def diagnosis_text(self, number: int, message: str) -> str:
        path = self.run_dir / f"attempts/{number:02d}/diagnosis.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return message or "(no diagnosis)"
        if data.get("ok"):
            return data.get("message") or message
        lines = [f"**{data.get('category')}** ({data.get('stage')}) line {data.get('line')}: {data.get('message')}"]
        if data.get("code_line"):
            lines.append(f"`{data['code_line'].strip()}`")
        if data.get("hint"):
            lines.append(f"hint: {data['hint']}")
        return "\n\n".join(lines)

    def contact_sheet(self, number: int) -> Path | None:
        from manim_agent.agent.attempts import code_hash  # noqa: PLC0415

        code = self.run_dir / f"attempts/{number:02d}/scene.py"
        if not code.is_file():
            return None
        sheet = self.run_dir / ".contact_sheets" / f"{code_hash(code.read_text(encoding='utf-8'))[:16]}.png"
        if not sheet.is_file():
            return None
        # The run moves the sheets when it ends: keep a copy the chat can still show.
        copy = self.run_dir.parent / ".ui-sheets" / f"{self.run_dir.name}-{number:02d}.png"
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(sheet, copy)
        return copy

    def finish(self) -> None:
        self._close_pending()


class AnimationChat:
    """The UI's behaviour, independent of the widgets: one request in, a stream of updates out."""

    def __init__(self, *, out: Path, model: str | None = None, mode: str | None = None,
                 max_attempts: int | None = None) -> None:
        self.out = Path(out).resolve()
        self.out.mkdir(parents=True, exist_ok=True)
        self.options = {k: v for k, v in {"model": model, "mode": mode, "max_attempts": max_attempts}.items() if v}

    def run(self, request: str) -> Iterator[tuple[list[Message], str | None, str, str, str | None]]:
        """Yields (chat, video, code, notes, zip) as the run goes."""
        from manim_agent.agent.make import make_animation, validate_request  # noqa: PLC0415
        from manim_agent.tools.sandbox import require_isolation  # noqa: PLC0415

        run_dir = self.out / f"{time.strftime('%Y%m%d-%H%M%S')}-ui-{uuid.uuid4().hex[:6]}"
        log = ChatLog(run_dir, request or "")
        try:
            validate_request(request)
            require_isolation(SOURCE)
        except ManimAgentError as exc:
            log.add(str(exc), "⚠️ cannot start")
            yield log.messages, None, "", "", None
            return
        reporter = QueueReporter()
        outcome: dict[str, Any] = {}

        def work() -> None:
            try:
                outcome["result"] = make_animation(request, out_dir=self.out, run_dir=run_dir, reporter=reporter,
                                                   **self.options)
            except ManimAgentError as exc:
                outcome["error"] = exc
            except Exception as exc:  # noqa: BLE001 - shown in the chat, not as a traceback
                outcome["error"] = exc
            finally:
                reporter.events.put(("done", None))

        threading.Thread(target=work, daemon=True, name="manim-agent-ui-run").start()
        log.add("expanding the request into a scene description", "⚙️ starting", pending=True)
        yield log.messages, None, "", "", None
        while True:
            kind, payload = reporter.events.get()
            if kind == "done":
                break
            if kind == "stage":
                log.stage(*payload)
            elif kind == "attempt":
                log.attempt(*payload)
            elif kind == "reasoning":
                log.reasoning(*payload)
            elif kind == "warn":
                log.add(payload, "⚠️ warning")
            yield log.messages, None, "", "", None
        log.finish()
        yield self.final(log, outcome)

    def final(self, log: ChatLog, outcome: dict[str, Any]) -> tuple[list[Message], str | None, str, str, str | None]:
        if "error" in outcome:
            log.add(f"{type(outcome['error']).__name__}: {outcome['error']}", "⚠️ the run stopped")
            return log.messages, None, "", "", self.zip(log.run_dir)
        result = outcome["result"]
        code = result.code or ""
        notes = result.notes_md.read_text(encoding="utf-8") if result.notes_md and result.notes_md.is_file() else ""
        if result.ok:
            log.add(f"The animation rendered in {len(result.attempts)} attempt(s). Video, code and notes are below.",
                    None)
        else:
            log.add(result.failure_message(), "✗ no scene rendered")
        video = str(result.video) if result.video and result.video.is_file() else None
        return log.messages, video, code, notes, self.zip(log.run_dir)

    def zip(self, run_dir: Path) -> str | None:
        if not run_dir.is_dir():
            return None
        archive = shutil.make_archive(str(self.out / ".ui-zips" / run_dir.name), "zip", root_dir=run_dir)
        return archive


def build_app(chat: AnimationChat) -> Any:
    import gradio as gr  # noqa: PLC0415

    with gr.Blocks(title="manim-agent") as app:
        gr.Markdown("# manim-agent\nDescribe an animation; watch it being written, checked and rendered.")
        chatbot = gr.Chatbot(label="run", height=520, elem_id="run-chat", latex_delimiters=LATEX)
        with gr.Row():
            request = gr.Textbox(label="request", placeholder="show why the derivative is the slope of the tangent",
                                 scale=5, elem_id="request")
            send = gr.Button("Make it", variant="primary", scale=1, elem_id="send")
        video = gr.Video(label="video", elem_id="video", autoplay=False, height=480)
        with gr.Row():
            code = gr.Code(label="scene.py", language="python", elem_id="code")
            notes = gr.Markdown(label="notes", elem_id="notes", latex_delimiters=LATEX)
        download = gr.File(label="the run directory (zip)", elem_id="download")
        outputs = [chatbot, video, code, notes, download]
        send.click(chat.run, inputs=request, outputs=outputs)
        request.submit(chat.run, inputs=request, outputs=outputs)
    return app


def warm_up() -> None:
    """Pay the imports and the warm worker's start while the page loads, not on the first request."""
    try:
        from manim_agent.agent import make  # noqa: F401, PLC0415
        from manim_agent.agent.models import litellm_module  # noqa: PLC0415
        from manim_agent.tools.sandbox import WorkerClient, is_isolated  # noqa: PLC0415

        litellm_module()
        if is_isolated():  # our own warm-up scene only; clients' scenes still need require_isolation
            WorkerClient().ensure_started()
    except (ManimAgentError, OSError):
        pass  # the first request will start them, and report any real problem


def serve(*, host: str, port: int, out: Path | None, model: str | None, mode: str | None) -> None:
    from manim_agent.embed_jobs import load_scripted_models  # noqa: PLC0415

    load_scripted_models()
    threading.Thread(target=warm_up, daemon=True, name="manim-agent-ui-warm-up").start()
    chat = AnimationChat(out=out or Path("runs"), model=model, mode=mode)
    app = build_app(chat)
    app.queue().launch(server_name=host, server_port=port, share=False, inbrowser=False,
                       allowed_paths=[str(chat.out)], show_error=True)
