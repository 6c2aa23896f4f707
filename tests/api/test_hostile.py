"""Hostile files are refused cleanly with 400 invalid_format: ZIP entries escaping the archive,
ZIP bombs, glTF URIs pointing outside the model, images claiming absurd sizes, broken models.
The engine does the checking (dxgl_engine.load: archive, obj, gltf); these tests hold the API to turning its
refusals into the reference's answer, with nothing stored and nothing charged."""
from __future__ import annotations

import base64
import io
import json
import struct
import zipfile

import pytest

from dxgl_api import storage
from dxgl_api.db import connection
from dxgl_api.tables import Model3D, User
from tests.gltf_builder import GltfBuilder, cube_corners, quad

from .conftest import gltf_with_uri, huge_png_header, upload

OBJ = "v 0 0 0\nv 1 0 0\nv 1 1 0\nf 1 2 3\n"


def zip_bytes(entries: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in entries.items():
            zf.writestr(zipfile.ZipInfo(name), data)
    return out.getvalue()


def claim_huge_size(data: bytes) -> bytes:
    """Rewrite the central directory so an entry claims 4 GB uncompressed (a bomb's signature)."""
    raw = bytearray(data)
    at = raw.index(b"PK\x01\x02")
    raw[at + 24:at + 28] = struct.pack("<I", 0xFFFFFFF0)
    return bytes(raw)


def refused(client, account, data: bytes, name: str, needle: str = "") -> None:
    r = upload(client, account, data, name)
    assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_format"), r.json
    assert needle.lower() in r.json["error"]["message"].lower(), r.json["error"]["message"]


@pytest.fixture(autouse=True)
def nothing_kept(client, alice):
    yield
    with connection():
        assert Model3D.select().count() == 0
        assert User.get_by_id(alice.user_id).credits == 10
    leftovers = list((storage.root() / "tmp").glob("*")) if (storage.root() / "tmp").exists() else []
    assert leftovers == []


def test_zip_slip(client, alice):
    refused(client, alice, zip_bytes({"../evil.obj": OBJ}), "scan.zip", "escapes")
    refused(client, alice, zip_bytes({"/etc/evil.obj": OBJ}), "scan.zip", "escapes")
    refused(client, alice, zip_bytes({"a/../../evil.obj": OBJ}), "scan.zip", "escapes")
    refused(client, alice, zip_bytes({"C:/evil.obj": OBJ}), "scan.zip", "escapes")


def test_zip_symlink(client, alice):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        info = zipfile.ZipInfo("model.obj")
        info.external_attr = 0o120777 << 16
        zf.writestr(info, "/etc/passwd")
    refused(client, alice, out.getvalue(), "scan.zip", "symbolic link")


def test_zip_bombs(client, alice):
    refused(client, alice, claim_huge_size(zip_bytes({"model.obj": OBJ})), "bomb.zip", "expands to")
    many = zip_bytes({f"f{i}.txt": b"" for i in range(10_001)})
    refused(client, alice, many, "many.zip", "entries")


def test_not_a_zip_and_not_a_model(client, alice):
    refused(client, alice, b"PK\x03\x04garbage", "scan.zip", "zip")
    refused(client, alice, zip_bytes({"readme.txt": "hi"}), "scan.zip", "no model")
    refused(client, alice, zip_bytes({"a.obj": OBJ, "b.obj": OBJ}), "scan.zip", "one model per zip")


@pytest.mark.parametrize("uri", ["../secret.bin", "/etc/passwd", "file:///etc/passwd", "http://example.com/x.bin",
                                 "https://169.254.169.254/x.bin", "sub/../../x.bin"])
def test_gltf_uris_outside_the_model(client, alice, uri):
    refused(client, alice, gltf_with_uri(uri), "model.gltf")


def test_zipped_gltf_with_escaping_uri(client, alice):
    refused(client, alice, zip_bytes({"model.gltf": gltf_with_uri("../../outside.bin")}), "model.zip")


def test_texture_claiming_an_absurd_size(client, alice):
    builder = GltfBuilder()
    positions, uvs, indices = quad()
    image = builder.image(data=huge_png_header(40_000, 40_000), mime="image/png")
    material = builder.material(pbrMetallicRoughness={"baseColorTexture": {"index": builder.texture(image)}})
    mesh = builder.mesh(builder.primitive(positions, indices, material=material, TEXCOORD_0=uvs))
    builder.scene(builder.node(mesh=mesh))
    refused(client, alice, builder.glb(), "bomb.glb", "pixel")


def test_data_uri_image_claiming_an_absurd_size_in_gltf(client, alice):
    builder = GltfBuilder()
    positions, uvs, indices = quad()
    data_uri = "data:image/png;base64," + base64.b64encode(huge_png_header(30_000, 30_000)).decode()
    image = builder.add("images", {"uri": data_uri})
    material = builder.material(pbrMetallicRoughness={"baseColorTexture": {"index": builder.texture(image)}})
    mesh = builder.mesh(builder.primitive(positions, indices, material=material, TEXCOORD_0=uvs))
    builder.scene(builder.node(mesh=mesh))
    doc = builder._json_with_buffer("data:application/octet-stream;base64,"
                                    + base64.b64encode(bytes(builder.binary)).decode())
    refused(client, alice, json.dumps(doc).encode(), "bomb.gltf", "pixel")


def test_glb_without_triangles(client, alice):
    builder = GltfBuilder()
    builder.scene(builder.node(name="empty"))
    refused(client, alice, builder.glb(), "empty.glb", "no triangles")


def test_truncated_glb(client, alice):
    builder = GltfBuilder()
    builder.simple_model(*cube_corners())
    refused(client, alice, builder.glb()[:-20], "cut.glb")


@pytest.mark.shared_assets
@pytest.mark.parametrize("name", [
    "broken/validator/glb__invalid_magic.glb",
    "broken/validator/glb__empty_file.glb",
    "broken/validator/glb__invalid_json_chunk.glb",
    "broken/validator/buffer__not_found.gltf",
    "broken/validator/node__node_loop.gltf",
    "broken/validator/mesh__unresolved_positions.gltf",
    "broken/assimp/IndexOutOfRange/IndexOutOfRange.gltf",
    "broken/assimp/MissingBin/BoxTextured.gltf",
    "broken/obj_zip_missing_texture/missing_texture.zip",
    "broken/trimesh/empty_nodes.glb",
])
def test_broken_third_party_files(client, alice, shared_assets, name):
    path = shared_assets / name
    refused(client, alice, path.read_bytes(), path.name)
