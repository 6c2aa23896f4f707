"""Camera paths (the API reference calls the setting that picks one `effect`): pure functions of
normalised time t in [0, 1] to a Shot.

One registry for the pipeline, the desktop preview and the notebook widgets; a new path is one
decorated function. A path that returns to its first pose loops: frame i of n is rendered at
t = i / n, so the frame after the last is the first. One that ends elsewhere (hero-spin onto the
front, a zoom, a reveal) is a one-shot: frame i is at t = i / (n - 1), so the last frame is exactly
its end pose.

`rotateY` is the direction the camera starts from (hero-spin: the front it settles on); the model
itself is never turned by a camera path (tilt/pan/roll are placement, see
framing.model_placement).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import InvalidSettings
from ..settings import Settings
from .camera import Shot

ELEVATION = 12.0  # degrees above the horizon for every product shot
HERO_EASE_IN = 0.15  # fraction of a hero-spin spent reaching full speed when easing is on
REVEAL_GROWTH = 0.5  # fraction of a reveal spent growing to full size


@dataclass(frozen=True)
class CameraPath:
    """A camera path: the shot at time t, and whether it ends where it starts (a loop)."""

    shot: Callable[[float, Settings], Shot]
    loops: Callable[[Settings], bool]
    default_sweep: float | None = None


CAMERA_PATHS: dict[str, CameraPath] = {}


def camera_path(name: str, loops: Callable[[Settings], bool], default_sweep: float | None = None):
    """Register the decorated shot function as the camera path `name` (the `effect` setting's value)."""

    def register(fn: Callable[[float, Settings], Shot]):
        CAMERA_PATHS[name] = CameraPath(fn, loops, default_sweep)
        return fn

    return register


def ease_in_out(t: float) -> float:
    """Cosine ease: zero speed at both ends, so a looping turntable has no jolt at the seam."""
    return 0.5 - 0.5 * np.cos(np.pi * t)


def eased(t: float, s: Settings) -> float:
    return ease_in_out(t) if s.easing else t


def sweep(s: Settings) -> float:
    """The sweep angle: the setting when given, else the path's default."""
    return s.sweep_angle if s.sweep_angle is not None else CAMERA_PATHS[s.effect].default_sweep


def _full_turns(s: Settings) -> bool:
    return abs(sweep(s) / 360.0 - round(sweep(s) / 360.0)) < 1e-9


@camera_path("turntable", loops=_full_turns, default_sweep=360.0)
def turntable(t: float, s: Settings) -> Shot:
    return Shot(azimuth=s.rotate_y + sweep(s) * eased(t, s), elevation=ELEVATION)


@camera_path("hero-spin", loops=lambda s: False, default_sweep=540.0)
def hero_spin(t: float, s: Settings) -> Shot:
    """A fast spin that decelerates onto the front (rotateY): full speed, then a linear slow-down
    to zero over the last `easeOutRatio` of the path; with easing, a short ramp-up first."""
    return Shot(azimuth=s.rotate_y - sweep(s) * (1.0 - trapezoid(t, HERO_EASE_IN if s.easing else 0.0,
                                                                   s.ease_out_ratio)),
                elevation=ELEVATION)  # fmt: skip


def trapezoid(t: float, ramp_up: float, ramp_down: float) -> float:
    """Progress 0..1 under a trapezoidal speed profile: speed rises linearly over `ramp_up`, holds,
    and falls linearly to zero over the last `ramp_down` of the time."""
    ramp_down = min(max(ramp_down, 0.0), 1.0)
    ramp_up = min(max(ramp_up, 0.0), 1.0 - ramp_down)
    peak = 1.0 / (1.0 - ramp_up / 2.0 - ramp_down / 2.0)
    t = min(max(t, 0.0), 1.0)
    hold_end = 1.0 - ramp_down
    if ramp_up > 0 and t < ramp_up:
        return peak * t * t / (2.0 * ramp_up)
    p = peak * (ramp_up / 2.0 + (min(t, hold_end) - ramp_up))
    if t > hold_end:
        d = t - hold_end
        p += peak * (d - d * d / (2.0 * ramp_down))
    return min(p, 1.0)


@camera_path("showcase", loops=lambda s: True)
def showcase(t: float, s: Settings) -> Shot:
    """A look-around: swing to +amplitude, back through the front to -amplitude, and home."""
    return Shot(azimuth=s.rotate_y + s.amplitude * np.sin(2.0 * np.pi * eased(t, s)), elevation=ELEVATION)


@camera_path("zoom-orbit", loops=lambda s: _full_turns(s) and s.zoom_start == s.zoom_end, default_sweep=360.0)
def zoom_orbit(t: float, s: Settings) -> Shot:
    u = eased(t, s)
    return Shot(azimuth=s.rotate_y + sweep(s) * u, elevation=ELEVATION,
                distance=s.zoom_start + (s.zoom_end - s.zoom_start) * u)  # fmt: skip


@camera_path("reveal", loops=lambda s: False, default_sweep=180.0)
def reveal(t: float, s: Settings) -> Shot:
    """The model grows from `scaleFrom` to full size over the first half while the camera turns."""
    g = min(t / REVEAL_GROWTH, 1.0)
    growth = 1.0 - (1.0 - g) ** 3 if s.easing else g  # ease-out: it arrives gently
    return Shot(azimuth=s.rotate_y + sweep(s) * eased(t, s), elevation=ELEVATION,
                model_scale=s.scale_from + (1.0 - s.scale_from) * growth)  # fmt: skip


def dataset_directions(views: int, coverage: str) -> np.ndarray:
    """Unit directions from the model towards `views` cameras, evenly spread (Fibonacci lattice)
    over the upper hemisphere or the whole sphere."""
    i = np.arange(views) + 0.5
    y = 1.0 - i / views if coverage == "hemisphere" else 1.0 - 2.0 * i / views
    r = np.sqrt(np.maximum(0.0, 1.0 - y * y))
    phi = np.pi * (3.0 - np.sqrt(5.0)) * np.arange(views)
    return np.stack([r * np.sin(phi), y, r * np.cos(phi)], 1)


@camera_path("dataset", loops=lambda s: False)
def dataset(t: float, s: Settings) -> Shot:
    """View k of the dataset's camera set for t = k / (views - 1)."""
    views = s.dataset_tier.views
    k = int(round(min(max(t, 0.0), 1.0) * (views - 1)))
    d = dataset_directions(views, s.coverage)[k]
    return Shot(azimuth=s.rotate_y + float(np.degrees(np.arctan2(d[0], d[2]))),
                elevation=float(np.degrees(np.arcsin(np.clip(d[1], -1.0, 1.0)))))  # fmt: skip


def _path_of(settings: Settings) -> CameraPath:
    path = CAMERA_PATHS.get(settings.effect)
    if path is None:
        raise InvalidSettings(
            f"effect '{settings.effect}' is not available in this build; available: {', '.join(CAMERA_PATHS)}", "effect"
        )
    return path


def shot_at(settings: Settings, t: float) -> Shot:
    """The camera of `settings`' path at time t in [0, 1]."""
    return _path_of(settings).shot(float(t), settings)


def loops(settings: Settings) -> bool:
    """Whether the path ends where it starts (frames at i / n) or not (at i / (n - 1))."""
    return _path_of(settings).loops(settings)


def frame_times(n: int, loop: bool = True) -> np.ndarray:
    """Path time of each of n frames: i / n for a loop, i / (n - 1) for a one-shot."""
    if loop or n < 2:
        return np.arange(n, dtype=np.float64) / n
    return np.arange(n, dtype=np.float64) / (n - 1)


def sample_shots(settings: Settings, samples: int = 180) -> list[Shot]:
    """Shots sampled densely along the path (for framing), including both ends."""
    if settings.effect == "dataset":
        samples = settings.dataset_tier.views - 1
    ts = np.linspace(0.0, 1.0, samples + 1)
    return [shot_at(settings, t) for t in ts]
