"""The look against a path tracer, in `make test`: two Render Fidelity scenarios rendered in the
harness's reference mode (tools/fidelity: the panorama's own radiance, no tone curve) against the
committed dxgl goldens (a regression guard) and against Blender Cycles renders of the same camera and
panorama (committed, made by `tools/fidelity/run.py --cycles --scale 0.25 --samples 64`). The full
harness over every scenario is a benchmark (README, "Benchmarks").

Regenerate the dxgl goldens after a deliberate change of the look with DXGL_UPDATE_GOLDEN=1.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import dxgl_engine

GOLDEN = Path(__file__).parent / "golden" / "fidelity"
HARNESS = Path(__file__).resolve().parents[2] / "tools" / "fidelity"
sys.path.insert(0, str(HARNESS))

from scenarios import load_scenarios  # noqa: E402
from scores import score  # noqa: E402

# Measured at 0.25x against Cycles (64 samples + denoiser): Box 0.027, DamagedHelmet 0.041 (0.070
# and 0.050 before the panorama's sun cast the model's own shadows; Box read 0.113 with the rough
# dielectric's albedo normalised to f0). The bounds leave room for llvmpipe versions, and fail on
# faults like a mirrored panorama (0.16+), that normalisation or a sun without shadows.
CYCLES_BOUND = {"Box": 0.05, "DamagedHelmet": 0.06}


@pytest.mark.shared_assets
@pytest.mark.parametrize("name", sorted(CYCLES_BOUND))
def test_reference_mode_against_goldens_and_cycles(shared_fidelity, gl, name):
    (scenario,) = [s.scaled(0.25) for s in load_scenarios(shared_fidelity / "scenarios.json", [name])]
    look = dxgl_engine.Look(str(shared_fidelity / "chinese_garden_1k.hdr"), tone_mapping="none", calibrated=False)
    camera = dxgl_engine.Camera(scenario.eye, scenario.target, scenario.fov_y)
    frame = dxgl_engine.render_still(dxgl_engine.load_model(scenario.model), camera, *scenario.size, look=look)
    golden = GOLDEN / f"{name}.dxgl.png"
    if os.environ.get("DXGL_UPDATE_GOLDEN"):
        Image.fromarray(frame).save(golden)
    ours = score(np.asarray(Image.open(golden).convert("RGBA")), frame)
    assert ours.flip < 0.02 and ours.iou > 0.99, (ours.flip, ours.iou)
    cycles = score(np.asarray(Image.open(GOLDEN / f"{name}.cycles.png").convert("RGBA")), frame)
    assert cycles.flip < CYCLES_BOUND[name] and cycles.iou > 0.97, (cycles.flip, cycles.iou)
    assert 0.75 < cycles.brightness < 1.25


def test_the_cycles_job_gets_ktx2_textures_as_png(tmp_path):
    """Blender's importer drops KTX2 images (the barn lamp rendered untextured in the reference):
    the harness hands it a copy with them as PNG, texel for texel, directly referenced or through
    KHR_texture_basisu, and leaves a model without KTX2 alone."""
    from blender_input import blender_input

    from tests.engine.test_compressed_gltf import _quadrants
    from tests.gltf_builder import GltfBuilder, plain_ktx2, quad

    pixels = _quadrants()
    b = GltfBuilder()
    b.use_extension("KHR_texture_basisu", required=True)
    direct = b.texture(b.image(data=plain_ktx2(pixels[..., :3], 23, 2), mime="image/ktx2"))
    basisu = b.texture(None, extensions={"KHR_texture_basisu": {"source": b.image(
        data=plain_ktx2(pixels[..., ::-1].copy(), 37, 3), mime="image/ktx2")}})
    positions, uvs, indices = quad()
    b.scene(b.node(mesh=b.mesh(b.primitive(positions, indices, TEXCOORD_0=uvs, material=b.material(
        pbrMetallicRoughness={"baseColorTexture": {"index": direct},
                              "metallicRoughnessTexture": {"index": basisu}})))))
    model = b.write_glb(tmp_path / "k.glb")
    copy = blender_input(model, tmp_path / "blender")
    assert copy.suffix == ".gltf" and copy.parent == tmp_path / "blender"
    doc = json.loads(copy.read_text())
    assert "KHR_texture_basisu" not in json.dumps(doc)
    assert all(im["uri"].startswith("data:image/png;base64,") for im in doc["images"])
    ours, theirs = dxgl_engine.load_model(model), dxgl_engine.load_model(copy)
    for slot in ("base_color_texture", "metallic_roughness_texture"):
        np.testing.assert_array_equal(theirs.images[getattr(theirs.materials[0], slot).image].pixels,
                                      ours.images[getattr(ours.materials[0], slot).image].pixels)
    np.testing.assert_array_equal(ours.images[ours.materials[0].base_color_texture.image].pixels[..., :3],
                                  pixels[..., :3])
    plain = GltfBuilder()
    plain.scene(plain.node(mesh=plain.mesh(plain.primitive(positions, indices))))
    untouched = plain.write_glb(tmp_path / "plain.glb")
    assert blender_input(untouched, tmp_path / "blender") == untouched


def test_the_neutral_reference_gets_the_product_looks_exposure(tmp_path):
    """`run.py --neutral-reference` has Cycles expose the panorama as the product look's calibration
    does: a uniform sky of radiance 4 gives every surface an irradiance of 4 pi, which the
    calibration brings to pi, two stops down."""
    import cv2
    from run import product_exposure

    hdr = tmp_path / "uniform.hdr"
    cv2.imwrite(str(hdr), np.full((64, 128, 3), 4.0, np.float32))
    assert product_exposure(hdr) == pytest.approx(-2.0, abs=1e-3)
