"""report.html: one self-contained page (no network, images inlined) for an eval run.

A summary table per model, a contact sheet of every case's last frame, a bar chart of failure
categories, and a section per case with each attempt's diagnosis and the final code.
"""

from __future__ import annotations

import base64
import json
from html import escape
from pathlib import Path
from typing import Any

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1200px}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;font-size:.9rem}
th{background:#f3f3f3}.pass{color:#137333}.fail,.error{color:#b3261e}.rendered{color:#a56300}
.sheet{display:flex;flex-wrap:wrap;gap:.8rem}.tile{width:220px;font-size:.8rem}.tile img{width:220px;border:1px solid #ccc}
.noframe{width:220px;height:124px;background:#eee;display:flex;align-items:center;justify-content:center;color:#777}
.bar{background:#d93025;height:14px;display:inline-block;vertical-align:middle}
pre{background:#f6f8fa;padding:.6rem;overflow:auto;font-size:.8rem;max-height:28rem}
section.case{border-top:1px solid #ddd;margin-top:1.5rem}
"""


def _image(path: Path) -> str | None:
    if not path.is_file():
        return None
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _run_json(case_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((case_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _summary_table(data: dict[str, Any]) -> str:
    head = ("model", "cases", "rendered", "passed", "expectations met", "mean attempts", "LLM calls",
            "tokens in / out", "cost $", "time s (LLM / check / render)")
    rows = []
    for model, s in data["summary"].items():
        sec = s["seconds"]
        cells = (
            model, f"{s['ran']}" + (f" (+{s['errors']} errors)" if s["errors"] else ""),
            _pct(s["rendered_pct"]), _pct(s["passed_pct"]),
            f"{_pct(s['expectations_met_pct'])} ({s['expectations_met']}/{s['expectations_judged']})",
            _val(s["mean_attempts"]), str(s["llm_calls"]), f"{s['input_tokens']:,} / {s['output_tokens']:,}",
            _val(s["cost_usd"]), f"{sec['total']:g} ({sec['llm']:g} / {sec['check']:g} / {sec['render']:g})",
        )
        rows.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    return (
        '<table id="summary"><tr>' + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>" + "".join(rows) + "</table>"
    )


def _pct(value: Any) -> str:
    return "–" if value is None else f"{value:g} %"


def _val(value: Any) -> str:
    return "–" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _status(record: dict[str, Any]) -> str:
    if record.get("status") != "done":
        return "error"
    return "pass" if record.get("passed") else ("rendered" if record.get("rendered") else "fail")


def _anchor(record: dict[str, Any]) -> str:
    return "case-" + "".join(ch if ch.isalnum() else "-" for ch in f"{record['model']}-{record['case']}")


def _sheet(data: dict[str, Any], root: Path) -> str:
    tiles = []
    for record in data["cases"]:
        case_dir = root / (record.get("run_dir") or "")
        image = _image(case_dir / "last_frame.png") if record.get("run_dir") else None
        picture = f'<img alt="last frame" src="{image}">' if image else '<div class="noframe">no frame</div>'
        status = _status(record)
        tiles.append(
            f'<div class="tile"><a href="#{_anchor(record)}">{picture}</a><br>'
            f'<span class="{status}">{escape(status)}</span> {escape(record["case"])}<br>'
            f'<small>{escape(record["model"])}</small></div>'
        )
    return '<div class="sheet">' + "".join(tiles) + "</div>"


def _chart(data: dict[str, Any]) -> str:
    parts = []
    for model, s in data["summary"].items():
        counts = s["failure_categories"]
        if not counts:
            parts.append(f"<p>{escape(model)}: no failed attempts</p>")
            continue
        top = max(counts.values())
        rows = "".join(
            f'<tr><td>{escape(cat)}</td><td><span class="bar" style="width:{int(240 * n / top)}px"></span> {n}</td></tr>'
            for cat, n in counts.items()
        )
        parts.append(f"<h3>{escape(model)}</h3><table>{rows}</table>")
    return "".join(parts)


def _case_section(record: dict[str, Any], root: Path) -> str:
    case_dir = root / (record.get("run_dir") or "")
    run = _run_json(case_dir) if record.get("run_dir") else {}
    status = _status(record)
    out = [
        f'<section class="case" id="{_anchor(record)}"><h3>{escape(record["case"])} · {escape(record["model"])} · '
        f'<span class="{status}">{escape(status)}</span></h3>'
    ]
    if record.get("error"):
        out.append(f"<p class='error'>{escape(record['error'])}</p>")
    request = (case_dir / "request.txt").read_text(encoding="utf-8") if (case_dir / "request.txt").is_file() else ""
    if request:
        out.append(f"<p><b>Request:</b> {escape(request)}</p>")
    expectations = record.get("expectations") or []
    if expectations:
        out.append("<table><tr><th>expectation</th><th>met</th><th>detail</th></tr>" + "".join(
            f"<tr><td>{escape(e['name'])}</td><td>{'✓' if e['met'] else ('?' if e['met'] is None else '✗')}</td><td>{escape(str(e.get('detail')))}</td></tr>"
            for e in expectations) + "</table>")
    attempts = run.get("attempts") or []
    if attempts:
        out.append("<table><tr><th>#</th><th>origin</th><th>ok</th><th>category</th><th>line</th><th>diagnosis</th></tr>" + "".join(
            f"<tr><td>{a.get('number')}</td><td>{escape(str(a.get('origin')))}</td><td>{'✓' if a.get('ok') else '✗'}</td>"
            f"<td>{escape(str(a.get('category') or ''))}</td><td>{escape(str(a.get('line') or ''))}</td>"
            f"<td>{escape(str(a.get('message') or ''))}{(' (rules: ' + escape(', '.join(a['repairs'])) + ')') if a.get('repairs') else ''}</td></tr>"
            for a in attempts) + "</table>")
    outputs = run.get("outputs") or {}
    code_file = outputs.get("scene") or outputs.get("best_scene")
    if code_file and (case_dir / code_file).is_file():
        label = "Final code" if outputs.get("scene") else "Best code (did not render)"
        out.append(f"<details><summary>{label}</summary><pre>{escape((case_dir / code_file).read_text(encoding='utf-8'))}</pre></details>")
    out.append("</section>")
    return "".join(out)


def to_html(data: dict[str, Any], root: Path) -> str:
    root = Path(root)
    title = f"Eval report: {data.get('suite')}"
    body = [f"<h1>{escape(title)}</h1>", f"<p>Run directory: <code>{escape(data['run_dir'])}</code></p>"]
    if data.get("stopped"):
        body.append(f"<p class='error'>{escape(data['stopped'].get('message', ''))}</p>")
    body += ["<h2>Summary</h2>", _summary_table(data)]
    if len(data["models"]) > 1:
        head = "".join(f"<th>{escape(m)}</th>" for m in data["models"])
        rows = "".join(
            f"<tr><td>{escape(row['case'])}</td>" + "".join(f"<td class='{row[m]}'>{escape(row[m])}</td>" for m in data["models"]) + "</tr>"
            for row in data["comparison"]
        )
        body += ["<h2>Across models</h2>", f"<table><tr><th>case</th>{head}</tr>{rows}</table>"]
    versus = data.get("versus")
    if versus:
        rows = "".join(
            f"<tr><td>{escape(r['model'])}</td><td>{escape(r['case'])}</td><td>{escape(r['before'])}</td><td class='{r['after']}'>{escape(r['after'])}</td><td>{escape(r['change'])}</td></tr>"
            for r in versus["cases"] if r["change"] != "same"
        )
        body += [f"<h2>Versus {escape(versus['other_run_dir'])}</h2>",
                 f"<p>{versus['better']} better, {versus['worse']} worse, {versus['same']} the same.</p>",
                 f"<table><tr><th>model</th><th>case</th><th>before</th><th>after</th><th>change</th></tr>{rows}</table>" if rows else ""]
    body += ["<h2>Last frames</h2>", _sheet(data, root), "<h2>Failure categories</h2>", _chart(data), "<h2>Cases</h2>"]
    body += [_case_section(record, root) for record in data["cases"]]
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>\n"
    )
