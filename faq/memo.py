"""What a bank's load derives from its texts, kept on disk: a restart derives nothing again.

The embedding cache (faq/cache.py) spares the encoder; this spares the Python that reads
every bank question at load time: its concepts (faq/concepts.py), the topics not for the
FAQ that it speaks of (faq/smalltalk.py), its character-trigram index (faq/lexical.py) and
the language alignment fitted for the bank's language (faq/alignment.py). With a
1,000-entry bank those took about a second of a server's start.

A memo file holds one kind of fact, ``<dir>/<kind>.json``: the SHA-256 of each text seen
and its facts (a set of strings), under a *version* that names everything the facts were
derived with — the lexicon's or phrase list's fingerprint and the source of the modules
that derive them. Another version starts the file afresh. Writes go to a temporary file
that replaces the old one; an unreadable file is ignored and rebuilt, never fatal.

An array memo, ``<dir>/<kind>-<digest>.npz``, holds the arrays built from one set of
inputs, under the digest of those inputs (:class:`ArrayMemo`): the index of the bank as
served, the alignment fitted for its language, its classifier head. A few of each kind are
kept, the most recently used, so banks that share a cache folder (tuning, evaluation runs,
a bank edited back and forth) do not rebuild each other's, and edits do not pile up files.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from .cache import replace_file

log = logging.getLogger(__name__)

T = TypeVar("T")
_SLACK = 1000  # texts a memo file may hold beyond twice a bank's before it is pruned


@functools.cache
def code_digest(*modules: str) -> str:
    """A digest of the named modules' source files and of the Unicode tables text folding
    reads: a changed rule, or a Python with other tables, invalidates the facts. A module
    whose source cannot be read (a frozen build) gives a digest of this process alone, so
    nothing is taken from the memo."""
    digest = hashlib.sha256(unicodedata.unidata_version.encode())
    for name in modules:
        try:
            digest.update(Path(sys.modules[name].__file__ or "").read_bytes())
        except (KeyError, AttributeError, OSError, TypeError):
            digest.update(f"{name}:unreadable:{os.getpid()}:{time.time_ns()}".encode())
    return digest.hexdigest()[:16]


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class TextMemo:
    """``derive(text)`` for many texts, remembered on disk under ``version``.

    ``directory`` None keeps nothing (every call derives)."""

    def __init__(self, directory: str | Path | None, kind: str, version: str) -> None:
        self._path = Path(directory) / f"{kind}.json" if directory else None
        self._version = version
        self._facts: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        self.derived = 0
        self._load()

    def map(self, texts: Sequence[str], derive: Callable[[str], Iterable[str]]) -> list[frozenset[str]]:
        """Each text's facts, deriving (and storing) only those not remembered."""
        with self._lock:
            keys = [_key(t) for t in texts]
            fresh = 0
            for key, text in zip(keys, texts):
                if key not in self._facts:
                    self._facts[key] = sorted(derive(text))
                    fresh += 1
            if fresh:
                self.derived += fresh
                if len(self._facts) > 2 * len(keys) + _SLACK:
                    # Texts edited away over many reloads: keep those read now.
                    self._facts = {key: self._facts[key] for key in keys}
                self._save()
            return [frozenset(self._facts[key]) for key in keys]

    def _load(self) -> None:
        if self._path is None or not self._path.exists():
            return
        try:
            doc = json.loads(self._path.read_text(encoding="utf-8"))
            if doc.get("version") != self._version:
                return  # derived by another lexicon or another release: start afresh
            facts = doc["facts"]
            if not isinstance(facts, dict) or not all(isinstance(v, list) for v in facts.values()):
                raise ValueError("facts must map keys to lists")
            self._facts = facts
        except (OSError, ValueError, KeyError, AttributeError) as exc:
            log.warning("memo %s unreadable, rebuilding: %s", self._path, exc)

    def _save(self) -> None:
        if self._path is None:
            return
        doc = json.dumps({"version": self._version, "facts": self._facts}, ensure_ascii=False, separators=(",", ":"))
        replace_file(self._path, lambda f: f.write(doc.encode("utf-8")), "memo")


def digest_of(*parts: str | Iterable[str]) -> str:
    """A digest of strings and sequences of strings (each item kept apart from the next)."""
    digest = hashlib.sha256()
    for part in parts:
        for item in ([part] if isinstance(part, str) else part):
            digest.update(item.encode("utf-8"))
            digest.update(b"\0")
        digest.update(b"\1")
    return digest.hexdigest()[:32]


class ArrayMemo:
    """Arrays built from some inputs, kept at ``<dir>/<kind>-<key>.npz``.

    The ``keep`` most recently used files of a kind stay (a hit refreshes its file's time);
    saving another one removes the older ones. ``directory`` None keeps nothing. The
    evaluation run shares one folder among its 19 banks, hence the default."""

    _KEY = "memo_key"

    def __init__(self, directory: str | Path | None, kind: str, keep: int = 32) -> None:
        self._directory = Path(directory) if directory else None
        self._kind = kind
        self._keep = keep
        self.built = 0

    def path(self, key: str) -> Path | None:
        """Where the arrays of ``key`` are kept (None: nowhere)."""
        return self._directory / f"{self._kind}-{hashlib.sha256(key.encode()).hexdigest()[:32]}.npz" if self._directory else None

    def get(self, key: str, build: Callable[[], dict[str, np.ndarray]], read: Callable[[dict[str, np.ndarray]], T]) -> T:
        """``read`` of the arrays stored under ``key``, or of ``build()``'s (then stored).

        Stored arrays that ``read`` refuses (a file damaged yet loadable) are built again."""
        path = self.path(key)
        stored = self._load(path, key) if path else None
        if stored is not None:
            try:
                value = read(stored)
            except Exception as exc:  # noqa: BLE001 - whatever a damaged file makes read() raise
                log.warning("memo %s does not read back, rebuilding: %s", path, exc)
            else:
                self._touch(path)
                return value
        arrays = build()
        self.built += 1
        if path is not None:
            replace_file(path, lambda f: np.savez(f, **{self._KEY: np.array(key)}, **arrays), "memo")
            self._prune(path)
        return read(arrays)

    def _load(self, path: Path, key: str) -> dict[str, np.ndarray] | None:
        try:
            with np.load(path, allow_pickle=False) as data:
                if self._KEY not in data.files or str(data[self._KEY]) != key:
                    return None  # an older release's file, or a digest prefix shared with other inputs
                return {name: data[name] for name in data.files if name != self._KEY}
        except FileNotFoundError:
            return None  # never built, or pruned meanwhile by another process
        except Exception as exc:  # a corrupt memo is rebuilt, never fatal
            log.warning("memo %s unreadable, rebuilding: %s", path, exc)
            return None

    @staticmethod
    def _touch(path: Path) -> None:
        try:
            os.utime(path)
        except OSError:
            pass  # read-only cache folder: pruning order is all that is lost

    def _prune(self, written: Path) -> None:
        """Keep the ``keep`` most recently used files of this kind, ``written`` among them;
        remove the file a release before this scheme kept (``<kind>.npz``)."""
        assert self._directory is not None
        def used(path: Path) -> int:
            try:
                return path.stat().st_mtime_ns
            except OSError:
                return 0  # removed meanwhile by another process
        own = re.compile(re.escape(self._kind) + r"-[0-9a-f]+\.npz")  # not another kind named like this one
        files = sorted((p for p in self._directory.glob(f"{self._kind}-*.npz") if own.fullmatch(p.name) and p != written),
                       key=used, reverse=True)
        for stale in [self._directory / f"{self._kind}.npz", *files[self._keep - 1:]]:
            try:
                stale.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("cannot remove memo %s: %s", stale, exc)
