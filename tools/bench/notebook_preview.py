#!/usr/bin/env python3
"""Notebook benchmark: how long the SettingsWidget takes to show a new preview after a slider
change (mean and p95 over N changes, at the preview size), split by what the change costs, and how
long the 100x800 dataset takes through `generate_dataset`.

    python tools/bench/notebook_preview.py [--changes 20] [--no-dataset] [MODEL ...]

Without models it uses the bundled sample, plus DamagedHelmet from ../shared/assets where present.
Times are the widget's own work (validation, quote, Timeline rebuild where needed, render, JPEG); in a
kernel a settings change starts SETTINGS_DEBOUNCE_S after the last edit of a burst, a t change at once.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench_paths import SHARED, device_line  # noqa: E402  (also puts the repository on sys.path)
os.environ.setdefault("EGL_PLATFORM", "surfaceless")

from dxgl_engine import load_model  # noqa: E402
from dxgl_engine.samples import sample_path  # noqa: E402
from dxgl_gui.notebook import SettingsWidget, generate_dataset  # noqa: E402
from dxgl_gui.notebook.preview import SETTINGS_DEBOUNCE_S  # noqa: E402

EXTRA_MODELS = ("khronos/DamagedHelmet/DamagedHelmet.glb",)
# slider -> values it cycles through; what each change costs differs (see TimelineCache)
SLIDERS = {
    "zoom (Timeline rebuilt)": ("zoom", (1.2, 0.9, 1.5, 1.1)),
    "exposure (Timeline rebuilt)": ("exposure", (1.4, 0.8, 2.0, 1.1)),
    "vignette (backdrop only)": ("vignette", (0.3, 0.6, 0.1, 0.9)),
}


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def time_changes(widget: SettingsWidget, key: str, values: tuple, changes: int) -> list[float]:
    """Milliseconds from setting the control to the new image being in the widget."""
    control, renders, times = widget.form.controls[key], widget.preview.renders, []
    for k in range(changes):
        start = time.perf_counter()
        control.input.value = values[k % len(values)]  # no event loop here: the update runs at once
        times.append((time.perf_counter() - start) * 1e3)
    assert widget.preview.renders == renders + changes, "every change should have rendered"
    return times


def time_scrub(widget: SettingsWidget, changes: int) -> list[float]:
    times = []
    for k in range(changes):
        start = time.perf_counter()
        widget.preview.t.value = (k + 1) / (changes + 1)
        times.append((time.perf_counter() - start) * 1e3)
    return times


def bench_model(path: Path, changes: int) -> list[tuple[str, str, list[float]]]:
    scene = load_model(path)
    widget = SettingsWidget(scene)
    widget.form.controls["zoom"].input.value = 1.05  # warm: shaders, environment maps
    size = "x".join(map(str, widget.preview.frame.shape[1::-1]))
    rows = [(path.stem, f"{label} {size}", time_changes(widget, key, values, changes))
            for label, (key, values) in SLIDERS.items()]  # fmt: skip
    rows.append((path.stem, f"t scrub {size}", time_scrub(widget, changes)))
    return rows


def bench_dataset(quality: str) -> float:
    with tempfile.TemporaryDirectory(prefix="dxgl-bench-") as tmp:
        start = time.perf_counter()
        generate_dataset(sample_path("product"), Path(tmp) / "ds.zip", quality=quality, progress=False)
        return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="*", type=Path)
    ap.add_argument("--changes", type=int, default=20, help="slider changes per measurement")
    ap.add_argument("--no-dataset", action="store_true")
    args = ap.parse_args()
    models = args.models or [sample_path("product")] + [SHARED / m for m in EXTRA_MODELS if (SHARED / m).is_file()]
    print(device_line())
    print(f"{'model':<16}{'preview update after':<36}{'mean ms':>9}{'p95 ms':>9}")
    for path in models:
        for model, what, times in bench_model(path, args.changes):
            print(f"{model:<16}{what:<36}{statistics.mean(times):9.1f}{p95(times):9.1f}")
    print(f"(in a kernel, a settings change starts {SETTINGS_DEBOUNCE_S * 1e3:.0f} ms after the last edit of a burst)")
    if not args.no_dataset:
        print(f"{'product':<16}{'dataset 100x800 (100 views, 800 px)':<36}{bench_dataset('100x800'):8.1f} s")


if __name__ == "__main__":
    main()
