"""Workers: the status moves, errors with refunds, broken models, cancellation by deletion,
heartbeats, and recovery of renders left behind by a worker that died."""
from __future__ import annotations

import os
from datetime import timedelta

import pytest

from dxgl_api import config as config_module
from dxgl_api import jobs, queues, storage
from dxgl_api.db import connection
from dxgl_api.tables import LedgerEntry, Model3D, Render, User, utcnow
from dxgl_engine.errors import RenderFailed

from .conftest import uploaded


def status_of(render_id: str) -> str:
    with connection():
        return Render.get_by_id(render_id).status


@pytest.fixture
def no_heartbeat_delay(app, config):
    config_module.activate(config.replace(heartbeat_s=0.0))


def test_status_moves_through_the_reference_states(client, alice, fake_engine):
    seen = []

    def record(phase, fraction, out):
        render_id = out.parent.name
        with connection():
            r = Render.get_by_id(render_id)
        seen.append((r.is_system_preview, phase, fraction, r.status))

    fake_engine.on_phase = record
    data = uploaded(client, alice)
    paid = [(phase, f, status) for preview, phase, f, status in seen if not preview]
    assert [s for _, _, s in paid] == ["poster-processing", "poster-done", "video-processing", "video-processing",
                                       "video-processing", "video-processing"]
    got = client.get(f"/v1/renders/{data['renderId']}", headers=alice.headers).json["data"]
    assert got["status"] == "done" and got["progress"] == 1.0
    with connection():
        r = Render.get_by_id(data["renderId"])
    assert r.claimed_by is None and r.attempts == 1


def test_preview_failure_marks_the_model_broken(client, alice, fake_engine):
    def fail_previews(phase, fraction, out):
        with connection():
            if Render.get_by_id(out.parent.name).is_system_preview and phase == "video":
                raise RenderFailed("model has no geometry to frame")

    fake_engine.on_phase = fail_previews
    data = uploaded(client, alice)
    model = client.get(f"/v1/models/{data['modelId']}", headers=alice.headers).json["data"]
    assert model["broken"] is True and model["brokenReason"] == "model has no geometry to frame"
    preview = client.get(f"/v1/renders/{data['previewRenderId']}", headers=alice.headers).json["data"]
    assert preview["status"] == "error" and preview["errorMessage"] == "model has no geometry to frame"
    with connection():  # a free preview moves no credits
        assert LedgerEntry.select().where(LedgerEntry.render_id == data["previewRenderId"]).count() == 0


def test_unexpected_worker_exception_becomes_an_error_with_refund(client, alice, fake_engine):
    fake_engine.error = ZeroDivisionError("oops")
    data = uploaded(client, alice)
    got = client.get(f"/v1/renders/{data['renderId']}", headers=alice.headers).json["data"]
    assert got["status"] == "error" and "internal error" in got["errorMessage"]
    assert client.get("/v1/account", headers=alice.headers).json["data"]["credits"] == 10


def test_missing_model_file_fails_the_job(client, alice, config):
    queues.configure_queues("memory", immediate=False)
    data = uploaded(client, alice)
    with connection():
        storage.blob_path(Model3D.get_by_id(data["modelId"]).blob).unlink()
        jobs.run_job([data["renderId"]])
    got = client.get(f"/v1/renders/{data['renderId']}", headers=alice.headers).json["data"]
    assert got["status"] == "error" and "model file not found" in got["errorMessage"]


@pytest.mark.usefixtures("no_heartbeat_delay")
def test_deleting_a_render_cancels_it_mid_job(client, alice, fake_engine):
    victims = []

    def delete_mid_video(phase, fraction, out):
        with connection():
            render = Render.get_by_id(out.parent.name)
            if not render.is_system_preview and phase == "video" and fraction == 0.5:
                Render.delete().where(Render.id == render.id).execute()
                victims.append(render.id)

    fake_engine.on_phase = delete_mid_video
    uploaded(client, alice)
    assert len(victims) == 1
    assert not storage.render_dir(victims[0]).exists()


def test_waiting_renders_of_a_job_are_claimed_and_heartbeaten(client, make_account, fake_engine, config):
    import time

    account = make_account(credits=20)
    model_id = uploaded(client, account)["modelId"]
    config_module.activate(config.replace(heartbeat_s=0.05))
    observed = {}

    def watch(phase, fraction, out):
        time.sleep(0.06)  # a slow phase: the heartbeat thread beats meanwhile
        with connection():
            rows = {r.id: r for r in Render.select().where(Render.is_system_preview == False)}  # noqa: E712
        observed.setdefault(out.parent.name, []).append(
            {rid: (r.status, r.claimed_by is not None, r.heartbeat_at) for rid, r in rows.items()})

    fake_engine.on_phase = watch
    data = client.post("/v1/renders/batch", json={"renders": [{"modelId": model_id}] * 2},
                       headers=account.headers).json["data"]
    first, second = data[0]["id"], data[1]["id"]
    during_first = observed[first]
    assert all(snap[second][0] == "pending" and snap[second][1] for snap in during_first)  # claimed, waiting
    beats = [snap[second][2] for snap in during_first]
    assert beats[-1] > beats[0]
    assert [d["status"] for d in client.get("/v1/renders?limit=100", headers=account.headers).json["data"]].count(
        "done") == 4


# --- recovery ----------------------------------------------------------------------------------
def stranded_render(client, account, *, claimed_by: str, attempts: int, heartbeat_age_s: float,
                    status: str = "video-processing") -> str:
    """A paid render as a dead worker leaves it: claimed, mid-way, with a hidden partial file."""
    queues.configure_queues("memory", immediate=False)
    render_id = uploaded(client, account)["renderId"]
    with connection():
        Render.update(status=status, claimed_by=claimed_by, attempts=attempts, progress=0.4,
                      heartbeat_at=utcnow() - timedelta(seconds=heartbeat_age_s)
                      ).where(Render.id == render_id).execute()
    folder = storage.render_dir(render_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".video.part-1234.mp4").write_bytes(b"half")
    queues.configure_queues("memory", immediate=True)
    return render_id


def recover() -> dict:
    with connection():
        return jobs.recover()


def test_stale_render_is_retried(client, alice):
    render_id = stranded_render(client, alice, claimed_by="elsewhere:1", attempts=1, heartbeat_age_s=3600)
    report = recover()
    assert report == {"retried": [render_id], "failed": []}
    assert status_of(render_id) == "done"  # queued again and (immediate mode) rendered
    assert not list(storage.render_dir(render_id).glob(".*.part-*"))
    with connection():
        assert Render.get_by_id(render_id).attempts == 2


def test_render_stranded_too_often_is_failed_and_refunded(client, alice):
    render_id = stranded_render(client, alice, claimed_by="elsewhere:1", attempts=2, heartbeat_age_s=3600)
    before = client.get("/v1/account", headers=alice.headers).json["data"]["credits"]
    assert recover() == {"retried": [], "failed": [render_id]}
    got = client.get(f"/v1/renders/{render_id}", headers=alice.headers).json["data"]
    assert got["status"] == "error" and "interrupted" in got["errorMessage"]
    assert client.get("/v1/account", headers=alice.headers).json["data"]["credits"] == before + 1
    with connection():
        refund = LedgerEntry.select().where((LedgerEntry.render_id == render_id) & (LedgerEntry.reason == "refund"))
        assert refund.count() == 1


def test_dead_process_on_this_host_is_recovered_at_once(client, alice):
    import socket
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()  # a pid that no longer exists
    render_id = stranded_render(client, alice, claimed_by=f"{socket.gethostname()}:{proc.pid}", attempts=1,
                                heartbeat_age_s=1)
    assert recover()["retried"] == [render_id]
    assert status_of(render_id) == "done"


def test_live_workers_are_left_alone(client, alice):
    import socket

    mine = stranded_render(client, alice, claimed_by=f"{socket.gethostname()}:{os.getpid()}", attempts=1,
                           heartbeat_age_s=1)
    remote = stranded_render(client, alice, claimed_by="elsewhere:1", attempts=1, heartbeat_age_s=10)
    assert recover() == {"retried": [], "failed": []}
    assert status_of(mine) == status_of(remote) == "video-processing"


def test_lost_pending_renders_are_queued_at_start_up(client, alice):
    queues.configure_queues("memory", immediate=False)
    render_id = uploaded(client, alice)["renderId"]
    queues.configure_queues("memory", immediate=False)  # a fresh (empty) queue: the task was lost
    assert queues.queued_render_ids() == set()
    with connection():
        jobs.recover(requeue_lost=True)
    assert render_id in queues.queued_render_ids()
    queued_twice = list(queues.renders.pending())
    with connection():
        jobs.recover(requeue_lost=True)  # already queued: not queued again
    assert len(list(queues.renders.pending())) == len(queued_twice)


def test_a_job_for_renders_already_claimed_does_nothing(client, alice, fake_engine):
    data = uploaded(client, alice)
    calls = len(fake_engine.calls)
    with connection():
        jobs.run_job([data["renderId"]])  # done already: nothing to claim
    assert len(fake_engine.calls) == calls


def test_phase_mapping():
    assert jobs.phase_status("poster", 0.0) == "poster-processing"
    assert jobs.phase_status("poster", 1.0) == "poster-done"
    assert jobs.phase_status("video", 0.3) == jobs.phase_status("encoding", 0.0) == "video-processing"
    assert jobs.phase_status("done", 1.0) is None
    assert jobs.phase_progress("poster", 0.0) < jobs.phase_progress("video", 0.5) < jobs.phase_progress("encoding", 1)


# --- the real engine ---------------------------------------------------------------------------
@pytest.mark.gl
@pytest.mark.real_engine
def test_real_render_of_the_sample(client, make_account, gl, sample_glb, tmp_path):
    from dxgl_engine.encode.ffmpeg import probe

    account = make_account(credits=10)
    data = uploaded(client, account, data=sample_glb, name="product.glb",
                    settings={"length": 3, "aspect": "16:9", "bgColor": "#204080"})
    render = client.get(f"/v1/renders/{data['renderId']}", headers=account.headers).json["data"]
    assert render["status"] == "done", render["errorMessage"]
    video = tmp_path / "v.mp4"
    video.write_bytes(client.get(f"/v1/renders/{data['renderId']}/video", headers=account.headers).data)
    info = probe(video)
    assert (info["codec"], info["width"], info["height"], info["frames"]) == ("h264", 960, 540, 90)
    assert render["fileSize"] == video.stat().st_size

    preview = tmp_path / "p.mp4"
    preview.write_bytes(client.get(f"/v1/renders/{data['previewRenderId']}/video", headers=account.headers).data)
    info = probe(preview)
    assert (info["width"], info["height"], info["frames"]) == (320, 180, 90)
    with connection():
        assert User.get_by_id(account.user_id).credits == 9


@pytest.mark.gl
@pytest.mark.real_engine
def test_real_dataset_render_through_the_api(client, make_account, gl, sample_glb, tmp_path, monkeypatch):
    """output: dataset runs the engine's exporter (its 100x800 tier shrunk to 8 views of 64 px here):
    charged at the tier's price, served as the nerfstudio ZIP."""
    import json
    import zipfile

    from dxgl_engine import tiers

    monkeypatch.setitem(tiers.DATASET_TIERS, "100x800", tiers.DatasetTier("100x800", 8, 64, 4))
    account = make_account(credits=10)
    model_id = uploaded(client, account, data=sample_glb, name="product.glb")["modelId"]  # its render: 1 credit
    r = client.post("/v1/renders", json={"modelId": model_id, "renderSettings": {"output": "dataset"}},
                    headers=account.headers)  # fmt: skip
    assert r.status_code == 201 and r.json["data"]["credits"] == 4
    got = client.get(f"/v1/renders/{r.json['data']['id']}", headers=account.headers).json["data"]
    assert got["status"] == "done", got["errorMessage"]
    zipped = tmp_path / "dataset.zip"
    zipped.write_bytes(client.get(f"/v1/renders/{got['id']}/video", headers=account.headers).data)
    with zipfile.ZipFile(zipped) as z:
        meta = json.loads(z.read("transforms.json"))
        assert len(meta["frames"]) == 8 and (meta["w"], meta["h"]) == (64, 64)
        assert {f"images/frame_{k:05d}.png" for k in range(8)} <= set(z.namelist())
    with connection():
        assert User.get_by_id(account.user_id).credits == 10 - 1 - 4


@pytest.mark.gl
@pytest.mark.real_engine
def test_real_batch_draws_its_frames_once(client, make_account, gl, sample_glb, tmp_path, monkeypatch):
    """A batch of one model in two backgrounds and two tiers is one engine batch: its frames are
    drawn once (one Timeline, length x 30 draws) and each render gets its own backdrop and size."""
    from dxgl_engine import probe
    from dxgl_engine.pipeline import video as engine_video

    timelines, draws = [], []
    real_timeline = engine_video.Timeline

    def counted(*args, **kwargs):
        timeline = real_timeline(*args, **kwargs)
        timelines.append(timeline)
        real_frames = timeline.frames
        timeline.frames = lambda i, outputs: draws.append(i) or real_frames(i, outputs)
        return timeline

    monkeypatch.setattr(engine_video, "Timeline", counted)
    account = make_account(credits=20)
    model_id = uploaded(client, account, data=sample_glb, name="product.glb", settings={"length": 3})["modelId"]
    timelines.clear(), draws.clear()  # the upload's own render and preview
    items = [{"modelId": model_id, "renderSettings": {"length": 3, "bgColor": color, "quality": quality}}
             for color, quality in (("#ff0000", "share"), ("#0000ff", "share"), ("#00ff00", "standard"))]
    r = client.post("/v1/renders/batch", json={"renders": items}, headers=account.headers)
    assert r.status_code == 201, r.json
    assert len(timelines) == 1 and sorted(draws) == list(range(90)), "three renders, one set of frames"
    for item, render in zip(items, r.json["data"]):
        got = client.get(f"/v1/renders/{render['id']}", headers=account.headers).json["data"]
        assert got["status"] == "done", got["errorMessage"]
        poster = tmp_path / f"{render['id']}.mp4"
        poster.write_bytes(client.get(f"/v1/renders/{render['id']}/video", headers=account.headers).data)
        width = 960 if item["renderSettings"]["quality"] == "share" else 1920
        assert probe(poster)["width"] == width


def test_a_stopping_worker_hands_its_renders_back(client, alice, fake_engine):
    """SIGTERM/Ctrl-C reach a render as KeyboardInterrupt: the render goes back to pending, queued
    again, without spending one of its attempts."""
    queues.configure_queues("memory", immediate=False)
    render_id = uploaded(client, alice)["renderId"]

    def interrupt(phase, fraction, out):
        if phase == "video":
            raise KeyboardInterrupt

    fake_engine.on_phase = interrupt
    with connection(), pytest.raises(KeyboardInterrupt):
        jobs.run_job([render_id])
    with connection():
        r = Render.get_by_id(render_id)
    assert (r.status, r.claimed_by, r.attempts) == ("pending", None, 0)
    assert render_id in queues.queued_render_ids()
