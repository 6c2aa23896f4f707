"""The drawn region: a frame cleared, drawn and reduced only where its passes can draw, with the
same picture as a frame drawn whole."""
import numpy as np
import pytest

from dxgl_engine import load_model
from dxgl_engine.pipeline.timeline import Timeline
from dxgl_engine.render.backdrop import Backdrop
from dxgl_engine.render.region import drawn_region
from dxgl_engine.render.tiles import Tile
from dxgl_engine.samples import sample_path
from dxgl_engine.scene.transforms import look_at, perspective
from dxgl_engine.settings import Settings

CAMERA = perspective(40.0, 16 / 9, 0.1, 100.0) @ look_at(np.array([0.0, 0.0, 5.0]), np.zeros(3))
CUBE = np.array([[x, y, z] for x in (-0.5, 0.5) for y in (-0.5, 0.5) for z in (-0.5, 0.5)])


def project(points, width, height):
    clip = np.c_[points, np.ones(len(points))] @ CAMERA.T
    ndc = clip[:, :2] / clip[:, 3:]
    return (ndc[:, 0] + 1) / 2 * width, (1 - ndc[:, 1]) / 2 * height


def test_region_holds_the_projection_on_aligned_edges():
    region = drawn_region(CUBE, CAMERA, 960, 540, margin=2)
    x, y = project(CUBE, 960, 540)
    assert region.x <= x.min() - 2 and region.x + region.w >= x.max() + 2
    assert region.y <= y.min() - 2 and region.y + region.h >= y.max() + 2
    assert all(v % 8 == 0 for v in (region.x, region.y, region.w, region.h))
    assert region.w * region.h < 0.25 * 960 * 540  # a small object: a small region


def test_region_gives_up_where_it_cannot_help_or_cannot_bound():
    behind = np.vstack([CUBE, [[0.0, 0.0, 6.0]]])  # a point behind the camera: no finite projection
    assert drawn_region(behind, CAMERA, 960, 540) is None
    assert drawn_region(CUBE * 20, CAMERA, 960, 540) is None  # fills the frame: drawn whole
    assert drawn_region(CUBE + [40.0, 0.0, 0.0], CAMERA, 960, 540) == Tile(0, 0, 0, 0)  # wholly outside
    assert drawn_region(np.zeros((0, 3)), CAMERA, 960, 540) == Tile(0, 0, 0, 0)


@pytest.fixture(scope="module")
def product(gl):
    return load_model(sample_path("product"))


def whole_and_region(scene, settings, size=(480, 270)):
    """Two timelines of the same settings: one drawn in regions, one whole."""
    region, whole = Timeline(scene, settings, size), Timeline(scene, settings, size)
    whole.renderer._region = lambda frame, top: None
    return region, whole


@pytest.mark.gl
def test_frames_drawn_in_regions_match_whole_frames(product):
    """Shadow, reflection, vignette, a transparent output and a reduced one, over a turntable whose
    region moves (the target keeps older frames outside it: none of them may show). Drawn with the
    frame's own viewport and projection under a scissor, the pixels are the same, not close."""
    s = Settings.from_json({"reflector": True, "vignette": 0.4, "bgColor": "#204080"})
    region, whole = whole_and_region(product, s)
    used = []
    spy = region.renderer._region
    region.renderer._region = lambda frame, top: used.append(spy(frame, top)) or used[-1]
    outputs = [(Backdrop(color=(32, 64, 128), vignette=0.4), 0), (None, 0), ((255, 255, 255), 1)]
    for i in (0, 37, 90, 12):
        a, b = region.frames(i, outputs), whole.frames(i, outputs)
        for x, y in zip(a, b):
            assert np.array_equal(x, y), (i, np.abs(x.astype(int) - y).max())
    assert all(r is not None and 0 < r.w * r.h < 0.6 * 480 * 270 for r in used)


@pytest.mark.gl
def test_a_frame_with_nothing_drawn_is_backdrop(product):
    s = Settings.from_json({"bgColor": "#ffffff"})
    timeline = Timeline(product, s, (160, 90))
    timeline.renderer._region = lambda frame, top: Tile(0, 0, 0, 0)
    b = Backdrop(color=(10, 20, 30), vignette=0.5)
    expected, _ = whole_and_region(product, s, (160, 90))
    expected.renderer.passes = []  # nothing drawn at all
    assert np.array_equal(timeline.frames(0, [(b, 0)])[0], expected.frames(0, [(b, 0)])[0])
