"""`manim-agent make` and `manim-agent demo` from the command line (scripted models, in-process)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from agent_fixtures import BROKEN_SCENE, GOOD_SCENE, SPEC_REPLY, fenced, stub_check, stub_render

from manim_agent import cli, demo
from manim_agent.agent import make
from manim_agent.llm.scripted import ScriptedModel, server_error


@pytest.fixture
def stub_core(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI cannot inject the core, so swap its defaults for the fast stand-ins."""
    monkeypatch.setattr(make, "_default_check", lambda timeout: stub_check)
    monkeypatch.setattr(make, "_default_render", stub_render)


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_make_json_prints_run_json(tmp_path: Path, stub_core, capsys) -> None:
    model = ScriptedModel([SPEC_REPLY, fenced(GOOD_SCENE)])
    code, out, err = run_cli(
        [
            "make",
            "draw a circle",
            "--model",
            model.model_id,
            "--mode",
            "pipeline",
            "--out",
            str(tmp_path),
            "--json",
            "--no-pdf",
        ],
        capsys,
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["ok"] and data["status"] == "success" and data["mode"] == "pipeline"
    run_dir = Path(data["run_dir"])
    assert json.loads((run_dir / "run.json").read_text()) == data
    assert (run_dir / data["outputs"]["video"]).is_file()


def test_make_prints_a_summary_and_exit_1_when_nothing_renders(tmp_path: Path, stub_core, capsys) -> None:
    model = ScriptedModel([SPEC_REPLY, fenced(BROKEN_SCENE)])
    code, out, err = run_cli(
        [
            "make",
            "draw a circle",
            "--model",
            model.model_id,
            "--mode",
            "pipeline",
            "--max-attempts",
            "1",
            "--out",
            str(tmp_path),
            "--quiet",
        ],
        capsys,
    )
    assert code == 1
    assert "no scene rendered after 1 attempt(s)" in out and "colour" in out
    assert "--resume" in out and "Traceback" not in out + err


@pytest.mark.parametrize("prompt", ["", "   "])
def test_an_empty_request_is_exit_2_without_traceback(tmp_path: Path, capsys, prompt: str) -> None:
    code, out, err = run_cli(["make", prompt, "--out", str(tmp_path)], capsys)
    assert code == 2 and "request is empty" in err and "Traceback" not in err


def test_a_missing_key_names_the_variable(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("DEEPSEEK_API_KEY", raising=False)
    code, out, err = run_cli(["make", "draw a circle", "--out", str(tmp_path)], capsys)
    assert code == 2 and "DEEPSEEK_API_KEY" in err
    assert not any(tmp_path.iterdir())


def test_an_unknown_model_is_exit_2_in_json_too(tmp_path: Path, capsys) -> None:
    code, out, err = run_cli(
        ["make", "draw a circle", "--model", "no-such-provider-model", "--json", "--out", str(tmp_path)], capsys
    )
    assert code == 2
    assert json.loads(out)["message"].startswith("Unknown model")


def test_a_provider_outage_is_exit_4_with_a_resume_hint(tmp_path: Path, stub_core, capsys) -> None:
    model = ScriptedModel([server_error()] * 3)
    code, out, err = run_cli(
        [
            "make",
            "draw a circle",
            "--model",
            model.model_id,
            "--mode",
            "pipeline",
            "--num-retries",
            "2",
            "--out",
            str(tmp_path),
            "--quiet",
        ],
        capsys,
    )
    assert code == 4
    assert "server error" in err and "make --resume" in err
    run_dir = next(tmp_path.iterdir())
    model.enqueue(SPEC_REPLY, fenced(GOOD_SCENE))
    code, out, err = run_cli(["make", "--resume", str(run_dir), "--quiet", "--no-pdf"], capsys)
    assert code == 0, err
    assert f"Rendered after 1 attempt(s): {run_dir}" in out


def test_demo_without_a_model_explains_and_renders_a_labelled_library_scene(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.delenv("DEEPSEEK_API_KEY", raising=False)
    monkeypatch.delenv("MANIM_AGENT_MODEL", raising=False)
    tiny = tmp_path / "tiny_library_scene.py"
    tiny.write_text(GOOD_SCENE)
    # A tiny stand-in for the library scene keeps the test quick; check and render are the real core.
    monkeypatch.setattr(demo, "library_scene_path", lambda: tiny)
    code, out, err = run_cli(["demo", "--out", str(tmp_path / "out"), "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["generated"] is False and data["ok"] is True
    assert "LIBRARY scene" in data["message"] and "not generated" in data["message"]
    assert Path(data["video"]).is_file()
    assert "DEEPSEEK_API_KEY" in err and "ollama" in err.lower() and "vllm" in err.lower()


def test_demo_with_a_model_generates(tmp_path: Path, stub_core, capsys) -> None:
    model = ScriptedModel([SPEC_REPLY, fenced(GOOD_SCENE)])
    outcome = demo.run_demo(make_kwargs={"model": model, "mode": "pipeline", "out_dir": tmp_path, "notes_pdf": False})
    assert outcome.generated and outcome.ok and outcome.video.is_file()
    assert demo.SAMPLE_REQUEST in outcome.message


def test_prompt_from_stdin(tmp_path: Path, stub_core, capsys, monkeypatch) -> None:
    import io

    model = ScriptedModel([SPEC_REPLY, fenced(GOOD_SCENE)])
    monkeypatch.setattr("sys.stdin", io.StringIO("draw a circle, from stdin"))
    code, out, err = run_cli(
        ["make", "-", "--model", model.model_id, "--mode", "pipeline", "--out", str(tmp_path), "--json", "--no-pdf"],
        capsys,
    )
    assert code == 0, err
    assert json.loads(out)["request"] == "draw a circle, from stdin"
