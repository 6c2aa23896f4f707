"""The model's own lights (KHR_lights_punctual) for one frame: which nodes carry them and their
world-space positions, directions, colours and cone terms as the mesh shader reads them.
"""
from __future__ import annotations

import numpy as np

from ..scene.animation import Pose
from ..scene.model import Scene

MAX_LIGHTS = 8  # matches the array size in mesh.frag


def light_nodes(scene: Scene) -> list[int]:
    return [i for i, n in enumerate(scene.nodes) if n.light is not None][:MAX_LIGHTS]


def light_uniforms(scene: Scene, pose: Pose, model: np.ndarray) -> dict:
    """KHR_lights_punctual lights in world space for one frame (they move with the model)."""
    out = {}
    for k, idx in enumerate(light_nodes(scene)):
        light = scene.lights[scene.nodes[idx].light]
        m = model @ pose.world.get(idx, np.eye(4))
        forward = -m[:3, 2] / max(np.linalg.norm(m[:3, 2]), 1e-12)  # lights shine down their local -Z
        if light.type == "directional":
            pos = np.r_[-forward, 0.0]
        else:
            pos = np.r_[m[:3, 3], 1.0]
        cos_in, cos_out = np.cos(light.inner_cone_angle), np.cos(light.outer_cone_angle)
        scale = 1.0 / max(1e-3, cos_in - cos_out)
        out[f"u_light_pos[{k}]"] = pos.astype(np.float32)
        out[f"u_light_color[{k}]"] = (np.asarray(light.color) * light.intensity).astype(np.float32)
        out[f"u_light_spot[{k}]"] = np.r_[forward, 1.0 if light.type == "spot" else 0.0].astype(np.float32)
        out[f"u_light_cone[{k}]"] = np.array([light.range or 0.0, scale, -cos_out * scale], np.float32)
    return out
