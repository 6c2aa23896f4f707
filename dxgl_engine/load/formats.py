"""Model files in, a Scene (or self-contained GLB bytes) out: the one table of the formats dxgl reads.

.glb/.gltf go straight to the glTF reader. OBJ scans (.zip, or a bare .obj) are converted to GLB
with trimesh first and read by the same reader, so every format gets the same validation. A .zip
holding a glTF (with its .bin and images) is read as that glTF. A new format is one `ModelFormat`
entry in `FORMATS`: the CLI's help, the desktop app's file dialogs and the tests read the table.
"""
from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable

from ..errors import InvalidFormat
from ..scene.model import Scene
from .archive import extract_zip, find_model_file
from .gltf import document_from_gltf, document_to_glb, read_glb_bytes, read_gltf_file
from .obj.convert import ConvertedModel, obj_to_glb
from .ply_stl import SUFFIXES as MESH_SCAN_SUFFIXES
from .ply_stl import mesh_to_glb

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelFormat:
    """One file type: its suffix, what it holds (for help texts), how to read it into a Scene and
    how to turn it into one self-contained GLB (what the API stores)."""

    suffix: str
    description: str
    read: Callable[[Path], Scene]
    to_glb: Callable[[Path], bytes]


def load_model(path: str | Path) -> Scene:
    """Read a model file of any format in `FORMATS` into a Scene.

    Raises InvalidFormat (with a one-line message naming the file or the fault) for an unknown
    suffix, a missing file or content the reader refuses."""
    path = Path(path)
    return format_of(path).read(path)


def load_glb_bytes(data: bytes, name: str) -> Scene:
    """Read a self-contained GLB held in memory (what convert_to_glb returns and the API stores)."""
    return read_glb_bytes(data, name)


def convert_to_glb(path: str | Path) -> bytes:
    """The model as one self-contained GLB: .glb as is, .gltf packed with its buffers and images,
    .zip/.obj converted. Only the container is checked here; load the result to validate it fully."""
    path = Path(path)
    return format_of(path).to_glb(path)


def format_of(path: Path) -> ModelFormat:
    """The entry of FORMATS for `path`'s suffix; InvalidFormat when it has none or the file is missing."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        shown = f"'{path.suffix.lower()}'" if path.suffix else f"(no extension on '{path.name}')"
        raise InvalidFormat(f"unsupported file type {shown}: expected {suffix_list()}")
    if not path.is_file():
        raise InvalidFormat(f"model file not found: {path.name}")
    return fmt


def suffix_list() -> str:
    """'.glb, .gltf, .zip or .obj': the suffixes of FORMATS, for messages."""
    names = list(FORMATS)
    return ", ".join(names[:-1]) + " or " + names[-1]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise InvalidFormat(f"cannot read {path.name}: {err.strerror or err}") from None


def _unpack(path: Path, dest: Path) -> Path:
    """Extract a model ZIP and return the path of the one model file inside."""
    names = extract_zip(path, dest)
    model = find_model_file(names)
    log.info("%s: model file %s", path.name, PurePosixPath(model).name)
    return dest / model


def _convert_obj(path: Path) -> ConvertedModel:
    return obj_to_glb(path, path.parent, where=f"beside {path.name}", mtl_label="the MTL")


def _scene_from_conversion(converted: ConvertedModel, name: str) -> Scene:
    scene = read_glb_bytes(converted.glb, name)
    scene.warnings = converted.warnings + scene.warnings
    return scene


def _pack_gltf(path: Path) -> bytes:
    return document_to_glb(document_from_gltf(_read(path), path.name, path.parent))


def _read_obj(path: Path) -> Scene:
    return _scene_from_conversion(_convert_obj(path), path.name)


def _read_zip(path: Path) -> Scene:
    with tempfile.TemporaryDirectory(prefix="dxgl-zip-") as tmp:
        model = _unpack(path, Path(tmp))
        if model.suffix.lower() in (".glb", ".gltf"):
            scene = read_gltf_file(model)
            scene.source = path.name
            return scene
        if model.suffix.lower() in MESH_SCAN_SUFFIXES:
            return _scene_from_conversion(mesh_to_glb(model), path.name)
        return _scene_from_conversion(obj_to_glb(model, Path(tmp)), path.name)


def _zip_to_glb(path: Path) -> bytes:
    with tempfile.TemporaryDirectory(prefix="dxgl-zip-") as tmp:
        model = _unpack(path, Path(tmp))
        if model.suffix.lower() == ".glb":
            return model.read_bytes()
        if model.suffix.lower() == ".gltf":
            return _pack_gltf(model)
        if model.suffix.lower() in MESH_SCAN_SUFFIXES:
            return mesh_to_glb(model).glb
        return obj_to_glb(model, Path(tmp)).glb


def _read_mesh_scan(path: Path) -> Scene:
    return _scene_from_conversion(mesh_to_glb(path), path.name)


def _mesh_scan_glb(path: Path) -> bytes:
    return mesh_to_glb(path).glb


FORMATS: dict[str, ModelFormat] = {
    f.suffix: f
    for f in (
        ModelFormat(".glb", "glTF binary", read_gltf_file, _read),
        ModelFormat(".gltf", "glTF with its .bin and images beside it (or as data URIs)", read_gltf_file, _pack_gltf),
        ModelFormat(".zip", "a 3D scan (OBJ with its MTL and textures, PLY or STL), or a glTF with its files", _read_zip,
                    _zip_to_glb),
        ModelFormat(".obj", "an OBJ scan with its MTL and textures beside it", _read_obj,
                    lambda path: _convert_obj(path).glb),
        ModelFormat(".ply", "a PLY scan (vertex colours kept)", _read_mesh_scan, _mesh_scan_glb),
        ModelFormat(".stl", "an STL scan or CAD export", _read_mesh_scan, _mesh_scan_glb),
    )
}  # fmt: skip
MODEL_SUFFIXES = tuple(FORMATS)
