"""Reading an exported dataset ZIP back: its transforms, views, masks and depth, a contact sheet of
the views and a per-view check of the masks against what the images show.

Only the files are read (nerfstudio's transforms.json layout), so a dataset downloaded from a
server opens the same way as one exported here.
"""
from __future__ import annotations

import io
import json
import os
import zipfile
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

KINDS = {"images": "file_path", "masks": "mask_path", "depth": "depth_file_path", "rgba": "rgba_path"}
WHITE_TOLERANCE = 8  # an image pixel this close to white counts as background


class Dataset:
    """A dataset ZIP: `transforms` (transforms.json), views by index, cameras, checks."""

    def __init__(self, path: str | os.PathLike, result: Any = None):
        self.path = Path(path)
        self.result = result  # the engine's DatasetResult when it was exported here

    def read(self, name: str) -> bytes:
        with zipfile.ZipFile(self.path) as zf:
            return zf.read(name)

    def json(self, name: str) -> dict:
        return json.loads(self.read(name))

    @cached_property
    def names(self) -> list[str]:
        with zipfile.ZipFile(self.path) as zf:
            return zf.namelist()

    @cached_property
    def transforms(self) -> dict:
        return self.json("transforms.json")

    @property
    def frames(self) -> list[dict]:
        return self.transforms["frames"]

    def __len__(self) -> int:
        return len(self.frames)

    def split(self, name: str) -> list[int]:
        """Indices of the views in transforms_{train,val,test}.json."""
        wanted = {f["file_path"].removeprefix("./") for f in self.json(f"transforms_{name}.json")["frames"]}
        return [i for i, f in enumerate(self.frames) if f["file_path"].removesuffix(".png") in wanted]

    # --- views ----------------------------------------------------------------------------------
    def image(self, index: int, kind: str = "images") -> np.ndarray:
        """A view's image ('images': on white, 'rgba', 'masks', 'depth': raw 16-bit units)."""
        with Image.open(io.BytesIO(self.read(self.frames[index][KINDS[kind]]))) as img:
            return np.asarray(img)

    def depth(self, index: int) -> np.ndarray:
        """A view's depth in model units (0 where nothing was hit)."""
        return self.image(index, "depth").astype(np.float64) * self.transforms["depth_unit_scale_factor"]

    def camera_to_world(self) -> np.ndarray:
        """(N, 4, 4) camera-to-world matrices (OpenGL axes: the camera looks down its -Z)."""
        return np.array([f["transform_matrix"] for f in self.frames], dtype=np.float64)

    def camera_positions(self) -> np.ndarray:
        return self.camera_to_world()[:, :3, 3]

    def view_directions(self) -> np.ndarray:
        return -self.camera_to_world()[:, :3, 2]

    # --- looking at it --------------------------------------------------------------------------
    def contact_sheet(self, count: int = 24, columns: int = 8, tile: int = 128, kind: str = "images") -> Image.Image:
        """`count` views spread over the dataset in one labelled grid."""
        picks = np.linspace(0, len(self) - 1, min(count, len(self))).round().astype(int)
        rows = -(-len(picks) // columns)
        sheet = Image.new("RGB", (columns * tile, rows * tile), "white")
        draw = ImageDraw.Draw(sheet)
        for k, index in enumerate(picks):
            view = Image.fromarray(self.image(int(index), kind)).convert("RGB").resize((tile, tile), Image.LANCZOS)
            x, y = (k % columns) * tile, (k // columns) * tile
            sheet.paste(view, (x, y))
            draw.text((x + 4, y + 2), str(index), fill=(200, 40, 40))
        return sheet

    def mask_check(self, index: int) -> dict:
        """How a view's mask agrees with its image and depth: IoU with the pixels that are not
        white, IoU with the pixels that have depth, and the share of non-white pixels outside it."""
        mask = self.image(index, "masks") > 0
        drawn = np.abs(self.image(index, "images").astype(int) - 255).max(axis=-1) > WHITE_TOLERANCE
        hit = self.image(index, "depth") > 0
        return {"view": index, "coverage": float(mask.mean()), "iou_image": _iou(mask, drawn),
                "iou_depth": _iou(mask, hit), "outside": float((drawn & ~mask).sum() / max(drawn.sum(), 1))}

    def points(self, limit: int | None = None) -> np.ndarray:
        """(N, 6) x, y, z, r, g, b from points3d.ply (the splat initialisation)."""
        return read_ply(self.read(self.transforms.get("ply_file_path", "points3d.ply")), limit)

    def _repr_html_(self) -> str:
        t = self.transforms
        return (f"<b>{self.path.name}</b>: {len(self)} views of {t['w']}×{t['h']} px, "
                f"fl_x {t['fl_x']:.1f}, {len(self.names)} files")  # fmt: skip


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    union = (a | b).sum()
    return float((a & b).sum() / union) if union else 1.0


PLY_TYPES = {"float": "<f4", "uchar": "u1", "double": "<f8", "int": "<i4", "uint": "<u4"}


def read_ply(data: bytes, limit: int | None = None) -> np.ndarray:
    """Vertices of a binary little-endian PLY as (N, k) float64, properties in file order."""
    end = data.index(b"end_header\n") + len(b"end_header\n")
    count, props = 0, []
    for line in data[:end].decode("ascii").splitlines():
        words = line.split()
        if words[:2] == ["element", "vertex"]:
            count = int(words[2])
        elif words[:1] == ["property"]:
            props.append((words[2], PLY_TYPES[words[1]]))
    rows = np.frombuffer(data, dtype=np.dtype(props), count=count, offset=end)
    if limit is not None and count > limit:
        rows = rows[np.random.default_rng(0).choice(count, limit, replace=False)]
    return np.column_stack([rows[name].astype(np.float64) for name, _ in props])
