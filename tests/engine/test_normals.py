"""Normals a file leaves out, seen in the render: a glTF primitive without NORMAL is flat-shaded
(glTF 2.0, "Meshes"), so low-poly and CAD exports show their facets instead of melting."""
from __future__ import annotations

import numpy as np
import pytest

from dxgl_engine import Settings, Timeline, load_model
from tests.gltf_builder import GltfBuilder, icosahedron

SIZE = (240, 136)


def shading(frame: np.ndarray) -> tuple[float, int]:
    """(share of horizontally neighbouring model pixels with the same shade, number of jumps of more
    than 12 levels between neighbours): flat facets are constant inside and jump at their borders;
    smooth shading changes a little everywhere and jumps nowhere."""
    lum = frame[..., :3].astype(np.float64).mean(-1)
    inside = frame[..., 3] == 255
    both = inside[:, 1:] & inside[:, :-1]
    step = np.abs(np.diff(lum, axis=1))[both]
    return float((step < 0.5).mean()), int((step > 12).sum())


def render(path) -> np.ndarray:
    timeline = Timeline(load_model(path), Settings.from_json({"shadows": False, "length": 3}), SIZE)
    return timeline.frame(0)


@pytest.fixture(scope="module")
def icosahedra(tmp_path_factory, gl) -> dict[str, np.ndarray]:
    """The same icosahedron without normals and with smooth ones, rendered."""
    positions, faces = icosahedron()
    out = {}
    for name, attributes in (("flat", {}), ("smooth", {"NORMAL": positions})):
        b = GltfBuilder()
        b.simple_model(positions, faces.ravel(), **attributes)
        out[name] = render(b.write_glb(tmp_path_factory.mktemp(name) / "ico.glb"))
    return out


def test_a_primitive_without_normals_shows_its_facets(icosahedra):
    (same_flat, jumps_flat), (same_smooth, jumps_smooth) = shading(icosahedra["flat"]), shading(icosahedra["smooth"])
    # Measured: flat 0.93 of neighbours the same shade and 32 jumps, smooth 0.75 and none.
    assert same_flat > 0.85 and jumps_flat > 20, (same_flat, jumps_flat)
    assert same_smooth < 0.85 and jumps_smooth < 10, (same_smooth, jumps_smooth)
    assert (icosahedra["flat"][..., 3] == 255).sum() == pytest.approx((icosahedra["smooth"][..., 3] == 255).sum(),
                                                                      rel=0.01)  # the same silhouette


def test_wild_glb_without_normals_or_material_is_a_light_faceted_solid(shared_wild, gl):
    """../shared/wild/08: a GLB icosahedron with no NORMAL and no material."""
    frame = render(shared_wild / "08-no-normals-no-material" / "icosahedron_no_normals_no_material.glb")
    inside = frame[..., 3] == 255
    assert inside.sum() > 1000
    assert frame[inside][:, :3].mean() > 110, "light grey, not dark"
    same, jumps = shading(frame)
    assert same > 0.85 and jumps > 20, (same, jumps)
