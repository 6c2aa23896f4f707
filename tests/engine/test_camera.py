"""Framing math: the model stands on the floor, and the fitted distance keeps every point of the
model inside the frame for every shot of a path, tightly."""
import numpy as np
import pytest

from dxgl_engine.motion import camera_paths
from dxgl_engine.motion.camera import Shot
from dxgl_engine.motion.framing import FILL, fit, fov_y_for, model_placement
from dxgl_engine.settings import Settings
from dxgl_engine.scene.transforms import transform_points


def _ndc(framing, shot, pts, w, h):
    v = framing.view(shot, w, h)
    world = transform_points(v.model, pts)
    clip = np.c_[world, np.ones(len(world))] @ (v.proj @ v.view).T
    return clip[:, :3] / clip[:, 3:4]


@pytest.fixture
def tall_points():
    rng = np.random.default_rng(1)
    return rng.normal(size=(500, 3)) * (0.2, 1.5, 0.4) + (3.0, -2.0, 1.0)


@pytest.mark.parametrize("w,h", [(960, 540), (540, 540), (540, 960)])
def test_turntable_fit_keeps_every_point_inside_and_is_tight(tall_points, w, h):
    s = Settings()
    shots = camera_paths.sample_shots(s)
    framing = fit(tall_points, shots, w / h)
    worst = 0.0
    for shot in shots:
        ndc = _ndc(framing, shot, tall_points, w, h)
        assert np.all(np.abs(ndc[:, :2]) <= FILL + 1e-6)
        assert np.all(np.abs(ndc[:, 2]) < 1.0)  # between the near and far planes
        worst = max(worst, float(np.abs(ndc[:, :2]).max()))
    assert worst == pytest.approx(FILL, abs=1e-6)


def test_placement_centres_and_stands_on_floor(tall_points):
    for tilt, pan, roll in [(0, 0, 0), (45, 30, 0), (-90, 0, 180), (10, -120, 33)]:
        placed = transform_points(model_placement(tall_points, tilt, pan, roll), tall_points)
        lo, hi = placed.min(0), placed.max(0)
        assert lo[1] == pytest.approx(0.0, abs=1e-9)
        assert (lo[0] + hi[0]) / 2 == pytest.approx(0.0, abs=1e-9)
        assert (lo[2] + hi[2]) / 2 == pytest.approx(0.0, abs=1e-9)


def test_distance_multiplier_and_scale_are_considered(tall_points):
    near_end = [Shot(0.0, distance=1.0), Shot(0.0, distance=0.5)]
    f = fit(tall_points, near_end, 16 / 9)
    ndc = _ndc(f, near_end[1], tall_points, 960, 540)
    assert np.abs(ndc[:, :2]).max() <= FILL + 1e-6
    small = fit(tall_points, [Shot(0.0, model_scale=0.0), Shot(0.0, model_scale=1.0)], 16 / 9)
    assert small.distance == pytest.approx(fit(tall_points, [Shot(0.0)], 16 / 9).distance)


def test_fov_short_side():
    assert fov_y_for(16 / 9) == 30.0
    portrait = fov_y_for(9 / 16)
    assert np.degrees(2 * np.arctan(np.tan(np.radians(portrait) / 2) * 9 / 16)) == pytest.approx(30.0)


def test_turntable_effect_is_seamless_and_eased():
    s = Settings.from_json({"rotateY": 30})
    assert camera_paths.shot_at(s, 0.0).azimuth == pytest.approx(30.0)
    assert camera_paths.shot_at(s, 1.0).azimuth == pytest.approx(390.0)
    eased = [camera_paths.shot_at(s, t).azimuth for t in (0.0, 0.01, 0.5, 0.51)]
    linear = Settings.from_json({"rotateY": 30, "easing": False})
    lin = [camera_paths.shot_at(linear, t).azimuth for t in (0.0, 0.01, 0.5, 0.51)]
    assert eased[1] - eased[0] < lin[1] - lin[0]  # slow start
    assert eased[3] - eased[2] > lin[3] - lin[2]  # faster in the middle
    assert camera_paths.frame_times(4).tolist() == [0.0, 0.25, 0.5, 0.75]
