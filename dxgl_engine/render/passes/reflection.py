"""The reflective floor: the model mirrored in the floor, fading with depth and slightly blurred.
"""
from __future__ import annotations

import numpy as np
from vispy import gloo

from ..floor import FloorExtent
from ..meshes import Meshes, shader_source


class ReflectionPass:
    """The model mirrored in the floor, fading with depth and slightly blurred, drawn first so the
    shadow and the model go over it."""

    STRENGTH = 0.32  # at the floor line
    FADE = 0.35  # of the model's height

    def __init__(self, meshes: Meshes, extent: FloorExtent, width: int, height: int):
        self.meshes, self.extent = meshes, extent
        self.size = (width, height)
        self._layers = [self._target(width, height, depth=(k == 0)) for k in range(2)]
        self._blur = gloo.Program(shader_source("fullscreen.vert"), shader_source("blur.frag"))
        self._copy = gloo.Program(shader_source("fullscreen.vert"), shader_source("copy.frag"))
        for p in (self._blur, self._copy):
            p["a_position"] = np.array([[-1, -1], [3, -1], [-1, 3]], np.float32)
            p["u_flip_y"] = False
        self._copy["u_tile"] = np.array([0, 0, 1, 1], np.float32)

    @staticmethod
    def _target(w: int, h: int, depth: bool):
        tex = gloo.Texture2D(shape=(h, w, 4), format="rgba", internalformat="rgba16f", interpolation="linear",
                             wrapping="clamp_to_edge")  # fmt: skip
        fbo = gloo.FrameBuffer(color=tex, depth=gloo.RenderBuffer((h, w), format=0x81A6) if depth else None)
        return tex, fbo

    def render(self, view_proj: np.ndarray, eye: np.ndarray, model: np.ndarray) -> None:
        """Draw the mirrored model at reduced size and blur it (before the main pass binds its target)."""
        w, h = self.size
        mirror = np.diag([1.0, -1.0, 1.0, 1.0])
        (tex_a, fbo_a), (tex_b, fbo_b) = self._layers
        with fbo_a:
            gloo.set_viewport(0, 0, w, h)
            gloo.set_clear_color((0.0, 0.0, 0.0, 0.0))
            gloo.clear(color=True, depth=True)
            extra = {"u_mirror": np.array([self.STRENGTH, self.FADE * self.extent.height], np.float32)}
            self.meshes.draw(view_proj, eye, mirror @ model, mode="mirror", extra=extra)
        gloo.set_state(depth_test=False, blend=False, cull_face=False)
        for source, target, step in ((tex_a, fbo_b, (1.0 / w, 0.0)), (tex_b, fbo_a, (0.0, 1.0 / h))):
            with target:
                gloo.set_viewport(0, 0, w, h)
                self._blur["u_source"] = source
                self._blur["u_step"] = step
                self._blur.draw("triangles")

    def composite(self, tile_rect: np.ndarray) -> None:
        """Lay the blurred reflection into the currently bound (main) target, which shows the part
        `tile_rect` of the frame."""
        gloo.set_state(depth_test=False, depth_mask=False, blend=True, cull_face=False)
        gloo.set_blend_func("one", "one_minus_src_alpha")
        self._copy["u_source"] = self._layers[0][0]
        self._copy["u_tile"] = tile_rect
        self._copy.draw("triangles")
        gloo.set_state(depth_test=True, depth_mask=True, blend=False)
