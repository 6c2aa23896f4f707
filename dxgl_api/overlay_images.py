"""Checking an overlay image before it is stored: PNG, JPEG or WebP, at most 10 MB, and a pixel
count read from the header before anything is decoded (a tiny file can claim a huge image)."""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from .errors import ApiError

FORMATS = {"PNG": ("image/png", ".png"), "JPEG": ("image/jpeg", ".jpg"), "WEBP": ("image/webp", ".webp")}
MAX_PIXELS = 8192 * 8192


@dataclass(frozen=True)
class ImageInfo:
    mime: str
    extension: str
    width: int
    height: int


def inspect_image(path: Path) -> ImageInfo:
    """Format and size of an overlay image, or invalid_format naming what is wrong."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                kind, (width, height) = img.format, img.size
                if kind not in FORMATS:
                    raise ApiError("invalid_format", f"overlay images must be PNG, JPEG or WebP, not {kind}")
                if width * height > MAX_PIXELS:
                    raise ApiError("invalid_format", f"{width}x{height} image exceeds the {MAX_PIXELS:,}-pixel limit")
                img.load()
    except ApiError:
        raise
    except Exception as err:  # Pillow raises many types for broken or unknown files
        raise ApiError("invalid_format", f"not a readable PNG, JPEG or WebP image ({err})") from None
    mime, extension = FORMATS[kind]
    return ImageInfo(mime, extension, width, height)
