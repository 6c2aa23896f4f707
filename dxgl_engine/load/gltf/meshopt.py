"""meshopt-compressed buffer views (EXT_meshopt_compression and its Khronos successor,
KHR_meshopt_compression) decoded back into the plain bytes the accessors read.

A compressed bufferView names where its compressed bytes are (`buffer`, `byteOffset`,
`byteLength` inside the extension) and what they decode to: `count` elements of `byteStride`
bytes, in one of three modes (ATTRIBUTES: the vertex codec; TRIANGLES and INDICES: the index
codecs) with an optional filter undone after decoding (OCTAHEDRAL normals and tangents,
QUATERNION rotations, EXPONENTIAL floats, and COLOR in the KHR extension). The view's own
`buffer` then usually points at a *fallback* buffer: marked `"fallback": true`, it holds either
nothing or the uncompressed copy for loaders without the extension. dxgl decodes, so such a
buffer is never read, as both specifications allow.

The codecs themselves are meshoptimizer's, through the `meshopt` package (its bindings release
the GIL); this module checks everything the extension's JSON says before any byte is decoded.
Sources: github.com/KhronosGroup/glTF/tree/main/extensions/2.0/Vendor/EXT_meshopt_compression
and .../Khronos/KHR_meshopt_compression.
"""
from __future__ import annotations

import meshopt

from .fields import check_index, fail, get_dict, get_int, get_str

# Both names share one JSON schema; the Khronos one adds the COLOR filter and version 1 of the
# vertex codec (the codec reads its version from the stream's first byte).
EXTENSIONS = ("KHR_meshopt_compression", "EXT_meshopt_compression")
MODES = ("ATTRIBUTES", "TRIANGLES", "INDICES")
FILTERS = {
    "EXT_meshopt_compression": ("NONE", "OCTAHEDRAL", "QUATERNION", "EXPONENTIAL"),
    "KHR_meshopt_compression": ("NONE", "OCTAHEDRAL", "QUATERNION", "EXPONENTIAL", "COLOR"),
}
# Element sizes each filter was defined for (the specification's "Filters" section).
FILTER_STRIDES = {"OCTAHEDRAL": (4, 8), "QUATERNION": (8,), "COLOR": (4, 8)}
# One decoded view at most: the vertex codec stores an unchanging byte in two bits, so a hostile
# file could ask a few megabytes to expand into gigabytes; a real view of a 2M-triangle scan is
# about 100 MiB.
MAX_DECODED_BYTES = 1 << 30


def compression(view: dict, where: str) -> tuple[str, dict] | None:
    """(extension name, its object) when the bufferView is meshopt-compressed, else None."""
    extensions = get_dict(view, "extensions", where)
    for name in EXTENSIONS:
        if name in extensions:
            return name, get_dict(extensions, name, f"{where}.extensions")
    return None


def is_fallback(buffer: dict, where: str) -> bool:
    """Whether a buffer is a meshopt fallback: only compressed views point at it."""
    extensions = get_dict(buffer, "extensions", where)
    for name in EXTENSIONS:
        ext = get_dict(extensions, name, f"{where}.extensions")
        if ext.get("fallback") is True:
            return True
    return False


def decode_view(name: str, ext: dict, where: str, view_length: int, buffers: list[memoryview]) -> bytes:
    """The plain bytes of a compressed bufferView: `count * byteStride` bytes, which must equal the
    view's byteLength. Raises InvalidFormat naming the JSON path for any inconsistent field or a
    stream the codec rejects."""
    path = f"{where}.extensions.{name}"
    buffer = check_index(ext.get("buffer"), f"{path}.buffer", len(buffers), "buffer")
    offset = get_int(ext, "byteOffset", path, default=0)
    length = get_int(ext, "byteLength", path, minimum=1)
    stride = get_int(ext, "byteStride", path, minimum=1)
    count = get_int(ext, "count", path, minimum=1)
    mode = get_str(ext, "mode", path, default="")
    filter_ = get_str(ext, "filter", path, default="NONE")
    if mode not in MODES:
        raise fail(f"{path}.mode", f"'{mode}' is not one of {', '.join(MODES)}")
    if filter_ not in FILTERS[name]:
        raise fail(f"{path}.filter", f"'{filter_}' is not one of {', '.join(FILTERS[name])}")
    _check_layout(path, mode, filter_, stride, count)
    if count * stride != view_length:
        raise fail(path, f"count {count} x byteStride {stride} = {count * stride} bytes, but the bufferView's "
                         f"byteLength is {view_length}")
    if count * stride > MAX_DECODED_BYTES:
        raise fail(path, f"decodes to {count * stride:,} bytes, more than dxgl's {MAX_DECODED_BYTES:,}-byte limit")
    source = buffers[buffer]
    if offset + length > len(source):
        raise fail(path, f"byteOffset {offset} + byteLength {length} exceeds buffer {buffer} length {len(source)}")
    try:
        decoded = meshopt.decode_gltf_buffer(bytes(source[offset : offset + length]), count, stride, mode,
                                             None if filter_ == "NONE" else filter_)
    except (ValueError, RuntimeError) as err:
        raise fail(path, f"the compressed {mode.lower()} data cannot be decoded ({err})") from None
    return decoded.tobytes()


def _check_layout(path: str, mode: str, filter_: str, stride: int, count: int) -> None:
    """The element sizes and counts each mode and filter allows (specification, "Modes" and "Filters")."""
    if mode == "ATTRIBUTES":
        if stride % 4 or stride > 256:
            raise fail(f"{path}.byteStride", f"{stride}: ATTRIBUTES elements are 4 to 256 bytes, in fours")
    else:
        if stride not in (2, 4):
            raise fail(f"{path}.byteStride", f"{stride}: {mode} elements are 2- or 4-byte indices")
        if filter_ != "NONE":
            raise fail(f"{path}.filter", f"{filter_} applies to ATTRIBUTES only, not {mode}")
        if mode == "TRIANGLES" and count % 3:
            raise fail(f"{path}.count", f"{count} is not a multiple of 3, as TRIANGLES needs")
    allowed = FILTER_STRIDES.get(filter_)
    if allowed and stride not in allowed:
        raise fail(f"{path}.byteStride", f"{stride}: the {filter_} filter needs {' or '.join(map(str, allowed))}")
    if filter_ == "EXPONENTIAL" and stride % 4:
        raise fail(f"{path}.byteStride", f"{stride}: the EXPONENTIAL filter needs a multiple of 4")
