#!/usr/bin/env python3
"""Load benchmark: seconds to read each model into a Scene (validation, decoding, generated normals
and tangents), and to compute normals + tangents of a generated grid, with the bundled sample
loaded first in the same process as the baseline (the last column is the ratio against it).
Median of --repeat runs. Models from ../shared/assets are used where that folder exists.

A second table puts each web-pipeline file of ../shared/assets/compressed (Draco, meshopt, KTX2,
WebP, instancing) beside its uncompressed twin in ../shared/assets/khronos: load seconds (median,
the ratio against the twin) and the peak memory the load adds, each measured in a fresh process.

    python tools/bench/load.py [--repeat 5] [--models a.glb b.obj ...]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench_paths import SHARED, device_line  # noqa: E402  (also puts the repository on sys.path)

from dxgl_engine.scene import geometry  # noqa: E402
from dxgl_engine.load.formats import load_model  # noqa: E402
from dxgl_engine.samples import sample_path  # noqa: E402
from tables import print_table  # noqa: E402

DEFAULT_MODELS = [
    "khronos/DamagedHelmet/DamagedHelmet.glb",
    "khronos/SheenCloth/SheenCloth.glb",
    "khronos/2CylinderEngine/2CylinderEngine.glb",
    "large/nefertiti/nefertiti.obj",
    "obj_zip/spot_cow/spot_cow.zip",
]


# Each compressed folder's uncompressed source (../shared/assets/compressed/README.md).
TWINS = {
    "DamagedHelmet": "khronos/DamagedHelmet/DamagedHelmet.glb",
    "CesiumMan": "khronos/CesiumMan/CesiumMan.glb",
    "2CylinderEngine": "khronos/2CylinderEngine/2CylinderEngine.glb",
    "AnimatedMorphCube": "khronos/AnimatedMorphCube/glTF/AnimatedMorphCube.gltf",
}
# A child process that reports the peak resident memory a load adds to the imported engine. VmHWM,
# not ru_maxrss: a forked child's ru_maxrss starts at its parent's size, VmHWM restarts at exec.
_PEAK = """
import json, sys
from dxgl_engine.load.formats import load_model
def hwm():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
before = hwm()
load_model(sys.argv[1])
print(json.dumps((hwm() - before) / 1024))
"""


def peak_load_mib(path: Path) -> float:
    """MiB of peak resident memory that loading `path` adds, in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", _PEAK, str(path)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def compressed_rows(repeat: int) -> list[list]:
    """One row per file in ../shared/assets/compressed, beside its uncompressed twin."""
    rows = []
    for folder in sorted(p for p in (SHARED / "compressed").iterdir() if p.is_dir() and not p.name.startswith("_")):
        model = next(folder.glob("*.glb"))
        twin = SHARED / TWINS[folder.name.split("_")[0]]
        load_model(model), load_model(twin)  # warm: imports and first-use costs out of the timing
        seconds, twin_seconds = (median_seconds(lambda p=p: load_model(p), repeat) for p in (model, twin))
        rows.append([folder.name, f"{model.stat().st_size / 2**20:.2f}", f"{twin.stat().st_size / 2**20:.2f}",
                     f"{seconds:.3f}", f"{twin_seconds:.3f}", f"{seconds / twin_seconds:.2f}",
                     f"{peak_load_mib(model):.0f}", f"{peak_load_mib(twin):.0f}"])
    return rows


def grid(n: int) -> tuple[np.ndarray, np.ndarray]:
    u, v = np.meshgrid(np.linspace(0, 1, n), np.linspace(0, 1, n))
    positions = np.stack([u.ravel(), v.ravel(), np.sin(u.ravel() * 6)], axis=1).astype(np.float32)
    k = np.arange(n * n).reshape(n, n)
    a, b, c, d = k[:-1, :-1].ravel(), k[:-1, 1:].ravel(), k[1:, 1:].ravel(), k[1:, :-1].ravel()
    return positions, np.concatenate([np.stack([a, b, c], 1), np.stack([a, c, d], 1)])


def median_seconds(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--models", nargs="*", help="model files (default: a set from ../shared/assets)")
    args = ap.parse_args()
    models = [Path(m) for m in args.models] if args.models else [SHARED / m for m in DEFAULT_MODELS if (SHARED / m).exists()]
    if not args.models and not SHARED.exists():
        print(f"note: {SHARED} is absent; only the bundled sample and the generated grid are measured", file=sys.stderr)
    rows = []
    for path in [sample_path("product"), *models]:
        scene = load_model(path)
        rows.append((path.name, scene.triangle_count, median_seconds(lambda p=path: load_model(p), args.repeat)))
    positions, tris = grid(200)

    def normals_and_tangents():
        normals = geometry.vertex_normals(positions, tris)
        geometry.vertex_tangents(positions, normals, positions[:, :2], tris)

    rows.append(("grid 200x200: normals+tangents", len(tris), median_seconds(normals_and_tangents, args.repeat)))
    with tempfile.TemporaryDirectory() as tmp:  # the same grid through the reader, as an OBJ
        obj = Path(tmp) / "grid.obj"
        lines = [f"v {x:.6f} {y:.6f} {z:.6f}" for x, y, z in positions]
        lines += [f"f {a + 1} {b + 1} {c + 1}" for a, b, c in tris]
        obj.write_text("\n".join(lines) + "\n")
        rows.append(("grid 200x200 .obj", len(tris), median_seconds(lambda: load_model(obj), args.repeat)))
    base = rows[0][2]
    print(f"\nload time, median of {args.repeat} (baseline = {rows[0][0]})\n{device_line()}")
    print(f"{'model':<34}{'triangles':>11}{'seconds':>10}{'vs base':>10}")
    print("-" * 65)
    for name, triangles, seconds in rows:
        print(f"{name:<34}{triangles:>11,}{seconds:>10.3f}{seconds / base:>10.1f}")
    if (SHARED / "compressed").is_dir():
        print_table(f"compressed files against their uncompressed twins, load seconds (median of {args.repeat}) "
                    "and peak MiB a load adds (fresh process)",
                    ["file", "MB", "twin MB", "load s", "twin s", "ratio", "peak MiB", "twin MiB"],
                    compressed_rows(args.repeat))


if __name__ == "__main__":
    main()
