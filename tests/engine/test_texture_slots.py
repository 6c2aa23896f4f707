"""How a material's texture slots reach the shader: an occlusion texture of its own packed into the
metallic-roughness texture's unused red channel (one fetch for both) where the two sample alike,
and the KHR_texture_transform product compiled in only for items that have a transform. Both are
speed-ups that must not change a pixel."""
from __future__ import annotations

import numpy as np
import pytest

from dxgl_engine import load_model
from dxgl_engine.pipeline.timeline import Timeline
from dxgl_engine.settings import Settings
from tests.gltf_builder import GltfBuilder, uv_sphere

pytestmark = pytest.mark.gl
SIZE = (160, 160)


def stripes(size: int, channel: int, period: int) -> np.ndarray:
    """(size, size, 4) uint8: `channel` ramps with a period of `period` texels, the others differ too."""
    y, x = np.mgrid[0:size, 0:size]
    img = np.zeros((size, size, 4), np.uint8)
    img[..., 0] = (x * 7 + y * 3) % 256
    img[..., 1] = 60 + (y * 11) % 160
    img[..., 2] = (x * 5) % 256
    img[..., 3] = 255
    img[..., channel] = 40 + ((x + y) % period) * (200 // period)
    return img


def sphere(tmp_path, images: list[np.ndarray], mr: int, occlusion: int, transform: dict | None = None):
    """A metal-ish sphere whose metallicRoughnessTexture is image `mr` and occlusionTexture image
    `occlusion` (textures share one sampler; `transform` goes on the occlusion texture's info)."""
    b = GltfBuilder()
    for pixels in images:
        b.texture(b.image(pixels))
    occ_info = {"index": occlusion, "strength": 1.0}
    if transform is not None:
        b.use_extension("KHR_texture_transform")
        occ_info["extensions"] = {"KHR_texture_transform": transform}
    material = b.material(pbrMetallicRoughness={"baseColorFactor": [0.8, 0.5, 0.3, 1.0], "metallicFactor": 1.0,
                                                "roughnessFactor": 1.0, "metallicRoughnessTexture": {"index": mr}},
                          occlusionTexture=occ_info)  # fmt: skip
    positions, texcoords, indices = uv_sphere()
    b.simple_model(positions, indices, material=material, NORMAL=positions, TEXCOORD_0=texcoords)
    return load_model(b.write_glb(tmp_path / f"sphere{len(list(tmp_path.iterdir()))}.glb"))


def timeline(scene) -> Timeline:
    return Timeline(scene, Settings.from_json({"shadows": False, "environment": "neutral"}), SIZE)


def test_a_separate_occlusion_texture_renders_exactly_as_an_orm_texture(gl, tmp_path):
    mr, occ = stripes(64, 1, 8), stripes(64, 0, 5)
    orm = mr.copy()
    orm[..., 0] = occ[..., 0]
    separate = timeline(sphere(tmp_path, [mr, occ], mr=0, occlusion=1))
    packed = timeline(sphere(tmp_path, [orm], mr=0, occlusion=0))
    item = separate.renderer.meshes.gpu.items[0]
    assert "OCCLUSION_IN_MR" in item.features and "TEX_OCCLUSION" not in item.features
    assert item.textures["mr"][0] is item.textures["occlusion"][0]
    a, b = separate.frame_at(0.0, None), packed.frame_at(0.0, None)
    assert (a[..., 3] > 0).mean() > 0.2
    assert np.array_equal(a, b)


def test_an_occlusion_texture_that_samples_differently_keeps_its_own_slot(gl, tmp_path):
    mr = stripes(64, 1, 8)
    for images, transform in (([mr, stripes(32, 0, 5)], None),  # another size
                              ([mr, stripes(64, 0, 5)], {"scale": [2.0, 2.0]})):  # another transform
        item = timeline(sphere(tmp_path, images, mr=0, occlusion=1, transform=transform)).renderer.meshes.gpu.items[0]
        assert "TEX_OCCLUSION" in item.features and "OCCLUSION_IN_MR" not in item.features
        assert item.textures["mr"][0] is not item.textures["occlusion"][0]
        assert ("UV_TRANSFORMS" in item.features) == (transform is not None)
