"""The one settings model: every render setting of the API reference, its default, range and
error message, validated into a `Settings` value; prices and sizes come from `tiers`.

The API's schemas, the CLI, the desktop panel and the notebook widgets are generated from
`FIELDS` or validate through `Settings.from_json`; nothing else holds a range or a price.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from .errors import InvalidSettings
from .tiers import ASPECTS, DATASET_TIERS, FPS, MAX_LENGTH, TIERS, DatasetTier, Tier, output_size

EFFECTS = ("turntable", "hero-spin", "showcase", "zoom-orbit", "reveal", "dataset")
ENVIRONMENTS = ("studio", "neutral")
TONE_MAPPINGS = ("neutral", "aces")
ANCHORS = (
    "top-left", "top-center", "top-right",
    "center-left", "center", "center-right",
    "bottom-left", "bottom-center", "bottom-right",
)  # fmt: skip

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class FieldSpec:
    """One setting as the API reference defines it. `effects` limits effect-specific parameters
    (front-ends show them only for those effects); `extension` marks settings beyond the reference."""

    key: str  # JSON name
    attr: str  # Python attribute
    kind: str  # enum | number | integer | boolean | color | string
    default: Any
    description: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    effects: tuple[str, ...] | None = None
    extension: bool = False


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("quality", "quality", "enum", "share", "Quality tier", choices=tuple(TIERS)),
    FieldSpec("effect", "effect", "enum", "turntable", "Camera path", choices=EFFECTS),
    FieldSpec("sweepAngle", "sweep_angle", "number", None,
              "Sweep angle in degrees (turntable 360, hero-spin 540, reveal 180)", 10, 1080,
              effects=("turntable", "hero-spin", "zoom-orbit", "reveal")),
    FieldSpec("easeOutRatio", "ease_out_ratio", "number", 0.6, "Hero-spin deceleration fraction", 0, 1,
              effects=("hero-spin",)),
    FieldSpec("amplitude", "amplitude", "number", 60.0, "Showcase swing angle in degrees", 5, 180,
              effects=("showcase",)),
    FieldSpec("zoomStart", "zoom_start", "number", 1.0, "Zoom-orbit starting radius multiplier", 0.1, 3,
              effects=("zoom-orbit",)),
    FieldSpec("zoomEnd", "zoom_end", "number", 0.7, "Zoom-orbit ending radius multiplier", 0.1, 3,
              effects=("zoom-orbit",)),
    FieldSpec("scaleFrom", "scale_from", "number", 0.0, "Reveal starting model scale", 0, 1, effects=("reveal",)),
    FieldSpec("vignette", "vignette", "number", 0.0, "Vignette intensity (0 = none, 1 = full)", 0, 1),
    FieldSpec("aspect", "aspect", "enum", "16:9", "Video aspect ratio", choices=tuple(ASPECTS)),
    FieldSpec("bgColor", "bg_color", "color", "#ffffff", "Background hex colour (#rrggbb)"),
    FieldSpec("bgImageId", "bg_image_id", "string", None, "Overlay asset ID for the background image"),
    FieldSpec("bgAlign", "bg_align", "enum", "top-left", "Crop anchor of the background image", choices=ANCHORS),
    FieldSpec("length", "length", "number", 6.0, "Video duration in seconds", 3, MAX_LENGTH),
    FieldSpec("animation", "animation", "string", None, "Animation clip name ('*' for the first clip)"),
    FieldSpec("animationSpeed", "animation_speed", "number", 1.0, "Animation playback speed multiplier", 0.1, 10),
    FieldSpec("shadows", "shadows", "boolean", True, "Ground shadows"),
    FieldSpec("reflector", "reflector", "boolean", False, "Reflective ground plane"),
    FieldSpec("easing", "easing", "boolean", True, "Ease in/out of the camera motion"),
    FieldSpec("rotateY", "rotate_y", "integer", 0, "Starting camera angle in degrees", -180, 180),
    FieldSpec("tiltX", "tilt_x", "integer", 0, "Forward/back tilt of the model in degrees", -90, 90),
    FieldSpec("panX", "pan_x", "integer", 0, "Yaw of the model in degrees, applied after tilt", -180, 180),
    FieldSpec("rollZ", "roll_z", "integer", 0, "Roll of the model about Z in degrees", -180, 180),
    FieldSpec("zoom", "zoom", "number", 1.0, "Camera distance multiplier", 0.5, 2.0),
    FieldSpec("output", "output", "enum", "video", "What the render produces", choices=("video", "dataset")),
    FieldSpec("datasetQuality", "dataset_quality", "enum", "100x800", "Dataset views x resolution",
              choices=tuple(DATASET_TIERS), effects=("dataset",)),
    FieldSpec("coverage", "coverage", "enum", "hemisphere", "Dataset viewpoints", choices=("hemisphere", "sphere"),
              effects=("dataset",)),
    # Extensions beyond the reference: their defaults are what the engine does when they are absent.
    FieldSpec("environment", "environment", "enum", "studio", "Built-in studio lighting environment",
              choices=ENVIRONMENTS, extension=True),
    FieldSpec("exposure", "exposure", "number", 1.0, "Exposure multiplier before tone mapping", 0.1, 4,
              extension=True),
    FieldSpec("toneMapping", "tone_mapping", "enum", "neutral", "Tone mapping: Khronos PBR Neutral or ACES filmic",
              choices=TONE_MAPPINGS, extension=True),
    FieldSpec("shadowIntensity", "shadow_intensity", "number", 0.7, "Darkness of the ground shadow", 0, 1,
              extension=True),
    FieldSpec("shadowSoftness", "shadow_softness", "number", 0.5, "Blur of the ground shadow", 0, 1, extension=True),
    FieldSpec("fgImageId", "fg_image_id", "string", None, "Overlay asset ID composited over the render",
              extension=True),
    FieldSpec("materialVariant", "material_variant", "string", None,
              "Material variant of the model by name (glTF KHR_materials_variants); none = its default materials",
              extension=True),
)  # fmt: skip

FIELDS_BY_KEY = {f.key: f for f in FIELDS}


@dataclass(frozen=True)
class Settings:
    """A validated render configuration. Build with `Settings.from_json`; attributes mirror `FIELDS`."""

    quality: str = "share"
    effect: str = "turntable"
    sweep_angle: float | None = None
    ease_out_ratio: float = 0.6
    amplitude: float = 60.0
    zoom_start: float = 1.0
    zoom_end: float = 0.7
    scale_from: float = 0.0
    vignette: float = 0.0
    aspect: str = "16:9"
    bg_color: str = "#ffffff"
    bg_image_id: str | None = None
    bg_align: str = "top-left"
    length: float = 6.0
    animation: str | None = None
    animation_speed: float = 1.0
    shadows: bool = True
    reflector: bool = False
    easing: bool = True
    rotate_y: int = 0
    tilt_x: int = 0
    pan_x: int = 0
    roll_z: int = 0
    zoom: float = 1.0
    output: str = "video"
    dataset_quality: str = "100x800"
    coverage: str = "hemisphere"
    environment: str = "studio"
    exposure: float = 1.0
    tone_mapping: str = "neutral"
    shadow_intensity: float = 0.7
    shadow_softness: float = 0.5
    fg_image_id: str | None = None
    material_variant: str | None = None

    # --- construction -------------------------------------------------------------------------
    @classmethod
    def from_json(cls, data: dict | None, *, max_length: float = MAX_LENGTH) -> "Settings":
        """Validate a `renderSettings` object. Unknown keys, wrong types and out-of-range values
        raise InvalidSettings naming the field; `null` means "use the default"."""
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise InvalidSettings("renderSettings must be a JSON object")
        unknown = sorted(k for k in data if k not in FIELDS_BY_KEY)
        if unknown:
            raise InvalidSettings(
                f"unknown setting '{unknown[0]}'; allowed settings: {', '.join(FIELDS_BY_KEY)}", unknown[0]
            )
        values = {}
        for key, raw in data.items():
            spec = FIELDS_BY_KEY[key]
            if raw is None:
                continue
            hi = max_length if key == "length" else spec.maximum
            values[spec.attr] = _coerce(spec, raw, hi)
        return cls(**values)

    def replace(self, *, max_length: float = MAX_LENGTH, **changes) -> "Settings":
        """A copy with some attributes (Python or JSON names) changed, validated like JSON input."""
        merged = {**self.to_json(full=True), **{json_key(k): v for k, v in changes.items()}}
        return Settings.from_json(merged, max_length=max_length)

    def to_json(self, full: bool = False) -> dict:
        """The `renderSettings` JSON: every field when `full`, else only those differing from defaults."""
        out = {}
        for spec in FIELDS:
            value = getattr(self, spec.attr)
            if value is None:
                continue
            if full or value != spec.default:
                out[spec.key] = value
        return out

    # --- derived values ----------------------------------------------------------------------
    @property
    def is_dataset(self) -> bool:
        return self.effect == "dataset" or self.output == "dataset"

    @property
    def camera_path(self) -> str:
        """The effect whose camera (and parameters) a render uses: a dataset always uses the
        dataset camera set, whatever `effect` says."""
        return "dataset" if self.is_dataset else self.effect

    @property
    def tier(self) -> Tier:
        return TIERS[self.quality]

    @property
    def dataset_tier(self) -> DatasetTier:
        return DATASET_TIERS[self.dataset_quality]

    @property
    def size(self) -> tuple[int, int]:
        """Output (width, height) in pixels: the tier's number is the short side."""
        if self.is_dataset:
            s = self.dataset_tier.size
            return s, s
        return output_size(self.tier.short_side, self.aspect)

    @property
    def frame_count(self) -> int:
        return max(1, round(self.length * FPS))

    @property
    def credits(self) -> int:
        return self.dataset_tier.credits if self.is_dataset else self.tier.credits

    def cost_item(self) -> dict:
        """One line of a quote's breakdown, named by what set the price."""
        if self.is_dataset:
            return {"datasetQuality": self.dataset_quality, "credits": self.credits}
        return {"quality": self.quality, "credits": self.credits}

    @property
    def bg_rgb(self) -> tuple[int, int, int]:
        return parse_hex_color(self.bg_color)


def parse_hex_color(value: str) -> tuple[int, int, int]:
    if not isinstance(value, str) or not _HEX.match(value):
        raise InvalidSettings(f"colour must be a 6-digit hex colour like '#ff8800', got {value!r}")
    return tuple(int(value[i : i + 2], 16) for i in (1, 3, 5))


def credits_for(items: list[dict], *, max_length: float = MAX_LENGTH) -> tuple[int, list[dict]]:
    """Total credits and per-item breakdown for a list of renderSettings objects (the quote)."""
    breakdown = [Settings.from_json(item, max_length=max_length).cost_item() for item in items]
    return sum(b["credits"] for b in breakdown), breakdown


def field_applies(spec: FieldSpec, effect: str) -> bool:
    """Whether a front-end should show this field for the chosen effect (pass
    `settings.camera_path`, so a dataset render shows the dataset's fields)."""
    return spec.effects is None or effect in spec.effects


def json_key(attr: str) -> str:
    """The JSON name of a setting given by its Python attribute (or already by its JSON name)."""
    for spec in FIELDS:
        if spec.attr == attr:
            return spec.key
    if attr in FIELDS_BY_KEY:
        return attr
    raise InvalidSettings(f"unknown setting '{attr}'", attr)


def _range_text(spec: FieldSpec, hi: float | None) -> str:
    return f"{spec.minimum:g} to {hi:g}"


def _coerce(spec: FieldSpec, raw: Any, hi: float | None):
    """Check one JSON value against its spec and return it in its Python type."""
    key = spec.key
    if spec.kind == "boolean":
        if not isinstance(raw, bool):
            raise InvalidSettings(f"{key} must be true or false, got {raw!r}", key)
        return raw
    if spec.kind in ("enum", "string", "color"):
        if not isinstance(raw, str):
            raise InvalidSettings(f"{key} must be a string, got {raw!r}", key)
        if spec.kind == "enum" and raw not in spec.choices:
            raise InvalidSettings(f"{key} must be one of {', '.join(spec.choices)}; got {raw!r}", key)
        if spec.kind == "color" and not _HEX.match(raw):
            raise InvalidSettings(f"{key} must be a 6-digit hex colour with '#', like '#ff8800'; got {raw!r}", key)
        if spec.kind == "string" and not (0 < len(raw) <= 200):
            raise InvalidSettings(f"{key} must be a non-empty string of at most 200 characters", key)
        return raw
    # number | integer
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
        raise InvalidSettings(f"{key} must be a number from {_range_text(spec, hi)}, got {raw!r}", key)
    if spec.kind == "integer":
        if float(raw) != int(raw):
            raise InvalidSettings(f"{key} must be a whole number from {_range_text(spec, hi)}, got {raw!r}", key)
        raw = int(raw)
    if not (spec.minimum <= raw <= hi):
        raise InvalidSettings(f"{key} must be from {_range_text(spec, hi)}, got {raw!r}", key)
    return raw if spec.kind == "integer" else float(raw)


__all__ = [
    "Settings", "FieldSpec", "FIELDS", "FIELDS_BY_KEY", "EFFECTS", "ANCHORS", "ENVIRONMENTS", "TONE_MAPPINGS",
    "parse_hex_color", "credits_for", "field_applies", "json_key",
]  # fmt: skip
