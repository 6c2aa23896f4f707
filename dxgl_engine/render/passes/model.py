"""The model itself, in two passes: opaque and alpha-masked items first (any order is right, the
depth test decides; large ones are drawn near-to-far, see draw_order), then BLEND and see-through
items back to front over them, without writing depth.
"""
from __future__ import annotations

from ...scene.transforms import transform_points
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
    """BLEND and see-through (KHR_materials_transmission) items, sorted back to front every frame."""

    @classmethod
    def create(cls, setup: PassSetup) -> "BlendedPass | None":
        return cls(setup) if any(item.blend for item in setup.meshes.gpu.items) else None

    def draw(self, frame: FrameContext, target: Target) -> None:
        self.setup.meshes.draw(target.view_proj, frame.view.eye, frame.view.model, items="blended")

    def bounds(self, frame: FrameContext) -> DrawnBounds | None:
        return model_bounds(self.setup, frame)
