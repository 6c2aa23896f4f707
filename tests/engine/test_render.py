"""Rendered frames: exact background, model present, centred, clear of the border, moving."""
import numpy as np
import pytest

from dxgl_engine.motion import camera_paths
from dxgl_engine import load_model
from dxgl_engine.pipeline.timeline import Timeline
from dxgl_engine.samples import sample_path
from dxgl_engine.settings import Settings

pytestmark = pytest.mark.gl

BG = (12, 200, 97)


def render_frames(scene, settings, times, size=None, background=BG):
    """Frames at effect times `times` (t in [0, 1])."""
    timeline = Timeline(scene, settings, size)
    return [timeline.frame_at(t, background) for t in times]


def coverage(frame, bg=BG):
    return np.any(frame[..., :3] != np.asarray(bg, np.uint8), axis=-1)


@pytest.fixture(scope="module")
def product(gl):
    return load_model(sample_path("product"))


@pytest.mark.parametrize("aspect", ["16:9", "1:1", "9:16"])
def test_sample_turntable_frames(product, aspect):
    s = Settings.from_json({"aspect": aspect})
    n = s.frame_count
    times = camera_paths.frame_times(n, camera_paths.loops(s))
    frames = render_frames(product, s, [times[0], times[n // 4], times[n // 2]])
    h, w = frames[0].shape[:2]
    assert (w, h) == s.size
    for f in frames:
        assert f.dtype == np.uint8 and f.shape == (h, w, 4)
        assert np.all(f[..., 3] == 255)
        for corner in (f[0, 0], f[0, -1], f[-1, 0], f[-1, -1]):
            assert tuple(corner[:3]) == BG
        mask = coverage(f)
        assert mask.mean() > 0.02, "model missing"
        # nothing touches the border: a two-pixel frame of pure background all round
        assert not mask[:2].any() and not mask[-2:].any() and not mask[:, :2].any() and not mask[:, -2:].any()
        ys, xs = np.nonzero(mask)
        cx, cy = (xs.min() + xs.max()) / 2 / w, (ys.min() + ys.max()) / 2 / h
        assert abs(cx - 0.5) < 0.08 and abs(cy - 0.5) < 0.1, (cx, cy)
    diff = np.abs(frames[0].astype(int) - frames[1].astype(int)).mean()
    assert diff > 1.0, "frame 0 and frame N/4 should differ"


def test_transparent_frames_carry_straight_alpha(product):
    s = Settings.from_json({"aspect": "1:1"})
    (f,) = render_frames(product, s, [0.0], size=(128, 128), background=None)
    assert f[0, 0, 3] == 0 and f[64, 64, 3] == 255
    edge = (f[..., 3] > 0) & (f[..., 3] < 255)
    assert edge.any(), "supersampled edges give partial alpha"
    assert np.all(f[f[..., 3] == 0][:, :3] == 0)


@pytest.mark.parametrize("hexcolor", ["#ffffff", "#000000", "#ff8800", "#0a141e"])
def test_background_exact(product, hexcolor):
    s = Settings.from_json({"bgColor": hexcolor, "aspect": "16:9"})
    (f,) = render_frames(product, s, [0.1], size=(160, 90), background=s.bg_rgb)
    assert tuple(f[0, 0, :3]) == s.bg_rgb and tuple(f[-1, -1, :3]) == s.bg_rgb


def test_rotate_y_changes_first_frame(product):
    a = render_frames(product, Settings.from_json({"rotateY": 0}), [0.0], size=(320, 180))[0]
    b = render_frames(product, Settings.from_json({"rotateY": 90}), [0.0], size=(320, 180))[0]
    assert np.abs(a.astype(int) - b.astype(int)).mean() > 0.3


def test_shared_models_render(shared_model_paths, gl):
    """Every loadable third-party model draws something, centred, clear of the border."""
    s = Settings.from_json({"aspect": "16:9"})
    for path in shared_model_paths:
        scene = load_model(path)
        (f,) = render_frames(scene, s, [0.0], size=(192, 108))
        mask = coverage(f)
        assert mask.sum() > 30, f"{path.name}: nothing drawn"
        assert not mask[0].any() and not mask[-1].any() and not mask[:, 0].any() and not mask[:, -1].any(), path.name


def test_tiles_render_the_same_frame(product):
    """Past the GL size limit the frame is drawn in tiles; the result is the same picture."""
    from dxgl_engine.render.backdrop import Backdrop
    from dxgl_engine.render.tiles import plan_tiles

    s = Settings.from_json({"reflector": True, "vignette": 0.5})
    whole = Timeline(product, s, (320, 180))
    tiled = Timeline(product, s, (320, 180))
    tiled.renderer.max_target = 256  # 640x360 supersampled: 3 x 2 tiles
    tiled.renderer.resize(320, 180, ssaa=1)
    tiled.renderer.resize(320, 180, ssaa=2)
    assert len(tiled.renderer.tiles) == 6
    b = Backdrop(color=(40, 90, 160), vignette=0.5)
    a, t = whole.frame_at(0.2, b).astype(int), tiled.frame_at(0.2, b).astype(int)
    assert np.abs(a - t).mean() < 0.5 and np.abs(a - t).max() < 40
    tiles = plan_tiles(3840, 2160, 2, 4096)
    assert sum(x.w * x.h for x in tiles) == 3840 * 2160 and max(x.w for x in tiles) * 2 <= 4096
    assert all(x.x % 8 == 0 and x.y % 8 == 0 for x in tiles)


def test_reduced_variants_come_from_the_same_draw(product):
    from dxgl_engine.encode.images import resize

    timeline = Timeline(product, Settings(), (320, 180))
    full, half, quarter = timeline.frames(0, [(BG, 0), (BG, 1), (BG, 2)])
    assert full.shape == (180, 320, 4) and half.shape == (90, 160, 4) and quarter.shape == (45, 80, 4)
    assert np.abs(resize(full, 160, 90).astype(int) - half.astype(int)).mean() < 2.0
    assert np.abs(resize(full, 80, 45).astype(int) - quarter.astype(int)).mean() < 2.5


def test_many_backdrops_in_one_pass_match_one_at_a_time(product, monkeypatch):
    """render_many writes up to four composites per pass (one per colour attachment); each must be
    exactly what a pass of its own gives, at every level, past four, and in tiles."""
    from dxgl_engine.render.backdrop import Backdrop
    from dxgl_engine.render.passes.compose import MAX_COMPOSITES, ComposePass

    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (50, 70, 3), np.uint8)
    overlay = np.zeros((40, 40, 4), np.uint8)
    overlay[5:15, 5:15] = (250, 10, 10, 255)
    backdrops = [Backdrop(color=(255, 255, 255)), None, Backdrop(color=(20, 40, 200), vignette=0.7),
                 Backdrop(image=image, anchor="bottom-right"), Backdrop(color=(0, 0, 0), foreground=overlay),
                 (200, 120, 30)]  # fmt: skip
    outputs = [(b, 0) for b in backdrops] + [(backdrops[0], 1), (None, 2), (backdrops[3], 1)]
    timeline = Timeline(product, Settings.from_json({"aspect": "16:9"}), (320, 180))
    view = timeline.framing.view(camera_paths.shot_at(timeline.settings, 0.2), 320, 180, 1.0)
    together = timeline.renderer.render_many(view, outputs)
    passes = []
    original = ComposePass.draw
    monkeypatch.setattr(ComposePass, "draw",
                        lambda self, frame, target: passes.append(len(target.backdrops)) or original(self, frame, target))
    alone = [timeline.renderer.render_many(view, [o])[0] for o in outputs]
    assert len(passes) == len(outputs) and set(passes) == {1}
    for (b, level), a, b_alone in zip(outputs, together, alone):
        assert a.shape == (180 >> level, 320 >> level, 4)
        assert np.array_equal(a, b_alone), (b, level)
    assert together[0][0, 0, :3].tolist() == [255, 255, 255] and together[1][0, 0, 3] == 0
    assert together[5][0, 0, :3].tolist() == [200, 120, 30]

    passes.clear()
    monkeypatch.setattr(timeline.renderer, "max_target", 256)  # 640x360 supersampled: tiles of <= 128 px
    timeline.renderer.width = 0
    timeline.renderer.resize(320, 180)
    assert len(timeline.renderer.tiles) > 1
    tiled = timeline.renderer.render_many(view, outputs)
    assert max(passes) == MAX_COMPOSITES
    for a, t in zip(together, tiled):
        assert np.abs(a.astype(int) - t.astype(int)).max() <= 1


PLATE_VERTEX = """#version 330
in vec2 a_position;
void main() { gl_Position = vec4(a_position, 0.5, 1.0); }
"""
PLATE_FRAGMENT = """#version 330
out vec4 frag_color;
void main() { frag_color = vec4(0.0, 1.0, 0.0, 1.0); }
"""


def test_a_new_pass_is_one_class_and_one_entry(product, monkeypatch):
    """A RenderPass subclass listed in SCENE_PASSES is built with the others, prepared once per frame,
    drawn once per tile into the supersampled target, in its place in the order (here first: the
    model covers it), and its pixels reach the output through the compose pass."""
    from vispy import gloo

    from dxgl_engine.render import renderer
    from dxgl_engine.render.passes.base import RenderPass

    calls = []

    class Backplate(RenderPass):
        """Fills the target with opaque green before anything else is drawn."""

        def __init__(self, setup):
            super().__init__(setup)
            self.program = gloo.Program(PLATE_VERTEX, PLATE_FRAGMENT)
            self.program["a_position"] = np.array([[-1, -1], [3, -1], [-1, 3]], np.float32)

        def prepare(self, frame):
            calls.append("prepare")

        def draw(self, frame, target):
            calls.append(target.tile)
            gloo.set_state(depth_test=False, blend=False, cull_face=False)
            self.program.draw("triangles")

    monkeypatch.setattr(renderer, "SCENE_PASSES", (Backplate, *renderer.SCENE_PASSES))
    timeline = Timeline(product, Settings.from_json({"shadows": False}), (160, 90))
    frame = timeline.frame(0)  # transparent output: only the plate makes the corners opaque
    assert frame[0, 0].tolist() == [0, 255, 0, 255] and frame[-1, -1].tolist() == [0, 255, 0, 255]
    centre = frame[40:50, 75:85, :3].reshape(-1, 3)
    assert (np.abs(centre.astype(int) - (0, 255, 0)).sum(1) > 60).mean() > 0.9, "the model is drawn over the plate"
    assert calls == ["prepare", timeline.renderer.tiles[0]]

    calls.clear()
    monkeypatch.setattr(timeline.renderer, "max_target", 128)  # 320x180 supersampled: tiles of <= 64 px
    timeline.renderer.width = 0
    timeline.renderer.resize(160, 90)
    tiled = timeline.frame(0)
    assert calls[0] == "prepare" and calls[1:] == timeline.renderer.tiles and len(calls) > 2
    assert np.abs(tiled.astype(int) - frame.astype(int)).max() <= 1
