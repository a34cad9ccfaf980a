"""The ``helpline`` command: check, eval, chat, tune, run.

Every error a person can cause (a broken bank, a bad config, a missing file) prints one
line per problem on stderr and exits non-zero; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections import Counter
from pathlib import Path

from faq.bank import Bank, Entry, Status
from faq.concepts import ConceptLexicon, bundled
from faq.errors import FaqError
from faq.loader import load_bank
from faq.settings import Calibration

from .config import Config, ConfigError, load_config
from .phrases import PhraseError

EXIT_PROBLEMS = 1
EXIT_USAGE = 2


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    try:
        return int(args.handler(args) or 0)
    except (FaqError, ConfigError, PhraseError) as exc:
        for line in str(exc).splitlines():
            print(line, file=sys.stderr)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `helpline eval ... | head`: the reader left, not an error
        sys.stderr.close()
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="helpline", description="FAQ-driven customer support on messengers.")
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="validate a bank: FILE:LINE: message per problem, or a summary")
    check.add_argument("path", type=Path)
    check.add_argument("--glossary", type=Path,
                       help="the deployment's glossary (default: config.yml's glossary:, when there is one)")
    check.add_argument("--config", type=Path, help="config file whose glossary to use (default ./config.yml)")
    check.set_defaults(handler=cmd_check)

    ev = sub.add_parser("eval", help="run evaluation cases through the live decision code")
    ev.add_argument("bank", type=Path)
    ev.add_argument("cases", type=Path)
    ev.add_argument("--config", type=Path)
    ev.add_argument("--json", action="store_true", help="print the contract JSON (default: a readable summary)")
    ev.set_defaults(handler=cmd_eval)

    chat = sub.add_parser("chat", help="try a bank in the terminal, with scores and runners-up")
    chat.add_argument("bank", type=Path)
    chat.add_argument("--config", type=Path)
    chat.add_argument("--name", help="the customer's name, as a channel would give it")
    chat.set_defaults(handler=cmd_chat)

    tune = sub.add_parser("tune", help="compute matcher thresholds from the bank's own questions")
    tune.add_argument("bank", type=Path)
    tune.add_argument("--config", type=Path)
    tune.add_argument("--cases", type=Path, help="validation cases to tune on instead of the bank's questions")
    tune.add_argument("--also", nargs=2, action="append", default=[], metavar=("BANK", "CASES"),
                      help="more evidence: another bank with its cases (repeatable); all sets are pooled")
    tune.add_argument("--cross-lingual", action="store_true",
                      help="with --cases: also score them against the bank's default-language questions only")
    tune.add_argument("--clarify-credit", type=float, default=0.0,
                      help="worth of a clarification offering the right entry, 0..1 (default 0: as eval counts it)")
    tune.add_argument("--min-margin", type=float, default=0.0,
                      help="smallest lead over the runner-up to answer with; below it the bot asks which entry was meant "
                           "(unless its confidence reaches the tuned 'sure')")
    tune.add_argument("--max-wrong", type=float, default=0.03, help="wrong-answer rate allowed (default 0.03)")
    tune.add_argument("--write", action="store_true", help="write the thresholds into the config file")
    tune.set_defaults(handler=cmd_tune)

    gaps = sub.add_parser("gaps", help="what customers asked that the bank does not cover, grouped by topic")
    gaps.add_argument("--config", type=Path)
    gaps.add_argument("--bank", type=Path)
    gaps.add_argument("--days", type=int, default=30)
    gaps.set_defaults(handler=cmd_gaps)

    run = sub.add_parser("run", help="serve web chat, REST, the agent console and the configured channels")
    run.add_argument("--config", type=Path)
    run.add_argument("--bank", type=Path)
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8080)
    run.set_defaults(handler=cmd_run)
    return parser


# -- check --------------------------------------------------------------------------------
def cmd_check(args: argparse.Namespace) -> int:
    bank = load_bank(args.path)
    config = _deployment(args.config)
    lexicon = ConceptLexicon.load(args.glossary or (config.glossary if config else None))
    print(summary(bank, lexicon, config.matcher.calibration if config else None))
    if config:
        for problem in config.routing.mismatches(tuple(d.id for d in bank.departments)):
            print(f"warning: {config.path or 'config'}: {problem}")
    return 0


def _deployment(config: Path | None) -> Config | None:
    """The config whose glossary and calibration ``check`` speaks for. An explicit
    ``--config`` must load; an implicit ./config.yml that does not is noted and skipped:
    ``check`` is about the bank."""
    if config is None and not Path("config.yml").exists():
        return None
    try:
        return load_config(config)
    except ConfigError as exc:
        if config is not None:
            raise
        print(f"note: ./config.yml not read ({str(exc).splitlines()[0]}); checking with the bundled lexicon only",
              file=sys.stderr)
        return None


def summary(bank: Bank, lexicon: ConceptLexicon | None = None, calibration: Calibration | None = None) -> str:
    files = f"{len(bank.sources)} files" if len(bank.sources) > 1 else bank.sources[0]
    lines = [f"valid ({files}): {len(bank.entries)} entries, bank version {bank.fingerprint}"]
    by_dep: dict[str, Counter[str]] = {d.id: Counter() for d in bank.departments}
    for e in bank.entries:
        by_dep[e.department][str(e.status)] += 1
    lines.append("departments:")
    for dep in bank.departments:
        counts = by_dep[dep.id]
        parts = ", ".join(f"{counts[s]} {s}" for s in Status if counts[s])
        lines.append(f"  {dep.id} ({dep.name}): {parts or 'no entries'}")
    served = bank.served()
    question_langs = Counter(lang for e in served for lang in e.questions)
    answer_langs = Counter(lang for e in served for lang in e.answer)
    lines.append(f"languages (default {bank.language}):")
    for lang in bank.languages:
        lines.append(f"  {lang}: questions in {question_langs[lang]}, answers in {answer_langs[lang]} of {len(served)} served entries")
    answer_languages = set(answer_langs)
    missing = [(e.id, sorted(answer_languages - set(e.answer))) for e in served if answer_languages - set(e.answer)]
    if missing:
        lines.append(f"entries missing a translation ({len(missing)}):")
        lines.extend(f"  {entry_id}: no answer in {', '.join(langs)}" for entry_id, langs in missing)
    else:
        lines.append("every served entry is answered in every language of the bank")
    lines.extend(_terse_entries(served))
    lines.extend(_entries_without_concepts(served, lexicon or bundled()))
    lines.extend(_small_bank(served, calibration or Calibration.default()))
    return "\n".join(lines)


def _small_bank(served: tuple[Entry, ...], calibration: Calibration) -> list[str]:
    """A bank below the calibration's ``small_bank`` size answers only when surer."""
    if not calibration.small_bank_offset(len(served)):
        return []
    entries = f"{len(served)} served {'entry' if len(served) == 1 else 'entries'}"
    return [
        f"{entries}, fewer than {calibration.small_bank:g}: the bot answers only when it is surer than with a larger bank,",
        "  so that questions next to an entry but not about it are handed off (docs/matcher.md, small banks)",
    ]


# Entries with fewer example questions are matched less reliably: the held-out bank
# (data/eval/heldout) served its cases 85% right with its four or five questions per entry,
# 80% with the first two and 69% with the first one only (docs/benchmarks.md).
FEW_PHRASINGS = 3


def _entries_without_concepts(served: tuple[Entry, ...], lexicon: ConceptLexicon, shown: int = 10) -> list[str]:
    """Entries whose questions use no word of the cross-lingual lexicon (the bundled one and
    the deployment's glossary): a customer writing another language meets them through the
    encoder alone (docs/matcher.md, glossary)."""
    bare = [e.id for e in served if not any(lexicon.find(q) for _, q in e.all_questions())]
    if not bare:
        return []
    more = f" and {len(bare) - shown} more" if len(bare) > shown else ""
    return [
        f"entries whose questions use no word of the cross-lingual lexicon ({len(bare)}): {', '.join(bare[:shown])}{more}",
        "  a glossary (config.yml glossary:) with their key words in the languages customers write helps them",
    ]


def _terse_entries(served: tuple[Entry, ...], shown: int = 10) -> list[str]:
    terse = [(e.id, sum(len(q) for q in e.questions.values())) for e in served]
    terse = [(entry_id, n) for entry_id, n in terse if n < FEW_PHRASINGS]
    if not terse:
        return []
    listed = ", ".join(f"{entry_id} ({n})" for entry_id, n in terse[:shown])
    more = f" and {len(terse) - shown} more" if len(terse) > shown else ""
    return [
        f"entries with fewer than {FEW_PHRASINGS} example questions ({len(terse)}): {listed}{more}",
        "  more phrasings, and questions in the languages customers write, make matching surer",
    ]


# -- eval -----------------------------------------------------------------------------------
def _responder(bank: Path, config: Path | None):
    from .responder import Responder

    return Responder(load_config(config, bank=bank))


def cmd_eval(args: argparse.Namespace) -> int:
    from faq.evaluation import evaluate, load_cases

    responder = _responder(args.bank, args.config)
    served = {e.id for e in responder.bank.served()}
    cases = load_cases(args.cases, known_entries=served | {e.id for e in responder.bank.entries})
    report = evaluate(cases, responder.decide_case, served)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    print(f"{report['cases']} cases: accuracy {report['accuracy']:.1%}, wrong answers {report['wrong_answer_rate']:.1%}, "
          f"FAQ recall {report['faq_recall']:.1%}, handoff recall {report['handoff_recall']:.1%}, "
          f"p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms")
    print("by language: " + ", ".join(f"{k} {v:.0%}" for k, v in report["by_lang"].items()))
    misses = [r for r in report["results"] if r["got"] != r["expect"]]
    if misses:
        print(f"misses ({len(misses)}):")
        for r in misses:
            print(f"  [{r['lang']}] {r['text']!r}: expected {r['expect']}, got {r['got']} ({r['score']:.2f})")
    return 0


# -- chat -----------------------------------------------------------------------------------
def cmd_chat(args: argparse.Namespace) -> int:
    from .chat import run_chat

    return run_chat(_responder(args.bank, args.config), name=args.name)


# -- tune -----------------------------------------------------------------------------------
def cmd_tune(args: argparse.Namespace) -> int:
    from .tuning import run_tune

    return run_tune(args)


# -- gaps -----------------------------------------------------------------------------------
def cmd_gaps(args: argparse.Namespace) -> int:
    from .gaps import run_gaps
    from .responder import Responder

    return run_gaps(Responder(load_config(args.config, bank=args.bank)), args.days, sys.stdout)


# -- run ------------------------------------------------------------------------------------
def cmd_run(args: argparse.Namespace) -> int:
    from .server import ChannelConfigError, serve
    from .store import StoreError

    from .logs import configure

    configure()
    try:
        return serve(load_config(args.config, bank=args.bank), host=args.host, port=args.port)
    except (ChannelConfigError, StoreError) as exc:
        for line in str(exc).splitlines():
            print(line, file=sys.stderr)
        return EXIT_PROBLEMS


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
