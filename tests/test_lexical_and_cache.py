import numpy as np

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
