"""OBJ scans to GLB bytes: the OBJ, its MTL (rewritten with exact texture names by `mtl`) and its
textures are read by trimesh inside the scan's folder and exported as one GLB with matte materials.
"""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ...errors import InvalidFormat
from ..gltf.container import pack_glb, parse_json, split_glb
from .files import FileIndex
from .mtl import decode_text, plan_materials

log = logging.getLogger(__name__)


@dataclass
class ConvertedModel:
    """GLB bytes from a conversion, with what the user should know about it."""

    glb: bytes
    warnings: list[str] = field(default_factory=list)








def _make_resolver(files: FileIndex, overrides: dict[str, bytes]):
    """A trimesh resolver reading only inside the index's root (plus rewritten MTL text)."""
    from trimesh.resolvers import Resolver

    class ArchiveResolver(Resolver):
        def __init__(self):
            pass

        def get(self, name: str) -> bytes:
            if name in overrides:
                return overrides[name]
            rel = files.resolve(name)
            if rel is None:
                raise FileNotFoundError(name)
            return files.read(rel)

        def write(self, name, data):
            raise NotImplementedError("read-only")

        def namespaced(self, namespace):
            return self

        def keys(self):
            return list(overrides) + files.files

    return ArchiveResolver()


def obj_to_glb(obj_path: Path, root: Path, where: str = "in the archive",
               mtl_label: str = "the ZIP's MTL") -> ConvertedModel:
    """Convert one OBJ (its MTL and textures looked up under `root`) into GLB bytes.

    Materials come out rough (roughness 1) and non-metallic: scans carry baked lighting in
    their colour texture and no PBR data, so anything shinier would be invented."""
    files = FileIndex(root)
    obj_rel = Path(obj_path).resolve().relative_to(files.root).as_posix()
    obj_bytes = files.read(obj_rel)
    plan = plan_materials(decode_text(obj_bytes), obj_rel, files, where, mtl_label)
    overrides = {plan.key: plan.text.encode("utf-8")} if plan.key is not None else {}
    scene = _trimesh_scene(obj_bytes, _make_resolver(files, overrides), Path(obj_path).name)
    glb = _export_glb(scene, Path(obj_path).name)
    for message in plan.warnings:
        log.info("%s: %s", Path(obj_path).name, message)
    return ConvertedModel(_rough_dielectric(glb), plan.warnings)


def _trimesh_scene(obj_bytes: bytes, resolver, name: str):
    import trimesh

    try:
        scene = trimesh.load_scene(io.BytesIO(obj_bytes), file_type="obj", resolver=resolver, process=False)
    except Exception as err:  # trimesh raises many types on garbage
        raise InvalidFormat(f"cannot read OBJ '{name}': {type(err).__name__}: {err}") from None
    meshes = [g for g in scene.geometry.values() if isinstance(g, trimesh.Trimesh) and len(g.faces)]
    if not meshes:
        raise InvalidFormat(f"model has no triangles to render: OBJ '{name}' has no faces")
    for key, geom in list(scene.geometry.items()):
        if not isinstance(geom, trimesh.Trimesh) or len(geom.faces) == 0:
            scene.delete_geometry(key)
    for mesh in meshes:
        _unit_file_normals(mesh)
    return scene


def _unit_file_normals(mesh) -> None:
    """OBJ 'vn' vectors are often not unit length (Meshlab writes 2*pi long ones) but glTF requires
    unit normals: rescale them, and replace zero or invalid ones by normals from the faces."""
    from ...scene.geometry import normalize_rows, vertex_normals

    normals = np.asarray(mesh.vertex_normals, dtype=np.float64)
    unit, lengths = normalize_rows(np.nan_to_num(normals))
    bad = ~np.isfinite(lengths) | (lengths < 1e-6)
    if not bad.any() and np.allclose(lengths, 1.0, atol=1e-4):
        return
    if bad.any():
        unit[bad] = vertex_normals(np.asarray(mesh.vertices), np.asarray(mesh.faces))[bad]
    mesh.vertex_normals = unit


def _export_glb(scene, name: str) -> bytes:
    try:
        return scene.export(file_type="glb")
    except Exception as err:
        raise InvalidFormat(f"cannot convert OBJ '{name}' to glTF: {type(err).__name__}: {err}") from None


def _rough_dielectric(glb: bytes) -> bytes:
    """Patch every material to roughness 1 / metallic 0 (trimesh derives roughness from Ns and leaves
    metallic at the glTF default of 1); primitives without a material get such a material."""
    chunks = split_glb(glb)
    doc = parse_json(chunks.json_bytes, "converted GLB")
    materials = doc.setdefault("materials", [])
    for material in materials:
        pbr = material.setdefault("pbrMetallicRoughness", {})
        pbr["roughnessFactor"] = 1.0
        pbr["metallicFactor"] = 0.0
    default = None
    for mesh in doc.get("meshes", []):
        for prim in mesh.get("primitives", []):
            if "material" not in prim:
                if default is None:
                    pbr = {"metallicFactor": 0.0, "roughnessFactor": 1.0}
                    materials.append({"name": "scan", "pbrMetallicRoughness": pbr})
                    default = len(materials) - 1
                prim["material"] = default
    return pack_glb(doc, bytes(chunks.bin) if chunks.bin is not None else None)
