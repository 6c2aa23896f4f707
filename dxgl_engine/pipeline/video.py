"""Render jobs: settings -> frames -> files, with progress events per phase.

Render once, encode many: jobs for one model that share geometry, effect, timing and transforms
(they differ only in quality tier and backdrop) are rendered together, once per frame at the
largest size asked; smaller tiers are reduced on the GPU from the same samples, every job gets its
own backdrop in the compose pass, and each job's encoders run as their own ffmpeg processes.

Stages map onto the API's statuses: "poster" (rendering frame 0 and writing the posters:
poster-processing -> poster-done), "video" (rendering and streaming every frame to the encoders:
video-processing), "encoding" (the encoders finishing), then "done". Every file is written under a
temporary name and renamed only when the whole job succeeded.
"""
from __future__ import annotations

import logging
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image

from ..encode.ffmpeg import FrameEncoder, VideoOutput
from ..encode.images import fit_within, resize
from ..encode.output_set import OutputSet
from ..errors import Cancelled, DxglError, InvalidSettings, RenderFailed
from ..render.backdrop import Backdrop
from ..render_files import RenderFiles
from ..scene.model import Scene
from ..settings import Settings
from ..tiers import FPS
from .jobs import VideoJob, group_jobs, reduction_level
from .timeline import Timeline

log = logging.getLogger(__name__)

ProgressFn = Callable[[str, float], None]
BatchProgressFn = Callable[[int, str, float], None]
POSTER_SMALL_LONG_SIDE = 480
WEB_LONG_SIDE = 1280
WEB_MAX_SHARE = 1 / 3  # of the main file's bytes, for HD and above


@dataclass
class VideoPaths:
    """Where a video job's files go: OUT.mp4 and its siblings."""

    video: Path
    web: Path
    poster: Path
    poster_small: Path
    thumb: Path

    @classmethod
    def beside(cls, video: str | Path) -> "VideoPaths":
        video = Path(video)
        stem = video.with_suffix("")

        def sibling(suffix: str) -> Path:
            return stem.with_name(stem.name + suffix)

        return cls(video, sibling(".web.mp4"), sibling(".poster.png"), sibling(".poster-small.png"),
                   sibling(".thumb.mp4"))  # fmt: skip

    def all(self) -> list[Path]:
        return [self.video, self.web, self.poster, self.poster_small, self.thumb]


@dataclass
class RenderResult:
    paths: VideoPaths
    width: int
    height: int
    frames: int
    seconds: float
    timings: dict = field(default_factory=dict)


def render_video(scene: Scene, settings: Settings, out: str | Path, *, progress: ProgressFn | None = None,
                 cancel: threading.Event | None = None, profile: bool = False, size: tuple[int, int] | None = None,
                 files: RenderFiles | None = None) -> RenderResult:
    """Render `settings` of `scene` to `out` (video) plus web variant, posters and thumbnail.

    `size` overrides the tier's pixel size (even numbers), e.g. for a quick low-resolution preview;
    `files` holds the files the settings refer to (background/foreground images, a .hdr)."""
    job = VideoJob(settings, Path(out), files or RenderFiles(), size)
    report = (lambda _i, phase, fraction: progress(phase, fraction)) if progress else None
    return render_batch(scene, [job], progress=report, cancel=cancel, profile=profile)[0]


def render_batch(scene: Scene, jobs: list[VideoJob], *, progress: BatchProgressFn | None = None,
                 cancel: threading.Event | None = None, profile: bool = False) -> list[RenderResult]:
    """Render several videos of one model, sharing frames between the jobs that can (see module
    docstring). `progress(job_index, phase, fraction)`. Results are in the order of `jobs`."""
    for job in jobs:
        _check(job)
    results: list[RenderResult | None] = [None] * len(jobs)
    for group in group_jobs(jobs):
        for i, result in zip(group, _render_group(scene, [jobs[i] for i in group], group, progress, cancel, profile)):
            results[i] = result
    return results


def _check(job: VideoJob) -> None:
    s, tier = job.settings, job.settings.tier
    if s.is_dataset:
        raise InvalidSettings("dataset output is produced by the dataset exporter, not as a video", "output")
    if job.out.suffix.lower() != tier.extension:
        raise InvalidSettings(
            f"the {tier.name} tier writes {tier.extension} files; name the output '{job.out.stem}{tier.extension}'",
            "quality",
        )
    w, h = job.pixel_size
    if w % 2 or h % 2 or min(w, h) < 16:
        raise InvalidSettings(f"video size {w}x{h} must be even and at least 16 pixels", "quality")


@dataclass
class _Encoding:
    """One job's encoders and where its frames go."""

    job: VideoJob
    paths: VideoPaths
    level: int
    backdrop: Backdrop
    slots: list[int]  # indices into the render_many outputs: [composited] or [transparent, composited]
    encoders: list[FrameEncoder] = field(default_factory=list)


def _render_group(scene: Scene, jobs: list[VideoJob], indices: list[int], progress: BatchProgressFn | None,
                  cancel: threading.Event | None, profile: bool) -> list[RenderResult]:
    report = progress or (lambda i, phase, fraction: None)
    t_start = time.perf_counter()
    lead = max(jobs, key=lambda j: j.pixel_size[0])
    width, height = lead.pixel_size
    n = lead.settings.frame_count
    timeline = Timeline(scene, lead.settings, (width, height), files=replace(lead.files, background_image=None,
                                                                         foreground_image=None))  # fmt: skip
    timeline.renderer.profile = profile
    outputs, work = [], []
    for job in jobs:
        level = reduction_level(width, height, *job.pixel_size)
        backdrop = Backdrop.from_settings(job.settings, job.files.background_image, job.files.foreground_image)
        slots = []
        if job.settings.tier.alpha:  # the master keeps alpha; its variants get the backdrop
            slots.append(len(outputs))
            outputs.append((None, level))
        slots.append(len(outputs))
        outputs.append((backdrop, level))
        work.append(_Encoding(job, VideoPaths.beside(job.out), level, backdrop, slots))

    def frames_at(i: int) -> list[np.ndarray]:
        if cancel is not None and cancel.is_set():
            raise Cancelled("render cancelled")
        return timeline.frames(i, outputs)

    sets = [OutputSet() for _ in work]
    try:
        for index in indices:
            report(index, "poster", 0.0)
        first = frames_at(0)
        for k, w in enumerate(work):
            output_set = sets[k]
            _write_posters(first[w.slots[-1]], output_set.path(w.paths.poster), output_set.path(w.paths.poster_small))
            report(indices[k], "poster", 1.0)
            w.encoders = _start_encoders(w, output_set)
        for i in range(n):
            frames = first if i == 0 else frames_at(i)
            for k, w in enumerate(work):
                for encoder, slot in zip(w.encoders, w.slots):
                    encoder.write(frames[slot])
                report(indices[k], "video", (i + 1) / n)
        encode_wait = 0.0
        for k, w in enumerate(work):
            report(indices[k], "encoding", 0.0)
            for encoder in w.encoders:
                encoder.close()
                encode_wait += encoder.wait_seconds
            w.encoders = []
            _finish_web_variant(w, sets[k])
        for output_set, index in zip(sets, indices):
            output_set.commit()
            report(index, "encoding", 1.0)
    except BaseException as exc:
        for w in work:
            for encoder in w.encoders:
                encoder.abort()
        for output_set in sets:
            output_set.discard()
        if isinstance(exc, DxglError) or not isinstance(exc, Exception):
            raise
        log.exception("render failed")
        raise RenderFailed(f"render failed: {exc}") from exc
    seconds = time.perf_counter() - t_start
    timings = {**timeline.renderer.timings.per_frame(), "encode_wait_ms": encode_wait / n * 1e3} if profile else {}
    results = []
    for k, w in enumerate(work):
        report(indices[k], "done", 1.0)
        jw, jh = w.job.pixel_size
        results.append(RenderResult(w.paths, jw, jh, n, seconds, timings))
    return results


def _start_encoders(w: _Encoding, output_set: OutputSet) -> list[FrameEncoder]:
    """The master (ProRes alone, with alpha) or the main H.264 with its variants in one process."""
    width, height = w.job.pixel_size
    tier = w.job.settings.tier
    master = VideoOutput(output_set.path(w.paths.video), width, height, codec=tier.codec)
    ww, wh = fit_within(width, height, WEB_LONG_SIDE)
    web = VideoOutput(output_set.path(w.paths.web), ww, wh, crf=25, preset="veryfast")  # variants: cheap to encode
    tw, th = fit_within(width, height, max(width, height) // 4)
    thumb = VideoOutput(output_set.path(w.paths.thumb), tw, th, crf=23, preset="veryfast")
    if tier.alpha:
        return [FrameEncoder(width, height, [master], fps=FPS), FrameEncoder(width, height, [web, thumb], fps=FPS)]
    if _main_is_web_ready(w):  # the main H.264 already fits the web variant's bounds: copied, not re-encoded
        return [FrameEncoder(width, height, [master, thumb], fps=FPS)]
    return [FrameEncoder(width, height, [master, web, thumb], fps=FPS)]


def _main_is_web_ready(w: _Encoding) -> bool:
    return w.job.settings.tier.codec == "h264" and max(w.job.pixel_size) <= WEB_LONG_SIDE


def _finish_web_variant(w: _Encoding, output_set: OutputSet) -> None:
    """The web variant is the main file itself when that is already small H.264 (moov first, at
    most WEB_LONG_SIDE); for HD and above it must weigh at most a third of the main file: it is
    re-encoded from the main file at a bitrate that fits when the quality-based encode was heavier."""
    if _main_is_web_ready(w):
        shutil.copyfile(output_set.pending(w.paths.video), output_set.path(w.paths.web))
        return
    if min(w.job.pixel_size) < 1080:
        return
    main, web = output_set.pending(w.paths.video), output_set.pending(w.paths.web)
    budget = main.stat().st_size * WEB_MAX_SHARE
    if web.stat().st_size <= budget:
        return
    from imageio_ffmpeg import get_ffmpeg_exe

    seconds = w.job.settings.frame_count / FPS
    kbps = max(50, int(budget * 8 / seconds / 1000 * 0.85))
    ww, wh = fit_within(*w.job.pixel_size, WEB_LONG_SIDE)
    tmp = web.with_name(web.stem + ".capped.mp4")
    cmd = [get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-i", str(main),
           "-vf", f"scale={ww}:{wh}:flags=area,format=yuv420p", "-c:v", "libx264", "-preset", "medium",
           "-b:v", f"{kbps}k", "-maxrate", f"{kbps}k", "-bufsize", f"{kbps}k", "-movflags", "+faststart",
           "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-an", str(tmp)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise RenderFailed(f"web variant encoder failed: {done.stderr.strip().splitlines()[-1:]}")
    tmp.replace(web)


def _write_posters(frame: np.ndarray, full: Path, small: Path) -> None:
    rgb = np.ascontiguousarray(frame[..., :3])
    Image.fromarray(rgb).save(full, format="PNG", compress_level=6)
    w, h = fit_within(rgb.shape[1], rgb.shape[0], POSTER_SMALL_LONG_SIDE)
    Image.fromarray(resize(rgb, w, h)).save(small, format="PNG", compress_level=6)
