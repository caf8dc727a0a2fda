"""The report of an eval run: figures per model, a comparison across models, failure categories.

    report = write_report(Path("runs/eval-smoke"))           # report.md, report.json, report.html
    report = write_report(Path("runs/new"), other=Path("runs/old"))   # plus what got better / worse

Reads only the run directory (eval.json, results.jsonl, each case's run.json and last frame), so a
report can be made at any time, also while the run is going or after it was killed.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean
from typing import Any

from manim_agent.errors import EvalRunDirError
from manim_agent.evals.results import EVAL_JSON, RESULTS, latest_records, read_records


@dataclass
class Report:
    data: dict[str, Any]
    markdown: str
    paths: dict[str, Path] = field(default_factory=dict)


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def load_run(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(eval.json, the latest record per model and case); EvalRunDirError if `path` is not an eval run."""
    path = Path(path)
    if not (path / RESULTS).is_file() and not (path / EVAL_JSON).is_file():
        raise EvalRunDirError(f"{str(path)!r} is not an eval run directory (no {RESULTS}); pass the --out of `manim-agent eval`")
    meta: dict[str, Any] = {}
    if (path / EVAL_JSON).is_file():
        try:
            meta = json.loads((path / EVAL_JSON).read_text(encoding="utf-8"))
        except ValueError as exc:
            raise EvalRunDirError(f"cannot read {str(path / EVAL_JSON)!r}: {exc}") from None
    return meta, latest_records(read_records(path / RESULTS))


def model_summary(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures of one model's records."""
    ran = [r for r in records if r.get("status") == "done"]
    verdicts = [e for r in ran for e in r.get("expectations") or [] if e.get("met") is not None]
    with_expectations = [r for r in ran if r.get("expectations_met") is not None]
    seconds = {key: [float((r.get("seconds") or {}).get(key) or 0.0) for r in ran] for key in ("total", "llm", "check", "render")}
    costs = [r.get("cost_usd") for r in ran]
    return {
        "cases": len(records),
        "ran": len(ran),
        "errors": len(records) - len(ran),
        "rendered": sum(1 for r in ran if r.get("rendered")),
        "rendered_pct": _percent(sum(1 for r in ran if r.get("rendered")), len(ran)),
        "passed": sum(1 for r in ran if r.get("passed")),
        "passed_pct": _percent(sum(1 for r in ran if r.get("passed")), len(ran)),
        "expectations_met": sum(1 for e in verdicts if e["met"]),
        "expectations_judged": len(verdicts),
        "expectations_met_pct": _percent(sum(1 for e in verdicts if e["met"]), len(verdicts)),
        "cases_meeting_all_pct": _percent(sum(1 for r in with_expectations if r["expectations_met"]), len(with_expectations)),
        "mean_attempts": round(mean(r.get("attempts", 0) for r in ran), 2) if ran else None,
        "mean_llm_attempts": round(mean(r.get("llm_attempts", 0) for r in ran), 2) if ran else None,
        "llm_calls": sum(int(r.get("llm_calls") or 0) for r in ran),
        "repairs": sum(int(r.get("repairs") or 0) for r in ran),
        "input_tokens": sum(int((r.get("tokens") or {}).get("input") or 0) for r in ran),
        "output_tokens": sum(int((r.get("tokens") or {}).get("output") or 0) for r in ran),
        "cost_usd": round(sum(float(c) for c in costs if c is not None), 6) if any(c is not None for c in costs) else None,
        "seconds": {key: round(sum(values), 2) for key, values in seconds.items()},
        "mean_seconds": round(mean(seconds["total"]), 2) if ran else None,
        "failure_categories": dict(Counter(c for r in ran for c in r.get("failed_categories") or []).most_common()),
        "final_categories": dict(Counter(r.get("final_category") or "other" for r in ran if not r.get("rendered")).most_common()),
        "error_messages": dict(Counter((r.get("error") or "")[:160] for r in records if r.get("status") != "done").most_common(5)),
    }


def _status(record: dict[str, Any] | None) -> str:
    if record is None:
        return "-"
    if record.get("status") != "done":
        return "error"
    if record.get("passed"):
        return "pass"
    return "rendered" if record.get("rendered") else "fail"


_RANK = {"-": -1, "error": 0, "fail": 1, "rendered": 2, "pass": 3}


def compare_runs(new: list[dict[str, Any]], old: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Case by case (same model and case id): better, worse or the same, by pass > rendered > fail > error, then attempts."""
    old_by = {(r["model"], r["case"]): r for r in old}
    rows = []
    for record in new:
        before = old_by.get((record["model"], record["case"]))
        if before is None:
            continue
        a, b = _status(before), _status(record)
        change = "same"
        if _RANK[b] != _RANK[a]:
            change = "better" if _RANK[b] > _RANK[a] else "worse"
        elif b in ("pass", "rendered") and record.get("attempts") != before.get("attempts"):
            change = "better" if (record.get("attempts") or 0) < (before.get("attempts") or 0) else "worse"
        rows.append({
            "model": record["model"], "case": record["case"], "before": a, "after": b, "change": change,
            "attempts_before": before.get("attempts"), "attempts_after": record.get("attempts"),
        })
    return rows


def build_report(path: Path, other: Path | None = None) -> dict[str, Any]:
    meta, records = load_run(path)
    order = {case: i for i, case in enumerate(meta.get("cases") or [])}
    records.sort(key=lambda r: (order.get(r["case"], len(order)), r["case"]))
    models = list(dict.fromkeys([*(meta.get("models") or []), *(r["model"] for r in records)]))
    by_model = {m: model_summary([r for r in records if r["model"] == m]) for m in models}
    cases = list(dict.fromkeys(r["case"] for r in records))
    index = {(r["model"], r["case"]): r for r in records}
    comparison = [{"case": c, **{m: _status(index.get((m, c))) for m in models}} for c in cases]
    data: dict[str, Any] = {
        "run_dir": str(Path(path).resolve()),
        "suite": meta.get("suite"),
        "models": models,
        "stopped": meta.get("stopped"),
        "expected_cases": len(meta.get("cases") or []) * max(1, len(models)),
        "summary": by_model,
        "comparison": comparison,
        "cases": records,
    }
    if other is not None:
        _, old = load_run(other)
        rows = compare_runs(records, old)
        data["versus"] = {
            "other_run_dir": str(Path(other).resolve()),
            "better": sum(1 for r in rows if r["change"] == "better"),
            "worse": sum(1 for r in rows if r["change"] == "worse"),
            "same": sum(1 for r in rows if r["change"] == "same"),
            "cases": rows,
        }
    return data


def _fmt(value: Any, suffix: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:g}{suffix}"
    return f"{value}{suffix}"


def _errors(summary: dict[str, Any]) -> str:
    return f" (+{summary['errors']} errors)" if summary["errors"] else ""


def to_markdown(data: dict[str, Any]) -> str:
    lines = [f"# Eval report: {data.get('suite')}", "", f"Run directory: `{data['run_dir']}`", ""]
    done = sum(s["cases"] for s in data["summary"].values())
    if data.get("expected_cases") and done < data["expected_cases"]:
        lines += [f"**Incomplete:** {done} of {data['expected_cases']} cases have results.", ""]
    if data.get("stopped"):
        lines += [f"**Stopped by a budget:** {data['stopped'].get('message')}", ""]
    lines += [
        "## Per model", "",
        "| model | cases | rendered | passed | expectations met | mean attempts | LLM calls | rule repairs | tokens in / out | cost $ | time s (LLM / check / render) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for model, s in data["summary"].items():
        sec = s["seconds"]
        lines.append(
            f"| {model} | {s['ran']}{_errors(s)} | {_fmt(s['rendered_pct'], ' %')} | "
            f"{_fmt(s['passed_pct'], ' %')} | {_fmt(s['expectations_met_pct'], ' %')} ({s['expectations_met']}/{s['expectations_judged']}) | "
            f"{_fmt(s['mean_attempts'])} | {s['llm_calls']} | {s['repairs']} | {s['input_tokens']:,} / {s['output_tokens']:,} | "
            f"{_fmt(s['cost_usd'])} | {sec['total']:g} ({sec['llm']:g} / {sec['check']:g} / {sec['render']:g}) |"
        )
    if len(data["models"]) > 1:
        lines += ["", "## Across models", "", "| case | " + " | ".join(data["models"]) + " |", "|---|" + "---|" * len(data["models"])]
        for row in data["comparison"]:
            lines.append(f"| {row['case']} | " + " | ".join(row[m] for m in data["models"]) + " |")
    lines += ["", "## Failure categories (failed attempts)", ""]
    for model, s in data["summary"].items():
        cats = ", ".join(f"{k} {v}" for k, v in s["failure_categories"].items()) or "none"
        final = ", ".join(f"{k} {v}" for k, v in s["final_categories"].items()) or "none"
        lines.append(f"- **{model}**: {cats}; cases that never rendered: {final}")
        for message, count in s["error_messages"].items():
            lines.append(f"  - could not run ({count}): {message}")
    lines += ["", "## Cases", "", "| model | case | result | attempts | missed expectations | run directory |", "|---|---|---|---|---|---|"]
    for r in data["cases"]:
        missed = ", ".join(e["name"] for e in r.get("expectations") or [] if e.get("met") is False) or ""
        result = _status(r) if r.get("status") == "done" else f"error: {(r.get('error') or '')[:80]}"
        lines.append(f"| {r['model']} | {r['case']} | {result} | {r.get('attempts', '–')} | {missed} | `{r.get('run_dir')}` |")
    versus = data.get("versus")
    if versus:
        lines += ["", f"## Versus `{versus['other_run_dir']}`", "",
                  f"{versus['better']} better, {versus['worse']} worse, {versus['same']} the same.", ""]
        changed = [r for r in versus["cases"] if r["change"] != "same"]
        if changed:
            lines += ["| model | case | before | after | attempts |", "|---|---|---|---|---|"]
            for r in changed:
                lines.append(f"| {r['model']} | {r['case']} | {r['before']} | {r['after']} ({r['change']}) | {r['attempts_before']} → {r['attempts_after']} |")
    return "\n".join(lines) + "\n"


def write_report(path: Path, other: Path | None = None) -> Report:
    """Write report.md, report.json and report.html into the run directory."""
    from manim_agent.evals.report_html import to_html

    path = Path(path)
    data = build_report(path, other)
    markdown = to_markdown(data)
    paths = {"md": path / "report.md", "json": path / "report.json", "html": path / "report.html"}
    paths["md"].write_text(markdown, encoding="utf-8")
    paths["json"].write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    paths["html"].write_text(to_html(data, path), encoding="utf-8")
    return Report(data, markdown, paths)
