"""glTF JSON -> Scene on generated files, and every loadable third-party glTF model."""
from __future__ import annotations

import numpy as np
import pytest

from dxgl_engine.errors import InvalidFormat
from dxgl_engine.load.formats import MODEL_SUFFIXES, convert_to_glb, load_glb_bytes, load_model
from dxgl_engine.scene import model as sc
from dxgl_engine.scene.info import model_info
from dxgl_engine.scene.posed import bounds
from dxgl_engine.scene.transforms import transform_points
from tests.gltf_builder import (
    BYTE,
    FLOAT,
    SHORT,
    UNSIGNED_BYTE,
    UNSIGNED_SHORT,
    GltfBuilder,
    cube_corners,
    encode_image,
    quad,
)

TRIANGLE = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], np.float32)
RED = np.tile(np.array([255, 0, 0, 255], np.uint8), (2, 3, 1))


def load(b: GltfBuilder, tmp_path, name: str = "model.glb") -> sc.Scene:
    return load_model(b.write_glb(tmp_path / name))


def _tri_set(positions: np.ndarray, triangles) -> set[tuple]:
    """Triangles as corner coordinates, each starting at its smallest corner (winding kept): the
    same whether the primitive shares vertices or not."""
    out = set()
    for t in np.asarray(triangles).tolist():
        corners = [tuple(positions[i].tolist()) for i in t]
        k = corners.index(min(corners))
        out.add(tuple(corners[k:] + corners[:k]))
    return out


# -- hierarchy -----------------------------------------------------------------------------------


def test_matrix_and_trs_nodes_compose_into_world_positions(tmp_path):
    b = GltfBuilder()
    mesh = b.mesh(b.primitive(TRIANGLE))
    # parent: rotate 90 deg about Z then translate (1, 2, 3), given as a column-major matrix
    parent_matrix = [0, 1, 0, 0, -1, 0, 0, 0, 0, 0, 1, 0, 1, 2, 3, 1]
    child = b.node(mesh=mesh, translation=[1, 0, 0], scale=[2, 2, 2])
    # a second child turned 90 deg about Y by quaternion
    turned = b.node(mesh=mesh, rotation=[0, np.sin(np.pi / 4), 0, np.cos(np.pi / 4)])
    b.scene(b.node(matrix=parent_matrix, children=[child, turned]))
    scene = load(b, tmp_path)
    world = scene.world_matrices()
    np.testing.assert_allclose(transform_points(world[child], np.array([[1.0, 0, 0]])), [[1, 5, 3]], atol=1e-9)
    np.testing.assert_allclose(transform_points(world[turned], np.array([[1.0, 0, 0]])), [[1, 2, 2]], atol=1e-9)
    assert scene.nodes[2].matrix is not None and scene.nodes[0].matrix is None


def test_mesh_instancing_counts_every_instance(tmp_path):
    b = GltfBuilder()
    mesh = b.mesh(b.primitive(TRIANGLE))
    nodes = [b.node(mesh=mesh, translation=[i * 3, 0, 0]) for i in range(3)]
    b.scene(*nodes)
    scene = load(b, tmp_path)
    stats = model_info(scene)
    assert (stats["instances"], stats["triangles"], stats["uniqueTriangles"]) == (3, 3, 1)
    np.testing.assert_allclose(bounds(scene)[1], [7, 1, 0])


def test_multiple_primitives_keep_their_materials(tmp_path):
    b = GltfBuilder()
    red = b.material(pbrMetallicRoughness={"baseColorFactor": [1, 0, 0, 1]})
    blue = b.material(pbrMetallicRoughness={"baseColorFactor": [0, 0, 1, 1]})
    b.scene(b.node(mesh=b.mesh(b.primitive(TRIANGLE, material=red), b.primitive(TRIANGLE + 2, material=blue),
                               b.primitive(TRIANGLE - 2))))
    prims = load(b, tmp_path).meshes[0].primitives
    assert [p.material for p in prims] == [0, 1, None]


def test_default_scene_is_the_scene_index(tmp_path):
    b = GltfBuilder()
    mesh = b.mesh(b.primitive(TRIANGLE))
    first, second = b.node(mesh=mesh), b.node(mesh=mesh, translation=[5, 0, 0])
    b.scene(first, default=False)
    b.scene(second)
    assert load(b, tmp_path).roots == [second]
    del b.gltf["scene"]
    assert load(b, tmp_path).roots == [first]


def test_without_scenes_every_root_node_is_drawn(tmp_path):
    b = GltfBuilder()
    mesh = b.mesh(b.primitive(TRIANGLE))
    child = b.node(mesh=mesh)
    b.node(children=[child])
    b.node(mesh=mesh)
    assert load(b, tmp_path).roots == [1, 2]


def test_a_non_root_node_in_a_scene_is_ignored_with_a_warning(tmp_path):
    b = GltfBuilder()
    child = b.node(mesh=b.mesh(b.primitive(TRIANGLE)))
    parent = b.node(children=[child])
    b.scene(parent, child)
    scene = load(b, tmp_path)
    assert scene.roots == [parent] and scene.triangle_count == 1
    assert any("node 0 is not a root" in w for w in scene.warnings)


# -- primitive modes -------------------------------------------------------------------------------


def test_strips_and_fans_give_the_same_triangles_as_a_list(tmp_path):
    positions = quad()[0]
    b = GltfBuilder()
    pos = b.accessor(positions)
    listed = b.primitive(pos, indices=np.array([0, 1, 3, 1, 2, 3], np.uint16))
    strip = b.primitive(pos, indices=np.array([0, 1, 3, 2], np.uint16), mode=5)
    fan = b.primitive(pos, indices=np.array([1, 2, 3, 0], np.uint8), mode=6, index_type=UNSIGNED_BYTE)
    b.scene(b.node(mesh=b.mesh(listed, strip, fan)))
    prims = load(b, tmp_path).meshes[0].primitives
    # same triangles with the same (counter-clockwise) winding
    expected = _tri_set(positions, [(0, 1, 3), (1, 2, 3)])
    assert all(_tri_set(p.positions, p.indices) == expected for p in prims)


def test_non_indexed_triangles_and_strips(tmp_path):
    positions = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0]], np.float32)
    b = GltfBuilder()
    pos = b.accessor(positions)
    b.scene(b.node(mesh=b.mesh(b.primitive(pos, mode=5), b.primitive(b.accessor(positions[:3])))))
    strip, plain = load(b, tmp_path).meshes[0].primitives
    assert _tri_set(strip.positions, strip.indices) == _tri_set(positions, [(0, 1, 2), (1, 3, 2)])
    assert _tri_set(plain.positions, plain.indices) == _tri_set(positions, [(0, 1, 2)])
    assert plain.indices.dtype == np.uint32


@pytest.mark.parametrize("mode, name", [(0, "POINTS"), (1, "LINES"), (2, "LINE_LOOP"), (3, "LINE_STRIP")])
def test_points_and_lines_are_skipped_with_a_warning(tmp_path, mode, name):
    b = GltfBuilder()
    b.scene(b.node(mesh=b.mesh(b.primitive(TRIANGLE, mode=mode), b.primitive(TRIANGLE))))
    scene = load(b, tmp_path)
    assert len(scene.meshes[0].primitives) == 1 and scene.triangle_count == 1
    assert f"meshes[0].primitives[0]: mode {mode} ({name}) skipped" in scene.warnings[0]


# -- materials and textures --------------------------------------------------------------------------


def _textured_model(b: GltfBuilder, material: dict, texcoord_sets: int = 1) -> None:
    positions, uvs, indices = quad()
    attrs = {f"TEXCOORD_{k}": uvs * (k + 1) for k in range(texcoord_sets)}
    attrs["NORMAL"] = np.tile(np.array([0, 0, 1], np.float32), (len(positions), 1))
    b.scene(b.node(mesh=b.mesh(b.primitive(positions, indices, material=b.material(**material), **attrs))))


def test_texture_transform_becomes_a_uv_matrix(tmp_path):
    b = GltfBuilder()
    tex = b.texture(b.image(RED))
    transform = {"offset": [0.5, 0.0], "rotation": np.pi / 2, "scale": [2.0, 3.0], "texCoord": 1}
    _textured_model(b, {"pbrMetallicRoughness": {"baseColorTexture": {
        "index": tex, "texCoord": 0, "extensions": {"KHR_texture_transform": transform}}}}, texcoord_sets=2)
    ref = load(b, tmp_path).materials[0].base_color_texture
    np.testing.assert_allclose(ref.uv_transform, [[0, 3, 0.5], [-2, 0, 0], [0, 0, 1]], atol=1e-12)
    assert ref.texcoord == 1  # the extension's texCoord overrides the textureInfo's


def test_texture_transform_follows_the_extension_example(tmp_path):
    # KHR_texture_transform README: offset [0, 1], rotation pi/2, scale 0.5 shows the lower-left quadrant.
    b = GltfBuilder()
    tex = b.texture(b.image(RED))
    transform = {"offset": [0, 1], "rotation": np.pi / 2, "scale": [0.5, 0.5]}
    _textured_model(b, {"emissiveTexture": {"index": tex, "extensions": {"KHR_texture_transform": transform}}})
    m = load(b, tmp_path).materials[0].emissive_texture.uv_transform
    corners = np.array([[0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1]], float) @ m.T
    np.testing.assert_allclose(corners[:, :2].min(0), [0.0, 0.5], atol=1e-12)
    np.testing.assert_allclose(corners[:, :2].max(0), [0.5, 1.0], atol=1e-12)


def test_texcoord_sets_samplers_and_texture_slots(tmp_path):
    b = GltfBuilder()
    clamp = b.sampler(magFilter=9728, minFilter=9986, wrapS=33071, wrapT=33648)
    img = b.image(RED)
    base, emissive = b.texture(img, sampler=clamp), b.texture(img)
    _textured_model(b, {
        "pbrMetallicRoughness": {"baseColorTexture": {"index": base}, "metallicRoughnessTexture": {"index": base}},
        "normalTexture": {"index": base, "scale": 0.5},
        "occlusionTexture": {"index": base, "strength": 0.25},
        "emissiveTexture": {"index": emissive, "texCoord": 1},
    }, texcoord_sets=2)
    scene = load(b, tmp_path)
    mat, prim = scene.materials[0], scene.meshes[0].primitives[0]
    assert set(mat.textures()) == {"baseColorTexture", "metallicRoughnessTexture", "normalTexture",
                                   "occlusionTexture", "emissiveTexture"}
    assert mat.base_color_texture.sampler == sc.Sampler(9728, 9986, 33071, 33648)
    assert mat.emissive_texture.sampler == sc.Sampler()  # no sampler: repeat, filters left to the renderer
    assert (mat.emissive_texture.texcoord, mat.normal_texture.scale, mat.occlusion_texture.scale) == (1, 0.5, 0.25)
    assert len(prim.texcoords) == 2
    np.testing.assert_allclose(prim.texcoords[1], quad()[1] * 2)
    # one image used by five texture slots is decoded once
    assert len(scene.images) == 1 and {r.image for r in mat.textures().values()} == {0}
    assert scene.images[0].pixels.shape == (2, 3, 4) and scene.images[0].pixels.dtype == np.uint8


def test_images_decode_to_rgba8_from_png_jpeg_and_webp(tmp_path):
    grey = np.full((4, 5), 200, np.uint8)
    b = GltfBuilder()
    pngs = b.texture(b.image(grey))
    jpeg = b.texture(b.image(np.zeros((8, 8, 3), np.uint8) + 90, fmt="JPEG"))
    webp_img = b.image(np.zeros((3, 3, 4), np.uint8) + 30, fmt="WEBP")
    b.use_extension("EXT_texture_webp")
    webp = b.texture(b.image(RED), extensions={"EXT_texture_webp": {"source": webp_img}})
    _textured_model(b, {"pbrMetallicRoughness": {"baseColorTexture": {"index": pngs},
                                                 "metallicRoughnessTexture": {"index": jpeg}},
                        "emissiveTexture": {"index": webp}})
    scene = load(b, tmp_path)
    shapes = {img.mime_type: img.pixels.shape for img in scene.images}
    assert shapes == {"image/png": (4, 5, 4), "image/jpeg": (8, 8, 4), "image/webp": (3, 3, 4)}
    mat = scene.materials[0]
    np.testing.assert_array_equal(scene.images[mat.base_color_texture.image].pixels[0, 0], [200, 200, 200, 255])
    assert scene.images[mat.emissive_texture.image].mime_type == "image/webp"  # the webp source wins
    assert len(scene.images) == 3  # the fallback PNG is not used, so not decoded


@pytest.mark.parametrize("mode, cutoff", [("OPAQUE", 0.5), ("MASK", 0.3), ("BLEND", 0.5)])
def test_alpha_modes(tmp_path, mode, cutoff):
    b = GltfBuilder()
    material = {"alphaMode": mode, "doubleSided": True}
    if mode == "MASK":
        material["alphaCutoff"] = cutoff
    _textured_model(b, material)
    mat = load(b, tmp_path).materials[0]
    assert (mat.alpha_mode, mat.alpha_cutoff, mat.double_sided) == (mode, cutoff, True)


def test_unknown_alpha_mode_falls_back_to_opaque(tmp_path):
    b = GltfBuilder()
    _textured_model(b, {"alphaMode": "GLASS"})
    scene = load(b, tmp_path)
    assert scene.materials[0].alpha_mode == "OPAQUE"
    assert any("alphaMode: unknown mode 'GLASS'" in w for w in scene.warnings)


def test_emissive_strength_unlit_and_raw_extensions(tmp_path):
    b = GltfBuilder()
    for name in ("KHR_materials_emissive_strength", "KHR_materials_unlit", "KHR_materials_clearcoat",
                 "KHR_materials_pbrSpecularGlossiness"):
        b.use_extension(name)
    clearcoat = {"clearcoatFactor": 0.7}
    _textured_model(b, {
        "emissiveFactor": [1, 0.5, 0.25],
        "pbrMetallicRoughness": {"metallicFactor": 0.2, "roughnessFactor": 0.6, "baseColorFactor": [1, 0.5, 0, 0.8]},
        "extensions": {"KHR_materials_emissive_strength": {"emissiveStrength": 25},
                       "KHR_materials_unlit": {}, "KHR_materials_clearcoat": clearcoat,
                       "KHR_materials_pbrSpecularGlossiness": {"glossinessFactor": 0.4}},
    })
    scene = load(b, tmp_path)
    mat = scene.materials[0]
    assert (mat.emissive_strength, mat.unlit, mat.metallic_factor, mat.roughness_factor) == (25.0, True, 0.2, 0.6)
    np.testing.assert_allclose(mat.emissive_factor, [1, 0.5, 0.25])
    np.testing.assert_allclose(mat.base_color_factor, [1, 0.5, 0, 0.8])
    assert mat.extensions == {"KHR_materials_clearcoat": clearcoat,
                              "KHR_materials_pbrSpecularGlossiness": {"glossinessFactor": 0.4}}
    assert scene.extensions_used[:2] == ["KHR_materials_emissive_strength", "KHR_materials_unlit"]
    assert [w for w in scene.warnings if "ignores" in w] == [
        "model uses glTF extension KHR_materials_pbrSpecularGlossiness, which dxgl ignores "
        "(the model renders without it)"
    ]


def test_material_defaults(tmp_path):
    b = GltfBuilder()
    _textured_model(b, {})
    mat = load(b, tmp_path).materials[0]
    assert (mat.metallic_factor, mat.roughness_factor, mat.alpha_mode, mat.emissive_strength, mat.unlit) == (
        1.0, 1.0, "OPAQUE", 1.0, False)
    assert mat.textures() == {}


# -- vertex attributes -----------------------------------------------------------------------------


def test_color_0_normalized_ubyte_vec3_becomes_float_rgba(tmp_path):
    b = GltfBuilder()
    colors = b.accessor(np.array([[255, 0, 0], [0, 51, 0], [0, 0, 255]]), UNSIGNED_BYTE, normalized=True)
    b.simple_model(TRIANGLE, COLOR_0=colors)
    prim = load(b, tmp_path).meshes[0].primitives[0]
    assert prim.colors.dtype == np.float32 and prim.colors.shape == (3, 4)
    np.testing.assert_allclose(prim.colors, [[1, 0, 0, 1], [0, 0.2, 0, 1], [0, 0, 1, 1]], atol=1e-7)


def test_color_0_normalized_ushort_vec4_keeps_alpha(tmp_path):
    b = GltfBuilder()
    colors = b.accessor(np.array([[65535, 0, 0, 0], [0, 65535, 0, 65535], [0, 0, 0, 32768]]), UNSIGNED_SHORT,
                        normalized=True)
    b.simple_model(TRIANGLE, COLOR_0=colors)
    prim = load(b, tmp_path).meshes[0].primitives[0]
    np.testing.assert_allclose(prim.colors[:, 3], [0, 1, 32768 / 65535], atol=1e-7)


def test_missing_normals_are_flat(tmp_path):
    """glTF 2.0, Meshes: without NORMAL, flat normals. Each triangle gets its own corners with the
    face's normal; every other attribute follows its corner."""
    positions, indices = cube_corners()
    colors = np.linspace(0, 1, 32, dtype=np.float32).reshape(8, 4)
    b = GltfBuilder()
    b.simple_model(positions, indices, COLOR_0=colors)
    prim = load(b, tmp_path).meshes[0].primitives[0]
    corners = indices.reshape(-1, 3)
    assert len(prim.positions) == 3 * len(corners) and _tri_set(prim.positions, prim.indices) == _tri_set(
        positions, corners)
    np.testing.assert_array_equal(prim.colors, colors[corners.ravel()])
    normals = prim.normals[prim.indices]  # (faces, 3 corners, 3)
    np.testing.assert_allclose(normals, np.repeat(normals[:, :1], 3, axis=1))  # one normal per face
    np.testing.assert_allclose(np.abs(normals[:, 0]).max(1), 1.0, atol=1e-6)  # a cube's faces: along an axis
    centroids = prim.positions[prim.indices].mean(1)
    assert np.all(np.sum(normals[:, 0] * centroids, axis=1) > 0)  # outward


def test_bad_normals_are_normalised_and_zero_ones_regenerated(tmp_path):
    positions, _, indices = quad()
    normals = np.array([[0, 0, 2], [0, 0, 0], [0, 0, 1], [0, 0, 0.5]], np.float32)
    b = GltfBuilder()
    b.simple_model(positions, indices, NORMAL=normals)
    scene = load(b, tmp_path)
    np.testing.assert_allclose(scene.meshes[0].primitives[0].normals, np.tile([0, 0, 1], (4, 1)), atol=1e-6)
    assert "2 of 4 NORMAL vectors were not unit length; normalised" in scene.warnings[0]
    assert "1 of 4 NORMAL vectors were zero or invalid; regenerated" in scene.warnings[1]


def test_tangents_are_generated_only_for_normal_mapped_primitives(tmp_path):
    positions, uvs, indices = quad()
    b = GltfBuilder()
    mapped = b.material(normalTexture={"index": b.texture(b.image(RED))})
    plain = b.material()
    given = np.tile(np.array([0, 1, 0, -1], np.float32), (4, 1))
    b.scene(b.node(mesh=b.mesh(
        b.primitive(positions, indices, material=mapped, TEXCOORD_0=uvs),
        b.primitive(positions, indices, material=plain, TEXCOORD_0=uvs),
        b.primitive(positions, indices, material=mapped, TEXCOORD_0=uvs, TANGENT=given),
    )))
    generated, none, kept = load(b, tmp_path).meshes[0].primitives
    assert generated.tangents.shape == (6, 4) and generated.tangents.dtype == np.float32  # flat: 2 x 3 corners
    np.testing.assert_allclose(np.sum(generated.tangents[:, :3] * generated.normals, axis=1), 0, atol=1e-6)
    assert set(generated.tangents[:, 3]) <= {-1.0, 1.0}
    np.testing.assert_allclose(generated.tangents[:, :3], np.tile([1, 0, 0], (6, 1)), atol=1e-6)
    assert none.tangents is None
    np.testing.assert_array_equal(kept.tangents, given[indices])  # flat: each corner keeps its vertex's tangent


def test_mesh_quantization_decodes_integer_attributes(tmp_path):
    b = GltfBuilder()
    b.use_extension("KHR_mesh_quantization", required=True)
    pos = b.accessor(np.array([[0, 0, 0], [1000, 0, 0], [0, 1000, 0]]), SHORT)
    nrm = b.accessor(np.array([[0, 0, 127]] * 3), BYTE, normalized=True)
    uv = b.accessor(np.array([[0, 0], [65535, 0], [0, 65535]]), UNSIGNED_SHORT, normalized=True)
    uv_raw = b.accessor(np.array([[0, 0], [2, 0], [0, 2]]), UNSIGNED_BYTE)
    mesh = b.mesh(b.primitive(pos, NORMAL=nrm, TEXCOORD_0=uv, TEXCOORD_1=uv_raw))
    node = b.node(mesh=mesh, scale=[0.001, 0.001, 0.001])
    b.scene(node)
    scene = load(b, tmp_path)
    prim = scene.meshes[0].primitives[0]
    assert prim.positions.dtype == np.float32
    np.testing.assert_array_equal(prim.positions[1], [1000, 0, 0])
    np.testing.assert_allclose(prim.normals, np.tile([0, 0, 1], (3, 1)))
    np.testing.assert_allclose(prim.texcoords[0][1], [1, 0])
    np.testing.assert_array_equal(prim.texcoords[1][2], [0, 2])
    np.testing.assert_allclose(bounds(scene)[1], [1, 1, 0], atol=1e-9)
    assert scene.extensions_required == ["KHR_mesh_quantization"] and not scene.warnings


def test_interleaved_vertex_buffer(tmp_path):
    positions, _, indices = quad()
    b = GltfBuilder()
    pos, nrm = b.interleaved((positions, FLOAT), (np.tile([0, 0, 127], (4, 1)), BYTE), normalized=(False, True))
    b.simple_model(pos, indices, NORMAL=nrm)
    prim = load(b, tmp_path).meshes[0].primitives[0]
    np.testing.assert_array_equal(prim.positions, positions)
    np.testing.assert_allclose(prim.normals, np.tile([0, 0, 1], (4, 1)))


def test_sparse_positions_displace_the_base(tmp_path):
    positions, _, indices = quad()
    b = GltfBuilder()
    pos = b.sparse_accessor(4, values=[[0, 1, 5]], indices=[3], base=positions)
    b.simple_model(pos, indices, NORMAL=np.tile(np.array([0, 0, 1], np.float32), (4, 1)))
    np.testing.assert_array_equal(load(b, tmp_path).meshes[0].primitives[0].positions[3], [0, 1, 5])


# -- skins, morph targets, animations, lights, cameras ------------------------------------------------


def test_skin_joints_weights_and_inverse_bind_matrices(tmp_path):
    b = GltfBuilder()
    joints = b.accessor(np.array([[0, 1, 0, 0]] * 3), UNSIGNED_BYTE)
    weights = b.accessor(np.array([[255, 0, 0, 0], [128, 127, 0, 0], [0, 255, 0, 0]]), UNSIGNED_BYTE, normalized=True)
    mesh = b.mesh(b.primitive(TRIANGLE, JOINTS_0=joints, WEIGHTS_0=weights))
    root, tip = b.node(children=[1]), b.node(translation=[0, 1, 0])
    ibm = np.tile(np.eye(4), (2, 1, 1))
    ibm[1, :3, 3] = [0, -1, 0]
    ibm_acc = b.accessor(ibm.transpose(0, 2, 1).reshape(2, 16), FLOAT, type_="MAT4")
    b.add("skins", {"joints": [root, tip], "inverseBindMatrices": ibm_acc})
    b.add("skins", {"joints": [root]})
    b.scene(root, b.node(mesh=mesh, skin=0))
    scene = load(b, tmp_path)
    prim = scene.meshes[0].primitives[0]
    assert prim.joints[0].dtype == np.uint16 and prim.joints[0].tolist()[0] == [0, 1, 0, 0]
    np.testing.assert_allclose(prim.weights[0][1], [128 / 255, 127 / 255, 0, 0], atol=1e-7)
    np.testing.assert_allclose(scene.skins[0].inverse_bind_matrices, ibm)
    np.testing.assert_allclose(scene.skins[1].inverse_bind_matrices, [np.eye(4)])
    assert scene.nodes[2].skin == 0 and model_info(scene)["skins"] == 2


def test_morph_targets_default_weights_and_weight_animation(tmp_path):
    b = GltfBuilder()
    deltas = [b.accessor(np.array([[0, 0, k + 1]] * 3, np.float32)) for k in range(2)]
    ndelta = b.accessor(np.zeros((3, 3), np.float32))
    prim = b.primitive(TRIANGLE)
    prim["targets"] = [{"POSITION": deltas[0], "NORMAL": ndelta}, {"POSITION": deltas[1]}]
    mesh = b.mesh(prim, weights=[0.25, 0.5])
    node = b.node(mesh=mesh)
    b.scene(node)
    times = b.accessor(np.array([0.0, 1.0, 2.0], np.float32))
    values = b.accessor(np.array([0, 1, 1, 0, 0.5, 0.5], np.float32))
    b.add("animations", {"samplers": [{"input": times, "output": values}],
                         "channels": [{"sampler": 0, "target": {"node": node, "path": "weights"}}]})
    scene = load(b, tmp_path)
    p = scene.meshes[0].primitives[0]
    assert len(p.targets) == 2 and p.targets[1].normals is None
    np.testing.assert_array_equal(p.targets[1].positions[0], [0, 0, 2])
    np.testing.assert_allclose(scene.meshes[0].weights, [0.25, 0.5])
    assert scene.animations[0].samplers[0].output.shape == (3, 2)
    assert model_info(scene)["morphTargets"] == 2


def test_animation_samplers_and_channels(tmp_path):
    b = GltfBuilder()
    node = b.node(mesh=b.mesh(b.primitive(TRIANGLE)))
    b.scene(node)
    times = b.accessor(np.array([0.0, 0.5, 2.0], np.float32))
    moves = b.accessor(np.arange(9, dtype=np.float32).reshape(3, 3))
    turns = b.accessor(np.tile(np.array([0, 0, 0, 32767], np.int16), (9, 1)), SHORT, normalized=True)
    b.add("animations", {"name": "spin", "samplers": [
        {"input": times, "output": moves, "interpolation": "STEP"},
        {"input": times, "output": turns, "interpolation": "CUBICSPLINE"},
    ], "channels": [
        {"sampler": 0, "target": {"node": node, "path": "translation"}},
        {"sampler": 1, "target": {"node": node, "path": "rotation"}},
        {"sampler": 1, "target": {"path": "rotation"}},  # no node: allowed, ignored
    ]})
    anim = load(b, tmp_path).animations[0]
    assert anim.name == "spin" and anim.duration == 2.0
    assert [(c.sampler, c.node, c.path) for c in anim.channels] == [(0, 0, "translation"), (1, 0, "rotation")]
    assert anim.samplers[1].output.shape == (9, 4) and anim.samplers[1].output[0, 3] == 1.0
    assert anim.samplers[0].interpolation == "STEP"


def test_lights_and_cameras(tmp_path):
    b = GltfBuilder()
    b.use_extension("KHR_lights_punctual")
    b.gltf["extensions"] = {"KHR_lights_punctual": {"lights": [
        {"type": "spot", "color": [1, 0.5, 0], "intensity": 3, "range": 10,
         "spot": {"innerConeAngle": 0.1, "outerConeAngle": 0.5}},
        {"type": "directional"},
    ]}}
    b.add("cameras", {"type": "perspective", "perspective": {"yfov": 0.7, "znear": 0.1}})
    lamp = b.node(extensions={"KHR_lights_punctual": {"light": 1}})
    b.scene(b.node(mesh=b.mesh(b.primitive(TRIANGLE))), lamp, b.node(camera=0))
    scene = load(b, tmp_path)
    spot, sun = scene.lights
    assert (spot.type, spot.intensity, spot.range, spot.inner_cone_angle, spot.outer_cone_angle) == (
        "spot", 3.0, 10.0, 0.1, 0.5)
    assert (sun.type, sun.intensity, sun.range) == ("directional", 1.0, None)
    assert scene.nodes[lamp].light == 1 and scene.cameras == 1 and scene.nodes[2].camera == 0


def test_scene_metadata(tmp_path):
    b = GltfBuilder(generator="unit test writer")
    b.use_extension("KHR_texture_transform", required=True)
    b.use_extension("EXT_fancy_future_thing")
    b.simple_model(TRIANGLE)
    scene = load(b, tmp_path, "meta.glb")
    assert (scene.source, scene.generator) == ("meta.glb", "unit test writer")
    assert scene.extensions_required == ["KHR_texture_transform"]
    assert scene.extensions_used == ["KHR_texture_transform", "EXT_fancy_future_thing"]
    assert scene.warnings == ["model uses glTF extension EXT_fancy_future_thing, which dxgl ignores "
                              "(the model renders without it)"]


# -- containers ------------------------------------------------------------------------------------


def _textured_files(tmp_path, **image_kwargs):
    positions, uvs, indices = quad()
    b = GltfBuilder()
    _textured_model(b, {"pbrMetallicRoughness": {"baseColorTexture": {"index": b.texture(b.image(**image_kwargs))}}})
    return b


def test_gltf_with_external_bin_and_image_beside_it(tmp_path):
    (tmp_path / "tex dir").mkdir()
    (tmp_path / "tex dir" / "red.png").write_bytes(encode_image(RED))
    b = _textured_files(tmp_path, uri="tex%20dir/red.png")
    path = b.write_gltf(tmp_path / "model.gltf", bin_name="model.bin")
    scene = load_model(path)
    assert scene.images[0].pixels.shape == (2, 3, 4) and scene.images[0].mime_type == "image/png"
    assert scene.source == "model.gltf"


def test_gltf_with_data_uris(tmp_path):
    b = _textured_files(tmp_path, pixels=RED, uri="data:")
    scene = load_model(b.write_gltf(tmp_path / "embedded.gltf"))
    np.testing.assert_array_equal(scene.images[0].pixels, RED)


def test_convert_to_glb_packs_a_gltf_and_its_files(tmp_path):
    (tmp_path / "red.png").write_bytes(encode_image(RED))
    b = _textured_files(tmp_path, uri="red.png")
    path = b.write_gltf(tmp_path / "model.gltf", bin_name="model.bin")
    glb = convert_to_glb(path)
    assert glb[:4] == b"glTF"
    (tmp_path / "red.png").unlink()
    (tmp_path / "model.bin").unlink()
    scene = load_glb_bytes(glb, "packed.glb")
    np.testing.assert_array_equal(scene.images[0].pixels, RED)
    assert scene.triangle_count == 2 and scene.source == "packed.glb"


def test_convert_to_glb_returns_glb_bytes_unchanged(tmp_path):
    b = GltfBuilder()
    b.simple_model(TRIANGLE)
    path = b.write_glb(tmp_path / "m.glb")
    assert convert_to_glb(path) == path.read_bytes()


def test_glb_bytes_cannot_reach_external_files(tmp_path):
    b = _textured_files(tmp_path, uri="red.png")
    with pytest.raises(InvalidFormat, match=r"images\[0\]\.uri: external file 'red.png' cannot be read"):
        load_glb_bytes(b.glb(), "mem.glb")


def test_large_generated_mesh_loads_with_tangents(tmp_path):
    """124k triangles with a normal map: every triangle kept and tangents generated (the load
    time is measured by tools/bench/load.py, not asserted here)."""
    n = 250
    u, v = np.meshgrid(np.linspace(0, 1, n), np.linspace(0, 1, n))
    positions = np.stack([u.ravel(), v.ravel(), np.sin(u.ravel() * 5)], axis=1).astype(np.float32)
    grid = np.arange(n * n).reshape(n, n)
    a, bb, c, d = grid[:-1, :-1].ravel(), grid[:-1, 1:].ravel(), grid[1:, 1:].ravel(), grid[1:, :-1].ravel()
    indices = np.concatenate([np.stack([a, bb, c], 1), np.stack([a, c, d], 1)]).ravel().astype(np.uint32)
    b = GltfBuilder()
    mapped = b.material(normalTexture={"index": b.texture(b.image(RED))})
    b.scene(b.node(mesh=b.mesh(b.primitive(positions, b.accessor(indices, 5125), material=mapped,
                                           TEXCOORD_0=positions[:, :2]))))
    scene = load_model(b.write_glb(tmp_path / "grid.glb"))
    assert scene.triangle_count == 2 * (n - 1) ** 2 and scene.meshes[0].primitives[0].tangents is not None


# -- third-party models ------------------------------------------------------------------------------

# (path, triangles, unique triangles or None, texture slots expected, {stat: value})
SHARED_MODELS = [
    ("khronos/Box/Box.glb", 12, None, set(), {}),
    ("khronos/BoxInterleaved/BoxInterleaved.glb", 12, None, set(), {}),
    ("khronos/BoxTextured/BoxTextured.glb", 12, None, {"baseColorTexture"}, {}),
    ("khronos/BoxVertexColors/BoxVertexColors.glb", 12, None, set(), {}),
    ("khronos/Duck/Duck.glb", 4212, None, {"baseColorTexture"}, {"cameras": 1}),
    ("khronos/DamagedHelmet/DamagedHelmet.glb", 15452, None,
     {"baseColorTexture", "emissiveTexture", "metallicRoughnessTexture", "normalTexture", "occlusionTexture"}, {}),
    ("khronos/CesiumMilkTruck/CesiumMilkTruck.glb", 3624, 2856, {"baseColorTexture"}, {"animations": 1}),
    ("khronos/2CylinderEngine/2CylinderEngine.glb", 121496, 75730, set(), {"cameras": 1, "nodes": 82}),
    ("khronos/CesiumMan/CesiumMan.glb", 4672, None, {"baseColorTexture"}, {"skins": 1, "animations": 1}),
    ("khronos/SimpleSkin/SimpleSkin.gltf", 8, None, set(), {"skins": 1, "animations": 1}),
    ("khronos/AnimatedMorphCube/glTF/AnimatedMorphCube.gltf", 12, None, set(), {"morphTargets": 2, "animations": 1}),
    ("khronos/SimpleMorph/glTF/SimpleMorph.gltf", 1, None, set(), {"morphTargets": 2, "animations": 1}),
    ("khronos/MorphPrimitivesTest/glTF/MorphPrimitivesTest.gltf", 32, None, {"baseColorTexture"}, {"morphTargets": 1}),
    ("khronos/InterpolationTest/InterpolationTest.gltf", 110, None, {"baseColorTexture"}, {"animations": 9}),
    ("khronos/AlphaBlendModeTest/AlphaBlendModeTest.glb", 61, None,
     {"baseColorTexture", "metallicRoughnessTexture", "normalTexture", "occlusionTexture"}, {"cameras": 1}),
    ("khronos/TextureCoordinateTest/TextureCoordinateTest.gltf", 10, None, {"baseColorTexture"}, {}),
    ("khronos/TextureTransformTest/TextureTransformTest.gltf", 24, 18, {"baseColorTexture"}, {}),
    ("khronos/MultiUVTest/MultiUVTest.gltf", 12, None, {"baseColorTexture", "emissiveTexture"}, {"cameras": 1}),
    ("khronos/TwoSidedPlane/TwoSidedPlane.gltf", 2, None,
     {"baseColorTexture", "metallicRoughnessTexture", "normalTexture"}, {}),
    ("khronos/VertexColorTest/VertexColorTest.gltf", 36, None, {"baseColorTexture"}, {}),
    ("khronos/SimpleSparseAccessor/SimpleSparseAccessor.gltf", 12, None, set(), {}),
    ("khronos/Cameras/Cameras.gltf", 2, None, set(), {"cameras": 2}),
    ("khronos/UnlitTest/UnlitTest.gltf", 88, None, set(), {}),
    ("khronos/SheenCloth/SheenCloth.glb", 115200, None,
     {"baseColorTexture", "metallicRoughnessTexture", "normalTexture", "occlusionTexture", "sheenColorTexture",
      "sheenRoughnessTexture"}, {}),
    ("khronos/AnisotropyBarnLamp/AnisotropyBarnLamp.gltf", 10203, None,
     {"baseColorTexture", "normalTexture", "metallicRoughnessTexture", "occlusionTexture", "anisotropyTexture"}, {}),
    ("other/cow_glb/cow.glb", 5856, None, {"baseColorTexture"}, {}),
    ("other/draco_sphere_lights/sphere_lights.gltf", 224, None, {"baseColorTexture", "normalTexture"}, {"lights": 4}),
    ("other/ShapeCollection/ShapeCollection.glb", 3542, 2390, set(), {"nodes": 7}),
    ("other/AssetGenerator_PrimitiveModes/Mesh_PrimitiveMode_04.gltf", 2, None, set(), {}),
    ("other/AssetGenerator_PrimitiveModes/Mesh_PrimitiveMode_06.gltf", 2, None, set(), {}),
    ("other/pbr_cubes_emissive_spec_gloss/pbr_cubes_emissive_spec_gloss.zip", 60, None,
     {"baseColorTexture", "metallicRoughnessTexture", "emissiveTexture"}, {}),
    ("edge_compressed/Box_Draco/Box_Draco.glb", 12, None, set(), {}),
    ("edge_compressed/BoxMeshopt/BoxMeshopt.glb", 12, None, set(), {}),
]


@pytest.mark.shared_assets
@pytest.mark.parametrize("rel, triangles, unique, slots, stats", SHARED_MODELS,
                         ids=[m[0].split("/")[-1] for m in SHARED_MODELS])
def test_third_party_model_loads(shared_assets, rel, triangles, unique, slots, stats):
    scene = load_model(shared_assets / rel)
    info = model_info(scene)
    assert info["triangles"] == triangles
    if unique is not None:
        assert info["uniqueTriangles"] == unique
    used = {slot for m in scene.materials for slot in m.textures()}
    assert used == slots
    for ref in (r for m in scene.materials for r in m.textures().values()):
        pixels = scene.images[ref.image].pixels
        assert pixels.ndim == 3 and pixels.shape[2] == 4 and pixels.dtype == np.uint8
    for key, value in stats.items():
        got = len(info[key]) if key == "animations" else info[key]
        assert got == value, key
    for prim in (p for m in scene.meshes for p in m.primitives):
        np.testing.assert_allclose(np.linalg.norm(prim.normals, axis=1), 1.0, atol=1e-4)


@pytest.mark.shared_assets
def test_every_shared_model_is_covered(shared_assets):
    """A model added to the loadable folders must be listed in one of the expectation tables."""
    from tests.engine.test_gltf_broken import BROKEN
    from tests.engine.test_obj_scans import LARGE_OBJS, SCANS

    listed = {m[0] for m in SHARED_MODELS} | {s[0] for s in SCANS} | {r for r, _ in LARGE_OBJS}
    listed |= {rel for rel, _ in BROKEN}  # points-only/lines-only files and edge_compressed refusals
    found = {
        p.relative_to(shared_assets).as_posix()
        for folder in ("khronos", "other", "obj_zip", "large", "edge_compressed")
        for p in (shared_assets / folder).rglob("*")
        if p.suffix.lower() in MODEL_SUFFIXES
    }
    assert found <= listed, sorted(found - listed)


@pytest.mark.shared_assets
def test_texture_transform_test_reads_its_transforms(shared_assets):
    scene = load_model(shared_assets / "khronos/TextureTransformTest/TextureTransformTest.gltf")
    transforms = [m.base_color_texture.uv_transform for m in scene.materials if m.base_color_texture]
    rotated = [t for t in transforms if abs(t[0, 1]) > 1e-6]
    assert rotated, "the rotation quads must carry a rotation"
    assert any(np.allclose(t[:2, 2], [0.5, 0.0]) for t in transforms)


@pytest.mark.shared_assets
def test_barn_lamp_keeps_its_material_extensions_and_its_ktx2_textures(shared_assets):
    """Its normal and ORM maps are KTX2 files named by the core `source` (without declaring
    KHR_texture_basisu): transcoded like any KTX2."""
    scene = load_model(shared_assets / "khronos/AnisotropyBarnLamp/AnisotropyBarnLamp.gltf")
    metal, filament, glass = scene.materials
    assert metal.normal_texture is not None and metal.base_color_texture is not None
    assert scene.images[metal.normal_texture.image].mime_type == "image/ktx2"
    assert "KHR_materials_clearcoat" in metal.extensions and "KHR_materials_anisotropy" in metal.extensions
    assert filament.emissive_strength == 25.0
    assert set(glass.extensions) == {"KHR_materials_transmission", "KHR_materials_volume"}
    assert not any("KTX2" in w for w in scene.warnings)


@pytest.mark.shared_assets
def test_bad_normals_box_loads_with_repaired_normals(shared_assets):
    scene = load_model(shared_assets / "broken/assimp/BoxBadNormals-glTF-Binary/BoxBadNormals.glb")
    prim = scene.meshes[0].primitives[0]
    np.testing.assert_allclose(np.linalg.norm(prim.normals, axis=1), 1.0, atol=1e-5)
    assert scene.triangle_count == 12
    assert any("not unit length" in w for w in scene.warnings)
    assert any("regenerated" in w for w in scene.warnings)


@pytest.mark.shared_assets
@pytest.mark.parametrize("name, triangles", [("SheenCloth/SheenCloth.glb", 115_200),
                                             ("2CylinderEngine/2CylinderEngine.glb", 121_496)])  # fmt: skip
def test_big_models_load_whole(shared_assets, name, triangles):
    """Every triangle of the ~100k-triangle models (tools/bench/load.py measures how fast)."""
    scene = load_model(shared_assets / "khronos" / name)
    assert scene.triangle_count == triangles
    for mesh in scene.meshes:
        for prim in mesh.primitives:
            assert np.isfinite(prim.positions).all() and prim.indices.max() < len(prim.positions)


def test_material_factors_slightly_out_of_range_are_clamped(tmp_path):
    b = GltfBuilder()
    _textured_model(b, {"pbrMetallicRoughness": {"roughnessFactor": 1.0000002, "baseColorFactor": [1.2, 0, 0, 1]}})
    scene = load(b, tmp_path)
    assert scene.materials[0].roughness_factor == 1.0
    np.testing.assert_allclose(scene.materials[0].base_color_factor, [1, 0, 0, 1])
    assert sum("outside [0, 1]; clamped" in w for w in scene.warnings) == 2
