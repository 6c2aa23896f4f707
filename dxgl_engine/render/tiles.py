"""Tiles: a frame whose supersampled size exceeds the GL limits (a 4K frame at 2x on a driver with
8192-pixel targets) is drawn in parts, each through a projection narrowed to its rectangle.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tile:
    """A rectangle of the output frame, in output pixels from the top-left corner."""

    x: int
    y: int
    w: int
    h: int


def plan_tiles(width: int, height: int, ssaa: int, limit: int, align: int = 8) -> list[Tile]:
    """Split a frame whose supersampled size exceeds the GL limit into tiles that fit (edges on
    multiples of `align`, so reduced variants of a tile never straddle its border)."""
    def cuts(n: int) -> list[tuple[int, int]]:
        parts = -(-n * ssaa // limit)
        step = -(-n // parts)
        step = -(-step // align) * align
        return [(o, min(step, n - o)) for o in range(0, n, step)]

    return [Tile(x, y, w, h) for y, h in cuts(height) for x, w in cuts(width)]
