"""The matcher: what does this message ask, and how sure are we?

Every served entry's example questions (all languages) and the small-talk examples are
encoded once (cached on disk). For a message the matcher combines three signals per
label — an entry, or a small-talk intent such as ``@handoff``:

* the best cosine between the message and the label's examples (multilingual, so a
  Persian message meets an English question),
* the probability the classifier head gives the label (when entries have examples
  enough to train one),
* the best character-trigram similarity (typos, very short messages; entries only).

The combined score of the best entry and its lead over the runner-up go through the
calibration into a confidence, and the thresholds turn that into a :class:`Reading`:
answer, clarify, handoff, or a small-talk intent. ``read`` is synchronous CPU work;
``aread`` runs it in a worker thread so the event loop never waits on the model.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np

from .bank import Bank, Entry
from .cache import CachedEncoder
from .encoders import Encoder
from .head import SoftmaxHead, train_cached
from .language import detect_language
from .lexical import LexicalIndex
from .settings import MatcherSettings, Thresholds
from .smalltalk import Intent, SmallTalk


class Verdict(StrEnum):
    ANSWER = "answer"
    CLARIFY = "clarify"
    HANDOFF = "handoff"
    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"


class Reason(StrEnum):
    CONFIDENT = "confident"  # answer
    AMBIGUOUS = "ambiguous"  # clarify: entries too close to call
    REQUESTED = "requested"  # handoff: the customer asked for a person
    NOT_COVERED = "not_covered"  # handoff: nothing approved fits well enough
    SMALLTALK = "smalltalk"  # greeting / thanks / goodbye
    EMPTY = "empty"  # nothing to read (emoji, punctuation)


@dataclass(frozen=True, slots=True)
class Candidate:
    entry_id: str
    department: str
    confidence: float
    score: float


@dataclass(frozen=True, slots=True)
class Reading:
    """What the matcher read in one message. Pure data: the policy acts on it."""

    verdict: Verdict
    reason: Reason
    language: str | None
    candidates: tuple[Candidate, ...]  # best entries first (at most clarify_choices + 1)
    intent_score: float = 0.0  # score of the small-talk intent when that was the verdict
    greeted: bool = False  # the message opened with a greeting before its question
    matched_text: str = ""

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def entry_id(self) -> str | None:
        return self.best.entry_id if self.verdict is Verdict.ANSWER and self.best else None

    @property
    def confidence(self) -> float:
        if self.verdict in (Verdict.ANSWER, Verdict.CLARIFY, Verdict.HANDOFF) and self.reason is not Reason.REQUESTED:
            return self.best.confidence if self.best else 0.0
        return self.intent_score

    def department_hint(self, route_threshold: float) -> str | None:
        """The department of the closest entry, when it is close enough to route by."""
        if self.best and self.best.confidence >= route_threshold:
            return self.best.department
        return None


@dataclass(frozen=True, slots=True)
class Scores:
    """Per-label signals for one message (labels = entries, then intents)."""

    combined: np.ndarray
    cosine: np.ndarray
    head: np.ndarray | None
    lexical: np.ndarray


def judge(
    candidates: tuple[Candidate, ...], t: Thresholds, choices: int
) -> tuple[Verdict, Reason, tuple[Candidate, ...]]:
    """Answer, clarify or hand off, from the best entries' confidences and scores."""
    if not candidates:
        return Verdict.HANDOFF, Reason.NOT_COVERED, ()
    best = candidates[0]
    close = [best, *(c for c in candidates[1:] if best.score - c.score < t.margin)]
    if best.confidence >= t.answer and len(close) == 1:
        return Verdict.ANSWER, Reason.CONFIDENT, candidates
    if best.confidence >= t.clarify and len(close) > 1:
        return Verdict.CLARIFY, Reason.AMBIGUOUS, tuple(close[:choices])
    return Verdict.HANDOFF, Reason.NOT_COVERED, candidates


class Matcher:
    """Built once per bank version; immutable and thread-safe afterwards."""

    def __init__(
        self,
        bank: Bank,
        encoder: Encoder,
        settings: MatcherSettings | None = None,
        smalltalk: SmallTalk | None = None,
        cache_dir: str | Path | None = None,
    ) -> None:
        self.bank = bank
        self.settings = settings or MatcherSettings()
        self.smalltalk = smalltalk or SmallTalk.load()
        self.encoder = encoder
        self.entries: tuple[Entry, ...] = bank.served()
        intents = [i for i in Intent if self.smalltalk.examples.get(i)]
        self.labels: list[str] = [e.id for e in self.entries] + [i.label for i in intents]
        self.intents: dict[str, Intent] = {i.label: i for i in intents}
        self._entry_count = len(self.entries)

        texts: list[str] = []
        rows: list[int] = []
        for index, entry in enumerate(self.entries):
            for _, question in entry.all_questions():
                texts.append(question)
                rows.append(index)
        self._lexical = LexicalIndex(texts)
        self._lexical_rows = np.array(rows, dtype=np.int64)
        for offset, intent in enumerate(intents):
            for _, example in self.smalltalk.examples[intent]:
                texts.append(example)
                rows.append(self._entry_count + offset)
        self._rows = np.array(rows, dtype=np.int64)
        self._texts = texts
        if isinstance(encoder, CachedEncoder):
            self._vectors = encoder.encode_cached(texts)
        else:
            self._vectors = encoder.encode(texts)
        self._head = self._train_head(cache_dir)

    # -- construction --------------------------------------------------------------------
    def _train_head(self, cache_dir: str | Path | None) -> SoftmaxHead | None:
        mode = self.settings.head
        if mode == "off" or len(self.labels) < 2:
            return None
        if mode == "auto":
            per_entry = np.bincount(self._lexical_rows, minlength=self._entry_count) if self._entry_count else np.zeros(0)
            if not len(per_entry) or per_entry.mean() < self.settings.head_min_examples:
                return None
        return train_cached(
            self.encoder.name, self._vectors, self._rows, len(self.labels), self.settings.head_training, cache_dir
        )

    @property
    def has_head(self) -> bool:
        return self._head is not None

    # -- scoring -------------------------------------------------------------------------
    def encode(self, texts: list[str]) -> np.ndarray:
        return self.encoder.encode(texts)

    def scores(self, vector: np.ndarray, text: str) -> Scores:
        n = len(self.labels)
        sims = self._vectors @ vector
        cosine = np.full(n, -1.0, dtype=np.float32)
        np.maximum.at(cosine, self._rows, sims)
        lexical = np.zeros(n, dtype=np.float32)
        if self._entry_count:
            lex_rows = self._lexical.scores(text)
            np.maximum.at(lexical, self._lexical_rows, lex_rows)
        s = self.settings
        head = self._head.probabilities(vector) if self._head is not None else None
        if head is not None:
            combined = s.head_weight * head + (1 - s.head_weight) * cosine
        else:
            combined = cosine.copy()
        combined = combined + s.lexical_weight * lexical
        return Scores(combined=combined, cosine=cosine, head=head, lexical=lexical)

    def confidence(self, score: float, margin: float) -> float:
        cal = self.settings.calibration
        if cal.identity:
            return float(score)
        z = cal.a * score + cal.b * margin + cal.c
        return float(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))))

    # -- reading -------------------------------------------------------------------------
    def read(self, text: str, name: str | None = None) -> Reading:
        """Read one message (synchronous; see :meth:`aread`)."""
        language = detect_language(text)
        marker = self.smalltalk.whole_message(text, name)
        if marker is not None:
            return self._intent_reading(marker, 1.0, language, text)
        rest = self.smalltalk.strip_greeting(text, name)
        query = rest if rest is not None else text
        if not query.strip() or not any(ch.isalnum() for ch in query):
            return Reading(Verdict.HANDOFF, Reason.EMPTY, language, (), matched_text=query)
        vector = self.encode([query])[0]
        return self.read_scores(self.scores(vector, query), language, query, greeted=rest is not None)

    async def aread(self, text: str, name: str | None = None) -> Reading:
        return await asyncio.to_thread(self.read, text, name)

    def read_scores(self, scores: Scores, language: str | None, text: str, greeted: bool = False) -> Reading:
        t = self.settings.thresholds
        combined = scores.combined
        candidates = self._candidates(combined)
        best_label = int(np.argmax(combined))
        if best_label >= self._entry_count:
            intent = self.intents[self.labels[best_label]]
            score = float(combined[best_label])
            if score >= t.intent and not (greeted and intent is Intent.GREETING):
                return self._intent_reading(intent, score, language, text, candidates)
        verdict, reason, chosen = judge(candidates, t, self.settings.clarify_choices)
        return Reading(verdict, reason, language, chosen, matched_text=text, greeted=greeted)

    def candidates(self, combined: np.ndarray) -> tuple[Candidate, ...]:
        """The best entries by combined score, with calibrated confidences."""
        return self._candidates(combined)

    def _candidates(self, combined: np.ndarray) -> tuple[Candidate, ...]:
        if not self._entry_count:
            return ()
        entry_scores = combined[: self._entry_count]
        k = min(self.settings.clarify_choices + 1, self._entry_count)
        top = np.argpartition(-entry_scores, k - 1)[:k]
        top = top[np.argsort(-entry_scores[top])]
        second = float(entry_scores[top[1]]) if k > 1 else 0.0
        result = []
        for rank, index in enumerate(top):
            score = float(entry_scores[index])
            margin = score - second if rank == 0 else score - float(entry_scores[top[0]])
            entry = self.entries[int(index)]
            result.append(Candidate(entry.id, entry.department, self.confidence(score, margin), score))
        return tuple(result)

    def _intent_reading(
        self, intent: Intent, score: float, language: str | None, text: str, candidates: tuple[Candidate, ...] = ()
    ) -> Reading:
        verdict = {
            Intent.HANDOFF: Verdict.HANDOFF,
            Intent.GREETING: Verdict.GREETING,
            Intent.THANKS: Verdict.THANKS,
            Intent.GOODBYE: Verdict.GOODBYE,
        }[intent]
        reason = Reason.REQUESTED if intent is Intent.HANDOFF else Reason.SMALLTALK
        return Reading(verdict, reason, language, candidates, intent_score=score, matched_text=text)
