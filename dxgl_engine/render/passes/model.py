"""The model itself, in two passes: opaque and alpha-masked items first (any order is right, the
depth test decides; large ones are drawn near-to-far, see draw_order), then BLEND and see-through
items back to front over them, without writing depth.
"""
from __future__ import annotations

from ...scene.transforms import transform_points
from ..behind import BehindCopy
from .base import DrawnBounds, FrameContext, PassSetup, RenderPass, Target


def model_bounds(setup: PassSetup, frame: FrameContext) -> DrawnBounds | None:
    """The model's hull in this frame's placement (None when the hull is not known)."""
    if setup.hull is None:
        return None
    return DrawnBounds(transform_points(frame.view.model, setup.hull))


class OpaquePass(RenderPass):
    """Opaque and alpha-masked items, lit with the product look."""

    def draw(self, frame: FrameContext, target: Target) -> None:
        self.setup.meshes.draw(target.view_proj, frame.view.eye, frame.view.model, items="opaque")

    def bounds(self, frame: FrameContext) -> DrawnBounds | None:
        return model_bounds(self.setup, frame)


class BlendedPass(RenderPass):
    """BLEND and see-through (KHR_materials_transmission) items, sorted back to front every frame.
    Transmissive items first get a copy of the frame drawn so far to refract (see behind.py)."""

    @classmethod
    def create(cls, setup: PassSetup) -> "BlendedPass | None":
        return cls(setup) if any(item.blend for item in setup.meshes.gpu.items) else None

    def __init__(self, setup: PassSetup):
        super().__init__(setup)
        self.transmissive = any("TRANSMISSION" in item.features for item in setup.meshes.gpu.items)
        self.behind = BehindCopy() if self.transmissive else None

    def draw(self, frame: FrameContext, target: Target) -> None:
        behind = self.behind.capture(frame.backdrop) if self.behind is not None else None
        self.setup.meshes.draw(target.view_proj, frame.view.eye, frame.view.model, items="blended", behind=behind)

    def bounds(self, frame: FrameContext) -> DrawnBounds | None:
        # A refracted ray can read anywhere in the frame: all of it is drawn (region.py's colour
        # outside the region is stale).
        return None if self.transmissive else model_bounds(self.setup, frame)
