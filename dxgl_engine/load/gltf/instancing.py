"""EXT_mesh_gpu_instancing: a node whose mesh is placed many times, once per row of its instance
attributes, instead of once at the node.

Each instance's transform is TRANSLATION * ROTATION * SCALE (any of the three may be absent: the
identity), applied in the node's space: world = node world * instance. The accessors' types are
those the extension's specification allows; custom attributes (`_ID`, `_FEATURE_ID_0`…) carry
application data dxgl has no use for and are ignored. Reference: the EXT_mesh_gpu_instancing
specification (Khronos glTF registry, vendor extensions).
"""
from __future__ import annotations

import numpy as np

from ...scene import model as sc
from ...scene.transforms import trs_matrices
from .accessors import BYTE, COMPONENT_NAMES, FLOAT, SHORT
from .context import ReadContext
from .fields import check_index, fail, get_dict

EXTENSION = "EXT_mesh_gpu_instancing"
# Attribute -> (accessor type, allowed (componentType, normalized) pairs). Only ROTATION may be
# quantized, as normalized signed integers (the extension's table, as KHR_mesh_quantization does
# for rotations).
ATTRIBUTES = {
    "TRANSLATION": ("VEC3", ((FLOAT, False),)),
    "ROTATION": ("VEC4", ((FLOAT, False), (BYTE, True), (SHORT, True))),
    "SCALE": ("VEC3", ((FLOAT, False),)),
}
_IDENTITY = {"TRANSLATION": (0.0, 0.0, 0.0), "ROTATION": (0.0, 0.0, 0.0, 1.0), "SCALE": (1.0, 1.0, 1.0)}


def read_instance_matrices(ctx: ReadContext, raw: dict, where: str, node: sc.Node) -> np.ndarray | None:
    """The (K, 4, 4) float64 instance matrices (T * R * S, node space) of the node `raw` at JSON path
    `where` (already read into `node`), or None when it has no EXT_mesh_gpu_instancing or the
    extension is ignored: on a node without a mesh or with a skin, or without any TRANSLATION,
    ROTATION or SCALE (each with a warning that says so).

    Raises InvalidFormat naming the JSON path for a dangling accessor, an accessor of a type the
    extension does not allow, attributes of different counts, or values that are not finite."""
    extensions = get_dict(raw, "extensions", where)
    if EXTENSION not in extensions:
        return None
    path = f"{where}.extensions.{EXTENSION}"
    ext = get_dict(extensions, EXTENSION, f"{where}.extensions")
    if node.mesh is None:
        ctx.warn(f"{path}: the node has no mesh, so there is nothing to instance; the extension is ignored")
        return None
    if node.skin is not None:
        ctx.warn(f"{path}: dxgl does not instance skinned meshes; the extension is ignored (the mesh is drawn once)")
        return None
    attributes = get_dict(ext, "attributes", path, required=True)
    values: dict[str, np.ndarray] = {}
    for name, value in attributes.items():
        if name in ATTRIBUTES:
            values[name] = _attribute(ctx, name, value, f"{path}.attributes.{name}")
        else:  # unused, but a reference to nothing is a broken file here as anywhere else in the reader
            check_index(value, f"{path}.attributes.{name}", ctx.accessors.count, "accessor")
    if not values:
        ctx.warn(f"{path}.attributes: no TRANSLATION, ROTATION or SCALE; the extension is ignored")
        return None
    (first, count), *others = ((name, len(v)) for name, v in values.items())
    for name, n in others:
        if n != count:
            raise fail(f"{path}.attributes", f"{name} has {n} elements but {first} has {count} (one per instance each)")
    parts = {name: values.get(name, np.tile(_IDENTITY[name], (count, 1))) for name in ATTRIBUTES}
    return trs_matrices(parts["TRANSLATION"], parts["ROTATION"], parts["SCALE"])


def _attribute(ctx: ReadContext, name: str, value, path: str) -> np.ndarray:
    """One TRS attribute as (K, 3|4) float64, its type checked against the extension's table."""
    type_, allowed = ATTRIBUTES[name]
    acc = ctx.accessors.info(value, path)
    if acc.type != type_ or (acc.component_type, acc.normalized) not in allowed:
        expected = " or ".join(f"{type_} {COMPONENT_NAMES[c]}{' normalized' if n else ''}" for c, n in allowed)
        raise fail(path, f"accessor {acc.index} is {acc.describe()}, expected {expected}")
    data = ctx.accessors.read(acc.index, path).astype(np.float64)
    if not np.all(np.isfinite(data)):
        raise fail(path, f"accessor {acc.index} holds values that are not finite")
    return data
