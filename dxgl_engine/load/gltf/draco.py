"""Draco-compressed primitives (KHR_draco_mesh_compression) decoded into their accessors' data.

A compressed primitive keeps its `attributes` and `indices` accessors (their count, type and
componentType say what the data means) but their bytes live in one Draco stream, named by the
extension's `bufferView`; its `attributes` map each glTF attribute to a Draco attribute id.
Draco may reorder vertices, so positions, normals, UVs, joints, weights and the indices all come
from the stream, while morph targets stay plain accessors in the decoded vertex order (the
specification requires the encoder to keep that order for them). Decoding is Google's Draco
through the `DracoPy` package. Source: github.com/KhronosGroup/glTF/tree/main/extensions/2.0/
Khronos/KHR_draco_mesh_compression.
"""
from __future__ import annotations

import DracoPy
import numpy as np

from .accessors import COMPONENT_DTYPES, Accessor, normalize_integers
from .context import ReadContext
from .fields import as_int, check_index, fail, get_dict

EXTENSION = "KHR_draco_mesh_compression"


def decode_primitive(ctx: ReadContext, raw: dict, where: str) -> None:
    """Decode a triangle primitive's Draco stream, if it has one, and hand each decoded attribute
    and the indices to the accessor reader, which then returns them instead of bufferView bytes
    (an uncompressed fallback a file may also carry is ignored, as the extension allows).

    Raises InvalidFormat naming the JSON path when the extension refers to a missing bufferView,
    attribute or Draco id, when the stream cannot be decoded or holds no triangles, or when the
    decoded sizes disagree with the accessors."""
    ext = get_dict(get_dict(raw, "extensions", where), EXTENSION, f"{where}.extensions")
    if not ext:
        return
    path = f"{where}.extensions.{EXTENSION}"
    views = ctx.doc.buffer_views
    view = check_index(ext.get("bufferView"), f"{path}.bufferView", len(views), "bufferView")
    ids = get_dict(ext, "attributes", path, required=True)
    attributes = get_dict(raw, "attributes", where, required=True)
    if "indices" not in raw:
        raise fail(where, "a Draco-compressed triangle primitive needs its indices accessor")
    mesh = _decode(bytes(views[view].data), path)
    faces = np.asarray(mesh.faces, dtype=np.uint32).reshape(-1, 1)
    ctx.accessors.provide(ctx.accessors.info(raw["indices"], f"{where}.indices").index, faces, f"{where}.indices")
    for name, uid in ids.items():
        apath = f"{path}.attributes.{name}"
        if name not in attributes:
            raise fail(apath, f"the primitive has no {name} attribute for this Draco attribute")
        attribute = mesh.get_attribute_by_unique_id(as_int(uid, apath))
        if attribute is None:
            raise fail(apath, f"the Draco data has no attribute with id {uid}")
        acc = ctx.accessors.info(attributes[name], f"{where}.attributes.{name}")
        ctx.accessors.provide(acc.index, _as_accessor(np.asarray(attribute["data"]), acc, apath), apath)


def _decode(data: bytes, path: str):
    try:
        mesh = DracoPy.decode(data)
    except Exception as err:  # DracoPy raises its own types, ValueError and RuntimeError
        raise fail(path, f"the Draco data cannot be decoded ({type(err).__name__}: {err})") from None
    if not isinstance(mesh, DracoPy.DracoMesh) or len(mesh.faces) == 0:
        raise fail(path, "the Draco data holds points, not the triangles the primitive draws")
    return mesh


def _as_accessor(values: np.ndarray, acc: Accessor, path: str) -> np.ndarray:
    """Decoded values in the form the accessor reader gives: float32 for FLOAT and normalized
    accessors (Draco returns integers for a normalized attribute it stored as integers, floats for
    one it quantized itself), the component's integer type otherwise."""
    values = values.reshape(len(values), -1)
    if acc.is_float or (acc.normalized and values.dtype.kind == "f"):
        return values.astype(np.float32)
    if acc.normalized:
        return normalize_integers(values, acc.component_type)
    dtype = COMPONENT_DTYPES[acc.component_type]
    if values.dtype.kind == "f" or (len(values) and (values.min() < np.iinfo(dtype).min
                                                      or values.max() > np.iinfo(dtype).max)):
        raise fail(path, f"decoded {values.dtype} values do not fit the accessor's {acc.describe()} type")
    return values.astype(dtype.newbyteorder("="))
