"""Mesh deformation on the CPU: morph targets, skin joint matrices, and a reference skinning.

The GPU skins in mesh.vert with the same joint matrices; the CPU version serves framing
(animated bounds) and tests that check the GPU against it.
"""
from __future__ import annotations

import numpy as np

from .animation import Pose
from .model import Primitive, Scene


def morph(prim: Primitive, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Positions, normals and tangents with morph deltas applied (base + sum w_k * delta_k)."""
    pos, nrm, tan = prim.positions, prim.normals, prim.tangents
    if weights is None or not prim.targets or not np.any(weights):
        return pos, nrm, tan
    pos = pos.astype(np.float64).copy()
    nrm = nrm.astype(np.float64).copy()
    tan = tan.astype(np.float64).copy() if tan is not None else None
    for w, target in zip(weights, prim.targets):
        if w == 0.0:
            continue
        if target.positions is not None:
            pos += w * target.positions
        if target.normals is not None:
            nrm += w * target.normals
        if target.tangents is not None and tan is not None:
            tan[:, :3] += w * target.tangents
    nrm /= np.maximum(np.linalg.norm(nrm, axis=1, keepdims=True), 1e-12)
    if tan is not None:
        tan[:, :3] /= np.maximum(np.linalg.norm(tan[:, :3], axis=1, keepdims=True), 1e-12)
        tan = tan.astype(np.float32)
    return pos.astype(np.float32), nrm.astype(np.float32), tan


def joint_matrices(scene: Scene, skin_index: int, pose: Pose) -> np.ndarray:
    """(J, 4, 4) matrices taking bind-space vertices to scene space: world(joint) @ inverseBind.
    (glTF ignores the transform of the node holding a skinned mesh.)"""
    skin = scene.skins[skin_index]
    world = np.stack([pose.world.get(j, np.eye(4)) for j in skin.joints])
    return world @ skin.inverse_bind_matrices


def skin_matrices(prim: Primitive, joints: np.ndarray) -> np.ndarray:
    """(N, 4, 4) per-vertex blend of joint matrices over every JOINTS_n/WEIGHTS_n set."""
    n = len(prim.positions)
    total = np.zeros((n, 4, 4))
    weight_sum = np.zeros(n)
    for jset, wset in zip(prim.joints, prim.weights):
        idx = np.minimum(jset.astype(np.int64), len(joints) - 1)
        w = wset.astype(np.float64)
        total += np.einsum("nk,nkij->nij", w, joints[idx])
        weight_sum += w.sum(1)
    unweighted = weight_sum <= 1e-9
    total[unweighted] = np.eye(4)  # a vertex no joint holds stays where it was bound
    return total


def skin_positions(prim: Primitive, joints: np.ndarray, positions: np.ndarray | None = None) -> np.ndarray:
    """Reference linear-blend skinning of a primitive's positions into scene space."""
    pos = prim.positions if positions is None else positions
    m = skin_matrices(prim, joints)
    homo = np.concatenate([pos.astype(np.float64), np.ones((len(pos), 1))], 1)
    return np.einsum("nij,nj->ni", m, homo)[:, :3]
