"""KHR_materials_iridescence, KHR_materials_anisotropy and KHR_materials_diffuse_transmission: what
the reader keeps of them, that each switches its shader define on for the materials using it alone,
and renders that show each effect, measured on small models built in code."""
from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
from scipy.ndimage import binary_erosion
from skimage.color import rgb2lab

from dxgl_engine import load_model
from dxgl_engine.pipeline.timeline import Timeline
from dxgl_engine.render import glsl
from dxgl_engine.scene import geometry
from dxgl_engine.settings import Settings
from tests.gltf_builder import GltfBuilder, quad, uv_sphere

IRIDESCENCE, ANISOTROPY, DT = "KHR_materials_iridescence", "KHR_materials_anisotropy", "KHR_materials_diffuse_transmission"
NEW_DEFINES = {"IRIDESCENCE", "ANISOTROPY", "DIFFUSE_TRANSMISSION"}
SIZE = (160, 160)
# A directional light shines down its node's -Z. This one comes from the camera (turned about X
# by -12 degrees, the camera's elevation), so the highlight of an isotropic sphere is round.
FRONT_LIGHT = [float(np.sin(np.radians(-6.0))), 0.0, 0.0, float(np.cos(np.radians(-6.0)))]
BACK_LIGHT = [0.0, 1.0, 0.0, 0.0]  # turned about Y: from behind the model towards the camera


def solid(rgba) -> np.ndarray:
    return np.tile(np.asarray(rgba, np.uint8), (4, 4, 1))


def build(material: dict | list[dict], shape: str = "sphere", light: tuple[float, list] | None = None,
          images: tuple = (), uv: bool = True, tangents: bool = False) -> GltfBuilder:
    """One shape (a UV sphere, or a unit plane facing +Z) per material, side by side, and an
    optional directional light (intensity, node rotation). `images` become textures 0, 1, ...;
    `tangents` writes TANGENT into the file: the meridians' direction, downwards (on the sphere at
    right angles to what its UVs would give, +X at the front)."""
    b = GltfBuilder()
    materials = material if isinstance(material, list) else [material]
    for m in materials:
        for name in m.get("extensions", {}):
            b.use_extension(name)
    for pixels in images:
        b.texture(b.image(pixels))
    if shape == "sphere":
        positions, texcoords, indices = uv_sphere()
        normals = positions
    else:
        positions, texcoords, indices = quad()
        positions = positions - np.array([0.5, 0.5, 0.0], np.float32)
        normals = np.tile(np.array([0.0, 0.0, 1.0], np.float32), (4, 1))
    nodes = []
    for k, m in enumerate(materials):
        attributes = {"NORMAL": normals}
        if uv:
            attributes["TEXCOORD_0"] = texcoords
            attributes["TEXCOORD_1"] = texcoords
        if tangents:
            down = np.array([0.0, -1.0, 0.0]) - normals * -normals[:, 1:2]
            length = np.linalg.norm(down, axis=1, keepdims=True)
            down = np.where(length > 1e-6, down / np.maximum(length, 1e-12), [1.0, 0.0, 0.0])
            attributes["TANGENT"] = np.c_[down, np.ones(len(down))].astype(np.float32)
        mesh = b.mesh(b.primitive(positions, indices, material=b.material(**m), **attributes))
        nodes.append(b.node(mesh=mesh, translation=[2.5 * k, 0.0, 0.0]))
    if light is not None:
        b.use_extension("KHR_lights_punctual")
        b.gltf["extensions"] = {"KHR_lights_punctual": {"lights": [{"type": "directional", "intensity": light[0]}]}}
        nodes.append(b.node(extensions={"KHR_lights_punctual": {"light": 0}}, rotation=light[1]))
    b.scene(*nodes)
    return b


def load(b: GltfBuilder, tmp_path, name: str = "model.glb"):
    return load_model(b.write_glb(tmp_path / name))


def pbr(base=(0.0, 0.0, 0.0, 1.0), metallic=0.0, roughness=0.3, **fields) -> dict:
    return {"pbrMetallicRoughness": {"baseColorFactor": list(base), "metallicFactor": metallic,
                                     "roughnessFactor": roughness}, **fields}  # fmt: skip


def timeline(scene, js=None, size=SIZE) -> Timeline:
    return Timeline(scene, Settings.from_json({"shadows": False, "environment": "neutral", **(js or {})}), size)


def render(scene, js=None, size=SIZE) -> np.ndarray:
    """A transparent frame (alpha marks the model), the camera at the path's start."""
    return timeline(scene, js, size).frame_at(0.0, None)


def item_features(tl: Timeline) -> dict[str, frozenset]:
    return {item.material.name: item.features for item in tl.renderer.meshes.gpu.items}


def active_origins(features: frozenset) -> set[str]:
    """The files whose lines the preprocessor keeps in mesh.frag compiled for `features` (a small
    evaluator of the #ifdef / #ifndef / #if defined(...) / #elif / #else / #endif the shaders use)."""
    source = glsl.shader_source("mesh.frag", features)
    macros = {d.split()[0] for d in features}
    stack, files = [], set()

    def value(expr: str) -> bool:
        expr = re.sub(r"defined\s*\(\s*(\w+)\s*\)", lambda m: str(m.group(1) in macros), expr)
        return bool(eval(expr.replace("&&", " and ").replace("||", " or ").replace("!", " not ")))  # noqa: S307

    for line, (file, _) in zip(source.text.splitlines(), source.origins):
        word = line.strip().split(None, 1)
        head, rest = (word[0], word[1] if len(word) > 1 else "") if word else ("", "")
        live = all(s[0] for s in stack)
        if head in ("#ifdef", "#ifndef", "#if"):
            taken = rest.split()[0] in macros if head != "#if" else value(rest)
            taken = not taken if head == "#ifndef" else taken
            stack.append([taken, taken])
        elif head == "#elif":
            stack[-1][0] = not stack[-1][1] and value(rest)
            stack[-1][1] |= stack[-1][0]
        elif head == "#else":
            stack[-1][0] = not stack[-1][1]
        elif head == "#endif":
            stack.pop()
        elif live and line.strip() and not line.strip().startswith("//"):
            files.add(file)
    return files


def lab(pixels: np.ndarray) -> np.ndarray:
    return rgb2lab(np.asarray(pixels, np.float64)[None, :, :3] / 255.0)[0]


def hue_chroma(pixels: np.ndarray) -> tuple[float, float]:
    """Hue angle (degrees) and chroma of the mean colour of some pixels, in CIELAB."""
    _, a, b = lab(np.asarray(pixels, np.float64).reshape(-1, 4).mean(0, keepdims=True))[0]
    return float(np.degrees(np.arctan2(b, a))), float(np.hypot(a, b))


def hue_gap(h1: float, h2: float) -> float:
    return abs((h1 - h2 + 180.0) % 360.0 - 180.0)


def disc(frame: np.ndarray) -> tuple[np.ndarray, float]:
    """Each pixel's distance from the centre of the (one) sphere in the frame, over its radius."""
    ys, xs = np.nonzero(frame[..., 3] == 255)
    cy, cx, radius = ys.mean(), xs.mean(), np.sqrt(len(ys) / np.pi)
    yy, xx = np.mgrid[: frame.shape[0], : frame.shape[1]]
    return np.hypot(yy - cy, xx - cx) / radius, radius


def extents(diff: np.ndarray) -> tuple[float, float]:
    """Standard deviations (pixels) across x and y of where a highlight is over half its peak."""
    ys, xs = np.nonzero(diff > 0.5 * diff.max())
    return float(xs.std()), float(ys.std())


def linear(srgb: np.ndarray) -> np.ndarray:
    c = np.asarray(srgb, np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def light_only(lit: np.ndarray, unlit: np.ndarray) -> np.ndarray:
    """What a punctual light adds: the lit frame minus the unlit one, in linear light, summed over RGB."""
    return np.clip(linear(lit[..., :3]) - linear(unlit[..., :3]), 0.0, None).sum(-1)


# -- reader ---------------------------------------------------------------------------------------


def test_reader_keeps_the_parameters_and_texture_refs(tmp_path):
    transform = {"KHR_texture_transform": {"offset": [0.5, 0.0], "scale": [2.0, 2.0], "texCoord": 1}}
    b = build([pbr(name="film", extensions={IRIDESCENCE: {
                   "iridescenceFactor": 0.8, "iridescenceIor": 1.6, "iridescenceThicknessMinimum": 150,
                   "iridescenceThicknessMaximum": 650, "iridescenceTexture": {"index": 0},
                   "iridescenceThicknessTexture": {"index": 1, "extensions": transform}}}),
               pbr(name="brushed", extensions={ANISOTROPY: {
                   "anisotropyStrength": 0.6, "anisotropyRotation": 1.2,
                   "anisotropyTexture": {"index": 2, "texCoord": 1}}}),
               pbr(name="leaf", extensions={DT: {
                   "diffuseTransmissionFactor": 0.4, "diffuseTransmissionColorFactor": [1, 0.5, 0.25],
                   "diffuseTransmissionTexture": {"index": 0}, "diffuseTransmissionColorTexture": {"index": 3}}}),
               pbr(name="inert", extensions={IRIDESCENCE: {"iridescenceFactor": 0, "iridescenceTexture": {"index": 4}}}),
               ], images=[solid((255, 0, 0, 255)), solid((0, 200, 0, 255)), solid((128, 255, 255, 255)),
                          solid((255, 128, 0, 64)), solid((9, 9, 9, 255))])  # fmt: skip
    scene = load(b, tmp_path)
    film, brushed, leaf, inert = scene.materials
    assert film.extensions[IRIDESCENCE]["iridescenceFactor"] == 0.8
    assert film.extensions[IRIDESCENCE]["iridescenceThicknessMaximum"] == 650.0
    assert set(film.extension_textures) == {"iridescenceTexture", "iridescenceThicknessTexture"}
    thickness = film.extension_textures["iridescenceThicknessTexture"]
    assert thickness.texcoord == 1
    np.testing.assert_allclose(thickness.uv_transform, [[2, 0, 0.5], [0, 2, 0], [0, 0, 1]])
    np.testing.assert_array_equal(scene.images[thickness.image].pixels[0, 0], [0, 200, 0, 255])
    assert brushed.extensions[ANISOTROPY]["anisotropyRotation"] == 1.2
    assert brushed.extension_textures["anisotropyTexture"].texcoord == 1
    np.testing.assert_array_equal(scene.images[brushed.extension_textures["anisotropyTexture"].image].pixels[0, 0],
                                  [128, 255, 255, 255])  # fmt: skip
    assert leaf.extensions[DT]["diffuseTransmissionColorFactor"] == [1.0, 0.5, 0.25]
    assert set(leaf.extension_textures) == {"diffuseTransmissionTexture", "diffuseTransmissionColorTexture"}
    assert set(leaf.textures()) == {"diffuseTransmissionTexture", "diffuseTransmissionColorTexture"}
    # factor 0: the extension does nothing, so its texture (the fifth image) is not even decoded
    assert inert.extension_textures == {} and len(scene.images) == 4
    assert not any("ignores" in w for w in scene.warnings)


def test_reader_clamps_unit_factors_and_refuses_wrong_types(tmp_path):
    from dxgl_engine.errors import InvalidFormat

    scene = load(build(pbr(extensions={DT: {"diffuseTransmissionFactor": 1.2}})), tmp_path)
    assert scene.materials[0].extensions[DT]["diffuseTransmissionFactor"] == 1.0
    assert any("diffuseTransmissionFactor" in w and "clamped" in w for w in scene.warnings), scene.warnings
    with pytest.raises(InvalidFormat, match=r"KHR_materials_iridescence\.iridescenceIor"):
        load(build(pbr(extensions={IRIDESCENCE: {"iridescenceFactor": 1, "iridescenceIor": "1.3"}})), tmp_path, "x.glb")


def test_anisotropic_primitives_get_tangents(tmp_path):
    """From their UVs when the file has no TANGENT; without UVs, circles about the model's up axis
    (with a warning), never none."""
    aniso = pbr(extensions={ANISOTROPY: {"anisotropyStrength": 0.5}})
    scene = load(build(aniso), tmp_path)
    prim = scene.meshes[0].primitives[0]
    expected = geometry.vertex_tangents(prim.positions, prim.normals, prim.texcoords[0], prim.indices)
    np.testing.assert_allclose(prim.tangents, expected, atol=1e-6)
    front = np.argmax(prim.positions[:, 2])  # the sphere's front: u grows towards +X there
    np.testing.assert_allclose(prim.tangents[front, :3], [1, 0, 0], atol=0.05)

    bare = load(build(aniso, uv=False), tmp_path, "bare.glb")
    prim = bare.meshes[0].primitives[0]
    assert prim.tangents is not None
    np.testing.assert_allclose(np.einsum("ij,ij->i", prim.tangents[:, :3], prim.normals), 0.0, atol=1e-5)
    round_the_axis = np.cross([0.0, 1.0, 0.0], prim.normals)
    away = np.linalg.norm(round_the_axis, axis=1) > 0.1  # off the poles
    np.testing.assert_allclose(prim.tangents[away, :3], round_the_axis[away] / np.linalg.norm(
        round_the_axis[away], axis=1, keepdims=True), atol=1e-5)  # fmt: skip
    assert any("around the model's up axis" in w for w in bare.warnings)

    plain = load(build(pbr()), tmp_path, "plain.glb")
    assert plain.meshes[0].primitives[0].tangents is None  # nothing asks for them


# -- shader features ------------------------------------------------------------------------------


@pytest.mark.gl
def test_each_define_is_on_only_for_the_materials_using_it(gl, tmp_path):
    b = build([pbr(name="plain"),
               pbr(name="film", extensions={IRIDESCENCE: {"iridescenceFactor": 1, "iridescenceTexture": {"index": 0}}}),
               pbr(name="brushed", extensions={ANISOTROPY: {"anisotropyStrength": 0.5}}),
               pbr(name="leaf", extensions={DT: {"diffuseTransmissionFactor": 0.5,
                                                 "diffuseTransmissionColorTexture": {"index": 0}}}),
               pbr(name="zero", extensions={IRIDESCENCE: {"iridescenceFactor": 0}, ANISOTROPY: {},
                                            DT: {"diffuseTransmissionFactor": 0.0}})],
              images=[solid((255, 255, 255, 255))])  # fmt: skip
    features = item_features(timeline(load(b, tmp_path)))
    plain = features["plain"]
    assert not plain & NEW_DEFINES and "HAS_TANGENT" not in plain
    assert features["zero"] == plain, "factor 0 (or an empty extension): the plain program"
    assert features["film"] - plain == {"IRIDESCENCE", "TEX_IRIDESCENCE", "UV_IRIDESCENCE 0", "HAS_UV0"}
    assert features["brushed"] - plain == {"ANISOTROPY", "HAS_TANGENT"}
    assert features["leaf"] - plain == {"DIFFUSE_TRANSMISSION", "TEX_DIFFUSE_TRANSMISSION_COLOR",
                                        "UV_DIFFUSE_TRANSMISSION_COLOR 0", "HAS_UV0"}  # fmt: skip
    # The plain program keeps no line of the new files; each define brings its own file in.
    new_files = {f"extensions/{n}.glsl" for n in ("iridescence", "anisotropy", "diffuse_transmission")}
    assert not active_origins(plain | {"PUNCTUAL_LIGHTS 1"}) & new_files
    for name, file in (("film", "iridescence"), ("brushed", "anisotropy"), ("leaf", "diffuse_transmission")):
        assert active_origins(features[name]) & new_files == {f"extensions/{file}.glsl"}


# -- iridescence ----------------------------------------------------------------------------------


def film(factor=1.0, maximum=400.0, **more) -> dict:
    """A black dielectric sphere (only its specular shows) under a film of index 1.8."""
    ext = {"iridescenceFactor": factor, "iridescenceIor": 1.8, "iridescenceThicknessMaximum": maximum, **more}
    return pbr(roughness=0.3, extensions={IRIDESCENCE: ext})


@pytest.mark.gl
def test_iridescence_colours_the_reflection_by_angle_and_thickness(gl, tmp_path):
    """Under the neutral (grey) studio a black sphere reflects grey; a 200 nm film makes it
    coloured, of another hue at the rim (grazing view, the film's path shorter) than at the
    centre, and a 600 nm film of another hue again."""
    frames = {}
    for name, material in (("plain", pbr(roughness=0.3)), ("200", film(maximum=200)), ("600", film(maximum=600)),
                           ("off", film(factor=0.0, maximum=200)), ("no film", film(maximum=0))):  # fmt: skip
        frames[name] = render(load(build(material), tmp_path, f"{name}.glb"))
    r, _ = disc(frames["plain"])
    centre, rim = r < 0.3, (r > 0.75) & (r < 0.9)
    measured = {name: (hue_chroma(f[centre]), hue_chroma(f[rim])) for name, f in frames.items()}
    (_, plain_c), (_, plain_rc) = measured["plain"]
    assert plain_c < 3 and plain_rc < 3, measured["plain"]
    (h200, c200), (h200_rim, c200_rim) = measured["200"]
    (h600, c600), (h600_rim, c600_rim) = measured["600"]
    assert min(c200, c200_rim, c600, c600_rim) > 10, measured
    assert hue_gap(h200, h200_rim) > 30, measured  # hue turns with the viewing angle
    assert hue_gap(h600, h600_rim) > 30, measured
    assert hue_gap(h200, h600) > 45, measured  # and with the thickness
    assert np.array_equal(frames["off"], frames["plain"]), "factor 0 renders the plain material exactly"
    assert np.abs(frames["no film"].astype(int) - frames["plain"]).max() <= 1, "a film of 0 nm changes nothing"


@pytest.mark.gl
def test_iridescence_textures_scale_strength_and_pick_thickness(gl, tmp_path):
    """iridescenceTexture's R scales the strength (R = 0: the plain sphere); the thickness
    texture's G picks between the minimum and the maximum (G = 0: the minimum)."""
    images = [solid((0, 255, 255, 255)), solid((255, 0, 255, 255))]  # R = 0; G = 0
    frames = {name: render(load(build(m, images=images), tmp_path, f"{name}.glb")) for name, m in (
        ("plain", pbr(roughness=0.3)),
        ("no strength", film(iridescenceTexture={"index": 0})),
        ("200", film(maximum=200)),
        ("200 by texture", film(maximum=600, iridescenceThicknessMinimum=200,
                                iridescenceThicknessTexture={"index": 1})),
    )}  # fmt: skip
    assert np.abs(frames["no strength"].astype(int) - frames["plain"]).max() <= 1
    assert np.abs(frames["200 by texture"].astype(int) - frames["200"]).max() <= 1


# -- anisotropy -----------------------------------------------------------------------------------


def brushed(strength=0.8, rotation=0.0, **more) -> dict:
    ext = {"anisotropyStrength": strength, "anisotropyRotation": rotation, **more}
    return pbr(base=(0.5, 0.5, 0.5, 1), metallic=1.0, roughness=0.3, extensions={ANISOTROPY: ext})


def highlight(material: dict, tmp_path, name: str, images=()) -> np.ndarray:
    """What a directional light from the front adds to a sphere, the environment's share removed
    (exposed down so that the sum stays below the tone mapper's shoulder)."""
    js = {"zoom": 0.6, "exposure": 0.4}
    lit = render(load(build(material, light=(2.0, FRONT_LIGHT), images=images), tmp_path, f"{name}-lit.glb"), js)
    unlit = render(load(build(material, images=images), tmp_path, f"{name}.glb"), js)
    return light_only(lit, unlit), lit


@pytest.mark.gl
def test_anisotropic_highlight_stretches_along_the_direction(gl, tmp_path):
    """The sphere's tangent runs along +X at the front (u grows there): the punctual highlight
    stretches horizontally with anisotropyRotation 0 and vertically with pi/2, round without
    anisotropy; the texture's direction (0, 1) does what the rotation pi/2 does."""
    plain, plain_lit = highlight(pbr(base=(0.5, 0.5, 0.5, 1), metallic=1.0, roughness=0.3), tmp_path, "plain")
    along, _ = highlight(brushed(rotation=0.0), tmp_path, "along")
    across, across_lit = highlight(brushed(rotation=np.pi / 2), tmp_path, "across")
    by_texture, texture_lit = highlight(brushed(anisotropyTexture={"index": 0}), tmp_path, "texture",
                                        images=[solid((128, 255, 255, 255))])  # RG = (0, 1): the bitangent
    _, zero_lit = highlight(brushed(strength=0.0), tmp_path, "zero")
    px, py = extents(plain)
    ax, ay = extents(along)
    cx, cy = extents(across)
    assert 0.8 < px / py < 1.25, (px, py)
    assert ax / ay > 2.0, (ax, ay)  # along the tangent
    assert cy / cx > 2.0, (cx, cy)  # turned by a quarter: along the bitangent
    assert ax > 1.5 * px and cy > 1.5 * py, "stretched, not only squeezed"
    assert np.abs(texture_lit.astype(int) - across_lit).max() <= 3
    assert np.array_equal(zero_lit, plain_lit), "strength 0 renders the plain material exactly"


@pytest.mark.gl
def test_anisotropic_reflection_of_the_studio_smears_along_the_direction(gl, tmp_path):
    """Image-based light: the studio's softboxes reflected in a polished metal sphere smear along
    the anisotropy direction, measured as the mean brightness change from pixel to pixel across x
    over that across y (the sphere's own shading is mostly vertical: 0.72 without anisotropy)."""
    def gradient_ratio(material: dict, name: str) -> float:
        f = render(load(build(material), tmp_path, f"{name}.glb"), {"environment": "studio", "zoom": 0.6})
        light, inside = linear(f[..., :3]).sum(-1), binary_erosion(f[..., 3] == 255, iterations=4)
        gx = np.abs(np.diff(light, axis=1))[inside[:, 1:] & inside[:, :-1]].mean()
        gy = np.abs(np.diff(light, axis=0))[inside[1:] & inside[:-1]].mean()
        return gx / gy

    polished = pbr(base=(0.9, 0.9, 0.9, 1), metallic=1.0, roughness=0.15)
    plain = gradient_ratio(polished, "plain")
    along = gradient_ratio({**polished, "extensions": {ANISOTROPY: {"anisotropyStrength": 0.8}}}, "along")
    across = gradient_ratio({**polished, "extensions": {ANISOTROPY: {"anisotropyStrength": 0.8,
                                                                     "anisotropyRotation": np.pi / 2}}}, "across")
    assert along < 0.6 * plain and across > 1.6 * plain, (along, plain, across)


@pytest.mark.gl
def test_anisotropy_follows_file_tangents_or_turns_about_the_up_axis(gl, tmp_path):
    """The file's TANGENT is used as it is (down the meridians: a vertical highlight, where the
    UVs would give a horizontal one); without UVs or TANGENT the tangents run round the up axis
    (horizontal circles: a horizontal highlight)."""
    stretch = {}
    for kind, uv, tangents in (("file tangents", True, True), ("no uvs", False, False)):
        js = {"zoom": 0.6, "exposure": 0.4}
        lit = render(load(build(brushed(), light=(2.0, FRONT_LIGHT), uv=uv, tangents=tangents), tmp_path,
                          f"{kind}-lit.glb"), js)  # fmt: skip
        unlit = render(load(build(brushed(), uv=uv, tangents=tangents), tmp_path, f"{kind}.glb"), js)
        x, y = extents(light_only(lit, unlit))
        stretch[kind] = x / y
    assert stretch["file tangents"] < 0.5 and stretch["no uvs"] > 2.0, stretch


# -- diffuse transmission -------------------------------------------------------------------------


def leaf(factor=0.5, colour=(1.0, 1.0, 1.0), **more) -> dict:
    """A dark green double-sided plane, matte."""
    ext = {"diffuseTransmissionFactor": factor, "diffuseTransmissionColorFactor": list(colour), **more}
    return pbr(base=(0.05, 0.15, 0.05, 1), roughness=0.8, doubleSided=True, extensions={DT: ext})


def plane_colour(material: dict, tmp_path, name: str, light=None, images=()) -> np.ndarray:
    """Mean RGB over the plane's fully covered pixels, in 8-bit sRGB."""
    f = render(load(build(material, "plane", light, images), tmp_path, f"{name}.glb"))
    return f[f[..., 3] == 255][:, :3].astype(float).mean(0)



@pytest.mark.gl
def test_backlit_plane_shows_transmitted_light_tinted_by_its_colour(gl, tmp_path):
    """A directional light behind the plane adds nothing to the plain material's front (it faces
    away), but shines through with diffuse transmission, in the transmission colour."""
    behind = (2.0, BACK_LIGHT)
    plain_material = pbr(base=(0.05, 0.15, 0.05, 1), roughness=0.8, doubleSided=True)
    plain = plane_colour(plain_material, tmp_path, "plain")
    plain_lit = plane_colour(plain_material, tmp_path, "plain-lit", behind)
    np.testing.assert_array_equal(plain_lit, plain)
    white = plane_colour(leaf(), tmp_path, "white")
    white_lit = plane_colour(leaf(), tmp_path, "white-lit", behind)
    orange = plane_colour(leaf(colour=(1.0, 0.4, 0.1)), tmp_path, "orange")
    orange_lit = plane_colour(leaf(colour=(1.0, 0.4, 0.1)), tmp_path, "orange-lit", behind)
    through_white, through_orange = linear(white_lit) - linear(white), linear(orange_lit) - linear(orange)
    assert through_white.min() > 0.05, through_white  # the light from behind reaches the viewer
    assert np.ptp(through_white) < 0.1 * through_white.max(), through_white  # white: untinted
    np.testing.assert_allclose(through_orange / through_orange[0], [1.0, 0.4, 0.1], atol=0.05)  # its colour
    off = plane_colour(leaf(factor=0.0), tmp_path, "off-lit", behind)
    np.testing.assert_array_equal(off, plain)  # factor 0 renders the plain material exactly


@pytest.mark.gl
def test_environment_behind_the_plane_shows_through(gl, tmp_path):
    """Without lights: the transmitted share is lit by the studio behind the plane, brighter on a
    dark leaf than what its base colour reflects; the strength texture's A scales it (A = 0: the
    plain plane), the colour texture is sRGB (bytes (255, 128, 0) = linear (1, 0.216, 0))."""
    plain = plane_colour(pbr(base=(0.05, 0.15, 0.05, 1), roughness=0.8, doubleSided=True), tmp_path, "plain")
    through = plane_colour(leaf(), tmp_path, "leaf")
    assert (through - plain).min() > 30, (plain, through)
    images = [solid((255, 255, 255, 0)), solid((255, 128, 0, 255))]
    masked = plane_colour(leaf(diffuseTransmissionTexture={"index": 0}), tmp_path, "masked", images=images)
    assert np.abs(masked - plain).max() <= 1.0, (masked, plain)
    by_texture = plane_colour(leaf(diffuseTransmissionColorTexture={"index": 1}), tmp_path, "tex", images=images)
    by_factor = plane_colour(leaf(colour=(1.0, 0.2158605, 0.0)), tmp_path, "factor")
    assert np.abs(by_texture - by_factor).max() <= 1.5, (by_texture, by_factor)


# -- a real model -------------------------------------------------------------------------------


@pytest.mark.gl
@pytest.mark.shared_assets
def test_barn_lamp_renders_its_anisotropic_metal(gl, shared_assets):
    scene = load_model(shared_assets / "khronos/AnisotropyBarnLamp/AnisotropyBarnLamp.gltf")
    tl = timeline(scene, {"environment": "studio"}, (192, 192))
    frame = tl.frame_at(0.0, None)
    features = item_features(tl)
    assert {"ANISOTROPY", "TEX_ANISOTROPY", "HAS_TANGENT", "CLEARCOAT"} <= features["Lamp Metal"]
    assert not {f for name, fs in features.items() if name != "Lamp Metal" for f in fs} & NEW_DEFINES
    assert (frame[..., 3] == 255).sum() > 3000
    isotropic = dataclasses.replace(scene, materials=[
        dataclasses.replace(m, extensions={k: v for k, v in m.extensions.items() if k != ANISOTROPY})
        for m in scene.materials])  # fmt: skip
    plain = timeline(isotropic, {"environment": "studio"}, (192, 192)).frame_at(0.0, None)
    changed = (np.abs(frame[..., :3].astype(int) - plain[..., :3]).max(-1) > 8).mean()
    assert changed > 0.02, changed  # the brushed metal looks different from the polished one
