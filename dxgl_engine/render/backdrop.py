"""Backdrops: what a rendered frame is composited over, and how an image covers the frame.

The compositing itself runs on the GPU in the renderer's last pass (shaders/compose.frag), from
the one rendered supersampled frame, so several backdrops of the same frame cost one reduction
each, not one render each.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from ..errors import InvalidSettings

MAX_OVERLAY_PIXELS = 8192 * 8192


@dataclass(frozen=True)
class Backdrop:
    """Background colour (sRGB 0-255) or image, foreground overlay and vignette of a frame.
    `Backdrop()` with nothing set keeps the frame transparent (straight alpha)."""

    color: tuple[int, int, int] | None = None
    image: np.ndarray | None = field(default=None, compare=False)  # (H, W, 3|4) uint8, rows top first
    foreground: np.ndarray | None = field(default=None, compare=False)
    anchor: str = "top-left"
    vignette: float = 0.0

    @property
    def transparent(self) -> bool:
        return self.color is None and self.image is None

    @property
    def linear_color(self) -> tuple[float, float, float] | None:
        """The plain colour behind the model in linear light (0-1; the sRGB transfer function,
        IEC 61966-2-1), what see-through surfaces show; None when there is an image or nothing."""
        if self.color is None or self.image is not None:
            return None
        c = np.asarray(self.color, np.float64) / 255.0
        return tuple(np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4).tolist())

    @classmethod
    def from_settings(cls, settings, background_image=None, foreground_image=None) -> "Backdrop":
        return cls(
            color=settings.bg_rgb,
            image=load_overlay(background_image) if background_image is not None else None,
            foreground=load_overlay(foreground_image) if foreground_image is not None else None,
            anchor=settings.bg_align,
            vignette=settings.vignette,
        )


def load_overlay(source) -> np.ndarray:
    """An overlay image (path or array) as RGBA8, refusing what is not a readable image."""
    if isinstance(source, np.ndarray):
        return np.ascontiguousarray(source if source.shape[-1] == 4 else _add_alpha(source), dtype=np.uint8)
    path = Path(source)
    try:
        with Image.open(path) as img:
            if img.width * img.height > MAX_OVERLAY_PIXELS:
                raise InvalidSettings(f"overlay image {path.name} is {img.width}x{img.height}: too large")
            return np.asarray(img.convert("RGBA"))
    except InvalidSettings:
        raise
    except FileNotFoundError:
        raise InvalidSettings(f"overlay image not found: {path}") from None
    except Exception as exc:
        raise InvalidSettings(f"cannot read overlay image {path.name}: {exc}") from None


def _add_alpha(rgb: np.ndarray) -> np.ndarray:
    return np.concatenate([rgb, np.full(rgb.shape[:2] + (1,), 255, rgb.dtype)], -1)


def cover_rect(image_w: int, image_h: int, frame_w: int, frame_h: int, anchor: str) -> tuple[float, float, float, float]:
    """(scale_u, scale_v, offset_u, offset_v) mapping frame uv (0..1, top-left origin) to image uv
    so the image covers the frame and is cropped at `anchor` (e.g. "top-left" keeps that corner)."""
    scale = max(frame_w / image_w, frame_h / image_h)
    shown_w, shown_h = frame_w / (image_w * scale), frame_h / (image_h * scale)  # fraction of the image shown
    vertical, _, horizontal = anchor.partition("-")
    if anchor == "center":
        vertical = horizontal = "center"
    fx = {"left": 0.0, "center": 0.5, "right": 1.0}[horizontal]
    fy = {"top": 0.0, "center": 0.5, "bottom": 1.0}[vertical]
    return shown_w, shown_h, (1.0 - shown_w) * fx, (1.0 - shown_h) * fy
