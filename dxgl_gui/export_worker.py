"""The export process. GL contexts belong to one thread, and a render must never hold up the
window, so an export runs in its own process ('spawn'): it loads the model, renders through the
pipeline in its own headless EGL context and reports over a queue. Nothing here imports Qt.

Events put on the queue: ("progress", phase, fraction), ("done", [paths]),
("cancelled", message), ("failed", code, message).
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)

ProgressFn = Callable[[str, float], None]


@dataclass(frozen=True)
class ExportRequest:
    model: str
    settings: dict  # renderSettings JSON
    out: str
    files: dict = field(default_factory=dict)  # dxgl_engine.render_files.RenderFiles fields
    size: tuple[int, int] | None = None  # None: the tier's size


def run(request: ExportRequest, events, cancel) -> None:
    """Process entry point: every outcome is one event; the pipeline removes partial files."""
    os.environ.setdefault("EGL_PLATFORM", "surfaceless")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from dxgl_engine import Cancelled, DxglError

    try:
        paths = export(request, lambda phase, fraction: events.put(("progress", phase, float(fraction))), cancel)
    except Cancelled as err:
        events.put(("cancelled", str(err)))
    except DxglError as err:
        events.put(("failed", err.code, str(err)))
    except Exception as err:  # a bug: one line for the dialog, the traceback in the log
        log.exception("export failed")
        events.put(("failed", "internal", f"internal error: {type(err).__name__}: {err}"))
    else:
        events.put(("done", [str(p) for p in paths]))


def export(request: ExportRequest, progress: ProgressFn, cancel) -> list[Path]:
    """Load, validate and render one request; the paths written."""
    from dxgl_engine import Cancelled, RenderFiles, Settings, load_model

    settings = Settings.from_json(request.settings)
    files = RenderFiles(**request.files)
    progress("loading", 0.0)
    scene = load_model(request.model)
    if cancel.is_set():
        raise Cancelled("export cancelled")
    if settings.is_dataset:
        return export_dataset(scene, settings, Path(request.out), files, progress, cancel)
    return export_video(scene, settings, Path(request.out), files, progress, cancel, request.size)


def export_video(scene, settings, out: Path, files, progress: ProgressFn, cancel,
                 size: tuple[int, int] | None = None) -> list[Path]:
    from dxgl_engine import render_video

    result = render_video(scene, settings, out, progress=progress, cancel=cancel, size=size, files=files)
    return result.paths.all()


def export_dataset(scene, settings, out: Path, files, progress: ProgressFn, cancel) -> list[Path]:
    """The one place a dataset ZIP is made: the engine's dataset exporter."""
    from dxgl_engine import export_dataset as render_dataset

    return [render_dataset(scene, settings, out, files=files, progress=progress, cancel=cancel).path]
