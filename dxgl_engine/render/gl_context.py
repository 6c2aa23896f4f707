"""Headless OpenGL through EGL, and the few raw GL calls vispy.gloo does not expose.

`EGL_PLATFORM=surfaceless` + vispy's `egl` backend gives GL 4.5 on Mesa llvmpipe with no
display (CPU machines, CI) and on NVIDIA's EGL where a GPU exists. The Renderer itself does
not care which context is current: the desktop app hands it a Qt canvas instead.
"""
from __future__ import annotations

import logging
import os

import numpy as np

from ..errors import RenderFailed

log = logging.getLogger(__name__)

_offscreen = None


def offscreen_context():
    """The process's hidden EGL canvas, created on first use and made current.

    One per process: EGL contexts are cheap to keep and costly to recreate, and a worker
    renders many jobs in a row."""
    global _offscreen
    if _offscreen is None:
        os.environ.setdefault("EGL_PLATFORM", "surfaceless")
        try:
            from vispy import app

            # An explicit backend. Mesa will not host this context and Qt's OpenGL in one process
            # (either order fails), so the desktop app exports in a separate process.
            _offscreen = app.Canvas(app="egl", size=(16, 16), show=False, title="dxgl offscreen")
        except Exception as exc:  # no libEGL, no driver, wrong platform
            raise RenderFailed(
                f"cannot create a headless OpenGL context through EGL ({exc}); install libegl1 and "
                "libgl1-mesa-dri (make install does this as root)"
            ) from exc
        info = gl_info()
        log.info("OpenGL %s on %s", info["version"], info["renderer"])
    _offscreen.set_current()
    return _offscreen


def gl_info() -> dict:
    from vispy.gloo import gl

    return {
        "version": gl.glGetParameter(gl.GL_VERSION),
        "renderer": gl.glGetParameter(gl.GL_RENDERER),
        "max_texture_size": int(gl.glGetParameter(gl.GL_MAX_TEXTURE_SIZE)),
        "max_renderbuffer_size": int(gl.glGetParameter(gl.GL_MAX_RENDERBUFFER_SIZE)),
    }


def flush(*gloo_objects):
    """Execute queued GLIR commands so raw GL calls see the objects gloo created. A gloo object
    keeps its own command queue until something draws with it: pass it to merge that queue first."""
    from vispy import gloo

    context = gloo.get_current_canvas().context
    for ob in gloo_objects:
        context.glir.associate(ob.glir)
    context.flush_commands()


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


def set_filters(texture, min_filter: int, mag_filter: int) -> None:
    from vispy.gloo import gl

    flush(texture)
    gl.glBindTexture(gl.GL_TEXTURE_2D, gl_handle(texture))
    gl.glTexParameteri(gl.GL_TEXTURE_2D, gl.GL_TEXTURE_MIN_FILTER, min_filter)
    gl.glTexParameteri(gl.GL_TEXTURE_2D, gl.GL_TEXTURE_MAG_FILTER, mag_filter)
    gl.glBindTexture(gl.GL_TEXTURE_2D, 0)


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
