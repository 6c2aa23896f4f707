"""The look of a render: environment lighting, exposure and tone mapping, and the model's own
punctual lights, as GPU resources and uniforms the mesh shader reads.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from vispy import gloo

from ..scene.animation import Pose
from ..scene.model import Scene
from .environment import environment
from .ibl import BAND_SCALE, IBL, LEVELS, bake

MAX_LIGHTS = 8  # matches the array size in mesh.frag


@dataclass(frozen=True)
class Look:
    """`environment` is a built-in name ("studio", "neutral") or a path to a .hdr file."""

    environment: str = "studio"
    exposure: float = 1.0
    tone_mapping: str = "neutral"  # neutral | aces

    @classmethod
    def from_settings(cls, settings, environment_path: str | None = None) -> "Look":
        return cls(environment_path or settings.environment, settings.exposure, settings.tone_mapping)

    @property
    def features(self) -> frozenset[str]:
        return frozenset({"TONEMAP_ACES"} if self.tone_mapping == "aces" else ())


@lru_cache(maxsize=4)
def lighting(name_or_path: str) -> IBL:
    """The baked tables of an environment (memoised per process, cached on disk across runs)."""
    return bake(environment(name_or_path))


class LookGPU:
    """The environment's textures and the uniforms every mesh program variant needs."""

    def __init__(self, look: Look):
        self.look = look
        ibl = lighting(look.environment)
        spec = ibl.specular.astype(np.float32)
        self.env = gloo.Texture3D(spec, interpolation="linear", internalformat="rgb16f",
                                  wrapping="clamp_to_edge")  # octahedral maps, one slice per roughness
        lut = np.concatenate([ibl.lut, np.zeros(ibl.lut.shape[:2] + (1,), np.float32)], -1)
        self.lut = gloo.Texture2D(lut, interpolation="linear", internalformat="rgb32f", wrapping="clamp_to_edge")
        self.sh = (ibl.sh * BAND_SCALE[:, None]).astype(np.float32)

    def uniforms(self) -> dict:
        out = {"u_env": self.env, "u_env_levels": float(LEVELS), "u_brdf_lut": self.lut,
               "u_exposure": float(self.look.exposure)}  # fmt: skip
        out.update({f"u_sh[{k}]": self.sh[k] for k in range(9)})
        return out


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
