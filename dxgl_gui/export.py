"""Exports from the window: one render at a time in a spawned process (see export_worker), its
progress polled from a queue by a timer, so the event loop never waits on it; cancel sets a
multiprocessing Event that the pipeline checks between frames, and the pipeline then removes
its temporary files, so a cancelled export leaves nothing behind."""
from __future__ import annotations

import logging
import multiprocessing
import queue
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from dxgl_engine import Settings

from . import export_worker
from .export_worker import ExportRequest

log = logging.getLogger(__name__)

POLL_MS = 50
# Share of the progress bar per pipeline phase: (start, width).
PHASES = {"loading": (0.0, 0.03), "poster": (0.03, 0.04), "video": (0.07, 0.85), "dataset": (0.03, 0.89),
          "encoding": (0.92, 0.08), "done": (1.0, 0.0)}  # fmt: skip
PHASE_TEXT = {"loading": "Loading model", "poster": "Rendering poster", "video": "Rendering frames",
              "dataset": "Rendering views", "encoding": "Finishing", "done": "Done"}  # fmt: skip
SHUTDOWN_WAIT_S = 5.0


def output_suffix(settings: Settings) -> str:
    return ".zip" if settings.is_dataset else settings.tier.extension


def output_filter(settings: Settings) -> str:
    """File-dialog filter for what these settings produce."""
    if settings.is_dataset:
        return "Dataset ZIP (*.zip)"
    suffix = settings.tier.extension
    return f"{settings.tier.label} video (*{suffix})"


def overall_fraction(phase: str, fraction: float) -> float | None:
    start, width = PHASES.get(phase, (None, 0.0))
    return None if start is None else start + width * min(max(fraction, 0.0), 1.0)


class ExportJob(QObject):
    """One export in its own process: `progress(phase, overall)`, then exactly one of
    `finished(paths)`, `failed(message)` or `cancelled()`."""

    progress = Signal(str, float)
    finished = Signal(list)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, request: ExportRequest, parent: QObject | None = None):
        super().__init__(parent)
        self.request = request
        ctx = multiprocessing.get_context("spawn")
        self._events = ctx.Queue()
        self._cancel = ctx.Event()
        self._process = ctx.Process(target=export_worker.run, args=(request, self._events, self._cancel),
                                    name="dxgl-export", daemon=True)  # fmt: skip
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._overall = 0.0
        self.outcome: str | None = None  # "done" | "failed" | "cancelled"

    @property
    def running(self) -> bool:
        return self.outcome is None and self._process.is_alive()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def start(self) -> None:
        log.info("export %s -> %s", self.request.model, self.request.out)
        self._process.start()
        self._timer.start()

    def cancel(self) -> None:
        """Ask the worker to stop after the frame it is rendering."""
        self._cancel.set()

    def shutdown(self) -> None:
        """The window is closing: cancel, give the pipeline a moment to clean up, then stop it."""
        if self.outcome is None and self._process.is_alive():
            self._cancel.set()
            self._process.join(SHUTDOWN_WAIT_S)
            if self._process.is_alive():
                self._process.terminate()
        self._timer.stop()

    def _poll(self) -> None:
        alive = self._process.is_alive()  # before draining: a worker that exits has sent its last event
        self._drain(wait=0.0 if alive else 0.5)
        if self.outcome is None and not alive:
            self._end("failed", f"the export process stopped unexpectedly (exit code {self._process.exitcode})")

    def _drain(self, wait: float) -> None:
        while self.outcome is None:
            try:
                event = self._events.get(timeout=wait) if wait else self._events.get_nowait()
            except queue.Empty:
                return
            self._handle(event)

    def _handle(self, event: tuple) -> None:
        kind = event[0]
        if kind == "progress":
            overall = overall_fraction(event[1], event[2])
            self._overall = self._overall if overall is None else overall
            self.progress.emit(event[1], self._overall)
        elif kind == "done":
            self._end("done", [Path(p) for p in event[1]])
        elif kind == "cancelled":
            self._end("cancelled")
        else:
            self._end("failed", event[2])

    def _end(self, outcome: str, payload=None) -> None:
        self.outcome = outcome
        self._timer.stop()
        self._process.join(0.05)  # it has reported and is exiting; multiprocessing reaps it otherwise
        log.info("export %s: %s", outcome, payload or "")
        if outcome == "done":
            self.finished.emit(payload)
        elif outcome == "cancelled":
            self.cancelled.emit()
        else:
            self.failed.emit(payload)


class ExportProgress(QWidget):
    """The status-bar strip for a running export: phase, progress bar, cancel."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setObjectName("exportProgress")
        self.bar.setRange(0, 1000)
        self.bar.setMaximumWidth(260)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelExport")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.setVisible(False)

    def attach(self, job: ExportJob) -> None:
        self.label.setText(f"Exporting {Path(job.request.out).name}…")
        self.bar.setValue(0)
        self.cancel_button.setEnabled(True)
        self.cancel_button.clicked.connect(job.cancel)
        self.cancel_button.clicked.connect(self._cancelling)
        job.progress.connect(self._show)
        self.setVisible(True)

    def detach(self) -> None:
        try:
            self.cancel_button.clicked.disconnect()
        except (RuntimeError, TypeError):
            pass
        self.setVisible(False)

    def _cancelling(self) -> None:
        self.cancel_button.setEnabled(False)
        self.label.setText("Cancelling…")

    def _show(self, phase: str, overall: float) -> None:
        self.bar.setValue(round(overall * 1000))
        if self.cancel_button.isEnabled():
            self.bar.setFormat(f"{PHASE_TEXT.get(phase, phase)} %p%")
