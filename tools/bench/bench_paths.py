"""Where the benchmarks find the repository and the third-party models. Importing it also puts
the repository on sys.path: each script runs as `python tools/bench/NAME.py`, not installed."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("DXGL_SHARED_ASSETS", ROOT.parent / "shared" / "assets"))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
