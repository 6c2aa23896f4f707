"""Headless EGL on either platform a host offers, the device chosen by index or name, and `dxgl
doctor` (render/egl.py, doctor.py). Each context is made in a process of its own, as a worker's."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from dxgl_engine.render import egl
from tests.engine.test_cli import DXGL

FRAME = """
import sys, numpy as np
from dxgl_engine import Settings, Timeline, load_model, offscreen_context, sample_path
made = offscreen_context().egl
frame = Timeline(load_model(sample_path()), Settings.from_json({"length": 3}), (160, 90)).frame(7, (255, 255, 255))
np.save(sys.argv[1], frame)
print(made.platform, made.device.name if made.device else "-")
"""


def child_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DXGL_EGL")}
    return {**env, "EGL_PLATFORM": "surfaceless", **extra}


def test_surfaceless_and_device_platforms_give_the_same_pixels(tmp_path):
    frames = {}
    for platform in ("surfaceless", "device"):
        out = tmp_path / f"{platform}.npy"
        p = subprocess.run([sys.executable, "-c", FRAME, str(out)], capture_output=True, text=True,
                           env=child_env(DXGL_EGL_PLATFORM=platform), timeout=300)  # fmt: skip
        assert p.returncode == 0, p.stderr
        assert p.stdout.split()[0] == platform
        frames[platform] = np.load(out)
    assert (frames["device"][..., :3] < 250).any(axis=-1).sum() > 500, "the sample is drawn"
    assert np.abs(frames["device"].astype(int) - frames["surfaceless"].astype(int)).max() <= 1


def doctor(**env) -> subprocess.CompletedProcess:
    return subprocess.run([DXGL, "doctor", "--json"], capture_output=True, text=True, env=child_env(**env), timeout=300)


def test_doctor_reports_the_host_and_a_device_chosen_by_index_or_name():
    p = doctor()
    assert p.returncode == 0, p.stdout + p.stderr
    info = json.loads(p.stdout)
    assert info["ok"] and info["egl"]["platform"] in egl.PLATFORMS
    assert info["gl"]["renderer"] and info["gl"]["max_texture_size"] >= 2048 and info["gl"]["max_draw_buffers"] >= 4
    assert info["ffmpeg"]["encoders"] == {"h264": True, "prores": True}
    assert info["render"]["model_pixels"] > 100
    devices = info["egl"]["devices"]
    assert devices, "Mesa lists its software device"
    for choice in ("0", devices[0]["name"].split()[0]):
        chosen = json.loads(doctor(DXGL_EGL_DEVICE=choice).stdout)
        assert chosen["egl"]["platform"] == "device" and chosen["egl"]["device"]["index"] == 0, choice
    wrong = doctor(DXGL_EGL_DEVICE="no such gpu")
    assert wrong.returncode == 2
    assert "names none of the EGL devices: 0: " in json.loads(wrong.stdout)["egl"]["error"]


def test_doctor_text_is_one_line_per_aspect():
    p = subprocess.run([DXGL, "doctor"], capture_output=True, text=True, env=child_env(), timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    heads = [line.split()[0] for line in p.stdout.splitlines()]
    assert heads[1:7] == ["EGL", "devices", "OpenGL", "limits", "render", "ffmpeg"]
    assert p.stdout.strip().endswith("ok: this host can render every tier")


DEVICES = [egl.EglDevice(0, "NVIDIA H200 /dev/dri/renderD128", ("EGL_EXT_device_drm",), 1),
           egl.EglDevice(1, "NVIDIA H200 /dev/dri/renderD129", ("EGL_EXT_device_drm",), 2),
           egl.EglDevice(2, "software", ("EGL_MESA_device_software",), 3)]  # fmt: skip


def test_device_choice_by_index_or_part_of_its_name():
    assert egl.pick_device(None, DEVICES) is DEVICES[0]
    assert egl.pick_device(None, DEVICES[::-1]) is DEVICES[1], "by default a GPU, not Mesa's software device"
    assert egl.pick_device(None, DEVICES[2:]) is DEVICES[2]
    assert egl.pick_device("1", DEVICES) is DEVICES[1]
    assert egl.pick_device("renderD129", DEVICES) is DEVICES[1]
    assert egl.pick_device("SOFTWARE", DEVICES) is DEVICES[2]
    with pytest.raises(egl.EglError, match=r"no EGL device 7; the devices are 0: NVIDIA H200"):
        egl.pick_device("7", DEVICES)
    with pytest.raises(egl.EglError, match="lists no devices"):
        egl.pick_device("0", [])


def test_platform_choice(monkeypatch):
    monkeypatch.setattr(egl, "client_extensions", lambda: {"EGL_EXT_platform_device", "EGL_MESA_platform_surfaceless"})
    software = DEVICES[2:]
    assert egl.choose_platform(None, None, software) == "surfaceless"
    assert egl.choose_platform(None, None, DEVICES) == "device", "glvnd with Mesa and a GPU: the GPU"
    assert egl.choose_platform(None, "1", software) == "device", "a chosen device means the device platform"
    assert egl.choose_platform("device", None, software) == "device"
    assert egl.choose_platform("surfaceless", None, DEVICES) == "surfaceless"
    monkeypatch.setattr(egl, "client_extensions", lambda: {"EGL_EXT_platform_device"})  # NVIDIA's driver
    assert egl.choose_platform(None, None, software) == "device"
    with pytest.raises(egl.EglError, match="must be one of surfaceless, device"):
        egl.choose_platform("x11", None)
