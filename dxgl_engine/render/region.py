"""The drawn region: the part of a frame the scene passes can touch, so that the supersampled
target's colour is cleared, drawn and reduced there alone (a scissor under the frame's own viewport
and projection, so the pixels inside are exactly those of a whole-frame draw) and the rest of the
frame is composited from the backdrop without reading the target.

A product covers about 30% of a 16:9 frame's area with its shadow (bounding box of the drawn
pixels over a turntable: 0.28 for the bundled sample, 0.30 for DamagedHelmet, 0.27 for a
100k-triangle scan). Measured on llvmpipe, 2 cores, the same process alternating whole frames and
regions: the sample's share frame 40.0 -> 38.1 ms and 74 -> 65 CPU ms, its standard frame
118 -> 108 ms and 229 -> 200 CPU ms; DamagedHelmet's share frame 81 -> 81 ms and 154 -> 148 CPU ms
(its shading dominates). The CPU saved is what the encoders running beside the renderer get.
"""
from __future__ import annotations

import numpy as np

from .tiles import Tile

# Most of the frame: the whole frame is drawn instead (the scissor would save nothing).
WHOLE_FRAME_SHARE = 0.85


def drawn_region(world_points: np.ndarray, view_proj: np.ndarray, width: int, height: int, margin: int = 2,
                 align: int = 8) -> Tile | None:
    """The rectangle of a `width` x `height` frame (output pixels, top-left origin, edges on
    multiples of `align`, `margin` pixels wider on every side) that holds the projection of
    every point of `world_points` ((N, 3), world space) through `view_proj` ((4, 4), world ->
    clip). A geometry whose vertices are among the points, or inside their convex hull, draws
    only inside it. Returns None for the whole frame: a point at or behind the camera plane
    (its projection is unbounded), or a region of more than WHOLE_FRAME_SHARE of the frame; a
    tile of zero size when the points project wholly outside the frame."""
    if len(world_points) == 0:
        return Tile(0, 0, 0, 0)
    clip = np.c_[world_points, np.ones(len(world_points))] @ np.asarray(view_proj, np.float64).T
    w = clip[:, 3]
    if not np.all(w > 1e-9 * max(float(np.abs(w).max()), 1e-30)):
        return None
    x = (clip[:, 0] / w + 1.0) * 0.5 * width
    y = (1.0 - clip[:, 1] / w) * 0.5 * height
    x0 = _down(x.min() - margin, align, width)
    y0 = _down(y.min() - margin, align, height)
    x1 = _up(x.max() + margin, align, width)
    y1 = _up(y.max() + margin, align, height)
    if x1 <= x0 or y1 <= y0:
        return Tile(0, 0, 0, 0)
    if (x1 - x0) * (y1 - y0) > WHOLE_FRAME_SHARE * width * height:
        return None
    return Tile(x0, y0, x1 - x0, y1 - y0)


def _down(v: float, align: int, limit: int) -> int:
    return int(min(max(np.floor(v / align) * align, 0), limit))


def _up(v: float, align: int, limit: int) -> int:
    return int(min(max(np.ceil(v / align) * align, 0), limit))
