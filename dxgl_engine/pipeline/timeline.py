"""A timeline: one scene, one settings object, every frame of the video renderable on its own.

The pipeline, the desktop preview and the notebook widgets all go through `Timeline`: it applies the
material variant, resolves the animation, places and frames the model over the whole effect path and
every pose the animation takes, and renders the frame at any index or any t in [0, 1] without
rendering the ones before it.
"""
from __future__ import annotations

import numpy as np

from ..lighting.look import Look
from ..motion import camera_paths
from ..motion.camera import Shot
from ..motion.framing import frame_timeline
from ..render import gl_context
from ..render.backdrop import Backdrop
from ..render.floor import Floor, FloorExtent
from ..render.renderer import SSAA, Renderer
from ..render_files import RenderFiles
from ..scene.animation import Player, resolve_animation
from ..scene.model import Scene
from ..scene.transforms import transform_points
from ..scene.variants import with_material_variant
from ..settings import Settings
from ..tiers import FPS


class Timeline:
    """`size` overrides the tier's pixel size; `ssaa` the supersampling factor (a live preview
    may draw at 1 while playing). With `offscreen` False the renderer is built in whatever GL
    context is current (the desktop app's canvas) instead of the process's EGL context."""

    def __init__(self, scene: Scene, settings: Settings, size: tuple[int, int] | None = None, *,
                 ssaa: int = SSAA, offscreen: bool = True, files: RenderFiles | None = None):
        # The one place a material variant is applied: every render path builds a Timeline.
        scene = with_material_variant(scene, settings.material_variant)
        self.scene, self.settings = scene, settings
        self.files = files or RenderFiles()
        self.width, self.height = size or settings.size
        self.frame_count = settings.frame_count
        self.player = Player(scene, resolve_animation(scene, settings.animation), settings.animation_speed)
        self.framing, world_points = frame_timeline(scene, settings, self.width / self.height, self.player)
        if offscreen:
            gl_context.offscreen_context()
        # The model's hull in scene space bounds what a frame draws; an animation can leave the
        # hull of its sampled poses between samples, so animated scenes are drawn whole.
        hull = None if self.player.animation else transform_points(np.linalg.inv(self.framing.model), world_points)
        self.renderer = Renderer(
            scene, self.width, self.height, ssaa=ssaa, look=Look.from_settings(settings, self.files.environment),
            pose=self.player.pose(0.0), moving=self.moving_nodes(), floor=Floor.from_settings(settings),
            extent=FloorExtent.around(world_points), hull=hull,
        )
        self.backdrop = Backdrop.from_settings(settings, self.files.background_image,
                                               self.files.foreground_image)  # fmt: skip

    def moving_nodes(self) -> set[int]:
        """Nodes the animation drives, with everything below them."""
        moving, stack = set(), list(self.player.animated_nodes)
        while stack:
            n = stack.pop()
            if n not in moving:
                moving.add(n)
                stack.extend(self.scene.nodes[n].children)
        return moving

    def path_time(self, index: int) -> float:
        return float(camera_paths.frame_times(self.frame_count, camera_paths.loops(self.settings))[index])

    def video_seconds(self, index: int) -> float:
        return index / FPS

    def frame(self, index: int, background: tuple[int, int, int] | None = None) -> np.ndarray:
        """Frame `index` of the video (0-based)."""
        if not 0 <= index < self.frame_count:
            raise IndexError(f"frame {index} outside 0..{self.frame_count - 1}")
        return self.render(self.path_time(index), self.video_seconds(index), background)

    def frames(self, index: int, outputs: list[tuple]) -> list[np.ndarray]:
        """Frame `index` drawn once and composited for each (backdrop, level) output: None for a
        transparent frame, level k for one 2^k times smaller."""
        if not 0 <= index < self.frame_count:
            raise IndexError(f"frame {index} outside 0..{self.frame_count - 1}")
        t, seconds = self.path_time(index), self.video_seconds(index)
        view = self.framing.view(camera_paths.shot_at(self.settings, t), self.width, self.height, self.settings.zoom)
        return self.renderer.render_many(view, outputs, self.player.pose(seconds) if self.player.animation else None)

    def frame_at(self, t: float, background: tuple[int, int, int] | None = None) -> np.ndarray:
        """The frame at normalised time t in [0, 1] (scrubbing: any t, in any order); at
        t = path_time(i) it is exactly frame i."""
        t = min(max(float(t), 0.0), 1.0)
        span = self.frame_count if camera_paths.loops(self.settings) else max(self.frame_count - 1, 1)
        return self.render(t, t * span / FPS, background)

    def render(self, effect_t: float, seconds: float, background=None) -> np.ndarray:
        return self.render_shot(camera_paths.shot_at(self.settings, effect_t), seconds, background)

    def render_shot(self, shot: Shot, seconds: float, background=None) -> np.ndarray:
        """Any camera pose (e.g. a mouse orbit while paused) with the animation's pose at `seconds`."""
        view = self.framing.view(shot, self.width, self.height, self.settings.zoom)
        pose = self.player.pose(seconds) if self.player.animation else None
        return self.renderer.render(view, background, pose)
