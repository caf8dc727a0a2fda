"""Pipeline mode: the same tools as the code agent, in a fixed loop, without an orchestrating LLM.

    expand the request (once) -> write the code -> check it (rules repair what they can)
    -> while it fails and attempts remain: repair with the writer -> check again

Cheaper than agent mode (no orchestrator calls) and reproducible: the same replies give the same
run. The loop ends with a passing attempt, or with the budget spent; either way the attempt log
holds the best version.
"""

from __future__ import annotations

from manim_agent.agent.session import RunSession


def run_pipeline(session: RunSession) -> None:
    """Drive the session until a scene passes its check or the attempt budget is spent."""
    spec = session.ensure_spec()
    spec_text = spec.to_markdown()
    log = session.log
    writer = session.config.for_role("writer").model
    with session.stage("code", writer):
        while log.passing is None and not log.exhausted:
            previous_code, diagnosis = log.next_repair_inputs()
            written = session.write(spec_text, previous_code, diagnosis)
            if written.ok and written.code is not None:
                session.check(written.code, written.mode, notes=written.notes)
