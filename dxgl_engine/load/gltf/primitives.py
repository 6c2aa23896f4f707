"""glTF meshes into Scene meshes of triangle-only primitives.

Strips and fans become triangle lists, points and lines are skipped with a warning, indices are
range-checked, a primitive without normals gets flat ones (glTF 2.0, "Meshes": "When normals are
not specified, client implementations MUST calculate flat normals"), bad normals are repaired, and
tangents are generated only where a normal map or an anisotropic material needs them.
"""
from __future__ import annotations

import numpy as np

from ...scene import geometry
from ...scene import model as sc
from . import draco
from .accessors import INDEX_COMPONENTS, UNSIGNED_BYTE, UNSIGNED_SHORT, Accessor, normalize_integers
from .context import ReadContext
from .fields import as_number, fail, get_dict, get_index, get_int, get_list, get_str
from .variants import read_mappings

MODE_NAMES = {
    0: "POINTS",
    1: "LINES",
    2: "LINE_LOOP",
    3: "LINE_STRIP",
    4: "TRIANGLES",
    5: "TRIANGLE_STRIP",
    6: "TRIANGLE_FAN",
}
TRIANGLE_MODES = (4, 5, 6)
MAX_ATTRIBUTE_SETS = 8  # TEXCOORD_n / JOINTS_n / WEIGHTS_n read per primitive


def read_meshes(ctx: ReadContext, materials: list[sc.Material]) -> list[sc.Mesh]:
    return [_mesh(ctx, i, materials) for i in range(ctx.count("meshes"))]


def _mesh(ctx: ReadContext, index: int, materials: list[sc.Material]) -> sc.Mesh:
    where = f"meshes[{index}]"
    raw = ctx.json["meshes"][index]
    prims_json = get_list(raw, "primitives", where, required=True)
    prims = []
    for j, prim_json in enumerate(prims_json):
        if not isinstance(prim_json, dict):
            raise fail(f"{where}.primitives[{j}]", "must be an object")
        prim = _primitive(ctx, f"{where}.primitives[{j}]", prim_json, materials)
        if prim is not None:
            prims.append(prim)
    target_counts = {len(p.targets) for p in prims}
    if len(target_counts) > 1:
        ctx.warn(f"{where}: primitives have different morph target counts {sorted(target_counts)}")
    weights = _mesh_weights(raw, where, target_counts)
    return sc.Mesh(name=get_str(raw, "name", where), primitives=prims, weights=weights)


def _mesh_weights(raw: dict, where: str, target_counts: set[int]) -> np.ndarray | None:
    weights = get_list(raw, "weights", where)
    if not weights:
        return None
    expected = max(target_counts, default=0)
    if len(weights) != expected:
        raise fail(f"{where}.weights", f"{len(weights)} weights but the primitives have {expected} morph targets")
    return np.array([as_number(w, f"{where}.weights[{k}]") for k, w in enumerate(weights)])


def _primitive(ctx: ReadContext, where: str, raw: dict, materials: list[sc.Material]) -> sc.Primitive | None:
    attributes = get_dict(raw, "attributes", where, required=True)
    for name, value in attributes.items():  # dangling references are errors even on skipped primitives
        ctx.accessors.info(value, f"{where}.attributes.{name}")
    mode = get_int(raw, "mode", where, default=4)
    if mode not in MODE_NAMES:
        raise fail(f"{where}.mode", f"{mode} is not a glTF primitive mode (0-6)")
    material = get_index(raw, "material", where, len(materials), "material")
    variant_materials = read_mappings(ctx, raw, where, len(materials))
    if mode not in TRIANGLE_MODES:
        ctx.warn(f"{where}: mode {mode} ({MODE_NAMES[mode]}) skipped: dxgl renders triangles only")
        return None
    if "POSITION" not in attributes:
        ctx.warn(f"{where}: no POSITION attribute; skipped")
        return None
    draco.decode_primitive(ctx, raw, where)
    positions = _positions(ctx, attributes, where)
    count = len(positions)
    triangles = _triangles(ctx, raw, where, mode, count)
    if len(triangles) == 0:
        ctx.warn(f"{where}: no complete triangle; skipped")
        return None
    flat = "NORMAL" not in attributes
    prim = sc.Primitive(
        positions=positions,
        indices=triangles,
        normals=np.zeros((0, 3), np.float32) if flat else _normals(ctx, attributes, where, positions, triangles),
        texcoords=_attribute_sets(ctx, attributes, "TEXCOORD", where, ("VEC2",), count),
        colors=_colors(ctx, attributes, where, count),
        tangents=_tangents(ctx, attributes, where, count),
        joints=[j.astype(np.uint16) for j in _joint_sets(ctx, attributes, where, count)],
        weights=_attribute_sets(ctx, attributes, "WEIGHTS", where, ("VEC4",), count),
        targets=_targets(ctx, raw, where, count),
        material=material,
        variant_materials=variant_materials,
    )
    if flat:
        _flatten(prim)
    _generate_tangents(ctx, prim, where, materials)
    return prim


def _flatten(prim: sc.Primitive) -> None:
    """Give every triangle its own three vertices, each with the triangle's normal: what a
    primitive without NORMAL means. Every other attribute (and each morph target) follows its
    corner."""
    corner = prim.indices.ravel()
    normals = np.repeat(geometry.flat_normals(prim.positions, prim.indices), 3, axis=0)
    prim.positions = prim.positions[corner]
    prim.texcoords = [t[corner] for t in prim.texcoords]
    prim.colors = None if prim.colors is None else prim.colors[corner]
    prim.tangents = None if prim.tangents is None else prim.tangents[corner]
    prim.joints = [j[corner] for j in prim.joints]
    prim.weights = [w[corner] for w in prim.weights]
    for target in prim.targets:
        for name in ("positions", "normals", "tangents"):
            deltas = getattr(target, name)
            if deltas is not None:
                setattr(target, name, deltas[corner])
    prim.normals = normals
    prim.indices = np.arange(len(corner), dtype=np.uint32).reshape(-1, 3)


def _accessor(ctx: ReadContext, attributes: dict, name: str, where: str, types: tuple, count: int | None,
              group: str = ".attributes") -> Accessor:
    path = f"{where}{group}.{name}"
    acc = ctx.accessors.info(attributes[name], path)
    if acc.type not in types:
        raise fail(path, f"accessor {acc.index} is {acc.type}, expected {' or '.join(types)}")
    if count is not None and acc.count != count:
        raise fail(path, f"accessor {acc.index} has {acc.count} elements but POSITION has {count}")
    return acc


def _read(ctx: ReadContext, attributes: dict, name: str, where: str, types: tuple, count: int | None,
          group: str = ".attributes") -> np.ndarray:
    """An attribute as a fresh float32 array (quantized integers keep their values unless normalized)."""
    acc = _accessor(ctx, attributes, name, where, types, count, group)
    return ctx.accessors.read(acc.index, f"{where}{group}.{name}").astype(np.float32)


def _positions(ctx: ReadContext, attributes: dict, where: str) -> np.ndarray:
    positions = _read(ctx, attributes, "POSITION", where, ("VEC3",), None)
    bad = ~np.isfinite(positions)
    if bad.any():
        raise fail(f"{where}.attributes.POSITION", f"{int(bad.sum())} coordinates are NaN or infinite")
    return positions


def _triangles(ctx: ReadContext, raw: dict, where: str, mode: int, count: int) -> np.ndarray:
    if "indices" in raw:
        indices = _indices(ctx, raw["indices"], where, count)
    else:
        indices = np.arange(count, dtype=np.uint32)
    if mode == geometry.TRIANGLES and indices.size % 3:
        ctx.warn(f"{where}: {indices.size} indices is not a multiple of 3; the last {indices.size % 3} are ignored")
    return geometry.to_triangles(mode, indices).astype(np.uint32)


def _indices(ctx: ReadContext, value, where: str, count: int) -> np.ndarray:
    path = f"{where}.indices"
    acc = ctx.accessors.info(value, path)
    if acc.type != "SCALAR" or acc.component_type not in INDEX_COMPONENTS or acc.normalized:
        raise fail(
            path,
            f"accessor {acc.index} is {acc.describe()}; "
            "indices must be SCALAR UNSIGNED_BYTE, UNSIGNED_SHORT or UNSIGNED_INT",
        )
    indices = ctx.accessors.read(acc.index, path).ravel()
    top = int(indices.max())
    if top >= count:
        raise fail(where, f"index {top} out of range ({count} vertices)")
    return indices.astype(np.uint32)


def _normals(ctx: ReadContext, attributes: dict, where: str, positions: np.ndarray,
             triangles: np.ndarray) -> np.ndarray:
    acc = _accessor(ctx, attributes, "NORMAL", where, ("VEC3",), len(positions))
    normals = ctx.accessors.read(acc.index, f"{where}.attributes.NORMAL").astype(np.float64)
    return _repair_normals(ctx, where, normals, positions, triangles, tolerance=1e-3 if acc.is_float else 2e-2)


def _repair_normals(ctx: ReadContext, where: str, normals: np.ndarray, positions: np.ndarray,
                   triangles: np.ndarray, tolerance: float) -> np.ndarray:
    """Unit normals: rescale those off unit length, regenerate zero/NaN ones, warning about either."""
    with np.errstate(invalid="ignore"):
        unit, lengths = geometry.normalize_rows(normals)
    broken = ~np.isfinite(lengths) | (lengths < 1e-6)
    off = ~broken & (np.abs(lengths - 1.0) > tolerance)
    if off.any():
        ctx.warn(f"{where}: {int(off.sum())} of {len(normals)} NORMAL vectors were not unit length; normalised")
    if broken.any():
        ctx.warn(f"{where}: {int(broken.sum())} of {len(normals)} NORMAL vectors were zero or invalid; regenerated")
        unit[broken] = geometry.vertex_normals(positions, triangles)[broken]
    return unit.astype(np.float32)


def _attribute_sets(ctx: ReadContext, attributes: dict, prefix: str, where: str, types: tuple, count: int) -> list:
    """TEXCOORD_0, TEXCOORD_1… (a gap ends the list) as float32 arrays."""
    out = []
    for k in range(MAX_ATTRIBUTE_SETS):
        name = f"{prefix}_{k}"
        if name not in attributes:
            break
        out.append(_read(ctx, attributes, name, where, types, count))
    return out


def _joint_sets(ctx: ReadContext, attributes: dict, where: str, count: int) -> list[np.ndarray]:
    out = []
    for k in range(MAX_ATTRIBUTE_SETS):
        name = f"JOINTS_{k}"
        if name not in attributes:
            break
        acc = _accessor(ctx, attributes, name, where, ("VEC4",), count)
        if acc.component_type not in (UNSIGNED_BYTE, UNSIGNED_SHORT) or acc.normalized:
            raise fail(f"{where}.attributes.{name}", f"accessor {acc.index} is {acc.describe()}; joints must be "
                       "UNSIGNED_BYTE or UNSIGNED_SHORT")
        out.append(ctx.accessors.read(acc.index, f"{where}.attributes.{name}"))
    return out


def _colors(ctx: ReadContext, attributes: dict, where: str, count: int) -> np.ndarray | None:
    """COLOR_0 as (N, 4) float32 linear RGBA (alpha 1 for VEC3)."""
    if "COLOR_0" not in attributes:
        return None
    acc = _accessor(ctx, attributes, "COLOR_0", where, ("VEC3", "VEC4"), count)
    colors = ctx.accessors.read(acc.index, f"{where}.attributes.COLOR_0")
    if colors.dtype != np.float32:  # integer colours the file forgot to mark normalized
        if acc.component_type not in (UNSIGNED_BYTE, UNSIGNED_SHORT):
            raise fail(f"{where}.attributes.COLOR_0", f"accessor {acc.index} is {acc.describe()}; colours must be "
                       "FLOAT or normalized UNSIGNED_BYTE/UNSIGNED_SHORT")
        ctx.warn(f"{where}.attributes.COLOR_0: {acc.describe()} colours are not marked normalized; "
                 "read as if they were")
        colors = normalize_integers(colors, acc.component_type)
    colors = colors.astype(np.float32)
    if colors.shape[1] == 3:
        colors = np.concatenate([colors, np.ones((count, 1), np.float32)], axis=1)
    return colors


def _tangents(ctx: ReadContext, attributes: dict, where: str, count: int) -> np.ndarray | None:
    if "TANGENT" not in attributes:
        return None
    tangents = _read(ctx, attributes, "TANGENT", where, ("VEC4",), count)
    tangents[:, 3] = np.where(tangents[:, 3] < 0, -1.0, 1.0)
    return tangents


def _targets(ctx: ReadContext, raw: dict, where: str, count: int) -> list[sc.MorphTarget]:
    targets = []
    for t, target in enumerate(get_list(raw, "targets", where)):
        twhere = f"{where}.targets[{t}]"
        if not isinstance(target, dict):
            raise fail(twhere, "must be an object")
        morph = sc.MorphTarget()
        for name, attr in (("POSITION", "positions"), ("NORMAL", "normals"), ("TANGENT", "tangents")):
            if name in target:
                deltas = _read(ctx, target, name, twhere, ("VEC3",), count, group="")
                if not np.all(np.isfinite(deltas)):
                    raise fail(f"{twhere}.{name}", "morph target deltas must be finite")
                setattr(morph, attr, deltas)
        targets.append(morph)
    return targets


def _generate_tangents(ctx: ReadContext, prim: sc.Primitive, where: str, materials: list[sc.Material]) -> None:
    """MikkTSpace-like tangents for primitives that lack TANGENT and one of whose materials (the
    default one first, then those of its material variants) needs them: a normal map, or
    KHR_materials_anisotropy (its direction is given in tangent space). They follow the normal
    map's UV set, else the anisotropy texture's, else TEXCOORD_0. An anisotropic primitive without
    that UV set gets `geometry.turned_tangents` (the extension then asks for a normal map, which
    such a primitive cannot have either), a normal-mapped one none."""
    if prim.tangents is not None:
        return
    used = [materials[m] for m in (prim.material, *prim.variant_materials.values()) if m is not None]
    normal_map = next((m.normal_texture for m in used if m.normal_texture is not None), None)
    anisotropic = [m for m in used if _anisotropy_strength(m) > 0]
    if normal_map is None and not anisotropic:
        return
    uv_set = normal_map.texcoord if normal_map is not None else 0
    anisotropy_map = next((m.extension_textures["anisotropyTexture"] for m in anisotropic
                           if "anisotropyTexture" in m.extension_textures), None)  # fmt: skip
    if normal_map is None and anisotropy_map is not None:
        uv_set = anisotropy_map.texcoord
    if uv_set < len(prim.texcoords):
        prim.tangents = geometry.vertex_tangents(prim.positions, prim.normals, prim.texcoords[uv_set], prim.indices)
    elif anisotropic:
        prim.tangents = geometry.turned_tangents(prim.normals)
        ctx.warn(f"{where}: an anisotropic material without TANGENT or TEXCOORD_{uv_set}: its anisotropy runs "
                 "around the model's up axis")
    else:
        ctx.warn(f"{where}: the normal map uses TEXCOORD_{uv_set}, which the primitive lacks; "
                 "no tangents generated")


def _anisotropy_strength(material: sc.Material) -> float:
    """KHR_materials_anisotropy's anisotropyStrength (0, no effect, when absent)."""
    ext = material.extensions.get("KHR_materials_anisotropy")
    return float(ext.get("anisotropyStrength", 0.0)) if isinstance(ext, dict) else 0.0
