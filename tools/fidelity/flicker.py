#!/usr/bin/env python3
"""Specular shimmer on a slow turntable: how much a render's frame-to-frame change differs from that
of an 8x8 supersampled render of the same frames (the reference for what a turning product looks
like without aliasing).

For each model, frames of a slow orbit (a 360 degree turntable over --frames frames of a long video,
so consecutive frames turn by 360 / (30 x --length) degrees) are rendered at the product's 2x2
supersampling and, for the reference, at four times the size (2x2 each) box-filtered down in linear
light: 64 samples per pixel (the renderer's own reduction is exact only for 2x2). Flicker is the mean absolute difference, in 8-bit
levels over the model's pixels, between the two renders' frame-to-frame changes; the table also gives
each render's own mean frame-to-frame change and the 2x2 render's mean error against the 8x8 one.

    python tools/fidelity/flicker.py [--models khronos/DamagedHelmet/DamagedHelmet.glb] [--frames 24]
                                     [--size 480 270] [--length 30]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

import dxgl_engine  # noqa: E402
from dxgl_engine.pipeline.timeline import Timeline  # noqa: E402

SHARED_ASSETS = HERE.parents[2] / "shared" / "assets"


def frames(path: Path, count: int, size: tuple[int, int], length: float, scale: int = 1) -> np.ndarray:
    """(count, H, W, 4) uint8: the first `count` frames of a turntable of `length` seconds, rendered
    `scale` times larger and box-filtered back to `size` in linear light."""
    scene = dxgl_engine.load_model(path)
    settings = dxgl_engine.Settings.from_json({"length": length, "shadows": False})
    timeline = Timeline(scene, settings, (size[0] * scale, size[1] * scale))
    out = []
    for i in range(count):
        frame = timeline.frame(i, (255, 255, 255))
        if scale > 1:
            c = frame[..., :3].astype(np.float64) / 255.0
            lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
            lin = lin.reshape(size[1], scale, size[0], scale, 3).mean((1, 3))
            srgb = np.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin ** (1 / 2.4) - 0.055)
            frame = np.concatenate([np.round(srgb * 255).astype(np.uint8), np.full(size[::-1] + (1,), 255, np.uint8)], -1)
        out.append(frame)
    return np.stack(out)


def flicker(ours: np.ndarray, reference: np.ndarray) -> dict:
    """Figures of `ours` against `reference` (both (N, H, W, 4) uint8 over the same backdrop)."""
    mask = (reference[..., :3] < 250).any(-1).any(0)  # pixels the model covers in some frame
    a, b = ours[..., :3].astype(np.float32), reference[..., :3].astype(np.float32)
    da, db = np.diff(a, axis=0), np.diff(b, axis=0)
    return {
        "flicker": float(np.abs(da - db)[:, mask].mean()),
        "change": float(np.abs(da)[:, mask].mean()),
        "reference change": float(np.abs(db)[:, mask].mean()),
        "error": float(np.abs(a - b)[:, mask].mean()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="*", default=["khronos/DamagedHelmet/DamagedHelmet.glb"])
    ap.add_argument("--frames", type=int, default=24)
    ap.add_argument("--size", type=int, nargs=2, default=(480, 270))
    ap.add_argument("--length", type=float, default=30.0)
    args = ap.parse_args()
    print(f"\nshimmer against 8x8 supersampling: {args.frames} frames of a {args.length:g} s turntable, "
          f"{args.size[0]}x{args.size[1]}, levels of 255 over the model")
    print("| model | flicker | change (2x2) | change (8x8) | error vs 8x8 |\n|---|---|---|---|---|")
    for rel in args.models:
        path = Path(rel) if Path(rel).exists() else SHARED_ASSETS / rel
        reference = frames(path, args.frames, tuple(args.size), args.length, scale=4)
        got = flicker(frames(path, args.frames, tuple(args.size), args.length), reference)
        print(f"| {path.name} | {got['flicker']:.3f} | {got['change']:.3f} | {got['reference change']:.3f} | "
              f"{got['error']:.3f} |")


if __name__ == "__main__":
    main()
