"""Model files in, Scene (or self-contained GLB bytes) out, dispatching on the file extension.

.glb/.gltf go straight to the glTF reader. OBJ scans (.zip, or a bare .obj) are converted
to GLB with trimesh first and read by the same reader, so every format gets the same
validation. A .zip holding a glTF (with its .bin and images) is read as that glTF.
"""
from __future__ import annotations

import logging
import tempfile
from pathlib import Path, PurePosixPath

from ..errors import InvalidFormat
from ..scene.model import Scene
from .archive import extract_zip, find_model_file
from .gltf import document_from_gltf, document_to_glb, read_glb_bytes, read_gltf_file
from .obj.convert import ConvertedModel, obj_to_glb

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".glb", ".gltf", ".zip", ".obj")


def load_model(path: str | Path) -> Scene:
    """Read a .glb, .gltf, .zip (OBJ scan or zipped glTF) or .obj file into a Scene."""
    path = Path(path)
    suffix = _suffix(path)
    if suffix in (".glb", ".gltf"):
        return read_gltf_file(path)
    if suffix == ".obj":
        return _scene_from_conversion(_convert_obj(path), path.name)
    with tempfile.TemporaryDirectory(prefix="dxgl-zip-") as tmp:
        model = _unpack(path, Path(tmp))
        if model.suffix.lower() in (".glb", ".gltf"):
            scene = read_gltf_file(model)
            scene.source = path.name
            return scene
        return _scene_from_conversion(obj_to_glb(model, Path(tmp)), path.name)


def load_glb_bytes(data: bytes, name: str) -> Scene:
    """Read a self-contained GLB held in memory (what convert_to_glb returns and the API stores)."""
    return read_glb_bytes(data, name)


def convert_to_glb(path: str | Path) -> bytes:
    """The model as one self-contained GLB: .glb as is, .gltf packed with its buffers and images,
    .zip/.obj converted. Only the container is checked here; load the result to validate it fully."""
    path = Path(path)
    suffix = _suffix(path)
    if suffix == ".glb":
        return _read(path)
    if suffix == ".gltf":
        return _pack_gltf(path)
    if suffix == ".obj":
        return _convert_obj(path).glb
    with tempfile.TemporaryDirectory(prefix="dxgl-zip-") as tmp:
        model = _unpack(path, Path(tmp))
        if model.suffix.lower() == ".glb":
            return model.read_bytes()
        if model.suffix.lower() == ".gltf":
            return _pack_gltf(model)
        return obj_to_glb(model, Path(tmp)).glb


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = f"'{suffix}'" if suffix else f"(no extension on '{path.name}')"
        raise InvalidFormat(f"unsupported file type {shown}: expected .glb, .gltf or .zip")
    if not path.is_file():
        raise InvalidFormat(f"model file not found: {path.name}")
    return suffix


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
