"""The playback clock: which frame is due now when the video plays in real time and loops.

Frames are chosen by wall-clock time, not counted, so a slow frame makes the preview skip
frames instead of slowing the motion down: what plays is the video's speed."""
from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from dxgl_engine import FPS


class Playback(QObject):
    """Emits `due(index)` whenever a new frame index is due while playing."""

    due = Signal(int)
    playingChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.frame_count = 1
        self._origin = 0.0
        self._last = -1
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(max(1, int(1000 / FPS / 2)))  # poll at twice the frame rate
        self._timer.timeout.connect(self._tick)

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def play(self, from_index: int = 0) -> None:
        self._origin = time.monotonic() - from_index / FPS
        self._last = -1
        if not self.playing:
            self._timer.start()
            self.playingChanged.emit(True)
        self._tick()

    def pause(self) -> None:
        if self.playing:
            self._timer.stop()
            self.playingChanged.emit(False)

    def index_now(self) -> int:
        return int((time.monotonic() - self._origin) * FPS) % max(self.frame_count, 1)

    def _tick(self) -> None:
        index = self.index_now()
        if index != self._last:
            self._last = index
            self.due.emit(index)
