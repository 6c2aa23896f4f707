"""Emission's units (glTF 2.0 emissiveFactor times KHR_materials_emissive_strength): radiance in
the environment's units. The extension gives the product candela per square metre "where a physical
light unit is needed" and lets real-time engines take 1.0 as a fully exposed pixel; dxgl does the
latter in the product look (whose calibrated environment makes a white matte surface facing the
camera reflect 1) and, in the reference look (the panorama's own radiance, no tone curve), the former
in a path tracer's terms: Blender's glTF importer sets Emission Strength to emissiveStrength, and in
tools/fidelity's DamagedHelmet the emissive parts match Cycles."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

import dxgl_engine
from dxgl_engine.lighting.look import Look
from tests.gltf_builder import UNSIGNED_INT, GltfBuilder, uv_sphere

pytestmark = pytest.mark.gl


def _glowing_sphere(tmp_path, factor: float, strength: float):
    """A black matte sphere emitting `factor` * `strength` in grey."""
    b = GltfBuilder()
    b.use_extension("KHR_materials_emissive_strength")
    positions, texcoords, indices = uv_sphere(32, 64)
    material = b.material(pbrMetallicRoughness={"baseColorFactor": [0, 0, 0, 1], "metallicFactor": 0.0,
                                                "roughnessFactor": 1.0}, emissiveFactor=[factor] * 3,
                          extensions={"KHR_materials_emissive_strength": {"emissiveStrength": strength}})
    b.scene(b.node(mesh=b.mesh(b.primitive(positions, indices, material=material, index_type=UNSIGNED_INT,
                                           NORMAL=positions, TEXCOORD_0=texcoords))))
    return dxgl_engine.load_model(b.write_glb(tmp_path / f"glow-{factor}-{strength}.glb"))


def _centre(tmp_path, look, factor, strength) -> float:
    """Linear grey at the sphere's centre, as displayed."""
    scene = _glowing_sphere(tmp_path, factor, strength)
    frame = dxgl_engine.render_still(scene, dxgl_engine.Camera((0, 0, 4), (0, 0, 0), 35.0), 64, 64, look=look)
    srgb = frame[28:36, 28:36, :3].mean() / 255.0
    return float(np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4))


def _neutral(x: float) -> float:
    """Khronos PBR Neutral of a grey x (the curve's specification, for grey input)."""
    x -= x - 6.25 * x * x if x < 0.08 else 0.04
    if x < 0.76:
        return x
    return 1.0 - 0.24**2 / (x + 0.24 - 0.76)


@pytest.fixture(scope="module")
def dim_sky(tmp_path_factory):
    path = tmp_path_factory.mktemp("sky") / "dim.hdr"
    cv2.imwrite(str(path), np.full((32, 64, 3), 0.001, np.float32))
    return path


@pytest.mark.parametrize("factor, strength", [(0.5, 1.0), (0.2, 2.5), (0.2, 10.0)])
def test_emission_is_radiance_in_the_environments_units(tmp_path, gl, dim_sky, factor, strength):
    """Reference look: emitted radiance factor * strength is the displayed value, clipped at 1 as
    Cycles' Standard view clips it. Product look (the sky calibrated to radiance 1, which a black
    dielectric reflects 0.041 of at normal incidence): the neutral curve of emission plus that
    reflection, so 1.0 of emission is a fully exposed pixel and more rolls off instead of clipping."""
    radiance = factor * strength
    reference = Look(str(dim_sky), tone_mapping="none", calibrated=False)
    assert _centre(tmp_path, reference, factor, strength) == pytest.approx(min(radiance, 1.0), abs=0.01)
    product = Look(str(dim_sky), tone_mapping="neutral", calibrated=True)
    assert _centre(tmp_path, product, factor, strength) == pytest.approx(_neutral(radiance + 0.041), abs=0.01)
