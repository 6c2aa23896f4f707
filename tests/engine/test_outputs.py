"""Every tier, the ProRes alpha master, web/thumbnail/poster variants, and render-once-encode-many."""
import resource
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from dxgl_engine import load_model
from dxgl_engine.encode.ffmpeg import probe
from dxgl_engine.encode.mp4 import moov_before_mdat
from dxgl_engine.pipeline.video import render_batch
from dxgl_engine.pipeline.jobs import VideoJob, group_jobs
from dxgl_engine.render.renderer import Renderer
from dxgl_engine.render_files import RenderFiles
from dxgl_engine.samples import sample_path
from dxgl_engine.settings import Settings

pytestmark = pytest.mark.gl
BG = "#204080"


@pytest.fixture(scope="module")
def product(gl):
    return load_model(sample_path("product"))


@pytest.fixture(scope="module")
def all_tiers(product, tmp_path_factory):
    """One batch of the four tiers: frames are rendered once, at 4K, for all of them."""
    out = tmp_path_factory.mktemp("tiers")
    jobs = [VideoJob(Settings.from_json({"quality": q, "length": 3, "bgColor": BG}), out / f"video-{q}{ext}")
            for q, ext in (("share", ".mp4"), ("standard", ".mp4"), ("4k", ".mp4"), ("pro", ".mov"))]  # fmt: skip
    calls = []
    original = Renderer.render_many

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    Renderer.render_many = counting
    try:
        results = render_batch(product, jobs)
    finally:
        Renderer.render_many = original
    return {q: r for q, r in zip(("share", "standard", "4k", "pro"), results)}, len(calls)


@pytest.mark.parametrize("quality,codec,pix,size", [
    ("share", "h264", "yuv420p", (960, 540)), ("standard", "h264", "yuv420p", (1920, 1080)),
    ("4k", "h264", "yuv420p", (3840, 2160)), ("pro", "prores", "yuva444p12le", (3840, 2160)),
])  # fmt: skip
def test_every_tier(all_tiers, quality, codec, pix, size):
    results, _ = all_tiers
    info = probe(results[quality].paths.video)
    assert (info["codec"], info["pix_fmt"], (info["width"], info["height"])) == (codec, pix, size)
    assert info["frames"] == 90 and info["seconds"] == pytest.approx(3.0, abs=0.05)
    # BT.709 matrix, primaries and transfer all tagged: ffmpeg shows "bt709/unknown/unknown" otherwise
    assert "bt709" in info["stream"] and "unknown" not in info["stream"], info["stream"]
    if quality == "pro":
        assert "4444" in info["stream"]  # prores_ks profile 4444, fed yuva444p10le (decoded as 12-bit)


def test_batch_rendered_its_frames_once(all_tiers):
    _, calls = all_tiers
    assert calls == 90  # one draw per frame for four videos


def test_web_thumbnail_and_posters(all_tiers):
    results, _ = all_tiers
    for q, r in results.items():
        web = probe(r.paths.web)
        assert web["codec"] == "h264" and max(web["width"], web["height"]) <= 1280 and web["frames"] == 90
        assert moov_before_mdat(r.paths.web) and moov_before_mdat(r.paths.thumb)
        if q != "share":
            assert r.paths.web.stat().st_size <= r.paths.video.stat().st_size / 3
        thumb = probe(r.paths.thumb)
        for got, full in ((thumb["width"], r.width), (thumb["height"], r.height)):
            assert got % 2 == 0 and abs(got - full / 4) <= 1  # a quarter of each side, even for yuv420p
        poster = Image.open(r.paths.poster)
        assert poster.size == (r.width, r.height) and max(Image.open(r.paths.poster_small).size) == 480
        assert np.asarray(poster)[0, 0].tolist() == [0x20, 0x40, 0x80]
        for variant in (r.paths.web, r.paths.thumb):  # scaled after the colour conversion: same colours
            frame = decode_first_frame(variant, "rgb24").astype(int)
            assert np.abs(frame[1, 1] - [0x20, 0x40, 0x80]).max() <= 3
            small = np.asarray(poster.resize(frame.shape[1::-1], Image.BOX)).astype(int)
            assert np.abs(frame - small).mean() < 3


def decode_first_frame(path, pix_fmt="rgba"):
    from imageio_ffmpeg import get_ffmpeg_exe

    w, h = probe(path)["width"], probe(path)["height"]
    raw = subprocess.run([get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-frames:v", "1", "-f", "rawvideo",
                          "-pix_fmt", pix_fmt, "-"], capture_output=True, check=True).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(h, w, -1)


def test_prores_alpha_is_real(all_tiers):
    results, _ = all_tiers
    rgba = decode_first_frame(results["pro"].paths.video)
    a = rgba[..., 3]
    for corner in (a[0, 0], a[0, -1], a[-1, 0], a[-1, -1]):
        assert corner == 0  # background transparent
    h, w = a.shape
    assert a[h // 2, w // 2] == 255  # the model opaque
    partial = (a > 10) & (a < 200)
    assert partial.sum() > 5000  # the ground shadow as partial alpha (not just anti-aliased edges)
    poster = np.asarray(Image.open(results["pro"].paths.poster)).astype(int)
    opaque = a == 255  # where the backdrop cannot show, the master's colours are the poster's
    assert opaque.sum() > 10000 and np.abs(rgba[..., :3].astype(int)[opaque] - poster[opaque]).mean() < 1.0
    web = decode_first_frame(results["pro"].paths.web, "rgb24")
    assert np.abs(web[0, 0].astype(int) - [0x20, 0x40, 0x80]).max() <= 3  # the variants get bgColor


def test_grouping_rules():
    def job(js, name="a.mp4", size=None, files=None):
        return VideoJob(Settings.from_json(js), name and __import__("pathlib").Path(name), files or RenderFiles(),
                        size)  # fmt: skip

    jobs = [job({"bgColor": "#000000"}), job({"quality": "standard", "vignette": 0.4}),
            job({"aspect": "1:1"}), job({"rotateY": 30}), job({}, size=(480, 270)), job({}, size=(500, 280)),
            job({}, files=RenderFiles(environment="/x.hdr"))]  # fmt: skip
    assert sorted(map(sorted, group_jobs(jobs))) == [[0, 1, 4], [2], [3], [5], [6]]


def test_batch_of_backgrounds_each_gets_its_own(product, tmp_path):
    colours = ["#ff0000", "#00ff00", "#0000ff", "#ffffff"]
    jobs = [VideoJob(Settings.from_json({"length": 3, "bgColor": c}), tmp_path / f"v{k}.mp4", size=(192, 108))
            for k, c in enumerate(colours)]  # fmt: skip
    results = render_batch(product, jobs)
    for c, r in zip(colours, results):
        poster = np.asarray(Image.open(r.paths.poster))
        assert poster[0, 0].tolist() == [int(c[i : i + 2], 16) for i in (1, 3, 5)]
        frame = decode_first_frame(r.paths.video, "rgb24")
        assert np.abs(frame[2, 2].astype(int) - poster[2, 2]).max() <= 6


PEAK = """
import resource, sys
from dxgl_engine import load_model
from dxgl_engine.pipeline.video import render_video
from dxgl_engine.samples import sample_path
from dxgl_engine.settings import Settings
render_video(load_model(sample_path()), Settings.from_json({"length": float(sys.argv[1])}), sys.argv[2],
             size=(320, 180))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_memory_does_not_grow_with_length(tmp_path):
    peaks = {}
    for seconds in (6, 30):
        p = subprocess.run([sys.executable, "-c", PEAK, str(seconds), str(tmp_path / f"m{seconds}.mp4")],
                           capture_output=True, text=True, timeout=600)  # fmt: skip
        assert p.returncode == 0, p.stderr
        peaks[seconds] = int(p.stdout.split()[-1])
    assert peaks[30] <= 1.2 * peaks[6], peaks
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pipe sizes are a Linux feature")
def test_encoder_pipe_holds_a_whole_frame(tmp_path):
    """The renderer hands a frame to ffmpeg and goes on drawing: the pipe must take a whole frame
    (up to the system's limit), not Linux's default 64 KiB."""
    import fcntl
    from pathlib import Path

    from dxgl_engine.encode.ffmpeg import VideoOutput
    from dxgl_engine.encode.frame_encoder import FrameEncoder

    limit = int(Path("/proc/sys/fs/pipe-max-size").read_text())
    with FrameEncoder(320, 180, [VideoOutput(tmp_path / "a.mp4", 320, 180)]) as enc:
        assert fcntl.fcntl(enc._proc.stdin.fileno(), 1032) >= min(320 * 180 * 4, limit)  # F_GETPIPE_SZ
        for k in range(3):
            enc.write(np.full((180, 320, 4), 60 * k, np.uint8))
    assert probe(tmp_path / "a.mp4")["frames"] == 3
