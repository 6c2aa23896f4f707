"""A user's panorama lights and reflects the model the way Blender, three.js and the Khronos viewers
show it: column u = 0.5 of the equirect faces +X, u = 0.75 faces +Z (the front), row 0 the zenith.

A marker panorama (red at +X, green at +Z, blue at -X, white at the zenith) seen in a mirror sphere
from the front camera: green in the middle, red to the right (+X is screen right), blue to the left,
white above. A mirrored panorama swaps red and blue.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from dxgl_engine.lighting.equirect import directions, sample_equirect
from dxgl_engine.load.formats import load_model
from dxgl_engine.pipeline.timeline import Timeline
from dxgl_engine.render_files import RenderFiles
from dxgl_engine.settings import Settings
from tests.gltf_builder import UNSIGNED_INT, GltfBuilder, uv_sphere

MARKERS = {"red": ([1, 0, 0], [6, 0, 0]), "green": ([0, 0, 1], [0, 6, 0]), "blue": ([-1, 0, 0], [0, 0, 6]),
           "white": ([0, 1, 0], [3, 3, 3])}  # fmt: skip


def _marker_panorama(path, width: int = 512) -> None:
    """The convention written out independently of the engine: u = 0.5 + atan2(z, x) / 2 pi."""
    u = (np.arange(width) + 0.5) / width
    v = (np.arange(width // 2) + 0.5) / (width // 2)
    phi, el = np.meshgrid((u - 0.5) * 2 * np.pi, (0.5 - v) * np.pi)
    d = np.stack([np.cos(phi) * np.cos(el), np.sin(el), np.sin(phi) * np.cos(el)], -1)
    img = np.full(d.shape, 0.25, np.float32)
    for direction, colour in MARKERS.values():
        img += np.exp(-(1 - d @ np.asarray(direction, float)) / 0.06)[..., None] * np.asarray(colour, np.float32)
    assert cv2.imwrite(str(path), img[..., ::-1])


def _mirror_sphere(path) -> None:
    b = GltfBuilder()
    positions, _, indices = uv_sphere(48, 96)
    mirror = b.material(pbrMetallicRoughness={"baseColorFactor": [1, 1, 1, 1], "metallicFactor": 1.0,
                                              "roughnessFactor": 0.05})
    b.scene(b.node(mesh=b.mesh(b.primitive(positions, indices, material=mirror, index_type=UNSIGNED_INT,
                                           NORMAL=positions))))
    b.write_glb(path)


def _where(frame: np.ndarray, channel: int) -> tuple[float, float]:
    """(column, row) centroid of the pixels where `channel` clearly dominates, in pixels from the
    sphere's centre (the frame's centre: the model is framed around it)."""
    rgb = frame[..., :3].astype(int)
    others = np.delete(rgb, channel, axis=-1).max(-1)
    rows, cols = np.nonzero(rgb[..., channel] > others + 60)
    assert len(rows) > 10, f"channel {channel} is nowhere"
    h, w = frame.shape[:2]
    return cols.mean() - w / 2, rows.mean() - h / 2


def _render(model, hdr) -> np.ndarray:
    settings = Settings.from_json({"shadows": False, "length": 3})
    return Timeline(load_model(model), settings, (240, 240), files=RenderFiles(environment=str(hdr))).frame(0, None)


def test_equirect_directions_follow_the_shared_layout():
    _, _, d = directions(8, 4)
    c, s = np.cos(np.pi / 8), np.sin(np.pi / 8)  # texel (row 1, column 4): azimuth and elevation pi / 8
    np.testing.assert_allclose(d[1, 4], [c * c, s, s * c], atol=1e-9)
    column_faces = {0: [-1, 0, 0], 2: [0, 0, -1], 4: [1, 0, 0], 6: [0, 0, 1]}  # u = 0, 0.25, 0.5, 0.75
    _, _, fine = directions(8 * 64, 2)
    for k, facing in column_faces.items():
        np.testing.assert_allclose(fine[0, k * 64] * [1, 0, 1] / np.cos(np.pi / 4), facing, atol=0.01)
    panorama = np.zeros((64, 128, 3), np.float32)
    panorama[:, 96] = 1.0  # the column at u = 0.75
    assert sample_equirect(panorama, np.array([[[0.0, 0.0, 1.0]]])).ravel()[0] > 0.4  # +Z reads it
    assert sample_equirect(panorama, np.array([[[1.0, 0.0, 0.0]]])).ravel()[0] == 0.0


def test_a_mirror_sphere_shows_the_markers_where_the_convention_puts_them(tmp_path, gl):
    _marker_panorama(tmp_path / "markers.hdr")
    _mirror_sphere(tmp_path / "mirror.glb")
    frame = _render(tmp_path / "mirror.glb", tmp_path / "markers.hdr")
    red_x, _ = _where(frame, 0)
    green_x, green_y = _where(frame, 1)
    blue_x, _ = _where(frame, 2)
    assert red_x > 25 and blue_x < -25, (red_x, blue_x)  # +X on the right, -X on the left
    assert abs(green_x) < 15 and abs(green_y) < 30, (green_x, green_y)  # +Z faces the camera
    white = frame[..., :3].astype(int).min(-1) > 200
    rows = np.nonzero(white)[0]
    assert len(rows) and rows.mean() < frame.shape[0] / 2  # the zenith above


@pytest.mark.shared_assets
def test_the_fidelity_orientation_kit(shared_assets, gl):
    """The same check with ../shared/fidelity/orientation's panorama and sphere."""
    kit = shared_assets.parent / "fidelity" / "orientation"
    if not kit.is_dir():
        pytest.skip(f"{kit} is absent")
    frame = _render(kit / "mirror_sphere.glb", kit / "markers.hdr")
    assert _where(frame, 0)[0] > 25 and _where(frame, 2)[0] < -25
