"""The seam every pass of a frame implements.

A pass is built once per renderer from a `PassSetup` (its `create` may decline: the shadow pass
when shadows are off), learns the output size from `resize`, does its own off-target work once per
frame in `prepare` (a shadow bake, the reflection's mirrored render) and then draws into whatever
framebuffer the renderer has bound, once per tile, in `draw`. The renderer holds the scene passes in
order (`renderer.SCENE_PASSES`) and ends with the compose pass, which draws into the output
targets: adding a pass is one class and one entry in that list. A pass that says where it draws
(`bounds`) lets a frame be cleared, drawn and reduced in that region alone.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...motion.camera import View
from ...scene.posed import rest_points
from ..floor import Floor, FloorExtent
from ..meshes import Meshes
from ..tiles import Tile


@dataclass(frozen=True)
class PassSetup:
    """What passes are built from: the model on the GPU, the floor under it and, when known, the
    model's hull: (N, 3) scene-space points whose convex hull holds the model in every pose it
    will be drawn in."""

    meshes: Meshes
    floor: Floor
    extent: FloorExtent
    hull: np.ndarray | None = None


def model_points(setup: PassSetup) -> tuple[np.ndarray, float]:
    """(points, pad): scene-space points around the model in every pose drawn (the hull), or, when
    the renderer does not know it, the rest pose with a quarter more room around it (pad 1.25)
    for an animation that reaches past it."""
    if setup.hull is not None:
        return setup.hull, 1.0
    return rest_points(setup.meshes.scene), 1.25


@dataclass(frozen=True)
class DrawnBounds:
    """What a pass can draw in a frame: (N, 3) world points whose convex hull holds all of it,
    and how many output pixels past their projection a filter can spread it (a blur)."""

    points: np.ndarray
    margin: int = 0


@dataclass(frozen=True)
class FrameContext:
    """One frame as every pass sees it: the camera, its whole-frame world -> clip matrix and, when
    every output of the frame goes over one plain colour, that colour (linear RGB 0-1), which
    see-through surfaces show refracted; None for transparent outputs and images."""

    view: View
    view_proj: np.ndarray  # (4, 4) float64, projection @ view
    backdrop: tuple[float, float, float] | None = None


@dataclass(frozen=True)
class Target:
    """The bound framebuffer's part of the frame.

    `tile` is the rectangle of the output frame it shows (output pixels, top-left origin), `rect`
    the same in frame uv with GL's bottom-left origin (x, y, width, height), and `view_proj` the
    frame's matrix narrowed to the tile. Output targets (the compose pass) also carry the reduction
    `level` (0: output size, k: 2^k times smaller), one backdrop per colour attachment, and the
    supersampled colour texture to reduce with the share of it this tile covers, and the part of
    the tile drawn into it (output pixels, top-left origin, like `tile`): outside it nothing was
    drawn this frame, and `source` None means nothing at all."""

    tile: Tile
    rect: np.ndarray  # (4,) float32
    view_proj: np.ndarray  # (4, 4) float64
    level: int = 0
    backdrops: tuple = ()
    source: object = None  # gloo.Texture2D of the supersampled frame
    source_scale: np.ndarray | None = None  # (2,) float32: the tile's share of `source`
    drawn: Tile | None = None  # the part of the tile drawn into `source` (None: all of it)


class RenderPass:
    """One step of a frame. Subclasses override `draw`, and `create`, `resize` and `prepare` where
    they need them."""

    @classmethod
    def create(cls, setup: PassSetup) -> "RenderPass | None":
        """The pass for this renderer, or None when the settings leave it out."""
        return cls(setup)

    def __init__(self, setup: PassSetup):
        self.setup = setup

    def resize(self, width: int, height: int) -> None:
        """The output size changed (pixels); passes with targets of that size remake them."""

    def prepare(self, frame: FrameContext) -> None:
        """Once per frame, before any tile is drawn, with no framebuffer of the renderer's bound."""

    def draw(self, frame: FrameContext, target: Target) -> None:
        """Draw into the bound framebuffer, which shows `target`."""
        raise NotImplementedError

    def bounds(self, frame: FrameContext) -> DrawnBounds | None:
        """What `draw` can touch this frame (asked after `prepare`), so the renderer clears and
        reduces only that region; None, the default, for anywhere in the frame."""
        return None
