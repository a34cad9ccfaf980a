"""``helpline tune``: thresholds from the bank's own questions, or from validation cases."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from faq.bank import Bank
from faq.evaluation import load_cases
from faq.loader import load_bank
from faq.matcher import Matcher, Reason
from faq.settings import FITTED
from faq.tuning import MARGINS, Observation, TuneResult, bank_folds, tune

from .config import load_config
from .config_edit import update_matcher
from .responder import Responder


def observe(matcher: Matcher, cases: list[tuple[str, str]]) -> list[Observation]:
    """Score each (text, expect) with the matcher's raw candidates, as live traffic is scored
    (a question after an opening greeting on its own).

    Left out: small-talk cases, and messages the matcher reads as small talk or as a
    request for a person — the thresholds play no part in those, and counting a
    recognised "call the manager" as a would-be wrong answer made tuning too timid.
    """
    observations = []
    entry_ids = {e.id for e in matcher.entries}
    for text, expect in cases:
        if expect not in entry_ids and expect != "handoff":
            continue
        if matcher.read(text).reason in (Reason.REQUESTED, Reason.SMALLTALK, Reason.EMPTY):
            continue  # not encoded a second time
        scored = matcher.scored(text)
        if scored is None:
            continue
        scores, foreign = scored
        observations.append(Observation(expect, matcher.candidates(scores, foreign), foreign, len(matcher.entries),
                                        matcher.phrasings))
    return observations


def run_tune(args: argparse.Namespace) -> int:
    config = load_config(args.config, bank=args.bank)
    configured = config.matcher.calibration  # its small-bank terms are kept, not fitted
    # Raw scores are needed: tune from an uncalibrated matcher.
    settings = replace(config.matcher, calibration=type(config.matcher.calibration)())
    config = replace(config, matcher=settings)
    responder = Responder(config)
    if args.cases:
        observations = observe_cases(responder, responder.bank, args.cases, args.cross_lingual)
        source = str(args.cases)
        for bank_path, cases_path in args.also:
            observations += observe_cases(responder, load_bank(bank_path), Path(cases_path), args.cross_lingual)
            source += f", {cases_path}"
        if args.cross_lingual:
            source += " (and again with only each bank's default-language questions, all and at most two per entry)"
    else:
        observations = []
        bank = load_bank(args.bank)
        for fold_bank, cases in bank_folds(bank):
            matcher = Matcher(fold_bank, responder.encoder, settings, cache_dir=config.model.cache_dir,
                              lexicon=responder.brain.matcher.lexicon)
            observations.extend(observe(matcher, cases))
        source = f"{args.bank} (5 folds of held-out questions and held-out entries)"
    margins = tuple(m for m in MARGINS if m >= args.min_margin) or (args.min_margin,)
    result = tune(observations, settings.thresholds, max_wrong=args.max_wrong, choices=settings.clarify_choices,
                  margins=margins, clarify_credit=args.clarify_credit, keep=configured)
    print(report(result, source))
    if observations and not any(o.foreign for o in observations):
        print(ONE_LANGUAGE)
    if args.write and config.path is not None:
        write_settings(config.path, result)
        print(f"written to {config.path}")
    else:
        print("\nmatcher settings for config.yml:\n" + matcher_block(result))
    return 0


# Fitted on messages in the bank's own languages only, the calibration has not seen how a customer
# writing another language scores: tuned on English validation messages alone, Persian and Arabic
# messages were answered wrongly two to three times as often (docs/benchmarks.md, fifteenth session).
ONE_LANGUAGE = (
    "note: every message was in a language the bank's questions are written in, so the calibration has not seen\n"
    "  customers writing other languages: the weights only they inform (d, g) keep their configured values,\n"
    "  the others are fitted on these messages alone; add cases in your customers' languages"
)


def observe_cases(responder: Responder, bank: Bank, cases_path: Path, cross_lingual: bool) -> list[Observation]:
    """Observations of one bank's validation cases (with the raw, uncalibrated matcher).

    ``cross_lingual``: the same cases again against the bank's default-language questions
    only — every other language becomes cross-lingual, as for a bank not yet translated —
    and against at most two of those per entry, as for a bank written tersely, so the
    thresholds hold for banks of either kind, not only for this one.
    """
    settings, cache_dir = responder.brain.matcher.settings, responder.config.model.cache_dir
    served = {e.id for e in bank.served()}
    cases = [(c.text, c.expect) for c in load_cases(cases_path, known_entries=served)]
    banks = [bank]
    if cross_lingual:
        untranslated = default_language_only(bank)
        if any(set(e.questions) - {bank.language} for e in bank.served()):
            banks.append(untranslated)
        banks.append(few_phrasings(untranslated, 2))
    observations: list[Observation] = []
    for variant in banks:
        matcher = responder.brain.matcher if variant is responder.bank else Matcher(
            variant, responder.encoder, settings, cache_dir=cache_dir, lexicon=responder.brain.matcher.lexicon)
        observations += observe(matcher, cases)
    return observations


def default_language_only(bank: Bank) -> Bank:
    entries = tuple(
        replace(e, questions={bank.language: e.questions[bank.language]}) for e in bank.entries if bank.language in e.questions
    )
    return replace(bank, entries=entries)


def few_phrasings(bank: Bank, most: int) -> Bank:
    """The bank with at most ``most`` example questions per entry and language."""
    entries = tuple(replace(e, questions={lang: texts[:most] for lang, texts in e.questions.items()}) for e in bank.entries)
    return replace(bank, entries=entries)


def report(result: TuneResult, source: str) -> str:
    return (
        f"tuned on {result.observations} messages from {source}:\n"
        f"  served correctly {result.accuracy:.1%}, "
        f"wrong answers {result.wrong_answer_rate:.1%}, answered {result.answered:.1%}, clarified {result.clarified:.1%}"
    )


def matcher_values(result: TuneResult) -> dict[str, Any]:
    """The settings ``helpline tune`` chose, as config.yml's ``matcher:`` section holds them."""
    t, c = result.thresholds, result.calibration
    return {
        "answer": round(t.answer, 3), "margin": round(t.margin, 3), "clarify": round(t.clarify, 3), "sure": round(t.sure, 3),
        "intent": round(t.intent, 3), "intent_margin": round(t.intent_margin, 3), "route": round(t.route, 3),
        "romanized": round(t.romanized, 3),
        "calibration": {**{term: round(getattr(c, term), 4) for term in FITTED},
                        "small_bank": round(c.small_bank, 1), "small_bank_penalty": round(c.small_bank_penalty, 3)},
    }


def matcher_block(result: TuneResult) -> str:
    return yaml.safe_dump({"matcher": matcher_values(result)}, sort_keys=False)


def write_settings(path: Path, result: TuneResult) -> None:
    """Write the tuned settings into config.yml, every other line as it was (bot/config_edit.py)."""
    path.write_text(update_matcher(path.read_text(encoding="utf-8"), matcher_values(result)), encoding="utf-8")
