"""The eval runner: per-case records, passes per model, budgets, append-only results and resume.

Cases run in the runner's process pool with scripted replies from the suite file and the stand-in
core (agent_fixtures), except the smoke-suite test, which uses the real check and render.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from eval_fixtures import SLOW_CORE, STUB_CORE, scripted_case, write_suite

from manim_agent.errors import EvalRunDirError
from manim_agent.evals.results import ResultsStore, read_records
from manim_agent.evals.runner import EvalOptions, run_suite
from manim_agent.evals.suite import load_suite

REPO = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent


def alive(pid: int) -> bool:
    """Running (a zombie waiting for init to reap it counts as dead)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def lines(out: Path) -> list[dict]:
    return read_records(out / "results.jsonl")


def test_records_carry_every_figure_of_a_case(tmp_path: Path) -> None:
    suite = load_suite(write_suite(tmp_path / "s.yaml", [
        scripted_case("good", expect={"uses": ["Circle"], "max_attempts": 1}),
        scripted_case("rule", kind="rule"),
        scripted_case("never", kind="never"),
    ]))
    summary = run_suite(suite, EvalOptions(out=tmp_path / "out", workers=2, core=STUB_CORE))
    by_case = {r["case"]: r for r in lines(tmp_path / "out")}
    assert summary.finished == 3 and set(by_case) == {"good", "rule", "never"}
    good = by_case["good"]
    assert good["rendered"] and good["passed"] and good["model"] == "scripted" and good["status"] == "done"
    assert [e["name"] for e in good["expectations"]] == ["uses: Circle", "max_attempts: 1"]
    assert good["llm_calls"] == 2 and good["tokens"]["input"] > 0 and good["cost_usd"] > 0
    assert set(good["seconds"]) == {"llm", "check", "render", "total"}
    assert (tmp_path / "out" / good["run_dir"] / "run.json").is_file()
    rule = by_case["rule"]
    assert rule["repairs"] == 1 and rule["rules"] == ["rename"] and rule["failed_categories"] == ["unknown_api"]
    never = by_case["never"]
    assert not never["rendered"] and never["failed_categories"] == ["bad_arguments", "bad_arguments"]
    assert never["final_category"] == "bad_arguments" and never["llm_attempts"] == 2


def test_several_models_run_the_suite_once_each(tmp_path: Path) -> None:
    suite = load_suite(write_suite(tmp_path / "s.yaml", [scripted_case("a"), scripted_case("b", kind="never")]))
    models = ["openai/gpt-4o-mini", "deepseek/deepseek-chat"]
    run_suite(suite, EvalOptions(models=models, out=tmp_path / "out", workers=2, core=STUB_CORE))
    keys = sorted((r["model"], r["case"]) for r in lines(tmp_path / "out"))
    assert keys == sorted((m, c) for m in models for c in ("a", "b"))
    assert (tmp_path / "out/cases/openai_gpt-4o-mini/a/run.json").is_file()


def test_without_a_model_or_a_script_a_case_fails_and_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MANIM_AGENT_MODEL", raising=False)
    monkeypatch.delenv("DEEPSEEK_API_KEY", raising=False)
    suite = load_suite(write_suite(tmp_path / "s.yaml", [
        {"id": "real-1", "prompt": "draw a circle"},
        {"id": "real-2", "prompt": "draw a square"},
        scripted_case("scripted"),
    ]))
    summary = run_suite(suite, EvalOptions(out=tmp_path / "out", core=STUB_CORE))
    by_case = {r["case"]: r for r in lines(tmp_path / "out")}
    for case in ("real-1", "real-2"):
        assert by_case[case]["status"] == "error" and not by_case[case]["rendered"]
        assert "No API key for deepseek/deepseek-chat" in by_case[case]["error"]
        assert "DEEPSEEK_API_KEY" in by_case[case]["error"]
    assert by_case["scripted"]["rendered"]
    assert len(summary.errors) == 2
    # An errored case is not finished: a resume (with a key, say) runs it again.
    assert ResultsStore(tmp_path / "out").finished_keys() == {("deepseek/deepseek-chat", "scripted")}


def test_a_cost_budget_stops_cleanly_and_resume_finishes(tmp_path: Path) -> None:
    suite = load_suite(write_suite(tmp_path / "s.yaml", [scripted_case(f"c{i}") for i in range(5)]))
    out = tmp_path / "out"
    summary = run_suite(suite, EvalOptions(out=out, workers=1, max_cost=0.002, core=STUB_CORE))
    assert summary.stopped is not None and summary.stopped["budget"] == "max_cost"
    assert "cost budget" in summary.stopped["message"] and summary.remaining == 3
    assert len(lines(out)) == 2
    assert json.loads((out / "eval.json").read_text())["stopped"]["budget"] == "max_cost"
    again = run_suite(suite, EvalOptions(out=out, resume=True, core=STUB_CORE))
    assert again.skipped == 2 and len(again.records) == 3 and again.stopped is None
    assert sorted(r["case"] for r in lines(out)) == [f"c{i}" for i in range(5)]


def test_a_time_budget_stops_cleanly(tmp_path: Path) -> None:
    suite = load_suite(write_suite(tmp_path / "s.yaml", [scripted_case(f"c{i}") for i in range(4)]))
    summary = run_suite(suite, EvalOptions(out=tmp_path / "out", max_minutes=0.0001, core=STUB_CORE))
    assert summary.stopped["budget"] == "max_minutes" and "time budget" in summary.stopped["message"]
    assert 1 <= len(summary.records) < 4


def test_the_run_directory_belongs_to_its_suite(tmp_path: Path) -> None:
    first = load_suite(write_suite(tmp_path / "a.yaml", [scripted_case("a")], name="first"))
    other = load_suite(write_suite(tmp_path / "b.yaml", [scripted_case("a")], name="other"))
    out = tmp_path / "out"
    run_suite(first, EvalOptions(out=out, core=STUB_CORE))
    before = (out / "results.jsonl").read_bytes()
    with pytest.raises(EvalRunDirError, match="holds a run of suite 'first', not 'other'"):
        run_suite(other, EvalOptions(out=out, resume=True, core=STUB_CORE))
    with pytest.raises(EvalRunDirError, match="pass --resume"):
        run_suite(first, EvalOptions(out=out, core=STUB_CORE))
    assert (out / "results.jsonl").read_bytes() == before  # nothing recorded is lost


def test_a_torn_last_line_is_skipped_and_the_next_append_starts_a_new_line(tmp_path: Path) -> None:
    suite = load_suite(write_suite(tmp_path / "s.yaml", [scripted_case("a"), scripted_case("b")]))
    out = tmp_path / "out"
    run_suite(suite, EvalOptions(out=out, max_cost=0.0001, core=STUB_CORE))  # stops after one case
    with (out / "results.jsonl").open("a") as handle:
        handle.write('{"model": "scripted", "case": "b", "sta')  # killed mid-write
    run_suite(suite, EvalOptions(out=out, resume=True, core=STUB_CORE))
    assert [r["case"] for r in lines(out)] == ["a", "b"]


RUNNER_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from eval_fixtures import SLOW_CORE
    from manim_agent.evals.runner import EvalOptions, run_suite
    from manim_agent.evals.suite import load_suite
    run_suite(load_suite(sys.argv[1]), EvalOptions(out=Path(sys.argv[2]), workers=2, resume=True, core=SLOW_CORE))
    """
)


def test_sigkill_in_the_middle_then_resume_loses_nothing_and_repeats_nothing(tmp_path: Path) -> None:
    cases = [scripted_case(f"c{i:02d}", kind="never" if i % 4 == 3 else "good") for i in range(10)]
    suite_path = write_suite(tmp_path / "s.yaml", cases)
    out = tmp_path / "out"
    script = tmp_path / "runner.py"
    script.write_text(RUNNER_SCRIPT.format(tests=str(TESTS)))
    runner = subprocess.Popen([sys.executable, str(script), str(suite_path), str(out)], cwd=tmp_path)
    deadline = time.monotonic() + 90
    while len(lines(out)) < 3:
        assert runner.poll() is None, "the runner ended before it could be killed"
        assert time.monotonic() < deadline, "the runner never finished three cases"
        time.sleep(0.05)
    runner.send_signal(signal.SIGKILL)
    runner.wait(timeout=10)
    assert runner.returncode == -signal.SIGKILL
    before = lines(out)
    assert 3 <= len(before) < 10, "the kill did not land in the middle of the suite"
    # The pool's workers die with the runner: none goes on writing into a case directory.
    time.sleep(0.5)
    for pid in {r["worker"]["pid"] for r in before}:
        assert not alive(pid), f"pool worker {pid} outlived the killed runner"
    summary = run_suite(load_suite(suite_path), EvalOptions(out=out, resume=True, workers=2, core=STUB_CORE))
    after = lines(out)
    assert summary.skipped == len({r["case"] for r in before})
    assert after[: len(before)] == before  # what was recorded stays, byte for byte in order
    assert sorted(r["case"] for r in after) == [f"c{i:02d}" for i in range(10)]  # each case exactly once
    assert {r["case"]: r["rendered"] for r in after} == {f"c{i:02d}": i % 4 != 3 for i in range(10)}
