"""Static checks that catch real bugs (undefined names, unused imports, mutable defaults)."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_clean():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (it comes with the dev extra)")
    targets = [d for d in ("dxgl_engine", "dxgl_api", "dxgl_gui", "tests", "tools") if (ROOT / d).is_dir()]
    p = subprocess.run([ruff, "check", *targets], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
