"""A minimal writer of ONNX model files (protobuf wire format), for faq/e5_onnx.py.

ONNX Runtime loads a model from bytes; the ``onnx`` package that usually writes them
takes about a second to import (its ``ml_dtypes`` extension), on every start. The graph
we build needs a handful of message types, written here field by field with the numbers
of onnx.proto (IR version 8). The tests check the result with ``onnx.checker``.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence

import numpy as np

FLOAT = 1  # TensorProto.DataType
INT64 = 7
_ATTRIBUTE_FLOAT, _ATTRIBUTE_INT, _ATTRIBUTE_INTS = 1, 2, 7  # AttributeProto.AttributeType
_TENSOR_TYPES = {np.dtype(np.float32): FLOAT, np.dtype(np.int64): INT64}


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative int64s are ten-byte two's complement
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return _varint(field << 3 | wire)


def _int(field: int, value: int) -> bytes:
    return _key(field, 0) + _varint(value)


def _bytes(field: int, value: bytes | str) -> bytes:
    raw = value.encode() if isinstance(value, str) else value
    return _key(field, 2) + _varint(len(raw)) + raw


def _float(field: int, value: float) -> bytes:
    return _key(field, 5) + struct.pack("<f", value)


def tensor(name: str, array: np.ndarray) -> bytes:
    """A TensorProto (an initializer) holding ``array`` as raw little-endian data."""
    array = np.asarray(array)
    if not array.flags.c_contiguous:
        array = array.copy(order="C")  # (np.ascontiguousarray would make a scalar 1-d)
    dims = b"".join(_int(1, d) for d in array.shape)
    return dims + _int(2, _TENSOR_TYPES[array.dtype]) + _bytes(8, name) + _bytes(9, array.astype(array.dtype.newbyteorder("<")).tobytes())


def attribute(name: str, value: float | int | Sequence[int]) -> bytes:
    if isinstance(value, float):
        return _bytes(1, name) + _float(2, value) + _int(20, _ATTRIBUTE_FLOAT)
    if isinstance(value, int):
        return _bytes(1, name) + _int(3, value) + _int(20, _ATTRIBUTE_INT)
    return _bytes(1, name) + b"".join(_int(8, v) for v in value) + _int(20, _ATTRIBUTE_INTS)


def node(op_type: str, inputs: Iterable[str], outputs: Iterable[str], **attributes: float | int | Sequence[int]) -> bytes:
    return (b"".join(_bytes(1, i) for i in inputs) + b"".join(_bytes(2, o) for o in outputs)
            + _bytes(4, op_type) + b"".join(_bytes(5, attribute(k, v)) for k, v in attributes.items()))


def value_info(name: str, elem_type: int, shape: Sequence[int | str]) -> bytes:
    """A graph input or output: a tensor of ``elem_type``; str dimensions are symbolic."""
    dims = b"".join(_bytes(1, _bytes(2, d) if isinstance(d, str) else _int(1, d)) for d in shape)
    tensor_type = _int(1, elem_type) + _bytes(2, dims)
    return _bytes(1, name) + _bytes(2, _bytes(1, tensor_type))


def model(name: str, nodes: Sequence[bytes], initializers: Sequence[bytes], inputs: Sequence[bytes],
          outputs: Sequence[bytes], opset: int = 17) -> bytes:
    """A ModelProto (IR version 8, the default operator set at ``opset``)."""
    # One copy of the (large) initializers: the graph's length is known before it is joined.
    parts = [*(_bytes(1, n) for n in nodes), _bytes(2, name)]
    for t in initializers:
        parts += [_key(5, 2), _varint(len(t)), t]
    parts += [*(_bytes(11, i) for i in inputs), *(_bytes(12, o) for o in outputs)]
    header = _int(1, 8) + _bytes(8, _bytes(1, "") + _int(2, opset)) + _key(7, 2) + _varint(sum(map(len, parts)))
    return b"".join([header, *parts])
