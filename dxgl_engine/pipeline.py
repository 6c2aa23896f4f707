"""The render job: settings -> frames -> files, with progress events per stage.

Stages map onto the API's statuses: "poster" (rendering frame 0 and writing the posters:
poster-processing -> poster-done), "video" (rendering and streaming every frame to the encoder:
video-processing), then "done". Every file is written under a temporary name and renamed only
when the whole job succeeded.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image

from .clip import Clip
from .compositing import fit_within
from .encode import FrameEncoder, VideoOutput
from .errors import Cancelled, DxglError, InvalidSettings, RenderFailed
from .outputs import OutputSet
from .resources import Resources
from .scene import Scene
from .settings import FPS, Settings

log = logging.getLogger(__name__)

ProgressFn = Callable[[str, float], None]
POSTER_SMALL_LONG_SIDE = 480


@dataclass
class VideoPaths:
    """Where a video job's files go: OUT.mp4 and its siblings."""

    video: Path
    poster: Path
    poster_small: Path
    thumb: Path

    @classmethod
    def beside(cls, video: str | Path) -> "VideoPaths":
        video = Path(video)
        stem = video.with_suffix("")
        return cls(
            video=video,
            poster=stem.with_name(stem.name + ".poster.png"),
            poster_small=stem.with_name(stem.name + ".poster-small.png"),
            thumb=stem.with_name(stem.name + ".thumb.mp4"),
        )

    def all(self) -> list[Path]:
        return [self.video, self.poster, self.poster_small, self.thumb]


@dataclass
class RenderResult:
    paths: VideoPaths
    width: int
    height: int
    frames: int
    seconds: float
    timings: dict = field(default_factory=dict)


def render_video(
    scene: Scene,
    settings: Settings,
    out: str | Path,
    *,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    profile: bool = False,
    size: tuple[int, int] | None = None,
    resources: Resources | None = None,
) -> RenderResult:
    """Render `settings` of `scene` to `out` (video) plus posters and a thumbnail beside it.

    `size` overrides the tier's pixel size (even numbers), e.g. for a quick low-resolution preview;
    `resources` holds the files the settings refer to (background/foreground images, a .hdr)."""
    if settings.is_dataset:
        raise InvalidSettings("dataset output is produced by the dataset exporter, not as a video", "output")
    tier = settings.tier
    paths = VideoPaths.beside(out)
    if paths.video.suffix.lower() != tier.extension:
        raise InvalidSettings(
            f"the {tier.name} tier writes {tier.extension} files; name the output '{paths.video.stem}{tier.extension}'",
            "quality",
        )
    progress = progress or (lambda stage, fraction: None)
    width, height = size or settings.size
    if width % 2 or height % 2 or min(width, height) < 16:
        raise InvalidSettings(f"video size {width}x{height} must be even and at least 16 pixels", "quality")
    n = settings.frame_count
    t_start = time.perf_counter()

    clip = Clip(scene, settings, (width, height), resources=resources)
    clip.renderer.profile = profile
    # The master keeps alpha when the tier has it; posters and thumbnail always get the backdrop.
    looks = [None, clip.backdrop] if tier.alpha else [clip.backdrop]

    def frames_at(i: int) -> list[np.ndarray]:
        if cancel is not None and cancel.is_set():
            raise Cancelled("render cancelled")
        return clip.frames(i, looks)

    encoders: list[FrameEncoder] = []
    with OutputSet() as files:
        try:
            progress("poster", 0.0)
            first = frames_at(0)
            _write_posters(first[-1], files.path(paths.poster), files.path(paths.poster_small))
            progress("poster", 1.0)

            tw, th = fit_within(width, height, max(width, height) // 4)
            master = VideoOutput(files.path(paths.video), width, height, codec=tier.codec)
            thumb = VideoOutput(files.path(paths.thumb), tw, th, crf=23)
            groups = [[master], [thumb]] if tier.alpha else [[master, thumb]]
            encoders = [FrameEncoder(width, height, outs, fps=FPS) for outs in groups]
            for i in range(n):
                for encoder, frame in zip(encoders, frames_at(i) if i else first):
                    encoder.write(frame)
                progress("video", (i + 1) / n)
            progress("encoding", 0.0)
            encode_wait = 0.0
            for encoder in encoders:
                encoder.close()
                encode_wait += encoder.wait_seconds
            encoders = []
            progress("encoding", 1.0)
        except DxglError:
            for encoder in encoders:
                encoder.abort()
            raise
        except Exception as exc:
            for encoder in encoders:
                encoder.abort()
            log.exception("render failed")
            raise RenderFailed(f"render failed: {exc}") from exc
    seconds = time.perf_counter() - t_start
    timings = {**clip.renderer.timings.per_frame(), "encode_wait_ms": encode_wait / n * 1e3} if profile else {}
    progress("done", 1.0)
    return RenderResult(paths, width, height, n, seconds, timings)


def _write_posters(frame: np.ndarray, full: Path, small: Path) -> None:
    from .compositing import resize

    rgb = np.ascontiguousarray(frame[..., :3])
    Image.fromarray(rgb).save(full, format="PNG", compress_level=6)
    w, h = fit_within(rgb.shape[1], rgb.shape[0], POSTER_SMALL_LONG_SIDE)
    Image.fromarray(resize(rgb, w, h)).save(small, format="PNG", compress_level=6)
