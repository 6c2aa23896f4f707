"""PLY and STL scans (what many structured-light scanners and CAD tools export) to GLB bytes.

trimesh reads the files (ASCII and binary, any PLY property layout); their vertices, faces, vertex
colours and PLY vertex normals are put into the OBJ converter's form and written by the same code,
so they get the same normals rule, colours, neutral matte material and map-coordinate handling. An
STL stores every triangle's corners apart: identical positions are welded first, so a smooth scan
saved as STL renders smooth.
"""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from ..errors import InvalidFormat
from .obj.convert import ConvertedModel, scan_to_glb
from .obj.parse import ObjData

SUFFIXES = (".ply", ".stl")


def mesh_to_glb(path: Path) -> ConvertedModel:
    """Convert one .ply or .stl file into GLB bytes; InvalidFormat when trimesh cannot read it or
    it holds no triangles."""
    import trimesh

    path = Path(path)
    quiet = logging.getLogger("trimesh")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # it logs tracebacks (a PLY's missing texture); what matters is said below
    try:
        loaded = trimesh.load(str(path), process=False, force="mesh")
    except Exception as err:  # trimesh raises many types on garbage
        raise InvalidFormat(f"cannot read {path.suffix.upper()[1:]} '{path.name}': {type(err).__name__}: {err}") from None
    finally:
        quiet.setLevel(level)
    faces = np.asarray(getattr(loaded, "faces", np.zeros((0, 3))), np.int64)
    if len(faces) == 0:
        raise InvalidFormat(f"model has no triangles to render: '{path.name}' has no faces")
    positions = np.asarray(loaded.vertices, np.float64)
    warnings: list[str] = []
    colors = None
    visual = getattr(loaded, "visual", None)
    if visual is not None and visual.kind == "vertex":
        colors = np.asarray(visual.vertex_colors, np.float32)[:, :3] / 255.0
    elif visual is not None and visual.kind == "face":
        warnings.append(f"{path.name}: per-face colours are not kept (vertex colours are)")
    elif visual is not None and visual.kind == "texture":
        warnings.append(f"{path.name}: its texture is not kept (PLY texture files are not converted; use OBJ+MTL)")
    normals = _file_normals(loaded)
    if normals is not None and len(normals) != len(positions):
        normals = None  # trimesh dropped or merged vertices: these rows no longer line up
    if path.suffix.lower() == ".stl" or normals is None:
        positions, faces, colors = _weld(positions, faces, colors)
        normals = None
    corners = np.full((faces.size, 3), -1, np.int64)
    corners[:, 0] = faces.ravel()
    if normals is not None:
        corners[:, 2] = faces.ravel()
    data = ObjData(positions, colors, np.zeros((0, 2)), normals if normals is not None else np.zeros((0, 3)),
                   corners, np.arange(faces.size, dtype=np.int64).reshape(-1, 3),
                   np.zeros(len(faces), np.int32), [(path.stem, None)])  # fmt: skip
    return scan_to_glb(data, path.name, warnings=warnings, generator="dxgl PLY/STL converter")


def _file_normals(mesh) -> np.ndarray | None:
    """The vertex normals a PLY file carries (nx ny nz), or None (trimesh would make some up)."""
    raw = (getattr(mesh, "metadata", None) or {}).get("_ply_raw", {})
    vertex = raw.get("vertex", {}).get("data") if isinstance(raw, dict) else None
    names = getattr(getattr(vertex, "dtype", None), "names", None) or ()
    if {"nx", "ny", "nz"} <= set(names):
        return np.stack([np.asarray(vertex[k], np.float64).ravel() for k in ("nx", "ny", "nz")], axis=1)
    return None


def _weld(positions: np.ndarray, faces: np.ndarray, colors: np.ndarray | None):
    """Merge vertices at exactly the same position (and colour)."""
    keys = positions if colors is None else np.concatenate([positions, colors.astype(np.float64)], axis=1)
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    return positions[first], inverse[faces], None if colors is None else colors[first]
