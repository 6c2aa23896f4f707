"""Local jobs from a notebook: a video rendered by the engine's pipeline and shown inline, a
NeRF/3DGS dataset exported by the engine with a progress bar."""
from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from IPython.display import Video

from dxgl_engine import RenderFiles, RenderResult, Scene, export_dataset
from dxgl_engine import render_video as engine_render_video

from .datasets import Dataset
from .form import as_settings
from .progress import phase_bar
from .widget import as_scene

log = logging.getLogger(__name__)

EMBED_LIMIT = 50 << 20  # videos up to this size go into the notebook itself (they play anywhere)
Model = str | os.PathLike | Scene


def _out_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="dxgl-notebook-"))


def render_video(model: Model, settings: Any = None, out: str | os.PathLike | None = None, *,
                 size: tuple[int, int] | None = None, files: RenderFiles | None = None,
                 progress: bool = True) -> RenderResult:
    """Render a video (posters, web variant and thumbnail beside it) with a progress bar over its
    frames. `settings`: renderSettings JSON, Settings or a SettingsWidget; `out` defaults to a new
    temporary folder; `size` overrides the tier's pixel size (a quick look)."""
    scene, s = as_scene(model), as_settings({} if settings is None else settings)
    out = Path(out) if out is not None else _out_dir() / f"render{s.tier.extension}"
    with phase_bar("render", s.frame_count, "frame", "video", enabled=progress) as report:
        result = engine_render_video(scene, s, out, progress=report, size=size, files=files)
    log.info("rendered %s (%dx%d, %d frames) in %.1f s", out, result.width, result.height, result.frames,
             result.seconds)
    return result


def show_video(video: RenderResult | str | os.PathLike, *, width: int | None = 640,
               embed: bool | None = None) -> Video:
    """An inline player. For a render result, its web variant (H.264 that browsers play, also for
    the ProRes tier). Embedded in the notebook unless larger than EMBED_LIMIT."""
    path = Path(video.paths.web if isinstance(video, RenderResult) else video)
    if embed is None:
        embed = path.stat().st_size <= EMBED_LIMIT
    return Video(str(path), embed=embed, width=width, mimetype="video/mp4" if embed else None,
                 html_attributes="controls loop autoplay muted playsinline")


def generate_dataset(model: Model, out: str | os.PathLike | None = None, *, quality: str = "100x800",
                     coverage: str = "hemisphere", settings: Any = None, files: RenderFiles | None = None,
                     progress: bool = True) -> Dataset:
    """Export a NeRF/3DGS dataset ZIP with a progress bar over its views and open it for inspection.
    `settings` (JSON, Settings or a widget) carries the look; `quality` and `coverage` pick the
    dataset tier and viewpoints."""
    scene = as_scene(model)
    base = as_settings({} if settings is None else settings).to_json()
    s = as_settings({**base, "output": "dataset", "datasetQuality": quality, "coverage": coverage})
    out = Path(out) if out is not None else _out_dir() / "dataset.zip"
    with phase_bar("dataset", s.dataset_tier.views, "view", "dataset", enabled=progress) as report:
        result = export_dataset(scene, s, out, progress=report, files=files)
    log.info("dataset %s: %d views at %d px in %.1f s", out, result.views, result.size, result.seconds)
    return Dataset(result.path, result)
