"""The process's headless OpenGL context (`render.egl`), and the few raw GL calls vispy.gloo does
not expose.

The Renderer itself does not care which context is current: the worker and the CLI use the headless
EGL one made here, the desktop app hands it a Qt canvas instead.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import numpy as np

from ..errors import RenderFailed

log = logging.getLogger(__name__)


@dataclass
class Offscreen:
    """The headless context (its platform and device in `egl`) and the gloo canvas that queues
    commands for it (vispy's FakeCanvas: gloo without vispy.app)."""

    egl: object  # render.egl.EglContext
    canvas: object  # vispy.gloo.context.FakeCanvas

    def set_current(self) -> None:
        from vispy.gloo import context

        self.egl.make_current()
        context.set_current_canvas(self.canvas)


_offscreen: Offscreen | None = None


def offscreen_context() -> Offscreen:
    """The process's headless EGL context, created on first use and made current.

    One per process: EGL contexts are cheap to keep and costly to recreate, and a worker renders
    many jobs in a row. Raises RenderFailed (render.egl.EglError) with what to install when no
    context can be made."""
    global _offscreen
    if _offscreen is None:
        os.environ.setdefault("EGL_PLATFORM", "surfaceless")  # for any library that opens EGL by default
        from vispy.gloo import context

        from . import egl

        # Mesa will not host this context and Qt's OpenGL in one process (either order fails), so the
        # desktop app exports in a separate process.
        made = egl.create_context()
        _offscreen = Offscreen(made, context.FakeCanvas())
        info = gl_info()
        device = f", device {made.device.index} ({made.device.name})" if made.device else ""
        log.info("OpenGL %s on %s through EGL %s%s", info["version"], info["renderer"], made.platform, device)
    _offscreen.set_current()
    return _offscreen


GL_SHADING_LANGUAGE_VERSION, GL_MAX_DRAW_BUFFERS, GL_MAX_3D_TEXTURE_SIZE = 0x8B8C, 0x8824, 0x8073


def gl_info() -> dict:
    """The current context's vendor, renderer, versions and the limits the renderer depends on
    (texture and renderbuffer sizes in pixels: they decide the tiles; draw buffers: the backdrops a
    compose pass writes at once)."""
    from vispy.gloo import gl

    def number(name: int) -> int:
        return int(gl.glGetParameter(name))

    return {
        "vendor": gl.glGetParameter(gl.GL_VENDOR),
        "renderer": gl.glGetParameter(gl.GL_RENDERER),
        "version": gl.glGetParameter(gl.GL_VERSION),
        "glsl": gl.glGetParameter(GL_SHADING_LANGUAGE_VERSION),
        "max_texture_size": number(gl.GL_MAX_TEXTURE_SIZE),
        "max_renderbuffer_size": number(gl.GL_MAX_RENDERBUFFER_SIZE),
        "max_3d_texture_size": number(GL_MAX_3D_TEXTURE_SIZE),
        "max_draw_buffers": number(GL_MAX_DRAW_BUFFERS),
    }


def flush(*gloo_objects):
    """Execute queued GLIR commands so raw GL calls see the objects gloo created. A gloo object
    keeps its own command queue until something draws with it: pass it to merge that queue first."""
    from vispy import gloo

    context = gloo.get_current_canvas().context
    for ob in gloo_objects:
        context.glir.associate(ob.glir)
    context.flush_commands()


def clear_region(texture, x: int, y: int, width: int, height: int) -> None:
    """Zero a rectangle of level 0 of a colour texture (texels, GL's bottom-left origin) with
    glClearTexSubImage (GL 4.4, ARB_clear_texture): llvmpipe fills just those rows."""
    import ctypes

    from vispy.gloo import gl

    if width <= 0 or height <= 0:
        return
    flush(texture)
    clear = _gl_func("glClearTexSubImage", ctypes.c_uint, *(ctypes.c_int,) * 7, ctypes.c_uint, ctypes.c_uint,
                     ctypes.c_void_p)  # fmt: skip
    clear(gl_handle(texture), 0, x, y, 0, width, height, 1, gl.GL_RGBA, gl.GL_FLOAT, None)


def finish() -> None:
    """Run every queued GLIR command and wait until the GL has executed them (glFinish): for
    profiling, where a step's time must include the rasterisation it caused."""
    from vispy.gloo import gl

    flush()
    gl.glFinish()


def gl_handle(gloo_object) -> int:
    """The GL name behind a gloo object, creating it on the GPU first if still queued."""
    from vispy import gloo

    parser = gloo.get_current_canvas().context.shared.parser
    ob = parser.get_object(gloo_object.id)
    if ob is None:
        flush(gloo_object)
        ob = parser.get_object(gloo_object.id)
    return ob.handle


def generate_mipmaps(texture) -> None:
    """gloo has no mipmap support: build the chain with glGenerateMipmap so minified product
    textures do not shimmer in a turntable. Bilinear within the nearest level: trilinear doubles
    llvmpipe's texel fetches, and the 2x supersampling already hides the steps between levels."""
    from vispy.gloo import gl

    flush(texture)
    gl.glBindTexture(gl.GL_TEXTURE_2D, gl_handle(texture))
    gl.glGenerateMipmap(gl.GL_TEXTURE_2D)
    gl.glTexParameteri(gl.GL_TEXTURE_2D, gl.GL_TEXTURE_MIN_FILTER, gl.GL_LINEAR_MIPMAP_NEAREST)
    gl.glBindTexture(gl.GL_TEXTURE_2D, 0)


GL_SRGB8_ALPHA8 = 0x8C43


def store_as_srgb(texture, pixels: np.ndarray) -> None:
    """Re-specify an RGBA8 gloo texture as GL_SRGB8_ALPHA8 holding `pixels` ((H, W, 4) uint8,
    sRGB-encoded colour): the sampler then decodes to linear before filtering, as glTF asks of
    colour textures (glTF 2.0, "Metallic-Roughness Material"), and the shader pays no pow per
    sample. gloo knows no sRGB formats, so the storage is set on its texture object directly.
    Measured on llvmpipe (DamagedHelmet, share frame at 2x SSAA, alternating runs): 78.5-79.6 ms
    against 79.3-81.4 ms with srgb_to_linear() in the shader; filtering decoded texels is what
    the specification asks for, the speed is a small bonus."""
    import ctypes

    from vispy.gloo import gl

    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    h, w = pixels.shape[:2]
    flush(texture)
    gl.glBindTexture(gl.GL_TEXTURE_2D, gl_handle(texture))
    gl.glPixelStorei(gl.GL_UNPACK_ALIGNMENT, 1)
    upload = _gl_func("glTexImage2D", ctypes.c_uint, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                      ctypes.c_int, ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p)  # fmt: skip
    upload(gl.GL_TEXTURE_2D, 0, GL_SRGB8_ALPHA8, w, h, 0, gl.GL_RGBA, gl.GL_UNSIGNED_BYTE,
           pixels.ctypes.data_as(ctypes.c_void_p))  # fmt: skip
    gl.glBindTexture(gl.GL_TEXTURE_2D, 0)


def set_filters(texture, min_filter: int, mag_filter: int) -> None:
    from vispy.gloo import gl

    flush(texture)
    gl.glBindTexture(gl.GL_TEXTURE_2D, gl_handle(texture))
    gl.glTexParameteri(gl.GL_TEXTURE_2D, gl.GL_TEXTURE_MIN_FILTER, min_filter)
    gl.glTexParameteri(gl.GL_TEXTURE_2D, gl.GL_TEXTURE_MAG_FILTER, mag_filter)
    gl.glBindTexture(gl.GL_TEXTURE_2D, 0)


def enable_instanced_draws() -> None:
    """Give vispy's GL namespace the two entry points its instanced draws call: a gloo
    `VertexBuffer(data, divisor=1)` makes `Program.draw` call glVertexAttribDivisor and
    glDrawElementsInstanced (GL 3.3), which its default backend, the ES 2.0 subset, does not
    load. Loaded here like the other raw calls; does nothing once they are there."""
    import ctypes

    from vispy.gloo import gl

    if not hasattr(gl, "glVertexAttribDivisor"):
        gl.glVertexAttribDivisor = _gl_func("glVertexAttribDivisor", ctypes.c_uint, ctypes.c_uint)
    if not hasattr(gl, "glDrawElementsInstanced"):
        gl.glDrawElementsInstanced = _gl_func("glDrawElementsInstanced", ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                              ctypes.c_void_p, ctypes.c_int)  # fmt: skip


_native: dict = {}


def _gl_func(name: str, *args):
    """A GL entry point called directly: gloo's ES 2 subset lacks some (MRT), and its
    glReadPixels copies."""
    if name not in _native:
        from vispy.gloo.gl import _gl2

        _native[name] = _gl2._get_gl_func(name, None, args)
    return _native[name]


GL_COLOR_ATTACHMENT0 = 0x8CE0
# 24-bit depth: gloo's "depth" format means 16 bits, too coarse for labels and decals on a product.
GL_DEPTH_COMPONENT24 = 0x81A6


def attach_colour_buffers(fbo, renderbuffers: list) -> None:
    """More colour attachments (1, 2, ...) on a gloo FrameBuffer, which knows only one, and
    every attachment drawn to: fragment output k lands in attachment k."""
    import ctypes

    from vispy.gloo import gl

    flush(fbo, *renderbuffers)
    gl.glBindFramebuffer(gl.GL_FRAMEBUFFER, gl_handle(fbo))
    for k, rb in enumerate(renderbuffers, start=1):
        gl.glFramebufferRenderbuffer(gl.GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0 + k, gl.GL_RENDERBUFFER, gl_handle(rb))
    n = len(renderbuffers) + 1
    targets = (ctypes.c_uint * n)(*(GL_COLOR_ATTACHMENT0 + k for k in range(n)))
    _gl_func("glDrawBuffers", ctypes.c_int, ctypes.c_void_p)(n, ctypes.cast(targets, ctypes.c_void_p))
    status = gl.glCheckFramebufferStatus(gl.GL_FRAMEBUFFER)
    gl.glBindFramebuffer(gl.GL_FRAMEBUFFER, 0)
    if status != gl.GL_FRAMEBUFFER_COMPLETE:
        raise RenderFailed(f"the driver refused a {n}-target framebuffer (status 0x{status:x})")


def _read_pixels(fbo, width: int, height: int, gl_type: int, out: np.ndarray, attachment: int = 0) -> np.ndarray:
    """glReadPixels straight into a numpy array (gloo's wrapper copies through two bytes buffers,
    which costs more than the read itself for a 4K frame)."""
    import ctypes

    from vispy.gloo import gl

    read = _gl_func("glReadPixels", *(ctypes.c_int,) * 4, *(ctypes.c_uint,) * 2, ctypes.c_void_p)
    select = _gl_func("glReadBuffer", ctypes.c_uint)
    flush(fbo)
    gl.glBindFramebuffer(gl.GL_FRAMEBUFFER, gl_handle(fbo))
    gl.glPixelStorei(gl.GL_PACK_ALIGNMENT, 1)
    if attachment:
        select(GL_COLOR_ATTACHMENT0 + attachment)
    read(0, 0, width, height, gl.GL_RGBA, gl_type, out.ctypes.data_as(ctypes.c_void_p))
    if attachment:
        select(GL_COLOR_ATTACHMENT0)
    gl.glBindFramebuffer(gl.GL_FRAMEBUFFER, 0)
    return out


def read_rgba(fbo, width: int, height: int, out: np.ndarray | None = None, attachment: int = 0) -> np.ndarray:
    """glReadPixels of an FBO's colour `attachment` into an (H, W, 4) uint8 array (rows in GL
    order), or into `out`."""
    from vispy.gloo import gl

    if out is None:
        out = np.empty((height, width, 4), np.uint8)
    assert out.shape == (height, width, 4) and out.dtype == np.uint8 and out.flags.c_contiguous
    return _read_pixels(fbo, width, height, gl.GL_UNSIGNED_BYTE, out, attachment)


def read_float(fbo, width: int, height: int) -> np.ndarray:
    """glReadPixels of a float colour target into an (H, W, 4) float32 array, rows in GL order."""
    from vispy.gloo import gl

    return _read_pixels(fbo, width, height, gl.GL_FLOAT, np.empty((height, width, 4), np.float32))
