"""glTF 2.0 JSON (with its buffers) into the engine's Scene.

The cheap structural checks run first (nodes, materials, meshes, skins, animations) and
the costly image decoding last, so a broken file fails fast. Whatever escapes the explicit
checks is still reported as InvalidFormat naming the part, never as a bare traceback.
"""
from __future__ import annotations

from pathlib import Path

from ...errors import DxglError, InvalidFormat
from ...scene.model import Scene
from .animation import check_skinned_meshes, read_animations, read_skins
from .container import GltfDocument, document_from_glb, document_from_gltf
from .context import ReadContext
from .extensions import check_required_extensions, unsupported_used_extensions
from .fields import get_dict, get_str
from .materials import decode_material_images, read_materials
from .nodes import read_lights, read_nodes, scene_roots
from .primitives import read_meshes
from .variants import read_variants


def read_gltf_file(path: str | Path) -> Scene:
    """A .gltf or .glb file on disk (external files are read from its folder)."""
    path = Path(path)
    data = _read_file(path)
    if path.suffix.lower() == ".glb":
        doc = _wrap("the GLB container", document_from_glb, data, path.name, path.parent)
    else:
        doc = _wrap("the glTF file", document_from_gltf, data, path.name, path.parent)
    return read_document(doc)


def read_glb_bytes(data: bytes, name: str) -> Scene:
    """A self-contained GLB held in memory (no external files can be resolved)."""
    return read_document(_wrap("the GLB container", document_from_glb, data, name, None))


def read_document(doc: GltfDocument) -> Scene:
    """The Scene of a parsed document."""
    return _wrap("the model", _read, doc)


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InvalidFormat(f"model file not found: {path.name}") from None
    except OSError as err:
        raise InvalidFormat(f"cannot read {path.name}: {err.strerror or err}") from None


def _wrap(part: str, fn, *args):
    """Read one part of the document, turning unexpected exceptions into InvalidFormat with context."""
    try:
        return fn(*args)
    except DxglError:
        raise
    except MemoryError:
        raise InvalidFormat(f"model is too large to load while reading {part}") from None
    except RecursionError:
        raise InvalidFormat(f"model is nested too deeply while reading {part}") from None
    except Exception as err:
        raise InvalidFormat(f"unexpected error while reading {part}: {type(err).__name__}: {err}") from err


def _read(doc: GltfDocument) -> Scene:
    ctx = ReadContext.of(doc)
    required = check_required_extensions(ctx.json)
    used, warnings = unsupported_used_extensions(ctx.json)
    for message in warnings:
        ctx.warn(message)
    nodes = read_nodes(ctx)
    materials = read_materials(ctx)
    variants = read_variants(ctx)  # before the meshes: their mappings are checked against it
    meshes = read_meshes(ctx, materials)
    skins = read_skins(ctx)
    check_skinned_meshes(ctx, nodes, meshes, skins)
    scene = Scene(
        nodes=nodes,
        roots=scene_roots(ctx, nodes),
        meshes=meshes,
        materials=materials,
        skins=skins,
        animations=read_animations(ctx, nodes, meshes),
        lights=read_lights(ctx),
        material_variants=variants,
        cameras=ctx.count("cameras"),
        extensions_used=used,
        extensions_required=required,
        source=ctx.doc.name,
        generator=get_str(get_dict(ctx.json, "asset", ""), "generator", "asset"),
    )
    _check_has_triangles(scene)
    scene.images = decode_material_images(ctx, materials)
    scene.warnings = ctx.warnings
    return scene


def _check_has_triangles(scene: Scene) -> None:
    if scene.triangle_count:
        return
    if not any(m.primitives for m in scene.meshes):
        reason = "it has no meshes" if not scene.meshes else "its meshes hold no triangles (points/lines are skipped)"
    else:
        reason = "no node of its scene places a mesh"
    raise InvalidFormat(f"model has no triangles to render: {reason}")
