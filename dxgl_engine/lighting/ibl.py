"""Image-based lighting tables, baked with numpy once per environment and cached on disk:
diffuse irradiance as 9 spherical-harmonic coefficients, specular radiance prefiltered with the
GGX lobe at a few roughness levels, and the split-sum BRDF lookup table (Karis 2013).

Baking on the CPU and only uploading avoids depending on cube-map mip rendering, which vispy.gloo
does not offer; the tables are small and cost a few seconds once per environment.
"""
from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .equirect import directions, sample_equirect, solid_angles
from .sh9 import sh9_project
from .sun import Sun

log = logging.getLogger(__name__)

VERSION = 7  # bump when the baking changes, so stale caches are not reused (5: the sheen albedo, 6: D G weights,
# 7: the tables' grid reaches 0 and 1, and the average albedo)
LEVELS = 6  # roughness 0, 0.2 … 1.0
LUT_SIZE = 32
OCT_SIZE = 256  # prefiltered maps are octahedral: no trigonometry per pixel to look them up


@dataclass
class IBL:
    sh: np.ndarray  # (9, 3) radiance SH coefficients
    specular: np.ndarray  # (LEVELS, OCT_SIZE, OCT_SIZE, 3) float16, octahedral, per roughness level
    # (LUT_SIZE, LUT_SIZE, 4) float32 by (NdotV across, roughness down): (A, B) of the split-sum GGX
    # integral (brdf_lut), the sheen lobe's directional albedo (sheen_albedo_table) and the GGX
    # lobe's average albedo, the same along a row (average_albedo)
    lut: np.ndarray
    sun: Sun | None = None  # the panorama's sun, taken out of the tables above (look.lighting)


def cache_dir() -> Path:
    return Path(os.environ.get("DXGL_CACHE_DIR") or Path.home() / ".cache" / "dxgl")


def bake(radiance: np.ndarray) -> IBL:
    """The lighting tables of an environment, from the disk cache when it holds them."""
    key = hashlib.sha256(radiance.tobytes() + f"v{VERSION}".encode()).hexdigest()[:24]
    path = cache_dir() / f"ibl-{key}.npz"
    if path.is_file():
        try:
            with np.load(path) as z:
                return IBL(z["sh"], z["specular"], z["lut"])
        except Exception:  # a truncated or foreign file: bake again
            log.warning("ignoring unreadable IBL cache %s", path)
    # The BRDF tables do not depend on the environment, but ride its cache: baked once, then read
    # (the sheen integral alone took 0.6 s of every render process's start).
    brdf = brdf_lut()
    lut = np.concatenate([brdf, sheen_albedo_table()[..., None], average_albedo(brdf)[..., None]], -1)
    ibl = IBL(sh9_project(radiance), prefilter(radiance), lut)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez_compressed(tmp, sh=ibl.sh, specular=ibl.specular, lut=ibl.lut)
        os.replace(tmp, path)
    except OSError as exc:  # a read-only home: work without the cache
        log.warning("cannot cache IBL tables in %s: %s", path.parent, exc)
    return ibl


# --- specular prefiltering ------------------------------------------------------------------------
def _resize(img: np.ndarray, w: int, h: int) -> np.ndarray:
    import cv2

    interp = cv2.INTER_AREA if w < img.shape[1] else cv2.INTER_LINEAR
    return cv2.resize(img.astype(np.float32), (w, h), interpolation=interp)


def octahedral_directions(size: int) -> np.ndarray:
    """Unit direction of each texel centre of a Y-up octahedral map (the upper hemisphere fills
    the inner diamond, the lower one the folded corners), as mesh.frag's oct_uv() inverts it."""
    u = (np.arange(size) + 0.5) / size * 2.0 - 1.0
    x, z = np.meshgrid(u, u)  # rows: z, columns: x
    y = 1.0 - np.abs(x) - np.abs(z)
    fold = y < 0
    fx = (1.0 - np.abs(z)) * np.where(x >= 0, 1.0, -1.0)
    fz = (1.0 - np.abs(x)) * np.where(z >= 0, 1.0, -1.0)
    x, z = np.where(fold, fx, x), np.where(fold, fz, z)
    d = np.stack([x, y, z], -1)
    return d / np.linalg.norm(d, axis=-1, keepdims=True)


def prefilter(radiance: np.ndarray) -> np.ndarray:
    """Radiance convolved with the GGX lobe (N = V = R) for roughness 0, 0.2 … 1, as octahedral
    maps of OCT_SIZE, float16 (LEVELS, OCT_SIZE, OCT_SIZE, 3). Level 0 is the environment itself.

    Each texel is the split sum's radiance half: the average of the radiance under the weight the
    specular integral gives light from l when the view is along the normal, D(h) G2(l, v) (glTF 2.0
    appendix B's BRDF times N.L, less the Fresnel the BRDF table carries), with Smith's
    height-correlated G2 reduced to G1(l) for v = n. Karis 2013 weighs by D N.L instead, an
    empirical choice; that lobe is narrower at high roughness, and rough metals in tools/fidelity
    read too dark on the side away from the light (red metal spheres at roughness 0.6: 0.85 of
    Cycles' brightness with it, 0.95 with this; the harness's mean reference FLIP 0.089 with it,
    0.086 with this)."""
    levels = [sample_equirect(radiance, octahedral_directions(OCT_SIZE))]
    src = _resize(radiance, 128, 64)
    _, _, src_dirs = directions(128, 64)
    src_flat = src.reshape(-1, 3).astype(np.float64)
    src_d = src_dirs.reshape(-1, 3)
    src_sa = solid_angles(64, 128).reshape(-1)
    for k in range(1, LEVELS):
        rough = k / (LEVELS - 1)
        size = 96 if rough <= 0.4 else 48
        out = _convolve(octahedral_directions(size).reshape(-1, 3), src_d, src_flat, src_sa, rough * rough)
        levels.append(_resize(out.reshape(size, size, 3), OCT_SIZE, OCT_SIZE))
    return np.stack(levels).astype(np.float16)


def _convolve(normals, src_d, src_rgb, src_sa, alpha, chunk: int = 256) -> np.ndarray:
    a2 = max(alpha * alpha, 1e-6)
    out = np.empty((len(normals), 3))
    for i in range(0, len(normals), chunk):
        n = normals[i : i + chunk]
        nl = n @ src_d.T  # (c, S)
        # N = V: the half vector's cosine with N is sqrt((1 + N.L) / 2)
        nh2 = np.clip((1.0 + nl) / 2.0, 0.0, 1.0)
        f = nh2 * (a2 - 1.0) + 1.0
        cl = np.clip(nl, 0.0, None)
        # Smith's G1(l) = 2 N.L / (N.L + sqrt(a^2 + (1 - a^2) N.L^2)): zero below the horizon
        g1 = 2.0 * cl / np.maximum(cl + np.sqrt(a2 + (1.0 - a2) * cl * cl), 1e-12)
        weight = a2 / (np.pi * f * f) * g1 * src_sa
        out[i : i + chunk] = (weight @ src_rgb) / np.maximum(weight.sum(1, keepdims=True), 1e-12)
    return out


# --- split-sum BRDF table -------------------------------------------------------------------------
def lut_grid(size: int = LUT_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """(NdotV, roughness) of the tables' columns and rows: from 0 to 1 inclusive, so both ends are
    stored values (ibl.glsl's lut_uv reads texel centres). Texel centres at (k + 0.5) / size, used
    before, left the last half texel to the clamp: a fully rough surface seen head-on read E = A + B
    at roughness 0.984 and N.V 0.984, 0.326 against 0.307 at 1 and 1, and a white metal of roughness
    1 lit by a sun came out 6 % darker than in Cycles. The ends are nudged to what the shader
    clamps to (N.V 1e-4, roughness 0.03), where the integrals are finite."""
    axis = np.linspace(0.0, 1.0, size)
    return np.maximum(axis, 1e-4), np.maximum(axis, 0.03)


def brdf_lut(size: int = LUT_SIZE, samples: int = 512) -> np.ndarray:
    """(A, B) such that the specular integral is F0 * A + B, by GGX importance sampling with the
    height-correlated Smith term; rows are roughness, columns NdotV (`lut_grid`)."""
    nv, rough = lut_grid(size)
    i = np.arange(samples)
    xi1 = (i + 0.5) / samples
    xi2 = np.array([int(f"{k:032b}"[::-1], 2) for k in i]) / 2.0**32  # Hammersley
    out = np.zeros((size, size, 2), np.float32)
    for r_i, r in enumerate(rough):
        a = r * r
        cos_h = np.sqrt((1 - xi1) / (1 + (a * a - 1) * xi1))
        sin_h = np.sqrt(1 - cos_h * cos_h)
        phi = 2 * np.pi * xi2
        h = np.stack([sin_h * np.cos(phi), sin_h * np.sin(phi), cos_h], -1)  # around N = +Z
        v = np.stack([np.sqrt(1 - nv * nv), np.zeros_like(nv), nv], -1)  # (size, 3)
        vh = v @ h.T  # (size, S)
        l_z = 2 * vh * h[:, 2][None] - v[:, 2][:, None]
        nl, nh = np.clip(l_z, 0, 1), h[:, 2][None]
        nvv = nv[:, None]
        a2 = a * a
        vis = 0.5 / np.maximum(nl * np.sqrt(nvv * nvv * (1 - a2) + a2) + nvv * np.sqrt(nl * nl * (1 - a2) + a2), 1e-9)
        g = np.where(nl > 0, vis * 4 * nl * np.clip(vh, 0, 1) / np.maximum(nh, 1e-9), 0.0)
        fc = (1 - np.clip(vh, 0, 1)) ** 5
        out[r_i, :, 0] = ((1 - fc) * g).mean(1)
        out[r_i, :, 1] = (fc * g).mean(1)
    return out


def average_albedo(brdf: np.ndarray) -> np.ndarray:
    """(size, size) float32: a white GGX lobe's albedo averaged over the hemisphere of directions,
    Eavg = 2 integral of E(mu) mu dmu with E = A + B (Kulla & Conty 2017, "Revisiting Physically
    Based Shading at Imageworks": the Fresnel of multiple scattering), per roughness row of
    `brdf` (brdf_lut's table, columns on `lut_grid`), repeated along the row (trapezoid rule in mu)."""
    mu = np.linspace(0.0, 1.0, brdf.shape[1])
    y = (brdf[..., 0] + brdf[..., 1]) * mu
    e_avg = 2.0 * ((y[:, 1:] + y[:, :-1]) / 2.0 * np.diff(mu)).sum(1)
    return np.repeat(e_avg[:, None], brdf.shape[1], 1).astype(np.float32)


def sheen_albedo_table(size: int = LUT_SIZE, steps: int = 64) -> np.ndarray:
    """(size, size) float32: the directional albedo E(NdotV, sheenRoughness) of the sheen lobe of
    KHR_materials_sheen (its appendix: the "Charlie" distribution of Estevez & Kulla 2017,
    D = (2 + 1/a) sin(theta_h)^(1/a) / (2 pi) with a = sheenRoughness^2, and Neubelt's visibility
    1 / (4 (NdotL + NdotV - NdotL NdotV))), integrated over the hemisphere of light directions on a
    steps x 4 steps grid (midpoint rule in cos(theta) and phi). Rows are roughness, columns NdotV,
    on `lut_grid`, as in `brdf_lut`. The base layer under the sheen is scaled by
    1 - max(sheenColor) E (the extension's "albedo scaling"). Clipped to 1: at the smallest
    roughness the lobe sits at grazing angles the grid cannot resolve. About 0.6 s; `bake` caches it with the environment's tables."""
    nv, rough = lut_grid(size)
    cos_t = (np.arange(steps) + 0.5) / steps
    phi = (np.arange(4 * steps) + 0.5) / (4 * steps) * 2 * np.pi
    ct, ph = np.meshgrid(cos_t, phi, indexing="ij")
    st = np.sqrt(1 - ct * ct)
    light = np.stack([st * np.cos(ph), st * np.sin(ph), ct], -1).reshape(-1, 3)  # around N = +Z
    d_omega = (1.0 / steps) * (2 * np.pi / (4 * steps))
    view = np.stack([np.sqrt(1 - nv * nv), np.zeros_like(nv), nv], -1)
    half = light[None] + view[:, None]
    half /= np.linalg.norm(half, axis=-1, keepdims=True)
    sin_h = np.sqrt(np.clip(1 - half[..., 2] ** 2, 0, 1))
    nl = light[:, 2][None]
    vis = 1.0 / (4 * (nl + nv[:, None] - nl * nv[:, None]))
    out = np.zeros((size, size), np.float32)
    for r_i, r in enumerate(rough):
        a = max(r * r, 1e-3)
        d = (2 + 1 / a) * sin_h ** (1 / a) / (2 * np.pi)
        out[r_i] = (d * vis * nl).sum(1) * d_omega
    np.clip(out, 0.0, 1.0, out=out)
    return out
