"""Writing a glTF 2.0 binary (GLB) from converted geometry: what the scan converters (OBJ, PLY, STL)
produce, so that every format reaches the engine, and the API's storage, as one self-contained GLB.

Positions arrive in float64. Scans in map coordinates (UTM, national grids, ECEF: hundreds of
thousands or millions of metres with millimetre detail) would lose their shape as float32, so when
float32 cannot hold the model to a millionth of its size, the vertices are re-centred in float64
first and the offset becomes the root node's translation, which JSON keeps exactly: the stored file
still says where the scan was. Reference: the glTF 2.0 specification (accessors, meshes, samplers)
and KHR_texture_transform.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .container import pack_glb

ARRAY_BUFFER, ELEMENT_ARRAY_BUFFER = 34962, 34963
FLOAT, UNSIGNED_SHORT, UNSIGNED_INT = 5126, 5123, 5125
REPEAT, CLAMP_TO_EDGE = 10497, 33071
LINEAR, LINEAR_MIPMAP_LINEAR = 9729, 9987
# Re-centre when float32 rounding at the model's distance from the origin exceeds this share of its size.
RECENTRE_TOLERANCE = 1e-6


@dataclass
class MeshPart:
    """One primitive: (N, 3) float64 positions, (N, 3) unit normals, optional (N, 2) glTF texcoords
    (v grows downwards) and (N, 4) linear RGBA colours, (M, 3) counter-clockwise triangles."""

    positions: np.ndarray
    normals: np.ndarray
    triangles: np.ndarray
    texcoords: np.ndarray | None = None
    colors: np.ndarray | None = None
    material: int | None = None


class GlbWriter:
    """Collects images, textures, materials and meshes, then `glb()` packs them."""

    def __init__(self, generator: str = "dxgl"):
        self.doc: dict = {"asset": {"version": "2.0", "generator": generator}}
        self.binary = bytearray()
        self.meshes: list[tuple[str, list[MeshPart]]] = []
        self.extensions: set[str] = set()

    def _add(self, key: str, item: dict) -> int:
        items = self.doc.setdefault(key, [])
        items.append(item)
        return len(items) - 1

    def _view(self, data: bytes, target: int | None = None) -> int:
        self.binary += b"\x00" * (-len(self.binary) % 4)
        view = {"buffer": 0, "byteOffset": len(self.binary), "byteLength": len(data)}
        if target is not None:
            view["target"] = target
        self.binary += data
        return self._add("bufferViews", view)

    def _accessor(self, values: np.ndarray, type_: str, target: int | None, bounds: bool = False) -> int:
        component = {np.dtype("float32"): FLOAT, np.dtype("uint16"): UNSIGNED_SHORT,
                     np.dtype("uint32"): UNSIGNED_INT}[values.dtype]  # fmt: skip
        accessor = {"bufferView": self._view(np.ascontiguousarray(values).tobytes(), target),
                    "componentType": component, "count": int(len(values)), "type": type_}  # fmt: skip
        if bounds:
            accessor["min"] = values.min(axis=0).astype(float).tolist()
            accessor["max"] = values.max(axis=0).astype(float).tolist()
        return self._add("accessors", accessor)

    def image(self, data: bytes, mime_type: str, name: str = "") -> int:
        """An embedded image (PNG or JPEG bytes, as glTF allows)."""
        return self._add("images", {"bufferView": self._view(data), "mimeType": mime_type, "name": name})

    def texture_info(self, image: int, *, clamp: bool = False, scale=(1.0, 1.0), offset=(0.0, 0.0)) -> dict:
        """A textureInfo for `image`: its own sampler (repeat, or clamp to edge), mipmapped, and a
        KHR_texture_transform when `scale` or `offset` (in glTF uv) is not the identity."""
        wrap = CLAMP_TO_EDGE if clamp else REPEAT
        sampler = self._add("samplers", {"magFilter": LINEAR, "minFilter": LINEAR_MIPMAP_LINEAR, "wrapS": wrap,
                                         "wrapT": wrap})  # fmt: skip
        info: dict = {"index": self._add("textures", {"source": image, "sampler": sampler})}
        if tuple(scale) != (1.0, 1.0) or tuple(offset) != (0.0, 0.0):
            info["extensions"] = {"KHR_texture_transform": {"scale": [float(s) for s in scale],
                                                            "offset": [float(o) for o in offset]}}  # fmt: skip
            self.extensions.add("KHR_texture_transform")
        return info

    def material(self, material: dict) -> int:
        return self._add("materials", material)

    def mesh(self, name: str, parts: list[MeshPart]) -> None:
        """A mesh of `parts` under its own node (below the root), written by `glb`."""
        if parts:
            self.meshes.append((name, parts))

    def glb(self) -> tuple[bytes, np.ndarray | None]:
        """(the GLB bytes, the offset moved into the root node's translation or None)."""
        offset = recentre_offset(np.concatenate([p.positions for _, ps in self.meshes for p in ps]))
        children = []
        for name, parts in self.meshes:
            primitives = [self._primitive(p, offset) for p in parts]
            children.append(self._add("nodes", {"name": name, "mesh": self._add("meshes", {"name": name,
                                                                                          "primitives": primitives})}))  # fmt: skip
        root: dict = {"name": "root", "children": children}
        if offset is not None:
            root["translation"] = [float(x) for x in offset]  # float64 in JSON: exact
        self.doc["scenes"] = [{"nodes": [self._add("nodes", root)]}]
        self.doc["scene"] = 0
        if self.extensions:
            self.doc["extensionsUsed"] = sorted(self.extensions)
        self.doc["buffers"] = [{"byteLength": len(self.binary) + (-len(self.binary) % 4)}]
        return pack_glb(self.doc, self.binary), offset

    def _primitive(self, part: MeshPart, offset: np.ndarray | None) -> dict:
        local = part.positions - offset if offset is not None else part.positions
        attributes = {
            "POSITION": self._accessor(local.astype(np.float32), "VEC3", ARRAY_BUFFER, bounds=True),
            "NORMAL": self._accessor(part.normals.astype(np.float32), "VEC3", ARRAY_BUFFER),
        }
        if part.texcoords is not None:
            attributes["TEXCOORD_0"] = self._accessor(part.texcoords.astype(np.float32), "VEC2", ARRAY_BUFFER)
        if part.colors is not None:
            attributes["COLOR_0"] = self._accessor(part.colors.astype(np.float32), "VEC4", ARRAY_BUFFER)
        index_type = np.uint16 if len(part.positions) <= 0xFFFF else np.uint32
        indices = self._accessor(part.triangles.astype(index_type).ravel(), "SCALAR", ELEMENT_ARRAY_BUFFER)
        primitive = {"attributes": attributes, "indices": indices}
        if part.material is not None:
            primitive["material"] = part.material
        return primitive


def recentre_offset(positions: np.ndarray) -> np.ndarray | None:
    """The centre of the bounds (float64) when float32 coordinates would round the model by more
    than RECENTRE_TOLERANCE of its size, else None. At 6,000,000 m a float32 step is 0.5 m; a 2 m
    scan there needs re-centring, a 2 m model at the origin does not."""
    if len(positions) == 0:
        return None
    lo, hi = positions.min(axis=0), positions.max(axis=0)
    size = float(np.linalg.norm(hi - lo)) or 1.0
    reach = float(np.abs(np.concatenate([lo, hi])).max())
    step = np.spacing(np.float32(reach))  # float32 rounding step at that distance
    if float(step) <= RECENTRE_TOLERANCE * size:
        return None
    return (lo + hi) / 2.0
