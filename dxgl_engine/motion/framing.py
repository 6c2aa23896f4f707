"""Framing: where the model stands, and how far away the camera must be so that no frame of a camera
path clips it.

The model is centred on the origin in X/Z and stands on the floor (min Y = 0). Shots orbit a
target at the model's centre. The fit is exact for a perspective camera: for a point at camera
coordinates (x, y, z) relative to the target, the distance d keeps it inside the frame when
d >= z + |x| / (m·tan(fov_x/2)) and d >= z + |y| / (m·tan(fov_y/2)), with m the fill margin.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import RenderFailed
from ..scene.animation import Player, Pose, resolve_animation
from ..scene.model import Scene
from ..scene.posed import posed_points, reduce_to_hull
from ..scene.transforms import look_at, perspective, rotation_x, rotation_y, rotation_z, transform_points, translation
from ..settings import Settings
from . import camera_paths
from .camera import Shot, View, direction

FOV_SHORT_SIDE = 30.0  # degrees across the frame's short side: a product-photography lens


FILL = 0.86  # the model's silhouette may reach 86% of the half-frame: nothing touches the border


@dataclass
class Framing:
    """The model's placement and the camera distance fitted to a whole camera path."""

    model: np.ndarray  # scene -> world, before any per-shot scale
    target: np.ndarray  # world point the camera looks at
    radius: float  # bounding-sphere radius around the target
    distance: float  # fitted distance for Shot.distance == 1 at zoom 1
    fov_y: float
    aspect: float

    def view(self, shot: Shot, width: int, height: int, zoom: float = 1.0) -> View:
        d = self.distance * shot.distance * zoom
        eye = self.target + d * direction(shot.azimuth, shot.elevation)
        near = max(d - 2.0 * self.radius, 0.01 * self.radius, 1e-4)
        far = d + 4.0 * self.radius
        model = self.model
        if shot.model_scale != 1.0:
            s = max(shot.model_scale, 1e-6)
            model = _scale_about_floor(s) @ model
        return View(
            view=look_at(eye, self.target),
            proj=perspective(self.fov_y, self.aspect, near, far),
            eye=eye,
            model=model,
            width=width,
            height=height,
        )


def fov_y_for(aspect: float) -> float:
    """Vertical field of view giving FOV_SHORT_SIDE across the short side of the frame."""
    if aspect >= 1.0:
        return FOV_SHORT_SIDE
    half = np.radians(FOV_SHORT_SIDE) / 2.0
    return float(np.degrees(2.0 * np.arctan(np.tan(half) / aspect)))


def model_placement(points: np.ndarray, tilt_x: float = 0.0, pan_x: float = 0.0, roll_z: float = 0.0) -> np.ndarray:
    """Scene -> world matrix: rotate about the model's centre (tilt, then pan, and roll), then move
    it so that it is centred in X/Z and stands on the floor."""
    lo, hi = points.min(0), points.max(0)
    centre = (lo + hi) / 2.0
    rot = rotation_y(pan_x) @ rotation_x(tilt_x) @ rotation_z(roll_z)
    m = rot @ translation(-centre)
    placed = transform_points(m, points)
    plo, phi = placed.min(0), placed.max(0)
    return translation((-(plo[0] + phi[0]) / 2.0, -plo[1], -(plo[2] + phi[2]) / 2.0)) @ m


def fit(points: np.ndarray, shots: list[Shot], aspect: float, placement: np.ndarray | None = None,
        floor_margin: float | None = None) -> Framing:
    """Frame a model (its hull points in scene space) for every shot of a camera path. With
    `floor_margin` (a fraction of the model's height) the model's footprint on the floor, grown by
    that margin, is kept in frame too, so a ground shadow is not cut by the frame's edge."""
    placement = model_placement(points) if placement is None else placement
    world = transform_points(placement, points)
    if floor_margin is not None:
        world = np.vstack([world, footprint(world, floor_margin)])
    lo, hi = world.min(0), world.max(0)
    target = np.array([0.0, (lo[1] + hi[1]) / 2.0, 0.0])
    radius = float(np.linalg.norm(world - target, axis=1).max()) or 1.0
    fov_y = fov_y_for(aspect)
    tan_y = np.tan(np.radians(fov_y) / 2.0) * FILL
    tan_x = np.tan(np.radians(fov_y) / 2.0) * aspect * FILL
    needed = 0.0
    for shot in shots:
        scaled = _scale_about_floor(shot.model_scale)
        rel = transform_points(scaled, world) - target
        f = direction(shot.azimuth, shot.elevation)  # from target towards the camera
        right = np.cross((0.0, 1.0, 0.0), f)
        if np.linalg.norm(right) < 1e-9:  # straight above or below: any horizontal axis will do
            right = np.array([1.0, 0.0, 0.0])
        right /= np.linalg.norm(right)
        up = np.cross(f, right)
        x, y, z = rel @ right, rel @ up, rel @ f
        d = max(float(np.max(z + np.abs(x) / tan_x)), float(np.max(z + np.abs(y) / tan_y)))
        needed = max(needed, d / max(shot.distance, 1e-6))
    # Never closer than just outside the bounding sphere, so the near plane stays in front.
    distance = max(needed, radius * 1.05)
    return Framing(placement, target, radius, distance, fov_y, aspect)


def footprint(world: np.ndarray, margin: float) -> np.ndarray:
    """The model's outline dropped onto the floor (y = 0) and pushed out by `margin` x its height."""
    grow = margin * float(np.ptp(world[:, 1]))
    flat = world[:, [0, 2]]
    radius = np.linalg.norm(flat, axis=1, keepdims=True)
    pushed = flat * (1.0 + grow / np.maximum(radius, 1e-9))
    return np.column_stack([pushed[:, 0], np.zeros(len(pushed)), pushed[:, 1]])


def _scale_about_floor(s: float) -> np.ndarray:
    m = np.eye(4)
    m[[0, 1, 2], [0, 1, 2]] = s
    return m


SHADOW_MARGIN = 0.2  # of the model's height: room for the soft shadow's fade around its footprint


def frame_timeline(scene: Scene, settings: Settings, aspect: float, player: Player | None = None
               ) -> tuple[Framing, np.ndarray]:
    """Place the model (tilt/pan/roll about its centre, standing on the floor) and fit the camera
    distance to the whole effect path and every pose of the animation, so that no frame at zoom 1
    clips it. Also returns the placed hull points (world space) of every pose."""
    player = player or Player(scene, resolve_animation(scene, settings.animation), settings.animation_speed)
    points = hull_over_poses(scene, [player.pose(s) for s in player.sample_times(settings.length)])
    if len(points) == 0:
        raise RenderFailed("model has no geometry to frame")
    placement = model_placement(points, settings.tilt_x, settings.pan_x, settings.roll_z)
    # The footprint is framed whether or not shadows are on, so toggling them never moves the product
    # (datasets have no floor: their object fills the views).
    margin = None if settings.is_dataset else SHADOW_MARGIN
    return fit(points, camera_paths.sample_shots(settings), aspect, placement, margin), transform_points(placement, points)


def hull_over_poses(scene: Scene, poses: list[Pose]) -> np.ndarray:
    """Hull points of the model over several poses: what framing and placement need."""
    hulls = [reduce_to_hull(posed_points(scene, p), 4096) for p in poses]
    return reduce_to_hull(np.concatenate(hulls), 4096) if hulls else np.zeros((0, 3))
