"""Files a render uses beyond its settings. Settings stay plain JSON that the API can accept from
anyone; paths are resolved by the front-end that owns them (the CLI from its arguments, the API
from overlay ids it has checked, the desktop app from its file choosers)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RenderFiles:
    """Paths of the files one render reads besides its model: None where the render uses none."""

    background_image: str | None = None  # drawn behind the model, scaled to cover, cropped at bgAlign
    foreground_image: str | None = None  # drawn over everything, scaled to cover, cropped at bgAlign
    environment: str | None = None  # a .hdr file that replaces settings.environment
