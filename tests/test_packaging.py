"""The package is a package: `python -m build` makes an sdist and, from it, a wheel that carries
every file read at run time; the wheel installed into a fresh virtualenv (not editable, core
dependencies only) renders the bundled sample from another working directory into a video that
ffmpeg reads back."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_FILES = [p.relative_to(ROOT).as_posix() for folder in ("dxgl_engine/render/shaders", "dxgl_engine/samples",
                                                                  "dxgl_api/portal/templates", "dxgl_api/portal/static")
                 for p in sorted((ROOT / folder).rglob("*")) if p.is_file() and p.suffix != ".py"
                 and "__pycache__" not in p.parts]  # fmt: skip


def run(cmd: list, **kwargs) -> subprocess.CompletedProcess:
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    assert p.returncode == 0, f"{' '.join(map(str, cmd))}\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    return p


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """(sdist, wheel), the wheel built from the sdist as `python -m build` does."""
    dist = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--outdir", dist, ROOT], timeout=900)
    (sdist,), (wheel,) = sorted(dist.glob("*.tar.gz")), sorted(dist.glob("*.whl"))
    return sdist, wheel


def test_sdist_and_wheel_carry_every_runtime_file(built):
    sdist, wheel = built
    assert RUNTIME_FILES and any(f.endswith(".glsl") for f in RUNTIME_FILES)
    with tarfile.open(sdist) as tar:
        in_sdist = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    with zipfile.ZipFile(wheel) as whl:
        in_wheel = set(whl.namelist())
    assert set(RUNTIME_FILES) <= in_sdist, sorted(set(RUNTIME_FILES) - in_sdist)
    assert set(RUNTIME_FILES) <= in_wheel, sorted(set(RUNTIME_FILES) - in_wheel)
    assert not [n for n in in_wheel if n.startswith(("tests/", "tools/", "notebooks/"))]


def test_installed_wheel_renders_the_sample_elsewhere(built, tmp_path):
    _, wheel = built
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv], timeout=300)
    python, dxgl = venv / "bin" / "python", venv / "bin" / "dxgl"
    run([python, "-m", "pip", "install", "--quiet", wheel], timeout=1200)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["EGL_PLATFORM"] = "surfaceless"
    where = run([python, "-c", "import dxgl_engine, json; print(json.dumps([dxgl_engine.__file__, "
                 "str(dxgl_engine.sample_path())]))"], cwd=elsewhere, env=env).stdout  # fmt: skip
    package, sample = json.loads(where)
    assert Path(package).is_relative_to(venv) and Path(sample).is_relative_to(venv), "not the installed copy"
    run([dxgl, "render", sample, "-o", "video.mp4", "--length", "3"], cwd=elsewhere, env=env, timeout=600)
    probe = run([python, "-c", "import json, dxgl_engine; print(json.dumps(dxgl_engine.probe('video.mp4')))"],
                cwd=elsewhere, env=env).stdout  # fmt: skip
    info = json.loads(probe)
    assert (info["codec"], info["width"], info["height"], info["frames"]) == ("h264", 960, 540, 90), info
    assert sorted(p.name for p in elsewhere.iterdir()) == [
        "video.mp4", "video.poster-small.png", "video.poster.png", "video.thumb.mp4", "video.web.mp4"]
