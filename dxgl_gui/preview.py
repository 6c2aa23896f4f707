"""The live preview: the frame canvas with play/pause, a frame-accurate scrubber and mouse orbit.

While playing, scrubbing or orbiting it shows fast frames; as soon as it rests (paused, scrubber
released, mouse released) it renders the exact final frame, which is what the video will hold.
Rendering happens on the GUI thread because the GL context is the canvas's; renders are
coalesced so that only the latest request is drawn.
"""
from __future__ import annotations

import logging
import time
from collections import deque
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QStyle, QToolButton, QVBoxLayout, QWidget

from dxgl_engine import FPS, RenderFiles, Scene, Settings

from .dialogs import error_text
from .frame_canvas import FrameCanvas
from .live_timeline import LiveTimeline, Orbit
from .playback import Playback

log = logging.getLogger(__name__)

ORBIT_DEGREES_PER_PIXEL = 0.4
WHEEL_STEP = 0.9  # distance factor per wheel notch towards the model
SETTLE_MS = 250  # after the last wheel notch or settings change, render the exact frame


@dataclass(frozen=True)
class FrameInfo:
    """What the canvas shows: which frame, whether it is the exact one, and any orbit."""

    index: int
    exact: bool
    orbit: Orbit
    size: tuple[int, int]


class PreviewWidget(QWidget):
    frameShown = Signal(object)  # FrameInfo, once the frame is on screen
    failed = Signal(str)  # the timeline could not be built or rendered: one line for a dialog

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.canvas = FrameCanvas()
        self.canvas.on_drawn = self._on_drawn
        self.playback = Playback(self)
        self.live: LiveTimeline | None = None
        self.frame: np.ndarray | None = None  # the frame last uploaded to the canvas
        self.frame_info: FrameInfo | None = None
        self.index = 0
        self.orbit = Orbit()
        self._scene: Scene | None = None
        self._settings: Settings | None = None
        self._files = RenderFiles()
        self._want_exact = True
        self._rebuild_pending = False
        self._drag_from: tuple[float, float] | None = None
        self._shown_times: deque[float] = deque(maxlen=FPS * 2)
        self._render_timer = _single_shot(self, 0, self._render_now)
        self._settle_timer = _single_shot(self, SETTLE_MS, self._settle)
        self._build_ui()
        self._connect()
        self._set_enabled(False)

    # --- layout ---------------------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.canvas.native.setMinimumSize(320, 180)
        self.canvas.native.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.play_button = QToolButton()
        self.play_button.setObjectName("playButton")
        self.play_button.setToolTip("Play / pause (Space)")
        self.play_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space stays the window's play/pause key
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("scrubber")
        self.slider.setToolTip("Scrub: fast frames while dragging, the exact frame on release")
        self.slider.setPageStep(FPS)
        self.time_label = QLabel()
        self.time_label.setMinimumWidth(150)
        self.quality_label = QLabel()
        self.quality_label.setMinimumWidth(120)
        self.message = QLabel("Open a model: File ▸ Open, or drop a .glb/.gltf/.zip here")
        self.message.setObjectName("previewMessage")
        bar = QHBoxLayout()
        bar.addWidget(self.play_button)
        bar.addWidget(self.slider, 1)
        bar.addWidget(self.time_label)
        bar.addWidget(self.quality_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas.native, 1)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        self._show_playing(False)

    def _connect(self) -> None:
        self.play_button.clicked.connect(self.toggle_play)
        self.playback.due.connect(self._on_due)
        self.playback.playingChanged.connect(self._show_playing)
        self.slider.sliderMoved.connect(self._on_scrub)
        self.slider.sliderReleased.connect(self._on_scrub_released)
        self.slider.valueChanged.connect(self._on_slider_value)
        self.canvas.events.mouse_press.connect(self._on_mouse_press)
        self.canvas.events.mouse_move.connect(self._on_mouse_move)
        self.canvas.events.mouse_release.connect(self._on_mouse_release)
        self.canvas.events.mouse_wheel.connect(self._on_mouse_wheel)
        self.canvas.events.mouse_double_click.connect(lambda event: self.reset_orbit())

    # --- what to show ---------------------------------------------------------------------------
    def set_scene(self, scene: Scene | None, settings: Settings, files: RenderFiles | None = None) -> None:
        """Show a new model (None: nothing) from its first frame."""
        self._scene = scene
        self.index = 0
        self.set_settings(settings, files)

    def set_settings(self, settings: Settings, files: RenderFiles | None = None) -> None:
        """Rebuild the timeline for new settings, keeping the position in the timeline."""
        self._settings = settings
        self._files = files or RenderFiles()
        self.orbit = Orbit()
        if not self.canvas.native.isVisible() or not self.canvas.native.isValid():
            self._rebuild_pending = True  # no GL context yet: build when first shown
            return
        self._rebuild()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._rebuild_pending:
            QTimer.singleShot(0, self._rebuild)

    def _rebuild(self) -> None:
        self._rebuild_pending = False
        moment = self.live.timeline.path_time(self.index) if self.live else 0.0
        self.live = None
        if self._scene is None or self._settings is None:
            self._clear("Open a model: File ▸ Open, or drop a .glb/.gltf/.zip here")
            return
        try:
            self.live = LiveTimeline(self.canvas, self._scene, self._settings, self._files)
        except Exception as err:  # the engine's message (bad animation name, empty model, GL)
            log.warning("preview timeline failed", exc_info=not _is_engine_error(err))
            self._clear(f"Preview unavailable: {error_text(err)}")
            self.failed.emit(error_text(err))
            return
        n = self.live.frame_count
        self.index = self.live.index_at(moment)
        self.playback.frame_count = n
        self.canvas.set_aspect(self.live.aspect)
        with QSignalBlocker(self.slider):
            self.slider.setRange(0, n - 1)
            self.slider.setValue(self.index)
        self.message.setText("")
        self.message.setVisible(False)
        self._set_enabled(True)
        if self.playback.playing:
            self.playback.play(self.index)
        else:  # a fast frame now, the exact one once the artist stops changing settings
            self._schedule(exact=False)
            self._settle_timer.start()

    def _clear(self, message: str) -> None:
        self.playback.pause()
        self.frame = None
        self.frame_info = None
        self.canvas.clear_frame()
        self.message.setText(message)
        self.message.setVisible(True)
        self._set_enabled(False)

    def _set_enabled(self, enabled: bool) -> None:
        self.play_button.setEnabled(enabled)
        self.slider.setEnabled(enabled)

    # --- playback ---------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self.playback.playing

    def play(self) -> None:
        if self.live is None:
            return
        self.orbit = Orbit()
        self.playback.play(self.index)

    def pause(self) -> None:
        """Stop and show the exact frame where it stopped."""
        if self.playback.playing:
            self.playback.pause()
            self._schedule(exact=True)

    def toggle_play(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def seek(self, index: int) -> None:
        """Pause at frame `index` and show its exact frame."""
        self.playback.pause()
        self.slider.setValue(index)  # -> _on_slider_value
        if self.slider.value() == index and self.index != index:
            self._on_slider_value(index)

    def step(self, delta: int) -> None:
        if self.live is not None:
            self.seek((self.index + delta) % self.live.frame_count)

    def _on_due(self, index: int) -> None:
        self.index = index
        with QSignalBlocker(self.slider):
            self.slider.setValue(index)
        self._render(exact=False)

    def _show_playing(self, playing: bool) -> None:
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        self.play_button.setIcon(self.style().standardIcon(icon))

    # --- scrubbing --------------------------------------------------------------------------
    def _on_scrub(self, value: int) -> None:
        self.playback.pause()
        self.index = value
        self.orbit = Orbit()
        self._schedule(exact=False)

    def _on_scrub_released(self) -> None:
        self._schedule(exact=True)

    def _on_slider_value(self, value: int) -> None:
        if self.slider.isSliderDown():
            return  # dragging: sliderMoved handles it
        self.playback.pause()
        self.index = value
        self.orbit = Orbit()
        self._schedule(exact=True)

    # --- orbit ------------------------------------------------------------------------------
    def reset_orbit(self) -> None:
        self.orbit = Orbit()
        self._schedule(exact=True)

    def _on_mouse_press(self, event) -> None:
        if self.live is None:
            return
        self.playback.pause()
        self._drag_from = tuple(event.pos[:2])

    def _on_mouse_move(self, event) -> None:
        if self._drag_from is None or not event.is_dragging:
            return
        x, y = event.pos[:2]
        dx, dy = x - self._drag_from[0], y - self._drag_from[1]
        self._drag_from = (x, y)
        self.orbit = Orbit(self.orbit.azimuth - dx * ORBIT_DEGREES_PER_PIXEL,
                           self.orbit.elevation + dy * ORBIT_DEGREES_PER_PIXEL, self.orbit.distance)  # fmt: skip
        self._schedule(exact=False)

    def _on_mouse_release(self, event) -> None:
        if self._drag_from is not None:
            self._drag_from = None
            self._schedule(exact=True)

    def _on_mouse_wheel(self, event) -> None:
        if self.live is None:
            return
        self.playback.pause()
        factor = WHEEL_STEP ** float(event.delta[1])
        self.orbit = Orbit(self.orbit.azimuth, self.orbit.elevation, min(max(self.orbit.distance * factor, 0.3), 3.0))
        self._schedule(exact=False)
        self._settle_timer.start()

    # --- rendering --------------------------------------------------------------------------
    def _settle(self) -> None:
        """The preview rests: show the exact frame (unless playing or dragging has begun since)."""
        if not self.playing and not self.slider.isSliderDown() and self._drag_from is None:
            self._schedule(exact=True)

    def _schedule(self, exact: bool) -> None:
        """Render the current frame soon (after pending events); the latest request wins."""
        self._want_exact = exact
        self._render_timer.start()

    def _render_now(self) -> None:
        self._render(self._want_exact)

    def _render(self, exact: bool) -> None:
        if self.live is None:
            return
        rect = self.canvas.frame_rect()
        try:
            frame = self.live.render(self.index, exact=exact, shown=(rect[2], rect[3]), orbit=self.orbit)
        except Exception as err:
            log.warning("preview render failed", exc_info=not _is_engine_error(err))
            self._clear(f"Preview unavailable: {error_text(err)}")
            self.live = None
            self.failed.emit(error_text(err))
            return
        self.frame = frame
        self.frame_info = FrameInfo(self.index, exact, self.orbit, (frame.shape[1], frame.shape[0]))
        self.canvas.show_frame(frame)
        self._show_position()

    def _show_position(self) -> None:
        n = self.live.frame_count if self.live else 1
        self.time_label.setText(f"frame {self.index + 1}/{n}  {self.index / FPS:5.2f} s")

    def _on_drawn(self) -> None:
        info = self.frame_info
        if info is None:
            return
        now = time.monotonic()
        if info.exact:
            self._shown_times.clear()
            self.quality_label.setText("exact (2× SSAA)" if info.orbit.is_identity else "orbit (2× SSAA)")
        else:
            self._shown_times.append(now)
            self.quality_label.setText(f"fast · {self.fps():.0f} fps" if self.playing else "fast")
        self.frameShown.emit(info)

    def fps(self) -> float:
        """Frames shown per second over the last two seconds of playback."""
        t = self._shown_times
        return (len(t) - 1) / (t[-1] - t[0]) if len(t) > 1 and t[-1] > t[0] else 0.0


def _is_engine_error(err: BaseException) -> bool:
    from dxgl_engine import DxglError

    return isinstance(err, DxglError)


def _single_shot(parent: QWidget, ms: int, slot) -> QTimer:
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(ms)
    timer.timeout.connect(slot)
    return timer

