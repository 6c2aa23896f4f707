"""glTF animation playback: keyframe sampling (STEP, LINEAR with quaternion slerp, CUBICSPLINE)
and the pose of a scene at any time, so a frame can be rendered without the ones before it.

Formulas follow the glTF 2.0 specification, appendix C (interpolation).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import InvalidSettings
from .model import Animation, AnimationSampler, Scene
from .transforms import trs_matrix


def sample(sampler: AnimationSampler, time: float, rotation: bool = False) -> np.ndarray:
    """The sampler's value at `time` (clamped to its keyframe range)."""
    times = sampler.input
    cubic = sampler.interpolation == "CUBICSPLINE"
    values = sampler.output[1::3] if cubic else sampler.output
    n = len(times)
    if n == 1 or time <= times[0]:
        return _unit(values[0]) if rotation else values[0].copy()
    if time >= times[-1]:
        return _unit(values[-1]) if rotation else values[-1].copy()
    k = int(np.searchsorted(times, time, side="right")) - 1
    k = min(max(k, 0), n - 2)
    t0, t1 = float(times[k]), float(times[k + 1])
    dt = t1 - t0
    u = (time - t0) / dt if dt > 0 else 0.0
    if sampler.interpolation == "STEP":
        out = values[k].copy()
    elif cubic:
        out = _hermite(sampler.output, k, u, dt)
    elif rotation:
        out = slerp(values[k], values[k + 1], u)
    else:
        out = (1.0 - u) * values[k] + u * values[k + 1]
    return _unit(out) if rotation else out


def slerp(q0: np.ndarray, q1: np.ndarray, u: float) -> np.ndarray:
    """Spherical interpolation along the shorter arc (quaternions x, y, z, w)."""
    q0, q1 = np.asarray(q0, np.float64), np.asarray(q1, np.float64)
    d = float(np.dot(q0, q1))
    if d < 0.0:
        q1, d = -q1, -d
    if d > 0.9995:  # nearly parallel: linear is exact enough and avoids dividing by sin(0)
        return _unit((1.0 - u) * q0 + u * q1)
    theta = np.arccos(d)
    s = np.sin(theta)
    return (np.sin((1.0 - u) * theta) * q0 + np.sin(u * theta) * q1) / s


def _hermite(output: np.ndarray, k: int, u: float, dt: float) -> np.ndarray:
    """Cubic Hermite spline between keyframes k and k+1; tangents are scaled by the interval."""
    v0, b0 = output[3 * k + 1], output[3 * k + 2]  # value and out-tangent of keyframe k
    a1, v1 = output[3 * (k + 1)], output[3 * (k + 1) + 1]  # in-tangent and value of keyframe k+1
    u2, u3 = u * u, u * u * u
    return (
        (2 * u3 - 3 * u2 + 1) * v0
        + (u3 - 2 * u2 + u) * dt * b0
        + (-2 * u3 + 3 * u2) * v1
        + (u3 - u2) * dt * a1
    )


def _unit(q: np.ndarray) -> np.ndarray:
    return np.asarray(q, np.float64) / max(float(np.linalg.norm(q)), 1e-12)


def resolve_animation(scene: Scene, name: str | None) -> int | None:
    """Index of the animation a render asks for: None for none, "*" for the first, else by name.

    An unknown name, or an animation asked of a model without any, is an invalid_settings error that
    lists what the model has."""
    if name is None:
        return None
    names = [a.name for a in scene.animations]
    if not names:
        raise InvalidSettings(f"animation '{name}' was requested but the model has no animations", "animation")
    if name == "*":
        return 0
    if name in names:
        return names.index(name)
    listed = ", ".join(f"'{n}'" for n in names)
    raise InvalidSettings(f"animation '{name}' is not in the model; its animations are: {listed}", "animation")


@dataclass
class Pose:
    """A scene at one moment: every node's world matrix and the morph weights of animated nodes."""

    world: dict[int, np.ndarray]
    weights: dict[int, np.ndarray] = field(default_factory=dict)  # node -> morph weights


class Player:
    """Samples one animation of a scene. Pure in time: `pose(t)` needs no earlier call (scrubbing)."""

    def __init__(self, scene: Scene, animation: int | None, speed: float = 1.0):
        self.scene = scene
        self.animation: Animation | None = scene.animations[animation] if animation is not None else None
        self.speed = speed

    @property
    def duration(self) -> float:
        return self.animation.duration if self.animation else 0.0

    @property
    def animated_nodes(self) -> set[int]:
        """Nodes whose transform or weights the animation drives."""
        return {c.node for c in self.animation.channels} if self.animation else set()

    def animation_time(self, video_seconds: float) -> float:
        """Animation time for a moment of the video: scaled by the speed, looping over [0, duration)
        (as glTF viewers play an animation) when it is shorter than the video."""
        if not self.animation or self.duration <= 0:
            return 0.0
        return (video_seconds * self.speed) % self.duration

    def pose(self, video_seconds: float) -> Pose:
        scene = self.scene
        if not self.animation:
            return Pose(scene.world_matrices(), self._static_weights(set()))
        time = self.animation_time(video_seconds)
        trs: dict[int, dict[str, np.ndarray]] = {}
        weights: dict[int, np.ndarray] = {}
        for ch in self.animation.channels:
            value = sample(self.animation.samplers[ch.sampler], time, rotation=ch.path == "rotation")
            if ch.path == "weights":
                weights[ch.node] = np.asarray(value, np.float64)
            else:
                trs.setdefault(ch.node, {})[ch.path] = value
        local = {}
        for idx, parts in trs.items():
            node = scene.nodes[idx]
            if node.matrix is not None:  # the spec forbids animating matrix nodes; keep the matrix
                continue
            local[idx] = trs_matrix(
                parts.get("translation", node.translation),
                parts.get("rotation", node.rotation),
                parts.get("scale", node.scale),
            )
        weights.update(self._static_weights(set(weights)))
        return Pose(scene.world_matrices(local), weights)

    def _static_weights(self, skip: set[int]) -> dict[int, np.ndarray]:
        """Node or mesh default morph weights for mesh nodes the animation does not drive."""
        out = {}
        for idx, node in enumerate(self.scene.nodes):
            if idx in skip or node.mesh is None:
                continue
            w = node.weights if node.weights is not None else self.scene.meshes[node.mesh].weights
            if w is not None:
                out[idx] = np.asarray(w, np.float64)
        return out

    def sample_times(self, length: float, samples: int = 48) -> np.ndarray:
        """Video moments covering every pose the animation takes during a video of `length` seconds."""
        if not self.animation:
            return np.zeros(1)
        span = min(length, self.duration / max(self.speed, 1e-9) if self.duration > 0 else 0.0)
        keys = np.concatenate([s.input for s in self.animation.samplers])
        key_moments = keys / max(self.speed, 1e-9)
        uniform = np.linspace(0.0, span, samples)
        return np.unique(np.concatenate([uniform, key_moments[(key_moments >= 0) & (key_moments <= span)]]))
