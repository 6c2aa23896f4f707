"""The Khronos Render Fidelity scenarios as data: model, camera, image size, environment.

`../shared/fidelity/scenarios.json` holds each scenario's camera as the Render Fidelity generator
defines it (KhronosGroup/glTF-Render-Fidelity-Generator, test/config.json with the defaults of its
config reader): model-viewer's spherical orbit around a target, theta the azimuth about +Y measured
from +Z, phi the polar angle from +Y, both in degrees, the radius in model units; a vertical field
of view in degrees; the image size in pixels. Missing keys take the file's defaults.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
FIDELITY = SHARED / "fidelity"
ENVIRONMENTS = ("chinese_garden_1k.hdr", "qwantani_afternoon_puresky_1k.hdr")


@dataclass(frozen=True)
class Scenario:
    """One scenario: `model` a file path; `eye`/`target` points in model units (glTF, Y up);
    `fov_y` degrees; `size` (width, height) pixels."""

    name: str
    model: Path
    eye: tuple[float, float, float]
    target: tuple[float, float, float]
    fov_y: float
    size: tuple[int, int]

    def scaled(self, factor: float) -> "Scenario":
        """The same view at `factor` times the pixels (each side at least 64)."""
        w, h = (max(64, round(v * factor)) for v in self.size)
        return Scenario(self.name, self.model, self.eye, self.target, self.fov_y, (w, h))


def orbit_eye(target: tuple[float, float, float], theta: float, phi: float, radius: float) -> tuple[float, float, float]:
    """model-viewer's camera-orbit: the eye at `radius` from `target`, polar angle `phi` from +Y and
    azimuth `theta` about +Y from +Z (degrees)."""
    t, p = math.radians(theta), math.radians(phi)
    x, y, z = target
    return (x + radius * math.sin(p) * math.sin(t), y + radius * math.cos(p), z + radius * math.sin(p) * math.cos(t))


def load_scenarios(path: Path = FIDELITY / "scenarios.json", names: list[str] | None = None) -> list[Scenario]:
    """The scenarios of `path` (all, or those named), in the file's order. Raises FileNotFoundError
    when the file is absent and KeyError for an unknown name."""
    doc = json.loads(path.read_text())
    defaults = doc["defaults"]
    table = doc["scenarios"]
    out = []
    for name in names or list(table):
        raw = table[name]
        target = {**defaults["target"], **raw.get("target", {})}
        orbit = {**defaults["orbit"], **raw.get("orbit", {})}
        size = {**defaults["dimensions"], **raw.get("dimensions", {})}
        centre = (float(target.get("x", 0)), float(target.get("y", 0)), float(target.get("z", 0)))
        out.append(Scenario(name, path.parent.parent / raw["model"], orbit_eye(centre, orbit["theta"], orbit["phi"],
                                                                                orbit["radius"]),
                            centre, float(raw.get("verticalFoV", defaults["verticalFoV"])),
                            (int(size["width"]), int(size["height"]))))  # fmt: skip
    return out
