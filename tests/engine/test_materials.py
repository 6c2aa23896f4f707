"""Materials on real models: alpha modes, double-sided faces, unlit, texture transforms, UV sets,
vertex colours, and golden images (with tolerances) so that a shading regression fails."""
import dataclasses
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy.ndimage import binary_erosion

from dxgl_engine import load_model
from dxgl_engine.pipeline.timeline import Timeline
from dxgl_engine.samples import sample_path
from dxgl_engine.settings import Settings

pytestmark = pytest.mark.gl
GOLDEN = Path(__file__).with_name("golden")
SIZE = (320, 180)


def render(scene, js=None, background=(255, 255, 255), size=SIZE, t=0.0):
    return Timeline(scene, Settings.from_json(js or {}), size).frame_at(t, background)


def khronos(shared_assets, rel):
    return load_model(shared_assets / "khronos" / rel)


def _with_alpha(scene, modes):
    """The scene with some materials' alphaMode replaced (by material name)."""
    mats = [dataclasses.replace(m, alpha_mode=modes.get(m.name, m.alpha_mode)) for m in scene.materials]
    return dataclasses.replace(scene, materials=mats)


def test_alpha_mask_and_blend(shared_assets, gl):
    scene = khronos(shared_assets, "AlphaBlendModeTest/AlphaBlendModeTest.glb")
    js, size = {"shadows": False}, (480, 270)
    normal = render(scene, js, size=size).astype(int)
    masks = {m.name: "OPAQUE" for m in scene.materials if m.alpha_mode == "MASK"}
    blends = {m.name: "OPAQUE" for m in scene.materials if m.alpha_mode == "BLEND"}
    assert masks and blends
    unmasked = render(_with_alpha(scene, masks), js, size=size).astype(int)
    unblended = render(_with_alpha(scene, blends), js, size=size).astype(int)
    cut = np.abs(normal - unmasked).max(-1) > 40
    seen_through = np.abs(normal - unblended).max(-1) > 20
    assert cut.sum() > 1500, "MASK cut-outs reveal what is behind them"
    assert seen_through.sum() > 500, "BLEND shows what is behind it"
    assert not (cut & seen_through).any() or (cut & seen_through).sum() < 20  # different panels


def test_double_sided_plane_is_lit_from_behind(shared_assets, gl):
    scene = khronos(shared_assets, "TwoSidedPlane/TwoSidedPlane.gltf")
    single = dataclasses.replace(scene, materials=[dataclasses.replace(m, double_sided=False) for m in scene.materials])
    views = []
    for s in (scene, single):
        for rotate in (0, 180):  # the plane stood up (tilt 90) and seen from either side
            f = render(s, {"tiltX": 90, "rotateY": rotate, "shadows": False, "sweepAngle": 10}, None)
            views.append(f)
    both = [(v[..., 3] > 0).sum() for v in views]
    assert both[0] > 1000 and both[1] > 1000, "doubleSided: drawn from both sides"
    assert min(both[2], both[3]) < 0.1 * max(both[2], both[3]), "single-sided: culled from one side"
    for v in views[:2]:
        assert v[v[..., 3] == 255][:, :3].astype(int).mean() > 40, "each side lit with its own normal"


def test_unlit_shows_base_colour_exactly(shared_assets, gl):
    scene = khronos(shared_assets, "UnlitTest/UnlitTest.gltf")
    f = render(scene, {"shadows": False}, (0, 0, 0), size=(480, 270))
    solid = binary_erosion(f[..., :3].sum(-1) > 0, iterations=4)
    colours = {tuple(c) for c in f[solid][:, :3]}
    # base colours (1, 0.2176, 0) and (0, 0.2176, 1) linear are sRGB (255, 128, 0) and (0, 128, 255)
    assert (255, 128, 0) in colours and (0, 128, 255) in colours
    assert len(colours) <= 4  # flat: no lighting, no tone mapping


@pytest.mark.parametrize("rel", ["TextureTransformTest/TextureTransformTest.gltf", "MultiUVTest/MultiUVTest.gltf",
                                 "VertexColorTest/VertexColorTest.gltf"])  # fmt: skip
def test_textured_models_show_their_textures(shared_assets, gl, rel):
    f = render(khronos(shared_assets, rel), {"shadows": False}, (255, 255, 255))
    drawn = f[..., :3][(f[..., :3] != 255).any(-1)].astype(int)
    assert len(drawn) > 2000
    assert np.std(drawn, axis=0).max() > 25, "textures or vertex colours give varied colours"


# --- golden images -----------------------------------------------------------------------------------
GOLDEN_MODELS = {
    "product": None,
    "AlphaBlendModeTest": "AlphaBlendModeTest/AlphaBlendModeTest.glb",
    "TextureTransformTest": "TextureTransformTest/TextureTransformTest.gltf",
    "MultiUVTest": "MultiUVTest/MultiUVTest.gltf",
    "VertexColorTest": "VertexColorTest/VertexColorTest.gltf",
    "UnlitTest": "UnlitTest/UnlitTest.gltf",
    "TwoSidedPlane": "TwoSidedPlane/TwoSidedPlane.gltf",
    "DamagedHelmet": "DamagedHelmet/DamagedHelmet.glb",
}


def compare_golden(name: str, frame: np.ndarray, mean_tol: float = 1.5, pixel_tol: int = 32,
                   pixel_frac: float = 0.005) -> None:
    """Mean absolute error and the share of pixels off by more than `pixel_tol`, against
    golden/<name>.png; DXGL_UPDATE_GOLDEN=1 writes missing or changed references instead."""
    path = GOLDEN / f"{name}.png"
    rgb = frame[..., :3]
    if os.environ.get("DXGL_UPDATE_GOLDEN") == "1" or not path.exists():
        if os.environ.get("DXGL_UPDATE_GOLDEN") != "1":
            pytest.fail(f"no golden image {path.name}: run with DXGL_UPDATE_GOLDEN=1 to create it")
        Image.fromarray(rgb).save(path)
        return
    ref = np.asarray(Image.open(path).convert("RGB"))
    if ref.shape != rgb.shape:  # a reference at an integer multiple of the size is reduced first
        k = ref.shape[0] // rgb.shape[0]
        ref = ref.reshape(rgb.shape[0], k, rgb.shape[1], k, 3).mean((1, 3))
    diff = np.abs(ref.astype(float) - rgb.astype(float))
    assert diff.mean() <= mean_tol, f"{name}: mean error {diff.mean():.2f}"
    assert (diff.max(-1) > pixel_tol).mean() <= pixel_frac, f"{name}: {(diff.max(-1) > pixel_tol).mean():.4f} off"


@pytest.mark.parametrize("name", list(GOLDEN_MODELS))
def test_golden_posters(request, gl, name):
    rel = GOLDEN_MODELS[name]
    if rel is None:
        scene = load_model(sample_path("product"))
    else:
        scene = load_model(request.getfixturevalue("shared_assets") / "khronos" / rel)
    compare_golden(name, render(scene, {}, (240, 240, 240), t=0.15))


def test_golden_reflector_and_aces(gl):
    scene = load_model(sample_path("product"))
    compare_golden("product-reflector-aces", render(scene, {"reflector": True, "toneMapping": "aces",
                                                           "environment": "neutral"}, (30, 30, 40)))  # fmt: skip
