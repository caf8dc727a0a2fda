"""The run record: run.json as typed attributes instead of string keys.

`RunRecord` keeps run.json's content exactly (the same keys, in the order they were first set, and
only the keys a run has set): each attribute reads and writes one key, and reading a key the run has
not set gives None. `RunDir.save_state` is its one writer; `to_json()` is what it writes.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class _Key(Generic[T]):
    """One run.json key, read and written as an attribute of RunRecord."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = name

    @overload
    def __get__(self, record: None, owner: type) -> _Key[T]: ...
    @overload
    def __get__(self, record: RunRecord, owner: type) -> T | None: ...
    def __get__(self, record: RunRecord | None, owner: type) -> Any:
        return self if record is None else record.data.get(self.key)

    def __set__(self, record: RunRecord, value: T | None) -> None:
        record.data[self.key] = value

    def __delete__(self, record: RunRecord) -> None:
        record.data.pop(self.key, None)


class RunRecord:
    """run.json of one run (a single scene, a video in sections, or one of its sections)."""

    # written by every run
    version: _Key[int] = _Key()
    run_dir: _Key[str] = _Key()
    created: _Key[str] = _Key()
    updated: _Key[str] = _Key()
    finished: _Key[str] = _Key()
    kind: _Key[str] = _Key()  # absent: a single scene; "long_form"; "section"
    status: _Key[str] = _Key()
    ok: _Key[bool] = _Key()
    request: _Key[str] = _Key()
    mode: _Key[str] = _Key()
    models: _Key[dict[str, Any]] = _Key()
    options: _Key[dict[str, Any]] = _Key()
    error: _Key[dict[str, Any]] = _Key()
    usage: _Key[dict[str, Any]] = _Key()
    stages: _Key[dict[str, Any]] = _Key()
    attempts: _Key[list[dict[str, Any]]] = _Key()
    outputs: _Key[dict[str, Any]] = _Key()
    warnings: _Key[list[str]] = _Key()
    # the outcome of a single scene
    final_attempt: _Key[int] = _Key()
    best_attempt: _Key[int] = _Key()
    diagnosis: _Key[dict[str, Any]] = _Key()
    render_diagnosis: _Key[dict[str, Any]] = _Key()
    notes_pdf_error: _Key[str] = _Key()
    handoff: _Key[str] = _Key()
    section: _Key[dict[str, Any]] = _Key()  # a section's own plan
    # a video in sections
    long_form: _Key[dict[str, Any]] = _Key()
    budget: _Key[dict[str, Any]] = _Key()
    estimates: _Key[list[dict[str, Any]]] = _Key()
    usage_expand: _Key[dict[str, Any]] = _Key()
    plan: _Key[list[dict[str, Any]]] = _Key()
    sections: _Key[list[dict[str, Any]]] = _Key()
    stitch: _Key[dict[str, Any]] = _Key()
    cues: _Key[list[dict[str, Any]]] = _Key()

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self.data: dict[str, Any] = data if data is not None else {}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunRecord:
        return cls(data)

    def to_json(self) -> dict[str, Any]:
        return self.data

    def has(self, key: str) -> bool:
        return key in self.data

    # the collections a run appends to: created empty the first time they are used
    def outputs_map(self) -> dict[str, Any]:
        return self.data.setdefault("outputs", {})

    def attempts_list(self) -> list[dict[str, Any]]:
        return self.data.setdefault("attempts", [])

    def stages_map(self) -> dict[str, Any]:
        return self.data.setdefault("stages", {})

    def warnings_list(self) -> list[str]:
        return self.data.setdefault("warnings", [])

    def start(self, **fields: Any) -> None:
        """A run (new or resumed) begins: set `created` once, then the given fields, in that order."""
        self.data.setdefault("created", fields.pop("created"))
        for key, value in fields.items():
            if not hasattr(type(self), key):
                raise AttributeError(f"run.json has no field {key!r}")
            setattr(self, key, value)
