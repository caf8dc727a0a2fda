"""The `--cache` store: model replies on disk, replayed for free when the same request comes again.

Why not litellm's own cache: litellm removed its disk backend (`Cache(type="disk")` raises
`Unsupported cache type 'disk'` from 1.110 on), and a cache hit routed through `litellm.completion`
imports its proxy server, which a library install does not have. So this is `diskcache` used
directly: a SQLite-backed store that is safe across processes (eval workers share it).

- The key is a SHA-256 of every request field that changes the answer: the model, the messages,
  temperature, max tokens, stop sequences, tools, response format, the API base. Transport fields
  (timeout, retries, streaming) are not part of it. A new request field is part of the key unless
  it is listed in `TRANSPORT_FIELDS`, so a field added later cannot make two different requests
  share an answer.
- Values are JSON text, never pickles: a cache file that someone else wrote cannot run code here.
- A damaged cache (an unreadable database, an entry that is not the JSON this module wrote) is a
  warning and a miss, never a crash: the caller makes a fresh call and the entry is overwritten.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from manim_agent.errors import MissingDependencyError

FORMAT_VERSION = 1
# Request fields that change how a reply is fetched, never what it says.
TRANSPORT_FIELDS = frozenset({"timeout", "num_retries", "drop_params", "stream", "stream_options"})

Warn = Callable[[str], None]


@dataclass
class CachedReply:
    """What a replay needs: the text, the reasoning, why the model stopped, and the tokens it used."""

    content: str
    reasoning: str = ""
    finish_reason: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0


def request_key(request: dict[str, Any]) -> str:
    """The cache key of a litellm request: a hash of every field that can change the reply."""
    relevant = {k: v for k, v in request.items() if k not in TRANSPORT_FIELDS and v is not None}
    canonical = json.dumps(relevant, sort_keys=True, default=repr, ensure_ascii=False)
    return hashlib.sha256(f"v{FORMAT_VERSION}:{canonical}".encode()).hexdigest()


class ReplyCache:
    """A directory of cached replies (`$MANIM_AGENT_HOME/cache/replies` by default)."""

    def __init__(self, directory: Path, *, warn: Warn | None = None) -> None:
        try:
            import diskcache  # only --cache needs it
        except ImportError as exc:
            raise MissingDependencyError("--cache needs the diskcache package: pip install diskcache") from exc
        self.directory = directory
        self._diskcache = diskcache
        self._warn = warn
        self._store: Any = None
        self._broken = False

    def _open(self, warn: Warn | None) -> Any:
        if self._store is None and not self._broken:
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                self._store = self._diskcache.Cache(str(self.directory), disk=_text_only_disk(self._diskcache))
            except (sqlite3.Error, OSError) as exc:
                self._broken = True
                self._say(warn, f"the reply cache in {self.directory} cannot be opened ({exc}); calling the model instead")
        return self._store

    def _say(self, warn: Warn | None, message: str) -> None:
        sink = warn or self._warn
        if sink:
            sink(message)

    def get(self, key: str, *, warn: Warn | None = None) -> CachedReply | None:
        """The reply stored under `key`, or None on a miss or a damaged entry (with a warning)."""
        store = self._open(warn)
        if store is None:
            return None
        try:
            raw = store.get(key)
        except (sqlite3.Error, OSError, ValueError, EOFError) as exc:
            self._say(warn, f"a cached reply could not be read ({type(exc).__name__}: {exc}); calling the model instead")
            return None
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            if data.pop("version", None) != FORMAT_VERSION:
                raise ValueError("unknown format version")
            return CachedReply(**data)
        except (TypeError, ValueError) as exc:
            self._say(warn, f"a cached reply in {self.directory} is damaged ({exc}); calling the model instead")
            return None

    def put(self, key: str, reply: CachedReply, *, warn: Warn | None = None) -> None:
        """Store `reply` under `key`; a failure to store is a warning, never an error."""
        store = self._open(warn)
        if store is None:
            return
        try:
            store.set(key, json.dumps({"version": FORMAT_VERSION, **asdict(reply)}))
        except (sqlite3.Error, OSError) as exc:
            self._say(warn, f"a reply could not be cached ({exc})")

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def _text_only_disk(diskcache: Any) -> type:
    """diskcache's Disk, minus unpickling: a pickled entry (which this module never writes) is refused."""

    class TextOnlyDisk(diskcache.Disk):
        def fetch(self, mode: int, filename: str, value: Any, read: bool) -> Any:
            if mode == diskcache.core.MODE_PICKLE:
                raise ValueError("a pickled entry, which this cache never writes")
            return super().fetch(mode, filename, value, read)

    return TextOnlyDisk


_OPEN: ReplyCache | None = None


def enable_reply_cache(directory: Path) -> ReplyCache:
    """Open the reply cache in `directory` for every client created with `cache=True`."""
    global _OPEN
    if _OPEN is not None and _OPEN.directory != directory:
        _OPEN.close()
        _OPEN = None
    if _OPEN is None:
        _OPEN = ReplyCache(directory)
    return _OPEN


def reply_cache() -> ReplyCache:
    """The open reply cache (opened in `$MANIM_AGENT_HOME/cache/replies` on first use)."""
    if _OPEN is None:
        from manim_agent import settings

        return enable_reply_cache(settings.subdir("cache") / "replies")
    return _OPEN
