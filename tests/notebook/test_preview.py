"""The live preview: renders the frame at t in-process, follows settings (debounced on the
kernel's event loop), rebuilds its Timeline only when what is drawn changes, plays fast frames."""
from __future__ import annotations

import asyncio

import numpy as np
import pytest

from dxgl_gui.notebook.preview import SETTINGS_DEBOUNCE_S

pytestmark = pytest.mark.gl


def test_the_first_frame_is_shown_at_the_preview_size(widget):
    assert widget.preview.renders == 1
    assert widget.preview.frame.shape == (270, 480, 4)
    assert widget.preview.image.value[:2] == b"\xff\xd8"  # a JPEG


def test_a_setting_changes_the_preview(widget):
    before, frame = widget.preview.image.value, widget.preview.frame.copy()
    widget.form.controls["zoom"].input.value = 1.6  # the camera moves away
    assert widget.preview.image.value != before and widget.preview.renders == 2
    assert (widget.preview.frame[..., 3] > 0).sum() == pytest.approx((frame[..., 3] > 0).sum(), rel=0.01)
    assert not np.array_equal(widget.preview.frame, frame)


def test_a_material_variant_repaints_the_preview(variants_scene):
    from dxgl_gui.notebook import SettingsWidget

    widget = SettingsWidget(variants_scene)
    grey, builds = widget.preview.frame.copy(), widget.preview.cache.builds
    widget.form.controls["materialVariant"].input.value = "Red"
    red = widget.preview.frame
    assert widget.preview.cache.builds == builds + 1  # what is drawn changed: a new Timeline
    changed = np.abs(red.astype(int) - grey.astype(int))[..., :3].max(axis=-1) > 30  # the cube's pixels
    assert 0.02 < changed.mean() < 0.5
    (r, g, b), (r0, g0, b0) = red[changed][:, :3].mean(0), grey[changed][:, :3].mean(0)
    assert r - b > 60 and r - g > 60 and abs(r0 - b0) < 10, ((r, g, b), (r0, g0, b0))


def test_moving_t_renders_that_moment(widget):
    widget.set(effect="showcase")
    first = widget.preview.frame.copy()
    widget.preview.t.value = 0.25
    assert not np.array_equal(widget.preview.frame, first)
    assert widget.preview.time_label.value == "1.50 s / 6 s"  # a quarter of the default length
    widget.preview.t.value = 0.0
    assert np.array_equal(widget.preview.frame, first)  # any t, in any order, the same frame


def test_backdrop_and_tier_changes_reuse_the_clip_others_rebuild_it(widget):
    cache = widget.preview.cache
    builds = cache.builds
    widget.set(bgColor="#ff0000")
    assert tuple(widget.preview.frame[2, 2, :3]) == (255, 0, 0)
    widget.set(quality="standard", vignette=0.5)
    assert cache.builds == builds  # what the pipeline shares between jobs: only a new backdrop
    widget.set(exposure=2.0)
    assert cache.builds == builds + 1
    widget.set(aspect="1:1")
    assert cache.builds == builds + 2 and widget.preview.frame.shape == (480, 480, 4)


def test_dataset_settings_preview_the_dataset_cameras(widget):
    widget.set(output="dataset")
    assert widget.preview.frame.shape == (480, 480, 4)


def test_play_draws_fast_frames_and_the_exact_one_at_rest(widget):
    preview = widget.preview
    preview.play.playing = True
    preview.play.value = 60
    assert preview.t.value == pytest.approx(60 / (widget.value.frame_count - 1))
    assert "fast" in preview.status.value
    fast = preview.frame.copy()
    preview.play.playing = False
    assert "exact" in preview.status.value and not np.array_equal(preview.frame, fast)


def test_settings_changes_are_debounced_on_the_event_loop(widget):
    """In a kernel, widget callbacks run on its event loop: a burst of edits renders once."""

    async def burst():
        renders = widget.preview.renders
        for zoom in (1.1, 1.2, 1.3, 1.4):
            widget.form.controls["zoom"].input.value = zoom
        assert widget.preview.pending and widget.preview.renders == renders
        await asyncio.sleep(SETTINGS_DEBOUNCE_S * 3)
        assert not widget.preview.pending and widget.preview.renders == renders + 1
        widget.set(zoom=0.8)
        widget.flush()  # a cell that needs the frame now
        assert widget.preview.renders == renders + 2

    asyncio.run(burst())
