"""The live preview: the frame at a chosen t, rendered in-process by the engine's `Timeline`, with a
play control to watch the motion.

A settings change re-renders once the edits pause (debounced); moving t renders at once. While
playing, frames are drawn without supersampling to keep up; at rest they are exact (the look and
compositing of the video, at the preview's size).
"""
from __future__ import annotations

import io
import logging
import time
from html import escape
from typing import Callable

import ipywidgets as W
import numpy as np
from PIL import Image

from dxgl_engine import (
    FPS,
    SSAA,
    Backdrop,
    DxglError,
    RenderFiles,
    Scene,
    Settings,
    Timeline,
    dataset_settings,
    fit_within,
    frame_key,
)

from .debounce import Debouncer
from .fields import ERROR_COLOR

log = logging.getLogger(__name__)

PREVIEW_LONG_SIDE = 480  # 480x270 at 16:9: a quarter of the share tier's pixels
SETTINGS_DEBOUNCE_S = 0.2
PLAY_INTERVAL_MS = 100  # ten preview frames a second...
PLAY_STEP = FPS // 10  # ...each three video frames apart: the motion at its real speed
JPEG_QUALITY = 90

ErrorFn = Callable[[DxglError], None]


def preview_size(settings: Settings) -> tuple[int, int]:
    """The output's aspect within PREVIEW_LONG_SIDE (the quality tier does not change it)."""
    return fit_within(*settings.size, PREVIEW_LONG_SIDE)


def drawn_settings(settings: Settings) -> Settings:
    """What the engine draws for these settings: a dataset's own camera set and look."""
    return dataset_settings(settings) if settings.is_dataset else settings


def jpeg(frame: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(frame[..., :3])).save(buf, format="JPEG", quality=JPEG_QUALITY)
    return buf.getvalue()


class TimelineCache:
    """The preview's Timeline. Building one frames and uploads the model, so it is rebuilt only when a
    change alters what is drawn; changes the pipeline itself shares frames across (quality tier,
    backdrop: `pipeline.frame_key`) only get a new Backdrop."""

    def __init__(self, scene: Scene, files: RenderFiles | None = None):
        self.scene = scene
        self.files = files or RenderFiles()
        self.timeline: Timeline | None = None
        self.backdrop: Backdrop | None = None
        self.builds = 0
        self._key: tuple | None = None
        self._settings: Settings | None = None

    def get(self, settings: Settings) -> tuple[Timeline, Backdrop]:
        drawn = drawn_settings(settings)
        size = preview_size(drawn)
        key = (frame_key(drawn, self.files), size)
        if self.timeline is None or key != self._key:
            self.timeline = Timeline(self.scene, drawn, size, files=self.files)
            self.builds += 1
            self._key, self.backdrop = key, self.timeline.backdrop
        elif drawn != self._settings:
            self.backdrop = Backdrop.from_settings(drawn, self.files.background_image,
                                                   self.files.foreground_image)  # fmt: skip
        self._settings = drawn
        return self.timeline, self.backdrop


class Preview:
    """`widget` shows the frame at `t` of `settings`; `frame` is the last one drawn (RGBA)."""

    def __init__(self, scene: Scene, settings: Settings, files: RenderFiles | None = None,
                 on_error: ErrorFn | None = None):
        self.cache = TimelineCache(scene, files)
        self.settings = settings
        self.on_error = on_error
        self.frame: np.ndarray | None = None
        self.renders = 0
        self.seconds = 0.0  # the last update's render and encode time
        self.image = W.Image(format="jpeg")
        self.t = W.FloatSlider(value=0.0, min=0.0, max=1.0, step=0.005, description="t", readout_format=".3f",
                               style={"description_width": "20px"}, layout=W.Layout(width="300px"))
        self.play = W.Play(min=0, max=settings.frame_count - 1, step=PLAY_STEP, interval=PLAY_INTERVAL_MS,
                           repeat=True, tooltip="Play the motion (fast frames while playing)")
        self.time_label = W.Label()
        self.status = W.HTML()
        self._settle = Debouncer(self.refresh, SETTINGS_DEBOUNCE_S)
        self.t.observe(self._on_t, "value")
        self.play.observe(self._on_play, "value")
        self.play.observe(self._on_playing, "playing")
        self.widget = W.VBox([self.image, W.HBox([self.play, self.t, self.time_label]), self.status])

    @property
    def pending(self) -> bool:
        return self._settle.pending

    def set_settings(self, settings: Settings) -> None:
        """New settings: re-render once the edits pause."""
        self.settings = settings
        self.play.max = max(settings.frame_count - 1, 1)
        self._settle.schedule()

    def flush(self) -> None:
        """Render a pending update now (a cell that reads `frame` right after changing settings)."""
        self._settle.flush()

    def refresh(self, fast: bool = False) -> bool:
        """Draw the frame at t now; False (with the engine's message shown) if it cannot be drawn."""
        self._settle.cancel()
        start = time.perf_counter()
        try:
            timeline, backdrop = self.cache.get(self.settings)
            timeline.renderer.resize(timeline.width, timeline.height, ssaa=1 if fast else SSAA)
            frame = timeline.frame_at(self.t.value, backdrop)
        except DxglError as err:
            self._show_error(err)
            return False
        self.frame = frame
        self.image.value = jpeg(frame)
        self.image.width = frame.shape[1]
        self.renders += 1
        self.seconds = time.perf_counter() - start
        self._show_done(timeline, fast)
        return True

    # --- events ---------------------------------------------------------------------------------
    def _on_t(self, _change: dict) -> None:
        self.refresh(fast=self.play.playing)

    def _on_play(self, change: dict) -> None:
        self.t.value = min(change["new"] / max(self.settings.frame_count - 1, 1), 1.0)

    def _on_playing(self, change: dict) -> None:
        if not change["new"]:
            self.refresh()  # at rest: the exact frame

    # --- text -----------------------------------------------------------------------------------
    def _show_done(self, timeline: Timeline, fast: bool) -> None:
        length = self.settings.length
        self.time_label.value = f"{self.t.value * length:.2f} s / {length:g} s"
        quality = "fast" if fast else "exact"
        self.status.value = (f"<small>{timeline.width}×{timeline.height} preview, {quality}, "
                             f"{self.seconds * 1e3:.0f} ms</small>")  # fmt: skip

    def _show_error(self, err: DxglError) -> None:
        log.info("preview failed: %s", err)
        self.status.value = f'<span style="color:{ERROR_COLOR}">{escape(str(err))}</span>'
        if self.on_error is not None:
            self.on_error(err)
