"""Local jobs (a video shown inline, a dataset read back and plotted) and waiting on remote renders."""
from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from dxgl_engine import tiers
from dxgl_engine.tiers import DatasetTier
from dxgl_gui.notebook import generate_dataset, plot_cameras, render_video, show_video, wait_all


@pytest.fixture(scope="module")
def small_dataset(tmp_path_factory, scene):
    """The 100x800 tier shrunk to 12 views of 96 px: the real exporter, a fraction of the time."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(tiers.DATASET_TIERS, "100x800", DatasetTier("100x800", 12, 96, 4))
        return generate_dataset(scene, tmp_path_factory.mktemp("ds") / "small.zip", coverage="sphere",
                                progress=False)  # fmt: skip


@pytest.mark.gl
def test_a_video_renders_and_plays_inline(tmp_path, widget):
    widget.set(length=3, effect="reveal")
    result = render_video(widget.scene, widget, tmp_path / "reveal.mp4", size=(320, 180), progress=False)
    assert result.frames == 90 and (result.width, result.height) == (320, 180)
    assert all(p.is_file() for p in result.paths.all())
    html = show_video(result)._repr_html_()
    assert "data:video/mp4;base64," in html and "loop" in html


@pytest.mark.gl
def test_a_dataset_reads_back(small_dataset):
    ds = small_dataset
    assert len(ds) == 12 and ds.transforms["w"] == 96 and ds.result.views == 12
    assert sorted(ds.split("train") + ds.split("val") + ds.split("test")) == list(range(12))
    assert ds.image(3).shape == (96, 96, 3) and ds.image(3, "rgba").shape == (96, 96, 4)
    assert ds.depth(3).max() > 0 and ds.depth(3).dtype == np.float64
    check = ds.mask_check(3)
    assert check["iou_image"] > 0.95 and check["outside"] < 0.02
    positions = ds.camera_positions()
    assert positions[:, 1].min() < 0 < positions[:, 1].max()  # sphere coverage: cameras below the object too
    assert ds.points(100).shape == (100, 6)
    assert ds.contact_sheet(count=12, columns=4, tile=32).size == (128, 96)


@pytest.mark.gl
def test_cameras_plot_in_3d(small_dataset):
    fig = plot_cameras(small_dataset, points=200)
    ax = fig.axes[0]
    assert ax.name == "3d" and len(ax.collections) >= 4  # three splits, arrows, points
    fig.clf()


def test_a_dataset_from_anywhere_opens_from_its_files(tmp_path):
    """The reader needs only the ZIP (a download from a server opens the same way)."""
    from dxgl_gui.notebook import Dataset

    path = tmp_path / "d.zip"
    frames = [{"file_path": f"images/frame_{k:05d}.png", "transform_matrix": np.eye(4).tolist()} for k in range(3)]
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("transforms.json", json.dumps({"w": 8, "h": 8, "fl_x": 8.0, "frames": frames}))
        zf.writestr("transforms_val.json", json.dumps({"frames": [{"file_path": "./images/frame_00001"}]}))
    ds = Dataset(path)
    assert len(ds) == 3 and ds.split("val") == [1] and "3 views of 8×8" in ds._repr_html_()


class Renders:
    """A stand-in client whose renders advance one step per poll."""

    def __init__(self, timeline: dict[str, list[tuple[str, float]]]):
        self.timeline, self.polls = timeline, {k: 0 for k in timeline}

    def get_render(self, render_id: str) -> dict:
        steps = self.timeline[render_id]
        status, progress = steps[min(self.polls[render_id], len(steps) - 1)]
        self.polls[render_id] += 1
        return {"id": render_id, "status": status, "progress": progress, "errorMessage": "boom"}


def test_wait_all_returns_when_every_render_is_done():
    client = Renders({"a": [("pending", 0), ("video-processing", 0.5), ("done", 1)], "b": [("done", 1)]})
    done = wait_all(client, ["a", "b"], poll=0, progress=False)
    assert [r["status"] for r in done] == ["done", "done"] and client.polls["a"] == 3


def test_wait_all_raises_the_clients_errors():
    from dxgl_api.client import RenderError, WaitTimeout

    with pytest.raises(RenderError, match="boom"):
        wait_all(Renders({"a": [("pending", 0), ("error", 0)]}), ["a"], poll=0, progress=False)
    with pytest.raises(WaitTimeout):
        wait_all(Renders({"a": [("pending", 0)]}), ["a"], poll=0.01, timeout=0.05, progress=False)
