"""The invisible floor under the model: what it shows (a soft ground shadow and, optionally, a
reflection; drawn by `passes.shadow` and `passes.reflection`) and how large it is.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Floor:
    """What the floor shows: the settings shadows and reflector, and the shadow's look."""

    shadows: bool = True
    reflector: bool = False
    shadow_intensity: float = 0.7
    shadow_softness: float = 0.5

    @classmethod
    def from_settings(cls, s) -> "Floor":
        return cls(s.shadows, s.reflector, s.shadow_intensity, s.shadow_softness)


@dataclass(frozen=True)
class FloorExtent:
    """The floor square's half-size and the model's height (world units), fixed for a timeline."""

    half: float
    height: float

    @classmethod
    def around(cls, world_points: np.ndarray) -> "FloorExtent":
        lo, hi = world_points.min(0), world_points.max(0)
        height = max(float(hi[1] - lo[1]), 1e-6)
        reach = float(np.abs(world_points[:, [0, 2]]).max())
        return cls(half=reach * 1.5 + 0.35 * height, height=height)
