"""End to end with a real `dxgl serve` process and its workers, the real engine and third-party
models: DamagedHelmet.glb, an OBJ scan ZIP and a batch of three, through the Python client and
plain HTTP (Range requests included), each output probed."""
from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
import requests
from PIL import Image

from dxgl_api.client import Client
from dxgl_engine.encode.ffmpeg import probe

pytestmark = [pytest.mark.gl, pytest.mark.shared_assets, pytest.mark.real_engine]

WAIT = 400  # seconds: generous for llvmpipe on two cores; never an assertion on speed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """A `dxgl serve` child process; its stdout is collected line by line."""

    def __init__(self, data_dir: Path, log: Path, extra_env: dict[str, str] | None = None):
        self.port = free_port()
        exe = Path(sys.executable).parent / "dxgl"
        env = {**os.environ, "EGL_PLATFORM": os.environ.get("EGL_PLATFORM", "surfaceless")}
        env = {k: v for k, v in env.items() if not k.startswith("DXGL_")} | (extra_env or {})
        self.log = open(log, "w")
        self.proc = subprocess.Popen([str(exe), "serve", "--port", str(self.port), "--data-dir", str(data_dir),
                                      "--workers", "1"], stdout=subprocess.PIPE, stderr=self.log, text=True,
                                     env=env, start_new_session=True)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    def wait_for(self, pattern: str, timeout: float = 90) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if m := re.search(pattern, line):
                    return m
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"dxgl serve never printed /{pattern}/; output: {self.lines}")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("e2e")
    server = Served(folder / "data", folder / "serve.log")
    try:
        token = server.wait_for(r"(dxgl_sk_\S+)").group(1)
        server.wait_for(r"serving http://")
        yield server, Client(f"http://127.0.0.1:{server.port}/v1", token, timeout=120), folder
    finally:
        server.stop()


def check_outputs(api: Client, render: dict, folder: Path, size: tuple[int, int], frames: int) -> None:
    rid = render["id"]
    headers = {"Authorization": f"Bearer {api.token}"}
    base = api.base_url
    video = api.download(rid, folder / f"{rid}.mp4")
    info = probe(video)
    assert (info["codec"], info["width"], info["height"], info["frames"]) == ("h264", *size, frames)
    assert video.stat().st_size == render["fileSize"]
    r = requests.get(f"{base}/renders/{rid}/video", headers={**headers, "Range": "bytes=1000-4999"})
    assert r.status_code == 206 and r.content == video.read_bytes()[1000:5000]
    assert render["hasWebVariant"] is True  # the engine writes video.web.mp4 beside every H.264 video
    web = api.download(rid, folder / f"{rid}.web.mp4", quality="web")
    web_info = probe(web)  # at share size the main video already is web-ready and serves as its own variant
    assert web_info["frames"] == frames and max(web_info["width"], web_info["height"]) <= 1280

    full = Image.open(io.BytesIO(requests.get(f"{base}/renders/{rid}/poster?quality=full", headers=headers).content))
    small = Image.open(io.BytesIO(requests.get(f"{base}/renders/{rid}/poster", headers=headers).content))
    assert full.size == size and max(small.size) == 480 and full.format == small.format == "PNG"

    thumb = api.download(rid, folder / f"{rid}.thumb.mp4", asset="thumb")
    t = probe(thumb)
    assert t["codec"] == "h264" and t["frames"] == frames and abs(max(t["width"], t["height"]) - max(size) / 4) <= 2
    r = requests.get(f"{base}/renders/{rid}/thumb", headers={**headers, "Range": "bytes=0-99"})
    assert r.status_code == 206 and len(r.content) == 100

    r = requests.get(f"{base}/renders/{rid}/bundle", headers=headers)
    assert r.status_code == 200 and "immutable" in r.headers["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    assert {"video.mp4", "poster.png", "poster-small.png", "thumb.mp4", "render.json"} <= set(archive.namelist())
    assert archive.read("video.mp4") == video.read_bytes() and archive.testzip() is None


def test_damaged_helmet(served, shared_assets):
    server, api, folder = served
    up = api.upload(shared_assets / "khronos/DamagedHelmet/DamagedHelmet.glb", {"length": 3, "aspect": "16:9"})
    preview = api.wait(up["previewRenderId"], poll=0.5, timeout=WAIT, progress=False)
    assert preview["status"] == "done" and preview["is_system_preview"] is True
    p = probe(api.download(preview["id"], folder / "preview.mp4"))
    assert (p["width"], p["height"]) == (320, 180)
    render = api.wait(up["renderId"], poll=0.5, timeout=WAIT, progress=False)
    check_outputs(api, render, folder, (960, 540), 90)
    model = api.model(up["modelId"])
    assert model["broken"] is False and len(model["renders"]) == 2
    assert api.account()["credits"] == 9


def test_obj_scan_zip(served, shared_assets):
    server, api, folder = served
    up = api.upload(shared_assets / "obj_zip/fuze_scan/fuze_scan.zip", {"length": 3, "aspect": "1:1"})
    render = api.wait(up["renderId"], poll=0.5, timeout=WAIT, progress=False)
    check_outputs(api, render, folder, (540, 540), 90)
    glb = api.download_model(up["modelId"], folder / "fuze.glb")
    assert glb.read_bytes()[:4] == b"glTF"


def test_batch_of_three(served, shared_assets):
    server, api, folder = served
    model_id = api.check_hash(shared_assets / "khronos/DamagedHelmet/DamagedHelmet.glb")["modelId"]
    assert model_id, "the helmet test uploads it first"
    aspects = {"16:9": (960, 540), "1:1": (540, 540), "9:16": (540, 960)}
    items = [{"modelId": model_id, "renderSettings": {"length": 3, "aspect": a, "bgColor": c}}
             for a, c in zip(aspects, ("#ffffff", "#000000", "#ff8800"))]
    assert api.quote([i["renderSettings"] for i in items])["creditsRequired"] == 3
    made = api.batch(items)
    for item, render in zip(items, made):
        done = api.wait(render["id"], poll=0.5, timeout=WAIT, progress=False)
        check_outputs(api, done, folder, aspects[item["renderSettings"]["aspect"]], 90)
