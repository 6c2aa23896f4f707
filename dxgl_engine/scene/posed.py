"""Posed geometry: where the drawn vertices of a scene are in a pose (skins and morphs applied),
what framing, the floor's extent and `dxgl info`'s bounds are measured on.
"""
from __future__ import annotations

import numpy as np

from .animation import Player, Pose
from .deform import joint_matrices, morph, skin_positions
from .model import Scene


def posed_points(scene: Scene, pose: Pose) -> np.ndarray:
    """Scene-space positions of every drawn vertex in a pose (skins and morphs applied), (N, 3)
    float64, every instance of a mesh included."""
    out = []
    used: dict[int, np.ndarray] = {}  # a primitive's referenced vertices, found once however often it is placed
    for inst in scene.instances(pose.world):
        node = scene.nodes[inst.node]
        joints = joint_matrices(scene, node.skin, pose) if node.skin is not None else None
        for prim in scene.meshes[inst.mesh].primitives:
            if not prim.indices.size:
                continue
            if id(prim) not in used:
                used[id(prim)] = np.unique(prim.indices)
            pos, _, _ = morph(prim, pose.weights.get(inst.node))
            if joints is not None and prim.joints:
                pts = skin_positions(prim, joints, pos)[used[id(prim)]]
            else:
                pts = pos[used[id(prim)]].astype(np.float64) @ inst.matrix[:3, :3].T + inst.matrix[:3, 3]
            out.append(pts)
    return np.concatenate(out) if out else np.zeros((0, 3))


def rest_points(scene: Scene) -> np.ndarray:
    """Scene-space positions of every drawn vertex at rest (skins and default morph weights
    applied, as the renderer draws the model without an animation)."""
    return posed_points(scene, Player(scene, None).pose(0.0))


def bounds(scene: Scene) -> tuple[np.ndarray, np.ndarray]:
    """Axis-aligned bounds (min, max) of the drawn model at rest; (inf, -inf) when nothing is drawn."""
    pts = rest_points(scene)
    if len(pts) == 0:
        return np.full(3, np.inf), np.full(3, -np.inf)
    return pts.min(0), pts.max(0)


def reduce_to_hull(pts: np.ndarray, max_points: int = 4096) -> np.ndarray:
    """The convex hull's vertices (qhull) when there are more than `max_points` points: all framing
    needs, and far fewer than a scan's vertices. Round products are then framed by their outline,
    not as if they were boxes."""
    if len(pts) <= max_points:
        return pts
    from scipy.spatial import ConvexHull

    try:
        return pts[ConvexHull(pts).vertices]
    except Exception:  # degenerate (flat) point sets: qhull refuses them; keep them all
        return pts
