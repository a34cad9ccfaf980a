"""Matcher settings: how scores are combined and where the decision thresholds lie.

The thresholds live in config.yml under ``matcher:``; ``helpline tune`` computes them
from the bank's own questions (or from validation cases) and prints the block to paste.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from typing import Any

from .head import HeadSettings


FITTED = ("a", "b", "c", "d", "e", "f", "g", "h", "i", "j")  # the calibration's terms that `helpline tune` fits
WEIGHTS = ("a", "b", "d", "e", "f", "g", "h", "i", "j")  # those that multiply an input (see :func:`inputs`); c is the intercept


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the calibration reads of a candidate entry besides its score and lead."""

    words: int = 0  # the message's length in words
    concept: float = 0.0  # the entry's concept overlap as the score counted it (0 in the bank's own language)
    unknown: float = 0.0  # share of the message's concepts that no entry's questions or answer speak of
    cover: float = 0.0  # share of the message's concepts that this entry's questions or answer speak of
    answer_lead: float = 0.0  # this entry's answer cosine minus the best answer cosine of any other entry


@dataclass(frozen=True, slots=True)
class Calibration:
    """Platt scaling: confidence = sigmoid(a·score + b·margin + c + d·foreign + e·endorsed
    + f·ln(1 + words) + g·concept + h·unknown + i·cover + j·answer_lead − small-bank offset).

    ``foreign`` is 1 when the message is in a language none of the bank's questions
    are written in: cross-lingual scores run lower for the same certainty, and the lead
    over the runner-up (``margin``) says more than the raw score. ``endorsed`` is 1 when
    the entry's own answer is also the answer text closest to the message: a second,
    independent view that agrees (see :class:`faq.matcher.Matcher`). The identity
    calibration (all zero) passes the combined score through unchanged.

    The terms f–j read the candidate's :class:`Evidence`: a longer message is matched more
    surely than a two-word one; a score raised by concept overlap is less sure than one the
    encoder gave (``g`` comes out negative, though it is free to take either sign); a message
    whose keywords no entry speaks of ("gift card" at a shop whose bank never mentions one) is
    usually not covered (``h`` < 0), and one whose keywords the entry's questions and answer
    all speak of usually is (``i``); and an entry whose answer is clearly the nearest answer is
    surer than one whose answer only ties.
    A fit that predates them has them at 0, which is the calibration it was.

    The small-bank offset is for a bank with fewer than ``small_bank`` served entries:
    ``small_bank_penalty · ln(small_bank / entries)`` log-odds. With few entries the best
    one leads the runner-up by more, and the head's probability is shared among fewer of
    them, whether or not the message is about any of them: calibrated on banks of 30–40
    entries, banks cut to 8 entries answered about one in five of the questions they do not
    cover (docs/benchmarks.md, "Small banks"). Not fitted by ``helpline tune`` (tuning on one
    bank sees one size); the other terms are fitted around it.
    """

    a: float = 0.0
    b: float = 0.0
    c: float = 0.0
    d: float = 0.0
    e: float = 0.0
    f: float = 0.0
    g: float = 0.0
    h: float = 0.0
    i: float = 0.0
    j: float = 0.0
    small_bank: float = 30.0
    small_bank_penalty: float = 1.5

    @classmethod
    def default(cls) -> Calibration:
        """Fitted with the default encoder by the ``helpline tune`` command in config.yml's
        comment (the demo cases and ten held-out sets, pooled); used when
        config.yml sets none."""
        return cls(a=7.8623, b=6.7818, c=-8.7323, d=0.1639, e=0.0, f=0.4999, g=-0.5951, h=-1.1646, i=0.7749, j=10.6274)

    @property
    def identity(self) -> bool:
        return not any(getattr(self, term) for term in FITTED)

    def small_bank_offset(self, entries: int | None) -> float:
        """The log-odds taken off for a bank of ``entries`` served entries (None: unknown, 0)."""
        if not entries or entries >= self.small_bank:
            return 0.0
        return self.small_bank_penalty * math.log(self.small_bank / entries)

    def confidence(self, score: float, margin: float, foreign: bool, endorsed: bool = False,
                   entries: int | None = None, evidence: Evidence | None = None) -> float:
        if self.identity:
            return float(score)
        weighted = zip((getattr(self, term) for term in WEIGHTS), inputs(score, margin, foreign, endorsed, evidence), strict=True)
        z = self.c + sum(weight * value for weight, value in weighted) - self.small_bank_offset(entries)
        return float(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))))


def inputs(score: float, margin: float, foreign: bool, endorsed: bool = False,
           evidence: Evidence | None = None) -> tuple[float, ...]:
    """What the calibration's weights (``WEIGHTS``, in that order) multiply. Without evidence
    the terms f–j read 0, as in a calibration that predates them."""
    e = evidence or Evidence()
    return (score, margin, float(foreign), float(endorsed),
            math.log1p(e.words), e.concept, e.unknown, e.cover, e.answer_lead)


@dataclass(frozen=True, slots=True)
class Thresholds:
    # Defaults = the tuned values in config.yml (see Calibration.default).
    answer: float = 0.7  # confidence needed to answer with the best entry
    margin: float = 0.05  # ...and this lead over the runner-up, else ask which one
    clarify: float = 0.7  # confidence needed to offer the closest entries as choices
    # confidence at which the best entry is answered even with another within the margin: the
    # calibration has read the lead already, and a near-tie this sure is the best entry more
    # often than the customer would need to be asked (docs/matcher.md, "Confidence and thresholds").
    sure: float = 0.85
    intent: float = 0.88  # cosine needed for a small-talk / handoff-request match...
    intent_margin: float = 0.04  # ...and its lead over the closest entry
    route: float = 0.45  # summed confidence of a department's closest entries needed for it to get the handoff
    # confidence needed to answer a message typed in Latin letters (Armenian, Persian, Arabic)
    # as read in its own script: rule-made spellings are noisier than what customers type.
    romanized: float = 0.8


@dataclass(frozen=True, slots=True)
class MatcherSettings:
    thresholds: Thresholds = field(default_factory=Thresholds)
    calibration: Calibration = field(default_factory=Calibration.default)
    head: str = "auto"  # auto | on | off
    # auto: train the head when entries average this many examples. Even one or two
    # phrasings per entry are worth a head: without it, banks written that way lost 8
    # points of accuracy on data/eval/heldout-b, and their scores fell outside the range
    # the default calibration was fitted on.
    head_min_examples: float = 1.0
    head_weight: float = 0.5  # share of the head's probability in the combined score...
    # ...scaled by n / (n + head_examples), n = the bank's example questions per entry: a head
    # learns little from one or two phrasings and much from a hundred. 0 = the share as it is.
    head_examples: float = 2.0
    lexical_weight: float = 0.2  # weight of the character n-gram similarity
    concept_weight: float = 0.2  # weight of the cross-lingual keyword (concept) overlap
    # weight of the cosine between the message and the entry's answer (e5's query → passage
    # setting): customers often ask about what the answer says rather than the way the bank's
    # few questions put it. Chosen on the development sets (docs/matcher.md, signal 6).
    answer_weight: float = 1.5
    # weight of the cosine between the message and the whole entry read as one passage — its
    # questions in the bank's language, then its answer — which tells e5 what the questions
    # and the answer are about together (docs/matcher.md, signal 6, "Entry view"). 0: the view is not built.
    entry_weight: float = 1.5
    clarify_choices: int = 3
    # Typos put right before matching (faq/spelling.py: en, fa, ar, he, ru); off: matched as typed.
    spelling: bool = True
    head_training: HeadSettings = field(default_factory=HeadSettings)

    @classmethod
    def from_mapping(cls, raw: dict[str, Any]) -> MatcherSettings:
        """Build from config.yml's ``matcher:`` section. Raises ValueError listing unknown keys."""
        raw = dict(raw or {})
        threshold_names = {f.name for f in fields(Thresholds)}
        calibration = raw.pop("calibration", None)
        if calibration is not None and not isinstance(calibration, dict):
            raise ValueError(f"matcher.calibration must be a mapping of its terms (a: …, b: …), not {calibration!r}")
        thresholds = {k: float(raw.pop(k)) for k in list(raw) if k in threshold_names}
        unknown = set(raw) - {f.name for f in fields(cls)} - {"head_training"}
        unknown |= {f"calibration.{k}" for k in set(calibration or {}) - {f.name for f in fields(Calibration)}}
        if unknown:
            raise ValueError(f"unknown matcher setting(s): {', '.join(sorted(unknown))}")
        head_training = raw.pop("head_training", None) or {}
        settings = cls(
            thresholds=Thresholds(**thresholds),
            calibration=_calibration(calibration),
            head_training=HeadSettings(**head_training),
        )
        if "head" in raw:
            raw["head"] = _head_mode(raw["head"])
        if "spelling" in raw and not isinstance(raw["spelling"], bool):
            raise ValueError(f"matcher.spelling must be true or false, not {raw['spelling']!r}")
        kinds = {"spelling": bool, "head": str, "head_min_examples": float, "head_weight": float, "head_examples": float, "lexical_weight": float, "concept_weight": float, "answer_weight": float, "entry_weight": float,
                 "clarify_choices": int}
        return replace(settings, **{k: kinds[k](v) for k, v in raw.items()})


def _calibration(raw: dict[str, Any] | None) -> Calibration:
    """``calibration:`` as written in config.yml. Without any of the fitted terms a..j (only
    the small-bank ones, or nothing) the default fit is used; a fit that predates a term (no
    ``e``, no ``f``..``j``) has it at 0. Raises ValueError for a value that is not a finite
    number or a negative small-bank setting."""
    if raw is None:
        return Calibration.default()
    values: dict[str, float] = {}
    for key, value in raw.items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            raise ValueError(f"matcher.calibration.{key} must be a number, not {value!r}")
        if key not in FITTED and number < 0:  # the small-bank terms (unknown keys were refused before)
            raise ValueError(f"matcher.calibration.{key} must be 0 or more, not {value!r}")
        values[key] = number
    if not any(key in values for key in FITTED):
        return replace(Calibration.default(), **values)
    return Calibration(**values)


def _head_mode(value: Any) -> str:
    """``head:`` as written in YAML, where a bare on/off is read as a boolean."""
    if isinstance(value, bool):
        return "on" if value else "off"
    mode = str(value).strip().lower()
    if mode not in ("auto", "on", "off"):
        raise ValueError(f"matcher.head must be auto, on or off, not {value!r}")
    return mode
