"""The Renderer: draws a Scene for a View into a 2x supersampled FBO, reduces it on the GPU with
the backdrop composited in the same pass, and reads back one small RGBA frame.

A short orchestrator over passes (`passes.base.RenderPass`): the scene passes in `SCENE_PASSES`
(the sun's shadow map when the environment has a sun, reflection and floor shadow when the
settings ask for them, then the model, opaque and blended)
draw into the supersampled target one tile at a time, and the compose pass reduces each tile into
the output targets, which are read back. It works on whatever GL context is current: the EGL one
from `gl_context.offscreen_context()` or a Qt canvas.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import numpy as np
from vispy import gloo

from ..lighting.look import Look
from ..motion.camera import View
from ..scene.animation import Player, Pose
from ..scene.model import Scene
from ..scene.posed import rest_points
from . import gl_context
from .backdrop import Backdrop
from .depth import DepthTarget
from .floor import Floor, FloorExtent
from .meshes import Meshes
from .passes.base import FrameContext, PassSetup, RenderPass, Target
from .passes.compose import MAX_COMPOSITES, ComposePass
from .passes.model import BlendedPass, OpaquePass
from .passes.reflection import ReflectionPass
from .passes.shadow import ShadowPass
from .passes.sun_shadow import SunShadowPass
from .region import drawn_region
from .tiles import Tile, plan_tiles

SSAA = 2
GL_TEXTURE_MAX_LEVEL = 0x813D  # not among vispy's GL ES constants

# The passes of a frame, in order (the sun's shadow map first: every lit draw reads it). A new
# pass is one RenderPass subclass and one entry here.
SCENE_PASSES: tuple[type[RenderPass], ...] = (SunShadowPass, ReflectionPass, ShadowPass, OpaquePass, BlendedPass)


@dataclass
class FrameTimings:
    """Milliseconds per step of a frame, summed over frames; filled only while the renderer
    profiles. Each step is split into its submission (the calling thread's work: Python, uniform
    uploads and, on llvmpipe, vertex shading and binning) and its finish (glFinish after it: the
    rasterisation and fragment shading, on llvmpipe in its own threads). Profiling finishes the GL
    queue around every step, so the steps add up to more than an unprofiled frame takes."""

    steps: dict[str, float] = field(default_factory=dict)
    frames: int = 0

    def add(self, step: str, ms: float) -> None:
        self.steps[step] = self.steps.get(step, 0.0) + ms

    def per_frame(self) -> dict[str, float]:
        """{step: ms per frame} in the order the steps first ran."""
        n = max(self.frames, 1)
        return {step: ms / n for step, ms in self.steps.items()}


def _step_name(p: RenderPass) -> str:
    return type(p).__name__.removesuffix("Pass").lower()


def _output_key(background, level: int) -> tuple:
    """What makes two composites differ (overlay images by identity: arrays do not compare)."""
    if isinstance(background, Backdrop):
        b = background
        return (b.color, id(b.image), id(b.foreground), b.anchor, b.vignette, level)
    return (background, None, None, None, 0.0, level)


def _as_backdrop(background) -> Backdrop:
    return background if isinstance(background, Backdrop) else Backdrop(color=background)


def _by_level(requests: list[tuple]) -> list[tuple[int, list[int]]]:
    """Indices of the (backdrop, level) requests grouped by level: one compose pass per group."""
    groups: dict[int, list[int]] = {}
    for i, (_, level) in enumerate(requests):
        groups.setdefault(level, []).append(i)
    return sorted(groups.items())


class Renderer:
    """Renders one Scene at one output size; `render(view)` returns (H, W, 4) uint8, top row first.

    `pose` is the scene's pose to upload with (rest pose when None) and `moving` the nodes an
    animation drives (with their descendants): those are drawn per frame, the rest baked once.
    `floor` says what the floor shows; `extent` is its size (from the timeline's framing; the rest
    pose otherwise). `hull`, (N, 3) scene-space points whose convex hull holds the model in every
    pose it will be drawn in, lets each frame be drawn only in the region they project to (see
    `region`); without it every frame is drawn whole. Raises RenderFailed when the GL driver
    refuses a target it needs."""

    def __init__(self, scene: Scene, width: int, height: int, ssaa: int = SSAA, look: Look | None = None,
                 pose: Pose | None = None, moving: set[int] = frozenset(), floor: Floor | None = None,
                 extent: FloorExtent | None = None, hull: np.ndarray | None = None):
        self.scene = scene
        self.ssaa = ssaa
        self.floor = floor or Floor(shadows=False)
        self.profile = False
        self.timings = FrameTimings()
        pose = pose if pose is not None else Player(scene, None).pose(0.0)
        self.meshes = Meshes(scene, look or Look(), pose, moving)
        self.extent = extent or FloorExtent.around(rest_points(scene))
        setup = PassSetup(self.meshes, self.floor, self.extent, hull)
        self.passes: list[RenderPass] = [p for kind in SCENE_PASSES if (p := kind.create(setup)) is not None]
        self.compose = ComposePass(setup)
        self._depth: DepthTarget | None = None
        info = gl_context.gl_info()
        self.max_target = min(info["max_renderbuffer_size"], info["max_texture_size"])
        self.width = self.height = 0
        self.tiles: list[Tile] = []
        self.resize(width, height)

    @property
    def transmissive(self) -> bool:
        """Whether the model has see-through (KHR_materials_transmission) items."""
        blended = self.pass_of(BlendedPass)
        return blended is not None and blended.transmissive

    def pass_of(self, kind: type[RenderPass]) -> RenderPass | None:
        """This renderer's pass of a kind (None when the settings leave it out)."""
        return next((p for p in [*self.passes, self.compose] if isinstance(p, kind)), None)

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
        self._hi_fbo = gloo.FrameBuffer(color=self._hi_color,
                                        depth=gloo.RenderBuffer((hh, hw), format=gl_context.GL_DEPTH_COMPONENT24))
        self._lo: dict[tuple[int, int, int], tuple[gloo.FrameBuffer, list]] = {}
        self._mip_levels = 0
        for p in [*self.passes, self.compose]:
            p.resize(width, height)

    def _lo_fbo(self, w: int, h: int, n: int) -> gloo.FrameBuffer:
        """An output target of `n` colour attachments at the output size."""
        key = (w, h, n)
        if key not in self._lo:
            buffers = [gloo.RenderBuffer((h, w), format="color") for _ in range(n)]
            fbo = gloo.FrameBuffer(color=buffers[0])
            if n > 1:
                gl_context.attach_colour_buffers(fbo, buffers[1:])
            self._lo[key] = (fbo, buffers)  # the buffers are kept: gloo frees what is not referenced
        return self._lo[key][0]

    # --- frame --------------------------------------------------------------------------------
    def render(self, view: View, background: Backdrop | tuple[int, int, int] | None = None,
               pose: Pose | None = None) -> np.ndarray:
        """The frame for `view` (and `pose`, for animated scenes): straight alpha over transparency,
        or opaque over a backdrop (a colour tuple, or a Backdrop with image/overlay/vignette)."""
        return self.render_many(view, [(background, 0)], pose)[0]

    def render_many(self, view: View, outputs: list[tuple], pose: Pose | None = None) -> list[np.ndarray]:
        """Draw once, composite several times: each output is (backdrop, level), level k giving a
        frame 2^k times smaller than the output size, reduced on the GPU from the same samples.
        A model with see-through (transmissive) materials shows the backdrop refracted through
        them, so it is drawn once per backdrop instead."""
        backdrops = list(dict.fromkeys(_output_key(b, 0) for b, _ in outputs))
        if len(backdrops) > 1 and self.transmissive:
            frames: list[np.ndarray] = [None] * len(outputs)
            for key in backdrops:
                group = [i for i, (b, _) in enumerate(outputs) if _output_key(b, 0) == key]
                for i, f in zip(group, self.render_many(view, [outputs[i] for i in group], pose)):
                    frames[i] = f
            return frames
        if pose is not None:
            self.meshes.set_pose(pose)
        frame = FrameContext(view, view.proj @ view.view, _as_backdrop(outputs[0][0]).linear_color)
        for p in self.passes:
            with self._step(f"{_step_name(p)} prepare"):
                p.prepare(frame)
        # Identical requests (the same backdrop at the same level) are composited once.
        keys = [_output_key(b, lv) for b, lv in outputs]
        unique = list(dict.fromkeys(keys))
        requests = [outputs[keys.index(k)] for k in unique]
        frames = [np.empty((self.height >> lv, self.width >> lv, 4), np.uint8) for _, lv in requests]
        top = max(lv for _, lv in requests)
        region = self._region(frame, top)
        for tile in self.tiles:
            drawn = region or tile
            if drawn.w and drawn.h:
                self._draw_tile(frame, tile, drawn)
                if top > 0:
                    with self._step("mipmaps"):
                        self._mipmaps(top)
            whole = len(self.tiles) == 1
            for level, members in _by_level(requests):
                x, y, w, h = tile.x >> level, tile.y >> level, tile.w >> level, tile.h >> level
                for start in range(0, len(members), MAX_COMPOSITES):
                    chunk = members[start : start + MAX_COMPOSITES]
                    backdrops = tuple(_as_backdrop(requests[i][0]) for i in chunk)
                    parts = self._compose_tile(frame, backdrops, level, tile, drawn,
                                               [frames[i] for i in chunk] if whole else None)  # fmt: skip
                    if not whole:
                        for i, part in zip(chunk, parts):
                            frames[i][y : y + h, x : x + w] = part
        if self.profile:
            self.timings.frames += 1
        return [frames[unique.index(k)] for k in keys]

    @contextmanager
    def _step(self, name: str):
        """Time the GL work issued inside the block into `timings` (only while profiling)."""
        if not self.profile:
            yield
            return
        gl_context.finish()
        t0 = time.perf_counter()
        yield
        t1 = time.perf_counter()
        gl_context.finish()
        t2 = time.perf_counter()
        self.timings.add(f"{name} submit", (t1 - t0) * 1e3)
        self.timings.add(f"{name} finish", (t2 - t1) * 1e3)

    def render_depth(self, view: View) -> np.ndarray:
        """(H, W) float32 camera depth (distance from the camera plane along its axis, model units;
        0 where nothing is), rows top first, at the output size without supersampling: a depth
        must not mix surfaces. For dataset views."""
        if self._depth is None or self._depth.size != (self.width, self.height):
            self._depth = DepthTarget(self.width, self.height)
        return self._depth.render(self.meshes, view)

    def _tile_rect(self, tile: Tile) -> np.ndarray:
        """The tile in frame uv, GL orientation (origin bottom-left): x, y, width, height."""
        W, H = self.width, self.height
        return np.array([tile.x / W, (H - tile.y - tile.h) / H, tile.w / W, tile.h / H], np.float32)

    def _target(self, frame: FrameContext, tile: Tile) -> Target:
        """The tile as a target: its rectangle and the frame's projection narrowed to it."""
        rect = self._tile_rect(tile)
        x0, y0 = rect[0] * 2 - 1, rect[1] * 2 - 1
        x1, y1 = x0 + rect[2] * 2, y0 + rect[3] * 2
        narrow = np.eye(4)
        narrow[0, 0], narrow[0, 3] = 2 / (x1 - x0), -(x1 + x0) / (x1 - x0)
        narrow[1, 1], narrow[1, 3] = 2 / (y1 - y0), -(y1 + y0) / (y1 - y0)
        return Target(tile, rect, narrow @ frame.view_proj)

    def _region(self, frame: FrameContext, top_level: int) -> Tile | None:
        """The part of a one-tile frame the scene passes can draw into (None: all of it), from
        every pass's `bounds`. Edges on multiples of 8 output pixels, so mipmap levels up to 3 of
        the supersampled target never mix texels from in and out of it."""
        if len(self.tiles) != 1 or top_level > 3:
            return None
        bounds = [p.bounds(frame) for p in self.passes]
        if any(b is None for b in bounds):
            return None
        points = np.concatenate([np.zeros((0, 3)), *(b.points for b in bounds)])
        margin = 2 + max((b.margin for b in bounds), default=0)  # 2: rounding, and a pixel's reach
        return drawn_region(points, frame.view_proj, self.width, self.height, margin)

    def _draw_tile(self, frame: FrameContext, tile: Tile, drawn: Tile) -> None:
        """Every scene pass, in order, into the supersampled target showing `tile`, cleared and
        drawn only inside its part `drawn` (a scissor: the viewport and projection stay the
        tile's, so every pixel inside comes out exactly as a draw of the whole tile makes it)."""
        target = self._target(frame, tile)
        s = self.ssaa
        with self._hi_fbo:
            gloo.set_viewport(0, 0, tile.w * s, tile.h * s)
            with self._step("clear"):
                if drawn == tile:
                    gloo.set_clear_color((0.0, 0.0, 0.0, 0.0))
                    gloo.clear(color=True, depth=True)
                else:
                    # The depth buffer whole (llvmpipe clears whole tiles of it as a flag); the
                    # colour only where this frame draws: the compose reads nothing else. A
                    # scissored glClear instead became a quad over the region, slower than
                    # clearing everything (8.3 against 7.7 ms at 1920x1080).
                    gloo.clear(color=False, depth=True)
                    gl_context.clear_region(self._hi_color, (drawn.x - tile.x) * s,
                                            (tile.y + tile.h - drawn.y - drawn.h) * s, drawn.w * s, drawn.h * s)
                    gloo.set_state(scissor_test=True)
                    gloo.set_scissor((drawn.x - tile.x) * s, (tile.y + tile.h - drawn.y - drawn.h) * s, drawn.w * s,
                                     drawn.h * s)  # fmt: skip
            for p in self.passes:
                with self._step(_step_name(p)):
                    p.draw(frame, target)
            gloo.set_state(scissor_test=False)

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

    def _compose_tile(self, frame: FrameContext, backdrops: tuple[Backdrop, ...], level: int, tile: Tile,
                      drawn: Tile, outs: list[np.ndarray] | None = None) -> list[np.ndarray]:
        """Reduce one tile at `level` and composite it over each backdrop in one pass; read each
        back (into `outs`). Outside `drawn` (the part of the tile the scene passes drew) the
        tile is backdrop alone."""
        w, h = tile.w >> level, tile.h >> level
        fbo = self._lo_fbo(w, h, len(backdrops))
        hi_h, hi_w = self._hi_color.shape[:2]
        scale = np.array([tile.w * self.ssaa / hi_w, tile.h * self.ssaa / hi_h], np.float32)
        source = self._hi_color if drawn.w and drawn.h else None  # nothing drawn: nothing to read
        target = replace(self._target(frame, tile), level=level, backdrops=backdrops, source=source,
                         source_scale=scale, drawn=drawn)  # fmt: skip
        with self._step("compose"), fbo:
            gloo.set_viewport(0, 0, w, h)
            self.compose.draw(frame, target)
        outs = outs or [None] * len(backdrops)
        with self._step("readback"):
            return [gl_context.read_rgba(fbo, w, h, out, attachment=k) for k, out in enumerate(outs)]
