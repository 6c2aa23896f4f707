"""Camera depth for dataset views: the model drawn with the depth shader into a float target at
the output size, without supersampling (a depth must not average two surfaces)."""
from __future__ import annotations

import numpy as np
from vispy import gloo

from ..motion.camera import View
from . import gl_context
from .meshes import Meshes


class DepthTarget:
    """A float colour target (and a 24-bit depth buffer) of `width` x `height` pixels."""

    def __init__(self, width: int, height: int):
        self.size = (width, height)
        tex = gloo.Texture2D(shape=(height, width, 4), format="rgba", internalformat="rgba32f")
        depth = gloo.RenderBuffer((height, width), format=gl_context.GL_DEPTH_COMPONENT24)
        self.fbo = gloo.FrameBuffer(color=tex, depth=depth)

    def render(self, meshes: Meshes, view: View) -> np.ndarray:
        """(H, W) float32: distance from the camera plane along its forward axis (view-space -z),
        model units; 0 where nothing is. Rows top first."""
        w, h = self.size
        forward = view.view[2, :3] * -1.0  # the camera looks down its -Z: row 2 of the view matrix is +Z
        with self.fbo:
            gloo.set_viewport(0, 0, w, h)
            gloo.set_clear_color((0.0, 0.0, 0.0, 0.0))
            gloo.clear(color=True, depth=True)
            meshes.draw(view.proj @ view.view, view.eye, view.model, mode="depth",
                        extra={"u_forward": forward.astype(np.float32)})  # fmt: skip
        return gl_context.read_float(self.fbo, w, h)[::-1, :, 0]
