"""The shipped evaluation sets stay valid: every bank loads, every case names a real entry.

The figures in docs/benchmarks.md come from these files; a typo in an entry id would make
`helpline eval` refuse the set instead of quietly lowering (or raising) a number.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from faq.evaluation import load_cases
from faq.loader import load_bank

ROOT = Path(__file__).resolve().parent.parent
SETS = {
    "demo": (ROOT / "data" / "bank", ROOT / "data" / "eval" / "demo-cases.yml"),
    **{p.name: (p / "bank.yml", p / "cases.yml") for p in sorted((ROOT / "data" / "eval").glob("heldout*"))},
}
LANGUAGES = {"en", "fa", "ar", "he", "hy", "ru"}


def test_there_are_held_out_sets_beside_the_tuning_set():
    assert {"heldout", "heldout-b", "heldout-c"} <= set(SETS)


@pytest.mark.parametrize("name", sorted(SETS))
def test_evaluation_set_is_valid(name):
    bank_path, cases_path = SETS[name]
    bank = load_bank(bank_path)  # raises BankInvalid with FILE:LINE problems
    served = {e.id for e in bank.served()}
    cases = load_cases(cases_path, known_entries=served)  # raises on unknown entry ids
    assert len(cases) >= 150
    assert {c.lang for c in cases} >= LANGUAGES
    expected = {c.expect for c in cases}
    assert "handoff" in expected and len(expected & served) >= len(served) * 0.8  # most entries are tested
