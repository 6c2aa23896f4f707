"""Models load on a worker thread: reading and converting a 100k-triangle OBJ scan takes
seconds, and the window (and the current preview) must stay usable meanwhile. Loading needs no
GL context; the GPU upload happens later on the GUI thread, when the preview builds its timeline."""
from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal

from .dialogs import error_text

log = logging.getLogger(__name__)


class ModelLoader(QObject):
    """`loaded(scene, path)` or `failed(path, message)` for the latest `load(path)`; results of
    loads that a newer one replaced are dropped."""

    loaded = Signal(object, str)
    failed = Signal(str, str)
    busyChanged = Signal(bool)
    _done = Signal(int, str, object, str)  # generation, path, scene or None, error message

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._generation = 0
        self.busy = False
        self._done.connect(self._on_done)  # emitted on the worker thread, delivered on ours

    def load(self, path: str) -> None:
        self._generation += 1
        self._set_busy(True)
        threading.Thread(target=self._work, args=(path, self._generation), name="dxgl-load", daemon=True).start()

    def _work(self, path: str, generation: int) -> None:
        from dxgl_engine import load_model

        try:
            scene = load_model(path)
        except Exception as err:  # the engine's one-line message, or a bug named as such
            if not _is_engine_error(err):
                log.exception("loading %s failed", path)
            self._done.emit(generation, path, None, error_text(err))
            return
        self._done.emit(generation, path, scene, "")

    def _on_done(self, generation: int, path: str, scene, message: str) -> None:
        if generation != self._generation:
            return  # a newer load replaced this one
        self._set_busy(False)
        if scene is None:
            self.failed.emit(path, message)
        else:
            self.loaded.emit(scene, path)

    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busyChanged.emit(busy)


def _is_engine_error(err: BaseException) -> bool:
    from dxgl_engine import DxglError

    return isinstance(err, DxglError)
