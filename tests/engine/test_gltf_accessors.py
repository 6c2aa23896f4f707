"""Accessor decoding and validation (dxgl_engine.load.gltf.accessors) on generated files."""
from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from dxgl_engine.errors import InvalidFormat
from dxgl_engine.load.gltf.accessors import AccessorReader
from dxgl_engine.load.gltf.container import document_from_glb
from tests.gltf_builder import (
    BYTE,
    FLOAT,
    SHORT,
    UNSIGNED_BYTE,
    UNSIGNED_INT,
    UNSIGNED_SHORT,
    GltfBuilder,
)

ALL_TYPES = [BYTE, UNSIGNED_BYTE, SHORT, UNSIGNED_SHORT, UNSIGNED_INT, FLOAT]


def reader(builder: GltfBuilder) -> AccessorReader:
    return AccessorReader(document_from_glb(builder.glb(), "test.glb"))


def decode(builder: GltfBuilder, index: int) -> np.ndarray:
    return reader(builder).read(index, "test")


@pytest.mark.parametrize("ctype", ALL_TYPES)
def test_every_component_type_decodes_unnormalized(ctype):
    b = GltfBuilder()
    values = np.array([[0, 1, 2], [3, 100, 127], [7, 8, 9]])
    out = decode(b, b.accessor(values, ctype))
    assert out.shape == (3, 3)
    np.testing.assert_array_equal(out, values)
    expected_kind = "f" if ctype == FLOAT else ("i" if ctype in (BYTE, SHORT) else "u")
    assert out.dtype.kind == expected_kind


@pytest.mark.parametrize(
    "ctype, raw, expected",
    [
        (BYTE, [-128, -127, 0, 127], [-1.0, -1.0, 0.0, 1.0]),
        (UNSIGNED_BYTE, [0, 51, 255, 128], [0.0, 0.2, 1.0, 128 / 255]),
        (SHORT, [-32768, -32767, 16384, 32767], [-1.0, -1.0, 16384 / 32767, 1.0]),
        (UNSIGNED_SHORT, [0, 65535, 13107, 1], [0.0, 1.0, 0.2, 1 / 65535]),
    ],
)
def test_normalized_integers_follow_the_spec(ctype, raw, expected):
    b = GltfBuilder()
    out = decode(b, b.accessor(np.array([raw]), ctype, normalized=True))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out[0], expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("ctype", [FLOAT, UNSIGNED_INT])
def test_normalized_is_refused_for_float_and_uint(ctype):
    b = GltfBuilder()
    index = b.accessor(np.ones((2, 2)), ctype, normalized=True)
    with pytest.raises(InvalidFormat, match=r"accessors\[0\]: normalized is not allowed"):
        decode(b, index)


def test_interleaved_attributes_with_byte_stride():
    b = GltfBuilder()
    pos = np.arange(12, dtype=np.float32).reshape(4, 3)
    nrm = np.array([[127, 0, 0], [0, -127, 0], [0, 0, 127], [-127, 0, 0]])
    uv = np.array([[0, 65535], [65535, 0], [32768, 32768], [1, 2]])
    ip, inrm, iuv = b.interleaved((pos, FLOAT), (nrm, BYTE), (uv, UNSIGNED_SHORT), normalized=(False, True, True))
    assert b.gltf["bufferViews"][0]["byteStride"] == 12 + 4 + 4
    r = reader(b)
    np.testing.assert_array_equal(r.read(ip, "p"), pos)
    np.testing.assert_allclose(r.read(inrm, "n"), nrm / 127.0, atol=1e-7)
    np.testing.assert_allclose(r.read(iuv, "u"), uv / 65535.0, atol=1e-7)


def test_stride_larger_than_the_element_skips_the_padding():
    b = GltfBuilder()
    values = np.arange(15, dtype=np.float32).reshape(5, 3)
    index = b.accessor(values, FLOAT, byte_stride=32)
    np.testing.assert_array_equal(decode(b, index), values)


@pytest.mark.parametrize(
    "type_, ctype, element",
    [("MAT2", UNSIGNED_BYTE, 8), ("MAT3", BYTE, 12), ("MAT3", SHORT, 24), ("MAT4", FLOAT, 64)],
)
def test_matrix_columns_are_padded_to_four_bytes(type_, ctype, element):
    n = int(type_[-1])
    b = GltfBuilder()
    values = (np.arange(2 * n * n) % 100).reshape(2, n * n)
    index = b.accessor(values, ctype, type_=type_)
    assert b.gltf["bufferViews"][0]["byteLength"] == 2 * element
    np.testing.assert_array_equal(decode(b, index), values)


def test_sparse_accessor_over_a_buffer_view():
    b = GltfBuilder()
    base = np.zeros((6, 3), np.float32) + 1.0
    index = b.sparse_accessor(6, values=[[5, 5, 5], [9, 9, 9]], indices=[1, 4], base=base)
    out = decode(b, index)
    expected = base.copy()
    expected[[1, 4]] = [[5, 5, 5], [9, 9, 9]]
    np.testing.assert_array_equal(out, expected)


def test_sparse_accessor_without_buffer_view_starts_from_zeros():
    b = GltfBuilder()
    index = b.sparse_accessor(5, values=[[2.5, 0, 0]], indices=[3], index_type=UNSIGNED_BYTE)
    out = decode(b, index)
    assert out.shape == (5, 3)
    np.testing.assert_array_equal(out[3], [2.5, 0, 0])
    assert not out[[0, 1, 2, 4]].any()


def test_sparse_values_are_normalized_with_the_accessor():
    b = GltfBuilder()
    index = b.sparse_accessor(3, values=[[255, 0]], indices=[2], component_type=UNSIGNED_BYTE,
                              index_type=UNSIGNED_INT, normalized=True)
    np.testing.assert_allclose(decode(b, index), [[0, 0], [0, 0], [1, 0]])


def test_decoded_arrays_are_cached_and_read_only():
    b = GltfBuilder()
    index = b.accessor(np.ones((3, 3), np.float32))
    r = reader(b)
    first = r.read(index, "x")
    assert r.read(index, "x") is first
    assert not first.flags.writeable


# -- validation ----------------------------------------------------------------------------------


def _one_accessor(**overrides) -> GltfBuilder:
    b = GltfBuilder()
    b.accessor(np.zeros((3, 3), np.float32))
    b.gltf["accessors"][0].update(overrides)
    return b


def test_accessor_past_the_end_of_its_buffer_view():
    b = _one_accessor(byteOffset=12)  # 12 + 36 > 36
    message = r"accessors\[0\]: byteOffset 12 \+ 36 bytes exceeds bufferView 0 length 36"
    with pytest.raises(InvalidFormat, match=message):
        decode(b, 0)


def test_huge_count_is_refused_before_allocating():
    b = _one_accessor(count=2**40)
    tracemalloc.start()
    try:
        with pytest.raises(InvalidFormat, match=r"accessors\[0\]: .* exceeds bufferView 0 length 36"):
            decode(b, 0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20  # refused from the header: nothing near 2**40 elements was allocated


def test_huge_count_without_buffer_view_is_refused():
    b = GltfBuilder()
    b.add("accessors", {"componentType": FLOAT, "type": "VEC3", "count": 2**34})
    with pytest.raises(InvalidFormat, match=r"accessors\[0\]: count 17179869184 is too large"):
        decode(b, 0)


def test_zero_count_is_refused():
    with pytest.raises(InvalidFormat, match=r"accessors\[0\]\.count: must be >= 1"):
        decode(_one_accessor(count=0), 0)


def test_unknown_component_type_and_type():
    with pytest.raises(InvalidFormat, match=r"accessors\[0\]\.componentType: 5124 is not a glTF component type"):
        decode(_one_accessor(componentType=5124), 0)
    with pytest.raises(InvalidFormat, match=r"accessors\[0\]\.type: 'VEC5' is not a glTF accessor type"):
        decode(_one_accessor(type="VEC5"), 0)


def test_misaligned_byte_offset():
    b = GltfBuilder()
    b.buffer_view(np.zeros(64, np.uint8).tobytes())
    b.add("accessors", {"bufferView": 0, "byteOffset": 2, "componentType": FLOAT, "type": "SCALAR", "count": 2})
    with pytest.raises(InvalidFormat, match=r"accessors\[0\]: byteOffset 2 is not a multiple of the 4-byte component"):
        decode(b, 0)


def test_stride_smaller_than_the_element():
    b = GltfBuilder()
    b.buffer_view(np.zeros(64, np.uint8).tobytes(), byte_stride=8)
    b.add("accessors", {"bufferView": 0, "componentType": FLOAT, "type": "VEC3", "count": 2})
    with pytest.raises(InvalidFormat, match=r"byteStride 8 is smaller than its 12-byte VEC3 FLOAT elements"):
        decode(b, 0)


@pytest.mark.parametrize("stride", [2, 6, 256])
def test_byte_stride_must_be_a_multiple_of_four_within_range(stride):
    b = GltfBuilder()
    b.buffer_view(np.zeros(1024, np.uint8).tobytes(), byte_stride=stride)
    message = rf"bufferViews\[0\]\.byteStride: {stride} must be a multiple of 4 between 4 and 252"
    with pytest.raises(InvalidFormat, match=message):
        reader(b)


def test_buffer_view_past_the_end_of_its_buffer():
    b = GltfBuilder()
    b.buffer_view(np.zeros(48, np.uint8).tobytes())
    b.gltf["bufferViews"][0]["byteLength"] = 100
    message = r"bufferViews\[0\]: byteOffset 0 \+ byteLength 100 exceeds buffer 0 length 48"
    with pytest.raises(InvalidFormat, match=message):
        reader(b)


def test_dangling_buffer_view_reference():
    with pytest.raises(InvalidFormat, match=r"accessors\[0\]\.bufferView: bufferView 7 does not exist"):
        decode(_one_accessor(bufferView=7), 0)


def test_sparse_index_out_of_range():
    b = GltfBuilder()
    index = b.sparse_accessor(4, values=[[1.0]], indices=[9])
    message = r"accessors\[0\]\.sparse\.indices: index 9 out of range \(accessor count 4\)"
    with pytest.raises(InvalidFormat, match=message):
        decode(b, index)


def test_sparse_count_larger_than_the_accessor():
    b = GltfBuilder()
    index = b.sparse_accessor(2, values=[[1.0], [2.0], [3.0]], indices=[0, 1, 1])
    with pytest.raises(InvalidFormat, match=r"sparse: count 3 exceeds the accessor's count 2"):
        decode(b, index)


def test_sparse_values_past_their_buffer_view():
    b = GltfBuilder()
    index = b.sparse_accessor(4, values=[[1.0]], indices=[1])
    b.gltf["accessors"][index]["sparse"]["values"]["byteOffset"] = 4
    with pytest.raises(InvalidFormat, match=r"sparse\.values: byteOffset 4 \+ 4 bytes exceeds bufferView"):
        decode(b, index)
