"""Frames into ffmpeg: one process per source size, fed raw RGBA through a pipe, writing every output
of that source at once (`ffmpeg.encoder_command`). Nothing is held in memory; rendering and
encoding overlap.
"""
from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from ..errors import RenderFailed
from .ffmpeg import VideoOutput, encoder_command


def _widen_pipe(fd: int, frame_bytes: int) -> None:
    """Let a whole frame (up to the system's limit) sit in the pipe: with Linux's default 64 KiB
    the renderer waits on ffmpeg's reads for every frame instead of drawing the next one."""
    try:
        import fcntl

        limit = int(Path("/proc/sys/fs/pipe-max-size").read_text())
        fcntl.fcntl(fd, 1031, min(frame_bytes, limit))  # F_SETPIPE_SZ
    except (ImportError, OSError, ValueError):
        pass  # not Linux, or refused: the default pipe still works


class FrameEncoder:
    """Feeds RGBA frames of one size to ffmpeg, which encodes every `VideoOutput` at once.

    `write` blocks only when ffmpeg falls behind (the time is counted in `wait_seconds`), so
    rendering and encoding overlap. `close` raises RenderFailed with ffmpeg's own message on error;
    `abort` kills the process. Removing files is the caller's business (see `outputs.OutputSet`)."""

    def __init__(self, width: int, height: int, outputs: list[VideoOutput], fps: int = 30):
        if not outputs:
            raise ValueError("no outputs")
        self.width, self.height, self.outputs = width, height, outputs
        self.frames = 0
        self.wait_seconds = 0.0
        self._stderr = tempfile.TemporaryFile()
        cmd = encoder_command(width, height, fps, outputs)
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
