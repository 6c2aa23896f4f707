"""The engine's Timeline, built in the preview canvas's GL context.

Two kinds of frames come out of the same renderer: fast ones (no supersampling, at the size the
canvas shows) while playing, scrubbing or orbiting, and exact ones (2x SSAA at the output size,
the same look and compositing as the pipeline's `Timeline.frame`) when the preview rests.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from dxgl_engine import SSAA, RenderFiles, Scene, Settings, Shot, Timeline, camera_paths

# Exact frames larger than this (the 4K tiers) are rendered at the largest size with the output
# aspect that fits: a 3840 px frame costs seconds on a CPU and is shown far smaller anyway.
EXACT_LONG_SIDE_LIMIT = 1920
MIN_SIDE = 16


@dataclass(frozen=True)
class Orbit:
    """The artist's mouse offsets from the effect's camera at the paused frame."""

    azimuth: float = 0.0  # degrees, added
    elevation: float = 0.0  # degrees, added (the result stays within +-89)
    distance: float = 1.0  # factor

    @property
    def is_identity(self) -> bool:
        return self == Orbit()

    def apply(self, shot: Shot) -> Shot:
        return replace(shot, azimuth=shot.azimuth + self.azimuth,
                       elevation=min(max(shot.elevation + self.elevation, -89.0), 89.0),
                       distance=shot.distance * self.distance)  # fmt: skip


def exact_size(settings: Settings) -> tuple[int, int]:
    """The output size, or for the 4K tiers the same aspect at EXACT_LONG_SIDE_LIMIT."""
    w, h = settings.size
    scale = min(1.0, EXACT_LONG_SIDE_LIMIT / max(w, h))
    return _even(w * scale), _even(h * scale)


def fast_size(exact: tuple[int, int], shown: tuple[int, int]) -> tuple[int, int]:
    """Interactive frame size: what the canvas shows (never more than the exact frame)."""
    scale = min(1.0, shown[0] / exact[0], shown[1] / exact[1])
    return _even(exact[0] * scale), _even(exact[1] * scale)


def _even(x: float) -> int:
    return max(MIN_SIDE, int(round(x / 2.0)) * 2)


class LiveTimeline:
    """One scene + settings + files in the canvas's context. Building it frames the model and
    uploads it; a settings change builds a new one (the framing depends on the settings)."""

    def __init__(self, canvas, scene: Scene, settings: Settings, files: RenderFiles | None = None):
        canvas.set_current()
        self.canvas = canvas
        self.settings = settings
        self.exact_size = exact_size(settings)
        self.timeline = Timeline(scene, settings, self.exact_size, ssaa=SSAA, offscreen=False,
                         files=files or RenderFiles())  # fmt: skip
        self.backdrop = self.timeline.backdrop  # colour, background and foreground images: the video's compositing

    @property
    def frame_count(self) -> int:
        return self.timeline.frame_count

    @property
    def aspect(self) -> float:
        return self.exact_size[0] / self.exact_size[1]

    def index_at(self, path_time: float) -> int:
        """The frame nearest a moment of the effect (to keep the place when the length changes)."""
        times = camera_paths.frame_times(self.frame_count, camera_paths.loops(self.settings))
        return int(np.argmin(np.abs(times - path_time)))

    def render(self, index: int, *, exact: bool, shown: tuple[int, int] | None = None,
               orbit: Orbit | None = None) -> np.ndarray:
        """Frame `index` (or the artist's orbit around it): exact, or fast at the `shown` size."""
        self.canvas.set_current()
        if exact:
            self.timeline.renderer.resize(*self.exact_size, ssaa=SSAA)
        else:
            self.timeline.renderer.resize(*fast_size(self.exact_size, shown or self.exact_size), ssaa=1)
        if orbit is None or orbit.is_identity:
            return self.timeline.frame(index, self.backdrop)
        shot = orbit.apply(camera_paths.shot_at(self.settings, self.timeline.path_time(index)))
        return self.timeline.render_shot(shot, self.timeline.video_seconds(index), self.backdrop)
