#!/usr/bin/env python3
"""Desktop preview benchmark: frames per second while the preview plays (fast 1x frames in a
960x540 view) and the time from releasing the scrubber to the exact 2x SSAA frame on screen,
measured in the real main window.

    python tools/bench/gui_preview.py [--seconds 5] [--scrubs 8] [MODEL ...]

Without models it uses ~100k-triangle models from ../shared/assets (nefertiti, SheenCloth) and
the bundled sample. Without a display it re-runs itself under xvfb-run.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_paths import SHARED, device_line  # noqa: E402  (also puts the repository on sys.path)
DEFAULT_MODELS = ("large/nefertiti/nefertiti.obj", "khronos/SheenCloth/SheenCloth.glb")
VIEW = (960, 540)
TIMEOUT_S = 120.0


def ensure_display() -> None:
    """Re-run under xvfb-run where there is no display (Qt's offscreen platform breaks vispy)."""
    if os.environ.get("DISPLAY") or os.environ.get("DXGL_BENCH_NO_XVFB"):
        return
    if not shutil.which("xvfb-run"):
        sys.exit("no DISPLAY and no xvfb-run: install xvfb or run on a desktop")
    os.environ["DXGL_BENCH_NO_XVFB"] = "1"
    os.execvp("xvfb-run", ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", sys.executable, *sys.argv])


class Bench:
    def __init__(self):
        from PySide6.QtCore import QSettings

        from dxgl_gui.app import create_application
        from dxgl_gui.main_window import MainWindow
        from dxgl_gui.preferences import Preferences

        self.app = create_application(["dxgl-bench"])
        self._tmp = tempfile.TemporaryDirectory(prefix="dxgl-bench-")
        store = QSettings(str(Path(self._tmp.name) / "bench.ini"), QSettings.Format.IniFormat)
        self.window = MainWindow(Preferences(store))
        self.window.preview.canvas.native.setFixedSize(*VIEW)
        self.window.show()
        self.shown: list[tuple[float, object]] = []
        self.render_ms: list[float] = []
        self._time_renders()
        self.window.preview.frameShown.connect(lambda info: self.shown.append((time.perf_counter(), info)))
        self.pump_until(lambda: self.window.isVisible(), "window")

    def _time_renders(self) -> None:
        """Record how long the engine takes for each fast frame (render + readback), apart from Qt."""
        from dxgl_gui import live_timeline

        render = live_timeline.LiveTimeline.render

        def timed(timeline, index, *, exact, **kwargs):
            start = time.perf_counter()
            try:
                return render(timeline, index, exact=exact, **kwargs)
            finally:
                if not exact:
                    self.render_ms.append((time.perf_counter() - start) * 1e3)

        live_timeline.LiveTimeline.render = timed

    def pump(self, seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            self.app.processEvents()
            time.sleep(0.001)

    def pump_until(self, done, what: str) -> None:
        end = time.perf_counter() + TIMEOUT_S
        while not done():
            if time.perf_counter() > end:
                raise TimeoutError(f"waiting for {what}")
            self.app.processEvents()
            time.sleep(0.001)

    def settled(self) -> bool:
        p, w = self.window.preview, self.window
        return (p.live is not None and p.frame_info is not None and p.frame_info.exact
                and not w._settings_timer.isActive() and p.live.settings == w.settings()
                and not p._render_timer.isActive() and not p.canvas.frame_pending)  # fmt: skip

    def open(self, path: Path) -> int:
        w = self.window
        w.model_path = None
        w.open_model(path)
        self.pump_until(lambda: w.model_path == str(path) or w.loader.busy is False and w.model_path, "load")
        if w.model_path != str(path):
            raise RuntimeError(f"{path.name} did not load")
        self.pump_until(self.settled, "first frame")
        return w.scene.triangle_count

    def use(self, **settings) -> None:
        from dxgl_engine.settings import Settings

        self.window.panel.set_settings(Settings.from_json(settings))
        self.pump_until(self.settled, "settings")

    def playing_fps(self, seconds: float) -> tuple[float, float]:
        """(frames shown per second, median ms the engine took per fast frame) over `seconds` of playback."""
        preview = self.window.preview
        self.shown.clear()
        self.render_ms.clear()
        preview.play()
        self.pump(seconds)
        preview.pause()
        fast = [t for t, info in self.shown if not info.exact]
        fps = (len(fast) - 1) / (fast[-1] - fast[0]) if len(fast) > 1 else 0.0
        render_ms = statistics.median(self.render_ms) if self.render_ms else float("nan")
        self.pump_until(self.settled, "pause")
        return fps, render_ms

    def release_to_exact(self, scrubs: int) -> list[float]:
        """ms from releasing the scrubber to the exact frame being on screen, for several positions."""
        slider = self.window.preview.slider
        n = slider.maximum() + 1
        times = []
        for k in range(scrubs):
            target = (k * 37 + 11) % n
            self.shown.clear()
            slider.setSliderDown(True)
            slider.setSliderPosition(target)
            self.pump_until(lambda t=target: any(i.index == t and not i.exact for _, i in self.shown), "drag")
            self.shown.clear()
            start = time.perf_counter()
            slider.setSliderDown(False)
            self.pump_until(lambda t=target: any(i.index == t and i.exact for _, i in self.shown), "exact")
            times.append((next(s for s, i in self.shown if i.exact) - start) * 1e3)
        return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="*", help="model files (default: ~100k-triangle models from ../shared/assets)")
    ap.add_argument("--seconds", type=float, default=5.0, help="playback time measured per model")
    ap.add_argument("--scrubs", type=int, default=8, help="scrubber releases measured per tier")
    args = ap.parse_args()
    ensure_display()
    from dxgl_engine.samples import sample_path

    models = [Path(m) for m in args.models] or [SHARED / m for m in DEFAULT_MODELS if (SHARED / m).exists()]
    models.append(sample_path("product"))
    bench = Bench()
    rows = []
    for path in models:
        try:
            triangles = bench.open(path)
        except Exception as err:  # one broken model must not hide the others' figures
            rows.append((path.name, 0, float("nan"), float("nan"), [float("nan")], [float("nan")], str(err)))
            continue
        bench.use(quality="share", aspect="16:9")
        fps, ms = bench.playing_fps(args.seconds)
        share = bench.release_to_exact(args.scrubs)
        bench.use(quality="standard", aspect="16:9")
        standard = bench.release_to_exact(args.scrubs)
        rows.append((path.name, triangles, fps, ms, share, standard, ""))
    header = (f"{'model':<22}{'triangles':>10}{'play fps':>10}{'render ms':>11}"
              f"{'release->exact 960x540':>25}{'release->exact 1920x1080':>27}")  # fmt: skip
    print(f"\nview {VIEW[0]}x{VIEW[1]}; playing: fast frames (1x, view size) shown per second, and the engine's "
          f"median ms per fast frame (render + readback); release->exact: ms from releasing the scrubber to the "
          f"2x SSAA frame on screen, median (min-max) of {args.scrubs}")  # fmt: skip
    print(device_line())
    print(header)
    print("-" * len(header))
    for name, tris, fps, ms, share, standard, error in rows:
        if error:
            print(f"{name:<22}  failed: {error}")
            continue
        print(f"{name:<22}{tris:>10,}{fps:>10.1f}{ms:>11.1f}{_spread(share):>25}{_spread(standard):>27}")
    bench.window.close()


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} ({min(values):.0f}-{max(values):.0f})"


if __name__ == "__main__":
    main()
