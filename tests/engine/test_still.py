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


def test_a_rough_metal_reflects_the_light_around_its_normal(cube, gl, tmp_path):
    """Under a sky lit above the horizon and black below, a fully rough white metal cube seen from
    above: its front face's mirror direction points at the black ground, but a rough lobe gathers
    the sky around the face's normal, as a path tracer shows (Cycles: the cube's faces as bright as
    its top's half). Looked up at the mirror direction the face came out black."""
    import cv2

    sky = np.zeros((64, 128, 3), np.float32)
    sky[:32] = 1.0
    hdr = tmp_path / "sky.hdr"
    cv2.imwrite(str(hdr), sky)
    look = Look(str(hdr), tone_mapping="none", calibrated=False)
    eye = np.array([0.0, 8.0, 3.5])  # the front face's mirror direction: 66 degrees below the horizon
    frame = dxgl_engine.render_still(cube, dxgl_engine.Camera(tuple(eye), (0, 0, 0), 40.0), 96, 96, look=look)
    from dxgl_engine.scene.transforms import look_at, perspective

    clip = perspective(40.0, 1.0, 1.0, 20.0) @ look_at(eye, np.zeros(3)) @ np.array([0.0, -0.5, 1.0, 1.0])
    x, y = (clip[:2] / clip[3] + 1) / 2 * 96
    front = frame[int(96 - y) - 1 : int(96 - y) + 2, int(x) - 2 : int(x) + 3, :3].astype(float).mean()
    # Irradiance of a horizontal normal under this sky: half of it, sRGB 188; at the mirror
    # direction's cosine lobe: 4 %, sRGB 58.
    assert front > 140, front
