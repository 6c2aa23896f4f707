"""Triangle conversion, generated normals and tangents (dxgl_engine.scene.geometry)."""
from __future__ import annotations


import numpy as np
import pytest

from dxgl_engine.scene import geometry
from tests.gltf_builder import cube_corners, quad


def _as_sets(tris: np.ndarray) -> set[tuple[int, ...]]:
    """Triangles as rotation-normalised tuples (winding kept, starting vertex ignored)."""
    out = set()
    for t in tris.tolist():
        k = t.index(min(t))
        out.add(tuple(t[k:] + t[:k]))
    return out


def test_strip_matches_the_spec_order_and_keeps_winding():
    tris = geometry.triangles_from_strip(np.array([0, 1, 2, 3, 4]))
    assert tris.tolist() == [[0, 1, 2], [1, 3, 2], [2, 3, 4]]


def test_fan_uses_the_first_vertex_as_pivot():
    tris = geometry.triangles_from_fan(np.array([0, 1, 2, 3, 4]))
    assert tris.tolist() == [[1, 2, 0], [2, 3, 0], [3, 4, 0]]


def test_strip_drops_degenerate_stitching_triangles():
    tris = geometry.triangles_from_strip(np.array([0, 1, 2, 3, 3, 4, 4, 5, 6, 7]))
    assert all(len(set(t)) == 3 for t in tris.tolist())
    assert {(4, 5, 6), (5, 7, 6)} <= _as_sets(tris)


def test_list_drops_a_trailing_partial_triangle():
    assert geometry.triangles_from_list(np.arange(8)).tolist() == [[0, 1, 2], [3, 4, 5]]


def test_short_strips_and_fans_have_no_triangles():
    assert geometry.triangles_from_strip(np.array([0, 1])).shape == (0, 3)
    assert geometry.triangles_from_fan(np.array([], dtype=np.uint32)).shape == (0, 3)


def test_to_triangles_refuses_non_triangle_modes():
    with pytest.raises(ValueError):
        geometry.to_triangles(1, np.arange(4))


def _octahedron() -> tuple[np.ndarray, np.ndarray]:
    positions = np.array([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]], np.float32)
    tris = []
    for x in (0, 1):
        for y in (2, 3):
            for z in (4, 5):
                tri = [x, y, z]
                n = np.cross(positions[y] - positions[x], positions[z] - positions[x])
                tris.append(tri if np.dot(n, positions[x] + positions[y] + positions[z]) > 0 else [x, z, y])
    return positions, np.array(tris)


def test_vertex_normals_of_an_octahedron_point_at_its_vertices():
    positions, tris = _octahedron()
    normals = geometry.vertex_normals(positions, tris)
    np.testing.assert_allclose(normals, positions, atol=1e-6)
    assert normals.dtype == np.float32


def test_vertex_normals_of_a_cube_are_unit_and_outward():
    positions, indices = cube_corners()
    normals = geometry.vertex_normals(positions, indices.reshape(-1, 3))
    np.testing.assert_allclose(np.linalg.norm(normals, axis=1), 1.0, atol=1e-6)
    assert np.all(np.sum(normals * positions, axis=1) > 0.9)
    # corners 0 and 7 sit on both triangles of each of their faces: exactly diagonal
    np.testing.assert_allclose(normals[[0, 7]], positions[[0, 7]] / np.sqrt(3), atol=1e-6)


def test_vertex_normals_are_area_weighted():
    # Vertex 0 is shared by a big triangle facing +Z and a small one facing +X.
    positions = np.array([[0, 0, 0], [10, 0, 0], [0, 10, 0], [0, 1, 0], [0, 0, 1]], np.float32)
    tris = np.array([[0, 1, 2], [0, 3, 4]])
    n = geometry.vertex_normals(positions, tris)[0]
    assert n[2] > 0.99 and 0 < n[0] < 0.02


def test_vertex_normals_fall_back_for_cancelling_and_unused_vertices():
    positions = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [5, 5, 5]], np.float32)
    tris = np.array([[0, 1, 2], [0, 2, 1]])  # the same triangle both ways: sums cancel
    normals = geometry.vertex_normals(positions, tris)
    np.testing.assert_allclose(np.linalg.norm(normals, axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(normals[3], [0, 0, 1])


def test_tangents_of_a_quad_follow_u_with_positive_handedness():
    positions, uvs, indices = quad()
    normals = geometry.vertex_normals(positions, indices.reshape(-1, 3))
    tangents = geometry.vertex_tangents(positions, normals, uvs, indices.reshape(-1, 3))
    np.testing.assert_allclose(tangents[:, :3], np.tile([1, 0, 0], (4, 1)), atol=1e-6)
    # bitangent = cross(n, t) * w must point up the image, i.e. to +Y where v decreases.
    assert np.all(tangents[:, 3] == 1.0)


def test_mirrored_uvs_flip_the_handedness():
    positions, uvs, indices = quad()
    uvs = uvs.copy()
    uvs[:, 0] = 1.0 - uvs[:, 0]  # u now runs along -X
    normals = geometry.vertex_normals(positions, indices.reshape(-1, 3))
    tangents = geometry.vertex_tangents(positions, normals, uvs, indices.reshape(-1, 3))
    np.testing.assert_allclose(tangents[:, :3], np.tile([-1, 0, 0], (4, 1)), atol=1e-6)
    assert np.all(tangents[:, 3] == -1.0)


def test_tangents_are_unit_orthogonal_to_normals_on_a_random_mesh():
    rng = np.random.default_rng(1)
    positions = rng.normal(size=(300, 3)).astype(np.float32)
    tris = rng.integers(0, 300, size=(600, 3))
    uvs = rng.random((300, 2)).astype(np.float32)
    normals = geometry.vertex_normals(positions, tris)
    tangents = geometry.vertex_tangents(positions, normals, uvs, tris)
    np.testing.assert_allclose(np.linalg.norm(tangents[:, :3], axis=1), 1.0, atol=1e-5)
    assert np.abs(np.sum(tangents[:, :3] * normals, axis=1)).max() < 1e-4
    assert set(np.unique(tangents[:, 3])) <= {-1.0, 1.0}


def test_degenerate_uvs_still_give_a_perpendicular_tangent():
    positions, _, indices = quad()
    normals = geometry.vertex_normals(positions, indices.reshape(-1, 3))
    tangents = geometry.vertex_tangents(positions, normals, np.zeros((4, 2), np.float32), indices.reshape(-1, 3))
    np.testing.assert_allclose(np.linalg.norm(tangents[:, :3], axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(np.sum(tangents[:, :3] * normals, axis=1), 0.0, atol=1e-6)


def test_normals_and_tangents_of_a_large_mesh():
    """~79k triangles: unit normals, unit tangents orthogonal to them (tools/bench/load.py times it)."""
    n = 200
    u, v = np.meshgrid(np.linspace(0, 1, n), np.linspace(0, 1, n))
    positions = np.stack([u.ravel(), v.ravel(), np.sin(u.ravel() * 6)], axis=1).astype(np.float32)
    grid = np.arange(n * n).reshape(n, n)
    a, b, c, d = grid[:-1, :-1].ravel(), grid[:-1, 1:].ravel(), grid[1:, 1:].ravel(), grid[1:, :-1].ravel()
    tris = np.concatenate([np.stack([a, b, c], 1), np.stack([a, c, d], 1)])  # ~79k triangles
    normals = geometry.vertex_normals(positions, tris)
    tangents = geometry.vertex_tangents(positions, normals, positions[:, :2], tris)
    np.testing.assert_allclose(np.linalg.norm(normals, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(tangents[:, :3], axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.sum(tangents[:, :3] * normals, axis=1), 0.0, atol=1e-5)
