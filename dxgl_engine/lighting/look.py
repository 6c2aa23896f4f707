"""The look of a render: the environment that lights it, exposure and tone mapping (`Look`), and
the environment's baked tables, memoised per process (`lighting`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .environment import environment
from .ibl import IBL, bake


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
