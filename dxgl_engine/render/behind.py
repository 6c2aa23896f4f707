"""What is behind see-through surfaces: a mipmapped copy of the frame drawn so far, which the model
pass's transmissive materials sample along their refracted rays (KHR_materials_transmission), a
rough surface at a blurrier level.
"""
from __future__ import annotations

import math

import numpy as np
from vispy import gloo

from . import gl_context

GL_LINEAR_MIPMAP_LINEAR = 0x2703


class BehindCopy:
    """The copy, remade at the size of the bound framebuffer's viewport (the supersampled tile)."""

    def __init__(self):
        self.texture: gloo.Texture2D | None = None

    def capture(self, backdrop: tuple[float, float, float] | None) -> dict:
        """Copy the bound framebuffer's viewport into the texture, build its mip chain, and return
        the uniforms the shader's TRANSMISSION_BEHIND path reads. `backdrop` is the linear colour
        the frame will be composited over when it is one known colour, else None."""
        from vispy.gloo import gl

        gl_context.flush(*(o for o in (self.texture,) if o is not None))
        _, _, width, height = (int(v) for v in gl.glGetParameter(gl.GL_VIEWPORT))
        if self.texture is None or self.texture.shape[:2] != (height, width):
            self.texture = gloo.Texture2D(shape=(height, width, 4), format="rgba", internalformat="rgba16f",
                                          interpolation="linear")  # fmt: skip
        handle = gl_context.gl_handle(self.texture)
        gl.glBindTexture(gl.GL_TEXTURE_2D, handle)
        gl.glCopyTexSubImage2D(gl.GL_TEXTURE_2D, 0, 0, 0, 0, 0, width, height)
        gl.glGenerateMipmap(gl.GL_TEXTURE_2D)
        # Trilinear: a roughness between two levels blurs smoothly as the turntable turns.
        gl.glTexParameteri(gl.GL_TEXTURE_2D, gl.GL_TEXTURE_MIN_FILTER, GL_LINEAR_MIPMAP_LINEAR)
        gl.glBindTexture(gl.GL_TEXTURE_2D, 0)
        known = backdrop is not None
        return {
            "u_behind": self.texture,
            "u_behind_levels": math.log2(max(width, height)),
            "u_backdrop": np.array([*(backdrop if known else (0.0, 0.0, 0.0)), float(known)], np.float32),
        }
