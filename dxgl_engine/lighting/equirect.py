"""Equirectangular panoramas (the layout of .hdr environments): the direction and solid angle of each
texel, and bilinear samples in any direction.

The layout is the one Blender, three.js and the Khronos viewers share, so a user's panorama lights
the model as they show it: row 0 is the zenith, column u = 0.5 faces +X, u = 0.75 faces +Z (the
model's front), u = 0.25 faces -Z, and the azimuth 2 pi (u - 0.5) turns from +X towards +Z.
Checked with a marker panorama (../shared/fidelity/orientation) seen in a mirror sphere.
"""
from __future__ import annotations

import numpy as np


def directions(width: int, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-texel (azimuth, elevation) in radians and unit direction (H, W, 3) of an equirect map;
    the azimuth is measured from +X towards +Z (see the module's layout)."""
    az = ((np.arange(width) + 0.5) / width - 0.5) * 2.0 * np.pi
    el = (0.5 - (np.arange(height) + 0.5) / height) * np.pi
    az, el = np.meshgrid(az, el)
    d = np.stack([np.cos(az) * np.cos(el), np.sin(el), np.sin(az) * np.cos(el)], -1)
    return az, el, d


def solid_angles(height: int, width: int) -> np.ndarray:
    """(H, W) solid angle of each texel in steradians (they sum to 4 pi)."""
    el = (0.5 - (np.arange(height) + 0.5) / height) * np.pi
    return np.repeat((2 * np.pi / width) * (np.pi / height) * np.cos(el)[:, None], width, 1)


def sample_equirect(radiance: np.ndarray, dirs: np.ndarray) -> np.ndarray:
    """Bilinear samples of an equirect map in directions (..., 3)."""
    import cv2

    h, w = radiance.shape[:2]
    u = (np.arctan2(dirs[..., 2], dirs[..., 0]) / (2 * np.pi) + 0.5) * w - 0.5
    v = (0.5 - np.arcsin(np.clip(dirs[..., 1], -1, 1)) / np.pi) * h - 0.5
    return cv2.remap(radiance.astype(np.float32), u.astype(np.float32), v.astype(np.float32),
                     interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)  # fmt: skip
