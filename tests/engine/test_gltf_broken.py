"""Broken files: each must give a clear InvalidFormat naming the problem (generated and third-party)."""
from __future__ import annotations

import json
import os
import struct
import zlib

import numpy as np
import pytest

from dxgl_engine.errors import InvalidFormat
from dxgl_engine.load.formats import MODEL_SUFFIXES, load_glb_bytes, load_model
from tests.gltf_builder import FLOAT, UNSIGNED_SHORT, GltfBuilder, encode_image, quad

TRIANGLE = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], np.float32)


def triangle_builder() -> GltfBuilder:
    b = GltfBuilder()
    b.simple_model(TRIANGLE, np.array([0, 1, 2], np.uint16))
    return b


def load_glb(b: GltfBuilder, tmp_path, name: str = "broken.glb"):
    return load_model(b.write_glb(tmp_path / name))


def load_raw(tmp_path, data: bytes, name: str = "broken.glb"):
    path = tmp_path / name
    path.write_bytes(data)
    return load_model(path)


# -- GLB container -------------------------------------------------------------------------------


def test_empty_glb(tmp_path):
    with pytest.raises(InvalidFormat, match="GLB file is empty"):
        load_raw(tmp_path, b"")


def test_wrong_magic(tmp_path):
    with pytest.raises(InvalidFormat, match=r"not a GLB file: wrong magic b'PK\\x03\\x04'"):
        load_raw(tmp_path, b"PK\x03\x04" + bytes(20))


def test_glb_version_other_than_2(tmp_path):
    data = bytearray(triangle_builder().glb())
    data[4:8] = struct.pack("<I", 1)
    with pytest.raises(InvalidFormat, match="GLB version 1 is not supported"):
        load_raw(tmp_path, bytes(data))


def test_header_length_larger_than_the_file(tmp_path):
    data = triangle_builder().glb()
    message = rf"truncated: header declares {len(data)} bytes but the file has {len(data) - 10}"
    with pytest.raises(InvalidFormat, match=message):
        load_raw(tmp_path, data[:-10])


def test_chunk_running_past_the_end(tmp_path):
    data = bytearray(triangle_builder().glb())
    data[8:12] = struct.pack("<I", len(data) - 8)  # keep the header consistent, cut the BIN chunk
    with pytest.raises(InvalidFormat, match=r"GLB chunk 1 is truncated: declares \d+ bytes but only \d+ remain"):
        load_raw(tmp_path, bytes(data[:-8]))


def test_first_chunk_must_be_json(tmp_path):
    b = triangle_builder()
    data = bytearray(b.glb())
    data[16:20] = struct.pack("<I", 0x004E4942)
    with pytest.raises(InvalidFormat, match="does not start with a JSON chunk"):
        load_raw(tmp_path, bytes(data))


def test_trailing_bytes_after_the_glb_only_warn(tmp_path):
    scene = load_raw(tmp_path, triangle_builder().glb() + b"junk")
    assert scene.triangle_count == 1 and "4 bytes after its declared end" in scene.warnings[0]


def test_invalid_json_in_glb(tmp_path):
    text = b'{"asset": {"version": "2.0"},}'
    text += b" " * (-len(text) % 4)
    data = struct.pack("<4sII", b"glTF", 2, 20 + len(text)) + struct.pack("<II", len(text), 0x4E4F534A) + text
    with pytest.raises(InvalidFormat, match=r"GLB JSON chunk: invalid JSON: Expecting property name"):
        load_raw(tmp_path, data)


def test_json_that_is_not_an_object(tmp_path):
    with pytest.raises(InvalidFormat, match="JSON must be an object, not list"):
        load_raw(tmp_path, b"[1, 2]", "list.gltf")


def test_missing_asset_and_wrong_version(tmp_path):
    with pytest.raises(InvalidFormat, match="missing 'asset' object"):
        load_raw(tmp_path, b'{"meshes": []}', "noasset.gltf")
    with pytest.raises(InvalidFormat, match=r"glTF version 1\.0 is not supported"):
        load_raw(tmp_path, b'{"asset": {"version": "1.0"}}', "old.gltf")


def test_empty_gltf(tmp_path):
    with pytest.raises(InvalidFormat, match="empty.gltf is empty"):
        load_raw(tmp_path, b"", "empty.gltf")


def test_gltf_with_invalid_json(tmp_path):
    with pytest.raises(InvalidFormat, match=r"bad.gltf: invalid JSON: .*line 1"):
        load_raw(tmp_path, b'{"asset": ', "bad.gltf")


def test_unsupported_file_type_and_missing_file(tmp_path):
    with pytest.raises(InvalidFormat, match=r"unsupported file type '\.xyz': expected \.glb, \.gltf, \.zip, \.obj, \.ply or \.stl"):
        load_model(tmp_path / "model.xyz")
    with pytest.raises(InvalidFormat, match="model file not found: nowhere.glb"):
        load_model(tmp_path / "nowhere.glb")


# -- buffers and URIs ------------------------------------------------------------------------------


def test_missing_external_bin_is_named(tmp_path):
    path = triangle_builder().write_gltf(tmp_path / "model.gltf", bin_name="geometry data.bin")
    (tmp_path / "geometry data.bin").unlink()
    with pytest.raises(InvalidFormat, match=r"buffers\[0\]\.uri: missing 'geometry data.bin'"):
        load_model(path)


def test_bin_file_shorter_than_its_byte_length(tmp_path):
    path = triangle_builder().write_gltf(tmp_path / "model.gltf", bin_name="model.bin")
    data = (tmp_path / "model.bin").read_bytes()
    (tmp_path / "model.bin").write_bytes(data[:-4])
    message = rf"buffers\[0\]: byteLength {len(data)} but 'model.bin' holds only {len(data) - 4} bytes"
    with pytest.raises(InvalidFormat, match=message):
        load_model(path)


def test_glb_bin_chunk_shorter_than_the_buffer(tmp_path):
    b = triangle_builder()
    doc = b._json_with_buffer(None)
    doc["buffers"][0]["byteLength"] += 64
    with pytest.raises(InvalidFormat, match=r"buffers\[0\]: byteLength \d+ exceeds the GLB BIN chunk"):
        load_raw(tmp_path, b.glb(doc))


def test_buffer_without_uri_in_a_gltf(tmp_path):
    b = triangle_builder()
    path = b.write_gltf(tmp_path / "model.gltf")
    doc = json.loads(path.read_text())
    del doc["buffers"][0]["uri"]
    path.write_text(json.dumps(doc))
    with pytest.raises(InvalidFormat, match=r"buffers\[0\]: has no 'uri' and is not the GLB's BIN chunk"):
        load_model(path)


@pytest.mark.parametrize(
    "uri, message",
    [
        ("data:application/octet-stream;base64,@@@notbase64@@@", r"data URI is not valid base64"),
        ("data:application/octet-stream,plain", r"data URI is not base64-encoded"),
        ("../outside.bin", r"path '\.\./outside\.bin' escapes the model's folder"),
        ("sub/../../outside.bin", r"path 'sub/\.\./\.\./outside\.bin' escapes the model's folder"),
        ("/etc/passwd", r"absolute path '/etc/passwd' refused"),
        ("C:\\models\\box.bin", r"absolute path 'C:/models/box.bin' refused"),
        ("https://example.com/box.bin", r"URI 'https://example.com/box.bin' is not a relative file path"),
    ],
)
def test_bad_buffer_uris(tmp_path, uri, message):
    b = triangle_builder()
    path = b.write_gltf(tmp_path / "model.gltf")
    doc = json.loads(path.read_text())
    doc["buffers"][0]["uri"] = uri
    path.write_text(json.dumps(doc))
    with pytest.raises(InvalidFormat, match=r"buffers\[0\]\.uri: " + message):
        load_model(path)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_leading_out_of_the_folder(tmp_path):
    outside = tmp_path / "outside.bin"
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    path = triangle_builder().write_gltf(model_dir / "model.gltf", bin_name="model.bin")
    (model_dir / "model.bin").rename(outside)
    os.symlink(outside, model_dir / "model.bin")
    with pytest.raises(InvalidFormat, match=r"'model.bin' leads outside the model's folder"):
        load_model(path)


def test_missing_external_image_is_named(tmp_path):
    b = GltfBuilder()
    positions, uvs, indices = quad()
    tex = b.texture(b.image(uri="albedo.png"))
    b.simple_model(positions, indices, TEXCOORD_0=uvs)
    b.gltf["meshes"][0]["primitives"][0]["material"] = b.material(
        pbrMetallicRoughness={"baseColorTexture": {"index": tex}})
    with pytest.raises(InvalidFormat, match=r"images\[0\]\.uri: missing 'albedo.png'"):
        load_model(b.write_gltf(tmp_path / "model.gltf"))


def _textured(image_kwargs: dict) -> GltfBuilder:
    b = GltfBuilder()
    positions, uvs, indices = quad()
    mat = b.material(pbrMetallicRoughness={"baseColorTexture": {"index": b.texture(b.image(**image_kwargs))}})
    b.scene(b.node(mesh=b.mesh(b.primitive(positions, indices, material=mat, TEXCOORD_0=uvs))))
    return b


def test_undecodable_png(tmp_path):
    b = _textured({"data": b"\x89PNG\r\n\x1a\n" + bytes(40), "mime": "image/png"})
    with pytest.raises(InvalidFormat, match=r"images\[0\]: cannot decode image/png: "):
        load_glb(b, tmp_path)


def test_unknown_image_bytes(tmp_path):
    b = _textured({"data": b"hello, not an image", "mime": "image/jpeg"})
    with pytest.raises(InvalidFormat, match=r"images\[0\]: cannot decode image/jpeg: "):
        load_glb(b, tmp_path)


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def test_image_too_large_is_refused_before_decoding(tmp_path):
    b = _textured({"data": _png_header_only(10000, 10000), "mime": "image/png"})
    with pytest.raises(InvalidFormat, match=r"images\[0\]: 10000x10000 image exceeds the 67,108,864-pixel limit"):
        load_glb(b, tmp_path)
    b = _textured({"data": _png_header_only(30000, 30000), "mime": "image/png"})
    with pytest.raises(InvalidFormat, match=r"images\[0\]: cannot decode image/png: .*decompression bomb"):
        load_glb(b, tmp_path)


def test_good_image_control(tmp_path):
    b = _textured({"pixels": np.zeros((2, 2, 4), np.uint8)})
    assert load_glb(b, tmp_path).images[0].pixels.shape == (2, 2, 4)


# -- references ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: d["nodes"][0].update(mesh=5), r"nodes\[0\]\.mesh: mesh 5 does not exist \(the model has 1 mesh\)"),
        (lambda d: d["nodes"][0].update(children=[3]), r"nodes\[0\]\.children\[0\]: node 3 does not exist"),
        (lambda d: d["nodes"][0].update(skin=0), r"nodes\[0\]\.skin: skin 0 does not exist \(the model has 0 skins\)"),
        (lambda d: d["scenes"][0].update(nodes=[4]), r"scenes\[0\]\.nodes\[0\]: node 4 does not exist"),
        (lambda d: d.update(scene=2), r"scene: scene 2 does not exist"),
        (lambda d: d["meshes"][0]["primitives"][0].update(material=1),
         r"primitives\[0\]\.material: material 1 does not exist"),
        (lambda d: d["meshes"][0]["primitives"][0].update(indices=9),
         r"primitives\[0\]\.indices: accessor 9 does not exist"),
        (lambda d: d["meshes"][0]["primitives"][0]["attributes"].update(NORMAL=12),
         r"attributes\.NORMAL: accessor 12 does not exist"),
        (lambda d: d["meshes"][0]["primitives"][0].update(mode=9),
         r"primitives\[0\]\.mode: 9 is not a glTF primitive mode"),
        (lambda d: d["accessors"][0].update(count="three"), r"accessors\[0\]\.count: must be an integer, not 'three'"),
        (lambda d: d.update(nodes={}), r"nodes: must be an array, not dict"),
        (lambda d: d["nodes"][0].update(translation=[0, "x", 0]),
         r"nodes\[0\]\.translation\[1\]: must be a finite number"),
        (lambda d: d["meshes"][0].update(weights=[0.5]),
         r"meshes\[0\]\.weights: 1 weights but the primitives have 0 morph"),
    ],
)
def test_dangling_and_malformed_references(tmp_path, edit, message):
    b = triangle_builder()
    doc = b._json_with_buffer(None)
    edit(doc)
    with pytest.raises(InvalidFormat, match=message):
        load_raw(tmp_path, b.glb(doc))


def test_dangling_texture_image_and_sampler(tmp_path):
    for field, message in [
        ("index", r"baseColorTexture\.index: texture 3 does not exist"),
        ("source", r"textures\[0\]\.source: image 7 does not exist"),
        ("sampler", r"textures\[0\]\.sampler: sampler 2 does not exist"),
    ]:
        b = _textured({"pixels": np.zeros((2, 2, 4), np.uint8)})
        doc = b._json_with_buffer(None)
        if field == "index":
            doc["materials"][0]["pbrMetallicRoughness"]["baseColorTexture"]["index"] = 3
        else:
            doc["textures"][0][field] = {"source": 7, "sampler": 2}[field]
        with pytest.raises(InvalidFormat, match=message):
            load_raw(tmp_path, b.glb(doc))


# -- geometry ----------------------------------------------------------------------------------------


def test_index_out_of_range(tmp_path):
    positions = np.zeros((24, 3), np.float32)
    b = GltfBuilder()
    b.simple_model(positions, np.array([0, 1, 26], np.uint16))
    with pytest.raises(InvalidFormat, match=r"meshes\[0\]\.primitives\[0\]: index 26 out of range \(24 vertices\)"):
        load_glb(b, tmp_path)


@pytest.mark.parametrize("values, ctype, desc", [
    (np.array([0.0, 1.0, 2.0], np.float32), FLOAT, "SCALAR FLOAT"),
    (np.array([[0, 1, 2]]), UNSIGNED_SHORT, "VEC3 UNSIGNED_SHORT"),
])
def test_indices_on_a_non_index_accessor(tmp_path, values, ctype, desc):
    b = GltfBuilder()
    b.simple_model(TRIANGLE, b.accessor(values, ctype))
    message = rf"primitives\[0\]\.indices: accessor \d+ is {desc}; indices must be SCALAR"
    with pytest.raises(InvalidFormat, match=message):
        load_glb(b, tmp_path)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_positions(tmp_path, bad):
    positions = TRIANGLE.copy()
    positions[1, 2] = bad
    b = GltfBuilder()
    b.gltf["accessors"] = []
    b.simple_model(b.accessor(positions, min=[0, 0, 0], max=[1, 1, 1]))
    with pytest.raises(InvalidFormat, match=r"attributes\.POSITION: 1 coordinates are NaN or infinite"):
        load_glb(b, tmp_path)


def test_attribute_count_must_match_positions(tmp_path):
    b = GltfBuilder()
    b.simple_model(TRIANGLE, NORMAL=np.zeros((2, 3), np.float32))
    with pytest.raises(InvalidFormat, match=r"attributes\.NORMAL: accessor 1 has 2 elements but POSITION has 3"):
        load_glb(b, tmp_path)


def test_attribute_of_the_wrong_type(tmp_path):
    b = GltfBuilder()
    b.simple_model(TRIANGLE, TEXCOORD_0=np.zeros((3, 3), np.float32))
    with pytest.raises(InvalidFormat, match=r"attributes\.TEXCOORD_0: accessor 1 is VEC3, expected VEC2"):
        load_glb(b, tmp_path)


def test_node_cycle(tmp_path):
    b = triangle_builder()
    b.node(children=[2])
    b.node(children=[1])
    with pytest.raises(InvalidFormat, match=r"nodes: cycle 1 -> 2 -> 1"):
        load_glb(b, tmp_path)


def test_node_that_is_its_own_child(tmp_path):
    b = triangle_builder()
    b.gltf["nodes"][0]["children"] = [0]
    with pytest.raises(InvalidFormat, match=r"nodes: cycle 0 -> 0"):
        load_glb(b, tmp_path)


def test_node_with_two_parents(tmp_path):
    b = triangle_builder()
    b.node(children=[0])
    b.node(children=[0])
    with pytest.raises(InvalidFormat, match=r"nodes: node 0 has two parents \(nodes 1 and 2\)"):
        load_glb(b, tmp_path)


@pytest.mark.parametrize("kind", ["points", "unplaced", "no_meshes"])
def test_no_triangles_to_render(tmp_path, kind):
    b = GltfBuilder()
    if kind == "points":
        b.simple_model(TRIANGLE, mode=0)
    elif kind == "unplaced":
        b.mesh(b.primitive(TRIANGLE))
        b.scene(b.node(name="empty"))
    else:
        b.scene(b.node(name="empty"))
    with pytest.raises(InvalidFormat, match="model has no triangles to render"):
        load_glb(b, tmp_path)


# -- extensions --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["MSFT_texture_dds", "KHR_gaussian_splatting", "VENDOR_made_up"])
def test_required_extension_we_cannot_honour(tmp_path, name):
    b = triangle_builder()
    b.use_extension(name, required=True)
    with pytest.raises(InvalidFormat, match=rf"model requires glTF extension {name}, which dxgl does not support"):
        load_glb(b, tmp_path)


def test_several_unsupported_required_extensions_are_all_named(tmp_path):
    b = triangle_builder()
    for name in ("KHR_mesh_quantization", "MSFT_texture_dds", "VENDOR_made_up"):
        b.use_extension(name, required=True)
    with pytest.raises(InvalidFormat, match="extensions MSFT_texture_dds, VENDOR_made_up, which"):
        load_glb(b, tmp_path)


# -- skins and animations ----------------------------------------------------------------------------


def _animated(output_values, interpolation="LINEAR", path="translation", output_type=None) -> GltfBuilder:
    b = triangle_builder()
    times = b.accessor(np.array([0.0, 1.0], np.float32))
    out = b.accessor(np.asarray(output_values, np.float32), type_=output_type)
    b.add("animations", {"samplers": [{"input": times, "output": out, "interpolation": interpolation}],
                         "channels": [{"sampler": 0, "target": {"node": 0, "path": path}}]})
    return b


@pytest.mark.parametrize("values, interpolation, message", [
    (np.zeros((3, 3)), "LINEAR", r"sampler 0 output has 3 elements, expected 2 \(2 keyframes\)"),
    (np.zeros((2, 3)), "CUBICSPLINE", r"output has 2 elements, expected 6 \(2 keyframes x 3 for CUBICSPLINE\)"),
    (np.zeros((2, 4)), "LINEAR", r"output has 4 components, expected 3 for translation"),
    (np.zeros((2, 3)), "SMOOTH", r"interpolation: 'SMOOTH' is not LINEAR, STEP or CUBICSPLINE"),
])
def test_animation_output_must_match_its_input(tmp_path, values, interpolation, message):
    with pytest.raises(InvalidFormat, match=r"animations\[0\]\.(channels|samplers)\[0\].*" + message):
        load_glb(_animated(values, interpolation), tmp_path)


def test_non_finite_keyframes(tmp_path):
    with pytest.raises(InvalidFormat, match=r"animations\[0\]\.samplers\[0\]\.output: keyframe values must be finite"):
        load_glb(_animated(np.array([[0, 0, 0], [np.nan, 0, 0]])), tmp_path)


def test_weights_animation_counts_morph_targets(tmp_path):
    b = _animated(np.zeros(3), path="weights")
    prim = b.gltf["meshes"][0]["primitives"][0]
    prim["targets"] = [{"POSITION": b.accessor(np.zeros((3, 3), np.float32))} for _ in range(2)]
    with pytest.raises(InvalidFormat, match=r"output has 3 elements, expected 4 \(2 keyframes x 2 morph targets\)"):
        load_glb(b, tmp_path)


def test_weights_animation_on_a_mesh_without_targets(tmp_path):
    with pytest.raises(InvalidFormat, match=r"animates morph weights but mesh 0 has no morph targets"):
        load_glb(_animated(np.zeros(2), path="weights"), tmp_path)


def test_animation_channel_references(tmp_path):
    b = _animated(np.zeros((2, 3)))
    b.gltf["animations"][0]["channels"][0]["sampler"] = 4
    with pytest.raises(InvalidFormat, match=r"channels\[0\]\.sampler: sampler 4 does not exist"):
        load_glb(b, tmp_path)
    b.gltf["animations"][0]["channels"][0].update(sampler=0, target={"node": 8, "path": "scale"})
    with pytest.raises(InvalidFormat, match=r"channels\[0\]\.target\.node: node 8 does not exist"):
        load_glb(b, tmp_path)


def test_joint_index_beyond_the_skin(tmp_path):
    b = GltfBuilder()
    joints = b.accessor(np.array([[0, 3, 0, 0]] * 3), 5121)
    weights = b.accessor(np.array([[1, 0, 0, 0]] * 3, np.float32))
    mesh = b.mesh(b.primitive(TRIANGLE, JOINTS_0=joints, WEIGHTS_0=weights))
    b.add("skins", {"joints": [0, 1]})
    b.scene(b.node(children=[1]), b.node(), b.node(mesh=mesh, skin=0))
    b.gltf["scenes"][0]["nodes"] = [0, 2]
    with pytest.raises(InvalidFormat, match=r"nodes\[2\]: mesh 0 uses joint 3 but skin 0 has 2 joints"):
        load_glb(b, tmp_path)


def test_too_few_inverse_bind_matrices(tmp_path):
    b = triangle_builder()
    ibm = b.accessor(np.eye(4).reshape(1, 16), type_="MAT4")
    b.node()
    b.add("skins", {"joints": [0, 1], "inverseBindMatrices": ibm})
    message = r"skins\[0\]\.inverseBindMatrices: accessor \d+ has 1 matrices for 2 joints"
    with pytest.raises(InvalidFormat, match=message):
        load_glb(b, tmp_path)


def test_unexpected_errors_are_wrapped_with_context(tmp_path, monkeypatch):
    from dxgl_engine.load.gltf import reader

    def explode(ctx):
        raise KeyError("surprise")

    monkeypatch.setattr(reader, "read_lights", explode)
    with pytest.raises(InvalidFormat, match=r"unexpected error while reading the model: KeyError: 'surprise'"):
        load_glb(triangle_builder(), tmp_path)


def test_glb_bytes_that_are_not_a_glb():
    with pytest.raises(InvalidFormat, match="not a GLB file"):
        load_glb_bytes(b'{"asset": {"version": "2.0"}}', "x.glb")


def test_image_textures_round_trip_control(tmp_path):
    b = _textured({"data": encode_image(np.full((3, 3, 3), 7, np.uint8), "JPEG"), "mime": "image/jpeg"})
    assert load_glb(b, tmp_path).images[0].mime_type == "image/jpeg"


# -- third-party broken files ----------------------------------------------------------------------

BROKEN = [
    ("broken/validator/glb__invalid_magic.glb", r"not a GLB file: wrong magic"),
    ("broken/validator/glb__empty_file.glb", r"GLB file is empty"),
    ("broken/validator/glb__invalid_json_chunk.glb", r"GLB JSON chunk: invalid JSON"),
    ("broken/validator/buffer__not_found.gltf", r"buffers\[0\]\.uri: missing 'not_found.bin'"),
    ("broken/validator/node__node_loop.gltf", r"nodes: cycle 0 -> 1 -> 2 -> 0"),
    ("broken/validator/mesh__unresolved_positions.gltf",
     r"meshes\[0\]\.primitives\[0\]\.attributes\.POSITION: accessor 0 does not exist"),
    ("broken/validator/accessor_data__out_of_range_elements_uint16.gltf",
     r"missing 'out_of_range_elements_uint16.bin'"),
    ("broken/assimp/IndexOutOfRange/IndexOutOfRange.gltf",
     r"meshes\[0\]\.primitives\[0\]: index \d+ out of range \(24 vertices\)"),
    ("broken/assimp/MissingBin/BoxTextured.gltf", r"missing 'BoxTextured0.bin'"),
    ("broken/trimesh/empty_nodes.glb", r"model has no triangles to render"),
    ("broken/trimesh/empty.obj", r"model has no triangles to render"),
    ("broken/obj_zip_missing_texture/missing_texture.zip",
     r"the ZIP's MTL references 'material_1.png' which is not in the archive"),
    # points-only and lines-only files: nothing to render once points/lines are skipped
    ("other/AssetGenerator_PrimitiveModes/Mesh_PrimitiveMode_00.gltf", r"model has no triangles to render"),
    ("other/AssetGenerator_PrimitiveModes/Mesh_PrimitiveMode_01.gltf", r"model has no triangles to render"),
]


@pytest.mark.shared_assets
@pytest.mark.parametrize("rel, message", BROKEN, ids=[b[0].split("/")[-1] for b in BROKEN])
def test_third_party_broken_file(shared_assets, rel, message):
    with pytest.raises(InvalidFormat, match=message):
        load_model(shared_assets / rel)


@pytest.mark.shared_assets
def test_every_broken_file_is_covered(shared_assets):
    """A file added to broken/ must get an expected error here (BoxBadNormals loads: see test_gltf_reader)."""
    covered = {rel for rel, _ in BROKEN} | {"broken/assimp/BoxBadNormals-glTF-Binary/BoxBadNormals.glb"}
    models = {
        p.relative_to(shared_assets).as_posix()
        for p in (shared_assets / "broken").rglob("*")
        if p.suffix.lower() in MODEL_SUFFIXES
    }
    assert models <= covered, sorted(models - covered)


# -- robustness ----------------------------------------------------------------------------------------


def _rich_model() -> GltfBuilder:
    """A small model using most features, as raw material for mutation."""
    positions, uvs, indices = quad()
    b = GltfBuilder()
    tex = b.texture(b.image(np.zeros((2, 2, 4), np.uint8)), sampler=b.sampler(wrapS=33071))
    mat = b.material(pbrMetallicRoughness={"baseColorTexture": {"index": tex}}, normalTexture={"index": tex})
    prim = b.primitive(positions, indices, material=mat, TEXCOORD_0=uvs,
                       JOINTS_0=b.accessor(np.zeros((4, 4)), 5121), WEIGHTS_0=np.tile([1, 0, 0, 0], (4, 1)))
    prim["targets"] = [{"POSITION": b.accessor(np.ones((4, 3), np.float32))}]
    mesh = b.mesh(prim, weights=[0.5])
    joint = b.node(translation=[0, 1, 0])
    b.add("skins", {"joints": [joint], "inverseBindMatrices": b.accessor(np.eye(4).reshape(1, 16), type_="MAT4")})
    node = b.node(mesh=mesh, skin=0, children=[joint])
    b.scene(node)
    times = b.accessor(np.array([0, 1], np.float32))
    b.add("animations", {"samplers": [{"input": times, "output": b.accessor(np.zeros((2, 3), np.float32))},
                                      {"input": times, "output": b.accessor(np.zeros(2, np.float32))}],
                         "channels": [{"sampler": 0, "target": {"node": joint, "path": "translation"}},
                                      {"sampler": 1, "target": {"node": node, "path": "weights"}}]})
    return b


def _json_paths(obj, prefix=()):
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
    for key, value in items:
        yield prefix + (key,)
        yield from _json_paths(value, prefix + (key,))


def test_mutated_json_gives_invalid_format_or_a_scene():
    """Random wrong values anywhere in the JSON: never an exception other than InvalidFormat."""
    import random

    b = _rich_model()
    base = b._json_with_buffer(None)
    assert load_glb_bytes(b.glb(base), "rich.glb").triangle_count == 2
    paths = list(_json_paths(base))
    values = [-1, 0, 1, 5, 2**40, 0.5, -1e300, "x", None, [], {}, [1, 2], True, float("nan")]
    rng = random.Random(1234)
    for _ in range(300):
        doc = json.loads(json.dumps(base))
        for _ in range(rng.randint(1, 3)):
            *parents, last = rng.choice(paths)
            target = doc
            try:
                for key in parents:
                    target = target[key]
                target[last] = rng.choice(values)
            except (KeyError, IndexError, TypeError):
                pass  # an earlier mutation removed this path
        try:
            load_glb_bytes(b.glb(doc), "mutated.glb")
        except InvalidFormat as err:
            assert "unexpected error" not in str(err), err
