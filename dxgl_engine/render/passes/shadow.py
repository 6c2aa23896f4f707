"""The ground shadow, baked, not traced: a top-down render records the height of the lowest surface
above each floor texel; a sharp "contact" term (surfaces touching the floor) and a broad soft term
(everything above, as the overhead softbox of the studio would cast it) are blurred with
numpy/scipy and combined. The floor then draws only that darkness as alpha, so it shows over any
background and survives in transparent outputs. The model does not move relative to the floor in
a turntable, so the bake is reused until the pose or the placement changes (animation, reveal).

Under a panorama's sun the floor also shows the model's shadow along the sun's rays, read from the
sun's shadow map (passes/sun_shadow.py) as the floor is drawn, as dark as the sun's share of the
floor's light (times the shadow intensity), and the floor is drawn over that shadow's footprint too.
"""
from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter
from vispy import gloo

from ...lighting.sun import sun_share
from ...scene.transforms import transform_points
from .. import gl_context, glsl
from ..floor import Floor, FloorExtent
from .base import DrawnBounds, FrameContext, PassSetup, RenderPass, Target, model_points

SHADOW_SIZE = 256  # texels across the floor square


# Darkness below this changes no 8-bit output value: the floor is drawn only around what is above it.
VISIBLE = 1.0 / 1024.0


QUAD = np.array([[-1, -1], [1, -1], [-1, 1], [1, 1]], np.float32)


def shadow_darkness(heights: np.ndarray, extent: FloorExtent, floor: Floor) -> np.ndarray:
    """Shadow alpha per floor texel from the lowest occluder height (inf where nothing is above)."""
    n = heights.shape[0]
    covered = np.isfinite(heights)
    h = np.where(covered, np.maximum(heights, 0.0), np.inf)
    texel = 2.0 * extent.half / n
    contact = np.exp(-h / (0.04 * extent.height))
    soft = np.exp(-h / (0.6 * extent.height))
    sigma_contact = max(0.6, (0.004 + 0.008 * floor.shadow_softness) * extent.height / texel)
    sigma_soft = max(1.0, (0.03 + 0.14 * floor.shadow_softness) * extent.height / texel)
    contact = gaussian_filter(np.where(covered, contact, 0.0), sigma_contact, mode="constant")
    soft = gaussian_filter(np.where(covered, soft, 0.0), sigma_soft, mode="constant")
    alpha = 1.0 - (1.0 - 0.85 * np.clip(contact, 0, 1)) * (1.0 - 0.55 * np.clip(soft, 0, 1))
    return (floor.shadow_intensity * alpha).astype(np.float32)


def visible_area(darkness: np.ndarray) -> np.ndarray | None:
    """The texture-uv rectangle around every texel dark enough to show, one texel wider for the
    bilinear filter (None when no texel shows). Drawing only that saves most of the floor's
    fill: the square reaches well past the shadow to hold every frame of the camera path."""
    rows, cols = np.nonzero(darkness >= VISIBLE)
    if len(rows) == 0:
        return None
    n = darkness.shape[0]
    lo = np.maximum(np.array([cols.min(), rows.min()]) - 1, 0) / n
    hi = np.minimum(np.array([cols.max(), rows.max()]) + 2, n) / n
    return np.r_[lo, hi].astype(np.float32)


def _union(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    """The smallest uv rectangle (x0, y0, x1, y1) holding both (either may be None: nothing)."""
    if a is None or b is None:
        return a if b is None else b
    return np.r_[np.minimum(a[:2], b[:2]), np.maximum(a[2:], b[2:])].astype(np.float32)


class ShadowPass(RenderPass):
    """Bakes the shadow texture from the model's meshes and draws the floor that shows it."""

    @classmethod
    def create(cls, setup: PassSetup) -> "ShadowPass | None":
        return cls(setup) if setup.floor.shadows else None

    def __init__(self, setup: PassSetup):
        super().__init__(setup)
        self.meshes, self.floor, self.extent = setup.meshes, setup.floor, setup.extent
        self._height_tex = gloo.Texture2D(shape=(SHADOW_SIZE, SHADOW_SIZE, 4), format="rgba", internalformat="rgba32f")
        self._height_fbo = gloo.FrameBuffer(color=self._height_tex,
                                            depth=gloo.RenderBuffer((SHADOW_SIZE, SHADOW_SIZE), format="depth"))
        self.texture = gloo.Texture2D(shape=(SHADOW_SIZE, SHADOW_SIZE, 1), format="red",
                                      internalformat="r32f", interpolation="linear", wrapping="clamp_to_edge")
        self.sun = setup.meshes.look.sun
        sun = {"SUN", *(("SUN_TRANSLUCENT",) if setup.meshes.translucent else ())} if self.sun is not None else ()
        self._floor = glsl.program("floor.vert", "floor.frag", frozenset(sun))
        self._floor["a_position"] = QUAD
        if self.sun is not None:
            self._points, self._pad = model_points(setup)
            look = setup.meshes.look
            self._floor["u_sun_darkness"] = float(self.floor.shadow_intensity
                                                  * sun_share(self.sun, look.radiance_sh, (0.0, 1.0, 0.0)))
        self._key = None
        self.area: np.ndarray | None = None  # the part of the floor drawn (texture uv x0, y0, x1, y1)
        self.bakes = 0  # how many times the shadow was computed (a turntable needs one)

    def prepare(self, frame: FrameContext) -> None:
        """Re-bake when the pose or the placement changed since the last bake."""
        model = frame.view.model
        key = (id(self.meshes.pose), model.tobytes())
        if key == self._key:
            return
        self._key = key
        heights = self._render_heights(model)
        darkness = shadow_darkness(heights, self.extent, self.floor)
        self.texture.set_data(darkness[..., None])
        self.area = visible_area(darkness)
        if self.sun is not None:
            self.area = _union(self.area, self._sun_footprint(model))
        self.bakes += 1

    def _sun_footprint(self, model: np.ndarray) -> np.ndarray | None:
        """The floor-texture uv rectangle (x0, y0, x1, y1) the model's shadow along the sun's rays
        can reach (None when the sun is at or below the horizon: it lights no floor)."""
        d = self.sun.direction
        if d[1] <= 0.02:
            return None
        pts = transform_points(model, self._points)
        centre = (pts.min(0) + pts.max(0)) / 2.0
        pts = centre + (pts - centre) * self._pad  # an animation's room, as the sun's map has it
        ground = pts[:, [0, 2]] - d[[0, 2]] * ((pts[:, 1] - self.floor_y) / d[1])[:, None]
        uv = ground / (2.0 * self.extent.half) + 0.5
        texel = 1.0 / SHADOW_SIZE
        return np.clip(np.r_[uv.min(0) - texel, uv.max(0) + texel], 0.0, 1.0).astype(np.float32)

    def _render_heights(self, model: np.ndarray) -> np.ndarray:
        """Orthographic camera below the floor looking up: NDC x, y = world x, z over the extent;
        depth grows with height so the lowest surface wins."""
        s, top = self.extent.half, self.extent.height * 1.5 + 1e-6
        lo = -0.05 * self.extent.height
        m = np.zeros((4, 4))
        m[0, 0], m[1, 2] = 1.0 / s, 1.0 / s
        m[2, 1], m[2, 3] = 2.0 / (top - lo), -(top + lo) / (top - lo)
        m[3, 3] = 1.0
        with self._height_fbo:
            gloo.set_viewport(0, 0, SHADOW_SIZE, SHADOW_SIZE)
            # "nothing above": far above any model (gloo checks colours are 0..1, so send it raw)
            gloo.get_current_canvas().context.glir.command("FUNC", "glClearColor", 1e30, 0.0, 0.0, 0.0)
            gloo.clear(color=True, depth=True)
            gloo.set_clear_color((0.0, 0.0, 0.0, 0.0))  # what every other clear expects
            below = np.array([0.0, -1e3 * self.extent.height, 0.0])  # its viewer: nearest is lowest
            self.meshes.draw(m, below, model, mode="height")
        heights = gl_context.read_float(self._height_fbo, SHADOW_SIZE, SHADOW_SIZE)[..., 0]
        return np.where(heights > top * 10, np.inf, heights)

    def bounds(self, frame: FrameContext) -> DrawnBounds:
        """The corners of the floor quad `draw` draws (floor.vert's placement of `area`); none
        when no texel of the shadow shows."""
        if self.area is None:
            return DrawnBounds(np.zeros((0, 3)))
        u0, v0, u1, v1 = self.area
        xz = (np.array([[u0, v0], [u1, v0], [u0, v1], [u1, v1]]) * 2.0 - 1.0) * self.extent.half
        return DrawnBounds(np.c_[xz[:, 0], np.full(4, self.floor_y), xz[:, 1]])

    @property
    def floor_y(self) -> float:
        return -1e-3 * float(self.extent.height)  # just under the model's base

    def draw(self, frame: FrameContext, target: Target) -> None:
        """The floor square, drawn only where the shadow shows, blended over what the target holds."""
        if self.area is None:
            return
        gloo.set_state(depth_test=True, depth_mask=False, blend=True, cull_face=False)
        gloo.set_blend_func("one", "one_minus_src_alpha")
        self._floor["u_view_proj"] = target.view_proj.astype(np.float32).T
        self._floor["u_extent"] = float(self.extent.half)
        self._floor["u_floor_y"] = self.floor_y
        self._floor["u_shadow"] = self.texture
        self._floor["u_area"] = self.area
        for name, value in self.meshes.sun_shadow.items():  # the sun's map as baked for this pose
            self._floor[name] = value
        self._floor.draw("triangle_strip")
        gloo.set_state(depth_mask=True, blend=False)
