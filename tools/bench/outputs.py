#!/usr/bin/env python3
"""Outputs benchmark, in one run:

1. wall seconds per second of video for each tier (share, standard, 4k, pro), per model;
2. a batch of 4 background variants against 4 separate renders of the same video;
3. peak RSS of a 6 s and a 30 s render (frames stream: the ratio should stay near 1);
4. dataset export time per dataset tier;
5. frames per second at 1920x1080 against pyrender (installed by this script into its own
   virtualenv, tools/bench/.venv-pyrender, because it pins old numpy/PyOpenGL), same models and
   frame count, render + readback only.

    python tools/bench/outputs.py [--length 3] [--repeat 3] [--skip-4k] [--skip-pyrender] [--models ...]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_paths import ROOT, SHARED  # noqa: E402  (also puts the repository on sys.path)
from tables import print_table  # noqa: E402

from dxgl_engine.pipeline.timeline import Timeline  # noqa: E402
from dxgl_engine.pipeline.dataset import export_dataset  # noqa: E402
from dxgl_engine.errors import InvalidSettings  # noqa: E402
from dxgl_engine.load.formats import load_model  # noqa: E402
from dxgl_engine.pipeline.video import render_batch, render_video
from dxgl_engine.pipeline.jobs import VideoJob  # noqa: E402
from dxgl_engine.samples import sample_path  # noqa: E402
from dxgl_engine.settings import Settings
from dxgl_engine.tiers import DATASET_TIERS  # noqa: E402

MODELS = ["khronos/DamagedHelmet/DamagedHelmet.glb", "large/nefertiti/nefertiti.obj"]
PYRENDER_VENV = Path(__file__).with_name(".venv-pyrender")
PYRENDER_FRAMES = 30


def tiers(models: list[Path], length: float, tmp: Path, skip_4k: bool) -> None:
    rows = []
    for path in models:
        scene = load_model(path)
        for q in ("share", "standard") + (() if skip_4k else ("4k", "pro")):
            s = Settings.from_json({"quality": q, "length": length})
            t0 = time.perf_counter()
            render_video(scene, s, tmp / f"{path.stem}-{q}{s.tier.extension}")
            rows.append([path.name, q, f"{s.size[0]}x{s.size[1]}", (time.perf_counter() - t0) / length])
    print_table(f"1. tiers: wall seconds per video second ({length:g} s videos)", ["model", "tier", "size", "wall s/s"], rows)


def batch(models: list[Path], length: float, tmp: Path, repeat: int) -> None:
    """One render and the batch of four alternate `repeat` times and their medians are compared:
    on a shared 2-core VM one run of either varies by 10-20% from minute to minute."""
    rows = []
    colours = ["#ffffff", "#000000", "#204080", "#f0e0d0"]
    for path in models:
        scene = load_model(path)
        jobs = [VideoJob(Settings.from_json({"length": length, "bgColor": c}), tmp / f"b{k}.mp4")
                for k, c in enumerate(colours)]  # fmt: skip
        t0 = time.perf_counter()
        for job in jobs:
            render_video(scene, job.settings, job.out)
        separate = time.perf_counter() - t0
        ones, batches = [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            render_video(scene, jobs[0].settings, tmp / "single.mp4")
            ones.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            render_batch(scene, jobs)
            batches.append(time.perf_counter() - t0)
        one, together = statistics.median(ones), statistics.median(batches)
        runs = " ".join(f"{b / o:.2f}" for o, b in zip(ones, batches))
        rows.append([path.name, one, separate, together, together / one, separate / together, runs])
    print_table(f"2. four background variants (share tier; medians of {repeat} alternating runs)",
          ["model", "1 render s", "4 separate s", "batch of 4 s", "batch / 1", "speed-up", "each run's batch / 1"],
          rows)  # fmt: skip


# VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss across fork and exec, so a child
# started by a process that has rendered 4K would report that process's peak instead of its own.
PEAK = """
import sys
from dxgl_engine import load_model
from dxgl_engine.pipeline.video import render_video
from dxgl_engine.settings import Settings
render_video(load_model(sys.argv[1]), Settings.from_json({"length": float(sys.argv[2])}), sys.argv[3])
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")))
"""


def memory(model: Path, tmp: Path) -> None:
    peaks = {}
    for seconds in (6, 30):
        p = subprocess.run([sys.executable, "-c", PEAK, str(model), str(seconds), str(tmp / f"m{seconds}.mp4")],
                           capture_output=True, text=True, cwd=ROOT, check=True)  # fmt: skip
        peaks[seconds] = int(p.stdout.split()[-1]) / 1024
    print_table(f"3. peak RSS (share tier, {model.name})", ["6 s MiB", "30 s MiB", "30 s / 6 s"],
          [[peaks[6], peaks[30], peaks[30] / peaks[6]]])  # fmt: skip


def datasets(model: Path, tmp: Path, tiers_: list[str]) -> None:
    scene = load_model(model)
    rows = []
    for tier in tiers_:
        t0 = time.perf_counter()
        export_dataset(scene, Settings.from_json({"output": "dataset", "datasetQuality": tier}), tmp / f"{tier}.zip")
        seconds = time.perf_counter() - t0
        rows.append([model.name, tier, seconds, seconds / DATASET_TIERS[tier].views])
    print_table("4. dataset export", ["model", "tier", "seconds", "s per view"], rows)


PYRENDER_SCRIPT = """
import os, sys, time
os.environ["PYOPENGL_PLATFORM"] = "egl"
import numpy as np, trimesh, pyrender
scene = pyrender.Scene.from_trimesh_scene(trimesh.load(sys.argv[1], force="scene"))
cam = np.eye(4); cam[:3, 3] = scene.centroid + np.array([0.0, 0.0, scene.scale * 2.0])
scene.add(pyrender.PerspectiveCamera(yfov=np.radians(30)), pose=cam)
scene.add(pyrender.DirectionalLight(intensity=3.0), pose=cam)
r = pyrender.OffscreenRenderer(1920, 1080)
r.render(scene)
n = int(sys.argv[2]); t0 = time.perf_counter()
for _ in range(n):
    r.render(scene)
print(n / (time.perf_counter() - t0))
"""


def ensure_pyrender() -> Path:
    python = PYRENDER_VENV / "bin" / "python"
    if not python.exists():
        print("installing pyrender into tools/bench/.venv-pyrender (pins numpy<2) ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(PYRENDER_VENV)], check=True)
        pip = [str(python), "-m", "pip", "install", "-q"]
        subprocess.run(pip + ["pyrender==0.1.45", "numpy<2", "pyglet<2"], check=True)
        subprocess.run(pip + ["--no-deps", "PyOpenGL==3.1.7"], check=True)  # pyrender's 3.1.0 lacks EGL fixes
    return python


def versus_pyrender(models: list[Path]) -> None:
    python = ensure_pyrender()
    rows = []
    for path in models:
        p = subprocess.run([str(python), "-c", PYRENDER_SCRIPT, str(path), str(PYRENDER_FRAMES)],
                           capture_output=True, text=True)  # fmt: skip
        if p.returncode != 0:
            rows.append([path.name, "failed", p.stderr.strip().splitlines()[-1][:40], "", ""])
            continue
        theirs = float(p.stdout.split()[-1])
        scene = load_model(path)
        full = _fps(Timeline(scene, Settings.from_json({"quality": "standard"})))
        plain = _fps(Timeline(scene, Settings.from_json({"quality": "standard", "shadows": False}), ssaa=1))
        ceiling = _fps(_without_model(Timeline(scene, Settings.from_json({"quality": "standard"}))))
        rows.append([path.name, theirs, full, full / theirs, plain, plain / theirs, ceiling, ceiling / theirs])
    print_table(f"5. 1920x1080 frames per second, render + readback, {PYRENDER_FRAMES} frames (dxgl: product look at 2x "
          "SSAA with shadow; 'plain': 1x, no shadow, as much work as pyrender's default; 'no model': the same "
          "2x frame with the model's own draw skipped, the most any model can reach)",
          ["model", "pyrender fps", "dxgl fps", "ratio", "dxgl plain fps", "ratio", "no model fps", "ratio"],
          rows)  # fmt: skip


def _without_model(timeline: Timeline) -> Timeline:
    """The frame's fixed cost at 2x SSAA: clear, floor shadow, compose and readback, but not the
    model's fragments (its draw is replaced by nothing)."""
    timeline.renderer.meshes.draw = lambda *args, **kwargs: None
    return timeline


def _fps(timeline: Timeline) -> float:
    timeline.frame(0)
    t0 = time.perf_counter()
    for i in range(PYRENDER_FRAMES):
        timeline.frame(i)
    return PYRENDER_FRAMES / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--length", type=float, default=3.0)
    ap.add_argument("--models", nargs="*", type=Path)
    ap.add_argument("--skip-4k", action="store_true", help="leave out the 4k and pro tiers (slow on a CPU)")
    ap.add_argument("--skip-pyrender", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="alternating runs of one render and the batch")
    ap.add_argument("--dataset-tiers", nargs="*", default=list(DATASET_TIERS))
    args = ap.parse_args()
    try:
        Settings.from_json({"length": args.length})
    except InvalidSettings as exc:
        ap.error(str(exc))
    models = args.models or [SHARED / m for m in MODELS if (SHARED / m).exists()] or [sample_path()]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        tiers(models, args.length, tmp, args.skip_4k)
        batch(models, args.length, tmp, args.repeat)
        memory(models[0], tmp)
        datasets(models[0], tmp, args.dataset_tiers)
        if not args.skip_pyrender:
            versus_pyrender(models)


if __name__ == "__main__":
    main()
