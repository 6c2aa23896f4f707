#!/usr/bin/env python3
"""Where a render's time goes: `dxgl render` end to end, and the same render stage by stage.

For each model (the bundled sample first: the baseline of the last column) and each tier:

1. end to end: `dxgl render MODEL -o OUT --quality Q --length L` as a child process, wall seconds
   from its start to its exit (the last file renamed into place), seconds per second of video,
   and the CPU seconds of the process and of its encoders; then the same render with the model's
   lit fragments shaded one flat grey (the shader returns before any lighting): what the render
   costs apart from the model's shading, the least any shading speed-up could bring it to;
2. stages, in this process on the same settings: start-up (interpreter, imports, EGL context;
   a child process), load, IBL tables (baked into an empty cache, and read back from it), then
   the render's own stages (setup = tables + GPU upload, first frame with the shadow bake,
   posters, frames, encoder tail, web variant, rename);
3. per frame: each renderer step, split into submission (the calling thread: on llvmpipe the
   vertex shading and binning) and finish (rasterisation and fragment shading, llvmpipe's
   threads); each step is closed with glFinish, so their sum exceeds an unprofiled frame;
4. per frame of each encoder: CPU milliseconds of ffmpeg for the RGBA -> yuv420p colour
   conversion alone and for each encoder of the tier alone, replaying frames captured from the
   render.

    python tools/bench/stages.py [--tiers share standard] [--length 6] [--models a.glb ...]
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_paths import ROOT, SHARED, device_line  # noqa: E402  (also puts the repository on sys.path)
from tables import print_table  # noqa: E402

from dxgl_engine.encode import ffmpeg  # noqa: E402
from dxgl_engine.encode.output_set import OutputSet  # noqa: E402
from dxgl_engine.encode.video_files import VideoFiles, VideoPaths  # noqa: E402
from dxgl_engine.errors import InvalidSettings  # noqa: E402
from dxgl_engine.lighting import look  # noqa: E402
from dxgl_engine.load.formats import load_model  # noqa: E402
from dxgl_engine.pipeline.timeline import Timeline  # noqa: E402
from dxgl_engine.pipeline.video import render_video  # noqa: E402
from dxgl_engine.samples import sample_path  # noqa: E402
from dxgl_engine.settings import Settings  # noqa: E402
from dxgl_engine.tiers import FPS  # noqa: E402

MODELS = ["khronos/DamagedHelmet/DamagedHelmet.glb", "large/nefertiti/nefertiti.obj"]
REPLAY_FRAMES = 60

# `dxgl render` with the lit mesh shader cut to one constant colour, for the "flat" columns: the
# shader text is edited as the engine reads it, so everything else runs as shipped.
FLAT_RENDER = """
import sys
from dxgl_engine.render import glsl
read = glsl._read
def flat(name):
    text = read(name)
    if name == "mesh.frag":
        head = "void main() {"
        assert head in text, "mesh.frag has no main() to cut"
        text = text.replace(head, head + " frag_color = vec4(0.5, 0.5, 0.5, 1.0); return;", 1)
    return text
glsl._read = flat
from dxgl_engine.cli import main
sys.exit(main(sys.argv[1:]))
"""

STARTUP = """
import time
t0 = time.perf_counter()
import dxgl_engine.cli
from dxgl_engine.render import gl_context
t1 = time.perf_counter()
gl_context.offscreen_context()
print(t1 - t0, time.perf_counter() - t1)
"""


def children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def end_to_end(model: Path, tier: str, length: float, tmp: Path, flat: bool = False) -> dict:
    """`dxgl render` in a child: wall and CPU seconds (the child and the encoders it waited for);
    with `flat`, the model's lit fragments shaded one constant colour (FLAT_RENDER)."""
    out = tmp / f"e2e-{model.stem}-{tier}{Settings.from_json({'quality': tier}).tier.extension}"
    program = [sys.executable, "-c", FLAT_RENDER] if flat else [str(Path(sys.executable).with_name("dxgl"))]
    cmd = [*program, "render", str(model), "-o", str(out), "--quality", tier, "--length", f"{length:g}"]
    before = children_cpu()
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"dxgl render failed: {done.stderr.strip().splitlines()[-1:]}")
    return {"wall": wall, "cpu": children_cpu() - before}


def startup() -> tuple[float, float, float]:
    """Interpreter start, imports, EGL context (seconds), from a child process."""
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", STARTUP], capture_output=True, text=True, cwd=ROOT, check=True)
    total = time.perf_counter() - t0
    imports, context = (float(x) for x in done.stdout.split())
    return total - imports - context, imports, context


def ibl_tables(settings: Settings) -> tuple[float, float]:
    """Seconds to bake the environment's tables into an empty cache, and to read them back."""
    saved = os.environ.get("DXGL_CACHE_DIR")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["DXGL_CACHE_DIR"] = cache
        try:
            times = []
            for _ in range(2):
                look.lighting.cache_clear()
                t0 = time.perf_counter()
                look.lighting(settings.environment)
                times.append(time.perf_counter() - t0)
        finally:
            look.lighting.cache_clear()
            if saved is None:
                os.environ.pop("DXGL_CACHE_DIR", None)
            else:
                os.environ["DXGL_CACHE_DIR"] = saved
    return times[0], times[1]


def encoder_cpu(scene, settings: Settings, tmp: Path) -> dict[str, float]:
    """CPU ms per frame of ffmpeg for the colour conversion alone and for each of the tier's
    encoders alone, replaying REPLAY_FRAMES frames of the video."""
    timeline = Timeline(scene, settings)
    frames = [timeline.frame(i, settings.bg_rgb) for i in range(min(REPLAY_FRAMES, settings.frame_count))]
    width, height = timeline.width, timeline.height
    files = VideoFiles(VideoPaths.beside(tmp / f"replay{settings.tier.extension}"), width, height, settings.tier,
                       OutputSet())  # fmt: skip
    outputs = [o for process in files.encoder_outputs() for o in process]
    names = {0: "main", 1: "web" if len(outputs) == 3 else "thumbnail", 2: "thumbnail"}
    source = ["-f", "rawvideo", "-pix_fmt", "rgba", "-s", f"{width}x{height}", "-r", str(FPS), "-i", "-"]
    exe = ffmpeg.ffmpeg_exe()
    runs = {"colour conversion": [exe, "-hide_banner", "-loglevel", "error", "-y", *source,
                                  "-vf", ffmpeg.PIXEL_FORMATS[settings.tier.codec], "-f", "null", "-"]}  # fmt: skip
    for k, out in enumerate(outputs):
        runs[f"{names[k]} {out.width}x{out.height}"] = ffmpeg.encoder_command(width, height, FPS, [out])
    runs["all, as the render runs them"] = ffmpeg.encoder_command(width, height, FPS, outputs)
    result = {}
    for name, cmd in runs.items():
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for f in frames:
            proc.stdin.write(f.data)
        proc.stdin.close()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"ffmpeg failed for {name}: {proc.stderr.read().decode()[-200:]}")
        result[name] = (usage.ru_utime + usage.ru_stime) / len(frames) * 1e3
    return result


def profile(model: Path, tier: str, length: float, tmp: Path) -> dict:
    settings = Settings.from_json({"quality": tier, "length": length})
    t0 = time.perf_counter()
    scene = load_model(model)
    load_s = time.perf_counter() - t0
    result = render_video(scene, settings, tmp / f"p-{model.stem}-{tier}{settings.tier.extension}", profile=True)
    return {"scene": scene, "settings": settings, "load": load_s, "result": result}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tiers", nargs="*", default=["share", "standard"])
    ap.add_argument("--length", type=float, default=6.0)
    ap.add_argument("--models", nargs="*", type=Path)
    ap.add_argument("--skip-encoders", action="store_true", help="leave out the encoder replay (table 4)")
    args = ap.parse_args()
    try:
        for tier in args.tiers:
            Settings.from_json({"quality": tier, "length": args.length})
    except InvalidSettings as exc:
        ap.error(str(exc))
    models = args.models or [SHARED / m for m in MODELS if (SHARED / m).exists()]
    models = [sample_path("product"), *models]
    print(device_line())
    interpreter, imports, context = startup()
    baked, cached = ibl_tables(Settings.from_json({}))
    print(f"\nstart-up: interpreter {interpreter:.2f} s, imports {imports:.2f} s, EGL context {context:.2f} s; "
          f"IBL tables: baked {baked:.2f} s, from the cache {cached:.2f} s")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rows, stage_rows, frame_rows, encoder_rows = [], [], [], []
        for model in models:
            for tier in args.tiers:
                e2e = end_to_end(model, tier, args.length, tmp)
                flat = end_to_end(model, tier, args.length, tmp, flat=True)
                p = profile(model, tier, args.length, tmp)
                r, t = p["result"], p["result"].timings
                rows.append([model.name, tier, f"{r.width}x{r.height}", e2e["wall"], e2e["wall"] / args.length,
                             e2e["cpu"], r.seconds / r.frames * 1e3, flat["wall"] / args.length])  # fmt: skip
                stage_rows.append([model.name, tier, p["load"], *t["stages_s"].values(), t["encoder_cpu_s"]])
                stage_names = list(t["stages_s"])
                frame_rows.append((f"{model.name} {tier}", t["frame_ms"], t["encode_wait_ms"]))
                if not args.skip_encoders:
                    encoder_rows.append((f"{model.name} {tier}", encoder_cpu(p["scene"], p["settings"], tmp)))
                print(f"  measured {model.name} {tier}", file=sys.stderr)
    base = {tier: next(r[4] for r in rows if r[1] == tier) for tier in args.tiers}
    print_table(f"1. `dxgl render`, end to end ({args.length:g} s videos; baseline: {models[0].name})",
          ["model", "tier", "size", "wall s", "s per video s", "CPU s", "in-process ms/frame",
           "s per video s, flat", "vs base"],
          [r + [r[4] / base[r[1]]] for r in rows])  # fmt: skip
    print_table("2. stages, wall seconds (load and the render's stages, in order; encoder CPU seconds last)",
          ["model", "tier", "load", *stage_names, "encoder CPU s"], stage_rows)  # fmt: skip
    steps = list(dict.fromkeys(s for _, f, _ in frame_rows for s in f))
    print_table("3. per frame, ms (each step closed with glFinish: 'submit' is the calling thread, 'finish' "
          "the rasteriser)", ["step", *[name for name, _, _ in frame_rows]],
          [[s, *[f.get(s, 0.0) for _, f, _ in frame_rows]] for s in steps]
          + [["sum", *[sum(f.values()) for _, f, _ in frame_rows]],
             ["blocked on ffmpeg", *[w for _, _, w in frame_rows]]])  # fmt: skip
    if encoder_rows:
        names = list(dict.fromkeys(n for _, e in encoder_rows for n in e))
        print_table(f"4. ffmpeg CPU ms per frame ({REPLAY_FRAMES} frames replayed)",
              ["run", *[name for name, _ in encoder_rows]],
              [[n, *[e.get(n, "") for _, e in encoder_rows]] for n in names])  # fmt: skip


if __name__ == "__main__":
    main()
