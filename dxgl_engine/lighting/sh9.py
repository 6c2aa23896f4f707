"""Diffuse light as nine spherical-harmonic coefficients (bands 0 to 2): projection of an
equirectangular radiance map and the irradiance they give a surface (Ramamoorthi & Hanrahan 2001,
"An Efficient Representation for Irradiance Environment Maps").
"""
from __future__ import annotations

import numpy as np

from .equirect import directions, solid_angles


def sh9_basis(d: np.ndarray) -> np.ndarray:
    """Real SH basis up to l = 2 for unit directions (..., 3) -> (..., 9)."""
    x, y, z = d[..., 0], d[..., 1], d[..., 2]
    return np.stack(
        [
            0.282095 * np.ones_like(x),
            0.488603 * y, 0.488603 * z, 0.488603 * x,
            1.092548 * x * y, 1.092548 * y * z, 0.315392 * (3 * z * z - 1), 1.092548 * x * z,
            0.546274 * (x * x - y * y),
        ],
        -1,
    )  # fmt: skip


def sh9_project(radiance: np.ndarray) -> np.ndarray:
    h, w = radiance.shape[:2]
    _, _, d = directions(w, h)
    weights = sh9_basis(d) * solid_angles(h, w)[..., None]
    return np.einsum("hwk,hwc->kc", weights, radiance.astype(np.float64))


# Cosine-lobe convolution per band (Ramamoorthi & Hanrahan 2001): pi, 2pi/3, pi/4.
BAND_SCALE = np.array([np.pi] + [2 * np.pi / 3] * 3 + [np.pi / 4] * 5)


def irradiance(sh: np.ndarray, normals: np.ndarray) -> np.ndarray:
    """Irradiance E(n) for unit normals (N, 3)."""
    return sh9_basis(normals) @ (sh * BAND_SCALE[:, None])
