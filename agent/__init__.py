"""The agent: plain English in, a rendered animation out.

- `make.py`         make_animation and MakeOptions, the Python API behind `manim-agent make` (MakeResult mirrors run.json)
- `pipeline.py`     pipeline mode: expand -> write -> check (+ rule repairs) -> repair ..., no orchestrating LLM
- `code_agent.py`   agent mode: a smolagents CodeAgent over the same tools, with final_answer_checks
- `make_animation_tool.py` MakeAnimationTool and managed_agent, for other agents to embed
- `session.py`      one run's shared state; `attempts.py` the attempt log, budget and best attempt
- `run_dir.py`, `run_record.py` (run.json, typed), `render_outputs.py`, `notes.py`, `progress.py`  the run directory
- `long_form.py`, `sections.py`, `stitch.py`, `subtitles.py`, `narration.py`, `budget.py`, `long_notes.py`  `--sections`
The model clients live below, in `manim_agent.llm`.
"""
