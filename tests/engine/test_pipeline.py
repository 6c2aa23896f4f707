"""The video job end to end: files, codecs, sizes, frame counts, and nothing left behind on failure."""
import threading

import numpy as np
import pytest
from PIL import Image

from dxgl_engine import load_model
from dxgl_engine.encode.ffmpeg import probe
from dxgl_engine.encode.mp4 import moov_before_mdat
from dxgl_engine.errors import Cancelled, InvalidSettings
from dxgl_engine.pipeline.video import render_video
from dxgl_engine.encode.video_files import VideoPaths
from dxgl_engine.samples import sample_path
from dxgl_engine.settings import Settings

pytestmark = pytest.mark.gl


@pytest.fixture(scope="module")
def product(gl):
    return load_model(sample_path("product"))


def test_share_video_posters_and_thumbnail(product, tmp_path):
    s = Settings.from_json({"length": 3.1, "bgColor": "#204080", "aspect": "16:9"})
    phases = []
    result = render_video(product, s, tmp_path / "video.mp4", progress=lambda st, f: phases.append((st, f)))
    paths = result.paths
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths.all())

    video = probe(paths.video)
    assert (video["codec"], video["pix_fmt"], video["width"], video["height"]) == ("h264", "yuv420p", 960, 540)
    assert video["frames"] == round(3.1 * 30) == 93
    assert moov_before_mdat(paths.video)

    thumb = probe(paths.thumb)
    assert (thumb["width"], thumb["height"], thumb["frames"]) == (240, 136, 93)
    for stream in (video, thumb, probe(paths.web)):  # matrix, primaries and transfer all BT.709
        assert "bt709" in stream["stream"] and "unknown" not in stream["stream"], stream["stream"]

    poster = np.asarray(Image.open(paths.poster))
    assert poster.shape == (540, 960, 3)
    assert tuple(poster[0, 0]) == (0x20, 0x40, 0x80)
    small = Image.open(paths.poster_small)
    assert max(small.size) == 480 and small.mode == "RGB"

    names = [st for st, _ in phases]
    assert names.index("poster") < names.index("video") < names.index("encoding") < names.index("done")
    video_fractions = [f for st, f in phases if st == "video"]
    assert video_fractions == sorted(video_fractions) and video_fractions[-1] == 1.0


def test_first_video_frame_matches_poster(product, tmp_path):
    from imageio_ffmpeg import read_frames

    s = Settings.from_json({"length": 3, "aspect": "1:1"})
    result = render_video(product, s, tmp_path / "sq.mp4")
    reader = read_frames(str(result.paths.video))
    meta = next(reader)
    assert meta["size"] == (540, 540)
    first = np.frombuffer(next(reader), np.uint8).reshape(540, 540, 3)
    reader.close()
    poster = np.asarray(Image.open(result.paths.poster)).astype(int)
    assert np.abs(first.astype(int) - poster).mean() < 3.0  # only H.264 loss between them


def test_cancel_leaves_no_files(product, tmp_path):
    cancel = threading.Event()

    def progress(phase, fraction):
        if phase == "video" and fraction > 0.2:
            cancel.set()

    with pytest.raises(Cancelled):
        render_video(product, Settings.from_json({"length": 3}), tmp_path / "c.mp4", progress=progress, cancel=cancel)
    assert list(tmp_path.iterdir()) == []


def test_encoder_failure_leaves_no_files(product, tmp_path, monkeypatch):
    from dxgl_engine.encode import ffmpeg as encode
    from dxgl_engine.errors import RenderFailed

    original = encode.VideoOutput.codec_args
    monkeypatch.setattr(encode.VideoOutput, "codec_args", lambda self: original(self) + ["-preset", "no-such-preset"])
    with pytest.raises(RenderFailed, match="encoder"):
        render_video(product, Settings.from_json({"length": 3}), tmp_path / "bad.mp4")
    assert list(tmp_path.iterdir()) == []


def test_extension_must_match_tier(product, tmp_path):
    with pytest.raises(InvalidSettings, match=r"\.mov"):
        render_video(product, Settings.from_json({"quality": "pro"}), tmp_path / "x.mp4")
    assert list(tmp_path.iterdir()) == []


def test_paths_beside():
    p = VideoPaths.beside("/a/b/video.mp4")
    assert [x.name for x in p.all()] == ["video.mp4", "video.web.mp4", "video.poster.png", "video.poster-small.png",
                                         "video.thumb.mp4"]  # fmt: skip


def test_size_override_for_previews(product, tmp_path):
    result = render_video(product, Settings.from_json({"length": 3, "aspect": "9:16"}), tmp_path / "p.mp4",
                          size=(180, 320))  # fmt: skip
    info = probe(result.paths.video)
    assert (info["width"], info["height"], info["frames"]) == (180, 320, 90)
    with pytest.raises(InvalidSettings, match="even"):
        render_video(product, Settings(), tmp_path / "q.mp4", size=(181, 320))


def test_profile_splits_the_render_into_stages_and_steps(product, tmp_path):
    """The profile the stage benchmark prints: the render's stages in order with their wall
    seconds adding up to the render's, the renderer's steps per frame split into submission and
    finish (the shadow pass and the model among them), and the encoders' CPU seconds."""
    s = Settings.from_json({"length": 3.0})
    result = render_video(product, s, tmp_path / "video.mp4", profile=True, size=(320, 180))
    stages = result.timings["stages_s"]
    assert list(stages) == ["setup", "first frame", "posters", "encoder start", "frames", "encoder tail",
                            "web variant", "rename"]  # fmt: skip
    assert all(v >= 0 for v in stages.values()) and stages["frames"] > 0
    assert sum(stages.values()) == pytest.approx(result.seconds, rel=0.05)
    steps = result.timings["frame_ms"]
    for step in ("clear", "shadow", "opaque", "compose", "readback"):
        assert steps[f"{step} submit"] >= 0 and steps[f"{step} finish"] >= 0, step
    assert steps["opaque submit"] + steps["opaque finish"] > 0
    assert result.timings["encoder_cpu_s"] > 0 and result.timings["encode_wait_ms"] >= 0
    unprofiled = render_video(product, s, tmp_path / "plain.mp4", size=(320, 180))
    assert unprofiled.timings == {}
