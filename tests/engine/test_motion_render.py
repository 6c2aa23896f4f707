"""Motion on rendered frames: effects land where they should and never timeline the model."""
import numpy as np
import pytest

from dxgl_engine import load_model
from dxgl_engine.pipeline.timeline import Timeline
from dxgl_engine.samples import sample_path
from dxgl_engine.settings import Settings

pytestmark = pytest.mark.gl
BG = (250, 250, 250)
SIZE = {"16:9": (128, 72), "1:1": (96, 96), "9:16": (72, 128)}


@pytest.fixture(scope="module")
def product(gl):
    return load_model(sample_path("product"))


def drawn(frame):
    return (frame[..., :3] != np.array(BG, np.uint8)).any(-1)


def assert_clear_of_border(frame, label):
    m = drawn(frame)
    assert m.any(), f"{label}: nothing drawn"
    assert not (m[0].any() or m[-1].any() or m[:, 0].any() or m[:, -1].any()), f"{label}: touches the border"


@pytest.mark.parametrize("rotate_y", [0, 70])
def test_hero_spin_ends_where_turntable_starts(product, rotate_y):
    size = (160, 90)
    hero = Timeline(product, Settings.from_json({"effect": "hero-spin", "rotateY": rotate_y, "length": 3}), size)
    turn = Timeline(product, Settings.from_json({"rotateY": rotate_y, "length": 3}), size)
    turn.framing = hero.framing  # both paths circle the model; share one camera distance
    last = hero.frame(hero.frame_count - 1, BG).astype(int)
    first = turn.frame(0, BG).astype(int)
    assert np.abs(last - first).mean() < 0.5


def test_reveal_from_zero_starts_empty(product):
    timeline = Timeline(product, Settings.from_json({"effect": "reveal", "scaleFrom": 0, "length": 3}), (128, 72))
    assert not drawn(timeline.frame(0, BG)).any()
    assert drawn(timeline.frame(timeline.frame_count - 1, BG)).sum() > 100
    half = Timeline(product, Settings.from_json({"effect": "reveal", "scaleFrom": 0.5, "length": 3}), (128, 72))
    assert 0 < drawn(half.frame(0, BG)).sum() < drawn(half.frame(half.frame_count - 1, BG)).sum()


@pytest.mark.parametrize("aspect", ["16:9", "1:1", "9:16"])
@pytest.mark.parametrize("effect", ["turntable", "hero-spin", "showcase", "zoom-orbit", "reveal"])
def test_no_frame_touches_the_border(product, effect, aspect):
    s = Settings.from_json({"effect": effect, "aspect": aspect, "length": 3, "tiltX": 20, "panX": 30})
    timeline = Timeline(product, s, SIZE[aspect])
    for i in np.linspace(0, timeline.frame_count - 1, 10).astype(int):
        frame = timeline.frame(int(i), BG)
        if effect == "reveal" and i == 0:
            continue  # scale 0: nothing to see yet
        assert_clear_of_border(frame, f"{effect} {aspect} frame {i}")


@pytest.mark.shared_assets
@pytest.mark.parametrize("effect", ["turntable", "showcase", "zoom-orbit"])
def test_animated_model_never_clipped(shared_assets, gl, effect):
    man = load_model(shared_assets / "khronos/CesiumMan/CesiumMan.glb")
    for aspect in ("16:9", "9:16"):
        s = Settings.from_json({"effect": effect, "aspect": aspect, "animation": "*", "length": 3})
        timeline = Timeline(man, s, SIZE[aspect])
        for i in range(0, timeline.frame_count, 6):
            assert_clear_of_border(timeline.frame(i, BG), f"CesiumMan {effect} {aspect} frame {i}")


def test_scrubbing_renders_any_frame_alone(product):
    s = Settings.from_json({"effect": "showcase", "length": 3})
    a = Timeline(product, s, (96, 54))
    b = Timeline(product, s, (96, 54))
    seq = [a.frame(i, BG) for i in range(0, 45)]
    assert np.array_equal(b.frame(44, BG), seq[-1])  # frame 44 straight away equals frame 44 in sequence
    assert np.array_equal(b.frame_at(b.path_time(44), BG), b.frame(44, BG))
    assert b.path_time(44) == pytest.approx(44 / 90)  # showcase loops: t = i / n
