"""Mesh geometry the renderer needs but files may omit: triangle lists, vertex normals, tangents.

All functions are vectorised over triangles (np.bincount scatters per-face values onto
vertices), so a 100k-triangle scan costs milliseconds, not a Python loop per vertex.
"""
from __future__ import annotations

import numpy as np

TRIANGLES, TRIANGLE_STRIP, TRIANGLE_FAN = 4, 5, 6
_EPS = 1e-12


def triangles_from_list(indices: np.ndarray) -> np.ndarray:
    """(M, 3) triangles from a flat triangle list; a trailing partial triangle is dropped."""
    flat = np.asarray(indices).ravel()
    usable = flat.size - flat.size % 3
    return flat[:usable].reshape(-1, 3)


def triangles_from_strip(indices: np.ndarray) -> np.ndarray:
    """Triangle i of a strip is (p_i, p_i+1, p_i+2), with the first two swapped on odd i so every
    triangle keeps the strip's winding (glTF spec). Degenerate stitching triangles are dropped."""
    flat = np.asarray(indices).ravel()
    if flat.size < 3:
        return flat[:0].reshape(0, 3)
    i = np.arange(flat.size - 2)
    odd = i % 2
    tris = np.stack([flat[i], flat[i + 1 + odd], flat[i + 2 - odd]], axis=1)
    return _drop_degenerate(tris)


def triangles_from_fan(indices: np.ndarray) -> np.ndarray:
    """Triangle i of a fan is (p_i+1, p_i+2, p_0) (glTF spec)."""
    flat = np.asarray(indices).ravel()
    if flat.size < 3:
        return flat[:0].reshape(0, 3)
    i = np.arange(flat.size - 2)
    tris = np.stack([flat[i + 1], flat[i + 2], np.full_like(flat[i], flat[0])], axis=1)
    return _drop_degenerate(tris)


def to_triangles(mode: int, indices: np.ndarray) -> np.ndarray:
    """(M, 3) triangles for glTF primitive mode 4, 5 or 6."""
    if mode == TRIANGLES:
        return triangles_from_list(indices)
    if mode == TRIANGLE_STRIP:
        return triangles_from_strip(indices)
    if mode == TRIANGLE_FAN:
        return triangles_from_fan(indices)
    raise ValueError(f"primitive mode {mode} is not a triangle mode")


def _drop_degenerate(tris: np.ndarray) -> np.ndarray:
    return tris[nondegenerate(tris)]


def nondegenerate(tris: np.ndarray) -> np.ndarray:
    """(M,) bool: the (M, 3) triangles whose three indices differ."""
    return (tris[:, 0] != tris[:, 1]) & (tris[:, 1] != tris[:, 2]) & (tris[:, 0] != tris[:, 2])


def normalize_rows(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(unit vectors, original lengths); zero-length rows stay zero."""
    lengths = np.linalg.norm(vectors, axis=1)
    safe = np.where(lengths > _EPS, lengths, 1.0)
    return vectors / safe[:, None], lengths


def face_normals(positions: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Unnormalised face normals: their length is twice the triangle's area (the weight we want)."""
    p = positions.astype(np.float64)
    a, b, c = p[triangles[:, 0]], p[triangles[:, 1]], p[triangles[:, 2]]
    return np.cross(b - a, c - a)


def flat_normals(positions: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """(M, 3) float32 unit normal of each face (counter-clockwise front); +Z for a degenerate face,
    which covers no pixel."""
    unit, lengths = normalize_rows(face_normals(positions, triangles))
    unit[lengths <= _EPS] = (0.0, 0.0, 1.0)
    return unit.astype(np.float32)


def scatter(values: np.ndarray, triangles: np.ndarray, vertex_count: int) -> np.ndarray:
    """Sum values onto the vertices of (M, 3) triangles -> (vertex_count, K): per face (M, K),
    added to each of its three vertices, or per corner (M, 3, K), each to its own vertex."""
    per_corner = values if values.ndim == 3 else np.repeat(values[:, None, :], 3, axis=1)
    targets, flat = triangles.ravel(), per_corner.reshape(-1, per_corner.shape[-1])
    out = np.empty((vertex_count, flat.shape[1]))
    for k in range(flat.shape[1]):
        out[:, k] = np.bincount(targets, weights=flat[:, k], minlength=vertex_count)
    return out


def vertex_normals(positions: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Smooth, area-weighted unit vertex normals (N, 3) float32.

    A vertex whose weighted sum vanishes (unused, or between opposite faces) takes the unit
    normal of one of its faces, and +Z when it has none: renderable, if not meaningful."""
    n = len(positions)
    if n == 0:
        return np.zeros((0, 3), dtype=np.float32)
    fn = face_normals(positions, triangles) if len(triangles) else np.zeros((0, 3))
    summed = scatter(fn, triangles, n) if len(triangles) else np.zeros((n, 3))
    normals, lengths = normalize_rows(summed)
    largest = float(np.linalg.norm(fn, axis=1).max(initial=0.0))
    bad = lengths <= 1e-7 * largest
    if bad.any():
        normals[bad] = _fallback_normals(fn, triangles, n)[bad]
    return normals.astype(np.float32)


def _fallback_normals(fn: np.ndarray, triangles: np.ndarray, n: int) -> np.ndarray:
    """Per vertex, the unit normal of the last non-degenerate face using it, else +Z."""
    out = np.tile(np.array([0.0, 0.0, 1.0]), (n, 1))
    unit, lengths = normalize_rows(fn)
    good = lengths > 0
    if good.any():
        tris = triangles[good]
        out[tris.ravel()] = np.repeat(unit[good], 3, axis=0)
    return out


def vertex_tangents(positions: np.ndarray, normals: np.ndarray, uvs: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Per-vertex tangents (N, 4) float32 for normal mapping, in the MikkTSpace convention.

    xyz follows increasing u, orthogonalised against the normal; w = +-1 gives the handedness
    so that bitangent = cross(normal, tangent.xyz) * w points "up" the image (glTF UVs have
    v growing downwards, hence the flipped v). Vertices without usable UVs get an arbitrary
    tangent perpendicular to their normal and w = 1."""
    n = len(positions)
    nrm = normals.astype(np.float64)
    if n == 0:
        return np.zeros((0, 4), dtype=np.float32)
    t_sum, b_sum = _uv_gradients(positions, uvs, triangles, n)
    tangent = t_sum - nrm * np.sum(nrm * t_sum, axis=1, keepdims=True)
    tangent, lengths = normalize_rows(tangent)
    bad = lengths <= _EPS
    if bad.any():
        tangent[bad] = any_perpendicular(nrm[bad])
    w = np.where(np.sum(np.cross(nrm, tangent) * b_sum, axis=1) < 0.0, -1.0, 1.0)
    return np.concatenate([tangent, w[:, None]], axis=1).astype(np.float32)


def turned_tangents(normals: np.ndarray, axis=(0.0, 1.0, 0.0)) -> np.ndarray:
    """Tangents (N, 4) float32, w = 1, for a surface without texture coordinates: each follows
    the circle about `axis` (the model's up, +Y, by default) through its vertex, as the grooves of
    a lathe-turned part run. Arbitrary but stable: fixed in the mesh's own space, so they turn
    with the model, and smooth except at the two poles where the normal is parallel to the axis
    (there any perpendicular is used)."""
    nrm = normals.astype(np.float64).reshape(-1, 3)
    tangent, lengths = normalize_rows(np.cross(np.asarray(axis, np.float64)[None], nrm))
    pole = lengths <= 1e-6
    if pole.any():
        tangent[pole] = any_perpendicular(nrm[pole])
    return np.concatenate([tangent, np.ones((len(nrm), 1))], axis=1).astype(np.float32)


def _uv_gradients(positions, uvs, triangles, n) -> tuple[np.ndarray, np.ndarray]:
    """Per-vertex sums of dP/du and dP/dv' (v' = 1 - v) over the faces with a non-degenerate UV map."""
    if len(triangles) == 0:
        return np.zeros((n, 3)), np.zeros((n, 3))
    p = positions.astype(np.float64)
    uv = uvs.astype(np.float64) * np.array([1.0, -1.0])
    e1 = p[triangles[:, 1]] - p[triangles[:, 0]]
    e2 = p[triangles[:, 2]] - p[triangles[:, 0]]
    d1 = uv[triangles[:, 1]] - uv[triangles[:, 0]]
    d2 = uv[triangles[:, 2]] - uv[triangles[:, 0]]
    det = d1[:, 0] * d2[:, 1] - d2[:, 0] * d1[:, 1]
    ok = np.abs(det) > _EPS
    inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)[:, None]
    sdir = (e1 * d2[:, 1:2] - e2 * d1[:, 1:2]) * inv
    tdir = (e2 * d1[:, 0:1] - e1 * d2[:, 0:1]) * inv
    # Normalising per face keeps big faces from drowning small ones with a very different UV scale.
    sdir, _ = normalize_rows(sdir)
    tdir, _ = normalize_rows(tdir)
    return scatter(sdir, triangles, n), scatter(tdir, triangles, n)


def any_perpendicular(vectors: np.ndarray) -> np.ndarray:
    """A unit vector perpendicular to each row (rows assumed unit or zero)."""
    axis = np.where(np.abs(vectors[:, 0:1]) < 0.9, [[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]])
    perp, lengths = normalize_rows(np.cross(vectors, axis))
    perp[lengths <= _EPS] = [1.0, 0.0, 0.0]
    return perp
