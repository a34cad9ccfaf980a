"""``helpline gaps``: what customers asked that the bank does not cover.

Reads the messages the bot handed off because nothing approved fitted (feedback kind
``unanswered``), groups similar ones with the matcher's own encoder (greedy clustering by
cosine, so "do you sell garden chairs?" and "any outdoor furniture?" land together), and
prints the groups largest first with the closest existing entry — the list a support lead
turns into new entries.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TextIO

import numpy as np

from .responder import Responder
from .store import Store


@dataclass(frozen=True, slots=True)
class Gap:
    questions: tuple[str, ...]
    closest_entry: str | None
    closest_confidence: float


def group(texts: list[str], vectors: np.ndarray, threshold: float) -> list[list[int]]:
    """Greedy clustering: each text joins the first group whose seed is similar enough."""
    groups: list[list[int]] = []
    seeds: list[np.ndarray] = []
    for i, vector in enumerate(vectors):
        for g, seed in enumerate(seeds):
            if float(seed @ vector) >= threshold:
                groups[g].append(i)
                break
        else:
            groups.append([i])
            seeds.append(vector)
    return sorted(groups, key=len, reverse=True)


def find_gaps(responder: Responder, texts: list[str], threshold: float = 0.9) -> list[Gap]:
    matcher = responder.brain.matcher
    unique = list(dict.fromkeys(t.strip() for t in texts if t.strip()))
    if not unique:
        return []
    vectors = matcher.encode(unique)
    gaps = []
    for members in group(unique, vectors, threshold):
        reading = matcher.read(unique[members[0]])
        best = reading.best
        gaps.append(Gap(tuple(unique[i] for i in members), best.entry_id if best else None,
                        best.confidence if best else 0.0))
    return gaps


async def collect(database_url: str, days: int) -> list[str]:
    store = await Store.open(database_url)
    try:
        since = datetime.now(timezone.utc) - timedelta(days=days)
        return [m.text for m in await store.messages_with_feedback("unanswered", since=since)]
    finally:
        await store.close()


def run_gaps(responder: Responder, days: int, out: TextIO, limit: int = 30) -> int:
    texts = asyncio.run(collect(responder.config.database_url, days))
    gaps = find_gaps(responder, texts)
    if not gaps:
        print(f"no unanswered questions in the last {days} days", file=out)
        return 0
    print(f"{len(texts)} unanswered questions in the last {days} days, {len(gaps)} topics (largest first):", file=out)
    for gap in gaps[:limit]:
        closest = f"closest entry: {gap.closest_entry} ({gap.closest_confidence:.2f})" if gap.closest_entry else "no close entry"
        print(f"\n{len(gap.questions)} × {gap.questions[0]!r}  [{closest}]", file=out)
        for question in gap.questions[1:4]:
            print(f"    also: {question!r}", file=out)
    return 0
