"""The model itself, in two passes: opaque and alpha-masked items first (any order is right, the
depth test decides; large ones are drawn near-to-far, see draw_order), then BLEND and see-through
items back to front over them, without writing depth.
"""
from __future__ import annotations

from .base import FrameContext, PassSetup, RenderPass, Target


class OpaquePass(RenderPass):
    """Opaque and alpha-masked items, lit with the product look."""

    def draw(self, frame: FrameContext, target: Target) -> None:
        self.setup.meshes.draw(target.view_proj, frame.view.eye, frame.view.model, items="opaque")


class BlendedPass(RenderPass):
    """BLEND and see-through (KHR_materials_transmission) items, sorted back to front every frame."""

    @classmethod
    def create(cls, setup: PassSetup) -> "BlendedPass | None":
        return cls(setup) if any(item.blend for item in setup.meshes.gpu.items) else None

    def draw(self, frame: FrameContext, target: Target) -> None:
        self.setup.meshes.draw(target.view_proj, frame.view.eye, frame.view.model, items="blended")
