"""The Renderer: draws a Scene for a View into a 2x supersampled FBO, reduces it on the GPU with
the backdrop composited in the same pass, and reads back one small RGBA frame.

A short orchestrator over passes: reflection (optional), floor shadow (optional), the model
(opaque, then transparent back to front), compose (reduce + backdrop), readback. It works on
whatever GL context is current: the EGL one from `gl_context.offscreen_context()` or a Qt canvas.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from vispy import gloo

from . import gl_context
from .animation import Player, Pose
from .camera import View
from .compositing import Backdrop, cover_rect
from .floor import FloorExtent, ReflectionPass, ShadowPass, Stage
from .look import Look
from .mesh_pass import MeshPass, shader_source
from .scene import Scene

SSAA = 2
GL_DEPTH_COMPONENT24 = 0x81A6
FULLSCREEN = np.array([[-1, -1], [3, -1], [-1, 3]], np.float32)


@dataclass
class FrameTimings:
    """Accumulated milliseconds per stage (filled only when the renderer profiles)."""

    draw: float = 0.0
    reduce_readback: float = 0.0
    frames: int = 0

    def per_frame(self) -> dict:
        n = max(self.frames, 1)
        return {"draw_ms": self.draw / n, "reduce_readback_ms": self.reduce_readback / n}


@dataclass
class _Targets:
    width: int
    height: int
    hi_color: gloo.Texture2D
    hi_fbo: gloo.FrameBuffer
    lo_fbo: gloo.FrameBuffer


class Renderer:
    """Renders one Scene at one output size; `render(view)` returns (H, W, 4) uint8, top row first.

    `pose` is the scene's pose to upload with (rest pose when None) and `moving` the nodes a clip
    drives (with their descendants): those are drawn per frame, the rest baked once. `stage` says
    what the floor shows; `extent` is its size (from the clip's framing; the rest pose otherwise)."""

    def __init__(self, scene: Scene, width: int, height: int, ssaa: int = SSAA, look: Look | None = None,
                 pose: Pose | None = None, moving: set[int] = frozenset(), stage: Stage | None = None,
                 extent: FloorExtent | None = None):
        self.scene = scene
        self.ssaa = ssaa
        self.stage = stage or Stage(shadows=False)
        self.profile = False
        self.timings = FrameTimings()
        pose = pose if pose is not None else Player(scene, None).pose(0.0)
        self.meshes = MeshPass(scene, look or Look(), pose, moving)
        self.extent = extent or FloorExtent.around(scene.rest_points())
        self.shadow = ShadowPass(self.meshes, self.stage, self.extent) if self.stage.shadows else None
        self.reflection: ReflectionPass | None = None
        self._compose = gloo.Program(shader_source("fullscreen.vert"), shader_source("compose.frag"))
        self._compose["a_position"] = FULLSCREEN
        self._blank = gloo.Texture2D(np.zeros((1, 1, 4), np.uint8))
        self._overlays: dict[int, tuple[np.ndarray, gloo.Texture2D]] = {}
        self._targets: _Targets | None = None
        self.resize(width, height)

    @property
    def gpu(self):
        return self.meshes.gpu

    # --- setup --------------------------------------------------------------------------------
    def resize(self, width: int, height: int, ssaa: int | None = None) -> None:
        """Output size (and optionally the supersampling factor: 1 for fast interactive frames)."""
        if ssaa is not None and ssaa != self.ssaa:
            self.ssaa, self._targets = ssaa, None
        if self._targets and (self._targets.width, self._targets.height) == (width, height):
            return
        hw, hh = width * self.ssaa, height * self.ssaa
        limit = gl_context.gl_info()["max_renderbuffer_size"]
        if max(hw, hh) > limit:
            raise ValueError(f"{hw}x{hh} exceeds the GL limit {limit}; render in tiles")
        hi_color = gloo.Texture2D(shape=(hh, hw, 4), format="rgba", internalformat="rgba16f", interpolation="linear")
        # 24-bit depth: gloo's "depth" means 16 bits, too coarse for labels and decals on a product.
        hi_fbo = gloo.FrameBuffer(color=hi_color, depth=gloo.RenderBuffer((hh, hw), format=GL_DEPTH_COMPONENT24))
        lo_fbo = gloo.FrameBuffer(color=gloo.RenderBuffer((height, width), format="color"))
        self._targets = _Targets(width, height, hi_color, hi_fbo, lo_fbo)
        if self.stage.reflector:
            self.reflection = ReflectionPass(self.meshes, self.extent, width, height)

    # --- frame --------------------------------------------------------------------------------
    def render(self, view: View, background: Backdrop | tuple[int, int, int] | None = None,
               pose: Pose | None = None) -> np.ndarray:
        """The frame for `view` (and `pose`, for animated scenes): straight alpha over transparency,
        or opaque over a backdrop (a colour tuple, or a Backdrop with image/overlay/vignette)."""
        self.draw(view, pose)
        return self.compose(background)

    def draw(self, view: View, pose: Pose | None = None) -> None:
        """Render the scene into the supersampled target (compose() then reads it out, once per backdrop)."""
        tg = self._targets
        t0 = time.perf_counter()
        if pose is not None:
            self.meshes.set_pose(pose)
        view_proj = view.proj @ view.view
        if self.shadow is not None:
            self.shadow.update(view.model)
        if self.reflection is not None:
            self.reflection.render(view_proj, view.eye, view.model)
        with tg.hi_fbo:
            gloo.set_viewport(0, 0, tg.width * self.ssaa, tg.height * self.ssaa)
            gloo.set_clear_color((0.0, 0.0, 0.0, 0.0))
            gloo.clear(color=True, depth=True)
            if self.reflection is not None:
                self.reflection.composite()
            if self.shadow is not None:
                self.shadow.draw(view_proj)
            self.meshes.draw(view_proj, view.eye, view.model)
        if self.profile:
            gl_context.flush()
            gloo.gl.glFinish()
            self.timings.draw += (time.perf_counter() - t0) * 1e3

    def compose(self, background: Backdrop | tuple[int, int, int] | None = None) -> np.ndarray:
        """Reduce the last drawn frame and composite it over `background`; read it back."""
        t0 = time.perf_counter()
        backdrop = background if isinstance(background, Backdrop) else Backdrop(color=background)
        tg = self._targets
        with tg.lo_fbo:
            gloo.set_viewport(0, 0, tg.width, tg.height)
            gloo.set_state(depth_test=False, blend=False, cull_face=False)
            self._set_backdrop(backdrop, tg.width, tg.height)
            self._compose["u_source"] = tg.hi_color
            self._compose["u_flip_y"] = True  # rows come back top row first: no copy to flip them
            self._compose.draw("triangles")
        frame = gl_context.read_rgba(tg.lo_fbo, tg.width, tg.height)
        if self.profile:
            self.timings.reduce_readback += (time.perf_counter() - t0) * 1e3
            self.timings.frames += 1
        return frame

    def _set_backdrop(self, b: Backdrop, width: int, height: int) -> None:
        p = self._compose
        p["u_bg_mode"] = 0 if b.transparent else (2 if b.image is not None else 1)
        p["u_bg"] = np.asarray(b.color if b.color is not None else (0, 0, 0), np.float32) / 255.0
        p["u_vignette"] = float(b.vignette)
        p["u_aspect"] = width / height
        for name, image in (("bg", b.image), ("fg", b.foreground)):
            tex = self._overlay(image) if image is not None else self._blank
            p[f"u_{name}_image"] = tex
            rect = cover_rect(image.shape[1], image.shape[0], width, height, b.anchor) if image is not None else (1, 1, 0, 0)
            p[f"u_{name}_rect"] = np.asarray(rect, np.float32)
        p["u_has_fg"] = b.foreground is not None

    def _overlay(self, image: np.ndarray) -> gloo.Texture2D:
        """One texture per overlay image (kept while the renderer lives: a job reuses it every frame)."""
        held = self._overlays.get(id(image))
        if held is None or held[0] is not image:
            tex = gloo.Texture2D(np.ascontiguousarray(image), interpolation="linear", wrapping="clamp_to_edge")
            held = self._overlays[id(image)] = (image, tex)
        return held[1]
