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
import resource
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np

from ..encode.frame_encoder import FrameEncoder
from ..encode.output_set import OutputSet
from ..encode.video_files import VideoFiles, VideoPaths
from ..errors import Cancelled, DxglError, InvalidSettings, RenderFailed
from ..render.backdrop import Backdrop
from ..render_files import RenderFiles
from ..scene.model import Scene
from ..settings import Settings
from .jobs import VideoJob, group_jobs, reduction_level
from .timeline import Timeline

log = logging.getLogger(__name__)

ProgressFn = Callable[[str, float], None]
BatchProgressFn = Callable[[int, str, float], None]


@dataclass
class RenderResult:
    """One job's files, its size, frame count and wall seconds. With `profile`, `timings` holds
    "stages_s" (wall seconds of each stage of the group's render, in order: setup, first frame,
    posters, encoder start, frames, encoder tail, web variant, rename), "frame_ms" (the renderer's
    per-step milliseconds per frame, see renderer.FrameTimings), "encode_wait_ms" (per frame, the
    renderer blocked on ffmpeg) and "encoder_cpu_s" (CPU seconds of the encoder processes)."""

    paths: VideoPaths
    width: int
    height: int
    frames: int
    seconds: float
    timings: dict = field(default_factory=dict)


class _Stages:
    """Wall seconds between successive marks, by stage name."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def mark(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now


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
    """One job's files, its encoders and which of the rendered outputs feed them."""

    job: VideoJob
    files: VideoFiles
    slots: list[int]  # indices into the render_many outputs: [composited] or [transparent, composited]
    encoders: list[FrameEncoder] = field(default_factory=list)


def _render_group(scene: Scene, jobs: list[VideoJob], indices: list[int], progress: BatchProgressFn | None,
                  cancel: threading.Event | None, profile: bool) -> list[RenderResult]:
    report = progress or (lambda i, phase, fraction: None)
    t_start = time.perf_counter()
    stages, children = _Stages(), resource.getrusage(resource.RUSAGE_CHILDREN)
    lead = max(jobs, key=lambda j: j.pixel_size[0])
    width, height = lead.pixel_size
    n = lead.settings.frame_count
    timeline = Timeline(scene, lead.settings, (width, height), files=replace(lead.files, background_image=None,
                                                                         foreground_image=None))  # fmt: skip
    timeline.renderer.profile = profile
    stages.mark("setup")  # the environment's tables, the model on the GPU
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
        work.append(_Encoding(job, slots=slots, files=VideoFiles(VideoPaths.beside(job.out), *job.pixel_size,
                                                                  job.settings.tier, OutputSet())))  # fmt: skip

    def frames_at(i: int) -> list[np.ndarray]:
        if cancel is not None and cancel.is_set():
            raise Cancelled("render cancelled")
        return timeline.frames(i, outputs)

    try:
        for index in indices:
            report(index, "poster", 0.0)
        first = frames_at(0)
        stages.mark("first frame")  # with the shadow bake
        for k, w in enumerate(work):
            w.files.write_posters(first[w.slots[-1]])
            report(indices[k], "poster", 1.0)
            stages.mark("posters")
            w.encoders = w.files.start_encoders()
            stages.mark("encoder start")
        for i in range(n):
            frames = first if i == 0 else frames_at(i)
            for k, w in enumerate(work):
                for encoder, slot in zip(w.encoders, w.slots):
                    encoder.write(frames[slot])
                report(indices[k], "video", (i + 1) / n)
        stages.mark("frames")
        encode_wait = 0.0
        for k, w in enumerate(work):
            report(indices[k], "encoding", 0.0)
            for encoder in w.encoders:
                encoder.close()
                encode_wait += encoder.wait_seconds
            w.encoders = []
            stages.mark("encoder tail")
            w.files.finish_web_variant(n)
            stages.mark("web variant")
        for k, w in enumerate(work):
            w.files.output_set.commit()
            report(indices[k], "encoding", 1.0)
        stages.mark("rename")
    except BaseException as exc:
        for w in work:
            for encoder in w.encoders:
                encoder.abort()
            w.files.output_set.discard()
        if isinstance(exc, DxglError) or not isinstance(exc, Exception):
            raise
        log.exception("render failed")
        raise RenderFailed(f"render failed: {exc}") from exc
    seconds = time.perf_counter() - t_start
    timings = {}
    if profile:
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        timings = {"stages_s": stages.seconds, "frame_ms": timeline.renderer.timings.per_frame(),
                   "encode_wait_ms": encode_wait / n * 1e3,
                   "encoder_cpu_s": used.ru_utime + used.ru_stime - children.ru_utime - children.ru_stime}  # fmt: skip
    results = []
    for k, w in enumerate(work):
        report(indices[k], "done", 1.0)
        jw, jh = w.job.pixel_size
        results.append(RenderResult(w.files.paths, jw, jh, n, seconds, timings))
    return results
