"""Which glTF extensions dxgl honours, and the checks on extensionsRequired/extensionsUsed.

A required extension we cannot honour changes what the file means (compressed geometry,
GPU-only textures), so such a model is refused up front with the extension named; an
unknown optional one only earns a warning because the file stays valid without it.
"""
from __future__ import annotations

from .fields import fail, get_list

SUPPORTED_EXTENSIONS = frozenset(
    {
        "KHR_mesh_quantization",
        "KHR_texture_transform",
        "KHR_materials_emissive_strength",
        "KHR_materials_unlit",
        "KHR_materials_clearcoat",
        "KHR_materials_sheen",
        "KHR_materials_specular",
        "KHR_materials_ior",
        "KHR_materials_transmission",
        "KHR_materials_volume",
        "KHR_materials_dispersion",
        "KHR_materials_variants",
        "KHR_materials_iridescence",
        "KHR_materials_anisotropy",
        "KHR_materials_diffuse_transmission",
        "KHR_lights_punctual",
        "EXT_mesh_gpu_instancing",
        "EXT_texture_webp",
        "EXT_texture_avif",
        "KHR_texture_basisu",
        "KHR_draco_mesh_compression",
        "EXT_meshopt_compression",
        "KHR_meshopt_compression",
    }
)


def _names(doc: dict, key: str) -> list[str]:
    names = get_list(doc, key, "")
    for i, name in enumerate(names):
        if not isinstance(name, str):
            raise fail(f"{key}[{i}]", f"must be a string, not {name!r}")
    return names


def check_required_extensions(doc: dict) -> list[str]:
    """Refuse the model when it requires an extension outside SUPPORTED_EXTENSIONS; returns the list."""
    required = _names(doc, "extensionsRequired")
    missing = [name for name in dict.fromkeys(required) if name not in SUPPORTED_EXTENSIONS]
    if len(missing) == 1:
        raise fail("", f"model requires glTF extension {missing[0]}, which dxgl does not support")
    if missing:
        raise fail("", f"model requires glTF extensions {', '.join(missing)}, which dxgl does not support")
    return required


def unsupported_used_extensions(doc: dict) -> tuple[list[str], list[str]]:
    """(extensionsUsed, warnings for the optional ones dxgl ignores)."""
    used = _names(doc, "extensionsUsed")
    warnings = [
        f"model uses glTF extension {name}, which dxgl ignores (the model renders without it)"
        for name in dict.fromkeys(used)
        if name not in SUPPORTED_EXTENSIONS
    ]
    return used, warnings
