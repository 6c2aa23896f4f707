#!/usr/bin/env python3
"""Motion benchmark: ms per frame of animated and skinned models at a tier's size, against the
same model rendered still in the same process, and the time to render one scrubbed frame at a
random t (a fresh pose and camera, nothing rendered before it).

    python tools/bench/motion.py [--quality share] [--frames 60] [--scrubs 30]
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from bench_paths import SHARED, device_line  # noqa: E402  (also puts the repository on sys.path)

from dxgl_engine.pipeline.timeline import Timeline  # noqa: E402
from dxgl_engine.load.formats import load_model  # noqa: E402
from dxgl_engine.settings import Settings  # noqa: E402

MODELS = [
    ("khronos/CesiumMan/CesiumMan.glb", "skinned, 19 joints"),
    ("khronos/CesiumMilkTruck/CesiumMilkTruck.glb", "node animation"),
    ("khronos/AnimatedMorphCube/glTF/AnimatedMorphCube.gltf", "morph targets"),
]


def ms_per_frame(timeline: Timeline, frames: int) -> float:
    timeline.frame(0)  # compile and upload outside the timing
    t0 = time.perf_counter()
    for i in range(frames):
        timeline.frame(i % timeline.frame_count)
    return (time.perf_counter() - t0) / frames * 1e3


def scrub_ms(timeline: Timeline, scrubs: int) -> float:
    rng = random.Random(1)
    t0 = time.perf_counter()
    for _ in range(scrubs):
        timeline.frame_at(rng.random())
    return (time.perf_counter() - t0) / scrubs * 1e3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quality", default="share")
    ap.add_argument("--frames", type=int, default=60)
    ap.add_argument("--scrubs", type=int, default=30)
    args = ap.parse_args()
    if not SHARED.exists():
        sys.exit(f"{SHARED} is absent: this benchmark needs the animated models from ../shared/assets")
    rows = []
    for rel, what in MODELS:
        scene = load_model(SHARED / rel)
        still = Timeline(scene, Settings.from_json({"quality": args.quality}))
        moving = Timeline(scene, Settings.from_json({"quality": args.quality, "animation": "*"}))
        base = ms_per_frame(still, args.frames)
        anim = ms_per_frame(moving, args.frames)
        rows.append((Path(rel).name, what, scene.triangle_count, f"{moving.width}x{moving.height}", base, anim,
                     anim / base, scrub_ms(moving, args.scrubs)))  # fmt: skip
    header = (f"{'model':<26}{'what':<20}{'triangles':>10}{'size':>10}{'still ms':>10}{'animated ms':>13}"
              f"{'ratio':>7}{'scrub ms':>10}")  # fmt: skip
    print(f"\nquality={args.quality}, {args.frames} frames each (render + readback, no encoding); "
          "scrub = one frame at a random t")  # fmt: skip
    print(device_line())
    print(header)
    print("-" * len(header))
    for name, what, tris, size, base, anim, ratio, scrub in rows:
        print(f"{name:<26}{what:<20}{tris:>10,}{size:>10}{base:>10.1f}{anim:>13.1f}{ratio:>7.2f}{scrub:>10.1f}")


if __name__ == "__main__":
    main()
