"""Where the benchmarks find the repository and the third-party models. Importing it also puts
the repository on sys.path: each script runs as `python tools/bench/NAME.py`, not installed."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("DXGL_SHARED_ASSETS", ROOT.parent / "shared" / "assets"))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_device: str | None = None


def device_line() -> str:
    """'device: <GL renderer> | OpenGL <version> via EGL <platform> | <CPUs>': printed beside every
    table, so figures taken on a lent GPU can be told from these. Asked of `dxgl doctor` in a child
    process (a benchmark may hold a Qt GL context, which cannot share a process with EGL's)."""
    global _device
    if _device is None:
        import json
        import subprocess

        from dxgl_engine.doctor import device_line as line

        env = {**os.environ, "EGL_PLATFORM": os.environ.get("EGL_PLATFORM", "surfaceless"), "PYTHONPATH": str(ROOT)}
        p = subprocess.run([sys.executable, "-m", "dxgl_engine.cli", "doctor", "--json"], capture_output=True,
                           text=True, env=env, timeout=300)  # fmt: skip
        try:
            _device = line(json.loads(p.stdout))
        except ValueError:
            _device = f"device: unknown ({(p.stderr.strip().splitlines() or ['dxgl doctor failed'])[-1]})"
    return _device
