"""glTF accessors: validated header, then a strided numpy view copied out of the buffer.

Everything that decides how many bytes will be touched (count, offsets, stride, sparse
counts) is checked against the bufferView before any array exists, so a hostile count
can never make us allocate or read out of bounds.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .container import GltfDocument
from .fields import check_index, fail, get_bool, get_dict, get_int, get_str

BYTE, UNSIGNED_BYTE, SHORT, UNSIGNED_SHORT, UNSIGNED_INT, FLOAT = 5120, 5121, 5122, 5123, 5125, 5126
COMPONENT_DTYPES = {
    BYTE: np.dtype("<i1"),
    UNSIGNED_BYTE: np.dtype("<u1"),
    SHORT: np.dtype("<i2"),
    UNSIGNED_SHORT: np.dtype("<u2"),
    UNSIGNED_INT: np.dtype("<u4"),
    FLOAT: np.dtype("<f4"),
}
COMPONENT_NAMES = {
    BYTE: "BYTE",
    UNSIGNED_BYTE: "UNSIGNED_BYTE",
    SHORT: "SHORT",
    UNSIGNED_SHORT: "UNSIGNED_SHORT",
    UNSIGNED_INT: "UNSIGNED_INT",
    FLOAT: "FLOAT",
}
# (columns, rows): vectors are one column; matrices are stored column by column.
TYPE_SHAPES = {
    "SCALAR": (1, 1),
    "VEC2": (1, 2),
    "VEC3": (1, 3),
    "VEC4": (1, 4),
    "MAT2": (2, 2),
    "MAT3": (3, 3),
    "MAT4": (4, 4),
}
# Divisors that map normalized integers to [0, 1] or [-1, 1] (KHR spec, "Animations" and "Meshes").
NORMALIZE_DIVISORS = {BYTE: 127.0, UNSIGNED_BYTE: 255.0, SHORT: 32767.0, UNSIGNED_SHORT: 65535.0}
INDEX_COMPONENTS = (UNSIGNED_BYTE, UNSIGNED_SHORT, UNSIGNED_INT)
# Accessors without a bufferView (all zeros plus sparse values) have no buffer bounding their
# count, so their size is capped explicitly.
MAX_UNBACKED_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Accessor:
    """A validated accessor header."""

    index: int
    type: str
    component_type: int
    normalized: bool
    count: int
    buffer_view: int | None
    byte_offset: int
    sparse: dict | None

    @property
    def columns(self) -> int:
        return TYPE_SHAPES[self.type][0]

    @property
    def rows(self) -> int:
        return TYPE_SHAPES[self.type][1]

    @property
    def components(self) -> int:
        return self.columns * self.rows

    @property
    def component_size(self) -> int:
        return COMPONENT_DTYPES[self.component_type].itemsize

    @property
    def column_bytes(self) -> int:
        """Bytes per matrix column: columns of 1- and 2-byte matrices are padded to 4 bytes."""
        raw = self.rows * self.component_size
        return raw + (-raw % 4) if self.columns > 1 else raw

    @property
    def element_size(self) -> int:
        return self.columns * self.column_bytes

    @property
    def is_float(self) -> bool:
        return self.component_type == FLOAT

    def describe(self) -> str:
        norm = " normalized" if self.normalized else ""
        return f"{self.type} {COMPONENT_NAMES[self.component_type]}{norm}"


def normalize_integers(raw: np.ndarray, component_type: int) -> np.ndarray:
    """Normalized integers to float32 per the glTF spec: c/127 (clamped at -1), c/255, c/32767, c/65535."""
    out = raw.astype(np.float32) / np.float32(NORMALIZE_DIVISORS[component_type])
    if component_type in (BYTE, SHORT):
        np.maximum(out, -1.0, out=out)
    return out


class AccessorReader:
    """Decodes accessors of one document, each once (results are cached and read-only)."""

    def __init__(self, doc: GltfDocument):
        self.doc = doc
        self.count = len(doc.json.get("accessors", []))
        self._headers: dict[int, Accessor] = {}
        self._arrays: dict[int, np.ndarray] = {}

    def info(self, value, where: str) -> Accessor:
        """The header of the accessor referenced by `value` at JSON path `where`."""
        index = check_index(value, where, self.count, "accessor")
        if index not in self._headers:
            self._headers[index] = self._parse_header(index)
        return self._headers[index]

    def read(self, value, where: str) -> np.ndarray:
        """(count, components) array: float32 for FLOAT and normalized types, the integer type otherwise.
        Matrices come out column-major, as stored."""
        acc = self.info(value, where)
        if acc.index not in self._arrays:
            array = self._decode(acc)
            array.flags.writeable = False
            self._arrays[acc.index] = array
        return self._arrays[acc.index]

    def provide(self, index: int, array: np.ndarray, where: str) -> None:
        """Use `array` as the accessor's data instead of its bufferView: what a primitive's
        compressed geometry (KHR_draco_mesh_compression) decodes to. The array must have the
        accessor's count and components and `read`'s dtype rules (float32 for FLOAT and normalized
        accessors, the component's integer type otherwise)."""
        acc = self.info(index, where)
        if array.shape != (acc.count, acc.components):
            raise fail(where, f"decoded data has {array.shape[0]} x {array.shape[1] if array.ndim > 1 else 1} "
                              f"values, but accessor {index} declares {acc.count} x {acc.components}")
        if index not in self._arrays:
            array.flags.writeable = False
            self._arrays[index] = array

    def read_float(self, value, where: str) -> np.ndarray:
        """Like `read`, always float32 (non-normalized integers keep their integer values)."""
        array = self.read(value, where)
        return array if array.dtype == np.float32 else array.astype(np.float32)

    def _parse_header(self, index: int) -> Accessor:
        where = f"accessors[{index}]"
        raw = self.doc.json["accessors"][index]
        ctype = get_int(raw, "componentType", where)
        if ctype not in COMPONENT_DTYPES:
            raise fail(f"{where}.componentType", f"{ctype} is not a glTF component type")
        type_ = get_str(raw, "type", where, default="")
        if type_ not in TYPE_SHAPES:
            raise fail(f"{where}.type", f"'{type_}' is not a glTF accessor type")
        normalized = get_bool(raw, "normalized", where)
        if normalized and ctype not in NORMALIZE_DIVISORS:
            raise fail(where, f"normalized is not allowed for {COMPONENT_NAMES[ctype]} components")
        count = get_int(raw, "count", where, minimum=1)
        view = raw.get("bufferView")
        if view is not None:
            view = check_index(view, f"{where}.bufferView", len(self.doc.buffer_views), "bufferView")
        offset = get_int(raw, "byteOffset", where, default=0)
        sparse = get_dict(raw, "sparse", where) or None
        acc = Accessor(index, type_, ctype, normalized, count, view, offset, sparse)
        self._check_layout(acc, where)
        return acc

    def _check_layout(self, acc: Accessor, where: str) -> None:
        if acc.buffer_view is None:
            if acc.byte_offset:
                raise fail(where, "byteOffset without a bufferView")
            if acc.count * acc.element_size > MAX_UNBACKED_BYTES:
                raise fail(where, f"count {acc.count} is too large for an accessor without a bufferView")
            return
        view = self.doc.buffer_views[acc.buffer_view]
        size = acc.component_size
        if acc.byte_offset % size:
            raise fail(where, f"byteOffset {acc.byte_offset} is not a multiple of the {size}-byte component size")
        if (view.offset + acc.byte_offset) % size:
            raise fail(
                where,
                f"bufferView {acc.buffer_view} byteOffset {view.offset} + byteOffset {acc.byte_offset} "
                f"is not a multiple of the {size}-byte component size",
            )
        stride = view.stride or acc.element_size
        if stride < acc.element_size:
            raise fail(
                where,
                f"bufferView {acc.buffer_view} byteStride {stride} is smaller than its "
                f"{acc.element_size}-byte {acc.describe()} elements",
            )
        span = stride * (acc.count - 1) + acc.element_size
        if acc.byte_offset + span > view.length:
            raise fail(
                where,
                f"byteOffset {acc.byte_offset} + {span} bytes exceeds bufferView {acc.buffer_view} length "
                f"{view.length} ({acc.count} x {acc.element_size}-byte elements, stride {stride})",
            )

    def _decode(self, acc: Accessor) -> np.ndarray:
        dtype = COMPONENT_DTYPES[acc.component_type]
        if acc.buffer_view is None:
            raw = np.zeros((acc.count, acc.components), dtype=dtype.newbyteorder("="))
        else:
            view = self.doc.buffer_views[acc.buffer_view]
            raw = _elements(view.data, acc.byte_offset, acc.count, view.stride or acc.element_size, acc)
        if acc.sparse is not None:
            self._apply_sparse(acc, raw)
        if acc.normalized:
            return normalize_integers(raw, acc.component_type)
        return raw

    def _apply_sparse(self, acc: Accessor, raw: np.ndarray) -> None:
        where = f"accessors[{acc.index}].sparse"
        count = get_int(acc.sparse, "count", where, minimum=1)
        if count > acc.count:
            raise fail(where, f"count {count} exceeds the accessor's count {acc.count}")
        idx_json = get_dict(acc.sparse, "indices", where, required=True)
        ctype = get_int(idx_json, "componentType", f"{where}.indices")
        if ctype not in INDEX_COMPONENTS:
            raise fail(f"{where}.indices.componentType",
                       f"{ctype} is not UNSIGNED_BYTE, UNSIGNED_SHORT or UNSIGNED_INT")
        index_layout = Accessor(-1, "SCALAR", ctype, False, count, None, 0, None)
        indices = self._tight(idx_json, f"{where}.indices", index_layout).ravel()
        values = self._tight(get_dict(acc.sparse, "values", where, required=True), f"{where}.values", acc, count)
        if indices.size and int(indices.max()) >= acc.count:
            raise fail(f"{where}.indices", f"index {int(indices.max())} out of range (accessor count {acc.count})")
        raw[indices.astype(np.int64)] = values

    def _tight(self, part: dict, where: str, layout: Accessor, count: int | None = None) -> np.ndarray:
        """A tightly packed sparse indices/values block, bounds-checked against its bufferView."""
        count = layout.count if count is None else count
        views = self.doc.buffer_views
        view_index = check_index(part.get("bufferView"), f"{where}.bufferView", len(views), "bufferView")
        view = self.doc.buffer_views[view_index]
        offset = get_int(part, "byteOffset", where, default=0)
        if (view.offset + offset) % layout.component_size:
            raise fail(where, f"byteOffset {offset} is not aligned to the {layout.component_size}-byte component size")
        span = count * layout.element_size
        if offset + span > view.length:
            raise fail(where,
                       f"byteOffset {offset} + {span} bytes exceeds bufferView {view_index} length {view.length}")
        return _elements(view.data, offset, count, layout.element_size, layout)


def _elements(data: memoryview, offset: int, count: int, stride: int, acc: Accessor) -> np.ndarray:
    """Copy `count` (possibly strided, possibly column-padded) elements out of `data`."""
    dtype = COMPONENT_DTYPES[acc.component_type]
    size = dtype.itemsize
    if acc.columns > 1 and acc.column_bytes != acc.rows * size:
        shape, strides = (count, acc.columns, acc.rows), (stride, acc.column_bytes, size)
    else:
        shape, strides = (count, acc.components), (stride, size)
    view = np.ndarray(shape, dtype=dtype, buffer=data, offset=offset, strides=strides)
    return np.array(view, dtype=dtype.newbyteorder("=")).reshape(count, acc.components)
