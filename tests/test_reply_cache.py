"""`--cache`: replies replayed from disk for free, keyed on everything that changes the answer, and a
damaged cache that warns and calls the model instead of crashing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from agent_fixtures import SPEC_REPLY, fenced, stub_check, stub_render

from manim_agent import cli
from manim_agent.agent import make
from manim_agent.llm.client import ChatClient
from manim_agent.llm.config import RoleModel
from manim_agent.llm.reply_cache import CachedReply, ReplyCache, enable_reply_cache, request_key
from manim_agent.llm.scripted import ScriptedModel

QUESTION = [{"role": "user", "content": "same question"}]


def client_for(model: ScriptedModel, warnings: list[str] | None = None, **settings) -> ChatClient:
    role = RoleModel(model=model.model_id, price_as="deepseek/deepseek-chat", **settings)
    sink = warnings.append if warnings is not None else None
    return ChatClient(role, role="writer", cache=True, on_warning=sink)


def test_a_repeated_request_is_replayed_for_free(tmp_path: Path) -> None:
    enable_reply_cache(tmp_path / "cache")
    model = ScriptedModel(["first reply", "second reply"], price_as="deepseek/deepseek-chat")
    client = client_for(model)
    first = client.complete(QUESTION)
    second = client.complete(QUESTION)
    assert first.content == second.content == "first reply"
    assert model.calls == 1
    assert not first.record.cache_hit and first.record.cost_usd > 0
    assert second.record.cache_hit and second.record.cost_usd == 0.0
    assert second.record.input_tokens == first.record.input_tokens
    assert client.ledger.totals()["cache_hits"] == 1


def test_a_changed_prompt_or_setting_misses(tmp_path: Path) -> None:
    enable_reply_cache(tmp_path / "cache")
    model = ScriptedModel(["a", "b", "c", "d"], name="cache-miss")
    client = client_for(model)
    assert client.complete(QUESTION).content == "a"
    assert client.complete([{"role": "user", "content": "another question"}]).content == "b"
    assert client.complete(QUESTION, max_tokens=100).content == "c"
    assert client_for(model, temperature=0.9).complete(QUESTION).content == "d"
    assert model.calls == 4


def test_the_key_covers_answer_fields_and_ignores_transport_fields() -> None:
    base = {"model": "m", "messages": QUESTION, "temperature": 0.2}
    assert request_key(base) == request_key({**base, "timeout": 5, "num_retries": 9, "drop_params": True})
    for changed in ({"model": "n"}, {"temperature": 0.3}, {"max_tokens": 10}, {"stop": ["x"]},
                    {"tools": [{"name": "t"}]}, {"api_base": "http://h"}, {"response_format": {"type": "json"}}):
        assert request_key({**base, **changed}) != request_key(base), changed


def test_a_truncated_reply_is_not_cached(tmp_path: Path) -> None:
    from manim_agent.llm.scripted import ScriptedResponse

    enable_reply_cache(tmp_path / "cache")
    model = ScriptedModel([ScriptedResponse("cut", finish_reason="length"), "whole"], name="cache-trunc")
    client = client_for(model)
    assert client.complete(QUESTION).truncated
    assert client.complete(QUESTION).content == "whole"
    assert model.calls == 2


def test_a_damaged_entry_warns_and_calls_the_model(tmp_path: Path) -> None:
    cache = enable_reply_cache(tmp_path / "cache")
    model = ScriptedModel(["fresh", "fresher"], name="cache-damaged")
    warnings: list[str] = []
    client = client_for(model, warnings)
    client.complete(QUESTION)
    key = next(iter(cache._open(None)))
    cache._open(None).set(key, "{not json")
    again = client.complete(QUESTION)
    assert again.content == "fresher" and not again.record.cache_hit
    assert len(warnings) == 1 and "damaged" in warnings[0]
    # The fresh reply replaced the damaged one.
    assert client.complete(QUESTION).record.cache_hit


def test_a_pickled_entry_is_refused_not_unpickled(tmp_path: Path) -> None:
    cache = ReplyCache(tmp_path / "cache")
    cache._open(None)
    import diskcache

    # An entry written by someone else through diskcache's default (pickling) disk.
    with diskcache.Cache(str(tmp_path / "cache")) as other:
        other.set("k", CachedReply("x"))
    warnings: list[str] = []
    assert cache.get("k", warn=warnings.append) is None
    assert warnings and "pickled" in warnings[0]


def test_a_corrupt_cache_file_warns_and_calls_the_model(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    directory.mkdir()
    (directory / "cache.db").write_bytes(b"this is not a SQLite database" * 100)
    enable_reply_cache(directory)
    model = ScriptedModel(["fresh", "again"], name="cache-corrupt")
    warnings: list[str] = []
    client = client_for(model, warnings)
    assert client.complete(QUESTION).content == "fresh"
    assert client.complete(QUESTION).content == "again"
    assert model.calls == 2
    assert warnings and "cannot be opened" in warnings[0]
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(directory / "cache.db").execute("select * from sqlite_master").fetchall()


def test_make_with_cache_twice_replays_every_call(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(make, "_default_check", lambda timeout: stub_check)
    monkeypatch.setattr(make, "_default_render", stub_render)
    from agent_fixtures import GOOD_SCENE

    def run() -> dict:
        code = cli.main(["make", "draw a circle", "--model", "scripted/cache-e2e", "--mode", "pipeline",
                         "--out", str(tmp_path / "runs"), "--json", "--no-pdf", "--cache"])
        out, err = capsys.readouterr()
        assert code == 0, err
        return json.loads(out)

    first_model = ScriptedModel([SPEC_REPLY, fenced(GOOD_SCENE)], name="cache-e2e", price_as="deepseek/deepseek-chat")
    first = run()
    assert first_model.calls == 2
    assert first["usage"]["total"]["cache_hits"] == 0
    assert not any(c["cache_hit"] for c in first["usage"]["calls"])
    # Same name, empty queue: any call that reached the model would fail the run.
    second_model = ScriptedModel([], name="cache-e2e", price_as="deepseek/deepseek-chat")
    second = run()
    assert second_model.calls == 0
    calls = second["usage"]["calls"]
    assert len(calls) == 2 and all(c["cache_hit"] and c["cost_usd"] == 0.0 for c in calls)
    assert second["usage"]["total"]["cache_hits"] == 2 and second["usage"]["total"]["cost_usd"] == 0.0
    assert Path(second["run_dir"], "scene.py").read_text() == Path(first["run_dir"], "scene.py").read_text()
