"""OBJ scan ZIPs (and bare OBJs) to GLB: safe extraction, tolerant texture lookup, rough materials."""
from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from dxgl_engine.errors import InvalidFormat
from dxgl_engine.load import archive
from dxgl_engine.load.formats import convert_to_glb, load_glb_bytes, load_model
from dxgl_engine.load.obj import mtl as mtl_module
from tests.gltf_builder import QUAD_OBJ, GltfBuilder, encode_image

TEXTURE = np.zeros((4, 8, 3), np.uint8)
TEXTURE[:2] = [200, 30, 40]  # top half red-ish, bottom half black: orientation is checkable
TEXTURE[2:, :4] = [10, 220, 30]


def mtl(map_kd: str, extra: str = "") -> str:
    return f"newmtl scan\nKd 1.0 1.0 1.0\nNs 250\n{extra}map_Kd {map_kd}\n"


def make_zip(path, files: dict[str, bytes | str], symlinks: dict[str, str] | None = None):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data.encode() if isinstance(data, str) else data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o120777 << 16)
            zf.writestr(info, target)
    return path


def scan_zip(tmp_path, texture_name="texture.png", map_kd=None, mtl_name="model.mtl", obj_name="model.obj",
             extra_files=None, mtl_text=None):
    files = {
        obj_name: QUAD_OBJ.format(mtl=mtl_name.rsplit("/", 1)[-1]),  # the MTL sits beside the OBJ
        mtl_name: mtl_text if mtl_text is not None else mtl(map_kd or texture_name),
        texture_name: encode_image(TEXTURE),
        **(extra_files or {}),
    }
    return make_zip(tmp_path / "scan.zip", files)


def assert_rough_textured(scene):
    mat = scene.materials[0]
    assert (mat.roughness_factor, mat.metallic_factor) == (1.0, 0.0)
    assert mat.base_color_texture is not None
    np.testing.assert_array_equal(scene.images[mat.base_color_texture.image].pixels[..., :3], TEXTURE)


# -- generated archives ---------------------------------------------------------------------------


def test_scan_zip_converts_to_a_rough_textured_glb(tmp_path):
    scene = load_model(scan_zip(tmp_path))
    assert scene.triangle_count == 2 and scene.source == "scan.zip"
    assert_rough_textured(scene)
    np.testing.assert_allclose(scene.materials[0].base_color_factor, [1, 1, 1, 1])


def test_obj_uvs_are_flipped_to_gltf_convention(tmp_path):
    prim = load_model(scan_zip(tmp_path)).meshes[0].primitives[0]
    origin = int(np.argmin(np.linalg.norm(prim.positions, axis=1)))
    np.testing.assert_allclose(prim.texcoords[0][origin], [0, 1], atol=1e-6)  # OBJ v is up, glTF v is down


def test_converted_glb_reloads_with_its_texture(tmp_path):
    glb = convert_to_glb(scan_zip(tmp_path))
    assert glb[:4] == b"glTF"
    assert_rough_textured(load_glb_bytes(glb, "stored.glb"))


def test_texture_in_a_subfolder_named_by_the_mtl(tmp_path):
    assert_rough_textured(load_model(scan_zip(tmp_path, texture_name="textures/albedo.png")))


def test_texture_in_a_subfolder_the_mtl_does_not_name(tmp_path):
    assert_rough_textured(load_model(scan_zip(tmp_path, texture_name="maps/albedo.png", map_kd="albedo.png")))


def test_model_in_a_subfolder_of_the_zip(tmp_path):
    path = scan_zip(tmp_path, obj_name="scan/model.obj", mtl_name="scan/model.mtl", texture_name="scan/tex.png",
                    mtl_text=mtl("tex.png"))
    assert_rough_textured(load_model(path))


@pytest.mark.parametrize("written, actual", [
    ("fuze uv.jpg", "fuze_uv.jpg"),           # the fuze scan's space/underscore quirk
    ("Texture.PNG", "texture.png"),          # case differs from the archive
    ("C:\\Users\\scan\\Desktop\\tex.png", "tex.png"),  # absolute Windows path from the scanning PC
    ("-s 1 1 1 -bm 0.5 tex.png", "tex.png"),  # texture options before the name
    ("\"tex.png\"", "tex.png"),
])
def test_tolerant_texture_names(tmp_path, written, actual):
    data = encode_image(TEXTURE, "JPEG" if actual.endswith(".jpg") else "PNG")
    files = {"model.obj": QUAD_OBJ.format(mtl="model.mtl"), "model.mtl": mtl(written), actual: data}
    scene = load_model(make_zip(tmp_path / "quirk.zip", files))
    mat = scene.materials[0]
    assert mat.base_color_texture is not None and scene.images[0].pixels.shape == (4, 8, 4)


def test_mtl_inline_comments_do_not_hide_colours(tmp_path):
    text = "newmtl scan\nKd 0.5 0.5 0.5  # grey\nmap_Kd texture.png # the scan\n"
    (tmp_path / "textured").mkdir(), (tmp_path / "plain").mkdir()
    scene = load_model(scan_zip(tmp_path / "textured", mtl_text=text))
    assert scene.materials[0].base_color_texture is not None
    # Beside map_Kd, Kd is not applied (Blender's rule: the texture is the colour)
    np.testing.assert_allclose(scene.materials[0].base_color_factor[:3], 1.0)
    scene = load_model(scan_zip(tmp_path / "plain", mtl_text="newmtl scan\nKd 0.5 0.5 0.5  # grey\n"))
    np.testing.assert_allclose(scene.materials[0].base_color_factor[:3], 0.5, atol=0.01)


def test_windows_line_endings_and_mtllib_in_a_comment(tmp_path):
    obj = "# exported with mtllib support\r\n" + QUAD_OBJ.format(mtl="model.mtl").replace("\n", "\r\n")
    files = {"model.obj": obj, "model.mtl": mtl("texture.png").replace("\n", "\r\n"),
             "texture.png": encode_image(TEXTURE)}
    assert_rough_textured(load_model(make_zip(tmp_path / "crlf.zip", files)))


def test_corrupt_diffuse_texture_is_refused(tmp_path):
    files = {"model.obj": QUAD_OBJ.format(mtl="model.mtl"), "model.mtl": mtl("texture.png"),
             "texture.png": b"\x89PNG\r\n\x1a\n broken"}
    with pytest.raises(InvalidFormat, match=r"texture 'texture.png' cannot be decoded"):
        load_model(make_zip(tmp_path / "scan.zip", files))


def test_missing_diffuse_texture_is_named(tmp_path):
    files = {"model.obj": QUAD_OBJ.format(mtl="model.mtl"), "model.mtl": mtl("albedo_8k.png")}
    with pytest.raises(InvalidFormat, match=r"the ZIP's MTL references 'albedo_8k.png' which is not in the archive"):
        load_model(make_zip(tmp_path / "scan.zip", files))


def test_missing_unused_maps_only_warn(tmp_path):
    scene = load_model(scan_zip(tmp_path, mtl_text=mtl("texture.png", extra="map_Ka ambient.gif\nbump normal.png\n")))
    assert_rough_textured(scene)
    assert any("bump map 'normal.png' is not in the archive; ignored" in w for w in scene.warnings)
    assert not any("ambient.gif" in w for w in scene.warnings), "an ambient map changes nothing in a matte scan"


def test_missing_mtl_only_warns(tmp_path):
    files = {"model.obj": QUAD_OBJ.format(mtl="gone.mtl")}
    scene = load_model(make_zip(tmp_path / "scan.zip", files))
    assert scene.triangle_count == 2 and scene.materials[0].roughness_factor == 1.0
    assert any("material library 'gone.mtl'" in w for w in scene.warnings)


def test_obj_without_materials_gets_a_rough_default(tmp_path):
    files = {"model.obj": "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n"}
    scene = load_model(make_zip(tmp_path / "plain.zip", files))
    mat = scene.materials[scene.meshes[0].primitives[0].material]
    assert (mat.roughness_factor, mat.metallic_factor) == (1.0, 0.0)


def test_two_objs_are_refused(tmp_path):
    files = {"a.obj": QUAD_OBJ.format(mtl="m.mtl"), "b.obj": QUAD_OBJ.format(mtl="m.mtl")}
    with pytest.raises(InvalidFormat, match=r"ZIP holds 2 OBJ files \(a.obj, b.obj\): upload one model per ZIP"):
        load_model(make_zip(tmp_path / "two.zip", files))


def test_obj_and_gltf_together_are_refused(tmp_path):
    files = {"a.obj": QUAD_OBJ.format(mtl="m.mtl"), "b.glb": b"glTF"}
    with pytest.raises(InvalidFormat, match=r"ZIP holds 2 model files \(a.obj, b.glb\)"):
        load_model(make_zip(tmp_path / "mixed.zip", files))


def test_no_model_in_the_zip(tmp_path):
    with pytest.raises(InvalidFormat, match="ZIP holds no model"):
        load_model(make_zip(tmp_path / "photos.zip", {"readme.txt": "hi", "tex.png": encode_image(TEXTURE)}))


def test_mac_resource_forks_are_not_models(tmp_path):
    path = scan_zip(tmp_path, extra_files={"__MACOSX/._model.obj": b"\x00\x05", "._model.obj": b"\x00"})
    assert load_model(path).triangle_count == 2


@pytest.mark.parametrize("name", ["../evil.obj", "scan/../../evil.obj", "/etc/evil.obj", "C:/evil.obj"])
def test_entries_escaping_the_archive_are_refused(tmp_path, name):
    with pytest.raises(InvalidFormat, match=r"ZIP entry '.*evil.obj' escapes the archive"):
        load_model(make_zip(tmp_path / "evil.zip", {name: "v 0 0 0\n"}))
    assert not (tmp_path / "evil.obj").exists()


def test_symlink_entries_are_refused(tmp_path):
    files = {"model.obj": QUAD_OBJ.format(mtl="m.mtl")}
    path = make_zip(tmp_path / "link.zip", files, symlinks={"m.mtl": "/etc/passwd"})
    with pytest.raises(InvalidFormat, match=r"ZIP entry 'm.mtl' is a symbolic link"):
        load_model(path)


def test_zip_bombs_are_refused_by_size_and_entry_count(tmp_path, monkeypatch):
    path = scan_zip(tmp_path)
    monkeypatch.setattr(archive, "MAX_ZIP_BYTES", 100)
    with pytest.raises(InvalidFormat, match=r"ZIP expands to [\d,]+ bytes, more than the 100 allowed"):
        load_model(path)
    monkeypatch.setattr(archive, "MAX_ZIP_BYTES", 1 << 30)
    monkeypatch.setattr(archive, "MAX_ZIP_ENTRIES", 2)
    with pytest.raises(InvalidFormat, match=r"ZIP holds 3 entries, more than the 2 allowed"):
        load_model(path)


def test_not_a_zip(tmp_path):
    path = tmp_path / "fake.zip"
    path.write_bytes(b"this is not a zip")
    with pytest.raises(InvalidFormat, match="fake.zip is not a valid ZIP archive"):
        load_model(path)


def test_obj_without_faces(tmp_path):
    with pytest.raises(InvalidFormat, match="model has no triangles to render: OBJ 'model.obj' has no faces"):
        load_model(make_zip(tmp_path / "empty.zip", {"model.obj": "# nothing\nv 0 0 0\n"}))


def test_zip_holding_a_gltf_is_read_as_gltf(tmp_path):
    b = GltfBuilder()
    b.simple_model(np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], np.float32))
    folder = tmp_path / "src"
    folder.mkdir()
    gltf = b.write_gltf(folder / "model.gltf", bin_name="model.bin")
    path = make_zip(tmp_path / "gltf.zip", {"pack/model.gltf": gltf.read_text(),
                                            "pack/model.bin": (folder / "model.bin").read_bytes()})
    scene = load_model(path)
    assert scene.triangle_count == 1 and scene.source == "gltf.zip"
    assert load_glb_bytes(convert_to_glb(path), "x.glb").triangle_count == 1


def test_bare_obj_with_files_beside_it(tmp_path):
    (tmp_path / "model.obj").write_text(QUAD_OBJ.format(mtl="model.mtl"))
    (tmp_path / "model.mtl").write_text(mtl("texture.png"))
    (tmp_path / "texture.png").write_bytes(encode_image(TEXTURE))
    scene = load_model(tmp_path / "model.obj")
    assert_rough_textured(scene)
    assert scene.source == "model.obj"
    (tmp_path / "texture.png").unlink()
    with pytest.raises(InvalidFormat, match=r"the MTL references 'texture.png' which is not beside model.obj"):
        load_model(tmp_path / "model.obj")


def test_texture_statement_parsing():
    """Options before or after the file name, names with spaces, up to three numbers after -s/-o."""
    parse = mtl_module.parse_texture
    tex = parse(["-o", "0.5", "0.5", "-clamp", "on", "my", "tex.png"])
    assert (tex.file, tex.offset, tex.clamp) == ("my tex.png", (0.5, 0.5), True)
    assert parse(["-s", "2", "tex.jpg"]).scale == (2.0, 2.0) and parse(["-s", "2", "tex.jpg"]).file == "tex.jpg"
    assert parse(["-s", "3", "3", "1", "floor.jpg"]).scale == (3.0, 3.0)
    bump = parse(["floor_n.png", "-bm", "1.5"])
    assert (bump.file, bump.bump_multiplier) == ("floor_n.png", 1.5)
    odd = parse(["-imfchan", "l", "-mm", "0", "1", "wood", "grain.png", "-blendu", "off"])
    assert odd.file == "wood grain.png" and set(odd.ignored) == {"-imfchan", "-mm", "-blendu"}
    assert parse(["tex.jpg"]).file == "tex.jpg"


# -- third-party scans --------------------------------------------------------------------------------

SCANS = [
    ("obj_zip/fuze_scan/fuze_scan.zip", 1000, (1024, 1024, 4)),
    ("obj_zip/spot_cow/spot_cow.zip", 5856, (1024, 1024, 4)),
    ("obj_zip/box_complex_material/box_complex_material.zip", 12, (195, 195, 4)),
    ("obj_zip/capsule_meshlab/capsule_meshlab.zip", 10200, (1024, 2048, 4)),
]


@pytest.mark.shared_assets
@pytest.mark.parametrize("rel, triangles, shape", SCANS, ids=[s[0].split("/")[1] for s in SCANS])
def test_third_party_scan_zip_converts_and_reloads(shared_assets, rel, triangles, shape):
    glb = convert_to_glb(shared_assets / rel)
    scene = load_glb_bytes(glb, "stored.glb")
    assert scene.triangle_count == triangles
    mat = scene.materials[scene.meshes[0].primitives[0].material]
    assert (mat.roughness_factor, mat.metallic_factor) == (1.0, 0.0)
    assert mat.base_color_texture is not None
    assert scene.images[mat.base_color_texture.image].pixels.shape == shape
    assert not [w for w in scene.warnings if "NORMAL" in w]  # OBJ normals come out unit length


@pytest.mark.shared_assets
def test_spot_cow_keeps_its_white_diffuse(shared_assets):
    # its MTL writes "Kd 1.000 1.000 1.000  # white": trimesh alone would miss the colour and use 0.4
    scene = load_model(shared_assets / "obj_zip/spot_cow/spot_cow.zip")
    np.testing.assert_allclose(scene.materials[0].base_color_factor, [1, 1, 1, 1])


LARGE_OBJS = [
    ("large/nefertiti/nefertiti.obj", 99938),
    ("large/ogre/ogre.obj", 124008),
    ("large/stanford_bunny/stanford-bunny.obj", 69451),
]


@pytest.mark.shared_assets
@pytest.mark.parametrize("rel, triangles", LARGE_OBJS, ids=[r.split("/")[-1] for r, _ in LARGE_OBJS])
def test_third_party_large_obj_loads(shared_assets, rel, triangles):
    scene = load_model(shared_assets / rel)
    assert scene.triangle_count == triangles
    mat = scene.materials[scene.meshes[0].primitives[0].material]
    assert (mat.roughness_factor, mat.metallic_factor) == (1.0, 0.0)


def test_make_zip_helper_writes_readable_archives(tmp_path):
    path = make_zip(tmp_path / "x.zip", {"a.txt": "x"})
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as zf:
        assert zf.namelist() == ["a.txt"]
