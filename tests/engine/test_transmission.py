"""Physically based see-through materials: KHR_materials_transmission refracting the frame behind
it, KHR_materials_volume (thickness, Beer-Lambert attenuation), KHR_materials_dispersion, and the
backdrop seen through the glass.

The scene: a glass sphere in front of a wall of red and blue vertical stripes, rendered small.
"""
from __future__ import annotations

import numpy as np
import pytest

from dxgl_engine.load.formats import load_model
from dxgl_engine.pipeline.timeline import Timeline
from dxgl_engine.render.backdrop import Backdrop
from dxgl_engine.settings import Settings
from tests.gltf_builder import UNSIGNED_INT, GltfBuilder, uv_sphere

SIZE = (256, 144)
WHITE = (255, 255, 255)


def _glass_scene(tmp_path, name: str = "glass", roughness: float = 0.05, base=(1.0, 1.0, 1.0), bars: int = 8,
                 **extensions):
    """The striped wall (`bars` bars from x = -2, 0.5 wide, at z = -1.6) and a unit glass sphere
    before it, centred on x = 0."""
    b = GltfBuilder()
    materials = {"KHR_materials_transmission": {"transmissionFactor": 1.0}, **extensions}
    for ext in materials.values():  # a texture named by its pixel value: one grey texel
        for key, value in list(ext.items()):
            if key.endswith("Texture"):
                ext[key] = {"index": b.texture(b.image(np.full((1, 1, 4), value, np.uint8)))}
    for ext in materials:
        b.use_extension(ext)
    glass = b.material(pbrMetallicRoughness={"baseColorFactor": [*base, 1.0], "metallicFactor": 0.0,
                                             "roughnessFactor": roughness}, extensions=materials)
    paints = [b.material(pbrMetallicRoughness={"baseColorFactor": c, "metallicFactor": 0.0, "roughnessFactor": 0.6})
              for c in ([0.1, 0.1, 0.9, 1.0], [0.9, 0.1, 0.1, 1.0])]
    positions, texcoords, indices = uv_sphere()
    nodes = [b.node(mesh=b.mesh(b.primitive(positions, indices, material=glass, index_type=UNSIGNED_INT,
                                            NORMAL=positions, TEXCOORD_0=texcoords)), translation=[0.0, 1.2, 0.0])]
    for k in range(bars):
        x = -2.0 + 0.5 * k
        quad = np.array([[x, 0, -1.6], [x + 0.5, 0, -1.6], [x + 0.5, 2.6, -1.6], [x, 2.6, -1.6]], np.float32)
        mesh = b.mesh(b.primitive(quad, np.array([0, 1, 2, 0, 2, 3], np.uint16), material=paints[k % 2],
                                  NORMAL=np.tile([0.0, 0.0, 1.0], (4, 1))))
        nodes.append(b.node(mesh=mesh))
    b.scene(*nodes)
    return load_model(b.write_glb(tmp_path / f"{name}.glb"))


def _timeline(scene) -> Timeline:
    return Timeline(scene, Settings.from_json({"length": 3, "shadows": False}), SIZE)


def _frames(tmp_path, backdrop=WHITE, **kwargs) -> np.ndarray:
    return _timeline(_glass_scene(tmp_path, **kwargs)).frame(0, backdrop).astype(int)


@pytest.fixture(scope="module")
def disc(tmp_path_factory, gl) -> tuple[np.ndarray, tuple[int, int]]:
    """The sphere's pixels and centre (row, column): the same scene with a black opaque sphere,
    framed alike (the framing follows the bounds, which do not change)."""
    black = _frames(tmp_path_factory.mktemp("disc"), name="black", base=(0.0, 0.0, 0.0),
                    KHR_materials_transmission={"transmissionFactor": 0.0})
    mask = black[..., :3].max(-1) < 40
    rows, cols = np.nonzero(mask)
    return mask, (int(rows.mean()), int(cols.mean()))


def _centre(frame: np.ndarray, disc, half: int = 12) -> np.ndarray:
    """The square of 2 * half pixels around the sphere's centre."""
    r, c = disc[1]
    return frame[r - half : r + half, c - half : c + half]


def test_thin_glass_shows_the_stripes_behind_it(tmp_path, disc):
    """Thin-walled (no volume): what is behind comes through in place, red and blue bars alike."""
    middle = _centre(_frames(tmp_path), disc)
    red = (middle[..., 0] > middle[..., 2] + 60).mean()
    blue = (middle[..., 2] > middle[..., 0] + 60).mean()
    assert red > 0.2 and blue > 0.2, (red, blue)


def test_a_volume_refracts_what_is_behind(tmp_path, disc):
    """A solid ball of glass is a lens: the bars behind its middle are magnified, so fewer
    red/blue changes cross its middle row than across the thin sphere's."""
    thin = _centre(_frames(tmp_path, name="thin"), disc, half=20)
    ball = _centre(_frames(tmp_path, name="ball", KHR_materials_volume={"thicknessFactor": 1.0}), disc, half=20)

    def crossings(patch):
        row = patch[patch.shape[0] // 2]
        redder = row[:, 0] > row[:, 2]
        return int(np.count_nonzero(redder[1:] != redder[:-1]))

    assert crossings(ball) < crossings(thin), (crossings(ball), crossings(thin))
    assert np.abs(ball - thin).mean() > 20


def test_attenuation_colours_what_passes_through_the_volume(tmp_path, gl):
    """Beer-Lambert over the thickness: green attenuation over a distance equal to the thickness
    leaves the light through the ball green (on white, where the ball passes the backdrop)."""
    green = {"thicknessFactor": 1.0, "attenuationDistance": 1.0, "attenuationColor": [0.2, 0.9, 0.2]}
    plain = _frames(tmp_path, name="plain", KHR_materials_volume={"thicknessFactor": 1.0})
    tinted = _frames(tmp_path, name="green", KHR_materials_volume=green)
    changed = np.abs(tinted - plain).sum(-1) > 30
    assert changed.mean() > 0.005
    r, g, b = (tinted[changed] - plain[changed])[:, :3].mean(0)
    assert g > r + 20 and g > b + 20  # red and blue lost far more than green


def test_roughness_blurs_what_is_seen_through(tmp_path, disc):
    sharp = _centre(_frames(tmp_path, name="sharp"), disc)
    rough = _centre(_frames(tmp_path, name="rough", roughness=0.6), disc)
    assert rough[..., 0].std() < 0.6 * sharp[..., 0].std()


def test_dispersion_splits_colours_at_edges(tmp_path, gl):
    """With dispersion the three channels refract apart: red and blue fringes appear where
    the plain ball has none, and the frames differ only around edges of the bars."""
    volume = {"thicknessFactor": 1.0}
    plain = _frames(tmp_path, name="nodisp", KHR_materials_volume=volume)
    split = _frames(tmp_path, name="disp", KHR_materials_volume=volume, KHR_materials_dispersion={"dispersion": 5.0})
    diff = np.abs(split - plain).sum(-1)
    assert 0.001 < (diff > 60).mean() < 0.1
    assert not load_model(tmp_path / "disp.glb").warnings  # the extension is known, not ignored
    none = _frames(tmp_path, name="disp0", KHR_materials_volume=volume, KHR_materials_dispersion={"dispersion": 0.0})
    np.testing.assert_array_equal(none, plain)  # dispersion 0 compiles and renders the plain ball


def test_the_backdrop_colour_shows_through_and_a_transparent_frame_keeps_alpha(tmp_path, gl):
    """The wall stops at x = 0, so the sphere's right half has only the backdrop behind it: seen
    through green glass, it is green on white and dark on black; a transparent output leaves it
    partly transparent (those pixels: neither empty nor opaque)."""
    timeline = _timeline(_glass_scene(tmp_path, base=(0.2, 1.0, 0.2), bars=4))
    on_black, on_white, clear = (timeline.frame(0, bg).astype(int) for bg in ((0, 0, 0), WHITE, None))
    through = (clear[..., 3] > 5) & (clear[..., 3] < 250)
    assert through.sum() > 300
    assert on_white[through][:, :3].mean() > on_black[through][:, :3].mean() + 60  # the backdrop is seen
    green = on_white[through]
    assert np.median(green[:, 1] - green[:, 0]) > 40 and np.median(green[:, 1] - green[:, 2]) > 40


def test_a_batch_of_backdrops_draws_each_through_the_glass(tmp_path, gl):
    """Batched outputs over two colours equal frames rendered over each alone."""
    scene = _glass_scene(tmp_path)
    timeline = _timeline(scene)
    white, black = timeline.frames(0, [(Backdrop(color=WHITE), 0), (Backdrop(color=(0, 0, 0)), 0)])
    np.testing.assert_array_equal(white, _timeline(scene).frame(0, WHITE))
    np.testing.assert_array_equal(black, _timeline(scene).frame(0, (0, 0, 0)))
    assert np.abs(white.astype(int) - black).sum(-1).max() > 100


def test_models_without_transmission_keep_the_drawn_region(tmp_path, gl):
    """Only see-through models give up drawing the model's region alone (refraction reads the
    whole frame)."""
    from dxgl_engine.render.passes.model import BlendedPass

    glass = _timeline(_glass_scene(tmp_path))
    assert glass.renderer.transmissive and glass.renderer.pass_of(BlendedPass).bounds(None) is None


def test_transmission_and_thickness_textures_scale_their_factors(tmp_path, disc):
    """transmissionTexture's red and thicknessTexture's green multiply their factors: 0 turns
    transmission off (as a factor of 0 does) and the volume into a thin wall; 255 changes nothing."""
    mask = disc[0]
    volume = {"thicknessFactor": 1.0}
    opaque = _frames(tmp_path, name="opaque", KHR_materials_transmission={"transmissionFactor": 0.0})
    off = _frames(tmp_path, name="off", KHR_materials_transmission={"transmissionFactor": 1.0,
                                                                    "transmissionTexture": 0})
    full = _frames(tmp_path, name="full", KHR_materials_transmission={"transmissionFactor": 1.0,
                                                                      "transmissionTexture": 255})
    glass = _frames(tmp_path, name="glass")
    assert np.abs(off - opaque)[mask].mean() < 2.0 < np.abs(glass - opaque)[mask].mean()
    assert np.abs(full - glass)[mask].max() <= 2
    thin = _frames(tmp_path, name="thin2", KHR_materials_volume={"thicknessFactor": 1.0, "thicknessTexture": 0})
    ball = _frames(tmp_path, name="ball2", KHR_materials_volume={**volume, "thicknessTexture": 255})
    assert np.abs(thin - glass)[mask].max() <= 2  # no thickness: no displacement
    assert np.abs(ball - _frames(tmp_path, name="ball3", KHR_materials_volume=volume))[mask].max() <= 2
