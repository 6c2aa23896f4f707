"""glTF animation playback checked against values computed by hand from the spec's formulas,
and GPU skinning checked against a CPU reference of the same pose."""
import numpy as np
import pytest

from dxgl_engine import load_model
from dxgl_engine.scene.animation import Player, resolve_animation, sample, slerp
from dxgl_engine.pipeline.timeline import Timeline
from dxgl_engine.scene.deform import joint_matrices, morph, skin_matrices, skin_positions
from dxgl_engine.errors import InvalidSettings
from dxgl_engine.scene.model import Mesh, Node, Primitive, Scene
from dxgl_engine.settings import Settings
from dxgl_engine.scene.transforms import quat_to_matrix

pytestmark = pytest.mark.shared_assets


def model(shared_assets, rel):
    return load_model(shared_assets / "khronos" / rel)


@pytest.fixture(scope="module")
def interpolation(shared_assets):
    return model(shared_assets, "InterpolationTest/InterpolationTest.gltf")


def channel_value(scene, name, time):
    """The sampled value of an animation's only channel at `time`, and that channel's target path."""
    animation = scene.animations[resolve_animation(scene, name)]
    (ch,) = animation.channels
    return sample(animation.samplers[ch.sampler], time, rotation=ch.path == "rotation"), ch.path


# Keyframes of InterpolationTest (read from the file): scale keys at 0.0417, 0.4167, 0.875, 1.25, 1.667
# alternate 1.0 / 0.5; rotation keys at 0, 0.4167, 0.875, ... step 45 degrees about -Z.
K1, K2 = 0.4166666567325592, 0.875


def test_step_holds_the_previous_key(interpolation):
    value, path = channel_value(interpolation, "Step Scale", 0.6)
    assert path == "scale" and value == pytest.approx([0.5, 0.5, 0.5])
    value, _ = channel_value(interpolation, "Step Translation", 0.5)
    assert value == pytest.approx([0.0, 10.0, 0.0])


def test_linear_interpolates(interpolation):
    mid = (K1 + K2) / 2
    value, _ = channel_value(interpolation, "Linear Scale", mid)
    assert value == pytest.approx([0.75] * 3, abs=1e-6)
    quarter = K1 + 0.25 * (K2 - K1)
    value, _ = channel_value(interpolation, "Linear Scale", quarter)
    assert value == pytest.approx([0.5 + 0.25 * 0.5] * 3, abs=1e-6)


def test_linear_rotation_is_slerp(interpolation):
    value, path = channel_value(interpolation, "Linear Rotation", K1 / 2)
    # halfway between identity and 45 degrees about -Z: 22.5 degrees, i.e. half-angle 11.25 degrees
    half = np.radians(11.25)
    assert path == "rotation"
    assert value == pytest.approx([0.0, 0.0, -np.sin(half), np.cos(half)], abs=2e-3)
    assert np.linalg.norm(value) == pytest.approx(1.0)


def test_cubic_spline_hermite(interpolation):
    # Scale keys 1 (value 0.5) and 2 (value 1.0) have zero tangents in this file:
    # p(u) = (2u^3 - 3u^2 + 1) * 0.5 + (-2u^3 + 3u^2) * 1.0
    for u in (0.25, 0.5, 0.8):
        expected = (2 * u**3 - 3 * u**2 + 1) * 0.5 + (-2 * u**3 + 3 * u**2) * 1.0
        value, _ = channel_value(interpolation, "CubicSpline Scale", K1 + u * (K2 - K1))
        assert value == pytest.approx([expected] * 3, abs=1e-5)


def test_cubic_spline_uses_tangents_scaled_by_interval(interpolation):
    animation = interpolation.animations[resolve_animation(interpolation, "CubicSpline Rotation")]
    out = animation.samplers[0].output
    t0, t1 = animation.samplers[0].input[0], animation.samplers[0].input[1]
    u, dt = 0.3, float(t1 - t0)
    v0, b0, a1, v1 = out[1], out[2], out[3], out[4]  # value/out-tangent of key 0, in-tangent/value of key 1
    h = ((2 * u**3 - 3 * u**2 + 1) * v0 + (u**3 - 2 * u**2 + u) * dt * b0
         + (-2 * u**3 + 3 * u**2) * v1 + (u**3 - u**2) * dt * a1)  # fmt: skip
    value, _ = channel_value(interpolation, "CubicSpline Rotation", t0 + u * dt)
    assert value == pytest.approx(h / np.linalg.norm(h), abs=1e-6)


def test_values_clamp_outside_the_keys(interpolation):
    assert channel_value(interpolation, "Linear Scale", 0.0)[0] == pytest.approx([1, 1, 1])
    assert channel_value(interpolation, "Linear Scale", 99.0)[0] == pytest.approx([1, 1, 1])


def test_slerp_takes_the_short_way():
    q = slerp([0, 0, 0, 1], [0, 0, 0, -1], 0.5)  # the same rotation written twice
    assert np.allclose(np.abs(q), [0, 0, 0, 1])


def test_animation_names_and_errors(interpolation, shared_assets):
    assert resolve_animation(interpolation, "*") == 0
    assert resolve_animation(interpolation, "Linear Rotation") == [a.name for a in interpolation.animations].index(
        "Linear Rotation"
    )
    assert resolve_animation(interpolation, None) is None
    with pytest.raises(InvalidSettings, match="'Walk' is not in the model; its animations are: 'Step Scale'") as err:
        resolve_animation(interpolation, "Walk")
    assert err.value.field == "animation" and "'CubicSpline Translation'" in str(err.value)
    box = model(shared_assets, "Box/Box.glb")
    with pytest.raises(InvalidSettings, match="model has no animations"):
        resolve_animation(box, "*")
    with pytest.raises(InvalidSettings, match="no animations"):
        Timeline(box, Settings.from_json({"animation": "*"}), (64, 36))


def test_speed_and_looping(interpolation):
    p = Player(interpolation, resolve_animation(interpolation, "Linear Scale"), speed=2.0)
    d = p.duration
    assert p.animation_time(0.1) == pytest.approx(0.2)
    assert p.animation_time(d / 2 + 0.1) == pytest.approx(0.2, abs=1e-9)  # looped once at double speed
    node = p.animation.channels[0].node
    a, b = p.pose(0.1).world[node], p.pose(d / 2 + 0.1).world[node]
    assert np.allclose(a, b)


def test_truck_wheels_turn_and_body_stays(shared_assets):
    truck = model(shared_assets, "CesiumMilkTruck/CesiumMilkTruck.glb")
    p = Player(truck, 0)
    wheels = {c.node for c in p.animation.channels}
    a, b = p.pose(0.0), p.pose(0.5)
    for w in wheels:
        assert not np.allclose(a.world[w][:3, :3], b.world[w][:3, :3])
        assert np.allclose(a.world[w][:3, 3], b.world[w][:3, 3])  # they spin in place
    body = next(i for i, n in enumerate(truck.nodes) if n.mesh == 0)
    assert np.allclose(a.world[body], b.world[body])


def test_morph_weights_and_positions(shared_assets):
    simple = load_model(shared_assets / "khronos/SimpleMorph/glTF/SimpleMorph.gltf")
    p = Player(simple, 0)
    # weights keys: t=1 -> (0, 1), t=2 -> (1, 1): LINEAR halfway is (0.5, 1)
    pose = p.pose(1.5)
    (node,) = pose.weights
    assert pose.weights[node] == pytest.approx([0.5, 1.0])
    prim = simple.meshes[0].primitives[0]
    pos, _, _ = morph(prim, pose.weights[node])
    # vertex 2 is (0.5, 0.5, 0); target deltas for it are (-1, 1, 0) and (1, 1, 0)
    assert pos[2] == pytest.approx([0.5 + 0.5 * -1 + 1.0 * 1, 0.5 + 0.5 * 1 + 1.0 * 1, 0.0])
    # without an animation the mesh's default weights (0.5, 0.5) apply
    rest = Player(simple, None).pose(0.0)
    assert rest.weights[node] == pytest.approx([0.5, 0.5])

    cube = load_model(shared_assets / "khronos/AnimatedMorphCube/glTF/AnimatedMorphCube.gltf")
    sampler = cube.animations[0].samplers[0]
    k = 10
    t = float(sampler.input[k] + sampler.input[k + 1]) / 2
    expected = (sampler.output[k] + sampler.output[k + 1]) / 2
    (node,) = Player(cube, 0).pose(t).weights
    assert Player(cube, 0).pose(t).weights[node] == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("rel,animation_time", [("CesiumMan/CesiumMan.glb", 0.7), ("SimpleSkin/SimpleSkin.gltf", 2.2)])
def test_cpu_skinning_reference_moves_vertices(shared_assets, rel, animation_time):
    scene = model(shared_assets, rel)
    node = next(i for i, n in enumerate(scene.nodes) if n.skin is not None)
    prim = scene.meshes[scene.nodes[node].mesh].primitives[0]
    p = Player(scene, 0)
    rest = skin_positions(prim, joint_matrices(scene, scene.nodes[node].skin, p.pose(0.0)))
    moved = skin_positions(prim, joint_matrices(scene, scene.nodes[node].skin, p.pose(animation_time)))
    assert np.abs(moved - rest).max() > 0.05 * np.ptp(rest, axis=0).max()


def _baked(scene, pose):
    """The scene with every skinned mesh replaced by its CPU-skinned triangles (no skin left)."""
    prims = []
    for inst in scene.instances(pose.world):
        node = scene.nodes[inst.node]
        for prim in scene.meshes[inst.mesh].primitives:
            if node.skin is not None:
                joints = joint_matrices(scene, node.skin, pose)
                pos = skin_positions(prim, joints)
                m = skin_matrices(prim, joints)
                nrm = np.einsum("nij,nj->ni", m[:, :3, :3], prim.normals.astype(np.float64))
            else:
                pos = prim.positions @ inst.matrix[:3, :3].T + inst.matrix[:3, 3]
                nrm = prim.normals @ np.linalg.inv(inst.matrix[:3, :3])
            nrm /= np.linalg.norm(nrm, axis=1, keepdims=True)
            prims.append(Primitive(pos.astype(np.float32), prim.indices, nrm.astype(np.float32),
                                   texcoords=prim.texcoords, material=prim.material))  # fmt: skip
    return Scene(nodes=[Node(mesh=0)], roots=[0], meshes=[Mesh("baked", prims)], materials=scene.materials,
                 images=scene.images)  # fmt: skip


@pytest.mark.gl
@pytest.mark.parametrize("rel,seconds", [("CesiumMan/CesiumMan.glb", 0.7), ("SimpleSkin/SimpleSkin.gltf", 2.2)])
def test_gpu_skinning_matches_cpu_reference(shared_assets, gl, rel, seconds):
    scene = model(shared_assets, rel)
    settings = Settings.from_json({"animation": "*", "length": 3, "easing": False, "sweepAngle": 10})
    gpu_clip = Timeline(scene, settings, (160, 160))
    t = seconds / settings.length
    gpu = gpu_clip.frame_at(t, (255, 255, 255)).astype(int)
    baked = _baked(scene, gpu_clip.player.pose(seconds))
    cpu_clip = Timeline(baked, Settings.from_json({"length": 3, "easing": False, "sweepAngle": 10}), (160, 160))
    cpu_clip.framing = gpu_clip.framing  # same placement and camera: only the skinning differs
    cpu = cpu_clip.frame_at(t, (255, 255, 255)).astype(int)
    drawn = (gpu != 255).any(-1) | (cpu != 255).any(-1)
    assert drawn.sum() > 200
    assert np.abs(gpu - cpu).mean() < 1.0
    assert np.mean(np.abs(gpu - cpu).max(-1) > 40) < 0.01  # at most stray edge pixels differ


def test_quaternion_matrix_round_trip():
    q = np.array([0.1, -0.3, 0.2, 0.9])
    m = quat_to_matrix(q)
    assert np.allclose(m @ m.T, np.eye(3)) and np.linalg.det(m) == pytest.approx(1.0)
