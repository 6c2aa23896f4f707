"""The last pass: the supersampled frame reduced to the output size (or a level 2^k smaller) and
composited over up to four backdrops at once, one per colour attachment of the bound output
target (shaders/compose.frag). The backdrop is applied after the tone mapping, so `bgColor` comes
out exactly, and one rendered frame serves every backdrop of a batch.
"""
from __future__ import annotations

import numpy as np
from vispy import gloo

from .. import glsl
from ..backdrop import Backdrop, cover_rect
from .base import FrameContext, PassSetup, RenderPass, Target

MAX_COMPOSITES = 4  # backdrops one compose pass writes at once (see compose.frag)
FULLSCREEN = np.array([[-1, -1], [3, -1], [-1, 3]], np.float32)


def compose_features(b: Backdrop) -> tuple[int, int, int]:
    """What compose.frag is compiled for per output: background mode, vignette, foreground (a
    transparent output keeps the model's straight alpha and uses neither)."""
    if b.transparent:
        return 0, 0, 0
    return (2 if b.image is not None else 1), int(b.vignette > 0), int(b.foreground is not None)


class ComposePass(RenderPass):
    """Reduce and composite into the bound output target: `target.backdrops` (at most
    MAX_COMPOSITES), `target.level`, from `target.source`."""

    def __init__(self, setup: PassSetup):
        super().__init__(setup)
        self.width = self.height = 0
        self._programs: dict[tuple, gloo.Program] = {}
        self._blank = gloo.Texture2D(np.zeros((1, 1, 4), np.uint8))
        self._overlays: dict[int, tuple[np.ndarray, gloo.Texture2D]] = {}

    def resize(self, width: int, height: int) -> None:
        self.width, self.height = width, height

    def draw(self, frame: FrameContext, target: Target) -> None:
        """Into the bound output target, whose viewport is the tile at `target.level`: the drawn
        part (`target.drawn`) reduced from `target.source` and composited; the rest of the
        tile, where nothing was drawn, by a program that reads no source (a scissor per band
        around the drawn part: a branch around the texture tap still cost llvmpipe the tap)."""
        backdrops = list(target.backdrops)
        if not 1 <= len(backdrops) <= MAX_COMPOSITES:
            raise ValueError(f"a compose pass writes 1 to {MAX_COMPOSITES} outputs, not {len(backdrops)}")
        tile, level, drawn = target.tile, target.level, target.drawn or target.tile
        w, h = tile.w >> level, tile.h >> level
        # The drawn part in output pixels of this level; the output's GL rows count from the
        # picture's top (its rows come back top row first).
        x0, y0 = (drawn.x - tile.x) >> level, (drawn.y - tile.y) >> level
        x1, y1 = x0 + (drawn.w >> level), y0 + (drawn.h >> level)
        if target.source is None:
            x0 = x1 = y0 = y1 = 0
        gloo.set_state(depth_test=False, blend=False, cull_face=False)
        if (x0, y0, x1, y1) == (0, 0, w, h):
            self._prepared(backdrops, target, source=True).draw("triangles")
            return
        gloo.set_state(scissor_test=True)
        bands = [(0, 0, w, y0), (0, y1, w, h - y1), (0, y0, x0, y1 - y0), (x1, y0, w - x1, y1 - y0)]
        if x1 <= x0 or y1 <= y0:
            bands = [(0, 0, w, h)]
        bands = [b for b in bands if b[2] > 0 and b[3] > 0]
        if bands:
            backdrop_only = self._prepared(backdrops, target, source=False)  # its uniforms set once
            for band in bands:
                gloo.set_scissor(*band)
                backdrop_only.draw("triangles")
        if x1 > x0 and y1 > y0:
            gloo.set_scissor(x0, y0, x1 - x0, y1 - y0)
            self._prepared(backdrops, target, source=True).draw("triangles")
        gloo.set_state(scissor_test=False)

    def _prepared(self, backdrops: list[Backdrop], target: Target, source: bool) -> gloo.Program:
        """The program for these backdrops, reading the source or not, with its uniforms set for
        `target` (drawn by the caller: over the viewport, what shows is the scissor's)."""
        p = self._program(backdrops, source)
        p["u_aspect"] = self.width / self.height
        for k in range(MAX_COMPOSITES):  # every array entry set, the unused ones transparent
            self._set_backdrop(p, k, backdrops[k] if k < len(backdrops) else None)
        if source:
            p["u_source"] = target.source
            p["u_lod"] = float(target.level)
            p["u_src_scale"] = target.source_scale
        p["u_tile"] = target.rect
        p["u_flip_y"] = True  # rows come back top row first: no copy to flip them
        return p

    def _program(self, backdrops: list[Backdrop], source: bool) -> gloo.Program:
        """compose.frag compiled for these backdrops' features (one program per combination),
        reading the supersampled target or, without `source`, only the backdrops."""
        features = tuple(compose_features(b) for b in backdrops)
        key = (features, source)
        if key not in self._programs:
            defines = {f"OUTPUTS {len(features)}"} | (set() if source else {"NO_SOURCE"})
            for k, (mode, vignette, fg) in enumerate(features + ((0, 0, 0),) * (MAX_COMPOSITES - len(features))):
                defines |= {f"BG_MODE{k} {mode}", f"VIGNETTE{k} {vignette}", f"FG{k} {fg}"}
            p = glsl.program("fullscreen.vert", "compose.frag", frozenset(defines))
            p["a_position"] = FULLSCREEN
            self._programs[key] = p
        return self._programs[key]

    def _set_backdrop(self, p: gloo.Program, k: int, b: Backdrop | None) -> None:
        """Output k's backdrop uniforms (None: an unused entry of the arrays)."""
        used = b is not None
        b = b or Backdrop()
        p[f"u_bg[{k}]"] = np.asarray(b.color if b.color is not None else (0, 0, 0), np.float32) / 255.0
        p[f"u_vignette[{k}]"] = float(b.vignette)
        for name, image in (("bg", b.image), ("fg", b.foreground)):
            if used:
                p[f"u_{name}_image{k}"] = self._overlay(image) if image is not None else self._blank
            rect = (cover_rect(image.shape[1], image.shape[0], self.width, self.height, b.anchor)
                    if image is not None else (1, 1, 0, 0))  # fmt: skip
            p[f"u_{name}_rect[{k}]"] = np.asarray(rect, np.float32)

    def _overlay(self, image: np.ndarray) -> gloo.Texture2D:
        """One texture per overlay image (kept while the renderer lives: a job reuses it every frame)."""
        held = self._overlays.get(id(image))
        if held is None or held[0] is not image:
            tex = gloo.Texture2D(np.ascontiguousarray(image), interpolation="linear", wrapping="clamp_to_edge")
            held = self._overlays[id(image)] = (image, tex)
        return held[1]
