"""The sun of an outdoor panorama, taken out of it as a directional light.

An outdoor .hdr keeps most of its power in a few texels: in the Poly Haven panoramas of
tools/fidelity the sun covers 2 of the 131,072 texels of the 512 x 256 map and carries 68 % of the
power (chinese_garden) and 73 % (qwantani). Left in the image-based light, it lights every surface
that faces it, also one behind another part of the model, which then reads about 3x too bright
against a path tracer; and nine spherical harmonics cannot hold a light that small (they ring).
Blender EEVEE's answer, taken here: the sun becomes a directional light with a shadow map
(render/passes/sun_shadow.py), and the rest of the panorama stays image-based light.

A panorama has a sun when the brightest texel's neighbourhood (the texels around it brighter than
a hundredth of it) is small, at most SUN_MAX_SOLID_ANGLE, carries at least SUN_MIN_SHARE of the
panorama's power and is not wholly below the horizon (a glint on water would light the model from
under its floor). The generated studios do not: their brightest region is a softbox of 1 sr
(studio) or the whole sky (neutral), so the default look has no sun and no shadow map.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from .equirect import directions, solid_angles
from .sh9 import irradiance

LUMINANCE = np.array([0.2126, 0.7152, 0.0722])  # Rec. 709 / sRGB primaries
SUN_MAX_SOLID_ANGLE = 0.01  # sr: a disc of 3.2 degrees radius (the real sun: 0.27 degrees, 6.8e-5 sr)
SUN_MIN_SHARE = 0.2  # of the panorama's power
SUN_EDGE = 0.01  # of the peak radiance: texels brighter than this around the peak are the sun's
# GGX alpha a sun adds to a surface's, per radian of its angular radius: the disc's reflection in a
# mirror spans half its radius in half vectors, where a GGX lobe has fallen to half its peak at
# tan(theta_h) = 0.64 alpha: alpha = 0.5 / 0.64 of the radius.
SUN_ALPHA_PER_RADIAN = 0.5 / 0.64


@dataclass(frozen=True)
class Sun:
    """A directional light taken from a panorama.

    `direction`: (3,) unit vector towards the sun, world space (the panorama's layout, equirect.py).
    `irradiance`: (3,) linear RGB on a surface facing the sun, in the panorama's units (its radiance
    times steradians: what the texels held over the sky behind them).
    `angular_radius`: radians, of a disc with the solid angle the sun's texels cover (at 512 x 256
    one texel at the horizon makes 0.4 degrees, fewer steradians higher up; it widens the sun's
    highlight on smooth surfaces, see SUN_ALPHA_PER_RADIAN)."""

    direction: np.ndarray
    irradiance: np.ndarray
    angular_radius: float


def extract_sun(radiance: np.ndarray) -> tuple[np.ndarray, Sun | None]:
    """(residual, sun): the panorama with its sun replaced by the sky around it, and the sun as a
    directional light; (radiance, None) when the panorama has no sun (see the module).

    `radiance` is an (H, W, 3) float32 equirectangular map (equirect.py's layout); the residual has
    the same shape. Energy is kept: the residual's power plus the sun's equals the input's."""
    h, w = radiance.shape[:2]
    lum = radiance @ LUMINANCE
    peak_y, peak_x = np.unravel_index(int(np.argmax(lum)), lum.shape)
    peak = float(lum[peak_y, peak_x])
    if not np.isfinite(peak) or peak <= 0.0:
        return radiance, None
    # Put the peak in the middle column so a sun on the panorama's seam is one region.
    shift = w // 2 - peak_x
    rolled = np.roll(radiance, shift, axis=1)
    lum = np.roll(lum, shift, axis=1)
    sa = solid_angles(h, w)
    labels, _ = ndimage.label(lum > peak * SUN_EDGE)
    core = labels == labels[peak_y, w // 2]
    if sa[core].sum() > SUN_MAX_SOLID_ANGLE:
        return radiance, None
    # One texel more all round: the resampled panorama spreads the disc's edge into its neighbours.
    disc = ndimage.binary_dilation(core, np.ones((3, 3), bool))
    ring = ndimage.binary_dilation(disc, np.ones((5, 5), bool)) & ~disc
    sky = np.median(rolled[ring], axis=0)
    excess = np.clip(rolled[disc] - sky, 0.0, None)  # (n, 3): the sun's radiance over the sky's
    power = excess * sa[disc][:, None]
    weight = power @ LUMINANCE
    if weight.sum() < SUN_MIN_SHARE * float((lum * sa).sum()):
        return radiance, None
    _, _, dirs = directions(w, h)
    dirs = np.roll(dirs, shift, axis=1)[disc]
    direction = (dirs * weight[:, None]).sum(0)
    direction /= np.linalg.norm(direction)
    angular_radius = float(np.sqrt(sa[core].sum() / np.pi))
    if direction[1] < -np.sin(angular_radius):  # all of it below the horizon (a setting sun is not)
        return radiance, None
    residual = rolled.copy()
    residual[disc] -= excess
    sun = Sun(direction=direction, irradiance=power.sum(0), angular_radius=angular_radius)
    return np.roll(residual, -shift, axis=1).astype(np.float32), sun


def sun_share(sun: Sun, sh: np.ndarray, normal) -> float:
    """The sun's share (0..1, luminance) of the irradiance on a surface facing `normal` (3,), the
    rest coming from the residual panorama's radiance SH `sh` (9, 3): how much darker the surface
    gets in the sun's shadow (the floor's sun shadow, render/passes/shadow.py)."""
    n = np.asarray(normal, float) / np.linalg.norm(normal)
    direct = float(sun.irradiance @ LUMINANCE) * max(float(n @ sun.direction), 0.0)
    sky = max(float(irradiance(sh, n[None])[0] @ LUMINANCE), 0.0)
    return direct / (direct + sky) if direct + sky > 0.0 else 0.0
