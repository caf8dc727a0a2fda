"""`manim-agent eval` and `manim-agent report` from the command line: bad input, a real smoke run, the report."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from eval_fixtures import assert_smoke_records, scripted_case, write_suite

from manim_agent.cli import main

REPO = Path(__file__).resolve().parent.parent


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("manim-agent: error: "), err
    return err[0]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("name: x\ncases: [\n", "not valid YAML"),
        ("name: x\ncases:\n  - {id: a}\n", "case 'a': field 'prompt'"),
        ("name: x\ncases:\n  - {id: a, prompt: p}\n  - {id: a, prompt: q}\n", "duplicate id"),
        ("name: x\ncases:\n  - {id: a, prompt: p, expect: {colour: red}}\n", "field 'expect.colour': unknown key"),
    ],
)
def test_a_bad_suite_is_one_line_and_exit_2(tmp_path: Path, capsys, content: str, expected: str) -> None:
    suite = tmp_path / "suite.yaml"
    suite.write_text(content)
    assert main(["eval", str(suite), "--out", str(tmp_path / "out")]) == 2
    assert expected in one_error_line(capsys)
    assert not (tmp_path / "out").exists()


def test_an_unreachable_ray_address_is_one_line_and_exit_2(tmp_path: Path, capsys) -> None:
    suite = write_suite(tmp_path / "s.yaml", [scripted_case("a")])
    code = main(["eval", str(suite), "--executor", "ray", "--address", "127.0.0.1:9", "--out", str(tmp_path / "out")])
    assert code == 2
    assert "cannot reach the Ray cluster at '127.0.0.1:9'" in one_error_line(capsys)
    assert not (tmp_path / "out").exists()


def test_resume_of_another_suites_run_is_refused_and_keeps_its_results(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "eval.json").write_text(json.dumps({"suite": "other", "cases": ["a"]}))
    (out / "results.jsonl").write_text('{"model": "m", "case": "a", "status": "done"}\n')
    suite = write_suite(tmp_path / "s.yaml", [scripted_case("a")], name="mine")
    assert main(["eval", str(suite), "--out", str(out), "--resume"]) == 2
    assert "holds a run of suite 'other', not 'mine'" in one_error_line(capsys)
    assert (out / "results.jsonl").read_text() == '{"model": "m", "case": "a", "status": "done"}\n'
    assert main(["eval", str(suite), "--resume"]) == 2
    assert "--resume needs --out DIR" in one_error_line(capsys)


def test_report_of_a_directory_that_is_no_eval_run(tmp_path: Path, capsys) -> None:
    assert main(["report", str(tmp_path)]) == 2
    assert "is not an eval run directory" in one_error_line(capsys)


@pytest.mark.slow
def test_the_smoke_suite_runs_offline_and_reports(tmp_path: Path, capsys) -> None:
    """The real check and render, scripted replies from the suite file, two pool workers."""
    out = tmp_path / "smoke"
    code = main(["eval", str(REPO / "evals/suites/smoke.yaml"), "--out", str(out), "--workers", "2", "--json", "--quiet"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["ran"] == 4 and summary["rendered"] == 3 and summary["errors"] == 0
    records = {r["case"]: r for r in map(json.loads, (out / "results.jsonl").read_text().splitlines())}
    assert_smoke_records(records, out)

    # A second run of the same suite: resume has nothing left to do.
    assert main(["eval", str(REPO / "evals/suites/smoke.yaml"), "--out", str(out), "--resume", "--json", "--quiet"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["ran"] == 0 and again["skipped_finished"] == 4

    assert main(["report", str(out), str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    row = report["summary"]["scripted"]
    assert row["rendered_pct"] == 75.0 and row["mean_attempts"] == 1.75 and row["repairs"] == 1
    assert row["failure_categories"] == {"bad_arguments": 3, "unknown_api": 1}
    assert report["versus"]["same"] == 4 and report["versus"]["better"] == 0
    markdown = (out / "report.md").read_text()
    assert "| scripted | 4 | 75 % | 75 % |" in markdown and "never-converges" in markdown
    html = (out / "report.html").read_text()
    assert 'id="summary"' in html and html.count("data:image/png;base64,") == 3  # three last frames
    assert "Triangle(colour=RED, fill_opacity=0.5)" in html  # the never-converging case's best code
    check_page_in_chromium(out / "report.html", tmp_path)


def chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Headless Debian chromium with no network of its own; console messages go to stderr."""
    return subprocess.run(
        [shutil.which("chromium") or "/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *extra, page.as_uri()],
        capture_output=True, text=True, timeout=90,
    )


def check_page_in_chromium(html: Path, tmp_path: Path) -> None:
    if not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()):
        pytest.skip("Debian's chromium is not installed")
    control = tmp_path / "control.html"
    control.write_text("<html><body><script>undefinedFunction();</script></body></html>")
    assert "CONSOLE" in chromium(control, tmp_path / "profile-control", "--dump-dom").stderr  # the probe works
    loaded = chromium(html, tmp_path / "profile", "--dump-dom")
    assert loaded.returncode == 0
    assert '<table id="summary">' in loaded.stdout and "<td>scripted</td>" in loaded.stdout
    assert "CONSOLE" not in loaded.stderr, loaded.stderr
    shot = tmp_path / "report.png"
    chromium(html, tmp_path / "profile-shot", "--window-size=1280,2000", f"--screenshot={shot}")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
