"""Choosing the decision thresholds from evidence instead of by hand.

Evidence is a list of :class:`Observation`: a message, what it should get (an entry id
or ``handoff``), and the matcher's best candidates with their raw scores. It comes from
validation cases, or from the bank itself (:func:`bank_folds`): in each fold some
questions are held out of their entries (they should be answered with that entry) and
some entries are held out whole (their questions stand in for the questions a bank
does not cover, which should be handed off).

:func:`tune` then fits the calibration (Platt scaling of the best entry's score, lead and
evidence to the chance it is right) and searches the thresholds that serve the most messages
correctly while keeping wrong answers under a budget.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from .bank import Bank, Entry
from .matcher import Candidate, answers_near_ties, leads
from .settings import FITTED, WEIGHTS, Calibration, Thresholds, inputs

HANDOFF = "handoff"
MARGINS = (0.0, 0.01, 0.02, 0.03, 0.05, 0.08)  # leads over the runner-up that tuning tries
# Confidences from which a near-tie is answered (Thresholds.sure), most cautious first: a tie in
# the search keeps near-ties offered as choices. 1.0 answers none.
SURE = (1.0, 0.95, 0.9, 0.85, 0.8)


@dataclass(frozen=True, slots=True)
class Observation:
    expect: str
    candidates: tuple[Candidate, ...]  # raw scores; confidence is recomputed here
    foreign: bool = False  # the message's language has no question in the bank
    entries: int | None = None  # served entries in the bank it was scored against (Calibration.small_bank_offset)
    phrasings: float | None = None  # that bank's example questions per entry (None: enough to answer near-ties)


@dataclass(frozen=True, slots=True)
class TuneResult:
    thresholds: Thresholds
    calibration: Calibration
    accuracy: float
    wrong_answer_rate: float
    answered: float
    clarified: float
    observations: int


def bank_folds(bank: Bank, folds: int = 5, entry_share: float = 0.15, seed: int = 7) -> Iterator[tuple[Bank, list[tuple[str, str]]]]:
    """Yield (training bank, [(question, expect)]) for each fold."""
    rng = random.Random(seed)
    entries = list(bank.served())
    order = entries[:]
    rng.shuffle(order)
    for fold in range(folds):
        held_entries = {e.id for i, e in enumerate(order) if i % max(1, round(1 / entry_share)) == fold % max(1, round(1 / entry_share))}
        kept: list[Entry] = []
        cases: list[tuple[str, str]] = []
        for entry in entries:
            if entry.id in held_entries:
                cases.extend((q, HANDOFF) for _, q in entry.all_questions())
                continue
            questions: dict[str, tuple[str, ...]] = {}
            for lang, texts in entry.questions.items():
                keep = []
                for i, q in enumerate(texts):
                    # hold out every `folds`-th question, but never an entry's last one in a language
                    if (i + fold) % folds == 0 and len(texts) > 1:
                        cases.append((q, entry.id))
                    else:
                        keep.append(q)
                questions[lang] = tuple(keep)
            kept.append(replace(entry, questions=questions))
        yield replace(bank, entries=tuple(kept)), cases


# The sign each weight may take: a higher score, a wider lead, an endorsing answer, keywords the
# entry speaks of and a clearer answer lead may not lower confidence; keywords no entry speaks of
# may not raise it (+1: ≥ 0, -1: ≤ 0, 0: either).
_SIGNS = {"a": 1, "b": 1, "d": 0, "e": 1, "f": 0, "g": 0, "h": -1, "i": 1, "j": 1}
_CONSTANT = 1e-6  # a feature whose spread is below this does not vary (answer leads vary by hundredths)


def fit_calibration(observations: list[Observation], steps: int = 3000, keep: Calibration | None = None) -> Calibration:
    """Platt scaling: logistic regression of "the best entry is right" on its score, its
    lead over the runner-up, whether the message is cross-lingual, whether the entry's
    answer endorses it, and the rest of its evidence (see :class:`~faq.settings.Calibration`).

    Weights are fitted on standardised features with a little L2, so correlated
    features (score and margin) stay stable on small sets, and each is kept to its sign
    (``_SIGNS``) at every step. ``keep`` carries the small-bank terms (``small_bank``,
    ``small_bank_penalty``; the defaults when None), which are not fitted: each
    observation's offset is fixed, and the result carries them on. It also carries the
    weight of any feature that does not vary in ``observations`` (``foreign`` when every
    message is in a language of the bank's questions).
    """
    keep = Calibration() if keep is None else keep
    used = [o for o in observations if o.candidates]
    rows = [inputs(o.candidates[0].score, _margin(o.candidates), o.foreign, o.candidates[0].endorsed,
                   o.candidates[0].evidence) for o in used]
    right = [o.candidates[0].entry_id == o.expect for o in used]
    if len(rows) < 10 or len(set(right)) < 2:
        # Too little to fit on: the default (fitted on the eval sets) is nearer the truth than
        # the raw score, a weighted sum of signals that is no probability (it often exceeds 1).
        default = Calibration.default()
        return replace(keep, **{term: getattr(default, term) for term in FITTED})
    x = np.array(rows, dtype=np.float64)
    y = np.array(right, dtype=np.float64)
    features = x.shape[1]
    mean, std = x.mean(axis=0), x.std(axis=0)
    # A feature that never varies here says nothing about its weight (no message in another
    # language, no evidence at all): the weight stays as ``keep`` has it, and the intercept is
    # fitted around its constant contribution.
    fixed = std < _CONSTANT
    kept = np.array([getattr(keep, term) for term in WEIGHTS])
    offset = x[:, fixed] @ kept[fixed] - np.array([keep.small_bank_offset(o.entries) for o in used])
    std[fixed] = np.inf
    z = np.hstack([(x - mean) / std, np.ones((len(x), 1))])
    signs = np.array([_SIGNS[term] for term in WEIGHTS] + [0])
    w = np.zeros(features + 1)
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w + offset)))
        grad = z.T @ (p - y) / len(y) + 1e-2 * np.r_[w[:features], 0.0]
        w -= 0.5 * grad
        w = np.where(signs > 0, np.maximum(w, 0.0), np.where(signs < 0, np.minimum(w, 0.0), w))
    learnt = w[:features] / std  # 0 for the fixed features
    fitted = {term: float(weight) for term, weight in zip(WEIGHTS, np.where(fixed, kept, learnt), strict=True)}
    fitted["c"] = float(w[features] - learnt @ mean)
    return replace(keep, **fitted)


def tune(observations: list[Observation], base: Thresholds, max_wrong: float = 0.03, choices: int = 3,
         margins: tuple[float, ...] = MARGINS, clarify_credit: float = 0.0, keep: Calibration | None = None) -> TuneResult:
    """Search answer/margin/clarify/sure thresholds on calibrated confidences.

    Vectorised over the observations: every threshold combination is scored with a few
    numpy operations, so thousands of combinations over thousands of messages take
    seconds. ``clarify_credit`` is what a clarification offering the right entry is
    worth against a direct answer (0 = as ``helpline eval`` counts it: a miss). ``judge`` in the matcher is the live rule this mirrors; the tests check
    that both agree. ``keep``: the calibration whose small-bank terms are kept (see
    :func:`fit_calibration`).
    """
    calibration = fit_calibration(observations, keep=keep)
    table = _Table.build([replace(o, candidates=_recalibrate(o.candidates, calibration, o.foreign, o.entries))
                          for o in observations], choices)
    best: tuple[tuple, TuneResult] | None = None
    answers = np.round(np.arange(0.30, 0.96, 0.025), 3)
    clarifies = np.round(np.arange(0.20, 0.81, 0.05), 3)
    for margin in margins:
        n_close = table.n_close(margin)
        for sure, answer, clarify in itertools.product(SURE, answers, clarifies):
            if clarify > answer:
                continue
            t = replace(base, answer=float(answer), margin=float(margin), clarify=float(clarify), sure=sure)
            result = table.score(t, n_close, calibration, clarify_credit)
            # Prefer: within the wrong-answer budget; then most served correctly; then fewer wrong.
            key = (result.wrong_answer_rate <= max_wrong, result.accuracy - result.wrong_answer_rate, -result.wrong_answer_rate)
            if best is None or key > best[0]:
                best = (key, result)
    assert best is not None
    return best[1]


@dataclass(frozen=True)
class _Table:
    """Observations as arrays: best confidence, scores, where the expected entry ranks."""

    confidence: np.ndarray  # (n,) calibrated confidence of the best entry
    scores: np.ndarray  # (n, k) raw scores of the candidates, -inf padded
    rank: np.ndarray  # (n,) rank of the expected entry among candidates, k if absent
    handoff: np.ndarray  # (n,) the expected outcome is a handoff
    terse: np.ndarray  # (n,) scored against a bank with too few phrasings for near-ties to be answered
    choices: int

    @classmethod
    def build(cls, observations: list[Observation], choices: int) -> _Table:
        k = max((len(o.candidates) for o in observations), default=1) or 1
        n = len(observations)
        scores = np.full((n, k), -np.inf)
        confidence = np.zeros(n)
        rank = np.full(n, k)
        for i, o in enumerate(observations):
            for j, c in enumerate(o.candidates):
                scores[i, j] = c.score
                if c.entry_id == o.expect:
                    rank[i] = j
            confidence[i] = o.candidates[0].confidence if o.candidates else -np.inf
        handoff = np.array([o.expect == HANDOFF for o in observations], dtype=bool)
        terse = np.array([o.phrasings is not None and not answers_near_ties(o.phrasings) for o in observations], dtype=bool)
        return cls(confidence, scores, rank, handoff, terse, choices)

    def n_close(self, margin: float) -> np.ndarray:
        return 1 + ((self.scores[:, :1] - self.scores[:, 1:]) < margin).sum(axis=1)

    def score(self, t: Thresholds, n_close: np.ndarray, calibration: Calibration, clarify_credit: float) -> TuneResult:
        answer = (self.confidence >= t.answer) & ((n_close == 1) | ((self.confidence >= t.sure) & ~self.terse))
        clarify = ~answer & (self.confidence >= t.clarify) & (n_close > 1)
        handoff = ~answer & ~clarify
        right = answer & (self.rank == 0)
        wrong = answer & (self.rank != 0)
        offered = clarify & (self.rank < np.minimum(n_close, self.choices))
        good = right.sum() + clarify_credit * offered.sum() + (handoff & self.handoff).sum()
        n = max(1, len(self.confidence))
        return TuneResult(t, calibration, good / n, wrong.sum() / n, answer.sum() / n, clarify.sum() / n, len(self.confidence))


def _margin(candidates: tuple[Candidate, ...]) -> float:
    return leads([c.score for c in candidates])[0]


def _recalibrate(candidates: tuple[Candidate, ...], calibration: Calibration, foreign: bool,
                 entries: int | None = None) -> tuple[Candidate, ...]:
    margins = leads([c.score for c in candidates])
    return tuple(replace(c, confidence=calibration.confidence(c.score, m, foreign, c.endorsed, entries, c.evidence))
                 for c, m in zip(candidates, margins))
