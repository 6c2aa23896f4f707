"""The `dxgl` console script as a user runs it: a real process, its stdout, stderr and exit status."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dxgl_engine.load.formats import MODEL_SUFFIXES
from dxgl_engine.samples import sample_path

DXGL = shutil.which("dxgl", path=str(Path(sys.executable).parent)) or "dxgl"


def run(*args, cwd=None):
    env = {**os.environ, "EGL_PLATFORM": os.environ.get("EGL_PLATFORM", "surfaceless")}
    return subprocess.run([DXGL, *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


def test_info_json():
    p = run("info", sample_path(), "--json")
    assert p.returncode == 0, p.stderr
    stats = json.loads(p.stdout)
    assert stats["triangles"] > 1000 and stats["materials"] == 2 and stats["textures"] == 1
    assert stats["bounds"]["min"][1] == pytest.approx(0.0, abs=1e-6)


def test_info_text():
    p = run("info", sample_path())
    assert p.returncode == 0
    assert "triangles" in p.stdout and "materials" in p.stdout and "animations" in p.stdout


@pytest.mark.gl
def test_render_writes_video_and_siblings(tmp_path):
    out = tmp_path / "sub" / "video.mp4"
    p = run("render", sample_path(), "-o", out, "--length", "3", "--aspect", "9:16", "--bg-color", "#101010",
            "--settings", '{"rotateY": 45}')  # fmt: skip
    assert p.returncode == 0, p.stderr
    names = sorted(x.name for x in out.parent.iterdir())
    assert names == ["video.mp4", "video.poster-small.png", "video.poster.png", "video.thumb.mp4", "video.web.mp4"]


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--length", "31"], "length must be from 3 to 30"),
        (["--quality", "8k"], "quality must be one of"),
        (["--settings", '{"spin": 1}'], "unknown setting 'spin'"),
        (["--settings", "{not json"], "not valid JSON"),
        (["--bg-color", "red"], "bgColor"),
    ],
)
def test_bad_settings_one_line_exit_2(tmp_path, args, fragment):
    p = run("render", sample_path(), "-o", tmp_path / "x.mp4", *args)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and lines[0].startswith("dxgl: error:")
    assert list(tmp_path.iterdir()) == []


def test_missing_and_unsupported_models(tmp_path):
    p = run("render", tmp_path / "nope.glb", "-o", tmp_path / "x.mp4")
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1
    assert f"not found: {tmp_path / 'nope.glb'}" in p.stderr  # the path as the user gave it
    bad = tmp_path / "model.fbx"
    bad.write_bytes(b"Kaydara FBX Binary")
    p = run("info", bad)
    assert p.returncode == 2 and "unsupported" in p.stderr
    junk = tmp_path / "junk.glb"
    junk.write_bytes(b"not a glb at all")
    p = run("render", junk, "-o", tmp_path / "y.mp4")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert sorted(x.name for x in tmp_path.iterdir()) == ["junk.glb", "model.fbx"]


def test_broken_shared_files_exit_2(shared_assets, tmp_path):
    for path in sorted((shared_assets / "broken").rglob("*")):
        if path.suffix not in MODEL_SUFFIXES or "BadNormals" in path.name:
            continue
        p = run("info", path)
        assert p.returncode == 2, path
        assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr, path


@pytest.mark.parametrize("args, fragment", [
    (["render", "MODEL", "-o", "x.mp4", "--length", "abc"], "argument --length: invalid float value: 'abc'"),
    (["render", "MODEL"], "the following arguments are required: -o/--output"),
    (["info", "MODEL", "--colour"], "unrecognized arguments: --colour"),
    (["rendr", "MODEL"], "invalid choice: 'rendr'"),
])  # fmt: skip
def test_argument_errors_are_one_line(tmp_path, args, fragment):
    """What argparse refuses is one line and exit status 2 too, like every other error (it printed
    its usage block first)."""
    p = run(*[sample_path() if a == "MODEL" else a for a in args], cwd=tmp_path)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dxgl: error:") and fragment in lines[0], p.stderr
    assert list(tmp_path.iterdir()) == []


def test_no_command_prints_help():
    p = run()
    assert p.returncode == 2 and "render" in p.stdout


@pytest.mark.gl
def test_render_with_images_and_hdr_environment(tmp_path):
    import cv2
    from PIL import Image

    bg = tmp_path / "bg.png"
    Image.new("RGB", (64, 36), (10, 200, 30)).save(bg)
    hdr = tmp_path / "env.hdr"
    cv2.imwrite(str(hdr), np.full((32, 64, 3), 1.5, np.float32))
    out = tmp_path / "c.mp4"
    p = run("render", sample_path(), "-o", out, "--length", "3", "--bg-image", bg, "--environment", hdr)
    assert p.returncode == 0, p.stderr
    poster = np.asarray(Image.open(tmp_path / "c.poster.png"))
    assert tuple(poster[0, 0]) == (10, 200, 30)
    p = run("render", sample_path(), "-o", tmp_path / "d.mp4", "--bg-image", tmp_path / "nope.png")
    assert p.returncode == 2 and "--bg-image: file not found" in p.stderr
    p = run("render", sample_path(), "-o", tmp_path / "e.mp4", "--environment", "sunset")
    assert p.returncode == 2 and "environment must be one of studio, neutral" in p.stderr


def test_help_comes_from_the_tables():
    """Tiers, aspects, dataset tiers, formats, ranges and defaults in the help are the engine's tables."""
    from dxgl_engine.load.formats import suffix_list
    from dxgl_engine.settings import FIELDS_BY_KEY
    from dxgl_engine.tiers import ASPECTS, DATASET_TIERS, TIERS

    render = " ".join(run("render", "--help").stdout.split())  # argparse wraps lines: compare words
    for tier in TIERS.values():
        credits = f"{tier.credits} credit" + ("" if tier.credits == 1 else "s")
        assert f"{tier.name} (" in render and credits in render, tier.name
        assert f"OUT{tier.extension}" in render
    assert all(aspect in render for aspect in ASPECTS)
    length = FIELDS_BY_KEY["length"]
    assert f"{length.minimum:g} to {length.maximum:g}; default {length.default:g}" in render
    assert f"model file: {suffix_list()}" in render
    dataset = " ".join(run("dataset", "--help").stdout.split())
    for tier in DATASET_TIERS.values():
        assert f"{tier.name} ({tier.views} views of {tier.size}x{tier.size}, {tier.credits} credits)" in dataset


def test_info_in_a_pipe_that_closes_early_ends_quietly():
    """`dxgl info MODEL | head`: when the reader leaves, no traceback and no 'internal error'."""
    env = {**os.environ, "EGL_PLATFORM": "surfaceless"}
    p = subprocess.Popen([DXGL, "info", str(sample_path())], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    p.stdout.close()  # the reader is gone before anything is written
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == 141, err
    assert err == ""
    shell = subprocess.run(f"'{DXGL}' info '{sample_path()}' | head -1", shell=True, capture_output=True, text=True,
                           env=env, timeout=120)  # fmt: skip
    assert shell.stdout.split(":")[0].strip() == "nodes" and shell.stderr == ""
