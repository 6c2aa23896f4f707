"""Camera effects as pure functions of normalised time t in [0, 1) to a Shot.

One registry for the pipeline, the desktop preview and the notebook widgets. Frame i of n is
rendered at t = i / n, so a full-circle path loops seamlessly: the frame after the last is t = 1.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .camera import Shot
from .errors import InvalidSettings
from .settings import Settings

ELEVATION = 12.0  # degrees above the horizon for every product shot

EffectFn = Callable[[float, Settings], Shot]
REGISTRY: dict[str, EffectFn] = {}


def effect(name: str):
    def register(fn: EffectFn) -> EffectFn:
        REGISTRY[name] = fn
        return fn

    return register


def ease_in_out(t: float) -> float:
    """Cosine ease: zero speed at both ends, so a looping turntable has no jolt at the seam."""
    return 0.5 - 0.5 * np.cos(np.pi * t)


@effect("turntable")
def turntable(t: float, s: Settings) -> Shot:
    sweep = s.sweep_angle if s.sweep_angle is not None else 360.0
    u = ease_in_out(t) if s.easing else t
    return Shot(azimuth=s.rotate_y + sweep * u, elevation=ELEVATION)


def shot_at(settings: Settings, t: float) -> Shot:
    fn = REGISTRY.get(settings.effect)
    if fn is None:
        raise InvalidSettings(
            f"effect '{settings.effect}' is not available in this build; available: {', '.join(REGISTRY)}", "effect"
        )
    return fn(float(t), settings)


def frame_times(n: int) -> np.ndarray:
    return np.arange(n, dtype=np.float64) / n


def path(settings: Settings, samples: int = 180) -> list[Shot]:
    """Shots sampled densely along the effect (for framing), including both ends."""
    ts = np.linspace(0.0, 1.0, samples + 1)
    return [shot_at(settings, t) for t in ts]
