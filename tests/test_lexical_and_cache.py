import numpy as np
import pytest

from faq.cache import CachedEncoder
from faq.encoders import Encoder
from faq.lexical import LexicalIndex
from faq.text import fold


def test_lexical_index_finds_a_question_despite_typos():
    index = LexicalIndex(["How do I get a refund?", "Where is my parcel?", "Do you ship abroad?"])
    scores = index.scores("how do i get a refnud")
    assert int(np.argmax(scores)) == 0
    assert scores[0] > 0.5 > scores[1]


def test_lexical_index_ignores_words_it_never_saw():
    index = LexicalIndex(["Where is my parcel?"])
    assert index.scores("zzz qqq")[0] == 0.0


def test_fold_unifies_arabic_and_persian_letters_and_drops_punctuation():
    assert fold("كيف؟") == fold("کیف")
    assert fold("Hello,   WORLD!!") == "hello world"


class CountingEncoder(Encoder):
    """A real (deterministic) encoder that counts how many texts it was asked to encode."""

    def __init__(self):
        self.encoded = 0

    @property
    def name(self):
        return "counting:v1"

    @property
    def dim(self):
        return 8

    def encode(self, texts):
        self.encoded += len(texts)
        rng = [np.random.default_rng(abs(hash(t)) % 2**32).standard_normal(8) for t in texts]
        m = np.array(rng, dtype=np.float32)
        return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_embedding_cache_survives_a_restart_and_encodes_only_new_texts(tmp_path):
    first = CountingEncoder()
    cached = CachedEncoder(first, tmp_path)
    a = cached.encode_cached(["one", "two", "three"])
    assert first.encoded == 3

    second = CountingEncoder()  # a new process: same model, same cache directory
    again = CachedEncoder(second, tmp_path).encode_cached(["one", "two", "three", "four"])
    assert second.encoded == 1  # only "four"
    assert np.allclose(again[:3], a)


def test_corrupt_cache_file_is_rebuilt_not_fatal(tmp_path):
    enc = CountingEncoder()
    CachedEncoder(enc, tmp_path).encode_cached(["one"])
    for f in tmp_path.iterdir():
        f.write_bytes(b"not a numpy file")
    enc2 = CountingEncoder()
    out = CachedEncoder(enc2, tmp_path).encode_cached(["one"])
    assert enc2.encoded == 1 and out.shape == (1, 8)


def test_embedding_cache_drops_the_least_recently_used_texts_past_its_bound(tmp_path):
    enc = CountingEncoder()
    cached = CachedEncoder(enc, tmp_path, keep=8)
    old = [f"old {i}" for i in range(4)]
    bank = [f"bank {i}" for i in range(4)]
    cached.encode_cached(old)
    first = cached.encode_cached(bank)
    cached.encode_cached(bank[:2])  # the live bank is asked for again; the old texts are not
    edit = cached.encode_cached(bank[2:] + ["edited 1", "edited 2"])  # 10 texts > 8: down to 6
    assert len(cached) == 6
    assert np.allclose(edit[:2], first[2:])  # what was returned is what was asked for

    restarted = CountingEncoder()
    again = CachedEncoder(restarted, tmp_path, keep=8)
    assert len(again) == 6
    again.encode_cached(bank + ["edited 1", "edited 2"])
    assert restarted.encoded == 0  # the bank and its edit survived, from disk
    again.encode_cached(old[:1])
    assert restarted.encoded == 1  # the oldest texts were the ones dropped


def test_embedding_cache_never_drops_the_texts_it_was_just_asked_for(tmp_path):
    enc = CountingEncoder()
    cached = CachedEncoder(enc, tmp_path, keep=4)
    big = [f"question {i}" for i in range(10)]
    out = cached.encode_cached(big)  # one bank larger than the bound: kept whole
    assert len(cached) == 10 and out.shape == (10, 8)
    restarted = CountingEncoder()
    CachedEncoder(restarted, tmp_path, keep=4).encode_cached(big)
    assert restarted.encoded == 0


def test_a_bank_built_in_several_requests_is_kept_whole_however_small_the_bound(tmp_path, caplog):
    def build(encoder):
        cached = CachedEncoder(encoder, tmp_path, keep=4)
        with cached.building():  # questions, answers, passages: as the matcher asks
            for kind in ("question", "answer", "passage"):
                cached.encode_cached([f"{kind} {i}" for i in range(3)])
        return cached

    assert len(build(CountingEncoder())) == 9
    assert "more than model.cache_texts" in caplog.text
    again = CountingEncoder()
    build(again)
    assert again.encoded == 0


def test_a_bank_served_from_the_cache_is_not_dropped_for_one_built_once_elsewhere(tmp_path):
    served = [f"served {i}" for i in range(4)]
    CachedEncoder(CountingEncoder(), tmp_path, keep=8).encode_cached(served)
    CachedEncoder(CountingEncoder(), tmp_path, keep=8).encode_cached([f"tuning {i}" for i in range(4)])
    CachedEncoder(CountingEncoder(), tmp_path, keep=8).encode_cached(served)  # a restart: nothing new, use recorded
    CachedEncoder(CountingEncoder(), tmp_path, keep=8).encode_cached(["evaluation 1", "evaluation 2"])  # 10 > 8: to 6
    restarted = CountingEncoder()
    CachedEncoder(restarted, tmp_path, keep=8).encode_cached(served)
    assert restarted.encoded == 0


def test_an_unreadable_record_of_use_rebuilds_the_cache_instead_of_failing(tmp_path):
    CachedEncoder(CountingEncoder(), tmp_path).encode_cached(["one", "two"])
    path = next(tmp_path.glob("*.npz"))
    with np.load(path) as data:
        np.savez(path, keys=data["keys"], vectors=data["vectors"], used=np.array([2**63 - 1, 0]))
    later = CountingEncoder()
    assert CachedEncoder(later, tmp_path).encode_cached(["one"]).shape == (1, 8) and later.encoded == 1


def test_embedding_cache_written_before_the_bound_is_read_and_trimmed(tmp_path):
    enc = CountingEncoder()
    CachedEncoder(enc, tmp_path, keep=None).encode_cached([f"t {i}" for i in range(12)])
    path = next(tmp_path.glob("*.npz"))
    with np.load(path) as data:  # the file as it was before records of use
        np.savez(path, keys=data["keys"], vectors=data["vectors"])
    later = CountingEncoder()
    cached = CachedEncoder(later, tmp_path, keep=8)
    cached.encode_cached(["t 0", "t 1"])  # hits only, but the file is over the bound
    assert later.encoded == 0 and len(cached) == 6
    assert len(CachedEncoder(CountingEncoder(), tmp_path, keep=8)) == 6


def test_embedding_cache_bound_is_a_positive_number_in_the_config(tmp_path):
    from bot.config import ConfigError, load_config

    config = tmp_path / "config.yml"
    config.write_text("bank: bank.yml\nmodel:\n  cache_texts: 50000\n")
    assert load_config(config).model.cache_texts == 50000
    config.write_text("bank: bank.yml\nmodel:\n  cache_texts: lots\n")
    with pytest.raises(ConfigError, match=r"config.yml.*model.cache_texts: must be a whole number above 0, not 'lots'"):
        load_config(config)


# -- memos: what a bank's load derives from its texts, kept between starts ------------------
def test_text_memo_derives_each_text_once_and_again_under_another_version(tmp_path):
    from faq.memo import TextMemo

    calls = []

    def derive(text):
        calls.append(text)
        return {text.split()[0], "seen"}

    first = TextMemo(tmp_path, "facts", "v1").map(["refund please", "where is it"], derive)
    assert first == [frozenset({"refund", "seen"}), frozenset({"where", "seen"})]
    again = TextMemo(tmp_path, "facts", "v1")  # a restart
    assert again.map(["where is it", "refund please", "new one"], derive) == [
        frozenset({"where", "seen"}), frozenset({"refund", "seen"}), frozenset({"new", "seen"})]
    assert calls == ["refund please", "where is it", "new one"] and again.derived == 1
    TextMemo(tmp_path, "facts", "v2").map(["refund please"], derive)  # another lexicon or release
    assert calls[-1] == "refund please" and len(calls) == 4
    assert TextMemo(None, "facts", "v1").map(["x y"], derive) == [frozenset({"x", "seen"})]  # no directory: no file


def test_unreadable_memos_are_rebuilt_not_fatal(tmp_path, caplog):
    from faq.memo import ArrayMemo, TextMemo

    (tmp_path / "facts.json").write_text("{not json", encoding="utf-8")
    ArrayMemo(tmp_path, "index").path("k1").write_bytes(b"garbage")
    assert TextMemo(tmp_path, "facts", "v1").map(["a b"], lambda t: {"a"}) == [frozenset({"a"})]
    def values(arrays):
        if arrays["x"].ndim != 1:
            raise ValueError("not a row")
        return arrays["x"].tolist()

    memo = ArrayMemo(tmp_path, "index")
    assert memo.get("k1", lambda: {"x": np.arange(3)}, values) == [0, 1, 2] and memo.built == 1
    assert "unreadable" in caplog.text
    again = ArrayMemo(tmp_path, "index")
    assert again.get("k1", lambda: {"x": np.zeros(1)}, values) == [0, 1, 2] and again.built == 0
    assert again.get("k2", lambda: {"x": np.ones(2)}, values) == [1.0, 1.0] and again.built == 1  # other inputs
    # Loadable but damaged (what read() refuses): built again, not fatal.
    np.savez(ArrayMemo(tmp_path, "index").path("k3"), memo_key=np.array("k3"), x=np.zeros((2, 2)))
    damaged = ArrayMemo(tmp_path, "index")
    assert damaged.get("k3", lambda: {"x": np.arange(2)}, values) == [0, 1] and damaged.built == 1
    assert "does not read back" in caplog.text


def test_array_memo_keeps_the_most_recently_used_inputs_of_a_kind(tmp_path):
    """Banks sharing a cache folder (tuning folds, evaluation runs, an edit undone) keep their
    own arrays; edits do not pile up files; another kind's files are left alone."""
    import os

    from faq.memo import ArrayMemo

    def arrays(n):
        return lambda: {"x": np.full(2, n)}

    def first(a):
        return int(a["x"][0])

    np.savez(tmp_path / "index.npz", memo_key=np.array("old"), x=np.zeros(2))  # an older release's file
    other = ArrayMemo(tmp_path, "index-extra")  # a kind named like this one
    other.get("e", arrays(5), first)
    memo = ArrayMemo(tmp_path, "index", keep=2)
    for n, key in enumerate(["A/1", "b 2", "A/1", "b 2"]):  # any key: files are named by its digest
        assert memo.get(key, arrays(n), first) == {"A/1": 0, "b 2": 1}[key]
    assert memo.built == 2  # the two alternate without rebuilding each other
    assert not (tmp_path / "index.npz").exists() and other.path("e").exists()
    os.utime(memo.path("A/1"), ns=(1, 1))  # "b 2" is now the most recently used …
    assert memo.get("c3", arrays(7), first) == 7
    assert sorted(tmp_path.glob("index-*.npz")) == sorted([memo.path("b 2"), memo.path("c3"), other.path("e")])
    assert memo.get("b 2", arrays(9), first) == 1 and memo.built == 3  # … so "A/1" went, "b 2" stayed


def test_lexical_index_from_its_memo_scores_as_built(tmp_path):
    from faq.memo import ArrayMemo

    texts = ["How do I get a refund?", "Where is my parcel?", "  ", "Ünïcode café — naïve"]
    built = LexicalIndex(texts, memo=ArrayMemo(tmp_path, "trigrams"))
    memo = ArrayMemo(tmp_path, "trigrams")
    kept = LexicalIndex(texts, memo=memo)
    assert memo.built == 0
    for message in ["refnud", "parcel where", "cafe naive", "nothing known"]:
        assert np.array_equal(built.scores(message), kept.scores(message))
    assert np.array_equal(LexicalIndex(texts).scores("refund"), kept.scores("refund"))


def test_text_memo_forgets_texts_edited_away_once_it_outgrows_the_bank(tmp_path):
    from faq.memo import TextMemo

    old = [f"old question {i}" for i in range(1500)]
    TextMemo(tmp_path, "facts", "v1").map(old, lambda t: {t})
    current = ["where is my order", "old question 7"]
    memo = TextMemo(tmp_path, "facts", "v1")
    assert memo.map(current, lambda t: {t}) == [frozenset({t}) for t in current] and memo.derived == 1
    again = TextMemo(tmp_path, "facts", "v1")
    assert again.map(["old question 8"], lambda t: {"derived again"}) == [frozenset({"derived again"})]  # pruned
    assert again.map(current, lambda t: {"stale"}) == [frozenset({t}) for t in current]  # kept


def test_fold_keeps_an_armenian_word_whole_around_its_stress_marks():
    # ՞ ՛ ՜ sit on the stressed vowel inside the word: "կապվե՞ք" is one word, "կապվեք".
    assert fold("Կարո՞ղ եք ինձ հետ կապվե՛ք։ Վա՜յ") == "կարող եք ինձ հետ կապվեք վայ"
