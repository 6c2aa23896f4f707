#!/usr/bin/env python3
"""Scan benchmark: converting a scan ZIP to GLB (what an upload does while the client waits) and
rendering it at the share tier (what a worker does), each in a child process of its own so its
peak memory (VmHWM) is its own. Scans at their real size: a generated 2,000,000-triangle OBJ with an
8192 px JPEG (tools/make_large_scan.py, ~38 MB zipped), beside 100k-triangle models: a generated
scan of that size (the baseline of the ratio columns) and, where ../shared/assets exists,
nefertiti.obj and the Stanford bunny.

    python tools/bench/scans.py [--length 3] [--skip-large]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_paths import ROOT, SHARED, device_line  # noqa: E402  (also puts the repository on sys.path)

CACHE = ROOT / "tests" / ".generated" / "scans"  # generated once, reused (git-ignored)
SHARED_MODELS = ["large/nefertiti/nefertiti.obj", "large/stanford_bunny/stanford-bunny.obj"]

# Each stage runs in `python -c` and prints one JSON line: its seconds and its own peak RSS (VmHWM,
# not getrusage: Linux carries ru_maxrss across fork and exec).
CONVERT = """
import json, sys, time
from dxgl_engine import convert_to_glb, load_glb_bytes
t0 = time.perf_counter()
glb = convert_to_glb(sys.argv[1])
t1 = time.perf_counter()
scene = load_glb_bytes(glb, "scan.glb")
open(sys.argv[2], "wb").write(glb)
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"convert_s": t1 - t0, "read_s": time.perf_counter() - t1, "peak_mib": peak / 1024,
                  "triangles": scene.triangle_count, "glb_mb": len(glb) / 1e6}))
"""
RENDER = """
import json, sys, time
t0 = time.perf_counter()
from dxgl_engine import Settings, load_model, render_video
result = render_video(load_model(sys.argv[1]), Settings.from_json({"length": float(sys.argv[2])}), sys.argv[3])
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"render_s_per_s": (time.perf_counter() - t0) / float(sys.argv[2]), "peak_mib": peak / 1024}))
"""


def child(code: str, *args) -> dict:
    env = {"EGL_PLATFORM": "surfaceless", "PATH": "/usr/bin:/bin"}
    p = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, cwd=ROOT,
                       env={**env, "PYTHONPATH": str(ROOT)}, timeout=3600)  # fmt: skip
    if p.returncode != 0:
        raise SystemExit(f"scans.py: {Path(args[0]).name} failed: {p.stderr.strip().splitlines()[-1:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def generated(name: str, triangles: int, texture: int) -> Path:
    path = CACHE / name
    if not path.exists():
        print(f"generating {path.name} ({triangles:,} triangles, {texture} px texture)...", file=sys.stderr)
        subprocess.run([sys.executable, str(ROOT / "tools" / "make_large_scan.py"), str(path), "--triangles",
                        str(triangles), "--texture", str(texture)], check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--length", type=float, default=3.0, help="seconds of the share render (3 to 30)")
    ap.add_argument("--skip-large", action="store_true", help="leave out the 2M-triangle scan")
    args = ap.parse_args()
    if not 3 <= args.length <= 30:
        ap.error("--length must be from 3 to 30")
    models = [generated("scan-100k.zip", 100_000, 2048)]
    models += [SHARED / m for m in SHARED_MODELS if (SHARED / m).exists()]
    if not args.skip_large:
        models.append(generated("scan-2m.zip", 2_000_000, 8192))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, model in enumerate(models):
            glb = Path(tmp) / f"{k}.glb"
            converted = child(CONVERT, model, glb)
            rendered = child(RENDER, glb, args.length, Path(tmp) / f"{k}.mp4")
            rows.append((model.name, model.stat().st_size / 1e6, converted, rendered))
    base = rows[0]
    print(f"\nscans: conversion (upload) and share render of {args.length:g} s (worker), each in its own process; "
          f"baseline = {base[0]}\n{device_line()}")
    head = ("model", "triangles", "file MB", "GLB MB", "convert s", "conv. MiB", "render s/s", "render MiB",
            "convert x", "render x")  # fmt: skip
    print(f"{head[0]:<22}" + "".join(f"{h:>11}" for h in head[1:]))
    print("-" * (22 + 11 * (len(head) - 1)))
    for name, size, c, r in rows:
        print(f"{name:<22}{c['triangles']:>11,}{size:>11.1f}{c['glb_mb']:>11.1f}{c['convert_s']:>11.2f}"
              f"{c['peak_mib']:>11.0f}{r['render_s_per_s']:>11.2f}{r['peak_mib']:>11.0f}"
              f"{c['convert_s'] / base[2]['convert_s']:>11.1f}{r['render_s_per_s'] / base[3]['render_s_per_s']:>11.1f}")


if __name__ == "__main__":
    main()
