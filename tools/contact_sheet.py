#!/usr/bin/env python3
"""Render the poster of every model in a folder into one PNG grid, so a person can judge the look
at a glance.

    python tools/contact_sheet.py [FOLDER ...] [-o sheet.png] [--size 320x180] [--settings JSON]

Folders are searched recursively for .glb, .gltf, .zip and .obj files; a model that fails to load
gets a dark tile with its error. Prints per-model render times and the grid's size.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dxgl_engine import DxglError, load_model  # noqa: E402
from dxgl_engine.load.formats import MODEL_SUFFIXES  # noqa: E402
from dxgl_engine.pipeline.timeline import Timeline  # noqa: E402
from dxgl_engine.settings import Settings  # noqa: E402



def models_in(folders: list[Path]) -> list[Path]:
    return sorted(p for f in folders for p in f.rglob("*") if p.suffix.lower() in MODEL_SUFFIXES and p.is_file())


def tile(path: Path, settings: Settings, size: tuple[int, int]) -> tuple[np.ndarray, str]:
    try:
        timeline = Timeline(load_model(path), settings, size)
        return timeline.frame(0, timeline.backdrop)[..., :3], ""
    except DxglError as err:
        return np.full((size[1], size[0], 3), 40, np.uint8), str(err)


def label(img: np.ndarray, text: str, error: str) -> np.ndarray:
    im = Image.fromarray(np.ascontiguousarray(img))
    draw = ImageDraw.Draw(im)
    draw.text((6, 4), text, fill=(20, 20, 20) if not error else (255, 120, 120))
    if error:
        draw.text((6, 20), error[:60], fill=(255, 200, 200))
    return np.asarray(im)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="*", type=Path, default=[ROOT.parent / "shared" / "assets"])
    ap.add_argument("-o", "--output", type=Path, default=Path("contact_sheet.png"))
    ap.add_argument("--size", default="320x180", help="tile size WxH")
    ap.add_argument("--columns", type=int, default=6)
    ap.add_argument("--settings", default="{}", help="renderSettings JSON applied to every tile")
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    settings = Settings.from_json(json.loads(args.settings))
    paths = models_in(args.folders)
    if not paths:
        sys.exit(f"no models under {', '.join(map(str, args.folders))}")
    tiles, failures = [], 0
    for path in paths:
        t0 = time.perf_counter()
        img, error = tile(path, settings, (w, h))
        failures += bool(error)
        tiles.append(label(img, path.stem, error))
        print(f"{path.name:<40}{(time.perf_counter() - t0):6.2f} s{'  ' + error if error else ''}")
    cols = min(args.columns, len(tiles))
    rows = -(-len(tiles) // cols)
    sheet = np.full((rows * h, cols * w, 3), 255, np.uint8)
    for k, t in enumerate(tiles):
        r, c = divmod(k, cols)
        sheet[r * h : (r + 1) * h, c * w : (c + 1) * w] = t
    Image.fromarray(sheet).save(args.output)
    print(f"{len(tiles)} models ({failures} failed to load) -> {args.output} ({sheet.shape[1]}x{sheet.shape[0]})")


if __name__ == "__main__":
    main()
