"""KHR_materials_sheen as the extension defines it: the Charlie lobe's directional albedo, the base
scaled by what the sheen reflects, and the sheen textures."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

import dxgl_engine
from dxgl_engine.lighting.ibl import sheen_albedo_table
from dxgl_engine.lighting.look import Look
from tests.gltf_builder import UNSIGNED_INT, GltfBuilder, uv_sphere


def test_the_sheen_albedo_table_is_a_directional_albedo():
    """Between 0 and 1; growing towards grazing angles and with roughness at normal incidence,
    as the Charlie lobe does (its peak leans to grazing)."""
    e = sheen_albedo_table()
    assert e.shape == (32, 32) and e.min() >= 0 and e.max() <= 1
    assert (np.diff(e[16:, :], axis=1) < 1e-6).all()  # rough rows fall from grazing to normal incidence
    assert e[-1, -1] > e[16, -1] > e[4, -1]
    assert 0.1 < e[-1, -1] < 0.25  # fully rough at normal incidence (about 0.14)


def _sphere(tmp_path, name, sheen: dict | None, base=(1.0, 1.0, 1.0)):
    b = GltfBuilder()
    positions, texcoords, indices = uv_sphere(32, 64)
    extensions = {}
    if sheen is not None:
        b.use_extension("KHR_materials_sheen")
        for key, value in list(sheen.items()):
            if key.endswith("Texture"):  # a one-texel texture of that RGBA
                sheen[key] = {"index": b.texture(b.image(np.array([[value]], np.uint8)))}
        extensions["KHR_materials_sheen"] = sheen
    material = b.material(pbrMetallicRoughness={"baseColorFactor": [*base, 1.0], "metallicFactor": 0.0,
                                                "roughnessFactor": 1.0}, extensions=extensions)
    b.scene(b.node(mesh=b.mesh(b.primitive(positions, indices, material=material, index_type=UNSIGNED_INT,
                                           NORMAL=positions, TEXCOORD_0=texcoords))))
    return dxgl_engine.load_model(b.write_glb(tmp_path / f"{name}.glb"))


@pytest.fixture
def furnace(tmp_path):
    path = tmp_path / "white.hdr"
    cv2.imwrite(str(path), np.full((32, 64, 3), 0.5, np.float32))
    return Look(str(path), tone_mapping="none", calibrated=False)


def _render(scene, look) -> np.ndarray:
    frame = dxgl_engine.render_still(scene, dxgl_engine.Camera((0, 0, 4), (0, 0, 0), 35.0), 96, 96, look=look)
    return frame


def test_sheen_conserves_energy_in_a_furnace(tmp_path, gl, furnace):
    """A white matte sphere under a uniform sky of 0.5 reflects 0.5 everywhere; with a white,
    fully rough sheen the base gives up exactly what the sheen reflects: still 0.5 (sRGB 188), rim
    included. (The earlier approximation added light at the rim.)"""
    plain = _render(_sphere(tmp_path, "plain", None), furnace)
    velvet = _render(_sphere(tmp_path, "velvet", {"sheenColorFactor": [1, 1, 1], "sheenRoughnessFactor": 1.0}),
                     furnace)
    inside = plain[..., 3] == 255
    assert abs(np.median(plain[inside][:, :3]) - 188) <= 2
    assert np.abs(velvet[inside][:, :3].astype(int) - plain[inside][:, :3]).max() <= 6


def test_a_coloured_sheen_tints_a_dark_base(tmp_path, gl, furnace):
    """A black base under a blue sheen reflects blue, most at the rim; sheenColorTexture's RGB and
    sheenRoughnessTexture's A multiply their factors (a black colour texture turns it off)."""
    blue = _render(_sphere(tmp_path, "blue", {"sheenColorFactor": [0.1, 0.2, 1.0], "sheenRoughnessFactor": 0.8},
                           base=(0, 0, 0)), furnace)
    inside = blue[..., 3] == 255
    rgb = blue[inside][:, :3].astype(int)
    assert np.median(rgb[:, 2] - rgb[:, 0]) > 20
    ys, xs = np.nonzero(inside)
    r = np.hypot(ys - ys.mean(), xs - xs.mean())
    assert blue[..., 2][inside][r > 0.8 * r.max()].mean() > blue[..., 2][inside][r < 0.3 * r.max()].mean() + 10
    off = _render(_sphere(tmp_path, "off", {"sheenColorFactor": [0.1, 0.2, 1.0], "sheenRoughnessFactor": 0.8,
                                            "sheenColorTexture": [0, 0, 0, 255]}, base=(0, 0, 0)), furnace)
    bare = _render(_sphere(tmp_path, "bare", None, base=(0, 0, 0)), furnace)  # its specular layer alone
    assert np.abs(off[inside][:, :3].astype(int) - bare[inside][:, :3]).max() <= 3
