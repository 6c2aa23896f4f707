"""Near-to-far triangle orders for large opaque draw items.

A software rasteriser runs the fragment shader for every fragment that passes the depth test at
the moment its triangle is drawn. Where a model covers itself (folded cloth, CAD assemblies,
double-sided shells), triangles that happen to be stored far-to-near are all shaded and then
overwritten. Drawn near-to-far, the early depth test rejects the hidden ones before shading.

The right order depends on the view, so an item keeps one order per direction of a fixed set,
made on first use (as many as a memory budget holds), and each draw picks the direction closest
to its own view. Any order is correct for opaque geometry (the depth test decides what shows):
this changes only the cost.
"""
from __future__ import annotations

import itertools

import numpy as np

# Items below this size are cheap whatever their order: not worth the extra index buffers.
# DamagedHelmet (15,452 triangles) drawn near-to-far: its share frame 82.8 -> 79.6 ms on llvmpipe
# and 154 -> 146 CPU ms (same process, alternating); the bundled sample (1,280) gains nothing.
MIN_TRIANGLES = 10_000

# The 26 directions to a cube's faces, edges and corners: any view is within 35 degrees of one.
DIRECTIONS = np.array([d for d in itertools.product((-1, 0, 1), repeat=3) if any(d)], np.float64)
DIRECTIONS /= np.linalg.norm(DIRECTIONS, axis=1, keepdims=True)


# Triangles kept together in their stored order (see near_to_far). Measured on SheenCloth and
# nefertiti: single triangles cost nefertiti 20% (vertex cache), 16 to 256 all did about as well.
CLUSTER = 64


# Index bytes one item may keep in orders: a dataset's sphere of views can ask for all 26, which for
# a 2M-triangle scan would be 624 MB. Past this, the least recently used order is dropped.
BUDGET_BYTES = 192 * 2**20


def wants_orders(triangles: int) -> bool:
    return triangles >= MIN_TRIANGLES


def orders_kept(triangles: int) -> int:
    """How many orders an item of `triangles` keeps at once (at least two, at most all)."""
    return int(min(len(DIRECTIONS), max(2, BUDGET_BYTES // max(triangles * 12, 1))))


def nearest_direction(eye: np.ndarray, centre: np.ndarray) -> int:
    """Index of the direction closest to the view from `eye` towards `centre` (both in the
    item's vertex space)."""
    view = np.asarray(centre, np.float64) - np.asarray(eye, np.float64)
    return int(np.argmax(DIRECTIONS @ view))


def near_to_far(positions: np.ndarray, triangles: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """`triangles` (n, 3) re-ordered so that runs of CLUSTER stored-consecutive triangles come
    nearest first for a viewer looking along `direction`. Runs, not single triangles: a mesh's
    stored order shares vertices between neighbours, which the vertex cache relies on. A stable
    sort, so runs at the same depth keep their stored order from every direction."""
    n = len(triangles)
    runs = -(-n // CLUSTER)
    depth = positions[triangles].sum(axis=1) @ np.asarray(direction, np.float64)
    padded = np.full(runs * CLUSTER, np.nan)
    padded[:n] = depth
    order = np.argsort(np.nanmean(padded.reshape(runs, CLUSTER), axis=1), kind="stable")
    starts = order * CLUSTER
    picks = (starts[:, None] + np.arange(CLUSTER)).ravel()
    return np.ascontiguousarray(triangles[picks[picks < n]])
