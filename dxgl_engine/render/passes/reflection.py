"""The reflective floor: the model mirrored in the floor, fading with depth and slightly blurred.
"""
from __future__ import annotations

import numpy as np
from vispy import gloo

from .. import gl_context, glsl
from .base import DrawnBounds, FrameContext, PassSetup, RenderPass, Target
from .model import model_bounds


class ReflectionPass(RenderPass):
    """The model mirrored in the floor, fading with depth and slightly blurred, drawn first so the
    shadow and the model go over it. It is rendered once per frame at the output size (not
    supersampled: it is blurred anyway) and laid into each tile."""

    STRENGTH = 0.32  # at the floor line
    FADE = 0.35  # of the model's height

    @classmethod
    def create(cls, setup: PassSetup) -> "ReflectionPass | None":
        return cls(setup) if setup.floor.reflector else None

    def __init__(self, setup: PassSetup):
        super().__init__(setup)
        self.meshes, self.extent = setup.meshes, setup.extent
        self.size = (0, 0)
        self._layers: list = []
        self._blur = glsl.program("fullscreen.vert", "blur.frag")
        self._copy = glsl.program("fullscreen.vert", "copy.frag")
        for p in (self._blur, self._copy):
            p["a_position"] = np.array([[-1, -1], [3, -1], [-1, 3]], np.float32)
            p["u_flip_y"] = False
        self._copy["u_tile"] = np.array([0, 0, 1, 1], np.float32)

    @staticmethod
    def _target(w: int, h: int, depth: bool):
        tex = gloo.Texture2D(shape=(h, w, 4), format="rgba", internalformat="rgba16f", interpolation="linear",
                             wrapping="clamp_to_edge")  # fmt: skip
        buffer = gloo.RenderBuffer((h, w), format=gl_context.GL_DEPTH_COMPONENT24) if depth else None
        fbo = gloo.FrameBuffer(color=tex, depth=buffer)
        return tex, fbo

    def resize(self, width: int, height: int) -> None:
        if (width, height) != self.size:
            self.size = (width, height)
            self._layers = [self._target(width, height, depth=(k == 0)) for k in range(2)]

    def prepare(self, frame: FrameContext) -> None:
        """Draw the mirrored model at the output size into its own target and blur it."""
        view_proj, eye, model = frame.view_proj, frame.view.eye, frame.view.model
        w, h = self.size
        # The mirror goes into the projection, not the model: the vertices keep their real place,
        # normals and lights, and the eye moves to its mirror image below the floor. Each point is
        # then lit as the mirrored eye sees it, the light a floor mirror sends to the real eye
        # (mirroring the model instead lit its underside with the sky and the sun above it).
        mirror = np.diag([1.0, -1.0, 1.0, 1.0])
        (tex_a, fbo_a), (tex_b, fbo_b) = self._layers
        with fbo_a:
            gloo.set_viewport(0, 0, w, h)
            gloo.set_clear_color((0.0, 0.0, 0.0, 0.0))
            gloo.clear(color=True, depth=True)
            extra = {"u_mirror": np.array([self.STRENGTH, self.FADE * self.extent.height], np.float32)}
            self.meshes.draw(view_proj @ mirror, eye * mirror.diagonal()[:3], model, mode="mirror", extra=extra)
        gloo.set_state(depth_test=False, blend=False, cull_face=False)
        for source, target, step in ((tex_a, fbo_b, (1.0 / w, 0.0)), (tex_b, fbo_a, (0.0, 1.0 / h))):
            with target:
                gloo.set_viewport(0, 0, w, h)
                self._blur["u_source"] = source
                self._blur["u_step"] = step
                self._blur.draw("triangles")

    def bounds(self, frame: FrameContext) -> DrawnBounds | None:
        """The model's hull mirrored in the floor, widened by the blur (4 texels each way, at
        the output size)."""
        model = model_bounds(self.setup, frame)
        if model is None:
            return None
        return DrawnBounds(model.points * np.array([1.0, -1.0, 1.0]), margin=4)

    def draw(self, frame: FrameContext, target: Target) -> None:
        """Lay the blurred reflection into the bound target, the part of it the target shows."""
        gloo.set_state(depth_test=False, depth_mask=False, blend=True, cull_face=False)
        gloo.set_blend_func("one", "one_minus_src_alpha")
        self._copy["u_source"] = self._layers[0][0]
        self._copy["u_tile"] = target.rect
        self._copy.draw("triangles")
        gloo.set_state(depth_test=True, depth_mask=True, blend=False)
