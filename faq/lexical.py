"""A lexical similarity signal: TF-IDF over character n-grams of words.

Embeddings are weak on typos ("refnud"), on very short messages ("refund?") and on
product names; overlapping character trigrams are strong there. This index scores a
message against every bank question by cosine of TF-IDF weighted n-gram vectors, using
an inverted index so a query touches only questions that share an n-gram with it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

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
    """Cosine similarity of TF-IDF character trigram vectors."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.size = len(texts)
        counts = [ngrams(t) for t in texts]
        df: Counter[str] = Counter()
        for c in counts:
            df.update(c.keys())
        self._idf = {g: math.log((1 + self.size) / (1 + n)) + 1.0 for g, n in df.items()}
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for row, c in enumerate(counts):
            vec = {g: (1 + math.log(tf)) * self._idf[g] for g, tf in c.items()}
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            for g, v in vec.items():
                self._postings[g].append((row, v / norm))

    def scores(self, text: str) -> np.ndarray:
        """Cosine of ``text`` against every indexed text, shape ``(size,)``."""
        out = np.zeros(self.size, dtype=np.float32)
        grams = ngrams(text)
        vec = {g: (1 + math.log(tf)) * self._idf[g] for g, tf in grams.items() if g in self._idf}
        if not vec:
            return out
        # Unknown n-grams still count towards the message's length: a message made
        # mostly of words the bank never uses is not a close match.
        unseen_idf = math.log(1 + self.size) + 1.0
        unknown_sq = sum(((1 + math.log(tf)) * unseen_idf) ** 2 for g, tf in grams.items() if g not in self._idf)
        norm = math.sqrt(sum(v * v for v in vec.values()) + unknown_sq) or 1.0
        for g, v in vec.items():
            w = v / norm
            for row, weight in self._postings[g]:
                out[row] += w * weight
        return out
