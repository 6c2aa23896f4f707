"""The sun's shadow map: where the environment has a sun (lighting/sun.py), an orthographic render
along its rays records, per texel, the distance from the light's plane to the nearest surface of
the model (shaders/sun_depth.frag: masked materials cast by their cutoff); the lit shader and the
floor's compare each point with it (shaders/sun_shadow.glsl). BLEND and see-through materials cast
through a second map of their own: the nearest one's distance and the share of the sun all of
them in front of the opaque surfaces let through, so a half-transparent part lets half the sun
through, evenly. A see-through surface that receives divides its own share out; one with other
see-through surfaces behind it in the same texel still counts theirs (a per-layer map would not).
The sun does not move against the model in a turntable (the camera orbits), so the maps are baked
once per pose and placement, like the floor's shadow; animated models bake them every frame.

The map covers the sphere around the model (passes.base.model_points) and is drawn nowhere itself;
the floor's shadow (passes/shadow.py) reads it too.
"""
from __future__ import annotations

import numpy as np
from vispy import gloo

from ...scene.transforms import transform_points
from .base import DrawnBounds, FrameContext, PassSetup, RenderPass, Target, model_points

SUN_SHADOW_SIZE = 2048  # texels across the model's bounding sphere
# The see-through map: four float channels (R distance, A the share through), so half as fine; its
# shadows are as soft as what casts them.
TRANSLUCENT_SIZE = 1024


def sun_matrix(direction: np.ndarray, centre: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """(matrix, plane origin) of an orthographic light looking along -`direction` (towards the
    sun, unit) at the sphere (`centre`, `radius`): the matrix takes world points to x, y in -1..1
    across the sphere and z = their distance from the light's plane, which passes through the plane
    origin, 2 radii sunwards of the centre (the sphere then lies at distances radius..3 radius)."""
    forward = -np.asarray(direction, np.float64)
    helper = np.array([0.0, 1.0, 0.0]) if abs(forward[1]) < 0.9 else np.array([1.0, 0.0, 0.0])
    right = np.cross(helper, forward)
    right /= np.linalg.norm(right)
    up = np.cross(forward, right)
    origin = centre - forward * 2.0 * radius
    m = np.eye(4)
    m[0, :3], m[0, 3] = right / radius, -right @ centre / radius
    m[1, :3], m[1, 3] = up / radius, -up @ centre / radius
    m[2, :3], m[2, 3] = forward, -forward @ origin
    return m, origin


class SunShadowPass(RenderPass):
    """Bakes the sun's shadow map and hands it to the lit programs (Meshes.sun_shadow)."""

    @classmethod
    def create(cls, setup: PassSetup) -> "SunShadowPass | None":
        return cls(setup) if setup.meshes.look.sun is not None else None

    def __init__(self, setup: PassSetup):
        super().__init__(setup)
        self.meshes = setup.meshes
        self.sun = setup.meshes.look.sun
        n = SUN_SHADOW_SIZE
        self.texture = gloo.Texture2D(shape=(n, n, 1), format="red", internalformat="r32f",
                                      interpolation="nearest", wrapping="clamp_to_edge")  # fmt: skip
        self._fbo = gloo.FrameBuffer(color=self.texture, depth=gloo.RenderBuffer((n, n), format="depth"))
        self.translucent = None
        if setup.meshes.translucent:
            t = TRANSLUCENT_SIZE
            self.translucent = gloo.Texture2D(shape=(t, t, 4), format="rgba", internalformat="rgba32f",
                                              interpolation="linear", wrapping="clamp_to_edge")  # fmt: skip
            self._translucent_fbo = gloo.FrameBuffer(color=self.translucent)
        self._points, self._pad = model_points(setup)
        self._key = None
        self.bakes = 0  # how many times the map was rendered (a turntable needs one)

    def prepare(self, frame: FrameContext) -> None:
        """Re-bake when the pose or the placement changed since the last bake."""
        model = frame.view.model
        key = (id(self.meshes.pose), model.tobytes())
        if key == self._key or len(self._points) == 0:
            return
        self._key = key
        pts = transform_points(model, self._points)
        lo, hi = pts.min(0), pts.max(0)
        centre = (lo + hi) / 2.0
        # Four texels of room: no surface lands on the map's edge (the shader reads outside it as lit).
        radius = max(float(np.linalg.norm(pts - centre, axis=1).max()) * self._pad * (1 + 8 / SUN_SHADOW_SIZE), 1e-6)
        matrix, origin = sun_matrix(self.sun.direction, centre, radius)
        # The depth range: the sphere lies at distances radius .. 3 radius from the plane.
        clip = np.eye(4)
        clip[2, 2], clip[2, 3] = 2.0 / (4.0 * radius), -1.0
        n = SUN_SHADOW_SIZE
        forward = {"u_forward": (-self.sun.direction).astype(np.float32)}
        glir = gloo.get_current_canvas().context.glir
        with self._fbo:
            gloo.set_viewport(0, 0, n, n)
            # "nothing": farther than any surface (gloo checks colours are 0..1, so send it raw)
            glir.command("FUNC", "glClearColor", 1e30, 0.0, 0.0, 0.0)
            gloo.clear(color=True, depth=True)
            self.meshes.draw(clip @ matrix, origin, model, mode="sun", items="opaque", extra=forward)
        uniforms = {"u_sun_direction": self.sun.direction.astype(np.float32), "u_sun_shadow": self.texture,
                    "u_sun_matrix": matrix.astype(np.float32).T, "u_sun_texel": 2.0 * radius / n}  # fmt: skip
        if self.translucent is not None:
            with self._translucent_fbo:
                gloo.set_viewport(0, 0, TRANSLUCENT_SIZE, TRANSLUCENT_SIZE)
                glir.command("FUNC", "glClearColor", 1e30, 0.0, 0.0, 1.0)  # nothing in front, all through
                gloo.clear(color=True)
                size = {"u_viewport": np.full(2, TRANSLUCENT_SIZE, np.float32)}
                self.meshes.draw(clip @ matrix, origin, model, mode="sun_translucent", items="blended",
                                 extra={**forward, **uniforms, **size})  # fmt: skip
            uniforms["u_sun_translucent"] = self.translucent
        gloo.set_clear_color((0.0, 0.0, 0.0, 0.0))  # what every other clear expects
        self.meshes.sun_shadow = uniforms
        self.bakes += 1

    def bounds(self, frame: FrameContext) -> DrawnBounds:
        """Nothing in the frame: the map is only read."""
        return DrawnBounds(np.zeros((0, 3)))

    def draw(self, frame: FrameContext, target: Target) -> None:
        """Nothing: the model's passes read the map."""
