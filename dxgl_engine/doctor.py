"""`dxgl doctor`: what a host offers the engine, checked in one command before it takes work.

It opens the headless OpenGL context a worker would (`render.egl`: platform, device, vendor, GL
version and limits), renders a small frame of the bundled sample through the pipeline's own
Timeline, and asks ffmpeg whether it has the encoders every tier needs. A team runs it on a new
host, and the benchmarks print its device line beside their tables.
"""
from __future__ import annotations

import os
import platform as host_platform
import time

from . import __version__
from .errors import DxglError


def report() -> dict:
    """Everything `dxgl doctor` prints, as JSON-ready data; `ok` says whether this host can render
    every tier. Failures are reported in the data ("error" entries), not raised."""
    out: dict = {"dxgl": __version__, "python": host_platform.python_version(), "cpus": os.cpu_count(),
                 "cpu": _cpu_model(), "env": {k: os.environ[k] for k in ("EGL_PLATFORM", "DXGL_EGL_PLATFORM",
                                                                          "DXGL_EGL_DEVICE") if k in os.environ}}  # fmt: skip
    out["egl"], out["gl"], out["render"] = _gl()
    try:
        from .encode.ffmpeg import ffmpeg_report

        out["ffmpeg"] = ffmpeg_report()
    except DxglError as err:
        out["ffmpeg"] = {"error": str(err)}
    out["ok"] = ("error" not in out["egl"] and "error" not in out["render"] and "error" not in out["ffmpeg"]
                 and all(out["ffmpeg"]["encoders"].values()))  # fmt: skip
    return out


def _gl() -> tuple[dict, dict, dict]:
    try:
        from .render import egl, gl_context

        offscreen = gl_context.offscreen_context()
        made = offscreen.egl
        egl_info = {"platform": made.platform, "vendor": made.vendor, "version": made.version,
                    "device": None if made.device is None else {"index": made.device.index, "name": made.device.name},
                    "devices": [{"index": d.index, "name": d.name} for d in egl.devices()],
                    "client_extensions": sorted(e for e in egl.client_extensions() if "platform" in e)}  # fmt: skip
        gl_info = gl_context.gl_info()
    except DxglError as err:
        return {"error": str(err)}, {}, {"error": "no OpenGL context"}
    except Exception as err:  # vispy or a driver failing its own way: the doctor reports, it does not crash
        return {"error": f"{type(err).__name__}: {err}"}, {}, {"error": "no OpenGL context"}
    try:
        from .load.formats import load_model
        from .pipeline.timeline import Timeline
        from .samples import sample_path
        from .settings import Settings

        t0 = time.perf_counter()
        frame = Timeline(load_model(sample_path()), Settings.from_json({"length": 3}), (96, 54)).frame(0, (255, 255, 255))
        drawn = int((frame[..., :3] < 250).any(axis=-1).sum())
        render = {"size": "96x54", "seconds": round(time.perf_counter() - t0, 3), "model_pixels": drawn}
        if drawn < 100:
            render["error"] = "the sample rendered empty"
    except Exception as err:  # DxglError's message, or whatever a broken driver raises, named
        render = {"error": str(err) if isinstance(err, DxglError) else f"{type(err).__name__}: {err}"}
    return egl_info, gl_info, render


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            return next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        return host_platform.processor()


def device_line(info: dict) -> str:
    """One line naming the device a benchmark ran on: GL renderer, EGL platform (and device), CPU."""
    gl, egl_info = info.get("gl") or {}, info.get("egl") or {}
    device = egl_info.get("device")
    where = f"EGL {egl_info.get('platform', '?')}" + (f" device {device['index']} ({device['name']})" if device else "")
    return (f"device: {gl.get('renderer', 'no OpenGL')} | OpenGL {gl.get('version', '?')} via {where} | "
            f"{info.get('cpus')} x {info.get('cpu') or 'CPU'}")


def text(info: dict) -> str:
    """The report for people: one aspect a line."""
    lines = [f"dxgl {info['dxgl']} on Python {info['python']}, {info['cpus']} CPUs ({info['cpu'] or 'unknown CPU'})"]
    egl_info, gl, render, ffmpeg = info["egl"], info["gl"], info["render"], info["ffmpeg"]
    if "error" in egl_info:
        lines.append(f"EGL      FAILED: {egl_info['error']}")
    else:
        device = egl_info["device"]
        chosen = f", device {device['index']} ({device['name']})" if device else ""
        lines.append(f"EGL      {egl_info['platform']} platform{chosen}; {egl_info['vendor']} EGL {egl_info['version']}")
        lines.append("devices  " + ("; ".join(f"{d['index']}: {d['name']}" for d in egl_info["devices"]) or "none listed"))
        lines.append(f"OpenGL   {gl['version']} on {gl['renderer']} ({gl['vendor']}), GLSL {gl['glsl']}")
        lines.append(f"limits   texture {gl['max_texture_size']} px, renderbuffer {gl['max_renderbuffer_size']} px, "
                     f"3D texture {gl['max_3d_texture_size']} px, draw buffers {gl['max_draw_buffers']}")  # fmt: skip
    lines.append(f"render   FAILED: {render['error']}" if "error" in render else
                 f"render   the sample at {render['size']} in {render['seconds']} s")  # fmt: skip
    if "error" in ffmpeg:
        lines.append(f"ffmpeg   FAILED: {ffmpeg['error']}")
    else:
        encoders = ", ".join(f"{codec} ({'yes' if ok else 'MISSING'})" for codec, ok in ffmpeg["encoders"].items())
        lines.append(f"ffmpeg   {ffmpeg['version']}; encoders: {encoders}")
    for key, value in info["env"].items():
        lines.append(f"env      {key}={value}")
    lines.append("ok: this host can render every tier" if info["ok"] else "NOT OK: see the lines marked above")
    return "\n".join(lines)
