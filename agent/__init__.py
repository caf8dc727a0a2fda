"""The agent: plain English in, a rendered animation out.

- `make.py`         make_animation, the Python API behind `manim-agent make` (MakeResult mirrors run.json)
- `pipeline.py`     pipeline mode: expand -> write -> check (+ rule repairs) -> repair ..., no orchestrating LLM
- `code_agent.py`   agent mode: a smolagents CodeAgent over the same tools, with final_answer_checks
- `session.py`      one run's shared state; `attempts.py` the attempt log, budget and best attempt
- `models.py`       litellm access per role (streaming reasoning, retries, usage, cost, key checks)
- `config.py`       per-role model settings from flags, environment and .env
- `scripted_model.py` the scripted fake LLM every test uses; `smol_model.py` the smolagents adapter
- `run_dir.py`, `render_outputs.py`, `notes.py`, `progress.py`  the run directory and what goes in it
"""
