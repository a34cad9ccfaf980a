"""The product's evaluation sets with their banks cut down: how a bank of a few entries fares.

A support lead's first bank often has a handful of entries. Each held-out bank is cut to
``--sizes`` entries (``--seeds`` random draws each); the cases kept are those about the
entries left in, and every case the full bank was not meant to answer (questions it does
not cover, requests for a person, small talk) — not the questions about the entries taken
out, which a smaller business would simply not be asked. Every case goes through
``helpline eval``'s code path with the given config, as in ``eval_sets.py``.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/small_banks.py [--config config.yml] [--out docs/benchmarks.md]

With ``--phrasings 1,2`` the banks keep every entry but only their first one or two example
questions (a tersely written bank), and every case is kept.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from accuracy import write_section  # noqa: E402  (benchmarks/ is the script's folder)
from eval_sets import SETS  # noqa: E402

from bot.config import load_config  # noqa: E402
from bot.responder import Responder  # noqa: E402
from faq.evaluation import evaluate, load_cases  # noqa: E402
from faq.loader import load_bank  # noqa: E402

GROUPS = {  # what each set has been used for, as eval_sets.py's descriptions say
    "tuning pool (d–j)": ["heldout-d", "heldout-e", "heldout-f", "heldout-g", "heldout-h", "heldout-i", "heldout-j"],
    "checked on (k, l)": ["heldout-k", "heldout-l"],
    "blind (m, n)": ["heldout-m", "heldout-n"],
}


def cut(bank_file: Path, size: int, seed: int, folder: Path) -> tuple[Path, set[str], set[str]]:
    """The bank file with ``size`` of its served entries: (path, kept ids, all served ids)."""
    served = [e.id for e in load_bank(bank_file).served()]
    if size >= len(served):
        raise SystemExit(f"{bank_file}: {len(served)} served entries, cannot keep {size} of them")
    kept = set(random.Random(seed).sample(served, size))
    raw = yaml.safe_load(bank_file.read_text(encoding="utf-8"))
    raw["entries"] = [e for e in raw["entries"] if e["id"] in kept]
    return _written(raw, folder / f"{bank_file.parent.name}-{size}-{seed}.yml"), kept, set(served)


def terse(bank_file: Path, phrasings: int, folder: Path) -> tuple[Path, set[str], set[str]]:
    """The bank file with each entry's first ``phrasings`` example questions (per language)."""
    served = {e.id for e in load_bank(bank_file).served()}
    raw = yaml.safe_load(bank_file.read_text(encoding="utf-8"))
    for entry in raw["entries"]:
        questions = entry["questions"]
        entry["questions"] = ({lang: texts[:phrasings] for lang, texts in questions.items()}
                              if isinstance(questions, dict) else questions[:phrasings])
    return _written(raw, folder / f"{bank_file.parent.name}-q{phrasings}.yml"), served, served


def _written(raw: dict, path: Path) -> Path:
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run(config_path: Path, sizes: list[int], seeds: int, phrasings: bool = False) -> dict[tuple[str, int], list[int]]:
    """(group, size) → [cases, served correctly, wrong answers]."""
    banks = {name: (bank, cases) for name, bank, cases, _ in SETS}
    totals: dict[tuple[str, int], list[int]] = {}
    responder = None
    with tempfile.TemporaryDirectory() as tmp:
        for group, names in GROUPS.items():
            for name in names:
                bank_file, cases_file = banks[name]
                cases = load_cases(cases_file)
                for size in sizes:
                    for seed in range(1 if phrasings else seeds):
                        path, kept, served = (terse(bank_file, size, Path(tmp)) if phrasings
                                              else cut(bank_file, size, seed, Path(tmp)))
                        config = load_config(config_path, bank=path)
                        responder = Responder(config, encoder=responder.encoder if responder else None)
                        asked = [c for c in cases if c.expect in kept or c.expect not in served]
                        report = evaluate(asked, responder.decide_case, kept)
                        total = totals.setdefault((group, size), [0, 0, 0])
                        total[0] += report["cases"]
                        total[1] += round(report["accuracy"] * report["cases"])
                        total[2] += round(report["wrong_answer_rate"] * report["cases"])
                print(f"{name}: done", file=sys.stderr)
    return totals


def render(totals: dict[tuple[str, int], list[int]], sizes: list[int], seeds: int, phrasings: bool = False) -> str:
    rows = "example questions kept per entry" if phrasings else f"entries kept ({seeds} draws per bank)"
    lines = [f"| {rows} | " + " | ".join(GROUPS) + " |",
             "|---|" + "---|" * len(GROUPS)]
    for size in sizes:
        cells = []
        for group in GROUPS:
            cases, right, wrong = totals[(group, size)]
            cells.append(f"{right / cases:.1%} served, {wrong / cases:.1%} wrong ({cases} cases)")
        lines.append(f"| {size} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--sizes", default="4,8,15,22", help="entries to keep, comma-separated")
    parser.add_argument("--seeds", type=int, default=3, help="random draws per bank and size")
    parser.add_argument("--phrasings", help="instead of cutting entries: example questions to keep per entry, comma-separated")
    parser.add_argument("--out", type=Path, help="write the table into this Markdown file (between its markers)")
    args = parser.parse_args(argv)
    terse_banks = args.phrasings is not None
    sizes = [int(s) for s in (args.phrasings if terse_banks else args.sizes).split(",")]
    table = render(run(args.config, sizes, args.seeds, terse_banks), sizes, args.seeds, terse_banks)
    print(table)
    if args.out:
        write_section(args.out, table, marker="terse-banks" if terse_banks else "small-banks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
