"""The product's evaluation sets with typos typed into the English questions: what the speller buys.

Each English message that asks a question of the bank (an entry is expected) gets ``--typos``
typos in its words of four letters or more, drawn with a fixed seed per set: a letter left out,
two letters swapped, a neighbouring key, or a letter doubled. Every other case is kept as
written. Each set is then run through ``helpline eval``'s code path three times: as written,
with typos and the speller off (``matcher.spelling: false``), with typos and the speller on.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/typos.py [--config config.yml] [--typos 2] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from accuracy import write_section  # noqa: E402  (benchmarks/ is the script's folder)
from eval_sets import SETS  # noqa: E402

from bot.config import load_config  # noqa: E402
from bot.responder import Responder  # noqa: E402
from faq.evaluation import SPECIAL, Case, evaluate, load_cases  # noqa: E402

GROUPS = {  # what each set has been used for, as eval_sets.py's descriptions say
    "tuning pool (demo, heldout–j)": ["demo", "heldout", "heldout-b", "heldout-c", "heldout-d", "heldout-e", "heldout-f",
                                       "heldout-g", "heldout-h", "heldout-i", "heldout-j"],
    "read (k, l, r, t)": ["heldout-k", "heldout-l", "heldout-r", "heldout-t"],
    "blind (m, n, o, p, q, s)": ["heldout-m", "heldout-n", "heldout-o", "heldout-p", "heldout-q", "heldout-s"],
}
_KEYBOARD = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_TOKENS = re.compile(r"[A-Za-z]+|[^A-Za-z]+")


def _neighbour(letter: str, rng: random.Random) -> str:
    for row in _KEYBOARD:
        at = row.find(letter.lower())
        if at >= 0:
            return rng.choice([row[j] for j in (at - 1, at + 1) if 0 <= j < len(row)])
    return letter


def misspell(word: str, rng: random.Random) -> str:
    """One typo inside ``word`` (never its first or last letter's place)."""
    i = rng.randrange(1, len(word) - 1)
    slip = rng.choice("omnd")
    if slip == "o":
        return word[:i] + word[i + 1:]  # left out
    if slip == "m":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]  # swapped
    if slip == "n":
        return word[:i] + _neighbour(word[i], rng) + word[i + 1:]  # neighbouring key
    return word[:i] + word[i] + word[i:]  # doubled


def with_typos(cases: list[Case], typos: int, seed: int) -> list[Case]:
    rng = random.Random(seed)
    out = []
    for case in cases:
        if case.lang != "en" or case.expect in SPECIAL:
            out.append(case)
            continue
        tokens = _TOKENS.findall(case.text)
        long_words = [i for i, t in enumerate(tokens) if t.isalpha() and len(t) >= 4]
        for i in rng.sample(long_words, min(typos, len(long_words))):
            tokens[i] = misspell(tokens[i], rng)
        out.append(replace(case, text="".join(tokens)))
    return out


def run(config_path: Path, typos: int) -> dict[str, dict[str, list[int]]]:
    """group → variant → [cases, served, wrong, English questions, English questions served]."""
    sets = {name: (bank, cases) for name, bank, cases, _ in SETS}
    totals: dict[str, dict[str, list[int]]] = {}
    encoder = None
    for group, names in GROUPS.items():
        for seed, name in enumerate(names):
            bank, cases_file = sets[name]
            config = load_config(config_path, bank=bank)
            cases = load_cases(cases_file)
            typed = with_typos(cases, typos, seed)
            responders = {}  # one per speller setting: "as written" runs on the configured one
            for spelling in (False, True):
                responders[spelling] = Responder(replace(config, matcher=replace(config.matcher, spelling=spelling)), encoder=encoder)
                encoder = responders[spelling].encoder
            variants = {"as written": (responders[config.matcher.spelling], cases),
                        "typos, speller off": (responders[False], typed),
                        "typos, speller on": (responders[True], typed)}
            for variant, (responder, asked) in variants.items():
                report = evaluate(asked, responder.decide_case, {e.id for e in responder.bank.served()})
                english = [r for r in report["results"] if r["lang"] == "en" and r["expect"] not in SPECIAL]
                total = totals.setdefault(group, {}).setdefault(variant, [0, 0, 0, 0, 0])
                total[0] += report["cases"]
                total[1] += round(report["accuracy"] * report["cases"])
                total[2] += round(report["wrong_answer_rate"] * report["cases"])
                total[3] += len(english)
                total[4] += sum(r["got"] == r["expect"] for r in english)
            print(f"{name}: done", file=sys.stderr)
    return totals


def render(totals: dict[str, dict[str, list[int]]], typos: int) -> str:
    lines = [f"| group | variant ({typos} typos per English question) | all cases: served · wrong | English questions served |",
             "|---|---|---|---|"]
    for group, variants in totals.items():
        for variant, (cases, right, wrong, english, english_right) in variants.items():
            lines.append(f"| {group} | {variant} | {right / cases:.1%} · {wrong / cases:.1%} ({cases}) | "
                         f"{english_right / english:.1%} ({english}) |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--typos", type=int, default=2, help="typos per English question")
    parser.add_argument("--out", type=Path, help="write the table into this Markdown file (between its markers)")
    args = parser.parse_args(argv)
    table = render(run(args.config, args.typos), args.typos)
    print(table)
    if args.out:
        write_section(args.out, table, marker="typos")
    return 0


if __name__ == "__main__":
    sys.exit(main())
