"""A lexical similarity signal: TF-IDF over character n-grams of words.

Embeddings are weak on typos ("refnud"), on very short messages ("refund?") and on
product names; overlapping character trigrams are strong there. This index scores a
message against every bank question by cosine of TF-IDF weighted n-gram vectors, using
an inverted index so a query touches only questions that share an n-gram with it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from .memo import ArrayMemo, code_digest, digest_of
from .text import fold


def ngrams(text: str, n: int = 3) -> Counter[str]:
    grams: Counter[str] = Counter()
    for word in fold(text).split():
        padded = f" {word} "
        if len(padded) <= n:
            grams[padded] += 1
            continue
        for i in range(len(padded) - n + 1):
            grams[padded[i : i + n]] += 1
    return grams


class LexicalIndex:
    """Cosine similarity of TF-IDF character trigram vectors (a sparse matrix product).

    ``memo``: where the built index is kept between starts (faq/memo.py), by the texts
    and this module's rules."""

    def __init__(self, texts: Sequence[str], memo: ArrayMemo | None = None) -> None:
        self.size = len(texts)
        self._unseen_idf = math.log(1 + self.size) + 1.0
        if memo is None:
            self._vocabulary, self._idf, self._matrix = self._read(_build(texts))
        else:
            key = digest_of(code_digest(__name__, "faq.text"), texts)
            self._vocabulary, self._idf, self._matrix = memo.get(key, lambda: _build(texts), self._read)

    def _read(self, arrays: dict[str, np.ndarray]) -> tuple[dict[str, int], np.ndarray, sparse.csc_matrix]:
        grams = arrays["grams"].tolist()
        idf = arrays["idf"].astype(np.float32)
        matrix = sparse.csc_matrix((arrays["data"], arrays["indices"], arrays["indptr"]),
                                   shape=(self.size, len(grams)), dtype=np.float32)
        if len(idf) != len(grams):
            raise ValueError(f"{len(grams)} n-grams but {len(idf)} weights")
        return {g: i for i, g in enumerate(grams)}, idf, matrix

    def scores(self, text: str) -> np.ndarray:
        """Cosine of ``text`` against every indexed text, shape ``(size,)``."""
        grams = ngrams(text)
        known = [(self._vocabulary[g], (1 + math.log(tf)) * self._idf[self._vocabulary[g]]) for g, tf in grams.items() if g in self._vocabulary]
        if not known or not self.size:
            return np.zeros(self.size, dtype=np.float32)
        # Unknown n-grams still count towards the message's length: a message made
        # mostly of words the bank never uses is not a close match.
        unknown_sq = sum(((1 + math.log(tf)) * self._unseen_idf) ** 2 for g, tf in grams.items() if g not in self._vocabulary)
        cols = np.array([c for c, _ in known])
        values = np.array([v for _, v in known], dtype=np.float32)
        values /= math.sqrt(float((values**2).sum()) + unknown_sq)
        return np.asarray(self._matrix[:, cols] @ values, dtype=np.float32).ravel()


def _build(texts: Sequence[str]) -> dict[str, np.ndarray]:
    """The index's arrays: its n-grams, their idf and the unit-length TF-IDF rows (CSC)."""
    counts = [ngrams(t) for t in texts]
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    vocabulary = {g: i for i, g in enumerate(df)}
    idf = np.array([math.log((1 + len(texts)) / (1 + df[g])) + 1.0 for g in df], dtype=np.float32)
    rows, cols, values = [], [], []
    for row, c in enumerate(counts):
        for g, tf in c.items():
            rows.append(row)
            cols.append(vocabulary[g])
            values.append((1 + math.log(tf)) * idf[vocabulary[g]])
    matrix = sparse.csr_matrix((values, (rows, cols)), shape=(len(texts), len(vocabulary)), dtype=np.float32)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix = sparse.diags(1.0 / norms).dot(matrix).tocsc().astype(np.float32)
    return {"grams": np.array(list(vocabulary), dtype=str), "idf": idf,
            "data": matrix.data, "indices": matrix.indices, "indptr": matrix.indptr}
