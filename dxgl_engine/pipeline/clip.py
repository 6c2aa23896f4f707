"""A clip: one scene, one settings object, every frame renderable on its own.

The pipeline, the desktop preview and the notebook widgets all go through `Clip`: it resolves the
animation, places and frames the model over the whole effect path and every pose the animation
takes, and renders the frame at any index or any t in [0, 1] without rendering the ones before it.
"""
from __future__ import annotations

import numpy as np

from ..errors import RenderFailed
from ..lighting.look import Look
from ..motion import effects
from ..motion.camera import Framing, Shot, fit, model_placement
from ..render import gl_context
from ..render.compositing import Backdrop
from ..render.floor import FloorExtent, Stage
from ..render.renderer import SSAA, Renderer
from ..resources import Resources
from ..scene.animation import Player, Pose, resolve_clip
from ..scene.deform import posed_points
from ..scene.model import Scene, _reduce_to_hull
from ..scene.transforms import transform_points
from ..settings import FPS, Settings

SHADOW_MARGIN = 0.2  # of the model's height: room for the soft shadow's fade around its footprint


class Clip:
    """`size` overrides the tier's pixel size; `ssaa` the supersampling factor (a live preview
    may draw at 1 while playing). With `offscreen` False the renderer is built in whatever GL
    context is current (the desktop app's canvas) instead of the process's EGL context."""

    def __init__(self, scene: Scene, settings: Settings, size: tuple[int, int] | None = None, *,
                 ssaa: int = SSAA, offscreen: bool = True, resources: Resources | None = None):
        self.scene, self.settings = scene, settings
        self.resources = resources or Resources()
        self.width, self.height = size or settings.size
        self.frame_count = settings.frame_count
        self.player = Player(scene, resolve_clip(scene, settings.animation), settings.animation_speed)
        self.framing, world_points = frame_clip(scene, settings, self.width / self.height, self.player)
        if offscreen:
            gl_context.offscreen_context()
        self.renderer = Renderer(
            scene, self.width, self.height, ssaa=ssaa, look=Look.from_settings(settings, self.resources.environment),
            pose=self.player.pose(0.0), moving=self.moving_nodes(), stage=Stage.from_settings(settings),
            extent=FloorExtent.around(world_points),
        )
        self.backdrop = Backdrop.from_settings(settings, self.resources.background_image,
                                               self.resources.foreground_image)  # fmt: skip

    def moving_nodes(self) -> set[int]:
        """Nodes the clip drives, with everything below them."""
        moving, stack = set(), list(self.player.animated_nodes)
        while stack:
            n = stack.pop()
            if n not in moving:
                moving.add(n)
                stack.extend(self.scene.nodes[n].children)
        return moving

    def effect_time(self, index: int) -> float:
        return float(effects.frame_times(self.frame_count, effects.loops(self.settings))[index])

    def video_seconds(self, index: int) -> float:
        return index / FPS

    def frame(self, index: int, background: tuple[int, int, int] | None = None) -> np.ndarray:
        """Frame `index` of the clip (0-based)."""
        if not 0 <= index < self.frame_count:
            raise IndexError(f"frame {index} outside 0..{self.frame_count - 1}")
        return self.render(self.effect_time(index), self.video_seconds(index), background)

    def frames(self, index: int, outputs: list[tuple]) -> list[np.ndarray]:
        """Frame `index` drawn once and composited for each (backdrop, level) output: None for a
        transparent frame, level k for one 2^k times smaller."""
        if not 0 <= index < self.frame_count:
            raise IndexError(f"frame {index} outside 0..{self.frame_count - 1}")
        t, seconds = self.effect_time(index), self.video_seconds(index)
        view = self.framing.view(effects.shot_at(self.settings, t), self.width, self.height, self.settings.zoom)
        return self.renderer.render_many(view, outputs, self.player.pose(seconds) if self.player.clip else None)

    def frame_at(self, t: float, background: tuple[int, int, int] | None = None) -> np.ndarray:
        """The frame at normalised time t in [0, 1] (scrubbing: any t, in any order); at
        t = effect_time(i) it is exactly frame i."""
        t = min(max(float(t), 0.0), 1.0)
        span = self.frame_count if effects.loops(self.settings) else max(self.frame_count - 1, 1)
        return self.render(t, t * span / FPS, background)

    def render(self, effect_t: float, seconds: float, background=None) -> np.ndarray:
        return self.render_shot(effects.shot_at(self.settings, effect_t), seconds, background)

    def render_shot(self, shot: Shot, seconds: float, background=None) -> np.ndarray:
        """Any camera pose (e.g. a mouse orbit while paused) with the clip's pose at `seconds`."""
        view = self.framing.view(shot, self.width, self.height, self.settings.zoom)
        pose = self.player.pose(seconds) if self.player.clip else None
        return self.renderer.render(view, background, pose)


def frame_clip(scene: Scene, settings: Settings, aspect: float, player: Player | None = None
               ) -> tuple[Framing, np.ndarray]:
    """Place the model (tilt/pan/roll about its centre, standing on the floor) and fit the camera
    distance to the whole effect path and every pose of the animation, so that no frame at zoom 1
    clips it. Also returns the placed hull points (world space) of every pose."""
    player = player or Player(scene, resolve_clip(scene, settings.animation), settings.animation_speed)
    points = clip_hull(scene, [player.pose(s) for s in player.sample_times(settings.length)])
    if len(points) == 0:
        raise RenderFailed("model has no geometry to frame")
    placement = model_placement(points, settings.tilt_x, settings.pan_x, settings.roll_z)
    # The footprint is framed whether or not shadows are on, so toggling them never moves the product
    # (datasets have no floor: their object fills the views).
    margin = None if settings.is_dataset else SHADOW_MARGIN
    return fit(points, effects.path(settings), aspect, placement, margin), transform_points(placement, points)


def clip_hull(scene: Scene, poses: list[Pose]) -> np.ndarray:
    """Hull points of the model over several poses: what framing and placement need."""
    hulls = [_reduce_to_hull(posed_points(scene, p), 4096) for p in poses]
    return _reduce_to_hull(np.concatenate(hulls), 4096) if hulls else np.zeros((0, 3))
