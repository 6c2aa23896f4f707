"""A still from any camera placed in the model's own coordinates: what a comparison with other
renderers needs (the Khronos Render Fidelity scenarios give an eye, a target and a field of view in
model units), where videos frame the model themselves.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..lighting.look import Look
from ..motion.camera import View
from ..render import gl_context
from ..render.backdrop import Backdrop
from ..render.renderer import SSAA, Renderer
from ..scene.model import Scene
from ..scene.animation import Player, resolve_animation
from ..scene.posed import posed_points
from ..scene.transforms import look_at, perspective


@dataclass(frozen=True)
class Camera:
    """A perspective camera in the model's coordinates: `eye` and `target` are points in model
    units (glTF: Y up), `fov_y` the vertical field of view in degrees."""

    eye: tuple[float, float, float]
    target: tuple[float, float, float]
    fov_y: float = 45.0


def render_still(scene: Scene, camera: Camera, width: int, height: int, *, look: Look | None = None,
                 background: Backdrop | tuple[int, int, int] | None = None, ssaa: int = SSAA,
                 animation: str | None = None, seconds: float = 0.0) -> np.ndarray:
    """(height, width, 4) uint8 RGBA, top row first: the model unmoved (no placement on a floor, no
    shadow or reflection), at rest or posed by its `animation` clip ("*" for the first) at
    `seconds`, seen by `camera`, lit by `look`, over `background` (None: straight alpha). Uses the
    process's headless GL context. Raises RenderFailed when the model has nothing to draw or the
    driver refuses a target, InvalidSettings for a clip the model lacks."""
    from ..errors import RenderFailed

    player = Player(scene, resolve_animation(scene, animation))
    pose = player.pose(seconds)
    points = posed_points(scene, pose)
    if len(points) == 0:
        raise RenderFailed("model has no geometry to draw")
    eye, target = np.asarray(camera.eye, np.float64), np.asarray(camera.target, np.float64)
    distance = float(np.linalg.norm(eye - target))
    if distance <= 0:
        raise ValueError("the camera's eye and target are the same point")
    radius = float(np.linalg.norm(points - target, axis=1).max())
    near = max(distance - radius * 1.01, distance * 1e-3, 1e-5)
    far = distance + radius * 1.01
    gl_context.offscreen_context()
    renderer = Renderer(scene, width, height, ssaa=ssaa, look=look or Look(), pose=pose)
    view = View(view=look_at(eye, target), proj=perspective(camera.fov_y, width / height, near, far), eye=eye,
                model=np.eye(4), width=width, height=height)
    return renderer.render(view, background)
