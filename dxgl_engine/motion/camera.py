"""The camera of one frame: a `Shot` (where a camera path puts it, relative to the model) and the
`View` the renderer draws with (matrices and eye, see `framing.Framing.view`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Shot:
    """A camera pose relative to the model, as camera paths produce it.

    azimuth 0 looks at the model's front (+Z), positive turns towards +X; elevation is above the
    horizon; distance multiplies the framed distance; model_scale scales the model about its base."""

    azimuth: float
    elevation: float = 12.0
    distance: float = 1.0
    model_scale: float = 1.0


@dataclass
class View:
    """Everything the renderer needs for one frame."""

    view: np.ndarray  # world -> camera
    proj: np.ndarray
    eye: np.ndarray
    model: np.ndarray  # scene space -> world (normalisation, user rotations, effect scale)
    width: int
    height: int


def direction(azimuth: float, elevation: float) -> np.ndarray:
    """Unit vector from the target towards a camera at `azimuth` and `elevation` (degrees)."""
    az, el = np.radians(azimuth), np.radians(elevation)
    return np.array([np.sin(az) * np.cos(el), np.sin(el), np.cos(az) * np.cos(el)])
