"""How results show themselves in Jupyter: `MakeResult._repr_html_` and `Diagnosis._repr_html_`.

The video is embedded as a data URI (a notebook server cannot serve arbitrary absolute paths), up to
`MAX_EMBED_BYTES`; a larger one is linked by path. Every string from a scene or a model is escaped.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

MAX_EMBED_BYTES = 20_000_000
VIDEO_TYPES = {".mp4": "video/mp4", ".webm": "video/webm"}
IMAGE_TYPES = {".gif": "image/gif", ".png": "image/png"}


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def media_html(path: Path | None) -> str:
    """A <video> or <img> for `path`, embedded when small enough, else a note with the path."""
    if path is None or not Path(path).is_file():
        return ""
    path = Path(path)
    kind = VIDEO_TYPES.get(path.suffix) or IMAGE_TYPES.get(path.suffix)
    if kind is None or path.stat().st_size > MAX_EMBED_BYTES:
        return f"<p>media: <code>{_esc(path)}</code></p>"
    data = base64.b64encode(path.read_bytes()).decode()
    if kind.startswith("video/"):
        return f'<video controls style="max-width:100%" src="data:{kind};base64,{data}"></video>'
    return f'<img style="max-width:100%" src="data:{kind};base64,{data}" alt="{_esc(path.name)}">'


def diagnosis_html(data: dict[str, Any]) -> str:
    """The `check --json` object as a small HTML block: verdict, located message, hint, other issues."""
    ok = bool(data.get("ok"))
    colour = "#1a7f37" if ok else "#cf222e"
    head = f'<b style="color:{colour}">{"✓" if ok else "✗"}</b> '
    if ok:
        head += _esc(data.get("message", "renders cleanly"))
    else:
        where = f"line {data['line']}" if data.get("line") else "no line"
        head += f"<b>{_esc(data.get('category'))}</b> ({_esc(data.get('stage'))}, {where}): {_esc(data.get('message'))}"
    parts = [f"<div class='manim-agent-diagnosis'><p>{head}</p>"]
    if data.get("code_line"):
        parts.append(f"<pre>{data['line']} | {_esc(data['code_line'])}</pre>")
    if data.get("hint"):
        parts.append(f"<p>hint: {_esc(data['hint'])}</p>")
    issues = data.get("issues") or []
    if issues:
        items = "".join(
            f"<li>{_esc(i.get('severity', 'error'))} {_esc(i.get('category'))} line {_esc(i.get('line'))}: "
            f"{_esc(i.get('message'))}</li>"
            for i in issues
        )
        parts.append(f"<ul>{items}</ul>")
    parts.append("</div>")
    return "".join(parts)


def make_result_html(result: Any) -> str:
    """A MakeResult: outcome, the video (or the last frame), the diagnosis when it failed, the paths."""
    if result.ok:
        head = f"<p><b style='color:#1a7f37'>✓ rendered</b> in {len(result.attempts)} attempt(s)</p>"
    else:
        head = f"<p><b style='color:#cf222e'>✗ {_esc(result.status)}</b>: {_esc(result.failure_message())}</p>"
    body = media_html(result.video) or media_html(result.last_frame)
    if not result.ok and result.diagnosis:
        body += diagnosis_html(result.diagnosis)
    paths = "".join(
        f"<li>{_esc(key)}: <code>{_esc(value)}</code></li>" for key, value in result.outputs.items() if value
    )
    return f"<div class='manim-agent-result'>{head}{body}<ul><li>run: <code>{_esc(result.run_dir)}</code></li>{paths}</ul></div>"
