"""Video encoding: frames stream through a pipe into one ffmpeg process (the binary imageio-ffmpeg
ships), which writes every output of that source in parallel: the main video and its smaller
variants come from one `split` filter graph, so nothing is held in memory and frames are sent once.
"""
from __future__ import annotations

import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import RenderFailed

# Tag and convert with BT.709 so browsers and editors show the colours we rendered.
_BT709 = ["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709"]
# The source RGBA -> each codec's pixel format, converted once per process at source size. Smaller
# variants are scaled from the converted frames: a linear colour matrix commutes with the area
# average, and a yuv420p frame is 1.5 bytes per pixel to scale instead of 4 (11-15% less CPU
# for a main video with its thumbnail).
PIXEL_FORMATS = {
    "h264": "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p",
    "prores": "scale=out_color_matrix=bt709,format=yuva444p10le",
}


@dataclass(frozen=True)
class VideoOutput:
    """One encoded file of a source stream."""

    path: Path
    width: int
    height: int
    codec: str = "h264"  # h264 | prores
    crf: int = 18
    # x264 'veryfast' against 'faster' at CRF 18, 960x540 turntables: 35% less encoder CPU, file
    # sizes within 10% (smaller), PSNR-Y 44.2 against 45.0 dB. On two cores the encoders share
    # the CPU with the rasterizer, and a batch runs one per background.
    preset: str = "veryfast"

    def codec_args(self) -> list[str]:
        if self.codec == "h264":
            return [
                "-c:v", "libx264", "-preset", self.preset, "-crf", str(self.crf),
                "-profile:v", "high", "-movflags", "+faststart", *_BT709,
            ]  # fmt: skip
        # A fixed quantiser of 1: prores_ks's rate control searches every quantiser per slice and,
        # for profile 4444, settled on 1 for our frames anyway (4K turntable: 14,284,579 against
        # 14,284,792 bytes for 30 frames, PSNR between the two 126 dB; 4K noise: the same size).
        # Skipping the search takes 4.4 s of CPU instead of 21.4 s for those 30 frames.
        return ["-c:v", "prores_ks", "-profile:v", "4444", "-vendor", "apl0", "-alpha_bits", "16", "-q:v", "1",
                *_BT709]  # fmt: skip


def _widen_pipe(fd: int, frame_bytes: int) -> None:
    """Let a whole frame (up to the system's limit) sit in the pipe: with Linux's default 64 KiB
    the renderer waits on ffmpeg's reads for every frame instead of drawing the next one."""
    try:
        import fcntl

        limit = int(Path("/proc/sys/fs/pipe-max-size").read_text())
        fcntl.fcntl(fd, 1031, min(frame_bytes, limit))  # F_SETPIPE_SZ
    except (ImportError, OSError, ValueError):
        pass  # not Linux, or refused: the default pipe still works


def filter_graph(width: int, height: int, outputs: list[VideoOutput], labels: list[str]) -> str:
    """[0:v] split per codec, converted to that codec's pixel format, split per output and scaled
    to each output's size; output i ends at labels[i]."""
    codecs = list(dict.fromkeys(o.codec for o in outputs))
    unknown = [c for c in codecs if c not in PIXEL_FORMATS]
    if unknown:
        raise ValueError(f"unknown codec {unknown[0]}")
    chains = ["[0:v]split=" + str(len(codecs)) + "".join(f"[c{k}]" for k in range(len(codecs)))]
    for k, codec in enumerate(codecs):
        members = [i for i, o in enumerate(outputs) if o.codec == codec]
        chains.append(f"[c{k}]{PIXEL_FORMATS[codec]},split={len(members)}" + "".join(f"[p{i}]" for i in members))
        for i in members:
            o = outputs[i]
            size = "null" if (o.width, o.height) == (width, height) else f"scale={o.width}:{o.height}:flags=area"
            chains.append(f"[p{i}]{size}{labels[i]}")
    return ";".join(chains)


class FrameEncoder:
    """Feeds RGBA frames of one size to ffmpeg, which encodes every `VideoOutput` at once.

    `write` blocks only when ffmpeg falls behind (the time is counted in `wait_seconds`), so
    rendering and encoding overlap. `close` raises RenderFailed with ffmpeg's own message on error;
    `abort` kills the process. Removing files is the caller's business (see `outputs.OutputSet`)."""

    def __init__(self, width: int, height: int, outputs: list[VideoOutput], fps: int = 30):
        from imageio_ffmpeg import get_ffmpeg_exe

        if not outputs:
            raise ValueError("no outputs")
        self.width, self.height, self.outputs = width, height, outputs
        self.frames = 0
        self.wait_seconds = 0.0
        self._stderr = tempfile.TemporaryFile()
        cmd = [
            get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgba", "-s", f"{width}x{height}", "-r", str(fps), "-i", "-",
        ]  # fmt: skip
        labels = [f"[v{i}]" for i in range(len(outputs))]
        cmd += ["-filter_complex", filter_graph(width, height, outputs, labels)]
        for label, out in zip(labels, outputs):
            fmt = "mov" if out.codec == "prores" else "mp4"
            cmd += ["-map", label, *out.codec_args(), "-an", "-f", fmt, str(out.path)]
        self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._stderr)
        _widen_pipe(self._proc.stdin.fileno(), width * height * 4)

    def write(self, frame: np.ndarray) -> None:
        if frame.shape != (self.height, self.width, 4) or frame.dtype != np.uint8:
            raise ValueError(f"expected ({self.height}, {self.width}, 4) uint8 frame, got {frame.shape} {frame.dtype}")
        t0 = time.perf_counter()
        try:
            self._proc.stdin.write(np.ascontiguousarray(frame).data)
        except (BrokenPipeError, OSError):
            self._proc.wait()
            raise RenderFailed(f"video encoder stopped: {self._error_text()}") from None
        self.wait_seconds += time.perf_counter() - t0
        self.frames += 1

    def close(self) -> None:
        t0 = time.perf_counter()
        try:
            self._proc.stdin.close()
        except OSError:
            pass
        code = self._proc.wait()
        self.wait_seconds += time.perf_counter() - t0
        if code != 0:
            raise RenderFailed(f"video encoder failed (exit {code}): {self._error_text()}")
        self._stderr.close()

    def abort(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        try:
            self._proc.stdin.close()
        except OSError:
            pass
        self._proc.wait()
        self._stderr.close()

    def _error_text(self) -> str:
        self._stderr.seek(0)
        text = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
        return text[-1] if text else "no message"

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *_):
        if exc_type is None:
            self.close()
        else:
            self.abort()


def probe(path: str | os.PathLike) -> dict:
    """Codec, pixel format, size, frame count and duration of a video, read by ffmpeg itself
    (decoding every frame, so the count is what a player sees, not a header's claim)."""
    from imageio_ffmpeg import count_frames_and_secs, get_ffmpeg_exe

    info = subprocess.run(
        [get_ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True
    ).stderr
    stream = next((ln for ln in info.splitlines() if "Video:" in ln), "")
    nframes, secs = count_frames_and_secs(str(path))
    return {"stream": stream.strip(), "frames": nframes, "seconds": secs, **_parse_stream(stream)}


def _parse_stream(line: str) -> dict:
    import re

    codec = re.search(r"Video: (\w+)", line)
    size = re.search(r", (\d{2,5})x(\d{2,5})", line)
    pix = re.search(r"Video: [^,]+, (\w+)", line)
    return {
        "codec": codec.group(1) if codec else None,
        "pix_fmt": pix.group(1) if pix else None,
        "width": int(size.group(1)) if size else None,
        "height": int(size.group(2)) if size else None,
    }


def moov_before_mdat(path: str | os.PathLike) -> bool:
    """Whether an MP4's index (moov) precedes its media data, so browsers can start playing at once."""
    with open(path, "rb") as f:
        pos, size = 0, os.fstat(f.fileno()).st_size
        while pos + 8 <= size:
            f.seek(pos)
            header = f.read(16)
            box_size, kind = int.from_bytes(header[:4], "big"), header[4:8]
            if box_size == 1:
                box_size = int.from_bytes(header[8:16], "big")
            if kind == b"moov":
                return True
            if kind == b"mdat":
                return False
            if box_size < 8:
                return False
            pos += box_size
    return False
