"""Scans as scanners really write them (issue: vertex colours, texture options, map coordinates,
missing normals and the small things): each kind of fault with generated inputs that assert the
right value, and the cases from public bug reports in ../shared/wild."""
from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest
from PIL import Image

from dxgl_engine import Settings, Timeline, convert_to_glb, load_glb_bytes, load_model
from dxgl_engine.load.gltf.container import split_glb
from tests.gltf_builder import encode_image

SIZE = (320, 180)
BG = None  # transparent: alpha tells the model from the background


def zipped(path, files: dict[str, bytes | str]):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data.encode() if isinstance(data, str) else data)
    return path


def render(scene, settings=None) -> np.ndarray:
    s = Settings.from_json({"shadows": False, "length": 3, **(settings or {})})
    return Timeline(scene, s, SIZE).frame(0, BG)


def cube_obj(offset=(0.0, 0.0, 0.0), size=1.0, color=None, start=1) -> str:
    """A cube (8 vertices, 6 quads, no normals) as OBJ lines; `color` adds r g b to its v lines."""
    lines = []
    for corner in np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1]]):
        p = np.asarray(offset) + corner * size
        extra = "" if color is None else " " + " ".join(f"{c:g}" for c in color)
        lines.append("v " + " ".join(f"{x:.6f}" for x in p) + extra)
    quads = [(1, 4, 3, 2), (5, 6, 7, 8), (1, 2, 6, 5), (2, 3, 7, 6), (3, 4, 8, 7), (4, 1, 5, 8)]
    lines += ["f " + " ".join(str(start - 1 + i) for i in q) for q in quads]
    return "\n".join(lines) + "\n"


def srgb(linear):
    linear = np.asarray(linear, np.float64)
    return np.where(linear <= 0.0031308, linear * 12.92, 1.055 * linear ** (1 / 2.4) - 0.055)


def model_pixels(frame: np.ndarray, xs: slice) -> np.ndarray:
    """RGB of the model's opaque pixels within columns `xs`."""
    part = frame[:, xs]
    return part[part[..., 3] == 255][:, :3].astype(np.float64)


# --- 1. vertex colours, and OBJs without a material ---------------------------------------------------
def test_vertex_colours_reach_the_render_and_uncoloured_parts_are_light(tmp_path, gl):
    obj = "o plain\n" + cube_obj((-1.6, 0, 0)) + "o painted\n" + cube_obj((0.6, 0, 0), color=(0.2, 0.4, 0.9), start=9)
    scene = load_model(zipped(tmp_path / "scan.zip", {"two.obj": obj}))
    colours = [p.colors for m in scene.meshes for p in m.primitives]
    painted = next(c for c in colours if c is not None)
    np.testing.assert_allclose(painted[:, :3], np.tile([0.0331, 0.1329, 0.7874], (len(painted), 1)), atol=2e-3)
    frame = render(scene, {"rotateY": 30})
    left, right = model_pixels(frame, slice(0, SIZE[0] // 2)), model_pixels(frame, slice(SIZE[0] // 2, None))
    assert len(left) > 500 and len(right) > 500
    grey = np.median(left, axis=0)
    assert grey.min() > 150 and np.ptp(grey) < 12, f"the uncoloured cube is a neutral light grey, got {grey}"
    blue = np.median(right, axis=0)
    assert blue[2] > 150 and blue[2] > blue[1] + 40 > blue[0] + 40, f"the painted cube shows its blue, got {blue}"


def test_byte_vertex_colours_are_read_as_0_to_255(tmp_path):
    obj = cube_obj(color=(255, 128, 0))
    prim = load_model(zipped(tmp_path / "bytes.zip", {"b.obj": obj})).meshes[0].primitives[0]
    np.testing.assert_allclose(prim.colors[0, :3], [1.0, 0.2158, 0.0], atol=2e-3)


def test_wild_mixed_vertex_colours(shared_wild, gl):
    """../shared/wild/04: an uncoloured cube, then a cube with coloured v lines, no MTL."""
    scene = load_model(shared_wild / "04-obj-vertex-colors-mixed" / "two_objects_vertex_colors.zip")
    frame = render(scene)
    pixels = frame[frame[..., 3] == 255][:, :3].astype(np.float64)
    assert len(pixels) > 1000 and np.median(pixels.max(axis=1)) > 120, "neither cube near-black"
    chroma = pixels.max(axis=1) - pixels.min(axis=1)
    assert (chroma < 10).mean() > 0.2 and (chroma > 60).mean() > 0.1, "one grey cube, one in colour"


# --- 2. texture options --------------------------------------------------------------------------------
WALL = """mtllib wall.mtl
v -1 0 0
v 1 0 0
v 1 2 0
v -1 2 0
vt 0 0
vt 1 0
vt 1 1
vt 0 1
vn 0 0 1
usemtl wall
f 1/1/1 2/2/1 3/3/1
f 1/1/1 3/3/1 4/4/1
"""


def stripe_texture() -> bytes:
    """White with one black vertical stripe in the middle of u: one dark run per texture period."""
    img = np.full((16, 32, 3), 255, np.uint8)
    img[:, 14:18] = 0
    return encode_image(img)


def dark_runs(frame: np.ndarray) -> int:
    row = frame[SIZE[1] // 2, :, :3].astype(int).mean(-1)
    inside = frame[SIZE[1] // 2, :, 3] == 255
    dark = (row < 60) & inside
    return int(np.sum(dark[1:] & ~dark[:-1]))


@pytest.mark.parametrize("statement, periods", [
    ("map_Kd stripes.png", 1),
    ("map_Kd -s 3 3 1 stripes.png", 3),  # option before the name
    ("map_Kd stripes.png -s 3 1", 3),  # option after the name
    ("map_Kd -o 0.25 0 -s 2 1 stripes.png -clamp off", 2),
])  # fmt: skip
def test_texture_scale_tiles_the_map(tmp_path, gl, statement, periods):
    files = {"wall.obj": WALL, "wall.mtl": f"newmtl wall\nKd 1 1 1\n{statement}\n", "stripes.png": stripe_texture()}
    scene = load_model(zipped(tmp_path / "wall.zip", files))
    assert not scene.warnings, scene.warnings
    assert dark_runs(render(scene, {"effect": "showcase", "amplitude": 5})) == periods


def test_bump_map_after_its_options_or_before_them_reaches_the_material(tmp_path):
    height = np.zeros((32, 32), np.uint8)
    height[:, 16:] = 255  # a step: its normals lean across it
    for statement in ("bump -bm 2 wall_bump.png", "bump wall_bump.png -bm 2", "map_Bump wall_bump.png"):
        files = {"wall.obj": WALL, "wall.png": stripe_texture(), "wall_bump.png": encode_image(height),
                 "wall.mtl": f"newmtl wall\nmap_Kd wall.png\n{statement}\n"}  # fmt: skip
        scene = load_model(zipped(tmp_path / "bump.zip", files))
        material = scene.materials[0]
        assert material.normal_texture is not None, statement
        assert any("height map: turned into a normal map" in w for w in scene.warnings)
        normals = scene.images[material.normal_texture.image].pixels[..., :3].astype(float) / 127.5 - 1
        assert abs(normals[8, 16, 0]) > 0.1 and np.allclose(normals[8, 4], [0, 0, 1], atol=0.02)


def test_wild_map_options(shared_wild, gl):
    """../shared/wild/01: `map_Kd -s 3 3 1 floor.jpg` and `bump floor_n.png -bm 1`."""
    scene = load_model(shared_wild / "01-obj-map-options" / "room_floor.zip")
    material = scene.materials[0]
    assert material.base_color_texture is not None and material.normal_texture is not None
    np.testing.assert_allclose(np.diag(material.base_color_texture.uv_transform)[:2], [3, 3])
    assert not [w for w in scene.warnings if "is not in" in w], scene.warnings


# --- 3. map coordinates ---------------------------------------------------------------------------------
def test_map_coordinates_keep_their_millimetres_and_their_offset(tmp_path, gl):
    """A 40 cm box with 1 mm steps at (500,000 m, 6,000,000 m, 312 m): positions within 0.1 mm after
    conversion, the offset in the root node, and the render the same as the box at the origin."""
    origin = np.array([500_000.25, 6_000_000.5, 312.125])
    rng = np.random.default_rng(1)
    corners = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1]])
    local = corners * 0.4 + rng.integers(0, 5, (8, 3)) * 0.001  # millimetre detail
    quads = [(1, 4, 3, 2), (5, 6, 7, 8), (1, 2, 6, 5), (2, 3, 7, 6), (3, 4, 8, 7), (4, 1, 5, 8)]
    faces = "".join("f " + " ".join(map(str, q)) + "\n" for q in quads)

    def obj(points):
        return "".join(f"v {x:.4f} {y:.4f} {z:.4f}\n" for x, y, z in points) + faces

    far = zipped(tmp_path / "utm.zip", {"scan.obj": obj(origin + local)})
    glb = convert_to_glb(far)
    doc = json.loads(split_glb(glb).json_bytes)
    root = next(n for n in doc["nodes"] if n.get("name") == "root")
    offset = np.array(root["translation"])
    scene = load_glb_bytes(glb, "utm.glb")
    world = scene.world_matrices()
    prim_node = next(i for i, n in enumerate(scene.nodes) if n.mesh is not None)
    m = world[prim_node]
    points = scene.meshes[0].primitives[0].positions.astype(np.float64) @ m[:3, :3].T + m[:3, 3]
    expected = np.round(origin + local, 4)
    nearest = np.abs(points[:, None, :] - expected[None, :, :]).sum(-1).min(axis=1)
    assert nearest.max() < 1e-4, f"worst vertex off by {nearest.max() * 1000:.3f} mm"
    assert np.abs(offset - (origin + 0.2)).max() < 0.01
    assert any("re-centred" in w and "root node" in w for w in load_model(far).warnings)

    near = render(load_model(zipped(tmp_path / "local.zip", {"scan.obj": obj(local)})))
    there = render(scene)
    assert (there[..., 3] == 255).sum() > 2000
    assert np.abs(there.astype(int) - near.astype(int)).mean() < 1.0


# --- 4. normals the file leaves out ---------------------------------------------------------------------
def sphere_obj(n: int = 24) -> str:
    """A UV sphere without normals."""
    lines = []
    for i in range(n + 1):
        theta = np.pi * i / n
        for j in range(n):
            phi = 2 * np.pi * j / n
            lines.append(f"v {np.sin(theta) * np.cos(phi):.6f} {np.cos(theta):.6f} {np.sin(theta) * np.sin(phi):.6f}")
    for i in range(n):
        for j in range(n):
            a, b = i * n + j + 1, i * n + (j + 1) % n + 1
            c, d = a + n, b + n
            lines.append(f"f {a} {b} {d} {c}")
    return "\n".join(lines) + "\n"


def test_obj_without_normals_is_smooth_with_its_creases_kept(tmp_path, gl):
    from tests.engine.test_normals import shading

    sphere = load_model(zipped(tmp_path / "sphere.zip", {"sphere.obj": sphere_obj()}))
    cube = load_model(zipped(tmp_path / "cube.zip", {"cube.obj": cube_obj()}))
    assert any("smooth ones generated" in w for w in sphere.warnings)
    same, jumps = shading(render(sphere))
    assert jumps < 10, "a sphere without normals renders smooth"
    cube_normals = cube.meshes[0].primitives[0].normals
    assert len(cube_normals) == 24  # 6 faces x 4 corners: the 90-degree edges stay creases
    np.testing.assert_allclose(np.abs(cube_normals).max(axis=1), 1.0, atol=1e-6)
    same, jumps = shading(render(cube, {"rotateY": 30}))
    assert same > 0.8 and jumps > 30, "a box without normals keeps flat sides and sharp edges"


# --- 6. the other small things scanners do ---------------------------------------------------------------
def test_polygons_negative_indices_names_with_spaces_and_several_mtllibs(tmp_path):
    obj = """mtllib first lib.mtl second.mtl
v 0 0 0
v 2 0 0
v 3 1 0.1
v 2 2 0
v 0 2 -0.1
v -1 1 0
usemtl from second
f -6 -5 -4 -3 -2 -1
"""
    files = {"scan.obj": obj, "first lib.mtl": "newmtl unused\nKd 1 0 0\n",
             "second.mtl": "newmtl from second\nKd 0 0.5 0\n"}  # fmt: skip
    # 'first lib.mtl' has a space: 'mtllib first lib.mtl second.mtl' is read as two names after the whole fails
    scene = load_model(zipped(tmp_path / "poly.zip", files))
    prim = scene.meshes[0].primitives[0]
    assert prim.triangle_count == 4  # a hexagon, non-planar: four triangles
    tri = prim.positions[prim.indices]
    normals = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    assert np.all(normals[:, 2] > 0), "every triangle faces the polygon's side"
    np.testing.assert_allclose(scene.materials[prim.material].base_color_factor[:3], [0, 0.5, 0])


def test_black_kd_beside_a_texture_keeps_the_texture(tmp_path):
    files = {"wall.obj": WALL, "wall.mtl": "newmtl wall\nKd 0 0 0\nmap_Kd Stripes.PNG\n", "stripes.png": stripe_texture()}
    material = load_model(zipped(tmp_path / "kd.zip", files)).materials[0]
    assert material.base_color_texture is not None
    np.testing.assert_allclose(material.base_color_factor[:3], 1.0)


def cmyk_jpeg(rgb) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), rgb).convert("CMYK").save(out, format="JPEG", quality=95)
    return out.getvalue()


def test_cmyk_grey_alpha_and_exif_rotated_textures(tmp_path):
    la = io.BytesIO()
    Image.new("LA", (4, 4), (180, 128)).save(la, format="PNG")
    rotated = io.BytesIO()
    pixels = np.zeros((4, 8, 3), np.uint8)
    pixels[:, :4] = 250  # left half white as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    Image.fromarray(pixels).save(rotated, format="JPEG", exif=exif.tobytes(), quality=100)
    for texture, check in (
        (cmyk_jpeg((200, 40, 30)), lambda px, w: np.allclose(px[4, 4, :3], (200, 40, 30), atol=12)
         and any("converted from CMYK JPEG to RGB" in x for x in w)),
        (la.getvalue(), lambda px, w: px[0, 0, 0] == 180 and px[0, 0, 3] == 128 and not w),
        (rotated.getvalue(), lambda px, w: px.shape[:2] == (4, 8) and px[2, 1, 0] > 200 and px[2, 6, 0] < 50),
    ):  # fmt: skip
        files = {"wall.obj": WALL, "wall.mtl": "newmtl wall\nmap_Kd tex.img\n", "tex.img": texture}
        scene = load_model(zipped(tmp_path / "tex.zip", files))
        pixels = scene.images[scene.materials[0].base_color_texture.image].pixels
        assert check(pixels, [w for w in scene.warnings if "tex.img" in w]), scene.warnings
    # the EXIF-rotated JPEG goes into the GLB byte for byte (glTF: the first stored pixel is uv 0, 0)
    files = {"wall.obj": WALL, "wall.mtl": "newmtl wall\nmap_Kd tex.jpg\n", "tex.jpg": rotated.getvalue()}
    glb = convert_to_glb(zipped(tmp_path / "exif.zip", files))
    assert rotated.getvalue() in glb


# --- a PLY or STL scan instead of an OBJ -------------------------------------------------------------------
def ply_bytes(positions, faces, colors=None, normals=None) -> bytes:
    """A binary little-endian PLY written here (x y z [nx ny nz] [red green blue], faces as lists)."""
    props = [("x", "<f8"), ("y", "<f8"), ("z", "<f8")]
    props += [("nx", "<f4"), ("ny", "<f4"), ("nz", "<f4")] if normals is not None else []
    props += [("red", "u1"), ("green", "u1"), ("blue", "u1")] if colors is not None else []
    vertex = np.zeros(len(positions), props)
    vertex["x"], vertex["y"], vertex["z"] = positions.T
    if normals is not None:
        vertex["nx"], vertex["ny"], vertex["nz"] = normals.T
    if colors is not None:
        vertex["red"], vertex["green"], vertex["blue"] = colors.T
    kinds = {"<f8": "double", "<f4": "float", "u1": "uchar"}
    header = ["ply", "format binary_little_endian 1.0", f"element vertex {len(positions)}",
              *[f"property {kinds[t]} {n}" for n, t in props], f"element face {len(faces)}",
              "property list uchar int vertex_indices", "end_header", ""]  # fmt: skip
    face = np.zeros(len(faces), [("n", "u1"), ("v", "<i4", faces.shape[1])])
    face["n"], face["v"] = faces.shape[1], faces
    return "\n".join(header).encode() + vertex.tobytes() + face.tobytes()


def test_ply_scan_in_a_zip_keeps_its_vertex_colours(tmp_path, gl):
    from tests.gltf_builder import icosahedron

    positions, faces = icosahedron()
    colors = np.tile([230, 120, 20], (len(positions), 1)).astype(np.uint8)
    scene = load_model(zipped(tmp_path / "scan.zip", {"scanner export/scan.ply": ply_bytes(
        positions.astype(np.float64) + [400_000.0, 5_000_000.0, 0.0], faces.astype(np.int64), colors)}))
    prim = scene.meshes[0].primitives[0]
    np.testing.assert_allclose(prim.colors[0, :3], srgb_inverse([230, 120, 20]), atol=3e-3)
    assert any("re-centred" in w for w in scene.warnings)
    frame = render(scene)
    orange = np.median(frame[frame[..., 3] == 255][:, :3], axis=0)
    assert orange[0] > orange[1] + 40 > orange[2] + 40, orange


def test_stl_scan_is_welded_and_smooth(tmp_path, gl):
    """An STL holds every triangle's corners apart; welded, a sphere renders smooth."""
    import trimesh

    from tests.engine.test_normals import shading

    sphere = trimesh.creation.icosphere(subdivisions=3)
    path = tmp_path / "part.stl"
    sphere.export(str(path))
    scene = load_model(path)
    prim = scene.meshes[0].primitives[0]
    assert len(prim.positions) < 3 * prim.triangle_count / 2, "corners welded into shared vertices"
    assert shading(render(scene))[1] < 10


def srgb_inverse(byte_rgb) -> np.ndarray:
    c = np.asarray(byte_rgb, np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def test_a_texture_over_the_gpu_limit_is_reduced_with_a_warning(tmp_path, gl, monkeypatch, caplog):
    from dxgl_engine.render import gpu_scene

    monkeypatch.setattr(gpu_scene, "_max_texture_size", lambda: 16)  # as if the GPU took 16 px at most
    files = {"wall.obj": WALL, "wall.mtl": "newmtl wall\nmap_Kd stripes.png\n", "stripes.png": stripe_texture()}
    scene = load_model(zipped(tmp_path / "big.zip", files))
    with caplog.at_level("WARNING", logger="dxgl_engine.render.gpu_scene"):
        frame = render(scene, {"effect": "showcase", "amplitude": 5})
    assert "a 32x16 texture exceeds this GPU's limit of 16 pixels: reduced to 16x8" in caplog.text
    assert dark_runs(frame) == 1, "still the texture, at a lower resolution"


# --- text as exporters really write it ------------------------------------------------------------------
SQUARE = "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nvt 0 0\nvt 1 0\nvt 1 1\nvn 0 0 1\n"


@pytest.mark.parametrize("faces", [
    "f 1 2 3\nf 1/1/1 3/3/1 4/1/1\n",  # as many slashes in all as two v/vt faces would have
    "f 1/1/1 2 3\nf 1/1 3/3/1 4\n",  # layouts differing inside a face
    "f 1//1 2//1 3//1\nf 1/1/1 3/3/1 4/1/1\n",
])  # fmt: skip
def test_corner_layouts_may_differ_from_face_to_face(faces):
    from dxgl_engine.load.obj.parse import parse_obj

    expected = []
    for line in faces.splitlines():  # what each corner says, read one at a time
        for token in line.split()[1:]:
            fields = [int(x) - 1 if x else -1 for x in token.split("/")]
            expected.append(fields + [-1] * (3 - len(fields)))
    np.testing.assert_array_equal(parse_obj((SQUARE + faces).encode()).corners, expected)


def test_byte_order_mark_and_old_mac_line_ends():
    from dxgl_engine.load.obj.parse import parse_obj

    plain = parse_obj((SQUARE + "f 1/1/1 2/2/1 3/3/1 4/1/1\n").encode())
    for variant in (b"\xef\xbb\xbf" + (SQUARE + "f 1/1/1 2/2/1 3/3/1 4/1/1\n").encode(),
                    (SQUARE + "f 1/1/1 2/2/1 3/3/1 4/1/1\n").replace("\n", "\r").encode()):  # fmt: skip
        got = parse_obj(variant)
        np.testing.assert_array_equal(got.positions, plain.positions)
        np.testing.assert_array_equal(got.corners, plain.corners)
        np.testing.assert_array_equal(got.triangles, plain.triangles)


def test_material_names_keep_a_hash_and_comments_after_them_still_match(tmp_path):
    """3ds Max writes 'usemtl Material #25' and 'newmtl Material #25'; a '# comment' after a name
    elsewhere still finds its material."""
    obj = "mtllib m.mtl # the library\nusemtl Material #25\n" + cube_obj() + "usemtl other\n" + cube_obj((2, 0, 0), start=9)
    mtl = "newmtl Material\nKd 1 0 0\nnewmtl Material #25\nKd 0 0 1\nnewmtl other # painted green\nKd 0 1 0\n"
    scene = load_model(zipped(tmp_path / "max.zip", {"max.obj": obj, "m.mtl": mtl}))
    colours = sorted(tuple(scene.materials[p.material].base_color_factor[:3]) for m in scene.meshes for p in m.primitives)
    assert colours == [(0.0, 0.0, 1.0), (0.0, 1.0, 0.0)]
    assert not any("not in its MTL" in w for w in scene.warnings)


def test_a_dark_vertex_in_a_0_to_255_file_stays_dark():
    """0-255 or 0-1 is the file's choice: '1 1 0' among byte colours is nearly black, not yellow."""
    from dxgl_engine.load.obj.parse import parse_obj

    data = parse_obj(b"v 0 0 0 255 128 0\nv 1 0 0 1 1 0\nv 0 1 0 0 0 0\nf 1 2 3\n")
    np.testing.assert_allclose(data.colors, [[1, 128 / 255, 0], [1 / 255, 1 / 255, 0], [0, 0, 0]], atol=1e-6)


def test_vertices_without_a_colour_take_the_kd_and_coloured_ones_keep_theirs(tmp_path):
    painted = cube_obj(color=(0.9, 0.9, 0.1)).splitlines()
    plain = cube_obj().splitlines()
    obj = "mtllib m.mtl\nusemtl blue\n" + "\n".join(painted[:4] + plain[4:8] + painted[8:]) + "\n"
    scene = load_model(zipped(tmp_path / "half.zip", {"half.obj": obj, "m.mtl": "newmtl blue\nKd 0 0 1\n"}))
    prim = scene.meshes[0].primitives[0]
    np.testing.assert_allclose(scene.materials[prim.material].base_color_factor[:3], 1.0)
    yellow = np.isclose(prim.colors[:, 0], srgb_inverse([0.9 * 255])[0], atol=2e-3)
    assert yellow.any() and (~yellow).any()
    np.testing.assert_allclose(prim.colors[~yellow, :3], np.tile([0, 0, 1], ((~yellow).sum(), 1)))


def test_alpha_map_and_ply_texture_are_named_as_not_applied(tmp_path):
    files = {"wall.obj": WALL, "wall.mtl": "newmtl wall\nmap_Kd stripes.png\nmap_d mask.png\n",
             "stripes.png": stripe_texture(), "mask.png": stripe_texture()}  # fmt: skip
    scene = load_model(zipped(tmp_path / "mask.zip", files))
    assert any("map_d" in w and "mask.png" in w for w in scene.warnings)
    ply = ("ply\nformat ascii 1.0\ncomment TextureFile tex.png\nelement vertex 3\nproperty float x\n"
           "property float y\nproperty float z\nproperty float s\nproperty float t\nelement face 1\n"
           "property list uchar int vertex_indices\nend_header\n0 0 0 0 0\n1 0 0 1 0\n0 1 0 0 1\n3 0 1 2\n")  # fmt: skip
    (tmp_path / "uv.ply").write_text(ply)
    assert any("texture is not kept" in w for w in load_model(tmp_path / "uv.ply").warnings)
