"""``helpline eval``: how a bank performs on a set of cases (contract in DESIGN.md).

Each case is the first message of a new conversation. The caller passes ``decide`` —
the same code that serves live traffic — so the figures describe what customers get.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .errors import CasesInvalid, Problem
from .yaml_loader import SafeLoader

SPECIAL = {"handoff", "clarify", "greeting", "thanks", "goodbye"}
CASE_KEYS = {"lang", "expect", "text"}


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    expect: str
    lang: str


def load_cases(path: str | Path, known_entries: set[str] | None = None) -> list[Case]:
    """Read a cases file; every malformed case is reported (FILE:LINE) in one error."""
    path = Path(path)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=SafeLoader)
    except OSError as exc:
        raise CasesInvalid(f"{path}:0: cannot read: {exc}") from exc
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise CasesInvalid(f"{path}:{line}: YAML syntax error: {exc.problem}") from exc
    problems: list[Problem] = []
    cases_node = None
    if isinstance(root, MappingNode):
        for key, value in root.value:
            if isinstance(key, ScalarNode) and key.value == "cases":
                cases_node = value
    if not isinstance(cases_node, SequenceNode):
        raise CasesInvalid(f"{path}:1: expected a mapping with a 'cases' list")
    cases: list[Case] = []
    for item in cases_node.value:
        line = item.start_mark.line + 1
        if not isinstance(item, MappingNode):
            problems.append(Problem(str(path), line, "a case must be a mapping {lang, expect, text}"))
            continue
        fields = {k.value: v.value for k, v in item.value if isinstance(k, ScalarNode) and isinstance(v, ScalarNode)}
        unknown = set(fields) - CASE_KEYS
        missing = {"expect", "text"} - set(fields)
        if unknown:
            problems.append(Problem(str(path), line, f"unknown key(s) {', '.join(sorted(unknown))}"))
        if missing:
            problems.append(Problem(str(path), line, f"missing {', '.join(sorted(missing))}"))
            continue
        expect = str(fields["expect"])
        if known_entries is not None and expect not in SPECIAL and expect not in known_entries:
            problems.append(Problem(str(path), line, f"expect {expect!r} is neither a served entry nor one of {', '.join(sorted(SPECIAL))}"))
            continue
        cases.append(Case(text=str(fields["text"]), expect=expect, lang=str(fields.get("lang") or "")))
    if problems:
        raise CasesInvalid("\n".join(str(p) for p in problems))
    return cases


Decide = Callable[[Case], tuple[str, float]]  # -> (got, score)


def evaluate(cases: list[Case], decide: Decide, entry_ids: set[str]) -> dict[str, Any]:
    """Run every case through ``decide`` and summarise per the eval contract."""
    results = []
    timings = []
    for case in cases:
        started = time.perf_counter()
        got, score = decide(case)
        timings.append((time.perf_counter() - started) * 1000)
        results.append({"text": case.text, "lang": case.lang, "expect": case.expect, "got": got, "score": round(float(score), 4)})
    return summarise(results, timings, entry_ids)


def summarise(results: list[dict[str, Any]], timings: list[float], entry_ids: set[str]) -> dict[str, Any]:
    n = len(results)

    def share(hits: int, total: int) -> float:
        return round(hits / total, 4) if total else 0.0

    correct = sum(r["got"] == r["expect"] for r in results)
    wrong = sum(r["got"] in entry_ids and r["got"] != r["expect"] for r in results)
    faq = [r for r in results if r["expect"] not in SPECIAL]
    handoff = [r for r in results if r["expect"] == "handoff"]
    by_lang: dict[str, list[bool]] = defaultdict(list)
    by_expect: dict[str, list[bool]] = defaultdict(list)
    for r in results:
        by_lang[r["lang"] or "?"].append(r["got"] == r["expect"])
        if r["expect"] in SPECIAL:
            by_expect[r["expect"]].append(r["got"] == r["expect"])
    if faq:
        by_expect["faq"] = [r["got"] == r["expect"] for r in faq]
    ordered = sorted(timings)
    return {
        "cases": n,
        "accuracy": share(correct, n),
        "wrong_answer_rate": share(wrong, n),
        "faq_recall": share(sum(r["got"] == r["expect"] for r in faq), len(faq)),
        "handoff_recall": share(sum(r["got"] == "handoff" for r in handoff), len(handoff)),
        "by_lang": {k: share(sum(v), len(v)) for k, v in sorted(by_lang.items())},
        "by_expect": {k: share(sum(v), len(v)) for k, v in sorted(by_expect.items())},
        "p50_ms": round(statistics.median(ordered), 2) if ordered else 0.0,
        "p95_ms": round(_percentile(ordered, 0.95), 2) if ordered else 0.0,
        "results": results,
    }


def _percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, int(round(q * (len(ordered) - 1)))))
    return ordered[index]
