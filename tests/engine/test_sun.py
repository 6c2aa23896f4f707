"""The sun of an outdoor panorama: taken out of the image-based light as a directional light
(lighting/sun.py), shadowed by the model through its shadow map (passes/sun_shadow.py), lit with
the direct BRDF (shaders/sun.glsl). Panoramas are generated here, so each answer is known."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

import dxgl_engine
from dxgl_engine.lighting.environment import load_hdr, neutral, studio
from dxgl_engine.lighting.equirect import directions, solid_angles
from dxgl_engine.lighting.look import Look
from dxgl_engine.lighting.sun import LUMINANCE, SUN_ALPHA_PER_RADIAN, extract_sun
from tests.gltf_builder import GltfBuilder, quad


def sky_with_sun(direction, irradiance, sky=0.0, radius_deg: float = 0.8, size=(1024, 512)) -> np.ndarray:
    """An equirectangular panorama: uniform `sky` radiance and a sun disc of `radius_deg` towards
    `direction` whose texels sum (radiance x solid angle) to `irradiance` (RGB)."""
    w, h = size
    _, _, d = directions(w, h)
    direction = np.asarray(direction, float) / np.linalg.norm(direction)
    disc = d @ direction > np.cos(np.radians(radius_deg))
    sa = solid_angles(h, w)
    out = np.full((h, w, 3), sky, np.float32)
    out[disc] += np.asarray(irradiance, np.float32) / sa[disc].sum()
    return out


def linear(frame: np.ndarray) -> np.ndarray:
    """Linear RGB (0..1) of an 8-bit sRGB frame's colour channels."""
    srgb = frame[..., :3] / 255.0
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def power(radiance: np.ndarray) -> np.ndarray:
    return (radiance * solid_angles(*radiance.shape[:2])[..., None]).sum((0, 1))


def angle_deg(a, b) -> float:
    return float(np.degrees(np.arccos(np.clip(np.dot(a, b) / np.linalg.norm(a) / np.linalg.norm(b), -1, 1))))


@pytest.mark.parametrize("direction", [(0.6, 0.5, 0.62), (-1.0, 0.2, -0.01), (0.0, 0.98, 0.2), (0.0, 1.0, 0.0)],
                         ids=["afternoon", "on the seam", "near the zenith", "at the zenith"])  # fmt: skip
def test_a_sun_is_found_where_it_is_and_keeps_its_power(direction):
    """Resampled as a user's .hdr is (1024 x 512 to 512 x 256, area-averaged); the sun at -X, where
    the panorama's left and right edges meet, is one sun, not two halves."""
    full = sky_with_sun(direction, (5.0, 4.4, 3.8), sky=0.12)
    radiance = cv2.resize(full, (512, 256), interpolation=cv2.INTER_AREA)
    residual, sun = extract_sun(radiance)
    assert sun is not None
    assert angle_deg(sun.direction, direction) < 0.5
    assert sun.irradiance == pytest.approx([5.0, 4.4, 3.8], rel=0.03)
    # Nothing lost or made: the residual's power plus the sun's is the panorama's.
    assert power(residual) + sun.irradiance == pytest.approx(power(radiance), rel=1e-5)
    assert (residual @ LUMINANCE).max() < 0.2  # the sky alone is left (0.12)
    assert np.radians(0.3) < sun.angular_radius < np.radians(1.5)


@pytest.mark.parametrize("make", [studio, neutral], ids=["studio", "neutral"])
def test_the_built_in_studios_have_no_sun(make):
    """The default look keeps its image-based light whole and has no shadow map to bake."""
    radiance = make()
    residual, sun = extract_sun(radiance)
    assert sun is None and residual is radiance


def test_a_large_bright_window_is_not_a_sun():
    """A softbox of 12 degrees radius carrying most of the power stays image-based light: a small
    bright region is a sun, a big one is a light the shadow map cannot stand for."""
    radiance = cv2.resize(sky_with_sun((0.3, 0.6, 0.7), (6.0, 6.0, 6.0), sky=0.05, radius_deg=12.0), (512, 256),
                          interpolation=cv2.INTER_AREA)  # fmt: skip
    assert extract_sun(radiance)[1] is None


def test_a_bright_spot_below_the_horizon_is_not_a_sun():
    """A glint on water carrying most of the power would light the model from under its floor."""
    radiance = cv2.resize(sky_with_sun((0.3, -0.4, 0.7), (6.0, 6.0, 6.0), sky=0.1), (512, 256),
                          interpolation=cv2.INTER_AREA)  # fmt: skip
    assert extract_sun(radiance)[1] is None


def test_a_weak_sun_stays_in_the_panorama():
    """A small highlight carrying a few percent of the light (a lamp in a room) is left alone."""
    radiance = cv2.resize(sky_with_sun((0.3, 0.6, 0.7), (0.2, 0.2, 0.2), sky=0.3), (512, 256),
                          interpolation=cv2.INTER_AREA)  # fmt: skip
    assert extract_sun(radiance)[1] is None


@pytest.mark.shared_assets
def test_the_garden_panoramas_sun(shared_fidelity):
    """chinese_garden_1k.hdr (Poly Haven): the sun is 30 degrees up and carries about 3/4 of the light."""
    radiance = load_hdr(shared_fidelity / "chinese_garden_1k.hdr")
    residual, sun = extract_sun(radiance)
    assert sun is not None
    assert np.degrees(np.arcsin(sun.direction[1])) == pytest.approx(30.4, abs=1.0)
    share = float(sun.irradiance @ LUMINANCE / (power(radiance) @ LUMINANCE))
    assert 0.65 < share < 0.85


# --- rendered -------------------------------------------------------------------------------------
SUN = np.array([1.0, 0.6, 1.0]) / np.linalg.norm([1.0, 0.6, 1.0])  # towards the sun
WALL_HALF = 2.2


def _wall_with_panels(path):
    """A white rough wall (z = 0, facing +Z) and 0.6-wide panels floating 0.5 in front of it:
    opaque (x = -1.2), BLEND with alpha 0.5 (x = 0) and MASK with alpha 0.3 under a cutoff of 0.5
    (x = 1.2: drawn nowhere, casting nothing) at y = 0.6; clear glass (KHR_materials_transmission
    1) at x = 0.6, y = -0.9."""
    b = GltfBuilder()
    positions, uvs, indices = quad()

    def square(centre, size, z):
        return (positions - [0.5, 0.5, 0.0]) * [size, size, 1.0] + [centre[0], centre[1], z]

    def material(alpha, mode, **extra):
        return b.material(pbrMetallicRoughness={"baseColorFactor": [1.0, 1.0, 1.0, alpha], "metallicFactor": 0.0,
                                                "roughnessFactor": 1.0},
                          alphaMode=mode, doubleSided=True, **({"alphaCutoff": 0.5} if mode == "MASK" else {}), **extra)

    nodes = [b.node(mesh=b.mesh(b.primitive(square((0, 0), 2 * WALL_HALF, 0.0), indices, material=material(1, "OPAQUE"),
                                            NORMAL=np.tile([0, 0, 1.0], (4, 1)).astype(np.float32))))]
    b.use_extension("KHR_materials_transmission")
    glass = material(1.0, "OPAQUE", extensions={"KHR_materials_transmission": {"transmissionFactor": 1.0}})
    panels = [((-1.2, 0.6), material(1.0, "OPAQUE")), ((0.0, 0.6), material(0.5, "BLEND")),
              ((1.2, 0.6), material(0.3, "MASK")), ((0.6, -0.9), glass)]
    for centre, m in panels:
        nodes.append(b.node(mesh=b.mesh(b.primitive(square(centre, 0.6, 0.5), indices, material=m,
                                                    NORMAL=np.tile([0, 0, 1.0], (4, 1)).astype(np.float32)))))
    b.scene(*nodes)
    return dxgl_engine.load_model(b.write_glb(path))


def _render_wall(scene, hdr_path, size=176):
    look = Look(str(hdr_path), tone_mapping="none", calibrated=False)
    fov = 2 * np.degrees(np.arctan(WALL_HALF / 60.0))
    frame = dxgl_engine.render_still(scene, dxgl_engine.Camera((0, 0, 60), (0, 0, 0), fov), size, size, look=look)
    return linear(frame).mean(-1)


def _at(image, x, y, half=0.12):
    """Mean of the wall around (x, y) (model units; the view is nearly orthographic)."""
    n = image.shape[0]
    col, row = (x + WALL_HALF) / (2 * WALL_HALF) * n, (WALL_HALF - y) / (2 * WALL_HALF) * n
    r = half / (2 * WALL_HALF) * n
    return float(image[int(row - r) : int(row + r), int(col - r) : int(col + r)].mean())


@pytest.mark.gl
def test_the_model_shadows_itself_from_the_sun(tmp_path, gl):
    """Each panel's shadow falls where the sun's rays through it meet the wall (0.5 units behind
    it, shifted by 0.5 / SUN.z along -SUN): the opaque panel's holds only the sky's light (the
    same wall under the sky alone), the half-transparent one's half the sun, evenly, and the
    masked-out panel and the clear glass cast none."""
    scene = _wall_with_panels(tmp_path / "wall.glb")
    with_sun, sky_only = tmp_path / "sun.hdr", tmp_path / "sky.hdr"
    cv2.imwrite(str(with_sun), sky_with_sun(SUN, (3.0, 3.0, 3.0), sky=0.08))
    cv2.imwrite(str(sky_only), sky_with_sun(SUN, (0.0, 0.0, 0.0), sky=0.08))
    # 352 px: fine enough to see the map's texels (a 4x4 ordered dither in it, used before for the
    # half-transparent panel, showed there as a pattern from 0.31 to 0.69 of the sun).
    lit, sky = _render_wall(scene, with_sun, 352), _render_wall(scene, sky_only, 352)
    shift = -SUN[:2] * 0.5 / SUN[2]
    open_wall = (-1.5, -1.4)  # no panel's shadow reaches it
    sun_share = {}
    for x, y in ((-1.2, 0.6), (0.0, 0.6), (1.2, 0.6), (0.6, -0.9)):
        sx, sy = x + shift[0], y + shift[1]
        sun_share[x] = (_at(lit, sx, sy) - _at(sky, sx, sy)) / (_at(lit, *open_wall) - _at(sky, *open_wall))
    assert _at(lit, *open_wall) > 2.0 * _at(sky, *open_wall)  # the sun lights the open wall
    assert sun_share[-1.2] == pytest.approx(0.0, abs=0.03)
    assert sun_share[0.0] == pytest.approx(0.5, abs=0.03)
    n = lit.shape[0]
    col, row = (shift[0] + WALL_HALF) / (2 * WALL_HALF) * n, (WALL_HALF - 0.6 - shift[1]) / (2 * WALL_HALF) * n
    r = 0.15 / (2 * WALL_HALF) * n
    half_shadow = (lit - sky)[int(row - r) : int(row + r), int(col - r) : int(col + r)]
    assert half_shadow.std() < 0.02 * (_at(lit, *open_wall) - _at(sky, *open_wall))  # even, no pattern
    assert sun_share[1.2] == pytest.approx(1.0, abs=0.03)
    assert sun_share[0.6] == pytest.approx(1.0, abs=0.03)


# Cycles 5.0 (Principled BSDF, multiscatter GGX, 512 samples, 64 bounces; a sun lamp of strength 1,
# angle 0.5 degrees, and no world light) on a white metal plane of roughness 1 seen along its
# normal: the radiance it reflects per unit of the sun's irradiance, the sun at 59.3 and 30 degrees
# from the normal.
CYCLES_SUN = {59.3: 0.175, 30.0: 0.241}


@pytest.mark.gl
@pytest.mark.parametrize("theta", sorted(CYCLES_SUN))
def test_a_rough_metal_in_the_sun_keeps_its_energy(tmp_path, gl, theta):
    """The direct light's GGX lobe is scaled for the light it loses between microfacets, as the
    environment's is (ibl.glsl): without it this plane read 0.054 and 0.074 (a third); with the
    tables' roughness clamped at 0.984 0.165 and 0.226; now 0.176 and 0.240."""
    white_metal = {"pbrMetallicRoughness": {"baseColorFactor": [1, 1, 1, 1], "metallicFactor": 1.0,
                                            "roughnessFactor": 1.0}}
    irradiance = 2.0
    value, _ = _plane_in_sun(tmp_path, white_metal, {}, theta, irradiance)
    assert value / irradiance == pytest.approx(CYCLES_SUN[theta], rel=0.03)


def _plane_in_sun(tmp_path, material_fields: dict, extensions: dict, theta_deg: float, irradiance: float,
                  light: str = "sun"):
    """Linear radiance of a plane facing the camera (seen along its normal) lit only by a sun
    `theta_deg` from its normal, and the sun dxgl took from that panorama; with `light`
    "directional", by the model's own KHR_lights_punctual directional light from there instead, in
    a black panorama (and no sun)."""
    b = GltfBuilder()
    for name in extensions:
        b.use_extension(name)
    positions, uvs, indices = quad()
    material = b.material(**material_fields, extensions=extensions)
    nodes = [b.node(mesh=b.mesh(b.primitive((positions - [0.5, 0.5, 0]) * 4, indices, material=material,
                                            NORMAL=np.tile([0, 0, 1.0], (4, 1)).astype(np.float32))))]
    t = np.radians(theta_deg)
    if light == "directional":
        b.use_extension("KHR_lights_punctual")
        b.gltf["extensions"] = {"KHR_lights_punctual": {"lights": [{"type": "directional", "intensity": irradiance}]}}
        # The light shines down its local -Z: turned about +Y by theta it comes from (sin t, 0, cos t).
        nodes.append(b.node(extensions={"KHR_lights_punctual": {"light": 0}},
                            rotation=[0.0, float(np.sin(t / 2)), 0.0, float(np.cos(t / 2))]))
    b.scene(*nodes)
    scene = dxgl_engine.load_model(b.write_glb(tmp_path / "plane.glb"))
    hdr = tmp_path / "sun.hdr"
    sun_irradiance = (0.0 if light == "directional" else irradiance,) * 3
    cv2.imwrite(str(hdr), sky_with_sun((np.sin(t), 0.0, np.cos(t)), sun_irradiance))
    look = Look(str(hdr), tone_mapping="none", calibrated=False)
    frame = dxgl_engine.render_still(scene, dxgl_engine.Camera((0, 0, 60), (0, 0, 0), 1.0), 32, 32, look=look)
    value = float(linear(frame[8:24, 8:24]).mean())
    _, sun = extract_sun(load_hdr(hdr))
    return value, sun


# A black metal base (f0 0: it reflects nothing) under the layer tested.
BLACK_METAL = {"pbrMetallicRoughness": {"baseColorFactor": [0, 0, 0, 1], "metallicFactor": 1.0, "roughnessFactor": 1.0}}


@pytest.mark.gl
@pytest.mark.parametrize("light", ["sun", "directional"])
def test_the_sheen_catches_the_sun(tmp_path, gl, light):
    """KHR_materials_sheen's lobe, sheenColor D V N.L (Charlie distribution, Neubelt visibility),
    for the sun (or a KHR_lights_punctual directional light) 45 degrees off the normal: with the
    view along the normal the half vector is 22.5 degrees off, D = (2 + 1/a) sin^(1/a)(22.5 deg) /
    (2 pi) at a = 0.25, V = 1/4. Before, neither lit any sheen (SheenCloth in the garden lost its
    sunny side's velvet)."""
    irradiance = 40.0
    value, _ = _plane_in_sun(tmp_path, BLACK_METAL, {"KHR_materials_sheen": {"sheenColorFactor": [1, 1, 1],
                                                                          "sheenRoughnessFactor": 0.5}}, 45.0, irradiance,
                             light)  # fmt: skip
    a = 0.25
    d = (2 + 1 / a) * np.sin(np.radians(22.5)) ** (1 / a) / (2 * np.pi)
    expected = d * 0.25 * np.cos(np.radians(45.0)) * irradiance
    assert value == pytest.approx(expected, rel=0.05)


@pytest.mark.gl
@pytest.mark.parametrize("light", ["sun", "directional"])
def test_the_clearcoat_shows_the_suns_highlight(tmp_path, gl, light):
    """KHR_materials_clearcoat's lobe for the sun (or a KHR_lights_punctual directional light) 20
    degrees off the normal: clearcoat x Schlick (F0 0.04) x GGX D V N.L at the coat's alpha (0.3^2),
    for the sun widened by its disc, as sun.glsl widens every highlight. Before, a varnished
    surface showed no highlight of either."""
    irradiance = 20.0
    value, sun = _plane_in_sun(tmp_path, BLACK_METAL, {"KHR_materials_clearcoat": {"clearcoatFactor": 1.0,
                                                                                "clearcoatRoughnessFactor": 0.3}},
                               20.0, irradiance, light)
    a = 0.09 + (sun.angular_radius * SUN_ALPHA_PER_RADIAN if light == "sun" else 0.0)
    nl, nh, vh = np.cos(np.radians(20.0)), np.cos(np.radians(10.0)), np.cos(np.radians(10.0))
    d = a * a / (np.pi * (nh * nh * (a * a - 1) + 1) ** 2)
    vis = 0.5 / (nl * np.sqrt(1 - a * a + a * a) + np.sqrt(nl * nl * (1 - a * a) + a * a))
    fresnel = 0.04 + 0.96 * (1 - vh) ** 5
    assert value == pytest.approx(fresnel * d * vis * nl * irradiance, rel=0.05)


@pytest.mark.gl
def test_the_sun_casts_the_models_shadow_on_the_floor(tmp_path, gl, caplog):
    """A sun 45 degrees up in +X lays the model's shadow on the floor towards -X (the frame's
    left, seen from the default camera in +Z), as long as the model is tall; the floor is drawn
    over that footprint too. The right side keeps the baked shadow alone, as under the sky. Every
    uniform of every program is set (the floor's sun direction was not)."""
    from dxgl_engine.pipeline.timeline import Timeline
    from dxgl_engine.render.passes.shadow import ShadowPass
    from dxgl_engine.render.passes.sun_shadow import SunShadowPass
    from dxgl_engine.render_files import RenderFiles
    from dxgl_engine.samples import sample_path
    from dxgl_engine.settings import Settings

    scene = dxgl_engine.load_model(sample_path("product"))
    frames = {}
    for name, sun in (("sun", 6.0), ("sky", 0.0)):
        hdr = tmp_path / f"{name}.hdr"
        cv2.imwrite(str(hdr), sky_with_sun((1.0, 1.0, 0.0), (sun,) * 3, sky=0.3))
        timeline = Timeline(scene, Settings.from_json({"shadows": True}), (320, 180),
                            files=RenderFiles(environment=str(hdr)))  # fmt: skip
        frames[name] = timeline.frame_at(0.0, None)[..., 3].astype(int)
        if name == "sun":  # a turntable bakes both shadows once
            for i in range(0, timeline.frame_count, 15):
                timeline.frame(i)
            assert timeline.renderer.pass_of(ShadowPass).bakes == 1
            assert timeline.renderer.pass_of(SunShadowPass).bakes == 1
    sky_timeline = Timeline(scene, Settings.from_json({"shadows": False}), (320, 180))
    model = sky_timeline.frame_at(0.0, None)[..., 3] > 0
    ys, xs = np.nonzero(model)
    band = slice(ys.max() - 3, ys.max() + 1)
    width = (xs.max() - xs.min()) // 2
    left = (band, slice(xs.min() - width, xs.min() - 2))
    right = (band, slice(xs.max() + 2, xs.max() + width))
    assert frames["sun"][left].mean() > frames["sky"][left].mean() + 40
    assert frames["sun"][right].mean() == pytest.approx(frames["sky"][right].mean(), abs=3)
    assert not np.any(frames["sun"][model & (frames["sky"] == 255)] != 255)  # the model itself unchanged in alpha
    assert "unset variables" not in caplog.text


@pytest.mark.gl
def test_the_default_look_has_no_sun_to_pay_for(gl):
    """The studio keeps its image-based light whole: no shadow map pass, no SUN program variant."""
    from dxgl_engine.pipeline.timeline import Timeline
    from dxgl_engine.render.passes.sun_shadow import SunShadowPass
    from dxgl_engine.samples import sample_path
    from dxgl_engine.settings import Settings

    timeline = Timeline(dxgl_engine.load_model(sample_path("product")), Settings.from_json({}), (96, 54))
    timeline.frame(0)
    renderer = timeline.renderer
    assert renderer.pass_of(SunShadowPass) is None
    assert all("SUN" not in features for features, _ in renderer.meshes._programs)


def _sky_above(size=(512, 256)) -> np.ndarray:
    """A panorama lit only from above: radiance 1 over the upper hemisphere, black ground."""
    _, el, _ = directions(*size)
    return np.repeat((el > 0)[..., None], 3, -1).astype(np.float32)


@pytest.mark.gl
@pytest.mark.parametrize("light", ["sky above", "sun"])
def test_the_floor_reflection_shows_the_underside_as_lit(tmp_path, gl, light):
    """The floor mirror shows what a mirrored eye sees of the real model: a white sphere's
    underside, which faces the black ground (or the side away from the sun), so the reflection
    right under the sphere is far darker than the sphere's lit top. Mirroring the model itself lit
    its underside with the sky and the sun above it (reflection / top measured 1.00 under the sky
    and 0.37 under a low sun; now 0.013 and 0.025)."""
    from dxgl_engine.pipeline.timeline import Timeline
    from dxgl_engine.render_files import RenderFiles
    from dxgl_engine.settings import Settings
    from tests.gltf_builder import uv_sphere

    b = GltfBuilder()
    positions, _, indices = uv_sphere()
    white = b.material(pbrMetallicRoughness={"baseColorFactor": [0.9, 0.9, 0.9, 1.0], "metallicFactor": 0.0,
                                             "roughnessFactor": 0.7})
    b.scene(b.node(mesh=b.mesh(b.primitive(positions, indices, material=white, NORMAL=positions))))
    scene = dxgl_engine.load_model(b.write_glb(tmp_path / "sphere.glb"))
    hdr = tmp_path / "light.hdr"
    panorama = _sky_above() if light == "sky above" else sky_with_sun((0.3, 0.25, 0.92), (4.0,) * 3, sky=0.02)
    cv2.imwrite(str(hdr), panorama[..., ::-1])

    def frame(reflector: bool) -> np.ndarray:
        settings = Settings.from_json({"reflector": reflector, "shadows": False})
        timeline = Timeline(scene, settings, (240, 240), files=RenderFiles(environment=str(hdr)))
        return timeline.frame_at(0.0, None)

    plain, mirrored = frame(False), frame(True)
    ys, xs = np.nonzero(plain[..., 3] > 0)
    middle = slice(xs.min() + (xs.max() - xs.min()) // 3, xs.max() - (xs.max() - xs.min()) // 3)
    top = linear(plain[ys.min() + 4 : ys.min() + 12, middle]).mean()
    below = mirrored[ys.max() + 2 : ys.max() + 8, middle]
    assert (below[..., 3] > 0).all()  # the reflection is there
    assert linear(below).mean() < 0.15 * top


@pytest.mark.gl
def test_an_opaque_part_inside_a_see_through_shell_gets_the_near_walls_share(tmp_path, gl):
    """An opaque panel between two half-transparent ones (a part inside a glass case): where the
    near one stands between it and the sun it receives half the sun. The far one, behind it, must
    not count (it did: the see-through map multiplied every layer of a texel, 0.25)."""
    b = GltfBuilder()
    positions, _, indices = quad()
    normal = np.tile([0, 0, 1.0], (4, 1)).astype(np.float32)

    def panel(centre, size, z, alpha):
        mode = "OPAQUE" if alpha == 1 else "BLEND"
        m = b.material(pbrMetallicRoughness={"baseColorFactor": [1.0, 1.0, 1.0, alpha], "metallicFactor": 0.0,
                                             "roughnessFactor": 1.0}, alphaMode=mode, doubleSided=True)
        square = (positions - [0.5, 0.5, 0.0]) * [size, size, 1.0] + [centre[0], centre[1], z]
        return b.node(mesh=b.mesh(b.primitive(square, indices, material=m, NORMAL=normal)))

    # The sun's ray from the opaque panel's centre (z 0.6) meets z 1.0 at SUN's x, y times 0.4 / SUN.z.
    near = SUN[:2] * 0.4 / SUN[2]
    b.scene(panel((0, 0), 2 * WALL_HALF, 0.0, 1), panel((0, 0), 0.6, 0.6, 1), panel(near, 0.4, 1.0, 0.5),
            panel((0, 0), 2.0, 0.3, 0.5))
    scene = dxgl_engine.load_model(b.write_glb(tmp_path / "case.glb"))
    with_sun, sky_only = tmp_path / "sun.hdr", tmp_path / "sky.hdr"
    cv2.imwrite(str(with_sun), sky_with_sun(SUN, (3.0, 3.0, 3.0), sky=0.08))
    cv2.imwrite(str(sky_only), sky_with_sun(SUN, (0.0, 0.0, 0.0), sky=0.08))
    lit, sky = _render_wall(scene, with_sun, 352), _render_wall(scene, sky_only, 352)

    def sun_at(x, y):
        return _at(lit, x, y, 0.04) - _at(sky, x, y, 0.04)

    # (-0.1, 0): seen directly by the camera, in the near panel's shadow; (-0.22, 0.22): in no shadow.
    assert sun_at(-0.1, 0.0) / sun_at(-0.22, 0.22) == pytest.approx(0.5, abs=0.04)


@pytest.mark.gl
@pytest.mark.parametrize("theta", [60.0, 75.0, 85.0])
def test_a_blend_surface_does_not_shadow_itself_at_grazing_sun(tmp_path, gl, theta):
    """Exporters often mark every material BLEND: such a surface is in the coarser see-through map
    alone, and must not shadow itself where the sun grazes it (sun_through pushes the lookup off
    the surface by that map's own texels). It reads as the same surface marked OPAQUE."""
    white = {"baseColorFactor": [1, 1, 1, 1], "metallicFactor": 0.0, "roughnessFactor": 1.0}
    opaque, _ = _plane_in_sun(tmp_path, {"pbrMetallicRoughness": white}, {}, theta, 2.0)
    blend, _ = _plane_in_sun(tmp_path, {"pbrMetallicRoughness": white, "alphaMode": "BLEND"}, {}, theta, 2.0)
    assert blend == pytest.approx(opaque, rel=0.02)
