#!/usr/bin/env python3
"""The fidelity harness: dxgl beside Blender Cycles on the Khronos Render Fidelity scenarios.

For each scenario (`scenarios.py`) dxgl renders the model through its public API
(`dxgl_engine.render_still` with a `Camera` and a `Look`) in two modes:
- reference: the panorama's own radiance (uncalibrated) and no tone curve, as Cycles renders it at
  world strength 1 through Blender's "Standard" view: correctness;
- product: the product's look, the same panorama calibrated and the Khronos PBR Neutral curve: taste.
With --neutral-reference, Cycles also renders each scenario as the product look shows it: through
Blender's "Khronos PBR Neutral" view at the exposure dxgl's calibration gives the panorama
(NAME.cycles-neutral.png), and the product mode is scored against that too: what is left there is
shading, not the choice of curve.
With --cycles, Blender Cycles renders the reference (`cycles_reference.py`, in its own virtualenv
tools/fidelity/.venv-bpy with `bpy` from PyPI, created on first use); otherwise references already in
--out are scored. Each render is scored against the Cycles reference (`scores.py`: FLIP, SSIM,
brightness ratio over the object, silhouette IoU). The Khronos goldens beside the models, lit by a
panorama not available here, are the second reference: `goldens.py` scores this run's outputs
against them. With --f3d, F3D renders the same scenarios as the peer to beat (`f3d_peer.py`, in
tools/fidelity/.venv-f3d); its FLIP against Cycles is a column of the table. Writes
out/NAME.sheet.png (Cycles | dxgl reference | its FLIP | dxgl product | its FLIP [| F3D | its
FLIP]), out/sheet.png (all of them) and prints one table.

    python tools/fidelity/run.py [--scenarios Box DamagedHelmet] [--hdr chinese_garden_1k.hdr]
                                 [--scale 0.5] [--cycles] [--f3d] [--neutral-reference]
                                 [--samples 64] [--out DIR]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

from blender_input import blender_input  # noqa: E402
from scenarios import ENVIRONMENTS, FIDELITY, Scenario, load_scenarios  # noqa: E402
from scores import over_grey, score  # noqa: E402

import dxgl_engine  # noqa: E402

BPY_VENV, BPY = HERE / ".venv-bpy", "bpy==5.0.1"
F3D_VENV, F3D = HERE / ".venv-f3d", "f3d==4.0.0"
MODES = {
    "reference": dict(tone_mapping="none", calibrated=False),
    "product": dict(tone_mapping="neutral", calibrated=True),
}


def ensure_venv(folder: Path, requirement: str, module: str) -> Path:
    """The Python of a peer renderer's own virtualenv, made on first use (Blender as a module is
    about 400 MB, F3D with its VTK about 250 MB: neither belongs in dxgl's environment)."""
    python = folder / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    probe = subprocess.run([str(python), "-c", f"import {module}"], capture_output=True)
    if probe.returncode:
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", requirement], check=True)
    return python


def render_dxgl(s: Scenario, hdr: Path, mode: str) -> np.ndarray:
    """The scenario through dxgl's public API, straight-alpha RGBA."""
    scene = dxgl_engine.load_model(s.model)
    look = dxgl_engine.Look(str(hdr), **MODES[mode])
    # Animated models are posed at the start of their first clip, as Blender shows them at frame 0.
    return dxgl_engine.render_still(scene, dxgl_engine.Camera(s.eye, s.target, s.fov_y), *s.size, look=look,
                                    animation="*" if scene.animations else None)


def render_peer(program: str, python: Path, scenarios: list[Scenario], models: dict[str, Path], hdr: Path,
                out: Path, kind: str, samples: int, **fields) -> None:
    """Runs `program` (cycles_reference.py or f3d_peer.py) in its virtualenv on `models` (scenario
    name -> the file it reads), one process per scenario (F3D 4.0 crashes on some files: the others
    still render): out/NAME.KIND.png each, or a warning naming the scenario and the exit status.
    `fields` go into every job as they are (the Cycles view transform and exposure)."""
    for s in scenarios:
        job = {"model": str(models[s.name]), "eye": s.eye, "target": s.target, "fov_y": s.fov_y,
               "width": s.size[0], "height": s.size[1], "hdr": str(hdr), "out": str(out / f"{s.name}.{kind}.png"),
               "samples": samples, **fields}  # fmt: skip
        spec = out / f"{kind}-job.json"
        spec.write_text(json.dumps([job]))
        Path(job["out"]).unlink(missing_ok=True)
        done = subprocess.run([str(python), str(HERE / program), str(spec)])
        if done.returncode:
            print(f"fidelity: {s.name}: {program} failed (exit status {done.returncode}); no {kind} image",
                  file=sys.stderr)


def product_exposure(hdr: Path) -> float:
    """Stops by which the product look's calibration scales the panorama (Look(calibrated=True))."""
    from dxgl_engine.lighting.environment import calibrate, load_hdr

    raw = load_hdr(hdr)
    return float(np.log2(calibrate(raw).mean() / raw.mean()))


def sheet_row(images: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([(im * 255).round().astype(np.uint8) if im.dtype != np.uint8 else im
                           for im in images], axis=1)  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", nargs="*", help="scenario names (default: all)")
    ap.add_argument("--hdr", default=ENVIRONMENTS[0], help=f"a panorama in {FIDELITY} or a path")
    ap.add_argument("--scale", type=float, default=0.5, help="pixels relative to the scenario's size")
    ap.add_argument("--cycles", action="store_true", help="render the Cycles references (else reuse --out's)")
    ap.add_argument("--f3d", action="store_true", help="render the F3D peer too (else score --out's, if any)")
    ap.add_argument("--neutral-reference", action="store_true",
                    help="score the product mode against Cycles through the product's curve and exposure too")
    ap.add_argument("--samples", type=int, default=64)
    ap.add_argument("--out", type=Path, default=HERE / "out")
    args = ap.parse_args()
    if not FIDELITY.is_dir():
        sys.exit(f"fidelity: {FIDELITY} is absent (the scenarios and panoramas live in ../shared)")
    hdr = Path(args.hdr) if Path(args.hdr).exists() else FIDELITY / args.hdr
    try:
        scenarios = [s.scaled(args.scale) for s in load_scenarios(names=args.scenarios)]
    except KeyError as err:
        sys.exit(f"fidelity: no scenario {err}")
    args.out.mkdir(parents=True, exist_ok=True)
    if args.cycles or args.f3d or args.neutral_reference:
        # Both peers read the same copy: F3D scores shading too, not which texture containers it reads.
        models = {s.name: blender_input(s.model, args.out / "blender-input") for s in scenarios}
    if args.cycles:
        render_peer("cycles_reference.py", ensure_venv(BPY_VENV, BPY, "bpy"), scenarios, models, hdr, args.out,
                    "cycles", args.samples)
    if args.neutral_reference:
        todo = [s for s in scenarios if args.cycles or not (args.out / f"{s.name}.cycles-neutral.png").exists()]
        render_peer("cycles_reference.py", ensure_venv(BPY_VENV, BPY, "bpy"), todo, models, hdr, args.out,
                    "cycles-neutral", args.samples, view_transform="Khronos PBR Neutral",
                    exposure=product_exposure(hdr))  # fmt: skip
    if args.f3d:
        render_peer("f3d_peer.py", ensure_venv(F3D_VENV, F3D, "f3d"), scenarios, models, hdr, args.out, "f3d",
                    args.samples)
    rows, sheet = [], []
    for s in scenarios:
        ref_path = args.out / f"{s.name}.cycles.png"
        if not ref_path.exists():
            print(f"fidelity: {s.name}: no Cycles reference in {args.out} (run with --cycles)", file=sys.stderr)
            continue
        reference = np.asarray(Image.open(ref_path).convert("RGBA"))
        renders = {mode: render_dxgl(s, hdr, mode) for mode in MODES}
        for mode, im in renders.items():
            Image.fromarray(im).save(args.out / f"{s.name}.dxgl-{mode}.png")
        got = {mode: score(reference, im) for mode, im in renders.items()}
        peer_path = args.out / f"{s.name}.f3d.png"
        peer = np.asarray(Image.open(peer_path).convert("RGBA")) if peer_path.exists() else None
        f3d = score(reference, peer) if peer is not None else None
        neutral_path = args.out / f"{s.name}.cycles-neutral.png"
        neutral = score(np.asarray(Image.open(neutral_path).convert("RGBA")), renders["product"]).flip \
            if neutral_path.exists() else float("nan")  # fmt: skip
        rows.append([s.name, got["reference"].flip, got["product"].flip, f3d.flip if f3d else float("nan"),
                     got["reference"].ssim, got["product"].ssim, got["reference"].brightness,
                     got["product"].brightness, got["reference"].iou, neutral])
        row = sheet_row([over_grey(reference), over_grey(renders["reference"]), got["reference"].flip_map,
                         over_grey(renders["product"]), got["product"].flip_map]
                        + ([over_grey(peer), f3d.flip_map] if f3d else []))
        Image.fromarray(row).save(args.out / f"{s.name}.sheet.png")
        sheet.append(row)
    if not rows:
        sys.exit("fidelity: nothing scored")
    width = max(r.shape[1] for r in sheet)
    Image.fromarray(np.concatenate([np.pad(r, ((0, 0), (0, width - r.shape[1]), (0, 0))) for r in sheet])).save(
        args.out / "sheet.png")
    header = ["scenario", "FLIP ref", "FLIP product", "FLIP F3D", "SSIM ref", "SSIM product", "bright ref",
              "bright product", "IoU", "FLIP product vs Cycles Neutral"]
    print(f"\nfidelity against Blender Cycles ({hdr.name}, {args.samples} samples, {args.scale:g}x size)")
    print(f"{dxgl_engine.__name__} {dxgl_engine.__version__}; sheets in {args.out}")
    print("| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    for r in rows:
        print("| " + " | ".join([r[0]] + [f"{v:.3f}" for v in r[1:]]) + " |")
    means = [statistics.fmean(v) if (v := [r[k] for r in rows if r[k] == r[k]]) else float("nan")
             for k in range(1, len(header))]
    print("| mean | " + " | ".join(f"{v:.3f}" for v in means) + " |")
    peered = [r for r in rows if r[3] == r[3]]
    if peered:
        worse = [f"{r[0]} ({r[1]:.3f} vs {r[3]:.3f})" for r in peered if r[1] > r[3]]
        print(f"reference mode worse than F3D in {len(worse)} of {len(peered)} scenarios"
              + (": " + ", ".join(worse) if worse else ""))


if __name__ == "__main__":
    main()
