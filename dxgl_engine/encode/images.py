"""Images on the CPU: sizes that fit, area-averaged downscales, straight alpha over a colour, and the
posters a video job writes.
"""
from __future__ import annotations

import numpy as np
from PIL import Image


def over_color(frame: np.ndarray, rgb: tuple[int, int, int]) -> np.ndarray:
    """(H, W, 4) straight-alpha uint8 over a solid colour -> (H, W, 4) with alpha 255 (the same
    sRGB-space "over" the GPU pass uses)."""
    a = frame[..., 3:4].astype(np.uint16)
    bg = np.asarray(rgb, np.uint16)
    out = np.empty_like(frame)
    out[..., :3] = (frame[..., :3] * a + bg * (255 - a) + 127) // 255
    out[..., 3] = 255
    return out


def resize(frame: np.ndarray, width: int, height: int) -> np.ndarray:
    """Area-averaged downscale (posters, thumbnails)."""
    return np.asarray(Image.fromarray(frame).resize((width, height), Image.BOX))


def fit_within(width: int, height: int, long_side: int) -> tuple[int, int]:
    """A size no longer than `long_side`, same aspect, even numbers (yuv420p needs them)."""
    scale = min(1.0, long_side / max(width, height))
    return max(2, int(round(width * scale / 2)) * 2), max(2, int(round(height * scale / 2)) * 2)
