"""`manim-agent ui`: a Gradio chat where a person types a request and watches the run live.

The chat shows each stage, the expanded scene description, a reasoning model's thinking as it
streams, and every attempt with its diagnosis and contact sheet. At the end the video plays, and
the code, the study notes and a zip of the run directory are there to read and download.

Each request runs `make_animation` in a process of its own (`embed_jobs`, as the MCP server's
calls do), whose JSON-line events the chat turns into messages. Stop ends that process, everything
it started, and the sandboxed scene processes working for it, and the chat says the run stopped.
Scene code runs only under bubblewrap unless MANIM_AGENT_ALLOW_UNISOLATED=1
(`sandbox.require_isolation`). Gradio binds 127.0.0.1 and never makes a share link.
"""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from manim_agent.errors import ManimAgentError

SOURCE = "the web UI"
# The spec and the notes write math as $...$ and $$...$$.
LATEX = [{"left": "$$", "right": "$$", "display": True}, {"left": "$", "right": "$", "display": False}]
Message = dict[str, Any]


class RunProcess:
    """One request's make_animation in an `embed_jobs` process; its events arrive on a queue."""

    def __init__(self, job: dict[str, Any], log_path: Path) -> None:
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.workdirs: list[Path] = []
        self.stopped = False
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "manim_agent.embed_jobs"], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=log, start_new_session=True)
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(job).encode())
        self.process.stdin.close()
        threading.Thread(target=self._read, daemon=True, name="manim-agent-ui-events").start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("event") == "workdir":
                self.workdirs.append(Path(event["path"]))
            self.events.put(event)
        self.process.wait()
        self.events.put({"event": "ended", "code": self.process.returncode})

    def stop(self) -> None:
        """End the run, everything it started, and the scene processes working for it."""
        from manim_agent.process_tree import kill_tree, stop_scene_processes

        self.stopped = True
        if self.process.poll() is None:
            kill_tree(self.process.pid)
        stop_scene_processes(list(self.workdirs))


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
        from manim_agent.agent.attempts import code_hash

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
        self._runs: dict[str, RunProcess] = {}  # browser session -> its running request

    def run(self, request: str, session: str = "") -> Iterator[tuple[list[Message], str | None, str, str, str | None]]:
        """Yields (chat, video, code, notes, zip) as the run goes; `stop(session)` ends it."""
        from manim_agent.agent.make import validate_request
        from manim_agent.tools.sandbox.client import require_isolation

        run_dir = self.out / f"{time.strftime('%Y%m%d-%H%M%S')}-ui-{uuid.uuid4().hex[:6]}"
        log = ChatLog(run_dir, request or "")
        try:
            validate_request(request)
            require_isolation(SOURCE)
        except ManimAgentError as exc:
            log.add(str(exc), "⚠️ cannot start")
            yield log.messages, None, "", "", None
            return
        job = {"tool": "make_animation", "out": str(self.out),
               "args": {"request": request, "run_dir": str(run_dir), "reasoning": True, **self.options}}
        self.stop(session)  # one run per browser session
        run = RunProcess(job, self.out / ".ui-runs.log")
        self._runs[session] = run
        outcome: dict[str, Any] = {}
        try:
            log.add("expanding the request into a scene description", "⚙️ starting", pending=True)
            yield log.messages, None, "", "", None
            while True:
                event = run.events.get()
                kind = event.get("event")
                if kind == "ended":
                    break
                if kind in ("result", "error"):
                    outcome = event
                elif kind == "reasoning":
                    log.reasoning(event.get("role", "model"), event.get("text", ""))
                elif kind == "progress" and event.get("stage") == "code" and "attempt" in event:
                    log.attempt(event["attempt"], event.get("used", 0), event.get("limit", 0),
                                event.get("origin", ""), bool(event.get("ok")), event.get("detail", ""))
                elif kind == "progress" and event.get("stage") == "warning":
                    log.add(event.get("message", ""), "⚠️ warning")
                elif kind == "progress":
                    log.stage(event.get("stage", ""), event.get("detail", ""))
                else:
                    continue
                yield log.messages, None, "", "", None
        finally:
            if self._runs.get(session) is run:
                del self._runs[session]
            if not outcome and not run.stopped:
                run.stop()  # the page went away mid-run (the generator was closed)
        log.finish()
        if run.stopped and not outcome:
            log.add("Stopped: the run and its sandboxed scene were ended. What it made so far is in the zip.",
                    "⏹ stopped")
            yield log.messages, None, "", "", self.zip(log.run_dir)
            return
        yield self.final(log, outcome)

    def stop(self, session: str = "") -> bool:
        """Stop the session's running request, if any; True when one was stopped."""
        run = self._runs.pop(session, None)
        if run is None:
            return False
        run.stop()
        return True

    def final(self, log: ChatLog, outcome: dict[str, Any]) -> tuple[list[Message], str | None, str, str, str | None]:
        if outcome.get("event") != "result":
            message = outcome.get("message") or "the run ended without a result"
            log.add(f"{outcome.get('type') or 'Error'}: {message}", "⚠️ the run stopped")
            return log.messages, None, "", "", self.zip(log.run_dir)
        result = outcome["data"]
        code = result.get("scene_code") or ""
        notes_md = Path(result["notes_md"]) if result.get("notes_md") else None
        notes = notes_md.read_text(encoding="utf-8") if notes_md and notes_md.is_file() else ""
        if result.get("rendered"):
            log.add(f"The animation rendered in {result.get('attempts')} attempt(s). Video, code and notes are below.",
                    None)
        else:
            log.add(result.get("message") or "no attempt rendered", "✗ no scene rendered")
        video = result.get("video") if result.get("video") and Path(result["video"]).is_file() else None
        return log.messages, video, code, notes, self.zip(log.run_dir)

    def zip(self, run_dir: Path) -> str | None:
        if not run_dir.is_dir():
            return None
        archive = shutil.make_archive(str(self.out / ".ui-zips" / run_dir.name), "zip", root_dir=run_dir)
        return archive


def build_app(chat: AnimationChat) -> Any:
    import gradio as gr

    with gr.Blocks(title="manim-agent") as app:
        gr.Markdown("# manim-agent\nDescribe an animation; watch it being written, checked and rendered.")
        chatbot = gr.Chatbot(label="run", height=520, elem_id="run-chat", latex_delimiters=LATEX)
        with gr.Row():
            request = gr.Textbox(label="request", placeholder="show why the derivative is the slope of the tangent",
                                 scale=5, elem_id="request")
            send = gr.Button("Make it", variant="primary", scale=1, elem_id="send")
            stop = gr.Button("Stop", variant="stop", scale=1, elem_id="stop")
        video = gr.Video(label="video", elem_id="video", autoplay=False, height=480)
        with gr.Row():
            code = gr.Code(label="scene.py", language="python", elem_id="code")
            notes = gr.Markdown(label="notes", elem_id="notes", latex_delimiters=LATEX)
        download = gr.File(label="the run directory (zip)", elem_id="download")
        outputs = [chatbot, video, code, notes, download]

        def run(text: str, page: gr.Request) -> Iterator[Any]:
            yield from chat.run(text, session=page.session_hash or "")

        def stop_run(page: gr.Request) -> None:
            chat.stop(page.session_hash or "")  # the run's stream then ends with "stopped"

        # Gradio passes the request (its session) by the parameter's type; this module's annotations
        # are strings (`from __future__ import annotations`) naming a local import, so set the real type.
        run.__annotations__["page"] = stop_run.__annotations__["page"] = gr.Request

        send.click(run, inputs=request, outputs=outputs)
        request.submit(run, inputs=request, outputs=outputs)
        stop.click(stop_run, inputs=None, outputs=None, queue=False)
    return app


def warm_up() -> None:
    """Pay the imports and the warm worker's start while the page loads, not on the first request."""
    try:
        from manim_agent.agent import make  # noqa: F401
        from manim_agent.llm.client import litellm_module
        from manim_agent.tools.sandbox.client import WorkerClient, is_isolated

        litellm_module()
        if is_isolated():  # our own warm-up scene only; clients' scenes still need require_isolation
            WorkerClient().ensure_started()
    except (ManimAgentError, OSError):
        pass  # the first request will start them, and report any real problem


def serve(*, host: str, port: int, out: Path | None, model: str | None, mode: str | None) -> None:
    threading.Thread(target=warm_up, daemon=True, name="manim-agent-ui-warm-up").start()
    chat = AnimationChat(out=out or Path("runs"), model=model, mode=mode)
    app = build_app(chat)
    app.queue().launch(server_name=host, server_port=port, share=False, inbrowser=False,
                       allowed_paths=[str(chat.out)], show_error=True)
