"""NeRF / 3D Gaussian Splatting training sets: views evenly spread over a hemisphere or sphere
around the model, all looking at its centre with one field of view, rendered with the product look.

The ZIP follows nerfstudio's layout (transforms.json with intrinsics, camera-to-world matrices in
the OpenGL convention, masks, depth and a ply of surface points for splat initialisation) and
also carries the original NeRF-synthetic transforms_{train,val,test}.json. Images are composited
on white, as `ns-train splatfacto ... --pipeline.model.background-color white` expects; the RGBA
originals are kept beside them. The floor's shadow and reflection are left out: they are not part
of the object and would not be consistent with its masks.
"""
from __future__ import annotations

import io
import json
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image

from ..encode.images import over_color
from ..encode.output_set import OutputSet
from ..errors import Cancelled, DxglError, InvalidSettings, RenderFailed
from ..motion import camera_paths
from ..render_files import RenderFiles
from ..scene.model import Scene
from ..settings import Settings
from .timeline import Timeline

DEPTH_SCALE = 1e-3  # one depth-PNG unit in model units (metres in glTF): millimetres
POINTS = 60_000  # points in points3d.ply
SPLIT = (0.8, 0.1)  # train / val fractions; the rest is test


@dataclass
class DatasetResult:
    path: Path
    views: int
    size: int
    seconds: float


def dataset_settings(settings: Settings) -> Settings:
    """The settings a dataset renders with: its own camera set, no shadow or reflection."""
    if not settings.is_dataset:
        raise InvalidSettings("not a dataset render: set output or effect to 'dataset'", "output")
    return settings.replace(effect="dataset", output="dataset", shadows=False, reflector=False, zoom=1.0,
                            max_length=max(settings.length, 30.0))  # fmt: skip


def export_dataset(scene: Scene, settings: Settings, out: str | Path, *, files: RenderFiles | None = None,
                   progress: Callable[[str, float], None] | None = None,
                   cancel: threading.Event | None = None) -> DatasetResult:
    """Render the dataset of `settings` (its tier and coverage) into the ZIP `out`."""
    import time

    t0 = time.perf_counter()
    progress = progress or (lambda phase, fraction: None)
    s = dataset_settings(settings)
    tier = s.dataset_tier
    out = Path(out)
    if out.suffix.lower() != ".zip":
        raise InvalidSettings(f"a dataset is a .zip; name the output '{out.stem}.zip'", "output")
    timeline = Timeline(scene, s, (tier.size, tier.size), files=files)
    fov_y = timeline.framing.fov_y
    focal = 0.5 * tier.size / np.tan(np.radians(fov_y) / 2.0)
    frames, clouds = [], []
    rng = np.random.default_rng(0)
    try:
        with OutputSet() as output_set, zipfile.ZipFile(output_set.path(out), "w", zipfile.ZIP_STORED) as zf:
            for k in range(tier.views):
                if cancel is not None and cancel.is_set():
                    raise Cancelled("dataset export cancelled")
                t = k / max(tier.views - 1, 1)
                view = timeline.framing.view(camera_paths.shot_at(s, t), tier.size, tier.size, 1.0)
                rgba = timeline.renderer.render(view, None)
                depth = timeline.renderer.render_depth(view)
                frames.append(_write_view(zf, k, rgba, depth, view))
                if k % max(1, tier.views // 25) == 0:
                    clouds.append(_surface_points(rgba, depth, view, focal, rng))
                progress("dataset", (k + 1) / tier.views)
            _write_json(zf, frames, tier.size, focal, fov_y)
            zf.writestr("points3d.ply", _ply(np.concatenate(clouds), rng))
            progress("encoding", 1.0)
    except DxglError:
        raise
    except Exception as exc:
        raise RenderFailed(f"dataset export failed: {exc}") from exc
    return DatasetResult(out, tier.views, tier.size, time.perf_counter() - t0)


def _png(array: np.ndarray, mode: str | None = None) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array, mode).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def _write_view(zf: zipfile.ZipFile, k: int, rgba: np.ndarray, depth: np.ndarray, view) -> dict:
    name = f"frame_{k:05d}.png"
    on_white = np.ascontiguousarray(over_color(rgba, (255, 255, 255))[..., :3])
    mask = np.where(rgba[..., 3] > 0, 255, 0).astype(np.uint8)  # any coverage: the object's whole footprint
    depth_units = np.clip(np.round(depth / DEPTH_SCALE), 0, 65535).astype(np.uint16)
    zf.writestr(f"images/{name}", _png(on_white))
    zf.writestr(f"rgba/{name}", _png(rgba))
    zf.writestr(f"masks/{name}", _png(mask))
    zf.writestr(f"depth/{name}", _png(depth_units))
    c2w = np.linalg.inv(view.view)  # camera-to-world, OpenGL axes (x right, y up, looking down -z)
    return {"file_path": f"images/{name}", "mask_path": f"masks/{name}", "depth_file_path": f"depth/{name}",
            "rgba_path": f"rgba/{name}", "transform_matrix": c2w.round(9).tolist()}  # fmt: skip


def _write_json(zf: zipfile.ZipFile, frames: list[dict], size: int, focal: float, fov_y: float) -> None:
    nerfstudio = {
        "camera_model": "OPENCV", "fl_x": focal, "fl_y": focal, "cx": size / 2.0, "cy": size / 2.0,
        "w": size, "h": size, "k1": 0.0, "k2": 0.0, "p1": 0.0, "p2": 0.0,
        "depth_unit_scale_factor": DEPTH_SCALE, "ply_file_path": "points3d.ply", "frames": frames,
    }  # fmt: skip
    zf.writestr("transforms.json", json.dumps(nerfstudio, indent=1))
    n = len(frames)
    cut1, cut2 = int(round(n * SPLIT[0])), int(round(n * (SPLIT[0] + SPLIT[1])))
    order = np.random.default_rng(7).permutation(n)  # deterministic, spread over the sphere
    for split, idx in (("train", order[:cut1]), ("val", order[cut1:cut2]), ("test", order[cut2:])):
        synthetic = {
            "camera_angle_x": float(np.radians(fov_y)),  # square images: the same angle both ways
            "frames": [{"file_path": "./" + frames[i]["file_path"][: -len(".png")],
                        "rotation": 0.0, "transform_matrix": frames[i]["transform_matrix"]}
                       for i in sorted(idx)],
        }  # fmt: skip
        zf.writestr(f"transforms_{split}.json", json.dumps(synthetic, indent=1))


def _surface_points(rgba: np.ndarray, depth: np.ndarray, view, focal: float, rng) -> np.ndarray:
    """World points (x, y, z, r, g, b) unprojected from a view's depth where the model is."""
    size = depth.shape[0]
    ys, xs = np.nonzero((depth > 0) & (rgba[..., 3] >= 250))
    if len(xs) == 0:
        return np.zeros((0, 6))
    pick = rng.choice(len(xs), size=min(len(xs), 4 * POINTS // 25 + 1), replace=False)
    xs, ys = xs[pick], ys[pick]
    z = depth[ys, xs]
    cam = np.stack([(xs + 0.5 - size / 2) / focal * z, -(ys + 0.5 - size / 2) / focal * z, -z], 1)
    c2w = np.linalg.inv(view.view)
    world = cam @ c2w[:3, :3].T + c2w[:3, 3]
    return np.column_stack([world, rgba[ys, xs, :3]])


def _ply(points: np.ndarray, rng) -> bytes:
    if len(points) > POINTS:
        points = points[rng.choice(len(points), POINTS, replace=False)]
    header = (
        "ply\nformat binary_little_endian 1.0\n"
        f"element vertex {len(points)}\n"
        "property float x\nproperty float y\nproperty float z\n"
        "property uchar red\nproperty uchar green\nproperty uchar blue\nend_header\n"
    )
    body = np.zeros(len(points), dtype=[("xyz", "<f4", 3), ("rgb", "u1", 3)])
    body["xyz"] = points[:, :3]
    body["rgb"] = points[:, 3:6]
    return header.encode("ascii") + body.tobytes()
