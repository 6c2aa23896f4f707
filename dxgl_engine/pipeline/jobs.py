"""Video jobs, and which of them share their frames (render once, encode many). Jobs of one model
that differ only in quality tier and backdrop draw the same frames; the GPU reduces the largest
size to the smaller ones exactly when they are the largest halved k times.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..render_files import RenderFiles
from ..settings import Settings, json_key

# Settings that only change how a rendered frame is reduced and composited, not what is drawn.
VARIANT_FIELDS = ("quality", "bg_color", "bg_image_id", "bg_align", "vignette", "fg_image_id")


@dataclass
class VideoJob:
    """One video to make: its settings, output path, files (images), optional pixel size."""

    settings: Settings
    out: Path
    files: RenderFiles = field(default_factory=RenderFiles)
    size: tuple[int, int] | None = None

    @property
    def pixel_size(self) -> tuple[int, int]:
        return self.size or self.settings.size


def frame_key(settings: Settings, files: RenderFiles | None = None) -> tuple:
    """Settings (and files) with equal keys draw the same frames: only tier and backdrop differ.
    Front-ends use it to tell a change that needs a new render from one that needs a new backdrop."""
    data = settings.to_json(full=True)
    for f in VARIANT_FIELDS:
        data.pop(json_key(f), None)
    return tuple(sorted(data.items())), (files or RenderFiles()).environment


def group_key(job: VideoJob) -> tuple:
    return frame_key(job.settings, job.files)


def group_jobs(jobs: list[VideoJob]) -> list[list[int]]:
    """Indices of jobs that can share one render: same key, and sizes that are the largest one
    halved k times (what the GPU reduces exactly)."""
    groups: list[list[int]] = []
    keyed: dict[tuple, list[int]] = {}
    for i, job in enumerate(jobs):
        keyed.setdefault(group_key(job), []).append(i)
    for members in keyed.values():
        pending = list(members)
        while pending:
            big = max(pending, key=lambda i: jobs[i].pixel_size[0])
            w, h = jobs[big].pixel_size
            share = [i for i in pending if reduction_level(w, h, *jobs[i].pixel_size) is not None]
            groups.append(share)
            pending = [i for i in pending if i not in share]
    return groups


def reduction_level(w: int, h: int, sw: int, sh: int) -> int | None:
    for k in range(6):
        if (w >> k, h >> k) == (sw, sh) and (sw << k, sh << k) == (w, h):
            return k
    return None

