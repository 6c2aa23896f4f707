#!/usr/bin/env python3
"""Render benchmark: for a few models, triangles, output size, ms per frame split into draw /
reduce+readback / encode wait, and wall seconds per second of video.

The bundled sample is rendered first in the same process as the baseline; the last column is each
model's wall time relative to it. Models from ../shared/assets are used where that folder exists.

    python tools/bench/render.py [--quality share] [--length 4] [--models a.glb b.obj ...]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench_paths import SHARED, device_line  # noqa: E402  (also puts the repository on sys.path)

from dxgl_engine.errors import InvalidSettings  # noqa: E402
from dxgl_engine.load.formats import load_model  # noqa: E402
from dxgl_engine.pipeline.video import render_video  # noqa: E402
from dxgl_engine.samples import sample_path  # noqa: E402
from dxgl_engine.settings import Settings  # noqa: E402

DEFAULT_MODELS = [
    "khronos/Box/Box.glb",
    "khronos/DamagedHelmet/DamagedHelmet.glb",
    "khronos/CesiumMilkTruck/CesiumMilkTruck.glb",
    "large/nefertiti/nefertiti.obj",
    "khronos/SheenCloth/SheenCloth.glb",
    "khronos/2CylinderEngine/2CylinderEngine.glb",
]


def bench_one(path: Path, settings: Settings, workdir: Path) -> dict:
    t0 = time.perf_counter()
    scene = load_model(path)
    load_s = time.perf_counter() - t0
    out = workdir / f"{path.stem}{settings.tier.extension}"
    result = render_video(scene, settings, out, profile=True)
    n = result.frames
    steps = result.timings["frame_ms"]
    reduce = sum(ms for step, ms in steps.items() if step.split()[0] in ("compose", "readback", "mipmaps"))
    return {
        "model": path.name,
        "triangles": scene.triangle_count,
        "size": f"{result.width}x{result.height}",
        "load_s": load_s,
        "draw_ms": sum(steps.values()) - reduce,
        "reduce_ms": reduce,
        "encode_wait_ms": result.timings["encode_wait_ms"],
        "wall_per_frame_ms": result.seconds / n * 1e3,
        "wall_s_per_video_s": result.seconds / settings.length,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quality", default="share")
    ap.add_argument("--length", type=float, default=4.0)
    ap.add_argument("--models", nargs="*", help="model files (default: a set from ../shared/assets)")
    args = ap.parse_args()
    try:
        settings = Settings.from_json({"quality": args.quality, "length": args.length})
    except InvalidSettings as exc:
        ap.error(str(exc))
    models = [Path(m) for m in args.models] if args.models else [SHARED / m for m in DEFAULT_MODELS if (SHARED / m).exists()]
    if not args.models and not SHARED.exists():
        print(f"note: {SHARED} is absent; only the bundled sample is measured", file=sys.stderr)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in [sample_path("product"), *models]:
            rows.append(bench_one(path, settings, Path(tmp)))
            print(f"  measured {path.name}", file=sys.stderr)
    base = rows[0]["wall_s_per_video_s"]
    header = (
        f"{'model':<26}{'triangles':>10}{'size':>11}{'load s':>8}{'draw ms':>9}{'reduce+rb ms':>13}"
        f"{'enc wait ms':>12}{'wall ms/fr':>11}{'wall s/s':>9}{'vs base':>8}"
    )
    print(f"\nquality={args.quality} length={args.length:g}s fps=30 (ms are per frame; baseline = {rows[0]['model']})")
    print(device_line())
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['model']:<26}{r['triangles']:>10,}{r['size']:>11}{r['load_s']:>8.2f}{r['draw_ms']:>9.1f}"
            f"{r['reduce_ms']:>13.1f}{r['encode_wait_ms']:>12.1f}{r['wall_per_frame_ms']:>11.1f}"
            f"{r['wall_s_per_video_s']:>9.2f}{r['wall_s_per_video_s'] / base:>8.2f}"
        )


if __name__ == "__main__":
    main()
