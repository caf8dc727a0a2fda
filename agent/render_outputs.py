"""The end of a successful run: the final render, its last frame as a PNG, and the study notes."""

from __future__ import annotations

import shutil
from pathlib import Path

from manim_agent.agent.notes import write_notes
from manim_agent.agent.session import RunSession

LAST_FRAME = "last_frame.png"


def extract_last_frame(video: Path, target: Path) -> Path | None:
    """Save the video's last frame as a PNG with PyAV (installed with Manim); None if it cannot."""
    if video.suffix == ".png":
        shutil.copyfile(video, target)
        return target
    try:
        import av  # Manim's own video library, only needed here
    except ImportError:
        return None
    last = None
    try:
        with av.open(str(video)) as container:
            stream = container.streams.video[0]
            # Jump close to the end instead of decoding a long high-quality video from the start.
            if stream.duration and stream.time_base and float(stream.duration * stream.time_base) > 3:
                container.seek(int((float(stream.duration * stream.time_base) - 2) / stream.time_base), stream=stream)
            for frame in container.decode(stream):
                last = frame
        if last is None:
            return None
        last.to_image().save(target)
    except (av.FFmpegError, OSError, ValueError):
        return None
    return target


def render_final(session: RunSession, code: str) -> bool:
    """Render the passing scene at the chosen quality and format; True if a video was written."""
    options = session.options
    outputs = session.run.record.outputs_map()
    with session.stage("render", f"-q{options.quality} --format {options.fmt}"):
        result = session.render_function(
            code, quality=options.quality, fmt=options.fmt, out_dir=session.run.path, timeout=options.render_timeout
        )
    if not result.ok or not result.outputs:
        diagnosis = (
            result.diagnosis.to_json() if result.diagnosis is not None else {"ok": False, "message": "no output"}
        )
        session.run.record.render_diagnosis = diagnosis
        session.run.record.diagnosis = diagnosis
        session.warn(f"the final render failed although the check passed: {diagnosis.get('message')}")
        return False
    video = Path(result.outputs[-1])
    outputs["video"] = session.run.relative(video)
    frame = extract_last_frame(video, session.run.path / LAST_FRAME)
    outputs["last_frame"] = session.run.relative(frame) if frame else None
    if frame is None:
        session.warn("could not extract the last frame of the video")
    session.run.save_state()
    return True


def write_run_notes(session: RunSession) -> None:
    """notes.md, notes.tex and (with pdflatex) notes.pdf from the run's scene description."""
    spec = session.ensure_spec()
    outputs = session.run.record.outputs_map()
    with session.stage("notes"):
        notes = write_notes(spec, session.run.path, video=outputs.get("video"), pdf=session.options.notes_pdf)
    outputs["notes_md"] = session.run.relative(notes.markdown)
    outputs["notes_tex"] = session.run.relative(notes.tex)
    outputs["notes_pdf"] = session.run.relative(notes.pdf) if notes.pdf else None
    if notes.pdf_error and session.options.notes_pdf:
        session.run.record.notes_pdf_error = notes.pdf_error
        session.warn(f"notes.pdf was not made: {notes.pdf_error}")
    session.run.save_state()
