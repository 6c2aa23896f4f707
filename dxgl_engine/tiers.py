"""The tier tables of the API reference: video tiers (resolution, codec, alpha, credits), dataset
tiers (views, resolution, credits) and aspects, with the frame rate and length limits. Prices
and sizes live here and nowhere else.
"""
from __future__ import annotations

from dataclasses import dataclass

FPS = 30
MAX_LENGTH = 30.0
ADMIN_MAX_LENGTH = 600.0


@dataclass(frozen=True)
class Tier:
    """A video quality tier: the short side in pixels, the codec and the price."""

    name: str
    label: str
    short_side: int
    codec: str  # "h264" | "prores"
    alpha: bool
    credits: int
    extension: str


@dataclass(frozen=True)
class DatasetTier:
    name: str
    views: int
    size: int
    credits: int


TIERS: dict[str, Tier] = {
    t.name: t
    for t in (
        Tier("share", "Standard", 540, "h264", False, 1, ".mp4"),
        Tier("standard", "HD", 1080, "h264", False, 4, ".mp4"),
        Tier("4k", "4K", 2160, "h264", False, 16, ".mp4"),
        Tier("pro", "ProRes 4444", 2160, "prores", True, 64, ".mov"),
    )
}


DATASET_TIERS: dict[str, DatasetTier] = {
    t.name: t
    for t in (
        DatasetTier("100x800", 100, 800, 4),
        DatasetTier("196x1024", 196, 1024, 16),
        DatasetTier("400x2048", 400, 2048, 64),
    )
}


# Codec -> the name people know it by (help texts, labels).
CODECS = {"h264": "H.264", "prores": "ProRes 4444"}

# Aspect name -> (width units, height units); the tier's number is the short side.
ASPECTS: dict[str, tuple[int, int]] = {"16:9": (16, 9), "1:1": (1, 1), "9:16": (9, 16)}


def output_size(short_side: int, aspect: str) -> tuple[int, int]:
    """Pixel size for a tier's short side and an aspect name, rounded to even numbers for yuv420p."""
    w, h = ASPECTS[aspect]
    if w >= h:
        return _even(short_side * w / h), short_side
    return short_side, _even(short_side * h / w)


def _even(x: float) -> int:
    return int(round(x / 2.0)) * 2
