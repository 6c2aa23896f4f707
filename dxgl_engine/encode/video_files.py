"""The files of one video and how they are encoded: the main video (H.264, or the ProRes 4444 master
with alpha for the pro tier), the web variant, the thumbnail video and two poster PNGs, written
under the temporary names of an `OutputSet`.
"""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..errors import RenderFailed
from ..tiers import FPS, Tier
from .ffmpeg import VideoOutput, capped_h264_command
from .frame_encoder import FrameEncoder
from .images import fit_within, resize
from .output_set import OutputSet

POSTER_SMALL_LONG_SIDE = 480
WEB_LONG_SIDE = 1280
WEB_MAX_SHARE = 1 / 3  # of the main file's bytes, for HD and above
THUMB_SCALE = 4  # the thumbnail video is a quarter of the main one on each side


@dataclass
class VideoPaths:
    """Where a video job's files go: OUT.mp4 and its siblings."""

    video: Path
    web: Path
    poster: Path
    poster_small: Path
    thumb: Path

    @classmethod
    def beside(cls, video: str | Path) -> "VideoPaths":
        video = Path(video)
        stem = video.with_suffix("")

        def sibling(suffix: str) -> Path:
            return stem.with_name(stem.name + suffix)

        return cls(video, sibling(".web.mp4"), sibling(".poster.png"), sibling(".poster-small.png"),
                   sibling(".thumb.mp4"))  # fmt: skip

    def all(self) -> list[Path]:
        return [self.video, self.web, self.poster, self.poster_small, self.thumb]


@dataclass
class VideoFiles:
    """One video's files at `width` x `height` pixels in `tier`'s codec, written into `output_set`
    (renamed into place only when the caller commits it)."""

    paths: VideoPaths
    width: int
    height: int
    tier: Tier
    output_set: OutputSet

    @property
    def main_is_web_ready(self) -> bool:
        """Small H.264 is its own web variant (copied, not encoded twice)."""
        return self.tier.codec == "h264" and max(self.width, self.height) <= WEB_LONG_SIDE

    def write_posters(self, frame: np.ndarray) -> None:
        """The first frame (H, W, 3|4 uint8; alpha dropped) as the poster, and at most
        POSTER_SMALL_LONG_SIDE pixels long as the small poster."""
        rgb = np.ascontiguousarray(frame[..., :3])
        Image.fromarray(rgb).save(self.output_set.path(self.paths.poster), format="PNG", compress_level=6)
        w, h = fit_within(rgb.shape[1], rgb.shape[0], POSTER_SMALL_LONG_SIDE)
        small = self.output_set.path(self.paths.poster_small)
        Image.fromarray(resize(rgb, w, h)).save(small, format="PNG", compress_level=6)

    def encoder_outputs(self) -> list[list[VideoOutput]]:
        """The outputs of each encoder process, one process per source: the master alone (ProRes,
        fed straight alpha) and then its variants, or the main H.264 with its variants."""
        width, height = self.width, self.height
        master = VideoOutput(self.output_set.path(self.paths.video), width, height, codec=self.tier.codec)
        ww, wh = fit_within(width, height, WEB_LONG_SIDE)
        web = VideoOutput(self.output_set.path(self.paths.web), ww, wh, crf=25, preset="veryfast")  # cheap to encode
        tw, th = fit_within(width, height, max(width, height) // THUMB_SCALE)
        thumb = VideoOutput(self.output_set.path(self.paths.thumb), tw, th, crf=23, preset="veryfast")
        if self.tier.alpha:
            return [[master], [web, thumb]]
        if self.main_is_web_ready:
            return [[master, thumb]]
        return [[master, web, thumb]]

    def start_encoders(self) -> list[FrameEncoder]:
        """The encoder processes of `encoder_outputs`, started and waiting for frames."""
        return [FrameEncoder(self.width, self.height, outputs, fps=FPS) for outputs in self.encoder_outputs()]

    def finish_web_variant(self, frame_count: int) -> None:
        """After the encoders closed: the web variant is the main file itself when that is already
        small H.264 (moov first, at most WEB_LONG_SIDE); for HD and above it must weigh at most a
        third of the main file, so it is re-encoded from the main file at a bitrate that fits when
        the quality-based encode came out heavier. Raises RenderFailed when ffmpeg fails."""
        pending = self.output_set.pending
        if self.main_is_web_ready:
            shutil.copyfile(pending(self.paths.video), self.output_set.path(self.paths.web))
            return
        if min(self.width, self.height) < 1080:
            return
        main, web = pending(self.paths.video), pending(self.paths.web)
        budget = main.stat().st_size * WEB_MAX_SHARE
        if web.stat().st_size <= budget:
            return
        kbps = max(50, int(budget * 8 / (frame_count / FPS) / 1000 * 0.85))
        tmp = web.with_name(web.stem + ".capped.mp4")
        done = subprocess.run(capped_h264_command(main, tmp, *fit_within(self.width, self.height, WEB_LONG_SIDE), kbps),
                              capture_output=True, text=True)  # fmt: skip
        if done.returncode != 0:
            tmp.unlink(missing_ok=True)
            raise RenderFailed(f"web variant encoder failed: {done.stderr.strip().splitlines()[-1:]}")
        tmp.replace(web)
