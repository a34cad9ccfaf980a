"""Matcher settings: how scores are combined and where the decision thresholds lie.

The thresholds live in config.yml under ``matcher:``; ``helpline tune`` computes them
from the bank's own questions (or from validation cases) and prints the block to paste.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from .head import HeadSettings


@dataclass(frozen=True, slots=True)
class Calibration:
    """Platt scaling: confidence = sigmoid(a·score + b·margin + c).

    The identity calibration (the default until ``helpline tune`` runs) passes the
    combined score through unchanged.
    """

    a: float = 0.0
    b: float = 0.0
    c: float = 0.0

    @property
    def identity(self) -> bool:
        return self.a == 0.0 and self.b == 0.0 and self.c == 0.0


@dataclass(frozen=True, slots=True)
class Thresholds:
    answer: float = 0.55  # confidence needed to answer with the best entry
    margin: float = 0.05  # ...and this lead over the runner-up, else ask which one
    clarify: float = 0.40  # confidence needed to offer the closest entries as choices
    intent: float = 0.50  # score needed for a small-talk / handoff-request match
    route: float = 0.30  # confidence needed for the closest entry's department to get the handoff


@dataclass(frozen=True, slots=True)
class MatcherSettings:
    thresholds: Thresholds = field(default_factory=Thresholds)
    calibration: Calibration = field(default_factory=Calibration)
    head: str = "auto"  # auto | on | off
    head_min_examples: float = 3.0  # auto: train the head when entries average this many examples
    head_weight: float = 0.5  # share of the head's probability in the combined score
    lexical_weight: float = 0.2  # weight of the character n-gram similarity
    clarify_choices: int = 3
    head_training: HeadSettings = field(default_factory=HeadSettings)

    @classmethod
    def from_mapping(cls, raw: dict[str, Any]) -> MatcherSettings:
        """Build from config.yml's ``matcher:`` section. Raises ValueError listing unknown keys."""
        raw = dict(raw or {})
        threshold_names = {f.name for f in fields(Thresholds)}
        calibration = raw.pop("calibration", None) or {}
        thresholds = {k: float(raw.pop(k)) for k in list(raw) if k in threshold_names}
        unknown = set(raw) - {f.name for f in fields(cls)} - {"head_training"}
        unknown |= {f"calibration.{k}" for k in set(calibration) - {"a", "b", "c"}}
        if unknown:
            raise ValueError(f"unknown matcher setting(s): {', '.join(sorted(unknown))}")
        head_training = raw.pop("head_training", None) or {}
        settings = cls(
            thresholds=Thresholds(**thresholds),
            calibration=Calibration(**{k: float(v) for k, v in calibration.items()}),
            head_training=HeadSettings(**head_training),
        )
        kinds = {"head": str, "head_min_examples": float, "head_weight": float, "lexical_weight": float, "clarify_choices": int}
        return replace(settings, **{k: kinds[k](v) for k, v in raw.items()})
