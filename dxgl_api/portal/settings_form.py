"""The new-render form, generated from the engine's settings table (`dxgl_engine.FIELDS`) like the
desktop panel and the notebook form: one editor per field by its kind, with the field's range and
default. Values go back to the engine as they were typed where they do not parse, so every message
about a bad value is the engine's own (`Settings.from_json`), word for word the desktop panel's."""
from __future__ import annotations

import re
from dataclasses import dataclass

from dxgl_engine import FIELDS, FieldSpec, field_applies

from ..errors import ApiError

MAX_SETS = 20
_KEY = re.compile(r"^s(\d{1,2})\.(\w+)$")


@dataclass
class Editor:
    """What a template needs to draw one field's editor."""

    spec: FieldSpec
    widget: str  # select | number | checkbox | color | text | overlay
    minimum: float | None = None
    maximum: float | None = None
    step: str = "any"
    choices: tuple = ()


class SettingsForm:
    """The editors for one account (its longest video) and its overlays (for the *ImageId fields)."""

    def __init__(self, max_length: float, overlays: list):
        self.editors = [self._editor(spec, max_length, overlays) for spec in FIELDS]

    @staticmethod
    def _editor(spec: FieldSpec, max_length: float, overlays: list) -> Editor:
        if spec.kind == "enum":
            return Editor(spec, "select", choices=tuple((c, c) for c in spec.choices))
        if spec.kind == "boolean":
            return Editor(spec, "checkbox")
        if spec.kind == "color":
            return Editor(spec, "color")
        if spec.kind in ("number", "integer"):
            hi = max_length if spec.key == "length" else spec.maximum
            return Editor(spec, "number", spec.minimum, hi, "1" if spec.kind == "integer" else "any")
        if spec.key.endswith("ImageId"):
            layer = "foreground" if spec.key.startswith("fg") else "background"
            return Editor(spec, "overlay", choices=tuple(
                (o.id, f"{o.name or o.id}{' (system)' if o.is_system else ''}") for o in overlays
                if o.layer == layer or not o.layer))
        return Editor(spec, "text")


def parse_sets(form) -> list[dict]:
    """The settings objects of a submitted form (`s0.quality`, `s1.length`, …), in set order."""
    values: dict[int, dict[str, list[str]]] = {}
    for name in form.keys():
        if m := _KEY.match(name):
            values.setdefault(int(m.group(1)), {})[m.group(2)] = form.getlist(name)
    if not values:
        return [{}]
    if len(values) > MAX_SETS:
        raise ApiError("invalid_settings", f"at most {MAX_SETS} sets of settings at once")
    return [_settings(raw) for _, raw in sorted(values.items())]


def _settings(raw: dict[str, list[str]]) -> dict:
    effect = (raw.get("effect") or ["turntable"])[-1]
    if (raw.get("output") or ["video"])[-1] == "dataset":
        effect = "dataset"
    out: dict = {}
    for spec in FIELDS:
        if spec.key not in raw or not field_applies(spec, effect):
            continue
        text = raw[spec.key][-1].strip()  # a checkbox sends its hidden "false" first, "true" after when ticked
        if spec.kind == "boolean":
            out[spec.key] = text == "true"
        elif text == "":
            continue  # blank: the engine's default (or its automatic value)
        elif spec.kind in ("number", "integer"):
            out[spec.key] = _number(text)
        else:
            out[spec.key] = text
    return out


def _number(text: str):
    try:
        number = float(text)
    except ValueError:
        return text  # the engine answers "must be a number from … to …, got '…'"
    return int(number) if number.is_integer() else number
