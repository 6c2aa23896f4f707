"""A 3D plot of a dataset's cameras: where they stand, where they look, the object's points.

The scene's +Y (glTF's up) is drawn upwards: world (x, y, z) is plotted at (x, -z, y), which keeps
the axes right-handed."""
from __future__ import annotations

import numpy as np

from .datasets import Dataset

SPLIT_COLORS = {"train": "tab:blue", "val": "tab:orange", "test": "tab:green"}
ARROW = 0.15  # of the camera distance


def plot_cameras(dataset: Dataset, ax=None, *, points: int = 3000, arrows: bool = True):
    """Camera positions coloured by split, their view directions and a sample of points3d.ply;
    returns the matplotlib Figure (drawn into `ax`, a 3D Axes, when given)."""
    import matplotlib.pyplot as plt

    if ax is None:
        fig = plt.figure(figsize=(6, 6))
        ax = fig.add_subplot(projection="3d")
    positions, directions = _upright(dataset.camera_positions()), _upright(dataset.view_directions())
    for split, color in SPLIT_COLORS.items():
        idx = dataset.split(split)
        ax.scatter(*positions[idx].T, s=14, color=color, label=f"{split} ({len(idx)})", depthshade=False)
    if arrows:
        length = ARROW * float(np.linalg.norm(positions - positions.mean(0), axis=1).mean())
        ax.quiver(*positions.T, *directions.T, length=length, color="0.4", linewidth=0.6)
    if points:
        cloud = dataset.points(points)
        ax.scatter(*_upright(cloud[:, :3]).T, s=1, c=cloud[:, 3:6] / 255.0, label="points3d.ply")
    ax.set_box_aspect((1, 1, 1))
    _equal_limits(ax, positions)
    ax.set_xlabel("x")
    ax.set_ylabel("-z")
    ax.set_zlabel("y (up)")
    ax.legend(loc="upper left", fontsize="small")
    return ax.figure


def _upright(xyz: np.ndarray) -> np.ndarray:
    return np.column_stack([xyz[:, 0], -xyz[:, 2], xyz[:, 1]])


def _equal_limits(ax, positions: np.ndarray) -> None:
    """One scale on every axis, so the hemisphere looks like one."""
    centre = (positions.max(0) + positions.min(0)) / 2
    radius = float((positions.max(0) - positions.min(0)).max()) / 2 * 1.05
    ax.set_xlim(centre[0] - radius, centre[0] + radius)
    ax.set_ylim(centre[1] - radius, centre[1] + radius)
    ax.set_zlim(centre[2] - radius, centre[2] + radius)
