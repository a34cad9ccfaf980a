"""Slips of the fingers: how far a typed word is from the word meant, and the words one slip away.

A slip is a letter left out, doubled or put in, two letters swapped, or a neighbouring key
(faq/keyboards.py): what :func:`typing_cost` counts half an edit, and what the speller
(faq/spelling.py) looks for around a word it does not know.
"""

from __future__ import annotations

from collections.abc import Mapping

from .keyboards import neighbours


def distance(a: str, b: str, limit: int | None = None) -> int:
    """Edits between two words (insert, delete, substitute, swap two neighbours); with
    ``limit``, any distance over it is reported as ``limit + 1``, and only the cells within
    ``limit`` of the diagonal are worked out (a few per row instead of the whole row)."""
    band = max(len(a), len(b)) if limit is None else limit
    if abs(len(a) - len(b)) > band:
        return band + 1
    over = band + 1
    previous2: list[int] = []
    previous = [j if j <= band else over for j in range(len(b) + 1)]
    for i in range(1, len(a) + 1):
        current = [over] * (len(b) + 1)
        current[0] = i if i <= band else over
        for j in range(max(1, i - band), min(len(b), i + band) + 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cost = min(cost, previous2[j - 2] + 1)
            current[j] = min(cost, over)
        if min(current) >= over and (i < 2 or min(previous) >= over):
            return over  # every later row is at least this row's minimum (or the last one's, after a swap)
        previous2, previous = previous, current
    return previous[-1]


def typing_cost(typed: str, meant: str, keys: Mapping[str, frozenset[str]] | None = None) -> float:
    """Edits from ``meant`` to ``typed``, the slips fingers make counted half: a letter left
    out, a neighbouring key (``keys``: each letter's neighbours, the English keyboard's by
    default), a letter doubled, two letters swapped ("credt" is "credit", not "crest"; "wamt" is
    "want", not "wait")."""
    keys = neighbours("en") if keys is None else keys
    previous2: list[float] = []
    previous = [j * 1.0 for j in range(len(typed) + 1)]
    for i in range(1, len(meant) + 1):
        current = [i * 1.0] + [0.0] * len(typed)
        m = meant[i - 1]
        for j in range(1, len(typed) + 1):
            t = typed[j - 1]
            substitute = 0.0 if m == t else 0.5 if t in keys.get(m, ()) else 1.0
            doubled = 0.5 if j > 1 and typed[j - 2] == t else 1.0  # "paswword" for "password"
            cost = min(previous[j] + 0.5, current[j - 1] + doubled, previous[j - 1] + substitute)
            if i > 1 and j > 1 and m == typed[j - 2] and meant[i - 2] == t:
                cost = min(cost, previous2[j - 2] + 0.5)
            current[j] = cost
        previous2, previous = previous, current
    return previous[-1]


def swaps(word: str) -> set[str]:
    return {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)}


def insertions(word: str, letters: str) -> set[str]:
    """``word`` with one letter put back anywhere."""
    return {word[:i] + c + word[i:] for i in range(len(word) + 1) for c in letters}


def neighbouring_keys(word: str, keys: Mapping[str, frozenset[str]]) -> set[str]:
    """``word`` with one letter but the first typed with a neighbouring key."""
    return {word[:i] + key + word[i + 1:] for i in range(1, len(word)) for key in keys.get(word[i], ())}


def one_letter_changed(word: str, other: str) -> bool:
    return len(word) == len(other) and sum(a != b for a, b in zip(word, other)) == 1


def edits(word: str, letters: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return ({a + b[1:] for a, b in splits if b}
            | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + c + b[1:] for a, b in splits if b for c in letters}
            | {a + c + b for a, b in splits for c in letters})
