#!/usr/bin/env python3
"""The second reference: the Khronos Render Fidelity goldens beside each model.

`../shared/assets/khronos/<Model>/reference/` holds each scenario's golden renders (Blender Cycles,
Filament, the glTF Sample Viewer; 512 px thumbnails of the scenario's frame). They were lit by a
panorama not available here (lightroom_14b.hdr; DamagedHelmet by aircraft_workshop_01_1k.hdr), so
every score against them carries a lighting difference. To size it, the table scores our own Cycles
render (same camera, this harness's panorama) against the golden Cycles render: the same path tracer
under the two lightings. dxgl's distance from the golden, beside that floor, says how much of it is
ours. The framing agrees: the silhouettes of our Cycles renders and the goldens overlap (Box: the
cube spans 8.1-85.9 % of the width in ours, 8.0-85.9 % in the golden).

Reads what `run.py` wrote in --out (NAME.cycles.png, NAME.dxgl-reference.png, NAME.dxgl-product.png);
the golden is resized to that size (Lanczos, straight alpha). Prints one table.

    python tools/fidelity/goldens.py [--out DIR] [--scenarios Box Duck]
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scenarios import FIDELITY, load_scenarios  # noqa: E402
from scores import score  # noqa: E402

GOLDENS = {  # column name: the golden's file name in <Model>/reference/
    "Cycles": "fidelity-blender-cycles-golden.thumb.webp",
    "Filament": "fidelity-filament-golden.thumb.webp",
    "Sample Viewer": "fidelity-gltf-sample-viewer-golden.thumb.webp",
}


def golden(model: Path, which: str, size: tuple[int, int]) -> np.ndarray | None:
    """The golden `which` of the model at `size` (width, height) as straight-alpha RGBA uint8, or
    None where the model has none (or it is framed at another aspect than the scenario)."""
    path = model.parent / "reference" / GOLDENS[which]
    if not path.is_file():  # a glTF in glTF/ keeps its goldens one folder up
        path = model.parent.parent / "reference" / GOLDENS[which]
    if not path.is_file():
        return None
    image = Image.open(path).convert("RGBA")
    if abs(image.width / image.height - size[0] / size[1]) > 0.02:
        return None
    return np.asarray(image.resize(size, Image.LANCZOS))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE / "out", help="run.py's output folder")
    ap.add_argument("--scenarios", nargs="*", help="scenario names (default: all run.py rendered)")
    args = ap.parse_args()
    if not FIDELITY.is_dir():
        sys.exit(f"fidelity: {FIDELITY} is absent (the scenarios and goldens live in ../shared)")
    header = ["scenario", "Cycles here vs golden", "dxgl ref vs golden", "dxgl product vs golden",
              "dxgl ref vs Sample Viewer", "dxgl ref vs Filament", "IoU ours vs golden"]
    rows = []
    for s in load_scenarios(names=args.scenarios):
        files = {kind: args.out / f"{s.name}.{kind}.png" for kind in ("cycles", "dxgl-reference", "dxgl-product")}
        if not all(f.is_file() for f in files.values()):
            continue
        ours = {kind: np.asarray(Image.open(f).convert("RGBA")) for kind, f in files.items()}
        size = ours["cycles"].shape[1], ours["cycles"].shape[0]
        gold = {which: golden(s.model, which, size) for which in GOLDENS}
        if gold["Cycles"] is None:
            continue

        pairs = [("cycles", "Cycles"), ("dxgl-reference", "Cycles"), ("dxgl-product", "Cycles"),
                 ("dxgl-reference", "Sample Viewer"), ("dxgl-reference", "Filament")]
        flips = [score(gold[which], ours[kind]).flip if gold[which] is not None else float("nan")
                 for kind, which in pairs]
        rows.append([s.name, *flips, score(gold["Cycles"], ours["cycles"]).iou])
    if not rows:
        sys.exit(f"fidelity: nothing to score in {args.out} (run run.py first)")
    print("\nFLIP against the Khronos Render Fidelity goldens (lit by lightroom_14b.hdr; ours by run.py's panorama)")
    print("| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    for r in rows:
        print("| " + " | ".join([r[0]] + [f"{v:.3f}" for v in r[1:]]) + " |")
    means = [statistics.fmean(v for r in rows if (v := r[k]) == v) for k in range(1, len(header))]
    print("| mean | " + " | ".join(f"{v:.3f}" for v in means) + " |")


if __name__ == "__main__":
    main()
