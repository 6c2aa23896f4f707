"""The product look: colour accuracy, exact backgrounds, ground shadow, reflection, backdrops."""
import numpy as np
import pytest
from scipy.ndimage import binary_erosion
from skimage.color import deltaE_ciede2000, rgb2lab

from dxgl_engine.motion import camera_paths
from dxgl_engine import load_model
from dxgl_engine.pipeline.timeline import Timeline
from dxgl_engine.render.backdrop import Backdrop, cover_rect
from dxgl_engine.render.passes.shadow import ShadowPass
from dxgl_engine.samples import sample_path
from dxgl_engine.scene.model import Material, Mesh, Node, Primitive, Scene
from dxgl_engine.settings import Settings
from dxgl_engine.scene.transforms import transform_points

pytestmark = pytest.mark.gl

# X-Rite ColorChecker Classic, sRGB (D65) values of its 24 patches, row by row.
COLORCHECKER = np.array([
    (115, 82, 68), (194, 150, 130), (98, 122, 157), (87, 108, 67), (133, 128, 177), (103, 189, 170),
    (214, 126, 44), (80, 91, 166), (193, 90, 99), (94, 60, 108), (157, 188, 64), (224, 163, 46),
    (56, 61, 150), (70, 148, 73), (175, 54, 60), (231, 199, 31), (187, 86, 149), (8, 133, 161),
    (243, 243, 242), (200, 200, 200), (160, 160, 160), (122, 122, 121), (85, 85, 85), (52, 52, 52),
], np.float64)  # fmt: skip
PATCH, GAP = 1.0, 0.25


def srgb_to_linear(c):
    c = np.asarray(c, np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def chart_scene(facing_deg: float = camera_paths.ELEVATION):
    """24 matte patches (roughness 1, metallic 0) on a board tilted to face the default camera."""
    prims, materials, centres = [], [], []
    tilt = np.radians(facing_deg)
    normal = np.array([0.0, np.sin(tilt), np.cos(tilt)])
    up = np.array([0.0, np.cos(tilt), -np.sin(tilt)])
    for k, rgb in enumerate(COLORCHECKER):
        row, col = divmod(k, 6)
        cx, cy = (col - 2.5) * (PATCH + GAP), (1.5 - row) * (PATCH + GAP)
        centre = cx * np.array([1.0, 0, 0]) + cy * up
        corners = [centre + sx * PATCH / 2 * np.array([1.0, 0, 0]) + sy * PATCH / 2 * up
                   for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1))]  # fmt: skip
        prims.append(Primitive(np.array(corners, np.float32), np.array([[0, 1, 2], [0, 2, 3]], np.uint32),
                               np.tile(normal, (4, 1)).astype(np.float32), material=k))  # fmt: skip
        materials.append(Material(base_color_factor=np.r_[srgb_to_linear(rgb), 1.0], metallic_factor=0.0,
                                  roughness_factor=1.0))  # fmt: skip
        centres.append(centre)
    scene = Scene(nodes=[Node(mesh=0)], roots=[0], meshes=[Mesh("chart", prims)], materials=materials)
    return scene, np.array(centres)


def project(timeline, points, t=0.0):
    """Pixel (x, y) of scene points in the frame at effect time t."""
    view = timeline.framing.view(camera_paths.shot_at(timeline.settings, t), timeline.width, timeline.height, timeline.settings.zoom)
    world = transform_points(view.model, points)
    ndc = np.c_[world, np.ones(len(world))] @ (view.proj @ view.view).T
    ndc = ndc[:, :2] / ndc[:, 3:4]
    return np.c_[(ndc[:, 0] + 1) / 2 * timeline.width, (1 - ndc[:, 1]) / 2 * timeline.height]


@pytest.mark.parametrize("facing, median_bound", [(camera_paths.ELEVATION, 1.5), (0.0, 3.0)],
                         ids=["facing-the-camera", "upright"])
def test_colour_chart_matches_base_colours(gl, facing, median_bound):
    """The default look shows a product's base colours: a chart tilted to face the camera, and one
    standing upright as most products' fronts stand (measured: median dE2000 0.47 and 1.75; before
    the studio's low bounce card, 0.91 and 7.1)."""
    scene, centres = chart_scene(facing)
    s = Settings.from_json({"shadows": False, "bgColor": "#808080"})
    timeline = Timeline(scene, s)
    poster = timeline.frame(0, s.bg_rgb)[..., :3].astype(np.float64)
    measured = []
    for x, y in project(timeline, centres):
        x, y = int(round(x)), int(round(y))
        measured.append(poster[y - 3 : y + 4, x - 3 : x + 4].reshape(-1, 3).mean(0))
    measured = np.array(measured)
    de = deltaE_ciede2000(rgb2lab(COLORCHECKER[None] / 255.0)[0], rgb2lab(measured[None] / 255.0)[0])
    assert np.median(de) <= median_bound, de.round(2)
    assert de.max() <= 6.0, de.round(2)


def test_the_studio_still_shapes_a_white_cube(gl):
    """Flat light would make the chart exact and the product dull: a white matte cube seen from the
    default camera keeps its top brighter than its front, and its front than its side. Irradiance
    ratios top/front 1.33 and side/front 0.75; displayed (linear light after the tone curve, which
    compresses white) top 0.91, front 0.85, side 0.68: top/side 1.34, the ratio chosen."""
    from tests.gltf_builder import cube_corners

    positions, indices = cube_corners()
    faces = positions[indices.reshape(-1, 3)]
    normals = np.repeat(np.cross(faces[:, 1] - faces[:, 0], faces[:, 2] - faces[:, 0]), 3, axis=0)
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    prim = Primitive(faces.reshape(-1, 3).astype(np.float32), np.arange(36, dtype=np.uint32).reshape(-1, 3),
                     normals.astype(np.float32), material=0)
    scene = Scene(nodes=[Node(mesh=0)], roots=[0], meshes=[Mesh("cube", [prim])],
                  materials=[Material(base_color_factor=np.ones(4), metallic_factor=0.0, roughness_factor=1.0)])
    s = Settings.from_json({"shadows": False, "rotateY": 30})
    timeline = Timeline(scene, s, (320, 320))
    frame = srgb_to_linear(timeline.frame(0, None)[..., :3]).mean(-1)
    centres = project(timeline, np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]))  # face centres
    top, front, side = (frame[int(round(y)), int(round(x))] for x, y in centres)
    assert top > front > side and top > 1.25 * side, (top, front, side)


def emissive_chart(textured: bool):
    """The chart's colours as emission over a black base: a linear emissive factor per patch, or
    factor 1 times a 4x4 texture of the patch's sRGB bytes."""
    from dxgl_engine.scene.model import Image, TextureRef

    scene, centres = chart_scene()
    for k, (rgb, material) in enumerate(zip(COLORCHECKER, scene.materials)):
        material.base_color_factor = np.r_[0.0, 0.0, 0.0, 1.0]
        material.emissive_factor = srgb_to_linear(rgb)
        if textured:
            scene.images.append(Image(f"patch{k}", np.tile(np.r_[rgb, 255].astype(np.uint8), (4, 4, 1))))
            material.emissive_factor, material.emissive_texture = np.ones(3), TextureRef(k)
    return scene, centres


def textured_chart():
    """The chart with each patch's colour as a 4x4 base colour texture of its sRGB bytes."""
    from dxgl_engine.scene.model import Image, TextureRef

    scene, centres = chart_scene()
    for k, (rgb, material) in enumerate(zip(COLORCHECKER, scene.materials)):
        scene.images.append(Image(f"patch{k}", np.tile(np.r_[rgb, 255].astype(np.uint8), (4, 4, 1))))
        material.base_color_factor, material.base_color_texture = np.ones(4), TextureRef(k)
    return scene, centres


def patch_colours(scene, centres, s):
    for prim in scene.meshes[0].primitives:
        prim.texcoords = [np.array([[0, 0], [1, 0], [1, 1], [0, 1]], np.float32)]
    timeline = Timeline(scene, s)
    frame = timeline.frame(0, s.bg_rgb)[..., :3].astype(np.float64)
    return np.array([frame[int(round(y)) - 3 : int(round(y)) + 4, int(round(x)) - 3 : int(round(x)) + 4]
                     .reshape(-1, 3).mean(0) for x, y in project(timeline, centres)])  # fmt: skip


@pytest.mark.parametrize("charts", [(chart_scene, textured_chart), (lambda: emissive_chart(False),
                                                                    lambda: emissive_chart(True))],
                         ids=["base colour", "emissive"])  # fmt: skip
def test_colour_textures_are_decoded_from_srgb(gl, charts):
    """Base colour and emissive textures hold sRGB bytes (glTF 2.0, "Materials"): a patch whose
    colour comes from such a texture renders as the same colour given as a linear factor (read
    as linear, the chart's darkest grey would come out about 50 levels brighter)."""
    s = Settings.from_json({"shadows": False, "bgColor": "#808080"})
    by_factor, by_texture = (patch_colours(*make(), s) for make in charts)
    assert np.abs(by_texture - by_factor).max() <= 1.5, np.abs(by_texture - by_factor).max(1).round(2)


@pytest.fixture(scope="module")
def product(gl):
    return load_model(sample_path("product"))


def frame(scene, js, backdrop=(255, 255, 255), size=(320, 180), t=0.0):
    timeline = Timeline(scene, Settings.from_json(js), size)
    return timeline.frame_at(t, backdrop), timeline


def model_mask(scene, js, size=(320, 180), solid=False):
    """Where the model covers the frame (alpha of a transparent render without floor effects);
    `solid`: only pixels it covers fully, away from its anti-aliased edge."""
    f, _ = frame(scene, {**js, "shadows": False, "reflector": False}, None, size)
    if solid:
        return binary_erosion(f[..., 3] == 255, iterations=2)
    return f[..., 3] > 0


def test_shadow_darkens_under_the_model_only(product):
    bg = (200, 220, 240)
    on, _ = frame(product, {"shadows": True}, bg)
    off, _ = frame(product, {"shadows": False}, bg)
    model = model_mask(product, {})
    ys, xs = np.nonzero(model)
    below = (slice(ys.max() + 1, ys.max() + 5), slice(xs.min(), xs.max() + 1))
    assert on[below][..., :3].astype(int).sum(-1).mean() < off[below][..., :3].astype(int).sum(-1).mean() - 15
    assert np.all(off[below][..., :3] == bg)  # no shadow: the floor is invisible
    for corner in (on[0, 0], on[0, -1], on[-1, 0], on[-1, -1]):
        assert tuple(corner[:3]) == bg  # the background elsewhere is untouched
    solid = model_mask(product, {}, solid=True)
    assert np.array_equal(on[solid], off[solid])  # the shadow never darkens the model


def test_shadow_survives_as_partial_alpha(product):
    f, _ = frame(product, {"shadows": True}, None)
    model = model_mask(product, {})
    shadow = (f[..., 3] > 0) & ~model
    assert shadow.sum() > 50
    assert np.all(f[shadow][..., :3] == 0)  # black with partial alpha: darkens any background
    assert 0 < f[shadow][..., 3].max() < 255


def test_shadow_intensity_and_softness(product):
    bg = (255, 255, 255)
    weak, _ = frame(product, {"shadowIntensity": 0.2}, bg)
    strong, _ = frame(product, {"shadowIntensity": 1.0}, bg)
    model = model_mask(product, {})
    floor = ~model
    assert strong[floor][..., :3].astype(int).sum() < weak[floor][..., :3].astype(int).sum()
    sharp, _ = frame(product, {"shadowSoftness": 0.0}, None)
    soft, _ = frame(product, {"shadowSoftness": 1.0}, None)
    assert ((soft[..., 3] > 3) & floor).sum() > ((sharp[..., 3] > 3) & floor).sum()  # a softer shadow spreads


def test_shadow_is_baked_once_for_a_turntable_and_per_frame_when_animated(product, shared_assets):
    timeline = Timeline(product, Settings.from_json({"length": 3}), (96, 54))
    for i in range(0, 90, 10):
        timeline.frame(i)
    assert timeline.renderer.pass_of(ShadowPass).bakes == 1
    man = load_model(shared_assets / "khronos/CesiumMan/CesiumMan.glb")
    walk = Timeline(man, Settings.from_json({"length": 3, "animation": "*"}), (96, 54))
    for i in range(0, 30, 10):
        walk.frame(i)
    assert walk.renderer.pass_of(ShadowPass).bakes == 3


def test_floor_is_drawn_only_where_the_shadow_shows(product, monkeypatch):
    from dxgl_engine.render.passes import shadow

    dark = np.zeros((8, 8), np.float32)
    assert shadow.visible_area(dark) is None
    dark[2:4, 5] = 0.3  # rows 2-3 (v), column 5 (u), widened by a texel for the filter
    assert shadow.visible_area(dark).tolist() == [4 / 8, 1 / 8, 7 / 8, 5 / 8]
    dark[:] = 0.9
    assert shadow.visible_area(dark).tolist() == [0.0, 0.0, 1.0, 1.0]

    lying = {"shadows": True, "tiltX": 90}  # a footprint longer one way than the other
    for bg in ((255, 255, 255), None):
        clipped, timeline = frame(product, lying, bg)
        area = timeline.renderer.pass_of(ShadowPass).area
        assert area[0] > 0.05 and area[2] < 0.95, "the shadow covers a part of the floor square"
        assert area[2] - area[0] < 0.8 * (area[3] - area[1])
        monkeypatch.setattr(shadow, "visible_area", lambda d: np.array([0, 0, 1, 1], np.float32))
        whole, _ = frame(product, lying, bg)
        monkeypatch.undo()
        assert np.abs(clipped.astype(int) - whole.astype(int)).max() <= 1


def test_reflector_mirrors_the_model_below_it(product):
    bg = (255, 255, 255)
    plain, _ = frame(product, {"reflector": False, "shadows": False}, bg)
    mirrored, _ = frame(product, {"reflector": True, "shadows": False}, bg)
    model = model_mask(product, {})
    ys, xs = np.nonzero(model)
    band = (slice(ys.max() + 2, min(ys.max() + 14, model.shape[0])), slice(xs.min(), xs.max() + 1))
    assert np.all(plain[band][..., :3] == bg)
    changed = np.abs(mirrored[band][..., :3].astype(int) - 255).sum(-1) > 6
    assert changed.mean() > 0.3  # reflected content right under the model
    # The reflection of the blue label shows as a bluish tint (blue channel above red).
    refl = mirrored[band][..., :3].astype(int)[changed]
    assert (refl[:, 2] - refl[:, 0]).mean() > 0
    solid = model_mask(product, {}, solid=True)
    assert np.array_equal(plain[solid], mirrored[solid])


def test_reflector_with_shadows(product):
    both, _ = frame(product, {"reflector": True, "shadows": True}, None)
    model = model_mask(product, {})
    assert ((both[..., 3] > 0) & ~model).sum() > 100


@pytest.mark.parametrize("hexcolor", ["#ffffff", "#000000", "#ff8800", "#123456"])
def test_background_colour_exact_with_shadows(product, hexcolor):
    s = Settings.from_json({"bgColor": hexcolor})
    f, _ = frame(product, {"bgColor": hexcolor}, s.bg_rgb)
    assert tuple(f[0, 0, :3]) == s.bg_rgb and tuple(f[-1, -1, :3]) == s.bg_rgb and tuple(f[0, -1, :3]) == s.bg_rgb


GRID = np.array([[(255, 0, 0), (0, 255, 0), (0, 0, 255)],
                 [(255, 255, 0), (0, 255, 255), (255, 0, 255)],
                 [(255, 128, 0), (128, 0, 255), (0, 128, 64)]], np.uint8)  # fmt: skip
POINT = {"top": 0, "center": 1, "bottom": 2, "left": 0, "right": 2}


def grid_image(w=300, h=200):
    """A 3 x 3 grid of distinct colours: the cell under each of the nine anchors is known."""
    return np.repeat(np.repeat(GRID, h // 3 + 1, 0)[:h], w // 3 + 1, 1)[:, :w]


def anchor_cell(anchor):
    v, _, hz = anchor.partition("-")
    if anchor == "center":
        v = hz = "center"
    return POINT[v], POINT[hz]


@pytest.mark.parametrize("anchor", ["top-left", "top-center", "top-right", "center-left", "center", "center-right",
                                    "bottom-left", "bottom-center", "bottom-right"])  # fmt: skip
@pytest.mark.parametrize("size", [(320, 180), (180, 320)])
def test_background_image_anchor_keeps_its_corner(product, anchor, size):
    img = grid_image()
    f, _ = frame(product, {"shadows": False}, Backdrop(color=(0, 0, 0), image=img, anchor=anchor), size)
    h, w = f.shape[:2]
    row, col = anchor_cell(anchor)
    if anchor == "center":
        row = 0  # the model covers the frame's centre: look straight above it, in the top-centre cell
    y, x = [0, h // 2, h - 1][row], [0, w // 2, w - 1][col]
    assert np.abs(f[y, x, :3].astype(int) - GRID[row, col]).max() <= 3, (anchor, size, f[y, x])


def test_cover_rect_covers_and_keeps_aspect():
    su, sv, ou, ov = cover_rect(400, 100, 160, 90, "center")
    assert sv == pytest.approx(1.0) and su == pytest.approx((160 / 90) / 4.0) and ou == pytest.approx((1 - su) / 2)
    assert cover_rect(100, 100, 100, 100, "bottom-right") == (1.0, 1.0, 0.0, 0.0)


def test_vignette_darkens_corners_monotonically(product):
    corners = []
    for v in (0.0, 0.3, 0.6, 1.0):
        f, _ = frame(product, {"vignette": v, "bgColor": "#e0e0e0"}, Backdrop(color=(224, 224, 224), vignette=v))
        corners.append(f[0, 0, :3].astype(int).sum())
        assert tuple(f[90, 5, :3]) != () and f[90, 160, 3] == 255
    assert corners[0] == 3 * 224
    assert all(a > b for a, b in zip(corners, corners[1:]))


def test_foreground_overlay_goes_over_everything(product):
    fg = np.zeros((90, 160, 4), np.uint8)
    fg[:, :80] = (255, 0, 255, 255)  # left half opaque magenta, right half transparent
    f, _ = frame(product, {}, Backdrop(color=(255, 255, 255), foreground=fg))
    assert np.all(f[:, :150, :3] == (255, 0, 255))
    assert tuple(f[0, -1, :3]) == (255, 255, 255)


def test_background_is_not_tone_mapped_under_aces(product):
    f, _ = frame(product, {"toneMapping": "aces", "bgColor": "#336699"}, (0x33, 0x66, 0x99))
    assert tuple(f[0, 0, :3]) == (0x33, 0x66, 0x99)


def test_exposure_and_environment_change_the_model_not_the_background(product):
    base, _ = frame(product, {"shadows": False})
    bright, _ = frame(product, {"exposure": 2.0, "shadows": False})
    neutral, _ = frame(product, {"environment": "neutral", "shadows": False})
    model = model_mask(product, {})
    assert bright[model][..., :3].astype(int).sum() > base[model][..., :3].astype(int).sum()
    assert np.abs(neutral[model][..., :3].astype(int) - base[model][..., :3].astype(int)).mean() > 1.0
    assert np.array_equal(base[~model], bright[~model])


def test_user_hdr_environment_lights_the_model(product, tmp_path):
    import cv2

    from dxgl_engine.errors import InvalidSettings
    from dxgl_engine.render_files import RenderFiles

    hdr = np.zeros((64, 128, 3), np.float32)
    hdr[..., 2] = 2.0  # OpenCV is BGR: a red studio
    hdr[..., 1] = 0.2
    path = tmp_path / "red.hdr"
    assert cv2.imwrite(str(path), hdr)
    s = Settings.from_json({"shadows": False})
    red = Timeline(product, s, (160, 90), files=RenderFiles(environment=str(path))).frame_at(0.0, None)
    plain = Timeline(product, s, (160, 90)).frame_at(0.0, None)
    m = binary_erosion(plain[..., 3] == 255, iterations=2)
    r_red, r_plain = red[m][:, :3].astype(int), plain[m][:, :3].astype(int)
    assert (r_red[:, 0] - r_red[:, 1]).mean() > (r_plain[:, 0] - r_plain[:, 1]).mean() + 20
    with pytest.raises(InvalidSettings, match="Radiance .hdr"):
        Timeline(product, s, (160, 90), files=RenderFiles(environment=str(tmp_path / "x.exr")))
    with pytest.raises(InvalidSettings, match="not found"):
        Timeline(product, s, (160, 90), files=RenderFiles(environment=str(tmp_path / "missing.hdr")))


def test_punctual_lights_add_to_the_studio(shared_assets, gl):
    import dataclasses

    scene = load_model(shared_assets / "other/draco_sphere_lights/sphere_lights.gltf")
    assert scene.lights
    dark = dataclasses.replace(scene, nodes=[dataclasses.replace(n, light=None) for n in scene.nodes])
    js = {"shadows": False, "environment": "neutral"}
    lit, _ = frame(scene, js, None)
    unlit, _ = frame(dark, js, None)
    m = binary_erosion(unlit[..., 3] == 255, iterations=2)
    assert lit[m][:, :3].astype(int).sum() > unlit[m][:, :3].astype(int).sum() * 1.02
