"""The wild benchmark: bare `manim -ql --dry_run` and `manim-agent check`/`fix` over a folder, in one run.

Point it at scenes you did not write for the purpose (the published output of LLM Manim generators):
it lists every concrete Scene class of every `.py` file, runs both commands on each, and reports:

- what bare manim says (renders / fails / still running at the cap),
- what `check` says: accepted, rejected by category, layout rejections by rule, timeouts and time,
- agreement: of the scenes bare manim renders, how many `check` rejects (the false-alarm rate, by
  rule); of those it fails, how many `check` rejects (misses),
- `fix` (no LLM): of the scenes bare manim fails, how many `fix` rewrites, how many then check clean
  and how many bare manim then renders (the repair rate with no LLM call),
- the share of scenes with a verdict within 20 s, and the ratio of check time to bare manim time.

Bare manim's results are cached per (file content, scene, cap) in `DIR/.bare_cache.json`, so a
"before/after" comparison of the checker re-runs only the checker. Nothing in DIR is modified
except that cache; `fix` writes its output to a temporary directory. `--sheets DIR2` keeps the
contact sheet of every scene that bare manim renders and `check` rejects, to judge each rejection.

Usage: .venv/bin/python benchmarks/wild_corpus.py DIR [--timeout S] [--bare-cap S] [--no-bare] [--no-fix]
       [--only SUBSTR] [--jobs N] [--sheets DIR2] [--no-check] [--reverse] [--json OUT.json]
"""

from __future__ import annotations

import argparse
import ast
import collections
import concurrent.futures
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
_CACHE_LOCK = threading.Lock()
_CACHE_FILE: Path | None = None


def concrete_scenes(path: Path) -> list[str]:
    """The Scene classes a user would render from this file (not the in-file base scenes)."""
    sys.path.insert(0, str(REPO))
    from manim_agent.tools.static import scenes as scene_discovery
    from manim_agent.tools.static.checks import _check_source_text
    from manim_agent.tools.static.source import ParsedSource

    text = _check_source_text(path.read_bytes(), path.name)
    if not isinstance(text, str):
        return []
    try:
        tree = ast.parse(text)
    except SyntaxError:
        from manim_agent.llm.parsing import extract_code

        code = extract_code(text).code  # an LLM answer: prose and fences around the code
        try:
            tree = ast.parse(code or "")
            text = code
        except SyntaxError:
            return ["<syntax error>"]
    choice = scene_discovery.choose_scene(ParsedSource(text, tree, path.name), scene_discovery.DEFAULT_SCENE_BASES)
    found = scene_discovery.renderable_scenes(choice)
    if not found:  # a scene base imported from a module the author had locally: its classes with construct()
        found = [node.name for node in tree.body if isinstance(node, ast.ClassDef) and node.bases
                 and any(isinstance(item, ast.FunctionDef) and item.name == "construct" for item in node.body)]
    return found or ["<no scene>"]


def run(command: list[str], cwd: Path, cap: float, *, stdout_only: bool = False) -> tuple[float, int | None, str]:
    """Wall time, exit code (None when killed at the cap) and the output (its tail, or all of stdout)."""
    started = time.perf_counter()
    try:
        proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=cap)
        output = proc.stdout if stdout_only else (proc.stdout + proc.stderr)[-4000:]
        return time.perf_counter() - started, proc.returncode, output
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"") + (exc.stderr or b"")
        return time.perf_counter() - started, None, out.decode(errors="replace")[-4000:] if isinstance(out, bytes) else str(out)


def bare(path: Path, scene: str, cap: float, work: Path, cache: dict) -> dict:
    """Bare manim's verdict; a cached one serves any cap when it finished, and a smaller cap when it did not."""
    digest = f"{hashlib.sha256(path.read_bytes()).hexdigest()[:16]}:{scene}:"
    key = f"{digest}{cap}"
    with _CACHE_LOCK:
        if _CACHE_FILE and _CACHE_FILE.exists():  # another run (a --no-check pass) may have added verdicts
            try:
                cache.update({k: v for k, v in json.loads(_CACHE_FILE.read_text()).items() if k not in cache})
            except (OSError, json.JSONDecodeError):
                pass
        for old_key, result in list(cache.items()):
            if old_key.startswith(digest) and (result["status"] != "timeout" or float(old_key[len(digest):]) >= cap):
                return result
    cmd = [str(BIN / "manim"), "-ql", "--dry_run", "--disable_caching", "--media_dir", str(work / "media"), str(path.resolve())]
    if not scene.startswith("<"):
        cmd.append(scene)
    seconds, code, tail = run(cmd, work, cap)
    error = next((ln.strip() for ln in reversed(tail.splitlines()) if "Error" in ln and ":" in ln), "")
    # manim exits 0 when it finds no scene to render (a class under `if __name__ == "__main__":`, a typo'd name)
    flat = " ".join(tail.split())  # rich wraps the log lines
    no_scene = "no scenes inside that module" in flat or "is not in the script" in flat or "No scenes were selected" in flat
    status = "timeout" if code is None else ("ok" if code == 0 and "Traceback" not in tail and not no_scene else "error")
    error = error or ("manim found no scene to render" if no_scene else "")
    with _CACHE_LOCK:
        cache[key] = {"status": status, "seconds": round(seconds, 2), "error": error[:200]}
    return cache[key]


def check(path: Path, scene: str, timeout: float, work: Path, layout: bool = True, sheet: Path | None = None) -> dict:
    cmd = [str(BIN / "manim-agent"), "check", str(path.resolve()), "--json", "--timeout", str(timeout)]
    cmd += ["--contact-sheet", str(sheet)] if sheet else ["--no-contact-sheet"]
    if not scene.startswith("<"):
        cmd += ["--scene", scene]
    if not layout:
        cmd.append("--no-layout")
    seconds, code, tail = run(cmd, work, timeout * 3 + 60, stdout_only=True)
    try:
        data = json.loads(tail.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        data = {"ok": False, "category": "crash", "message": tail[-300:], "issues": []}
    data["wall"] = round(seconds, 2)
    return data


def fix(path: Path, scene: str, work: Path, bare_cap: float | None = None) -> dict:
    """`manim-agent fix` (no LLM); when it says the result checks clean, bare manim judges the result too."""
    out = work / f"{path.parent.name}.{path.stem}.{scene}.fixed.py"
    cmd = [str(BIN / "manim-agent"), "fix", str(path.resolve()), "--out", str(out), "--json"]
    if not scene.startswith("<"):
        cmd += ["--scene", scene]
    seconds, code, tail = run(cmd, work, 600, stdout_only=True)
    try:
        data = json.loads(tail.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        data = {"ok": False, "applied": [], "message": tail[-300:]}
    applied = [a.get("rule") if isinstance(a, dict) else str(a) for a in data.get("applied", [])]
    result = {"wrote": out.exists(), "ok": bool(data.get("ok")), "rules": applied, "seconds": round(seconds, 2),
              "left": (data.get("diagnosis") or {}).get("message", data.get("message", ""))[:300]}
    if result["ok"] and bare_cap:
        result["bare_after"] = bare(out, scene, bare_cap, work, {})["status"]
    return result


def layout_rules(data: dict) -> list[str]:
    """The layout rules that made `check` reject (errors only)."""
    found = [{**data, "details": {"rule": data.get("rule") or _rule_from_message(data.get("message") or "")}},
             *data.get("issues", [])]
    return sorted({(f.get("details") or {}).get("rule", "?") for f in found
                   if f.get("category") == "layout" and f.get("severity", "error") == "error"})


def _rule_from_message(message: str) -> str:
    """For diagnoses printed before `rule` was part of check's JSON."""
    for rule, words in (("blank_end", "ends on an empty frame"), ("off_frame", "the frame"), ("overlap", "overlap"),
                        ("small_text", "px"), ("crowded", "texts on screen"), ("blank_middle", "nothing is on screen")):
        if words in message:
            return rule
    return "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--timeout", type=float, default=None, help="check --timeout (default: check's own)")
    parser.add_argument("--bare-cap", type=float, default=90.0, help="seconds before bare manim is stopped")
    parser.add_argument("--no-bare", action="store_true")
    parser.add_argument("--no-fix", action="store_true")
    parser.add_argument("--no-check", action="store_true", help="only bare manim (fills the cache for a later run)")
    parser.add_argument("--reverse", action="store_true", help="take the scenes from the last file to the first")
    parser.add_argument("--only", help="only files whose path contains this")
    parser.add_argument("--jobs", type=int, default=1, help="scenes at once (default 1; the machine may be shared)")
    parser.add_argument("--sheets", type=Path, help="keep here the contact sheets of scenes bare manim renders and check rejects")
    parser.add_argument("--json", type=Path, help="write every row and the summary here")
    args = parser.parse_args()

    files = sorted(p for p in args.folder.rglob("*.py") if ".fixed" not in p.name and (not args.only or args.only in str(p)))
    global _CACHE_FILE
    cache_path = _CACHE_FILE = args.folder / ".bare_cache.json"
    cache = json.loads(cache_path.read_text()) if cache_path.exists() else {}
    work = Path(tempfile.mkdtemp(prefix="ma-real-"))
    os.environ.setdefault("MANIM_AGENT_HOME", str(work / "home"))
    subprocess.run([str(BIN / "manim-agent"), "worker", "start"], capture_output=True, cwd=work)
    timeout = args.timeout
    if timeout is None:
        sys.path.insert(0, str(REPO))
        from manim_agent import settings

        timeout = settings.DEFAULT_CHECK_TIMEOUT
    todo = [(path, scene) for path in files for scene in concrete_scenes(path)]
    if args.reverse:  # e.g. a check run from the back while a --no-check run fills the cache from the front
        todo.reverse()
    sheets = args.sheets.resolve() if args.sheets else None
    if sheets:
        sheets.mkdir(parents=True, exist_ok=True)

    def one(path: Path, scene: str) -> dict:
        row: dict = {"file": str(path.relative_to(args.folder)), "scene": scene}
        if not args.no_bare:
            row["bare"] = bare(path, scene, args.bare_cap, work, cache)
        if args.no_check:
            return row
        sheet = sheets / f"{row['file'].replace('/', '__')}.{scene}.png" if sheets else None
        row["check"] = check(path, scene, timeout, work, sheet=sheet)
        if sheet and (row.get("bare", {}).get("status") != "ok" or row["check"].get("ok")) and sheet.exists():
            sheet.unlink()  # keep only the sheets of rejected scenes that bare manim renders
        if not args.no_fix and row.get("bare", {}).get("status") == "error":
            row["fix"] = fix(path, scene, work, bare_cap=args.bare_cap)
        return row

    rows = []
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = [pool.submit(one, path, scene) for path, scene in todo]
            for future in concurrent.futures.as_completed(futures):
                row = future.result()
                rows.append(row)
                with _CACHE_LOCK:
                    try:
                        cache.update({k: v for k, v in json.loads(cache_path.read_text()).items() if k not in cache})
                    except (OSError, json.JSONDecodeError):
                        pass
                    tmp = cache_path.with_suffix(f".{os.getpid()}.tmp")
                    tmp.write_text(json.dumps(cache, indent=1))
                    tmp.replace(cache_path)  # atomic: two runs may share the cache
                if args.no_check:
                    b = row.get("bare", {})
                    print(f"{row['file'][:44]:44} {row['scene'][:28]:28} bare={b.get('status', '-'):7} {b.get('seconds', 0):6.1f}s", flush=True)
                    continue
                c, b = row["check"], row.get("bare", {})
                verdict = "ok" if c.get("ok") else f"{c.get('category')}{'/' + ','.join(layout_rules(c)) if c.get('category') == 'layout' else ''}"
                fixed = f"fix={row['fix']['ok']}/{row['fix'].get('bare_after', '-')}" if "fix" in row else ""
                print(f"{row['file'][:44]:44} {row['scene'][:28]:28} bare={b.get('status', '-'):7} {b.get('seconds', 0):6.1f}s  "
                      f"check={verdict:22} {c['wall']:6.1f}s {fixed}", flush=True)
    finally:
        subprocess.run([str(BIN / "manim-agent"), "worker", "stop"], capture_output=True, cwd=work)
    rows.sort(key=lambda r: (r["file"], r["scene"]))
    if args.no_check:
        print(json.dumps(dict(collections.Counter(r["bare"]["status"] for r in rows if "bare" in r))))
        return 0
    summary = summarize(rows, timeout)
    print(json.dumps(summary, indent=2))
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "rows": rows}, indent=1))
    return 0


def summarize(rows: list[dict], timeout: float) -> dict:
    checks = [r["check"] for r in rows]
    accepted = [c for c in checks if c.get("ok")]
    by_category = collections.Counter(c.get("category") for c in checks if not c.get("ok"))
    by_rule = collections.Counter(rule for c in checks if not c.get("ok") and c.get("category") == "layout" for rule in layout_rules(c))
    walls = [c["wall"] for c in checks]
    summary: dict = {
        "scenes": len(rows),
        "files": len({r["file"] for r in rows}),
        "check_timeout_s": timeout,
        "check_accepted": len(accepted),
        "check_rejected_by_category": dict(by_category.most_common()),
        "layout_rejections_by_rule": dict(by_rule.most_common()),
        "check_timeouts": by_category.get("timeout", 0),
        "check_median_s": round(statistics.median(walls), 2) if walls else None,
        "check_over_20s": sum(w > 20 for w in walls),
        "verdict_within_20s": f"{sum(w <= 20 for w in walls)}/{len(walls)}",
        "verdict_within_20s_rate": _percent(sum(w <= 20 for w in walls), len(walls)),
    }
    with_bare = [r for r in rows if "bare" in r]
    if with_bare:
        good = [r for r in with_bare if r["bare"]["status"] == "ok"]
        broken = [r for r in with_bare if r["bare"]["status"] == "error"]
        slow = [r for r in with_bare if r["bare"]["status"] == "timeout"]
        # A timeout is no verdict, not a rejection: it is counted apart (and in the 20 s figure).
        judged = [r for r in good if r["check"].get("category") != "timeout"]
        false_alarms = collections.Counter(
            (r["check"].get("category") + ("/" + ",".join(layout_rules(r["check"])) if r["check"].get("category") == "layout" else ""))
            for r in judged if not r["check"].get("ok"))
        ratios = [r["check"]["wall"] / r["bare"]["seconds"] for r in with_bare
                  if r["bare"]["status"] != "timeout" and r["bare"]["seconds"] > 0]
        fixes = [r["fix"] for r in broken if "fix" in r]
        repaired = sum(f["ok"] and f.get("bare_after", "ok") == "ok" for f in fixes)
        finished = [r for r in with_bare if r["bare"]["status"] != "timeout"]
        bare_total = sum(r["bare"]["seconds"] for r in finished)
        summary.update({
            "bare_renders": len(good),
            "bare_fails": len(broken),
            "bare_still_running_at_cap": len(slow),
            "good_accepted": f"{sum(bool(r['check'].get('ok')) for r in good)}/{len(good)}",
            "good_rejected_rate": _percent(sum(not r["check"].get("ok") for r in judged), len(judged)),
            "good_rejected_by": dict(false_alarms.most_common()),
            "good_timed_out_in_check": len(good) - len(judged),
            "broken_rejected": f"{sum(not r['check'].get('ok') for r in broken)}/{len(broken)}",
            "slow_in_bare_accepted": f"{sum(bool(r['check'].get('ok')) for r in slow)}/{len(slow)}",
            "fix_wrote_file": f"{sum(f['wrote'] for f in fixes)}/{len(broken)}",
            "fix_checks_clean": f"{sum(f['ok'] for f in fixes)}/{len(broken)}",
            "fix_renders_after": f"{repaired}/{len(broken)}",
            "repaired_without_llm_rate": _percent(repaired, len(broken)),
            "fix_rules": dict(collections.Counter(rule for f in fixes for rule in f["rules"]).most_common()),
            "median_ratio_check_over_bare": round(statistics.median(ratios), 3) if ratios else None,
            "total_ratio_check_over_bare": round(sum(r["check"]["wall"] for r in finished) / bare_total, 3) if bare_total else None,
        })
    return summary


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


if __name__ == "__main__":
    raise SystemExit(main())
