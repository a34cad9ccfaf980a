"""The product's evaluation sets with typos typed into the English questions: what the speller buys.

Each English message that asks a question of the bank (an entry is expected) gets ``--typos``
typos in its words of four letters or more, drawn with a fixed seed per set: a letter left out,
two letters swapped, a neighbouring key, or a letter doubled. Every other case is kept as
written. Each set is then run through ``helpline eval``'s code path three times: as written,
with typos and the speller off (``matcher.spelling: false``), with typos and the speller on.

The questions in the other languages get the same typos but a neighbouring key, and are run with
the speller off and on; then once more with neighbouring keys of their own layouts among the slips
(Persian, Arabic, Hebrew and Russian, faq/keyboards.py; Armenian as before).

The English questions are also written in chat shorthand ("whr is ur pkg? pls tell me
tmrw"): each word that has a shorthand form (``CHAT``, a list of its own, wider than the one
the speller writes out) is swapped for it with probability ``--shorthand`` (0.6), and the set is
run with the speller off and on.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/typos.py [--config config.yml] [--typos 2] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from accuracy import write_section  # noqa: E402  (benchmarks/ is the script's folder)
from eval_sets import SETS  # noqa: E402

from bot.config import load_config  # noqa: E402
from bot.responder import Responder  # noqa: E402
from faq.evaluation import SPECIAL, Case, evaluate, load_cases  # noqa: E402
from faq.keyboards import neighbours  # noqa: E402

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


def misspell(word: str, rng: random.Random, keyboard: bool = True, keys: Mapping[str, frozenset[str]] | None = None) -> str:
    """One typo inside ``word`` (never its first or last letter's place); ``keyboard``: a
    neighbouring key on an English keyboard is one of the slips; ``keys``: so is one of these
    neighbouring keys (another language's layout, faq/keyboards.py)."""
    i = rng.randrange(1, len(word) - 1)
    slip = rng.choice("omnd" if keyboard or keys else "omd")
    if slip == "o":
        return word[:i] + word[i + 1:]  # left out
    if slip == "m":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]  # swapped
    if slip == "n":
        if keys and not keys.get(word[i].lower()):
            return word[:i] + word[i + 1:]  # a letter with no key of its own on the layout (آ, ё): left out
        near = _neighbour(word[i], rng) if not keys else rng.choice(sorted(keys[word[i].lower()]))
        return word[:i] + near + word[i + 1:]  # neighbouring key
    return word[:i] + word[i] + word[i:]  # doubled


# How people shorten words in chat, from common usage, independent of the speller's own table
# (faq/spelling.py) so that the benchmark also counts the forms it does not know.
CHAT = {
    "you": ("u",), "your": ("ur", "yr"), "are": ("r",), "why": ("y",), "please": ("pls", "plz"),
    "where": ("whr", "wer"), "what": ("wat", "wht"), "how": ("hw",), "much": ("mch",), "for": ("4",),
    "to": ("2",), "before": ("b4",), "tomorrow": ("tmrw", "tmr", "2moro"), "today": ("2day",),
    "tonight": ("2nite",), "yesterday": ("yday",), "because": ("bc", "cuz", "coz"), "about": ("abt",),
    "something": ("smth", "sth"), "people": ("ppl",), "message": ("msg",), "messages": ("msgs",),
    "account": ("acct", "acc"), "password": ("pwd", "pw"), "address": ("addr",), "thanks": ("thx", "tnx"),
    "later": ("l8r",), "know": ("kno",), "really": ("rly",), "though": ("tho",), "package": ("pkg",),
    "information": ("info",), "number": ("num",), "problem": ("prob",), "with": ("w",), "without": ("w/o",),
    "minutes": ("mins",), "hours": ("hrs",), "should": ("shud", "shd"), "could": ("cud", "cld"),
    "would": ("wud", "wld"), "through": ("thru",), "appointment": ("appt",), "okay": ("ok",),
    "don't": ("dont",), "can't": ("cant",), "i'm": ("im",), "doesn't": ("doesnt",), "isn't": ("isnt",),
}
_CHAT_WORDS = re.compile(r"[A-Za-z]+(?:'[a-z]+)?|[^A-Za-z]+")


_WORDS = re.compile(r"[^\W\d_]+|[\W\d_]+")  # words of any script, and what lies between them


def _slip(case: Case, rng: random.Random, typos: int, layouts: bool = False) -> str:
    english = case.lang == "en"
    tokens = (_TOKENS if english else _WORDS).findall(case.text)
    long_words = [i for i, t in enumerate(tokens) if t.isalpha() and len(t) >= 4]
    keys = neighbours(case.lang) if layouts and not english and case.lang else None
    for i in rng.sample(long_words, min(typos, len(long_words))):
        tokens[i] = misspell(tokens[i], rng, keyboard=english, keys=keys)
    return "".join(tokens)


def _shorten(case: Case, rng: random.Random, share: float) -> str:
    tokens = _CHAT_WORDS.findall(case.text)
    for i, token in enumerate(tokens):
        forms = CHAT.get(token.lower())
        if forms and rng.random() < share:
            tokens[i] = rng.choice(forms)
    return "".join(tokens)


def _questions(cases: list[Case], seed: int, rewrite, english: bool = True) -> list[Case]:  # noqa: ANN001 - (Case, Random) -> str
    """``cases`` with each question in English (or, ``english=False``, in another language)
    rewritten, the others as written."""
    rng = random.Random(seed)
    return [replace(case, text=rewrite(case, rng)) if (case.lang == "en") == english and case.expect not in SPECIAL else case
            for case in cases]


def with_typos(cases: list[Case], typos: int, seed: int, english: bool = True, layouts: bool = False) -> list[Case]:
    """``layouts``: another language's slips include its own layout's neighbouring keys (Persian,
    Arabic, Hebrew, Russian; Armenian's are left out, as before)."""
    return _questions(cases, seed, lambda case, rng: _slip(case, rng, typos, layouts), english)


def in_shorthand(cases: list[Case], share: float, seed: int) -> list[Case]:
    return _questions(cases, seed, lambda case, rng: _shorten(case, rng, share))


def run(config_path: Path, typos: int, shorthand: float) -> dict[str, dict[str, list[int]]]:
    """group → variant → [cases, served, wrong, English questions, served, other questions, served,
    Armenian questions, served]."""
    sets = {name: (bank, cases) for name, bank, cases, _ in SETS}
    totals: dict[str, dict[str, list[int]]] = {}
    encoder = None
    for group, names in GROUPS.items():
        for seed, name in enumerate(names):
            bank, cases_file = sets[name]
            config = load_config(config_path, bank=bank)
            cases = load_cases(cases_file)
            typed = with_typos(cases, typos, seed)
            short = in_shorthand(cases, shorthand, seed)
            foreign = with_typos(cases, typos, seed, english=False)
            keyed = with_typos(cases, typos, seed, english=False, layouts=True)
            responders = {}  # one per speller setting: "as written" runs on the configured one
            for spelling in (False, True):
                responders[spelling] = Responder(replace(config, matcher=replace(config.matcher, spelling=spelling)), encoder=encoder)
                encoder = responders[spelling].encoder
            variants = {"as written": (responders[config.matcher.spelling], cases),
                        "typos, speller off": (responders[False], typed),
                        "typos, speller on": (responders[True], typed),
                        "shorthand, speller off": (responders[False], short),
                        "shorthand, speller on": (responders[True], short),
                        "typos in other languages, speller off": (responders[False], foreign),
                        "typos in other languages, speller on": (responders[True], foreign),
                        "the same with their layouts' neighbouring keys, speller off": (responders[False], keyed),
                        "the same with their layouts' neighbouring keys, speller on": (responders[True], keyed)}
            for variant, (responder, asked) in variants.items():
                report = evaluate(asked, responder.decide_case, {e.id for e in responder.bank.served()})
                questions = [r for r in report["results"] if r["expect"] not in SPECIAL]
                english = [r for r in questions if r["lang"] == "en"]
                other = [r for r in questions if r["lang"] != "en"]
                armenian = [r for r in questions if r["lang"] == "hy"]
                total = totals.setdefault(group, {}).setdefault(variant, [0] * 9)
                total[0] += report["cases"]
                total[1] += round(report["accuracy"] * report["cases"])
                total[2] += round(report["wrong_answer_rate"] * report["cases"])
                total[3] += len(english)
                total[4] += sum(r["got"] == r["expect"] for r in english)
                total[5] += len(other)
                total[6] += sum(r["got"] == r["expect"] for r in other)
                total[7] += len(armenian)
                total[8] += sum(r["got"] == r["expect"] for r in armenian)
            print(f"{name}: done", file=sys.stderr)
    return totals


def render(totals: dict[str, dict[str, list[int]]], typos: int, shorthand: float) -> str:
    lines = [f"| group | variant ({typos} typos per question; shorthand for {shorthand:.0%} of the English words that have one) "
             "| all cases: served · wrong | English questions served | other languages' questions served "
             "| of which Armenian |",
             "|---|---|---|---|---|---|"]
    for group, variants in totals.items():
        for variant, (cases, right, wrong, english, english_right, other, other_right, armenian, armenian_right) in variants.items():
            lines.append(f"| {group} | {variant} | {right / cases:.1%} · {wrong / cases:.1%} ({cases}) | "
                         f"{english_right / english:.1%} ({english}) | {other_right / other:.1%} ({other}) | "
                         f"{armenian_right / armenian:.1%} ({armenian}) |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--typos", type=int, default=2, help="typos per question")
    parser.add_argument("--shorthand", type=float, default=0.6, help="share of the words with a shorthand form written in it")
    parser.add_argument("--out", type=Path, help="write the table into this Markdown file (between its markers)")
    args = parser.parse_args(argv)
    table = render(run(args.config, args.typos, args.shorthand), args.typos, args.shorthand)
    print(table)
    if args.out:
        write_section(args.out, table, marker="typos")
    return 0


if __name__ == "__main__":
    sys.exit(main())
