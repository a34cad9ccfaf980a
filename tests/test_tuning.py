"""``helpline tune``: the vectorised search scores thresholds exactly as the live rule decides."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import yaml
import pytest

from bot.cli import main
from bot.config import load_config
from faq.matcher import Candidate, Verdict, judge, judged_by
from faq.settings import Calibration, Thresholds
from faq.tuning import HANDOFF, Observation, _recalibrate, _Table, tune

ROOT = Path(__file__).resolve().parent.parent


def random_observations(n: int, seed: int = 11) -> list[Observation]:
    rng = np.random.default_rng(seed)
    observations = []
    for _ in range(n):
        scores = np.sort(rng.uniform(0.3, 1.0, 4))[::-1]
        ids = rng.permutation(["a", "b", "c", "d"])
        candidates = tuple(Candidate(str(i), "d", 0.0, float(s), bool(rng.random() < 0.5)) for i, s in zip(ids, scores))
        expect = HANDOFF if rng.random() < 0.25 else str(rng.choice(["a", "b", "c", "d"]))
        phrasings = float(rng.choice([1.0, 1.5, 2.0, 4.0]))
        observations.append(Observation(expect, candidates, bool(rng.random() < 0.5), phrasings=phrasings))
    return observations


@pytest.mark.parametrize("thresholds", [Thresholds(answer=0.6, margin=0.05, clarify=0.4),
                                        Thresholds(answer=0.8, margin=0.0, clarify=0.2),
                                        Thresholds(answer=0.5, margin=0.08, clarify=0.5),
                                        Thresholds(answer=0.5, margin=0.08, clarify=0.3, sure=0.7),
                                        Thresholds(answer=0.6, margin=0.05, clarify=0.4, sure=0.6)])
def test_the_vectorised_search_agrees_with_judge(thresholds):
    calibration = Calibration(a=6.0, b=8.0, c=-5.0, d=0.8, e=0.5)
    observations = [replace(o, candidates=_recalibrate(o.candidates, calibration, o.foreign)) for o in random_observations(300)]
    table = _Table.build(observations, choices=3)
    result = table.score(thresholds, table.n_close(thresholds.margin), calibration, clarify_credit=0.0)

    right = wrong = 0
    for o in observations:
        verdict, _, chosen = judge(o.candidates, judged_by(thresholds, o.phrasings), 3)
        if verdict is Verdict.ANSWER:
            right += chosen[0].entry_id == o.expect
            wrong += chosen[0].entry_id != o.expect
        elif verdict is Verdict.HANDOFF:
            right += o.expect == HANDOFF
    assert result.accuracy == pytest.approx(right / len(observations))
    assert result.wrong_answer_rate == pytest.approx(wrong / len(observations))


def test_tune_keeps_wrong_answers_within_the_budget():
    observations = random_observations(400, seed=5)
    for budget in (0.01, 0.05):
        assert tune(observations, Thresholds(), max_wrong=budget).wrong_answer_rate <= budget


def near_ties(n: int, right: bool, phrasings: float = 3.0) -> list[Observation]:
    """Messages whose two best entries are 0.01 apart, with the best one right (or wrong)."""
    return [Observation("a" if right else "b", (Candidate("a", "d", 0.0, 1.45 - i * 0.001), Candidate("b", "d", 0.0, 1.44 - i * 0.001)),
                        phrasings=phrasings) for i in range(n)]


def test_tune_answers_sure_near_ties_only_when_they_are_right():
    # One outcome only: tune keeps the default calibration, which gives these scores 0.9 or more.
    keep_all = tune(near_ties(50, right=True), Thresholds(), max_wrong=0.02, margins=(0.05,))
    assert keep_all.thresholds.sure < 1.0 and keep_all.accuracy == 1.0  # answered, not offered as choices
    # The same near-ties all wrong: answering them would blow the budget, so none is.
    none = tune(near_ties(50, right=False), Thresholds(), max_wrong=0.02, margins=(0.05,))
    assert none.wrong_answer_rate == 0.0 and none.answered == 0.0
    # In a bank with one question per entry a near-tie is never answered outright, however sure.
    terse = tune(near_ties(50, right=True, phrasings=1.0), Thresholds(), max_wrong=0.02, margins=(0.05,))
    assert terse.answered == 0.0 and terse.clarified == 1.0


def test_tune_command_writes_a_config_that_loads(tmp_path, capsys):
    text = (ROOT / "config.yml").read_text(encoding="utf-8")
    text = re.sub(r"^bank: \S+", f"bank: {ROOT / 'data' / 'bank'}", text, flags=re.M)
    text = text.replace("phrases: data/phrases.yml", f"phrases: {ROOT / 'data' / 'phrases.yml'}")
    text = text.replace("cache_dir: var/cache", f"cache_dir: {ROOT / 'var' / 'cache'}")
    text = re.sub(r"small_bank_penalty: [\d.]+", "small_bank_penalty: 0.7", text)  # not the default
    config = tmp_path / "config.yml"
    config.write_text(text, encoding="utf-8")

    code = main(["tune", str(ROOT / "data" / "bank"), "--config", str(config),
                 "--cases", str(ROOT / "data" / "eval" / "demo-cases.yml"), "--cross-lingual", "--max-wrong", "0.02", "--write"])
    assert code == 0
    out = capsys.readouterr().out
    assert "at most two per entry" in out and re.search(r"wrong answers (\d+\.\d)%", out)
    assert float(re.search(r"wrong answers (\d+\.\d)%", out).group(1)) <= 2.0

    tuned = load_config(config).matcher
    assert tuned.calibration.a > 0 and tuned.calibration.e > 0  # an endorsing answer counts for something
    assert 0.3 <= tuned.thresholds.answer <= 0.95
    sure = re.search(r"^  sure: ([\d.]+) +# from this confidence", config.read_text(encoding="utf-8"), re.M)
    assert sure and tuned.thresholds.sure == float(sure.group(1))  # written in its place, comment kept
    assert tuned.calibration.small_bank_penalty == 0.7  # kept as configured, not fitted
    written = config.read_text(encoding="utf-8")
    assert "routing:" in written  # the rest of the file is kept
    # ...and so are the comments on the settings written again, where they were
    assert re.search(r"^  route: [\d.]+ +# handoffs go to the department", written, re.M)
    assert re.search(r"^    small_bank_penalty: 0.7 +# \.\.\.by this", written, re.M)


def test_tune_pools_several_banks_and_keeps_a_margin_for_near_ties(tmp_path, capsys):
    heldout = ROOT / "data" / "eval" / "heldout"
    code = main(["tune", str(ROOT / "data" / "bank"), "--config", str(ROOT / "config.yml"),
                 "--cases", str(ROOT / "data" / "eval" / "demo-cases.yml"),
                 "--also", str(heldout / "bank.yml"), str(heldout / "cases.yml"),
                 "--max-wrong", "0.02", "--min-margin", "0.03"])
    assert code == 0
    out = capsys.readouterr().out
    pooled = int(re.search(r"tuned on (\d+) messages", out).group(1))
    assert "heldout/cases.yml" in out
    block = yaml.safe_load(out.split("matcher settings for config.yml:\n", 1)[1])
    assert block["matcher"]["margin"] >= 0.03
    main(["tune", str(ROOT / "data" / "bank"), "--config", str(ROOT / "config.yml"),
          "--cases", str(ROOT / "data" / "eval" / "demo-cases.yml"), "--max-wrong", "0.02"])
    one_bank = int(re.search(r"tuned on (\d+) messages", capsys.readouterr().out).group(1))
    assert pooled > one_bank + 150  # the telecom cases were added to the demo ones


def test_tune_says_when_no_message_was_in_another_language(tmp_path, capsys):
    cases = yaml.safe_load((ROOT / "data" / "eval" / "demo-cases.yml").read_text(encoding="utf-8"))
    english = [c for c in cases["cases"] if c["lang"] == "en"]
    assert 20 < len(english) < len(cases["cases"])
    (tmp_path / "english.yml").write_text(yaml.safe_dump({"cases": english}, allow_unicode=True), encoding="utf-8")
    bank = ROOT / "data" / "bank"
    assert main(["tune", str(bank), "--config", str(ROOT / "config.yml"), "--cases", str(tmp_path / "english.yml")]) == 0
    assert "has not seen\n  customers writing other languages" in capsys.readouterr().out
    assert main(["tune", str(bank), "--config", str(ROOT / "config.yml"),
                 "--cases", str(ROOT / "data" / "eval" / "demo-cases.yml")]) == 0
    assert "has not seen" not in capsys.readouterr().out


def test_tuning_scores_a_message_as_live_traffic_does(demo_responder):
    # An opening greeting is taken off before matching, in tuning as in a reading; the message's
    # language says whether it is foreign (Hebrew: the demo bank has no Hebrew questions).
    matcher = demo_responder.brain.matcher
    greeted, foreign = matcher.scored("שלום! מתי ההזמנה שלי תגיע?")
    plain, _ = matcher.scored("מתי ההזמנה שלי תגיע?")
    assert foreign and (greeted.combined == plain.combined).all()
    assert matcher.read("שלום! מתי ההזמנה שלי תגיע?").matched_text == "מתי ההזמנה שלי תגיע?"
    assert matcher.scored("🙂 !!") is None
