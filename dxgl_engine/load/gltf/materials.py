"""glTF materials, textures and samplers into the Scene's Material / TextureRef / Sampler / Image.

Images are decoded once each (in a small thread pool: Pillow releases the GIL), and only
those a material actually uses. A texture whose image is a GPU-only format is dropped with
a warning; the rest of the material still applies.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ...scene import model as sc
from .context import ReadContext
from .fields import check_index, fail, get_bool, get_dict, get_int, get_number, get_numbers, get_str
from .images import decode_image

ALPHA_MODES = ("OPAQUE", "MASK", "BLEND")
# Material extensions turned into Material fields; every other one is kept raw in Material.extensions.
INTERPRETED_MATERIAL_EXTENSIONS = ("KHR_materials_emissive_strength", "KHR_materials_unlit")
# Material extensions whose textures dxgl shades with: extension -> (the factor that switches it
# on, its default, its textureInfo properties). Each property becomes a TextureRef in
# Material.extension_textures, its image decoded like a core slot's, but only while the factor is
# not 0 (the extension then has no effect, and its textures would cost load time for nothing).
EXTENSION_TEXTURES = {
    "KHR_materials_iridescence": ("iridescenceFactor", 0.0, ("iridescenceTexture", "iridescenceThicknessTexture")),
    "KHR_materials_anisotropy": ("anisotropyStrength", 0.0, ("anisotropyTexture",)),
    "KHR_materials_diffuse_transmission": ("diffuseTransmissionFactor", 0.0,
                                           ("diffuseTransmissionTexture", "diffuseTransmissionColorTexture")),
    "KHR_materials_transmission": ("transmissionFactor", 0.0, ("transmissionTexture",)),
    "KHR_materials_sheen": ("sheenColorFactor", [0.0, 0.0, 0.0], ("sheenColorTexture", "sheenRoughnessTexture")),
    "KHR_materials_volume": ("thicknessFactor", 0.0, ("thicknessTexture",)),
}  # fmt: skip
# Their numbers, checked when read: name -> (default, minimum, maximum); a factor the schema bounds
# to [0, 1] is clamped with a warning like the core factors, the other bounds refuse the file.
_UNIT = "unit"
EXTENSION_NUMBERS = {
    "KHR_materials_iridescence": {"iridescenceFactor": (0.0, _UNIT, None), "iridescenceIor": (1.3, 1.0, None),
                                  "iridescenceThicknessMinimum": (100.0, 0.0, None),
                                  "iridescenceThicknessMaximum": (400.0, 0.0, None)},
    "KHR_materials_anisotropy": {"anisotropyStrength": (0.0, _UNIT, None), "anisotropyRotation": (0.0, None, None)},
    "KHR_materials_diffuse_transmission": {"diffuseTransmissionFactor": (0.0, _UNIT, None)},
}  # fmt: skip
_FILTERS = {sc.NEAREST, sc.LINEAR}
_MIN_FILTERS = _FILTERS | {
    sc.NEAREST_MIPMAP_NEAREST,
    sc.LINEAR_MIPMAP_NEAREST,
    sc.NEAREST_MIPMAP_LINEAR,
    sc.LINEAR_MIPMAP_LINEAR,
}
_WRAPS = {sc.REPEAT, sc.CLAMP_TO_EDGE, sc.MIRRORED_REPEAT}


def uv_transform_matrix(offset=(0.0, 0.0), rotation: float = 0.0, scale=(1.0, 1.0)) -> np.ndarray:
    """KHR_texture_transform as a 3x3 matrix M with uv' = M @ (u, v, 1): translation * rotation * scale.

    The rotation turns UVs counter-clockwise as seen in glTF's v-down UV space, i.e. rows
    (cos, sin) / (-sin, cos). The GLSL listing in the extension's first README has it transposed
    (KhronosGroup/glTF#1563); this matrix matches the extension's own example ("the lower left
    quadrant, rotated clockwise 90 degrees"), its TextureTransformTest model and the common viewers."""
    c, s = np.cos(rotation), np.sin(rotation)
    translation = np.array([[1.0, 0.0, offset[0]], [0.0, 1.0, offset[1]], [0.0, 0.0, 1.0]])
    rot = np.array([[c, s, 0.0], [-s, c, 0.0], [0.0, 0.0, 1.0]])
    scaling = np.diag([scale[0], scale[1], 1.0])
    return translation @ rot @ scaling


def read_materials(ctx: ReadContext) -> list[sc.Material]:
    """All materials; their TextureRef.image holds a glTF image index until `decode_material_images`."""
    samplers: dict[int, sc.Sampler] = {}
    return [_material(ctx, i, samplers) for i in range(ctx.count("materials"))]


def decode_material_images(ctx: ReadContext, materials: list[sc.Material]) -> list[sc.Image]:
    """Decode the images the materials use (each once) and point TextureRef.image into the result.
    Raises InvalidFormat for an image that cannot be decoded (see images.decode_image)."""
    gltf_images = sorted({ref.image for m in materials for ref in m.textures().values()})
    decoded = _decode_images(ctx, gltf_images)
    remap = {index: k for k, index in enumerate(gltf_images)}
    for material in materials:
        for ref in material.textures().values():
            ref.image = remap[ref.image]
    return [decoded[index] for index in gltf_images]


def _material(ctx: ReadContext, index: int, samplers: dict) -> sc.Material:
    where = f"materials[{index}]"
    raw = ctx.json["materials"][index]
    pbr = get_dict(raw, "pbrMetallicRoughness", where)
    pbr_where = f"{where}.pbrMetallicRoughness"
    extensions = get_dict(raw, "extensions", where)
    mat = sc.Material(
        name=get_str(raw, "name", where),
        base_color_factor=_unit_range(ctx, get_numbers(pbr, "baseColorFactor", pbr_where, 4, [1.0] * 4),
                                      f"{pbr_where}.baseColorFactor"),
        base_color_texture=_texture_ref(ctx, pbr, "baseColorTexture", pbr_where, samplers),
        metallic_factor=float(_unit_range(ctx, get_number(pbr, "metallicFactor", pbr_where, 1.0),
                                          f"{pbr_where}.metallicFactor")),
        roughness_factor=float(_unit_range(ctx, get_number(pbr, "roughnessFactor", pbr_where, 1.0),
                                           f"{pbr_where}.roughnessFactor")),
        metallic_roughness_texture=_texture_ref(ctx, pbr, "metallicRoughnessTexture", pbr_where, samplers),
        normal_texture=_texture_ref(ctx, raw, "normalTexture", where, samplers, scale_key="scale"),
        occlusion_texture=_texture_ref(ctx, raw, "occlusionTexture", where, samplers, scale_key="strength"),
        emissive_factor=_unit_range(ctx, get_numbers(raw, "emissiveFactor", where, 3, [0.0] * 3),
                                    f"{where}.emissiveFactor"),
        emissive_texture=_texture_ref(ctx, raw, "emissiveTexture", where, samplers),
        alpha_mode=_alpha_mode(ctx, raw, where),
        alpha_cutoff=get_number(raw, "alphaCutoff", where, 0.5, 0.0),
        double_sided=get_bool(raw, "doubleSided", where),
        unlit="KHR_materials_unlit" in extensions,
        extensions={k: _checked_extension(ctx, k, v, f"{where}.extensions")
                    for k, v in extensions.items() if k not in INTERPRETED_MATERIAL_EXTENSIONS},
    )
    mat.extension_textures = _extension_textures(ctx, mat.extensions, f"{where}.extensions", samplers)
    strength = get_dict(extensions, "KHR_materials_emissive_strength", f"{where}.extensions")
    mat.emissive_strength = get_number(
        strength, "emissiveStrength", f"{where}.extensions.KHR_materials_emissive_strength", 1.0, 0.0
    )
    return mat


def _checked_extension(ctx: ReadContext, name: str, ext, where: str):
    """A material extension as the file gives it, the numbers of those in EXTENSION_NUMBERS (and
    diffuseTransmissionColorFactor) checked: a wrong type refuses the model naming the property,
    a unit factor out of [0, 1] is clamped with a warning. Others are returned untouched."""
    if name not in EXTENSION_NUMBERS:
        return ext
    where = f"{where}.{name}"
    if not isinstance(ext, dict):
        raise fail(where, f"must be an object, not {type(ext).__name__}")
    out = dict(ext)
    for key, (default, low, high) in EXTENSION_NUMBERS[name].items():
        if key not in ext:
            continue
        if low is _UNIT:
            out[key] = float(_unit_range(ctx, get_number(ext, key, where, default), f"{where}.{key}"))
        else:
            out[key] = get_number(ext, key, where, default, low, high)
    if name == "KHR_materials_diffuse_transmission" and "diffuseTransmissionColorFactor" in ext:
        colour = get_numbers(ext, "diffuseTransmissionColorFactor", where, 3, [1.0] * 3)
        out["diffuseTransmissionColorFactor"] = _unit_range(ctx, colour, f"{where}.diffuseTransmissionColorFactor").tolist()
    return out


def _extension_textures(ctx: ReadContext, extensions: dict, where: str, samplers: dict) -> dict[str, sc.TextureRef]:
    """TextureRefs of the EXTENSION_TEXTURES of the material's switched-on extensions, by glTF
    property name (with their texCoord and KHR_texture_transform, like a core slot's)."""
    out = {}
    for name, (switch, off, properties) in EXTENSION_TEXTURES.items():
        ext = extensions.get(name)
        if not isinstance(ext, dict) or ext.get(switch, off) == off:
            continue
        for key in properties:
            ref = _texture_ref(ctx, ext, key, f"{where}.{name}", samplers)
            if ref is not None:
                out[key] = ref
    return out


def _unit_range(ctx: ReadContext, value, where: str):
    """Factors the spec bounds to [0, 1]; exporters sometimes overshoot slightly, so clamp and warn."""
    clamped = np.clip(value, 0.0, 1.0)
    if np.any(clamped != value):
        ctx.warn(f"{where}: {np.round(value, 6).tolist()} is outside [0, 1]; clamped")
    return clamped


def _alpha_mode(ctx: ReadContext, raw: dict, where: str) -> str:
    mode = get_str(raw, "alphaMode", where, default="OPAQUE")
    if mode not in ALPHA_MODES:
        ctx.warn(f"{where}.alphaMode: unknown mode '{mode}', treated as OPAQUE")
        return "OPAQUE"
    return mode


def _texture_ref(ctx: ReadContext, parent: dict, key: str, parent_where: str, samplers: dict,
                 scale_key: str | None = None) -> sc.TextureRef | None:
    """A textureInfo; TextureRef.image holds the glTF image index until `read_materials` remaps it."""
    if key not in parent:
        return None
    where = f"{parent_where}.{key}"
    info = get_dict(parent, key, parent_where)
    texture = check_index(info.get("index"), f"{where}.index", ctx.count("textures"), "texture")
    texcoord = get_int(info, "texCoord", where, default=0)
    matrix, texcoord = _texture_transform(info, where, texcoord)
    source = _texture_source(ctx, texture)
    if source is None:
        return None
    return sc.TextureRef(
        image=source,
        sampler=_sampler(ctx, texture, samplers),
        texcoord=texcoord,
        uv_transform=matrix,
        scale=get_number(info, scale_key, where, 1.0) if scale_key else 1.0,
    )


def _texture_transform(info: dict, where: str, texcoord: int) -> tuple[np.ndarray, int]:
    ext_where = f"{where}.extensions.KHR_texture_transform"
    ext = get_dict(get_dict(info, "extensions", where), "KHR_texture_transform", f"{where}.extensions")
    if not ext:
        return np.eye(3), texcoord
    matrix = uv_transform_matrix(
        get_numbers(ext, "offset", ext_where, 2, [0.0, 0.0]),
        get_number(ext, "rotation", ext_where, 0.0),
        get_numbers(ext, "scale", ext_where, 2, [1.0, 1.0]),
    )
    return matrix, get_int(ext, "texCoord", ext_where, default=texcoord)


# Texture-source extensions in the order dxgl prefers them, before the core `source`: WebP and
# AVIF are what a web pipeline made the textures into (often the only copy). KTX2 comes after
# the core source, which when present is the lossless original: Basis ETC1S measured 42.7 dB
# against it on DamagedHelmet (../shared/assets/compressed/README.md).
PREFERRED_SOURCES = ("EXT_texture_webp", "EXT_texture_avif")
LAST_RESORT_SOURCES = ("KHR_texture_basisu",)


def _texture_source(ctx: ReadContext, texture: int) -> int | None:
    """The image a texture samples (see PREFERRED_SOURCES). A texture whose only image sits in an
    extension dxgl cannot decode (MSFT_texture_dds, say) refuses the model, naming it; one with no
    image at all is ignored with a warning."""
    where = f"textures[{texture}]"
    raw = ctx.json["textures"][texture]
    extensions = get_dict(raw, "extensions", where)

    def extension_source(name: str) -> int | None:
        ext = get_dict(extensions, name, f"{where}.extensions")
        if "source" not in ext:
            return None
        return check_index(ext["source"], f"{where}.extensions.{name}.source", ctx.count("images"), "image")

    for name in PREFERRED_SOURCES:
        if (source := extension_source(name)) is not None:
            return source
    if "source" in raw:
        return check_index(raw["source"], f"{where}.source", ctx.count("images"), "image")
    for name in LAST_RESORT_SOURCES:
        if (source := extension_source(name)) is not None:
            return source
    others = [name for name, ext in extensions.items() if isinstance(ext, dict) and "source" in ext]
    if others:
        raise fail(where, f"its only image is in {', '.join(others)}, which dxgl cannot decode; "
                          "convert the textures to PNG, JPEG, WebP or KTX2")
    ctx.warn(f"{where}: no image (extensions: {', '.join(extensions) or 'none'}); the texture is ignored")
    return None


def _sampler(ctx: ReadContext, texture: int, cache: dict) -> sc.Sampler:
    where = f"textures[{texture}]"
    index = ctx.json["textures"][texture].get("sampler")
    if index is None:
        return sc.Sampler()
    index = check_index(index, f"{where}.sampler", ctx.count("samplers"), "sampler")
    if index not in cache:
        cache[index] = _parse_sampler(ctx, index)
    return cache[index]


def _parse_sampler(ctx: ReadContext, index: int) -> sc.Sampler:
    where = f"samplers[{index}]"
    raw = ctx.json["samplers"][index]

    def pick(key: str, allowed: set, default):
        value = get_int(raw, key, where, default=default)
        if value is not None and value not in allowed:
            ctx.warn(f"{where}.{key}: unknown value {value}, the default is used")
            return default
        return value

    return sc.Sampler(
        mag_filter=pick("magFilter", _FILTERS, None),
        min_filter=pick("minFilter", _MIN_FILTERS, None),
        wrap_s=pick("wrapS", _WRAPS, sc.REPEAT),
        wrap_t=pick("wrapT", _WRAPS, sc.REPEAT),
    )


def _decode_images(ctx: ReadContext, indices: list[int]) -> dict[int, sc.Image]:
    """Decode the given glTF images concurrently (Pillow and the KTX2 transcoder release the GIL)."""
    if not indices:
        return {}
    with ThreadPoolExecutor(max_workers=min(4, len(indices))) as pool:
        futures = {i: pool.submit(_decode_one, ctx, i) for i in indices}
        return {i: futures[i].result() for i in indices}


def _decode_one(ctx: ReadContext, index: int) -> sc.Image:
    where = f"images[{index}]"
    data, mime = ctx.doc.image_bytes(index)
    label = ctx.doc.image_label(index)
    named = label != f"image {index}"  # a file name or the image's name says which one to fix
    pixels, mime = decode_image(data, mime, f"{where} ({label})" if named else where)
    name = get_str(ctx.json["images"][index], "name", where) or label
    return sc.Image(name=name, pixels=pixels, mime_type=mime)
