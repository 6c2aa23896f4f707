"""OBJ scans to GLB bytes: the OBJ (`parse`), its MTL (`mtl`) and its textures (`textures`), found
in the scan's folder, become one GLB with matte materials (roughness 1, metallic 0: scans carry
their lighting in their colours, so anything shinier would be invented).

What the converter decides, and why:
- Normals the file gives are used (made unit length). Where it gives none, corners get the smooth,
  angle-weighted normal of their vertex, unless their face turns more than CREASE_DEGREES from it:
  such corners keep the face's normal, so a box stays a box and a scan stays smooth.
- Vertex colours (`v x y z r g b`) become COLOR_0 (sRGB as written, linear in glTF). In a part
  where some vertices have colours and some not, the others get the material's colour (its Kd,
  written into their COLOR_0 rows, since the factor multiplies every vertex).
- Without a material (no MTL, or `usemtl` naming none it has), a part is a neutral light matte
  surface, or its vertex colours where it has them.
- `Kd` is ignored where `map_Kd` is given, as Blender's importer does (the texture is the colour),
  so `Kd 0 0 0` beside a real texture does not turn the scan black.
- `-s` and `-o` become KHR_texture_transform; `-clamp on` a clamping sampler; bump maps a normal map.
- Coordinates far from the origin (map coordinates) are re-centred in float64 (gltf.writer).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ...scene.geometry import face_normals, normalize_rows, scatter
from ..gltf.writer import GlbWriter, MeshPart
from .files import FileIndex
from .mtl import MtlMaterial, find_material, load_materials
from .parse import ObjData, parse_obj
from .textures import TextureFiles

log = logging.getLogger(__name__)

CREASE_DEGREES = 40.0  # a cube's face is 54.7 degrees from its corner's smooth normal; a scan's far less
NEUTRAL = 0.8  # linear base colour of a surface without a material: light grey, as Blender's default


@dataclass
class ConvertedModel:
    """GLB bytes from a conversion, with what the user should know about it."""

    glb: bytes
    warnings: list[str] = field(default_factory=list)


def obj_to_glb(obj_path: Path, root: Path, where: str = "in the archive",
               mtl_label: str = "the ZIP's MTL") -> ConvertedModel:
    """Convert one OBJ (its MTL and textures looked up under `root`) into GLB bytes. Raises
    InvalidFormat for an OBJ that cannot be read or a diffuse texture that is missing or broken."""
    files = FileIndex(root)
    obj_rel = Path(obj_path).resolve().relative_to(files.root).as_posix()
    name = Path(obj_path).name
    data = parse_obj(files.read(obj_rel), f"OBJ '{name}'")
    materials, mtl_warnings = load_materials(data.mtllibs, obj_rel, files, where, mtl_label)
    return scan_to_glb(data, name, materials, files, mtl_warnings, "dxgl OBJ converter")


def scan_to_glb(data: ObjData, name: str, materials: dict[str, MtlMaterial] | None = None,
                files: FileIndex | None = None, warnings: list[str] | None = None,
                generator: str = "dxgl scan converter") -> ConvertedModel:
    """A GLB of parsed scan geometry (from an OBJ, or a PLY/STL read into the same form) with its
    materials, whose texture files are read from `files`."""
    materials = materials or {}
    writer = GlbWriter(generator=generator)
    textures = TextureFiles(writer, files)
    warnings = data.warnings + (warnings or [])
    normals, normal_ids, generated = corner_normals(data)
    if generated:
        warnings.append(f"{name}: {generated} face corners had no normal; smooth ones generated "
                        f"(creases over {CREASE_DEGREES:g} degrees kept)")  # fmt: skip
    made: dict[tuple, int] = {}
    by_object: dict[str, list[MeshPart]] = {}
    missing = set()
    order = np.argsort(data.triangle_parts, kind="stable")  # one sort, not a mask per part (scans have thousands)
    present, first = np.unique(data.triangle_parts[order], return_index=True)
    for part, triangles in zip(present, np.split(data.triangles[order], first[1:])):
        object_name, material_name = data.parts[part]
        mtl = find_material(materials, material_name)
        if material_name and mtl is None and material_name not in missing:
            missing.add(material_name)
            warnings.append(f"{name}: material '{material_name}' is not in its MTL; a neutral matte one is used")
        colored = data.colors is not None and not np.isnan(data.colors[data.corners[triangles.ravel(), 0]]).all()
        key = (mtl.name if mtl else None, colored)
        if key not in made:
            made[key] = writer.material(_material(mtl, colored, textures))
        textured = mtl is not None and bool({"diffuse", "bump", "normal"} & set(mtl.maps))
        by_object.setdefault(object_name or Path(name).stem, []).append(
            _mesh_part(data, triangles, normals, normal_ids, made[key], textured, colored, _fill_color(mtl)))
    for object_name, parts in by_object.items():
        writer.mesh(object_name, parts)
    glb, offset = writer.glb()
    warnings += textures.warnings
    if offset is not None:
        warnings.append(f"{name}: coordinates around ({', '.join(f'{x:.3f}' for x in offset)}) (map coordinates?) "
                        "re-centred; that offset is kept as the root node's translation")  # fmt: skip
    for message in warnings:
        log.info("%s", message)
    return ConvertedModel(glb, warnings)


def corner_normals(data: ObjData) -> tuple[np.ndarray, np.ndarray, int]:
    """(unit normal of every corner (C, 3) float64, an id per corner that is equal where corners
    may share a vertex (the file's vn index; -1 for a generated smooth normal; a unique negative id
    for a crease corner), how many corners had no normal in the file)."""
    corners = data.corners
    normals = np.zeros((len(corners), 3))
    ids = corners[:, 2].copy()
    given = ids >= 0
    face = _polygon_normals(data)
    if given.any():
        unit, lengths = normalize_rows(data.normals[ids[given]])
        bad = ~np.isfinite(lengths) | (lengths < 1e-9)
        unit[bad] = face[given][bad]  # zero or NaN normals in the file: the face's
        normals[given] = unit
    missing = ~given
    if missing.any():
        smooth = _vertex_normals(data)[corners[:, 0]]
        keep = missing & (np.sum(face * smooth, axis=1) >= np.cos(np.radians(CREASE_DEGREES)))
        crease = missing & ~keep
        normals[keep], ids[keep] = smooth[keep], -1
        normals[crease] = face[crease]
        ids[crease] = -2 - np.nonzero(crease)[0]
    return normals, ids, int(missing.sum())


def _polygon_normals(data: ObjData) -> np.ndarray:
    """(C, 3) unit normal of the polygon each corner belongs to (its triangles' area-weighted sum)."""
    fn = face_normals(data.positions, data.corners[data.triangles, 0])
    unit, lengths = normalize_rows(scatter(fn, data.triangles, len(data.corners)))
    unit[lengths <= 0] = (0.0, 0.0, 1.0)
    return unit


def _vertex_normals(data: ObjData) -> np.ndarray:
    """(N, 3) smooth unit normal of every position: its faces' normals weighted by their angle at
    it (Thürmer & Wüthrich 1998), which does not depend on how polygons were cut into triangles
    (area weights would lean a cube's corner towards the face cut through it)."""
    positions_of = data.corners[data.triangles, 0]
    unit, _ = normalize_rows(face_normals(data.positions, positions_of))
    p = data.positions[positions_of]  # (M, 3 corners, 3)
    angles = np.empty(positions_of.shape)
    for k in range(3):
        a, b = p[:, (k + 1) % 3] - p[:, k], p[:, (k + 2) % 3] - p[:, k]
        cos = np.sum(a * b, axis=1) / np.maximum(np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1), 1e-300)
        angles[:, k] = np.arccos(np.clip(cos, -1.0, 1.0))
    unit, lengths = normalize_rows(scatter(unit[:, None, :] * angles[:, :, None], positions_of, len(data.positions)))
    unit[lengths <= 0] = (0.0, 0.0, 1.0)
    return unit


def _fill_color(mtl: MtlMaterial | None) -> tuple[float, float, float]:
    """Linear colour for the vertices without one in a part that has vertex colours: the material's
    Kd (unless a texture gives the colour), else the neutral grey."""
    if mtl is not None and "diffuse" in mtl.maps:
        return (1.0, 1.0, 1.0)  # the texture alone
    if mtl is not None and mtl.diffuse is not None:
        return tuple(mtl.diffuse)
    return (NEUTRAL, NEUTRAL, NEUTRAL)


def _mesh_part(data: ObjData, triangles: np.ndarray, normals: np.ndarray, normal_ids: np.ndarray,
               material: int, textured: bool, colored: bool, fill: tuple[float, float, float]) -> MeshPart:
    """One primitive: the corners its triangles use, welded where position, texture coordinate and
    normal agree; `fill` is the linear colour of vertices without one where the part has colours."""
    used, local = np.unique(triangles, return_inverse=True)
    corners = data.corners[used]
    keys = np.stack([corners[:, 0], corners[:, 1] if textured else np.zeros(len(used), np.int64),
                     normal_ids[used]], axis=1)  # fmt: skip
    _, first, vertex_of = _unique_rows(keys)
    vertex_triangles = vertex_of[local].reshape(-1, 3)
    picked = used[first]
    positions = data.positions[data.corners[picked, 0]]
    texcoords = None
    if textured:
        uv_index = data.corners[picked, 1]
        uv = np.where(uv_index[:, None] >= 0, data.texcoords[np.maximum(uv_index, 0)] if len(data.texcoords) else 0.0, 0.0)
        texcoords = np.stack([uv[:, 0], 1.0 - uv[:, 1]], axis=1)  # OBJ's v grows upwards, glTF's downwards
    colors = None
    if colored:
        srgb = data.colors[data.corners[picked, 0]].astype(np.float64)
        linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
        linear[np.isnan(linear).any(axis=1)] = fill
        colors = np.concatenate([linear, np.ones((len(linear), 1))], axis=1)
    return MeshPart(positions, normals[picked], vertex_triangles.astype(np.uint32), texcoords, colors, material)


def _unique_rows(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """np.unique over rows (unique, first index, inverse), through one int64 key when it fits (a
    sort of one column instead of a lexicographic one: several times faster on millions)."""
    shifted = keys - keys.min(axis=0)
    spans = shifted.max(axis=0) + 1
    if int(spans[0]) * int(spans[1]) * int(spans[2]) < 2**62:
        flat = (shifted[:, 0] * spans[1] + shifted[:, 1]) * spans[2] + shifted[:, 2]
        unique, first, inverse = np.unique(flat, return_index=True, return_inverse=True)
    else:
        unique, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    return unique, first, inverse.ravel()


def _material(mtl: MtlMaterial | None, colored: bool, textures: TextureFiles) -> dict:
    """A matte glTF material for an MTL material (None: the neutral one)."""
    pbr: dict = {"metallicFactor": 0.0, "roughnessFactor": 1.0}
    out: dict = {"name": mtl.name if mtl else ("vertex colours" if colored else "neutral"), "pbrMetallicRoughness": pbr}
    if mtl is None:
        pbr["baseColorFactor"] = [1.0, 1.0, 1.0, 1.0] if colored else [NEUTRAL, NEUTRAL, NEUTRAL, 1.0]
        return out
    diffuse = mtl.maps.get("diffuse")
    if diffuse is not None or colored:
        rgb = [1.0, 1.0, 1.0]  # the texture, or the vertex colours (Kd filled in where a vertex has none), is the colour
    else:
        rgb = list(mtl.diffuse or (NEUTRAL, NEUTRAL, NEUTRAL))
    pbr["baseColorFactor"] = [*rgb, mtl.dissolve]
    if mtl.dissolve < 1.0:
        out["alphaMode"] = "BLEND"
    if diffuse is not None:
        su, sv = diffuse.scale
        ou, ov = diffuse.offset
        # OBJ samples at (s u + o) with v up; in glTF's v-down uv that is scale (su, sv), offset (ou, 1 - sv - ov).
        pbr["baseColorTexture"] = textures.writer.texture_info(textures.color(diffuse.path), clamp=diffuse.clamp,
                                                               scale=(su, sv), offset=(ou, 1.0 - sv - ov))  # fmt: skip
    bump = mtl.maps.get("normal") or mtl.maps.get("bump")
    if bump is not None:
        image = textures.normal(bump.path, bump.bump_multiplier, is_bump="normal" not in mtl.maps)
        su, sv = bump.scale
        ou, ov = bump.offset
        out["normalTexture"] = textures.writer.texture_info(image, clamp=bump.clamp, scale=(su, sv),
                                                            offset=(ou, 1.0 - sv - ov))  # fmt: skip
    return out
