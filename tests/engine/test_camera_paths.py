"""Camera effects as pure math: end poses, loops, speed profiles and ranges."""
import numpy as np
import pytest

from dxgl_engine.motion import camera_paths
from dxgl_engine.motion.camera_paths import CAMERA_PATHS, dataset_directions, frame_times, loops, shot_at, trapezoid
from dxgl_engine.settings import EFFECTS, Settings

TS = np.linspace(0.0, 1.0, 2001)


def az(settings, ts=TS):
    return np.array([shot_at(settings, t).azimuth for t in ts])


def test_every_reference_effect_is_registered():
    assert set(EFFECTS) == set(CAMERA_PATHS)


@pytest.mark.parametrize("rotate_y", [0, 45, -170])
@pytest.mark.parametrize("easing", [True, False])
def test_turntable_sweeps_exactly_and_loops(rotate_y, easing):
    s = Settings.from_json({"rotateY": rotate_y, "easing": easing})
    a = az(s)
    assert a[0] == pytest.approx(rotate_y) and a[-1] - a[0] == pytest.approx(360.0)
    assert loops(s)
    n = s.frame_count
    times = frame_times(n, True)
    # the frame after the last one is t = 1, whose pose equals frame 0's
    assert times[-1] + 1.0 / n == pytest.approx(1.0)
    assert (shot_at(s, 1.0).azimuth - shot_at(s, times[0]).azimuth) % 360.0 == pytest.approx(0.0, abs=1e-9)
    custom = Settings.from_json({"sweepAngle": 90, "rotateY": rotate_y})
    assert az(custom)[-1] - az(custom)[0] == pytest.approx(90.0) and not loops(custom)


@pytest.mark.parametrize("ratio", [0.0, 0.3, 0.6, 1.0])
@pytest.mark.parametrize("easing", [True, False])
def test_hero_spin_lands_on_the_front_and_stops(ratio, easing):
    s = Settings.from_json({"effect": "hero-spin", "rotateY": 30, "easeOutRatio": ratio, "easing": easing})
    a = az(s)
    assert a[-1] == pytest.approx(30.0)  # the front: where a turntable with the same rotateY starts
    assert a[-1] - a[0] == pytest.approx(540.0)
    assert np.all(np.diff(a) >= -1e-9), "spins one way"
    velocity = np.gradient(a, TS)
    if ratio > 0:
        assert abs(velocity[-1]) < 1e-3 * abs(velocity).max() + 1e-6  # zero angular velocity at the end
        assert velocity[len(TS) // 10] > velocity[-50]  # fast first, decelerating
    assert not loops(s)
    assert frame_times(10, loops(s))[-1] == 1.0  # the last frame is the end pose itself


def test_trapezoid_profile():
    for up, down in [(0, 0), (0.15, 0.6), (0.0, 1.0), (0.5, 0.5)]:
        p = np.array([trapezoid(t, up, down) for t in TS])
        assert p[0] == pytest.approx(0.0) and p[-1] == pytest.approx(1.0)
        assert np.all(np.diff(p) >= -1e-12)


@pytest.mark.parametrize("amplitude", [5, 60, 180])
def test_showcase_stays_within_amplitude(amplitude):
    s = Settings.from_json({"effect": "showcase", "amplitude": amplitude, "rotateY": -20})
    a = az(s) - (-20)
    assert np.all(np.abs(a) <= amplitude + 1e-9)
    assert a.max() == pytest.approx(amplitude, rel=1e-4) and a.min() == pytest.approx(-amplitude, rel=1e-4)
    assert a[0] == pytest.approx(0.0) and a[-1] == pytest.approx(0.0, abs=1e-9) and loops(s)


@pytest.mark.parametrize("start,end", [(1.0, 0.7), (0.5, 2.5), (3.0, 0.1)])
def test_zoom_orbit_distance_is_monotonic(start, end):
    s = Settings.from_json({"effect": "zoom-orbit", "zoomStart": start, "zoomEnd": end})
    d = np.array([shot_at(s, t).distance for t in TS])
    assert d[0] == pytest.approx(start) and d[-1] == pytest.approx(end)
    steps = np.diff(d) * np.sign(end - start)
    assert np.all(steps >= -1e-12)
    assert az(s)[-1] - az(s)[0] == pytest.approx(360.0)


@pytest.mark.parametrize("scale_from", [0.0, 0.4, 1.0])
def test_reveal_scales_from_scale_from_to_one_while_turning(scale_from):
    s = Settings.from_json({"effect": "reveal", "scaleFrom": scale_from})
    scale = np.array([shot_at(s, t).model_scale for t in TS])
    assert scale[0] == pytest.approx(scale_from) and scale[-1] == pytest.approx(1.0)
    assert np.all(np.diff(scale) >= -1e-12)
    assert az(s)[-1] - az(s)[0] == pytest.approx(180.0)


@pytest.mark.parametrize("effect", ["turntable", "hero-spin", "showcase", "zoom-orbit", "reveal"])
def test_easing_changes_speed_not_end_points(effect):
    on = Settings.from_json({"effect": effect, "easing": True})
    off = Settings.from_json({"effect": effect, "easing": False})
    for t in (0.0, 1.0):
        a, b = shot_at(on, t), shot_at(off, t)
        assert (a.azimuth, a.distance, a.model_scale) == pytest.approx((b.azimuth, b.distance, b.model_scale))
    profile_on, profile_off = az(on), az(off)
    assert np.abs(profile_on - profile_off).max() > 1.0


def test_rotate_y_turns_the_camera_not_the_model():
    a, b = Settings.from_json({"rotateY": 0}), Settings.from_json({"rotateY": 90})
    assert shot_at(b, 0.0).azimuth - shot_at(a, 0.0).azimuth == pytest.approx(90.0)
    assert shot_at(b, 0.0).model_scale == 1.0


@pytest.mark.parametrize("coverage,views", [("hemisphere", 100), ("sphere", 196)])
def test_dataset_directions_spread_evenly(coverage, views):
    d = dataset_directions(views, coverage)
    assert d.shape == (views, 3) and np.allclose(np.linalg.norm(d, axis=1), 1.0)
    if coverage == "hemisphere":
        assert d[:, 1].min() > 0.0
    else:
        assert d[:, 1].min() < -0.9 and d[:, 1].max() > 0.9
    cos = d @ d.T - 2 * np.eye(views)
    nearest = np.degrees(np.arccos(np.clip(cos.max(1), -1, 1)))
    assert nearest.max() / nearest.min() < 2.5  # no clumps, no holes
    s = Settings.from_json({"effect": "dataset", "coverage": coverage,
                            "datasetQuality": "100x800" if views == 100 else "196x1024"})
    assert len(camera_paths.sample_shots(s)) == views
