"""A worker process killed mid-render (SIGKILL, nothing gets to clean up) leaves its render
claimed; the next worker start finds the claim's process gone, puts the render back in the
queue and finishes it. Real processes, the real engine and the SQLite queue."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from dxgl_api import storage
from dxgl_api.config import Config
from dxgl_api.db import connection
from dxgl_api.tables import Render
from dxgl_engine.encode.ffmpeg import probe

from .cluster import wait_until
from .conftest import uploaded

pytestmark = [pytest.mark.gl, pytest.mark.real_engine]


def start_worker(config: Config, log) -> subprocess.Popen:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DXGL_")}, **config.to_env()}
    return subprocess.Popen([sys.executable, "-m", "dxgl_api.worker", "--queue", "renders", "--workers", "1"],
                            env=env, stdout=log, stderr=log, start_new_session=True)


def render_row(render_id: str) -> Render:
    with connection():
        return Render.get_by_id(render_id)


def test_killed_worker_render_is_retried_after_restart(tmp_path, make_account, sample_glb):
    from dxgl_api.app import create_app

    config = Config(data_dir=tmp_path / "data", heartbeat_s=0.5)  # the SQLite queue, nothing immediate
    client = create_app(config).test_client()
    account = make_account(credits=10)
    render_id = uploaded(client, account, data=sample_glb, settings={"length": 12})["renderId"]
    assert render_row(render_id).status == "pending"

    log = open(tmp_path / "worker.log", "w")
    first = start_worker(config, log)
    try:
        wait_until(lambda: render_row(render_id).status == "video-processing", 120, "the render to start")
        wait_until(lambda: render_row(render_id).progress > 0.2, 120, "some frames")
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    stranded = render_row(render_id)
    assert stranded.status == "video-processing" and stranded.claimed_by and stranded.attempts == 1
    assert not (storage.render_dir(render_id) / "video.mp4").exists()

    second = start_worker(config, log)
    try:
        done = wait_until(lambda: (r := render_row(render_id)).status in ("done", "error") and r, 300,
                          "the retried render")
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(30)
        log.close()
    assert done.status == "done", done.error_message
    assert done.attempts == 2 and done.claimed_by is None
    folder = storage.render_dir(render_id)
    assert not list(folder.glob(".*.part-*"))
    assert probe(folder / "video.mp4")["frames"] == 360
