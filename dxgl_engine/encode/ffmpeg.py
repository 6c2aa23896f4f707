"""Every ffmpeg command line of the engine (the binary imageio-ffmpeg ships): the encoder that turns
one stream of raw RGBA frames into every output of that source at once (the main video and its
smaller variants come from one `split` filter graph, so frames are sent once), the re-encode that
caps a web variant's size, and the probe that reads a written video back.
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import RenderFailed

# Tag and convert with BT.709 so browsers and editors show the colours we rendered. The encoder
# options alone left the H.264 stream's primaries and transfer "unspecified" (ffmpeg 9 takes them
# from the frames, which the raw RGBA input leaves untagged): the frames are tagged too.
_BT709 = ["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709"]
_TAG_BT709 = "setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709"
# The source RGBA -> each codec's pixel format, converted once per process at source size. Smaller
# variants are scaled from the converted frames: a linear colour matrix commutes with the area
# average, and a yuv420p frame is 1.5 bytes per pixel to scale instead of 4 (11-15% less CPU
# for a main video with its thumbnail).
PIXEL_FORMATS = {
    "h264": f"scale=out_color_matrix=bt709:out_range=tv,format=yuv420p,{_TAG_BT709}",
    "prores": f"scale=out_color_matrix=bt709,format=yuva444p10le,{_TAG_BT709}",
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


def ffmpeg_exe() -> str:
    """The ffmpeg binary imageio-ffmpeg ships (or IMAGEIO_FFMPEG_EXE)."""
    from imageio_ffmpeg import get_ffmpeg_exe

    return get_ffmpeg_exe()


# The encoders every tier needs: H.264 for share/standard/4k and the variants, ProRes 4444 for pro.
REQUIRED_ENCODERS = {"h264": "libx264", "prores": "prores_ks"}


def ffmpeg_report() -> dict:
    """The ffmpeg binary, its version line and, per codec dxgl writes, whether its encoder is built
    in (`ffmpeg -encoders`). Raises RenderFailed when no ffmpeg runs at all."""
    try:
        exe = ffmpeg_exe()
        version = subprocess.run([exe, "-hide_banner", "-version"], capture_output=True, text=True, timeout=60)
        listed = subprocess.run([exe, "-hide_banner", "-encoders"], capture_output=True, text=True, timeout=60)
    except (OSError, RuntimeError, subprocess.SubprocessError) as err:
        raise RenderFailed(f"ffmpeg does not run: {err}") from None
    names = {line.split()[1] for line in listed.stdout.splitlines() if len(line.split()) > 1}
    first = (version.stdout.strip().splitlines() or ["unknown"])[0].split(" Copyright")[0]
    return {"path": exe, "version": first, "encoders": {c: e in names for c, e in REQUIRED_ENCODERS.items()}}


def encoder_command(width: int, height: int, fps: int, outputs: list[VideoOutput]) -> list[str]:
    """ffmpeg reading raw RGBA frames of `width` x `height` at `fps` from stdin and writing every
    output (H.264 .mp4 or ProRes 4444 .mov) through one filter graph."""
    cmd = [
        ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-f", "rawvideo", "-pix_fmt", "rgba", "-s", f"{width}x{height}", "-r", str(fps), "-i", "-",
    ]  # fmt: skip
    labels = [f"[v{i}]" for i in range(len(outputs))]
    cmd += ["-filter_complex", filter_graph(width, height, outputs, labels)]
    for label, out in zip(labels, outputs):
        fmt = "mov" if out.codec == "prores" else "mp4"
        cmd += ["-map", label, *out.codec_args(), "-an", "-f", fmt, str(out.path)]
    return cmd


def capped_h264_command(source: Path, out: Path, width: int, height: int, kbps: int) -> list[str]:
    """ffmpeg re-encoding `source` to H.264 of `width` x `height` at a constant `kbps` (kilobits
    per second): a web variant that must weigh at most a share of the main file."""
    return [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-i", str(source),
            "-vf", f"scale={width}:{height}:flags=area,format=yuv420p,{_TAG_BT709}", "-c:v", "libx264", "-preset", "medium",
            "-b:v", f"{kbps}k", "-maxrate", f"{kbps}k", "-bufsize", f"{kbps}k", "-movflags", "+faststart",
            *_BT709, "-an", str(out)]  # fmt: skip


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


def probe(path: str | os.PathLike) -> dict:
    """Codec, pixel format, size, frame count and duration of a video, read by ffmpeg itself
    (decoding every frame, so the count is what a player sees, not a header's claim)."""
    from imageio_ffmpeg import count_frames_and_secs

    info = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr
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
