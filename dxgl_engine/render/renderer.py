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

from ..lighting.look import Look
from ..motion.camera import View
from ..scene.animation import Player, Pose
from ..scene.model import Scene
from ..scene.posed import rest_points
from . import gl_context
from .backdrop import Backdrop, cover_rect
from .floor import Floor, FloorExtent
from .meshes import Meshes, shader_source
from .passes.reflection import ReflectionPass
from .passes.shadow import ShadowPass
from .tiles import Tile, plan_tiles

SSAA = 2
GL_DEPTH_COMPONENT24 = 0x81A6
GL_TEXTURE_MAX_LEVEL = 0x813D  # not among vispy's GL ES constants
FULLSCREEN = np.array([[-1, -1], [3, -1], [-1, 3]], np.float32)
MAX_COMPOSITES = 4  # backdrops one compose pass writes at once (see compose.frag)


@dataclass
class FrameTimings:
    """Accumulated milliseconds per step of a frame (filled only when the renderer profiles)."""

    draw: float = 0.0
    reduce_readback: float = 0.0
    frames: int = 0

    def per_frame(self) -> dict:
        n = max(self.frames, 1)
        return {"draw_ms": self.draw / n, "reduce_readback_ms": self.reduce_readback / n}


def _output_key(background, level: int) -> tuple:
    """What makes two composites differ (overlay images by identity: arrays do not compare)."""
    if isinstance(background, Backdrop):
        b = background
        return (b.color, id(b.image), id(b.foreground), b.anchor, b.vignette, level)
    return (background, None, None, None, 0.0, level)


def _as_backdrop(background) -> Backdrop:
    return background if isinstance(background, Backdrop) else Backdrop(color=background)


def _compose_features(b: Backdrop) -> tuple[int, int, int]:
    """What compose.frag is compiled for per output: background mode, vignette, foreground (a
    transparent output keeps the model's straight alpha and uses neither)."""
    if b.transparent:
        return 0, 0, 0
    return (2 if b.image is not None else 1), int(b.vignette > 0), int(b.foreground is not None)


def _by_level(requests: list[tuple]) -> list[tuple[int, list[int]]]:
    """Indices of the (backdrop, level) requests grouped by level: one compose pass per group."""
    groups: dict[int, list[int]] = {}
    for i, (_, level) in enumerate(requests):
        groups.setdefault(level, []).append(i)
    return sorted(groups.items())


class Renderer:
    """Renders one Scene at one output size; `render(view)` returns (H, W, 4) uint8, top row first.

    `pose` is the scene's pose to upload with (rest pose when None) and `moving` the nodes an animation
    drives (with their descendants): those are drawn per frame, the rest baked once. `floor` says
    what the floor shows; `extent` is its size (from the timeline's framing; the rest pose otherwise)."""

    def __init__(self, scene: Scene, width: int, height: int, ssaa: int = SSAA, look: Look | None = None,
                 pose: Pose | None = None, moving: set[int] = frozenset(), floor: Floor | None = None,
                 extent: FloorExtent | None = None):
        self.scene = scene
        self.ssaa = ssaa
        self.floor = floor or Floor(shadows=False)
        self.profile = False
        self.timings = FrameTimings()
        pose = pose if pose is not None else Player(scene, None).pose(0.0)
        self.meshes = Meshes(scene, look or Look(), pose, moving)
        self.extent = extent or FloorExtent.around(rest_points(scene))
        self.shadow = ShadowPass(self.meshes, self.floor, self.extent) if self.floor.shadows else None
        self.reflection: ReflectionPass | None = None
        self._composers: dict[tuple, gloo.Program] = {}
        self._blank = gloo.Texture2D(np.zeros((1, 1, 4), np.uint8))
        self._overlays: dict[int, tuple[np.ndarray, gloo.Texture2D]] = {}
        self.max_target = min(gl_context.gl_info()["max_renderbuffer_size"], gl_context.gl_info()["max_texture_size"])
        self.width = self.height = 0
        self.tiles: list[Tile] = []
        self.resize(width, height)

    @property
    def gpu(self):
        return self.meshes.gpu

    # --- setup --------------------------------------------------------------------------------
    def resize(self, width: int, height: int, ssaa: int | None = None) -> None:
        """Output size (and optionally the supersampling factor: 1 for fast interactive frames).
        A size whose supersampled target would exceed the GL limit is rendered in tiles."""
        if ssaa is not None and ssaa != self.ssaa:
            self.ssaa, self.width = ssaa, 0
        if (self.width, self.height) == (width, height):
            return
        self.width, self.height = width, height
        self.tiles = plan_tiles(width, height, self.ssaa, self.max_target)
        tw, th = max(t.w for t in self.tiles), max(t.h for t in self.tiles)
        hw, hh = tw * self.ssaa, th * self.ssaa
        self._hi_color = gloo.Texture2D(shape=(hh, hw, 4), format="rgba", internalformat="rgba16f",
                                        interpolation="linear")  # fmt: skip
        # 24-bit depth: gloo's "depth" means 16 bits, too coarse for labels and decals on a product.
        self._hi_fbo = gloo.FrameBuffer(color=self._hi_color,
                                        depth=gloo.RenderBuffer((hh, hw), format=GL_DEPTH_COMPONENT24))
        self._lo: dict[tuple[int, int, int], tuple[gloo.FrameBuffer, list]] = {}
        self._mip_levels = 0
        if self.floor.reflector:
            self.reflection = ReflectionPass(self.meshes, self.extent, width, height)

    def _lo_fbo(self, w: int, h: int, n: int) -> gloo.FrameBuffer:
        """A target of `n` colour attachments at the output size."""
        key = (w, h, n)
        if key not in self._lo:
            buffers = [gloo.RenderBuffer((h, w), format="color") for _ in range(n)]
            fbo = gloo.FrameBuffer(color=buffers[0])
            if n > 1:
                gl_context.attach_colour_buffers(fbo, buffers[1:])
            self._lo[key] = (fbo, buffers)  # the buffers are kept: gloo frees what is not referenced
        return self._lo[key][0]

    def _composer(self, backdrops: list[Backdrop]) -> gloo.Program:
        """The compose pass compiled for these backdrops' features (one program per combination)."""
        features = tuple(_compose_features(b) for b in backdrops)
        if features not in self._composers:
            defines = {f"OUTPUTS {len(features)}"}
            for k, (mode, vignette, fg) in enumerate(features + ((0, 0, 0),) * (MAX_COMPOSITES - len(features))):
                defines |= {f"BG_MODE{k} {mode}", f"VIGNETTE{k} {vignette}", f"FG{k} {fg}"}
            p = gloo.Program(shader_source("fullscreen.vert"), shader_source("compose.frag", frozenset(defines)))
            p["a_position"] = FULLSCREEN
            self._composers[features] = p
        return self._composers[features]

    # --- frame --------------------------------------------------------------------------------
    def render(self, view: View, background: Backdrop | tuple[int, int, int] | None = None,
               pose: Pose | None = None) -> np.ndarray:
        """The frame for `view` (and `pose`, for animated scenes): straight alpha over transparency,
        or opaque over a backdrop (a colour tuple, or a Backdrop with image/overlay/vignette)."""
        return self.render_many(view, [(background, 0)], pose)[0]

    def render_many(self, view: View, outputs: list[tuple], pose: Pose | None = None) -> list[np.ndarray]:
        """Draw once, composite several times: each output is (backdrop, level), level k giving a
        frame 2^k times smaller than the output size, reduced on the GPU from the same samples."""
        t0 = time.perf_counter()
        if pose is not None:
            self.meshes.set_pose(pose)
        view_proj = view.proj @ view.view
        if self.shadow is not None:
            self.shadow.update(view.model)
        if self.reflection is not None:
            self.reflection.render(view_proj, view.eye, view.model)
        # Identical requests (the same backdrop at the same level) are composited once.
        keys = [_output_key(b, lv) for b, lv in outputs]
        unique = list(dict.fromkeys(keys))
        requests = [outputs[keys.index(k)] for k in unique]
        frames = [np.empty((self.height >> lv, self.width >> lv, 4), np.uint8) for _, lv in requests]
        top = max(lv for _, lv in requests)
        draw_ms = 0.0
        for tile in self.tiles:
            t1 = time.perf_counter()
            self._draw_tile(view, view_proj, tile)
            if self.profile:
                gl_context.flush()
                gloo.gl.glFinish()
            draw_ms += (time.perf_counter() - t1) * 1e3
            if top > 0:
                self._mipmaps(top)
            whole = len(self.tiles) == 1
            for level, members in _by_level(requests):
                x, y, w, h = tile.x >> level, tile.y >> level, tile.w >> level, tile.h >> level
                for start in range(0, len(members), MAX_COMPOSITES):
                    chunk = members[start : start + MAX_COMPOSITES]
                    backdrops = [_as_backdrop(requests[i][0]) for i in chunk]
                    parts = self._compose_tile(backdrops, level, tile, [frames[i] for i in chunk] if whole else None)
                    if not whole:
                        for i, part in zip(chunk, parts):
                            frames[i][y : y + h, x : x + w] = part
        if self.profile:
            self.timings.draw += draw_ms
            self.timings.reduce_readback += (time.perf_counter() - t0) * 1e3 - draw_ms
            self.timings.frames += 1
        return [frames[unique.index(k)] for k in keys]

    def _tile_rect(self, tile: Tile) -> np.ndarray:
        """The tile in frame uv, GL orientation (origin bottom-left): x, y, width, height."""
        W, H = self.width, self.height
        return np.array([tile.x / W, (H - tile.y - tile.h) / H, tile.w / W, tile.h / H], np.float32)

    def _draw_tile(self, view: View, view_proj: np.ndarray, tile: Tile) -> None:
        """The scene, through a projection narrowed to the tile, into the supersampled target."""
        rect = self._tile_rect(tile)
        x0, y0 = rect[0] * 2 - 1, rect[1] * 2 - 1
        x1, y1 = x0 + rect[2] * 2, y0 + rect[3] * 2
        narrow = np.eye(4)
        narrow[0, 0], narrow[0, 3] = 2 / (x1 - x0), -(x1 + x0) / (x1 - x0)
        narrow[1, 1], narrow[1, 3] = 2 / (y1 - y0), -(y1 + y0) / (y1 - y0)
        tile_vp = narrow @ view_proj
        with self._hi_fbo:
            gloo.set_viewport(0, 0, tile.w * self.ssaa, tile.h * self.ssaa)
            gloo.set_clear_color((0.0, 0.0, 0.0, 0.0))
            gloo.clear(color=True, depth=True)
            if self.reflection is not None:
                self.reflection.composite(rect)
            if self.shadow is not None:
                self.shadow.draw(tile_vp)
            self.meshes.draw(tile_vp, view.eye, view.model)

    def _mipmaps(self, levels: int) -> None:
        """Box-filtered reductions of the supersampled target, for the smaller variants."""
        from vispy.gloo import gl

        gl_context.flush(self._hi_color)
        gl.glBindTexture(gl.GL_TEXTURE_2D, gl_context.gl_handle(self._hi_color))
        if self._mip_levels != levels:
            gl.glTexParameteri(gl.GL_TEXTURE_2D, GL_TEXTURE_MAX_LEVEL, levels)
            gl.glTexParameteri(gl.GL_TEXTURE_2D, gl.GL_TEXTURE_MIN_FILTER, gl.GL_LINEAR_MIPMAP_NEAREST)
            self._mip_levels = levels
        gl.glGenerateMipmap(gl.GL_TEXTURE_2D)
        gl.glBindTexture(gl.GL_TEXTURE_2D, 0)

    def _compose_tile(self, backdrops: list[Backdrop], level: int, tile: Tile,
                      outs: list[np.ndarray] | None = None) -> list[np.ndarray]:
        """Reduce one tile at `level` and composite it over each backdrop in one pass; read each
        back (into `outs`)."""
        w, h = tile.w >> level, tile.h >> level
        fbo = self._lo_fbo(w, h, len(backdrops))
        hi_h, hi_w = self._hi_color.shape[:2]
        p = self._composer(backdrops)
        with fbo:
            gloo.set_viewport(0, 0, w, h)
            gloo.set_state(depth_test=False, blend=False, cull_face=False)
            p["u_aspect"] = self.width / self.height
            for k in range(MAX_COMPOSITES):  # every array entry set, the unused ones transparent
                self._set_backdrop(p, k, backdrops[k] if k < len(backdrops) else None, self.width, self.height)
            p["u_source"] = self._hi_color
            p["u_lod"] = float(level)
            p["u_src_scale"] = np.array([tile.w * self.ssaa / hi_w, tile.h * self.ssaa / hi_h], np.float32)
            p["u_tile"] = self._tile_rect(tile)
            p["u_flip_y"] = True  # rows come back top row first: no copy to flip them
            p.draw("triangles")
        outs = outs or [None] * len(backdrops)
        return [gl_context.read_rgba(fbo, w, h, out, attachment=k) for k, out in enumerate(outs)]

    def _set_backdrop(self, p: gloo.Program, k: int, b: Backdrop | None, width: int, height: int) -> None:
        """Output k's backdrop uniforms (None: an unused entry of the arrays)."""
        used = b is not None
        b = b or Backdrop()
        p[f"u_bg[{k}]"] = np.asarray(b.color if b.color is not None else (0, 0, 0), np.float32) / 255.0
        p[f"u_vignette[{k}]"] = float(b.vignette)
        for name, image in (("bg", b.image), ("fg", b.foreground)):
            if used:
                p[f"u_{name}_image{k}"] = self._overlay(image) if image is not None else self._blank
            rect = cover_rect(image.shape[1], image.shape[0], width, height, b.anchor) if image is not None else (1, 1, 0, 0)
            p[f"u_{name}_rect[{k}]"] = np.asarray(rect, np.float32)

    def _overlay(self, image: np.ndarray) -> gloo.Texture2D:
        """One texture per overlay image (kept while the renderer lives: a job reuses it every frame)."""
        held = self._overlays.get(id(image))
        if held is None or held[0] is not image:
            tex = gloo.Texture2D(np.ascontiguousarray(image), interpolation="linear", wrapping="clamp_to_edge")
            held = self._overlays[id(image)] = (image, tex)
        return held[1]
