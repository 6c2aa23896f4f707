"""Export: a worker process renders the current settings while the window goes on (the preview
keeps playing), the video is probed, cancelling leaves no file, and a dataset request shows the
engine's own message."""
from __future__ import annotations

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from dxgl_engine.encode.video_files import VideoPaths
from dxgl_engine.settings import Settings

from .conftest import message_boxes, open_model, wait_exact

EXPORT_TIMEOUT_MS = 120_000


def probe(path) -> dict:
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    frames = sum(1 for _ in reader)
    return {"size": tuple(meta["size"]), "fps": meta["fps"], "frames": frames, "codec": meta.get("codec")}


def video_frame(path, index: int, size: tuple[int, int]) -> np.ndarray:
    reader = imageio_ffmpeg.read_frames(str(path), pix_fmt="rgb24")
    next(reader)
    for i, data in enumerate(reader):
        if i == index:
            reader.close()
            return np.frombuffer(data, np.uint8).reshape(size[1], size[0], 3)
    raise IndexError(index)


def difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a.astype(np.int16) - b.astype(np.int16))


@pytest.fixture
def short_clip(window, qtbot, product_path):
    open_model(window, qtbot, product_path)
    window.panel.set_settings(Settings.from_json({"length": 3, "rotateY": 30, "bgColor": "#e8eef4"}))
    wait_exact(window, qtbot)
    return window


def test_export_a_short_video_while_the_preview_plays(short_clip, qtbot, tmp_path, monkeypatch):
    window = short_clip
    out = tmp_path / "out" / "bottle.mp4"
    out.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out.with_suffix("")), ""))
    shown_while_exporting, phases = [], []
    window.preview.frameShown.connect(lambda info: window.export_job and shown_while_exporting.append(info))
    window.preview.play()
    window.export_action.trigger()  # the dialog picks a name without the suffix: the app adds .mp4
    job = window.export_job
    assert job is not None and not window.export_action.isEnabled()
    job.progress.connect(lambda phase, overall: phases.append((phase, overall)))
    with qtbot.waitSignal(job.finished, timeout=EXPORT_TIMEOUT_MS) as done:
        pass
    window.preview.pause()
    paths = done.args[0]
    assert paths == VideoPaths.beside(out).all()  # the video, its posters and thumbnail...
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)
    info = probe(out)
    assert (info["size"], info["fps"], info["frames"]) == ((960, 540), 30.0, 90)
    assert {s for s, _ in phases} >= {"poster", "video", "encoding"}
    overall = [o for _, o in phases]
    assert overall == sorted(overall) and overall[-1] == pytest.approx(1.0)
    assert len(shown_while_exporting) > 3  # the event loop kept drawing preview frames
    assert sorted(p.name for p in out.parent.iterdir()) == sorted(p.name for p in paths)  # no temporaries
    (box,) = message_boxes(window)
    assert "bottle.mp4" in box.text()
    assert window.export_action.isEnabled()

    # The poster is the video's first frame: the same pixels as the preview's exact frame 0...
    window.preview.seek(0)
    wait_exact(window, qtbot, index=0)
    poster = np.asarray(Image.open(out.parent / "bottle.poster.png").convert("RGB"))
    assert difference(poster, window.preview.frame[..., :3]).mean() < 0.5
    # ...and a frame in the middle of the video is the paused preview's frame, up to H.264's loss.
    window.preview.seek(45)
    wait_exact(window, qtbot, index=45)
    decoded = video_frame(out, 45, (960, 540))
    print("decoded frame 45 vs preview: mean", difference(decoded, window.preview.frame[..., :3]).mean())
    assert difference(decoded, window.preview.frame[..., :3]).mean() < 2.0


def test_cancelling_an_export_leaves_no_file(window, qtbot, product_path, tmp_path):
    open_model(window, qtbot, product_path)
    window.panel.set_settings(Settings.from_json({"length": 30}))  # long enough to cancel midway
    out_dir = tmp_path / "cancelled"
    out_dir.mkdir()
    job = window.start_export(out_dir / "long.mp4")
    qtbot.waitUntil(lambda: any(p.suffix == ".mp4" for p in out_dir.iterdir()), timeout=EXPORT_TIMEOUT_MS)
    assert window.export_progress.isVisible()
    with qtbot.waitSignal(job.cancelled, timeout=EXPORT_TIMEOUT_MS):
        qtbot.mouseClick(window.export_progress.cancel_button, Qt.MouseButton.LeftButton)
    assert list(out_dir.iterdir()) == []  # not even the hidden partial files
    assert not window.export_progress.isVisible() and window.export_job is None
    assert "cancelled" in window.status_label.text()
    assert not message_boxes(window)


def test_a_dataset_goes_through_the_engines_exporter_and_cancels_cleanly(window, qtbot, product_path, tmp_path):
    open_model(window, qtbot, product_path)
    window.panel.set_settings(Settings.from_json({"effect": "dataset"}))
    phases, out_dir = [], tmp_path / "dataset"
    out_dir.mkdir()
    job = window.start_export(out_dir / "views.zip")
    job.progress.connect(lambda phase, overall: phases.append(phase))
    qtbot.waitUntil(lambda: "dataset" in phases, timeout=EXPORT_TIMEOUT_MS)  # views are being rendered
    with qtbot.waitSignal(job.cancelled, timeout=EXPORT_TIMEOUT_MS):
        job.cancel()
    assert list(out_dir.iterdir()) == []


def test_an_engine_refusal_is_a_dialog(window, qtbot, product_path, tmp_path):
    open_model(window, qtbot, product_path)
    window.panel.set_settings(Settings.from_json({"effect": "dataset"}))
    out_dir = tmp_path / "refused"
    out_dir.mkdir()
    job = window.start_export(out_dir / "views.mp4")  # a dataset is a .zip: the engine says so
    with qtbot.waitSignal(job.failed, timeout=EXPORT_TIMEOUT_MS) as failed:
        pass
    message = failed.args[0]
    assert ".zip" in message and "Traceback" not in message
    (box,) = message_boxes(window)
    assert message in box.text()
    assert list(out_dir.iterdir()) == []


def test_an_export_renders_the_chosen_material_variant(window, qtbot, variants_path, tmp_path):
    open_model(window, qtbot, variants_path)
    window.panel.set_settings(Settings.from_json({"length": 3, "materialVariant": "Red"}))
    wait_exact(window, qtbot)
    out = tmp_path / "red.mp4"
    job = window.start_export(out, size=(96, 54))  # the worker process loads the model and the settings anew
    with qtbot.waitSignal(job.finished, timeout=EXPORT_TIMEOUT_MS):
        pass
    poster = np.asarray(Image.open(VideoPaths.beside(out).poster).convert("RGB")).astype(int)
    red = (poster[..., 0] - poster[..., 2] > 60) & (poster[..., 0] - poster[..., 1] > 60)
    assert red.mean() > 0.02  # the cube, red: the grey default has no such pixel
