"""The look of a render: the environment that lights it, exposure and tone mapping (`Look`), and
the environment's baked tables, memoised per process (`lighting`).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from .environment import environment
from .ibl import IBL, bake
from .sun import extract_sun


TONE_MAPPINGS = ("neutral", "aces", "none")


@dataclass(frozen=True)
class Look:
    """`environment` is a built-in name ("studio", "neutral") or a path to a .hdr file.

    The product look calibrates every environment (a matte patch facing the camera shows its base
    colour) and tone-maps with `tone_mapping` ("neutral" or "aces", the setting's choices). A
    comparison with a path tracer needs its units and curve instead: `calibrated=False` lights with
    the panorama's own radiance, as Blender's world strength 1 does, and "none" only clips, as
    Blender's "Standard" view transform does (library use only; the setting does not offer it).
    Raises ValueError for an unknown tone mapping."""

    environment: str = "studio"
    exposure: float = 1.0
    tone_mapping: str = "neutral"
    calibrated: bool = True

    def __post_init__(self):
        if self.tone_mapping not in TONE_MAPPINGS:
            raise ValueError(f"tone_mapping must be one of {', '.join(TONE_MAPPINGS)}, not {self.tone_mapping!r}")

    @classmethod
    def from_settings(cls, settings, environment_path: str | None = None) -> "Look":
        return cls(environment_path or settings.environment, settings.exposure, settings.tone_mapping)

    @property
    def features(self) -> frozenset[str]:
        """Shader defines: the tone curve (TONEMAP_ACES, TONEMAP_NONE; Neutral by default), and
        under Neutral DIELECTRIC_KEEPS_F0: the curve subtracts a dielectric's f0 of 0.04, so a
        rough dielectric must reflect it (shaders/ibl.glsl, specular_albedo, has the figures)."""
        if self.tone_mapping == "neutral":
            return frozenset({"DIELECTRIC_KEEPS_F0"})
        return frozenset({f"TONEMAP_{self.tone_mapping.upper()}"})


@lru_cache(maxsize=4)
def lighting(name_or_path: str, calibrated: bool = True) -> IBL:
    """The baked tables of an environment (memoised per process, cached on disk across runs), with
    its sun, where it has one, taken out of them as a directional light (lighting/sun.py)."""
    residual, sun = extract_sun(environment(name_or_path, calibrated))
    return replace(bake(residual), sun=sun)
