"""Builds small glTF/GLB files in code, one feature at a time, for the reader's tests.

Everything goes into one binary buffer; `glb()` packs it into a GLB, `write_gltf()` writes a
.gltf with the buffer as a data URI or as an external .bin. Tests may edit `builder.gltf`
directly to break things on purpose.
"""
from __future__ import annotations

import base64
import io
import json
import struct
from pathlib import Path

import numpy as np
from PIL import Image as PILImage

BYTE, UNSIGNED_BYTE, SHORT, UNSIGNED_SHORT, UNSIGNED_INT, FLOAT = 5120, 5121, 5122, 5123, 5125, 5126
DTYPES = {
    BYTE: np.dtype("<i1"),
    UNSIGNED_BYTE: np.dtype("<u1"),
    SHORT: np.dtype("<i2"),
    UNSIGNED_SHORT: np.dtype("<u2"),
    UNSIGNED_INT: np.dtype("<u4"),
    FLOAT: np.dtype("<f4"),
}
TYPES = {1: "SCALAR", 2: "VEC2", 3: "VEC3", 4: "VEC4", 16: "MAT4"}
MATRIX_SIZES = {"MAT2": 2, "MAT3": 3, "MAT4": 4}


def encode_elements(values: np.ndarray, component_type: int, type_: str) -> tuple[bytes, int]:
    """(bytes, element size) of values (count, components), matrix columns padded to 4 bytes."""
    dtype = DTYPES[component_type]
    arr = np.asarray(values).astype(dtype)
    if type_ in MATRIX_SIZES:
        n = MATRIX_SIZES[type_]
        col = n * dtype.itemsize
        pad = -col % 4
        cols = arr.reshape(len(arr), n, n)  # (count, column, row): values given column-major
        if pad:
            cols = np.concatenate([cols.view(np.uint8).reshape(len(arr), n, col),
                                   np.zeros((len(arr), n, pad), np.uint8)], axis=2)
            return cols.tobytes(), n * (col + pad)
        return cols.tobytes(), n * col
    return arr.tobytes(), arr.shape[1] * dtype.itemsize


class GltfBuilder:
    def __init__(self, generator: str = "dxgl tests"):
        self.gltf: dict = {"asset": {"version": "2.0", "generator": generator}}
        self.binary = bytearray()

    # -- low level ---------------------------------------------------------------------------
    def add(self, key: str, obj: dict) -> int:
        items = self.gltf.setdefault(key, [])
        items.append(obj)
        return len(items) - 1

    def use_extension(self, name: str, required: bool = False) -> None:
        used = self.gltf.setdefault("extensionsUsed", [])
        if name not in used:
            used.append(name)
        if required and name not in self.gltf.setdefault("extensionsRequired", []):
            self.gltf["extensionsRequired"].append(name)

    def buffer_view(self, data: bytes, byte_stride: int | None = None, align: int = 4, **extra) -> int:
        self.binary += b"\x00" * (-len(self.binary) % align)
        view = {"buffer": 0, "byteOffset": len(self.binary), "byteLength": len(data), **extra}
        if byte_stride is not None:
            view["byteStride"] = byte_stride
        self.binary += data
        return self.add("bufferViews", view)

    def meshopt_view(self, rows: np.ndarray, mode: str = "ATTRIBUTES", filter_: str = "NONE",
                     extension: str = "EXT_meshopt_compression", byte_stride: int | None = None) -> int:
        """A bufferView compressed with meshopt (EXT_ or KHR_meshopt_compression): the stream goes
        into buffer 0, the view itself points into a fallback buffer without bytes, as gltfpack and
        glTF-Transform write it. `rows` is (count, stride bytes) of any dtype, already filtered
        (meshopt.encode_filter_*) when `filter_` names a filter; 1-D for indices."""
        import meshopt

        rows = np.ascontiguousarray(rows)
        count = len(rows)
        stride = rows.nbytes // count
        self.binary += b"\x00" * (-len(self.binary) % 4)
        ext = {"buffer": 0, "byteOffset": len(self.binary), "byteStride": stride, "count": count, "mode": mode}
        self.binary += meshopt.encode_gltf_buffer(rows, mode)
        ext["byteLength"] = len(self.binary) - ext["byteOffset"]
        if filter_ != "NONE":
            ext["filter"] = filter_
        buffers = self.gltf.setdefault("buffers", [{"byteLength": 0}])  # [0] is replaced by the binary on output
        if len(buffers) == 1:
            buffers.append({"byteLength": 0, "extensions": {extension: {"fallback": True}}})
        fallback = buffers[1]
        fallback["byteLength"] += -fallback["byteLength"] % 4
        view = {"buffer": 1, "byteOffset": fallback["byteLength"], "byteLength": count * stride,
                "extensions": {extension: ext}}
        if byte_stride is not None:
            view["byteStride"] = byte_stride
        fallback["byteLength"] += count * stride
        self.use_extension(extension, required=True)
        return self.add("bufferViews", view)

    # -- accessors ---------------------------------------------------------------------------
    def accessor(self, values, component_type: int = FLOAT, type_: str | None = None, normalized: bool = False,
                 byte_stride: int | None = None, **extra) -> int:
        """An accessor over its own bufferView; `byte_stride` pads each element to that many bytes."""
        arr = np.asarray(values)
        if arr.ndim == 1:
            arr = arr[:, None]
        type_ = type_ or TYPES[arr.shape[1]]
        data, size = encode_elements(arr, component_type, type_)
        if byte_stride is not None and byte_stride > size:
            rows = np.frombuffer(data, np.uint8).reshape(len(arr), size)
            data = np.concatenate([rows, np.zeros((len(arr), byte_stride - size), np.uint8)], axis=1).tobytes()
        view = self.buffer_view(data, byte_stride=byte_stride)
        acc = {"bufferView": view, "componentType": component_type, "count": len(arr), "type": type_, **extra}
        if normalized:
            acc["normalized"] = True
        if type_ == "VEC3" and component_type == FLOAT and "min" not in acc:
            acc["min"], acc["max"] = arr.min(0).tolist(), arr.max(0).tolist()
        return self.add("accessors", acc)

    def interleaved(self, *arrays: tuple[np.ndarray, int], normalized: tuple[bool, ...] = ()) -> list[int]:
        """Accessors sharing one bufferView, elements interleaved with a byteStride (each field 4-aligned)."""
        count = len(arrays[0][0])
        fields, offsets, offset = [], [], 0
        for values, ctype in arrays:
            arr = np.asarray(values).reshape(count, -1)
            raw = arr.astype(DTYPES[ctype]).view(np.uint8).reshape(count, -1)
            raw = np.concatenate([raw, np.zeros((count, -raw.shape[1] % 4), np.uint8)], axis=1)
            fields.append(raw)
            offsets.append(offset)
            offset += raw.shape[1]
        view = self.buffer_view(np.concatenate(fields, axis=1).tobytes(), byte_stride=offset)
        out = []
        for k, ((values, ctype), off) in enumerate(zip(arrays, offsets)):
            arr = np.asarray(values).reshape(count, -1)
            acc = {"bufferView": view, "byteOffset": off, "componentType": ctype, "count": count,
                   "type": TYPES[arr.shape[1]]}
            if k < len(normalized) and normalized[k]:
                acc["normalized"] = True
            out.append(self.add("accessors", acc))
        return out

    def sparse_accessor(self, count: int, values: np.ndarray, indices: np.ndarray, base=None,
                        component_type: int = FLOAT, index_type: int = UNSIGNED_SHORT, normalized: bool = False) -> int:
        """A sparse accessor: `base` (count, C) values in a bufferView, or zeros when None."""
        vals = np.asarray(values).reshape(len(indices), -1)
        type_ = TYPES[vals.shape[1]]
        acc = {"componentType": component_type, "count": count, "type": type_}
        if base is not None:
            acc["bufferView"] = self.buffer_view(np.asarray(base).astype(DTYPES[component_type]).tobytes())
        if normalized:
            acc["normalized"] = True
        acc["sparse"] = {
            "count": len(indices),
            "indices": {"bufferView": self.buffer_view(np.asarray(indices).astype(DTYPES[index_type]).tobytes()),
                        "componentType": index_type},
            "values": {"bufferView": self.buffer_view(vals.astype(DTYPES[component_type]).tobytes())},
        }
        return self.add("accessors", acc)

    # -- scene objects -------------------------------------------------------------------------
    def primitive(self, positions, indices=None, mode: int | None = None, material: int | None = None,
                  index_type: int = UNSIGNED_SHORT, **attributes) -> dict:
        """A primitive dict; keyword attributes are accessor indices or float arrays (NORMAL=..., TEXCOORD_0=...)."""
        pos = positions if isinstance(positions, int) else self.accessor(np.asarray(positions, np.float32))
        attrs = {"POSITION": pos}
        for name, value in attributes.items():
            attrs[name] = value if isinstance(value, int) else self.accessor(np.asarray(value, np.float32))
        prim = {"attributes": attrs}
        if indices is not None:
            prim["indices"] = indices if isinstance(indices, int) else self.accessor(np.asarray(indices), index_type)
        if mode is not None:
            prim["mode"] = mode
        if material is not None:
            prim["material"] = material
        return prim

    def mesh(self, *primitives: dict, **fields) -> int:
        return self.add("meshes", {"primitives": list(primitives), **fields})

    def node(self, **fields) -> int:
        return self.add("nodes", fields)

    def scene(self, *nodes: int, default: bool = True) -> int:
        index = self.add("scenes", {"nodes": list(nodes)})
        if default:
            self.gltf["scene"] = index
        return index

    def material(self, **fields) -> int:
        return self.add("materials", fields)

    def sampler(self, **fields) -> int:
        return self.add("samplers", fields)

    def image(self, pixels: np.ndarray | None = None, fmt: str = "PNG", data: bytes | None = None,
              mime: str | None = None, uri: str | None = None, **fields) -> int:
        """An image in a bufferView (default), or at `uri` (a file name or 'data:')."""
        if uri not in (None, "data:"):
            return self.add("images", {"uri": uri, **fields})
        if data is None:
            data = encode_image(pixels, fmt)
        mime = mime or {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}.get(fmt, "")
        if uri == "data:":
            return self.add("images", {"uri": f"data:{mime};base64," + base64.b64encode(data).decode(), **fields})
        return self.add("images", {"bufferView": self.buffer_view(data), "mimeType": mime, **fields})

    def texture(self, source: int | None, sampler: int | None = None, **fields) -> int:
        tex = dict(fields)
        if source is not None:
            tex["source"] = source
        if sampler is not None:
            tex["sampler"] = sampler
        return self.add("textures", tex)

    def simple_model(self, positions, indices=None, mode: int | None = None, **attributes) -> int:
        """One mesh of one primitive on one node in the default scene; returns the mesh index."""
        mesh = self.mesh(self.primitive(positions, indices, mode, **attributes))
        self.scene(self.node(mesh=mesh))
        return mesh

    # -- output ---------------------------------------------------------------------------------
    def _json_with_buffer(self, uri: str | None) -> dict:
        doc = json.loads(json.dumps(self.gltf))
        if self.binary:
            buf = {"byteLength": len(self.binary)}
            if uri is not None:
                buf["uri"] = uri
            doc["buffers"] = [buf] + doc.get("buffers", [])[1:]
        return doc

    def glb(self, doc: dict | None = None) -> bytes:
        doc = self._json_with_buffer(None) if doc is None else doc
        text = json.dumps(doc).encode()
        text += b" " * (-len(text) % 4)
        chunks = struct.pack("<II", len(text), 0x4E4F534A) + text
        if self.binary:
            binary = bytes(self.binary) + b"\x00" * (-len(self.binary) % 4)
            chunks += struct.pack("<II", len(binary), 0x004E4942) + binary
        return struct.pack("<4sII", b"glTF", 2, 12 + len(chunks)) + chunks

    def write_glb(self, path: Path) -> Path:
        path.write_bytes(self.glb())
        return path

    def write_gltf(self, path: Path, bin_name: str | None = None) -> Path:
        """A .gltf with its buffer as a data URI, or as the external file `bin_name` beside it."""
        if bin_name is None:
            uri = "data:application/octet-stream;base64," + base64.b64encode(bytes(self.binary)).decode()
        else:
            uri = bin_name
            (path.parent / bin_name).write_bytes(bytes(self.binary))
        path.write_text(json.dumps(self._json_with_buffer(uri)))
        return path


def encode_image(pixels: np.ndarray, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    arr = np.asarray(pixels, np.uint8)
    PILImage.fromarray(arr).save(out, format=fmt)
    return out.getvalue()


# -- shapes -------------------------------------------------------------------------------------

# A textured quad as a scanner's OBJ export writes it; format with the MTL file's name.
QUAD_OBJ = """# a textured quad
mtllib {mtl}
v 0 0 0
v 1 0 0
v 1 1 0
v 0 1 0
vt 0 0
vt 1 0
vt 1 1
vt 0 1
usemtl scan
f 1/1 2/2 3/3
f 1/1 3/3 4/4
"""


def quad(z: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A unit square in the XY plane facing +Z: (positions, texcoords (v down), indices)."""
    positions = np.array([[0, 0, z], [1, 0, z], [1, 1, z], [0, 1, z]], np.float32)
    uvs = np.array([[0, 1], [1, 1], [1, 0], [0, 0]], np.float32)
    indices = np.array([0, 1, 2, 0, 2, 3], np.uint16)
    return positions, uvs, indices


def cube_corners() -> tuple[np.ndarray, np.ndarray]:
    """A cube of side 2 centred on the origin sharing its 8 corners: (positions, indices), outward winding."""
    positions = np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], np.float32)
    faces = [
        (0, 1, 3, 2),  # -X
        (4, 6, 7, 5),  # +X
        (0, 4, 5, 1),  # -Y
        (2, 3, 7, 6),  # +Y
        (0, 2, 6, 4),  # -Z
        (1, 5, 7, 3),  # +Z
    ]
    indices = np.array([[a, b, c, a, c, d] for a, b, c, d in faces], np.uint16).ravel()
    return positions, indices


def icosahedron() -> tuple[np.ndarray, np.ndarray]:
    """A unit icosahedron: (12, 3) float32 positions and (20, 3) uint16 counter-clockwise faces."""
    g = (1 + 5 ** 0.5) / 2
    v = np.array([[-1, g, 0], [1, g, 0], [-1, -g, 0], [1, -g, 0], [0, -1, g], [0, 1, g], [0, -1, -g], [0, 1, -g],
                  [g, 0, -1], [g, 0, 1], [-g, 0, -1], [-g, 0, 1]], np.float64)  # fmt: skip
    faces = np.array([[0, 11, 5], [0, 5, 1], [0, 1, 7], [0, 7, 10], [0, 10, 11], [1, 5, 9], [5, 11, 4], [11, 10, 2],
                      [10, 7, 6], [7, 1, 8], [3, 9, 4], [3, 4, 2], [3, 2, 6], [3, 6, 8], [3, 8, 9], [4, 9, 5],
                      [2, 4, 11], [6, 2, 10], [8, 6, 7], [9, 8, 1]], np.uint16)  # fmt: skip
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32), faces


def uv_sphere(rings: int = 24, segments: int = 48) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A unit sphere with a latitude-longitude UV map: (positions (N, 3) float32, texcoords (N, 2)
    float32, indices (M,) uint16), counter-clockwise outward. u runs once around the +Y axis with
    its seam at the back (-Z), so at the front (+Z) u grows towards +X (the tangent) and v, growing
    downwards as glTF's does, runs from the top pole to the bottom one."""
    theta = np.linspace(0.0, np.pi, rings + 1)
    u = np.linspace(0.0, 1.0, segments + 1)
    th, uu = np.meshgrid(theta, u, indexing="ij")
    phi = 2.0 * np.pi * uu
    positions = np.stack([-np.sin(th) * np.sin(phi), np.cos(th), -np.sin(th) * np.cos(phi)], -1).reshape(-1, 3)
    texcoords = np.stack([uu, th / np.pi], -1).reshape(-1, 2)
    row = segments + 1
    quads = [(i * row + j, (i + 1) * row + j, (i + 1) * row + j + 1, i * row + j + 1)
             for i in range(rings) for j in range(segments)]  # fmt: skip
    tris = np.array([t for a, b, c, d in quads for t in ((a, b, c), (a, c, d))], np.int64)
    e = np.cross(positions[tris[:, 1]] - positions[tris[:, 0]], positions[tris[:, 2]] - positions[tris[:, 0]])
    inward = np.einsum("ij,ij->i", e, positions[tris].mean(1)) < 0
    tris[inward] = tris[inward][:, ::-1]
    area = np.linalg.norm(e, axis=1) > 1e-12  # the poles' degenerate halves
    return positions.astype(np.float32), texcoords.astype(np.float32), tris[area].astype(np.uint16).ravel()


def plain_ktx2(pixels: np.ndarray, vk_format: int, scheme: int = 0) -> bytes:
    """A one-level KTX2 file of plain 8-bit texels (H, W, C) as given, with no data format
    descriptor, supercompressed with Zstandard (scheme 2) or zlib (3) when asked: the KTX 2.0
    layout of header, index and level index, then the level."""
    import zlib

    import zstandard

    raw = np.ascontiguousarray(pixels, np.uint8).tobytes()
    stored = {0: raw, 2: zstandard.ZstdCompressor().compress(raw) if scheme == 2 else b"",
              3: zlib.compress(raw)}[scheme]
    height, width = pixels.shape[:2]
    offset = 80 + 24
    header = struct.pack("<12s9I4I2Q", b"\xabKTX 20\xbb\r\n\x1a\n", vk_format, 1, width, height, 0, 0, 1, 1, scheme,
                         0, 0, 0, 0, 0, 0)
    return header + struct.pack("<3Q", offset, len(stored), len(raw)) + stored


MATERIALS_VARIANTS = "KHR_materials_variants"
VARIANT_COLOURS = {"grey": [0.5, 0.5, 0.5, 1.0], "red": [0.9, 0.05, 0.05, 1.0], "blue": [0.05, 0.05, 0.9, 1.0]}


def variant_cube(names=("Red", "Blue"), mappings: list | None = None, generator: str = "dxgl tests") -> GltfBuilder:
    """A grey cube (side 2, centred on the origin) that KHR_materials_variants' first two variants, by
    default named "Red" and "Blue", turn red or blue, on a grey slab below it that no variant maps.
    Materials: 0 grey, 1 red, 2 blue (rough dielectrics); `mappings` replaces the cube's."""
    b = GltfBuilder(generator)
    grey, red, blue = (b.material(name=name, pbrMetallicRoughness={"baseColorFactor": colour, "metallicFactor": 0.0,
                                                                   "roughnessFactor": 0.6})
                       for name, colour in VARIANT_COLOURS.items())  # fmt: skip
    positions, indices = cube_corners()
    cube = b.primitive(positions, indices, material=grey)
    if mappings is None:
        mappings = [{"material": red, "variants": [0], "name": "red paint"}, {"material": blue, "variants": [1]}]
    cube["extensions"] = {MATERIALS_VARIANTS: {"mappings": mappings}}
    slab = b.primitive(positions * np.array([2.0, 0.1, 2.0], np.float32) - np.array([0, 1.2, 0], np.float32),
                       indices, material=grey)
    b.scene(b.node(mesh=b.mesh(cube, slab)))
    b.gltf["extensions"] = {MATERIALS_VARIANTS: {"variants": [{"name": n} for n in names]}}
    b.use_extension(MATERIALS_VARIANTS)
    return b
