"""Dataset export: the ZIP's cameras, masks, depth and points describe the same geometry."""
import io
import json
import zipfile

import numpy as np
import pytest
from PIL import Image
from scipy.ndimage import minimum_filter

from dxgl_engine import load_model
from dxgl_engine.motion.framing import frame_timeline
from dxgl_engine.pipeline.dataset import DEPTH_SCALE, dataset_settings, export_dataset
from dxgl_engine.errors import InvalidSettings
from dxgl_engine.samples import sample_path
from dxgl_engine.settings import Settings
from dxgl_engine.scene.transforms import transform_points

pytestmark = pytest.mark.gl


@pytest.fixture(scope="module")
def product(gl):
    return load_model(sample_path("product"))


@pytest.fixture(scope="module")
def dataset(product, tmp_path_factory):
    out = tmp_path_factory.mktemp("ds") / "set.zip"
    settings = Settings.from_json({"output": "dataset", "datasetQuality": "100x800", "coverage": "sphere"})
    phases = []
    export_dataset(product, settings, out, progress=lambda s, f: phases.append((s, f)))
    z = zipfile.ZipFile(out)
    return z, json.loads(z.read("transforms.json")), settings, phases


def png(z, name):
    return np.asarray(Image.open(io.BytesIO(z.read(name))))


def world_surface_points(scene, settings, n=4000, seed=0):
    """Points sampled on the model's triangles, placed in the dataset's world."""
    from dxgl_engine.scene.posed import posed_points  # noqa: F401  (rest pose: static sample)

    framing, _ = frame_timeline(scene, dataset_settings(settings), 1.0)
    rng = np.random.default_rng(seed)
    pts = []
    for inst in scene.instances():
        for prim in scene.meshes[inst.mesh].primitives:
            tri = prim.positions[prim.indices].astype(np.float64)  # (T, 3, 3)
            area = np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1)
            pick = rng.choice(len(tri), size=n, p=area / area.sum())
            u, v = rng.random((2, n))
            flip = u + v > 1
            u[flip], v[flip] = 1 - u[flip], 1 - v[flip]
            p = tri[pick, 0] + u[:, None] * (tri[pick, 1] - tri[pick, 0]) + v[:, None] * (tri[pick, 2] - tri[pick, 0])
            pts.append(transform_points(inst.matrix, p))
    return transform_points(framing.model, np.concatenate(pts))


def project(meta, frame, pts):
    """Pixel coordinates and camera depth of world points in one nerfstudio frame."""
    c2w = np.array(frame["transform_matrix"])
    w2c = np.linalg.inv(c2w)
    cam = pts @ w2c[:3, :3].T + w2c[:3, 3]
    z = -cam[:, 2]
    x = meta["fl_x"] * cam[:, 0] / z + meta["cx"]
    y = -meta["fl_y"] * cam[:, 1] / z + meta["cy"]
    return x, y, z


def test_layout_and_counts(dataset):
    z, meta, settings, phases = dataset
    names = set(z.namelist())
    for folder in ("images", "rgba", "masks", "depth"):
        assert sum(n.startswith(folder + "/") for n in names) == 100
    assert {"transforms.json", "transforms_train.json", "transforms_val.json", "transforms_test.json",
            "points3d.ply"} <= names  # fmt: skip
    assert (meta["w"], meta["h"], meta["camera_model"]) == (800, 800, "OPENCV")
    assert meta["ply_file_path"] == "points3d.ply" and meta["depth_unit_scale_factor"] == DEPTH_SCALE
    img = png(z, meta["frames"][0]["file_path"])
    rgba = png(z, meta["frames"][0]["rgba_path"])
    assert img.shape == (800, 800, 3) and rgba.shape == (800, 800, 4)
    assert tuple(img[0, 0]) == (255, 255, 255) and rgba[0, 0, 3] == 0  # composited on white; alpha kept
    depth = png(z, meta["frames"][0]["depth_file_path"])
    assert depth.dtype == np.uint16
    assert phases[-1] == ("encoding", 1.0) and [f for s, f in phases if s == "dataset"][-1] == 1.0


def test_cameras_spread_over_the_sphere_and_look_at_the_centre(dataset):
    _, meta, _, _ = dataset
    c2w = np.array([f["transform_matrix"] for f in meta["frames"]])
    eyes, forward = c2w[:, :3, 3], -c2w[:, :3, 2]
    # the point closest to every viewing ray (least squares): where they all look
    proj = np.eye(3)[None] - forward[:, :, None] * forward[:, None, :]
    centre = np.linalg.solve(proj.sum(0), np.einsum("nij,nj->i", proj, eyes))
    radii = np.linalg.norm(eyes - centre, axis=1)
    assert radii.std() / radii.mean() < 1e-6  # one distance, one field of view
    assert (eyes[:, 1] - centre[1]).min() < -0.9 * radii.mean()  # sphere: views from below too
    to_centre = (centre - eyes) / radii[:, None]
    assert np.allclose(np.einsum("ij,ij->i", forward, to_centre), 1.0, atol=1e-6)


def test_surface_points_land_in_every_mask(product, dataset):
    z, meta, settings, _ = dataset
    pts = world_surface_points(product, settings)
    inside = []
    for frame in meta["frames"][::5]:
        mask = png(z, frame["mask_path"]) > 0
        x, y, _ = project(meta, frame, pts)
        xi, yi = np.clip(x.astype(int), 0, 799), np.clip(y.astype(int), 0, 799)
        inside.append(mask[yi, xi].mean())
    assert min(inside) >= 0.99, inside


def test_depth_agrees_with_projected_depth(product, dataset):
    z, meta, settings, _ = dataset
    pts = world_surface_points(product, settings, n=3000)
    agree, total = 0, 0
    for frame in meta["frames"][::10]:
        depth = png(z, frame["depth_file_path"]).astype(np.float64) * meta["depth_unit_scale_factor"]
        x, y, d = project(meta, frame, pts)
        xi, yi = x.astype(int), y.astype(int)
        ok = (xi > 1) & (yi > 1) & (xi < 798) & (yi < 798)
        nearest = minimum_filter(np.where(depth > 0, depth, np.inf), size=3)  # forgive silhouette pixels
        surface = nearest[yi[ok], xi[ok]]
        assert np.all(surface <= d[ok] + 0.01)  # nothing is seen behind a surface point
        agree += int((np.abs(depth[yi[ok], xi[ok]] - d[ok]) < 0.01).sum())  # visible points: the same depth
        total += int(ok.sum())
    assert agree / total > 0.3


def test_nerf_synthetic_and_nerfstudio_describe_the_same_cameras(dataset):
    z, meta, _, _ = dataset
    by_file = {f["file_path"][: -len(".png")]: f["transform_matrix"] for f in meta["frames"]}
    seen = []
    for split in ("train", "val", "test"):
        synth = json.loads(z.read(f"transforms_{split}.json"))
        fl = 0.5 * meta["w"] / np.tan(synth["camera_angle_x"] / 2)
        assert fl == pytest.approx(meta["fl_x"])
        for f in synth["frames"]:
            key = f["file_path"].removeprefix("./")
            assert np.allclose(f["transform_matrix"], by_file[key])
            seen.append(key)
    assert sorted(seen) == sorted(by_file) and len(set(seen)) == 100  # every view in exactly one split


def test_points3d_ply_lies_on_the_surface(product, dataset):
    z, _, settings, _ = dataset
    raw = z.read("points3d.ply")
    header, body = raw.split(b"end_header\n", 1)
    count = int(next(line for line in header.decode().splitlines() if line.startswith("element vertex")).split()[-1])
    pts = np.frombuffer(body, dtype=[("xyz", "<f4", 3), ("rgb", "u1", 3)], count=count)
    assert count > 10_000
    surface = world_surface_points(product, settings, n=20000)
    from scipy.spatial import cKDTree

    dist, _ = cKDTree(surface).query(pts["xyz"].astype(np.float64))
    assert np.percentile(dist, 95) < 0.03  # within 3 cm of the 1.34 m tall bottle's surface
    assert pts["rgb"].std() > 10  # coloured


def test_dataset_refuses_video_settings_and_wrong_extension(product, tmp_path):
    with pytest.raises(InvalidSettings, match="dataset"):
        export_dataset(product, Settings(), tmp_path / "x.zip")
    with pytest.raises(InvalidSettings, match=r"\.zip"):
        export_dataset(product, Settings.from_json({"output": "dataset"}), tmp_path / "x.tar")
    assert list(tmp_path.iterdir()) == []
