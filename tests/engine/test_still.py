"""render_still: a picture from any camera in the model's coordinates, with the look's modes."""
from __future__ import annotations

import numpy as np
import pytest

import dxgl_engine
from dxgl_engine.lighting.look import Look
from tests.gltf_builder import GltfBuilder, cube_corners


@pytest.fixture
def cube(tmp_path):
    b = GltfBuilder()
    positions, indices = cube_corners()
    b.simple_model(positions, indices)
    return dxgl_engine.load_model(b.write_glb(tmp_path / "cube.glb"))


def test_the_camera_sees_the_model_where_it_points(cube, gl):
    """A cube of side 2 at the origin, seen from 6 units with a 45 degree field: it covers about
    tan-projected 2 / (2 * 5 * tan(22.5)) of the frame's height, centred; aimed elsewhere, nothing."""
    frame = dxgl_engine.render_still(cube, dxgl_engine.Camera((0, 0, 6), (0, 0, 0), 45.0), 96, 96)
    rows, cols = np.nonzero(frame[..., 3] > 127)
    assert abs(rows.mean() - 47.5) < 1 and abs(cols.mean() - 47.5) < 1
    expected = 96 * 2 / (2 * 5 * np.tan(np.radians(22.5)))
    assert abs((rows.max() - rows.min() + 1) - expected) < 3
    away = dxgl_engine.render_still(cube, dxgl_engine.Camera((0, 0, 6), (0, 10, 0), 45.0), 96, 96)
    assert away[..., 3].max() == 0


def test_reference_mode_keeps_the_panoramas_units(cube, gl, tmp_path):
    """A uniform panorama of radiance 0.25: uncalibrated, a white matte cube reflects 0.25 (sRGB
    137) through no tone curve; the product look calibrates it to show white's base colour."""
    import cv2

    hdr = tmp_path / "grey.hdr"
    cv2.imwrite(str(hdr), np.full((32, 64, 3), 0.25, np.float32))
    camera = dxgl_engine.Camera((3, 2, 4), (0, 0, 0), 40.0)
    raw = dxgl_engine.render_still(cube, camera, 64, 64, look=Look(str(hdr), tone_mapping="none", calibrated=False))
    product = dxgl_engine.render_still(cube, camera, 64, 64, look=Look(str(hdr)))
    inside = raw[..., 3] == 255
    assert abs(np.median(raw[inside][:, :3]) - 137) <= 3
    assert np.median(product[inside][:, :3]) > 200


def test_unknown_tone_mapping_is_refused():
    with pytest.raises(ValueError, match="tone_mapping must be one of neutral, aces, none"):
        Look(tone_mapping="filmic")
