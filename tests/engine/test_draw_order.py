"""Near-to-far draw orders: the right triangles first, every triangle once, the same picture."""
import numpy as np
import pytest

from dxgl_engine.render import draw_order
from dxgl_engine.pipeline.timeline import Timeline
from dxgl_engine.render.gpu_scene import GpuScene
from dxgl_engine.scene.model import Material, Mesh, Node, Primitive, Scene
from dxgl_engine.settings import Settings

LAYERS, GRID = 8, 41  # 8 stacked sheets of 2 * 40 * 40 triangles (50 runs each), stored far first


def sheet(z: float) -> tuple[np.ndarray, np.ndarray]:
    u = np.linspace(-1.0, 1.0, GRID)
    x, y = np.meshgrid(u, u)
    positions = np.c_[x.ravel(), y.ravel() + 1.2, np.full(GRID * GRID, z)]
    k = np.arange(GRID * GRID).reshape(GRID, GRID)
    a, b, c, d = k[:-1, :-1].ravel(), k[:-1, 1:].ravel(), k[1:, 1:].ravel(), k[1:, :-1].ravel()
    return positions, np.r_[np.c_[a, b, c], np.c_[a, c, d]]


def stacked_scene() -> Scene:
    """Double-sided sheets one behind the other along z, the farthest (most negative z) stored first."""
    chunks, tris, base = [], [], 0
    for layer in range(LAYERS):
        p, t = sheet(-0.1 * (LAYERS - layer))
        chunks.append(p)
        tris.append(t + base)
        base += len(p)
    positions = np.concatenate(chunks).astype(np.float32)
    normals = np.tile([0.0, 0.0, 1.0], (len(positions), 1)).astype(np.float32)
    prim = Primitive(positions, np.concatenate(tris).astype(np.uint32), normals, material=0)
    material = Material(base_color_factor=np.array([0.8, 0.3, 0.2, 1.0]), metallic_factor=0.0,
                        roughness_factor=0.6, double_sided=True)  # fmt: skip
    return Scene(nodes=[Node(mesh=0)], roots=[0], meshes=[Mesh("sheets", [prim])], materials=[material])


def test_near_to_far_puts_the_nearest_layer_first_and_keeps_every_triangle():
    scene = stacked_scene()
    prim = scene.meshes[0].primitives[0]
    towards_minus_z = np.array([0.0, 0.0, -1.0])  # a viewer on +z: the last-stored sheet is nearest
    ordered = draw_order.near_to_far(prim.positions, prim.indices, towards_minus_z)
    assert sorted(map(tuple, ordered)) == sorted(map(tuple, prim.indices)), "a permutation of the triangles"
    z = prim.positions[ordered][:, :, 2].mean(axis=1)
    per_sheet = len(prim.indices) // LAYERS
    assert np.all(z[:per_sheet] == z.max()), "the nearest sheet is drawn first"
    assert np.all(np.diff(z) <= 1e-6), "then each sheet behind it"
    # stored runs stay together: the first CLUSTER triangles are a run of the stored order
    first = [np.flatnonzero((prim.indices == tri).all(axis=1))[0] for tri in ordered[: draw_order.CLUSTER]]
    assert np.all(np.diff(first) == 1)


def test_nearest_direction_is_the_closest_of_the_set():
    eye, centre = np.array([3.0, 0.4, 2.9]), np.zeros(3)
    k = draw_order.nearest_direction(eye, centre)
    view = (centre - eye) / np.linalg.norm(centre - eye)
    assert draw_order.DIRECTIONS[k] @ view == pytest.approx(max(draw_order.DIRECTIONS @ view))
    assert np.degrees(np.arccos(draw_order.DIRECTIONS[k] @ view)) < 36
    assert len(draw_order.DIRECTIONS) == 26


def test_large_rigid_opaque_items_get_one_buffer_per_direction(gl):
    from dxgl_engine.scene.animation import Player, resolve_animation

    scene = stacked_scene()
    pose = Player(scene, resolve_animation(scene, None)).pose(0.0)
    item = GpuScene.upload(scene, pose).items[0]
    assert item.triangles >= draw_order.MIN_TRIANGLES and item.order_source is not None
    front = item.indices_towards(np.array([0.0, 1.2, 10.0]))
    assert front is not item.ibo and item.indices_towards(np.array([0.1, 1.3, 9.0])) is front
    back = item.indices_towards(np.array([0.0, 1.2, -10.0]))
    assert back is not front and len(item.ordered) == 2

    small = stacked_scene()
    small.meshes[0].primitives[0].indices = small.meshes[0].primitives[0].indices[:1000]
    item = GpuScene.upload(small, pose).items[0]
    assert item.order_source is None and item.indices_towards(np.array([0.0, 0.0, 5.0])) is item.ibo


def test_orders_kept_within_a_memory_budget(gl, monkeypatch):
    """A huge scan seen from every side (a sphere dataset) keeps only the orders the budget holds,
    dropping the least recently used; a small item keeps all 26."""
    from dxgl_engine.scene.animation import Player, resolve_animation

    assert draw_order.orders_kept(100_000) == 26
    assert draw_order.orders_kept(2_000_000) == 8  # 192 MiB of 24 MB orders
    scene = stacked_scene()
    item = GpuScene.upload(scene, Player(scene, resolve_animation(scene, None)).pose(0.0)).items[0]
    monkeypatch.setattr(draw_order, "BUDGET_BYTES", 3 * item.triangles * 12)
    eyes = [np.array(e, float) for e in ((0, 1.2, 9), (9, 1.2, 0), (0, 1.2, -9), (-9, 1.2, 0))]
    first = item.indices_towards(eyes[0])
    for eye in eyes[1:3]:
        item.indices_towards(eye)
    assert len(item.ordered) == 3
    assert item.indices_towards(eyes[0]) is first  # used again: now the most recent
    item.indices_towards(eyes[3])  # a fourth direction drops the least recently used (eyes[1])
    assert len(item.ordered) == 3 and item.indices_towards(eyes[0]) is first
    k1 = draw_order.nearest_direction(eyes[1], item.centroid)
    assert k1 not in item.ordered


@pytest.mark.parametrize("js", [{"shadows": False}, {"reflector": True}])
def test_orders_change_cost_not_the_picture(gl, monkeypatch, js):
    scene = stacked_scene()
    settings = Settings.from_json({"aspect": "1:1", **js})
    ordered = Timeline(scene, settings, (160, 160))
    with_orders = [ordered.frame_at(t, (255, 255, 255)) for t in (0.0, 0.3, 0.55)]
    assert ordered.renderer.meshes.gpu.items[0].ordered, "the orders were used"
    monkeypatch.setattr(draw_order, "MIN_TRIANGLES", 10**9)
    stored = Timeline(scene, settings, (160, 160))
    assert stored.renderer.meshes.gpu.items[0].order_source is None
    for a, b in zip(with_orders, [stored.frame_at(t, (255, 255, 255)) for t in (0.0, 0.3, 0.55)]):
        assert np.abs(a.astype(int) - b.astype(int)).max() <= 1
