"""How many tokens a repair costs compared with a full rewrite, on broken variants of library scenes.

For every library scene and every fault below that applies to it, the scene is broken in one
place (the way LLM-written scenes break: a ManimGL name, an old method name, a misspelt keyword).
The real static checks diagnose it. Then three requests are counted with litellm's offline token
counter (deepseek/deepseek-chat's tokenizer as litellm maps it), each with its ideal reply:

- repair:            the writer's repair prompt (previous code + diagnosis) -> a minimal search/replace edit
- rewrite (same):    the same prompt asking for the whole file             -> the whole corrected file
- rewrite (writer):  the writer's first-version prompt (rules, examples, the description)
                     plus the previous code and diagnosis                  -> the whole corrected file

The target is repair <= 30% of a rewrite. Run:  python benchmarks/repair_tokens.py [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import asdict, dataclass

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from manim_agent.llm.client import litellm_module
from manim_agent.llm.parsing import extract_code
from manim_agent.tools.diagnosis import Diagnosis
from manim_agent.tools.examples import choose_examples, library_scenes
from manim_agent.tools.static.checks import run_static_checks
from manim_agent.tools.write_manim_code import new_code_messages, repair_messages

TOKEN_MODEL = "deepseek/deepseek-chat"
TARGET = 0.30

# (name, pattern, replacement): the first match in the scene is broken.
FAULTS: list[tuple[str, str, str]] = [
    ("manimgl-create", r"\bCreate\(", "ShowCreation("),
    ("manimgl-mathtex", r"\bMathTex\(", "TexMobject("),
    ("old-plot-method", r"\.plot\(", ".get_graph("),
    ("misspelt-keyword", r"\bcolor=", "colour="),
    ("manimgl-text", r"\bTex\(", "TextMobject("),
]


@dataclass
class Measurement:
    scene: str
    fault: str
    line: int
    repair_in: int
    repair_out: int
    rewrite_same_in: int
    rewrite_same_out: int
    rewrite_writer_in: int
    rewrite_writer_out: int

    @property
    def repair(self) -> int:
        return self.repair_in + self.repair_out

    @property
    def rewrite_same(self) -> int:
        return self.rewrite_same_in + self.rewrite_same_out

    @property
    def rewrite_writer(self) -> int:
        return self.rewrite_writer_in + self.rewrite_writer_out


def minimal_edit(original: str, broken: str, line: int) -> str:
    """The smallest search/replace edit that restores `original`: the broken line, plus context until unique."""
    broken_lines, original_lines = broken.split("\n"), original.split("\n")
    start = end = line - 1
    while True:
        search = "\n".join(broken_lines[start : end + 1])
        if broken.count(search) == 1:
            break
        start, end = max(0, start - 1), min(len(broken_lines) - 1, end + 1)
    replace = "\n".join(original_lines[start : end + 1])
    return f"<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n"


def diagnose(broken: str) -> Diagnosis:
    static = run_static_checks(broken)
    return Diagnosis(ok=False, scene=static.scene, stage="static", findings=static.findings, scenes=static.scenes)


def count(messages: list[dict[str, str]] | None = None, text: str | None = None) -> int:
    litellm = litellm_module()
    if messages is not None:
        return litellm.token_counter(model=TOKEN_MODEL, messages=messages)
    return litellm.token_counter(model=TOKEN_MODEL, text=text or "")


def measure() -> list[Measurement]:
    results = []
    for scene in library_scenes():
        for name, pattern, replacement in FAULTS:
            match = re.search(pattern, scene.code)
            if match is None:
                continue
            broken = scene.code[: match.start()] + re.sub(pattern, replacement, scene.code[match.start() :], count=1)
            line = scene.code[: match.start()].count("\n") + 1
            diagnosis = diagnose(broken)
            if not diagnosis.errors:
                continue  # the fault is not an error in this context; nothing to repair
            edit = minimal_edit(scene.code, broken, line)
            applied = extract_code(edit, previous=broken)
            assert applied.code == scene.code, f"{scene.name}/{name}: the ideal edit does not restore the scene"
            fenced_file = f"```python\n{scene.code.rstrip()}\n```"
            writer_messages = new_code_messages(
                scene.docstring, class_name="Scene", examples=choose_examples(scene.docstring)
            )
            writer_messages[-1]["content"] += (
                f"\n\nYour previous version failed its check.\nDiagnosis:\n{diagnosis.for_model()}\n\n"
                f"Previous code:\n```python\n{broken}\n```\nReply with the complete corrected file."
            )
            results.append(
                Measurement(
                    scene=scene.name,
                    fault=name,
                    line=line,
                    repair_in=count(repair_messages(broken, diagnosis, prefer_edits=True)),
                    repair_out=count(text=edit),
                    rewrite_same_in=count(repair_messages(broken, diagnosis, prefer_edits=False)),
                    rewrite_same_out=count(text=fenced_file),
                    rewrite_writer_in=count(writer_messages),
                    rewrite_writer_out=count(text=fenced_file),
                )
            )
    return results


def summary(results: list[Measurement]) -> dict[str, float]:
    total = lambda attr: sum(getattr(r, attr) for r in results)  # noqa: E731
    return {
        "cases": len(results),
        "repair_tokens": total("repair"),
        "rewrite_same_context_tokens": total("rewrite_same"),
        "rewrite_writer_prompt_tokens": total("rewrite_writer"),
        "ratio_vs_rewrite_writer_prompt": round(total("repair") / total("rewrite_writer"), 3),
        "ratio_vs_rewrite_same_context": round(total("repair") / total("rewrite_same"), 3),
        "output_ratio": round(total("repair_out") / total("rewrite_same_out"), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the measurements as JSON")
    args = parser.parse_args(argv)
    results = measure()
    if not results:
        print("no library scene had a fault to inject", file=sys.stderr)
        return 1
    totals = summary(results)
    if args.json:
        print(json.dumps({"summary": totals, "cases": [asdict(r) for r in results]}, indent=2))
    else:
        print(f"{'scene':<26}{'fault':<18}{'repair':>8}{'rewrite':>9}{'writer':>8}{'ratio':>7}")
        for r in results:
            print(
                f"{r.scene:<26}{r.fault:<18}{r.repair:>8}{r.rewrite_same:>9}{r.rewrite_writer:>8}{r.repair / r.rewrite_writer:>7.2f}"
            )
        print()
        print(f"{totals['cases']} broken scenes. Repair request+reply vs a full rewrite:")
        print(
            f"  vs the writer's prompt + whole file:   {totals['ratio_vs_rewrite_writer_prompt']:.1%}  (target <= {TARGET:.0%})"
        )
        print(f"  vs the same repair context + whole file: {totals['ratio_vs_rewrite_same_context']:.1%}")
        print(f"  reply tokens only (edit vs whole file):  {totals['output_ratio']:.1%}")
    return 0 if totals["ratio_vs_rewrite_writer_prompt"] <= TARGET else 2


if __name__ == "__main__":
    raise SystemExit(main())
